"""What the commands share: reading the files named, the day of a figure, argument types.

The one home of the options every figure takes (`add_sources`, `add_day_and_format`), of
the one line an import prints (`import_line`), and of the rule for the day a figure is
computed on (`today_of`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from redemption._progress import ProgressBar
from redemption.dates import MOSCOW, local_day
from redemption.errors import InvalidArgumentError, RedemptionError
from redemption.history import History
from redemption.io import ImportReport, read_reports
from redemption.io.files import formats_in_words
from redemption.io.reasons import reason_words_from_toml
from redemption.money import percent
from redemption.windows import Period

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"  # noqa: SLF001 - typeshed names it so
"""Where a command module adds its commands (`add_commands`)."""

_FIRST_DAY = date(100, 1, 1)
_LAST_DAY = date(9899, 12, 31)
"""The days a command takes: figures look years back and months on from them, which must
stay within the years 1 to 9999 that dates hold."""


def day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        msg = f"not a date (YYYY-MM-DD): {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if not _FIRST_DAY <= day <= _LAST_DAY:
        msg = f"{text!r} is out of range: give a day from {_FIRST_DAY} to {_LAST_DAY}"
        raise argparse.ArgumentTypeError(msg)
    return day


def moment(text: str) -> datetime:
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


def period(text: str) -> Period:
    start, _, end = text.partition("..")
    try:
        return Period(day(start), day(end or start))
    except RedemptionError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def zone(text: str) -> ZoneInfo:
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder, as "Europe"
        msg = f"unknown time zone: {text!r}"
        raise argparse.ArgumentTypeError(msg) from None


def percent_text(value: Fraction | None) -> str:
    """A rate as a percentage with two places, or "-" without one."""
    return "-" if value is None else f"{percent(value)}%"


_SHOWN_PROBLEMS = 3


def import_line(report: ImportReport) -> str:
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


def load(args: argparse.Namespace, sample: Callable[[], tuple[History, ImportReport]]) -> History:
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
    print(import_line(imported), file=sys.stderr)
    return history


def add_sources(command: argparse.ArgumentParser, sample: str) -> None:
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
        type=moment,
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


def add_day_and_format(command: argparse.ArgumentParser) -> None:
    """The options of every figure: the day it is computed on, its zone, its output."""
    command.add_argument(
        "--today",
        type=day,
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
        "--tz", type=zone, default=MOSCOW, help="the zone of the calendar days (Europe/Moscow)"
    )
    command.add_argument("--format", choices=["table", "csv", "json"], default="table")


def today_of(args: argparse.Namespace, history: History) -> date:
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
