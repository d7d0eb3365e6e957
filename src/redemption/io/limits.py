"""Bounds on what an outside report file may hold, and the bounded readers that keep to them.

A report comes from outside: a marketplace's API, a download, a colleague's folder. Reading
one must neither hang, nor fill the memory, nor fail with a bare Python error. `Limits`
names each bound, with a default that real reports stay far below; going beyond one is a
`LimitExceededError` naming the file (and the row and field where there is one) and the
bound (``.limit``), and a caller who trusts a file gives a higher bound. A bound on one
field of one row (`check_number_text`, ``max_units_per_row``) is for the importer reading
that field to keep, so that the row alone is refused.

The readers here keep to them:

- `ReportBytes` reads a file (or bytes), gzipped or not, in chunks, and only a regular
  file: a FIFO, a device or a socket is refused before it is opened for good, since reading
  one would wait forever. A broken or truncated gzip stream is a `ReportFormatError`.
- `JsonRows` reads a JSON array of rows one at a time, so a report of a million rows is
  never in memory as one text and one list of dictionaries, and no row is nested deeper
  than ``max_json_depth`` (`check_depth`). Told the only fields its caller reads, it parses
  runs of flat rows with msgspec where the ``fast`` extra installed it, the same rows.
- `csv_cell_limit` lets the `csv` module read cells up to ``max_csv_cell``.
"""

from __future__ import annotations

import codecs
import collections
import contextlib
import csv
import functools
import gzip
import io
import json
import math
import os
import re
import stat
import zlib
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import attrs

from redemption.errors import LimitExceededError, ReportFormatError

__all__ = [
    "CHUNK_BYTES",
    "DEFAULT_LIMITS",
    "JsonRows",
    "Limits",
    "ReportBytes",
    "check_depth",
    "check_number_text",
    "csv_cell_limit",
    "json_error",
    "regular_file",
    "too_deep_error",
]

CHUNK_BYTES = 1 << 20
"""How many bytes a reader takes from a file at a time."""

_GZIP_MAGIC = b"\x1f\x8b"
_RATIO_FLOOR = 1 << 24
"""Bytes any gzip stream may unpack to, whatever its ratio (16 MiB): the ratio bounds bombs,
not small files of repeated text."""


def _positive(_instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"Limits.{attribute.name} must be a whole number above 0, not {value!r}"
        raise ValueError(msg)


@attrs.frozen(kw_only=True)
class Limits:
    """The bounds on what one report file may hold; each can be given higher (or lower).

    The defaults let through the largest real reports with room to spare: a million-row
    Wildberries ``supplier/orders`` file is about 0.7 GB of JSON, rows of at most a few
    kilobytes, nested four levels deep, numbers of a dozen digits.

    Attributes:
        max_units_per_row: units of one product in one row (Ozon's ``quantity``): 10,000.
            A row of more is a typing error or a hostile file, not a buyer's order.
        max_decompressed_bytes: bytes of one file once unpacked (or of a file that is not
            gzipped): 2 GiB, three times a million-row ``supplier/orders`` file. It also
            bounds the memory a report read whole (CSV, Ozon lists) takes. A file of
            more is refused before it is read.
        max_gzip_ratio: how many times its own size a gzip stream may unpack to, beyond
            the first 16 MiB: 400. Report JSON packs about 7 times (a page of the same
            row over and over, some 200 times); a gzip "bomb" (kilobytes unpacking to
            gigabytes) packs about a thousand times, the most gzip can, and is stopped
            after 16 MiB of its output, or 400 times its size, not at
            `max_decompressed_bytes`.
        max_json_depth: levels of nesting in a JSON document, the outer array or object
            being the first: 64. Reports nest up to six; deeper JSON would otherwise end in
            a `RecursionError`.
        max_row_chars: characters of one row's JSON text: 16 MiB. A JSON array is read row
            by row; this bounds the text held for one row (an Ozon posting with many
            products is some kilobytes).
        max_csv_cell: characters of one CSV cell: 1,000,000 (the `csv` module's own bound
            is 131,072, and its error a bare `csv.Error`).
        max_number_digits: digits of one number (price, id, count): 40. Prices have at
            most a dozen; Python refuses to turn more than 4,300 digits into an `int`.
        max_archive_members: files in one zip archive: 1,000. An Excel workbook is a zip of
            a dozen files, and the seller portal's zip holds a workbook or a few; an
            archive's list of files is read whole before anything in it.
        max_zip_ratio: how many times its packed size one file of a zip archive may unpack
            to, beyond the first 16 MiB: 400, as ``max_gzip_ratio`` for gzip (a workbook's
            sheets pack some 5 to 20 times). The bytes of all the files of an archive
            together are bounded by ``max_decompressed_bytes``.

    Example:
        >>> Limits(max_json_depth=128).max_json_depth
        128

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``max_archive_members`` and ``max_zip_ratio``, for Excel workbooks and zip archives.
    """

    max_units_per_row: int = attrs.field(default=10_000, validator=_positive)
    max_decompressed_bytes: int = attrs.field(default=2 << 30, validator=_positive)
    max_gzip_ratio: int = attrs.field(default=400, validator=_positive)
    max_json_depth: int = attrs.field(default=64, validator=_positive)
    max_row_chars: int = attrs.field(default=16 << 20, validator=_positive)
    max_csv_cell: int = attrs.field(default=1_000_000, validator=_positive)
    max_number_digits: int = attrs.field(default=40, validator=_positive)
    max_archive_members: int = attrs.field(default=1_000, validator=_positive)
    max_zip_ratio: int = attrs.field(default=400, validator=_positive)


DEFAULT_LIMITS = Limits()
"""The bounds every reader keeps to unless it is given others."""


def _where(source: str | None, row: int | None, field: str | None) -> str:
    """``source row N, field 'f': `` as much of it as is known, for a message."""
    if source is None:
        return ""
    place = source if row is None else f"{source} row {row}"
    return f"{place}, field {field!r}: " if field else f"{place}: "


def check_number_text(
    text: str | int,
    limits: Limits = DEFAULT_LIMITS,
    *,
    source: str | None = None,
    row: int | None = None,
    field: str | None = None,
) -> str:
    """Return a number's text (an `int` written out), or refuse one of too many digits.

    A number is kept as its text when JSON is read; an importer calls this before turning
    it into a `Decimal` or an `int`, which for thousands of digits is slow or fails.

    Raises:
        LimitExceededError: more than ``limits.max_number_digits`` digits; the message
            names `source`, `row` and `field` where they are given.

    Example:
        >>> check_number_text("1520.50")
        '1520.50'
        >>> check_number_text("9" * 41, source="orders.json", row=3, field="finishedPrice")
        Traceback (most recent call last):
        ...
        redemption.errors.LimitExceededError: orders.json row 3, field 'finishedPrice': a number of 41 digits, more than the 40 allowed (Limits.max_number_digits)
    """  # noqa: E501 - a doctest's output is one line
    most = limits.max_number_digits
    if isinstance(text, int):
        if -(10**most) < text < 10**most:
            return str(text)
        # about: writing it out to count them may itself fail (sys.set_int_max_str_digits)
        digits = f"about {int((abs(text).bit_length() - 1) * math.log10(2)) + 1:,}"
    elif len(text) <= most:
        return text
    else:
        count = sum(character.isdigit() for character in text)
        if count <= most:
            return text
        digits = f"{count:,}"
    msg = (
        f"{_where(source, row, field)}a number of {digits} digits, more than the "
        f"{most:,} allowed (Limits.max_number_digits)"
    )
    raise LimitExceededError(
        msg, source=source or "<rows>", limit="max_number_digits", row=row, field=field
    )


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _refuse_unless_regular(mode: int, name: str) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((words for test, words in _KINDS if test(mode)), "something else")
    msg = f"{name}: not a regular file but {kind}; a report is read from a file"
    raise ReportFormatError(msg, source=name)


def regular_file(path: str | Path) -> os.stat_result:
    """Return the status of the file at `path`, or refuse what is not a regular file.

    It looks before anything opens the file: opening a FIFO waits for a writer, maybe
    forever. A link is followed.

    Raises:
        ReportFormatError: a folder, a FIFO, a device or a socket.
        FileNotFoundError: nothing is there (or a link leads nowhere).
    """
    status = Path(path).stat()
    _refuse_unless_regular(status.st_mode, str(path))
    return status


def _open_regular(path: str | Path) -> tuple[IO[bytes], int]:
    """Open a regular file for reading, and return it with its size.

    The file is looked at before (`regular_file`) and after it is opened, without waiting
    (``O_NONBLOCK``): something put in its place between the two is refused as well.
    """
    name = str(path)
    regular_file(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        status = os.fstat(descriptor)
        _refuse_unless_regular(status.st_mode, name)
        if flags & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb"), status.st_size
    except BaseException:
        os.close(descriptor)
        raise


class ReportBytes:
    """The bytes of one report, unpacked if gzipped, read in chunks within the limits.

    Only a regular file is opened (see `regular_file`). Unpacking a gzip stream stops at
    ``limits.max_decompressed_bytes`` and at ``limits.max_gzip_ratio``; a broken or
    truncated stream is a `ReportFormatError` naming the file.
    """

    def __init__(
        self,
        source: str | Path | bytes,
        name: str,
        limits: Limits = DEFAULT_LIMITS,
        *,
        chunk_bytes: int = CHUNK_BYTES,
    ) -> None:
        """Get ready to read `source` (a path or the bytes themselves), named `name`."""
        self.source = source
        self.name = name
        self.limits = limits
        self.chunk_bytes = chunk_bytes
        self.packed_size = 0
        """The size of the file as it is stored (gzipped or not)."""
        self.gzipped = False
        self._raw: IO[bytes] | None = None

    def fraction_read(self) -> float:
        """How much of the stored file was read so far, from 0 to 1."""
        if self._raw is None or self._raw.closed or not self.packed_size:
            return 0.0
        return min(self._raw.tell() / self.packed_size, 1.0)

    def _open(self) -> IO[bytes]:
        if isinstance(self.source, bytes):
            raw: IO[bytes] = io.BytesIO(self.source)
            self.packed_size = len(self.source)
        else:
            raw, self.packed_size = _open_regular(self.source)
        self._raw = raw
        self.gzipped = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        if not self.gzipped and self.packed_size > self.limits.max_decompressed_bytes:
            raw.close()
            raise self._too_big()
        return raw

    def _too_big(self) -> LimitExceededError:
        most = self.limits.max_decompressed_bytes
        how = "unpacks to" if self.gzipped else "holds"
        msg = (
            f"{self.name}: the file {how} more than {most:,} bytes (Limits.max_decompressed_bytes)"
        )
        return LimitExceededError(msg, source=self.name, limit="max_decompressed_bytes")

    def _bomb(self, unpacked: int) -> LimitExceededError:
        msg = (
            f"{self.name}: {self.packed_size:,} bytes of gzip unpack to more than {unpacked:,}, "
            f"over {self.limits.max_gzip_ratio} times their size (Limits.max_gzip_ratio)"
        )
        return LimitExceededError(msg, source=self.name, limit="max_gzip_ratio")

    def _broken(self, error: Exception) -> ReportFormatError:
        msg = f"{self.name}: not a readable gzip file ({error})"
        return ReportFormatError(msg, source=self.name)

    def chunks(self) -> Generator[bytes, None, None]:
        """Yield the unpacked bytes, at most ``chunk_bytes`` at a time.

        Raises:
            ReportFormatError: not a regular file, or a broken or truncated gzip stream.
            LimitExceededError: the file holds or unpacks to too much.
            FileNotFoundError: there is no such file.
        """
        most = self.limits.max_decompressed_bytes
        with self._open() as raw:
            if not self.gzipped:
                read = 0
                while chunk := raw.read(self.chunk_bytes):
                    read += len(chunk)
                    if read > most:  # the file grew since it was looked at
                        raise self._too_big()
                    yield chunk
                return
            ratio_bound = max(self.limits.max_gzip_ratio * self.packed_size, _RATIO_FLOOR)
            unpacked = 0
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                while True:
                    try:
                        chunk = stream.read(self.chunk_bytes)
                    except (OSError, EOFError, zlib.error) as error:
                        raise self._broken(error) from None
                    if not chunk:
                        return
                    unpacked += len(chunk)
                    if unpacked > most:
                        raise self._too_big()
                    if unpacked > ratio_bound:
                        raise self._bomb(unpacked)
                    yield chunk

    def read(self) -> bytes:
        """Return all the unpacked bytes (see `chunks`)."""
        most = self.limits.max_decompressed_bytes
        with self._open() as raw:
            if not self.gzipped:
                data = raw.read(most + 1)  # the file may have grown since it was looked at
                if len(data) > most:
                    raise self._too_big()
                return data
        return b"".join(self.chunks())


def json_error(name: str, message: str, line: int, column: int) -> ReportFormatError:
    """The error of malformed JSON in `name`, at a line and column counted from 1."""
    msg = f"{name}: not valid JSON ({message} at line {line} column {column})"
    return ReportFormatError(msg, source=name)


def _path_to(document: object, found: Callable[[object, int], bool]) -> tuple[Any, ...] | None:
    """The keys and indexes down to the first value `found` (told its depth) is true of."""
    stack: list[tuple[object, int, tuple[Any, ...]]] = [(document, 1, ())]
    while stack:
        value, depth, path = stack.pop()
        if found(value, depth):
            return path
        if isinstance(value, dict):
            children: Any = value.items()
        elif isinstance(value, list):
            children = enumerate(value)
        else:
            continue
        stack.extend((child, depth + 1, (*path, key)) for key, child in reversed(list(children)))
    return None


_CONTAINERS = (dict, list)


def _deeper_than(document: object, most: int) -> bool:
    """Whether `document` nests more than `most` levels, itself the first (level by level).

    Each value is looked at once, in a plain loop: a generator, or ``isinstance`` against
    ``dict | list``, took twice as long (0.12 s for a page of 1,000 Ozon postings, twice
    the time of parsing it).
    """
    level: list[object] = [document] if isinstance(document, _CONTAINERS) else []
    depth = 0
    while level:
        depth += 1
        if depth > most:
            return True
        deeper: list[object] = []
        add = deeper.append
        for container in level:
            values: Any = container.values() if isinstance(container, dict) else container
            for value in values:
                if isinstance(value, _CONTAINERS):
                    add(value)
        level = deeper
    return False


def _place(path: tuple[Any, ...], row: int | None) -> tuple[int | None, str | None]:
    """The row and the field a path into a document leads to.

    Where `row` is not known, the first index on the way down is the row (counted from 1):
    the rows of a bare array, or of the list an API response wraps them in. A field is the
    keys below the row joined by dots, the indexes of lists left out (``products.price``).
    """
    if row is None:
        indexes = [at for at, step in enumerate(path) if isinstance(step, int)]
        if indexes:
            row, path = path[indexes[0]] + 1, path[indexes[0] + 1 :]
    keys = [step for step in path if isinstance(step, str)]
    return row, ".".join(keys) or None


def too_deep_error(
    name: str, limits: Limits, row: int | None = None, field: str | None = None
) -> LimitExceededError:
    """The error of JSON in `name` nested deeper than ``limits.max_json_depth``."""
    most = limits.max_json_depth
    msg = f"{_where(name, row, field)}JSON nested deeper than {most} levels (Limits.max_json_depth)"
    return LimitExceededError(msg, source=name, limit="max_json_depth", row=row, field=field)


def check_depth(
    name: str,
    text: str,
    document: object,
    limits: Limits = DEFAULT_LIMITS,
    *,
    row: int | None = None,
    depth: int = 1,
) -> None:
    """Refuse a parsed JSON `document` nested deeper than ``limits.max_json_depth``.

    `text` is the document's JSON: only where it opens more arrays and objects than the
    bound is the document walked. `depth` is the level of `document` itself (2 for a row
    of an array). `document` is the `row` given, or the row is found on the way down (see
    `_place`).

    Raises:
        LimitExceededError: naming the file, and the row and field where there is one.
    """
    most = limits.max_json_depth
    if text.count("{") + text.count("[") + depth - 1 <= most or not _deeper_than(
        document, most - depth + 1
    ):
        return
    path = _path_to(
        document, lambda value, level: level + depth - 1 > most and isinstance(value, dict | list)
    )
    if path is not None:
        found_row, field = _place(path, row)
        raise too_deep_error(name, limits, found_row, field)


_SPACE = re.compile(r"[ \t\n\r]*")
_ROW_DECODER = json.JSONDecoder(parse_float=str, parse_int=str)
_NEAR_END = 16
"""A JSON error this near the end of the text read may only be the text cut short."""


_NEGATIVE_ZERO = re.compile(rb"-0(?![0-9.eE])")
"""A whole number written ``-0``: msgspec reads it as 0, where its text is kept."""

_FLAT_DEPTH = 2
"""How deep a row of a flat object in an array is nested: the array, then the row."""

_Batches = Callable[[bytes], list[dict[str, Any]] | None]
"""Reads a JSON array of flat objects, in UTF-8, into their rows; None where unsure."""


@functools.cache
def _batch_reader(fields: tuple[str, ...]) -> _Batches | None:
    """What reads runs of rows with msgspec, keeping `fields` alone; None without msgspec.

    Each row is decoded as a struct of `fields`, the others skipped unread (most of a
    ``supplier/orders`` row: names of places and goods). A float's text is kept, as
    `JsonRows` keeps it; a whole number comes as an `int` and is written out as text again.
    Where the rows may differ from those `JsonRows` reads (a ``-0``, a number of more digits
    than Python writes, text msgspec refuses), it gives None and they are read as before.
    """
    try:
        import msgspec  # noqa: PLC0415 - the `fast` extra, imported where it is used
    except ImportError:
        return None
    struct = msgspec.defstruct("Row", [(field, Any, msgspec.UNSET) for field in fields])
    decoder = msgspec.json.Decoder(list[struct], float_hook=str)  # type: ignore[valid-type]
    unset = msgspec.UNSET

    def read(data: bytes) -> list[dict[str, Any]] | None:
        try:
            decoded = decoder.decode(data)
        except msgspec.DecodeError:
            return None
        rows: list[dict[str, Any]] = []
        append = rows.append
        zero = False
        for item in decoded:
            row: dict[str, Any] = {}
            for field in fields:
                value = getattr(item, field)
                if value is unset:
                    continue
                if type(value) is int:
                    zero = zero or not value
                    try:
                        row[field] = str(value)
                    except ValueError:  # more digits than Python writes out
                        return None
                else:
                    row[field] = value
            append(row)
        if zero and _NEGATIVE_ZERO.search(data):
            return None
        return rows

    return read


class JsonRows:
    """The rows of a report that is a JSON array of objects, read one at a time, bounded.

    The file is read in chunks through an incremental UTF-8 decoder (a byte-order mark is
    allowed), and each element parsed as soon as its text is whole, numbers kept as their
    text. Only one element's text and one chunk are held at a time: a report of a million
    rows never is in memory whole. Every element is checked against the limits as it is
    parsed (`check_depth`).

    Call `start` first: it reads up to the first character and says whether the document
    is an array at all. Then iterate (once). An element that is not an object is a
    `ReportFormatError` naming its row.

    Given `fields`, the only fields its caller reads, a row may hold those alone. With
    msgspec installed (the ``fast`` extra), the complete rows of the text held are then
    parsed at once, skipping every other field, where they are flat objects (most reports'
    rows): the same values, numbers kept as their text. Anything else (a row nested, text
    msgspec refuses, malformed JSON) is read as without it, with the same errors.
    """

    def __init__(
        self,
        source: str | Path | bytes,
        name: str,
        limits: Limits = DEFAULT_LIMITS,
        *,
        chunk_bytes: int = CHUNK_BYTES,
        fields: Sequence[str] = (),
    ) -> None:
        """Get ready to read `source` (a path or bytes), named `name` in messages."""
        self.name = name
        self.limits = limits
        self._batches = (
            _batch_reader(tuple(fields))
            if fields and limits.max_json_depth >= _FLAT_DEPTH
            else None
        )
        self._no_batch_until = 0  # where the text held ended when runs of rows last failed
        # With batches: the UTF-8 bytes of the text held, which msgspec reads (encoding the
        # text again would take as long as parsing it), a place in the text and its byte
        # there, and the bytes of a character cut across two chunks
        self._raw = b""
        self._synced = (0, 0)
        self._pending = b""
        self._marked = False
        self._bytes = ReportBytes(source, name, limits, chunk_bytes=chunk_bytes)
        self._chunks: Generator[bytes, None, None] | None = None
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._bytes_fed = 0
        self._text = ""
        self._at = 0  # where reading is, in `_text`
        self._eof = False
        self._first = True
        # where `_text` starts in the whole text: characters, lines, and the column
        self._chars = 0
        self._lines = 0
        self._column = 0
        self._decoded = 0
        self._first_character: str | None = None
        self._deepest = limits.max_json_depth  # a row opening fewer cannot go beyond it
        self._ahead: collections.deque[dict[str, Any]] = collections.deque()
        self._rows: Iterator[dict[str, Any]] | None = None

    def estimated_total(self, done: int) -> int:
        """How many elements the array may hold, `done` of them read: for progress only.

        It is `done` scaled by how much of the file the elements read took, so it becomes
        exact at the end.
        """
        parsed = self._chars + self._at
        fraction = self._bytes.fraction_read() * (parsed / self._decoded if self._decoded else 0)
        return max(done, round(done / fraction)) if fraction > 0 else done

    def start(self) -> str:
        """Read up to the document's first character; return it (``""`` if there is none).

        ``"["`` means an array, read by iterating.

        Raises:
            ReportFormatError: not a regular file, a broken gzip stream, text that is not
                UTF-8.
            LimitExceededError: the file holds too much.
        """
        self._chunks = self._bytes.chunks()
        self._first_character = self._skip_space()
        return self._first_character

    def close(self) -> None:
        """Close the file, if it is still open."""
        if self._chunks is not None:
            self._chunks.close()

    def read_until(self, found: Callable[[dict[str, Any]], bool]) -> bool:
        """Read rows ahead until one is `found`; say whether one was (else every row is read).

        The rows read ahead are held, and iterating gives them first.
        """
        rows = self._started_rows()
        for row in rows:
            self._ahead.append(row)
            if found(row):
                return True
        return False

    def ahead(self) -> list[dict[str, Any]]:
        """The rows read ahead (`read_until`) and not yet given."""
        return list(self._ahead)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Yield each row, in order.

        Raises:
            ReportFormatError: malformed JSON (naming the line and column), an element that
                is not an object, text that is not UTF-8, a broken gzip stream.
            LimitExceededError: a row nested too deep, a row or a file too long.
        """
        rows = self._started_rows()
        while self._ahead:
            yield self._ahead.popleft()
        yield from rows

    def _started_rows(self) -> Iterator[dict[str, Any]]:
        if self._rows is None:
            first = self.start() if self._first_character is None else self._first_character
            if first != "[":
                self.close()
                msg = f"{self.name}: expected a JSON array"
                raise ReportFormatError(msg, source=self.name)
            self._rows = self._closing(self._elements())
        return self._rows

    def _closing(self, rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        try:
            yield from rows
        finally:
            self.close()

    def _elements(self) -> Iterator[dict[str, Any]]:
        self._at += 1  # the "["
        if self._skip_space() == "]":
            self._at += 1
            self._end()
            return
        row = 0
        while True:
            batch = None if self._batches is None else self._batch()
            if batch:
                for flat in batch:
                    row += 1
                    yield flat
            else:
                row += 1
                element = self._element(row)
                if not isinstance(element, dict):
                    msg = (
                        f"{self.name} row {row}: expected an object, found {type(element).__name__}"
                    )
                    raise ReportFormatError(msg, source=self.name, row=row)
                yield element
            following = self._skip_space()
            if following == "]":
                self._at += 1
                self._end()
                return
            if following != ",":
                msg = "Expecting ',' delimiter"
                raise self._error(msg, self._at)
            self._at += 1
            self._skip_space()

    def _batch(self) -> list[dict[str, Any]] | None:
        """The rows whose text is whole in the text held, read at once; None where unsure.

        They are the elements up to the last ``}`` before the end of the text held (an
        element ending at its very end is read as `_element` reads it). They are read only
        if they are objects with no array or object inside, so none goes beyond the limits
        (an element within the text held is never too long, whatever its length). Where
        they cannot be, the text held is left to `_element`, until more is read.
        """
        assert self._batches is not None  # noqa: S101 - only called with them
        text, start = self._text, self._at
        held = self._chars + len(text)
        if held <= self._no_batch_until:
            return None
        end = text.rfind("}", start, len(text) - 1) + 1
        if end <= start:
            return None
        raw, first = self._raw, self._byte(start)
        # the same "}" in the bytes: no byte of another character is that of "}"
        last = raw.rfind(b"}", first, len(raw) - len(text[-1].encode())) + 1
        rows = None
        if len(raw) - last == len(text[end:].encode()) and raw.find(b"[", first, last) < 0:
            rows = self._batches(b"[" + raw[first:last] + b"]")
        if rows is None or len(rows) != raw.count(b"{", first, last):
            self._no_batch_until = held
            return None
        self._at, self._synced = end, (end, last)
        return rows

    def _byte(self, at: int) -> int:
        """Where the character at `at` of the text held starts in its UTF-8 bytes."""
        synced_at, byte = self._synced
        byte += len(self._text[synced_at:at].encode())
        self._synced = (at, byte)
        return byte

    def _element(self, row: int) -> object:
        """Parse the element at the reading place, reading more text until it is whole."""
        while True:
            start, text = self._at, self._text
            try:
                value, end = _ROW_DECODER.raw_decode(text, start)
            except json.JSONDecodeError as error:
                cut = error.pos >= len(text) - _NEAR_END or error.msg.startswith("Unterminated")
                if self._eof or not cut:
                    raise self._error(error.msg, error.pos) from None
                self._more_for_row(row)
                continue
            except RecursionError:
                raise too_deep_error(self.name, self.limits, row) from None
            if end == len(text) and not self._eof:
                self._more_for_row(row)  # a number may go on in the next chunk
                continue
            self._at = end
            if text.count("{", start, end) + text.count("[", start, end) >= self._deepest:
                check_depth(self.name, text[start:end], value, self.limits, row=row, depth=2)
            return value

    def _more_for_row(self, row: int) -> None:
        """Read as much text again as the element so far, refusing a row too long."""
        held = len(self._text) - self._at
        if held > self.limits.max_row_chars:
            msg = (
                f"{self.name} row {row}: longer than {self.limits.max_row_chars:,} "
                "characters (Limits.max_row_chars)"
            )
            raise LimitExceededError(msg, source=self.name, limit="max_row_chars", row=row)
        self._read(max(held, 1))

    def _end(self) -> None:
        """After the array: nothing but white space may follow."""
        if self._skip_space():
            msg = "Extra data"
            raise self._error(msg, self._at)

    def _skip_space(self) -> str:
        """Move past white space; return the next character, or ``""`` at the end."""
        while True:
            space = _SPACE.match(self._text, self._at)
            self._at = space.end() if space is not None else self._at
            if self._at < len(self._text):
                return self._text[self._at]
            if self._eof:
                return ""
            self._read(1)

    def _read(self, wanted: int) -> None:
        """Add at least `wanted` characters of text after the reading place, or all there is.

        The text before the reading place is let go, counting its lines for messages.
        """
        self._let_go()
        added = 0
        assert self._chunks is not None  # noqa: S101 - `start` was called
        parts = [self._text]
        raw = [self._raw]
        while added < wanted and not self._eof:
            chunk = next(self._chunks, None)
            text = self._decode(chunk)
            if chunk is None:
                self._eof = True
            added += len(text)
            parts.append(text)
            if self._batches is not None:
                raw.append(self._bytes_of(chunk))
        self._text = "".join(parts)
        if self._batches is not None:
            self._raw = b"".join(raw)

    def _bytes_of(self, chunk: bytes | None) -> bytes:
        """The bytes `text` was decoded from: `chunk`, less a character it cuts short."""
        data = self._pending + (chunk or b"")
        cut = len(data) - len(self._decoder.getstate()[0])
        self._pending = data[cut:]
        data = data[:cut]
        if self._marked:  # the byte-order mark `_decode` took away: the first bytes
            self._marked = False
            data = data.removeprefix(codecs.BOM_UTF8)
        return data

    def _let_go(self) -> None:
        done, at = self._text, self._at
        if not at:
            return
        if self._batches is not None:
            self._raw = self._raw[self._byte(at) :]
            self._synced = (0, 0)
        # most reports are written on one line: looking for a line break is faster than
        # counting them
        lines = done.count("\n", 0, at) if done.find("\n", 0, at) >= 0 else 0
        if lines:
            self._lines += lines
            self._column = at - done.rfind("\n", 0, at) - 1
        else:
            self._column += at
        self._chars += at
        self._text, self._at = done[at:], 0

    def _decode(self, chunk: bytes | None) -> str:
        pending = len(self._decoder.getstate()[0])
        try:
            text = self._decoder.decode(chunk or b"", final=chunk is None)
        except UnicodeDecodeError as error:
            at = self._bytes_fed - pending + error.start
            msg = f"{self.name}: not UTF-8 text ({error.reason} at byte {at})"
            raise ReportFormatError(msg, source=self.name) from None
        self._bytes_fed += len(chunk or b"")
        if self._first and text:
            self._first = False
            self._marked = text.startswith("\ufeff")
            text = text.removeprefix("\ufeff")  # a byte-order mark: no character of the text
        self._decoded += len(text)
        return text

    def _error(self, message: str, at: int) -> ReportFormatError:
        """The error of malformed JSON at `at` in the text held, with its line and column."""
        text = self._text
        newline = text.rfind("\n", 0, at)
        line = self._lines + text.count("\n", 0, at) + 1
        column = at - newline if newline >= 0 else self._column + at + 1
        return json_error(self.name, message, line, column)


@contextlib.contextmanager
def csv_cell_limit(name: str, limits: Limits = DEFAULT_LIMITS) -> Iterator[None]:
    r"""Let the `csv` module read cells of up to ``limits.max_csv_cell`` characters, inside.

    The `csv` module's bound on a cell (`csv.field_size_limit`, 131,072 by default) is one
    for the whole process: it is set for the block and put back after. A longer cell makes
    the reader raise a `csv.Error`; one that leaves the block is a `LimitExceededError`
    naming the file `name`.

    Example:
        >>> import csv, io
        >>> with csv_cell_limit("lines.csv", Limits(max_csv_cell=5)):
        ...     list(csv.reader(io.StringIO("a,b\n")))
        [['a', 'b']]
    """
    previous = csv.field_size_limit(limits.max_csv_cell)
    try:
        yield
    except csv.Error as error:
        if "field larger than field limit" not in str(error):
            raise
        most = limits.max_csv_cell
        msg = f"{name}: a cell longer than {most:,} characters (Limits.max_csv_cell)"
        raise LimitExceededError(msg, source=name, limit="max_csv_cell") from None
    finally:
        csv.field_size_limit(previous)
