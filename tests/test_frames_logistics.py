"""Logistics in frames: carried by to_lines and to_history on every engine, read by no figure."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("narwhals", reason="the frames tests need redemption[frames] and the engines")
pytest.importorskip("polars", reason="the frames tests need the frame engines (the dev extra)")

import narwhals.stable.v2 as nw
import pandas as pd
from hypothesis import HealthCheck, given, settings

from redemption import History, InvalidArgumentError, RecordTypeError, frames
from redemption.errors import ColumnError
from redemption.model import Logistics
from redemption.order_lines import COST_COLUMNS
from tests.builders import an_order, msk
from tests.engines import ENGINES, Engine, engine_fixture, schema_of
from tests.strategies import matched_histories

engine = pytest.fixture(params=ENGINES)(engine_fixture)

AT = msk("2025-04-01T12:00")


def _history() -> History:
    """Three orders: one with logistics both ways, one to the buyer only, one with none."""
    return History(
        orders=[an_order("o1", AT), an_order("o2", AT), an_order("o3", AT)],
        logistics=[
            Logistics(order_id="o1", to_buyer="51.50", back="48.05"),
            Logistics(order_id="o2", to_buyer=0, back=0),
        ],
    )


def test_a_history_keeps_its_logistics_through_lines(engine: Engine) -> None:
    """
    Round trip on every engine: to_lines then to_history keeps every record to the kopeck,
    and an order with none has none (null, not 0).
    """

    @settings(
        max_examples=max(engine.examples // 2, 4),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(history=matched_histories())
    def check(history: History) -> None:
        table = frames.to_lines(history, backend="pyarrow")
        back = frames.to_history(engine.make(table))
        assert back.logistics == history.logistics

    check()


def test_the_cost_columns_read_back_in_each_engines_own_types(engine: Engine) -> None:
    """
    Int64 kopecks, null where unknown; pandas with numpy dtypes has no null integer, so
    its frame made from Arrow holds floats, and they read back the same.
    """
    lines = engine.make(frames.to_lines(_history(), backend="pyarrow"))
    schema = schema_of(lines)
    expected = nw.Float64 if engine.name == "pandas" else nw.Int64
    assert [schema[column] for column in COST_COLUMNS] == [expected, expected]
    assert frames.to_history(lines).logistics == _history().logistics


@pytest.mark.parametrize("backend", ["polars", "pandas", "pyarrow", "duckdb"])
def test_to_lines_of_every_backend_gives_them_as_nullable_int64(backend: str) -> None:
    """
    pandas' own int64 holds no null: its columns are pandas' nullable Int64.
    """
    lines = frames.to_lines(_history(), backend=backend)  # type: ignore[arg-type]
    schema = dict(nw.from_native(lines).collect_schema())
    assert [schema[column] for column in COST_COLUMNS] == [nw.Int64, nw.Int64]
    rows = nw.from_native(lines).lazy().collect().sort("order_id").to_arrow().to_pylist()
    assert [(row["delivery_cost"], row["return_cost"]) for row in rows] == [
        (5150, 4805),
        (0, 0),
        (None, None),
    ]
    assert frames.to_history(lines).logistics == _history().logistics


@pytest.mark.spark
def test_a_spark_frame_keeps_them(spark: Any) -> None:
    """
    to_lines with the session, and back.
    """
    lines = frames.to_lines(_history(), backend="pyspark", session=spark)
    assert frames.to_history(lines).logistics == _history().logistics


def test_lines_without_the_cost_columns_have_no_logistics(engine: Engine) -> None:
    """
    The columns are optional: a frame without them reads as before.
    """
    table = frames.to_lines(_history(), backend="pyarrow").drop_columns(list(COST_COLUMNS))
    back = frames.to_history(engine.make(table))
    assert (len(back.orders), back.logistics) == (3, {})


def test_a_pandas_column_made_float_by_a_gap_reads_back_whole() -> None:
    """
    A numpy-backed pandas frame with a missing cost has floats: whole ones are kopecks.
    """
    lines = frames.to_lines(_history(), backend="pandas")
    lines = lines.astype(dict.fromkeys(COST_COLUMNS, "float64"))
    assert frames.to_history(lines).logistics == _history().logistics
    lines.loc[0, "delivery_cost"] = 0.5
    with pytest.raises(RecordTypeError, match="delivery_cost must hold whole kopecks"):
        frames.to_history(lines)


def test_a_cost_column_of_text_is_refused() -> None:
    """
    The column must hold whole numbers of kopecks.
    """
    lines = frames.to_lines(_history(), backend="pandas")
    lines["return_cost"] = pd.Series(["1", "2", None], dtype="string")
    with pytest.raises(ColumnError, match="column 'return_cost' must hold whole numbers"):
        frames.to_history(lines)


def test_logistics_without_their_order_have_no_line() -> None:
    """
    Refused rather than lost, as unmatched sales are.
    """
    history = History(logistics=[Logistics(order_id="x", to_buyer=1, back=0)])
    with pytest.raises(InvalidArgumentError, match="logistics records without their order"):
        frames.to_lines(history)
