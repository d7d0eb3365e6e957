"""Kinds and reasons in frames: carried by to_lines and to_history on every engine."""

from __future__ import annotations

import pytest

pytest.importorskip("narwhals", reason="the frames tests need redemption[frames] and the engines")
pytest.importorskip("polars", reason="the frames tests need the frame engines (the dev extra)")

from hypothesis import HealthCheck, given, settings

from redemption import CancelKind, History, Order, Return, frames
from redemption.order_lines import OUTCOME_COLUMNS
from tests.engines import ENGINES, Engine, engine_fixture
from tests.strategies import matched_histories

engine = pytest.fixture(params=ENGINES)(engine_fixture)


def by_id(record: Order | Return) -> str:
    """Records in the order of their ids: lazy engines keep no row order."""
    return record.order_id


def test_a_history_keeps_every_kind_and_reason_through_lines(engine: Engine) -> None:
    """
    Round trip on every engine: to_lines then to_history keeps each kind, category and word.
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
        assert sorted(back.orders, key=by_id) == sorted(history.orders, key=by_id)
        assert sorted(back.returns, key=by_id) == sorted(history.returns, key=by_id)

    check()


def test_lines_without_the_outcome_columns_read_as_before(engine: Engine) -> None:
    """
    A frame of the nine original columns still reads: cancellations are of unknown kind.
    """
    from tests.test_frames import _history  # noqa: PLC0415 - it needs the engines too

    history = _history()
    table = frames.to_lines(history, backend="pyarrow").drop_columns(list(OUTCOME_COLUMNS))
    back = frames.to_history(engine.make(table))
    assert sorted(map(by_id, back.orders)) == sorted(map(by_id, history.orders))
    assert {o.cancel_kind for o in back.orders if o.cancelled_at} == {CancelKind.UNKNOWN}
