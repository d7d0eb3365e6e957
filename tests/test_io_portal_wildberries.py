"""The seller portal's realization report (.xlsx, or the .zip holding it) reads as the API's rows.

The workbooks are built here with openpyxl, under the headers the portal writes (see
`redemption.io.portal_wildberries`), from rows of the API's ``reportDetailByPeriod``: what
the portal file makes is checked against what `read_wildberries_realization` makes of the
same rows, which its own tests pin.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import json
import random
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "openpyxl", reason="openpyxl is not installed: the portal's workbooks need the excel extra"
)

import openpyxl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from redemption import MOSCOW, CancelKind, History, RedemptionError
from redemption.errors import LimitExceededError, MissingExtraError, ReportFormatError
from redemption.io import (
    ImportReport,
    Limits,
    read_reports,
    read_wildberries_portal_realization,
    read_wildberries_realization,
    report_kind,
)
from redemption.io.portal_wildberries import COLUMNS, read_realization_reports
from redemption.io.report import Errors
from redemption.model import Logistics

# The portal's header row: the columns read, among others it has (a report of 2025 has 81).
HEADER = [
    "№",
    "Номер поставки",
    "Предмет",
    "Код номенклатуры",
    "Бренд",
    "Артикул поставщика",
    "Тип документа",
    "Обоснование для оплаты",
    "Дата заказа покупателем",
    "Дата продажи",
    "Кол-во",
    "Цена розничная",
    "Цена розничная с учетом согласованной скидки",
    "Количество доставок",
    "Количество возврата",
    "Услуги по доставке товара покупателю",
    "Дата начала действия фиксации",
    "Дата конца действия фиксации",
    "Виды логистики, штрафов и корректировок ВВ",
    "Srid",
]
FIELD_OF = {
    "Код номенклатуры": "nm_id",
    "Обоснование для оплаты": "supplier_oper_name",
    "Дата заказа покупателем": "order_dt",
    "Дата продажи": "sale_dt",
    "Цена розничная с учетом согласованной скидки": "retail_price_withdisc_rub",
    "Количество доставок": "delivery_amount",
    "Количество возврата": "return_amount",
    "Услуги по доставке товара покупателю": "delivery_rub",
    "Виды логистики, штрафов и корректировок ВВ": "bonus_type_name",
    "Srid": "srid",
}
MOMENTS = {"order_dt", "sale_dt"}
AMOUNTS = {"retail_price_withdisc_rub", "delivery_rub"}
Style = Callable[[str, object], object]


def api_row(rrd_id: int, operation: str, srid: str | None = "a", **fields: Any) -> dict[str, Any]:
    """A ``reportDetailByPeriod`` row with the fields the realization reader reads."""
    return {
        "rrd_id": rrd_id,
        "supplier_oper_name": operation,
        "srid": srid,
        "nm_id": 777,
        "order_dt": "2025-04-01T09:00:00",
        "sale_dt": "2025-04-05T00:00:00",
        "retail_price_withdisc_rub": "0",
        "delivery_amount": 0,
        "return_amount": 0,
    } | fields


def _written(field: str, value: object) -> bool:
    """Whether a date or an amount is one, to be written as the portal writes one."""
    try:
        if field in MOMENTS:
            datetime.fromisoformat(str(value))
        elif field in AMOUNTS:
            Decimal(str(value))
    except (ValueError, ArithmeticError):
        return False
    return True


def as_excel(field: str, value: object) -> object:
    """A value as an Excel cell holds it: a date, a number (text that is neither, as text)."""
    if value is None or not _written(field, value):
        return value
    if field in MOMENTS:
        return datetime.fromisoformat(str(value))
    if field in AMOUNTS:
        return float(Decimal(str(value)))
    return value


def as_text(field: str, value: object) -> object:
    """A value as text in a cell: a day-first date, a decimal comma with grouped digits."""
    if value is None or not _written(field, value):
        return value
    if field in MOMENTS:
        return datetime.fromisoformat(str(value)).strftime("%d.%m.%Y %H:%M:%S")
    if field in AMOUNTS:
        whole, _, fraction = f"{Decimal(str(value)):,}".partition(".")
        return whole.replace(",", "\u00a0") + ("," + fraction if fraction else "")
    return value


def as_iso(field: str, value: object) -> object:
    """A value as the API writes it, in a text cell."""
    return value if value is None or field not in AMOUNTS else str(value)


STYLES: dict[str, Style] = {"excel": as_excel, "text": as_text, "iso": as_iso}


def portal_row(row: dict[str, Any], number: int, style: Style = as_excel) -> list[object]:
    """The portal's cells for an API row: the columns read, and the others filled."""
    filler = {
        "№": number,
        "Номер поставки": 123456,
        "Предмет": "Мини-печи",
        "Бренд": "BlahBlah",
        "Артикул поставщика": "MAB123",
        "Тип документа": "Продажа",
        "Кол-во": 1,
        "Цена розничная": 1249,
        "Дата начала действия фиксации": datetime(2024, 10, 23),
        "Дата конца действия фиксации": datetime(2030, 11, 18),
    }
    return [
        style(FIELD_OF[h], row.get(FIELD_OF[h])) if h in FIELD_OF else filler.get(h) for h in HEADER
    ]


def workbook(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    """The bytes of an .xlsx with these sheets, each a list of rows."""
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type] # a new workbook has its first sheet
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for values in rows:
            sheet.append(list(values))
    file = io.BytesIO()
    book.save(file)
    return file.getvalue()


def report_workbook(rows: Sequence[dict[str, Any]], style: Style = as_excel) -> bytes:
    """The portal's workbook of these API rows, on a sheet named as the portal names it."""
    cells = [portal_row(row, number, style) for number, row in enumerate(rows, 1)]
    return workbook({"Sheet1": [HEADER, *cells]})


def zipped(members: dict[str, bytes]) -> bytes:
    """The bytes of a zip archive of these files."""
    file = io.BytesIO()
    with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return file.getvalue()


def same_history(portal: History, api: History) -> None:
    """The same records, and the same horizon."""
    assert portal.orders == api.orders
    assert portal.sales == api.sales
    assert portal.returns == api.returns
    assert dict(portal.logistics) == dict(api.logistics)
    assert portal.horizon == api.horizon


def same_report(portal: ImportReport, api: ImportReport) -> None:
    """Every row counted alike: the portal's rows are one further down (the header)."""
    counts = ("rows_read", "used", "merged", "orders", "sales", "returns", "rounded", "logistics")
    assert [getattr(portal, c) for c in counts] == [getattr(api, c) for c in counts]
    # the reasons quote values, which a cell may write otherwise (12.0 for "12.00")
    assert [p.row - 1 for p in portal.skipped] == [p.row for p in api.skipped]
    assert [(p.row - 1, FIELD_OF.get(p.field or "")) for p in portal.refused] == [
        (p.row, p.field) for p in api.refused
    ]
    assert [(p.row - 1, p.rule) for p in portal.conflicts] == [
        (p.row, p.rule) for p in api.conflicts
    ]
    assert portal.unknown_reasons == api.unknown_reasons
    assert portal.accounted


_VALID = report_workbook(
    [
        api_row(1, "Продажа", retail_price_withdisc_rub="10"),
        api_row(2, "Логистика", "b", delivery_rub="5", bonus_type_name="От клиента при отмене"),
    ]
)
_PARTS = {
    info.filename: zipfile.ZipFile(io.BytesIO(_VALID)).read(info)
    for info in zipfile.ZipFile(io.BytesIO(_VALID)).infolist()
}
"""A workbook of two rows, and the files it is made of."""

# --- Random report rows ----------------------------------------------------------------------

_OPERATIONS = ["Продажа", "Возврат", "Логистика", "Штраф", "Хранение", "Логистика сторно"]
_BONUSES = [
    None,
    "К клиенту при продаже",
    "К клиенту при отмене",
    "От клиента при отмене",
    "От клиента при возврате",
    "Возврат брака (К продавцу)",
    "Штраф МП. Невыполненный заказ",
    "Сторно. Штраф МП. Невыполненный заказ",
    "Возврат по инициативе продавца (К продавцу)",
    "Что-то новое",
]
_START = datetime(2025, 3, 28)

moments = st.builds(
    lambda minutes: (_START + timedelta(minutes=minutes)).isoformat(),
    st.integers(0, 30 * 24 * 60),
)
amounts = st.builds(
    lambda kopecks: str(Decimal(kopecks).scaleb(-2)), st.integers(-10_000, 10_000_000)
)


@st.composite
def realization_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Rows of a realization report: a few order lines, each row of any kind, valid or not.

    Every row of a line says the same order date, as the API's do.
    """
    srids = ["a", "b", "c", "0f1c3999172603062979867564654dac"]
    ordered = {srid: draw(moments) for srid in srids}
    rows = []
    for number in range(1, draw(st.integers(1, 12)) + 1):
        srid = draw(st.sampled_from([*srids, None]))
        rows.append(
            {
                "rrd_id": number,
                "supplier_oper_name": draw(st.sampled_from(_OPERATIONS)),
                "srid": srid,
                "nm_id": draw(st.integers(1, 10**9)),
                "order_dt": draw(moments) if srid is None else ordered[srid],
                "sale_dt": draw(moments),
                "retail_price_withdisc_rub": draw(amounts),
                "bonus_type_name": draw(st.sampled_from(_BONUSES)),
                "delivery_rub": draw(st.none() | amounts),
                "delivery_amount": draw(st.integers(0, 1)),
                "return_amount": draw(st.integers(0, 1)),
            }
        )
    return rows


class TestTheSameRowsAsTheApi:
    @example(
        rows=[
            api_row(1, "Логистика", bonus_type_name="К клиенту при отмене", delivery_rub="51.50"),
            api_row(
                2,
                "Логистика",
                bonus_type_name="От клиента при отмене",
                delivery_rub="50",
                return_amount=1,
                sale_dt="2025-04-07T08:00:00",
            ),
        ],
        style="text",
    )
    @given(rows=realization_rows(), style=st.sampled_from(sorted(STYLES)))
    @settings(
        deadline=None,
        max_examples=max(settings().max_examples // 2, 10),
        suppress_health_check=[HealthCheck.too_slow],
    )
    def test_a_workbook_reads_to_the_history_of_its_api_rows(
        self, rows: list[dict[str, Any]], style: str
    ) -> None:
        """
        Dates as Excel dates, day-first text or ISO text, amounts as Excel numbers or text
        with a decimal comma: the same history, every row accounted for alike.
        """
        api, api_report = read_wildberries_realization(rows, errors="collect")
        data = report_workbook(rows, STYLES[style])
        portal, portal_report = read_wildberries_portal_realization(data, errors="collect")
        same_history(portal, api)
        same_report(portal_report, api_report)

    def test_the_zip_the_portal_gives_reads_as_its_workbook(self, tmp_path: Path) -> None:
        """
        The portal's .zip holding the .xlsx: the same history, named by the workbook inside.
        """
        rows = [
            api_row(1, "Логистика", "sold", delivery_amount=1, delivery_rub="48.16",
                    bonus_type_name="К клиенту при продаже"),
            api_row(2, "Продажа", "sold", retail_price_withdisc_rub="499.50"),
            api_row(3, "Логистика", "refused", return_amount=1, delivery_rub="50",
                    bonus_type_name="От клиента при отмене", sale_dt="2025-04-07T08:00:00"),
            api_row(4, "Продажа", "bad", sale_dt="вчера"),
        ]  # fmt: skip
        path = tmp_path / "report.zip"
        path.write_bytes(
            zipped({"Еженедельный детализированный отчет №1.xlsx": report_workbook(rows)})
        )
        history, report = read_wildberries_portal_realization(path, errors="collect")
        api, _ = read_wildberries_realization(rows, errors="collect")
        same_history(history, api)
        assert [order.cancel_kind for order in history.orders] == [None, CancelKind.REFUSED, None]
        assert history.logistics["sold"] == Logistics(order_id="sold", to_buyer="48.16", back=0)
        (refused,) = report.refused
        assert refused.source == (
            f"{path}/Еженедельный детализированный отчет №1.xlsx, sheet 'Sheet1'"
        )
        assert (refused.row, refused.field) == (5, "Дата продажи")

    def test_the_rows_of_one_order_may_be_in_two_workbooks(self) -> None:
        """
        A zip of two parts is one report: a sale in the first, its return in the second.
        """
        first = report_workbook([api_row(1, "Продажа", retail_price_withdisc_rub="10")])
        second = report_workbook(
            [api_row(1, "Возврат", retail_price_withdisc_rub="10", sale_dt="2025-04-09T00:00:00")]
        )
        history, report = read_wildberries_portal_realization(
            zipped({"part 1.xlsx": first, "part 2.xlsx": second, "readme.txt": b"hi"})
        )
        (order,), (sale,) = history.orders, history.sales
        assert order.order_id == sale.order_id == "a"
        assert history.returns[0].returned_at == datetime(2025, 4, 9, tzinfo=MOSCOW)
        assert (report.rows_read, report.used, report.accounted) == (2, 2, True)

    def test_earlier_headers_read_the_same(self) -> None:
        """
        «Виды логистики, штрафов и доплат», «Кол-во доставок», «учётом», any case: read alike.
        """
        older = {
            "Виды логистики, штрафов и корректировок ВВ": "Виды логистики, штрафов и доплат",
            "Количество доставок": "Кол-во доставок",
            "Цена розничная с учетом согласованной скидки": (
                "цена розничная с учётом  согласованной скидки"
            ),
        }
        rows = [
            api_row(1, "Логистика", delivery_amount=1, delivery_rub="30"),
            api_row(2, "Логистика", return_amount=1, bonus_type_name="От клиента при отмене",
                    delivery_rub="20", retail_price_withdisc_rub="990"),
        ]  # fmt: skip
        cells = [portal_row(row, number) for number, row in enumerate(rows, 1)]
        data = workbook({"Отчет": [[older.get(h, h) for h in HEADER], *cells]})
        history, _ = read_wildberries_portal_realization(data)
        same_history(history, read_wildberries_realization(rows)[0])
        assert history.orders[0].cancel_kind is CancelKind.REFUSED


class TestValues:
    def read(self, cells: dict[str, object]) -> tuple[History, ImportReport]:
        """Read a sale whose cells under these headers are these."""
        row = portal_row(api_row(1, "Продажа"), 1)
        values = [cells.get(h, value) for h, value in zip(HEADER, row, strict=True)]
        return read_wildberries_portal_realization(
            workbook({"Sheet1": [HEADER, values]}), errors="collect"
        )

    @pytest.mark.parametrize(
        ("cell", "moment"),
        [
            (datetime(2025, 4, 1, 9, 30), datetime(2025, 4, 1, 9, 30, tzinfo=MOSCOW)),
            (45748, datetime(2025, 4, 1, tzinfo=MOSCOW)),  # days since 1899-12-30
            (45748.5, datetime(2025, 4, 1, 12, tzinfo=MOSCOW)),
            ("01.04.2025", datetime(2025, 4, 1, tzinfo=MOSCOW)),
            ("1.4.2025 9:05", datetime(2025, 4, 1, 9, 5, tzinfo=MOSCOW)),
            ("2025-04-01T09:00:00Z", datetime(2025, 4, 1, 9, tzinfo=UTC)),
            ("2025-04-01 09:00:00", datetime(2025, 4, 1, 9, tzinfo=MOSCOW)),
        ],
    )
    def test_each_way_of_writing_a_date(self, cell: object, moment: datetime) -> None:
        """
        An Excel date, a number of days, day-first or ISO text; naive is Moscow time.
        """
        history, report = self.read({"Дата заказа покупателем": cell})
        assert history.orders[0].ordered_at == moment
        assert report.refused == ()

    @pytest.mark.parametrize(
        ("cell", "price"),
        [
            (1249.5, "1249.50"),
            (1249, "1249.00"),
            ("1249,5", "1249.50"),
            ("1 249,50", "1249.50"),
            ("1\u00a0249,50", "1249.50"),
            ("1\u202f249", "1249.00"),
            ("1249.50", "1249.50"),
        ],
    )
    def test_each_way_of_writing_an_amount(self, cell: object, price: str) -> None:
        """
        An Excel number, text with a decimal comma and spaces between groups of digits.
        """
        history, _ = self.read({"Цена розничная с учетом согласованной скидки": cell})
        assert history.orders[0].price == Decimal(price)

    @pytest.mark.parametrize(
        ("header", "cell", "reason"),
        [
            ("Дата продажи", "вчера", "not a date and time: 'вчера' (cell J2)"),
            ("Дата продажи", "31.02.2025", "not a date and time: '31.02.2025' (cell J2)"),
            ("Дата заказа покупателем", time(9, 30), "expected text or a whole number"),
            ("Цена розничная с учетом согласованной скидки", "1,249.50", "not a number"),
            ("Цена розничная с учетом согласованной скидки", "много", "not a number"),
            ("Код номенклатуры", 12.5, "expected text or a whole number, found 12.5"),
            ("Srid", 1.2e18, "expected text or a whole number"),
        ],
    )
    def test_a_bad_cell_names_the_file_sheet_row_and_column(
        self, header: str, cell: object, reason: str
    ) -> None:
        """
        In raise mode the error says where; in collect mode the row is refused, accounted.
        """
        _, report = self.read({header: cell})
        (refused,) = report.refused
        assert (refused.source, refused.row, refused.field) == (
            "<bytes>, sheet 'Sheet1'",
            2,
            header,
        )
        assert reason in refused.reason
        assert report.accounted
        row = portal_row(api_row(1, "Продажа"), 1)
        values = [cell if h == header else value for h, value in zip(HEADER, row, strict=True)]
        data = workbook({"Sheet1": [HEADER, values]})
        with pytest.raises(ReportFormatError, match=r"sheet 'Sheet1' row 2, field") as raised:
            read_wildberries_portal_realization(data)
        assert (raised.value.row, raised.value.field) == (2, header)


class TestSheetsAndRows:
    def test_a_missing_column_names_the_file_the_sheet_and_the_column(self, tmp_path: Path) -> None:
        """
        A report sheet without «Srid» is refused as a whole, naming all three.
        """
        header = [h for h in HEADER if h != "Srid"]
        path = tmp_path / "report.xlsx"
        path.write_bytes(workbook({"Детализация": [header, [1] * len(header)]}))
        with pytest.raises(ReportFormatError, match="no column 'Srid'") as raised:
            read_wildberries_portal_realization(path)
        assert str(raised.value).startswith(f"{path}, sheet 'Детализация': no column 'Srid'")
        assert raised.value.field == "Srid"

    def test_a_workbook_without_the_report_is_refused(self) -> None:
        """
        No sheet has «Обоснование для оплаты»: not this report, with each sheet named.
        """
        data = workbook({"Остатки": [["Артикул", "Остаток"], ["a", 1]], "Пусто": []})
        with pytest.raises(ReportFormatError, match="no sheet has the column") as raised:
            read_wildberries_portal_realization(data)
        assert "sheet 'Остатки'; <bytes>, sheet 'Пусто'" in str(raised.value)

    def test_the_header_may_follow_title_rows_and_empty_rows_end_nothing(self) -> None:
        """
        Rows above the header are no rows; empty rows at the end are none; an empty row
        between rows is refused as a row without an operation. Rows keep Excel's numbers.
        """
        sale = portal_row(api_row(1, "Продажа", "a"), 1)
        other = portal_row(api_row(2, "Продажа", "b"), 2)
        blank = [None] * len(HEADER)
        data = workbook(
            {"Sheet1": [["Отчёт № 1"], [], HEADER, sale, blank, other, blank, ["  "], blank]}
        )
        history, report = read_wildberries_portal_realization(data, errors="collect")
        assert [o.order_id for o in history.orders] == ["a", "b"]
        assert [(p.row, p.field, p.reason) for p in report.refused] == [
            (5, "Обоснование для оплаты", "missing (cell H5)")
        ]
        assert (report.rows_read, report.used, report.accounted) == (3, 2, True)

    def test_every_sheet_of_the_report_is_read_the_others_passed_over(self) -> None:
        """
        A second sheet of rows continues the report; a sheet of something else is no part.
        """
        data = workbook(
            {
                "Справка": [["Итого", 100]],
                "1": [HEADER, portal_row(api_row(1, "Продажа", "a"), 1)],
                "2": [HEADER, portal_row(api_row(2, "Продажа", "b"), 2)],
            }
        )
        history, report = read_wildberries_portal_realization(data)
        assert [o.order_id for o in history.orders] == ["a", "b"]
        assert report.rows_read == 2

    def test_the_horizon_is_unknown_unless_the_file_says_where_its_period_ends(self) -> None:
        """
        The portal's file has no period: no horizon. A «Дата конца отчётного периода»
        column is the API's date_to: the end of that day in Moscow time.
        """
        rows = [api_row(1, "Продажа")]
        assert read_wildberries_portal_realization(report_workbook(rows))[0].horizon is None
        header = [*HEADER, "Дата конца отчётного периода"]
        cells = [*portal_row(rows[0], 1), datetime(2025, 4, 13)]
        history, _ = read_wildberries_portal_realization(workbook({"S": [header, cells]}))
        expected = read_wildberries_realization([rows[0] | {"date_to": "2025-04-13"}])[0]
        assert history.horizon == expected.horizon == datetime(2025, 4, 13, 21, tzinfo=UTC)

    def test_progress_is_told_per_sheet(self) -> None:
        """
        Told the sheet's name, the rows done, and the rows it says it holds.
        """
        told: list[tuple[str, int, int]] = []
        rows = [api_row(n, "Продажа", f"o{n}") for n in range(1, 4)]
        read_wildberries_portal_realization(
            report_workbook(rows), progress=lambda *args: told.append(args)
        )
        assert told == [("<bytes>, sheet 'Sheet1'", 3, 3)]


class TestRecognition:
    def test_the_workbook_and_its_zip_are_recognised_by_content(self, tmp_path: Path) -> None:
        """
        Whatever their names; `read_reports` and the command line read them.
        """
        rows = [api_row(1, "Продажа", retail_price_withdisc_rub="10")]
        book = tmp_path / "report.bin"
        book.write_bytes(report_workbook(rows))
        archive = tmp_path / "download"
        archive.write_bytes(zipped({"report.xlsx": report_workbook(rows)}))
        assert report_kind(book) == report_kind(archive) == "wildberries-realization-xlsx"
        history, report = read_reports([archive], seller_id="shop")
        assert [(o.order_id, o.seller_id) for o in history.orders] == [("a", "shop")]
        assert report.accounted

    @pytest.mark.parametrize(
        "content",
        [
            zipped({"data.json": b"[]"}),
            workbook({"Остатки": [["Артикул", "Остаток"]]}),
            zipped({"other.xlsx": workbook({"Остатки": [["Артикул"]]})}),
        ],
    )
    def test_other_zips_and_workbooks_are_no_report(self, tmp_path: Path, content: bytes) -> None:
        """
        A zip of no workbook, or a workbook of another table: not a report this reads.
        """
        path = tmp_path / "file.zip"
        path.write_bytes(content)
        with pytest.raises(ReportFormatError, match="not a report this library reads"):
            report_kind(path)

    def test_the_missing_extra_is_named(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """
        Without openpyxl, reading or recognising a workbook says which extra to install:
        reading raises a `MissingExtraError` (an `ImportError`); recognising, a
        `ReportFormatError` naming the file
        (one line on the command line).
        """
        path = tmp_path / "report.xlsx"
        path.write_bytes(report_workbook([api_row(1, "Продажа")]))
        real_import = builtins.__import__

        def no_openpyxl(name: str, *args: Any, **kwargs: Any) -> Any:
            if name.split(".", maxsplit=1)[0] == "openpyxl":
                raise ImportError(name)
            return real_import(name, *args, **kwargs)

        monkeypatch.setattr(builtins, "__import__", no_openpyxl)
        with pytest.raises(MissingExtraError, match=r"pip install 'redemption\[excel\]'"):
            read_wildberries_portal_realization(path)
        with pytest.raises(ReportFormatError, match=r"pip install 'redemption\[excel\]'"):
            report_kind(path)
        with pytest.raises(ReportFormatError, match=f"^{path}: an Excel workbook"):
            read_reports([path])


class TestWeeklyReports:
    """The portal gives one report a week: several are read as one, whatever their form."""

    SALE = api_row(1, "Продажа", retail_price_withdisc_rub="10")
    RETURN = api_row(2, "Возврат", retail_price_withdisc_rub="10", sale_dt="2025-04-09T00:00:00")

    @pytest.mark.parametrize("errors", ["collect", "raise"])
    def test_a_sale_and_its_return_in_two_weekly_workbooks_are_one_order(
        self, tmp_path: Path, errors: Errors
    ) -> None:
        """
        The sale in week 1's workbook, its return in week 2's zip: one order, one sale,
        one return, no conflict; and the same history as the two weeks' rows read at once.
        """
        week_1, week_2 = tmp_path / "week-1.xlsx", tmp_path / "week-2.zip"
        week_1.write_bytes(report_workbook([self.SALE]))
        week_2.write_bytes(zipped({"report.xlsx": report_workbook([self.RETURN])}))
        history, report = read_reports([week_1, week_2], errors=errors)
        (order,), (sale,), (back,) = history.orders, history.sales, history.returns
        assert order.order_id == sale.order_id == back.order_id == "a"
        assert (report.orders, report.sales, report.returns, report.conflicts) == (1, 1, 1, ())
        assert (report.rows_read, report.used, report.accounted) == (2, 2, True)
        same_history(history, read_wildberries_realization([self.SALE, self.RETURN])[0])

    def test_a_json_week_and_a_workbook_week_read_as_one(self, tmp_path: Path) -> None:
        """
        The API's JSON of one week and the portal's workbook of the next: one report too.
        """
        week_1, week_2 = tmp_path / "week-1.json", tmp_path / "week-2.xlsx"
        week_1.write_text(json.dumps([self.SALE]), encoding="utf-8")
        week_2.write_bytes(report_workbook([self.RETURN]))
        history, report = read_reports([week_2, week_1], errors="raise")
        assert (len(history.orders), len(history.sales), len(history.returns)) == (1, 1, 1)
        assert (report.conflicts, report.accounted) == ((), True)

    def test_rows_of_two_workbooks_never_merge_as_repeats(self) -> None:
        """
        Each workbook's rows are its own: two weeks' first rows are both read, not taken for
        one row repeated (the portal's rows have no rrd_id).
        """
        other = api_row(1, "Продажа", "b", retail_price_withdisc_rub="20")
        history, report = read_realization_reports(
            [report_workbook([self.SALE]), report_workbook([other])]
        )
        assert sorted(order.order_id for order in history.orders) == ["a", "b"]
        assert (report.used, report.merged) == (2, 0)

    def test_a_conflict_across_weeks_names_the_workbook_sheet_and_row(self, tmp_path: Path) -> None:
        """
        A return in week 2 before its sale in week 1: put aside, naming week 2's workbook,
        sheet and row (the header is row 1); in raise mode the same place is raised.
        """
        early = api_row(2, "Возврат", retail_price_withdisc_rub="10", sale_dt="2025-04-02")
        late = api_row(1, "Продажа", retail_price_withdisc_rub="10", sale_dt="2025-04-09")
        week_1, week_2 = tmp_path / "week-1.xlsx", tmp_path / "week-2.xlsx"
        week_1.write_bytes(report_workbook([late]))
        week_2.write_bytes(report_workbook([early]))
        _, report = read_reports([week_1, week_2], errors="collect")
        (conflict,) = report.conflicts
        assert (conflict.source, conflict.row, conflict.rule) == (
            f"{week_2}, sheet 'Sheet1'",
            2,
            "returned-before-sold",
        )
        with pytest.raises(RedemptionError, match=f"^{week_2}, sheet 'Sheet1' row 2: "):
            read_reports([week_1, week_2])


class TestBounds:
    def test_a_zip_bomb_is_refused_before_it_is_unpacked(self) -> None:
        """
        A sheet packing beyond Limits.max_zip_ratio (past the first 16 MiB) is refused.
        """
        data = report_workbook([api_row(1, "Продажа")])
        with pytest.raises(LimitExceededError, match="max_zip_ratio") as raised:
            read_wildberries_portal_realization(
                zipped({"a.xlsx": data, "bomb.xlsx": b"\0" * (1 << 25)})
            )
        assert raised.value.limit == "max_zip_ratio"

    @pytest.mark.parametrize(
        ("limits", "limit"),
        [
            (Limits(max_archive_members=5), "max_archive_members"),
            (Limits(max_decompressed_bytes=4096), "max_decompressed_bytes"),
        ],
    )
    def test_a_workbook_beyond_the_limits_is_refused(self, limits: Limits, limit: str) -> None:
        """
        Its files (a dozen) or their unpacked bytes, counted before anything is unpacked.
        """
        data = report_workbook([api_row(1, "Продажа")])
        with pytest.raises(LimitExceededError) as raised:
            read_wildberries_portal_realization(data, limits=limits)
        assert raised.value.limit == limit
        with pytest.raises(LimitExceededError):
            read_wildberries_portal_realization(zipped({"r.xlsx": data}), limits=limits)

    def test_a_row_beyond_the_last_row_of_a_sheet_is_never_reached(self) -> None:
        """
        A row numbered past Excel's 1,048,576 (and wider than the header) ends nothing and
        is not read: the rows between are empty, at the end.
        """
        parts = dict(_PARTS)
        far = b'<row r="99999999999"><c r="ZZZ99999999999"><v>1</v></c></row></sheetData>'
        sheet = "xl/worksheets/sheet1.xml"
        parts[sheet] = parts[sheet].replace(b"</sheetData>", far)
        history, report = read_wildberries_portal_realization(zipped(parts), errors="collect")
        assert (len(history.orders), report.rows_read, report.accounted) == (2, 2, True)


# --- Anything else: a typed error, never another -------------------------------------------


def _holds(read: Callable[[], tuple[History, ImportReport]], errors: Errors) -> None:
    """As in test_io_fuzz: every row accounted for, or a typed error."""
    try:
        _, report = read()
    except ReportFormatError:
        return
    except RedemptionError:
        if errors == "raise":
            return
        raise
    assert report.accounted, report


_INSERTS = [
    b'<c r="ZZZZ1"><v>1</v></c>',
    b'<row r="99999999999">',
    b"</row>",
    b"<v>1e999</v>",
    b't="s"',
    b't="d"',
    b's="99"',
    b'r="A0"',
    b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]>",
]


def _mutated_part(seed: int) -> bytes:
    """The valid workbook with one of its files cut, overwritten or added to."""
    rng = random.Random(seed)
    parts = dict(_PARTS)
    name = rng.choice(sorted(parts))
    text = bytearray(parts[name])
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(text) + 1)
        kind = rng.random()
        if kind < 0.3 and text:
            text[min(at, len(text) - 1)] = rng.choice(b'<>"=/ 09azA&;\xff\x00')
        elif kind < 0.6:
            del text[at : at + rng.randint(1, 30)]
        else:
            text[at:at] = rng.choice(_INSERTS)
    parts[name] = bytes(text)
    return zipped(parts)


class TestAnyBytes:
    @settings(deadline=None, max_examples=max(settings().max_examples // 2, 10))
    @given(
        data=st.binary(max_size=2048),
        zip_head=st.booleans(),
        errors=st.sampled_from(["raise", "collect"]),
    )
    def test_random_bytes_are_refused_with_a_typed_error(
        self, data: bytes, *, zip_head: bool, errors: Errors
    ) -> None:
        """
        Random bytes, with a zip's first bytes or not, never raise anything but its errors.
        """
        source = (b"PK\x03\x04" + data) if zip_head else data
        _holds(lambda: read_wildberries_portal_realization(source, errors=errors), errors)

    @settings(deadline=None, max_examples=max(settings().max_examples, 10))
    @given(
        seed=st.integers(0, 2**32),
        flips=st.lists(st.tuples(st.integers(0, len(_VALID) - 1), st.integers(0, 255)), max_size=8),
        errors=st.sampled_from(["raise", "collect"]),
    )
    def test_a_broken_workbook_is_read_or_refused_with_a_typed_error(
        self, seed: int, flips: list[tuple[int, int]], errors: Errors
    ) -> None:
        """
        Bytes of a workbook overwritten, or one of its files mutated and packed again (alone,
        or in a zip): read or refused, and recognised or refused, with a typed error.
        """
        flipped = bytearray(_VALID)
        for at, byte in flips:
            flipped[at] = byte
        mutated = _mutated_part(seed)
        for data in (bytes(flipped), mutated, zipped({"report.xlsx": mutated})):
            _holds(partial(read_wildberries_portal_realization, data, errors=errors), errors)
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "report"
                path.write_bytes(data)
                with contextlib.suppress(ReportFormatError):  # or it is recognised
                    report_kind(path)

    def test_every_required_column_is_one_the_header_names(self) -> None:
        """
        The table of columns and these tests' header agree: no field is read from nowhere.
        """
        assert set(COLUMNS) == set(FIELD_OF.values())
