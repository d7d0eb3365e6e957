"""Buckets of days: a day, a Monday-Sunday week or a calendar month, clipped to a range."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Literal, TypeAlias, get_args

from redemption.errors import InvalidArgumentError, shown

__all__ = ["FREQS", "Freq", "bucket_days", "bucket_of", "checked_freq"]

Freq: TypeAlias = Literal["day", "week", "month"]
"""How long a bucket of a series is: a day, a week (Monday to Sunday), a calendar month."""

FREQS: tuple[str, ...] = get_args(Freq)
"""Every bucket length, in the order the messages name them."""


def checked_freq(freq: object, allowed: tuple[str, ...] = FREQS) -> str:
    """Return `freq`, one of the bucket lengths `allowed`; refuse anything else.

    Raises:
        InvalidArgumentError: `freq` is not one of `allowed`.
    """
    if isinstance(freq, str) and freq in allowed:
        return freq
    names = [repr(name) for name in allowed]
    choices = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    msg = f"freq must be {choices}, not {shown(freq)}"
    raise InvalidArgumentError(msg)


def bucket_of(day: date, freq: str, start: date, end: date) -> tuple[date, date, bool]:
    """Return the first and last day of the bucket of `day` within ``[start, end]``, clipped.

    A bucket is the day itself (``"day"``), its Monday-Sunday week (``"week"``) or its
    calendar month (``"month"``), cut to the days from `start` to `end`; `day` is one of
    them. The third value says whether the bucket is clipped: shorter than its week or
    month, as `start` or `end` falls within it. No day outside ``[start, end]`` is
    computed, so a week that would run past the calendar's last day is cut without error.
    This is the one rule of the buckets of `rate_series` and the cohorts of
    `cohort_maturity`.

    Example:
        >>> bucket_of(date(2025, 4, 9), "week", date(2025, 4, 2), date(2025, 4, 30))
        (datetime.date(2025, 4, 7), datetime.date(2025, 4, 13), False)
        >>> bucket_of(date(2025, 4, 3), "week", date(2025, 4, 2), date(2025, 4, 30))
        (datetime.date(2025, 4, 2), datetime.date(2025, 4, 6), True)
    """
    if freq == "day":
        before = after = 0
    elif freq == "week":
        before, after = day.weekday(), 6 - day.weekday()
    else:
        before = day.day - 1
        after = calendar.monthrange(day.year, day.month)[1] - day.day
    to_start, to_end = (day - start).days, (end - day).days
    first = day - timedelta(days=min(before, to_start))
    last = day + timedelta(days=min(after, to_end))
    return first, last, to_start < before or to_end < after


def bucket_days(start: date, end: date, freq: str) -> Iterator[tuple[date, date, bool]]:
    """Yield each bucket's first and last day within ``[start, end]``, and if it is clipped.

    The buckets of `rate_series` and `refusal_cost_series`, in order, from `start` to `end`.

    Example:
        >>> [(f.day, l.day, c) for f, l, c in bucket_days(date(2025, 4, 2), date(2025, 4, 9),
        ...                                               "week")]
        [(2, 6, True), (7, 9, True)]
    """
    first = start
    while True:
        _, last, clipped = bucket_of(first, freq, start, end)
        yield first, last, clipped
        if last == end:  # no day after `end` is computed
            return
        first = last + timedelta(days=1)
