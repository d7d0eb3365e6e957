"""The command line: ``redemption`` or ``python -m redemption``.

The one place that prints.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from fractions import Fraction

from redemption import __version__
from redemption.calculators import RateReport, redemption_rate, redemption_rates
from redemption.examples import EXAMPLE_TODAY, example_history
from redemption.money import percent
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
        EXAMPLE_TODAY,
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
    history = example_history()
    skus = {order.sku for order in history.orders}
    sellers = {order.seller_id for order in history.orders}
    print(
        f"redemption {__version__}: an example history of {len(history.orders)} orders "
        f"({len(skus)} SKUs, {len(sellers)} sellers), known up to {EXAMPLE_TODAY}"
    )
    print(f"  {history!r}")
    for title, period, today in _DEMO_CASES:
        print()
        print(f"Period {period}, today {today}: {title}")
        print("\n".join(_report_lines(redemption_rate(history, period, today=today))))
        print()
        by_sku = redemption_rates(history, period, today=today, by="sku")
        print("\n".join(_group_table(by_sku, "sku")))
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
        help="show the redemption windows and rates of a small bundled example history",
        description=(
            "Show the seller's redemption rate by the marketplace's 30-day window method "
            "on a small bundled example history, for the seed's two worked examples."
        ),
        epilog="example: redemption demo",
    )
    demo.set_defaults(run=_demo)
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
    return status
