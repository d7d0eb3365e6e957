"""Ozon's trusted seller: whether a seller is one as of a day, and what each way lacks.

Ozon's announcement to sellers names three ways to become a trusted seller; any one
suffices ("Есть несколько способов — выбирайте"):

- the contract is verified with an electronic signature;
- more than 60 days on the platform *and* sales to 10 unique buyers;
- the platform's payouts go to an Ozon Bank account.

`trusted_seller` checks each way as of a day and says which hold, or what each lacks.
That is the announcement's rule only: how the status is lost, when it was introduced and
whether it differs between schemes are not published, and nothing here guesses them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta, tzinfo
from typing import Final

import attrs

from redemption.calculators.outcome import settled_rows, warn_beyond_horizon
from redemption.dates import MOSCOW, day_end, require_day
from redemption.history import History
from redemption.model import Seller
from redemption.ozon._checks import Word, any_holds, require

__all__ = ["Eligibility", "RouteCheck", "TrustRoute", "trusted_seller"]

_DAYS_OVER: Final = 60
"""A trusted seller has been on the platform *more than* this many days."""
_UNIQUE_BUYERS: Final = 10
"""...and has sold to at least this many unique buyers."""


class TrustRoute(Word):
    """One of the ways to become an Ozon trusted seller (Ozon's announcement to sellers).

    Example:
        >>> list(TrustRoute)
        [TrustRoute.E_SIGNATURE, TrustRoute.TENURE_AND_BUYERS, TrustRoute.OZON_BANK]

        `trusted_seller` lists the ways that hold (`Eligibility.routes`) and checks each
        (`RouteCheck.route`):

        >>> from redemption import History, Seller
        >>> seller = Seller(seller_id="shop", ozon_bank_payouts=True)
        >>> trusted_seller(seller, history=History(), today=date(2025, 3, 1)).routes
        (TrustRoute.OZON_BANK,)

    .. versionadded:: 0.2.0
    """

    E_SIGNATURE = "e_signature"
    """The contract is verified with an electronic signature."""
    TENURE_AND_BUYERS = "tenure_and_buyers"
    """More than 60 days on the platform and sales to 10 unique buyers."""
    OZON_BANK = "ozon_bank"
    """The platform's payouts go to an Ozon Bank account."""


@attrs.frozen(kw_only=True)
class RouteCheck:
    """Whether one way to trusted status holds, and why or what it lacks.

    Attributes:
        route: the way.
        holds: `True` or `False`; `None` when what it needs is unknown.
        reason: the facts, in words: what holds, or what is missing.

    Example:
        `trusted_seller` gives one per way (`Eligibility.checks`). A seller registered on 1
        January 2025 whose contract's signature is not known, on 1 March:

        >>> from redemption import History, Seller
        >>> seller = Seller(seller_id="shop", registered_on=date(2025, 1, 1),
        ...                 ozon_bank_payouts=True)
        >>> for check in trusted_seller(seller, history=History(), today=date(2025, 3, 1)).checks:
        ...     print(check.route.value, check.holds, check.reason)
        e_signature None contract_e_signed is unknown
        tenure_and_buyers False 60 days on the platform, 1 more needed (more than 60 from
        2025-03-02); sales to 0 unique buyers, 10 more needed
        ozon_bank True payouts go to an Ozon Bank account

    .. versionadded:: 0.2.0
    """

    route: TrustRoute
    holds: bool | None
    reason: str


@attrs.frozen(kw_only=True)
class Eligibility:
    """Whether a seller is an Ozon trusted seller as of a day, by the announcement's three ways.

    Attributes:
        seller_id: the seller.
        today: the day it is decided on.
        trusted: `True` when a way holds; `False` when every way fails; `None` when none
            holds and one cannot be decided (an unknown field, or sales that name no buyer).
        routes: the ways that hold, in `TrustRoute` order.
        checks: each way, whether it holds, and why or what it lacks.
        days_on_platform: the days from `registered_on` to `today`, both counted (the day of
            registration is the first); 0 before registration; `None` if unknown.
        days_left: days until the first day that counts as more than 60 (0 once reached);
            `None` if `registered_on` is unknown.
        first_day: that day, the 61st on the platform; `None` if unknown.
        unique_buyers: buyers with a sale of the seller's kept as of `today`.
        buyers_needed: unique buyers still needed for 10 (0 once reached).
        unidentified_sales: the seller's sales kept as of `today` whose order names no
            buyer: they cannot be counted, and may or may not be to new buyers.
        returned_sales: the seller's sales returned by `today`: they count for no buyer.
        unknown: the seller's fields that are `None` (unknown).

    Example:
        `trusted_seller` gives one. A seller 69 days on the platform has sold six orders to
        four buyers; its contract is not e-signed, and its payouts are not known:

        >>> from redemption import MOSCOW, History, Order, Sale, Seller
        >>> at = datetime(2025, 3, 1, 12, tzinfo=MOSCOW)
        >>> orders = [Order(order_id=str(i), seller_id="shop", sku="k", price=990,
        ...                 ordered_at=at, buyer_id=f"b{i % 4}") for i in range(6)]
        >>> history = History(orders=orders, sales=[Sale(order_id=o.order_id, sold_at=at)
        ...                                         for o in orders])
        >>> seller = Seller(seller_id="shop", registered_on=date(2025, 1, 1),
        ...                 contract_e_signed=False)
        >>> e = trusted_seller(seller, history=history, today=date(2025, 3, 10))
        >>> e.trusted, e.routes, e.days_on_platform, e.unique_buyers, e.buyers_needed, e.unknown
        (None, (), 69, 4, 6, ('ozon_bank_payouts',))

    .. versionadded:: 0.2.0
    """

    seller_id: str
    today: date
    trusted: bool | None
    routes: tuple[TrustRoute, ...]
    checks: tuple[RouteCheck, ...]
    days_on_platform: int | None
    days_left: int | None
    first_day: date | None
    unique_buyers: int
    buyers_needed: int
    unidentified_sales: int
    returned_sales: int
    unknown: tuple[str, ...]

    def describe(self) -> str:
        """Say whether the seller is trusted, and why: the ways that hold, else each way."""
        shown = [c for c in self.checks if c.holds] if self.trusted else list(self.checks)
        reasons = "; ".join(c.reason for c in shown)
        if self.trusted:
            verdict = "is a trusted seller"
        elif self.trusted is None:
            verdict = "may be a trusted seller (unknown)"
        else:
            verdict = "is not a trusted seller"
        return f"seller {self.seller_id} {verdict} as of {self.today.isoformat()}: {reasons}"


def trusted_seller(
    seller: Seller, *, history: History, today: date, tz: tzinfo = MOSCOW
) -> Eligibility:
    """Return whether a seller is an Ozon trusted seller as of `today`, and why.

    Any one of the three ways in Ozon's announcement to sellers suffices: the contract
    verified with an electronic signature (`Seller.contract_e_signed`); more than 60 days on
    the platform and sales to 10 unique buyers; payouts to an Ozon Bank account
    (`Seller.ozon_bank_payouts`). This is the announcement's rule only: Ozon's further
    conditions (how the status is lost, the day it was introduced) are not published.

    Days on the platform count calendar days from `Seller.registered_on` to `today`, both
    included: the day of registration is the first, and the 61st (``registered_on`` + 60
    days) is the first that is *more than* 60 days.

    Unique buyers are counted from the seller's orders in `history` sold as of the end of
    `today` in `tz` (an order is sold once its sale is before that moment, the one outcome
    rule of `redemption.calculators.outcome`), by `Order.buyer_id`. A sale counts while it is
    not returned: a sale returned by `today` (or refused at handover and reported as a
    return) sold the buyer nothing. A sale whose order names no buyer cannot be counted: it
    is reported in `Eligibility.unidentified_sales`, and where such sales could make up the
    ten the way is undecided (`None`), not failed. Sales whose order is not in the history
    name no seller and are not counted.

    Args:
        seller: the seller, with what is known of it (`None` fields are unknown).
        history: the seller's orders, sales and returns (other sellers' are left out).
        today: the day it is decided on; later events are not seen.
        tz: the zone whose calendar day `today` is.

    Returns:
        Whether the seller is trusted, the ways that hold, and what each other way lacks.

    Raises:
        ArgumentTypeError: `seller` is not a `Seller`, `history` not a `History`, or `today`
            not a date.
        InvalidPeriodError: the end of `today` in `tz` is past the last moment a
            `datetime` holds.

    Example:
        >>> from datetime import date
        >>> from redemption import History, Seller
        >>> seller = Seller(seller_id="shop", registered_on=date(2025, 1, 1),
        ...                 contract_e_signed=False, ozon_bank_payouts=False)
        >>> result = trusted_seller(seller, history=History(), today=date(2025, 3, 1))
        >>> result.trusted, result.days_on_platform, result.days_left, result.buyers_needed
        (False, 60, 1, 10)
        >>> print(result.describe())  # doctest: +NORMALIZE_WHITESPACE
        seller shop is not a trusted seller as of 2025-03-01: the contract is not verified
        with an electronic signature; 60 days on the platform, 1 more needed (more than 60
        from 2025-03-02); sales to 0 unique buyers, 10 more needed; payouts do not go to
        an Ozon Bank account
    """
    require(seller, Seller, "seller")
    require(history, History, "history")
    require_day(today, "today")
    warn_beyond_horizon(history, today, tz)
    buyers, unidentified, returned = _sales_to_buyers(history, seller.seller_id, day_end(today, tz))
    days_on_platform = days_left = first_day = None
    tenure: bool | None = None
    if seller.registered_on is not None:
        elapsed = (today - seller.registered_on).days  # 0 on the day of registration
        days_on_platform = max(0, elapsed + 1)
        days_left = max(0, _DAYS_OVER - elapsed)
        tenure = elapsed >= _DAYS_OVER
        try:
            first_day = seller.registered_on + timedelta(days=_DAYS_OVER)
        except OverflowError:  # registered in the last days a date holds
            first_day = None
    if buyers >= _UNIQUE_BUYERS:
        enough: bool | None = True
    else:
        enough = None if buyers + unidentified >= _UNIQUE_BUYERS else False
    needed = max(0, _UNIQUE_BUYERS - buyers)
    checks = (
        _flag_check(
            TrustRoute.E_SIGNATURE,
            flag=seller.contract_e_signed,
            field="contract_e_signed",
            yes="the contract is verified with an electronic signature",
            no="the contract is not verified with an electronic signature",
        ),
        RouteCheck(
            route=TrustRoute.TENURE_AND_BUYERS,
            holds=_all((tenure, enough)),
            reason=_tenure_reason(days_on_platform, days_left, first_day)
            + "; "
            + _buyers_reason(buyers, needed, unidentified),
        ),
        _flag_check(
            TrustRoute.OZON_BANK,
            flag=seller.ozon_bank_payouts,
            field="ozon_bank_payouts",
            yes="payouts go to an Ozon Bank account",
            no="payouts do not go to an Ozon Bank account",
        ),
    )
    unknown = tuple(
        field
        for field, value in (
            ("registered_on", seller.registered_on),
            ("contract_e_signed", seller.contract_e_signed),
            ("ozon_bank_payouts", seller.ozon_bank_payouts),
        )
        if value is None
    )
    return Eligibility(
        seller_id=seller.seller_id,
        today=today,
        trusted=any_holds(c.holds for c in checks),
        routes=tuple(c.route for c in checks if c.holds),
        checks=checks,
        days_on_platform=days_on_platform,
        days_left=days_left,
        first_day=first_day,
        unique_buyers=buyers,
        buyers_needed=needed,
        unidentified_sales=unidentified,
        returned_sales=returned,
        unknown=unknown,
    )


def _sales_to_buyers(history: History, seller_id: str, until: datetime) -> tuple[int, int, int]:
    """Count the seller's buyers with a sale kept before `until`, and the other sales.

    Returns the unique buyers, the kept sales whose order names no buyer, and the sales
    returned before `until`.
    """
    lines = history.lines
    placed = range(lines.placed_before(until))
    buyers: set[str] = set()
    unidentified = returned = 0
    for order, _, sold, back, _ in settled_rows(lines, placed, seller_id=seller_id, prices=False):
        if sold is None or sold >= until:
            continue  # not sold as of `until`: cancelled or in transit
        if back is not None and back < until:
            returned += 1
        elif order.buyer_id is None:
            unidentified += 1
        else:
            buyers.add(order.buyer_id)
    return len(buyers), unidentified, returned


def _flag_check(
    route: TrustRoute, *, flag: bool | None, field: str, yes: str, no: str
) -> RouteCheck:
    if flag is None:
        return RouteCheck(route=route, holds=None, reason=f"{field} is unknown")
    return RouteCheck(route=route, holds=flag, reason=yes if flag else no)


def _tenure_reason(days: int | None, left: int | None, first: date | None) -> str:
    if days is None or left is None:
        return "registered_on is unknown"
    if not left:
        return f"{days} days on the platform (more than {_DAYS_OVER})"
    since = "" if first is None else f" from {first.isoformat()}"
    return f"{days} days on the platform, {left} more needed (more than {_DAYS_OVER}{since})"


def _buyers_reason(buyers: int, needed: int, unidentified: int) -> str:
    said = f"sales to {buyers} unique buyers"
    said += f", {needed} more needed" if needed else f" ({_UNIQUE_BUYERS} needed)"
    if unidentified:
        said += f"; {unidentified} sales name no buyer and cannot be counted"
    return said


def _all(values: Iterable[bool | None]) -> bool | None:
    """Three-valued and: `False` if any is, `True` if all are, else unknown."""
    seen = tuple(values)
    if False in seen:
        return False
    return True if all(seen) else None
