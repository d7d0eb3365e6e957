"""Marketplace reports in, a `History` and a report on every row out."""

from __future__ import annotations

from redemption.io.report import ImportReport, RowProblem
from redemption.io.wildberries import read_realization as read_wildberries_realization
from redemption.io.wildberries import read_statistics as read_wildberries_statistics

__all__ = [
    "ImportReport",
    "RowProblem",
    "read_wildberries_realization",
    "read_wildberries_statistics",
]
