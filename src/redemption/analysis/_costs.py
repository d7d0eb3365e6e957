"""What refusals cost: the logistics paid for units not redeemed, beside the revenue kept.

The orders are those the seller's redemption rate counts (seed 003), and each one's outcome
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

from redemption.calculators import OutcomeCounts, outcome_counts
from redemption.calculators.breakdown import no_outcomes
from redemption.calculators.groups import group_key
from redemption.calculators.outcome import covers
from redemption.dates import MOSCOW
from redemption.errors import InvalidArgumentError, shown
from redemption.history import History
from redemption.model import Order
from redemption.money import ZERO
from redemption.outcomes import Reason, ReasonCategory
from redemption.windows import Period, RedemptionWindow, redemption_window

__all__ = ["LogisticsCost", "RefusalCosts", "refusal_costs"]

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
    them, the revenue of the units kept. A period at a time: call it for each month, or
    group by the month an order was placed.

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
    reasons = by == "reason"
    key = _composite(history, by)
    window = redemption_window(period, today=today)
    complete = no_outcomes(window, covered=covers(history, window.sales.last, tz)).report.complete
    sums = _sums(outcome_counts(history, period, today=today, by=key, tz=tz), reasons=reasons)
    if by is None and not sums:
        sums[None] = _Sums()
    keys: list[Hashable] = list(sums)
    if reasons:  # the redeemed first, then the reasons in the order of their enum
        keys.sort(key=lambda category: _REASON_ORDER.get(category, 0))  # type: ignore[call-overload]
    result: Mapping[Hashable, RefusalCosts] = {
        group: sums[group].made(window, complete=complete) for group in keys
    }
    return dict(result)  # type: ignore[return-value]
