"""What refusals cost: the logistics paid for units not redeemed, beside the revenue kept.

The orders are those the seller's redemption rate counts (by Wildberries' "How we calculate
the Wildberries redemption rate?"), and each one's outcome
is `outcome_counts`'s: the tally runs once, grouped by a composite key of the group, the
order's logistics and its price (as the loyalty indicators group by price for revenue), so
no second rule decides whether an order was refused, returned, cancelled or kept.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from datetime import date, tzinfo
from decimal import Decimal
from typing import Literal, TypeVar, overload

import attrs

from redemption.analysis._buckets import Freq, bucket_days, checked_freq
from redemption.calculators import OutcomeCounts
from redemption.calculators.breakdown import (
    no_outcomes,
    outcome_counts_in_window,
    returns_by_order,
)
from redemption.calculators.groups import group_key
from redemption.calculators.outcome import covers, warn_beyond_horizon
from redemption.dates import MOSCOW
from redemption.errors import InvalidArgumentError, shown
from redemption.history import History
from redemption.model import Order, Return
from redemption.money import ZERO
from redemption.outcomes import Reason, ReasonCategory
from redemption.windows import Period, RedemptionWindow, redemption_window, require_ended

__all__ = ["LogisticsCost", "RefusalCosts", "refusal_cost_series", "refusal_costs"]

K = TypeVar("K", bound=Hashable)

_Costs = tuple[Decimal, Decimal] | None
"""An order's logistics, to the buyer and back; `None` where none are known."""

_OUTCOMES = ("refused", "returned", "cancelled", "sold_late", "kept")
"""The outcomes whose logistics are summed, in the order `RefusalCosts` lists them."""
_NOT_KEPT = _OUTCOMES[:3]


@attrs.frozen(kw_only=True)
class LogisticsCost:
    """The logistics paid for the units of one outcome, and how many of them have none known.

    Attributes:
        units: the counted orders that ended so.
        known: those of them whose logistics are known (`History.logistics`); the cost of
            the others is not known, and is in no sum here (it is not taken as 0).
        to_buyer: what carrying the `known` units to the buyer cost, in roubles.
        back: what carrying them back cost.

    Example:
        `RefusalCosts` holds one per outcome. Two orders refused at the pick-up point, the
        logistics of only one known: 50 roubles to the buyer, 45 back.

        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, CancelKind, History, Logistics, Order, Period
        >>> from redemption.analysis import refusal_costs
        >>> at = datetime(2025, 4, 2, 12, tzinfo=MOSCOW)
        >>> refused = [Order(order_id=i, seller_id="s", sku="k", price=990, ordered_at=at,
        ...                  cancelled_at=at, cancel_kind=CancelKind.REFUSED) for i in ("1", "2")]
        >>> history = History(orders=refused,
        ...                   logistics=[Logistics(order_id="1", to_buyer=50, back=45)])
        >>> costs = refusal_costs(history, Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                       today=date(2025, 6, 1))[None]
        >>> costs.refused
        LogisticsCost(units=2, known=1, to_buyer=Decimal('50.00'), back=Decimal('45.00'))
        >>> costs.refused.paid, costs.refused.unknown
        (Decimal('95.00'), 1)

    .. versionadded:: 0.2.0
    """

    units: int
    known: int
    to_buyer: Decimal
    back: Decimal

    @property
    def paid(self) -> Decimal:
        """Both ways together: ``to_buyer + back``."""
        return self.to_buyer + self.back

    @property
    def unknown(self) -> int:
        """The units whose logistics are not known: ``units - known``."""
        return self.units - self.known

    def __add__(self, other: LogisticsCost) -> LogisticsCost:
        """The units and costs of both."""
        return LogisticsCost(
            units=self.units + other.units,
            known=self.known + other.known,
            to_buyer=self.to_buyer + other.to_buyer,
            back=self.back + other.back,
        )


_NOTHING = LogisticsCost(units=0, known=0, to_buyer=ZERO, back=ZERO)


@attrs.frozen(kw_only=True)
class RefusalCosts:
    """What carrying one group's counted orders cost, by outcome, beside the revenue kept.

    The orders are those the redemption rate counts over the period (placed in its orders
    window, no longer in transit as of `today`); each outcome is `OutcomeCounts`'s.

    Attributes:
        orders: the counted orders of the group: the units of the five outcomes.
        in_transit: orders of the group placed in the orders window and still in transit as
            of `today`: in no other figure.
        refused: units the buyer refused at handover (`OutcomeCounts.refused`: cancelled as
            refused or not collected, or returned as refused at handover).
        returned: units bought and returned within the sales window
            (`OutcomeCounts.returned_after_purchase`).
        cancelled: units cancelled before handover, by the buyer, the seller, the
            marketplace or of a kind not given (`OutcomeCounts.cancelled_before_handover`).
        sold_late: units bought after the sales window closed.
        kept: units bought within the sales window and not returned within it.
        revenue: the prices of the units kept (every one: a price is always known).
        window: the orders and sales windows.
        complete: the figures can no longer move (see `RateReport.complete`).

    Example:
        `refusal_costs` gives one per group. Two orders of 990 roubles in April 2025, each
        carried to the buyer for 50: one kept, one refused and carried back for 45.

        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, CancelKind, History, Logistics, Order, Period, Sale
        >>> from redemption.analysis import refusal_costs
        >>> at = datetime(2025, 4, 2, 12, tzinfo=MOSCOW)
        >>> def order(i, **more):
        ...     return Order(order_id=i, seller_id="s", sku="k", price=990, ordered_at=at, **more)
        >>> history = History(
        ...     orders=[order("1"), order("2", cancelled_at=at, cancel_kind=CancelKind.REFUSED)],
        ...     sales=[Sale(order_id="1", sold_at=at)],
        ...     logistics=[Logistics(order_id="1", to_buyer=50, back=0),
        ...                Logistics(order_id="2", to_buyer=50, back=45)],
        ... )
        >>> costs = refusal_costs(history, Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                       today=date(2025, 6, 1))[None]
        >>> costs.orders, costs.refused.units, costs.kept.units, costs.revenue
        (2, 1, 1, Decimal('990.00'))
        >>> costs.not_kept.paid, costs.total.paid, costs.unknown, costs.complete
        (Decimal('95.00'), Decimal('145.00'), 0, True)

    .. versionadded:: 0.2.0
    """

    orders: int
    in_transit: int
    refused: LogisticsCost
    returned: LogisticsCost
    cancelled: LogisticsCost
    sold_late: LogisticsCost
    kept: LogisticsCost
    revenue: Decimal
    window: RedemptionWindow = attrs.field(repr=False)
    complete: bool

    @property
    def not_kept(self) -> LogisticsCost:
        """The units refused, returned or cancelled together: what refusals cost."""
        return self.refused + self.returned + self.cancelled

    @property
    def total(self) -> LogisticsCost:
        """Every counted unit together."""
        return self.not_kept + self.sold_late + self.kept

    @property
    def unknown(self) -> int:
        """The counted orders whose logistics are not known (in no sum)."""
        return self.total.unknown


class _Sums:
    """One group's figures as they are added up."""

    __slots__ = ("in_transit", "orders", "outcomes", "revenue")

    def __init__(self) -> None:
        self.orders = self.in_transit = 0
        self.revenue = ZERO
        self.outcomes = dict.fromkeys(_OUTCOMES, _NOTHING)

    def add(self, outcome: str, units: int, costs: _Costs) -> None:
        if not units:
            return
        self.orders += units
        to_buyer, back = (ZERO, ZERO) if costs is None else costs
        self.outcomes[outcome] += LogisticsCost(
            units=units,
            known=0 if costs is None else units,
            to_buyer=to_buyer * units,
            back=back * units,
        )

    def made(self, window: RedemptionWindow, *, complete: bool) -> RefusalCosts:
        return RefusalCosts(
            orders=self.orders,
            in_transit=self.in_transit,
            revenue=self.revenue,
            window=window,
            complete=complete,
            **self.outcomes,
        )


def _units(counts: OutcomeCounts) -> dict[str, int]:
    """The units of each outcome, as `OutcomeCounts` counts them."""
    return {
        "refused": counts.refused,
        "returned": counts.returned_after_purchase,
        "cancelled": counts.cancelled_before_handover,
        "sold_late": counts.sold_late,
        "kept": counts.kept,
    }


def _reason_of(counts: OutcomeCounts) -> ReasonCategory:
    """The one category of the orders a composite group did not redeem."""
    (category,) = (category for category, n in counts.by_reason.items() if n)
    return category


def _category(reason: Reason | None) -> ReasonCategory | None:
    return None if reason is None else reason.category


_Key = tuple[Hashable, _Costs, Decimal]
"""The composite key an order is counted under: its group, its logistics, its price."""

_REASON_ORDER = {category: n for n, category in enumerate(ReasonCategory, 1)}


def _composite(history: History, by: object) -> Callable[[Order], _Key]:
    """The composite key of the grouping `by`, which is checked.

    With ``"reason"``, the reasons an order could have (its cancellation's, its return's)
    stand for its group.
    """
    reasons = by == "reason"
    try:
        group = group_key(None if reasons else by)
    except InvalidArgumentError:
        msg = (
            "by must be None, 'sku', 'seller', 'buyer', 'reason' or a function of an Order, "
            f"not {shown(by)}"
        )
        raise InvalidArgumentError(msg) from None
    logistics = history.logistics
    returned = (
        {back.order_id: _category(back.reason) for back in history.returns} if reasons else {}
    )

    def composite(order: Order) -> _Key:
        cost = logistics.get(order.order_id) if logistics else None
        costs = None if cost is None else (cost.to_buyer, cost.back)
        if reasons:
            cancel = _category(order.cancel_reason) if order.cancel_kind is not None else None
            return (cancel, returned.get(order.order_id)), costs, order.price
        return group(order), costs, order.price

    return composite


def _sums(counted: Mapping[_Key, OutcomeCounts], *, reasons: bool) -> dict[Hashable, _Sums]:
    """Add up the composite groups' costs into the groups asked for.

    With `reasons`, the units not redeemed go to the category of their reason, the others
    (and those in transit) to ``None``.
    """
    sums: dict[Hashable, _Sums] = {}
    for (group, costs, price), counts in counted.items():
        units = _units(counts)
        if not reasons or counts.in_transit or counts.kept or counts.sold_late:
            redeemed = sums.setdefault(None if reasons else group, _Sums())
            redeemed.in_transit += counts.in_transit
            redeemed.revenue += price * counts.kept
            for outcome in ("sold_late", "kept"):
                redeemed.add(outcome, units[outcome], costs)
        if counts.not_kept:
            lost = sums.setdefault(_reason_of(counts) if reasons else group, _Sums())
            for outcome in _NOT_KEPT:
                lost.add(outcome, units[outcome], costs)
    return sums


@overload
def refusal_costs(
    history: History,
    period: Period,
    *,
    today: date,
    by: None = None,
    tz: tzinfo = MOSCOW,
) -> dict[None, RefusalCosts]: ...


@overload
def refusal_costs(
    history: History,
    period: Period,
    *,
    today: date,
    by: Literal["sku", "seller"],
    tz: tzinfo = MOSCOW,
) -> dict[str, RefusalCosts]: ...


@overload
def refusal_costs(
    history: History,
    period: Period,
    *,
    today: date,
    by: Literal["buyer"],
    tz: tzinfo = MOSCOW,
) -> dict[str | None, RefusalCosts]: ...


@overload
def refusal_costs(
    history: History,
    period: Period,
    *,
    today: date,
    by: Literal["reason"],
    tz: tzinfo = MOSCOW,
) -> dict[ReasonCategory | None, RefusalCosts]: ...


@overload
def refusal_costs(
    history: History,
    period: Period,
    *,
    today: date,
    by: Callable[[Order], K],
    tz: tzinfo = MOSCOW,
) -> dict[K, RefusalCosts]: ...


def refusal_costs(
    history: History,
    period: Period,
    *,
    today: date,
    by: Literal["sku", "seller", "buyer", "reason"] | Callable[[Order], K] | None = None,
    tz: tzinfo = MOSCOW,
) -> (
    dict[None, RefusalCosts]
    | dict[str, RefusalCosts]
    | dict[str | None, RefusalCosts]
    | dict[ReasonCategory | None, RefusalCosts]
    | dict[K, RefusalCosts]
):
    """Return, per group, the logistics paid for the units refused, returned and kept.

    The orders are those `redemption_rate` counts over the period (its orders window is the
    period, extended into the past to 30 days if shorter), each with its outcome as
    `outcome_counts` counts it. For each outcome, the logistics known for its units
    (`History.logistics`: what carrying each unit to the buyer and back cost) are summed,
    and the units with none known are counted apart, never taken as costing 0. Beside
    them, the revenue of the units kept. For each month or week of a range, each with
    its own orders, see `refusal_cost_series`.

    Args:
        history: the orders, sales and returns, and their logistics.
        period: the period selected.
        today: the day the figures are computed on; later events are not seen. Logistics
            carry no date: those known are counted whenever they were charged.
        by: ``None`` for one group, ``None``, of every order; ``"sku"``, ``"seller"``,
            ``"buyer"`` (orders without a buyer are the group ``None``), a function from an
            `Order` to its group; or ``"reason"``: the units not redeemed by the category
            of their reason (`ReasonCategory.UNKNOWN` where none is given), and those
            redeemed (kept, sold late) and in transit under ``None``, so that the groups
            add up to the whole.
        tz: the zone whose calendar days the windows are made of.

    Returns:
        The costs per group: a group appears when one of its orders was placed in the
        orders window; with ``by=None`` the one group is always there. Money is `Decimal`
        roubles with two places.

    Raises:
        InvalidPeriodError: the period ends after `today`.
        InvalidArgumentError: an unknown `by`.

    Example:
        Three orders in April 2025, each carried to the buyer for 50 roubles: one kept, one
        refused at the pick-up point and carried back for 45, one cancelled whose
        logistics are not known.

        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, CancelKind, History, Order, Period, Sale
        >>> from redemption.model import Logistics
        >>> at = datetime(2025, 4, 2, 12, tzinfo=MOSCOW)
        >>> def order(i, **more):
        ...     return Order(order_id=i, seller_id="s", sku="k", price=990, ordered_at=at,
        ...                  **more)
        >>> history = History(
        ...     orders=[order("1"), order("2", cancelled_at=at, cancel_kind=CancelKind.REFUSED),
        ...             order("3", cancelled_at=at, cancel_kind=CancelKind.BUYER)],
        ...     sales=[Sale(order_id="1", sold_at=at)],
        ...     logistics=[Logistics(order_id="1", to_buyer=50, back=0),
        ...                Logistics(order_id="2", to_buyer=50, back=45)],
        ... )
        >>> costs = refusal_costs(history, Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                       today=date(2025, 6, 1))[None]
        >>> costs.refused
        LogisticsCost(units=1, known=1, to_buyer=Decimal('50.00'), back=Decimal('45.00'))
        >>> costs.not_kept.paid, costs.unknown, costs.kept.paid, costs.revenue
        (Decimal('95.00'), 1, Decimal('50.00'), Decimal('990.00'))

    .. versionadded:: 0.2.0
    """
    window = redemption_window(period, today=today)
    key = _composite(history, by)
    warn_beyond_horizon(history, today, tz)
    found = _costs_in_window(history, window, key=key, by=by, tz=tz, returns=None)
    if by is None and not found:
        found[None] = _Sums().made(window, complete=_complete(history, window, tz))
    return dict(found)  # type: ignore[return-value]


def _complete(history: History, window: RedemptionWindow, tz: tzinfo) -> bool:
    return no_outcomes(window, covered=covers(history, window.sales.last, tz)).report.complete


def _costs_in_window(
    history: History,
    window: RedemptionWindow,
    *,
    key: Callable[[Order], _Key],
    by: object,
    tz: tzinfo,
    returns: Mapping[str, Return] | None,
) -> dict[Hashable, RefusalCosts]:
    """Each group's costs over one window, the groups in the order `refusal_costs` gives."""
    reasons = by == "reason"
    counted = outcome_counts_in_window(history, window, key=key, tz=tz, returns=returns)
    sums = _sums(counted, reasons=reasons)
    keys: list[Hashable] = list(sums)
    if reasons:  # the redeemed first, then the reasons in the order of their enum
        keys.sort(key=_reason_rank)
    complete = _complete(history, window, tz)
    return {group: sums[group].made(window, complete=complete) for group in keys}


def _reason_rank(category: Hashable) -> int:
    """Where a group of ``by="reason"`` goes: the redeemed (``None``) first, then by enum."""
    return _REASON_ORDER[category] if isinstance(category, ReasonCategory) else 0


@overload
def refusal_cost_series(
    history: History,
    *,
    start: date,
    end: date,
    freq: Freq = "month",
    today: date,
    by: None = None,
    tz: tzinfo = MOSCOW,
) -> dict[None, tuple[RefusalCosts, ...]]: ...


@overload
def refusal_cost_series(
    history: History,
    *,
    start: date,
    end: date,
    freq: Freq = "month",
    today: date,
    by: Literal["sku", "seller"],
    tz: tzinfo = MOSCOW,
) -> dict[str, tuple[RefusalCosts, ...]]: ...


@overload
def refusal_cost_series(
    history: History,
    *,
    start: date,
    end: date,
    freq: Freq = "month",
    today: date,
    by: Literal["buyer"],
    tz: tzinfo = MOSCOW,
) -> dict[str | None, tuple[RefusalCosts, ...]]: ...


@overload
def refusal_cost_series(
    history: History,
    *,
    start: date,
    end: date,
    freq: Freq = "month",
    today: date,
    by: Literal["reason"],
    tz: tzinfo = MOSCOW,
) -> dict[ReasonCategory | None, tuple[RefusalCosts, ...]]: ...


@overload
def refusal_cost_series(
    history: History,
    *,
    start: date,
    end: date,
    freq: Freq = "month",
    today: date,
    by: Callable[[Order], K],
    tz: tzinfo = MOSCOW,
) -> dict[K, tuple[RefusalCosts, ...]]: ...


def refusal_cost_series(
    history: History,
    *,
    start: date,
    end: date,
    freq: Freq = "month",
    today: date,
    by: Literal["sku", "seller", "buyer", "reason"] | Callable[[Order], K] | None = None,
    tz: tzinfo = MOSCOW,
) -> (
    dict[None, tuple[RefusalCosts, ...]]
    | dict[str, tuple[RefusalCosts, ...]]
    | dict[str | None, tuple[RefusalCosts, ...]]
    | dict[ReasonCategory | None, tuple[RefusalCosts, ...]]
    | dict[K, tuple[RefusalCosts, ...]]
):
    """Return what refusals cost per period: `refusal_costs` for each bucket of order days.

    The days from `start` to `end` are cut into the buckets of `rate_series` (days, Monday to
    Sunday weeks, or calendar months, the first and last clipped to `start` and `end`), and
    each bucket counts its own orders, as a point of `rate_series` does: the orders placed
    on its days, not extended back to 30 days, no longer in transit as of `today`, and sold
    or returned from its first day to 30 days after its last (or to `today`). So the units
    of a bucket are those of that point, outcome by outcome, and each bucket's costs are
    those of `refusal_costs` over the same orders. Each result's ``window`` says the
    bucket's days; ``complete`` says whether its figures can still move.

    Args:
        history: the orders, sales and returns, and their logistics.
        start: the first order day.
        end: the last order day, on or before `today`.
        freq: ``"day"``, ``"week"`` or ``"month"``.
        today: the day the figures are computed on; later events are not seen.
        by: as in `refusal_costs`: ``None``, ``"sku"``, ``"seller"``, ``"buyer"``,
            ``"reason"`` or a function from an `Order` to its group.
        tz: the zone whose calendar days the buckets and windows are made of.

    Returns:
        Each group's costs, one per bucket, in order; a bucket where the group has no order
        holds zeros. A group appears when one of its orders was placed from `start` to
        `end`; with ``by=None`` the one series is always there.

    Raises:
        InvalidPeriodError: `start` is after `end`, or `end` after `today`.
        InvalidArgumentError: an unknown `freq` or `by`.

    Example:
        An order in March and one in April 2025, each carried to the buyer for 50 roubles;
        the April one refused and carried back for 45:

        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, CancelKind, History, Order, Sale
        >>> from redemption.model import Logistics
        >>> def at(month):
        ...     return datetime(2025, month, 2, 12, tzinfo=MOSCOW)
        >>> history = History(
        ...     orders=[Order(order_id="1", seller_id="s", sku="k", price=990, ordered_at=at(3)),
        ...             Order(order_id="2", seller_id="s", sku="k", price=990, ordered_at=at(4),
        ...                   cancelled_at=at(4), cancel_kind=CancelKind.REFUSED)],
        ...     sales=[Sale(order_id="1", sold_at=at(3))],
        ...     logistics=[Logistics(order_id="1", to_buyer=50, back=0),
        ...                Logistics(order_id="2", to_buyer=50, back=45)],
        ... )
        >>> series = refusal_cost_series(history, start=date(2025, 3, 1),
        ...                              end=date(2025, 4, 30), today=date(2025, 6, 1))
        >>> [(c.window.orders.first.month, c.not_kept.paid, c.revenue) for c in series[None]]
        [(3, Decimal('0.00'), Decimal('990.00')), (4, Decimal('95.00'), Decimal('0.00'))]

    .. versionadded:: 0.2.0
    """
    checked_freq(freq)
    key = _composite(history, by)
    period = Period(start, end)
    require_ended(period, today)
    warn_beyond_horizon(history, today, tz)
    returns = returns_by_order(history)
    buckets: list[tuple[RefusalCosts, dict[Hashable, RefusalCosts]]] = []
    groups: dict[Hashable, None] = {None: None} if by is None else {}
    for first, last, _ in bucket_days(start, end, freq):
        window = redemption_window(Period(first, last), today=today, extend=False)
        found = _costs_in_window(history, window, key=key, by=by, tz=tz, returns=returns)
        groups.update(dict.fromkeys(found))
        buckets.append((_Sums().made(window, complete=_complete(history, window, tz)), found))
    ordered = sorted(groups, key=_reason_rank) if by == "reason" else list(groups)
    result: Mapping[Hashable, tuple[RefusalCosts, ...]] = {
        group: tuple(found.get(group, empty) for empty, found in buckets) for group in ordered
    }
    return dict(result)  # type: ignore[return-value]
