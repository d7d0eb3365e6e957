"""The analysis commands: refusals (what became of the orders, and why) and trend."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Hashable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from redemption.analysis import (
    Breakdown,
    Interval,
    Outcome,
    SeriesPoint,
    rate_series,
    refusal_breakdown,
)
from redemption.calculators.breakdown import OUTCOME_KEYS, outcome_name
from redemption.cli._common import (
    Commands,
    add_day_and_format,
    add_sources,
    day,
    load,
    period,
    today_of,
)
from redemption.errors import InvalidArgumentError
from redemption.money import percent
from redemption.outcomes import CancelKind, ReasonCategory
from redemption.sample import sample_history

__all__ = ["add_commands"]


def _percent(share: Fraction | Decimal | None) -> str:
    """A share of 1 as a percentage with two places (`money.percent`); empty without one."""
    return "" if share is None else str(percent(Fraction(share)))


def _bounds(interval: Interval | None) -> tuple[str, str]:
    return ("", "") if interval is None else (_percent(interval.low), _percent(interval.high))


_BREAKDOWN_FIELDS = (
    "group",
    "orders",
    "in_transit",
    "sales",
    "returns",
    "rate_percent",
    "rate_low_percent",
    "rate_high_percent",
    "rate_with_returns_percent",
    "not_kept",
    "small",
    "complete",
    *(outcome_name(key, "_") for key in OUTCOME_KEYS),
    *(f"reason_{reason.value}" for reason in ReasonCategory),
)
"""The columns of the refusals CSV, in order: there even when no group has an order."""


def _breakdown_row(group: Hashable, b: Breakdown) -> dict[str, Any]:
    low, high = _bounds(b.rate_interval)
    row: dict[str, Any] = {
        "group": "" if group is None else str(group),
        "orders": b.orders,
        "in_transit": b.in_transit,
        "sales": b.sales,
        "returns": b.returns,
        "rate_percent": _percent(b.rate),
        "rate_low_percent": low,
        "rate_high_percent": high,
        "rate_with_returns_percent": _percent(b.rate_with_returns),
        "not_kept": b.not_kept,
        "small": b.small,
        "complete": b.complete,
    }
    row |= {outcome_name(key, "_"): count for key, count in b.outcomes.items()}
    row |= {f"reason_{reason.value}": count for reason, count in b.reasons.items()}
    return row


def _overall_table(b: Breakdown) -> list[str]:
    low, high = _bounds(b.rate_interval)
    lines = [
        f"  orders {b.orders} counted, {b.in_transit} in transit; redemption rate "
        f"{_percent(b.rate) or '-'}% (95% interval {low or '-'}..{high or '-'}), with returns "
        f"{_percent(b.rate_with_returns) or '-'}%" + ("; few orders" if b.small else ""),
        "",
        f"  {'outcome':<28} {'orders':>7} {'share':>8}",
    ]
    lines += [
        f"  {outcome_name(key, '_'):<28} {count:>7} {_percent(b.outcome_shares[key]):>7}%"
        for key, count in b.outcomes.items()
        if count
    ]
    lines += _reason_table(b)
    return lines


def _reason_table(b: Breakdown) -> list[str]:
    lines = ["", f"  reasons of the {b.not_kept} orders not kept (cancelled or returned)"]
    lines += [
        f"  {reason.value:<28} {count:>7} {_percent(b.reason_shares[reason]):>7}%"
        for reason, count in sorted(b.reasons.items(), key=lambda item: -item[1])
        if count
    ]
    return lines


def _top_reason(b: Breakdown) -> str:
    counted = [(count, reason) for reason, count in b.reasons.items() if count]
    if not counted:
        return "-"
    count, reason = max(counted, key=lambda item: (item[0], item[1] is ReasonCategory.UNKNOWN))
    return f"{reason.value} ({count})"


def _partition(b: Breakdown) -> dict[str, int]:
    """Return a group's counted orders in parts that add up to them.

    Kept, returned, sold after the window, refused at handover (never sold), cancelled
    before handover.
    """
    counts = b.counts
    refused = sum(
        counts.by_outcome[Outcome.CANCELLED, kind]
        for kind in (CancelKind.REFUSED, CancelKind.NOT_COLLECTED)
    )
    return {
        "kept": counts.kept,
        "returned": counts.returned,
        "late": counts.sold_late,
        "refused": refused,
        "cancelled": counts.cancelled_before_handover,
    }


def _group_table(breakdowns: Mapping[Any, Breakdown], title: str) -> list[str]:
    lines = [
        (
            f"  {title:<14} {'orders':>7} {'transit':>7} {'rate':>7}  {'kept':>7} "
            f"{'returned':>8} {'late':>6} {'refused':>8} {'cancelled':>9}  top reason"
        ),
        f"  {'':<14} {'':>7} {'':>7} {'':>7}  (shares of the orders, adding up to 100%)",
    ]
    for group, b in sorted(breakdowns.items(), key=lambda item: str(item[0])):
        share = {
            name: _percent(Fraction(part, b.orders)) if b.orders else ""
            for name, part in _partition(b).items()
        }
        lines.append(
            f"  {group!s:<14.14} {b.orders:>7} {b.in_transit:>7} {_percent(b.rate):>7}  "
            f"{share['kept']:>7} {share['returned']:>8} {share['late']:>6} "
            f"{share['refused']:>8} {share['cancelled']:>9}  "
            f"{_top_reason(b)}" + ("  (few orders)" if b.small else "")
        )
    return lines


def _refusals(args: argparse.Namespace) -> int:
    history = load(args, sample_history)
    today = today_of(args, history)
    by = None if args.by in (None, "reason") else args.by
    breakdowns = refusal_breakdown(history, args.period, today=today, by=by, tz=args.tz)
    complete = all(b.complete for b in breakdowns.values())
    state = "complete" if complete else "not complete: sales can still arrive"
    if args.format == "json":
        document = {
            "period": str(args.period),
            "today": today.isoformat(),
            "by": args.by,
            "complete": complete,
            "groups": [_breakdown_row(g, b) for g, b in breakdowns.items()],
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        print(f"period {args.period}, today {today}: {state}", file=sys.stderr)
        rows = [_breakdown_row(g, b) for g, b in breakdowns.items()]
        writer = csv.DictWriter(sys.stdout, fieldnames=_BREAKDOWN_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    else:
        window = next(iter(breakdowns.values())).counts.report.window if breakdowns else None
        print(f"Period {args.period}, today {today} ({args.tz.key}): {state}")
        if window is not None:
            print(f"  orders placed {window.orders}, sold {window.sales} (30-day window method)")
        if by is None:
            (overall,) = breakdowns.values()
            lines = _reason_table(overall) if args.by == "reason" else _overall_table(overall)
        else:
            lines = _group_table(breakdowns, by)
        print("\n".join(lines))
    return 0


_POINT_FIELDS = (
    "group",
    "first",
    "last",
    "orders",
    "in_transit",
    "sales",
    "refused",
    "returned",
    "rate_percent",
    "rate_low_percent",
    "rate_high_percent",
    "refusal_share_percent",
    "return_share_percent",
    "small",
    "complete",
)
"""The columns of the trend CSV, in order."""


def _point_row(group: Hashable, point: SeriesPoint) -> dict[str, Any]:
    low, high = _bounds(point.rate_interval)
    return {
        "group": "" if group is None else str(group),
        "first": point.first.isoformat(),
        "last": point.last.isoformat(),
        "orders": point.orders,
        "in_transit": point.in_transit,
        "sales": point.sales,
        "refused": point.refused,
        "returned": point.returned,
        "rate_percent": _percent(point.rate),
        "rate_low_percent": low,
        "rate_high_percent": high,
        "refusal_share_percent": _percent(point.refusal_share),
        "return_share_percent": _percent(point.return_share),
        "small": point.small,
        "complete": point.complete,
    }


def _trend(args: argparse.Namespace) -> int:
    if args.start > args.end:
        msg = f"--start {args.start} is after --end {args.end}"
        raise InvalidArgumentError(msg)
    history = load(args, sample_history)
    today = today_of(args, history)
    if args.end > today:
        msg = f"--end {args.end} is after {today}, the day the figures are computed on"
        raise InvalidArgumentError(msg)
    series = rate_series(
        history, start=args.start, end=args.end, freq=args.freq, today=today, by=args.by, tz=args.tz
    )
    rows = [_point_row(group, point) for group, points in series.items() for point in points]
    if args.format == "json":
        document = {"today": today.isoformat(), "freq": args.freq, "buckets": rows}
        print(json.dumps(document, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=_POINT_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    else:
        print(f"Redemption rate by {args.freq} of order, today {today} ({args.tz.key})")
        print(_trend_table(rows, grouped=args.by is not None))
    return 0


def _trend_table(rows: Sequence[dict[str, Any]], *, grouped: bool) -> str:
    head = f"  {'group':<14} " if grouped else "  "
    lines = [
        head + f"{'from':<10} {'to':<10} {'orders':>7} {'transit':>7} {'rate':>7} "
        f"{'95% interval':>15} {'refused':>8} {'returned':>8}  state"
    ]
    for row in rows:
        interval = (
            f"{row['rate_low_percent']}..{row['rate_high_percent']}"
            if row["rate_low_percent"]
            else "-"
        )
        state = "complete" if row["complete"] else "still open"
        lines.append(
            (f"  {row['group']:<14.14} " if grouped else "  ")
            + f"{row['first']:<10} {row['last']:<10} {row['orders']:>7} {row['in_transit']:>7} "
            f"{row['rate_percent'] or '-':>7} {interval:>15} "
            f"{row['refusal_share_percent'] or '-':>8} {row['return_share_percent'] or '-':>8}  "
            + state
        )
    return "\n".join(lines)


def add_commands(commands: Commands) -> None:
    """Add refusals and trend to the command line."""
    refusals = commands.add_parser(
        "refusals",
        help="what became of a period's orders, and why the others were not redeemed",
        description=(
            "Of the orders the redemption rate counts for a period (the marketplace's 30-day "
            "window method), how many were kept, returned, sold after the window, or "
            "cancelled (by the buyer, the seller, the marketplace, refused at the pick-up "
            "point, not collected), and the reasons of those not redeemed; the rate with its "
            "95% Wilson interval. Overall, by reason, or one row per SKU or seller."
        ),
        epilog=(
            "example: redemption refusals reports/ --period 2025-04-01..2025-04-30 --by sku\n"
            "         redemption refusals --sample --period 2025-03-01..2025-03-31 --by reason"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_sources(refusals, "the sample's Wildberries statistics reports")
    refusals.add_argument(
        "--period",
        type=period,
        required=True,
        metavar="START..END",
        help="the period, inclusive dates, e.g. 2025-04-01..2025-04-30",
    )
    refusals.add_argument(
        "--by",
        choices=["sku", "seller", "reason"],
        help="one row per SKU or seller, or the reasons alone (default: the whole period)",
    )
    add_day_and_format(refusals)
    refusals.set_defaults(run=_refusals)
    trend = commands.add_parser(
        "trend",
        help="the redemption rate day by day, week by week or month by month",
        description=(
            "For each day, week (Monday to Sunday) or month of order days: the orders placed "
            "in it, the redemption rate of those orders (sold within 30 days of the bucket's "
            "end) with its 95% Wilson interval, the refusal and return shares, and whether "
            "the bucket's window has closed."
        ),
        epilog=(
            "example: redemption trend reports/ --start 2025-01-01 --end 2025-04-30 "
            "--freq week --format csv"
        ),
    )
    add_sources(trend, "the sample's Wildberries statistics reports")
    trend.add_argument("--start", type=day, required=True, help="the first order day")
    trend.add_argument(
        "--end", type=day, required=True, help="the last order day (at most --today)"
    )
    trend.add_argument("--freq", choices=["day", "week", "month"], default="week")
    trend.add_argument("--by", choices=["sku", "seller"], help="a series per SKU or seller")
    add_day_and_format(trend)
    trend.set_defaults(run=_trend)
