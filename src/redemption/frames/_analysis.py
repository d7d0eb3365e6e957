"""Why orders were not redeemed, what it cost, and the rate bucket by bucket, on frames.

`refusal_breakdown`, `refusal_costs` and `rate_series` of `redemption.analysis`, as
narwhals queries: the same figures, written apart. Each line's outcome is decided once,
by the flags of `_Outcome`, which all three read. They follow the rules of FRAMES.md as
`_figures` does: windows are turned into UTC instants in Python and compared with the
timestamp columns; flags are made in a ``select``, cast to ``Int64`` and summed plainly;
every output column is cast to its declared type last. On DuckDB and Spark, which turn
the whole query into SQL, the flags are summed as they are made, in the step that groups
(`_compiled`): the engine computes a repeated expression once, and DuckDB binds a
statement for every step as it is made, a fixed cost of each call.

A series assigns each line its bucket in the query itself. No engine offers a portable
"local day of an instant" (DuckDB and Spark keep the zone in the connection), so the
bucket is the number of bucket boundaries, literal instants, that the order's instant is
at or after: a balanced tree of comparisons, ``log2(buckets)`` deep. An engine that
evaluates every branch of it (pandas, pyarrow) makes one comparison per boundary and
line, so that a long daily series is slow there. The sales window of each bucket is checked the
same way: a sale is in the window of bucket ``b`` when the number of bucket starts at or
before it is more than ``b`` and the number of window ends at or before it is at most
``b``. Empty buckets are made from literals too (rows of a one-row frame of the caller's
own, cross-joined), so that a series is regular on every engine, and the whole series is
one query, of the caller's engine and connection.

A kind or reason column that the frame lacks is ``unknown`` on every line: that is decided
in Python, so that its counts are 0 or copies of other counts, not comparisons per line.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Literal, NamedTuple, TypeAlias, get_args, overload

import narwhals.stable.v2 as nw
from narwhals.dtypes import DType
from narwhals.stable.v2.typing import IntoDataFrameT, IntoLazyFrameT

from redemption.dates import MOSCOW, day_end
from redemption.errors import InvalidArgumentError
from redemption.frames._figures import _before, _between, _share
from redemption.frames._lines import Lines, finish, lines_of
from redemption.order_lines import COST_COLUMNS, TIMESTAMPS
from redemption.outcomes import CancelKind, ReasonCategory, ReturnKind
from redemption.windows import (
    SALES_LAG_DAYS,
    DayWindow,
    Period,
    redemption_window,
    require_ended,
)

__all__ = ["By", "CostsBy", "Freq", "rate_series", "refusal_breakdown", "refusal_costs"]

By: TypeAlias = Literal["sku", "seller", "buyer"] | None
"""A grouping: one group of every order, or by ``sku``, ``seller_id`` or ``buyer_id``."""

CostsBy: TypeAlias = Literal["sku", "seller", "buyer", "reason"] | None
"""A grouping of `refusal_costs`: those of `By`, or by the reason of the units not kept."""

Freq: TypeAlias = Literal["day", "week", "month"]
"""How long a bucket of a series is: a day, a week (Monday to Sunday), a calendar month."""

_GROUPS = {"sku": "sku", "seller": "seller_id", "buyer": "buyer_id"}
_FREQS: tuple[str, ...] = get_args(Freq)
_UNKNOWN = "unknown"
_TEXTS = ("cancel_kind", "cancel_reason", "return_kind", "return_reason")
_KINDS = ("cancel_kind", "return_kind")
_ONE_DAY = timedelta(days=1)

_RETURNED = {f"returned_{kind.value}": kind.value for kind in ReturnKind}
_CANCELLED = {f"cancelled_{kind.value}": kind.value for kind in CancelKind}
_REASONS = {f"reason_{category.value}": category.value for category in ReasonCategory}

BREAKDOWN_COUNTS = (
    "orders",
    "in_transit",
    "sales",
    "returns",
    "kept",
    *_RETURNED,
    "sold_late",
    *_CANCELLED,
    "cancelled",
    "not_kept",
    *_REASONS,
)
"""The Int64 columns of a breakdown, in the order of its frame (the rates come after
``returns``)."""

_REFUSED_CANCELLATIONS = [CancelKind.REFUSED.value, CancelKind.NOT_COLLECTED.value]
_REFUSED_RETURN = ReturnKind.REFUSED_AT_HANDOVER.value


def _group(by: object) -> str | None:
    """The column a grouping reads, or ``None`` for one group."""
    if by is None:
        return None
    if isinstance(by, str) and by in _GROUPS:
        return _GROUPS[by]
    msg = f"by must be None, 'sku', 'seller' or 'buyer', not {by!r}"
    raise InvalidArgumentError(msg)


def _types(lines: Lines, names: Sequence[str]) -> dict[str, DType]:
    """The types of those of the optional columns `names` that the frame has, read at once."""
    present = [name for name in names if name in lines.frame.columns]
    return dict(lines.frame.select(*present).collect_schema()) if present else {}


def _texts(lines: Lines, schema: Mapping[str, DType] | None = None) -> dict[str, nw.Expr | None]:
    """Each kind and reason column as text, ``"unknown"`` where it is null; ``None`` if absent.

    Categorical and object columns are read as text; a column of no value at all (no
    type of its own, or pandas' float of NaN) is as if absent. An absent column is
    ``"unknown"`` on every line: the queries decide in Python what that makes of each
    count, rather than compare a literal on every line. `schema` is the types of the
    columns, where the caller has read them already.
    """
    if schema is None:
        schema = _types(lines, _TEXTS)
    texts: dict[str, nw.Expr | None] = {}
    for name in _TEXTS:
        dtype = schema.get(name)
        if dtype == nw.String:
            texts[name] = nw.col(name).fill_null(_UNKNOWN)
        elif dtype in {nw.Categorical, nw.Object}:
            texts[name] = nw.col(name).cast(nw.String).fill_null(_UNKNOWN)
        else:
            texts[name] = None
    return texts


def _is(text: nw.Expr | None, value: str) -> nw.Expr | bool:
    """Whether the text is `value`: an expression, or known in Python where it is absent."""
    return value == _UNKNOWN if text is None else text == value


def _is_in(text: nw.Expr | None, values: Sequence[str]) -> nw.Expr | bool:
    """Whether the text is one of `values`, as `_is` does."""
    return _UNKNOWN in values if text is None else text.is_in(values)


def _is_not(text: nw.Expr | None, value: str) -> nw.Expr | bool:
    """Whether the text is not `value`, as `_is` does."""
    return value != _UNKNOWN if text is None else text != value


def _is_not_in(text: nw.Expr | None, values: Sequence[str]) -> nw.Expr | bool:
    """Whether the text is none of `values`, as `_is` does."""
    return _UNKNOWN not in values if text is None else ~text.is_in(values)


def _where(flag: nw.Expr, *, condition: nw.Expr | bool) -> nw.Expr | None:
    """The flag where the condition holds; ``None`` where it never does."""
    if condition is False:
        return None
    return flag if condition is True else flag & condition


def _any(flags: Sequence[nw.Expr]) -> nw.Expr:
    """Any of one or more flags."""
    total = flags[0]
    for flag in flags[1:]:
        total = total | flag
    return total


def _count(flag: nw.Expr) -> nw.Expr:
    """A flag as a count of 0 or 1 (null where the flag is: ``sum()`` skips it)."""
    return flag.cast(nw.Int64)


_Terms: TypeAlias = list[tuple[str, "nw.Expr | bool"]]
"""A count as disjoint terms: the lines counted in a column (``cancelled`` or ``returns``)
where a condition holds, the condition an expression or known in Python."""


def _kind_counts(texts: Mapping[str, nw.Expr | None]) -> dict[str, _Terms]:
    """Each kind's and reason's count of a breakdown, as terms over the cancelled and returned."""
    return_kind, cancel_kind = texts["return_kind"], texts["cancel_kind"]
    cancel_reason, return_reason = texts["cancel_reason"], texts["return_reason"]
    return {
        **{name: [("returns", _is(return_kind, kind))] for name, kind in _RETURNED.items()},
        **{name: [("cancelled", _is(cancel_kind, kind))] for name, kind in _CANCELLED.items()},
        **{
            name: [
                ("cancelled", _is(cancel_reason, category)),
                ("returns", _is(return_reason, category)),
            ]
            for name, category in _REASONS.items()
        },
    }


class _Outcome(NamedTuple):
    """How a line placed in the orders window ended, as four flags, none of them null.

    The one place the analysis on frames decides it: `breakdown_query`, `costs_query`
    and (with the windows of its buckets) `series_query` read an outcome from these.
    """

    sold: nw.Expr
    """Sold by the time outcomes are known."""
    ended: nw.Expr
    """Cancelled by then."""
    sale: nw.Expr
    """Sold within the sales window, which ends by then: a sale is sold."""
    back: nw.Expr
    """Returned within the sales window."""

    @property
    def settled(self) -> nw.Expr:
        """Counted: sold, or else cancelled; a line not settled is in transit."""
        return self.sold | self.ended

    @property
    def returned(self) -> nw.Expr:
        """Sold and returned within the sales window."""
        return self.sale & self.back

    @property
    def kept(self) -> nw.Expr:
        """Sold within the sales window and not returned within it."""
        return self.sale & ~self.back

    @property
    def sold_late(self) -> nw.Expr:
        """Sold, after the sales window closed."""
        return self.sold & ~self.sale

    @property
    def cancelled(self) -> nw.Expr:
        """Cancelled, and not sold."""
        return self.ended & ~self.sold


def _compiled(frame: nw.LazyFrame[Any]) -> bool:
    """Whether the engine turns the whole query into SQL and optimises it (DuckDB, Spark).

    There an expression written twice is computed once, and each step of the query is a
    statement that the engine binds when the step is made (DuckDB), so a query is made
    in fewer steps; elsewhere each step computes what it is given, once.
    """
    implementation = frame.implementation
    return bool(implementation.is_duckdb() or implementation.is_spark_like())


def _placed(
    frame: nw.LazyFrame[Any],
    values: Mapping[str, nw.Expr | None],
    *,
    carry: Sequence[str],
    orders_from: datetime,
    orders_until: datetime,
    sales_from: datetime,
    sales_until: datetime,
    known_until: datetime,
) -> tuple[nw.LazyFrame[Any], _Outcome, dict[str, nw.Expr | None]]:
    """The lines placed in ``[orders_from, orders_until)``, how each ended, and `values`.

    An order counts once sold, or else cancelled, by `known_until`; one sold in
    ``[sales_from, sales_until)`` is a sale, returned if its return falls there too.
    `values` are more expressions of a line that the query reads (its texts, its costs),
    each ``None`` where it is known in Python.

    Where the engine does not compile the query (`_compiled`), the flags and the values
    are made once, in a step of their own that keeps the columns `carry` beside them: an
    eager engine computes an expression each time it is written, and polars makes each
    instant compared with anew (0.3 ms each). The outcome and the values returned are
    expressions of the frame returned, either way.
    """
    if sales_until > known_until:  # pragma: no cover - a redemption window never does
        msg = "the sales window must end by the time outcomes are known"
        raise ValueError(msg)
    placed = frame.filter(_between("ordered_at", orders_from, orders_until))
    outcome = _Outcome(
        sold=_before("sold_at", known_until),
        ended=_before("cancelled_at", known_until),
        sale=_between("sold_at", sales_from, sales_until).fill_null(value=False),
        back=_between("returned_at", sales_from, sales_until).fill_null(value=False),
    )
    if _compiled(frame):
        return placed, outcome, dict(values)
    parts = placed.select(
        *carry,
        **{f"_{name}": flag for name, flag in zip(_Outcome._fields, outcome, strict=True)},
        **{f"_{name}": value for name, value in values.items() if value is not None},
    )
    read = {name: None if value is None else nw.col(f"_{name}") for name, value in values.items()}
    return parts, _Outcome(*(nw.col(f"_{name}") for name in _Outcome._fields)), read


def _summed(
    lines: nw.LazyFrame[Any],
    key: str | None,
    counts: Mapping[str, nw.Expr],
    *,
    group: nw.Expr | None = None,
) -> nw.LazyFrame[Any]:
    """Sum the Int64 `counts` of the lines per value of `key` (or in all), and the rows.

    The sums are named as the counts, the rows ``_rows``; `group` makes the column `key`
    where the lines do not have it. Where the engine compiles the query (`_compiled`)
    each count is summed as it is made, in the one step that groups; elsewhere the counts
    are made in a step of their own and their columns summed plainly (FRAMES.md, rule 3).
    """
    if _compiled(lines):
        flags = lines if group is None else lines.with_columns(group.alias(str(key)))
        sums = [count.sum().alias(name) for name, count in counts.items()]
    else:
        keys: list[Any] = [] if key is None else [key if group is None else group.alias(key)]
        flags = lines.select(*keys, **counts)
        sums = [nw.col(*counts).sum()]
    sums.append(nw.len().alias("_rows"))
    return flags.group_by(key).agg(*sums) if key is not None else flags.select(*sums)


def _refusals(
    outcome: _Outcome, texts: Mapping[str, nw.Expr | None]
) -> tuple[nw.Expr | None, nw.Expr | None, nw.Expr | None]:
    """The lines refused at handover, returned after purchase, and cancelled before handover.

    Refused: cancelled as ``refused`` or ``not_collected``, or returned as
    ``refused_at_handover``; the other returns and cancellations are the other two. Each is
    ``None`` where no line can be one (a kind whose column is absent is ``unknown``: known
    in Python, no comparison per line).
    """
    cancel_kind, return_kind = texts["cancel_kind"], texts["return_kind"]
    cancelled, returned = outcome.cancelled, outcome.returned
    refused = [
        term
        for term in (
            _where(cancelled, condition=_is_in(cancel_kind, _REFUSED_CANCELLATIONS)),
            _where(returned, condition=_is(return_kind, _REFUSED_RETURN)),
        )
        if term is not None
    ]
    return (
        _any(refused) if refused else None,
        _where(returned, condition=_is_not(return_kind, _REFUSED_RETURN)),
        _where(cancelled, condition=_is_not_in(cancel_kind, _REFUSED_CANCELLATIONS)),
    )


def breakdown_query(
    frame: nw.LazyFrame[Any],
    texts: Mapping[str, nw.Expr | None],
    *,
    orders_from: datetime,
    orders_until: datetime,
    sales_from: datetime,
    sales_until: datetime,
    known_until: datetime,
    key: str | None,
) -> nw.LazyFrame[Any]:
    """Count per group the orders placed in the orders window by outcome, kind and reason.

    An order counts once sold, or else cancelled, by `known_until`; otherwise it is in
    transit. A counted order sold in ``[sales_from, sales_until)`` is a sale, *returned*
    if its return falls there too and *kept* if not; one sold later is *sold late*; one
    not sold is *cancelled*. The cancelled and the returned are *not kept*, each
    under the category of its reason.

    Each line is counted in four flags (sold, sale, returned, cancelled) and the outcomes
    are sums and differences of theirs. A kind or reason whose column is absent is known
    in Python: its count is 0, or a copy of ``returns``, ``cancelled`` or their total,
    made after the sums; only a present column's kinds and reasons are flags on every line.
    """
    group = [key] if key is not None else []
    placed, outcome, read = _placed(
        frame,
        texts,
        carry=group,
        orders_from=orders_from,
        orders_until=orders_until,
        sales_from=sales_from,
        sales_until=sales_until,
        known_until=known_until,
    )
    lines = {"returns": outcome.returned, "cancelled": outcome.cancelled}
    line_flags: dict[str, nw.Expr] = {}
    after: dict[str, nw.Expr] = {}
    for name, terms in _kind_counts(read).items():
        live = [(base, condition) for base, condition in terms if condition is not False]
        if not live:
            after[name] = nw.lit(0, nw.Int64)
        elif all(condition is True for _, condition in live):
            after[name] = _plus(*(nw.col(base) for base, _ in live)).cast(nw.Int64)
        else:
            flags = [_where(lines[base], condition=condition) for base, condition in live]
            line_flags[name] = _count(_any([flag for flag in flags if flag is not None]))
            after[name] = nw.col(name).cast(nw.Int64)
    summed = _summed(
        placed,
        key,
        {
            "_sold": _count(outcome.sold),
            "sales": _count(outcome.sale),
            "returns": _count(lines["returns"]),
            "cancelled": _count(lines["cancelled"]),
            **line_flags,
        },
    )
    orders = nw.col("_sold") + nw.col("cancelled")
    sales, returns, cancelled = nw.col("sales"), nw.col("returns"), nw.col("cancelled")
    return summed.select(
        *group,
        orders=orders.cast(nw.Int64),
        in_transit=(nw.col("_rows") - orders).cast(nw.Int64),
        sales=sales.cast(nw.Int64),
        returns=returns.cast(nw.Int64),
        rate=nw.when(orders > 0).then(sales / orders).cast(nw.Float64),
        rate_with_returns=nw.when(orders > 0).then((sales - returns) / orders).cast(nw.Float64),
        kept=(sales - returns).cast(nw.Int64),
        **{name: after[name] for name in _RETURNED},
        sold_late=(nw.col("_sold") - sales).cast(nw.Int64),
        **{name: after[name] for name in _CANCELLED},
        cancelled=cancelled.cast(nw.Int64),
        not_kept=(cancelled + returns).cast(nw.Int64),
        **{name: after[name] for name in _REASONS},
    )


_COST_OUTCOMES = ("refused", "returned", "cancelled", "sold_late", "kept")
"""The outcomes whose logistics `refusal_costs` sums, in the order of its columns."""

_COST_PARTS = ("units", "known", "to_buyer_kopecks", "back_kopecks")
"""What `refusal_costs` gives of each outcome: its units, those with logistics known, and
what carrying those to the buyer and back cost."""


_AMOUNTS = {"to_buyer_kopecks": "delivery_cost", "back_kopecks": "return_cost"}
"""The sums of logistics of an outcome, and the cost column each adds up."""


def _kopecks(column: str, dtype: DType) -> nw.Expr:
    """A cost column as Int64 kopecks, 0 where it is null.

    pandas holds an integer column with a gap as floats of whole kopecks, and a column of
    nothing but gaps as objects: both are read through a float, exact below 2**53 kopecks.
    """
    cost = nw.col(column) if dtype.is_integer() else nw.col(column).cast(nw.Float64)
    return cost.fill_null(0).cast(nw.Int64)


def costs_query(
    frame: nw.LazyFrame[Any],
    texts: Mapping[str, nw.Expr | None],
    costs: Mapping[str, DType],
    *,
    orders_from: datetime,
    orders_until: datetime,
    sales_from: datetime,
    sales_until: datetime,
    known_until: datetime,
    key: str | None,
    reasons: bool,
) -> nw.LazyFrame[Any]:
    """Sum per group the logistics of the orders placed in the orders window, by outcome.

    The outcomes are `breakdown_query`'s, the refused split from the returned and the
    cancelled as `_refusals` does. `costs` holds the types of the cost columns the frame
    has (``delivery_cost``, ``return_cost``): a line has logistics known where one of them
    is not null. A cost column that is absent is null on every line: its sums are 0, and
    with neither the ``known`` counts too, made after the sums.

    With `reasons`, `key` is made of the reasons: the category of a cancelled line's
    ``cancel_reason`` and of a returned line's ``return_reason`` (``unknown`` where null),
    null for the others (kept, sold late, in transit).
    """
    group = [key] if key is not None and not reasons else []
    # a line's logistics, made once: known where a cost is, each cost 0 where null
    logistics = {
        "known": _any([~nw.col(column).is_null() for column in costs]) if costs else None,
        **{
            part: _kopecks(column, costs[column]) if column in costs else None
            for part, column in _AMOUNTS.items()
        },
    }
    placed, outcome, read = _placed(
        frame,
        {**texts, **logistics},
        carry=[*group, "price"],
        orders_from=orders_from,
        orders_until=orders_until,
        sales_from=sales_from,
        sales_until=sales_until,
        known_until=known_until,
    )
    refused, returned, cancelled = _refusals(outcome, read)
    flags = {
        "refused": refused,
        "returned": returned,
        "cancelled": cancelled,
        "sold_late": outcome.sold_late,
        "kept": outcome.kept,
    }
    counts: dict[str, nw.Expr] = {}
    for name, flag in flags.items():
        if flag is None:
            continue
        units = counts[f"{name}_units"] = _count(flag)
        if (known := read["known"]) is not None:
            counts[f"{name}_known"] = _count(flag & known)
        for part in _AMOUNTS:
            if (amount := read[part]) is not None:
                counts[f"{name}_{part}"] = units * amount
    counts["revenue_kopecks"] = _count(outcome.kept) * nw.col("price").cast(nw.Int64)
    summed = _summed(
        placed,
        "reason" if reasons else key,
        counts,
        group=_reason_of(outcome, read) if reasons else None,
    )
    zero = nw.lit(0, nw.Int64)
    columns = {
        f"{name}_{part}": nw.col(f"{name}_{part}").cast(nw.Int64)
        if f"{name}_{part}" in counts
        else zero
        for name in _COST_OUTCOMES
        for part in _COST_PARTS
    }
    orders = _plus(*(nw.col(f"{name}_units") for name in _COST_OUTCOMES if flags[name] is not None))
    return summed.select(
        *([nw.col("reason").cast(nw.String)] if reasons else group),
        orders=orders.cast(nw.Int64),
        in_transit=(nw.col("_rows") - orders).cast(nw.Int64),
        **columns,
        revenue_kopecks=nw.col("revenue_kopecks").cast(nw.Int64),
    )


def _reason_of(outcome: _Outcome, texts: Mapping[str, nw.Expr | None]) -> nw.Expr:
    """The category a line not kept is counted under: its cancellation's or its return's."""
    cancel_reason, return_reason = (
        nw.lit(_UNKNOWN) if text is None else text
        for text in (texts["cancel_reason"], texts["return_reason"])
    )
    return (
        nw.when(outcome.cancelled)
        .then(cancel_reason)
        .otherwise(nw.when(outcome.returned).then(return_reason))
    )


def _plus(*columns: nw.Expr) -> nw.Expr:
    """The sum of one or more columns."""
    total = columns[0]
    for column in columns[1:]:
        total = total + column
    return total


def _position(column: str, bounds: Sequence[datetime]) -> nw.Expr:
    """How many of `bounds` the column's instant is at or after, as Int64.

    A balanced tree of comparisons with literals, on the distinct bounds. Where the
    column is null the tree falls through to a number: the caller tests for null.
    """
    distinct = sorted(set(bounds))
    before = [sum(bound < value for bound in bounds) for value in distinct]
    before.append(len(bounds))  # at or after the last: every bound

    def tree(lo: int, hi: int) -> nw.Expr:
        # the instant is at or after distinct[lo - 1] and before distinct[hi]
        if lo == hi:
            return nw.lit(before[lo], nw.Int64)
        mid = (lo + hi) // 2
        return (
            nw.when(nw.col(column) < distinct[mid]).then(tree(lo, mid)).otherwise(tree(mid + 1, hi))
        )

    return tree(0, len(distinct))


def _pick(column: str, days: Sequence[date]) -> nw.Expr:
    """The day at the index the Int64 column holds (0 to ``len(days) - 1``), as Date."""

    def tree(lo: int, hi: int) -> nw.Expr:
        if hi - lo == 1:
            return nw.lit(days[lo], nw.Date)
        mid = (lo + hi) // 2
        return nw.when(nw.col(column) < mid).then(tree(lo, mid)).otherwise(tree(mid, hi))

    return tree(0, len(days)).cast(nw.Date)


def buckets_of(start: date, end: date, freq: str) -> list[tuple[date, date, bool]]:
    """Each bucket's first and last day within ``[start, end]``, and whether it is clipped.

    A bucket is clipped when it is shorter than its week or month: the first and the
    last may be, where `start` or `end` falls within one.
    """
    buckets: list[tuple[date, date, bool]] = []
    first = start
    while first <= end:
        if freq == "day":
            whole_first, whole_last = first, first
        elif freq == "week":
            whole_first = first - timedelta(days=first.weekday())
            whole_last = whole_first + timedelta(days=6)
        else:
            whole_first = first.replace(day=1)
            whole_last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        last = min(whole_last, end)
        buckets.append((first, last, first != whole_first or last != whole_last))
        first = last + _ONE_DAY
    return buckets


def series_query(
    frame: nw.LazyFrame[Any],
    texts: Mapping[str, nw.Expr | None],
    *,
    buckets: Sequence[tuple[date, date, bool]],
    today: date,
    tz: tzinfo,
    key: str | None,
) -> nw.LazyFrame[Any]:
    """Count per group and bucket the orders placed in the bucket, sold, refused, returned.

    Bucket ``b`` holds the orders placed from its first day to its last; its sales
    window runs from its first day to 30 days after its last, or to `today` if that
    comes first. An order counts once sold, or else cancelled, by the end of `today`.
    Every group with an order in some bucket has a row for every bucket.
    """
    windows = [DayWindow(first, last) for first, last, _ in buckets]
    starts = [window.bounds(tz)[0] for window in windows]
    until = windows[-1].bounds(tz)[1]
    sales_ends = [
        DayWindow(first, min(last + timedelta(days=SALES_LAG_DAYS), today)).bounds(tz)[1]
        for first, last, _ in buckets
    ]
    known_until = day_end(today, tz)

    def in_window(column: str) -> nw.Expr:
        # at or after the bucket's first day, before the end of its sales window
        return (
            ~nw.col(column).is_null()
            & (_position(column, starts) > nw.col("_bucket"))
            & (_position(column, sales_ends) <= nw.col("_bucket"))
        )

    group = [key] if key is not None else []
    placed = frame.filter(_between("ordered_at", starts[0], until)).select(
        *group,
        "sold_at",
        "returned_at",
        _bucket=_position("ordered_at", starts[1:]),
        _sold=_before("sold_at", known_until),
        _ended=_before("cancelled_at", known_until),
        **{f"_{name}": text for name in _KINDS if (text := texts[name]) is not None},
    )
    # the windows' trees once per line, in a step of their own: a flag reads them again
    parts = placed.with_columns(
        _sale=in_window("sold_at"),  # the window ends by the end of today: a sale known then
        _back=in_window("returned_at"),
    )
    outcome = _Outcome(*(nw.col(f"_{name}") for name in _Outcome._fields))
    kinds = {name: nw.col(f"_{name}") if texts[name] is not None else None for name in _KINDS}
    refused, not_refused, _ = _refusals(outcome, kinds)
    zero = nw.lit(0, nw.Int64)
    flags = parts.select(
        *group,
        "_bucket",
        placed=nw.lit(1, nw.Int64),
        orders=_count(outcome.settled),
        sales=_count(outcome.sale),
        refused=zero if refused is None else _count(refused),
        returned=zero if not_refused is None else _count(not_refused),
    )
    counts = ("placed", "orders", "sales", "refused", "returned")
    summed = (
        flags.group_by(*group, "_bucket")
        .agg(nw.col(*counts).sum())
        .select(*group, "_bucket", nw.col(*counts).cast(nw.Int64))
    )
    days = _bucket_table(frame, buckets, today)
    every = (
        summed.select(*group).unique().join(days.select("_bucket"), how="cross")
        if key is not None
        else days.select("_bucket")
    ).with_columns(**{name: nw.lit(0, nw.Int64) for name in counts})
    regular = (
        nw.concat([summed, every.select(*group, "_bucket", *counts)])
        .group_by(*group, "_bucket")
        .agg(nw.col(*counts).sum())
        .join(days, on="_bucket")
    )
    return regular.select(
        *group,
        "first",
        "last",
        "clipped",
        "complete",
        nw.col("orders").cast(nw.Int64),
        in_transit=(nw.col("placed") - nw.col("orders")).cast(nw.Int64),
        sales=nw.col("sales").cast(nw.Int64),
        refused=nw.col("refused").cast(nw.Int64),
        returned=nw.col("returned").cast(nw.Int64),
        rate=_share(nw.col("sales"), "orders").cast(nw.Float64),
        refusal_share=_share(nw.col("refused"), "orders").cast(nw.Float64),
        return_share=_share(nw.col("returned"), "orders").cast(nw.Float64),
    )


def _bucket_table(
    frame: nw.LazyFrame[Any], buckets: Sequence[tuple[date, date, bool]], today: date
) -> nw.LazyFrame[Any]:
    """One row per bucket, made in the frame's own engine from literals.

    ``_bucket`` (Int64, from 0), ``first`` and ``last`` (Date), ``clipped`` and
    ``complete`` (Boolean). Every row comes from a one-row frame of the caller's own
    frame (the count of at most one line: no scan of the lines), so that the table is a
    query of the caller's engine and connection: each binary digit of the bucket's
    number is two rows of literals, 0 and its weight, and the digits are cross-joined
    and added up. (An ``unpivot`` of literals would do in one step, but narwhals runs it
    on DuckDB's default connection, which cannot read a relation of another one:
    narwhals-dev/narwhals#3883.)
    """
    one = frame.head(1).select(nw.len())
    names = [f"_d{digit}" for digit in range(max(len(buckets) - 1, 1).bit_length())]
    digits = [
        nw.concat(
            [
                one.select(nw.lit(0, nw.Int64).alias(name)),
                one.select(nw.lit(1 << digit, nw.Int64).alias(name)),
            ]
        )
        for digit, name in enumerate(names)
    ]
    numbers = digits[0]
    for other in digits[1:]:
        numbers = numbers.join(other, how="cross")
    indices = numbers.select(_bucket=_plus(*map(nw.col, names))).filter(
        nw.col("_bucket") < len(buckets)
    )
    clipped = [index for index, (_, _, cut) in enumerate(buckets) if cut]
    done = today - timedelta(days=SALES_LAG_DAYS)
    return indices.select(
        nw.col("_bucket").cast(nw.Int64),
        first=_pick("_bucket", [first for first, _, _ in buckets]),
        last=_pick("_bucket", [last for _, last, _ in buckets]),
        clipped=nw.col("_bucket").is_in(clipped) if clipped else nw.lit(value=False),
    ).with_columns(
        nw.col("clipped").cast(nw.Boolean),
        complete=(nw.col("last") <= done).cast(nw.Boolean),
    )


@overload
def refusal_breakdown(
    lines: IntoDataFrameT,
    *,
    period: Period,
    today: date,
    by: By = None,
    tz: tzinfo = MOSCOW,
    columns: Mapping[str, str] | None = None,
) -> IntoDataFrameT: ...


@overload
def refusal_breakdown(
    lines: IntoLazyFrameT,
    *,
    period: Period,
    today: date,
    by: By = None,
    tz: tzinfo = MOSCOW,
    columns: Mapping[str, str] | None = None,
) -> IntoLazyFrameT: ...


def refusal_breakdown(
    lines: Any,
    *,
    period: Period,
    today: date,
    by: By = None,
    tz: tzinfo = MOSCOW,
    columns: Mapping[str, str] | None = None,
) -> Any:
    """Return, per group, how the orders of `period` ended and why some were not redeemed.

    The counts of `redemption.analysis.refusal_breakdown`, one row per group, one column
    per count (a wide frame: a row is one `Breakdown`, the columns are the same on every
    engine whatever the data, and an outcome no order had is 0, as in the objects):

    * ``orders``, ``in_transit``, ``sales``, ``returns``: the redemption rate's counts over
      the period (its orders window extended back to 30 days if shorter, as Wildberries'
      "How we calculate the Wildberries redemption rate?" says), and
      ``rate``, ``rate_with_returns`` (Float64, null where ``orders`` is 0);
    * ``kept``, ``returned_<kind>`` for each `ReturnKind` (``returned_return``,
      ``returned_refused_at_handover``, ``returned_unknown``), ``sold_late``,
      ``cancelled_<kind>`` for each `CancelKind` (``cancelled_refused``...), which add up
      to ``orders``, and ``cancelled``, their total over the kinds;
    * ``not_kept`` (cancelled or returned), and ``reason_<category>`` for each
      `ReasonCategory` (``reason_size_fit``...), which add up to it.

    Counts are Int64. A null kind or reason is ``unknown``, as are the columns when the
    frame has none; a value that is no kind or category counts in no such column. The
    shares of the objects are the counts over ``orders`` and over ``not_kept``; for a
    long frame (one row per group and outcome), ``unpivot`` the result.

    Args:
        lines: order lines (see the module), eager or lazy; ``cancel_kind``,
            ``cancel_reason``, ``return_kind`` and ``return_reason`` are read where present.
        period: the period selected.
        today: the day the figures are computed on; later events are not seen.
        by: ``None`` for one row of every order, ``"sku"`` (column ``sku``),
            ``"seller"`` (``seller_id``) or ``"buyer"`` (``buyer_id``; orders without a
            buyer are the group null).
        tz: the zone whose calendar days the windows are made of.
        columns: the frame's names of columns named otherwise.

    Returns:
        The same kind of frame as `lines`: a row per group with an order placed in the
        orders window; with ``by=None`` always one row, without a group column.

    Raises:
        ColumnError: a column is missing or of the wrong type.
        InvalidPeriodError: the period ends after `today`.
        InvalidArgumentError: an unknown `by`.

    Example:
        Four orders in April 2025: one kept, one returned for its size, two refused at
        the pick-up point (one for its size):

        >>> from datetime import UTC, date, datetime
        >>> import polars as pl
        >>> from redemption import Period
        >>> at = datetime(2025, 4, 2, 9, tzinfo=UTC)
        >>> lines = pl.DataFrame({
        ...     "ordered_at": [at] * 4, "cancelled_at": [None, None, at, at],
        ...     "sold_at": [at, at, None, None], "returned_at": [None, at, None, None],
        ...     "cancel_kind": [None, None, "refused", "refused"],
        ...     "cancel_reason": [None, None, "size_fit", None],
        ...     "return_kind": [None, "return", None, None],
        ...     "return_reason": [None, "size_fit", None, None],
        ... }, schema_overrides={c: pl.Datetime("us", "UTC") for c in
        ...     ("ordered_at", "cancelled_at", "sold_at", "returned_at")})
        >>> b = refusal_breakdown(lines, period=Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                       today=date(2025, 6, 1))
        >>> b.select("orders", "rate", "kept", "returned_return", "cancelled_refused",
        ...          "not_kept", "reason_size_fit", "reason_unknown").rows()
        [(4, 0.5, 1, 1, 2, 3, 2, 1)]

    .. versionadded:: 0.2.0
    """
    key = _group(by)
    window = redemption_window(period, today=today)
    orders_from, orders_until = window.orders.bounds(tz)
    sales_from, sales_until = window.sales.bounds(tz)
    checked = lines_of(lines, (*(() if key is None else (key,)), *TIMESTAMPS), columns, _TEXTS)
    result = breakdown_query(
        checked.frame,
        _texts(checked),
        orders_from=orders_from,
        orders_until=orders_until,
        sales_from=sales_from,
        sales_until=sales_until,
        known_until=day_end(today, tz),
        key=key,
    )
    return finish(result, checked)


@overload
def refusal_costs(
    lines: IntoDataFrameT,
    period: Period,
    *,
    today: date,
    by: CostsBy = None,
    tz: tzinfo = MOSCOW,
    columns: Mapping[str, str] | None = None,
) -> IntoDataFrameT: ...


@overload
def refusal_costs(
    lines: IntoLazyFrameT,
    period: Period,
    *,
    today: date,
    by: CostsBy = None,
    tz: tzinfo = MOSCOW,
    columns: Mapping[str, str] | None = None,
) -> IntoLazyFrameT: ...


def refusal_costs(
    lines: Any,
    period: Period,
    *,
    today: date,
    by: CostsBy = None,
    tz: tzinfo = MOSCOW,
    columns: Mapping[str, str] | None = None,
) -> Any:
    """Return, per group, the logistics paid for the units refused, returned and kept.

    The figures of `redemption.analysis.refusal_costs`, one row per group. The orders are
    those the redemption rate counts over the period (its orders window extended back to
    30 days if shorter, as Wildberries' "How we calculate the Wildberries redemption rate?"
    says), each with its outcome as `refusal_breakdown` decides
    it; for each outcome, the logistics known for its units (``delivery_cost`` and
    ``return_cost``, what carrying the unit to the buyer and back cost) are summed, and
    the units with none known are counted apart, never taken as costing 0. Beside them,
    the revenue of the units kept. The columns, all Int64, money in kopecks:

    * ``orders``: the counted orders, the units of the five outcomes together, and
      ``in_transit``: the orders placed in the orders window still in transit as of
      `today` (in no other column);
    * for each outcome, ``refused`` (cancelled as ``refused`` or ``not_collected``, or
      returned as ``refused_at_handover``), ``returned`` (returned within the sales window
      otherwise), ``cancelled`` (cancelled otherwise: by the buyer, the seller, the
      marketplace, or of a kind not given), ``sold_late`` and ``kept``, four columns:
      ``<outcome>_units``; ``<outcome>_known``, those of them with logistics known (one of
      the two cost columns not null; the other is then 0); ``<outcome>_to_buyer_kopecks``
      and ``<outcome>_back_kopecks``, what carrying the known units cost;
    * ``revenue_kopecks``: the prices of the units kept.

    The objects' ``complete`` is not a column: as for `refusal_breakdown`, it is one fact
    of the call, ``redemption_window(period, today=today).complete`` (frames carry no
    horizon of the data).

    Args:
        lines: order lines (see the module), eager or lazy, with ``price``;
            ``delivery_cost`` and ``return_cost`` (whole kopecks, null where unknown),
            ``cancel_kind`` and ``return_kind`` are read where present, and with
            ``by="reason"`` ``cancel_reason`` and ``return_reason``.
        period: the period selected.
        today: the day the figures are computed on; later events are not seen.
        by: ``None`` for one row of every order, ``"sku"`` (column ``sku``),
            ``"seller"`` (``seller_id``), ``"buyer"`` (``buyer_id``; orders without a
            buyer are the group null), or ``"reason"`` (column ``reason``): the units not
            kept (refused, returned, cancelled) by the category of their cancellation's or
            return's reason (``unknown`` where none is given), and the units redeemed
            (kept, sold late) and those in transit under null, so that the groups add up
            to the whole.
        tz: the zone whose calendar days the windows are made of.
        columns: the frame's names of columns named otherwise.

    Returns:
        The same kind of frame as `lines`: a row per group with an order placed in the
        orders window; with ``by=None`` always one row, without a group column.

    Raises:
        ColumnError: a column is missing or of the wrong type.
        InvalidPeriodError: the period ends after `today`.
        InvalidArgumentError: an unknown `by`.

    Example:
        Three orders in April 2025, each carried to the buyer for 50 roubles: one kept,
        one refused at the pick-up point and carried back for 45, one cancelled by the
        buyer whose logistics are not known:

        >>> from datetime import UTC, date, datetime
        >>> import polars as pl
        >>> from redemption import Period
        >>> at = datetime(2025, 4, 2, 9, tzinfo=UTC)
        >>> lines = pl.DataFrame({
        ...     "price": [99000] * 3, "ordered_at": [at] * 3,
        ...     "cancelled_at": [None, at, at], "sold_at": [at, None, None],
        ...     "returned_at": [None] * 3, "cancel_kind": [None, "refused", "buyer"],
        ...     "delivery_cost": [5000, 5000, None], "return_cost": [0, 4500, None],
        ... }, schema_overrides={c: pl.Datetime("us", "UTC") for c in
        ...     ("ordered_at", "cancelled_at", "sold_at", "returned_at")})
        >>> costs = refusal_costs(lines, Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                       today=date(2025, 6, 1))
        >>> costs.select("orders", "refused_units", "refused_known",
        ...              "refused_to_buyer_kopecks", "refused_back_kopecks").rows()
        [(3, 1, 1, 5000, 4500)]
        >>> costs.select("cancelled_units", "cancelled_known", "kept_to_buyer_kopecks",
        ...              "revenue_kopecks").rows()
        [(1, 0, 5000, 99000)]

    .. versionadded:: 0.2.0
    """
    reasons = by == "reason"
    if not reasons and (by is not None and by not in _GROUPS):
        msg = f"by must be None, 'sku', 'seller', 'buyer' or 'reason', not {by!r}"
        raise InvalidArgumentError(msg)
    key = None if by is None or reasons else _GROUPS[by]
    window = redemption_window(period, today=today)
    orders_from, orders_until = window.orders.bounds(tz)
    sales_from, sales_until = window.sales.bounds(tz)
    optional = (*_TEXTS, *COST_COLUMNS)
    needed = (*(() if key is None else (key,)), "price", *TIMESTAMPS)
    checked = lines_of(lines, needed, columns, optional)
    schema = _types(checked, optional)
    read = _texts(checked, schema)
    texts = {name: text if reasons or name in _KINDS else None for name, text in read.items()}
    result = costs_query(
        checked.frame,
        texts,
        {column: schema[column] for column in COST_COLUMNS if column in schema},
        orders_from=orders_from,
        orders_until=orders_until,
        sales_from=sales_from,
        sales_until=sales_until,
        known_until=day_end(today, tz),
        key=key,
        reasons=reasons,
    )
    return finish(result, checked)


@overload
def rate_series(
    lines: IntoDataFrameT,
    *,
    start: date,
    end: date,
    freq: Freq = "day",
    today: date,
    by: By = None,
    tz: tzinfo = MOSCOW,
    columns: Mapping[str, str] | None = None,
) -> IntoDataFrameT: ...


@overload
def rate_series(
    lines: IntoLazyFrameT,
    *,
    start: date,
    end: date,
    freq: Freq = "day",
    today: date,
    by: By = None,
    tz: tzinfo = MOSCOW,
    columns: Mapping[str, str] | None = None,
) -> IntoLazyFrameT: ...


def rate_series(
    lines: Any,
    *,
    start: date,
    end: date,
    freq: Freq = "day",
    today: date,
    by: By = None,
    tz: tzinfo = MOSCOW,
    columns: Mapping[str, str] | None = None,
) -> Any:
    """Return the orders, sales, refusals and returns of each bucket of days, per group.

    The counts of `redemption.analysis.rate_series`: the days from `start` to `end` cut
    into days, weeks (Monday to Sunday) or calendar months, the first and the last
    clipped to `start` and `end`. Each bucket counts the orders placed on its own days
    (its orders window is *not* extended to 30 days); those no longer in transit as of
    `today` are counted, and sold when their sale falls from the bucket's first day to 30
    days after its last, or to `today` if that comes first; returns likewise.

    One row per group and bucket, with ``first`` and ``last`` (Date), ``clipped`` and
    ``complete`` (Boolean: 30 days after ``last`` have passed by `today`), ``orders``,
    ``in_transit``, ``sales``, ``refused`` (cancelled as ``refused`` or
    ``not_collected``, or returned within the window as ``refused_at_handover``) and
    ``returned`` (returned within the window otherwise), all Int64, and ``rate``,
    ``refusal_share``, ``return_share`` (Float64: over ``orders``, null where it is 0).
    Every bucket is there, with zeros where no order was placed: the series is regular.
    The whole series is one query, not one per bucket.

    Args:
        lines: order lines (see the module), eager or lazy; ``cancel_kind`` and
            ``return_kind`` are read where present.
        start: the first day of the series.
        end: the last day of the series, on or before `today`.
        freq: ``"day"``, ``"week"`` or ``"month"``.
        today: the day the figures are computed on; later events are not seen.
        by: ``None`` for one series of every order, ``"sku"`` (column ``sku``),
            ``"seller"`` (``seller_id``) or ``"buyer"`` (``buyer_id``; orders without a
            buyer are the group null).
        tz: the zone whose calendar days the buckets and windows are made of.
        columns: the frame's names of columns named otherwise.

    Returns:
        The same kind of frame as `lines`: every bucket of every group with an order
        placed from `start` to `end`; with ``by=None`` every bucket, always, without a
        group column. Rows are in no particular order: sort by ``first``.

    Raises:
        ColumnError: a column is missing or of the wrong type.
        InvalidPeriodError: `start` is after `end`, or `end` after `today`.
        InvalidArgumentError: an unknown `freq` or `by`.

    Example:
        An order on Wednesday 2 April 2025, sold; another on Monday 7 April, refused at
        the pick-up point. Week by week from Tuesday 1 to Thursday 10 April:

        >>> from datetime import UTC, date, datetime
        >>> import polars as pl
        >>> def at(day):
        ...     return datetime(2025, 4, day, 9, tzinfo=UTC)
        >>> lines = pl.DataFrame({
        ...     "ordered_at": [at(2), at(7)], "cancelled_at": [None, at(9)],
        ...     "sold_at": [at(4), None], "returned_at": [None, None],
        ...     "cancel_kind": [None, "refused"],
        ... }, schema_overrides={c: pl.Datetime("us", "UTC") for c in
        ...     ("ordered_at", "cancelled_at", "sold_at", "returned_at")})
        >>> series = rate_series(lines, start=date(2025, 4, 1), end=date(2025, 4, 10),
        ...                      freq="week", today=date(2025, 4, 20))
        >>> for row in series.sort("first").select("first", "last", "clipped", "orders",
        ...                                        "sales", "refused").iter_rows():
        ...     print(row)
        (datetime.date(2025, 4, 1), datetime.date(2025, 4, 6), True, 1, 1, 0)
        (datetime.date(2025, 4, 7), datetime.date(2025, 4, 10), True, 1, 0, 1)

    .. versionadded:: 0.2.0
    """
    key = _group(by)
    if freq not in _FREQS:
        msg = f"freq must be 'day', 'week' or 'month', not {freq!r}"
        raise InvalidArgumentError(msg)
    period = Period(start, end)
    require_ended(period, today)
    checked = lines_of(lines, (*(() if key is None else (key,)), *TIMESTAMPS), columns, _TEXTS)
    result = series_query(
        checked.frame,
        _texts(checked),
        buckets=buckets_of(start, end, freq),
        today=today,
        tz=tz,
        key=key,
    )
    return finish(result, checked)
