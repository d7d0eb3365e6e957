"""Charts of the analysis: the rate over time, why orders were not redeemed, cohort maturity.

Install with ``pip install 'redemption[plot]'``: the charts need matplotlib, and nothing
else does. Importing this module imports no matplotlib; each function imports it when it
draws, and raises `ImportError` saying which extra to install when it is missing.

* `plot_rate_series`: one group's redemption rate bucket by bucket (`rate_series`), with
  its Wilson interval as a shaded band, the buckets that can still move drawn apart, and
  the refusal and return shares if asked.
* `plot_reasons`: the orders of a `Breakdown` (`refusal_breakdown`) not redeemed, by the
  category of their reason or by how they ended (cancelled by whom, returned how).
* `plot_cohort_maturity`: how cohorts of orders (`cohort_maturity`) resolve and sell as
  they age, one curve per cohort.

Each function draws one chart on a new `matplotlib.figure.Figure`, or on the axes given as
``ax=``, and returns the figure: save it with ``fig.savefig("rate.png")``; in Jupyter a
figure left as a cell's last value displays itself. The figures are built without
`matplotlib.pyplot`: no global state, no window, nothing shown, so they draw the same
headless (on a server, in CI) as in a notebook. Rates and shares are on a 0-100 % axis.

The cost of refusals by SKU (what the orders not redeemed cost in delivery and returns)
will come with the cost data: it is not here yet.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Final, Literal, TypeVar, cast

from redemption.analysis import Breakdown, CohortMaturity, SeriesPoint
from redemption.calculators import Outcome, OutcomeKey
from redemption.errors import ArgumentTypeError, InvalidArgumentError, shown
from redemption.outcomes import CancelKind, ReasonCategory, ReturnKind

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from numpy.typing import NDArray

__all__ = ["plot_cohort_maturity", "plot_rate_series", "plot_reasons"]

_T = TypeVar("_T")

_MISSING: Final = "the charts need matplotlib: pip install 'redemption[plot]'"
_SIZE: Final = (8.0, 4.5)  # inches, of a new figure
_NAN: Final = float("nan")
_MAX_COHORTS: Final = 8

_REASON_LABELS: Final[Mapping[ReasonCategory, str]] = {
    ReasonCategory.SIZE_FIT: "size or fit",
    ReasonCategory.APPEARANCE: "colour or look",
    ReasonCategory.QUALITY_DEFECT: "defect or quality",
    ReasonCategory.WRONG_ITEM: "wrong or incomplete item",
    ReasonCategory.COUNTERFEIT: "counterfeit",
    ReasonCategory.CHANGED_MIND: "changed mind",
    ReasonCategory.DELIVERY: "delivery",
    ReasonCategory.NOT_COLLECTED: "not collected",
    ReasonCategory.SELLER_FAULT: "seller's fault",
    ReasonCategory.OTHER: "other reason",
    ReasonCategory.UNKNOWN: "no reason given",
}
_KIND_LABELS: Final[Mapping[CancelKind | ReturnKind, str]] = {
    CancelKind.BUYER: "cancelled by the buyer",
    CancelKind.SELLER: "cancelled by the seller",
    CancelKind.MARKETPLACE: "cancelled by the marketplace",
    CancelKind.REFUSED: "refused at pick-up",
    CancelKind.NOT_COLLECTED: "not collected",
    CancelKind.UNKNOWN: "cancelled (who: unknown)",
    ReturnKind.RETURN: "returned",
    ReturnKind.REFUSED_AT_HANDOVER: "refused at handover",
    ReturnKind.UNKNOWN: "returned (how: unknown)",
}


# ------------------------------------------------------------------------------------------
# what every chart shares
# ------------------------------------------------------------------------------------------
def _canvas(ax: Axes | None) -> tuple[Figure, Axes]:
    """The figure and axes to draw on: those of `ax`, or a new figure of one axes.

    Raises:
        ImportError: matplotlib is not installed.
    """
    try:
        # `matplotlib` first: a missing package is refused even where a submodule is loaded
        import matplotlib as mpl  # noqa: F401, PLC0415 - imported only when a chart is drawn
        from matplotlib.figure import Figure  # noqa: PLC0415
    except ImportError as missing:
        raise ImportError(_MISSING) from missing
    if ax is not None:
        return ax.figure.figure, ax  # the root figure, also of an axes on a subfigure
    figure = Figure(figsize=_SIZE, layout="constrained")
    return figure, figure.add_subplot()


def _percent_axis(ax: Axes) -> None:
    """Show rates and shares, drawn as percentages, on a 0-100 % y axis."""
    from matplotlib.ticker import PercentFormatter  # noqa: PLC0415 - drawing only

    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=100))
    ax.grid(axis="y", alpha=0.3)


def _legend_outside(
    ax: Axes, handles: Sequence[Artist] | None = None, title: str | None = None
) -> None:
    """Put the legend to the right of the axes, where it hides no curve."""
    if handles is None:
        handles, _ = ax.get_legend_handles_labels()
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        borderaxespad=0.0,
        title=title,
        fontsize="small",
    )


def _percent(value: Fraction | None) -> float:
    """A share as a percentage; NaN (a gap in a line) for none."""
    return _NAN if value is None else float(value) * 100


def _one_group(value: object, name: str, producer: str) -> None:
    """Refuse the dict of every group where one group's figures are drawn."""
    if isinstance(value, Mapping):
        msg = (
            f"{name} draws one group: pass {producer}(...)[None] without `by`, or "
            f"{producer}(...)[group] for one group, not the dict of every group"
        )
        raise ArgumentTypeError(msg)


def _all_of(values: Iterable[object], kind: type[_T], name: str) -> tuple[_T, ...]:
    """The values, each checked to be a `kind`."""
    checked = tuple(values)
    for value in checked:
        if not isinstance(value, kind):
            msg = f"{name} draws {kind.__name__}, not {type(value).__name__} {shown(value)}"
            raise ArgumentTypeError(msg)
    return cast("tuple[_T, ...]", checked)


def _whole_x_ticks(ax: Axes) -> None:
    """Put the x axis's ticks at whole numbers only: counts of orders, ages in days."""
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415 - drawing only

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


# ------------------------------------------------------------------------------------------
# plot_rate_series
# ------------------------------------------------------------------------------------------
def _days(days: Sequence[date]) -> NDArray[np.datetime64]:
    """Days as numpy dates, which matplotlib draws on a date axis."""
    import numpy as np  # noqa: PLC0415 - matplotlib's own dependency, drawing only

    return np.array(days, dtype="datetime64[D]")


def _incomplete_line(
    days: Sequence[date], rates: Sequence[float], complete: Sequence[bool]
) -> tuple[list[date], list[float], list[int]]:
    """The dashed line through the incomplete buckets: its points and where its markers are.

    A segment is dashed when either of its buckets is incomplete; a complete bucket next to
    an incomplete one is on both lines, so that they join. A NaN point breaks the line
    between two complete buckets that are each next to an incomplete one.
    """
    xs: list[date] = []
    ys: list[float] = []
    marks: list[int] = []
    previous: int | None = None
    for i, day in enumerate(days):
        touched = (
            not complete[i]
            or (i > 0 and not complete[i - 1])
            or (i + 1 < len(days) and not complete[i + 1])
        )
        if not touched:
            continue
        if previous is not None and (previous != i - 1 or (complete[i] and complete[i - 1])):
            xs.append(day)
            ys.append(_NAN)
        if not complete[i]:
            marks.append(len(xs))
        xs.append(day)
        ys.append(rates[i])
        previous = i
    return xs, ys, marks


def plot_rate_series(
    series: Sequence[SeriesPoint],
    *,
    title: str | None = None,
    ax: Axes | None = None,
    shares: bool = False,
) -> Figure:
    """Draw one group's redemption rate bucket by bucket, with its interval as a band.

    Each bucket of `rate_series` is a point at its first day: the rate of the orders
    placed in it, from 0 to 100 %. The shaded band is the rate's Wilson interval (see
    `wilson_interval`): wide where a bucket has few orders, and absent where the series
    was computed with ``ci=None``. A bucket with no counted order has no rate, and leaves
    a gap. The buckets whose figures can still move (not ``complete``: their 30 days have
    not passed, or the history does not reach that far) are drawn with a dashed line and
    hollow markers, and the legend says so: their rate tends to rise as late sales come
    in. With ``shares=True`` the refusal share and the return share of each bucket are
    drawn as thin lines too (without their intervals).

    `rate_series` gives a dict of every group's series: draw one of them, as
    ``rate_series(...)[None]`` without ``by``, or ``rate_series(..., by="sku")["sku-1"]``.

    Args:
        series: the points of one group's series, in order.
        title: the chart's title; by default the rate and the series' days.
        ax: the axes to draw on; by default those of a new figure.
        shares: also draw the refusal and return shares.

    Returns:
        The figure drawn on (that of `ax` when given).

    Raises:
        ImportError: matplotlib is not installed (``pip install 'redemption[plot]'``).
        ArgumentTypeError: `series` is the dict of every group, or holds something other
            than `SeriesPoint`.
        InvalidArgumentError: `series` is empty.

    Example:
        An order a day from 1 to 13 April 2025, one in three refused; computed on
        10 May, the first week's 30 days have passed and the second week's have not.

        >>> import io
        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, CancelKind, History, Order, Sale
        >>> from redemption.analysis import rate_series
        >>> def at(day):
        ...     return datetime(2025, 4, day, 12, tzinfo=MOSCOW)
        >>> refused = {3, 6, 9, 12}
        >>> history = History(
        ...     orders=[Order(order_id=str(d), seller_id="s", sku="k", price=100,
        ...                   ordered_at=at(d), cancelled_at=at(d + 1) if d in refused else None,
        ...                   cancel_kind=CancelKind.REFUSED if d in refused else None)
        ...             for d in range(1, 14)],
        ...     sales=[Sale(order_id=str(d), sold_at=at(d + 2))
        ...            for d in range(1, 14) if d not in refused],
        ... )
        >>> series = rate_series(history, start=date(2025, 4, 1), end=date(2025, 4, 13),
        ...                      freq="week", today=date(2025, 5, 10))[None]
        >>> [point.complete for point in series]
        [True, False]
        >>> fig = plot_rate_series(series, shares=True)
        >>> [line.get_label() for line in fig.axes[0].get_lines()]
        ['redemption rate', 'incomplete: can still move', 'refusal share', 'return share']
        >>> fig.savefig(io.BytesIO(), format="png")

    .. versionadded:: 0.2.0
    """
    _one_group(series, "plot_rate_series", "rate_series")
    points = _all_of(series, SeriesPoint, "plot_rate_series")
    if not points:
        msg = "plot_rate_series needs at least one point: the series is empty"
        raise InvalidArgumentError(msg)
    figure, ax = _canvas(ax)
    from matplotlib.dates import ConciseDateFormatter  # noqa: PLC0415

    days = [point.first for point in points]
    rates = [_percent(point.rate) for point in points]
    complete = [point.complete for point in points]
    colour = "C0"
    if any(point.rate_interval is not None for point in points):
        lows = [
            _NAN if p.rate_interval is None else float(p.rate_interval.low) * 100 for p in points
        ]
        highs = [
            _NAN if p.rate_interval is None else float(p.rate_interval.high) * 100 for p in points
        ]
        ax.fill_between(
            _days(days),
            lows,
            highs,
            where=[p.rate_interval is not None for p in points],
            color=colour,
            alpha=0.2,
            linewidth=0,
            label="Wilson interval",
        )
    if any(complete):
        ax.plot(
            _days(days),
            [rate if done else _NAN for rate, done in zip(rates, complete, strict=True)],
            color=colour,
            marker="o",
            label="redemption rate",
            clip_on=False,
        )
    if not all(complete):
        xs, ys, marks = _incomplete_line(days, rates, complete)
        ax.plot(
            _days(xs),
            ys,
            color=colour,
            linestyle="--",
            marker="o",
            markerfacecolor="none",
            markevery=marks,
            label="incomplete: can still move",
            clip_on=False,
        )
    if shares:
        for values, label, line_colour in (
            ([_percent(p.refusal_share) for p in points], "refusal share", "C3"),
            ([_percent(p.return_share) for p in points], "return share", "C1"),
        ):
            ax.plot(
                _days(days),
                values,
                color=line_colour,
                marker=".",
                linewidth=1,
                label=label,
                clip_on=False,
            )
    _percent_axis(ax)
    locator = ax.xaxis.get_major_locator()  # the dates' own, set as they were drawn
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    ax.set_xlabel("orders placed (each bucket at its first day)")
    ax.set_ylabel("share of counted orders")
    ax.set_title(
        title
        if title is not None
        else f"Redemption rate, {points[0].first.isoformat()} to {points[-1].last.isoformat()}"
    )
    _legend_outside(ax)
    return figure


# ------------------------------------------------------------------------------------------
# plot_reasons
# ------------------------------------------------------------------------------------------
def _not_redeemed_kinds(breakdown: Breakdown) -> list[tuple[str, int]]:
    """The orders not redeemed by how they ended: each return and cancellation kind."""
    keys: list[OutcomeKey] = [
        *((Outcome.CANCELLED, kind) for kind in CancelKind),
        *((Outcome.RETURNED, kind) for kind in ReturnKind),
    ]
    return [
        (_KIND_LABELS.get(kind, str(kind.value).replace("_", " ")), breakdown.outcomes[key])
        for key in keys
        for kind in (key[1],)
        if kind is not None and breakdown.outcomes.get(key, 0)
    ]


def _checked_by(by: object) -> Literal["reason", "kind"]:
    if by == "reason" or by == "kind":  # noqa: PLR1714 - narrows `by` for the type checker
        return by
    msg = f"by must be 'reason' or 'kind', not {shown(by)}"
    raise InvalidArgumentError(msg)


def plot_reasons(
    breakdown: Breakdown,
    *,
    title: str | None = None,
    ax: Axes | None = None,
    by: Literal["reason", "kind"] = "reason",
) -> Figure:
    """Draw why a group's orders were not redeemed: one horizontal bar per reason.

    The orders not redeemed are those of a `Breakdown` that were cancelled or returned
    (see `refusal_breakdown`). With ``by="reason"`` each bar is a `ReasonCategory`
    ("no reason given" for `ReasonCategory.UNKNOWN`); with ``by="kind"``, how the orders
    ended: cancelled by the buyer, the seller or the marketplace, refused at pick-up, not
    collected, returned, refused at handover. Only those with an order have a bar, the
    largest at the top; each is labelled with its count and its share of the orders not
    redeemed. When every counted order was redeemed, the chart says so and has no bar.

    `refusal_breakdown` gives a dict of every group's breakdown: draw one of them, as
    ``refusal_breakdown(...)[None]`` without ``by``, or ``[sku]`` by SKU.

    Args:
        breakdown: one group's breakdown.
        title: the chart's title; by default how many orders were not redeemed, of how many
            counted, noting when they are few (``small``) or can still move (not
            ``complete``).
        ax: the axes to draw on; by default those of a new figure.
        by: ``"reason"`` or ``"kind"``.

    Returns:
        The figure drawn on (that of `ax` when given).

    Raises:
        ImportError: matplotlib is not installed (``pip install 'redemption[plot]'``).
        ArgumentTypeError: `breakdown` is the dict of every group, or not a `Breakdown`.
        InvalidArgumentError: `by` is neither ``"reason"`` nor ``"kind"``.

    Example:
        Five orders in April 2025: one kept, one returned for its size, three refused at the
        pick-up point, one of them for its delivery.

        >>> import io
        >>> from datetime import date, datetime
        >>> from redemption import (MOSCOW, CancelKind, History, Order, Period, Reason,
        ...                         ReasonCategory, Return, ReturnKind, Sale)
        >>> from redemption.analysis import refusal_breakdown
        >>> at = datetime(2025, 4, 2, 12, tzinfo=MOSCOW)
        >>> def order(i, **more):
        ...     return Order(order_id=i, seller_id="s", sku="k", price=100, ordered_at=at, **more)
        >>> def refused(i, reason=None):
        ...     return order(i, cancelled_at=at, cancel_kind=CancelKind.REFUSED,
        ...                  cancel_reason=reason)
        >>> history = History(
        ...     orders=[order("1"), order("2"), refused("3"), refused("4"),
        ...             refused("5", Reason(ReasonCategory.DELIVERY))],
        ...     sales=[Sale(order_id="1", sold_at=at), Sale(order_id="2", sold_at=at)],
        ...     returns=[Return(order_id="2", returned_at=at, kind=ReturnKind.RETURN,
        ...                     reason=Reason(ReasonCategory.SIZE_FIT))],
        ... )
        >>> breakdown = refusal_breakdown(history, Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                               today=date(2025, 6, 1))[None]
        >>> fig = plot_reasons(breakdown)
        >>> [text.get_text() for text in fig.axes[0].get_yticklabels()]
        ['no reason given', 'size or fit', 'delivery']
        >>> [text.get_text() for text in fig.axes[0].texts]
        ['2 (50.0%)', '1 (25.0%)', '1 (25.0%)']
        >>> fig.savefig(io.BytesIO(), format="png")

    .. versionadded:: 0.2.0
    """
    _one_group(breakdown, "plot_reasons", "refusal_breakdown")
    [breakdown] = _all_of([breakdown], Breakdown, "plot_reasons")
    if _checked_by(by) == "reason":
        bars = [
            (_REASON_LABELS.get(category, category.value.replace("_", " ")), count)
            for category, count in breakdown.reasons.items()
            if count
        ]
    else:
        bars = _not_redeemed_kinds(breakdown)
    figure, ax = _canvas(ax)
    bars.sort(key=lambda bar: -bar[1])  # stable: ties keep their order
    total = breakdown.not_redeemed
    if bars:
        drawn = ax.barh(
            [label for label, _ in bars], [count for _, count in bars], color="C3", alpha=0.8
        )
        ax.bar_label(
            drawn,
            labels=[f"{count} ({count / total:.1%})" for _, count in bars],
            padding=3,
        )
        ax.invert_yaxis()  # the largest at the top
        ax.set_xlim(0, max(count for _, count in bars) * 1.25)  # room for the labels
    else:
        ax.text(
            0.5,
            0.5,
            "every counted order was redeemed",
            transform=ax.transAxes,
            ha="center",
            va="center",
        )
        ax.set_yticks([])
    _whole_x_ticks(ax)
    ax.set_xlabel("orders not redeemed")
    ax.grid(axis="x", alpha=0.3)
    if title is None:
        what = "reason" if by == "reason" else "how they ended"
        notes = [
            *(["few orders: mostly chance"] if breakdown.small else []),
            *([] if breakdown.complete else ["can still move"]),
        ]
        title = f"Orders not redeemed by {what}: {total} of {breakdown.orders} counted" + (
            f" ({'; '.join(notes)})" if notes else ""
        )
    ax.set_title(title)
    return figure


# ------------------------------------------------------------------------------------------
# plot_cohort_maturity
# ------------------------------------------------------------------------------------------
def _spread(count: int, cap: int) -> list[int]:
    """Which of `count` cohorts to draw: all, or `cap` of them from the first to the last."""
    if count <= cap:
        return list(range(count))
    if cap == 1:
        return [0]
    return sorted({round(i * (count - 1) / (cap - 1)) for i in range(cap)})


def _checked_cap(max_cohorts: object) -> int:
    if not isinstance(max_cohorts, int) or isinstance(max_cohorts, bool):
        msg = f"max_cohorts must be an int, not {type(max_cohorts).__name__} {shown(max_cohorts)}"
        raise ArgumentTypeError(msg)
    if max_cohorts < 1:
        msg = f"max_cohorts must be 1 or more, not {max_cohorts}"
        raise InvalidArgumentError(msg)
    return max_cohorts


def _cohort_label(cohort: CohortMaturity) -> str:
    days = (
        cohort.first.isoformat()
        if cohort.first == cohort.last
        else f"{cohort.first.isoformat()}..{cohort.last.isoformat()}"
    )
    return f"{days} ({cohort.orders} orders)"


def plot_cohort_maturity(
    maturity: Sequence[CohortMaturity],
    *,
    title: str | None = None,
    ax: Axes | None = None,
    max_cohorts: int = _MAX_COHORTS,
) -> Figure:
    """Draw how cohorts of orders mature: resolved share and rate so far against age.

    Each cohort of `cohort_maturity` (the orders of a day or a week) has two curves of one
    colour, against its age in days from 0 (the end of its last day): its *rate so far*
    (solid: orders sold by then, over its orders) and its *resolved share* (dashed: orders
    sold or cancelled by then). Neither can fall; the dashed one rises to 100 % as the
    cohort's orders settle, the solid one to the cohort's rate, and the gap between them is
    the share cancelled or refused. Older cohorts are darker. A curve stops at the last age
    asked for, or at `today` for the youngest cohorts.

    At most `max_cohorts` cohorts are drawn, so that the curves stay readable: with more,
    the first and the last are drawn and the others evenly spaced between them, and the
    legend's title says how many of how many are shown. When there is no cohort, the
    chart says so.

    With ``by``, `cohort_maturity` gives a dict of every group's cohorts: draw one of them,
    as ``cohort_maturity(..., by="sku")["sku-1"]``.

    Args:
        maturity: the cohorts of one group, by first day.
        title: the chart's title; by default the cohorts' days.
        ax: the axes to draw on; by default those of a new figure.
        max_cohorts: the most cohorts drawn, 1 or more.

    Returns:
        The figure drawn on (that of `ax` when given).

    Raises:
        ImportError: matplotlib is not installed (``pip install 'redemption[plot]'``).
        ArgumentTypeError: `maturity` is the dict of every group, holds something other
            than `CohortMaturity`, or `max_cohorts` is not an int.
        InvalidArgumentError: `max_cohorts` is below 1.

    Example:
        Two orders a day on 1 and 2 April 2025: on each day one is sold the next day, the
        other cancelled two days on.

        >>> import io
        >>> from datetime import date, datetime, timedelta
        >>> from redemption import MOSCOW, History, Order, Sale
        >>> from redemption.analysis import cohort_maturity
        >>> days = [datetime(2025, 4, d, 12, tzinfo=MOSCOW) for d in (1, 2)]
        >>> history = History(
        ...     orders=[Order(order_id=f"{i}{d:%d}", seller_id="s", sku="k", price=1,
        ...                   ordered_at=d, cancelled_at=d + timedelta(2) if i else None)
        ...             for d in days for i in (0, 1)],
        ...     sales=[Sale(order_id=f"0{d:%d}", sold_at=d + timedelta(1)) for d in days],
        ... )
        >>> cohorts = cohort_maturity(history, start=date(2025, 4, 1), end=date(2025, 4, 2),
        ...                           today=date(2025, 4, 10), max_age=5)
        >>> fig = plot_cohort_maturity(cohorts)
        >>> [(line.get_linestyle(), float(line.get_ydata()[-1]))
        ...  for line in fig.axes[0].get_lines()]
        [('-', 50.0), ('--', 100.0), ('-', 50.0), ('--', 100.0)]
        >>> fig.savefig(io.BytesIO(), format="png")

    .. versionadded:: 0.2.0
    """
    _one_group(maturity, "plot_cohort_maturity", "cohort_maturity")
    cohorts = _all_of(maturity, CohortMaturity, "plot_cohort_maturity")
    cap = _checked_cap(max_cohorts)
    figure, ax = _canvas(ax)
    import matplotlib as mpl  # noqa: PLC0415 - drawing only
    from matplotlib.lines import Line2D  # noqa: PLC0415

    shown_cohorts = [cohorts[i] for i in _spread(len(cohorts), cap)]
    colours = mpl.colormaps["viridis"]
    last = max(len(shown_cohorts) - 1, 1)
    for i, cohort in enumerate(shown_cohorts):
        colour = colours(0.9 * i / last)  # older darker; not the palest yellow
        drawn = [point for point in cohort.points if point.orders]
        ages = [point.age for point in drawn]
        ax.plot(
            ages,
            [_percent(point.rate_so_far) for point in drawn],
            color=colour,
            label=_cohort_label(cohort),
            clip_on=False,
        )
        ax.plot(
            ages,
            [_percent(point.resolved_share) for point in drawn],
            color=colour,
            linestyle="--",
            linewidth=1,
            label=f"_resolved {_cohort_label(cohort)}",  # "_": not in the legend
            clip_on=False,
        )
    _percent_axis(ax)
    ax.set_xlabel("age: days after the cohort's last day")
    ax.set_ylabel("share of the cohort's orders")
    _whole_x_ticks(ax)
    if cohorts:
        ax.set_xlim(left=0)
        handles, _ = ax.get_legend_handles_labels()
        keys = [
            Line2D([], [], color="grey", label="rate so far"),
            Line2D([], [], color="grey", linestyle="--", linewidth=1, label="resolved share"),
        ]
        note = (
            "cohort"
            if len(shown_cohorts) == len(cohorts)
            else f"cohort ({len(shown_cohorts)} of {len(cohorts)} shown)"
        )
        _legend_outside(ax, [*keys, *handles], note)
    else:
        ax.text(0.5, 0.5, "no cohort holds an order", transform=ax.transAxes, ha="center")
    if title is None:
        title = (
            f"Cohort maturity, {cohorts[0].first.isoformat()} to {cohorts[-1].last.isoformat()}"
            if cohorts
            else "Cohort maturity"
        )
    ax.set_title(title)
    return figure
