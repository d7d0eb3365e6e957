"""What the commands share: reading the files named, the day of a figure, argument types.

The one home of the options every figure takes (`add_sources`, `add_day_and_format`), of
the one line an import prints (`import_line`), and of the rule for the day a figure is
computed on (`today_of`).
"""

from __future__ import annotations

import argparse
import calendar
import os
import re
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from redemption._progress import ProgressBar
from redemption.cli._output import Cell
from redemption.dates import MOSCOW, local_day
from redemption.errors import InvalidArgumentError, PolicyError, RedemptionError
from redemption.history import History
from redemption.io import ImportReport, read_reports
from redemption.io.files import formats_in_words
from redemption.money import percent
from redemption.policy import Policy
from redemption.reasons import reason_words_from_toml
from redemption.windows import Period, RedemptionWindow

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"  # noqa: SLF001 - typeshed names it so
"""Where a command module adds its commands (`add_commands`)."""

_FIRST_DAY = date(100, 1, 1)
_LAST_DAY = date(9899, 12, 31)
"""The days a command takes: figures look years back and months on from them, which must
stay within the years 1 to 9999 that dates hold."""


def _within(day: date, text: str) -> date:
    if not _FIRST_DAY <= day <= _LAST_DAY:
        msg = f"{text!r} is out of range: give a day from {_FIRST_DAY} to {_LAST_DAY}"
        raise argparse.ArgumentTypeError(msg)
    return day


def day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        msg = f"not a date (YYYY-MM-DD): {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    return _within(day, text)


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


_MONTH = re.compile(r"(\d{4})-(\d{2})")
_WEEK = re.compile(r"(\d{4})-?[Ww](\d{2})")


def _days_of(text: str) -> tuple[date, date]:
    """The first and last day of a day, a month (``2025-04``) or an ISO week (``2025-W14``)."""
    try:
        if month := _MONTH.fullmatch(text):
            year, number = int(month[1]), int(month[2])
            first = date(year, number, 1)
            last = date(year, number, calendar.monthrange(year, number)[1])
        elif week := _WEEK.fullmatch(text):
            first = date.fromisocalendar(int(week[1]), int(week[2]), 1)
            last = first + timedelta(days=6)
        else:
            return day(text), day(text)
    except ValueError:
        msg = f"no such month or ISO week: {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    return _within(first, text), _within(last, text)


def period(text: str) -> Period:
    """A period: ``START..END`` or one of them alone, each a day, a month or an ISO week.

    A month or a week stands for its days: ``2025-04`` is 1-30 April, ``2025-W14`` is
    Monday 31 March to Sunday 6 April 2025, ``2025-01..2025-03`` the first quarter.

    Example:
        >>> str(period("2025-W14")), str(period("2025-01..2025-03"))
        ('2025-03-31..2025-04-06', '2025-01-01..2025-03-31')
    """
    start, _, end = text.partition("..")
    try:
        return Period(_days_of(start)[0], _days_of(end or start)[1])
    except RedemptionError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


PERIOD_HELP = (
    "the period, inclusive days: START..END (2025-04-01..2025-04-30), a month (2025-04), "
    "an ISO week (2025-W14), a day, or a range of months or weeks (2025-01..2025-03)"
)


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
    line += "".join(f"\n  assumed: {note}" for note in report.notes)
    return line


def readable(path: Path, flag: str | None = None) -> Path:
    """`path`, if it is there and may be read; else an error naming it (and its option).

    Checked before anything is read, so that a mistyped name costs no wait for the files
    before it.
    """
    where = str(path) if flag is None else f"{flag} {path}"
    if not path.exists():
        msg = f"{where}: no such file or folder"
        raise InvalidArgumentError(msg)
    if not os.access(path, os.R_OK):
        msg = f"{where}: not allowed to read it"
        raise InvalidArgumentError(msg)
    return path


def read_text(path: Path, flag: str) -> str:
    """The text of the file an option names; an error naming the option and the file."""
    try:
        return readable(path, flag).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        msg = f"{flag} {path}: not UTF-8 text"
        raise InvalidArgumentError(msg) from None
    except OSError as error:  # a folder, or a file gone since it was checked
        msg = f"{flag} {path}: {error.strerror or error}"
        raise InvalidArgumentError(msg) from None


def latest_day(args: argparse.Namespace) -> tuple[date, str]:
    """The last day the figures can be computed on, known before any file is read, in words.

    That day is --today; without it, today's date in --tz by the clock, as no data reaches
    a day still to come.
    """
    if args.today is not None:
        today: date = args.today
        return today, f"--today {today}"
    now = datetime.now(args.tz).date()
    return now, f"today ({now} in {args.tz.key})"


def check_ends(args: argparse.Namespace, end: date, what: str) -> None:
    """Refuse, before any file is read, what ends after the day the figures are computed on.

    Raises:
        InvalidArgumentError: `end` is after `latest_day`; the message begins with `what`.
    """
    latest, words = latest_day(args)
    if end > latest:
        msg = f"{what} ends on {end}, after {words}"
        raise InvalidArgumentError(msg)


def window_columns(window: RedemptionWindow) -> dict[str, Cell]:
    """The orders and sales windows as columns: their first and last days."""
    return {
        "orders_first": window.orders.first,
        "orders_last": window.orders.last,
        "sales_first": window.sales.first,
        "sales_last": window.sales.last,
    }


WINDOW_COLUMNS = ("orders_first", "orders_last", "sales_first", "sales_last")
"""The names `window_columns` gives, in order."""


def load(
    args: argparse.Namespace, sample: Callable[[], tuple[History, ImportReport]]
) -> tuple[History, ImportReport]:
    """Read the files named, or the sample, with a progress bar on a terminal.

    Times the files write without a UTC offset are in --tz, and prices of order lines in
    --price-unit. The import's line (`import_line`, with what it assumed) goes to stderr;
    the report is returned too, for a JSON document's ``notes`` (`notes`).
    """
    if args.sample and args.files:
        msg = "give report files or --sample, not both"
        raise InvalidArgumentError(msg)
    if args.reasons is not None:
        readable(args.reasons, "--reasons")
    if args.sample:
        history, imported = sample()
    elif not args.files:
        msg = "no report files given (name some, or use --sample)"
        raise InvalidArgumentError(msg)
    else:
        for path in args.files:
            readable(path)
        reasons = None if args.reasons is None else reason_words_from_toml(args.reasons)
        with ProgressBar(sys.stderr) as bar:
            history, imported = read_reports(
                args.files,
                seller_id=args.seller_id,
                as_of=args.as_of,
                reasons=reasons,
                errors=args.errors,
                progress=bar,
                tz=args.tz,
                price_unit=args.price_unit,
            )
    print(import_line(imported), file=sys.stderr)
    return history, imported


def read_policy(path: Path, *, shop: str | None) -> Policy:
    """The buyer policy of a --policy TOML file; an error in it names the file.

    A policy with ``shop_ransom`` rules needs the shop they look at (--shop), and is
    refused without one before any report is read.
    """
    try:
        policy = Policy.from_toml(read_text(path, "--policy"))
    except PolicyError as error:
        msg = f"--policy {path}: {error}"
        raise PolicyError(msg) from None
    if "shop_ransom" in policy.figures and shop is None:
        msg = (
            f"--policy {path} has shop_ransom rules, which look at the ransom amount with one "
            "shop: give the shop's seller id with --shop"
        )
        raise InvalidArgumentError(msg)
    return policy


def add_shop(command: argparse.ArgumentParser) -> None:
    """--shop: the seller whose per-shop ransom amount a policy's shop_ransom rules read."""
    command.add_argument(
        "--shop",
        metavar="SELLER_ID",
        help=(
            "the seller whose per-shop ransom amount (column shop_ransom, roubles) the "
            "policy's shop_ransom rules look at; they need it"
        ),
    )


def notes(imported: ImportReport) -> dict[str, object]:
    """What the import assumed, as a JSON document's ``notes`` (CSV leaves them to stderr)."""
    return {"notes": list(imported.notes)}


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
        "--price-unit",
        choices=["kopecks", "roubles"],
        help=(
            "the unit of an order-lines CSV's money columns named plainly (price, "
            "delivery_cost, return_cost): kopecks (the default) or roubles; a column named "
            "..._kopecks or ..._rub says its own"
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


def add_day(command: argparse.ArgumentParser) -> None:
    """The day figures are computed on (--today, --force) and the zone of its days (--tz)."""
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
        "--tz",
        type=zone,
        default=MOSCOW,
        help=(
            "the zone of the calendar days, and of the times an order-lines CSV writes "
            "without a UTC offset (Europe/Moscow)"
        ),
    )


def add_day_and_format(command: argparse.ArgumentParser) -> None:
    """The options of every figure: the day it is computed on, its zone, its output."""
    add_day(command)
    command.add_argument(
        "--format",
        choices=["table", "csv", "json"],
        default="table",
        help=(
            "table (the default: to read), csv (a header, then one row per group or bucket; "
            "no total row, so the groups add up) or json; csv and json use the column names "
            "of redemption.frames: counts are integers, rates and shares fractions of 1 "
            "(0.75, not 75%%), money in roubles (1520.50; frames' *_kopecks columns "
            "without the suffix), days ISO dates, complete true or false"
        ),
    )


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
