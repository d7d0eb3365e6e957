from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redemption import MOSCOW, CancelKind, RedemptionError
from redemption.errors import InvalidArgumentError, ReportFormatError
from redemption.io import read_ozon_portal_postings, read_ozon_postings
from redemption.io.report import Errors

AS_OF = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
"""When the reports were downloaded, in these tests: after every moment in them."""

HEADER = [
    "Номер заказа",
    "Номер отправления",
    "Принят в обработку",
    "Дата отгрузки",
    "Статус",
    "Дата доставки",
    "Фактическая дата передачи в доставку",
    "Сумма отправления",
    "Код валюты отправления",
    "Наименование товара",
    "OZON id",
    "Артикул",
    "Ваша цена",
    "Код валюты товара",
    "Оплачено покупателем",
    "Код валюты покупателя",
    "Количество",
    "Объемный вес товаров, кг",
    "Кластер отправления",
]
"""A header as the portal writes it (FBO), the columns read among others."""


def row(
    posting: str,
    status: str,
    *,
    ordered: str = "01.04.2025 10:00",
    delivered: str = "",
    sku: str = "42",
    price: str = "990,50",
    quantity: str = "1",
    currency: str = "RUB",
) -> dict[str, str]:
    """One row of a portal report: one product of one posting."""
    return {
        "Номер заказа": posting.rsplit("-", 1)[0],
        "Номер отправления": posting,
        "Принят в обработку": ordered,
        "Статус": status,
        "Дата доставки": delivered,
        "OZON id": sku,
        "Артикул": f"art-{sku}",
        "Наименование товара": "Платье; летнее, «лён»",
        "Ваша цена": price,
        "Код валюты товара": currency,
        "Количество": quantity,
        "Объемный вес товаров, кг": "0,4",
    }


def report(
    *rows: dict[str, str],
    header: list[str] = HEADER,
    encoding: str = "utf-8-sig",
    delimiter: str = ";",
) -> bytes:
    """A report with these rows, as the portal (or a spreadsheet) saves it."""
    stream = io.StringIO()
    writer = csv.DictWriter(
        stream, header, delimiter=delimiter, extrasaction="ignore", lineterminator="\r\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return stream.getvalue().encode(encoding)


class TestReading:
    def test_a_posting_s_rows_are_its_products_and_each_unit_an_order(self) -> None:
        """
        Two products of one posting, the second of two units; Moscow times without an
        offset; the delivery date is the sale.
        """
        data = report(
            row("0132-0101-1", "Доставлен", delivered="03.04.2025 15:30", sku="42"),
            row("0132-0101-1", "Доставлен", delivered="03.04.2025 15:30", sku="7", quantity="2"),
        )
        history, imported = read_ozon_portal_postings(data, as_of=AS_OF)
        assert [order.order_id for order in history.orders] == [
            "0132-0101-1/42/1",
            "0132-0101-1/7/1",
            "0132-0101-1/7/2",
        ]
        assert {order.price for order in history.orders} == {Decimal("990.50")}
        assert {order.ordered_at for order in history.orders} == {
            datetime(2025, 4, 1, 7, 0, tzinfo=UTC)
        }
        assert {sale.sold_at for sale in history.sales} == {
            datetime(2025, 4, 3, 12, 30, tzinfo=UTC)
        }
        assert (imported.rows_read, imported.used, imported.orders, imported.sales) == (2, 2, 3, 3)
        assert imported.notes == (
            "<bytes>: 4 moments without a UTC offset taken in Europe/Moscow time",
        )

    @pytest.mark.parametrize(
        ("status", "outcome"),
        [
            ("Доставлен", "sold"),
            ("Отменён", "cancelled"),
            ("отменен", "cancelled"),
            ("Доставляется", "open"),
            ("Ожидает сборки", "open"),
            ("  Ожидает   отгрузки ", "open"),
            ("delivered", "sold"),
            ("awaiting_deliver", "open"),
        ],
    )
    def test_statuses_in_words_are_the_api_s(self, status: str, outcome: str) -> None:
        """
        The portal's words, in any case or spacing, and the API's codes, are read by the
        API reader's rules: sold, cancelled at as_of (no one known), or in transit.
        """
        history, _ = read_ozon_portal_postings(report(row("1-1-1", status)), as_of=AS_OF)
        (order,) = history.orders
        sold = [sale.order_id for sale in history.sales]
        assert (bool(sold), order.cancelled_at is not None) == (
            outcome == "sold",
            outcome == "cancelled",
        )
        if outcome == "cancelled":
            assert (order.cancelled_at, order.cancel_kind) == (AS_OF, CancelKind.UNKNOWN)
        if outcome == "sold":  # no delivery date: the API reader dates it at as_of
            assert history.sales[0].sold_at == AS_OF

    @pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1251"])
    @pytest.mark.parametrize("delimiter", [";", ",", "\t"])
    def test_any_encoding_and_delimiter(self, encoding: str, delimiter: str) -> None:
        """
        The report saved again by a spreadsheet reads the same.
        """
        first, _ = read_ozon_portal_postings(
            report(row("1-1-1", "Доставлен", quantity="3")), as_of=AS_OF
        )
        data = report(
            row("1-1-1", "Доставлен", quantity="3"), encoding=encoding, delimiter=delimiter
        )
        again, imported = read_ozon_portal_postings(data, as_of=AS_OF)
        assert again.orders == first.orders
        assert again.sales == first.sales
        assert ("<bytes>: Windows-1251 text, not UTF-8" in imported.notes) == (encoding == "cp1251")

    def test_the_older_names_and_odd_case_are_read(self) -> None:
        """
        «SKU» and «Итоговая стоимость товара» (older exports), names in another case.
        """
        header = [
            "номер отправления",
            "ПРИНЯТ В ОБРАБОТКУ",
            "Статус",
            "SKU",
            "Итоговая стоимость товара",
            "Количество",
        ]
        data = report(
            {
                "номер отправления": "1-1-1",
                "ПРИНЯТ В ОБРАБОТКУ": "2025-04-01 10:00:00",
                "Статус": "Отменён",
                "SKU": "5",
                "Итоговая стоимость товара": "1 200.00",
                "Количество": "1",
            },
            header=header,
        )
        history, _ = read_ozon_portal_postings(data, as_of=AS_OF)
        assert [(o.order_id, o.price) for o in history.orders] == [
            ("1-1-1/5/1", Decimal("1200.00"))
        ]

    def test_a_delivery_day_without_a_time_is_never_before_the_order(self) -> None:
        """
        Delivered «01.04.2025», placed at 10:00 that day: sold at 10:00, not at midnight.
        """
        data = report(row("1-1-1", "Доставлен", delivered="01.04.2025"))
        history, _ = read_ozon_portal_postings(data, as_of=AS_OF)
        assert history.sales[0].sold_at == history.orders[0].ordered_at

    def test_a_later_file_wins_over_an_earlier_one(self, tmp_path: Path) -> None:
        """
        Overlapping exports: the posting's rows of the later file are kept, the earlier
        merged; every row is accounted for.
        """
        (tmp_path / "a.csv").write_bytes(report(row("1-1-1", "Доставляется", quantity="2")))
        (tmp_path / "b.csv").write_bytes(report(row("1-1-1", "Доставлен", quantity="2")))
        history, imported = read_ozon_portal_postings(
            [tmp_path / "a.csv", tmp_path / "b.csv"], as_of=AS_OF
        )
        assert len(history.sales) == 2
        assert (imported.rows_read, imported.used, imported.merged, imported.accounted) == (
            2,
            1,
            1,
            True,
        )

    def test_the_timezone_given_is_the_one_of_naive_moments(self) -> None:
        """
        The portal writes Moscow time; a caller who knows otherwise says so.
        """
        history, imported = read_ozon_portal_postings(
            report(row("1-1-1", "Ожидает сборки")), as_of=AS_OF, tz=UTC
        )
        assert history.orders[0].ordered_at == datetime(2025, 4, 1, 10, 0, tzinfo=UTC)
        assert "taken in UTC time" in imported.notes[0]


class TestRefusals:
    @pytest.mark.parametrize(
        ("rows", "number", "column", "reason"),
        [
            ([row("1-1-1", "Потерян")], 2, "Статус", "unknown status «Потерян»"),
            (
                [row("1-1-1", "Доставлен", ordered="31.04.2025 10:00")],
                2,
                "Принят в обработку",
                "not a date",
            ),
            ([row("1-1-1", "Доставлен", price="99O")], 2, "Ваша цена", "expected an amount"),
            ([row("1-1-1", "Доставлен", currency="USD")], 2, "Код валюты товара", "only roubles"),
            (
                [row("1-1-1", "Доставлен"), row("1-1-1", "Доставлен", sku="7", quantity="два")],
                3,
                "Количество",
                "whole number of units",
            ),
            (
                [row("1-1-1", "Доставлен"), row("1-1-1", "Отменён", sku="7")],
                3,
                "Статус",
                "says otherwise",
            ),
            (
                [row("1-1-1", "Доставлен", delivered="03.05.2025 10:00")],
                2,
                "Дата доставки",
                "after as_of",
            ),
            (
                [row("1-1-1", "Доставлен", ordered="02.05.2025 10:00")],
                2,
                "Принят в обработку",
                "after as_of",
            ),
        ],
    )
    def test_a_bad_row_names_the_file_row_and_column(
        self, rows: list[dict[str, str]], number: int, column: str, reason: str
    ) -> None:
        """
        With errors="raise" the first bad row stops the import, naming the row (the header
        is row 1) and the column as the file writes it.
        """
        with pytest.raises(ReportFormatError, match=reason) as caught:
            read_ozon_portal_postings(report(*rows), as_of=AS_OF)
        assert (caught.value.source, caught.value.row, caught.value.field) == (
            "<bytes>",
            number,
            column,
        )

    def test_a_bad_row_refuses_its_whole_posting_and_nothing_is_dropped(self) -> None:
        """
        An unknown status on one product refuses the posting's other rows too, saying
        why; other postings are read; every row is accounted for.
        """
        data = report(
            row("1-1-1", "Доставлен", sku="1"),
            row("1-1-1", "Потерян", sku="2"),
            row("2-2-2", "Доставлен", sku="3"),
        )
        history, imported = read_ozon_portal_postings(data, as_of=AS_OF, errors="collect")
        assert [order.order_id for order in history.orders] == ["2-2-2/3/1"]
        assert [(p.row, p.field) for p in imported.refused] == [(3, "Статус"), (2, None)]
        assert "read whole or not" in imported.refused[1].reason
        assert (imported.rows_read, imported.used, imported.accounted) == (3, 1, True)

    def test_a_posting_of_two_bad_rows_refuses_each_once(self) -> None:
        """
        Two bad products of one posting and a good one: each bad row is refused for its
        own fault, the good one for the posting's, and no row twice.
        """
        data = report(
            row("1-1-1", "Доставлен", sku="1", price="x"),
            row("1-1-1", "Доставлен", sku="2", price="y"),
            row("1-1-1", "Доставлен", sku="3"),
        )
        _, imported = read_ozon_portal_postings(data, as_of=AS_OF, errors="collect")
        assert sorted(p.row for p in imported.refused) == [2, 3, 4]
        assert [p.field for p in imported.refused if p.row == 4] == [None]
        assert imported.accounted

    @pytest.mark.parametrize(
        ("header", "missing"),
        [
            ([c for c in HEADER if c != "Статус"], "«Статус»"),
            ([c for c in HEADER if c != "OZON id"], "«OZON id» or «SKU»"),
            ([c for c in HEADER if c != "Ваша цена"], "«Ваша цена» or «Итоговая стоимость товара»"),
        ],
    )
    def test_a_header_without_a_column_read_is_refused_naming_it(
        self, header: list[str], missing: str
    ) -> None:
        """
        The message names the columns missing (and the alternatives) and the header seen.
        """
        with pytest.raises(
            ReportFormatError, match=f"no column {missing} \\(the header is «Номер заказа»"
        ):
            read_ozon_portal_postings(report(row("1-1-1", "Доставлен"), header=header), as_of=AS_OF)

    def test_as_of_must_be_aware(self) -> None:
        """
        As for the API's lists: the moment of the download, with its zone.
        """
        with pytest.raises(InvalidArgumentError, match="no time zone"):
            read_ozon_portal_postings(report(row("1-1-1", "Доставлен")), as_of=datetime(2025, 5, 1))


# --- The API reader is the oracle ----------------------------------------------------------

PORTAL_STATUS = {
    "delivered": "Доставлен",
    "cancelled": "Отменён",
    "delivering": "Доставляется",
    "awaiting_packaging": "Ожидает сборки",
    "awaiting_deliver": "Ожидает отгрузки",
}


@st.composite
def postings(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Postings of the API's shape, with whole-second Moscow moments before AS_OF."""
    made = []
    for n in range(draw(st.integers(1, 6))):
        placed = datetime(2025, 3, 1, tzinfo=MOSCOW) + timedelta(
            seconds=draw(st.integers(0, 40 * 86_400))
        )
        status = draw(st.sampled_from(sorted(PORTAL_STATUS)))
        posting: dict[str, Any] = {
            "posting_number": f"{1000 + n}-0001-1",
            "status": status,
            "in_process_at": placed.astimezone(UTC).isoformat(),
            "products": [
                {
                    "sku": sku,
                    "price": str(Decimal(draw(st.integers(0, 10**7))).scaleb(-2)),
                    "quantity": draw(st.integers(1, 3)),
                    "currency_code": "RUB",
                }
                for sku in draw(
                    st.lists(
                        st.sampled_from(["1", "22", "333"]), min_size=1, max_size=3, unique=True
                    )
                )
            ],
        }
        if status == "delivered" and draw(st.booleans()):
            delivered = placed + timedelta(seconds=draw(st.integers(0, 5 * 86_400)))
            posting["pickup_code_verified_at"] = delivered.astimezone(UTC).isoformat()
        made.append(posting)
    return made


def portal_rows(posting: dict[str, Any], *, iso: bool) -> list[dict[str, str]]:
    """The portal's rows of one API posting: Moscow wall times, decimal commas."""

    def written(moment: str | None) -> str:
        if moment is None:
            return ""
        local = datetime.fromisoformat(moment).astimezone(MOSCOW)
        return local.strftime("%Y-%m-%d %H:%M:%S" if iso else "%d.%m.%Y %H:%M:%S")

    return [
        row(
            posting["posting_number"],
            PORTAL_STATUS[posting["status"]],
            ordered=written(posting["in_process_at"]),
            delivered=written(posting.get("pickup_code_verified_at")),
            sku=product["sku"],
            price=product["price"].replace(".", ","),
            quantity=str(product["quantity"]),
        )
        for product in posting["products"]
    ]


class TestTheSameRulesAsTheApi:
    @settings(suppress_health_check=[HealthCheck.too_slow])
    @given(
        drawn=postings(),
        iso=st.booleans(),
        encoding=st.sampled_from(["utf-8-sig", "cp1251"]),
    )
    def test_the_portal_report_of_api_postings_reads_as_they_do(
        self, *, drawn: list[dict[str, Any]], iso: bool, encoding: str
    ) -> None:
        """
        The API's postings written as the portal writes them read into the same history as
        the API reader makes of them: the same orders, sales and cancellations.
        """
        expected, by_api = read_ozon_postings(drawn, as_of=AS_OF)
        rows = [line for posting in drawn for line in portal_rows(posting, iso=iso)]
        history, imported = read_ozon_portal_postings(report(*rows, encoding=encoding), as_of=AS_OF)
        assert history.orders == expected.orders
        assert history.sales == expected.sales
        assert (imported.orders, imported.sales) == (by_api.orders, by_api.sales)
        assert (imported.rows_read, imported.accounted) == (len(rows), True)


# --- Any bytes ------------------------------------------------------------------------------

GOOD = report(
    row("1-1-1", "Доставлен", delivered="03.04.2025 15:30"),
    row("1-1-1", "Доставлен", sku="7", quantity="2"),
    row("2-2-2", "Отменён"),
)


def _holds(data: bytes, errors: Errors) -> None:
    """Read or refused with the library's own errors; every row accounted for if read."""
    try:
        _, imported = read_ozon_portal_postings(data, as_of=AS_OF, errors=errors)
    except ReportFormatError:
        return
    except RedemptionError:
        if errors == "raise":
            return
        raise
    assert imported.accounted


class TestAnyBytes:
    @settings(max_examples=50, deadline=None)
    @given(data=st.binary(max_size=300), errors=st.sampled_from(["raise", "collect"]))
    def test_random_bytes_are_refused_with_a_report_format_error(
        self, data: bytes, errors: Errors
    ) -> None:
        """
        Bytes of no report: a ReportFormatError, never another exception.
        """
        _holds(data, errors)

    @settings(max_examples=50, deadline=None)
    @given(
        at=st.integers(0, len(GOOD)),
        cut=st.integers(0, 40),
        insert=st.binary(max_size=8),
        errors=st.sampled_from(["raise", "collect"]),
    )
    def test_a_report_with_bytes_changed_is_read_or_refused(
        self, at: int, cut: int, insert: bytes, errors: Errors
    ) -> None:
        """
        A real report with bytes cut out or slipped in anywhere (header, quotes, digits).
        """
        _holds(GOOD[:at] + insert + GOOD[at + cut :], errors)
