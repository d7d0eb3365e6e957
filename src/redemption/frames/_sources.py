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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, cast

import narwhals.stable.v2 as nw

from redemption.errors import InvalidArgumentError, ReportFormatError

__all__ = ["SOURCE", "Engine", "Paths", "files_of", "report_rows"]

Engine = Literal["duckdb", "polars", "pyspark"]
"""The engines a report is read on."""

Paths = str | Path | Sequence[str | Path]
"""A report's files: a file, a folder of pages (``*.json``, ``*.json.gz``), a glob
(``pages/orders-*.json.gz``), or a sequence of them, read in that order."""

SOURCE, FILE, ROW = "_source", "_file", "_row"
"""The columns every frame of rows has beside its fields: the file's name as given, its
place among the files (from 0), and the row's place in the file (from 1)."""

_GLOB = frozenset("*?[")
_JSON = (".json", ".json.gz")
"""How the names of a folder's pages end."""


def files_of(paths: Paths) -> list[str]:
    """The files `paths` name, in order: a folder's pages and a glob's matches by name.

    A folder's pages are its files whose names end ``.json`` or ``.json.gz``.

    A file named twice is read once, where it first comes.

    Raises:
        ReportFormatError: a path names nothing, a glob matches nothing, or a file is empty.
    """
    given = [paths] if isinstance(paths, str | Path) else list(paths)
    found: list[str] = []
    for item in given:
        text = str(item)
        path = Path(text)
        if path.is_dir():
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
        if Path(name).stat().st_size == 0:
            msg = f"{name}: the file is empty; expected a JSON array of report rows"
            raise ReportFormatError(msg, source=name)
    return files


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
    if backend not in readers:
        msg = f"backend must be one of duckdb, polars, pyspark; not {backend!r}"
        raise InvalidArgumentError(msg)
    native = readers[backend]([] if paths is None else files_of(paths))
    return cast("nw.LazyFrame[Any]", nw.from_native(native))


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
        f"FROM read_json({_quoted(name)}, columns={columns}, format='array')"
        for index, name in enumerate(files)
    ]
    return con.sql(" UNION ALL ".join(parts))


def _polars_rows(files: list[str], fields: tuple[str, ...]) -> Any:
    import polars as pl  # noqa: PLC0415 - the engine is the caller's: imported only when asked for

    schema = dict.fromkeys(fields, pl.String)
    full = {**schema, SOURCE: pl.String, FILE: pl.Int64, ROW: pl.Int64}
    if not files:
        return pl.LazyFrame(schema=full)

    def reader(name: str, index: int) -> Any:
        # polars reads a JSON array only whole (scan_ndjson reads lines): `defer` puts the
        # read off until the frame is collected
        def read() -> Any:
            frame = pl.read_json(name, schema=schema)
            return frame.with_columns(
                pl.lit(name).alias(SOURCE),
                pl.lit(index, pl.Int64).alias(FILE),
                pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias(ROW),
            )

        return pl.defer(read, schema=full)

    return pl.concat([reader(name, index) for index, name in enumerate(files)])


def _spark_rows(files: list[str], fields: tuple[str, ...], session: Any) -> Any:
    from pyspark.sql import SparkSession, Window  # noqa: PLC0415 - the caller's engine
    from pyspark.sql import functions as F  # noqa: N812, PLC0415 - Spark's own spelling
    from pyspark.sql import types as T  # noqa: N812, PLC0415

    spark = session or SparkSession.getActiveSession()
    if spark is None:
        msg = "backend='pyspark' needs a SparkSession: give it as session="
        raise InvalidArgumentError(msg)
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
        rows = spark.read.json(name, schema=schema, multiLine=True).withColumn(
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
