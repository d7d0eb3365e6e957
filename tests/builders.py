"""Small builders for example tests: Moscow timestamps and orders with plain defaults."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from redemption import MOSCOW, Order


def msk(text: str) -> datetime:
    """Read an ISO timestamp as Moscow time."""
    return datetime.fromisoformat(text).replace(tzinfo=MOSCOW)


def an_order(
    order_id: str,
    ordered_at: datetime,
    *,
    seller_id: str = "s",
    sku: str = "k",
    price: Decimal | int | str = 1,
    buyer_id: str | None = None,
    cancelled_at: datetime | None = None,
) -> Order:
    """Build an order of seller "s" and SKU "k" for 1 rouble, unless told otherwise."""
    return Order(
        order_id=order_id,
        seller_id=seller_id,
        sku=sku,
        price=price,
        ordered_at=ordered_at,
        buyer_id=buyer_id,
        cancelled_at=cancelled_at,
    )
