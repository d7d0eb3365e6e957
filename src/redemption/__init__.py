"""Exact redemption rates, ransom amounts and refusal statistics for marketplace sellers.

Import everything from here::

    from redemption import History, Order, Period, Sale, redemption_rate
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from redemption.calculators import RateReport, redemption_rate, redemption_rates
from redemption.dates import MOSCOW
from redemption.errors import (
    CancelledOrderSoldError,
    DataError,
    DuplicateRecordError,
    EventOrderError,
    InvalidPeriodError,
    InvalidPriceError,
    NaiveTimestampError,
    RecordTypeError,
    RedemptionError,
    ReturnWithoutSaleError,
)
from redemption.history import History, OrderLines
from redemption.model import Buyer, Order, Return, Sale, Seller
from redemption.windows import DayWindow, Period, RedemptionWindow, redemption_window

__all__ = [
    "MOSCOW",
    "Buyer",
    "CancelledOrderSoldError",
    "DataError",
    "DayWindow",
    "DuplicateRecordError",
    "EventOrderError",
    "History",
    "InvalidPeriodError",
    "InvalidPriceError",
    "NaiveTimestampError",
    "Order",
    "OrderLines",
    "Period",
    "RateReport",
    "RecordTypeError",
    "RedemptionError",
    "RedemptionWindow",
    "Return",
    "ReturnWithoutSaleError",
    "Sale",
    "Seller",
    "redemption_rate",
    "redemption_rates",
    "redemption_window",
]

try:
    __version__ = version("redemption")
except PackageNotFoundError:  # pragma: no cover - running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
