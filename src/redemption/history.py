"""A validated history of orders, sales and returns, indexed for the calculators.

It may also hold what the seller paid to carry each order (`Logistics`): no figure of the
redemption rate, ransom amount or buyer reads it, and a history without it costs nothing.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from enum import Enum
from functools import cached_property
from itertools import islice, repeat
from operator import attrgetter
from types import MappingProxyType
from typing import Final, TypeVar

import attrs

from redemption.dates import MOSCOW, day_end
from redemption.errors import (
    ArgumentTypeError,
    CancelledOrderSoldError,
    DataError,
    DuplicateRecordError,
    EventOrderError,
    InvalidPriceError,
    RecordTypeError,
    ReturnWithoutSaleError,
)
from redemption.model import Logistics, Order, Return, Sale
from redemption.money import kopecks_of, to_kopecks

__all__ = ["BuyerNumbers", "Conflict", "ConflictRule", "History", "OrderLines"]

_R = TypeVar("_R", Order, Sale, Return, Logistics)

_Record = Order | Sale | Return | Logistics
"""A record a conflict may put aside."""

ORDERED_AT: Final = attrgetter("ordered_at")
SOLD_AT: Final = attrgetter("sold_at")
RETURNED_AT: Final = attrgetter("returned_at")
PRICE: Final = attrgetter("price")
CANCELLED_AT: Final = attrgetter("cancelled_at")
ORDER_ID: Final = attrgetter("order_id")
BUYER_ID: Final = attrgetter("buyer_id")

_NO_LOGISTICS: Final[Mapping[str, Logistics]] = MappingProxyType({})
"""The logistics of a history given none: one empty mapping shared by all of them."""


@attrs.frozen
class BuyerNumbers:
    """The buyers of the order lines, numbered: each line's buyer as a small whole number.

    ``buyers[numbers[i]]`` is the `buyer_id` of the ``i``-th line (`None` for an order
    without one). Buyers are numbered from 0 in the order of their first line, so the
    buyers of the first ``k`` lines are the first ``max(numbers[:k]) + 1``.
    A figure per buyer adds each line into a list at its buyer's number: no id is hashed
    again. ``numbers`` is a read-only buffer of 64-bit integers (8 bytes an order).

    Example:
        >>> from datetime import UTC, datetime
        >>> from redemption import Order
        >>> at = datetime(2025, 4, 1, tzinfo=UTC)
        >>> lines = History(orders=[
        ...     Order(order_id=str(i), seller_id="s", sku="k", price=1, ordered_at=at, buyer_id=b)
        ...     for i, b in enumerate(["x", "y", "x", None])
        ... ]).lines
        >>> lines.buyer_numbers.buyers, lines.buyer_numbers.numbers.tolist()
        (('x', 'y', None), [0, 1, 0, 2])

    .. versionadded:: 0.2.0
    """

    buyers: tuple[str | None, ...]
    numbers: memoryview

    @classmethod
    def of(cls, orders: Iterable[Order]) -> BuyerNumbers:
        """Number the buyers of `orders` in the order of their first order."""
        number: dict[str | None, int] = {}
        # one lookup an order, all in C: `setdefault` gives a buyer seen before its number,
        # and a new one the number of buyers so far (`map` takes `len` before the call)
        numbers = array(
            "q", list(map(number.setdefault, map(BUYER_ID, orders), map(len, repeat(number))))
        )
        return cls(tuple(number), memoryview(numbers).toreadonly())


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

    Example:
        Two orders: one sold, one placed earlier and cancelled an hour later.

        >>> from datetime import datetime
        >>> from redemption import MOSCOW, History, Order, Sale
        >>> def at(hour):
        ...     return datetime(2025, 4, 1, hour, tzinfo=MOSCOW)
        >>> lines = History(
        ...     orders=[Order(order_id="a", seller_id="s", sku="k", price=990, ordered_at=at(12)),
        ...             Order(order_id="b", seller_id="s", sku="k", price=100, ordered_at=at(10),
        ...                   cancelled_at=at(11))],
        ...     sales=[Sale(order_id="a", sold_at=at(15))],
        ... ).lines
        >>> [order.order_id for order in lines.orders], lines.kopecks.tolist()
        (['b', 'a'], [10000, 99000])
        >>> lines.sold_at == (None, at(15)), lines.settled_at == (at(11), at(15))
        (True, True)

    .. versionadded:: 0.1.0
    """

    orders: tuple[Order, ...]
    sold_at: tuple[datetime | None, ...]
    returned_at: tuple[datetime | None, ...]
    kopecks: memoryview
    settled_at: tuple[datetime | None, ...]

    @cached_property
    def buyer_numbers(self) -> BuyerNumbers:
        """The lines' buyers, numbered (`BuyerNumbers`): made on first use, then kept.

        The figures per buyer read it; a history no such figure is asked of never makes it.

        .. versionadded:: 0.2.0
        """
        return BuyerNumbers.of(self.orders)

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
    if all(map(isinstance, records, repeat(kind))):  # in C: a history checks a million
        return records
    position, record = next((p, r) for p, r in enumerate(records) if not isinstance(r, kind))
    msg = f"{name}[{position}] must be a {kind.__name__}, not {type(record).__name__} {record!r}"
    raise RecordTypeError(msg, order_id=getattr(record, "order_id", None))


def _instant(value: object, name: str) -> datetime:
    """Return an aware moment given as an argument in UTC, or refuse it."""
    if not isinstance(value, datetime):
        msg = f"{name} must be a datetime, not {type(value).__name__} {value!r}"
        raise ArgumentTypeError(msg)
    if value.utcoffset() is None:
        msg = f"{name} {value.isoformat()} has no time zone"
        raise ArgumentTypeError(msg)
    return value.astimezone(UTC)


class ConflictRule(Enum):
    """The rules that decide which of two contradicting records is put aside.

    Each value names the contradiction; its docstring, the record put aside.

    Example:
        Each conflict `History.sift` finds names its rule; import reports give its value:

        >>> from datetime import datetime
        >>> from redemption import MOSCOW, ConflictRule, History, Order
        >>> order = Order(order_id="1", seller_id="s", sku="k", price=100,
        ...               ordered_at=datetime(2025, 4, 1, 12, tzinfo=MOSCOW))
        >>> _, [conflict] = History.sift(orders=[order, order])
        >>> conflict.rule is ConflictRule.DUPLICATE_ORDER, conflict.rule.value
        (True, 'duplicate-order')
        >>> ConflictRule("returned-unsold")
        <ConflictRule.RETURNED_UNSOLD: 'returned-unsold'>

    .. versionadded:: 0.2.0
    """

    DUPLICATE_ORDER = "duplicate-order"
    """Two orders with one id: the first given is kept, the later one put aside."""
    DUPLICATE_SALE = "duplicate-sale"
    """Two sales of one order: the first given is kept, the later one put aside."""
    DUPLICATE_RETURN = "duplicate-return"
    """Two returns of one order: the first given is kept, the later one put aside."""
    SOLD_BEFORE_ORDERED = "sold-before-ordered"
    """A sale before its order was placed: the sale is put aside."""
    SOLD_BUT_CANCELLED = "sold-but-cancelled"
    """A cancelled order that has a sale: the cancellation is put aside and the order counts
    as sold. A sale is the record of a purchase paid for (the marketplace counts its
    redemptions from sales), while a cancellation flag also marks refusals and stale
    statuses; a sale later undone comes as a return, not as a cancellation."""
    RETURNED_UNSOLD = "returned-unsold"
    """A return of an order that is given but has no sale: the return is put aside."""
    RETURNED_BEFORE_SOLD = "returned-before-sold"
    """A return before its sale: the return is put aside."""
    PRICE_TOO_LARGE = "price-too-large"
    """An order whose price in kopecks does not fit 64 bits: the order is put aside."""
    DUPLICATE_LOGISTICS = "duplicate-logistics"
    """Two `Logistics` records of one order: the first given is kept, the later one put
    aside."""


_STATEMENTS: Final[dict[ConflictRule, tuple[type[DataError], str]]] = {
    ConflictRule.DUPLICATE_ORDER: (DuplicateRecordError, "two orders with this id"),
    ConflictRule.DUPLICATE_SALE: (DuplicateRecordError, "two sales of one order ({} and {})"),
    ConflictRule.DUPLICATE_RETURN: (
        DuplicateRecordError,
        "two returns of one order ({} and {})",
    ),
    ConflictRule.SOLD_BEFORE_ORDERED: (EventOrderError, "sold {} before ordered {}"),
    ConflictRule.SOLD_BUT_CANCELLED: (CancelledOrderSoldError, "sold {} but cancelled {}"),
    ConflictRule.RETURNED_UNSOLD: (ReturnWithoutSaleError, "returned {} but never sold"),
    ConflictRule.RETURNED_BEFORE_SOLD: (EventOrderError, "returned {} before sold {}"),
    ConflictRule.PRICE_TOO_LARGE: (InvalidPriceError, "price {} is too large to count in kopecks"),
    ConflictRule.DUPLICATE_LOGISTICS: (
        DuplicateRecordError,
        "two logistics records of one order (to the buyer {}, back {}; to the buyer {}, back {})",
    ),
}
"""Each rule's error, and how it states the contradiction (the moments fill the braces)."""


@attrs.frozen
class Conflict:
    """A record that contradicts another, put aside by a rule.

    Attributes:
        rule: the rule that decided (see `ConflictRule`).
        record: the record put aside, as it was given (for `ConflictRule.SOLD_BUT_CANCELLED`,
            the order whose cancellation was put aside: the order itself is kept).
        other: the record it contradicts, where one is given.
        facts: the moments (or, for a price or logistics, the amounts) that contradict each
            other, in the order `describe` states them.

    Example:
        A sale dated before its order, put aside by `History.sift`:

        >>> from datetime import UTC, datetime
        >>> from redemption import History, Order, Sale
        >>> order = Order(order_id="1", seller_id="s", sku="k", price=100,
        ...               ordered_at=datetime(2025, 4, 1, 9, tzinfo=UTC))
        >>> sale = Sale(order_id="1", sold_at=datetime(2025, 3, 30, 9, tzinfo=UTC))
        >>> history, [conflict] = History.sift(orders=[order], sales=[sale])
        >>> conflict.rule, conflict.record == sale, conflict.other == order
        (<ConflictRule.SOLD_BEFORE_ORDERED: 'sold-before-ordered'>, True, True)
        >>> type(conflict.error).__name__, len(history.orders), len(history.sales)
        ('EventOrderError', 1, 0)

    .. versionadded:: 0.2.0
    """

    rule: ConflictRule
    record: Order | Sale | Return | Logistics
    other: Order | Sale | Return | Logistics | None
    facts: tuple[datetime | Decimal, ...]

    @property
    def order_id(self) -> str:
        """The id of the order the records are about."""
        return self.record.order_id

    def describe(self, tz: tzinfo = UTC) -> str:
        """State the contradiction, naming the order, with its moments shown in `tz`.

        Example:
            >>> from datetime import datetime
            >>> from redemption import MOSCOW, Order, Sale
            >>> at = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
            >>> order = Order(order_id="1", seller_id="s", sku="k", price=1, ordered_at=at)
            >>> sale = Sale(order_id="1", sold_at=datetime(2025, 3, 30, 9, tzinfo=MOSCOW))
            >>> _, [conflict] = History.sift(orders=[order], sales=[sale])
            >>> conflict.describe(MOSCOW)
            'order 1: sold 2025-03-30T09:00:00+03:00 before ordered 2025-04-01T12:00:00+03:00'
        """
        shown = (
            _shown(fact, tz) if isinstance(fact, datetime) else str(fact) for fact in self.facts
        )
        return f"order {self.order_id}: {_STATEMENTS[self.rule][1].format(*shown)}"

    @property
    def error(self) -> DataError:
        """The error `History` raises for this contradiction, stated in UTC."""
        return _STATEMENTS[self.rule][0](self.describe(), order_id=self.order_id)


def _shown(moment: datetime, tz: tzinfo) -> str:
    """A moment as written in `tz`; in UTC where `tz`'s calendar cannot hold it."""
    try:
        return moment.astimezone(tz).isoformat()
    except OverflowError:  # within hours of the first or last day a datetime can hold
        return moment.isoformat()


class _Conflicts:
    """Where contradictions go: raised at once, or put aside and listed."""

    __slots__ = ("found", "raising")

    def __init__(self, *, raising: bool) -> None:
        self.raising = raising
        self.found: list[Conflict] = []

    def add(
        self,
        rule: ConflictRule,
        record: _Record,
        other: _Record | None,
        *facts: datetime | Decimal,
    ) -> None:
        conflict = Conflict(rule, record, other, facts)
        if self.raising:
            raise conflict.error
        self.found.append(conflict)


_KOPECKS_LIMIT = 2**63


def _kopecks(orders: list[Order], conflicts: _Conflicts) -> tuple[list[Order], memoryview]:
    """Return the orders whose prices fit, and their prices in kopecks as 64-bit integers."""
    try:
        prices = array("q", kopecks_of(map(PRICE, orders)))
    except OverflowError:
        kept = []
        for order in orders:
            if -_KOPECKS_LIMIT <= to_kopecks(order.price) < _KOPECKS_LIMIT:
                kept.append(order)
                continue
            conflicts.add(ConflictRule.PRICE_TOO_LARGE, order, None, order.price)
        orders = kept
        prices = array("q", kopecks_of(map(PRICE, orders)))
    return orders, memoryview(prices).toreadonly()


def _positions(orders: list[Order], conflicts: _Conflicts) -> tuple[list[Order], dict[str, int]]:
    """Index orders by id; of two orders with one id, the later is a conflict."""
    position = {order.order_id: i for i, order in enumerate(orders)}
    if len(position) == len(orders):
        return orders, position
    kept: list[Order] = []
    first: dict[str, Order] = {}
    for order in orders:
        if order.order_id in first:
            conflicts.add(ConflictRule.DUPLICATE_ORDER, order, first[order.order_id])
            continue
        first[order.order_id] = order
        kept.append(order)
    return kept, {order.order_id: i for i, order in enumerate(kept)}


def _match_sales(
    orders: list[Order], position: dict[str, int], sales: list[Sale], conflicts: _Conflicts
) -> tuple[list[datetime | None], list[Sale], dict[str, datetime], list[datetime | None]]:
    """Put each sale beside its order; keep the sales whose order is not given apart.

    Also returns when each order's outcome became known, its sale else its cancellation
    (a sold order cannot be cancelled: that is a conflict). Sales put aside by a conflict
    are removed from `sales`.
    """
    sold_at: list[datetime | None] = [None] * len(orders)
    settled_at: list[datetime | None] = list(map(CANCELLED_AT, orders))
    unmatched_sold_at: dict[str, datetime] = {}
    unmatched: list[Sale] = []
    kept: list[Sale] = []
    first: dict[str, Sale] = {}  # filled from `kept` only when a second sale is found

    def second(sale: Sale) -> None:
        first.update((s.order_id, s) for s in islice(kept, len(first), None))
        earlier = first[sale.order_id]
        conflicts.add(ConflictRule.DUPLICATE_SALE, sale, earlier, earlier.sold_at, sale.sold_at)

    get, keep = position.get, kept.append  # bound once: the loop runs a million times
    for sale in sales:
        i = get(sale.order_id)
        if i is None:
            if sale.order_id in unmatched_sold_at:
                second(sale)
                continue
            unmatched_sold_at[sale.order_id] = sale.sold_at
            unmatched.append(sale)
            kept.append(sale)
            continue
        order = orders[i]
        if sold_at[i] is not None:
            second(sale)
            continue
        if sale.sold_at < order.ordered_at:
            conflicts.add(
                ConflictRule.SOLD_BEFORE_ORDERED, sale, order, sale.sold_at, order.ordered_at
            )
            continue
        if order.cancelled_at is not None:
            conflicts.add(
                ConflictRule.SOLD_BUT_CANCELLED, order, sale, sale.sold_at, order.cancelled_at
            )
            orders[i] = attrs.evolve(order, cancelled_at=None, cancel_kind=None, cancel_reason=None)
        sold_at[i] = settled_at[i] = sale.sold_at
        keep(sale)
    sales[:] = kept
    return sold_at, unmatched, unmatched_sold_at, settled_at


def _match_returns(
    position: dict[str, int],
    sold_at: list[datetime | None],
    unmatched_sold_at: dict[str, datetime],
    returns: list[Return],
    conflicts: _Conflicts,
) -> tuple[list[datetime | None], list[Return]]:
    """Put each return beside its order's sale; keep those whose order is not given apart.

    Returns put aside by a conflict are removed from `returns`.
    """
    returned_at: list[datetime | None] = [None] * len(sold_at)
    first: dict[str, Return] = {}
    unmatched: list[Return] = []
    kept: list[Return] = []
    for ret in returns:
        if ret.order_id in first:
            earlier = first[ret.order_id]
            conflicts.add(
                ConflictRule.DUPLICATE_RETURN, ret, earlier, earlier.returned_at, ret.returned_at
            )
            continue
        i = position.get(ret.order_id)
        sold = unmatched_sold_at.get(ret.order_id) if i is None else sold_at[i]
        if i is not None and sold is None:
            conflicts.add(ConflictRule.RETURNED_UNSOLD, ret, None, ret.returned_at)
            continue
        if sold is not None and ret.returned_at < sold:
            conflicts.add(ConflictRule.RETURNED_BEFORE_SOLD, ret, None, ret.returned_at, sold)
            continue
        first[ret.order_id] = ret
        kept.append(ret)
        if i is None:
            unmatched.append(ret)
        else:
            returned_at[i] = ret.returned_at
    returns[:] = kept
    return returned_at, unmatched


def _match_logistics(
    position: dict[str, int], records: list[Logistics], conflicts: _Conflicts
) -> tuple[Mapping[str, Logistics], tuple[Logistics, ...]]:
    """Index the logistics by order; keep those whose order is not given apart.

    Of two records of one order, the later is a conflict. Returns the records kept by order
    id, in the order given, and those whose order is not given, sorted by order id.
    """
    if not records:
        return _NO_LOGISTICS, ()
    kept: dict[str, Logistics] = {}
    for record in records:
        earlier = kept.get(record.order_id)
        if earlier is not None:
            conflicts.add(
                ConflictRule.DUPLICATE_LOGISTICS,
                record,
                earlier,
                earlier.to_buyer,
                earlier.back,
                record.to_buyer,
                record.back,
            )
            continue
        kept[record.order_id] = record
    unmatched = sorted(
        (record for record in kept.values() if record.order_id not in position), key=ORDER_ID
    )
    return MappingProxyType(kept), tuple(unmatched)


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
        logistics: `Logistics` records, at most one per order: what the seller paid to
            carry it. A record whose order is not given is kept as unmatched, as sales are.
            No figure but `redemption.analysis.refusal_costs` reads them.

    Raises:
        RecordTypeError: an item is not a record of the kind its argument takes.
        DuplicateRecordError: two orders share one id, one order is sold or returned twice,
            or has two logistics records.
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
    .. versionchanged:: 0.2.0
       `logistics`.
    """

    __slots__ = (
        "_horizon",
        "_lines",
        "_logistics",
        "_returns",
        "_sales",
        "_unmatched_logistics",
        "_unmatched_returns",
        "_unmatched_sales",
    )

    def __init__(
        self,
        *,
        orders: Iterable[Order] = (),
        sales: Iterable[Sale] = (),
        returns: Iterable[Return] = (),
        horizon: datetime | None = None,
        logistics: Iterable[Logistics] = (),
    ) -> None:
        """Check the records against each other and index them by order."""
        self._build(orders, sales, returns, horizon, logistics, conflicts=_Conflicts(raising=True))

    @classmethod
    def sift(
        cls,
        *,
        orders: Iterable[Order] = (),
        sales: Iterable[Sale] = (),
        returns: Iterable[Return] = (),
        horizon: datetime | None = None,
        logistics: Iterable[Logistics] = (),
    ) -> tuple[History, tuple[Conflict, ...]]:
        """Build a history from records that may contradict each other, putting some aside.

        Where `History` raises at the first contradiction, this puts aside the record that
        `ConflictRule` names for it, goes on, and returns every conflict with the history of
        the rest. Records that agree give the same history as `History` does.

        Example:
            >>> from datetime import datetime
            >>> from redemption import MOSCOW, Order, Sale
            >>> at = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
            >>> order = Order(order_id="1", seller_id="s", sku="k", price=100, ordered_at=at,
            ...               cancelled_at=datetime(2025, 4, 5, tzinfo=MOSCOW))
            >>> sales = [Sale(order_id="1", sold_at=datetime(2025, 4, 3, tzinfo=MOSCOW))]
            >>> history, conflicts = History.sift(orders=[order], sales=sales)
            >>> [c.rule.value for c in conflicts], history.orders[0].cancelled_at
            (['sold-but-cancelled'], None)

        .. versionadded:: 0.2.0
        """
        history = cls.__new__(cls)
        conflicts = _Conflicts(raising=False)
        history._build(orders, sales, returns, horizon, logistics, conflicts=conflicts)  # noqa: SLF001
        return history, tuple(conflicts.found)

    def _build(
        self,
        orders: Iterable[Order],
        sales: Iterable[Sale],
        returns: Iterable[Return],
        horizon: datetime | None,
        logistics: Iterable[Logistics],
        *,
        conflicts: _Conflicts,
    ) -> None:
        order_list = _records(orders, Order, "orders")
        sale_list = _records(sales, Sale, "sales")
        return_list = _records(returns, Return, "returns")
        logistics_list = _records(logistics, Logistics, "logistics")
        if horizon is not None:
            horizon = _instant(horizon, "horizon")

        order_list.sort(key=ORDERED_AT)
        order_list, kopecks = _kopecks(order_list, conflicts)
        unique, position = _positions(order_list, conflicts)
        if unique is not order_list:
            order_list, kopecks = _kopecks(unique, conflicts)
        sold_at, unmatched_sales, unmatched_sold_at, settled_at = _match_sales(
            order_list, position, sale_list, conflicts
        )
        returned_at, unmatched_returns = _match_returns(
            position, sold_at, unmatched_sold_at, return_list, conflicts
        )
        self._logistics, self._unmatched_logistics = _match_logistics(
            position, logistics_list, conflicts
        )

        del position, unmatched_sold_at  # only matching needs the index: free it first
        unmatched_sales.sort(key=SOLD_AT)
        unmatched_returns.sort(key=RETURNED_AT)
        self._lines = OrderLines(
            tuple(order_list), tuple(sold_at), tuple(returned_at), kopecks, tuple(settled_at)
        )
        self._sales = tuple(sale_list)
        self._returns = tuple(return_list)
        self._unmatched_sales = tuple(unmatched_sales)
        self._unmatched_returns = tuple(unmatched_returns)
        self._horizon = horizon

    @property
    def horizon(self) -> datetime | None:
        """The last moment the sources vouch for, in UTC; `None` where they do not say.

        Events after it may have happened and not be in the history yet: a figure as of a
        later day is not to be trusted, and one whose sales window ends after it is not
        complete. Importers set it (the export time of Ozon lists, the latest
        ``lastChangeDate`` of Wildberries pages); a history made of several sources has the
        earliest of theirs.

        .. versionadded:: 0.2.0
        """
        return self._horizon

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

    @property
    def logistics(self) -> Mapping[str, Logistics]:
        """What the seller paid to carry each order, by order id: a read-only mapping.

        Every `Logistics` record kept, matched or not, in the order given; an order with
        none has no cost known (not a cost of 0). Empty for a history given none.

        Example:
            >>> from datetime import datetime
            >>> from redemption import MOSCOW, Order
            >>> from redemption.model import Logistics
            >>> at = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
            >>> h = History(
            ...     orders=[Order(order_id="1", seller_id="s", sku="k", price=100, ordered_at=at)],
            ...     logistics=[Logistics(order_id="1", to_buyer=50, back=45),
            ...                Logistics(order_id="9", to_buyer=50, back=0)],
            ... )
            >>> h.logistics["1"].paid, "2" in h.logistics, h
            (Decimal('95.00'), False, History(orders=1, sales=0, returns=0, unmatched_sales=0, unmatched_returns=0, logistics=2, unmatched_logistics=1))

        .. versionadded:: 0.2.0
        """  # noqa: E501 - a doctest's output is one line
        return self._logistics

    @property
    def unmatched_logistics(self) -> tuple[Logistics, ...]:
        """Logistics whose order is not in the history, sorted by order id.

        .. versionadded:: 0.2.0
        """
        return self._unmatched_logistics

    def cut(self, today: date, *, tz: tzinfo = MOSCOW) -> History:
        """Return the history as it was known at the end of `today` in `tz`.

        Orders placed, sales and returns made after that are left out, and a cancellation
        after it is not yet known: the order is open again.
        Any figure as of `today` is the same on the cut history as on the full one.

        Logistics carry no date: the cut keeps those of the orders it keeps, and those whose
        order is not in the history, as they are (a leg paid after `today` included); those
        of the orders placed after `today` go with their orders.

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
        logistics: Iterable[Logistics] = ()
        if self._logistics:
            later = {order.order_id for order in self.orders[len(orders) :]}
            logistics = [rec for rec in self._logistics.values() if rec.order_id not in later]
        return History(
            orders=orders,
            sales=[sale for sale in self._sales if sale.sold_at < end],
            returns=[ret for ret in self._returns if ret.returned_at < end],
            horizon=end if self._horizon is None else min(end, self._horizon),
            logistics=logistics,
        )

    def __repr__(self) -> str:
        """Count the records of each kind; logistics only where there are some."""
        logistics = ""
        if self._logistics:
            logistics = (
                f", logistics={len(self._logistics)}"
                f", unmatched_logistics={len(self._unmatched_logistics)}"
            )
        return (
            f"History(orders={len(self.orders)}, sales={len(self._sales)}, "
            f"returns={len(self._returns)}, unmatched_sales={len(self._unmatched_sales)}, "
            f"unmatched_returns={len(self._unmatched_returns)}{logistics})"
        )
