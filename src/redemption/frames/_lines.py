"""The frame of order lines the figures take: its columns, their types, and the way back.

Every figure starts here: the caller's frame is wrapped by narwhals, the columns a figure
needs are checked (present, and of a type that means what the contract says) and renamed
to the contract's names, and the result is handed back as the kind of frame given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import narwhals.stable.v2 as nw
from narwhals.dtypes import DType

from redemption.errors import ArgumentTypeError, ColumnError, InvalidArgumentError
from redemption.order_lines import COST_COLUMNS, IDS, LINE_COLUMNS, OUTCOME_COLUMNS, TIMESTAMPS

__all__ = ["Lines", "finish", "lines_of"]

_KINDS = {
    **dict.fromkeys(TIMESTAMPS, "a time-zone-aware timestamp"),
    **dict.fromkeys(IDS, "text or a whole number"),
    **dict.fromkeys(OUTCOME_COLUMNS, "text"),
    "price": "a whole number of kopecks",
    **dict.fromkeys(COST_COLUMNS, "whole numbers of kopecks, null where unknown"),
}


def _fits(column: str, dtype: DType) -> bool:
    """Whether a column of this dtype means what the contract says `column` holds."""
    if column in TIMESTAMPS:
        return isinstance(dtype, nw.Datetime) and dtype.time_zone is not None
    if column == "price":
        return bool(dtype.is_integer())
    if column in COST_COLUMNS:
        # null where unknown: pandas makes an integer column with a gap float, and a column
        # with no value at all may have no type of its own
        return bool(dtype.is_integer() or dtype.is_float() or dtype in {nw.Unknown, nw.Object})
    if column in OUTCOME_COLUMNS:
        # a column with no value at all may have no type of its own, or pandas' float of NaN
        return bool(dtype in {nw.String, nw.Categorical, nw.Unknown, nw.Object} or dtype.is_float())
    # ids: floats too, as pandas makes an integer column with a gap
    return bool(dtype == nw.String or dtype.is_numeric() or dtype == nw.Categorical)


_AWARE_IN_DUCKDB = nw.Datetime(time_unit="us", time_zone="UTC")


def _types(frame: nw.LazyFrame[Any], columns: list[str]) -> dict[str, DType]:
    """The types of those of `columns` that the frame has, as narwhals names them.

    On DuckDB a time zone is a setting of the connection, so narwhals runs a query for it
    whenever it types a ``TIMESTAMP WITH TIME ZONE`` column: some 2 ms, on every call, for
    a zone the check does not need (only that there is one). There such a column is read
    from the relation's own types, as the UTC instants DuckDB stores, and the others are
    typed by narwhals.
    """
    if not frame.implementation.is_duckdb():
        schema = frame.collect_schema()
        return {column: schema[column] for column in columns if column in schema}
    native = frame.to_native()
    kinds = {name: kind.id for name, kind in zip(native.columns, native.types, strict=True)}
    aware = {name for name, kind in kinds.items() if kind == "timestamp with time zone"}
    others = [column for column in columns if column in kinds and column not in aware]
    types = dict(frame.select(*others).collect_schema()) if others else {}
    return types | {column: _AWARE_IN_DUCKDB for column in columns if column in aware}


class Lines:
    """The caller's frame as a narwhals `LazyFrame` of the columns a figure needs.

    Attributes:
        frame: those columns, named as the contract names them.
        eager: whether the caller gave an eager frame, to be given one back.
    """

    def __init__(self, frame: nw.LazyFrame[Any], *, eager: bool) -> None:
        """Keep the checked columns, and how the caller's frame was."""
        self.frame = frame
        self.eager = eager


def lines_of(
    native: Any,
    needed: tuple[str, ...],
    columns: Mapping[str, str] | None,
    optional: tuple[str, ...] = (),
) -> Lines:
    """Wrap the caller's frame and check the columns a figure needs.

    Args:
        native: a data frame or lazy frame of any library narwhals supports.
        needed: the contract's names of the columns the figure reads.
        optional: the contract's names of columns read where the frame has them.
        columns: the caller's name for any column named otherwise, keyed by the
            contract's name.

    Raises:
        ArgumentTypeError: `native` is not a frame narwhals supports.
        InvalidArgumentError: `columns` names a column the contract does not have.
        ColumnError: a needed column is missing or of a type that does not fit.
    """
    names = dict(columns or {})
    unknown = sorted(set(names) - set(LINE_COLUMNS))
    if unknown:
        msg = (
            f"columns remaps {', '.join(map(repr, unknown))}, which order lines do not have; "
            f"they have {', '.join(LINE_COLUMNS)}"
        )
        raise InvalidArgumentError(msg)
    try:
        wrapped = nw.from_native(native)
    except TypeError:
        msg = (
            "order lines must be a data frame or lazy frame (polars, pandas, pyarrow, DuckDB, "
            f"PySpark...), not {type(native).__name__}"
        )
        raise ArgumentTypeError(msg) from None
    if isinstance(wrapped, nw.Series):
        msg = "order lines must be a data frame, not a series"
        raise ArgumentTypeError(msg)
    eager = isinstance(wrapped, nw.DataFrame)
    frame: nw.LazyFrame[Any] = wrapped.lazy() if isinstance(wrapped, nw.DataFrame) else wrapped
    schema = _types(frame, [names.get(c, c) for c in (*needed, *optional)])
    needed = (*needed, *(c for c in optional if names.get(c, c) in schema))
    for column in needed:
        theirs = names.get(column, column)
        if theirs not in schema:
            remap = "" if column in names else f"; name yours with columns={{{column!r}: ...}}"
            msg = (
                f"the order lines have no column {theirs!r} ({_KINDS[column]}){remap}; "
                f"their columns are {', '.join(frame.columns)}"
            )
            raise ColumnError(msg, column=theirs)
        if not _fits(column, schema[theirs]):
            msg = f"column {theirs!r} must hold {_KINDS[column]}, but its type is {schema[theirs]}"
            raise ColumnError(msg, column=theirs)
    renamed = {names[c]: c for c in needed if names.get(c, c) != c}
    # a rename is a step of its own: taken only where the caller's names differ
    return Lines(frame.rename(renamed) if renamed else frame, eager=eager)


def finish(result: nw.LazyFrame[Any], lines: Lines) -> Any:
    """Hand a figure back as the kind of frame the caller gave: eager or lazy, native."""
    return result.collect().to_native() if lines.eager else result.to_native()
