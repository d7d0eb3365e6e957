from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from redemption import MOSCOW, DataError, NaiveTimestampError, RecordTypeError
from redemption.dates import day_start, local_day, to_utc
from tests.strategies import zones

MICROSECOND = timedelta(microseconds=1)


class TestToUtc:
    def test_an_aware_timestamp_becomes_the_same_instant_in_utc(self) -> None:
        """
        Three in the morning in Moscow is midnight UTC.
        """
        moscow = datetime(2025, 4, 1, 3, tzinfo=MOSCOW)
        utc = to_utc(moscow, order_id="1", field="ordered_at")
        assert utc == moscow
        assert utc.tzinfo is UTC
        assert utc.hour == 0

    def test_a_naive_timestamp_is_refused_naming_the_record(self) -> None:
        """
        A timestamp with no zone is a DataError naming the order and the field.
        """
        with pytest.raises(NaiveTimestampError, match=r"order 7: sold_at 2025-04-01T00:00:00") as e:
            to_utc(datetime(2025, 4, 1), order_id="7", field="sold_at")
        assert isinstance(e.value, DataError)
        assert e.value.order_id == "7"

    def test_a_date_is_not_a_timestamp(self) -> None:
        """
        A plain date has no instant: it is a type error.
        """
        with pytest.raises(RecordTypeError, match="must be a datetime"):
            to_utc(date(2025, 4, 1), order_id="7", field="sold_at")


class TestDayStart:
    def test_moscow_midnight_is_nine_in_the_evening_utc(self) -> None:
        """
        Moscow is three hours ahead of UTC all year.
        """
        assert day_start(date(2025, 4, 1), MOSCOW) == datetime(2025, 3, 31, 21, tzinfo=UTC)

    def test_a_day_that_began_before_midnight_begins_at_the_clock_change(self) -> None:
        """
        Toronto jumped from 23:30 to 00:30 on 31 March 1919: that day began at 23:30.
        """
        toronto = ZoneInfo("America/Toronto")
        start = day_start(date(1919, 3, 31), toronto)
        assert start == datetime(1919, 3, 31, 4, 30, tzinfo=UTC)
        assert local_day(start - MICROSECOND, toronto) == date(1919, 3, 30)

    def test_a_skipped_day_is_empty(self) -> None:
        """
        Apia skipped 30 December 2011: that day and the next start at the same instant.
        """
        apia = ZoneInfo("Pacific/Apia")
        assert day_start(date(2011, 12, 30), apia) == day_start(date(2011, 12, 31), apia)

    @example(day=date(2024, 2, 29), tz=MOSCOW)
    @example(day=date(2010, 3, 14), tz=ZoneInfo("America/Havana"))
    @example(day=date(2010, 10, 31), tz=ZoneInfo("Asia/Beirut"))
    @given(day=st.dates(date(1900, 1, 1), date(2040, 12, 31)), tz=zones)
    def test_the_start_is_the_first_instant_of_the_day(self, day: date, tz: ZoneInfo) -> None:
        """
        The instant is on the day (or later, if the day was skipped); a microsecond
        earlier is on an earlier day.
        """
        start = day_start(day, tz)
        assert local_day(start, tz) >= day
        assert local_day(start - MICROSECOND, tz) < day
