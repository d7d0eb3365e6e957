from __future__ import annotations

import builtins
import gzip
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args
from zoneinfo import ZoneInfo

import pytest

from redemption import (
    MOSCOW,
    CancelKind,
    DataError,
    DuplicateRecordError,
    InvalidArgumentError,
    Reason,
    ReasonCategory,
    ReportFormatError,
    ReturnKind,
)
from redemption.io import read_reports, read_wildberries_statistics, report_kind
from redemption.io.files import FORMATS, ReportKind
from redemption.model import Logistics
from redemption.sample import sample_lines_path, sample_report_bytes, sample_report_paths

DATA = Path(__file__).parent / "data" / "wildberries"
OZON = Path(__file__).parent / "data" / "ozon"


class TestReportKind:
    @pytest.mark.parametrize(
        ("name", "kind"),
        [
            ("statistics-supplier-orders.example.json", "wildberries-orders"),
            ("statistics-supplier-sales.example.json", "wildberries-sales"),
            ("analytics-goods-return.example.json", "wildberries-goods-returns"),
            ("communications-claims.example.json", "wildberries-claims"),
        ],
    )
    def test_the_marketplace_examples_are_recognised(self, name: str, kind: str) -> None:
        """
        The documented payloads are told apart by their fields.
        """
        assert report_kind(DATA / name) == kind

    @pytest.mark.parametrize(
        ("name", "kind"),
        [
            ("fbo_list_response.json", "ozon-postings"),
            ("fbs_list_response.json", "ozon-postings"),
            ("returns_response.json", "ozon-returns"),
            ("fbo_list_v3_response.json", "ozon-postings"),
            ("fbs_list_v4_response.json", "ozon-postings"),
        ],
    )
    def test_the_ozon_examples_are_recognised(self, name: str, kind: str) -> None:
        """
        Ozon's documented responses, objects rather than arrays, are told apart too.
        """
        assert report_kind(OZON / name) == kind

    def test_the_name_does_not_matter_gzip_or_not(self, tmp_path: Path) -> None:
        """
        A gzipped sales report named like a text file, and a CSV named like JSON.
        """
        odd = tmp_path / "report.txt"
        odd.write_bytes(sample_report_bytes("shop-north", "sales"))
        assert report_kind(odd) == "wildberries-sales"
        lines = tmp_path / "lines.json"
        lines.write_bytes(gzip.decompress(sample_lines_path().read_bytes()))
        assert report_kind(lines) == "order-lines"

    def test_a_realization_report_is_not_taken_for_sales(self, tmp_path: Path) -> None:
        """
        Realization rows carry an srid too; their rrd_id tells them apart.
        """
        path = tmp_path / "r.json"
        path.write_text('[{"rrd_id": 1, "srid": "a", "saleID": "S1"}]', encoding="utf-8")
        assert report_kind(path) == "wildberries-realization"

    @pytest.mark.parametrize(
        ("content", "kind", "message"),
        [
            (b"[]", "empty", None),
            (b"  [ ]\n", "empty", None),
            (b'{"result": []}', "empty", None),
            (b'{"result": {"postings": [], "has_next": false}}', "empty", None),
            (b'{"returns": [], "has_next": false}', "empty", None),
            (b'{"cursor": "", "has_next": false, "postings": []}', "empty", None),
            (b"{}", None, "not a report this library reads"),
            (b"", None, "the file is empty"),
            (b'[{"nmId": 1, "quantity": 2}]', None, "not a report this library reads"),
            (b"a,b\n1,2\n", None, "not a report this library reads"),
        ],
    )
    def test_empty_pages_and_foreign_files(
        self, tmp_path: Path, content: bytes, kind: str | None, message: str | None
    ) -> None:
        """
        An empty page is a kind of its own; an empty or foreign file is refused by name.
        """
        path = tmp_path / "f"
        path.write_bytes(content)
        if message is None:
            assert report_kind(path) == kind
        else:
            with pytest.raises(ReportFormatError, match=f"{path}: .*{message}"):
                report_kind(path)


class TestReadReports:
    def test_a_folder_of_pages_reads_as_the_whole_report(self, tmp_path: Path) -> None:
        """
        Pages split anywhere, a repeated line across two pages, and an empty last page read
        exactly as the report in one piece.
        """
        whole, _ = read_wildberries_statistics(
            orders=sample_report_bytes("shop-north", "orders"),
            sales=sample_report_bytes("shop-north", "sales"),
        )
        rows = json.loads(gzip.decompress(sample_report_bytes("shop-north", "orders")))
        (tmp_path / "orders-00001.json").write_text(json.dumps(rows[:700]), encoding="utf-8")
        (tmp_path / "orders-00002.json").write_text(json.dumps(rows[699:]), encoding="utf-8")
        (tmp_path / "orders-00003.json").write_text("[]", encoding="utf-8")
        (tmp_path / "sales.json.gz").write_bytes(sample_report_bytes("shop-north", "sales"))
        history, report = read_reports([tmp_path])
        assert history.orders == whole.orders
        assert history.sales == whole.sales
        assert history.returns == whole.returns
        assert report.merged >= 1
        assert report.accounted

    def test_kinds_mix_and_sellers_add_up(self) -> None:
        """
        Both sellers' reports at once: every order of each.
        """
        history, report = read_reports(sample_report_paths())
        assert {o.seller_id for o in history.orders} == {"seller"}
        assert len(history.orders) == 3600
        assert report.accounted

    def test_the_same_orders_from_two_kinds_of_report_are_a_contradiction(self) -> None:
        """
        The sample's order lines and its Wildberries reports hold the same orders: reading
        both would count each twice, so it is refused.
        """
        with pytest.raises(DuplicateRecordError):
            read_reports([*sample_report_paths("shop-north"), sample_lines_path()])

    def test_ozon_lists_are_read_with_the_moment_they_were_downloaded(self, tmp_path: Path) -> None:
        """
        Postings and returns in one folder are read together; without as_of they are refused.
        """
        for name in ("fbo_list_response.json", "fbs_list_response.json"):
            (tmp_path / name).write_bytes((OZON / name).read_bytes())
        with pytest.raises(InvalidArgumentError, match="as_of"):
            read_reports([tmp_path])
        history, report = read_reports([tmp_path], as_of=datetime(2026, 11, 1, tzinfo=UTC))
        assert sorted(order.order_id for order in history.orders) == [
            "0132112277-0101-1/827098843/1",
            "16965409-0014-1/160249683/1",
        ]
        assert (report.rows_read, report.orders, report.sales) == (2, 2, 1)

    def test_nothing_to_read_is_an_error(self, tmp_path: Path) -> None:
        """
        No files, or an empty folder, is said to be so.
        """
        with pytest.raises(InvalidArgumentError, match="no report files"):
            read_reports([tmp_path])

    def test_an_empty_folder_is_named(self, tmp_path: Path) -> None:
        """
        A folder with no report file is named, with what was left out of it; no path at
        all is said to be none.
        """
        empty, partial = tmp_path / "empty", tmp_path / "downloading"
        empty.mkdir()
        partial.mkdir()
        (partial / "orders-00001.json.part").write_text("[", encoding="utf-8")
        with pytest.raises(InvalidArgumentError) as caught:
            read_reports([empty])
        assert str(caught.value) == f"{empty}: a folder with no report files"
        with pytest.raises(InvalidArgumentError) as caught:
            read_reports([empty, partial])
        assert str(caught.value) == (
            f"{empty}: a folder with no report files; {partial}: a folder with no report "
            "files (only 1 hidden or *.part files, left out)"
        )
        with pytest.raises(InvalidArgumentError, match=r"^no report files given$"):
            read_reports([])

    def test_the_missing_as_of_names_the_ozon_files(self, tmp_path: Path) -> None:
        """
        An Ozon portal report or posting list without as_of: the error names the file.
        """
        portal = tmp_path / "postings.csv"
        portal.write_text(f"{PORTAL_HEADER}\n{PORTAL_ROW}\n", encoding="utf-8")
        with pytest.raises(InvalidArgumentError, match=f"^{portal}: .*as_of"):
            read_reports([portal])
        lists = tmp_path / "fbs_list_response.json"
        lists.write_bytes((OZON / "fbs_list_response.json").read_bytes())
        with pytest.raises(InvalidArgumentError, match=f"^{portal}, {lists}: .*as_of"):
            read_reports([portal, lists])


LINE = "order_id,sku,price,ordered_at\no1,a,100,2025-04-30 23:30\n"
VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")


class TestOptionsForOrderLines:
    def test_times_without_an_offset_are_in_the_zone_given(self, tmp_path: Path) -> None:
        """
        tz= reaches the order-lines reader: a naive time is in that zone, and the notes say
        so; without it, Moscow time.
        """
        path = tmp_path / "lines.csv"
        path.write_text(LINE, encoding="utf-8")
        history, report = read_reports([path], tz=VLADIVOSTOK)
        assert history.orders[0].ordered_at == datetime(2025, 4, 30, 23, 30, tzinfo=VLADIVOSTOK)
        assert report.notes == (
            f"{path}: 1 moments without a UTC offset taken in {VLADIVOSTOK} time",
        )
        history, _ = read_reports([path])
        assert history.orders[0].ordered_at == datetime(2025, 4, 30, 23, 30, tzinfo=MOSCOW)

    def test_the_price_unit_reaches_the_order_lines(self, tmp_path: Path) -> None:
        """
        price_unit="roubles" reads a plainly named price in roubles; by default it is kopecks.
        """
        path = tmp_path / "lines.csv"
        path.write_text(LINE.replace(",100,", ",100.50,"), encoding="utf-8")
        history, _ = read_reports([path], price_unit="roubles")
        assert history.orders[0].price == Decimal("100.50")
        with pytest.raises(ReportFormatError, match="whole kopecks"):
            read_reports([path])


def realization_row(rrd_id: int, operation: str, **fields: Any) -> dict[str, Any]:
    """A ``reportDetailByPeriod`` row of order line "a1"."""
    return {
        "rrd_id": rrd_id,
        "supplier_oper_name": operation,
        "srid": "a1",
        "nm_id": 7,
        "order_dt": "2025-04-01T09:00:00",
        "sale_dt": "2025-04-05T00:00:00",
        "retail_price_withdisc_rub": 100,
    } | fields


WEEK_1 = [
    realization_row(11, "Логистика", delivery_rub=50, bonus_type_name="К клиенту при продаже",
                    delivery_amount=1, retail_price_withdisc_rub=0, date_to="2025-04-06"),
    realization_row(12, "Продажа", date_to="2025-04-06"),
]  # fmt: skip
WEEK_2 = [
    realization_row(21, "Возврат", sale_dt="2025-04-09T00:00:00", date_to="2025-04-13"),
    realization_row(22, "Логистика", delivery_rub=45, bonus_type_name="От клиента при возврате",
                    return_amount=1, retail_price_withdisc_rub=0, sale_dt="2025-04-10T00:00:00",
                    date_to="2025-04-13"),
]  # fmt: skip


class TestWeeklyRealizationReports:
    @pytest.mark.parametrize("errors", ["collect", "raise"])
    def test_a_sale_and_its_return_in_two_weeks_are_one_order(
        self, tmp_path: Path, errors: Any
    ) -> None:
        """
        The portal gives a report a week: a sale in one week's and its return in the next's
        make one order, sold and returned, its logistics summed over both, no conflict.
        """
        weeks = [tmp_path / "week-1.json", tmp_path / "week-2.json"]
        for path, rows in zip(weeks, (WEEK_1, WEEK_2), strict=True):
            path.write_text(json.dumps(rows), encoding="utf-8")
        history, report = read_reports(weeks, errors=errors)
        (order,), (sale,), (back,) = history.orders, history.sales, history.returns
        assert order.order_id == sale.order_id == back.order_id == "a1"
        assert order.cancelled_at is None
        assert back.returned_at == datetime(2025, 4, 9, tzinfo=MOSCOW)
        assert dict(history.logistics) == {
            "a1": Logistics(order_id="a1", to_buyer=Decimal(50), back=Decimal(45))
        }
        assert history.horizon == datetime(2025, 4, 13, 21, tzinfo=UTC)  # week 2's end
        assert (report.orders, report.sales, report.returns, report.conflicts) == (1, 1, 1, ())
        assert (report.rows_read, report.used, report.accounted) == (4, 4, True)

    def test_a_conflict_across_the_weeks_names_the_file_and_row(self, tmp_path: Path) -> None:
        """
        A return in week 2 dated before its sale in week 1 is put aside naming week 2's file
        and row; in raise mode, the same place is raised.
        """
        week_1, week_2 = tmp_path / "week-1.json", tmp_path / "week-2.json"
        week_1.write_text(
            json.dumps([realization_row(1, "Продажа", sale_dt="2025-04-09T00:00:00")]),
            encoding="utf-8",
        )
        week_2.write_text(json.dumps([realization_row(2, "Возврат")]), encoding="utf-8")
        history, report = read_reports([week_1, week_2], errors="collect")
        (conflict,) = report.conflicts
        assert (conflict.source, conflict.row, conflict.rule) == (
            str(week_2),
            1,
            "returned-before-sold",
        )
        assert (len(history.sales), len(history.returns)) == (1, 0)
        with pytest.raises(DataError, match=f"^{week_2} row 1: "):
            read_reports([week_1, week_2])


STATISTICS_ORDER = {
    "srid": "a1", "date": "2025-04-01T10:00:00", "lastChangeDate": "2025-04-01T10:00:00",
    "nmId": 42, "finishedPrice": 990.5, "isCancel": False, "cancelDate": "0001-01-01T00:00:00",
}  # fmt: skip


class TestMergedFormats:
    def test_a_contradiction_between_formats_names_the_file_and_row_of_each(
        self, tmp_path: Path
    ) -> None:
        """
        The same order in an order-lines CSV (row 3) and a Wildberries orders report (row 1):
        the conflict the merge finds names both files and rows, never "(records given)".
        """
        lines = tmp_path / "lines.csv"
        lines.write_text(
            "order_id,sku,price,ordered_at\nb1,42,1000,2025-04-01T10:00:00+03:00\n"
            "a1,42,99050,2025-04-01T10:00:00+03:00\n",
            encoding="utf-8",
        )
        orders = tmp_path / "orders.json"
        orders.write_text(json.dumps([STATISTICS_ORDER]), encoding="utf-8")
        history, report = read_reports([lines, orders], errors="collect")
        (conflict,) = report.conflicts
        places = {(str(lines), 3), (str(orders), 1)}
        assert (conflict.source, conflict.row) in places
        ((other, row),) = places - {(conflict.source, conflict.row)}
        assert f"against {other} row {row}" in conflict.reason
        assert conflict.rule == "duplicate-order"
        assert len(history.orders) == 2
        with pytest.raises(DuplicateRecordError) as caught:
            read_reports([lines, orders])
        assert str(caught.value).startswith((f"{lines} row 3: ", f"{orders} row 1: "))

    def test_an_order_that_lost_its_cancellation_is_still_named(self, tmp_path: Path) -> None:
        """
        Wildberries' own example pair (an order cancelled and sold: its cancellation put
        aside, so the order kept is a new record) beside order lines holding that order:
        the merge still names the orders report's row, never "(records given)".
        """
        orders = DATA / "statistics-supplier-orders.example.json"
        sales = DATA / "statistics-supplier-sales.example.json"
        (order,) = read_wildberries_statistics(orders=orders, sales=sales, errors="collect")[
            0
        ].orders
        lines = tmp_path / "lines.csv"
        lines.write_text(
            f"order_id,sku,price,ordered_at\n{order.order_id},k,100,2022-03-01T10:00:00+03:00\n",
            encoding="utf-8",
        )
        _, report = read_reports([orders, sales, lines], errors="collect")
        assert [c.rule for c in report.conflicts] == ["sold-but-cancelled", "duplicate-order"]
        duplicate = report.conflicts[1]
        places = {f"{orders} row 1", f"{lines} row 2"}
        named = f"{duplicate.source} row {duplicate.row}"
        assert named in places
        assert f"against {(places - {named}).pop()}" in duplicate.reason

    def test_two_order_lines_files_name_their_rows_too(self, tmp_path: Path) -> None:
        """
        Each order-lines file is read apart: the merge names the rows of both.
        """
        first, second = tmp_path / "a.csv", tmp_path / "b.csv"
        first.write_text(LINE, encoding="utf-8")
        second.write_text(LINE, encoding="utf-8")
        _, report = read_reports([first, second], errors="collect")
        (conflict,) = report.conflicts
        assert (conflict.source, conflict.row) == (str(second), 2)
        assert f"against {first} row 2" in conflict.reason


class TestTheFormatTable:
    def test_every_kind_is_a_format_and_every_format_reads_or_enriches(self) -> None:
        """
        The kind names are the table's, and each row has exactly one of a reader or enricher.
        """
        kinds = set(get_args(ReportKind))
        assert kinds == {fmt.kind for fmt in FORMATS} | {"empty"}
        for fmt in FORMATS:
            assert (fmt.read is None) != (fmt.enrich is None), fmt.kind

    def test_the_refusal_names_every_format(self, tmp_path: Path) -> None:
        """
        A file of no known format is refused with the title of every format read.
        """
        other = tmp_path / "other.json"
        other.write_text('[{"something": 1}]', encoding="utf-8")
        with pytest.raises(ReportFormatError) as caught:
            report_kind(other)
        for fmt in FORMATS:
            assert fmt.title in str(caught.value)

    def test_goods_returns_and_claims_enrich_what_the_other_files_make(
        self, tmp_path: Path
    ) -> None:
        """
        A realization report makes a refused order and a returned one; the goods-return
        report and a claim read beside it say why, and every row is accounted for.
        """
        rows = [
            {"rrd_id": 1, "supplier_oper_name": "Логистика", "srid": "refused", "nm_id": 7,
             "order_dt": "2025-04-01T09:00:00Z", "sale_dt": "2025-04-05T00:00:00Z",
             "retail_price_withdisc_rub": 0, "return_amount": 1},
            {"rrd_id": 2, "supplier_oper_name": "Продажа", "srid": "kept", "nm_id": 7,
             "order_dt": "2025-04-01T09:00:00Z", "sale_dt": "2025-04-05T00:00:00Z",
             "retail_price_withdisc_rub": 100},
            {"rrd_id": 3, "supplier_oper_name": "Возврат", "srid": "kept", "nm_id": 7,
             "order_dt": "2025-04-01T09:00:00Z", "sale_dt": "2025-04-08T00:00:00Z",
             "retail_price_withdisc_rub": 100},
        ]  # fmt: skip
        (tmp_path / "realization.json").write_text(json.dumps(rows), encoding="utf-8")
        goods = {"report": [{"srid": "refused", "shkId": 1, "returnType": "Возврат брака"}]}
        (tmp_path / "goods.json").write_text(json.dumps(goods), encoding="utf-8")
        claim = {"id": "c-1", "claim_type": 1, "srid": "kept", "user_comment": "Цвет"}
        claims = {"claims": [claim], "total": 1}
        (tmp_path / "claims.json").write_text(json.dumps(claims), encoding="utf-8")
        history, report = read_reports([tmp_path])
        refused = next(o for o in history.orders if o.order_id == "refused")
        assert refused.cancel_kind is CancelKind.REFUSED
        assert refused.cancel_reason == Reason(ReasonCategory.QUALITY_DEFECT, "Возврат брака")
        (back,) = history.returns
        assert (back.kind, back.reason) == (
            ReturnKind.RETURN,
            Reason(ReasonCategory.APPEARANCE, "Цвет"),
        )
        assert (report.rows_read, report.used, report.accounted) == (5, 5, True)


PORTAL_HEADER = (
    "Номер заказа;Номер отправления;Принят в обработку;Дата отгрузки;Статус;Дата доставки;"
    "Фактическая дата передачи в доставку;Сумма отправления;Код валюты отправления;"
    "Наименование товара;OZON id;Артикул;Ваша цена;Код валюты товара;"
    "Стоимость товара для покупателя;Код валюты покупателя;Количество;Объемный вес товаров, кг"
)
PORTAL_ROW = (
    "0132-0101;0132-0101-1;01.04.2025 10:00;02.04.2025 09:00;Доставлен;03.04.2025 15:30;"
    "02.04.2025 12:00;1981,00;RUB;Платье;42;dress-m;990,50;RUB;990,50;RUB;2;0,4"
)


class TestThePortalReport:
    @pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1251"])
    def test_it_is_recognised_whatever_its_encoding(self, tmp_path: Path, encoding: str) -> None:
        """
        The portal's CSV, with a byte-order mark, without, or in Windows-1251, is told apart
        by its Russian header.
        """
        path = tmp_path / "postings.csv"
        path.write_bytes(f"{PORTAL_HEADER}\n{PORTAL_ROW}\n".encode(encoding))
        assert report_kind(path) == "ozon-portal-postings"

    def test_it_is_read_with_the_moment_it_was_downloaded(self, tmp_path: Path) -> None:
        """
        Like the API's lists, the portal's report needs as_of; its units become orders.
        """
        (tmp_path / "postings.csv").write_bytes(f"{PORTAL_HEADER}\n{PORTAL_ROW}\n".encode("cp1251"))
        with pytest.raises(InvalidArgumentError, match="as_of"):
            read_reports([tmp_path])
        history, report = read_reports([tmp_path], as_of=datetime(2025, 5, 1, tzinfo=UTC))
        assert [o.order_id for o in history.orders] == [
            "0132-0101-1/42/1",
            "0132-0101-1/42/2",
        ]
        assert (report.rows_read, report.sales, report.accounted) == (1, 2, True)
        assert any("Windows-1251" in note for note in report.notes)

    def test_returns_of_the_api_match_the_portal_postings(self, tmp_path: Path) -> None:
        """
        A returns list read beside a portal report returns the portal's units.
        """
        (tmp_path / "postings.csv").write_text(
            f"{PORTAL_HEADER}\n{PORTAL_ROW}\n", encoding="utf-8-sig"
        )
        returned = {
            "id": 1,
            "type": "ClientReturn",
            "posting_number": "0132-0101-1",
            "product": {"sku": 42, "quantity": 1},
            "logistic": {"return_date": "2025-04-10T10:00:00Z"},
        }
        (tmp_path / "returns.json").write_text(
            json.dumps({"returns": [returned]}), encoding="utf-8"
        )
        history, report = read_reports([tmp_path], as_of=datetime(2025, 5, 1, tzinfo=UTC))
        assert [back.order_id for back in history.returns] == ["0132-0101-1/42/1"]
        assert report.accounted


class TestTheRefusal:
    @pytest.mark.parametrize(
        ("content", "looks", "closest"),
        [
            (
                "Номер заказа;Номер отправления;Принят в обработку;Объемный вес, кг\n1;2;3;4\n",
                (
                    "semicolon-separated, 4 columns, header «Номер заказа», «Номер отправления», "
                    "«Принят в обработку», «Объемный вес, кг»"
                ),
                (
                    "closest: Ozon postings report CSV from the seller portal (FBO/FBS, needs "
                    "--as-of), missing column «Статус»"
                ),
            ),
            (
                "order_id\tsku\tprice\n",
                "tab-separated, 3 columns, header «order_id», «sku», «price»",
                "closest: order-lines CSV, missing column «ordered_at»",
            ),
            (
                '{"result": [{"posting_number": "1"}], "has_next": false}',
                "a JSON object with the keys «result», «has_next»",
                "closest: Ozon FBO/FBS posting list JSON (needs --as-of), missing key «products»",
            ),
            (
                '[{"srid": "a", "nmId": 1}]',
                "a JSON array of 1 item, with the keys «srid», «nmId»",
                "closest: Wildberries goods-return report JSON, missing key «returnType»",
            ),
            (
                "a,b\n1,2\n",
                "comma-separated, 2 columns, header «a», «b»",
                "no format shares a column or key with it",
            ),
        ],
    )
    def test_it_says_what_the_file_looked_like_and_the_closest_format(
        self, tmp_path: Path, content: str, looks: str, closest: str
    ) -> None:
        """
        The message names the file's dialect and header (or its JSON shape and keys), then
        the format sharing most of its columns or keys and what that format misses.
        """
        path = tmp_path / "f"
        path.write_text(content, encoding="utf-8")
        with pytest.raises(ReportFormatError) as caught:
            report_kind(path)
        message = str(caught.value)
        assert message.startswith(f"{path}: {looks}: not a report this library reads; ")
        assert f"reads; {closest}; it reads " in message

    def test_a_workbook_of_another_table_says_its_sheets_and_first_row(
        self, tmp_path: Path
    ) -> None:
        """
        Order lines saved as a workbook: described by its sheets and first row, not by the
        bytes of a zip archive, and told to be saved as CSV.
        """
        openpyxl = pytest.importorskip("openpyxl")
        book = openpyxl.Workbook()
        book.active.title = "Заказы"
        book.active.append(["order_id", "sku", "price", "ordered_at"])
        book.active.append(["o1", "a", 100, "2025-04-30 23:30"])
        book.create_sheet("Итоги")
        path = tmp_path / "lines.xlsx"
        book.save(path)
        with pytest.raises(ReportFormatError) as caught:
            report_kind(path)
        message = str(caught.value)
        assert message.startswith(
            f"{path}: an Excel workbook, 2 sheets «Заказы», «Итоги», the first's first row "
            "«order_id», «sku», «price», «ordered_at»: not a report this library reads; "
            "the one workbook this library reads is the Wildberries realization report "
        )
        assert "order lines and Ozon postings it reads as CSV: save the sheet as CSV" in message
        assert "its first row is the header of order-lines CSV" in message
        assert "PK" not in message

    def test_a_zip_of_other_files_names_them(self, tmp_path: Path) -> None:
        """
        A zip archive holding no workbook says what it holds.
        """
        import zipfile  # noqa: PLC0415 - only this test builds an archive

        path = tmp_path / "download.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("orders.json", "[]")
        with pytest.raises(ReportFormatError) as caught:
            report_kind(path)
        assert str(caught.value).startswith(
            f"{path}: a zip archive of «orders.json», no Excel workbook (.xlsx) among them: "
            "not a report this library reads; "
        )

    def test_without_openpyxl_a_workbook_is_named_with_its_extra(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """
        Whether a workbook is the realization report cannot be seen without openpyxl: the
        refusal says it is a workbook and which extra reads it, in a `ReportFormatError`.
        """
        openpyxl = pytest.importorskip("openpyxl")
        path = tmp_path / "report.xlsx"
        openpyxl.Workbook().save(path)
        real_import = builtins.__import__

        def no_openpyxl(name: str, *args: Any, **kwargs: Any) -> Any:
            if name.split(".", maxsplit=1)[0] == "openpyxl":
                raise ImportError(name)
            return real_import(name, *args, **kwargs)

        monkeypatch.setattr(builtins, "__import__", no_openpyxl)
        with pytest.raises(ReportFormatError) as caught:
            report_kind(path)
        assert str(caught.value).startswith(
            f"{path}: an Excel workbook; install redemption[excel] to read it "
            "(pip install 'redemption[excel]'); the one workbook this library reads is "
        )

    @pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
    def test_utf_16_text_is_refused_as_the_csv_readers_refuse_it(
        self, tmp_path: Path, encoding: str
    ) -> None:
        """
        Excel's "Unicode text" (UTF-16, tab-separated): refused saying how to save it, with
        the words of the CSV readers, not described as garbled letters.
        """
        path = tmp_path / "lines.txt"
        text = "order_id\tsku\tprice\tordered_at\no1\ta\t100\t2025-04-30\n"
        mark = {"utf-16": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[encoding]
        path.write_bytes(mark + text.encode(encoding))
        with pytest.raises(ReportFormatError) as caught:
            report_kind(path)
        assert str(caught.value) == (
            f"{path}: UTF-16 text; save it as UTF-8 or Windows-1251 (CSV UTF-8 in Excel)"
        )

    def test_a_long_header_is_cut_short(self, tmp_path: Path) -> None:
        """
        Only the first eight names are shown; the count says how many there are.
        """
        path = tmp_path / "wide.csv"
        path.write_text(";".join(f"c{n}" for n in range(30)) + "\n", encoding="utf-8")
        with pytest.raises(ReportFormatError, match=r"30 columns, header «c0», .*«c7», \.\.\.:"):
            report_kind(path)
