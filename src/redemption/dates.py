"""Aware timestamps, and the calendar days they fall on in a zone.

Records keep every timestamp as the UTC instant it denotes.
A calculation turns its day windows into UTC instants once, with `day_start`, and compares.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import cast
from zoneinfo import ZoneInfo

from redemption.errors import (
    ArgumentTypeError,
    DataError,
    InvalidPeriodError,
    NaiveTimestampError,
    RecordTypeError,
    shown,
)

__all__ = [
    "MOSCOW",
    "UTC",
    "day_end",
    "day_start",
    "is_day",
    "local_day",
    "require_day",
    "to_utc",
]

MOSCOW = ZoneInfo("Europe/Moscow")
"""The business zone of Wildberries and Ozon, and the default zone of every calculation."""

_ONE_DAY = timedelta(days=1)
_ONE_MICROSECOND = timedelta(microseconds=1)
_SEARCH_MARGIN = timedelta(days=2)


def to_utc(value: object, *, order_id: str, field: str) -> datetime:
    """Return the aware timestamp `value` as the same instant in UTC.

    Args:
        value: the timestamp of a record.
        order_id: the record's order id, named in any error.
        field: the record's field, named in any error.

    Returns:
        `value` converted to `datetime.UTC` (the same object when it already is).

    Raises:
        RecordTypeError: `value` is not a `datetime`.
        NaiveTimestampError: `value` has no time zone.
        DataError: `value` is no instant a `datetime` holds in UTC (a time on 1 January of
            year 1 east of Greenwich, or on 31 December 9999 west of it).

    Example:
        >>> to_utc(datetime(2025, 4, 1, 3, 0, tzinfo=MOSCOW), order_id="1", field="ordered_at")
        datetime.datetime(2025, 4, 1, 0, 0, tzinfo=datetime.timezone.utc)

    .. versionadded:: 0.1.0
    """
    if type(value) is datetime and value.tzinfo is UTC:
        return value
    if not isinstance(value, datetime):
        msg = f"order {order_id}: {field} must be a datetime, not {type(value).__name__} {value!r}"
        raise RecordTypeError(msg, order_id=order_id)
    if value.tzinfo is None or value.utcoffset() is None:
        msg = (
            f"order {order_id}: {field} {value.isoformat()} has no time zone; "
            "attach one (Wildberries reports are in Moscow time: redemption.MOSCOW)"
        )
        raise NaiveTimestampError(msg, order_id=order_id)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        msg = (
            f"order {order_id}: {field} {value.isoformat()} is out of range: "
            "in UTC it falls before year 1 or after year 9999"
        )
        raise DataError(msg, order_id=order_id, field=field) from None


def local_day(instant: datetime, tz: tzinfo) -> date:
    """Return the calendar day that the aware `instant` falls on in `tz`.

    Example:
        >>> local_day(datetime(2025, 3, 31, 21, 0, tzinfo=UTC), MOSCOW)
        datetime.date(2025, 4, 1)

    .. versionadded:: 0.1.0
    """
    return instant.astimezone(tz).date()


def day_start(day: date, tz: tzinfo) -> datetime:
    """Return the first instant, in UTC, whose calendar day in `tz` is `day` or later.

    That is local midnight in almost every zone; where a clock change skips midnight, or
    skips the whole day, it is the first instant after the change.
    A day window ``[first, last]`` is then the half-open interval of instants
    ``[day_start(first), day_start(last + 1 day))``.
    That holds wherever a zone's calendar days never go backwards. A few zones once set
    their clocks back across midnight (St John's, Newfoundland, until 2011, from 00:01 to
    23:01 of the day before): the hour lived again after the new day began counts on the
    new day.

    Raises:
        InvalidPeriodError: the day is so near the first or the last day a `date` holds
            that its start in `tz` is no instant a `datetime` holds in UTC.

    Example:
        >>> day_start(date(2025, 4, 1), MOSCOW)
        datetime.datetime(2025, 3, 31, 21, 0, tzinfo=datetime.timezone.utc)

    .. versionadded:: 0.1.0
    """
    try:
        guess = datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
        if local_day(guess, tz) >= day and _first_of_its_day(guess, day, tz):
            return guess
        # A clock change near midnight: find the first instant of the day by bisection,
        # relying on local days never going backwards as time goes forwards.
        before, after = guess - _SEARCH_MARGIN, guess + _SEARCH_MARGIN
        while after - before > _ONE_MICROSECOND:
            middle = before + (after - before) // 2
            if local_day(middle, tz) >= day:
                after = middle
            else:
                before = middle
    except OverflowError:
        raise _out_of_range(day, tz, "starts") from None
    return after


def _first_of_its_day(instant: datetime, day: date, tz: tzinfo) -> bool:
    """Whether the instant just before `instant` falls before `day` in `tz`, or is none."""
    try:
        return local_day(instant - _ONE_MICROSECOND, tz) < day
    except OverflowError:  # no earlier instant, or none on a day a date holds: 1 January 1
        return True


def _out_of_range(day: date, tz: tzinfo, ends: str) -> InvalidPeriodError:
    """The error for a day whose start or end no `datetime` holds."""
    msg = (
        f"the day {day.isoformat()} {ends} out of range in {tz}: "
        "its bounds in UTC fall before year 1 or after year 9999"
    )
    return InvalidPeriodError(msg)


def day_end(day: date, tz: tzinfo) -> datetime:
    """Return the first instant, in UTC, after `day` in `tz`: the end of `day`, excluded.

    Raises:
        InvalidPeriodError: the end of `day` in `tz` is no instant a `datetime` holds in UTC
            (the last day a `date` holds has no day after it).

    Example:
        >>> day_end(date(2025, 4, 30), MOSCOW)
        datetime.datetime(2025, 4, 30, 21, 0, tzinfo=datetime.timezone.utc)

    .. versionadded:: 0.1.0
    """
    try:
        next_day = day + _ONE_DAY
    except OverflowError:
        raise _out_of_range(day, tz, "ends") from None
    try:
        return day_start(next_day, tz)
    except InvalidPeriodError:
        raise _out_of_range(day, tz, "ends") from None


def is_day(value: object) -> bool:
    """Whether `value` is a day: a `date` that is not a `datetime` (an instant).

    A `datetime` is a `date` too, and would compare by instant where a day is meant.

    Example:
        >>> is_day(date(2025, 4, 30)), is_day(datetime(2025, 4, 30, tzinfo=UTC))
        (True, False)
    """
    return isinstance(value, date) and not isinstance(value, datetime)


def require_day(value: object, what: str) -> date:
    """Return `value` if it is a day (see `is_day`); else an `ArgumentTypeError` naming `what`.

    Example:
        >>> require_day(date(2025, 4, 30), "today")
        datetime.date(2025, 4, 30)
    """
    if not is_day(value):
        msg = f"{what} must be a date, not {type(value).__name__} {shown(value)}"
        raise ArgumentTypeError(msg)
    return cast("date", value)
