"""Speed of the refusal analysis on objects, beside the redemption rate it is made of.

Run it from the repository root (the `bench` extra gives numpy and pyarrow)::

    .venv/bin/python benchmarks/analysis.py               # 1M orders, about two minutes
    .venv/bin/python benchmarks/analysis.py --n 100000    # a quick run

It builds the synthetic order lines of the reference benchmark (as `benchmarks/core.py`
does: `../shared/reference-bench/gen.py`, same seed) into a `History`, and times, over the
two years of order days up to 30 April 2025 as of that day:

* ``redemption_rates(history, period, by="sku")``, the figure the analysis is made of;
* ``rate_series(history, freq="week")`` over the same days, whose target is at most the
  time of two ``redemption_rates`` calls;
* ``refusal_breakdown(history, period, by="sku")`` and ``outcome_counts(..., by="sku")``.

Each is timed in turn in every round (the median of the rounds is reported), and the
series' counts are checked against ``redemption_rate`` over the same orders.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from core import GEN, build_history, build_ours, machine, our_inputs
from redemption import Period, redemption_rate, redemption_rates
from redemption.analysis import outcome_counts, rate_series, refusal_breakdown

TODAY = date(2025, 4, 30)
START = date(2023, 5, 1)  # a Monday: the weeks of the series are whole
PERIOD = Period(START, TODAY)


def timed(call: Callable[[], object]) -> float:
    """Seconds one call takes."""
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="order lines (1000000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of timing (5)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Build the history, time each figure, check the series, print a table."""
    args = arguments(argv)
    history = build_history(build_ours(our_inputs(GEN.generate(args.n))))
    calls: dict[str, Callable[[], object]] = {
        "redemption_rates by sku": partial(redemption_rates, history, PERIOD, today=TODAY),
        "rate_series by week": partial(
            rate_series, history, start=START, end=TODAY, freq="week", today=TODAY
        ),
        "refusal_breakdown by sku": partial(
            refusal_breakdown, history, PERIOD, today=TODAY, by="sku"
        ),
        "outcome_counts by sku": partial(outcome_counts, history, PERIOD, today=TODAY, by="sku"),
    }
    seconds: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(args.rounds):
        for name, call in calls.items():
            seconds[name].append(timed(call))
    median = {name: statistics.median(values) for name, values in seconds.items()}
    (weeks,) = rate_series(history, start=START, end=TODAY, freq="week", today=TODAY).values()
    whole = redemption_rate(history, PERIOD, today=TODAY)
    placed = sum(p.orders + p.in_transit for p in weeks)
    same = placed == whole.orders + whole.in_transit
    rates = median["redemption_rates by sku"]
    series = median["rate_series by week"]
    lines = [
        *machine(),
        (
            f"{args.n:,} order lines; {len(history.orders):,} orders from {START} to {TODAY}, "
            f"{len(weeks)} weeks; median of {args.rounds} rounds."
        ),
        "",
        "| figure | seconds | against redemption_rates |",
        "| --- | ---: | ---: |",
        *(f"| {name} | {s:.3f} | {s / rates:.2f}x |" for name, s in median.items()),
        "",
        (
            f"rate_series by week against two redemption_rates calls: "
            f"{series / (2 * rates):.2f}x (target at most 1.00x): "
            f"{'met' if series <= 2 * rates else 'MISSED'}"
        ),
        (
            f"the weeks' orders add up to redemption_rate's over {PERIOD}: "
            f"{'yes' if same else 'NO'} ({placed:,} against {whole.orders + whole.in_transit:,})"
        ),
    ]
    print("\n".join(lines))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
