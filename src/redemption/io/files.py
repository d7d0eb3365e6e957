"""Report files recognised by what they hold, not by their names, and read together.

`report_kind` looks at the first rows of a file (gzipped or not, any extension) and says
which report it is; `read_reports` reads any mix of them, and folders of pages as
``redemption fetch`` writes them, into one `History`.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Literal

from redemption.errors import InvalidArgumentError, ReportFormatError
from redemption.history import History
from redemption.io.lines import read_order_lines
from redemption.io.ozon import read_postings
from redemption.io.report import GZIP_MAGIC, Errors, ImportReport, Progress
from redemption.io.wildberries import read_realization, read_statistics

__all__ = ["ReportKind", "read_reports", "report_kind"]

ReportKind = Literal[
    "wildberries-orders",
    "wildberries-sales",
    "wildberries-realization",
    "ozon-postings",
    "ozon-returns",
    "order-lines",
    "empty",
]
"""What a file holds. ``"empty"`` is a report page with no rows (``[]``,
``{"result": []}``, ...)."""

_SNIFF = 1 << 16  # the first 64 KiB hold the first rows of any report

# Fields that only its report has, looked for as JSON keys in the first rows.
_JSON_KINDS: tuple[tuple[tuple[str, ...], ReportKind], ...] = (
    (('"rrd_id"',), "wildberries-realization"),
    (('"saleID"',), "wildberries-sales"),
    (('"isCancel"',), "wildberries-orders"),
    (('"posting_number"', '"products"'), "ozon-postings"),
    (('"posting_number"', '"product"'), "ozon-returns"),
)
_NO_ROWS: tuple[object, ...] = (
    [],
    {"result": []},
    {"result": {"postings": []}},
    {"postings": []},
    {"returns": []},
)


def _no_rows(head: str) -> bool:
    """Whether a whole (short) JSON document is a page with no rows."""
    if len(head) >= _SNIFF // 2:
        return False
    try:
        document = json.loads(head)
    except json.JSONDecodeError:
        return False
    if isinstance(document, dict) and isinstance(document.get("result"), dict):
        document = {"result": {"postings": document["result"].get("postings")}}
    elif isinstance(document, dict):
        document = {
            key: document[key] for key in ("result", "postings", "returns") if key in document
        }
    return document in _NO_ROWS


def _head(path: Path) -> str:
    with path.open("rb") as raw:
        start = raw.read(_SNIFF)
    if start.startswith(GZIP_MAGIC):
        with gzip.open(path, "rb") as unpacked:
            start = unpacked.read(_SNIFF)
    return start.decode("utf-8-sig", errors="replace")


def report_kind(path: str | Path) -> ReportKind:
    """Say which report the file at `path` holds, from its content.

    Raises:
        ReportFormatError: the file is empty or is no report this library reads.

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
    text = head.lstrip()
    if not text:
        msg = f"{path}: the file is empty"
        raise ReportFormatError(msg, source=str(path))
    if text.startswith(("[", "{")):
        if _no_rows(text):
            return "empty"
        for keys, kind in _JSON_KINDS:
            if all(key in head for key in keys):
                return kind
    else:
        header = text.splitlines()[0].split(",")
        if "order_id" in header and "ordered_at" in header:
            return "order-lines"
    msg = (
        f"{path}: not a report this library reads (Wildberries supplier/orders, "
        "supplier/sales or realization JSON, Ozon posting or returns lists, or an "
        "order-lines CSV)"
    )
    raise ReportFormatError(msg, source=str(path))


def _files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file()))
        else:
            files.append(path)
    return files


def read_reports(
    paths: Iterable[str | Path],
    *,
    seller_id: str = "seller",
    as_of: datetime | None = None,
    errors: Errors = "raise",
    progress: Progress | None = None,
) -> tuple[History, ImportReport]:
    """Read report files of any kind into one `History`, each recognised by its content.

    A folder stands for every file in it, in name order: the pages ``redemption fetch``
    writes. Wildberries ``supplier/orders`` and ``supplier/sales`` pages are read together,
    so a line repeated across pages is merged once, and so are Ozon posting and returns
    lists; realization reports and order-lines files are read one by one. Empty pages
    count as no rows.

    Args:
        paths: files and folders.
        seller_id: the seller of reports that do not name one.
        as_of: when Ozon posting lists were downloaded (aware); needed only with them,
            see `redemption.io.read_ozon_postings`.
        errors: ``"raise"`` or ``"collect"``, as for every importer.
        progress: told ``(source, rows done, rows in the source)`` as rows are read.

    Returns:
        The history, and the import report of every row of every file.

    Raises:
        InvalidArgumentError: no file was given, or Ozon lists without `as_of`.
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
    """
    files = _files(paths)
    if not files:
        msg = "no report files given"
        raise InvalidArgumentError(msg)
    by_kind: dict[ReportKind, list[Path]] = {}
    for path in files:
        by_kind.setdefault(report_kind(path), []).append(path)
    parts: list[tuple[History, ImportReport]] = []
    orders, sales = by_kind.get("wildberries-orders"), by_kind.get("wildberries-sales")
    if orders or sales:
        parts.append(
            read_statistics(
                orders=orders, sales=sales, seller_id=seller_id, errors=errors, progress=progress
            )
        )
    postings, returns = by_kind.get("ozon-postings"), by_kind.get("ozon-returns")
    if postings or returns:
        if as_of is None:
            msg = (
                "Ozon posting lists give each posting's status as of when they were "
                "downloaded: give that moment as as_of (--as-of on the command line)"
            )
            raise InvalidArgumentError(msg)
        parts.append(
            read_postings(
                postings or [],
                as_of=as_of,
                returns=returns,
                seller_id=seller_id,
                errors=errors,
                progress=progress,
            )
        )
    parts.extend(
        read_realization(path, seller_id=seller_id, errors=errors, progress=progress)
        for path in by_kind.get("wildberries-realization", [])
    )
    parts.extend(
        read_order_lines(path, seller_id=seller_id, errors=errors, progress=progress)
        for path in by_kind.get("order-lines", [])
    )
    if len(parts) == 1:
        return parts[0]
    history = History(
        orders=[order for part, _ in parts for order in part.orders],
        sales=[sale for part, _ in parts for sale in part.sales],
        returns=[back for part, _ in parts for back in part.returns],
    )
    return history, ImportReport.combine([report for _, report in parts])
