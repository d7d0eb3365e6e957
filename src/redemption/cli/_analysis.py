"""The analysis commands: refusals (what became of the orders, and why) and trend."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
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
    PERIOD_HELP,
    WINDOW_COLUMNS,
    Commands,
    add_day_and_format,
    add_sources,
    check_ends,
    day,
    load,
    notes,
    period,
    today_of,
    window_columns,
)
from redemption.cli._output import Cell, table_lines, write_csv, write_json
from redemption.errors import InvalidArgumentError
from redemption.money import percent
from redemption.outcomes import CancelKind, ReasonCategory
from redemption.sample import sample_history
from redemption.windows import redemption_window

__all__ = ["add_commands"]


def _percent(share: Fraction | Decimal | None) -> str:
    """A share of 1 as a percentage with two places (`money.percent`); "-" without one."""
    return "-" if share is None else str(percent(Fraction(share)))


def _share(value: Decimal | None) -> Fraction | None:
    """An interval's bound as the exact fraction of 1 it is (written as a number)."""
    return None if value is None else Fraction(value)


def _bounds(interval: Interval | None) -> dict[str, Fraction | None]:
    return {
        "low": None if interval is None else _share(interval.low),
        "high": None if interval is None else _share(interval.high),
    }


_GROUP_COLUMNS = {"sku": "sku", "seller": "seller_id"}
"""The column of each grouping: the name `redemption.frames` gives it."""

_BREAKDOWN_COLUMNS = (
    "orders",
    "in_transit",
    "sales",
    "returns",
    "rate",
    "rate_with_returns",
    "kept",
    *(outcome_name(key, "_") for key in OUTCOME_KEYS if key[0] is Outcome.RETURNED),
    "sold_late",
    *(outcome_name(key, "_") for key in OUTCOME_KEYS if key[0] is Outcome.CANCELLED),
    "cancelled",
    "not_kept",
    *(f"reason_{reason.value}" for reason in ReasonCategory),
    "rate_low",
    "rate_high",
    "rate_with_returns_low",
    "rate_with_returns_high",
    "small",
    "complete",
    *WINDOW_COLUMNS,
)
"""The columns of the refusals CSV after the group's, in order, there even when no group
has an order: `redemption.frames.refusal_breakdown`'s, then the 95% intervals of the rates,
whether there are few orders, whether the figures are complete, and the windows."""


def _breakdown_row(b: Breakdown) -> dict[str, Cell]:
    rate, with_returns = _bounds(b.rate_interval), _bounds(b.rate_with_returns_interval)
    row: dict[str, Cell] = {
        "orders": b.orders,
        "in_transit": b.in_transit,
        "sales": b.sales,
        "returns": b.returns,
        "rate": b.rate,
        "rate_with_returns": b.rate_with_returns,
    }
    row |= {outcome_name(key, "_"): count for key, count in b.outcomes.items()}
    row |= {
        "cancelled": b.cancelled,
        "not_kept": b.not_kept,
        **{f"reason_{reason.value}": count for reason, count in b.reasons.items()},
        "rate_low": rate["low"],
        "rate_high": rate["high"],
        "rate_with_returns_low": with_returns["low"],
        "rate_with_returns_high": with_returns["high"],
        "small": b.small,
        "complete": b.complete,
        **window_columns(b.report.window),
    }
    return row


def _overall_table(b: Breakdown) -> list[str]:
    low, high = (_percent(bound) for bound in _bounds(b.rate_interval).values())
    lines = [
        f"  orders {b.orders} counted, {b.in_transit} in transit; redemption rate "
        f"{_percent(b.rate)}% (95% interval {low}..{high}), with returns "
        f"{_percent(b.rate_with_returns)}%" + ("; few orders" if b.small else ""),
        "",
    ]
    lines += table_lines(
        ["outcome", "orders", "share"],
        (
            [outcome_name(key, "_"), str(count), f"{_percent(b.outcome_shares[key])}%"]
            for key, count in b.outcomes.items()
            if count
        ),
        "<>>",
    )
    lines += _reason_table(b)
    return lines


def _reason_table(b: Breakdown) -> list[str]:
    lines = ["", f"  reasons of the {b.not_kept} orders not kept (cancelled or returned)"]
    lines += table_lines(
        ["reason", "orders", "share"],
        (
            [reason.value, str(count), f"{_percent(b.reason_shares[reason])}%"]
            for reason, count in sorted(b.reasons.items(), key=lambda item: -item[1])
            if count
        ),
        "<>>",
    )
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
    rows = []
    for group, b in sorted(breakdowns.items(), key=lambda item: str(item[0])):
        shares = [
            _percent(Fraction(part, b.orders)) if b.orders else "-"
            for part in _partition(b).values()
        ]
        top = _top_reason(b) + ("  (few orders)" if b.small else "")
        rows.append([str(group), str(b.orders), str(b.in_transit), _percent(b.rate), *shares, top])
    header = [title, "orders", "transit", "rate", "kept", "returned", "late", "refused"]
    lines = table_lines([*header, "cancelled", "top reason"], rows, "<>>>>>>>><")
    note = "  (kept to cancelled: shares of the orders, adding up to 100%)"
    return [lines[0], note, *lines[1:]]


def _refusals(args: argparse.Namespace) -> int:
    check_ends(args, args.period.end, f"--period {args.period}")
    history, imported = load(args, sample_history)
    today = today_of(args, history)
    by = None if args.by in (None, "reason") else args.by
    breakdowns = refusal_breakdown(history, args.period, today=today, by=by, tz=args.tz)
    window = redemption_window(args.period, today=today)
    complete = all(b.complete for b in breakdowns.values()) if breakdowns else window.complete
    state = "complete" if complete else "not complete: sales can still arrive"
    key = None if by is None else _GROUP_COLUMNS[by]
    rows = [
        ({} if key is None else {key: group}) | _breakdown_row(b)
        for group, b in sorted(breakdowns.items(), key=lambda item: str(item[0]))
    ]
    if args.format == "json":
        document = {
            "period_start": args.period.start,
            "period_end": args.period.end,
            "today": today,
            "tz": args.tz.key,
            "by": key,
            "complete": complete,
            **window_columns(window),
            "groups": rows,
        }
        write_json(document | notes(imported))
    elif args.format == "csv":
        write_csv(rows, _BREAKDOWN_COLUMNS if key is None else (key, *_BREAKDOWN_COLUMNS))
    else:
        print(f"Period {args.period}, today {today} ({args.tz.key}): {state}")
        print(f"  orders placed {window.orders}, sold {window.sales} (30-day window method)")
        if by is None:
            (overall,) = breakdowns.values()
            lines = _reason_table(overall) if args.by == "reason" else _overall_table(overall)
        else:
            lines = _group_table(breakdowns, _GROUP_COLUMNS[by])
        print("\n".join(lines))
    return 0


_POINT_COLUMNS = (
    "first",
    "last",
    "clipped",
    "complete",
    "orders",
    "in_transit",
    "sales",
    "refused",
    "returned",
    "rate",
    "refusal_share",
    "return_share",
    "rate_low",
    "rate_high",
    "small",
    *WINDOW_COLUMNS,
)
"""The columns of the trend CSV after the group's, in order: `redemption.frames.rate_series`'
(a bucket's order days are ``first`` to ``last``), then the rate's 95% interval, whether
there are few orders, and the bucket's windows."""


def _point_row(point: SeriesPoint) -> dict[str, Cell]:
    rate = _bounds(point.rate_interval)
    return {
        "first": point.first,
        "last": point.last,
        "clipped": point.clipped,
        "complete": point.complete,
        "orders": point.orders,
        "in_transit": point.in_transit,
        "sales": point.sales,
        "refused": point.refused,
        "returned": point.returned,
        "rate": point.rate,
        "refusal_share": point.refusal_share,
        "return_share": point.return_share,
        "rate_low": rate["low"],
        "rate_high": rate["high"],
        "small": point.small,
        **window_columns(point.counts.report.window),
    }


def _trend(args: argparse.Namespace) -> int:
    if args.start > args.end:
        msg = f"--start {args.start} is after --end {args.end}"
        raise InvalidArgumentError(msg)
    check_ends(args, args.end, f"the range --start {args.start} --end {args.end}")
    history, imported = load(args, sample_history)
    today = today_of(args, history)
    if args.end > today:
        msg = f"--end {args.end} is after {today}, the day the figures are computed on"
        raise InvalidArgumentError(msg)
    series = rate_series(
        history, start=args.start, end=args.end, freq=args.freq, today=today, by=args.by, tz=args.tz
    )
    key = None if args.by is None else _GROUP_COLUMNS[args.by]
    rows = [
        ({} if key is None else {key: group}) | _point_row(point)
        for group, points in series.items()
        for point in points
    ]
    if args.format == "json":
        document = {"today": today, "tz": args.tz.key, "freq": args.freq, "by": key}
        write_json(document | {"buckets": rows} | notes(imported))
    elif args.format == "csv":
        write_csv(rows, _POINT_COLUMNS if key is None else (key, *_POINT_COLUMNS))
    else:
        print(f"Redemption rate by {args.freq} of order, today {today} ({args.tz.key})")
        print("\n".join(_trend_table(rows, key)))
    return 0


def _trend_table(rows: Sequence[Mapping[str, Cell]], key: str | None) -> list[str]:
    def shown(row: Mapping[str, Cell], column: str) -> str:
        value = row[column]
        return _percent(value) if isinstance(value, Fraction | Decimal) else "-"

    header = ["from", "to", "orders", "transit", "rate", "95% interval", "refused", "returned"]
    lines = []
    for row in rows:
        interval = (
            f"{shown(row, 'rate_low')}..{shown(row, 'rate_high')}"
            if row["rate_low"] is not None
            else "-"
        )
        cells = [str(row["first"]), str(row["last"]), str(row["orders"]), str(row["in_transit"])]
        cells += [shown(row, "rate"), interval, shown(row, "refusal_share")]
        cells += [shown(row, "return_share"), "complete" if row["complete"] else "still open"]
        lines.append(cells if key is None else [str(row[key]), *cells])
    header = [*header, "state"] if key is None else [key, *header, "state"]
    return table_lines(header, lines, ("<" if key else "") + "<<>>>>>><")


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
        "--period", type=period, required=True, metavar="PERIOD", help=PERIOD_HELP
    )
    refusals.add_argument(
        "--by",
        choices=["sku", "seller", "reason"],
        help=(
            "one row per SKU (column sku) or seller (column seller_id), or the reasons alone "
            "(default: the whole period, one row without a group column: the total)"
        ),
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
    trend.add_argument(
        "--by",
        choices=["sku", "seller"],
        help="a series per SKU (column sku) or seller (column seller_id); default: the total",
    )
    add_day_and_format(trend)
    trend.set_defaults(run=_trend)
