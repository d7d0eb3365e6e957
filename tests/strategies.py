"""Hypothesis strategies for every record, history, period and zone the tests use.

Every new field of a record is added here, so that every property test meets it.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from hypothesis import strategies as st

from redemption import (
    MOSCOW,
    CancelKind,
    History,
    Order,
    Period,
    Reason,
    ReasonCategory,
    Return,
    ReturnKind,
    Sale,
)
from redemption.model import Logistics

ZONES: tuple[tzinfo, ...] = (
    MOSCOW,
    UTC,
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Asia/Kathmandu"),  # +05:45
    ZoneInfo("America/Havana"),  # clocks change at midnight
    ZoneInfo("Asia/Beirut"),  # clocks go back from midnight to 23:00
    ZoneInfo("America/Santiago"),  # likewise, in the southern hemisphere
    ZoneInfo("Pacific/Apia"),  # skipped 30 December 2011 entirely
    ZoneInfo("Pacific/Kiritimati"),  # +14:00
    ZoneInfo("America/Toronto"),  # on 31 March 1919 jumped from 23:30 to 00:30
)
"""Zones with their clock changes at awkward hours, and the Moscow default."""

ANCHORS = (
    date(1919, 2, 1),  # a clock change across midnight in Toronto
    date(2010, 3, 1),  # clock changes at midnight in Havana, Beirut, Santiago
    date(2011, 12, 1),  # Apia's missing day
    date(2024, 1, 15),  # 29 February 2024, and European and American DST
    date(2025, 1, 1),  # the seed's worked examples
)
"""First days of the stretches of calendar that histories are drawn from."""

SPAN_DAYS = 150
"""How many days after its anchor a history's events may fall."""

zones = st.sampled_from(ZONES)


@attrs.frozen
class Records:
    """The records of one history, kept apart so that tests can reorder or cut them."""

    orders: tuple[Order, ...]
    sales: tuple[Sale, ...]
    returns: tuple[Return, ...]
    logistics: tuple[Logistics, ...] = ()

    def history(self) -> History:
        """Build the history of these records."""
        return History(
            orders=self.orders, sales=self.sales, returns=self.returns, logistics=self.logistics
        )


@attrs.frozen
class Scenario:
    """Records, a period, the day of the calculation and its zone."""

    records: Records
    period: Period
    today: date
    tz: tzinfo


@st.composite
def instants(draw: st.DrawFn, anchor: date, tz: tzinfo) -> datetime:
    """Draw an aware instant within the span after `anchor`, often right at a midnight."""
    day = anchor + timedelta(days=draw(st.integers(0, SPAN_DAYS)))
    midnight = datetime.combine(day, time(), tzinfo=tz)
    offset = draw(
        st.one_of(
            st.sampled_from([timedelta(0), timedelta(microseconds=-1), timedelta(hours=-1)]),
            st.integers(0, 86_400 * 10**6 - 1).map(lambda us: timedelta(microseconds=us)),
        )
    )
    # Some instants are given in the zone of the calculation, some in UTC: both must work.
    return (midnight.astimezone(UTC) + offset).astimezone(draw(st.sampled_from([UTC, tz])))


delays = st.one_of(
    st.just(timedelta(0)),
    st.integers(1, 45).map(lambda d: timedelta(days=d)),
    st.integers(1, 45 * 86_400 * 10**6).map(lambda us: timedelta(microseconds=us)),
)
"""How long after one event the next one comes: at once, whole days, or up to 45 days later.

Whole days keep an event that follows one at midnight at a midnight too.
"""

reasons = st.one_of(
    st.none(),
    st.builds(
        Reason,
        st.sampled_from(ReasonCategory),
        st.one_of(st.none(), st.sampled_from(["Цвет", "Покупатель передумал", 'a, "b"\nc'])),
    ),
)
"""No reason, or a reason of any category, with or without words (some awkward in CSV)."""

cancel_kinds = st.one_of(st.none(), st.sampled_from(CancelKind))
"""A cancellation's kind, or none given (then `CancelKind.UNKNOWN`)."""

prices = st.one_of(
    st.integers(0, 250_000),
    st.decimals(min_value=0, max_value=250_000, places=2, allow_nan=False),
)


costs = st.one_of(st.none(), st.tuples(prices, prices))
"""An order's logistics, to the buyer and back, or none known."""


@st.composite
def records(draw: st.DrawFn, anchor: date, tz: tzinfo, max_orders: int = 30) -> Records:
    """Draw consistent orders with their sales, returns and logistics; some orders are left out.

    An order ends sold, cancelled or neither; a sold order may be returned. Events may fall
    after any `today` a test picks, so that orders are in transit or not yet returned.
    Leaving some orders out makes their sales, returns and logistics unmatched.
    """
    n = draw(st.integers(0, max_orders))
    orders: list[Order] = []
    sales: list[Sale] = []
    returns: list[Return] = []
    logistics: list[Logistics] = []
    for i in range(n):
        order_id = f"o{i}"
        ordered_at = draw(instants(anchor, tz))
        # Later events are a delay after in absolute time: arithmetic on a zoned datetime
        # is wall-clock arithmetic, which can step back an hour across a clock change.
        after = ordered_at.astimezone(UTC)
        outcome = draw(st.sampled_from(["sold", "sold", "cancelled", "open"]))
        cancelled_at = after + draw(delays) if outcome == "cancelled" else None
        if outcome == "sold":
            sold_at = after + draw(delays)
            sales.append(Sale(order_id=order_id, sold_at=sold_at))
            if draw(st.booleans()):
                returns.append(
                    Return(
                        order_id=order_id,
                        returned_at=sold_at + draw(delays),
                        kind=draw(st.sampled_from(ReturnKind)),
                        reason=draw(reasons),
                    )
                )
        order = Order(
            order_id=order_id,
            seller_id=draw(st.sampled_from(["s1", "s2"])),
            sku=draw(st.sampled_from(["a", "b", "c", "d"])),
            price=draw(prices),
            ordered_at=ordered_at,
            buyer_id=draw(st.one_of(st.none(), st.sampled_from(["b1", "b2", "b3"]))),
            cancelled_at=cancelled_at,
            cancel_kind=None if cancelled_at is None else draw(cancel_kinds),
            cancel_reason=None if cancelled_at is None else draw(reasons),
        )
        cost = draw(costs)
        if cost is not None:
            logistics.append(Logistics(order_id=order_id, to_buyer=cost[0], back=cost[1]))
        if draw(st.integers(0, 9)) > 0:  # one order in ten is outside the export
            orders.append(order)
    return Records(tuple(orders), tuple(sales), tuple(returns), tuple(logistics))


@st.composite
def periods(draw: st.DrawFn, anchor: date) -> Period:
    """Draw a period within the span after `anchor`, from 1 to 75 days long."""
    start = anchor + timedelta(days=draw(st.integers(-10, SPAN_DAYS)))
    days = draw(st.one_of(st.sampled_from([1, 29, 30, 31]), st.integers(1, 75)))
    return Period(start, start + timedelta(days=days - 1))


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Draw records, a period, a `today` on or after its end, and a zone."""
    anchor = draw(st.sampled_from(ANCHORS))
    tz = draw(zones)
    period = draw(periods(anchor))
    today = period.end + timedelta(days=draw(st.one_of(st.integers(0, 2), st.integers(0, 90))))
    return Scenario(draw(records(anchor, tz)), period, today, tz)


@st.composite
def matched_histories(draw: st.DrawFn) -> History:
    """Histories whose every sale and return has its order: what a table of lines holds."""
    drawn = draw(records(draw(st.sampled_from(ANCHORS)), draw(zones)))
    ids = {order.order_id for order in drawn.orders}
    return History(
        orders=drawn.orders,
        sales=[sale for sale in drawn.sales if sale.order_id in ids],
        returns=[back for back in drawn.returns if back.order_id in ids],
        logistics=[cost for cost in drawn.logistics if cost.order_id in ids],
    )


@st.composite
def matched_scenarios(draw: st.DrawFn) -> Scenario:
    """Scenarios whose records have no sale or return without its order."""
    scenario = draw(scenarios())
    ids = {order.order_id for order in scenario.records.orders}
    records = Records(
        scenario.records.orders,
        tuple(sale for sale in scenario.records.sales if sale.order_id in ids),
        tuple(back for back in scenario.records.returns if back.order_id in ids),
        tuple(cost for cost in scenario.records.logistics if cost.order_id in ids),
    )
    return attrs.evolve(scenario, records=records)


def report_pages(
    draw: st.DrawFn, rows: list[dict[str, Any]], *, cuts: int = 3, overlap: int = 2
) -> list[list[dict[str, Any]]]:
    """Split report rows into pages in order, at up to `cuts` places.

    Each page but the first starts with up to `overlap` rows of the page before it, as the
    API's pages repeat rows; ``overlap=0`` gives pages that share none.
    """
    if not rows:
        return []
    places = sorted(draw(st.sets(st.integers(1, max(1, len(rows) - 1)), max_size=cuts)))
    bounds = [0, *(c for c in places if c < len(rows)), len(rows)]
    pages = []
    for start, end in itertools.pairwise(bounds):
        again = draw(st.integers(0, overlap)) if start and overlap else 0
        pages.append(rows[max(0, start - again) : end])
    return pages
