"""Report files recognised by what they hold, not by their names, and read together.

`FORMATS` is the table of the files this library reads: each format's kind, how it is
recognised, and its reader. `report_kind` looks at the first rows of a file (gzipped or not,
any extension) and says which format it is; `read_reports` reads any mix of them, and folders
of pages as ``redemption fetch`` writes them, into one `History`. A new format is a module
with its reader, one row of the table, its test data and its tests.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Literal

import attrs

from redemption.dates import MOSCOW
from redemption.errors import InvalidArgumentError, ReportFormatError, shown
from redemption.history import History
from redemption.io.dialects import Unit, decode, decode_head, delimiter_in_words, header_cells
from redemption.io.limits import DEFAULT_LIMITS, Limits, ReportBytes, regular_file
from redemption.io.lines import read_order_lines
from redemption.io.ozon import posting_items, read_ozon_postings, return_items
from redemption.io.portal_ozon import PORTAL_COLUMNS, read_ozon_portal_postings
from redemption.io.portal_wildberries import (
    COLUMNS,
    WorkbookContents,
    is_portal_realization,
    read_realization_reports,
    workbook_contents,
)
from redemption.io.report import (
    Errors,
    ImportReport,
    Progress,
    RowTally,
    import_report,
    kept_origins,
    merged_origins,
    sifted_history,
)
from redemption.io.wildberries import read_wildberries_statistics
from redemption.io.wildberries_returns import (
    claim_rows,
    goods_return_rows,
    read_wildberries_claims,
    read_wildberries_goods_returns,
)
from redemption.reasons import ReasonWords

__all__ = [
    "FORMATS",
    "Format",
    "ReadOptions",
    "ReportKind",
    "formats_in_words",
    "read_reports",
    "report_kind",
]

ReportKind = Literal[
    "wildberries-orders",
    "wildberries-sales",
    "wildberries-realization",
    "wildberries-realization-xlsx",
    "ozon-postings",
    "ozon-returns",
    "ozon-portal-postings",
    "order-lines",
    "wildberries-goods-returns",
    "wildberries-claims",
    "empty",
]
"""What a file holds: the kind of one of `FORMATS`, or ``"empty"``, a report page with no
rows (``[]``, ``{"result": []}``, ...)."""


@attrs.frozen(kw_only=True)
class ReadOptions:
    r"""What `read_reports` was told, for every reader.

    Example:
        Read an order-lines file with its format's reader, as `read_reports` does:

        >>> import tempfile, pathlib
        >>> from redemption.io import FORMATS, ReadOptions, report_kind
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "lines.csv"
        >>> _ = path.write_text("order_id,sku,price,ordered_at\n"
        ...                     "o1,nm-42,152050,2025-04-01T10:30+03:00\n")
        >>> options = ReadOptions(seller_id="shop", as_of=None, reasons=None, errors="raise",
        ...                       progress=None)
        >>> fmt = next(fmt for fmt in FORMATS if fmt.kind == report_kind(path))
        >>> [(history, report)] = fmt.read({fmt.kind: [path]}, options)
        >>> history.orders[0].seller_id, history.orders[0].price, report.orders
        ('shop', Decimal('1520.50'), 1)

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       `tz` and `price_unit`, for the order-lines CSV.
    """

    seller_id: str
    as_of: datetime | None
    reasons: ReasonWords | None
    errors: Errors
    progress: Progress | None
    limits: Limits = DEFAULT_LIMITS
    tz: tzinfo = MOSCOW
    price_unit: Unit | None = None


Files = Mapping[ReportKind, list[Path]]
"""The files found of each kind."""

Reader = Callable[[Files, ReadOptions], list[tuple[History, ImportReport]]]
"""Reads every file of its formats (those that share it are read together)."""

Enricher = Callable[[History, Files, ReadOptions], tuple[History, ImportReport]]
"""Adds what every file of its format says to the history the readers made."""


@attrs.frozen(kw_only=True)
class Format:
    """One kind of file this library reads: how it is recognised, and its reader.

    Attributes:
        kind: its name.
        title: what it is, in words.
        keys: for JSON, keys that only its rows have (all of them, in the first rows); for
            CSV, columns its header has.
        csv: whether it is CSV text rather than JSON.
        rows_of: where its rows are in a whole JSON document (an API response may wrap
            them); by default the document is the array of rows.
        read: its reader, which makes records; formats sharing a reader are read together.
        enrich: or its enricher, which adds kinds and reasons to the records the readers
            made, after them.
        sniff: for a file that is not text (an Excel workbook), what recognises it instead
            of `keys`: told the file's path and the first part of its text.

    Example:
        What a Wildberries sales page is recognised by:

        >>> from redemption.io import FORMATS
        >>> sales = next(fmt for fmt in FORMATS if fmt.kind == "wildberries-sales")
        >>> sales.title, sales.keys, sales.csv
        ('Wildberries statistics supplier/sales JSON', ('saleID',), False)
        >>> sales.holds('[{"saleID": "S1", "srid": "a"}]'), sales.missing('[{"srid": "a"}]')
        (True, ['saleID'])

    .. versionadded:: 0.1.0
    """

    kind: ReportKind
    title: str
    keys: tuple[str, ...]
    csv: bool = False
    rows_of: Callable[[object], object] = lambda document: document
    read: Reader | None = None
    enrich: Enricher | None = None
    sniff: Callable[[Path, str], bool] | None = None

    def holds(self, head: str) -> bool:
        """Whether the first part of a file's text is of this format."""
        return not self.missing(head)

    def missing(self, head: str) -> list[str]:
        """The keys of this format a file's first part lacks (CSV: its header, any case)."""
        if self.csv:
            header = {cell.casefold() for cell in header_cells(head)[1]}
            return [key for key in self.keys if key.casefold() not in header]
        return [key for key in self.keys if f'"{key}"' not in head]


def _statistics(files: Files, options: ReadOptions) -> list[tuple[History, ImportReport]]:
    return [
        read_wildberries_statistics(
            orders=files.get("wildberries-orders"),
            sales=files.get("wildberries-sales"),
            seller_id=options.seller_id,
            errors=options.errors,
            progress=options.progress,
            limits=options.limits,
        )
    ]


def _realization(files: Files, options: ReadOptions) -> list[tuple[History, ImportReport]]:
    """Every realization report, JSON and the portal's workbooks, read as one report.

    The portal gives a report a week, so the rows of one order line (its sale, its
    return, its logistics) are in several files: read apart, a return would have no sale.
    """
    reports = [
        *files.get("wildberries-realization", []),
        *files.get("wildberries-realization-xlsx", []),
    ]
    return [
        read_realization_reports(
            reports,
            seller_id=options.seller_id,
            reasons=options.reasons,
            errors=options.errors,
            progress=options.progress,
            limits=options.limits,
        )
    ]


_SHOWN_FILES = 3


def _ozon(files: Files, options: ReadOptions) -> list[tuple[History, ImportReport]]:
    lists, portal = files.get("ozon-postings", []), files.get("ozon-portal-postings", [])
    if options.as_of is None:
        named = [*portal, *lists] or files.get("ozon-returns", [])
        where = ", ".join(map(str, named[:_SHOWN_FILES]))
        where += f" and {len(named) - _SHOWN_FILES} more" if len(named) > _SHOWN_FILES else ""
        msg = (
            f"{where}: Ozon's posting lists and postings reports give each posting's "
            "status as of when they were downloaded: give that moment as as_of (--as-of "
            "on the command line)"
        )
        raise InvalidArgumentError(msg)
    returns = files.get("ozon-returns")  # matched to the lists' postings if any, else the portal's
    read = []
    if portal:
        read.append(
            read_ozon_portal_postings(
                portal,
                as_of=options.as_of,
                returns=None if lists else returns,
                seller_id=options.seller_id,
                reasons=options.reasons,
                errors=options.errors,
                progress=options.progress,
                limits=options.limits,
            )
        )
    if lists or not portal:
        read.append(
            read_ozon_postings(
                lists,
                as_of=options.as_of,
                returns=returns,
                seller_id=options.seller_id,
                reasons=options.reasons,
                errors=options.errors,
                progress=options.progress,
                limits=options.limits,
            )
        )
    return read


def _order_lines(files: Files, options: ReadOptions) -> list[tuple[History, ImportReport]]:
    return [
        read_order_lines(
            path,
            seller_id=options.seller_id,
            errors=options.errors,
            progress=options.progress,
            limits=options.limits,
            horizon=options.as_of,
            tz=options.tz,
            price_unit=options.price_unit,
        )
        for path in files.get("order-lines", [])
    ]


def _goods_returns(
    history: History, files: Files, options: ReadOptions
) -> tuple[History, ImportReport]:
    return read_wildberries_goods_returns(
        files["wildberries-goods-returns"],
        history,
        reasons=options.reasons,
        errors=options.errors,
        progress=options.progress,
        limits=options.limits,
    )


def _claims(history: History, files: Files, options: ReadOptions) -> tuple[History, ImportReport]:
    return read_wildberries_claims(
        files["wildberries-claims"],
        history,
        reasons=options.reasons,
        errors=options.errors,
        progress=options.progress,
        limits=options.limits,
    )


FORMATS: tuple[Format, ...] = (
    Format(
        kind="wildberries-realization",
        title="Wildberries realization report (reportDetailByPeriod) JSON",
        keys=("rrd_id",),
        read=_realization,
    ),
    Format(
        kind="wildberries-realization-xlsx",
        title="Wildberries realization report .xlsx from the seller portal (or its .zip)",
        keys=(),
        read=_realization,
        sniff=is_portal_realization,
    ),
    Format(
        kind="wildberries-sales",
        title="Wildberries statistics supplier/sales JSON",
        keys=("saleID",),
        read=_statistics,
    ),
    Format(
        kind="wildberries-orders",
        title="Wildberries statistics supplier/orders JSON",
        keys=("isCancel",),
        read=_statistics,
    ),
    Format(
        kind="ozon-postings",
        title="Ozon FBO/FBS posting list JSON (needs --as-of)",
        keys=("posting_number", "products"),
        rows_of=posting_items,
        read=_ozon,
    ),
    Format(
        kind="ozon-returns",
        title="Ozon returns list JSON",
        keys=("posting_number", "product"),
        rows_of=return_items,
        read=_ozon,
    ),
    Format(
        kind="wildberries-goods-returns",
        title="Wildberries goods-return report JSON",
        keys=("returnType", "srid"),
        rows_of=goods_return_rows,
        enrich=_goods_returns,
    ),
    Format(
        kind="wildberries-claims",
        title="Wildberries buyer claims JSON",
        keys=("user_comment", "claim_type"),
        rows_of=claim_rows,
        enrich=_claims,
    ),
    Format(
        kind="ozon-portal-postings",
        title="Ozon postings report CSV from the seller portal (FBO/FBS, needs --as-of)",
        keys=PORTAL_COLUMNS,
        csv=True,
        read=_ozon,
    ),
    Format(
        kind="order-lines",
        title="order-lines CSV",
        keys=("order_id", "ordered_at"),
        csv=True,
        read=_order_lines,
    ),
)
"""Every kind of file `read_reports` reads, in the order they are recognised: a file is of
the first format whose keys it holds."""

_SNIFF = 1 << 16  # the first 64 KiB hold the first rows of any report


def _no_rows(head: str) -> bool:
    """Whether a whole (short) JSON document is a page with no rows."""
    if len(head) >= _SNIFF // 2:
        return False
    try:
        document = json.loads(head, parse_int=str, parse_float=str)
    except (json.JSONDecodeError, RecursionError):
        return False
    return any(fmt.rows_of(document) == [] for fmt in FORMATS if not fmt.csv)


def formats_in_words() -> str:
    """Every format `read_reports` reads, in words, for messages and help."""
    titles = [fmt.title for fmt in FORMATS]
    return f"{', '.join(titles[:-1])} or {titles[-1]} (gzipped or not)"


def _head(path: Path) -> str:
    """The first 64 KiB of a file's text (unpacked if gzipped), for `report_kind`.

    Only a regular file is opened: a FIFO is refused, never waited on. A broken gzip
    stream, or one cut short within them, is a `ReportFormatError` naming the file.
    """
    chunks = ReportBytes(path, str(path), chunk_bytes=_SNIFF).chunks()
    try:
        start = next(chunks, b"")
    finally:
        chunks.close()
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        decode(start, str(path))  # refused, saying how to save it, as every CSV reader says
    return decode_head(start)


def report_kind(path: str | Path) -> ReportKind:
    """Say which report the file at `path` holds, from its content.

    A file that is no report is refused saying what it looks like: its delimiter and
    header, its JSON keys, or, for an Excel workbook (or a zip archive), its sheets and
    their first row, and the format it comes closest to.

    Raises:
        ReportFormatError: the file is empty, UTF-16 text, or no report this library reads;
            or a workbook, and openpyxl is not installed to look inside it (naming the
            extra that installs it).

    Example:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> (folder / "page.txt").write_text('[{"saleID": "S1", "srid": "a"}]')
        31
        >>> report_kind(folder / "page.txt")
        'wildberries-sales'

    .. versionadded:: 0.1.0
    """
    path = Path(path)
    head = _head(path)
    try:
        sniffed = next(
            (fmt.kind for fmt in FORMATS if fmt.sniff is not None and fmt.sniff(path, head)),
            None,
        )
    except ImportError:  # a workbook, and no openpyxl to look inside it
        if not head.startswith(_ZIP_SIGNATURES):
            raise
        raise _no_workbook_report(path) from None
    if sniffed is not None:
        return sniffed
    if head.startswith(_ZIP_SIGNATURES):
        raise _no_workbook_report(path)
    text = head.lstrip()
    if not text:
        msg = f"{path}: the file is empty"
        raise ReportFormatError(msg, source=str(path))
    json_text = text.startswith(("[", "{"))
    if json_text and _no_rows(text):
        return "empty"
    for fmt in FORMATS:
        if fmt.sniff is None and fmt.csv != json_text and fmt.holds(head if json_text else text):
            return fmt.kind
    seen = head if json_text else text
    msg = (
        f"{path}: {_looks_like(seen, json_text=json_text)}: not a report this library reads; "
        f"{_closest(seen, json_text=json_text)}; it reads {formats_in_words()}"
    )
    raise ReportFormatError(msg, source=str(path))


_SHOWN_NAMES = 8
_JSON_KEY = re.compile(r'"((?:[^"\\]|\\.){1,80})"\s*:')
_ZIP_SIGNATURES = ("PK\x03\x04", "PK\x05\x06")
"""How the text of a zip archive begins (an Excel workbook is one)."""


def _no_workbook_report(path: Path) -> ReportFormatError:
    """The refusal of a workbook (or zip archive) that is not the realization report."""
    contents = workbook_contents(path)
    read = (
        "the one workbook this library reads is the Wildberries realization report from the "
        f"seller portal (a sheet with the column «{COLUMNS['supplier_oper_name'][0]}»); "
        "order lines and Ozon postings it reads as CSV: save the sheet as CSV (CSV UTF-8 "
        "in Excel)"
    )
    if contents.workbook is not None and contents.sheets is None:  # openpyxl is missing
        msg = (
            f"{path}: {_workbook_words(contents)}; install redemption[excel] to read it "
            f"(pip install 'redemption[excel]'); {read}"
        )
        return ReportFormatError(msg, source=str(path))
    closest = _closest_to_row(contents.first_row)
    msg = (
        f"{path}: {_workbook_words(contents)}: not a report this library reads; {read}"
        f"{'' if closest is None else '; ' + closest}; it reads {formats_in_words()}"
    )
    return ReportFormatError(msg, source=str(path))


def _workbook_words(contents: WorkbookContents) -> str:
    """What a workbook, or a zip archive, holds: its sheets and their first row."""
    archive = f"a zip archive of {_names(contents.members)}" if contents.members else ""
    if contents.workbook is None:
        return (
            f"{archive}, no Excel workbook (.xlsx) among them"
            if archive
            else "an empty zip archive"
        )
    book = "an Excel workbook" if not archive else f"{archive}; {contents.workbook}: a workbook"
    if contents.sheets is None:
        return book
    if len(contents.sheets) == 1:
        sheets, first = f"sheet {_names(contents.sheets)}", ""
    else:
        sheets, first = f"{len(contents.sheets)} sheets {_names(contents.sheets)}", " the first's"
    if not contents.first_row:
        return f"{book}, {sheets},{first} empty"
    return f"{book}, {sheets},{first} first row {_names(contents.first_row)}"


def _closest_to_row(row: tuple[str, ...]) -> str | None:
    """The CSV format whose header a sheet's first row is, or comes closest to; if any."""
    if not row:
        return None
    text = io.StringIO()
    csv.writer(text, quoting=csv.QUOTE_ALL).writerow(row)
    head = text.getvalue()
    whole = next((fmt for fmt in FORMATS if fmt.csv and fmt.holds(head)), None)
    if whole is not None:
        return f"its first row is the header of {whole.title}"
    closest = _closest(head, json_text=False)
    return None if closest.startswith("no format") else f"its first row comes {closest}"


def _names(names: Iterable[object]) -> str:
    """Names as a message shows them: «each», cut short, the first few."""
    listed = list(names)
    shown_names = ", ".join(f"«{shown(str(name), 40)[1:-1]}»" for name in listed[:_SHOWN_NAMES])
    return shown_names + (", ..." if len(listed) > _SHOWN_NAMES else "") if listed else "(none)"


def _looks_like(text: str, *, json_text: bool) -> str:
    """What a file that is no report looks like: its dialect and header, or its JSON shape."""
    if not json_text:
        delimiter, header = header_cells(text)
        columns = "1 column" if len(header) == 1 else f"{len(header)} columns"
        return f"{delimiter_in_words(delimiter)}, {columns}, header {_names(header)}"
    try:
        document = json.loads(text, parse_int=str, parse_float=str)
    except (json.JSONDecodeError, RecursionError):
        document = None  # cut at the first 64 KiB, or no JSON: the keys seen will do
    if isinstance(document, dict):
        return f"a JSON object with the keys {_names(document)}"
    if isinstance(document, list):
        keys = dict.fromkeys(key for row in document if isinstance(row, dict) for key in row)
        items = "1 item" if len(document) == 1 else f"{len(document)} items"
        return f"a JSON array of {items}, with the keys {_names(keys)}"
    shape = "an array" if text.startswith("[") else "an object"
    seen = dict.fromkeys(_JSON_KEY.findall(text))
    return f"JSON, {shape} with the keys {_names(seen)} among the first"


def _closest(head: str, *, json_text: bool) -> str:
    """The known format of the same kind (CSV or JSON) sharing the most keys, and what it lacks.

    Ties go to the earlier format of `FORMATS`.
    """
    candidates = [fmt for fmt in FORMATS if fmt.csv != json_text]
    shared = [(len(fmt.keys) - len(fmt.missing(head)), fmt) for fmt in candidates]
    most = max((count for count, _ in shared), default=0)
    if not most:
        return "no format shares a column or key with it"
    fmt = next(fmt for count, fmt in shared if count == most)
    what = "column" if fmt.csv else "key"
    missing = fmt.missing(head)
    return f"closest: {fmt.title}, missing {what} {_names(missing)}"


def _files(paths: Iterable[str | Path]) -> list[Path]:
    """The report files `paths` name: each file given, and the files of each folder.

    A folder's files are taken in name order, leaving out hidden files (``.name``) and
    downloads in progress (``*.part``: ``redemption fetch`` writes a page so until it is
    whole). A folder inside a folder is refused, naming it, rather than read or passed
    over: give it as a path of its own, so that pages of two downloads are never mixed by
    chance. Only regular files are read: a FIFO, a device or a socket, given or in a
    folder, is refused (reading one would wait forever).

    Raises:
        ReportFormatError: a folder holds folders, or a path is not a regular file.
        InvalidArgumentError: no file is given, or only folders with none, naming them.
        FileNotFoundError: a path leads nowhere.
    """
    files: list[Path] = []
    empty: list[str] = []  # folders with no report file, each saying what it left out
    for path in map(Path, paths):
        if not path.is_dir():
            regular_file(path)
            files.append(path)
            continue
        inside = sorted(
            entry
            for entry in path.iterdir()
            if not entry.name.startswith(".") and entry.suffix != ".part"
        )
        folders = [entry.name for entry in inside if entry.is_dir()]
        if folders:
            msg = (
                f"{path}: holds folders ({', '.join(folders)}); a folder is read for its "
                "files: give each folder of pages as a path of its own"
            )
            raise ReportFormatError(msg, source=str(path))
        for entry in inside:
            regular_file(entry)
        files.extend(inside)
        if not inside:
            left_out = sum(1 for _ in path.iterdir())
            empty.append(
                f"{path}: a folder with no report files"
                + (f" (only {left_out} hidden or *.part files, left out)" if left_out else "")
            )
    if not files:
        msg = "; ".join(empty) or "no report files given"
        raise InvalidArgumentError(msg)
    return files


def read_reports(
    paths: Iterable[str | Path],
    *,
    seller_id: str = "seller",
    as_of: datetime | None = None,
    reasons: ReasonWords | None = None,
    errors: Errors = "raise",
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
    tz: tzinfo = MOSCOW,
    price_unit: Unit | None = None,
) -> tuple[History, ImportReport]:
    """Read report files of any kind into one `History`, each recognised by its content.

    A folder stands for every file in it, in name order: the pages ``redemption fetch``
    writes. The files of formats that share a reader are read together (Wildberries
    ``supplier/orders`` with ``supplier/sales`` pages, so a line repeated across pages is
    merged once; every Wildberries realization report, the API's JSON and the portal's
    workbooks, as one, so an order sold in one week's report and returned in the next
    is one order; Ozon posting with returns lists); the others file by file (see
    `FORMATS`). The histories read apart are then merged, and a contradiction between
    them (the same order in two files) names the file and row of each record. Then the
    Wildberries goods-return reports and claims add their kinds and reasons to the
    records read. Empty pages count as no rows.

    Args:
        paths: files and folders.
        seller_id: the seller of reports that do not name one.
        as_of: when Ozon posting lists were downloaded (aware); needed only with them,
            see `redemption.io.read_ozon_postings`.
        reasons: the caller's words for reasons, laid over each marketplace's table.
        errors: ``"raise"`` or ``"collect"``, as for every importer.
        progress: told ``(source, rows done, rows in the source)`` as rows are read.
        limits: the bounds on what a file may hold (`redemption.io.Limits`).
        tz: the zone of the times an order-lines CSV writes without a UTC offset (Moscow
            by default). The marketplaces' reports say theirs: Wildberries' and the Ozon
            portal's are Moscow time, Ozon's API gives offsets.
        price_unit: the unit of an order-lines CSV's plainly named money columns,
            ``"kopecks"`` (the default) or ``"roubles"`` (see `read_order_lines`).

    Returns:
        The history, and the import report of every row of every file; its ``notes`` say
        what was assumed (the zone of times without an offset, the unit of prices...).

    Raises:
        InvalidArgumentError: no file was given (or only folders with none, named), or
            Ozon lists without `as_of` (named).
        ReportFormatError: a file is no report this library reads, or a bad row.
        DataError: the files contradict each other (the same order in two of them...).

    Example:
        >>> import tempfile, pathlib
        >>> from redemption.sample import sample_report_bytes
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> for kind in ("orders", "sales"):
        ...     _ = (folder / f"{kind}.gz").write_bytes(sample_report_bytes("shop-north", kind))
        >>> history, report = read_reports([folder], seller_id="shop-north")
        >>> len(history.orders), report.accounted
        (1800, True)

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       `tz` and `price_unit`; every realization report read as one.
    """
    files = _files(paths)
    by_kind: dict[ReportKind, list[Path]] = {}
    for path in files:
        by_kind.setdefault(report_kind(path), []).append(path)
    options = ReadOptions(
        seller_id=seller_id,
        as_of=as_of,
        reasons=reasons,
        errors=errors,
        progress=progress,
        limits=limits,
        tz=tz,
        price_unit=price_unit,
    )
    found = [fmt for fmt in FORMATS if fmt.kind in by_kind]
    readers = dict.fromkeys(fmt.read for fmt in found if fmt.read is not None)
    with kept_origins() as kept:  # each import's records' files and rows, for the merge
        parts = [part for read in readers for part in read(by_kind, options)]
    if len(parts) == 1:
        history, report = parts[0]
    else:
        together = RowTally(errors, None)
        reaches = [part.horizon for part, _ in parts if part.horizon is not None]
        history = sifted_history(
            [order for part, _ in parts for order in part.orders],
            [sale for part, _ in parts for sale in part.sales],
            [back for part, _ in parts for back in part.returns],
            origins=merged_origins(kept, together),
            errors=errors,
            zone=tz,
            horizon=min(reaches, default=None),
            fallback=together,
            logistics=[cost for part, _ in parts for cost in part.logistics.values()],
        )
        report = ImportReport.combine(
            [*(report for _, report in parts), import_report(History(), (together,))]
        )
    del kept, parts  # the imports' origins: only the merge names them
    for fmt in found:
        if fmt.enrich is not None:
            history, enriched = fmt.enrich(history, by_kind, options)
            report = ImportReport.combine([report, enriched])
    return history, report
