"""A small example history to try the library on, with no data of your own.

It is made by a seeded generator, so it is the same on every machine.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from redemption.dates import MOSCOW, day_end
from redemption.history import History
from redemption.model import Order, Return, Sale

__all__ = ["EXAMPLE_TODAY", "example_history"]

EXAMPLE_TODAY = date(2025, 4, 30)
"""The last day the example history knows of: nothing in it happens later."""

_SKUS = {  # sku: (seller, base price in roubles, chance of being bought)
    "nm-100200": ("shop-north", 1290, 0.82),
    "nm-100201": ("shop-north", 3490, 0.64),
    "nm-300400": ("shop-south", 690, 0.71),
    "nm-300401": ("shop-south", 8990, 0.48),
}


def example_history(*, orders: int = 600, seed: int = 2025) -> History:
    """Return a small, deterministic history of orders from December 2024 to April 2025.

    Four SKUs from two sellers; about a third of orders are cancelled or refused, some
    sales are returned, and the latest orders are still in transit on `EXAMPLE_TODAY`.

    Args:
        orders: how many orders to make.
        seed: the seed of the generator; the same seed gives the same history.

    Example:
        >>> example_history(orders=50)
        History(orders=50, sales=..., returns=..., unmatched_sales=0, unmatched_returns=0)

    .. versionadded:: 0.1.0
    """
    rng = random.Random(seed)  # noqa: S311 - example data, not a secret
    first_day = date(2024, 12, 1)
    days = (EXAMPLE_TODAY - first_day).days + 1
    known_until = day_end(EXAMPLE_TODAY, MOSCOW)
    skus = sorted(_SKUS)
    made: list[Order] = []
    sales: list[Sale] = []
    returns: list[Return] = []
    for n in range(orders):
        sku = rng.choice(skus)
        seller, base, chance = _SKUS[sku]
        ordered_at = datetime.combine(
            first_day + timedelta(days=rng.randrange(days)), time(), tzinfo=MOSCOW
        ) + timedelta(seconds=rng.randrange(86_400))
        order_id = f"{seller}-{n + 1:05d}"
        outcome_at = ordered_at + timedelta(hours=rng.randrange(6, 20 * 24))
        price = Decimal(base * rng.randrange(60, 101)).scaleb(-2)  # a discount of 0-40%
        cancelled_at = None
        if rng.random() < chance:
            if outcome_at < known_until:
                sales.append(Sale(order_id=order_id, sold_at=outcome_at))
                returned_at = outcome_at + timedelta(hours=rng.randrange(24, 8 * 24))
                if rng.random() < 0.1 and returned_at < known_until:  # noqa: PLR2004
                    returns.append(Return(order_id=order_id, returned_at=returned_at))
        elif outcome_at < known_until:
            cancelled_at = outcome_at
        made.append(
            Order(
                order_id=order_id,
                seller_id=seller,
                sku=sku,
                price=price,
                buyer_id=f"buyer-{rng.randrange(orders // 4 + 1):04d}",
                ordered_at=ordered_at,
                cancelled_at=cancelled_at,
            )
        )
    return History(orders=made, sales=sales, returns=returns)
