"""Report files as a lazy frame of their rows' text, on the engine asked for.

This is the one module of `redemption.frames` that names an engine: reading JSON needs each
engine's own reader, and nothing in narwhals reads a file lazily on every engine. Each
engine is imported inside the function that reads with it, so `redemption.frames` still
imports none. What the rows mean is for the narwhals code that takes the frame; here they
are only read: every field asked for as text (a JSON number or ``true`` as the text that
writes it, a field a row lacks as null), with the file each row came from and its place in
it.
"""

from __future__ import annotations

import glob
import gzip
import io
import json
import math
import re
import threading
import zlib
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, Literal, cast

import narwhals.stable.v2 as nw

from redemption.errors import InvalidArgumentError, ReportFormatError

__all__ = [
    "ELEMENT",
    "PART",
    "SOURCE",
    "UNREAD",
    "Engine",
    "JsonPart",
    "Paths",
    "counting",
    "files_of",
    "json_item_rows",
    "report_rows",
]

Engine = Literal["duckdb", "polars", "pyspark"]
"""The engines a report is read on."""

Paths = str | Path | Sequence[str | Path]
"""A report's files: a file, a folder of pages (``*.json``, ``*.json.gz``), a glob
(``pages/orders-*.json.gz``), or a sequence of them, read in that order. On DuckDB and
Spark, a URL (``s3://bucket/wb/orders-*.json.gz``, ``file:///...``) too: the engine reads
it, with the connection's or session's own credentials. A local file is unpacked by what
it holds on DuckDB and polars; Spark, and a URL's file, go by the name (``.gz``)."""

SOURCE, FILE, ROW = "_source", "_file", "_row"
"""The columns every frame of rows has beside its fields: the file's name as given, its
place among the files (from 0), and the row's place in the file (from 1)."""

_GLOB = frozenset("*?[")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
"""How a URL begins: its scheme (``s3://``, ``gs://``, ``file://``...)."""
_JSON = (".json", ".json.gz")
"""How the names of a folder's pages end."""


def files_of(paths: Paths) -> list[str]:
    """The files `paths` name, in order: a folder's pages and a glob's matches by name.

    A folder's pages are its files whose names end ``.json`` or ``.json.gz``.
    A URL is kept as given, for the engine to read (see `located`).

    A file named twice is read once, where it first comes.

    Raises:
        ReportFormatError: a path names nothing, a glob matches nothing, or a file is empty.
    """
    given = [paths] if isinstance(paths, str | Path) else list(paths)
    found: list[str] = []
    for item in given:
        text = str(item)
        path = Path(text)
        if _URL.match(text):
            found.append(text)
        elif path.is_dir():
            found.extend(
                sorted(str(p) for p in path.iterdir() if p.is_file() and p.name.endswith(_JSON))
            )
        elif path.is_file():
            found.append(text)
        elif _GLOB & set(text):
            matches = sorted(p for p in glob.glob(text) if Path(p).is_file())  # noqa: PTH207 - a pattern as given
            if not matches:
                msg = f"{text}: no file matches this pattern"
                raise ReportFormatError(msg, source=text)
            found.extend(matches)
        else:
            msg = f"{text}: no such file or folder"
            raise ReportFormatError(msg, source=text)
    files = list(dict.fromkeys(found))
    for name in files:
        if not _URL.match(name) and Path(name).stat().st_size == 0:
            msg = f"{name}: the file is empty; expected a JSON array of report rows"
            raise ReportFormatError(msg, source=name)
    return files


def literal(name: str, backend: str) -> str:
    r"""A file's name as the engine reads that one file: its glob characters escaped.

    DuckDB and Spark read every path as a glob, so ``week[1].json`` would read
    ``week1.json``: DuckDB takes ``[[]`` for ``[``, Spark (Hadoop) a backslash.

    Example:
        >>> literal("pages/week[1]*.json", "duckdb"), literal("week[1].json", "pyspark")
        ('pages/week[[]1][*].json', 'week\\[1\\].json')
    """
    if backend == "duckdb":
        return re.sub(r"([\[*?])", r"[\1]", name)
    return re.sub(r"([\[\]*?{}\\])", r"\\\1", name)


_GZIP = b"\x1f\x8b"
"""How a gzipped file starts."""


def _unpacked(name: str) -> bytes:
    """A local file's bytes, unpacked where it starts as gzip does (whatever its name)."""
    raw = Path(name).read_bytes()
    return gzip.decompress(raw) if raw[:2] == _GZIP else raw


def _compression(name: str) -> str:
    """How DuckDB should unpack a file: by what a local file holds, not its name.

    ``gzip`` where it starts as gzip does, else ``none`` (a plain file named ``.gz``
    too); a URL's file by its name (``auto``), as reading it would be a request.
    """
    if _URL.match(name):
        return "auto"
    with Path(name).open("rb") as file:
        return "gzip" if file.read(2) == _GZIP else "none"


def located(files: list[str], backend: str, connection: Any, session: Any) -> list[str]:
    """The files to read: each URL with a glob in it replaced by the files it matches.

    The engine lists them (DuckDB's ``glob()``, the file system of Spark's session),
    by name, when the frame is made; their rows are read when it is collected.

    Raises:
        InvalidArgumentError: a URL on polars, which reads local files only; a Spark
            session that cannot list files (Spark Connect: give the files themselves).
        ReportFormatError: a URL's glob matches no file.
    """
    found: list[str] = []
    for name in files:
        if not _URL.match(name):
            found.append(name)
            continue
        if backend == "polars":
            msg = f"{name}: polars reads local files only; read URLs on duckdb or pyspark"
            raise InvalidArgumentError(msg)
        if not _GLOB & set(name):
            found.append(name)
            continue
        listed = (
            _duckdb_listed(name, connection)
            if backend == "duckdb"
            else _spark_listed(name, session)
        )
        if not listed:
            msg = f"{name}: no file matches this pattern"
            raise ReportFormatError(msg, source=name)
        found.extend(sorted(listed))
    return list(dict.fromkeys(found))


def _duckdb_listed(pattern: str, connection: Any) -> list[str]:
    import duckdb  # noqa: PLC0415 - the engine is the caller's: imported only when asked for

    con = duckdb.default_connection() if connection is None else connection
    return [str(row[0]) for row in con.execute("SELECT file FROM glob(?)", [pattern]).fetchall()]


def _spark_listed(pattern: str, session: Any) -> list[str]:
    spark = _spark_session(session)
    try:  # Hadoop's file system of the session: the one its reads go through
        jvm, conf = spark._jvm, spark._jsc.hadoopConfiguration()  # noqa: SLF001
    except AttributeError:
        msg = f"{pattern}: this Spark session cannot list files; give them one by one"
        raise InvalidArgumentError(msg) from None
    path = jvm.org.apache.hadoop.fs.Path(pattern)
    statuses = path.getFileSystem(conf).globStatus(path) or []
    return [str(status.getPath().toString()) for status in statuses if status.isFile()]


def report_rows(
    paths: Paths | None,
    fields: tuple[str, ...],
    *,
    backend: Engine,
    connection: Any = None,
    session: Any = None,
) -> nw.LazyFrame[Any]:
    """Return the rows of a report's files, every field as text, as a narwhals `LazyFrame`.

    Each file holds one JSON array of objects (gzipped or not). The frame has the `fields`
    (String, null where a row lacks one) and `SOURCE`, `FILE` and `ROW`. No paths give a
    frame with no rows.

    Args:
        paths: the files (see `Paths`), or ``None`` for none.
        fields: the fields to read.
        backend: the engine to read on.
        connection: the DuckDB connection (the default one if not given).
        session: the Spark session (the active one if not given).

    Raises:
        InvalidArgumentError: an unknown backend, or no Spark session.
        ReportFormatError: see `files_of`.
    """
    readers: dict[str, Callable[[list[str]], Any]] = {
        "duckdb": lambda files: _duckdb_rows(files, fields, connection),
        "polars": lambda files: _polars_rows(files, fields),
        "pyspark": lambda files: _spark_rows(files, fields, session),
    }
    return _read(paths, readers, backend, connection, session)


def _check_backend(backend: str) -> None:
    """Refuse a backend that is no `Engine`."""
    if backend not in ("duckdb", "polars", "pyspark"):
        msg = f"backend must be one of duckdb, polars, pyspark; not {backend!r}"
        raise InvalidArgumentError(msg)


def _read(
    paths: Paths | None,
    readers: dict[str, Callable[[list[str]], Any]],
    backend: str,
    connection: Any,
    session: Any,
) -> nw.LazyFrame[Any]:
    """The files `paths` name, read by the engine's reader, as a narwhals `LazyFrame`."""
    _check_backend(backend)
    files = [] if paths is None else located(files_of(paths), backend, connection, session)
    return cast("nw.LazyFrame[Any]", nw.from_native(readers[backend](files)))


def _quoted(text: str) -> str:
    """A SQL string literal of `text`."""
    return "'" + text.replace("'", "''") + "'"


def _duckdb_rows(files: list[str], fields: tuple[str, ...], connection: Any) -> Any:
    import duckdb  # noqa: PLC0415 - the engine is the caller's: imported only when asked for

    con = duckdb.default_connection() if connection is None else connection
    columns = "{" + ", ".join(f"{_quoted(f)}: 'VARCHAR'" for f in fields) + "}"
    names = ", ".join(f'"{f}"' for f in fields)
    if not files:
        empty = ", ".join(f'NULL::VARCHAR AS "{f}"' for f in fields)
        return con.sql(
            f"SELECT {empty}, NULL::VARCHAR AS {SOURCE}, NULL::BIGINT AS {FILE}, "
            f"NULL::BIGINT AS {ROW} WHERE false"
        )
    # One scan per file: a single scan keeps the order of its rows, so `row_number() OVER
    # ()` is each row's place in its file (DuckDB's documented order preservation).
    parts = [  # the names are the caller's files, quoted as SQL literals
        f"SELECT {names}, {_quoted(name)} AS {SOURCE}, {index}::BIGINT AS {FILE}, "  # noqa: S608
        f"row_number() OVER () AS {ROW} "
        f"FROM read_json({_quoted(literal(name, 'duckdb'))}, columns={columns}, format='array', "
        f"compression={_quoted(_compression(name))})"
        for index, name in enumerate(files)
    ]
    return con.sql(" UNION ALL ".join(parts))


def _polars_rows(files: list[str], fields: tuple[str, ...]) -> Any:
    import polars as pl  # noqa: PLC0415 - the engine is the caller's: imported only when asked for

    schema = dict.fromkeys(fields, pl.String)
    full = {**schema, SOURCE: pl.String, FILE: pl.Int64, ROW: pl.Int64}
    if not files:
        return pl.LazyFrame(schema=full)

    def read(index: int) -> Any:
        name = files[index]
        data = _unpacked(name)  # read once, whichever way it is then parsed
        frame = _polars_lines_read(data, schema)
        if frame is None:
            try:
                frame = pl.read_json(io.BytesIO(data), schema=schema)
            except pl.exceptions.ComputeError as error:
                rows = _text_rows(data, name, fields, error)
                frame = pl.DataFrame(rows, schema=schema, orient="row")
        return frame.with_columns(
            pl.lit(name).alias(SOURCE),
            pl.lit(index, pl.Int64).alias(FILE),
            pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(ROW),
        )

    # polars reads a JSON array only whole (scan_ndjson reads lines): `defer` puts each
    # file's read off until the frame is collected, and the next file is read meanwhile
    pages = _ReadAhead(read, len(files))
    return pl.concat([pl.defer(partial(pages.get, i), schema=full) for i in range(len(files))])


class _ReadAhead:
    """Files read one ahead of the reader: asked for file ``i``, file ``i + 1`` is started.

    polars' streaming engine collects deferred frames one by one, in order: while it works
    on a file, the next one is read on a thread of its own (polars parses without the GIL).
    A file is read ahead only if it has not been asked for yet in this pass (an engine
    asking for several at once reads each once); a file asked for again starts a new pass
    (a frame collected twice is read twice). At most one file is read ahead, and kept
    until asked for. What a read raises is raised to the one who asks.
    """

    def __init__(self, read: Callable[[int], Any], count: int) -> None:
        self._read, self._count = read, count
        self._lock = threading.Lock()
        self._asked: set[int] = set()
        self._ahead: dict[int, tuple[threading.Thread, list[tuple[bool, Any]]]] = {}

    def get(self, index: int) -> Any:
        """File `index`'s frame, and the next file started."""
        with self._lock:
            if index in self._asked:
                self._asked.clear()
            self._asked.add(index)
            found = self._ahead.pop(index, None)
            following = index + 1
            fresh = following not in self._asked and following not in self._ahead
            if following < self._count and fresh:
                box: list[tuple[bool, Any]] = []
                thread = threading.Thread(target=self._fill, args=(following, box), daemon=True)
                self._ahead[following] = (thread, box)
                thread.start()
        if found is None:
            return self._read(index)
        thread, box = found
        thread.join()
        done, value = box[0]
        if done:
            return value
        raise value

    def _fill(self, index: int, box: list[tuple[bool, Any]]) -> None:
        try:
            box.append((True, self._read(index)))
        except BaseException as error:  # noqa: BLE001 - raised again to the reader
            box.append((False, error))


def _polars_lines_read(data: bytes, schema: dict[str, Any]) -> Any:
    """A JSON array's objects (a file's bytes, unpacked) read as JSON lines by polars.

    `pl.read_json` parses a file whole, at about half the speed of `pl.read_ndjson`, which
    reads one object a line, in parallel. With msgspec (the ``fast`` extra), a file that
    is a JSON array of objects is cut into its objects unparsed (`msgspec.Raw`), one a
    line, and read so: every field as the text `pl.read_json` gives it (a test compares the
    two). A line break outside a string is whitespace, a space as well; one inside a
    string is no JSON, which msgspec refuses first. None, and the file is read whole,
    where msgspec is not installed or does not read the file as an array, an item is no
    object (polars refuses its line), or a field holds text that may be an object or an
    array (it starts with ``{`` or ``[``), which `pl.read_json` refuses and is read
    otherwise.
    """
    try:
        import msgspec  # noqa: PLC0415 - the `fast` extra, imported where it is used
    except ImportError:
        return None
    import polars as pl  # noqa: PLC0415 - the engine is the caller's: imported only when asked for

    try:
        items = msgspec.json.decode(data, type=list[msgspec.Raw])
        if b"\n" in data or b"\r" in data:  # valid JSON: each is whitespace
            data = data.replace(b"\n", b" ").replace(b"\r", b" ")
            items = msgspec.json.decode(data, type=list[msgspec.Raw])
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    if not items:
        return pl.DataFrame(schema=schema)
    try:  # polars refuses a line that holds no object
        frame = pl.read_ndjson(b"\n".join(items), schema=schema)
    except pl.exceptions.PolarsError:
        return None
    nested = pl.any_horizontal(pl.col(f).str.contains(r"^[\[{]") for f in schema).any()
    if frame.height != len(items) or frame.select(nested.fill_null(value=False)).item():
        return None
    return frame


def _text_rows(
    data: bytes, name: str, fields: tuple[str, ...], error: Exception
) -> list[list[str | None]]:
    """The fields of a JSON array's objects (file `name`'s bytes) as text, as polars reads them.

    For a file polars will not read as text only because a field holds an object or an
    array, which DuckDB and Spark read as its JSON text, and so does this
    (`_value_text`). Of a key given twice in an object the first is read, as polars reads
    it. A file polars refuses for any other reason (no JSON array of objects, ``NaN``, a
    number too large for a float) raises `error`, polars' own.
    """

    def refuse(token: str) -> object:
        raise ValueError(token)

    def first_wins(pairs: list[tuple[str, object]]) -> dict[str, object]:
        item: dict[str, object] = {}
        for key, value in pairs:
            item.setdefault(key, value)
        return item

    try:
        document = json.loads(
            data,
            object_pairs_hook=first_wins,
            parse_constant=refuse,
        )
        if not isinstance(document, list) or not all(isinstance(i, dict) for i in document):
            raise ValueError(name)  # noqa: TRY301 - one refusal: polars' error
        return [[_value_text(item.get(field)) for field in fields] for item in document]
    except (ValueError, UnicodeError):
        raise error from None


def _value_text(value: object) -> str | None:
    """A parsed JSON value as polars writes it as text, an object or array as its JSON.

    A number is its shortest text without an exponent (``1.0`` is ``1``, ``1e3`` is
    ``1000``, ``1e23`` is a 1 and 23 zeros), as `pl.read_json` gives it. A number too
    large for a float is a `ValueError`, as polars refuses it.
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(value)
        shortest = Decimal(repr(value))
        return format(shortest.to_integral_value() if value.is_integer() else shortest, "f")
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _spark_session(session: Any) -> Any:
    """The Spark session given, else the active one."""
    from pyspark.sql import SparkSession  # noqa: PLC0415 - the caller's engine

    spark = session or SparkSession.getActiveSession()
    if spark is None:
        msg = "backend='pyspark' needs a SparkSession: give it as session="
        raise InvalidArgumentError(msg)
    return spark


def _spark_rows(files: list[str], fields: tuple[str, ...], session: Any) -> Any:
    from pyspark.sql import Window  # noqa: PLC0415 - the caller's engine
    from pyspark.sql import functions as F  # noqa: N812, PLC0415 - Spark's own spelling
    from pyspark.sql import types as T  # noqa: N812, PLC0415

    spark = _spark_session(session)
    schema = T.StructType([T.StructField(f, T.StringType()) for f in fields])
    full = T.StructType(
        [
            *schema.fields,
            T.StructField(SOURCE, T.StringType()),
            T.StructField(FILE, T.LongType()),
            T.StructField(ROW, T.LongType()),
        ]
    )
    if not files:
        return spark.createDataFrame([], full)
    frames = []
    for index, name in enumerate(files):
        # a multi-line JSON file is never split: its rows are one partition, in order
        rows = spark.read.json(literal(name, "pyspark"), schema=schema, multiLine=True).withColumn(
            "_id", F.monotonically_increasing_id()
        )
        order = Window.orderBy("_id")
        frames.append(
            rows.select(
                *fields,
                F.lit(name).alias(SOURCE),
                F.lit(index).cast("long").alias(FILE),
                F.row_number().over(order).cast("long").alias(ROW),
            )
        )
    result = frames[0]
    for frame in frames[1:]:
        result = result.unionByName(frame)
    return result


PART, ELEMENT = "_part", "_element"
UNREAD = "_unread"
"""The `PART` of the one row a file whose document holds no list of items gives (`ROW`
0): an API's error page, or a document of another kind, is said, not passed over."""
"""The columns a frame of JSON items has beside its fields and `SOURCE`, `FILE`, `ROW`:
which part of the item a row holds, and the element's place in the part's list (from 1;
0 for the part that is the item itself)."""

JsonPart = tuple[str, str | None, tuple[tuple[str, str], ...]]
"""One part of each item of a JSON document: its name, the list inside the item whose
elements it reads (a dotted path; ``None`` for the item itself), and its columns, each a
name and the dotted path of a field inside the element (``""`` for the element itself)."""


def json_item_rows(
    paths: Paths | None,
    *,
    wrappers: tuple[str, ...],
    parts: Sequence[JsonPart],
    backend: Engine,
    connection: Any = None,
    session: Any = None,
) -> nw.LazyFrame[Any]:
    """Return the items of nested JSON documents, part by part, every field as text.

    Each file holds one JSON document (gzipped or not): an array of items, or an object
    whose items are the array at the first of `wrappers` (dotted paths) that holds one
    (a document with none gives one row of part `UNREAD`, row 0). Each item gives one row
    per part: the item
    itself, or one row per element of a list inside it. The frame has `PART`, every
    part's columns (String; null in another part's rows, and where the field is missing
    or null), `SOURCE`, `FILE`, `ROW` (the item's place in its file, from 1) and
    `ELEMENT`. A field's text is a JSON string's own text, a number as the engine writes
    it (``1530.0000`` may read ``1530.0``), ``true`` or ``false``, or an object's or
    array's JSON text (its spacing is the engine's).

    Raises:
        InvalidArgumentError: an unknown backend, or no Spark session.
        ReportFormatError: see `files_of`.
    """
    readers: dict[str, Callable[[list[str]], Any]] = {
        "duckdb": lambda files: _duckdb_items(files, wrappers, parts, connection),
        "polars": lambda files: _polars_items(files, wrappers, parts),
        "pyspark": lambda files: _spark_items(files, wrappers, parts, session),
    }
    return _read(paths, readers, backend, connection, session)


def counting(
    upto: int, *, backend: Engine, connection: Any = None, session: Any = None
) -> nw.LazyFrame[Any]:
    """Return a frame of one Int64 column ``n``: 0 to `upto` - 1, on the engine asked for.

    Raises:
        InvalidArgumentError: an unknown backend, or no Spark session.
    """
    _check_backend(backend)
    if backend == "duckdb":
        import duckdb  # noqa: PLC0415 - the engine is the caller's: imported only when asked for

        con = duckdb.default_connection() if connection is None else connection
        native: Any = con.sql(f"SELECT range::BIGINT AS n FROM range({int(upto)})")  # noqa: S608 - a number
    elif backend == "polars":
        import polars as pl  # noqa: PLC0415 - the engine is the caller's

        native = pl.LazyFrame({"n": range(upto)}, schema={"n": pl.Int64})
    else:
        native = _spark_session(session).range(upto).withColumnRenamed("id", "n")
    return cast("nw.LazyFrame[Any]", nw.from_native(native))


def _columns(parts: Sequence[JsonPart]) -> list[str]:
    """Every part's columns, each once, in the order first named."""
    return list(dict.fromkeys(name for _, _, columns in parts for name, _ in columns))


def _json_path(dotted: str) -> str:
    """The JSONPath of a dotted path (``$`` for ``""``)."""
    return "$" + "".join(f".{key}" for key in dotted.split(".")) if dotted else "$"


_LARGEST_DOCUMENT = (2 << 30) - 1
"""The most bytes DuckDB reads as one JSON document (its limit): a URL's file is read up to it."""
_SMALLEST_DOCUMENT = 1 << 20


def _document_size(name: str, compression: str) -> int:
    """The bytes DuckDB is to read a file's document in: its size, unpacked.

    `compression` is the file's, as `_compression` tells it. DuckDB sets aside twice the
    ``maximum_object_size`` it is given, against its memory limit, whatever the file
    holds: at its own limit of 2 GiB, a connection limited to less than 4 GiB could read
    no file at all. A local file's size is known (a gzipped one's by unpacking it, nothing
    kept); a URL's is not, and is read up to the limit. A gzip stream that does not unpack
    is left for DuckDB to name.
    """
    if compression == "auto":
        return _LARGEST_DOCUMENT
    try:
        if compression == "gzip":
            size = 0
            with gzip.open(name) as stream:
                while chunk := stream.read(1 << 20):
                    size += len(chunk)
        else:
            size = Path(name).stat().st_size
    except (OSError, EOFError, zlib.error):
        return _LARGEST_DOCUMENT
    return min(max(size + 1, _SMALLEST_DOCUMENT), _LARGEST_DOCUMENT)


def _duckdb_items(
    files: list[str], wrappers: tuple[str, ...], parts: Sequence[JsonPart], connection: Any
) -> Any:
    import duckdb  # noqa: PLC0415 - the engine is the caller's: imported only when asked for

    con = duckdb.default_connection() if connection is None else connection
    names = _columns(parts)
    head = f"NULL::VARCHAR AS {PART}, " + ", ".join(f'NULL::VARCHAR AS "{n}"' for n in names)
    if not files:
        return con.sql(
            f"SELECT {head}, NULL::VARCHAR AS {SOURCE}, NULL::BIGINT AS {FILE}, "
            f"NULL::BIGINT AS {ROW}, NULL::BIGINT AS {ELEMENT} WHERE false"
        )
    found = " ".join(
        f"WHEN json_type(json, {_quoted(_json_path(w))}) = 'ARRAY' "
        f"THEN json_extract(json, {_quoted(_json_path(w))})"
        for w in wrappers
    )

    selects = []
    for part, within, columns in parts:
        given = dict(columns)
        # every field of an element from one parse of it: a list of paths gives a list of
        # values, where a path alone parses the element again for each field
        paths = [_quoted(_json_path(path)) for path in given.values()]
        place = {name: at for at, name in enumerate(given, start=1)}
        fields = ", ".join(
            f'v[{place[n]}] AS "{n}"' if n in given else f'NULL::VARCHAR AS "{n}"' for n in names
        )
        if within is None:
            elements = f"SELECT row, item AS e, 0::BIGINT AS {ELEMENT} FROM items"  # noqa: S608
        else:
            at = _quoted(_json_path(within))  # the paths are the importer's own
            elements = (
                f"SELECT row, unnest(s) AS e, unnest(range(1, len(s) + 1)) AS {ELEMENT} "  # noqa: S608
                f"FROM (SELECT row, CASE WHEN json_type(item, {at}) = 'ARRAY' "
                f"THEN json_extract(item, {at})::JSON[] END AS s FROM items)"
            )
        values = f"SELECT *, json_extract_string(e, [{', '.join(paths)}]) AS v FROM ({elements})"  # noqa: S608
        selects.append(
            f"SELECT {_quoted(part)} AS {PART}, {fields}, src AS {SOURCE}, "  # noqa: S608 - paths are ours
            f"idx AS {FILE}, row AS {ROW}, {ELEMENT} FROM ({values}), files"
        )
    union = " UNION ALL ".join(selects)
    nothing = ", ".join(f'NULL::VARCHAR AS "{n}"' for n in names)
    unread = (
        f"SELECT {_quoted(UNREAD)} AS {PART}, {nothing}, src AS {SOURCE}, idx AS {FILE}, "  # noqa: S608 - names are ours
        f"0::BIGINT AS {ROW}, 0::BIGINT AS {ELEMENT} FROM lists, files WHERE l IS NULL"
    )
    queries = []
    for index, name in enumerate(files):
        # the whole document is one JSON value: `unstructured` reads it as one row
        compression = _compression(name)
        read = (
            f"read_json_objects({_quoted(literal(name, 'duckdb'))}, format='unstructured', "
            f"compression={_quoted(compression)}, "
            f"maximum_object_size={_document_size(name, compression)})"
        )
        queries.append(
            f"(WITH files AS (SELECT {_quoted(name)} AS src, {index}::BIGINT AS idx), "  # noqa: S608
            f"lists AS (SELECT CASE WHEN json_type(json) = 'ARRAY' THEN json {found} END AS l "
            f"FROM {read}), "
            # a list cut into its items once: `json_extract(l, i)` parses all of `l` for each
            # item, a page's time and memory growing as the square of its items
            "items AS (SELECT unnest(range(1, len(a) + 1)) AS row, unnest(a) AS item FROM "
            f"(SELECT l::JSON[] AS a FROM lists)) {union} UNION ALL {unread})"
        )
    return con.sql(" UNION ALL ".join(queries))


def _json_text(value: object) -> str | None:
    """A parsed JSON value's text, as the engines read it (numbers were kept as text)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _dig(value: object, dotted: str) -> object:
    """The value at a dotted path inside `value` (``None`` where there is none)."""
    for key in dotted.split(".") if dotted else ():
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _document(name: str) -> object:
    """A JSON file's document, gzipped or not, its numbers kept as their text."""
    return json.loads(_unpacked(name).decode("utf-8-sig"), parse_float=str, parse_int=str)


def _item_columns(
    document: object,
    wrappers: tuple[str, ...],
    parts: Sequence[JsonPart],
    names: list[str],
) -> dict[str, list[object]]:
    """The rows of one document's items, part by part, as columns (without the file's)."""
    items = document
    if not isinstance(items, list):
        lists = (_dig(document, w) for w in wrappers)
        items = next((found for found in lists if isinstance(found, list)), None)
    out: dict[str, list[object]] = {name: [] for name in (PART, *names, ROW, ELEMENT)}
    if items is None:  # no list of items: one row says so
        for name, column in out.items():
            column.append(UNREAD if name == PART else 0 if name in (ROW, ELEMENT) else None)
        return out
    for row, item in enumerate(items, 1):
        for part, within, columns in parts:
            if within is None:
                elements: list[object] = [item]
            else:
                inner = _dig(item, within)
                elements = inner if isinstance(inner, list) else []
            given = dict(columns)
            for place, element in enumerate(elements, 1):
                out[PART].append(part)
                out[ROW].append(row)
                out[ELEMENT].append(0 if within is None else place)
                for name in names:
                    out[name].append(
                        _json_text(_dig(element, given[name])) if name in given else None
                    )
    return out


def _polars_items(files: list[str], wrappers: tuple[str, ...], parts: Sequence[JsonPart]) -> Any:
    import polars as pl  # noqa: PLC0415 - the engine is the caller's: imported only when asked for

    names = _columns(parts)
    full = {
        PART: pl.String,
        **dict.fromkeys(names, pl.String),
        SOURCE: pl.String,
        FILE: pl.Int64,
        ROW: pl.Int64,
        ELEMENT: pl.Int64,
    }
    if not files:
        return pl.LazyFrame(schema=full)

    def reader(name: str, index: int) -> Any:
        # polars has no reader of nested JSON of mixed shapes (a price is text in one list,
        # an object in another): Python's parser walks it, when the frame is collected
        def read() -> Any:
            columns = _item_columns(_document(name), wrappers, parts, names)
            rows = len(columns[PART])
            columns[SOURCE] = [name] * rows
            columns[FILE] = [index] * rows
            return pl.DataFrame(columns, schema=full)

        return pl.defer(read, schema=full)

    return pl.concat([reader(name, index) for index, name in enumerate(files)])


def _spark_items(
    files: list[str], wrappers: tuple[str, ...], parts: Sequence[JsonPart], session: Any
) -> Any:
    from pyspark.sql import functions as F  # noqa: N812, PLC0415 - Spark's own spelling
    from pyspark.sql import types as T  # noqa: N812, PLC0415

    spark = _spark_session(session)
    names = _columns(parts)
    full = T.StructType(
        [
            T.StructField(PART, T.StringType()),
            *(T.StructField(n, T.StringType()) for n in names),
            T.StructField(SOURCE, T.StringType()),
            T.StructField(FILE, T.LongType()),
            T.StructField(ROW, T.LongType()),
            T.StructField(ELEMENT, T.LongType()),
        ]
    )
    if not files:
        return spark.createDataFrame([], full)
    texts = T.ArrayType(T.StringType())  # each element as its JSON text (a string's own)

    def array_at(column: Any, dotted: str) -> Any:
        found = F.get_json_object(column, _json_path(dotted))
        return F.when(F.ltrim(found).startswith("["), F.from_json(found, texts))

    frames = []
    for index, name in enumerate(files):
        doc = spark.read.text(literal(name, "pyspark"), wholetext=True).select(
            F.regexp_replace("value", "^\ufeff", "").alias("d")
        )
        lists = [
            F.when(F.ltrim("d").startswith("["), F.from_json("d", texts)),
            *(array_at(F.col("d"), w) for w in wrappers),
        ]
        items = doc.select(F.posexplode(F.coalesce(*lists)).alias("i", "item"))
        frames.append(
            doc.where(F.coalesce(*lists).isNull()).select(
                F.lit(UNREAD).alias(PART),
                *(F.lit(None).cast("string").alias(n) for n in names),
                F.lit(name).alias(SOURCE),
                F.lit(index).cast("long").alias(FILE),
                F.lit(0).cast("long").alias(ROW),
                F.lit(0).cast("long").alias(ELEMENT),
            )
        )
        for part, within, columns in parts:
            given = dict(columns)
            if within is None:
                elements = items.select(
                    (F.col("i") + 1).alias(ROW), F.col("item").alias("e"), F.lit(0).alias(ELEMENT)
                )
            else:
                elements = items.select(
                    (F.col("i") + 1).alias(ROW),
                    F.posexplode(array_at(F.col("item"), within)).alias("j", "e"),
                ).select(ROW, "e", (F.col("j") + 1).alias(ELEMENT))
            frames.append(
                elements.select(
                    F.lit(part).alias(PART),
                    *(
                        (
                            F.col("e")
                            if given[n] == ""
                            else F.get_json_object("e", _json_path(given[n]))
                        ).alias(n)
                        if n in given
                        else F.lit(None).cast("string").alias(n)
                        for n in names
                    ),
                    F.lit(name).alias(SOURCE),
                    F.lit(index).cast("long").alias(FILE),
                    F.col(ROW).cast("long"),
                    F.col(ELEMENT).cast("long"),
                )
            )
    result = frames[0]
    for frame in frames[1:]:
        result = result.unionByName(frame)
    return result
