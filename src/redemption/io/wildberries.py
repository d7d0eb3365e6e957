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

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from redemption.dates import MOSCOW
from redemption.history import History
from redemption.io.report import (
    BadRow,
    Errors,
    ImportReport,
    Progress,
    RowTally,
    Source,
    each_source,
    price_field,
    read_json_rows,
    text_field,
)
from redemption.model import Order, Return, Sale
from redemption.outcomes import CancelKind, ReturnKind

__all__ = ["NOT_CANCELLED", "read_realization", "read_statistics"]

NOT_CANCELLED = "0001-01-01T00:00:00"
"""The ``cancelDate`` Wildberries gives an order that was not cancelled."""

_ORDER_FIELDS = ("srid", "date", "lastChangeDate", "nmId", "finishedPrice", "isCancel")
_SALE_FIELDS = ("srid", "date", "lastChangeDate", "saleID")


def _text(row: dict[str, Any], field: str) -> str:
    return text_field(row.get(field), field)


def _moment(row: dict[str, Any], field: str) -> datetime:
    text = _text(row, field)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRow(field, reason=f"not a date and time: {text!r}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=MOSCOW)


def _money(row: dict[str, Any], field: str) -> Decimal:
    return price_field(row.get(field), field)


def _flag(row: dict[str, Any], field: str) -> bool:
    value = row.get(field)
    if isinstance(value, bool):
        return value
    raise BadRow(field, reason=f"expected true or false, found {value!r}")


def _order(row: dict[str, Any], seller_id: str) -> Order:
    srid = _text(row, "srid")
    cancelled = _flag(row, "isCancel")
    cancel_text = str(row.get("cancelDate") or NOT_CANCELLED).strip()
    if cancelled and cancel_text == NOT_CANCELLED:
        raise BadRow(field="cancelDate", reason="isCancel is true but the order has no cancel date")
    if not cancelled and cancel_text != NOT_CANCELLED:
        reason = f"false, but the order has a cancel date {cancel_text}"
        raise BadRow(field="isCancel", reason=reason)
    return Order(
        order_id=srid,
        seller_id=seller_id,
        sku=_text(row, "nmId"),
        price=_money(row, "finishedPrice"),
        ordered_at=_moment(row, "date"),
        cancelled_at=_moment(row, "cancelDate") if cancelled else None,
        cancel_kind=CancelKind.UNKNOWN if cancelled else None,  # the report does not say
    )


def _event(row: dict[str, Any]) -> Sale | Return | str:
    """Return the sale or return of a sales row, or the reason to skip it."""
    srid, sale_id = _text(row, "srid"), _text(row, "saleID")
    at = _moment(row, "date")
    if sale_id.startswith("S"):
        return Sale(order_id=srid, sold_at=at)
    if sale_id.startswith("R"):
        return Return(order_id=srid, returned_at=at, kind=ReturnKind.RETURN)
    return f"saleID {sale_id!r} is neither a sale (S...) nor a return (R...)"


class _Reader(RowTally):
    """Read rows of one kind, keeping the latest version of each line."""

    def read(
        self,
        sources: Source | Sequence[str | Path],
        required: tuple[str, ...],
        key: Callable[[dict[str, Any]], str],
        make: Callable[[dict[str, Any]], object],
    ) -> list[object]:
        """Read every source in turn; a line repeated in a later page or file is merged."""

        def read_row(row: dict[str, Any]) -> tuple[str, datetime, object]:
            return key(row), _moment(row, "lastChangeDate"), make(row)

        latest: dict[str, tuple[datetime, object]] = {}
        for source in each_source(sources):
            name, rows = read_json_rows(source, required)
            for number, row in self.each(name, rows):
                read = self.attempt(name, number, read_row, row)
                if read is None:
                    continue
                line, changed, made = read
                if isinstance(made, str):
                    self.skip(name, number, made)
                    continue
                if line in latest:
                    self.merged += 1
                    if changed < latest[line][0]:
                        continue
                latest[line] = (changed, made)
        return [made for _, made in latest.values()]


def read_statistics(
    orders: Source | Sequence[str | Path] | None = None,
    sales: Source | Sequence[str | Path] | None = None,
    *,
    seller_id: str = "seller",
    errors: Errors = "raise",
    progress: Progress | None = None,
) -> tuple[History, ImportReport]:
    """Read Wildberries statistics reports into a `History`, with a report on every row.

    Args:
        orders: the ``supplier/orders`` report: a JSON file's path, its bytes, or the
            parsed rows; or the paths of several pages (as `fetch_statistics` writes
            them), read in turn, a line repeated on a later page merged.
        sales: the ``supplier/sales`` report, likewise.
        seller_id: the seller the reports belong to (they do not say).
        errors: ``"raise"`` stops at the first bad row with a `ReportFormatError` naming
            the file, row and field; ``"collect"`` goes on and lists every bad row in
            ``report.refused``.
        progress: told ``(source, rows done, rows in the source)`` as rows are read.

    Returns:
        The history, and the import report.

    Raises:
        ReportFormatError: an empty file, malformed JSON, a file that is not this report,
            or (with ``errors="raise"``) a bad row.
        DataError: the rows read contradict each other (a sale of a cancelled order...).

    Example:
        >>> rows = [{"srid": "a1", "date": "2025-04-01T10:00:00", "lastChangeDate":
        ...          "2025-04-01T10:00:00", "nmId": 42, "finishedPrice": 990.5,
        ...          "isCancel": False, "cancelDate": "0001-01-01T00:00:00"}]
        >>> history, report = read_statistics(orders=rows)
        >>> history.orders[0].price, history.orders[0].ordered_at.isoformat()
        (Decimal('990.50'), '2025-04-01T07:00:00+00:00')
        >>> report.rows_read, report.orders, report.accounted
        (1, 1, True)

    .. versionadded:: 0.1.0
    """
    order_reader, sale_reader = _Reader(errors, progress), _Reader(errors, progress)
    made_orders: list[object] = []
    events: list[object] = []
    if orders is not None:
        made_orders = order_reader.read(
            orders, _ORDER_FIELDS, lambda row: _text(row, "srid"), lambda r: _order(r, seller_id)
        )
    if sales is not None:
        events = sale_reader.read(sales, _SALE_FIELDS, lambda row: _text(row, "saleID"), _event)
    history = History(
        orders=[o for o in made_orders if isinstance(o, Order)],
        sales=[e for e in events if isinstance(e, Sale)],
        returns=[e for e in events if isinstance(e, Return)],
    )
    report = ImportReport(
        rows_read=order_reader.rows_read + sale_reader.rows_read,
        used=len(made_orders) + len(events),
        merged=order_reader.merged + sale_reader.merged,
        skipped=(*order_reader.skipped, *sale_reader.skipped),
        refused=(*order_reader.refused, *sale_reader.refused),
        orders=len(history.orders),
        sales=len(history.sales),
        returns=len(history.returns),
    )
    return history, report


_REALIZATION_FIELDS = ("rrd_id", "supplier_oper_name")
_SALE_OPERATION = "Продажа"
_RETURN_OPERATION = "Возврат"
_LOGISTICS_OPERATION = "Логистика"


class _Line:
    """What the realization report says of one order line (one ``srid``)."""

    __slots__ = ("back_at", "order", "returned_at", "sold_at")

    def __init__(self, order: Order) -> None:
        self.order = order
        self.sold_at: datetime | None = None
        self.returned_at: datetime | None = None
        self.back_at: datetime | None = None  # the unit was carried back to the seller


def _line_order(row: dict[str, Any], srid: str, seller_id: str) -> Order:
    return Order(
        order_id=srid,
        seller_id=seller_id,
        sku=_text(row, "nm_id"),
        price=_money(row, "retail_price_withdisc_rub"),
        ordered_at=_moment(row, "order_dt"),
    )


def _count(row: dict[str, Any], field: str) -> int:
    value = row.get(field) or 0
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadRow(field, reason=f"expected a whole number, found {value!r}") from None


def _row_id(row: dict[str, Any]) -> str:
    return _text(row, "rrd_id")


def _realization_row(row: dict[str, Any], lines: dict[str, _Line], seller_id: str) -> str | None:
    """Apply one report row to its order line; return the reason to skip it, if any."""
    operation = _text(row, "supplier_oper_name")
    srid = row.get("srid")
    if not srid:
        return f"{operation}: not about an order"
    if operation not in (_SALE_OPERATION, _RETURN_OPERATION, _LOGISTICS_OPERATION):
        return f"{operation}: not a sale, a return or a delivery"
    srid = _text(row, "srid")
    line = lines.get(srid)
    if line is None:
        line = lines[srid] = _Line(_line_order(row, srid, seller_id))
    at = _moment(row, "sale_dt")
    if operation in (_SALE_OPERATION, _RETURN_OPERATION):
        # delivery rows carry no retail price: the sale's or the return's is the order's
        line.order = _line_order(row, srid, seller_id)
    if operation == _SALE_OPERATION:
        if line.sold_at is not None:
            raise BadRow(field="supplier_oper_name", reason=f"a second sale of order {srid}")
        line.sold_at = at
    elif operation == _RETURN_OPERATION:
        if line.returned_at is not None:
            raise BadRow(field="supplier_oper_name", reason=f"a second return of order {srid}")
        line.returned_at = at
    elif _count(row, "return_amount") > 0:
        line.back_at = at if line.back_at is None else min(line.back_at, at)
    return None


def read_realization(
    report: Source,
    *,
    seller_id: str = "seller",
    errors: Errors = "raise",
    progress: Progress | None = None,
) -> tuple[History, ImportReport]:
    """Read a Wildberries realization report (``reportDetailByPeriod`` rows) into a `History`.

    Each order line (``srid``) becomes an order, placed at ``order_dt``, priced at
    ``retail_price_withdisc_rub``, of the SKU ``nm_id``.
    A row "Продажа" is its sale and "Возврат" its return, both at ``sale_dt``.
    A "Логистика" row carrying the unit back (``return_amount``) to a seller of an order that
    was never sold is a refusal at the pick-up point: the order is cancelled then.
    Delivery rows only make the order known; storage, penalties and other rows with no
    order are skipped, each with its reason. A row repeated by an overlapping page
    (same ``rrd_id``) is merged.

    Args:
        report: the report rows: a JSON file's path, its bytes, or the parsed rows.
        seller_id: the seller the report belongs to.
        errors: ``"raise"`` or ``"collect"``, as for `read_statistics`.
        progress: told ``(source, rows done, rows in the source)`` as rows are read.

    Returns:
        The history, and the import report.

    Raises:
        ReportFormatError: an unreadable file, not this report, or (with ``"raise"``) a
            bad row.
        DataError: the rows contradict each other.

    .. versionadded:: 0.1.0
    """
    name, rows = read_json_rows(report, _REALIZATION_FIELDS)
    reader = _Reader(errors, progress)
    seen: set[str] = set()
    lines: dict[str, _Line] = {}

    def apply(row: dict[str, Any]) -> tuple[str | None]:
        return (_realization_row(row, lines, seller_id),)

    used = 0
    for number, row in reader.each(name, rows):
        row_id = reader.attempt(name, number, _row_id, row)
        if row_id is None:
            continue
        if row_id in seen:
            reader.merged += 1
            continue
        # (the reason to skip the row, or None to use it), or None for a bad row
        applied = reader.attempt(name, number, apply, row)
        if applied is None:
            continue
        seen.add(row_id)
        (skip,) = applied
        if skip is None:
            used += 1
        else:
            reader.skip(name, number, skip)
    orders, sales, returns = [], [], []
    for srid, line in lines.items():
        refused = line.sold_at is None and line.back_at is not None
        orders.append(
            attrs.evolve(line.order, cancelled_at=line.back_at) if refused else line.order
        )
        if line.sold_at is not None:
            sales.append(Sale(order_id=srid, sold_at=line.sold_at))
        if line.returned_at is not None:
            returns.append(Return(order_id=srid, returned_at=line.returned_at))
    history = History(orders=orders, sales=sales, returns=returns)
    return history, ImportReport(
        rows_read=reader.rows_read,
        used=used,
        merged=reader.merged,
        skipped=tuple(reader.skipped),
        refused=tuple(reader.refused),
        orders=len(history.orders),
        sales=len(history.sales),
        returns=len(history.returns),
    )
