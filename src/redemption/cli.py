"""The command line: ``redemption`` or ``python -m redemption``.

The one place that prints.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from redemption import __version__
from redemption.calculators import RateReport, redemption_rate, redemption_rates
from redemption.dates import MOSCOW
from redemption.errors import RedemptionError
from redemption.io import ImportReport, read_wildberries_statistics
from redemption.io.wb_api import fetch_statistics
from redemption.money import percent
from redemption.sample import SAMPLE_SELLERS, SAMPLE_TODAY, sample_history
from redemption.windows import Period

__all__ = ["main"]

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


def _percent(value: Fraction | None) -> str:
    return "-" if value is None else f"{percent(value)}%"


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
            f"  redemption rate {_percent(report.rate)}, "
            f"with returns {_percent(report.rate_with_returns)}"
        ),
    ]


def _group_table(reports: dict[str, RateReport], title: str) -> list[str]:
    header = (
        f"  {title:<12} {'orders':>7} {'sales':>6} {'returns':>8} {'transit':>8} "
        f"{'rate':>8} {'w/ returns':>11}"
    )
    rows = [
        f"  {group:<12} {r.orders:>7} {r.sales:>6} {r.returns:>8} {r.in_transit:>8} "
        f"{_percent(r.rate):>8} {_percent(r.rate_with_returns):>11}"
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
    print(f"  {_import_line(imported)}")
    print(f"  {history!r}")
    for title, period, today in _DEMO_CASES:
        print()
        print(f"Period {period}, today {today}: {title}")
        print("\n".join(_report_lines(redemption_rate(history, period, today=today))))
        print()
        by_sku = redemption_rates(history, period, today=today, by="sku")
        print("\n".join(_group_table(by_sku, "sku")))
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        msg = f"not a date (YYYY-MM-DD): {text!r}"
        raise argparse.ArgumentTypeError(msg) from None


def _period(text: str) -> Period:
    start, _, end = text.partition("..")
    try:
        return Period(_day(start), _day(end or start))
    except RedemptionError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _zone(text: str) -> ZoneInfo:
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"unknown time zone: {text!r}"
        raise argparse.ArgumentTypeError(msg) from None


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


def _import_line(report: ImportReport) -> str:
    return (
        f"read {report.rows_read} rows: {report.orders} orders, {report.sales} sales, "
        f"{report.returns} returns, {report.merged} merged, {len(report.skipped)} skipped"
    )


def _rate(args: argparse.Namespace) -> int:
    today: date = args.today or datetime.now(args.tz).date()
    history, imported = read_wildberries_statistics(
        orders=args.orders, sales=args.sales, seller_id=args.seller_id
    )
    print(_import_line(imported), file=sys.stderr)
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


def _fetch(args: argparse.Namespace) -> int:
    token = args.token_file.read_text(encoding="utf-8").strip()
    if not token:
        print(f"redemption: error: {args.token_file} holds no token", file=sys.stderr)
        return 1
    both: tuple[Literal["orders", "sales"], ...] = ("orders", "sales")
    reports = both if args.report == "both" else (args.report,)
    for report in reports:
        result = fetch_statistics(report, token=token, since=args.since, out=args.out)
        print(
            f"{report}: {result.pages} new pages, {result.rows} rows, {result.retries} retries; "
            f"{len(result.files)} pages in {args.out}"
        )
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="redemption",
        description="Redemption rates and buyer figures for Wildberries and Ozon.",
    )
    parser.add_argument("--version", action="version", version=f"redemption {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="show the redemption windows and rates of the bundled sample reports",
        description=(
            "Show the seller's redemption rate by the marketplace's 30-day window method "
            "on the bundled sample of Wildberries reports, for the seed's two worked examples."
        ),
        epilog="example: redemption demo",
    )
    demo.set_defaults(run=_demo)
    rate = commands.add_parser(
        "rate",
        help="the seller's redemption rate from Wildberries statistics reports",
        description=(
            "The seller's redemption rate by the marketplace's 30-day window method, in "
            "total and per SKU or seller, from supplier/orders and supplier/sales JSON."
        ),
        epilog=(
            "example: redemption rate --orders orders.json --sales sales.json "
            "--period 2025-04-01..2025-04-30 --today 2025-05-31 --format csv"
        ),
    )
    rate.add_argument("--orders", type=Path, required=True, help="supplier/orders JSON file")
    rate.add_argument("--sales", type=Path, help="supplier/sales JSON file")
    rate.add_argument(
        "--period",
        type=_period,
        required=True,
        metavar="START..END",
        help="the period, inclusive dates, e.g. 2025-04-01..2025-04-30",
    )
    rate.add_argument(
        "--today",
        type=_day,
        help="the day the figures are computed on (default: today in --tz)",
    )
    rate.add_argument("--by", choices=["sku", "seller"], default="sku", help="group by")
    rate.add_argument("--format", choices=["table", "csv", "json"], default="table")
    rate.add_argument(
        "--tz", type=_zone, default=MOSCOW, help="the zone of the calendar days (Europe/Moscow)"
    )
    rate.add_argument(
        "--seller-id", default="seller", help="the seller the reports belong to (seller)"
    )
    rate.set_defaults(run=_rate)
    fetch = commands.add_parser(
        "fetch",
        help="download Wildberries statistics reports, resuming where a download stopped",
        description=(
            "Download supplier/orders and supplier/sales from the Wildberries statistics API, "
            "one JSON file a page, paging by lastChangeDate; waits a minute between calls as "
            "the API asks, retries 429, 5xx and dropped connections, and never prints the token."
        ),
        epilog="example: redemption fetch --token-file ~/.wb-token --since 2025-01-01 --out wb/",
    )
    fetch.add_argument("--token-file", type=Path, required=True, help="a file holding the token")
    fetch.add_argument("--since", type=_day, required=True, help="first lastChangeDate wanted")
    fetch.add_argument("--out", type=Path, required=True, help="the folder for the pages")
    fetch.add_argument("--report", choices=["orders", "sales", "both"], default="both")
    fetch.set_defaults(run=_fetch)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: the process's arguments).

    Returns:
        The exit status.
    """
    args = _parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (RedemptionError, OSError) as error:
        print(f"redemption: error: {error}", file=sys.stderr)
        return 1
    return status
