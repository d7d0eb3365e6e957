"""What an import did with every row: records made, rows merged or skipped, rows refused."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs

from redemption.errors import ReportFormatError

__all__ = ["Errors", "ImportReport", "Progress", "RowProblem", "Source", "read_json_rows"]

Errors = Literal["raise", "collect"]
"""What an importer does with a bad row: stop at the first (``"raise"``) or list them all."""

Progress = Callable[[str, int, int], None]
"""Told ``(source, rows done, rows in the source)`` now and then as an import goes on."""

PROGRESS_EVERY = 4096
"""How many rows an importer reads between two calls of its `Progress`."""

_GZIP_MAGIC = b"\x1f\x8b"

Source = str | Path | bytes | Sequence[dict[str, Any]]
"""A report: a path to a JSON file (or a gzipped one), its bytes, or rows already parsed."""


@attrs.frozen(kw_only=True)
class RowProblem:
    """A row that was skipped or refused, and why.

    Attributes:
        source: the file (or ``"<rows>"`` for rows given in memory).
        row: the row's number, from 1.
        field: the field at fault, or ``None`` when the row as a whole is.
        reason: what is wrong, in words.

    .. versionadded:: 0.1.0
    """

    source: str
    row: int
    field: str | None
    reason: str

    def __str__(self) -> str:
        """Name the place and say what is wrong."""
        field = f", field {self.field!r}" if self.field else ""
        return f"{self.source} row {self.row}{field}: {self.reason}"


@attrs.frozen(kw_only=True)
class ImportReport:
    """Every row an import read is counted, merged, skipped with a reason, or refused.

    Attributes:
        rows_read: rows read from every source.
        used: rows that made or completed a record.
        merged: rows that repeated a line already read (pages that overlap), merged into it.
        skipped: rows that hold nothing to import, each with its reason.
        refused: bad rows, each with its reason (only with ``errors="collect"``).
        orders: orders made.
        sales: sales made.
        returns: returns made.

    .. versionadded:: 0.1.0
    """

    rows_read: int
    used: int
    merged: int
    skipped: tuple[RowProblem, ...]
    refused: tuple[RowProblem, ...]
    orders: int
    sales: int
    returns: int

    @property
    def accounted(self) -> bool:
        """Whether every row read was used, merged, skipped or refused."""
        return self.used + self.merged + len(self.skipped) + len(self.refused) == self.rows_read

    @classmethod
    def combine(cls, reports: Sequence[ImportReport]) -> ImportReport:
        """Add up the reports of several imports."""
        return cls(
            rows_read=sum(r.rows_read for r in reports),
            used=sum(r.used for r in reports),
            merged=sum(r.merged for r in reports),
            skipped=tuple(p for r in reports for p in r.skipped),
            refused=tuple(p for r in reports for p in r.refused),
            orders=sum(r.orders for r in reports),
            sales=sum(r.sales for r in reports),
            returns=sum(r.returns for r in reports),
        )


def _name(source: Source) -> str:
    if isinstance(source, str | Path):
        return str(source)
    return "<bytes>" if isinstance(source, bytes) else "<rows>"


def read_json_rows(
    source: Source, required: Sequence[str] = ()
) -> tuple[str, list[dict[str, Any]]]:
    """Return the name of a source and its rows: a JSON array of objects.

    With `required`, a source where no row has every one of those fields is taken for
    another report and refused.

    A gzip-compressed file is read the same, and a byte-order mark is allowed. An empty
    file, text that is not UTF-8, malformed JSON, or anything but an array of objects is a
    `ReportFormatError` that names the file.

    .. versionadded:: 0.1.0
    """
    name = _name(source)
    if not isinstance(source, str | Path | bytes):
        rows: Any = list(source)
    else:
        raw = Path(source).read_bytes() if isinstance(source, str | Path) else source
        if raw.startswith(_GZIP_MAGIC):
            raw = gzip.decompress(raw)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            msg = f"{name}: not UTF-8 text ({error.reason} at byte {error.start})"
            raise ReportFormatError(msg, source=name) from None
        if not text.strip():
            msg = f"{name}: the file is empty; expected a JSON array of report rows"
            raise ReportFormatError(msg, source=name)
        try:
            rows = json.loads(text, parse_float=str, parse_int=str)
        except json.JSONDecodeError as error:
            msg = (
                f"{name}: not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
            )
            raise ReportFormatError(msg, source=name) from None
    if not isinstance(rows, list):
        msg = f"{name}: expected a JSON array of report rows, found {type(rows).__name__}"
        raise ReportFormatError(msg, source=name)
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            msg = f"{name} row {number}: expected an object, found {type(row).__name__}"
            raise ReportFormatError(msg, source=name, row=number)
    if required and rows and not any(all(field in row for field in required) for row in rows):
        msg = f"{name}: no row has the fields {', '.join(required)}; is this the right report?"
        raise ReportFormatError(msg, source=name)
    return name, rows
