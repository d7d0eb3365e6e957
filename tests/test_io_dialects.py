from __future__ import annotations

import codecs
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from redemption import MOSCOW
from redemption.errors import ReportFormatError
from redemption.io.dialects import (
    decode,
    decode_head,
    header_cells,
    parse_kopecks,
    parse_moment,
    parse_roubles,
    sniff_delimiter,
)
from redemption.io.report import BadRow
from tests.strategies import zones


class TestDecoding:
    @pytest.mark.parametrize(
        ("raw", "text", "encoding"),
        [
            ("Статус;Цена".encode(), "Статус;Цена", "utf-8"),
            (codecs.BOM_UTF8 + "Статус".encode(), "Статус", "utf-8-sig"),
            ("Статус;Всё".encode("cp1251"), "Статус;Всё", "cp1251"),
            (b"order_id,price", "order_id,price", "utf-8"),
        ],
    )
    def test_utf8_is_tried_strictly_before_windows_1251(
        self, raw: bytes, text: str, encoding: str
    ) -> None:
        """
        UTF-8 with or without its mark, and Windows-1251 where UTF-8 fails.
        """
        assert decode(raw, "f") == (text, encoding)

    @given(st.text(alphabet=st.characters(codec="cp1251"), min_size=1))
    def test_any_windows_1251_text_with_a_cyrillic_letter_reads_back(self, text: str) -> None:
        """
        Text Windows-1251 can write reads back as written, unless its bytes are also UTF-8.
        """
        raw = text.encode("cp1251")
        decoded, encoding = decode(raw, "f")
        assert decoded == text or (encoding == "utf-8" and raw.decode("utf-8") == decoded)

    @pytest.mark.parametrize(
        ("raw", "message"),
        [
            (codecs.BOM_UTF16_LE + "a".encode("utf-16-le"), "UTF-16 text"),
            (b"caf\x98", "neither UTF-8 text"),
            (codecs.BOM_UTF8 + b"\xff", "not UTF-8 text, though it starts as UTF-8"),
        ],
    )
    def test_text_in_neither_encoding_is_refused_by_name(self, raw: bytes, message: str) -> None:
        """
        UTF-16, bytes Windows-1251 leaves undefined, and a marked UTF-8 file that is not.
        """
        with pytest.raises(ReportFormatError, match=f"lines.csv: {message}"):
            decode(raw, "lines.csv")

    def test_the_head_of_a_file_may_end_inside_a_character(self) -> None:
        """
        The first 64 KiB may cut a UTF-8 letter in two: the head stays UTF-8, never 1251.
        """
        raw = "Номер отправления".encode()
        assert decode_head(raw[:3]) == "Н"
        assert decode_head("Номер".encode("cp1251")) == "Номер"


class TestDelimiters:
    @pytest.mark.parametrize(
        ("text", "delimiter"),
        [
            ("a,b,c\n1;2;3\n", ","),
            ("Номер;Объемный вес товаров, кг;Статус\n1;0,5;x\n", ";"),
            ("a\tb\tc;d\n", "\t"),
            ("a\tb;c\n", ";"),
            ('"a;b;c",d\n', ","),
            ("single\n", ","),
            ("a;b\r\n1,5;2,5\r\n", ";"),
        ],
    )
    def test_the_header_row_outside_quotes_decides(self, text: str, delimiter: str) -> None:
        """
        The most frequent delimiter of the header row, not counting quoted ones; a comma
        where there is none, the earlier of , ; tab on a tie.
        """
        assert sniff_delimiter(text) == delimiter

    @given(
        names=st.lists(st.text(min_size=1, max_size=8), min_size=2, max_size=6),
        delimiter=st.sampled_from([",", ";", "\t"]),
    )
    def test_a_header_written_by_csv_reads_back(self, names: list[str], delimiter: str) -> None:
        """
        Whatever its names (commas, quotes, other delimiters in them), a header the `csv`
        module writes is split back into them.
        """
        import csv  # noqa: PLC0415
        import io  # noqa: PLC0415

        stream = io.StringIO()
        csv.writer(stream, delimiter=delimiter, quoting=csv.QUOTE_ALL).writerow(names)
        assert header_cells(stream.getvalue()) == (delimiter, [name.strip() for name in names])


class TestAmounts:
    @pytest.mark.parametrize(
        ("text", "unit", "kopecks"),
        [
            ("152050", "kopecks", 152050),
            ("152 050", "kopecks", 152050),
            ("-5", "kopecks", -5),
            ("1520,50", "roubles", 152050),
            ("1520.5", "roubles", 152050),
            ("1 520,50", "roubles", 152050),
            ("1\u00a0520,50", "roubles", 152050),
            ("990,5000", "roubles", 99050),
            ("15", "roubles", 1500),
            ("0,01", "roubles", 1),
        ],
    )
    def test_each_unit_reads_to_kopecks(self, text: str, unit: str, kopecks: int) -> None:
        """
        Kopecks are whole; roubles take a comma or point, and spaces between thousands.
        """
        assert parse_kopecks(text, unit, "price") == kopecks  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("text", "unit", "reason"),
        [
            ("1520,50", "kopecks", "expected whole kopecks, found a fraction"),
            ("152050.0", "kopecks", "expected whole kopecks, found a fraction"),
            ("1520,505", "roubles", "finer than a kopeck"),
            ("1,520.50", "roubles", "expected roubles"),
            ("1520,", "roubles", "expected roubles"),
            ("12 34", "roubles", "expected roubles"),
            ("1" * 40, "kopecks", "more digits"),
            ("１５", "kopecks", "expected whole kopecks"),
        ],
    )
    def test_a_fraction_in_kopecks_or_an_odd_amount_names_the_column(
        self, text: str, unit: str, reason: str
    ) -> None:
        """
        The unit is never guessed: a fraction in a kopecks column is refused, naming it.
        """
        with pytest.raises(BadRow, match=reason) as caught:
            parse_kopecks(text, unit, "price_kopecks")  # type: ignore[arg-type]
        assert caught.value.field == "price_kopecks"

    @given(kopecks=st.integers(-(10**12), 10**12), comma=st.booleans(), grouped=st.booleans())
    def test_roubles_written_any_way_read_back_exactly(
        self, *, kopecks: int, comma: bool, grouped: bool
    ) -> None:
        """
        Against Decimal: an amount written in roubles, with either decimal mark and grouped
        digits or not, reads back to its kopecks.
        """
        roubles = Decimal(kopecks).scaleb(-2)
        text = f"{abs(roubles):,.2f}".replace(",", " " if grouped else "")
        text = ("-" if kopecks < 0 else "") + (text.replace(".", ",") if comma else text)
        assert parse_kopecks(text, "roubles", "price") == kopecks
        assert parse_roubles(text, "price") == roubles

    def test_roubles_keep_their_places_as_written(self) -> None:
        """
        Rounding is for to_money to do and count: parse_roubles keeps every place.
        """
        assert str(parse_roubles("990,5000", "Ваша цена")) == "990.5000"
        assert parse_roubles("1520,505", "Ваша цена") == Decimal("1520.505")


MSK = timezone(timedelta(hours=3))


class TestMoments:
    @pytest.mark.parametrize(
        ("text", "moment", "naive"),
        [
            ("2023-11-01T05:06:07+03:00", datetime(2023, 11, 1, 5, 6, 7, tzinfo=MSK), False),
            ("2023-11-01T02:06:07Z", datetime(2023, 11, 1, 2, 6, 7, tzinfo=UTC), False),
            ("2023-11-01 05:06", datetime(2023, 11, 1, 5, 6, tzinfo=MOSCOW), True),
            ("2023-11-01", datetime(2023, 11, 1, tzinfo=MOSCOW), True),
            ("01.11.2023 05:06", datetime(2023, 11, 1, 5, 6, tzinfo=MOSCOW), True),
            ("1.11.2023 5:06:07", datetime(2023, 11, 1, 5, 6, 7, tzinfo=MOSCOW), True),
            ("01.11.2023", datetime(2023, 11, 1, tzinfo=MOSCOW), True),
            (
                "01.11.2023 05:06:07.1234567",
                datetime(2023, 11, 1, 5, 6, 7, 123456, tzinfo=MOSCOW),
                True,
            ),
            ("01.11.2023 05:06 +0500", datetime(2023, 11, 1, 0, 6, tzinfo=UTC), False),
        ],
    )
    def test_iso_and_day_first_with_or_without_an_offset(
        self, *, text: str, moment: datetime, naive: bool
    ) -> None:
        """
        Day first is day, month, year; without an offset the moment is in the zone given.
        """
        read, was_naive = parse_moment(text, "ordered_at", MOSCOW)
        assert (read, was_naive) == (moment, naive)
        assert read.utcoffset() is not None

    @pytest.mark.parametrize(
        "text",
        ["31.02.2023", "2023-13-01", "11/01/2023", "01.11.23", "2023-11-01T25:00", "yesterday"],
    )
    def test_a_day_that_does_not_exist_or_another_order_is_a_bad_row(self, text: str) -> None:
        """
        No 31 February, no month first, no two-digit year: refused, naming the field.
        """
        with pytest.raises(BadRow, match="not a date and time") as caught:
            parse_moment(text, "sold_at", MOSCOW)
        assert caught.value.field == "sold_at"

    def test_a_moment_utc_cannot_hold_is_a_bad_row(self) -> None:
        """
        Midnight of 1 January of year 1 in Moscow is before any UTC instant.
        """
        with pytest.raises(BadRow, match="out of range"):
            parse_moment("01.01.0001", "ordered_at", MOSCOW)

    @example(moment=datetime(2024, 3, 31, 1, 30, tzinfo=UTC))
    @given(
        moment=st.datetimes(
            min_value=datetime(1990, 1, 1),
            max_value=datetime(2100, 1, 1),
            timezones=st.just(UTC),
        ),
    )
    def test_a_written_moment_reads_back_in_either_style(self, moment: datetime) -> None:
        """
        Against datetime: the moment's own wall time, ISO with its offset or day first
        without, reads back as the same instant.
        """
        local = moment.astimezone(MSK)
        day_first = local.strftime("%d.%m.%Y %H:%M:%S.%f")
        assert parse_moment(local.isoformat(), "f", MOSCOW)[0] == moment
        assert parse_moment(day_first, "f", MSK)[0] == moment

    @given(tz=zones)
    def test_a_date_alone_is_the_midnight_that_starts_it_in_the_zone(self, tz: object) -> None:
        """
        A day in any zone is that zone's midnight (the first instant of the day).
        """
        read, naive = parse_moment("15.01.2024", "f", tz)  # type: ignore[arg-type]
        assert naive
        assert read.astimezone(tz).date().isoformat() == "2024-01-15"  # type: ignore[arg-type]
