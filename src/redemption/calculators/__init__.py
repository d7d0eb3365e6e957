"""Stateless calculators: a history and a day in, a figure out."""

from __future__ import annotations

from redemption.calculators.breakdown import Outcome, OutcomeCounts, OutcomeKey, outcome_counts
from redemption.calculators.buyer import (
    BuyerReport,
    BuyerReports,
    Weight,
    buyer_redemption_percentage,
    buyer_reports,
)
from redemption.calculators.ransom import RansomAmounts, ransom_amount, ransom_amounts
from redemption.calculators.rate import RateReport, Rates, redemption_rate, redemption_rates

__all__ = [
    "BuyerReport",
    "BuyerReports",
    "Outcome",
    "OutcomeCounts",
    "OutcomeKey",
    "RansomAmounts",
    "RateReport",
    "Rates",
    "Weight",
    "buyer_redemption_percentage",
    "buyer_reports",
    "outcome_counts",
    "ransom_amount",
    "ransom_amounts",
    "redemption_rate",
    "redemption_rates",
]
