from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from redemption import (
    MOSCOW,
    CancelKind,
    DataError,
    Reason,
    ReasonCategory,
    ReportFormatError,
    ReturnKind,
)
from redemption.io import read_wildberries_realization
from redemption.model import Logistics

FIELD_EXAMPLES = (
    Path(__file__).parent
    / "data"
    / "wildberries"
    / ("finances-reportDetailByPeriod.field-examples.json")
)


def row(rrd_id: int, operation: str, srid: str | None = "a", **fields: Any) -> dict[str, Any]:
    """A realization report row with the fields the importer reads."""
    return {
        "rrd_id": rrd_id,
        "supplier_oper_name": operation,
        "srid": srid,
        "nm_id": 777,
        "order_dt": "2025-04-01T09:00:00Z",
        "sale_dt": "2025-04-05T00:00:00Z",
        "retail_price_withdisc_rub": 0,
        "delivery_amount": 0,
        "return_amount": 0,
    } | fields


class TestRealizationReport:
    @pytest.mark.parametrize(
        ("written", "refused"), [(1, False), (1.0, False), ("1.0", False), ("1.5", True)]
    )
    def test_a_count_is_read_however_a_whole_number_is_written(
        self, written: object, *, refused: bool
    ) -> None:
        """
        The way back of a refused unit, its ``return_amount`` written as a whole number
        (1, 1.0, "1.0") or not ("1.5": a bad row, which carries nothing back).
        """
        rows = [row(1, "Логистика", "a", return_amount=written, sale_dt="2025-04-07T08:00:00Z")]
        history, report = read_wildberries_realization(rows, seller_id="shop", errors="collect")
        assert [p.field for p in report.refused] == (["return_amount"] if refused else [])
        assert [o.cancelled for o in history.orders] == [not refused]

    def test_the_field_examples_make_one_sold_order(self) -> None:
        """
        Wildberries' example values: a sale of order 0f1c..., priced with the discount.
        """
        history, report = read_wildberries_realization(FIELD_EXAMPLES, seller_id="shop")
        (order,) = history.orders
        assert order.order_id == "0f1c3999172603062979867564654dac5b702849"
        assert (order.sku, order.price) == ("1234567", Decimal("399.68"))
        assert order.ordered_at == datetime(2022, 10, 13, tzinfo=UTC)
        assert history.lines.sold_at == (datetime(2022, 10, 20, tzinfo=UTC),)
        assert (report.used, report.sales, report.accounted) == (1, 1, True)

    def test_sales_returns_refusals_and_deliveries_become_one_line_each(self) -> None:
        """
        A sale then a return; a refusal (carried back, never sold); a delivery still open.
        """
        rows = [
            row(1, "Логистика", "sold", delivery_amount=1),
            row(2, "Продажа", "sold", retail_price_withdisc_rub=499.5),
            row(
                3,
                "Возврат",
                "sold",
                sale_dt="2025-04-09T10:00:00Z",
                retail_price_withdisc_rub=499.5,
            ),
            row(4, "Логистика", "sold", return_amount=1, sale_dt="2025-04-10T10:00:00Z"),
            row(5, "Логистика", "refused", delivery_amount=1),
            row(6, "Логистика", "refused", return_amount=1, sale_dt="2025-04-07T08:00:00Z"),
            row(7, "Логистика", "open", delivery_amount=1),
            row(8, "Хранение", None),
            row(8, "Хранение", None),
            row(9, "Штраф", "sold"),
        ]
        history, report = read_wildberries_realization(rows)
        lines = {o.order_id: (o, s, r) for o, s, r in zip(
            history.lines.orders, history.lines.sold_at, history.lines.returned_at, strict=True
        )}  # fmt: skip
        sold, sold_at, returned_at = lines["sold"]
        assert sold.price == Decimal("499.50")
        assert not sold.cancelled
        assert sold_at == datetime(2025, 4, 5, tzinfo=UTC)
        assert returned_at == datetime(2025, 4, 9, 10, tzinfo=UTC)
        refused, refused_sold, _ = lines["refused"]
        assert refused.cancelled_at == datetime(2025, 4, 7, 8, tzinfo=UTC)
        assert refused_sold is None
        open_order, open_sold, _ = lines["open"]
        assert (open_order.cancelled, open_sold) == (False, None)
        assert report.merged == 1
        assert sorted(p.row for p in report.skipped) == [8, 10]
        assert report.accounted
        assert report.used == 7

    def test_a_bad_row_names_the_row_and_field(self) -> None:
        """
        A sale with no order date stops the import, naming the row and field.
        """
        rows = [row(1, "Продажа", order_dt=None)]
        with pytest.raises(ReportFormatError, match="row 1, field 'order_dt'"):
            read_wildberries_realization(rows)
        _, report = read_wildberries_realization(rows, errors="collect")
        assert [(p.row, p.field) for p in report.refused] == [(1, "order_dt")]

    def test_statistics_rows_are_not_a_realization_report(self) -> None:
        """
        Another report given in its place is named as such.
        """
        wrong = [{"srid": "a", "date": "2025-04-01T10:00:00", "saleID": "S1"}]
        with pytest.raises(ReportFormatError, match="right report"):
            read_wildberries_realization(wrong)

    def test_naive_report_dates_are_moscow_time(self) -> None:
        """
        A date sent without a zone is Moscow time, as Wildberries documents.
        """
        rows = [row(1, "Продажа", order_dt="2025-04-01T09:00:00", retail_price_withdisc_rub=1)]
        history, _ = read_wildberries_realization(rows)
        assert history.orders[0].ordered_at == datetime(2025, 4, 1, 9, tzinfo=MOSCOW)


class TestKindsAndReasons:
    def test_each_way_back_gives_the_cancellation_its_kind(self) -> None:
        """
        The refusal leg is REFUSED, a penalty for an unfulfilled order SELLER, any other way
        back UNKNOWN; a sale's return is a RETURN.
        """
        penalty = "Штраф МП. Невыполненный заказ"
        rows = [
            row(
                1, "Логистика", "refused", return_amount=1, bonus_type_name="От клиента при отмене"
            ),
            row(2, "Штраф", "unsent", bonus_type_name=penalty, sale_dt="2025-04-03T00:00:00Z"),
            row(3, "Логистика", "back", return_amount=1, bonus_type_name="Что-то новое"),
            row(4, "Продажа", "kept", retail_price_withdisc_rub=10),
            row(5, "Возврат", "kept", retail_price_withdisc_rub=10, sale_dt="2025-04-06T00:00:00Z"),
            row(6, "Логистика", "kept", return_amount=1, bonus_type_name="От клиента при возврате"),
        ]
        history, report = read_wildberries_realization(rows)
        kinds = {o.order_id: (o.cancel_kind, o.cancel_reason) for o in history.orders}
        assert kinds == {
            "refused": (CancelKind.REFUSED, None),
            "unsent": (CancelKind.SELLER, Reason(ReasonCategory.SELLER_FAULT, penalty)),
            "back": (CancelKind.UNKNOWN, None),
            "kept": (None, None),
        }
        assert [(r.order_id, r.kind) for r in history.returns] == [("kept", ReturnKind.RETURN)]
        assert (report.used, report.accounted, report.unknown_reasons) == (6, True, ())

    def test_the_example_penalty_row_marks_a_seller_fault_cancellation(self) -> None:
        """
        The spec's own bonus_type_name example, on a penalty row, is the seller's fault.
        """
        (example,) = json.loads(FIELD_EXAMPLES.read_text(encoding="utf-8"))
        penalty = example | {"supplier_oper_name": "Штраф", "rrd_id": 2}
        history, _ = read_wildberries_realization([penalty])
        (order,) = history.orders
        assert order.cancel_kind is CancelKind.SELLER
        assert order.cancel_reason == Reason(
            ReasonCategory.SELLER_FAULT,
            "Штраф МП. Невыполненный заказ (отмена клиентом после недовоза)",
        )

    def test_a_reversed_penalty_cancels_nothing(self) -> None:
        """
        A "Сторно." row takes its penalty back, before or after it: the order is open again.
        """
        penalty = "Штраф МП. Невыполненный заказ"
        rows = [
            row(1, "Штраф", "a", bonus_type_name=penalty),
            row(2, "Штрафы", "a", bonus_type_name=f"Сторно. {penalty}"),
        ]
        for given in (rows, rows[::-1]):
            history, report = read_wildberries_realization(given)
            assert history.orders[0].cancelled_at is None
            assert (report.used, report.accounted) == (2, True)
        twice = [*rows, row(3, "Штраф", "a", bonus_type_name=penalty)]
        history, _ = read_wildberries_realization(twice)
        assert history.orders[0].cancel_kind is CancelKind.SELLER

    def test_a_way_back_before_the_order_is_a_bad_row(self) -> None:
        """
        A refusal leg dated before the order was placed names its row and field.
        """
        rows = [
            row(1, "Логистика", "a", delivery_amount=1),
            row(2, "Логистика", "a", return_amount=1, bonus_type_name="От клиента при отмене",
                sale_dt="2025-03-01T00:00:00Z"),
        ]  # fmt: skip
        with pytest.raises(ReportFormatError, match="row 2, field 'sale_dt'"):
            read_wildberries_realization(rows)
        history, report = read_wildberries_realization(rows, errors="collect")
        assert [(p.row, p.field) for p in report.refused] == [(2, "sale_dt")]
        assert history.orders[0].cancelled_at is None

    def test_a_later_order_date_than_a_way_back_already_read_is_a_bad_row(self) -> None:
        """
        A refusal leg read first, then a return row placing the order after it: the return
        row is refused naming its field, and the refusal stands; never an error from the
        records in collect mode.
        """
        rows = [
            row(1, "Логистика", "a", return_amount=1, bonus_type_name="От клиента при отмене",
                sale_dt="2025-04-02T00:00:00Z"),
            row(2, "Возврат", "a", order_dt="2025-04-03T00:00:00Z", retail_price_withdisc_rub=10),
        ]  # fmt: skip
        with pytest.raises(ReportFormatError, match="row 2, field 'order_dt'"):
            read_wildberries_realization(rows)
        history, report = read_wildberries_realization(rows, errors="collect")
        assert [(p.row, p.field) for p in report.refused] == [(2, "order_dt")]
        (order,) = history.orders
        assert order.cancelled_at == datetime(2025, 4, 2, tzinfo=UTC)
        assert report.accounted

    @pytest.mark.parametrize(
        "bonus",
        [
            "Возврат по инициативе продавца (К продавцу)",
            "Возврат своего товара (От продавца при отмене)",
            "Возврат неопознанного товара (К продавцу)",
        ],
    )
    def test_goods_moved_for_the_seller_are_no_buyers_event(self, bonus: str) -> None:
        """
        A seller's removal is skipped with its reason: it makes no order and no cancellation.
        """
        history, report = read_wildberries_realization(
            [row(1, "Логистика", "removal", return_amount=1, bonus_type_name=bonus)]
        )
        assert history.orders == ()
        assert [p.reason for p in report.skipped] == [
            f"Логистика {bonus!r}: goods moved for the seller, not a buyer's order"
        ]


# Every bonus_type_name the research lists (programmes-and-refusals.md, 3.2), on a line that
# is never sold in the report: what becomes of its order.
_PENALTY = "Штраф МП. Невыполненный заказ"
_KIND_OF_LEG = [
    ("Логистика", "К клиенту при продаже", 0, "open"),
    ("Логистика", "К клиенту при отмене", 0, "open"),
    ("Логистика", "От клиента при отмене", 1, CancelKind.REFUSED),
    ("Логистика", "От клиента при возврате", 1, "open"),
    (
        "Логистика",
        "Возврат товара, который приехал по МП, продавцу (К продавцу)",
        1,
        CancelKind.UNKNOWN,
    ),
    ("Логистика", "Возврат брака (К продавцу)", 1, CancelKind.UNKNOWN),
    ("Логистика", "Возврат товара продавцу по отзыву (К продавцу)", 1, CancelKind.UNKNOWN),
    ("Логистика", "Возврат по инициативе продавца (К продавцу)", 1, "skipped"),
    ("Логистика", "Возврат своего товара (От продавца при отмене)", 1, "skipped"),
    ("Логистика", "Возврат неопознанного товара (К продавцу)", 1, "skipped"),
    ("Логистика", "Возврат заблокированного товара (К продавцу)", 1, "skipped"),
    ("Хранение", "Платное хранение возвратов на ПВЗ более 3 дней", 0, "skipped"),
    ("Штраф", "Штраф МП. Нарушение срока", 0, "skipped"),
    ("Штраф", _PENALTY, 0, CancelKind.SELLER),
    ("Штраф", f"{_PENALTY} (отмена клиентом после недовоза)", 0, CancelKind.SELLER),
    ("Доплаты", "Доплата за логистику с палето-мест", 0, "skipped"),
]


@pytest.mark.parametrize(("operation", "bonus", "back", "becomes"), _KIND_OF_LEG)
def test_each_listed_bonus_type_gives_its_outcome(
    operation: str, bonus: str, back: int, becomes: CancelKind | str
) -> None:
    """
    Each kind of row of the research's list, alone on a line: open, cancelled of its kind,
    or skipped with its reason; every row accounted for.
    """
    rows = [row(1, operation, "a", return_amount=back, bonus_type_name=bonus)]
    history, report = read_wildberries_realization(rows)
    assert report.accounted
    if becomes == "skipped":
        assert (history.orders, report.used, len(report.skipped)) == ((), 0, 1)
        return
    (order,) = history.orders
    assert order.cancel_kind == (None if becomes == "open" else becomes)


class TestConflictsRoundingAndHorizon:
    def test_a_return_before_its_sale_is_put_aside_naming_its_row(self, tmp_path: Path) -> None:
        """
        A conflict names the file and the row of the record put aside, with the times in
        Moscow time, as the statistics reports do; in raise mode the same words are raised.
        """
        rows = [
            row(1, "Логистика", "x", delivery_amount=1),
            row(2, "Продажа", "x", sale_dt="2025-04-09T10:00:00Z", retail_price_withdisc_rub=100),
            row(3, "Возврат", "x", sale_dt="2025-04-05T10:00:00Z", retail_price_withdisc_rub=100),
        ]
        path = tmp_path / "realization.json"
        path.write_text(json.dumps(rows), encoding="utf-8")
        history, report = read_wildberries_realization(path, errors="collect")
        (conflict,) = report.conflicts
        assert (conflict.source, conflict.row, conflict.rule) == (
            str(path),
            3,
            "returned-before-sold",
        )
        assert "returned 2025-04-05T13:00:00+03:00" in conflict.reason  # 10:00 UTC in Moscow
        assert (len(history.sales), len(history.returns)) == (1, 0)
        with pytest.raises(DataError, match=f"{path}.* row 3"):
            read_wildberries_realization(path)

    def test_several_weekly_reports_read_as_one(self, tmp_path: Path) -> None:
        """
        The paths of two weeks' reports: the sale in the first and its return in the second
        make one order, sold and returned, its logistics summed over both (a bad row adds
        nothing); each row is named by its own file.
        """
        weeks = [tmp_path / "week-1.json", tmp_path / "week-2.json"]
        weeks[0].write_text(
            json.dumps([row(11, "Продажа", "x", retail_price_withdisc_rub=100),
                        row(12, "Логистика", "x", delivery_amount=1, delivery_rub=40)]),
            encoding="utf-8",
        )  # fmt: skip
        weeks[1].write_text(
            json.dumps([row(21, "Возврат", "x", sale_dt="2025-04-09T10:00:00Z",
                            retail_price_withdisc_rub=100),
                        row(22, "Логистика", "x", return_amount=1, delivery_rub=35,
                            bonus_type_name="От клиента при возврате", sale_dt="bad")]),
            encoding="utf-8",
        )  # fmt: skip
        history, report = read_wildberries_realization(weeks, errors="collect")
        assert (len(history.orders), len(history.sales), len(history.returns)) == (1, 1, 1)
        assert history.logistics["x"] == Logistics(order_id="x", to_buyer="40", back=0)
        (refused,) = report.refused
        assert (refused.source, refused.row, refused.field) == (str(weeks[1]), 2, "sale_dt")
        assert (report.rows_read, report.used, report.merged, report.conflicts) == (4, 3, 0, ())

    def test_prices_finer_than_a_kopeck_are_counted_once_per_row(self) -> None:
        """
        Each row whose price makes its order's (the first row of a line, its sale, its
        return) and was finer than a kopeck is counted, as the other importers count them.
        """
        rows = [
            row(1, "Продажа", "a", retail_price_withdisc_rub="100.005"),
            row(2, "Продажа", "b", retail_price_withdisc_rub="100.01"),
            row(3, "Возврат", "a", retail_price_withdisc_rub="100.005"),
            row(4, "Логистика", "c", delivery_amount=1, retail_price_withdisc_rub="0.001"),
        ]
        history, report = read_wildberries_realization(rows)
        assert report.rounded == 4
        assert {o.order_id: o.price for o in history.orders}["a"] == Decimal("100.00")

    def test_the_history_reaches_the_end_of_the_latest_report(self) -> None:
        """
        Each row says the last day of its report (date_to): the history's horizon is the
        end of the latest such day in Moscow time; rows that do not say leave it unknown.
        """
        rows = [
            row(1, "Продажа", "a", date_to="2025-04-13"),
            row(2, "Продажа", "b", date_to="2025-04-20T00:00:00"),
            row(3, "Продажа", "c", date_to="not a date"),
        ]
        history, _ = read_wildberries_realization(rows)
        assert history.horizon == datetime(2025, 4, 20, 21, tzinfo=UTC)
        assert read_wildberries_realization([row(1, "Продажа")])[0].horizon is None
        edge = read_wildberries_realization([row(1, "Продажа", date_to="9999-12-31")])[0]
        assert edge.horizon is None


class TestLogistics:
    def test_the_field_examples_charge_no_logistics(self) -> None:
        """
        Wildberries' example is a sale row: its delivery_rub is no logistics row's.
        """
        history, report = read_wildberries_realization(FIELD_EXAMPLES)
        assert (history.logistics, report.logistics) == ({}, 0)

    def test_the_field_example_as_a_logistics_row_charges_its_way(self) -> None:
        """
        The example's fields on a "Логистика" row of each leg: its delivery_rub on that way.
        """
        (example,) = json.loads(FIELD_EXAMPLES.read_text(encoding="utf-8"))
        srid = example["srid"]
        rows = [
            example | {"rrd_id": 1, "supplier_oper_name": "Логистика", "delivery_rub": 48.16,
                       "delivery_amount": 1, "bonus_type_name": "К клиенту при продаже"},
            example | {"rrd_id": 2},
            example | {"rrd_id": 3, "supplier_oper_name": "Логистика", "delivery_rub": 33,
                       "return_amount": 1, "bonus_type_name": "От клиента при возврате"},
        ]  # fmt: skip
        history, report = read_wildberries_realization(rows)
        assert history.logistics[srid] == Logistics(order_id=srid, to_buyer="48.16", back=33)
        assert (report.logistics, report.used, report.accounted) == (1, 3, True)

    @pytest.mark.parametrize(
        ("bonus", "amounts", "to_buyer", "back"),
        [
            ("К клиенту при продаже", {}, "51.50", "0"),
            ("К клиенту при отмене", {"return_amount": 1}, "51.50", "0"),
            ("От клиента при отмене", {"return_amount": 1}, "0", "51.50"),
            ("От клиента при возврате", {"delivery_amount": 1}, "0", "51.50"),
            ("Возврат брака (К продавцу)", {"return_amount": 1}, "0", "51.50"),
            ("Что-то новое", {"delivery_amount": 1}, "51.50", "0"),
            ("", {"return_amount": 1}, "0", "51.50"),
        ],
    )
    def test_each_leg_goes_to_its_way_by_its_words_else_by_its_counts(
        self, bonus: str, amounts: dict[str, int], to_buyer: str, back: str
    ) -> None:
        """
        "К клиенту..." to the buyer and "От клиента..." back whatever the counts; other words
        by delivery_amount, then return_amount.
        """
        rows = [row(1, "Логистика", "a", bonus_type_name=bonus, delivery_rub=51.5, **amounts)]
        history, report = read_wildberries_realization(rows)
        assert history.logistics["a"] == Logistics(order_id="a", to_buyer=to_buyer, back=back)
        assert (report.used, report.accounted) == (1, True)

    def test_the_legs_of_one_order_add_up_each_way(self) -> None:
        """
        Both ways of a refusal, and a correction within the charges; another order apart.
        """
        rows = [
            row(1, "Логистика", "a", bonus_type_name="К клиенту при отмене", delivery_rub=50),
            row(2, "Логистика", "a", bonus_type_name="От клиента при отмене", delivery_rub="45.10",
                return_amount=1),
            row(3, "Логистика", "a", bonus_type_name="К клиенту при отмене", delivery_rub=-10),
            row(4, "Логистика", "b", bonus_type_name="К клиенту при продаже", delivery_rub=60),
            row(5, "Продажа", "b", retail_price_withdisc_rub=990),
        ]  # fmt: skip
        history, _ = read_wildberries_realization(rows)
        assert dict(history.logistics) == {
            "a": Logistics(order_id="a", to_buyer=40, back="45.10"),
            "b": Logistics(order_id="b", to_buyer=60, back=0),
        }
        assert history.orders[0].cancel_kind is CancelKind.REFUSED

    def test_an_order_with_no_charge_has_no_logistics(self) -> None:
        """
        A sale alone, or a logistics row without delivery_rub: the cost is not known.
        """
        rows = [
            row(1, "Продажа", "sold", retail_price_withdisc_rub=10),
            row(2, "Логистика", "quiet", delivery_amount=1),
            row(3, "Логистика", "free", delivery_amount=1, delivery_rub=0),
        ]
        history, report = read_wildberries_realization(rows)
        assert dict(history.logistics) == {"free": Logistics(order_id="free", to_buyer=0, back=0)}
        assert (report.used, report.accounted) == (3, True)

    def test_a_charge_that_says_neither_way_is_skipped_with_its_reason(self) -> None:
        """
        No leg words and no counts: the row is skipped, nothing silently dropped.
        """
        rows = [
            row(1, "Логистика", "a", bonus_type_name="Что-то новое", delivery_rub=12),
            row(2, "Логистика", "a", delivery_amount=1, delivery_rub=30),
        ]
        history, report = read_wildberries_realization(rows)
        assert history.logistics["a"] == Logistics(order_id="a", to_buyer=30, back=0)
        (skipped,) = report.skipped
        assert skipped.row == 1
        assert "a charge of 12 (delivery_rub) that says neither way" in skipped.reason
        assert report.accounted

    def test_a_way_that_adds_up_below_nothing_is_refused_naming_the_order(self) -> None:
        """
        Corrections beyond the charges: the last row of that way is refused, the order is
        kept without logistics, every row accounted for.
        """
        rows = [
            row(1, "Логистика", "a", bonus_type_name="От клиента при отмене", delivery_rub=20,
                return_amount=1),
            row(2, "Логистика", "a", bonus_type_name="От клиента при отмене", delivery_rub=-30,
                return_amount=1),
            row(3, "Логистика", "a", bonus_type_name="К клиенту при отмене", delivery_rub=50),
        ]  # fmt: skip
        with pytest.raises(ReportFormatError, match="row 2, field 'delivery_rub': order a"):
            read_wildberries_realization(rows)
        history, report = read_wildberries_realization(rows, errors="collect")
        assert [(p.row, p.field) for p in report.refused] == [(2, "delivery_rub")]
        assert "the logistics back add up to -10" in report.refused[0].reason
        assert (len(history.orders), history.logistics) == (1, {})
        assert (report.used, report.accounted) == (2, True)

    @pytest.mark.parametrize("rub", ["много", True, [1], "NaN", "1e400"])
    def test_a_bad_delivery_rub_is_a_bad_row(self, rub: object) -> None:
        """
        Named by row and field; the row's leg is not counted.
        """
        rows = [row(1, "Логистика", "a", delivery_amount=1, delivery_rub=rub)]
        with pytest.raises(ReportFormatError, match="row 1, field 'delivery_rub'"):
            read_wildberries_realization(rows)

    def test_seller_removals_are_still_skipped_and_charge_nothing(self) -> None:
        """
        Goods moved for the seller are no buyer's order, whatever they cost.
        """
        bonus = "Возврат по инициативе продавца (К продавцу)"
        rows = [row(1, "Логистика", "r", return_amount=1, bonus_type_name=bonus, delivery_rub=99)]
        history, report = read_wildberries_realization(rows)
        assert (history.orders, history.logistics, len(report.skipped)) == ((), {}, 1)

    def test_a_correction_of_logistics_is_skipped_saying_so(self) -> None:
        """
        "Логистика сторно" is not read: the reason says what that leaves out.
        """
        rows = [row(1, "Логистика сторно", "a", delivery_rub=50, delivery_amount=1)]
        _, report = read_wildberries_realization(rows)
        (skipped,) = report.skipped
        assert skipped.reason.startswith("Логистика сторно: a correction of logistics, not read")
