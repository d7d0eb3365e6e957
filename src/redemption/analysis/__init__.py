"""Why orders were not redeemed: breakdowns, trends, real drops, and honest uncertainty.

Every figure here is made of the counts of the seller's redemption rate (by Wildberries'
"How we calculate the Wildberries redemption rate?"), read
through `redemption.calculators` (`redemption_rates`, `outcome_counts`), so an order is
counted, sold, returned or in transit by the one rule of the rate itself; kinds and reasons
say *why*, and never change *whether*.

* `refusal_breakdown`: per group, the share of each outcome (kept, returned by kind, sold
  late, cancelled by kind) and of each reason among the orders not kept (cancelled or returned).
* `rate_series`: the redemption rate, refusal share and return share day by day, week by
  week or month by month, each bucket's own orders counted.
* `rate_changes`: which groups' rates dropped from a baseline period beyond chance, with a
  one-sided test per group, adjusted for testing many at once.
* `outcome_counts` (from `redemption.calculators`): the tally they all read, each counted
  order's `Outcome` and kind, and the reasons of those not redeemed.
* `wilson_interval`: the uncertainty of a rate; every rate above can carry one, and groups
  with few orders are marked ``small``.
* `cohort_maturity`, `order_lags`, `projected_rate`: how cohorts of orders mature, how long
  orders take to settle, and the eventual rate of cohorts still maturing.
* `refusal_costs`: what refusals cost: the logistics paid for the units refused, returned
  and cancelled, per group or reason, beside those kept and the revenue they brought;
  `refusal_cost_series` the same month by month (or week, or day), each its own orders.
"""

from __future__ import annotations

from redemption.analysis._breakdown import Breakdown, refusal_breakdown
from redemption.analysis._changes import Correction, DropTest, RateChange, rate_changes
from redemption.analysis._cohorts import (
    CohortMaturity,
    LagSummary,
    MaturityPoint,
    OrderLags,
    RateProjection,
    cohort_maturity,
    order_lags,
    projected_rate,
)
from redemption.analysis._costs import (
    LogisticsCost,
    RefusalCosts,
    refusal_cost_series,
    refusal_costs,
)
from redemption.analysis._intervals import Interval, wilson_interval
from redemption.analysis._series import Freq, SeriesPoint, rate_series
from redemption.calculators.breakdown import Outcome, OutcomeCounts, OutcomeKey, outcome_counts

__all__ = [
    "Breakdown",
    "CohortMaturity",
    "Correction",
    "DropTest",
    "Freq",
    "Interval",
    "LagSummary",
    "LogisticsCost",
    "MaturityPoint",
    "OrderLags",
    "Outcome",
    "OutcomeCounts",
    "OutcomeKey",
    "RateChange",
    "RateProjection",
    "RefusalCosts",
    "SeriesPoint",
    "cohort_maturity",
    "order_lags",
    "outcome_counts",
    "projected_rate",
    "rate_changes",
    "rate_series",
    "refusal_breakdown",
    "refusal_cost_series",
    "refusal_costs",
    "wilson_interval",
]
