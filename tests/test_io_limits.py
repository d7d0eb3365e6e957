from __future__ import annotations

import csv
import gzip
import io
import json
import os
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redemption import LimitExceededError, ReportFormatError
from redemption.io import (
    DEFAULT_LIMITS,
    Limits,
    read_order_lines,
    read_ozon_postings,
    read_reports,
    read_wildberries_claims,
    read_wildberries_goods_returns,
    read_wildberries_statistics,
    report_kind,
)
from redemption.io.limits import JsonRows, check_number_text, csv_cell_limit
from redemption.io.report import (
    PROGRESS_EVERY,
    RowTally,
    check_rows,
    load_json,
    read_json_rows,
    read_text,
    read_wrapped_rows,
)

DATA = Path(__file__).parent / "data"
ORDER = json.loads(
    (DATA / "wildberries" / "statistics-supplier-orders.example.json").read_text("utf-8")
)[0] | {"isCancel": False, "cancelDate": "0001-01-01T00:00:00"}
EXPECTED = "a JSON array of report rows"


def order_rows(count: int) -> list[dict[str, Any]]:
    """`count` supplier/orders rows, each its own line (srid)."""
    return [ORDER | {"srid": f"line-{number}"} for number in range(count)]


def nested(depth: int) -> Any:
    """A JSON value `depth` levels deep: lists, with an object at the bottom."""
    value: Any = {"a": 1}
    for _ in range(depth - 1):
        value = [value]
    return value


def within(seconds: float, call: Callable[[], object]) -> BaseException | None:
    """Run `call` in a thread; fail if it has not ended after `seconds`, else its error."""
    caught: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as error:  # noqa: BLE001 - handed to the test
            caught.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "the reader waits on the FIFO"
    return caught[0] if caught else None


class TestLimits:
    def test_the_defaults_are_named_and_can_be_overridden(self) -> None:
        """
        Every bound has a default, and any can be given higher or lower.
        """
        assert Limits() == DEFAULT_LIMITS
        assert (
            DEFAULT_LIMITS.max_units_per_row,
            DEFAULT_LIMITS.max_decompressed_bytes,
            DEFAULT_LIMITS.max_gzip_ratio,
            DEFAULT_LIMITS.max_json_depth,
            DEFAULT_LIMITS.max_row_chars,
            DEFAULT_LIMITS.max_csv_cell,
            DEFAULT_LIMITS.max_number_digits,
        ) == (10_000, 2 << 30, 400, 64, 16 << 20, 1_000_000, 40)
        assert Limits(max_json_depth=3).max_json_depth == 3

    @pytest.mark.parametrize("value", [0, -1, True, 1.5, "10"])
    def test_a_bound_is_a_whole_number_above_zero(self, value: object) -> None:
        """
        A bound of 0, below, or not a whole number is refused, naming it.
        """
        with pytest.raises(ValueError, match=r"Limits\.max_json_depth"):
            Limits(max_json_depth=value)  # type: ignore[arg-type] # on purpose


class TestFileSize:
    def test_a_file_larger_than_the_bound_is_refused_unread(self, tmp_path: Path) -> None:
        """
        A plain file over max_decompressed_bytes is refused by name; a higher bound reads it.
        """
        path = tmp_path / "orders.json"
        path.write_text(json.dumps(order_rows(3)), encoding="utf-8")
        small = Limits(max_decompressed_bytes=100)
        for read in (
            lambda limits: list(read_json_rows(path, limits=limits)[1]),
            lambda limits: read_text(path, "rows", limits=limits),
        ):
            with pytest.raises(LimitExceededError, match=f"{path}: the file holds more") as caught:
                read(small)
            assert (caught.value.limit, caught.value.source) == (
                "max_decompressed_bytes",
                str(path),
            )
            read(Limits(max_decompressed_bytes=10_000))

    def test_a_gzip_stream_unpacking_to_too_much_is_stopped(self, tmp_path: Path) -> None:
        """
        Unpacking stops at max_decompressed_bytes, in chunks, whatever the packed size.
        """
        path = tmp_path / "orders.json.gz"
        path.write_bytes(gzip.compress(json.dumps(order_rows(50)).encode()))
        small = Limits(max_decompressed_bytes=5_000)
        with pytest.raises(LimitExceededError, match="unpacks to more than 5,000 bytes") as caught:
            list(read_json_rows(path, limits=small)[1])
        assert caught.value.limit == "max_decompressed_bytes"
        with pytest.raises(LimitExceededError, match="unpacks to more"):
            load_json(path, limits=small)
        assert len(list(read_json_rows(path)[1])) == 50

    def test_a_gzip_bomb_is_stopped_by_its_ratio(self, tmp_path: Path) -> None:
        """
        20 MiB of white space packed a thousand times is refused; a higher ratio reads it.
        """
        path = tmp_path / "bomb.json.gz"
        path.write_bytes(gzip.compress(b"[" + b" " * (20 << 20) + b"]"))
        with pytest.raises(LimitExceededError, match=r"Limits\.max_gzip_ratio") as caught:
            read_wildberries_statistics(orders=path)
        assert (caught.value.limit, caught.value.source) == ("max_gzip_ratio", str(path))
        rows = read_json_rows(path, limits=Limits(max_gzip_ratio=100_000))[1]
        assert list(rows) == []


class TestJsonDepth:
    @pytest.mark.parametrize("depth", [65, 100_000], ids=["beyond the bound", "beyond Python"])
    def test_a_row_nested_too_deep_is_refused_naming_the_row(
        self, depth: int, tmp_path: Path
    ) -> None:
        """
        A row nested beyond max_json_depth (or beyond what Python can parse) is refused.
        """
        path = tmp_path / "orders.json"
        text = (
            json.dumps([ORDER, {"srid": "x", "deep": nested(depth - 2)}])
            if depth < 1000
            else ("[" + json.dumps(ORDER) + "," + "[" * depth + "]" * depth + "]")
        )
        path.write_text(text, encoding="utf-8")
        with pytest.raises(LimitExceededError, match=f"{path} row 2") as caught:
            read_wildberries_statistics(orders=path)
        assert (caught.value.limit, caught.value.row) == ("max_json_depth", 2)
        if depth < 1000:
            assert caught.value.field == "deep"
            rows = read_json_rows(path, limits=Limits(max_json_depth=depth))[1]
            assert len(list(rows)) == 2

    @pytest.mark.parametrize("depth", [65, 100_000], ids=["beyond the bound", "beyond Python"])
    def test_a_wrapped_document_nested_too_deep_is_refused(
        self, depth: int, tmp_path: Path
    ) -> None:
        """
        An Ozon list, read whole, is bounded the same, naming the posting where it can.
        """
        path = tmp_path / "postings.json"
        deep = nested(depth - 3) if depth < 1000 else None
        text = (
            json.dumps({"postings": [{"posting_number": "1", "products": deep}]})
            if deep is not None
            else '{"postings": ' + "[" * depth + "]" * depth + "}"
        )
        path.write_text(text, encoding="utf-8")
        as_of = datetime(2030, 1, 1, tzinfo=UTC)
        with pytest.raises(LimitExceededError, match=str(path)) as caught:
            read_ozon_postings(path, as_of=as_of)
        assert caught.value.limit == "max_json_depth"
        if deep is not None:
            assert (caught.value.row, caught.value.field) == (1, "products")
            _, rows = read_wrapped_rows(
                path,
                rows_of=lambda document: document["postings"],  # type: ignore[index]
                required=(),
                what="postings",
                expected="postings",
                limits=Limits(max_json_depth=depth),
            )
            assert len(rows) == 1

    def test_the_bound_counts_the_outer_array(self) -> None:
        """
        max_json_depth=3 takes [{"a": [1]}] and refuses [{"a": [[1]]}].
        """
        bound = Limits(max_json_depth=3)
        assert list(read_json_rows(b'[{"a": [1]}]', limits=bound)[1]) == [{"a": ["1"]}]
        with pytest.raises(LimitExceededError, match=r"<bytes> row 1, field 'a'"):
            list(read_json_rows(b'[{"a": [[1]]}]', limits=bound)[1])
        with pytest.raises(LimitExceededError, match=r"<bytes> row 1, field 'a'"):
            load_json(b'[{"a": [[1]]}]', limits=bound)


class TestRowLength:
    def test_a_row_longer_than_the_bound_is_refused_naming_it(self) -> None:
        """
        One row's text is bounded; the rows before it are read, and a higher bound reads it.
        """
        data = json.dumps([{"a": "short"}, {"a": "x" * 5000}]).encode()
        rows = iter(JsonRows(data, "<bytes>", Limits(max_row_chars=1000), chunk_bytes=64))
        assert next(rows) == {"a": "short"}
        with pytest.raises(LimitExceededError, match="<bytes> row 2: longer than 1,000") as caught:
            next(rows)
        assert (caught.value.limit, caught.value.row) == ("max_row_chars", 2)
        assert len(list(JsonRows(data, "<bytes>", chunk_bytes=64))) == 2


class TestNumberDigits:
    def test_a_number_of_too_many_digits_is_refused_naming_row_and_field(self) -> None:
        """
        check_number_text, for an importer's number fields, names where the number is.
        """
        assert check_number_text("-1520.50") == "-1520.50"
        assert check_number_text("1" * 40) == "1" * 40
        assert check_number_text(10**39) == str(10**39)
        with pytest.raises(LimitExceededError) as caught:
            check_number_text("9" * 4301, source="orders.json", row=7, field="finishedPrice")
        error = caught.value
        assert (error.limit, error.source, error.row, error.field) == (
            "max_number_digits",
            "orders.json",
            7,
            "finishedPrice",
        )
        assert str(error).startswith("orders.json row 7, field 'finishedPrice': a number of 4,301")
        with pytest.raises(LimitExceededError, match=r"^a number of"):
            check_number_text(10**5000)  # no int conversion, whatever sys.int_info says
        assert check_number_text("1" * 60, Limits(max_number_digits=60)) == "1" * 60

    def test_numbers_are_kept_as_their_text_however_long(self) -> None:
        """
        The JSON reader keeps a long number as text for the importer's field to refuse.
        """
        rows = list(read_json_rows(b'[{"price": ' + b"9" * 5000 + b"}]")[1])
        assert rows == [{"price": "9" * 5000}]


class TestCsvCells:
    def test_cells_up_to_the_bound_are_read_and_the_process_bound_put_back(self) -> None:
        """
        Inside the block csv reads cells up to max_csv_cell; after it, its own bound is back.
        """
        before = csv.field_size_limit()
        cell = "x" * 200_000  # over csv's own 131,072
        with csv_cell_limit("lines.csv"):
            assert next(csv.reader(io.StringIO(f"{cell},b\n"))) == [cell, "b"]
        assert csv.field_size_limit() == before

    def test_a_longer_cell_is_a_limit_error_naming_the_file(self) -> None:
        """
        A csv.Error for a cell over the bound leaves the block as a LimitExceededError.
        """
        before = csv.field_size_limit()
        with (
            pytest.raises(LimitExceededError, match=r"lines\.csv: a cell longer than 10") as caught,
            csv_cell_limit("lines.csv", Limits(max_csv_cell=10)),
        ):
            list(csv.reader(io.StringIO("a" * 11 + "\n")))
        assert caught.value.limit == "max_csv_cell"
        assert csv.field_size_limit() == before


GZIPPED = gzip.compress(json.dumps(order_rows(3)).encode())
CUTS = [2, 10, len(GZIPPED) // 2, len(GZIPPED) - 8, len(GZIPPED) - 1]
"""Cut in the header, in the stream, in the trailer (CRC and size)."""


class TestBrokenGzip:
    @pytest.mark.parametrize("cut", CUTS)
    def test_a_truncated_gzip_file_is_a_report_format_error(self, cut: int, tmp_path: Path) -> None:
        """
        Given as a file, as bytes, or in a folder, a gzip stream cut short is named.
        """
        path = tmp_path / "orders.json.gz"
        path.write_bytes(GZIPPED[:cut])
        for read in (
            lambda: read_wildberries_statistics(orders=path),
            lambda: read_wildberries_statistics(orders=GZIPPED[:cut]),
            lambda: read_reports([tmp_path]),
            lambda: read_text(path, "rows"),
        ):
            with pytest.raises(ReportFormatError, match="not a readable gzip file"):
                read()

    def test_a_corrupt_gzip_file_is_a_report_format_error(self, tmp_path: Path) -> None:
        """
        A wrong checksum, or garbage after the stream, is named like a cut one.
        """
        crc = bytearray(GZIPPED)
        crc[-6] ^= 0xFF
        for data in (bytes(crc), GZIPPED + b"garbage"):
            (tmp_path / "orders.gz").write_bytes(data)
            with pytest.raises(ReportFormatError, match="not a readable gzip file"):
                read_reports([tmp_path])

    def test_a_truncated_long_gzip_file_fails_where_it_is_cut(self, tmp_path: Path) -> None:
        """
        A long file cut short reads its first rows, then is refused by name.
        """
        data = gzip.compress(json.dumps(order_rows(20_000)).encode())
        path = tmp_path / "orders.json.gz"
        path.write_bytes(data[: len(data) // 2])
        assert report_kind(path) == "wildberries-orders"
        with pytest.raises(ReportFormatError, match=f"{path}: not a readable gzip file"):
            read_reports([path])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
class TestNotRegularFiles:
    def test_a_fifo_given_as_a_report_is_refused_without_waiting(self, tmp_path: Path) -> None:
        """
        A FIFO is refused before it is opened: opening one would wait for a writer.
        """
        fifo = tmp_path / "orders.json"
        os.mkfifo(fifo)
        for read in (
            lambda: read_wildberries_statistics(orders=fifo),
            lambda: read_reports([fifo]),
            lambda: report_kind(fifo),
            lambda: read_text(fifo, "rows"),
        ):
            error = within(10, read)
            assert isinstance(error, ReportFormatError)
            assert str(error) == (
                f"{fifo}: not a regular file but a FIFO (named pipe); a report is read from a file"
            )

    def test_a_fifo_in_a_folder_is_refused_without_waiting(self, tmp_path: Path) -> None:
        """
        A folder's FIFO is refused by name, not read nor waited on.
        """
        (tmp_path / "orders.json").write_text(json.dumps(order_rows(1)), encoding="utf-8")
        os.mkfifo(tmp_path / "pipe")
        error = within(10, lambda: read_reports([tmp_path]))
        assert isinstance(error, ReportFormatError)
        assert f"{tmp_path / 'pipe'}: not a regular file but a FIFO" in str(error)

    @pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null")
    def test_a_device_is_refused(self) -> None:
        """
        A character device is no report either.
        """
        with pytest.raises(ReportFormatError, match="a character device"):
            read_wildberries_statistics(orders="/dev/null")


class TestFolders:
    def test_downloads_in_progress_and_hidden_files_are_left_out(self, tmp_path: Path) -> None:
        """
        A ``.part`` page being written, and hidden files, are not read.
        """
        (tmp_path / "orders-00001.json").write_text(json.dumps(order_rows(2)), encoding="utf-8")
        (tmp_path / "orders-00002.part").write_text('[{"srid": "half', encoding="utf-8")
        (tmp_path / ".DS_Store").write_bytes(b"\x00\x01binary")
        history, report = read_reports([tmp_path])
        assert (len(history.orders), report.rows_read) == (2, 2)

    def test_a_folder_inside_a_folder_is_refused_naming_it(self, tmp_path: Path) -> None:
        """
        Subfolders are neither read nor passed over in silence.
        """
        (tmp_path / "orders.json").write_text(json.dumps(order_rows(1)), encoding="utf-8")
        (tmp_path / "old").mkdir()
        (tmp_path / ".git").mkdir()  # hidden: left out
        with pytest.raises(ReportFormatError, match=r"holds folders \(old\); .* a path of its own"):
            read_reports([tmp_path])
        history, _ = read_reports([tmp_path / "orders.json"])
        assert len(history.orders) == 1


def whole(data: bytes, required: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """How rows were read before streaming: the whole document, then checked."""
    name, document = load_json(data)
    return check_rows(name, document, required, EXPECTED)


def streamed(data: bytes, chunk: int, required: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Rows read as `read_json_rows` reads a file, `chunk` bytes at a time."""
    rows = JsonRows(data, "<bytes>", chunk_bytes=chunk)
    if rows.start() != "[":
        rows.close()
        return whole(data, required)
    if required and not rows.read_until(lambda row: all(field in row for field in required)):
        return check_rows("<bytes>", rows.ahead(), required, EXPECTED)
    return list(rows)


def outcome(read: Callable[[], list[dict[str, Any]]]) -> object:
    """The rows read, or the message of the `ReportFormatError` raised."""
    try:
        return read()
    except ReportFormatError as error:
        return f"error: {error}"


texts = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
        st.sampled_from('Подольск Склад продавца ё"\\\n€𝄞'),
    ),
    max_size=12,
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=12,
)
row_lists = st.lists(st.dictionaries(texts, json_values, max_size=5), max_size=5)


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    """A JSON array of rows as some tool may write it: spaced, indented, marked, escaped."""
    rows = draw(row_lists)
    text = json.dumps(
        rows,
        ensure_ascii=draw(st.booleans()),
        indent=draw(st.sampled_from([None, 0, 2, "\t"])),
        separators=draw(st.sampled_from([None, (",", ":"), (" , ", " : ")])),
    )
    text = (
        draw(st.sampled_from(["", " ", "\n", "\r\n\t"])) + text + draw(st.sampled_from(["", "\n"]))
    )
    data = text.encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return gzip.compress(data) if draw(st.booleans()) else data


class TestStreamingIsJsonLoads:
    @given(data=documents(), chunk=st.integers(1, 9))
    def test_the_rows_read_in_chunks_are_those_of_json_loads(self, data: bytes, chunk: int) -> None:
        """
        Objects, numbers and multi-byte characters cut at every place read the same.
        """
        assert streamed(data, chunk) == whole(data)

    @given(
        data=documents(), chunk=st.integers(1, 9), cut=st.floats(0, 1), tail=st.binary(max_size=3)
    )
    def test_a_broken_document_gives_the_same_error(
        self, data: bytes, chunk: int, cut: float, tail: bytes
    ) -> None:
        """
        Cut anywhere, or followed by anything, a document is read as before or refused,
        in the same words where it is UTF-8 (the same line and column), but for a row that
        is no object, told before malformed JSON after it.
        """
        plain = gzip.decompress(data) if data.startswith(b"\x1f\x8b") else data
        broken = plain[: round(len(plain) * cut)] + tail
        before = outcome(lambda: whole(broken))
        now = outcome(lambda: streamed(broken, chunk))
        try:
            broken.decode("utf-8")
        except UnicodeDecodeError:
            # read whole, text not UTF-8 was told first; read as it comes, what comes first
            assert isinstance(now, str) == isinstance(before, str), (now, before)
        else:
            if isinstance(now, str) and "expected an object" in now:
                # a row that is no object is told as it comes, before malformed JSON after it
                assert isinstance(before, str), before
            else:
                assert now == before

    @pytest.mark.parametrize(
        "data",
        [
            b"",
            b"  \n",
            b"\xef\xbb\xbf[]",
            b"{}",
            b'{"srid": "a"}',
            b'"rows"',
            b"[1, 2]",
            b'[{"a": 1}, []]',
            b'[{"a": 1}] x',
            b'[{"a": 1},]',
            b'[{"a": 1} {"b": 2}]',
            b'[\n  {\n    "a": \xd0\n  }\n]',
            b'[{"a": "\xd0\x9f\xd0"}]',
            b'[{"a": 1}, {"b": 2}]',
            b'[{"a": 1}, {"srid": 2, "date": 3}]',
        ],
    )
    @pytest.mark.parametrize("chunk", [1, 3, 1 << 20])
    def test_each_way_a_file_can_be_wrong_is_told_as_before(self, data: bytes, chunk: int) -> None:
        """
        Empty, a byte-order mark, not an array, a row no object, malformed, not UTF-8, or
        no row with the fields: the same rows or the same message as reading it whole.
        """
        required = ("srid", "date")
        assert outcome(lambda: streamed(data, chunk, required)) == outcome(
            lambda: whole(data, required)
        )


class TestProgress:
    def test_a_long_file_tells_estimates_then_the_exact_count(self, tmp_path: Path) -> None:
        """
        The rows of a file are counted as they come: an estimate, then the count at the end.
        """
        count = 3 * PROGRESS_EVERY + 5
        path = tmp_path / "orders.json"
        path.write_text(json.dumps(order_rows(count)), encoding="utf-8")
        told: list[tuple[str, int, int]] = []
        read_wildberries_statistics(orders=path, progress=lambda *call: told.append(call))
        assert [done for _, done, _ in told] == [
            PROGRESS_EVERY,
            2 * PROGRESS_EVERY,
            3 * PROGRESS_EVERY,
            count,
        ]
        assert all(name == str(path) and total >= done for name, done, total in told)
        assert told[-1][2] == count

    def test_rows_of_unknown_number_are_counted_at_the_end(self) -> None:
        """
        Rows with no length and no estimate are told as the rows done so far.
        """
        told: list[tuple[str, int, int]] = []
        tally = RowTally("raise", lambda *call: told.append(call))
        rows = (n for n in range(PROGRESS_EVERY + 1))
        assert [n for n, _ in tally.each("gen", rows)][-1] == PROGRESS_EVERY + 1
        assert told == [("gen", PROGRESS_EVERY, PROGRESS_EVERY), ("gen", 4097, 4097)]


class TestStreaming:
    def test_a_file_is_read_as_its_rows_are_iterated(self, tmp_path: Path) -> None:
        """
        The rows before a malformed tail are given before the error: nothing is read whole.
        """
        path = tmp_path / "orders.json"
        path.write_text(json.dumps(order_rows(3))[:-1] + ", {]", encoding="utf-8")
        name, rows = read_json_rows(path, ("srid",))
        iterator = iter(rows)
        assert [next(iterator)["srid"] for _ in range(3)] == ["line-0", "line-1", "line-2"]
        with pytest.raises(ReportFormatError, match=f"{name}: not valid JSON"):
            next(iterator)

    def test_bytes_and_rows_in_memory_read_as_before(self) -> None:
        """
        Bytes stream like a file; rows already parsed come back as the list they are.
        """
        rows = order_rows(2)
        assert list(read_json_rows(json.dumps(rows).encode())[1]) == json.loads(
            json.dumps(rows), parse_int=str, parse_float=str
        )
        assert read_json_rows(rows) == ("<rows>", rows)

    def test_a_file_left_half_read_is_closed(self, tmp_path: Path) -> None:
        """
        Rows not iterated to the end leave no file open (no ResourceWarning).
        """
        path = tmp_path / "orders.json"
        path.write_text(json.dumps(order_rows(5)), encoding="utf-8")
        _, rows = read_json_rows(path, ("srid",))
        next(iter(rows))
        del rows

    def test_a_million_digits_do_not_slow_the_reader(self) -> None:
        """
        The number text is kept as it is: no conversion, whatever its length.
        """
        assert sys.get_int_max_str_digits() < 1_000_000
        (row,) = read_json_rows(b'[{"n": ' + b"1" * 1_000_000 + b"}]")[1]
        assert len(row["n"]) == 1_000_000


class TestImportersTakeLimits:
    def test_each_importer_and_read_reports_apply_the_limits_given(self, tmp_path: Path) -> None:
        """
        A bound lowered by the caller is applied by the importer it is given to, and by
        read_reports; the defaults read the same file.
        """
        small = Limits(max_decompressed_bytes=64)
        rows = [
            {"srid": f"s{i}", "date": "2025-04-01T10:00:00",
             "lastChangeDate": "2025-04-01T10:00:00", "nmId": 1, "finishedPrice": 100,
             "isCancel": False,
             "cancelDate": "0001-01-01T00:00:00"}
            for i in range(3)
        ]  # fmt: skip
        orders = tmp_path / "orders.json"
        orders.write_text(json.dumps(rows), encoding="utf-8")
        assert len(read_wildberries_statistics(orders=orders)[0].orders) == 3
        with pytest.raises(LimitExceededError):
            read_wildberries_statistics(orders=orders, limits=small)
        with pytest.raises(LimitExceededError):
            read_reports([orders], limits=small)
        lines = tmp_path / "lines.csv"
        lines.write_text(
            "order_id,sku,price,ordered_at\no1,nm-42,100,2025-04-01T10:30:00+03:00\n",
            encoding="utf-8",
        )
        with pytest.raises(LimitExceededError):
            read_order_lines(lines, limits=small)
        postings = tmp_path / "postings.json"
        postings.write_text(json.dumps({"result": {"postings": []}}) + " " * 100, encoding="utf-8")
        with pytest.raises(LimitExceededError):
            read_ozon_postings(postings, as_of=datetime(2025, 4, 10, tzinfo=UTC), limits=small)
        history = read_wildberries_statistics(orders=orders)[0]
        goods = tmp_path / "goods-returns.json"
        goods.write_text(
            json.dumps(
                {"report": [{"srid": "s0", "shkId": 1, "returnType": "", "reason": "x" * 999}]}
            )
        )
        claims = tmp_path / "claims.json"
        claims.write_text(
            json.dumps(
                {"claims": [{"id": "c", "srid": "s0", "claim_type": 1, "user_comment": "x" * 999}]}
            )
        )
        # the orders are read within the bound, the enriching page is not
        between = Limits(max_decompressed_bytes=orders.stat().st_size + 100)
        enrichers = ((read_wildberries_goods_returns, goods), (read_wildberries_claims, claims))
        for enrich, page in enrichers:
            assert enrich(page, history, errors="collect")[1].rows_read == 1
            with pytest.raises(LimitExceededError):
                enrich(page, history, limits=small)
            assert len(read_reports([orders, page])[0].orders) == 3
            with pytest.raises(LimitExceededError, match=page.name):
                read_reports([orders, page], limits=between)
