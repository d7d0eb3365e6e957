"""Between the two worlds: a `History` as a frame of order lines, and back."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from operator import index
from typing import Any, Literal

import narwhals.stable.v2 as nw

from redemption.errors import InvalidArgumentError, RecordTypeError
from redemption.frames._lines import lines_of
from redemption.history import History
from redemption.model import Logistics, Order, Return, Sale
from redemption.order_lines import (
    COST_COLUMNS,
    LINE_COLUMNS,
    OUTCOME_COLUMNS,
    TIMESTAMPS,
    SharedReasons,
    line_records,
    line_rows,
)

__all__ = ["Backend", "to_history", "to_lines"]

Backend = Literal["polars", "pandas", "pyarrow", "duckdb", "pyspark"]
"""The frame libraries `to_lines` builds for."""

_EAGER = ("polars", "pandas", "pyarrow")
_UTC = nw.Datetime("us", "UTC")
_KOPECKS = ("price", *COST_COLUMNS)
_SCHEMA = {
    column: _UTC if column in TIMESTAMPS else nw.Int64() if column in _KOPECKS else nw.String()
    for column in LINE_COLUMNS
}


def to_lines(history: History, *, backend: Backend = "polars", session: Any = None) -> Any:
    """Return a history as a frame of order lines, one row per order (see the module).

    Ids are text, prices ``Int64`` kopecks, times microsecond UTC timestamps; the order's
    logistics are ``delivery_cost`` and ``return_cost``, ``Int64`` kopecks, null where the
    history has none for it.

    Args:
        history: the history; a sale, return or logistics record without its order has
            no row, so a history holding one is refused rather than written short.
        backend: ``"polars"``, ``"pandas"`` or ``"pyarrow"`` for an eager frame;
            ``"duckdb"`` for a DuckDB relation; ``"pyspark"`` for a Spark ``DataFrame``
            (give the ``SparkSession`` as `session`).
        session: the Spark session, for ``backend="pyspark"``.

    Returns:
        The frame, of the library asked for (which must be installed).

    Raises:
        InvalidArgumentError: an unknown backend; sales, returns or logistics without their
            order; logistics too large for a 64-bit number of kopecks.

    Example:
        >>> from redemption.sample import sample_history
        >>> lines = to_lines(sample_history()[0])
        >>> lines.shape, lines.schema["price"], lines.schema["sold_at"]
        ((3600, 17), Int64, Datetime(time_unit='us', time_zone='UTC'))

    .. versionadded:: 0.1.0
    """
    if backend not in (*_EAGER, "duckdb", "pyspark"):
        msg = f"backend must be one of polars, pandas, pyarrow, duckdb, pyspark; not {backend!r}"
        raise InvalidArgumentError(msg)
    rows = line_rows(history)
    data = {column: [row[i] for row in rows] for i, column in enumerate(LINE_COLUMNS)}
    _check_costs(history)
    if backend == "pandas":
        # pandas' own int64 holds no null: the costs become its nullable Int64, made from
        # their digits so that no kopeck is lost on the way through a float
        for column in COST_COLUMNS:
            data[column] = [None if cost is None else str(cost) for cost in data[column]]
        schema = {**_SCHEMA, **dict.fromkeys(COST_COLUMNS, nw.String())}
        native = nw.from_dict(data, schema, backend=backend).to_native()
        return native.astype(dict.fromkeys(COST_COLUMNS, "Int64"))
    if backend == "polars" or backend == "pyarrow":  # noqa: PLR1714 - narrows
        return nw.from_dict(data, _SCHEMA, backend=backend).to_native()
    eager = nw.from_dict(data, _SCHEMA, backend="pyarrow")
    return eager.lazy(backend=backend, session=session).to_native()


_INT64_LIMIT = 2**63


def _check_costs(history: History) -> None:
    """Refuse logistics whose kopecks an ``Int64`` column cannot hold, naming the order."""
    for cost in history.logistics.values():
        if max(cost.to_buyer, cost.back) * 100 >= _INT64_LIMIT:
            msg = (
                f"order {cost.order_id}: its logistics ({cost.to_buyer} and {cost.back}) are "
                "too large to hold in kopecks in a 64-bit column"
            )
            raise InvalidArgumentError(msg)


def _missing(value: object) -> bool:
    """Whether a cell is empty: None, or what pandas puts in its place (NaN, NaT, NA)."""
    if value is None:
        return True
    try:
        return bool(value != value)  # noqa: PLR0124 - NaN and NaT are not equal to themselves
    except TypeError:  # pandas' NA is neither equal nor unequal to itself
        return True


def _id(value: object) -> str | None:
    """An id cell as text: integers (and integral floats, as pandas makes them) as digits."""
    if _missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cost(value: object, column: str) -> int | None:
    """A cost cell as whole kopecks: an integer, or a whole float (pandas' gaps make them)."""
    if _missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, bool | float):
        try:
            return index(value)  # type: ignore[arg-type] # an int, or numpy's
        except TypeError:
            pass
    msg = f"{column} must hold whole kopecks, found {type(value).__name__} {value!r}"
    raise RecordTypeError(msg)


def _moment(value: object) -> datetime | None:
    if _missing(value):
        return None
    if not isinstance(value, datetime):
        msg = f"expected a timestamp, found {type(value).__name__} {value!r}"
        raise RecordTypeError(msg)
    return value


def to_history(
    lines: Any, *, seller_id: str = "seller", columns: Mapping[str, str] | None = None
) -> History:
    """Collect a frame of order lines into a `History`, checking it as `History` does.

    Args:
        lines: order lines (see the module), eager or lazy: a lazy frame is collected.
            ``seller_id`` and ``buyer_id`` columns may be absent, and so may the outcome
            columns and ``delivery_cost`` and ``return_cost`` (null where no logistics
            are known; a line with one of them has the other 0).
        seller_id: the seller of rows with no ``seller_id`` column.
        columns: the frame's names of columns named otherwise.

    Returns:
        The history: one order per row, with its sale, return and logistics.

    Raises:
        ColumnError: a column is missing or of the wrong type.
        DataError: a row is invalid (naming its order), or rows contradict each other.

    Example:
        >>> from redemption.sample import sample_history
        >>> history = sample_history()[0]
        >>> to_history(to_lines(history, backend="pyarrow")).orders == history.orders
        True

    .. versionadded:: 0.1.0
    """
    needed = ("order_id", "sku", "price", *TIMESTAMPS)
    optional = ("seller_id", "buyer_id", *OUTCOME_COLUMNS, *COST_COLUMNS)
    checked = lines_of(lines, needed, columns, optional=optional)
    frame = checked.frame.collect()
    present = [
        column for column in optional if column in frame.columns and column not in COST_COLUMNS
    ]
    delivery, back_cost = (column in frame.columns for column in COST_COLUMNS)
    reasons: SharedReasons = {}  # one per distinct reason
    orders: list[Order] = []
    sales: list[Sale] = []
    returns: list[Return] = []
    logistics: list[Logistics] = []
    for row in frame.iter_rows(named=True):
        order_id = _id(row["order_id"])
        if order_id is None:
            msg = "an order line has no order_id"
            raise InvalidArgumentError(msg)
        given = {column: _id(row[column]) for column in present}
        order, sale, back, paid = line_records(
            order_id=order_id,
            seller_id=given.pop("seller_id", None) or seller_id,
            sku=_id(row["sku"]) or "",
            buyer_id=given.pop("buyer_id", None),
            kopecks=int(row["price"]),
            ordered_at=_moment(row["ordered_at"]),  # type: ignore[arg-type] # checked by Order
            cancelled_at=_moment(row["cancelled_at"]),
            sold_at=_moment(row["sold_at"]),
            returned_at=_moment(row["returned_at"]),
            reasons=reasons,
            delivery_cost=_cost(row["delivery_cost"], "delivery_cost") if delivery else None,
            return_cost=_cost(row["return_cost"], "return_cost") if back_cost else None,
            **given,
        )
        orders.append(order)
        if sale is not None:
            sales.append(sale)
        if back is not None:
            returns.append(back)
        if paid is not None:
            logistics.append(paid)
    return History(orders=orders, sales=sales, returns=returns, logistics=logistics)
