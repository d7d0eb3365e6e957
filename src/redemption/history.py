"""A validated history of orders, sales and returns, indexed for the calculators."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from datetime import date, datetime, tzinfo
from itertools import islice
from operator import attrgetter
from typing import Final, TypeVar

import attrs

from redemption.dates import MOSCOW, day_end
from redemption.errors import (
    CancelledOrderSoldError,
    DuplicateRecordError,
    EventOrderError,
    InvalidPriceError,
    RecordTypeError,
    ReturnWithoutSaleError,
)
from redemption.model import Order, Return, Sale
from redemption.money import to_kopecks

__all__ = ["History", "OrderLines"]

_R = TypeVar("_R", Order, Sale, Return)

ORDERED_AT: Final = attrgetter("ordered_at")
SOLD_AT: Final = attrgetter("sold_at")
RETURNED_AT: Final = attrgetter("returned_at")
PRICE: Final = attrgetter("price")
CANCELLED_AT: Final = attrgetter("cancelled_at")


@attrs.frozen
class OrderLines:
    """The history as one line per order: the order, when it was sold and returned, its price.

    The columns are aligned: ``sold_at[i]``, ``returned_at[i]``, ``settled_at[i]`` and
    ``kopecks[i]`` belong to ``orders[i]`` (``None`` where a sale or return has not happened).
    ``settled_at[i]`` is when the order's outcome became known: its sale, else its
    cancellation, ``None`` while it has neither. It is the one place that rule is kept: as
    of a moment, an order whose ``settled_at`` is before it is sold if it has a sale and
    cancelled if not; any other order is in transit.
    ``kopecks`` holds each order's price in whole kopecks, the way frames keep money, as a
    read-only buffer of 64-bit integers (8 bytes an order; ``numpy.frombuffer`` takes it
    without a copy).
    Orders are sorted by the instant they were placed.

    .. versionadded:: 0.1.0
    """

    orders: tuple[Order, ...]
    sold_at: tuple[datetime | None, ...]
    returned_at: tuple[datetime | None, ...]
    kopecks: memoryview
    settled_at: tuple[datetime | None, ...]

    def placed_between(self, start: datetime, stop: datetime) -> range:
        """Return the positions of the lines whose order was placed in ``[start, stop)``.

        Example:
            >>> from datetime import UTC, datetime
            >>> History().lines.placed_between(datetime(2025, 1, 1, tzinfo=UTC),
            ...                                datetime(2025, 2, 1, tzinfo=UTC))
            range(0, 0)
        """
        first = bisect_left(self.orders, start, key=ORDERED_AT)
        return range(first, bisect_left(self.orders, stop, lo=first, key=ORDERED_AT))

    def placed_before(self, stop: datetime) -> int:
        """Return how many orders were placed before `stop`: they are the first lines."""
        return bisect_left(self.orders, stop, key=ORDERED_AT)

    def rows(
        self,
        positions: range,
        *,
        buyer_id: str | None = None,
        seller_id: str | None = None,
    ) -> Iterator[tuple[Order, datetime | None, datetime | None, int]]:
        """Yield ``(order, sold_at, returned_at, kopecks)`` of the lines at `positions`.

        With `buyer_id` or `seller_id`, only the lines of that buyer or seller.
        """
        rows: Iterator[tuple[Order, datetime | None, datetime | None, int]] = zip(
            self.orders, self.sold_at, self.returned_at, self.kopecks, strict=True
        )
        if positions != range(len(self.orders)):
            rows = islice(rows, positions.start, positions.stop)
        if buyer_id is not None:
            rows = (row for row in rows if row[0].buyer_id == buyer_id)
        if seller_id is not None:
            rows = (row for row in rows if row[0].seller_id == seller_id)
        return rows


def _records(items: Iterable[_R], kind: type[_R], name: str) -> list[_R]:
    records = list(items)
    for position, record in enumerate(records):
        if not isinstance(record, kind):
            msg = (
                f"{name}[{position}] must be a {kind.__name__}, "
                f"not {type(record).__name__} {record!r}"
            )
            raise RecordTypeError(msg, order_id=getattr(record, "order_id", None))
    return records


def _duplicate(record: Order | Sale | Return) -> DuplicateRecordError:
    if isinstance(record, Order):
        what = "two orders with this id"
    else:
        what = f"two {'sales' if isinstance(record, Sale) else 'returns'} of one order"
    msg = f"order {record.order_id}: {what}"
    return DuplicateRecordError(msg, order_id=record.order_id)


def _kopecks(orders: list[Order]) -> memoryview:
    """Return the orders' prices in kopecks as a read-only buffer of 64-bit integers."""
    try:
        prices = array("q", map(to_kopecks, map(PRICE, orders)))
    except OverflowError:
        order = next(o for o in orders if not -(2**63) <= to_kopecks(o.price) < 2**63)
        msg = f"order {order.order_id}: price {order.price} is too large to count in kopecks"
        raise InvalidPriceError(msg, order_id=order.order_id) from None
    return memoryview(prices).toreadonly()


def _positions(orders: list[Order]) -> dict[str, int]:
    """Index orders by id, refusing two orders with one id."""
    position = {order.order_id: i for i, order in enumerate(orders)}
    if len(position) != len(orders):
        seen: set[str] = set()
        for order in orders:  # pragma: no branch - a duplicate is certain here
            if order.order_id in seen:
                raise _duplicate(order)
            seen.add(order.order_id)
    return position


def _match_sales(
    orders: list[Order], position: dict[str, int], sales: list[Sale]
) -> tuple[list[datetime | None], list[Sale], dict[str, datetime], list[datetime | None]]:
    """Put each sale beside its order; keep the sales whose order is not given apart.

    Also returns when each order's outcome became known, its sale else its cancellation
    (a sold order cannot be cancelled: that is refused here).
    """
    sold_at: list[datetime | None] = [None] * len(orders)
    settled_at: list[datetime | None] = list(map(CANCELLED_AT, orders))
    unmatched_sold_at: dict[str, datetime] = {}
    unmatched: list[Sale] = []
    for sale in sales:
        i = position.get(sale.order_id)
        if i is None:
            if sale.order_id in unmatched_sold_at:
                raise _duplicate(sale)
            unmatched_sold_at[sale.order_id] = sale.sold_at
            unmatched.append(sale)
            continue
        if sold_at[i] is not None:
            raise _duplicate(sale)
        order = orders[i]
        if sale.sold_at < order.ordered_at:
            msg = (
                f"order {sale.order_id}: sold {sale.sold_at.isoformat()} "
                f"before ordered {order.ordered_at.isoformat()}"
            )
            raise EventOrderError(msg, order_id=sale.order_id)
        if order.cancelled_at is not None:
            msg = (
                f"order {sale.order_id}: sold {sale.sold_at.isoformat()} "
                f"but cancelled {order.cancelled_at.isoformat()}"
            )
            raise CancelledOrderSoldError(msg, order_id=sale.order_id)
        sold_at[i] = settled_at[i] = sale.sold_at
    return sold_at, unmatched, unmatched_sold_at, settled_at


def _match_returns(
    position: dict[str, int],
    sold_at: list[datetime | None],
    unmatched_sold_at: dict[str, datetime],
    returns: list[Return],
) -> tuple[list[datetime | None], list[Return]]:
    """Put each return beside its order's sale; keep those whose order is not given apart."""
    returned_at: list[datetime | None] = [None] * len(sold_at)
    unmatched_returned: set[str] = set()
    unmatched: list[Return] = []
    for ret in returns:
        i = position.get(ret.order_id)
        if i is None:
            if ret.order_id in unmatched_returned:
                raise _duplicate(ret)
            sold = unmatched_sold_at.get(ret.order_id)
            unmatched_returned.add(ret.order_id)
            unmatched.append(ret)
        else:
            if returned_at[i] is not None:
                raise _duplicate(ret)
            sold = sold_at[i]
            if sold is None:
                msg = f"order {ret.order_id}: returned {ret.returned_at.isoformat()} but never sold"
                raise ReturnWithoutSaleError(msg, order_id=ret.order_id)
            returned_at[i] = ret.returned_at
        if sold is not None and ret.returned_at < sold:
            msg = (
                f"order {ret.order_id}: returned {ret.returned_at.isoformat()} "
                f"before sold {sold.isoformat()}"
            )
            raise EventOrderError(msg, order_id=ret.order_id)
    return returned_at, unmatched


class History:
    """Orders, sales and returns, checked against each other and indexed by order.

    Build it from any iterables of records; it checks the whole set once.
    A sale or return whose order is not given is not an error (an export covers a range
    of dates): it is kept, and reported as *unmatched*.
    The order in which records are given changes no figure.

    Args:
        orders: `Order` records, one per order id.
        sales: `Sale` records, at most one per order.
        returns: `Return` records, at most one per order, each after its sale.

    Raises:
        RecordTypeError: an item is not a record of the kind its argument takes.
        DuplicateRecordError: two orders share one id, or one order is sold or returned twice.
        EventOrderError: a sale before its order, or a return before its sale.
        CancelledOrderSoldError: a cancelled order has a sale.
        ReturnWithoutSaleError: an order that is given was returned but has no sale.

    Example:
        >>> from datetime import datetime
        >>> from redemption import MOSCOW, Order, Sale
        >>> at = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
        >>> h = History(
        ...     orders=[Order(order_id="1", seller_id="s", sku="k", price=100, ordered_at=at)],
        ...     sales=[Sale(order_id="1", sold_at=at), Sale(order_id="0", sold_at=at)],
        ... )
        >>> h
        History(orders=1, sales=2, returns=0, unmatched_sales=1, unmatched_returns=0)

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_lines", "_returns", "_sales", "_unmatched_returns", "_unmatched_sales")

    def __init__(
        self,
        *,
        orders: Iterable[Order] = (),
        sales: Iterable[Sale] = (),
        returns: Iterable[Return] = (),
    ) -> None:
        """Check the records against each other and index them by order."""
        order_list = _records(orders, Order, "orders")
        sale_list = _records(sales, Sale, "sales")
        return_list = _records(returns, Return, "returns")

        order_list.sort(key=ORDERED_AT)
        position = _positions(order_list)
        sold_at, unmatched_sales, unmatched_sold_at, settled_at = _match_sales(
            order_list, position, sale_list
        )
        returned_at, unmatched_returns = _match_returns(
            position, sold_at, unmatched_sold_at, return_list
        )

        del position, unmatched_sold_at  # only matching needs the index: free it first
        unmatched_sales.sort(key=SOLD_AT)
        unmatched_returns.sort(key=RETURNED_AT)
        self._lines = OrderLines(
            tuple(order_list),
            tuple(sold_at),
            tuple(returned_at),
            _kopecks(order_list),
            tuple(settled_at),
        )
        self._sales = tuple(sale_list)
        self._returns = tuple(return_list)
        self._unmatched_sales = tuple(unmatched_sales)
        self._unmatched_returns = tuple(unmatched_returns)

    @property
    def lines(self) -> OrderLines:
        """The history as one line per order, sorted by the instant of the order."""
        return self._lines

    @property
    def orders(self) -> tuple[Order, ...]:
        """The orders, sorted by the instant they were placed."""
        return self._lines.orders

    @property
    def sales(self) -> tuple[Sale, ...]:
        """Every sale given, matched or not, in the order given."""
        return self._sales

    @property
    def returns(self) -> tuple[Return, ...]:
        """Every return given, matched or not, in the order given."""
        return self._returns

    @property
    def unmatched_sales(self) -> tuple[Sale, ...]:
        """Sales whose order is not in the history, sorted by the instant of the sale."""
        return self._unmatched_sales

    @property
    def unmatched_returns(self) -> tuple[Return, ...]:
        """Returns whose order is not in the history, sorted by the instant of the return."""
        return self._unmatched_returns

    def cut(self, today: date, *, tz: tzinfo = MOSCOW) -> History:
        """Return the history as it was known at the end of `today` in `tz`.

        Orders placed, sales and returns made after that are left out, and a cancellation
        after it is not yet known: the order is open again.
        Any figure as of `today` is the same on the cut history as on the full one.

        Example:
            >>> from datetime import date, datetime
            >>> from redemption import MOSCOW, Order
            >>> o = Order(order_id="1", seller_id="s", sku="k", price=100,
            ...           ordered_at=datetime(2025, 4, 1, 12, tzinfo=MOSCOW),
            ...           cancelled_at=datetime(2025, 4, 3, 12, tzinfo=MOSCOW))
            >>> History(orders=[o]).cut(date(2025, 4, 2)).orders[0].cancelled_at is None
            True
        """
        end = day_end(today, tz)
        orders = [
            order
            if order.cancelled_at is None or order.cancelled_at < end
            else attrs.evolve(order, cancelled_at=None, cancel_kind=None, cancel_reason=None)
            for order in self.orders
            if order.ordered_at < end
        ]
        return History(
            orders=orders,
            sales=[sale for sale in self._sales if sale.sold_at < end],
            returns=[ret for ret in self._returns if ret.returned_at < end],
        )

    def __repr__(self) -> str:
        """Count the records of each kind."""
        return (
            f"History(orders={len(self.orders)}, sales={len(self._sales)}, "
            f"returns={len(self._returns)}, unmatched_sales={len(self._unmatched_sales)}, "
            f"unmatched_returns={len(self._unmatched_returns)})"
        )
