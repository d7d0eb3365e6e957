from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from redemption import (
    MOSCOW,
    Buyer,
    EventOrderError,
    InvalidPriceError,
    NaiveTimestampError,
    Order,
    RecordTypeError,
    Return,
    Sale,
    Seller,
)
from tests.strategies import ANCHORS, records, zones

AT = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)


def order(**changes: Any) -> Order:
    """An order, with some fields changed."""
    fields: dict[str, Any] = {
        "order_id": "srid-1",
        "seller_id": "shop",
        "sku": "nm-1",
        "price": "100",
        "ordered_at": AT,
    }
    return Order(**(fields | changes))


class TestOrder:
    def test_fields_are_kept_as_given_with_price_in_kopecks_and_instants_in_utc(self) -> None:
        """
        Prices become two-place Decimals; timestamps the same instant in UTC.
        """
        o = order(price=1520, buyer_id="b", cancelled_at=AT + timedelta(hours=1))
        assert o.price == Decimal("1520.00")
        assert o.ordered_at == AT
        assert o.ordered_at.tzinfo is UTC
        assert o.cancelled
        assert o.buyer_id == "b"
        assert not order().cancelled

    def test_records_are_frozen(self) -> None:
        """
        A record cannot be changed in place; evolve makes a validated copy.
        """
        o = order()
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            o.price = Decimal(1)  # type: ignore[misc]
        assert attrs.evolve(o, price="5").price == Decimal("5.00")
        with pytest.raises(InvalidPriceError):
            attrs.evolve(o, price="-5")

    def test_a_float_price_is_a_type_error(self) -> None:
        """
        Floats cannot hold kopecks exactly: refused, naming the order.
        """
        with pytest.raises(TypeError, match="order srid-1: price must be Decimal"):
            order(price=19.99)

    def test_a_negative_price_is_a_data_error(self) -> None:
        """
        A negative price is invalid data, naming the order.
        """
        with pytest.raises(InvalidPriceError, match="order srid-1"):
            order(price=Decimal("-0.01"))

    @pytest.mark.parametrize("field", ["ordered_at", "cancelled_at"])
    def test_a_naive_timestamp_is_a_data_error(self, field: str) -> None:
        """
        Every timestamp must carry a zone.
        """
        with pytest.raises(NaiveTimestampError, match=f"order srid-1: {field}"):
            order(**{field: datetime(2025, 4, 2, 12)})

    def test_a_cancellation_before_the_order_is_a_data_error(self) -> None:
        """
        An order cannot be cancelled before it is placed.
        """
        with pytest.raises(EventOrderError, match="order srid-1: cancelled"):
            order(cancelled_at=AT - timedelta(microseconds=1))

    @pytest.mark.parametrize(
        ("field", "bad"),
        [("order_id", ""), ("order_id", 17), ("seller_id", None), ("sku", 123), ("buyer_id", 5)],
    )
    def test_ids_must_be_non_empty_strings(self, field: str, bad: object) -> None:
        """
        An id of another type, or an empty one, is a type error naming the field.
        """
        with pytest.raises(RecordTypeError, match=field):
            order(**{field: bad})

    @given(rec=st.sampled_from(ANCHORS).flatmap(lambda a: zones.flatmap(lambda z: records(a, z))))
    def test_a_record_rebuilt_from_its_fields_is_equal(self, rec: Any) -> None:
        """
        Round trip: cls(**asdict(record)) == record, for every kind of record.
        """
        for record in (*rec.orders, *rec.sales, *rec.returns):
            assert type(record)(**attrs.asdict(record, recurse=False)) == record


class TestEvents:
    def test_sales_and_returns_keep_their_order_and_instant(self) -> None:
        """
        A sale and a return are an order id and an aware instant.
        """
        sale = Sale(order_id="1", sold_at=AT)
        ret = Return(order_id="1", returned_at=AT + timedelta(days=1))
        assert (sale.order_id, sale.sold_at) == ("1", AT)
        assert ret.returned_at - sale.sold_at == timedelta(days=1)

    def test_naive_event_timestamps_are_refused(self) -> None:
        """
        Sales and returns need aware timestamps too.
        """
        with pytest.raises(NaiveTimestampError, match="order 1: sold_at"):
            Sale(order_id="1", sold_at=datetime(2025, 4, 1))
        with pytest.raises(NaiveTimestampError, match="order 1: returned_at"):
            Return(order_id="1", returned_at=datetime(2025, 4, 1))

    def test_buyers_and_sellers_are_known_by_id(self) -> None:
        """
        Buyer and Seller build from the id alone and refuse an empty one.
        """
        assert Buyer(buyer_id="b").buyer_id == "b"
        assert Seller(seller_id="s") == Seller(seller_id="s")
        with pytest.raises(RecordTypeError):
            Buyer(buyer_id="")
        with pytest.raises(RecordTypeError):
            Seller(seller_id=3)  # type: ignore[arg-type]


sellers = st.builds(
    Seller,
    seller_id=st.text(min_size=1, max_size=5),
    registered_on=st.none() | st.dates(),
    contract_e_signed=st.none() | st.booleans(),
    ozon_bank_payouts=st.none() | st.booleans(),
)


class TestSeller:
    def test_what_is_known_of_a_seller_is_kept_and_unknown_by_default(self) -> None:
        """
        The registration day and the two flags are kept; left out, each is None (unknown).
        """
        seller = Seller(
            seller_id="shop",
            registered_on=date(2025, 1, 10),
            contract_e_signed=False,
            ozon_bank_payouts=True,
        )
        assert seller.registered_on == date(2025, 1, 10)
        assert seller.contract_e_signed is False
        assert seller.ozon_bank_payouts is True
        bare = Seller(seller_id="shop")
        assert (bare.registered_on, bare.contract_e_signed, bare.ozon_bank_payouts) == (
            None,
            None,
            None,
        )

    def test_a_seller_is_frozen_and_hashable(self) -> None:
        """
        Equal sellers hash alike; a field cannot be changed in place.
        """
        one = Seller(seller_id="s", registered_on=date(2025, 1, 1), ozon_bank_payouts=True)
        same = Seller(seller_id="s", registered_on=date(2025, 1, 1), ozon_bank_payouts=True)
        assert len({one, same, Seller(seller_id="s")}) == 2
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            one.ozon_bank_payouts = False  # type: ignore[misc]

    @pytest.mark.parametrize(
        ("field", "bad"),
        [
            ("registered_on", datetime(2025, 1, 1, tzinfo=UTC)),
            ("registered_on", "2025-01-01"),
            ("contract_e_signed", 1),
            ("contract_e_signed", "yes"),
            ("ozon_bank_payouts", 0),
        ],
    )
    def test_a_field_of_the_wrong_type_is_refused_naming_the_seller(
        self, field: str, bad: object
    ) -> None:
        """
        A datetime or text for the day, a number or text for a flag: a RecordTypeError.
        """
        fields: dict[str, Any] = {field: bad}
        with pytest.raises(RecordTypeError, match=f"seller shop: {field} must be"):
            Seller(seller_id="shop", **fields)

    def test_fields_are_keyword_only(self) -> None:
        """
        A seller is built by naming its fields.
        """
        with pytest.raises(TypeError):
            Seller("shop")  # type: ignore[call-arg]

    @given(seller=sellers)
    def test_a_seller_rebuilt_from_its_fields_is_equal(self, seller: Seller) -> None:
        """
        Round trip: Seller(**asdict(seller)) == seller, with an equal hash.
        """
        again = Seller(**attrs.asdict(seller, recurse=False))
        assert again == seller
        assert hash(again) == hash(seller)
