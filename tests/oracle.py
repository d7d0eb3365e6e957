"""A brute-force oracle of the seller's redemption rate, written apart from the library.

It walks the orders window day by day and, for each day, looks at every order; each
timestamp is turned into its calendar day in the zone with `astimezone`. It shares no code
with `redemption.calculators` or `redemption.windows`: the two must agree.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

from redemption import Order, Period, Return, Sale

Counts = tuple[int, int, int, int]
"""Orders, sales, returns and orders in transit."""


def _day(instant: datetime, tz: tzinfo) -> date:
    return instant.astimezone(tz).date()


def _event_days(
    sales: tuple[Sale, ...], returns: tuple[Return, ...], tz: tzinfo
) -> tuple[dict[str, date], dict[str, date]]:
    """Return the day of each order's sale and of each order's return, by order id."""
    return (
        {s.order_id: _day(s.sold_at, tz) for s in sales},
        {r.order_id: _day(r.returned_at, tz) for r in returns},
    )


def oracle_windows(period: Period, today: date) -> tuple[date, date, date]:
    """Return the first day of both windows, the last orders day and the last sales day."""
    days = (period.end - period.start).days + 1
    first = period.start if days >= 30 else period.end - timedelta(days=29)
    return first, period.end, min(period.end + timedelta(days=30), today)


def oracle_rates(  # noqa: PLR0917 - the oracle spells out everything it depends on
    orders: tuple[Order, ...],
    sales: tuple[Sale, ...],
    returns: tuple[Return, ...],
    period: Period,
    today: date,
    tz: tzinfo,
    key: Callable[[Order], Hashable],
) -> tuple[dict[Hashable, Counts], int]:
    """Count per group, day by day; also count unmatched sales in the sales window."""

    def day_of(instant: datetime) -> date:
        return _day(instant, tz)

    first, last_order_day, last_sale_day = oracle_windows(period, today)
    sold, returned = _event_days(sales, returns, tz)
    counts: dict[Hashable, list[int]] = {}
    day = first
    while day <= last_order_day:
        for order in orders:
            if day_of(order.ordered_at) != day:
                continue
            c = counts.setdefault(key(order), [0, 0, 0, 0])
            sold_day = sold.get(order.order_id)
            cancelled_day = None if order.cancelled_at is None else day_of(order.cancelled_at)
            known = (sold_day is not None and sold_day <= today) or (
                cancelled_day is not None and cancelled_day <= today
            )
            if not known:
                c[3] += 1
                continue
            c[0] += 1
            if sold_day is not None and first <= sold_day <= last_sale_day:
                c[1] += 1
                returned_day = returned.get(order.order_id)
                if returned_day is not None and first <= returned_day <= last_sale_day:
                    c[2] += 1
        day += timedelta(days=1)
    given = {order.order_id for order in orders}
    unmatched = sum(
        1 for s in sales if s.order_id not in given and first <= day_of(s.sold_at) <= last_sale_day
    )
    return {k: (v[0], v[1], v[2], v[3]) for k, v in counts.items()}, unmatched


def oracle_ransoms(  # noqa: PLR0917 - the oracle spells out everything it depends on
    orders: tuple[Order, ...],
    sales: tuple[Sale, ...],
    returns: tuple[Return, ...],
    first: date,
    today: date,
    tz: tzinfo,
) -> dict[str, Decimal]:
    """Sum per buyer, order by order, the prices of what was sold in [first, today] and kept."""

    def day_of(instant: datetime) -> date:
        return _day(instant, tz)

    sold, returned = _event_days(sales, returns, tz)
    amounts: dict[str, Decimal] = {}
    for order in orders:
        if order.buyer_id is None or day_of(order.ordered_at) > today:
            continue  # a buyer appears with their first order
        amounts.setdefault(order.buyer_id, Decimal("0.00"))
        sold_day = sold.get(order.order_id)
        returned_day = returned.get(order.order_id)
        if sold_day is None or not first <= sold_day <= today:
            continue
        if returned_day is not None and returned_day <= today:
            continue
        amounts[order.buyer_id] += order.price
    return amounts


def oracle_buyers(  # noqa: PLR0917 - the oracle spells out everything it depends on
    orders: tuple[Order, ...],
    sales: tuple[Sale, ...],
    returns: tuple[Return, ...],
    first: date,
    last: date,
    today: date,
    tz: tzinfo,
) -> dict[str, Counts]:
    """Count per buyer placed, sold, returned and in transit over orders placed in [first, last]."""

    def day_of(instant: datetime) -> date:
        return _day(instant, tz)

    sold, returned = _event_days(sales, returns, tz)
    counts: dict[str, list[int]] = {}
    for order in orders:
        if order.buyer_id is None or not first <= day_of(order.ordered_at) <= last:
            continue
        c = counts.setdefault(order.buyer_id, [0, 0, 0, 0])
        sold_day = sold.get(order.order_id)
        cancelled = order.cancelled_at is not None and day_of(order.cancelled_at) <= today
        if sold_day is not None and sold_day <= today:
            c[0] += 1
            c[1] += 1
            returned_day = returned.get(order.order_id)
            c[2] += returned_day is not None and returned_day <= today
        elif cancelled:
            c[0] += 1
        else:
            c[3] += 1
    return {k: (v[0], v[1], v[2], v[3]) for k, v in counts.items()}


OutcomeTally = tuple[dict[tuple[str, object], int], dict[object, int]]
"""How the counted orders of a group ended, by ``(outcome, kind)`` with outcomes spelled
``"kept"``, ``"returned"``, ``"sold_late"``, ``"cancelled"``; and the orders not redeemed
by their reason's category (``"unknown"`` where there is none)."""


def oracle_outcomes(  # noqa: PLR0917 - the oracle spells out everything it depends on
    orders: tuple[Order, ...],
    sales: tuple[Sale, ...],
    returns: tuple[Return, ...],
    period: Period,
    today: date,
    tz: tzinfo,
    key: Callable[[Order], Hashable],
) -> dict[Hashable, OutcomeTally]:
    """Sort each counted order into its outcome, day by day, as `oracle_rates` counts it.

    Outcomes are spelled as words and reasons as their category's value, so that nothing
    here reads the library's outcome types; only entries with at least one order appear.
    """

    def day_of(instant: datetime) -> date:
        return _day(instant, tz)

    first, last_order_day, last_sale_day = oracle_windows(period, today)
    sold, returned = _event_days(sales, returns, tz)
    return_of = {r.order_id: r for r in returns}
    tallies: dict[Hashable, OutcomeTally] = {}
    day = first
    while day <= last_order_day:
        for order in orders:
            if day_of(order.ordered_at) != day:
                continue
            by_outcome, by_reason = tallies.setdefault(key(order), ({}, {}))
            sold_day = sold.get(order.order_id)
            cancelled_day = None if order.cancelled_at is None else day_of(order.cancelled_at)
            if sold_day is not None and sold_day <= today:
                returned_day = returned.get(order.order_id)
                if not first <= sold_day <= last_sale_day:
                    outcome: tuple[str, object] = ("sold_late", None)
                elif returned_day is not None and first <= returned_day <= last_sale_day:
                    back = return_of[order.order_id]
                    outcome = ("returned", back.kind.value)
                    reason = "unknown" if back.reason is None else back.reason.category.value
                    by_reason[reason] = by_reason.get(reason, 0) + 1
                else:
                    outcome = ("kept", None)
            elif cancelled_day is not None and cancelled_day <= today:
                kind = "unknown" if order.cancel_kind is None else order.cancel_kind.value
                outcome = ("cancelled", kind)
                reason = (
                    "unknown" if order.cancel_reason is None else order.cancel_reason.category.value
                )
                by_reason[reason] = by_reason.get(reason, 0) + 1
            else:
                continue  # in transit
            by_outcome[outcome] = by_outcome.get(outcome, 0) + 1
        day += timedelta(days=1)
    return tallies


def oracle_values(  # noqa: PLR0917 - the oracle spells out everything it depends on
    orders: tuple[Order, ...],
    sales: tuple[Sale, ...],
    returns: tuple[Return, ...],
    first: date,
    today: date,
    tz: tzinfo,
) -> dict[str, tuple[Decimal, Decimal]]:
    """Per buyer with an order placed in [first, today]: roubles placed and roubles kept.

    Placed: sold or cancelled by the end of today; kept: sold by then and not returned by then.
    """
    sold = {s.order_id: _day(s.sold_at, tz) for s in sales}
    returned = {r.order_id: _day(r.returned_at, tz) for r in returns}
    values: dict[str, tuple[Decimal, Decimal]] = {}
    for order in orders:
        if order.buyer_id is None or not first <= _day(order.ordered_at, tz) <= today:
            continue
        placed, kept = values.get(order.buyer_id, (Decimal("0.00"), Decimal("0.00")))
        sold_day = sold.get(order.order_id)
        if sold_day is not None and sold_day <= today:
            placed += order.price
            returned_day = returned.get(order.order_id)
            if returned_day is None or returned_day > today:
                kept += order.price
        elif order.cancelled_at is not None and _day(order.cancelled_at, tz) <= today:
            placed += order.price
        values[order.buyer_id] = (placed, kept)
    return values
