"""Every error `redemption` raises.

Each error subclasses `RedemptionError` and a builtin, so callers can catch either:
``except redemption.DataError`` or ``except ValueError``.
An error about a record names that record's ``order_id`` in its message and keeps it as
``.order_id``.
"""

from __future__ import annotations

import reprlib

__all__ = [
    "ArgumentTypeError",
    "BeyondHorizonWarning",
    "CancelledOrderSoldError",
    "ColumnError",
    "DataError",
    "DuplicateRecordError",
    "EventOrderError",
    "FetchError",
    "InvalidArgumentError",
    "InvalidPeriodError",
    "InvalidPriceError",
    "LimitExceededError",
    "MissingExtraError",
    "NaiveTimestampError",
    "PolicyError",
    "ProgrammeError",
    "RecordTypeError",
    "RedemptionError",
    "RedemptionWarning",
    "ReportFormatError",
    "ReturnWithoutSaleError",
]


class RedemptionError(Exception):
    """Base class of every error `redemption` raises.

    .. versionadded:: 0.1.0
    """


class _NamesRecord(Exception):  # noqa: N818 - a mixin, not an error of its own
    """An error about one record: its message names it, and ``order_id`` keeps its id.

    ``field`` names the field at fault, where there is one.
    """

    def __init__(
        self, message: str, *, order_id: str | None = None, field: str | None = None
    ) -> None:
        """Keep the message, the id of the offending record and the field at fault."""
        super().__init__(message)
        self.order_id = order_id
        self.field = field


class DataError(_NamesRecord, RedemptionError, ValueError):
    """A record is invalid, or records contradict each other.

    The message names the offending record; ``order_id`` holds its order id (``None`` only
    when the record has no usable id).

    .. versionadded:: 0.1.0
    """


class NaiveTimestampError(DataError):
    """A record carries a timestamp without a time zone.

    .. versionadded:: 0.1.0
    """


class InvalidPriceError(DataError):
    """An order's price is negative, not a number, or infinite.

    .. versionadded:: 0.1.0
    """


class DuplicateRecordError(DataError):
    """Two orders share one id, or one order has two sales, two returns or two logistics.

    .. versionadded:: 0.1.0
    """


class EventOrderError(DataError):
    """Events of one order happen in an impossible order.

    A cancellation before the order, a sale before the order, a return before the sale.

    .. versionadded:: 0.1.0
    """


class CancelledOrderSoldError(DataError):
    """A cancelled order also has a sale.

    .. versionadded:: 0.1.0
    """


class ReturnWithoutSaleError(DataError):
    """An order that is in the history was returned but never sold.

    .. versionadded:: 0.1.0
    """


class ReportFormatError(DataError):
    """A marketplace report cannot be read: an empty or malformed file, or a bad row.

    The message names the file, and the row and field where there is one; so do
    ``source``, ``row`` and ``field``.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        message: str,
        *,
        source: str,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        """Keep the message and where the problem is."""
        super().__init__(message)
        self.source = source
        self.row = row
        self.field = field


class RecordTypeError(_NamesRecord, RedemptionError, TypeError):
    """A record field has the wrong type: a float price, a non-string id, a non-record.

    .. versionadded:: 0.1.0
    """


class ArgumentTypeError(RedemptionError, TypeError):
    """An argument of a calculation has the wrong type, such as a datetime where a day goes.

    .. versionadded:: 0.1.0
    """


class FetchError(RedemptionError, OSError):
    """A download failed for good: a refused token, a bad answer, or too many failed tries.

    Raised by `redemption.io.fetch_wildberries_statistics`.

    .. versionadded:: 0.1.0
    """


class MissingExtraError(RedemptionError, ImportError):
    """An optional library a feature needs is not installed; the message says what to install.

    An `ImportError` too, so ``except ImportError`` still catches it. Raised when an
    ``.xlsx`` is read without openpyxl (``pip install 'redemption[excel]'``), a chart is
    drawn without matplotlib, or a result is turned into a frame of an engine that is not
    installed.

    .. versionadded:: 0.2.0
    """


class RedemptionWarning(UserWarning):
    """Base class of every warning `redemption` gives.

    .. versionadded:: 0.2.0
    """


class BeyondHorizonWarning(RedemptionWarning):
    """A figure is computed as of a day after the last moment its data vouches for.

    Events after a history's `horizon` may have happened without being in it: orders in
    transit may be settled, and counts may be missing. Download the reports again, or
    compute as of the horizon's day.

    .. versionadded:: 0.2.0
    """


class InvalidArgumentError(RedemptionError, ValueError):
    """An argument of a calculation has a value it cannot take, such as an unknown grouping.

    .. versionadded:: 0.1.0
    """


class PolicyError(RedemptionError, ValueError):
    """A buyer policy is malformed: an unknown figure, overlapping or unordered thresholds.

    .. versionadded:: 0.1.0
    """


class ProgrammeError(RedemptionError, ValueError):
    """A seller programme is malformed, or lacks what it needs to rank a month.

    Raised by `redemption.loyalty`: targets out of order across levels, a count of
    indicators to meet that is below 1 or above the programme's indicators, an unknown
    indicator, level or key, a level without all its targets, or targets still the user's
    to fill. The message names the programme and the level, indicator or key at fault;
    so do ``programme``, ``level`` and ``indicator`` (``None`` where it is none of them).

    .. versionadded:: 0.2.0
    """

    def __init__(
        self,
        message: str,
        *,
        programme: str | None = None,
        level: str | None = None,
        indicator: str | None = None,
    ) -> None:
        """Keep the message and the names of the programme, level and indicator at fault."""
        super().__init__(message)
        self.programme = programme
        self.level = level
        self.indicator = indicator


class InvalidPeriodError(RedemptionError, ValueError):
    """A period or window is impossible: it starts after it ends, or ends after ``today``.

    .. versionadded:: 0.1.0
    """


class ColumnError(RedemptionError, ValueError):
    """A frame of order lines lacks a column the figure needs, or holds it with a wrong type.

    ``column`` is the column's name in the frame (after any remapping the caller gave).

    .. versionadded:: 0.1.0
    """

    def __init__(self, message: str, *, column: str) -> None:
        """Keep the message and the name of the offending column."""
        super().__init__(message)
        self.column = column


class LimitExceededError(ReportFormatError):
    """A report goes beyond one of the bounds on what an outside file may hold.

    A file that unpacks to too much, JSON nested too deep, a number with too many digits, a
    row or a cell too long, too many units in one row: see `redemption.io.Limits`, whose
    field ``limit`` names (``"max_json_depth"``...). The message names the file, and the row
    and field where there is one; so do ``source``, ``row`` and ``field``. A caller who
    trusts the file can give a higher bound.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        message: str,
        *,
        source: str,
        limit: str,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        """Keep the message, where the problem is, and the name of the bound gone beyond."""
        super().__init__(message, source=source, row=row, field=field)
        self.limit = limit


class _Shown(reprlib.Repr):
    """Shows a value in a message, cut short: a huge number or text, a deep structure."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.maxstring = self.maxother = self.maxlong = width

    def repr_int(self, x: int, level: int) -> str:
        """A whole number, or how many digits it has, where it is too long to write."""
        if x.bit_length() > 4 * self.maxlong:
            return f"<a whole number of about {int(x.bit_length() * 0.30103)} digits>"
        return reprlib.Repr.repr_int(self, x, level)


_SHOWN = {width: _Shown(width) for width in (60, 80)}


def shown(value: object, width: int = 80) -> str:
    """Return how a value given from outside is shown in a message: its repr, cut short.

    A value of any size or depth is shown in a line: text and numbers longer than about
    `width` characters are cut in the middle, nested lists and objects at a few levels.
    The messages of the errors above use it for values they quote.
    """
    repr_ = _SHOWN.get(width) or _Shown(width)
    return repr_.repr(value)
