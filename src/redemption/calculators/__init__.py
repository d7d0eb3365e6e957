"""Stateless calculators: a history and a day in, a figure out."""

from __future__ import annotations

from redemption.calculators.rate import RateReport, redemption_rate, redemption_rates

__all__ = ["RateReport", "redemption_rate", "redemption_rates"]
