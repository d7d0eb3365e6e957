"""Wildberries seller loyalty levels: a programme as data, and a seller's standing by month.

A programme (`Programme`) is what the marketplace publishes: levels in order, how many of
its indicators a level needs met (k of n), the rewards of each level, and when a calendar
month is published and rewarded. The presets (`preset`: ``wb-2024``, ``wb-2025-12``)
carry that structure and no targets, since none are published: the user fills them in
(`Programme.with_targets`, `Programme.with_targets_toml`).

A month's indicators come from the history (`month_indicators`: the redemption rate and
the shares, counts and revenue of the orders it counts), from the user's own functions,
and from values the user measured (a rating: `parse_measured`). `loyalty_level` ranks
them; `loyalty_timeline` does so month by month, with the programme in effect in each
month, the month its rewards apply, and whether it is final or a forecast.

Example:
    >>> from redemption.loyalty import preset
    >>> targets = '''
    ... [indicators.rating]
    ... direction = "at_least"
    ... unit = "points"
    ... [levels.initial.targets]
    ... redemption_rate = 60
    ... cancellation_share = 10
    ... refusal_share = 15
    ... rating = 4.5
    ... '''
    >>> programme = preset("wb-2025-12").with_targets_toml("required = 3" + targets)
    >>> programme.unfilled()
    ('no targets for levels bronze, silver, gold, platinum',)
"""

from __future__ import annotations

from redemption.loyalty._indicators import (
    IndicatorFunction,
    Measured,
    MeasuredByMonth,
    MonthIndicators,
    Value,
    month_indicators,
    parse_measured,
)
from redemption.loyalty._level import (
    UNREACHABLE,
    Gap,
    IndicatorCheck,
    LevelResult,
    loyalty_level,
)
from redemption.loyalty._month import Month, parse_months
from redemption.loyalty._programme import (
    BUILT_IN_INDICATORS,
    PRESETS,
    Direction,
    Evaluation,
    Indicator,
    Level,
    Programme,
    preset,
)
from redemption.loyalty._timeline import MonthStanding, loyalty_timeline, programme_for

__all__ = [
    "BUILT_IN_INDICATORS",
    "PRESETS",
    "UNREACHABLE",
    "Direction",
    "Evaluation",
    "Gap",
    "Indicator",
    "IndicatorCheck",
    "IndicatorFunction",
    "Level",
    "LevelResult",
    "Measured",
    "MeasuredByMonth",
    "Month",
    "MonthIndicators",
    "MonthStanding",
    "Programme",
    "Value",
    "loyalty_level",
    "loyalty_timeline",
    "month_indicators",
    "parse_measured",
    "parse_months",
    "preset",
    "programme_for",
]
