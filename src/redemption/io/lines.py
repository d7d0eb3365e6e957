"""Order lines as CSV: one row per order, its sale and return on the same row.

The columns are the order-line contract's (`redemption.order_lines`), the ones
`redemption.frames` takes, so a frame written to CSV reads back here and a history written
here loads into any frame library. Only ``order_id``, ``sku``, ``price`` and ``ordered_at``
are required; ``seller_id`` falls back to `read_order_lines`'s `seller_id`.

Prices are whole **kopecks** (``152050`` is 1520.50), and so are the optional
``delivery_cost`` and ``return_cost`` (the order's `Logistics`: a file without them reads as
a history without logistics, an empty cell is no logistics for that line). Timestamps
are ISO 8601 with their UTC offset (``2025-04-01T10:30:00+03:00``). Kinds and reason
categories are their lower-case values (``refused``, ``size_fit``); a value that is none of
them is a bad row naming its column. `write_order_lines` writes exactly that.

`read_order_lines` also reads the file as a spreadsheet saves it again
(`redemption.io.dialects`): ``;`` or tab between cells; Windows-1251 text; prices in
**roubles** with a decimal comma or point where the header or the caller says so (a column
``price_rub``, ``delivery_cost_rub``, ``return_cost_rub``; or ``price_unit="roubles"``;
``price_kopecks`` and the plain names are kopecks); moments day first (``01.11.2023 05:06``,
``01.11.2023``) or without a UTC offset, taken in the zone given (``tz=``, Moscow by
default). The unit is never guessed from the digits: a fraction in a kopecks column is a
bad row. What was assumed is said in the report's `ImportReport.notes`.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import IO, Any

import attrs

from redemption.dates import MOSCOW
from redemption.errors import InvalidArgumentError, ReportFormatError
from redemption.history import History
from redemption.io.dialects import (
    Unit,
    csv_rows,
    delimiter_in_words,
    parse_kopecks,
    parse_moment,
    read_csv_text,
    sniff_delimiter,
)
from redemption.io.limits import DEFAULT_LIMITS, Limits, csv_cell_limit
from redemption.io.report import (
    BadRow,
    Errors,
    ImportReport,
    Origins,
    Progress,
    RowTally,
    import_report,
    sifted_history,
)
from redemption.model import Logistics, Order, Return, Sale
from redemption.order_lines import (
    COST_COLUMNS,
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


_UNITS: dict[str, Unit] = {"_kopecks": "kopecks", "_rub": "roubles"}
"""The suffixes of a money column's name that say its unit."""


class _Cells:
    """How the cells of one file are read: each money column's name and unit, the zone.

    It counts the moments read without a UTC offset, taken in `tz`, for the report.
    """

    def __init__(self, money: dict[str, tuple[str, Unit]], tz: tzinfo) -> None:
        """Read money from `money`'s columns (``"price"`` -> its column and unit)."""
        self.money = money
        self.tz = tz
        self.naive = 0

    def moment(self, row: dict[str, str], field: str) -> datetime | None:
        """Read a moment; an empty cell is `None`."""
        text = (row.get(field) or "").strip()
        if not text:
            return None
        moment, naive = parse_moment(text, field, self.tz)
        self.naive += naive
        return moment

    def kopecks(self, row: dict[str, str], field: str) -> int | None:
        """Read a money column in its unit as whole kopecks; an empty cell is `None`."""
        if field not in self.money:
            return None
        column, unit = self.money[field]
        text = (row.get(column) or "").strip()
        return parse_kopecks(text, unit, column) if text else None


def _money_columns(
    name: str, header: list[str], price_unit: Unit | None
) -> dict[str, tuple[str, Unit]]:
    """Each money column's name in the header and its unit, as the header or caller says.

    A plain name (``price``) is in `price_unit`, kopecks by default; ``price_kopecks``
    and ``price_rub`` say their own. Two names for one column, or a name whose unit is
    not `price_unit`, are refused.
    """
    money: dict[str, tuple[str, Unit]] = {}
    for field in ("price", *COST_COLUMNS):
        found = [
            (column, unit)
            for column, unit in [(field, price_unit or "kopecks")]
            + [(field + suffix, unit) for suffix, unit in _UNITS.items()]
            if column in header
        ]
        if len(found) > 1:
            columns = " and ".join(column for column, _ in found)
            msg = f"{name}: both {columns}: which one is the {field}?"
            raise ReportFormatError(msg, source=name, row=1, field=found[1][0])
        for column, unit in found:
            if price_unit is not None and unit != price_unit:
                msg = f"{name}: column {column} is in {unit}, but price_unit={price_unit!r}"
                raise ReportFormatError(msg, source=name, row=1, field=column)
            money[field] = (column, unit)
    return money


def _header(
    reader: csv.DictReader[str], name: str, price_unit: Unit | None
) -> dict[str, tuple[str, Unit]]:
    """Read the header row, refusing one without the required columns; its money columns."""
    try:
        # the contract's names are lower case: ``Order_ID`` is ``order_id``
        header = [column.strip().lower() for column in reader.fieldnames or []]
    except csv.Error as error:
        msg = f"{name}: the header row cannot be read as CSV ({error})"
        raise ReportFormatError(msg, source=name, row=1) from None
    reader.fieldnames = header
    money = _money_columns(name, header, price_unit)
    missing = [
        column
        for column in REQUIRED
        if column not in header and not (column == "price" and "price" in money)
    ]
    if missing:
        msg = (
            f"{name}: not an order-lines file: no column {', '.join(missing)} "
            f"(the header is {', '.join(header)})"
        )
        raise ReportFormatError(msg, source=name, row=1)
    return money


def _empty(row: dict[str, str]) -> bool:
    """Whether every cell of a row is empty or blank (cells past the header included)."""
    cells: list[object] = list(row.values())  # past the header, a list of the extra cells
    return not any(cell.strip() if isinstance(cell, str) else cell for cell in cells)


def _text(row: dict[str, str], field: str) -> str | None:
    return (row.get(field) or "").strip() or None


def _records(
    row: dict[str, str], seller_id: str, reasons: SharedReasons, cells: _Cells
) -> LineRecords:
    order_id = _text(row, "order_id")
    if order_id is None:
        raise BadRow(field="order_id", reason="missing")
    ordered_at, cancelled_at, sold_at, returned_at = (
        cells.moment(row, field) for field in TIMESTAMPS
    )
    if ordered_at is None:
        raise BadRow(field="ordered_at", reason="missing")
    outcomes = {field: _text(row, field) for field in OUTCOME_COLUMNS}
    price = cells.kopecks(row, "price")
    if price is None:
        raise BadRow(field=cells.money["price"][0], reason="missing")
    return line_records(
        order_id=order_id,
        seller_id=_text(row, "seller_id") or seller_id,
        sku=_text(row, "sku") or "",
        buyer_id=_text(row, "buyer_id"),
        kopecks=price,
        delivery_cost=cells.kopecks(row, "delivery_cost"),
        return_cost=cells.kopecks(row, "return_cost"),
        ordered_at=ordered_at,
        cancelled_at=cancelled_at,
        sold_at=sold_at,
        returned_at=returned_at,
        reasons=reasons,
        **outcomes,
    )


def read_order_lines(
    source: str | Path | bytes,
    *,
    seller_id: str = "seller",
    errors: Errors = "raise",
    progress: Progress | None = None,
    horizon: datetime | None = None,
    limits: Limits = DEFAULT_LIMITS,
    price_unit: Unit | None = None,
    tz: tzinfo = MOSCOW,
) -> tuple[History, ImportReport]:
    r"""Read an order-lines CSV file (gzipped too) into a `History`, with a report on every row.

    The file may be in any dialect the module names: UTF-8 or Windows-1251, cells
    separated by ``,``, ``;`` or tabs, prices in kopecks or roubles, moments ISO or day
    first, with or without their UTC offset. ``report.notes`` says what was assumed.

    Args:
        source: the file's path, or its bytes.
        seller_id: the seller of rows with no ``seller_id`` column or an empty one.
        errors: ``"raise"`` stops at the first bad row with a `ReportFormatError` naming the
            file, row and field; ``"collect"`` goes on and lists every bad row.
        progress: told ``(source, rows done, rows in the source)`` as rows are read.
        limits: the bounds on what a file may hold (`redemption.io.Limits`).
        horizon: how far the file reaches, if you know (when it was exported, aware): the
            history's `History.horizon`. A file of lines does not say it.
        price_unit: the unit of the money columns named plainly (``price``,
            ``delivery_cost``, ``return_cost``): ``"kopecks"`` (the default) or
            ``"roubles"``. A column named ``..._kopecks`` or ``..._rub`` says its own unit,
            which must agree.
        tz: the zone of moments written without a UTC offset (Moscow by default).

    Returns:
        The history, and the import report.

    Raises:
        ReportFormatError: an empty or unreadable file, a header without the required
            columns or with a money column twice, or (with ``errors="raise"``) a bad row.
        InvalidArgumentError: `price_unit` is neither ``"kopecks"`` nor ``"roubles"``.
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

        The same line as a Russian spreadsheet saves it, prices in roubles:

        >>> text = ("order_id;sku;buyer_id;price_rub;ordered_at;sold_at\n"
        ...         "o1;платье-42;b-7;1520,50;01.04.2025 10:30;05.04.2025 12:00\n")
        >>> history, report = read_order_lines(text.encode("cp1251"))
        >>> order = history.orders[0]
        >>> order.sku, order.price, order.ordered_at.isoformat()
        ('платье-42', Decimal('1520.50'), '2025-04-01T07:30:00+00:00')
        >>> for note in report.notes:
        ...     print(note)
        <bytes>: Windows-1251 text, not UTF-8
        <bytes>: semicolon-separated
        <bytes>: price_rub read in roubles
        <bytes>: 2 moments without a UTC offset taken in Europe/Moscow time

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Spreadsheet dialects: `price_unit`, `tz`, and ``report.notes``.
    """
    if price_unit not in {None, "kopecks", "roubles"}:
        msg = f"price_unit must be 'kopecks' or 'roubles', not {price_unit!r}"
        raise InvalidArgumentError(msg)
    name, text, encoding = read_csv_text(source, "order lines with a header row", limits=limits)
    delimiter = sniff_delimiter(text)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    with csv_cell_limit(name, limits):  # cells up to Limits.max_csv_cell; a longer one, a bad row
        money = _header(reader, name, price_unit)
        rows = csv_rows(reader)
    cells = _Cells(money, tz)
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
        return _records(row, seller_id, reasons, cells)

    for number, row in tally.each(name, rows, first=2):  # row 1 is the header
        if not isinstance(row, BadRow) and _empty(row):
            # a spreadsheet saves the rows it formatted below the data as ";;;;"
            tally.skip(name, number, "an empty row: every cell is empty")
            continue
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
    notes = _notes(name, encoding, delimiter, money, cells)
    return history, attrs.evolve(import_report(history, (tally,)), notes=notes)


def _notes(
    name: str, encoding: str, delimiter: str, money: dict[str, tuple[str, Unit]], cells: _Cells
) -> tuple[str, ...]:
    """What reading a file assumed beyond the order-lines contract, in words."""
    notes = []
    if encoding == "cp1251":
        notes.append(f"{name}: Windows-1251 text, not UTF-8")
    if delimiter != ",":
        notes.append(f"{name}: {delimiter_in_words(delimiter)}")
    roubles = [column for column, unit in money.values() if unit == "roubles"]
    if roubles:
        notes.append(f"{name}: {', '.join(roubles)} read in roubles")
        kopecks = [column for column, unit in money.values() if unit == "kopecks"]
        if kopecks:  # a plain name beside a rouble column: said, as it is easy to misread
            notes.append(f"{name}: {', '.join(kopecks)} read in kopecks")
    if cells.naive:
        notes.append(f"{name}: {cells.naive} moments without a UTC offset taken in {cells.tz} time")
    return tuple(notes)


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
