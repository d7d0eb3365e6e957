"""Marketplace reports in, a `History` and a report on every row out."""

from __future__ import annotations

from redemption.io.report import ImportReport, RowProblem
from redemption.io.wb_api import FetchResult
from redemption.io.wb_api import fetch_statistics as fetch_wildberries_statistics
from redemption.io.wildberries import read_realization as read_wildberries_realization
from redemption.io.wildberries import read_statistics as read_wildberries_statistics

__all__ = [
    "FetchResult",
    "ImportReport",
    "RowProblem",
    "fetch_wildberries_statistics",
    "read_wildberries_realization",
    "read_wildberries_statistics",
]
