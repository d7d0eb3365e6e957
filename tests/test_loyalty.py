from __future__ import annotations

from collections.abc import Hashable
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from fractions import Fraction
from typing import cast

import attrs
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from redemption import (
    MOSCOW,
    ArgumentTypeError,
    BeyondHorizonWarning,
    CancelKind,
    History,
    InvalidArgumentError,
    InvalidPeriodError,
    Order,
    Return,
    ReturnKind,
    Sale,
    redemption_rate,
)
from redemption.errors import ProgrammeError
from redemption.loyalty import (
    BUILT_IN_INDICATORS,
    UNREACHABLE,
    Direction,
    Evaluation,
    Indicator,
    Level,
    LevelResult,
    Measured,
    Month,
    Programme,
    Value,
    loyalty_level,
    loyalty_timeline,
    month_indicators,
    preset,
)
from redemption.loyalty._indicators import _BUILT_IN_VALUES
from redemption.loyalty._level import sales_needed
from tests.builders import an_order, msk
from tests.oracle import Counts, oracle_rates
from tests.strategies import ANCHORS, SPAN_DAYS, records, zones
from tests.test_loyalty_programme import wb_2024, wb_2025

# -- histories -------------------------------------------------------------------------------


def outcomes(month: Month, plan: str, *, price: int = 100, prefix: str = "") -> History:
    """Orders of `month`, one a letter of `plan`, placed on days 1, 2, 3... of the month.

    Each order ends as its letter says:

    ``s`` sold and kept, ``r`` sold and returned, ``h`` sold and refused at handover,
    ``S`` cancelled by the seller, ``R`` refused, ``N`` not collected, ``B`` cancelled by
    the buyer, ``o`` still open. Sales come 2 days after the order, returns 3 days after the
    sale, cancellations 1 day after the order; all at noon, Moscow time.
    """
    kinds = {"S": CancelKind.SELLER, "R": CancelKind.REFUSED, "N": CancelKind.NOT_COLLECTED}
    kinds["B"] = CancelKind.BUYER
    orders: list[Order] = []
    sales: list[Sale] = []
    returns: list[Return] = []
    for i, code in enumerate(plan):
        order_id = f"{prefix}{month}-{i}"
        at = msk(f"{month.first + timedelta(days=i)} 12:00")
        order = an_order(order_id, at, price=price)
        if code in kinds:
            order = attrs.evolve(
                order, cancelled_at=at + timedelta(days=1), cancel_kind=kinds[code]
            )
        orders.append(order)
        if code in "srh":
            sales.append(Sale(order_id=order_id, sold_at=at + timedelta(days=2)))
        if code in "rh":
            kind = ReturnKind.RETURN if code == "r" else ReturnKind.REFUSED_AT_HANDOVER
            returns.append(Return(order_id=order_id, returned_at=at + timedelta(days=5), kind=kind))
    return History(orders=orders, sales=sales, returns=returns)


def joined(*histories: History) -> History:
    """One history of the records of several."""
    return History(
        orders=[o for h in histories for o in h.orders],
        sales=[s for h in histories for s in h.sales],
        returns=[r for h in histories for r in h.returns],
    )


MAY = Month(2025, 5)
# May 2025, ten orders settled by July: 7 sold (one returned), 3 cancelled before handover
# (one by the seller, two by the buyer); plus one order still open, left out of every figure.
MAY_PLAN = "sssssrSBBs" + "o"

Values = dict[str, Value | None]

ALL_MET_2024: Values = {
    "redemption_rate": Fraction(90),
    "cancellation_share": Fraction(5),
    "seller_cancellation_share": Fraction(0),
    "refusal_share": Fraction(5),
    "return_share": Fraction(5),
    "orders": 30,
    "units_sold": 27,
    "revenue": Decimal("3000.00"),
}
"""Values that meet every target of `wb_2024()`."""


def level_index(result: LevelResult, programme: Programme) -> int:
    """The position of the level reached, -1 below the first."""
    return -1 if result.level is None else programme.levels.index(result.level)


class TestMonthIndicators:
    def test_the_built_in_indicators_of_a_month_worked_by_hand(self) -> None:
        """
        May 2025: 10 orders counted (the open one left out): 7 sold, 1 of them returned;
        3 cancelled before handover, 1 of them by the seller.
        """
        figures = month_indicators(outcomes(MAY, MAY_PLAN), MAY, today=date(2025, 7, 15))
        assert figures.values == {
            "redemption_rate": Fraction(70),
            "cancellation_share": Fraction(30),
            "seller_cancellation_share": Fraction(10),
            "refusal_share": Fraction(0),
            "return_share": Fraction(10),
            "orders": 10,
            "units_sold": 7,
            "revenue": Decimal("700.00"),
        }
        assert figures.report.in_transit == 1
        assert figures.complete

    def test_refusals_count_not_collected_orders_and_refusals_at_handover(self) -> None:
        """
        Refused, not collected and refused at handover are refusals; other returns are
        returns; buyer and seller cancellations are cancellations, and never refusals: one
        refusal counts against one target, not two.
        """
        figures = month_indicators(outcomes(MAY, "RNhrBSss"), MAY, today=date(2025, 7, 1))
        assert figures.values["refusal_share"] == Fraction(300, 8)
        assert figures.values["return_share"] == Fraction(100, 8)
        assert figures.values["cancellation_share"] == Fraction(200, 8)
        assert figures.values["seller_cancellation_share"] == Fraction(100, 8)
        # a refusal at handover is a sale that came back: it counts in the redemption rate
        assert figures.values["redemption_rate"] == Fraction(400, 8)

    def test_revenue_is_the_prices_of_the_counted_sales(self) -> None:
        """
        Revenue adds up the prices of the sales the redemption rate counts, in roubles.
        """
        history = joined(
            outcomes(MAY, "ss", price=1250), outcomes(MAY, "srB", price=99, prefix="b")
        )
        figures = month_indicators(history, MAY, today=date(2025, 7, 1))
        assert figures.values["revenue"] == Decimal("2698.00")
        assert isinstance(figures.values["revenue"], Decimal)

    def test_a_month_without_a_counted_order_has_no_shares(self) -> None:
        """
        No order counted: shares are unknown (None), counts are 0, revenue is 0.00.
        """
        figures = month_indicators(outcomes(MAY, "oo"), MAY, today=date(2025, 6, 10))
        for key in ("redemption_rate", "cancellation_share", "refusal_share", "return_share"):
            assert figures.values[key] is None
        assert figures.values["orders"] == 0
        assert figures.values["revenue"] == Decimal("0.00")

    def test_the_redemption_rate_is_that_of_the_month_as_a_period(self) -> None:
        """
        The indicator is redemption_rate over the month, times 100, as of the same today.
        """
        history = outcomes(MAY, MAY_PLAN)
        for today in (date(2025, 5, 20), date(2025, 6, 3), date(2025, 8, 1)):
            report = redemption_rate(history, MAY.until(today), today=today)
            figures = month_indicators(history, MAY, today=today)
            assert report.rate is not None
            assert figures.values["redemption_rate"] == report.rate * 100

    def test_february_counts_the_orders_of_its_30_day_window(self) -> None:
        """
        February is shorter than 30 days: its orders window reaches back to 30 January
        (seed 003), so an order of 30 January counts and one of 29 January does not.
        """
        history = joined(
            outcomes(Month(2025, 1), "s" * 31),  # 1 to 31 January, all sold
            outcomes(Month(2025, 2), "BB", prefix="f"),
        )
        figures = month_indicators(history, Month(2025, 2), today=date(2025, 4, 1))
        assert figures.values["orders"] == 4  # 30 and 31 January, 1 and 2 February
        assert figures.values["redemption_rate"] == 50

    def test_today_s_month_is_measured_up_to_today(self) -> None:
        """
        The month under way is measured from its first day to today.
        """
        history = outcomes(MAY, "ssB" + "s" * 20)
        figures = month_indicators(history, MAY, today=date(2025, 5, 4))
        # orders of 1-4 May; those of 3 and 4 May are not sold yet, one is cancelled
        assert figures.values["orders"] == 3
        assert figures.values["units_sold"] == 2
        assert figures.report.window.orders.last == date(2025, 5, 4)

    def test_a_month_after_today_s_month_is_refused(self) -> None:
        """
        A month that has not begun has no figures, as a period that ends after today.
        """
        with pytest.raises(InvalidPeriodError, match=r"month 2025-06 is after today 2025-05-31"):
            month_indicators(History(), Month(2025, 6), today=date(2025, 5, 31))

    def test_a_datetime_for_today_is_refused(self) -> None:
        """
        Today is a day: a datetime is a type error.
        """
        with pytest.raises(ArgumentTypeError):
            month_indicators(History(), MAY, today=datetime(2025, 6, 1, tzinfo=MOSCOW))

    def test_the_user_s_indicator_functions_see_the_month_and_today(self) -> None:
        """
        A user function is called with the history, the month, today and the zone.
        """
        seen: list[tuple[Month, date, tzinfo]] = []

        def skus(history: History, month: Month, today: date, tz: tzinfo) -> int:
            seen.append((month, today, tz))
            return len({order.sku for order in history.orders})

        figures = month_indicators(
            outcomes(MAY, "ss"), MAY, today=date(2025, 6, 1), indicators={"skus": skus}
        )
        assert figures.values["skus"] == 1
        assert seen == [(MAY, date(2025, 6, 1), MOSCOW)]

    def test_a_function_giving_a_float_is_refused(self) -> None:
        """
        An indicator's value is exact: a float is a type error naming the indicator.
        """
        with pytest.raises(ArgumentTypeError, match=r"'speed'.*float"):
            month_indicators(
                History(),
                MAY,
                today=date(2025, 6, 1),
                indicators={"speed": lambda *_: 0.5},  # type: ignore[dict-item]
            )

    def test_measured_values_are_kept_exactly(self) -> None:
        """
        Measured numbers are Decimal, int or decimal text; text becomes a Decimal.
        """
        figures = month_indicators(
            History(), MAY, today=date(2025, 6, 1), measured={"rating": "4.8", "hours": 3}
        )
        assert figures.values["rating"] == Decimal("4.8")
        assert figures.values["hours"] == 3

    @pytest.mark.parametrize(
        ("measured", "error"),
        [
            ({"rating": 4.8}, ArgumentTypeError),
            ({"rating": True}, ArgumentTypeError),
            ({"rating": "high"}, InvalidArgumentError),
            ({"rating": Decimal("Infinity")}, InvalidArgumentError),
            ({"orders": 5}, InvalidArgumentError),
        ],
    )
    def test_measured_values_that_are_not_exact_numbers_are_refused(
        self, measured: dict[str, object], error: type[Exception]
    ) -> None:
        """
        A float, a bool, text that is no number, an infinity, or a built-in key.
        """
        with pytest.raises(error):
            month_indicators(History(), MAY, today=date(2025, 6, 1), measured=measured)  # type: ignore[arg-type]

    def test_one_key_cannot_be_a_function_and_measured(self) -> None:
        """
        A value given both ways is ambiguous.
        """
        with pytest.raises(InvalidArgumentError, match=r"rating"):
            month_indicators(
                History(),
                MAY,
                today=date(2025, 6, 1),
                measured={"rating": 5},
                indicators={"rating": lambda *_: 4},
            )

    def test_every_built_in_indicator_is_computed(self) -> None:
        """
        The registry computes exactly the indicators BUILT_IN_INDICATORS defines.
        """
        assert list(_BUILT_IN_VALUES) == list(BUILT_IN_INDICATORS)

    @given(data=st.data())
    def test_the_built_in_indicators_agree_with_a_day_by_day_oracle(
        self, data: st.DataObject
    ) -> None:
        """
        Every built-in indicator equals what the brute-force oracle counts for the month's
        orders, grouped by how each ended, and the redemption rate is redemption_rate's.
        """
        anchor = data.draw(st.sampled_from(ANCHORS))
        tz = data.draw(zones)
        drawn = data.draw(records(anchor, tz))
        month = Month.of(anchor + timedelta(days=data.draw(st.integers(0, SPAN_DAYS))))
        today = month.first + timedelta(days=data.draw(st.integers(0, 100)))
        history = drawn.history()
        figures = month_indicators(history, month, today=today, tz=tz)

        kinds = {back.order_id: back.kind for back in drawn.returns}

        def key(order: Order) -> Hashable:
            return order.cancel_kind, kinds.get(order.order_id), order.price

        counted, _ = oracle_rates(
            history.orders, drawn.sales, drawn.returns, month.until(today), today, tz, key
        )
        groups = cast("dict[tuple[CancelKind | None, ReturnKind | None, Decimal], Counts]", counted)
        orders = sum(g[0] for g in groups.values())
        sales = sum(g[1] for g in groups.values())

        def share(part: int) -> Fraction | None:
            return Fraction(100 * part, orders) if orders else None

        refusals = (CancelKind.REFUSED, CancelKind.NOT_COLLECTED)
        expected: dict[str, Value | None] = {
            "redemption_rate": share(sales),
            "cancellation_share": share(
                sum(g[0] for (c, _, _), g in groups.items() if c and c not in refusals)
            ),
            "seller_cancellation_share": share(
                sum(g[0] for (c, _, _), g in groups.items() if c is CancelKind.SELLER)
            ),
            "refusal_share": share(
                sum(g[0] for (c, _, _), g in groups.items() if c in refusals)
                + sum(
                    g[2]
                    for (c, r, _), g in groups.items()
                    if c is None and r is ReturnKind.REFUSED_AT_HANDOVER
                )
            ),
            "return_share": share(
                sum(
                    g[2]
                    for (c, r, _), g in groups.items()
                    if c is None and r not in (None, ReturnKind.REFUSED_AT_HANDOVER)
                )
            ),
            "orders": orders,
            "units_sold": sales,
            "revenue": sum((p * g[1] for (_, _, p), g in groups.items()), Decimal("0.00")),
        }
        assert figures.values == expected
        report = redemption_rate(history, month.until(today), today=today, tz=tz)
        assert figures.values["redemption_rate"] == (
            None if report.rate is None else report.rate * 100
        )

    @given(data=st.data())
    def test_the_indicators_of_a_month_are_the_same_on_the_history_cut_at_today(
        self, data: st.DataObject
    ) -> None:
        """
        Time travel: events after today change no indicator of any month.
        """
        anchor = data.draw(st.sampled_from(ANCHORS))
        tz = data.draw(zones)
        history = data.draw(records(anchor, tz)).history()
        month = Month.of(anchor + timedelta(days=data.draw(st.integers(0, SPAN_DAYS))))
        today = month.first + timedelta(days=data.draw(st.integers(0, 100)))
        full = month_indicators(history, month, today=today, tz=tz)
        cut = month_indicators(history.cut(today, tz=tz), month, today=today, tz=tz)
        assert full.values == cut.values


class TestLoyaltyLevel:
    def test_six_of_eight_met_holds_the_level(self) -> None:
        """
        Gold's targets met on exactly 6 of the 8 indicators: the 2024 programme grants gold.
        """
        values: Values = ALL_MET_2024 | {"redemption_rate": Fraction(75), "cancellation_share": 15}
        result = loyalty_level(values, wb_2024())
        assert sum(check.met for check in result.checks) == 6
        assert result.level == wb_2024().level("gold")
        assert result.status == "gold"
        assert result.next_level is None
        assert result.missing == ()
        assert result.still_needed == 0

    def test_five_of_eight_met_does_not(self) -> None:
        """
        One more target missed, 5 of 8: gold is not reached; silver is, and the result says
        what gold lacks.
        """
        values = ALL_MET_2024 | {
            "redemption_rate": Fraction(75),
            "cancellation_share": 15,
            "revenue": Decimal("2000.49"),
        }
        result = loyalty_level(values, wb_2024())
        assert result.level == wb_2024().level("silver")
        assert result.next_level == wb_2024().level("gold")
        assert sum(check.met for check in result.next_checks) == 5
        assert result.still_needed == 1
        assert [gap.key for gap in result.missing] == [
            "redemption_rate",
            "cancellation_share",
            "revenue",
        ]

    def test_each_gap_is_measured_in_its_indicator_s_unit(self) -> None:
        """
        Percentage points, exact, for shares (which way is short depends on the
        direction); whole orders for counts; roubles for revenue.
        """
        values = ALL_MET_2024 | {
            "redemption_rate": Fraction(200, 3),  # 66.67% against gold's 80
            "cancellation_share": Fraction(45, 2),  # 22.5% against gold's 10
            "orders": 12,  # against 20
            "units_sold": 8,  # 8 of 12 sold is 66.67%
            "revenue": Decimal("1999.99"),  # against 2000.50
        }
        result = loyalty_level(values, wb_2024())
        assert result.level == wb_2024().level("silver")  # 6 of 8 met; gold 3 of 8
        gold = {gap.key: gap.by for gap in result.missing}
        assert gold == {
            "redemption_rate": Fraction(40, 3),
            "cancellation_share": Fraction(25, 2),
            "orders": 8,
            "units_sold": 7,
            "revenue": Decimal("0.51"),
        }
        assert type(gold["orders"]) is int
        assert type(gold["revenue"]) is Decimal

    def test_a_count_falls_short_by_whole_units(self) -> None:
        """
        8 orders against a target of 10.5 are 3 orders short: 10 would still fall short.
        """
        programme = Programme(
            name="p",
            effective=date(2025, 1, 1),
            evaluation=Evaluation(published_by_day=4),
            indicators=[BUILT_IN_INDICATORS["orders"]],
            levels=[Level(key="only", required=1, targets={"orders": "10.5"})],
        )
        [gap] = loyalty_level({"orders": 8}, programme).missing
        assert (gap.by, type(gap.by)) == (3, int)

    def test_sales_needed_for_the_redemption_rate(self) -> None:
        """
        12 orders, 8 sold (66.67%) against 80%: 9.6 sales reach it, so 2 more sales.
        """
        values = ALL_MET_2024 | {
            "redemption_rate": Fraction(200, 3),
            "orders": 12,
            "units_sold": 8,
        }
        [gap] = [g for g in loyalty_level(values, wb_2024()).missing if g.key == "redemption_rate"]
        assert gap.sales_needed == 2
        assert Fraction(8 + 2, 12) * 100 >= 80 > Fraction(8 + 1, 12) * 100

    def test_sales_needed_is_only_given_when_the_counts_agree_with_the_rate(self) -> None:
        """
        A rate given without its orders and sales (or against them) has no sales needed.
        """
        values = {k: v for k, v in ALL_MET_2024.items() if k != "units_sold"}
        values |= {"redemption_rate": Fraction(50), "revenue": Decimal(0)}
        result = loyalty_level(values, wb_2024())
        assert result.next_level == wb_2024().level("bronze")
        [gap] = [g for g in result.missing if g.key == "redemption_rate"]
        assert (gap.by, gap.sales_needed) == (10, None)
        against = loyalty_level(values | {"units_sold": 2}, wb_2024())  # 2 of 30 is not 50%
        [gap] = [g for g in against.missing if g.key == "redemption_rate"]
        assert (gap.by, gap.sales_needed) == (10, None)
        agreeing = loyalty_level(values | {"orders": 4, "units_sold": 2}, wb_2024())  # 2 of 4
        assert agreeing.next_level == wb_2024().level("bronze")
        [gap] = [g for g in agreeing.missing if g.key == "redemption_rate"]
        assert (gap.by, gap.sales_needed) == (10, 1)  # 3 of 4 is 75% >= 60%

    def test_a_target_above_every_sale_is_unreachable(self) -> None:
        """
        Only more than every counted order sold could reach a target above 100%.
        """
        assert sales_needed(Decimal("100.01"), orders=10, sales=3) == UNREACHABLE
        assert sales_needed(Decimal(100), orders=10, sales=3) == 7
        assert sales_needed(Decimal(30), orders=10, sales=3) == 0

    @given(
        orders=st.integers(1, 10_000),
        sold=st.integers(0, 10_000),
        target=st.decimals(min_value=0, max_value=110, places=2),
    )
    @example(orders=3, sold=1, target=Decimal("66.67"))
    @example(orders=3, sold=1, target=Decimal("66.66"))
    def test_sales_needed_is_the_fewest_that_reach_the_target(
        self, orders: int, sold: int, target: Decimal
    ) -> None:
        """
        The smallest s with (sales + s) / orders >= target, or unreachable when s would
        be more than the orders not sold.
        """
        sales = min(sold, orders)
        needed = sales_needed(target, orders, sales)
        exact = Fraction(target)
        if needed == UNREACHABLE:
            assert Fraction(orders * 100, orders) < exact
            return
        assert isinstance(needed, int)
        assert 0 <= needed <= orders - sales
        assert Fraction((sales + needed) * 100, orders) >= exact
        if needed:
            assert Fraction((sales + needed - 1) * 100, orders) < exact

    def test_an_unknown_value_is_not_met_and_named(self) -> None:
        """
        A value missing, or None, is unknown: its targets are not met.
        """
        values: Values = dict(ALL_MET_2024)
        del values["revenue"]
        values["return_share"] = None
        result = loyalty_level(values, wb_2024())
        assert result.unknown == ("return_share", "revenue")
        assert result.level == wb_2024().level("gold")  # 6 of 8 still met
        check = {c.key: c for c in result.checks}["revenue"]
        assert (check.met, check.unknown, check.value) == (False, True, None)

    def test_below_the_first_level(self) -> None:
        """
        No level holds: the level is None, with nothing checked, and the first is next.
        """
        result = loyalty_level(dict.fromkeys(ALL_MET_2024), wb_2024())
        assert result.level is None
        assert result.checks == ()
        assert result.next_level == wb_2024().level("initial")
        assert result.still_needed == 6
        assert len(result.missing) == 8
        assert all(gap.by is None for gap in result.missing)
        assert result.status == "below initial"

    def test_platinum_is_eligible_on_request_not_granted(self) -> None:
        """
        Platinum's conditions met: the seller is eligible for it on request; gold is
        what is granted.
        """
        values: Values = {
            "redemption_rate": Fraction(90),
            "rating": Decimal("4.9"),
            "answer_hours": 2,
            "refusal_share": Fraction(5),
        }
        result = loyalty_level(values, wb_2025(), month="2025-12")
        assert result.level == wb_2025().level("platinum")
        assert result.on_request
        assert result.granted == wb_2025().level("gold")
        assert result.status == "platinum: eligible, on request"
        below = loyalty_level(values | {"answer_hours": 7}, wb_2025(), month="2025-12")
        assert (below.status, below.on_request, below.granted) == ("gold", False, below.level)

    def test_the_month_s_own_targets_are_used(self) -> None:
        """
        January 2026 asks 85.5% for platinum: 85% reaches it in December, not in January.
        """
        values: Values = {
            "redemption_rate": Fraction(85),
            "rating": Decimal("4.9"),
            "answer_hours": 2,
            "refusal_share": Fraction(5),
        }
        assert loyalty_level(values, wb_2025(), month=Month(2025, 12)).on_request
        january = loyalty_level(values, wb_2025(), month=Month(2026, 1))
        assert january.level == wb_2025().level("gold")
        [gap] = january.missing
        assert (gap.key, gap.target, gap.by) == ("redemption_rate", Decimal("85.5"), Fraction(1, 2))

    def test_a_programme_chosen_for_an_earlier_month_judges_it_by_its_general_targets(
        self,
    ) -> None:
        """
        The caller may judge November 2025 by the December 2025 programme: its targets for
        all months apply, as for a month without targets of its own.
        """
        values = {key: Decimal(90) for key in ("redemption_rate", "rating")}
        november = loyalty_level(values, wb_2025(), month="2025-11")
        assert november.programme == "wb-2025-12"
        assert november.checks == loyalty_level(values, wb_2025()).checks

    def test_the_month_of_the_indicators_is_the_month_judged(self) -> None:
        """
        Another month given with a month's indicators is refused.
        """
        figures = month_indicators(History(), MAY, today=date(2025, 6, 1))
        with pytest.raises(InvalidArgumentError):
            loyalty_level(figures, wb_2024(), month="2025-06")
        assert loyalty_level(figures, wb_2024()).month == MAY

    def test_a_float_value_is_refused(self) -> None:
        """
        Comparisons are exact: a float is a type error.
        """
        with pytest.raises(ArgumentTypeError, match=r"redemption_rate"):
            loyalty_level({"redemption_rate": 90.0}, wb_2024())  # type: ignore[dict-item]

    def test_the_repr_names_the_levels_by_key(self) -> None:
        """
        The result's repr shows levels by key, not in full.
        """
        shown = repr(loyalty_level(ALL_MET_2024, wb_2024()))
        assert "level='gold'" in shown
        assert "next_level=None" in shown
        assert "rewards" not in shown

    @given(data=st.data())
    def test_raising_one_indicator_never_lowers_the_level(self, data: st.DataObject) -> None:
        """
        An indicator moved in its good direction (or made known) never lowers the level
        reached, nor the level granted.
        """
        programme, values = data.draw(programmes_with_values())
        indicator = data.draw(st.sampled_from(programme.indicators))
        before = values[indicator.key]
        step = data.draw(st.integers(0, 50))
        if before is None:
            after: Value = data.draw(values_of(indicator))
        elif indicator.direction is Direction.AT_LEAST:
            after = before + step
        else:
            after = before - step
        first = loyalty_level(values, programme)
        second = loyalty_level(values | {indicator.key: after}, programme)
        assert level_index(second, programme) >= level_index(first, programme)
        granted = [None, *programme.levels]
        assert granted.index(second.granted) >= granted.index(first.granted)


POOL = (
    BUILT_IN_INDICATORS["redemption_rate"],
    BUILT_IN_INDICATORS["refusal_share"],
    BUILT_IN_INDICATORS["orders"],
    BUILT_IN_INDICATORS["revenue"],
    Indicator(key="rating", title="Rating", direction="at_least", unit="points"),
    Indicator(key="answer_hours", title="Answer time", direction="at_most", unit="hours"),
)


def values_of(indicator: Indicator) -> st.SearchStrategy[Value]:
    """Values of the indicator's kind: shares as Fractions, counts as ints, else Decimals."""
    if indicator.unit == "%":
        return st.fractions(min_value=0, max_value=100)
    if indicator.key == "orders":
        return st.integers(0, 120)
    return st.decimals(min_value=0, max_value=120, places=2)


@st.composite
def programmes_with_values(draw: st.DrawFn) -> tuple[Programme, dict[str, Value | None]]:
    """A programme of 1 to 4 levels over some indicators, its targets in order, and values."""
    indicators = draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=5, unique=True))
    n_levels = draw(st.integers(1, 4))
    targets: dict[str, list[int]] = {}
    for indicator in indicators:
        ascending = sorted(
            draw(st.lists(st.integers(0, 100), min_size=n_levels, max_size=n_levels))
        )
        targets[indicator.key] = (
            ascending if indicator.direction is Direction.AT_LEAST else ascending[::-1]
        )
    required = sorted(
        draw(st.lists(st.integers(1, len(indicators)), min_size=n_levels, max_size=n_levels))
    )
    levels = [
        Level(
            key=f"l{i}",
            required=required[i],
            on_request=i == n_levels - 1 and draw(st.booleans()),
            targets={key: targets[key][i] for key in targets},
        )
        for i in range(n_levels)
    ]
    programme = Programme(
        name="drawn",
        effective=date(2024, 1, 1),
        evaluation=Evaluation(published_by_day=4),
        indicators=indicators,
        levels=levels,
    )
    values = {i.key: draw(st.one_of(st.none(), values_of(i))) for i in indicators}
    return programme, values


class TestTimeline:
    def history(self) -> History:
        """May, June and November 2025 as MAY_PLAN; December 2025 all sold."""
        return joined(
            outcomes(MAY, MAY_PLAN),
            outcomes(Month(2025, 6), MAY_PLAN, prefix="j"),
            outcomes(Month(2025, 11), MAY_PLAN, prefix="n"),
            outcomes(Month(2025, 12), "s" * 10, prefix="d"),
        )

    def test_may_s_figures_bring_june_s_rewards_and_june_s_july_s(self) -> None:
        """
        Seed 001: "посчитали показатели за май" and June's figures give July's rewards.
        """
        may, june = loyalty_timeline(
            self.history(), wb_2024(), months="2025-05..2025-06", today=date(2025, 9, 1)
        )
        assert (may.month, may.rewards_month) == (MAY, Month(2025, 6))
        assert (june.month, june.rewards_month) == (Month(2025, 6), Month(2025, 7))
        assert may.result.status == "bronze"
        assert may.result.month == MAY

    def test_the_level_of_a_month_worked_by_hand(self) -> None:
        """
        May: 70% sold, 30% cancelled, 10% by the seller, 700 roubles: bronze (7 of 8);
        silver lacks the cancellation share, the seller's and revenue (5 of 8).
        """
        [may] = loyalty_timeline(self.history(), wb_2024(), months=[MAY], today=date(2025, 7, 1))
        assert sum(check.met for check in may.result.checks) == 7
        assert may.result.next_level == wb_2024().level("silver")
        assert may.result.still_needed == 1
        assert {gap.key: gap.by for gap in may.result.missing} == {
            "cancellation_share": Fraction(10),
            "seller_cancellation_share": Fraction(7),
            "revenue": Decimal("300.00"),
        }

    @pytest.mark.parametrize(
        ("today", "published"),
        [(date(2025, 6, 3), False), (date(2025, 6, 4), True), (date(2025, 6, 5), True)],
    )
    def test_may_is_published_on_the_4th_of_june_not_the_3rd(
        self, today: date, *, published: bool
    ) -> None:
        """
        "до 4 числа месяца": on the 4th the month is published, on the 3rd it is not; in
        either case May's orders can still be sold, so it is a forecast.
        """
        [may] = loyalty_timeline(self.history(), wb_2024(), months=[MAY], today=today)
        assert may.published_on == date(2025, 6, 4)
        assert may.published is published
        assert not may.final
        assert may.forecast

    @pytest.mark.parametrize(
        ("today", "final"), [(date(2025, 6, 29), False), (date(2025, 6, 30), True)]
    )
    def test_a_month_is_final_once_its_redemption_window_has_closed(
        self, today: date, *, final: bool
    ) -> None:
        """
        May's sales window closes 30 days after 31 May, on 30 June: from then its figures
        no longer move, and, published since the 4th, it is final.
        """
        [may] = loyalty_timeline(self.history(), wb_2024(), months=[MAY], today=today)
        assert may.published
        assert may.final is final
        assert may.forecast is not final

    def test_a_month_whose_data_stops_short_is_not_final(self) -> None:
        """
        A history whose horizon is before the end of the sales window is not final, even
        long after: later events may be missing.
        """
        records = outcomes(MAY, MAY_PLAN)
        history = History(
            orders=records.orders,
            sales=records.sales,
            returns=records.returns,
            horizon=msk("2025-06-20 00:00"),
        )
        with pytest.warns(BeyondHorizonWarning):
            [may] = loyalty_timeline(history, wb_2024(), months=[MAY], today=date(2025, 8, 1))
        assert may.published
        assert not may.final

    def test_the_programme_changes_on_1_december_2025(self) -> None:
        """
        November 2025 is judged by wb-2024, December 2025 by wb-2025-12, whatever the
        order the programmes are given in.
        """
        measured: dict[str, Measured] = {"2025-12": {"rating": "4.9", "answer_hours": 1}}
        for programmes in ([wb_2024(), wb_2025()], [wb_2025(), wb_2024()]):
            november, december = loyalty_timeline(
                self.history(),
                programmes,
                months=["2025-12", "2025-11"],
                today=date(2026, 2, 1),
                measured=measured,
            )
            assert (november.month, november.programme.name) == (Month(2025, 11), "wb-2024")
            assert (december.month, december.programme.name) == (Month(2025, 12), "wb-2025-12")
        assert november.result.status == "bronze"
        assert december.result.status == "platinum: eligible, on request"
        assert december.rewards_month == Month(2026, 1)
        assert december.published_on == date(2026, 1, 1)
        assert december.final

    def test_a_month_no_programme_covers_is_refused_naming_it(self) -> None:
        """
        February 2024 is before wb-2024 took effect (its pilot, March 2024), when several
        programmes are given; one programme given alone judges every month asked for.
        """
        with pytest.raises(ProgrammeError, match=r"no programme judges month 2024-02"):
            loyalty_timeline(
                History(), [wb_2024(), wb_2025()], months="2024-02..2024-03", today=date(2024, 8, 1)
            )
        (february,) = loyalty_timeline(
            History(), wb_2025(), months="2024-02", today=date(2024, 8, 1)
        )
        assert february.programme.name == "wb-2025-12"

    def test_a_month_after_today_s_month_is_refused(self) -> None:
        """
        July is refused as of 30 June; June itself is measured, a forecast.
        """
        with pytest.raises(InvalidPeriodError, match=r"2025-07"):
            loyalty_timeline(
                self.history(), wb_2024(), months="2025-06..2025-07", today=date(2025, 6, 30)
            )
        [june] = loyalty_timeline(
            self.history(), wb_2024(), months="2025-06", today=date(2025, 6, 30)
        )
        assert june.forecast
        assert not june.published

    def test_two_programmes_taking_effect_on_one_day_are_refused(self) -> None:
        """
        Which one judges a month would be ambiguous.
        """
        twin = attrs.evolve(wb_2024(), name="twin")
        with pytest.raises(ProgrammeError, match=r"both take effect 2024-03-01"):
            loyalty_timeline(History(), [wb_2024(), twin], months=[MAY], today=date(2025, 6, 1))

    def test_months_come_back_in_order_once(self) -> None:
        """
        Months given in any order, some twice, come back in calendar order, once each.
        """
        standings = loyalty_timeline(
            self.history(),
            wb_2024(),
            months=["2025-06", MAY, "2025-05"],
            today=date(2025, 8, 1),
        )
        assert [s.month for s in standings] == [MAY, Month(2025, 6)]

    def test_measured_values_reach_their_month_only(self) -> None:
        """
        A rating measured for December counts in December, not in January.
        """
        measured: dict[Month, Measured] = {
            Month(2025, 12): {"rating": Decimal("4.9"), "answer_hours": "1.5"}
        }
        december, january = loyalty_timeline(
            self.history(),
            wb_2025(),
            months="2025-12..2026-01",
            today=date(2026, 1, 20),
            measured=measured,
        )
        assert december.indicators.values["rating"] == Decimal("4.9")
        assert december.indicators.values["answer_hours"] == Decimal("1.5")
        assert "rating" not in january.indicators.values
        assert january.result.unknown == (
            "redemption_rate",
            "rating",
            "answer_hours",
            "refusal_share",
        )

    def test_a_preset_without_targets_refuses_the_timeline(self) -> None:
        """
        The timeline ranks each month, so a preset as shipped is refused, saying which.
        """
        with pytest.raises(ProgrammeError, match=r"no targets for levels initial"):
            loyalty_timeline(History(), preset("wb-2024"), months=[MAY], today=date(2025, 7, 1))

    @given(data=st.data())
    def test_rewards_never_fall_in_the_month_measured(self, data: st.DataObject) -> None:
        """
        Whatever the rule, the rewards month is after the month measured, and the
        publication day is in the next month.
        """
        month = data.draw(st.builds(Month, st.integers(1, 9990), st.integers(1, 12)))
        rule = Evaluation(
            published_by_day=data.draw(st.integers(1, 28)),
            rewards_after_months=data.draw(st.integers(1, 24)),
        )
        assert rule.rewards_month(month) > month
        assert Month.of(rule.published_on(month)) == month + 1

    @given(data=st.data())
    def test_a_timeline_s_standings_are_its_months_judged_one_by_one(
        self, data: st.DataObject
    ) -> None:
        """
        Each standing is loyalty_level of month_indicators for its month, its rewards
        come later, and a final month is complete and published.
        """
        tz = data.draw(zones)
        anchor = date(2025, 9, 1)
        history = data.draw(records(anchor, tz)).history()
        today = anchor + timedelta(days=data.draw(st.integers(0, SPAN_DAYS + 60)))
        first = Month.of(anchor + timedelta(days=data.draw(st.integers(0, SPAN_DAYS))))
        assume(first <= Month.of(today))
        wanted = [first + i for i in range(Month.of(today) - first + 1)]
        programmes = [wb_2024(), strict_2025()]
        standings = loyalty_timeline(history, programmes, months=wanted, today=today, tz=tz)
        assert [s.month for s in standings] == wanted
        for standing in standings:
            figures = month_indicators(history, standing.month, today=today, tz=tz)
            assert standing.indicators == figures
            assert standing.result == loyalty_level(figures, standing.programme)
            assert standing.rewards_month > standing.month
            assert standing.final == (figures.complete and today >= standing.published_on)
            assert standing.programme.name == (
                "wb-2025-12" if standing.month >= Month(2025, 12) else "wb-2024"
            )


def strict_2025() -> Programme:
    """wb-2025-12 judged on four built-in indicators, all four required."""
    levels = ("initial", "bronze", "silver", "gold", "platinum")
    return preset("wb-2025-12").with_targets(
        {
            "required": 4,
            "levels": {
                key: {
                    "targets": {
                        "redemption_rate": 50 + 10 * i,
                        "refusal_share": 30 - 5 * i,
                        "orders": 1,
                        "revenue": 10 * (i + 1),
                    }
                }
                for i, key in enumerate(levels)
            },
        }
    )
