from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from redemption import (
    MOSCOW,
    ArgumentTypeError,
    DayWindow,
    History,
    InvalidPeriodError,
    Period,
    redemption_rate,
    redemption_window,
    trailing_window,
)


class TestRedemptionWindow:
    def test_a_january_period_seen_in_april(self) -> None:
        """
        Seed 003: period 15-30 January 2025 counts orders 1-30 January, sales to 1 March.
        """
        w = redemption_window(Period(date(2025, 1, 15), date(2025, 1, 30)), today=date(2025, 4, 1))
        assert w.orders == DayWindow(date(2025, 1, 1), date(2025, 1, 30))
        assert w.sales == DayWindow(date(2025, 1, 1), date(2025, 3, 1))
        assert w.complete

    def test_the_second_half_of_april_seen_on_30_april(self) -> None:
        """
        Seed 003: today 30 April, period 15-30 April: orders and sales 1-30 April.
        """
        w = redemption_window(Period(date(2025, 4, 15), date(2025, 4, 30)), today=date(2025, 4, 30))
        assert w.orders == DayWindow(date(2025, 4, 1), date(2025, 4, 30))
        assert w.sales == DayWindow(date(2025, 4, 1), date(2025, 4, 30))
        assert not w.complete

    @pytest.mark.parametrize(
        ("period", "first"),
        [
            (Period(date(2024, 2, 1), date(2024, 3, 1)), date(2024, 2, 1)),  # 30 days: as is
            (Period(date(2024, 2, 2), date(2024, 3, 1)), date(2024, 2, 1)),  # 29: one more
            (Period(date(2024, 3, 1), date(2024, 3, 1)), date(2024, 2, 1)),  # 1 day, leap year
            (Period(date(2024, 1, 1), date(2024, 3, 31)), date(2024, 1, 1)),  # longer: as is
        ],
    )
    def test_periods_shorter_than_30_days_are_extended_into_the_past(
        self, period: Period, first: date
    ) -> None:
        """
        The orders window spans at least 30 days and always ends on the period's end.
        """
        w = redemption_window(period, today=date(2024, 12, 31))
        assert (w.orders.first, w.orders.last) == (first, period.end)

    def test_the_figure_is_complete_exactly_30_days_after_the_end(self) -> None:
        """
        Complete when end + 30 days <= today; the sales window stops at today before that.
        """
        period = Period(date(2025, 1, 1), date(2025, 1, 31))
        assert not redemption_window(period, today=date(2025, 3, 1)).complete
        w = redemption_window(period, today=date(2025, 3, 2))
        assert w.complete
        assert w.sales.last == date(2025, 3, 2)

    def test_not_extended_the_orders_window_is_the_period_itself(self) -> None:
        """
        extend=False: orders 15-30 January only, sales from 15 January to 1 March.
        """
        period = Period(date(2025, 1, 15), date(2025, 1, 30))
        w = redemption_window(period, today=date(2025, 4, 1), extend=False)
        assert w.orders == DayWindow(date(2025, 1, 15), date(2025, 1, 30))
        assert w.sales == DayWindow(date(2025, 1, 15), date(2025, 3, 1))
        assert (w.period, w.today, w.complete, w.closes) == (
            period,
            date(2025, 4, 1),
            True,
            date(2025, 3, 1),
        )
        early = redemption_window(period, today=date(2025, 2, 10), extend=False)
        assert early.sales == DayWindow(date(2025, 1, 15), date(2025, 2, 10))
        assert not early.complete
        assert early.closes == date(2025, 3, 1)

    @given(
        start=st.dates(date(2000, 1, 1), date(2030, 1, 1)),
        days=st.integers(0, 70),
        after=st.integers(0, 70),
    )
    def test_not_extending_changes_the_orders_window_alone(
        self, start: date, days: int, after: int
    ) -> None:
        """
        Any period: with extend=False the orders window is the period, the sales window
        starts on its first day, and its end and completeness are those of the default;
        a period of 30 days or more gets the same windows either way.
        """
        period = Period(start, start + timedelta(days=days))
        today = period.end + timedelta(days=after)
        extended = redemption_window(period, today=today)
        own = redemption_window(period, today=today, extend=False)
        assert (own.orders.first, own.orders.last) == (period.start, period.end)
        assert (own.sales.first, own.sales.last) == (period.start, extended.sales.last)
        assert own.complete == extended.complete == (period.end + timedelta(days=30) <= today)
        assert own.closes == extended.closes == period.end + timedelta(days=30)
        assert extended.orders.first <= own.orders.first
        assert (own == extended) == (period.days >= 30)

    def test_a_period_must_be_a_period(self) -> None:
        """
        Two dates in a tuple are refused with a typed error naming the period, as every
        figure that takes one (they all check it here) refuses them.
        """
        with pytest.raises(ArgumentTypeError, match=r"^period must be a Period, not tuple \("):
            redemption_window(
                (date(2025, 1, 1), date(2025, 1, 2)),  # type: ignore[arg-type]
                today=date(2025, 2, 1),
            )
        with pytest.raises(ArgumentTypeError, match="period must be a Period"):
            redemption_rate(
                History(orders=[]),
                (date(2025, 1, 1), date(2025, 1, 2)),  # type: ignore[arg-type]
                today=date(2025, 2, 1),
            )

    def test_extend_must_be_a_bool(self) -> None:
        """
        A truthy string is not taken for True.
        """
        with pytest.raises(ArgumentTypeError, match="extend must be True or False"):
            redemption_window(
                Period(date(2025, 1, 1), date(2025, 1, 2)),
                today=date(2025, 2, 1),
                extend="no",  # type: ignore[arg-type]
            )

    def test_a_period_ending_after_today_is_refused(self) -> None:
        """
        The figure is computed as of today: the period must have ended.
        """
        with pytest.raises(InvalidPeriodError, match="2025-04-30 ends after today 2025-04-29"):
            redemption_window(Period(date(2025, 4, 1), date(2025, 4, 30)), today=date(2025, 4, 29))


class TestPeriodAndDayWindow:
    def test_a_period_that_ends_before_it_starts_is_refused(self) -> None:
        """
        start > end is an InvalidPeriodError, also a ValueError.
        """
        with pytest.raises(InvalidPeriodError, match="start 2025-02-01 is after end 2025-01-31"):
            Period(date(2025, 2, 1), date(2025, 1, 31))
        with pytest.raises(ValueError, match="first"):
            DayWindow(date(2025, 2, 1), date(2025, 1, 31))

    def test_a_datetime_is_not_a_day(self) -> None:
        """
        A datetime would compare by instant: periods take dates only.
        """
        with pytest.raises(TypeError, match="must be a date"):
            Period(datetime(2025, 1, 1, tzinfo=MOSCOW), date(2025, 1, 31))
        with pytest.raises(TypeError, match="today must be a date"):
            redemption_window(Period(date(2025, 1, 1), date(2025, 1, 2)), today="2025-02-01")  # type: ignore[arg-type]

    def test_asking_whether_an_instant_is_in_a_window_is_an_error(self) -> None:
        """
        An instant has no day until a zone is named: `in` refuses it instead of guessing.
        """
        w = DayWindow(date(2025, 1, 1), date(2025, 1, 31))
        with pytest.raises(ArgumentTypeError, match="instant, not a day"):
            _ = datetime(2025, 1, 5, tzinfo=MOSCOW) in w
        assert "2025-01-05" not in w

    @pytest.mark.parametrize(
        "back",
        [
            relativedelta(month=1),
            relativedelta(years=-1),
            relativedelta(hours=3),
            timedelta(hours=5),
        ],
    )
    def test_a_trailing_window_needs_a_length_of_whole_days_back(self, back: object) -> None:
        """
        Calendar fields (month=1), forward or sub-day lengths are refused, not guessed at.
        """
        with pytest.raises(InvalidPeriodError, match="window"):
            trailing_window(date(2025, 4, 30), back)  # type: ignore[arg-type]

    @given(
        first=st.dates(date(2000, 1, 1), date(2030, 1, 1)),
        days=st.integers(0, 400),
        probe=st.dates(date(1999, 1, 1), date(2031, 12, 31)),
    )
    def test_a_window_holds_exactly_its_days(self, first: date, days: int, probe: date) -> None:
        """
        Against a plain set of days: membership, length and iteration agree.
        """
        w = DayWindow(first, date.fromordinal(first.toordinal() + days))
        every_day = {date.fromordinal(first.toordinal() + i) for i in range(days + 1)}
        assert (probe in w) == (probe in every_day)
        assert len(w) == len(every_day)
        assert list(w) == sorted(every_day)
        period = Period(w.first, w.last)
        assert (probe in period) == (probe in w)
        assert period.days == len(w)
        assert str(period) == str(w) == f"{w.first.isoformat()}..{w.last.isoformat()}"


class TestEdgesOfTheCalendar:
    def test_windows_that_leave_the_calendar_are_an_invalid_period(self) -> None:
        """
        A period at the calendar's end, or two years back from its first day: refused.
        """
        last = date(9999, 12, 31)
        with pytest.raises(InvalidPeriodError, match="leave the calendar"):
            redemption_window(Period(last, last), today=last)
        with pytest.raises(InvalidPeriodError, match="leaves the calendar"):
            trailing_window(date(1, 1, 1))
        first = date(1, 1, 10)  # its orders window would start 20 days before year 1
        with pytest.raises(InvalidPeriodError, match="leave the calendar"):
            redemption_window(Period(first, first), today=first)
        # not extended, the period's own orders window stays in the calendar
        assert redemption_window(Period(first, first), today=first, extend=False).orders == (
            DayWindow(first, first)
        )
        with pytest.raises(InvalidPeriodError, match="leave the calendar"):
            redemption_window(Period(last, last), today=last, extend=False)
