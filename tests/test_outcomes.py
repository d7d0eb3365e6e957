from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from redemption import (
    CancelKind,
    DataError,
    History,
    Order,
    Period,
    Reason,
    ReasonCategory,
    RecordTypeError,
    Return,
    ReturnKind,
    Sale,
    buyer_reports,
    ransom_amounts,
    redemption_rate,
    redemption_rates,
)
from redemption.calculators.outcome import settled_rows
from tests.builders import an_order, msk
from tests.strategies import Records, Scenario, scenarios

AT = msk("2025-04-02 12:00")
LATER = AT + timedelta(days=3)


class TestTheRecordContract:
    def test_a_cancelled_order_without_a_kind_is_of_unknown_kind(self) -> None:
        """
        The kind defaults to UNKNOWN on a cancelled order, and stays None on one that is not.
        """
        assert an_order("1", AT, cancelled_at=LATER).cancel_kind is CancelKind.UNKNOWN
        assert an_order("2", AT).cancel_kind is None

    def test_a_kind_and_reason_are_kept_as_given(self) -> None:
        """
        The kind and the reason, its category and words, are kept on the order.
        """
        reason = Reason(ReasonCategory.SIZE_FIT, "Покупатель отказался: товар не подошел")
        order = Order(
            order_id="1",
            seller_id="s",
            sku="k",
            price=1,
            ordered_at=AT,
            cancelled_at=LATER,
            cancel_kind=CancelKind.REFUSED,
            cancel_reason=reason,
        )
        assert (order.cancel_kind, order.cancel_reason) == (CancelKind.REFUSED, reason)
        assert order.cancel_reason is not None
        assert order.cancel_reason.text == "Покупатель отказался: товар не подошел"

    @pytest.mark.parametrize(
        "given",
        [
            {"cancel_kind": CancelKind.BUYER},
            {"cancel_reason": Reason(ReasonCategory.OTHER)},
        ],
    )
    def test_a_kind_or_reason_without_a_cancellation_is_refused(self, given: Any) -> None:
        """
        A kind or reason on an order that was not cancelled is a DataError naming it.
        """
        with pytest.raises(DataError, match="order o-7: a cancel kind or reason") as caught:
            Order(order_id="o-7", seller_id="s", sku="k", price=1, ordered_at=AT, **given)
        assert caught.value.order_id == "o-7"

    @pytest.mark.parametrize(
        ("field", "value"),
        [("cancel_kind", "refused"), ("cancel_kind", ReturnKind.RETURN), ("cancel_reason", "x")],
    )
    def test_a_kind_or_reason_of_the_wrong_type_is_refused(self, field: str, value: Any) -> None:
        """
        A string where a kind or reason goes is a RecordTypeError naming the order and field.
        """
        with pytest.raises(RecordTypeError, match=f"order o-8: {field} must be a"):
            Order(
                order_id="o-8",
                seller_id="s",
                sku="k",
                price=1,
                ordered_at=AT,
                cancelled_at=LATER,
                **{field: value},
            )

    def test_a_return_has_a_kind_and_reason(self) -> None:
        """
        A return's kind defaults to UNKNOWN; a wrong type is refused naming the order.
        """
        assert Return(order_id="1", returned_at=AT).kind is ReturnKind.UNKNOWN
        back = Return(
            order_id="1",
            returned_at=AT,
            kind=ReturnKind.REFUSED_AT_HANDOVER,
            reason=Reason(ReasonCategory.QUALITY_DEFECT, "брак"),
        )
        assert back.kind is ReturnKind.REFUSED_AT_HANDOVER
        with pytest.raises(RecordTypeError, match="order 1: kind must be a ReturnKind"):
            Return(order_id="1", returned_at=AT, kind="return")  # type: ignore[arg-type]

    def test_a_reason_checks_its_types(self) -> None:
        """
        A reason's category must be a ReasonCategory and its text a str.
        """
        with pytest.raises(RecordTypeError, match="category must be a ReasonCategory"):
            Reason("size_fit")  # type: ignore[arg-type]
        with pytest.raises(RecordTypeError, match="text must be a str"):
            Reason(ReasonCategory.OTHER, 42)  # type: ignore[arg-type]

    def test_every_value_is_a_lower_case_word(self) -> None:
        """
        The values written to files and frames are lower-case words, unique per enum.
        """
        for kind in (CancelKind, ReturnKind, ReasonCategory):
            values = [member.value for member in kind]
            assert values == [member.name.lower() for member in kind]

    def test_a_cut_history_forgets_a_later_cancellation_with_its_kind(self) -> None:
        """
        Cut before the cancellation, the order is open again: no kind, no reason.
        """
        order = an_order("1", AT, cancelled_at=LATER)
        order = attrs.evolve(
            order, cancel_kind=CancelKind.SELLER, cancel_reason=Reason(ReasonCategory.SELLER_FAULT)
        )
        cut = History(orders=[order]).cut(AT.date())
        assert (cut.orders[0].cancelled_at, cut.orders[0].cancel_kind) == (None, None)
        assert cut.orders[0].cancel_reason is None
        assert History(orders=[order]).cut(LATER.date()).orders[0] == order


class TestOutcome:
    def test_an_order_is_settled_at_its_sale_else_its_cancellation(self) -> None:
        """
        settled_at is the sale's instant for a sold order, the cancellation's for a
        cancelled one, and nothing for one in transit.
        """
        cancelled = an_order("1", AT, cancelled_at=LATER)
        sold = an_order("2", AT)
        open_order = an_order("3", AT)
        history = History(
            orders=[cancelled, sold, open_order], sales=[Sale(order_id="2", sold_at=AT)]
        )
        settled = {o.order_id: s for o, s, *_ in settled_rows(history.lines, range(3))}
        assert settled == {"1": LATER, "2": AT, "3": None}
        assert history.lines.settled_at == tuple(settled[o.order_id] for o in history.orders)

    def test_only_the_lines_of_a_buyer_or_seller_when_asked(self) -> None:
        """
        buyer_id and seller_id keep only their lines, the positions asked for.
        """
        orders = [
            an_order("1", AT, buyer_id="b", seller_id="x"),
            an_order("2", AT + timedelta(hours=1), buyer_id="c", seller_id="x", cancelled_at=LATER),
            an_order("3", AT + timedelta(hours=2), buyer_id="b", seller_id="y", cancelled_at=LATER),
        ]
        lines = History(orders=orders).lines
        rows = settled_rows(lines, range(1, 3), buyer_id="b", seller_id="y")
        assert [(order.order_id, settled) for order, settled, *_ in rows] == [("3", LATER)]
        assert [o.order_id for o, *_ in settled_rows(lines, range(1, 2))] == ["2"]


def _plain(records: Records) -> History:
    """The same history with every kind and reason left out."""
    return History(
        orders=[
            attrs.evolve(order, cancel_kind=None, cancel_reason=None)
            if order.cancelled_at is None
            else attrs.evolve(order, cancel_kind=CancelKind.UNKNOWN, cancel_reason=None)
            for order in records.orders
        ],
        sales=records.sales,
        returns=[Return(order_id=r.order_id, returned_at=r.returned_at) for r in records.returns],
    )


@given(scenario=scenarios(), kinds=st.lists(st.sampled_from(CancelKind), min_size=1))
def test_kinds_and_reasons_change_no_figure(scenario: Scenario, kinds: list[CancelKind]) -> None:
    """
    Rates, ransom and buyer reports are the same with or without any kind or reason.
    """
    rich = scenario.records.history()
    plain = _plain(scenario.records)
    # and with every cancellation given some other kind, in turn
    other = History(
        orders=[
            attrs.evolve(o, cancel_kind=kinds[i % len(kinds)]) if o.cancelled_at else o
            for i, o in enumerate(scenario.records.orders)
        ],
        sales=scenario.records.sales,
        returns=scenario.records.returns,
    )
    period, today, tz = scenario.period, scenario.today, scenario.tz
    for history in (plain, other):
        assert redemption_rate(history, period, today=today, tz=tz) == redemption_rate(
            rich, period, today=today, tz=tz
        )
        assert redemption_rates(history, period, today=today, tz=tz, by="seller") == (
            redemption_rates(rich, period, today=today, tz=tz, by="seller")
        )
        assert ransom_amounts(history, today=today, tz=tz) == ransom_amounts(
            rich, today=today, tz=tz
        )
        for weight in ("count", "price"):
            assert buyer_reports(history, today=today, tz=tz, weight=weight) == buyer_reports(
                rich, today=today, tz=tz, weight=weight
            )


def test_a_day_far_off_sees_every_kind_as_cancelled() -> None:
    """
    Every cancelled order counts as an order not redeemed, whatever its kind.
    """
    orders = [
        attrs.evolve(an_order(str(i), AT, cancelled_at=LATER), cancel_kind=kind)
        for i, kind in enumerate(CancelKind)
    ]
    report = redemption_rate(
        History(orders=orders), Period(date(2025, 4, 1), date(2025, 4, 30)), today=date(2025, 6, 1)
    )
    assert (report.orders, report.sales, report.in_transit) == (len(CancelKind), 0, 0)
