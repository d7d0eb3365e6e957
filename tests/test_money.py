from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redemption import DataError, InvalidPriceError, RecordTypeError
from redemption.money import CENT, to_money


class TestToMoney:
    @pytest.mark.parametrize(
        ("given_value", "expected"),
        [
            (Decimal("1520.5"), Decimal("1520.50")),
            (7, Decimal("7.00")),
            ("  99.99 ", Decimal("99.99")),
            ("0.125", Decimal("0.12")),  # half-even: to the even kopeck
            ("0.135", Decimal("0.14")),
            (0, Decimal("0.00")),
        ],
    )
    def test_amounts_become_roubles_with_two_places(
        self, given_value: Decimal | int | str, expected: Decimal
    ) -> None:
        """
        Decimals, ints and decimal strings become Decimal roubles, rounded half-even.
        """
        money = to_money(given_value)
        assert money == expected
        assert money.as_tuple().exponent == -2

    @pytest.mark.parametrize("bad", [1.5, True, None, [1]])
    def test_floats_and_other_types_are_refused_with_a_type_error(self, bad: object) -> None:
        """
        A float cannot hold kopecks exactly; a bool or anything else is not money.
        """
        with pytest.raises(RecordTypeError) as caught:
            to_money(bad, order_id="srid-9")  # type: ignore[arg-type]
        assert isinstance(caught.value, TypeError)
        assert "order srid-9" in str(caught.value)
        assert caught.value.order_id == "srid-9"

    @pytest.mark.parametrize(
        "bad", ["-0.01", Decimal(-5), -1, "NaN", "Infinity", "12,50", "", "1e30", 10**40]
    )
    def test_negative_or_non_numbers_are_a_data_error(self, bad: Decimal | int | str) -> None:
        """
        A negative price, NaN, infinity or text that is no number is invalid data.
        """
        with pytest.raises(InvalidPriceError) as caught:
            to_money(bad, order_id="srid-9")
        assert isinstance(caught.value, DataError)
        assert isinstance(caught.value, ValueError)
        assert "order srid-9" in str(caught.value)

    @given(kopecks=st.integers(0, 10**12))
    def test_whole_kopecks_pass_through_unchanged(self, kopecks: int) -> None:
        """
        An amount already in kopecks is kept exactly, whatever its size.
        """
        amount = Decimal(kopecks) * CENT
        assert to_money(amount) == amount
        assert to_money(str(amount)) == amount

    def test_a_price_that_already_has_two_places_is_kept_as_it_is(self) -> None:
        """
        No second Decimal for a price already in kopecks; a negative zero becomes 0.00.
        """
        price = Decimal("1520.50")
        assert to_money(price) is price
        assert to_money(Decimal("1520.5")) is not price
        assert str(to_money(Decimal("-0.000"))) == "0.00"

    @given(
        value=st.decimals(allow_nan=True, allow_infinity=True)
        | st.decimals(places=2, allow_nan=False)
        | st.builds(
            Decimal,
            st.sampled_from(
                ["-0.00", "0.00", "sNaN", "-NaN", "9" * 26 + ".99", "9" * 27 + ".99", "1E+3"]
            ),
        )
        | st.integers(-(10**28), 10**28).map(lambda k: Decimal(k).scaleb(-2))
    )
    def test_every_decimal_is_read_as_a_plain_rounding_reads_it(self, value: Decimal) -> None:
        """
        A Decimal of two places kept as it is takes the quick way: for every Decimal, the
        amount (or the refusal) is that of rounding half-even to the kopeck under a
        28-digit context, a negative zero 0.00.
        """
        from decimal import ROUND_HALF_EVEN, Context, InvalidOperation  # noqa: PLC0415

        context = Context(prec=28, traps=[InvalidOperation])
        try:
            if not value.is_finite() or value < 0:
                raise InvalidOperation  # noqa: TRY301 - the oracle's one refusal
            expected = value.quantize(CENT, rounding=ROUND_HALF_EVEN, context=context)
        except InvalidOperation:
            with pytest.raises(InvalidPriceError):
                to_money(value)
            return
        money = to_money(value)
        assert money == expected
        assert str(money) == str(expected.copy_abs())


class TestToKopecks:
    @given(kopecks=st.lists(st.integers(0, 10**28 - 1), max_size=5), prec=st.integers(1, 28))
    def test_kopecks_are_exact_whatever_the_callers_precision(
        self, kopecks: list[int], prec: int
    ) -> None:
        """
        Roubles with two places become their whole kopecks exactly, one by one or a column
        at once, even under a caller's context too narrow to hold them.
        """
        from decimal import localcontext  # noqa: PLC0415

        from redemption.money import kopecks_of, to_kopecks  # noqa: PLC0415

        amounts = [Decimal(k).scaleb(-2) for k in kopecks]
        with localcontext() as context:
            context.prec = prec
            assert [to_kopecks(a) for a in amounts] == kopecks
            assert list(kopecks_of(amounts)) == kopecks
