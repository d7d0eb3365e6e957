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

    Example:
        Catch it to handle every refusal of the library at once:

        >>> from datetime import date
        >>> from redemption import Period, RedemptionError
        >>> try:
        ...     Period(date(2025, 4, 30), date(2025, 4, 1))
        ... except RedemptionError as error:
        ...     print(type(error).__name__, error)
        InvalidPeriodError start 2025-04-30 is after end 2025-04-01

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

    Example:
        A cancel kind given for an order that was not cancelled:

        >>> from datetime import datetime
        >>> from redemption import MOSCOW, CancelKind, Order
        >>> try:
        ...     Order(order_id="srid-2", seller_id="s", sku="k", price=100,
        ...           ordered_at=datetime(2025, 4, 1, tzinfo=MOSCOW), cancel_kind=CancelKind.BUYER)
        ... except ValueError as error:  # a DataError is a ValueError too
        ...     print(type(error).__name__, error.order_id)
        DataError srid-2

    .. versionadded:: 0.1.0
    """


class NaiveTimestampError(DataError):
    """A record carries a timestamp without a time zone.

    Example:
        >>> from datetime import datetime
        >>> from redemption import Order
        >>> Order(order_id="srid-1", seller_id="s", sku="k", price=100,
        ...       ordered_at=datetime(2025, 4, 1, 10, 30))
        Traceback (most recent call last):
        ...
        redemption.errors.NaiveTimestampError: order srid-1: ordered_at 2025-04-01T10:30:00 has no time zone; attach one (Wildberries reports are in Moscow time: redemption.MOSCOW)
        >>> issubclass(NaiveTimestampError, DataError), issubclass(NaiveTimestampError, ValueError)
        (True, True)

    .. versionadded:: 0.1.0
    """  # noqa: E501 - a doctest's output is one line


class InvalidPriceError(DataError):
    """An order's price is negative, not a number, or infinite.

    Example:
        >>> from datetime import datetime
        >>> from redemption import MOSCOW, Order
        >>> Order(order_id="srid-1", seller_id="s", sku="k", price="-1",
        ...       ordered_at=datetime(2025, 4, 1, 12, tzinfo=MOSCOW))
        Traceback (most recent call last):
        ...
        redemption.errors.InvalidPriceError: order srid-1: price '-1' is not a non-negative amount
        >>> issubclass(InvalidPriceError, DataError), issubclass(InvalidPriceError, ValueError)
        (True, True)

    .. versionadded:: 0.1.0
    """


class DuplicateRecordError(DataError):
    """Two orders share one id, or one order has two sales, two returns or two logistics.

    Example:
        >>> from datetime import datetime
        >>> from redemption import MOSCOW, History, Order
        >>> order = Order(order_id="srid-1", seller_id="s", sku="k", price=100,
        ...               ordered_at=datetime(2025, 4, 1, 12, tzinfo=MOSCOW))
        >>> History(orders=[order, order])
        Traceback (most recent call last):
        ...
        redemption.errors.DuplicateRecordError: order srid-1: two orders with this id
        >>> (issubclass(DuplicateRecordError, DataError),
        ...  issubclass(DuplicateRecordError, ValueError))
        (True, True)

    .. versionadded:: 0.1.0
    """


class EventOrderError(DataError):
    """Events of one order happen in an impossible order.

    A cancellation before the order, a sale before the order, a return before the sale.

    Example:
        A sale two days before its order:

        >>> from datetime import UTC, datetime
        >>> from redemption import History, Order, Sale
        >>> order = Order(order_id="srid-1", seller_id="s", sku="k", price=100,
        ...               ordered_at=datetime(2025, 4, 1, 9, tzinfo=UTC))
        >>> sale = Sale(order_id="srid-1", sold_at=datetime(2025, 3, 30, 9, tzinfo=UTC))
        >>> History(orders=[order], sales=[sale])
        Traceback (most recent call last):
        ...
        redemption.errors.EventOrderError: order srid-1: sold 2025-03-30T09:00:00+00:00 before ordered 2025-04-01T09:00:00+00:00
        >>> issubclass(EventOrderError, DataError), issubclass(EventOrderError, ValueError)
        (True, True)

    .. versionadded:: 0.1.0
    """  # noqa: E501 - a doctest's output is one line


class CancelledOrderSoldError(DataError):
    """A cancelled order also has a sale.

    Example:
        >>> from datetime import UTC, datetime
        >>> from redemption import History, Order, Sale
        >>> at = datetime(2025, 4, 1, 9, tzinfo=UTC)
        >>> order = Order(order_id="srid-1", seller_id="s", sku="k", price=100, ordered_at=at,
        ...               cancelled_at=at)
        >>> History(orders=[order], sales=[Sale(order_id="srid-1", sold_at=at)])
        Traceback (most recent call last):
        ...
        redemption.errors.CancelledOrderSoldError: order srid-1: sold 2025-04-01T09:00:00+00:00 but cancelled 2025-04-01T09:00:00+00:00
        >>> (issubclass(CancelledOrderSoldError, DataError),
        ...  issubclass(CancelledOrderSoldError, ValueError))
        (True, True)

    .. versionadded:: 0.1.0
    """  # noqa: E501 - a doctest's output is one line


class ReturnWithoutSaleError(DataError):
    """An order that is in the history was returned but never sold.

    Example:
        >>> from datetime import UTC, datetime
        >>> from redemption import History, Order, Return
        >>> at = datetime(2025, 4, 1, 9, tzinfo=UTC)
        >>> order = Order(order_id="srid-1", seller_id="s", sku="k", price=100, ordered_at=at)
        >>> History(orders=[order], returns=[Return(order_id="srid-1", returned_at=at)])
        Traceback (most recent call last):
        ...
        redemption.errors.ReturnWithoutSaleError: order srid-1: returned 2025-04-01T09:00:00+00:00 but never sold
        >>> (issubclass(ReturnWithoutSaleError, DataError),
        ...  issubclass(ReturnWithoutSaleError, ValueError))
        (True, True)

    .. versionadded:: 0.1.0
    """  # noqa: E501 - a doctest's output is one line


class ReportFormatError(DataError):
    r"""A marketplace report cannot be read: an empty or malformed file, or a bad row.

    The message names the file, and the row and field where there is one; so do
    ``source``, ``row`` and ``field``.

    Example:
        An order-lines CSV whose price is not a number:

        >>> from redemption.io import read_order_lines
        >>> text = b"order_id,sku,price,ordered_at\no1,nm-42,abc,2025-04-01T10:30:00+03:00\n"
        >>> try:
        ...     read_order_lines(text)
        ... except ValueError as error:  # a ReportFormatError is a DataError, so a ValueError
        ...     print(type(error).__name__, error.source, error.row, error.field)
        ...     print(error)
        ReportFormatError <bytes> 2 price
        <bytes> row 2, field 'price': expected whole kopecks (152050 for 1520.50), found 'abc'
        >>> issubclass(ReportFormatError, DataError)
        True

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

    Example:
        >>> from datetime import datetime
        >>> from redemption import MOSCOW, Order
        >>> Order(order_id="srid-1", seller_id="s", sku="k", price=1520.5,
        ...       ordered_at=datetime(2025, 4, 1, 12, tzinfo=MOSCOW))
        Traceback (most recent call last):
        ...
        redemption.errors.RecordTypeError: order srid-1: price must be Decimal, int or str, not float 1520.5: floats cannot hold kopecks exactly
        >>> issubclass(RecordTypeError, RedemptionError), issubclass(RecordTypeError, TypeError)
        (True, True)

    .. versionadded:: 0.1.0
    """  # noqa: E501 - a doctest's output is one line


class ArgumentTypeError(RedemptionError, TypeError):
    """An argument of a calculation has the wrong type, such as a datetime where a day goes.

    Example:
        >>> from datetime import date, datetime
        >>> from redemption import History, Period, redemption_rate
        >>> redemption_rate(History(), Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                 today=datetime(2025, 5, 31))
        Traceback (most recent call last):
        ...
        redemption.errors.ArgumentTypeError: today must be a date, not datetime datetime.datetime(2025, 5, 31, 0, 0)
        >>> issubclass(ArgumentTypeError, RedemptionError), issubclass(ArgumentTypeError, TypeError)
        (True, True)

    .. versionadded:: 0.1.0
    """  # noqa: E501 - a doctest's output is one line


class FetchError(RedemptionError, OSError):
    r"""A download failed for good: a refused token, a bad answer, or too many failed tries.

    Raised by `redemption.io.fetch_wildberries_statistics`.

    Example:
        A token pasted with its line's end cannot be sent, so the download does not start:

        >>> from datetime import date
        >>> from pathlib import Path
        >>> from redemption.io import fetch_wildberries_statistics
        >>> fetch_wildberries_statistics("orders", token="my-token\n", since=date(2025, 4, 1),
        ...                              out=Path("pages"))
        Traceback (most recent call last):
        ...
        redemption.errors.FetchError: the token cannot be sent: it has a control character at position 9
        >>> issubclass(FetchError, RedemptionError), issubclass(FetchError, OSError)
        (True, True)

    .. versionadded:: 0.1.0
    """  # noqa: E501 - a doctest's output is one line


class MissingExtraError(RedemptionError, ImportError):
    """An optional library a feature needs is not installed; the message says what to install.

    An `ImportError` too, so ``except ImportError`` still catches it. Raised when an
    ``.xlsx`` is read without openpyxl (``pip install 'redemption[excel]'``), a chart is
    drawn without matplotlib, or a result is turned into a frame of an engine that is not
    installed.

    Example:
        A table turned into a pandas frame without pandas (hidden here for the example):

        >>> import sys
        >>> from unittest import mock
        >>> from redemption import Rates
        >>> with mock.patch.dict(sys.modules, {"pandas": None}):
        ...     Rates(key="sku").to_pandas()
        Traceback (most recent call last):
        ...
        redemption.errors.MissingExtraError: to_pandas() needs pandas, which is not installed: pip install pandas (redemption[frames] installs narwhals alone, no frame library)
        >>> (issubclass(MissingExtraError, RedemptionError),
        ...  issubclass(MissingExtraError, ImportError))
        (True, True)

    .. versionadded:: 0.2.0
    """  # noqa: E501 - a doctest's output is one line


class RedemptionWarning(UserWarning):
    """Base class of every warning `redemption` gives.

    Example:
        Silence every warning of the library, here that the data ends before the day asked:

        >>> import warnings
        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, History, Period, redemption_rate
        >>> from redemption import BeyondHorizonWarning, RedemptionWarning
        >>> history = History(horizon=datetime(2025, 5, 10, tzinfo=MOSCOW))
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", RedemptionWarning)
        ...     report = redemption_rate(history, Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                              today=date(2025, 5, 31))
        >>> report.complete, issubclass(BeyondHorizonWarning, RedemptionWarning)
        (False, True)

    .. versionadded:: 0.2.0
    """


class BeyondHorizonWarning(RedemptionWarning):
    """A figure is computed as of a day after the last moment its data vouches for.

    Events after a history's `horizon` may have happened without being in it: orders in
    transit may be settled, and counts may be missing. Download the reports again, or
    compute as of the horizon's day.

    Example:
        Reports downloaded on 10 May, and the April rate asked for as of 31 May:

        >>> import warnings
        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, History, Period, redemption_rate
        >>> history = History(horizon=datetime(2025, 5, 10, 14, tzinfo=MOSCOW))
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     report = redemption_rate(history, Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                              today=date(2025, 5, 31))
        >>> print(caught[0].message)
        figures as of 2025-05-31, but the data reaches only 2025-05-10T14:00:00+03:00: later events may be missing
        >>> report.complete, issubclass(caught[0].category, UserWarning)
        (False, True)

    .. versionadded:: 0.2.0
    """  # noqa: E501 - a doctest's output is one line


class InvalidArgumentError(RedemptionError, ValueError):
    """An argument of a calculation has a value it cannot take, such as an unknown grouping.

    Example:
        >>> from datetime import date
        >>> from redemption import History, Period, redemption_rates
        >>> redemption_rates(History(), Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                  today=date(2025, 5, 31), by="colour")
        Traceback (most recent call last):
        ...
        redemption.errors.InvalidArgumentError: by must be 'sku', 'seller' or a function of an Order, not 'colour'
        >>> (issubclass(InvalidArgumentError, RedemptionError),
        ...  issubclass(InvalidArgumentError, ValueError))
        (True, True)

    .. versionadded:: 0.1.0
    """  # noqa: E501 - a doctest's output is one line


class PolicyError(RedemptionError, ValueError):
    """A buyer policy is malformed: an unknown figure, overlapping or unordered thresholds.

    Example:
        >>> from redemption import Rule
        >>> Rule(name="free delivery", kind="privilege", figure="percentage", at_least=120)
        Traceback (most recent call last):
        ...
        redemption.errors.PolicyError: rule 'free delivery': a redemption percentage threshold must be 0 to 100, not 120
        >>> issubclass(PolicyError, RedemptionError), issubclass(PolicyError, ValueError)
        (True, True)

    .. versionadded:: 0.1.0
    """  # noqa: E501 - a doctest's output is one line


class ProgrammeError(RedemptionError, ValueError):
    """A seller programme is malformed, or lacks what it needs to rank a month.

    Raised by `redemption.loyalty`: targets out of order across levels, a count of
    indicators to meet that is below 1 or above the programme's indicators, an unknown
    indicator, level or key, a level without all its targets, or targets still the user's
    to fill. The message names the programme and the level, indicator or key at fault;
    so do ``programme``, ``level`` and ``indicator`` (``None`` where it is none of them).

    Example:
        >>> from redemption.loyalty import preset
        >>> try:
        ...     preset("wb-2023")
        ... except ValueError as error:  # a ProgrammeError is a ValueError too
        ...     print(type(error).__name__, error.programme)
        ...     print(error)
        ProgrammeError wb-2023
        no preset 'wb-2023'; presets: wb-2024, wb-2025-12

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

    Example:
        April's rate asked for before April has ended:

        >>> from datetime import date
        >>> from redemption import History, Period, redemption_rate
        >>> redemption_rate(History(), Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                 today=date(2025, 4, 20))
        Traceback (most recent call last):
        ...
        redemption.errors.InvalidPeriodError: period 2025-04-01..2025-04-30 ends after today 2025-04-20
        >>> (issubclass(InvalidPeriodError, RedemptionError),
        ...  issubclass(InvalidPeriodError, ValueError))
        (True, True)

    .. versionadded:: 0.1.0
    """  # noqa: E501 - a doctest's output is one line


class ColumnError(RedemptionError, ValueError):
    """A frame of order lines lacks a column the figure needs, or holds it with a wrong type.

    ``column`` is the column's name in the frame (after any remapping the caller gave).

    Example:
        Order lines whose ``ordered_at`` is text, not a timestamp:

        >>> from datetime import date
        >>> import polars as pl
        >>> from redemption import Period
        >>> from redemption.frames import redemption_rates
        >>> lines = pl.DataFrame({"order_id": ["o1"], "seller_id": ["s"], "sku": ["nm-42"],
        ...                       "price": [152050], "ordered_at": ["2025-04-01 10:30"]})
        >>> try:
        ...     redemption_rates(lines, period=Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                      today=date(2025, 5, 31))
        ... except ValueError as error:  # a ColumnError is a ValueError too
        ...     print(type(error).__name__, error.column)
        ...     print(error)
        ColumnError ordered_at
        column 'ordered_at' must hold a time-zone-aware timestamp, but its type is String

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

    Example:
        A JSON report nested deeper than the bound given:

        >>> from redemption.io import Limits, read_wildberries_statistics
        >>> try:
        ...     read_wildberries_statistics(orders=b'[{"srid": {"id": "a1"}}]',
        ...                                 limits=Limits(max_json_depth=2))
        ... except ValueError as error:  # a ReportFormatError, so a DataError and a ValueError
        ...     print(type(error).__name__, error.limit, error.row, error.field)
        ...     print(error)
        LimitExceededError max_json_depth 1 srid
        <bytes> row 1, field 'srid': JSON nested deeper than 2 levels (Limits.max_json_depth)
        >>> issubclass(LimitExceededError, ReportFormatError)
        True

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
