"""The buyer's ransom amount (сумма выкупа): what they paid for what they kept.

As the article "What is the ransom amount at Wildberries?" describes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import cast

from dateutil.relativedelta import relativedelta

from redemption.calculators._tables import Column, ResultTable
from redemption.calculators.outcome import settled_rows, warn_beyond_horizon
from redemption.dates import MOSCOW
from redemption.history import History, OrderLines
from redemption.money import ZERO, from_kopecks
from redemption.windows import TWO_YEARS, trailing_window

__all__ = ["RansomAmounts", "ransom_amount", "ransom_amounts"]


class RansomAmounts(ResultTable[str, Decimal]):
    """Every buyer's ransom amount in roubles: a `dict` of `Decimal` that is a table too.

    ``to_pandas()``, ``to_polars()`` and ``to_arrow()`` give the columns of
    `redemption.frames.ransom_amounts`, of the same types: ``buyer_id`` and
    ``ransom_kopecks`` (``Int64``, whole kopecks).
    In a notebook it shows as a table, in roubles.

    Args:
        amounts: the amount of each buyer, by buyer id, or ``(buyer_id, amount)`` pairs.

    Example:
        >>> from decimal import Decimal
        >>> amounts = RansomAmounts({"b-7": Decimal("1520.50")})
        >>> amounts
        {'b-7': Decimal('1520.50')}
        >>> amounts.to_polars().rows()
        [('b-7', 152050)]

    .. versionadded:: 0.2.0
    """

    __slots__ = ()

    noun = "buyer"

    def __init__(
        self, amounts: Mapping[str, Decimal] | Iterable[tuple[str, Decimal]] = (), /
    ) -> None:
        """Hold `amounts`."""
        super().__init__(amounts)

    def columns(self, keys: Sequence[str], amounts: Sequence[Decimal]) -> list[Column]:
        """The columns of `redemption.frames.ransom_amounts`."""
        return [
            Column("buyer_id", "text", keys),
            Column("ransom_kopecks", "kopecks", amounts),
        ]


def _every_buyer(
    lines: OrderLines, known: int, sold_from: datetime, known_until: datetime
) -> tuple[Sequence[str | None], list[int]]:
    """Every buyer of the first `known` lines, and the kopecks each kept.

    The history numbers its buyers once (`OrderLines.buyer_numbers`): each line's price
    goes into a list at its buyer's number, and no id is hashed per line.
    """
    numbered = lines.buyer_numbers
    numbers = numbered.numbers[:known]
    # buyers are numbered in the order of their first line: those of the first lines are
    # the first ones
    buyers = (
        numbered.buyers
        if known == len(numbered.numbers)
        else numbered.buyers[: max(numbers, default=-1) + 1]
    )
    kopecks = [0] * len(buyers)
    # the numbers stop at the known lines, the other columns go on
    rows = zip(numbers, lines.sold_at, lines.returned_at, lines.kopecks, strict=False)
    for number, sold, returned, price in rows:
        # settled by today with a sale is sold by today: its sale is the instant it settled
        if (
            sold is not None
            and sold_from <= sold < known_until
            and (returned is None or returned >= known_until)
        ):
            kopecks[number] += price
    return buyers, kopecks


def _some_buyers(
    lines: OrderLines,
    known: int,
    sold_from: datetime,
    known_until: datetime,
    *,
    seller_id: str | None,
    buyer_id: str | None,
) -> tuple[Iterable[str | None], Iterable[int]]:
    """The buyers of the first `known` lines of one seller or buyer, and the kopecks each kept.

    Buyers come in the order of their first such line. Few lines pass the filter: a dict
    by buyer id spares numbering every buyer of the history.
    """
    kopecks: dict[str | None, int] = {}
    get = kopecks.get
    rows = settled_rows(lines, range(known), buyer_id=buyer_id, seller_id=seller_id)
    for order, _, sold, returned, price in rows:
        buyer = order.buyer_id
        # the same test as `_every_buyer`'s
        if (
            sold is not None
            and sold_from <= sold < known_until
            and (returned is None or returned >= known_until)
        ):
            kopecks[buyer] = get(buyer, 0) + price
        elif buyer not in kopecks:
            kopecks[buyer] = 0
    return kopecks.keys(), kopecks.values()


def _ransoms(
    history: History,
    *,
    today: date,
    tz: tzinfo,
    window: relativedelta | timedelta,
    seller_id: str | None,
    buyer_id: str | None,
) -> RansomAmounts:
    """Sum, per buyer, the prices of orders sold in the window and not returned by today."""
    warn_beyond_horizon(history, today, tz)
    sold_from, known_until = trailing_window(today, window).bounds(tz)
    lines = history.lines
    # Orders placed after today are not known yet, nor are their buyers.
    known = lines.placed_before(known_until)
    buyers, kopecks = (
        _every_buyer(lines, known, sold_from, known_until)
        if seller_id is None and buyer_id is None
        else _some_buyers(
            lines, known, sold_from, known_until, seller_id=seller_id, buyer_id=buyer_id
        )
    )
    # every buyer with a known line has an amount, 0 included: one Decimal a buyer
    amounts = dict(zip(buyers, map(from_kopecks, kopecks), strict=True))
    amounts.pop(None, None)  # orders without a buyer, summed apart and dropped in one go
    return RansomAmounts(cast("dict[str, Decimal]", amounts))


def ransom_amount(
    history: History,
    buyer_id: str,
    *,
    today: date,
    tz: tzinfo = MOSCOW,
    window: relativedelta | timedelta = TWO_YEARS,
    seller_id: str | None = None,
) -> Decimal:
    """Return the buyer's ransom amount as of `today` (сумма выкупа).

    As the article "What is the ransom amount at Wildberries?" describes it.
    The prices of the buyer's orders sold on a day in ``[today - window, today]``, less
    the prices of those returned on or before `today`.
    It is a statistic of what the buyer bought and kept, not money that can be withdrawn.

    Args:
        history: the orders, sales and returns.
        buyer_id: the buyer.
        today: the day the figure is computed on; later sales and returns are not seen.
        tz: the zone whose calendar days the window is made of.
        window: how far back sales count: two calendar years by default; any
            `relativedelta` or whole-day `timedelta`.
        seller_id: count only purchases from this seller (a shop's own loyalty figure,
            often over 365 days).

    Returns:
        The amount in roubles with two places; ``Decimal("0.00")`` for a buyer with no
        qualifying purchase, or not in the history.

    Raises:
        InvalidPeriodError: `window` reaches forwards or is not made of whole days.
        ArgumentTypeError: `today` is not a date.

    Example:
        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, History, Order, Return, Sale
        >>> at = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
        >>> history = History(
        ...     orders=[Order(order_id=str(i), seller_id="s", sku="k", price=price, ordered_at=at,
        ...                   buyer_id="b") for i, price in enumerate(["1500", "990.50"])],
        ...     sales=[Sale(order_id="0", sold_at=at), Sale(order_id="1", sold_at=at)],
        ...     returns=[Return(order_id="1", returned_at=datetime(2025, 4, 20, tzinfo=MOSCOW))],
        ... )
        >>> ransom_amount(history, "b", today=date(2025, 4, 10))
        Decimal('2490.50')
        >>> ransom_amount(history, "b", today=date(2025, 4, 30))
        Decimal('1500.00')

    .. versionadded:: 0.1.0
    """
    amounts = _ransoms(
        history, today=today, tz=tz, window=window, seller_id=seller_id, buyer_id=buyer_id
    )
    return amounts.get(buyer_id, ZERO)


def ransom_amounts(
    history: History,
    *,
    today: date,
    tz: tzinfo = MOSCOW,
    window: relativedelta | timedelta = TWO_YEARS,
    seller_id: str | None = None,
) -> RansomAmounts:
    """Return the ransom amount of every buyer in the history, in one pass over it.

    Each amount is the one `ransom_amount` gives.
    Every buyer with an order placed by the end of `today` has an entry
    (``Decimal("0.00")`` when nothing qualifies); with `seller_id`, every buyer with such an
    order from that seller.
    Orders without a buyer are left out.

    Args:
        history: the orders, sales and returns.
        today: the day the figures are computed on.
        tz: the zone whose calendar days the window is made of.
        window: how far back sales count (two calendar years by default).
        seller_id: count only purchases from this seller.

    Returns:
        The amount of each buyer, by buyer id: a `dict` that is also a table
        (`RansomAmounts`), buyers in the order of their first order (from that seller).

    Raises:
        InvalidPeriodError: `window` reaches forwards or is not made of whole days.
        ArgumentTypeError: `today` is not a date.

    Example:
        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, History, Order, Sale
        >>> at = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
        >>> history = History(
        ...     orders=[Order(order_id=str(i), seller_id="s", sku="k", price=100, ordered_at=at,
        ...                   buyer_id=b) for i, b in enumerate(["x", "x", "y"])],
        ...     sales=[Sale(order_id="0", sold_at=at), Sale(order_id="1", sold_at=at)],
        ... )
        >>> ransom_amounts(history, today=date(2025, 4, 30))
        {'x': Decimal('200.00'), 'y': Decimal('0.00')}

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Returns `RansomAmounts`, a `dict` with ``to_pandas()``, ``to_polars()`` and
       ``to_arrow()``.
    """
    return _ransoms(history, today=today, tz=tz, window=window, seller_id=seller_id, buyer_id=None)
