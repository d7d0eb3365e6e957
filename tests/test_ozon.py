from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from redemption import (
    MOSCOW,
    ArgumentTypeError,
    BeyondHorizonWarning,
    History,
    InvalidArgumentError,
    NaiveTimestampError,
    Return,
    Sale,
    Seller,
)
from redemption.ozon import (
    ChatAction,
    ChatPermission,
    ChatRules,
    Eligibility,
    PostingStatus,
    Scheme,
    Subscription,
    TrustRoute,
    chat_permission,
    trusted_seller,
)
from tests.builders import an_order, msk

REGISTERED = date(2025, 1, 1)
DAY_60 = date(2025, 3, 1)  # 1 January is day 1: 31 + 28 + 1
DAY_61 = date(2025, 3, 2)
SOLD = msk("2025-02-01T12:00")
NO_OTHER_WAY: dict[str, Any] = {"contract_e_signed": False, "ozon_bank_payouts": False}


def shop(**fields: Any) -> Seller:
    """Seller "s", registered on 1 January 2025, with no other way to trust unless told."""
    given: dict[str, Any] = {"seller_id": "s", "registered_on": REGISTERED} | NO_OTHER_WAY
    return Seller(**(given | fields))


def sales_to(
    buyers: Sequence[str | None],
    *,
    seller_id: str = "s",
    sold_at: datetime = SOLD,
    returned: Sequence[int] = (),
    returned_at: datetime = SOLD,
) -> History:
    """One order per buyer listed (None: an order naming no buyer), each sold at `sold_at`."""
    orders = [
        an_order(f"{seller_id}-{i}", sold_at, seller_id=seller_id, buyer_id=buyer)
        for i, buyer in enumerate(buyers)
    ]
    return History(
        orders=orders,
        sales=[Sale(order_id=o.order_id, sold_at=sold_at) for o in orders],
        returns=[Return(order_id=orders[i].order_id, returned_at=returned_at) for i in returned],
    )


def buyers(n: int) -> list[str | None]:
    """Buyers b0, b1, ... of `n` orders."""
    return [f"b{i}" for i in range(n)]


TEN = sales_to(buyers(10))


class TestTrustedSellerTenure:
    def test_the_sixtieth_day_is_not_more_than_60_days_and_the_61st_is(self) -> None:
        """
        Registered 1 January: 1 March is day 60 (one day left), 2 March day 61 (trusted).
        """
        before = trusted_seller(shop(), history=TEN, today=DAY_60)
        after = trusted_seller(shop(), history=TEN, today=DAY_61)
        assert (before.days_on_platform, before.days_left, before.trusted) == (60, 1, False)
        assert (after.days_on_platform, after.days_left, after.trusted) == (61, 0, True)
        assert before.first_day == after.first_day == DAY_61
        assert before.routes == ()
        assert after.routes == (TrustRoute.TENURE_AND_BUYERS,)
        assert "60 days on the platform, 1 more needed" in before.checks[1].reason

    def test_the_day_of_registration_is_day_one(self) -> None:
        """
        On the day of registration the seller has 1 day on the platform and 60 left.
        """
        result = trusted_seller(shop(), history=History(), today=REGISTERED)
        assert (result.days_on_platform, result.days_left) == (1, 60)

    def test_before_registration_the_seller_has_no_days(self) -> None:
        """
        As of a day before registration: 0 days, and the days left count from today.
        """
        result = trusted_seller(shop(), history=History(), today=date(2024, 12, 31))
        assert (result.days_on_platform, result.days_left) == (0, 61)

    @example(elapsed=59, more=1, n=10, extra=0)
    @example(elapsed=60, more=0, n=9, extra=1)
    @given(
        elapsed=st.integers(-5, 120),
        more=st.integers(0, 30),
        n=st.integers(0, 12),
        extra=st.integers(0, 3),
    )
    def test_trusted_status_is_monotone_in_days_and_buyers(
        self, elapsed: int, more: int, n: int, extra: int
    ) -> None:
        """
        More days or more buyers never take trusted status away; it holds exactly at 61
        days and 10 buyers.
        """
        today = date(2025, 6, 1)  # after every sale
        seller = shop(registered_on=today - timedelta(days=elapsed))
        fewer = trusted_seller(seller, history=sales_to(buyers(n)), today=today)
        larger = trusted_seller(
            seller, history=sales_to(buyers(n + extra)), today=today + timedelta(days=more)
        )
        assert fewer.trusted is (elapsed >= 60 and n >= 10)
        assert larger.trusted is (elapsed + more >= 60 and n + extra >= 10)
        if fewer.trusted:
            assert larger.trusted
        assert fewer.days_left == max(0, 60 - elapsed)
        assert fewer.buyers_needed == max(0, 10 - n)


class TestTrustedSellerBuyers:
    def test_nine_unique_buyers_are_not_enough_and_ten_are(self) -> None:
        """
        9 unique buyers leave 1 needed; 10 make the way hold.
        """
        nine = trusted_seller(shop(), history=sales_to(buyers(9)), today=DAY_61)
        ten = trusted_seller(shop(), history=sales_to(buyers(10)), today=DAY_61)
        assert (nine.unique_buyers, nine.buyers_needed, nine.trusted) == (9, 1, False)
        assert (ten.unique_buyers, ten.buyers_needed, ten.trusted) == (10, 0, True)
        assert "sales to 9 unique buyers, 1 more needed" in nine.checks[1].reason

    def test_a_buyer_who_bought_many_times_counts_once(self) -> None:
        """
        Twelve sales to nine buyers are nine unique buyers.
        """
        result = trusted_seller(
            shop(), history=sales_to([*buyers(9), "b0", "b1", "b2"]), today=DAY_61
        )
        assert result.unique_buyers == 9

    def test_a_sale_returned_by_today_counts_for_no_buyer(self) -> None:
        """
        A sale returned by today sold nothing; one returned later still counts today.
        """
        returned = sales_to(buyers(10), returned=[0], returned_at=msk("2025-02-10T12:00"))
        before = trusted_seller(shop(), history=returned, today=date(2025, 3, 2))
        assert (before.unique_buyers, before.returned_sales, before.trusted) == (9, 1, False)
        later = sales_to(buyers(10), returned=[0], returned_at=msk("2025-03-03T12:00"))
        now = trusted_seller(shop(), history=later, today=DAY_61)
        assert (now.unique_buyers, now.returned_sales, now.trusted) == (10, 0, True)

    def test_a_sale_after_the_end_of_today_in_the_zone_is_not_seen(self) -> None:
        """
        A tenth sale at 01:00 Moscow on 3 March is 2 March in UTC: counted only in UTC.
        """
        late = msk("2025-03-03T01:00")
        orders = [an_order(f"o{i}", SOLD, buyer_id=f"b{i}") for i in range(10)]
        history = History(
            orders=orders,
            sales=[Sale(order_id=f"o{i}", sold_at=SOLD if i else late) for i in range(10)],
        )
        assert trusted_seller(shop(), history=history, today=DAY_61).unique_buyers == 9
        assert trusted_seller(shop(), history=history, today=DAY_61, tz=UTC).unique_buyers == 10

    def test_other_sellers_cancelled_and_open_orders_are_not_sales(self) -> None:
        """
        Only the seller's own sold orders count: not another shop's, not cancelled or open.
        """
        mine = [an_order(f"m{i}", SOLD, buyer_id=f"b{i}") for i in range(8)]
        theirs = [an_order(f"t{i}", SOLD, seller_id="t", buyer_id=f"x{i}") for i in range(5)]
        cancelled = an_order("c", SOLD, buyer_id="y", cancelled_at=SOLD + timedelta(hours=1))
        still_open = an_order("o", SOLD, buyer_id="z")
        history = History(
            orders=[*mine, *theirs, cancelled, still_open],
            sales=[Sale(order_id=o.order_id, sold_at=SOLD) for o in (*mine, *theirs)],
        )
        assert trusted_seller(shop(), history=history, today=DAY_61).unique_buyers == 8

    def test_sales_naming_no_buyer_are_reported_and_leave_the_way_undecided(self) -> None:
        """
        8 buyers and 3 sales naming none might be 10 buyers: undecided, not guessed; with
        only 1 such sale 10 cannot be reached: the way fails.
        """
        maybe = trusted_seller(
            shop(), history=sales_to([*buyers(8), None, None, None]), today=DAY_61
        )
        assert (maybe.unique_buyers, maybe.unidentified_sales, maybe.buyers_needed) == (8, 3, 2)
        assert maybe.checks[1].holds is None
        assert maybe.trusted is None
        assert "3 sales name no buyer and cannot be counted" in maybe.checks[1].reason
        short = trusted_seller(shop(), history=sales_to([*buyers(8), None]), today=DAY_61)
        assert (short.unidentified_sales, short.trusted) == (1, False)

    def test_a_history_beyond_its_horizon_warns(self) -> None:
        """
        As of a day after the data ends, buyers may be missing: a BeyondHorizonWarning.
        """
        history = History(horizon=msk("2025-02-01T00:00"))
        with pytest.warns(BeyondHorizonWarning):
            trusted_seller(shop(), history=history, today=DAY_61)


class TestTrustedSellerWays:
    @pytest.mark.parametrize(
        ("fields", "history", "route"),
        [
            (
                {"contract_e_signed": True, "registered_on": DAY_61},
                History(),
                TrustRoute.E_SIGNATURE,
            ),
            ({"ozon_bank_payouts": True, "registered_on": DAY_61}, History(), TrustRoute.OZON_BANK),
            ({}, TEN, TrustRoute.TENURE_AND_BUYERS),
        ],
    )
    def test_each_way_alone_makes_a_trusted_seller(
        self, fields: dict[str, Any], history: History, route: TrustRoute
    ) -> None:
        """
        Any one way suffices, the others failing; the result names that way alone.
        """
        result = trusted_seller(shop(**fields), history=history, today=DAY_61)
        assert result.trusted is True
        assert result.routes == (route,)
        assert [c.holds for c in result.checks].count(True) == 1
        assert result.unknown == ()

    def test_every_way_that_holds_is_named(self) -> None:
        """
        With all three, the result names all three, in order.
        """
        seller = shop(contract_e_signed=True, ozon_bank_payouts=True)
        assert trusted_seller(seller, history=TEN, today=DAY_61).routes == tuple(TrustRoute)

    def test_unknown_fields_are_named_and_leave_the_status_undecided(self) -> None:
        """
        A seller known by id alone: each unknown field named; not trusted, not refused.
        """
        result = trusted_seller(Seller(seller_id="s"), history=TEN, today=DAY_61)
        assert result.unknown == ("registered_on", "contract_e_signed", "ozon_bank_payouts")
        assert result.trusted is None
        assert result.days_on_platform is None
        assert result.days_left is None
        assert result.first_day is None
        assert [c.reason for c in result.checks] == [
            "contract_e_signed is unknown",
            "registered_on is unknown; sales to 10 unique buyers (10 needed)",
            "ozon_bank_payouts is unknown",
        ]
        assert "may be a trusted seller (unknown)" in result.describe()

    def test_an_unknown_field_does_not_hide_a_way_that_holds_or_fails(self) -> None:
        """
        Ozon Bank payouts make a trusted seller whatever else is unknown; too few buyers
        fail the tenure way though the registration day is unknown.
        """
        trusted = trusted_seller(
            Seller(seller_id="s", ozon_bank_payouts=True), history=History(), today=DAY_61
        )
        assert (trusted.trusted, trusted.routes) == (True, (TrustRoute.OZON_BANK,))
        assert trusted.unknown == ("registered_on", "contract_e_signed")
        assert trusted.checks[1].holds is False

    def test_the_description_names_what_holds(self) -> None:
        """
        describe() says the verdict and the ways that hold.
        """
        result = trusted_seller(shop(ozon_bank_payouts=True), history=History(), today=DAY_61)
        assert result.describe() == (
            "seller s is a trusted seller as of 2025-03-02: payouts go to an Ozon Bank account"
        )

    @pytest.mark.parametrize("today", [datetime(2025, 3, 2, tzinfo=UTC), "2025-03-02", None])
    def test_today_must_be_a_date(self, today: object) -> None:
        """
        A datetime, a text or nothing where the day goes is an ArgumentTypeError.
        """
        with pytest.raises(ArgumentTypeError, match="today must be a date"):
            trusted_seller(shop(), history=History(), today=today)  # type: ignore[arg-type]


class TestPostingStatus:
    @pytest.mark.parametrize(
        ("word", "status"),
        [
            ("awaiting_payment", PostingStatus.ORDERED),
            ("awaiting_verification", PostingStatus.ORDERED),
            ("awaiting_approve", PostingStatus.ORDERED),
            ("awaiting_registration", PostingStatus.ORDERED),
            ("awaiting_packaging", PostingStatus.PAID),
            ("awaiting_deliver", PostingStatus.PAID),
            ("acceptance_in_progress", PostingStatus.PAID),
            ("not_accepted", PostingStatus.PAID),
            ("sent_by_seller", PostingStatus.DELIVERING),
            ("driver_pickup", PostingStatus.DELIVERING),
            ("delivering", PostingStatus.DELIVERING),
            ("arbitration", PostingStatus.DELIVERING),
            ("client_arbitration", PostingStatus.DELIVERING),
            ("delivered", PostingStatus.DELIVERED),
            ("cancelled", PostingStatus.CANCELLED),
            ("cancelled_from_split_pending", PostingStatus.CANCELLED),
        ],
    )
    def test_ozon_status_words_are_read(self, word: str, status: PostingStatus) -> None:
        """
        Each of Ozon's posting statuses is read as one status of the chat rules (the
        library's reading, pinned here so a change to it is seen).
        """
        assert PostingStatus.from_ozon(word) is status

    @pytest.mark.parametrize("word", ["Delivered", "paid", "", "shipped"])
    def test_an_unknown_ozon_status_is_named(self, word: str) -> None:
        """
        A word Ozon does not use (or in another case) is refused, naming it.
        """
        with pytest.raises(InvalidArgumentError, match=f"unknown Ozon posting status {word!r}"):
            PostingStatus.from_ozon(word)

    def test_a_status_that_is_not_text_is_a_type_error(self) -> None:
        """
        A number where Ozon's word goes is an ArgumentTypeError.
        """
        with pytest.raises(ArgumentTypeError):
            PostingStatus.from_ozon(3)


NOW = msk("2025-04-10T12:00")
HOUR = timedelta(hours=1)
TICK = timedelta(microseconds=1)
ANY_STATUS = list(PostingStatus)
PAID_STATUSES = {PostingStatus.PAID, PostingStatus.DELIVERING, PostingStatus.DELIVERED}


def ask(action: ChatAction, **fields: Any) -> ChatPermission:
    """Ask with seller "s", now, and whatever else the test gives."""
    seller = fields.pop("seller", Seller(seller_id="s"))
    return chat_permission(seller, action=action, now=fields.pop("now", NOW), **fields)


def dated(status: PostingStatus, ago: timedelta = timedelta(hours=1)) -> dict[str, Any]:
    """The moments a posting of that status has: paid and delivered `ago` before now."""
    moments: dict[str, Any] = {"posting_status": status}
    if status in PAID_STATUSES:
        moments["paid_at"] = NOW - ago
    if status is PostingStatus.DELIVERED:
        moments["delivered_at"] = NOW - ago
    return moments


class TestAnnouncementRules:
    @pytest.mark.parametrize("scheme", list(Scheme))
    @pytest.mark.parametrize("status", ANY_STATUS)
    @pytest.mark.parametrize("trusted", [True, False])
    def test_every_seller_may_answer_a_buyer_who_wrote_after_ordering(
        self, scheme: Scheme, status: PostingStatus, *, trusted: bool
    ) -> None:
        """
        The buyer wrote: replies are open to all, on any scheme and status, with no window,
        however long ago the buyer wrote.
        """
        for wrote in (NOW - HOUR, NOW - 365 * 24 * HOUR):
            result = ask(
                ChatAction.REPLY,
                scheme=scheme,
                trusted=trusted,
                buyer_last_message_at=wrote,
                **dated(status),
            )
            assert (result.allowed, result.until, result.missing) == (True, None, ())
            assert result.rules is ChatRules.ANNOUNCEMENT
            assert "every seller, on any scheme, may answer" in result.reason
            assert f"the buyer last wrote {wrote.isoformat()}" in result.reason

    @pytest.mark.parametrize("scheme", [*Scheme, None])
    @pytest.mark.parametrize("status", [*ANY_STATUS, None])
    @pytest.mark.parametrize("trusted", [True, False, None])
    def test_with_no_buyers_message_a_reply_is_undecided(
        self, scheme: Scheme | None, status: PostingStatus | None, *, trusted: bool | None
    ) -> None:
        """
        No buyer's message given: a "reply" might be writing first (say, an untrusted
        seller's on an FBO order not paid or cancelled), so for every seller, scheme and
        status it is undecided, naming buyer_last_message_at.
        """
        fields: dict[str, Any] = {} if status is None else dated(status)
        result = ask(ChatAction.REPLY, scheme=scheme, trusted=trusted, **fields)
        assert (result.allowed, result.missing) == (None, ("buyer_last_message_at",))
        assert result.until is None
        assert "buyer_last_message_at is not given" in result.reason

    @pytest.mark.parametrize("scheme", list(Scheme))
    @pytest.mark.parametrize("status", ANY_STATUS)
    def test_a_trusted_seller_writes_first_after_delivery_on_fbo_and_payment_otherwise(
        self, scheme: Scheme, status: PostingStatus
    ) -> None:
        """
        FBO: delivered only. FBS and realFBS: paid, on its way, or delivered. Never cancelled.
        """
        expected = (
            status is PostingStatus.DELIVERED if scheme is Scheme.FBO else status in PAID_STATUSES
        )
        result = ask(ChatAction.WRITE_FIRST, scheme=scheme, posting_status=status, trusted=True)
        assert result.allowed is expected
        assert result.rules is ChatRules.ANNOUNCEMENT
        assert result.until is None
        once = "delivered" if scheme is Scheme.FBO else "paid"
        assert f"on {scheme.label} a trusted seller may write first once the order is {once}" in (
            result.reason
        )

    @pytest.mark.parametrize("scheme", list(Scheme))
    @pytest.mark.parametrize("status", ANY_STATUS)
    def test_a_seller_who_is_not_trusted_never_writes_first(
        self, scheme: Scheme, status: PostingStatus
    ) -> None:
        """
        Without trust, no status lets the seller write first; the reason is trust.
        """
        result = ask(ChatAction.WRITE_FIRST, scheme=scheme, posting_status=status, trusted=False)
        assert result.allowed is False
        assert result.reason.startswith("only a trusted seller may write to a buyer first")

    @pytest.mark.parametrize(("trusted", "allowed"), [(True, True), (False, False)])
    def test_buyers_write_before_ordering_to_trusted_sellers_only(
        self, *, trusted: bool, allowed: bool
    ) -> None:
        """
        The product card's button is there for trusted sellers.
        """
        result = ask(ChatAction.BUYER_WRITES_BEFORE_ORDER, trusted=trusted)
        assert result.allowed is allowed
        assert "buyers may write to a trusted seller before ordering" in result.reason

    def test_unknown_trust_is_said_when_it_is_needed(self) -> None:
        """
        A seller known by id alone: whether it is trusted is missing, not assumed.
        """
        result = ask(ChatAction.BUYER_WRITES_BEFORE_ORDER)
        assert (result.allowed, result.missing) == (None, ("trusted",))
        assert "trusted_seller" in result.reason

    @pytest.mark.parametrize(
        "seller",
        [
            Seller(seller_id="s", contract_e_signed=True),
            Seller(seller_id="s", ozon_bank_payouts=True),
        ],
    )
    def test_the_sellers_own_fields_can_show_it_is_trusted(self, seller: Seller) -> None:
        """
        A signed contract or Ozon Bank payouts need no history: trusted without `trusted`.
        """
        result = ask(
            ChatAction.WRITE_FIRST,
            seller=seller,
            scheme=Scheme.FBS,
            posting_status=PostingStatus.PAID,
        )
        assert result.allowed is True

    def test_an_eligibility_is_taken_as_it_says(self) -> None:
        """
        A trusted_seller result decides; an undecided one is missing trust; one of
        another seller is refused.
        """
        yes = trusted_seller(shop(), history=TEN, today=DAY_61)
        maybe = trusted_seller(Seller(seller_id="s"), history=TEN, today=DAY_61)
        common = {"scheme": Scheme.FBO, "posting_status": PostingStatus.DELIVERED}
        assert ask(ChatAction.WRITE_FIRST, trusted=yes, **common).allowed is True
        undecided = ask(ChatAction.WRITE_FIRST, trusted=maybe, **common)
        assert (undecided.allowed, undecided.missing) == (None, ("trusted",))
        other = trusted_seller(shop(seller_id="t"), history=TEN, today=DAY_61)
        with pytest.raises(InvalidArgumentError, match="seller t, not of seller s"):
            ask(ChatAction.WRITE_FIRST, trusted=other, **common)

    def test_what_is_missing_is_named_and_a_rule_that_fails_decides_anyway(self) -> None:
        """
        No scheme or status: undecided, naming them; an untrusted seller is refused
        whatever they would be.
        """
        no_scheme = ask(ChatAction.WRITE_FIRST, trusted=True)
        assert (no_scheme.allowed, no_scheme.missing) == (None, ("scheme",))
        no_status = ask(ChatAction.WRITE_FIRST, trusted=True, scheme="fbs")
        assert (no_status.allowed, no_status.missing) == (None, ("posting_status",))
        assert ask(ChatAction.WRITE_FIRST, trusted=False).allowed is False


def api(action: ChatAction, **fields: Any) -> ChatPermission:
    """Ask the API rules, with Premium Plus unless told."""
    fields.setdefault("subscription", Subscription.PREMIUM_PLUS)
    return ask(action, rules=ChatRules.API, **fields)


class TestApiRules:
    @pytest.mark.parametrize("scheme", list(Scheme))
    @pytest.mark.parametrize("status", ANY_STATUS)
    @pytest.mark.parametrize("action", [ChatAction.WRITE_FIRST, ChatAction.REPLY])
    def test_each_scheme_and_status_an_hour_after_payment_and_delivery(
        self, scheme: Scheme, status: PostingStatus, action: ChatAction
    ) -> None:
        """
        Starting a chat: never on FBO, on FBS and realFBS once paid (not cancelled).
        Sending: on FBS and realFBS once paid; else only a reply, whose moment is missing.
        """
        result = api(action, scheme=scheme, **dated(status))
        fbo = scheme is Scheme.FBO
        if action is ChatAction.WRITE_FIRST:
            assert result.allowed is (not fbo and status in PAID_STATUSES)
        elif not fbo and status in PAID_STATUSES:
            assert result.allowed is True
        else:
            assert (result.allowed, result.missing) == (None, ("buyer_last_message_at",))

    @pytest.mark.parametrize("scheme", [Scheme.FBS, Scheme.REAL_FBS])
    @pytest.mark.parametrize("status", [PostingStatus.PAID, PostingStatus.DELIVERING])
    def test_a_chat_can_be_started_until_72_hours_after_payment(
        self, scheme: Scheme, status: PostingStatus
    ) -> None:
        """
        72 hours after payment, to the microsecond: allowed until that moment, not at it.
        """
        paid = NOW - 72 * HOUR
        inside = api(
            ChatAction.WRITE_FIRST, scheme=scheme, posting_status=status, paid_at=paid + TICK
        )
        at_end = api(ChatAction.WRITE_FIRST, scheme=scheme, posting_status=status, paid_at=paid)
        assert inside.allowed is True
        assert inside.until == NOW + TICK
        assert at_end.allowed is False
        assert "72 hours after payment ended 2025-04-10T12:00:00+03:00" in at_end.reason

    @pytest.mark.parametrize("scheme", [Scheme.FBS, Scheme.REAL_FBS])
    def test_a_chat_can_be_started_until_72_hours_after_delivery(self, scheme: Scheme) -> None:
        """
        Delivered: the window after delivery decides, long after the payment's closed.
        """
        common = {"scheme": scheme, "posting_status": "delivered", "paid_at": NOW - 20 * 24 * HOUR}
        inside = api(ChatAction.WRITE_FIRST, delivered_at=NOW - 72 * HOUR + TICK, **common)
        at_end = api(ChatAction.WRITE_FIRST, delivered_at=NOW - 72 * HOUR, **common)
        assert (inside.allowed, inside.until) == (True, NOW + TICK)
        assert at_end.allowed is False
        undated = api(ChatAction.WRITE_FIRST, **common)
        assert (undated.allowed, undated.missing) == (None, ("delivered_at",))
        no_payment = api(ChatAction.WRITE_FIRST, scheme=scheme, posting_status="awaiting_packaging")
        assert (no_payment.allowed, no_payment.missing) == (None, ("paid_at",))

    @pytest.mark.parametrize("status", ANY_STATUS)
    def test_on_fbo_only_the_buyer_starts_and_the_seller_replies_within_48_hours(
        self, status: PostingStatus
    ) -> None:
        """
        FBO: no start at any status; sending within 48 hours of the buyer's last message.
        """
        assert api(ChatAction.WRITE_FIRST, scheme=Scheme.FBO, **dated(status)).allowed is False
        wrote = NOW - 48 * HOUR
        inside = api(
            ChatAction.REPLY, scheme=Scheme.FBO, buyer_last_message_at=wrote + TICK, **dated(status)
        )
        at_end = api(
            ChatAction.REPLY, scheme=Scheme.FBO, buyer_last_message_at=wrote, **dated(status)
        )
        assert (inside.allowed, inside.until) == (True, NOW + TICK)
        assert at_end.allowed is False

    @pytest.mark.parametrize("scheme", [Scheme.FBS, Scheme.REAL_FBS])
    def test_fbs_sends_until_72_hours_after_delivery_then_replies_within_48_hours(
        self, scheme: Scheme
    ) -> None:
        """
        Until 72 hours after delivery anything; after, only within 48 hours of the buyer.
        """
        delivered = {"scheme": scheme, "posting_status": PostingStatus.DELIVERED}
        inside = api(ChatAction.REPLY, delivered_at=NOW - 72 * HOUR + TICK, **delivered)
        assert (inside.allowed, inside.until) == (True, NOW + TICK)
        after = api(ChatAction.REPLY, delivered_at=NOW - 72 * HOUR, **delivered)
        assert (after.allowed, after.missing) == (None, ("buyer_last_message_at",))
        replies = {"delivered_at": NOW - 100 * HOUR, **delivered}
        reply = api(ChatAction.REPLY, buyer_last_message_at=NOW - 48 * HOUR + TICK, **replies)
        assert (reply.allowed, reply.until) == (True, NOW + TICK)
        late = api(ChatAction.REPLY, buyer_last_message_at=NOW - 48 * HOUR, **replies)
        assert late.allowed is False

    def test_the_later_of_two_open_windows_is_until_when(self) -> None:
        """
        Delivered 70 hours ago (2 left), the buyer wrote an hour ago (47 left): 47 hours.
        """
        result = api(
            ChatAction.REPLY,
            scheme=Scheme.FBS,
            posting_status=PostingStatus.DELIVERED,
            delivered_at=NOW - 70 * HOUR,
            buyer_last_message_at=NOW - HOUR,
        )
        assert result.until == NOW + 47 * HOUR

    def test_paid_and_not_delivered_fbs_messages_have_no_end_yet(self) -> None:
        """
        Paid and on its way: the seller may send with no window ending it yet.
        """
        result = api(ChatAction.REPLY, scheme=Scheme.FBS, posting_status="delivering")
        assert (result.allowed, result.until) == (True, None)

    @pytest.mark.parametrize(
        ("plan", "allowed"),
        [
            (Subscription.NONE, False),
            (Subscription.PREMIUM, False),
            (Subscription.PREMIUM_PLUS, True),
            (Subscription.PREMIUM_PRO, True),
            ("premium_pro", True),
        ],
    )
    def test_the_api_is_open_to_premium_plus_and_pro(self, plan: object, *, allowed: bool) -> None:
        """
        Only Premium Plus and Premium Pro open the API, for any action.
        """
        result = api(
            ChatAction.REPLY, scheme=Scheme.FBS, posting_status="delivering", subscription=plan
        )
        assert result.allowed is allowed
        assert "Premium Plus or Premium Pro" in result.reason

    def test_an_unknown_subscription_is_missing_unless_another_rule_refuses(self) -> None:
        """
        Subscription not given: undecided when all else allows; refused when FBO start.
        """
        open_ = ask(ChatAction.REPLY, rules="api", scheme="fbs", posting_status="delivering")
        assert (open_.allowed, open_.missing) == (None, ("subscription",))
        fbo = ask(ChatAction.WRITE_FIRST, rules="api", scheme="fbo", posting_status="delivered")
        assert fbo.allowed is False
        assert fbo.reason == "on FBO only the buyer can start a chat (chat API)"

    def test_trust_plays_no_part_in_the_api_rules(self) -> None:
        """
        An untrusted seller may start an FBS chat within 72 hours of payment.
        """
        result = api(
            ChatAction.WRITE_FIRST, trusted=False, scheme=Scheme.FBS, **dated(PostingStatus.PAID)
        )
        assert result.allowed is True

    def test_the_api_rules_say_nothing_of_buyers_before_an_order(self) -> None:
        """
        Asking the API rules about the product card's button is an error, not a guess.
        """
        with pytest.raises(InvalidArgumentError, match=r"rules=ChatRules\.ANNOUNCEMENT"):
            api(ChatAction.BUYER_WRITES_BEFORE_ORDER)

    @given(
        since=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=6)),
        zone=st.sampled_from([UTC, MOSCOW]),
    )
    def test_a_start_is_allowed_exactly_in_the_72_hours_after_payment(
        self, since: timedelta, zone: Any
    ) -> None:
        """
        Allowed iff less than 72 hours have passed, in any zone; until is payment + 72 h.
        """
        paid = (NOW - since).astimezone(zone)
        result = api(
            ChatAction.WRITE_FIRST,
            scheme=Scheme.FBS,
            posting_status="awaiting_deliver",
            paid_at=paid,
            now=NOW.astimezone(zone),
        )
        assert result.allowed is (since < timedelta(hours=72))
        assert result.until == (paid + timedelta(hours=72) if result.allowed else None)


class TestChatArguments:
    @pytest.mark.parametrize("field", ["now", "paid_at", "delivered_at", "buyer_last_message_at"])
    def test_a_naive_timestamp_is_refused(self, field: str) -> None:
        """
        Every moment must carry a zone: a naive one is a NaiveTimestampError naming it.
        """
        fields: dict[str, Any] = {"scheme": Scheme.FBS, "posting_status": PostingStatus.DELIVERED}
        fields[field] = datetime(2025, 4, 10, 11)
        with pytest.raises(NaiveTimestampError, match=f"{field} .* has no time zone"):
            api(ChatAction.REPLY, **fields)

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"paid_at": NOW + TICK}, "paid_at .* is after now"),
            ({"buyer_last_message_at": NOW + HOUR}, "buyer_last_message_at .* is after now"),
            (
                {
                    "paid_at": NOW - HOUR,
                    "delivered_at": NOW - 2 * HOUR,
                    "posting_status": "delivered",
                },
                "delivered_at .* is before paid_at",
            ),
            ({"posting_status": "awaiting_payment", "paid_at": NOW - HOUR}, "not paid"),
            ({"posting_status": "delivering", "delivered_at": NOW - HOUR}, "paid and on its way"),
            ({"scheme": "realFBS"}, "scheme must be a Scheme or one of"),
            ({"rules": "ozon"}, "rules must be a ChatRules"),
            ({"subscription": "gold"}, "subscription must be a Subscription"),
            ({"posting_status": "shipped"}, "unknown Ozon posting status 'shipped'"),
        ],
    )
    def test_contradictory_or_unknown_arguments_are_refused(
        self, fields: dict[str, Any], message: str
    ) -> None:
        """
        A moment after now, delivery before payment, a status that denies a moment given,
        or an unknown word: an InvalidArgumentError that says which.
        """
        with pytest.raises(InvalidArgumentError, match=message):
            ask(ChatAction.REPLY, **({"scheme": Scheme.FBS} | fields))

    @pytest.mark.parametrize(
        "fields",
        [
            {"action": 1},
            {"trusted": "yes"},
            {"scheme": Scheme.FBS, "posting_status": 3},
            {"now": "2025-04-10"},
        ],
    )
    def test_arguments_of_the_wrong_type_are_refused(self, fields: dict[str, Any]) -> None:
        """
        A number for an action, a text for trust or a moment: an ArgumentTypeError.
        """
        action = fields.pop("action", ChatAction.REPLY)
        with pytest.raises(ArgumentTypeError):
            ask(action, **fields)

    def test_values_may_be_given_as_words(self) -> None:
        """
        Enum values as text give the same answer as the members.
        """
        words = chat_permission(
            Seller(seller_id="s"),
            action="reply",
            rules="api",
            scheme="rfbs",
            posting_status="delivered",
            subscription="premium_plus",
            now=NOW,
            delivered_at=NOW - HOUR,
        )
        members = api(
            ChatAction.REPLY,
            scheme=Scheme.REAL_FBS,
            posting_status=PostingStatus.DELIVERED,
            delivered_at=NOW - HOUR,
        )
        assert words == members

    def test_the_result_is_frozen_and_reads_well(self) -> None:
        """
        A frozen record whose repr shows the members by name and the moment in UTC.
        """
        result = api(ChatAction.WRITE_FIRST, scheme=Scheme.FBS, **dated(PostingStatus.PAID))
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            result.allowed = False  # type: ignore[misc]
        shown = repr(result)
        assert shown.startswith(
            "ChatPermission(seller_id='s', action=ChatAction.WRITE_FIRST, rules=ChatRules.API, "
            "allowed=True, "
        )
        assert "until=datetime.datetime(2025, 4, 13, 8, 0, tzinfo=datetime.timezone.utc)" in shown
        assert isinstance(trusted_seller(shop(), history=TEN, today=DAY_61), Eligibility)


class TestChatRulesSpelling:
    def test_the_announcements_rules_are_the_default(self) -> None:
        """
        Not naming the rules is asking by Ozon's announcement: the same answer as naming
        them, as a member or as "announcement", and the result says so.
        """
        fields: dict[str, Any] = {"scheme": Scheme.FBO, **dated(PostingStatus.DELIVERED)}
        default = ask(ChatAction.WRITE_FIRST, trusted=True, **fields)
        assert default.rules is ChatRules.ANNOUNCEMENT
        for rules in (ChatRules.ANNOUNCEMENT, "announcement"):
            assert ask(ChatAction.WRITE_FIRST, trusted=True, rules=rules, **fields) == default
        # by the API rules the same question is answered otherwise (FBO: never the seller)
        assert ask(ChatAction.WRITE_FIRST, trusted=True, rules="api", **fields) != default

    def test_there_are_two_rule_sets_and_an_unknown_word_names_them(self) -> None:
        """Iterating lists the two rule sets by their values, as the error offers them."""
        assert ChatRules.ANNOUNCEMENT.value == "announcement"
        assert [rules.value for rules in ChatRules] == ["announcement", "api"]
        with pytest.raises(
            InvalidArgumentError,
            match=r"^rules must be a ChatRules or one of 'announcement', 'api', not 'ozon'$",
        ):
            ask(ChatAction.REPLY, rules="ozon")
