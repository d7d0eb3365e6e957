"""The buyer's redemption percentage: how reliably a buyer buys what they order (seed 000)."""

from __future__ import annotations

from datetime import date, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Literal

import attrs

from redemption.dates import MOSCOW, day_end
from redemption.errors import InvalidPeriodError
from redemption.history import History
from redemption.money import CENT
from redemption.windows import DayWindow, Period, trailing_window

__all__ = ["BuyerReport", "Weight", "buyer_redemption_percentage", "buyer_reports"]

Weight = Literal["count", "price"]
"""What a buyer's redemption percentage weighs: orders (the seed's definition) or roubles."""

_HUNDRED = Decimal(100)


@attrs.frozen(kw_only=True)
class BuyerReport:
    """A buyer's redemption percentage over the orders they placed in a period.

    Attributes:
        buyer_id: the buyer.
        placed: orders placed in the period and no longer in transit as of `today`;
            cancelled and refused orders count.
        sold: those orders sold by the end of `today`.
        returned: those sales returned by the end of `today`.
        in_transit: orders placed in the period and, as of `today`, neither sold nor
            cancelled; they are left out of every other figure.
        rate: ``(sold - returned) / placed`` with ``weight="count"``; with ``weight="price"``
            the same ratio of roubles (kept over ordered). `None` when nothing is placed.
        weight: ``"count"`` or ``"price"``.
        orders_window: the days whose orders are counted.

    .. versionadded:: 0.1.0
    """

    buyer_id: str
    placed: int
    sold: int
    returned: int
    in_transit: int
    rate: Fraction | None
    weight: Weight
    orders_window: DayWindow

    @property
    def percentage(self) -> Decimal | None:
        """The rate as a percentage with two places, rounded half-even; `None` without one."""
        if self.rate is None:
            return None
        exact = Decimal(self.rate.numerator) * _HUNDRED / Decimal(self.rate.denominator)
        return exact.quantize(CENT, rounding=ROUND_HALF_EVEN)


class _Tally:
    """Counts, and kopeck sums for the price weight, of one buyer's orders."""

    __slots__ = ("in_transit", "kept_value", "placed", "placed_value", "returned", "sold")

    def __init__(self) -> None:
        self.placed = self.sold = self.returned = self.in_transit = 0
        self.placed_value = self.kept_value = Decimal(0)

    def report(self, buyer_id: str, weight: Weight, window: DayWindow) -> BuyerReport:
        if weight == "count":
            rate = Fraction(self.sold - self.returned, self.placed) if self.placed else None
        else:
            rate = (
                Fraction(self.kept_value) / Fraction(self.placed_value)
                if self.placed_value
                else None
            )
        return BuyerReport(
            buyer_id=buyer_id,
            placed=self.placed,
            sold=self.sold,
            returned=self.returned,
            in_transit=self.in_transit,
            rate=rate,
            weight=weight,
            orders_window=window,
        )


def _orders_window(period: Period | None, today: date) -> DayWindow:
    if period is None:
        return trailing_window(today)
    if period.end > today:
        msg = f"period {period} ends after today {today.isoformat()}"
        raise InvalidPeriodError(msg)
    return DayWindow(period.start, period.end)


def _tallies(
    history: History,
    *,
    window: DayWindow,
    today: date,
    tz: tzinfo,
    buyer_id: str | None,
    weight: Weight,
) -> dict[str, _Tally]:
    """Count each buyer's orders placed in the window; sum their prices for the price weight."""
    by_price = weight == "price"
    placed_from, placed_until = window.bounds(tz)
    known_until = day_end(today, tz)
    lines = history.lines
    orders, sold_at, returned_at = lines.orders, lines.sold_at, lines.returned_at
    tallies: dict[str, _Tally] = {}
    for i in lines.placed_between(placed_from, placed_until):
        order = orders[i]
        buyer = order.buyer_id
        if buyer is None or (buyer_id is not None and buyer != buyer_id):
            continue
        tally = tallies.get(buyer)
        if tally is None:
            tally = tallies[buyer] = _Tally()
        sold = sold_at[i]
        if sold is not None and sold < known_until:
            tally.placed += 1
            tally.sold += 1
            returned = returned_at[i]
            if returned is not None and returned < known_until:
                tally.returned += 1
            elif by_price:
                tally.kept_value += order.price
            if by_price:
                tally.placed_value += order.price
        elif order.cancelled_at is not None and order.cancelled_at < known_until:
            tally.placed += 1
            if by_price:
                tally.placed_value += order.price
        else:
            tally.in_transit += 1
    return tallies


def buyer_redemption_percentage(
    history: History,
    buyer_id: str,
    *,
    today: date,
    period: Period | None = None,
    tz: tzinfo = MOSCOW,
    weight: Weight = "count",
) -> BuyerReport:
    """Return the buyer's redemption percentage as of `today` (seed 000).

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
        weight: ``"count"`` counts orders (the seed's definition); ``"price"`` weighs
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
    tally = _tallies(
        history, window=window, today=today, tz=tz, buyer_id=buyer_id, weight=weight
    ).get(buyer_id, _Tally())
    return tally.report(buyer_id, weight, window)


def buyer_reports(
    history: History,
    *,
    today: date,
    period: Period | None = None,
    tz: tzinfo = MOSCOW,
    weight: Weight = "count",
) -> dict[str, BuyerReport]:
    """Return the redemption percentage of every buyer with an order in the period.

    Each report is the one `buyer_redemption_percentage` gives, computed in one pass.

    Args:
        history: the orders, sales and returns.
        today: the day the figures are computed on.
        period: the days of the orders counted; by default the two calendar years
            ending `today`.
        tz: the zone whose calendar days the period is made of.
        weight: ``"count"`` or ``"price"``, as for `buyer_redemption_percentage`.

    Returns:
        A report per buyer id.

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
    """
    window = _orders_window(period, today)
    return {
        buyer: tally.report(buyer, weight, window)
        for buyer, tally in _tallies(
            history, window=window, today=today, tz=tz, buyer_id=None, weight=weight
        ).items()
    }
