"""The Wildberries realization report as the seller portal gives it: an ``.xlsx`` workbook.

The portal's weekly realization report ("Детализация отчёта о реализации") comes as a
``.zip`` holding one ``.xlsx`` or more; each is a sheet of the rows the API's
``reportDetailByPeriod`` gives, under Russian headers. `read_wildberries_portal_realization`
turns each row back into the API's row and reads them with the very rules of
`redemption.io.read_wildberries_realization` (`redemption.io.wildberries.realization_history`):
sales and returns, refusals and other cancellations from the ways back, logistics costs,
reasons, conflicts.

Header to field. A header is matched whatever its case, runs of spaces, and "ё" or "е":

=================================================  ============================
portal header                                      ``reportDetailByPeriod`` field
=================================================  ============================
Обоснование для оплаты                             ``supplier_oper_name``
Srid                                               ``srid``
Код номенклатуры                                   ``nm_id``
Дата заказа покупателем                            ``order_dt``
Дата продажи                                       ``sale_dt``
Цена розничная с учетом согласованной скидки       ``retail_price_withdisc_rub``
Виды логистики, штрафов и корректировок ВВ, or     ``bonus_type_name``
(earlier reports) Виды логистики, штрафов и доплат
Услуги по доставке товара покупателю               ``delivery_rub``
Количество доставок (or Кол-во доставок)           ``delivery_amount``
Количество возврата                                ``return_amount``
Дата конца отчётного периода (if the file has it)  ``date_to``
=================================================  ============================

Every column but the last is required: a sheet without one is refused, naming it. Other
columns («№», «Тип документа», «Кол-во», «Артикул поставщика», «Номер поставки», ...) hold
nothing the reader uses and are not read; in particular «Дата начала/конца действия
фиксации» are the dates of a fixed tariff, not of the report. Where the mapping comes from:

- the field descriptions of Wildberries' own OpenAPI file, ``DetailReportItem`` of
  ``/api/v5/supplier/reportDetailByPeriod`` (repository eslazarev/wildberries-sdk, path
  ``specs/13-finances.yaml`` at aa340396, a mirror of dev.wildberries.ru's
  ``13-finances.yaml``; excerpt in ``shared/data/wildberries/``): "Обоснование для оплаты",
  "Дата продажи", "Цена розничная с учётом согласованной скидки", "Услуги по доставке товара
  покупателю", "Количество доставок", "Количество возврата", "Виды логистики, штрафов и
  корректировок ВВ", "Дата конца отчётного периода" are the descriptions of the fields;
- public code that reads the portal's files, found in the public code index by the exact
  headers (the index named no repository or path for them, only its file ids): a
  TypeScript job that downloads the portal's ``archived-excel`` zip and maps «Код
  номенклатуры» to ``nm_id``, «Дата заказа покупателем» to ``order_dt``, «Обоснование для
  оплаты» to ``supplier_oper_name`` and so on (file 53654353186); a JavaScript parser of
  the weekly report (``.xlsx``, or a ``.zip`` holding one) with the spellings «Цена
  розничная с учетом/учётом согласованной скидки» and «Srid» (file 71156658946); a test
  pinning the 81 headers of a real report of 2025, «Srid» among them (file 63075771570);
  and a Python loader of the portal's zips whose headers include «Виды логистики, штрафов
  и доплат» and «Кол-во доставок» of earlier reports (file 4660463686).

Values. The portal writes values as Excel does, not as the API: a date is an Excel date (or
a number of days, or text ``dd.mm.yyyy`` or ISO 8601, with or without a time), a number
is an Excel number or text with a decimal comma and spaces between groups of digits
(``1 249,50``). Each is written back as the API writes it (``2025-04-01T00:00:00``,
``1249.50``); a value that is neither is handed on as it is, for the realization reader to
refuse naming its row and column. A time without a zone is Moscow time, as in the API.

Rows. The header is the first row, among the first ten of a sheet, that holds «Обоснование
для оплаты»; the rows below it are the report's. Every sheet with such a header is read, of
every workbook in a zip, together as one report: the rows of one order may be in several
of them. `read_realization_reports` reads several files so, the portal's weekly workbooks
and the API's JSON, mixed or not: a sale in one week and its return in the next are one
order. Empty rows at the end of a sheet are no rows; an empty row between rows is a row
without an operation, refused. The portal file has no end of its period: the history's
horizon is then unknown (`History.horizon` is `None`), as for API rows without
``date_to``. Each problem names the file (``report.zip/part.xlsx``), the sheet, the row as
Excel numbers it, and the column (with its cell).

Bounds. A workbook is a zip archive: the archive, and a workbook inside the portal's zip,
are each checked against `Limits` before anything is unpacked: ``max_archive_members``
files, ``max_decompressed_bytes`` unpacked in all, no file unpacking to more than
``max_zip_ratio`` times its packed size beyond the first 16 MiB. Rows are read one at a
time (openpyxl in read-only mode), at most the 1,048,576 rows of an Excel sheet and the
columns of the header.

Needs openpyxl: ``pip install 'redemption[excel]'``.

.. versionadded:: 0.2.0
"""  # noqa: RUF002 - Wildberries' own words are Russian

from __future__ import annotations

import io
import itertools
import re
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, cast

import attrs

from redemption.errors import LimitExceededError, MissingExtraError, ReportFormatError
from redemption.history import History
from redemption.io.limits import CHUNK_BYTES, DEFAULT_LIMITS, Limits, regular_file
from redemption.io.report import (
    Errors,
    ImportReport,
    Progress,
    RowTally,
    import_report,
    source_name,
)
from redemption.io.wildberries import realization_history, realization_sources
from redemption.reasons import Reasons, ReasonWords, match_key

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

__all__ = [
    "COLUMNS",
    "WorkbookContents",
    "is_portal_realization",
    "read_realization_reports",
    "read_wildberries_portal_realization",
    "workbook_contents",
]

MISSING_EXTRA: Final = "reading .xlsx files needs openpyxl: pip install 'redemption[excel]'"

COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "supplier_oper_name": ("Обоснование для оплаты",),
    "srid": ("Srid",),
    "nm_id": ("Код номенклатуры",),
    "order_dt": ("Дата заказа покупателем",),
    "sale_dt": ("Дата продажи",),
    "retail_price_withdisc_rub": ("Цена розничная с учетом согласованной скидки",),  # noqa: RUF001
    "bonus_type_name": (
        "Виды логистики, штрафов и корректировок ВВ",  # noqa: RUF001 - Wildberries' words
        "Виды логистики, штрафов и доплат",
    ),
    "delivery_rub": ("Услуги по доставке товара покупателю",),
    "delivery_amount": ("Количество доставок", "Кол-во доставок"),
    "return_amount": ("Количество возврата",),
}
"""Each ``reportDetailByPeriod`` field the realization reader uses, and the portal's headers
for it (the first the sheet has is read). Every one is required."""

_OPTIONAL: Final[Mapping[str, tuple[str, ...]]] = {
    "date_to": ("Дата конца отчётного периода",),
}
_MARK: Final = match_key(COLUMNS["supplier_oper_name"][0])
"""The header that marks a sheet of the realization report."""
_MOMENTS: Final = frozenset({"order_dt", "sale_dt", "date_to"})
_NUMBERS: Final = frozenset(
    {"retail_price_withdisc_rub", "delivery_rub", "delivery_amount", "return_amount"}
)
_BATCH: Final = 1024
"""How many rows are parsed at a time."""
_HEADER_ROWS: Final = 10
"""How far down a sheet its header may be."""
_SHEET_ROWS: Final = 1 << 20
"""The rows of an Excel sheet (1,048,576): rows beyond are never read."""
_RATIO_FLOOR: Final = 1 << 24
"""Bytes any file of an archive may unpack to whatever its ratio (16 MiB)."""
_IN_MEMORY: Final = 1 << 26
"""A workbook inside a zip is copied out to memory up to this size (64 MiB), else to disk."""
_WHOLE: Final = 1 << 53
"""A float below this many is a whole number exactly (an Excel number is a double)."""
_LAST_SERIAL: Final = 2_958_466
"""The Excel date after 9999-12-31."""
_ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")
_EOCD: Final = b"PK\x05\x06"
_EOCD_SIZE: Final = 22
_DAY_FIRST = re.compile(
    r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})(?:[ T]+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?"
)
_AMOUNT = re.compile(r"[+-]?(?:[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+|[0-9]+)(?:,[0-9]+)?")
_GROUP_SPACES = str.maketrans("", "", " \u00a0\u202f")


def _openpyxl() -> Any:  # noqa: ANN401 - the module, typed where it is used
    """Import openpyxl, or say which extra installs it."""
    try:
        import openpyxl  # noqa: PLC0415 - only the readers of workbooks need it
    except ImportError as missing:
        raise MissingExtraError(MISSING_EXTRA) from missing
    return openpyxl


# --- Cells: values as the API writes them ----------------------------------------------------


def _moment(value: object, epoch: datetime) -> object:
    """A date cell as the API's ISO text (naive: Moscow time), or the value where it is none."""
    moment: object = value
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < _LAST_SERIAL:
        from openpyxl.utils.datetime import from_excel  # noqa: PLC0415

        moment = from_excel(value, epoch)  # days since the epoch: a date not formatted as one
    elif isinstance(value, str) and (match := _DAY_FIRST.fullmatch(value.strip())):
        day, month, year, hour, minute, second = match.groups()
        try:
            moment = datetime(  # noqa: DTZ001 - naive, as the API writes Moscow time
                int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
            )
        except ValueError:  # no such day: the text is refused as it is written
            return value
    return moment.isoformat() if isinstance(moment, datetime | date) else value


def _number(value: object, _epoch: datetime) -> object:
    """A number cell as the API writes it: text with a decimal comma gets a point."""
    if isinstance(value, str):
        text = value.strip()
        if _AMOUNT.fullmatch(text):
            return text.translate(_GROUP_SPACES).replace(",", ".")
    return value


def _text(value: object, _epoch: datetime) -> object:
    """A text cell as it is; a whole number Excel holds as a float, as a whole number."""
    if isinstance(value, float) and value.is_integer() and abs(value) < _WHOLE:
        return int(value)
    return value


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_READ: Final[Mapping[str, Callable[[object, datetime], object]]] = {
    field: _moment if field in _MOMENTS else _number if field in _NUMBERS else _text
    for field in (*COLUMNS, *_OPTIONAL)
}


# --- Archives, within the limits --------------------------------------------------------------


def _declared_members(file: IO[bytes]) -> int | None:
    """How many files a zip archive's end record says it holds (`None`: it has none)."""
    size = file.seek(0, io.SEEK_END)
    tail_size = min(size, _EOCD_SIZE + 0xFFFF)
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        return None
    return int.from_bytes(tail[at + 10 : at + 12], "little")


def _too_many(name: str, members: int, most: int) -> LimitExceededError:
    msg = (
        f"{name}: an archive of {members:,} files, more than {most:,} (Limits.max_archive_members)"
    )
    return LimitExceededError(msg, source=name, limit="max_archive_members")


def _archive(file: IO[bytes], name: str, limits: Limits) -> zipfile.ZipFile:
    """Open a zip archive, refusing one beyond the limits before anything is unpacked."""
    most = limits.max_archive_members
    members = _declared_members(file)
    if members is not None and members > most:
        raise _too_many(name, members, most)
    file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        msg = f"{name}: not a readable zip archive ({error})"
        raise ReportFormatError(msg, source=name) from None
    if len(infos) > most:
        archive.close()
        raise _too_many(name, len(infos), most)
    total = sum(info.file_size for info in infos)
    if total > limits.max_decompressed_bytes:
        archive.close()
        msg = (
            f"{name}: the archive unpacks to {total:,} bytes, more than "
            f"{limits.max_decompressed_bytes:,} (Limits.max_decompressed_bytes)"
        )
        raise LimitExceededError(msg, source=name, limit="max_decompressed_bytes")
    for info in infos:
        if info.file_size > max(_RATIO_FLOOR, info.compress_size * limits.max_zip_ratio):
            archive.close()
            msg = (
                f"{name}: {info.compress_size:,} bytes of {info.filename!r} unpack to "
                f"{info.file_size:,}, over {limits.max_zip_ratio} times their size "
                "(Limits.max_zip_ratio)"
            )
            raise LimitExceededError(msg, source=name, limit="max_zip_ratio")
    return archive


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as written: UTF-8, or the DOS code page of a Russian Windows."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp866", errors="replace")


def _is_workbook(archive: zipfile.ZipFile) -> bool:
    return "xl/workbook.xml" in {name.casefold() for name in archive.namelist()}


def _opened(source: str | Path | bytes, name: str, limits: Limits, stack: ExitStack) -> IO[bytes]:
    """The file or bytes, opened; refused unless a zip archive, or beyond the limits."""
    if isinstance(source, bytes):
        file: IO[bytes] = io.BytesIO(source)
    else:
        size = regular_file(source).st_size
        if size > limits.max_decompressed_bytes:
            msg = (
                f"{name}: the file holds more than {limits.max_decompressed_bytes:,} bytes "
                "(Limits.max_decompressed_bytes)"
            )
            raise LimitExceededError(msg, source=name, limit="max_decompressed_bytes")
        file = stack.enter_context(Path(source).open("rb"))  # noqa: SIM115 - the stack closes it
    if file.read(4) not in _ZIP_MAGIC:
        msg = f"{name}: not an Excel workbook (.xlsx), nor a zip archive of them"
        raise ReportFormatError(msg, source=name)
    return file


def _copied(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> IO[bytes]:
    """A workbook inside an archive, copied out (its size was checked), to be read."""
    copy = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)  # noqa: SIM115 - returned open
    try:
        with archive.open(info) as member:
            shutil.copyfileobj(member, copy, CHUNK_BYTES)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        copy.close()
        msg = f"{name}: cannot be unpacked ({error})"
        raise ReportFormatError(msg, source=name) from None
    copy.seek(0)
    return copy


def _workbooks(
    file: IO[bytes], name: str, limits: Limits, stack: ExitStack
) -> Iterator[tuple[str, Workbook]]:
    """Each workbook the file is or holds, named, opened read-only."""
    archive = stack.enter_context(_archive(file, name, limits))
    if _is_workbook(archive):
        archive.close()
        file.seek(0)
        yield name, _workbook(file, name)
        return
    members = [
        info
        for info in archive.infolist()
        if not info.is_dir() and info.filename.casefold().endswith(".xlsx")
    ]
    if not members:
        msg = f"{name}: a zip archive with no Excel workbook (.xlsx) in it"
        raise ReportFormatError(msg, source=name)
    for info in members:
        inner = f"{name}/{_member_name(info)}"
        copy = stack.enter_context(_copied(archive, info, inner))
        stack.enter_context(_archive(copy, inner, limits))  # within the limits too
        copy.seek(0)
        yield inner, _workbook(copy, inner)


def _workbook(file: IO[bytes], name: str) -> Workbook:
    """Open a workbook read-only, with the cached values of formulas."""
    openpyxl = _openpyxl()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of styles and extensions it drops
            book: Workbook = openpyxl.load_workbook(
                file, read_only=True, data_only=True, keep_links=False
            )
    except Exception as error:  # noqa: BLE001 - openpyxl raises anything on a broken workbook
        msg = f"{name}: not a readable Excel workbook ({type(error).__name__}: {error})"
        raise ReportFormatError(msg, source=name) from None
    return book


# --- Sheets ---------------------------------------------------------------------------------


def _unread(sheet: str, row: int, error: Exception) -> ReportFormatError:
    msg = f"{sheet} row {row}: the sheet cannot be read ({type(error).__name__}: {error})"
    return ReportFormatError(msg, source=sheet, row=row)


def _values(
    sheet: ReadOnlyWorksheet, name: str, first: int, last: int, width: int | None
) -> Iterator[tuple[Any, ...]]:
    """The values of rows `first` to `last` (at most `width` columns), row by row.

    Rows are parsed a batch at a time, openpyxl's warnings (on styles and extensions it
    drops) silenced; anything it raises on a broken sheet is a `ReportFormatError` naming
    the row.
    """
    # the stubs give iter_rows to Worksheet alone; ReadOnlyWorksheet borrows it
    reader = cast("Any", sheet)
    rows = reader.iter_rows(min_row=first, max_row=last, max_col=width, values_only=True)
    number = first
    while True:
        batch: list[tuple[Any, ...]] = []
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                batch.extend(itertools.islice(rows, _BATCH))
        except Exception as error:  # noqa: BLE001 - openpyxl raises anything on a broken sheet
            raise _unread(name, number + len(batch), error) from None
        yield from batch
        if len(batch) < _BATCH:
            return
        number += _BATCH


def _header(sheet: ReadOnlyWorksheet, name: str) -> tuple[int, dict[str, tuple[int, str]]] | None:
    """The header's row and, by match key, each header's column and text; `None`: no header."""
    for number, values in enumerate(_values(sheet, name, 1, _HEADER_ROWS, None), 1):
        found = {
            match_key(str(value)): (column, str(value).strip())
            for column, value in reversed(list(enumerate(values)))
            if not _blank(value)
        }
        if _MARK in found:
            return number, found
    return None


Columns = dict[str, tuple[int, str]]
"""Each field read: its column (from 0) and the header the sheet gives it."""


def _columns(found: dict[str, tuple[int, str]], name: str) -> Columns:
    """The column of each field; a required one missing is refused, naming it."""
    columns: Columns = {}
    for fields, required in ((COLUMNS, True), (_OPTIONAL, False)):
        for field, headers in fields.items():
            hit = next((found[key] for key in map(match_key, headers) if key in found), None)
            if hit is not None:
                columns[field] = hit
            elif required:
                also = f" (or {', '.join(map(repr, headers[1:]))})" if headers[1:] else ""
                header = ", ".join(text for _, text in sorted(found.values()))
                msg = (
                    f"{name}: no column {headers[0]!r}{also}, which the Wildberries "
                    f"realization report has; the header is {header}"
                )
                raise ReportFormatError(msg, source=name, field=headers[0])
    return columns


class _SheetRows:
    """The rows of one sheet below its header, as ``reportDetailByPeriod`` rows.

    Empty rows at the end are left out; an empty row between rows is given (and refused).
    Each row's ``rrd_id`` is unique among all sheets read, made of `key` (the sheet's
    number among them) and its own number; it is no number, so it never equals the
    ``rrd_id`` of an API row read with them.
    """

    def __init__(
        self,
        sheet: ReadOnlyWorksheet,
        name: str,
        header: int,
        columns: Columns,
        *,
        epoch: datetime,
        key: int,
    ) -> None:
        self.sheet, self.name, self.header, self.columns = sheet, name, header, columns
        self.epoch, self.key = epoch, key
        self.width = max(column for column, _ in columns.values()) + 1
        declared = sheet.max_row if isinstance(sheet.max_row, int) else 0
        self.declared = max(min(declared, _SHEET_ROWS) - header, 0)

    def estimated_total(self, done: int) -> int:
        """How many rows the sheet says it has below its header: for progress only."""
        return max(done, self.declared)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Yield each row, numbered from the row below the header."""
        blanks = 0  # empty rows held back: given only if a row follows them
        number = self.header
        fields = [(field, column, _READ[field]) for field, (column, _) in self.columns.items()]
        width = self.width
        gap: tuple[Any, ...] | None = None  # openpyxl gives one tuple for every missing row
        for values in _values(self.sheet, self.name, self.header + 1, _SHEET_ROWS, width):
            number += 1
            if values is gap or all(map(_blank, values)):
                gap = values
                blanks += 1
                continue
            while blanks:
                yield {"rrd_id": f"sheet {self.key} row {number - blanks}"}
                blanks -= 1
            row: dict[str, Any] = {"rrd_id": f"sheet {self.key} row {number}"}
            for field, column, read in fields:
                value = values[column] if column < len(values) else None
                row[field] = None if _blank(value) else read(value, self.epoch)
            yield row


class _ColumnTally(RowTally):
    """A tally that names a bad row's column, and its cell, rather than the API's field."""

    def __init__(self, errors: Errors, progress: Progress | None) -> None:
        super().__init__(errors, progress)
        self.columns: dict[str, Columns] = {}

    def problem(self, name: str, number: int, field: str | None, reason: str) -> None:
        """A bad row, naming the column the field was read from and its cell."""
        column = None if field is None else self.columns.get(name, {}).get(field)
        if column is not None:
            from openpyxl.utils.cell import get_column_letter  # noqa: PLC0415

            at, header = column
            field, reason = header, f"{reason} (cell {get_column_letter(at + 1)}{number})"
        super().problem(name, number, field, reason)


def _sheets(
    books: Iterator[tuple[str, Workbook]], name: str, tally: _ColumnTally, keys: Iterator[int]
) -> Generator[tuple[str, _SheetRows, int], None, None]:
    """Each sheet of the report in the workbooks: its name, its rows, its first row's number.

    Each sheet read takes the next of `keys` (shared by every file of one read) for its
    rows' ``rrd_id``.

    Raises:
        ReportFormatError: a report sheet lacks a column; or no sheet is the report's.
    """
    seen: list[str] = []
    read = 0
    for book_name, book in books:
        epoch = book.epoch
        for sheet in book.worksheets:
            sheet_name = f"{book_name}, sheet {sheet.title!r}"
            seen.append(sheet_name)
            found = _header(sheet, sheet_name)
            if found is None:
                continue
            header, headers = found
            columns = _columns(headers, sheet_name)
            tally.columns[sheet_name] = columns
            read += 1
            rows = _SheetRows(sheet, sheet_name, header, columns, epoch=epoch, key=next(keys))
            yield sheet_name, rows, header + 1
    if not read:
        where = "; ".join(seen) or "no sheets"
        msg = (
            f"{name}: no sheet has the column {COLUMNS['supplier_oper_name'][0]!r} in its "
            f"first {_HEADER_ROWS} rows; is this the Wildberries realization report? ({where})"
        )
        raise ReportFormatError(msg, source=name)


def read_wildberries_portal_realization(
    source: str | Path | bytes,
    *,
    seller_id: str = "seller",
    reasons: ReasonWords | None = None,
    errors: Errors = "raise",
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[History, ImportReport]:
    """Read the realization report the seller portal gives (``.xlsx``, or its ``.zip``).

    Every row becomes the ``reportDetailByPeriod`` row it stands for, and the rows are read
    as `redemption.io.read_wildberries_realization` reads the API's: see there what each
    makes. The module's text says which column is which field, and how values are read.

    Args:
        source: the ``.xlsx`` file, or the ``.zip`` holding one or more (its path, or its
            bytes).
        seller_id: the seller the report belongs to.
        reasons: the caller's words for reasons, laid over the shipped Wildberries table.
        errors: ``"raise"`` stops at the first bad row with a `ReportFormatError` naming
            the file, sheet, row and column; ``"collect"`` goes on and lists every bad row
            in ``report.refused``.
        progress: told ``(sheet, rows done, rows in the sheet)`` as rows are read.
        limits: the bounds on what a file may hold (`redemption.io.Limits`).

    Returns:
        The history (its horizon unknown: the portal's file does not say where its period
        ends), and the import report.

    Raises:
        MissingExtraError: openpyxl is not installed (``pip install 'redemption[excel]'``).
        ReportFormatError: not a workbook or a zip of them, a broken one, no sheet of the
            report, a sheet without a required column, or (with ``"raise"``) a bad row.
        LimitExceededError: the file goes beyond one of `limits`.
        DataError: the rows contradict each other (with ``"raise"``).

    Example:
        >>> import io, openpyxl
        >>> book = openpyxl.Workbook()
        >>> book.active.append(["Обоснование для оплаты", "Srid", "Код номенклатуры",
        ...     "Дата заказа покупателем", "Дата продажи",
        ...     "Цена розничная с учетом согласованной скидки",
        ...     "Виды логистики, штрафов и корректировок ВВ",
        ...     "Услуги по доставке товара покупателю", "Количество доставок",
        ...     "Количество возврата"])
        >>> book.active.append(["Продажа", "a1", 42, "01.04.2025", "05.04.2025", "990,50",
        ...     None, 0, 0, 0])
        >>> file = io.BytesIO()
        >>> book.save(file)
        >>> history, report = read_wildberries_portal_realization(file.getvalue())
        >>> history.orders[0].price, history.sales[0].sold_at.isoformat()
        (Decimal('990.50'), '2025-04-04T21:00:00+00:00')
        >>> report.used, report.accounted
        (1, True)

    .. versionadded:: 0.2.0
    """  # noqa: RUF002 - Wildberries' own words
    _openpyxl()
    return _read(
        _report_sources([source], limits, api=False),
        seller_id=seller_id,
        reasons=reasons,
        errors=errors,
        progress=progress,
    )


def _is_archive(source: str | Path | bytes) -> bool:
    """Whether a file (or bytes) starts as a zip archive does: a workbook, or a zip of them."""
    if isinstance(source, bytes):
        return source[:4] in _ZIP_MAGIC
    regular_file(source)
    with Path(source).open("rb") as file:
        return file.read(4) in _ZIP_MAGIC


_Sources = Callable[
    [_ColumnTally], Generator[tuple[str, Iterable[dict[str, Any]], int], None, None]
]
"""The sources of rows of a read, for `realization_history`, given the read's tally."""


def _report_sources(
    reports: Sequence[str | Path | bytes], limits: Limits, *, api: bool
) -> _Sources:
    """The sources of rows of every report, in turn.

    A workbook (or a zip of them) gives each sheet of the report, and is closed once
    they are read; with `api`, a file that is neither is read as the API's JSON rows,
    else it is refused.
    """

    def sources(
        tally: _ColumnTally,
    ) -> Generator[tuple[str, Iterable[dict[str, Any]], int], None, None]:
        keys = itertools.count(1)
        for report in reports:
            if api and not _is_archive(report):
                yield from realization_sources(report, limits=limits)
                continue
            _openpyxl()
            name = source_name(report)
            with ExitStack() as stack:
                file = _opened(report, name, limits, stack)
                yield from _sheets(_workbooks(file, name, limits, stack), name, tally, keys)

    return sources


def _read(
    sources: _Sources,
    *,
    seller_id: str,
    reasons: ReasonWords | None,
    errors: Errors,
    progress: Progress | None,
) -> tuple[History, ImportReport]:
    """Read the rows of every source as one realization report."""
    words = Reasons("wildberries", reasons)
    tally = _ColumnTally(errors, progress)
    rows = sources(tally)
    try:
        history = realization_history(
            rows, seller_id=seller_id, words=words, tally=tally, errors=errors
        )
    finally:
        rows.close()
    return history, import_report(history, (tally,), words)


def read_realization_reports(
    reports: Sequence[str | Path | bytes],
    *,
    seller_id: str = "seller",
    reasons: ReasonWords | None = None,
    errors: Errors = "raise",
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[History, ImportReport]:
    """Read several realization reports, the portal's workbooks or the API's JSON, as one.

    The portal gives one report a week: an order sold in one week's report and returned
    in a later one's is one order, sold and returned; its logistics are summed over every
    report, and a conflict between its rows names the file (and sheet) and row of each.
    Each report is a workbook (``.xlsx``, or the portal's ``.zip`` of them), read as
    `read_wildberries_portal_realization` reads it, or a JSON file of
    ``reportDetailByPeriod`` rows, read as `redemption.io.read_wildberries_realization`
    reads it; each is told apart by its first bytes (a zip archive's, or not), and they may
    be mixed. A row of the API repeated (same ``rrd_id``, overlapping pages) is merged; the
    portal's rows have no ``rrd_id``, so the same week given twice, or as a workbook and as
    JSON, is read twice (its rows a second sale or return of their orders, refused).

    Args:
        reports: each report's path, or its bytes, read in turn.
        seller_id: the seller the reports belong to.
        reasons: the caller's words for reasons, laid over the shipped Wildberries table.
        errors: ``"raise"`` or ``"collect"``, as for `read_wildberries_portal_realization`.
        progress: told ``(sheet or file, rows done, rows in it)`` as rows are read.
        limits: the bounds on what a file may hold (`redemption.io.Limits`).

    Returns:
        The history (its horizon the end of the latest report whose rows say where it ends,
        ``date_to``; the portal's do not), and the import report.

    Raises:
        MissingExtraError: a workbook, and openpyxl is not installed.
        ReportFormatError: a report that is neither, a bad one, or (with ``"raise"``) a bad
            row.
        LimitExceededError: a file goes beyond one of `limits`.
        DataError: the rows contradict each other (with ``"raise"``).

    Example:
        Two weekly reports: the sale in the first, the return in the second.

        >>> import json
        >>> def row(rrd_id, operation, day):
        ...     return {"rrd_id": rrd_id, "supplier_oper_name": operation, "srid": "a1",
        ...             "nm_id": 42, "order_dt": "2025-04-01T10:00:00", "sale_dt": day,
        ...             "retail_price_withdisc_rub": 990}
        >>> weeks = [json.dumps([row(1, "Продажа", "2025-04-05")]).encode(),
        ...          json.dumps([row(2, "Возврат", "2025-04-09")]).encode()]
        >>> history, report = read_realization_reports(weeks)
        >>> len(history.orders), len(history.sales), len(history.returns), report.conflicts
        (1, 1, 1, ())

    .. versionadded:: 0.2.0
    """
    return _read(
        _report_sources(reports, limits, api=True),
        seller_id=seller_id,
        reasons=reasons,
        errors=errors,
        progress=progress,
    )


@attrs.frozen(kw_only=True)
class WorkbookContents:
    """What a workbook, or a zip archive, holds: to say what a file that is no report is.

    Attributes:
        members: the files of a zip archive that is not itself a workbook; none for one.
        workbook: the workbook described: the file's name, or the first workbook in the
            zip's; `None` where the zip holds none.
        sheets: the names of its sheets; `None` where openpyxl is not installed.
        first_row: the first row of its first sheet that is not empty (among the first
            ten), its cells as text, empty cells at its end left out.

    .. versionadded:: 0.2.0
    """

    members: tuple[str, ...] = ()
    workbook: str | None = None
    sheets: tuple[str, ...] | None = None
    first_row: tuple[str, ...] = ()


def _first_row(sheet: ReadOnlyWorksheet, name: str) -> tuple[str, ...]:
    """The first row of a sheet that is not empty, among its first ten, as text."""
    for values in _values(sheet, name, 1, _HEADER_ROWS, None):
        cells = ["" if _blank(value) else str(value).strip() for value in values]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            return tuple(cells)
    return ()


def workbook_contents(path: Path) -> WorkbookContents:
    """Say what a workbook, or a zip archive, holds: its files, sheets and first row.

    Only the first workbook of a zip is opened, within `DEFAULT_LIMITS`.

    Raises:
        ReportFormatError: not a zip archive, or a broken one, or a broken workbook.
        LimitExceededError: an archive beyond the limits.

    Example:
        >>> import io, pathlib, tempfile, openpyxl
        >>> book = openpyxl.Workbook()
        >>> book.active.title = "Заказы"
        >>> book.active.append(["order_id", "sku", "price", "ordered_at"])
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "lines.xlsx"
        >>> book.save(path)
        >>> contents = workbook_contents(path)
        >>> contents.sheets, contents.first_row
        (('Заказы',), ('order_id', 'sku', 'price', 'ordered_at'))
    """
    name = str(path)
    with ExitStack() as stack:
        file = _opened(path, name, DEFAULT_LIMITS, stack)
        with _archive(file, name, DEFAULT_LIMITS) as archive:
            members: tuple[str, ...] = ()
            workbook = name
            if not _is_workbook(archive):
                members = tuple(_member_name(i) for i in archive.infolist() if not i.is_dir())
                books = [member for member in members if member.casefold().endswith(".xlsx")]
                if not books:
                    return WorkbookContents(members=members)
                workbook = books[0]
        try:
            _openpyxl()
        except ImportError:
            return WorkbookContents(members=members, workbook=workbook)
        book_name, book = next(_workbooks(file, name, DEFAULT_LIMITS, stack))
        sheets = book.worksheets
        first = (
            () if not sheets else _first_row(sheets[0], f"{book_name}, sheet {sheets[0].title!r}")
        )
        return WorkbookContents(
            members=members,
            workbook=workbook,
            sheets=tuple(sheet.title for sheet in sheets),
            first_row=first,
        )


def is_portal_realization(path: Path, head: str) -> bool:
    """Whether a file is the portal's realization report: a workbook, or a zip of them.

    It is if a sheet has a header holding «Обоснование для оплаты». `head` is the first
    part of the file's text: only a zip archive is opened.

    Raises:
        MissingExtraError: a workbook, and openpyxl is not installed.
        ReportFormatError: a zip archive that cannot be read, or beyond the limits.
    """
    if not head.startswith(tuple(magic.decode("ascii") for magic in _ZIP_MAGIC)):
        return False
    name = str(path)
    with ExitStack() as stack:
        file = _opened(path, name, DEFAULT_LIMITS, stack)
        archive = _archive(file, name, DEFAULT_LIMITS)
        has_workbook = _is_workbook(archive) or any(
            info.filename.casefold().endswith(".xlsx") for info in archive.infolist()
        )
        archive.close()
        if not has_workbook:
            return False
        _openpyxl()
        for book_name, book in _workbooks(file, name, DEFAULT_LIMITS, stack):
            for sheet in book.worksheets:
                if _header(sheet, f"{book_name}, sheet {sheet.title!r}") is not None:
                    return True
    return False
