"""The seller's redemption rate (процент выкупа) by the marketplace's 30-day window method."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import date, tzinfo
from fractions import Fraction
from typing import Literal, TypeVar, cast, overload

import attrs

from redemption._slots import slot_setters
from redemption.calculators._tables import Column, ResultTable, record_html, share, share_text
from redemption.calculators.groups import group_key
from redemption.calculators.outcome import covers, settled_rows, warn_beyond_horizon
from redemption.dates import MOSCOW, day_end
from redemption.history import RETURNED_AT, SOLD_AT, History
from redemption.model import Order
from redemption.windows import Period, RedemptionWindow, redemption_window

__all__ = ["RateReport", "Rates", "redemption_rate", "redemption_rates"]

K = TypeVar("K", bound=Hashable)

_KEY_COLUMNS = {"sku": "sku", "seller": "seller_id"}
"""The group column of each named grouping: the column `redemption.frames` gives it."""


@attrs.frozen(kw_only=True, repr=False)
class RateReport:
    """The seller's redemption rate over a period, with the counts it is made of.

    Attributes:
        orders: orders placed in the orders window and no longer in transit as of `today`,
            cancelled and refused ones included.
        sales: those orders sold within the sales window.
        returns: those sales returned within the sales window.
        in_transit: orders placed in the orders window and, as of `today`, neither sold nor
            cancelled; they are left out of every other figure.
        unmatched: sales made within the sales window whose order is not in the history.
            They belong to no group, so a report per group has 0 here.
        unmatched_returns: likewise, returns made within the sales window whose order is
            not in the history.
        window: the orders and sales windows, and whether the figure is complete.
        covered: whether the history's data reaches the end of the sales window (see
            `History.horizon`; `True` when the history does not say how far it reaches).

    Example:
        Three orders in April: one sold, one cancelled, one still in transit on 10 May; and a
        sale whose order the history lacks.

        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, History, Order, Period, Sale, redemption_rate
        >>> at = datetime(2025, 4, 10, 12, tzinfo=MOSCOW)
        >>> def order(order_id, **more):
        ...     return Order(order_id=order_id, seller_id="s", sku="k", price=100, ordered_at=at,
        ...                  **more)
        >>> history = History(orders=[order("1"), order("2", cancelled_at=at), order("3")],
        ...                   sales=[Sale(order_id=i, sold_at=at) for i in ("1", "9")])
        >>> report = redemption_rate(history, Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                          today=date(2025, 5, 10))
        >>> report.orders, report.sales, report.in_transit, report.unmatched, report.rate
        (2, 1, 1, 1, Fraction(1, 2))
        >>> str(report.window.sales), report.complete
        ('2025-04-01..2025-05-10', False)

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       A short repr that shows the rates, and an HTML view for notebooks.
    """

    orders: int
    sales: int
    returns: int
    in_transit: int
    unmatched: int
    window: RedemptionWindow
    unmatched_returns: int = 0
    covered: bool = True

    @property
    def rate(self) -> Fraction | None:
        """Sales over orders, exactly; `None` when no order is counted."""
        return Fraction(self.sales, self.orders) if self.orders else None

    @property
    def rate_with_returns(self) -> Fraction | None:
        """Sales less returns, over orders, exactly; `None` when no order is counted."""
        return Fraction(self.sales - self.returns, self.orders) if self.orders else None

    @property
    def complete(self) -> bool:
        """Whether the sales window has closed: no sale can be added to the figure.

        30 days have passed since the period's end, and the data reaches that far. An order
        still in transit then is left out until it settles; it can only settle as not
        redeemed (a sale after the window does not count), so the rate can still fall, as
        the marketplace's own figure does, but never rise.
        """
        return self.window.complete and self.covered

    @property
    def _state(self) -> str:
        """Whether the figure is complete, in words."""
        if self.complete:
            return "complete"
        if self.window.complete:
            return "not complete: the data ends before the sales window"
        return "not complete"

    def __repr__(self) -> str:
        """Show the rates and the counts they are made of, the windows and completeness.

        Example:
            >>> from datetime import date
            >>> from redemption import Period, redemption_window
            >>> window = redemption_window(Period(date(2025, 4, 1), date(2025, 4, 30)),
            ...                            today=date(2025, 6, 30))
            >>> RateReport(orders=10, sales=8, returns=1, in_transit=2, unmatched=0,
            ...            window=window)
            RateReport(rate=0.8000 (8/10), rate_with_returns=0.7000, orders=10, sales=8, returns=1, in_transit=2, orders 2025-04-01..2025-04-30, sales 2025-04-01..2025-05-30, complete)
        """  # noqa: E501 - a doctest's output is one line
        with_returns = share(self.sales - self.returns, self.orders)
        unmatched = "".join(
            f", {name}={count}"
            for name, count in (
                ("unmatched", self.unmatched),
                ("unmatched_returns", self.unmatched_returns),
            )
            if count
        )
        return (
            f"RateReport(rate={share_text(self.sales, self.orders)}, "
            f"rate_with_returns={'None' if with_returns is None else f'{with_returns:.4f}'}, "
            f"orders={self.orders}, sales={self.sales}, returns={self.returns}, "
            f"in_transit={self.in_transit}{unmatched}, orders {self.window.orders}, "
            f"sales {self.window.sales}, {self._state})"
        )

    def _repr_html_(self) -> str:
        """A notebook's view: the report as a small table."""
        return record_html(
            "RateReport",
            [
                ("rate", share_text(self.sales, self.orders)),
                ("rate_with_returns", share_text(self.sales - self.returns, self.orders)),
                ("orders", self.orders),
                ("sales", self.sales),
                ("returns", self.returns),
                ("in_transit", self.in_transit),
                ("unmatched", self.unmatched),
                ("unmatched_returns", self.unmatched_returns),
                ("orders window", self.window.orders),
                ("sales window", self.window.sales),
                ("today", self.window.today.isoformat()),
                ("complete", self._state),
            ],
        )


class Rates(ResultTable[K, RateReport]):
    """The seller's redemption rate per group: a `dict` of `RateReport` that is also a table.

    ``to_pandas()``, ``to_polars()`` and ``to_arrow()`` give the columns of
    `redemption.frames.redemption_rates`, of the same types: the group (named `key`),
    ``orders``, ``sales``, ``returns``, ``in_transit`` (``Int64``), ``rate`` and
    ``rate_with_returns`` (``Float64``, null when no order is counted); then the report's
    windows and completeness: ``orders_first``, ``orders_last``, ``sales_first``,
    ``sales_last`` (``Date``) and ``complete`` (``Boolean``; the frames do not know how far
    the data reaches, so they have no such column).
    In a notebook it shows as a table.

    Args:
        reports: the report of each group.
        key: the name of the group column: ``"sku"``, ``"seller_id"``, or ``"group"`` for a
            grouping of the caller's (whose values the engine types as it sees them).

    Example:
        >>> from datetime import date
        >>> from redemption import Period, redemption_window
        >>> window = redemption_window(Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                            today=date(2025, 6, 30))
        >>> rates = Rates({"nm-1": RateReport(orders=4, sales=3, returns=1, in_transit=0,
        ...                                   unmatched=0, window=window)}, key="sku")
        >>> rates.to_polars().select("sku", "orders", "rate", "orders_first").rows()
        [('nm-1', 4, 0.75, datetime.date(2025, 4, 1))]

    .. versionadded:: 0.2.0
    """

    __slots__ = ("key",)

    noun = "group"

    key: str
    """The name of the group column."""

    def __init__(self, reports: Mapping[K, RateReport] | None = None, /, *, key: str) -> None:
        """Hold `reports`, whose keys are the values of the column `key`."""
        super().__init__(reports or {})
        self.key = key

    def _caption(self) -> str:
        """``Rates by sku: 3 groups``."""
        return super()._caption().replace(":", f" by {self.key}:", 1)

    def columns(self, keys: Sequence[K], reports: Sequence[RateReport]) -> list[Column]:
        """The group, the counts and rates of `redemption.frames`, the windows, completeness."""
        named = self.key in ("sku", "seller_id") or all(type(k) is str for k in keys)
        return [
            Column(self.key, "text" if named else "key", keys),
            *(
                Column(name, "count", [getattr(r, name) for r in reports])
                for name in ("orders", "sales", "returns", "in_transit")
            ),
            Column("rate", "share", [share(r.sales, r.orders) for r in reports]),
            Column(
                "rate_with_returns",
                "share",
                [share(r.sales - r.returns, r.orders) for r in reports],
            ),
            Column("orders_first", "day", [r.window.orders.first for r in reports]),
            Column("orders_last", "day", [r.window.orders.last for r in reports]),
            Column("sales_first", "day", [r.window.sales.first for r in reports]),
            Column("sales_last", "day", [r.window.sales.last for r in reports]),
            Column("complete", "flag", [r.complete for r in reports]),
        ]


def _tally(
    history: History,
    window: RedemptionWindow,
    tz: tzinfo,
    key: Callable[[Order], K],
) -> dict[K, list[int]]:
    """Count orders, sales, returns and orders in transit per group, in that order."""
    orders_from, orders_until = window.orders.bounds(tz)
    sales_from, sales_until = window.sales.bounds(tz)
    known_until = day_end(window.today, tz)
    lines = history.lines
    tallies: dict[K, list[int]] = {}
    placed = lines.placed_between(orders_from, orders_until)
    for order, settled, sold, returned, _ in settled_rows(lines, placed, prices=False):
        group = key(order)
        tally = tallies.get(group)
        if tally is None:
            tally = tallies[group] = [0, 0, 0, 0]
        # settled by today: sold if it has a sale (then it settled at its sale), else cancelled
        if sold is not None and sold < known_until:
            tally[0] += 1
            if sales_from <= sold < sales_until:
                tally[1] += 1
                if returned is not None and sales_from <= returned < sales_until:
                    tally[2] += 1
        elif settled is not None and settled < known_until:
            tally[0] += 1
        else:
            tally[3] += 1  # in transit as of today
    return tallies


def _unmatched(history: History, window: RedemptionWindow, tz: tzinfo) -> tuple[int, int]:
    """Count the unmatched sales, and the unmatched returns, made within the sales window."""
    sales_from, sales_until = window.sales.bounds(tz)
    counts = []
    for events, when in (
        (history.unmatched_sales, SOLD_AT),
        (history.unmatched_returns, RETURNED_AT),
    ):
        first = bisect_left(events, sales_from, key=when)
        counts.append(bisect_left(events, sales_until, lo=first, key=when) - first)
    return counts[0], counts[1]


def redemption_rate(
    history: History, period: Period, *, today: date, tz: tzinfo = MOSCOW
) -> RateReport:
    """Return the seller's redemption rate over `period`, as known on `today`.

    The method is Wildberries' "How we calculate the Wildberries redemption rate?".
    The orders window is the period, extended into the past to 30 days if shorter; the
    sales window runs from its first day to 30 days after the period, or to `today`.
    Orders still in transit as of `today` are left out and counted apart; cancelled and
    refused orders count as orders that were not redeemed.
    ``rate = sales / orders`` and ``rate_with_returns = (sales - returns) / orders``.

    Args:
        history: the orders, sales and returns.
        period: the period selected.
        today: the day the figure is computed on; later events are not seen.
        tz: the zone whose calendar days the windows are made of.

    Returns:
        The counts, the two rates as exact fractions, and the windows.

    Raises:
        InvalidPeriodError: the period ends after `today`.

    Example:
        Three orders in April 2025: one sold and kept, one sold and returned, one refused.

        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, History, Order, Period, Return, Sale
        >>> def at(day, hour=12):
        ...     return datetime(2025, 4, day, hour, tzinfo=MOSCOW)
        >>> history = History(
        ...     orders=[
        ...         Order(order_id="1", seller_id="s", sku="k", price=100, ordered_at=at(2)),
        ...         Order(order_id="2", seller_id="s", sku="k", price=100, ordered_at=at(3)),
        ...         Order(order_id="3", seller_id="s", sku="k", price=100, ordered_at=at(4),
        ...               cancelled_at=at(9)),
        ...     ],
        ...     sales=[Sale(order_id="1", sold_at=at(6)), Sale(order_id="2", sold_at=at(7))],
        ...     returns=[Return(order_id="2", returned_at=at(10))],
        ... )
        >>> r = redemption_rate(history, Period(date(2025, 4, 15), date(2025, 4, 30)),
        ...                     today=date(2025, 4, 30))
        >>> r.orders, r.sales, r.returns, r.rate, r.rate_with_returns, r.complete
        (3, 2, 1, Fraction(2, 3), Fraction(1, 3), False)

    .. versionadded:: 0.1.0
    """
    window = redemption_window(period, today=today)
    warn_beyond_horizon(history, today, tz)
    # one group, None, or no order at all
    everything = _tally(history, window, tz, group_key(None))
    orders, sales, returns, in_transit = everything.get(None, [0, 0, 0, 0])
    unmatched, unmatched_returns = _unmatched(history, window, tz)
    return RateReport(
        orders=orders,
        sales=sales,
        returns=returns,
        in_transit=in_transit,
        unmatched=unmatched,
        unmatched_returns=unmatched_returns,
        window=window,
        covered=covers(history, window.sales.last, tz),
    )


@overload
def redemption_rates(
    history: History,
    period: Period,
    *,
    today: date,
    by: Literal["sku", "seller"] = "sku",
    tz: tzinfo = MOSCOW,
) -> Rates[str]: ...


@overload
def redemption_rates(
    history: History,
    period: Period,
    *,
    today: date,
    by: Callable[[Order], K],
    tz: tzinfo = MOSCOW,
) -> Rates[K]: ...


def redemption_rates(
    history: History,
    period: Period,
    *,
    today: date,
    by: Literal["sku", "seller"] | Callable[[Order], K] = "sku",
    tz: tzinfo = MOSCOW,
) -> Rates[str] | Rates[K]:
    """Return the seller's redemption rate over `period` for each group of orders.

    Each figure is defined as in `redemption_rate`; the counts of the groups add up to its
    counts.
    A group appears when at least one of its orders was placed in the orders window.
    Unmatched sales and returns have no order, so no group: each group reports 0 of them.

    Args:
        history: the orders, sales and returns.
        period: the period selected.
        today: the day the figure is computed on; later events are not seen.
        by: ``"sku"``, ``"seller"``, or a function from an `Order` to its group. A SKU that
            is a seller's own article may repeat across sellers: to keep them apart, group
            by ``lambda order: (order.seller_id, order.sku)``.
        tz: the zone whose calendar days the windows are made of.

    Returns:
        A report per group: a `dict` that is also a table (`Rates`), whose group column is
        ``sku``, ``seller_id``, or ``group`` for a function.

    Raises:
        InvalidPeriodError: the period ends after `today`.
        InvalidArgumentError: `by` is a string other than ``"sku"`` or ``"seller"``
            (also a `ValueError`).

    Example:
        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, History, Order, Period, Sale
        >>> at = datetime(2025, 4, 2, 12, tzinfo=MOSCOW)
        >>> history = History(
        ...     orders=[Order(order_id=str(i), seller_id="s", sku=sku, price=100, ordered_at=at)
        ...             for i, sku in enumerate(["a", "a", "b"])],
        ...     sales=[Sale(order_id="0", sold_at=at)],
        ... )
        >>> rates = redemption_rates(history, Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                          today=date(2025, 5, 31))
        >>> {sku: (r.orders, r.sales, r.in_transit) for sku, r in sorted(rates.items())}
        {'a': (1, 1, 1), 'b': (0, 0, 1)}

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Returns `Rates`, a `dict` with ``to_pandas()``, ``to_polars()`` and ``to_arrow()``.
    """
    key = group_key(by, ("sku", "seller"), overall=False)
    window = redemption_window(period, today=today)
    warn_beyond_horizon(history, today, tz)
    reports = cast("dict[K, RateReport]", rates_in_window(history, window, key=key, tz=tz))
    return Rates(reports, key=_KEY_COLUMNS.get(by, "group") if isinstance(by, str) else "group")


def rates_in_window(
    history: History, window: RedemptionWindow, *, key: Callable[[Order], K], tz: tzinfo
) -> dict[K, RateReport]:
    """Return a report per group over `window` taken as it is, by the rule of `_tally`.

    `redemption_rates` is this over the window of Wildberries' "How we calculate the
    Wildberries redemption rate?"; `outcome_counts_in_window`, and
    through it `redemption.analysis`, give it windows of their own (a week's orders, with
    their sales up to 30 days later) whose orders window is not extended to 30 days. Nothing
    is checked or warned about here: the caller built the window. Not part of the public API.
    """
    covered = covers(history, window.sales.last, tz)
    return {
        group: _report(counts, window, covered=covered)
        for group, counts in _tally(history, window, tz, key).items()
    }


_new = object.__new__
(
    _set_orders,
    _set_sales,
    _set_returns,
    _set_in_transit,
    _set_unmatched,
    _set_window,
    _set_unmatched_returns,
    _set_covered,
) = slot_setters(
    RateReport,
    "orders",
    "sales",
    "returns",
    "in_transit",
    "unmatched",
    "window",
    "unmatched_returns",
    "covered",
)


def _report(counts: list[int], window: RedemptionWindow, *, covered: bool) -> RateReport:
    """The `RateReport` of one group's tally (`_tally`), with no unmatched sale or return.

    What ``RateReport(orders=..., ..., unmatched=0, window=window, covered=covered)`` makes,
    in half its time: a report per SKU, twelve thousand of them a call.
    """
    orders, sales, returns, in_transit = counts
    report = _new(RateReport)
    _set_orders(report, orders)
    _set_sales(report, sales)
    _set_returns(report, returns)
    _set_in_transit(report, in_transit)
    _set_unmatched(report, 0)
    _set_window(report, window)
    _set_unmatched_returns(report, 0)
    _set_covered(report, covered)
    return report
