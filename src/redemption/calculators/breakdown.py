"""How each order the redemption rate counts ended: kept, returned, sold late or cancelled.

The counts come from one pass of `redemption_rates` grouped by a composite key, the group
and how the order ended (its cancel kind and reason, its return's kind and reason), so each
order is counted, sold, returned or left in transit by the one rule of the redemption rate
itself; this module only reads the groups back.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Mapping
from datetime import date, tzinfo
from types import MappingProxyType
from typing import Literal, TypeAlias, TypeVar, cast, overload

import attrs

from redemption.calculators._tables import record_html, share_text
from redemption.calculators.groups import group_key
from redemption.calculators.outcome import covers, warn_beyond_horizon
from redemption.calculators.rate import RateReport, _unmatched, rates_in_window
from redemption.dates import MOSCOW
from redemption.history import History
from redemption.model import Order, Return
from redemption.outcomes import CancelKind, Reason, ReasonCategory, ReturnKind
from redemption.windows import Period, RedemptionWindow, redemption_window

__all__ = ["Outcome", "OutcomeCounts", "OutcomeKey", "outcome_counts"]

K = TypeVar("K", bound=Hashable)


class Outcome(enum.Enum):
    """How an order the redemption rate counts ended, as seen within its sales window.

    Example:
        >>> [outcome.value for outcome in Outcome]
        ['kept', 'returned', 'sold_late', 'cancelled']

        It is the first half of each key of `OutcomeCounts.by_outcome` (and of
        `Breakdown.outcomes`). An order of April 2025 bought on 5 June, after its sales
        window closed on 30 May, is sold late: an order, not a sale.

        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, History, Order, Period, Sale
        >>> from redemption.calculators import outcome_counts
        >>> history = History(
        ...     orders=[Order(order_id="1", seller_id="s", sku="k", price=100,
        ...                   ordered_at=datetime(2025, 4, 2, 12, tzinfo=MOSCOW))],
        ...     sales=[Sale(order_id="1", sold_at=datetime(2025, 6, 5, 12, tzinfo=MOSCOW))],
        ... )
        >>> counts = outcome_counts(history, Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                         today=date(2025, 6, 30))[None]
        >>> counts.by_outcome[Outcome.SOLD_LATE, None], counts.sales
        (1, 0)

    .. versionadded:: 0.2.0
    """

    KEPT = "kept"
    """Sold within the sales window and not returned within it: redeemed."""
    RETURNED = "returned"
    """Sold within the sales window and returned within it: a sale, and a return."""
    SOLD_LATE = "sold_late"
    """Sold by `today`, but after the sales window closed: an order, not a sale."""
    CANCELLED = "cancelled"
    """Cancelled or refused by `today`; its `CancelKind` says who or what ended it."""


OutcomeKey: TypeAlias = tuple[Outcome, CancelKind | ReturnKind | None]
"""An outcome and its kind: ``(Outcome.CANCELLED, CancelKind.REFUSED)``,
``(Outcome.RETURNED, ReturnKind.RETURN)``, ``(Outcome.KEPT, None)``,
``(Outcome.SOLD_LATE, None)``."""

OUTCOME_KEYS: tuple[OutcomeKey, ...] = (
    (Outcome.KEPT, None),
    *((Outcome.RETURNED, kind) for kind in ReturnKind),
    (Outcome.SOLD_LATE, None),
    *((Outcome.CANCELLED, kind) for kind in CancelKind),
)
"""Every outcome key, in the order results list them."""

REFUSALS: tuple[OutcomeKey, ...] = (
    (Outcome.CANCELLED, CancelKind.REFUSED),
    (Outcome.CANCELLED, CancelKind.NOT_COLLECTED),
    (Outcome.RETURNED, ReturnKind.REFUSED_AT_HANDOVER),
)
"""The outcomes that are a buyer's refusal at handover (отказ): the two cancellations first,
then the return a source reports a refusal as."""

_Ending = tuple[CancelKind | None, ReasonCategory | None, ReturnKind | None, ReasonCategory | None]
"""How an order ended, as its group key carries it: cancel kind and reason category, its
return's kind and reason category (``None`` where there is none)."""


def _category(reason: Reason | None) -> ReasonCategory | None:
    return None if reason is None else reason.category


def outcome_name(key: OutcomeKey, separator: str = "/") -> str:
    """An outcome key in words: ``"kept"``, ``"cancelled/refused"`` (not part of the API).

    Example:
        >>> outcome_name((Outcome.CANCELLED, CancelKind.REFUSED), "_")
        'cancelled_refused'
    """
    outcome, kind = key
    return outcome.value if kind is None else f"{outcome.value}{separator}{kind.value}"


@attrs.frozen(kw_only=True, repr=False)
class OutcomeCounts:
    """How the orders of one group that the redemption rate counts ended.

    Every counted order has exactly one outcome: ``orders = kept + returned + sold_late +
    cancelled`` and ``sales = kept + returned``. Orders in transit have none yet: they are
    in `report` only.

    Attributes:
        report: the group's redemption rate, equal to `redemption_rates`'s for the group
            (to `redemption_rate`'s, unmatched sales and returns included, with no group).
        by_outcome: the counted orders by outcome and kind: cancellations by their
            `CancelKind`, returns by their `ReturnKind`, kept and sold late with ``None``.
            Every key of `OUTCOME_KEYS` is present, 0 where no order ended so.
        by_reason: the orders not kept (cancelled, or sold and returned within the sales
            window) by the category of their cancellation's or return's reason; one with no
            reason counts as `ReasonCategory.UNKNOWN`. Every category is present. An order
            sold late was bought, only after the window: it has no reason here.

    Example:
        `outcome_counts` gives one per group. Two orders in April 2025: one kept, one
        refused at the pick-up point for its size.

        >>> from datetime import date, datetime
        >>> from redemption import (MOSCOW, CancelKind, History, Order, Period, Reason,
        ...                         ReasonCategory, Sale)
        >>> at = datetime(2025, 4, 2, 12, tzinfo=MOSCOW)
        >>> def order(i, **more):
        ...     return Order(order_id=i, seller_id="s", sku="k", price=100, ordered_at=at, **more)
        >>> history = History(
        ...     orders=[order("1"), order("2", cancelled_at=at, cancel_kind=CancelKind.REFUSED,
        ...                               cancel_reason=Reason(ReasonCategory.SIZE_FIT))],
        ...     sales=[Sale(order_id="1", sold_at=at)],
        ... )
        >>> counts = outcome_counts(history, Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                         today=date(2025, 6, 1))[None]
        >>> counts.orders, counts.kept, counts.refused, counts.by_reason[ReasonCategory.SIZE_FIT]
        (2, 1, 1, 1)
        >>> counts.by_outcome[Outcome.CANCELLED, CancelKind.REFUSED], counts.report.rate
        (1, Fraction(1, 2))

    .. versionadded:: 0.2.0
    """

    report: RateReport
    by_outcome: Mapping[OutcomeKey, int]
    by_reason: Mapping[ReasonCategory, int]

    @property
    def orders(self) -> int:
        """The orders counted (placed in the orders window, not in transit)."""
        return self.report.orders

    @property
    def sales(self) -> int:
        """The counted orders sold within the sales window."""
        return self.report.sales

    @property
    def in_transit(self) -> int:
        """The orders placed in the orders window and still in transit as of `today`."""
        return self.report.in_transit

    @property
    def kept(self) -> int:
        """The counted orders sold within the sales window and not returned within it."""
        return self.by_outcome[Outcome.KEPT, None]

    @property
    def returned(self) -> int:
        """The counted orders sold and returned within the sales window, of any kind."""
        return self._total(Outcome.RETURNED)

    @property
    def sold_late(self) -> int:
        """The counted orders sold by `today`, after the sales window closed."""
        return self.by_outcome[Outcome.SOLD_LATE, None]

    @property
    def cancelled(self) -> int:
        """The counted orders cancelled or refused by `today`, of any kind."""
        return self._total(Outcome.CANCELLED)

    @property
    def not_kept(self) -> int:
        """The counted orders the buyer did not keep: cancelled or returned (`by_reason`).

        An order sold after the sales window is not among them: the buyer kept it, though the
        rate counts no sale for it (`sold_late`).
        """
        return self.cancelled + self.returned

    @property
    def refused(self) -> int:
        """The counted orders the buyer refused at handover (отказ).

        Cancelled as refused or not collected, or sold and returned within the sales window
        as refused at handover.
        """
        return sum(self.by_outcome[key] for key in REFUSALS)

    @property
    def cancelled_before_handover(self) -> int:
        """The counted orders cancelled by `today` that were not refusals.

        By the buyer, the seller, the marketplace, or of a kind the source does not give.
        """
        return self.cancelled - sum(self.by_outcome[key] for key in REFUSALS[:2])

    @property
    def returned_after_purchase(self) -> int:
        """The counted orders sold and returned within the sales window, not as refusals."""
        return self.returned - self.by_outcome[REFUSALS[2]]

    def _total(self, outcome: Outcome) -> int:
        return sum(count for (o, _), count in self.by_outcome.items() if o is outcome)

    def __repr__(self) -> str:
        """Show the counts, leaving out the outcomes and reasons no order has."""
        outcomes = ", ".join(
            f"{outcome_name(key)}={count}" for key, count in self.by_outcome.items() if count
        )
        reasons = ", ".join(
            f"{category.value}={count}" for category, count in self.by_reason.items() if count
        )
        return (
            f"OutcomeCounts(rate={share_text(self.sales, self.orders)}, orders={self.orders}, "
            f"in_transit={self.in_transit}, outcomes=({outcomes}), reasons=({reasons}))"
        )

    def _repr_html_(self) -> str:
        """A notebook's view: the rate, the counts, and the outcomes and reasons some order has."""
        return record_html(
            "OutcomeCounts",
            [
                ("rate", share_text(self.sales, self.orders)),
                ("orders", self.orders),
                ("in_transit", self.in_transit),
                *((outcome_name(key), n) for key, n in self.by_outcome.items() if n),
                *((f"reason {category.value}", n) for category, n in self.by_reason.items() if n),
            ],
        )


def returns_by_order(history: History) -> dict[str, Return]:
    """Return each order's return, by order id: what `outcome_counts_in_window` reads kinds from.

    Build it once for many windows over one history. Not part of the public API.
    """
    return {back.order_id: back for back in history.returns}


def outcome_counts_in_window(
    history: History,
    window: RedemptionWindow,
    *,
    key: Callable[[Order], K],
    tz: tzinfo,
    returns: Mapping[str, Return] | None = None,
) -> dict[K, OutcomeCounts]:
    """Return how the counted orders of each group ended, over `window` taken as it is.

    `outcome_counts` is this over the window of Wildberries' "How we calculate the
    Wildberries redemption rate?"; `redemption.analysis` gives it
    windows of its own. Each group's report has no unmatched sales or returns. `returns` is
    `returns_by_order`'s mapping, built once by a caller that asks for many windows. Not
    part of the public API.
    """
    by_order = returns_by_order(history) if returns is None else returns

    def composite(order: Order) -> tuple[K, _Ending]:
        back = by_order.get(order.order_id)
        return key(order), (
            order.cancel_kind,
            _category(order.cancel_reason),
            None if back is None else back.kind,
            None if back is None else _category(back.reason),
        )

    totals: dict[K, list[int]] = {}
    outcomes: dict[K, dict[OutcomeKey, int]] = {}
    reasons: dict[K, dict[ReasonCategory, int]] = {}
    for (group, ending), part in rates_in_window(history, window, key=composite, tz=tz).items():
        if group not in totals:
            totals[group] = [0, 0, 0, 0]
            outcomes[group] = dict.fromkeys(OUTCOME_KEYS, 0)
            reasons[group] = dict.fromkeys(ReasonCategory, 0)
        total, by_outcome, by_reason = totals[group], outcomes[group], reasons[group]
        total[0] += part.orders
        total[1] += part.sales
        total[2] += part.returns
        total[3] += part.in_transit
        _add(ending, part, by_outcome, by_reason)
    covered = covers(history, window.sales.last, tz)
    return {
        group: OutcomeCounts(
            report=RateReport(
                orders=orders,
                sales=sales,
                returns=returned,
                in_transit=in_transit,
                unmatched=0,
                window=window,
                covered=covered,
            ),
            by_outcome=MappingProxyType(outcomes[group]),
            by_reason=MappingProxyType(reasons[group]),
        )
        for group, (orders, sales, returned, in_transit) in totals.items()
    }


def no_outcomes(window: RedemptionWindow, *, covered: bool) -> OutcomeCounts:
    """Return the counts of a group with no order over `window`: every count 0.

    Not part of the public API.
    """
    return OutcomeCounts(
        report=RateReport(
            orders=0,
            sales=0,
            returns=0,
            in_transit=0,
            unmatched=0,
            window=window,
            covered=covered,
        ),
        by_outcome=MappingProxyType(dict.fromkeys(OUTCOME_KEYS, 0)),
        by_reason=MappingProxyType(dict.fromkeys(ReasonCategory, 0)),
    )


def _add(
    ending: _Ending,
    part: RateReport,
    by_outcome: dict[OutcomeKey, int],
    by_reason: dict[ReasonCategory, int],
) -> None:
    """Add the counts of the orders that ended one way to their group's outcomes and reasons."""
    cancel_kind, cancel_reason, return_kind, return_reason = ending
    if cancel_kind is not None:
        # a cancelled order has no sale: counted, it was cancelled by today
        by_outcome[Outcome.CANCELLED, cancel_kind] += part.orders
        by_reason[cancel_reason or ReasonCategory.UNKNOWN] += part.orders
        return
    by_outcome[Outcome.KEPT, None] += part.sales - part.returns
    by_outcome[Outcome.SOLD_LATE, None] += part.orders - part.sales
    if part.returns:  # then the orders have a return, so a return kind
        by_outcome[Outcome.RETURNED, return_kind] += part.returns
        by_reason[return_reason or ReasonCategory.UNKNOWN] += part.returns


@overload
def outcome_counts(
    history: History,
    period: Period,
    *,
    today: date,
    by: None = None,
    tz: tzinfo = MOSCOW,
) -> dict[None, OutcomeCounts]: ...


@overload
def outcome_counts(
    history: History,
    period: Period,
    *,
    today: date,
    by: Literal["sku", "seller"],
    tz: tzinfo = MOSCOW,
) -> dict[str, OutcomeCounts]: ...


@overload
def outcome_counts(
    history: History,
    period: Period,
    *,
    today: date,
    by: Callable[[Order], K],
    tz: tzinfo = MOSCOW,
) -> dict[K, OutcomeCounts]: ...


def outcome_counts(
    history: History,
    period: Period,
    *,
    today: date,
    by: Literal["sku", "seller"] | Callable[[Order], K] | None = None,
    tz: tzinfo = MOSCOW,
) -> dict[None, OutcomeCounts] | dict[str, OutcomeCounts] | dict[K, OutcomeCounts]:
    """Return how the orders the redemption rate counts over `period` ended, per group.

    The orders are those of `redemption_rate`: placed in the orders window (the period,
    extended into the past to 30 days if shorter) and no longer in transit as of `today`.
    Each ended one way (`Outcome`): kept, returned, sold late, or cancelled. A return of
    kind `ReturnKind.REFUSED_AT_HANDOVER` is a sale and a return here, as in the rate; a
    sale after the sales window is an order not sold (as in Wildberries' "How we calculate
    the Wildberries redemption rate?").

    Args:
        history: the orders, sales and returns.
        period: the period selected.
        today: the day the figures are computed on; later events are not seen.
        by: ``None`` for one group, ``None``, with every order; ``"sku"``, ``"seller"``, or
            a function from an `Order` to its group.
        tz: the zone whose calendar days the windows are made of.

    Returns:
        The counts per group. A group appears when one of its orders was placed in the
        orders window; with ``by=None`` the one group is always there, and its report is
        `redemption_rate`'s, unmatched sales and returns included.

    Raises:
        InvalidPeriodError: the period ends after `today`.
        InvalidArgumentError: `by` is a string other than ``"sku"`` or ``"seller"``.

    Example:
        Four orders in April 2025: one kept, one returned, one sold after its sales
        window closed, one refused at the pick-up point for its size.

        >>> from datetime import date, datetime
        >>> from redemption import (MOSCOW, CancelKind, History, Order, Period, Reason,
        ...                         ReasonCategory, Return, Sale)
        >>> def at(month, day):
        ...     return datetime(2025, month, day, 12, tzinfo=MOSCOW)
        >>> def order(i, **more):
        ...     return Order(order_id=i, seller_id="s", sku="k", price=100, ordered_at=at(4, 2),
        ...                  **more)
        >>> history = History(
        ...     orders=[order("1"), order("2"), order("3"),
        ...             order("4", cancelled_at=at(4, 9), cancel_kind=CancelKind.REFUSED,
        ...                   cancel_reason=Reason(ReasonCategory.SIZE_FIT))],
        ...     sales=[Sale(order_id="1", sold_at=at(4, 6)), Sale(order_id="2", sold_at=at(4, 7)),
        ...            Sale(order_id="3", sold_at=at(6, 5))],
        ...     returns=[Return(order_id="2", returned_at=at(4, 10))],
        ... )
        >>> [counts] = outcome_counts(history, Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                           today=date(2025, 6, 30)).values()
        >>> counts
        OutcomeCounts(rate=0.5000 (2/4), orders=4, in_transit=0, outcomes=(kept=1, returned/unknown=1, sold_late=1, cancelled/refused=1), reasons=(size_fit=1, unknown=1))
        >>> counts.report.rate, counts.not_kept
        (Fraction(1, 2), 2)

    .. versionadded:: 0.2.0
    """  # noqa: E501 - a doctest's output is one line
    key = group_key(by, ("sku", "seller"))
    window = redemption_window(period, today=today)
    warn_beyond_horizon(history, today, tz)
    counts = outcome_counts_in_window(history, window, key=key, tz=tz)
    if by is None:  # one group, there even with no order, and unmatched events counted
        covered = covers(history, window.sales.last, tz)
        found = counts.get(None) or no_outcomes(window, covered=covered)
        unmatched, unmatched_returns = _unmatched(history, window, tz)
        report = attrs.evolve(
            found.report, unmatched=unmatched, unmatched_returns=unmatched_returns
        )
        counts = {None: attrs.evolve(found, report=report)}
    return cast("dict[K, OutcomeCounts]", counts)
