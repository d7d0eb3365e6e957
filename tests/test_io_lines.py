from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from hypothesis import given

from redemption import (
    CancelKind,
    History,
    InvalidArgumentError,
    Order,
    Reason,
    ReasonCategory,
    Sale,
)
from redemption.errors import DuplicateRecordError, ReportFormatError
from redemption.io import LINE_COLUMNS, read_order_lines, write_order_lines
from tests.builders import an_order, msk
from tests.strategies import matched_histories

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
            (GOOD.replace("+03:00,,", ",,"), "ordered_at", "no UTC offset"),
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
            (b"\xff\xfe", "not UTF-8"),
            (b"order_id,sku\no1,a\n", "no column price, ordered_at"),
            (b"\xef\xbb\xbf" + _lines(GOOD), None),
            (gzip.compress(_lines(GOOD)), None),
        ],
    )
    def test_files_are_read_or_refused_with_a_clear_message(
        self, content: bytes, message: str | None
    ) -> None:
        """
        A byte-order mark and gzip are read; an empty, non-UTF-8 or foreign file is named.
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
