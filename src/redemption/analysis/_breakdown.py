"""Why a group's orders were not redeemed: the share of each outcome, kind and reason."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from datetime import date, tzinfo
from fractions import Fraction
from types import MappingProxyType
from typing import Literal, TypeVar, overload

import attrs

from redemption.analysis._intervals import (
    DEFAULT_CI,
    MIN_ORDERS,
    Interval,
    checked_ci,
    checked_min_orders,
    interval_at,
    interval_of,
)
from redemption.calculators import Outcome, OutcomeCounts, OutcomeKey, RateReport, outcome_counts
from redemption.calculators.breakdown import outcome_name
from redemption.calculators.groups import By, group_key
from redemption.dates import MOSCOW
from redemption.errors import InvalidArgumentError, shown
from redemption.history import History
from redemption.model import Order
from redemption.outcomes import ReasonCategory
from redemption.windows import Period

__all__ = ["Breakdown", "refusal_breakdown"]

K = TypeVar("K", bound=Hashable)
_T = TypeVar("_T", bound=Hashable)


def shown_rate(rate: Fraction | None, interval: Interval | None) -> str:
    """A rate as ``3/4``, with its interval's bounds where there is one; ``None`` for none."""
    if rate is None:
        return "None"
    bounds = "" if interval is None else f" [{interval.low:.4f}..{interval.high:.4f}]"
    return f"{rate}{bounds}"


def _shares(counts: Mapping[_T, int], total: int) -> Mapping[_T, Fraction | None]:
    return MappingProxyType(
        {key: Fraction(count, total) if total else None for key, count in counts.items()}
    )


@attrs.frozen(kw_only=True, repr=False)
class Breakdown:
    """How one group's orders ended over a period, and why those not redeemed were not.

    The orders are those the seller's redemption rate counts (by Wildberries' "How we
    calculate the Wildberries redemption rate?"): placed in the
    orders window and no longer in transit as of `today`. Each ended one way (see
    `Outcome`): kept, returned (by `ReturnKind`), sold after the sales window closed, or
    cancelled (by `CancelKind`: by the buyer, the seller, the marketplace, refused at the
    pick-up point, not collected). The orders *not redeemed* are those cancelled and those
    returned; each has the category of its reason, `ReasonCategory.UNKNOWN` where none
    was given. An order sold late was bought, only after the window: it is not among them.

    Attributes:
        orders: the counted orders.
        in_transit: orders placed in the orders window and still in transit as of `today`:
            in no other figure.
        sales: the counted orders sold within the sales window.
        returns: those sales returned within the sales window.
        rate: ``sales / orders``, exactly; `None` when no order is counted.
        rate_interval: its Wilson interval (see `wilson_interval`); `None` without a rate
            or when asked for none.
        rate_with_returns: ``(sales - returns) / orders``, exactly; `None` likewise.
        rate_with_returns_interval: its Wilson interval.
        outcomes: the counted orders by outcome and kind; every key is present (see
            `OutcomeKey`), 0 where no order ended so, and they add up to `orders`.
        outcome_shares: each count of `outcomes` over `orders`, exactly; they add up to 1,
            and are all `None` when no order is counted. Each carries a Wilson interval
            (`outcome_interval`).
        not_kept: the counted orders cancelled or returned.
        reasons: those by the category of their reason; they add up to `not_kept`.
        reason_shares: each count of `reasons` over `not_kept`, exactly; they add up
            to 1, and are all `None` when every counted order was redeemed. Each carries a
            Wilson interval (`reason_interval`).
        small: fewer orders are counted than the `min_orders` asked for: the shares are
            mostly chance.
        complete: the figures can no longer move (see `RateReport.complete`).
        counts: the counts they are made of, with the group's `RateReport`.

    Example:
        `refusal_breakdown` gives one per group. Two orders in April 2025: one bought, one
        refused at the pick-up point with no reason given.

        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, CancelKind, History, Order, Period, ReasonCategory, Sale
        >>> from redemption.analysis import Outcome, refusal_breakdown
        >>> at = datetime(2025, 4, 2, 12, tzinfo=MOSCOW)
        >>> def order(i, **more):
        ...     return Order(order_id=i, seller_id="s", sku="k", price=100, ordered_at=at, **more)
        >>> history = History(
        ...     orders=[order("1"), order("2", cancelled_at=at, cancel_kind=CancelKind.REFUSED)],
        ...     sales=[Sale(order_id="1", sold_at=at)],
        ... )
        >>> b = refusal_breakdown(history, Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                       today=date(2025, 6, 1))[None]
        >>> b.orders, b.rate, b.not_kept, b.reasons[ReasonCategory.UNKNOWN]
        (2, Fraction(1, 2), 1, 1)
        >>> b.outcome_shares[Outcome.CANCELLED, CancelKind.REFUSED], b.small, b.complete
        (Fraction(1, 2), True, True)

    .. versionadded:: 0.2.0
    """

    orders: int
    in_transit: int
    sales: int
    returns: int
    rate: Fraction | None
    rate_interval: Interval | None
    rate_with_returns: Fraction | None
    rate_with_returns_interval: Interval | None
    outcomes: Mapping[OutcomeKey, int]
    outcome_shares: Mapping[OutcomeKey, Fraction | None]
    not_kept: int
    reasons: Mapping[ReasonCategory, int]
    reason_shares: Mapping[ReasonCategory, Fraction | None]
    small: bool
    complete: bool
    counts: OutcomeCounts

    @property
    def report(self) -> RateReport:
        """The group's redemption rate: its windows, counts and unmatched events."""
        return self.counts.report

    @property
    def kept(self) -> int:
        """The counted orders sold within the sales window and not returned within it."""
        return self.counts.kept

    @property
    def returned(self) -> int:
        """The counted orders sold and returned within the sales window."""
        return self.counts.returned

    @property
    def sold_late(self) -> int:
        """The counted orders sold by `today`, after the sales window closed."""
        return self.counts.sold_late

    @property
    def cancelled(self) -> int:
        """The counted orders cancelled or refused by `today`."""
        return self.counts.cancelled

    def outcome_interval(self, key: OutcomeKey, ci: float = DEFAULT_CI) -> Interval | None:
        """The Wilson interval of one outcome's share (`outcome_shares`) at level `ci`.

        `None` when no order is counted.

        Raises:
            InvalidArgumentError: `key` is not an outcome key, or `ci` is not strictly
                between 0 and 1.
        """
        if key not in self.outcomes:
            msg = f"{shown(key)} is not an outcome key: one of OUTCOME_KEYS"
            raise InvalidArgumentError(msg)
        return interval_at(self.outcomes[key], self.orders, ci)

    def reason_interval(self, category: ReasonCategory, ci: float = DEFAULT_CI) -> Interval | None:
        """The Wilson interval of one reason's share (`reason_shares`) at level `ci`.

        The share is of the orders not kept; `None` when every counted order was kept.

        Raises:
            InvalidArgumentError: `category` is not a `ReasonCategory`, or `ci` is not
                strictly between 0 and 1.
        """
        if category not in self.reasons:
            msg = f"category must be a ReasonCategory, not {shown(category)}"
            raise InvalidArgumentError(msg)
        return interval_at(self.reasons[category], self.not_kept, ci)

    def __repr__(self) -> str:
        """Show the rates with their intervals, and the outcomes and reasons some order has."""
        outcomes = ", ".join(
            f"{outcome_name(key)}={count}" for key, count in self.outcomes.items() if count
        )
        reasons = ", ".join(
            f"{category.value}={count}" for category, count in self.reasons.items() if count
        )
        return (
            f"Breakdown(orders={self.orders}, in_transit={self.in_transit}, "
            f"rate={shown_rate(self.rate, self.rate_interval)}, "
            "rate_with_returns="
            f"{shown_rate(self.rate_with_returns, self.rate_with_returns_interval)}, "
            f"outcomes=({outcomes}), reasons=({reasons}), "
            f"small={self.small}, complete={self.complete})"
        )


def breakdown_of(counts: OutcomeCounts, ci: float | None, min_orders: int) -> Breakdown:
    """Turn one group's outcome counts into its breakdown (arguments already checked)."""
    report = counts.report
    kept = counts.by_outcome[Outcome.KEPT, None]
    return Breakdown(
        orders=report.orders,
        in_transit=report.in_transit,
        sales=report.sales,
        returns=report.returns,
        rate=report.rate,
        rate_interval=interval_of(report.sales, report.orders, ci),
        rate_with_returns=report.rate_with_returns,
        rate_with_returns_interval=interval_of(kept, report.orders, ci),
        outcomes=counts.by_outcome,
        outcome_shares=_shares(counts.by_outcome, report.orders),
        not_kept=counts.not_kept,
        reasons=counts.by_reason,
        reason_shares=_shares(counts.by_reason, counts.not_kept),
        small=report.orders < min_orders,
        complete=report.complete,
        counts=counts,
    )


@overload
def refusal_breakdown(
    history: History,
    period: Period,
    *,
    today: date,
    by: None = None,
    tz: tzinfo = MOSCOW,
    ci: float | None = DEFAULT_CI,
    min_orders: int = MIN_ORDERS,
) -> dict[None, Breakdown]: ...


@overload
def refusal_breakdown(
    history: History,
    period: Period,
    *,
    today: date,
    by: Literal["sku", "seller"],
    tz: tzinfo = MOSCOW,
    ci: float | None = DEFAULT_CI,
    min_orders: int = MIN_ORDERS,
) -> dict[str, Breakdown]: ...


@overload
def refusal_breakdown(
    history: History,
    period: Period,
    *,
    today: date,
    by: Literal["buyer"],
    tz: tzinfo = MOSCOW,
    ci: float | None = DEFAULT_CI,
    min_orders: int = MIN_ORDERS,
) -> dict[str | None, Breakdown]: ...


@overload
def refusal_breakdown(
    history: History,
    period: Period,
    *,
    today: date,
    by: Callable[[Order], K],
    tz: tzinfo = MOSCOW,
    ci: float | None = DEFAULT_CI,
    min_orders: int = MIN_ORDERS,
) -> dict[K, Breakdown]: ...


def refusal_breakdown(
    history: History,
    period: Period,
    *,
    today: date,
    by: By = None,
    tz: tzinfo = MOSCOW,
    ci: float | None = DEFAULT_CI,
    min_orders: int = MIN_ORDERS,
) -> (
    dict[None, Breakdown] | dict[str, Breakdown] | dict[str | None, Breakdown] | dict[K, Breakdown]
):
    """Return, per group, how the orders of `period` ended and why some were not redeemed.

    The orders are those `redemption_rate` counts over the period (its orders window is
    the period, extended into the past to 30 days if shorter), and their outcomes are
    counted by its rule (see `outcome_counts`): the rates here are its rates. Each share is
    exact; the rates carry a Wilson interval at level `ci`.

    Args:
        history: the orders, sales and returns.
        period: the period selected.
        today: the day the figures are computed on; later events are not seen.
        by: ``None`` for one group, ``None``, of every order; ``"sku"``, ``"seller"``,
            ``"buyer"`` (orders without a buyer are the group ``None``), or a function from
            an `Order` to its group.
        tz: the zone whose calendar days the windows are made of.
        ci: the confidence level of the intervals; ``None`` for none.
        min_orders: a group with fewer counted orders is marked ``small``.

    Returns:
        A breakdown per group; a group appears when one of its orders was placed in the
        orders window. With ``by=None`` the one group is always there.

    Raises:
        InvalidPeriodError: the period ends after `today`.
        InvalidArgumentError: an unknown `by`, a `ci` not between 0 and 1, a negative
            `min_orders`.

    Example:
        Four orders in April 2025: one kept, one returned for its size, two refused at the
        pick-up point (one with no reason given).

        >>> from datetime import date, datetime
        >>> from redemption import (MOSCOW, CancelKind, History, Order, Period, Reason,
        ...                         ReasonCategory, Return, ReturnKind, Sale)
        >>> from redemption.calculators import Outcome
        >>> at = datetime(2025, 4, 2, 12, tzinfo=MOSCOW)
        >>> def order(i, **more):
        ...     return Order(order_id=i, seller_id="s", sku="k", price=100, ordered_at=at, **more)
        >>> history = History(
        ...     orders=[order("1"), order("2"),
        ...             order("3", cancelled_at=at, cancel_kind=CancelKind.REFUSED),
        ...             order("4", cancelled_at=at, cancel_kind=CancelKind.REFUSED)],
        ...     sales=[Sale(order_id="1", sold_at=at), Sale(order_id="2", sold_at=at)],
        ...     returns=[Return(order_id="2", returned_at=at, kind=ReturnKind.RETURN,
        ...                     reason=Reason(ReasonCategory.SIZE_FIT))],
        ... )
        >>> b = refusal_breakdown(history, Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                       today=date(2025, 6, 1))[None]
        >>> b
        Breakdown(orders=4, in_transit=0, rate=1/2 [0.1500..0.8500], rate_with_returns=1/4 [0.0456..0.6994], outcomes=(kept=1, returned/return=1, cancelled/refused=2), reasons=(size_fit=1, unknown=2), small=True, complete=True)
        >>> b.outcome_shares[Outcome.CANCELLED, CancelKind.REFUSED], b.reason_shares[ReasonCategory.UNKNOWN]
        (Fraction(1, 2), Fraction(2, 3))
        >>> b.outcome_interval((Outcome.CANCELLED, CancelKind.REFUSED))
        Interval(0.1500..0.8500)

    .. versionadded:: 0.2.0
    """  # noqa: E501 - a doctest's output is one line
    key = group_key(by)
    level = checked_ci(ci)
    least = checked_min_orders(min_orders)
    counts = (
        outcome_counts(history, period, today=today, tz=tz)
        if by is None
        else outcome_counts(history, period, today=today, by=key, tz=tz)
    )
    return {group: breakdown_of(c, level, least) for group, c in counts.items()}  # type: ignore[return-value]
