"""Periods and windows of whole calendar days, and the marketplace's 30-day window method."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, tzinfo

import attrs
from dateutil.relativedelta import relativedelta

from redemption.dates import day_start, require_day
from redemption.errors import ArgumentTypeError, InvalidPeriodError, shown

__all__ = [
    "MIN_ORDERS_DAYS",
    "SALES_LAG_DAYS",
    "TWO_YEARS",
    "DayWindow",
    "Period",
    "RedemptionWindow",
    "redemption_window",
    "require_ended",
    "trailing_window",
]

MIN_ORDERS_DAYS = 30
"""A period shorter than this many days is extended into the past to this length.

As Wildberries' "How we calculate the Wildberries redemption rate?" says.
"""

SALES_LAG_DAYS = 30
"""Sales of the period's orders are looked for up to this many days after its end.

As Wildberries' "How we calculate the Wildberries redemption rate?" says.
"""

TWO_YEARS = relativedelta(years=2)
"""The buyer's figures look back two calendar years; 29 February steps to 28.

"Over the past two years", as the article "What is the ransom amount at Wildberries?" says.
"""

_ONE_DAY = timedelta(days=1)


def _is_day(value: object) -> bool:
    """Whether `value` is a day that can be in a window; a datetime is refused outright."""
    if isinstance(value, datetime):
        msg = f"{value!r} is an instant, not a day: ask with its day in a zone (local_day)"
        raise ArgumentTypeError(msg)
    return isinstance(value, date)


def _require_flag(value: object, name: str) -> bool:
    """Return `value` if it is a bool; a truthy string or number is refused, not guessed at."""
    if isinstance(value, bool):
        return value
    msg = f"{name} must be True or False, not {type(value).__name__} {shown(value)}"
    raise ArgumentTypeError(msg)


def _check_days(first: date, last: date, names: tuple[str, str]) -> None:
    require_day(first, names[0])
    require_day(last, names[1])
    if first > last:
        msg = f"{names[0]} {first.isoformat()} is after {names[1]} {last.isoformat()}"
        raise InvalidPeriodError(msg)


@attrs.frozen
class DayWindow:
    """Whole calendar days from `first` to `last`, both ends included.

    Example:
        >>> w = DayWindow(date(2025, 4, 1), date(2025, 4, 30))
        >>> date(2025, 4, 30) in w, len(w)
        (True, 30)

    .. versionadded:: 0.1.0
    """

    first: date
    last: date

    def __attrs_post_init__(self) -> None:
        """Refuse a window that ends before it starts."""
        _check_days(self.first, self.last, ("first", "last"))

    def __contains__(self, day: object) -> bool:
        """Say whether `day` is one of the window's days."""
        return _is_day(day) and self.first <= day <= self.last  # type: ignore[operator]

    def __len__(self) -> int:
        """Return the number of days in the window."""
        return (self.last - self.first).days + 1

    def __iter__(self) -> Iterator[date]:
        """Yield the window's days in order."""
        return (self.first + timedelta(days=i) for i in range(len(self)))

    def __str__(self) -> str:
        """Return the window as ``first..last`` in ISO dates."""
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    def bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """Return the window as half-open UTC instants ``[start of first, start after last)``.

        Days are calendar days in `tz`; an instant is in the window exactly when its day in
        `tz` is (in every zone whose calendar days never go backwards: see `day_start`).

        Example:
            >>> from redemption import MOSCOW
            >>> lo, hi = DayWindow(date(2025, 4, 1), date(2025, 4, 30)).bounds(MOSCOW)
            >>> lo.isoformat(), hi.isoformat()
            ('2025-03-31T21:00:00+00:00', '2025-04-30T21:00:00+00:00')
        """
        return day_start(self.first, tz), day_start(self.last + _ONE_DAY, tz)


@attrs.frozen
class Period:
    """The period a seller selects: whole calendar days from `start` to `end`, both included.

    Example:
        >>> Period(date(2025, 1, 15), date(2025, 1, 30)).days
        16

    .. versionadded:: 0.1.0
    """

    start: date
    end: date

    def __attrs_post_init__(self) -> None:
        """Refuse a period that ends before it starts."""
        _check_days(self.start, self.end, ("start", "end"))

    @property
    def days(self) -> int:
        """The number of days in the period."""
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        """Say whether `day` is one of the period's days."""
        return _is_day(day) and self.start <= day <= self.end  # type: ignore[operator]

    def __str__(self) -> str:
        """Return the period as ``start..end`` in ISO dates."""
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@attrs.frozen(kw_only=True)
class RedemptionWindow:
    """The days whose orders and sales the seller's redemption rate counts.

    The method is Wildberries' "How we calculate the Wildberries redemption rate?".

    Attributes:
        period: the period selected.
        today: the day the figure is computed on.
        orders: the orders window: the period, extended into the past to 30 days if shorter
            (unless `redemption_window` was asked not to extend it).
        sales: the sales window: from the orders window's first day to 30 days after the
            period's end, or to `today` if that comes first.
        complete: whether the sales window has its full 30 days after the period; before that,
            orders of the period can still be sold and the rate can still move.

    Example:
        A half-month period, as known on 10 May:

        >>> from datetime import date
        >>> from redemption import Period, redemption_window
        >>> window = redemption_window(Period(date(2025, 4, 15), date(2025, 4, 30)),
        ...                            today=date(2025, 5, 10))
        >>> str(window.orders), str(window.sales), window.complete, window.closes
        ('2025-04-01..2025-04-30', '2025-04-01..2025-05-10', False, datetime.date(2025, 5, 30))

    .. versionadded:: 0.1.0
    """

    period: Period
    today: date
    orders: DayWindow
    sales: DayWindow
    complete: bool

    @property
    def closes(self) -> date:
        """The day the full sales window ends: 30 days after the period's end.

        The sales window ends on it once the figure is `complete`, on `today` before.

        .. versionadded:: 0.2.0
        """
        return _sales_close(self.period)


def _sales_close(period: Period) -> date:
    """The last day of a period's full sales window: 30 days after its end."""
    try:
        return period.end + timedelta(days=SALES_LAG_DAYS)
    except OverflowError:
        msg = f"period {period}: its windows leave the calendar (years 1 to 9999)"
        raise InvalidPeriodError(msg) from None


def _require_period(value: object) -> None:
    """Refuse what is not a `Period` (two dates in a tuple, say) with a typed error."""
    if not isinstance(value, Period):
        msg = f"period must be a Period, not {type(value).__name__} {shown(value)}"
        raise ArgumentTypeError(msg)


def require_ended(period: Period, today: date) -> None:
    """Refuse a period that ends after `today`: every figure is computed as of a day.

    Raises:
        InvalidPeriodError: the period ends after `today`.
        ArgumentTypeError: `today` is not a date, or `period` is not a `Period`.

    .. versionadded:: 0.1.0
    """
    require_day(today, "today")
    _require_period(period)
    if period.end > today:
        msg = f"period {period} ends after today {today.isoformat()}"
        raise InvalidPeriodError(msg)


def redemption_window(period: Period, *, today: date, extend: bool = True) -> RedemptionWindow:
    """Return the orders and sales windows of the seller's redemption rate.

    The method is Wildberries' "How we calculate the Wildberries redemption rate?".
    A period shorter than 30 days is extended into the past to 30 days, ending on its end.
    Sales are looked for from the orders window's first day up to 30 days after the end,
    but never after `today`. The figure is complete once those 30 days have passed.

    With ``extend=False`` the orders window is the period itself, however short, and
    everything else is the same: the sales window runs from the period's first day to 30
    days after its end, or to `today`. These are the windows of a period's own orders,
    which `redemption.analysis` counts for a bucket of a series or a period it compares
    with another.

    Args:
        period: the period selected.
        today: the day the figure is computed on.
        extend: whether a period shorter than 30 days is extended into the past, as the
            seller's redemption rate does (the default).

    Returns:
        The two windows, and whether the figure is complete.

    Raises:
        InvalidPeriodError: the period ends after `today`, or its windows leave the
            calendar.
        ArgumentTypeError: `today` is not a date, or `extend` not a bool.

    Example:
        The first worked example of Wildberries' "How we calculate the Wildberries redemption
        rate?": period 15-30 January 2025, today in April.

        >>> period = Period(date(2025, 1, 15), date(2025, 1, 30))
        >>> w = redemption_window(period, today=date(2025, 4, 15))
        >>> str(w.orders), str(w.sales), w.complete
        ('2025-01-01..2025-01-30', '2025-01-01..2025-03-01', True)

        The same period's own orders:

        >>> w = redemption_window(period, today=date(2025, 4, 15), extend=False)
        >>> str(w.orders), str(w.sales), w.complete
        ('2025-01-15..2025-01-30', '2025-01-15..2025-03-01', True)

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
        The `extend` flag.
    """
    require_ended(period, today)
    lag_end = _sales_close(period)
    first = period.start
    if _require_flag(extend, "extend"):
        try:
            first = min(first, period.end - timedelta(days=MIN_ORDERS_DAYS - 1))
        except OverflowError:
            msg = f"period {period}: its windows leave the calendar (years 1 to 9999)"
            raise InvalidPeriodError(msg) from None
    return RedemptionWindow(
        period=period,
        today=today,
        orders=DayWindow(first, period.end),
        sales=DayWindow(first, min(lag_end, today)),
        complete=lag_end <= today,
    )


def trailing_window(today: date, back: relativedelta | timedelta = TWO_YEARS) -> DayWindow:
    """Return the days from `back` before `today` to `today`, both included.

    Calendar arithmetic is dateutil's: two years back from 29 February 2024 is
    28 February 2022.

    Args:
        today: the last day of the window.
        back: how far back the window starts: a `relativedelta` of whole days, months or
            years, or a `timedelta` of whole days; zero gives `today` alone.

    Raises:
        InvalidPeriodError: `back` reaches forwards, holds hours or smaller units, or sets
            a calendar field (``year=``, ``month=``...) instead of a length.
        ArgumentTypeError: `today` is not a date.

    Example:
        >>> print(trailing_window(date(2024, 2, 29)))
        2022-02-28..2024-02-29
        >>> print(trailing_window(date(2025, 4, 30), timedelta(days=364)))
        2024-05-01..2025-04-30

    .. versionadded:: 0.1.0
    """
    require_day(today, "today")
    if isinstance(back, relativedelta) and any(
        getattr(back, field) is not None
        for field in ("year", "month", "day", "weekday", "hour", "minute", "second", "microsecond")
    ):
        msg = f"window {back!r} sets a calendar field; give a length such as years=2 or days=365"
        raise InvalidPeriodError(msg)
    if isinstance(back, timedelta) and (back.seconds or back.microseconds):
        msg = f"window {back!r} is not a whole number of days"
        raise InvalidPeriodError(msg)
    try:
        first = today - back
    except (OverflowError, ValueError):
        msg = f"window {back!r} back from {today.isoformat()} leaves the calendar (years 1 to 9999)"
        raise InvalidPeriodError(msg) from None
    if isinstance(first, datetime) or not isinstance(first, date):
        msg = f"window {back!r} is not made of whole days, months or years"
        raise InvalidPeriodError(msg)
    if first > today:
        msg = f"window {back!r} reaches forwards from {today.isoformat()}"
        raise InvalidPeriodError(msg)
    return DayWindow(first, today)
