from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from redemption import (
    MOSCOW,
    CancelledOrderSoldError,
    ConflictRule,
    DataError,
    DuplicateRecordError,
    EventOrderError,
    History,
    InvalidPriceError,
    Order,
    RecordTypeError,
    Return,
    ReturnWithoutSaleError,
    Sale,
)
from tests.strategies import ANCHORS, Records, Scenario, records, scenarios

AT = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
LATER = AT + timedelta(days=2)


def order(order_id: str = "1", *, cancelled_at: datetime | None = None) -> Order:
    """A plain order placed at AT."""
    return Order(
        order_id=order_id,
        seller_id="s",
        sku="k",
        price=100,
        ordered_at=AT,
        cancelled_at=cancelled_at,
    )


CONTRADICTIONS = pytest.mark.parametrize(
    ("records", "error", "message"),
    [
        ({"orders": [order("9"), order("9")]}, DuplicateRecordError, "two orders"),
        (
            {"orders": [order("9")], "sales": [Sale(order_id="9", sold_at=LATER)] * 2},
            DuplicateRecordError,
            "two sales",
        ),
        ({"sales": [Sale(order_id="9", sold_at=LATER)] * 2}, DuplicateRecordError, "two sales"),
        (
            {
                "orders": [order("9")],
                "sales": [Sale(order_id="9", sold_at=AT)],
                "returns": [Return(order_id="9", returned_at=LATER)] * 2,
            },
            DuplicateRecordError,
            "two returns",
        ),
        (
            {"returns": [Return(order_id="9", returned_at=LATER)] * 2},
            DuplicateRecordError,
            "two returns",
        ),
        (
            {"orders": [order("9")], "sales": [Sale(order_id="9", sold_at=AT - timedelta(1))]},
            EventOrderError,
            "sold 2025-03-31T09:00:00\\+00:00 before ordered",
        ),
        (
            {
                "orders": [order("9", cancelled_at=LATER)],
                "sales": [Sale(order_id="9", sold_at=LATER)],
            },
            CancelledOrderSoldError,
            "but cancelled",
        ),
        (
            {
                "orders": [order("9")],
                "sales": [Sale(order_id="9", sold_at=LATER)],
                "returns": [Return(order_id="9", returned_at=AT)],
            },
            EventOrderError,
            "returned .* before sold",
        ),
        (
            {
                "sales": [Sale(order_id="9", sold_at=LATER)],
                "returns": [Return(order_id="9", returned_at=AT)],
            },
            EventOrderError,
            "returned .* before sold",
        ),
        (
            {"orders": [order("9")], "returns": [Return(order_id="9", returned_at=LATER)]},
            ReturnWithoutSaleError,
            "never sold",
        ),
    ],
)


class TestContradictions:
    @CONTRADICTIONS
    def test_each_contradiction_is_a_data_error_naming_the_order(
        self, records: dict[str, list[object]], error: type[DataError], message: str
    ) -> None:
        """
        Contradictory records raise their own DataError, naming order 9.
        """
        with pytest.raises(error, match=f"^order 9: .*{message}") as caught:
            History(**records)  # type: ignore[arg-type]
        assert caught.value.order_id == "9"
        assert isinstance(caught.value, ValueError)

    @CONTRADICTIONS
    def test_sift_puts_aside_what_history_refuses_and_says_by_which_rule(
        self, records: dict[str, list[object]], error: type[DataError], message: str
    ) -> None:
        """
        Where History raises, sift puts one record aside, with the same error and words.
        """
        history, conflicts = History.sift(**records)  # type: ignore[arg-type]
        assert len(conflicts) == 1
        (conflict,) = conflicts
        assert type(conflict.error) is error
        assert re.match(f"^order 9: .*{message}", conflict.describe())
        assert conflict.order_id == "9"
        given = sum(len(records.get(kind, ())) for kind in ("orders", "sales", "returns"))
        kept = len(history.orders) + len(history.sales) + len(history.returns)
        if conflict.rule is ConflictRule.SOLD_BUT_CANCELLED:
            assert kept == given  # the order is kept, sold: the sale wins
            assert history.orders[0].cancelled_at is None
            assert history.lines.sold_at[0] is not None
        else:
            assert kept == given - 1

    def test_a_price_too_large_to_count_in_kopecks_is_a_data_error(self) -> None:
        """
        Prices are counted in 64-bit kopecks; a larger one is refused, naming the order.
        """
        huge = Order(order_id="9", seller_id="s", sku="k", price=10**17, ordered_at=AT)
        with pytest.raises(InvalidPriceError, match=r"order 9: price .* too large"):
            History(orders=[order("1"), huge])

    def test_records_of_subclasses_are_checked_like_their_kind(self) -> None:
        """
        A subclass of Sale is a sale: two of them for one order are a duplicate.
        """

        class ShopSale(Sale):
            pass

        sales = [ShopSale(order_id="9", sold_at=LATER), ShopSale(order_id="9", sold_at=LATER)]
        with pytest.raises(DuplicateRecordError, match="order 9: two sales of one order"):
            History(orders=[order("9")], sales=sales)

    def test_a_record_of_the_wrong_kind_is_a_type_error(self) -> None:
        """
        A sale given among the orders is refused, naming its place and order.
        """
        sale = Sale(order_id="3", sold_at=AT)
        with pytest.raises(RecordTypeError, match=r"orders\[1\] must be a Order, not Sale") as e:
            History(orders=[order("1"), sale])  # type: ignore[list-item]
        assert e.value.order_id == "3"


class TestIndex:
    def test_events_of_orders_not_given_are_kept_as_unmatched(self) -> None:
        """
        An export covers a range of dates: sales and returns of other orders are kept.
        """
        sales = [Sale(order_id="x", sold_at=LATER), Sale(order_id="y", sold_at=AT)]
        returns = [Return(order_id="x", returned_at=LATER), Return(order_id="z", returned_at=AT)]
        h = History(orders=[order("1")], sales=sales, returns=returns)
        assert [s.order_id for s in h.unmatched_sales] == ["y", "x"]  # sorted by time
        assert [r.order_id for r in h.unmatched_returns] == ["z", "x"]
        assert h.sales == tuple(sales)
        assert h.returns == tuple(returns)
        assert h.lines.sold_at == (None,)
        assert h.lines.kopecks.tolist() == [10000]
        assert h.lines.kopecks.readonly

    @given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1))
    def test_lines_put_each_sale_and_return_beside_its_order(
        self, scenario: Scenario, seed: int
    ) -> None:
        """
        Whatever the order of the records, each line holds its order's sale and return.
        """
        rec = scenario.records
        rng = random.Random(seed)
        h = History(
            orders=rng.sample(rec.orders, len(rec.orders)),
            sales=rng.sample(rec.sales, len(rec.sales)),
            returns=rng.sample(rec.returns, len(rec.returns)),
        )
        sold = {s.order_id: s.sold_at for s in rec.sales}
        returned = {r.order_id: r.returned_at for r in rec.returns}
        lines = h.lines
        assert sorted(o.order_id for o in lines.orders) == sorted(o.order_id for o in rec.orders)
        assert [o.ordered_at for o in lines.orders] == sorted(o.ordered_at for o in rec.orders)
        for o, s, r, k in zip(
            lines.orders, lines.sold_at, lines.returned_at, lines.kopecks, strict=True
        ):
            assert s == sold.get(o.order_id)
            assert r == returned.get(o.order_id)
            assert Decimal(k) / 100 == o.price
        given_ids = {o.order_id for o in rec.orders}
        assert len(h.unmatched_sales) == sum(s.order_id not in given_ids for s in rec.sales)
        assert len(h.unmatched_returns) == sum(r.order_id not in given_ids for r in rec.returns)


class TestCut:
    def test_a_cut_forgets_what_happened_after_the_day(self) -> None:
        """
        Later orders, sales and returns go; a later cancellation is not yet known.
        """
        day = date(2025, 4, 2)
        end = datetime(2025, 4, 3, tzinfo=MOSCOW)
        h = History(
            orders=[
                order("kept", cancelled_at=end - timedelta(microseconds=1)),
                order("reopened", cancelled_at=end),
                order("sold"),
                Order(order_id="late", seller_id="s", sku="k", price=1, ordered_at=end),
            ],
            sales=[Sale(order_id="sold", sold_at=AT), Sale(order_id="x", sold_at=end)],
            returns=[Return(order_id="sold", returned_at=end)],
        )
        cut = h.cut(day)
        by_id = {o.order_id: o for o in cut.orders}
        assert sorted(by_id) == ["kept", "reopened", "sold"]
        assert by_id["kept"].cancelled
        assert not by_id["reopened"].cancelled
        assert [s.order_id for s in cut.sales] == ["sold"]
        assert cut.returns == ()
        assert repr(cut) == (
            "History(orders=3, sales=1, returns=0, unmatched_sales=0, unmatched_returns=0)"
        )

    @given(scenario=scenarios())
    def test_a_cut_keeps_exactly_the_records_known_by_the_end_of_the_day(
        self, scenario: Scenario
    ) -> None:
        """
        Against a filter by calendar day: the cut keeps the same records.
        """
        rec, tz, today = scenario.records, scenario.tz, scenario.today

        def known(instant: datetime) -> bool:
            return instant.astimezone(tz).date() <= today

        cut = rec.history().cut(today, tz=tz)
        expected = Records(
            tuple(o for o in rec.orders if known(o.ordered_at)),
            tuple(s for s in rec.sales if known(s.sold_at)),
            tuple(r for r in rec.returns if known(r.returned_at)),
        )
        assert {o.order_id for o in cut.orders} == {o.order_id for o in expected.orders}
        assert set(cut.sales) == set(expected.sales)
        assert set(cut.returns) == set(expected.returns)
        for o in cut.orders:
            assert o.cancelled == (o.cancelled_at is not None and known(o.cancelled_at))


@st.composite
def messy_records(draw: st.DrawFn) -> Records:
    """Consistent records with contradictions added: repeats, impossible orders of events."""
    clean = draw(records(draw(st.sampled_from(ANCHORS)), MOSCOW, max_orders=12))
    orders, sales, returns = list(clean.orders), list(clean.sales), list(clean.returns)
    day = timedelta(days=1)
    for _ in range(draw(st.integers(0, 6))):
        mess = draw(st.sampled_from(["order", "sale", "return", "early", "unsold", "cancel"]))
        if mess == "order" and orders:
            orders.append(attrs.evolve(draw(st.sampled_from(orders)), sku="again"))
        elif mess == "sale" and sales:
            first = draw(st.sampled_from(sales))
            sales.append(attrs.evolve(first, sold_at=first.sold_at + day))
        elif mess == "return" and returns:
            first_return = draw(st.sampled_from(returns))
            returns.append(attrs.evolve(first_return, returned_at=first_return.returned_at + day))
        elif mess == "early" and orders:
            target = draw(st.sampled_from(orders))
            sales.append(Sale(order_id=target.order_id, sold_at=target.ordered_at - day))
        elif mess == "unsold" and orders:
            target = draw(st.sampled_from(orders))
            returns.append(Return(order_id=target.order_id, returned_at=target.ordered_at + day))
        elif mess == "cancel" and orders:
            i = draw(st.integers(0, len(orders) - 1))
            orders[i] = attrs.evolve(orders[i], cancelled_at=orders[i].ordered_at + day)
    order = draw(st.permutations(orders))
    return Records(tuple(order), tuple(draw(st.permutations(sales))), tuple(returns))


class TestSift:
    @given(messy_records())
    def test_sift_keeps_a_consistent_history_and_accounts_for_every_record(
        self, given_records: Records
    ) -> None:
        """
        The history sift keeps is one History accepts; every record given is in it or
        among the conflicts; History raises exactly when sift finds a conflict, its first.
        """
        r = given_records
        history, conflicts = History.sift(orders=r.orders, sales=r.sales, returns=r.returns)
        again = History(orders=history.orders, sales=history.sales, returns=history.returns)
        assert again.lines == history.lines
        aside = [c for c in conflicts if c.rule is not ConflictRule.SOLD_BUT_CANCELLED]
        assert len(history.orders) + sum(isinstance(c.record, Order) for c in aside) == len(
            given_records.orders
        )
        assert len(history.sales) + sum(isinstance(c.record, Sale) for c in aside) == len(
            given_records.sales
        )
        assert len(history.returns) + sum(isinstance(c.record, Return) for c in aside) == len(
            given_records.returns
        )
        uncancelled = {c.order_id for c in conflicts if c.rule is ConflictRule.SOLD_BUT_CANCELLED}
        assert all(o.cancelled_at is None for o in history.orders if o.order_id in uncancelled)
        if conflicts:
            with pytest.raises(DataError) as caught:
                History(orders=r.orders, sales=r.sales, returns=r.returns)
            assert str(caught.value) == str(conflicts[0].error)
            assert type(caught.value) is type(conflicts[0].error)
        else:
            assert r.history().lines == history.lines

    @given(scenarios())
    def test_sift_finds_nothing_in_consistent_records(self, scenario: Scenario) -> None:
        """
        Records that agree: sift puts nothing aside and keeps the history History makes.
        """
        r = scenario.records
        history, conflicts = History.sift(orders=r.orders, sales=r.sales, returns=r.returns)
        assert conflicts == ()
        assert history.lines == r.history().lines
        assert history.unmatched_sales == r.history().unmatched_sales
