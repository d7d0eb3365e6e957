"""The seller programmes' commands: loyalty (Wildberries levels) and ozon-trust."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import partial
from pathlib import Path

from redemption.cli._common import (
    WINDOW_COLUMNS,
    Commands,
    add_day_and_format,
    add_sources,
    day,
    latest_day,
    load,
    notes,
    read_text,
    today_of,
    window_columns,
)
from redemption.cli._output import Cell, table_lines, write_csv, write_json
from redemption.errors import ArgumentTypeError, InvalidArgumentError, ProgrammeError
from redemption.io import read_order_lines
from redemption.loyalty import (
    BUILT_IN_INDICATORS,
    PRESETS,
    Gap,
    MeasuredByMonth,
    Month,
    MonthStanding,
    Programme,
    loyalty_timeline,
    parse_measured,
    parse_months,
    preset,
    programme_for,
)
from redemption.model import Seller
from redemption.money import percent
from redemption.ozon import Eligibility, RouteCheck, trusted_seller
from redemption.sample import sample_history, sample_lines_path

__all__ = ["add_commands", "add_programme_options", "measured_of", "programmes_of"]

_PERCENT = "%"
"""The unit of an indicator counted in percent."""


def _shown(value: object) -> str:
    """A value as a person reads it: an exact percentage to two places, else as it is."""
    if value is None:
        return "-"
    if isinstance(value, Fraction):  # already in percent
        return str(percent(value / 100))
    return str(value)


def _targets(text: str) -> tuple[str | None, Path]:
    """``FILE`` or ``PROGRAMME=FILE``."""
    name, sep, path = text.partition("=")
    if sep and name in PRESETS:
        return name, Path(path)
    return None, Path(text)


def _months(text: str) -> tuple[Month, ...]:
    try:
        return tuple(parse_months(text))
    except (InvalidArgumentError, ValueError) as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def programmes_of(args: argparse.Namespace, months: Sequence[Month]) -> list[Programme]:
    """The presets asked for (all by default), each filled with the targets given for it.

    A targets file without a programme's name fills the one programme that judges the
    months asked for; where two do, each file must say which it fills.
    """
    programmes = {name: preset(name) for name in (args.programme or PRESETS)}
    if len(programmes) == 1:  # the one chosen judges every month asked for
        judging = set(programmes)
    else:
        judging = {programme_for(month, list(programmes.values())).name for month in months}
    for given, path in args.targets:
        if given is None and len(judging) != 1:
            which = ", ".join(sorted(judging)) or "none of the programmes chosen"
            msg = (
                f"--targets {path}: the months are judged by {which}; say which this "
                f"file fills, as --targets PROGRAMME={path}"
            )
            raise InvalidArgumentError(msg)
        name = given or next(iter(judging))
        if name not in programmes:
            msg = f"--targets {name}={path}: {name} is not among the programmes chosen"
            raise InvalidArgumentError(msg)
        text = read_text(path, "--targets")
        try:
            programmes[name] = programmes[name].with_targets_toml(text)
        except ProgrammeError as error:
            msg = f"--targets {path}: {error}"
            raise ProgrammeError(
                msg, programme=error.programme, level=error.level, indicator=error.indicator
            ) from None
    return list(programmes.values())


def measured_of(args: argparse.Namespace) -> MeasuredByMonth | None:
    """The values of --measured, or none."""
    if args.measured is None:
        return None
    text = read_text(args.measured, "--measured")
    try:
        return parse_measured(text)
    except (InvalidArgumentError, ArgumentTypeError) as error:
        msg = f"--measured {args.measured}: {error}"
        raise InvalidArgumentError(msg) from None


def _state(standing: MonthStanding) -> str:
    if standing.final:
        return "final"
    return "forecast" + ("" if standing.published else f" (published {standing.published_on})")


def _gap_line(gap: Gap) -> str:
    line = f"    {gap.key:<28} {_shown(gap.value):>10}  target {gap.target}"
    if gap.by is not None:
        line += f", short by {_shown(gap.by)}"
    if isinstance(gap.sales_needed, int):
        line += f"; had {gap.sales_needed} more of the month's counted orders been bought"
    elif gap.sales_needed is not None:
        line += f"; {gap.sales_needed}"
    return line


def _loyalty_table(standings: Sequence[MonthStanding], today: date, zone: str) -> list[str]:
    lines = [f"Loyalty standing as of {today} ({zone})"]
    lines += table_lines(
        ["month", "programme", "level", "rewards in", "state"],
        (
            [str(s.month), s.programme.name, s.result.status, str(s.rewards_month), _state(s)]
            for s in standings
        ),
        "<<<<<",
    )
    last = standings[-1]
    result = last.result
    lines += ["", f"{last.month} indicators ({last.programme.name}):"]
    lines += table_lines(
        ["indicator", "value"],
        ([key, _shown(value)] for key, value in sorted(last.indicators.values.items())),
        "<>",
    )
    lines.append("")
    if result.next_level is None:
        lines.append(f"{last.month}: the top level; nothing is missing")
    else:
        lines.append(
            f"To reach {result.next_level.key} in {last.month}: {result.still_needed} more of "
            f"its {len(result.next_checks)} targets to meet"
        )
        lines += [_gap_line(gap) for gap in result.missing]
    return lines


def _in_units(standing: MonthStanding) -> Callable[[str, object], Cell]:
    """How a month's indicator values are written: a percentage as a fraction of 1.

    Every rate and share the command line writes is a fraction of 1; the programmes count
    theirs in percent (``unit = "%"``), as their targets do.
    """
    units = {i.key: i.unit for i in (*BUILT_IN_INDICATORS.values(), *standing.programme.indicators)}

    def written(key: str, value: object) -> Cell:
        if value is None:
            return None
        if units.get(key) == _PERCENT and isinstance(value, Fraction | Decimal | int):
            return Fraction(value) / 100
        if isinstance(value, Fraction | Decimal | int):
            return value
        return str(value)

    return written


_STANDING_COLUMNS = (
    "month",
    "programme",
    "level",
    "granted",
    "status",
    "rewards_month",
    "published_on",
    "published",
    "final",
    "complete",
    "next_level",
    "still_needed",
    *WINDOW_COLUMNS,
)
"""The columns of a month's row, before its indicators'."""


def _standing_row(standing: MonthStanding) -> dict[str, Cell]:
    result = standing.result
    return {
        "month": str(standing.month),
        "programme": standing.programme.name,
        "level": None if result.level is None else result.level.key,
        "granted": None if result.granted is None else result.granted.key,
        "status": result.status,
        "rewards_month": str(standing.rewards_month),
        "published_on": standing.published_on,
        "published": standing.published,
        "final": standing.final,
        "complete": standing.indicators.complete,
        "next_level": None if result.next_level is None else result.next_level.key,
        "still_needed": result.still_needed,
        **window_columns(standing.indicators.report.window),
    }


def _loyalty_document(
    standings: Sequence[MonthStanding], today: date, zone: str
) -> dict[str, object]:
    months = []
    for standing in standings:
        written = _in_units(standing)
        row: dict[str, object] = dict(_standing_row(standing))
        row["indicators"] = {
            key: written(key, v) for key, v in sorted(standing.indicators.values.items())
        }
        row["missing"] = [
            {
                "indicator": gap.key,
                "value": written(gap.key, gap.value),
                "target": written(gap.key, gap.target),
                "short_by": written(gap.key, gap.by),
                "sales_needed": gap.sales_needed,
            }
            for gap in standing.result.missing
        ]
        months.append(row)
    return {"today": today, "tz": zone, "months": months}


def _loyalty(args: argparse.Namespace) -> int:
    last = args.months[-1]
    latest, words = latest_day(args)
    if last.first > latest:
        msg = f"--months {args.months[0]}..{last}: {last} begins after {words}"
        raise InvalidArgumentError(msg)
    programmes = programmes_of(args, args.months)
    measured = measured_of(args)
    history, imported = load(args, sample_history)
    today = today_of(args, history)
    standings = loyalty_timeline(
        history,
        programmes[0] if len(programmes) == 1 else programmes,
        months=args.months,
        today=today,
        measured=measured,
        tz=args.tz,
    )
    if args.format == "json":
        write_json(_loyalty_document(standings, today, args.tz.key) | notes(imported))
    elif args.format == "csv":
        keys = sorted({key for s in standings for key in s.indicators.values})
        rows = []
        for standing in standings:
            written = _in_units(standing)
            values = standing.indicators.values
            rows.append(_standing_row(standing) | {k: written(k, values.get(k)) for k in keys})
        write_csv(rows, (*_STANDING_COLUMNS, *keys))
    else:
        print("\n".join(_loyalty_table(standings, today, args.tz.key)))
    return 0


def _flag(text: str) -> bool:
    if text in {"yes", "no"}:
        return text == "yes"
    msg = f"expected yes or no, not {text!r}"
    raise argparse.ArgumentTypeError(msg)


def _holds(check: RouteCheck) -> str:
    return "unknown" if check.holds is None else "yes" if check.holds else "no"


def _eligibility_document(result: Eligibility) -> dict[str, object]:
    return {
        "seller_id": result.seller_id,
        "today": result.today,
        "trusted": result.trusted,
        "routes": [route.value for route in result.routes],
        "checks": [
            {"route": c.route.value, "holds": c.holds, "reason": c.reason} for c in result.checks
        ],
        "first_day": result.first_day,
        "days_on_platform": result.days_on_platform,
        "days_left": result.days_left,
        "unique_buyers": result.unique_buyers,
        "buyers_needed": result.buyers_needed,
        "unidentified_sales": result.unidentified_sales,
        "returned_sales": result.returned_sales,
        "unknown": list(result.unknown),
    }


def _ozon_trust(args: argparse.Namespace) -> int:
    seller = Seller(
        seller_id=args.seller_id,
        registered_on=args.registered_on,
        contract_e_signed=args.e_signed,
        ozon_bank_payouts=args.ozon_bank,
    )
    history, imported = load(args, partial(read_order_lines, sample_lines_path()))
    sellers = {order.seller_id for order in history.orders}
    if sellers and seller.seller_id not in sellers:
        named = ", ".join(sorted(sellers)[:5]) + (", ..." if len(sellers) > 5 else "")  # noqa: PLR2004
        msg = (
            f"seller {seller.seller_id!r} has no order in these reports, which name {named}: "
            "give the seller with --seller-id"
        )
        raise InvalidArgumentError(msg)
    today = today_of(args, history)
    result = trusted_seller(seller, history=history, today=today, tz=args.tz)
    if args.format == "json":
        write_json(_eligibility_document(result) | notes(imported))
    elif args.format == "csv":
        routes: list[dict[str, Cell]] = [
            {
                "seller_id": result.seller_id,
                "today": result.today,
                "route": c.route.value,
                "holds": c.holds,
                "reason": c.reason,
            }
            for c in result.checks
        ]
        write_csv(routes, ("seller_id", "today", "route", "holds", "reason"))
    else:
        print(result.describe())
        checks = [[c.route.value, _holds(c), c.reason] for c in result.checks]
        print("\n".join(table_lines(["way", "holds", "why"], checks, "<<<")))
    return 0


def add_programme_options(command: argparse.ArgumentParser) -> None:
    """The options of a loyalty standing: the programmes, their targets, values measured."""
    command.add_argument(
        "--programme",
        action="append",
        choices=PRESETS,
        help="the programme to judge by; give it twice for both (default: both, by date)",
    )
    command.add_argument(
        "--targets",
        type=_targets,
        action="append",
        default=[],
        metavar="[PROGRAMME=]FILE.toml",
        help=(
            "your targets for a programme's levels (see the docs); name the programme when "
            "the months span both"
        ),
    )
    command.add_argument(
        "--measured",
        type=Path,
        metavar="FILE.toml",
        help='values you measured, a table per month: ["2025-05"] rating = 4.8',
    )


def add_commands(commands: Commands) -> None:
    """Add loyalty and ozon-trust to the command line."""
    loyalty = commands.add_parser(
        "loyalty",
        help="the Wildberries seller loyalty level, month by month, and what the next needs",
        description=(
            "The seller's Wildberries loyalty level in each month: the indicators computed "
            "from the reports (redemption rate, cancellation, refusal and return shares, "
            "orders, units sold, revenue) and those you measured, against the targets you "
            "give (Wildberries publishes none), with the month the rewards apply and whether "
            "the month is final or a forecast; then what the last month lacks for the next "
            "level. Months before December 2025 are judged by wb-2024, later ones by "
            "wb-2025-12.\n"
            "In csv and json, the indicators counted in percent (redemption_rate, the *_share "
            "ones), their targets and gaps are fractions of 1, as every rate the command line "
            "writes; revenue is roubles."
        ),
        epilog=(
            "example: redemption loyalty orders.json sales.json --months 2025-01..2025-06 "
            "--targets targets.toml --measured measured.toml\n"
            "         redemption loyalty --sample --months 2025-03..2025-04 "
            "--programme wb-2024 --targets targets.toml --format json"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_sources(loyalty, "the sample's Wildberries statistics reports")
    loyalty.add_argument(
        "--months",
        type=_months,
        required=True,
        metavar="FIRST..LAST",
        help="the calendar months, e.g. 2025-01..2025-06 (or one month, 2025-05)",
    )
    add_programme_options(loyalty)
    add_day_and_format(loyalty)
    loyalty.set_defaults(run=_loyalty)
    trust = commands.add_parser(
        "ozon-trust",
        help="whether the seller is an Ozon trusted seller, and what each way lacks",
        description=(
            "Whether the seller is an Ozon trusted seller: any one of three ways suffices "
            "(the contract verified with an electronic signature; more than 60 days on the "
            "platform and sales to 10 unique buyers, counted from the reports; payouts to "
            "an Ozon Bank account). What is not given is unknown, and said so."
        ),
        epilog=(
            "example: redemption ozon-trust postings.json --as-of 2025-05-01T09:00:00+03:00 "
            "--seller-id shop --registered-on 2025-02-20 --e-signed no --ozon-bank no"
        ),
    )
    add_sources(trust, "the sample's order lines, which name buyers")
    trust.add_argument(
        "--registered-on", type=day, metavar="DAY", help="the day the seller registered"
    )
    trust.add_argument(
        "--e-signed",
        type=_flag,
        metavar="yes|no",
        help="whether the contract is verified with an electronic signature",
    )
    trust.add_argument(
        "--ozon-bank",
        type=_flag,
        metavar="yes|no",
        help="whether payouts go to an Ozon Bank account",
    )
    add_day_and_format(trust)
    trust.set_defaults(run=_ozon_trust)
