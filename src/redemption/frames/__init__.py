"""The figures on data frames: polars, pandas, pyarrow, DuckDB, PySpark, one implementation.

Install with ``pip install redemption[frames]``: it needs narwhals and nothing else; the
frame library is whichever the caller already uses.

Every function takes order lines, one row per order, with the columns

=================  ===================================================================
``order_id``       the order line's id
``seller_id``      the seller (read when grouping or filtering by seller)
``sku``            the product
``buyer_id``       the buyer, null where unknown
``price``          what the buyer pays, in whole kopecks (an integer type)
``ordered_at``     when the order was placed: a time-zone-aware timestamp
``cancelled_at``   when it was cancelled or refused, null if it was not
``sold_at``        when it was bought out, null if it was not
``returned_at``    when it was returned, null if it was not
=================  ===================================================================

and, where known, why an order was not redeemed: ``cancel_kind``, ``cancel_reason``,
``cancel_reason_text``, ``return_kind``, ``return_reason``, ``return_reason_text`` (text,
null where nothing is known; see `redemption.order_lines`). They change no figure: the
rates and the buyers' figures never read them, `refusal_breakdown` and `rate_series`
sort the orders they count by them, and `to_lines` and `to_history` carry them across.

and gives back the kind of frame it was given: a polars, pandas or pyarrow frame for one,
a lazy frame (polars ``LazyFrame``, DuckDB relation, PySpark ``DataFrame``) for a lazy one,
with nothing collected. The caller's frame is never changed. ``columns=`` names any column
the caller calls otherwise (``columns={"sku": "nm_id"}``); the result uses the names above.
Output types are the same on every engine: counts and kopecks ``Int64``, rates ``Float64``
(null where nothing is counted); a column of money is whole kopecks and says so in its name
(``ransom_kopecks``). Row order is not defined: sort the result if it matters.
The results of `redemption.redemption_rates`, `redemption.buyer_reports` and
`redemption.ransom_amounts` turn into the same columns of the same types with
``to_pandas()``, ``to_polars()`` and ``to_arrow()``, followed by the windows the records
carry.
A line with no ``ordered_at`` was placed in no window and counts nowhere; `to_history`
refuses it, as every order needs the time it was placed.

The figures mean exactly what `redemption.calculators` and `redemption.analysis` compute
on records; the two are written apart, and the tests check that they agree on every engine.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

try:
    import narwhals  # noqa: F401 - only to say which extra is missing
except ImportError as missing:
    message = "redemption.frames needs narwhals: pip install 'redemption[frames]'"
    raise ImportError(message) from missing

from collections.abc import Mapping
from datetime import date, timedelta, tzinfo
from typing import Any, Literal, overload

from dateutil.relativedelta import relativedelta
from narwhals.stable.v2.typing import IntoDataFrameT, IntoLazyFrameT

from redemption.dates import MOSCOW, day_end
from redemption.errors import InvalidArgumentError
from redemption.frames._analysis import rate_series, refusal_breakdown, refusal_costs
from redemption.frames._convert import to_history, to_lines
from redemption.frames._figures import buyer_report_query, ransom_query, rate_query
from redemption.frames._lines import finish, lines_of
from redemption.frames._sources import Engine, Paths, report_rows
from redemption.frames._wb_statistics import ORDER_FIELDS, SALE_FIELDS, statistics_lines
from redemption.order_lines import TIMESTAMPS
from redemption.windows import (
    TWO_YEARS,
    DayWindow,
    Period,
    redemption_window,
    require_ended,
    trailing_window,
)

__all__ = [
    "buyer_reports",
    "ransom_amounts",
    "rate_series",
    "read_wildberries_statistics",
    "redemption_rates",
    "refusal_breakdown",
    "refusal_costs",
    "to_history",
    "to_lines",
]

_GROUPS = {"sku": "sku", "seller": "seller_id"}


@overload
def redemption_rates(
    lines: IntoDataFrameT,
    *,
    period: Period,
    today: date,
    by: Literal["sku", "seller"] | None = "sku",
    tz: tzinfo = MOSCOW,
    columns: Mapping[str, str] | None = None,
) -> IntoDataFrameT: ...


@overload
def redemption_rates(
    lines: IntoLazyFrameT,
    *,
    period: Period,
    today: date,
    by: Literal["sku", "seller"] | None = "sku",
    tz: tzinfo = MOSCOW,
    columns: Mapping[str, str] | None = None,
) -> IntoLazyFrameT: ...


def redemption_rates(
    lines: Any,
    *,
    period: Period,
    today: date,
    by: Literal["sku", "seller"] | None = "sku",
    tz: tzinfo = MOSCOW,
    columns: Mapping[str, str] | None = None,
) -> Any:
    """Return the seller's redemption rate over `period` per SKU or seller, as of `today`.

    The marketplace's 30-day window method (seed 003), as `redemption.redemption_rates`
    computes it: one row per group with an order placed in the orders window, with
    ``orders``, ``sales``, ``returns``, ``in_transit`` (Int64), ``rate`` and
    ``rate_with_returns`` (Float64, null when ``orders`` is 0). ``by=None`` gives one row,
    the seller's total, with no group column.

    Args:
        lines: order lines (see the module), eager or lazy.
        period: the period selected.
        today: the day the figures are computed on; later events are not seen.
        by: ``"sku"`` (column ``sku``), ``"seller"`` (column ``seller_id``) or ``None``.
        tz: the zone whose calendar days the windows are made of.
        columns: the frame's names of columns named otherwise.

    Returns:
        The same kind of frame as `lines`.

    Raises:
        ColumnError: a column is missing or of the wrong type.
        InvalidPeriodError: the period ends after `today`.

    Example:
        >>> from datetime import UTC, date, datetime
        >>> import polars as pl
        >>> from redemption import Period
        >>> at = datetime(2025, 4, 2, 9, tzinfo=UTC)
        >>> lines = pl.DataFrame({
        ...     "sku": ["nm-1", "nm-1", "nm-2"], "ordered_at": [at, at, at],
        ...     "cancelled_at": [None, at, None], "sold_at": [at, None, None],
        ...     "returned_at": [None, None, None],
        ... }, schema_overrides={c: pl.Datetime("us", "UTC") for c in
        ...     ("ordered_at", "cancelled_at", "sold_at", "returned_at")})
        >>> rates = redemption_rates(lines, period=Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                          today=date(2025, 4, 30))
        >>> rates.sort("sku").rows()
        [('nm-1', 2, 1, 0, 0, 0.5, 0.5), ('nm-2', 0, 0, 0, 1, None, None)]

    .. versionadded:: 0.1.0
    """
    if by is not None and by not in _GROUPS:
        msg = f"by must be 'sku', 'seller' or None, not {by!r}"
        raise InvalidArgumentError(msg)
    key = None if by is None else _GROUPS[by]
    window = redemption_window(period, today=today)
    orders_from, orders_until = window.orders.bounds(tz)
    sales_from, sales_until = window.sales.bounds(tz)
    checked = lines_of(lines, (*(() if key is None else (key,)), *TIMESTAMPS), columns)
    result = rate_query(
        checked.frame,
        orders_from=orders_from,
        orders_until=orders_until,
        sales_from=sales_from,
        sales_until=sales_until,
        known_until=day_end(today, tz),
        key=key,
    )
    return finish(result, checked)


@overload
def ransom_amounts(
    lines: IntoDataFrameT,
    *,
    today: date,
    tz: tzinfo = MOSCOW,
    window: relativedelta | timedelta = TWO_YEARS,
    seller_id: object | None = None,
    columns: Mapping[str, str] | None = None,
) -> IntoDataFrameT: ...


@overload
def ransom_amounts(
    lines: IntoLazyFrameT,
    *,
    today: date,
    tz: tzinfo = MOSCOW,
    window: relativedelta | timedelta = TWO_YEARS,
    seller_id: object | None = None,
    columns: Mapping[str, str] | None = None,
) -> IntoLazyFrameT: ...


def ransom_amounts(
    lines: Any,
    *,
    today: date,
    tz: tzinfo = MOSCOW,
    window: relativedelta | timedelta = TWO_YEARS,
    seller_id: object | None = None,
    columns: Mapping[str, str] | None = None,
) -> Any:
    """Return every buyer's ransom amount (сумма выкупа) as of `today`, in kopecks.

    As `redemption.ransom_amounts` computes it (seed 000): the prices of the buyer's orders
    bought out within `window` up to the end of `today` and not returned by then. One row
    per buyer with an order placed by the end of `today`: ``buyer_id`` and
    ``ransom_kopecks`` (Int64, whole kopecks, 0 when nothing qualifies). Orders without a
    buyer are left out. `redemption.ransom_amounts` gives the same columns through its
    ``to_pandas()``, ``to_polars()`` and ``to_arrow()``.

    Args:
        lines: order lines (see the module), eager or lazy.
        today: the day the figures are computed on.
        tz: the zone whose calendar days the window is made of.
        window: how far back sales count (two calendar years by default).
        seller_id: count only orders of this seller (column ``seller_id``).
        columns: the frame's names of columns named otherwise.

    Returns:
        The same kind of frame as `lines`.

    Raises:
        ColumnError: a column is missing or of the wrong type.
        InvalidPeriodError: `window` reaches forwards or is not made of whole days.

    .. versionadded:: 0.1.0
    """
    sold_from, known_until = trailing_window(today, window).bounds(tz)
    needed = ("buyer_id", "price", *TIMESTAMPS, *(() if seller_id is None else ("seller_id",)))
    checked = lines_of(lines, needed, columns)
    result = ransom_query(
        checked.frame, sold_from=sold_from, known_until=known_until, seller_id=seller_id
    )
    return finish(result, checked)


@overload
def buyer_reports(
    lines: IntoDataFrameT,
    *,
    today: date,
    period: Period | None = None,
    tz: tzinfo = MOSCOW,
    columns: Mapping[str, str] | None = None,
) -> IntoDataFrameT: ...


@overload
def buyer_reports(
    lines: IntoLazyFrameT,
    *,
    today: date,
    period: Period | None = None,
    tz: tzinfo = MOSCOW,
    columns: Mapping[str, str] | None = None,
) -> IntoLazyFrameT: ...


def buyer_reports(
    lines: Any,
    *,
    today: date,
    period: Period | None = None,
    tz: tzinfo = MOSCOW,
    columns: Mapping[str, str] | None = None,
) -> Any:
    """Return every buyer's redemption percentage over the orders placed in `period`.

    As `redemption.buyer_reports` computes it (seed 000): one row per buyer with an order
    in the period: ``buyer_id``, ``placed`` (sold or cancelled by the end of `today`),
    ``sold``, ``returned``, ``in_transit`` (Int64) and ``rate``, ``(sold - returned) /
    placed`` (Float64, null when nothing is placed).

    Args:
        lines: order lines (see the module), eager or lazy.
        today: the day the figures are computed on.
        period: the days of the orders counted; by default the two calendar years ending
            `today`.
        tz: the zone whose calendar days the period is made of.
        columns: the frame's names of columns named otherwise.

    Returns:
        The same kind of frame as `lines`.

    Raises:
        ColumnError: a column is missing or of the wrong type.
        InvalidPeriodError: `period` ends after `today`.

    .. versionadded:: 0.1.0
    """
    if period is None:
        days = trailing_window(today)
    else:
        require_ended(period, today)
        days = DayWindow(period.start, period.end)
    placed_from, placed_until = days.bounds(tz)
    checked = lines_of(lines, ("buyer_id", *TIMESTAMPS), columns)
    result = buyer_report_query(
        checked.frame,
        placed_from=placed_from,
        placed_until=placed_until,
        known_until=day_end(today, tz),
    )
    return finish(result, checked)


def read_wildberries_statistics(
    orders: Paths | None = None,
    sales: Paths | None = None,
    *,
    backend: Engine = "duckdb",
    seller_id: str = "seller",
    connection: Any = None,
    session: Any = None,
) -> tuple[Any, Any]:
    """Read Wildberries statistics reports straight into order lines, on a lazy engine.

    The columnar twin of `redemption.io.read_wildberries_statistics`, with its rules
    written again on frames (each checks the other): a ``supplier/orders`` row is an order
    line (``srid``) of the SKU ``nmId`` at ``finishedPrice`` (kopecks, half-even), placed at
    ``date`` and, where ``isCancel``, cancelled at ``cancelDate`` (`CancelKind.UNKNOWN`;
    ``0001-01-01T00:00:00`` is no date); a ``supplier/sales`` row with a ``saleID``
    starting ``S`` is its sale and ``R`` its return (`ReturnKind.RETURN`), others are
    skipped. Of a row repeated by overlapping pages the latest ``lastChangeDate`` is
    kept (of equals, the last read); contradictions are settled as `History.sift` settles
    them. Naive times are Moscow time. Nothing is collected: the lines are a DuckDB
    relation, a polars ``LazyFrame`` or a Spark ``DataFrame`` that the figures
    (`redemption_rates`...) take as they are.

    Beside the lines comes a frame of the rows put aside, one per row: ``source`` (the
    file), ``row`` (from 1, in its file), ``field`` (null where the row as a whole is at
    fault), ``reason`` and ``kind``: ``refused`` (a bad row), ``skipped`` (a sales row
    that is neither a sale nor a return), ``merged`` (an older version of a repeated row),
    ``unmatched`` (a sale or return whose order is not given: lines have no row for it),
    ``conflict`` (a sale or return that contradicts another, its rule in the reason), or
    ``amended`` (the row of a sold order whose cancellation was put aside; it makes its
    line too). Every row read makes a line, completes one (its sale or return), or is put
    aside: rows read = lines + sold + returned + rows put aside but ``amended``.

    Each frame reads the files when it is collected: collecting both reads them twice
    (with polars, ``pl.collect_all`` reads them once).

    Only times written ``YYYY-MM-DDTHH:MM:SS`` without an offset (as the API writes
    them) are read; others are refused, where the object importer reads every ISO form.
    Text is read as each engine writes a JSON value, so a ``"true"`` given as text reads
    as ``true``, and a price must be digits with a point (``990.5``), not ``1e3``.

    Args:
        orders: the ``supplier/orders`` pages: a file (a JSON array, gzipped or not), a
            folder of them (its ``.json`` and ``.json.gz`` files), a glob, or a sequence
            of these, read in that order (a folder's files and a glob's matches by name).
        sales: the ``supplier/sales`` pages, likewise.
        backend: ``"duckdb"``, ``"polars"`` or ``"pyspark"``.
        seller_id: the seller the reports belong to (they do not say).
        connection: the DuckDB connection to read on (the default one if not given).
        session: the Spark session (the active one if not given).

    Returns:
        The order lines and the rows put aside, both native lazy frames of the engine.

    Raises:
        InvalidArgumentError: an unknown backend, or no Spark session.
        ReportFormatError: a path names no file, or a file is empty; a file that is not
            a JSON array raises from the engine when the frame is collected.

    Example:
        >>> import json, tempfile
        >>> from pathlib import Path
        >>> folder = Path(tempfile.mkdtemp())
        >>> (folder / "orders.json").write_text(json.dumps([
        ...     {"srid": "a1", "date": "2025-04-01T10:00:00", "lastChangeDate":
        ...      "2025-04-01T10:00:00", "nmId": 42, "finishedPrice": 990.5,
        ...      "isCancel": False, "cancelDate": "0001-01-01T00:00:00"}]))
        180
        >>> lines, aside = read_wildberries_statistics(folder / "orders.json",
        ...                                            backend="polars", seller_id="shop")
        >>> lines.select("order_id", "sku", "price", "ordered_at").collect().rows()
        [('a1', '42', 99050, datetime.datetime(2025, 4, 1, 7, 0, tzinfo=zoneinfo.ZoneInfo(key='UTC')))]
        >>> aside.collect().height
        0

    .. versionadded:: 0.2.0
    """  # noqa: E501 - a doctest's output is one line
    order_rows = report_rows(
        orders, ORDER_FIELDS, backend=backend, connection=connection, session=session
    )
    sale_rows = (
        None
        if sales is None
        else report_rows(
            sales, SALE_FIELDS, backend=backend, connection=connection, session=session
        )
    )
    lines, aside = statistics_lines(order_rows, sale_rows, seller_id=seller_id)
    return lines.to_native(), aside.to_native()
