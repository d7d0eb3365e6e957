from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, cast

import pytest

# With the `test` extra alone there is no narwhals and no engine: skip, saying so.
for _name in ("narwhals", "pandas", "polars", "pyarrow", "duckdb"):
    pytest.importorskip(
        _name, reason=f"{_name} is not installed: the frames tests need the dev extra"
    )

import narwhals.stable.v2 as nw  # noqa: E402 - after the skips
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402
import pyarrow as pa  # noqa: E402
from dateutil.relativedelta import relativedelta  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from redemption import (  # noqa: E402
    ArgumentTypeError,
    ColumnError,
    DuplicateRecordError,
    History,
    InvalidArgumentError,
    InvalidPeriodError,
    Period,
    RateReport,
    RecordTypeError,
    Return,
    Sale,
    buyer_reports,
    frames,
    ransom_amounts,
    redemption_rate,
    redemption_rates,
)
from redemption.io import read_order_lines  # noqa: E402
from redemption.money import to_kopecks  # noqa: E402
from redemption.sample import SAMPLE_TODAY, sample_lines_path  # noqa: E402
from tests.builders import an_order, msk  # noqa: E402
from tests.engines import ENGINES, Engine, engine_fixture, rows_of, schema_of  # noqa: E402
from tests.strategies import Scenario, matched_scenarios  # noqa: E402

engine = pytest.fixture(params=ENGINES)(engine_fixture)
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "spark_parquet.py"

COUNT = nw.Int64
SHARE = nw.Float64
APRIL = Period(date(2025, 4, 1), date(2025, 4, 30))


def _share(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _examples(engine: Engine) -> settings:
    """Hypothesis settings for a property checked on `engine`."""
    return settings(
        max_examples=engine.examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def _history() -> History:
    """Every outcome, buyers and no buyer, two sellers, two SKUs, in April 2025."""
    return History(
        orders=[
            an_order("o1", msk("2025-04-02T10:00"), sku="a", buyer_id="b1", seller_id="s1"),
            an_order("o2", msk("2025-04-03T10:00"), sku="a", buyer_id="b1", seller_id="s2"),
            an_order(
                "o3",
                msk("2025-04-04T10:00"),
                sku="b",
                buyer_id="b2",
                price=500,
                cancelled_at=msk("2025-04-06T10:00"),
            ),
            an_order("o4", msk("2025-04-05T10:00"), sku="b", price=700),
        ],
        sales=[
            Sale(order_id="o1", sold_at=msk("2025-04-05T10:00")),
            Sale(order_id="o2", sold_at=msk("2025-04-06T10:00")),
        ],
        returns=[Return(order_id="o2", returned_at=msk("2025-04-09T10:00"))],
    )


class TestTheSameFiguresAsTheRecords:
    """
    On random histories, periods, todays and zones, every engine gives exactly the
    figures the object calculators give.
    """

    def test_redemption_rates(self, engine: Engine) -> None:
        """
        Per SKU, per seller and in all: counts equal, rates the floats of the fractions.
        """

        @_examples(engine)
        @given(scenario=matched_scenarios(), by=st.sampled_from(["sku", "seller", None]))
        def check(scenario: Scenario, by: Literal["sku", "seller"] | None) -> None:
            history = scenario.records.history()
            lines = engine.make(frames.to_lines(history, backend="pyarrow"))
            got = frames.redemption_rates(
                lines, period=scenario.period, today=scenario.today, by=by, tz=scenario.tz
            )
            expected: dict[str | None, RateReport]
            if by is None:
                total = redemption_rate(
                    history, scenario.period, today=scenario.today, tz=scenario.tz
                )
                expected = {None: total}
            else:
                per_group = redemption_rates(
                    history, scenario.period, today=scenario.today, by=by, tz=scenario.tz
                )
                expected = {group: report for group, report in per_group.items()}  # noqa: C416
            key = {"sku": "sku", "seller": "seller_id", None: None}[by]
            assert {
                (row[key] if key else None): (
                    row["orders"],
                    row["sales"],
                    row["returns"],
                    row["in_transit"],
                    row["rate"],
                    row["rate_with_returns"],
                )
                for row in rows_of(got)
            } == {
                group: (
                    r.orders,
                    r.sales,
                    r.returns,
                    r.in_transit,
                    _share(r.rate),
                    _share(r.rate_with_returns),
                )
                for group, r in expected.items()
            }

        check()

    def test_ransom_amounts(self, engine: Engine) -> None:
        """
        Every buyer, to the kopeck, over two years or another window, for one seller or all.
        """

        @_examples(engine)
        @given(
            scenario=matched_scenarios(),
            window=st.sampled_from([relativedelta(years=2), timedelta(days=30)]),
            seller=st.sampled_from([None, "s1"]),
        )
        def check(
            scenario: Scenario, window: relativedelta | timedelta, seller: str | None
        ) -> None:
            history = scenario.records.history()
            lines = engine.make(frames.to_lines(history, backend="pyarrow"))
            got = frames.ransom_amounts(
                lines, today=scenario.today, tz=scenario.tz, window=window, seller_id=seller
            )
            expected = ransom_amounts(
                history, today=scenario.today, tz=scenario.tz, window=window, seller_id=seller
            )
            assert {row["buyer_id"]: row["ransom_kopecks"] for row in rows_of(got)} == {
                buyer: to_kopecks(amount) for buyer, amount in expected.items()
            }

        check()

    def test_buyer_reports(self, engine: Engine) -> None:
        """
        Every buyer's counts and rate, over two years or over the period.
        """

        @_examples(engine)
        @given(scenario=matched_scenarios(), whole=st.booleans())
        def check(scenario: Scenario, whole: bool) -> None:  # noqa: FBT001 - a drawn flag
            history = scenario.records.history()
            lines = engine.make(frames.to_lines(history, backend="pyarrow"))
            period = None if whole else scenario.period
            got = frames.buyer_reports(lines, today=scenario.today, period=period, tz=scenario.tz)
            expected = buyer_reports(history, today=scenario.today, period=period, tz=scenario.tz)
            assert {
                row["buyer_id"]: (
                    row["placed"],
                    row["sold"],
                    row["returned"],
                    row["in_transit"],
                    row["rate"],
                )
                for row in rows_of(got)
            } == {
                buyer: (r.placed, r.sold, r.returned, r.in_transit, _share(r.rate))
                for buyer, r in expected.items()
            }

        check()


class TestFramesInFramesOut:
    def test_the_kind_of_frame_given_is_the_kind_given_back(self, engine: Engine) -> None:
        """
        Eager in, eager out of the same library; lazy in, lazy out, nothing collected.
        """
        lines = engine.make(frames.to_lines(_history(), backend="pyarrow"))
        for result in (
            frames.redemption_rates(lines, period=APRIL, today=date(2025, 4, 30)),
            frames.ransom_amounts(lines, today=date(2025, 4, 30)),
            frames.buyer_reports(lines, today=date(2025, 4, 30)),
        ):
            assert type(result) is type(lines)
            wrapped = nw.from_native(result)
            assert isinstance(wrapped, nw.LazyFrame) is engine.lazy

    def test_output_types_are_the_same_on_every_engine(self, engine: Engine) -> None:
        """
        Counts and kopecks Int64, rates Float64, ids as given, whatever the engine does.
        """
        lines = engine.make(frames.to_lines(_history(), backend="pyarrow"))
        today = date(2025, 4, 30)
        assert schema_of(frames.redemption_rates(lines, period=APRIL, today=today)) == {
            "sku": nw.String,
            **dict.fromkeys(("orders", "sales", "returns", "in_transit"), COUNT),
            "rate": SHARE,
            "rate_with_returns": SHARE,
        }
        assert schema_of(frames.redemption_rates(lines, period=APRIL, today=today, by=None)) == {
            **dict.fromkeys(("orders", "sales", "returns", "in_transit"), COUNT),
            "rate": SHARE,
            "rate_with_returns": SHARE,
        }
        assert schema_of(frames.ransom_amounts(lines, today=today)) == {
            "buyer_id": nw.String,
            "ransom_kopecks": COUNT,
        }
        assert schema_of(frames.buyer_reports(lines, today=today)) == {
            "buyer_id": nw.String,
            **dict.fromkeys(("placed", "sold", "returned", "in_transit"), COUNT),
            "rate": SHARE,
        }

    def test_the_seed_figures_on_a_small_history(self, engine: Engine) -> None:
        """
        Pinned: two sales of four orders, one returned, one refused, one in transit.
        """
        lines = engine.make(frames.to_lines(_history(), backend="pyarrow"))
        today = date(2025, 4, 30)
        rates = sorted(
            rows_of(frames.redemption_rates(lines, period=APRIL, today=today)),
            key=lambda row: row["sku"],
        )
        assert [tuple(row.values()) for row in rates] == [
            ("a", 2, 2, 1, 0, 1.0, 0.5),
            ("b", 1, 0, 0, 1, 0.0, 0.0),
        ]
        ransom = {
            row["buyer_id"]: row["ransom_kopecks"]
            for row in rows_of(frames.ransom_amounts(lines, today=today))
        }
        assert ransom == {"b1": 100, "b2": 0}

    def test_columns_named_otherwise_give_the_same_figures(self, engine: Engine) -> None:
        """
        Timestamps and ids under the caller's names are checked and read by those names
        (DuckDB types its zone-aware columns from the relation itself).
        """
        theirs = {"sku": "nm_id", "sold_at": "sale_dt", "ordered_at": "created"}
        table = frames.to_lines(_history(), backend="pyarrow")
        renamed = engine.make(table.rename_columns([theirs.get(c, c) for c in table.column_names]))
        today = date(2025, 4, 30)
        got = frames.redemption_rates(renamed, period=APRIL, today=today, columns=theirs)
        want = frames.redemption_rates(engine.make(table), period=APRIL, today=today)
        assert sorted(map(tuple, (r.values() for r in rows_of(got)))) == sorted(
            map(tuple, (r.values() for r in rows_of(want)))
        )
        assert len(rows_of(got)) == 2

    def test_nothing_in_the_period_is_one_row_of_zeros_in_all(self, engine: Engine) -> None:
        """
        by=None over a period with no orders: zeros and no rate, not an empty frame or nulls.
        """
        lines = engine.make(frames.to_lines(_history(), backend="pyarrow"))
        march = Period(date(2025, 3, 1), date(2025, 3, 31))
        got = rows_of(
            frames.redemption_rates(lines, period=march, today=date(2025, 4, 30), by=None)
        )
        assert got == [
            {
                "orders": 0,
                "sales": 0,
                "returns": 0,
                "in_transit": 0,
                "rate": None,
                "rate_with_returns": None,
            }
        ]


class TestTheCallersFrame:
    def test_it_is_never_changed(self, engine: Engine) -> None:
        """
        The caller's frame keeps its columns, types and rows, on every engine.
        """
        table = frames.to_lines(_history(), backend="pyarrow")
        lines = engine.make(table)
        schema, rows = schema_of(lines), rows_of(lines)
        frames.redemption_rates(lines, period=APRIL, today=date(2025, 4, 30))
        frames.ransom_amounts(lines, today=date(2025, 4, 30))
        frames.buyer_reports(lines, today=date(2025, 4, 30))
        frames.to_history(lines)
        assert schema_of(lines) == schema
        assert rows_of(lines) == rows == table.to_pylist()

    def test_a_pandas_frame_is_not_even_copied_into(self) -> None:
        """
        Column for column and value for value, the pandas frame is what it was.
        """
        lines = frames.to_lines(_history(), backend="pandas")
        before = lines.copy(deep=True)
        frames.redemption_rates(lines, period=APRIL, today=date(2025, 4, 30))
        frames.ransom_amounts(lines, today=date(2025, 4, 30))
        frames.buyer_reports(lines, today=date(2025, 4, 30))
        pd.testing.assert_frame_equal(lines, before)

    @pytest.mark.parametrize(
        ("column", "kind", "message"),
        [
            ("sold_at", None, "no column 'sold_at'"),
            ("sold_at", "naive", "must hold a time-zone-aware timestamp"),
            ("price", "float", "must hold a whole number of kopecks"),
        ],
    )
    def test_every_engine_names_a_missing_or_mistyped_column(
        self, engine: Engine, column: str, kind: str | None, message: str
    ) -> None:
        """
        A column missing, a timestamp without a zone, a price in floats: a ColumnError
        naming the column, before anything runs.
        """
        lines = nw.from_native(engine.make(frames.to_lines(_history(), backend="pyarrow"))).lazy()
        if kind is None:
            changed = lines.drop(column)
        elif kind == "naive":
            changed = lines.with_columns(nw.col(column).dt.replace_time_zone(None))
        else:
            changed = lines.with_columns(nw.col(column).cast(nw.Float64))
        with pytest.raises(ColumnError, match=message) as caught:
            frames.ransom_amounts(changed.to_native(), today=date(2025, 4, 30))
        assert caught.value.column == column

    def test_columns_named_otherwise_are_remapped(self) -> None:
        """
        columns= maps the contract's names to the caller's; the result uses the contract's.
        """
        lines = frames.to_lines(_history()).rename({"sku": "nm_id", "ordered_at": "created"})
        got = frames.redemption_rates(
            lines,
            period=APRIL,
            today=date(2025, 4, 30),
            columns={"sku": "nm_id", "ordered_at": "created"},
        )
        assert sorted(got["sku"]) == ["a", "b"]

    @pytest.mark.parametrize(
        ("change", "column", "message"),
        [
            (lambda f: f.drop("sold_at"), "sold_at", "no column 'sold_at'"),
            (
                lambda f: f.with_columns(pl.col("sold_at").dt.replace_time_zone(None)),
                "sold_at",
                "must hold a time-zone-aware timestamp",
            ),
            (
                lambda f: f.with_columns(pl.col("price").cast(pl.Float64)),
                "price",
                "must hold a whole number of kopecks",
            ),
            (
                lambda f: f.with_columns(pl.col("buyer_id").is_null()),
                "buyer_id",
                "must hold text or a whole number",
            ),
        ],
    )
    def test_a_missing_or_mistyped_column_is_named(
        self, change: Any, column: str, message: str
    ) -> None:
        """
        A ColumnError names the column and says what it must hold.
        """
        lines = change(frames.to_lines(_history()))
        with pytest.raises(ColumnError, match=message) as caught:
            frames.ransom_amounts(lines, today=date(2025, 4, 30))
        assert caught.value.column == column

    def test_a_remapped_column_that_is_missing_is_named_as_the_caller_named_it(self) -> None:
        """
        The error names the caller's column, the one they can look for.
        """
        lines = frames.to_lines(_history())
        with pytest.raises(ColumnError, match="no column 'created'") as caught:
            frames.buyer_reports(lines, today=date(2025, 4, 30), columns={"ordered_at": "created"})
        assert caught.value.column == "created"

    @pytest.mark.parametrize(
        ("call", "error", "message"),
        [
            (
                lambda lines: frames.ransom_amounts(
                    lines, today=date(2025, 4, 30), columns={"nmId": "sku"}
                ),
                InvalidArgumentError,
                "columns remaps 'nmId'",
            ),
            (
                lambda _: frames.ransom_amounts(cast("Any", [1, 2]), today=date(2025, 4, 30)),
                ArgumentTypeError,
                "not list",
            ),
            (
                lambda lines: frames.redemption_rates(lines, period=APRIL, today=date(2025, 4, 29)),
                InvalidPeriodError,
                "ends after today",
            ),
            (
                lambda lines: frames.redemption_rates(
                    lines, period=APRIL, today=date(2025, 4, 30), by=cast("Any", "buyer")
                ),
                InvalidArgumentError,
                "by must be",
            ),
        ],
    )
    def test_wrong_arguments_are_refused(self, call: Any, error: type, message: str) -> None:
        """
        Unknown remaps, a list for a frame, a period not yet over, an unknown grouping.
        """
        with pytest.raises(error, match=message):
            call(frames.to_lines(_history()))


class TestBetweenTheTwoWorlds:
    @pytest.mark.parametrize("backend", ["polars", "pandas", "pyarrow", "duckdb"])
    def test_a_history_goes_to_lines_and_back_unchanged(self, backend: str) -> None:
        """
        to_lines then to_history gives the same orders, sales and returns.
        """
        history = _history()
        back = frames.to_history(frames.to_lines(history, backend=backend))  # type: ignore[arg-type]
        assert back.orders == history.orders
        assert back.sales == history.sales
        assert back.returns == history.returns

    def test_the_lines_have_the_contracts_columns_and_types(self) -> None:
        """
        Ids as text, price and costs Int64 kopecks, times microsecond UTC, kinds and
        reasons text.
        """
        lines = frames.to_lines(_history())
        assert lines.schema == {
            "order_id": pl.String,
            "seller_id": pl.String,
            "sku": pl.String,
            "buyer_id": pl.String,
            "price": pl.Int64,
            **dict.fromkeys(
                ("ordered_at", "cancelled_at", "sold_at", "returned_at"),
                pl.Datetime("us", "UTC"),
            ),
            **dict.fromkeys(
                (
                    "cancel_kind",
                    "cancel_reason",
                    "cancel_reason_text",
                    "return_kind",
                    "return_reason",
                    "return_reason_text",
                ),
                pl.String,
            ),
            "delivery_cost": pl.Int64,
            "return_cost": pl.Int64,
        }
        assert lines.filter(pl.col("order_id") == "o4")["price"].to_list() == [70000]

    def test_to_history_checks_the_lines_as_history_does(self) -> None:
        """
        The same order twice is a DuplicateRecordError naming it.
        """
        lines = frames.to_lines(_history())
        with pytest.raises(DuplicateRecordError, match="o1"):
            frames.to_history(pl.concat([lines, lines.head(1)]))

    def test_pandas_ids_made_floats_by_missing_values_read_back_as_digits(self) -> None:
        """
        A pandas integer id column with a gap becomes floats; the ids read back as digits.
        """
        lines = pd.DataFrame(
            {
                "order_id": [1, 2],
                "sku": [10, 10],
                "buyer_id": [7.0, float("nan")],
                "price": [100, 200],
                "ordered_at": pd.to_datetime(["2025-04-01T10:00Z", "2025-04-02T10:00Z"]),
                "cancelled_at": pd.to_datetime([None, None], utc=True),
                "sold_at": pd.to_datetime(["2025-04-03T10:00Z", None], utc=True),
                "returned_at": pd.to_datetime([None, None], utc=True),
            }
        )
        history = frames.to_history(lines, columns={})
        assert [(o.order_id, o.sku, o.buyer_id) for o in history.orders] == [
            ("1", "10", "7"),
            ("2", "10", None),
        ]
        assert history.sales[0].sold_at == datetime(2025, 4, 3, 10, tzinfo=UTC)

    def test_unmatched_sales_have_no_line(self) -> None:
        """
        A sale without its order is refused rather than lost.
        """
        history = History(sales=[Sale(order_id="x", sold_at=msk("2025-04-01T00:00"))])
        with pytest.raises(InvalidArgumentError, match="without their order"):
            frames.to_lines(history)

    def test_an_unknown_backend_is_refused(self) -> None:
        """
        The backends are named in the message.
        """
        with pytest.raises(InvalidArgumentError, match="polars, pandas, pyarrow, duckdb"):
            frames.to_lines(_history(), backend="excel")  # type: ignore[arg-type]


class TestIndependence:
    def test_the_frame_code_imports_narwhals_and_no_calculator(self) -> None:
        """
        The two implementations are written apart, so each checks the other; and the frame
        code names no engine, so it runs on all of them: only `_sources`, which opens raw
        report files with each engine's own reader, names them (inside its functions).
        """
        package = Path(frames.__file__).parent
        imported: set[str] = set()
        for path in package.glob("*.py"):
            if path.name == "_sources.py":
                sources = ast.parse(path.read_text(encoding="utf-8"))
                top = {
                    alias.name.split(".")[0]
                    for node in sources.body
                    if isinstance(node, ast.Import)
                    for alias in node.names
                } | {
                    node.module.split(".")[0]
                    for node in sources.body
                    if isinstance(node, ast.ImportFrom) and node.module
                }
                assert not top & {"duckdb", "polars", "pyspark", "pandas", "pyarrow"}
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module:
                    imported.add(node.module)
                elif isinstance(node, ast.Import):
                    imported.update(alias.name for alias in node.names)
        third_party = {name.split(".")[0] for name in imported} - set(sys.stdlib_module_names)
        assert third_party == {"narwhals", "redemption", "dateutil"}
        assert not any(name.startswith("redemption.calculators") for name in imported)
        assert "redemption" not in imported  # the package itself re-exports the calculators


@pytest.mark.spark
class TestOnACluster:
    def test_the_spark_over_parquet_example_gives_the_laptop_figures(
        self, spark: Any, tmp_path: Path
    ) -> None:
        """
        examples/spark_parquet.py, run on a local session: Spark frames out, and the same
        figures as the object calculators on the same lines.
        """
        spec = importlib.util.spec_from_file_location("spark_parquet", EXAMPLE)
        assert spec is not None
        assert spec.loader is not None
        example = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(example)
        results = example.figures(spark, example.write_sample(tmp_path))
        assert all(type(result).__name__ == "DataFrame" for result in results.values())
        history, _ = read_order_lines(sample_lines_path())
        march = Period(date(2025, 3, 1), date(2025, 3, 31))
        total = redemption_rate(history, march, today=SAMPLE_TODAY)
        (row,) = rows_of(results["total"])
        assert (row["orders"], row["sales"], row["returns"]) == (
            total.orders,
            total.sales,
            total.returns,
        )
        ransom = {r["buyer_id"]: r["ransom_kopecks"] for r in rows_of(results["ransom"])}
        assert ransom == {
            buyer: to_kopecks(amount)
            for buyer, amount in ransom_amounts(history, today=SAMPLE_TODAY).items()
        }


class TestTheExtra:
    def test_without_narwhals_the_error_names_the_extra(self) -> None:
        """
        Importing redemption.frames with no narwhals says which extra to install.
        """
        code = (
            "import sys; sys.modules['narwhals'] = None\n"
            "try:\n"
            "    import redemption.frames\n"
            "except ImportError as error:\n"
            "    print(error)\n"
        )
        done = subprocess.run(  # noqa: S603 - this interpreter, on code written here
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
        )
        assert done.stdout.strip() == (
            "redemption.frames needs narwhals: pip install 'redemption[frames]'"
        )


@pytest.mark.spark
class TestLinesOnSpark:
    def test_a_history_goes_to_a_spark_frame_and_back(self, spark: Any) -> None:
        """
        to_lines with the session gives a Spark DataFrame; to_history collects it back.
        """
        history = _history()
        lines = frames.to_lines(history, backend="pyspark", session=spark)
        assert type(lines).__name__ == "DataFrame"
        back = frames.to_history(lines)
        assert back.orders == history.orders
        assert back.sales == history.sales
        assert back.returns == history.returns


class TestLinesWithoutAPlacingTime:
    def test_count_nowhere_and_are_refused_by_to_history(self, engine: Engine) -> None:
        """
        A line whose ordered_at is null is in no window on any engine; a History refuses it.
        """
        table = frames.to_lines(_history(), backend="pyarrow")
        index = table.schema.get_field_index("ordered_at")
        placed = table.column("ordered_at").to_pylist()
        placed[0] = None  # o1, sold and kept by b1
        lines = engine.make(
            table.set_column(index, "ordered_at", pa.array(placed, table.schema.field(index).type))
        )
        today = date(2025, 4, 30)
        total = rows_of(frames.redemption_rates(lines, period=APRIL, today=today, by=None))
        assert (total[0]["orders"], total[0]["sales"]) == (2, 1)
        buyers = {
            r["buyer_id"]: r["placed"] for r in rows_of(frames.buyer_reports(lines, today=today))
        }
        assert buyers == {"b1": 1, "b2": 1}
        with pytest.raises(RecordTypeError, match="order o1: ordered_at must be a datetime"):
            frames.to_history(lines)
