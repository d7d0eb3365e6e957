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
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Literal, overload

from dateutil.relativedelta import relativedelta
from narwhals.stable.v2.typing import IntoDataFrameT, IntoLazyFrameT

from redemption.dates import MOSCOW, day_end
from redemption.errors import ArgumentTypeError, InvalidArgumentError
from redemption.frames._analysis import rate_series, refusal_breakdown, refusal_costs
from redemption.frames._convert import to_history, to_lines
from redemption.frames._figures import buyer_report_query, ransom_query, rate_query
from redemption.frames._lines import finish, lines_of
from redemption.frames._ozon import (
    POSTING_PARTS,
    POSTING_WRAPPERS,
    RETURN_PARTS,
    RETURN_WRAPPERS,
    ozon_lines,
)
from redemption.frames._sources import Engine, Paths, counting, json_item_rows, report_rows
from redemption.frames._wb_realization import REALIZATION_FIELDS, realization_lines
from redemption.frames._wb_statistics import ORDER_FIELDS, SALE_FIELDS, statistics_lines
from redemption.order_lines import TIMESTAMPS
from redemption.outcomes import ReasonCategory
from redemption.reasons import reason_table
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
    "read_ozon_postings",
    "read_wildberries_realization",
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

    The marketplace's 30-day window method (Wildberries' "How we calculate the Wildberries
    redemption rate?"), as `redemption.redemption_rates`
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

    As `redemption.ransom_amounts` computes it (after the article "What is the ransom
    amount at Wildberries?"): the prices of the buyer's orders
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

    Example:
        Anna bought an order of 990.50 roubles and one of 1,200 she returned; Boris's order
        was cancelled:

        >>> from datetime import UTC, date, datetime
        >>> import polars as pl
        >>> at, back = datetime(2025, 4, 2, 9, tzinfo=UTC), datetime(2025, 4, 9, 9, tzinfo=UTC)
        >>> lines = pl.DataFrame({
        ...     "buyer_id": ["anna", "anna", "boris"], "price": [99050, 120000, 50000],
        ...     "ordered_at": [at, at, at], "cancelled_at": [None, None, at],
        ...     "sold_at": [at, at, None], "returned_at": [None, back, None],
        ... })
        >>> ransom_amounts(lines, today=date(2025, 4, 30)).sort("buyer_id").rows()
        [('anna', 99050), ('boris', 0)]

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

    As `redemption.buyer_reports` computes it (after the article "What is the ransom
    amount at Wildberries?"): one row per buyer with an order
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

    Example:
        Anna bought two orders and returned one; Boris's first order was cancelled and his
        second is still on its way:

        >>> from datetime import UTC, date, datetime
        >>> import polars as pl
        >>> at, back = datetime(2025, 4, 2, 9, tzinfo=UTC), datetime(2025, 4, 9, 9, tzinfo=UTC)
        >>> lines = pl.DataFrame({
        ...     "buyer_id": ["anna", "anna", "boris", "boris"],
        ...     "ordered_at": [at, at, at, at], "cancelled_at": [None, None, at, None],
        ...     "sold_at": [at, at, None, None], "returned_at": [None, back, None, None],
        ... })
        >>> reports = buyer_reports(lines, today=date(2025, 4, 30))
        >>> reports.columns
        ['buyer_id', 'placed', 'sold', 'returned', 'in_transit', 'rate']
        >>> reports.sort("buyer_id").rows()
        [('anna', 2, 2, 1, 0, 0.5), ('boris', 1, 0, 0, 1, 0.0)]

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
    as ``true``, an object or array given where text is expected reads as its JSON text
    (the object importer refuses its row), and a price must be digits with a point
    (``990.5``), not ``1e3``.

    Args:
        orders: the ``supplier/orders`` pages: a file (a JSON array, gzipped or not), a
            folder of them (its ``.json`` and ``.json.gz`` files), a glob, or a sequence
            of these, read in that order (a folder's files and a glob's matches by name);
            on DuckDB and Spark also a URL the engine reads (``s3://...``).
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


def read_wildberries_realization(
    reports: Paths | None,
    *,
    backend: Engine = "duckdb",
    seller_id: str = "seller",
    reasons: Mapping[str, ReasonCategory | str] | None = None,
    connection: Any = None,
    session: Any = None,
) -> tuple[Any, Any]:
    """Read a Wildberries realization report straight into order lines, on a lazy engine.

    The columnar twin of `redemption.io.read_wildberries_realization`, with its rules
    written again on frames (each checks the other): the rows of every file given are one
    report (``reportDetailByPeriod`` rows), and each order line (``srid``) one order of the
    SKU ``nm_id`` at ``retail_price_withdisc_rub`` (kopecks, half-even), placed at
    ``order_dt``. "Продажа" is its sale and "Возврат" its return (`ReturnKind.RETURN`),
    at ``sale_dt``. An order never sold is cancelled at its earliest way back: a refusal
    leg ("От клиента при отмене": ``refused``), a penalty for an order not fulfilled
    ("Штраф МП. Невыполненный заказ...", unless a "Сторно. ..." row reverses it:
    ``seller``, the reason its words through the reasons table), or another "Логистика"
    row carrying the unit back (``unknown``). The "Логистика" rows' ``delivery_rub`` sum
    to ``delivery_cost`` and ``return_cost`` (kopecks). Goods moved for the seller and
    rows of no order's are skipped, a repeated ``rrd_id`` merged, and contradictions
    settled as `History.sift` settles them. Times without a zone are Moscow time. Nothing
    is collected: the lines are a DuckDB relation, a polars ``LazyFrame`` or a Spark
    ``DataFrame`` that the figures take as they are.

    Beside the lines comes a frame of the rows put aside, one per row: ``source``,
    ``row`` (from 1, in its file), ``field`` (null where the row as a whole is at fault),
    ``reason`` and ``kind``: ``refused`` (a bad row, or the last leg of a way whose
    charges add up to less than nothing), ``skipped``, ``merged``, or ``conflict`` (a sale
    or return put aside, its rule in the reason; the row was used). Every other row was
    used: rows read = used + merged + skipped + refused, as `redemption.io.ImportReport`
    counts them.

    Where the frames read otherwise than the object importer:

    - a sale or return whose ``order_dt`` is another instant than that of the row that
      made its line known is refused (the object importer moves the order to it);
    - a repeated ``rrd_id`` is taken to repeat its row word for word: a repeat saying
      other things is put aside as merged, but its values still reach its line;
    - times are read only as ``YYYY-MM-DDTHH:MM:SS`` followed by nothing, ``Z``,
      ``+HH:MM`` or ``+HHMM``; amounts only as digits with a sign and a point (not
      ``1e3``); ``delivery_rub`` to 12 digits of roubles and 6 places; words are
      matched lowercased where the object importer casefolds them;
    - an object or array given where text is expected is read as its JSON text, where
      the object importer refuses its row;
    - the history's horizon (``date_to``), the prices rounded and the words no reasons
      table knew are not reported.

    Args:
        reports: the report's pages: a file (a JSON array, gzipped or not), a folder of
            them, a glob, or a sequence of these, read in that order as one report; on
            DuckDB and Spark also a URL the engine reads (``s3://...``).
        backend: ``"duckdb"``, ``"polars"`` or ``"pyspark"``.
        seller_id: the seller the report belongs to.
        reasons: the caller's words for reasons, laid over the shipped Wildberries table,
            as for `redemption.io.read_wildberries_realization`.
        connection: the DuckDB connection to read on (the default one if not given).
        session: the Spark session (the active one if not given).

    Returns:
        The order lines and the rows put aside, both native lazy frames of the engine.

    Raises:
        ArgumentTypeError: `reasons` is not a mapping.
        InvalidArgumentError: an unknown backend, no Spark session, or a word of `reasons`
            that is not text or has no `ReasonCategory`.
        ReportFormatError: a path names no file, or a file is empty.

    Example:
        An order delivered, then refused at the pick-up point and carried back:

        >>> import json, tempfile
        >>> from pathlib import Path
        >>> path = Path(tempfile.mkdtemp()) / "week.json"
        >>> def leg(rrd_id, words, rub):
        ...     return {"rrd_id": rrd_id, "supplier_oper_name": "Логистика", "srid": "a1",
        ...             "nm_id": 42, "order_dt": "2025-04-01T10:00:00Z",
        ...             "retail_price_withdisc_rub": 990.5, "sale_dt": "2025-04-05T10:00:00Z",
        ...             "bonus_type_name": words, "delivery_rub": rub, "return_amount": 1}
        >>> _ = path.write_text(json.dumps([leg(1, "К клиенту при отмене", 51.5),
        ...                                 leg(2, "От клиента при отмене", 50)]))
        >>> lines, aside = read_wildberries_realization(path, backend="polars")
        >>> lines.select("order_id", "price", "cancel_kind", "delivery_cost",
        ...              "return_cost").collect().rows()
        [('a1', 99050, 'refused', 5150, 5000)]
        >>> aside.collect().height
        0

    .. versionadded:: 0.2.0
    """  # noqa: RUF002 - Wildberries' own words
    table = reason_table("wildberries", reasons)
    rows = report_rows(
        reports, REALIZATION_FIELDS, backend=backend, connection=connection, session=session
    )
    lines, aside = realization_lines(rows, seller_id=seller_id, reasons=table)
    return lines.to_native(), aside.to_native()


def read_ozon_postings(
    postings: Paths,
    *,
    as_of: datetime,
    returns: Paths | None = None,
    backend: Engine = "duckdb",
    seller_id: str = "seller",
    reasons: Mapping[str, ReasonCategory | str] | None = None,
    connection: Any = None,
    session: Any = None,
) -> tuple[Any, Any]:
    """Read Ozon posting lists, and returns, straight into order lines, on a lazy engine.

    The columnar twin of `redemption.io.read_ozon_postings`, with its rules written again
    on frames (each checks the other): each unit of each product of a posting (FBO or
    FBS, old lists and new, in any mix) is an order line ``posting_number/sku/n`` at
    ``products[].price`` (kopecks, half-even; roubles only), placed at ``in_process_at``,
    of the buyer ``customer.customer_id``. Status ``delivered`` is sold at
    ``pickup_code_verified_at``, else the latest ``additional_data[].delivery_time``,
    else at `as_of` (or the posting's first return, if earlier); ``cancelled...`` is
    cancelled at `as_of`, its kind from ``cancellation`` (`CancelKind`), its reason read
    through the Ozon reasons table; any other status is in transit. A posting or return
    repeated on a later page is merged: the later one wins. Returns of type
    ``ClientReturn``, ``FullReturn`` and ``PartialReturn`` take their posting's units not
    yet returned in turn (`ReturnKind`); a refusal of a cancelled posting marks its units
    refused; ``financial_data.products[].item_services`` charges become the units'
    ``delivery_cost`` and ``return_cost``. Nothing is collected: the lines are a DuckDB
    relation, a polars ``LazyFrame`` or a Spark ``DataFrame``. On DuckDB a gzipped file is
    unpacked once as the frames are made, nothing kept, to tell DuckDB its size: DuckDB
    sets aside twice the size it is told, against its ``memory_limit``.

    Beside the lines comes a frame of the rows put aside, one per row: ``source``,
    ``row`` (the posting's or return's place in its file, from 1), ``field`` (null where
    the row as a whole is at fault), ``reason`` and ``kind``: ``refused`` (a bad row, or
    a return its posting contradicts), ``skipped`` (a ``Cancellation`` or unknown return
    type), ``merged`` (an older copy of a repeated posting or return) or ``unmatched``
    (a return whose posting is not given: lines have no row for it). Every row read makes
    lines (a posting), completes or marks them (a return), or is put aside.

    Where the two importers part, the object importer reading typed JSON and this one
    text, is listed in `redemption.frames._ozon`: chiefly, a return asking for more units
    than its posting has left puts aside every later return of that SKU too, and a value
    of the wrong JSON type is read as its text.

    Args:
        postings: the posting lists' pages: a file (one JSON response or array, gzipped or
            not), a folder of them, a glob, or a sequence of these, read in that order;
            on DuckDB and Spark also a URL the engine reads (``s3://...``).
        as_of: when the lists were downloaded: aware.
        returns: the ``/v1/returns/list`` pages, likewise.
        backend: ``"duckdb"``, ``"polars"`` or ``"pyspark"``.
        seller_id: the seller the lists belong to (they do not say).
        reasons: the caller's words for reasons, laid over the shipped Ozon table.
        connection: the DuckDB connection to read on (the default one if not given).
        session: the Spark session (the active one if not given).

    Returns:
        The order lines and the rows put aside, both native lazy frames of the engine.

    Raises:
        ArgumentTypeError: `as_of` is not a datetime.
        InvalidArgumentError: `as_of` has no time zone; an unknown backend, no Spark
            session, or a category of `reasons` that is no `ReasonCategory`.
        ReportFormatError: a path names no file, or a file is empty.

    Example:
        >>> import json, tempfile
        >>> from datetime import UTC, datetime
        >>> from pathlib import Path
        >>> page = Path(tempfile.mkdtemp()) / "postings.json"
        >>> _ = page.write_text(json.dumps({"postings": [
        ...     {"posting_number": "0132-0101-1", "status": "cancelled",
        ...      "in_process_at": "2025-04-01T10:00:00Z",
        ...      "cancellation": {"cancellation_type": "client",
        ...                       "cancel_reason": "Покупатель отменил заказ"},
        ...      "products": [{"sku": 42, "quantity": 2,
        ...                    "price": {"amount": "990.50", "currency": "RUB"}}]}]}))
        >>> lines, aside = read_ozon_postings(page, as_of=datetime(2025, 4, 10, tzinfo=UTC),
        ...                                   backend="polars")
        >>> lines.sort("order_id").select("order_id", "price", "cancel_kind",
        ...                               "cancel_reason").collect().rows()
        [('0132-0101-1/42/1', 99050, 'buyer', 'changed_mind'), ('0132-0101-1/42/2', 99050, 'buyer', 'changed_mind')]
        >>> aside.collect().height
        0

    .. versionadded:: 0.2.0
    """  # noqa: E501 - a doctest's output is one line
    moment: object = as_of
    if not isinstance(moment, datetime):
        msg = f"as_of must be a datetime, not {type(moment).__name__} {moment!r}"
        raise ArgumentTypeError(msg)
    if as_of.utcoffset() is None:
        msg = f"as_of {as_of.isoformat()} has no time zone: give an aware datetime"
        raise InvalidArgumentError(msg)
    table = reason_table("ozon", reasons)
    engine = {"backend": backend, "connection": connection, "session": session}
    posting_rows = json_item_rows(
        postings, wrappers=POSTING_WRAPPERS, parts=POSTING_PARTS, **engine
    )
    return_rows = (
        None
        if returns is None
        else json_item_rows(returns, wrappers=RETURN_WRAPPERS, parts=RETURN_PARTS, **engine)
    )
    lines, aside = ozon_lines(
        posting_rows,
        return_rows,
        counting(10, **engine),
        as_of=as_of.astimezone(UTC),
        seller_id=seller_id,
        reasons=table,
    )
    return lines.to_native(), aside.to_native()
