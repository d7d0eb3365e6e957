"""Wildberries reports: statistics orders and sales, and the realization report.

The statistics API's ``supplier/orders`` and ``supplier/sales``, and the realization
report's ``reportDetailByPeriod`` rows.

One row of ``supplier/orders`` is one order line, known by its ``srid``.
A row of ``supplier/sales`` whose ``saleID`` starts with ``S`` is a sale of the line with
that ``srid``, and with ``R`` its return (`ReturnKind.RETURN`: a refusal at the pick-up
point is no sale, so it is never returned); other kinds of row (adjustments) are skipped,
each with its reason. A cancelled order (``isCancel``) is `CancelKind.UNKNOWN`: the report
does not say who cancelled it, or whether the buyer refused it at the pick-up point.
The API pages by ``lastChangeDate``, so one line may arrive twice: the later version wins
and the repeat is counted as merged.
Naive dates are Moscow time, as the API documents (a time in the hour Moscow clocks went
back, until 2011, is read as its first occurrence).

The price is ``finishedPrice``: "the price with every discount, except the amount paid
from the WB wallet", which is what the buyer paid for the unit.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any

import attrs

from redemption._cycles import cycles_paused
from redemption.dates import MOSCOW, day_end
from redemption.errors import InvalidPeriodError, shown
from redemption.history import History
from redemption.io.limits import DEFAULT_LIMITS, Limits
from redemption.io.report import (
    SOURCE_BITS,
    BadRow,
    Errors,
    ImportReport,
    Origins,
    OriginsPart,
    Progress,
    RowOrigins,
    RowProblem,
    RowTally,
    Source,
    amount_field,
    each_source,
    import_report,
    in_utc_range,
    price_field,
    read_json_rows,
    sifted_history,
    text_field,
    whole_number,
)
from redemption.model import (
    Logistics,
    Order,
    Return,
    Sale,
    _checked_order,
    _checked_return,
    _checked_sale,
)
from redemption.money import CENT, MAX_DIGITS, ZERO
from redemption.outcomes import CancelKind, ReturnKind
from redemption.reasons import Reasons, ReasonWords, match_key

__all__ = [
    "NOT_A_BUYERS",
    "NOT_CANCELLED",
    "RealizationRows",
    "not_a_buyers",
    "read_wildberries_realization",
    "read_wildberries_statistics",
    "realization_history",
    "realization_sources",
]

NOT_CANCELLED = "0001-01-01T00:00:00"
"""The ``cancelDate`` Wildberries gives an order that was not cancelled."""

_ORDER_FIELDS = ("srid", "date", "lastChangeDate", "nmId", "finishedPrice", "isCancel")
_ORDER_READS = (*_ORDER_FIELDS, "cancelDate")
"""Every field of a ``supplier/orders`` row the reader reads."""
_SALE_FIELDS = ("srid", "date", "lastChangeDate", "saleID")


def _text(row: dict[str, Any], field: str) -> str:
    return text_field(row.get(field), field)


def _moment(row: dict[str, Any], field: str) -> datetime:
    """Read a moment; a naive one is Moscow time. One that UTC cannot hold is refused."""
    text = _text(row, field)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRow(field, reason=f"not a date and time: {shown(text)}") from None
    return in_utc_range(
        moment if moment.tzinfo is not None else moment.replace(tzinfo=MOSCOW), field
    )


def _money(row: dict[str, Any], field: str) -> Decimal:
    return price_field(row.get(field), field)


def _flag(row: dict[str, Any], field: str) -> bool:
    value = row.get(field)
    if isinstance(value, bool):
        return value
    raise BadRow(field, reason=f"expected true or false, found {shown(value)}")


def _order(row: dict[str, Any], seller_id: str, tally: RowTally) -> Order:
    """The order of a ``supplier/orders`` row; a price finer than a kopeck is counted."""
    srid = _text(row, "srid")
    cancelled = _flag(row, "isCancel")
    cancel_date = row.get("cancelDate") or NOT_CANCELLED
    if not isinstance(cancel_date, str):
        raise BadRow(
            field="cancelDate", reason=f"expected a date and time, found {shown(cancel_date)}"
        )
    cancel_text = cancel_date.strip()
    if cancelled and cancel_text == NOT_CANCELLED:
        raise BadRow(field="cancelDate", reason="isCancel is true but the order has no cancel date")
    if not cancelled and cancel_text != NOT_CANCELLED:
        reason = f"false, but the order has a cancel date {cancel_text}"
        raise BadRow(field="isCancel", reason=reason)
    price = _money(row, "finishedPrice")
    order = Order(
        order_id=srid,
        seller_id=seller_id,
        sku=_text(row, "nmId"),
        price=price,
        ordered_at=_moment(row, "date"),
        cancelled_at=_moment(row, "cancelDate") if cancelled else None,
        cancel_kind=CancelKind.UNKNOWN if cancelled else None,  # the report does not say
    )
    if order.price != price:
        tally.rounded += 1
    return order


def _event(row: dict[str, Any]) -> Sale | Return | str:
    """Return the sale or return of a sales row, or the reason to skip it."""
    srid, sale_id = _text(row, "srid"), _text(row, "saleID")
    at = _moment(row, "date")
    if sale_id.startswith("S"):
        return Sale(order_id=srid, sold_at=at)
    if sale_id.startswith("R"):
        return Return(order_id=srid, returned_at=at, kind=ReturnKind.RETURN)
    return f"saleID {sale_id!r} is neither a sale (S...) nor a return (R...)"


def _versioned(
    key: str, make: Callable[[dict[str, Any]], object | str]
) -> Callable[[dict[str, Any]], tuple[str, tuple[datetime, object]] | str]:
    """Key a row by `key` and version it by ``lastChangeDate``; or say why it is skipped."""

    def read_row(row: dict[str, Any]) -> tuple[str, tuple[datetime, object]] | str:
        line, changed, made = _text(row, key), _moment(row, "lastChangeDate"), make(row)
        return made if isinstance(made, str) else (line, (changed, made))

    return read_row


def _older(new: tuple[datetime, object], kept: tuple[datetime, object]) -> bool:
    return new[0] < kept[0]


def _differ(new: tuple[datetime, object], kept: tuple[datetime, object]) -> tuple[str, str] | None:
    """Whether a repeated row contradicts the one kept: another order, or other contents."""
    (changed, made), (kept_changed, kept_made) = new, kept
    assert isinstance(made, Order | Sale | Return)  # noqa: S101 - what the readers make
    assert isinstance(kept_made, Order | Sale | Return)  # noqa: S101
    if made.order_id != kept_made.order_id:
        return "sale-id-reused", f"this saleID is on order {made.order_id} and {kept_made.order_id}"
    if changed == kept_changed and made != kept_made:
        return "repeat-differs", f"other contents at the same lastChangeDate {changed}"
    return None


# A plain row, the kind nearly every row of a report is, is read by a `_Plain` reader with
# no message to prepare: its fields are checked as `_order` and `_event` check them, and
# its record made unchecked again. Any other row (a field missing, of another type, out of
# the ordinary) makes the plain reader give None: it is read by `_order` or `_event`,
# which say what is wrong with it.

_Plain = Callable[[dict[str, Any]], tuple[str, datetime, object] | None]
"""Reads a plain row: its key, its ``lastChangeDate`` and its record; None for another."""

_EDGE_YEARS = (MINYEAR, MAXYEAR)
"""Years a moment may leave the calendar in once in UTC: `in_utc_range` reads them."""


def _plain_text(value: object) -> str | None:
    """`text_field`'s text of a plain value: text not blank, or a whole number."""
    if type(value) is str:
        return value.strip() or None
    if type(value) is int:
        try:
            return str(value)
        except ValueError:  # more digits than Python writes out
            return None
    return None


def _plain_moment(value: object) -> datetime | None:
    """`_moment`'s moment of a plain value, but a naive one left naive (Moscow time)."""
    if type(value) is not str:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return None if moment.year in _EDGE_YEARS else moment


_NAIVE_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - naive on purpose: see `_in_utc`
_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NO_OFFSET = timedelta(0)
_MICROSECOND = timedelta(microseconds=1)


def _in_utc(moment: datetime) -> datetime:
    """A moment of `_plain_moment` in UTC, as `Order` keeps it: a naive one in Moscow time.

    ``moment.replace(tzinfo=MOSCOW).astimezone(UTC)`` takes its offset the same way, and
    replacing a zone is slow next to this arithmetic.
    """
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    offset = MOSCOW.utcoffset(moment) or _NO_OFFSET
    return _UTC_EPOCH + (moment - _NAIVE_EPOCH - offset)


def _aware(moment: datetime) -> datetime:
    """A moment of `_plain_moment` as `_moment` reads it: a naive one in Moscow time."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=MOSCOW)


_PRICE_CONTEXT = Context(prec=MAX_DIGITS, traps=[InvalidOperation])
"""`to_money`'s context: a price of more digits is too large."""


def _plain_price(value: object) -> tuple[Decimal, bool] | None:
    """The price `Order` keeps of a plain ``finishedPrice``, and whether it was rounded.

    `price_field` reads the value, and `to_money` rounds it half-even to the kopeck: a
    zero is `ZERO`, and a price of more than `MAX_DIGITS` digits is no plain one.
    """
    if type(value) is str and value.isascii():
        try:
            amount = Decimal(value)
        except InvalidOperation:
            return None
    elif type(value) is int:
        amount = Decimal(value)
    else:
        return None
    if not amount.is_finite() or amount < 0:
        return None
    if not amount:
        return ZERO, False
    try:
        money = amount.quantize(CENT, ROUND_HALF_EVEN, _PRICE_CONTEXT)
    except InvalidOperation:
        return None
    return money, money != amount


def _plain_order(seller_id: str, tally: RowTally) -> _Plain:
    """The plain reader of ``supplier/orders`` rows: `_versioned` over `_order`."""
    fromisoformat, edges, unknown = datetime.fromisoformat, _EDGE_YEARS, CancelKind.UNKNOWN

    def read_row(row: dict[str, Any]) -> tuple[str, datetime, object] | None:
        get = row.get
        srid, sku, cancelled = get("srid"), get("nmId"), get("isCancel")
        cancel_date = get("cancelDate") or NOT_CANCELLED
        if (
            type(srid) is not str
            or type(cancelled) is not bool
            or type(cancel_date) is not str
            or (cancel_date != NOT_CANCELLED and cancel_date.strip() != NOT_CANCELLED)
            is not cancelled
        ):
            return None
        srid = srid.strip()
        sku = sku.strip() if type(sku) is str else _plain_text(sku)
        price = _plain_price(get("finishedPrice"))
        if not srid or not sku or price is None:
            return None
        # `_plain_moment`, inline; text with blanks around it is refused here, and stripped
        # by `_moment`
        try:
            changed = fromisoformat(get("lastChangeDate"))  # type: ignore[arg-type] # or not
            ordered = fromisoformat(get("date"))  # type: ignore[arg-type] # or TypeError
            cancel = fromisoformat(cancel_date) if cancelled else None
        except (ValueError, TypeError):
            return None
        if (
            changed.year in edges
            or ordered.year in edges
            or (cancel is not None and cancel.year in edges)
        ):
            return None
        ordered_at = _in_utc(ordered)
        cancelled_at = None if cancel is None else _in_utc(cancel)
        if cancelled_at is not None and cancelled_at < ordered_at:
            return None
        money, rounded = price
        tally.rounded += rounded
        order = _checked_order(
            order_id=srid,
            seller_id=seller_id,
            sku=sku,
            price=money,
            ordered_at=ordered_at,
            cancelled_at=cancelled_at,
            cancel_kind=None if cancel is None else unknown,
        )
        return srid, changed, order

    return read_row


def _plain_event(row: dict[str, Any]) -> tuple[str, datetime, object] | None:
    """The plain reader of ``supplier/sales`` rows: `_versioned` over `_event`."""
    sale_id = _plain_text(row.get("saleID"))
    srid = _plain_text(row.get("srid"))
    changed = _plain_moment(row.get("lastChangeDate"))
    at = _plain_moment(row.get("date"))
    if sale_id is None or srid is None or changed is None or at is None:
        return None
    if sale_id.startswith("S"):
        return sale_id, changed, _checked_sale(srid, _in_utc(at))
    if sale_id.startswith("R"):
        return sale_id, changed, _checked_return(srid, _in_utc(at), ReturnKind.RETURN)
    return None


def _latest(
    tally: RowTally,
    pages: object,
    *,
    fields: tuple[tuple[str, ...], tuple[str, ...]],
    readers: tuple[
        _Plain | None, Callable[[dict[str, Any]], tuple[str, tuple[datetime, object]] | str]
    ],
    limits: Limits,
) -> tuple[list[object], datetime | None, OriginsPart]:
    """Read every page in turn, keeping the latest version of each line, as `RowTally.latest`.

    `fields` are the fields a page must have and those read; `readers`, the plain reader
    and the one of any row. Returns the records kept, the latest ``lastChangeDate`` among
    them (None if none), and where each was read. The key, version and place of each row
    are kept side by side in lists, not in a dictionary of tuples: a line is looked for
    among the others only if some key comes twice.
    """
    required, read_fields = fields
    plain, read_row = readers
    names: list[str] = []
    keys: list[str] = []
    # each version, naive (as plain rows give them) in microseconds since 1970, 8 bytes a
    # row where a datetime takes 56; or `aware` holds it, for a row read in full
    naive: array[int] = array("q")
    aware: dict[int, datetime] = {}
    made: list[object] = []
    places: array[int] = array("q")
    add_key, add_naive, add_made, add_place = (
        keys.append,
        naive.append,
        made.append,
        places.append,
    )
    for index, source in enumerate(each_source(pages)):  # type: ignore[arg-type] # pages
        name, rows = read_json_rows(source, required, limits=limits, fields=read_fields)
        names.append(name)
        base = index << SOURCE_BITS
        for number, row in tally.each(name, rows):
            got = None if plain is None else plain(row)
            if got is None:
                read = tally.attempt(name, number, read_row, row)
                if read is None:
                    continue
                if isinstance(read, str):
                    tally.skip(name, number, read)
                    continue
                key, (changed, item) = read
                got = key, changed, item
            add_key(got[0])
            changed = got[1]
            if changed.tzinfo is None:
                add_naive((changed - _NAIVE_EPOCH) // _MICROSECOND)
            else:
                aware[len(naive)] = changed
                add_naive(0)
            add_made(got[2])
            add_place(base | number)
    repeated = len(set(keys)) < len(keys)
    if not repeated and not aware:  # naive moments compare as those of one zone: the same
        tally.used = len(made)
        reach = _aware(_NAIVE_EPOCH + _MICROSECOND * max(naive)) if naive else None
        return made, reach, (tally, names, made, places)
    versions = [  # each as `_moment` reads it
        aware[i] if i in aware else _aware(_NAIVE_EPOCH + _MICROSECOND * micro)
        for i, micro in enumerate(naive)
    ]
    if repeated:
        kept = _merged(tally, names=names, keys=keys, versions=versions, made=made, places=places)
        made = [made[i] for i in kept]
        versions = [versions[i] for i in kept]
        places = array("q", (places[i] for i in kept))
    tally.used = len(made)
    return made, max(versions) if versions else None, (tally, names, made, places)


def _merged(
    tally: RowTally,
    *,
    names: list[str],
    keys: list[str],
    versions: list[datetime],
    made: list[object],
    places: array[int],
) -> list[int]:
    """The rows kept of lines read more than once: the latest version, in the first's place.

    Each repeat is counted merged, and listed among the conflicts where it contradicts the
    version kept (`_differ`), as `RowTally.latest` does.
    """
    kept: dict[str, int] = {}
    for i, key in enumerate(keys):
        first = kept.get(key)
        if first is None:
            kept[key] = i
            continue
        tally.merged += 1
        new, old = (versions[i], made[i]), (versions[first], made[first])
        said = _differ(new, old)
        if said is not None:
            rule, why = said
            at, first_at = places[i], places[first]
            reason = (
                f"{why}, as {names[first_at >> SOURCE_BITS]} row {first_at & _ROW_MASK}; "
                "the later is kept"
            )
            tally.conflicts.append(
                RowProblem(
                    source=names[at >> SOURCE_BITS],
                    row=at & _ROW_MASK,
                    field=None,
                    reason=reason,
                    rule=rule,
                )
            )
        if _older(new, old):
            continue
        kept[key] = i
    return list(kept.values())


_ROW_MASK = (1 << SOURCE_BITS) - 1


def read_wildberries_statistics(
    orders: Source | Sequence[str | Path] | None = None,
    sales: Source | Sequence[str | Path] | None = None,
    *,
    seller_id: str = "seller",
    errors: Errors = "raise",
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[History, ImportReport]:
    """Read Wildberries statistics reports into a `History`, with a report on every row.

    Args:
        orders: the ``supplier/orders`` report: a JSON file's path, its bytes, or the
            parsed rows; or the paths of several pages (as `fetch_wildberries_statistics` writes
            them), read in turn, a line repeated on a later page merged.
        sales: the ``supplier/sales`` report, likewise.
        seller_id: the seller the reports belong to (they do not say).
        errors: ``"raise"`` stops at the first bad row with a `ReportFormatError` naming
            the file, row and field; ``"collect"`` goes on and lists every bad row in
            ``report.refused``.
        progress: told ``(source, rows done, rows in the source)`` as rows are read.
        limits: the bounds on what a file may hold (`redemption.io.Limits`).

    Returns:
        The history, and the import report.

    Raises:
        ReportFormatError: an empty file, malformed JSON, a file that is not this report,
            or (with ``errors="raise"``) a bad row.
        DataError: (with ``errors="raise"``) the rows read contradict each other, a sale
            of a cancelled order and the like; with ``"collect"`` the record its
            `ConflictRule` names is put aside and listed in ``report.conflicts``.

    The history's `History.horizon` is the latest ``lastChangeDate`` of the report given,
    the earlier of the two's when both are.

    Example:
        >>> rows = [{"srid": "a1", "date": "2025-04-01T10:00:00", "lastChangeDate":
        ...          "2025-04-01T10:00:00", "nmId": 42, "finishedPrice": 990.5,
        ...          "isCancel": False, "cancelDate": "0001-01-01T00:00:00"}]
        >>> history, report = read_wildberries_statistics(orders=rows)
        >>> history.orders[0].price, history.orders[0].ordered_at.isoformat()
        (Decimal('990.50'), '2025-04-01T07:00:00+00:00')
        >>> report.rows_read, report.orders, report.accounted
        (1, 1, True)

    .. versionadded:: 0.1.0
    """
    order_tally, sale_tally = RowTally(errors, progress), RowTally(errors, progress)
    plain = type(seller_id) is str and bool(seller_id)  # else every order is refused, named

    def order(row: dict[str, Any]) -> Order:
        return _order(row, seller_id, order_tally)

    none: tuple[list[object], None, OriginsPart] = ([], None, (order_tally, [], [], array("q")))
    with cycles_paused():
        made_orders, order_reach, order_origins = (
            none
            if orders is None
            else _latest(
                order_tally,
                orders,
                fields=(_ORDER_FIELDS, _ORDER_READS),
                readers=(
                    _plain_order(seller_id, order_tally) if plain else None,
                    _versioned("srid", order),
                ),
                limits=limits,
            )
        )
        events, sale_reach, sale_origins = (
            none
            if sales is None
            else _latest(
                sale_tally,
                sales,
                fields=(_SALE_FIELDS, _SALE_FIELDS),
                readers=(_plain_event, _versioned("saleID", _event)),
                limits=limits,
            )
        )
        reaches = [reach for reach in (order_reach, sale_reach) if reach is not None]
        history = sifted_history(
            [o for o in made_orders if isinstance(o, Order)],
            [e for e in events if isinstance(e, Sale)],
            [e for e in events if isinstance(e, Return)],
            origins=RowOrigins((order_origins, sale_origins)),
            errors=errors,
            zone=MOSCOW,
            horizon=min(reaches, default=None),
        )
    return history, import_report(history, (order_tally, sale_tally))


_REALIZATION_FIELDS = ("rrd_id", "supplier_oper_name")
_SALE_OPERATION = "Продажа"
_RETURN_OPERATION = "Возврат"
_LOGISTICS_OPERATION = "Логистика"
_OPERATIONS = (_SALE_OPERATION, _RETURN_OPERATION, _LOGISTICS_OPERATION)
_REFUSAL_LEG = match_key("От клиента при отмене")
"""The ``bonus_type_name`` of the way back of a unit the buyer refused."""
_RETURN_LEG = match_key("От клиента при возврате")
"""The ``bonus_type_name`` of the way back of a unit returned after its sale: no refusal,
even where the sale is in an earlier report."""
_UNFULFILLED = match_key("Штраф МП. Невыполненный заказ")
"""How the ``bonus_type_name`` of a penalty for an order the seller did not fulfil begins."""
_REVERSAL = match_key("Сторно.") + " "
"""How the ``bonus_type_name`` of a row that reverses another begins."""
NOT_A_BUYERS = (
    "Возврат по инициативе продавца",
    "Возврат своего товара",
    "Возврат неопознанного товара",
    "Возврат заблокированного товара",
)
"""How Wildberries' words for goods moved for the seller, not for a buyer, begin: in the
realization report's ``bonus_type_name`` and the goods-return report's ``returnType``."""
_NOT_A_BUYERS = tuple(map(match_key, NOT_A_BUYERS))
_TO_BUYER_LEG = match_key("К клиенту")  # noqa: RUF001 - Wildberries' own words
"""How the ``bonus_type_name`` of a leg carrying a unit to the buyer begins."""
_BACK_LEG = match_key("От клиента")
"""How the ``bonus_type_name`` of a leg carrying a unit back from the buyer begins."""
_LOGISTICS_WORD = match_key("логистик")
"""What the name of an operation on logistics holds: "Логистика сторно", "Коррекция логистики"."""
_TO_BUYER, _BACK = 0, 1
"""The two ways a unit is carried: the places of their costs in `_Line.legs`."""
_LEG_NAMES = ("to the buyer", "back")


def not_a_buyers(words: str) -> bool:
    """Whether Wildberries' words name goods moved for the seller: no buyer's event.

    Example:
        >>> not_a_buyers("Возврат своего товара (от продавца при отмене)")
        True
    """
    return match_key(words).startswith(_NOT_A_BUYERS)


class _Line:
    """What the realization report says of one order line (one ``srid``)."""

    __slots__ = (
        "backs",
        "leg_rows",
        "legs",
        "order",
        "order_row",
        "penalties",
        "refusals",
        "return_row",
        "returned_at",
        "reversals",
        "rounded",
        "sale_row",
        "sold_at",
    )

    def __init__(self, made: tuple[Order, bool], row: int) -> None:
        self.order, rounded = made
        self.rounded = int(rounded)  # rows whose price was finer than a kopeck
        # the rows the order, its sale and its return were read from, to name in a conflict
        self.order_row, self.sale_row, self.return_row = row, 0, 0
        self.sold_at: datetime | None = None
        self.returned_at: datetime | None = None
        self.backs: list[datetime] = []  # the unit was carried back to the seller
        self.refusals: list[datetime] = []  # ...on the way back of a refusal
        # penalties for not fulfilling the order (moment and words), and their reversals
        self.penalties: list[tuple[datetime, str]] = []
        self.reversals = 0
        # what carrying the unit cost, to the buyer and back (delivery_rub), and the last row
        # of each way; no logistics row at all: None, no cost known
        self.legs: list[Decimal] | None = None
        self.leg_rows = [0, 0]

    def charged(self, leg: int, amount: Decimal) -> list[Decimal]:
        """The costs of both ways once `amount` is added to `leg`: refused if too large."""
        legs = [Decimal(0), Decimal(0)] if self.legs is None else list(self.legs)
        legs[leg] += amount
        if legs[leg] and legs[leg].adjusted() >= MAX_DIGITS - 2:
            reason = (
                f"the logistics {_LEG_NAMES[leg]} of order {self.order.order_id} add up "
                f"to too large an amount: {legs[leg]}"
            )
            raise BadRow(field="delivery_rub", reason=reason)
        return legs

    def apply(
        self, row: dict[str, Any], number: int, operation: str, bonus: str, penalty: int
    ) -> None:
        """Apply row `number` about this line: a sale, a return, a way back or a penalty."""
        srid, at = self.order.order_id, _moment(row, "sale_dt")
        if operation in (_SALE_OPERATION, _RETURN_OPERATION):
            second = self.sold_at if operation == _SALE_OPERATION else self.returned_at
            if second is not None:
                what = "sale" if operation == _SALE_OPERATION else "return"
                raise BadRow(field="supplier_oper_name", reason=f"a second {what} of order {srid}")
            # delivery rows carry no retail price: the sale's or the return's is the order's
            order, rounded = _line_order(row, srid, self.order.seller_id)
            back = min(
                [*self.refusals, *self.backs, *(moment for moment, _ in self.penalties)],
                default=None,
            )
            if back is not None and back < order.ordered_at:
                reason = (
                    f"{order.ordered_at.isoformat()} is after the unit of order {srid} was "
                    f"carried back or penalised, {back.isoformat()}"
                )
                raise BadRow(field="order_dt", reason=reason)
            self.order, self.order_row, self.rounded = order, number, self.rounded + rounded
            if operation == _SALE_OPERATION:
                self.sold_at, self.sale_row = at, number
            else:
                self.returned_at, self.return_row = at, number
            return
        if penalty < 0:
            self.reversals += 1
            return
        words = match_key(bonus)
        refusal = words.startswith(_REFUSAL_LEG)
        if (
            not penalty
            and not refusal
            and (words.startswith(_RETURN_LEG) or _count(row, "return_amount") <= 0)
        ):
            return  # a delivery, or the way back of a return: it only makes the order known
        if at < self.order.ordered_at:
            reason = f"{at.isoformat()} is before the order was placed, {self.order.ordered_at}"
            raise BadRow(field="sale_dt", reason=reason)
        if penalty:
            self.penalties.append((at, bonus))
        elif refusal:
            self.refusals.append(at)
        else:
            self.backs.append(at)

    def logistics(self, srid: str) -> tuple[Logistics | None, int, tuple[int, str] | None]:
        """The logistics this line makes, and how many of its amounts were rounded.

        Where one way adds up to less than nothing, it makes none, and gives the last row of
        that way with the reason.
        """
        if self.legs is None:
            return None, 0, None
        for leg, total in enumerate(self.legs):
            if total < 0:
                reason = (
                    f"order {srid}: the logistics {_LEG_NAMES[leg]} add up to {total}, less "
                    "than nothing (corrections beyond the charges): no logistics are kept "
                    "for the order"
                )
                return None, 0, (self.leg_rows[leg], reason)
        to_buyer, back = self.legs
        made = Logistics(order_id=srid, to_buyer=to_buyer, back=back)
        return made, (made.to_buyer != to_buyer) + (made.back != back), None

    def records(self, srid: str, reasons: Reasons) -> tuple[Order, Sale | None, Return | None]:
        """The order, sale and return this line makes."""
        order = self.order
        if self.sold_at is None:
            # a penalty reversed ("Сторно. ...", before or after it) is taken back
            penalties = sorted(self.penalties)[: max(len(self.penalties) - self.reversals, 0)]
            cancelled_at = min(
                [*self.refusals, *self.backs, *(at for at, _ in penalties)], default=None
            )
            if cancelled_at is not None:
                kind, reason = CancelKind.UNKNOWN, None
                if penalties:
                    kind, reason = CancelKind.SELLER, reasons.reason(penalties[0][1])
                elif self.refusals:
                    kind = CancelKind.REFUSED
                order = attrs.evolve(
                    order, cancelled_at=cancelled_at, cancel_kind=kind, cancel_reason=reason
                )
        sale = None if self.sold_at is None else Sale(order_id=srid, sold_at=self.sold_at)
        back = (
            None
            if self.returned_at is None
            else Return(order_id=srid, returned_at=self.returned_at, kind=ReturnKind.RETURN)
        )
        return order, sale, back


def _line_order(row: dict[str, Any], srid: str, seller_id: str) -> tuple[Order, bool]:
    """The order a row describes, and whether its price was finer than a kopeck."""
    price = _money(row, "retail_price_withdisc_rub")
    order = Order(
        order_id=srid,
        seller_id=seller_id,
        sku=_text(row, "nm_id"),
        price=price,
        ordered_at=_moment(row, "order_dt"),
    )
    return order, order.price != price


def _report_end(day: date | None) -> datetime | None:
    """How far a realization report reaches: the end of its last day, in Moscow time."""
    if day is None:
        return None
    try:
        return day_end(day, MOSCOW)
    except InvalidPeriodError:  # a last day of 9999-12-31 says nothing of where the data ends
        return None


def _period_end(row: dict[str, Any]) -> date | None:
    """The last day of the report a row is from (``date_to``), where it says one."""
    value = row.get("date_to")
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _count(row: dict[str, Any], field: str) -> int:
    """Read a whole number (`whole_number`); none is 0."""
    value = row.get(field) or 0
    count = whole_number(value)
    if count is None:
        raise BadRow(field, reason=f"expected a whole number, found {shown(value)}")
    return count


def _row_id(row: dict[str, Any]) -> str:
    return _text(row, "rrd_id")


def _charge(row: dict[str, Any], field: str) -> Decimal | None:
    """Read an amount of roubles that may be negative (a correction); `None` if not given."""
    value = row.get(field)
    return None if value is None else amount_field(value, field)


def _leg(row: dict[str, Any], bonus: str) -> int | None:
    """Which way a logistics row carried the unit: its words, else its counts; or None.

    "К клиенту ..." is to the buyer, "От клиента ..." back; other words (or none) go by
    ``delivery_amount`` above 0 (to the buyer), then ``return_amount`` above 0 (back).
    """  # noqa: RUF002 - Wildberries' own words
    words = match_key(bonus)
    if words.startswith(_TO_BUYER_LEG):
        return _TO_BUYER
    if words.startswith(_BACK_LEG):
        return _BACK
    if _count(row, "delivery_amount") > 0:
        return _TO_BUYER
    if _count(row, "return_amount") > 0:
        return _BACK
    return None


def _bonus_type(row: dict[str, Any]) -> str:
    value = row.get("bonus_type_name")
    return value.strip() if isinstance(value, str) else ""


def _penalty(bonus: str) -> int:
    """+1 for a penalty for an unfulfilled order, -1 for its reversal, 0 for any other row."""
    words = match_key(bonus)
    if words.startswith(_UNFULFILLED):
        return 1
    return -1 if words.startswith(_REVERSAL + _UNFULFILLED) else 0


def _realization_row(
    row: dict[str, Any], *, number: int, lines: dict[str, _Line], seller_id: str
) -> tuple[str | None]:
    """Apply row `number` to its order line; return the reason to skip it, if any.

    The reason comes in a 1-tuple: `RowTally.attempt` gives ``None`` for a bad row.
    """
    operation = _text(row, "supplier_oper_name")
    bonus = _bonus_type(row)
    srid = row.get("srid")
    if not srid:
        return (f"{operation}: not about an order",)
    sale_or_return = operation in (_SALE_OPERATION, _RETURN_OPERATION)
    if not sale_or_return and not_a_buyers(bonus):
        return (f"{operation} {bonus!r}: goods moved for the seller, not a buyer's order",)
    penalty = 0 if operation in _OPERATIONS else _penalty(bonus)
    if operation not in _OPERATIONS and not penalty:
        if _LOGISTICS_WORD in match_key(operation):
            return (
                (
                    f"{operation}: a correction of logistics, not read: an order's logistics "
                    "are the charges of its 'Логистика' rows"
                ),
            )
        return (
            f"{operation}: not a sale, a return, a delivery or a penalty for an order not sent",
        )
    leg: int | None = None  # the way the row's charge is for; None: no charge
    amount = _charge(row, "delivery_rub") if operation == _LOGISTICS_OPERATION else None
    if amount is not None:
        leg = _leg(row, bonus)
        if leg is None and amount:
            return (
                (
                    f"{operation} {bonus!r}: a charge of {amount} (delivery_rub) that says "
                    "neither way: its words are neither 'К клиенту...' nor 'От клиента...', "  # noqa: RUF001
                    "and neither delivery_amount nor return_amount is above 0"
                ),
            )
    srid = _text(row, "srid")
    line = lines.get(srid)
    if line is None:
        line = lines[srid] = _Line(_line_order(row, srid, seller_id), number)
    legs = None if leg is None or amount is None else line.charged(leg, amount)
    line.apply(row, number, operation, bonus, penalty)
    if leg is not None and legs is not None:
        line.legs, line.leg_rows[leg] = legs, number
    return (None,)


_SOURCE_BITS = 40
"""A row's number among several sources: its source's index above these bits, its own
number (from 1, in its source) below them; with one source, the row's own number."""


def _place(names: Sequence[str], number: int) -> tuple[str, int]:
    """The source and the row a row's number among several sources stands for."""
    return names[number >> _SOURCE_BITS], number & ((1 << _SOURCE_BITS) - 1)


def _line_records(
    lines: dict[str, _Line], words: Reasons, tally: RowTally, names: Sequence[str]
) -> tuple[list[Order], list[Sale], list[Return], list[Logistics], Origins]:
    """The records of every order line, and the row each was read from.

    A line whose logistics one way add up to less than nothing makes none: the last row of
    that way is refused (it was counted used).
    """
    orders: list[Order] = []
    sales: list[Sale] = []
    returns: list[Return] = []
    logistics: list[Logistics] = []
    origins: Origins = {}
    for srid, line in lines.items():
        order, sale, back = line.records(srid, words)
        origins[id(order)] = (tally, *_place(names, line.order_row))
        orders.append(order)
        if sale is not None:
            sales.append(sale)
            origins[id(sale)] = (tally, *_place(names, line.sale_row))
        if back is not None:
            returns.append(back)
            origins[id(back)] = (tally, *_place(names, line.return_row))
        tally.rounded += line.rounded
        cost, rounded, refused = line.logistics(srid)
        if refused is not None:
            tally.used -= 1
            tally.problem(*_place(names, refused[0]), "delivery_rub", refused[1])
        if cost is not None:
            logistics.append(cost)
            origins[id(cost)] = (tally, *_place(names, max(line.leg_rows)))
            tally.rounded += rounded
    return orders, sales, returns, logistics, origins


RealizationRows = Iterable[tuple[str, Iterable[dict[str, Any]], int]]
"""Sources of realization report rows, read in turn as one report: each its name, its rows
(``reportDetailByPeriod`` rows, or rows made like them) and the number of its first row."""


def realization_sources(
    reports: Source | Sequence[str | Path], *, limits: Limits = DEFAULT_LIMITS
) -> Iterator[tuple[str, Iterable[dict[str, Any]], int]]:
    """Each realization report given, as a source of `realization_history`.

    A report is a JSON file's path, its bytes or its parsed ``reportDetailByPeriod`` rows;
    several are the paths of several files. The files are opened in turn, as their rows
    are reached: each is refused, naming it, when it is not this report (see
    `read_json_rows`).
    """
    for report in each_source(reports):
        name, rows = read_json_rows(report, _REALIZATION_FIELDS, limits=limits)
        yield name, rows, 1


def realization_history(
    sources: RealizationRows,
    *,
    seller_id: str,
    words: Reasons,
    tally: RowTally,
    errors: Errors,
) -> History:
    """The history realization report rows make, every row told to `tally`.

    The rows of every source are read as one report: a line's rows may be in several of
    them. This is `read_wildberries_realization` without reading a file, for readers of
    other files that hold the same rows (the seller portal's workbooks).
    """
    names: list[str] = []
    seen: set[str] = set()
    lines: dict[str, _Line] = {}
    reaches: date | None = None  # the last day of the latest report the rows are from

    for index, (name, rows, first) in enumerate(sources):
        names.append(name)
        base = index << _SOURCE_BITS
        for number, row in tally.each(name, rows, first):
            row_id = tally.attempt(name, number, _row_id, row)
            if row_id is None:
                continue
            if row_id in seen:
                tally.merged += 1
                continue
            ends = _period_end(row)
            if ends is not None and (reaches is None or ends > reaches):
                reaches = ends
            # (the reason to skip the row, or None to use it), or None for a bad row
            apply = partial(
                _realization_row, number=base + number, lines=lines, seller_id=seller_id
            )
            applied = tally.attempt(name, number, apply, row)
            if applied is None:
                continue
            seen.add(row_id)
            (skip,) = applied
            if skip is None:
                tally.used += 1
            else:
                tally.skip(name, number, skip)
    orders, sales, returns, logistics, origins = _line_records(lines, words, tally, names)
    return sifted_history(
        orders,
        sales,
        returns,
        origins=origins,
        errors=errors,
        zone=MOSCOW,
        horizon=_report_end(reaches),
        logistics=logistics,
    )


def read_wildberries_realization(
    report: Source | Sequence[str | Path],
    *,
    seller_id: str = "seller",
    reasons: ReasonWords | None = None,
    errors: Errors = "raise",
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[History, ImportReport]:
    """Read a Wildberries realization report (``reportDetailByPeriod`` rows) into a `History`.

    Each order line (``srid``) becomes an order, placed at ``order_dt``, priced at
    ``retail_price_withdisc_rub``, of the SKU ``nm_id``.
    A row "Продажа" is its sale and "Возврат" its return (`ReturnKind.RETURN`), both at
    ``sale_dt``. An order that is never sold is cancelled, at the earliest of:

    - a "Логистика" row whose ``bonus_type_name`` is "От клиента при отмене", the way back
      of a unit the buyer refused: `CancelKind.REFUSED`;
    - a penalty for an order the seller did not fulfil ("Штраф МП. Невыполненный заказ...",
      not reversed by a "Сторно. ..." row): `CancelKind.SELLER`, its reason the penalty's
      words, read through the reasons table;
    - any other "Логистика" row carrying the unit back (``return_amount``) but the way
      back of a return ("От клиента при возврате", whose sale may be in an earlier report):
      `CancelKind.UNKNOWN`.

    Delivery rows only make the order known, and what carrying the unit cost: the
    order's `Logistics` (`History.logistics`) sums the ``delivery_rub`` of its "Логистика"
    rows, each way apart. A leg whose ``bonus_type_name`` begins "К клиенту" ("...при
    продаже", "...при отмене") carried the unit to the buyer (``to_buyer``), one beginning
    "От клиента" ("...при отмене", "...при возврате") back (``back``); a row with other
    words, or none, is to the buyer if its ``delivery_amount`` is above 0, else back if its
    ``return_amount`` is, and a charge on a row that says neither way is skipped with its
    reason. A row without ``delivery_rub`` charges nothing; an order with no "Логистика" row
    charging anything has no logistics (its cost is not known: not 0). A way whose
    charges add up to less than nothing (corrections beyond them) is a bad row, the last
    row of that way, naming the order, and the order keeps no logistics. Other rows on
    logistics ("Логистика сторно", "Коррекция логистики") are skipped, as before, each
    with its reason: a charge one of them reverses stays in the sum. An order's legs
    charged in a report not read with this one are not in its sum (give every week's report
    at once). Rows of goods moved for the seller rather than a buyer (``bonus_type_name``
    "Возврат по инициативе продавца", "Возврат своего товара", "Возврат неопознанного
    товара", "Возврат заблокированного товара") are no
    buyer's event and are skipped, and so are storage, other penalties and other rows with
    no order, each with its reason. A row repeated by an overlapping page (same ``rrd_id``)
    is merged.

    Several reports (the weekly reports of a month, pages) are read as one: the rows of one
    order line may be in several of them, a sale in one week's report and its return in a
    later one's, and make one order, with its logistics summed over all of them.

    Args:
        report: the report rows: a JSON file's path, its bytes, or the parsed rows; or the
            paths of several reports, read in turn as one.
        seller_id: the seller the report belongs to.
        reasons: the caller's words for reasons, laid over the shipped Wildberries table
            (see `redemption.io.reason_words`).
        errors: ``"raise"`` or ``"collect"``, as for `read_wildberries_statistics`.
        progress: told ``(source, rows done, rows in the source)`` as rows are read.
        limits: the bounds on what a file may hold (`redemption.io.Limits`).

    Returns:
        The history, and the import report.

    Raises:
        ReportFormatError: an unreadable file, not this report, or (with ``"raise"``) a
            bad row.
        DataError: the rows contradict each other.

    Example:
        An order delivered, refused at the pick-up point, and carried back:

        >>> def row(rrd_id, bonus, rub, **more):
        ...     return {"rrd_id": rrd_id, "supplier_oper_name": "Логистика", "srid": "a1",
        ...             "nm_id": 42, "order_dt": "2025-04-01T10:00:00", "retail_price_withdisc_rub": 0,
        ...             "sale_dt": "2025-04-05T10:00:00", "bonus_type_name": bonus,
        ...             "delivery_rub": rub, **more}
        >>> history, report = read_wildberries_realization([
        ...     row(1, "К клиенту при отмене", 51.5, delivery_amount=1),
        ...     row(2, "От клиента при отмене", 50, return_amount=1)])
        >>> history.orders[0].cancel_kind, history.logistics["a1"]
        (<CancelKind.REFUSED: 'refused'>, Logistics(order_id='a1', to_buyer=Decimal('51.50'), back=Decimal('50.00')))

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       The orders' logistics, from the "Логистика" rows' ``delivery_rub``; several
       reports read as one.
    """  # noqa: E501, RUF002 - a doctest's output is one line; Wildberries' own words
    words = Reasons("wildberries", reasons)
    tally = RowTally(errors, progress)
    history = realization_history(
        realization_sources(report, limits=limits),
        seller_id=seller_id,
        words=words,
        tally=tally,
        errors=errors,
    )
    return history, import_report(history, (tally,), words)
