"""The report command: one HTML page of a period's rate and what is behind it."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

from redemption.cli._common import (
    PERIOD_HELP,
    Commands,
    add_day,
    add_shop,
    add_sources,
    check_ends,
    load,
    period,
    read_policy,
    today_of,
)
from redemption.cli._programmes import add_programme_options, measured_of, programmes_of
from redemption.errors import InvalidArgumentError
from redemption.html import html_report
from redemption.io import read_order_lines
from redemption.loyalty import Month
from redemption.sample import sample_lines_path

__all__ = ["add_commands"]


def _count(text: str) -> int:
    """A whole number of 0 or more, for --buyers and --min-orders."""
    try:
        value = int(text)
    except ValueError:
        msg = f"not a whole number: {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if value < 0:
        msg = f"must be 0 or more, not {value}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _report(args: argparse.Namespace) -> int:
    check_ends(args, args.period.end, f"--period {args.period}")
    if args.out.suffix.lower() not in {".html", ".htm"}:
        msg = f"--out {args.out}: the page is HTML; name a .html file"
        raise InvalidArgumentError(msg)
    if args.out.is_dir():
        msg = f"--out {args.out}: a folder; name the page's file"
        raise InvalidArgumentError(msg)
    if not args.out.parent.is_dir():
        msg = f"--out {args.out}: no folder {args.out.parent}"
        raise InvalidArgumentError(msg)
    policy = None if args.policy is None else read_policy(args.policy, shop=args.shop)
    loyalty = args.programme is not None or bool(args.targets) or args.measured is not None
    first, last = Month.of(args.period.start), Month.of(args.period.end)
    months = [first + i for i in range(last - first + 1)]
    programmes = programmes_of(args, months) if loyalty else None
    measured = measured_of(args)
    history, imported = load(args, partial(read_order_lines, sample_lines_path()))
    today = today_of(args, history)
    page = html_report(
        history,
        args.period,
        today=today,
        tz=args.tz,
        title=args.title,
        imported=imported,
        policy=policy,
        seller_id=args.shop,
        programme=(
            None if programmes is None else programmes[0] if len(programmes) == 1 else programmes
        ),
        measured=measured,
        buyers=args.buyers,
        min_orders=args.min_orders,
    )
    args.out.write_text(page, encoding="utf-8")
    print(f"wrote {args.out} ({len(page.encode()) // 1024} KB)", file=sys.stderr)
    return 0


def add_commands(commands: Commands) -> None:
    """Add report to the command line."""
    report = commands.add_parser(
        "report",
        help="one HTML page of a period's rate, SKUs, trend, refusals, buyers and loyalty",
        description=(
            "Write one self-contained HTML page (it opens from the file, with no network): "
            "the period's redemption rate with its interval and completeness, every SKU's "
            "figures in a sortable table, the rate over time with its interval band, the "
            "orders not redeemed by reason with their logistics, the buyers with the lowest "
            "and highest redemption percentages (with their tiers under --policy), and the "
            "loyalty standing of the period's months when --programme, --targets or "
            "--measured is given. "
            "Needs the report extra: pip install 'redemption[report]'."
        ),
        epilog=(
            "example: redemption report orders.json sales.json "
            "--period 2025-04-01..2025-04-30 --out report.html\n"
            "         redemption report --sample --period 2025-04-01..2025-04-15 "
            "--today 2025-04-30 --out report.html"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_sources(report, "the sample's order lines (each naming its buyer)")
    report.add_argument("--period", type=period, required=True, help=PERIOD_HELP)
    report.add_argument(
        "--out", type=Path, required=True, metavar="FILE.html", help="the page to write"
    )
    report.add_argument("--title", help="the page's heading (Redemption report)")
    report.add_argument(
        "--policy", type=Path, metavar="FILE.toml", help="a buyer policy: the buyers' tiers"
    )
    add_shop(report)
    report.add_argument(
        "--buyers",
        type=_count,
        default=10,
        metavar="N",
        help="how many buyers to show at each edge (10)",
    )
    report.add_argument(
        "--min-orders",
        type=_count,
        default=5,
        metavar="N",
        help="the fewest orders a buyer must have placed to be shown (5)",
    )
    add_programme_options(report)
    add_day(report)
    report.set_defaults(run=_report)
