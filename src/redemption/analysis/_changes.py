"""Which groups' redemption rates really dropped: a one-sided test per group, corrected."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from datetime import date, tzinfo
from fractions import Fraction
from statistics import NormalDist
from typing import Literal, TypeAlias, TypeVar, overload

import attrs

from redemption.analysis._breakdown import shown_rate
from redemption.analysis._intervals import (
    DEFAULT_CI,
    MIN_ORDERS,
    Interval,
    between_0_and_1,
    checked_ci,
    checked_min_orders,
    interval_of,
)
from redemption.calculators import RateReport
from redemption.calculators.groups import By, group_key
from redemption.calculators.outcome import warn_beyond_horizon
from redemption.calculators.rate import rates_in_window
from redemption.dates import MOSCOW
from redemption.errors import InvalidArgumentError, InvalidPeriodError, shown
from redemption.history import History
from redemption.model import Order
from redemption.windows import Period, redemption_window

__all__ = ["Correction", "DropTest", "RateChange", "rate_changes"]

K = TypeVar("K", bound=Hashable)

Correction: TypeAlias = Literal["holm", "bh"] | None
"""How p-values are adjusted for testing many groups at once: ``"holm"`` (Holm-Bonferroni,
the family-wise error), ``"bh"`` (Benjamini-Hochberg, the false discovery rate), or ``None``
(not at all)."""

DropTest: TypeAlias = Literal["z", "fisher"]
"""The test used: the pooled two-proportion z-test, or Fisher's exact test."""

_CORRECTIONS: tuple[str | None, ...] = ("holm", "bh", None)
_MIN_EXPECTED = 5
_NORMAL = NormalDist()


@attrs.frozen(kw_only=True, repr=False)
class RateChange:
    """One group's redemption rate in a current period against a baseline, and its test.

    Attributes:
        group: the group.
        current: the group's redemption rate over the current period's own orders: the
            period is not extended to 30 days (see `rate_changes`); `None` when none of its
            orders was placed in the period.
        baseline: likewise over the baseline period.
        current_rate: ``sales / orders`` of `current`, exactly; `None` without orders.
        baseline_rate: likewise of `baseline`.
        current_interval: the Wilson interval of `current_rate`, or `None`.
        baseline_interval: the Wilson interval of `baseline_rate`, or `None`.
        difference: ``current_rate - baseline_rate``; `None` without both.
        test: ``"z"`` or ``"fisher"``, the test used; `None` when the group was not
            tested (no counted order in a period).
        statistic: the z statistic of the z-test (negative when the rate fell); `None`
            for Fisher's test or without a test.
        p_value: the one-sided p-value of a drop: how likely a current rate this low or
            lower is, were the group's rate no lower than in the baseline.
        adjusted_p_value: the p-value adjusted for the number of groups tested.
        dropped: the rate dropped beyond chance: the adjusted p-value is below the level,
            the current rate is below the baseline rate, and the current period is complete
            (unless incomplete ones were asked for).
        reason: why the group was not tested, or could not be flagged; `None` when the
            test alone decided.
        small: a period has fewer counted orders than the `min_orders` asked for (or none).
        complete: the current period's figures can no longer move (see
            `RateReport.complete`); `False` without them.

    Example:
        `rate_changes` gives one per group. Ten orders in March 2025, all bought; ten in
        April, two bought and eight cancelled:

        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, History, Order, Period, Sale
        >>> from redemption.analysis import rate_changes
        >>> def order(month, i, sold):
        ...     at = datetime(2025, month, 5, 12, tzinfo=MOSCOW)
        ...     return Order(order_id=f"{month}/{i}", seller_id="s", sku="k", price=100,
        ...                  ordered_at=at, cancelled_at=None if sold else at)
        >>> orders = [order(3, i, True) for i in range(10)]
        >>> orders += [order(4, i, i < 2) for i in range(10)]
        >>> history = History(orders=orders, sales=[Sale(order_id=o.order_id, sold_at=o.ordered_at)
        ...                                         for o in orders if o.cancelled_at is None])
        >>> [change] = rate_changes(history, current=Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                         baseline=Period(date(2025, 3, 1), date(2025, 3, 31)),
        ...                         today=date(2025, 6, 30)).values()
        >>> change.group, change.baseline_rate, change.current_rate, change.test, change.dropped
        ('k', Fraction(1, 1), Fraction(1, 5), 'fisher', True)
        >>> round(change.p_value, 5)
        0.00036

    .. versionadded:: 0.2.0
    """

    group: Hashable
    current: RateReport | None
    baseline: RateReport | None
    current_rate: Fraction | None
    baseline_rate: Fraction | None
    current_interval: Interval | None
    baseline_interval: Interval | None
    difference: Fraction | None
    test: DropTest | None
    statistic: float | None
    p_value: float | None
    adjusted_p_value: float | None
    dropped: bool
    reason: str | None
    small: bool
    complete: bool

    def __repr__(self) -> str:
        """Show the two rates, the test and its outcome, and any reason."""
        p = "None" if self.p_value is None else f"{self.p_value:.4g}"
        adjusted = "None" if self.adjusted_p_value is None else f"{self.adjusted_p_value:.4g}"
        reason = "" if self.reason is None else f", reason={self.reason!r}"
        return (
            f"RateChange(group={self.group!r}, "
            f"baseline={shown_rate(self.baseline_rate, self.baseline_interval)}, "
            f"current={shown_rate(self.current_rate, self.current_interval)}, "
            f"difference={self.difference}, test={self.test!r}, p_value={p}, "
            f"adjusted_p_value={adjusted}, dropped={self.dropped}{reason})"
        )


def z_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """The pooled two-proportion z-test of ``x1/n1 < x2/n2``: ``(z, one-sided p-value)``.

    ``p = (x1 + x2) / (n1 + n2)``, ``z = (x1/n1 - x2/n2) / √(p(1-p)(1/n1 + 1/n2))``, and
    the p-value is the standard normal's ``P(Z <= z)``. With no variance (every order sold,
    or none) there is no drop to see: ``z = 0`` and the p-value is 1.
    """
    pooled = Fraction(x1 + x2, n1 + n2)
    variance = pooled * (1 - pooled) * (Fraction(1, n1) + Fraction(1, n2))
    if not variance:
        return 0.0, 1.0
    z = float(Fraction(x1, n1) - Fraction(x2, n2)) / math.sqrt(variance)
    return z, _NORMAL.cdf(z)


def fisher_lower(x1: int, n1: int, x2: int, n2: int) -> float:
    """Fisher's exact one-sided p-value of ``x1/n1 < x2/n2``.

    Given the margins of the 2x2 table (``n1`` and ``n2`` orders, ``S = x1 + x2`` sold and
    ``U = N - S`` not, ``N = n1 + n2``), one cell fixes the others and is hypergeometric:
    the number sold among the first sample is ``X`` with
    ``P(X = k) = C(n1, k) C(n2, S - k) / C(N, S)``, and the p-value is ``P(X <= x1)``.

    The same law reads from any of the four margins: of the ``m`` orders of one margin,
    ``k`` fall in the cell, ``P = C(r, k) C(N - r, m - k) / C(N, m)`` with ``r`` the crossing
    margin. It is summed over the smallest margin ``m`` (the fewer of sold and not sold,
    as ``C(n1, k) C(n2, K - k) / C(N, K)`` with ``K = min(S, U)``, or a smaller sample):
    at most ``m + 1`` terms, and ``C(N, m)`` stays small. Fisher's test is used only when
    an expected count is below 5, so ``m < √(5N)``: two periods of a million orders each
    take at most about 3,200 terms. The sum is exact in integers, each term from the one
    before, and rounded once to a float.
    """
    total, sold = n1 + n2, x1 + x2
    unsold = total - sold
    # (margin m, crossing margin r, the cell's value, whether a drop makes the cell low):
    # few current sales are few current orders sold, many baseline orders sold, or many
    # current orders not sold
    margin, crossing, cell, low = min(
        (n1, sold, x1, True),
        (sold, n1, x1, True),
        (n2, sold, x2, False),
        (unsold, n1, n1 - x1, False),
        key=lambda choice: choice[0],
    )
    rest = total - crossing
    lo, hi = max(0, margin - rest), min(margin, crossing)
    first, last = (lo, cell) if low else (cell, hi)
    term = math.comb(crossing, first) * math.comb(rest, margin - first)
    tail = 0
    for k in range(first, last + 1):
        tail += term
        # C(r, k+1) C(R, m-k-1) = C(r, k) C(R, m-k) (r-k)(m-k) / ((k+1)(R-m+k+1)), exactly
        term = term * (crossing - k) * (margin - k) // ((k + 1) * (rest - margin + k + 1))
    return float(Fraction(tail, math.comb(total, margin)))


def drop_test(x1: int, n1: int, x2: int, n2: int) -> tuple[DropTest, float | None, float]:
    """Test whether ``x1/n1`` is below ``x2/n2``: ``(test, z or None, one-sided p-value)``.

    The z-test when every expected count of the 2x2 table (sold and not, in each sample)
    is at least 5, Fisher's exact test otherwise. Both samples have at least one order.
    """
    total, sold = n1 + n2, x1 + x2
    # the smallest expected count is the smaller row's total times the smaller column's
    if min(n1, n2) * min(sold, total - sold) >= _MIN_EXPECTED * total:
        z, p = z_test(x1, n1, x2, n2)
        return "z", z, p
    return "fisher", None, fisher_lower(x1, n1, x2, n2)


def adjusted_p_values(p_values: Sequence[float], correction: Correction) -> list[float]:
    """Adjust p-values for testing them together; each stays in the place it was given.

    ``"holm"``: the i-th smallest of m becomes ``max over j <= i of (m - j + 1) p_(j)``;
    ``"bh"``: ``min over j >= i of m p_(j) / j``; both capped at 1. ``None``: as given.
    """
    m = len(p_values)
    if correction is None or m == 0:
        return list(p_values)
    order = sorted(range(m), key=p_values.__getitem__)
    adjusted = [0.0] * m
    if correction == "holm":
        running = 0.0
        for rank, i in enumerate(order):
            running = max(running, min(1.0, (m - rank) * p_values[i]))
            adjusted[i] = running
    else:
        running = 1.0
        for rank in reversed(range(m)):
            i = order[rank]
            running = min(running, m * p_values[i] / (rank + 1))
            adjusted[i] = running
    return adjusted


def _checked_level(level: object) -> float:
    alpha = between_0_and_1(level)
    if alpha is not None:
        return alpha
    msg = f"level must be a significance level between 0 and 1 (0.05), not {shown(level)}"
    raise InvalidArgumentError(msg)


def _not_complete(report: RateReport) -> str:
    window = report.window
    if not window.complete:
        return (
            f"the current period is not complete: its orders can be sold until "
            f"{window.closes.isoformat()}, after today {window.today.isoformat()}"
        )
    return (
        "the current period is not complete: the history's data does not reach the end of "
        f"{window.sales.last.isoformat()}, the last day of its sales window"
    )


@attrs.define
class _Row:
    """A group's figures while the family of tests is gathered."""

    group: Hashable
    current: RateReport | None
    baseline: RateReport | None
    reason: str | None = None
    test: DropTest | None = None
    statistic: float | None = None
    p_value: float | None = None
    adjusted_p_value: float | None = None


def _row(group: Hashable, current: RateReport | None, baseline: RateReport | None) -> _Row:
    row = _Row(group, current, baseline)
    for report, name in ((current, "current"), (baseline, "baseline")):
        if report is None:
            row.reason = f"no order of the group was placed in the {name} period"
            return row
        if not report.orders:
            row.reason = f"no order of the group is counted in the {name} period (in transit)"
            return row
    assert current is not None  # noqa: S101 - for the type checker
    assert baseline is not None  # noqa: S101
    row.test, row.statistic, row.p_value = drop_test(
        current.sales, current.orders, baseline.sales, baseline.orders
    )
    return row


def _interval(report: RateReport | None, ci: float | None) -> Interval | None:
    return None if report is None else interval_of(report.sales, report.orders, ci)


def _change(
    row: _Row, level: float, ci: float | None, min_orders: int, *, include_incomplete: bool
) -> RateChange:
    """A group's change, once its p-value is adjusted with the others'."""
    cur, base = row.current, row.baseline
    current_rate = None if cur is None else cur.rate
    baseline_rate = None if base is None else base.rate
    complete = cur is not None and cur.complete
    reason = row.reason
    if reason is None and cur is not None and not complete and not include_incomplete:
        reason = _not_complete(cur)
    p_adjusted = row.adjusted_p_value
    return RateChange(
        group=row.group,
        current=cur,
        baseline=base,
        current_rate=current_rate,
        baseline_rate=baseline_rate,
        current_interval=_interval(cur, ci),
        baseline_interval=_interval(base, ci),
        difference=(
            None if current_rate is None or baseline_rate is None else current_rate - baseline_rate
        ),
        test=row.test,
        statistic=row.statistic,
        p_value=row.p_value,
        adjusted_p_value=p_adjusted,
        dropped=(
            p_adjusted is not None
            and (complete or include_incomplete)
            and p_adjusted < level
            and current_rate is not None
            and baseline_rate is not None
            and current_rate < baseline_rate
        ),
        reason=reason,
        small=any(report is None or report.orders < min_orders for report in (cur, base)),
        complete=complete,
    )


@overload
def rate_changes(
    history: History,
    *,
    current: Period,
    baseline: Period,
    today: date,
    by: Literal["sku", "seller"] = "sku",
    level: float = 0.05,
    correction: Correction = "holm",
    include_incomplete: bool = False,
    tz: tzinfo = MOSCOW,
    ci: float | None = DEFAULT_CI,
    min_orders: int = MIN_ORDERS,
) -> dict[str, RateChange]: ...


@overload
def rate_changes(
    history: History,
    *,
    current: Period,
    baseline: Period,
    today: date,
    by: None,
    level: float = 0.05,
    correction: Correction = "holm",
    include_incomplete: bool = False,
    tz: tzinfo = MOSCOW,
    ci: float | None = DEFAULT_CI,
    min_orders: int = MIN_ORDERS,
) -> dict[None, RateChange]: ...


@overload
def rate_changes(
    history: History,
    *,
    current: Period,
    baseline: Period,
    today: date,
    by: Literal["buyer"],
    level: float = 0.05,
    correction: Correction = "holm",
    include_incomplete: bool = False,
    tz: tzinfo = MOSCOW,
    ci: float | None = DEFAULT_CI,
    min_orders: int = MIN_ORDERS,
) -> dict[str | None, RateChange]: ...


@overload
def rate_changes(
    history: History,
    *,
    current: Period,
    baseline: Period,
    today: date,
    by: Callable[[Order], K],
    level: float = 0.05,
    correction: Correction = "holm",
    include_incomplete: bool = False,
    tz: tzinfo = MOSCOW,
    ci: float | None = DEFAULT_CI,
    min_orders: int = MIN_ORDERS,
) -> dict[K, RateChange]: ...


def rate_changes(
    history: History,
    *,
    current: Period,
    baseline: Period,
    today: date,
    by: By = "sku",
    level: float = 0.05,
    correction: Correction = "holm",
    include_incomplete: bool = False,
    tz: tzinfo = MOSCOW,
    ci: float | None = DEFAULT_CI,
    min_orders: int = MIN_ORDERS,
) -> (
    dict[str, RateChange]
    | dict[None, RateChange]
    | dict[str | None, RateChange]
    | dict[K, RateChange]
):
    """Return, per group, whether its redemption rate dropped from `baseline` to `current`.

    Each period's rate is that of its own orders: the orders placed on its days, by the
    window method of Wildberries' "How we calculate the Wildberries redemption rate?"
    (orders in transit as of `today` are left out, and sales are
    counted to 30 days after the period's end, or to `today`), but with the period *not*
    extended into the past to 30 days, as a bucket of `rate_series` is not (the windows of
    `redemption_window` with ``extend=False``). For a period of 30 days or more it is
    `redemption_rates`'s figure exactly; a week is compared with a week, not with the 30
    days before it. The two periods must not overlap (they would share orders): their
    orders are taken as two independent samples.

    A group is tested when both periods count some of its orders: the test is one-sided,
    for a drop, on sales over counted orders. When every expected count of the 2x2 table
    (sold and not sold, in each period) is at least 5 it is the two-proportion z-test with
    pooled variance; otherwise Fisher's exact test, from the hypergeometric distribution.

    Testing many SKUs at once, some would look like drops by chance alone, so the p-values
    are adjusted for the number of groups tested. The default, Holm-Bonferroni
    (``"holm"``), controls the family-wise error: the chance that even one group flagged
    did not really drop stays below `level`, whatever the dependence between groups. A
    seller acts on each flag (checks the card, the size chart, the supplier), so a short
    list that is right as a whole is the safe default, and Holm is uniformly more powerful
    than plain Bonferroni. ``"bh"`` (Benjamini-Hochberg) controls the false discovery
    rate instead: on average at most a `level` share of the groups flagged did not drop.
    It flags more when screening many SKUs, and assumes the tests independent or
    positively dependent. ``None`` adjusts nothing.

    A group is flagged (``dropped``) when its adjusted p-value is below `level` and its
    current rate is below its baseline rate. A current period that is not complete (30
    days after its end have not passed, or the data does not reach that far) is never
    flagged unless `include_incomplete` is true: its orders can still be sold, and its
    rate still move; its p-values are computed all the same, and its ``reason`` says why it
    is not flagged. Groups whose orders fall in one period only get `None` figures and
    are not tested, nor are groups with no counted order in a period.

    Args:
        history: the orders, sales and returns.
        current: the period looked at.
        baseline: the period it is compared with.
        today: the day the figures are computed on; later events are not seen.
        by: ``"sku"``, ``"seller"``, ``"buyer"`` (orders without a buyer under ``None``),
            ``None`` for one group ``None`` of every order, or a function from an `Order` to
            its group.
        level: the significance level, strictly between 0 and 1.
        correction: ``"holm"``, ``"bh"`` or ``None``.
        include_incomplete: also flag a current period that is not complete.
        tz: the zone whose calendar days the windows are made of.
        ci: the confidence level of the intervals of the two rates; ``None`` for none.
        min_orders: a group with fewer counted orders in a period is marked ``small``.

    Returns:
        A change per group found in either period, in the order they are first found
        (the current period's groups first). With ``by=None`` the one group is always
        there.

    Raises:
        InvalidPeriodError: a period ends after `today`, or the two periods overlap.
        InvalidArgumentError: an unknown `by` or `correction`, a `level` or `ci` not
            between 0 and 1, a `min_orders` that is not a whole number, 0 or more.

    Example:
        SKU "a" sold 9 of 10 orders in March 2025, and 2 of 10 in April (the others were
        refused); SKU "b" sold 8 of 10 each month.

        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, CancelKind, History, Order, Period, Sale
        >>> orders, sales = [], []
        >>> for sku, month, sold in [("a", 3, 9), ("a", 4, 2), ("b", 3, 8), ("b", 4, 8)]:
        ...     for i in range(10):
        ...         at = datetime(2025, month, 10, 12, tzinfo=MOSCOW)
        ...         order_id = f"{sku}{month}-{i}"
        ...         orders.append(Order(order_id=order_id, seller_id="s", sku=sku, price=100,
        ...                             ordered_at=at, cancelled_at=None if i < sold else at,
        ...                             cancel_kind=None if i < sold else CancelKind.REFUSED))
        ...         if i < sold:
        ...             sales.append(Sale(order_id=order_id, sold_at=at))
        >>> changes = rate_changes(History(orders=orders, sales=sales),
        ...                        current=Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...                        baseline=Period(date(2025, 3, 1), date(2025, 3, 31)),
        ...                        today=date(2025, 6, 1), ci=None)
        >>> changes["a"]
        RateChange(group='a', baseline=9/10, current=1/5, difference=-7/10, test='fisher', p_value=0.002739, adjusted_p_value=0.005477, dropped=True)
        >>> changes["b"].dropped, round(changes["b"].adjusted_p_value, 3)
        (False, 0.709)

        Periods that share days would share orders, and are refused:

        >>> rate_changes(History(orders=orders, sales=sales),
        ...              current=Period(date(2025, 4, 1), date(2025, 4, 30)),
        ...              baseline=Period(date(2025, 3, 15), date(2025, 4, 14)),
        ...              today=date(2025, 6, 1))
        Traceback (most recent call last):
        ...
        redemption.errors.InvalidPeriodError: current period 2025-04-01..2025-04-30 overlaps baseline period 2025-03-15..2025-04-14: compare periods that share no day

    .. versionadded:: 0.2.0
    """  # noqa: E501 - a doctest's output is one line
    key = group_key(by)
    alpha = _checked_level(level)
    if correction not in _CORRECTIONS:
        msg = f"correction must be 'holm', 'bh' or None, not {shown(correction)}"
        raise InvalidArgumentError(msg)
    confidence = checked_ci(ci)
    least = checked_min_orders(min_orders)
    # each period's own orders, as a bucket of a series: not extended to 30 days
    now_window = redemption_window(current, today=today, extend=False)
    before_window = redemption_window(baseline, today=today, extend=False)
    if current.start <= baseline.end and baseline.start <= current.end:
        msg = (
            f"current period {current} overlaps baseline period {baseline}: "
            "compare periods that share no day"
        )
        raise InvalidPeriodError(msg)
    warn_beyond_horizon(history, today, tz)
    now = rates_in_window(history, now_window, key=key, tz=tz)
    before = rates_in_window(history, before_window, key=key, tz=tz)
    groups = dict.fromkeys([*now, *before])
    if by is None:
        groups = {None: None}
    rows = [_row(group, now.get(group), before.get(group)) for group in groups]
    tested = [row for row in rows if row.p_value is not None]
    for row, p_adjusted in zip(
        tested, adjusted_p_values([row.p_value or 0.0 for row in tested], correction), strict=True
    ):
        row.adjusted_p_value = p_adjusted
    return {  # type: ignore[return-value]
        row.group: _change(row, alpha, confidence, least, include_incomplete=include_incomplete)
        for row in rows
    }
