"""Money: `Decimal` roubles with two places, fixed at the boundary; floats are refused."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from fractions import Fraction
from itertools import repeat

from redemption.errors import InvalidPriceError, RecordTypeError, shown

__all__ = [
    "CENT",
    "MAX_DIGITS",
    "ZERO",
    "from_kopecks",
    "kopecks_of",
    "percent",
    "to_kopecks",
    "to_money",
    "written_decimal",
]

CENT = Decimal("0.01")
"""One kopeck, the quantum of every amount."""

ZERO = Decimal("0.00")
"""No money, with two places."""

MAX_DIGITS = 28
"""The most digits an amount may have, kopecks included: a larger one is too large.

That is the precision of Python's default decimal context, and `to_money` holds to it
whatever context the caller has set."""

_KOPECKS_A_ROUBLE = 100
_EXACT = Context(prec=2 * MAX_DIGITS + 4, traps=[InvalidOperation])
"""Roubles to kopecks exactly, whatever precision the caller's own context has."""

_CONTEXT = Context(prec=MAX_DIGITS, traps=[InvalidOperation])


def _is_money(value: Decimal) -> bool:
    """Whether `value` is already an amount `to_money` keeps as it is.

    Finite with exactly two places (`Decimal.same_quantum` is false for an infinity or a
    NaN), not negative nor -0, and of at most `MAX_DIGITS` digits: as importers and
    callers holding roubles with kopecks mostly give them.
    """
    return value.same_quantum(CENT) and not value.is_signed() and value.adjusted() < MAX_DIGITS - 2


def _where(order_id: str | None) -> str:
    """How an error names the order, made only when there is an error."""
    return f"order {order_id}: " if order_id is not None else ""


def to_money(
    value: Decimal | int | str, *, order_id: str | None = None, field: str = "price"
) -> Decimal:
    """Return `value` as roubles with two places, rounded half-even to the kopeck.

    `value` may be a `Decimal`, an `int` or a decimal string.
    A `float` cannot hold kopecks exactly and is refused; so is `bool`.

    Args:
        value: the amount.
        order_id: the order the amount belongs to, named in any error.
        field: what the amount is, as errors name it.

    Returns:
        The amount as a `Decimal` with exponent -2.

    Raises:
        RecordTypeError: `value` is a float, a bool or of another type (also a `TypeError`).
        InvalidPriceError: `value` is negative, not a number (text with other characters
            than ASCII ones is none), infinite or too large: more than `MAX_DIGITS` digits
            with its kopecks (a `DataError`).

    Example:
        >>> to_money("1520.5")
        Decimal('1520.50')
        >>> to_money(7)
        Decimal('7.00')
        >>> to_money(Decimal("-0"))
        Decimal('0.00')

    .. versionadded:: 0.1.0
    """
    if type(value) is Decimal and _is_money(value):
        return value  # what the checks below return for it, checked in a tenth of the time
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int) and not isinstance(value, bool):
        amount = Decimal(value)
    elif isinstance(value, str):
        try:
            if not value.isascii():  # digits of other scripts, superscripts, spaces...
                raise InvalidOperation  # noqa: TRY301 - one refusal for all bad text
            amount = Decimal(value.strip())
        except InvalidOperation:
            msg = f"{_where(order_id)}{field} {shown(value, width=60)} is not a decimal number"
            raise InvalidPriceError(msg, order_id=order_id) from None
    else:
        hint = ": floats cannot hold kopecks exactly" if isinstance(value, float) else ""
        msg = (
            f"{_where(order_id)}{field} must be Decimal, int or str, "
            f"not {type(value).__name__} {shown(value, width=60)}{hint}"
        )
        raise RecordTypeError(msg, order_id=order_id)
    if not amount.is_finite() or amount < 0:
        msg = f"{_where(order_id)}{field} {shown(value, width=60)} is not a non-negative amount"
        raise InvalidPriceError(msg, order_id=order_id)
    if not amount:
        return ZERO  # also for -0, which would print as -0.00
    try:
        money = amount.quantize(CENT, rounding=ROUND_HALF_EVEN, context=_CONTEXT)
    except InvalidOperation:  # more than MAX_DIGITS digits
        msg = f"{_where(order_id)}{field} {shown(value, width=60)} is too large"
        raise InvalidPriceError(msg, order_id=order_id) from None
    # Keep the caller's object when it already has two places: one Decimal per price, not two.
    return amount if money.compare_total(amount) == 0 else money


def to_kopecks(amount: Decimal) -> int:
    """Return an amount of roubles with two places as a whole number of kopecks.

    Example:
        >>> to_kopecks(Decimal("1520.50"))
        152050

    .. versionadded:: 0.1.0
    """
    return int(_EXACT.multiply(amount, _KOPECKS_A_ROUBLE))


def kopecks_of(amounts: Iterable[Decimal]) -> Iterator[int]:
    """Yield each amount of roubles with two places as `to_kopecks` gives it, in C.

    For columns of a million prices: no Python call per amount.

    Example:
        >>> list(kopecks_of([Decimal("1520.50"), Decimal("0.07")]))
        [152050, 7]

    .. versionadded:: 0.2.0
    """
    return map(int, map(_EXACT.multiply, amounts, repeat(_KOPECKS_A_ROUBLE)))


def from_kopecks(kopecks: int) -> Decimal:
    """Return a whole number of kopecks as roubles with two places.

    Example:
        >>> from_kopecks(152050), from_kopecks(0)
        (Decimal('1520.50'), Decimal('0.00'))

    .. versionadded:: 0.1.0
    """
    return CENT * kopecks


def percent(ratio: Fraction) -> Decimal:
    """Return a ratio as a percentage with two places, rounded half-even.

    Example:
        >>> percent(Fraction(2, 3))
        Decimal('66.67')

    .. versionadded:: 0.1.0
    """
    exact = Decimal(ratio.numerator * 100) / Decimal(ratio.denominator)
    return exact.quantize(CENT, rounding=ROUND_HALF_EVEN)


def written_decimal(value: Decimal | str | float) -> Decimal:
    """Return a number parsed from a file as the `Decimal` that was written.

    A float here can only come from a JSON or TOML literal, and its shortest repr is the
    literal as written (``1284.01``, not the binary value behind it). This is for reading
    files; records take no floats (see `to_money`).

    Raises:
        decimal.InvalidOperation: `value` is text that is no number.

    Example:
        >>> written_decimal(1284.01), written_decimal("7")
        (Decimal('1284.01'), Decimal('7'))

    .. versionadded:: 0.1.0
    """
    return Decimal(repr(value) if isinstance(value, float) else value)
