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

from typing import Any

import narwhals.stable.v2 as nw

from redemption.frames._rows import (
    empty,
    reading_place,
    stripped,
    with_first_met,
    with_kopecks,
    with_text_read,
)
from redemption.frames._sources import ROW, SOURCE
from redemption.frames._times import with_moscow_time
from redemption.order_lines import LINE_COLUMNS

__all__ = ["NOT_CANCELLED", "ORDER_FIELDS", "SALE_FIELDS", "statistics_lines"]

ORDER_FIELDS = ("srid", "date", "lastChangeDate", "nmId", "finishedPrice", "isCancel", "cancelDate")
"""The fields of a ``supplier/orders`` row that are read."""
SALE_FIELDS = ("srid", "saleID", "date", "lastChangeDate")
"""The fields of a ``supplier/sales`` row that are read."""
NOT_CANCELLED = "0001-01-01T00:00:00"
"""The ``cancelDate`` Wildberries gives an order that was not cancelled."""
_TEXT = nw.String()


def _latest(frame: nw.LazyFrame[Any], key: str) -> nw.LazyFrame[Any]:
    """Mark the version kept of each `key` among the rows read (``_kept``).

    A row's version (``_version``) is its ``_changed``, null for a row with a reason against
    it. The latest, and of rows with the same latest one the last read (``_at``), is kept,
    as the object importer replaces the version it keeps by any later row not older. One
    window ranks a key's rows: a bad row ranks below every good one. What comes after the
    window asks whether a row has a version, not whether it has a reason, where it can: a
    query that needs no reason then carries no reason's text through the window.
    """
    frame = frame.with_columns(
        nw.when(nw.col("_reason").is_null()).then(nw.col("_changed")).alias("_version")
    )
    version = nw.col("_version")
    last = nw.col(key).is_last_distinct().over(order_by=["_version", "_at"])
    return frame.with_columns((~version.is_null() & last).fill_null(value=False).alias("_kept"))


def _place(frame: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Give each row its place in reading order (``_at``)."""
    return frame.with_columns(reading_place().alias("_at"))


def _orders(raw: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Every ``supplier/orders`` row read: its order's values, or why it is refused."""
    # the key and the SKU are used as they are, stripped; the other fields are stripped
    # where they do not read as given (few rows): stripping is dear on DuckDB
    cancel = nw.col("cancelDate")
    frame = _place(raw).with_columns(
        stripped(nw.col("srid")).alias("srid"),
        stripped(nw.col("nmId")).alias("nmId"),
        (
            empty(cancel)
            | nw.when(cancel == NOT_CANCELLED)
            .then(nw.lit(value=True))
            .otherwise(stripped(cancel) == NOT_CANCELLED)
        )
        .fill_null(value=False)
        .alias("_sentinel"),
    )
    frame = with_text_read(frame, nw.col("isCancel"), "_flag", r"^(true|false)\z")
    cancelled = (nw.col("_flag") == "true").fill_null(value=False)
    frame = frame.with_columns(cancelled.alias("_cancelled"))
    frame = with_moscow_time(frame, nw.col("lastChangeDate"), "_changed")
    frame = with_moscow_time(frame, nw.col("date"), "_ordered")
    frame = with_moscow_time(frame, nw.when(nw.col("_cancelled")).then(cancel), "_cancel")
    frame = with_kopecks(frame, nw.col("finishedPrice"), "_kopecks")
    cancelled, sentinel = nw.col("_cancelled"), nw.col("_sentinel")
    flag_ok = nw.col("_flag_ok")
    # the reasons' texts, stripped: made only for the rows a reason is given
    cancel_text, date_text = stripped(cancel), stripped(nw.col("date"))
    is_bad = {c: ~nw.col(f"{c}_bad").is_null() for c in ("_changed", "_ordered", "_cancel")}
    frame = with_first_met(
        frame,
        [
            (empty(nw.col("srid")), "srid", nw.lit("missing")),
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
                nw.concat_str([nw.lit("false, but the order has a cancel date "), cancel_text]),
            ),
            (~nw.col("_kopecks_bad").is_null(), "finishedPrice", nw.col("_kopecks_bad")),
            (empty(nw.col("nmId")), "nmId", nw.lit("missing")),
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
                        cancel_text,
                        nw.lit(" before ordered "),
                        date_text,
                    ]
                ),
            ),
        ],
        ("_field", "_reason"),
    )
    return _latest(frame, "srid")


def _sales(raw: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Every ``supplier/sales`` row read: its sale or return, or why it is refused or skipped."""
    # the times are stripped where they do not read as given (`with_moscow_time`)
    frame = _place(raw).with_columns(*(stripped(nw.col(f)).alias(f) for f in ("srid", "saleID")))
    frame = with_moscow_time(frame, nw.col("lastChangeDate"), "_changed")
    frame = with_moscow_time(frame, nw.col("date"), "_event")
    frame = with_first_met(
        frame,
        [
            (empty(nw.col("saleID")), "saleID", nw.lit("missing")),
            (~nw.col("_changed_bad").is_null(), "lastChangeDate", nw.col("_changed_bad")),
            (empty(nw.col("srid")), "srid", nw.lit("missing")),
            (~nw.col("_event_bad").is_null(), "date", nw.col("_event_bad")),
        ],
        ("_field", "_reason"),
    )
    sale_id = nw.col("saleID")
    frame = frame.with_columns(
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
        nw.col("_cancel").alias("_cancelled_at"),  # null but for a cancelled order
        nw.when(nw.col("_version").is_null())
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
