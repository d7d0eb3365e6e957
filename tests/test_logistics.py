"""Logistics: the record, a history's logistics, and the order-lines CSV columns."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from types import MappingProxyType

import pytest

from redemption import History, InvalidArgumentError, Sale
from redemption.errors import DuplicateRecordError, InvalidPriceError, RecordTypeError
from redemption.history import ConflictRule
from redemption.io import read_order_lines, write_order_lines
from redemption.model import Logistics
from redemption.order_lines import COST_COLUMNS, LINE_COLUMNS
from tests.builders import an_order, msk

AT = msk("2025-04-01T12:00")


def cost(order_id: str, to_buyer: object = 50, back: object = 0) -> Logistics:
    """An order's logistics: 50 roubles to the buyer and nothing back, unless told."""
    return Logistics(order_id=order_id, to_buyer=to_buyer, back=back)  # type: ignore[arg-type]


class TestTheRecord:
    def test_amounts_are_kept_as_roubles_with_two_places(self) -> None:
        """
        Decimal, int and decimal text, rounded half-even to the kopeck, as prices are.
        """
        record = cost("o1", "51.505", 48)
        assert (record.to_buyer, record.back) == (Decimal("51.50"), Decimal("48.00"))
        assert record.paid == Decimal("99.50")

    @pytest.mark.parametrize(
        ("fields", "error", "message"),
        [
            ({"to_buyer": 1.5, "back": 0}, RecordTypeError, "order o1: to_buyer must be Decimal"),
            ({"to_buyer": 0, "back": -1}, InvalidPriceError, "order o1: back -1 is not a non-neg"),
            ({"to_buyer": "x", "back": 0}, InvalidPriceError, "order o1: to_buyer 'x' is not a"),
            ({"to_buyer": True, "back": 0}, RecordTypeError, "to_buyer must be Decimal"),
        ],
    )
    def test_a_float_or_a_negative_amount_is_refused_naming_the_order_and_field(
        self, fields: dict[str, object], error: type[Exception], message: str
    ) -> None:
        """
        The money rules: no float, no negative, no text that is no number.
        """
        with pytest.raises(error, match=message) as raised:
            Logistics(order_id="o1", **fields)  # type: ignore[arg-type]
        assert raised.value.order_id == "o1"  # type: ignore[attr-defined]

    def test_an_empty_id_is_refused(self) -> None:
        """
        The order id is a non-empty str, as in every record.
        """
        with pytest.raises(RecordTypeError, match="order_id must be a non-empty str"):
            cost("")


class TestInAHistory:
    def test_each_order_has_at_most_one_kept_by_order_id(self) -> None:
        """
        A read-only mapping by order id; an order with none is not in it.
        """
        history = History(
            orders=[an_order("o1", AT), an_order("o2", AT)], logistics=[cost("o1", 50, 45)]
        )
        assert dict(history.logistics) == {"o1": cost("o1", 50, 45)}
        assert isinstance(history.logistics, MappingProxyType)
        assert "o2" not in history.logistics
        assert history.unmatched_logistics == ()

    def test_a_second_record_of_one_order_is_a_duplicate(self) -> None:
        """
        History refuses it naming the order; sift keeps the first and puts the later aside.
        """
        records = [cost("o1", 50, 0), cost("o1", 60, 10)]
        with pytest.raises(DuplicateRecordError, match="order o1: two logistics records"):
            History(orders=[an_order("o1", AT)], logistics=records)
        history, (conflict,) = History.sift(orders=[an_order("o1", AT)], logistics=records)
        assert conflict.rule is ConflictRule.DUPLICATE_LOGISTICS
        assert (conflict.record, conflict.other) == (records[1], records[0])
        assert conflict.describe() == (
            "order o1: two logistics records of one order "
            "(to the buyer 50.00, back 0.00; to the buyer 60.00, back 10.00)"
        )
        assert dict(history.logistics) == {"o1": records[0]}

    def test_a_record_whose_order_is_not_given_is_kept_apart_as_unmatched(self) -> None:
        """
        As an unmatched sale is: kept, reported, sorted by order id.
        """
        history = History(
            orders=[an_order("o1", AT)],
            logistics=[cost("o9"), cost("o1"), cost("o3")],
        )
        assert [r.order_id for r in history.unmatched_logistics] == ["o3", "o9"]
        assert set(history.logistics) == {"o1", "o3", "o9"}
        assert repr(history) == (
            "History(orders=1, sales=0, returns=0, unmatched_sales=0, unmatched_returns=0, "
            "logistics=3, unmatched_logistics=2)"
        )

    def test_a_history_without_any_shows_none_and_shares_one_empty_mapping(self) -> None:
        """
        Nothing extra in its repr, and no mapping built per history.
        """
        first, second = History(orders=[an_order("o1", AT)]), History()
        assert repr(first).endswith("unmatched_returns=0)")
        assert first.logistics == {}
        assert first.logistics is second.logistics

    def test_anything_else_given_as_logistics_is_refused(self) -> None:
        """
        A sale among the logistics names its place.
        """
        with pytest.raises(RecordTypeError, match=r"logistics\[0\] must be a Logistics"):
            History(logistics=[Sale(order_id="o1", sold_at=AT)])  # type: ignore[list-item]

    def test_the_cut_keeps_those_of_its_orders_and_the_unmatched(self) -> None:
        """
        They carry no date: an order's go with it, the unmatched stay unmatched.
        """
        history = History(
            orders=[an_order("early", AT), an_order("late", msk("2025-04-20T12:00"))],
            logistics=[cost("early", 50, 45), cost("late"), cost("elsewhere")],
        )
        cut = history.cut(date(2025, 4, 10))
        assert set(cut.logistics) == {"early", "elsewhere"}
        assert cut.logistics["early"] == cost("early", 50, 45)
        assert [r.order_id for r in cut.unmatched_logistics] == ["elsewhere"]
        assert History(orders=history.orders).cut(date(2025, 4, 10)).logistics == {}


class TestOrderLinesCsv:
    def test_the_costs_are_the_last_two_columns_in_kopecks(self) -> None:
        """
        Written for every order, empty where none is known; read back the same.
        """
        history = History(
            orders=[an_order("o1", AT), an_order("o2", AT), an_order("o3", AT)],
            logistics=[cost("o1", "51.50", 0), cost("o3", 0, "48.05")],
        )
        stream = io.StringIO()
        write_order_lines(history, stream)
        header, *rows = stream.getvalue().splitlines()
        assert header.split(",")[-2:] == list(COST_COLUMNS) == list(LINE_COLUMNS[-2:])
        assert sorted(row.split(",")[-2:] for row in rows) == [
            ["", ""],
            ["0", "4805"],
            ["5150", "0"],
        ]
        back, report = read_order_lines(stream.getvalue().encode())
        assert back.logistics == history.logistics
        assert (report.logistics, report.accounted) == (2, True)

    def test_a_file_without_them_reads_as_before(self) -> None:
        """
        The columns are optional: no logistics at all.
        """
        text = b"order_id,sku,price,ordered_at\no1,k,100,2025-04-01T10:00:00+03:00\n"
        history, report = read_order_lines(text)
        assert (len(history.orders), history.logistics, report.logistics) == (1, {}, 0)

    def test_one_cost_given_makes_the_other_zero(self) -> None:
        """
        An empty cell is no logistics only when both are empty.
        """
        text = (
            b"order_id,sku,price,ordered_at,delivery_cost,return_cost\n"
            b"o1,k,100,2025-04-01T10:00:00+03:00,,4500\n"
            b"o2,k,100,2025-04-01T10:00:00+03:00,5000,\n"
            b"o3,k,100,2025-04-01T10:00:00+03:00,,\n"
        )
        history, _ = read_order_lines(text)
        assert dict(history.logistics) == {"o1": cost("o1", 0, 45), "o2": cost("o2", 50, 0)}

    @pytest.mark.parametrize(
        ("cell", "field", "reason"),
        [
            ("-5", "delivery_cost", "delivery_cost -5 is negative"),
            ("5.5", "delivery_cost", "expected whole kopecks"),
            ("9" * 40, "delivery_cost", "more digits than an amount may have"),
        ],
    )
    def test_a_bad_cost_is_a_bad_row_naming_its_column(
        self, cell: str, field: str, reason: str
    ) -> None:
        """
        Raised naming the row and column, or collected, the good rows kept.
        """
        text = (
            "order_id,sku,price,ordered_at,delivery_cost,return_cost\n"
            f"o1,k,100,2025-04-01T10:00:00+03:00,{cell},0\n"
            "o2,k,100,2025-04-01T10:00:00+03:00,100,0\n"
        ).encode()
        with pytest.raises(Exception, match=f"row 2, field '{field}'"):
            read_order_lines(text)
        history, report = read_order_lines(text, errors="collect")
        assert [(p.row, p.field) for p in report.refused] == [(2, field)]
        assert reason in report.refused[0].reason
        assert set(history.logistics) == {"o2"}

    def test_logistics_without_their_order_are_refused_rather_than_written_short(self) -> None:
        """
        No line to go on: the history is refused, as with unmatched sales.
        """
        history = History(orders=[an_order("o1", AT)], logistics=[cost("o2")])
        with pytest.raises(InvalidArgumentError, match="1 logistics records without their order"):
            write_order_lines(history, io.StringIO())
