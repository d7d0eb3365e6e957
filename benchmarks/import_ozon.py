"""Time and memory of reading Ozon posting lists: the object importer beside the frames'.

Run it from the repository root, with the dev tools installed (polars, duckdb)::

    .venv/bin/python benchmarks/import_ozon.py                  # 10k and 50k postings
    .venv/bin/python benchmarks/import_ozon.py --sizes 100k --sides duckdb

It writes ``/v3/posting/fbs/list`` pages as the API gives them (each posting the FBS
example of ``tests/data/ozon``, about 5 KB, renumbered: 1,000 postings a page, the API's
largest; of ten postings, eight delivered, one cancelled by the buyer, one on its way, each
with one or two units and its delivery charges) under
``benchmarks/results/ozon-pages-N/`` (git-ignored), once per size.

Each side runs in a fresh process of its own (``import_ozon.py measure ...``), which
reports its seconds and peak resident memory (``VmHWM``), ``--repeat`` times in turns (the
fastest counts, beside the highest peak):

* ``objects``: `redemption.io.read_ozon_postings`, ``errors="collect"``;
* ``duckdb`` and ``polars``: `redemption.frames.read_ozon_postings` on that engine, the
  lines fetched as Arrow (DuckDB) or collected (polars).

Every side must make as many lines. A size five times another should take about five
times as long: the last column is each side's time per posting against the smallest
size's, where a reader whose work grows faster than its postings shows.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "tests" / "data" / "ozon" / "fbs_list_response.json"
PAGE = 1_000
AS_OF = datetime(2025, 6, 1, tzinfo=UTC)
SIDES = ("objects", "duckdb", "polars")

sys.path.insert(0, str(HERE))
from import_memory import measured_apart, pages_folder_once, parse_size, peak_mb  # noqa: E402


def posting(number: int, example: dict[str, Any]) -> dict[str, Any]:
    """The example posting, renumbered and given its fate by its number."""
    item = copy.deepcopy(example)
    placed = datetime(2025, 4, 1, tzinfo=UTC) + timedelta(minutes=number)
    sku, units = 800_000_000 + number % 3_000, 1 + number % 2
    item["posting_number"] = f"{number:010d}-0001-1"
    item["order_id"] = number
    item["in_process_at"] = placed.isoformat().replace("+00:00", "Z")
    item["products"][0] |= {"sku": sku, "quantity": units, "price": f"{500 + number % 997}.0000"}
    charges = {
        "marketplace_service_item_direct_flow_trans": -12.5,
        "marketplace_service_item_deliv_to_customer": -(40 + number % 30) - 0.25,
    }
    item["financial_data"]["products"][0] |= {
        "product_id": sku,
        "quantity": units,
        "item_services": charges,
    }
    fate = number % 10
    if fate == 0:
        item["status"] = "cancelled"
        item["cancellation"] |= {
            "cancellation_type": "client",
            "cancellation_initiator": "Покупатель",
            "cancel_reason": "Покупатель передумал",
            "cancel_reason_id": 402,
        }
    elif fate == 1:
        item["status"] = "delivering"
    else:
        item["status"] = "delivered"
        delivered = placed + timedelta(days=3)
        item["delivering_date"] = delivered.isoformat().replace("+00:00", "Z")
    return item


def pages_folder(postings: int) -> Path:
    """The folder of pages of `postings` postings, written the first time it is asked for."""
    return pages_folder_once(f"ozon-pages-{postings}", partial(write_pages, postings))


def write_pages(postings: int, folder: Path) -> None:
    """Write the pages of `postings` postings into `folder`, as the API gives them."""
    response = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    example = response["result"]["postings"][0]
    for number, first in enumerate(range(0, postings, PAGE)):
        page = [posting(n, example) for n in range(first, min(postings, first + PAGE))]
        body = {"result": {"postings": page, "has_next": first + PAGE < postings}}
        (folder / f"postings-{number:04d}.json").write_text(
            json.dumps(body, ensure_ascii=False), encoding="utf-8"
        )


def measure(folder: Path, side: str) -> dict[str, Any]:
    """One side's reading of every page, in this process: its seconds, peak and lines."""
    files = sorted(str(p) for p in folder.glob("postings-*.json"))
    started = time.perf_counter()
    if side == "objects":
        from redemption.io import read_ozon_postings  # noqa: PLC0415

        history, _ = read_ozon_postings(files, as_of=AS_OF, errors="collect")
        count = len(history.orders)
    else:
        from redemption import frames  # noqa: PLC0415

        lines, _ = frames.read_ozon_postings(files, as_of=AS_OF, backend=side)  # type: ignore[arg-type]
        count = lines.to_arrow_table().num_rows if side == "duckdb" else lines.collect().height
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb(), "lines": int(count)}


def main() -> int:
    """Write the pages, measure each side in turns, print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    commands = parser.add_subparsers(dest="command")
    inner = commands.add_parser("measure", help="one measurement in this process (internal)")
    inner.add_argument("folder", type=Path)
    inner.add_argument("side", choices=SIDES)
    parser.add_argument("--sizes", nargs="+", type=parse_size, default=[10_000, 50_000])
    parser.add_argument("--sides", nargs="+", choices=SIDES, default=list(SIDES))
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side (default 2)")
    args = parser.parse_args()
    if args.command == "measure":
        print(json.dumps(measure(args.folder, args.side)))
        return 0
    from importlib.metadata import version  # noqa: PLC0415

    print(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores; duckdb {version('duckdb')}, polars {version('polars')}"
    )
    print("| postings | side | lines | s | postings/s | peak MB | s per posting / smallest |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    smallest: dict[str, float] = {}
    failed = False
    for size in sorted(args.sizes):
        folder = pages_folder(size)
        runs: dict[str, list[dict[str, Any]]] = {side: [] for side in args.sides}
        for _ in range(args.repeat):  # in turns, so that a busy spell hits every side
            for side, found in runs.items():
                found.append(measured_apart(__file__, str(folder), side))
        counts = set()
        for side, found in runs.items():
            fastest = min(found, key=lambda run: run["seconds"])
            peak = max(run["peak_mb"] for run in found)
            per = fastest["seconds"] / size
            smallest.setdefault(side, per)
            counts.add(fastest["lines"])
            print(
                f"| {size:,} | {side} | {fastest['lines']:,} | {fastest['seconds']:.2f} "
                f"| {size / fastest['seconds']:,.0f} | {peak:,.0f} | {per / smallest[side]:.2f} |",
                flush=True,
            )
        if len(counts) > 1:
            print(f"the sides made different numbers of lines: {sorted(counts)}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
