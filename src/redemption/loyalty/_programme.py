"""Seller programmes as data: levels, indicators, targets, and when a month is judged.

A programme is what a marketplace publishes: its levels in order, the indicators it looks
at, how many of them a level needs met (k of n), the rewards of each level, and when a
calendar month's standing is published and rewarded. Its targets are data the seller
fills in: the marketplace does not publish them, so the presets ship none.
"""

from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from importlib.resources import files
from typing import Any, Literal, TypedDict, TypeVar, Unpack

import attrs

from redemption.errors import ProgrammeError, shown
from redemption.loyalty._month import Month, is_a
from redemption.money import written_decimal

__all__ = [
    "BUILT_IN_INDICATORS",
    "PRESETS",
    "Direction",
    "Evaluation",
    "Indicator",
    "Level",
    "Programme",
    "preset",
]

_K = TypeVar("_K")
_V = TypeVar("_V")

_KEY = re.compile(r"[A-Za-z0-9_-]+")
_PERCENT = "%"

PRESETS: tuple[str, ...] = ("wb-2024", "wb-2025-12")
"""The names of the programmes that ship with the library, oldest first (see `preset`)."""


class _FrozenMap(Mapping[_K, _V]):
    """A read-only mapping that hashes, so that frozen values holding one hash too."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[_K, _V] | Iterable[tuple[_K, _V]] = ()) -> None:
        self._items: dict[_K, _V] = dict(items)

    def __getitem__(self, key: _K) -> _V:
        return self._items[key]

    def __iter__(self) -> Iterator[_K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(frozenset(self._items.items()))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._items == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return repr(self._items)


class _Where(TypedDict, total=False):
    """What an error is about: the programme, month, level and indicator at fault."""

    programme: str | None
    month: Month | None
    level: str | None
    indicator: str | None


def _at(where: _Where, **more: Unpack[_Where]) -> _Where:
    """`where`, with what `more` adds or changes."""
    return {**where, **more}


def _named(
    message: str,
    *,
    programme: str | None = None,
    level: str | None = None,
    indicator: str | None = None,
    month: Month | None = None,
) -> ProgrammeError:
    """An error whose message starts with the programme, month, level and indicator at fault."""
    where = []
    if programme is not None:
        where.append(f"programme {programme!r}")
    if month is not None:
        where.append(f"month {month}")
    if level is not None:
        where.append(f"level {level!r}")
    if indicator is not None:
        where.append(f"indicator {indicator!r}")
    prefix = ", ".join(where)
    return ProgrammeError(
        f"{prefix}: {message}" if prefix else message,
        programme=programme,
        level=level,
        indicator=indicator,
    )


def _in_programme(error: ProgrammeError, programme: str) -> ProgrammeError:
    """The same error, its message starting with the programme's name."""
    return ProgrammeError(
        f"programme {programme!r}, {error}",
        programme=programme,
        level=error.level,
        indicator=error.indicator,
    )


def _whole(
    value: object, what: str, low: int, high: int | None = None, **where: Unpack[_Where]
) -> int:
    """A whole number from `low` to `high`, or an error that says `what` it must be."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        msg = f"{what}, not {shown(value)}"
        raise _named(msg, **where)
    return value


def _differs(value: object, expected: object) -> bool:
    return value != expected


def _key(value: object, what: str, **where: Unpack[_Where]) -> str:
    if not isinstance(value, str) or not _KEY.fullmatch(value):
        msg = (
            f"{what} key must be letters, digits, '_' or '-' (a bare TOML key), not {shown(value)}"
        )
        raise _named(msg, **where)
    return value


def _text(value: object, what: str, **where: Unpack[_Where]) -> str:
    if not isinstance(value, str) or not value.strip():
        msg = f"{what} must be non-empty text, not {shown(value)}"
        raise _named(msg, **where)
    return value


def _target(value: object, **where: Unpack[_Where]) -> Decimal:
    """A target as the exact `Decimal` written: an int, a Decimal, text, or a file's float."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str | float):
        msg = f"a target must be a number, not {type(value).__name__} {shown(value)}"
        raise _named(msg, **where)
    try:
        number = written_decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        msg = f"target {shown(value)} is not a finite number"
        raise _named(msg, **where)
    return number


def _targets(value: object, **where: Unpack[_Where]) -> _FrozenMap[str, Decimal]:
    if not isinstance(value, Mapping):
        msg = f"targets must map indicator keys to numbers, not {shown(value)}"
        raise _named(msg, **where)
    return _FrozenMap(
        (_key(key, "an indicator's", **where), _target(number, **_at(where, indicator=key)))
        for key, number in value.items()
    )


class Direction(enum.Enum):
    """Which way an indicator is good: at least its target, or at most.

    Each `Indicator` has one, given as a member or its value; `loyalty_level` compares the
    indicator's value with a level's target that way.

    Example:
        >>> from redemption.loyalty import BUILT_IN_INDICATORS, Indicator
        >>> [direction.value for direction in Direction]
        ['at_least', 'at_most']
        >>> BUILT_IN_INDICATORS["redemption_rate"].direction
        <Direction.AT_LEAST: 'at_least'>
        >>> Indicator(key="answer_hours", title="Answer time", direction="at_most").direction
        <Direction.AT_MOST: 'at_most'>

    .. versionadded:: 0.2.0
    """

    AT_LEAST = "at_least"
    """The value must reach the target: a redemption rate, a rating, revenue."""
    AT_MOST = "at_most"
    """The value must not exceed the target: a cancellation share, an answer time."""

    def meets(self, value: Fraction | Decimal | int, target: Decimal) -> bool:
        """Whether `value` meets `target`, compared exactly.

        Example:
            >>> Direction.AT_MOST.meets(Fraction(1, 3), Decimal("33.34"))
            True
        """
        exact, bound = Fraction(value), Fraction(target)
        return exact >= bound if self is Direction.AT_LEAST else exact <= bound


def _direction(value: object, **where: Unpack[_Where]) -> Direction:
    if isinstance(value, Direction):
        return value
    try:
        return Direction(value)
    except ValueError:
        msg = f"direction must be 'at_least' or 'at_most', not {shown(value)}"
        raise _named(msg, **where) from None


@attrs.frozen(kw_only=True, init=False)
class Indicator:
    """What a programme looks at, and which way is good.

    Args:
        key: the name targets and values use (a bare TOML key: letters, digits, ``_``, ``-``).
        title: the name shown to people.
        direction: `Direction` or its value, ``"at_least"`` or ``"at_most"``.
        unit: what the value counts, shown beside it; ``"%"`` asks targets of 0 to 100.

    Raises:
        ProgrammeError: a key, title or direction that is not one.

    Example:
        >>> Indicator(key="rating", title="Seller rating", direction="at_least", unit="points")
        Indicator(key='rating', title='Seller rating', direction=<Direction.AT_LEAST: 'at_least'>, unit='points')

    .. versionadded:: 0.2.0
    """  # noqa: E501 - a doctest's output is one line

    key: str
    title: str
    direction: Direction
    unit: str

    def __init__(self, *, key: str, title: str, direction: Direction | str, unit: str = "") -> None:
        """Check the indicator's fields."""
        key = _key(key, "an indicator's")
        title = _text(title, "an indicator's title", indicator=key)
        if not is_a(unit, str):
            msg = f"unit must be text, not {shown(unit)}"
            raise _named(msg, indicator=key)
        self.__attrs_init__(
            key=key, title=title, direction=_direction(direction, indicator=key), unit=unit
        )


BUILT_IN_INDICATORS: Mapping[str, Indicator] = _FrozenMap(
    (indicator.key, indicator)
    for indicator in (
        Indicator(
            key="redemption_rate", title="Redemption rate", direction="at_least", unit=_PERCENT
        ),
        Indicator(
            key="cancellation_share",
            title="Cancellation share",
            direction="at_most",
            unit=_PERCENT,
        ),
        Indicator(
            key="seller_cancellation_share",
            title="Seller-fault cancellation share",
            direction="at_most",
            unit=_PERCENT,
        ),
        Indicator(key="refusal_share", title="Refusal share", direction="at_most", unit=_PERCENT),
        Indicator(key="return_share", title="Return share", direction="at_most", unit=_PERCENT),
        Indicator(key="orders", title="Orders", direction="at_least", unit="orders"),
        Indicator(key="units_sold", title="Units sold", direction="at_least", unit="units"),
        Indicator(key="revenue", title="Revenue", direction="at_least", unit="RUB"),
    )
)
"""The indicators `redemption.loyalty` computes from a history, by key.

Each is computed over the orders a month's redemption rate counts (`month_indicators`):
shares are exact percentages (0 to 100) of those orders, counts are ints, revenue is
roubles. A programme names them without defining them.

.. versionadded:: 0.2.0
"""


@attrs.frozen(kw_only=True, init=False)
class Level:
    """One level of a programme: its rewards, and what a month must meet to reach it.

    Args:
        key: the name targets use (``"gold"``).
        title: the name shown to people.
        title_ru: the marketplace's own name for it, where there is one (``"золотой"``).
        rewards: what the level brings, as text, one reward an item.
        required: how many of the programme's indicators must meet their targets (k of n);
            `None` while it is the user's to set.
        on_request: the level is granted only when the seller asks, once its conditions
            hold; a month that meets them is *eligible*, not granted.
        targets: the target of each indicator, by key, for every month (a programme may
            set some months apart); numbers are kept as the exact `Decimal` written.

    Raises:
        ProgrammeError: a key, title, count or target that is not one, naming the level.

    Example:
        >>> gold = Level(key="gold", title="Gold", title_ru="золотой", required=6)
        >>> gold
        Level(key='gold', title='Gold', title_ru='золотой', rewards=(), required=6, on_request=False, targets={})

    .. versionadded:: 0.2.0
    """  # noqa: E501 - a doctest's output is one line

    key: str
    title: str
    title_ru: str | None
    rewards: tuple[str, ...]
    required: int | None
    on_request: bool
    targets: Mapping[str, Decimal]

    def __init__(
        self,
        *,
        key: str,
        title: str | None = None,
        title_ru: str | None = None,
        rewards: Iterable[str] = (),
        required: int | None = None,
        on_request: bool = False,
        targets: Mapping[str, Decimal | int | str | float] | None = None,
    ) -> None:
        """Check the level on its own; `Programme` checks levels against each other."""
        key = _key(key, "a level's")
        title = key if title is None else _text(title, "a level's title", level=key)
        if title_ru is not None:
            title_ru = _text(title_ru, "a level's title_ru", level=key)
        if isinstance(rewards, str) or not isinstance(rewards, Iterable):
            msg = f"rewards must be a list of text, not {shown(rewards)}"
            raise _named(msg, level=key)
        rewards = tuple(rewards)
        for reward in rewards:
            _text(reward, "a reward", level=key)
        if required is not None:
            _whole(required, "required must be 1 or more indicators", 1, level=key)
        if not is_a(on_request, bool):
            msg = f"on_request must be true or false, not {shown(on_request)}"
            raise _named(msg, level=key)
        self.__attrs_init__(
            key=key,
            title=title,
            title_ru=title_ru,
            rewards=rewards,
            required=required,
            on_request=on_request,
            targets=_targets({} if targets is None else targets, level=key),
        )


@attrs.frozen(kw_only=True)
class Evaluation:
    """When a programme judges a month, publishes its standing, and rewards it.

    Attributes:
        published_by_day: the day of the next month by which the standing is published:
            on that day it is out, the day before it is not (1 to 28, a day every month has).
        rewards_after_months: how many months after the month measured its rewards apply
            (1: May's figures bring June's rewards); never the month measured itself.
        window: what is measured: ``"calendar-month"``, the 1st to the last day.

    Raises:
        ProgrammeError: a day outside 1 to 28, rewards in the month measured or before, or
            another window.

    Example:
        >>> rule = Evaluation(published_by_day=4)
        >>> rule.published_on(Month(2025, 5)), rule.rewards_month(Month(2025, 5))
        (datetime.date(2025, 6, 4), Month(2025, 6))

    .. versionadded:: 0.2.0
    """

    published_by_day: int
    rewards_after_months: int = 1
    window: Literal["calendar-month"] = "calendar-month"

    def __attrs_post_init__(self) -> None:
        """Check the rule."""
        _whole(self.published_by_day, "published_by_day must be a day 1 to 28", 1, 28)
        _whole(
            self.rewards_after_months,
            "rewards_after_months must be 1 or more (rewards never fall in the month measured)",
            1,
        )
        if _differs(self.window, "calendar-month"):
            msg = f"window must be 'calendar-month', not {shown(self.window)}"
            raise ProgrammeError(msg)

    def published_on(self, month: Month) -> date:
        """The day by which the standing of `month` is published."""
        return (month + 1).first.replace(day=self.published_by_day)

    def rewards_month(self, month: Month) -> Month:
        """The month the rewards earned in `month` apply."""
        return month + self.rewards_after_months


def _keys(items: tuple[Level, ...] | tuple[Indicator, ...]) -> tuple[str, ...]:
    return tuple(item.key for item in items)


def _keys_shown(items: tuple[Level, ...] | tuple[Indicator, ...]) -> str:
    return repr(_keys(items))


def _months_shown(monthly: Mapping[Month, object]) -> str:
    return repr(tuple(str(month) for month in monthly))


_Monthly = Mapping[Month, Mapping[str, Mapping[str, Decimal]]]
_LevelsTargets = Mapping[str, Mapping[str, Decimal | int | str | float]]
_MonthlyGiven = (
    Mapping[Month, _LevelsTargets]
    | Mapping[str, _LevelsTargets]
    | Mapping[Month | str, _LevelsTargets]
)


@attrs.frozen(kw_only=True, init=False)
class Programme:
    """A seller programme: levels in order, indicators, targets, and its evaluation rule.

    A month reaches the highest level for which at least `Level.required` of the
    programme's indicators meet their targets (k of n; see `loyalty_level`).

    Args:
        name: the programme's name (``"wb-2024"``).
        effective: the day it took effect; it judges months that begin on or after it.
        levels: the levels from the lowest up.
        evaluation: when a month is published and rewarded.
        title: the name shown to people; `name` by default.
        indicators: the indicators, in the order results list them; empty while they are
            the user's to name.
        indicator_count: how many indicators the programme has (n): the marketplace may
            publish the count without the names. By default, how many are given.
        monthly: targets that hold for one month only, by month, level and indicator
            (thresholds that move with the market): laid over the levels' own targets.

    Raises:
        ProgrammeError: levels with one key, targets that a higher level sets lower in
            the indicator's direction (a higher level may not ask for less), a required
            count below 1, above n or below a lower level's, a target for an indicator not
            given, a level with some of its targets but not all n, indicators that do not
            number `indicator_count`, a percentage target outside 0 to 100, a negative
            target of a built-in indicator, or months set apart before `effective`.

    Example:
        >>> programme = Programme(
        ...     name="mine", effective=date(2025, 1, 1), evaluation=Evaluation(published_by_day=4),
        ...     indicators=[BUILT_IN_INDICATORS["redemption_rate"], BUILT_IN_INDICATORS["orders"]],
        ...     levels=[Level(key="base", required=1, targets={"redemption_rate": 60, "orders": 100}),
        ...             Level(key="top", required=2, targets={"redemption_rate": 80, "orders": 100})],
        ... )
        >>> programme
        Programme(name='mine', title='mine', effective=datetime.date(2025, 1, 1), levels=('base', 'top'), indicators=('redemption_rate', 'orders'), indicator_count=2, evaluation=Evaluation(published_by_day=4, rewards_after_months=1, window='calendar-month'), monthly=())

    .. versionadded:: 0.2.0
    """  # noqa: E501 - doctest lines

    name: str
    title: str
    effective: date
    levels: tuple[Level, ...] = attrs.field(repr=_keys_shown)
    indicators: tuple[Indicator, ...] = attrs.field(repr=_keys_shown)
    indicator_count: int
    evaluation: Evaluation
    monthly: _Monthly = attrs.field(repr=_months_shown)

    def __init__(
        self,
        *,
        name: str,
        effective: date,
        levels: Iterable[Level],
        evaluation: Evaluation,
        title: str | None = None,
        indicators: Iterable[Indicator] = (),
        indicator_count: int | None = None,
        monthly: _MonthlyGiven | None = None,
    ) -> None:
        """Check the programme, its levels against each other, and every target."""
        name = _text(name, "a programme's name")
        title = name if title is None else _text(title, "title", programme=name)
        effective = _date(effective, name)
        _evaluation(evaluation, name)
        level_list = _items(levels, Level, "levels", name)
        if not level_list:
            msg = "a programme needs at least one level"
            raise _named(msg, programme=name)
        indicator_list = _items(indicators, Indicator, "indicators", name)
        for what, keys in (("levels", _keys(level_list)), ("indicators", _keys(indicator_list))):
            twice = sorted({key for key in keys if keys.count(key) > 1})
            if twice:
                msg = f"two {what} are keyed {', '.join(map(repr, twice))}"
                raise _named(msg, programme=name)
        count = _count(indicator_count, indicator_list, name)
        self.__attrs_init__(
            name=name,
            effective=effective,
            levels=level_list,
            evaluation=evaluation,
            title=title,
            indicators=indicator_list,
            indicator_count=count,
            monthly=_monthly(monthly, name, effective, _keys(level_list)),
        )
        self._check_known()
        if self.indicators and len(self.indicators) != self.indicator_count:
            msg = (
                f"the programme has {self.indicator_count} indicators, not "
                f"{len(self.indicators)}: {', '.join(_keys(self.indicators))}"
            )
            raise _named(msg, programme=name)
        self._check_required()
        self._check_targets(None)
        for month in self.monthly:
            self._check_targets(month)

    # -- checks ----------------------------------------------------------------------------

    def _check_known(self) -> None:
        known = set(_keys(self.indicators))
        every_month: list[tuple[Month | None, str, Mapping[str, Decimal]]] = [
            (None, level.key, level.targets) for level in self.levels
        ]
        every_month += [
            (month, level, targets)
            for month, per_level in self.monthly.items()
            for level, targets in per_level.items()
        ]
        for month, level, targets in every_month:
            for key in targets:
                if key not in known:
                    where = _Where(programme=self.name, month=month, level=level, indicator=key)
                    raise _named(self._unknown(key), **where)

    def _check_required(self) -> None:
        below: Level | None = None
        for level in self.levels:
            if level.required is None:
                continue
            if level.required > self.indicator_count:
                msg = (
                    f"required {level.required} is more than the programme's "
                    f"{self.indicator_count} indicators"
                )
                raise _named(msg, programme=self.name, level=level.key)
            if below is not None and below.required is not None and level.required < below.required:
                msg = (
                    f"required {level.required} is less than level {below.key!r}'s "
                    f"{below.required}: a higher level may not ask for less"
                )
                raise _named(msg, programme=self.name, level=level.key)
            below = level

    def _check_targets(self, month: Month | None) -> None:
        where = _Where(programme=self.name, month=month)
        targets = self.targets_for(month)
        known = {indicator.key: indicator for indicator in self.indicators}
        for level in self.levels:
            given = targets[level.key]
            for key, target in given.items():
                _check_range(known[key], target, _at(where, level=level.key))
            missing = [key for key in known if key not in given]
            if given and missing:
                msg = (
                    f"targets for {len(given)} of the {self.indicator_count} indicators: "
                    f"give {', '.join(missing)} as well"
                )
                raise _named(msg, **_at(where, level=level.key))
        for indicator in self.indicators:
            below: tuple[str, Decimal] | None = None
            for level in self.levels:
                bound = targets[level.key].get(indicator.key)
                if bound is None:
                    continue
                if below is not None and not indicator.direction.meets(bound, below[1]):
                    word = "below" if indicator.direction is Direction.AT_LEAST else "above"
                    msg = (
                        f"target {bound} is {word} level {below[0]!r}'s {below[1]} "
                        f"({indicator.direction.value}): a higher level may not ask for less"
                    )
                    raise _named(msg, **_at(where, level=level.key, indicator=indicator.key))
                below = (level.key, bound)

    def _unknown(self, key: str) -> str:
        if key in BUILT_IN_INDICATORS:
            return "built in, but not among the programme's indicators: list it there"
        if not self.indicators:
            return (
                "neither built in nor defined: the programme names no indicators yet "
                f"({self.indicator_count} declared)"
            )
        return (
            "neither built in nor defined; the programme's indicators: "
            f"{', '.join(_keys(self.indicators))}"
        )

    # -- reading ---------------------------------------------------------------------------

    def level(self, key: str) -> Level:
        """Return the level with this key.

        Raises:
            ProgrammeError: no level has it.
        """
        for level in self.levels:
            if level.key == key:
                return level
        msg = f"no level {shown(key)}; levels: {', '.join(_keys(self.levels))}"
        raise _named(msg, programme=self.name)

    def indicator(self, key: str) -> Indicator:
        """Return the indicator with this key.

        Raises:
            ProgrammeError: the programme has no such indicator.
        """
        for indicator in self.indicators:
            if indicator.key == key:
                return indicator
        raise _named(self._unknown(key), programme=self.name, indicator=key)

    def covers(self, month: Month) -> bool:
        """Whether the programme was in effect on the month's first day."""
        return self.effective <= month.first

    def targets_for(self, month: Month | None = None) -> dict[str, dict[str, Decimal]]:
        """Return each level's targets for `month`: the month's own laid over every month's.

        With no month, the targets that hold for every month.

        Example:
            >>> p = Programme(
            ...     name="p", effective=date(2025, 12, 1), evaluation=Evaluation(published_by_day=1),
            ...     indicators=[BUILT_IN_INDICATORS["redemption_rate"]],
            ...     levels=[Level(key="gold", required=1, targets={"redemption_rate": 80})],
            ...     monthly={"2026-01": {"gold": {"redemption_rate": 85}}},
            ... )
            >>> p.targets_for(Month(2026, 1)), p.targets_for(Month(2026, 2))
            ({'gold': {'redemption_rate': Decimal('85')}}, {'gold': {'redemption_rate': Decimal('80')}})
        """  # noqa: E501 - doctest lines
        merged = {level.key: dict(level.targets) for level in self.levels}
        if month is not None:
            for key, targets in self.monthly.get(month, {}).items():
                merged[key].update(targets)
        return merged

    def unfilled(self, month: Month | None = None) -> tuple[str, ...]:
        """Say what is still the user's to fill before the programme can rank `month`.

        Empty when it can: every indicator named, every level's count and targets given.

        Example:
            >>> for line in preset("wb-2024").unfilled():
            ...     print(line)
            no indicators named (8 declared)
            no targets for levels initial, bronze, silver, gold
        """
        gaps = []
        if not self.indicators:
            gaps.append(f"no indicators named ({self.indicator_count} declared)")
        unset = [level.key for level in self.levels if level.required is None]
        if unset:
            gaps.append(
                f"how many of the {self.indicator_count} indicators each level needs is not "
                f"set (required) for levels {', '.join(unset)}"
            )
        targets = self.targets_for(month)
        empty = [key for key, given in targets.items() if not given]
        if empty:
            when = "" if month is None else f" in {month}"
            gaps.append(f"no targets for levels {', '.join(empty)}{when}")
        return tuple(gaps)

    # -- building --------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Programme:
        """Build a programme from plain data, as `from_toml` reads it.

        Keys: ``name``; ``effective`` (a date or ``"YYYY-MM-DD"``); ``title``;
        ``indicator_count``; ``required`` (every level's k, unless it sets its own);
        ``evaluation`` (a table of `Evaluation`'s fields); ``indicators``, ``levels`` and
        ``months`` as in `with_targets`, where each level's table may also give ``title``,
        ``title_ru``, ``rewards`` and ``on_request``. Levels are listed from the lowest up.

        Raises:
            ProgrammeError: an unknown key, a value of the wrong kind, or any error
                `Programme` raises, naming the programme and the key.
        """
        if not is_a(data, Mapping):
            msg = f"a programme must be a table, not {shown(data)}"
            raise ProgrammeError(msg)
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            msg = f"a programme needs a name: non-empty text, not {shown(name)}"
            raise ProgrammeError(msg)
        _only(data, _PROGRAMME_KEYS, name, "the programme")
        effective = _date(data.get("effective"), name)
        try:
            evaluation = Evaluation(**_table(data.get("evaluation"), name, "evaluation"))
        except ProgrammeError as error:
            raise _in_programme(error, name) from None
        except TypeError as error:  # an unknown or missing field of Evaluation
            msg = f"evaluation: {error}"
            raise _named(msg, programme=name) from None
        levels_table = _table(data.get("levels", {}), name, "levels")
        default = _required(data.get("required"), name, None)
        levels = []
        for key, value in levels_table.items():
            table = _table(value, name, f"levels.{key}")
            _only(table, _LEVEL_KEYS, name, f"level {key!r}")
            fields = {field: table[field] for field in _LEVEL_KEYS if field in table}
            fields["required"] = _required(table.get("required", default), name, key)
            try:
                levels.append(Level(key=key, **fields))
            except ProgrammeError as error:
                raise _in_programme(error, name) from None
        monthly = _monthly_tables(data.get("months", {}), name)
        indicators = _indicators(data.get("indicators", {}), levels, monthly, name)
        return cls(
            name=name,
            effective=effective,
            levels=levels,
            evaluation=evaluation,
            title=data.get("title"),
            indicators=indicators,
            indicator_count=data.get("indicator_count"),
            monthly=monthly,
        )

    @classmethod
    def from_toml(cls, text: str) -> Programme:
        """Build a programme from TOML text, with the keys of `from_dict`.

        Numbers are read as the exact decimals written (``4.8`` is ``Decimal("4.8")``).

        Raises:
            ProgrammeError: the text is not TOML, or `from_dict` refuses it.
        """
        return cls.from_dict(_toml(text, "a programme"))

    def with_targets(self, data: Mapping[str, Any]) -> Programme:
        """Return the programme with the user's indicators and targets, replacing any it had.

        Keys, all optional:

        - ``indicators``: a table per indicator, in the order results list them. A built-in
          one (`BUILT_IN_INDICATORS`) needs none of its fields (it may retitle itself);
          any other needs ``direction`` (``"at_least"`` or ``"at_most"``) and may give
          ``title`` and ``unit``. Built-in keys used in targets need not be listed.
        - ``required``: how many indicators every level needs met (k), where the programme
          does not publish it or the user knows better.
        - ``levels``: per level key, ``targets`` (indicator key to number) and ``required``.
        - ``months``: per ``"YYYY-MM"``, ``levels`` per key with ``targets`` for that month
          alone, laid over the levels' own (thresholds that move with the market).

        Raises:
            ProgrammeError: an unknown key or level, or any error `Programme` raises: targets
                out of order, an undefined indicator, a level without all n targets,
                indicators that do not number the count the programme declares.

        Example:
            Four criteria, three of them built in; a level needs three of the four met.

            >>> levels = preset("wb-2025-12").levels
            >>> p = preset("wb-2025-12").with_targets({
            ...     "required": 3,
            ...     "indicators": {"rating": {"direction": "at_least", "unit": "points"}},
            ...     "levels": {level.key: {"targets": {
            ...         "rating": "4.5", "redemption_rate": 50 + 10 * i,
            ...         "refusal_share": 20, "orders": 10,
            ...     }} for i, level in enumerate(levels)},
            ... })
            >>> [i.key for i in p.indicators], p.level("gold").targets["redemption_rate"]
            (['rating', 'redemption_rate', 'refusal_share', 'orders'], Decimal('80'))
            >>> p.unfilled()
            ()
        """
        if not is_a(data, Mapping):
            msg = f"targets must be a table, not {shown(data)}"
            raise _named(msg, programme=self.name)
        _only(data, _TARGETS_KEYS, self.name, "the targets")
        default = _required(data.get("required"), self.name, None)
        tables = _table(data.get("levels", {}), self.name, "levels")
        for key in tables:
            if key not in _keys(self.levels):
                msg = f"no level {key!r}; levels: {', '.join(_keys(self.levels))}"
                raise _named(msg, programme=self.name)
        levels = []
        for level in self.levels:
            table = _table(tables.get(level.key, {}), self.name, f"levels.{level.key}")
            _only(table, _LEVEL_TARGET_KEYS, self.name, f"level {level.key!r}")
            required = _required(table.get("required", default), self.name, level.key)
            try:
                levels.append(
                    attrs.evolve(
                        level,
                        targets=_targets(table.get("targets", {}), level=level.key),
                        required=level.required if required is None else required,
                    )
                )
            except ProgrammeError as error:
                raise _in_programme(error, self.name) from None
        monthly = _monthly_tables(data.get("months", {}), self.name)
        return Programme(
            name=self.name,
            effective=self.effective,
            levels=levels,
            evaluation=self.evaluation,
            title=self.title,
            indicators=_indicators(data.get("indicators", {}), levels, monthly, self.name),
            indicator_count=self.indicator_count,
            monthly=monthly,
        )

    def with_targets_toml(self, text: str) -> Programme:
        """Return the programme with the indicators and targets of a TOML text.

        The text has the keys of `with_targets`::

            required = 4
            [indicators.rating]
            title = "Seller rating"
            direction = "at_least"
            unit = "points"
            [levels.initial.targets]
            redemption_rate = 60
            rating = 4.5
            [months."2025-12".levels.gold.targets]
            rating = 4.8

        Raises:
            ProgrammeError: the text is not TOML, or `with_targets` refuses it.
        """
        return self.with_targets(_toml(text, f"the targets of programme {self.name!r}"))


# -- helpers of the building ---------------------------------------------------------------

_PROGRAMME_KEYS = frozenset(
    {
        "name",
        "title",
        "effective",
        "indicator_count",
        "required",
        "evaluation",
        "indicators",
        "levels",
        "months",
    }
)
_LEVEL_KEYS = ("title", "title_ru", "rewards", "required", "on_request", "targets")
_TARGETS_KEYS = frozenset({"indicators", "required", "levels", "months"})
_LEVEL_TARGET_KEYS = frozenset({"targets", "required"})
_INDICATOR_KEYS = frozenset({"title", "direction", "unit"})
_T = TypeVar("_T", Level, Indicator)


def _toml(text: str, what: str) -> dict[str, Any]:
    if not is_a(text, str):
        msg = f"{what} must be TOML text, not {type(text).__name__}"
        raise ProgrammeError(msg)
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        msg = f"{what} is not valid TOML: {error}"
        raise ProgrammeError(msg) from None


def _only(table: Mapping[str, Any], known: Iterable[str], programme: str, what: str) -> None:
    unknown = sorted(set(table) - set(known))
    if unknown:
        msg = (
            f"unknown keys of {what}: {', '.join(map(str, unknown))}; "
            f"expected {', '.join(sorted(known))}"
        )
        raise _named(msg, programme=programme)


def _table(value: object, programme: str, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        msg = f"{what} must be a table, not {shown(value)}"
        raise _named(msg, programme=programme)
    return value


def _items(values: Iterable[_T], kind: type[_T], what: str, programme: str) -> tuple[_T, ...]:
    if isinstance(values, str | Mapping) or not isinstance(values, Iterable):
        msg = f"{what} must be a list of {kind.__name__}, not {shown(values)}"
        raise _named(msg, programme=programme)
    items = tuple(values)
    for item in items:
        if not isinstance(item, kind):
            msg = f"{what} must be {kind.__name__}, not {type(item).__name__} {shown(item)}"
            raise _named(msg, programme=programme)
    return items


def _count(value: object, indicators: tuple[Indicator, ...], programme: str) -> int:
    if value is None:
        if not indicators:
            msg = "give its indicators, or how many it has (indicator_count)"
            raise _named(msg, programme=programme)
        return len(indicators)
    return _whole(
        value, "indicator_count must be a whole number, 1 or more", 1, programme=programme
    )


def _required(value: object, programme: str, level: str | None) -> int | None:
    if value is None:
        return None
    what = "required must be a whole number of indicators, 1 or more"
    return _whole(value, what, 1, programme=programme, level=level)


def _evaluation(value: object, programme: str) -> None:
    if not isinstance(value, Evaluation):
        msg = f"evaluation must be an Evaluation, not {shown(value)}"
        raise _named(msg, programme=programme)


def _date(value: object, programme: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    msg = f"effective must be a date such as 2024-06-01, not {shown(value)}"
    raise _named(msg, programme=programme)


def _month(value: object, programme: str) -> Month:
    if isinstance(value, Month):
        return value
    try:
        if isinstance(value, str):
            return Month.parse(value)
    except ValueError:
        pass
    msg = f"months are keyed 'YYYY-MM', not {shown(value)}"
    raise _named(msg, programme=programme)


def _monthly(
    value: _MonthlyGiven | None,
    programme: str,
    effective: date,
    levels: tuple[str, ...],
) -> _Monthly:
    if value is None:
        return _FrozenMap()
    if not is_a(value, Mapping):
        msg = f"monthly must map months to levels' targets, not {shown(value)}"
        raise _named(msg, programme=programme)
    months: dict[Month, Mapping[str, Mapping[str, Decimal]]] = {}
    for key, per_level in sorted(
        ((_month(key, programme), per_level) for key, per_level in value.items()),
        key=lambda item: item[0],
    ):
        if key in months:
            msg = f"month {key} is given twice"
            raise _named(msg, programme=programme)
        if effective > key.first:
            msg = f"targets for month {key}, before the programme took effect {effective}"
            raise _named(msg, programme=programme)
        if not is_a(per_level, Mapping):
            msg = f"must map level keys to targets, not {shown(per_level)}"
            raise _named(msg, programme=programme, month=key)
        for level in per_level:
            if level not in levels:
                msg = f"no level {shown(level)}; levels: {', '.join(levels)}"
                raise _named(msg, programme=programme, month=key)
        months[key] = _FrozenMap(
            (level, _targets(targets, programme=programme, month=key, level=level))
            for level, targets in per_level.items()
        )
    return _FrozenMap(months)


def _monthly_tables(
    value: object, programme: str
) -> dict[Month | str, Mapping[str, Mapping[str, Decimal | int | str | float]]]:
    """The ``months`` table: ``"YYYY-MM"`` to ``levels`` to level key to ``targets``."""
    months: dict[Month | str, Mapping[str, Mapping[str, Decimal | int | str | float]]] = {}
    for key, table in _table(value, programme, "months").items():
        month = _month(key, programme)
        per_month = _table(table, programme, f"months.{key}")
        _only(per_month, ("levels",), programme, f"month {month}")
        levels: dict[str, Mapping[str, Decimal | int | str | float]] = {}
        for level, level_table in _table(
            per_month.get("levels", {}), programme, f"months.{key}.levels"
        ).items():
            checked = _table(level_table, programme, f"months.{key}.levels.{level}")
            _only(checked, ("targets",), programme, f"month {month}, level {level!r}")
            levels[level] = _table(checked.get("targets", {}), programme, "targets")
        months[month] = levels
    return months


def _indicators(
    value: object,
    levels: Iterable[Level],
    monthly: Mapping[Month | str, Mapping[str, Mapping[str, object]]],
    programme: str,
) -> list[Indicator]:
    """The indicators a table defines, then the built-in ones its targets use, in order."""
    indicators: dict[str, Indicator] = {}
    for key, table in _table(value, programme, "indicators").items():
        fields = _table(table, programme, f"indicators.{key}")
        _only(fields, _INDICATOR_KEYS, programme, f"indicator {key!r}")
        try:
            indicators[key] = _indicator(key, fields)
        except ProgrammeError as error:
            raise _in_programme(error, programme) from None
    used = [key for level in levels for key in level.targets]
    used += [key for per_level in monthly.values() for t in per_level.values() for key in t]
    for key in used:
        if key not in indicators and key in BUILT_IN_INDICATORS:
            indicators[key] = BUILT_IN_INDICATORS[key]
    return list(indicators.values())


def _indicator(key: str, fields: Mapping[str, Any]) -> Indicator:
    built_in = BUILT_IN_INDICATORS.get(key)
    if built_in is None:
        if "direction" not in fields:
            msg = "not built in: give its direction ('at_least' or 'at_most')"
            raise _named(msg, indicator=key)
        return Indicator(
            key=key,
            title=fields.get("title", key),
            direction=fields["direction"],
            unit=fields.get("unit", ""),
        )
    for field in ("direction", "unit"):
        if field in fields and fields[field] != getattr(built_in, field):
            fixed = getattr(built_in, field)
            shown_fixed = fixed.value if isinstance(fixed, Direction) else fixed
            msg = f"built in, its {field} is {shown_fixed!r}, not {shown(fields[field])}"
            raise _named(msg, indicator=key)
    if "title" in fields:
        return attrs.evolve(built_in, title=_text(fields["title"], "title", indicator=key))
    return built_in


def _check_range(indicator: Indicator, target: Decimal, where: _Where) -> None:
    if indicator.unit == _PERCENT and not 0 <= target <= 100:  # noqa: PLR2004 - a percentage
        msg = f"target {target} is a percentage: it must be 0 to 100"
        raise _named(msg, **_at(where, indicator=indicator.key))
    if indicator.key in BUILT_IN_INDICATORS and target < 0:
        msg = f"target {target} is negative"
        raise _named(msg, **_at(where, indicator=indicator.key))


@cache
def _preset(name: str) -> Programme:
    text = (files("redemption") / "data" / "programmes" / f"{name}.toml").read_text("utf-8")
    return Programme.from_toml(text)


def preset(name: str) -> Programme:
    """Return a programme that ships with the library, without targets.

    A preset carries what the marketplace published: levels, how many indicators a level
    needs, dates, rewards and the evaluation rule (see the sources cited in its file,
    ``redemption/data/programmes/<name>.toml``). The indicators' names and targets are
    not published: they are the user's to fill (`Programme.with_targets`), and until then
    the programme refuses to rank a month, saying what is missing.

    - ``wb-2024``: Wildberries' «Программа лояльности», from its pilot in March 2024 (open
      to all sellers from June 2024): levels initial to gold; 6 of 8 indicators; published
      by the 4th; rewards the next month. The 6 of 8 is from an update whose date is not
      published ("6 indicators instead of 8"): to judge months before it by all 8, give
      ``required = 8`` with the targets.
    - ``wb-2025-12``: «Уровни продавцов», from 1 December 2025: levels initial to platinum
      (platinum on request); 4 criteria with thresholds that move with the market, so
      targets may be set per month; how many of them a level needs is not published.

    Raises:
        ProgrammeError: no preset has this name.

    Example:
        >>> wb = preset("wb-2024")
        >>> [level.title_ru for level in wb.levels], wb.levels[0].required, wb.indicator_count
        (['начальный', 'бронзовый', 'серебряный', 'золотой'], 6, 8)

    .. versionadded:: 0.2.0
    """
    if name not in PRESETS:
        msg = f"no preset {shown(name)}; presets: {', '.join(PRESETS)}"
        raise ProgrammeError(msg, programme=name if is_a(name, str) else None)
    return _preset(name)
