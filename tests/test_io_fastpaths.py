"""The fast paths of the Wildberries statistics importer against the paths they stand for.

Each fast path is checked against the plain one, taken as the oracle: rows parsed in runs
by msgspec against `JsonRows` parsing each row with the standard library, plain rows read
by the importer's plain readers against `_order` and `_event`, and the records made
unchecked against the public constructors.
"""

from __future__ import annotations

import gc
import gzip
import json
import weakref
from array import array
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from redemption import MOSCOW, DataError, Order, RedemptionError, Return, Sale
from redemption._cycles import cycles_paused
from redemption.errors import ReportFormatError
from redemption.io import limits, read_wildberries_statistics, wildberries
from redemption.io.limits import JsonRows, Limits
from redemption.io.report import BadRow, RowOrigins, RowTally, price_field
from redemption.model import _checked_order, _checked_return, _checked_sale
from redemption.money import to_money
from redemption.outcomes import CancelKind, ReturnKind

FIELDS = wildberries._ORDER_READS

requires_msgspec = pytest.mark.skipif(
    limits._batch_reader(FIELDS) is None, reason="msgspec (the fast extra) is not installed"
)


def stdlib_rows(data: bytes, chunk: int, limits_: Limits = limits.DEFAULT_LIMITS) -> object:
    """The rows `JsonRows` reads with the standard library alone, restricted to FIELDS."""
    rows = JsonRows(data, "<bytes>", limits_, chunk_bytes=chunk)
    return outcome(lambda: restricted(started(rows)))


def fast_rows(data: bytes, chunk: int, limits_: Limits = limits.DEFAULT_LIMITS) -> object:
    """The rows `JsonRows` reads told FIELDS: in runs, by msgspec, where it can."""
    rows = JsonRows(data, "<bytes>", limits_, chunk_bytes=chunk, fields=FIELDS)
    return outcome(lambda: restricted(started(rows)))


def restricted(rows: JsonRows) -> list[dict[str, Any]]:
    """Each row's FIELDS: what a reader told them reads (it may be given more)."""
    return [{field: row[field] for field in FIELDS if field in row} for row in rows]


def started(rows: JsonRows) -> JsonRows:
    """The rows, once the document is known to be an array."""
    if rows.start() != "[":
        rows.close()
        msg = "not an array"
        raise ReportFormatError(msg, source="<bytes>")
    return rows


def outcome(read: Callable[[], object]) -> object:
    """What was read, or the error raised: its type and message."""
    try:
        return read()
    except RedemptionError as error:
        return f"{type(error).__name__}: {error}"


texts = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
        st.sampled_from('Подольск{}[],:"\\\n €𝄞-0'),
    ),
    max_size=10,
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**25), 10**25),
    st.sampled_from([0, 1, -1, 10**400]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: json.loads(str(d))),
    texts,
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=2),
    st.dictionaries(texts, scalars, max_size=2),
)


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    """A JSON array of rows, most of them flat, with the fields read and others."""
    rows = draw(
        st.lists(
            st.dictionaries(
                st.one_of(st.sampled_from(FIELDS), texts),
                st.one_of(scalars, scalars, scalars, values),
                max_size=8,
            ),
            max_size=6,
        )
    )
    text = json.dumps(
        rows,
        ensure_ascii=draw(st.booleans()),
        indent=draw(st.sampled_from([None, None, 2])),
        separators=draw(st.sampled_from([None, (",", ":"), (" , ", " : ")])),
    )
    text = text.replace(" 0,", " -0,") if draw(st.booleans()) else text
    data = (draw(st.sampled_from(["", " ", "\n"])) + text).encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return gzip.compress(data) if draw(st.booleans()) else data


@requires_msgspec
class TestRowsInRuns:
    @given(data=documents(), chunk=st.sampled_from([1, 2, 3, 7, 64, 1 << 20]))
    @example(data=b'[{"srid": -0, "nmId": 0}, {"srid": "a"}]', chunk=1 << 20)
    @example(data=b'[{"nmId": 1' + b"0" * 5000 + b"}, {}]", chunk=1 << 20)
    @example(data=b'[{"srid": "\\ud800"}, {"sr\\u0069d": "b", "srid": 1e5}]', chunk=4)
    def test_the_rows_are_those_read_one_at_a_time(self, data: bytes, chunk: int) -> None:
        """
        Every document, cut in chunks anywhere: the fields read, as the standard library
        reads them (numbers as their text), or the same error.
        """
        assert fast_rows(data, chunk) == stdlib_rows(data, chunk)

    @given(
        data=documents(), chunk=st.sampled_from([1, 5, 64]), cut=st.floats(0, 1), tail=st.binary()
    )
    def test_a_broken_document_gives_the_same_rows_then_the_same_error(
        self, data: bytes, chunk: int, cut: float, tail: bytes
    ) -> None:
        """
        Cut short, or followed by anything (bytes that are no UTF-8 too), a document is
        read as before, or refused in the same words at the same line and column.
        """
        plain = gzip.decompress(data) if data.startswith(b"\x1f\x8b") else data
        broken = plain[: round(len(plain) * cut)] + tail
        assert fast_rows(broken, chunk) == stdlib_rows(broken, chunk)

    @given(
        data=documents(),
        depth=st.integers(1, 4),
        row_chars=st.integers(1, 200),
        chunk=st.sampled_from([3, 64]),
    )
    def test_rows_beyond_the_limits_are_refused_alike(
        self, data: bytes, depth: int, row_chars: int, chunk: int
    ) -> None:
        """
        Low bounds on nesting and on a row's length refuse the same rows in the same words.
        """
        bounds = Limits(max_json_depth=depth, max_row_chars=row_chars)
        assert fast_rows(data, chunk, bounds) == stdlib_rows(data, chunk, bounds)

    def test_plain_rows_are_read_in_runs(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """
        A report of flat rows is parsed by msgspec, a run at a time, not row by row.
        """
        runs: list[int] = []
        batch = JsonRows._batch

        def counted(rows: JsonRows) -> list[dict[str, Any]] | None:
            got = batch(rows)
            runs.append(len(got or ()))
            return got

        monkeypatch.setattr(JsonRows, "_batch", counted)
        data = json.dumps([order_row(f"s{i}", warehouse="Подольск") for i in range(500)])
        rows = list(started(JsonRows(data.encode(), "<bytes>", chunk_bytes=4096, fields=FIELDS)))
        assert len(rows) == 500
        assert sum(runs) > 450
        assert rows[7] == json.loads(json.dumps(order_row("s7")), parse_int=str, parse_float=str)


def order_row(srid: str, **fields: Any) -> dict[str, Any]:
    """A supplier/orders row as the API writes it."""
    row = {
        "srid": srid,
        "date": "2025-04-01T10:00:00",
        "lastChangeDate": "2025-04-02T10:00:00",
        "nmId": 1234567,
        "finishedPrice": 1145.5,
        "isCancel": False,
        "cancelDate": wildberries.NOT_CANCELLED,
    }
    return row | fields


moments = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)),
    st.datetimes(min_value=datetime(1981, 1, 1), max_value=datetime(2011, 12, 31)),
)


def moment_texts() -> st.SearchStrategy[object]:
    """What a row may give as a moment: ISO text, with a zone or not, blanks, or no text."""
    return st.one_of(
        moments.map(datetime.isoformat),
        moments.map(lambda at: at.isoformat(sep=" ", timespec="minutes")),
        st.tuples(moments, st.integers(-14, 14)).map(
            lambda pair: pair[0].isoformat() + f"{pair[1]:+03d}:00"
        ),
        moments.map(lambda at: f" {at.isoformat()}\n"),
        st.sampled_from(["", "yesterday", "0001-01-01T00:00:00", "9999-12-31T23:59:59-05:00"]),
        st.sampled_from([None, 20250401, True]),
    )


price_texts = st.one_of(
    st.decimals(min_value=0, max_value=10**9, places=3).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(-5, 10**30).map(str),
    st.integers(-5, 10**30),
    st.sampled_from(["-0", "0E+5", "1e3", " 12.5 ", "1_000", "١٢", "9" * 40, None, 1.5, True]),
)
ids = st.one_of(
    st.text(alphabet="ab1 ", max_size=4),
    st.integers(-(10**20), 10**20),
    st.sampled_from([None, 1.5, False, "S1", "R1", "D1", " S2 "]),
)


@st.composite
def statistics_rows(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Orders and sales rows, plain or not, repeated or not, each field perhaps odd."""
    srids = draw(st.lists(st.sampled_from(["a", "b", "c", " d", "e"]), min_size=1, max_size=6))
    orders = []
    for srid in srids:
        cancelled = draw(st.booleans())
        row = {
            "srid": srid,
            "date": draw(moment_texts()),
            "lastChangeDate": draw(moment_texts()),
            "nmId": draw(ids),
            "finishedPrice": draw(price_texts),
            "isCancel": draw(st.sampled_from([cancelled, cancelled, "no"])),
            "cancelDate": draw(moment_texts())
            if cancelled
            else draw(st.sampled_from([wildberries.NOT_CANCELLED, "", None, "2025-04-02"])),
        }
        for field in draw(st.lists(st.sampled_from(list(row)), max_size=1)):
            del row[field]
        orders.append(row)
    sales = [
        {
            "srid": draw(st.sampled_from([*srids, 7])),
            "saleID": draw(ids),
            "date": draw(moment_texts()),
            "lastChangeDate": draw(moment_texts()),
        }
        for _ in range(draw(st.integers(0, 5)))
    ]
    return orders, sales


def without_plain_readers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read every row as a row that is not plain: by `_order` and `_event`."""
    monkeypatch.setattr(wildberries, "_plain_order", lambda *_: lambda _row: None)
    monkeypatch.setattr(wildberries, "_plain_event", lambda _row: None)


def read(orders: object, sales: object, errors: str) -> object:
    """What the importer gives, every record's every field, or the error it raises."""
    try:
        history, report = read_wildberries_statistics(
            orders=orders,  # type: ignore[arg-type] # rows or bytes
            sales=sales,  # type: ignore[arg-type]
            errors=errors,  # type: ignore[arg-type]
        )
    except RedemptionError as error:
        return f"{type(error).__name__}: {error}"
    return (
        [(repr(o), o.ordered_at, o.cancelled_at) for o in history.orders],
        [(repr(s), s.sold_at) for s in history.sales],
        [repr(r) for r in history.returns],
        history.lines,
        history.horizon,
        report,
    )


class TestPlainRows:
    @given(rows=statistics_rows(), errors=st.sampled_from(["raise", "collect"]))
    @example(
        rows=(
            [
                {**order_row("a"), "lastChangeDate": "2010-10-31T02:30:00"},
                {**order_row("a", finishedPrice=99), "lastChangeDate": "2010-10-31T02:30:00"},
                {**order_row("b"), "lastChangeDate": "2010-10-31T02:30:00+04:00"},
            ],
            [],
        ),
        errors="collect",
    )
    def test_rows_read_plain_give_what_the_full_reading_gives(
        self, rows: tuple[list[dict[str, Any]], list[dict[str, Any]]], errors: str
    ) -> None:
        """
        Rows given parsed or as a file: the same records, horizon and report (rows merged,
        refused, skipped, conflicts, each named) as with every row read in full.
        """
        orders, sales = rows
        files = json.dumps(orders).encode(), json.dumps(sales).encode()
        plain = read(orders, sales, errors), read(*files, errors)
        with pytest.MonkeyPatch.context() as monkeypatch:
            without_plain_readers(monkeypatch)
            full = read(orders, sales, errors), read(*files, errors)
        assert plain == full

    def test_the_rows_of_a_report_are_read_plain(self) -> None:
        """
        An order, a cancelled one, a sale and a return, as the API writes them, from a file:
        each made by the plain readers.
        """
        cancelled = order_row("b", isCancel=True, cancelDate="2025-04-03T10:00:00")
        file = json.dumps([order_row("a"), cancelled]).encode()
        rows = list(started(JsonRows(file, "<bytes>", fields=FIELDS)))
        read_row = wildberries._plain_order("shop", RowTally("raise", None))
        made = [read_row(row) for row in rows]
        assert [got[2] if got else None for got in made] == [
            Order(order_id="a", seller_id="shop", sku="1234567", price=Decimal("1145.50"),
                  ordered_at=datetime(2025, 4, 1, 10, tzinfo=MOSCOW)),
            Order(order_id="b", seller_id="shop", sku="1234567", price=Decimal("1145.50"),
                  ordered_at=datetime(2025, 4, 1, 10, tzinfo=MOSCOW),
                  cancelled_at=datetime(2025, 4, 3, 10, tzinfo=MOSCOW)),
        ]  # fmt: skip
        sales = [
            {"srid": "a", "saleID": sale_id, "date": "2025-04-05T10:00:00",
             "lastChangeDate": "2025-04-06T10:00:00"}
            for sale_id in ("S1", "R2")
        ]  # fmt: skip
        events = [wildberries._plain_event(row) for row in sales]
        at = datetime(2025, 4, 5, 10, tzinfo=MOSCOW)
        assert [got[2] if got else None for got in events] == [
            Sale(order_id="a", sold_at=at),
            Return(order_id="a", returned_at=at, kind=ReturnKind.RETURN),
        ]

    def test_a_bad_seller_id_is_named_as_before(self) -> None:
        """
        A seller id the records refuse is refused on every order, in the records' words.
        """
        _, report = read_wildberries_statistics(
            orders=[order_row("a")],
            seller_id="",
            errors="collect",
        )
        assert [p.reason for p in report.refused] == [
            "order a: seller_id must be a non-empty str, not str ''"
        ]


class TestCheckedRecords:
    @given(
        price=price_texts,
        cancel=st.one_of(st.none(), st.timedeltas(timedelta(0), timedelta(days=90))),
        at=st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 1, 1)),
    )
    def test_an_order_made_unchecked_is_the_order_made_checked(
        self, price: object, cancel: timedelta | None, at: datetime
    ) -> None:
        """
        A plain price rounded as `to_money` rounds it, and the order it makes, field for
        field, as `Order` makes it.
        """
        try:
            amount = price_field(price, "finishedPrice")
            expected: object = to_money(amount)
        except (BadRow, DataError):
            expected = None
        plain = wildberries._plain_price(price)
        if plain is not None:
            assert (plain[0], plain[1]) == (expected, plain[0] != amount)
            assert str(plain[0]) == str(expected)
        elif (type(price) is str and price.isascii()) or type(price) is int:
            assert expected is None
        money = plain[0] if plain else Decimal("1.00")
        ordered = at.replace(tzinfo=UTC)
        cancelled = None if cancel is None else ordered + cancel
        kind = None if cancel is None else CancelKind.UNKNOWN
        made = _checked_order(
            order_id="o",
            seller_id="s",
            sku="k",
            price=money,
            ordered_at=ordered,
            cancelled_at=cancelled,
            cancel_kind=kind,
        )
        assert made == Order(
            order_id="o",
            seller_id="s",
            sku="k",
            price=money,
            ordered_at=ordered,
            cancelled_at=cancelled,
            cancel_kind=kind,
        )
        assert made.buyer_id is None
        assert made.cancel_reason is None

    def test_sales_and_returns_made_unchecked_are_those_made_checked(self) -> None:
        """
        Every field set, none missing: equal, and equally hashed.
        """
        at = datetime(2025, 4, 1, tzinfo=UTC)
        sale = _checked_sale("o", at)
        back = _checked_return("o", at, ReturnKind.RETURN)
        assert (sale, hash(sale)) == (
            Sale(order_id="o", sold_at=at),
            hash(Sale(order_id="o", sold_at=at)),
        )
        assert back == Return(order_id="o", returned_at=at, kind=ReturnKind.RETURN)

    @given(moment=st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31)))
    @example(moment=datetime(2010, 10, 31, 2, 30))  # Moscow set its clocks back: twice
    @example(moment=datetime(2010, 3, 28, 2, 30))  # ...and forward: never
    @example(moment=datetime(1919, 7, 1, 3, 0))
    def test_a_naive_moment_is_the_moscow_instant_in_utc(self, moment: datetime) -> None:
        """
        `_in_utc` is the first occurrence of a naive moment in Moscow, as `_moment` reads
        it, in UTC.
        """
        assert wildberries._in_utc(moment) == moment.replace(tzinfo=MOSCOW).astimezone(UTC)
        assert wildberries._in_utc(moment).tzinfo is UTC


class TestWhereRecordsWereRead:
    def test_a_conflict_names_the_page_and_row_of_each_record(self, tmp_path: Path) -> None:
        """
        Two pages: a sale of a cancelled order names the page and row of both, however the
        rows were read.
        """
        first, second = tmp_path / "orders-1.json", tmp_path / "orders-2.json"
        first.write_text(json.dumps([order_row("a"), order_row("b")]), encoding="utf-8")
        cancelled = order_row("c", isCancel=True, cancelDate="2025-04-03T10:00:00")
        second.write_text(json.dumps([order_row("d"), cancelled]), encoding="utf-8")
        sales = [{"srid": "c", "saleID": "S1", "date": "2025-04-05T10:00:00",
                  "lastChangeDate": "2025-04-05T10:00:00"}]  # fmt: skip
        _, report = read_wildberries_statistics(
            orders=[first, second], sales=sales, errors="collect"
        )
        (conflict,) = report.conflicts
        assert (conflict.source, conflict.row, conflict.rule) == (
            str(second),
            2,
            "sold-but-cancelled",
        )
        assert "against <rows> row 1" in conflict.reason

    def test_origins_are_found_by_record(self) -> None:
        """
        Each record's tally, source and row, looked up by its id; no other id is found.
        """
        records = [object(), object(), object()]
        places = array("q", [1, 2, (1 << 40) | 7])
        origins = RowOrigins([(None, ["p1", "p2"], records, places)])  # type: ignore[list-item]
        assert [origins[id(r)][1:] for r in records] == [("p1", 1), ("p1", 2), ("p2", 7)]
        assert len(origins) == 3
        assert origins.get(id(origins)) is None
        assert set(origins) == {id(r) for r in records}


class TestCyclesPaused:
    def test_the_collector_runs_again_after_however_the_block_is_left(self) -> None:
        """
        Paused inside; running after, after an error too; left off if it was off.
        """
        assert gc.isenabled()
        inside: list[bool] = []

        def fail() -> None:
            with cycles_paused():
                inside.append(gc.isenabled())
                msg = "inside"
                raise ValueError(msg)

        with pytest.raises(ValueError, match="inside"):
            fail()
        assert inside == [False]
        assert gc.isenabled()
        gc.disable()
        try:
            with cycles_paused():
                pass
            assert not gc.isenabled()
        finally:
            gc.enable()

    def test_objects_frozen_by_the_caller_stay_frozen(self) -> None:
        """
        What the caller froze (before forking workers) is not thawed by an import, and
        what the block made is not frozen with it.

        Thawing would empty the permanent generation, and freezing would add the block's
        objects to it. Its count may fall a little on its own: a frozen object is still
        freed when its last reference goes, in another thread too (a kernel's or a browser
        driver's, earlier in the run).
        """
        gc.freeze()
        try:
            frozen = gc.get_freeze_count()
            with cycles_paused():
                made: list[list[int]] = [[] for _ in range(10)]
            assert frozen // 2 < gc.get_freeze_count() <= frozen
            assert made
        finally:
            gc.unfreeze()

    def test_cycles_made_inside_are_collected_after(self) -> None:
        """
        A reference cycle left behind in the block is freed by the next full collection.
        """

        class Node:
            other: Node

        with cycles_paused():
            node = Node()
            node.other = node
            ref = weakref.ref(node)
            del node
        assert ref() is not None
        gc.collect()
        assert ref() is None
