from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

import pytest

from redemption import (
    CancelKind,
    DuplicateRecordError,
    InvalidArgumentError,
    Reason,
    ReasonCategory,
    ReportFormatError,
    ReturnKind,
)
from redemption.io import read_reports, read_wildberries_statistics, report_kind
from redemption.io.files import FORMATS, ReportKind
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

    def test_a_long_header_is_cut_short(self, tmp_path: Path) -> None:
        """
        Only the first eight names are shown; the count says how many there are.
        """
        path = tmp_path / "wide.csv"
        path.write_text(";".join(f"c{n}" for n in range(30)) + "\n", encoding="utf-8")
        with pytest.raises(ReportFormatError, match=r"30 columns, header «c0», .*«c7», \.\.\.:"):
            report_kind(path)
