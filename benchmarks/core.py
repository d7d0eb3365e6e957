"""Speed and memory of the core, beside the hand-written pure-Python reference.

Run it from the repository root (the `bench` extra gives numpy and pyarrow)::

    .venv/bin/python benchmarks/core.py                 # 100k and 1M orders, a few minutes
    .venv/bin/python benchmarks/core.py --sizes 100k    # a quick run

It builds the synthetic order lines of the reference benchmark in memory
(`../shared/reference-bench/gen.py`, same seed; set ``REDEMPTION_REFERENCE_BENCH`` to
another folder holding `gen.py` and `impls.py`), and times on the same data:

* building the records: the reference's `impls.Order` objects (`python`), and our `Order`,
  `Sale` and `Return` records;
* `History(...)` from the records already built;
* `redemption_rates(history, period, today=..., by="sku")` beside the reference's per-SKU
  report, for the period 17-30 April 2025 as of 30 April 2025, checking that every figure is
  identical (the script exits with status 1 if one is not);
* `ransom_amounts(history, today=...)` and `buyer_reports(history, today=...)` beside the
  reference's per-buyer ransom amount, checking that every amount is identical; and each of
  them as the first buyer figure of a new `History` (which numbers its buyers, kept for the
  later calls), on a copy made untimed by `history.cut(TODAY)`;
* traced memory (`tracemalloc`) of the 1M `History` and of the reference's records, each in a
  fresh subprocess (``core.py memory --side ours --n 1000000``).

It prints the machine, the package versions, a Markdown table, and whether each target of
`docs/benchmarks.md` is met.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from redemption import (
    BuyerReport,
    History,
    Order,
    Period,
    RateReport,
    Return,
    Sale,
    buyer_reports,
    ransom_amounts,
    redemption_rate,
    redemption_rates,
)

START, END, TODAY = date(2025, 4, 17), date(2025, 4, 30), date(2025, 4, 30)
SELLERS = 50
MiB = 2**20
_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)
_REPS = {  # repetitions at (100k, 1M); the median is reported
    "build": (5, 3),
    "history": (9, 3),
    "report": (7, 5),
    "ransom": (7, 5),
}


class Column(Protocol):
    """The part of a pyarrow column the benchmark uses."""

    def cast(self, target_type: Any) -> Column:  # noqa: ANN401 - pyarrow is untyped
        """Return the column converted to `target_type`."""

    def to_pylist(self) -> list[Any]:
        """Return the column's values as Python objects."""


class Table(Protocol):
    """The part of a pyarrow table the benchmark uses."""

    def column(self, name: str) -> Column:
        """Return the column called `name`."""


# One row per SKU, reference and ours alike: orders, sales, returns, in transit, two rates.
Row = tuple[int, int, int, int, float | None, float | None]


def reference_dir() -> Path:
    """Return the folder of the reference benchmark (`gen.py`, `impls.py`)."""
    override = os.environ.get("REDEMPTION_REFERENCE_BENCH")
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parents[2] / "shared" / "reference-bench"


def reference_modules() -> tuple[ModuleType, ModuleType]:
    """Import the reference's `gen` and `impls` from its folder."""
    folder = str(reference_dir())
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module("gen"), importlib.import_module("impls")


GEN, IMPLS = reference_modules()


# ------------------------------------------------------------------------------------------
# timing
# ------------------------------------------------------------------------------------------
class GcClock:
    """Seconds spent in the cyclic GC, counted through `gc.callbacks`."""

    def __init__(self) -> None:
        """Start at zero; `install` starts counting."""
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        """Add the time between a collection's start and its stop."""
        del info
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started

    def install(self) -> None:
        """Count every collection from now on."""
        if self not in gc.callbacks:
            gc.callbacks.append(self)


GC_CLOCK = GcClock()


@dataclass(frozen=True, slots=True)
class Sample:
    """The median wall time of some repetitions, and the median time the GC took in them."""

    seconds: float
    gc: float


def once(call: Callable[[], object]) -> tuple[float, float]:
    """Time one call, and the part of it the GC took; free its result before returning.

    The GC runs in full before the clock starts, and stays on while `call` runs, as it
    would in a library.
    """
    gc.collect()
    gc_before = GC_CLOCK.seconds
    start = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - start
    in_gc = GC_CLOCK.seconds - gc_before
    del result
    return seconds, in_gc


def interleaved(calls: dict[int, Callable[[], object]], kind: str) -> dict[int, Sample]:
    """Time each size's call several times, taking the sizes in turn; return the medians.

    Taking turns lets every size see the shared machine in the same state, which is what
    the 1M / 100k ratios need. No result is kept, so none weighs on the next call's GC.
    """
    samples: dict[int, list[tuple[float, float]]] = {n: [] for n in calls}
    for rep in range(max(reps(kind, n) for n in calls)):
        for n, call in calls.items():
            if rep < reps(kind, n):
                samples[n].append(once(call))
    return {
        n: Sample(
            statistics.median(seconds for seconds, _ in taken),
            statistics.median(in_gc for _, in_gc in taken),
        )
        for n, taken in samples.items()
    }


def progress(message: str) -> None:
    """Say what the benchmark is doing, on stderr."""
    print(f"[core.py] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------
# the reference side
# ------------------------------------------------------------------------------------------
def reference_columns(table: Table) -> list[list[Any]]:
    """Convert the table's columns to Python values, as `impls.PurePython.load` does."""
    return [IMPLS._to_py(table.column(name)) for name in IMPLS.COLS]  # noqa: SLF001


def build_reference(columns: list[list[Any]]) -> list[Any]:
    """Build the reference's records: one `impls.Order` per row (timed)."""
    return [IMPLS.Order(*row) for row in zip(*columns, strict=True)]


def reference_params() -> object:
    """Return the reference's parameters for the period and `today` of the benchmark."""
    return IMPLS.make_params(START, END, TODAY)


def reference_report(records: list[Any], params: object) -> tuple[dict[int, Row], Row]:
    """Run the reference's per-SKU report (timed)."""
    rows, totals = IMPLS.PurePython.report(records, params)
    return rows, totals


def reference_ransom(records: list[Any], params: object) -> dict[int, int]:
    """Run the reference's per-buyer ransom amount, in kopecks (timed)."""
    amounts: dict[int, int] = IMPLS.PurePython.ransom(records, params)
    return amounts


# ------------------------------------------------------------------------------------------
# our side
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Inputs:
    """Plain Python values for our records, as an importer would hand them over.

    The lists of `orders` are columns in the order of `Order`'s arguments; `sales` and
    `returns` hold the order ids and instants of the rows that have a sale or a return.
    """

    orders: tuple[
        list[str],
        list[str],
        list[str],
        list[Decimal],
        list[datetime],
        list[str],
        list[datetime | None],
    ]
    sales: tuple[list[str], list[datetime]]
    returns: tuple[list[str], list[datetime]]


def instants(column: Column) -> list[datetime | None]:
    """Return a timestamp column as aware datetimes in `datetime.UTC`, or None."""
    import pyarrow as pa  # noqa: PLC0415 - only the benchmark needs pyarrow

    epoch, step = _EPOCH_UTC, timedelta
    values = column.cast(pa.int64()).to_pylist()
    return [None if x is None else epoch + step(microseconds=x) for x in values]


def shared_strings(values: list[int], name: Callable[[int], str]) -> list[str]:
    """Name each value, sharing one string object per distinct value as an importer would."""
    cache: dict[int, str] = {}
    out: list[str] = []
    for value in values:
        text = cache.get(value)
        if text is None:
            text = cache[value] = name(value)
        out.append(text)
    return out


def present(ids: list[str], at: list[datetime | None]) -> tuple[list[str], list[datetime]]:
    """Keep the order ids and instants of the rows where the instant is given."""
    pairs = [(i, t) for i, t in zip(ids, at, strict=True) if t is not None]
    return [i for i, _ in pairs], [t for _, t in pairs]


def our_inputs(table: Table) -> Inputs:
    """Prepare the values of our records from the table (not timed).

    Ids are strings: the order id once per row, shared by its order, sale and return; one
    string per distinct SKU, buyer and seller. Prices are `Decimal` roubles; timestamps are
    aware datetimes in `datetime.UTC`.
    """
    ids = [str(x) for x in table.column("order_id").to_pylist()]
    sku_ints = table.column("sku").to_pylist()
    skus = shared_strings(sku_ints, str)
    sellers = shared_strings([x % SELLERS for x in sku_ints], lambda x: f"seller-{x}")
    buyers = shared_strings(table.column("buyer_id").to_pylist(), str)
    prices = [Decimal(x).scaleb(-2) for x in table.column("price").to_pylist()]
    ordered_at = [x for x in instants(table.column("ordered_at")) if x is not None]
    cancelled_at = instants(table.column("cancelled_at"))
    sales = present(ids, instants(table.column("sold_at")))
    returns = present(ids, instants(table.column("returned_at")))
    columns = (ids, sellers, skus, prices, ordered_at, buyers, cancelled_at)
    return Inputs(orders=columns, sales=sales, returns=returns)


Records = tuple[list[Order], list[Sale], list[Return]]


def build_ours(inputs: Inputs) -> Records:
    """Build our `Order`, `Sale` and `Return` records (timed)."""
    orders = [
        Order(
            order_id=i,
            seller_id=s,
            sku=k,
            price=p,
            ordered_at=o,
            buyer_id=b,
            cancelled_at=c,
        )
        for i, s, k, p, o, b, c in zip(*inputs.orders, strict=True)
    ]
    sales = [Sale(order_id=i, sold_at=t) for i, t in zip(*inputs.sales, strict=True)]
    returns = [Return(order_id=i, returned_at=t) for i, t in zip(*inputs.returns, strict=True)]
    return orders, sales, returns


def build_history(records: Records) -> History:
    """Build the `History` from records already built (timed)."""
    orders, sales, returns = records
    return History(orders=orders, sales=sales, returns=returns)


PERIOD = Period(START, END)


def our_report(history: History) -> dict[str, RateReport]:
    """Run our per-SKU redemption rates (timed)."""
    return redemption_rates(history, PERIOD, today=TODAY, by="sku")


def our_ransom(history: History) -> dict[str, Decimal]:
    """Run our ransom amount of every buyer (timed)."""
    return ransom_amounts(history, today=TODAY)


def our_buyers(history: History) -> dict[str, BuyerReport]:
    """Run our redemption percentage of every buyer (timed)."""
    return buyer_reports(history, today=TODAY)


def as_row(report: RateReport) -> Row:
    """Return our report in the reference's terms: counts, and rates as floats or None."""
    rate, with_returns = report.rate, report.rate_with_returns
    return (
        report.orders,
        report.sales,
        report.returns,
        report.in_transit,
        None if rate is None else float(rate),
        None if with_returns is None else float(with_returns),
    )


# ------------------------------------------------------------------------------------------
# comparison
# ------------------------------------------------------------------------------------------
def differences(
    reference: tuple[dict[int, Row], Row],
    ours: dict[str, RateReport],
    totals: RateReport,
) -> list[str]:
    """List every figure that differs between the reference's report and ours."""
    ref_rows, ref_totals = reference
    mine = {int(sku): as_row(report) for sku, report in ours.items()}
    found = [f"SKU {sku}: reference has no row" for sku in sorted(mine.keys() - ref_rows.keys())]
    found += [f"SKU {sku}: we have no row" for sku in sorted(ref_rows.keys() - mine.keys())]
    found += [
        f"SKU {sku}: reference {ref_rows[sku]}, ours {mine[sku]}"
        for sku in sorted(mine.keys() & ref_rows.keys())
        if tuple(ref_rows[sku]) != mine[sku]
    ]
    if tuple(ref_totals) != as_row(totals) or totals.unmatched != 0:
        found.append(f"totals: reference {ref_totals}, ours {as_row(totals)}, {totals.unmatched=}")
    return found


def ransom_differences(reference: dict[int, int], ours: dict[str, Decimal]) -> list[str]:
    """List every buyer whose amount differs, ours in kopecks beside the reference's."""
    mine = {int(buyer): int(amount * 100) for buyer, amount in ours.items()}
    return [
        f"buyer {buyer}: reference {reference.get(buyer)} kopecks, ours {mine.get(buyer)}"
        for buyer in sorted(reference.keys() | mine.keys())
        if reference.get(buyer) != mine.get(buyer)
    ]


# ------------------------------------------------------------------------------------------
# every size, in this process
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Timings:
    """The median times at one size, in seconds, and what was compared."""

    n: int
    reference_build: Sample
    reference_report: Sample
    our_build: Sample
    our_history: Sample
    our_report: Sample
    reference_ransom: Sample
    our_ransom: Sample
    our_buyers: Sample
    our_ransom_first: Sample
    our_buyers_first: Sample
    skus: int
    buyers: int
    differences: list[str]


def reps(kind: str, n: int) -> int:
    """Return how many times to repeat a measurement at size `n`."""
    small, large = _REPS[kind]
    return small if n < 1_000_000 else large


ReferenceResult = tuple[dict[int, Row], Row]


def build_reference_records(
    tables: dict[int, Table],
) -> tuple[dict[int, Sample], dict[int, list[Any]]]:
    """Time building the reference's records at every size; keep one set of them."""
    progress("reference: records")
    columns = {n: reference_columns(table) for n, table in tables.items()}
    builds = interleaved({n: partial(build_reference, c) for n, c in columns.items()}, "build")
    records = {n: build_reference(c) for n, c in columns.items()}
    return builds, records


def build_our_histories(
    tables: dict[int, Table],
) -> tuple[dict[int, Sample], dict[int, Sample], dict[int, History]]:
    """Time building our records and `History` at every size; keep one `History` of each."""
    progress("ours: records")
    inputs = {n: our_inputs(table) for n, table in tables.items()}
    builds = interleaved({n: partial(build_ours, i) for n, i in inputs.items()}, "build")
    records = {n: build_ours(i) for n, i in inputs.items()}
    del inputs
    progress("ours: History")
    histories = interleaved({n: partial(build_history, r) for n, r in records.items()}, "history")
    return builds, histories, {n: build_history(r) for n, r in records.items()}


FIGURES = ("reference report", "our rates", "reference ransom", "our ransom", "our buyers")
"""The figures compared, timed in turn in every round so that each ratio is taken in the
same state of the shared machine."""


def figure_calls(
    records: list[Any], history: History, params: object
) -> dict[str, Callable[[], object]]:
    """Return the call that computes each figure at one size."""
    return {
        "reference report": partial(reference_report, records, params),
        "our rates": partial(our_report, history),
        "reference ransom": partial(reference_ransom, records, params),
        "our ransom": partial(our_ransom, history),
        "our buyers": partial(our_buyers, history),
    }


def time_figures(
    records: dict[int, list[Any]], histories: dict[int, History]
) -> dict[tuple[str, int], Sample]:
    """Time every figure at every size, all taking turns in each round; return the medians."""
    progress("figures: report, rates, ransom amounts, buyer reports, in turn")
    params = reference_params()
    calls = {
        (name, n): call
        for n in sorted(records)
        for name, call in figure_calls(records[n], histories[n], params).items()
    }
    for call in calls.values():  # a warm-up call of each
        once(call)
    kind = {
        name: "ransom" if "ransom" in name or "buyers" in name else "report" for name in FIGURES
    }
    samples: dict[tuple[str, int], list[tuple[float, float]]] = {key: [] for key in calls}
    for rep in range(max(reps(kind[name], n) for name, n in calls)):
        for (name, n), call in calls.items():
            if rep < reps(kind[name], n):
                samples[name, n].append(once(call))
    return {
        key: Sample(
            statistics.median(seconds for seconds, _ in taken),
            statistics.median(in_gc for _, in_gc in taken),
        )
        for key, taken in samples.items()
    }


FIRST_CALLS = 3
"""How many first calls of each buyer figure are timed at each size, each on a new History."""


def time_first_calls(history: History) -> tuple[Sample, Sample]:
    """Time `ransom_amounts` and `buyer_reports`, each the first buyer figure of a History.

    The first buyer figure asked of a `History` numbers its buyers
    (`OrderLines.buyer_numbers`) and keeps the numbers for the later ones; the medians of
    `time_figures` are of later calls. Each call here is on a new copy of the history
    (`history.cut(TODAY)`, which keeps every record of this data), made untimed.
    """
    progress(f"{len(history.orders):,}: first calls of the buyer figures, each on a new History")
    taken: dict[str, list[tuple[float, float]]] = {"ransom": [], "buyers": []}
    for _ in range(FIRST_CALLS):
        for name, figure in (("ransom", our_ransom), ("buyers", our_buyers)):
            fresh = history.cut(TODAY)
            taken[name].append(once(partial(figure, fresh)))
            del fresh
    ransom, buyers = (
        Sample(
            statistics.median(seconds for seconds, _ in samples),
            statistics.median(in_gc for _, in_gc in samples),
        )
        for samples in taken.values()
    )
    return ransom, buyers


def time_sizes(sizes: Sequence[int]) -> dict[int, Timings]:
    """Measure both sides at every size in this process, and compare every figure."""
    progress(f"generating {', '.join(f'{n:,}' for n in sizes)} order lines")
    tables: dict[int, Table] = {n: GEN.generate(n) for n in sizes}
    reference_builds, records = build_reference_records(tables)
    our_builds, our_history_builds, histories = build_our_histories(tables)
    del tables
    figures = time_figures(records, histories)
    first = {n: time_first_calls(histories[n]) for n in sizes}
    params = reference_params()
    timings: dict[int, Timings] = {}
    for n in sizes:
        history = histories[n]
        ours = our_report(history)
        amounts = our_ransom(history)
        timings[n] = Timings(
            n=n,
            reference_build=reference_builds[n],
            reference_report=figures["reference report", n],
            our_build=our_builds[n],
            our_history=our_history_builds[n],
            our_report=figures["our rates", n],
            reference_ransom=figures["reference ransom", n],
            our_ransom=figures["our ransom", n],
            our_buyers=figures["our buyers", n],
            our_ransom_first=first[n][0],
            our_buyers_first=first[n][1],
            skus=len(ours),
            buyers=len(amounts),
            differences=[
                *differences(
                    reference_report(records[n], params),
                    ours,
                    redemption_rate(history, PERIOD, today=TODAY),
                ),
                *ransom_differences(reference_ransom(records[n], params), amounts),
            ],
        )
    return timings


# ------------------------------------------------------------------------------------------
# memory, in a fresh subprocess
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Memory:
    """Traced bytes kept once built and at the peak of building, and the process's VmHWM."""

    retained: int
    peak: int
    vm_hwm: int


def vm_hwm() -> int:
    """Return this process's peak resident set size (VmHWM), in bytes."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def traced(build: Callable[[], object]) -> Memory:
    """Trace the memory of `build`, keeping what it returns; report it after a full GC."""
    gc.collect()
    tracemalloc.start()
    kept = build()
    gc.collect()
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    return Memory(retained=retained, peak=peak, vm_hwm=vm_hwm())


def reference_memory(table: Table) -> object:
    """Build the reference's records from the table; keep only the list of records."""
    columns = reference_columns(table)
    records = build_reference(columns)
    del columns
    return records


def our_memory(table: Table) -> object:
    """Build our inputs, records and `History`; keep only the `History`."""
    inputs = our_inputs(table)
    records = build_ours(inputs)
    del inputs
    return build_history(records)


def memory_here(side: str, n: int) -> Memory:
    """Measure the memory of one side at `n` orders in this process."""
    table = GEN.generate(n)
    build = reference_memory if side == "reference" else our_memory
    return traced(lambda: build(table))


def memory_in_subprocess(side: str, n: int) -> Memory:
    """Measure the memory of one side at `n` orders in a fresh Python process."""
    progress(f"{n:,}: memory of {side}, in a subprocess")
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "memory",
        "--side",
        side,
        "--n",
        str(n),
    ]
    done = subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return Memory(**figures)


# ------------------------------------------------------------------------------------------
# the report
# ------------------------------------------------------------------------------------------
def package_version(name: str) -> str:
    """Return an installed distribution's version, or say it is missing."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine() -> list[str]:
    """Describe the machine and the software the figures come from."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    packages = ("redemption", "attrs", "python-dateutil", "tzdata", "numpy", "pyarrow")
    return [
        f"Machine: {os.cpu_count()} CPUs, {cpu}, {platform.system()} {platform.release()}.",
        f"Python {platform.python_version()} ({platform.python_implementation()}).",
        "Packages: " + ", ".join(f"{name} {package_version(name)}" for name in packages) + ".",
    ]


def calibrate() -> list[str]:
    """Time the reference's fixed calibration work, to compare this machine with its run."""
    try:
        bench = importlib.import_module("bench")
    except ImportError:
        return []
    figures = bench.calibrate()
    loop, numpy_sum = figures["calib_python_loop_s"], figures["calib_numpy_sum512MB_s"]
    text = f"Calibration (the reference's `bench.calibrate()`): python loop {loop:.3f} s, "
    return [f"{text}numpy sum of 512 MB {numpy_sum * 1000:.1f} ms (its run B: 0.21 s, 18 ms)."]


def size_name(n: int) -> str:
    """Write 100000 as 100k and 1000000 as 1M."""
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def with_gc(sample: Sample, digits: int = 3) -> str:
    """Write a time and, in brackets, the part of it the GC took."""
    return f"{sample.seconds:.{digits}f} ({sample.gc:.{digits}f})"


def time_table(timings: Sequence[Timings]) -> list[str]:
    """Tabulate the median times, in seconds, with the GC's part in brackets."""
    lines = [
        (
            "| N | reference records s (GC) | our records s (GC) | our History s (GC) "
            "| reference report s | our rates s | rates / report | SKUs | identical |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|:-:|",
    ]
    lines += [
        f"| {size_name(t.n)} | {with_gc(t.reference_build)} | {with_gc(t.our_build)} | "
        f"{with_gc(t.our_history)} | {t.reference_report.seconds:.4f} | "
        f"{t.our_report.seconds:.4f} | {t.our_report.seconds / t.reference_report.seconds:.2f}x "
        f"| {t.skus:,} | {'no' if t.differences else 'yes'} |"
        for t in timings
    ]
    return lines


def buyer_table(timings: Sequence[Timings]) -> list[str]:
    """Tabulate the median times of the buyer figures, in seconds, with the GC's part."""
    lines = [
        (
            "| N | buyers | reference ransom s | our ransom_amounts s (GC) | ratio "
            "| our buyer_reports s (GC) | buyer_reports / ransom_amounts "
            "| first ransom_amounts s (ratio) | first buyer_reports s |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {size_name(t.n)} | {t.buyers:,} | {t.reference_ransom.seconds:.3f} | "
        f"{with_gc(t.our_ransom)} | {ratio(t.our_ransom, t.reference_ransom):.2f}x | "
        f"{with_gc(t.our_buyers)} | {ratio(t.our_buyers, t.our_ransom):.2f}x | "
        f"{t.our_ransom_first.seconds:.3f} "
        f"({ratio(t.our_ransom_first, t.reference_ransom):.2f}x) | "
        f"{t.our_buyers_first.seconds:.3f} |"
        for t in timings
    ]
    return lines


def memory_table(memory: dict[int, tuple[Memory, Memory]]) -> list[str]:
    """Tabulate traced memory, reference records beside our `History`, in MiB."""
    lines = [
        (
            "| N | reference retained MiB | our History retained MiB | ratio "
            "| reference peak MiB | our peak MiB | ratio | reference VmHWM MiB | our VmHWM MiB |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, (ref, ours) in sorted(memory.items()):
        lines.append(
            f"| {size_name(n)} | {ref.retained / MiB:.1f} | {ours.retained / MiB:.1f} | "
            f"{ours.retained / ref.retained:.2f}x | {ref.peak / MiB:.1f} | "
            f"{ours.peak / MiB:.1f} | {ours.peak / ref.peak:.2f}x | "
            f"{ref.vm_hwm / MiB:.0f} | {ours.vm_hwm / MiB:.0f} |"
        )
    return lines


def verdict(name: str, measured: float, limit: float, unit: str = "x") -> tuple[str, bool]:
    """Say whether `measured` is within `limit`, and by how much it is over or under."""
    met = measured <= limit
    margin = abs(measured / limit - 1) * 100
    how = f"met ({margin:.0f}% under)" if met else f"missed ({margin:.0f}% over)"
    return f"- {name}: {measured:.2f}{unit}, limit {limit:g}{unit}: {how}.", met


def ratio(large: Sample, small: Sample) -> float:
    """Return how many times longer `large` took than `small`."""
    return large.seconds / small.seconds


def targets(
    timings: dict[int, Timings], memory: dict[int, tuple[Memory, Memory]]
) -> list[tuple[str, bool]]:
    """Judge each target that the sizes measured allow."""
    out: list[tuple[str, bool]] = []
    small, large = timings.get(100_000), timings.get(1_000_000)
    if small and large:
        out.append(
            verdict("our records, 1M / 100k time", ratio(large.our_build, small.our_build), 12)
        )
        out.append(
            verdict("our History, 1M / 100k time", ratio(large.our_history, small.our_history), 12)
        )
    if large:
        out.append(
            verdict("our History / our records at 1M", ratio(large.our_history, large.our_build), 1)
        )
        out.append(
            verdict(
                "our rates / reference report at 1M",
                ratio(large.our_report, large.reference_report),
                2,
            )
        )
        out.append(
            verdict(
                "our ransom_amounts / reference ransom at 1M",
                ratio(large.our_ransom, large.reference_ransom),
                1.25,
            )
        )
        out.append(
            verdict(
                "our buyer_reports / our ransom_amounts at 1M",
                ratio(large.our_buyers, large.our_ransom),
                1,
            )
        )
    if small and large:
        for name, kind in (("ransom_amounts", "our_ransom"), ("buyer_reports", "our_buyers")):
            big, little = getattr(large, kind), getattr(small, kind)
            out.append(verdict(f"our {name}, 1M / 100k time", ratio(big, little), 12))
    for t in timings.values():
        same = not t.differences
        state = "met" if same else f"missed ({len(t.differences)} differences)"
        out.append((f"- identical results at {size_name(t.n)}: {state}.", same))
    if 1_000_000 in memory:
        ref, ours = memory[1_000_000]
        out.append(
            verdict("peak memory, our 1M History / reference records", ours.peak / ref.peak, 1.5)
        )
        out.append(
            verdict(
                "retained memory, our 1M History / reference records",
                ours.retained / ref.retained,
                1.5,
            )
        )
    return out


def without_gc(large: Sample, small: Sample) -> float:
    """Return the 1M / 100k ratio of the time outside the GC."""
    return (large.seconds - large.gc) / (small.seconds - small.gc)


def informative(timings: dict[int, Timings]) -> list[str]:
    """Figures beside the targets: how the reference scales, and the scaling outside the GC."""
    small, large = timings.get(100_000), timings.get(1_000_000)
    if not (small and large):
        return []
    ref_build = ratio(large.reference_build, small.reference_build)
    ref_build_no_gc = without_gc(large.reference_build, small.reference_build)
    ref_report = ratio(large.reference_report, small.reference_report)
    build_no_gc = without_gc(large.our_build, small.our_build)
    history_no_gc = without_gc(large.our_history, small.our_history)
    return [
        "For information, 1M / 100k time:",
        f"- reference records {ref_build:.2f}x ({ref_build_no_gc:.2f}x outside the GC);",
        f"- reference report {ref_report:.2f}x;",
        f"- our records {build_no_gc:.2f}x and our History {history_no_gc:.2f}x outside the GC.",
    ]


# ------------------------------------------------------------------------------------------
# command line
# ------------------------------------------------------------------------------------------
def parse_size(text: str) -> int:
    """Read 100k, 1M or a plain number of orders."""
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    digits = text[:-1] if scale > 1 else text
    return int(digits) * scale


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("command", nargs="?", default="run", choices=["run", "memory"])
    parser.add_argument(
        "--sizes", nargs="+", type=parse_size, default=[100_000, 1_000_000], metavar="N"
    )
    parser.add_argument("--side", choices=["ours", "reference"], help="for `memory`")
    parser.add_argument("--n", type=parse_size, help="for `memory`")
    return parser.parse_args(argv)


def run(sizes: Sequence[int]) -> int:
    """Measure every size, print the report, and return the exit status."""
    started = time.perf_counter()
    calibration = calibrate()
    GC_CLOCK.install()
    timings = time_sizes(sorted(set(sizes)))
    gc.collect()
    memory = {
        n: (memory_in_subprocess("reference", n), memory_in_subprocess("ours", n))
        for n in sorted(timings)
    }
    verdicts = targets(timings, memory)
    lines = [
        *machine(),
        *calibration,
        f"Period {START:%d %b %Y}-{END:%d %b %Y}, today {TODAY:%d %b %Y}, zone Europe/Moscow.",
        "",
        *time_table(list(timings.values())),
        "",
        *buyer_table(list(timings.values())),
        "",
        *memory_table(memory),
        "",
        "Targets:",
        *(text for text, _ in verdicts),
        *informative(timings),
        "",
        f"Whole run: {time.perf_counter() - started:.0f} s.",
    ]
    print("\n".join(lines))
    for t in timings.values():
        for difference in t.differences[:20]:
            print(f"DIFFERENT at {size_name(t.n)}: {difference}")
    return 1 if any(t.differences for t in timings.values()) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, or measure one side's memory when asked to by `run`."""
    args = arguments(argv)
    if args.command == "memory":
        if args.side is None or args.n is None:
            progress("memory needs --side and --n")
            return 2
        figures = memory_here(args.side, args.n)
        print(
            json.dumps(
                {"retained": figures.retained, "peak": figures.peak, "vm_hwm": figures.vm_hwm}
            )
        )
        return 0
    return run(args.sizes)


if __name__ == "__main__":
    sys.exit(main())
