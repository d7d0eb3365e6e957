"""Naive Moscow times, as Wildberries writes them, read on frames to the instant they name.

The object importers read ``2025-04-01T10:00:00`` as ``datetime.replace(tzinfo=MOSCOW)``
does; here text comparisons choose Moscow's offset from the local time itself, and one
pattern checks the calendar.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

import narwhals.stable.v2 as nw

from redemption.dates import MOSCOW
from redemption.frames._rows import with_text_read

__all__ = ["moscow_offsets", "with_moscow_time"]

_YEAR = "([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"
_DAYS = "(0[1-9]|[12][0-9]|3[01])", "(0[1-9]|[12][0-9]|30)", "(0[1-9]|1[0-9]|2[0-9])"
_MOMENT = (
    f"^{_YEAR}-((0[13578]|1[02])-{_DAYS[0]}|(0[469]|11)-{_DAYS[1]}|02-{_DAYS[2]})"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\z"
)
"""A date and time ``YYYY-MM-DDTHH:MM:SS`` of the calendar, but that 29 February is
allowed in every year: one pattern checks what six numbers would."""


_SCAN_STEP = 7 * 86400
"""How far apart, in seconds, the offsets are looked at, each change then found to the
second: Moscow's changes are a month or more apart (the closest two 30 days), so a week's
step sees every one (a test checks the table against a six-hourly scan). A scan every six
hours, as before, took half a second of each process's first import."""


@functools.cache
def moscow_offsets() -> tuple[str, tuple[tuple[str, str], ...]]:
    """Moscow's offsets from UTC by local time, as text comparisons can choose them.

    Returns the first local time placed (offsets before it were not whole minutes), and
    each local time from which an offset holds, with the offset as ``+HHMM``, the latest
    first. A local time from a change's boundary on has the offset after the change:
    the boundary is the change's instant in the larger of the two offsets, so that a
    time the clocks skipped, or one they passed twice, has the offset before the change,
    as ``datetime.replace(tzinfo=MOSCOW)`` gives it.
    """

    def offset(second: int) -> timedelta:
        found = datetime.fromtimestamp(second, UTC).astimezone(MOSCOW).utcoffset()
        assert found is not None  # noqa: S101 - a ZoneInfo always has one
        return found

    changes: list[tuple[int, timedelta, timedelta]] = []
    start = int(datetime(1880, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(2040, 1, 1, tzinfo=UTC).timestamp())
    step = _SCAN_STEP
    before = offset(start)
    for second in range(start, end, step):
        after = offset(second + step)
        if after == before:
            continue
        low, high = second, second + step  # offset(low) is before, offset(high) after
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if offset(middle) == before else (low, middle)
        changes.append((high, before, after))
        before = after
    whole = [i for i, (_, old, _) in enumerate(changes) if old.total_seconds() % 60]
    first = whole[-1] + 1 if whole else 0
    bounds: list[tuple[str, str]] = []
    for moment, old, new in changes[first:]:
        local = datetime.fromtimestamp(moment, UTC).replace(tzinfo=None) + max(old, new)
        minutes = int(new.total_seconds()) // 60
        sign = "+" if minutes >= 0 else "-"
        hours, rest = divmod(abs(minutes), 60)
        bounds.append((local.isoformat(timespec="seconds"), f"{sign}{hours:02d}{rest:02d}"))
    return bounds[0][0], tuple(reversed(bounds))


def with_moscow_time(frame: nw.LazyFrame[Any], text: nw.Expr, name: str) -> nw.LazyFrame[Any]:
    """Add the instant a naive Moscow time's text names (`name`), and why it has none.

    ``{name}`` is the instant (UTC), null where the text is missing or is no time;
    ``{name}_bad`` says why, null where it is read. Only ``YYYY-MM-DDTHH:MM:SS`` is read,
    stripped.
    """
    raw = nw.col(f"_{name}_text")
    ok = f"_{name}_text_ok"
    frame = with_text_read(frame, text, f"_{name}_text", _MOMENT)
    # the pattern lets 29 February by in every year: the year of one is read and checked
    year = nw.when(nw.col(ok) & (raw.str.slice(5, 5) == "02-29")).then(raw.str.slice(0, 4))
    frame = frame.with_columns(year.cast(nw.Int64).alias(f"_{name}_y"))
    y = nw.col(f"_{name}_y")
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    frame = frame.with_columns((nw.col(ok) & leap.fill_null(value=True)).alias(ok))
    first, bounds = moscow_offsets()
    placed = nw.col(ok) & (raw >= first)
    (latest, zone), *earlier = bounds
    offset = nw.when(raw >= latest).then(nw.lit(zone))
    for bound, zone in earlier:
        offset = offset.when(raw >= bound).then(nw.lit(zone))
    missing = raw.is_null() | (raw == "")
    frame = frame.with_columns(
        nw.when(placed)
        .then(nw.concat_str([raw, offset]))
        .str.to_datetime(format="%Y-%m-%dT%H:%M:%S%z")
        .alias(name),
        nw.when(missing)
        .then(nw.lit("missing"))
        .when(~nw.col(ok))
        .then(nw.concat_str([nw.lit("not a date and time of the form YYYY-MM-DDTHH:MM:SS: "), raw]))
        .when(~placed)
        .then(
            nw.concat_str(
                [nw.lit(f"before {first}, when Moscow's offset was not whole minutes: "), raw]
            )
        )
        .alias(f"{name}_bad"),
    )
    return frame.drop(f"_{name}_text", ok, f"_{name}_y")
