"""Charts of the analysis: the rate over time, refusals by reason and their cost, cohorts.

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
* `plot_refusal_costs`: what the units not redeemed cost in logistics (`refusal_costs`),
  group by group (by SKU, say), the costliest first, beside the revenue of the units kept.

Each function draws one chart on a new `matplotlib.figure.Figure`, or on the axes given as
``ax=``, and returns the figure: save it with ``fig.savefig("rate.png")``; in Jupyter a
figure left as a cell's last value displays itself. The figures are built without
`matplotlib.pyplot`: no global state, no window, nothing shown, so they draw the same
headless (on a server, in CI) as in a notebook. Rates and shares are on a 0-100 % axis;
money stays `Decimal` until it is drawn, and its labels are exact to the kopeck.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Final, Literal, TypeVar, cast

from redemption.analysis import (
    Breakdown,
    CohortMaturity,
    LogisticsCost,
    RefusalCosts,
    SeriesPoint,
)
from redemption.calculators import Outcome, OutcomeKey
from redemption.errors import ArgumentTypeError, InvalidArgumentError, MissingExtraError, shown
from redemption.money import ZERO
from redemption.outcomes import CancelKind, ReasonCategory, ReturnKind

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from numpy.typing import NDArray

__all__ = ["plot_cohort_maturity", "plot_rate_series", "plot_reasons", "plot_refusal_costs"]

_T = TypeVar("_T")
_K = TypeVar("_K", bound=Hashable)

_MISSING: Final = "the charts need matplotlib: pip install 'redemption[plot]'"
_SIZE: Final = (8.0, 4.5)  # inches, of a new figure
_NAN: Final = float("nan")
_MAX_COHORTS: Final = 8
_TOP: Final = 15
_WIDE: Final = 10.0  # inches, of a new figure of bars with labels beside them

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
def _canvas(ax: Axes | None, size: tuple[float, float] = _SIZE) -> tuple[Figure, Axes]:
    """The figure and axes to draw on: those of `ax`, or a new figure of one axes, of `size`.

    Raises:
        ImportError: matplotlib is not installed.
    """
    try:
        # `matplotlib` first: a missing package is refused even where a submodule is loaded
        import matplotlib as mpl  # noqa: F401, PLC0415 - imported only when a chart is drawn
        from matplotlib.figure import Figure  # noqa: PLC0415
    except ImportError as missing:
        raise MissingExtraError(_MISSING) from missing
    if ax is not None:
        return ax.figure.figure, ax  # the root figure, also of an axes on a subfigure
    figure = Figure(figsize=size, layout="constrained")
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
    """The orders not kept by how they ended: each return and cancellation kind."""
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

    The orders not kept are those of a `Breakdown` that were cancelled or returned
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
    total = breakdown.not_kept
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
    ax.set_xlabel("orders not kept")
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


def _checked_cap(cap: object, name: str) -> int:
    """The most items drawn, `name` in errors: an int, 1 or more."""
    if not isinstance(cap, int) or isinstance(cap, bool):
        msg = f"{name} must be an int, not {type(cap).__name__} {shown(cap)}"
        raise ArgumentTypeError(msg)
    if cap < 1:
        msg = f"{name} must be 1 or more, not {cap}"
        raise InvalidArgumentError(msg)
    return cap


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
    cap = _checked_cap(max_cohorts, "max_cohorts")
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


# ------------------------------------------------------------------------------------------
# plot_refusal_costs
# ------------------------------------------------------------------------------------------
_COST_PARTS: Final[tuple[tuple[str, str, Callable[[RefusalCosts], LogisticsCost]], ...]] = (
    ("refused or not collected", "C3", lambda costs: costs.refused),
    ("returned after purchase", "C1", lambda costs: costs.returned),
    ("cancelled before handover", "C7", lambda costs: costs.cancelled),
)
"""The parts of each bar, left to right: their legend, colour and units."""


def _roubles(amount: Decimal) -> str:
    """An amount as its label: roubles in groups of three, the kopecks where there are any.

    >>> _roubles(Decimal("12345.00")), _roubles(Decimal("95.50")), _roubles(ZERO)
    ('12 345 ₽', '95.50 ₽', '0 ₽')
    """
    return f"{f'{amount:,.2f}'.replace(',', ' ').removesuffix('.00')} ₽"


def _rouble_ticks(value: float, _position: int | None) -> str:
    """A tick of the money axis: whole roubles in groups of three."""
    return f"{value:,.0f}".replace(",", " ")


def _group_label(group: Hashable, *, alone: bool) -> str:
    r"""A group as its bar is labelled: its key, a reason as `plot_reasons` names it.

    `None` is the group of every order when it is the only one (``by=None``), and otherwise
    the orders without a group: those without a buyer, or by reason those redeemed. A key's
    ``$`` signs are escaped, so that matplotlib draws them rather than reading mathematics.

    >>> print(_group_label("A$5$", alone=False))
    A\$5\$
    """
    if group is None:
        return "all orders" if alone else "(none)"
    if isinstance(group, ReasonCategory):
        return _REASON_LABELS.get(group, group.value.replace("_", " "))
    return str(group).replace("$", r"\$")


def _without_costs(orders: int) -> str:
    return f"{orders} order{'' if orders == 1 else 's'} without costs"


def _costs_of(costs: object) -> list[tuple[Hashable, RefusalCosts]]:
    """The groups and their costs, checked to be the dict `refusal_costs` returns."""
    if isinstance(costs, RefusalCosts) or not isinstance(costs, Mapping):
        msg = (
            "plot_refusal_costs draws every group: pass the dict refusal_costs(...) returns, "
            f"not {type(costs).__name__} {shown(costs)}"
        )
        raise ArgumentTypeError(msg)
    values = _all_of(costs.values(), RefusalCosts, "plot_refusal_costs")
    return list(zip(costs.keys(), values, strict=True))


def plot_refusal_costs(
    costs: Mapping[_K, RefusalCosts],
    *,
    top: int = _TOP,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Draw what the units not redeemed cost, group by group: one stacked bar per group.

    Each group of `refusal_costs` (each SKU, with ``by="sku"``) has a horizontal bar of the
    logistics paid, to the buyer and back, in roubles, for its units refused or not
    collected, returned after purchase, and cancelled before handover, stacked in that
    order; the bar is labelled with their total (`RefusalCosts.not_kept`). Beside it,
    to the right of the axes, the revenue of the group's units kept; and, where the
    logistics of some of its counted orders are not known, how many ("2 orders without
    costs", in red): their cost is in no bar, so that the bar is less than was paid. The
    groups are ordered by their total, the costliest at the top (ties keep their order),
    and at most `top` of them are drawn: then the legend's title says how many of how
    many. Amounts are `Decimal` until they are drawn; the labels are exact to the kopeck.
    When there is no group, the chart says so.

    Groups are labelled by their key; a `ReasonCategory` (``by="reason"``) as in
    `plot_reasons`; `None` as "all orders" when it is the only group, else "(none)": the
    orders without a buyer, or by reason the units redeemed.

    Args:
        costs: the dict of every group `refusal_costs` returns.
        top: the most groups drawn, 1 or more.
        title: the chart's title; by default the orders window, noting when the figures can
            still move (not ``complete``).
        ax: the axes to draw on; by default those of a new figure, taller with more groups.

    Returns:
        The figure drawn on (that of `ax` when given).

    Raises:
        ImportError: matplotlib is not installed (``pip install 'redemption[plot]'``).
        ArgumentTypeError: `costs` is one group's `RefusalCosts` or not a dict, holds
            something other than `RefusalCosts`, or `top` is not an int.
        InvalidArgumentError: `top` is below 1.

    Example:
        Five orders in April 2025. A coat kept, one refused at the pick-up point and one
        returned: each carried to the buyer for 80 roubles, the two not kept back for 70. A
        hat kept, carried for 50, and one cancelled by the buyer, its logistics not known.

        >>> import io
        >>> from datetime import date, datetime
        >>> from redemption import (MOSCOW, CancelKind, History, Logistics, Order, Period,
        ...                         Return, ReturnKind, Sale)
        >>> from redemption.analysis import refusal_costs
        >>> at = datetime(2025, 4, 2, 12, tzinfo=MOSCOW)
        >>> def order(i, sku, price, **more):
        ...     return Order(order_id=i, seller_id="s", sku=sku, price=price, ordered_at=at,
        ...                  **more)
        >>> history = History(
        ...     orders=[order("1", "coat", 5000), order("3", "coat", 5000),
        ...             order("2", "coat", 5000, cancelled_at=at, cancel_kind=CancelKind.REFUSED),
        ...             order("4", "hat", 990),
        ...             order("5", "hat", 990, cancelled_at=at, cancel_kind=CancelKind.BUYER)],
        ...     sales=[Sale(order_id=i, sold_at=at) for i in ("1", "3", "4")],
        ...     returns=[Return(order_id="3", returned_at=at, kind=ReturnKind.RETURN)],
        ...     logistics=[Logistics(order_id="1", to_buyer=80, back=0),
        ...                Logistics(order_id="2", to_buyer=80, back=70),
        ...                Logistics(order_id="3", to_buyer=80, back=70),
        ...                Logistics(order_id="4", to_buyer=50, back=0)],
        ... )
        >>> costs = refusal_costs(history, Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                       today=date(2025, 6, 1), by="sku")
        >>> fig = plot_refusal_costs(costs)
        >>> ax = fig.axes[0]
        >>> [text.get_text() for text in ax.get_yticklabels()]
        ['coat', 'hat']
        >>> [[float(bar.get_width()) for bar in part] for part in ax.containers]
        [[150.0, 0.0], [150.0, 0.0], [0.0, 0.0]]
        >>> [text.get_text() for text in ax.texts]  # doctest: +NORMALIZE_WHITESPACE
        ['300 ₽', '0 ₽', 'kept revenue 5 000 ₽', 'kept revenue 990 ₽',
         '1 order without costs']
        >>> fig.savefig(io.BytesIO(), format="png")

    .. versionadded:: 0.2.0
    """
    groups = _costs_of(costs)
    cap = _checked_cap(top, "top")
    ranked = sorted(groups, key=lambda group: -group[1].not_kept.paid)  # stable
    drawn = ranked[:cap]
    figure, ax = _canvas(ax, (_WIDE, max(_SIZE[1], 1.8 + 0.32 * len(drawn))))
    from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: PLC0415 - drawing only

    if drawn:
        positions = list(range(len(drawn)))
        left = [ZERO] * len(drawn)
        for label, colour, part in _COST_PARTS:
            paid = [part(group_costs).paid for _, group_costs in drawn]
            bars = ax.barh(
                positions,
                [float(amount) for amount in paid],
                left=[float(amount) for amount in left],
                height=0.7,
                color=colour,
                label=label,
            )
            for bar, amount in zip(bars, paid, strict=True):
                # exactly the cost: matplotlib's width is (first left + width) - first left
                bar.set_width(float(amount))
            left = [before + amount for before, amount in zip(left, paid, strict=True)]
        ax.bar_label(bars, labels=[_roubles(total) for total in left], padding=3)
        ax.set_yticks(
            positions, [_group_label(group, alone=len(groups) == 1) for group, _ in drawn]
        )
        ax.set_ylim(len(drawn) - 0.5, -0.5)  # the costliest at the top
        ax.set_xlim(0, float(max(left)) * 1.4 or 1.0)  # room for the labels
        beside = ax.get_yaxis_transform()  # x: a fraction of the axes; y: the bars'
        for position, (_, group_costs) in zip(positions, drawn, strict=True):
            revenue = ax.text(
                1.02,
                position,
                f"kept revenue {_roubles(group_costs.revenue)}",
                transform=beside,
                ha="left",
                va="center",
                fontsize="small",
                color="dimgrey",
            )
            if group_costs.unknown:
                ax.annotate(
                    _without_costs(group_costs.unknown),
                    xy=(1.0, 0.5),
                    xycoords=revenue,  # just after the revenue
                    xytext=(6, 0),
                    textcoords="offset points",
                    ha="left",
                    va="center",
                    fontsize="small",
                    color="C3",
                )
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),  # under the axes, below the ticks' labels
            borderaxespad=2.5,
            ncols=len(_COST_PARTS),
            fontsize="small",
            title=(
                None
                if len(drawn) == len(ranked)
                else f"{len(drawn)} of {len(ranked)} groups shown, the costliest"
            ),
            title_fontsize="small",
            frameon=False,
        )
    else:
        ax.text(0.5, 0.5, "no group has an order", transform=ax.transAxes, ha="center")
        ax.set_yticks([])
    ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(_rouble_ticks))
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)  # the grid behind the bars
    if title is None:
        title = "Logistics paid for the units not redeemed, to the buyer and back, in ₽"
        if groups:
            window = groups[0][1].window.orders
            title += f"\norders of {window.first.isoformat()} to {window.last.isoformat()}"
            if not all(group_costs.complete for _, group_costs in groups):
                title += " (can still move)"
    ax.set_title(title)
    return figure
