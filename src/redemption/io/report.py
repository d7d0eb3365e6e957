"""What an import did with every row: records made, rows merged or skipped, rows refused."""

from __future__ import annotations

import codecs
import json
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import MAXYEAR, MINYEAR, UTC, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

import attrs

from redemption.errors import DataError, RecordTypeError, ReportFormatError, shown
from redemption.history import ConflictRule, History
from redemption.io._bars import BarProgress, ProgressBarLike, ProgressFunction, progress_function
from redemption.io.limits import (
    DEFAULT_LIMITS,
    JsonRows,
    Limits,
    ReportBytes,
    check_depth,
    json_error,
    too_deep_error,
)
from redemption.model import Logistics, Order, Return, Sale
from redemption.money import MAX_DIGITS, written_decimal
from redemption.reasons import Reasons

__all__ = [
    "GZIP_MAGIC",
    "PROGRESS_EVERY",
    "SOURCE_BITS",
    "WHOLE_CHARS",
    "BadRow",
    "Errors",
    "ImportReport",
    "Kept",
    "Origins",
    "OriginsPart",
    "Progress",
    "RowOrigins",
    "RowProblem",
    "RowTally",
    "Source",
    "amount_field",
    "check_rows",
    "each_source",
    "import_report",
    "kept_origins",
    "load_json",
    "merged_origins",
    "price_field",
    "read_json_rows",
    "read_text",
    "read_wrapped_rows",
    "sifted_history",
    "source_name",
    "text_field",
    "whole_number",
    "words_field",
]

Errors = Literal["raise", "collect"]
"""What an importer does with a bad row: stop at the first (``"raise"``) or list them all."""

_T = TypeVar("_T")
_Row = TypeVar("_Row")

Progress = ProgressFunction | ProgressBarLike | Literal["auto"]
"""How an import shows how far it is: a function told ``(source, rows done, rows in the
source)`` now and then; a tqdm bar (reset for each file); or ``"auto"``, a bar of
``tqdm.auto`` for each file when tqdm is installed (a widget in a notebook), else nothing.

.. versionchanged:: 0.2.0
   A tqdm bar, or ``"auto"``.
"""

PROGRESS_EVERY = 4096
"""How many rows an importer reads between two calls of its `Progress`."""

GZIP_MAGIC = b"\x1f\x8b"
"""The first bytes of a gzip stream: a report that starts with them is read unpacked."""

Source = str | Path | bytes | Sequence[dict[str, Any]]
"""A report: a path to a JSON file (or a gzipped one), its bytes, or rows already parsed."""


@attrs.frozen(kw_only=True)
class RowProblem:
    r"""A row that was skipped or refused, and why.

    Attributes:
        source: the file (or ``"<rows>"`` for rows given in memory).
        row: the row's number, from 1.
        field: the field at fault, or ``None`` when the row as a whole is.
        reason: what is wrong, in words.
        rule: for a conflict, the rule that decided it: a `ConflictRule`'s value, or
            ``"repeat-differs"`` (a row repeated with other contents at the same version)
            or ``"sale-id-reused"`` (one ``saleID`` on two orders); ``None`` otherwise.

    Example:
        An order-lines file with a bad price, read collecting bad rows:

        >>> from redemption.io import read_order_lines
        >>> text = (b"order_id,sku,price,ordered_at\n"
        ...         b"o1,nm-42,152050,2025-04-01T10:30:00+03:00\n"
        ...         b"o2,nm-42,abc,2025-04-01T11:00:00+03:00\n")
        >>> _, report = read_order_lines(text, errors="collect")
        >>> [problem] = report.refused
        >>> problem.source, problem.row, problem.field
        ('<bytes>', 3, 'price')
        >>> print(problem)
        <bytes> row 3, field 'price': expected whole kopecks (152050 for 1520.50), found 'abc'

    .. versionadded:: 0.1.0
    """

    source: str
    row: int
    field: str | None
    reason: str
    rule: str | None = None

    def __str__(self) -> str:
        """Name the place and say what is wrong."""
        field = f", field {self.field!r}" if self.field else ""
        return f"{self.source} row {self.row}{field}: {self.reason}"


@attrs.frozen(kw_only=True)
class ImportReport:
    r"""Every row an import read is counted, merged, skipped with a reason, or refused.

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
        conflicts: rows whose record contradicted another and was put aside (or, for a
            sold order's cancellation, changed), and repeats that disagreed, each naming
            both rows, the times in the source's zone, and its rule (with
            ``errors="collect"``; in ``"raise"`` mode the first one is raised). A row
            listed here was read and used: the figures are computed from the rest.
        rounded: prices (and logistics) given more finely than a kopeck, rounded
            half-even to one.
        logistics: orders given what carrying them cost (`redemption.model.Logistics`).
        notes: what the import assumed about its files, in words, each once: an
            encoding or delimiter other than the default, the unit of prices, the zone
            of times written without one (see `redemption.io.dialects`).

    Example:
        An order-lines file with a bad price, read collecting bad rows:

        >>> from redemption.io import read_order_lines
        >>> text = (b"order_id,sku,price,ordered_at\n"
        ...         b"o1,nm-42,152050,2025-04-01T10:30:00+03:00\n"
        ...         b"o2,nm-42,abc,2025-04-01T11:00:00+03:00\n")
        >>> history, report = read_order_lines(text, errors="collect")
        >>> report.rows_read, report.used, len(report.refused), report.orders, report.accounted
        (2, 1, 1, 1, True)
        >>> len(history.orders), report.refused[0].reason
        (1, "expected whole kopecks (152050 for 1520.50), found 'abc'")

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       `logistics`, `notes`.
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
    conflicts: tuple[RowProblem, ...] = ()
    rounded: int = 0
    logistics: int = 0
    notes: tuple[str, ...] = ()

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
        summed = _summed(
            reports,
            made=(sum(r.orders for r in reports), sum(r.sales for r in reports),
                  sum(r.returns for r in reports), sum(r.logistics for r in reports)),
            unknown=unknown,
        )  # fmt: skip
        notes = tuple(dict.fromkeys(note for report in reports for note in report.notes))
        return attrs.evolve(summed, notes=notes) if notes else summed


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

    @property
    def conflicts(self) -> Sequence[RowProblem]: ...

    @property
    def rounded(self) -> int: ...


def _summed(
    parts: Sequence[_Rows], made: tuple[int, int, int, int], unknown: Counter[str]
) -> ImportReport:
    """The one way an `ImportReport` is built: the rows of `parts`, and what was made."""
    orders, sales, returns, logistics = made
    return ImportReport(
        rows_read=sum(part.rows_read for part in parts),
        used=sum(part.used for part in parts),
        merged=sum(part.merged for part in parts),
        skipped=tuple(problem for part in parts for problem in part.skipped),
        refused=tuple(problem for part in parts for problem in part.refused),
        conflicts=tuple(problem for part in parts for problem in part.conflicts),
        rounded=sum(part.rounded for part in parts),
        orders=orders,
        sales=sales,
        returns=returns,
        logistics=logistics,
        unknown_reasons=_most_frequent(unknown),
    )


def _most_frequent(counts: Counter[str]) -> tuple[tuple[str, int], ...]:
    """Each word with its count, the most frequent first (then in the order of the words)."""
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def import_report(
    history: History, tallies: Sequence[RowTally], reasons: Reasons | None = None
) -> ImportReport:
    """The report of an import: what its tallies did with every row, and what it made."""
    made = (len(history.orders), len(history.sales), len(history.returns), len(history.logistics))
    return _summed(tallies, made, Counter() if reasons is None else reasons.unknown)


Origins = dict[int, tuple["RowTally", str, int]]
"""Where each record was read, by the record's `id`: the tally of its rows, source and row."""


Kept = list[tuple[Mapping[int, tuple["RowTally", str, int]], History]]
"""The origins each import gave its `sifted_history`, with the history it made."""

_KEPT: ContextVar[Kept | None] = ContextVar("_KEPT", default=None)
"""Where `kept_origins` keeps them."""


@contextmanager
def kept_origins() -> Iterator[Kept]:
    """Keep where the records of every history `sifted_history` builds in the block were read.

    For a merge of several imports: each importer names its records' files and rows only
    to its own `sifted_history`. In the block, each one's origins are kept with its
    history (a reference: nothing is copied), for `merged_origins` to name the records of
    several histories when they are merged.
    """
    kept: Kept = []
    token = _KEPT.set(kept)
    try:
        yield kept
    finally:
        _KEPT.reset(token)


def merged_origins(kept: Kept, tally: RowTally) -> Origins:
    """Where each record of the histories kept was read, listed in `tally` (the merge's).

    Only the records each history holds are looked up, each in its own import's origins,
    by `id`: valid while the histories live.
    """
    merged: Origins = {}
    for origins, history in kept:
        for records in (history.orders, history.sales, history.returns):
            for record in records:
                origin = origins.get(id(record))
                if origin is not None:
                    merged[id(record)] = (tally, origin[1], origin[2])
        for cost in history.logistics.values():
            origin = origins.get(id(cost))
            if origin is not None:
                merged[id(cost)] = (tally, origin[1], origin[2])
    return merged


SOURCE_BITS = 40
"""A row's place among several sources, in one number: its source's index above these
bits, its own number (from 1, in its source) below them."""


OriginsPart = tuple["RowTally", Sequence[str], Sequence[object], "array[int]"]
"""Records read by one tally, side by side with their places (see `RowOrigins`)."""


class RowOrigins(Mapping[int, tuple["RowTally", str, int]]):
    """Where each record of an import was read, looked up by the record's `id`.

    Each part is a tally, the names of its sources, its records, and the place of each
    record's row beside it (see `SOURCE_BITS`): eight bytes a record. The index by `id` is
    made the first time a record is looked up (a conflict to name, histories to merge),
    which most imports never do. The records are held, so each `id` stays theirs.
    """

    def __init__(self, parts: Sequence[OriginsPart]) -> None:
        """Name ``records[i]`` of each part its row ``places[i]``."""
        self._parts = parts
        self._index: dict[int, tuple[int, int]] | None = None

    def _positions(self) -> dict[int, tuple[int, int]]:
        if self._index is None:
            self._index = {
                id(record): (part, i)
                for part, (_, _, records, _) in enumerate(self._parts)
                for i, record in enumerate(records)
            }
        return self._index

    def __getitem__(self, key: int) -> tuple[RowTally, str, int]:
        """The tally, source and row of the record whose `id` is `key`."""
        part, i = self._positions()[key]
        tally, names, _, places = self._parts[part]
        place = places[i]
        return tally, names[place >> SOURCE_BITS], place & _ROW_MASK

    def __iter__(self) -> Iterator[int]:
        """The `id` of each record."""
        return iter(self._positions())

    def __len__(self) -> int:
        """How many records there are."""
        return sum(len(records) for _, _, records, _ in self._parts)


_ROW_MASK = (1 << SOURCE_BITS) - 1


def _place(origin: tuple[RowTally, str, int] | None) -> str:
    return "(given)" if origin is None else f"{origin[1]} row {origin[2]}"


def _kind(record: Order | Sale | Return | Logistics) -> str:
    """How a conflict names the kind of record it puts aside."""
    return "logistics record" if isinstance(record, Logistics) else type(record).__name__.lower()


def sifted_history(
    orders: Sequence[Order],
    sales: Sequence[Sale],
    returns: Sequence[Return],
    *,
    origins: Mapping[int, tuple[RowTally, str, int]],
    errors: Errors,
    zone: tzinfo,
    horizon: datetime | None = None,
    fallback: RowTally | None = None,
    logistics: Sequence[Logistics] = (),
) -> History:
    """Build the history of an import, deciding its records' contradictions.

    Each record that contradicts another is put aside by its `ConflictRule` (see
    `History.sift`) and listed among its row's tally's conflicts, naming both rows and
    stating the times in `zone`, the source's own; with ``errors="raise"`` the first is
    raised instead, in the same words. Conflicts of records not in `origins` (read
    from several imports) are listed in the `fallback` tally. `logistics` go to the history
    as `History.sift` takes them. Inside `kept_origins`, `origins` are kept with the
    history, for a merge of this history with others to name its records.
    """
    fallback = fallback or RowTally(errors, None)
    history, conflicts = History.sift(
        orders=orders, sales=sales, returns=returns, horizon=horizon, logistics=logistics
    )
    for conflict in conflicts:
        origin = origins.get(id(conflict.record))
        other = None if conflict.other is None else origins.get(id(conflict.other))
        done = (
            "the cancellation is put aside: a sale outweighs it"
            if conflict.rule is ConflictRule.SOLD_BUT_CANCELLED
            else f"this {_kind(conflict.record)} is put aside"
        )
        against = "" if other is None else f", against {_place(other)}"
        reason = f"{conflict.describe(zone)}{against}; {done} ({conflict.rule.value})"
        if errors == "raise":
            msg = f"{_place(origin)}: {reason}"
            raise type(conflict.error)(msg, order_id=conflict.order_id)
        tally, source, row = origin or (fallback, "(records given)", 0)
        tally.conflicts.append(
            RowProblem(source=source, row=row, field=None, reason=reason, rule=conflict.rule.value)
        )
    kept = _KEPT.get()
    if kept is not None and origins:
        kept.append((origins, history))
        # an order that lost its cancellation to a sale is a new record: its row is the old's
        evolved = {
            conflict.order_id: origins[id(conflict.record)]
            for conflict in conflicts
            if conflict.rule is ConflictRule.SOLD_BUT_CANCELLED and id(conflict.record) in origins
        }
        if evolved:
            kept.append(
                (
                    {id(o): evolved[o.order_id] for o in history.orders if o.order_id in evolved},
                    history,
                )
            )
    return history


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
        self.progress = progress_function(progress)
        self.rows_read = self.used = self.merged = self.rounded = 0
        self.skipped: list[RowProblem] = []
        self.refused: list[RowProblem] = []
        self.conflicts: list[RowProblem] = []

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
            if at_end and isinstance(self.progress, BarProgress):
                self.progress.finish()

    def each(self, name: str, rows: Iterable[_Row], first: int = 1) -> Iterator[tuple[int, _Row]]:
        """Yield each row with its number, counting it read and telling the progress.

        `rows` may be a sequence, or rows read as they come (a file `read_json_rows`
        reads): how many there are is then known only at the end, and until then the
        progress is told an estimate, from how much of the file the rows read took
        (``rows.estimated_total(done)``, where `rows` has it; else the rows done).
        """
        known = len(rows) if isinstance(rows, Sized) else None
        estimate: Callable[[int], int] = getattr(rows, "estimated_total", lambda done: done)
        done = 0
        for done, row in enumerate(rows, 1):
            self.rows_read += 1
            if self.progress is not None and done % PROGRESS_EVERY == 0:
                self.tell(name, done, estimate(done) if known is None else known)
            yield done + first - 1, row
        self.tell(name, done, done, at_end=True)

    def latest(
        self,
        sources: object,
        rows_of: Callable[[Any], tuple[str, Iterable[dict[str, Any]]]],
        make: Callable[[dict[str, Any]], tuple[str, _T] | str],
        older: Callable[[_T, _T], bool] | None = None,
        disagree: Callable[[_T, _T], tuple[str, str] | None] | None = None,
    ) -> list[tuple[_T, str, int]]:
        """Read every source in turn (pages), keeping the latest version of each item.

        `rows_of` gives a source's name and rows; `make` gives a row's key and what it
        holds, or the reason to skip it. An item whose key came before is merged: the later
        one wins, unless `older` says it is older than the one kept. Where `disagree` says
        a repeat contradicts the item kept (its rule and why), the merge is listed among
        the conflicts too. Returns each item kept, with the source and row it came from.
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
                    first, first_name, first_number = kept[key]
                    said = None if disagree is None else disagree(item, first)
                    if said is not None:
                        rule, why = said
                        reason = f"{why}, as {first_name} row {first_number}; the later is kept"
                        self.conflicts.append(
                            RowProblem(
                                source=name, row=number, field=None, reason=reason, rule=rule
                            )
                        )
                    if older is not None and older(item, first):
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


_EDGE_YEARS = (MINYEAR, MAXYEAR)


def in_utc_range(moment: datetime, field: str) -> datetime:
    """Return an aware moment read from a field, or refuse it where UTC cannot hold it.

    Only a moment in the first or the last year a `datetime` holds can fall out of range
    once its offset is taken away: ``0001-01-01T00:00:00+03:00``, or
    ``9999-12-31T23:59:59-05:00``.
    """
    if moment.year in _EDGE_YEARS:
        try:
            moment.astimezone(UTC)
        except OverflowError:
            reason = (
                f"{moment.isoformat()} is out of range: in UTC it falls before year 1 "
                "or after year 9999"
            )
            raise BadRow(field, reason=reason) from None
    return moment


def words_field(value: object, field: str) -> str | None:
    """Return a field's words as written, `None` where there are none, or refuse it."""
    if value is None or isinstance(value, str):
        return value
    raise BadRow(field=field, reason=f"expected text, found {shown(value)}")


def text_field(value: object, field: str) -> str:
    """Return a field's text (a whole number read as its digits), or refuse it as a `BadRow`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BadRow(field=field, reason="missing")
    if isinstance(value, bool) or not isinstance(value, str | int):
        reason = f"expected text or a whole number, found {shown(value)}"
        raise BadRow(field=field, reason=reason)
    if isinstance(value, str):
        return value.strip()
    try:
        return str(value)
    except ValueError:  # more digits than Python writes (sys.get_int_max_str_digits)
        raise BadRow(field=field, reason=f"a whole number too long: {shown(value)}") from None


_WHOLE = re.compile(r"([+-]?[0-9]+)(?:\.0+)?")
_EXPONENT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]{1,2}")
WHOLE_CHARS = 40
"""The longest text read as a whole number, stripped: longer is no count a report gives."""


def whole_number(value: object) -> int | None:
    """Return the whole number a field gives, or `None` if it gives none.

    A JSON number without a fraction (``2``, ``2.0``, ``2e0``), or text of ASCII digits
    with an optional sign, and a point only if zeros alone follow it (``"2"``,
    ``"+2.00"``), as `str.strip` leaves it, of at most `WHOLE_CHARS` characters. The
    importers read a JSON number as its text, so ``"2e0"`` is read too. The columnar
    readers read the same forms, but for text with an exponent: an engine writes the JSON
    number ``2.0`` or ``2e0`` as ``2.0`` or ``2``, and neither is told from the text.

    Example:
        >>> [whole_number(v) for v in (2, 2.0, " +2.00 ", "2e0", "2.5", "1_000", True, None)]
        [2, 2, 2, 2, None, None, None, None]
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = value.strip() if isinstance(value, str) else ""
    match = _WHOLE.fullmatch(text) if len(text) <= WHOLE_CHARS else None
    if match is not None:
        return int(match[1])
    if len(text) <= WHOLE_CHARS and _EXPONENT.fullmatch(text):
        number = Decimal(text)
        if number == number.to_integral_value() and number.adjusted() < WHOLE_CHARS:
            return int(number)
    return None


def price_field(value: object, field: str) -> Decimal:
    """Return a field's price as written (text or a JSON number), or refuse it as a `BadRow`.

    Text must be a number in ASCII digits: digits of other scripts are refused, as is
    text that is not a finite number at least 0. How large a price may be is for
    `redemption.money.to_money` to say.
    """
    if value is None:
        raise BadRow(field=field, reason="missing")
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise BadRow(field=field, reason=f"expected a number, found {shown(value)}")
    try:
        if isinstance(value, str) and not value.isascii():
            raise InvalidOperation  # noqa: TRY301 - one refusal for all text that is no number
        amount = Decimal(value) if isinstance(value, int) else written_decimal(value)
    except InvalidOperation:
        raise BadRow(field=field, reason=f"not a number: {shown(value)}") from None
    if not amount.is_finite() or amount < 0:
        raise BadRow(field=field, reason=f"not a price: {shown(value)}")
    return amount


def amount_field(value: object, field: str) -> Decimal:
    """Return a field's amount as written, of either sign (text or a JSON number), or refuse it.

    As `price_field`, but a negative amount is one (a charge, a correction): text must be a
    finite number in ASCII digits, with no more than `redemption.money.MAX_DIGITS` digits
    before the kopecks.
    """
    if value is None:
        raise BadRow(field=field, reason="missing")
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise BadRow(field=field, reason=f"expected a number, found {shown(value)}")
    try:
        if isinstance(value, str) and not value.isascii():
            raise InvalidOperation  # noqa: TRY301 - one refusal for all text that is no number
        amount = Decimal(value) if isinstance(value, int) else written_decimal(value)
    except (InvalidOperation, ValueError):
        raise BadRow(field=field, reason=f"not a number: {shown(value)}") from None
    if not amount.is_finite():
        raise BadRow(field=field, reason=f"not an amount: {shown(value)}")
    if amount and amount.adjusted() >= MAX_DIGITS - 2:
        raise BadRow(field=field, reason=f"too large an amount: {shown(value)}")
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


def read_text(
    source: str | Path | bytes, expected: str, *, limits: Limits = DEFAULT_LIMITS
) -> tuple[str, str]:
    """Return the name of a file (or bytes) and its text.

    It may be gzip-compressed and start with a byte-order mark. Only a regular file is
    read: a FIFO, a device, a socket or a folder is refused before it is opened for good.
    An empty file, a broken or truncated gzip stream and text that is not UTF-8 are each a
    `ReportFormatError` naming the file and saying what was `expected`; a file that holds
    or unpacks to more than `limits` allow, a `LimitExceededError`.

    .. versionadded:: 0.1.0
    """
    name = source_name(source)
    raw = ReportBytes(source, name, limits).read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        at = error.start + (3 if raw.startswith(codecs.BOM_UTF8) else 0)  # in the file
        msg = f"{name}: not UTF-8 text ({error.reason} at byte {at})"
        raise ReportFormatError(msg, source=name) from None
    if not text.strip():
        msg = f"{name}: the file is empty; expected {expected}"
        raise ReportFormatError(msg, source=name)
    return name, text


def load_json(
    source: Source | Mapping[str, Any], *, limits: Limits = DEFAULT_LIMITS
) -> tuple[str, Any]:
    """Return the name of a source and the JSON document it holds.

    A path or bytes are read as `read_text` reads them and parsed, numbers kept as their
    text, never as floats; parsed data is returned as it is. Malformed JSON is a
    `ReportFormatError` that names the file; JSON nested deeper than
    ``limits.max_json_depth``, a `LimitExceededError` naming the file, and the row (the
    first list on the way down) and field where it can.

    .. versionadded:: 0.1.0
    """
    if not isinstance(source, str | Path | bytes):
        return source_name(source), source if isinstance(source, Mapping) else list(source)
    name, text = read_text(source, "a JSON document of report rows", limits=limits)
    try:
        document = json.loads(text, parse_float=str, parse_int=str)
    except json.JSONDecodeError as error:
        raise json_error(name, error.msg, error.lineno, error.colno) from None
    except RecursionError:
        raise too_deep_error(name, limits) from None
    check_depth(name, text, document, limits)
    return name, document


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
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[str, list[dict[str, Any]]]:
    """Return the name of a source and its rows, where an API response wraps them.

    `rows_of` finds the rows in the document (``{"postings": [...]}`` and the like); where
    it finds no list, the document as a whole is what is checked. A document where no row
    has every `required` field is taken for another report than `what`, and refused. The
    document is read whole, within `limits` (see `load_json`).

    Raises:
        ReportFormatError: the source cannot be read, or holds no rows of this report.
        LimitExceededError: the source goes beyond one of `limits`.
    """
    name, document = load_json(source, limits=limits)
    found = rows_of(document)
    return name, check_rows(
        name, found if isinstance(found, list) else document, required, expected, what
    )


def read_json_rows(
    source: Source,
    required: Sequence[str] = (),
    *,
    limits: Limits = DEFAULT_LIMITS,
    fields: Sequence[str] = (),
) -> tuple[str, Iterable[dict[str, Any]]]:
    """Return the name of a source and its rows: a JSON array of objects.

    With `required`, a source where no row has every one of those fields is taken for
    another report and refused. With `fields`, the only fields the caller reads (besides
    `required`), a row read from a file may hold those alone: the rest may be skipped
    unread (see `JsonRows`).

    A gzip-compressed file is read the same, and a byte-order mark is allowed. An empty
    file, text that is not UTF-8, malformed JSON, or anything but an array of objects is a
    `ReportFormatError` that names the file.

    A file (or bytes) is read as its rows are iterated, one at a time (`JsonRows`), never
    whole: the rows are to be iterated once. Whether it is an array, and (with `required`)
    whether it is this report, is known before this returns (up to the first row with
    every field); malformed JSON or a row that is not an object further on is raised when
    iteration reaches it. Each row is bounded by `limits` (see `Limits`): beyond them, a
    `LimitExceededError`. Rows given parsed are returned as a list.

    .. versionadded:: 0.1.0
    """
    expected = "a JSON array of report rows"
    if not isinstance(source, str | Path | bytes):
        name, document = load_json(source, limits=limits)
        return name, check_rows(name, document, required, expected)
    name = source_name(source)
    wanted = tuple(dict.fromkeys((*required, *fields))) if fields else ()
    rows = JsonRows(source, name, limits, fields=wanted)
    if rows.start() != "[":  # empty, or no array: read whole, for the message
        rows.close()
        name, document = load_json(source, limits=limits)
        return name, check_rows(name, document, required, expected)
    if required and not rows.read_until(lambda row: all(field in row for field in required)):
        return name, check_rows(name, rows.ahead(), required, expected)
    return name, rows
