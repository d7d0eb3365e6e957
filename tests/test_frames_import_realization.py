"""The columnar importer of the Wildberries realization report against the object importer.

`redemption.frames.read_wildberries_realization` writes the rules of
`redemption.io.read_wildberries_realization` again on frames: on random report pages, each
engine's lines must be the object importer's history as lines, and the rows it puts aside
the rows the object importer refuses, skips, merges or puts aside in a conflict.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

for _name in ("narwhals", "polars", "pyarrow", "duckdb"):
    pytest.importorskip(
        _name, reason=f"{_name} is not installed: the frames tests need the dev extra"
    )

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from redemption import MOSCOW, History, ReasonCategory, frames  # noqa: E402
from redemption.errors import ArgumentTypeError, InvalidArgumentError  # noqa: E402
from redemption.frames._sources import Engine  # noqa: E402
from redemption.history import ConflictRule  # noqa: E402
from redemption.io import read_wildberries_realization  # noqa: E402
from redemption.io.report import ImportReport  # noqa: E402
from tests.builders import write_json_pages  # noqa: E402
from tests.engines import by_order, rows_of, rule_of  # noqa: E402
from tests.strategies import records, report_pages, zones  # noqa: E402
from tests.test_io_realization import row  # noqa: E402

ENGINES: list[Engine] = ["duckdb", "polars"]
EXAMPLES = {"duckdb": 10, "polars": 20}
"""Random reports per engine: DuckDB plans the importer's long expressions more slowly."""
RULES = {rule.value for rule in ConflictRule}
ANCHORS = (date(2010, 3, 1), date(2024, 1, 15), date(2025, 1, 1))
"""Stretches of calendar for the reports: Moscow's last clock changes (2010-2011), and now."""
PENALTY = "Штраф МП. Невыполненный заказ"
PENALTY_WORDS = (
    PENALTY,
    f"{PENALTY} (отмена клиентом после недовоза)",
    f"{PENALTY} (новое)",  # no table knows it: "other"
    "  штраф мп.  невыполненный заказ",  # matched ignoring case and runs of spaces
)
Pages = list[list[dict[str, Any]]]


def written(at: datetime, form: str) -> str:
    """An instant as the report may write it, in whole seconds."""
    if form == "naive":  # Moscow time, as a time without a zone is read
        return at.astimezone(MOSCOW).replace(tzinfo=None, microsecond=0).isoformat()
    if form == "offset":
        return at.astimezone(MOSCOW).replace(microsecond=0).isoformat()
    return at.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def _price(draw: st.DrawFn, price: Decimal) -> object:
    """A price as the API may write it: a number, its text, or finer than a kopeck."""
    form = draw(st.sampled_from(["number", "text", "finer"]))
    if form == "number":
        return int(price) if price == price.to_integral_value() else float(price)
    if form == "text":
        return str(price)
    return str(price + Decimal(draw(st.sampled_from(["0.005", "0.001", "0.0050"]))))


_RUB = st.one_of(
    st.none(),
    st.integers(0, 90),
    st.integers(0, 9000).map(lambda k: k / 100),  # a JSON number of kopecks
    st.sampled_from(["0.005", "30.015", "12.10", "-5", "0"]),  # text, finer than a kopeck
)

# Defects a row may carry, as the field and its value; the row made bad stays in the report
ROW_DEFECTS = (
    ("rrd_id", ""),
    ("supplier_oper_name", " "),
    ("srid", " "),
    ("sale_dt", "yesterday"),
    ("sale_dt", "2025-04-31T10:00:00Z"),
    ("order_dt", "2025-02-30T10:00:00"),
    ("retail_price_withdisc_rub", "-5"),
    ("retail_price_withdisc_rub", None),
    ("nm_id", ""),
    ("delivery_rub", "много"),
    ("return_amount", "x"),
    ("delivery_amount", "1.5"),
)


@st.composite
def reports(draw: st.DrawFn) -> Pages:  # noqa: C901, PLR0912, PLR0915 - a branch per kind of row
    """Draw realization pages as the API gives them.

    Every line's rows: its deliveries, its sale and return and their ways back, refusal
    legs, penalties and their reversals, other ways back; second sales, sales before the
    order, returns before their sale or without one; seller removals, corrections of
    logistics, rows about no order, charges that say neither way, corrections beyond the
    charges; bad rows, some of them a bad first version of a row read again; in a random
    order, split into pages that overlap (an overlap repeats rows whole).

    Avoided, as the frames read them otherwise (see `frames.read_wildberries_realization`):
    rows of one line placed at different instants (``order_dt`` is one instant per line,
    though written in one of three forms), and one ``rrd_id`` on rows that are not the
    same row (a repeat is the row repeated, or a bad first version of it).
    """
    drawn = draw(records(draw(st.sampled_from(ANCHORS)), draw(zones), max_orders=8))
    hours = st.integers(1, 96).map(lambda h: timedelta(hours=h))
    sold = {s.order_id: s.sold_at for s in drawn.sales}
    returned = {r.order_id: r.returned_at for r in drawn.returns}
    rows: list[dict[str, Any]] = []

    def add(operation: str, srid: str | None, base: dict[str, Any], **fields: Any) -> None:
        rows.append(base | {"rrd_id": len(rows) + 1, "supplier_oper_name": operation,
                            "srid": srid} | fields)  # fmt: skip

    for order in drawn.orders:
        srid, placed = order.order_id, order.ordered_at
        form = draw(st.sampled_from(["z", "naive", "offset"]))
        base = {
            "nm_id": draw(st.sampled_from([order.sku, 4242])),
            "order_dt": written(placed, form),
            "retail_price_withdisc_rub": _price(draw, order.price),
            "delivery_amount": 0,
            "return_amount": 0,
        }

        def at(moment: datetime, form: str = form) -> str:
            return written(moment, form)

        if draw(st.booleans()):
            words = draw(st.sampled_from(["К клиенту при продаже", "К клиенту при отмене", ""]))
            add("Логистика", srid, base, sale_dt=at(placed + draw(hours)), bonus_type_name=words,
                delivery_amount=1, delivery_rub=draw(_RUB))  # fmt: skip
        if order.order_id in sold:
            sold_at = sold[order.order_id]
            add("Продажа", srid, base, sale_dt=at(sold_at),
                retail_price_withdisc_rub=_price(draw, order.price))  # fmt: skip
            extra = draw(st.sampled_from(["none", "none", "second", "early"]))
            if extra == "second":
                add("Продажа", srid, base, sale_dt=at(sold_at + draw(hours)))
            elif extra == "early":
                add("Продажа", srid, base, sale_dt=at(placed - timedelta(days=400)))
            if order.order_id in returned:
                back = returned[order.order_id]
                early = draw(st.integers(0, 5)) == 0
                add(
                    "Возврат", srid, base, sale_dt=at(back - timedelta(days=500) if early else back)
                )
                add("Логистика", srid, base, sale_dt=at(back + draw(hours)),
                    bonus_type_name="От клиента при возврате", return_amount=1,
                    delivery_rub=draw(_RUB))  # fmt: skip
        elif order.cancelled_at is not None:
            cancelled = order.cancelled_at
            how = draw(st.sampled_from(["refusal", "penalty", "reversed", "back", "two"]))
            if how in ("refusal", "two"):
                add("Логистика", srid, base, sale_dt=at(cancelled), return_amount=1,
                    bonus_type_name="От клиента при отмене", delivery_rub=draw(_RUB))  # fmt: skip
            if how in ("penalty", "reversed", "two"):
                words = draw(st.sampled_from(PENALTY_WORDS))
                add("Штраф", srid, base, sale_dt=at(cancelled + draw(hours)), bonus_type_name=words)
                if how == "reversed":
                    add(
                        "Штрафы",
                        srid,
                        base,
                        sale_dt=at(cancelled),
                        bonus_type_name=f"Сторно. {PENALTY}",
                    )
            if how == "back":
                words = draw(st.sampled_from(["Возврат брака (К продавцу)", "Что-то новое"]))
                add("Логистика", srid, base, sale_dt=at(cancelled), bonus_type_name=words,
                    return_amount=1, delivery_rub=draw(_RUB))  # fmt: skip
        elif draw(st.integers(0, 3)) == 0:  # a return of an order not sold
            add("Возврат", srid, base, sale_dt=at(placed + draw(hours)))
        other = draw(st.sampled_from(["none", "none", "removal", "correction", "neither", "below"]))
        if other == "removal":
            add("Логистика", srid, base, return_amount=1, delivery_rub=30, sale_dt=at(placed),
                bonus_type_name="Возврат по инициативе продавца (К продавцу)")  # fmt: skip
        elif other == "correction":
            add("Логистика сторно", srid, base, delivery_rub=50, sale_dt=at(placed))
        elif other == "neither":
            add("Логистика", srid, base, bonus_type_name="Что-то новое", delivery_rub=12,
                sale_dt=at(placed))  # fmt: skip
        elif other == "below":
            add("Логистика", srid, base, bonus_type_name="К клиенту при отмене",
                delivery_rub=-1000, sale_dt=at(placed + draw(hours)))  # fmt: skip
        if draw(st.integers(0, 5)) == 0:  # a way back before the order was placed
            add("Логистика", srid, base, bonus_type_name="От клиента при отмене", return_amount=1,
                sale_dt=at(placed - timedelta(days=3)))  # fmt: skip
    add("Хранение", None, {"sale_dt": "2025-04-05T00:00:00Z"})
    for field, value in draw(st.lists(st.sampled_from(ROW_DEFECTS), max_size=4)):
        if not rows or draw(st.booleans()):
            bad = row(len(rows) + 1, "Логистика", "bad", delivery_amount=1, delivery_rub=5)
            rows.append(bad | {field: value})
        else:  # a bad first version of a row read again, or a row made bad
            good = draw(st.sampled_from(rows))
            rows.append(good | {field: value})
    for each in rows:  # a count as an engine writes it: 1, 1.0, "1", "1.0" (polars: "1")
        for field in ("delivery_amount", "return_amount"):
            count = each.get(field)
            if type(count) is int:
                each[field] = draw(st.sampled_from([count, float(count), str(count), f"{count}.0"]))
    permutation = draw(st.permutations(range(len(rows))))
    shuffled = [rows[i] for i in permutation]
    # a bad version of a row stays before the row: the object importer uses the first good
    for i, bad in enumerate(shuffled):
        twin = next((r for r in shuffled[i + 1 :] if r["rrd_id"] == bad["rrd_id"]), None)
        if twin is not None and twin is not bad and _is_bad(twin):
            j = shuffled.index(twin)
            shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
    return report_pages(draw, shuffled)


def _is_bad(candidate: dict[str, Any]) -> bool:
    return any(candidate.get(field) == value for field, value in ROW_DEFECTS)


def check_agree(history: History, report: ImportReport, lines: Any, aside: Any) -> None:
    """The columnar result is the object importer's, row for row and reason for reason."""
    assert by_order(lines) == by_order(frames.to_lines(history))
    put = rows_of(aside)
    kinds = Counter(r["kind"] for r in put)
    refused = sorted((r["source"], r["row"], r["field"]) for r in put if r["kind"] == "refused")
    assert refused == sorted((p.source, p.row, p.field) for p in report.refused)
    skipped = sorted((r["source"], r["row"], r["reason"]) for r in put if r["kind"] == "skipped")
    assert skipped == sorted((p.source, p.row, p.reason) for p in report.skipped)
    assert kinds["merged"] == report.merged
    conflicts = sorted(
        (r["source"], r["row"], rule_of(r["reason"])) for r in put if r["kind"] == "conflict"
    )
    assert conflicts == sorted(
        (p.source, p.row, p.rule) for p in report.conflicts if p.rule in RULES
    )
    # every row read is used or put aside, as the import report counts it
    assert report.rows_read - kinds["merged"] - kinds["skipped"] - kinds["refused"] == report.used


@pytest.mark.parametrize("backend", ENGINES)
def test_the_columnar_importer_reads_what_the_object_importer_reads(backend: Engine) -> None:
    """
    Differential: random pages, plain and gzipped, overlapping; the same lines, and the
    same rows refused, skipped, merged and in conflict, as the object importer.
    """
    check = settings(
        max_examples=EXAMPLES[backend],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
    )(given(pages=reports(), gz=st.lists(st.booleans(), min_size=4, max_size=4))(_agree))
    check(backend=backend)


def _agree(backend: Engine, pages: Pages, gz: list[bool]) -> None:
    """Read the pages with both importers; check that they agree."""
    with tempfile.TemporaryDirectory() as name:
        files = write_json_pages(Path(name), "week", pages, gz)
        history, report = read_wildberries_realization(files, seller_id="shop", errors="collect")
        lines, aside = frames.read_wildberries_realization(files, backend=backend, seller_id="shop")
        check_agree(history, report, lines, aside)


def _read(
    folder: Path, rows: list[dict[str, Any]], backend: Engine, **options: Any
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Write one page and read it on frames: the lines by order id, and the rows put aside."""
    path = folder / "report.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    lines, aside = frames.read_wildberries_realization(path, backend=backend, **options)
    return {line["order_id"]: line for line in rows_of(lines)}, rows_of(aside)


@pytest.mark.parametrize("backend", ENGINES)
class TestRules:
    def test_each_way_back_gives_the_cancellation_its_kind(
        self, backend: Engine, tmp_path: Path
    ) -> None:
        """
        The refusal leg is refused, a penalty the seller's with its reason, another way
        back unknown, a sale's return a return and no cancellation.
        """
        rows = [
            row(1, "Логистика", "refused", return_amount=1,
                bonus_type_name="От клиента при отмене", sale_dt="2025-04-06T00:00:00Z"),
            row(2, "Штраф", "unsent", bonus_type_name=PENALTY, sale_dt="2025-04-03T00:00:00Z"),
            row(3, "Логистика", "back", return_amount=1, bonus_type_name="Что-то новое"),
            row(4, "Продажа", "kept", retail_price_withdisc_rub=10),
            row(5, "Возврат", "kept", retail_price_withdisc_rub=10, sale_dt="2025-04-06T00:00:00Z"),
            row(6, "Логистика", "kept", return_amount=1, bonus_type_name="От клиента при возврате"),
        ]  # fmt: skip
        lines, aside = _read(tmp_path, rows, backend)
        got = {i: (line["cancel_kind"], line["cancel_reason"]) for i, line in lines.items()}
        assert got == {
            "refused": ("refused", None),
            "unsent": ("seller", "seller_fault"),
            "back": ("unknown", None),
            "kept": (None, None),
        }
        assert lines["refused"]["cancelled_at"] == datetime(2025, 4, 6, tzinfo=UTC)
        assert lines["unsent"]["cancel_reason_text"] == PENALTY
        assert (lines["kept"]["return_kind"], lines["kept"]["returned_at"]) == (
            "return",
            datetime(2025, 4, 6, tzinfo=UTC),
        )
        assert aside == []

    def test_a_penalty_outweighs_an_earlier_refusal_and_words_unknown_are_other(
        self, backend: Engine, tmp_path: Path
    ) -> None:
        """
        A refusal leg then a penalty: cancelled at the refusal, the seller's fault; words no
        table knows are "other", the caller's table gives them a category.
        """
        words = f"{PENALTY} (новое)"
        rows = [
            row(1, "Логистика", return_amount=1, bonus_type_name="От клиента при отмене",
                sale_dt="2025-04-02T00:00:00Z"),
            row(2, "Штраф", bonus_type_name=words, sale_dt="2025-04-04T00:00:00Z"),
        ]  # fmt: skip
        lines, _ = _read(tmp_path, rows, backend)
        line = lines["a"]
        assert (line["cancel_kind"], line["cancel_reason"], line["cancel_reason_text"]) == (
            "seller",
            "other",
            words,
        )
        assert line["cancelled_at"] == datetime(2025, 4, 2, tzinfo=UTC)
        lines, _ = _read(tmp_path, rows, backend, reasons={words.upper(): "delivery"})
        assert (lines["a"]["cancel_reason"], lines["a"]["cancel_reason_text"]) == (
            "delivery",
            words,
        )
        lines, _ = _read(tmp_path, rows, backend, reasons={words: ReasonCategory.UNKNOWN})
        line = lines["a"]
        assert (line["cancel_kind"], line["cancel_reason"], line["cancel_reason_text"]) == (
            "seller",
            None,
            None,
        )

    def test_a_reversed_penalty_cancels_nothing(self, backend: Engine, tmp_path: Path) -> None:
        """
        A "Сторно." row takes its penalty back, before or after it; two penalties and one
        reversal still cancel, the seller's fault.
        """
        rows = [
            row(1, "Штраф", bonus_type_name=PENALTY),
            row(2, "Штрафы", bonus_type_name=f"Сторно. {PENALTY}"),
        ]
        for given_rows in (rows, rows[::-1]):
            lines, aside = _read(tmp_path, given_rows, backend)
            assert (lines["a"]["cancelled_at"], lines["a"]["cancel_kind"], aside) == (
                None,
                None,
                [],
            )
        twice = [*rows, row(3, "Штраф", bonus_type_name=PENALTY, sale_dt="2025-04-04T00:00:00Z")]
        lines, _ = _read(tmp_path, twice, backend)
        assert lines["a"]["cancel_kind"] == "seller"
        assert lines["a"]["cancelled_at"] == datetime(2025, 4, 4, tzinfo=UTC)

    def test_seller_removals_are_skipped_and_make_no_order(
        self, backend: Engine, tmp_path: Path
    ) -> None:
        """
        Goods moved for the seller are no buyer's order, whatever they cost: skipped with
        the reason, and so is a correction of logistics.
        """
        bonus = "Возврат по инициативе продавца (К продавцу)"
        rows = [
            row(1, "Логистика", "r", return_amount=1, bonus_type_name=bonus, delivery_rub=99),
            row(2, "Логистика сторно", "a", delivery_rub=50, delivery_amount=1),
        ]
        lines, aside = _read(tmp_path, rows, backend)
        aside.sort(key=lambda r: r["row"])
        assert lines == {}
        assert [(r["row"], r["kind"]) for r in aside] == [(1, "skipped"), (2, "skipped")]
        assert (
            aside[0]["reason"]
            == f"Логистика '{bonus}': goods moved for the seller, not a buyer's order"
        )

    def test_logistics_sum_each_way_in_kopecks_rounded_once(
        self, backend: Engine, tmp_path: Path
    ) -> None:
        """
        Legs sum exactly, each way apart, and the sum is rounded half-even: 0.005 + 0.010
        is 2 kopecks (each rounded apart would give 1); a correction within the charges
        counts; a way below nothing refuses its last row and leaves no costs.
        """
        rows = [
            row(1, "Логистика", "a", bonus_type_name="К клиенту при отмене", delivery_rub="0.005"),
            row(2, "Логистика", "a", bonus_type_name="К клиенту при отмене", delivery_rub="0.010"),
            row(3, "Логистика", "a", bonus_type_name="От клиента при отмене", delivery_rub=45.1,
                return_amount=1),
            row(4, "Логистика", "b", bonus_type_name="К клиенту при продаже", delivery_rub=60),
            row(5, "Логистика", "b", bonus_type_name="К клиенту при продаже", delivery_rub=-10),
            row(6, "Логистика", "c", bonus_type_name="От клиента при отмене", delivery_rub=20,
                return_amount=1),
            row(7, "Логистика", "c", bonus_type_name="От клиента при отмене", delivery_rub=-30,
                return_amount=1),
            row(8, "Логистика", "d", delivery_amount=1),
        ]  # fmt: skip
        lines, aside = _read(tmp_path, rows, backend)
        costs = {i: (line["delivery_cost"], line["return_cost"]) for i, line in lines.items()}
        assert costs == {"a": (2, 4510), "b": (5000, 0), "c": (None, None), "d": (None, None)}
        assert [(r["row"], r["field"], r["kind"]) for r in aside] == [
            (7, "delivery_rub", "refused")
        ]
        assert "the logistics back add up to less than nothing" in aside[0]["reason"]

    @pytest.mark.parametrize(
        ("written", "read"),
        [
            ("1", True),
            ("1.0", True),
            ("1e0", True),  # DuckDB writes it 1.0, polars 1, the object importer reads 1e0
            ('"1.00"', True),
            ('" 1 "', True),
            ("1.5", False),
            ('"1_000"', False),
            ('"' + "0" * 40 + '1"', False),  # longer than any count
        ],
    )
    def test_a_count_is_read_as_the_object_importer_reads_it(
        self, backend: Engine, written: str, tmp_path: Path, *, read: bool
    ) -> None:
        """
        A way back whose words say nothing, its return_amount written as the JSON text
        given: a whole number carries the unit back (a cancellation of unknown kind), on
        the engine as in the object importer; anything else is a bad row there and here.
        """
        leg = row(1, "Логистика", "a", return_amount=0, bonus_type_name="Что-то новое")
        text = json.dumps([leg], ensure_ascii=False).replace(
            '"return_amount": 0', f'"return_amount": {written}'
        )
        path = tmp_path / "report.json"
        path.write_text(text, encoding="utf-8")
        history, report = read_wildberries_realization(path, seller_id="shop", errors="collect")
        lines, aside = frames.read_wildberries_realization(path, backend=backend, seller_id="shop")
        kinds = [line["cancel_kind"] for line in rows_of(lines)]
        assert kinds == ["unknown" if read else None]
        assert [o.cancel_kind.value if o.cancel_kind else None for o in history.orders] == kinds
        fields = [(r["field"], r["kind"]) for r in rows_of(aside)]
        assert fields == [(p.field, "refused") for p in report.refused]
        assert fields == ([] if read else [("return_amount", "refused")])

    @pytest.mark.parametrize(
        "form", ["2025-04-01T09:00:00Z", "2025-04-01T12:00:00+03:00", "2025-04-01T12:00:00",
                 "2025-04-01T04:00:00-0500"],
    )  # fmt: skip
    def test_times_with_a_zone_and_without_are_one_instant(
        self, backend: Engine, form: str, tmp_path: Path
    ) -> None:
        """
        Z, an offset, or none (Moscow time): the same instant, as the object importer reads.
        """
        lines, _ = _read(tmp_path, [row(1, "Продажа", order_dt=form)], backend)
        python = datetime.fromisoformat(form)
        python = python if python.tzinfo else python.replace(tzinfo=MOSCOW)
        assert lines["a"]["ordered_at"] == python == datetime(2025, 4, 1, 9, tzinfo=UTC)

    def test_contradictions_are_put_aside_naming_their_rule(
        self, backend: Engine, tmp_path: Path
    ) -> None:
        """
        A return before its sale is a conflict; a second sale a bad row; a sale before the
        order leaves it open, not cancelled by its refusal leg.
        """
        rows = [
            row(1, "Продажа", "x", sale_dt="2025-04-09T10:00:00Z"),
            row(2, "Возврат", "x", sale_dt="2025-04-05T10:00:00Z"),
            row(3, "Продажа", "x", sale_dt="2025-04-10T10:00:00Z"),
            row(4, "Продажа", "y", sale_dt="2025-03-01T10:00:00Z"),
            row(5, "Логистика", "y", bonus_type_name="От клиента при отмене", return_amount=1),
        ]
        lines, aside = _read(tmp_path, rows, backend)
        assert lines["x"]["sold_at"] == datetime(2025, 4, 9, 10, tzinfo=UTC)
        assert lines["x"]["returned_at"] is None
        assert (lines["y"]["sold_at"], lines["y"]["cancelled_at"]) == (None, None)
        put = {r["row"]: (r["kind"], r["field"]) for r in aside}
        assert put == {
            2: ("conflict", None),
            3: ("refused", "supplier_oper_name"),
            4: ("conflict", None),
        }
        assert [
            rule_of(r["reason"])
            for r in sorted(aside, key=lambda r: r["row"])
            if r["kind"] == "conflict"
        ] == [
            "returned-before-sold",
            "sold-before-ordered",
        ]

    def test_a_sale_placed_at_another_time_is_refused_on_frames(
        self, backend: Engine, tmp_path: Path
    ) -> None:
        """
        The documented deviation: a sale whose order_dt is not the line's is refused,
        naming order_dt, where the object importer moves the order.
        """
        rows = [
            row(1, "Логистика", delivery_amount=1),
            row(2, "Продажа", order_dt="2025-04-02T09:00:00Z"),
        ]
        lines, aside = _read(tmp_path, rows, backend)
        assert (lines["a"]["ordered_at"], lines["a"]["sold_at"]) == (
            datetime(2025, 4, 1, 9, tzinfo=UTC),
            None,
        )
        assert [(r["row"], r["field"], r["kind"]) for r in aside] == [(2, "order_dt", "refused")]


def test_a_reasons_table_that_is_not_one_is_refused(tmp_path: Path) -> None:
    """
    Not a mapping, a blank word, a category that is none: refused before anything is read.
    """
    path = tmp_path / "none.json"
    with pytest.raises(ArgumentTypeError):
        frames.read_wildberries_realization(path, reasons=["Штраф"])  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="non-empty text"):
        frames.read_wildberries_realization(path, reasons={" ": "other"})
    with pytest.raises(InvalidArgumentError, match="category"):
        frames.read_wildberries_realization(path, reasons={"Штраф": "nonsense"})


@pytest.mark.spark
def test_the_spark_importer_reads_what_the_object_importer_reads(
    spark: Any, tmp_path: Path
) -> None:
    """
    On Spark, two weeks with a repeat, a refusal leg, a penalty, a return, costs, a bad
    row, a skipped row and a conflict: the object importer's lines and rows put aside.
    """
    weeks = [
        [
            row(1, "Логистика", "a", delivery_amount=1, delivery_rub=51.5,
                bonus_type_name="К клиенту при отмене"),
            row(2, "Логистика", "a", return_amount=1, delivery_rub="50.005",
                bonus_type_name="От клиента при отмене", sale_dt="2025-04-06T00:00:00"),
            row(3, "Штраф", "b", bonus_type_name=PENALTY),
            row(4, "Продажа", "c", retail_price_withdisc_rub="990.505"),
        ],
        [
            row(4, "Продажа", "c", retail_price_withdisc_rub="990.505"),
            row(5, "Возврат", "c", sale_dt="2025-04-04T00:00:00Z"),
            row(6, "Логистика", "c", sale_dt="bad", delivery_rub=20, delivery_amount=1),
            row(7, "Хранение", None),
        ],
    ]  # fmt: skip
    files = write_json_pages(tmp_path, "week", weeks, [False, True])
    history, report = read_wildberries_realization(files, seller_id="shop", errors="collect")
    lines, aside = frames.read_wildberries_realization(
        files, backend="pyspark", session=spark, seller_id="shop"
    )
    check_agree(history, report, lines, aside)
    assert {r["kind"] for r in rows_of(aside)} == {"merged", "conflict", "refused", "skipped"}


def test_the_frames_read_counts_of_the_object_importers_length() -> None:
    """
    The frames keep their own bound on a count's text (they import no `io`): the same.
    """
    from redemption.frames._rows import WHOLE_CHARS  # noqa: PLC0415
    from redemption.io.report import WHOLE_CHARS as OBJECTS  # noqa: PLC0415

    assert WHOLE_CHARS == OBJECTS
