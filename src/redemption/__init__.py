"""Exact redemption rates, ransom amounts and refusal statistics for marketplace sellers.

Import everything from here::

    from redemption import History, Order, Period, Sale, redemption_rate
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from redemption.calculators import (
    BuyerReport,
    BuyerReports,
    RansomAmounts,
    RateReport,
    Rates,
    Weight,
    buyer_redemption_percentage,
    buyer_reports,
    ransom_amount,
    ransom_amounts,
    redemption_rate,
    redemption_rates,
)
from redemption.dates import MOSCOW
from redemption.errors import (
    ArgumentTypeError,
    BeyondHorizonWarning,
    CancelledOrderSoldError,
    ColumnError,
    DataError,
    DuplicateRecordError,
    EventOrderError,
    FetchError,
    InvalidArgumentError,
    InvalidPeriodError,
    InvalidPriceError,
    LimitExceededError,
    MissingExtraError,
    NaiveTimestampError,
    PolicyError,
    ProgrammeError,
    RecordTypeError,
    RedemptionError,
    RedemptionWarning,
    ReportFormatError,
    ReturnWithoutSaleError,
)
from redemption.history import Conflict, ConflictRule, History, OrderLines
from redemption.model import Buyer, Logistics, Order, Return, Sale, Seller
from redemption.outcomes import CancelKind, Reason, ReasonCategory, ReturnKind
from redemption.policy import (
    EXAMPLE_POLICIES,
    BuyerStatus,
    BuyerStatuses,
    Decision,
    Figure,
    Kind,
    Policy,
    Rule,
    buyer_status,
    buyer_statuses,
    example_policy,
)
from redemption.windows import (
    DayWindow,
    Period,
    RedemptionWindow,
    redemption_window,
    trailing_window,
)

__all__ = [
    "EXAMPLE_POLICIES",
    "MOSCOW",
    "ArgumentTypeError",
    "BeyondHorizonWarning",
    "Buyer",
    "BuyerReport",
    "BuyerReports",
    "BuyerStatus",
    "BuyerStatuses",
    "CancelKind",
    "CancelledOrderSoldError",
    "ColumnError",
    "Conflict",
    "ConflictRule",
    "DataError",
    "DayWindow",
    "Decision",
    "DuplicateRecordError",
    "EventOrderError",
    "FetchError",
    "Figure",
    "History",
    "InvalidArgumentError",
    "InvalidPeriodError",
    "InvalidPriceError",
    "Kind",
    "LimitExceededError",
    "Logistics",
    "MissingExtraError",
    "NaiveTimestampError",
    "Order",
    "OrderLines",
    "Period",
    "Policy",
    "PolicyError",
    "ProgrammeError",
    "RansomAmounts",
    "RateReport",
    "Rates",
    "Reason",
    "ReasonCategory",
    "RecordTypeError",
    "RedemptionError",
    "RedemptionWarning",
    "RedemptionWindow",
    "ReportFormatError",
    "Return",
    "ReturnKind",
    "ReturnWithoutSaleError",
    "Rule",
    "Sale",
    "Seller",
    "Weight",
    "buyer_redemption_percentage",
    "buyer_reports",
    "buyer_status",
    "buyer_statuses",
    "example_policy",
    "ransom_amount",
    "ransom_amounts",
    "redemption_rate",
    "redemption_rates",
    "redemption_window",
    "trailing_window",
]

try:
    __version__ = version("redemption")
except PackageNotFoundError:  # pragma: no cover - running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
