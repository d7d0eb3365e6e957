"""Order lines as CSV: one row per order, its sale and return on the same row.

The columns are the order-line contract's (`redemption.order_lines`), the ones
`redemption.frames` takes, so a frame written to CSV reads back here and a history written
here loads into any frame library. Only ``order_id``, ``sku``, ``price`` and ``ordered_at``
are required; ``seller_id`` falls back to `read_order_lines`'s `seller_id`.

Prices are whole **kopecks** (``152050`` is 1520.50), and so are the optional
``delivery_cost`` and ``return_cost`` (the order's `Logistics`: a file without them reads as
a history without logistics, an empty cell is no logistics for that line). Timestamps
are ISO 8601 with their UTC offset (``2025-04-01T10:30:00+03:00``); a timestamp without one
is a bad row, since the instant it means is unknown. Kinds and reason categories are their
lower-case values (``refused``, ``size_fit``); a value that is none of them is a bad row
naming its column.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from redemption.errors import ReportFormatError, shown
from redemption.history import History
from redemption.io.limits import DEFAULT_LIMITS, Limits, csv_cell_limit
from redemption.io.report import (
    BadRow,
    Errors,
    ImportReport,
    Origins,
    Progress,
    RowTally,
    import_report,
    in_utc_range,
    read_text,
    sifted_history,
)
from redemption.model import Logistics, Order, Return, Sale
from redemption.money import MAX_DIGITS
from redemption.order_lines import (
    LINE_COLUMNS,
    OUTCOME_COLUMNS,
    REQUIRED,
    TIMESTAMPS,
    LineRecords,
    SharedReasons,
    line_records,
    line_rows,
)

__all__ = ["read_order_lines", "write_order_lines"]


def _moment(row: dict[str, str], field: str) -> datetime | None:
    text = (row.get(field) or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRow(field, reason=f"not a date and time: {shown(text)}") from None
    if moment.tzinfo is None:
        reason = f"{shown(text)} has no UTC offset, so the instant is unknown"
        raise BadRow(field, reason=reason)
    return in_utc_range(moment, field)


_KOPECKS = re.compile(r"-?[0-9]+")


def _kopecks(row: dict[str, str], field: str = "price") -> int | None:
    """Read whole kopecks: ASCII digits, no more than an amount may have (`MAX_DIGITS`).

    An empty cell is `None`.
    """
    text = (row.get(field) or "").strip()
    if not text:
        return None
    if _KOPECKS.fullmatch(text) is None:
        reason = f"expected whole kopecks (152050 for 1520.50), found {shown(text)}"
        raise BadRow(field=field, reason=reason)
    if len(text.lstrip("-").lstrip("0")) > MAX_DIGITS:
        what = "a price" if field == "price" else "a cost"
        reason = f"more than {MAX_DIGITS} digits, too large {what}: {shown(text)}"
        raise BadRow(field=field, reason=reason)
    return int(text)


def _text(row: dict[str, str], field: str) -> str | None:
    return (row.get(field) or "").strip() or None


def _records(row: dict[str, str], seller_id: str, reasons: SharedReasons) -> LineRecords:
    order_id = _text(row, "order_id")
    if order_id is None:
        raise BadRow(field="order_id", reason="missing")
    ordered_at, cancelled_at, sold_at, returned_at = (_moment(row, field) for field in TIMESTAMPS)
    if ordered_at is None:
        raise BadRow(field="ordered_at", reason="missing")
    outcomes = {field: _text(row, field) for field in OUTCOME_COLUMNS}
    price = _kopecks(row)
    if price is None:
        raise BadRow(field="price", reason="missing")
    return line_records(
        order_id=order_id,
        seller_id=_text(row, "seller_id") or seller_id,
        sku=_text(row, "sku") or "",
        buyer_id=_text(row, "buyer_id"),
        kopecks=price,
        delivery_cost=_kopecks(row, "delivery_cost"),
        return_cost=_kopecks(row, "return_cost"),
        ordered_at=ordered_at,
        cancelled_at=cancelled_at,
        sold_at=sold_at,
        returned_at=returned_at,
        reasons=reasons,
        **outcomes,
    )


def _csv_rows(reader: csv.DictReader[str]) -> list[dict[str, str] | BadRow]:
    """Every row after the header; a row the CSV reader cannot read is a `BadRow`.

    A cell longer than the reader's limit (`csv.field_size_limit`: see `csv_cell_limit`)
    is such a row: the reader drops the rest of its line and goes on with the next line,
    so a quote left open swallows the lines up to the limit into that one row, not the
    whole file.
    """
    rows: list[dict[str, str] | BadRow] = []
    while True:
        try:
            rows.append(next(reader))
        except StopIteration:
            return rows
        except csv.Error as error:
            reason = f"the row after line {reader.line_num} cannot be read as CSV: {error}"
            rows.append(BadRow(None, reason=reason))


def read_order_lines(
    source: str | Path | bytes,
    *,
    seller_id: str = "seller",
    errors: Errors = "raise",
    progress: Progress | None = None,
    horizon: datetime | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[History, ImportReport]:
    r"""Read an order-lines CSV file (gzipped too) into a `History`, with a report on every row.

    Args:
        source: the file's path, or its bytes.
        seller_id: the seller of rows with no ``seller_id`` column or an empty one.
        errors: ``"raise"`` stops at the first bad row with a `ReportFormatError` naming the
            file, row and field; ``"collect"`` goes on and lists every bad row.
        progress: told ``(source, rows done, rows in the source)`` as rows are read.
        limits: the bounds on what a file may hold (`redemption.io.Limits`).
        horizon: how far the file reaches, if you know (when it was exported, aware): the
            history's `History.horizon`. A file of lines does not say it.

    Returns:
        The history, and the import report.

    Raises:
        ReportFormatError: an empty or unreadable file, a header without the required
            columns, or (with ``errors="raise"``) a bad row.
        DataError: (with ``errors="raise"``) the rows contradict each other, the same
            order twice, a sale of a cancelled order and the like; with ``"collect"``
            the record its `ConflictRule` names is put aside and listed in
            ``report.conflicts``.

    Example:
        >>> text = (b"order_id,sku,buyer_id,price,ordered_at,sold_at\n"
        ...         b"o1,nm-42,b-7,152050,2025-04-01T10:30:00+03:00,2025-04-05T12:00:00+03:00\n")
        >>> history, report = read_order_lines(text)
        >>> history.orders[0].price, history.orders[0].buyer_id, report.sales
        (Decimal('1520.50'), 'b-7', 1)

    .. versionadded:: 0.1.0
    """
    name, text = read_text(source, "order lines with a header row", limits=limits)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    with csv_cell_limit(name, limits):  # cells up to Limits.max_csv_cell; a longer one, a bad row
        try:
            header = reader.fieldnames or []
        except csv.Error as error:
            msg = f"{name}: the header row cannot be read as CSV ({error})"
            raise ReportFormatError(msg, source=name, row=1) from None
        missing = [column for column in REQUIRED if column not in header]
        if missing:
            msg = (
                f"{name}: not an order-lines file: no column {', '.join(missing)} "
                f"(the header is {', '.join(header)})"
            )
            raise ReportFormatError(msg, source=name, row=1)
        rows = _csv_rows(reader)
    tally = RowTally(errors, progress)
    orders: list[Order] = []
    sales: list[Sale] = []
    returns: list[Return] = []
    logistics: list[Logistics] = []
    reasons: SharedReasons = {}  # one per distinct reason
    origins: Origins = {}

    def records(row: dict[str, str] | BadRow) -> LineRecords:
        if isinstance(row, BadRow):
            raise row
        return _records(row, seller_id, reasons)

    for number, row in tally.each(name, rows, first=2):  # row 1 is the header
        records_read = tally.attempt(name, number, records, row)
        if records_read is None:
            continue
        order, sale, back, cost = records_read
        orders.append(order)
        origins[id(order)] = (tally, name, number)
        if cost is not None:
            logistics.append(cost)
            origins[id(cost)] = (tally, name, number)
        if sale is not None:
            sales.append(sale)
            origins[id(sale)] = (tally, name, number)
        if back is not None:
            returns.append(back)
            origins[id(back)] = (tally, name, number)
    history = sifted_history(
        orders,
        sales,
        returns,
        origins=origins,
        errors=errors,
        zone=UTC,
        horizon=horizon,
        logistics=logistics,
    )
    tally.used = len(orders)
    return history, import_report(history, (tally,))


def _stamp(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat()


def write_order_lines(history: History, target: str | Path | IO[str]) -> int:
    """Write a history as an order-lines CSV file, one row per order, times in UTC.

    A sale, return or logistics record without its order has no line to go on: a history
    holding one is refused rather than written short. The ``delivery_cost`` and
    ``return_cost`` columns are always written, empty for an order with no logistics.

    Args:
        history: the history.
        target: a path (``.gz`` at the end writes it gzipped) or an open text stream.

    Returns:
        The number of lines written.

    Raises:
        InvalidArgumentError: the history has sales, returns or logistics without their
            order.

    Example:
        >>> import io
        >>> from redemption.sample import sample_history
        >>> stream = io.StringIO()
        >>> write_order_lines(sample_history()[0], stream)
        3600
        >>> stream.getvalue().splitlines()[0].split(",")[5:11]
        ['ordered_at', 'cancelled_at', 'sold_at', 'returned_at', 'cancel_kind', 'cancel_reason']

    .. versionadded:: 0.1.0
    """
    lines = line_rows(history)
    rows: Iterable[list[Any]] = (
        [
            *row[:3],
            row[3] or "",
            row[4],
            *map(_stamp, row[5:9]),
            *(v or "" for v in row[9:15]),
            *("" if v is None else v for v in row[15:]),
        ]
        for row in lines
    )
    if isinstance(target, str | Path):
        path = Path(target)
        if path.suffix != ".gz":
            with path.open("w", encoding="utf-8", newline="") as stream:
                return _write(stream, rows, len(lines))
        # no name or time stamp in the gzip header: the same history writes the same bytes
        with (
            path.open("wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed,
            io.TextIOWrapper(packed, encoding="utf-8", newline="") as stream,
        ):
            return _write(stream, rows, len(lines))
    return _write(target, rows, len(lines))


def _write(stream: IO[str], rows: Iterable[list[Any]], count: int) -> int:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(LINE_COLUMNS)
    writer.writerows(rows)
    return count
