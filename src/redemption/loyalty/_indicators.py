"""A month's indicators: computed from a history, computed by the user's functions, measured.

The built-in indicators (`BUILT_IN_INDICATORS`) are computed over the orders the month's
redemption rate counts: placed in its orders window and no longer in transit as of
`today`. They come from `redemption_rate` and the outcome tally of the same orders
(`redemption.calculators.outcome_counts`), so each is counted by the same rule as the
redemption rate itself.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from datetime import date, tzinfo
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from operator import attrgetter
from typing import Any, TypeAlias, cast

import attrs

from redemption.calculators import Outcome, RateReport, outcome_counts, redemption_rate
from redemption.dates import MOSCOW, require_day
from redemption.errors import ArgumentTypeError, InvalidArgumentError, InvalidPeriodError, shown
from redemption.history import History
from redemption.loyalty._month import Month, is_a
from redemption.loyalty._programme import BUILT_IN_INDICATORS, _FrozenMap
from redemption.money import ZERO
from redemption.outcomes import CancelKind

__all__ = [
    "IndicatorFunction",
    "Measured",
    "MeasuredByMonth",
    "MonthIndicators",
    "Value",
    "month_indicators",
    "parse_measured",
]

Value: TypeAlias = Fraction | Decimal | int
"""An indicator's value: an exact percentage (`Fraction`), a count (`int`), an amount or a
measured number (`Decimal`)."""

IndicatorFunction: TypeAlias = Callable[[History, Month, date, tzinfo], Value | None]
"""The user's own indicator: from the history, the month, `today` and the zone, its value,
or `None` where there is none."""

Measured: TypeAlias = Mapping[str, Decimal | int | str | Fraction]
"""Values the user measured for a month (a rating, an answer speed), by indicator key."""

MeasuredByMonth: TypeAlias = (
    Mapping[Month, Measured] | Mapping[str, Measured] | Mapping[Month | str, Measured]
)
"""Measured values by month: `Month` or ``"YYYY-MM"`` keys."""

_HUNDRED = 100


@attrs.frozen(kw_only=True)
class _Counts:
    """How the orders a month's redemption rate counts ended, and what their sales brought."""

    orders: int
    sales: int
    cancelled: int
    seller_cancelled: int
    refused: int
    returned: int
    revenue: Decimal


def _share(part: int, counts: _Counts) -> Fraction | None:
    return Fraction(part * _HUNDRED, counts.orders) if counts.orders else None


_BUILT_IN_VALUES: Mapping[str, Callable[[_Counts], Value | None]] = {
    "redemption_rate": lambda c: _share(c.sales, c),
    "cancellation_share": lambda c: _share(c.cancelled, c),
    "seller_cancellation_share": lambda c: _share(c.seller_cancelled, c),
    "refusal_share": lambda c: _share(c.refused, c),
    "return_share": lambda c: _share(c.returned, c),
    "orders": lambda c: c.orders,
    "units_sold": lambda c: c.sales,
    "revenue": lambda c: c.revenue,
}
"""How each built-in indicator is read from the counts; keyed as `BUILT_IN_INDICATORS`."""


@attrs.frozen(kw_only=True)
class MonthIndicators:
    """The indicators of one calendar month, as known on `today`.

    Attributes:
        month: the month measured.
        today: the day they are computed on.
        values: each indicator's value by key: the built-in ones, the user's functions' and
            the measured ones; `None` where there is none (no order counted, a function
            that found nothing).
        report: the month's redemption rate, whose orders the built-in indicators count:
            its windows, the orders still in transit, and whether it can still move.

    Example:
        `month_indicators` gives them. On 20 May 2025, of two orders placed on 10 May, one
        was bought and the other is still on its way:

        >>> from datetime import datetime
        >>> from redemption import MOSCOW, History, Order, Sale
        >>> at = datetime(2025, 5, 10, 12, tzinfo=MOSCOW)
        >>> history = History(
        ...     orders=[Order(order_id=i, seller_id="s", sku="k", price=990, ordered_at=at)
        ...             for i in ("1", "2")],
        ...     sales=[Sale(order_id="1", sold_at=at)],
        ... )
        >>> may = month_indicators(history, Month(2025, 5), today=date(2025, 5, 20))
        >>> may.values["orders"], may.values["redemption_rate"], may.values["revenue"]
        (1, Fraction(100, 1), Decimal('990.00'))
        >>> may.report.in_transit, may.complete
        (1, False)

    .. versionadded:: 0.2.0
    """

    month: Month
    today: date
    values: Mapping[str, Value | None]
    report: RateReport = attrs.field(repr=False)

    @property
    def complete(self) -> bool:
        """Whether the figures can no longer move (see `RateReport.complete`)."""
        return self.report.complete


def check_today(today: object) -> date:
    """`today`, if it is a day (`redemption.dates.require_day`)."""
    return require_day(today, "today")


def check_month(month: object, today: object) -> Month:
    """Refuse a month after `today`'s month, as a period that ends after `today` is."""
    today = check_today(today)
    if not isinstance(month, Month):
        msg = f"month must be a Month, not {type(month).__name__} {shown(month)}"
        raise ArgumentTypeError(msg)
    if month > Month.of(today):
        msg = f"month {month} is after today {today.isoformat()}: it has not begun"
        raise InvalidPeriodError(msg)
    return month


def _counts(history: History, month: Month, today: date, tz: tzinfo) -> tuple[RateReport, _Counts]:
    """The month's redemption rate, and how its counted orders ended (`outcome_counts`)."""
    period = month.until(today)
    report = redemption_rate(history, period, today=today, tz=tz)
    cancelled = seller = refused = returned = 0
    revenue = ZERO
    # grouped by price: the revenue is each price times the sales at it
    for price, counts in outcome_counts(
        history, period, today=today, tz=tz, by=attrgetter("price")
    ).items():
        revenue += price * counts.sales
        cancelled += counts.cancelled_before_handover
        seller += counts.by_outcome[Outcome.CANCELLED, CancelKind.SELLER]
        refused += counts.refused
        returned += counts.returned_after_purchase
    return report, _Counts(
        orders=report.orders,
        sales=report.sales,
        cancelled=cancelled,
        seller_cancelled=seller,
        refused=refused,
        returned=returned,
        revenue=revenue,
    )


def checked_value(value: object, key: str, source: str) -> Value | None:
    """Refuse a value that is not exact: a float, a bool, an infinity, another type."""
    if value is None or isinstance(value, Fraction):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            msg = f"{source}: indicator {key!r} is {value}, not a finite number"
            raise InvalidArgumentError(msg)
        return value
    hint = ": a float cannot hold a decimal exactly" if isinstance(value, float) else ""
    msg = (
        f"{source}: indicator {key!r} must be a Fraction, Decimal or int, "
        f"not {type(value).__name__} {shown(value)}{hint}"
    )
    raise ArgumentTypeError(msg)


def measured_value(value: object, key: str, month: Month | str) -> Decimal | int | Fraction:
    """A measured number as given exactly: a Decimal, an int, a Fraction, or decimal text."""
    if isinstance(value, str):
        try:
            if not value.isascii():
                raise InvalidOperation  # noqa: TRY301 - one refusal for all bad text
            number = Decimal(value.strip())
        except InvalidOperation:
            msg = f"measured {month}: {key} {shown(value)} is not a decimal number"
            raise InvalidArgumentError(msg) from None
        value = number
    checked = checked_value(value, key, f"measured {month}")
    if checked is None:
        msg = f"measured {month}: {key} is None; leave out a value not measured"
        raise ArgumentTypeError(msg)
    return checked


def month_indicators(
    history: History,
    month: Month,
    *,
    today: date,
    tz: tzinfo = MOSCOW,
    measured: Measured | None = None,
    indicators: Mapping[str, IndicatorFunction] | None = None,
) -> MonthIndicators:
    """Return a month's indicators: the built-in ones, the user's, and the measured ones.

    The built-in indicators count the orders of the month's redemption rate (Wildberries'
    "How we calculate the Wildberries redemption rate?", with
    the month as the period; up to `today` for today's month): orders placed in its orders
    window, which reaches 30 days back from the month's last day, and no longer in transit
    as of `today`. Cancelled and refused orders are among them.

    - ``redemption_rate``: their sales within the sales window, over them, in percent:
      ``redemption_rate(history, month.period, today=today).rate * 100``.
    - ``cancellation_share``: those cancelled by `today` before they were handed over,
      whoever cancelled (refusals are the refusal share's, so that one refusal does not
      count against two targets; a cancellation whose kind the source does not give,
      `CancelKind.UNKNOWN`, as Wildberries' ``isCancel``, is counted here);
      ``seller_cancellation_share``: those cancelled by the seller (`CancelKind.SELLER`).
    - ``refusal_share``: those refused or not collected (`CancelKind.REFUSED`,
      `CancelKind.NOT_COLLECTED`), and those sold and returned as refused at handover
      (`ReturnKind.REFUSED_AT_HANDOVER`) within the sales window.
    - ``return_share``: those sold and returned otherwise within the sales window.
    - ``orders``: how many orders are counted; ``units_sold``: how many were sold within
      the sales window (an order is one unit); ``revenue``: the prices of those sales, in
      roubles, returns not taken off.

    Every share is a percentage (0 to 100) of the counted orders, exact, and has no value
    (`None`) when no order is counted. The history is one seller's.

    Args:
        history: the orders, sales and returns.
        month: the calendar month measured, in `tz`.
        today: the day the figures are computed on; later events are not seen.
        tz: the zone whose calendar days the month and the windows are made of.
        measured: values the user measured for the month (a rating), by indicator key.
        indicators: the user's own indicator functions, by key.

    Raises:
        InvalidPeriodError: the month is after `today`'s month.
        InvalidArgumentError: a key of `measured` or `indicators` is built in, or given
            both ways; a measured value is not a number.
        ArgumentTypeError: a value is a float, or of another type than Fraction, Decimal,
            int (or, measured, decimal text).

    Example:
        Three orders in May 2025: one sold, one refused at the pick-up point, one cancelled
        by the seller.

        >>> from datetime import datetime
        >>> from redemption import MOSCOW, CancelKind, History, Order, Sale
        >>> def order(i, kind=None):
        ...     at = datetime(2025, 5, 10, 12, tzinfo=MOSCOW)
        ...     return Order(order_id=str(i), seller_id="s", sku="k", price=990, ordered_at=at,
        ...                  cancelled_at=at if kind else None, cancel_kind=kind)
        >>> history = History(
        ...     orders=[order(1), order(2, CancelKind.REFUSED), order(3, CancelKind.SELLER)],
        ...     sales=[Sale(order_id="1", sold_at=datetime(2025, 5, 12, tzinfo=MOSCOW))],
        ... )
        >>> month = month_indicators(history, Month(2025, 5), today=date(2025, 7, 1),
        ...                          measured={"rating": "4.8"})
        >>> for key, value in month.values.items():
        ...     print(key, value)
        redemption_rate 100/3
        cancellation_share 100/3
        seller_cancellation_share 100/3
        refusal_share 100/3
        return_share 0
        orders 3
        units_sold 1
        revenue 990.00
        rating 4.8

    .. versionadded:: 0.2.0
    """
    check_month(month, today)
    functions = {} if indicators is None else dict(indicators)
    given = {} if measured is None else dict(measured)
    for source, keys in (("indicators", functions), ("measured", given)):
        for key in keys:
            if not is_a(key, str):
                msg = f"{source}: an indicator's key must be a str, not {shown(key)}"
                raise ArgumentTypeError(msg)
            if key in BUILT_IN_INDICATORS:
                msg = (
                    f"{source}: {key!r} is a built-in indicator, computed from the "
                    "history: name yours differently"
                )
                raise InvalidArgumentError(msg)
    both = sorted(set(functions) & set(given))
    if both:
        msg = f"indicators {', '.join(both)} are given both as functions and as measured values"
        raise InvalidArgumentError(msg)
    report, counts = _counts(history, month, today, tz)
    values: dict[str, Value | None] = {key: read(counts) for key, read in _BUILT_IN_VALUES.items()}
    for key, function in functions.items():
        values[key] = checked_value(
            function(history, month, today, tz), key, f"indicator function {key!r}"
        )
    for key, value in given.items():
        values[key] = measured_value(value, key, month)
    return MonthIndicators(month=month, today=today, values=_FrozenMap(values), report=report)


def measured_by_month(
    measured: MeasuredByMonth | None,
) -> dict[Month, Measured]:
    """The user's measured values, keyed by `Month`, each checked."""
    if measured is None:
        return {}
    if not is_a(measured, Mapping):
        msg = f"measured must map months to values, not {type(measured).__name__}"
        raise ArgumentTypeError(msg)
    by_month: dict[Month, Measured] = {}
    for key, values in measured.items():
        month = key if isinstance(key, Month) else Month.parse(key)
        if month in by_month:
            msg = f"measured: month {month} is given twice"
            raise InvalidArgumentError(msg)
        if not is_a(values, Mapping):
            msg = f"measured {month}: expected values by indicator key, not {shown(values)}"
            raise ArgumentTypeError(msg)
        for name, value in values.items():
            measured_value(value, str(name), month)
        by_month[month] = values
    return by_month


def parse_measured(text: str) -> dict[Month, dict[str, Decimal | int]]:
    r"""Read measured values from TOML: a table per month, a number per indicator key.

    Numbers are read as the exact decimals written (``4.8`` is ``Decimal("4.8")``); decimal
    text is read too::

        ["2025-05"]
        rating = 4.8
        answer_hours = 3

    Raises:
        InvalidArgumentError: the text is not TOML, a table is not keyed by a month
            ``YYYY-MM``, or a value is not a number.

    Example:
        >>> parse_measured('[2025-05]\nrating = 4.8\n[2025-06]\nrating = "4.9"\n')
        {Month(2025, 5): {'rating': Decimal('4.8')}, Month(2025, 6): {'rating': Decimal('4.9')}}

    .. versionadded:: 0.2.0
    """
    if not is_a(text, str):
        msg = f"measured values must be TOML text, not {type(text).__name__}"
        raise ArgumentTypeError(msg)
    try:
        document: dict[str, Any] = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        msg = f"measured values are not valid TOML: {error}"
        raise InvalidArgumentError(msg) from None
    by_month: dict[Month, dict[str, Decimal | int]] = {}
    for key, table in document.items():
        try:
            month = Month.parse(key)
        except InvalidPeriodError:
            msg = f"measured values: {shown(key)} is not a month written 'YYYY-MM'"
            raise InvalidArgumentError(msg) from None
        if month in by_month:
            msg = f"measured values: month {month} is given twice"
            raise InvalidArgumentError(msg)
        if not isinstance(table, dict):
            msg = f"measured {month}: expected a table of numbers, not {shown(table)}"
            raise InvalidArgumentError(msg)
        values: dict[str, Decimal | int] = {}
        for name, value in table.items():
            if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
                msg = f"measured {month}: {name} {shown(value)} is not a number"
                raise InvalidArgumentError(msg)
            values[name] = cast("Decimal | int", measured_value(value, name, month))
        by_month[month] = values
    return by_month
