"""Marketplace reports in, a `History` and a report on every row out."""

from __future__ import annotations

from redemption.io.files import ReportKind, read_reports, report_kind
from redemption.io.lines import read_order_lines, write_order_lines
from redemption.io.ozon import read_ozon_postings
from redemption.io.report import ImportReport, Progress, RowProblem
from redemption.io.wb_api import FetchResult, fetch_wildberries_statistics
from redemption.io.wildberries import read_wildberries_realization, read_wildberries_statistics
from redemption.order_lines import LINE_COLUMNS

__all__ = [
    "LINE_COLUMNS",
    "FetchResult",
    "ImportReport",
    "Progress",
    "ReportKind",
    "RowProblem",
    "fetch_wildberries_statistics",
    "read_order_lines",
    "read_ozon_postings",
    "read_reports",
    "read_wildberries_realization",
    "read_wildberries_statistics",
    "report_kind",
    "write_order_lines",
]
