"""The public API as a user writes it, checked by mypy --strict (not run by pytest).

A change that breaks these lines for a type checker breaks users' code.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import assert_type

import polars as pl

import redemption
from redemption import (
    MOSCOW,
    BuyerReport,
    BuyerReports,
    BuyerStatus,
    DayWindow,
    History,
    Order,
    Period,
    Policy,
    RansomAmounts,
    RateReport,
    Rates,
    RedemptionWindow,
    Rule,
    Sale,
    buyer_redemption_percentage,
    buyer_reports,
    buyer_status,
    ransom_amount,
    ransom_amounts,
    redemption_rate,
    redemption_rates,
    redemption_window,
)
from redemption.analysis import RefusalCosts, refusal_costs
from redemption.model import Logistics
from redemption.outcomes import ReasonCategory


def use_the_api() -> None:
    """Build a history and ask for every figure, as a user would."""
    at = datetime(2025, 4, 2, 12, tzinfo=MOSCOW)
    order = Order(order_id="1", seller_id="s", sku="k", price=Decimal("10.50"), ordered_at=at)
    Order(order_id="2", seller_id="s", sku="k", price="10.50", ordered_at=at, buyer_id="b")
    history = History(orders=[order], sales=(Sale(order_id="1", sold_at=at),))
    period = Period(date(2025, 4, 1), date(2025, 4, 30))

    assert_type(order.price, Decimal)
    assert_type(redemption_window(period, today=date(2025, 5, 1)), RedemptionWindow)
    report = redemption_rate(history, period, today=date(2025, 5, 1))
    assert_type(report, RateReport)
    assert_type(report.rate, Fraction | None)
    assert_type(report.window.orders, DayWindow)
    assert_type(redemption_rates(history, period, today=date(2025, 5, 1)), Rates[str])
    by_seller = redemption_rates(history, period, today=date(2025, 5, 1), by="seller")
    assert_type(by_seller, Rates[str])
    plain: dict[str, RateReport] = by_seller  # still a dict to code that wants one
    assert_type(plain["s"].rate, Fraction | None)
    assert_type(by_seller.to_polars(), pl.DataFrame)
    by_month = redemption_rates(
        history, period, today=date(2025, 5, 1), by=lambda o: o.ordered_at.month
    )
    assert_type(by_month, Rates[int])
    assert_type(redemption.__version__, str)

    today = date(2025, 5, 1)
    assert_type(ransom_amount(history, "b", today=today), Decimal)
    assert_type(ransom_amounts(history, today=today, seller_id="s"), RansomAmounts)
    amounts: dict[str, Decimal] = ransom_amounts(history, today=today)
    assert_type(amounts, dict[str, Decimal])
    report_b = buyer_redemption_percentage(history, "b", today=today, weight="price")
    assert_type(report_b, BuyerReport)
    assert_type(report_b.percentage, Decimal | None)
    assert_type(buyer_reports(history, today=today, period=period), BuyerReports)
    reports: Mapping[str, BuyerReport] = buyer_reports(history, today=today)
    assert_type(reports, Mapping[str, BuyerReport])
    policy = Policy(
        rules=[Rule(name="free delivery", kind="privilege", figure="percentage", at_least=80)]
    )
    assert_type(buyer_status(history, "b", today=today, policy=policy), BuyerStatus)
    assert_type(Policy.from_toml("rule = []"), Policy)

    try:
        history = History(orders=[order, order])
    except redemption.DataError as error:
        assert_type(error.order_id, str | None)

    priced = History(
        orders=[order], logistics=[Logistics(order_id="1", to_buyer=50, back=Decimal("45.50"))]
    )
    assert_type(priced.logistics, Mapping[str, Logistics])
    assert_type(priced.logistics["1"].paid, Decimal)
    costs = refusal_costs(priced, period, today=today)
    assert_type(costs, dict[None, RefusalCosts])
    assert_type(costs[None].not_kept.paid, Decimal)
    assert_type(refusal_costs(priced, period, today=today, by="sku"), dict[str, RefusalCosts])
    by_reason = refusal_costs(priced, period, today=today, by="reason")
    assert_type(by_reason, dict[ReasonCategory | None, RefusalCosts])
    by_price = refusal_costs(priced, period, today=today, by=lambda o: o.price)
    assert_type(by_price, dict[Decimal, RefusalCosts])
