"""How close `projected_rate` comes to the eventual rate, beside the rate so far, on held-out days.

Run it from the repository root::

    .venv/bin/python benchmarks/projection.py                 # 400 SKUs, 120 days: 15 s
    .venv/bin/python benchmarks/projection.py --skus 100      # a quick run: 3 s

It builds a synthetic history (Moscow days, from 1 January 2025): each SKU has a known
probability of redemption, drawn uniformly from 20% to 95%, and a demand, a mean of 0.5 to 30
orders a day (log-uniform), with the day's orders drawn from a Poisson law. Each order is:

* sold, with its SKU's probability, after a lag of a lognormal number of days (median 4,
  sigma 0.6, at most 28): delivery, then the buyer's walk to the pick-up point;
* or cancelled: three in ten by the buyer within hours (exponential, mean 6 hours), the
  rest refused at the pick-up point after a lognormal lag (median 7 days, sigma 0.5, at most
  28);
* and, one order in 200, late: cancelled 35 to 45 days later, after its window closed. It
  is in transit when its cohort's 30-day window closes, so it is left out of the eventual
  rate below (as a real order still in transit a month on is); `redemption_rate` computed
  after its cancellation counts it as an order not redeemed.

Orders are placed on every day of ``--days``; `today` is the last of them. The projection
is computed as of `today` on the history cut at its end (`History.cut`: the last 30 days
of events, those after `today`, are held out), for the cohorts of age 0 to 29 days. Each
is compared with its eventual rate, computed on the full history as of the day its window
closed: of its orders settled within 30 days, those sold. That is what `projected_rate`
estimates: the rate as it stands when the cohort's 30-day window closes. Orders still in
transit then count later only as not redeemed: the rate `redemption_rate` gives for the
cohort's day once they have settled has them in its orders and not in its sales (here
about one order in 200 more in the denominator), and is not the target. Beside each
projection method are the two figures a seller has without one: the *rate so far* (sales
so far over the cohort's orders) and the *counted rate so far* (sales so far over the
orders settled so far, what `redemption_rate` shows for an incomplete period). A cohort
whose projection is `None` (the chain ladder at an age by which no mature order was sold)
is scored with its rate so far, and counted in the ``none`` column. The errors are mean
absolute errors in percentage points, each cohort counting once.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from fractions import Fraction

from redemption import MOSCOW, History, Order, Sale
from redemption.analysis import RateProjection, cohort_maturity, projected_rate

FIRST_DAY = date(2025, 1, 1)
HORIZON = 30
METHODS = ("in-transit", "chain-ladder")


# ------------------------------------------------------------------------------------------
# the synthetic history
# ------------------------------------------------------------------------------------------
def poisson(rng: random.Random, mean: float) -> int:
    """Draw a Poisson count by multiplying uniform draws (Knuth): small means only."""
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        product *= rng.random()
        count += 1
    return count


def sale_lag(rng: random.Random) -> timedelta:
    """Delivery and the walk to the pick-up point: lognormal days, median 4, at most 28."""
    return timedelta(days=min(rng.lognormvariate(math.log(4), 0.6), 28))


def cancel_lag(rng: random.Random) -> timedelta:
    """A buyer's cancellation within hours, or a refusal at the pick-up point days later."""
    if rng.random() < 0.3:
        return timedelta(hours=rng.expovariate(1 / 6))
    return timedelta(days=min(rng.lognormvariate(math.log(7), 0.5), 28))


@dataclass(frozen=True, slots=True)
class Synthetic:
    """The history, and each SKU's probability of redemption."""

    history: History
    rates: dict[str, float]


def synthetic(rng: random.Random, skus: int, days: int, sellers: int) -> Synthetic:
    """Build the orders and sales of `skus` SKUs over `days` days (see the module's text)."""
    orders: list[Order] = []
    sales: list[Sale] = []
    rates: dict[str, float] = {}
    for s in range(skus):
        sku = f"sku-{s:04d}"
        rates[sku] = rate = rng.uniform(0.2, 0.95)
        demand = math.exp(rng.uniform(math.log(0.5), math.log(30)))
        seller = f"seller-{s % sellers}"
        for day in range(days):
            opening = datetime.combine(FIRST_DAY + timedelta(days=day), clock(), tzinfo=MOSCOW)
            for n in range(poisson(rng, demand)):
                placed = opening + timedelta(seconds=rng.randrange(86_400))
                order_id = f"{sku}-{day}-{n}"
                cancelled = None
                if rng.random() < 0.005:
                    cancelled = placed + timedelta(days=rng.uniform(35, 45))
                elif rng.random() < rate:
                    sales.append(Sale(order_id=order_id, sold_at=placed + sale_lag(rng)))
                else:
                    cancelled = placed + cancel_lag(rng)
                orders.append(
                    Order(
                        order_id=order_id,
                        seller_id=seller,
                        sku=sku,
                        price=1,
                        ordered_at=placed,
                        cancelled_at=cancelled,
                    )
                )
    return Synthetic(History(orders=orders, sales=sales), rates)


# ------------------------------------------------------------------------------------------
# scoring
# ------------------------------------------------------------------------------------------
@dataclass(slots=True)
class Errors:
    """The absolute errors of each estimate at one age, summed, and how many cohorts."""

    cohorts: int = 0
    sums: dict[str, Fraction] = field(default_factory=dict)
    fallbacks: dict[str, int] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, error: Fraction) -> None:
        """Add one cohort's absolute error of the estimate `name`."""
        self.sums[name] = self.sums.get(name, Fraction(0)) + error

    def mean(self, name: str) -> float:
        """The mean absolute error of `name`, in percentage points."""
        return float(self.sums.get(name, Fraction(0)) / self.cohorts * 100)


ESTIMATES = (*METHODS, "rate so far", "counted so far")


def eventual_rates(history: History, by: str, today: date) -> dict[tuple[str, date], Fraction]:
    """The eventual rate of every cohort up to `today`, from the full history.

    Each is the day-30 figure: sold over settled as of the end of the day 30 days after the
    cohort's day; orders settling later are not in it.
    """
    later = cohort_maturity(
        history,
        start=FIRST_DAY,
        end=today,
        today=today + timedelta(days=HORIZON),
        max_age=HORIZON,
        by="sku" if by == "sku" else "seller",
    )
    return {
        (group, cohort.first): Fraction(point.sold, point.resolved)
        for group, cohorts in later.items()
        for cohort in cohorts
        if (point := cohort.points[HORIZON]).resolved
    }


def score(
    projections: dict[str, dict[str, tuple[RateProjection, ...]]],
    eventual: dict[tuple[str, date], Fraction],
) -> dict[int, Errors]:
    """The errors of every estimate, by age."""
    by_age: dict[int, Errors] = {}
    first = projections[METHODS[0]]
    others = {
        method: {(group, p.day): p for group, ps in projections[method].items() for p in ps}
        for method in METHODS
    }
    for group, ps in first.items():
        for p in ps:
            truth = eventual.get((group, p.day))
            if truth is None:  # every order of the cohort settles late: no eventual rate
                continue
            errors = by_age.setdefault(p.age, Errors())
            errors.cohorts += 1
            errors.add("rate so far", abs(p.rate_so_far - truth))
            counted = Fraction(p.sales, p.resolved) if p.resolved else p.rate_so_far
            errors.add("counted so far", abs(counted - truth))
            for method in METHODS:
                q = others[method][group, p.day]
                estimate = q.projected_rate
                if estimate is None:
                    errors.missing[method] = errors.missing.get(method, 0) + 1
                    estimate = q.rate_so_far
                errors.fallbacks[method] = errors.fallbacks.get(method, 0) + q.fallback
                errors.add(method, abs(estimate - truth))
    return by_age


def table(by_age: dict[int, Errors]) -> list[str]:
    """Tabulate the mean absolute errors by age, and overall."""
    lines = [
        (
            "| age | cohorts | in-transit pp | chain-ladder pp | rate so far pp "
            "| counted so far pp | fallbacks | chain-ladder none |"
        ),
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for age in sorted(by_age):
        e = by_age[age]
        lines.append(
            f"| {age} | {e.cohorts} | "
            + " | ".join(f"{e.mean(name):.2f}" for name in ESTIMATES)
            + f" | {e.fallbacks.get(METHODS[0], 0)} | {e.missing.get('chain-ladder', 0)} |"
        )
    total = Errors(cohorts=sum(e.cohorts for e in by_age.values()))
    for e in by_age.values():
        for name, value in e.sums.items():
            total.add(name, value)
    lines.append(
        f"| all | {total.cohorts} | "
        + " | ".join(f"**{total.mean(name):.2f}**" for name in ESTIMATES)
        + f" | {sum(e.fallbacks.get(METHODS[0], 0) for e in by_age.values())} "
        + f"| {sum(e.missing.get('chain-ladder', 0) for e in by_age.values())} |"
    )
    means = [sum(by_age[a].mean(name) for a in by_age) / len(by_age) for name in ESTIMATES]
    lines.append("| mean of ages | | " + " | ".join(f"{m:.2f}" for m in means) + " | | |")
    return lines


# ------------------------------------------------------------------------------------------
# command line
# ------------------------------------------------------------------------------------------
def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--skus", type=int, default=400, help="SKUs (default 400)")
    parser.add_argument("--sellers", type=int, default=20, help="sellers (default 20)")
    parser.add_argument("--days", type=int, default=120, help="days of orders (default 120)")
    parser.add_argument("--seed", type=int, default=20250430, help="random seed")
    parser.add_argument("--by", choices=["sku", "seller"], default="sku", help="the groups")
    parser.add_argument(
        "--min-mature", type=int, default=7, help="projected_rate's min_mature (default 7)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Build the history, project the maturing cohorts, and print the errors."""
    args = arguments(argv)
    if args.days <= HORIZON:
        print(f"--days must be more than {HORIZON}: mature cohorts are needed", file=sys.stderr)
        return 2
    started = time.perf_counter()
    rng = random.Random(args.seed)  # noqa: S311 - a synthetic history that can be made again
    built = synthetic(rng, args.skus, args.days, args.sellers)
    history = built.history
    today = FIRST_DAY + timedelta(days=args.days - 1)
    held_out = history.cut(today, tz=MOSCOW)
    built_in = time.perf_counter() - started
    projections: dict[str, dict[str, tuple[RateProjection, ...]]] = {}
    seconds: dict[str, float] = {}
    for method in METHODS:
        began = time.perf_counter()
        projections[method] = projected_rate(
            held_out,
            start=FIRST_DAY,
            end=today,
            today=today,
            by="sku" if args.by == "sku" else "seller",
            min_mature=args.min_mature,
            method="in-transit" if method == "in-transit" else "chain-ladder",
        )
        seconds[method] = time.perf_counter() - began
    eventual = eventual_rates(history, args.by, today)
    by_age = score(projections, eventual)
    lines = [
        (
            f"{args.skus} SKUs of {args.sellers} sellers, {len(history.orders):,} orders placed "
            f"{FIRST_DAY:%d %b %Y} to {today:%d %b %Y} (Moscow days), seed {args.seed}."
        ),
        (
            f"Projected by {args.by} as of {today:%d %b %Y} on the history cut there "
            f"(min_mature={args.min_mature}); eventual rates as each cohort's 30-day window "
            "closes."
        ),
        f"History built in {built_in:.1f} s; projected_rate took "
        + ", ".join(f"{seconds[m]:.2f} s ({m})" for m in METHODS)
        + ".",
        "",
        "Mean absolute error against the eventual rate, in percentage points, by age in days:",
        "",
        *table(by_age),
    ]
    if args.by == "sku":
        noise = sum(
            abs(truth - Fraction(built.rates[group])) for (group, _), truth in eventual.items()
        ) / len(eventual)
        lines += [
            "",
            (
                "For scale: the eventual rates of all cohorts differ from their SKU's "
                f"probability by {float(noise) * 100:.2f} pp on average (small cohorts' noise)."
            ),
        ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
