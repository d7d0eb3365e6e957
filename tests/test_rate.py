from __future__ import annotations

import random
import warnings
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from redemption import (
    MOSCOW,
    BeyondHorizonWarning,
    History,
    InvalidArgumentError,
    InvalidPeriodError,
    Order,
    Period,
    RateReport,
    Return,
    Sale,
    buyer_reports,
    ransom_amounts,
    redemption_rate,
    redemption_rates,
)
from tests.builders import an_order, msk
from tests.oracle import oracle_rates, oracle_windows
from tests.strategies import ANCHORS, Records, Scenario, scenarios

SEED_PERIOD = Period(date(2025, 4, 17), date(2025, 4, 30))
SEED_TODAY = date(2025, 4, 30)


def edge_history() -> History:
    """Orders on the edges of the April 2025 windows, with outcomes worked out by hand.

    Period 17-30 April 2025, today 30 April: orders and sales windows are 1-30 April (MSK).
    """
    rows = [
        # columns: order, sku, ordered, sold, cancelled, returned
        ("1", "7", "2025-03-31 23:59:59.999999", "2025-04-05 12:00", None, None),  # before
        ("2", "7", "2025-04-01 00:00:00", "2025-04-10 12:00", None, None),  # first instant
        ("3", "7", "2025-04-15 10:00", None, "2025-04-16 10:00", None),  # cancelled: counted
        ("4", "7", "2025-04-28 10:00", None, None, None),  # in transit
        ("5", "8", "2025-04-20 10:00", "2025-04-25 10:00", None, "2025-04-30 23:59:59.999999"),
        ("6", "8", "2025-04-30 23:59:59", None, "2025-04-30 23:59:59.5", None),  # counted
        ("7", "8", "2025-04-25 10:00", "2025-05-01 00:00:00", None, None),  # sold after today
        ("8", "8", "2025-04-10 10:00", "2025-04-12 10:00", None, "2025-05-02 10:00"),
        ("9", "9", "2025-05-01 00:00:00", None, None, None),  # after today
    ]
    return History(
        orders=[
            Order(
                order_id=oid,
                seller_id="s7" if sku == "7" else "s8",
                sku=sku,
                price=100,
                ordered_at=msk(ordered),
                cancelled_at=msk(cancelled) if cancelled else None,
            )
            for oid, sku, ordered, _, cancelled, _ in rows
        ],
        sales=[Sale(order_id=oid, sold_at=msk(sold)) for oid, _, _, sold, _, _ in rows if sold],
        returns=[
            Return(order_id=oid, returned_at=msk(ret)) for oid, _, _, _, _, ret in rows if ret
        ],
    )


def counts(report: RateReport) -> tuple[int, int, int, int]:
    """Orders, sales, returns and orders in transit of a report."""
    return (report.orders, report.sales, report.returns, report.in_transit)


class TestWorkedExamples:
    def test_edges_of_the_april_windows_are_counted_as_worked_out_by_hand(self) -> None:
        """
        The first and last microsecond of the windows, a sale and a return after today.
        """
        history = edge_history()
        by_sku = redemption_rates(history, SEED_PERIOD, today=SEED_TODAY)
        assert {sku: counts(r) for sku, r in by_sku.items()} == {
            "7": (2, 1, 0, 1),
            "8": (3, 2, 1, 1),
        }
        total = redemption_rate(history, SEED_PERIOD, today=SEED_TODAY)
        assert counts(total) == (5, 3, 1, 2)
        assert total.rate == Fraction(3, 5)
        assert total.rate_with_returns == Fraction(2, 5)
        assert not total.complete

    def test_january_orders_are_redeemed_until_the_first_of_march(self) -> None:
        """
        Seed 003: period 15-30 January 2025 in April counts sales up to 1 March.
        """
        ordered = msk("2025-01-01 00:00")
        history = History(
            orders=[
                Order(order_id=oid, seller_id="s", sku="k", price=1, ordered_at=ordered)
                for oid in ("on-time", "late", "open")
            ],
            sales=[
                Sale(order_id="on-time", sold_at=msk("2025-03-01 23:59:59.999999")),
                Sale(order_id="late", sold_at=msk("2025-03-02 00:00")),
            ],
        )
        report = redemption_rate(
            history, Period(date(2025, 1, 15), date(2025, 1, 30)), today=date(2025, 4, 15)
        )
        assert counts(report) == (2, 1, 0, 1)
        assert report.rate == Fraction(1, 2)
        assert report.complete
        assert str(report.window.orders) == "2025-01-01..2025-01-30"
        assert str(report.window.sales) == "2025-01-01..2025-03-01"

    def test_an_order_sold_after_the_sales_window_stays_an_order(self) -> None:
        """
        A counted order sold after the sales window is in the denominator, not a sale.
        """
        history = History(
            orders=[an_order("1", msk("2025-01-20 12:00"))],
            sales=[Sale(order_id="1", sold_at=msk("2025-03-05 12:00"))],
        )
        report = redemption_rate(
            history, Period(date(2025, 1, 15), date(2025, 1, 30)), today=date(2025, 4, 15)
        )
        assert counts(report) == (1, 0, 0, 0)
        assert report.rate == 0

    def test_no_counted_order_gives_no_rate(self) -> None:
        """
        With only orders in transit there is nothing to divide by: the rate is None.
        """
        history = History(orders=[an_order("1", msk("2025-04-20 12:00"))])
        report = redemption_rate(history, SEED_PERIOD, today=SEED_TODAY)
        assert report.orders == 0
        assert report.in_transit == 1
        assert report.rate is None
        assert report.rate_with_returns is None

    def test_unmatched_sales_in_the_sales_window_are_counted_apart(self) -> None:
        """
        Sales of orders outside the export are reported, not matched, not dropped.
        """
        history = History(
            sales=[
                Sale(order_id="x", sold_at=msk("2025-04-01 00:00")),
                Sale(order_id="y", sold_at=msk("2025-04-30 23:59:59.999999")),
                Sale(order_id="z", sold_at=msk("2025-05-01 00:00")),
            ]
        )
        report = redemption_rate(history, SEED_PERIOD, today=SEED_TODAY)
        assert report.unmatched == 2
        assert report.unmatched_returns == 0
        assert report.orders == 0
        assert redemption_rates(history, SEED_PERIOD, today=SEED_TODAY) == {}

    def test_unmatched_returns_in_the_sales_window_are_counted_apart(self) -> None:
        """
        Returns of orders outside the export are reported too, by the day of the return.
        """
        history = History(
            returns=[
                Return(order_id="x", returned_at=msk("2025-03-31 23:59:59.999999")),
                Return(order_id="y", returned_at=msk("2025-04-01 00:00")),
                Return(order_id="z", returned_at=msk("2025-04-30 23:59:59.999999")),
            ]
        )
        report = redemption_rate(history, SEED_PERIOD, today=SEED_TODAY)
        assert (report.unmatched, report.unmatched_returns) == (0, 2)

    def test_a_period_ending_after_today_is_refused(self) -> None:
        """
        The figure is as of today: a period that has not ended yet is an error.
        """
        with pytest.raises(InvalidPeriodError, match="after today"):
            redemption_rate(History(), SEED_PERIOD, today=date(2025, 4, 29))

    def test_grouping_by_seller_and_by_a_function(self) -> None:
        """
        Orders group by seller, or by any function of the order.
        """
        history = edge_history()
        by_seller = redemption_rates(history, SEED_PERIOD, today=SEED_TODAY, by="seller")
        assert {k: counts(r) for k, r in by_seller.items()} == {
            "s7": (2, 1, 0, 1),
            "s8": (3, 2, 1, 1),
        }
        by_day = redemption_rates(
            history, SEED_PERIOD, today=SEED_TODAY, by=lambda o: o.ordered_at.astimezone(MOSCOW).day
        )
        assert sum(r.orders for r in by_day.values()) == 5
        assert by_day[1].orders == 1

    def test_an_unknown_grouping_name_is_refused(self) -> None:
        """
        `by` takes "sku", "seller" or a function; another string is a ValueError.
        """
        with pytest.raises(InvalidArgumentError, match="'colour'"):
            redemption_rates(History(), SEED_PERIOD, today=SEED_TODAY, by="colour")  # type: ignore[call-overload]


def midnight_scenario() -> Scenario:
    """Orders a microsecond either side of Moscow midnights at the ends of a 29-day period."""
    period = Period(date(2024, 2, 1), date(2024, 2, 29))
    edges = [
        msk("2024-01-31 23:59:59.999999"),
        msk("2024-02-01 00:00"),
        msk("2024-02-29 23:59:59.999999"),
        msk("2024-03-01 00:00"),
    ]
    orders = tuple(
        Order(order_id=f"o{i}", seller_id="s", sku="k", price=1, ordered_at=t)
        for i, t in enumerate(edges)
    )
    sales = tuple(Sale(order_id=o.order_id, sold_at=o.ordered_at) for o in orders[:3])
    return Scenario(Records(orders, sales, ()), period, date(2024, 3, 30), MOSCOW)


def month_end_scenario() -> Scenario:
    """A 30-day period ending on a month's last day, sales and returns on the sales edge."""
    period = Period(date(2025, 3, 2), date(2025, 3, 31))  # sales window ends 30 April
    placed = ["2025-03-02 00:00", "2025-03-31 23:00", "2025-03-01 23:59", "2025-03-10 12:00"]
    orders = tuple(
        Order(order_id=f"o{i}", seller_id="s", sku="k", price=1, ordered_at=msk(t))
        for i, t in enumerate(placed)
    )
    sales = (
        Sale(order_id="o0", sold_at=msk("2025-04-30 23:59:59.999999")),
        Sale(order_id="o1", sold_at=msk("2025-05-01 00:00")),
        Sale(order_id="o3", sold_at=msk("2025-04-20 00:00")),
    )
    returns = (
        Return(order_id="o0", returned_at=msk("2025-04-30 23:59:59.999999")),
        Return(order_id="o3", returned_at=msk("2025-05-01 00:00")),
    )
    return Scenario(Records(orders, sales, returns), period, date(2025, 6, 30), MOSCOW)


def toronto_scenario() -> Scenario:
    """Toronto's clocks jumped from 23:30 to 00:30 on 31 March 1919: the day began at 23:30."""
    toronto = ZoneInfo("America/Toronto")
    jump = datetime(1919, 3, 31, 4, 30, tzinfo=UTC)  # 23:30 EST, 00:30 EDT
    orders = tuple(
        Order(order_id=f"o{i}", seller_id="s", sku="k", price=1, ordered_at=jump + delta)
        for i, delta in enumerate([timedelta(microseconds=-1), timedelta(0)])
    )
    sales = tuple(Sale(order_id=o.order_id, sold_at=o.ordered_at) for o in orders)
    period = Period(date(1919, 3, 31), date(1919, 4, 29))
    return Scenario(Records(orders, sales, ()), period, date(1919, 5, 31), toronto)


class TestProperties:
    @example(scenario=midnight_scenario())
    @example(scenario=month_end_scenario())
    @example(scenario=toronto_scenario())
    @given(scenario=scenarios())
    def test_the_calculator_agrees_with_a_day_by_day_oracle(self, scenario: Scenario) -> None:
        """
        Per SKU and in total, every count equals a brute-force day-by-day count.
        """
        rec, period, today, tz = scenario.records, scenario.period, scenario.today, scenario.tz
        history = rec.history()
        expected, unmatched = oracle_rates(
            rec.orders, rec.sales, rec.returns, period, today, tz, lambda o: o.sku
        )
        by_sku = redemption_rates(history, period, today=today, tz=tz)
        assert {k: counts(r) for k, r in by_sku.items()} == expected
        total = redemption_rate(history, period, today=today, tz=tz)
        assert total.unmatched == unmatched
        given = {o.order_id for o in rec.orders}
        first, _, last_sale_day = oracle_windows(period, today)
        assert total.unmatched_returns == sum(
            1
            for r in rec.returns
            if r.order_id not in given
            and first <= r.returned_at.astimezone(tz).date() <= last_sale_day
        )
        first, last_order_day, last_sale_day = oracle_windows(period, today)
        assert (total.window.orders.first, total.window.orders.last) == (first, last_order_day)
        assert (total.window.sales.first, total.window.sales.last) == (first, last_sale_day)

    @given(scenario=scenarios())
    def test_each_sku_report_is_the_one_the_constructor_makes(self, scenario: Scenario) -> None:
        """
        The per-SKU reports are made field by field, for speed: each equals the report
        `RateReport` makes of its counts, every field set (a field left unset would raise
        here), and a group of one equals `redemption_rate` but for the unmatched.
        """
        rec, period, today, tz = scenario.records, scenario.period, scenario.today, scenario.tz
        history = rec.history()
        by_sku = redemption_rates(history, period, today=today, tz=tz)
        total = redemption_rate(history, period, today=today, tz=tz)
        for report in by_sku.values():
            made = RateReport(
                orders=report.orders,
                sales=report.sales,
                returns=report.returns,
                in_transit=report.in_transit,
                unmatched=0,
                window=total.window,
                covered=total.covered,
            )
            assert attrs.asdict(report, recurse=False) == attrs.asdict(made, recurse=False)
        everything = redemption_rates(history, period, today=today, tz=tz, by=lambda _: "all")
        for report in everything.values():
            assert (
                attrs.evolve(
                    report, unmatched=total.unmatched, unmatched_returns=total.unmatched_returns
                )
                == total
            )

    @given(scenario=scenarios())
    def test_rates_are_ordered_and_bounded(self, scenario: Scenario) -> None:
        """
        0 <= rate with returns <= rate <= 1, and both are the counts' exact ratios.
        """
        report = redemption_rate(
            scenario.records.history(), scenario.period, today=scenario.today, tz=scenario.tz
        )
        if report.orders == 0:
            assert report.rate is None
            assert report.rate_with_returns is None
            return
        assert report.rate is not None
        assert report.rate_with_returns is not None
        assert 0 <= report.rate_with_returns <= report.rate <= 1
        assert report.rate == Fraction(report.sales, report.orders)
        assert report.rate_with_returns == Fraction(report.sales - report.returns, report.orders)

    @given(scenario=scenarios())
    def test_every_order_in_the_orders_window_is_counted_or_in_transit(
        self, scenario: Scenario
    ) -> None:
        """
        Conservation: counted orders plus orders in transit are all the orders placed.
        """
        rec, tz = scenario.records, scenario.tz
        report = redemption_rate(rec.history(), scenario.period, today=scenario.today, tz=tz)
        placed = sum(
            1 for o in rec.orders if o.ordered_at.astimezone(tz).date() in report.window.orders
        )
        assert report.orders + report.in_transit == placed

    @given(scenario=scenarios(), by=st.sampled_from(["sku", "seller", "buyer"]))
    def test_the_counts_of_the_groups_add_up_to_the_total(
        self, scenario: Scenario, by: str
    ) -> None:
        """
        Whatever the grouping, the groups' counts add up to the overall counts.
        """
        history = scenario.records.history()
        args = (history, scenario.period)
        total = redemption_rate(*args, today=scenario.today, tz=scenario.tz)
        if by == "buyer":
            groups = redemption_rates(*args, today=scenario.today, tz=scenario.tz, by=_buyer)
        else:
            groups = redemption_rates(
                *args, today=scenario.today, tz=scenario.tz, by="sku" if by == "sku" else "seller"
            )  # type: ignore[assignment]
        summed = tuple(sum(c) for c in zip(*(counts(r) for r in groups.values()), strict=True))
        assert (summed or (0, 0, 0, 0)) == counts(total)
        assert all(r.window == total.window for r in groups.values())

    @given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1))
    def test_the_order_of_the_records_changes_nothing(self, scenario: Scenario, seed: int) -> None:
        """
        Shuffling orders, sales and returns gives the same reports.
        """
        rec = scenario.records
        rng = random.Random(seed)
        shuffled = Records(
            tuple(rng.sample(rec.orders, len(rec.orders))),
            tuple(rng.sample(rec.sales, len(rec.sales))),
            tuple(rng.sample(rec.returns, len(rec.returns))),
        )
        period, today, tz = scenario.period, scenario.today, scenario.tz
        for history in (rec.history(), shuffled.history()):
            assert redemption_rates(history, period, today=today, tz=tz) == redemption_rates(
                rec.history(), period, today=today, tz=tz
            )
            assert redemption_rate(history, period, today=today, tz=tz) == redemption_rate(
                rec.history(), period, today=today, tz=tz
            )

    @given(scenario=scenarios(), later=st.integers(0, 60))
    def test_the_figure_as_of_a_day_ignores_everything_after_it(
        self, scenario: Scenario, later: int
    ) -> None:
        """
        Time travel: as of T, the full history and the history cut at the end of T agree.
        """
        history = scenario.records.history()
        today = scenario.today + timedelta(days=later)
        cut = history.cut(today, tz=scenario.tz)
        assert redemption_rate(
            cut, scenario.period, today=today, tz=scenario.tz
        ) == redemption_rate(history, scenario.period, today=today, tz=scenario.tz)
        assert redemption_rates(
            cut, scenario.period, today=today, tz=scenario.tz
        ) == redemption_rates(history, scenario.period, today=today, tz=scenario.tz)

    @given(
        anchor=st.sampled_from(ANCHORS),
        start=st.integers(0, 100),
        days=st.integers(1, 90),
        wait=st.integers(0, 100),
    )
    def test_the_windows_keep_their_shape(
        self, anchor: date, start: int, days: int, wait: int
    ) -> None:
        """
        The orders window ends on the period's end and spans at least 30 days; sales
        start with it and end 30 days after the period or today, whichever is first.
        """
        period = Period(anchor + timedelta(days=start), anchor + timedelta(days=start + days - 1))
        today = period.end + timedelta(days=wait)
        window = redemption_rate(History(), period, today=today).window
        assert window.orders.last == period.end
        assert len(window.orders) == max(30, period.days)
        assert window.sales.first == window.orders.first
        assert window.sales.last == min(period.end + timedelta(days=30), today)
        assert window.complete == (wait >= 30)


def _buyer(order: Order) -> str | None:
    return order.buyer_id


class TestHorizon:
    def test_a_figure_past_the_data_warns_and_is_complete_only_where_the_data_reaches(
        self,
    ) -> None:
        """
        Data that reaches 10 May: as of 30 June, a warning; January's rate is complete,
        April's (sales window to 30 May) is not, although 30 days have passed.
        """
        orders = [an_order("1", msk("2025-01-10T10:00:00")), an_order("2", msk("2025-04-10T10:00"))]
        history = History(orders=orders, horizon=msk("2025-05-10T12:00:00"))
        today = date(2025, 6, 30)
        april_period = Period(date(2025, 4, 1), date(2025, 4, 30))
        january_period = Period(date(2025, 1, 1), date(2025, 1, 31))
        with pytest.warns(BeyondHorizonWarning, match="data reaches only 2025-05-10T12:00"):
            april = redemption_rate(history, april_period, today=today)
        assert (april.window.complete, april.covered, april.complete) == (True, False, False)
        with pytest.warns(BeyondHorizonWarning):
            january = redemption_rates(history, january_period, today=today)
        assert january["k"].complete
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # as of the horizon's own day: no warning
            redemption_rate(history, january_period, today=date(2025, 5, 10))
            buyer_reports(history, today=date(2025, 5, 10))
        with pytest.warns(BeyondHorizonWarning):
            ransom_amounts(history, today=date(2025, 5, 11))
        assert history.cut(date(2025, 5, 1)).horizon == datetime(2025, 5, 1, 21, tzinfo=UTC)
