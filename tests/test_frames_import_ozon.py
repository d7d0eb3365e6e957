"""The columnar importer of Ozon posting lists and returns against the object importer.

`redemption.frames.read_ozon_postings` writes the rules of
`redemption.io.read_ozon_postings` again on frames: on random pages of the Ozon shapes,
each engine's lines must be the object importer's history as lines, and the rows it puts
aside the rows the object importer refuses, skips, merges or leaves unmatched.
"""

from __future__ import annotations

import gzip
import itertools
import json
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

for _name in ("narwhals", "polars", "pyarrow", "duckdb"):
    pytest.importorskip(
        _name, reason=f"{_name} is not installed: the frames tests need the dev extra"
    )

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from redemption import History, frames  # noqa: E402
from redemption.errors import (  # noqa: E402
    ArgumentTypeError,
    InvalidArgumentError,
    ReportFormatError,
)
from redemption.frames._sources import Engine  # noqa: E402
from redemption.io import read_ozon_postings  # noqa: E402
from redemption.io.report import ImportReport  # noqa: E402
from tests.engines import by_order, rows_of  # noqa: E402
from tests.strategies import report_pages  # noqa: E402
from tests.test_io_ozon import FBO, FBO_V3, FBS, FBS_V4, RETURNS  # noqa: E402

ENGINES: list[Engine] = ["duckdb", "polars"]
EXAMPLES = {"duckdb": 5, "polars": 8}
"""Random lists per engine."""
BASE = datetime(2025, 4, 1, 7, tzinfo=UTC)
AS_OF = BASE + timedelta(hours=300)
NUMBERS = [f"0132-0101-{i}" for i in range(6)]
"""Posting numbers: a few, so that postings repeat across pages and returns find them."""
SKUS = [42, "43", 44]
WORDS = [
    None,
    "",
    "Покупатель отменил заказ",
    "Товар закончился на складе продавца",
    "Покупатель  ОТКАЗАЛСЯ при вручении: товар не подошел",
    "Что-то своё",
]
"""Reasons: none, known (one in other case and spacing), and words no table knows."""


def ozon_time(at: datetime, form: int) -> str:
    """An instant as Ozon may write it: Z, an offset, nanoseconds, a space for the T."""
    if form == 0:
        return at.strftime("%Y-%m-%dT%H:%M:%SZ")
    if form == 1:
        return at.astimezone(timezone(timedelta(hours=3))).isoformat()
    if form == 2:
        return at.strftime("%Y-%m-%dT%H:%M:%S.123456789Z")
    return at.strftime("%Y-%m-%d %H:%M:%S+00:00")


times = st.integers(0, 3)


@st.composite
def postings(draw: st.DrawFn) -> list[dict[str, Any]]:  # noqa: C901, PLR0912 - one branch per field
    """Draw postings of every list's shape, outcome, cancellation and defect."""
    made: list[dict[str, Any]] = []
    for number in draw(st.lists(st.sampled_from(NUMBERS), min_size=1, max_size=8)):
        placed = BASE + timedelta(hours=draw(st.integers(0, 100)))
        status = draw(
            st.sampled_from(
                ["delivered", "delivered", "cancelled", "cancelled_from_split_pending",
                 "awaiting_deliver", "delivering"]
            )
        )  # fmt: skip
        posting: dict[str, Any] = {
            "posting_number": number,
            "status": status,
            "in_process_at": ozon_time(placed, draw(times)),
        }
        delivered = placed + timedelta(hours=draw(st.integers(0, 150)))
        moment = draw(st.sampled_from(["pickup", "fbo", "none", "empty"]))
        if moment == "pickup":
            posting["pickup_code_verified_at"] = ozon_time(delivered, draw(times))
        elif moment == "fbo":
            posting["additional_data"] = [
                {"delivery_time": ozon_time(delivered - timedelta(hours=h), draw(times))}
                for h in draw(st.lists(st.integers(0, 5), max_size=2))
            ] + [{"key": "k", "value": "v"}]
        elif moment == "empty":
            posting["pickup_code_verified_at"] = draw(st.sampled_from([None, ""]))
        customer = draw(st.sampled_from(["none", "id", "zero", "empty"]))
        if customer != "none":
            posting["customer"] = {"customer_id": {"id": 1234567, "zero": 0, "empty": ""}[customer]}
        if draw(st.booleans()):
            posting["cancellation"] = {
                "cancellation_type": draw(st.sampled_from(["client", "seller", "Ozon", "", "x"])),
                "cancellation_initiator": draw(
                    st.sampled_from(["Клиент", "Продавец", "Система", "", "кто-то"])
                ),
                "cancel_reason_id": draw(st.sampled_from([665, "665", 0, 352])),
                "cancel_reason": draw(st.sampled_from(WORDS)),
            }
        products = []
        for sku in draw(st.lists(st.sampled_from(SKUS), min_size=1, max_size=3)):
            quantity = draw(st.integers(1, 3))
            price = draw(st.sampled_from(["990.5000", "100", "0.125", "10.005"]))
            form = draw(st.sampled_from(["text", "number", "object"]))
            written: object = price
            if form == "number":
                written = float(price) if "." in price else int(price)
            elif form == "object":
                written = {"amount": price, "currency": "RUB"}
            products.append(
                {"sku": sku, "quantity": draw(st.sampled_from(
                    [quantity, str(quantity), float(quantity), f"{quantity}.00"])),
                 "price": written, "currency_code": "RUB"}
            )  # fmt: skip
        posting["products"] = products
        if draw(st.booleans()):
            skus = [p["sku"] for p in products]
            posting["financial_data"] = {
                "products": [
                    {
                        "product_id": draw(st.sampled_from([*skus, *skus, 99])),
                        "item_services": {
                            "marketplace_service_item_direct_flow_trans": draw(
                                st.sampled_from(["-12.34", -7.5, 0, "-0.005"])
                            ),
                            "marketplace_service_item_deliv_to_customer": draw(
                                st.sampled_from([None, "-3.01", -1])
                            ),
                            "marketplace_service_item_return_flow_trans": draw(
                                st.sampled_from([0, "-20", "-0.015"])
                            ),
                        },
                    }
                    for _ in range(draw(st.integers(0, 2)))
                ]
            }
        defect = draw(st.integers(0, 14))
        if defect == 0:
            posting["posting_number"] = ""
        elif defect == 1:
            posting["in_process_at"] = draw(
                st.sampled_from(["2025-02-30T10:00:00Z", "yesterday", "2025-04-01T10:00:00"])
            )
        elif defect == 2:
            products[0]["quantity"] = draw(st.sampled_from([0, "x", 10_001, 2.5]))
        elif defect == 3:
            products[-1]["price"] = draw(
                st.sampled_from([None, "-5", {"amount": "5", "currency": "USD"}])
            )
        elif defect == 4:
            posting["products"] = draw(st.sampled_from([[], None]))
        elif defect == 5:
            posting["pickup_code_verified_at"] = ozon_time(AS_OF + timedelta(hours=1), 0)
        elif defect == 6:
            posting["customer"] = {"customer_id": "  "}
        elif defect == 7:
            products[0]["currency_code"] = "KZT"
        made.append(posting)
    return made


@st.composite
def returns(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Draw returns of the postings' numbers and SKUs (and others), of every type.

    At most two returns for one posting's SKU: with a third, the object importer could
    give a later, smaller return the units a refused one left, which the frames importer
    does not (see `redemption.frames._ozon`); with two, both give the same.
    """
    made: list[dict[str, Any]] = []
    for number, sku in itertools.product([*NUMBERS, "9999-0000-1"], SKUS):
        for _ in range(draw(st.integers(0, 2)) if draw(st.integers(0, 2)) == 0 else 0):
            at = BASE + timedelta(hours=draw(st.integers(0, 320)))
            item = {
                "id": f"r{len(made)}",
                "type": draw(
                    st.sampled_from(
                        [
                            "ClientReturn",
                            "ClientReturn",
                            "FullReturn",
                            "PartialReturn",
                            "Cancellation",
                            "Unknown",
                        ]
                    )
                ),
                "posting_number": number,
                "product": {"sku": sku, "quantity": draw(st.sampled_from([1, 2, 1.0, "2.0"]))},
                "logistic": {"return_date": ozon_time(at, draw(times))},
                "return_reason_name": draw(st.sampled_from(WORDS)),
            }
            if draw(st.integers(0, 9)) == 0:
                item["logistic"] = draw(st.sampled_from([None, {"return_date": "soon"}]))
            made.append(item)
            if draw(st.integers(0, 4)) == 0:  # a repeat, on a later page, dated otherwise
                made.append(item | {"logistic": {"return_date": ozon_time(at, 0)}})
    return made


@st.composite
def lists(draw: st.DrawFn) -> tuple[list[list[dict[str, Any]]], list[list[dict[str, Any]]]]:
    """Pages of postings and pages of returns."""
    return (
        report_pages(draw, draw(postings()), cuts=2, overlap=0),
        report_pages(draw, draw(returns()), cuts=2, overlap=0),
    )


WRAPS = ("fbs3", "fbo2", "new", "array")


def write_pages(
    folder: Path, kind: str, pages: list[list[dict[str, Any]]], forms: list[int]
) -> list[str]:
    """Write each page in one of the lists' wrappings, gzipped on odd forms."""
    paths = []
    for number, (rows, form) in enumerate(zip(pages, forms, strict=False)):
        wrap = WRAPS[form % 4] if kind == "postings" else ("returns", "array")[form % 2]
        document: object = {
            "fbs3": {"result": {"postings": rows, "has_next": False}},
            "fbo2": {"result": rows},
            "new": {"postings": rows, "cursor": "", "has_next": False},
            "returns": {"returns": rows, "has_next": False},
            "array": rows,
        }[wrap]
        packed = form % 3 == 0
        path = folder / f"{kind}-{number:03d}.json{'.gz' if packed else ''}"
        data = json.dumps(document, ensure_ascii=False).encode()
        path.write_bytes(gzip.compress(data) if packed else data)
        paths.append(str(path))
    return paths


def expected_lines(history: History) -> History:
    """The history lines can hold: its orders, with their sales, returns and logistics."""
    ids = {order.order_id for order in history.orders}
    return History(
        orders=history.orders,
        sales=[s for s in history.sales if s.order_id in ids],
        returns=[r for r in history.returns if r.order_id in ids],
        logistics=[c for c in history.logistics.values() if c.order_id in ids],
    )


def check_agree(  # noqa: PLR0917 - what both importers read and made
    history: History,
    report: ImportReport,
    lines: Any,
    aside: Any,
    returns: list[list[dict[str, Any]]],
    return_files: list[str] | None,
) -> None:
    """The columnar result is the object importer's, row for row and reason for reason."""
    got = by_order(lines)
    assert got == by_order(frames.to_lines(expected_lines(history)))
    put = rows_of(aside)
    refused = sorted((r["source"], r["row"], r["field"]) for r in put if r["kind"] == "refused")
    assert refused == sorted((p.source, p.row, p.field) for p in report.refused)
    skipped = sorted((r["source"], r["row"]) for r in put if r["kind"] == "skipped")
    assert skipped == sorted((p.source, p.row) for p in report.skipped)
    assert sum(r["kind"] == "merged" for r in put) == report.merged
    quantity = {
        (name, row): int(float(item["product"]["quantity"]))  # 1, 2, 1.0 or "2.0"
        for name, page in zip(return_files or [], returns, strict=True)
        for row, item in enumerate(page, 1)
    }
    unmatched = [quantity[r["source"], r["row"]] for r in put if r["kind"] == "unmatched"]
    assert sum(unmatched) == len(history.unmatched_returns)
    assert all(r["reason"] for r in put)
    # every row read makes lines (a posting), completes or marks them, or is put aside
    names = {return_files[i] for i in range(len(returns))} if return_files else set()
    returns_read = sum(len(page) for page in returns)
    returns_aside = sum(r["source"] in names for r in put)
    postings_kept = len({row["order_id"].rsplit("/", 2)[0] for row in got})
    used = postings_kept + returns_read - returns_aside + len(unmatched)
    assert used == report.used
    assert used + len(put) - len(unmatched) == report.rows_read


@pytest.mark.parametrize("backend", ENGINES)
def test_the_columnar_importer_reads_what_the_object_importer_reads(backend: Engine) -> None:
    """
    Differential: random pages of every list's shape, plain and gzipped, with repeats,
    defects and returns of every type; the same lines (units, outcomes, kinds, reasons,
    logistics), and the same rows refused, skipped, merged and unmatched.
    """
    check = settings(
        max_examples=EXAMPLES[backend],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
    )(given(pages=lists(), forms=st.lists(st.integers(0, 11), min_size=3, max_size=3))(_agree))
    check(backend=backend)


def _agree(
    backend: Engine,
    pages: tuple[list[list[dict[str, Any]]], list[list[dict[str, Any]]]],
    forms: list[int],
) -> None:
    """Read the pages with both importers; check that they agree."""
    posting_pages, return_pages = pages
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        posting_files = write_pages(folder, "postings", posting_pages, forms)
        return_files = write_pages(folder, "returns", return_pages, forms) or None
        history, report = read_ozon_postings(
            posting_files, as_of=AS_OF, returns=return_files, errors="collect"
        )
        lines, aside = frames.read_ozon_postings(
            posting_files, as_of=AS_OF, returns=return_files, backend=backend
        )
        check_agree(history, report, lines, aside, return_pages, return_files)


def _write(folder: Path, name: str, document: object) -> Path:
    path = folder / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def _posting(number: str, status: str = "delivered", **fields: Any) -> dict[str, Any]:
    return {
        "posting_number": number,
        "status": status,
        "in_process_at": "2025-04-01T10:00:00Z",
        "products": [{"sku": 42, "price": "990.5000", "quantity": 1}],
    } | fields


@pytest.mark.parametrize("backend", ENGINES)
class TestRules:
    @pytest.mark.parametrize(
        ("cancellation", "kind"),
        [
            ({"cancellation_type": "client"}, "buyer"),
            ({"cancellation_type": "customer"}, "buyer"),
            ({"cancellation_type": "seller"}, "seller"),
            ({"cancellation_type": "ozon"}, "marketplace"),
            ({"cancellation_type": "system"}, "marketplace"),
            ({"cancellation_type": "delivery"}, "marketplace"),
            ({"cancellation_type": "", "cancellation_initiator": "Продавец"}, "seller"),
            ({"cancellation_type": "", "cancellation_initiator": "Служба доставки"}, "marketplace"),
            ({"cancellation_type": "client", "cancel_reason_id": 665}, "not_collected"),
            ({"cancellation_type": "??"}, "unknown"),
            (None, "unknown"),
        ],
    )
    def test_the_cancellation_says_who_cancelled(
        self, backend: Engine, cancellation: dict[str, Any] | None, kind: str, tmp_path: Path
    ) -> None:
        """
        Each cancellation_type (or, without one, the initiator's words), and reason 665,
        is its CancelKind; a posting without a cancellation is of unknown kind; every
        unit is cancelled at as_of.
        """
        fields = {} if cancellation is None else {"cancellation": cancellation}
        path = _write(tmp_path, "p.json", [_posting("P-1", "cancelled", **fields)])
        (line,) = rows_of(frames.read_ozon_postings(path, as_of=AS_OF, backend=backend)[0])
        assert (line["cancel_kind"], line["cancelled_at"]) == (kind, AS_OF)
        assert line["sold_at"] is None

    def test_each_unit_of_each_product_is_a_line(self, backend: Engine, tmp_path: Path) -> None:
        """
        Quantity 3 and 2 of one SKU in two products, 1 of another: units numbered on
        through the SKU, each at its product's price; a delivered posting sold at its
        pickup time, its buyer the customer.
        """
        products = [
            {"sku": 42, "price": "10.005", "quantity": 3},
            {"sku": "7", "price": {"amount": "5", "currency": "RUB"}, "quantity": "1"},
            {"sku": 42, "price": 20, "quantity": 2},
        ]
        posting = _posting(
            "P-1",
            products=products,
            pickup_code_verified_at="2025-04-03T12:30:00.123456789Z",
            customer={"customer_id": 555},
        )
        path = _write(tmp_path, "p.json", {"postings": [posting]})
        lines, aside = frames.read_ozon_postings(path, as_of=AS_OF, backend=backend)
        got = {r["order_id"]: r for r in rows_of(lines)}
        assert {k: r["price"] for k, r in got.items()} == {
            "P-1/42/1": 1000,
            "P-1/42/2": 1000,
            "P-1/42/3": 1000,
            "P-1/42/4": 2000,
            "P-1/42/5": 2000,
            "P-1/7/1": 500,
        }
        sold = datetime(2025, 4, 3, 12, 30, 0, 123456, tzinfo=UTC)
        assert {r["sold_at"] for r in got.values()} == {sold}
        assert {r["buyer_id"] for r in got.values()} == {"555"}
        assert rows_of(aside) == []

    @pytest.mark.parametrize(
        ("kind", "status", "return_kind", "cancel_kind"),
        [
            ("ClientReturn", "delivered", "return", None),
            ("FullReturn", "delivered", "refused_at_handover", None),
            ("PartialReturn", "delivered", "refused_at_handover", None),
            ("FullReturn", "cancelled", None, "refused"),
        ],
    )
    def test_each_return_type_has_its_kind(  # noqa: PLR0917 - the case's parameters
        self,
        backend: Engine,
        kind: str,
        status: str,
        return_kind: str | None,
        cancel_kind: str | None,
        tmp_path: Path,
    ) -> None:
        """
        A client return is a return, a full or partial refusal of a delivered posting a
        refusal at handover with its reason; a refusal of a cancelled posting marks the
        unit refused, with the return's reason.
        """
        postings = _write(tmp_path, "p.json", [_posting("P-1", status)])
        words = "Покупатель отказался при вручении: товар не подошел"
        back = {
            "id": "r1",
            "type": kind,
            "posting_number": "P-1",
            "product": {"sku": "42", "quantity": 1},
            "logistic": {"return_date": "2025-04-05T10:00:00Z"},
            "return_reason_name": words,
        }
        returns = _write(tmp_path, "r.json", {"returns": [back]})
        lines, aside = frames.read_ozon_postings(
            postings, as_of=AS_OF, returns=returns, backend=backend
        )
        (line,) = rows_of(lines)
        assert (line["return_kind"], line["cancel_kind"]) == (return_kind, cancel_kind)
        reason = line["return_reason"] if return_kind else line["cancel_reason"]
        assert reason == "size_fit"
        assert rows_of(aside) == []

    def test_a_file_named_with_glob_characters_is_that_file(
        self, backend: Engine, tmp_path: Path
    ) -> None:
        """
        p[1].json beside p1.json: the name given reads its own file, not its pattern's.
        """
        _write(
            tmp_path,
            "p1.json",
            [_posting("P-DECOY", products=[{"sku": 1, "price": "1", "quantity": 1}])],
        )
        named = _write(
            tmp_path,
            "p[1].json",
            [_posting("P-1", products=[{"sku": 42, "price": "1", "quantity": 1}])],
        )
        lines, _ = frames.read_ozon_postings(named, as_of=AS_OF, backend=backend)
        assert [r["order_id"] for r in rows_of(lines)] == ["P-1/42/1"]

    def test_a_page_of_another_shape_is_put_aside_as_a_whole(
        self, backend: Engine, tmp_path: Path
    ) -> None:
        """
        An API error page among the posting pages, null, and a posting list given as the
        returns: each file is put aside at row 0, naming what it is not, where the object
        importer refuses it; an empty page is no list of nothing, and gives no row.
        """
        good = _write(tmp_path, "p1.json", {"postings": [_posting("P-1")]})
        error = _write(tmp_path, "p2.json", {"code": 7, "message": "Company is blocked"})
        nothing = _write(tmp_path, "p3.json", None)
        empty = _write(tmp_path, "p4.json", {"result": []})
        wrong = _write(tmp_path, "r1.json", {"postings": [_posting("P-1")]})
        lines, aside = frames.read_ozon_postings(
            [good, error, nothing, empty], as_of=AS_OF, returns=wrong, backend=backend
        )
        assert [r["order_id"] for r in rows_of(lines)] == ["P-1/42/1"]
        put = sorted((Path(r["source"]).name, r["row"], r["kind"]) for r in rows_of(aside))
        assert put == [
            ("p2.json", 0, "refused"),
            ("p3.json", 0, "refused"),
            ("r1.json", 0, "refused"),
        ]
        reasons = {Path(r["source"]).name: r["reason"] for r in rows_of(aside)}
        assert reasons["p2.json"].startswith("not an Ozon posting list")
        assert reasons["r1.json"].startswith("not an Ozon returns list")
        with pytest.raises(ReportFormatError):
            read_ozon_postings(error, as_of=AS_OF)
        with pytest.raises(ReportFormatError):
            read_ozon_postings(good, as_of=AS_OF, returns=wrong)

    def test_a_return_asking_more_than_the_sku_has_leaves_the_units_to_the_next(
        self, backend: Engine, tmp_path: Path
    ) -> None:
        """
        One unit: a return of 2 is refused, and the next, of 1, takes the unit, as the
        object importer gives it; the lines are the object importer's.
        """
        posting = _posting("P-1", products=[{"sku": 42, "price": "1", "quantity": 1}])
        postings = _write(tmp_path, "p.json", [posting])
        items = [
            {
                "id": f"r{day}",
                "type": "ClientReturn",
                "posting_number": "P-1",
                "product": {"sku": 42, "quantity": quantity},
                "logistic": {"return_date": f"2025-04-{day:02d}T10:00:00Z"},
            }
            for day, quantity in ((3, 2), (4, 1))
        ]
        returns = _write(tmp_path, "r.json", items)
        lines, aside = frames.read_ozon_postings(
            postings, as_of=AS_OF, returns=returns, backend=backend
        )
        history, _ = read_ozon_postings(postings, as_of=AS_OF, returns=returns, errors="collect")
        assert sorted(rows_of(lines), key=str) == sorted(rows_of(frames.to_lines(history)), key=str)
        (line,) = rows_of(lines)
        assert line["returned_at"] == datetime(2025, 4, 4, 10, tzinfo=UTC)
        assert [(r["row"], r["field"]) for r in rows_of(aside)] == [(1, "product.quantity")]

    def test_returns_take_the_units_in_turn_and_the_rest_are_put_aside(
        self, backend: Engine, tmp_path: Path
    ) -> None:
        """
        Three units: a return of 2 takes units 1 and 2, the next of 1 unit 3, one more is
        refused; a Cancellation is skipped; a return of a posting not given is unmatched;
        an undated delivery is sold at its first return.
        """
        posting = _posting("P-1", products=[{"sku": 42, "price": "1", "quantity": 3}])
        postings = _write(tmp_path, "p.json", [posting])

        def back(number: str, kind: str, day: int, quantity: int) -> dict[str, Any]:
            return {
                "id": f"r{day}",
                "type": kind,
                "posting_number": number,
                "product": {"sku": 42, "quantity": quantity},
                "logistic": {"return_date": f"2025-04-{day:02d}T10:00:00Z"},
            }

        items = [
            back("P-1", "ClientReturn", 5, 1),
            back("P-1", "ClientReturn", 3, 2),
            back("P-1", "ClientReturn", 7, 1),
            back("P-1", "Cancellation", 8, 1),
            back("P-2", "ClientReturn", 9, 1),
        ]
        returns = _write(tmp_path, "r.json", items)
        lines, aside = frames.read_ozon_postings(
            postings, as_of=AS_OF, returns=returns, backend=backend
        )
        got = {r["order_id"]: r["returned_at"].day for r in rows_of(lines)}
        assert got == {"P-1/42/1": 3, "P-1/42/2": 3, "P-1/42/3": 5}
        assert {r["sold_at"] for r in rows_of(lines)} == {datetime(2025, 4, 3, 10, tzinfo=UTC)}
        put = {r["row"]: (r["kind"], r["field"]) for r in rows_of(aside)}
        assert put == {
            3: ("refused", "product.quantity"),
            4: ("skipped", None),
            5: ("unmatched", None),
        }

    def test_logistics_are_divided_across_the_units_to_the_kopeck(
        self, backend: Engine, tmp_path: Path
    ) -> None:
        """
        10.01 roubles to the buyer over three units: 3.34, 3.34, 3.33; 0 back for each.
        """
        posting = _posting(
            "P-1",
            products=[{"sku": 42, "price": "1", "quantity": 3}],
            financial_data={
                "products": [
                    {
                        "product_id": 42,
                        "item_services": {
                            "marketplace_service_item_direct_flow_trans": -10,
                            "marketplace_service_item_deliv_to_customer": "-0.01",
                        },
                    }
                ]
            },
        )
        path = _write(tmp_path, "p.json", [posting])
        lines, _ = frames.read_ozon_postings(path, as_of=AS_OF, backend=backend)
        got = sorted((r["order_id"], r["delivery_cost"], r["return_cost"]) for r in rows_of(lines))
        assert got == [("P-1/42/1", 334, 0), ("P-1/42/2", 334, 0), ("P-1/42/3", 333, 0)]


@pytest.mark.parametrize("backend", ENGINES)
def test_the_example_payloads_read_as_the_object_importer_reads_them(backend: Engine) -> None:
    """
    Ozon's own examples of the four posting lists and the returns list.
    """
    as_of = datetime(2026, 11, 26, 9, tzinfo=UTC)
    posting_files = [str(p) for p in (FBO, FBS, FBO_V3, FBS_V4)]
    history, report = read_ozon_postings(
        posting_files, as_of=as_of, returns=[str(RETURNS)], errors="collect"
    )
    lines, aside = frames.read_ozon_postings(
        posting_files, as_of=as_of, returns=[str(RETURNS)], backend=backend
    )
    with RETURNS.open(encoding="utf-8") as file:
        return_pages = [json.load(file)["returns"]]
    check_agree(history, report, lines, aside, return_pages, [str(RETURNS)])


def test_as_of_must_be_an_aware_datetime(tmp_path: Path) -> None:
    """
    A naive as_of, or a date, is refused before anything is read.
    """
    path = _write(tmp_path, "p.json", [_posting("P-1")])
    with pytest.raises(InvalidArgumentError, match="time zone"):
        frames.read_ozon_postings(path, as_of=datetime(2025, 4, 10))
    with pytest.raises(ArgumentTypeError):
        frames.read_ozon_postings(path, as_of=AS_OF.date())  # type: ignore[arg-type]


@pytest.mark.spark
def test_the_spark_importer_reads_what_the_object_importer_reads(
    spark: Any, tmp_path: Path
) -> None:
    """
    On Spark, a repeated posting, a refused one, a cancelled one and a return: the object
    importer's lines and rows put aside.
    """
    pages = [
        [
            _posting("P-1"),
            _posting("P-2", "cancelled", cancellation={"cancellation_type": "seller"}),
        ],
        [_posting("P-1", pickup_code_verified_at="2025-04-02T10:00:00Z"), _posting("")],
    ]
    back = {
        "id": "r1",
        "type": "ClientReturn",
        "posting_number": "P-1",
        "product": {"sku": 42, "quantity": 1},
        "logistic": {"return_date": "2025-04-05T10:00:00Z"},
    }
    posting_files = write_pages(tmp_path, "postings", pages, [0, 1])
    return_files = write_pages(tmp_path, "returns", [[back]], [1])
    history, report = read_ozon_postings(
        posting_files, as_of=AS_OF, returns=return_files, errors="collect"
    )
    lines, aside = frames.read_ozon_postings(
        posting_files, as_of=AS_OF, returns=return_files, backend="pyspark", session=spark
    )
    check_agree(history, report, lines, aside, [[back]], return_files)
    error = _write(tmp_path, "error.json", {"code": 7, "message": "Company is blocked"})
    _, aside = frames.read_ozon_postings([error], as_of=AS_OF, backend="pyspark", session=spark)
    assert [(r["row"], r["kind"]) for r in rows_of(aside)] == [(0, "refused")]


@pytest.mark.parametrize("suffix", [".json", ".json.gz"])
def test_a_page_of_thousands_of_postings_is_read_in_little_memory_on_duckdb(
    tmp_path: Path, suffix: str
) -> None:
    """
    A page of 3,000 postings, each with a product and a charge, plain or gzipped, read on
    a DuckDB connection limited to 256 MB: every posting makes its line. DuckDB sets aside
    twice the largest document it is told to expect (4 GiB before: the file's own size
    now), and each item is cut from the page once (parsing the whole page again for each
    took memory growing as the square of the items: 8.8 GB for 2,000).
    """
    import duckdb  # noqa: PLC0415 - the engines are skipped without the dev extra

    count = 3_000
    postings = [
        _posting(
            f"P-{i}",
            financial_data={
                "products": [
                    {
                        "product_id": 42,
                        "item_services": {"marketplace_service_item_deliv_to_customer": -48.5},
                    }
                ]
            },
        )
        for i in range(count)
    ]
    path = _write(tmp_path, "page.json", {"result": {"postings": postings}})
    if suffix == ".json.gz":
        path = path.rename(tmp_path / f"page{suffix}")
        path.write_bytes(gzip.compress(path.read_bytes()))
    con = duckdb.connect()
    con.execute("SET memory_limit = '256MB'")
    lines, aside = frames.read_ozon_postings(path, as_of=AS_OF, backend="duckdb", connection=con)
    got = rows_of(lines)
    assert sorted(line["order_id"] for line in got) == sorted(f"P-{i}/42/1" for i in range(count))
    assert {line["delivery_cost"] for line in got} == {4850}
    assert rows_of(aside) == []
