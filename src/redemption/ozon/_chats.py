"""Who may act in an Ozon chat about an order, and until when, by either of two rule sets.

**By Ozon's announcement to sellers** (`ChatRules.ANNOUNCEMENT`): every seller, on any
scheme, may answer a buyer who wrote after ordering, with no subscription or check
("Покупатели могут писать вам после заказа", and the seller answers them), so a reply needs
the buyer's message; a trusted seller may also write first, on FBO once the order is
delivered and on FBS and realFBS once it is paid; and buyers may write to a trusted seller
before ordering, from the product card.

**By the chat API** (`ChatRules.API`), an older and separate rule set that Ozon's
Seller API documents for ``/v1/chat/start`` and ``/v1/chat/send/message``:

- the API is open to sellers with Premium Plus or Premium Pro;
- start a chat: on FBO only the buyer can; on FBS and realFBS the seller can within
  72 hours after payment or after delivery;
- send a message: on FBO within 48 hours of the buyer's last message; on FBS and realFBS
  from payment until 72 hours after delivery, and after that only replies within 48 hours
  of the buyer's last message.

The post is later than the API documents, but it is not dated, so neither set replaces the
other: the caller chooses. A window of hours starts at its moment and is half-open: 72 hours
after payment at 12:00 on 1 April last until 12:00 on 4 April, which is the first moment the
seller can no longer act (`ChatPermission.until`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from types import MappingProxyType
from typing import Final, TypeVar

import attrs

from redemption.errors import ArgumentTypeError, InvalidArgumentError, NaiveTimestampError
from redemption.model import Seller
from redemption.ozon._checks import Word, any_holds, require
from redemption.ozon._trusted import Eligibility

__all__ = [
    "ChatAction",
    "ChatPermission",
    "ChatRules",
    "PostingStatus",
    "Scheme",
    "Subscription",
    "chat_permission",
]


class Scheme(Word):
    """How an Ozon order is fulfilled.

    Example:
        >>> list(Scheme), Scheme("rfbs").label
        ([Scheme.FBO, Scheme.FBS, Scheme.REAL_FBS], 'realFBS')

        `chat_permission` takes one, or its value, as ``scheme``. A trusted seller may write
        first on FBS and realFBS once the order is paid, on FBO once it is delivered:

        >>> from redemption import MOSCOW, Seller
        >>> seller = Seller(seller_id="shop", ozon_bank_payouts=True)  # so, trusted
        >>> now = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
        >>> [chat_permission(seller, action="write_first", scheme=scheme,
        ...                  posting_status="delivering", now=now).allowed for scheme in Scheme]
        [False, True, True]

    .. versionadded:: 0.2.0
    """

    FBO = "fbo"
    """Fulfilment by Ozon: Ozon stores, packs and delivers."""
    FBS = "fbs"
    """Fulfilment by the seller: the seller stores and packs, Ozon delivers."""
    REAL_FBS = "rfbs"
    """realFBS: the seller stores, packs and delivers, with its own delivery service."""

    @property
    def label(self) -> str:
        """The scheme as Ozon writes it: ``FBO``, ``FBS`` or ``realFBS``."""
        return _SCHEME_LABELS[self]


_SCHEME_LABELS: Final = {Scheme.FBO: "FBO", Scheme.FBS: "FBS", Scheme.REAL_FBS: "realFBS"}


class PostingStatus(Word):
    """Where an Ozon order (a posting) is, in the terms the chat rules need.

    `from_ozon` reads Ozon's own status words, by the library's reading of them.

    Example:
        >>> list(PostingStatus)
        [PostingStatus.ORDERED, PostingStatus.PAID, PostingStatus.DELIVERING,
         PostingStatus.DELIVERED, PostingStatus.CANCELLED]

        `chat_permission` takes one, or Ozon's status word, as ``posting_status``. On FBO a
        trusted seller may write first once the order is delivered:

        >>> from redemption import MOSCOW, Seller
        >>> seller = Seller(seller_id="shop", ozon_bank_payouts=True)  # so, trusted
        >>> now = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
        >>> [chat_permission(seller, action="write_first", scheme="fbo", posting_status=status,
        ...                  now=now).allowed for status in PostingStatus]
        [False, False, False, True, False]

    .. versionadded:: 0.2.0
    """

    ORDERED = "ordered"
    """Placed, and not shown to be paid yet."""
    PAID = "paid"
    """Paid, and with the seller: awaiting packaging or shipment."""
    DELIVERING = "delivering"
    """Paid, and on its way to the buyer."""
    DELIVERED = "delivered"
    """Delivered to the buyer."""
    CANCELLED = "cancelled"
    """Cancelled."""

    @classmethod
    def from_ozon(cls, status: object) -> PostingStatus:
        """Return the status that Ozon's posting ``status`` word is read as.

        The table is this library's reading of Ozon's status words, not Ozon's: no
        published source maps them to the stages the chat rules speak of. A caller who
        reads a status otherwise passes a `PostingStatus` directly (to `chat_permission`'s
        ``posting_status``) instead of Ozon's word.

        =========================================================== ==============
        Ozon's ``status``                                           read as
        =========================================================== ==============
        ``awaiting_payment``, ``awaiting_verification`` (created),  `ORDERED`
        ``awaiting_approve``, ``awaiting_registration``
        ``awaiting_packaging``, ``awaiting_deliver``,               `PAID`
        ``acceptance_in_progress``, ``not_accepted``
        ``sent_by_seller``, ``driver_pickup``, ``delivering``,      `DELIVERING`
        ``arbitration``, ``client_arbitration``
        ``delivered``                                               `DELIVERED`
        ``cancelled`` and any word starting with it                 `CANCELLED`
        =========================================================== ==============

        Why each group is read so:

        - `ORDERED`: these words come before the posting reaches the seller for
          packaging (awaiting payment, a check, the seller's approval or registration);
          none shows a payment, so they are read as not paid, and a seller is never told
          it may act on a payment no status shows.
        - `PAID`: the posting is with the seller, to be packed or handed over, or was
          handed over and not accepted (``not_accepted``), so it is still with the
          seller; a posting is taken to reach the seller for packaging once it is paid.
        - `DELIVERING`: the posting has left the seller and no word shows it delivered;
          an arbitration (``arbitration``, ``client_arbitration``) is a dispute over a
          shipment not yet delivered, so it is read as on its way, neither delivered nor
          cancelled.
        - `DELIVERED` and `CANCELLED`: the words say so.

        Raises:
            ArgumentTypeError: `status` is not a str.
            InvalidArgumentError: `status` is no word Ozon's posting lists use; the
                message names it.

        Example:
            >>> PostingStatus.from_ozon("awaiting_deliver")
            PostingStatus.PAID
        """
        if not isinstance(status, str):
            msg = f"an Ozon posting status must be a str, not {type(status).__name__} {status!r}"
            raise ArgumentTypeError(msg)
        found = _OZON_STATUSES.get(status)
        if found is not None:
            return found
        if status.startswith("cancelled"):
            return cls.CANCELLED
        msg = (
            f"unknown Ozon posting status {status!r}; "
            f"known: {', '.join(sorted(_OZON_STATUSES))} and cancelled_*"
        )
        raise InvalidArgumentError(msg)


# The library's reading of Ozon's status words, not Ozon's: no published source maps
# them. Why each group is read so is in `PostingStatus.from_ozon`; a caller who reads a
# status otherwise passes a `PostingStatus` directly.
_OZON_STATUSES: Final[Mapping[str, PostingStatus]] = MappingProxyType(
    {
        # before the posting reaches the seller: no payment shown, read as not paid
        "awaiting_payment": PostingStatus.ORDERED,
        "awaiting_verification": PostingStatus.ORDERED,
        "awaiting_approve": PostingStatus.ORDERED,
        "awaiting_registration": PostingStatus.ORDERED,
        # with the seller (packing, handing over, or handed over and not accepted)
        "awaiting_packaging": PostingStatus.PAID,
        "awaiting_deliver": PostingStatus.PAID,
        "acceptance_in_progress": PostingStatus.PAID,
        "not_accepted": PostingStatus.PAID,
        # left the seller, not shown delivered; an arbitration is over an undelivered one
        "sent_by_seller": PostingStatus.DELIVERING,
        "driver_pickup": PostingStatus.DELIVERING,
        "delivering": PostingStatus.DELIVERING,
        "arbitration": PostingStatus.DELIVERING,
        "client_arbitration": PostingStatus.DELIVERING,
        "delivered": PostingStatus.DELIVERED,
        "cancelled": PostingStatus.CANCELLED,
    }
)
"""Ozon's posting ``status`` words (FBO and FBS lists) -> the library's reading of them.

This library's reading, not Ozon's: no published source maps them (see
`PostingStatus.from_ozon`). A caller who reads a status otherwise passes a `PostingStatus`.
"""

_PAID: Final = frozenset({PostingStatus.PAID, PostingStatus.DELIVERING, PostingStatus.DELIVERED})
_STATUS_WORDS: Final = {
    PostingStatus.ORDERED: "not paid yet",
    PostingStatus.PAID: "paid and with the seller",
    PostingStatus.DELIVERING: "paid and on its way",
    PostingStatus.DELIVERED: "delivered",
    PostingStatus.CANCELLED: "cancelled",
}


class Subscription(Word):
    """The seller's Ozon subscription, which the chat API rules look at.

    Example:
        >>> list(Subscription)
        [Subscription.NONE, Subscription.PREMIUM, Subscription.PREMIUM_PLUS,
         Subscription.PREMIUM_PRO]

        `chat_permission` takes one, or its value, as ``subscription``; by the chat API's
        rules only Premium Plus and Premium Pro may answer a buyer who just wrote:

        >>> from redemption import MOSCOW, Seller
        >>> now = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
        >>> [chat_permission(Seller(seller_id="shop"), action="reply", rules="api", scheme="fbo",
        ...                  buyer_last_message_at=now, subscription=plan, now=now).allowed
        ...  for plan in Subscription]
        [False, False, True, True]

    .. versionadded:: 0.2.0
    """

    NONE = "none"
    """No subscription."""
    PREMIUM = "premium"
    """Premium."""
    PREMIUM_PLUS = "premium_plus"
    """Premium Plus: opens the chat API."""
    PREMIUM_PRO = "premium_pro"
    """Premium Pro: opens the chat API."""


_SUBSCRIPTION_LABELS: Final = {
    Subscription.NONE: "no subscription",
    Subscription.PREMIUM: "Premium",
    Subscription.PREMIUM_PLUS: "Premium Plus",
    Subscription.PREMIUM_PRO: "Premium Pro",
}


class ChatAction(Word):
    """What someone wants to do in a chat.

    Example:
        `chat_permission` is asked about one, or its value, as ``action``. A seller not
        trusted may answer a buyer who wrote, and nothing more:

        >>> from redemption import MOSCOW, Seller
        >>> now = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
        >>> {action.value: chat_permission(Seller(seller_id="shop"), action=action, trusted=False,
        ...                                scheme="fbs", posting_status="delivered",
        ...                                buyer_last_message_at=now, now=now).allowed
        ...  for action in ChatAction}
        {'write_first': False, 'reply': True, 'buyer_writes_before_order': False}

    .. versionadded:: 0.2.0
    """

    WRITE_FIRST = "write_first"
    """The seller writes to a buyer about an order before the buyer wrote (by the API
    rules: starts a chat, ``/v1/chat/start``)."""
    REPLY = "reply"
    """The seller writes in a chat about an order (by the announcement's rules: answers a
    buyer who wrote after ordering; by the API rules: sends a message,
    ``/v1/chat/send/message``)."""
    BUYER_WRITES_BEFORE_ORDER = "buyer_writes_before_order"
    """A buyer writes to the seller from a product card, before ordering (the announcement's
    rules only: the seller's API has no such method)."""


class ChatRules(Word):
    """Which rule set decides a chat permission.

    Example:
        `chat_permission` takes one, or its value, as ``rules`` (`ANNOUNCEMENT` by default). A
        trusted seller writing first about a delivered FBO order:

        >>> from redemption import MOSCOW, Seller
        >>> now = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
        >>> for rules in ChatRules:
        ...     asked = chat_permission(Seller(seller_id="shop"), action="write_first",
        ...                             rules=rules, trusted=True, scheme="fbo",
        ...                             posting_status="delivered",
        ...                             subscription="premium_pro", now=now)
        ...     print(rules.value, asked.allowed)
        announcement True
        api False

    .. versionadded:: 0.2.0
    """

    ANNOUNCEMENT = "announcement"
    """Ozon's announcement to sellers: basic chats for all, more for trusted sellers."""
    API = "api"
    """The chat API's documented rules: Premium Plus or Pro, windows of 72 and 48 hours."""


@attrs.frozen(kw_only=True)
class ChatPermission:
    """Whether an action in an Ozon chat is allowed, and the rule that decided.

    Attributes:
        seller_id: the seller.
        action: what was asked.
        rules: the rule set that decided.
        allowed: `True` or `False`; `None` when something the rule needs is unknown.
        reason: the rule that decided, with the facts it looked at, in a sentence or two.
        until: for a window of hours, the first moment (UTC) the action is no longer
            allowed; `None` when no window ends it (or it is not allowed).
        missing: what must be given to decide, when `allowed` is `None`: names of
            `chat_permission`'s arguments.

    Example:
        `chat_permission` gives one. A reply by the announcement's rules needs the buyer's message;
        by the chat API's, it is allowed for 48 hours after it:

        >>> from redemption import MOSCOW, Seller
        >>> seller = Seller(seller_id="shop")
        >>> now = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
        >>> unsure = chat_permission(seller, action="reply", now=now)
        >>> unsure.allowed, unsure.missing
        (None, ('buyer_last_message_at',))
        >>> api = chat_permission(seller, action="reply", rules="api", scheme="fbo",
        ...                       subscription="premium_plus", buyer_last_message_at=now, now=now)
        >>> api.allowed, api.until.astimezone(MOSCOW).isoformat()
        (True, '2025-04-03T12:00:00+03:00')

    .. versionadded:: 0.2.0
    """

    seller_id: str
    action: ChatAction
    rules: ChatRules
    allowed: bool | None
    reason: str
    until: datetime | None = None
    missing: tuple[str, ...] = ()


@attrs.frozen
class _Check:
    """One condition of a chat rule: whether it holds, in words, and what it needs."""

    holds: bool | None
    says: str
    needs: tuple[str, ...] = ()
    until: datetime | None = None


def _yes(says: str, until: datetime | None = None) -> _Check:
    return _Check(holds=True, says=says, until=until)


def _no(says: str) -> _Check:
    return _Check(holds=False, says=says)


def _unknown(says: str, needs: tuple[str, ...]) -> _Check:
    return _Check(holds=None, says=says, needs=needs)


def chat_permission(
    seller: Seller,
    *,
    action: ChatAction | str,
    now: datetime,
    scheme: Scheme | str | None = None,
    posting_status: PostingStatus | str | None = None,
    trusted: Eligibility | bool | None = None,
    rules: ChatRules | str = ChatRules.ANNOUNCEMENT,
    paid_at: datetime | None = None,
    delivered_at: datetime | None = None,
    buyer_last_message_at: datetime | None = None,
    subscription: Subscription | str | None = None,
) -> ChatPermission:
    """Return whether the seller (or, before an order, a buyer) may act in a chat at `now`.

    By Ozon's announcement to sellers (`ChatRules.ANNOUNCEMENT`): every seller may answer a
    buyer who wrote after ordering (`ChatAction.REPLY`), so a reply is allowed once
    `buyer_last_message_at` is given and undecided without it (with no buyer's message a
    "reply" would be writing first); a trusted seller may write first (`WRITE_FIRST`) on FBO
    once the order is delivered and on FBS and realFBS once it is paid; buyers may write to a
    trusted seller before ordering (`BUYER_WRITES_BEFORE_ORDER`). No time window applies.

    By the chat API (`ChatRules.API`): Premium Plus or Premium Pro is needed for anything;
    `WRITE_FIRST` (start a chat): never on FBO, where only the buyer can, and on FBS and
    realFBS within 72 hours after payment or after delivery; `REPLY` (send a message): on
    FBO within 48 hours of the buyer's last message, on FBS and realFBS from payment until
    72 hours after delivery, and at any other time within 48 hours of the buyer's last
    message. Trust plays no part in these rules.

    A cancelled order lets no seller write first by either set: it is neither delivered nor
    on its way. By the API rules the window from payment to 72 hours after delivery does not
    open for it, and only the 48-hour reply window is left.

    Args:
        seller: the seller; its known fields say whether it is trusted when `trusted` is
            not given (a contract signed electronically or Ozon Bank payouts suffice).
        action: what is asked: a `ChatAction` or its value.
        now: the moment asked about: aware.
        scheme: the order's fulfilment scheme: a `Scheme` or its value (``"rfbs"``).
        posting_status: where the order is: a `PostingStatus`, or Ozon's status word.
        trusted: whether the seller is trusted: a `trusted_seller` result, or a bool.
        rules: `ChatRules.ANNOUNCEMENT` (the default) or `ChatRules.API`, or its value
            (``"announcement"``, ``"api"``).
        paid_at: when the order was paid, where known: aware.
        delivered_at: when it was delivered, where known: aware.
        buyer_last_message_at: when the buyer last wrote, where known: aware. By the
            announcement's rules, giving it says the buyer wrote after ordering, which a reply needs.
        subscription: the seller's subscription (`Subscription` or its value), where known.

    Returns:
        Allowed or not, the rule that decided, until when for a window, and when it cannot
        be decided, what is missing.

    Raises:
        NaiveTimestampError: a timestamp has no time zone.
        ArgumentTypeError: an argument has the wrong type.
        InvalidArgumentError: an unknown value of an enum or Ozon status; a moment after
            `now`; payment after delivery; a status that contradicts a moment given (paid
            but not paid, delivered but not delivered); an `Eligibility` of another seller;
            or `BUYER_WRITES_BEFORE_ORDER` asked of the API rules, which say nothing of it.

    Example:
        >>> from datetime import datetime
        >>> from redemption import MOSCOW, Seller
        >>> seller = Seller(seller_id="shop", ozon_bank_payouts=True)
        >>> paid = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
        >>> announced = chat_permission(seller, action="write_first", scheme=Scheme.FBS,
        ...                             posting_status="awaiting_packaging", now=paid)
        >>> announced.allowed
        True
        >>> api = chat_permission(seller, action=ChatAction.WRITE_FIRST, scheme=Scheme.FBS,
        ...                       posting_status=PostingStatus.PAID, rules=ChatRules.API,
        ...                       paid_at=paid, now=paid, subscription="premium_plus")
        >>> api.allowed, api.until.astimezone(MOSCOW).isoformat()
        (True, '2025-04-04T12:00:00+03:00')
        >>> chat_permission(seller, action=ChatAction.WRITE_FIRST, scheme=Scheme.FBO,
        ...                 posting_status=PostingStatus.DELIVERING, now=paid).reason
        "on FBO a trusted seller may write first once the order is delivered (Ozon's announcement to sellers): the order is paid and on its way"
    """  # noqa: E501 - a doctest's output is one line
    require(seller, Seller, "seller")
    chosen_action = _member(action, ChatAction, "action")
    chosen_rules = _member(rules, ChatRules, "rules")
    moment = _instant(now, "now")
    times = _Times(
        now=moment,
        paid=_event(paid_at, "paid_at", moment),
        delivered=_event(delivered_at, "delivered_at", moment),
        buyer_wrote=_event(buyer_last_message_at, "buyer_last_message_at", moment),
        zone=now.tzinfo or UTC,
    )
    order = _Order(
        scheme=None if scheme is None else _member(scheme, Scheme, "scheme"),
        status=_status(posting_status),
    )
    _check_consistent(order.status, times)
    # each argument is checked, though one rule set or the other does not look at it
    trust = _trust(seller, trusted)
    plan = None if subscription is None else _member(subscription, Subscription, "subscription")
    if chosen_rules is ChatRules.ANNOUNCEMENT:
        checks = _announcement(chosen_action, order, trust, times)
    else:
        checks = (_subscription(plan), _api(chosen_action, order, times))
    allowed, reason, missing, until = _decide(checks)
    return ChatPermission(
        seller_id=seller.seller_id,
        action=chosen_action,
        rules=chosen_rules,
        allowed=allowed,
        reason=reason,
        until=until,
        missing=missing,
    )


@attrs.frozen
class _Times:
    now: datetime
    paid: datetime | None
    delivered: datetime | None
    buyer_wrote: datetime | None
    zone: tzinfo

    def shown(self, moment: datetime) -> str:
        """A moment as written in the zone `now` was given in."""
        try:
            return moment.astimezone(self.zone).isoformat()
        except OverflowError:  # within hours of the last moment a datetime holds
            return moment.isoformat()


@attrs.frozen
class _Order:
    scheme: Scheme | None
    status: PostingStatus | None


def _check_consistent(status: PostingStatus | None, times: _Times) -> None:
    if times.paid is not None and times.delivered is not None and times.delivered < times.paid:
        msg = (
            f"delivered_at {times.shown(times.delivered)} is before "
            f"paid_at {times.shown(times.paid)}"
        )
        raise InvalidArgumentError(msg)
    if status is PostingStatus.ORDERED and times.paid is not None:
        msg = f"posting_status says the order is not paid, but paid_at {times.shown(times.paid)}"
        raise InvalidArgumentError(msg)
    if status is not None and status is not PostingStatus.DELIVERED and times.delivered:
        msg = (
            f"posting_status says the order is {_STATUS_WORDS[status]}, but "
            f"delivered_at {times.shown(times.delivered)}"
        )
        raise InvalidArgumentError(msg)


_ANNOUNCEMENT: Final = "(Ozon's announcement to sellers)"
_API: Final = "(chat API)"


def _announcement(
    action: ChatAction, order: _Order, trust: _Check, times: _Times
) -> tuple[_Check, ...]:
    if action is ChatAction.REPLY:
        return (_announcement_reply(times),)
    if action is ChatAction.BUYER_WRITES_BEFORE_ORDER:
        rule = (
            "buyers may write to a trusted seller before ordering, from the product card "
            + _ANNOUNCEMENT
        )
        return (_Check(trust.holds, f"{rule}: {trust.says}", trust.needs),)
    rule = f"only a trusted seller may write to a buyer first {_ANNOUNCEMENT}"
    return (_Check(trust.holds, f"{rule}: {trust.says}", trust.needs), _announcement_order(order))


def _announcement_reply(times: _Times) -> _Check:
    """A reply needs the buyer's message after the order; no window, trust or scheme."""
    rule = (
        "every seller, on any scheme, may answer a buyer who wrote after ordering, "
        f"with no subscription or check {_ANNOUNCEMENT}"
    )
    if times.buyer_wrote is None:
        return _unknown(
            f"{rule}: buyer_last_message_at is not given, and with no buyer's message "
            "a reply would be writing first",
            ("buyer_last_message_at",),
        )
    return _yes(f"{rule}: the buyer last wrote {times.shown(times.buyer_wrote)}")


def _announcement_order(order: _Order) -> _Check:
    if order.scheme is None:
        return _unknown("who may write first depends on the scheme, not given", ("scheme",))
    if order.scheme is Scheme.FBO:
        rule = (
            f"on FBO a trusted seller may write first once the order is delivered {_ANNOUNCEMENT}"
        )
        ready = frozenset({PostingStatus.DELIVERED})
    else:
        rule = (
            f"on {order.scheme.label} a trusted seller may write first once the order is "
            f"paid {_ANNOUNCEMENT}"
        )
        ready = _PAID
    if order.status is None:
        return _unknown(f"{rule}: posting_status is not given", ("posting_status",))
    return _Check(order.status in ready, f"{rule}: the order is {_STATUS_WORDS[order.status]}")


_OPENS_API: Final = frozenset({Subscription.PREMIUM_PLUS, Subscription.PREMIUM_PRO})


def _subscription(plan: Subscription | None) -> _Check:
    rule = f"the chat API is open to sellers with Premium Plus or Premium Pro {_API}"
    if plan is None:
        return _unknown(f"{rule}: the subscription is not given", ("subscription",))
    return _Check(plan in _OPENS_API, f"{rule}: the seller has {_SUBSCRIPTION_LABELS[plan]}")


def _api(action: ChatAction, order: _Order, times: _Times) -> _Check:
    if action is ChatAction.BUYER_WRITES_BEFORE_ORDER:
        msg = (
            "the chat API rules say nothing of buyers writing before an order: "
            "ask the announcement's rules (rules=ChatRules.ANNOUNCEMENT)"
        )
        raise InvalidArgumentError(msg)
    if order.scheme is None:
        return _unknown("the chat API rules depend on the scheme, not given", ("scheme",))
    if action is ChatAction.WRITE_FIRST:
        return _api_start(order.scheme, order.status, times)
    return _api_send(order.scheme, order.status, times)


_START_SPAN: Final = timedelta(hours=72)
"""Chat API: FBS and realFBS sellers may start a chat this long after payment or delivery."""


def _api_start(scheme: Scheme, status: PostingStatus | None, times: _Times) -> _Check:
    if scheme is Scheme.FBO:
        return _no(f"on FBO only the buyer can start a chat {_API}")
    rule = (
        f"on {scheme.label} the seller can start a chat within 72 hours after payment or "
        f"after delivery {_API}"
    )
    if status is None:
        return _unknown(f"{rule}: posting_status is not given", ("posting_status",))
    if status not in _PAID:
        return _no(f"{rule}: the order is {_STATUS_WORDS[status]}")
    windows: list[tuple[str, datetime | None, str]] = [("payment", times.paid, "paid_at")]
    if status is PostingStatus.DELIVERED:
        # payment comes before delivery, so the delivery window ends last and decides alone;
        # where the delivery is not dated, a payment window still open allows
        windows = [("delivery", times.delivered, "delivered_at")]
        if times.delivered is None and times.paid is not None:
            windows.insert(0, ("payment", times.paid, "paid_at"))
    return _windows(rule, windows, _START_SPAN, times)


_AFTER_DELIVERY: Final = timedelta(hours=72)
"""Chat API: FBS and realFBS sellers may send messages until this long after delivery."""


def _api_send(scheme: Scheme, status: PostingStatus | None, times: _Times) -> _Check:
    if scheme is Scheme.FBO:
        rule = f"on FBO the seller can send messages within 48 hours of the buyer's last one {_API}"
        return _replies(rule, times)
    rule = (
        f"on {scheme.label} the seller can send messages from payment until 72 hours after "
        f"delivery, and after that only replies within 48 hours of the buyer's last message {_API}"
    )
    if status is None:
        by_order = _unknown("posting_status is not given", ("posting_status",))
    elif status in {PostingStatus.PAID, PostingStatus.DELIVERING}:
        by_order = _yes(f"the order is {_STATUS_WORDS[status]}, not delivered yet")
    elif status is PostingStatus.DELIVERED:
        by_order = _windows(
            "", [("delivery", times.delivered, "delivered_at")], _AFTER_DELIVERY, times
        )
    else:
        by_order = _no(f"the order is {_STATUS_WORDS[status]}")
    return _either(rule, by_order, _replies("", times))


_REPLY_SPAN: Final = timedelta(hours=48)
"""Chat API: replies are allowed this long after the buyer's last message."""


def _replies(rule: str, times: _Times) -> _Check:
    window = [("the buyer's last message", times.buyer_wrote, "buyer_last_message_at")]
    return _windows(rule, window, _REPLY_SPAN, times)


def _windows(
    rule: str, windows: list[tuple[str, datetime | None, str]], span: timedelta, times: _Times
) -> _Check:
    """Whether `now` is within `span` of one of the moments; each ``(label, moment, field)``."""
    hours = int(span.total_seconds()) // 3600
    prefix = f"{rule}: " if rule else ""
    open_ends: list[tuple[datetime, str]] = []
    endless: list[str] = []
    closed: list[str] = []
    unknown: list[str] = []
    for label, start, field in windows:
        if start is None:
            unknown.append(field)
            continue
        end = _end(start, span)
        if end is None:
            endless.append(label)
        elif times.now < end:
            open_ends.append((end, label))
        else:
            closed.append(f"{hours} hours after {label} ended {times.shown(end)}")
    if endless:
        return _yes(f"{prefix}{hours} hours after {endless[0]} end after the last moment held")
    if open_ends:
        last, label = max(open_ends)
        return _yes(f"{prefix}{hours} hours after {label} last until {times.shown(last)}", last)
    if unknown:
        return _unknown(f"{prefix}{' and '.join(unknown)} not given", tuple(unknown))
    return _no(prefix + "; ".join(closed))


def _either(rule: str, first: _Check, second: _Check) -> _Check:
    """Three-valued or of two windows: the rule allows while either is open."""
    holds = any_holds((first.holds, second.holds))
    if holds:
        ends = [c.until for c in (first, second) if c.holds]
        until = None if None in ends else max(e for e in ends if e is not None)  # open wins
        says = "; ".join(c.says for c in (first, second) if c.holds)
        return _yes(f"{rule}: {says}", until=until)
    if holds is None:
        unknown = [c for c in (first, second) if c.holds is None]
        needs = tuple(n for c in unknown for n in c.needs)
        return _unknown(f"{rule}: " + "; ".join(c.says for c in (first, second)), needs)
    return _no(f"{rule}: " + "; ".join(c.says for c in (first, second)))


def _end(start: datetime, span: timedelta) -> datetime | None:
    try:
        return start + span
    except OverflowError:  # past the last moment a datetime holds: the window never ends
        return None


def _decide(
    checks: tuple[_Check, ...],
) -> tuple[bool | None, str, tuple[str, ...], datetime | None]:
    """All of the checks: the first that fails decides; else any unknown; else all hold."""
    for check in checks:
        if check.holds is False:
            return False, check.says, (), None
    unknown = [c for c in checks if c.holds is None]
    if unknown:
        needs = tuple(dict.fromkeys(n for c in unknown for n in c.needs))
        return None, "; ".join(c.says for c in unknown), needs, None
    ends = [c.until for c in checks if c.until is not None]
    return True, "; ".join(c.says for c in checks), (), min(ends, default=None)


def _trust(seller: Seller, given: object) -> _Check:
    """Whether the seller is trusted, from the argument, else from the seller's own fields."""
    if given is None:
        return _trust_of(seller)
    if isinstance(given, bool):
        return _yes("the seller is trusted") if given else _no("the seller is not trusted")
    if isinstance(given, Eligibility):
        return _eligible(seller, given)
    msg = f"trusted must be an Eligibility, a bool or None, not {type(given).__name__} {given!r}"
    raise ArgumentTypeError(msg)


def _eligible(seller: Seller, eligibility: Eligibility) -> _Check:
    if eligibility.seller_id != seller.seller_id:
        msg = (
            f"trusted is the eligibility of seller {eligibility.seller_id}, "
            f"not of seller {seller.seller_id}"
        )
        raise InvalidArgumentError(msg)
    as_of = eligibility.today.isoformat()
    if eligibility.trusted is None:
        why = "; ".join(c.reason for c in eligibility.checks)
        return _unknown(
            f"whether the seller is trusted is unknown as of {as_of} ({why})", ("trusted",)
        )
    if eligibility.trusted:
        why = "; ".join(c.reason for c in eligibility.checks if c.holds)
        return _yes(f"the seller is trusted as of {as_of} ({why})")
    return _no(f"the seller is not trusted as of {as_of}")


def _trust_of(seller: Seller) -> _Check:
    """Trust known from the seller alone: two of the three ways need no history."""
    if seller.contract_e_signed:
        return _yes("the seller is trusted: its contract is verified with an electronic signature")
    if seller.ozon_bank_payouts:
        return _yes("the seller is trusted: its payouts go to an Ozon Bank account")
    return _unknown(
        "whether the seller is trusted is unknown: give trusted (see trusted_seller)",
        ("trusted",),
    )


_E = TypeVar("_E", bound=enum.Enum)


def _member(value: object, kind: type[_E], field: str) -> _E:
    """Return `value` as a member of `kind`, given as a member or its value."""
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        try:
            return kind(value)
        except ValueError:
            known = ", ".join(repr(m.value) for m in kind)
            msg = f"{field} must be a {kind.__name__} or one of {known}, not {value!r}"
            raise InvalidArgumentError(msg) from None
    msg = f"{field} must be a {kind.__name__}, not {type(value).__name__} {value!r}"
    raise ArgumentTypeError(msg)


def _status(value: object) -> PostingStatus | None:
    if value is None or isinstance(value, PostingStatus):
        return value
    if isinstance(value, str):
        return PostingStatus.from_ozon(value)
    msg = f"posting_status must be a PostingStatus or Ozon's word, not {type(value).__name__}"
    raise ArgumentTypeError(msg)


def _instant(value: object, field: str) -> datetime:
    """Return an aware moment given as an argument, in UTC; refuse a naive one."""
    if not isinstance(value, datetime):
        msg = f"{field} must be a datetime, not {type(value).__name__} {value!r}"
        raise ArgumentTypeError(msg)
    if value.utcoffset() is None:
        msg = f"{field} {value.isoformat()} has no time zone; attach one (redemption.MOSCOW)"
        raise NaiveTimestampError(msg, field=field)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        msg = f"{field} {value.isoformat()} is out of range: in UTC it leaves years 1-9999"
        raise InvalidArgumentError(msg) from None


def _event(value: object, field: str, now: datetime) -> datetime | None:
    """An optional moment that must have happened by `now`."""
    if value is None:
        return None
    moment = _instant(value, field)
    if moment > now:
        msg = f"{field} {moment.isoformat()} is after now {now.isoformat()}: it has not happened"
        raise InvalidArgumentError(msg)
    return moment
