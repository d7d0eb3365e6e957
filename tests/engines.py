"""The frame engines every frames test runs on, made from one pyarrow table.

Polars eager and lazy, pandas with numpy and with pyarrow dtypes, pyarrow, DuckDB, and
PySpark (marked ``spark``: one local session for the whole run, skipped without Java).
Without the engines (the ``test`` extra alone), importing this skips the importing module.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

for _name in ("narwhals", "pandas", "polars", "pyarrow", "duckdb"):
    pytest.importorskip(
        _name, reason=f"{_name} is not installed: the frames tests need the dev extra"
    )

import duckdb  # noqa: E402 - after the skips
import narwhals.stable.v2 as nw  # noqa: E402
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402
import pyarrow as pa  # noqa: E402


@attrs.frozen
class Engine:
    """One engine: how to make its frame from a pyarrow table, and what comes back."""

    name: str
    make: Callable[[pa.Table], Any]
    lazy: bool
    examples: int  # property tests are slower on some engines: fewer examples there


def spark_session() -> Iterator[Any]:
    """Start one local Spark session, or skip with the reason."""
    if shutil.which("java") is None and "JAVA_HOME" not in os.environ:
        pytest.skip("Spark needs a Java runtime: install openjdk-17-jre-headless")
    pyspark_sql = pytest.importorskip("pyspark.sql")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("redemption-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        # each column operation would also send its Python call site to the JVM: half the
        # calls of building a reading (docs/frames.md, "Building a reading on Spark")
        .config("spark.python.sql.dataFrameDebugging.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _needs_session(_: pa.Table) -> Any:
    msg = "the pyspark engine is made by the engine fixture, with the session"
    raise AssertionError(msg)


ENGINES = [
    pytest.param(Engine("polars", pl.DataFrame, lazy=False, examples=60), id="polars"),
    pytest.param(
        Engine("polars-lazy", lambda t: pl.DataFrame(t).lazy(), lazy=True, examples=60),
        id="polars-lazy",
    ),
    pytest.param(Engine("pandas", lambda t: t.to_pandas(), lazy=False, examples=40), id="pandas"),
    pytest.param(
        Engine(
            "pandas-pyarrow",
            lambda t: t.to_pandas(types_mapper=pd.ArrowDtype),
            lazy=False,
            examples=40,
        ),
        id="pandas-pyarrow",
    ),
    pytest.param(Engine("pyarrow", lambda t: t, lazy=False, examples=60), id="pyarrow"),
    pytest.param(Engine("duckdb", duckdb.from_arrow, lazy=True, examples=40), id="duckdb"),
    pytest.param(
        Engine("pyspark", _needs_session, lazy=True, examples=8),
        id="pyspark",
        marks=pytest.mark.spark,
    ),
]
"""Every engine, as pytest params; the Spark one is marked ``spark``."""


def engine_fixture(request: pytest.FixtureRequest) -> Engine:
    """The engine of a test's param, the Spark one given the session."""
    engine: Engine = request.param
    if engine.name == "pyspark":
        session = request.getfixturevalue("spark")
        return attrs.evolve(engine, make=session.createDataFrame)
    return engine


def rows_of(result: Any) -> list[dict[str, Any]]:
    """The rows of a figure's frame, of any engine, as Python values."""
    frame = nw.from_native(result)
    eager = frame.collect() if isinstance(frame, nw.LazyFrame) else frame
    return list(eager.to_arrow().to_pylist())


def by_order(frame: Any) -> list[dict[str, Any]]:
    """A frame of order lines' rows as Python values, in order of their order id."""
    return sorted(rows_of(frame), key=lambda row: row["order_id"])


def rule_of(reason: str) -> str:
    """The conflict rule a reason for putting a row aside ends with: ``(... rule)``."""
    found = re.search(r"\(([a-z-]+)\)$", reason)
    assert found is not None, reason
    return found.group(1)


def schema_of(result: Any) -> dict[str, Any]:
    """The column types of a figure's frame, of any engine, as narwhals types."""
    return dict(nw.from_native(result).collect_schema())
