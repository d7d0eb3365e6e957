from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from redemption import (
    MOSCOW,
    ArgumentTypeError,
    History,
    InvalidPeriodError,
    Order,
    Period,
    Return,
    Sale,
    buyer_redemption_percentage,
    buyer_reports,
    ransom_amount,
    ransom_amounts,
    trailing_window,
)
from tests.builders import an_order, msk
from tests.oracle import oracle_buyers, oracle_ransoms
from tests.strategies import Records, Scenario, scenarios

ZERO = Decimal("0.00")


def bought(n: int, *, kept: int, buyer: str = "b", price: str = "100") -> History:
    """A buyer's n orders, all sold on 1 April 2025; the first `kept` kept, the rest returned."""
    at = msk("2025-04-01 12:00")
    return History(
        orders=[
            Order(
                order_id=str(i), seller_id="s", sku="k", price=price, ordered_at=at, buyer_id=buyer
            )
            for i in range(n)
        ],
        sales=[Sale(order_id=str(i), sold_at=at) for i in range(n)],
        returns=[Return(order_id=str(i), returned_at=at) for i in range(kept, n)],
    )


class TestRedemptionPercentageExamples:
    def test_a_buyer_who_keeps_every_order_has_100_percent(self) -> None:
        """
        Seed 000: redeeming every order and returning none gives 100%.
        """
        report = buyer_redemption_percentage(bought(5, kept=5), "b", today=date(2025, 4, 30))
        assert (report.placed, report.sold, report.returned) == (5, 5, 0)
        assert report.rate == 1
        assert report.percentage == Decimal("100.00")

    def test_a_buyer_who_returns_every_second_order_has_50_percent(self) -> None:
        """
        Seed 000: returning every second order gives 50%.
        """
        report = buyer_redemption_percentage(bought(6, kept=3), "b", today=date(2025, 4, 30))
        assert report.rate == Fraction(1, 2)
        assert report.percentage == Decimal("50.00")

    def test_cancelled_orders_count_as_placed_and_open_ones_are_left_out(self) -> None:
        """
        A refusal lowers the percentage; an order still on its way does not count yet.
        """
        at = msk("2025-04-01 12:00")
        history = History(
            orders=[
                Order(order_id="1", seller_id="s", sku="k", price=1, ordered_at=at, buyer_id="b"),
                Order(
                    order_id="2",
                    seller_id="s",
                    sku="k",
                    price=1,
                    ordered_at=at,
                    buyer_id="b",
                    cancelled_at=at,
                ),
                Order(order_id="3", seller_id="s", sku="k", price=1, ordered_at=at, buyer_id="b"),
                Order(order_id="4", seller_id="s", sku="k", price=1, ordered_at=at),  # no buyer
            ],
            sales=[Sale(order_id="1", sold_at=at)],
        )
        report = buyer_redemption_percentage(history, "b", today=date(2025, 4, 30))
        assert (report.placed, report.sold, report.returned, report.in_transit) == (2, 1, 0, 1)
        assert report.percentage == Decimal("50.00")
        assert report.orders_window == trailing_window(date(2025, 4, 30))
        assert set(buyer_reports(history, today=date(2025, 4, 30))) == {"b"}

    def test_the_price_weight_gives_roubles_kept_over_roubles_ordered(self) -> None:
        """
        Keeping a 300 ₽ order and returning a 100 ₽ one is 75% by price, 50% by count.
        """
        at = msk("2025-04-01 12:00")
        history = History(
            orders=[
                Order(order_id="1", seller_id="s", sku="k", price=300, ordered_at=at, buyer_id="b"),
                Order(order_id="2", seller_id="s", sku="k", price=100, ordered_at=at, buyer_id="b"),
            ],
            sales=[Sale(order_id="1", sold_at=at), Sale(order_id="2", sold_at=at)],
            returns=[Return(order_id="2", returned_at=at)],
        )
        by_price = buyer_redemption_percentage(history, "b", today=date(2025, 4, 1), weight="price")
        assert by_price.percentage == Decimal("75.00")
        assert (by_price.placed, by_price.sold, by_price.returned) == (2, 2, 1)
        by_count = buyer_redemption_percentage(history, "b", today=date(2025, 4, 1))
        assert by_count.percentage == Decimal("50.00")

    def test_a_buyer_with_nothing_placed_has_no_percentage(self) -> None:
        """
        No orders to judge by: rate and percentage are None, not 0.
        """
        report = buyer_redemption_percentage(History(), "nobody", today=date(2025, 4, 30))
        assert report.placed == 0
        assert report.rate is None
        assert report.percentage is None

    def test_a_period_ending_after_today_is_refused(self) -> None:
        """
        The figure is as of today.
        """
        with pytest.raises(InvalidPeriodError):
            buyer_reports(
                History(), today=date(2025, 4, 1), period=Period(date(2025, 4, 1), date(2025, 4, 2))
            )

    def test_today_must_be_a_day(self) -> None:
        """
        An instant where a day goes is a typed error, not a comparison failure.
        """
        with pytest.raises(ArgumentTypeError, match="today must be a date"):
            buyer_reports(
                History(),
                today=datetime(2025, 4, 30, tzinfo=MOSCOW),
                period=Period(date(2025, 4, 1), date(2025, 4, 2)),
            )

    def test_percentages_are_rounded_half_even_to_two_places(self) -> None:
        """
        Two of three orders kept is 66.67%; one of eight is 12.50%.
        """
        today = date(2025, 4, 30)
        assert buyer_redemption_percentage(
            bought(3, kept=2), "b", today=today
        ).percentage == Decimal("66.67")
        assert buyer_redemption_percentage(
            bought(8, kept=1), "b", today=today
        ).percentage == Decimal("12.50")


class TestRansomExamples:
    def test_a_return_after_today_is_not_yet_subtracted(self) -> None:
        """
        As of 10 April a 20 April return has not happened; as of 20 April it has.
        """
        at = msk("2025-04-01 12:00")
        history = History(
            orders=[an_order("1", at, price="990.50", buyer_id="b")],
            sales=[Sale(order_id="1", sold_at=at)],
            returns=[Return(order_id="1", returned_at=msk("2025-04-20 00:00"))],
        )
        assert ransom_amount(history, "b", today=date(2025, 4, 10)) == Decimal("990.50")
        assert ransom_amount(history, "b", today=date(2025, 4, 19)) == Decimal("990.50")
        assert ransom_amount(history, "b", today=date(2025, 4, 20)) == ZERO

    def test_a_window_that_starts_on_29_february(self) -> None:
        """
        A month back from 29 March 2024 starts on 29 February, at Moscow midnight.
        """
        edges = ["2024-02-28 23:59:59.999999", "2024-02-29 00:00", "2024-03-29 23:59:59.999999"]
        history = History(
            orders=[
                Order(
                    order_id=str(i),
                    seller_id="s",
                    sku="k",
                    price=10**i,
                    ordered_at=msk(t),
                    buyer_id="b",
                )
                for i, t in enumerate(edges)
            ],
            sales=[Sale(order_id=str(i), sold_at=msk(t)) for i, t in enumerate(edges)],
        )
        month = relativedelta(months=1)
        assert trailing_window(date(2024, 3, 29), month).first == date(2024, 2, 29)
        assert ransom_amount(history, "b", today=date(2024, 3, 29), window=month) == Decimal(110)
        assert ransom_amount(history, "b", today=date(2024, 3, 29), window=timedelta(days=29)) == (
            Decimal(110)
        )

    def test_two_years_back_from_29_february_is_28_february(self) -> None:
        """
        Calendar years: the default window as of 29 February 2024 starts on 28 February 2022.
        """
        sold = msk("2022-02-28 00:00")
        history = History(
            orders=[
                Order(order_id="1", seller_id="s", sku="k", price=5, ordered_at=sold, buyer_id="b")
            ],
            sales=[Sale(order_id="1", sold_at=sold)],
        )
        assert ransom_amount(history, "b", today=date(2024, 2, 29)) == Decimal("5.00")
        assert ransom_amount(history, "b", today=date(2024, 3, 1)) == ZERO

    def test_a_buyer_not_in_the_history_has_zero(self) -> None:
        """
        No qualifying purchase is Decimal 0.00, not None and not an error.
        """
        amount = ransom_amount(bought(2, kept=2), "stranger", today=date(2025, 4, 30))
        assert amount == ZERO
        assert amount.as_tuple().exponent == -2

    def test_a_shop_ransom_counts_only_that_sellers_purchases(self) -> None:
        """
        With seller_id, only purchases from that seller count.
        """
        at = msk("2025-04-01 12:00")
        history = History(
            orders=[
                Order(order_id=s, seller_id=s, sku="k", price=100, ordered_at=at, buyer_id="b")
                for s in ("shop-1", "shop-2")
            ],
            sales=[Sale(order_id=s, sold_at=at) for s in ("shop-1", "shop-2")],
        )
        today = date(2025, 4, 30)
        assert ransom_amount(history, "b", today=today, seller_id="shop-1") == Decimal(100)
        assert ransom_amounts(history, today=today, seller_id="shop-3") == {}
        assert ransom_amounts(history, today=today) == {"b": Decimal(200)}


class TestProperties:
    @given(scenario=scenarios(), years=st.sampled_from([0, 1, 2]))
    def test_ransoms_agree_with_an_order_by_order_oracle(
        self, scenario: Scenario, years: int
    ) -> None:
        """
        Every buyer's amount, alone and all at once, equals a brute-force sum.
        """
        rec, today, tz = scenario.records, scenario.today, scenario.tz
        window = relativedelta(years=years, days=40 if years == 0 else 0)
        expected = oracle_ransoms(rec.orders, rec.sales, rec.returns, today - window, today, tz)
        history = rec.history()
        amounts = ransom_amounts(history, today=today, tz=tz, window=window)
        assert amounts == expected
        for buyer, amount in amounts.items():
            assert ransom_amount(history, buyer, today=today, tz=tz, window=window) == amount

    @given(scenario=scenarios())
    def test_a_ransom_is_never_negative_nor_above_what_the_buyer_ordered(
        self, scenario: Scenario
    ) -> None:
        """
        0 <= ransom <= the sum of the prices of the buyer's orders.
        """
        rec = scenario.records
        amounts = ransom_amounts(rec.history(), today=scenario.today, tz=scenario.tz)
        for buyer, amount in amounts.items():
            ordered = sum((o.price for o in rec.orders if o.buyer_id == buyer), ZERO)
            assert ZERO <= amount <= ordered
            assert amount.as_tuple().exponent == -2

    @given(scenario=scenarios())
    def test_the_ransoms_of_the_sellers_add_up_to_the_total(self, scenario: Scenario) -> None:
        """
        Additive over sellers: the per-shop amounts add up to the buyer's amount.
        """
        history, today, tz = scenario.records.history(), scenario.today, scenario.tz
        total = ransom_amounts(history, today=today, tz=tz)
        sellers = {o.seller_id for o in history.orders}
        per_seller = [ransom_amounts(history, today=today, tz=tz, seller_id=s) for s in sellers]
        for buyer, amount in total.items():
            assert sum((p.get(buyer, ZERO) for p in per_seller), ZERO) == amount

    @given(scenario=scenarios(), data=st.data())
    def test_a_sale_never_lowers_and_a_return_never_raises_the_ransom(
        self, scenario: Scenario, data: st.DataObject
    ) -> None:
        """
        Monotone: adding a sale cannot lower an amount, adding a return cannot raise one.
        """
        rec, today, tz = scenario.records, scenario.today, scenario.tz
        returned = {r.order_id for r in rec.returns}
        full = ransom_amounts(rec.history(), today=today, tz=tz)
        kept_sales = [s for s in rec.sales if s.order_id not in returned]
        if kept_sales:
            sale = data.draw(st.sampled_from(kept_sales))
            fewer = Records(rec.orders, tuple(s for s in rec.sales if s != sale), rec.returns)
            without_sale = ransom_amounts(fewer.history(), today=today, tz=tz)
            assert all(without_sale[b] <= full[b] for b in full)
        if rec.returns:
            ret = data.draw(st.sampled_from(rec.returns))
            fewer = Records(rec.orders, rec.sales, tuple(r for r in rec.returns if r != ret))
            without_return = ransom_amounts(fewer.history(), today=today, tz=tz)
            assert all(without_return[b] >= full[b] for b in full)

    @given(scenario=scenarios(), default_period=st.booleans())
    def test_buyer_reports_agree_with_a_brute_force_count(
        self, scenario: Scenario, *, default_period: bool
    ) -> None:
        """
        Every buyer's counts equal a brute-force count; each report equals the single one.
        """
        rec, today, tz = scenario.records, scenario.today, scenario.tz
        period = None if default_period else scenario.period
        first = trailing_window(today).first if period is None else period.start
        last = today if period is None else period.end
        expected = oracle_buyers(rec.orders, rec.sales, rec.returns, first, last, today, tz)
        history = rec.history()
        reports = buyer_reports(history, today=today, period=period, tz=tz)
        assert {b: (r.placed, r.sold, r.returned, r.in_transit) for b, r in reports.items()} == (
            expected
        )
        for buyer, report in reports.items():
            assert (
                buyer_redemption_percentage(history, buyer, today=today, period=period, tz=tz)
                == report
            )

    @given(scenario=scenarios(), weight=st.sampled_from(["count", "price"]))
    def test_the_percentage_lies_between_0_and_100(self, scenario: Scenario, weight: str) -> None:
        """
        0 <= percentage <= 100 by count and by price; None only when nothing is placed.
        """
        reports = buyer_reports(
            scenario.records.history(),
            today=scenario.today,
            tz=scenario.tz,
            weight="price" if weight == "price" else "count",
        )
        for report in reports.values():
            if report.percentage is None:
                assert report.placed == 0 or weight == "price"
                continue
            assert Decimal(0) <= report.percentage <= Decimal(100)
            assert report.sold - report.returned <= report.placed

    @given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1), later=st.integers(0, 30))
    def test_order_and_later_events_change_no_buyer_figure(
        self, scenario: Scenario, seed: int, later: int
    ) -> None:
        """
        Shuffling the records, or cutting the history at the end of today, changes nothing.
        """
        rec, tz = scenario.records, scenario.tz
        today = scenario.today + timedelta(days=later)
        rng = random.Random(seed)
        shuffled = History(
            orders=rng.sample(rec.orders, len(rec.orders)),
            sales=rng.sample(rec.sales, len(rec.sales)),
            returns=rng.sample(rec.returns, len(rec.returns)),
        )
        history = rec.history()
        cut = history.cut(today, tz=tz)
        amounts = ransom_amounts(history, today=today, tz=tz)
        reports = buyer_reports(history, today=today, tz=tz)
        for other in (shuffled, cut):
            assert ransom_amounts(other, today=today, tz=tz) == amounts
            assert buyer_reports(other, today=today, tz=tz) == reports
