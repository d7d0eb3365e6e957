"""The figures' commands: demo, rate and buyers."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any

from redemption import __version__
from redemption.calculators import RateReport, redemption_rate, redemption_rates
from redemption.cli._common import (
    Commands,
    add_day_and_format,
    add_sources,
    import_line,
    load,
    percent_text,
    period,
    today_of,
)
from redemption.errors import InvalidArgumentError
from redemption.io import read_order_lines
from redemption.money import percent
from redemption.policy import BuyerStatus, Policy, buyer_statuses
from redemption.sample import (
    SAMPLE_SELLERS,
    SAMPLE_TODAY,
    sample_history,
    sample_lines_path,
)
from redemption.windows import Period

_DEMO_MIN_ORDERS = 10
_DEMO_CASES = (
    (
        "the seed's first worked example: a January period, looked at in April",
        Period(date(2025, 1, 15), date(2025, 1, 30)),
        date(2025, 4, 15),
    ),
    (
        "the seed's second worked example: the last half of April, on 30 April",
        Period(date(2025, 4, 15), date(2025, 4, 30)),
        SAMPLE_TODAY,
    ),
)


def _report_lines(report: RateReport) -> list[str]:
    window = report.window
    return [
        f"  orders window   {window.orders}  ({len(window.orders)} days)",
        f"  sales window    {window.sales}",
        f"  complete        {'yes' if report.complete else 'no: sales can still arrive'}",
        (
            f"  orders {report.orders}, sales {report.sales}, returns {report.returns}, "
            f"in transit {report.in_transit}, unmatched sales {report.unmatched}, "
            f"unmatched returns {report.unmatched_returns}"
        ),
        (
            f"  redemption rate {percent_text(report.rate)}, "
            f"with returns {percent_text(report.rate_with_returns)}"
        ),
    ]


def _group_table(reports: dict[str, RateReport], title: str) -> list[str]:
    header = (
        f"  {title:<12} {'orders':>7} {'sales':>6} {'returns':>8} {'transit':>8} "
        f"{'rate':>8} {'w/ returns':>11}"
    )
    rows = [
        f"  {group:<12} {r.orders:>7} {r.sales:>6} {r.returns:>8} {r.in_transit:>8} "
        f"{percent_text(r.rate):>8} {percent_text(r.rate_with_returns):>11}"
        for group, r in sorted(reports.items())
    ]
    return [header, *rows]


def _demo(_: argparse.Namespace) -> int:
    history, imported = sample_history()
    skus = {order.sku for order in history.orders}
    print(
        f"redemption {__version__}: the bundled sample, Wildberries statistics reports of "
        f"{len(SAMPLE_SELLERS)} sellers ({len(skus)} SKUs), known up to {SAMPLE_TODAY}"
    )
    print(f"  {import_line(imported)}")
    print(f"  {history!r}")
    for title, chosen, today in _DEMO_CASES:
        print()
        print(f"Period {chosen}, today {today}: {title}")
        print("\n".join(_report_lines(redemption_rate(history, chosen, today=today))))
        print()
        by_sku = redemption_rates(history, chosen, today=today, by="sku")
        print("\n".join(_group_table(by_sku, "sku")))
    lines, _imported = read_order_lines(sample_lines_path())
    statuses = buyer_statuses(lines, today=SAMPLE_TODAY, policy=Policy(rules=[]))
    ranked = sorted(
        (status.report.rate, status.buyer_id, status)
        for status in statuses.values()
        if status.report.rate is not None and status.report.placed >= _DEMO_MIN_ORDERS
    )
    rated = [status for _, _, status in ranked]
    print()
    print(
        f"Buyers on {SAMPLE_TODAY}: {len(statuses)} in the sample's order lines; the three who "
        f"keep least of their orders (of those with {_DEMO_MIN_ORDERS} or more), and the "
        "three who keep most"
    )
    rows = [_buyer_row(s, with_status=False) for s in (*rated[:3], *rated[-3:])]
    print("\n".join(_buyer_table(rows)))
    return 0


def _rate_row(report: RateReport) -> dict[str, Any]:
    def share(value: Fraction | None) -> str:
        return "" if value is None else str(percent(value))

    return {
        "orders": report.orders,
        "sales": report.sales,
        "returns": report.returns,
        "in_transit": report.in_transit,
        "rate_percent": share(report.rate),
        "rate_with_returns_percent": share(report.rate_with_returns),
    }


def _rate(args: argparse.Namespace) -> int:
    history = load(args, sample_history)
    today = today_of(args, history)
    total = redemption_rate(history, args.period, today=today, tz=args.tz)
    groups = redemption_rates(history, args.period, today=today, by=args.by, tz=args.tz)
    window = total.window
    if args.format == "json":
        document = {
            "period": str(args.period),
            "today": today.isoformat(),
            "orders_window": str(window.orders),
            "sales_window": str(window.sales),
            "complete": total.complete,
            "unmatched_sales": total.unmatched,
            "unmatched_returns": total.unmatched_returns,
            "total": _rate_row(total),
            args.by: {group: _rate_row(r) for group, r in sorted(groups.items())},
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        complete = "complete" if total.complete else "not complete: sales can still arrive"
        print(f"period {args.period}, today {today}: {complete}", file=sys.stderr)
        rows = [(group, _rate_row(r)) for group, r in sorted(groups.items())]
        writer = csv.writer(sys.stdout)
        writer.writerow([args.by, *_rate_row(total)])
        writer.writerows([group, *row.values()] for group, row in rows)
        writer.writerow(["total", *_rate_row(total).values()])
    else:
        print(f"Period {args.period}, today {today} ({args.tz.key})")
        print("\n".join(_report_lines(total)))
        print()
        print("\n".join(_group_table(groups, args.by)))
    return 0


def _buyer_row(status: BuyerStatus, *, with_status: bool) -> dict[str, Any]:
    report = status.report
    row: dict[str, Any] = {
        "buyer_id": status.buyer_id,
        "placed": report.placed,
        "sold": report.sold,
        "returned": report.returned,
        "in_transit": report.in_transit,
        "percentage": "" if report.percentage is None else str(report.percentage),
        "ransom": str(status.ransom),
    }
    if status.shop_ransom is not None:
        row["shop_ransom"] = str(status.shop_ransom)
    if with_status:
        row["privileges"] = "; ".join(status.privileges)
        row["restrictions"] = "; ".join(status.restrictions)
    return row


def _buyers(args: argparse.Namespace) -> int:
    if args.policy is not None:
        policy = Policy.from_toml(args.policy.read_text(encoding="utf-8"))
        if args.weight is not None and args.weight != policy.weight:
            msg = f"--weight {args.weight} contradicts the policy's weight {policy.weight!r}"
            raise InvalidArgumentError(msg)
    else:
        policy = Policy(rules=[], weight=args.weight or "count")
    history = load(args, partial(read_order_lines, sample_lines_path()))
    today = today_of(args, history)
    statuses = buyer_statuses(history, today=today, policy=policy, seller_id=args.shop, tz=args.tz)
    if args.buyer is not None:
        if args.buyer not in statuses:
            msg = f"buyer {args.buyer!r} placed no order by {today}"
            raise InvalidArgumentError(msg)
        statuses = {args.buyer: statuses[args.buyer]}
    if not statuses:
        print("no buyers: these reports name none (seller reports do not)", file=sys.stderr)
    rows = [_buyer_row(s, with_status=args.policy is not None) for s in statuses.values()]
    if args.format == "json":
        document = {"today": today.isoformat(), "weight": policy.weight, "buyers": rows}
        print(json.dumps(document, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["buyer_id"])
        writer.writeheader()
        writer.writerows(rows)
    else:
        print(f"Buyers as of {today} ({args.tz.key}), weighed by {policy.weight}: {len(rows)}")
        print("\n".join(_buyer_table(rows)))
    return 0


def _buyer_table(rows: list[dict[str, Any]]) -> list[str]:
    header = (
        f"  {'buyer':<14} {'placed':>6} {'sold':>5} {'returned':>8} {'transit':>7} "
        f"{'percentage':>10} {'ransom':>12}"
    )
    lines = [header]
    for row in rows:
        share = f"{row['percentage']}%" if row["percentage"] else "-"
        tiers = "; ".join(t for t in (row.get("privileges"), row.get("restrictions")) if t)
        lines.append(
            f"  {row['buyer_id']:<14} {row['placed']:>6} {row['sold']:>5} "
            f"{row['returned']:>8} {row['in_transit']:>7} {share:>10} {row['ransom']:>12}"
            + (f"  {tiers}" if tiers else "")
        )
    return lines


def add_commands(commands: Commands) -> None:
    """Add demo, rate and buyers to the command line."""
    demo = commands.add_parser(
        "demo",
        help="show the redemption windows and rates, and the buyers, of the bundled sample",
        description=(
            "Show the seller's redemption rate by the marketplace's 30-day window method "
            "on the bundled sample of Wildberries reports, for the seed's two worked examples, "
            "and the buyers who keep least and most of what they order."
        ),
        epilog="example: redemption demo",
    )
    demo.set_defaults(run=_demo)
    rate = commands.add_parser(
        "rate",
        help="the seller's redemption rate from Wildberries statistics reports",
        description=(
            "The seller's redemption rate by the marketplace's 30-day window method, in "
            "total and per SKU or seller, from Wildberries reports or order lines."
        ),
        epilog=(
            "example: redemption rate orders.json sales.json "
            "--period 2025-04-01..2025-04-30 --today 2025-05-31 --format csv"
        ),
    )
    add_sources(rate, "the sample's Wildberries statistics reports")
    rate.add_argument(
        "--period",
        type=period,
        required=True,
        metavar="START..END",
        help="the period, inclusive dates, e.g. 2025-04-01..2025-04-30",
    )
    rate.add_argument("--by", choices=["sku", "seller"], default="sku", help="group by")
    add_day_and_format(rate)
    rate.set_defaults(run=_rate)
    buyers = commands.add_parser(
        "buyers",
        help="each buyer's redemption percentage and ransom amount, and their tier",
        description=(
            "Each buyer's redemption percentage (orders kept over orders placed, over the two "
            "years ending --today) and ransom amount (what they bought and kept in those two "
            "years), from report files that name buyers (order-lines CSV, Ozon postings with "
            "their customer); with --policy, the privileges and restrictions each buyer has."
        ),
        epilog=(
            "example: redemption buyers lines.csv --today 2025-04-30 --policy tiers.toml\n"
            "         redemption buyers --sample --today 2025-04-30 --format csv"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_sources(buyers, "the sample's order lines, which name buyers")
    buyers.add_argument("--buyer", help="show this buyer only")
    buyers.add_argument("--policy", type=Path, help="a TOML file of tier rules (see docs)")
    buyers.add_argument(
        "--shop", help="the seller whose per-shop ransom amount the policy's rules look at"
    )
    buyers.add_argument(
        "--weight",
        choices=["count", "price"],
        help="weigh the percentage by orders (count, the default) or by roubles (price)",
    )
    add_day_and_format(buyers)
    buyers.set_defaults(run=_buyers)
