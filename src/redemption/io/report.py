"""What an import did with every row: records made, rows merged or skipped, rows refused."""

from __future__ import annotations

import gzip
import json
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

import attrs

from redemption.errors import DataError, RecordTypeError, ReportFormatError
from redemption.history import History
from redemption.io.reasons import Reasons
from redemption.money import written_decimal

__all__ = [
    "GZIP_MAGIC",
    "PROGRESS_EVERY",
    "BadRow",
    "Errors",
    "ImportReport",
    "Progress",
    "RowProblem",
    "RowTally",
    "Source",
    "check_rows",
    "each_source",
    "import_report",
    "load_json",
    "price_field",
    "read_json_rows",
    "read_text",
    "read_wrapped_rows",
    "source_name",
    "text_field",
    "words_field",
]

Errors = Literal["raise", "collect"]
"""What an importer does with a bad row: stop at the first (``"raise"``) or list them all."""

_T = TypeVar("_T")
_Row = TypeVar("_Row")

Progress = Callable[[str, int, int], None]
"""Told ``(source, rows done, rows in the source)`` now and then as an import goes on."""

PROGRESS_EVERY = 4096
"""How many rows an importer reads between two calls of its `Progress`."""

GZIP_MAGIC = b"\x1f\x8b"
"""The first bytes of a gzip stream: a report that starts with them is read unpacked."""

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
        unknown_reasons: the marketplace's words for a reason that no table in use knew,
            each with how many rows gave it, the most frequent first: they were read as
            `ReasonCategory.OTHER`. Give them a category with ``reasons=``.

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
    unknown_reasons: tuple[tuple[str, int], ...] = ()

    @property
    def accounted(self) -> bool:
        """Whether every row read was used, merged, skipped or refused."""
        return self.used + self.merged + len(self.skipped) + len(self.refused) == self.rows_read

    @classmethod
    def combine(cls, reports: Sequence[ImportReport]) -> ImportReport:
        """Add up the reports of several imports."""
        unknown: Counter[str] = Counter()
        for report in reports:
            unknown.update(dict(report.unknown_reasons))
        return _summed(
            reports,
            made=(sum(r.orders for r in reports), sum(r.sales for r in reports),
                  sum(r.returns for r in reports)),
            unknown=unknown,
        )  # fmt: skip


class _Rows(Protocol):
    """What was done with rows: a report's, or a tally's as it goes."""

    @property
    def rows_read(self) -> int: ...

    @property
    def used(self) -> int: ...

    @property
    def merged(self) -> int: ...

    @property
    def skipped(self) -> Sequence[RowProblem]: ...

    @property
    def refused(self) -> Sequence[RowProblem]: ...


def _summed(
    parts: Sequence[_Rows], made: tuple[int, int, int], unknown: Counter[str]
) -> ImportReport:
    """The one way an `ImportReport` is built: the rows of `parts`, and what was made."""
    orders, sales, returns = made
    return ImportReport(
        rows_read=sum(part.rows_read for part in parts),
        used=sum(part.used for part in parts),
        merged=sum(part.merged for part in parts),
        skipped=tuple(problem for part in parts for problem in part.skipped),
        refused=tuple(problem for part in parts for problem in part.refused),
        orders=orders,
        sales=sales,
        returns=returns,
        unknown_reasons=_most_frequent(unknown),
    )


def _most_frequent(counts: Counter[str]) -> tuple[tuple[str, int], ...]:
    """Each word with its count, the most frequent first (then in the order of the words)."""
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def import_report(
    history: History, tallies: Sequence[RowTally], reasons: Reasons | None = None
) -> ImportReport:
    """The report of an import: what its tallies did with every row, and what it made."""
    made = (len(history.orders), len(history.sales), len(history.returns))
    return _summed(tallies, made, Counter() if reasons is None else reasons.unknown)


class BadRow(Exception):  # noqa: N818 - internal signal, always turned into a RowProblem
    """A row an importer cannot read: the field at fault, and why (an importer's signal)."""

    def __init__(self, field: str | None, *, reason: str) -> None:
        """Name the field (or ``None`` for the row as a whole) and the reason."""
        super().__init__(reason)
        self.field = field
        self.reason = reason


class RowTally:
    """What an importer did with the rows read so far, and how it reports on them."""

    def __init__(self, errors: Errors, progress: Progress | None) -> None:
        """Start with nothing read; bad rows raise or are collected, as `errors` says."""
        self.errors = errors
        self.progress = progress
        self.rows_read = self.used = self.merged = 0
        self.skipped: list[RowProblem] = []
        self.refused: list[RowProblem] = []

    def problem(self, name: str, number: int, field: str | None, reason: str) -> None:
        """A bad row: raise a `ReportFormatError` naming it, or list it as refused."""
        problem = RowProblem(source=name, row=number, field=field, reason=reason)
        if self.errors == "raise":
            raise ReportFormatError(str(problem), source=name, row=number, field=field)
        self.refused.append(problem)

    def skip(self, name: str, number: int, reason: str) -> None:
        """A row with nothing to import: list it as skipped, with its reason."""
        self.skipped.append(RowProblem(source=name, row=number, field=None, reason=reason))

    def tell(self, name: str, done: int, total: int, *, at_end: bool = False) -> None:
        """Tell the progress function, every `PROGRESS_EVERY` rows and at the end of a file."""
        if self.progress is not None and (at_end or done % PROGRESS_EVERY == 0):
            self.progress(name, done, total)

    def each(self, name: str, rows: Sequence[_Row], first: int = 1) -> Iterator[tuple[int, _Row]]:
        """Yield each row with its number, counting it read and telling the progress."""
        for done, row in enumerate(rows, 1):
            self.rows_read += 1
            self.tell(name, done, len(rows))
            yield done + first - 1, row
        self.tell(name, len(rows), len(rows), at_end=True)

    def latest(
        self,
        sources: object,
        rows_of: Callable[[Any], tuple[str, list[dict[str, Any]]]],
        make: Callable[[dict[str, Any]], tuple[str, _T] | str],
        older: Callable[[_T, _T], bool] | None = None,
    ) -> list[tuple[_T, str, int]]:
        """Read every source in turn (pages), keeping the latest version of each item.

        `rows_of` gives a source's name and rows; `make` gives a row's key and what it
        holds, or the reason to skip it. An item whose key came before is merged: the later
        one wins, unless `older` says it is older than the one kept. Returns each item kept,
        with the source and row it came from.
        """
        kept: dict[str, tuple[_T, str, int]] = {}
        for source in each_source(sources):  # type: ignore[arg-type] # the importer's sources
            name, rows = rows_of(source)
            for number, row in self.each(name, rows):
                made = self.attempt(name, number, make, row)
                if made is None:
                    continue
                if isinstance(made, str):
                    self.skip(name, number, made)
                    continue
                key, item = made
                if key in kept:
                    self.merged += 1
                    if older is not None and older(item, kept[key][0]):
                        continue
                kept[key] = (item, name, number)
        return list(kept.values())

    def attempt(self, name: str, number: int, make: Callable[[_Row], _T], row: _Row) -> _T | None:
        """Return what `make` makes of a row, or `None` when the row is bad (see `problem`)."""
        try:
            return make(row)
        except BadRow as bad:
            self.problem(name, number, bad.field, bad.reason)
        except (DataError, RecordTypeError) as error:
            self.problem(name, number, error.field, str(error))
        return None


def words_field(value: object, field: str) -> str | None:
    """Return a field's words as written, `None` where there are none, or refuse it."""
    if value is None or isinstance(value, str):
        return value
    raise BadRow(field=field, reason=f"expected text, found {value!r}")


def text_field(value: object, field: str) -> str:
    """Return a field's text (a whole number read as its digits), or refuse it as a `BadRow`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BadRow(field=field, reason="missing")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadRow(field=field, reason=f"expected text or a whole number, found {value!r}")
    return str(value).strip()


def price_field(value: object, field: str) -> Decimal:
    """Return a field's price as written (text or a JSON number), or refuse it as a `BadRow`."""
    if value is None:
        raise BadRow(field=field, reason="missing")
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise BadRow(field=field, reason=f"expected a number, found {value!r}")
    try:
        amount = written_decimal(value if isinstance(value, str | float | Decimal) else str(value))
    except InvalidOperation:
        raise BadRow(field=field, reason=f"not a number: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise BadRow(field=field, reason=f"not a price: {value!r}")
    return amount


def source_name(source: object) -> str:
    """Return how a source is named in messages: its path, ``<bytes>`` or ``<rows>``."""
    if isinstance(source, str | Path):
        return str(source)
    return "<bytes>" if isinstance(source, bytes) else "<rows>"


def each_source(sources: Source | Mapping[str, Any] | Sequence[str | Path]) -> list[Any]:
    """One source, or several files (pages) of one report, as a list of sources."""
    if isinstance(sources, str | Path | bytes | Mapping):
        return [sources]
    if sources and all(isinstance(item, str | Path) for item in sources):
        return list(sources)
    return [sources]


def read_text(source: str | Path | bytes, expected: str) -> tuple[str, str]:
    """Return the name of a file (or bytes) and its text.

    It may be gzip-compressed and start with a byte-order mark. An empty file, a broken
    gzip stream and text that is not UTF-8 are each a `ReportFormatError` naming the file
    and saying what was `expected`.

    .. versionadded:: 0.1.0
    """
    name = source_name(source)
    raw = Path(source).read_bytes() if isinstance(source, str | Path) else source
    if raw.startswith(GZIP_MAGIC):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            msg = f"{name}: not a readable gzip file ({error})"
            raise ReportFormatError(msg, source=name) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        msg = f"{name}: not UTF-8 text ({error.reason} at byte {error.start})"
        raise ReportFormatError(msg, source=name) from None
    if not text.strip():
        msg = f"{name}: the file is empty; expected {expected}"
        raise ReportFormatError(msg, source=name)
    return name, text


def load_json(source: Source | Mapping[str, Any]) -> tuple[str, Any]:
    """Return the name of a source and the JSON document it holds.

    A path or bytes are read as `read_text` reads them and parsed, numbers kept as their
    text, never as floats; parsed data is returned as it is. Malformed JSON is a
    `ReportFormatError` that names the file.

    .. versionadded:: 0.1.0
    """
    if not isinstance(source, str | Path | bytes):
        return source_name(source), source if isinstance(source, Mapping) else list(source)
    name, text = read_text(source, "a JSON document of report rows")
    try:
        return name, json.loads(text, parse_float=str, parse_int=str)
    except json.JSONDecodeError as error:
        msg = f"{name}: not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
        raise ReportFormatError(msg, source=name) from None


def check_rows(
    name: str, rows: object, required: Sequence[str], expected: str, what: str | None = None
) -> list[dict[str, Any]]:
    """Return `rows` if they are a list of objects where some row has every required field.

    Anything else is a `ReportFormatError` naming the source and saying what was expected
    (and, where no row has the fields, asking whether the file is `what`).
    """
    if not isinstance(rows, list):
        found = (
            f"an object with the keys {', '.join(map(str, rows)) or '(none)'}"
            if isinstance(rows, dict)
            else type(rows).__name__
        )
        msg = f"{name}: expected {expected}, found {found}"
        raise ReportFormatError(msg, source=name)
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            msg = f"{name} row {number}: expected an object, found {type(row).__name__}"
            raise ReportFormatError(msg, source=name, row=number)
    if required and rows and not any(all(field in row for field in required) for row in rows):
        msg = (
            f"{name}: no row has the fields {', '.join(required)}; "
            f"is this {what or 'the right report'}?"
        )
        raise ReportFormatError(msg, source=name)
    return rows


def read_wrapped_rows(
    source: Source | Mapping[str, Any],
    *,
    rows_of: Callable[[object], object],
    required: Sequence[str],
    what: str,
    expected: str,
) -> tuple[str, list[dict[str, Any]]]:
    """Return the name of a source and its rows, where an API response wraps them.

    `rows_of` finds the rows in the document (``{"postings": [...]}`` and the like); where
    it finds no list, the document as a whole is what is checked. A document where no row
    has every `required` field is taken for another report than `what`, and refused.

    Raises:
        ReportFormatError: the source cannot be read, or holds no rows of this report.
    """
    name, document = load_json(source)
    found = rows_of(document)
    return name, check_rows(
        name, found if isinstance(found, list) else document, required, expected, what
    )


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
    name, document = load_json(source)
    return name, check_rows(name, document, required, "a JSON array of report rows")
