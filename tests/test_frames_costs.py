"""refusal_costs on frames: the objects' logistics by outcome, on every engine."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

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
from redemption.analysis import LogisticsCost, RefusalCosts, refusal_costs  # noqa: E402
from redemption.model import Logistics  # noqa: E402
from redemption.order_lines import COST_COLUMNS, OUTCOME_COLUMNS  # noqa: E402
from tests.builders import msk  # noqa: E402
from tests.engines import ENGINES, Engine, engine_fixture, rows_of, schema_of  # noqa: E402
from tests.strategies import Scenario, matched_scenarios  # noqa: E402

engine = pytest.fixture(params=ENGINES)(engine_fixture)

By = Literal["sku", "seller", "buyer", "reason"] | None
GROUP_COLUMN: dict[str | None, str | None] = {
    None: None,
    "sku": "sku",
    "seller": "seller_id",
    "buyer": "buyer_id",
    "reason": "reason",
}
GROUPINGS: list[By] = [None, "sku", "seller", "buyer", "reason"]
APRIL = Period(date(2025, 4, 1), date(2025, 4, 30))
TODAY = date(2025, 6, 1)

# The outcomes and what the frame gives of each, named here apart from the module's names.
OUTCOMES = ("refused", "returned", "cancelled", "sold_late", "kept")
PARTS = ("units", "known", "to_buyer_kopecks", "back_kopecks")
COSTS_SCHEMA = {
    "orders": nw.Int64,
    "in_transit": nw.Int64,
    **{f"{outcome}_{part}": nw.Int64 for outcome in OUTCOMES for part in PARTS},
    "revenue_kopecks": nw.Int64,
}


def _kopecks(roubles: Decimal) -> int:
    """Roubles as whole kopecks (every amount has two places)."""
    kopecks = roubles * 100
    assert kopecks == kopecks.to_integral_value()
    return int(kopecks)


def _cost_row(costs: RefusalCosts) -> dict[str, int]:
    """One group's objects as the frame's row holds them: counts, and money in kopecks."""
    row = {"orders": costs.orders, "in_transit": costs.in_transit}
    for outcome in OUTCOMES:
        cost: LogisticsCost = getattr(costs, outcome)
        row[f"{outcome}_units"] = cost.units
        row[f"{outcome}_known"] = cost.known
        row[f"{outcome}_to_buyer_kopecks"] = _kopecks(cost.to_buyer)
        row[f"{outcome}_back_kopecks"] = _kopecks(cost.back)
    row["revenue_kopecks"] = _kopecks(costs.revenue)
    return row


def _expected(
    history: History, period: Period, today: date, by: By, tz: Any
) -> dict[Any, dict[str, int]]:
    objects = refusal_costs(history, period, today=today, by=by, tz=tz)
    return {
        group.value if isinstance(group, ReasonCategory) else group: _cost_row(costs)
        for group, costs in objects.items()
    }


def _got(result: Any, by: By) -> dict[Any, dict[str, Any]]:
    column = GROUP_COLUMN[by]
    rows = rows_of(result)
    got = {
        None if column is None else row[column]: {k: v for k, v in row.items() if k != column}
        for row in rows
    }
    assert len(got) == len(rows)  # one row per group
    return got


def _lines(engine: Engine, history: History) -> Any:
    return engine.make(frames.to_lines(history, backend="pyarrow"))


def _examples(engine: Engine) -> settings:
    """Hypothesis settings for a property checked on `engine`: fewer on slow engines."""
    return settings(
        max_examples=max(engine.examples // 2, 4),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def _history() -> History:
    """Each outcome in April 2025, most with logistics known, two SKUs, two buyers.

    o1 kept (1000 roubles, carried for 50); o2 kept (700, logistics unknown); o3 returned
    after purchase for its size (50 + 45); o4 refused at the pick-up point for its quality
    (50 + 45); o5 refused at handover, reported as a return with no reason (40 + 40); o6
    cancelled by the buyer (logistics unknown); o7 sold on 31 May, after its sales window
    closed on 30 May (50); o8 in transit on 1 June (50); o9 placed in March, outside the
    orders window (50).
    """
    size, quality = Reason(ReasonCategory.SIZE_FIT), Reason(ReasonCategory.QUALITY_DEFECT)

    def order(order_id: str, sku: str, price: int, **more: Any) -> Order:
        return Order(
            order_id=order_id,
            seller_id="s",
            sku=sku,
            price=price,
            ordered_at=msk("2025-04-02T12:00"),
            **more,
        )

    return History(
        orders=[
            order("o1", "a", 1000, buyer_id="b1"),
            order("o2", "a", 700),
            order("o3", "a", 900, buyer_id="b1"),
            order(
                "o4",
                "b",
                500,
                buyer_id="b2",
                cancelled_at=msk("2025-04-06T12:00"),
                cancel_kind=CancelKind.REFUSED,
                cancel_reason=quality,
            ),
            order("o5", "b", 400),
            order(
                "o6",
                "b",
                300,
                buyer_id="b2",
                cancelled_at=msk("2025-04-03T12:00"),
                cancel_kind=CancelKind.BUYER,
            ),
            order("o7", "a", 600),
            order("o8", "b", 200),
            Order(
                order_id="o9",
                seller_id="s",
                sku="a",
                price=100,
                ordered_at=msk("2025-03-20T12:00"),
            ),
        ],
        sales=[
            Sale(order_id="o1", sold_at=msk("2025-04-03T12:00")),
            Sale(order_id="o2", sold_at=msk("2025-04-04T12:00")),
            Sale(order_id="o3", sold_at=msk("2025-04-04T12:00")),
            Sale(order_id="o5", sold_at=msk("2025-04-05T12:00")),
            Sale(order_id="o7", sold_at=msk("2025-05-31T12:00")),
            Sale(order_id="o9", sold_at=msk("2025-03-22T12:00")),
        ],
        returns=[
            Return(
                order_id="o3",
                returned_at=msk("2025-04-10T12:00"),
                kind=ReturnKind.RETURN,
                reason=size,
            ),
            Return(
                order_id="o5",
                returned_at=msk("2025-04-05T13:00"),
                kind=ReturnKind.REFUSED_AT_HANDOVER,
            ),
        ],
        logistics=[
            Logistics(order_id="o1", to_buyer=50, back=0),
            Logistics(order_id="o3", to_buyer=50, back=45),
            Logistics(order_id="o4", to_buyer=50, back=45),
            Logistics(order_id="o5", to_buyer="40.00", back="40.00"),
            Logistics(order_id="o7", to_buyer=50, back=0),
            Logistics(order_id="o8", to_buyer=50, back=0),
            Logistics(order_id="o9", to_buyer=50, back=0),
        ],
    )


def _only(row: dict[str, Any]) -> dict[str, Any]:
    """The columns of a row that are not 0, to compare with a figure by hand."""
    return {name: value for name, value in row.items() if value}


class TestTheSameFiguresAsTheObjects:
    def test_on_random_histories(self, engine: Engine) -> None:
        """
        On random histories with logistics known or not, periods, todays and zones, every
        engine gives the objects' figures for every grouping, to the kopeck.
        """

        @_examples(engine)
        @given(scenario=matched_scenarios(), by=st.sampled_from(GROUPINGS))
        def check(scenario: Scenario, by: By) -> None:
            history = scenario.records.history()
            got = frames.refusal_costs(
                _lines(engine, history),
                scenario.period,
                today=scenario.today,
                by=by,
                tz=scenario.tz,
            )
            assert _got(got, by) == _expected(
                history, scenario.period, scenario.today, by, scenario.tz
            )

        check()

    @pytest.mark.parametrize("by", GROUPINGS)
    def test_on_a_history_with_every_outcome(self, engine: Engine, by: By) -> None:
        """
        The pinned history, April as of 1 June, each grouping.
        """
        got = frames.refusal_costs(_lines(engine, _history()), APRIL, today=TODAY, by=by)
        assert _got(got, by) == _expected(_history(), APRIL, TODAY, by, MOSCOW)


class TestAPinnedHistory:
    def test_the_figures_by_hand(self, engine: Engine) -> None:
        """
        Seven orders counted and one in transit; the refused (o4, o5) carried both ways,
        the cancelled one of unknown cost, one kept unit of unknown cost, revenue of the
        two kept (1000 + 700 roubles).
        """
        (row,) = rows_of(frames.refusal_costs(_lines(engine, _history()), APRIL, today=TODAY))
        assert _only(row) == {
            "orders": 7,
            "in_transit": 1,
            "refused_units": 2,
            "refused_known": 2,
            "refused_to_buyer_kopecks": 9000,
            "refused_back_kopecks": 8500,
            "returned_units": 1,
            "returned_known": 1,
            "returned_to_buyer_kopecks": 5000,
            "returned_back_kopecks": 4500,
            "cancelled_units": 1,
            "sold_late_units": 1,
            "sold_late_known": 1,
            "sold_late_to_buyer_kopecks": 5000,
            "kept_units": 2,
            "kept_known": 1,
            "kept_to_buyer_kopecks": 5000,
            "revenue_kopecks": 170000,
        }

    def test_by_reason_the_units_not_kept_go_to_their_reason(self, engine: Engine) -> None:
        """
        The kept, the sold late and the one in transit under null; o3 under its return's
        reason, o4 under its cancellation's, o5 and o6 (no reason) under unknown.
        """
        got = _got(
            frames.refusal_costs(_lines(engine, _history()), APRIL, today=TODAY, by="reason"),
            "reason",
        )
        assert {reason: row["orders"] for reason, row in got.items()} == {
            None: 3,
            "size_fit": 1,
            "quality_defect": 1,
            "unknown": 2,
        }
        assert got[None]["in_transit"] == 1
        assert got[None]["revenue_kopecks"] == 170000
        assert _only(got["unknown"]) == {
            "orders": 2,
            "refused_units": 1,
            "refused_known": 1,
            "refused_to_buyer_kopecks": 4000,
            "refused_back_kopecks": 4000,
            "cancelled_units": 1,
        }

    def test_by_sku(self, engine: Engine) -> None:
        """
        SKU a holds the kept, the returned and the sold late; b the refused, the cancelled
        and the one in transit.
        """
        got = _got(
            frames.refusal_costs(_lines(engine, _history()), APRIL, today=TODAY, by="sku"), "sku"
        )
        assert {sku: (row["orders"], row["in_transit"]) for sku, row in got.items()} == {
            "a": (4, 0),
            "b": (3, 1),
        }
        assert got["b"]["refused_units"] == 2
        assert got["a"]["refused_units"] == 0


class TestTheColumns:
    @pytest.mark.parametrize("by", [None, "buyer", "reason"])
    def test_the_kind_of_frame_and_its_types_are_the_same_on_every_engine(
        self, engine: Engine, by: By
    ) -> None:
        """
        Eager in, eager out; lazy in, lazy out. Every figure Int64; the reason as text.
        """
        lines = _lines(engine, _history())
        result = frames.refusal_costs(lines, APRIL, today=TODAY, by=by)
        assert type(result) is type(lines)
        assert isinstance(nw.from_native(result), nw.LazyFrame) is engine.lazy
        column = GROUP_COLUMN[by]
        group: dict[str, Any] = {} if column is None else {column: nw.String}
        assert schema_of(result) == {**group, **COSTS_SCHEMA}

    def test_lines_without_the_cost_columns_have_no_logistics_known(self, engine: Engine) -> None:
        """
        The units are the same; none has its logistics known, and every sum is 0.
        """
        table = frames.to_lines(_history(), backend="pyarrow")
        (before,) = rows_of(frames.refusal_costs(engine.make(table), APRIL, today=TODAY))
        without = table.drop_columns(list(COST_COLUMNS))
        (row,) = rows_of(frames.refusal_costs(engine.make(without), APRIL, today=TODAY))
        logistics = ("_known", "_to_buyer_kopecks", "_back_kopecks")
        assert row == before | {name: 0 for name in before if name.endswith(logistics)}
        assert row["kept_units"] == 2

    def test_a_line_with_one_cost_known_has_the_other_0(self) -> None:
        """
        A line with only ``return_cost`` has its logistics known, carried to the buyer
        for 0, as `to_history` reads it; so does every line of a frame with that column
        alone.
        """
        lines = frames.to_lines(_history()).with_columns(
            delivery_cost=pl.when(pl.col("order_id") == "o4").then(None).otherwise("delivery_cost")
        )
        (row,) = rows_of(frames.refusal_costs(lines, APRIL, today=TODAY))
        assert (row["refused_known"], row["refused_to_buyer_kopecks"]) == (2, 4000)
        assert row["refused_back_kopecks"] == 8500
        assert _got(frames.refusal_costs(lines, APRIL, today=TODAY), None) == _expected(
            frames.to_history(lines), APRIL, TODAY, None, MOSCOW
        )
        (alone,) = rows_of(frames.refusal_costs(lines.drop("delivery_cost"), APRIL, today=TODAY))
        assert (alone["refused_known"], alone["refused_to_buyer_kopecks"]) == (2, 0)
        assert alone["refused_back_kopecks"] == 8500

    def test_lines_without_kinds_refuse_nothing(self, engine: Engine) -> None:
        """
        Without the kind and reason columns every cancellation and return is of unknown
        kind: none is a refusal, and by reason every unit not kept is ``unknown``.
        """
        table = frames.to_lines(_history(), backend="pyarrow").drop_columns(list(OUTCOME_COLUMNS))
        (row,) = rows_of(frames.refusal_costs(engine.make(table), APRIL, today=TODAY))
        assert (row["refused_units"], row["returned_units"], row["cancelled_units"]) == (0, 2, 2)
        assert row["returned_back_kopecks"] == 4500 + 4000
        by_reason = _got(
            frames.refusal_costs(engine.make(table), APRIL, today=TODAY, by="reason"), "reason"
        )
        assert {reason: row["orders"] for reason, row in by_reason.items()} == {
            None: 3,
            "unknown": 4,
        }

    def test_no_order_is_one_row_of_zeros_by_none_and_no_row_by_group(self, engine: Engine) -> None:
        """
        January has no order: one row of zeros in all, no group by SKU or reason.
        """
        lines = _lines(engine, _history())
        january = Period(date(2025, 1, 1), date(2025, 1, 31))
        (row,) = rows_of(frames.refusal_costs(lines, january, today=TODAY))
        assert row == dict.fromkeys(COSTS_SCHEMA, 0)
        for by in ("sku", "reason"):
            assert rows_of(frames.refusal_costs(lines, january, today=TODAY, by=by)) == []

    @pytest.mark.parametrize("by", [None, "sku", "reason"])
    def test_a_duckdb_relation_of_the_callers_own_connection(self, by: By) -> None:
        """
        A relation of a connection of the caller's: the figures are a query of it.
        """
        duckdb = pytest.importorskip("duckdb")
        connection = duckdb.connect()
        try:
            connection.register("lines_table", frames.to_lines(_history(), backend="pyarrow"))
            result = frames.refusal_costs(
                connection.table("lines_table"), APRIL, today=TODAY, by=by
            )
            assert isinstance(result, duckdb.DuckDBPyRelation)
            assert _got(result, by) == _expected(_history(), APRIL, TODAY, by, MOSCOW)
        finally:
            connection.close()

    def test_a_lazy_frame_is_not_run_by_the_call(self) -> None:
        """
        The figures are one lazy query: nothing runs until the caller collects it.
        """
        runs: list[int] = []

        def counted(frame: pl.DataFrame) -> pl.DataFrame:
            runs.append(frame.height)
            return frame

        lines = frames.to_lines(_history()).lazy().map_batches(counted)
        costs = frames.refusal_costs(lines, APRIL, today=TODAY, by="reason")
        assert runs == []
        assert costs.collect().height == 4

    def test_columns_named_otherwise(self) -> None:
        """
        ``columns=`` maps the contract's names to the frame's, the cost columns too.
        """
        lines = frames.to_lines(_history()).rename({"sku": "nm_id", "delivery_cost": "to_pvz"})
        got = frames.refusal_costs(
            lines,
            APRIL,
            today=TODAY,
            by="sku",
            columns={"sku": "nm_id", "delivery_cost": "to_pvz"},
        )
        assert _got(got, "sku") == _expected(_history(), APRIL, TODAY, "sku", MOSCOW)


class TestGroupsAddUp:
    def test_every_grouping_adds_up_to_the_whole(self) -> None:
        """
        On random histories, each figure summed over the groups of each grouping is the
        figure of every order together (checked on polars).
        """

        @settings(max_examples=30, deadline=None)
        @given(scenario=matched_scenarios())
        def check(scenario: Scenario) -> None:
            lines = frames.to_lines(scenario.records.history())
            period, today, tz = scenario.period, scenario.today, scenario.tz
            (whole,) = frames.refusal_costs(lines, period, today=today, tz=tz).rows(named=True)
            for by in GROUPINGS[1:]:
                groups = frames.refusal_costs(lines, period, today=today, by=by, tz=tz)
                column = GROUP_COLUMN[by]
                sums = groups.drop(column).sum().rows(named=True)[0]
                assert {name: sums[name] or 0 for name in whole} == whole

        check()

    def test_the_outcomes_add_up_to_the_orders(self) -> None:
        """
        Every counted order has one outcome: the units of the five add up to ``orders``.
        """
        (row,) = rows_of(frames.refusal_costs(frames.to_lines(_history()), APRIL, today=TODAY))
        assert sum(row[f"{outcome}_units"] for outcome in OUTCOMES) == row["orders"]


class TestTheBreakdownsOutcomes:
    def test_the_units_are_the_breakdowns_counts(self) -> None:
        """
        On random histories, by SKU, each outcome's units are the breakdown's counts of the
        same orders: the refused its refusals at handover, the returned and the cancelled
        the others (checked on polars).
        """

        @settings(max_examples=30, deadline=None)
        @given(scenario=matched_scenarios())
        def check(scenario: Scenario) -> None:
            lines = frames.to_lines(scenario.records.history())
            period, today, tz = scenario.period, scenario.today, scenario.tz
            costs = frames.refusal_costs(lines, period, today=today, by="sku", tz=tz)
            why = frames.refusal_breakdown(lines, period=period, today=today, by="sku", tz=tz)
            by_sku = costs.rows_by_key("sku", named=True)
            breakdowns = why.rows_by_key("sku", named=True)
            assert by_sku.keys() == breakdowns.keys()
            for sku, [b] in breakdowns.items():
                [c] = by_sku[sku]
                at_handover = b["cancelled_refused"] + b["cancelled_not_collected"]
                assert c["refused_units"] == at_handover + b["returned_refused_at_handover"]
                assert c["returned_units"] == b["returns"] - b["returned_refused_at_handover"]
                assert c["cancelled_units"] == b["cancelled"] - at_handover
                assert (c["sold_late_units"], c["kept_units"]) == (b["sold_late"], b["kept"])
                assert (c["orders"], c["in_transit"]) == (b["orders"], b["in_transit"])

        check()


class TestRefusals:
    def test_an_unknown_grouping_is_refused(self) -> None:
        """
        by must be one of the groupings, named in the message.
        """
        lines = frames.to_lines(_history())
        with pytest.raises(InvalidArgumentError, match=r"by must be None, 'sku'.*'reason'"):
            frames.refusal_costs(lines, APRIL, today=TODAY, by="month")  # type: ignore[call-overload]

    def test_a_period_after_today_is_refused(self) -> None:
        """
        The figures are as of today: a period ending later has no figures yet.
        """
        lines = frames.to_lines(_history())
        with pytest.raises(InvalidPeriodError):
            frames.refusal_costs(lines, APRIL, today=date(2025, 4, 29))

    def test_the_period_may_be_given_by_name(self) -> None:
        """
        As the other frames functions take it, ``period=``.
        """
        lines = frames.to_lines(_history())
        by_name = frames.refusal_costs(lines, period=APRIL, today=TODAY)
        assert by_name.equals(frames.refusal_costs(lines, APRIL, today=TODAY))

    def test_the_window_is_extended_back_to_30_days(self) -> None:
        """
        A one-day period (30 April) counts the orders of 1-30 April, as the rate does.
        """
        day = Period(date(2025, 4, 30), date(2025, 4, 30))
        (row,) = rows_of(frames.refusal_costs(frames.to_lines(_history()), day, today=TODAY))
        assert row["orders"] == 7
        later = Period(date(2025, 5, 2), date(2025, 5, 2))
        (none,) = rows_of(
            frames.refusal_costs(frames.to_lines(_history()), later, today=TODAY + timedelta(3))
        )
        assert none["orders"] == 0
