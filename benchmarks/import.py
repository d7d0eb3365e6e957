"""Time and memory of the columnar Wildberries importer beside the same reading by hand.

Run it from the repository root, with the dev tools installed (polars, duckdb)::

    .venv/bin/python benchmarks/import.py                   # 1M rows
    .venv/bin/python benchmarks/import.py --sizes 100k 1M 10M --engines duckdb

It writes ``supplier/orders`` pages shaped like the API's (the 27 fields of
``benchmarks/import_memory.py``'s rows: warehouses, regions and goods in Cyrillic, about
700 bytes a row) under ``benchmarks/results/wb-pages-N/`` (git-ignored), once per size:
pages of 100,000 rows, each starting with the last 1,000 rows of the page before (the API
pages by ``lastChangeDate``, so pages overlap), and one order in fifty given again on a
later page, cancelled, with a later ``lastChangeDate``.

Each measurement runs in a fresh process of its own (``import.py measure ...``), which
reports the seconds taken and its peak resident memory (``VmHWM``); each side runs
``--repeat`` times (3), in turns with the other, and its fastest run counts, beside the
highest peak of its runs:

* ``ours``: `redemption.frames.read_wildberries_statistics` on the folder, the lines
  fetched as Arrow (DuckDB) or collected (polars);
* ``hand``: the same reading written by hand on the same engine: the JSON read with the
  engine's reader, the latest row of each ``srid`` kept (by ``lastChangeDate``, then the
  later page and row), and the line's columns made (kopecks, Moscow times as instants,
  the cancellation): what a user would write, without the checks of each row;
* ``checked``: on DuckDB, that reading with checks of each row as a user might write them
  in DuckDB's SQL (`CHECKED_QUERY`): set beside ours for comparison, not a target;
* ``rates``: on DuckDB, raw pages to `redemption.frames.redemption_rates` by SKU (period
  1-31 January 2025, as of 28 February 2025), the figures fetched; once on DuckDB's
  defaults (it may take up to 80% of the machine's memory), once on a connection with
  ``SET memory_limit = '1GB'``, where DuckDB spills what does not fit to disk.

The targets: ``ours`` within 1.25x of ``hand`` in time and peak memory; ``rates`` on
DuckDB at 10M rows under 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from datetime import date, datetime, timedelta
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PAGE, OVERLAP, AGAIN = 100_000, 1_000, 50
TIME_TARGET, MEMORY_TARGET, RATES_TARGET_MB = 1.25, 1.25, 1536.0
CAPPED = "1GB"
"""DuckDB's memory_limit in the second end-to-end run."""
FIELDS = ("srid", "date", "lastChangeDate", "nmId", "finishedPrice", "isCancel", "cancelDate")

sys.path.insert(0, str(HERE))
from import_memory import (  # noqa: E402
    measured_apart,
    order_row,
    pages_folder_once,
    parse_size,
    peak_mb,
)


def pages_folder(rows: int) -> Path:
    """The folder of pages of `rows` orders, written the first time it is asked for."""
    return pages_folder_once(f"wb-pages-{rows}", partial(write_pages, rows))


def write_pages(rows: int, folder: Path) -> None:
    """Write the pages of `rows` orders into `folder`."""
    rng = random.Random(rows)  # noqa: S311 - made-up rows, the same for each size
    start = datetime(2025, 1, 1)  # noqa: DTZ001 - Wildberries writes naive Moscow time
    tail: list[str] = []  # the last rows of the page before, given again
    again: list[str] = []  # rows of the page before, updated: cancelled three days on
    for number, first in enumerate(range(0, rows, PAGE)):
        made = [
            json.dumps(order_row(n, rng, start), ensure_ascii=False)
            for n in range(first, min(rows, first + PAGE))
        ]
        page = [*tail, *made, *again]
        tail, again = made[-OVERLAP:], []
        for text in made[::AGAIN]:
            row = json.loads(text)
            changed = datetime.fromisoformat(row["lastChangeDate"]) + timedelta(days=3)
            row |= {"lastChangeDate": changed.isoformat(), "isCancel": True}
            row["cancelDate"] = changed.isoformat()
            again.append(json.dumps(row, ensure_ascii=False))
        (folder / f"orders-{number:04d}.json").write_text(
            "[" + ",".join(page) + "]", encoding="utf-8"
        )


def files(folder: Path) -> list[str]:
    """The pages, in order."""
    return sorted(str(p) for p in folder.glob("orders-*.json"))


def duckdb_scans(folder: Path) -> str:
    """Every page read by DuckDB's `read_json`, each row with its page and place in it."""
    columns = "{" + ", ".join(f"'{f}': 'VARCHAR'" for f in FIELDS) + "}"
    names = ", ".join(f'"{f}"' for f in FIELDS)
    return " UNION ALL ".join(
        f"SELECT {names}, {i} AS page, row_number() OVER () AS row "
        f"FROM read_json('{name}', columns={columns}, format='array')"
        for i, name in enumerate(files(folder))
    )


def duckdb_hand(folder: Path) -> int:
    """The latest row of each srid, as lines, in SQL by hand; return the lines' count."""
    import duckdb  # noqa: PLC0415

    scans = duckdb_scans(folder)
    query = f"""
        SELECT srid AS order_id, 'seller' AS seller_id, "nmId" AS sku,
               round("finishedPrice"::DECIMAL(18, 3) * 100)::BIGINT AS price,
               timezone('Europe/Moscow', strptime(date, '%Y-%m-%dT%H:%M:%S')) AS ordered_at,
               CASE WHEN "isCancel" = 'true' THEN timezone('Europe/Moscow',
                   strptime("cancelDate", '%Y-%m-%dT%H:%M:%S')) END AS cancelled_at
        FROM ({scans})
        QUALIFY row_number() OVER (
            PARTITION BY srid ORDER BY "lastChangeDate" DESC, page DESC, row DESC) = 1
    """
    relation: Any = duckdb.sql(query)
    return int(relation.to_arrow_table().num_rows)


CHECKED_QUERY = """
    WITH rows AS (
        SELECT trim(srid) AS srid, trim("nmId") AS sku, trim("isCancel") AS flag,
               trim("cancelDate") AS cancel_text,
               try_strptime(trim("lastChangeDate"), '%Y-%m-%dT%H:%M:%S') AS changed,
               try_strptime(trim(date), '%Y-%m-%dT%H:%M:%S') AS ordered,
               try_strptime(trim("cancelDate"), '%Y-%m-%dT%H:%M:%S') AS cancel,
               CASE WHEN regexp_full_match(trim("finishedPrice"), '[0-9]{1,16}([.][0-9]+)?')
                    THEN round(trim("finishedPrice")::DECIMAL(38, 10) * 100)::BIGINT
               END AS price,
               page, row
        FROM (SCANS)
    ), checked AS (
        SELECT *, coalesce(cancel_text, '') IN ('', '0001-01-01T00:00:00') AS no_cancel,
               CASE
                   WHEN coalesce(srid, '') = '' THEN 'srid'
                   WHEN changed IS NULL THEN 'lastChangeDate'
                   WHEN flag IS NULL OR flag NOT IN ('true', 'false') THEN 'isCancel'
                   WHEN flag = 'true' AND no_cancel THEN 'cancelDate'
                   WHEN flag = 'false' AND NOT no_cancel THEN 'isCancel'
                   WHEN price IS NULL THEN 'finishedPrice'
                   WHEN coalesce(sku, '') = '' THEN 'nmId'
                   WHEN ordered IS NULL THEN 'date'
                   WHEN flag = 'true' AND (cancel IS NULL OR cancel < ordered) THEN 'cancelDate'
               END AS problem
        FROM rows
    )
    SELECT srid AS order_id, 'seller' AS seller_id, sku, price,
           timezone('Europe/Moscow', ordered) AS ordered_at,
           CASE WHEN flag = 'true' THEN timezone('Europe/Moscow', cancel) END AS cancelled_at
    FROM checked
    WHERE problem IS NULL
    QUALIFY row_number() OVER (PARTITION BY srid ORDER BY changed DESC, page DESC, row DESC) = 1
"""
"""The hand-written reading, with checks of each row as a user might write them in DuckDB's
SQL: each field trimmed, the times and the price checked, the cancellation against its
flag and its order's time; a row failing one makes no line, and the latest good row of a
``srid`` is kept. Coarser than the importer's (DuckDB's `trim` takes spaces only, its
`try_strptime` and `round` are DuckDB's own), and it names no reason for a row."""


def duckdb_checked(folder: Path) -> int:
    """The hand-written reading with the row checks of `CHECKED_QUERY`; return the lines."""
    import duckdb  # noqa: PLC0415

    scans = duckdb_scans(folder)
    relation: Any = duckdb.sql(CHECKED_QUERY.replace("SCANS", scans))
    return int(relation.to_arrow_table().num_rows)


def polars_hand(folder: Path) -> int:
    """The latest row of each srid, as lines, in polars by hand; return the lines' count."""
    import polars as pl  # noqa: PLC0415

    schema = dict.fromkeys(FIELDS, pl.String)

    def page(index: int, name: str) -> pl.LazyFrame:
        def read() -> pl.DataFrame:
            frame = pl.read_json(name, schema=schema)
            return frame.with_columns(
                pl.int_range(frame.height, dtype=pl.UInt32).alias("row"),
                pl.lit(index, pl.Int32).alias("page"),
            )

        return pl.defer(read, schema={**schema, "row": pl.UInt32, "page": pl.Int32})

    moment = pl.col("date").str.to_datetime("%Y-%m-%dT%H:%M:%S")
    lines = (
        pl.concat([page(i, name) for i, name in enumerate(files(folder))])
        .sort("lastChangeDate", "page", "row")
        .unique("srid", keep="last")
        .select(
            pl.col("srid").alias("order_id"),
            pl.lit("seller").alias("seller_id"),
            pl.col("nmId").alias("sku"),
            (pl.col("finishedPrice").cast(pl.Decimal(18, 3)) * 100)
            .round(0)
            .cast(pl.Int64)
            .alias("price"),
            moment.dt.replace_time_zone("Europe/Moscow")
            .dt.convert_time_zone("UTC")
            .alias("ordered_at"),
            pl.when(pl.col("isCancel") == "true")
            .then(
                pl.col("cancelDate")
                .str.to_datetime("%Y-%m-%dT%H:%M:%S")
                .dt.replace_time_zone("Europe/Moscow")
                .dt.convert_time_zone("UTC")
            )
            .alias("cancelled_at"),
        )
    )
    return lines.collect().height


def ours(folder: Path, engine: str) -> int:
    """The columnar importer's lines; return their count."""
    from redemption import frames  # noqa: PLC0415

    lines, _ = frames.read_wildberries_statistics(folder, backend=engine)  # type: ignore[arg-type]
    if engine == "duckdb":
        return int(lines.to_arrow_table().num_rows)
    return int(lines.collect().height)


def rates(folder: Path, memory_limit: str | None = None) -> int:
    """Raw pages to the redemption rate per SKU on DuckDB; return the rows of figures."""
    import duckdb  # noqa: PLC0415

    from redemption import Period, frames  # noqa: PLC0415

    connection = duckdb.connect()
    if memory_limit is not None:
        connection.execute(f"SET memory_limit = '{memory_limit}'")
    lines, _ = frames.read_wildberries_statistics(folder, backend="duckdb", connection=connection)
    figures = frames.redemption_rates(
        lines, period=Period(date(2025, 1, 1), date(2025, 1, 31)), today=date(2025, 2, 28)
    )
    return int(figures.to_arrow_table().num_rows)


def measure(folder: Path, engine: str, side: str) -> dict[str, Any]:
    """One measurement in this process."""
    started = time.perf_counter()
    if side == "hand":
        count = duckdb_hand(folder) if engine == "duckdb" else polars_hand(folder)
    elif side == "checked":
        count = duckdb_checked(folder)
    elif side == "ours":
        count = ours(folder, engine)
    elif side == "rates":
        count = rates(folder)
    else:
        count = rates(folder, memory_limit=CAPPED)
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb(), "rows": count}


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest of several runs, with the highest peak memory of any of them."""
    fastest = min(runs, key=lambda run: run["seconds"])
    return {**fastest, "peak_mb": max(run["peak_mb"] for run in runs)}


def in_subprocess(folder: Path, engine: str, side: str) -> dict[str, Any]:
    """`measure` in a fresh Python."""
    return measured_apart(__file__, str(folder), engine, side)


def compare(folder: Path, rows: int, engine: str, repeat: int) -> bool:
    """Measure our reading beside the hand-written ones on `engine`; print the table's rows.

    On DuckDB a second row sets ours beside the hand-written reading with row checks
    (`CHECKED_QUERY`), for comparison: the target is against the reading without them.
    Return whether every side made as many lines.
    """
    sides = ("hand", "ours", "checked") if engine == "duckdb" else ("hand", "ours")
    runs: dict[str, list[dict[str, Any]]] = {side: [] for side in sides}
    for _ in range(repeat):  # in turns, so that a busy spell hits every side
        for side, found in runs.items():
            found.append(in_subprocess(folder, engine, side))
    got = best(runs["ours"])
    same = True
    for side in sides:
        if side == "ours":
            continue
        other = best(runs[side])
        if other["rows"] != got["rows"]:
            print(f"lines differ: {side} {other['rows']}, ours {got['rows']}", file=sys.stderr)
            same = False
        t, m = got["seconds"] / other["seconds"], got["peak_mb"] / other["peak_mb"]
        if side == "hand":
            label, verdict = engine, "met" if t <= TIME_TARGET and m <= MEMORY_TARGET else "not met"
        else:
            label, verdict = f"{engine}, hand with row checks", "(no target)"
        print(
            f"| {rows:,} | {label} | {other['seconds']:.1f} | {got['seconds']:.1f} "
            f"| {t:.2f} | {other['peak_mb']:,.0f} | {got['peak_mb']:,.0f} | {m:.2f} "
            f"| {verdict} |",
            flush=True,
        )
    return same


def main() -> int:
    """Write the pages, measure each side in a fresh process, print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    commands = parser.add_subparsers(dest="command")
    inner = commands.add_parser("measure", help="one measurement in this process (internal)")
    inner.add_argument("folder", type=Path)
    inner.add_argument("engine")
    inner.add_argument("side")
    parser.add_argument("--sizes", nargs="+", type=parse_size, default=[1_000_000])
    parser.add_argument("--engines", nargs="+", default=["duckdb", "polars"])
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each side, taken in turns; the fastest counts (default 3)",
    )
    args = parser.parse_args()
    if args.command == "measure":
        print(json.dumps(measure(args.folder, args.engine, args.side)))
        return 0
    print(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores; duckdb {version('duckdb')}, polars {version('polars')}, "
        f"narwhals {version('narwhals')}"
    )
    print(
        "| rows | engine | hand s | ours s | time ratio | hand peak MB | ours peak MB "
        "| memory ratio | targets (1.25x) |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---|")
    failed = False
    for rows in args.sizes:
        folder = pages_folder(rows)
        for engine in args.engines:
            failed |= not compare(folder, rows, engine, args.repeat)
        if "duckdb" in args.engines:
            for side, label in (
                ("rates", "duckdb: pages to rates by SKU"),
                ("rates-capped", f"duckdb, memory_limit {CAPPED}: pages to rates by SKU"),
            ):
                end = in_subprocess(folder, "duckdb", side)
                met = "met" if end["peak_mb"] < RATES_TARGET_MB else "not met"
                print(
                    f"| {rows:,} | {label} | | {end['seconds']:.1f} | "
                    f"| | {end['peak_mb']:,.0f} | | {met} (< 1,536 MB) |",
                    flush=True,
                )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
