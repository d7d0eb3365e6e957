from __future__ import annotations

from collections.abc import Hashable
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redemption import (
    CancelKind,
    History,
    InvalidArgumentError,
    InvalidPeriodError,
    Order,
    Period,
    Reason,
    ReasonCategory,
    Return,
    ReturnKind,
    Sale,
    redemption_rate,
    redemption_rates,
)
from redemption.calculators import Outcome, OutcomeCounts, OutcomeKey, outcome_counts
from tests.builders import msk
from tests.oracle import oracle_outcomes
from tests.strategies import Scenario, scenarios

APRIL = Period(date(2025, 4, 1), date(2025, 4, 30))
LATE_TODAY = date(2025, 6, 30)  # the sales window is 1 April - 30 May, and complete


def ending(
    order_id: str,
    ordered: str,
    *,
    sku: str = "a",
    buyer_id: str | None = None,
    cancelled: str | None = None,
    cancel_kind: CancelKind | None = None,
    cancel_reason: Reason | None = None,
) -> Order:
    """An order of seller "s" placed at `ordered` (Moscow), cancelled if told when."""
    return Order(
        order_id=order_id,
        seller_id="s",
        sku=sku,
        price=100,
        ordered_at=msk(ordered),
        buyer_id=buyer_id,
        cancelled_at=None if cancelled is None else msk(cancelled),
        cancel_kind=cancel_kind,
        cancel_reason=cancel_reason,
    )


def sold(order_id: str, when: str) -> Sale:
    """A sale at `when` (Moscow)."""
    return Sale(order_id=order_id, sold_at=msk(when))


def back(
    order_id: str, when: str, kind: ReturnKind = ReturnKind.UNKNOWN, reason: Reason | None = None
) -> Return:
    """A return at `when` (Moscow), of the kind and for the reason given."""
    return Return(order_id=order_id, returned_at=msk(when), kind=kind, reason=reason)


def every_ending_history() -> History:
    """Orders of April 2025 that end in every way, worked out by hand for today 30 June.

    SKU "a" (buyer "b1" for orders 1-6, no buyer after): 12 counted orders, 2 in transit.
    Kept: 1 and 6 (its return comes after the sales window). Returned: 2 (RETURN, size),
    3 (REFUSED_AT_HANDOVER, defect), 4 (kind and reason not given). Sold late: 5. Cancelled:
    one of each kind (7-12), refused 10 with no reason. In transit: 13, and 14 (cancelled
    after today). Order 15 is placed before the window. SKU "b": one refusal for its size.
    An unmatched sale falls in the sales window.
    """
    orders = [
        ending("1", "2025-04-02 10:00", buyer_id="b1"),
        ending("2", "2025-04-02 11:00", buyer_id="b1"),
        ending("3", "2025-04-03 10:00", buyer_id="b1"),
        ending("4", "2025-04-03 11:00", buyer_id="b1"),
        ending("5", "2025-04-20 10:00", buyer_id="b1"),
        ending("6", "2025-04-25 10:00", buyer_id="b1"),
        ending(
            "7",
            "2025-04-05 10:00",
            cancelled="2025-04-05 11:00",
            cancel_kind=CancelKind.BUYER,
            cancel_reason=Reason(ReasonCategory.CHANGED_MIND, "Передумал"),
        ),
        ending(
            "8",
            "2025-04-05 10:00",
            cancelled="2025-04-06 10:00",
            cancel_kind=CancelKind.SELLER,
            cancel_reason=Reason(ReasonCategory.SELLER_FAULT),
        ),
        ending(
            "9",
            "2025-04-06 10:00",
            cancelled="2025-04-09 10:00",
            cancel_kind=CancelKind.MARKETPLACE,
            cancel_reason=Reason(ReasonCategory.DELIVERY),
        ),
        ending(
            "10", "2025-04-07 10:00", cancelled="2025-04-12 10:00", cancel_kind=CancelKind.REFUSED
        ),
        ending(
            "11",
            "2025-04-08 10:00",
            cancelled="2025-04-20 10:00",
            cancel_kind=CancelKind.NOT_COLLECTED,
            cancel_reason=Reason(ReasonCategory.NOT_COLLECTED),
        ),
        ending(
            "12",
            "2025-04-09 10:00",
            cancelled="2025-04-10 10:00",
            cancel_reason=Reason(ReasonCategory.OTHER, "что-то ещё"),
        ),  # no kind given: UNKNOWN
        ending("13", "2025-04-28 10:00"),
        ending(
            "14", "2025-04-29 10:00", cancelled="2025-07-02 10:00", cancel_kind=CancelKind.REFUSED
        ),
        ending("15", "2025-03-31 23:59:59"),
        ending(
            "16",
            "2025-04-15 10:00",
            sku="b",
            cancelled="2025-04-20 10:00",
            cancel_kind=CancelKind.REFUSED,
            cancel_reason=Reason(ReasonCategory.SIZE_FIT),
        ),
    ]
    sales = [
        sold("1", "2025-04-05 10:00"),
        sold("2", "2025-04-05 10:00"),
        sold("3", "2025-04-06 10:00"),
        sold("4", "2025-04-07 10:00"),
        sold("5", "2025-05-31 00:00"),  # the day after the sales window closed
        sold("6", "2025-05-20 10:00"),
        sold("15", "2025-04-02 10:00"),
        sold("x", "2025-04-15 10:00"),  # unmatched
    ]
    returns = [
        back("2", "2025-04-10 10:00", ReturnKind.RETURN, Reason(ReasonCategory.SIZE_FIT)),
        back(
            "3",
            "2025-04-06 10:00",
            ReturnKind.REFUSED_AT_HANDOVER,
            Reason(ReasonCategory.QUALITY_DEFECT),
        ),
        back("4", "2025-04-12 10:00"),
        back("6", "2025-06-05 10:00", ReturnKind.RETURN, Reason(ReasonCategory.APPEARANCE)),
    ]
    return History(orders=orders, sales=sales, returns=returns)


def nonzero(counts: OutcomeCounts) -> tuple[dict[OutcomeKey, int], dict[ReasonCategory, int]]:
    """The outcomes and reasons that some order has."""
    return (
        {key: n for key, n in counts.by_outcome.items() if n},
        {key: n for key, n in counts.by_reason.items() if n},
    )


class TestWorkedExamples:
    def test_every_ending_is_counted_under_its_outcome_kind_and_reason(self) -> None:
        """
        Each order of SKU "a" is sorted as worked out by hand; kinds and reasons the
        counted orders do not have are there with 0.
        """
        counts = outcome_counts(every_ending_history(), APRIL, today=LATE_TODAY, by="sku")
        a = counts["a"]
        outcomes, reasons = nonzero(a)
        assert outcomes == {
            (Outcome.KEPT, None): 2,
            (Outcome.RETURNED, ReturnKind.RETURN): 1,
            (Outcome.RETURNED, ReturnKind.REFUSED_AT_HANDOVER): 1,
            (Outcome.RETURNED, ReturnKind.UNKNOWN): 1,
            (Outcome.SOLD_LATE, None): 1,
            (Outcome.CANCELLED, CancelKind.BUYER): 1,
            (Outcome.CANCELLED, CancelKind.SELLER): 1,
            (Outcome.CANCELLED, CancelKind.MARKETPLACE): 1,
            (Outcome.CANCELLED, CancelKind.REFUSED): 1,
            (Outcome.CANCELLED, CancelKind.NOT_COLLECTED): 1,
            (Outcome.CANCELLED, CancelKind.UNKNOWN): 1,
        }
        assert reasons == {
            ReasonCategory.SIZE_FIT: 1,
            ReasonCategory.QUALITY_DEFECT: 1,
            ReasonCategory.UNKNOWN: 2,  # the return and the refusal with no reason
            ReasonCategory.CHANGED_MIND: 1,
            ReasonCategory.SELLER_FAULT: 1,
            ReasonCategory.DELIVERY: 1,
            ReasonCategory.NOT_COLLECTED: 1,
            ReasonCategory.OTHER: 1,
        }
        assert a.by_reason[ReasonCategory.APPEARANCE] == 0  # order 6's return is too late
        assert len(a.by_outcome) == 2 + len(ReturnKind) + len(CancelKind)
        assert set(a.by_reason) == set(ReasonCategory)
        assert (a.orders, a.sales, a.report.returns, a.in_transit) == (12, 5, 3, 2)
        assert (a.kept, a.returned, a.sold_late, a.cancelled, a.not_kept) == (2, 3, 1, 6, 9)
        b = counts["b"]
        assert nonzero(b) == (
            {(Outcome.CANCELLED, CancelKind.REFUSED): 1},
            {ReasonCategory.SIZE_FIT: 1},
        )

    def test_the_reports_are_those_of_the_redemption_rate(self) -> None:
        """
        Each group's report is `redemption_rates`'s; the one group of ``by=None`` is
        `redemption_rate`'s, its unmatched sale included.
        """
        history = every_ending_history()
        by_sku = outcome_counts(history, APRIL, today=LATE_TODAY, by="sku")
        assert {k: c.report for k, c in by_sku.items()} == redemption_rates(
            history, APRIL, today=LATE_TODAY
        )
        overall = outcome_counts(history, APRIL, today=LATE_TODAY)
        assert list(overall) == [None]
        assert overall[None].report == redemption_rate(history, APRIL, today=LATE_TODAY)
        assert overall[None].report.unmatched == 1
        assert overall[None].by_reason[ReasonCategory.SIZE_FIT] == 2

    def test_by_seller_and_by_a_function(self) -> None:
        """
        By seller, and by a function of the order (its buyer).
        """
        history = every_ending_history()
        by_seller = outcome_counts(history, APRIL, today=LATE_TODAY, by="seller")
        assert list(by_seller) == ["s"]
        assert by_seller["s"].orders == 13
        by_buyer = outcome_counts(history, APRIL, today=LATE_TODAY, by=lambda o: o.buyer_id)
        assert nonzero(by_buyer["b1"])[0] == {
            (Outcome.KEPT, None): 2,
            (Outcome.RETURNED, ReturnKind.RETURN): 1,
            (Outcome.RETURNED, ReturnKind.REFUSED_AT_HANDOVER): 1,
            (Outcome.RETURNED, ReturnKind.UNKNOWN): 1,
            (Outcome.SOLD_LATE, None): 1,
        }
        assert by_buyer[None].cancelled == 7

    def test_an_early_today_sees_neither_later_sales_nor_later_cancellations(self) -> None:
        """
        As of 8 April, for 1-8 April (orders window 10 March - 8 April): orders 2 and 4 are
        kept, their returns not yet made; the cancellations from the 9th on are not known,
        so those orders are in transit; order 15 of 31 March is counted, and kept.
        """
        history = every_ending_history()
        early = Period(date(2025, 4, 1), date(2025, 4, 8))
        [counts] = outcome_counts(history, early, today=date(2025, 4, 8)).values()
        outcomes, reasons = nonzero(counts)
        assert outcomes == {
            (Outcome.KEPT, None): 4,  # 1, 2, 4 and 15
            (Outcome.RETURNED, ReturnKind.REFUSED_AT_HANDOVER): 1,  # 3
            (Outcome.CANCELLED, CancelKind.BUYER): 1,
            (Outcome.CANCELLED, CancelKind.SELLER): 1,
        }
        assert reasons == {
            ReasonCategory.QUALITY_DEFECT: 1,
            ReasonCategory.CHANGED_MIND: 1,
            ReasonCategory.SELLER_FAULT: 1,
        }
        assert (counts.orders, counts.in_transit) == (7, 3)  # 9-11; 12 is placed on the 9th

    def test_no_order_gives_one_empty_group_or_none(self) -> None:
        """
        No order: one empty group with no grouping; no group with one.
        """
        history = History(sales=[sold("x", "2025-04-15 10:00")])
        [(group, counts)] = outcome_counts(history, APRIL, today=LATE_TODAY).items()
        assert group is None
        assert (counts.orders, counts.report.unmatched, counts.report.rate) == (0, 1, None)
        assert not any(counts.by_outcome.values())
        assert outcome_counts(history, APRIL, today=LATE_TODAY, by="sku") == {}

    def test_a_bad_grouping_or_period_is_refused(self) -> None:
        """
        An unknown grouping, or a period ending after today, is refused.
        """
        history = every_ending_history()
        with pytest.raises(InvalidArgumentError, match="buyer"):
            outcome_counts(history, APRIL, today=LATE_TODAY, by="buyer")  # type: ignore[call-overload]
        with pytest.raises(InvalidPeriodError):
            outcome_counts(history, APRIL, today=date(2025, 4, 29))

    def test_the_repr_lists_what_some_order_has(self) -> None:
        """
        The repr lists the outcomes and reasons some order has, and no other.
        """
        [counts] = outcome_counts(every_ending_history(), APRIL, today=LATE_TODAY).values()
        shown = repr(counts)
        assert shown.startswith("OutcomeCounts(rate=")
        assert f"rate={counts.sales / counts.orders:.4f} ({counts.sales}/13), " in shown
        assert "orders=13, in_transit=2, outcomes=(kept=2, " in shown
        assert "cancelled/refused=2" in shown
        assert "appearance" not in shown


def _key(by: str) -> tuple[object, object]:
    """The library's grouping argument for `by`, and the oracle's key."""
    if by == "buyer":
        return (lambda o: o.buyer_id), (lambda o: o.buyer_id)
    field = "sku" if by == "sku" else "seller_id"
    return by, (lambda o: getattr(o, field))


class TestProperties:
    @given(scenario=scenarios(), by=st.sampled_from(["sku", "seller", "buyer"]))
    def test_the_counts_agree_with_an_oracle_and_the_reports_with_the_rate(
        self, scenario: Scenario, by: str
    ) -> None:
        """
        The counts agree with an oracle, and the reports with the redemption rate.

        Every group's outcomes and reasons equal a brute-force day-by-day sort; each report
        equals `redemption_rates`'s for the group (`redemption_rate`'s with no grouping);
        every counted order has exactly one outcome: orders = kept + returned + sold late
        + cancelled, sales = kept + returned, and the reasons count the orders cancelled
        and returned. (One test, as drawing the scenarios is most of its time.)
        """
        rec, period, today, tz = scenario.records, scenario.period, scenario.today, scenario.tz
        history = rec.history()
        argument, key = _key(by)
        found = outcome_counts(history, period, today=today, tz=tz, by=argument)  # type: ignore[call-overload]
        expected = oracle_outcomes(rec.orders, rec.sales, rec.returns, period, today, tz, key)  # type: ignore[arg-type]
        assert set(found) == set(expected)
        rates: dict[Hashable, object] = redemption_rates(
            history,
            period,
            today=today,
            tz=tz,
            by=argument,  # type: ignore[call-overload]
        )
        assert {group: counts.report for group, counts in found.items()} == rates
        for group, counts in found.items():
            by_outcome, by_reason = nonzero(counts)
            oracle_outcome, oracle_reason = expected[group]
            assert {
                (o.value, None if k is None else k.value): n for (o, k), n in by_outcome.items()
            } == oracle_outcome
            assert {c.value: n for c, n in by_reason.items()} == oracle_reason
            assert sum(counts.by_outcome.values()) == counts.orders
            assert counts.orders == sum(
                (counts.kept, counts.returned, counts.sold_late, counts.cancelled)
            )
            assert counts.sales == counts.kept + counts.returned
            assert counts.report.returns == counts.returned
            assert sum(counts.by_reason.values()) == counts.not_kept
            assert all(n >= 0 for n in counts.by_outcome.values())
        overall = outcome_counts(history, period, today=today, tz=tz)
        assert overall[None].report == redemption_rate(history, period, today=today, tz=tz)
        assert sum(c.not_kept for c in found.values()) == overall[None].not_kept


def test_a_cancelled_order_with_no_reason_counts_as_unknown_whatever_its_kind() -> None:
    """
    A cancellation of any kind with no reason counts as UNKNOWN.
    """
    at = datetime(2025, 4, 2, 12, tzinfo=msk("2025-04-02").tzinfo)
    history = History(
        orders=[
            Order(
                order_id=str(i),
                seller_id="s",
                sku="k",
                price=1,
                ordered_at=at,
                cancelled_at=at,
                cancel_kind=kind,
            )
            for i, kind in enumerate(CancelKind)
        ]
    )
    [counts] = outcome_counts(history, APRIL, today=LATE_TODAY).values()
    assert nonzero(counts)[1] == {ReasonCategory.UNKNOWN: len(CancelKind)}
