from __future__ import annotations

import random
from collections.abc import Callable, Hashable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from fractions import Fraction
from typing import Literal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from redemption import (
    MOSCOW,
    ArgumentTypeError,
    History,
    InvalidArgumentError,
    InvalidPeriodError,
    Order,
    Period,
    Return,
    Sale,
    redemption_rate,
    redemption_rates,
)
from redemption.analysis import (
    CohortMaturity,
    LagSummary,
    RateProjection,
    cohort_maturity,
    order_lags,
    projected_rate,
    rate_series,
    wilson_interval,
)
from redemption.analysis._intervals import MIN_ORDERS
from redemption.dates import day_end, local_day
from tests.builders import an_order, msk
from tests.strategies import ANCHORS, SPAN_DAYS, Records, records, zones

APRIL = date(2025, 4, 1)
Method = Literal["in-transit", "chain-ladder"]


def april(day: int) -> date:
    """The day of April 2025."""
    return date(2025, 4, day)


def figures(cohort: CohortMaturity) -> list[tuple[int, int, int]]:
    """Each point of a cohort as (age, resolved, sold)."""
    return [(p.age, p.resolved, p.sold) for p in cohort.points]


def order_day(instant: datetime, tz: tzinfo) -> date:
    """The day whose bounds hold the instant, as the windows count it."""
    day = local_day(instant, tz)
    while instant >= day_end(day, tz):  # an hour lived again after the day began
        day += timedelta(days=1)
    return day


# ------------------------------------------------------------------------------------------
# cohort_maturity
# ------------------------------------------------------------------------------------------
def three_orders() -> History:
    """Three orders on 1 April: cancelled on the 2nd, sold on the 3rd, sold on the 8th."""
    return History(
        orders=[
            an_order("c", msk("2025-04-01 10:00"), cancelled_at=msk("2025-04-02 09:00")),
            an_order("s", msk("2025-04-01 11:00")),
            an_order("late", msk("2025-04-01 23:59:59.999999")),
        ],
        sales=[
            Sale(order_id="s", sold_at=msk("2025-04-03 00:00")),
            Sale(order_id="late", sold_at=msk("2025-04-08 12:00")),
        ],
    )


class TestCohortMaturity:
    def test_a_day_cohort_resolves_day_by_day_and_stops_at_today(self) -> None:
        """
        Each age is the end of a day; a sale at midnight counts on the day it opens.
        """
        [cohort] = cohort_maturity(three_orders(), start=APRIL, end=APRIL, today=april(5))
        assert (cohort.first, cohort.last, cohort.orders) == (APRIL, APRIL, 3)
        assert figures(cohort) == [(0, 0, 0), (1, 1, 0), (2, 2, 1), (3, 2, 1), (4, 2, 1)]
        assert [p.day for p in cohort.points] == [april(d) for d in range(1, 6)]
        assert cohort.latest.resolved_share == Fraction(2, 3)
        assert cohort.latest.rate_so_far == Fraction(1, 3)
        assert cohort.latest.in_transit == 1

    def test_max_age_cuts_the_curve(self) -> None:
        """
        Ages stop at max_age even when today is later; age 0 alone with max_age=0.
        """
        history = three_orders()
        [long] = cohort_maturity(history, start=APRIL, end=APRIL, today=april(20), max_age=7)
        assert figures(long)[-2:] == [(6, 2, 1), (7, 3, 2)]
        [short] = cohort_maturity(history, start=APRIL, end=APRIL, today=april(20), max_age=0)
        assert figures(short) == [(0, 0, 0)]

    def test_week_cohorts_run_monday_to_sunday_within_the_range(self) -> None:
        """
        Tuesday 1 April to Sunday 6 April is one cohort, cut at the range's first day;
        its age 0 is the end of the Sunday.
        """
        history = History(
            orders=[
                an_order("tue", msk("2025-04-01 10:00")),
                an_order("sun", msk("2025-04-06 23:00")),
                an_order("mon", msk("2025-04-07 00:00")),
                an_order("wed", msk("2025-04-09 12:00")),
                an_order("next", msk("2025-04-10 12:00")),  # after the range
            ],
            sales=[
                Sale(order_id="tue", sold_at=msk("2025-04-03 12:00")),
                Sale(order_id="sun", sold_at=msk("2025-04-08 12:00")),
                Sale(order_id="mon", sold_at=msk("2025-04-10 12:00")),
            ],
        )
        first, second = cohort_maturity(
            history, start=APRIL, end=april(9), today=april(10), freq="week"
        )
        assert (first.first, first.last, first.orders) == (APRIL, april(6), 2)
        assert figures(first) == [(0, 1, 1), (1, 1, 1), (2, 2, 2), (3, 2, 2), (4, 2, 2)]
        assert (second.first, second.last, second.orders) == (april(7), april(9), 2)
        assert figures(second) == [(0, 0, 0), (1, 1, 1)]

    def test_the_rate_so_far_climbs_past_age_30_with_sales_the_rate_never_counts(self) -> None:
        """
        A sale 35 days after its order raises the cohort's rate so far at age 35; the
        redemption rate of that day counts the order, not the sale (seed 003).
        """
        placed = msk("2025-03-01 12:00")
        history = History(
            orders=[an_order("on time", placed), an_order("late", placed)],
            sales=[
                Sale(order_id="on time", sold_at=placed + timedelta(days=2)),
                Sale(order_id="late", sold_at=placed + timedelta(days=35)),
            ],
        )
        day = date(2025, 3, 1)
        [cohort] = cohort_maturity(history, start=day, end=day, today=april(30), max_age=40)
        assert cohort.points[30].rate_so_far == Fraction(1, 2)
        assert cohort.points[35].rate_so_far == 1
        rate = redemption_rate(history, Period(day, day), today=april(30))
        assert (rate.orders, rate.sales, rate.rate) == (2, 1, Fraction(1, 2))

    def test_cohorts_per_group(self) -> None:
        """
        With `by`, each group has its own cohorts; without, one set of them.
        """
        history = History(
            orders=[
                an_order("1", msk("2025-04-01 10:00"), sku="a"),
                an_order("2", msk("2025-04-02 10:00"), sku="b", seller_id="t"),
                an_order("3", msk("2025-04-02 11:00"), sku="a"),
            ],
            sales=[Sale(order_id="2", sold_at=msk("2025-04-02 20:00"))],
        )
        by_sku = cohort_maturity(history, start=APRIL, end=april(2), today=april(2), by="sku")
        assert {sku: [(c.first, c.orders) for c in cs] for sku, cs in by_sku.items()} == {
            "a": [(april(1), 1), (april(2), 1)],
            "b": [(april(2), 1)],
        }
        assert by_sku["b"][0].latest.sold == 1
        by_seller = cohort_maturity(
            history, start=APRIL, end=april(2), today=april(2), by=lambda o: o.seller_id
        )
        assert [c.orders for c in by_seller["s"]] == [1, 1]
        assert [c.orders for c in cohort_maturity(history, start=APRIL, end=april(2),
                                                   today=april(2))] == [1, 2]  # fmt: skip

    def test_bad_arguments_are_refused(self) -> None:
        """
        An unknown freq or by, a negative or non-int max_age, and impossible ranges.
        """
        history = three_orders()
        with pytest.raises(InvalidArgumentError, match="freq must be 'day' or 'week', not 'month'"):
            cohort_maturity(history, start=APRIL, end=APRIL, today=APRIL, freq="month")  # type: ignore[call-overload]
        with pytest.raises(InvalidArgumentError, match="by"):
            cohort_maturity(history, start=APRIL, end=APRIL, today=APRIL, by="colour")  # type: ignore[call-overload]
        with pytest.raises(InvalidArgumentError, match="max_age"):
            cohort_maturity(history, start=APRIL, end=APRIL, today=APRIL, max_age=-1)
        for not_a_count in (True, 3.0, "3"):
            with pytest.raises(InvalidArgumentError, match="max_age must be a whole number"):
                cohort_maturity(history, start=APRIL, end=APRIL, today=APRIL, max_age=not_a_count)  # type: ignore[arg-type]
        with pytest.raises(ArgumentTypeError, match="start"):
            cohort_maturity(history, start="2025-04-01", end=APRIL, today=APRIL)  # type: ignore[call-overload]
        with pytest.raises(InvalidPeriodError, match="after end"):
            cohort_maturity(history, start=april(2), end=APRIL, today=april(3))
        with pytest.raises(InvalidPeriodError, match="after today"):
            cohort_maturity(history, start=APRIL, end=april(3), today=april(2))


# ------------------------------------------------------------------------------------------
# order_lags
# ------------------------------------------------------------------------------------------
class TestOrderLags:
    def test_percentiles_are_nearest_ranks_of_the_observed_lags(self) -> None:
        """
        Ten sales 1 to 10 days after their orders: median the 5th, p90 the 9th, p99 the
        10th; two cancellations after 1 and 3 hours: median 1 hour, p90 3 hours.
        """
        placed = msk("2025-04-01 12:00")
        orders = [an_order(f"s{d}", placed) for d in range(1, 11)]
        orders += [
            an_order("c1", placed, cancelled_at=placed + timedelta(hours=1)),
            an_order("c3", placed, cancelled_at=placed + timedelta(hours=3)),
            an_order("open", placed),
            an_order("after", placed),
        ]
        sales = [Sale(order_id=f"s{d}", sold_at=placed + timedelta(days=d)) for d in range(1, 11)]
        sales.append(Sale(order_id="after", sold_at=msk("2025-04-21 00:00")))  # after today
        returns = [
            Return(order_id="s1", returned_at=placed + timedelta(days=3)),
            Return(order_id="s2", returned_at=msk("2025-04-21 00:00")),  # after today
        ]
        lags = order_lags(
            History(orders=orders, sales=sales, returns=returns),
            start=APRIL,
            end=APRIL,
            today=april(20),
        )
        assert (lags.orders, lags.in_transit) == (14, 2)
        assert lags.to_sale == LagSummary(
            count=10, median=timedelta(days=5), p90=timedelta(days=9), p99=timedelta(days=10)
        )
        assert lags.to_cancellation == LagSummary(
            count=2, median=timedelta(hours=1), p90=timedelta(hours=3), p99=timedelta(hours=3)
        )
        assert lags.sale_to_return == LagSummary(
            count=1, median=timedelta(days=2), p90=timedelta(days=2), p99=timedelta(days=2)
        )

    def test_lags_per_group_and_nothing_to_summarise(self) -> None:
        """
        Per seller; a range without orders gives zero counts and no percentiles.
        """
        placed = msk("2025-04-01 12:00")
        history = History(
            orders=[an_order("1", placed, seller_id="a"), an_order("2", placed, seller_id="b")],
            sales=[Sale(order_id="2", sold_at=placed + timedelta(hours=30))],
        )
        by_seller = order_lags(history, start=APRIL, end=APRIL, today=april(3), by="seller")
        assert by_seller["a"].to_sale.count == 0
        assert by_seller["a"].to_sale.median is None
        assert by_seller["b"].to_sale.median == timedelta(hours=30)
        empty = order_lags(history, start=april(2), end=april(3), today=april(3))
        assert (empty.orders, empty.to_sale, empty.sale_to_return.p99) == (
            0,
            LagSummary.of([]),
            None,
        )


# ------------------------------------------------------------------------------------------
# projected_rate
# ------------------------------------------------------------------------------------------
MATURE = msk("2025-03-01 12:00")
YOUNG = msk("2025-04-28 12:00")


def projection_history(young: list[tuple[str, int | None]], sku: str = "k") -> History:
    """A mature day (1 March) of five orders of SKU "k": sold 1, 3 and 10 days after it,
    cancelled 2 and 5 days after it; and orders of `sku` on 28 April, each sold that many
    days after it, or in transit (None).
    """
    orders = [
        an_order("m0", MATURE),
        an_order("m1", MATURE, cancelled_at=MATURE + timedelta(days=2)),
        an_order("m2", MATURE),
        an_order("m3", MATURE, cancelled_at=MATURE + timedelta(days=5)),
        an_order("m4", MATURE),
    ]
    sales = [
        Sale(order_id=f"m{i}", sold_at=MATURE + timedelta(days=d))
        for i, d in ((0, 1), (2, 3), (4, 10))
    ]
    for order_id, after in young:
        orders.append(an_order(order_id, YOUNG, sku=sku))
        if after is not None:
            sales.append(Sale(order_id=order_id, sold_at=YOUNG + timedelta(days=after)))
    return History(orders=orders, sales=sales)


def project(
    history: History,
    *,
    by: Literal["sku", "seller"] = "sku",
    horizon_days: int = 30,
    min_mature: int = 7,
    method: Method = "in-transit",
) -> dict[str, tuple[RateProjection, ...]]:
    """Project the cohorts of 1 March to 30 April 2025 as of 30 April."""
    return projected_rate(
        history,
        start=date(2025, 3, 1),
        end=april(30),
        today=april(30),
        by=by,
        horizon_days=horizon_days,
        min_mature=min_mature,
        method=method,
    )


class TestProjectedRate:
    def test_in_transit_orders_end_as_the_mature_ones_did_at_their_age(self) -> None:
        """
        At age 2, of the three mature orders in transit two were sold and all settled:
        one sale so far and two orders in transit project to (1 + 2 * 2/3) / 3.
        """
        history = projection_history([("y0", 1), ("y1", None), ("y2", None)])
        [p] = project(history, min_mature=1)["k"]
        assert (p.day, p.age, p.orders, p.resolved, p.sales) == (april(28), 2, 3, 1, 1)
        assert (p.factor, p.settling) == (Fraction(2, 3), Fraction(1))
        assert (p.projected_sales, p.projected_orders) == (Fraction(7, 3), Fraction(3))
        assert p.projected_rate == Fraction(7, 9)
        assert p.rate_so_far == Fraction(1, 3)
        assert (p.mature, p.fallback, p.reason) == (1, False, None)

    def test_mature_orders_settling_after_the_window_are_not_projected_as_counted(
        self,
    ) -> None:
        """
        Two more mature orders settle after their window: one refused at day 40, one sold
        at day 35. Of the five mature orders in transit at age 2, three settled by day 30
        (settling 3/5), two of them sold (factor 2/5): the young cohort's projected
        orders are 1 + 2 * 3/5, not its 3 orders, and its rate (1 + 2 * 2/5) / (11/5).

        That is the rate as the window closes: the mature day's own is 3/5 then, while
        `redemption_rate` computed later counts the late two as orders not redeemed.
        """
        base = projection_history([("y0", 1), ("y1", None), ("y2", None)])
        history = History(
            orders=[
                *base.orders,
                an_order("m5", MATURE, cancelled_at=MATURE + timedelta(days=40)),
                an_order("m6", MATURE),
            ],
            sales=[*base.sales, Sale(order_id="m6", sold_at=MATURE + timedelta(days=35))],
        )
        [p] = project(history, min_mature=1)["k"]
        assert (p.age, p.orders, p.resolved, p.sales) == (2, 3, 1, 1)
        assert (p.settling, p.factor) == (Fraction(3, 5), Fraction(2, 5))
        assert p.projected_orders == Fraction(11, 5)
        assert p.projected_sales == Fraction(9, 5)
        assert p.projected_rate == Fraction(9, 11)
        march_1 = Period(date(2025, 3, 1), date(2025, 3, 1))
        at_close = redemption_rate(history, march_1, today=date(2025, 3, 31))
        assert (at_close.orders, at_close.sales, at_close.in_transit) == (5, 3, 2)
        later = redemption_rate(history, march_1, today=april(30))
        assert (later.orders, later.sales, later.in_transit) == (7, 3, 0)
        [chain] = project(history, min_mature=1, method="chain-ladder")["k"]
        assert chain.projected_orders == Fraction(11, 5)
        assert chain.projected_sales == Fraction(11, 5)  # 1 / (1/3) = 3, capped

    def test_chain_ladder_divides_the_sales_so_far_by_the_completion_factor(self) -> None:
        """
        One mature sale in three was made by age 2: one sale so far projects to three,
        which are all the orders expected; two sales of four orders would project to six,
        capped at the four orders the cohort can settle.
        """
        one = project(
            projection_history([("y0", 1), ("y1", None), ("y2", None)]),
            min_mature=1,
            method="chain-ladder",
        )["k"][0]
        assert (one.factor, one.projected_sales, one.projected_rate) == (
            Fraction(1, 3),
            Fraction(3),
            Fraction(1),
        )
        capped = project(
            projection_history([("y0", 1), ("y1", 0), ("y2", None), ("y3", None)]),
            min_mature=1,
            method="chain-ladder",
        )["k"][0]
        assert capped.sales == 2
        assert capped.projected_sales == capped.projected_orders == 4
        assert capped.projected_rate == 1

    def test_a_cohort_with_nothing_in_transit_is_already_final(self) -> None:
        """
        No order left in transit: the projection is the rate so far among the settled.
        """
        history = projection_history([("y0", 1), ("y1", 2)])
        history = History(
            orders=[
                *history.orders,
                an_order("y2", YOUNG, cancelled_at=YOUNG + timedelta(hours=1)),
            ],
            sales=history.sales,
        )
        [p] = project(history)["k"]
        assert (p.projected_rate, p.factor, p.fallback) == (Fraction(2, 3), None, False)

    def test_a_group_without_enough_mature_cohorts_falls_back_to_all_groups(self) -> None:
        """
        SKU "b" has no mature day, and "k" one, fewer than min_mature=2: both take the
        factors of all groups' mature cohorts, which are those of "k".
        """
        history = projection_history([("y0", 1), ("y1", None), ("y2", None)], sku="b")
        [p] = project(history, min_mature=1)["b"]
        assert (p.fallback, p.mature, p.projected_rate) == (True, 1, Fraction(7, 9))
        own = projection_history([("y0", 1), ("y1", None), ("y2", None)])
        [q] = project(own, min_mature=2)["k"]
        assert (q.fallback, q.projected_rate) == (True, Fraction(7, 9))
        [r] = project(own, min_mature=1)["k"]
        assert r.fallback is False

    def test_no_mature_data_gives_no_projection_and_says_why(self) -> None:
        """
        Without a mature cohort, or (chain ladder) without a mature sale by that age.
        """
        young = History(orders=[an_order("y", YOUNG)])
        [p] = project(young)["k"]
        assert (p.projected_rate, p.reason, p.mature) == (None, "no mature cohort", 0)
        history = projection_history([("y0", None)])
        at_age_0 = projected_rate(
            history, start=date(2025, 3, 1), end=april(28), today=april(28), method="chain-ladder"
        )["k"][0]
        assert at_age_0.age == 0
        assert at_age_0.projected_rate is None
        assert at_age_0.fallback
        assert at_age_0.reason == "no order of the mature cohorts was sold by this age"
        in_transit = projected_rate(history, start=date(2025, 3, 1), end=april(28), today=april(28))
        assert in_transit["k"][0].projected_rate == Fraction(3, 5)  # from age 0 on

    def test_only_maturing_days_of_the_range_are_projected(self) -> None:
        """
        The mature day and days outside the range are not in the results; by=None gives
        one tuple.
        """
        history = projection_history([("y0", 1), ("y1", None)])
        assert [p.day for p in projected_rate(history, start=date(2025, 3, 1), end=april(30),
                                             today=april(30), by=None)] == [april(28)]  # fmt: skip
        assert project(History(orders=[an_order("m", MATURE)])) == {}
        assert projected_rate(history, start=date(2025, 3, 1), end=april(27), today=april(30)) == {}

    def test_bad_arguments_are_refused(self) -> None:
        """
        An unknown method or by, a horizon or minimum below 1, a count that is not an int.
        """
        history = History()
        with pytest.raises(InvalidArgumentError, match="method"):
            project(history, method="bayes")  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError, match="horizon_days"):
            project(history, horizon_days=0)
        with pytest.raises(InvalidArgumentError, match="min_mature"):
            project(history, min_mature=0)
        with pytest.raises(InvalidArgumentError, match="min_mature must be a whole number"):
            project(history, min_mature=2.0)  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError, match="horizon_days must be a whole number"):
            project(history, horizon_days="30")  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError, match="by"):
            project(history, by=3)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------
# properties
# ------------------------------------------------------------------------------------------
@attrs.frozen
class Ranged:
    """Records, a range of order days of 30 to 60 days, a today within 30 days of its end."""

    records: Records
    start: date
    end: date
    today: date
    tz: tzinfo


@st.composite
def ranged(draw: st.DrawFn) -> Ranged:
    """Draw records, a range of order days, a today and a zone."""
    anchor = draw(st.sampled_from(ANCHORS))
    tz = draw(zones)
    start = anchor + timedelta(days=draw(st.integers(-10, SPAN_DAYS - 30)))
    end = start + timedelta(days=draw(st.integers(29, 59)))
    today = end + timedelta(days=draw(st.integers(0, 30)))
    return Ranged(draw(records(anchor, tz)), start, end, today, tz)


def sku_and_day(tz: tzinfo) -> Callable[[Order], Hashable]:
    """Group orders by SKU and order day in `tz`."""

    def key(order: Order) -> Hashable:
        return (order.sku, order_day(order.ordered_at, tz))

    return key


class TestProperties:
    @given(scenario=ranged(), freq=st.sampled_from(["day", "week"]))
    def test_resolved_share_and_rate_so_far_never_fall(
        self, scenario: Ranged, freq: Literal["day", "week"]
    ) -> None:
        """
        Along a cohort's ages, resolved and sold counts only grow, within its orders,
        one point a day, up to today at most.
        """
        s = scenario
        cohorts = cohort_maturity(
            s.records.history(),
            start=s.start,
            end=s.end,
            today=s.today,
            freq=freq,
            max_age=40,
            tz=s.tz,
        )
        for cohort in cohorts:
            assert s.start <= cohort.first <= cohort.last <= s.end
            assert cohort.points[0].age == 0
            assert cohort.points[0].day == cohort.last
            assert cohort.latest.day <= s.today
            for before, after in zip(cohort.points, cohort.points[1:], strict=False):
                assert after.age == before.age + 1
                assert after.resolved_share >= before.resolved_share
                assert after.rate_so_far >= before.rate_so_far
            assert all(
                0 <= p.sold <= p.resolved <= p.orders == cohort.orders for p in cohort.points
            )
            assert cohort.small == (cohort.orders < MIN_ORDERS)
            for p in cohort.points:
                assert p.rate_so_far_interval() == wilson_interval(p.sold, p.orders)
                assert p.resolved_interval(ci=0.9) == wilson_interval(p.resolved, p.orders, ci=0.9)
        firsts = [c.first for c in cohorts]
        assert firsts == sorted(set(firsts))

    @given(scenario=ranged())
    def test_week_cohorts_are_the_week_buckets_of_the_series(self, scenario: Ranged) -> None:
        """
        One week rule: each week cohort is a week bucket of `rate_series` over the same
        range, clipped alike, holding the orders the bucket counts or has in transit.
        """
        s = scenario
        history = s.records.history()
        cohorts = cohort_maturity(
            history, start=s.start, end=s.end, today=s.today, freq="week", max_age=0, tz=s.tz
        )
        [series] = rate_series(
            history, start=s.start, end=s.end, freq="week", today=s.today, tz=s.tz, ci=None
        ).values()
        assert [(c.first, c.last, c.orders) for c in cohorts] == [
            (p.first, p.last, p.orders + p.in_transit) for p in series if p.orders + p.in_transit
        ]

    @given(scenario=ranged())
    def test_as_of_today_cohorts_count_what_redemption_rate_counts(self, scenario: Ranged) -> None:
        """
        At its age that is today, each day cohort of each SKU holds the orders, sales and
        orders in transit that `redemption_rates` gives for those orders.
        """
        s = scenario
        history = s.records.history()
        cohorts = cohort_maturity(
            history, start=s.start, end=s.end, today=s.today, max_age=120, by="sku", tz=s.tz
        )
        ours = {}
        for sku, days in cohorts.items():
            for cohort in days:
                assert cohort.latest.day == s.today
                point = cohort.latest
                ours[sku, cohort.first] = (point.resolved, point.sold, point.in_transit)
        rates = redemption_rates(
            history, Period(s.start, s.end), today=s.today, by=sku_and_day(s.tz), tz=s.tz
        )
        assert ours == {group: (r.orders, r.sales, r.in_transit) for group, r in rates.items()}

    @given(scenario=ranged())
    def test_lags_are_observed_and_ordered(self, scenario: Ranged) -> None:
        """
        The counts are those `redemption_rate` gives; each percentile is an observed lag
        with at least p% of the lags at or below it and fewer than p% below it.
        """
        s = scenario
        history = s.records.history()
        lags = order_lags(history, start=s.start, end=s.end, today=s.today, tz=s.tz)
        report = redemption_rate(history, Period(s.start, s.end), today=s.today, tz=s.tz)
        assert lags.to_sale.count == report.sales
        assert lags.to_cancellation.count == report.orders - report.sales
        assert lags.sale_to_return.count == report.returns
        assert (lags.orders, lags.in_transit) == (
            report.orders + report.in_transit,
            report.in_transit,
        )

        low, high = (day_end(s.start - timedelta(days=1), s.tz), day_end(s.end, s.tz))
        seen = day_end(s.today, s.tz)
        sold = {sale.order_id: sale.sold_at for sale in history.sales if sale.sold_at < seen}
        observed = sorted(
            sold[o.order_id] - o.ordered_at
            for o in history.orders
            if low <= o.ordered_at < high and o.order_id in sold
        )
        summary = lags.to_sale
        assert summary.count == len(observed)
        if not observed:
            assert summary.median is None
            return
        assert summary.median is not None
        assert summary.p90 is not None
        assert summary.p99 is not None
        assert summary.median <= summary.p90 <= summary.p99
        for value, percent in ((summary.median, 50), (summary.p90, 90), (summary.p99, 99)):
            assert value in observed
            assert sum(lag <= value for lag in observed) * 100 >= percent * len(observed)
            assert sum(lag < value for lag in observed) * 100 < percent * len(observed)

    @given(
        scenario=ranged(),
        horizon=st.sampled_from([1, 7, 30]),
        min_mature=st.sampled_from([1, 3]),
        method=st.sampled_from(["in-transit", "chain-ladder"]),
    )
    def test_projections_stand_on_the_cohorts_and_stay_within_bounds(
        self, scenario: Ranged, horizon: int, min_mature: int, method: Method
    ) -> None:
        """
        Each maturing day is projected once, from its counts as of today; the projection
        lies between what is settled and every order, is final with nothing in transit,
        and is the same on the history cut at today.
        """
        s = scenario
        history = s.records.history()

        def projections(of: History) -> dict[str, tuple[RateProjection, ...]]:
            return projected_rate(
                of,
                start=s.start,
                end=s.end,
                today=s.today,
                tz=s.tz,
                horizon_days=horizon,
                min_mature=min_mature,
                method=method,
            )

        projected = projections(history)
        cohorts = cohort_maturity(
            history, start=s.start, end=s.end, today=s.today, max_age=horizon, by="sku", tz=s.tz
        )
        maturing = {
            (sku, c.first): c
            for sku, days in cohorts.items()
            for c in days
            if c.first + timedelta(days=horizon) > s.today
        }
        assert {(sku, p.day) for sku, ps in projected.items() for p in ps} == set(maturing)
        for sku, ps in projected.items():
            for p in ps:
                point = maturing[sku, p.day].points[p.age]
                assert p.age == (s.today - p.day).days < horizon
                assert (p.orders, p.resolved, p.sales) == (point.orders, point.resolved, point.sold)
                assert (p.reason is None) == (p.projected_rate is not None)
                if p.in_transit == 0:
                    assert p.projected_rate == Fraction(p.sales, p.resolved)
                assert p.small == (p.orders < MIN_ORDERS)
                assert p.rate_so_far_interval() == wilson_interval(p.sales, p.orders)
                if p.projected_rate is None:
                    assert p.projected_interval() is None
                    continue
                interval = p.projected_interval()
                assert interval is not None
                assert p.projected_rate in interval
                assert 0 <= interval.low <= interval.high <= 1
                assert p.projected_sales is not None
                assert p.projected_orders is not None
                assert p.sales <= p.projected_sales <= p.projected_orders <= p.orders
                assert p.resolved <= p.projected_orders
                assert 0 <= p.projected_rate <= 1
        assert projections(history.cut(s.today, tz=s.tz)) == projected


# ------------------------------------------------------------------------------------------
# the projection against the rate so far, on synthetic history
# ------------------------------------------------------------------------------------------
SALE_LAG_DAYS = (1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 7, 9, 12, 16, 21)
CANCEL_LAG_DAYS = (0, 0, 1, 1, 2, 5, 8, 10, 14)


def synthetic_history(
    rng: random.Random, rates: dict[str, float], first: date, days: int, per_day: int
) -> History:
    """Orders of each SKU, `per_day` a day: each sold with its SKU's probability after a
    lag drawn from SALE_LAG_DAYS, else cancelled after one from CANCEL_LAG_DAYS.
    """
    orders: list[Order] = []
    sales: list[Sale] = []
    for sku, rate in rates.items():
        for day in range(days):
            opening = datetime.combine(first + timedelta(days=day), time(9), tzinfo=MOSCOW)
            for n in range(per_day):
                placed = opening + timedelta(minutes=rng.randrange(14 * 60))
                order_id = f"{sku}-{day}-{n}"
                if rng.random() < rate:
                    lag = timedelta(days=rng.choice(SALE_LAG_DAYS), hours=rng.randrange(24))
                    orders.append(an_order(order_id, placed, sku=sku))
                    sales.append(Sale(order_id=order_id, sold_at=placed + lag))
                else:
                    lag = timedelta(days=rng.choice(CANCEL_LAG_DAYS), hours=rng.randrange(24))
                    orders.append(an_order(order_id, placed, sku=sku, cancelled_at=placed + lag))
    return History(orders=orders, sales=sales)


def mean_errors(method: Method, seed: int = 20250401) -> tuple[Fraction, Fraction]:
    """The mean absolute errors of the projection and of the rate so far, against the
    eventual rate of the 90 maturing days of a synthetic history.

    75 days of 12 orders a day for three SKUs redeemed 35%, 60% and 85% of the time;
    projected as of the 75th day, the eventual rate computed 30 days later.
    """
    first = date(2025, 1, 1)
    history = synthetic_history(
        random.Random(seed), {"a": 0.35, "b": 0.6, "c": 0.85}, first, 75, 12
    )
    today = first + timedelta(days=74)
    projected = projected_rate(
        history,
        start=first,
        end=today,
        today=today,
        method=method,
    )
    later = cohort_maturity(
        history, start=first, end=today, today=today + timedelta(days=30), max_age=30, by="sku"
    )
    eventual = {
        (sku, c.first): Fraction(c.points[30].sold, c.points[30].resolved)
        for sku, days in later.items()
        for c in days
    }
    errors: list[Fraction] = []
    naive: list[Fraction] = []
    for sku, ps in projected.items():
        assert [p.age for p in ps] == list(range(29, -1, -1))
        for p in ps:
            if p.projected_rate is None:  # no sale is ever made on the order day
                assert (method, p.age) == ("chain-ladder", 0)
                continue
            assert not p.fallback
            errors.append(abs(p.projected_rate - eventual[sku, p.day]))
            naive.append(abs(p.rate_so_far - eventual[sku, p.day]))
    return sum(errors, Fraction(0)) / len(errors), sum(naive, Fraction(0)) / len(naive)


class TestProjectionBeatsTheRateSoFar:
    @pytest.mark.parametrize("method", ["in-transit", "chain-ladder"])
    def test_mean_absolute_error_on_maturing_cohorts_is_smaller(self, method: Method) -> None:
        """
        Each method projects the maturing days closer to their eventual rate, on average,
        than their rate so far is.
        """
        projection, naive = mean_errors(method)
        assert projection < naive

    def test_the_in_transit_method_is_closer_than_the_chain_ladder(self) -> None:
        """
        Projecting only the orders in transit errs less than scaling the sales so far:
        the reason it is the default.
        """
        in_transit, _ = mean_errors("in-transit")
        chain_ladder, _ = mean_errors("chain-ladder")
        assert in_transit < chain_ladder


def test_timestamps_in_any_zone_land_on_the_days_of_the_zone_asked() -> None:
    """
    An order at 23:30 UTC on 31 March is on 1 April in Moscow and on 31 March in UTC.
    """
    placed = datetime(2025, 3, 31, 23, 30, tzinfo=UTC)
    history = History(orders=[an_order("1", placed)])
    [moscow] = cohort_maturity(history, start=date(2025, 3, 31), end=APRIL, today=APRIL)
    [utc] = cohort_maturity(history, start=date(2025, 3, 31), end=APRIL, today=APRIL, tz=UTC)
    assert (moscow.first, utc.first) == (APRIL, date(2025, 3, 31))
