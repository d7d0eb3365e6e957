from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redemption import CancelKind, Reason, ReasonCategory, ReturnKind
from redemption.errors import (
    ArgumentTypeError,
    InvalidArgumentError,
    InvalidPriceError,
    ReportFormatError,
)
from redemption.io.limits import Limits
from redemption.io.ozon import read_ozon_postings
from redemption.model import Logistics

DATA = Path(__file__).parent / "data" / "ozon"
FBO = DATA / "fbo_list_response.json"
FBS = DATA / "fbs_list_response.json"
RETURNS = DATA / "returns_response.json"
FBO_V3 = DATA / "fbo_list_v3_response.json"
FBS_V4 = DATA / "fbs_list_v4_response.json"

AS_OF = datetime(2026, 4, 10, 9, 0, tzinfo=UTC)
"""When the lists were downloaded, in these tests: after every moment of the examples."""

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
"""When the new lists were downloaded: after every moment of their examples, and AS_OF."""


@cache
def _example(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def example(path: Path) -> Any:
    """A fresh copy of an example payload, free to edit."""
    return copy.deepcopy(_example(path))


def fbs_posting(number: str = "P-1", **fields: Any) -> dict[str, Any]:
    """The FBS example's posting, renumbered, with `fields` replaced."""
    posting: dict[str, Any] = example(FBS)["result"]["postings"][0]
    return posting | {"posting_number": number} | fields


def fbo_posting(number: str = "P-1", **fields: Any) -> dict[str, Any]:
    """The FBO example's posting, renumbered, with `fields` replaced."""
    posting: dict[str, Any] = example(FBO)["result"][0]
    return posting | {"posting_number": number} | fields


def product(**fields: Any) -> dict[str, Any]:
    """The FBS example's product, with `fields` replaced."""
    item: dict[str, Any] = example(FBS)["result"]["postings"][0]["products"][0]
    return item | fields


def fbs_response(*postings: dict[str, Any]) -> dict[str, Any]:
    """The FBS example's response around `postings`."""
    response: dict[str, Any] = example(FBS)
    response["result"]["postings"] = list(postings)
    return response


def fbs4_posting(number: str = "P-1", **fields: Any) -> dict[str, Any]:
    """The /v4/posting/fbs/list example's posting, renumbered, with `fields` replaced."""
    posting: dict[str, Any] = example(FBS_V4)["postings"][0]
    return posting | {"posting_number": number} | fields


def fbo3_posting(number: str = "P-1", **fields: Any) -> dict[str, Any]:
    """The /v3/posting/fbo/list example's posting, renumbered, with `fields` replaced."""
    posting: dict[str, Any] = example(FBO_V3)["postings"][0]
    return posting | {"posting_number": number} | fields


def v4_product(**fields: Any) -> dict[str, Any]:
    """The /v4/posting/fbs/list example's first product, with `fields` replaced."""
    product_: dict[str, Any] = example(FBS_V4)["postings"][0]["products"][0]
    return product_ | fields


def priced(amount: object, currency: object = "RUB") -> dict[str, Any]:
    """A price as the new lists write it."""
    return {"amount": amount, "currency": currency}


def page(*postings: dict[str, Any]) -> dict[str, Any]:
    """The /v4/posting/fbs/list example's response around `postings`."""
    response: dict[str, Any] = example(FBS_V4)
    response["postings"] = list(postings)
    return response


def a_return(posting_number: str, sku: object, **fields: Any) -> dict[str, Any]:
    """The returns example's item, for `sku` of `posting_number`, with `fields` replaced."""
    item: dict[str, Any] = example(RETURNS)["returns"][0]
    item["product"]["sku"] = sku
    return item | {"posting_number": posting_number} | fields


def returned_on(at: str) -> dict[str, Any]:
    """The example's ``logistic`` block, back on `at`."""
    logistic: dict[str, Any] = example(RETURNS)["returns"][0]["logistic"]
    return logistic | {"return_date": at}


def delivered(number: str = "P-1", **fields: Any) -> dict[str, Any]:
    """An FBS posting placed on 1 April 2026 and handed to its buyer on 3 April."""
    defaults = {
        "status": "delivered",
        "in_process_at": "2026-04-01T10:00:00Z",
        "pickup_code_verified_at": "2026-04-03T12:00:00Z",
    }
    return fbs_posting(number, **(defaults | fields))


def write(path: Path, document: object) -> Path:
    """Write `document` as JSON at `path`."""
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


class TestTheExamplePayloads:
    def test_the_fbo_example_is_one_unit_sold_at_its_delivery_time(self) -> None:
        """
        The delivered FBO posting: one order, sold at additional_data's delivery_time.
        """
        history, report = read_ozon_postings(FBO, as_of=AS_OF, seller_id="shop")
        (order,) = history.orders
        assert order.order_id == "16965409-0014-1/160249683/1"
        assert (order.sku, order.seller_id, order.buyer_id) == ("160249683", "shop", None)
        assert order.price == Decimal("81.00")
        assert order.ordered_at == datetime(2021, 9, 1, 0, 25, 30, 120000, tzinfo=UTC)
        assert order.cancelled_at is None
        assert history.lines.sold_at == (datetime(2025, 11, 24, 15, 20, tzinfo=UTC),)
        assert (report.rows_read, report.used, report.orders, report.sales) == (1, 1, 1, 1)
        assert report.accounted

    def test_the_fbs_example_awaiting_packaging_is_in_transit(self) -> None:
        """
        awaiting_packaging is neither sold nor cancelled; "1530.0000" is 1530.00 roubles.
        """
        history, report = read_ozon_postings(FBS, as_of=AS_OF)
        (order,) = history.orders
        assert order.order_id == "0132112277-0101-1/827098843/1"
        assert order.price == Decimal("1530.00")
        assert order.ordered_at == datetime(2026, 3, 30, 11, 26, tzinfo=UTC)
        assert (order.cancelled_at, history.lines.sold_at) == (None, (None,))
        assert (report.sales, report.returns, report.accounted) == (0, 0, True)

    def test_fbo_and_fbs_pages_are_read_together(self) -> None:
        """
        The two lists as two pages of one import: one order from each.
        """
        history, report = read_ozon_postings([FBO, FBS], as_of=AS_OF)
        assert [o.sku for o in history.orders] == ["160249683", "827098843"]
        assert (report.rows_read, report.orders, report.sales) == (2, 2, 1)

    def test_the_returns_example_returns_the_unit_of_its_posting(self) -> None:
        """
        A FullReturn of a delivered posting's SKU (written as a string) returns unit 1.
        """
        posting = fbs_posting(
            "58544282-0057-1",
            status="delivered",
            in_process_at="2024-07-20T10:00:00Z",
            pickup_code_verified_at="2024-07-25T10:00:00Z",
            products=[product(sku=1100526203, price="3318.0000")],
        )
        history, report = read_ozon_postings([posting], returns=RETURNS, as_of=AS_OF)
        assert history.orders[0].order_id == "58544282-0057-1/1100526203/1"
        assert history.lines.sold_at == (datetime(2024, 7, 25, 10, tzinfo=UTC),)
        assert history.lines.returned_at == (datetime(2024, 7, 29, 6, 15, 48, 998146, tzinfo=UTC),)
        assert (report.rows_read, report.used, report.returns, report.accounted) == (
            2,
            2,
            1,
            True,
        )

    def test_a_return_whose_posting_was_not_read_is_unmatched(self) -> None:
        """
        The returns example alone: a return without its order, of unit 1.
        """
        history, report = read_ozon_postings([], returns=RETURNS, as_of=AS_OF)
        assert [r.order_id for r in history.unmatched_returns] == ["58544282-0057-1/1100526203/1"]
        assert (report.returns, report.accounted) == (1, True)


class TestTheNewListExamples:
    def test_the_fbo_v3_example_is_one_unit_delivered_with_no_documented_moment(self) -> None:
        """
        Delivered, priced {"amount": "28990", "currency": "RUB"}: sold at as_of (undated).
        """
        history, report = read_ozon_postings(FBO_V3, as_of=NOW, seller_id="shop")
        (order,) = history.orders
        assert order.order_id == "9121072335-0187-1/9880276314/1"
        assert (order.sku, order.seller_id, order.buyer_id) == ("9880276314", "shop", None)
        assert order.price == Decimal("28990.00")
        assert order.ordered_at == datetime(2026, 5, 11, 0, 0, 7, 716614, tzinfo=UTC)
        assert order.cancelled_at is None
        assert history.lines.sold_at == (NOW,)
        assert (report.rows_read, report.used, report.orders, report.sales) == (1, 1, 1, 1)
        assert report.accounted

    def test_the_fbs_v4_example_is_three_units_in_transit(self) -> None:
        """
        Two products, the second of quantity 2, awaiting_packaging, of customer 12345678.
        """
        history, report = read_ozon_postings(FBS_V4, as_of=NOW)
        assert [(o.order_id, o.sku, o.price) for o in history.orders] == [
            ("0208245774-0029-1/1904686181/1", "1904686181", Decimal("12990.00")),
            ("0208245774-0029-1/1904686182/1", "1904686182", Decimal("3490.00")),
            ("0208245774-0029-1/1904686182/2", "1904686182", Decimal("3490.00")),
        ]
        assert {o.buyer_id for o in history.orders} == {"12345678"}
        assert {o.ordered_at for o in history.orders} == {datetime(2026, 5, 14, 8, tzinfo=UTC)}
        assert [o.cancelled_at for o in history.orders] == [None, None, None]
        assert history.lines.sold_at == (None, None, None)
        assert (report.rows_read, report.used, report.orders, report.sales) == (1, 1, 3, 0)
        assert report.accounted

    def test_old_and_new_pages_are_read_together(self, tmp_path: Path) -> None:
        """
        A page of each of the four lists, in one import: 1 + 1 + 1 + 3 orders, 2 sold.
        """
        empty = write(tmp_path / "last.json", {"cursor": "", "has_next": False, "postings": []})
        history, report = read_ozon_postings([FBO, FBS, FBO_V3, FBS_V4, empty], as_of=NOW)
        assert [o.order_id.split("/")[0] for o in history.orders] == [
            "16965409-0014-1",
            "0132112277-0101-1",
            "9121072335-0187-1",
            "0208245774-0029-1",
            "0208245774-0029-1",
            "0208245774-0029-1",
        ]
        assert [o.price for o in history.orders] == [
            Decimal("81.00"),
            Decimal("1530.00"),
            Decimal("28990.00"),
            Decimal("12990.00"),
            Decimal("3490.00"),
            Decimal("3490.00"),
        ]
        assert [(s.order_id, s.sold_at) for s in history.sales] == [
            ("16965409-0014-1/160249683/1", datetime(2025, 11, 24, 15, 20, tzinfo=UTC)),
            ("9121072335-0187-1/9880276314/1", NOW),
        ]
        assert (report.rows_read, report.used, report.merged, report.accounted) == (4, 4, 0, True)

    def test_a_posting_moved_from_an_old_list_to_a_new_one_is_merged(self, tmp_path: Path) -> None:
        """
        The same posting_number on a /v3/posting/fbs/list page, then a /v4 page: the later wins.
        """
        old = write(tmp_path / "1.json", fbs_response(fbs_posting("P-1", status="delivering")))
        new = write(tmp_path / "2.json", page(fbs4_posting("P-1", status="delivered")))
        history, report = read_ozon_postings([old, new], as_of=NOW)
        assert [o.order_id for o in history.orders] == [
            "P-1/1904686181/1",
            "P-1/1904686182/1",
            "P-1/1904686182/2",
        ]
        assert [s.sold_at for s in history.sales] == [NOW, NOW, NOW]
        assert (report.rows_read, report.used, report.merged, report.accounted) == (2, 1, 1, True)


class TestTheNewLists:
    @pytest.mark.parametrize(
        ("status", "outcome"),
        [
            ("delivered", "sold"),
            ("cancelled", "cancelled"),
            ("cancelled_from_split_pending", "cancelled"),
            ("awaiting_packaging", "open"),
            ("awaiting_deliver", "open"),
            ("delivering", "open"),
            ("driver_pickup", "open"),
            ("sent_by_seller", "open"),
            ("client_arbitration", "open"),
        ],
    )
    @pytest.mark.parametrize("make", [fbs4_posting, fbo3_posting])
    def test_each_status_is_an_outcome(self, make: Any, status: str, outcome: str) -> None:
        """
        delivered is sold, cancelled... cancelled at as_of, any other status in transit.
        """
        history, report = read_ozon_postings(page(make(status=status)), as_of=NOW)
        units = len(history.orders)
        assert units == (3 if make is fbs4_posting else 1)
        cancelled = [o.cancelled_at for o in history.orders]
        assert cancelled == [NOW if outcome == "cancelled" else None] * units
        assert [s.sold_at for s in history.sales] == ([NOW] * units if outcome == "sold" else [])
        assert report.accounted

    def test_a_v4_delivery_is_dated_at_pickup_code_verified_at(self) -> None:
        """
        The FBS v4 posting keeps pickup_code_verified_at: its units are sold then.
        """
        posting = fbs4_posting(status="delivered", pickup_code_verified_at="2026-05-19T18:05:00Z")
        history, _ = read_ozon_postings(page(posting), as_of=NOW)
        assert history.lines.sold_at == (datetime(2026, 5, 19, 18, 5, tzinfo=UTC),) * 3

    def test_a_v3_fbo_additional_data_pair_is_no_delivery_moment(self) -> None:
        """
        The FBO v3 additional_data is key/value pairs, no delivery_time: sold at as_of.
        """
        pairs = [{"key": "delivery_time", "value": "2026-05-12T10:00:00Z"}]
        history, _ = read_ozon_postings(page(fbo3_posting(additional_data=pairs)), as_of=NOW)
        assert history.lines.sold_at == (NOW,)

    def test_a_posting_with_two_products_one_of_quantity_2(self) -> None:
        """
        A delivered v4 posting of two SKUs, one twice: three orders, three sales.
        """
        posting = fbs4_posting(
            "P-9",
            status="delivered",
            pickup_code_verified_at="2026-05-20T10:00:00Z",
            products=[
                v4_product(sku=11, price=priced("100.5")),
                v4_product(sku="22", price=priced(20, "RUB"), quantity=2),
            ],
        )
        history, report = read_ozon_postings(page(posting), as_of=NOW)
        assert [(o.order_id, o.sku, o.price) for o in history.orders] == [
            ("P-9/11/1", "11", Decimal("100.50")),
            ("P-9/22/1", "22", Decimal("20.00")),
            ("P-9/22/2", "22", Decimal("20.00")),
        ]
        assert [s.order_id for s in history.sales] == ["P-9/11/1", "P-9/22/1", "P-9/22/2"]
        assert (report.rows_read, report.used, report.orders, report.sales) == (1, 1, 3, 3)

    def test_a_price_object_in_another_currency_is_refused(self, tmp_path: Path) -> None:
        """
        {"amount": ..., "currency": "CNY"}: a bad row naming products.price.currency.
        """
        bad = fbs4_posting(
            "P-2", products=[v4_product(), v4_product(sku=5, price=priced("99.00", "CNY"))]
        )
        path = write(tmp_path / "postings.json", page(fbs4_posting("ok"), bad))
        field = "products.price.currency"
        with pytest.raises(ReportFormatError, match=f"postings.json row 2, field '{field}'") as e:
            read_ozon_postings(path, as_of=NOW)
        assert (e.value.source, e.value.row, e.value.field) == (str(path), 2, field)
        assert "product 2: the price is in 'CNY'" in str(e.value)
        history, report = read_ozon_postings(path, as_of=NOW, errors="collect")
        assert {o.order_id.split("/")[0] for o in history.orders} == {"ok"}
        assert [(p.row, p.field) for p in report.refused] == [(2, field)]
        assert (report.rows_read, report.used, report.accounted) == (2, 1, True)

    @pytest.mark.parametrize(
        ("price", "field"),
        [
            (priced("12990,00"), "products.price.amount"),
            (priced("-1"), "products.price.amount"),
            (priced(None), "products.price.amount"),
            ({"currency": "RUB"}, "products.price.amount"),
            (priced("12990.00", ""), "products.price.currency"),
            (["12990.00", "RUB"], "products.price"),
            (None, "products.price"),
        ],
    )
    def test_a_bad_price_object_is_a_bad_row(self, price: object, field: str) -> None:
        """
        The amount must be a price, the currency roubles; the price an object or a number.
        """
        posting = fbo3_posting(products=[v4_product(price=price)])
        _, report = read_ozon_postings([posting], as_of=NOW, errors="collect")
        assert [(p.row, p.field) for p in report.refused] == [(1, field)]

    def test_a_price_object_without_its_currency_is_roubles(self) -> None:
        """
        As with the old lists' currency_code, a price that names no currency is roubles.
        """
        history, _ = read_ozon_postings(
            [fbo3_posting(products=[v4_product(price={"amount": "7"})])], as_of=NOW
        )
        assert history.orders[0].price == Decimal("7.00")

    def test_a_return_takes_the_units_of_a_new_list_posting(self) -> None:
        """
        Returns match v4 postings as any other: the undated v3 FBO sale moves to the return.
        """
        fbs = fbs4_posting(
            "F-1", status="delivered", pickup_code_verified_at="2026-05-19T18:00:00Z"
        )
        fbo = fbo3_posting("F-2")
        returns = [
            a_return("F-1", 1904686182, id="1", logistic=returned_on("2026-05-25T10:00:00Z")),
            a_return("F-2", "9880276314", id="2", logistic=returned_on("2026-05-20T10:00:00Z")),
        ]
        history, report = read_ozon_postings(page(fbs, fbo), returns=returns, as_of=NOW)
        assert [(r.order_id, r.returned_at) for r in history.returns] == [
            ("F-2/9880276314/1", datetime(2026, 5, 20, 10, tzinfo=UTC)),
            ("F-1/1904686182/1", datetime(2026, 5, 25, 10, tzinfo=UTC)),
        ]
        sold = {s.order_id: s.sold_at for s in history.sales}
        assert sold["F-2/9880276314/1"] == datetime(2026, 5, 20, 10, tzinfo=UTC)
        assert sold["F-1/1904686182/2"] == datetime(2026, 5, 19, 18, tzinfo=UTC)
        assert (report.rows_read, report.used, report.returns, report.accounted) == (
            4,
            4,
            2,
            True,
        )


class TestUnits:
    @pytest.mark.parametrize("written", [2, 2.0, "2", " 2.00 ", "+2"])
    def test_a_number_of_units_is_read_however_a_whole_number_is_written(
        self, written: object
    ) -> None:
        """
        A JSON number with no fraction, or its text (a point followed by zeros alone), as
        the columnar readers read it: DuckDB writes the number 2.0 as "2.0", polars as "2".
        """
        posting = fbs_posting("P-1", products=[product(sku=22, quantity=written)])
        history, _ = read_ozon_postings([posting], as_of=AS_OF)
        assert [o.order_id for o in history.orders] == ["P-1/22/1", "P-1/22/2"]

    @pytest.mark.parametrize("written", [2.5, "2.5", "2.", "1_000", "٢", "-2", True])
    def test_a_number_of_units_that_is_not_whole_is_refused(self, written: object) -> None:
        """
        A fraction, Python's digit separators, digits of other scripts, a negative or a
        boolean is no number of units.
        """
        posting = fbs_posting("P-1", products=[product(sku=22, quantity=written)])
        _, report = read_ozon_postings([posting], as_of=AS_OF, errors="collect")
        assert [p.field for p in report.refused] == ["products.quantity"]

    def test_each_unit_of_each_product_is_an_order(self) -> None:
        """
        Two products, one of quantity 2: three orders, numbered per SKU from 1.
        """
        posting = fbs_posting(
            "P-1",
            products=[
                product(sku=11, price="100.5000"),
                product(sku=22, price="20", quantity=2),
            ],
        )
        history, report = read_ozon_postings([posting], as_of=AS_OF)
        assert [(o.order_id, o.sku, o.price) for o in history.orders] == [
            ("P-1/11/1", "11", Decimal("100.50")),
            ("P-1/22/1", "22", Decimal("20.00")),
            ("P-1/22/2", "22", Decimal("20.00")),
        ]
        assert (report.rows_read, report.used, report.orders, report.accounted) == (1, 1, 3, True)
        assert report.rounded == 0  # "100.5000" is 100.50 exactly

    def test_prices_finer_than_a_kopeck_are_rounded_and_counted_once_per_product(self) -> None:
        """
        Two products priced 10.005 and 7.001, one of quantity 2: rounded half-even, and
        counted once each, also when the posting is repeated.
        """
        posting = fbs_posting(
            "P-1",
            products=[
                product(sku=11, price="10.005"),
                product(sku=22, price="7.001", quantity=2),
            ],
        )
        history, report = read_ozon_postings([posting, posting], as_of=AS_OF)
        assert sorted(o.price for o in history.orders) == [
            Decimal("7.00"),
            Decimal("7.00"),
            Decimal("10.00"),
        ]
        assert (report.rounded, report.merged) == (2, 1)

    def test_units_in_a_row_are_bounded_by_the_limits_given(self) -> None:
        """
        Three units of one product pass the default bound; with a bound of 2 the posting
        is a bad row naming the field and the limit.
        """
        posting = fbs_posting("P-1", products=[product(sku=7, quantity=3)])
        assert len(read_ozon_postings([posting], as_of=AS_OF)[0].orders) == 3
        history, report = read_ozon_postings(
            [posting], as_of=AS_OF, errors="collect", limits=Limits(max_units_per_row=2)
        )
        assert history.orders == ()
        (refused,) = report.refused
        assert refused.field == "products.quantity"
        assert "max_units_per_row" in refused.reason

    def test_one_sku_in_two_products_is_numbered_on(self) -> None:
        """
        The same SKU twice in a posting does not give two orders one id.
        """
        posting = fbs_posting("P-1", products=[product(sku=7), product(sku=7, quantity=2)])
        history, _ = read_ozon_postings([posting], as_of=AS_OF)
        assert [o.order_id for o in history.orders] == ["P-1/7/1", "P-1/7/2", "P-1/7/3"]

    @pytest.mark.parametrize(
        ("customer", "buyer_id"),
        [
            ({"customer_id": 123456}, "123456"),
            ({"customer_id": "123456"}, "123456"),
            ({"customer_id": 0}, None),
            (None, None),
        ],
    )
    def test_the_buyer_is_the_customer_id(self, customer: object, buyer_id: str | None) -> None:
        """
        An FBS posting may name its customer; 0 (Ozon's unset number) and null do not.
        """
        history, _ = read_ozon_postings([fbs_posting(customer=customer)], as_of=AS_OF)
        assert history.orders[0].buyer_id == buyer_id


class TestOutcomes:
    @pytest.mark.parametrize("status", ["cancelled", "cancelled_from_split_pending"])
    def test_a_cancelled_posting_is_cancelled_when_the_list_was_downloaded(
        self, status: str
    ) -> None:
        """
        A posting list gives no moment of cancellation: every unit is cancelled at as_of.
        """
        posting = fbs_posting(status=status, products=[product(quantity=2)])
        history, report = read_ozon_postings([posting], as_of=AS_OF)
        assert [o.cancelled_at for o in history.orders] == [AS_OF, AS_OF]
        assert (report.sales, report.accounted) == (0, True)

    @pytest.mark.parametrize(
        "posting",
        [
            fbs_posting(status="delivered", pickup_code_verified_at=None),
            fbo_posting(additional_data=[]),
            fbo_posting(additional_data=[{"courier_name": "", "delivery_time": None}]),
        ],
    )
    def test_a_delivery_with_no_documented_moment_is_dated_at_as_of(
        self, posting: dict[str, Any]
    ) -> None:
        """
        Neither pickup_code_verified_at nor a delivery_time: sold at as_of.
        """
        history, _ = read_ozon_postings([posting], as_of=AS_OF)
        assert [s.sold_at for s in history.sales] == [AS_OF]

    def test_the_latest_fbo_delivery_time_is_the_sale(self) -> None:
        """
        Several additional_data entries: the unit was delivered at the last of them.
        """
        posting = fbo_posting(
            additional_data=[
                {"delivery_time": "2025-11-24T15:20:00.000Z"},
                {"delivery_time": "2025-11-25T08:00:00+03:00"},
                {"delivery_time": "2025-11-23T10:00:00Z"},
            ]
        )
        history, _ = read_ozon_postings([posting], as_of=AS_OF)
        assert history.lines.sold_at == (datetime(2025, 11, 25, 5, tzinfo=UTC),)

    def test_nanoseconds_are_cut_to_the_microsecond(self) -> None:
        """
        Ozon writes up to nine digits of a second; Python keeps six, the rest is dropped.
        """
        posting = delivered(pickup_code_verified_at="2026-04-03T12:00:00.999999999Z")
        history, _ = read_ozon_postings([posting], as_of=AS_OF)
        assert history.lines.sold_at == (datetime(2026, 4, 3, 12, 0, 0, 999999, tzinfo=UTC),)

    @pytest.mark.parametrize(
        "status", ["awaiting_packaging", "awaiting_deliver", "delivering", "arbitration"]
    )
    def test_any_other_status_is_in_transit(self, status: str) -> None:
        """
        Neither delivered nor cancelled: no outcome yet.
        """
        history, _ = read_ozon_postings([delivered(status=status)], as_of=AS_OF)
        assert (history.sales, history.orders[0].cancelled_at) == ((), None)


class TestPages:
    @pytest.mark.parametrize("later", ["delivered", "cancelled"])
    def test_a_posting_on_two_pages_is_merged_and_the_later_wins(
        self, later: str, tmp_path: Path
    ) -> None:
        """
        Overlapping pages repeat a posting: one set of orders, the later page's status.
        """
        first = write(
            tmp_path / "1.json", fbs_response(fbs_posting("A"), delivered("B", status="delivering"))
        )
        second = write(tmp_path / "2.json", fbs_response(delivered("B", status=later)))
        history, report = read_ozon_postings([first, second], as_of=AS_OF)
        assert [o.order_id for o in history.orders] == ["A/827098843/1", "B/827098843/1"]
        assert [s.order_id for s in history.sales] == (
            ["B/827098843/1"] if later == "delivered" else []
        )
        assert history.orders[1].cancelled_at == (AS_OF if later == "cancelled" else None)
        assert (report.rows_read, report.used, report.merged, report.accounted) == (3, 2, 1, True)

    def test_progress_is_told_at_the_end_of_each_page(self, tmp_path: Path) -> None:
        """
        A page with fewer rows than PROGRESS_EVERY is told once, when it is done.
        """
        first = write(tmp_path / "1.json", fbs_response(fbs_posting("A"), fbs_posting("B")))
        second = write(tmp_path / "2.json", [fbs_posting("C")])
        told: list[tuple[str, int, int]] = []
        read_ozon_postings(
            [first, second],
            as_of=AS_OF,
            returns=[],
            progress=lambda *call: told.append(call),
        )
        assert told == [(str(first), 2, 2), (str(second), 1, 1), ("<rows>", 0, 0)]


class TestBadRows:
    @pytest.mark.parametrize(
        ("posting", "field"),
        [
            (fbs_posting(posting_number=None), "posting_number"),
            (fbs_posting(status=""), "status"),
            (fbs_posting(in_process_at="2026-03-30T11:26:00"), "in_process_at"),
            (fbs_posting(in_process_at="2026-04-10T09:00:01Z"), "in_process_at"),
            (fbs_posting(products=[]), "products"),
            (fbs_posting(products=[product(price="1530,00")]), "products.price"),
            (fbs_posting(products=[product(price="-1")]), "products.price"),
            (fbs_posting(products=[product(currency_code="CNY")]), "products.currency_code"),
            (fbs_posting(products=[product(quantity=0)]), "products.quantity"),
            (fbs_posting(products=[product(sku=None)]), "products.sku"),
            (delivered(pickup_code_verified_at="2026-04-10T09:00:01Z"), "pickup_code_verified_at"),
            (delivered(pickup_code_verified_at="2026-04-01T09:59:59Z"), "pickup_code_verified_at"),
            (
                fbo_posting(additional_data=[{"delivery_time": "2026-05-01T00:00:00Z"}]),
                "additional_data.delivery_time",
            ),
        ],
    )
    def test_a_bad_row_names_the_file_row_and_field(
        self, posting: dict[str, Any], field: str, tmp_path: Path
    ) -> None:
        """
        By default the first bad posting stops the import; "collect" lists it and goes on.
        """
        path = write(tmp_path / "postings.json", fbs_response(fbs_posting("ok"), posting))
        with pytest.raises(ReportFormatError, match=f"postings.json row 2, field '{field}'") as e:
            read_ozon_postings(path, as_of=AS_OF)
        assert (e.value.source, e.value.row, e.value.field) == (str(path), 2, field)
        history, report = read_ozon_postings(path, as_of=AS_OF, errors="collect")
        assert [o.order_id for o in history.orders] == ["ok/827098843/1"]
        assert [(p.row, p.field) for p in report.refused] == [(2, field)]
        assert (report.rows_read, report.used, report.accounted) == (2, 1, True)

    def test_a_naive_as_of_is_refused(self) -> None:
        """
        as_of is an instant: without its zone it names none.
        """
        with pytest.raises(InvalidArgumentError, match="as_of 2026-04-10T09:00:00 has no time"):
            read_ozon_postings(FBS, as_of=datetime(2026, 4, 10, 9))

    def test_a_day_as_of_is_refused(self) -> None:
        """
        A day is not the moment the lists were downloaded.
        """
        with pytest.raises(ArgumentTypeError, match="as_of must be a datetime"):
            read_ozon_postings(FBS, as_of=date(2026, 4, 10))  # type: ignore[arg-type]


class TestReturns:
    def read(
        self, posting: dict[str, Any], *returns: dict[str, Any]
    ) -> tuple[list[str], list[Any]]:
        """Read one posting with `returns` (collecting bad rows): returned ids, problems."""
        history, report = read_ozon_postings(
            [posting], returns=list(returns), as_of=AS_OF, errors="collect"
        )
        assert report.accounted
        returned = [r.order_id for r in history.returns]
        return returned, [(p.row, p.field) for p in report.refused] + [
            (p.row, p.reason.split(":")[0]) for p in report.skipped
        ]

    def test_units_are_returned_in_turn_until_none_is_left(self) -> None:
        """
        Returns take the units not yet returned, earliest return first; one more is refused.
        """
        posting = delivered(products=[product(sku=5, quantity=3)])
        later = a_return("P-1", "5", id="2", logistic=returned_on("2026-04-07T10:00:00Z"))
        earlier = a_return("P-1", "5", id="1", logistic=returned_on("2026-04-05T10:00:00Z"))
        earlier["product"]["quantity"] = 2
        extra = a_return("P-1", "5", id="3", logistic=returned_on("2026-04-08T10:00:00Z"))
        returned, problems = self.read(posting, later, earlier, extra)
        assert returned == ["P-1/5/1", "P-1/5/2", "P-1/5/3"]
        assert problems == [(3, "product.quantity")]

    @pytest.mark.parametrize(
        ("kind", "reason"),
        [
            ("Cancellation", "a cancellation before delivery, not a return"),
            ("Unknown", "return type 'Unknown' is not a return of a delivered unit"),
        ],
    )
    def test_cancellations_and_unknown_returns_are_skipped(self, kind: str, reason: str) -> None:
        """
        Neither is a unit bought and brought back: skipped, with the reason.
        """
        returned, problems = self.read(delivered(), a_return("P-1", 827098843, type=kind))
        assert (returned, problems) == ([], [(1, reason)])

    def test_a_refusal_of_a_cancelled_posting_marks_its_units_refused(self) -> None:
        """
        A FullReturn of a cancelled posting makes no return: its units were refused, and why.
        """
        posting = fbs_posting(status="cancelled")
        refusal = a_return(
            "P-1", 827098843, type="FullReturn", return_reason_name="Товар поддельный"
        )
        history, report = read_ozon_postings([posting], returns=[refusal], as_of=AS_OF)
        assert history.returns == ()
        assert (report.used, report.skipped, report.refused) == (2, (), ())
        (order,) = history.orders
        assert order.cancel_kind is CancelKind.REFUSED
        assert order.cancel_reason == Reason(ReasonCategory.COUNTERFEIT, "Товар поддельный")

    @pytest.mark.parametrize(
        ("posting", "item", "field"),
        [
            (
                fbs_posting(status="cancelled"),
                a_return("P-1", 827098843, type="ClientReturn"),
                "posting_number",
            ),
            (fbs_posting(), a_return("P-1", 827098843), "posting_number"),
            (delivered(), a_return("P-1", 999), "product.sku"),
            (
                delivered(),
                a_return("P-1", 827098843, logistic=returned_on("2026-04-02T00:00:00Z")),
                "logistic.return_date",
            ),
            (
                delivered(),
                a_return("P-1", 827098843, logistic=returned_on("2026-04-11T00:00:00Z")),
                "logistic.return_date",
            ),
            (delivered(), a_return("P-1", 827098843, logistic=None), "logistic"),
            (delivered(), a_return("P-1", 827098843, id=None), "id"),
        ],
    )
    def test_a_return_its_posting_contradicts_is_a_bad_row(
        self, posting: dict[str, Any], item: dict[str, Any], field: str
    ) -> None:
        """
        Not delivered, no such SKU, before the delivery or after the download: refused.
        """
        returned, problems = self.read(posting, item)
        assert (returned, problems) == ([], [(1, field)])
        with pytest.raises(ReportFormatError, match=f"<rows> row 1, field '{field}'"):
            read_ozon_postings([posting], returns=[item], as_of=AS_OF)

    def test_a_return_repeated_is_merged(self, tmp_path: Path) -> None:
        """
        The same return id on two pages is one return.
        """
        item = a_return("P-1", 827098843, logistic=returned_on("2026-04-05T10:00:00Z"))
        pages = [write(tmp_path / f"{n}.json", {"returns": [item]}) for n in (1, 2)]
        history, report = read_ozon_postings([delivered()], returns=pages, as_of=AS_OF)
        assert [r.order_id for r in history.returns] == ["P-1/827098843/1"]
        assert (report.rows_read, report.used, report.merged, report.accounted) == (3, 2, 1, True)

    def test_an_undated_delivery_is_no_later_than_its_first_return(self) -> None:
        """
        A unit is sold before it comes back: an undated sale moves back to the return.
        """
        posting = delivered(pickup_code_verified_at=None, products=[product(quantity=2)])
        item = a_return("P-1", 827098843, logistic=returned_on("2026-04-05T10:00:00Z"))
        history, _ = read_ozon_postings([posting], returns=[item], as_of=AS_OF)
        moment = datetime(2026, 4, 5, 10, tzinfo=UTC)
        assert history.lines.sold_at == (moment, moment)
        assert history.lines.returned_at == (moment, None)


class TestFiles:
    def test_a_bare_array_with_a_byte_order_mark_gzipped_is_read(self, tmp_path: Path) -> None:
        """
        Files saved by other tools may be gzipped and start with a byte-order mark.
        """
        text = json.dumps([fbs_posting("A"), fbo_posting("B")], ensure_ascii=False)
        path = tmp_path / "postings.json.gz"
        path.write_bytes(gzip.compress(b"\xef\xbb\xbf" + text.encode()))
        history, report = read_ozon_postings(path, as_of=AS_OF)
        assert [o.order_id for o in history.orders] == ["B/160249683/1", "A/827098843/1"]
        assert report.accounted

    def test_a_parsed_response_is_read(self) -> None:
        """
        The FBS response as the client parsed it, and the FBO response as bytes.
        """
        history, report = read_ozon_postings(example(FBS), as_of=AS_OF)
        assert (len(history.orders), report.rows_read) == (1, 1)
        history, _ = read_ozon_postings(FBO.read_bytes(), returns=example(RETURNS), as_of=AS_OF)
        assert (len(history.orders), len(history.unmatched_returns)) == (1, 1)

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"", "the file is empty"),
            (b"   \n", "the file is empty"),
            (b'{"result": ', "not valid JSON"),
            (b"\x1f\x8b\x08\x00broken", "not a readable gzip file"),
            (b"\xff\xfe[]", "not UTF-8 text"),
            (b'{"result": {"has_next": false}}', "expected an Ozon posting list"),
            (b'{"cursor": "", "has_next": false}', "expected an Ozon posting list"),
            (b'{"postings": {"posting_number": "1"}}', "expected an Ozon posting list"),
            (b'{"returns": []}', "found an object with the keys returns"),
            (b"[1, 2]", "row 1: expected an object"),
            (b'[{"srid": "a"}]', "is this an Ozon posting list"),
        ],
    )
    def test_unreadable_files_get_a_clear_message(
        self, content: bytes, message: str, tmp_path: Path
    ) -> None:
        """
        Empty, malformed or mis-shaped files are a ReportFormatError naming the file.
        """
        path = tmp_path / "postings.json"
        path.write_bytes(content)
        with pytest.raises(ReportFormatError, match=f"postings.json.*{message}"):
            read_ozon_postings(path, as_of=AS_OF)

    def test_each_list_given_for_the_other_is_recognised(self) -> None:
        """
        The returns list given as postings, and a posting list given as returns.
        """
        with pytest.raises(ReportFormatError, match="expected an Ozon posting list"):
            read_ozon_postings(RETURNS, as_of=AS_OF)
        with pytest.raises(ReportFormatError, match="expected an Ozon returns list"):
            read_ozon_postings(FBO, returns=FBS, as_of=AS_OF)
        with pytest.raises(ReportFormatError, match="is this an Ozon returns list"):
            read_ozon_postings(FBO, returns=example(FBO)["result"], as_of=AS_OF)


STATUSES = ("delivered", "cancelled", "cancelled_from_split_pending", "delivering", "arbitration")
LISTS = (
    (fbs_posting, product),
    (fbo_posting, product),
    (fbs4_posting, v4_product),
    (fbo3_posting, v4_product),
)
"""How to make a posting and its product, in each of the four lists."""


@given(
    postings=st.lists(
        st.tuples(
            st.sampled_from(STATUSES),
            st.sampled_from(LISTS),
            st.lists(st.tuples(st.integers(1, 3), st.integers(1, 3)), min_size=1, max_size=3),
        ),
        max_size=6,
    ),
    zone=st.sampled_from([UTC, timezone(timedelta(hours=3))]),
)
def test_units_read_back_with_their_outcomes(
    postings: list[tuple[str, tuple[Callable[..., Any], ...], list[tuple[int, int]]]],
    zone: timezone,
) -> None:
    """
    Postings of random statuses and quantities give as many sold, cancelled and open units.
    """
    rows, expected = [], {"sold": 0, "cancelled": 0, "open": 0}
    for i, (status, (make, made), products) in enumerate(postings):
        items = [made(sku=sku, quantity=quantity) for sku, quantity in products]
        rows.append(make(f"{i}-0001-1", status=status, products=items))
        outcome = "open" if status in {"delivering", "arbitration"} else status[:9]
        expected["sold" if outcome == "delivered" else outcome] += sum(q for _, q in products)
    history, report = read_ozon_postings(json.dumps(rows).encode(), as_of=NOW.astimezone(zone))
    cancelled = sum(o.cancelled_at is not None for o in history.orders)
    assert (
        len(history.sales),
        cancelled,
        len(history.orders) - len(history.sales) - cancelled,
    ) == (
        expected["sold"],
        expected["cancelled"],
        expected["open"],
    )
    assert (report.rows_read, report.used, report.accounted) == (len(rows), len(rows), True)


def cancelled(**cancellation: Any) -> dict[str, Any]:
    """The FBS example's posting, cancelled, with these `cancellation` fields."""
    given: dict[str, Any] = example(FBS)["result"]["postings"][0]["cancellation"]
    return fbs_posting(status="cancelled", cancellation=given | cancellation)


class TestKindsAndReasons:
    @pytest.mark.parametrize(
        ("cancellation", "kind"),
        [
            ({"cancellation_type": "client"}, CancelKind.BUYER),
            ({"cancellation_type": "customer"}, CancelKind.BUYER),
            ({"cancellation_type": "seller"}, CancelKind.SELLER),
            ({"cancellation_type": "ozon"}, CancelKind.MARKETPLACE),
            ({"cancellation_type": "system"}, CancelKind.MARKETPLACE),
            ({"cancellation_type": "delivery"}, CancelKind.MARKETPLACE),
            ({"cancellation_type": "client", "cancel_reason_id": 665}, CancelKind.NOT_COLLECTED),
            ({"cancellation_initiator": "Продавец"}, CancelKind.SELLER),
            ({"cancellation_initiator": "Служба доставки"}, CancelKind.MARKETPLACE),
            ({}, CancelKind.UNKNOWN),
        ],
    )
    def test_the_cancellation_says_who_cancelled(
        self, cancellation: dict[str, Any], kind: CancelKind
    ) -> None:
        """
        cancellation_type (or, without one, the initiator) and reason 665 give the kind.
        """
        history, _ = read_ozon_postings([cancelled(**cancellation)], as_of=AS_OF)
        assert {order.cancel_kind for order in history.orders} == {kind}

    def test_a_posting_with_no_cancellation_object_is_of_unknown_kind(self) -> None:
        """
        A cancelled posting that says nothing of its cancellation is UNKNOWN, with no reason.
        """
        posting = fbs_posting(status="cancelled")
        del posting["cancellation"]
        history, _ = read_ozon_postings([posting], as_of=AS_OF)
        assert [(o.cancel_kind, o.cancel_reason) for o in history.orders] == [
            (CancelKind.UNKNOWN, None)
        ]

    def test_the_cancel_reason_is_read_through_the_table_and_its_words_kept(self) -> None:
        """
        A known text gets its category; an unknown one is OTHER, kept and counted.
        """
        known = cancelled(
            cancellation_type="seller", cancel_reason="Товар закончился на складе продавца"
        )
        unknown = cancelled(cancellation_type="client", cancel_reason="Слишком  долго")
        unknown["posting_number"] = "P-2"
        history, report = read_ozon_postings([known, unknown], as_of=AS_OF)
        reasons = {o.order_id.split("/")[0]: o.cancel_reason for o in history.orders}
        assert reasons == {
            "P-1": Reason(ReasonCategory.SELLER_FAULT, "Товар закончился на складе продавца"),
            "P-2": Reason(ReasonCategory.OTHER, "Слишком  долго"),
        }
        assert report.unknown_reasons == (("Слишком  долго", 1),)
        history, report = read_ozon_postings(
            [unknown], as_of=AS_OF, reasons={"слишком долго": ReasonCategory.DELIVERY}
        )
        assert history.orders[0].cancel_reason == Reason(ReasonCategory.DELIVERY, "Слишком  долго")
        assert report.unknown_reasons == ()

    def test_a_callers_table_with_an_unknown_category_is_refused(self) -> None:
        """
        A category that is no ReasonCategory value is an InvalidArgumentError naming the word.
        """
        with pytest.raises(InvalidArgumentError, match="'Слишком долго' has the category 'slow'"):
            read_ozon_postings([], as_of=AS_OF, reasons={"Слишком долго": "slow"})

    def test_the_example_refusal_is_a_refusal_at_handover_with_its_reason(self) -> None:
        """
        The returns example (FullReturn of a delivered posting) pinned: its kind and reason.
        """
        item = example(RETURNS)["returns"][0]
        posting = delivered(
            item["posting_number"],
            products=[product(sku=item["product"]["sku"], quantity=1)],
            in_process_at="2024-07-01T10:00:00Z",
            pickup_code_verified_at="2024-07-02T10:00:00Z",
        )
        history, report = read_ozon_postings([posting], returns=RETURNS, as_of=NOW)
        (back,) = history.returns
        assert back.kind is ReturnKind.REFUSED_AT_HANDOVER
        assert back.reason == Reason(
            ReasonCategory.QUALITY_DEFECT,
            "Покупатель отказался при вручении: недоволен качеством товара",
        )
        assert report.unknown_reasons == ()

    @pytest.mark.parametrize(
        ("kind", "expected"),
        [
            ("ClientReturn", ReturnKind.RETURN),
            ("FullReturn", ReturnKind.REFUSED_AT_HANDOVER),
            ("PartialReturn", ReturnKind.REFUSED_AT_HANDOVER),
        ],
    )
    def test_each_return_type_of_a_delivered_posting_has_its_kind(
        self, kind: str, expected: ReturnKind
    ) -> None:
        """
        ClientReturn is a return after purchase; a full or partial refusal, at handover.
        """
        item = a_return(
            "P-1",
            827098843,
            type=kind,
            return_reason_name="Покупатель передумал",
            logistic=returned_on("2026-04-05T10:00:00Z"),
        )
        history, _ = read_ozon_postings([delivered()], returns=[item], as_of=AS_OF)
        assert [(r.kind, r.reason) for r in history.returns] == [
            (expected, Reason(ReasonCategory.CHANGED_MIND, "Покупатель передумал"))
        ]

    def test_a_refusal_keeps_a_kind_the_posting_gives_other_than_the_buyers(self) -> None:
        """
        A cancellation by the seller stays the seller's when a refusal is listed too.
        """
        posting = cancelled(cancellation_type="seller", cancel_reason="Другое (вина продавца)")
        refusal = a_return("P-1", 827098843, type="PartialReturn", return_reason_name="x")
        history, _ = read_ozon_postings([posting], returns=[refusal], as_of=AS_OF)
        assert [(o.cancel_kind, o.cancel_reason) for o in history.orders] == [
            (CancelKind.SELLER, Reason(ReasonCategory.SELLER_FAULT, "Другое (вина продавца)"))
        ]

    def test_only_the_words_of_items_kept_are_counted(self) -> None:
        """
        A posting repeated on a later page, or a bad one, adds nothing to unknown_reasons.
        """
        first = cancelled(cancellation_type="client", cancel_reason="Старое")
        later = cancelled(cancellation_type="client", cancel_reason="Новое")
        bad = cancelled(cancellation_type="client", cancel_reason="Плохое")
        bad["posting_number"], bad["in_process_at"] = "P-2", "not a time"
        _, report = read_ozon_postings([first, later, bad], as_of=AS_OF, errors="collect")
        assert report.unknown_reasons == (("Новое", 1),)
        assert (report.merged, len(report.refused)) == (1, 1)


class TestConflictsNameTheirRows:
    def test_a_price_too_large_names_the_file_and_the_posting(self, tmp_path: Path) -> None:
        """
        A record put aside by a conflict is named by its file and the posting's place in
        it, as the other importers name theirs; in raise mode the same place is raised.
        """
        huge = product(price="99999999999999999999.00", quantity=1)
        path = tmp_path / "postings.json"
        path.write_text(
            json.dumps(fbs_response(fbs_posting("P-1"), fbs_posting("P-2", products=[huge]))),
            encoding="utf-8",
        )
        history, report = read_ozon_postings(path, as_of=AS_OF, errors="collect")
        (conflict,) = report.conflicts
        assert (conflict.source, conflict.row, conflict.rule) == (
            str(path),
            2,
            "price-too-large",
        )
        assert {order.order_id.split("/")[0] for order in history.orders} == {"P-1"}
        with pytest.raises(InvalidPriceError, match=f"{path}.* row 2"):
            read_ozon_postings(path, as_of=AS_OF)


def services(**charges: object) -> dict[str, object]:
    """``item_services`` charging `charges`, every other service 0.

    Each charge is named by what follows ``marketplace_service_item_``.
    """
    names = (
        "fulfillment", "pickup", "dropoff_pvz", "dropoff_sc", "dropoff_ff", "direct_flow_trans",
        "return_flow_trans", "deliv_to_customer", "return_not_deliv_to_customer",
        "return_part_goods_customer", "return_after_deliv_to_customer",
    )  # fmt: skip
    return {f"marketplace_service_item_{name}": charges.get(name, 0) for name in names}


def financial(*products: dict[str, Any]) -> dict[str, Any]:
    """A ``financial_data`` block of `products`."""
    return {"products": list(products), "posting_services": services()}


class TestLogistics:
    def test_the_example_lists_carry_no_logistics_fees(self) -> None:
        """
        Their financial_data has no item_services: no unit has logistics known.
        """
        for path in (FBO, FBS, FBO_V3, FBS_V4):
            history, report = read_ozon_postings(path, as_of=NOW)
            assert (history.logistics, report.logistics) == ({}, 0), path

    def test_item_services_are_divided_across_the_units_of_their_sku_in_turn(self) -> None:
        """
        Charges are negative in Ozon's data: their absolute values, to the buyer (trunk and
        last mile) and back (return trunk, returns after and before delivery); 100.01 over
        two units gives the odd kopeck to the first. Other services are no logistics.
        """
        charges = services(
            direct_flow_trans=-60.01, deliv_to_customer="-40", return_flow_trans=-20,
            return_after_deliv_to_customer=-5.5, return_not_deliv_to_customer=-0.01,
            fulfillment=-31.5, pickup=-7,
        )  # fmt: skip
        posting = delivered(
            products=[product(sku=42, quantity=2)],
            financial_data=financial({"product_id": 42, "item_services": charges}),
        )
        history, report = read_ozon_postings([posting], as_of=AS_OF)
        assert dict(history.logistics) == {
            "P-1/42/1": Logistics(order_id="P-1/42/1", to_buyer="50.01", back="12.76"),
            "P-1/42/2": Logistics(order_id="P-1/42/2", to_buyer="50.00", back="12.75"),
        }
        assert (report.logistics, report.accounted) == (2, True)

    def test_each_product_charges_only_its_own_sku(self) -> None:
        """
        Two SKUs, one charged: the other's units have no logistics known.
        """
        posting = delivered(
            products=[product(sku=1, quantity=1), product(sku=2, quantity=1)],
            financial_data=financial(
                {"product_id": 1, "item_services": services(deliv_to_customer=-30)},
                {"product_id": 2, "item_services": services()},
            ),
        )
        history, _ = read_ozon_postings([posting], as_of=AS_OF)
        assert dict(history.logistics) == {
            "P-1/1/1": Logistics(order_id="P-1/1/1", to_buyer=30, back=0)
        }

    def test_services_charging_nothing_are_no_logistics_known(self) -> None:
        """
        A posting not yet charged says 0: that is not known to be the cost.
        """
        posting = delivered(
            products=[product(sku=42, quantity=1)],
            financial_data=financial({"product_id": 42, "item_services": services()}),
        )
        assert read_ozon_postings([posting], as_of=AS_OF)[0].logistics == {}

    def test_a_charge_for_a_sku_the_posting_lacks_is_a_bad_row(self) -> None:
        """
        Its logistics would have no unit to go on: named, not dropped.
        """
        posting = delivered(
            products=[product(sku=42, quantity=1)],
            financial_data=financial(
                {"product_id": 7, "item_services": services(deliv_to_customer=-30)}
            ),
        )
        with pytest.raises(ReportFormatError, match="product_id 7 is none of the posting's SKUs"):
            read_ozon_postings([posting], as_of=AS_OF)

    def test_a_charge_that_is_no_number_is_a_bad_row_naming_the_service(self) -> None:
        """
        The field names the service.
        """
        posting = delivered(
            products=[product(sku=42, quantity=1)],
            financial_data=financial(
                {"product_id": 42, "item_services": services(deliv_to_customer="много")}
            ),
        )
        field = "financial_data.products.item_services.marketplace_service_item_deliv_to_customer"
        with pytest.raises(ReportFormatError, match=f"field '{field}'"):
            read_ozon_postings([posting], as_of=AS_OF)
