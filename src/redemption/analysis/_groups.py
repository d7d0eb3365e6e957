"""How the analysis groups orders: overall, by SKU, seller or buyer, or by the caller's key."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from operator import attrgetter
from typing import Literal, TypeAlias

from redemption.errors import InvalidArgumentError, shown
from redemption.model import Order

__all__ = ["By", "group_key"]

By: TypeAlias = Literal["sku", "seller", "buyer"] | Callable[[Order], Hashable] | None
"""A grouping: ``None`` (one group, ``None``), ``"sku"``, ``"seller"``, ``"buyer"`` (orders
without a buyer under ``None``), or a function from an `Order` to its group."""

_KEYS: dict[str, Callable[[Order], Hashable]] = {
    "sku": attrgetter("sku"),
    "seller": attrgetter("seller_id"),
    "buyer": attrgetter("buyer_id"),
}


def _everything(_: Order) -> None:
    return None


def group_key(by: object) -> Callable[[Order], Hashable]:
    """Return the function that gives an order's group for the grouping `by`.

    Raises:
        InvalidArgumentError: `by` is neither ``None``, one of the names, nor callable.
    """
    if by is None:
        return _everything
    if isinstance(by, str):
        key = _KEYS.get(by)
        if key is not None:
            return key
    elif callable(by):
        return by
    msg = f"by must be None, 'sku', 'seller', 'buyer' or a function of an Order, not {shown(by)}"
    raise InvalidArgumentError(msg)
