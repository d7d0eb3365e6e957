"""The buyer figures' fast paths: the history's buyer numbers, and reports made as tuples.

`ransom_amounts` and `buyer_reports` of every buyer add each line into a list at its buyer's
number (`OrderLines.buyer_numbers`), and make each `BuyerReport` without its Python
constructor. Plain order-by-order oracles check both, by count and by price, and the
numbers themselves.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from redemption import (
    BuyerReport,
    buyer_redemption_percentage,
    buyer_reports,
    ransom_amounts,
    trailing_window,
)
from redemption.history import History
from tests.oracle import _day, oracle_ransoms, oracle_values
from tests.strategies import Scenario, scenarios

ZERO = Decimal("0.00")


class TestBuyerNumbers:
    @given(scenario=scenarios())
    def test_each_line_names_its_buyer_and_buyers_come_in_order_of_first_line(
        self, scenario: Scenario
    ) -> None:
        """
        buyers[numbers[i]] is line i's buyer; each buyer once; numbered by first line.
        """
        lines = scenario.records.history().lines
        numbered = lines.buyer_numbers
        assert [numbered.buyers[n] for n in numbered.numbers] == [o.buyer_id for o in lines.orders]
        first_seen = list(dict.fromkeys(o.buyer_id for o in lines.orders))
        assert list(numbered.buyers) == first_seen
        assert lines.buyer_numbers is numbered  # made once, then kept

    def test_a_history_without_orders_has_no_buyers(self) -> None:
        """
        Nothing to number: no buyer, no number.
        """
        numbered = History().lines.buyer_numbers
        assert numbered.buyers == ()
        assert numbered.numbers.tolist() == []


class TestRansomOfEveryBuyer:
    @given(scenario=scenarios(), earlier=st.integers(0, 60), numbered_first=st.booleans())
    def test_every_amount_equals_an_order_by_order_sum(
        self, scenario: Scenario, earlier: int, *, numbered_first: bool
    ) -> None:
        """
        As of any day, later orders included (their buyers are left out), numbers made
        before or by the call: the oracle's sums, in the order of each buyer's first order.
        """
        rec, tz = scenario.records, scenario.tz
        today = scenario.today - timedelta(days=earlier)
        history = rec.history()
        if numbered_first:
            assert history.lines.buyer_numbers is not None
        amounts = ransom_amounts(history, today=today, tz=tz)
        first = trailing_window(today).first
        assert amounts == oracle_ransoms(rec.orders, rec.sales, rec.returns, first, today, tz)
        known = [o.buyer_id for o in history.orders if _day(o.ordered_at, tz) <= today]
        assert list(amounts) == [b for b in dict.fromkeys(known) if b is not None]
        assert all(amount.as_tuple().exponent == -2 for amount in amounts.values())


class TestReportsOfEveryBuyer:
    @given(scenario=scenarios(), earlier=st.integers(0, 60))
    def test_every_report_is_whole_and_equals_the_one_buyers(
        self, scenario: Scenario, earlier: int
    ) -> None:
        """
        Every report has all its fields, equals the report built by its public
        constructor and the single buyer's; buyers in the order of their first order.
        """
        history, tz = scenario.records.history(), scenario.tz
        today = scenario.today - timedelta(days=earlier)
        reports = buyer_reports(history, today=today, tz=tz)
        for buyer, report in reports.items():
            assert len(report) == len(BuyerReport._fields)
            assert report == BuyerReport(*report)
            assert report == buyer_redemption_percentage(history, buyer, today=today, tz=tz)
        order = [b for b in dict.fromkeys(o.buyer_id for o in history.orders) if b in reports]
        assert list(reports) == order

    @given(scenario=scenarios(), earlier=st.integers(0, 60))
    def test_by_price_the_values_equal_an_order_by_order_sum(
        self, scenario: Scenario, earlier: int
    ) -> None:
        """
        By price: roubles placed and kept per buyer equal the oracle's, and the rate is
        kept over placed.
        """
        rec, tz = scenario.records, scenario.tz
        today = scenario.today - timedelta(days=earlier)
        history = rec.history()
        reports = buyer_reports(history, today=today, tz=tz, weight="price")
        first = trailing_window(today).first
        expected = oracle_values(rec.orders, rec.sales, rec.returns, first, today, tz)
        assert {b: (r.placed_value, r.kept_value) for b, r in reports.items()} == expected
        for buyer, report in reports.items():
            assert report.weight == "price"
            one = buyer_redemption_percentage(history, buyer, today=today, tz=tz, weight="price")
            assert one == report
