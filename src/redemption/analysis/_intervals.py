"""How uncertain a rate is: the Wilson score interval, and what counts as few orders."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal, localcontext
from fractions import Fraction
from functools import lru_cache
from statistics import NormalDist

import attrs

from redemption.errors import InvalidArgumentError, shown

__all__ = [
    "DEFAULT_CI",
    "MIN_ORDERS",
    "Interval",
    "between_0_and_1",
    "checked_ci",
    "checked_count",
    "checked_min_orders",
    "interval_at",
    "interval_of",
    "wilson_interval",
]

DEFAULT_CI = 0.95
"""The confidence level of every interval unless told otherwise."""

MIN_ORDERS = 30
"""A group with fewer counted orders than this is marked ``small``: its rate is mostly noise."""

_WORKING = 50  # digits the formula is worked out to
_KEPT = 28  # digits each bound keeps, rounded outwards
_ZERO, _ONE = Decimal(0), Decimal(1)
_DOWN = Context(prec=_KEPT, rounding=ROUND_FLOOR)
_UP = Context(prec=_KEPT, rounding=ROUND_CEILING)


@attrs.frozen(repr=False)
class Interval:
    """A confidence interval of a rate or share: from `low` to `high`, fractions of 1.

    Both bounds are `Decimal` numbers from 0 to 1, ``low <= high``. The repr rounds them to
    four places; the fields keep 28 significant digits.

    Example:
        >>> Interval(Decimal("0.25"), Decimal("0.5"))
        Interval(0.2500..0.5000)

    .. versionadded:: 0.2.0
    """

    low: Decimal
    high: Decimal

    def __contains__(self, value: object) -> bool:
        """Say whether a rate (a `Fraction`, `Decimal` or `int`) lies within the interval."""
        if isinstance(value, Fraction | Decimal | int) and not isinstance(value, bool):
            return self.low <= value <= self.high
        return False

    @property
    def width(self) -> Decimal:
        """How wide the interval is: ``high - low``."""
        return self.high - self.low

    def __repr__(self) -> str:
        """Show the bounds to four places."""
        return f"Interval({self.low:.4f}..{self.high:.4f})"


def between_0_and_1(value: object) -> float | None:
    """Return a number strictly between 0 and 1 as a float; `None` for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction | Decimal):
        return None
    number = float(value)
    return number if 0 < number < 1 else None


def checked_ci(ci: object) -> float | None:
    """Return a confidence level as a float in (0, 1), or `None`; refuse anything else.

    Raises:
        InvalidArgumentError: `ci` is not a number strictly between 0 and 1, nor `None`.
    """
    if ci is None:
        return None
    level = between_0_and_1(ci)
    if level is not None:
        return level
    msg = f"ci must be a confidence level between 0 and 1 (0.95), or None, not {shown(ci)}"
    raise InvalidArgumentError(msg)


def checked_count(value: object, name: str, least: int = 0) -> int:
    """Return `value`, a whole number of `least` or more; refuse anything else.

    The one check of every count an analysis takes (`min_orders`, `max_age`,
    `horizon_days`...): a `bool`, a `float` such as ``2.0`` or a string such as ``"3"`` is
    not a count.

    Raises:
        InvalidArgumentError: `value` is not an `int`, or is below `least`.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value >= least:
        return value
    msg = f"{name} must be a whole number, {least} or more, not {shown(value)}"
    raise InvalidArgumentError(msg)


def checked_min_orders(min_orders: object) -> int:
    """Return `min_orders`, a whole number of orders, 0 or more; refuse anything else.

    Raises:
        InvalidArgumentError: `min_orders` is not an `int` of 0 or more.
    """
    return checked_count(min_orders, "min_orders")


def wilson_interval(successes: int, trials: int, *, ci: float = DEFAULT_CI) -> Interval | None:
    r"""Return the Wilson score interval of the rate ``successes / trials``.

    With ``n = trials``, ``p = successes / n`` and ``z`` the standard normal quantile of
    ``(1 + ci) / 2`` (1.96 for ``ci=0.95``, from `statistics.NormalDist.inv_cdf`)::

        centre = (p + z²/(2n)) / (1 + z²/n)
        half   = z / (1 + z²/n) · √(p(1 - p)/n + z²/(4n²))
        interval = [centre - half, centre + half]

    Unlike the textbook ``p ± z√(p(1-p)/n)``, it stays within [0, 1], is not empty at
    ``p = 0`` or ``p = 1``, and holds its level with few orders. It always contains ``p``,
    and narrows as the counts grow at a fixed rate. The formula is worked out in `Decimal`
    to 50 digits; each bound keeps 28 significant digits, rounded outwards, and is 0
    exactly when ``successes`` is 0, 1 exactly when it is ``trials``. ``z`` is a float:
    the bounds are as exact as its 16 digits.

    Args:
        successes: how many orders had the outcome (sold, refused...).
        trials: how many orders were counted.
        ci: the confidence level, strictly between 0 and 1.

    Returns:
        The interval, or `None` when `trials` is 0: there is no rate.

    Raises:
        InvalidArgumentError: a count is not a whole number of 0 or more, `successes` is
            more than `trials`, or `ci` is not strictly between 0 and 1.

    Example:
        Eight orders sold of ten:

        >>> wilson_interval(8, 10)
        Interval(0.4902..0.9433)
        >>> wilson_interval(0, 10).low, wilson_interval(0, 0)
        (Decimal('0'), None)

    .. versionadded:: 0.2.0
    """
    successes = checked_count(successes, "successes")
    trials = checked_count(trials, "trials")
    if successes > trials:
        msg = f"successes {successes} are more than trials {trials}"
        raise InvalidArgumentError(msg)
    return interval_at(successes, trials, ci)


def interval_at(successes: int | Fraction, trials: int | Fraction, ci: object) -> Interval | None:
    """Return the Wilson interval of counts already checked, at a level `ci` not yet checked.

    The counts may be fractions (a projection's expected orders and sales): the formula is
    the same. `None` when there are no trials.

    Raises:
        InvalidArgumentError: `ci` is not a number strictly between 0 and 1.
    """
    level = checked_ci(ci)
    if level is None:
        msg = "ci must be a confidence level between 0 and 1 (0.95), not None"
        raise InvalidArgumentError(msg)
    return _wilson(successes, trials, level)


@lru_cache(maxsize=1 << 16)
def _wilson(successes: int | Fraction, trials: int | Fraction, level: float) -> Interval | None:
    """The interval of checked arguments; kept, as many groups share small counts."""
    if trials == 0:
        return None
    z = Decimal(NormalDist().inv_cdf((1 + level) / 2))
    with localcontext(prec=_WORKING):
        n = _decimal(trials)
        p = _decimal(successes) / n
        z2 = z * z
        scale = 1 + z2 / n
        centre = (p + z2 / (2 * n)) / scale
        half = z / scale * (p * (1 - p) / n + z2 / (4 * n * n)).sqrt()
        low, high = centre - half, centre + half
    low = _ZERO if successes == 0 else max(_ZERO, _DOWN.plus(low))
    high = _ONE if successes == trials else min(_ONE, _UP.plus(high))
    return Interval(low, high)


def _decimal(count: int | Fraction) -> Decimal:
    """A count as a `Decimal`, to the working precision of the context."""
    if isinstance(count, int):
        return Decimal(count)
    return Decimal(count.numerator) / Decimal(count.denominator)


def interval_of(successes: int, trials: int, ci: float | None) -> Interval | None:
    """Return the Wilson interval of the library's own counts, at a checked level `ci`.

    `None` when `ci` is `None`, or when there are no trials.
    """
    return None if ci is None else _wilson(successes, trials, ci)
