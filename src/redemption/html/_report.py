"""The report page: the figures of a period gathered, then written by one template."""

from __future__ import annotations

import base64
import importlib.util
import io
import warnings
from collections.abc import Callable, Sequence
from datetime import date, tzinfo
from decimal import Decimal
from fractions import Fraction
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from redemption.analysis import (
    Breakdown,
    Freq,
    Interval,
    RefusalCosts,
    rate_series,
    refusal_breakdown,
    refusal_costs,
)
from redemption.analysis._intervals import checked_count  # the one check of a count
from redemption.calculators import redemption_rate
from redemption.dates import MOSCOW, local_day
from redemption.errors import (
    BeyondHorizonWarning,
    MissingExtraError,
)
from redemption.history import History
from redemption.io import ImportReport
from redemption.loyalty import (
    MeasuredByMonth,
    Month,
    MonthStanding,
    Programme,
    loyalty_timeline,
)
from redemption.money import percent
from redemption.outcomes import ReasonCategory
from redemption.plot import plot_rate_series, plot_reasons, plot_refusal_costs
from redemption.policy import BuyerStatus, Policy, buyer_statuses
from redemption.windows import Period, require_ended

if TYPE_CHECKING:
    import jinja2
    from matplotlib.figure import Figure

__all__ = ["html_report"]

_MISSING: Final = "the HTML report needs Jinja2 and matplotlib: pip install 'redemption[report]'"
_DAYS_BY_DAY: Final = 31
"""The most days whose rate over time is drawn day by day; up to `_DAYS_BY_WEEK`, week by
week; more, month by month."""
_DAYS_BY_WEEK: Final = 184  # half a year: July to December
_DASH: Final = "\u2013"
"""What a cell shows where there is no number: an en dash."""
_NARROW_SPACE: Final = "\u202f"
"""What separates the groups of three digits of an amount, as Russian writes them."""


def html_report(
    history: History,
    period: Period,
    *,
    today: date,
    tz: tzinfo = MOSCOW,
    title: str | None = None,
    imported: ImportReport | None = None,
    policy: Policy | None = None,
    seller_id: str | None = None,
    programme: Programme | Sequence[Programme] | None = None,
    measured: MeasuredByMonth | None = None,
    buyers: int = 10,
    min_orders: int = 5,
) -> str:
    """Write one self-contained HTML page of a period's redemption rate and what is behind it.

    The page shows the period's rate (`redemption_rate`) with its 95% Wilson interval and
    whether it is complete; each SKU's rate, refusals, returns and logistics
    (`refusal_breakdown`, `refusal_costs`) in a table that sorts by any column; the rate
    over time with its interval band (`rate_series` over the days of the orders window, by
    day up to 31 days, by week up to 184 days, else by month); the orders not redeemed by
    the category of their reason and what carrying them cost; the buyers with the lowest and
    highest redemption percentages (`buyer_statuses`, over their own two-year windows as of
    `today`, under `policy` when one is given); and, when `programme` is given, the
    Wildberries loyalty standing of each month of the period that has begun by `today`
    (`loyalty_timeline`).

    Nothing is fetched when the page is opened: the charts are embedded images, the
    styles and the sorting script inline. Text from the reports (SKUs, buyers, reasons)
    is escaped.

    Args:
        history: the orders, sales and returns.
        period: the days whose orders the rate counts.
        today: the day the figures are computed on.
        tz: the zone whose calendar days the windows are made of.
        title: the page's heading (default: "Redemption report").
        imported: the `ImportReport` of the files the history was read from: its counts
            and notes are shown, so a reader sees what was read and what was put aside.
        policy: the buyer policy whose privileges and restrictions the buyers show.
        seller_id: the shop whose per-shop ransom amount the buyers show, and which the
            policy's ``shop_ransom`` rules look at.
        programme: the loyalty programme (or programmes, by date) with the seller's targets.
        measured: the values of the programme's indicators the seller measured themselves
            (`redemption.loyalty.parse_measured`), by month.
        buyers: how many buyers to show at each edge.
        min_orders: the fewest orders a buyer must have placed (and no longer in transit)
            to be shown at an edge: a percentage of one or two orders says little.

    Returns:
        The page, as text to write to a ``.html`` file (UTF-8).

    Raises:
        MissingExtraError: Jinja2 or matplotlib is not installed.
        ArgumentTypeError: `period` is not a `Period`, or `today` is not a date.
        InvalidPeriodError: the period ends after `today`.
        InvalidArgumentError: `buyers` or `min_orders` is not a whole number, 0 or more.
        PolicyError: the policy has ``shop_ransom`` rules and no `seller_id` is given.

    Example:
        >>> from datetime import date
        >>> from redemption import Period
        >>> from redemption.html import html_report
        >>> from redemption.sample import SAMPLE_TODAY, sample_history
        >>> history, imported = sample_history()
        >>> page = html_report(
        ...     history, Period(date(2025, 4, 1), date(2025, 4, 15)), today=SAMPLE_TODAY
        ... )
        >>> page.startswith("<!DOCTYPE html>"), "Redemption rate" in page
        (True, True)
    """
    require_ended(period, today)
    checked_count(buyers, "buyers")
    checked_count(min_orders, "min_orders")
    environment = _environment()
    overall = redemption_rate(history, period, today=today, tz=tz)  # warns beyond the data
    with warnings.catch_warnings():  # once for the page, not once for each figure on it
        warnings.simplefilter("ignore", BeyondHorizonWarning)
        whole = refusal_breakdown(history, period, today=today, tz=tz)[None]
        skus = refusal_breakdown(history, period, today=today, tz=tz, by="sku")
        sku_costs = refusal_costs(history, period, today=today, tz=tz, by="sku")
        reason_costs = refusal_costs(history, period, today=today, tz=tz, by="reason")
        first = overall.window.orders.first  # the trend counts the orders the headline counts
        freq = _freq((period.end - first).days + 1)
        series = rate_series(history, start=first, end=period.end, freq=freq, today=today, tz=tz)
        statuses = buyer_statuses(
            history,
            today=today,
            policy=policy or Policy(rules=[], weight="count"),
            seller_id=seller_id,
            tz=tz,
        )
        loyalty = (
            None
            if programme is None
            else _loyalty(history, programme, measured=measured, period=period, today=today, tz=tz)
        )
    horizon = history.horizon
    context: dict[str, Any] = {
        "title": title or "Redemption report",
        "period": str(period),
        "today": today.isoformat(),
        "tz": getattr(tz, "key", str(tz)),
        "rate": _percent(overall.rate),
        "interval": _interval(whole.rate_interval),
        "orders": overall.orders,
        "sales": overall.sales,
        "returns": overall.returns,
        "in_transit": overall.in_transit,
        "unmatched": overall.unmatched,
        "complete": overall.complete,
        "window_closed": overall.window.complete,
        "covered": overall.covered,
        "reach": None if horizon is None else local_day(horizon, tz).isoformat(),
        "orders_window": str(overall.window.orders),
        "sales_window": str(overall.window.sales),
        "closes": overall.window.closes.isoformat(),
        "imported": None if imported is None else _imported(imported),
        "skus": [_sku_row(sku, b, sku_costs.get(sku)) for sku, b in sorted(skus.items())],
        "freq": freq,
        "series_first": first.isoformat(),
        "series_chart": (
            _chart(partial(plot_rate_series, series[None], shares=True)) if overall.orders else None
        ),
        "not_kept": whole.not_kept,
        "reasons": _reason_rows(whole, reason_costs),
        "reasons_chart": _chart(partial(plot_reasons, whole)) if whole.not_kept else None,
        "costs_chart": (
            _chart(partial(plot_refusal_costs, sku_costs))
            if any(c.not_kept.known for c in sku_costs.values())
            else None
        ),
        "unknown_costs": sum(c.not_kept.unknown for c in sku_costs.values()),
        "buyers": _buyer_edges(statuses, buyers, min_orders),
        "buyers_asked": buyers,
        "buyer_count": len(statuses),
        "min_orders": min_orders,
        "by_price": policy is not None and policy.weight == "price",
        "shop": seller_id,
        "policy": None if policy is None else (policy.title or "the policy given"),
        "loyalty": loyalty,
    }
    return environment.get_template("report.html.j2").render(context)


def _environment() -> jinja2.Environment:
    """The template's environment: HTML escaped everywhere, an unknown name an error."""
    try:
        import jinja2  # noqa: PLC0415 - the extra is imported only when a page is written
    except ImportError as error:
        raise MissingExtraError(_MISSING) from error
    if importlib.util.find_spec("matplotlib") is None:  # checked now, not after the figures
        raise MissingExtraError(_MISSING)
    return jinja2.Environment(
        loader=jinja2.PackageLoader("redemption.html", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _freq(days: int) -> Freq:
    """Day buckets for a month or less, weeks up to half a year, months beyond."""
    if days <= _DAYS_BY_DAY:
        return "day"
    return "week" if days <= _DAYS_BY_WEEK else "month"


def _chart(draw: Callable[[], Figure]) -> str:
    """A chart as an SVG image in a ``data:`` address: part of the page, scaled sharply.

    The image keeps its own names apart from the page's (two charts' clip paths cannot
    collide, as they could inline), and the SVG carries no date, so a page written twice
    from the same figures is the same.
    """
    from matplotlib import rc_context  # noqa: PLC0415 - drawing only

    buffer = io.BytesIO()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "redemption"}):
        figure = draw()
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"


def _percent(share: Fraction | None) -> str:
    """A rate as a percentage with two places; a dash when nothing is counted."""
    return _DASH if share is None else f"{percent(share)}%"


def _interval(interval: Interval | None) -> str | None:
    if interval is None:
        return None
    return f"{_percent(Fraction(interval.low))} {_DASH} {_percent(Fraction(interval.high))}"


def _roubles(amount: Decimal | None) -> str:
    """An amount in roubles, in groups of three with a narrow space, to the kopeck."""
    if amount is None:
        return _DASH
    return f"{amount:,.2f}".replace(",", _NARROW_SPACE) + " ₽"


def _sort_key(share: Fraction | Decimal | None) -> str:
    """A cell's sort key: its number, or empty (sorted last) when it has none."""
    return "" if share is None else f"{float(share):.10g}"


_PROBLEMS_SHOWN: Final = 20
"""The rows put aside listed on the page, of each kind; the rest are counted."""


def _imported(report: ImportReport) -> dict[str, Any]:
    """What the import read, and the first rows it put aside, each naming its place."""
    return {
        "counts": [
            ("rows read", report.rows_read),
            ("orders", report.orders),
            ("sales", report.sales),
            ("returns", report.returns),
            ("merged", report.merged),
            ("skipped", len(report.skipped)),
            ("refused", len(report.refused)),
            ("conflicts", len(report.conflicts)),
        ],
        "problems": [
            (kind, [str(p) for p in problems[:_PROBLEMS_SHOWN]], len(problems))
            for kind, problems in (
                ("refused", report.refused),
                ("conflict", report.conflicts),
                ("skipped", report.skipped),
            )
            if problems
        ],
        "notes": list(report.notes),
    }


def _sku_row(sku: str, b: Breakdown, costs: RefusalCosts | None) -> dict[str, Any]:
    """One SKU's row: each cell as shown, and its sort key.

    Its orders not redeemed are split three ways that add up to them: refused at handover
    (cancelled as refused or not collected, or returned as refused), returned after the
    purchase, and cancelled before handover.
    """
    counts = b.counts
    top = max(b.reasons.items(), key=lambda item: item[1], default=None)
    reason = _reason_name(top[0]) if top is not None and top[1] else _DASH
    return {
        "sku": sku,
        "cells": [
            (str(b.orders), b.orders),
            (str(b.in_transit), b.in_transit),
            (str(b.sales), b.sales),
            (_percent(b.rate), _sort_key(b.rate)),
            (_interval(b.rate_interval) or _DASH, _sort_key(_low(b.rate_interval))),
            (str(counts.refused), counts.refused),
            (str(counts.returned_after_purchase), counts.returned_after_purchase),
            (str(counts.cancelled_before_handover), counts.cancelled_before_handover),
            (reason, "" if reason == _DASH else reason),
            _logistics_cell(costs),
        ],
        "small": b.small,
        "complete": b.complete,
    }


def _logistics_cell(costs: RefusalCosts | None) -> tuple[str, str]:
    """What carrying a SKU's units not redeemed cost, saying how many of them it covers.

    A dash where no unit's logistics are known; "95.00 ₽ (1 of 2)" where only some are, so
    a partial sum is never read as the whole.
    """
    if costs is None or not costs.not_kept.known:
        return _DASH, ""
    paid = costs.not_kept.paid
    shown = _roubles(paid)
    if costs.not_kept.unknown:
        shown += f" ({costs.not_kept.known} of {costs.not_kept.units})"
    return shown, _sort_key(paid)


def _low(interval: Interval | None) -> Decimal | None:
    return None if interval is None else interval.low


def _reason_name(category: ReasonCategory) -> str:
    """A reason's category in words: ``size_fit`` as "size fit"; none as the chart says it."""
    if category is ReasonCategory.UNKNOWN:
        return "no reason given"
    return str(category.value).replace("_", " ")


def _reason_rows(whole: Breakdown, costs: dict[Any, RefusalCosts]) -> list[dict[str, Any]]:
    """The orders not kept, by the category of their reason, with their logistics."""
    rows = []
    for category, count in sorted(whole.reasons.items(), key=lambda item: -item[1]):
        if not count:
            continue
        cost = costs.get(category)
        known = cost is not None and cost.not_kept.known > 0
        rows.append(
            {
                "reason": _reason_name(category),
                "orders": count,
                "share": _percent(whole.reason_shares.get(category)),
                "paid": _roubles(cost.not_kept.paid) if cost is not None and known else _DASH,
                "known": 0 if cost is None else cost.not_kept.known,
            }
        )
    return rows


def _buyer_edges(
    statuses: dict[str, BuyerStatus], count: int, min_orders: int
) -> dict[str, list[dict[str, Any]]]:
    """The `count` buyers with the lowest and the `count` with the highest percentages.

    Only buyers with at least `min_orders` orders placed and no longer in transit. Where
    fewer than twice `count` qualify, they are split between the edges at the middle, so
    no buyer at one edge stands beyond one at the other. Ties are broken by more orders
    first, then by buyer id, so the page is the same every time.
    """
    judged = sorted(
        (
            (rate, -s.report.placed, s.buyer_id, s)
            for s in statuses.values()
            if (rate := s.report.rate) is not None and s.report.placed >= min_orders
        ),
        key=lambda judged: judged[:3],
    )
    lowest = [s for *_, s in judged[: min(count, (len(judged) + 1) // 2)]]
    rest = sorted(judged[len(lowest) :], key=lambda judged: (-judged[0], *judged[1:3]))
    highest = [s for *_, s in rest[:count]]
    return {"lowest": [_buyer_row(s) for s in lowest], "highest": [_buyer_row(s) for s in highest]}


def _buyer_row(status: BuyerStatus) -> dict[str, Any]:
    report = status.report
    return {
        "buyer": status.buyer_id,
        "placed": report.placed,
        "sold": report.sold,
        "returned": report.returned,
        "percentage": _percent(report.rate),
        "ransom": _roubles(status.ransom),
        "shop_ransom": None if status.shop_ransom is None else _roubles(status.shop_ransom),
        "tiers": "; ".join((*status.privileges, *status.restrictions)),
    }


def _loyalty(
    history: History,
    programme: Programme | Sequence[Programme],
    *,
    measured: MeasuredByMonth | None,
    period: Period,
    today: date,
    tz: tzinfo,
) -> list[dict[str, Any]]:
    """The loyalty standing of each month of the period that has begun by `today`."""
    first, last = Month.of(period.start), Month.of(min(period.end, today))
    months = [first + i for i in range(last - first + 1)]
    if not months:
        return []
    standings = loyalty_timeline(
        history, programme, months=months, today=today, measured=measured, tz=tz
    )
    return [_standing(s) for s in standings]


def _standing(standing: MonthStanding) -> dict[str, Any]:
    result = standing.result
    return {
        "month": str(standing.month),
        "programme": standing.programme.name,
        "level": result.status,
        "rewards": str(standing.rewards_month),
        "state": "final" if standing.final else "forecast",
        "next": None if result.next_level is None else result.next_level.key,
        "still_needed": result.still_needed,
        "gaps": [
            {"indicator": gap.title, "value": _shown(gap.value), "target": _shown(gap.target)}
            for gap in result.missing
        ],
    }


def _shown(value: object) -> str:
    """An indicator's value or target: a percentage (a `Fraction` in percent) to two places."""
    if value is None:
        return _DASH
    if isinstance(value, Fraction):
        return str(percent(value / 100))
    return str(value)
