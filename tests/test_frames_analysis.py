"""refusal_breakdown and rate_series on frames: the objects' counts, on every engine."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from typing import Any, Literal, cast

import pytest

# With the `test` extra alone there is no narwhals and no engine: skip, saying so.
for _name in ("narwhals", "pandas", "polars", "pyarrow", "duckdb"):
    pytest.importorskip(
        _name, reason=f"{_name} is not installed: the frames tests need the dev extra"
    )

import narwhals.stable.v2 as nw  # noqa: E402 - after the skips
import polars as pl  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from redemption import (  # noqa: E402
    MOSCOW,
    CancelKind,
    History,
    InvalidArgumentError,
    InvalidPeriodError,
    Order,
    Period,
    Reason,
    ReasonCategory,
    Return,
    ReturnKind,
    Sale,
    frames,
)
from redemption.analysis import (  # noqa: E402
    Breakdown,
    Outcome,
    SeriesPoint,
    rate_series,
    refusal_breakdown,
)
from redemption.order_lines import OUTCOME_COLUMNS  # noqa: E402
from tests.builders import an_order, msk  # noqa: E402
from tests.engines import ENGINES, Engine, engine_fixture, rows_of, schema_of  # noqa: E402
from tests.strategies import Scenario, matched_scenarios  # noqa: E402

engine = pytest.fixture(params=ENGINES)(engine_fixture)

By = Literal["sku", "seller", "buyer"] | None
GROUP_COLUMN: dict[str | None, str | None] = {
    "sku": "sku",
    "seller": "seller_id",
    "buyer": "buyer_id",
    None: None,
}
GROUPINGS: list[By] = [None, "sku", "seller", "buyer"]
FREQS = ["day", "week", "month"]
APRIL = Period(date(2025, 4, 1), date(2025, 4, 30))

# The outcome columns, named here from the enums, apart from the module's own names.
OUTCOME_NAMES = {
    "kept": (Outcome.KEPT, None),
    **{f"returned_{kind.value}": (Outcome.RETURNED, kind) for kind in ReturnKind},
    "sold_late": (Outcome.SOLD_LATE, None),
    **{f"cancelled_{kind.value}": (Outcome.CANCELLED, kind) for kind in CancelKind},
}
REASON_NAMES = {f"reason_{category.value}": category for category in ReasonCategory}
BREAKDOWN_SCHEMA = {
    **dict.fromkeys(("orders", "in_transit", "sales", "returns"), nw.Int64),
    **dict.fromkeys(("rate", "rate_with_returns"), nw.Float64),
    **dict.fromkeys(OUTCOME_NAMES, nw.Int64),
    "cancelled": nw.Int64,
    "not_kept": nw.Int64,
    **dict.fromkeys(REASON_NAMES, nw.Int64),
}
SERIES_SCHEMA = {
    "first": nw.Date,
    "last": nw.Date,
    "clipped": nw.Boolean,
    "complete": nw.Boolean,
    **dict.fromkeys(("orders", "in_transit", "sales", "refused", "returned"), nw.Int64),
    **dict.fromkeys(("rate", "refusal_share", "return_share"), nw.Float64),
}


def _share(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _examples(engine: Engine) -> settings:
    """Hypothesis settings for a property checked on `engine`: fewer on slow engines."""
    return settings(
        max_examples=max(engine.examples // 5, 4),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def _history() -> History:
    """Every outcome, kind and reason in April 2025; buyers and no buyer; two SKUs.

    o1 kept; o2 returned for its size; o3 refused at handover (a return); o4 sold after
    its sales window closed (period 1-7 April, today 1 June); o5 refused at the pick-up
    point for its size; o6 not collected, no reason; o7 cancelled, no kind; o8 in
    transit; o9 placed on 12 April, after a week with no order.
    """
    size = Reason(ReasonCategory.SIZE_FIT, "Не подошёл")
    return History(
        orders=[
            an_order("o1", msk("2025-04-01T10:00"), sku="a", buyer_id="b1"),
            an_order("o2", msk("2025-04-01T12:00"), sku="a", buyer_id="b1", seller_id="s2"),
            an_order("o3", msk("2025-04-02T10:00"), sku="a", buyer_id="b2"),
            an_order("o4", msk("2025-04-02T23:59"), sku="b"),
            _cancelled("o5", "2025-04-03T10:00", CancelKind.REFUSED, size, buyer_id="b2"),
            _cancelled("o6", "2025-04-04T00:00", CancelKind.NOT_COLLECTED, None),
            _cancelled("o7", "2025-04-05T10:00", None, None, buyer_id="b1"),
            an_order("o8", msk("2025-04-06T10:00"), sku="b"),
            an_order("o9", msk("2025-04-12T10:00"), sku="b", buyer_id="b2"),
        ],
        sales=[
            Sale(order_id="o1", sold_at=msk("2025-04-03T10:00")),
            Sale(order_id="o2", sold_at=msk("2025-04-04T10:00")),
            Sale(order_id="o3", sold_at=msk("2025-04-05T10:00")),
            Sale(order_id="o4", sold_at=msk("2025-05-20T10:00")),
            Sale(order_id="o9", sold_at=msk("2025-04-14T10:00")),
        ],
        returns=[
            Return(
                order_id="o2",
                returned_at=msk("2025-04-08T10:00"),
                kind=ReturnKind.RETURN,
                reason=size,
            ),
            Return(
                order_id="o3",
                returned_at=msk("2025-04-05T10:00"),
                kind=ReturnKind.REFUSED_AT_HANDOVER,
            ),
        ],
    )


def _cancelled(
    order_id: str,
    at: str,
    kind: CancelKind | None,
    reason: Reason | None,
    *,
    buyer_id: str | None = None,
) -> Order:
    """An order of SKU b placed at `at`, cancelled two days later with a kind and reason."""
    return Order(
        order_id=order_id,
        seller_id="s",
        sku="b",
        price=1,
        ordered_at=msk(at),
        buyer_id=buyer_id,
        cancelled_at=msk(at) + timedelta(days=2),
        cancel_kind=kind,
        cancel_reason=reason,
    )


def _lines(engine: Engine, history: History) -> Any:
    return engine.make(frames.to_lines(history, backend="pyarrow"))


def _group_of(row: dict[str, Any], by: By) -> Any:
    column = GROUP_COLUMN[by]
    return None if column is None else row[column]


def _breakdown_row(b: Breakdown) -> dict[str, Any]:
    """A breakdown as the frame's row holds it: counts, and the rates as floats."""
    return {
        "orders": b.orders,
        "in_transit": b.in_transit,
        "sales": b.sales,
        "returns": b.returns,
        "rate": _share(b.rate),
        "rate_with_returns": _share(b.rate_with_returns),
        **{name: b.outcomes[key] for name, key in OUTCOME_NAMES.items()},
        "cancelled": b.cancelled,
        "not_kept": b.not_kept,
        **{name: b.reasons[category] for name, category in REASON_NAMES.items()},
    }


def _expected_breakdowns(
    history: History, period: Period, today: date, by: By, tz: Any
) -> dict[Any, dict[str, Any]]:
    objects = refusal_breakdown(history, period, today=today, by=by, tz=tz, ci=None)
    return {group: _breakdown_row(b) for group, b in objects.items()}


def _got_breakdowns(result: Any, by: By) -> dict[Any, dict[str, Any]]:
    column = GROUP_COLUMN[by]
    rows = rows_of(result)
    got = {_group_of(row, by): {k: v for k, v in row.items() if k != column} for row in rows}
    assert len(got) == len(rows)  # one row per group
    return got


def _point_row(point: SeriesPoint) -> dict[str, Any]:
    return {
        "first": point.first,
        "last": point.last,
        "clipped": point.clipped,
        "complete": point.complete,
        "orders": point.orders,
        "in_transit": point.in_transit,
        "sales": point.sales,
        "refused": point.refused,
        "returned": point.returned,
        "rate": _share(point.rate),
        "refusal_share": _share(point.refusal_share),
        "return_share": _share(point.return_share),
    }


def _expected_series(
    history: History, *, start: date, end: date, freq: str, today: date, by: By, tz: Any
) -> dict[Any, list[dict[str, Any]]]:
    objects = rate_series(
        history, start=start, end=end, freq=cast("Any", freq), today=today, by=by, tz=tz, ci=None
    )
    return {group: [_point_row(p) for p in points] for group, points in objects.items()}


def _got_series(result: Any, by: By) -> dict[Any, list[dict[str, Any]]]:
    column = GROUP_COLUMN[by]
    got: dict[Any, list[dict[str, Any]]] = {}
    for row in rows_of(result):
        got.setdefault(_group_of(row, by), []).append({k: v for k, v in row.items() if k != column})
    return {group: sorted(points, key=lambda p: p["first"]) for group, points in got.items()}


class TestTheSameCountsAsTheObjects:
    """
    On random histories, periods, todays and zones, every engine gives exactly the counts
    `redemption.analysis` gives on the records.
    """

    def test_refusal_breakdown(self, engine: Engine) -> None:
        """
        Every outcome, kind and reason per group, overall and by SKU, seller and buyer.
        """

        @_examples(engine)
        @given(scenario=matched_scenarios(), by=st.sampled_from(GROUPINGS))
        def check(scenario: Scenario, by: By) -> None:
            history = scenario.records.history()
            got = frames.refusal_breakdown(
                _lines(engine, history),
                period=scenario.period,
                today=scenario.today,
                by=by,
                tz=scenario.tz,
            )
            assert _got_breakdowns(got, by) == _expected_breakdowns(
                history, scenario.period, scenario.today, by, scenario.tz
            )

        check()

    def test_rate_series(self, engine: Engine) -> None:
        """
        Every bucket of every group, by day, week and month, empty buckets included.
        """

        @_examples(engine)
        @given(
            scenario=matched_scenarios(),
            by=st.sampled_from(GROUPINGS),
            freq=st.sampled_from(FREQS),
        )
        def check(scenario: Scenario, by: By, freq: str) -> None:
            history = scenario.records.history()
            start, end = scenario.period.start, scenario.period.end
            got = frames.rate_series(
                _lines(engine, history),
                start=start,
                end=end,
                freq=cast("Any", freq),
                today=scenario.today,
                by=by,
                tz=scenario.tz,
            )
            assert _got_series(got, by) == _expected_series(
                history,
                start=start,
                end=end,
                freq=freq,
                today=scenario.today,
                by=by,
                tz=scenario.tz,
            )

        check()


class TestAPinnedHistory:
    """Every grouping and frequency on a history with every outcome, on every engine."""

    @pytest.mark.parametrize("by", GROUPINGS)
    def test_the_breakdown_is_the_objects(self, engine: Engine, by: By) -> None:
        """
        The week of 1-7 April (orders window 9 March - 7 April), as of 1 June.
        """
        history = _history()
        period, today = Period(date(2025, 4, 1), date(2025, 4, 7)), date(2025, 6, 1)
        got = frames.refusal_breakdown(_lines(engine, history), period=period, today=today, by=by)
        assert _got_breakdowns(got, by) == _expected_breakdowns(history, period, today, by, MOSCOW)

    @pytest.mark.parametrize(
        ("freq", "end"),
        [
            pytest.param("day", date(2025, 4, 20), id="day"),
            pytest.param("week", date(2025, 5, 20), id="week"),
            pytest.param("month", date(2025, 5, 20), id="month"),
        ],
    )
    def test_the_series_is_the_objects(self, engine: Engine, freq: str, end: date) -> None:
        """
        From 30 March as of 10 June: some buckets complete, some not, some empty; in all,
        and by buyer (orders without one are the group null).
        """
        history = _history()
        start, today = date(2025, 3, 30), date(2025, 6, 10)
        lines = _lines(engine, history)
        for by in (None, "buyer"):
            got = frames.rate_series(
                lines, start=start, end=end, freq=cast("Any", freq), today=today, by=by
            )
            assert _got_series(got, by) == _expected_series(
                history, start=start, end=end, freq=freq, today=today, by=by, tz=MOSCOW
            )

    def test_the_breakdown_counts_pinned(self, engine: Engine) -> None:
        """
        The figures by hand: 7 orders counted, 1 in transit, every kind where it belongs.
        """
        period, today = Period(date(2025, 4, 1), date(2025, 4, 7)), date(2025, 6, 1)
        (row,) = rows_of(
            frames.refusal_breakdown(_lines(engine, _history()), period=period, today=today)
        )
        assert {name: count for name, count in row.items() if count} == {
            "orders": 7,
            "in_transit": 1,
            "sales": 3,
            "returns": 2,
            "rate": 3 / 7,
            "rate_with_returns": 1 / 7,
            "kept": 1,
            "returned_return": 1,
            "returned_refused_at_handover": 1,
            "sold_late": 1,
            "cancelled_refused": 1,
            "cancelled_not_collected": 1,
            "cancelled_unknown": 1,
            "cancelled": 3,
            "not_kept": 5,
            "reason_size_fit": 2,
            "reason_unknown": 3,
        }

    def test_the_series_counts_pinned(self, engine: Engine) -> None:
        """
        Week by week: an empty week between two weeks with orders is there, with zeros.
        """
        got = frames.rate_series(
            _lines(engine, _history()),
            start=date(2025, 3, 30),
            end=date(2025, 4, 20),
            freq="week",
            today=date(2025, 6, 1),
        )
        rows = sorted(rows_of(got), key=lambda row: row["first"])
        pinned = [
            "first",
            "last",
            "clipped",
            "complete",
            "orders",
            "in_transit",
            "sales",
            "refused",
            "returned",
        ]
        assert [tuple(r[name] for name in pinned) for r in rows] == [
            (date(2025, 3, 30), date(2025, 3, 30), True, True, 0, 0, 0, 0, 0),
            (date(2025, 3, 31), date(2025, 4, 6), False, True, 7, 1, 3, 3, 1),
            (date(2025, 4, 7), date(2025, 4, 13), False, True, 1, 0, 1, 0, 0),
            (date(2025, 4, 14), date(2025, 4, 20), False, True, 0, 0, 0, 0, 0),
        ]
        assert rows[0]["rate"] is None
        assert rows[1]["refusal_share"] == 3 / 7


class TestFramesInFramesOut:
    @pytest.mark.parametrize("by", [None, "buyer"])
    def test_the_kind_of_frame_and_its_types_are_the_same_on_every_engine(
        self, engine: Engine, by: By
    ) -> None:
        """
        Eager in, eager out; lazy in, lazy out, nothing collected. Counts Int64, rates and
        shares Float64, days Date, flags Boolean, ids as given.
        """
        lines = _lines(engine, _history())
        column = GROUP_COLUMN[by]
        group: dict[str, Any] = {} if column is None else {column: nw.String}
        breakdown = frames.refusal_breakdown(lines, period=APRIL, today=date(2025, 6, 1), by=by)
        series = frames.rate_series(
            lines,
            start=date(2025, 4, 1),
            end=date(2025, 4, 30),
            freq="week",
            today=date(2025, 6, 1),
            by=by,
        )
        for result in (breakdown, series):
            assert type(result) is type(lines)
            assert isinstance(nw.from_native(result), nw.LazyFrame) is engine.lazy
        assert schema_of(breakdown) == {**group, **BREAKDOWN_SCHEMA}
        assert schema_of(series) == {**group, **SERIES_SCHEMA}

    def test_no_order_is_one_row_of_zeros_and_a_series_of_zeros(self, engine: Engine) -> None:
        """
        by=None over days with no order, or over no line at all: one breakdown row, every
        week, all zeros; by SKU, no group.
        """
        lines = _lines(engine, _history())
        january = Period(date(2025, 1, 1), date(2025, 1, 31))
        (row,) = rows_of(frames.refusal_breakdown(lines, period=january, today=date(2025, 6, 1)))
        assert row == {
            **dict.fromkeys(BREAKDOWN_SCHEMA, 0),
            "rate": None,
            "rate_with_returns": None,
        }
        series = rows_of(
            frames.rate_series(
                lines, start=january.start, end=january.end, freq="week", today=date(2025, 6, 1)
            )
        )
        assert sorted((row["first"], row["last"]) for row in series) == [
            (date(2025, 1, first), date(2025, 1, last))
            for first, last in ((1, 5), (6, 12), (13, 19), (20, 26), (27, 31))
        ]
        assert {row["orders"] + row["in_transit"] + row["sales"] for row in series} == {0}
        by_sku = frames.rate_series(
            lines, start=january.start, end=january.end, today=date(2025, 6, 1), by="sku"
        )
        assert rows_of(by_sku) == []
        table = frames.to_lines(_history(), backend="pyarrow")
        empty = frames.rate_series(
            engine.make(table.slice(0, 0)),
            start=january.start,
            end=january.end,
            freq="week",
            today=date(2025, 6, 1),
        )
        assert sorted(row["orders"] for row in rows_of(empty)) == [0] * 5

    @pytest.mark.parametrize("by", [None, "sku"])
    def test_a_duckdb_relation_of_the_callers_own_connection(self, by: By) -> None:
        """
        A relation of a connection of the caller's (not DuckDB's default one): both
        figures are queries of that connection, empty buckets included, and give the
        objects' counts.
        """
        duckdb = pytest.importorskip("duckdb")
        connection = duckdb.connect()
        try:
            table = frames.to_lines(_history(), backend="pyarrow")
            connection.register("lines_table", table)
            lines = connection.table("lines_table")
            period, today = Period(date(2025, 4, 1), date(2025, 4, 7)), date(2025, 6, 1)
            breakdown = frames.refusal_breakdown(lines, period=period, today=today, by=by)
            start, end = date(2025, 3, 30), date(2025, 4, 20)
            series = frames.rate_series(
                lines, start=start, end=end, freq="week", today=today, by=by
            )
            for result in (breakdown, series):
                assert isinstance(result, duckdb.DuckDBPyRelation)
            assert _got_breakdowns(breakdown, by) == _expected_breakdowns(
                _history(), period, today, by, MOSCOW
            )
            assert _got_series(series, by) == _expected_series(
                _history(), start=start, end=end, freq="week", today=today, by=by, tz=MOSCOW
            )
        finally:
            connection.close()

    def test_a_lazy_frame_is_not_run_by_the_call(self) -> None:
        """
        The whole series is one lazy query: nothing runs until the caller collects it.
        """
        runs: list[int] = []

        def counted(frame: pl.DataFrame) -> pl.DataFrame:
            runs.append(frame.height)
            return frame

        lines = frames.to_lines(_history()).lazy().map_batches(counted)
        series = frames.rate_series(
            lines, start=date(2025, 3, 1), end=date(2025, 5, 31), today=date(2025, 6, 1), by="sku"
        )
        breakdown = frames.refusal_breakdown(lines, period=APRIL, today=date(2025, 6, 1))
        assert runs == []
        assert series.collect().height == 2 * 92  # two SKUs, every day of three months
        assert breakdown.collect().height == 1


class TestTheKindAndReasonColumns:
    def test_lines_without_them_count_every_kind_and_reason_as_unknown(
        self, engine: Engine
    ) -> None:
        """
        The nine original columns: as the records read back from them (every kind unknown).
        """
        table = frames.to_lines(_history(), backend="pyarrow").drop_columns(list(OUTCOME_COLUMNS))
        lines = engine.make(table)
        period, today = Period(date(2025, 4, 1), date(2025, 4, 7)), date(2025, 6, 1)
        back = frames.to_history(lines)
        got = frames.refusal_breakdown(lines, period=period, today=today, by="sku")
        assert _got_breakdowns(got, "sku") == _expected_breakdowns(
            back, period, today, "sku", MOSCOW
        )
        (row,) = rows_of(frames.refusal_breakdown(lines, period=period, today=today))
        assert (row["cancelled_unknown"], row["returned_unknown"], row["reason_unknown"]) == (
            3,
            2,
            5,
        )
        series = frames.rate_series(
            lines, start=period.start, end=period.end, freq="month", today=today
        )
        assert [r["refused"] for r in rows_of(series)] == [0]

    def test_columns_named_otherwise_are_read_by_their_names(self) -> None:
        """
        columns= maps kinds and reasons as it maps every other column.
        """
        theirs = {"cancel_kind": "why", "return_reason": "because", "sku": "nm_id"}
        lines = frames.to_lines(_history()).rename(theirs)
        period, today = Period(date(2025, 4, 1), date(2025, 4, 7)), date(2025, 6, 1)
        got = frames.refusal_breakdown(lines, period=period, today=today, by="sku", columns=theirs)
        assert _got_breakdowns(got, "sku") == _expected_breakdowns(
            _history(), period, today, "sku", MOSCOW
        )

    def test_categorical_columns_are_read_as_text(self) -> None:
        """
        Kinds and reasons kept as categories give the counts they give as text.
        """
        lines = frames.to_lines(_history()).with_columns(
            pl.col(*OUTCOME_COLUMNS).cast(pl.Categorical)
        )
        period, today = Period(date(2025, 4, 1), date(2025, 4, 7)), date(2025, 6, 1)
        got = frames.refusal_breakdown(lines, period=period, today=today, by="buyer")
        assert _got_breakdowns(got, "buyer") == _expected_breakdowns(
            _history(), period, today, "buyer", MOSCOW
        )
        series = frames.rate_series(lines, start=period.start, end=period.end, today=today)
        assert sum(series["refused"]) == 3

    def test_a_value_that_is_no_kind_counts_in_no_kind(self) -> None:
        """
        A kind no enum has: the order is cancelled, under none of the kinds.
        """
        lines = frames.to_lines(_history()).with_columns(
            pl.when(pl.col("order_id") == "o5")
            .then(pl.lit("thrown"))
            .otherwise(pl.col("cancel_kind"))
            .alias("cancel_kind")
        )
        period, today = Period(date(2025, 4, 1), date(2025, 4, 7)), date(2025, 6, 1)
        (row,) = frames.refusal_breakdown(lines, period=period, today=today).to_dicts()
        assert row["cancelled"] == 3
        assert sum(row[f"cancelled_{kind.value}"] for kind in CancelKind) == 2


class TestWrongArguments:
    @pytest.mark.parametrize(
        ("call", "error", "message"),
        [
            (
                lambda lines: frames.refusal_breakdown(
                    lines, period=APRIL, today=date(2025, 4, 29)
                ),
                InvalidPeriodError,
                "ends after today",
            ),
            (
                lambda lines: frames.refusal_breakdown(
                    lines, period=APRIL, today=date(2025, 6, 1), by=cast("Any", "order")
                ),
                InvalidArgumentError,
                "by must be",
            ),
            (
                lambda lines: frames.rate_series(
                    lines,
                    start=date(2025, 4, 1),
                    end=date(2025, 4, 30),
                    today=date(2025, 6, 1),
                    freq=cast("Any", "year"),
                ),
                InvalidArgumentError,
                "freq must be",
            ),
            (
                lambda lines: frames.rate_series(
                    lines, start=date(2025, 4, 1), end=date(2025, 4, 30), today=date(2025, 4, 29)
                ),
                InvalidPeriodError,
                "ends after today",
            ),
            (
                lambda lines: frames.rate_series(
                    lines, start=date(2025, 4, 30), end=date(2025, 4, 1), today=date(2025, 6, 1)
                ),
                InvalidPeriodError,
                "is after",
            ),
        ],
    )
    def test_are_refused(self, call: Any, error: type, message: str) -> None:
        """
        A period not yet over, a series backwards, an unknown grouping or frequency.
        """
        with pytest.raises(error, match=message):
            call(frames.to_lines(_history()))
