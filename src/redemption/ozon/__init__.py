"""Ozon's trusted seller, and who may write in a chat about an order.

Both come from Ozon's announcement to sellers (the announcement's rules,
`ChatRules.ANNOUNCEMENT`); the chat rules also from the older chat API's documentation
(`ChatRules.API`).

Two jobs, one module each:

- `redemption.ozon._trusted`: whether a seller is an Ozon trusted seller as of a day, by
  any of the announcement's three ways, and what each way lacks (`trusted_seller`,
  `Eligibility`, `RouteCheck`, `TrustRoute`);
- `redemption.ozon._chats`: whether a seller (or, before an order, a buyer) may act in a
  chat about an order at a moment, by the announcement's rules or by the chat API's
  (`chat_permission`, `ChatPermission`, `ChatAction`, `ChatRules`, `Scheme`,
  `PostingStatus`, `Subscription`).

Only the announcement's and the API documents' rules are applied: what Ozon does not
publish, nothing here guesses. Import every name from `redemption.ozon`.
"""

from __future__ import annotations

from redemption.ozon._chats import (
    ChatAction,
    ChatPermission,
    ChatRules,
    PostingStatus,
    Scheme,
    Subscription,
    chat_permission,
)
from redemption.ozon._trusted import Eligibility, RouteCheck, TrustRoute, trusted_seller

__all__ = [
    "ChatAction",
    "ChatPermission",
    "ChatRules",
    "Eligibility",
    "PostingStatus",
    "RouteCheck",
    "Scheme",
    "Subscription",
    "TrustRoute",
    "chat_permission",
    "trusted_seller",
]
