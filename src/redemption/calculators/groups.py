"""How figures group orders: overall, by SKU, seller or buyer, or by the caller's key.

Not part of the public API: the calculators and the analysis share it, so that ``by="sku"``
means one thing everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from operator import attrgetter
from typing import Literal, TypeAlias

from redemption.errors import InvalidArgumentError, shown
from redemption.model import Order

__all__ = ["GROUPINGS", "By", "group_key"]

By: TypeAlias = Literal["sku", "seller", "buyer"] | Callable[[Order], Hashable] | None
"""A grouping: ``None`` (one group, ``None``), ``"sku"``, ``"seller"``, ``"buyer"`` (orders
without a buyer under ``None``), or a function from an `Order` to its group."""

GROUPINGS: dict[str, Callable[[Order], Hashable]] = {
    "sku": attrgetter("sku"),
    "seller": attrgetter("seller_id"),
    "buyer": attrgetter("buyer_id"),
}
"""The named groupings: an order's SKU, its seller, its buyer (``None`` where not known)."""


def _everything(_: Order) -> None:
    return None


def group_key(
    by: object, names: tuple[str, ...] = ("sku", "seller", "buyer"), *, overall: bool = True
) -> Callable[[Order], Hashable]:
    """Return the function that gives an order's group for the grouping `by`.

    Args:
        by: ``None`` (one group, ``None``; only with `overall`), one of `names`, or a
            function from an `Order` to its group.
        names: the named groupings the figure takes (of `GROUPINGS`).
        overall: whether ``None`` is a grouping the figure takes.

    Raises:
        InvalidArgumentError: `by` is none of these.

    Example:
        >>> from datetime import UTC, datetime
        >>> order = Order(order_id="1", seller_id="shop", sku="nm-42", price=1,
        ...               ordered_at=datetime(2025, 4, 1, tzinfo=UTC))
        >>> group_key("seller")(order), group_key(None)(order)
        ('shop', None)
    """
    if by is None and overall:
        return _everything
    if isinstance(by, str) and by in names:
        return GROUPINGS[by]
    if by is not None and not isinstance(by, str) and callable(by):
        return by
    allowed = (["None"] if overall else []) + [repr(name) for name in names]
    msg = f"by must be {', '.join(allowed)} or a function of an Order, not {shown(by)}"
    raise InvalidArgumentError(msg)
