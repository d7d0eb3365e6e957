"""The columnar importer of Wildberries statistics reports against the object importer.

`redemption.frames.read_wildberries_statistics` writes the rules of
`redemption.io.read_wildberries_statistics` again on frames: on random report pages, each
engine's lines must be the object importer's history as lines, and the rows it puts aside
the rows the object importer refuses, skips, merges, leaves unmatched or puts aside.
"""

from __future__ import annotations

import gzip
import json
import re
import tempfile
import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import pytest

for _name in ("narwhals", "polars", "pyarrow", "duckdb"):
    pytest.importorskip(
        _name, reason=f"{_name} is not installed: the frames tests need the dev extra"
    )

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from redemption import MOSCOW, History, Period, frames, redemption_rates  # noqa: E402
from redemption.errors import InvalidArgumentError, ReportFormatError  # noqa: E402
from redemption.frames._rows import (  # noqa: E402
    WHITESPACE,
    decimal_digits,
    fixed_point,
    stripped,
    with_kopecks,
)
from redemption.frames._sources import Engine  # noqa: E402
from redemption.frames._times import moscow_offsets  # noqa: E402
from redemption.frames._wb_statistics import NOT_CANCELLED  # noqa: E402
from redemption.history import ConflictRule  # noqa: E402
from redemption.io import read_wildberries_statistics  # noqa: E402
from redemption.io.report import ImportReport  # noqa: E402
from redemption.sample import SAMPLE_TODAY, sample_report_paths  # noqa: E402
from tests.builders import write_json_pages  # noqa: E402
from tests.engines import by_order, rows_of, rule_of  # noqa: E402
from tests.strategies import records, report_pages, zones  # noqa: E402
from tests.test_io_wildberries import order_row, sale_row  # noqa: E402

ENGINES: list[Engine] = ["duckdb", "polars"]
EXAMPLES = {"duckdb": 10, "polars": 20}
"""Random reports per engine: DuckDB plans the importer's long expressions more slowly."""
RULES = {rule.value for rule in ConflictRule}
ANCHORS = (date(2010, 3, 1), date(2024, 1, 15), date(2025, 1, 1))
"""Stretches of calendar for the reports: Moscow's last clock changes (2010-2011), and now."""


def wb_time(at: datetime) -> str:
    """An instant as Wildberries writes it: naive Moscow time, in whole seconds."""
    return at.astimezone(MOSCOW).replace(tzinfo=None, microsecond=0).isoformat()


def _price(draw: st.DrawFn, price: Decimal) -> object:
    """A price as the API may write it: a number, its text, or finer than a kopeck."""
    form = draw(st.sampled_from(["number", "text", "finer"]))
    if form == "number":
        return int(price) if price == price.to_integral_value() else float(price)
    if form == "text":
        return str(price)
    return str(price + Decimal(draw(st.sampled_from(["0.005", "0.001", "0.009", "0.0050"]))))


ORDER_DEFECTS = (
    ("srid", ""),
    ("lastChangeDate", "yesterday"),
    ("isCancel", "no"),
    ("finishedPrice", "-5"),
    ("finishedPrice", None),
    ("nmId", ""),
    ("date", "2025-02-30T10:00:00"),
    ("date", "2025-04-01T24:00:00"),
    ("cancelDate", "2025-04-02T00:00:00"),  # on an order not cancelled
)
SALE_DEFECTS = (
    ("saleID", ""),
    ("srid", None),
    ("date", "2025-13-01T10:00:00"),
    ("lastChangeDate", "2025-04-31T10:00:00"),
)


Pages = list[list[dict[str, Any]]]


def _padded(draw: st.DrawFn, text: str) -> str:
    """`text` with whitespace Python strips (ASCII and other) at either end, or none."""
    blanks = st.sampled_from(["", " ", "\n", "\u3000", "\t\x1c"])
    return draw(blanks) + text + draw(blanks)


@st.composite
def reports(draw: st.DrawFn) -> tuple[Pages, Pages]:  # noqa: C901, PLR0912 - a branch per kind of row
    """Draw ``supplier/orders`` and ``supplier/sales`` pages as the API gives them.

    Orders, sales and returns of consistent records, some orders left out; versions of
    rows with earlier, equal or later ``lastChangeDate`` and other contents; second sales,
    sales before their order, returns before their sale; rows neither sales nor returns;
    bad rows; all in a random order, split into pages that overlap.
    """
    drawn = draw(records(draw(st.sampled_from(ANCHORS)), draw(zones), max_orders=12))
    hours = st.integers(0, 96).map(lambda h: timedelta(hours=h))
    orders: list[dict[str, Any]] = []
    for order in drawn.orders:
        cancelled = order.cancelled_at is not None
        row = order_row(
            order.order_id,
            date=wb_time(order.ordered_at),
            lastChangeDate=wb_time(order.ordered_at + draw(hours)),
            nmId=draw(st.sampled_from([order.sku, 4242])),
            finishedPrice=_price(draw, order.price),
            isCancel=cancelled,
            cancelDate=wb_time(order.cancelled_at) if order.cancelled_at else NOT_CANCELLED,
        )
        if not cancelled and draw(st.integers(0, 5)) == 0:
            row["cancelDate"] = draw(
                st.sampled_from([None, "", " 0001-01-01T00:00:00 ", "0001-01-01T00:00:00\n"])
            )
        if cancelled and draw(st.integers(0, 3)) == 0:
            row["cancelDate"] = _padded(draw, row["cancelDate"])
        orders.append(row)
        if draw(st.integers(0, 3)) == 0:  # another version: older, as old, or newer
            shift = draw(st.sampled_from([-5, 0, 0, 7]))
            changed = datetime.fromisoformat(row["lastChangeDate"]) + timedelta(hours=shift)
            orders.append(
                row
                | {
                    "lastChangeDate": _padded(draw, changed.isoformat()),
                    "date": _padded(draw, row["date"]),
                    "finishedPrice": draw(
                        st.integers(0, 9999)
                        # text the object importer reads too: ASCII blanks only
                        | st.integers(0, 9999).map(lambda p: f" {p}.5\n")
                    ),
                    # padded with whitespace Python strips, not only ASCII
                    "srid": draw(st.sampled_from(["", " ", "\u3000", "\x1c\t"]))
                    + order.order_id
                    + draw(st.sampled_from(["", "\xa0", "\n"])),
                }
            )
    events: list[dict[str, Any]] = []
    for i, sale in enumerate(drawn.sales):
        events.append(
            sale_row(
                sale.order_id,
                f"S{i}",
                date=wb_time(sale.sold_at),
                lastChangeDate=wb_time(sale.sold_at + draw(hours)),
            )
        )
        extra = draw(st.sampled_from(["none", "none", "second", "early", "version", "other"]))
        if extra == "second":
            events.append(
                sale_row(sale.order_id, f"S{i}x", date=wb_time(sale.sold_at + draw(hours)))
            )
        elif extra == "early":
            events.append(
                sale_row(sale.order_id, f"S{i}e", date=wb_time(sale.sold_at - timedelta(days=400)))
            )
        elif extra == "version":
            events.append(
                events[-1]
                | {
                    "date": wb_time(sale.sold_at + draw(hours)),
                    "lastChangeDate": wb_time(sale.sold_at + draw(hours)),
                }
            )
        elif extra == "other":
            events.append(sale_row(sale.order_id, f"D{i}"))
    for i, back in enumerate(drawn.returns):
        early = draw(st.integers(0, 5)) == 0
        at = back.returned_at - timedelta(days=500) if early else back.returned_at
        events.append(
            sale_row(
                back.order_id, f"R{i}", date=wb_time(at), lastChangeDate=wb_time(at + draw(hours))
            )
        )
    if draw(st.booleans()) and drawn.orders:  # a return of an order never sold
        events.append(sale_row(drawn.orders[0].order_id, "Rz", date="2030-01-01T00:00:00"))
    for field, value in draw(st.lists(st.sampled_from(ORDER_DEFECTS), max_size=3)):
        orders.append(order_row(f"bad-{len(orders)}") | {field: value})
    for field, value in draw(st.lists(st.sampled_from(SALE_DEFECTS), max_size=3)):
        events.append(sale_row("o0", f"Sbad{len(events)}") | {field: value})
    return report_pages(draw, draw(st.permutations(orders))), report_pages(
        draw, draw(st.permutations(events))
    )


def expected_lines(history: History) -> History:
    """The history lines can hold: its orders, with the sales and returns of those orders."""
    ids = {order.order_id for order in history.orders}
    return History(
        orders=history.orders,
        sales=[s for s in history.sales if s.order_id in ids],
        returns=[r for r in history.returns if r.order_id in ids],
    )


def check_agree(history: History, report: ImportReport, lines: Any, aside: Any) -> None:
    """The columnar result is the object importer's, row for row and reason for reason."""
    got = by_order(lines)
    assert got == by_order(frames.to_lines(expected_lines(history)))
    put = rows_of(aside)
    kinds = Counter(row["kind"] for row in put)
    refused = sorted((r["source"], r["row"], r["field"]) for r in put if r["kind"] == "refused")
    assert refused == sorted((p.source, p.row, p.field) for p in report.refused)
    skipped = sorted((r["source"], r["row"]) for r in put if r["kind"] == "skipped")
    assert skipped == sorted((p.source, p.row) for p in report.skipped)
    assert kinds["merged"] == report.merged
    assert kinds["unmatched"] == len(history.unmatched_sales) + len(history.unmatched_returns)
    conflicts = sorted(
        (r["source"], r["row"], rule_of(r["reason"]))
        for r in put
        if r["kind"] in ("conflict", "amended")
    )
    assert conflicts == sorted(
        (p.source, p.row, p.rule) for p in report.conflicts if p.rule in RULES
    )
    # every row read makes a line, completes one, or is put aside
    completed = sum(row["sold_at"] is not None for row in got) + sum(
        row["returned_at"] is not None for row in got
    )
    assert report.rows_read == len(got) + completed + len(put) - kinds["amended"]


def read_both(
    folder: Path,
    orders: list[list[dict[str, Any]]],
    sales: list[list[dict[str, Any]]],
    gz: list[bool],
) -> tuple[list[str] | None, list[str] | None, History, ImportReport]:
    """Write the pages and read them with the object importer."""
    order_files = write_json_pages(folder, "orders", orders, gz[: len(orders)]) if orders else None
    sale_files = write_json_pages(folder, "sales", sales, gz[-len(sales) :]) if sales else None
    history, report = read_wildberries_statistics(
        orders=order_files, sales=sale_files, seller_id="shop", errors="collect"
    )
    return order_files, sale_files, history, report


@pytest.mark.parametrize("backend", ENGINES)
def test_the_columnar_importer_reads_what_the_object_importer_reads(backend: Engine) -> None:
    """
    Differential: random pages, plain and gzipped, overlapping; the same lines, and the
    same rows refused, skipped, merged, unmatched and in conflict, as the object importer.
    """
    check = settings(
        max_examples=EXAMPLES[backend],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
    )(given(pages=reports(), gz=st.lists(st.booleans(), min_size=8, max_size=8))(_agree))
    check(backend=backend)


def _agree(
    backend: Engine,
    pages: tuple[list[list[dict[str, Any]]], list[list[dict[str, Any]]]],
    gz: list[bool],
) -> None:
    """Read the pages with both importers; check that they agree."""
    orders, sales = pages
    with tempfile.TemporaryDirectory() as name:
        order_files, sale_files, history, report = read_both(Path(name), orders, sales, gz)
        lines, aside = frames.read_wildberries_statistics(
            order_files,
            sale_files,
            backend=backend,
            seller_id="shop",
        )
        check_agree(history, report, lines, aside)


def _write(folder: Path, name: str, rows: list[dict[str, Any]]) -> Path:
    path = folder / name
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("backend", ENGINES)
class TestRules:
    def test_the_sentinel_cancel_date_is_no_cancellation(
        self, backend: Engine, tmp_path: Path
    ) -> None:
        """
        0001-01-01T00:00:00, null or nothing: not cancelled; a true isCancel with a date:
        cancelled then, of unknown kind; a true isCancel with the sentinel is refused.
        """
        path = _write(
            tmp_path,
            "orders.json",
            [
                order_row("a"),
                order_row("b", cancelDate=None),
                order_row("c", cancelDate=""),
                order_row("d", isCancel=True, cancelDate="2025-04-02T00:00:00"),
                order_row("e", isCancel=True),
            ],
        )
        lines, aside = frames.read_wildberries_statistics(path, backend=backend)
        got = {row["order_id"]: row for row in rows_of(lines)}
        assert sorted(got) == ["a", "b", "c", "d"]
        assert [got[i]["cancelled_at"] for i in "abc"] == [None, None, None]
        assert got["d"]["cancelled_at"] == datetime(2025, 4, 1, 21, tzinfo=UTC)
        assert got["d"]["cancel_kind"] == "unknown"
        assert [(r["row"], r["field"], r["kind"]) for r in rows_of(aside)] == [
            (5, "cancelDate", "refused")
        ]

    def test_the_latest_version_wins_and_a_tie_goes_to_the_last_read(
        self, backend: Engine, tmp_path: Path
    ) -> None:
        """
        srid a three times: the latest lastChangeDate wins over a later page's older row;
        two versions with one lastChangeDate: the one on the later page.
        """
        first = _write(
            tmp_path,
            "1.json",
            [
                order_row("a", lastChangeDate="2025-04-02T10:00:00", finishedPrice=200),
                order_row("b", finishedPrice=100),
            ],
        )
        second = _write(
            tmp_path,
            "2.json",
            [order_row("a", finishedPrice=300), order_row("b", finishedPrice=400)],
        )
        lines, aside = frames.read_wildberries_statistics(
            [first, second],
            backend=backend,
        )
        assert {r["order_id"]: r["price"] for r in rows_of(lines)} == {"a": 20000, "b": 40000}
        merged = sorted((Path(r["source"]).name, r["row"]) for r in rows_of(aside))
        assert merged == [("1.json", 2), ("2.json", 1)]
        assert {r["kind"] for r in rows_of(aside)} == {"merged"}

    def test_s_is_a_sale_r_a_return_and_other_ids_are_skipped(
        self, backend: Engine, tmp_path: Path
    ) -> None:
        """
        S1 sells a, R1 returns it (of kind return), D1 is skipped with its reason; S2 of an
        order not given is unmatched; a second sale of a is put aside.
        """
        orders = _write(tmp_path, "orders.json", [order_row("a")])
        sales = _write(
            tmp_path,
            "sales.json",
            [
                sale_row("a", "S1"),
                sale_row("a", "R1", date="2025-04-07T12:00:00"),
                sale_row("a", "D1"),
                sale_row("zz", "S2"),
                sale_row("a", "S3", date="2025-04-06T12:00:00"),
            ],
        )
        lines, aside = frames.read_wildberries_statistics(orders, sales, backend=backend)
        (line,) = rows_of(lines)
        assert line["sold_at"] == datetime(2025, 4, 5, 9, tzinfo=UTC)
        assert (line["returned_at"], line["return_kind"]) == (
            datetime(2025, 4, 7, 9, tzinfo=UTC),
            "return",
        )
        put = {r["row"]: r for r in rows_of(aside)}
        assert {row: r["kind"] for row, r in put.items()} == {
            3: "skipped",
            4: "unmatched",
            5: "conflict",
        }
        assert "D1" in put[3]["reason"]
        assert put[5]["reason"].endswith("(duplicate-sale)")

    @pytest.mark.parametrize(
        ("written", "utc"),
        [
            ("2025-04-01T10:00:00", datetime(2025, 4, 1, 7, tzinfo=UTC)),
            ("2013-01-15T10:00:00", datetime(2013, 1, 15, 6, tzinfo=UTC)),  # +04 until 2014
            ("2010-10-31T02:30:00", datetime(2010, 10, 30, 22, 30, tzinfo=UTC)),  # twice: first
            ("2010-03-28T02:30:00", datetime(2010, 3, 27, 23, 30, tzinfo=UTC)),  # skipped
        ],
    )
    def test_naive_times_are_moscow_time(
        self, backend: Engine, written: str, utc: datetime, tmp_path: Path
    ) -> None:
        """
        A naive time is Moscow's, with the offset of its day, as Python reads it.
        """
        path = _write(tmp_path, "o.json", [order_row("a", date=written, lastChangeDate=written)])
        (line,) = rows_of(frames.read_wildberries_statistics(path, backend=backend)[0])
        assert line["ordered_at"] == utc
        assert utc == datetime.fromisoformat(written).replace(tzinfo=MOSCOW).astimezone(UTC)

    def test_a_time_is_read_when_python_reads_it(self, backend: Engine, tmp_path: Path) -> None:
        """
        Oracle: of times at the edges of the calendar (29 February of leap and common
        years, 31st days, hour 24, minute 60, year 0), those Python reads make lines at
        Python's instant, and the others are refused naming ``date``.
        """
        written = [
            "2024-02-29T10:00:00",
            "2000-02-29T10:00:00",
            "2023-02-29T10:00:00",
            "1900-02-29T10:00:00",
            "2025-04-31T10:00:00",
            "2025-12-31T23:59:59",
            "2025-06-30T24:00:00",
            "2025-06-30T23:60:00",
            "2025-06-30T23:59:60",
            "0000-06-30T10:00:00",
            "2025-00-10T10:00:00",
            "2025-06-00T10:00:00",
        ]
        path = _write(
            tmp_path,
            "o.json",
            [order_row(f"o{i}", date=t, lastChangeDate=t) for i, t in enumerate(written)],
        )
        lines, aside = frames.read_wildberries_statistics(path, backend=backend)
        got = {int(r["order_id"][1:]): r["ordered_at"] for r in rows_of(lines)}
        want = {}
        for i, text in enumerate(written):
            try:
                want[i] = datetime.fromisoformat(text).replace(tzinfo=MOSCOW).astimezone(UTC)
            except ValueError:
                continue
        assert got == want
        refused = {r["row"] - 1 for r in rows_of(aside)}
        assert refused == set(range(len(written))) - set(want)
        assert {r["field"] for r in rows_of(aside)} == {"lastChangeDate"}

    def test_prices_are_kopecks_rounded_half_even(self, backend: Engine, tmp_path: Path) -> None:
        """
        990.505 and 0.125 round to the even kopeck, 10.0051 up, 7 is 700 kopecks.
        """
        prices = {"a": "990.505", "b": "0.125", "c": "10.0051", "d": 7, "e": 1284.01}
        path = _write(
            tmp_path, "o.json", [order_row(k, finishedPrice=v) for k, v in prices.items()]
        )
        lines, _ = frames.read_wildberries_statistics(path, backend=backend)
        assert {r["order_id"]: r["price"] for r in rows_of(lines)} == {
            "a": 99050,
            "b": 12,
            "c": 1001,
            "d": 700,
            "e": 128401,
        }

    def test_the_lines_give_the_figures_directly(self, backend: Engine, tmp_path: Path) -> None:
        """
        The lines are order lines: redemption_rates takes them lazily, as they are, and
        gives the figures of the object importer's history.
        """
        known = {"lastChangeDate": "2025-06-02T00:00:00"}  # the reports reach past today
        orders = _write(
            tmp_path, "o.json", [order_row(f"o{i}", nmId=i % 2, **known) for i in range(6)]
        )
        sales = _write(tmp_path, "s.json", [sale_row(f"o{i}", f"S{i}", **known) for i in range(4)])
        lines, _ = frames.read_wildberries_statistics(orders, sales, backend=backend)
        period, today = Period(date(2025, 4, 1), date(2025, 4, 30)), date(2025, 6, 1)
        got = frames.redemption_rates(lines, period=period, today=today)
        history, _ = read_wildberries_statistics(orders=orders, sales=sales)
        want = redemption_rates(history, period, today=today)
        assert sorted((r["sku"], r["orders"], r["sales"]) for r in rows_of(got)) == sorted(
            (sku, r.orders, r.sales) for sku, r in want.items()
        )


def test_moscow_offsets_are_pythons() -> None:
    """
    Oracle: the offset the table gives every local time around each clock change, and
    every hour of 1990, is the one `datetime.replace(tzinfo=MOSCOW)` gives.
    """
    first, bounds = moscow_offsets()

    def offset(local: datetime) -> str:
        text = local.isoformat()
        return next(zone for bound, zone in bounds if text >= bound)

    moments = [datetime(1990, 1, 1) + timedelta(hours=h) for h in range(24 * 365)]
    for bound, _ in bounds:
        at = datetime.fromisoformat(bound)
        moments += [at + timedelta(seconds=s) for s in (-7200, -3601, -3600, -1, 0, 1, 3600)]
    for local in moments:
        if local.isoformat() < first:
            continue
        shift = local.replace(tzinfo=MOSCOW).utcoffset()
        assert shift is not None
        minutes = int(shift.total_seconds()) // 60
        assert offset(local) == f"+{minutes // 60:02d}{minutes % 60:02d}", local


def test_moscow_offsets_miss_no_change() -> None:
    """
    Oracle: looking at Moscow's offset every six hours from 1880 to 2040 finds the changes the
    table holds from its first on, and no other: its week's step misses none.
    """
    first, bounds = moscow_offsets()
    start = datetime(1880, 1, 1, tzinfo=UTC)
    step = timedelta(hours=6)
    steps = (datetime(2040, 1, 1, tzinfo=UTC) - start) // step
    seen = [(start + h * step).astimezone(MOSCOW).utcoffset() for h in range(steps)]
    changes = [h for h in range(1, steps) if seen[h] != seen[h - 1]]

    def found(h: int, local: str) -> bool:
        """Whether the change in the step before `h` is the one at the local time `local`.

        A bound is the change's instant read in the larger of its two offsets.
        """
        before, after = seen[h - 1], seen[h]
        assert before is not None
        assert after is not None
        instant = datetime.fromisoformat(local).replace(tzinfo=UTC) - max(before, after)
        return start + (h - 1) * step < instant <= start + h * step

    chronological = list(reversed(bounds))
    assert chronological[0][0] == first
    k = next(i for i, h in enumerate(changes) if found(h, first))
    assert len(changes) - k == len(chronological)
    for h, (bound, zone) in zip(changes[k:], chronological, strict=True):
        assert found(h, bound), bound
        after = seen[h]
        assert after is not None
        minutes = int(after.total_seconds()) // 60
        assert zone == f"+{minutes // 60:02d}{minutes % 60:02d}", bound


def test_whitespace_is_what_python_strips() -> None:
    """
    Oracle: the characters the frames strip are every character `str.isspace` names.
    """
    assert sorted(WHITESPACE) == [chr(c) for c in range(0x110000) if chr(c).isspace()]


@pytest.mark.parametrize("backend", ENGINES)
@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(
        st.none()
        | st.text(alphabet=st.sampled_from([*WHITESPACE[:12], "a", "б", "1", " ", "\u3000"])),
        min_size=1,
        max_size=12,
    )
)
def test_text_is_stripped_as_python_strips_it(backend: Engine, values: list[str | None]) -> None:
    """
    Oracle: padded text of any whitespace Python knows, stripped on the engine, is
    `str.strip` of it; text without padding and nulls are as they were.
    """
    import duckdb  # noqa: PLC0415 - the engines are skipped without the dev extra
    import narwhals.stable.v2 as nw  # noqa: PLC0415
    import polars as pl  # noqa: PLC0415

    native = (
        pl.LazyFrame({"x": values}, schema={"x": pl.String})
        if backend == "polars"
        else duckdb.connect().sql("SELECT unnest($v::VARCHAR[]) AS x", params={"v": values})
    )
    frame = nw.from_native(native).select(stripped(nw.col("x")).alias("x"))
    assert [row["x"] for row in rows_of(frame.to_native())] == [
        None if v is None else v.strip() for v in values
    ]


@pytest.mark.parametrize("backend", ENGINES)
@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(
        st.none()
        | st.from_regex(r"[0-9]{1,18}(\.[0-9]{1,9})?", fullmatch=True)
        | st.sampled_from(["", ".5", "5.", "1.2.3", "1e3", "-1", "0.005", "0.006", "2.50001"])
        | st.sampled_from([" 12.5", "7\n", "\u3000 0.125\xa0", " ", "1 .5"]),  # padded
        min_size=1,
        max_size=12,
    )
)
def test_a_price_is_read_to_the_kopeck_as_decimal_rounds_it(
    backend: Engine, values: list[str | None]
) -> None:
    """
    Oracle: a price's text read on the engine is `Decimal`'s rounding of it to the
    kopeck, half-even, stripped as `str.strip` strips it; text that is no price of digits
    and a point, or too large to hold in 64 bits, has no kopecks and a reason.
    """
    import duckdb  # noqa: PLC0415 - the engines are skipped without the dev extra
    import narwhals.stable.v2 as nw  # noqa: PLC0415
    import polars as pl  # noqa: PLC0415

    native = (
        pl.LazyFrame({"x": values}, schema={"x": pl.String})
        if backend == "polars"
        else duckdb.connect().sql("SELECT unnest($v::VARCHAR[]) AS x", params={"v": values})
    )
    frame = with_kopecks(nw.from_native(native), nw.col("x"), "k").select("x", "k", "k_bad")
    got = {(row["x"], row["k"], row["k_bad"] is None) for row in rows_of(frame.to_native())}

    def oracle(given: str | None) -> tuple[str | None, int | None, bool]:
        text = None if given is None else given.strip()
        if text is None or not re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
            return given, None, False
        if len(text.split(".")[0]) > 16:  # whole roubles that fit 64 bits as kopecks
            return given, None, False
        kopecks = Decimal(text).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) * 100
        return given, int(kopecks), True

    assert got == {oracle(v) for v in values}


@pytest.mark.parametrize("backend", ENGINES)
@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(
        st.none() | st.from_regex(r"[+-]?[0-9]{1,9}(\.[0-9]{1,12})?", fullmatch=True),
        min_size=1,
        max_size=12,
    ),
    places=st.integers(1, 9),
)
def test_an_amount_s_digits_make_its_units_as_decimal_cuts_them(
    backend: Engine, values: list[str | None], places: int
) -> None:
    """
    Oracle: the units of ``10 ** -places`` that `fixed_point` makes of the digits
    `decimal_digits` takes from a signed amount's text are `Decimal`'s absolute value of
    it in those units, the digits beyond them cut.
    """
    import duckdb  # noqa: PLC0415 - the engines are skipped without the dev extra
    import narwhals.stable.v2 as nw  # noqa: PLC0415
    import polars as pl  # noqa: PLC0415

    native = (
        pl.LazyFrame({"x": values}, schema={"x": pl.String})
        if backend == "polars"
        else duckdb.connect().sql("SELECT unnest($v::VARCHAR[]) AS x", params={"v": values})
    )
    whole, fraction = decimal_digits(nw.col("x"), signed=True)
    frame = nw.from_native(native).select("x", fixed_point(whole, fraction, places).alias("u"))
    got = Counter((row["x"], row["u"]) for row in rows_of(frame.to_native()))

    def oracle(text: str | None) -> int | None:
        if text is None:
            return None
        return int(abs(Decimal(text)).scaleb(places).to_integral_value(rounding=ROUND_DOWN))

    assert got == Counter((v, oracle(v)) for v in values)


def test_a_url_is_read_by_duckdb_and_refused_by_polars(tmp_path: Path) -> None:
    """
    Pages named by a file:// URL with a glob: DuckDB lists and reads them, to the lines
    and rows put aside of the same pages named by their paths; a glob matching nothing is
    named; polars, which reads local files only, refuses the URL.
    """
    pages = [
        [order_row("a"), order_row("b")],
        [order_row("b", lastChangeDate="2025-04-03T09:00:00"), order_row("c", nmId="")],
    ]
    paths = write_json_pages(tmp_path, "orders", pages, [False, True])
    url = f"{tmp_path.as_uri()}/orders-*.json*"
    by_url = frames.read_wildberries_statistics(url, backend="duckdb")
    by_path = frames.read_wildberries_statistics(paths, backend="duckdb")
    assert by_order(by_url[0]) == by_order(by_path[0])
    assert len(by_order(by_url[0])) == 2
    assert sorted((r["row"], r["kind"]) for r in rows_of(by_url[1])) == sorted(
        (r["row"], r["kind"]) for r in rows_of(by_path[1])
    )
    with pytest.raises(ReportFormatError, match="no file matches"):
        frames.read_wildberries_statistics(f"{tmp_path.as_uri()}/none-*.json", backend="duckdb")
    with pytest.raises(InvalidArgumentError, match="polars reads local files only"):
        frames.read_wildberries_statistics(url, backend="polars")


@pytest.mark.parametrize("backend", ENGINES)
def test_a_file_named_with_glob_characters_is_that_file(backend: Engine, tmp_path: Path) -> None:
    """
    week[1].json beside week1.json, and w*.json beside w1.json: each name given reads
    its own file, not what it would match as a pattern.
    """
    named = {"week[1].json": "a", "week1.json": "b", "w*.json": "c", "w1.json": "d"}
    for name, srid in named.items():
        _write(tmp_path, name, [order_row(srid)])
    for name, srid in named.items():
        lines, _ = frames.read_wildberries_statistics(tmp_path / name, backend=backend)
        assert [r["order_id"] for r in rows_of(lines)] == [srid], name


@pytest.mark.parametrize("backend", ENGINES)
def test_a_file_is_unpacked_by_what_it_holds_not_its_name(backend: Engine, tmp_path: Path) -> None:
    """
    A gzipped page named .json, and a plain one named .json.gz: each is read, as the
    object importer reads them.
    """
    (tmp_path / "packed.json").write_bytes(gzip.compress(json.dumps([order_row("a")]).encode()))
    _write(tmp_path, "plain.json.gz", [order_row("b")])
    for name, srid in (("packed.json", "a"), ("plain.json.gz", "b")):
        lines, _ = frames.read_wildberries_statistics(tmp_path / name, backend=backend)
        history, _ = read_wildberries_statistics(orders=tmp_path / name)
        assert [r["order_id"] for r in rows_of(lines)] == [srid], name
        assert [order.order_id for order in history.orders] == [srid], name


def test_an_object_where_text_is_read_alike_on_every_engine(tmp_path: Path) -> None:
    """
    A field holding an object or an array is read as its JSON text on DuckDB and on
    polars alike (polars' own reader refuses the whole file); the other rows of such a
    file are read on polars, through Python's parser, as polars reads them elsewhere.
    """
    objects = [
        order_row("a", nmId={"id": 42, "name": "кружка"}),
        order_row("b", nmId=[1, 2.5]),
        order_row("c") | {"srid": {"nested": [True, None]}},
    ]
    numbers = [
        order_row("d", finishedPrice=1e3),
        order_row("e", finishedPrice=990.0),
        order_row("f", finishedPrice=0.5, isCancel=True, cancelDate="2025-04-02T10:00:00"),
        order_row("g", finishedPrice=-0.0),
    ]
    tiny = [order_row("h", finishedPrice=0.00001)]  # DuckDB writes 1e-05, polars 0.00001
    _write(tmp_path, "objects.json", objects + numbers)
    _write(tmp_path, "mixed.json", objects + numbers + tiny)
    _write(tmp_path, "plain.json", numbers + tiny)

    def read(name: str, backend: Engine) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
        lines, aside = frames.read_wildberries_statistics(tmp_path / name, backend=backend)
        return by_order(lines), sorted((r["row"], r["field"], r["kind"]) for r in rows_of(aside))

    assert read("objects.json", "polars") == read("objects.json", "duckdb")
    mixed, mixed_aside = read("mixed.json", "polars")
    plain, plain_aside = read("plain.json", "polars")
    assert [line for line in mixed if line["order_id"] in {"d", "e", "f", "g", "h"}] == plain
    # the rows of `numbers` and `tiny` come after the three of `objects` in mixed.json
    assert [(row - 3, field, kind) for row, field, kind in mixed_aside if row > 3] == plain_aside
    skus = {line["order_id"]: line["sku"] for line in mixed}
    assert (skus["a"], skus["b"]) == ('{"id":42,"name":"кружка"}', "[1,2.5]")
    prices = {line["order_id"]: line["price"] for line in plain}
    assert (prices["d"], prices["e"], prices["f"], prices["h"]) == (100000, 99000, 50, 0)


@pytest.mark.parametrize(
    "text",
    [
        '[1, {"srid": "a"}]',  # an item that is no object
        '[{"srid": "a", "nmId": {"id": 1}, "finishedPrice": NaN}]',  # no JSON number
        '[{"srid": "a", "nmId": {"id": 1}, "finishedPrice": 1e400}]',  # beyond a float
    ],
)
def test_what_polars_refuses_is_still_refused_beside_an_object(text: str, tmp_path: Path) -> None:
    """
    Only a field holding an object or an array sends a page through Python's parser: a
    page polars refuses for anything else is refused as before, with polars' error.
    """
    import polars as pl  # noqa: PLC0415 - the engines are skipped without the dev extra

    path = tmp_path / "orders.json"
    path.write_text(text)
    lines, _ = frames.read_wildberries_statistics(path, backend="polars")
    with pytest.raises(pl.exceptions.ComputeError):
        lines.collect()


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
    | st.sampled_from(["{x", "[1]", " {", "кружка", "a\nb", "\u2028"])
)
_KEYS = st.sampled_from(["srid", "nmId", "finishedPrice", "other"])
_VALUES = _SCALARS | st.lists(_SCALARS, max_size=2) | st.dictionaries(_KEYS, _SCALARS, max_size=2)


@settings(max_examples=60, deadline=None)
@given(
    items=st.lists(
        st.dictionaries(_KEYS, _VALUES, max_size=4),
        max_size=5,
    ),
    indent=st.sampled_from([None, 1]),
    ascii_only=st.booleans(),
)
def test_a_page_read_as_json_lines_is_polars_whole_reading(
    items: list[dict[str, Any]], indent: int | None, *, ascii_only: bool
) -> None:
    """
    Oracle: `pl.read_json` of the whole page (or, where it refuses a field holding an
    object, the Python reading that stands in for it). Read as JSON lines, a page gives
    the same text in every field, or declines and is read whole; a page of plain values
    (no object, array or text starting as one, numbers a float holds) is never declined.
    """
    import polars as pl  # noqa: PLC0415 - the engines are skipped without the dev extra

    from redemption.frames._sources import _polars_lines_read, _text_rows  # noqa: PLC0415

    fields = ("srid", "nmId", "finishedPrice")
    schema = dict.fromkeys(fields, pl.String)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.json"
        path.write_text(json.dumps(items, indent=indent, ensure_ascii=ascii_only), "utf-8")
        fast = _polars_lines_read(path.read_bytes(), schema)
        try:
            whole = pl.read_json(path, schema=schema).rows()
        except pl.exceptions.ComputeError as error:
            try:
                rows = _text_rows(path.read_bytes(), str(path), fields, error)
                whole = [tuple(row) for row in rows]
            except pl.exceptions.ComputeError:
                whole = None
    if fast is not None:
        assert fast.rows() == whole

    def plain(value: object) -> bool:
        if isinstance(value, str):
            return not value.startswith(("{", "["))
        if isinstance(value, int) and not isinstance(value, bool):
            return abs(value) < 2**63
        return not isinstance(value, list | dict)

    if all(plain(v) for item in items for k, v in item.items() if k in fields):
        assert fast is not None


def test_a_page_is_read_whole_without_msgspec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """
    Without the ``fast`` extra, polars reads each page whole: the same lines and rows put
    aside as with it.
    """
    import sys  # noqa: PLC0415

    pages = [[order_row("a"), order_row("b", nmId="")], [order_row("a", isCancel=True)]]
    paths = write_json_pages(tmp_path, "orders", pages, [False, True])

    def read() -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
        lines, aside = frames.read_wildberries_statistics(paths, backend="polars")
        return by_order(lines), sorted((r["row"], r["kind"]) for r in rows_of(aside))

    with_msgspec = read()
    monkeypatch.setitem(sys.modules, "msgspec", None)  # `import msgspec` fails
    from redemption.frames._sources import _polars_lines_read  # noqa: PLC0415

    assert _polars_lines_read(Path(paths[0]).read_bytes(), {"srid": None}) is None
    assert read() == with_msgspec
    assert len(with_msgspec[0]) == 1


class TestReadAhead:
    """Files read one ahead of polars, which asks for them in turn."""

    @staticmethod
    def pages(count: int, broken: int = -1) -> tuple[Any, list[int]]:
        """`count` files read ahead, each read noted; reading file `broken` raises."""
        from redemption.frames._sources import _ReadAhead  # noqa: PLC0415

        reads: list[int] = []
        lock = threading.Lock()

        def read(index: int) -> str:
            with lock:
                reads.append(index)
            if index == broken:
                raise ValueError(index)
            return f"page {index}"

        return _ReadAhead(read, count), reads

    def test_in_turn_each_file_is_read_once_and_the_next_ahead(self) -> None:
        """
        Asked in turn, each file is read once, the next one ahead; asked again from the
        start (a frame collected twice), each is read again.
        """
        pages, reads = self.pages(4)
        assert pages.get(0) == "page 0"
        assert set(pages._ahead) == {1}  # file 1 is under way
        assert [pages.get(i) for i in (1, 2, 3)] == ["page 1", "page 2", "page 3"]
        assert sorted(reads) == [0, 1, 2, 3]
        assert pages.get(0) == "page 0"  # collected again: a new pass
        assert set(pages._ahead) == {1}
        assert [pages.get(i) for i in (1, 2, 3)] == ["page 1", "page 2", "page 3"]
        assert sorted(reads) == [0, 0, 1, 1, 2, 2, 3, 3]

    def test_asked_out_of_turn_each_file_is_read_once(self) -> None:
        """An engine asking for files out of turn: none is read twice."""
        pages, reads = self.pages(5)
        assert [pages.get(i) for i in (1, 0, 3, 2, 4)] == [f"page {i}" for i in (1, 0, 3, 2, 4)]
        assert sorted(reads) == [0, 1, 2, 3, 4]

    def test_asked_by_threads_at_once_each_file_is_read_once(self) -> None:
        """Four threads asking at once: every file given, each read once."""
        from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

        pages, reads = self.pages(40)
        with ThreadPoolExecutor(4) as pool:
            got = list(pool.map(pages.get, range(40)))
        assert got == [f"page {i}" for i in range(40)]
        assert sorted(reads) == list(range(40))

    @pytest.mark.parametrize("ahead", [True, False])
    def test_what_a_read_raises_is_raised_to_the_one_who_asks(self, *, ahead: bool) -> None:
        """A failed read, ahead or not, raises its error where the file is asked for."""
        pages, _ = self.pages(3, broken=1)
        if ahead:
            pages.get(0)  # 1 is read ahead, on its thread
        with pytest.raises(ValueError, match="1"):
            pages.get(1)
        assert pages.get(2) == "page 2"

    def test_polars_reads_the_pages_in_order_and_once(self, tmp_path: Path) -> None:
        """Read through polars' streaming engine: every page's rows, each once, in order."""
        pages = [[order_row(f"p{n}-{i}") for i in range(3)] for n in range(6)]
        paths = write_json_pages(tmp_path, "orders", pages, [n % 2 == 1 for n in range(6)])
        lines, aside = frames.read_wildberries_statistics(paths, backend="polars")
        got = lines.select("order_id").collect().to_series().to_list()
        assert sorted(got) == sorted(row["srid"] for page in pages for row in page)
        assert aside.collect().height == 0


def test_a_key_given_twice_is_read_first_beside_an_object(tmp_path: Path) -> None:
    """
    As polars reads a key given twice (the first), and an object's text keeps its keys'
    order.
    """
    row = {k: v for k, v in order_row("a").items() if k != "nmId"}
    path = tmp_path / "orders.json"
    path.write_text(
        f'[{json.dumps(row)[:-1]}, "nmId": {{"z": 1, "a": 2}}, "nmId": 5, "srid": "b"}}]'
    )
    (line,) = rows_of(frames.read_wildberries_statistics(path, backend="polars")[0])
    assert (line["order_id"], line["sku"]) == ("a", '{"z":1,"a":2}')


def test_an_unknown_backend_is_refused_by_every_reader(tmp_path: Path) -> None:
    """
    backend="spark" (not "pyspark"): each columnar reader refuses it, naming the three.
    """
    path = _write(tmp_path, "page.json", [order_row("a")])
    with pytest.raises(InvalidArgumentError, match="duckdb, polars, pyspark; not 'spark'"):
        frames.read_wildberries_statistics(path, backend="spark")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="duckdb, polars, pyspark; not 'spark'"):
        frames.read_wildberries_realization(path, backend="spark")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="duckdb, polars, pyspark; not 'spark'"):
        frames.read_ozon_postings(path, as_of=datetime(2025, 5, 1, tzinfo=UTC), backend="spark")  # type: ignore[arg-type]


def test_a_path_that_names_nothing_is_refused(tmp_path: Path) -> None:
    """
    A missing file, a pattern matching nothing, an empty file: a ReportFormatError naming it.
    """
    with pytest.raises(ReportFormatError, match="no such file"):
        frames.read_wildberries_statistics(tmp_path / "none.json")
    with pytest.raises(ReportFormatError, match="no file matches"):
        frames.read_wildberries_statistics(str(tmp_path / "*.json"))
    (tmp_path / "empty.json").write_bytes(b"")
    with pytest.raises(ReportFormatError, match="empty"):
        frames.read_wildberries_statistics(tmp_path)


@pytest.mark.spark
def test_the_spark_importer_reads_what_the_object_importer_reads(
    spark: Any, tmp_path: Path
) -> None:
    """
    On Spark, pages with a repeat, a refusal, a skipped row, a sale of a cancelled order
    and an order not given: the object importer's lines and rows put aside.
    """
    orders = [
        [order_row("a"), order_row("b", isCancel=True, cancelDate="2025-04-02T00:00:00")],
        [
            order_row("b", isCancel=True, cancelDate="2025-04-02T00:00:00"),
            order_row("a", lastChangeDate="2025-04-03T09:00:00", finishedPrice="990.505"),
            order_row("c", finishedPrice="-5"),
        ],
    ]
    sales = [
        [
            sale_row("a", "S1"),
            sale_row("a", "R1", date="2025-04-07T12:00:00"),
            sale_row("a", "D1"),
            sale_row("b", "S2"),
            sale_row("zz", "S3"),
        ]
    ]
    order_files, sale_files, history, report = read_both(
        tmp_path, orders, sales, [False, True, True]
    )
    assert order_files is not None
    named = str(Path(order_files[0]).with_name("orders[0].json"))  # Spark reads paths as globs
    Path(order_files[0]).rename(named)
    order_files[0] = named
    history, report = read_wildberries_statistics(
        orders=order_files, sales=sale_files, seller_id="shop", errors="collect"
    )
    lines, aside = frames.read_wildberries_statistics(
        order_files, sale_files, backend="pyspark", session=spark, seller_id="shop"
    )
    check_agree(history, report, lines, aside)


PAGES_EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "spark_wildberries_pages.py"


@pytest.mark.spark
def test_the_spark_pages_example_prints_the_object_importers_rates(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """
    examples/spark_wildberries_pages.py on a local session: the sample's reports cut into
    overlapping gzipped pages, named by a file:// URL whose glob Spark lists, give each
    SKU the rate the object importer and calculator give the sample's files; the
    repeated rows are merged, and printed.
    """
    import importlib.util  # noqa: PLC0415 - the example is a script, loaded by its path

    spec = importlib.util.spec_from_file_location("spark_wildberries_pages", PAGES_EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    folder = example.write_sample_pages(tmp_path)
    pages = sorted(p.name for p in folder.iterdir())
    assert len(pages) > 2
    assert all(name.endswith(".json.gz") for name in pages)

    # the rates, then the rows put aside by kind; the pages named by a URL, as on a cluster
    example.show(spark, folder.as_uri())
    printed = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("|")
    ]
    rates_header, *rest = printed
    kinds_at = rest.index(["kind", "count"])
    assert rates_header == ["sku", "orders", "sales", "returns", "rate"]
    got = {sku: (int(o), int(s), int(r)) for sku, o, s, r, _ in rest[:kinds_at]}
    kinds = {kind: int(count) for kind, count in rest[kinds_at + 1 :]}

    history, report = read_wildberries_statistics(
        orders=sample_report_paths("shop-north")[0],
        sales=sample_report_paths("shop-north")[1],
    )
    want = redemption_rates(history, example.MARCH, today=SAMPLE_TODAY)
    assert got == {sku: (r.orders, r.sales, r.returns) for sku, r in want.items()}
    overlap = example.OVERLAP * (len(pages) - 2)  # each page but each report's first
    assert kinds["merged"] == report.merged + overlap
