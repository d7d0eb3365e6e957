"""The order-line contract: one line per order, with its sale and return beside it.

Order-line CSV files (`redemption.io`) and frames (`redemption.frames`) hold these columns;
this module is the one place that names them, says what each holds, and turns a history
into lines and a line back into records.

======================  ===================================================================
``order_id``            the order line's id (required)
``seller_id``           the seller's id
``sku``                 the product's id (required)
``buyer_id``            the buyer's id, empty where unknown
``price``               what the buyer pays, in whole **kopecks** (required): ``152050``
``ordered_at``          when the order was placed (required)
``cancelled_at``        when it was cancelled or refused, empty if it was not
``sold_at``             when it was bought out, empty if it was not
``returned_at``         when it was returned, empty if it was not
``cancel_kind``         who or what cancelled it: a `CancelKind` value (``refused``...)
``cancel_reason``       why: a `ReasonCategory` value (``size_fit``...)
``cancel_reason_text``  the marketplace's own words for it
``return_kind``         how it came back: a `ReturnKind` value (``return``...)
``return_reason``       why: a `ReasonCategory` value
``return_reason_text``  the marketplace's own words for it
``delivery_cost``       what the seller paid to carry the unit to the buyer, in **kopecks**
``return_cost``         what the seller paid to carry it back, in **kopecks**
======================  ===================================================================

The six outcome columns are empty where nothing is known, and may be left out
altogether: a cancelled line without a ``cancel_kind`` is `CancelKind.UNKNOWN`, a returned
line without a ``return_kind`` `ReturnKind.UNKNOWN`.

The last two are the order's `Logistics` (`History.logistics`): empty where no cost is
known, which is not a cost of 0. A line with one of them given has the other 0. They may be
left out too, and no figure but what refusals cost (`redemption.analysis.refusal_costs`,
`refusal_cost_series` and `redemption.frames.refusal_costs`) reads them.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Final, TypeVar, overload

from redemption.errors import DataError, InvalidArgumentError, InvalidPriceError
from redemption.history import History
from redemption.model import Logistics, Order, Return, Sale
from redemption.money import ZERO, from_kopecks, to_kopecks
from redemption.outcomes import CancelKind, Reason, ReasonCategory, ReturnKind

__all__ = [
    "COST_COLUMNS",
    "IDS",
    "LINE_COLUMNS",
    "OUTCOME_COLUMNS",
    "REQUIRED",
    "TIMESTAMPS",
    "LineRecords",
    "LineRow",
    "SharedReasons",
    "line_records",
    "line_rows",
    "member",
]

TIMESTAMPS: Final = ("ordered_at", "cancelled_at", "sold_at", "returned_at")
"""The columns that hold instants: time-zone-aware, empty where nothing happened."""

IDS: Final = ("order_id", "seller_id", "sku", "buyer_id")
"""The columns that hold ids."""

OUTCOME_COLUMNS: Final = (
    "cancel_kind",
    "cancel_reason",
    "cancel_reason_text",
    "return_kind",
    "return_reason",
    "return_reason_text",
)
"""The columns that say why an order was not redeemed: kinds, categories and words."""

COST_COLUMNS: Final = ("delivery_cost", "return_cost")
"""The columns that hold the order's logistics, whole kopecks: to the buyer, and back."""

LINE_COLUMNS: Final = (*IDS, "price", *TIMESTAMPS, *OUTCOME_COLUMNS, *COST_COLUMNS)
"""Every column of an order line, in the order lines are written."""

REQUIRED: Final = ("order_id", "sku", "price", "ordered_at")
"""The columns every order-lines file must have."""

LineRow = tuple[
    str,
    str,
    str,
    str | None,
    int,
    datetime,
    datetime | None,
    datetime | None,
    datetime | None,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
    int | None,
    int | None,
]
"""One order line's values, in the order of `LINE_COLUMNS`: price and costs in kopecks,
times UTC, kinds and categories as their values."""

LineRecords = tuple[Order, Sale | None, Return | None, Logistics | None]
"""The records of one line: its order, and its sale, return and logistics where it has
them."""

SharedReasons = dict[tuple[ReasonCategory, str | None], Reason]
"""The reasons made so far, by category and words: kept by a reader across its lines so
that lines with the same reason share one `Reason`."""

_E = TypeVar("_E", bound=enum.Enum)


def _value(member: enum.Enum | None) -> str | None:
    return None if member is None else str(member.value)


def _reason_values(reason: Reason | None) -> tuple[str | None, str | None]:
    return (None, None) if reason is None else (str(reason.category.value), reason.text)


def line_rows(history: History) -> list[LineRow]:
    """Return one row per order of the history, its values in the order of `LINE_COLUMNS`.

    A sale, return or logistics record without its order has no line to go on: rather than
    leave it out, the history is refused.

    Raises:
        InvalidArgumentError: the history has sales, returns or logistics without their
            order.

    Example:
        >>> from redemption.sample import sample_history
        >>> row = line_rows(sample_history()[0])[0]
        >>> dict(zip(LINE_COLUMNS, row))["price"]
        472140
    """
    unmatched = len(history.unmatched_sales) + len(history.unmatched_returns)
    if unmatched:
        msg = (
            f"the history has {unmatched} sales or returns without their order; "
            "order lines have no row for them"
        )
        raise InvalidArgumentError(msg)
    if history.unmatched_logistics:
        msg = (
            f"the history has {len(history.unmatched_logistics)} logistics records without "
            "their order; order lines have no row for them"
        )
        raise InvalidArgumentError(msg)
    lines = history.lines
    returns = {back.order_id: back for back in history.returns}
    logistics = history.logistics
    rows: list[LineRow] = []
    for order, sold_at, returned_at in zip(
        lines.orders, lines.sold_at, lines.returned_at, strict=True
    ):
        back = None if returned_at is None else returns[order.order_id]
        cost = logistics.get(order.order_id) if logistics else None
        rows.append(
            (
                order.order_id,
                order.seller_id,
                order.sku,
                order.buyer_id,
                to_kopecks(order.price),
                order.ordered_at,
                order.cancelled_at,
                sold_at,
                returned_at,
                _value(order.cancel_kind),
                *_reason_values(order.cancel_reason),
                _value(None if back is None else back.kind),
                *_reason_values(None if back is None else back.reason),
                None if cost is None else to_kopecks(cost.to_buyer),
                None if cost is None else to_kopecks(cost.back),
            )
        )
    return rows


@overload
def member(kind: type[_E], value: str, field: str) -> _E: ...


@overload
def member(kind: type[_E], value: None, field: str) -> None: ...


@overload
def member(kind: type[_E], value: str | None, field: str) -> _E | None: ...


def member(kind: type[_E], value: str | None, field: str) -> _E | None:
    """Return the member of the enum `kind` whose value is `value`; `None` for no value.

    Raises:
        DataError: `value` is no member's value; the message names `field` and lists them.

    Example:
        >>> member(CancelKind, "refused", "cancel_kind")
        <CancelKind.REFUSED: 'refused'>
    """
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in kind)
        msg = f"{field} must be one of {allowed}, not {value!r}"
        raise DataError(msg) from None


def _reason(
    category: ReasonCategory | None, text: str | None, field: str, reasons: SharedReasons
) -> Reason | None:
    if category is None:
        if text is not None:
            msg = f"{field}_text is given without {field}, the category it belongs to"
            raise DataError(msg, field=field)
        return None
    key = (category, text)
    reason = reasons.get(key)
    if reason is None:
        reason = reasons[key] = Reason(category, text)
    return reason


def line_records(
    *,
    order_id: str,
    seller_id: str,
    sku: str,
    buyer_id: str | None,
    kopecks: int,
    ordered_at: datetime,
    cancelled_at: datetime | None = None,
    sold_at: datetime | None = None,
    returned_at: datetime | None = None,
    cancel_kind: str | None = None,
    cancel_reason: str | None = None,
    cancel_reason_text: str | None = None,
    return_kind: str | None = None,
    return_reason: str | None = None,
    return_reason_text: str | None = None,
    delivery_cost: int | None = None,
    return_cost: int | None = None,
    reasons: SharedReasons | None = None,
) -> LineRecords:
    """Return the records one order line holds: its order, sale, return and logistics.

    Kinds and categories are given as their values (``"refused"``); `reasons` shares one
    `Reason` between lines with the same category and words, when the caller keeps it
    across lines. The costs are whole kopecks; a line with neither has no `Logistics`, one
    with only one of them has the other 0.

    Raises:
        DataError: a kind or category is no value of its enum, a reason's words come
            without its category, a cost is negative, or the records are invalid (each
            naming the order).
        RecordTypeError: a value has the wrong type.
    """
    shared: SharedReasons = {} if reasons is None else reasons

    def enum_of(kind: type[_E], value: str | None, field: str) -> _E | None:
        try:
            return member(kind, value, field)
        except DataError as error:
            msg = f"order {order_id}: {error}"
            raise DataError(msg, order_id=order_id, field=field) from None

    def reason_of(category: str | None, text: str | None, field: str) -> Reason | None:
        try:
            return _reason(member(ReasonCategory, category, field), text, field, shared)
        except DataError as error:
            msg = f"order {order_id}: {error}"
            raise DataError(msg, order_id=order_id, field=error.field or field) from None

    order = Order(
        order_id=order_id,
        seller_id=seller_id,
        sku=sku,
        buyer_id=buyer_id,
        price=from_kopecks(kopecks),
        ordered_at=ordered_at,
        cancelled_at=cancelled_at,
        cancel_kind=enum_of(CancelKind, cancel_kind, "cancel_kind"),
        cancel_reason=reason_of(cancel_reason, cancel_reason_text, "cancel_reason"),
    )
    sale = None if sold_at is None else Sale(order_id=order_id, sold_at=sold_at)
    cost = None
    if delivery_cost is not None or return_cost is not None:
        cost = Logistics(
            order_id=order_id,
            to_buyer=_cost(order_id, delivery_cost, "delivery_cost"),
            back=_cost(order_id, return_cost, "return_cost"),
        )
    back_kind = enum_of(ReturnKind, return_kind, "return_kind")
    back_reason = reason_of(return_reason, return_reason_text, "return_reason")
    if returned_at is None:
        if back_kind is not None or back_reason is not None:
            msg = f"order {order_id}: a return kind or reason is given, but no returned_at"
            raise DataError(msg, order_id=order_id, field="returned_at")
        return order, sale, None, cost
    back = Return(
        order_id=order_id,
        returned_at=returned_at,
        kind=ReturnKind.UNKNOWN if back_kind is None else back_kind,
        reason=back_reason,
    )
    return order, sale, back, cost


def _cost(order_id: str, kopecks: int | None, field: str) -> Decimal:
    """A cost column's kopecks as roubles; none is 0, a negative one is refused."""
    if kopecks is None:
        return ZERO
    if kopecks < 0:
        msg = f"order {order_id}: {field} {kopecks} is negative: a cost is 0 kopecks or more"
        raise InvalidPriceError(msg, order_id=order_id, field=field)
    return from_kopecks(kopecks)
