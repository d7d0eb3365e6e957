"""The redemption rate, refusals and returns day by day, week by week or month by month."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date, tzinfo
from fractions import Fraction
from typing import Literal, TypeVar, overload

import attrs

from redemption.analysis._breakdown import shown_rate
from redemption.analysis._buckets import Freq, bucket_days, checked_freq
from redemption.analysis._intervals import (
    DEFAULT_CI,
    MIN_ORDERS,
    Interval,
    checked_ci,
    checked_min_orders,
    interval_of,
)
from redemption.calculators import OutcomeCounts
from redemption.calculators.breakdown import (
    no_outcomes,
    outcome_counts_in_window,
    returns_by_order,
)
from redemption.calculators.groups import By, group_key
from redemption.calculators.outcome import covers, warn_beyond_horizon
from redemption.dates import MOSCOW
from redemption.history import History
from redemption.model import Order
from redemption.windows import Period, redemption_window, require_ended

__all__ = ["Freq", "SeriesPoint", "rate_series"]

K = TypeVar("K", bound=Hashable)


@attrs.frozen(kw_only=True, repr=False)
class SeriesPoint:
    """The orders placed in one bucket of days, how many were sold, refused and returned.

    The bucket's orders window is its own days, `first` to `last`; its sales window runs
    from `first` to 30 days after `last`, or to `today` if that comes first. The counted
    orders are those placed in the bucket and no longer in transit as of `today`.

    Attributes:
        first: the bucket's first day.
        last: its last day.
        clipped: the bucket is shorter than its week or month: the series' `start` or
            `end` falls within it.
        orders: the counted orders.
        in_transit: orders placed in the bucket and still in transit as of `today`: in no
            other figure.
        sales: the counted orders sold within the bucket's sales window.
        refused: the counted orders refused: cancelled as `CancelKind.REFUSED` or
            `CancelKind.NOT_COLLECTED`, or sold and returned within the sales window as
            `ReturnKind.REFUSED_AT_HANDOVER`.
        returned: the counted orders sold and returned otherwise within the sales window
            (`ReturnKind.RETURN`, `ReturnKind.UNKNOWN`).
        rate: ``sales / orders``, exactly (the redemption rate of the bucket's own orders);
            `None` when no order is counted.
        rate_interval: its Wilson interval (see `wilson_interval`), or `None`.
        refusal_share: ``refused / orders``, exactly; `None` likewise.
        refusal_interval: its Wilson interval, or `None`.
        return_share: ``returned / orders``, exactly; `None` likewise.
        return_interval: its Wilson interval, or `None`.
        small: fewer orders are counted than the `min_orders` asked for.
        complete: the figures can no longer move: 30 days after `last` have passed by
            `today`, and the history's horizon reaches that far (see `RateReport.complete`).
        counts: every outcome's count, with the bucket's `RateReport` and its windows.

    Example:
        `rate_series` gives one per bucket. Two orders in April 2025: one bought, one
        refused at the pick-up point; month by month:

        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, CancelKind, History, Order, Sale
        >>> from redemption.analysis import rate_series
        >>> at = datetime(2025, 4, 2, 12, tzinfo=MOSCOW)
        >>> def order(i, **more):
        ...     return Order(order_id=i, seller_id="s", sku="k", price=100, ordered_at=at, **more)
        >>> history = History(
        ...     orders=[order("1"), order("2", cancelled_at=at, cancel_kind=CancelKind.REFUSED)],
        ...     sales=[Sale(order_id="1", sold_at=at)],
        ... )
        >>> [april] = rate_series(history, start=date(2025, 4, 1), end=date(2025, 4, 30),
        ...                       freq="month", today=date(2025, 6, 1))[None]
        >>> april.first, april.last, april.orders, april.sales, april.refused
        (datetime.date(2025, 4, 1), datetime.date(2025, 4, 30), 2, 1, 1)
        >>> april.rate, april.refusal_share, april.rate_interval, april.complete
        (Fraction(1, 2), Fraction(1, 2), Interval(0.0945..0.9055), True)

    .. versionadded:: 0.2.0
    """

    first: date
    last: date
    clipped: bool
    orders: int
    in_transit: int
    sales: int
    refused: int
    returned: int
    rate: Fraction | None
    rate_interval: Interval | None
    refusal_share: Fraction | None
    refusal_interval: Interval | None
    return_share: Fraction | None
    return_interval: Interval | None
    small: bool
    complete: bool
    counts: OutcomeCounts

    def __repr__(self) -> str:
        """Show the bucket's days, counts, and rates with their intervals."""
        clipped = " clipped" if self.clipped else ""
        return (
            f"SeriesPoint({self.first.isoformat()}..{self.last.isoformat()}{clipped}, "
            f"orders={self.orders}, in_transit={self.in_transit}, "
            f"rate={shown_rate(self.rate, self.rate_interval)}, "
            f"refusal_share={shown_rate(self.refusal_share, self.refusal_interval)}, "
            f"return_share={shown_rate(self.return_share, self.return_interval)}, "
            f"small={self.small}, complete={self.complete})"
        )


def _point(
    counts: OutcomeCounts, ci: float | None, min_orders: int, *, clipped: bool
) -> SeriesPoint:
    report = counts.report
    orders = report.orders
    refused, returned = counts.refused, counts.returned_after_purchase
    return SeriesPoint(
        first=report.window.orders.first,
        last=report.window.orders.last,
        clipped=clipped,
        orders=orders,
        in_transit=report.in_transit,
        sales=report.sales,
        refused=refused,
        returned=returned,
        rate=report.rate,
        rate_interval=interval_of(report.sales, orders, ci),
        refusal_share=Fraction(refused, orders) if orders else None,
        refusal_interval=interval_of(refused, orders, ci),
        return_share=Fraction(returned, orders) if orders else None,
        return_interval=interval_of(returned, orders, ci),
        small=orders < min_orders,
        complete=report.complete,
        counts=counts,
    )


@overload
def rate_series(
    history: History,
    *,
    start: date,
    end: date,
    freq: Freq = "day",
    today: date,
    by: None = None,
    tz: tzinfo = MOSCOW,
    ci: float | None = DEFAULT_CI,
    min_orders: int = MIN_ORDERS,
) -> dict[None, tuple[SeriesPoint, ...]]: ...


@overload
def rate_series(
    history: History,
    *,
    start: date,
    end: date,
    freq: Freq = "day",
    today: date,
    by: Literal["sku", "seller"],
    tz: tzinfo = MOSCOW,
    ci: float | None = DEFAULT_CI,
    min_orders: int = MIN_ORDERS,
) -> dict[str, tuple[SeriesPoint, ...]]: ...


@overload
def rate_series(
    history: History,
    *,
    start: date,
    end: date,
    freq: Freq = "day",
    today: date,
    by: Literal["buyer"],
    tz: tzinfo = MOSCOW,
    ci: float | None = DEFAULT_CI,
    min_orders: int = MIN_ORDERS,
) -> dict[str | None, tuple[SeriesPoint, ...]]: ...


@overload
def rate_series(
    history: History,
    *,
    start: date,
    end: date,
    freq: Freq = "day",
    today: date,
    by: Callable[[Order], K],
    tz: tzinfo = MOSCOW,
    ci: float | None = DEFAULT_CI,
    min_orders: int = MIN_ORDERS,
) -> dict[K, tuple[SeriesPoint, ...]]: ...


def rate_series(
    history: History,
    *,
    start: date,
    end: date,
    freq: Freq = "day",
    today: date,
    by: By = None,
    tz: tzinfo = MOSCOW,
    ci: float | None = DEFAULT_CI,
    min_orders: int = MIN_ORDERS,
) -> (
    dict[None, tuple[SeriesPoint, ...]]
    | dict[str, tuple[SeriesPoint, ...]]
    | dict[str | None, tuple[SeriesPoint, ...]]
    | dict[K, tuple[SeriesPoint, ...]]
):
    """Return the redemption rate, refusal share and return share of each bucket of days.

    The days from `start` to `end` are cut into buckets: days, weeks (Monday to Sunday) or
    calendar months. The first and the last bucket are clipped to `start` and `end`, and
    say so (``clipped``). Each bucket counts the orders placed on its own days only: its
    orders window is *not* extended back to 30 days, as `redemption_rate` extends a period
    shorter than 30 days, so a week's point is not `redemption_rate` of that week. It is the
    window method applied to the bucket's own orders (the windows of `redemption_window`
    with ``extend=False``): those no longer in transit as of `today` are counted, and sold
    when their sale falls from the bucket's first day to 30 days after its last, or to
    `today` if that comes first; returns likewise. A point is ``complete`` once those 30
    days have passed and the history reaches that far: recent points can still move.

    Every bucket is there, with zero counts where no order was placed, so that the series
    is regular. A series cannot reach past `today`: an `end` after it is refused, as a
    period ending after `today` is; give ``end=today`` for a series up to today.

    Args:
        history: the orders, sales and returns.
        start: the first day of the series.
        end: the last day of the series, on or before `today`.
        freq: ``"day"``, ``"week"`` or ``"month"``.
        today: the day the figures are computed on; later events are not seen.
        by: ``None`` for one series, keyed ``None``, of every order; ``"sku"``,
            ``"seller"``, ``"buyer"`` (orders without a buyer under ``None``), or a function
            from an `Order` to its group.
        tz: the zone whose calendar days the buckets and windows are made of.
        ci: the confidence level of the intervals; ``None`` for none.
        min_orders: a point with fewer counted orders is marked ``small``.

    Returns:
        Each group's series: one point per bucket, in order. A group appears when one of its
        orders was placed from `start` to `end`; with ``by=None`` the one series is always
        there.

    Raises:
        InvalidPeriodError: `start` is after `end`, `end` after `today`, or a bucket's
            sales window leaves the calendar.
        InvalidArgumentError: an unknown `freq` or `by`, a `ci` not between 0 and 1, a
            `min_orders` that is not a whole number, 0 or more.

    Example:
        An order on Wednesday 2 April 2025, sold; another on Monday 7 April, refused at the
        pick-up point. Week by week from Tuesday 1 to Thursday 10 April:

        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, CancelKind, History, Order, Sale
        >>> def at(day):
        ...     return datetime(2025, 4, day, 12, tzinfo=MOSCOW)
        >>> history = History(
        ...     orders=[
        ...         Order(order_id="1", seller_id="s", sku="k", price=100, ordered_at=at(2)),
        ...         Order(order_id="2", seller_id="s", sku="k", price=100, ordered_at=at(7),
        ...               cancelled_at=at(9), cancel_kind=CancelKind.REFUSED),
        ...     ],
        ...     sales=[Sale(order_id="1", sold_at=at(4))],
        ... )
        >>> series = rate_series(history, start=date(2025, 4, 1), end=date(2025, 4, 10),
        ...                      freq="week", today=date(2025, 4, 20), ci=None)
        >>> for point in series[None]:
        ...     print(point)
        SeriesPoint(2025-04-01..2025-04-06 clipped, orders=1, in_transit=0, rate=1, refusal_share=0, return_share=0, small=True, complete=False)
        SeriesPoint(2025-04-07..2025-04-10 clipped, orders=1, in_transit=0, rate=0, refusal_share=1, return_share=0, small=True, complete=False)

    .. versionadded:: 0.2.0
    """  # noqa: E501 - a doctest's output is one line
    key = group_key(by)
    checked_freq(freq)
    level = checked_ci(ci)
    least = checked_min_orders(min_orders)
    period = Period(start, end)
    require_ended(period, today)
    warn_beyond_horizon(history, today, tz)
    returns = returns_by_order(history)
    buckets: list[tuple[bool, OutcomeCounts, dict[Hashable, OutcomeCounts]]] = []
    groups: dict[Hashable, None] = {None: None} if by is None else {}
    for first, last, clipped in bucket_days(start, end, freq):
        window = redemption_window(Period(first, last), today=today, extend=False)
        counts = outcome_counts_in_window(history, window, key=key, tz=tz, returns=returns)
        empty = no_outcomes(window, covered=covers(history, window.sales.last, tz))
        groups.update(dict.fromkeys(counts))
        buckets.append((clipped, empty, counts))
    return {  # type: ignore[return-value]
        group: tuple(
            _point(counts.get(group, empty), level, least, clipped=clipped)
            for clipped, empty, counts in buckets
        )
        for group in groups
    }
