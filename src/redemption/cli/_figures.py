"""The figures' commands: demo, rate and buyers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from datetime import date
from functools import partial
from pathlib import Path
from typing import Literal

from redemption import __version__
from redemption.calculators import RateReport, redemption_rate, redemption_rates
from redemption.cli._common import (
    PERIOD_HELP,
    WINDOW_COLUMNS,
    Commands,
    add_day_and_format,
    add_shop,
    add_sources,
    check_ends,
    import_line,
    load,
    notes,
    percent_text,
    period,
    read_policy,
    today_of,
    window_columns,
)
from redemption.cli._output import Cell, table_lines, write_csv, write_json
from redemption.errors import InvalidArgumentError
from redemption.io import read_order_lines
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
        "Wildberries' first worked example: a January period, looked at in April",
        Period(date(2025, 1, 15), date(2025, 1, 30)),
        date(2025, 4, 15),
    ),
    (
        "Wildberries' second worked example: the last half of April, on 30 April",
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
    return table_lines(
        [title, "orders", "sales", "returns", "transit", "rate", "w/ returns"],
        (
            [
                str(group),
                str(r.orders),
                str(r.sales),
                str(r.returns),
                str(r.in_transit),
                percent_text(r.rate),
                percent_text(r.rate_with_returns),
            ]
            for group, r in sorted(reports.items())
        ),
        "<>>>>>>",
    )


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
    print("\n".join(_buyer_table([*rated[:3], *rated[-3:]])))
    return 0


_GROUP_COLUMNS = {"sku": "sku", "seller": "seller_id"}
"""The column of each grouping: the name `redemption.frames` gives it."""

RATE_COLUMNS = (
    "orders",
    "sales",
    "returns",
    "in_transit",
    "rate",
    "rate_with_returns",
    "complete",
    *WINDOW_COLUMNS,
)
"""The columns of a rate's row, after the group's: `redemption.frames.redemption_rates`'
counts and rates, then whether the figure is complete and its windows."""

_UNMATCHED_COLUMNS = ("unmatched_sales", "unmatched_returns")
"""The total's columns that no group has: events whose order is not in the reports."""


def _rate_row(report: RateReport) -> dict[str, Cell]:
    return {
        "orders": report.orders,
        "sales": report.sales,
        "returns": report.returns,
        "in_transit": report.in_transit,
        "rate": report.rate,
        "rate_with_returns": report.rate_with_returns,
        "complete": report.complete,
        **window_columns(report.window),
    }


def _total_row(report: RateReport) -> dict[str, Cell]:
    return _rate_row(report) | {
        "unmatched_sales": report.unmatched,
        "unmatched_returns": report.unmatched_returns,
    }


def _rate(args: argparse.Namespace) -> int:
    check_ends(args, args.period.end, f"--period {args.period}")
    history, imported = load(args, sample_history)
    today = today_of(args, history)
    total = redemption_rate(history, args.period, today=today, tz=args.tz)
    by: Literal["sku", "seller"] = args.by or "sku"
    key = _GROUP_COLUMNS[by]
    groups = (
        {} if args.total else redemption_rates(history, args.period, today=today, by=by, tz=args.tz)
    )
    rows = [{key: group, **_rate_row(r)} for group, r in sorted(groups.items())]
    if args.format == "json":
        document: dict[str, object] = {
            "period_start": args.period.start,
            "period_end": args.period.end,
            "today": today,
            "tz": args.tz.key,
            "complete": total.complete,
            **window_columns(total.window),
            "unmatched_sales": total.unmatched,
            "unmatched_returns": total.unmatched_returns,
            "total": _rate_row(total),
        }
        if not args.total:
            document["by"] = key
            document["groups"] = rows
        write_json(document | notes(imported))
    elif args.format == "csv":
        if args.total:
            write_csv([_total_row(total)], (*RATE_COLUMNS, *_UNMATCHED_COLUMNS))
        else:
            write_csv(rows, (key, *RATE_COLUMNS))
    else:
        print(f"Period {args.period}, today {today} ({args.tz.key})")
        print("\n".join(_report_lines(total)))
        if not args.total:
            print()
            print("\n".join(_group_table(groups, key)))
    return 0


def _buyer_row(status: BuyerStatus, *, with_status: bool) -> dict[str, Cell]:
    report = status.report
    row: dict[str, Cell] = {
        "buyer_id": status.buyer_id,
        "placed": report.placed,
        "sold": report.sold,
        "returned": report.returned,
        "in_transit": report.in_transit,
        "rate": report.rate,
        "weight": report.weight,
        "ransom": status.ransom,
    }
    if status.shop_ransom is not None:
        row["shop_ransom"] = status.shop_ransom
    row["orders_first"] = report.orders_window.first
    row["orders_last"] = report.orders_window.last
    if with_status:
        row["privileges"] = "; ".join(status.privileges)
        row["restrictions"] = "; ".join(status.restrictions)
    return row


def _policy(args: argparse.Namespace) -> Policy:
    """The policy of --policy, or none; checked against --weight and --shop."""
    if args.policy is None:
        return Policy(rules=[], weight=args.weight or "count")
    policy = read_policy(args.policy, shop=args.shop)
    if args.weight is not None and args.weight != policy.weight:
        msg = (
            f"--weight {args.weight} contradicts the policy's weight {policy.weight!r} "
            f"(--policy {args.policy})"
        )
        raise InvalidArgumentError(msg)
    return policy


def _buyers(args: argparse.Namespace) -> int:
    policy = _policy(args)
    history, imported = load(args, partial(read_order_lines, sample_lines_path()))
    today = today_of(args, history)
    every = buyer_statuses(history, today=today, policy=policy, seller_id=args.shop, tz=args.tz)
    statuses: Mapping[str, BuyerStatus] = every
    if args.buyer is not None:
        if args.buyer not in every:
            msg = f"buyer {args.buyer!r} placed no order by {today}"
            raise InvalidArgumentError(msg)
        statuses = {args.buyer: every[args.buyer]}
    if not statuses:
        print("no buyers: these reports name none (seller reports do not)", file=sys.stderr)
    with_status = args.policy is not None
    rows = [_buyer_row(s, with_status=with_status) for s in statuses.values()]
    if args.format == "json":
        listed = [
            {**row, "privileges": list(s.privileges), "restrictions": list(s.restrictions)}
            if with_status
            else row
            for row, s in zip(rows, statuses.values(), strict=True)
        ]
        document = {"today": today, "tz": args.tz.key, "weight": policy.weight, "buyers": listed}
        write_json(document | notes(imported))
    elif args.format == "csv":
        columns = ["buyer_id", "placed", "sold", "returned", "in_transit", "rate", "weight"]
        columns += ["ransom", *(["shop_ransom"] if args.shop is not None else [])]
        columns += ["orders_first", "orders_last"]
        columns += ["privileges", "restrictions"] if with_status else []
        write_csv(rows, columns)
    else:
        print(f"Buyers as of {today} ({args.tz.key}), weighed by {policy.weight}: {len(rows)}")
        print("\n".join(_buyer_table(list(statuses.values()))))
    return 0


def _buyer_table(statuses: list[BuyerStatus]) -> list[str]:
    shops = any(status.shop_ransom is not None for status in statuses)
    header = ["buyer", "placed", "sold", "returned", "transit", "percentage", "ransom"]
    header += ["shop ransom"] if shops else []
    rows = []
    for status in statuses:
        report = status.report
        share = "-" if report.percentage is None else f"{report.percentage}%"
        tiers = "; ".join((*status.privileges, *status.restrictions))
        row = [status.buyer_id, str(report.placed), str(report.sold), str(report.returned)]
        row += [str(report.in_transit), share, str(status.ransom)]
        row += [str(status.shop_ransom)] if shops else []
        rows.append([*row, tiers])
    return table_lines([*header, ""], rows, "<" + ">" * (len(header) - 1) + "<")


def add_commands(commands: Commands) -> None:
    """Add demo, rate and buyers to the command line."""
    demo = commands.add_parser(
        "demo",
        help="show the redemption windows and rates, and the buyers, of the bundled sample",
        description=(
            "Show the seller's redemption rate by the marketplace's 30-day window method "
            "on the bundled sample of Wildberries reports, for the two worked examples of "
            "Wildberries' published method, and the buyers who keep least and most of what "
            "they order."
        ),
        epilog="example: redemption demo",
    )
    demo.set_defaults(run=_demo)
    rate = commands.add_parser(
        "rate",
        help="the seller's redemption rate, from any reports this library reads",
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
    rate.add_argument("--period", type=period, required=True, metavar="PERIOD", help=PERIOD_HELP)
    grouping = rate.add_mutually_exclusive_group()
    grouping.add_argument(
        "--by",
        choices=["sku", "seller"],
        help="a row per SKU (column sku, the default) or per seller (column seller_id)",
    )
    grouping.add_argument(
        "--total",
        action="store_true",
        help=(
            "the seller's total instead of the groups: one row with the groups' columns "
            "(and unmatched_sales, unmatched_returns), so a CSV of the groups and one of the "
            "total can be checked against each other"
        ),
    )
    add_day_and_format(rate)
    rate.set_defaults(run=_rate)
    buyers = commands.add_parser(
        "buyers",
        help="each buyer's redemption percentage and ransom amount, and their tier",
        description=(
            "Each buyer's redemption percentage (orders kept over orders placed, over the two "
            "years ending --today) and ransom amount (what they bought and kept in those two "
            "years), from report files that name buyers (order-lines CSV, Ozon postings with "
            "their customer); with --policy, the privileges and restrictions each buyer has.\n"
            "In csv and json, rate is the share kept (a fraction of 1, by count or by price as "
            "weight says) and ransom and shop_ransom are roubles (frames: ransom_kopecks)."
        ),
        epilog=(
            "example: redemption buyers lines.csv --today 2025-04-30 --policy tiers.toml\n"
            "         redemption buyers --sample --today 2025-04-30 --format csv"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_sources(buyers, "the sample's order lines, which name buyers")
    buyers.add_argument("--buyer", help="show this buyer only")
    buyers.add_argument(
        "--policy", type=Path, metavar="FILE.toml", help="a TOML file of tier rules (see docs)"
    )
    add_shop(buyers)
    buyers.add_argument(
        "--weight",
        choices=["count", "price"],
        help="weigh the percentage by orders (count, the default) or by roubles (price)",
    )
    add_day_and_format(buyers)
    buyers.set_defaults(run=_buyers)
