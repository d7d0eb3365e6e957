"""`redemption.frames` as a user writes it, checked by mypy --strict (not run by pytest).

Each figure gives back the type of frame it was given: a polars DataFrame for a DataFrame,
a LazyFrame for a LazyFrame, a DuckDB relation for a relation.
"""

from __future__ import annotations

from datetime import date
from typing import assert_type

import duckdb
import polars as pl

from redemption import Period, frames
from redemption.sample import sample_history


def use_the_frames_api() -> None:
    """Ask for every figure on eager, lazy and DuckDB frames."""
    period, today = Period(date(2025, 3, 1), date(2025, 3, 31)), date(2025, 4, 30)
    eager = pl.DataFrame(frames.to_lines(sample_history()[0]))
    assert_type(frames.redemption_rates(eager, period=period, today=today), pl.DataFrame)
    assert_type(frames.ransom_amounts(eager.lazy(), today=today), pl.LazyFrame)
    relation = duckdb.from_arrow(eager.to_arrow())
    assert_type(frames.buyer_reports(relation, today=today), duckdb.DuckDBPyRelation)
    assert_type(frames.to_history(eager).orders[0].order_id, str)
