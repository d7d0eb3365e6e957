"""The figures as narwhals queries: one implementation for every engine.

Written apart from `redemption.calculators`, so that each checks the other. The rules of
FRAMES.md hold throughout: windows are turned into aware UTC instants in Python and
compared with the timestamp columns; flags are made in a ``select`` and cast to ``Int64``
before a plain ``sum()`` (orders in transit are the rows less those counted); every output
column is cast to its declared type last. Each figure is four steps (filter, flags, sums,
casts): every step costs a lazy engine a plan of its own, a fixed cost that counts when
the window is small.

A flag that is counted may be null where an event has not happened: ``sum()`` skips nulls
on every engine, and ``&`` and ``|`` follow Kleene's logic on every engine (null or true
is true, null and false is false), so a null flag counts exactly as a false one would.
Leaving it null spares a ``fill_null`` for each comparison: a ``COALESCE`` on SQL engines,
where the per-SKU rate runs about a tenth faster for it (polars sums a null-free flag a
little faster; one implementation cannot have both).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import narwhals.stable.v2 as nw

__all__ = ["buyer_report_query", "ransom_query", "rate_query"]


def _before(column: str, instant: datetime) -> nw.Expr:
    """The column's instant is before `instant`; false where it is null."""
    return _happened(column, instant).fill_null(value=False)


def _happened(column: str, instant: datetime) -> nw.Expr:
    """The column's instant is before `instant`; null where it is null (a counted flag)."""
    return nw.col(column) < instant


def _between(column: str, start: datetime, stop: datetime) -> nw.Expr:
    """The column's instant is in ``[start, stop)``; null where it is null.

    As a filter, which drops nulls on every engine; a plain range lets an engine skip
    what its statistics rule out (DuckDB's zone maps on a table ordered by time).
    """
    return nw.col(column).is_between(start, stop, closed="left")


def _outcome(known_until: datetime) -> tuple[nw.Expr, nw.Expr]:
    """An order's outcome as of `known_until`: the one place frames decide it.

    Returns the flags *sold* (a sale known by then) and *settled* (sold, or else
    cancelled, by then); an order that is not settled is in transit. Both are counted flags:
    null where an event has not happened.
    """
    sold = _happened("sold_at", known_until)
    return sold, sold | _happened("cancelled_at", known_until)


def _share(numerator: nw.Expr, denominator: str) -> nw.Expr:
    """``numerator / denominator`` as Float64, null where the denominator is 0.

    Whole numbers divided give a float on every engine, rounded once: the float of the
    exact fraction.
    """
    return nw.when(nw.col(denominator) > 0).then(numerator / nw.col(denominator))


def _sum_by(
    flags: nw.LazyFrame[Any],
    key: str | None,
    counts: tuple[str, ...],
    *,
    in_transit_beside: str | None = None,
    **shares: nw.Expr,
) -> nw.LazyFrame[Any]:
    """Sum the Int64 flag columns `counts` per value of `key` (or in all), as Int64.

    With `in_transit_beside`, the rows are counted too, and ``in_transit`` is the rows that
    are not counted in that column. `shares` are more columns made from the sums, named by
    their keyword, as Float64.
    """
    sums = [nw.col(*counts).sum()]
    if in_transit_beside is not None:
        sums.append(nw.len().alias("_rows"))
    summed: nw.LazyFrame[Any] = (
        flags.group_by(key).agg(*sums) if key is not None else flags.select(*sums)
    )
    in_transit = (
        {}
        if in_transit_beside is None
        else {"in_transit": (nw.col("_rows") - nw.col(in_transit_beside)).cast(nw.Int64)}
    )
    return summed.select(
        *([key] if key is not None else []),
        nw.col(*counts).cast(nw.Int64),
        **in_transit,
        **{name: share.cast(nw.Float64) for name, share in shares.items()},
    )


def rate_query(
    frame: nw.LazyFrame[Any],
    *,
    orders_from: datetime,
    orders_until: datetime,
    sales_from: datetime,
    sales_until: datetime,
    known_until: datetime,
    key: str | None,
) -> nw.LazyFrame[Any]:
    """Count orders, sales, returns and orders in transit per group, and the two rates.

    An order placed in ``[orders_from, orders_until)`` counts once its outcome is known by
    `known_until` (sold, or else cancelled); otherwise it is in transit. A counted sale in
    ``[sales_from, sales_until)`` is a sale, and its return in that window a return.
    """
    # The sales window ends by the end of today, so a sale in it is a sale known today.
    sale = _between("sold_at", sales_from, sales_until)
    _, settled = _outcome(known_until)
    flags = frame.filter(_between("ordered_at", orders_from, orders_until)).select(
        *([key] if key is not None else []),
        orders=settled.cast(nw.Int64),
        sales=sale.cast(nw.Int64),
        returns=(sale & _between("returned_at", sales_from, sales_until)).cast(nw.Int64),
    )
    return _sum_by(
        flags,
        key,
        ("orders", "sales", "returns"),
        in_transit_beside="orders",
        rate=_share(nw.col("sales"), "orders"),
        rate_with_returns=_share(nw.col("sales") - nw.col("returns"), "orders"),
    )


def ransom_query(
    frame: nw.LazyFrame[Any],
    *,
    sold_from: datetime,
    known_until: datetime,
    seller_id: object | None,
) -> nw.LazyFrame[Any]:
    """Sum per buyer the kopecks of orders sold in ``[sold_from, known_until)`` and kept.

    The column is ``ransom_kopecks``: money in frames is whole kopecks, named with its unit.

    Every buyer with an order placed before `known_until` has a row (0 when nothing
    qualifies); orders without a buyer are left out; with `seller_id`, only that seller's.
    """
    known = ~nw.col("buyer_id").is_null() & (nw.col("ordered_at") < known_until)
    if seller_id is not None:
        known = known & (nw.col("seller_id") == seller_id)
    sold, _ = _outcome(known_until)
    bought = (sold & (nw.col("sold_at") >= sold_from)).fill_null(value=False)
    kept = bought & ~_before("returned_at", known_until)
    values = frame.filter(known).select(
        "buyer_id",
        ransom_kopecks=nw.when(kept).then(nw.col("price")).otherwise(0).cast(nw.Int64),
    )
    return _sum_by(values, "buyer_id", ("ransom_kopecks",))


def buyer_report_query(
    frame: nw.LazyFrame[Any],
    *,
    placed_from: datetime,
    placed_until: datetime,
    known_until: datetime,
) -> nw.LazyFrame[Any]:
    """Count per buyer the orders placed in a window: placed, sold, returned, in transit.

    An order is placed (counted) once known sold or cancelled by `known_until`, else in
    transit; ``rate = (sold - returned) / placed``.
    """
    sold, settled = _outcome(known_until)
    flags = frame.filter(
        ~nw.col("buyer_id").is_null() & _between("ordered_at", placed_from, placed_until)
    ).select(
        "buyer_id",
        placed=settled.cast(nw.Int64),
        sold=sold.cast(nw.Int64),
        returned=(sold & _happened("returned_at", known_until)).cast(nw.Int64),
    )
    return _sum_by(
        flags,
        "buyer_id",
        ("placed", "sold", "returned"),
        in_transit_beside="placed",
        rate=_share(nw.col("sold") - nw.col("returned"), "placed"),
    )
