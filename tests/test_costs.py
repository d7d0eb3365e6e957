"""What refusals cost (`refusal_costs`), and that logistics change no other figure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings

from redemption import (
    CancelKind,
    History,
    InvalidArgumentError,
    InvalidPeriodError,
    Order,
    Period,
    Reason,
    ReasonCategory,
    Return,
    ReturnKind,
    Sale,
    buyer_reports,
    ransom_amounts,
    redemption_rate,
    redemption_rates,
)
from redemption.analysis import (
    Freq,
    LogisticsCost,
    RefusalCosts,
    rate_series,
    refusal_breakdown,
    refusal_cost_series,
    refusal_costs,
)
from redemption.calculators import outcome_counts
from redemption.model import Logistics
from redemption.money import ZERO
from tests.builders import msk
from tests.strategies import Scenario, matched_scenarios, scenarios

APRIL = Period(date(2025, 4, 1), date(2025, 4, 30))
TODAY = date(2025, 7, 1)


def at(day: int, month: int = 4) -> datetime:
    """Noon, Moscow time, of a day of 2025 (April unless told)."""
    return msk(f"2025-{month:02d}-{day:02d}T12:00")


def order(order_id: str, sku: str = "k", price: int = 990, **more: Any) -> Order:
    """An order placed on 2 April 2025."""
    return Order(order_id=order_id, seller_id="s", sku=sku, price=price, ordered_at=at(2), **more)


def cost(order_id: str, to_buyer: int | str, back: int | str = 0) -> Logistics:
    """An order's logistics."""
    return Logistics(order_id=order_id, to_buyer=to_buyer, back=back)


def paid(units: int, known: int, to_buyer: str | int, back: str | int) -> LogisticsCost:
    """What units cost."""
    return LogisticsCost(units=units, known=known, to_buyer=Decimal(to_buyer), back=Decimal(back))


def _history() -> History:
    """
    Each outcome once or twice, in April 2025, most with logistics known.

    Kept (50 + 0, and one of unknown cost, priced 700), returned after purchase for its size
    (50 + 45), refused at the pick-up point for quality (50 + 45), refused at handover as a
    return (40 + 40, no reason), cancelled by the buyer (unknown cost), sold after the
    sales window (50 + 0), still in transit (50: counted nowhere), and placed in March
    (outside the orders window), and one logistics record whose order is not given.
    """
    size, quality = Reason(ReasonCategory.SIZE_FIT), Reason(ReasonCategory.QUALITY_DEFECT)
    return History(
        orders=[
            order("kept"),
            order("kept-unknown", price=700),
            order("returned", sku="m"),
            order(
                "refused",
                sku="m",
                cancelled_at=at(6),
                cancel_kind=CancelKind.REFUSED,
                cancel_reason=quality,
            ),
            order("refused-return"),
            order("cancelled", cancelled_at=at(3), cancel_kind=CancelKind.BUYER),
            order("late", price=500),
            order("transit"),
            Order(order_id="march", seller_id="s", sku="k", price=1, ordered_at=at(15, 3)),
        ],
        sales=[
            Sale(order_id="kept", sold_at=at(5)),
            Sale(order_id="kept-unknown", sold_at=at(5)),
            Sale(order_id="returned", sold_at=at(5)),
            Sale(order_id="refused-return", sold_at=at(5)),
            Sale(order_id="late", sold_at=at(10, 6)),
            Sale(order_id="march", sold_at=at(20, 3)),
        ],
        returns=[
            Return(order_id="returned", returned_at=at(9), kind=ReturnKind.RETURN, reason=size),
            Return(
                order_id="refused-return", returned_at=at(5), kind=ReturnKind.REFUSED_AT_HANDOVER
            ),
        ],
        logistics=[
            cost("kept", 50),
            cost("returned", 50, 45),
            cost("refused", 50, 45),
            cost("refused-return", 40, 40),
            cost("late", 50),
            cost("transit", 50),
            cost("march", 50, 50),
            cost("elsewhere", 50, 50),
        ],
    )


class TestRefusalCosts:
    def test_each_outcome_has_its_logistics_and_the_unknown_apart(self) -> None:
        """
        Refusals are both kinds; returns after purchase and cancellations apart; kept
        units carry the revenue; orders without logistics are counted, in no sum.
        """
        (costs,) = refusal_costs(_history(), APRIL, today=TODAY).values()
        assert costs.refused == paid(2, 2, 90, 85)
        assert costs.returned == paid(1, 1, 50, 45)
        assert costs.cancelled == paid(1, 0, 0, 0)
        assert costs.sold_late == paid(1, 1, 50, 0)
        assert costs.kept == paid(2, 1, 50, 0)
        assert costs.revenue == Decimal("1690.00")
        assert (costs.orders, costs.in_transit, costs.unknown) == (7, 1, 2)
        assert costs.not_kept == paid(4, 3, 140, 130)
        assert costs.not_kept.paid == Decimal("270.00")
        assert costs.total == paid(7, 5, 240, 130)
        assert costs.complete

    def test_the_orders_are_those_the_rate_counts(self) -> None:
        """
        The same orders and in-transit count as redemption_rate's.
        """
        history = _history()
        (costs,) = refusal_costs(history, APRIL, today=TODAY).values()
        report = redemption_rate(history, APRIL, today=TODAY)
        assert (costs.orders, costs.in_transit, costs.window) == (
            report.orders,
            report.in_transit,
            report.window,
        )

    def test_by_sku_the_groups_add_up_to_the_whole(self) -> None:
        """
        Each SKU its own; every figure summed over the groups is the whole's.
        """
        history = _history()
        whole = refusal_costs(history, APRIL, today=TODAY)[None]
        groups = refusal_costs(history, APRIL, today=TODAY, by="sku")
        assert set(groups) == {"k", "m"}
        assert groups["m"].refused == paid(1, 1, 50, 45)
        assert groups["m"].returned == paid(1, 1, 50, 45)
        assert groups["m"].revenue == ZERO
        assert _added(groups.values()) == _figures(whole)

    def test_by_reason_the_units_not_redeemed_go_to_their_reason(self) -> None:
        """
        A category per reason (none given: unknown); the redeemed and in transit under None.
        """
        history = _history()
        groups = refusal_costs(history, APRIL, today=TODAY, by="reason")
        assert list(groups) == [
            None,
            ReasonCategory.SIZE_FIT,
            ReasonCategory.QUALITY_DEFECT,
            ReasonCategory.UNKNOWN,
        ]
        assert groups[ReasonCategory.SIZE_FIT].returned == paid(1, 1, 50, 45)
        assert groups[ReasonCategory.QUALITY_DEFECT].refused == paid(1, 1, 50, 45)
        unknown = groups[ReasonCategory.UNKNOWN]
        assert (unknown.refused, unknown.cancelled) == (paid(1, 1, 40, 40), paid(1, 0, 0, 0))
        redeemed = groups[None]
        assert (redeemed.kept, redeemed.sold_late) == (paid(2, 1, 50, 0), paid(1, 1, 50, 0))
        assert (redeemed.revenue, redeemed.in_transit) == (Decimal("1690.00"), 1)
        assert redeemed.not_kept == paid(0, 0, 0, 0)
        whole = refusal_costs(history, APRIL, today=TODAY)[None]
        assert _added(groups.values()) == _figures(whole)

    def test_a_function_groups_by_anything(self) -> None:
        """
        By the order's price, for one.
        """
        groups = refusal_costs(_history(), APRIL, today=TODAY, by=lambda o: o.price)
        assert groups[Decimal(700)].kept == paid(1, 0, 0, 0)
        assert groups[Decimal(500)].sold_late == paid(1, 1, 50, 0)

    def test_no_order_is_one_empty_group_and_no_logistics_is_every_cost_unknown(self) -> None:
        """
        Overall there is always a group; without logistics nothing is summed, all unknown.
        """
        (empty,) = refusal_costs(History(), APRIL, today=TODAY).values()
        assert (empty.orders, empty.total, empty.revenue) == (0, paid(0, 0, 0, 0), ZERO)
        assert refusal_costs(History(), APRIL, today=TODAY, by="sku") == {}
        history = _history()
        bare = History(orders=history.orders, sales=history.sales, returns=history.returns)
        (costs,) = refusal_costs(bare, APRIL, today=TODAY).values()
        assert (costs.total.paid, costs.unknown, costs.revenue) == (ZERO, 7, Decimal("1690.00"))

    @pytest.mark.parametrize("by", ["reasons", "buyers", 3])
    def test_an_unknown_grouping_is_refused_naming_every_one(self, by: object) -> None:
        """
        The message lists reason among the groupings.
        """
        with pytest.raises(InvalidArgumentError, match="'buyer', 'reason' or a function"):
            refusal_costs(_history(), APRIL, today=TODAY, by=by)  # type: ignore[call-overload]

    @given(scenario=scenarios())
    def test_the_sums_are_those_of_each_order_counted_alone(self, scenario: Scenario) -> None:
        """
        Against a tally of every order alone, by the same rule (`outcome_counts` by order
        id): the groups, the reasons and the sums of every figure; and the same on the
        history cut at the end of `today`.
        """
        history, period = scenario.records.history(), scenario.period
        today, tz = scenario.today, scenario.tz
        expected = _by_hand(history, period, today, tz)
        got = refusal_costs(history, period, today=today, tz=tz)[None]
        assert _figures(got) == expected
        by_reason = refusal_costs(history, period, today=today, tz=tz, by="reason")
        assert _added(by_reason.values()) == expected
        by_sku = refusal_costs(history, period, today=today, tz=tz, by="sku")
        assert _added(by_sku.values()) == expected
        cut = history.cut(today, tz=tz)
        assert refusal_costs(cut, period, today=today, tz=tz, by="sku") == by_sku


class TestRefusalCostSeries:
    def test_each_month_its_own_orders(self) -> None:
        """
        A month of 30 or 31 days is its own orders window, so its costs are those of
        `refusal_costs` over that month; a month without the group's orders holds zeros.
        """
        history = _history()
        series = refusal_cost_series(
            history, start=date(2025, 3, 1), end=date(2025, 5, 31), today=TODAY, by="sku"
        )
        assert series["k"][0].orders == 1  # the order placed in March
        assert (series["m"][0].orders, series["m"][0].total.paid) == (0, ZERO)
        for sku, months in series.items():
            _, april, may = months
            assert april == refusal_costs(history, APRIL, today=TODAY, by="sku")[sku]
            assert (may.orders, may.in_transit, may.total.paid) == (0, 0, ZERO)
            assert (may.window.orders.first, may.window.orders.last) == (
                date(2025, 5, 1),
                date(2025, 5, 31),
            )

    def test_reasons_keep_the_order_of_refusal_costs(self) -> None:
        """
        By reason, the groups are those of `refusal_costs` over the same orders, the
        redeemed (``None``) first.
        """
        history = _history()
        series = refusal_cost_series(
            history, start=APRIL.start, end=APRIL.end, today=TODAY, by="reason"
        )
        assert list(series) == list(refusal_costs(history, APRIL, today=TODAY, by="reason"))

    @given(scenario=scenarios())
    def test_each_bucket_counts_the_units_of_the_series_point(self, scenario: Scenario) -> None:
        """
        Bucket by bucket, the units of each outcome are the counts of the `rate_series`
        point over the same days, and the groups by SKU add up to the whole.
        """
        history, period = scenario.records.history(), scenario.period
        today, tz = scenario.today, scenario.tz
        freqs: tuple[Freq, ...] = ("week", "month")
        for freq in freqs:
            bounds: dict[str, Any] = {
                "start": period.start,
                "end": period.end,
                "today": today,
                "tz": tz,
            }
            (costs,) = refusal_cost_series(history, freq=freq, **bounds).values()
            (points,) = rate_series(history, freq=freq, ci=None, **bounds).values()
            assert [
                (c.window, c.orders, c.in_transit, c.refused.units, c.returned.units,
                 c.complete) for c in costs
            ] == [
                (p.counts.report.window, p.orders, p.in_transit, p.refused, p.returned,
                 p.complete) for p in points
            ]  # fmt: skip
            by_sku = refusal_cost_series(history, freq=freq, by="sku", **bounds)
            for n, whole in enumerate(costs):
                assert _added(group[n] for group in by_sku.values()) == _figures(whole)

    def test_bad_arguments_are_refused(self) -> None:
        """
        An unknown `freq` or grouping, and a range ending after `today`, are refused.
        """
        history = _history()
        with pytest.raises(InvalidArgumentError, match="freq must be"):
            refusal_cost_series(
                history,
                start=APRIL.start,
                end=APRIL.end,
                today=TODAY,
                freq="year",  # type: ignore[call-overload]
            )
        with pytest.raises(InvalidArgumentError, match="by must be"):
            refusal_cost_series(
                history,
                start=APRIL.start,
                end=APRIL.end,
                today=TODAY,
                by="reasons",  # type: ignore[call-overload]
            )
        with pytest.raises(InvalidPeriodError):
            refusal_cost_series(history, start=APRIL.start, end=TODAY, today=APRIL.end)


def _figures(costs: RefusalCosts) -> tuple[object, ...]:
    """Every figure of one group's costs."""
    return (
        costs.orders,
        costs.in_transit,
        costs.refused,
        costs.returned,
        costs.cancelled,
        costs.sold_late,
        costs.kept,
        costs.revenue,
    )


def _added(groups: Any) -> tuple[object, ...]:
    """Every figure of `groups`, summed."""
    nothing = LogisticsCost(units=0, known=0, to_buyer=ZERO, back=ZERO)
    total: list[Any] = [0, 0, *[nothing] * 5, ZERO]
    for costs in groups:
        total = [a + b for a, b in zip(total, _figures(costs), strict=True)]
    return tuple(total)


def _by_hand(history: History, period: Period, today: date, tz: Any) -> tuple[object, ...]:
    """Every counted order's outcome from its own tally, its logistics and price added up."""
    orders = {o.order_id: o for o in history.orders}
    nothing: tuple[int, int, Decimal, Decimal] = (0, 0, ZERO, ZERO)
    lost = dict.fromkeys(("refused", "returned", "cancelled", "sold_late", "kept"), nothing)
    counted = in_transit = 0
    revenue = ZERO
    by_order = outcome_counts(history, period, today=today, tz=tz, by=lambda o: o.order_id)
    for order_id, counts in by_order.items():
        in_transit += counts.in_transit
        counted += counts.orders
        outcome = next(
            (name for name, n in (
                ("refused", counts.refused), ("returned", counts.returned_after_purchase),
                ("cancelled", counts.cancelled_before_handover), ("sold_late", counts.sold_late),
                ("kept", counts.kept)) if n),
            None,
        )  # fmt: skip
        if outcome is None:
            continue
        if outcome == "kept":
            revenue += orders[order_id].price
        known = history.logistics.get(order_id)
        units, with_cost, to_buyer, back = lost[outcome]
        lost[outcome] = (
            units + 1,
            with_cost + (known is not None),
            to_buyer + (ZERO if known is None else known.to_buyer),
            back + (ZERO if known is None else known.back),
        )
    return (
        counted,
        in_transit,
        *(LogisticsCost(units=u, known=k, to_buyer=t, back=b) for u, k, t, b in lost.values()),
        revenue,
    )  # fmt: skip


class TestLogisticsChangeNoOtherFigure:
    @given(scenario=scenarios())
    def test_on_records(self, scenario: Scenario) -> None:
        """
        Rates, outcomes, ransom amounts and buyer reports are the same with logistics as
        without them.
        """
        rec = scenario.records
        with_them = rec.history()
        without = History(orders=rec.orders, sales=rec.sales, returns=rec.returns)
        assert with_them.logistics or not rec.logistics
        period, today, tz = scenario.period, scenario.today, scenario.tz
        for figure in (
            lambda h: redemption_rate(h, period, today=today, tz=tz),
            lambda h: redemption_rates(h, period, today=today, tz=tz, by="sku"),
            lambda h: outcome_counts(h, period, today=today, tz=tz, by="seller"),
            lambda h: refusal_breakdown(h, period, today=today, tz=tz, by="buyer"),
            lambda h: ransom_amounts(h, today=today, tz=tz),
            lambda h: buyer_reports(h, today=today, tz=tz),
        ):
            assert figure(with_them) == figure(without)
        assert with_them.lines == without.lines

    @pytest.mark.parametrize("backend", ["polars", "pandas"])
    def test_on_frames(self, backend: Literal["polars", "pandas"]) -> None:
        """
        The frames' rates, ransom amounts and buyer reports are the same whether the lines
        carry the cost columns or not.
        """
        pytest.importorskip(
            "narwhals", reason="narwhals is not installed: needs redemption[frames]"
        )
        pytest.importorskip(backend, reason=f"{backend} is not installed")
        from redemption import frames  # noqa: PLC0415 - only with the extra
        from tests.engines import rows_of  # noqa: PLC0415 - it needs the engines

        @settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(scenario=matched_scenarios())
        def check(scenario: Scenario) -> None:
            history = scenario.records.history()
            lines = frames.to_lines(history, backend=backend)
            bare = lines.drop(columns=["delivery_cost", "return_cost"]) if backend == "pandas" \
                else lines.drop("delivery_cost", "return_cost")  # fmt: skip
            period, today, tz = scenario.period, scenario.today, scenario.tz
            figures: tuple[Callable[[Any], Any], ...] = (
                lambda f: frames.redemption_rates(f, period=period, today=today, tz=tz),
                lambda f: frames.ransom_amounts(f, today=today, tz=tz),
                lambda f: frames.buyer_reports(f, today=today, tz=tz),
            )
            for figure in figures:
                assert _sorted(rows_of(figure(lines))) == _sorted(rows_of(figure(bare)))

        check()


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: sorted((k, str(v)) for k, v in row.items()))
