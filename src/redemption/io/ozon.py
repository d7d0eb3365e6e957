"""Ozon Seller API posting lists (FBO and FBS), and the returns list.

The posting lists of ``/v3/posting/fbo/list`` and ``/v4/posting/fbs/list``, and of the
endpoints they replace (switched off on 31 August 2026), ``/v2/posting/fbo/list`` and
``/v3/posting/fbs/list``, in any mix, and the returns of ``/v1/returns/list``. The new lists
hold their postings in ``{"postings": [...], "cursor": ..., "has_next": ...}``, the old
ones in ``{"result": [...]}`` (FBO) and ``{"result": {"postings": [...]}}`` (FBS).

A posting is one shipment of one order; its ``products`` say how many units of each SKU it
holds. Each unit becomes its own `Order`, known as ``posting_number/sku/n`` for ``n`` from 1
to the product's ``quantity``, priced at ``products[].price``, placed at ``in_process_at``.
The old lists write that price as a decimal (``"1530.0000"``), the new ones as an amount
and its currency (``{"amount": "12990.00", "currency": "RUB"}``); only roubles are read.

The posting's ``status`` is every unit's outcome: ``delivered`` is sold, any status
starting with ``cancelled`` is cancelled, and every other status is still in transit.
A posting list says when a posting was delivered only in some fields, and never when it was
cancelled, so the import is given ``as_of``, the moment the lists were downloaded:

- a delivered unit is sold at the FBS ``pickup_code_verified_at`` (in both FBS lists), or
  at the latest ``additional_data[].delivery_time`` of the old FBO list; a posting with
  neither is dated at ``as_of``, or at its first return when that is earlier (a unit is
  sold before it comes back). The new FBO list documents no such moment (its
  ``additional_data`` holds ``key``/``value`` pairs): its deliveries are always dated so;
- a cancelled unit is cancelled at ``as_of``.

Those outcomes are dated no earlier than they happened, never later than ``as_of``, and
they are found again by their instant: a sale or cancellation at exactly ``as_of`` is
undated (see `read_ozon_postings`). A moment after ``as_of``, or before the posting was placed,
is a bad row.

A cancelled posting's ``cancellation`` says who cancelled it: ``cancellation_type``
``client`` or ``customer`` is `CancelKind.BUYER`, ``seller`` `CancelKind.SELLER`, ``ozon``,
``system`` and ``delivery`` `CancelKind.MARKETPLACE` (where the type is empty, the
``cancellation_initiator`` says the same in words), and ``cancel_reason_id`` 665 ("Покупатель
не забрал заказ") `CancelKind.NOT_COLLECTED`; its ``cancel_reason`` is the reason, read
through the reasons table. A posting with neither is `CancelKind.UNKNOWN`.

A return of ``ClientReturn``, ``FullReturn`` or ``PartialReturn`` type returns
``product.quantity`` units of its posting's SKU at ``logistic.return_date``, taking the
units not yet returned in turn: ``ClientReturn`` is `ReturnKind.RETURN`, a full or partial
refusal at handover of a delivered posting `ReturnKind.REFUSED_AT_HANDOVER`, each with its
``return_reason_name`` as the reason. A full or partial refusal of a posting that is
cancelled is no return: it tells the cancelled units they were refused
(`CancelKind.REFUSED`, where the posting said the buyer or nobody cancelled them) and why.
A ``Cancellation`` (cancelled before delivery) and an ``Unknown`` return are skipped, each
with its reason.

A posting repeated on a later page (the same ``posting_number``) and a return repeated (the
same ``id``) are merged: the later one wins.

What carrying the units cost (`Logistics`) is read where a posting's
``financial_data.products[]`` has ``item_services`` (the older lists had them; the current
ones' examples do not): ``marketplace_service_item_direct_flow_trans`` and
``..._deliv_to_customer`` to the buyer, ``..._return_flow_trans``,
``..._return_after_deliv_to_customer`` and ``..._return_not_deliv_to_customer`` back. Ozon
writes each charge as a negative amount: its absolute value is the cost. A product's
charges (matched to the posting's product by ``product_id``, the SKU) are divided across
the posting's units of that SKU in turn, to the kopeck, the first units taking the odd
kopecks. A product whose services charge nothing gives its units no logistics: a posting
not yet charged says 0, and 0 is not known to be the cost. Anywhere else, no logistics.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import attrs

from redemption.errors import (
    ArgumentTypeError,
    InvalidArgumentError,
    shown,
)
from redemption.history import History
from redemption.io.limits import DEFAULT_LIMITS, Limits
from redemption.io.report import (
    BadRow,
    Errors,
    ImportReport,
    Origins,
    Progress,
    RowTally,
    Source,
    amount_field,
    import_report,
    in_utc_range,
    price_field,
    read_wrapped_rows,
    sifted_history,
    text_field,
    whole_number,
    words_field,
)
from redemption.model import Logistics, Order, Return, Sale
from redemption.money import from_kopecks, to_kopecks, to_money
from redemption.outcomes import CancelKind, Reason, ReturnKind
from redemption.reasons import Reasons, ReasonWords

__all__ = [
    "posting_items",
    "posting_of",
    "postings_history",
    "read_ozon_postings",
    "return_items",
]

_Document = Source | Mapping[str, Any]
"""One page: a JSON file's path, its bytes, or the parsed response or array."""

_ROUBLES = "RUB"
_DELIVERED = "delivered"
_CANCELLED = "cancelled"
_REFUSALS = frozenset({"FullReturn", "PartialReturn"})  # refused at delivery
_NOT_A_RETURN = "Cancellation"
_UNSET_IDS = (None, "", 0, "0")  # Ozon writes an unset int64 as 0
_RFC3339 = re.compile(
    r"(\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d)(?:\.(\d+))?([Zz]|[+-]\d\d:\d\d)",
)

_Outcome = Literal["sold", "cancelled", "open"]

_CANCEL_KINDS = {
    "client": CancelKind.BUYER,
    "customer": CancelKind.BUYER,
    "seller": CancelKind.SELLER,
    "ozon": CancelKind.MARKETPLACE,
    "system": CancelKind.MARKETPLACE,
    "delivery": CancelKind.MARKETPLACE,
}
"""``cancellation.cancellation_type`` -> who cancelled."""
_INITIATORS = {
    "клиент": CancelKind.BUYER,
    "покупатель": CancelKind.BUYER,
    "продавец": CancelKind.SELLER,
    "ozon": CancelKind.MARKETPLACE,
    "система": CancelKind.MARKETPLACE,
    "служба доставки": CancelKind.MARKETPLACE,
}
"""``cancellation.cancellation_initiator`` (lower case) -> who cancelled, where no type is."""
_NOT_COLLECTED_ID = "665"
"""``cancel_reason_id`` "Покупатель не забрал заказ": left at the pick-up point."""
_RETURN_KINDS = {
    "ClientReturn": ReturnKind.RETURN,
    "FullReturn": ReturnKind.REFUSED_AT_HANDOVER,
    "PartialReturn": ReturnKind.REFUSED_AT_HANDOVER,
}
"""The returns list's ``type`` of a delivered unit -> how it came back."""


@attrs.frozen
class _Kind:
    """One kind of document: how to find its items, and the fields that tell it apart."""

    what: str
    expected: str
    required: tuple[str, ...]
    items: Callable[[object], object]


def posting_items(document: object) -> object:
    """The postings of a posting list's response (the document itself if it is an array)."""
    if not isinstance(document, dict):
        return document
    if "result" not in document:
        return document.get("postings")  # /v3/posting/fbo/list, /v4/posting/fbs/list
    result = document["result"]
    if isinstance(result, dict):
        return result.get("postings")  # /v3/posting/fbs/list
    return result  # /v2/posting/fbo/list


def return_items(document: object) -> object:
    """The returns of a returns list's response (the document itself if it is an array)."""
    return document.get("returns") if isinstance(document, dict) else document


_POSTINGS = _Kind(
    what="an Ozon posting list",
    expected=(
        'an Ozon posting list: {"postings": [...]} (FBO v3, FBS v4), {"result": [...]} '
        '(FBO v2), {"result": {"postings": [...]}} (FBS v3) or an array of postings'
    ),
    required=("posting_number", "products"),
    items=posting_items,
)
_RETURN_LIST = _Kind(
    what="an Ozon returns list",
    expected='an Ozon returns list: {"returns": [...]} or an array of returns',
    required=("posting_number", "product"),
    items=return_items,
)


def _rows(source: _Document, kind: _Kind, limits: Limits) -> tuple[str, list[dict[str, Any]]]:
    """Return the name of a source and its items, refusing a document of another kind."""
    return read_wrapped_rows(
        source,
        rows_of=kind.items,
        required=kind.required,
        what=kind.what,
        expected=kind.expected,
        limits=limits,
    )


def _object(value: object, field: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    reason = "missing" if value is None else f"expected an object, found {shown(value)}"
    raise BadRow(field=field, reason=reason)


def _count(value: object, field: str, limits: Limits) -> int:
    """Read a number of units: a whole number (`whole_number`), from 1 to the limit.

    Each unit becomes an `Order`: more than ``Limits.max_units_per_row`` is a bad row.
    """
    count = whole_number(value)
    if count is not None:
        most = limits.max_units_per_row
        if count > most:
            reason = f"{shown(value)} units of one product, more than the {most:,} allowed"
            raise BadRow(field=field, reason=f"{reason} (Limits.max_units_per_row)")
        if count > 0:
            return count
    raise BadRow(field=field, reason=f"expected a whole number of units, found {shown(value)}")


def _moment(value: object, field: str) -> datetime:
    """Read an RFC 3339 timestamp; digits past the microsecond are dropped."""
    text = text_field(value, field)
    match = _RFC3339.fullmatch(text) if text.isascii() else None
    if match is None:
        reason = f"not a date and time with its UTC offset: {shown(text)}"
        raise BadRow(field=field, reason=reason)
    moment, fraction, offset = match.groups()
    micro = (fraction or "")[:6].ljust(6, "0")
    offset = "+00:00" if offset in {"Z", "z"} else offset
    try:
        at = datetime.fromisoformat(f"{moment[:10]}T{moment[11:]}.{micro}{offset}")
    except ValueError:
        raise BadRow(field=field, reason=f"not a date and time: {shown(text)}") from None
    return in_utc_range(at, field)


def _within(at: datetime, field: str, ordered_at: datetime, as_of: datetime) -> datetime:
    """Refuse a moment after the download, or before the posting was placed."""
    if at > as_of:
        reason = f"{at.isoformat()} is after as_of {as_of.isoformat()}, when the list was read"
        raise BadRow(field=field, reason=reason)
    if at < ordered_at:
        reason = f"{at.isoformat()} is before in_process_at {ordered_at.isoformat()}"
        raise BadRow(field=field, reason=reason)
    return at


def _delivered_at(row: dict[str, Any]) -> tuple[datetime, str] | None:
    """Return the documented moment a posting was delivered, and its field, if it has one."""
    verified = row.get("pickup_code_verified_at")
    if verified not in (None, ""):
        return _moment(verified, "pickup_code_verified_at"), "pickup_code_verified_at"
    extra = row.get("additional_data")
    field = "additional_data.delivery_time"
    times = [
        _moment(item["delivery_time"], field)
        for item in (extra if isinstance(extra, list) else ())
        if isinstance(item, dict) and item.get("delivery_time") not in (None, "")
    ]
    return (max(times), field) if times else None


def _buyer(customer: object) -> str | None:
    if not isinstance(customer, dict) or customer.get("customer_id") in _UNSET_IDS:
        return None
    return text_field(customer["customer_id"], "customer.customer_id")


def _plain(value: object) -> str:
    """A field's text, or a whole number's digits (one too long to write is no text)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**18:
        return str(value)
    return ""


def _cancellation(row: dict[str, Any]) -> tuple[CancelKind, str | None]:
    """Who cancelled a posting, and its words for why, from its ``cancellation``."""
    cancellation = row.get("cancellation")
    if not isinstance(cancellation, dict):
        return CancelKind.UNKNOWN, None
    words = words_field(cancellation.get("cancel_reason"), "cancellation.cancel_reason")
    reason_id = cancellation.get("cancel_reason_id")
    if isinstance(reason_id, int | str) and _plain(reason_id) == _NOT_COLLECTED_ID:
        return CancelKind.NOT_COLLECTED, words
    kind = _CANCEL_KINDS.get(_plain(cancellation.get("cancellation_type")).lower())
    if kind is None:
        initiator = _plain(cancellation.get("cancellation_initiator")).lower()
        kind = _INITIATORS.get(initiator, CancelKind.UNKNOWN)
    return kind, words


def _outcome(status: str) -> _Outcome:
    if status == _DELIVERED:
        return "sold"
    return "cancelled" if status.startswith(_CANCELLED) else "open"


@attrs.frozen
class _Posting:
    """One posting read: its units as orders, by SKU, and its outcome."""

    number: str
    status: str
    outcome: _Outcome
    ordered_at: datetime
    delivered_at: datetime | None  # the documented moment, if any
    units: dict[str, list[Order]]
    cancel_words: str | None  # why it was cancelled, in Ozon's words, read once it is kept
    rounded: int  # products whose price (or logistics) was given more finely than a kopeck
    logistics: list[Logistics]  # of the units whose product's item_services charge them


_TO_BUYER_SERVICES = (
    "marketplace_service_item_direct_flow_trans",
    "marketplace_service_item_deliv_to_customer",
)
"""The ``item_services`` that carry a unit to the buyer: the trunk, and the last mile."""
_BACK_SERVICES = (
    "marketplace_service_item_return_flow_trans",
    "marketplace_service_item_return_after_deliv_to_customer",
    "marketplace_service_item_return_not_deliv_to_customer",
)
"""The ``item_services`` that carry it back: the return trunk, and the return of a unit
delivered, or not delivered, to the buyer."""


def _services(item: dict[str, Any], position: int) -> tuple[str, Decimal, Decimal] | None:
    """What a ``financial_data`` product's ``item_services`` charge for carrying it.

    Returns its SKU (``product_id``) and the charges to the buyer and back; `None` where
    they charge nothing. Ozon writes a charge as a negative amount: each is taken as its
    absolute value.
    """
    services = item.get("item_services")
    if not isinstance(services, dict):
        return None
    where = "financial_data.products.item_services"
    legs = [Decimal(0), Decimal(0)]
    for leg, names in enumerate((_TO_BUYER_SERVICES, _BACK_SERVICES)):
        for service in names:
            value = services.get(service)
            if value is not None:
                legs[leg] += abs(amount_field(value, f"{where}.{service}"))
    if not any(legs):  # a posting not yet charged for them: no cost known, which is not 0
        return None
    try:
        sku = text_field(item.get("product_id"), "financial_data.products.product_id")
    except BadRow as bad:
        raise BadRow(field=bad.field, reason=f"product {position}: {bad.reason}") from None
    return sku, legs[0], legs[1]


def _shares(total: Decimal, units: int) -> list[Decimal]:
    """`total` divided across `units` in turn, to the kopeck: the first ones take the rest."""
    kopecks = to_kopecks(total)
    each, rest = divmod(kopecks, units)
    return [from_kopecks(each + (n < rest)) for n in range(units)]


def _posting_logistics(
    row: dict[str, Any], units: dict[str, list[Order]]
) -> tuple[list[Logistics], int]:
    """The logistics of a posting's units, from ``financial_data.products[].item_services``.

    Each product's charges are divided across the posting's units of its SKU, in turn.
    Returns them, and how many amounts were given more finely than a kopeck.
    """
    financial = row.get("financial_data")
    products = financial.get("products") if isinstance(financial, dict) else None
    if not isinstance(products, list):
        return [], 0
    charged: dict[str, list[Decimal]] = {}
    for position, item in enumerate(products, 1):
        services = _services(item, position) if isinstance(item, dict) else None
        if services is None:
            continue
        sku, to_buyer, back = services
        if sku not in units:
            reason = (
                f"product {position}: product_id {sku} is none of the posting's SKUs "
                f"({', '.join(units)}): its logistics have no unit to go on"
            )
            raise BadRow(field="financial_data.products.product_id", reason=reason)
        legs = charged.setdefault(sku, [Decimal(0), Decimal(0)])
        legs[0] += to_buyer
        legs[1] += back
    made: list[Logistics] = []
    rounded = 0
    field = "financial_data.products.item_services"
    for sku, (to_buyer, back) in charged.items():
        exact = (to_money(to_buyer, field=field), to_money(back, field=field))
        rounded += (exact[0] != to_buyer) + (exact[1] != back)
        orders = units[sku]
        made.extend(
            Logistics(order_id=order.order_id, to_buyer=there, back=returned)
            for order, there, returned in zip(
                orders,
                _shares(exact[0], len(orders)),
                _shares(exact[1], len(orders)),
                strict=True,
            )
        )
    return made, rounded


def _roubles(currency: object, field: str) -> None:
    """Refuse a price in another currency; a price that names none is taken as roubles."""
    if currency is not None and str(currency).strip() != _ROUBLES:
        reason = f"the price is in {currency!r}; only roubles ({_ROUBLES}) are read"
        raise BadRow(field=field, reason=reason)


def _price(value: object) -> Decimal:
    """Read a price: a decimal (old lists), or an amount and its currency (new lists)."""
    if not isinstance(value, dict):
        return price_field(value, "products.price")
    field = "products.price.currency"
    _roubles(words_field(value.get("currency"), field), field)
    return price_field(value.get("amount"), "products.price.amount")


def _product(product: object, limits: Limits) -> tuple[str, Decimal, int]:
    item = _object(product, "products")
    field = "products.currency_code"
    _roubles(words_field(item.get("currency_code"), field), field)
    return (
        text_field(item.get("sku"), "products.sku"),
        _price(item.get("price")),
        _count(item.get("quantity"), "products.quantity", limits),
    )


def _posting(row: dict[str, Any], as_of: datetime, seller_id: str, limits: Limits) -> _Posting:
    number = text_field(row.get("posting_number"), "posting_number")
    status = text_field(row.get("status"), "status")
    outcome = _outcome(status)
    ordered_at = _moment(row.get("in_process_at"), "in_process_at")
    if ordered_at > as_of:
        reason = f"{ordered_at.isoformat()} is after as_of {as_of.isoformat()}"
        raise BadRow(field="in_process_at", reason=reason)
    delivered_at = None
    if outcome == "sold" and (documented := _delivered_at(row)) is not None:
        delivered_at = _within(*documented, ordered_at, as_of)
    buyer_id = _buyer(row.get("customer"))
    cancel_kind, cancel_words = _cancellation(row) if outcome == "cancelled" else (None, None)
    products = row.get("products")
    if not isinstance(products, list) or not products:
        raise BadRow(field="products", reason=f"expected a list of products, found {products!r}")
    units: dict[str, list[Order]] = {}
    rounded = 0
    for position, product in enumerate(products, 1):
        try:
            sku, price, quantity = _product(product, limits)
        except BadRow as bad:
            raise BadRow(field=bad.field, reason=f"product {position}: {bad.reason}") from None
        made = units.setdefault(sku, [])  # one SKU twice: its units are numbered on
        made.extend(
            Order(
                order_id=f"{number}/{sku}/{n}",
                seller_id=seller_id,
                sku=sku,
                price=price,
                ordered_at=ordered_at,
                buyer_id=buyer_id,
                cancelled_at=as_of if outcome == "cancelled" else None,
                cancel_kind=cancel_kind,
            )
            for n in range(len(made) + 1, len(made) + quantity + 1)
        )
        rounded += bool(made) and made[-1].price != price
    logistics, finer = _posting_logistics(row, units)
    return _Posting(
        number,
        status,
        outcome,
        ordered_at,
        delivered_at,
        units,
        cancel_words,
        rounded + finer,
        logistics,
    )


@attrs.frozen
class _Returned:
    """One return read: units of one SKU of one posting, back at one moment."""

    posting: str
    sku: str
    quantity: int
    kind: str
    at: datetime
    words: str | None  # why, in Ozon's words, read once the return is used


def _return(row: dict[str, Any], as_of: datetime, limits: Limits) -> tuple[str, _Returned] | str:
    """Return a return item's id and what it returns, or the reason to skip it."""
    kind = text_field(row.get("type"), "type")
    if kind == _NOT_A_RETURN:
        return "a cancellation before delivery, not a return: the posting says it is cancelled"
    if kind not in _RETURN_KINDS:
        return f"return type {kind!r} is not a return of a delivered unit"
    product = _object(row.get("product"), "product")
    logistic = _object(row.get("logistic"), "logistic")
    at = _moment(logistic.get("return_date"), "logistic.return_date")
    if at > as_of:
        reason = f"{at.isoformat()} is after as_of {as_of.isoformat()}, when the lists were read"
        raise BadRow(field="logistic.return_date", reason=reason)
    return text_field(row.get("id"), "id"), _Returned(
        posting=text_field(row.get("posting_number"), "posting_number"),
        sku=text_field(product.get("sku"), "product.sku"),
        quantity=_count(product.get("quantity"), "product.quantity", limits),
        kind=kind,
        at=at,
        words=words_field(row.get("return_reason_name"), "return_reason_name"),
    )


def _download_moment(as_of: object) -> datetime:
    if not isinstance(as_of, datetime):
        msg = f"as_of must be a datetime, not {type(as_of).__name__} {as_of!r}"
        raise ArgumentTypeError(msg)
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        msg = (
            f"as_of {as_of.isoformat()} has no time zone: give the moment the lists were "
            "downloaded as an aware datetime, such as datetime.now(UTC)"
        )
        raise InvalidArgumentError(msg)
    try:
        return as_of.astimezone(UTC)
    except OverflowError:
        msg = f"as_of {as_of.isoformat()} is not a moment UTC can hold"
        raise InvalidArgumentError(msg) from None


class _Matcher:
    """Give each return the units of its posting not yet returned, in turn."""

    def __init__(self, postings: dict[str, _Posting], tally: RowTally, reasons: Reasons) -> None:
        self.postings = postings
        self.tally = tally
        self.reasons = reasons
        self.taken: dict[tuple[str, str], int] = {}
        self.first_return: dict[str, datetime] = {}
        self.returns: list[Return] = []
        self.origins: Origins = {}  # each return's row, to name in a conflict

    def match(self, returned: _Returned, name: str, number: int) -> None:
        """Make the return's `Return`s (or mark its cancelled units refused); or skip it."""
        try:
            skip = self.check(returned)
        except BadRow as bad:
            self.tally.problem(name, number, bad.field, bad.reason)
            return
        if skip is not None:
            self.tally.skip(name, number, skip)
            return
        line = (returned.posting, returned.sku)
        first = self.taken.get(line, 0) + 1
        self.taken[line] = first + returned.quantity - 1
        units = range(first, first + returned.quantity)
        self.tally.used += 1
        reason = self.reasons.reason(returned.words)
        posting = self.postings.get(returned.posting)
        if posting is not None and posting.outcome == "cancelled":
            self.refused(posting, returned.sku, units, reason)
            return
        made = [
            Return(
                order_id=f"{returned.posting}/{returned.sku}/{n}",
                returned_at=returned.at,
                kind=_RETURN_KINDS[returned.kind],
                reason=reason,
            )
            for n in units
        ]
        self.returns.extend(made)
        self.origins.update((id(back), (self.tally, name, number)) for back in made)
        known = self.first_return.get(returned.posting)
        self.first_return[returned.posting] = (
            returned.at if known is None else min(known, returned.at)
        )

    @staticmethod
    def refused(posting: _Posting, sku: str, units: range, reason: Reason | None) -> None:
        """A refusal at handover of a cancelled posting: its units were refused.

        A kind the posting gives other than the buyer's (the seller's, Ozon's, not
        collected) is kept, and so is a reason it gives.
        """
        orders = posting.units[sku]
        for n in units:
            order = orders[n - 1]
            kind = order.cancel_kind
            orders[n - 1] = attrs.evolve(
                order,
                cancel_kind=(
                    CancelKind.REFUSED if kind in {CancelKind.BUYER, CancelKind.UNKNOWN} else kind
                ),
                cancel_reason=order.cancel_reason or reason,
            )

    def check(self, returned: _Returned) -> str | None:
        """Say why the return is skipped, or refuse it, when its posting says otherwise."""
        posting = self.postings.get(returned.posting)
        if posting is None:
            return None  # a return without its order: History keeps it as unmatched
        units = posting.units.get(returned.sku)
        if units is None:
            reason = f"posting {posting.number} has no product with sku {returned.sku}"
            raise BadRow(field="product.sku", reason=reason)
        refusal_of_cancelled = posting.outcome == "cancelled" and returned.kind in _REFUSALS
        if posting.outcome != "sold" and not refusal_of_cancelled:
            reason = (
                f"posting {posting.number} is {posting.status!r}, not delivered, in the posting "
                "list: read the postings and returns downloaded at the same time"
            )
            raise BadRow(field="posting_number", reason=reason)
        sold_at = posting.delivered_at or posting.ordered_at
        if returned.at < sold_at and not refusal_of_cancelled:
            reason = (
                f"{returned.at.isoformat()} is before the posting was delivered or placed, "
                f"{sold_at.isoformat()}"
            )
            raise BadRow(field="logistic.return_date", reason=reason)
        taken = self.taken.get((returned.posting, returned.sku), 0)
        if taken + returned.quantity > len(units):
            reason = (
                f"{returned.quantity} units of sku {returned.sku} returned, but posting "
                f"{posting.number} has {len(units)}, {taken} of them returned already"
            )
            raise BadRow(field="product.quantity", reason=reason)
        return None


def read_ozon_postings(
    postings: Source | Mapping[str, Any] | Sequence[str | Path],
    *,
    as_of: datetime,
    returns: Source | Mapping[str, Any] | Sequence[str | Path] | None = None,
    seller_id: str = "seller",
    reasons: ReasonWords | None = None,
    errors: Errors = "raise",
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[History, ImportReport]:
    """Read Ozon posting lists, and returns, into a `History`, with a report on every row.

    FBO (``/v3/posting/fbo/list``, and the older ``/v2/posting/fbo/list``) and FBS
    (``/v4/posting/fbs/list``, and the older ``/v3/posting/fbs/list``) postings may be mixed.
    Each unit of each product of a posting is an `Order`, ``posting_number/sku/n``, at the
    price ``products[].price``, placed at ``in_process_at``, of the buyer
    ``customer.customer_id`` where the posting names one (FBS only). The price is a decimal
    (old lists) or ``{"amount": ..., "currency": ...}`` (new lists); roubles only: another
    ``products[].currency_code`` or ``products[].price.currency`` is a bad row. Status
    ``delivered`` is sold, ``cancelled...`` cancelled, any other in transit.

    A posting list does not say when a posting was cancelled (``cancellation`` gives a
    reason, no moment), and says when it was delivered only in ``pickup_code_verified_at``
    (both FBS lists) or ``additional_data[].delivery_time`` (``/v2/posting/fbo/list``; the
    new FBO list has no such field). An outcome with no documented moment is dated at
    `as_of`: every cancellation, and a delivery with neither field (at its first return, if
    that is earlier: a unit is sold before it comes back). Those outcomes are undated, and
    are told apart by that instant::

        undated = [o for o in history.orders if o.cancelled_at == as_of]
        undated += [s for s in history.sales if s.sold_at == as_of]

    A moment after `as_of`, or before the posting was placed, makes a bad row.

    Where a posting's ``financial_data.products[]`` carry ``item_services``, their
    logistics charges become the units' `Logistics`, as the module says; a charge for a
    ``product_id`` the posting does not hold, or one that is no number, makes a bad row.

    With `returns`, each return of type ``ClientReturn``, ``FullReturn`` or
    ``PartialReturn`` returns ``product.quantity`` units of its posting's SKU, at
    ``logistic.return_date``, to the units not yet returned, in turn (earliest returns to the
    lowest ``n``). A return whose posting was not read is kept by `History` as unmatched.
    ``Cancellation`` and ``Unknown`` returns are skipped with their reason; a full or
    partial refusal of a cancelled posting marks its units refused. Kinds and reasons are
    as the module says. Any other return of a posting that is not delivered, a return
    before the posting's delivery, of a SKU the posting lacks, or of more units than it has
    is a bad row.

    Args:
        postings: a posting list: a JSON file's path or bytes (gzipped or not, with a
            byte-order mark or not) holding a response ``{"postings": [...], ...}`` (FBO
            v3, FBS v4), ``{"result": {"postings": [...]}}`` (FBS v3) or ``{"result":
            [...]}`` (FBO v2), or an array of postings, or that response or array parsed;
            or the paths of several pages, read in turn. A posting repeated (the same
            ``posting_number``, on pages of any of the lists) is merged: the later one
            wins.
        as_of: when the lists were downloaded: aware. The status of every posting is its
            status then.
        returns: the ``/v1/returns/list`` responses ``{"returns": [...]}``, or arrays of
            returns, in the same forms. A return repeated (the same ``id``) is merged.
        seller_id: the seller the lists belong to (they do not say).
        reasons: the caller's words for reasons, laid over the shipped Ozon table (see
            `redemption.io.reason_words`).
        errors: ``"raise"`` stops at the first bad row with a `ReportFormatError` naming
            the file, row (the posting's or return's place in its source, from 1) and field;
            ``"collect"`` goes on and lists every bad row in ``report.refused``.
        progress: told ``(source, rows done, rows in the source)`` as rows are read.
        limits: the bounds on what a file may hold (`redemption.io.Limits`).

    Returns:
        The history, and the import report: a posting is one row, however many units it
        holds.

    Raises:
        ArgumentTypeError: `as_of` is not a datetime.
        InvalidArgumentError: `as_of` has no time zone.
        ReportFormatError: an empty file, malformed JSON, a document that is not this list,
            or (with ``errors="raise"``) a bad row.
        DataError: the records contradict each other.

    Example:
        >>> from datetime import UTC, datetime
        >>> posting = {"posting_number": "0132-0101-1", "status": "delivered",
        ...            "in_process_at": "2025-04-01T10:00:00Z",
        ...            "pickup_code_verified_at": "2025-04-03T12:30:00.123456789Z",
        ...            "products": [{"sku": 42, "price": "990.5000", "quantity": 2,
        ...                          "currency_code": "RUB"}]}
        >>> history, report = read_ozon_postings([posting], as_of=datetime(2025, 4, 10, tzinfo=UTC))
        >>> [order.order_id for order in history.orders]
        ['0132-0101-1/42/1', '0132-0101-1/42/2']
        >>> history.orders[0].price, history.sales[0].sold_at.isoformat()
        (Decimal('990.50'), '2025-04-03T12:30:00.123456+00:00')
        >>> report.rows_read, report.orders, report.sales, report.accounted
        (1, 2, 2, True)

        The new lists' response, with the price as an amount and its currency:

        >>> posting["products"] = [{"sku": 42, "quantity": 1,
        ...                         "price": {"amount": "990.50", "currency": "RUB"}}]
        >>> page = {"cursor": "", "has_next": False, "postings": [posting]}
        >>> history, _ = read_ozon_postings(page, as_of=datetime(2025, 4, 10, tzinfo=UTC))
        >>> [(order.order_id, order.price) for order in history.orders]
        [('0132-0101-1/42/1', Decimal('990.50'))]

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       The units' logistics, from ``financial_data.products[].item_services``.
    """
    as_of = _download_moment(as_of)
    posting_tally = RowTally(errors, progress)

    def posting(row: dict[str, Any]) -> tuple[str, _Posting]:
        made = _posting(row, as_of, seller_id, limits)
        return made.number, made

    read = posting_tally.latest(postings, lambda source: _rows(source, _POSTINGS, limits), posting)
    posting_tally.used = len(read)
    return postings_history(
        read,
        posting_tally,
        as_of=as_of,
        returns=returns,
        reasons=reasons,
        errors=errors,
        progress=progress,
        limits=limits,
    )


def posting_of(row: dict[str, Any], *, as_of: datetime, seller_id: str, limits: Limits) -> _Posting:
    """Read one posting of a posting list's shape, for a reader of postings from elsewhere.

    `row` holds a posting's fields as the API writes them (``posting_number``, ``status``,
    ``in_process_at``, ``products``...); `as_of` is aware. What it says becomes the units'
    orders and their outcome by the rules of `read_ozon_postings`.

    Raises:
        BadRow: the posting breaks one of those rules, naming the API's field.
    """
    return _posting(row, _download_moment(as_of), seller_id, limits)


def postings_history(
    read: Sequence[tuple[_Posting, str, int]],
    posting_tally: RowTally,
    *,
    as_of: datetime,
    returns: Source | Mapping[str, Any] | Sequence[str | Path] | None,
    reasons: ReasonWords | None,
    errors: Errors,
    progress: Progress | None,
    limits: Limits,
) -> tuple[History, ImportReport]:
    """Make the history of postings read (each with its source and row), and their returns.

    The second half of `read_ozon_postings`, for every reader of postings: the postings'
    reasons, the returns matched to their units, the sales dated, the contradictions
    sifted. `posting_tally` has counted the postings' rows (and those it used).
    """
    as_of = _download_moment(as_of)
    words = Reasons("ozon", reasons)
    return_tally = RowTally(errors, progress)
    by_number = {made.number: made for made, _, _ in read}
    rows = {made.number: (name, number) for made, name, number in read}
    posting_tally.rounded = sum(made.rounded for made in by_number.values())
    for made in by_number.values():  # the words of the postings kept, read once each
        if (reason := words.reason(made.cancel_words)) is not None:
            for unit_orders in made.units.values():
                unit_orders[:] = [attrs.evolve(o, cancel_reason=reason) for o in unit_orders]
    matcher = _Matcher(by_number, return_tally, words)
    if returns is not None:
        returned = return_tally.latest(
            returns,
            lambda source: _rows(source, _RETURN_LIST, limits),
            lambda row: _return(row, as_of, limits),
        )
        for item, name, number in sorted(returned, key=lambda kept: kept[0].at):
            matcher.match(item, name, number)
    orders: list[Order] = []
    sales: list[Sale] = []
    logistics: list[Logistics] = []
    origins = matcher.origins
    for made in by_number.values():
        units = [order for unit_orders in made.units.values() for order in unit_orders]
        orders.extend(units)
        name, number = rows[made.number]
        origins.update((id(order), (posting_tally, name, number)) for order in units)
        logistics.extend(made.logistics)
        origins.update((id(cost), (posting_tally, name, number)) for cost in made.logistics)
        if made.outcome == "sold":
            sold_at = made.delivered_at or min(as_of, matcher.first_return.get(made.number, as_of))
            sold = [Sale(order_id=order.order_id, sold_at=sold_at) for order in units]
            sales.extend(sold)
            origins.update((id(sale), (posting_tally, name, number)) for sale in sold)
    history = sifted_history(
        orders,
        sales,
        matcher.returns,
        origins=origins,
        errors=errors,
        zone=UTC,
        horizon=as_of,
        fallback=posting_tally,
        logistics=logistics,
    )
    return history, import_report(history, (posting_tally, return_tally), words)
