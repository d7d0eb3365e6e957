"""An order's outcome as of a moment: sold, cancelled, or still in transit.

`settled_rows` is the one place the object calculators decide it; `redemption.frames`
decides it once more, apart, so that each checks the other.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import TypeVar

from redemption.history import OrderLines
from redemption.model import Order

__all__ = ["CANCELLED", "IN_TRANSIT", "SOLD", "Outcome", "SettledRow", "settled_rows"]

_T = TypeVar("_T")


class Outcome(enum.Enum):
    """What had become of an order by a moment."""

    SOLD = "sold"
    """Bought out by then."""
    CANCELLED = "cancelled"
    """Not sold, and cancelled or refused by then: its kind is ``order.cancel_kind``."""
    IN_TRANSIT = "in_transit"
    """Neither sold nor cancelled by then: left out of every figure but its own count."""


SOLD, CANCELLED, IN_TRANSIT = Outcome.SOLD, Outcome.CANCELLED, Outcome.IN_TRANSIT

SettledRow = tuple[Order, Outcome, datetime | None, datetime | None, int]
"""``(order, outcome, sold_at, returned_at, kopecks)`` of one order line."""


def settled_rows(
    lines: OrderLines,
    positions: range,
    known_until: datetime,
    *,
    buyer_id: str | None = None,
    seller_id: str | None = None,
) -> Iterator[SettledRow]:
    """Yield the lines at `positions` with each order's outcome before `known_until`.

    A sale known by then decides it; else a cancellation known by then; else the order is
    in transit. Events at or after `known_until` are not seen. With `buyer_id` or
    `seller_id`, only the lines of that buyer or seller.

    The outcomes are made in one comprehension, not a call per line: the calculators run
    this over every order of a history.

    Example:
        >>> from datetime import UTC, datetime
        >>> from redemption import History, Order
        >>> at = datetime(2025, 4, 1, tzinfo=UTC)
        >>> order = Order(order_id="1", seller_id="s", sku="k", price=1, ordered_at=at,
        ...               cancelled_at=datetime(2025, 4, 3, tzinfo=UTC))
        >>> lines = History(orders=[order]).lines
        >>> [ended for _, ended, *_ in settled_rows(lines, range(1), datetime(2025, 4, 2, tzinfo=UTC))]
        [<Outcome.IN_TRANSIT: 'in_transit'>]
        >>> [ended for _, ended, *_ in settled_rows(lines, range(1), datetime(2025, 4, 4, tzinfo=UTC))]
        [<Outcome.CANCELLED: 'cancelled'>]
    """  # noqa: E501 - doctest lines

    def column(values: Iterable[_T]) -> Iterator[_T]:
        return islice(values, positions.start, positions.stop)

    ended = [
        SOLD
        if sold is not None and sold < known_until
        else CANCELLED
        if (cancelled := order.cancelled_at) is not None and cancelled < known_until
        else IN_TRANSIT
        for order, sold in zip(column(lines.orders), column(lines.sold_at), strict=True)
    ]
    rows: Iterator[SettledRow] = zip(
        column(lines.orders),
        ended,
        column(lines.sold_at),
        column(lines.returned_at),
        column(lines.kopecks),
        strict=True,
    )
    if buyer_id is not None:
        rows = (row for row in rows if row[0].buyer_id == buyer_id)
    if seller_id is not None:
        rows = (row for row in rows if row[0].seller_id == seller_id)
    return rows
