"""The command line: ``redemption`` or ``python -m redemption``.

The one place that prints.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from datetime import date, datetime
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from redemption import __version__
from redemption._progress import ProgressBar
from redemption.calculators import RateReport, redemption_rate, redemption_rates
from redemption.dates import MOSCOW, local_day
from redemption.errors import BeyondHorizonWarning, InvalidArgumentError, RedemptionError
from redemption.history import History
from redemption.io import ImportReport, read_order_lines, read_reports
from redemption.io.files import formats_in_words
from redemption.io.reasons import reason_words_from_toml
from redemption.io.wb_api import TokenFileWarning, fetch_wildberries_statistics, read_token
from redemption.money import percent
from redemption.policy import BuyerStatus, Policy, buyer_statuses
from redemption.sample import (
    SAMPLE_SELLERS,
    SAMPLE_TODAY,
    sample_history,
    sample_lines_path,
)
from redemption.windows import Period

__all__ = ["main"]

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


_FIRST_DAY = date(100, 1, 1)
_LAST_DAY = date(9899, 12, 31)
"""The days a command takes: figures look years back and months on from them, which must
stay within the years 1 to 9999 that dates hold."""


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        msg = f"not a date (YYYY-MM-DD): {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if not _FIRST_DAY <= day <= _LAST_DAY:
        msg = f"{text!r} is out of range: give a day from {_FIRST_DAY} to {_LAST_DAY}"
        raise argparse.ArgumentTypeError(msg)
    return day


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        msg = f"not a date and time (YYYY-MM-DDTHH:MM:SS+03:00): {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if moment.utcoffset() is None:
        msg = f"{text!r} has no UTC offset: add one, such as +03:00 for Moscow"
        raise argparse.ArgumentTypeError(msg)
    if not _FIRST_DAY <= moment.date() <= _LAST_DAY:
        msg = f"{text!r} is out of range: give a time from {_FIRST_DAY} to {_LAST_DAY}"
        raise argparse.ArgumentTypeError(msg)
    return moment


def _period(text: str) -> Period:
    start, _, end = text.partition("..")
    try:
        return Period(_day(start), _day(end or start))
    except RedemptionError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _zone(text: str) -> ZoneInfo:
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder, as "Europe"
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


_SHOWN_PROBLEMS = 3


def _import_line(report: ImportReport) -> str:
    line = (
        f"read {report.rows_read} rows: {report.orders} orders, {report.sales} sales, "
        f"{report.returns} returns, {report.merged} merged, {len(report.skipped)} skipped"
    )
    if report.refused or report.conflicts or report.rounded:
        line += (
            f", {len(report.refused)} refused, {len(report.conflicts)} conflicts, "
            f"{report.rounded} prices rounded to the kopeck"
        )
    for title, problems in (("refused", report.refused), ("conflict", report.conflicts)):
        line += "".join(f"\n  {title}: {problem}" for problem in problems[:_SHOWN_PROBLEMS])
        if len(problems) > _SHOWN_PROBLEMS:
            line += f"\n  ... and {len(problems) - _SHOWN_PROBLEMS} more {title}s"
    unknown = report.unknown_reasons
    if unknown:
        shown = ", ".join(f"{word!r} ({count})" for word, count in unknown[:3])
        more = f" and {len(unknown) - 3} more" if len(unknown) > 3 else ""  # noqa: PLR2004
        line += (
            f"\n{len(unknown)} reasons no table knows, read as 'other': {shown}{more}; "
            "give them a category with --reasons FILE.toml"
        )
    return line


def _load(args: argparse.Namespace, sample: Callable[[], tuple[History, ImportReport]]) -> History:
    """Read the files named, or the sample, with a progress bar on a terminal."""
    if args.sample and args.files:
        msg = "give report files or --sample, not both"
        raise InvalidArgumentError(msg)
    if args.sample:
        history, imported = sample()
    elif not args.files:
        msg = "no report files given (name some, or use --sample)"
        raise InvalidArgumentError(msg)
    else:
        with ProgressBar(sys.stderr) as bar:
            history, imported = read_reports(
                args.files,
                seller_id=args.seller_id,
                as_of=args.as_of,
                reasons=None if args.reasons is None else reason_words_from_toml(args.reasons),
                errors=args.errors,
                progress=bar,
            )
    print(_import_line(imported), file=sys.stderr)
    return history


def _rate(args: argparse.Namespace) -> int:
    history = _load(args, sample_history)
    today = _today(args, history)
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
    history = _load(args, partial(read_order_lines, sample_lines_path()))
    today = _today(args, history)
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


def _fetch(args: argparse.Namespace) -> int:
    """Download the reports; each retry and each warning is one line on stderr.

    A failure raises (`main` prints it in one line, status 1); an interrupt says how to
    resume and gives status 130.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TokenFileWarning)
        token = read_token(args.token_file)
    for warning in caught:
        print(f"redemption: warning: {warning.message}", file=sys.stderr)
    both: tuple[Literal["orders", "sales"], ...] = ("orders", "sales")
    reports = both if args.report == "both" else (args.report,)
    for report in reports:
        try:
            result = fetch_wildberries_statistics(
                report,
                token=token,
                since=args.since,
                out=args.out,
                on_retry=lambda line: print(f"redemption: {line}", file=sys.stderr, flush=True),
            )
        except KeyboardInterrupt:
            print(
                f"redemption: interrupted; the pages saved stay in {args.out}: "
                "run the same command again to resume",
                file=sys.stderr,
            )
            return 130
        print(
            f"{report}: {result.pages} new pages, {result.rows} rows, {result.retries} retries; "
            f"{len(result.files)} pages in {args.out}"
        )
    return 0


def _add_sources(command: argparse.ArgumentParser, sample: str) -> None:
    command.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help=(
            "report files or folders of pages, each recognised by its content: "
            f"{formats_in_words()}"
        ),
    )
    command.add_argument("--sample", action="store_true", help=f"use {sample}")
    command.add_argument(
        "--seller-id", default="seller", help="the seller of reports that name none (seller)"
    )
    command.add_argument(
        "--as-of",
        type=_moment,
        metavar="TIME",
        help=(
            "when the files were downloaded, with its offset (2025-05-01T09:00:00+03:00): "
            "Ozon posting lists' statuses are as of then, and an order-lines CSV, which "
            "does not say, reaches that far"
        ),
    )
    command.add_argument(
        "--errors",
        choices=["collect", "raise"],
        default="collect",
        help=(
            "collect (the default): a bad row or a record that contradicts another is set "
            "aside, listed, and the figures are computed from the rest, as a messy export "
            "should not stop you; raise: stop at the first, naming its file and row"
        ),
    )
    command.add_argument(
        "--reasons",
        type=Path,
        metavar="FILE.toml",
        help=(
            'your own words for reasons, a [words] table of "words" = "category" '
            "(size_fit, quality_defect, ...), laid over the tables that ship"
        ),
    )


def _add_day_and_format(command: argparse.ArgumentParser) -> None:
    """The options of every figure: the day it is computed on, its zone, its output."""
    command.add_argument(
        "--today",
        type=_day,
        help=(
            "the day the figures are computed on (default: the last day the data reaches, "
            "in --tz; today's date where the files do not say)"
        ),
    )
    command.add_argument(
        "--force",
        action="store_true",
        help="compute as of a --today after the last day the data reaches",
    )
    command.add_argument(
        "--tz", type=_zone, default=MOSCOW, help="the zone of the calendar days (Europe/Moscow)"
    )
    command.add_argument("--format", choices=["table", "csv", "json"], default="table")


def _today(args: argparse.Namespace, history: History) -> date:
    """The day asked for, else the last day the data reaches, else today, in the zone.

    A day after the last the data reaches is refused unless forced: later events may be
    missing from it, so its figures would look complete and not be.
    """
    horizon = history.horizon
    reach = None if horizon is None else local_day(horizon, args.tz)
    if args.today is None:
        return reach or datetime.now(args.tz).date()
    if horizon is not None and reach is not None and args.today > reach:
        if not args.force:
            msg = (
                f"--today {args.today} is after {reach}, the last day the data reaches "
                f"({horizon.astimezone(args.tz).isoformat()}): later events may be "
                "missing; download the reports again, or add --force"
            )
            raise InvalidArgumentError(msg)
        print(f"warning: the data reaches only {reach}; figures may be missing", file=sys.stderr)
    today: date = args.today
    return today


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="redemption",
        description="Redemption rates and buyer figures for Wildberries and Ozon.",
    )
    parser.add_argument("--version", action="version", version=f"redemption {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
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
    _add_sources(rate, "the sample's Wildberries statistics reports")
    rate.add_argument(
        "--period",
        type=_period,
        required=True,
        metavar="START..END",
        help="the period, inclusive dates, e.g. 2025-04-01..2025-04-30",
    )
    rate.add_argument("--by", choices=["sku", "seller"], default="sku", help="group by")
    _add_day_and_format(rate)
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
    _add_sources(buyers, "the sample's order lines, which name buyers")
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
    _add_day_and_format(buyers)
    buyers.set_defaults(run=_buyers)
    fetch = commands.add_parser(
        "fetch",
        help="download Wildberries statistics reports, resuming where a download stopped",
        description=(
            "Download supplier/orders and supplier/sales from the Wildberries statistics API, "
            "one JSON file a page, paging by lastChangeDate; waits a minute between calls as "
            "the API asks, retries 429, 5xx and dropped connections (one line on stderr "
            "each), and never prints the token. Run it again to resume an interrupted "
            "download."
        ),
        epilog="example: redemption fetch --token-file ~/.wb-token --since 2025-01-01 --out wb/",
    )
    fetch.add_argument(
        "--token-file",
        type=Path,
        required=True,
        help="a file holding the token alone (chmod 600: only you may read it)",
    )
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
        with warnings.catch_warnings():
            # the command says itself when the data does not reach --today
            warnings.simplefilter("ignore", BeyondHorizonWarning)
            status: int = args.run(args)
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (RedemptionError, OSError) as error:
        print(f"redemption: error: {_one_line(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("redemption: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - no traceback reaches a user of the command
        print(
            f"redemption: internal error ({type(error).__name__}): {_one_line(error)}; "
            "please report it with the command you ran",
            file=sys.stderr,
        )
        return 1
    return status


def _one_line(error: BaseException) -> str:
    """An error's message on one line."""
    return " ".join(str(error).split("\n"))
