"""
The charts: each renders to a PNG, and draws what the analysis says; matplotlib is imported
only when a chart is drawn, and its absence is reported with the extra to install.
"""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
import textwrap
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from redemption import (
    CancelKind,
    History,
    Logistics,
    Order,
    Period,
    Reason,
    ReasonCategory,
    Return,
    ReturnKind,
    Sale,
)
from redemption.analysis import (
    Breakdown,
    CohortMaturity,
    RefusalCosts,
    SeriesPoint,
    cohort_maturity,
    rate_series,
    refusal_breakdown,
    refusal_costs,
)
from redemption.errors import ArgumentTypeError, InvalidArgumentError, MissingExtraError
from redemption.plot import (
    _incomplete_line,
    plot_cohort_maturity,
    plot_rate_series,
    plot_reasons,
    plot_refusal_costs,
)
from tests.builders import msk

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.container import BarContainer
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from numpy.typing import ArrayLike

needs_matplotlib = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None,
    reason="matplotlib not installed: the charts need the plot extra",
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TODAY = date(2025, 5, 10)  # the week of 1-6 April is complete, that of 7-13 April is not
REFUSED = {3: ReasonCategory.DELIVERY, 6: ReasonCategory.DELIVERY, 9: None, 12: None}
RETURNED = {1: ReasonCategory.SIZE_FIT, 8: ReasonCategory.SIZE_FIT, 10: ReasonCategory.APPEARANCE}
# not redeemed: delivery 2, unknown 2, size_fit 2, appearance 1 (of 13 orders)


def order(day: int, n: int = 0) -> Order:
    """Order `n` of 1 April + `day` - 1, refused the next day on the days of `REFUSED`."""
    at = msk(f"2025-04-{day:02d}T12:00")
    refused = day in REFUSED and n == 0
    category = REFUSED.get(day)
    return Order(
        order_id=f"{day}-{n}",
        seller_id="s",
        sku="k",
        price=100,
        ordered_at=at,
        cancelled_at=at + timedelta(days=1) if refused else None,
        cancel_kind=CancelKind.REFUSED if refused else None,
        cancel_reason=Reason(category) if refused and category is not None else None,
    )


@pytest.fixture(scope="module")
def history() -> History:
    """An order a day from 1 to 13 April 2025: four refused, three of the others returned."""
    orders = [order(day) for day in range(1, 14)]
    sold = [o for o in orders if o.cancelled_at is None]
    return History(
        orders=orders,
        sales=[Sale(order_id=o.order_id, sold_at=o.ordered_at + timedelta(days=2)) for o in sold],
        returns=[
            Return(
                order_id=f"{day}-0",
                returned_at=msk(f"2025-04-{day + 4:02d}T12:00"),
                kind=ReturnKind.RETURN,
                reason=Reason(category),
            )
            for day, category in RETURNED.items()
        ],
    )


@pytest.fixture(scope="module")
def series(history: History) -> tuple[SeriesPoint, ...]:
    """The weekly series: 1-6 April (complete) and 7-13 April (not complete)."""
    return rate_series(
        history, start=date(2025, 4, 1), end=date(2025, 4, 13), freq="week", today=TODAY
    )[None]


@pytest.fixture(scope="module")
def breakdown(history: History) -> Breakdown:
    """April's breakdown."""
    return refusal_breakdown(history, Period(date(2025, 4, 1), date(2025, 4, 30)), today=TODAY)[
        None
    ]


@pytest.fixture(scope="module")
def cohorts(history: History) -> tuple[CohortMaturity, ...]:
    """The daily cohorts of 1 to 5 April, to age 20."""
    return cohort_maturity(
        history, start=date(2025, 4, 1), end=date(2025, 4, 5), today=TODAY, max_age=20
    )


APRIL = Period(date(2025, 4, 1), date(2025, 4, 30))
SETTLED = date(2025, 7, 1)  # April's figures can no longer move


def costed_order(order_id: str, sku: str, price: int = 1000, **more: Any) -> Order:
    """An order of 2 April 2025."""
    at = msk("2025-04-02T12:00")
    return Order(order_id=order_id, seller_id="s", sku=sku, price=price, ordered_at=at, **more)


@pytest.fixture(scope="module")
def costly() -> History:
    """
    Four SKUs in April 2025, their logistics to the kopeck.

    * "a": refused 50.25 + 45.10, returned 60.00 + 55.50, cancelled 30.01 + 0: 240.86 in
      all; two kept (50 + 0 each), revenue 2000.
    * "b": two refused, 40 + 40 each: 160; one kept for 12 345 whose logistics are unknown.
    * "c": one returned, 100.10 + 99.90: 200; none kept.
    * "d": one kept for 500 (50 + 0): nothing not redeemed.
    """
    at = msk("2025-04-02T12:00")
    refused: dict[str, Any] = {"cancelled_at": at, "cancel_kind": CancelKind.REFUSED}
    orders = [
        costed_order("a-refused", "a", **refused),
        costed_order("a-returned", "a"),
        costed_order("a-cancelled", "a", cancelled_at=at, cancel_kind=CancelKind.BUYER),
        costed_order("a-kept-1", "a"),
        costed_order("a-kept-2", "a"),
        costed_order("b-refused-1", "b", **refused),
        costed_order("b-refused-2", "b", **refused),
        costed_order("b-kept", "b", price=12345),
        costed_order("c-returned", "c"),
        costed_order("d-kept", "d", price=500),
    ]
    sold = ["a-returned", "a-kept-1", "a-kept-2", "b-kept", "c-returned", "d-kept"]
    return History(
        orders=orders,
        sales=[Sale(order_id=i, sold_at=at + timedelta(days=1)) for i in sold],
        returns=[
            Return(order_id=i, returned_at=at + timedelta(days=5), kind=ReturnKind.RETURN)
            for i in ("a-returned", "c-returned")
        ],
        logistics=[
            Logistics(order_id="a-refused", to_buyer="50.25", back="45.10"),
            Logistics(order_id="a-returned", to_buyer=60, back="55.50"),
            Logistics(order_id="a-cancelled", to_buyer="30.01", back=0),
            Logistics(order_id="a-kept-1", to_buyer=50, back=0),
            Logistics(order_id="a-kept-2", to_buyer=50, back=0),
            Logistics(order_id="b-refused-1", to_buyer=40, back=40),
            Logistics(order_id="b-refused-2", to_buyer=40, back=40),
            Logistics(order_id="c-returned", to_buyer="100.10", back="99.90"),
            Logistics(order_id="d-kept", to_buyer=50, back=0),
        ],
    )


@pytest.fixture(scope="module")
def costs(costly: History) -> dict[str, RefusalCosts]:
    """April's costs by SKU, settled."""
    return refusal_costs(costly, APRIL, today=SETTLED, by="sku")


def rendered(fig: Figure, path: Path) -> bytes:
    """Save the figure as a PNG and return the file's bytes, checked to be a PNG."""
    fig.savefig(path, format="png")
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 1000
    return data


def numbers(values: ArrayLike) -> list[float]:
    """Drawn values as floats (NaN where a line has a gap)."""
    import numpy as np  # noqa: PLC0415 - installed with matplotlib

    return [float(value) for value in np.asarray(values, dtype=float).ravel()]


def ys(line: Line2D) -> list[float]:
    """A line's y values, as given to it."""
    return numbers(line.get_ydata())


def bar_parts(ax: Axes) -> list[BarContainer]:
    """The containers of bars drawn on the axes, one per call of ``barh``."""
    from matplotlib.container import BarContainer  # noqa: PLC0415

    found = [part for part in ax.containers if isinstance(part, BarContainer)]
    assert len(found) == len(ax.containers)
    return found


def widths(bars: BarContainer) -> list[float]:
    """The widths of a container's bars, as floats."""
    return [float(bar.get_width()) for bar in bars.patches]


def lefts(bars: BarContainer) -> list[float]:
    """Where a container's bars start, as floats."""
    return [float(bar.get_x()) for bar in bars.patches]


def texts(ax: Axes) -> list[str]:
    """The texts drawn on the axes, in the order they were drawn."""
    return [text.get_text() for text in ax.texts]


def labelled(ax: Axes, label: str) -> Line2D:
    """The one line of `ax` with this label."""
    [line] = [line for line in ax.get_lines() if line.get_label() == label]
    return line


@needs_matplotlib
class TestRateSeries:
    def test_renders_with_the_interval_band_at_each_bucket(
        self, series: tuple[SeriesPoint, ...], tmp_path: Path
    ) -> None:
        """
        The band is a PolyCollection whose edges are the Wilson bounds of each bucket, as
        percentages, at the bucket's position on the date axis.
        """
        from matplotlib.collections import PolyCollection  # noqa: PLC0415

        fig = plot_rate_series(series)
        rendered(fig, tmp_path / "rate.png")
        [ax] = fig.axes
        [band] = [c for c in ax.collections if isinstance(c, PolyCollection)]
        assert band.get_label() == "Wilson interval"
        flat = numbers(band.get_paths()[0].vertices)
        vertices = {(x, round(y, 9)) for x, y in zip(flat[::2], flat[1::2], strict=True)}
        positions = numbers(labelled(ax, "redemption rate").get_xydata())[::2]  # converted x
        for point, x in zip(series, positions, strict=True):
            assert point.rate_interval is not None
            assert (x, round(float(point.rate_interval.low) * 100, 9)) in vertices
            assert (x, round(float(point.rate_interval.high) * 100, 9)) in vertices
        assert ax.get_ylim() == (0, 100)
        assert ax.get_title() == "Redemption rate, 2025-04-01 to 2025-04-13"

    def test_incomplete_buckets_are_dashed_hollow_and_in_the_legend(
        self, series: tuple[SeriesPoint, ...], tmp_path: Path
    ) -> None:
        """
        The complete bucket is on the solid line, the incomplete one on a dashed line with
        a hollow marker there; the legend names it.
        """
        assert [p.complete for p in series] == [True, False]
        fig = plot_rate_series(series, title="Weekly")
        rendered(fig, tmp_path / "rate.png")
        [ax] = fig.axes
        rate = [float(p.rate or 0) * 100 for p in series]
        solid = labelled(ax, "redemption rate")
        assert solid.get_linestyle() == "-"
        assert ys(solid)[0] == rate[0]
        assert math.isnan(ys(solid)[1])
        dashed = labelled(ax, "incomplete: can still move")
        assert dashed.get_linestyle() == "--"
        assert dashed.get_markerfacecolor() == "none"
        assert ys(dashed) == rate  # joined to the complete bucket before it
        assert dashed.get_markevery() == [1]  # the marker on the incomplete bucket only
        legend = ax.get_legend()
        assert legend is not None
        assert "incomplete: can still move" in [t.get_text() for t in legend.get_texts()]
        assert ax.get_title() == "Weekly"

    def test_the_shares_are_drawn_when_asked(
        self, series: tuple[SeriesPoint, ...], tmp_path: Path
    ) -> None:
        """
        ``shares=True`` adds the refusal and return shares, as percentages.
        """
        fig = plot_rate_series(series, shares=True)
        rendered(fig, tmp_path / "rate.png")
        [ax] = fig.axes
        refusals = ys(labelled(ax, "refusal share"))
        returns = ys(labelled(ax, "return share"))
        assert refusals == [float(p.refusal_share or 0) * 100 for p in series]
        assert returns == [float(p.return_share or 0) * 100 for p in series]
        assert "refusal share" not in [
            line.get_label() for line in plot_rate_series(series).axes[0].get_lines()
        ]

    def test_no_band_without_intervals_and_no_dashes_when_all_complete(
        self, history: History
    ) -> None:
        """
        A series computed with ``ci=None`` has no band; one whose buckets are all complete
        has no dashed line.
        """
        from matplotlib.collections import PolyCollection  # noqa: PLC0415

        done = rate_series(
            history,
            start=date(2025, 4, 1),
            end=date(2025, 4, 6),
            freq="week",
            today=TODAY,
            ci=None,
        )[None]
        [ax] = plot_rate_series(done).axes
        assert not [c for c in ax.collections if isinstance(c, PolyCollection)]
        assert [line.get_label() for line in ax.get_lines()] == ["redemption rate"]

    def test_draws_on_the_axes_given_and_returns_their_figure(
        self, series: tuple[SeriesPoint, ...]
    ) -> None:
        """
        With ``ax=``, the chart is drawn there, even on a subfigure, and the root figure is
        returned.
        """
        from matplotlib.figure import Figure  # noqa: PLC0415

        fig = Figure()
        grid = fig.add_gridspec(1, 2)
        left, right = fig.add_subfigure(grid[0, 0]), fig.add_subfigure(grid[0, 1])
        ax = right.add_subplot()
        assert plot_rate_series(series, ax=ax) is fig
        assert ax.get_lines()
        assert not left.axes

    def test_a_dict_of_groups_or_an_empty_series_is_refused(
        self, history: History, series: tuple[SeriesPoint, ...]
    ) -> None:
        """
        The dict `rate_series` returns is refused, saying how to pass one group; so are an
        empty series and a point of another kind.
        """
        grouped = rate_series(
            history, start=date(2025, 4, 1), end=date(2025, 4, 13), today=TODAY, by="sku"
        )
        with pytest.raises(ArgumentTypeError, match=r"rate_series\(\.\.\.\)\[group\]"):
            plot_rate_series(grouped)  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError, match="empty"):
            plot_rate_series(())
        with pytest.raises(ArgumentTypeError, match="SeriesPoint, not int"):
            plot_rate_series([*series, 1])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("complete", "expected", "marks"),
    [
        ([True, False], [0, 1], [1]),
        ([False, True, True], [0, 1], [0]),
        ([True, False, True], [0, 1, 2], [1]),
        # the two complete buckets in the middle are joined by the solid line, not this one
        ([False, True, True, False], [0, 1, None, 2, 3], [0, 4]),
        ([True, True, True], [], []),
    ],
)
def test_the_incomplete_line_dashes_only_segments_touching_an_incomplete_bucket(
    complete: list[bool], expected: list[int | None], marks: list[int]
) -> None:
    """
    Its points are the buckets, a NaN break where two complete buckets meet; its markers
    are on the incomplete buckets.
    """
    days = [date(2025, 4, 1) + timedelta(days=i) for i in range(len(complete))]
    rates = [10.0 * (i + 1) for i in range(len(complete))]
    xs, ys, marked = _incomplete_line(days, rates, complete)
    assert len(xs) == len(ys) == len(expected)
    for y, index in zip(ys, expected, strict=True):
        assert math.isnan(y) if index is None else y == rates[index]
    assert marked == marks


@needs_matplotlib
class TestReasons:
    def test_one_bar_per_reason_with_orders_largest_first(
        self, breakdown: Breakdown, tmp_path: Path
    ) -> None:
        """
        Each reason with an order has a bar as long as its count, labelled with the count
        and its share of the orders not redeemed; the others have none.
        """
        assert breakdown.not_kept == 7
        fig = plot_reasons(breakdown)
        rendered(fig, tmp_path / "reasons.png")
        [ax] = fig.axes
        with_orders = [c for c, count in breakdown.reasons.items() if count]
        assert len(ax.patches) == len(with_orders) == 4
        widths = [bar.get_width() for bar in ax.patches]  # type: ignore[attr-defined]
        assert widths == [2, 2, 2, 1]
        assert [t.get_text() for t in ax.get_yticklabels()] == [
            "size or fit",
            "delivery",
            "no reason given",
            "colour or look",
        ]
        assert [t.get_text() for t in ax.texts] == [
            "2 (28.6%)",
            "2 (28.6%)",
            "2 (28.6%)",
            "1 (14.3%)",
        ]
        assert (
            ax.get_title() == "Orders not redeemed by reason: 7 of 13 counted "
            "(few orders: mostly chance; can still move)"
        )

    def test_by_kind(self, breakdown: Breakdown, tmp_path: Path) -> None:
        """
        ``by="kind"`` has a bar per way the orders ended: refused, returned.
        """
        fig = plot_reasons(breakdown, by="kind", title="How")
        rendered(fig, tmp_path / "kinds.png")
        [ax] = fig.axes
        assert [t.get_text() for t in ax.get_yticklabels()] == ["refused at pick-up", "returned"]
        assert [bar.get_width() for bar in ax.patches] == [4, 3]  # type: ignore[attr-defined]
        assert ax.get_title() == "How"

    def test_every_order_redeemed_draws_no_bar(self, tmp_path: Path) -> None:
        """
        With nothing not redeemed there is no bar, and the chart says why.
        """
        at = msk("2025-04-02T12:00")
        history = History(
            orders=[Order(order_id="1", seller_id="s", sku="k", price=1, ordered_at=at)],
            sales=[Sale(order_id="1", sold_at=at)],
        )
        b = refusal_breakdown(history, Period(date(2025, 4, 1), date(2025, 4, 30)), today=TODAY)
        fig = plot_reasons(b[None])
        rendered(fig, tmp_path / "none.png")
        [ax] = fig.axes
        assert not ax.patches
        assert [t.get_text() for t in ax.texts] == ["every counted order was redeemed"]

    def test_wrong_arguments_are_refused(self, history: History, breakdown: Breakdown) -> None:
        """
        The dict of every group, an unknown `by`, something not a breakdown.
        """
        grouped = refusal_breakdown(
            history, Period(date(2025, 4, 1), date(2025, 4, 30)), today=TODAY, by="sku"
        )
        with pytest.raises(ArgumentTypeError, match=r"refusal_breakdown\(\.\.\.\)\[None\]"):
            plot_reasons(grouped)  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError, match="by must be 'reason' or 'kind'"):
            plot_reasons(breakdown, by="sku")  # type: ignore[arg-type]
        with pytest.raises(ArgumentTypeError, match="Breakdown, not str"):
            plot_reasons("breakdown")  # type: ignore[arg-type]


@needs_matplotlib
class TestCohortMaturity:
    def test_one_curve_of_each_measure_per_cohort(
        self, cohorts: tuple[CohortMaturity, ...], tmp_path: Path
    ) -> None:
        """
        Each cohort has a solid curve (rate so far) and a dashed one (resolved share), of
        one colour, against its ages; the legend names every cohort.
        """
        assert len(cohorts) == 5
        fig = plot_cohort_maturity(cohorts)
        rendered(fig, tmp_path / "cohorts.png")
        [ax] = fig.axes
        solid = [line for line in ax.get_lines() if line.get_linestyle() == "-"]
        dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
        assert len(solid) == len(dashed) == len(cohorts)
        for cohort, rate, resolved in zip(cohorts, solid, dashed, strict=True):
            assert numbers(rate.get_xdata()) == [p.age for p in cohort.points]
            assert ys(rate) == [float(p.rate_so_far) * 100 for p in cohort.points]
            assert ys(resolved) == [float(p.resolved_share) * 100 for p in cohort.points]
            assert rate.get_color() == resolved.get_color()
        legend = ax.get_legend()
        assert legend is not None
        assert legend.get_title().get_text() == "cohort"
        texts = [t.get_text() for t in legend.get_texts()]
        assert texts[:2] == ["rate so far", "resolved share"]
        assert texts[2] == "2025-04-01 (1 orders)"
        assert len(texts) == 2 + len(cohorts)

    def test_at_most_max_cohorts_the_first_and_last_among_them(
        self, cohorts: tuple[CohortMaturity, ...], tmp_path: Path
    ) -> None:
        """
        Over the cap, the first, the last and cohorts evenly between are drawn, and the
        legend's title says how many of how many.
        """
        fig = plot_cohort_maturity(cohorts, max_cohorts=3)
        rendered(fig, tmp_path / "cohorts.png")
        [ax] = fig.axes
        solid = [line.get_label() for line in ax.get_lines() if line.get_linestyle() == "-"]
        assert solid == [
            "2025-04-01 (1 orders)",
            "2025-04-03 (1 orders)",
            "2025-04-05 (1 orders)",
        ]
        legend = ax.get_legend()
        assert legend is not None
        assert legend.get_title().get_text() == "cohort (3 of 5 shown)"
        [ax] = plot_cohort_maturity(cohorts, max_cohorts=1).axes
        assert len(ax.get_lines()) == 2

    def test_no_cohort_draws_a_note(self, tmp_path: Path) -> None:
        """
        With no cohort the chart says so.
        """
        fig = plot_cohort_maturity(())
        rendered(fig, tmp_path / "empty.png")
        [ax] = fig.axes
        assert not ax.get_lines()
        assert [t.get_text() for t in ax.texts] == ["no cohort holds an order"]

    def test_wrong_arguments_are_refused(
        self, history: History, cohorts: tuple[CohortMaturity, ...]
    ) -> None:
        """
        The dict of every group, a cap below 1 or not an int.
        """
        grouped = cohort_maturity(
            history, start=date(2025, 4, 1), end=date(2025, 4, 5), today=TODAY, by="sku"
        )
        with pytest.raises(ArgumentTypeError, match="one group"):
            plot_cohort_maturity(grouped)  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentError, match="max_cohorts must be 1 or more, not 0"):
            plot_cohort_maturity(cohorts, max_cohorts=0)
        with pytest.raises(ArgumentTypeError, match="max_cohorts must be an int"):
            plot_cohort_maturity(cohorts, max_cohorts=2.5)  # type: ignore[arg-type]


COSTLIEST_FIRST = ["a", "c", "b", "d"]  # 240.86, 200, 160 and 0 roubles not redeemed


@needs_matplotlib
class TestRefusalCosts:
    def test_one_stacked_bar_per_group_as_long_as_its_costs(
        self, costs: dict[str, RefusalCosts], tmp_path: Path
    ) -> None:
        """
        Each group's bar is its refused, returned and cancelled units' logistics, end to
        end, each part as wide as its cost to the kopeck; the costliest group at the top.
        """
        fig = plot_refusal_costs(costs)
        rendered(fig, tmp_path / "costs.png")
        [ax] = fig.axes
        assert len(ax.patches) == 3 * len(costs) == 12
        refused, returned, cancelled = bar_parts(ax)
        assert [t.get_text() for t in ax.get_yticklabels()] == COSTLIEST_FIRST
        assert widths(refused) == [95.35, 0.0, 160.0, 0.0]
        assert widths(returned) == [115.5, 200.0, 0.0, 0.0]
        assert widths(cancelled) == [30.01, 0.0, 0.0, 0.0]
        assert lefts(returned) == [95.35, 0.0, 160.0, 0.0]
        assert lefts(cancelled) == [210.85, 200.0, 160.0, 0.0]
        for part, outcome in zip(
            (refused, returned, cancelled), ("refused", "returned", "cancelled"), strict=True
        ):
            assert widths(part) == [
                float(getattr(costs[sku], outcome).paid) for sku in COSTLIEST_FIRST
            ]
        ends = [bar.get_x() + bar.get_width() for bar in cancelled.patches]
        totals = [costs[sku].not_kept.paid for sku in COSTLIEST_FIRST]
        assert totals == [Decimal("240.86"), Decimal("200.00"), Decimal("160.00"), Decimal(0)]
        assert ends == pytest.approx([float(total) for total in totals], abs=1e-9)
        top, bottom = ax.get_ylim()
        assert top > bottom  # inverted: the first group at the top
        assert ax.get_xlim() == pytest.approx((0, 240.86 * 1.4))
        legend = ax.get_legend()
        assert legend is not None
        assert [t.get_text() for t in legend.get_texts()] == [
            "refused or not collected",
            "returned after purchase",
            "cancelled before handover",
        ]
        assert legend.get_title().get_text() == ""  # every group shown
        assert ax.get_title() == (
            "Logistics paid for the units not redeemed, to the buyer and back, in ₽\n"
            "orders of 2025-04-01 to 2025-04-30"
        )

    def test_the_order_is_by_cost_not_by_the_dict(self, costs: dict[str, RefusalCosts]) -> None:
        """
        However the groups come, the costliest is drawn first.
        """
        shuffled = {sku: costs[sku] for sku in ["d", "b", "c", "a"]}
        [ax] = plot_refusal_costs(shuffled).axes
        assert [t.get_text() for t in ax.get_yticklabels()] == COSTLIEST_FIRST

    def test_each_bar_is_labelled_with_its_total_and_the_revenue_kept_beside_it(
        self, costs: dict[str, RefusalCosts], tmp_path: Path
    ) -> None:
        """
        The total, exact to the kopeck (whole roubles without them), at the bar's end; the
        revenue kept beside it; the group with an order of unknown logistics marked, just
        after its revenue.
        """
        from matplotlib.text import Annotation  # noqa: PLC0415

        fig = plot_refusal_costs(costs)
        rendered(fig, tmp_path / "costs.png")
        [ax] = fig.axes
        assert texts(ax) == [
            "240.86 ₽",
            "200 ₽",
            "160 ₽",
            "0 ₽",
            "kept revenue 2 000 ₽",
            "kept revenue 0 ₽",
            "kept revenue 12 345 ₽",
            "1 order without costs",
            "kept revenue 500 ₽",
        ]
        assert [costs[sku].unknown for sku in COSTLIEST_FIRST] == [0, 0, 1, 0]
        [mark] = [t for t in ax.texts if t.get_text().endswith("without costs")]
        assert isinstance(mark, Annotation)
        anchor = mark.xycoords
        assert next(t for t in ax.texts if t is anchor).get_text() == "kept revenue 12 345 ₽"
        assert mark.get_color() == "C3"

    def test_at_most_top_groups_and_the_legend_says_how_many_of_how_many(
        self, costs: dict[str, RefusalCosts], tmp_path: Path
    ) -> None:
        """
        With ``top=2`` the two costliest are drawn, and the legend's title says 2 of 4.
        """
        fig = plot_refusal_costs(costs, top=2, title="Top two")
        rendered(fig, tmp_path / "top.png")
        [ax] = fig.axes
        assert len(ax.patches) == 6
        assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "c"]
        assert texts(ax) == ["240.86 ₽", "200 ₽", "kept revenue 2 000 ₽", "kept revenue 0 ₽"]
        legend = ax.get_legend()
        assert legend is not None
        assert legend.get_title().get_text() == "2 of 4 groups shown, the costliest"
        assert ax.get_title() == "Top two"
        [ax] = plot_refusal_costs(costs, top=1).axes
        assert len(ax.patches) == 3

    def test_groups_of_one_order_and_of_reasons_are_named(
        self, costly: History, tmp_path: Path
    ) -> None:
        """
        Without ``by`` the one group is all orders; by reason, a category as plot_reasons
        names it and the units redeemed as "(none)". Figures that can still move say so.
        """
        whole = refusal_costs(costly, APRIL, today=SETTLED)
        [ax] = plot_refusal_costs(whole).axes
        assert [t.get_text() for t in ax.get_yticklabels()] == ["all orders"]
        assert widths(bar_parts(ax)[0]) == [255.35]
        reasons = refusal_costs(costly, APRIL, today=TODAY, by="reason")
        assert not reasons[None].complete
        fig = plot_refusal_costs(reasons)
        rendered(fig, tmp_path / "reasons.png")
        [ax] = fig.axes
        assert [t.get_text() for t in ax.get_yticklabels()] == ["no reason given", "(none)"]
        assert ax.get_title().endswith("orders of 2025-04-01 to 2025-04-30 (can still move)")

    def test_nothing_not_redeemed_draws_empty_bars_and_no_group_a_note(
        self, costs: dict[str, RefusalCosts], tmp_path: Path
    ) -> None:
        """
        A group that cost nothing has bars of no width, on an axis still from 0; with no
        group at all the chart says so and has no bar.
        """
        fig = plot_refusal_costs({"d": costs["d"]})
        rendered(fig, tmp_path / "nothing.png")
        [ax] = fig.axes
        assert [widths(part) for part in bar_parts(ax)] == [[0.0]] * 3
        assert ax.get_xlim() == (0, 1)
        assert texts(ax) == ["0 ₽", "kept revenue 500 ₽"]
        empty = refusal_costs(History(), APRIL, today=SETTLED, by="sku")
        assert empty == {}
        fig = plot_refusal_costs(empty)
        rendered(fig, tmp_path / "empty.png")
        [ax] = fig.axes
        assert not ax.patches
        assert texts(ax) == ["no group has an order"]
        assert ax.get_legend() is None
        assert ax.get_title() == (
            "Logistics paid for the units not redeemed, to the buyer and back, in ₽"
        )

    def test_draws_on_the_axes_given_and_returns_their_figure(
        self, costs: dict[str, RefusalCosts]
    ) -> None:
        """
        With ``ax=``, the bars are drawn there and its figure is returned.
        """
        from matplotlib.figure import Figure  # noqa: PLC0415

        fig = Figure()
        left, right = fig.subplots(1, 2)
        assert plot_refusal_costs(costs, ax=right) is fig
        assert len(right.patches) == 12
        assert not left.patches

    def test_wrong_arguments_are_refused(self, costs: dict[str, RefusalCosts]) -> None:
        """
        One group's costs, a list, something not a RefusalCosts, a `top` below 1 or not an
        int.
        """
        with pytest.raises(ArgumentTypeError, match=r"pass the dict refusal_costs\(\.\.\.\)"):
            plot_refusal_costs(costs["a"])  # type: ignore[arg-type]
        with pytest.raises(ArgumentTypeError, match="not list"):
            plot_refusal_costs(list(costs.values()))  # type: ignore[arg-type]
        with pytest.raises(ArgumentTypeError, match="RefusalCosts, not int"):
            plot_refusal_costs({"a": 1})  # type: ignore[dict-item]
        with pytest.raises(InvalidArgumentError, match="top must be 1 or more, not 0"):
            plot_refusal_costs(costs, top=0)
        with pytest.raises(ArgumentTypeError, match="top must be an int, not float"):
            plot_refusal_costs(costs, top=2.5)  # type: ignore[arg-type]
        with pytest.raises(ArgumentTypeError, match="top must be an int, not bool"):
            plot_refusal_costs(costs, top=True)


class TestMatplotlibOnlyWhenDrawing:
    @needs_matplotlib
    def test_importing_imports_no_matplotlib_and_drawing_no_pyplot(self) -> None:
        """
        In a fresh interpreter, ``import redemption.plot`` loads no matplotlib; drawing
        loads it, but never pyplot.
        """
        script = textwrap.dedent(
            """
            import sys
            import redemption.plot
            assert not [m for m in sys.modules if m.split(".")[0] == "matplotlib"], "imported"
            from redemption.analysis import CohortMaturity, MaturityPoint
            from datetime import date
            day = date(2025, 4, 1)
            point = MaturityPoint(age=0, day=day, orders=1, resolved=1, sold=1)
            cohort = CohortMaturity(first=day, last=day, orders=1, small=True, points=(point,))
            redemption.plot.plot_cohort_maturity([cohort]).savefig(sys.stdout.buffer, format="png")
            assert "matplotlib" in sys.modules
            assert "matplotlib.pyplot" not in sys.modules, "pyplot"
            """
        )
        done = subprocess.run(  # noqa: S603 - our own interpreter, our own script
            [sys.executable, "-c", script], capture_output=True, check=False, timeout=60
        )
        assert done.returncode == 0, done.stderr.decode()
        assert done.stdout.startswith(PNG_MAGIC)

    def test_a_missing_matplotlib_names_the_extra(
        self,
        monkeypatch: pytest.MonkeyPatch,
        series: tuple[SeriesPoint, ...],
        breakdown: Breakdown,
        cohorts: tuple[CohortMaturity, ...],
        costs: dict[str, RefusalCosts],
    ) -> None:
        """
        Without matplotlib, each chart raises MissingExtraError (an ImportError) saying
        what to install.
        """
        monkeypatch.setitem(sys.modules, "matplotlib", None)
        extra = r"pip install 'redemption\[plot\]'"
        with pytest.raises(MissingExtraError, match=extra):
            plot_rate_series(series)
        with pytest.raises(MissingExtraError, match=extra):
            plot_reasons(breakdown)
        with pytest.raises(MissingExtraError, match=extra):
            plot_cohort_maturity(cohorts)
        with pytest.raises(MissingExtraError, match=extra):
            plot_refusal_costs(costs)
