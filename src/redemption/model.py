"""The records: orders, their sales and returns, what carrying them cost, buyers and sellers.

Every record is frozen, keyword-only and validated when it is built: a bad field raises an
error that names the record's order id. Timestamps must be aware; each is kept as the UTC
instant it denotes. Prices are `Decimal` roubles with two places.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import NoReturn

import attrs

from redemption._slots import slot_setters
from redemption.dates import is_day, to_utc
from redemption.errors import DataError, EventOrderError, RecordTypeError
from redemption.money import to_money
from redemption.outcomes import CancelKind, Reason, ReturnKind

__all__ = ["Buyer", "Logistics", "Order", "Return", "Sale", "Seller"]


def _check_id(value: object, field: str, order_id: str | None) -> str:
    if type(value) is str and value:
        return value
    where = f"order {order_id}: " if order_id is not None else ""
    msg = f"{where}{field} must be a non-empty str, not {type(value).__name__} {value!r}"
    raise RecordTypeError(msg, order_id=order_id)


def _refuse_type(value: object, kind: type, field: str, order_id: str) -> NoReturn:
    msg = (
        f"order {order_id}: {field} must be a {kind.__name__}, not {type(value).__name__} {value!r}"
    )
    raise RecordTypeError(msg, order_id=order_id)


def _cancellation(
    order_id: str,
    ordered_at: datetime,
    cancelled_at: datetime | None,
    kind: CancelKind | None,
    reason: Reason | None,
) -> tuple[datetime, CancelKind, Reason | None]:
    """Check an order's cancellation: its moment, kind (UNKNOWN if not given) and reason."""
    if cancelled_at is None:
        msg = (
            f"order {order_id}: a cancel kind or reason is given, "
            "but the order was not cancelled (no cancelled_at)"
        )
        raise DataError(msg, order_id=order_id)
    cancelled_at = to_utc(cancelled_at, order_id=order_id, field="cancelled_at")
    if cancelled_at < ordered_at:
        msg = (
            f"order {order_id}: cancelled {cancelled_at.isoformat()} "
            f"before ordered {ordered_at.isoformat()}"
        )
        raise EventOrderError(msg, order_id=order_id)
    if kind is None:
        kind = CancelKind.UNKNOWN
    elif type(kind) is not CancelKind:
        _refuse_type(kind, CancelKind, "cancel_kind", order_id)
    if reason is not None and type(reason) is not Reason:
        _refuse_type(reason, Reason, "cancel_reason", order_id)
    return cancelled_at, kind, reason


_set = object.__setattr__  # records are frozen: their own __init__ sets each field once


@attrs.frozen(init=False, weakref_slot=False)
class Order:
    """One unit of one product (SKU) that a buyer ordered from a seller.

    Wildberries gives each unit its own order line (`srid`), so an order has no quantity.
    An order ends cancelled (by the buyer or the seller, or refused at the pick-up point),
    sold (see `Sale`), or is still in transit.

    Args:
        order_id: the order line's id (Wildberries `srid`).
        seller_id: the seller's id.
        sku: the product's id (Wildberries `nmId`, or the seller's article).
        price: what the buyer pays: `Decimal`, `int` or a decimal `str`, kept as `Decimal`
            roubles with two places; a `float` is refused.
        ordered_at: when the order was placed; aware.
        buyer_id: the buyer's id, where the source has one (seller reports carry none).
        cancelled_at: when the order was cancelled or refused, if it was; aware.
        cancel_kind: who or what cancelled it; a cancelled order whose kind is not given
            has `CancelKind.UNKNOWN`, an order that was not cancelled has `None`.
        cancel_reason: why it was cancelled, where the source says.

    Raises:
        RecordTypeError: a field has the wrong type (a float price, a non-string id).
        NaiveTimestampError: a timestamp has no time zone.
        InvalidPriceError: the price is negative or not a number.
        EventOrderError: the order was cancelled before it was placed.
        DataError: a cancel kind or reason is given for an order that was not cancelled.

    Example:
        >>> from datetime import datetime
        >>> from redemption import MOSCOW
        >>> o = Order(order_id="srid-1", seller_id="shop", sku="nm-42", price="1520.5",
        ...           ordered_at=datetime(2025, 4, 1, 10, 30, tzinfo=MOSCOW))
        >>> o.price, o.ordered_at.isoformat()
        (Decimal('1520.50'), '2025-04-01T07:30:00+00:00')

    .. versionadded:: 0.1.0
    """

    order_id: str
    seller_id: str
    sku: str
    price: Decimal
    ordered_at: datetime
    buyer_id: str | None
    cancelled_at: datetime | None
    cancel_kind: CancelKind | None
    cancel_reason: Reason | None

    def __init__(
        self,
        *,
        order_id: str,
        seller_id: str,
        sku: str,
        price: Decimal | int | str,
        ordered_at: datetime,
        buyer_id: str | None = None,
        cancelled_at: datetime | None = None,
        cancel_kind: CancelKind | None = None,
        cancel_reason: Reason | None = None,
    ) -> None:
        """Validate every field, naming the order in any error."""
        # checked inline, the checkers called only to refuse, and each slot set by its own
        # setter (`slot_setters`): a history makes a million
        if type(order_id) is not str or not order_id:
            _check_id(order_id, "order_id", None)
        _set_order_id(self, order_id)
        if type(seller_id) is not str or not seller_id:
            _check_id(seller_id, "seller_id", order_id)
        _set_seller_id(self, seller_id)
        if type(sku) is not str or not sku:
            _check_id(sku, "sku", order_id)
        _set_sku(self, sku)
        _set_price(self, to_money(price, order_id=order_id))
        if type(ordered_at) is not datetime or ordered_at.tzinfo is not UTC:
            ordered_at = to_utc(ordered_at, order_id=order_id, field="ordered_at")
        _set_ordered_at(self, ordered_at)
        if buyer_id is not None and (type(buyer_id) is not str or not buyer_id):
            _check_id(buyer_id, "buyer_id", order_id)
        _set_buyer_id(self, buyer_id)
        if cancelled_at is not None or cancel_kind is not None or cancel_reason is not None:
            cancelled_at, cancel_kind, cancel_reason = _cancellation(
                order_id, ordered_at, cancelled_at, cancel_kind, cancel_reason
            )
        _set_cancelled_at(self, cancelled_at)
        _set_cancel_kind(self, cancel_kind)
        _set_cancel_reason(self, cancel_reason)

    @property
    def cancelled(self) -> bool:
        """Whether the order was cancelled or refused (at any time)."""
        return self.cancelled_at is not None


@attrs.frozen(init=False, weakref_slot=False)
class Sale:
    """The buyer paid for and took an order: its redemption (выкуп).

    Args:
        order_id: the order sold.
        sold_at: when it was sold; aware.

    Example:
        >>> from datetime import datetime, UTC
        >>> Sale(order_id="srid-1", sold_at=datetime(2025, 4, 3, 12, tzinfo=UTC)).order_id
        'srid-1'

    .. versionadded:: 0.1.0
    """

    order_id: str
    sold_at: datetime

    def __init__(self, *, order_id: str, sold_at: datetime) -> None:
        """Validate the fields, naming the order in any error."""
        if type(order_id) is not str or not order_id:
            _check_id(order_id, "order_id", None)
        _set_sale_id(self, order_id)
        if type(sold_at) is not datetime or sold_at.tzinfo is not UTC:
            sold_at = to_utc(sold_at, order_id=order_id, field="sold_at")
        _set_sold_at(self, sold_at)


@attrs.frozen(init=False, weakref_slot=False)
class Return:
    """A sold order brought back by the buyer.

    Args:
        order_id: the order returned.
        returned_at: when it was returned; aware.
        kind: how it came back: after the purchase, or refused at handover where the
            source reports a refusal as a return; `ReturnKind.UNKNOWN` if not given.
        reason: why, where the source says.

    Example:
        >>> from datetime import datetime, UTC
        >>> Return(order_id="srid-1", returned_at=datetime(2025, 4, 9, tzinfo=UTC)).order_id
        'srid-1'

    .. versionadded:: 0.1.0
    """

    order_id: str
    returned_at: datetime
    kind: ReturnKind
    reason: Reason | None

    def __init__(
        self,
        *,
        order_id: str,
        returned_at: datetime,
        kind: ReturnKind = ReturnKind.UNKNOWN,
        reason: Reason | None = None,
    ) -> None:
        """Validate the fields, naming the order in any error."""
        if type(order_id) is not str or not order_id:
            _check_id(order_id, "order_id", None)
        _set_return_id(self, order_id)
        if type(returned_at) is not datetime or returned_at.tzinfo is not UTC:
            returned_at = to_utc(returned_at, order_id=order_id, field="returned_at")
        _set_returned_at(self, returned_at)
        if type(kind) is not ReturnKind:  # checked inline: a history makes a million
            _refuse_type(kind, ReturnKind, "kind", order_id)
        _set_kind(self, kind)
        if reason is not None and type(reason) is not Reason:
            _refuse_type(reason, Reason, "reason", order_id)
        _set_reason(self, reason)


@attrs.frozen(init=False, weakref_slot=False)
class Logistics:
    """What the seller paid to carry one order's unit: to the buyer, and back.

    It is the seller's cost, not part of the `Order`: a history holds at most one per order
    (see `History.logistics`), and no figure of the redemption rate, ransom amount or buyer
    reads it. `redemption.analysis.refusal_costs` does: the logistics paid for the units
    refused or returned, beside the revenue of the units kept.

    Args:
        order_id: the order the unit belongs to.
        to_buyer: the cost of the legs carrying the unit to the buyer, whether it was then
            bought or not; roubles as for `Order.price`: `Decimal`, `int` or a decimal
            `str`, kept with two places.
        back: the cost of the legs carrying it back to the seller, refused or returned; 0
            where it did not come back.

    Raises:
        RecordTypeError: a field has the wrong type (a float amount, a non-string id).
        InvalidPriceError: an amount is negative or not a number; the message names the
            order and the field.

    Example:
        >>> Logistics(order_id="srid-1", to_buyer="50.5", back=48)
        Logistics(order_id='srid-1', to_buyer=Decimal('50.50'), back=Decimal('48.00'))
        >>> Logistics(order_id="srid-1", to_buyer=50, back=0).paid
        Decimal('50.00')

    .. versionadded:: 0.2.0
    """

    order_id: str
    to_buyer: Decimal
    back: Decimal

    def __init__(
        self, *, order_id: str, to_buyer: Decimal | int | str, back: Decimal | int | str
    ) -> None:
        """Validate the fields, naming the order in any error."""
        if type(order_id) is not str or not order_id:
            _check_id(order_id, "order_id", None)
        _set(self, "order_id", order_id)
        _set(self, "to_buyer", to_money(to_buyer, order_id=order_id, field="to_buyer"))
        _set(self, "back", to_money(back, order_id=order_id, field="back"))

    @property
    def paid(self) -> Decimal:
        """Both ways together: ``to_buyer + back``."""
        return self.to_buyer + self.back


@attrs.frozen(init=False)
class Buyer:
    """A marketplace buyer, known by id.

    Example:
        >>> Buyer(buyer_id="b-7").buyer_id
        'b-7'

    .. versionadded:: 0.1.0
    """

    buyer_id: str

    def __init__(self, *, buyer_id: str) -> None:
        """Check the id."""
        _set(self, "buyer_id", _check_id(buyer_id, "buyer_id", None))


@attrs.frozen(init=False)
class Seller:
    """A marketplace seller (a shop), known by id, with what is known of its standing.

    The optional fields are what Ozon's trusted-seller rule looks at (see
    `redemption.ozon.trusted_seller`); `None` means unknown, not "no".

    Args:
        seller_id: the seller's id.
        registered_on: the day the seller registered on the platform, in the business zone.
        contract_e_signed: whether the contract is verified with an electronic signature.
        ozon_bank_payouts: whether the platform's payouts go to an Ozon Bank account.

    Raises:
        RecordTypeError: the id is not a non-empty str, `registered_on` is not a `date` (a
            `datetime` is refused: it is an instant, not a day), or a flag is not a `bool`;
            the message names the seller.

    Example:
        >>> from datetime import date
        >>> Seller(seller_id="shop").seller_id
        'shop'
        >>> Seller(seller_id="shop", registered_on=date(2025, 1, 10), ozon_bank_payouts=True)
        Seller(seller_id='shop', registered_on=datetime.date(2025, 1, 10), contract_e_signed=None, ozon_bank_payouts=True)

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       `registered_on`, `contract_e_signed` and `ozon_bank_payouts`.
    """  # noqa: E501 - a doctest's output is one line

    seller_id: str
    registered_on: date | None
    contract_e_signed: bool | None
    ozon_bank_payouts: bool | None

    def __init__(
        self,
        *,
        seller_id: str,
        registered_on: date | None = None,
        contract_e_signed: bool | None = None,
        ozon_bank_payouts: bool | None = None,
    ) -> None:
        """Check the id and the types of what is known, naming the seller in any error."""
        seller_id = _check_id(seller_id, "seller_id", None)
        _set(self, "seller_id", seller_id)
        if registered_on is not None and not is_day(registered_on):
            _refuse_seller(registered_on, "registered_on", "a date or None", seller_id)
        _set(self, "registered_on", registered_on)
        for field, flag in (
            ("contract_e_signed", contract_e_signed),
            ("ozon_bank_payouts", ozon_bank_payouts),
        ):
            if flag is not None and type(flag) is not bool:
                _refuse_seller(flag, field, "a bool or None", seller_id)
            _set(self, field, flag)


_new = object.__new__

(
    _set_order_id,
    _set_seller_id,
    _set_sku,
    _set_price,
    _set_ordered_at,
    _set_buyer_id,
    _set_cancelled_at,
    _set_cancel_kind,
    _set_cancel_reason,
) = slot_setters(
    Order,
    "order_id",
    "seller_id",
    "sku",
    "price",
    "ordered_at",
    "buyer_id",
    "cancelled_at",
    "cancel_kind",
    "cancel_reason",
)
_set_sale_id, _set_sold_at = slot_setters(Sale, "order_id", "sold_at")
_set_return_id, _set_returned_at, _set_kind, _set_reason = slot_setters(
    Return, "order_id", "returned_at", "kind", "reason"
)


def _checked_order(
    *,
    order_id: str,
    seller_id: str,
    sku: str,
    price: Decimal,
    ordered_at: datetime,
    cancelled_at: datetime | None,
    cancel_kind: CancelKind | None,
) -> Order:
    """The `Order` of fields an importer has checked as `Order` checks them, with no buyer.

    Ids are non-empty `str`, `price` is `to_money`'s, the moments are in `datetime.UTC`,
    `cancelled_at` is not before `ordered_at`, and `cancel_kind` is given with it: the
    order is the one `Order` makes of them, made without checking them again. For an
    importer's rows only; the public constructor checks everything it is given.
    """
    order = _new(Order)
    _set_order_id(order, order_id)
    _set_seller_id(order, seller_id)
    _set_sku(order, sku)
    _set_price(order, price)
    _set_ordered_at(order, ordered_at)
    _set_buyer_id(order, None)
    _set_cancelled_at(order, cancelled_at)
    _set_cancel_kind(order, cancel_kind)
    _set_cancel_reason(order, None)
    return order


def _checked_sale(order_id: str, sold_at: datetime) -> Sale:
    """The `Sale` of a non-empty id and a moment in `datetime.UTC`, as `_checked_order`."""
    sale = _new(Sale)
    _set_sale_id(sale, order_id)
    _set_sold_at(sale, sold_at)
    return sale


def _checked_return(order_id: str, returned_at: datetime, kind: ReturnKind) -> Return:
    """The `Return` of checked fields and no reason, as `_checked_order`."""
    back = _new(Return)
    _set_return_id(back, order_id)
    _set_returned_at(back, returned_at)
    _set_kind(back, kind)
    _set_reason(back, None)
    return back


def _refuse_seller(value: object, field: str, kind: str, seller_id: str) -> NoReturn:
    msg = f"seller {seller_id}: {field} must be {kind}, not {type(value).__name__} {value!r}"
    raise RecordTypeError(msg)
