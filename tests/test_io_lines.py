from __future__ import annotations

import csv
import gzip
import io
import itertools
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redemption import (
    MOSCOW,
    CancelKind,
    History,
    InvalidArgumentError,
    Order,
    Reason,
    ReasonCategory,
    Return,
    ReturnKind,
    Sale,
)
from redemption.errors import DuplicateRecordError, ReportFormatError
from redemption.io import LINE_COLUMNS, read_order_lines, write_order_lines
from redemption.io.dialects import Unit
from redemption.model import Logistics
from tests.builders import an_order, msk
from tests.strategies import matched_histories, records

HEADER = ",".join(LINE_COLUMNS)
GOOD = "o1,shop,nm-1,b-1,152050,2025-04-01T10:30:00+03:00,,2025-04-05T12:00:00+03:00,"


def _lines(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode("utf-8") + b"\n"


class TestRoundTrip:
    @given(history=matched_histories())
    def test_written_lines_read_back_as_the_same_records(self, history: History) -> None:
        """
        Every order, sale, return and logistics record survives a trip through the file, to
        the kopeck and the microsecond.
        """
        stream = io.StringIO()
        assert write_order_lines(history, stream) == len(history.orders)
        back, report = read_order_lines(stream.getvalue().encode("utf-8"))
        assert sorted(back.orders, key=str) == sorted(history.orders, key=str)
        assert sorted(back.sales, key=str) == sorted(history.sales, key=str)
        assert sorted(back.returns, key=str) == sorted(history.returns, key=str)
        assert back.logistics == history.logistics
        assert report.rows_read == len(history.orders)
        assert report.accounted

    def test_a_gzipped_file_is_written_the_same_every_time(self, tmp_path: Path) -> None:
        """
        A ``.gz`` path is written gzipped, with no time stamp: the same history, the same bytes.
        """
        history = History(orders=[an_order("o1", msk("2025-04-01T10:30"), buyer_id="b-1")])
        first, second = tmp_path / "a.csv.gz", tmp_path / "b.csv.gz"
        write_order_lines(history, first)
        write_order_lines(history, second)
        assert first.read_bytes() == second.read_bytes()
        assert gzip.decompress(first.read_bytes()).decode().startswith(HEADER)
        assert read_order_lines(first)[0].orders == history.orders

    def test_a_history_with_unmatched_sales_is_refused_rather_than_written_short(self) -> None:
        """
        A sale without its order has no line: writing it would lose it.
        """
        history = History(sales=[Sale(order_id="x", sold_at=msk("2025-04-01T00:00"))])
        with pytest.raises(InvalidArgumentError, match="1 sales or returns without their order"):
            write_order_lines(history, io.StringIO())


class TestReading:
    def test_a_row_pins_every_field(self) -> None:
        """
        Kopecks become roubles, offsets become instants, the sale rides on the order's row.
        """
        history, report = read_order_lines(_lines(GOOD))
        (order,) = history.orders
        assert order == Order(
            order_id="o1",
            seller_id="shop",
            sku="nm-1",
            buyer_id="b-1",
            price="1520.50",
            ordered_at=msk("2025-04-01T10:30"),
        )
        assert history.sales == (Sale(order_id="o1", sold_at=msk("2025-04-05T12:00")),)
        assert (report.orders, report.sales, report.returns) == (1, 1, 0)

    def test_optional_columns_may_be_left_out(self) -> None:
        """
        Without seller and buyer columns, the seller given is used and there is no buyer.
        """
        history, _ = read_order_lines(
            _lines("o1,nm-1,100,2025-04-01T10:30:00+03:00", header="order_id,sku,price,ordered_at"),
            seller_id="mine",
        )
        assert history.orders[0].seller_id == "mine"
        assert history.orders[0].buyer_id is None

    @pytest.mark.parametrize(
        ("row", "field", "reason"),
        [
            (GOOD.replace("152050", "1520.50"), "price", "whole kopecks"),
            (GOOD.replace("152050", ""), "price", "missing"),
            (GOOD.replace("+03:00,,", "+25:00,,"), "ordered_at", "not a date and time"),
            (GOOD.replace("2025-04-05T12", "5 April"), "sold_at", "not a date"),
            (GOOD.replace("o1,", ",", 1), "order_id", "missing"),
        ],
    )
    def test_a_bad_row_names_the_file_row_and_field(
        self, row: str, field: str, reason: str
    ) -> None:
        """
        With errors="raise", the first bad row stops the import, named exactly.
        """
        with pytest.raises(ReportFormatError, match=reason) as caught:
            read_order_lines(_lines(GOOD.replace("o1", "o0"), row))
        assert (caught.value.source, caught.value.row, caught.value.field) == ("<bytes>", 3, field)

    def test_collect_lists_every_bad_row_and_keeps_the_good_ones(self) -> None:
        """
        With errors="collect", every bad row is listed and the rest imported.
        """
        bad_price = GOOD.replace("o1", "o2").replace("152050", "-")
        negative = GOOD.replace("o1", "o3").replace("152050", "-5")
        history, report = read_order_lines(_lines(GOOD, bad_price, negative), errors="collect")
        assert [order.order_id for order in history.orders] == ["o1"]
        assert [(p.row, p.field) for p in report.refused] == [(3, "price"), (4, None)]
        assert "negative" in report.refused[1].reason
        assert report.accounted

    def test_the_same_order_twice_is_a_contradiction(self) -> None:
        """
        An order-lines file has one row per order: a repeat is refused, not merged.
        """
        with pytest.raises(DuplicateRecordError, match="o1"):
            read_order_lines(_lines(GOOD, GOOD))

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"", "the file is empty"),
            (b"\xff\xfe", "UTF-16 text"),
            (b"order_id\x98", "neither UTF-8 text"),
            (b"order_id,sku\no1,a\n", "no column price, ordered_at"),
            (b"\xef\xbb\xbf" + _lines(GOOD), None),
            (gzip.compress(_lines(GOOD)), None),
        ],
    )
    def test_files_are_read_or_refused_with_a_clear_message(
        self, content: bytes, message: str | None
    ) -> None:
        """
        A byte-order mark and gzip are read; an empty, UTF-16, undecodable or foreign file
        is named.
        """
        if message is None:
            assert len(read_order_lines(content)[0].orders) == 1
        else:
            with pytest.raises(ReportFormatError, match=message):
                read_order_lines(content)

    def test_progress_is_told_the_end_of_every_file(self) -> None:
        """
        The last call says every row is done.
        """
        calls: list[tuple[str, int, int]] = []
        read_order_lines(_lines(GOOD), progress=lambda *call: calls.append(call))
        assert calls[-1] == ("<bytes>", 1, 1)


class TestSpreadsheetLeftovers:
    def test_rows_of_empty_cells_are_skipped_saying_so(self) -> None:
        """
        A spreadsheet saves formatted rows below the data as ``;;;;``: each is skipped with
        its reason, in raise mode too, and every row is accounted for.
        """
        content = b"order_id;sku;price;ordered_at\no1;a;100;01.04.2025\n;;;\n ; ;;\n"
        history, report = read_order_lines(content)
        assert [order.order_id for order in history.orders] == ["o1"]
        assert [(p.row, p.reason) for p in report.skipped] == [
            (3, "an empty row: every cell is empty"),
            (4, "an empty row: every cell is empty"),
        ]
        assert (report.rows_read, report.accounted) == (3, True)

    def test_header_names_are_read_in_any_case(self) -> None:
        """
        ``Order_ID;SKU;Price`` are the contract's columns: recognised and read alike.
        """
        content = "Order_ID;SKU;Price;Ordered_At\no1;a;100;2025-04-01T10:00:00+03:00\n"
        history, _ = read_order_lines(content.encode())
        assert [(o.order_id, o.sku, o.price) for o in history.orders] == [("o1", "a", Decimal(1))]

    def test_a_plain_money_column_beside_a_rouble_one_is_said_to_be_kopecks(self) -> None:
        """
        ``price_rub`` and a plain ``delivery_cost``: the notes say both units.
        """
        content = (
            b"order_id;sku;price_rub;delivery_cost;ordered_at\no1;a;1520,50;50;01.04.2025 10:00\n"
        )
        history, report = read_order_lines(content)
        assert history.orders[0].price == Decimal("1520.50")
        assert history.logistics["o1"].to_buyer == Decimal("0.50")
        assert "<bytes>: price_rub read in roubles" in report.notes
        assert "<bytes>: delivery_cost read in kopecks" in report.notes


CANCELLED = "o2,shop,nm-1,b-1,100,2025-04-01T10:30:00+03:00,2025-04-02T10:00:00+03:00,,"


class TestKindsAndReasons:
    def test_kinds_categories_and_words_are_read(self) -> None:
        """
        A cancelled line's kind, category and words become its order's; no kind is UNKNOWN.
        """
        history, _ = read_order_lines(
            _lines(
                f'{CANCELLED},refused,size_fit,"Мал, на размер",,,', CANCELLED.replace("o2", "o3")
            )
        )
        kinds = {o.order_id: (o.cancel_kind, o.cancel_reason) for o in history.orders}
        assert kinds == {
            "o2": (CancelKind.REFUSED, Reason(ReasonCategory.SIZE_FIT, "Мал, на размер")),
            "o3": (CancelKind.UNKNOWN, None),
        }

    @pytest.mark.parametrize(
        ("row", "field"),
        [
            (f"{CANCELLED},Refused,,,,,", "cancel_kind"),
            (f"{CANCELLED},buyer,tiny,,,,", "cancel_reason"),
            (f"{CANCELLED},buyer,,words alone,,,", "cancel_reason"),
            (f"{GOOD},,,,return,,", "returned_at"),
        ],
    )
    def test_a_bad_kind_or_reason_names_its_column(self, row: str, field: str) -> None:
        """
        A value that is no kind or category, words without a category, or a kind on an
        event that did not happen, is a bad row naming its column.
        """
        with pytest.raises(ReportFormatError, match=f"row 2, field {field!r}"):
            read_order_lines(_lines(row))
        _, report = read_order_lines(_lines(row, GOOD), errors="collect")
        assert [(p.row, p.field) for p in report.refused] == [(2, field)]
        assert report.orders == 1


# --- The same history as a spreadsheet saves it again ---------------------------------------

DELIMITERS = (",", ";", "\t")
ENCODINGS = ("utf-8", "utf-8-sig", "cp1251")
UNITS = ("price", "price_kopecks", "price_rub", "option_roubles")
"""How the money columns are named: plainly (kopecks), with their unit, or plainly in
roubles with ``price_unit="roubles"``."""
DATE_STYLES = ("iso_offset", "iso_naive", "day_first_seconds", "day_first_minutes", "day_first")
MONEY = ("price", "delivery_cost", "return_cost")
FIXED = timezone(timedelta(hours=5, minutes=45))

# The dialects' zones: with no clock change in the years drawn, so a wall time means one
# instant (Moscow has kept +03:00 since 2014).
dialect_zones = st.sampled_from([MOSCOW, UTC, FIXED])


def _floored(moment: datetime, style: str, tz: tzinfo) -> datetime:
    """The instant a moment written in `style` means: cut to the minute, second or day."""
    local = moment.astimezone(tz)
    if style == "day_first":
        local = local.replace(hour=0, minute=0, second=0, microsecond=0)
    elif style == "day_first_minutes":
        local = local.replace(second=0, microsecond=0)
    elif style == "day_first_seconds":
        local = local.replace(microsecond=0)
    return local.astimezone(UTC)


def _written_moment(text: str, style: str, tz: tzinfo) -> str:
    if not text or style == "iso_offset":
        return text
    local = datetime.fromisoformat(text).astimezone(tz)
    return {
        "iso_naive": local.replace(tzinfo=None).isoformat(),
        "day_first_seconds": local.strftime("%d.%m.%Y %H:%M:%S"),
        "day_first_minutes": local.strftime("%d.%m.%Y %H:%M"),
        "day_first": local.strftime("%d.%m.%Y"),
    }[style]


def _written_amount(text: str, unit: str, *, comma: bool) -> str:
    if not text or unit in {"price", "price_kopecks"}:
        return text
    roubles = f"{Decimal(int(text)).scaleb(-2):.2f}"
    return roubles.replace(".", ",") if comma else roubles


def _respoken(
    history: History, *, delimiter: str, encoding: str, unit: str, style: str, tz: tzinfo
) -> bytes:
    """The file `write_order_lines` writes, saved again in another dialect."""
    stream = io.StringIO()
    write_order_lines(history, stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue(), newline="")))
    header = rows[0]
    money = [header.index(column) for column in MONEY]
    stamps = [
        header.index(column) for column in ("ordered_at", "cancelled_at", "sold_at", "returned_at")
    ]
    suffix = {"price_kopecks": "_kopecks", "price_rub": "_rub"}.get(unit, "")
    out = [[f"{cell}{suffix}" if n in money else cell for n, cell in enumerate(header)]]
    for number, row in enumerate(rows[1:]):
        for n in money:
            row[n] = _written_amount(row[n], unit, comma=number % 2 == 0)
        for n in stamps:
            row[n] = _written_moment(row[n], style, tz)
        out.append(row)
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(out)
    return text.getvalue().encode(encoding)


def _expected(history: History, style: str, tz: tzinfo) -> History:
    """The history a file written in `style` holds: its moments cut as the style cuts them."""
    return History(
        orders=[
            attrs.evolve(
                order,
                ordered_at=_floored(order.ordered_at, style, tz),
                cancelled_at=(
                    None if order.cancelled_at is None else _floored(order.cancelled_at, style, tz)
                ),
            )
            for order in history.orders
        ],
        sales=[
            attrs.evolve(sale, sold_at=_floored(sale.sold_at, style, tz)) for sale in history.sales
        ],
        returns=[
            attrs.evolve(back, returned_at=_floored(back.returned_at, style, tz))
            for back in history.returns
        ],
        logistics=list(history.logistics.values()),
    )


def _assert_reads_back(
    history: History, *, delimiter: str, encoding: str, unit: str, style: str, tz: tzinfo
) -> None:
    data = _respoken(history, delimiter=delimiter, encoding=encoding, unit=unit, style=style, tz=tz)
    price_unit: Unit | None = "roubles" if unit == "option_roubles" else None
    back, report = read_order_lines(data, price_unit=price_unit, tz=tz)
    expected = _expected(history, style, tz)
    assert sorted(back.orders, key=str) == sorted(expected.orders, key=str)
    assert sorted(back.sales, key=str) == sorted(expected.sales, key=str)
    assert sorted(back.returns, key=str) == sorted(expected.returns, key=str)
    assert back.logistics == expected.logistics
    assert report.accounted
    assert report.rows_read == len(history.orders)
    naive = style != "iso_offset" and bool(history.orders)
    assert any("without a UTC offset" in note for note in report.notes) == naive


@st.composite
def dialect_histories(draw: st.DrawFn) -> tuple[History, tzinfo]:
    """A history with every sale and return matched, in years of no clock change, and a zone."""
    tz = draw(dialect_zones)
    drawn = draw(records(draw(st.sampled_from([date(2024, 1, 15), date(2025, 1, 1)])), tz))
    ids = {order.order_id for order in drawn.orders}
    history = History(
        orders=drawn.orders,
        sales=[sale for sale in drawn.sales if sale.order_id in ids],
        returns=[back for back in drawn.returns if back.order_id in ids],
        logistics=[cost for cost in drawn.logistics if cost.order_id in ids],
    )
    return history, tz


class TestDialects:
    @given(
        drawn=dialect_histories(),
        delimiter=st.sampled_from(DELIMITERS),
        encoding=st.sampled_from(ENCODINGS),
        unit=st.sampled_from(UNITS),
        style=st.sampled_from(DATE_STYLES),
    )
    def test_a_history_saved_in_any_dialect_reads_back(
        self, drawn: tuple[History, tzinfo], delimiter: str, encoding: str, unit: str, style: str
    ) -> None:
        """
        Written, then saved again with another delimiter, encoding (with or without a
        byte-order mark), unit of money and style of dates, a history reads back: exactly,
        or with its moments cut to what the date style keeps (a plain oracle cuts them).
        """
        history, tz = drawn
        _assert_reads_back(
            history, delimiter=delimiter, encoding=encoding, unit=unit, style=style, tz=tz
        )

    def test_every_combination_reads_back(self) -> None:
        """
        Each of the 180 combinations of delimiter, encoding, unit and date style, on the
        same orders: sold, cancelled with Russian words, returned, with logistics.
        """
        ordered = datetime(2025, 3, 1, 10, 30, 15, 250000, tzinfo=MOSCOW)
        history = History(
            orders=[
                an_order("o1", ordered, buyer_id="b-1", price="1520.50"),
                attrs.evolve(
                    an_order("o2", ordered, price="0.05"),
                    cancelled_at=ordered + timedelta(days=2),
                    cancel_kind=CancelKind.REFUSED,
                    cancel_reason=Reason(ReasonCategory.SIZE_FIT, "Мал; на размер, «узкий»"),
                ),
            ],
            sales=[Sale(order_id="o1", sold_at=ordered + timedelta(days=3, hours=5))],
            returns=[
                Return(
                    order_id="o1", returned_at=ordered + timedelta(days=9), kind=ReturnKind.RETURN
                )
            ],
            logistics=[Logistics(order_id="o1", to_buyer="87.13", back="0")],
        )
        for delimiter, encoding, unit, style in itertools.product(
            DELIMITERS, ENCODINGS, UNITS, DATE_STYLES
        ):
            _assert_reads_back(
                history, delimiter=delimiter, encoding=encoding, unit=unit, style=style, tz=MOSCOW
            )


ROUBLE_HEADER = "order_id,sku,price_rub,ordered_at"


class TestUnitsAndZones:
    def test_the_option_says_the_unit_of_plain_columns(self) -> None:
        """
        The same digits are kopecks by default and roubles when the caller says so.
        """
        text = _lines("o1,a,1520,2025-04-01T10:30:00+03:00", header="order_id,sku,price,ordered_at")
        assert read_order_lines(text)[0].orders[0].price == Decimal("15.20")
        assert read_order_lines(text, price_unit="roubles")[0].orders[0].price == Decimal("1520.00")

    @pytest.mark.parametrize(
        ("header", "row", "field", "reason"),
        [
            ("order_id,sku,price,ordered_at", 'o1,a,"1520,50",2025-04-01', "price", "a fraction"),
            (
                "order_id,sku,price_kopecks,ordered_at",
                "o1,a,1520.5,2025-04-01",
                "price_kopecks",
                "price_rub",
            ),
            (ROUBLE_HEADER, "o1,a,1520.505,2025-04-01", "price_rub", "finer than a kopeck"),
            (ROUBLE_HEADER, "o1,a,,2025-04-01", "price_rub", "missing"),
            (ROUBLE_HEADER, "o1,a,15,2025-02-30", "ordered_at", "not a date"),
        ],
    )
    def test_a_bad_amount_or_day_names_its_row_and_column(
        self, header: str, row: str, field: str, reason: str
    ) -> None:
        """
        A fraction in a kopecks column, a fraction of a kopeck, an impossible day: the row
        and the column as the header names it.
        """
        with pytest.raises(ReportFormatError, match=reason) as caught:
            read_order_lines(_lines(row, header=header))
        assert (caught.value.row, caught.value.field) == (2, field)

    @pytest.mark.parametrize(
        ("header", "unit", "message"),
        [
            ("order_id,sku,price,price_rub,ordered_at", None, "both price and price_rub"),
            ("order_id,sku,price_rub,ordered_at", "kopecks", "price_rub is in roubles"),
            ("order_id,sku,price_kopecks,ordered_at", "roubles", "price_kopecks is in kopecks"),
            ("order_id,sku,cost,ordered_at", None, "no column price"),
        ],
    )
    def test_a_header_that_contradicts_itself_or_the_caller_is_refused(
        self, header: str, unit: str | None, message: str
    ) -> None:
        """
        Two names for one column, or a name whose unit is not the one given: no guessing.
        """
        with pytest.raises(ReportFormatError, match=message):
            read_order_lines(_lines(header=header), price_unit=unit)  # type: ignore[arg-type]

    def test_an_unknown_unit_is_an_argument_error(self) -> None:
        """
        price_unit is kopecks or roubles, nothing else.
        """
        with pytest.raises(InvalidArgumentError, match="price_unit"):
            read_order_lines(_lines(GOOD), price_unit="rub")  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("tz", "utc_hour"), [(MOSCOW, 7), (UTC, 10), (timezone(timedelta(hours=-5)), 15)]
    )
    def test_a_moment_without_offset_is_taken_in_the_zone_given_and_said(
        self, tz: tzinfo, utc_hour: int
    ) -> None:
        """
        A naive 10:30 is 10:30 in the zone given, and the report says how many were so.
        """
        text = _lines("o1,a,100,01.04.2025 10:30", header="order_id,sku,price,ordered_at")
        history, report = read_order_lines(text, tz=tz)
        assert history.orders[0].ordered_at == datetime(2025, 4, 1, utc_hour, 30, tzinfo=UTC)
        assert report.notes == (f"<bytes>: 1 moments without a UTC offset taken in {tz} time",)

    def test_the_contract_s_own_dialect_says_nothing(self) -> None:
        """
        UTF-8, commas, kopecks and offsets: nothing assumed, no note.
        """
        assert read_order_lines(_lines(GOOD))[1].notes == ()


class TestAnyBytes:
    @settings(max_examples=50, deadline=None)
    @given(
        data=st.one_of(
            st.binary(max_size=300),
            st.binary(max_size=40).map(lambda tail: f"{HEADER}\n".encode("cp1251") + tail),
        ),
        price_unit=st.sampled_from([None, "kopecks", "roubles"]),
    )
    def test_random_bytes_are_read_or_refused_with_a_report_format_error(
        self, data: bytes, price_unit: Unit | None
    ) -> None:
        """
        Bytes of any encoding and delimiter: a ReportFormatError, never another exception;
        every row read is accounted for.
        """
        try:
            _, report = read_order_lines(data, price_unit=price_unit, errors="collect")
        except ReportFormatError:
            return
        assert report.accounted
