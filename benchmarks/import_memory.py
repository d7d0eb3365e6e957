"""Memory and time of reading a large Wildberries ``supplier/orders`` file.

Run it from the repository root::

    .venv/bin/python benchmarks/import_memory.py                  # 250k, 500k and 1M rows
    .venv/bin/python benchmarks/import_memory.py --sizes 250k     # a quick run

It writes ``supplier/orders`` files shaped like the real ones under ``benchmarks/results/``
(git-ignored): every field of the statistics API's example row
(``../shared/data/wildberries/statistics-supplier-orders.example.json``), warehouse, region,
category, subject and brand names in Cyrillic, about 700 bytes a row, one JSON array as
``redemption fetch`` writes a page. A file already written for a size is read again.

Each size is then read by ``read_wildberries_statistics(orders=path)`` in a fresh process
(``import_memory.py measure PATH``), which reports the rows read, the seconds taken (and
rows per second), the peak resident memory (``ru_maxrss``) and the resident memory the
import leaves behind (after it, with freed memory given back to the system, less before
it: objects that outlive the import keep whole pages of freed ones resident). A second
fresh process reads the file under `tracemalloc` for the bytes the `History` (and the
import report) hold: the History's own memory. The table gives the peak and the `History`
per 1,000 rows as well (figures that stay the same from size to size grow linearly), and
the peak over the History's own: the target is a peak within 1.5 times it.

``--before SRC`` reads each file with the library in another checkout too (its ``src``,
put first on the path of the fresh processes: the code before a change), and gives the
speed-up in rows per second; the target is 3 times at 1M rows. ``--stdlib`` reads each
file without msgspec as well (the ``fast`` extra not installed: the standard library's
JSON parser)::

    .venv/bin/python benchmarks/import_memory.py --sizes 250k 1M --before /tmp/before/src --stdlib
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import gc
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_ROWS = 1_000_000
"""The size the targets are for."""

WAREHOUSES = (
    ("Подольск", "Склад WB"),
    ("Коледино", "Склад WB"),
    ("Электросталь", "Склад WB"),
    ("Казань", "Склад WB"),
    ("Краснодар", "Склад WB"),
    ("Новосибирск", "Склад WB"),
    ("Екатеринбург", "Склад WB"),
    ("Склад поставщика", "Склад продавца"),
)
REGIONS = (
    ("Центральный федеральный округ", "Московская область"),
    ("Центральный федеральный округ", "Москва"),
    ("Северо-Западный федеральный округ", "Санкт-Петербург"),
    ("Приволжский федеральный округ", "Республика Татарстан"),
    ("Южный федеральный округ", "Краснодарский край"),
    ("Сибирский федеральный округ", "Новосибирская область"),
    ("Уральский федеральный округ", "Свердловская область"),
)
GOODS = (
    ("Бытовая техника", "Мультистайлеры", "Тест"),
    ("Одежда", "Платья", "Весна и лето"),
    ("Обувь", "Кроссовки", "Бегущий человек"),
    ("Дом", "Постельное белье", "Уютный дом"),
    ("Красота", "Кремы для лица", "Чистая линия"),
    ("Детям", "Конструкторы", "Умелые руки"),
)


def parse_size(text: str) -> int:
    """Read ``250k``, ``1M`` or ``1000`` as a number of rows."""
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1].lower(), 1)
    digits = text[:-1] if factor > 1 else text
    try:
        return int(float(digits) * factor)
    except ValueError:
        msg = f"not a number of rows: {text!r} (write 250k, 1M or 1000)"
        raise argparse.ArgumentTypeError(msg) from None


def order_row(number: int, rng: random.Random, start: datetime) -> dict[str, Any]:
    """One ``supplier/orders`` row with every field of the API's example."""
    ordered = start + timedelta(seconds=number * 7 + rng.randrange(7))
    changed = ordered + timedelta(hours=rng.randrange(1, 72))
    warehouse, warehouse_type = rng.choice(WAREHOUSES)
    okrug, region = rng.choice(REGIONS)
    category, subject, brand = rng.choice(GOODS)
    cancelled = rng.random() < 0.12  # about one order in eight is cancelled
    total = rng.randrange(300, 9000)
    discount = rng.randrange(0, 60)
    spp = rng.randrange(0, 30)
    with_discount = round(total * (100 - discount) / 100, 2)
    return {
        "date": ordered.isoformat(),
        "lastChangeDate": changed.isoformat(),
        "warehouseName": warehouse,
        "warehouseType": warehouse_type,
        "countryName": "Россия",
        "oblastOkrugName": okrug,
        "regionName": region,
        "supplierArticle": f"арт-{rng.randrange(10_000, 99_999)}",
        "nmId": rng.randrange(10_000_000, 300_000_000),
        "barcode": f"{rng.randrange(2_000_000_000_000, 2_999_999_999_999)}",
        "category": category,
        "subject": subject,
        "brand": brand,
        "techSize": rng.choice(("0", "42", "44", "46", "S", "M", "L")),
        "incomeID": rng.randrange(10_000_000, 99_999_999),
        "isSupply": False,
        "isRealization": True,
        "totalPrice": total,
        "discountPercent": discount,
        "spp": spp,
        "finishedPrice": round(with_discount * (100 - spp) / 100, 2),
        "priceWithDisc": with_discount,
        "isCancel": cancelled,
        "cancelDate": (changed.isoformat() if cancelled else "0001-01-01T00:00:00"),
        "sticker": f"{rng.randrange(10**8, 10**10)}",
        "gNumber": f"{rng.randrange(10**19, 10**20)}",
        "srid": f"{rng.randrange(10, 99)}.r{rng.getrandbits(128):032x}.{number % 10}.0",
    }


def pages_folder_once(name: str, write: Callable[[Path], None]) -> Path:
    """The folder of pages ``results/NAME``, filled by `write` the first time it is asked for.

    A mark beside it (``NAME.done``), made once `write` is done, says the pages are whole:
    a run stopped while writing them writes them again.
    """
    folder = RESULTS / name
    done = RESULTS / f"{name}.done"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    print(f"writing {folder} ...", file=sys.stderr, flush=True)
    write(folder)
    done.write_text("")
    return folder


def orders_file(rows: int) -> Path:
    """The ``supplier/orders`` file of `rows` rows, written the first time it is asked for."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"wb-orders-{rows}.json"
    if path.exists():
        return path
    print(f"writing {path} ...", file=sys.stderr, flush=True)
    rng = random.Random(rows)  # noqa: S311 - made-up rows, the same for each size
    start = datetime(2025, 1, 1)  # noqa: DTZ001 - Wildberries writes naive Moscow time
    partial = path.with_suffix(".part")
    with partial.open("w", encoding="utf-8") as out:
        out.write("[")
        for number in range(rows):
            if number:
                out.write(",")
            out.write(
                json.dumps(order_row(number, rng, start), ensure_ascii=False, separators=(",", ":"))
            )
        out.write("]")
    partial.replace(path)
    return path


def _resident_bytes() -> int:
    """Resident memory now, once freed memory is given back to the system where it can be."""
    gc.collect()
    libc_name = ctypes.util.find_library("c")
    if libc_name is not None:
        trim = getattr(ctypes.CDLL(libc_name), "malloc_trim", None)
        if trim is not None:
            trim(0)
    with Path("/proc/self/statm").open() as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def peak_mb() -> float:
    """This process's peak resident memory so far (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measured_apart(script: str, *arguments: str) -> dict[str, Any]:
    """Run ``script measure ARGUMENTS...`` in a fresh Python; return what it printed last.

    The scripts that time a reading in a process of its own print its figures as one line
    of JSON, last.
    """
    done = subprocess.run(  # noqa: S603 - a benchmark script of ours, run again
        [sys.executable, script, "measure", *arguments],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _without_msgspec() -> None:
    """Read as if the ``fast`` extra were not installed: the standard library parses JSON."""
    from redemption.io import limits  # noqa: PLC0415 - the library measured, imported late

    if hasattr(limits, "_batch_reader"):
        limits._batch_reader = lambda _fields: None  # type: ignore[assignment] # noqa: SLF001


def measure(path: Path, *, stdlib: bool = False) -> dict[str, Any]:
    """Read `path` as ``supplier/orders`` in this process; return what it took."""
    import redemption  # noqa: PLC0415 - imported here, so the baseline holds the library
    from redemption.io import read_wildberries_statistics  # noqa: PLC0415

    if stdlib:
        _without_msgspec()
    before = _resident_bytes()
    started = time.perf_counter()
    history, report = read_wildberries_statistics(orders=path)
    seconds = time.perf_counter() - started
    after = _resident_bytes()
    return {
        "rows": report.rows_read,
        "orders": len(history.orders),
        "seconds": seconds,
        "peak_mb": _peak_bytes() / 2**20,
        "resident_mb": (after - before) / 2**20,
        "file_mb": path.stat().st_size / 2**20,
        "library": str(Path(redemption.__file__).parent),
    }


def measure_history(path: Path, *, stdlib: bool = False) -> dict[str, Any]:
    """Read `path` under `tracemalloc`; return the bytes the `History` and its report hold."""
    from redemption.io import read_wildberries_statistics  # noqa: PLC0415

    if stdlib:
        _without_msgspec()
    tracemalloc.start()
    history, report = read_wildberries_statistics(orders=path)
    gc.collect()
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"history_mb": held / 2**20, "orders": len(history.orders), "rows": report.rows_read}


def measure_in_subprocess(
    path: Path, *, source: Path | None = None, stdlib: bool = False
) -> dict[str, Any]:
    """Run `measure`, then `measure_history`, each in a fresh Python starting from nothing.

    With `source`, the library is the one in that ``src`` folder.
    """
    environment = dict(os.environ)
    if source is not None:
        environment["PYTHONPATH"] = os.pathsep.join(
            [str(source), *filter(None, [environment.get("PYTHONPATH")])]
        )
    result: dict[str, Any] = {}
    for command in ("measure", "history"):
        done = subprocess.run(  # noqa: S603 - this script, on the file it wrote
            [sys.executable, __file__, command, str(path), *(["--stdlib"] if stdlib else [])],
            check=True,
            capture_output=True,
            text=True,
            env=environment,
        )
        result.update(json.loads(done.stdout))
    return result


SPEED_UP = 3.0
"""The target: at 1M rows, at least three times as many rows a second as before."""
PEAK_OVER_HISTORY = 1.5
"""The target: a peak within 1.5 times the memory the `History` itself holds."""


def _verdict(met: bool, by: str) -> str:  # noqa: FBT001 - a yes or no, said
    return f"met ({by})" if met else f"missed ({by})"


def table(results: dict[tuple[int, str], dict[str, Any]]) -> str:
    """The figures as a Markdown table, each target beside the 1M rows."""
    lines = [
        (
            "| rows | library | seconds | rows/s | speed-up | peak RSS MB | History MB (traced) "
            "| peak / History | peak MB / 1k rows | History MB / 1k rows | resident after MB "
            "| target: 3x rows/s | target: peak <= 1.5 x History |"
        ),
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    order = {"before": 0, "after": 1}
    for (rows, variant), got in sorted(
        results.items(), key=lambda item: (item[0][0], order.get(item[0][1], 2))
    ):
        per_k = 1000 / got["rows"] if got["rows"] else 0.0
        rate = got["rows"] / got["seconds"]
        before = results.get((rows, "before"))
        speed_up = rate / (before["rows"] / before["seconds"]) if before else None
        ratio = got["peak_mb"] / got["history_mb"]
        speed_target = memory_target = ""
        if rows == TARGET_ROWS and variant != "before":
            if speed_up is not None:
                speed_target = _verdict(
                    speed_up >= SPEED_UP, f"{speed_up / SPEED_UP - 1:+.0%} against 3x"
                )
            memory_target = _verdict(
                ratio <= PEAK_OVER_HISTORY,
                f"{got['peak_mb'] - PEAK_OVER_HISTORY * got['history_mb']:+,.0f} MB against 1.5x",
            )
        shown_speed_up = "" if speed_up is None or variant == "before" else f"{speed_up:.2f}x"
        lines.append(
            f"| {got['rows']:,} | {variant} | {got['seconds']:.1f} | {rate:,.0f} "
            f"| {shown_speed_up} | {got['peak_mb']:,.0f} | {got['history_mb']:,.0f} "
            f"| {ratio:.2f} | {got['peak_mb'] * per_k:.2f} | {got['history_mb'] * per_k:.3f} "
            f"| {got['resident_mb']:,.0f} | {speed_target} | {memory_target} |"
        )
    return "\n".join(lines)


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command")
    for command in ("measure", "history"):
        inner = commands.add_parser(command, help="read one file in this process (internal)")
        inner.add_argument("path", type=Path)
        inner.add_argument("--stdlib", action="store_true")
    parser.add_argument(
        "--sizes",
        nargs="+",
        type=parse_size,
        default=[250_000, 500_000, 1_000_000],
        metavar="N",
        help="rows of each file: 250k, 1M, ... (default: 250k 500k 1M)",
    )
    parser.add_argument(
        "--before",
        type=Path,
        metavar="SRC",
        help="the src folder of the library before a change: read each file with it too",
    )
    parser.add_argument(
        "--stdlib",
        action="store_true",
        help="read each file without msgspec too (the standard library's JSON parser)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Write the files, read each in a fresh process, and print the table."""
    args = arguments(argv)
    if args.command == "measure":
        print(json.dumps(measure(args.path, stdlib=args.stdlib)))
        return 0
    if args.command == "history":
        print(json.dumps(measure_history(args.path, stdlib=args.stdlib)))
        return 0
    print(f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}")
    results: dict[tuple[int, str], dict[str, Any]] = {}
    for rows in sorted(set(args.sizes)):
        path = orders_file(rows)
        print(f"reading {rows:,} rows ...", file=sys.stderr, flush=True)
        if args.before is not None:
            results[rows, "before"] = measure_in_subprocess(path, source=args.before)
        results[rows, "after"] = measure_in_subprocess(path)
        if args.stdlib:
            results[rows, "after, no msgspec"] = measure_in_subprocess(path, stdlib=True)
    for variant in sorted({variant for _, variant in results}):
        library = next(got["library"] for (_, v), got in results.items() if v == variant)
        print(f"{variant}: {library}")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
