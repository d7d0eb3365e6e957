"""The seller programmes' commands: loyalty (Wildberries levels) and ozon-trust."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any

from redemption.cli._common import (
    Commands,
    add_day_and_format,
    add_sources,
    day,
    load,
    today_of,
)
from redemption.errors import InvalidArgumentError
from redemption.io import read_order_lines
from redemption.loyalty import (
    PRESETS,
    Gap,
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

__all__ = ["add_commands"]


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


def _programmes(args: argparse.Namespace) -> list[Programme]:
    """The presets asked for (all by default), each filled with the targets given for it.

    A targets file without a programme's name fills the one programme that judges the
    months asked for; where two do, each file must say which it fills.
    """
    programmes = {name: preset(name) for name in (args.programme or PRESETS)}
    if len(programmes) == 1:  # the one chosen judges every month asked for
        judging = set(programmes)
    else:
        judging = {programme_for(month, list(programmes.values())).name for month in args.months}
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
        programmes[name] = programmes[name].with_targets_toml(path.read_text(encoding="utf-8"))
    return list(programmes.values())


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
    lines = [
        f"Loyalty standing as of {today} ({zone})",
        f"  {'month':<8} {'programme':<11} {'level':<32} {'rewards in':<10}  state",
    ]
    lines += [
        f"  {s.month!s:<8} {s.programme.name:<11} {s.result.status:<32} "
        f"{s.rewards_month!s:<10}  {_state(s)}"
        for s in standings
    ]
    last = standings[-1]
    result = last.result
    lines += ["", f"{last.month} indicators ({last.programme.name}):"]
    lines += [
        f"  {key:<30} {_shown(value):>10}" for key, value in sorted(last.indicators.values.items())
    ]
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


def _standing_row(standing: MonthStanding) -> dict[str, Any]:
    result = standing.result
    return {
        "month": str(standing.month),
        "programme": standing.programme.name,
        "level": None if result.level is None else result.level.key,
        "granted": None if result.granted is None else result.granted.key,
        "status": result.status,
        "rewards_month": str(standing.rewards_month),
        "published_on": standing.published_on.isoformat(),
        "final": standing.final,
        "next_level": None if result.next_level is None else result.next_level.key,
        "still_needed": result.still_needed,
    }


def _loyalty_document(standings: Sequence[MonthStanding], today: date) -> dict[str, Any]:
    months = []
    for standing in standings:
        row = _standing_row(standing)
        row["indicators"] = {
            key: _shown(v) for key, v in sorted(standing.indicators.values.items())
        }
        row["missing"] = [
            {
                "indicator": gap.key,
                "value": _shown(gap.value),
                "target": str(gap.target),
                "short_by": None if gap.by is None else _shown(gap.by),
                "sales_needed": gap.sales_needed,
            }
            for gap in standing.result.missing
        ]
        months.append(row)
    return {"today": today.isoformat(), "months": months}


def _loyalty(args: argparse.Namespace) -> int:
    programmes = _programmes(args)
    measured = None
    if args.measured is not None:
        measured = parse_measured(args.measured.read_text(encoding="utf-8"))
    history = load(args, sample_history)
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
        print(json.dumps(_loyalty_document(standings, today), ensure_ascii=False, indent=2))
    elif args.format == "csv":
        keys = sorted({key for s in standings for key in s.indicators.values})
        rows = [
            _standing_row(s) | {k: _shown(s.indicators.values.get(k)) for k in keys}
            for s in standings
        ]
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
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


def _eligibility_document(result: Eligibility) -> dict[str, Any]:
    return {
        "seller_id": result.seller_id,
        "today": result.today.isoformat(),
        "trusted": result.trusted,
        "routes": [route.value for route in result.routes],
        "checks": [
            {"route": c.route.value, "holds": c.holds, "reason": c.reason} for c in result.checks
        ],
        "days_on_platform": result.days_on_platform,
        "days_left": result.days_left,
        "unique_buyers": result.unique_buyers,
        "buyers_needed": result.buyers_needed,
        "unidentified_sales": result.unidentified_sales,
        "unknown": list(result.unknown),
    }


def _ozon_trust(args: argparse.Namespace) -> int:
    seller = Seller(
        seller_id=args.seller_id,
        registered_on=args.registered_on,
        contract_e_signed=args.e_signed,
        ozon_bank_payouts=args.ozon_bank,
    )
    history = load(args, partial(read_order_lines, sample_lines_path()))
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
        print(json.dumps(_eligibility_document(result), ensure_ascii=False, indent=2))
    elif args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(["route", "holds", "reason"])
        writer.writerows([c.route.value, _holds(c), c.reason] for c in result.checks)
    else:
        print(result.describe())
        for check in result.checks:
            print(f"  {check.route.value:<18} {_holds(check):<8} {check.reason}")
    return 0


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
            "wb-2025-12."
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
    loyalty.add_argument(
        "--programme",
        action="append",
        choices=PRESETS,
        help="the programme to judge by; give it twice for both (default: both, by date)",
    )
    loyalty.add_argument(
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
    loyalty.add_argument(
        "--measured",
        type=Path,
        metavar="FILE.toml",
        help='values you measured, a table per month: ["2025-05"] rating = 4.8',
    )
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
