"""Wildberries statistics reports (``supplier/orders``, ``supplier/sales``) as order lines.

The rules of `redemption.io.read_wildberries_statistics`, written again on frames with
narwhals, so that each implementation checks the other:

- a ``supplier/orders`` row is an order line, known by its ``srid``, of the SKU ``nmId``,
  priced at ``finishedPrice`` (in kopecks, rounded half-even), placed at ``date``; a row
  with ``isCancel`` true was cancelled at its ``cancelDate`` (`CancelKind.UNKNOWN`: the
  report does not say who cancelled), and ``0001-01-01T00:00:00`` is no cancel date;
- a ``supplier/sales`` row whose ``saleID`` starts with ``S`` is the sale of its ``srid``
  at its ``date``; with ``R``, its return (`ReturnKind.RETURN`); any other is skipped;
- a row repeated (pages overlap) is merged: of the rows with one ``srid`` (orders) or one
  ``saleID`` (sales) the one with the latest ``lastChangeDate`` is kept, and of those with
  the same latest one, the last read (files in the order given, rows in the order of the
  file);
- the records kept contradict each other as `History.sift` decides: a sale before its
  order, a second sale or return of one order, a return without a sale or before it are
  put aside; a sale of a cancelled order puts the cancellation aside;
- naive times are Moscow time, a time in the hour the clocks went back read as its first
  occurrence, one the clocks skipped with the offset before the change, as Python does.

Everything is an expression on the rows' text: nothing is collected, and each file is read
once per frame asked for.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

import narwhals.stable.v2 as nw

from redemption.dates import MOSCOW
from redemption.frames._sources import FILE, ROW, SOURCE
from redemption.order_lines import LINE_COLUMNS

__all__ = [
    "ASIDE_COLUMNS",
    "AT_BITS",
    "MAX_WHOLE_DIGITS",
    "NOT_CANCELLED",
    "ORDER_FIELDS",
    "SALE_FIELDS",
    "WHITESPACE",
    "first_problem",
    "statistics_lines",
    "stripped",
]

ORDER_FIELDS = ("srid", "date", "lastChangeDate", "nmId", "finishedPrice", "isCancel", "cancelDate")
"""The fields of a ``supplier/orders`` row that are read."""
SALE_FIELDS = ("srid", "saleID", "date", "lastChangeDate")
"""The fields of a ``supplier/sales`` row that are read."""
NOT_CANCELLED = "0001-01-01T00:00:00"
"""The ``cancelDate`` Wildberries gives an order that was not cancelled."""
ASIDE_COLUMNS = ("source", "row", "field", "reason", "kind")
"""The columns of the rows put aside."""

_YEAR = "([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"
_DAYS = "(0[1-9]|[12][0-9]|3[01])", "(0[1-9]|[12][0-9]|30)", "(0[1-9]|1[0-9]|2[0-9])"
_MOMENT = (
    f"^{_YEAR}-((0[13578]|1[02])-{_DAYS[0]}|(0[469]|11)-{_DAYS[1]}|02-{_DAYS[2]})"
    "T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
)
"""A date and time ``YYYY-MM-DDTHH:MM:SS`` of the calendar, but that 29 February is
allowed in every year: one pattern checks what six numbers would."""
_PRICE = r"^[0-9]+(\.[0-9]+)?$"
MAX_WHOLE_DIGITS = 16
"""Roubles of at most this many digits hold in 64 bits as kopecks."""
AT_BITS = 32
"""A row's place among every file: its file's place above these bits, its row below."""
_TEXT = nw.String()
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""The characters Python's `str.strip` takes off, as the object importers strip text: the
engines' own stripping differs (ASCII only on DuckDB, Rust's set on polars)."""


@functools.cache
def moscow_offsets() -> tuple[str, tuple[tuple[str, str], ...]]:
    """Moscow's offsets from UTC by local time, as text comparisons can choose them.

    Returns the first local time placed (offsets before it were not whole minutes), and
    each local time from which an offset holds, with the offset as ``+HHMM``, the latest
    first. A local time from a change's boundary on has the offset after the change:
    the boundary is the change's instant in the larger of the two offsets, so that a
    time the clocks skipped, or one they passed twice, has the offset before the change,
    as ``datetime.replace(tzinfo=MOSCOW)`` gives it.
    """

    def offset(second: int) -> timedelta:
        found = datetime.fromtimestamp(second, UTC).astimezone(MOSCOW).utcoffset()
        assert found is not None  # noqa: S101 - a ZoneInfo always has one
        return found

    changes: list[tuple[int, timedelta, timedelta]] = []
    start = int(datetime(1880, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(2040, 1, 1, tzinfo=UTC).timestamp())
    step = 6 * 3600
    before = offset(start)
    for second in range(start, end, step):
        after = offset(second + step)
        if after == before:
            continue
        low, high = second, second + step  # offset(low) is before, offset(high) after
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if offset(middle) == before else (low, middle)
        changes.append((high, before, after))
        before = after
    whole = [i for i, (_, old, _) in enumerate(changes) if old.total_seconds() % 60]
    first = whole[-1] + 1 if whole else 0
    bounds: list[tuple[str, str]] = []
    for moment, old, new in changes[first:]:
        local = datetime.fromtimestamp(moment, UTC).replace(tzinfo=None) + max(old, new)
        minutes = int(new.total_seconds()) // 60
        sign = "+" if minutes >= 0 else "-"
        hours, rest = divmod(abs(minutes), 60)
        bounds.append((local.isoformat(timespec="seconds"), f"{sign}{hours:02d}{rest:02d}"))
    return bounds[0][0], tuple(reversed(bounds))


def _with_moment(frame: nw.LazyFrame[Any], text: nw.Expr, name: str) -> nw.LazyFrame[Any]:
    """Add the instant a naive Moscow time's text names (`name`), and why it has none.

    ``{name}`` is the instant (UTC), null where the text is missing or is no time;
    ``{name}_bad`` says why, null where it is read. Only ``YYYY-MM-DDTHH:MM:SS`` is read.
    """
    raw = nw.col(f"_{name}_text")
    ok = f"_{name}_ok"
    frame = frame.with_columns(text.alias(f"_{name}_text")).with_columns(
        raw.str.contains(_MOMENT).fill_null(value=False).alias(ok)
    )
    # the pattern lets 29 February by in every year: the year of one is read and checked
    year = nw.when(nw.col(ok) & (raw.str.slice(5, 5) == "02-29")).then(raw.str.slice(0, 4))
    frame = frame.with_columns(year.cast(nw.Int64).alias(f"_{name}_y"))
    y = nw.col(f"_{name}_y")
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    frame = frame.with_columns((nw.col(ok) & leap.fill_null(value=True)).alias(ok))
    first, bounds = moscow_offsets()
    placed = nw.col(ok) & (raw >= first)
    (latest, zone), *earlier = bounds
    offset = nw.when(raw >= latest).then(nw.lit(zone))
    for bound, zone in earlier:
        offset = offset.when(raw >= bound).then(nw.lit(zone))
    missing = raw.is_null() | (raw == "")
    frame = frame.with_columns(
        nw.when(placed)
        .then(nw.concat_str([raw, offset]))
        .str.to_datetime(format="%Y-%m-%dT%H:%M:%S%z")
        .alias(name),
        nw.when(missing)
        .then(nw.lit("missing"))
        .when(~nw.col(ok))
        .then(nw.concat_str([nw.lit("not a date and time of the form YYYY-MM-DDTHH:MM:SS: "), raw]))
        .when(~placed)
        .then(
            nw.concat_str(
                [nw.lit(f"before {first}, when Moscow's offset was not whole minutes: "), raw]
            )
        )
        .alias(f"{name}_bad"),
    )
    return frame.drop(f"_{name}_text", ok, f"_{name}_y")


def _with_kopecks(frame: nw.LazyFrame[Any], column: str) -> nw.LazyFrame[Any]:
    """Add a price's whole kopecks (``_kopecks``, half-even) and why it has none."""
    text = nw.col(column)
    frame = frame.with_columns(
        text.str.contains(_PRICE).fill_null(value=False).alias("_price_shape")
    ).with_columns(
        nw.when(nw.col("_price_shape")).then(text.str.replace_all(r"\..*$", "")).alias("_whole"),
        nw.when(nw.col("_price_shape"))
        .then(text.str.replace_all(r"^[0-9]*\.?", ""))
        .alias("_fraction"),
    )
    whole, fraction = nw.col("_whole"), nw.col("_fraction")
    fits = nw.col("_price_shape") & (whole.str.len_chars() <= MAX_WHOLE_DIGITS)
    frame = frame.with_columns(
        (
            nw.when(fits).then(whole).cast(nw.Int64) * 100
            + nw.when(fits)
            .then(nw.concat_str([fraction, nw.lit("00")]).str.slice(0, 2))
            .cast(nw.Int64)
        ).alias("_kop"),
        nw.concat_str([fraction, nw.lit("0")]).str.slice(2, 1).alias("_third"),
        fraction.str.slice(3).str.contains("[1-9]").fill_null(value=False).alias("_beyond"),
    )
    third = nw.col("_third")
    up = (third > "5") | (  # the digit that decides rounding
        (third == "5") & (nw.col("_beyond") | (nw.col("_kop") % 2 == 1))
    )
    missing = text.is_null() | (text == "")
    return frame.with_columns(
        (nw.col("_kop") + up.fill_null(value=False).cast(nw.Int64))
        .cast(nw.Int64)
        .alias("_kopecks"),
        nw.when(missing)
        .then(nw.lit("missing"))
        .when(~nw.col("_price_shape"))
        .then(
            nw.concat_str([nw.lit("not a price (digits, a point and digits, at least 0): "), text])
        )
        .when(~fits)
        .then(nw.concat_str([nw.lit("too large a price to hold in kopecks: "), text]))
        .alias("_price_bad"),
    ).drop("_price_shape", "_whole", "_fraction", "_kop", "_third", "_beyond")


def first_problem(
    checks: list[tuple[nw.Expr, str | nw.Expr | None, nw.Expr]],
) -> tuple[nw.Expr, nw.Expr]:
    """The field and reason of the first check a row fails, in the order given; else null.

    Each check is whether the row fails it (null is a pass), the field it names (text, an
    expression, or ``None`` for the row as a whole) and the reason.
    """
    fields: Any = nw
    reasons: Any = nw
    for bad, field, reason in checks:
        named = field if isinstance(field, nw.Expr) else nw.lit(field, dtype=_TEXT)
        fields = fields.when(bad.fill_null(value=False)).then(named)
        reasons = reasons.when(bad.fill_null(value=False)).then(reason)
    return fields, reasons


def stripped(text: nw.Expr) -> nw.Expr:
    """`text` without the whitespace at its ends, as `str.strip` takes it off.

    Text is seldom padded, so only text that may be is stripped: stripping 29 characters
    from every value costs DuckDB several times what comparing its ends does. Every
    whitespace character is below ``!`` or from U+0085 on, and text compares by its
    first character first.
    """
    last = text.str.slice(-1)
    padded = (text < "!") | (text >= "\x85") | (last < "!") | (last >= "\x85")
    return (
        nw.when(padded.fill_null(value=False))
        .then(text.str.strip_chars(WHITESPACE))
        .otherwise(text)
    )


def _empty(text: nw.Expr) -> nw.Expr:
    return (text.is_null() | (text == "")).fill_null(value=True)


def _latest(frame: nw.LazyFrame[Any], key: str) -> nw.LazyFrame[Any]:
    """Mark the version kept of each `key` among the rows read (``_kept``).

    The latest ``_changed``, and of rows with the same latest one the last read (``_at``),
    as the object importer replaces the version it keeps by any later row not older. One
    window ranks a key's rows: a bad row has no version, and ranks below every good one.
    """
    valid = nw.col("_reason").is_null()
    frame = frame.with_columns(nw.when(valid).then(nw.col("_changed")).alias("_version"))
    last = nw.col(key).is_last_distinct().over(order_by=["_version", "_at"])
    kept = (valid & last).fill_null(value=False)
    return frame.with_columns(kept.alias("_kept")).drop("_version")


def _place(frame: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Strip the fields' text and give each row its place in reading order (``_at``)."""
    return frame.with_columns(
        (nw.col(FILE) * (1 << AT_BITS) + nw.col(ROW)).cast(nw.Int64).alias("_at")
    )


def _orders(raw: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Every ``supplier/orders`` row read: its order's values, or why it is refused."""
    given_cancel = nw.col("cancelDate")
    frame = _place(raw).with_columns(
        _empty(given_cancel).alias("_no_cancel_given"),
        *(stripped(nw.col(f)).alias(f) for f in ORDER_FIELDS),
    )
    flag = nw.col("isCancel")
    frame = frame.with_columns(
        flag.is_in(["true", "false"]).fill_null(value=False).alias("_flag_ok"),
        (flag == "true").fill_null(value=False).alias("_cancelled"),
    ).with_columns(
        (nw.col("_no_cancel_given") | (nw.col("cancelDate") == NOT_CANCELLED))
        .fill_null(value=False)
        .alias("_sentinel")
    )
    frame = _with_moment(frame, nw.col("lastChangeDate"), "_changed")
    frame = _with_moment(frame, nw.col("date"), "_ordered")
    frame = _with_moment(frame, nw.when(nw.col("_cancelled")).then(nw.col("cancelDate")), "_cancel")
    frame = _with_kopecks(frame, "finishedPrice")
    cancelled, sentinel = nw.col("_cancelled"), nw.col("_sentinel")
    flag_ok = nw.col("_flag_ok")
    is_bad = {c: ~nw.col(f"{c}_bad").is_null() for c in ("_changed", "_ordered", "_cancel")}
    field, reason = first_problem(
        [
            (_empty(nw.col("srid")), "srid", nw.lit("missing")),
            (is_bad["_changed"], "lastChangeDate", nw.col("_changed_bad")),
            (~flag_ok, "isCancel", nw.lit("expected true or false")),
            (
                flag_ok & cancelled & sentinel,
                "cancelDate",
                nw.lit("isCancel is true but the order has no cancel date"),
            ),
            (
                flag_ok & ~cancelled & ~sentinel,
                "isCancel",
                nw.concat_str(
                    [nw.lit("false, but the order has a cancel date "), nw.col("cancelDate")]
                ),
            ),
            (~nw.col("_price_bad").is_null(), "finishedPrice", nw.col("_price_bad")),
            (_empty(nw.col("nmId")), "nmId", nw.lit("missing")),
            (is_bad["_ordered"], "date", nw.col("_ordered_bad")),
            (cancelled & is_bad["_cancel"], "cancelDate", nw.col("_cancel_bad")),
            (
                (cancelled & (nw.col("_cancel") < nw.col("_ordered"))).fill_null(value=False),
                None,
                nw.concat_str(
                    [
                        nw.lit("order "),
                        nw.col("srid"),
                        nw.lit(": cancelled "),
                        nw.col("cancelDate"),
                        nw.lit(" before ordered "),
                        nw.col("date"),
                    ]
                ),
            ),
        ]
    )
    frame = frame.with_columns(field.alias("_field"), reason.alias("_reason"))
    return _latest(frame, "srid")


def _sales(raw: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Every ``supplier/sales`` row read: its sale or return, or why it is refused or skipped."""
    frame = _place(raw).with_columns(*(stripped(nw.col(f)).alias(f) for f in SALE_FIELDS))
    frame = _with_moment(frame, nw.col("lastChangeDate"), "_changed")
    frame = _with_moment(frame, nw.col("date"), "_event")
    field, reason = first_problem(
        [
            (_empty(nw.col("saleID")), "saleID", nw.lit("missing")),
            (~nw.col("_changed_bad").is_null(), "lastChangeDate", nw.col("_changed_bad")),
            (_empty(nw.col("srid")), "srid", nw.lit("missing")),
            (~nw.col("_event_bad").is_null(), "date", nw.col("_event_bad")),
        ]
    )
    sale_id = nw.col("saleID")
    frame = frame.with_columns(
        field.alias("_field"),
        reason.alias("_reason"),
        nw.when(sale_id.str.starts_with("S"))
        .then(nw.lit("S"))
        .when(sale_id.str.starts_with("R"))
        .then(nw.lit("R"))
        .alias("_kind"),
    )
    frame = frame.with_columns(
        nw.when(nw.col("_reason").is_null() & nw.col("_kind").is_null())
        .then(
            nw.concat_str(
                [
                    nw.lit("saleID "),
                    sale_id,
                    nw.lit(" is neither a sale (S...) nor a return (R...)"),
                ]
            )
        )
        .alias("_skip")
    )
    # a skipped row is no version of its saleID: the object importer keys only rows it uses
    frame = frame.with_columns(
        nw.when(nw.col("_skip").is_null())
        .then(nw.col("_reason"))
        .otherwise(nw.lit("skip"))
        .alias("_reason")
    )
    frame = _latest(frame, "saleID")
    used = nw.col("_kept") | nw.col("_reason").is_null()  # every version of a saleID
    frame = frame.with_columns(
        nw.when(nw.col("_skip").is_null()).then(nw.col("_reason")).alias("_reason"),
        # the saleID's place among the sales given: where it was first read
        nw.when(used & nw.col("_skip").is_null()).then(nw.col("_at")).alias("_first"),
    )
    return frame.with_columns(nw.col("_first").min().over("saleID").alias("_given"))


_EVENT_COLUMNS = (
    "srid",
    "_kind",
    "_when",
    "_given",
    "_sku",
    "_kopecks",
    "_cancelled_at",
    "_use",
    "_field",
    "_reason",
    SOURCE,
    ROW,
)


def _order_events(orders: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """The orders' rows in the shape of events: kind ``O``, at the time the order was placed."""
    return orders.select(
        nw.col("srid"),
        nw.lit("O").alias("_kind"),
        nw.col("_ordered").alias("_when"),
        nw.col("_at").alias("_given"),
        nw.col("nmId").alias("_sku"),
        nw.col("_kopecks"),
        nw.when(nw.col("_cancelled")).then(nw.col("_cancel")).alias("_cancelled_at"),
        nw.when(~nw.col("_reason").is_null())
        .then(nw.lit("refused"))
        .when(~nw.col("_kept"))
        .then(nw.lit("merged"))
        .otherwise(nw.lit("line"))
        .alias("_use"),
        nw.col("_field"),
        nw.col("_reason"),
        nw.col(SOURCE),
        nw.col(ROW),
    )


def _sale_events(sales: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """The sales' rows in the shape of events: kind ``S`` or ``R``, at their time."""
    return sales.select(
        nw.col("srid"),
        nw.col("_kind"),
        nw.col("_event").alias("_when"),
        nw.col("_given"),
        nw.lit(None, dtype=_TEXT).alias("_sku"),
        nw.lit(None, dtype=nw.Int64()).alias("_kopecks"),
        # a null of the type of the orders' times, whatever zone the engine gives them
        nw.when(nw.lit(value=False)).then(nw.col("_event")).alias("_cancelled_at"),
        nw.when(~nw.col("_reason").is_null())
        .then(nw.lit("refused"))
        .when(~nw.col("_skip").is_null())
        .then(nw.lit("skipped"))
        .when(~nw.col("_kept"))
        .then(nw.lit("merged"))
        .otherwise(nw.lit("event"))
        .alias("_use"),
        nw.col("_field"),
        nw.when(nw.col("_skip").is_null())
        .then(nw.col("_reason"))
        .otherwise(nw.col("_skip"))
        .alias("_reason"),
        nw.col(SOURCE),
        nw.col(ROW),
    )


def _settled(events: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Decide every order's sale and return as `History.sift` does; say what each row is.

    Sales and returns are taken in the order their ``saleID`` was first read (``_given``).
    The sale kept is the first not before its order; those before it were sold before
    ordered, those after it are second sales. The return kept is the first after the sale
    kept (any, without an order; none, for an order not sold); those after it are second
    returns. ``_use`` becomes ``line`` (an order's row), ``sold``, ``returned``,
    ``unmatched`` (no order), ``conflict`` or ``amended`` (a sold order's cancellation put
    aside); rows ``refused``, ``skipped`` and ``merged`` stay as they are.
    """
    kind, use, when, given = nw.col("_kind"), nw.col("_use"), nw.col("_when"), nw.col("_given")
    line = (kind == "O") & (use == "line")
    event = use == "event"
    srid = "srid"
    events = events.with_columns(
        nw.when(line).then(when).alias("_o_when"),
        line.cast(nw.Int64).alias("_o_line"),
    ).with_columns(
        nw.col("_o_when").max().over(srid).alias("_ordered_at"),
        (nw.col("_o_line").max().over(srid) == 1).fill_null(value=False).alias("_has_order"),
    )
    ordered_at, has_order = nw.col("_ordered_at"), nw.col("_has_order")
    sale = event & (kind == "S")
    back = event & (kind == "R")
    events = events.with_columns(
        nw.when(sale & (ordered_at.is_null() | (when >= ordered_at))).then(given).alias("_s_ok")
    ).with_columns(nw.col("_s_ok").min().over(srid).alias("_s_first"))
    s_first = nw.col("_s_first")
    events = events.with_columns(
        nw.when(sale & (given == s_first)).then(when).alias("_s_when")
    ).with_columns(nw.col("_s_when").max().over(srid).alias("_sold_at"))
    sold_at = nw.col("_sold_at")
    after_sale = (
        nw.when(has_order)
        .then(~sold_at.is_null() & (when >= sold_at))
        .otherwise(sold_at.is_null() | (when >= sold_at))
    )
    events = events.with_columns(
        nw.when(back & after_sale).then(given).alias("_r_ok")
    ).with_columns(nw.col("_r_ok").min().over(srid).alias("_r_first"))
    r_first = nw.col("_r_first")
    events = events.with_columns(
        nw.when(back & (given == r_first)).then(when).alias("_r_when")
    ).with_columns(nw.col("_r_when").max().over(srid).alias("_returned_at"))
    kept_sale = sale & (given == s_first).fill_null(value=False)
    kept_back = back & (given == r_first).fill_null(value=False)
    rule = (
        nw.when(sale & (given > s_first).fill_null(value=False))
        .then(nw.lit("duplicate-sale"))
        .when(sale)
        .then(nw.lit("sold-before-ordered"))
        .when(back & (given > r_first).fill_null(value=False))
        .then(nw.lit("duplicate-return"))
        .when(back & has_order & sold_at.is_null())
        .then(nw.lit("returned-unsold"))
        .when(back)
        .then(nw.lit("returned-before-sold"))
    )
    amended = line & ~nw.col("_cancelled_at").is_null() & ~sold_at.is_null()
    return events.with_columns(
        nw.when(amended)
        .then(nw.lit("amended"))
        .when((kept_sale | kept_back) & ~has_order)
        .then(nw.lit("unmatched"))
        .when(kept_sale)
        .then(nw.lit("sold"))
        .when(kept_back)
        .then(nw.lit("returned"))
        .when(event)
        .then(nw.lit("conflict"))
        .otherwise(use)
        .alias("_use"),
        nw.when(amended)
        .then(
            nw.concat_str(
                [
                    nw.lit("order "),
                    nw.col(srid),
                    nw.lit(" is sold and cancelled: the cancellation is put aside, "),
                    nw.lit("a sale outweighs it (sold-but-cancelled)"),
                ]
            )
        )
        .when((kept_sale | kept_back) & ~has_order)
        .then(
            nw.concat_str(
                [
                    nw.lit("order "),
                    nw.col(srid),
                    nw.lit(" is not in the orders given: order lines have no row for it"),
                ]
            )
        )
        .when(event & ~kept_sale & ~kept_back)
        .then(
            nw.concat_str(
                [
                    nw.lit("order "),
                    nw.col(srid),
                    nw.lit(": this "),
                    nw.when(kind == "S").then(nw.lit("sale")).otherwise(nw.lit("return")),
                    nw.lit(" is put aside ("),
                    rule,
                    nw.lit(")"),
                ]
            )
        )
        .otherwise(nw.col("_reason"))
        .alias("_reason"),
    )


def _lines(events: nw.LazyFrame[Any], seller_id: str, *, sold: bool) -> nw.LazyFrame[Any]:
    """The order lines of the rows that make one, in the contract's columns and types."""
    lines = events.filter(nw.col("_use").is_in(["line", "amended"]))
    nothing = nw.when(nw.lit(value=False)).then(nw.col("_when"))  # a null time, typed
    sold_at = nw.col("_sold_at") if sold else nothing
    returned_at = nw.col("_returned_at") if sold else nothing
    cancelled_at = nw.when(sold_at.is_null()).then(nw.col("_cancelled_at"))
    text = {
        "buyer_id": None,
        "cancel_reason": None,
        "cancel_reason_text": None,
        "return_reason": None,
        "return_reason_text": None,
    }
    columns = {
        "order_id": nw.col("srid"),
        "seller_id": nw.lit(seller_id, dtype=_TEXT),
        "sku": nw.col("_sku"),
        "price": nw.col("_kopecks").cast(nw.Int64),
        "ordered_at": nw.col("_when"),
        "cancelled_at": cancelled_at,
        "sold_at": sold_at,
        "returned_at": returned_at,
        "cancel_kind": nw.when(~cancelled_at.is_null()).then(nw.lit("unknown", dtype=_TEXT)),
        "return_kind": nw.when(~returned_at.is_null()).then(nw.lit("return", dtype=_TEXT)),
        **{name: nw.lit(value, dtype=_TEXT) for name, value in text.items()},
        "delivery_cost": nw.lit(None, dtype=nw.Int64()),
        "return_cost": nw.lit(None, dtype=nw.Int64()),
    }
    return lines.select(*(columns[name].alias(name) for name in LINE_COLUMNS))


def _aside(events: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """The rows that make no line and complete none, each with its place and reason."""
    aside = events.filter(~nw.col("_use").is_in(["line", "sold", "returned"]))
    merged = nw.concat_str(
        [
            nw.lit("a repeat of "),
            nw.col("srid"),
            nw.lit(": merged into its version with the latest lastChangeDate"),
        ]
    )
    return aside.select(
        nw.col(SOURCE).alias("source"),
        nw.col(ROW).cast(nw.Int64).alias("row"),
        nw.col("_field").cast(_TEXT).alias("field"),
        nw.when(nw.col("_use") == "merged")
        .then(merged)
        .otherwise(nw.col("_reason"))
        .alias("reason"),
        nw.col("_use").alias("kind"),
    )


def statistics_lines(
    orders: nw.LazyFrame[Any], sales: nw.LazyFrame[Any] | None, *, seller_id: str
) -> tuple[nw.LazyFrame[Any], nw.LazyFrame[Any]]:
    """Return the order lines of the reports' rows, and the rows put aside.

    Args:
        orders: the ``supplier/orders`` rows, every field text (see `_sources`).
        sales: the ``supplier/sales`` rows likewise, or ``None`` where none are given.
        seller_id: the seller the reports belong to.

    Returns:
        The lines (the columns of `redemption.order_lines`), and the rows put aside:
        ``source``, ``row``, ``field`` (null where the row as a whole is at fault),
        ``reason`` and ``kind`` (``refused``, ``skipped``, ``merged``, ``unmatched``,
        ``conflict``, or ``amended`` for the row of a sold order whose cancellation was
        put aside, which also makes its line).
    """
    order_events = _order_events(_orders(orders))
    if sales is None:
        return _lines(order_events, seller_id, sold=False), _aside(order_events)
    events = nw.concat([order_events, _sale_events(_sales(sales))], how="vertical")
    events = _settled(events.select(*_EVENT_COLUMNS))
    return _lines(events, seller_id, sold=True), _aside(events)
