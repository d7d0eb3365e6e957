"""An order's outcome as of a moment: sold, cancelled, or still in transit.

The rule is kept once, in `OrderLines.settled_at`: an order is settled when its sale, else
its cancellation, happened. As of a moment, an order settled before it is *sold* if it has a
sale and *cancelled* if not; any other order is *in transit*. `settled_rows` hands the
calculators every line with that instant. As a sold order settled at its sale, each asks
first whether the sale is before the moment (the most common case), then whether the order
settled before it; `redemption.frames` decides it once more, apart, so that each checks
the other.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, tzinfo
from itertools import islice, repeat
from typing import TypeVar

from redemption.dates import day_end, local_day
from redemption.errors import BeyondHorizonWarning
from redemption.history import History, OrderLines
from redemption.model import Order

__all__ = ["SettledRow", "covers", "settled_rows", "warn_beyond_horizon"]

_T = TypeVar("_T")

SettledRow = tuple[Order, datetime | None, datetime | None, datetime | None, int]
"""``(order, settled_at, sold_at, returned_at, kopecks)`` of one order line."""


def settled_rows(
    lines: OrderLines,
    positions: range,
    *,
    buyer_id: str | None = None,
    seller_id: str | None = None,
    prices: bool = True,
) -> Iterator[SettledRow]:
    """Yield the lines at `positions`, each with the instant its outcome became known.

    With `buyer_id` or `seller_id`, only the lines of that buyer or seller. With
    ``prices=False`` every price is 0: a figure that counts orders spares reading them.

    Example:
        >>> from datetime import UTC, datetime
        >>> from redemption import History, Order
        >>> at = datetime(2025, 4, 1, tzinfo=UTC)
        >>> order = Order(order_id="1", seller_id="s", sku="k", price=1, ordered_at=at,
        ...               cancelled_at=datetime(2025, 4, 3, tzinfo=UTC))
        >>> [settled.day for _, settled, *_ in settled_rows(History(orders=[order]).lines, range(1))]
        [3]
    """  # noqa: E501 - a doctest line

    def column(values: Sequence[_T]) -> Iterable[_T]:
        # from the first line, stop early; from a later one, a slice (a copy of pointers, a
        # view for the prices) spares walking there
        if positions.start == 0:
            return islice(values, positions.stop)
        return values[positions.start : positions.stop]

    rows: Iterator[SettledRow] = zip(
        column(lines.orders),
        column(lines.settled_at),
        column(lines.sold_at),
        column(lines.returned_at),
        column(lines.kopecks) if prices else repeat(0, len(positions)),
        strict=True,
    )
    if buyer_id is not None:
        rows = (row for row in rows if row[0].buyer_id == buyer_id)
    if seller_id is not None:
        rows = (row for row in rows if row[0].seller_id == seller_id)
    return rows


def warn_beyond_horizon(history: History, today: date, tz: tzinfo) -> None:
    """Warn (`BeyondHorizonWarning`) when `today` is after the day of the history's horizon."""
    horizon = history.horizon
    if horizon is not None and today > local_day(horizon, tz):
        msg = (
            f"figures as of {today}, but the data reaches only "
            f"{horizon.astimezone(tz).isoformat()}: later events may be missing"
        )
        warnings.warn(msg, BeyondHorizonWarning, stacklevel=3)


def covers(history: History, last: date, tz: tzinfo) -> bool:
    """Whether the history's horizon reaches the end of the day `last` (or is unknown)."""
    return history.horizon is None or history.horizon >= day_end(last, tz)
