"""A seller's standing month by month: level, rewards month, and whether it is final."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, tzinfo
from itertools import pairwise

import attrs

from redemption.dates import MOSCOW
from redemption.errors import ArgumentTypeError, ProgrammeError, shown
from redemption.history import History
from redemption.loyalty._indicators import (
    IndicatorFunction,
    MeasuredByMonth,
    MonthIndicators,
    check_month,
    check_today,
    measured_by_month,
    month_indicators,
)
from redemption.loyalty._level import LevelResult, loyalty_level
from redemption.loyalty._month import Month, is_a, parse_months
from redemption.loyalty._programme import Programme

__all__ = ["MonthStanding", "loyalty_timeline", "programme_for"]


def _name(programme: Programme) -> str:
    return repr(programme.name)


@attrs.frozen(kw_only=True)
class MonthStanding:
    """One month of a seller's standing: its indicators, its level, and when it counts.

    Attributes:
        month: the month measured.
        programme: the programme that judges it: the latest in effect on its first day.
        indicators: its indicators, as known on `today`.
        result: the level reached, each check, and what the next level lacks.
        rewards_month: the month the level's rewards apply, always after `month`.
        published_on: the day by which the programme publishes the month's standing.
        published: `today` is on or after `published_on`.
        final: the month's figures can no longer move (its 30-day redemption window has
            closed, and the history reaches its end) and its standing is published.

    Example:
        `loyalty_timeline` gives one a month. Bronze asks for one order a month; one was
        placed and bought in May 2025, none in June:

        >>> from datetime import datetime
        >>> from redemption import MOSCOW, History, Order, Sale
        >>> from redemption.loyalty import BUILT_IN_INDICATORS, Evaluation, Level
        >>> programme = Programme(
        ...     name="p", effective=date(2025, 1, 1), evaluation=Evaluation(published_by_day=4),
        ...     indicators=[BUILT_IN_INDICATORS["orders"]],
        ...     levels=[Level(key="bronze", required=1, targets={"orders": 1})],
        ... )
        >>> at = datetime(2025, 5, 10, 12, tzinfo=MOSCOW)
        >>> history = History(
        ...     orders=[Order(order_id="1", seller_id="s", sku="k", price=990, ordered_at=at)],
        ...     sales=[Sale(order_id="1", sold_at=at)],
        ... )
        >>> may, june = loyalty_timeline(history, programme, months="2025-05..2025-06",
        ...                              today=date(2025, 7, 10))
        >>> may.result.status, str(may.rewards_month), may.published_on, may.final
        ('bronze', '2025-06', datetime.date(2025, 6, 4), True)
        >>> june.result.status, june.published, june.forecast  # can move until 30 July
        ('below bronze', True, True)

    .. versionadded:: 0.2.0
    """

    month: Month
    programme: Programme = attrs.field(repr=_name)
    indicators: MonthIndicators
    result: LevelResult
    rewards_month: Month
    published_on: date
    published: bool
    final: bool

    @property
    def forecast(self) -> bool:
        """Whether the standing is a forecast: the month is not final yet."""
        return not self.final


def _programmes(programme: Programme | Sequence[Programme]) -> tuple[Programme, ...]:
    given = (programme,) if isinstance(programme, Programme) else programme
    if isinstance(given, str | Mapping) or not isinstance(given, Iterable):
        msg = f"programme must be a Programme or a list of them, not {shown(given)}"
        raise ArgumentTypeError(msg)
    programmes = tuple(given)
    if not programmes:
        msg = "no programme given"
        raise ProgrammeError(msg)
    for item in programmes:
        if not is_a(item, Programme):
            msg = f"programme must be a Programme, not {type(item).__name__} {shown(item)}"
            raise ArgumentTypeError(msg)
    ordered = sorted(programmes, key=lambda p: p.effective)
    for earlier, later in pairwise(ordered):
        if earlier.effective == later.effective:
            msg = (
                f"programmes {earlier.name!r} and {later.name!r} both take effect "
                f"{later.effective.isoformat()}: which judges a month is ambiguous"
            )
            raise ProgrammeError(msg, programme=later.name)
    return tuple(ordered)


def programme_for(month: Month, programmes: Sequence[Programme]) -> Programme:
    """Return the programme that judges `month`: the latest in effect on its first day.

    Raises:
        ProgrammeError: the month is before every programme took effect.

    Example:
        >>> from redemption.loyalty import preset
        >>> both = [preset("wb-2024"), preset("wb-2025-12")]
        >>> [programme_for(Month.parse(m), both).name for m in ("2025-11", "2025-12")]
        ['wb-2024', 'wb-2025-12']
    """
    in_effect = [programme for programme in programmes if programme.covers(month)]
    if not in_effect:
        first = min(programmes, key=lambda p: p.effective)
        msg = (
            f"no programme judges month {month}: the earliest, {first.name!r}, took effect "
            f"{first.effective.isoformat()}"
        )
        raise ProgrammeError(msg, programme=first.name)
    return max(in_effect, key=lambda p: p.effective)


def _months(months: Iterable[Month | str] | str) -> list[Month]:
    if isinstance(months, str):
        return list(parse_months(months))
    if not is_a(months, Iterable):
        msg = f"months must be months or 'YYYY-MM..YYYY-MM', not {shown(months)}"
        raise ArgumentTypeError(msg)
    return sorted({month if isinstance(month, Month) else Month.parse(month) for month in months})


def loyalty_timeline(
    history: History,
    programme: Programme | Sequence[Programme],
    *,
    months: Iterable[Month | str] | str,
    today: date,
    measured: MeasuredByMonth | None = None,
    indicators: Mapping[str, IndicatorFunction] | None = None,
    tz: tzinfo = MOSCOW,
) -> tuple[MonthStanding, ...]:
    """Return a seller's standing in each month: indicators, level, rewards, finality.

    Given several programmes, each month is judged by the latest whose effective date is on
    or before its first day (`programme_for`: with both presets, months before December
    2025 by ``wb-2024`` and later ones by ``wb-2025-12``); given one, it judges every month
    asked for, whatever its date: the caller chose it. Its indicators are computed as of
    `today`, like every figure of the library (`month_indicators`); the month's rewards
    apply in the month the programme's evaluation rule says. A month is *final* when its
    figures can no longer move (30 days after its last day, as `RateReport.complete`) and
    the programme has published it (on its publication day, not the day before);
    otherwise it is a forecast.

    Args:
        history: the seller's orders, sales and returns.
        programme: one programme, which judges every month; or several that succeeded
            one another, each judging the months from its effective date.
        months: the months, as `Month` values, ``"YYYY-MM"`` texts, or one text
            ``"YYYY-MM..YYYY-MM"``; given in any order, returned in calendar order, once.
        today: the day the figures are computed on; later events are not seen.
        measured: values the user measured (a rating, an answer speed), by month
            (`Month` or ``"YYYY-MM"``) and indicator key; `parse_measured` reads them from
            TOML.
        indicators: the user's own indicator functions, by key.
        tz: the zone whose calendar days the months and windows are made of.

    Raises:
        InvalidPeriodError: a month after `today`'s month.
        ProgrammeError: no programme judges a month, two take effect on one day, or the
            judging programme's targets are still the user's to fill.

    Example:
        December 2025, judged by ``wb-2025-12`` with the user's four criteria, all required.

        >>> from datetime import datetime
        >>> from redemption import MOSCOW, History, Order, Sale
        >>> from redemption.loyalty import preset
        >>> def at(day):
        ...     return datetime(2025, 12, day, 12, tzinfo=MOSCOW)
        >>> history = History(
        ...     orders=[Order(order_id=str(i), seller_id="s", sku="k", price=500,
        ...                   ordered_at=at(1 + i), cancelled_at=at(15) if i >= 7 else None)
        ...             for i in range(10)],
        ...     sales=[Sale(order_id=str(i), sold_at=at(20)) for i in range(7)],
        ... )
        >>> levels = preset("wb-2025-12").levels
        >>> programme = preset("wb-2025-12").with_targets({
        ...     "required": 4,
        ...     "indicators": {"rating": {"direction": "at_least", "unit": "points"}},
        ...     "levels": {level.key: {"targets": {
        ...         "redemption_rate": 50 + 10 * i, "cancellation_share": 30, "orders": 5,
        ...         "rating": "4.5",
        ...     }} for i, level in enumerate(levels)},
        ... })
        >>> [december] = loyalty_timeline(history, programme, months="2025-12",
        ...                               today=date(2026, 1, 1),
        ...                               measured={"2025-12": {"rating": "4.7"}})
        >>> december.result.status, str(december.rewards_month), december.published
        ('silver', '2026-01', True)
        >>> december.forecast  # its orders can be sold until 30 January
        True
        >>> [(gap.key, gap.by, gap.sales_needed) for gap in december.result.missing]
        [('redemption_rate', Fraction(10, 1), 1)]

    .. versionadded:: 0.2.0
    """
    check_today(today)
    programmes = _programmes(programme)
    wanted = _months(months)
    for month in wanted:
        check_month(month, today)
    # one programme judges every month asked for: the caller chose it; several succeed
    # one another by date
    judges = {
        month: programmes[0]
        if isinstance(programme, Programme)
        else programme_for(month, programmes)
        for month in wanted
    }
    by_month = measured_by_month(measured)
    standings = []
    for month in wanted:
        judge = judges[month]
        figures = month_indicators(
            history,
            month,
            today=today,
            tz=tz,
            measured=by_month.get(month),
            indicators=indicators,
        )
        published_on = judge.evaluation.published_on(month)
        published = today >= published_on
        standings.append(
            MonthStanding(
                month=month,
                programme=judge,
                indicators=figures,
                result=loyalty_level(figures, judge),
                rewards_month=judge.evaluation.rewards_month(month),
                published_on=published_on,
                published=published,
                final=figures.complete and published,
            )
        )
    return tuple(standings)
