"""The buyer's redemption percentage: how reliably a buyer buys what they order.

As the article "What is the ransom amount at Wildberries?" describes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from fractions import Fraction
from functools import partial
from itertools import compress, repeat
from operator import add
from typing import Literal, NamedTuple, cast

from redemption._cycles import cycles_paused
from redemption.calculators._tables import Column, ResultTable, record_html, share, share_text
from redemption.calculators.outcome import settled_rows, warn_beyond_horizon
from redemption.dates import MOSCOW, day_end
from redemption.history import History, OrderLines
from redemption.money import ZERO, from_kopecks, percent
from redemption.windows import DayWindow, Period, require_ended, trailing_window

__all__ = [
    "BuyerReport",
    "BuyerReports",
    "Weight",
    "buyer_redemption_percentage",
    "buyer_reports",
]

Weight = Literal["count", "price"]
"""What a buyer's redemption percentage weighs: orders, or roubles.

Orders are the definition of the article "What is the ransom amount at Wildberries?".
"""


class BuyerReport(NamedTuple):
    """A buyer's redemption percentage over the orders they placed in a period.

    A named tuple: immutable, and cheap to make for hundreds of thousands of buyers.
    `buyer_reports` gives them as `BuyerReports`, whose ``to_pandas()``, ``to_polars()``
    and ``to_arrow()`` give the columns and types of `redemption.frames.buyer_reports`.

    Attributes:
        buyer_id: the buyer.
        placed: orders placed in the period and no longer in transit as of `today`;
            cancelled and refused orders count.
        sold: those orders sold by the end of `today`.
        returned: those sales returned by the end of `today`.
        in_transit: orders placed in the period and, as of `today`, neither sold nor
            cancelled; they are left out of every other figure.
        weight: ``"count"`` or ``"price"``: what `rate` weighs.
        orders_window: the days whose orders are counted.
        placed_value: with ``weight="price"``, the roubles of the placed orders; else `None`.
        kept_value: with ``weight="price"``, the roubles of those sold and not returned;
            else `None`.

    Example:
        A buyer's three orders of April 2025: one kept, one returned, one refused.

        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, History, Order, Return, Sale, buyer_redemption_percentage
        >>> at = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
        >>> def order(order_id, **more):
        ...     return Order(order_id=order_id, seller_id="s", sku="k", price=1000, ordered_at=at,
        ...                  buyer_id="b", **more)
        >>> history = History(orders=[order("1"), order("2"), order("3", cancelled_at=at)],
        ...                   sales=[Sale(order_id=i, sold_at=at) for i in "12"],
        ...                   returns=[Return(order_id="2", returned_at=at)])
        >>> report = buyer_redemption_percentage(history, "b", today=date(2025, 4, 30))
        >>> report.placed, report.sold, report.returned, report.rate, report.percentage
        (3, 2, 1, Fraction(1, 3), Decimal('33.33'))

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       A short repr that shows the rate, and an HTML view for notebooks.
    """

    buyer_id: str
    placed: int
    sold: int
    returned: int
    in_transit: int
    weight: Weight
    orders_window: DayWindow
    placed_value: Decimal | None = None
    kept_value: Decimal | None = None

    @property
    def rate(self) -> Fraction | None:
        """Orders kept over orders placed, exactly; by price, roubles kept over roubles placed.

        `None` when nothing is placed (or, by price, nothing of value is).
        """
        if self.weight == "price":
            if not self.placed_value or self.kept_value is None:
                return None
            return Fraction(self.kept_value) / Fraction(self.placed_value)
        return Fraction(self.sold - self.returned, self.placed) if self.placed else None

    @property
    def percentage(self) -> Decimal | None:
        """The rate as a percentage with two places, rounded half-even; `None` without one."""
        rate = self.rate
        return None if rate is None else percent(rate)

    def _rate_text(self) -> str:
        """The rate for people, with what it is made of: ``0.5000 (2/4)``."""
        if self.weight == "price":
            if self.kept_value is None or self.placed_value is None:
                return "None"
            return f"{share_text(self.kept_value, self.placed_value)} by price"
        return share_text(self.sold - self.returned, self.placed)

    def __repr__(self) -> str:
        """Show the buyer, the rate and the counts it is made of, and the orders window.

        Example:
            >>> from datetime import date
            >>> from redemption import DayWindow
            >>> BuyerReport("b-7", 4, 4, 2, 1, "count",
            ...             DayWindow(date(2023, 4, 30), date(2025, 4, 30)))
            BuyerReport(buyer_id='b-7', rate=0.5000 (2/4), placed=4, sold=4, returned=2, in_transit=1, orders 2023-04-30..2025-04-30)
        """  # noqa: E501 - a doctest's output is one line
        return (
            f"BuyerReport(buyer_id={self.buyer_id!r}, rate={self._rate_text()}, "
            f"placed={self.placed}, sold={self.sold}, returned={self.returned}, "
            f"in_transit={self.in_transit}, orders {self.orders_window})"
        )

    def _repr_html_(self) -> str:
        """A notebook's view: the report as a small table."""
        values = (
            [("placed_value", self.placed_value), ("kept_value", self.kept_value)]
            if self.weight == "price"
            else []
        )
        return record_html(
            "BuyerReport",
            [
                ("buyer_id", self.buyer_id),
                ("rate", self._rate_text()),
                ("percentage", "None" if self.percentage is None else self.percentage),
                ("placed", self.placed),
                ("sold", self.sold),
                ("returned", self.returned),
                ("in_transit", self.in_transit),
                ("weight", self.weight),
                *values,
                ("orders window", self.orders_window),
            ],
        )


def _rate_float(report: BuyerReport) -> float | None:
    """The float of the report's exact rate (by count, the ints divided: no `Fraction`)."""
    if report.weight == "count":
        return share(report.sold - report.returned, report.placed)
    rate = report.rate
    return None if rate is None else float(rate)


class BuyerReports(ResultTable[str, BuyerReport]):
    """Every buyer's redemption percentage: a `dict` of `BuyerReport` that is a table too.

    ``to_pandas()``, ``to_polars()`` and ``to_arrow()`` give the columns of
    `redemption.frames.buyer_reports`, of the same types: ``buyer_id``, ``placed``,
    ``sold``, ``returned``, ``in_transit`` (``Int64``) and ``rate`` (``Float64``, null when
    nothing is placed); weighed by price, ``rate`` is by price and ``placed_kopecks`` and
    ``kept_kopecks`` (``Int64``) follow (the frames weigh by count only); then the orders
    window, ``orders_first`` and ``orders_last`` (``Date``).
    In a notebook it shows as a table, money in roubles.

    Args:
        reports: the report of each buyer, by buyer id.
        weight: what the reports weigh, ``"count"`` or ``"price"``: it decides the columns
            even when there is no report.

    Example:
        >>> from datetime import date
        >>> from redemption import DayWindow
        >>> window = DayWindow(date(2023, 4, 30), date(2025, 4, 30))
        >>> reports = BuyerReports({"b-7": BuyerReport("b-7", 4, 4, 2, 0, "count", window)})
        >>> reports.to_polars().select("buyer_id", "placed", "rate").rows()
        [('b-7', 4, 0.5)]

    .. versionadded:: 0.2.0
    """

    __slots__ = ("weight",)

    noun = "buyer"

    weight: Weight
    """What the reports weigh."""

    def __init__(
        self, reports: Mapping[str, BuyerReport] | None = None, /, *, weight: Weight = "count"
    ) -> None:
        """Hold `reports`, weighed by `weight`."""
        super().__init__(reports or {})
        self.weight = weight

    def columns(self, keys: Sequence[str], reports: Sequence[BuyerReport]) -> list[Column]:
        """The columns of `redemption.frames.buyer_reports`, the values, the orders window."""
        values = (
            [
                Column("placed_kopecks", "kopecks", [r.placed_value for r in reports]),
                Column("kept_kopecks", "kopecks", [r.kept_value for r in reports]),
            ]
            if self.weight == "price"
            else []
        )
        return [
            Column("buyer_id", "text", keys),
            *(
                Column(name, "count", [getattr(r, name) for r in reports])
                for name in ("placed", "sold", "returned", "in_transit")
            ),
            Column("rate", "share", [_rate_float(r) for r in reports]),
            *values,
            Column("orders_first", "day", [r.orders_window.first for r in reports]),
            Column("orders_last", "day", [r.orders_window.last for r in reports]),
        ]


def _orders_window(period: Period | None, today: date) -> DayWindow:
    if period is None:
        return trailing_window(today)
    require_ended(period, today)
    return DayWindow(period.start, period.end)


_new_report = cast("Callable[[Iterable[object]], BuyerReport]", partial(tuple.__new__, BuyerReport))
"""Make a `BuyerReport` of all its fields, in order, as `tuple` does: for the calculator's
own values, without the Python call of `BuyerReport.__new__` (a sixth sooner a report)."""

_Columns = tuple[
    Sequence[int],
    Sequence[datetime | None],
    Sequence[datetime | None],
    Sequence[datetime | None],
    Sequence[int],
]
"""Aligned columns of order lines: buyer number, settled_at, sold_at, returned_at, kopecks."""


def _columns(
    lines: OrderLines, placed: range, buyer_id: str | None
) -> tuple[tuple[str | None, ...], _Columns]:
    """The buyers, and the lines at `placed` as columns with their buyer's number.

    Every buyer's with the history's own numbers (`OrderLines.buyer_numbers`); one
    buyer's lines numbered 0.
    """
    if buyer_id is None:
        numbered = lines.buyer_numbers
        span = slice(placed.start, placed.stop)
        return numbered.buyers, (
            numbered.numbers[span],
            lines.settled_at[span],
            lines.sold_at[span],
            lines.returned_at[span],
            lines.kopecks[span],
        )
    mine = list(settled_rows(lines, placed, buyer_id=buyer_id))
    return (buyer_id,), (
        [0] * len(mine),
        [row[1] for row in mine],
        [row[2] for row in mine],
        [row[3] for row in mine],
        [row[4] for row in mine],
    )


def _counts(columns: _Columns, size: int, known_until: datetime) -> list[list[int]]:
    """Count each buyer's lines sold, returned, cancelled and in transit as of `known_until`.

    Lists at each buyer's number, of `size` buyers.
    """
    numbers, settled_at, sold_at, returned_at, _ = columns
    sold, returned, cancelled, in_transit = ([0] * size for _ in range(4))
    for number, settled, sale, back in zip(numbers, settled_at, sold_at, returned_at, strict=True):
        # settled by today: sold if it has a sale (then it settled at its sale), else cancelled
        if sale is not None and sale < known_until:
            sold[number] += 1
            if back is not None and back < known_until:
                returned[number] += 1
        elif settled is not None and settled < known_until:
            cancelled[number] += 1
        else:
            in_transit[number] += 1
    return [sold, returned, cancelled, in_transit]


def _values(columns: _Columns, size: int, known_until: datetime) -> list[list[int]]:
    """Sum each buyer's kopecks placed (sold or cancelled) and kept (sold, not returned)."""
    placed, kept = [0] * size, [0] * size
    for number, settled, sale, back, price in zip(*columns, strict=True):
        if sale is not None and sale < known_until:
            placed[number] += price
            if back is None or back >= known_until:
                kept[number] += price
        elif settled is not None and settled < known_until:
            placed[number] += price
    return [placed, kept]


def _reports(
    history: History,
    *,
    window: DayWindow,
    today: date,
    tz: tzinfo,
    buyer_id: str | None,
    weight: Weight,
) -> BuyerReports:
    """Report on each buyer's orders placed in the window, in one pass over them."""
    warn_beyond_horizon(history, today, tz)
    placed_from, placed_until = window.bounds(tz)
    known_until = day_end(today, tz)
    lines = history.lines
    buyers, columns = _columns(lines, lines.placed_between(placed_from, placed_until), buyer_id)
    # each figure a list at the buyer's number: no id hashed per line
    sold, returned, cancelled, in_transit = _counts(columns, len(buyers), known_until)
    # a buyer has a report if they placed an order in the window; orders without a buyer
    # belong to no buyer's figures
    orders = list(map(add, map(add, sold, cancelled), in_transit))
    if None in buyers:
        orders[buyers.index(None)] = 0
    values: tuple[Iterable[Decimal | None], ...] = (repeat(None), repeat(None))
    if weight == "price":
        values = tuple(
            map(from_kopecks, compress(kopecks, orders))
            for kopecks in _values(columns, len(buyers), known_until)
        )
    fields = zip(
        compress(buyers, orders),
        map(add, compress(sold, orders), compress(cancelled, orders)),
        compress(sold, orders),
        compress(returned, orders),
        compress(in_transit, orders),
        repeat(weight),
        repeat(window),
        *values,
        strict=False,  # the repeated fields last as long as the buyers
    )
    ids = cast("Iterable[str]", compress(buyers, orders))
    reports = BuyerReports(weight=weight)
    with cycles_paused():  # a report a buyer: nothing the collector could free
        reports.update(zip(ids, map(_new_report, fields), strict=True))
    return reports


def buyer_redemption_percentage(
    history: History,
    buyer_id: str,
    *,
    today: date,
    period: Period | None = None,
    tz: tzinfo = MOSCOW,
    weight: Weight = "count",
) -> BuyerReport:
    """Return the buyer's redemption percentage as of `today`.

    As the article "What is the ransom amount at Wildberries?" describes it.
    Over the orders the buyer placed in `period`: ``(sold - returned) / placed``.
    Cancelled and refused orders count as placed; orders still in transit as of `today`
    are left out and counted apart.
    A buyer who keeps every order has 100%; one who returns every second order has 50%.

    Args:
        history: the orders, sales and returns.
        buyer_id: the buyer.
        today: the day the figure is computed on; later events are not seen.
        period: the days of the orders counted; by default the two calendar years
            ending `today`.
        tz: the zone whose calendar days the period is made of.
        weight: ``"count"`` counts orders (the definition of the article "What is the
            ransom amount at Wildberries?"); ``"price"`` weighs
            them by price: roubles kept over roubles ordered.

    Returns:
        The counts, the exact rate and the percentage.

    Raises:
        InvalidPeriodError: `period` ends after `today`.

    Example:
        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, History, Order, Return, Sale
        >>> at = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
        >>> history = History(
        ...     orders=[Order(order_id=str(i), seller_id="s", sku="k", price=100, ordered_at=at,
        ...                   buyer_id="b") for i in range(4)],
        ...     sales=[Sale(order_id=str(i), sold_at=at) for i in range(4)],
        ...     returns=[Return(order_id=str(i), returned_at=at) for i in (1, 3)],
        ... )
        >>> report = buyer_redemption_percentage(history, "b", today=date(2025, 4, 30))
        >>> report.placed, report.sold, report.returned, report.percentage
        (4, 4, 2, Decimal('50.00'))

    .. versionadded:: 0.1.0
    """
    window = _orders_window(period, today)
    reports = _reports(history, window=window, today=today, tz=tz, buyer_id=buyer_id, weight=weight)
    report = reports.get(buyer_id)
    if report is None:
        nothing = ZERO if weight == "price" else None
        report = BuyerReport(buyer_id, 0, 0, 0, 0, weight, window, nothing, nothing)
    return report


def buyer_reports(
    history: History,
    *,
    today: date,
    period: Period | None = None,
    tz: tzinfo = MOSCOW,
    weight: Weight = "count",
) -> BuyerReports:
    """Return the redemption percentage of every buyer with an order in the period.

    Each report is the one `buyer_redemption_percentage` gives, computed in one pass.
    Orders without a `buyer_id` (seller reports carry none) belong to no buyer and are
    left out.

    Args:
        history: the orders, sales and returns.
        today: the day the figures are computed on.
        period: the days of the orders counted; by default the two calendar years
            ending `today`.
        tz: the zone whose calendar days the period is made of.
        weight: ``"count"`` or ``"price"``, as for `buyer_redemption_percentage`.

    Returns:
        A report per buyer id: a `dict` that is also a table (`BuyerReports`), buyers in
        the order of their first order in the history.

    Raises:
        InvalidPeriodError: `period` ends after `today`.

    Example:
        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, History, Order, Sale
        >>> at = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
        >>> history = History(
        ...     orders=[Order(order_id=str(i), seller_id="s", sku="k", price=100, ordered_at=at,
        ...                   buyer_id=b) for i, b in enumerate(["x", "x", "y"])],
        ...     sales=[Sale(order_id="0", sold_at=at)],
        ... )
        >>> {b: r.percentage for b, r in buyer_reports(history, today=date(2025, 4, 1)).items()}
        {'x': Decimal('100.00'), 'y': None}

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Returns `BuyerReports`, a `dict` with ``to_pandas()``, ``to_polars()`` and
       ``to_arrow()``; buyers in the order of their first order.
    """
    window = _orders_window(period, today)
    return _reports(history, window=window, today=today, tz=tz, buyer_id=None, weight=weight)
