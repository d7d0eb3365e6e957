"""Order lines as CSV: one row per order, its sale and return on the same row.

The columns are the ones `redemption.frames` takes, so a frame written to CSV reads back
here and a history written here loads into any frame library:

=================  ========================================================================
``order_id``       the order line's id (required)
``seller_id``      the seller's id (optional column; `read_order_lines`'s `seller_id` if absent)
``sku``            the product's id (required)
``buyer_id``       the buyer's id, empty where unknown (optional column)
``price``          what the buyer pays, in whole **kopecks** (required): ``152050`` is 1520.50
``ordered_at``     when the order was placed (required)
``cancelled_at``   when it was cancelled or refused, empty if it was not
``sold_at``        when it was bought out, empty if it was not
``returned_at``    when it was returned, empty if it was not
=================  ========================================================================

Timestamps are ISO 8601 with their UTC offset (``2025-04-01T10:30:00+03:00``); a timestamp
without one is a bad row, since the instant it means is unknown.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import IO, Any

from redemption.errors import InvalidArgumentError, ReportFormatError
from redemption.history import History
from redemption.io.report import BadRow, Errors, ImportReport, Progress, RowTally, read_text
from redemption.model import Order, Return, Sale
from redemption.money import from_kopecks, to_kopecks

__all__ = ["LINE_COLUMNS", "LineRow", "line_rows", "read_order_lines", "write_order_lines"]

LINE_COLUMNS = (
    "order_id",
    "seller_id",
    "sku",
    "buyer_id",
    "price",
    "ordered_at",
    "cancelled_at",
    "sold_at",
    "returned_at",
)
"""The columns of an order-lines file, in the order `write_order_lines` writes them."""

_REQUIRED = ("order_id", "sku", "price", "ordered_at")


def _moment(row: dict[str, str], field: str) -> datetime | None:
    text = (row.get(field) or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRow(field, reason=f"not a date and time: {text!r}") from None
    if moment.tzinfo is None:
        raise BadRow(field, reason=f"{text!r} has no UTC offset, so the instant is unknown")
    return moment


def _kopecks(row: dict[str, str]) -> int:
    text = (row.get("price") or "").strip()
    if not text:
        raise BadRow(field="price", reason="missing")
    if not text.lstrip("-").isdigit():
        reason = f"expected whole kopecks (152050 for 1520.50), found {text!r}"
        raise BadRow(field="price", reason=reason)
    return int(text)


def _records(row: dict[str, str], seller_id: str) -> tuple[Order, Sale | None, Return | None]:
    order_id = (row.get("order_id") or "").strip()
    if not order_id:
        raise BadRow(field="order_id", reason="missing")
    ordered_at = _moment(row, "ordered_at")
    if ordered_at is None:
        raise BadRow(field="ordered_at", reason="missing")
    kopecks = _kopecks(row)
    sold_at, returned_at = _moment(row, "sold_at"), _moment(row, "returned_at")
    order = Order(
        order_id=order_id,
        seller_id=(row.get("seller_id") or "").strip() or seller_id,
        sku=(row.get("sku") or "").strip(),
        buyer_id=(row.get("buyer_id") or "").strip() or None,
        price=from_kopecks(kopecks),
        ordered_at=ordered_at,
        cancelled_at=_moment(row, "cancelled_at"),
    )
    sale = None if sold_at is None else Sale(order_id=order_id, sold_at=sold_at)
    back = None if returned_at is None else Return(order_id=order_id, returned_at=returned_at)
    return order, sale, back


def read_order_lines(
    source: str | Path | bytes,
    *,
    seller_id: str = "seller",
    errors: Errors = "raise",
    progress: Progress | None = None,
) -> tuple[History, ImportReport]:
    r"""Read an order-lines CSV file (gzipped too) into a `History`, with a report on every row.

    Args:
        source: the file's path, or its bytes.
        seller_id: the seller of rows with no ``seller_id`` column or an empty one.
        errors: ``"raise"`` stops at the first bad row with a `ReportFormatError` naming the
            file, row and field; ``"collect"`` goes on and lists every bad row.
        progress: told ``(source, rows done, rows in the source)`` as rows are read.

    Returns:
        The history, and the import report.

    Raises:
        ReportFormatError: an empty or unreadable file, a header without the required
            columns, or (with ``errors="raise"``) a bad row.
        DataError: the rows contradict each other (the same order twice, a sale of a
            cancelled order...).

    Example:
        >>> text = (b"order_id,sku,buyer_id,price,ordered_at,sold_at\n"
        ...         b"o1,nm-42,b-7,152050,2025-04-01T10:30:00+03:00,2025-04-05T12:00:00+03:00\n")
        >>> history, report = read_order_lines(text)
        >>> history.orders[0].price, history.orders[0].buyer_id, report.sales
        (Decimal('1520.50'), 'b-7', 1)

    .. versionadded:: 0.1.0
    """
    name, text = read_text(source, "order lines with a header row")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [column for column in _REQUIRED if column not in header]
    if missing:
        msg = (
            f"{name}: not an order-lines file: no column {', '.join(missing)} "
            f"(the header is {', '.join(header)})"
        )
        raise ReportFormatError(msg, source=name, row=1)
    rows = list(reader)
    tally = RowTally(errors, progress)
    orders: list[Order] = []
    sales: list[Sale] = []
    returns: list[Return] = []
    for number, row in tally.each(name, rows, first=2):  # row 1 is the header
        records = tally.attempt(name, number, partial(_records, seller_id=seller_id), row)
        if records is None:
            continue
        order, sale, back = records
        orders.append(order)
        if sale is not None:
            sales.append(sale)
        if back is not None:
            returns.append(back)
    history = History(orders=orders, sales=sales, returns=returns)
    report = ImportReport(
        rows_read=tally.rows_read,
        used=len(orders),
        merged=0,
        skipped=(),
        refused=tuple(tally.refused),
        orders=len(orders),
        sales=len(sales),
        returns=len(returns),
    )
    return history, report


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
]
"""One order line's values, in the order of `LINE_COLUMNS`; price in kopecks, times UTC."""


def line_rows(history: History) -> list[LineRow]:
    """Return one row per order of the history, its values in the order of `LINE_COLUMNS`.

    A sale or return without its order has no line to go on: rather than leave it out,
    the history is refused.

    Raises:
        InvalidArgumentError: the history has sales or returns without their order.
    """
    unmatched = len(history.unmatched_sales) + len(history.unmatched_returns)
    if unmatched:
        msg = (
            f"the history has {unmatched} sales or returns without their order; "
            "order lines have no row for them"
        )
        raise InvalidArgumentError(msg)
    lines = history.lines
    return [
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
        )
        for order, sold_at, returned_at in zip(
            lines.orders, lines.sold_at, lines.returned_at, strict=True
        )
    ]


def _stamp(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat()


def write_order_lines(history: History, target: str | Path | IO[str]) -> int:
    """Write a history as an order-lines CSV file, one row per order, times in UTC.

    A sale or return without its order has no line to go on: a history holding one is
    refused rather than written short.

    Args:
        history: the history.
        target: a path (``.gz`` at the end writes it gzipped) or an open text stream.

    Returns:
        The number of lines written.

    Raises:
        InvalidArgumentError: the history has sales or returns without their order.

    Example:
        >>> import io
        >>> from redemption.sample import sample_history
        >>> stream = io.StringIO()
        >>> write_order_lines(sample_history()[0], stream)
        3600
        >>> stream.getvalue().splitlines()[0]
        'order_id,seller_id,sku,buyer_id,price,ordered_at,cancelled_at,sold_at,returned_at'

    .. versionadded:: 0.1.0
    """
    lines = line_rows(history)
    rows: Iterable[list[Any]] = (
        [*row[:3], row[3] or "", row[4], *map(_stamp, row[5:])] for row in lines
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
