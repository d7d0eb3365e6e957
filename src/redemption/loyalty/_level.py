"""The level a month's indicators reach in a programme, and what the next level lacks."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Context, Decimal
from fractions import Fraction
from typing import Final, Literal

import attrs

from redemption.errors import ArgumentTypeError, InvalidArgumentError, ProgrammeError, shown
from redemption.loyalty._indicators import MonthIndicators, Value, checked_value
from redemption.loyalty._month import Month, is_a
from redemption.loyalty._programme import Direction, Indicator, Level, Programme

__all__ = ["UNREACHABLE", "Gap", "IndicatorCheck", "LevelResult", "loyalty_level"]

UNREACHABLE: Final = "unreachable"
"""`Gap.sales_needed` when no sale of the month's counted orders can reach the target."""

_HUNDRED = 100
_WHOLE_UNITS = frozenset({"orders", "units_sold"})
_WIDE = Context(prec=100)  # subtracts any two targets or values a programme holds exactly


@attrs.frozen(kw_only=True)
class IndicatorCheck:
    """One indicator against one level's target.

    Attributes:
        key: the indicator's key.
        title: its title.
        value: its value in the month; `None` when it has none.
        target: the level's target.
        met: whether the value meets the target in the indicator's direction, exactly.
        unknown: the value is unknown (no order counted, a measured value not given): the
            target is not met.

    Example:
        `loyalty_level` checks every indicator against the level reached (`checks`) and the
        next one (`next_checks`). A rate of 55% against 50, a cancellation share not known:

        >>> from datetime import date
        >>> from redemption.loyalty import BUILT_IN_INDICATORS, Evaluation
        >>> programme = Programme(
        ...     name="p", effective=date(2025, 1, 1), evaluation=Evaluation(published_by_day=4),
        ...     indicators=[BUILT_IN_INDICATORS[key]
        ...                 for key in ("redemption_rate", "cancellation_share")],
        ...     levels=[Level(key="bronze", required=1,
        ...                   targets={"redemption_rate": 50, "cancellation_share": 10})],
        ... )
        >>> result = loyalty_level({"redemption_rate": Fraction(55), "cancellation_share": None},
        ...                        programme)
        >>> for check in result.checks:
        ...     print(check.key, check.value, check.target, check.met, check.unknown)
        redemption_rate 55 50 True False
        cancellation_share None 10 False True

    .. versionadded:: 0.2.0
    """

    key: str
    title: str
    value: Value | None
    target: Decimal
    met: bool
    unknown: bool


@attrs.frozen(kw_only=True)
class Gap:
    """An indicator the next level asks more of, and by how much.

    Attributes:
        key: the indicator's key.
        title: its title.
        value: its value in the month; `None` when it has none.
        target: the next level's target.
        by: how far the value is from the target, in the indicator's unit: percentage
            points (exact) for shares, whole orders or units for counts, roubles for
            revenue, the measured unit otherwise; `None` when the value is unknown.
        sales_needed: for the redemption rate, how many more of the month's counted orders
            would have had to be bought to reach the target: the smallest ``s`` with
            ``(sales + s) / orders >= target``. It is a measure of the distance, not an
            action: the counted orders have already ended, sold or cancelled.
            ``"unreachable"`` when even selling all the others would not
            (``s > orders - sales``); `None` for other indicators, or when no order is
            counted.

    Example:
        `LevelResult.missing` lists one per indicator short of the next level. Bronze asks
        for a 60% rate; 11 of 20 counted orders were bought, 55%:

        >>> from datetime import date
        >>> from redemption.loyalty import BUILT_IN_INDICATORS, Evaluation
        >>> programme = Programme(
        ...     name="p", effective=date(2025, 1, 1), evaluation=Evaluation(published_by_day=4),
        ...     indicators=[BUILT_IN_INDICATORS["redemption_rate"]],
        ...     levels=[Level(key="bronze", required=1, targets={"redemption_rate": 60})],
        ... )
        >>> values = {"redemption_rate": Fraction(55), "orders": 20, "units_sold": 11}
        >>> [gap] = loyalty_level(values, programme).missing
        >>> gap.key, gap.value, gap.target, gap.by, gap.sales_needed
        ('redemption_rate', Fraction(55, 1), Decimal('60'), Fraction(5, 1), 1)

    .. versionadded:: 0.2.0
    """

    key: str
    title: str
    value: Value | None
    target: Decimal
    by: Value | None
    sales_needed: int | Literal["unreachable"] | None = None


def _level_key(level: Level | None) -> str:
    return repr(None if level is None else level.key)


@attrs.frozen(kw_only=True)
class LevelResult:
    """The level a month reached in a programme, each indicator's check, and the next step.

    Attributes:
        programme: the programme's name.
        month: the month judged, where one was given.
        level: the highest level whose rule holds (at least `Level.required` of the
            indicators meet their targets); `None` below the first level.
        on_request: that level is granted only on request: the month makes the seller
            *eligible* for it, not holder of it (see `granted`).
        granted: the highest level that holds and is granted without asking.
        checks: every indicator against the level reached (empty below the first level).
        next_level: the level above the one reached; `None` at the top.
        next_checks: every indicator against the next level (empty at the top).
        still_needed: how many more of the next level's indicators must meet their targets
            (0 at the top).
        missing: the next level's indicators that do not meet its targets, with how far
            each is from it: meeting `still_needed` of them reaches the next level.
        unknown: the programme's indicators whose value is unknown in the month.

    Example:
        `loyalty_level` gives it, and `loyalty_timeline` one a month (`MonthStanding.result`).
        Bronze asks for 10 orders a month, silver for 50; May 2025 had 20:

        >>> from datetime import date
        >>> from redemption.loyalty import BUILT_IN_INDICATORS, Evaluation
        >>> programme = Programme(
        ...     name="p", effective=date(2025, 1, 1), evaluation=Evaluation(published_by_day=4),
        ...     indicators=[BUILT_IN_INDICATORS["orders"]],
        ...     levels=[Level(key="bronze", required=1, targets={"orders": 10}),
        ...             Level(key="silver", required=1, targets={"orders": 50})],
        ... )
        >>> result = loyalty_level({"orders": 20}, programme, month="2025-05")
        >>> result.status, result.level.key, result.next_level.key, result.still_needed
        ('bronze', 'bronze', 'silver', 1)
        >>> [(gap.key, gap.by) for gap in result.missing], result.unknown
        ([('orders', 30)], ())

    .. versionadded:: 0.2.0
    """

    programme: str
    month: Month | None
    level: Level | None = attrs.field(repr=_level_key)
    on_request: bool
    granted: Level | None = attrs.field(repr=_level_key)
    checks: tuple[IndicatorCheck, ...]
    next_level: Level | None = attrs.field(repr=_level_key)
    next_checks: tuple[IndicatorCheck, ...]
    still_needed: int
    missing: tuple[Gap, ...]
    unknown: tuple[str, ...]

    @property
    def status(self) -> str:
        """The standing in words: the level's key, "eligible, on request", or below.

        Example:
            >>> from datetime import date
            >>> from redemption.loyalty import Evaluation
            >>> p = Programme(name="p", effective=date(2025, 1, 1),
            ...               evaluation=Evaluation(published_by_day=4),
            ...               indicators=[Indicator(key="rating", title="Rating",
            ...                                     direction="at_least")],
            ...               levels=[Level(key="gold", required=1, targets={"rating": 4}),
            ...                       Level(key="platinum", required=1, on_request=True,
            ...                             targets={"rating": "4.5"})])
            >>> [loyalty_level({"rating": r}, p).status for r in (3, 4, 5)]
            ['below gold', 'gold', 'platinum: eligible, on request']
        """
        if self.level is None:
            return f"below {self.next_level.key}" if self.next_level else "below every level"
        if self.on_request:
            return f"{self.level.key}: eligible, on request"
        return self.level.key


def _checks(
    indicators: tuple[Indicator, ...],
    targets: Mapping[str, Decimal],
    values: Mapping[str, Value | None],
) -> tuple[IndicatorCheck, ...]:
    checks = []
    for indicator in indicators:
        value = values[indicator.key]
        target = targets[indicator.key]
        checks.append(
            IndicatorCheck(
                key=indicator.key,
                title=indicator.title,
                value=value,
                target=target,
                met=value is not None and indicator.direction.meets(value, target),
                unknown=value is None,
            )
        )
    return tuple(checks)


def _distance(indicator: Indicator, value: Value, target: Decimal) -> Value:
    """How far `value` is from `target`, in the indicator's unit, the way it is short."""
    sign = 1 if indicator.direction is Direction.AT_LEAST else -1
    if isinstance(value, Fraction):
        return sign * (Fraction(target) - value)
    if isinstance(value, int) and indicator.key in _WHOLE_UNITS:
        return math.ceil(sign * (Fraction(target) - value))
    return _WIDE.multiply(sign, _WIDE.subtract(target, Decimal(value)))


def sales_needed(target: Decimal, orders: int, sales: int) -> int | Literal["unreachable"]:
    """The fewest more sales of `orders` counted orders that bring the rate to `target` %.

    The orders stay as counted: ``s`` more of them sold, the rate is ``(sales + s) /
    orders``. Selling every one of them gives 100%, so only a target above 100 (which a
    `Programme` refuses) is out of reach.

    Example:
        >>> sales_needed(Decimal(60), orders=10, sales=5), sales_needed(Decimal("95.1"), 10, 5)
        (1, 5)
        >>> sales_needed(Decimal("100.1"), orders=10, sales=5)
        'unreachable'
    """
    needed = max(0, math.ceil(Fraction(target) * orders / _HUNDRED) - sales)
    return UNREACHABLE if needed > orders - sales else needed


def _gap(indicator: Indicator, check: IndicatorCheck, values: Mapping[str, Value | None]) -> Gap:
    value = check.value
    needed: int | Literal["unreachable"] | None = None
    if indicator.key == "redemption_rate" and value is not None:
        orders, sales = values.get("orders"), values.get("units_sold")
        if (
            isinstance(orders, int)
            and isinstance(sales, int)
            and orders > 0
            and Fraction(value) == Fraction(sales * _HUNDRED, orders)
        ):
            needed = sales_needed(check.target, orders, sales)
    return Gap(
        key=check.key,
        title=check.title,
        value=value,
        target=check.target,
        by=None if value is None else _distance(indicator, value, check.target),
        sales_needed=needed,
    )


def _values(
    indicators: MonthIndicators | Mapping[str, Value | None], month: Month | str | None
) -> tuple[Mapping[str, Value | None], Month | None]:
    if isinstance(month, str):
        month = Month.parse(month)
    elif month is not None and not is_a(month, Month):
        msg = f"month must be a Month or 'YYYY-MM', not {type(month).__name__} {shown(month)}"
        raise ArgumentTypeError(msg)
    if isinstance(indicators, MonthIndicators):
        if month is not None and month != indicators.month:
            msg = f"month {month} given for the indicators of {indicators.month}"
            raise InvalidArgumentError(msg)
        return indicators.values, indicators.month
    if not is_a(indicators, Mapping):
        msg = (
            "indicators must be MonthIndicators or a mapping of values by key, "
            f"not {type(indicators).__name__} {shown(indicators)}"
        )
        raise ArgumentTypeError(msg)
    return indicators, month


def loyalty_level(
    indicators: MonthIndicators | Mapping[str, Value | None],
    programme: Programme,
    *,
    month: Month | str | None = None,
) -> LevelResult:
    """Return the highest level of a programme a month's indicators reach, and what is next.

    A level holds when at least `Level.required` of the programme's indicators meet its
    targets (k of n), each compared exactly in its direction; an indicator without a value
    is unknown and does not meet its target. With targets set for some months apart, the
    month's targets are used (the month of `indicators`, or `month`).

    Args:
        indicators: `month_indicators`' result, or values by indicator key (Fraction,
            Decimal or int; `None` or absent for unknown).
        programme: the programme, its indicators and targets filled.
        month: the month judged, where `indicators` does not say.

    Raises:
        ProgrammeError: the programme's indicators, counts or targets are still the user's
            to fill (the message says which), or it took effect after the month began.
        ArgumentTypeError: a value is a float or not a number.

    Example:
        >>> from datetime import date
        >>> from redemption.loyalty import Evaluation, BUILT_IN_INDICATORS
        >>> p = Programme(
        ...     name="p", effective=date(2025, 1, 1), evaluation=Evaluation(published_by_day=4),
        ...     indicators=[BUILT_IN_INDICATORS["redemption_rate"], BUILT_IN_INDICATORS["orders"]],
        ...     levels=[Level(key="bronze", required=2, targets={"redemption_rate": 50, "orders": 10}),
        ...             Level(key="silver", required=2, targets={"redemption_rate": 60, "orders": 10})],
        ... )
        >>> result = loyalty_level({"redemption_rate": Fraction(100, 2), "orders": 20,
        ...                         "units_sold": 10}, p)
        >>> result.status, result.still_needed, result.missing[0].by, result.missing[0].sales_needed
        ('bronze', 1, Fraction(10, 1), 2)

    .. versionadded:: 0.2.0
    """  # noqa: E501 - doctest lines
    values, month = _values(indicators, month)
    if not is_a(programme, Programme):
        msg = f"programme must be a Programme, not {type(programme).__name__} {shown(programme)}"
        raise ArgumentTypeError(msg)
    unfilled = programme.unfilled(month)
    if unfilled:
        what = "a month" if month is None else f"month {month}"
        msg = (
            f"programme {programme.name!r} cannot rank {what}: {'; '.join(unfilled)}; "
            "these are the user's to fill (Programme.with_targets)"
        )
        raise ProgrammeError(msg, programme=programme.name)
    exact = {
        indicator.key: checked_value(values.get(indicator.key), indicator.key, "indicators")
        for indicator in programme.indicators
    }
    targets = programme.targets_for(month)
    levels = programme.levels
    checks = [_checks(programme.indicators, targets[level.key], exact) for level in levels]
    holds = [
        sum(check.met for check in level_checks) >= (level.required or 0)
        for level, level_checks in zip(levels, checks, strict=True)
    ]
    reached = max((i for i, held in enumerate(holds) if held), default=None)
    granted = max(
        (i for i, held in enumerate(holds) if held and not levels[i].on_request), default=None
    )
    above = 0 if reached is None else reached + 1
    next_level = levels[above] if above < len(levels) else None
    next_checks = checks[above] if next_level is not None else ()
    missing = tuple(
        _gap(indicator, check, values)
        for indicator, check in zip(programme.indicators, next_checks, strict=False)
        if not check.met
    )
    still_needed = (
        0
        if next_level is None
        else max(0, (next_level.required or 0) - sum(check.met for check in next_checks))
    )
    level = None if reached is None else levels[reached]
    return LevelResult(
        programme=programme.name,
        month=month,
        level=level,
        on_request=level is not None and level.on_request,
        granted=None if granted is None else levels[granted],
        checks=() if reached is None else checks[reached],
        next_level=next_level,
        next_checks=next_checks,
        still_needed=still_needed,
        missing=missing,
        unknown=tuple(key for key, value in exact.items() if value is None),
    )
