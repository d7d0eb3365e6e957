"""Calendar months: the unit a seller programme measures, publishes and rewards in."""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date, datetime
from typing import Any, overload

import attrs

from redemption.errors import ArgumentTypeError, InvalidPeriodError, shown
from redemption.windows import Period

__all__ = ["Month", "parse_months"]

_MONTH = re.compile(r"(\d{4})-(\d{2})")


def is_a(value: object, kind: type[Any] | tuple[type[Any], ...]) -> bool:
    """`isinstance` for an argument whose annotation promises a type its caller may not keep.

    A type checker takes the annotation at its word; this check does not, and tells the
    checker nothing, so that the refusal after it is not seen as unreachable.
    """
    return isinstance(value, kind)


def _whole(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"a month's {what} must be an int, not {type(value).__name__} {shown(value)}"
        raise ArgumentTypeError(msg)
    return value


@attrs.frozen(order=True, repr=False)
class Month:
    """A calendar month: its days from the 1st to the last, in the calculation's zone.

    Months are ordered, add and subtract whole months, and read and write ``YYYY-MM``.

    Args:
        year: 1 to 9999.
        month: 1 to 12.

    Raises:
        ArgumentTypeError: `year` or `month` is not an int.
        InvalidPeriodError: `year` or `month` is out of range.

    Example:
        >>> may = Month(2025, 5)
        >>> str(may), may.first, may.last, may + 1, may - 5
        ('2025-05', datetime.date(2025, 5, 1), datetime.date(2025, 5, 31), Month(2025, 6), Month(2024, 12))
        >>> Month.parse("2025-06") - may, Month.of(date(2025, 5, 17)) == may
        (1, True)

    .. versionadded:: 0.2.0
    """  # noqa: E501 - a doctest's output is one line

    year: int
    month: int

    def __attrs_post_init__(self) -> None:
        """Refuse a month that is not one of the calendar's."""
        year, month = _whole(self.year, "year"), _whole(self.month, "month")
        if not 1 <= year <= 9999:  # noqa: PLR2004 - the calendar's years
            msg = f"year {year} is outside the calendar (years 1 to 9999)"
            raise InvalidPeriodError(msg)
        if not 1 <= month <= 12:  # noqa: PLR2004 - the calendar's months
            msg = f"month {month} of {year} is not 1 to 12"
            raise InvalidPeriodError(msg)

    @classmethod
    def parse(cls, text: str) -> Month:
        """Read a month written ``YYYY-MM``, such as ``"2025-05"``.

        Raises:
            InvalidPeriodError: `text` is not a month so written.
            ArgumentTypeError: `text` is not a str.
        """
        if not is_a(text, str):
            msg = f"a month must be written as 'YYYY-MM', not {type(text).__name__} {shown(text)}"
            raise ArgumentTypeError(msg)
        match = _MONTH.fullmatch(text.strip())
        if match is None:
            msg = f"month {shown(text)} is not written as 'YYYY-MM' (such as '2025-05')"
            raise InvalidPeriodError(msg)
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: date) -> Month:
        """Return the month a day is in.

        Raises:
            ArgumentTypeError: `day` is not a date (a datetime is refused: take its day in a
                zone first).
        """
        if not is_a(day, date) or is_a(day, datetime):
            msg = f"a month is of a date, not {type(day).__name__} {shown(day)}"
            raise ArgumentTypeError(msg)
        return cls(day.year, day.month)

    @property
    def first(self) -> date:
        """The month's first day."""
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        """The month's last day."""
        return date(self.year, self.month, monthrange(self.year, self.month)[1])

    @property
    def period(self) -> Period:
        """The month's days as a `Period`, from the 1st to the last."""
        return Period(self.first, self.last)

    def until(self, today: date) -> Period:
        """Return the month's days up to `today`: the whole month once it is over.

        Raises:
            InvalidPeriodError: `today` is before the month's first day.

        Example:
            >>> str(Month(2025, 6).until(date(2025, 6, 10))), str(Month(2025, 5).until(date(2025, 6, 10)))
            ('2025-06-01..2025-06-10', '2025-05-01..2025-05-31')
        """  # noqa: E501 - a doctest line
        if today < self.first:
            msg = f"month {self} has not begun on {today.isoformat()}"
            raise InvalidPeriodError(msg)
        return Period(self.first, min(self.last, today))

    def __add__(self, months: int) -> Month:
        """Return the month `months` later (earlier, for a negative number)."""
        if isinstance(months, bool) or not isinstance(months, int):
            return NotImplemented
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    __radd__ = __add__

    @overload
    def __sub__(self, other: Month) -> int: ...

    @overload
    def __sub__(self, other: int) -> Month: ...

    def __sub__(self, other: int | Month) -> Month | int:
        """Return the month `other` months earlier, or how many months `other` is before."""
        if isinstance(other, Month):
            return (self.year - other.year) * 12 + self.month - other.month
        if isinstance(other, bool) or not isinstance(other, int):
            return NotImplemented
        return self + -other

    def __str__(self) -> str:
        """Return the month as ``YYYY-MM``."""
        return f"{self.year:04d}-{self.month:02d}"

    def __repr__(self) -> str:
        """Return the month as the call that builds it: ``Month(2025, 5)``."""
        return f"Month({self.year}, {self.month})"


def parse_months(text: str) -> tuple[Month, ...]:
    """Read months written ``YYYY-MM..YYYY-MM`` (both ends included) or one ``YYYY-MM``.

    Raises:
        InvalidPeriodError: either end is not a month, or the first is after the last.

    Example:
        >>> parse_months("2025-11..2026-02")
        (Month(2025, 11), Month(2025, 12), Month(2026, 1), Month(2026, 2))
        >>> parse_months("2025-05")
        (Month(2025, 5),)

    .. versionadded:: 0.2.0
    """
    if not is_a(text, str):
        msg = f"months must be written as 'YYYY-MM..YYYY-MM', not {type(text).__name__}"
        raise ArgumentTypeError(msg)
    first_text, dots, last_text = text.partition("..")
    first = Month.parse(first_text)
    last = Month.parse(last_text) if dots else first
    if first > last:
        msg = f"months {text.strip()!r}: {first} is after {last}"
        raise InvalidPeriodError(msg)
    return tuple(first + i for i in range(last - first + 1))
