"""Cohorts of orders and how they mature: resolved shares, lags, and the projected rate.

A *cohort* is the orders placed on one calendar day, or in one Monday-Sunday week, in the
calculation's zone. An order's day is the day whose bounds (`redemption.dates.day_start`)
hold the instant it was placed, as every window of the package counts it.

Every figure reads an order's outcome by the one rule of `redemption.calculators.outcome`:
as of a moment, an order whose outcome became known (its sale, else its cancellation) before
that moment is *sold* if it has a sale and *cancelled* if not; any other order is *in
transit*. A cohort's *age* ``a`` is the moment at the end of the day ``a`` days after its
last day; nothing after the end of `today` is seen.

* `cohort_maturity`: for each cohort and age, the orders resolved and sold by then.
* `order_lags`: how long orders took to be sold, cancelled and returned.
* `projected_rate`: the eventual redemption rate of each cohort still maturing, from the
  cohorts of its SKU or seller whose 30 days have passed.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterator
from datetime import date, datetime, timedelta, tzinfo
from fractions import Fraction
from typing import Final, Literal, TypeVar, cast, overload

import attrs

from redemption.analysis._buckets import bucket_of, checked_freq
from redemption.analysis._intervals import (
    DEFAULT_CI,
    MIN_ORDERS,
    Interval,
    checked_ci,
    checked_count,
    checked_min_orders,
    interval_at,
)
from redemption.calculators.groups import group_key
from redemption.calculators.outcome import settled_rows, warn_beyond_horizon
from redemption.dates import MOSCOW, day_end
from redemption.errors import InvalidArgumentError, shown
from redemption.history import History
from redemption.model import Order
from redemption.windows import SALES_LAG_DAYS, DayWindow, Period, require_ended

__all__ = [
    "CohortMaturity",
    "LagSummary",
    "MaturityPoint",
    "OrderLags",
    "RateProjection",
    "cohort_maturity",
    "order_lags",
    "projected_rate",
]

K = TypeVar("K", bound=Hashable)

_FREQS: Final = ("day", "week")
_METHODS: Final = ("in-transit", "chain-ladder")


# ------------------------------------------------------------------------------------------
# results
# ------------------------------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class MaturityPoint:
    """A cohort as of the end of one day: how many of its orders were resolved and sold.

    `sold` counts every sale made by the end of `day`, however long after the order. The
    redemption rate counts a sale only within 30 days of its period's end (Wildberries'
    "How we calculate the Wildberries redemption rate?"): an
    order sold later is, there, an order not redeemed. So past age 30 `rate_so_far` can
    keep climbing with late sales the redemption rate never counts, and a cohort's
    ``rate_so_far`` at a great age is not its redemption rate: `projected_rate` takes the
    figure as it stands when the cohort's 30-day window closes.

    Attributes:
        age: days from the cohort's last day to `day`: 0 is the end of the cohort's last day.
        day: the day at whose end the orders are looked at.
        orders: the cohort's orders.
        resolved: those sold or cancelled by the end of `day`.
        sold: those sold by the end of `day`.

    Example:
        >>> from datetime import date
        >>> p = MaturityPoint(age=2, day=date(2025, 4, 3), orders=4, resolved=3, sold=2)
        >>> p.resolved_share, p.rate_so_far, p.cancelled, p.in_transit
        (Fraction(3, 4), Fraction(1, 2), 1, 1)
        >>> p.rate_so_far_interval()
        Interval(0.1500..0.8500)

    .. versionadded:: 0.2.0
    """

    age: int
    day: date
    orders: int
    resolved: int
    sold: int

    @property
    def cancelled(self) -> int:
        """The orders cancelled or refused by the end of `day`."""
        return self.resolved - self.sold

    @property
    def in_transit(self) -> int:
        """The orders neither sold nor cancelled by the end of `day`."""
        return self.orders - self.resolved

    @property
    def resolved_share(self) -> Fraction:
        """Resolved orders over the cohort's orders, exactly."""
        return Fraction(self.resolved, self.orders)

    @property
    def rate_so_far(self) -> Fraction:
        """Sold orders over the cohort's orders, exactly: in-transit orders count as unsold.

        Every sale by `day` counts, also those after the 30 days the redemption rate counts
        sales for: past age 30 it can keep climbing where the redemption rate does not.
        """
        return Fraction(self.sold, self.orders)

    def rate_so_far_interval(self, ci: float = DEFAULT_CI) -> Interval:
        """The Wilson interval of `rate_so_far` at level `ci` (see `wilson_interval`).

        Raises:
            InvalidArgumentError: `ci` is not strictly between 0 and 1.
        """
        return cast("Interval", interval_at(self.sold, self.orders, ci))

    def resolved_interval(self, ci: float = DEFAULT_CI) -> Interval:
        """The Wilson interval of `resolved_share` at level `ci`.

        Raises:
            InvalidArgumentError: `ci` is not strictly between 0 and 1.
        """
        return cast("Interval", interval_at(self.resolved, self.orders, ci))


@attrs.frozen(kw_only=True)
class CohortMaturity:
    """The orders of one day or week, and how they resolved day after day.

    Attributes:
        first: the cohort's first day (a Monday for a week, unless the range starts later).
        last: the cohort's last day (a Sunday for a week, unless the range ends earlier).
        orders: the orders placed on the cohort's days.
        small: fewer orders than the `min_orders` asked for: its shares are mostly chance.
        points: the cohort as of the end of each age from 0 (the end of `last`) on, one a
            day, up to the last age asked for or to `today`, whichever comes first. Each
            point's rates can carry a Wilson interval (`MaturityPoint.rate_so_far_interval`).

    Example:
        >>> from datetime import date
        >>> c = CohortMaturity(first=date(2025, 4, 1), last=date(2025, 4, 1), orders=2,
        ...     small=True,
        ...     points=(MaturityPoint(age=0, day=date(2025, 4, 1), orders=2, resolved=0, sold=0),
        ...             MaturityPoint(age=1, day=date(2025, 4, 2), orders=2, resolved=1, sold=1)))
        >>> c.orders, c.small
        (2, True)
        >>> c.latest.rate_so_far
        Fraction(1, 2)

    .. versionadded:: 0.2.0
    """

    first: date
    last: date
    orders: int
    small: bool
    points: tuple[MaturityPoint, ...] = attrs.field(repr=False)

    @property
    def latest(self) -> MaturityPoint:
        """The cohort at its greatest age reported: as of `today`, or of the last age asked."""
        return self.points[-1]


@attrs.frozen(kw_only=True)
class LagSummary:
    """How long some events took: how many there were, and three percentiles of their lags.

    Each percentile is the *nearest rank* on the lags observed, exact and never
    interpolated: the ``p``-th percentile of ``n`` lags is the ``ceil(p * n / 100)``-th
    shortest, so it is always one of the lags, at least ``p`` per cent of the lags are no
    longer than it, and fewer than ``p`` per cent are shorter. The median is the 50th
    percentile: of an even number of lags, the shorter of the two in the middle.

    Attributes:
        count: how many events were seen.
        median: the 50th percentile; `None` when none was seen.
        p90: the 90th percentile; `None` when none was seen.
        p99: the 99th percentile; `None` when none was seen.

    Example:
        >>> from datetime import timedelta
        >>> s = LagSummary.of([timedelta(days=d) for d in (3, 1, 10, 2)])
        >>> s.count, s.median.days, s.p90.days, s.p99.days
        (4, 2, 10, 10)

    .. versionadded:: 0.2.0
    """

    count: int
    median: timedelta | None
    p90: timedelta | None
    p99: timedelta | None

    @classmethod
    def of(cls, lags: list[timedelta]) -> LagSummary:
        """Summarise the lags given (in any order); they are sorted in place."""
        if not lags:
            return cls(count=0, median=None, p90=None, p99=None)
        lags.sort()
        return cls(
            count=len(lags),
            median=_nearest_rank(lags, 50),
            p90=_nearest_rank(lags, 90),
            p99=_nearest_rank(lags, 99),
        )


def _nearest_rank(ordered: list[timedelta], percent: int) -> timedelta:
    """The `percent`-th percentile of the sorted lags, by nearest rank."""
    rank = -(-percent * len(ordered) // 100)  # ceil(percent * n / 100), at least 1
    return ordered[rank - 1]


@attrs.frozen(kw_only=True)
class OrderLags:
    """How long the orders placed in a range of days took to end, as known on `today`.

    Attributes:
        orders: the orders placed on a day of the range.
        in_transit: those neither sold nor cancelled by the end of `today`.
        to_sale: from each order to its sale, of the orders sold by the end of `today`.
        to_cancellation: from each order to its cancellation or refusal, of the orders
            cancelled by the end of `today`.
        sale_to_return: from each *sale* (not the order) to its return, of the sold orders
            returned by the end of `today`.

    Example:
        >>> none = LagSummary.of([])
        >>> OrderLags(orders=1, in_transit=1, to_sale=none, to_cancellation=none,
        ...           sale_to_return=none).to_sale.count
        0

    .. versionadded:: 0.2.0
    """

    orders: int
    in_transit: int
    to_sale: LagSummary
    to_cancellation: LagSummary
    sale_to_return: LagSummary


@attrs.frozen(kw_only=True)
class RateProjection:
    """The redemption rate a cohort still maturing is expected to end at, and its basis.

    A cohort's *eventual rate* is its rate as it stands when its 30-day window closes
    (`horizon_days` in `projected_rate`): of its orders settled (sold or cancelled) by the
    end of the day `horizon_days` after the order day, those sold by then. It is the rate
    `redemption_rate` gives for those orders, for the period of that one day, as of the
    day its figure becomes complete, and no later: orders still in transit when the
    window closes are left out of it, and when they settle afterwards (a refusal at day
    40, a sale at day 35) `redemption_rate` counts them as orders *not* redeemed, so the
    rate computed later can be lower than this one. The projection estimates this day-30
    figure, not the later one.

    Attributes:
        day: the cohort's order day.
        age: days from `day` to `today`.
        orders: the orders placed on `day`.
        resolved: those sold or cancelled by the end of `today`.
        sales: those sold by the end of `today`.
        projected_sales: the sales expected by the end of the window; `None` with no
            projection.
        projected_orders: the orders expected to be counted when the window closes
            (settled by then); `None` with no projection. Those expected still in transit
            then are not in it.
        projected_rate: ``projected_sales / projected_orders``, exactly; `None` when there is
            no projection (`reason` says why).
        factor: the sales factor applied at this age (see `projected_rate` for each method);
            `None` when the cohort has nothing in transit, or there is no projection.
        settling: the share of the mature orders in transit at this age that settled
            by the end of their window; `None` likewise.
        mature: how many mature cohorts the factors come from (of the group, or of all
            groups when `fallback`).
        fallback: whether the factors come from the mature cohorts of all groups, the group
            having too few of its own, or none in transit or sold at this age.
        small: fewer orders than the `min_orders` asked for: the cohort's rate is mostly
            chance, whatever the factors.
        reason: why there is no projection; `None` when there is one.

    Example:
        >>> from datetime import date
        >>> p = RateProjection(day=date(2025, 4, 28), age=2, orders=3, resolved=1, sales=1,
        ...     projected_sales=Fraction(7, 3), projected_orders=Fraction(3),
        ...     projected_rate=Fraction(7, 9), factor=Fraction(2, 3), settling=Fraction(1),
        ...     mature=1, fallback=False, small=True, reason=None)
        >>> p.rate_so_far, p.in_transit
        (Fraction(1, 3), 2)
        >>> p.projected_interval()
        Interval(0.2734..0.9702)

    .. versionadded:: 0.2.0
    """

    day: date
    age: int
    orders: int
    resolved: int
    sales: int
    projected_sales: Fraction | None
    projected_orders: Fraction | None
    projected_rate: Fraction | None
    factor: Fraction | None
    settling: Fraction | None
    mature: int
    fallback: bool
    small: bool
    reason: str | None

    @property
    def in_transit(self) -> int:
        """The orders neither sold nor cancelled by the end of `today`."""
        return self.orders - self.resolved

    @property
    def rate_so_far(self) -> Fraction:
        """Sales so far over the cohort's orders, exactly: orders in transit count as unsold."""
        return Fraction(self.sales, self.orders)

    def rate_so_far_interval(self, ci: float = DEFAULT_CI) -> Interval:
        """The Wilson interval of `rate_so_far` at level `ci` (see `wilson_interval`).

        Raises:
            InvalidArgumentError: `ci` is not strictly between 0 and 1.
        """
        return cast("Interval", interval_at(self.sales, self.orders, ci))

    def projected_interval(self, ci: float = DEFAULT_CI) -> Interval | None:
        """The Wilson interval of `projected_rate`, as if its expected counts were observed.

        The formula of `wilson_interval` with `projected_sales` successes of
        `projected_orders` trials (fractions are taken as they are). It says how far
        chance alone moves a rate over so many orders, not how far the factors the
        projection rests on may be off: that error is measured on held-out history
        (`benchmarks/projection.py`), and the true uncertainty is wider. `None` when there
        is no projection.

        Raises:
            InvalidArgumentError: `ci` is not strictly between 0 and 1.
        """
        if self.projected_sales is None or self.projected_orders is None:
            checked_ci(ci)
            return None
        return interval_at(self.projected_sales, self.projected_orders, ci)


# ------------------------------------------------------------------------------------------
# arguments
# ------------------------------------------------------------------------------------------
def _choice(value: object, name: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        allowed = ", ".join(repr(choice) for choice in choices)
        msg = f"{name} must be one of {allowed}, not {shown(value)}"
        raise InvalidArgumentError(msg)


# ------------------------------------------------------------------------------------------
# each order's day and the day its outcome became known
# ------------------------------------------------------------------------------------------
class _Days:
    """The days from `first` to `today` in a zone, each with the instant it ends."""

    __slots__ = ("ends", "first")

    def __init__(self, first: date, today: date, tz: tzinfo) -> None:
        self.first = first
        self.ends = [
            day_end(first + timedelta(days=i), tz) for i in range((today - first).days + 1)
        ]

    def index(self, instant: datetime, lo: int = 0) -> int:
        """The index of the day `instant` falls on; past the last day's when after `today`.

        It is the first day whose end is after the instant: an instant is before the end of
        the day of index ``i`` exactly when its index is at most ``i``.
        """
        return bisect_right(self.ends, instant, lo=lo)

    def day(self, index: int) -> date:
        return self.first + timedelta(days=index)


_Outcome = tuple[Hashable, int, int | None, bool]
"""``(group, day, settled, sold)`` of an order: the indices of the day it was placed on
and of the day its outcome became known (`None` if not by the end of `today`), and
whether it has a sale."""


def _outcomes(
    history: History,
    *,
    start: date,
    end: date,
    today: date,
    tz: tzinfo,
    key: Callable[[Order], Hashable],
) -> tuple[_Days, Iterator[_Outcome]]:
    """Check the days, and give each order placed on a day from `start` to `end`."""
    require_ended(Period(start, end), today)
    days = _Days(start, today, tz)
    lines = history.lines
    placed = lines.placed_between(*DayWindow(start, end).bounds(tz))
    seen = len(days.ends)

    def rows() -> Iterator[_Outcome]:
        for order, settled, sold, _, _ in settled_rows(lines, placed, prices=False):
            day = days.index(order.ordered_at)
            known = None if settled is None else days.index(settled, day)
            if known is not None and known >= seen:
                known = None  # settled after today: in transit as of every moment asked
            yield key(order), day, known, sold is not None

    return days, rows()


# ------------------------------------------------------------------------------------------
# cohort_maturity
# ------------------------------------------------------------------------------------------
@overload
def cohort_maturity(
    history: History,
    *,
    start: date,
    end: date,
    today: date,
    freq: Literal["day", "week"] = "day",
    max_age: int = 60,
    min_orders: int = MIN_ORDERS,
    by: None = None,
    tz: tzinfo = MOSCOW,
) -> tuple[CohortMaturity, ...]: ...


@overload
def cohort_maturity(
    history: History,
    *,
    start: date,
    end: date,
    today: date,
    freq: Literal["day", "week"] = "day",
    max_age: int = 60,
    min_orders: int = MIN_ORDERS,
    by: Literal["sku", "seller"],
    tz: tzinfo = MOSCOW,
) -> dict[str, tuple[CohortMaturity, ...]]: ...


@overload
def cohort_maturity(
    history: History,
    *,
    start: date,
    end: date,
    today: date,
    freq: Literal["day", "week"] = "day",
    max_age: int = 60,
    min_orders: int = MIN_ORDERS,
    by: Callable[[Order], K],
    tz: tzinfo = MOSCOW,
) -> dict[K, tuple[CohortMaturity, ...]]: ...


def cohort_maturity(
    history: History,
    *,
    start: date,
    end: date,
    today: date,
    freq: Literal["day", "week"] = "day",
    max_age: int = 60,
    min_orders: int = MIN_ORDERS,
    by: Literal["sku", "seller"] | Callable[[Order], K] | None = None,
    tz: tzinfo = MOSCOW,
) -> (
    tuple[CohortMaturity, ...]
    | dict[str, tuple[CohortMaturity, ...]]
    | dict[K, tuple[CohortMaturity, ...]]
):
    """Return how the orders of each day or week resolved, age by age.

    A cohort is the orders placed on one day (``freq="day"``) or in one Monday-Sunday week
    (``freq="week"``) from `start` to `end`; a week cut by either end holds only its days
    within them. At age ``a`` the cohort is looked at as of the end of the day ``a`` days
    after its last day, so all its orders have been placed at age 0, and neither its
    resolved share nor its rate so far can fall as it ages. Ages go from 0 to `max_age`,
    and stop at `today`: nothing after it is seen.

    Args:
        history: the orders, sales and returns.
        start: the first day whose orders are counted.
        end: the last day whose orders are counted; at most `today`.
        today: the day the figures are computed on; later events are not seen.
        freq: ``"day"`` or ``"week"``.
        max_age: the greatest age reported, in days.
        min_orders: a cohort with fewer orders is marked ``small``.
        by: ``None`` for one set of cohorts; ``"sku"``, ``"seller"``, or a function from an
            `Order` to its group for cohorts per group.
        tz: the zone whose calendar days and weeks the cohorts are made of.

    Returns:
        The cohorts holding at least one order, by first day; with `by`, per group.

    Raises:
        InvalidPeriodError: `start` is after `end`, or `end` after `today`.
        InvalidArgumentError: an unknown `freq` or `by`, or a `max_age` or `min_orders`
            that is not a whole number, 0 or more.
        ArgumentTypeError: a day that is not a date.

    Example:
        Three orders on 1 April 2025: one cancelled on the 2nd, one sold on the 3rd, one
        still in transit on the 5th.

        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, History, Order, Sale
        >>> def at(day):
        ...     return datetime(2025, 4, day, 12, tzinfo=MOSCOW)
        >>> history = History(
        ...     orders=[Order(order_id="1", seller_id="s", sku="k", price=1, ordered_at=at(1),
        ...                   cancelled_at=at(2)),
        ...             Order(order_id="2", seller_id="s", sku="k", price=1, ordered_at=at(1)),
        ...             Order(order_id="3", seller_id="s", sku="k", price=1, ordered_at=at(1))],
        ...     sales=[Sale(order_id="2", sold_at=at(3))],
        ... )
        >>> [cohort] = cohort_maturity(history, start=date(2025, 4, 1), end=date(2025, 4, 1),
        ...                            today=date(2025, 4, 5))
        >>> [(p.age, p.resolved, p.sold) for p in cohort.points]
        [(0, 0, 0), (1, 1, 0), (2, 2, 1), (3, 2, 1), (4, 2, 1)]
        >>> cohort.latest.resolved_share, cohort.latest.rate_so_far
        (Fraction(2, 3), Fraction(1, 3))

    .. versionadded:: 0.2.0
    """
    checked_freq(freq, _FREQS)
    max_age = checked_count(max_age, "max_age")
    least = checked_min_orders(min_orders)
    key = group_key(by)
    days, outcomes = _outcomes(history, start=start, end=end, today=today, tz=tz, key=key)
    warn_beyond_horizon(history, today, tz)
    today_index = len(days.ends) - 1
    bounds: dict[int, tuple[int, int]] = {}  # an order day's cohort: (first, last) indices
    # per (group, first index): [orders, last index, resolved at each age, sold at each age]
    tallies: dict[tuple[Hashable, int], tuple[list[int], list[int], list[int]]] = {}
    for group, day, known, sold in outcomes:
        cohort = bounds.get(day)
        if cohort is None:
            cohort = bounds[day] = _cohort_of(days, day, end, freq)
        first, last = cohort
        tally = tallies.get((group, first))
        if tally is None:
            ages = min(max_age, today_index - last) + 1
            tally = tallies[group, first] = ([0, last], [0] * ages, [0] * ages)
        head, resolved, sales = tally
        head[0] += 1
        if known is None:
            continue
        age = max(known - last, 0)
        if age < len(resolved):
            resolved[age] += 1
            if sold:
                sales[age] += 1
    grouped: dict[Hashable, list[CohortMaturity]] = {}
    for (group, first), ((orders, last), resolved, sales) in sorted(
        tallies.items(), key=lambda item: item[0][1]
    ):
        grouped.setdefault(group, []).append(
            CohortMaturity(
                first=days.day(first),
                last=days.day(last),
                orders=orders,
                small=orders < least,
                points=tuple(_points(days, last, orders, resolved, sales)),
            )
        )
    results = {group: tuple(cohorts) for group, cohorts in grouped.items()}
    if by is None:
        return results.get(None, ())
    return cast("dict[K, tuple[CohortMaturity, ...]]", results)


def _cohort_of(days: _Days, day: int, end: date, freq: str) -> tuple[int, int]:
    """The first and last indices of the cohort of the order day `day`: its bucket."""
    first, last, _ = bucket_of(days.day(day), freq, days.first, end)
    return (first - days.first).days, (last - days.first).days


def _points(
    days: _Days, last: int, orders: int, resolved: list[int], sales: list[int]
) -> Iterator[MaturityPoint]:
    """The cohort at each age, from the orders resolved and sold at each."""
    done = sold = 0
    for age, (newly_resolved, newly_sold) in enumerate(zip(resolved, sales, strict=True)):
        done += newly_resolved
        sold += newly_sold
        yield MaturityPoint(
            age=age, day=days.day(last + age), orders=orders, resolved=done, sold=sold
        )


# ------------------------------------------------------------------------------------------
# order_lags
# ------------------------------------------------------------------------------------------
@overload
def order_lags(
    history: History,
    *,
    start: date,
    end: date,
    today: date,
    by: None = None,
    tz: tzinfo = MOSCOW,
) -> OrderLags: ...


@overload
def order_lags(
    history: History,
    *,
    start: date,
    end: date,
    today: date,
    by: Literal["sku", "seller"],
    tz: tzinfo = MOSCOW,
) -> dict[str, OrderLags]: ...


@overload
def order_lags(
    history: History,
    *,
    start: date,
    end: date,
    today: date,
    by: Callable[[Order], K],
    tz: tzinfo = MOSCOW,
) -> dict[K, OrderLags]: ...


def order_lags(
    history: History,
    *,
    start: date,
    end: date,
    today: date,
    by: Literal["sku", "seller"] | Callable[[Order], K] | None = None,
    tz: tzinfo = MOSCOW,
) -> OrderLags | dict[str, OrderLags] | dict[K, OrderLags]:
    """Return how long the orders placed from `start` to `end` took to end, as of `today`.

    Of the orders placed on a day from `start` to `end`: the lag from each order to its
    sale (orders sold by the end of `today`), to its cancellation or refusal (orders
    cancelled by then), and from each sale, not the order, to its return (returns by
    then: `sale_to_return`). Each is summarised by its count, median, 90th and 99th
    percentile, by nearest rank on the lags observed (see `LagSummary`). Orders still in
    transit have no lag yet: they are counted apart, so the lags of a recent range are
    short of the slow ones still to come.

    Args:
        history: the orders, sales and returns.
        start: the first day whose orders are counted.
        end: the last day whose orders are counted; at most `today`.
        today: the day the figures are computed on; later events are not seen.
        by: ``None`` for all the orders; ``"sku"``, ``"seller"``, or a function from an
            `Order` to its group for figures per group.
        tz: the zone whose calendar days the range is made of.

    Returns:
        The lags; with `by`, per group that placed an order in the range.

    Raises:
        InvalidPeriodError: `start` is after `end`, or `end` after `today`.
        InvalidArgumentError: an unknown `by`.
        ArgumentTypeError: a day that is not a date.

    Example:
        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, History, Order, Return, Sale
        >>> def at(day):
        ...     return datetime(2025, 4, day, 12, tzinfo=MOSCOW)
        >>> history = History(
        ...     orders=[Order(order_id=str(i), seller_id="s", sku="k", price=1, ordered_at=at(1))
        ...             for i in range(3)],
        ...     sales=[Sale(order_id="0", sold_at=at(3)), Sale(order_id="1", sold_at=at(6))],
        ...     returns=[Return(order_id="1", returned_at=at(8))],
        ... )
        >>> lags = order_lags(history, start=date(2025, 4, 1), end=date(2025, 4, 1),
        ...                   today=date(2025, 4, 30))
        >>> lags.to_sale.count, lags.to_sale.median.days, lags.to_sale.p90.days
        (2, 2, 5)
        >>> lags.sale_to_return.median.days, lags.to_cancellation.count, lags.in_transit
        (2, 0, 1)

    .. versionadded:: 0.2.0
    """
    key = group_key(by)
    require_ended(Period(start, end), today)
    warn_beyond_horizon(history, today, tz)
    known_until = day_end(today, tz)
    lines = history.lines
    placed = lines.placed_between(*DayWindow(start, end).bounds(tz))
    # per group: orders, in transit, and the lags to sale, to cancellation, sale to return
    tallies: dict[Hashable, tuple[list[int], list[timedelta], list[timedelta], list[timedelta]]]
    tallies = {}
    for order, settled, sold, returned, _ in settled_rows(lines, placed, prices=False):
        group = key(order)
        tally = tallies.get(group)
        if tally is None:
            tally = tallies[group] = ([0, 0], [], [], [])
        counts, to_sale, to_cancellation, sale_to_return = tally
        counts[0] += 1
        if settled is None or settled >= known_until:
            counts[1] += 1
        elif sold is not None:  # settled at its sale
            to_sale.append(sold - order.ordered_at)
            if returned is not None and returned < known_until:
                sale_to_return.append(returned - sold)
        else:
            to_cancellation.append(settled - order.ordered_at)
    results = {
        group: OrderLags(
            orders=counts[0],
            in_transit=counts[1],
            to_sale=LagSummary.of(to_sale),
            to_cancellation=LagSummary.of(to_cancellation),
            sale_to_return=LagSummary.of(sale_to_return),
        )
        for group, (counts, to_sale, to_cancellation, sale_to_return) in tallies.items()
    }
    if by is None:
        nothing = LagSummary.of([])
        return results.get(
            None,
            OrderLags(
                orders=0,
                in_transit=0,
                to_sale=nothing,
                to_cancellation=nothing,
                sale_to_return=nothing,
            ),
        )
    return cast("dict[K, OrderLags]", results)


# ------------------------------------------------------------------------------------------
# projected_rate
# ------------------------------------------------------------------------------------------
class _Development:
    """The mature cohorts of a group: how many orders were settled and sold by each age."""

    __slots__ = ("cohorts", "orders", "settled", "sold")

    def __init__(self, horizon: int) -> None:
        self.cohorts: set[int] = set()
        self.orders = 0
        # by the age each order settled, 0 to horizon (later ones are left out), then summed
        self.settled = [0] * (horizon + 1)
        self.sold = [0] * (horizon + 1)

    def add(self, day: int, age: int | None, sold: bool) -> None:  # noqa: FBT001 - internal
        self.cohorts.add(day)
        self.orders += 1
        if age is not None and age < len(self.settled):
            self.settled[age] += 1
            if sold:
                self.sold[age] += 1

    def accumulate(self) -> None:
        """Turn the counts at each age into counts by each age."""
        for counts in (self.settled, self.sold):
            for age in range(1, len(counts)):
                counts[age] += counts[age - 1]

    def factors(self, age: int, method: str) -> tuple[Fraction, Fraction] | str:
        """The sales factor and the settling share at `age`, or why there are none."""
        if not self.cohorts:
            return "no mature cohort"
        window = len(self.settled) - 1
        open_ = self.orders - self.settled[age]
        if open_ == 0:
            return "no order of the mature cohorts was in transit at this age"
        settling = Fraction(self.settled[window] - self.settled[age], open_)
        if method == "in-transit":
            return Fraction(self.sold[window] - self.sold[age], open_), settling
        if self.sold[age] == 0:
            return "no order of the mature cohorts was sold by this age"
        return Fraction(self.sold[age], self.sold[window]), settling


@overload
def projected_rate(
    history: History,
    *,
    start: date,
    end: date,
    today: date,
    by: Literal["sku", "seller"] = "sku",
    tz: tzinfo = MOSCOW,
    horizon_days: int = SALES_LAG_DAYS,
    min_mature: int = 7,
    method: Literal["in-transit", "chain-ladder"] = "in-transit",
    min_orders: int = MIN_ORDERS,
) -> dict[str, tuple[RateProjection, ...]]: ...


@overload
def projected_rate(
    history: History,
    *,
    start: date,
    end: date,
    today: date,
    by: None,
    tz: tzinfo = MOSCOW,
    horizon_days: int = SALES_LAG_DAYS,
    min_mature: int = 7,
    method: Literal["in-transit", "chain-ladder"] = "in-transit",
    min_orders: int = MIN_ORDERS,
) -> tuple[RateProjection, ...]: ...


@overload
def projected_rate(
    history: History,
    *,
    start: date,
    end: date,
    today: date,
    by: Callable[[Order], K],
    tz: tzinfo = MOSCOW,
    horizon_days: int = SALES_LAG_DAYS,
    min_mature: int = 7,
    method: Literal["in-transit", "chain-ladder"] = "in-transit",
    min_orders: int = MIN_ORDERS,
) -> dict[K, tuple[RateProjection, ...]]: ...


def projected_rate(
    history: History,
    *,
    start: date,
    end: date,
    today: date,
    by: Literal["sku", "seller"] | Callable[[Order], K] | None = "sku",
    tz: tzinfo = MOSCOW,
    horizon_days: int = SALES_LAG_DAYS,
    min_mature: int = 7,
    method: Literal["in-transit", "chain-ladder"] = "in-transit",
    min_orders: int = MIN_ORDERS,
) -> (
    tuple[RateProjection, ...]
    | dict[str, tuple[RateProjection, ...]]
    | dict[K, tuple[RateProjection, ...]]
):
    """Project the eventual redemption rate of each day's orders still maturing.

    The cohorts are the order days from `start` to `end`. A cohort whose window has closed
    (its day plus `horizon_days` is `today` or earlier) is *mature*; the others, of age 0
    to ``horizon_days - 1`` days, are *maturing*, and are projected. A cohort's *eventual
    rate* is the rate as it stands when its window closes: of its orders settled by the
    end of the day `horizon_days` after its day, those sold by then (see
    `RateProjection`). That day-30 figure is what is projected. Orders still in transit
    when the window closes are not in it; once they settle, `redemption_rate` computed
    later counts them only as orders not redeemed (a sale after the window is not a
    sale), so it can come out below the projection by their share. A maturing cohort of
    age ``a`` has, as of `today`, ``S`` orders sold, ``R`` resolved, and ``T`` in
    transit; only those ``T`` can still change.

    The method: from the group's mature cohorts, pooled (counts summed over the cohorts),
    the orders still in transit at age ``a`` (``T_m``) and how they ended by the close of
    their window: ``settling = (settled by the close - settled by age a) / T_m``.

    * ``method="in-transit"`` (the default): ``factor = (sold by the close - sold by age a)
      / T_m``, the share of the mature orders in transit at that age that ended sold.
      Projected sales ``S + T * factor``.
    * ``method="chain-ladder"``: the completion factor ``factor = sold by age a / sold by
      the close``, the share of the mature cohorts' eventual sales made by that age.
      Projected sales ``S / factor``, but no more than ``S + T * settling`` (no cohort
      sells more orders than it settles).

    Either way the projected orders counted are ``R + T * settling``, not ``R + T``: the
    share ``1 - settling`` of the orders in transit is expected to be in transit still
    when the window closes, and out of the day-30 figure. The projected rate is projected
    sales over projected orders, exactly. A cohort with nothing in transit
    needs no factor: its eventual rate is ``S / R`` already. The in-transit method uses
    the cohort's own resolved orders and projects only the rest, and is defined from age 0;
    the chain ladder scales the sales so far, so a young cohort's projection swings with
    its first few sales, and there is none at an age by which no mature order was sold.
    `benchmarks/projection.py` measures both on held-out history.

    When the group has fewer than `min_mature` mature cohorts, or its factors are not
    defined at that age (no mature order in transit then, or none sold by then), the
    factors pooled over the mature cohorts of all groups are used and `fallback` is set;
    with no mature data there either, the projection is `None` and `reason` says why.

    Args:
        history: the orders, sales and returns.
        start: the first order day, of the mature cohorts and the maturing ones alike.
        end: the last order day; at most `today`.
        today: the day the figures are computed on; later events are not seen.
        by: ``"sku"``, ``"seller"``, a function from an `Order` to its group, or ``None``
            for all orders as one group. A SKU that is a seller's own article may repeat
            across sellers: group by ``lambda order: (order.seller_id, order.sku)``.
        tz: the zone whose calendar days the cohorts are made of.
        horizon_days: the days after the order day its sales are counted to: 30, as in
            the seller's redemption rate.
        min_mature: the fewest mature cohorts (days with an order) a group's own factors
            are taken from.
        method: ``"in-transit"`` or ``"chain-ladder"``.
        min_orders: a cohort with fewer orders is marked ``small``. Each projection's rates
            can carry a Wilson interval (`RateProjection.projected_interval`).

    Returns:
        A projection per maturing cohort holding an order, by day; per group unless `by`
        is ``None``.

    Raises:
        InvalidPeriodError: `start` is after `end`, or `end` after `today`.
        InvalidArgumentError: an unknown `by` or `method`, a `horizon_days` or
            `min_mature` that is not a whole number, 1 or more.
        ArgumentTypeError: a day that is not a date.

    Example:
        A mature day (1 March) of five orders, sold 1, 3 and 10 days after it and
        cancelled 2 and 5 days after it; on 30 April, two days on from the 28th, one of its
        three orders is sold and two are in transit. Of the mature orders in transit at age
        2, two in three ended sold and all settled: ``(1 + 2 * 2/3) / (1 + 2)``.

        >>> from datetime import date, datetime, timedelta
        >>> from redemption import MOSCOW, History, Order, Sale
        >>> old, new = (datetime(2025, 3, 1, 12, tzinfo=MOSCOW),
        ...             datetime(2025, 4, 28, 12, tzinfo=MOSCOW))
        >>> def order(i, at, cancelled_after=None):
        ...     cancelled = None if cancelled_after is None else at + timedelta(cancelled_after)
        ...     return Order(order_id=str(i), seller_id="s", sku="k", price=1, ordered_at=at,
        ...                  cancelled_at=cancelled)
        >>> def sale(i, at, after):
        ...     return Sale(order_id=str(i), sold_at=at + timedelta(after))
        >>> history = History(
        ...     orders=[order(0, old), order(1, old, 2), order(2, old), order(3, old, 5),
        ...             order(4, old), order(5, new), order(6, new), order(7, new)],
        ...     sales=[sale(0, old, 1), sale(2, old, 3), sale(4, old, 10), sale(5, new, 1)],
        ... )
        >>> [p] = projected_rate(history, start=date(2025, 3, 1), end=date(2025, 4, 30),
        ...                      today=date(2025, 4, 30), min_mature=1)["k"]
        >>> p.day, p.age, p.rate_so_far, p.factor, p.projected_rate, p.fallback
        (datetime.date(2025, 4, 28), 2, Fraction(1, 3), Fraction(2, 3), Fraction(7, 9), False)

    .. versionadded:: 0.2.0
    """
    _choice(method, "method", _METHODS)
    horizon = checked_count(horizon_days, "horizon_days", 1)
    min_mature = checked_count(min_mature, "min_mature", 1)
    least = checked_min_orders(min_orders)
    key = group_key(by)
    days, outcomes = _outcomes(history, start=start, end=end, today=today, tz=tz, key=key)
    warn_beyond_horizon(history, today, tz)
    today_index = len(days.ends) - 1
    pooled = _Development(horizon)
    developments: dict[Hashable, _Development] = {}
    maturing: dict[tuple[Hashable, int], list[int]] = {}  # orders, resolved, sold
    for group, day, known, sold in outcomes:
        age = None if known is None else known - day
        if today_index - day >= horizon:
            development = developments.get(group)
            if development is None:
                development = developments[group] = _Development(horizon)
            development.add(day, age, sold)
            pooled.add(day, age, sold)
            continue
        tally = maturing.get((group, day))
        if tally is None:
            tally = maturing[group, day] = [0, 0, 0]
        tally[0] += 1
        if age is not None:
            tally[1] += 1
            tally[2] += int(sold)
    pooled.accumulate()
    for development in developments.values():
        development.accumulate()
    empty = _Development(horizon)
    grouped: dict[Hashable, list[RateProjection]] = {}
    for (group, day), (orders, resolved, sales) in sorted(
        maturing.items(), key=lambda item: item[0][1]
    ):
        grouped.setdefault(group, []).append(
            _projection(
                day=days.day(day),
                age=today_index - day,
                counts=(orders, resolved, sales),
                own=developments.get(group, empty),
                pooled=pooled,
                min_mature=min_mature,
                method=method,
                least=least,
            )
        )
    results = {group: tuple(projections) for group, projections in grouped.items()}
    if by is None:
        return results.get(None, ())
    return cast("dict[K, tuple[RateProjection, ...]]", results)


def _projection(
    *,
    day: date,
    age: int,
    counts: tuple[int, int, int],
    own: _Development,
    pooled: _Development,
    min_mature: int,
    method: str,
    least: int,
) -> RateProjection:
    """Project one maturing cohort from its group's mature cohorts, or from all groups'."""
    orders, resolved, sales = counts
    in_transit = orders - resolved
    source, fallback = own, False
    projected_sales: Fraction | None = Fraction(sales)
    projected_orders: Fraction | None = Fraction(resolved)
    factor: Fraction | None = None
    settling: Fraction | None = None
    reason: str | None = None
    if in_transit:  # else nothing can change: the eventual figures are those so far
        found = own.factors(age, method)
        if len(own.cohorts) < min_mature or isinstance(found, str):
            source, fallback = pooled, True
            found = pooled.factors(age, method)
        if isinstance(found, str):
            projected_sales = projected_orders = None
            reason = found
        else:
            factor, settling = found
            projected_orders = resolved + in_transit * settling
            if method == "in-transit":
                projected_sales = sales + in_transit * factor
            else:
                projected_sales = min(sales / factor, sales + in_transit * settling)
            if not projected_orders:
                reason = "no order is expected to be counted"
    return RateProjection(
        day=day,
        age=age,
        orders=orders,
        resolved=resolved,
        sales=sales,
        projected_sales=projected_sales,
        projected_orders=projected_orders,
        projected_rate=(
            projected_sales / projected_orders
            if projected_sales is not None and projected_orders
            else None
        ),
        factor=factor,
        settling=settling,
        mature=len(source.cohorts),
        fallback=fallback,
        small=orders < least,
        reason=reason,
    )
