from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Hashable
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from redemption import (
    BeyondHorizonWarning,
    CancelKind,
    History,
    InvalidArgumentError,
    InvalidPeriodError,
    Order,
    Period,
    Reason,
    ReasonCategory,
    ReturnKind,
    Sale,
    redemption_rate,
    redemption_rates,
)
from redemption.analysis import (
    Breakdown,
    RateChange,
    SeriesPoint,
    rate_changes,
    rate_series,
    refusal_breakdown,
    wilson_interval,
)
from redemption.analysis._changes import adjusted_p_values, drop_test, fisher_lower, z_test
from redemption.analysis._intervals import interval_at
from redemption.calculators import Outcome, RateReport
from redemption.windows import DayWindow
from tests.strategies import Records, Scenario, scenarios
from tests.test_breakdown import APRIL, LATE_TODAY, back, ending, every_ending_history, sold

REFUSED_KINDS = (CancelKind.REFUSED, CancelKind.NOT_COLLECTED)


def phi(z: float) -> float:
    """The standard normal distribution function, from the error function (not NormalDist)."""
    return 0.5 * math.erfc(-z / math.sqrt(2))


def fisher_by_definition(x1: int, n1: int, x2: int, n2: int) -> Fraction:
    """Fisher's one-sided p-value summed over the current period's orders, as it was.

    ``sum over k <= x1 of C(S, k) C(U, n1 - k) / C(N, n1)``: exact, and slow for large
    periods, as C(N, n1) has N/2 in it.
    """
    total, sold = n1 + n2, x1 + x2
    unsold = total - sold
    tail = sum(
        math.comb(sold, k) * math.comb(unsold, n1 - k) for k in range(max(0, n1 - unsold), x1 + 1)
    )
    return Fraction(tail, math.comb(total, n1))


def hypergeometric_cdf(x: int, successes: int, failures: int, draws: int) -> float:
    """``P(X <= x)`` of the successes among `draws` drawn, in floats from log-gamma."""

    def log_comb(n: int, k: int) -> float:
        return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)

    whole = log_comb(successes + failures, draws)
    return sum(
        math.exp(log_comb(successes, k) + log_comb(failures, draws - k) - whole)
        for k in range(max(0, draws - failures), min(x, draws) + 1)
    )


# ------------------------------------------------------------------------------------------
# the Wilson interval
# ------------------------------------------------------------------------------------------
class TestWilsonInterval:
    def test_eight_of_ten_matches_the_formula_worked_in_floats(self) -> None:
        """
        The bounds of 8 of 10 are the formula's, worked apart in floats: 0.4902 to 0.9433.
        """
        interval = wilson_interval(8, 10)
        assert interval is not None
        z, n, p = 1.959963984540054, 10, 0.8
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        assert float(interval.low) == pytest.approx(centre - half, abs=1e-12)
        assert float(interval.high) == pytest.approx(centre + half, abs=1e-12)
        assert float(interval.low) == pytest.approx(0.4902, abs=1e-4)
        assert float(interval.high) == pytest.approx(0.9433, abs=1e-4)
        assert isinstance(interval.low, Decimal)
        assert len(interval.low.as_tuple().digits) >= 27  # worked to 28 digits

    def test_the_ends_are_exact_at_none_and_all(self) -> None:
        """
        With none or every order sold, the bound at that end is exactly 0 or 1.
        """
        none, every = wilson_interval(0, 10), wilson_interval(10, 10)
        assert none is not None
        assert every is not None
        assert none.low == 0
        assert 0 < none.high < 1
        assert every.high == 1
        assert 0 < every.low < 1
        assert none.high == 1 - every.low  # the interval is symmetric under p -> 1 - p

    def test_no_trial_has_no_interval(self) -> None:
        """
        No order counted: no rate, and no interval.
        """
        assert wilson_interval(0, 0) is None

    def test_a_higher_level_is_wider(self) -> None:
        """
        A 99% interval holds a 90% one.
        """
        ninety = wilson_interval(30, 50, ci=0.9)
        ninety_nine = wilson_interval(30, 50, ci=0.99)
        assert ninety is not None
        assert ninety_nine is not None
        assert ninety_nine.low < ninety.low
        assert ninety.high < ninety_nine.high

    @pytest.mark.parametrize(
        ("successes", "trials", "ci"),
        [(3, 2, 0.95), (-1, 2, 0.95), (1, 2, 1), (1, 2, 0), (1, 2, 1.5), (True, 2, 0.95)],
    )
    def test_bad_arguments_are_refused(self, successes: int, trials: int, ci: float) -> None:
        """
        Bad arguments are refused with the library's errors.
        """
        with pytest.raises(InvalidArgumentError):
            wilson_interval(successes, trials, ci=ci)

    @given(trials=st.integers(1, 500), data=st.data())
    def test_whole_fractions_give_the_interval_of_the_counts(
        self, trials: int, data: st.DataObject
    ) -> None:
        """
        Fractional counts (a projection's) follow the same formula: whole ones give the
        interval of the integers, and a fraction's interval holds its rate.
        """
        successes = data.draw(st.integers(0, trials))
        whole = interval_at(Fraction(successes), Fraction(trials), 0.95)
        assert whole == wilson_interval(successes, trials)
        third = interval_at(Fraction(successes, 3), Fraction(trials, 3), 0.95)
        assert third is not None
        assert Fraction(successes, trials) in third
        assert whole is not None
        assert third.width > whole.width  # a third as many orders: wider

    def test_the_repr_shows_four_places(self) -> None:
        """
        The repr rounds both bounds to four places.
        """
        assert repr(wilson_interval(1, 4)) == "Interval(0.0456..0.6994)"

    @given(
        trials=st.integers(1, 2_000),
        data=st.data(),
        ci=st.one_of(st.just(0.95), st.floats(0.5, 0.999)),
    )
    def test_it_contains_the_rate_and_lies_within_zero_and_one(
        self, trials: int, data: st.DataObject, ci: float
    ) -> None:
        """
        Any counts: the interval holds the observed rate and lies within [0, 1].
        """
        successes = data.draw(st.integers(0, trials))
        interval = wilson_interval(successes, trials, ci=ci)
        assert interval is not None
        assert 0 <= interval.low <= interval.high <= 1
        assert Fraction(successes, trials) in interval
        assert interval.low <= Fraction(successes, trials) <= interval.high

    @given(
        trials=st.integers(1, 300),
        data=st.data(),
        times=st.integers(2, 10),
    )
    def test_it_narrows_as_the_counts_grow_at_a_fixed_rate(
        self, trials: int, data: st.DataObject, times: int
    ) -> None:
        """
        The same rate over more orders gives a narrower interval.
        """
        successes = data.draw(st.integers(0, trials))
        few = wilson_interval(successes, trials)
        many = wilson_interval(successes * times, trials * times)
        assert few is not None
        assert many is not None
        assert many.width < few.width


# ------------------------------------------------------------------------------------------
# the breakdown
# ------------------------------------------------------------------------------------------
class TestRefusalBreakdown:
    def test_shares_of_every_outcome_and_reason(self) -> None:
        """
        SKU "a" of the hand-built history: 12 counted orders, 9 not redeemed.
        """
        a = refusal_breakdown(every_ending_history(), APRIL, today=LATE_TODAY, by="sku")["a"]
        assert (a.orders, a.in_transit, a.sales, a.returns) == (12, 2, 5, 3)
        assert a.rate == Fraction(5, 12)
        assert a.rate_with_returns == Fraction(2, 12)
        assert a.outcome_shares[Outcome.KEPT, None] == Fraction(2, 12)
        assert a.outcome_shares[Outcome.SOLD_LATE, None] == Fraction(1, 12)
        assert a.outcome_shares[Outcome.RETURNED, ReturnKind.REFUSED_AT_HANDOVER] == Fraction(1, 12)
        assert a.outcome_shares[Outcome.CANCELLED, CancelKind.NOT_COLLECTED] == Fraction(1, 12)
        assert a.outcome_shares[Outcome.CANCELLED, CancelKind.UNKNOWN] == Fraction(1, 12)
        assert a.not_kept == 9
        assert a.reason_shares[ReasonCategory.UNKNOWN] == Fraction(2, 9)
        assert a.reason_shares[ReasonCategory.SIZE_FIT] == Fraction(1, 9)
        assert a.reason_shares[ReasonCategory.APPEARANCE] == 0
        assert sum(s for s in a.outcome_shares.values() if s is not None) == 1
        assert sum(s for s in a.reason_shares.values() if s is not None) == 1
        assert (a.kept, a.returned, a.sold_late, a.cancelled) == (2, 3, 1, 6)
        assert a.small
        assert a.complete

    def test_the_rates_carry_wilson_intervals(self) -> None:
        """
        The rates' intervals are Wilson's over the counts; ``ci=None`` leaves them out.
        """
        [overall] = refusal_breakdown(every_ending_history(), APRIL, today=LATE_TODAY).values()
        assert overall.orders == 13
        assert overall.rate_interval == wilson_interval(5, 13)
        assert overall.rate_with_returns_interval == wilson_interval(2, 13)
        assert overall.report == redemption_rate(every_ending_history(), APRIL, today=LATE_TODAY)
        plain = refusal_breakdown(every_ending_history(), APRIL, today=LATE_TODAY, ci=None)
        assert plain[None].rate_interval is None
        assert plain[None].rate_with_returns_interval is None
        assert plain[None].rate == overall.rate

    def test_every_share_carries_a_wilson_interval(self) -> None:
        """
        Each outcome's share has Wilson's interval over the counted orders, each reason's
        over the orders not kept; a key that is not an outcome, or a category that is not
        a reason, is refused, as is a bad level.
        """
        a = refusal_breakdown(every_ending_history(), APRIL, today=LATE_TODAY, by="sku")["a"]
        for key, count in a.outcomes.items():
            assert a.outcome_interval(key) == wilson_interval(count, 12)
            assert a.outcome_interval(key, ci=0.8) == wilson_interval(count, 12, ci=0.8)
        for category, count in a.reasons.items():
            assert a.reason_interval(category) == wilson_interval(count, 9)
        with pytest.raises(InvalidArgumentError, match="not an outcome key"):
            a.outcome_interval((Outcome.KEPT, CancelKind.BUYER))
        with pytest.raises(InvalidArgumentError, match="must be a ReasonCategory"):
            a.reason_interval("size_fit")  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError, match="ci must be"):
            a.outcome_interval((Outcome.KEPT, None), ci=1.5)

    def test_small_is_fewer_orders_than_asked_for(self) -> None:
        """
        A group is small below `min_orders` counted orders, not at it.
        """
        history = every_ending_history()
        assert (
            refusal_breakdown(history, APRIL, today=LATE_TODAY, min_orders=13)[None].small is False
        )
        assert refusal_breakdown(history, APRIL, today=LATE_TODAY, min_orders=14)[None].small

    def test_by_buyer_puts_orders_without_a_buyer_under_none(self) -> None:
        """
        By buyer, orders without a buyer are one group, None.
        """
        found = refusal_breakdown(every_ending_history(), APRIL, today=LATE_TODAY, by="buyer")
        assert set(found) == {"b1", None}
        assert found["b1"].orders == 6
        assert found["b1"].reason_shares[ReasonCategory.SIZE_FIT] == Fraction(1, 3)
        assert found[None].orders == 7
        assert found[None].outcome_shares[Outcome.CANCELLED, CancelKind.REFUSED] == Fraction(2, 7)

    def test_by_a_function(self) -> None:
        """
        A function of the order is a grouping.
        """
        found = refusal_breakdown(
            every_ending_history(), APRIL, today=LATE_TODAY, by=lambda o: o.cancel_kind is None
        )
        assert found[True].cancelled == 0
        assert found[False].cancelled == 7
        assert found[False].rate == 0

    def test_a_group_of_orders_in_transit_has_no_shares(self) -> None:
        """
        Orders all in transit: no rate, no interval, and no shares.
        """
        history = History(orders=[ending("1", "2025-04-10 10:00")])
        [b] = refusal_breakdown(history, APRIL, today=LATE_TODAY).values()
        assert (b.orders, b.in_transit, b.rate, b.rate_interval) == (0, 1, None, None)
        assert set(b.outcome_shares.values()) == {None}
        assert set(b.reason_shares.values()) == {None}

    def test_a_group_that_kept_everything_has_no_reason_shares(self) -> None:
        """
        Every order kept: the outcome shares are there, the reason shares are not.
        """
        history = History(
            orders=[ending("1", "2025-04-10 10:00")], sales=[sold("1", "2025-04-11 10:00")]
        )
        [b] = refusal_breakdown(history, APRIL, today=LATE_TODAY).values()
        assert b.outcome_shares[Outcome.KEPT, None] == 1
        assert set(b.reason_shares.values()) == {None}
        assert b.reason_interval(ReasonCategory.UNKNOWN) is None
        assert b.outcome_interval((Outcome.KEPT, None)) == wilson_interval(1, 1)

    def test_the_repr_is_readable(self) -> None:
        """
        The repr shows the rates with their intervals, and what the orders did.
        """
        b = refusal_breakdown(every_ending_history(), APRIL, today=LATE_TODAY, by="sku")["b"]
        assert repr(b) == (
            "Breakdown(orders=1, in_transit=0, rate=0 [0.0000..0.7935], "
            "rate_with_returns=0 [0.0000..0.7935], outcomes=(cancelled/refused=1), "
            "reasons=(size_fit=1), small=True, complete=True)"
        )

    @pytest.mark.parametrize(
        "arguments",
        [{"by": "colour"}, {"by": 3}, {"ci": 0}, {"ci": "0.95"}, {"min_orders": -1}],
    )
    def test_bad_arguments_are_refused(self, arguments: dict[str, object]) -> None:
        """
        Bad arguments are refused with the library's errors.
        """
        with pytest.raises(InvalidArgumentError):
            refusal_breakdown(every_ending_history(), APRIL, today=LATE_TODAY, **arguments)  # type: ignore[call-overload]

    def test_a_period_after_today_is_refused(self) -> None:
        """
        A period ending after today is refused, as `redemption_rate` refuses it.
        """
        with pytest.raises(InvalidPeriodError):
            refusal_breakdown(every_ending_history(), APRIL, today=date(2025, 4, 29))


# ------------------------------------------------------------------------------------------
# the series
# ------------------------------------------------------------------------------------------
def series_history() -> History:
    """Orders of April 2025, two SKUs, for buckets of weeks and months.

    SKU "a": 2 April kept; 3 April refused; 5 April returned (RETURN); 8 April returned as
    refused at handover; 9 April not collected; 10 April sold on 15 May (after its week's
    sales window, which ends on 13 May); 21 April in transit; 22 April kept; 25 March and
    1 April kept. SKU "b": 16 April kept.
    """
    orders = [
        ending("1", "2025-04-02 10:00"),
        ending(
            "2", "2025-04-03 10:00", cancelled="2025-04-06 10:00", cancel_kind=CancelKind.REFUSED
        ),
        ending("3", "2025-04-05 10:00"),
        ending("4", "2025-04-08 10:00"),
        ending(
            "5",
            "2025-04-09 10:00",
            cancelled="2025-04-16 10:00",
            cancel_kind=CancelKind.NOT_COLLECTED,
        ),
        ending("6", "2025-04-10 10:00"),
        ending("7", "2025-04-21 10:00"),
        ending("8", "2025-04-22 10:00"),
        ending("9", "2025-03-25 10:00"),
        ending("10", "2025-04-01 10:00"),
        ending("11", "2025-04-16 10:00", sku="b"),
    ]
    sales = [
        sold("1", "2025-04-04 10:00"),
        sold("3", "2025-04-06 10:00"),
        sold("4", "2025-04-09 10:00"),
        sold("6", "2025-05-15 10:00"),
        sold("8", "2025-04-23 10:00"),
        sold("9", "2025-03-27 10:00"),
        sold("10", "2025-04-03 10:00"),
        sold("11", "2025-04-18 10:00"),
    ]
    returns = [
        back("3", "2025-04-08 10:00", ReturnKind.RETURN),
        back("4", "2025-04-09 12:00", ReturnKind.REFUSED_AT_HANDOVER),
    ]
    return History(orders=orders, sales=sales, returns=returns)


def shape(point: SeriesPoint) -> tuple[object, ...]:
    """A point's days, whether it is clipped, and its counts.

    Orders, in transit, sales, refused, returned.
    """
    return (
        point.first,
        point.last,
        point.clipped,
        point.orders,
        point.in_transit,
        point.sales,
        point.refused,
        point.returned,
    )


class TestRateSeries:
    def test_weeks_from_wednesday_to_tuesday_are_clipped_at_both_ends(self) -> None:
        """
        Weeks of 2-22 April 2025: Wednesday to Sunday, two whole weeks, Monday to Tuesday.
        """
        series = rate_series(
            series_history(),
            start=date(2025, 4, 2),
            end=date(2025, 4, 22),
            freq="week",
            today=date(2025, 6, 1),
            by="sku",
        )
        assert [shape(p) for p in series["a"]] == [
            (date(2025, 4, 2), date(2025, 4, 6), True, 3, 0, 2, 1, 1),
            (date(2025, 4, 7), date(2025, 4, 13), False, 3, 0, 1, 2, 0),
            (date(2025, 4, 14), date(2025, 4, 20), False, 0, 0, 0, 0, 0),
            (date(2025, 4, 21), date(2025, 4, 22), True, 1, 1, 1, 0, 0),
        ]
        first, second, empty, last = series["a"]
        assert (first.rate, first.refusal_share, first.return_share) == (
            Fraction(2, 3),
            Fraction(1, 3),
            Fraction(1, 3),
        )
        assert (second.rate, second.refusal_share, second.return_share) == (
            Fraction(1, 3),
            Fraction(2, 3),
            Fraction(0),
        )
        assert second.counts.sold_late == 1
        assert (empty.rate, empty.refusal_share, empty.rate_interval) == (None, None, None)
        assert last.rate == 1
        assert first.rate_interval == wilson_interval(2, 3)
        assert second.refusal_interval == wilson_interval(2, 3)
        assert first.return_interval == wilson_interval(1, 3)
        assert all(p.complete and p.small for p in series["a"])
        assert [shape(p)[3:] for p in series["b"]] == [
            (0, 0, 0, 0, 0),
            (0, 0, 0, 0, 0),
            (1, 0, 1, 0, 0),
            (0, 0, 0, 0, 0),
        ]

    def test_a_bucket_counts_its_own_orders_without_reaching_back_30_days(self) -> None:
        """
        The week 7-13 April counts its three orders, where `redemption_rate` of that week
        counts every order from 15 March.
        """
        history = series_history()
        [series] = rate_series(
            history,
            start=date(2025, 4, 7),
            end=date(2025, 4, 13),
            freq="week",
            today=date(2025, 6, 1),
        ).values()
        [week] = series
        assert (week.orders, week.sales) == (3, 1)
        assert week.counts.report.window.orders == DayWindow(date(2025, 4, 7), date(2025, 4, 13))
        assert week.counts.report.window.sales == DayWindow(date(2025, 4, 7), date(2025, 5, 13))
        extended = redemption_rate(
            history, Period(date(2025, 4, 7), date(2025, 4, 13)), today=date(2025, 6, 1)
        )
        assert extended.orders == 8  # 25 March to 10 April

    def test_months_are_clipped_to_start_and_end(self) -> None:
        """
        Months from 15 March to 10 May: two clipped months around a whole April.
        """
        series = rate_series(
            series_history(),
            start=date(2025, 3, 15),
            end=date(2025, 5, 10),
            freq="month",
            today=date(2025, 6, 30),
            ci=None,
        )[None]
        assert [shape(p) for p in series] == [
            (date(2025, 3, 15), date(2025, 3, 31), True, 1, 0, 1, 0, 0),
            (date(2025, 4, 1), date(2025, 4, 30), False, 9, 1, 7, 3, 1),
            (date(2025, 5, 1), date(2025, 5, 10), True, 0, 0, 0, 0, 0),
        ]
        april = series[1]
        assert april.counts.sold_late == 0  # sold on 15 May, within April's sales window
        assert april.rate_interval is None
        assert [p.complete for p in series] == [True, True, True]  # 10 May + 30 < 30 June

    def test_a_point_is_complete_once_its_30_days_have_passed(self) -> None:
        """
        On 10 May the first week (to 6 April) is complete, the second (to 13 April) not.
        """
        series = rate_series(
            series_history(),
            start=date(2025, 4, 2),
            end=date(2025, 4, 13),
            freq="week",
            today=date(2025, 5, 10),
        )[None]
        assert [p.complete for p in series] == [True, False]  # 6 April + 30 = 6 May
        # the second week's sales window ends on today: the sale of 15 May is not seen
        assert series[1].counts.report.window.sales.last == date(2025, 5, 10)
        assert series[1].orders == 2  # 10 April's order is in transit as of 10 May
        assert series[1].in_transit == 1

    def test_days_and_a_single_day(self) -> None:
        """
        By default a point is a day, never clipped; a day with no order is there.
        """
        series = rate_series(
            series_history(), start=date(2025, 4, 2), end=date(2025, 4, 4), today=date(2025, 6, 1)
        )[None]
        assert [(p.first, p.last, p.clipped, p.orders) for p in series] == [
            (date(2025, 4, 2), date(2025, 4, 2), False, 1),
            (date(2025, 4, 3), date(2025, 4, 3), False, 1),
            (date(2025, 4, 4), date(2025, 4, 4), False, 0),
        ]

    def test_the_repr_shows_days_counts_and_rates(self) -> None:
        """
        The repr shows the bucket's days, its counts and its rates with their intervals.
        """
        [point] = rate_series(
            series_history(),
            start=date(2025, 4, 16),
            end=date(2025, 4, 16),
            today=date(2025, 6, 1),
            by="sku",
        )["b"]
        assert repr(point) == (
            "SeriesPoint(2025-04-16..2025-04-16, orders=1, in_transit=0, "
            "rate=1 [0.2065..1.0000], refusal_share=0 [0.0000..0.7935], "
            "return_share=0 [0.0000..0.7935], small=True, complete=True)"
        )

    @pytest.mark.parametrize(
        ("arguments", "error"),
        [
            ({"freq": "year"}, InvalidArgumentError),
            ({"freq": ["week"]}, InvalidArgumentError),
            ({"by": "colour"}, InvalidArgumentError),
            ({"ci": 2}, InvalidArgumentError),
            ({"min_orders": -1}, InvalidArgumentError),
            ({"min_orders": "3"}, InvalidArgumentError),
            ({"min_orders": 3.0}, InvalidArgumentError),
            ({"end": date(2025, 6, 2)}, InvalidPeriodError),
            ({"start": date(2025, 5, 2), "end": date(2025, 5, 1)}, InvalidPeriodError),
        ],
    )
    def test_bad_arguments_are_refused(
        self, arguments: dict[str, object], error: type[Exception]
    ) -> None:
        """
        Bad arguments are refused with the library's errors.
        """
        given = {"start": date(2025, 4, 1), "end": date(2025, 4, 30), "today": date(2025, 6, 1)}
        with pytest.raises(error):
            rate_series(series_history(), **(given | arguments))  # type: ignore[call-overload]

    def test_counts_and_freq_are_checked_as_in_the_rest_of_the_analysis(self) -> None:
        """
        One message for a count that is not a whole number, one for an unknown freq.
        """
        given = {"start": date(2025, 4, 1), "end": date(2025, 4, 30), "today": date(2025, 6, 1)}
        with pytest.raises(
            InvalidArgumentError, match=r"min_orders must be a whole number, 0 or more, not '3'"
        ):
            rate_series(series_history(), **given, min_orders="3")  # type: ignore[call-overload]
        with pytest.raises(
            InvalidArgumentError, match=r"freq must be 'day', 'week' or 'month', not 'year'"
        ):
            rate_series(series_history(), **given, freq="year")  # type: ignore[call-overload]


# ------------------------------------------------------------------------------------------
# the changes
# ------------------------------------------------------------------------------------------
MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))


def month_orders(sku: str, month: int, orders: int, sales: int) -> tuple[list[Order], list[Sale]]:
    """Place `orders` orders of `sku` on the 10th of `month` 2025.

    The first `sales` are sold that day, the others refused.
    """
    return day_orders(sku, date(2025, month, 10), orders, sales)


def day_orders(sku: str, day: date, orders: int, sales: int) -> tuple[list[Order], list[Sale]]:
    """Place `orders` orders of `sku` on `day`: the first `sales` sold that day, the others
    refused.
    """
    placed = f"{day.isoformat()} 10:00"
    made = [
        ending(
            f"{sku}-{day.isoformat()}-{i}",
            placed,
            sku=sku,
            cancelled=None if i < sales else placed,
            cancel_kind=None if i < sales else CancelKind.REFUSED,
        )
        for i in range(orders)
    ]
    return made, [sold(o.order_id, placed) for o in made[:sales]]


def months_history(*plan: tuple[str, int, int, int], extra: tuple[Order, ...] = ()) -> History:
    """Build a history of `month_orders` of each ``(sku, month, orders, sales)``, and `extra`."""
    orders: list[Order] = list(extra)
    sales: list[Sale] = []
    for sku, month, placed, sold_ in plan:
        made, made_sales = month_orders(sku, month, placed, sold_)
        orders += made
        sales += made_sales
    return History(orders=orders, sales=sales)


class TestTests:
    def test_the_z_test_matches_a_hand_computation(self) -> None:
        """
        40 of 50 sold, then 30 of 50: pooled 0.7, z = -0.2 / sqrt(0.7 * 0.3 * (2/50)).
        """
        z, p = z_test(30, 50, 40, 50)
        assert z == pytest.approx(-2.1821789, abs=1e-7)
        assert p == pytest.approx(phi(-0.2 / math.sqrt(0.7 * 0.3 * 0.04)), rel=1e-9)
        assert p == pytest.approx(0.014548, abs=1e-6)
        assert drop_test(30, 50, 40, 50)[0] == "z"

    def test_fishers_test_matches_a_hand_computation(self) -> None:
        """
        5 of 5 sold, then 1 of 5: of the C(10, 5) = 252 ways to pick the current five from
        six sold and four not, 6 have one sold or fewer (zero is impossible).
        """
        assert fisher_lower(1, 5, 5, 5) == pytest.approx(6 / 252, rel=1e-15)
        assert drop_test(1, 5, 5, 5) == ("fisher", None, fisher_lower(1, 5, 5, 5))
        # 2 of 10 after 9 of 10: (C(11,1)C(9,9) + C(11,2)C(9,8)) / C(20,10)
        assert fisher_lower(2, 10, 9, 10) == pytest.approx((11 + 55 * 9) / 184_756, rel=1e-15)
        assert fisher_lower(5, 5, 1, 5) == 1

    def test_fishers_test_is_the_hypergeometric_tail_on_every_small_table(self) -> None:
        """
        Every table of up to 9 orders a period, and lopsided ones: the p-value summed over
        the smallest margin is the one summed over the current period's orders, exactly
        (the same rational, rounded once).
        """
        sizes = [(n1, n2) for n1 in range(1, 10) for n2 in range(1, 10)]
        sizes += [(1, 60), (60, 1), (3, 40), (40, 3), (25, 26)]
        for n1, n2 in sizes:
            for x1 in range(n1 + 1):
                for x2 in range(n2 + 1):
                    expected = float(fisher_by_definition(x1, n1, x2, n2))
                    assert fisher_lower(x1, n1, x2, n2) == expected, (x1, n1, x2, n2)

    def test_fishers_test_on_a_million_orders_a_period_is_quick(self) -> None:
        """
        Two periods of a million orders with 7 sales between them (Fisher: an expected
        count below 5) were summed over C(2 000 000, 1 000 000), for minutes; summed over
        the seven sales it is immediate. So is a period of one order beside a million
        half sold, where the fewer of sold and not sold is half a million.
        """
        test, z, p = drop_test(2, 10**6, 5, 10**6)
        assert (test, z) == ("fisher", None)
        assert p == pytest.approx(hypergeometric_cdf(2, 10**6, 10**6, 7), rel=1e-6)
        assert p == pytest.approx(29 / 128, rel=1e-5)  # nearly Binomial(7, 1/2) <= 2
        assert drop_test(0, 1, 500_000, 10**6) == (
            "fisher",
            None,
            float(Fraction(500_001, 1_000_001)),  # the one order is among those not sold
        )
        # a sum of 1 001 terms over the 2 000 sold, p close to 1
        assert fisher_lower(1_000, 2_000, 1_000, 10**6) == pytest.approx(1.0)
        # the current period is small here: summed over its orders, as before, it is exact
        assert fisher_lower(3, 2_000, 2_000, 10**6) == float(
            fisher_by_definition(3, 2_000, 2_000, 10**6)
        )

    def test_the_branch_follows_the_smallest_expected_count(self) -> None:
        """
        Expected counts: 20 x 25 / 40 = 12.5 sold; 20 x 15 / 40 = 7.5 not sold: the z-test.
        With 36 sold of 40: 20 x 4 / 40 = 2 not sold expected: Fisher.
        """
        assert drop_test(10, 20, 15, 20)[0] == "z"
        assert drop_test(17, 20, 19, 20)[0] == "fisher"

    @pytest.mark.parametrize(
        ("table", "test"),
        [
            ((4, 10, 6, 10), "z"),  # 10 sold of 20: 10 x 10 / 20 = 5 expected, exactly
            ((4, 10, 5, 10), "fisher"),  # 9 sold: 10 x 9 / 20 = 4.5
            ((5, 10, 15, 30), "z"),  # 20 sold of 40: the smaller period 10 x 20 / 40 = 5
            ((5, 10, 14, 30), "fisher"),  # 19 sold: 10 x 19 / 40 = 4.75
            ((15, 20, 15, 20), "z"),  # 10 not sold of 40: 20 x 10 / 40 = 5
            ((16, 20, 15, 20), "fisher"),  # 9 not sold: 20 x 9 / 40 = 4.5
        ],
    )
    def test_an_expected_count_of_exactly_5_takes_the_z_test(
        self, table: tuple[int, int, int, int], test: str
    ) -> None:
        """
        The z-test when every expected count is at least 5: 5 itself is enough.
        """
        assert drop_test(*table)[0] == test

    def test_holm_on_a_known_list(self) -> None:
        """
        Holm: 0.005 x 4, 0.01 x 3, then 0.03 x 2 = 0.06, and 0.04 keeps 0.06.
        """
        adjusted = adjusted_p_values([0.01, 0.04, 0.03, 0.005], "holm")
        assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])

    def test_benjamini_hochberg_on_a_known_list(self) -> None:
        """
        Benjamini-Hochberg: 0.005 x 4, 0.01 x 4/2, then 0.03 x 4/3 and 0.04 x 4/4.
        """
        adjusted = adjusted_p_values([0.01, 0.04, 0.03, 0.005], "bh")
        assert adjusted == pytest.approx([0.02, 0.04, 0.04, 0.02])

    def test_adjustments_are_capped_at_one_and_none_adjusts_nothing(self) -> None:
        """
        Adjusted p-values stay at most 1; no correction gives them back as they were.
        """
        assert adjusted_p_values([0.6, 0.9], "holm") == pytest.approx([1.0, 1.0])
        assert adjusted_p_values([0.6, 0.9], "bh") == pytest.approx([0.9, 0.9])
        assert adjusted_p_values([0.6, 0.2], None) == [0.6, 0.2]
        assert adjusted_p_values([], "holm") == []


class TestRateChanges:
    def history(self) -> History:
        """Build SKUs whose rates drop, stay, or cannot be tested.

        SKU "z": 40 of 50 in March, 30 of 50 in April; "f": 5 of 5, then 1 of 5; "s":
        steady, 8 of 10 each month; "m": March only; "t": April orders all in transit.
        """
        in_transit = tuple(ending(f"t-{i}", "2025-04-12 10:00", sku="t") for i in range(3))
        return months_history(
            ("z", 3, 50, 40),
            ("z", 4, 50, 30),
            ("f", 3, 5, 5),
            ("f", 4, 5, 1),
            ("s", 3, 10, 8),
            ("s", 4, 10, 8),
            ("m", 3, 4, 4),
            ("t", 3, 4, 3),
            extra=in_transit,
        )

    def changes(self, **more: object) -> dict[str, RateChange]:
        """Compare April with March, as of 30 June, with the arguments given."""
        arguments: dict[str, object] = {
            "current": APRIL,
            "baseline": MARCH,
            "today": LATE_TODAY,
        } | more
        return rate_changes(self.history(), **arguments)  # type: ignore[call-overload,no-any-return]

    def test_real_drops_are_flagged_after_holm(self) -> None:
        """
        SKUs "z" (the z-test) and "f" (Fisher) dropped beyond chance; "s" did not.
        """
        changes = self.changes()
        z, f, s = changes["z"], changes["f"], changes["s"]
        assert (z.test, f.test, s.test) == ("z", "fisher", "fisher")
        assert z.baseline_rate == Fraction(4, 5)
        assert z.current_rate == Fraction(3, 5)
        assert z.difference == Fraction(-1, 5)
        assert z.statistic == pytest.approx(-2.1821789, abs=1e-7)
        assert z.p_value == pytest.approx(0.014548, abs=1e-6)
        assert f.p_value == pytest.approx(1 / 42, rel=1e-12)
        assert z.p_value is not None
        assert f.p_value is not None
        assert s.p_value is not None
        assert [c.adjusted_p_value for c in (z, f, s)] == pytest.approx(
            adjusted_p_values([z.p_value, f.p_value, s.p_value], "holm")
        )
        assert z.adjusted_p_value == pytest.approx(3 * z.p_value)  # the smallest of three
        assert (z.dropped, f.dropped, s.dropped) == (True, True, False)
        assert z.reason is None
        assert z.complete
        assert not z.small  # 50 orders in each period
        assert f.small
        assert z.current == redemption_rates(self.history(), APRIL, today=LATE_TODAY)["z"]
        assert z.current_interval == wilson_interval(30, 50)
        assert z.baseline_interval == wilson_interval(40, 50)

    def test_groups_missing_from_a_period_or_all_in_transit_are_not_tested(self) -> None:
        """
        A SKU of March alone, and one whose April orders are in transit, are not tested.
        """
        changes = self.changes()
        assert list(changes) == ["z", "f", "s", "t", "m"]
        m, t = changes["m"], changes["t"]
        assert m.current is None
        assert (m.current_rate, m.difference, m.p_value, m.adjusted_p_value) == (
            None,
            None,
            None,
            None,
        )
        assert m.baseline_rate == 1
        assert m.reason == "no order of the group was placed in the current period"
        assert not m.dropped
        assert t.current is not None
        assert t.current.in_transit == 3
        assert (t.test, t.p_value, t.dropped) == (None, None, False)
        assert t.reason is not None
        assert "counted" in t.reason

    def test_an_incomplete_current_period_is_not_flagged_unless_asked(self) -> None:
        """
        On 20 May, April's orders can be sold until 30 May: the drops are computed, not
        flagged, and say why.
        """
        early = self.changes(today=date(2025, 5, 20))
        z = early["z"]
        assert z.p_value == pytest.approx(0.014548, abs=1e-6)
        assert not z.complete
        assert not z.dropped
        assert z.reason is not None
        assert "not complete" in z.reason
        assert "2025-05-30" in z.reason
        assert not any(c.dropped for c in early.values())
        asked = self.changes(today=date(2025, 5, 20), include_incomplete=True)
        assert asked["z"].dropped
        assert asked["z"].reason is None

    def test_a_history_that_does_not_reach_the_end_of_the_sales_window_is_incomplete(
        self,
    ) -> None:
        """
        Data that ends before the sales window does makes the current period incomplete.
        """
        history = self.history()
        cut = History(
            orders=history.orders,
            sales=history.sales,
            horizon=ending("x", "2025-05-20 10:00").ordered_at,
        )
        with pytest.warns(BeyondHorizonWarning):
            changes = rate_changes(cut, current=APRIL, baseline=MARCH, today=LATE_TODAY)
        assert not changes["z"].dropped
        assert changes["z"].reason is not None
        assert "does not reach the end of 2025-05-30" in changes["z"].reason

    def test_benjamini_hochberg_and_no_correction(self) -> None:
        """
        The p-values are adjusted as asked: by Benjamini-Hochberg, or not at all.
        """
        bh, plain = self.changes(correction="bh"), self.changes(correction=None)
        tested = {name: c.p_value for name, c in plain.items() if c.p_value is not None}
        assert list(tested) == ["z", "f", "s"]
        assert [plain[name].adjusted_p_value for name in tested] == list(tested.values())
        assert [bh[name].adjusted_p_value for name in tested] == pytest.approx(
            adjusted_p_values(list(tested.values()), "bh")
        )

    def test_the_level_decides(self) -> None:
        """
        Adjusted to about 0.044, the drop of "z" is flagged at 5% and not at 1%.
        """
        assert not self.changes(level=0.01)["z"].dropped  # adjusted about 0.044
        assert self.changes(level=0.05)["z"].dropped

    def test_a_rise_is_never_a_drop(self) -> None:
        """
        From April to March the rate of "z" rises: the one-sided p-value is near 1.
        """
        changes = rate_changes(
            self.history(), current=MARCH, baseline=APRIL, today=LATE_TODAY, correction=None
        )
        assert changes["z"].p_value is not None
        assert changes["z"].p_value > 0.9
        assert not changes["z"].dropped

    def test_one_group_of_everything(self) -> None:
        """
        With no grouping there is one group, None, even with no order at all.
        """
        changes = rate_changes(
            self.history(), current=APRIL, baseline=MARCH, today=LATE_TODAY, by=None
        )
        assert list(changes) == [None]
        assert changes[None].current_rate == Fraction(30 + 1 + 8, 50 + 5 + 10)
        nothing = rate_changes(History(), current=APRIL, baseline=MARCH, today=LATE_TODAY, by=None)
        assert nothing[None].reason == "no order of the group was placed in the current period"

    def test_the_repr_is_readable(self) -> None:
        """
        The repr shows the rates with their intervals, and what the orders did.
        """
        f = self.changes(ci=None)["f"]
        assert repr(f) == (
            "RateChange(group='f', baseline=1, current=1/5, difference=-4/5, test='fisher', "
            f"p_value={f.p_value:.4g}, adjusted_p_value={f.adjusted_p_value:.4g}, dropped=True)"
        )

    def test_small_is_either_period_having_few_orders(self) -> None:
        """
        A group is small when either period counts fewer than `min_orders`: "a" has 40
        orders in March and 5 in April, "b" the other way round, "c" 40 in each.
        """
        history = months_history(
            ("a", 3, 40, 30),
            ("a", 4, 5, 4),
            ("b", 3, 5, 4),
            ("b", 4, 40, 30),
            ("c", 3, 40, 30),
            ("c", 4, 40, 30),
        )
        changes = rate_changes(history, current=APRIL, baseline=MARCH, today=LATE_TODAY)
        assert (changes["a"].small, changes["b"].small, changes["c"].small) == (True, True, False)
        at_40 = rate_changes(
            history, current=APRIL, baseline=MARCH, today=LATE_TODAY, min_orders=40
        )
        assert not at_40["c"].small
        at_41 = rate_changes(
            history, current=APRIL, baseline=MARCH, today=LATE_TODAY, min_orders=41
        )
        assert at_41["c"].small

    def test_an_expected_count_of_exactly_5_is_tested_with_z(self) -> None:
        """
        4 of 10 sold in April, 6 of 10 in March: 10 sold of 20, every expected count 5.
        """
        history = months_history(("e", 3, 10, 6), ("e", 4, 10, 4), ("g", 3, 10, 5), ("g", 4, 10, 4))
        changes = rate_changes(history, current=APRIL, baseline=MARCH, today=LATE_TODAY)
        assert changes["e"].test == "z"
        assert changes["g"].test == "fisher"  # 9 sold of 20: 4.5

    def test_a_week_is_compared_with_the_week_before_on_its_own_orders(self) -> None:
        """
        A collapse from 19 of 20 sold to 4 of 20, week on week, after 200 orders earlier
        in April. Extended to 30 days each, the weeks would be 1-30 April against 25 March
        to 23 April, sharing 1-16 April, and the drop would be drowned; each week's own
        orders show it.
        """
        orders: list[Order] = []
        sales: list[Sale] = []
        for day, placed, sold_ in (
            (date(2025, 4, 5), 200, 160),
            (date(2025, 4, 20), 20, 19),
            (date(2025, 4, 27), 20, 4),
        ):
            made, made_sales = day_orders("w", day, placed, sold_)
            orders += made
            sales += made_sales
        history = History(orders=orders, sales=sales)
        current = Period(date(2025, 4, 24), date(2025, 4, 30))
        baseline = Period(date(2025, 4, 17), date(2025, 4, 23))
        w = rate_changes(history, current=current, baseline=baseline, today=LATE_TODAY)["w"]
        assert w.current is not None
        assert w.baseline is not None
        assert w.current.window.orders == DayWindow(current.start, current.end)
        assert w.baseline.window.orders == DayWindow(baseline.start, baseline.end)
        assert (w.current.orders, w.current.sales) == (20, 4)
        assert (w.baseline.orders, w.baseline.sales) == (20, 19)
        assert w.test == "z"
        assert w.p_value is not None
        assert w.p_value < 1e-5
        assert w.dropped
        # what the default windows of each week would have compared
        now = redemption_rates(history, current, today=LATE_TODAY)["w"]
        before = redemption_rates(history, baseline, today=LATE_TODAY)["w"]
        assert (now.orders, now.sales, before.orders, before.sales) == (240, 183, 220, 179)
        assert drop_test(now.sales, now.orders, before.sales, before.orders)[2] > 0.05

    @pytest.mark.parametrize(
        "baseline",
        [
            APRIL,
            Period(date(2025, 3, 15), date(2025, 4, 14)),
            Period(date(2025, 4, 10), date(2025, 4, 12)),
            Period(date(2025, 3, 2), date(2025, 4, 1)),  # one day shared
            Period(date(2025, 4, 30), date(2025, 5, 29)),  # after the current period
        ],
    )
    def test_overlapping_periods_are_refused(self, baseline: Period) -> None:
        """
        Periods that share a day share orders: not two samples. The message names both.
        """
        with pytest.raises(InvalidPeriodError, match="overlaps") as refused:
            self.changes(baseline=baseline)
        assert str(APRIL) in str(refused.value)
        assert str(baseline) in str(refused.value)

    def test_periods_next_to_each_other_are_compared(self) -> None:
        """
        A baseline ending the day before the current period starts shares no order.
        """
        changes = self.changes(baseline=Period(date(2025, 3, 2), date(2025, 3, 31)))
        assert changes["z"].baseline is not None
        assert changes["z"].baseline.orders == 50

    @pytest.mark.parametrize(
        ("arguments", "error"),
        [
            ({"level": 0}, InvalidArgumentError),
            ({"level": 1.5}, InvalidArgumentError),
            ({"correction": "bonferroni"}, InvalidArgumentError),
            ({"by": "colour"}, InvalidArgumentError),
            ({"ci": 1}, InvalidArgumentError),
            ({"min_orders": "3"}, InvalidArgumentError),
            ({"current": Period(date(2025, 4, 1), date(2025, 7, 1))}, InvalidPeriodError),
            ({"baseline": Period(date(2025, 4, 1), date(2025, 7, 1))}, InvalidPeriodError),
        ],
    )
    def test_bad_arguments_are_refused(
        self, arguments: dict[str, object], error: type[Exception]
    ) -> None:
        """
        Bad arguments are refused with the library's errors.
        """
        with pytest.raises(error):
            self.changes(**arguments)


# ------------------------------------------------------------------------------------------
# properties
# ------------------------------------------------------------------------------------------
_BY: dict[str, object] = {
    "none": None,
    "sku": "sku",
    "buyer": "buyer",
    "seller": lambda o: o.seller_id,
}


def _first_bucket_last(start: date, end: date, freq: str) -> date:
    if freq == "day":
        return start
    if freq == "week":
        return min(end, start + timedelta(days=6 - start.weekday()))
    following = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    return min(end, following - timedelta(days=1))


def reshuffled(records: Records, seed: int) -> Records:
    """The same records with other cancel and return kinds and reasons, drawn at random."""
    rng = random.Random(seed)

    def reason() -> Reason | None:
        return rng.choice([None, *(Reason(c) for c in ReasonCategory)])

    orders = tuple(
        o
        if o.cancelled_at is None
        else attrs.evolve(o, cancel_kind=rng.choice(list(CancelKind)), cancel_reason=reason())
        for o in records.orders
    )
    returns = tuple(
        attrs.evolve(r, kind=rng.choice(list(ReturnKind)), reason=reason()) for r in records.returns
    )
    return Records(orders, records.sales, returns)


def rates_of(b: Breakdown) -> tuple[object, ...]:
    """What kinds and reasons must not change: the counts, the rates and the outcomes."""
    return (
        b.orders,
        b.in_transit,
        b.sales,
        b.returns,
        b.rate,
        b.rate_with_returns,
        b.rate_interval,
        b.kept,
        b.returned,
        b.sold_late,
        b.cancelled,
    )


class TestProperties:
    @given(scenario=scenarios(), by=st.sampled_from(sorted(_BY)), seed=st.integers(0, 2**32 - 1))
    def test_shares_add_up_to_one_and_kinds_and_reasons_never_change_the_rate(
        self, scenario: Scenario, by: str, seed: int
    ) -> None:
        """
        Shares add up to 1, and kinds and reasons never change the rate.

        In every group with counted orders the outcome shares add up to exactly 1, and the
        reason shares in every group with orders not redeemed; the rate lies in its
        interval. Drawing other kinds and reasons for every cancellation and return changes
        no rate, count of outcomes, or point of a series. (One test, as drawing the
        scenarios is most of its time.)
        """
        period, today, tz = scenario.period, scenario.today, scenario.tz
        history = scenario.records.history()
        found = refusal_breakdown(history, period, today=today, tz=tz, by=_BY[by])  # type: ignore[call-overload]
        for b in found.values():
            outcome_shares = list(b.outcome_shares.values())
            reason_shares = list(b.reason_shares.values())
            if b.orders:
                assert sum(s for s in outcome_shares if s is not None) == 1
                assert None not in outcome_shares
                assert b.rate in b.rate_interval
            else:
                assert set(outcome_shares) == {None}
            if b.not_kept:
                assert sum(s for s in reason_shares if s is not None) == 1
            else:
                assert set(reason_shares) == {None}
            assert b.small == (b.orders < 30)
        other = reshuffled(scenario.records, seed).history()
        after = refusal_breakdown(other, period, today=today, tz=tz, by=_BY[by])  # type: ignore[call-overload]
        assert {k: rates_of(b) for k, b in found.items()} == {
            k: rates_of(b) for k, b in after.items()
        }
        series = [
            rate_series(h, start=period.start, end=period.end, freq="week", today=today, tz=tz)[
                None
            ]
            for h in (history, other)
        ]
        assert [(p.orders, p.sales, p.rate, p.in_transit) for p in series[0]] == [
            (p.orders, p.sales, p.rate, p.in_transit) for p in series[1]
        ]

    @given(
        scenario=scenarios(),
        freq=st.sampled_from(["day", "week", "month"]),
        by=st.sampled_from(["none", "sku"]),
    )
    def test_each_bucket_counts_what_the_rate_counts_of_its_own_orders(
        self, scenario: Scenario, freq: str, by: str
    ) -> None:
        """
        Every bucket of the series counts the orders, sales, returns and orders in transit
        that `redemption_rates` of the bucket's days counts among the orders placed on
        those days, group by group. (`redemption_rates` extends a short bucket back to 30
        days; the orders placed before the bucket are kept apart by the grouping, and the
        sales of the bucket's own orders all fall after its first day.) Over the range they
        add up to the orders and orders in transit of the range; the buckets tile the
        range, clipped only at its ends.
        """
        history, tz, today = scenario.records.history(), scenario.tz, scenario.today
        start, end = scenario.period.start, scenario.period.end
        series = rate_series(
            history,
            start=start,
            end=end,
            freq=freq,
            today=today,
            tz=tz,
            by=_BY[by],
            ci=None,  # type: ignore[call-overload]
        )

        def group_of(order: Order) -> Hashable:
            return None if by == "none" else order.sku

        def within(first: date, last: date) -> Callable[[Order], tuple[Hashable, bool]]:
            lo, hi = DayWindow(first, last).bounds(tz)
            return lambda o: (group_of(o), lo <= o.ordered_at < hi)

        def counted(
            rates: dict[tuple[Hashable, bool], RateReport],
        ) -> dict[Hashable, tuple[int, ...]]:
            return {
                group: (r.orders, r.sales, r.returns, r.in_transit)
                for (group, inside), r in rates.items()
                if inside
            }

        whole = counted(
            redemption_rates(history, scenario.period, today=today, tz=tz, by=within(start, end))
        )
        if by == "none":
            assert list(series) == [None]
        else:
            assert set(series) == set(whole)
        first_last = _first_bucket_last(start, end, freq)
        # every group's series has the same buckets; with no group, no order is in the range
        buckets = next(iter(series.values()), ())
        for index, point in enumerate(buckets):
            in_bucket = within(point.first, point.last)
            bucket = Period(point.first, point.last)
            expected = counted(redemption_rates(history, bucket, today=today, tz=tz, by=in_bucket))
            found = {
                group: (p.orders, p.sales, p.counts.report.returns, p.in_transit)
                for group, ps in series.items()
                if (p := ps[index]).orders or p.in_transit
            }
            assert found == expected, bucket
        for group, points in series.items():
            orders, _, _, in_transit = whole.get(group, (0, 0, 0, 0))
            assert sum(p.orders for p in points) == orders
            assert sum(p.in_transit for p in points) == in_transit
            assert points[0].first == start
            assert points[-1].last == end
            assert points[0].last == first_last
            for before, after in itertools.pairwise(points):
                assert after.first == before.last + timedelta(days=1)
            assert all(not p.clipped for p in points[1:-1])
            if freq == "week":
                assert all(p.last.weekday() == 6 for p in points[:-1])
                assert points[0].clipped == (
                    start.weekday() != 0 or (len(points) == 1 and end.weekday() != 6)
                )
            for p in points:
                assert p.orders == (
                    p.counts.kept + p.counts.returned + p.counts.sold_late + p.counts.cancelled
                )
                assert p.refused + p.returned <= p.orders
                assert p.complete == (p.last + timedelta(days=30) <= today)
