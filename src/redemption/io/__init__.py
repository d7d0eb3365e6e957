"""Marketplace reports in, a `History` and a report on every row out."""

from __future__ import annotations

from redemption.io.files import (
    FORMATS,
    Format,
    ReadOptions,
    ReportKind,
    read_reports,
    report_kind,
)
from redemption.io.limits import DEFAULT_LIMITS, Limits
from redemption.io.lines import read_order_lines, write_order_lines
from redemption.io.ozon import read_ozon_postings
from redemption.io.portal_ozon import read_ozon_portal_postings
from redemption.io.portal_wildberries import read_wildberries_portal_realization
from redemption.io.report import ImportReport, Progress, RowProblem
from redemption.io.wb_api import FetchResult, fetch_wildberries_statistics
from redemption.io.wildberries import read_wildberries_realization, read_wildberries_statistics
from redemption.io.wildberries_returns import (
    read_wildberries_claims,
    read_wildberries_goods_returns,
)
from redemption.order_lines import LINE_COLUMNS
from redemption.reasons import ReasonWords, reason_words, reason_words_from_toml

__all__ = [
    "DEFAULT_LIMITS",
    "FORMATS",
    "LINE_COLUMNS",
    "FetchResult",
    "Format",
    "ImportReport",
    "Limits",
    "Progress",
    "ReadOptions",
    "ReasonWords",
    "ReportKind",
    "RowProblem",
    "fetch_wildberries_statistics",
    "read_order_lines",
    "read_ozon_portal_postings",
    "read_ozon_postings",
    "read_reports",
    "read_wildberries_claims",
    "read_wildberries_goods_returns",
    "read_wildberries_portal_realization",
    "read_wildberries_realization",
    "read_wildberries_statistics",
    "reason_words",
    "reason_words_from_toml",
    "report_kind",
    "write_order_lines",
]
