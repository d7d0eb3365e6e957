"""Speed and memory of `redemption.frames` beside the same queries written by hand.

Run it from the repository root, with the dev tools installed (polars, duckdb, pyarrow)::

    .venv/bin/python benchmarks/frames.py                  # 1M and 10M orders
    .venv/bin/python benchmarks/frames.py --sizes 1M       # a quick run
    .venv/bin/python benchmarks/frames.py --sizes 100k --figures series breakdown

It writes the reference benchmark's synthetic order lines (`../shared/reference-bench/gen.py`,
same seed; set ``REDEMPTION_REFERENCE_BENCH`` to use another folder) as parquet under
``benchmarks/results/`` at each size, once, and then times, in one run, on the same data:

* the seller's redemption rate per SKU (period 17-30 April 2025, as of 30 April 2025) and
  every buyer's ransom amount (two years to 30 April 2025);
* the analysis: the rate week by week (``rate_series``, every order of the two years of
  Moscow days 1 May 2023 to 30 April 2025, a Monday to a Wednesday, as of 30 April 2025)
  and why orders were not redeemed, per SKU (``refusal_breakdown``, the period above);
* each through `redemption.frames` and written by hand, on polars lazy (the lines in memory,
  ``df.lazy()``, collected) and on DuckDB (an in-memory table; the relation or SQL result
  fetched as Arrow);
* the times of each engine in one fresh process, where the library and the hand-written
  query share the loaded lines and take turns, round after round (the median of each side
  is reported), so that a slow moment of a shared machine falls on both sides alike;
* for the library, also the part of its time spent building the query (the call to
  `redemption.frames`, where narwhals makes the plan) apart from the engine running it;
* the memory of each (engine, side, size) in a fresh process of its own, so that its peak
  resident memory (VmHWM) is its own: the table reports it, and how much it grew over the
  loaded data (the rate and the ransom in one process, the series and the breakdown in
  another).

The hand-written queries compute exactly what the library does (the same filters: buyers
with an order placed by today, orders with a buyer; every week of the series, an empty one
with zeros; a row per SKU with an order in the breakdown's orders window). The reference's
lines have no kind or reason of a cancellation or a return, so every kind and reason is
unknown: the hand-written breakdown has the library's column of each kind and reason, 0 but
for ``unknown``, and its series has no refusal (``refused`` 0). Every result of the library
is compared with the hand-written one, row for row; the script exits with status 1 if one
differs. It prints the machine, the versions, a Markdown table and whether each target of
`docs/benchmarks.md` is met (within 1.25x of the hand-written time, 1.5x of its peak memory).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from redemption import MOSCOW, Period, frames
from redemption.dates import day_end, day_start
from redemption.windows import SALES_LAG_DAYS, redemption_window, trailing_window

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SIZES = {"100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}
REPS = {
    "100k": {"rates": 31, "ransom": 9, "series": 9, "breakdown": 31},
    "1M": {"rates": 31, "ransom": 9, "series": 9, "breakdown": 31},
    "10M": {"rates": 21, "ransom": 7, "series": 7, "breakdown": 21},
}
FIGURES = ("rates", "ransom", "series", "breakdown")
MEMORY_GROUPS = (("rates", "ransom"), ("series", "breakdown"))
"""The figures whose memory is measured in one process."""
PERIOD, TODAY = Period(date(2025, 4, 17), date(2025, 4, 30)), date(2025, 4, 30)
TIME_TARGET, MEMORY_TARGET = 1.25, 1.5

WINDOW = redemption_window(PERIOD, today=TODAY)
O_LO, O_HI = WINDOW.orders.bounds(MOSCOW)
S_LO, S_HI = WINDOW.sales.bounds(MOSCOW)
T_HI = day_end(TODAY, MOSCOW)
R_LO = trailing_window(TODAY).bounds(MOSCOW)[0]

ZONE = "Europe/Moscow"
SERIES_START = date(2023, 5, 1)  # a Monday: the weeks are whole, the last ends on TODAY
SERIES_LO = day_start(SERIES_START, MOSCOW)
WEEK_SALES_DAYS = 7 + SALES_LAG_DAYS
"""A week's sales run from its Monday to 30 days after its Sunday (or to the end of today)."""
COMPLETE_BY = TODAY - timedelta(days=SALES_LAG_DAYS)
"""A week is complete when its last day is 30 days before today or earlier."""

CANCEL_KINDS = ("buyer", "seller", "marketplace", "refused", "not_collected", "unknown")
RETURN_KINDS = ("return", "refused_at_handover", "unknown")
REASONS = (
    "size_fit",
    "appearance",
    "quality_defect",
    "wrong_item",
    "counterfeit",
    "changed_mind",
    "delivery",
    "not_collected",
    "seller_fault",
    "other",
    "unknown",
)
"""The kinds and reasons the breakdown has a column for; in the reference's lines, all
unknown."""


def reference_gen() -> ModuleType:
    """Import the reference's generator from its folder."""
    folder = Path(
        os.environ.get("REDEMPTION_REFERENCE_BENCH")
        or HERE.parents[1] / "shared" / "reference-bench"
    ).resolve()
    sys.path.insert(0, str(folder))
    return importlib.import_module("gen")


def data_file(size: str) -> Path:
    """The parquet file of `size` order lines, written from the generator if missing."""
    path = RESULTS / f"order-lines-{size}.parquet"
    if not path.exists():
        RESULTS.mkdir(parents=True, exist_ok=True)
        print(f"[frames.py] writing {path}", file=sys.stderr, flush=True)
        pq.write_table(reference_gen().generate(SIZES[size]), path, row_group_size=1 << 20)
    return path


def peak_memory() -> tuple[int, int]:
    """This process's resident memory now, and its peak so far (VmRSS, VmHWM), in bytes."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) * 1024
    return fields["VmRSS"], fields["VmHWM"]


# ------------------------------------------------------------------------------------------
# the queries written by hand: exactly the library's figures
# ------------------------------------------------------------------------------------------
def polars_rates(lines: pl.LazyFrame) -> pl.DataFrame:
    """The per-SKU report, in polars by hand."""
    c = pl.col
    sold = (c("sold_at") < T_HI).fill_null(value=False)
    counted = sold | (c("cancelled_at") < T_HI).fill_null(value=False)
    sale = sold & c("sold_at").is_between(S_LO, S_HI, closed="left")
    returned = sale & c("returned_at").is_between(S_LO, S_HI, closed="left").fill_null(value=False)
    return (
        lines.filter(c("ordered_at").is_between(O_LO, O_HI, closed="left"))
        .group_by("sku")
        .agg(
            orders=counted.sum().cast(pl.Int64),
            sales=sale.sum().cast(pl.Int64),
            returns=returned.sum().cast(pl.Int64),
            in_transit=(~counted).sum().cast(pl.Int64),
        )
        .with_columns(
            rate=pl.when(c("orders") > 0).then(c("sales") / c("orders")),
            rate_with_returns=pl.when(c("orders") > 0).then(
                (c("sales") - c("returns")) / c("orders")
            ),
        )
        .collect()
    )


def polars_ransom(lines: pl.LazyFrame) -> pl.DataFrame:
    """Every buyer's ransom amount, in polars by hand."""
    c = pl.col
    kept = c("sold_at").is_between(R_LO, T_HI, closed="left").fill_null(value=False) & ~(
        c("returned_at") < T_HI
    ).fill_null(value=False)
    return (
        lines.filter(c("buyer_id").is_not_null() & (c("ordered_at") < T_HI))
        .group_by("buyer_id")
        .agg(ransom_kopecks=pl.when(kept).then(c("price")).otherwise(0).sum().cast(pl.Int64))
        .collect()
    )


def _sql_time(moment: datetime) -> str:
    return f"TIMESTAMPTZ '{moment.astimezone(UTC).strftime('%Y-%m-%d %H:%M:%S.%f')}+00'"


RATES_SQL = f"""
SELECT sku, orders, sales, returns, in_transit,
       CASE WHEN orders > 0 THEN sales / orders END AS rate,
       CASE WHEN orders > 0 THEN (sales - returns) / orders END AS rate_with_returns
FROM (
  SELECT sku,
         count(*) FILTER (WHERE sold OR cancelled) AS orders,
         count(*) FILTER (WHERE sale) AS sales,
         count(*) FILTER (WHERE sale AND returned) AS returns,
         count(*) FILTER (WHERE NOT (sold OR cancelled)) AS in_transit
  FROM (
    SELECT sku,
           coalesce(sold_at < {_sql_time(T_HI)}, false) AS sold,
           coalesce(cancelled_at < {_sql_time(T_HI)}, false) AS cancelled,
           coalesce(sold_at < {_sql_time(T_HI)} AND sold_at >= {_sql_time(S_LO)}
                    AND sold_at < {_sql_time(S_HI)}, false) AS sale,
           coalesce(returned_at >= {_sql_time(S_LO)}
                    AND returned_at < {_sql_time(S_HI)}, false) AS returned
    FROM orders
    WHERE ordered_at >= {_sql_time(O_LO)} AND ordered_at < {_sql_time(O_HI)}
  )
  GROUP BY sku
)"""

RANSOM_SQL = f"""
SELECT buyer_id,
       sum(CASE WHEN sold_at >= {_sql_time(R_LO)} AND sold_at < {_sql_time(T_HI)}
                 AND NOT coalesce(returned_at < {_sql_time(T_HI)}, false)
                THEN price ELSE 0 END)::BIGINT AS ransom_kopecks
FROM orders
WHERE buyer_id IS NOT NULL AND ordered_at < {_sql_time(T_HI)}
GROUP BY buyer_id"""


# ------------------------------------------------------------------------------------------
# the analysis written by hand: the weekly series and the breakdown per SKU
# ------------------------------------------------------------------------------------------
def polars_series(lines: pl.LazyFrame) -> pl.DataFrame:
    """The rate week by week over the two years, in polars by hand.

    Each order's week is the Monday of its Moscow wall time (``truncate`` of the naive local
    time: truncating the aware one made the query take twice as long at 10M); a calendar of
    the weeks holds each week's sales window as UTC instants, joined on that Monday.
    """
    c = pl.col

    def instant(day: pl.Expr) -> pl.Expr:
        # the start of a Moscow day, in UTC
        return day.cast(pl.Datetime("us")).dt.replace_time_zone(ZONE).dt.convert_time_zone("UTC")

    def in_window(column: str) -> pl.Expr:
        return (
            c(column).is_between(c("sales_from"), c("sales_until"), "left").fill_null(value=False)
        )

    weeks = pl.LazyFrame({"first": pl.date_range(SERIES_START, TODAY, "1w", eager=True)})
    # a week's sales: from its Monday to 30 days after its Sunday, or to the end of today
    calendar = weeks.with_columns(
        sales_from=instant(c("first")),
        sales_until=pl.min_horizontal(
            instant(c("first").dt.offset_by(f"{WEEK_SALES_DAYS}d")),
            pl.lit(T_HI).dt.convert_time_zone("UTC"),
        ),
    )
    sold = (c("sold_at") < T_HI).fill_null(value=False)
    counted = sold | (c("cancelled_at") < T_HI).fill_null(value=False)
    sale = in_window("sold_at")
    monday = c("ordered_at").dt.convert_time_zone(ZONE).dt.replace_time_zone(None).dt.truncate("1w")
    weekly = (
        lines.filter(c("ordered_at").is_between(SERIES_LO, T_HI, closed="left"))
        .with_columns(first=monday.dt.date())
        .join(calendar, on="first")
        .group_by("first")
        .agg(
            placed=pl.len(),
            orders=counted.sum(),
            sales=sale.sum(),
            returned=(sale & in_window("returned_at")).sum(),
        )
    )
    counts = ("placed", "orders", "sales", "returned")
    return (
        weeks.join(weekly, on="first", how="left")
        .with_columns(
            c(*counts).fill_null(0).cast(pl.Int64),
            last=pl.min_horizontal(c("first").dt.offset_by("6d"), pl.lit(TODAY)),
        )
        .select(
            "first",
            "last",
            clipped=c("last") != c("first").dt.offset_by("6d"),
            complete=c("last") <= COMPLETE_BY,
            orders="orders",
            in_transit=c("placed") - c("orders"),
            sales="sales",
            refused=pl.lit(0, pl.Int64),  # no order was cancelled or returned as refused
            returned="returned",
            rate=pl.when(c("orders") > 0).then(c("sales") / c("orders")),
            refusal_share=pl.when(c("orders") > 0).then(0 / c("orders")),
            return_share=pl.when(c("orders") > 0).then(c("returned") / c("orders")),
        )
        .collect()
    )


def polars_breakdown(lines: pl.LazyFrame) -> pl.DataFrame:
    """How the orders of the period ended, per SKU, in polars by hand."""
    c = pl.col
    sold = (c("sold_at") < T_HI).fill_null(value=False)
    ended = (c("cancelled_at") < T_HI).fill_null(value=False)
    counted = sold | ended
    sale = c("sold_at").is_between(S_LO, S_HI, closed="left").fill_null(value=False)
    returned = sale & c("returned_at").is_between(S_LO, S_HI, closed="left").fill_null(value=False)
    zero = pl.lit(0, pl.Int64)
    return (
        lines.filter(c("ordered_at").is_between(O_LO, O_HI, closed="left"))
        .group_by("sku")
        .agg(
            orders=counted.sum().cast(pl.Int64),
            in_transit=(~counted).sum().cast(pl.Int64),
            sales=sale.sum().cast(pl.Int64),
            returns=returned.sum().cast(pl.Int64),
            kept=(sale & ~returned).sum().cast(pl.Int64),
            sold_late=(sold & ~sale).sum().cast(pl.Int64),
            cancelled=(ended & ~sold).sum().cast(pl.Int64),
        )
        .select(
            "sku",
            "orders",
            "in_transit",
            "sales",
            "returns",
            rate=pl.when(c("orders") > 0).then(c("sales") / c("orders")),
            rate_with_returns=pl.when(c("orders") > 0).then(
                (c("sales") - c("returns")) / c("orders")
            ),
            kept="kept",
            # every return and cancellation is of unknown kind, for an unknown reason
            **{f"returned_{kind}": zero for kind in RETURN_KINDS[:-1]},
            returned_unknown="returns",
            sold_late="sold_late",
            **{f"cancelled_{kind}": zero for kind in CANCEL_KINDS[:-1]},
            cancelled_unknown="cancelled",
            cancelled="cancelled",
            not_kept=c("cancelled") + c("returns"),
            **{f"reason_{reason}": zero for reason in REASONS[:-1]},
            reason_unknown=c("cancelled") + c("returns"),
        )
        .collect()
    )


SERIES_SQL = f"""
WITH calendar AS (
  -- a week's sales: from its Monday to 30 days after its Sunday, or to the end of today
  SELECT first::DATE AS first,
         timezone('{ZONE}', first) AS sales_from,
         least(timezone('{ZONE}', first + INTERVAL {WEEK_SALES_DAYS} DAY),
               {_sql_time(T_HI)}) AS sales_until
  FROM generate_series(DATE '{SERIES_START}', DATE '{TODAY}', INTERVAL 7 DAY) AS weeks(first)
), weekly AS (
  SELECT first,
         count(*) AS placed,
         count(*) FILTER (WHERE coalesce(sold_at < {_sql_time(T_HI)}, false)
                             OR coalesce(cancelled_at < {_sql_time(T_HI)}, false)) AS orders,
         count(*) FILTER (WHERE sale) AS sales,
         count(*) FILTER (WHERE sale AND returned_at >= sales_from
                                     AND returned_at < sales_until) AS returned
  FROM (
    SELECT *, coalesce(sold_at >= sales_from AND sold_at < sales_until, false) AS sale
    FROM orders
    JOIN calendar ON date_trunc('week', ordered_at AT TIME ZONE '{ZONE}')::DATE = first
    WHERE ordered_at >= {_sql_time(SERIES_LO)} AND ordered_at < {_sql_time(T_HI)}
  )
  GROUP BY first
), weeks AS (
  SELECT first,
         least(first + 6, DATE '{TODAY}') AS last,
         coalesce(placed, 0) AS placed,
         coalesce(orders, 0) AS orders,
         coalesce(sales, 0) AS sales,
         0::BIGINT AS refused,
         coalesce(returned, 0) AS returned
  FROM calendar LEFT JOIN weekly USING (first)
)
SELECT first, last,
       last <> first + 6 AS clipped,
       last <= DATE '{COMPLETE_BY}' AS complete,
       orders, placed - orders AS in_transit, sales, refused, returned,
       CASE WHEN orders > 0 THEN sales / orders END AS rate,
       CASE WHEN orders > 0 THEN refused / orders END AS refusal_share,
       CASE WHEN orders > 0 THEN returned / orders END AS return_share
FROM weeks"""
"""The rate week by week, in DuckDB SQL by hand: each order's week is the Monday of its
Moscow wall time, joined with a calendar of the weeks that holds each week's sales window
as UTC instants (comparing each sale's and return's Moscow time instead, ``sold_at AT TIME
ZONE``, took twice as long at 10M)."""


def _zeros(prefix: str, names: tuple[str, ...]) -> str:
    return ", ".join(f"0::BIGINT AS {prefix}_{name}" for name in names[:-1])


BREAKDOWN_SQL = f"""
SELECT sku, orders, in_transit, sales, returns,
       CASE WHEN orders > 0 THEN sales / orders END AS rate,
       CASE WHEN orders > 0 THEN (sales - returns) / orders END AS rate_with_returns,
       kept, {_zeros("returned", RETURN_KINDS)}, returns AS returned_unknown,
       sold_late, {_zeros("cancelled", CANCEL_KINDS)}, cancelled AS cancelled_unknown,
       cancelled, cancelled + returns AS not_kept,
       {_zeros("reason", REASONS)}, cancelled + returns AS reason_unknown
FROM (
  SELECT sku,
         count(*) FILTER (WHERE sold OR ended) AS orders,
         count(*) FILTER (WHERE NOT (sold OR ended)) AS in_transit,
         count(*) FILTER (WHERE sale) AS sales,
         count(*) FILTER (WHERE sale AND back) AS returns,
         count(*) FILTER (WHERE sale AND NOT back) AS kept,
         count(*) FILTER (WHERE sold AND NOT sale) AS sold_late,
         count(*) FILTER (WHERE ended AND NOT sold) AS cancelled
  FROM (
    SELECT sku,
           coalesce(sold_at < {_sql_time(T_HI)}, false) AS sold,
           coalesce(cancelled_at < {_sql_time(T_HI)}, false) AS ended,
           coalesce(sold_at >= {_sql_time(S_LO)} AND sold_at < {_sql_time(S_HI)}, false) AS sale,
           coalesce(returned_at >= {_sql_time(S_LO)}
                    AND returned_at < {_sql_time(S_HI)}, false) AS back
    FROM orders
    WHERE ordered_at >= {_sql_time(O_LO)} AND ordered_at < {_sql_time(O_HI)}
  )
  GROUP BY sku
)"""


# ------------------------------------------------------------------------------------------
# the workers: each in its own process
# ------------------------------------------------------------------------------------------
Plan = Callable[[], Callable[[], pa.Table]]
"""Build a figure's query, and return the call that runs it into an Arrow table."""

SIDES = ("ours", "hand")


Loaded = pl.DataFrame | duckdb.DuckDBPyConnection

Lines = TypeVar("Lines", pl.LazyFrame, duckdb.DuckDBPyRelation)
"""The lines a figure of the library reads, and the kind of query it gives back."""
"""The lines loaded into an engine: a polars DataFrame, or a DuckDB connection with them."""


def _load(engine: str, path: Path) -> Loaded:
    """The lines loaded into the engine: a polars DataFrame, or a DuckDB connection."""
    if engine == "polars":
        return pl.read_parquet(path)
    # DuckDB's default connection: the series' empty weeks are an unpivot, which narwhals
    # 2.29 runs through `duckdb.sql`, on the default connection, and which cannot read a
    # relation of another connection (an in-memory one made by `duckdb.connect()` included)
    connection = duckdb.default_connection()
    connection.execute(f"CREATE TABLE orders AS SELECT * FROM read_parquet('{path}')")
    return connection


def library_series(lines: Lines) -> Lines:
    """The weekly series through `redemption.frames`: a query of the engine given."""
    return frames.rate_series(
        lines, start=SERIES_START, end=TODAY, freq="week", today=TODAY, tz=MOSCOW
    )


def library_breakdown(lines: Lines) -> Lines:
    """The breakdown per SKU through `redemption.frames`: a query of the engine given."""
    return frames.refusal_breakdown(lines, period=PERIOD, today=TODAY, by="sku", tz=MOSCOW)


def _plans(side: str, loaded: Loaded) -> dict[str, Plan]:
    """How to build and run each figure on the loaded lines.

    For the library, building is the call to `redemption.frames` (narwhals making the plan);
    running is collecting it. The hand-written queries are built as they run.
    """
    if isinstance(loaded, pl.DataFrame):
        frame = loaded
        if side == "hand":
            return {
                "rates": lambda: lambda: polars_rates(frame.lazy()).to_arrow(),
                "ransom": lambda: lambda: polars_ransom(frame.lazy()).to_arrow(),
                "series": lambda: lambda: polars_series(frame.lazy()).to_arrow(),
                "breakdown": lambda: lambda: polars_breakdown(frame.lazy()).to_arrow(),
            }

        def polars_plan(query: pl.LazyFrame) -> Callable[[], pa.Table]:
            return lambda: query.collect().to_arrow()

        return {
            "rates": lambda: polars_plan(
                frames.redemption_rates(frame.lazy(), period=PERIOD, today=TODAY)
            ),
            "ransom": lambda: polars_plan(frames.ransom_amounts(frame.lazy(), today=TODAY)),
            "series": lambda: polars_plan(library_series(frame.lazy())),
            "breakdown": lambda: polars_plan(library_breakdown(frame.lazy())),
        }
    connection = loaded
    if side == "hand":
        return {
            "rates": lambda: lambda: connection.sql(RATES_SQL).to_arrow_table(),
            "ransom": lambda: lambda: connection.sql(RANSOM_SQL).to_arrow_table(),
            "series": lambda: lambda: connection.sql(SERIES_SQL).to_arrow_table(),
            "breakdown": lambda: lambda: connection.sql(BREAKDOWN_SQL).to_arrow_table(),
        }

    def duckdb_plan(query: duckdb.DuckDBPyRelation) -> Callable[[], pa.Table]:
        run: Callable[[], pa.Table] = query.to_arrow_table
        return run

    return {
        "rates": lambda: duckdb_plan(
            frames.redemption_rates(connection.table("orders"), period=PERIOD, today=TODAY)
        ),
        "ransom": lambda: duckdb_plan(
            frames.ransom_amounts(connection.table("orders"), today=TODAY)
        ),
        "series": lambda: duckdb_plan(library_series(connection.table("orders"))),
        "breakdown": lambda: duckdb_plan(library_breakdown(connection.table("orders"))),
    }


def canonical(table: pa.Table) -> pa.Table:
    """A result sorted by its key, every field nullable: two sides compare with `equals`."""
    schema = pa.schema([pa.field(field.name, field.type) for field in table.schema])
    return table.cast(schema).sort_by(table.column_names[0])


def canon_file(engine: str, side: str, size: str, figure: str) -> Path:
    """Where a worker leaves its result, for the run to compare the two sides."""
    return RESULTS / f"canon-{engine}-{side}-{size}-{figure}.parquet"


def memory_worker(engine: str, side: str, size: str, figures: str) -> dict[str, Any]:
    """Run some figures on one engine and side, and measure this process's memory.

    `figures` are their names, joined by commas. Each figure runs twice; the peak is read
    before the results are sorted and written for the comparison.
    """
    plans = _plans(side, _load(engine, data_file(size)))
    loaded, _ = peak_memory()
    tables = {}
    for figure in figures.split(","):
        plan = plans[figure]
        plan()()
        tables[figure] = plan()()
    result = {"loaded_rss": loaded, "peak_rss": peak_memory()[1]}
    for figure, table in tables.items():
        pq.write_table(canonical(table), canon_file(engine, side, size, figure))
    return result


def time_worker(engine: str, size: str, figures: str) -> dict[str, Any]:
    """Time some figures on one engine, the library and the hand-written side in turns.

    `figures` are their names, joined by commas.

    The two sides share the loaded lines and take turns, in one order and then the other,
    so that a slower moment of the machine falls on both alike. Each time is the median of
    its rounds; for the library, the part spent building the plan is kept apart.
    """
    loaded = _load(engine, data_file(size))
    plans = {side: _plans(side, loaded) for side in SIDES}
    result: dict[str, Any] = {}
    for figure in figures.split(","):
        times: dict[str, list[float]] = {side: [] for side in SIDES}
        building: list[float] = []
        for side in SIDES:
            plans[side][figure]()()  # warm up: plans, caches, thread pools
        for round_ in range(REPS[size][figure]):
            for side in SIDES if round_ % 2 == 0 else SIDES[::-1]:
                start = time.perf_counter()
                run = plans[side][figure]()
                built = time.perf_counter()
                run()
                times[side].append(time.perf_counter() - start)
                if side == "ours":
                    building.append(built - start)
        for side in SIDES:
            result[f"{side}_{figure}"] = statistics.median(times[side])
        result[f"ours_{figure}_plan"] = statistics.median(building)
    return result


def identical(engine: str, size: str, figure: str) -> bool:
    """Whether the library's result and the hand-written one are the same, row for row."""
    ours = pq.read_table(canon_file(engine, "ours", size, figure))
    hand = pq.read_table(canon_file(engine, "hand", size, figure))
    same: bool = ours.column_names == hand.column_names and ours.equals(hand.cast(ours.schema))
    return same


def run_worker(*args: str) -> dict[str, Any]:
    """Run one worker in a fresh process and read what it found."""
    done = subprocess.run(  # noqa: S603 - this script, run again
        [sys.executable, __file__, "worker", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, Any] = json.loads(done.stdout)
    return found


# ------------------------------------------------------------------------------------------
# the run: every worker, the table, the verdicts
# ------------------------------------------------------------------------------------------
def _ratio(ours: float, hand: float) -> str:
    return f"{ours / hand:.2f}x"


def _memory(worker: dict[str, Any]) -> str:
    mib = 2**20
    grown = worker["peak_rss"] - worker["loaded_rss"]
    return f"{worker['peak_rss'] / mib:.0f} MiB ({grown / mib:.0f})"


def _engine_rows(engine: str, size: str, figures: list[str]) -> tuple[list[str], list[str], bool]:
    """Time and measure the figures on one engine at one size: rows, verdicts, identical."""
    rows, verdicts, all_identical = [], [], True
    timed = run_worker("time", engine, size, ",".join(figures))
    for group in MEMORY_GROUPS:
        chosen = [figure for figure in group if figure in figures]
        if not chosen:
            continue
        ours, hand = (run_worker("memory", engine, side, size, ",".join(chosen)) for side in SIDES)
        for figure in chosen:
            same = identical(engine, size, figure)
            all_identical &= same
            mine, theirs = timed[f"ours_{figure}"], timed[f"hand_{figure}"]
            plan = timed[f"ours_{figure}_plan"]
            rows.append(
                f"| {size} | {engine} | {figure} | {mine:.3f} s ({plan:.3f} s) "
                f"| {theirs:.3f} s | {_ratio(mine, theirs)} "
                f"| {_ratio(mine - plan, theirs)} | {'yes' if same else 'NO'} |"
            )
            if size == "10M":
                met = mine <= TIME_TARGET * theirs
                verdicts.append(
                    f"{engine} {figure} at 10M within {TIME_TARGET}x of hand-written: "
                    f"{_ratio(mine, theirs)} -> {'met' if met else 'MISSED'}"
                )
        what = " and ".join(chosen)
        rows.append(
            f"| {size} | {engine} | peak memory, {what} (grown over the data) | {_memory(ours)} "
            f"| {_memory(hand)} | {_ratio(ours['peak_rss'], hand['peak_rss'])} | | |"
        )
        if size == "10M":
            met = ours["peak_rss"] <= MEMORY_TARGET * hand["peak_rss"]
            verdicts.append(
                f"{engine} peak memory of {what} at 10M within {MEMORY_TARGET}x of "
                f"hand-written: {_ratio(ours['peak_rss'], hand['peak_rss'])} -> "
                f"{'met' if met else 'MISSED'}"
            )
    return rows, verdicts, all_identical


def main(sizes: list[str], figures: list[str]) -> int:
    """Run every worker, print the table and the verdicts; 1 if a result differs."""
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(
        "versions: "
        + ", ".join(
            f"{name} {version(name)}" for name in ("redemption", "narwhals", "polars", "duckdb")
        )
    )
    rows, verdicts, all_identical = [], [], True
    for size in sizes:
        data_file(size)
        for engine in ("polars", "duckdb"):
            print(f"[frames.py] {engine} at {size}", file=sys.stderr, flush=True)
            its_rows, its_verdicts, same = _engine_rows(engine, size, figures)
            rows += its_rows
            verdicts += its_verdicts
            all_identical &= same
    print()
    print(
        "| size | engine | figure | redemption.frames (of which building the plan) | by hand "
        "| ratio | ratio of the engine's run | identical |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print()
    print("\n".join(verdicts))
    print(f"results identical: {'yes' if all_identical else 'NO'}")
    return 0 if all_identical else 1


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "worker":
        kind, *arguments = sys.argv[2:]
        work = time_worker if kind == "time" else memory_worker
        print(json.dumps(work(*arguments)))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=["1M", "10M"])
    parser.add_argument("--figures", nargs="+", choices=FIGURES, default=list(FIGURES))
    args = parser.parse_args()
    chosen = [figure for figure in FIGURES if figure in args.figures]
    sys.exit(main(args.sizes, chosen))
