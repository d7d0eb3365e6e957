"""Why an order was not redeemed: the kinds of cancellations and returns, and their reasons.

A cancelled order says who or what ended it (`CancelKind`), a return how it came back
(`ReturnKind`); either may carry a `Reason`: a `ReasonCategory` and the marketplace's own
words for it. Each member's ``value`` is the lower-case word order-line files and frames
write (``CancelKind.NOT_COLLECTED.value == "not_collected"``).

Kinds and reasons say *why*; they never change *whether*: every figure counts a cancelled
order, a sale and a return the same whatever their kind and reason.
"""

from __future__ import annotations

import enum

import attrs

from redemption.errors import RecordTypeError

__all__ = ["CancelKind", "Reason", "ReasonCategory", "ReturnKind"]


class CancelKind(enum.Enum):
    """Who or what ended an order without a purchase.

    Example:
        An order refused at the pick-up point; order-lines files write the kind's value:

        >>> from datetime import datetime
        >>> from redemption import MOSCOW, CancelKind, Order
        >>> order = Order(order_id="srid-1", seller_id="s", sku="nm-42", price=990,
        ...               ordered_at=datetime(2025, 4, 1, 10, tzinfo=MOSCOW),
        ...               cancelled_at=datetime(2025, 4, 6, 18, tzinfo=MOSCOW),
        ...               cancel_kind=CancelKind.REFUSED)
        >>> order.cancel_kind, order.cancel_kind.value, CancelKind("not_collected")
        (<CancelKind.REFUSED: 'refused'>, 'refused', <CancelKind.NOT_COLLECTED: 'not_collected'>)
        >>> [kind.value for kind in CancelKind]
        ['buyer', 'seller', 'marketplace', 'refused', 'not_collected', 'unknown']

    .. versionadded:: 0.1.0
    """

    BUYER = "buyer"
    """Cancelled by the buyer before the order was handed over."""
    SELLER = "seller"
    """Cancelled by the seller, or for the seller's fault (not shipped, out of stock)."""
    MARKETPLACE = "marketplace"
    """Cancelled by the marketplace, its systems or its delivery service."""
    REFUSED = "refused"
    """Refused by the buyer at the pick-up point or at the door (отказ)."""
    NOT_COLLECTED = "not_collected"
    """Left at the pick-up point until its storage ran out."""
    UNKNOWN = "unknown"
    """The source does not say (Wildberries ``isCancel``)."""


class ReturnKind(enum.Enum):
    """How a sold order came back.

    Example:
        A unit the buyer refused at handover, which the source reports as a return:

        >>> from datetime import datetime
        >>> from redemption import MOSCOW, Return, ReturnKind
        >>> back = Return(order_id="srid-1", returned_at=datetime(2025, 4, 3, 10, tzinfo=MOSCOW),
        ...               kind=ReturnKind.REFUSED_AT_HANDOVER)
        >>> back.kind, Return(order_id="srid-2", returned_at=back.returned_at).kind
        (<ReturnKind.REFUSED_AT_HANDOVER: 'refused_at_handover'>, <ReturnKind.UNKNOWN: 'unknown'>)
        >>> [kind.value for kind in ReturnKind]
        ['return', 'refused_at_handover', 'unknown']

    .. versionadded:: 0.1.0
    """

    RETURN = "return"
    """Brought back by the buyer after the purchase (возврат)."""
    REFUSED_AT_HANDOVER = "refused_at_handover"
    """Refused at handover, where the source reports the refusal as a return of a delivered
    unit (Ozon ``FullReturn`` and ``PartialReturn``)."""
    UNKNOWN = "unknown"
    """The source does not say."""


class ReasonCategory(enum.Enum):
    """What a reason for a cancellation or return is about.

    Example:
        A return because the size did not fit, with the marketplace's words:

        >>> from datetime import datetime
        >>> from redemption import MOSCOW, Reason, ReasonCategory, Return
        >>> back = Return(order_id="srid-1", returned_at=datetime(2025, 4, 9, tzinfo=MOSCOW),
        ...               reason=Reason(ReasonCategory.SIZE_FIT, "не подошёл размер"))
        >>> back.reason.category, ReasonCategory("quality_defect")
        (<ReasonCategory.SIZE_FIT: 'size_fit'>, <ReasonCategory.QUALITY_DEFECT: 'quality_defect'>)
        >>> [category.value for category in ReasonCategory]
        ['size_fit', 'appearance', 'quality_defect', 'wrong_item', 'counterfeit', 'changed_mind',
         'delivery', 'not_collected', 'seller_fault', 'other', 'unknown']

    .. versionadded:: 0.1.0
    """

    SIZE_FIT = "size_fit"
    """The size or fit: "не подошёл"."""
    APPEARANCE = "appearance"
    """The colour or look."""
    QUALITY_DEFECT = "quality_defect"
    """A defect, damage or poor quality."""
    WRONG_ITEM = "wrong_item"
    """Not the item ordered, or incomplete."""
    COUNTERFEIT = "counterfeit"
    """Not genuine."""
    CHANGED_MIND = "changed_mind"
    """The buyer changed their mind, or found it cheaper."""
    DELIVERY = "delivery"
    """Delivery: too slow, postponed, not possible, lost."""
    NOT_COLLECTED = "not_collected"
    """The buyer did not collect the order from the pick-up point."""
    SELLER_FAULT = "seller_fault"
    """The seller's fault: not shipped in time, out of stock, wrong card data."""
    OTHER = "other"
    """A reason given, in words no table in use knows: its text says what it is."""
    UNKNOWN = "unknown"
    """No reason given."""


@attrs.frozen(slots=True)
class Reason:
    """Why an order was cancelled or returned: a category, and the marketplace's words.

    Importers share one `Reason` between every order with the same words, so a history
    holds one per distinct reason, not one per order.

    Args:
        category: what the reason is about.
        text: the marketplace's own words, kept as given; ``None`` where it gave none.

    Raises:
        RecordTypeError: `category` is not a `ReasonCategory`, or `text` not a `str`.

    Example:
        >>> Reason(ReasonCategory.SIZE_FIT, "Покупатель отказался при вручении: товар не подошел")
        Reason(category=<ReasonCategory.SIZE_FIT: 'size_fit'>, text='Покупатель отказался при вручении: товар не подошел')

    .. versionadded:: 0.1.0
    """  # noqa: E501 - a doctest's output is one line

    category: ReasonCategory
    text: str | None = None

    def __attrs_post_init__(self) -> None:
        """Check the types, since a reason is kept on records as it is."""
        _require(self.category, ReasonCategory, "a reason's category")
        if self.text is not None:
            _require(self.text, str, "a reason's text")


def _require(value: object, kind: type, what: str) -> None:
    if not isinstance(value, kind):
        msg = f"{what} must be a {kind.__name__}, not {type(value).__name__} {value!r}"
        raise RecordTypeError(msg)
