"""An order's outcome as of a moment: sold, cancelled, or still in transit.

The one place the object calculators decide it; `redemption.frames` decides it once more,
apart, so that each checks the other.
"""

from __future__ import annotations

import enum
from datetime import datetime

from redemption.model import Order

__all__ = ["Outcome", "outcome"]


class Outcome(enum.Enum):
    """What had become of an order by a moment."""

    SOLD = "sold"
    """Bought out by then."""
    CANCELLED = "cancelled"
    """Not sold, and cancelled or refused by then: its kind is ``order.cancel_kind``."""
    IN_TRANSIT = "in_transit"
    """Neither sold nor cancelled by then: left out of every figure but its own count."""


SOLD, CANCELLED, IN_TRANSIT = Outcome.SOLD, Outcome.CANCELLED, Outcome.IN_TRANSIT


def outcome(order: Order, sold_at: datetime | None, known_until: datetime) -> Outcome:
    """Return what had become of `order`, sold at `sold_at` if it was, before `known_until`.

    A sale known by then decides it; else a cancellation known by then; else the order is
    in transit. Events at or after `known_until` are not seen.

    Example:
        >>> from datetime import UTC, datetime
        >>> from redemption import Order
        >>> at = datetime(2025, 4, 1, tzinfo=UTC)
        >>> order = Order(order_id="1", seller_id="s", sku="k", price=1, ordered_at=at,
        ...               cancelled_at=datetime(2025, 4, 3, tzinfo=UTC))
        >>> outcome(order, None, datetime(2025, 4, 2, tzinfo=UTC))
        <Outcome.IN_TRANSIT: 'in_transit'>
        >>> outcome(order, None, datetime(2025, 4, 4, tzinfo=UTC))
        <Outcome.CANCELLED: 'cancelled'>
    """
    if sold_at is not None and sold_at < known_until:
        return SOLD
    cancelled_at = order.cancelled_at
    if cancelled_at is not None and cancelled_at < known_until:
        return CANCELLED
    return IN_TRANSIT
