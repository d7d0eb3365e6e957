"""Buyer tiers: a declarative policy of privileges and restrictions, and a buyer's status.

A marketplace grants privileges (free delivery, a loyalty discount) above some levels of a
buyer's figures and restricts buyers below others. It does not publish its thresholds, so
a policy is data: rules built in code, from a `dict`, or from TOML.

`EXAMPLE_POLICIES` holds examples of the rules reported for Wildberries, each with its date
and source: they are there to read and adapt, and nothing applies them unless asked.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Final, Literal, cast, get_args

import attrs
from dateutil.relativedelta import relativedelta

from redemption.calculators._tables import Column, ResultTable
from redemption.calculators.buyer import (
    BuyerReport,
    BuyerReports,
    Weight,
    buyer_redemption_percentage,
    buyer_reports,
)
from redemption.calculators.ransom import ransom_amount, ransom_amounts
from redemption.dates import MOSCOW
from redemption.errors import InvalidArgumentError, InvalidPeriodError, PolicyError
from redemption.history import History
from redemption.money import ZERO, percent, written_decimal
from redemption.windows import TWO_YEARS, trailing_window

__all__ = [
    "EXAMPLE_POLICIES",
    "BuyerStatus",
    "BuyerStatuses",
    "Decision",
    "Figure",
    "Kind",
    "Policy",
    "Rule",
    "buyer_status",
    "buyer_statuses",
    "example_policy",
]

Figure = Literal["percentage", "ransom", "shop_ransom", "return_share"]
"""What a rule looks at: the buyer's redemption percentage (0-100), their ransom amount
in roubles, their ransom amount with one shop (roubles, over the policy's shop window), or
their share of returns (0-100: sales returned over sales, of the orders the redemption
percentage counts; by count, whatever the policy's weight)."""

Kind = Literal["privilege", "restriction"]
"""Whether a rule grants something to the buyer or takes something away."""

_FIGURES: tuple[str, ...] = get_args(Figure)
_KINDS: tuple[str, ...] = get_args(Kind)
_WEIGHTS: tuple[str, ...] = get_args(Weight)
_HUNDRED = Decimal(100)
_LABELS = {
    "percentage": "redemption percentage",
    "ransom": "ransom",
    "shop_ransom": "shop ransom",
    "return_share": "return share",
}
_SHARES = frozenset({"percentage", "return_share"})  # figures from 0 to 100
_NO_VALUE = {
    "percentage": "nothing placed yet, or only orders still in transit",
    "return_share": "nothing sold yet",
}


def _is_name(value: object) -> bool:
    return isinstance(value, str) and bool(value)


def _rules(rules: Iterable[object]) -> tuple[Rule, ...]:
    checked = tuple(rules)
    for rule in checked:
        if not isinstance(rule, Rule):
            msg = f"a policy's rules must be Rule, not {type(rule).__name__} {rule!r}"
            raise PolicyError(msg)
    return cast("tuple[Rule, ...]", checked)


def _threshold(value: object, rule: str, field: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str | float):
        msg = f"rule {rule!r}: {field} must be a number, not {type(value).__name__} {value!r}"
        raise PolicyError(msg)
    try:
        number = written_decimal(value)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        msg = f"rule {rule!r}: {field} {value!r} is not a number"
        raise PolicyError(msg)
    return number


def _bounds(
    name: str, figure: str, at_least: object, above: object, below: object
) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """Check a rule's thresholds on their own and together: ``(at_least, above, below)``."""
    low, over = _threshold(at_least, name, "at_least"), _threshold(above, name, "above")
    high = _threshold(below, name, "below")
    if low is not None and over is not None:
        msg = f"rule {name!r}: give at_least or above, not both"
        raise PolicyError(msg)
    if low is None and over is None and high is None:
        msg = f"rule {name!r}: give at_least, below or both (or above instead of at_least)"
        raise PolicyError(msg)
    for bound, value in (("at_least", low), ("above", over)):
        if value is not None and high is not None and value >= high:
            msg = f"rule {name!r}: {bound} {value} is not below {high}"
            raise PolicyError(msg)
    top = _HUNDRED if figure in _SHARES else None
    for value in (low, over, high):
        if value is not None and (value < 0 or (top is not None and value > top)):
            span = "0 to 100" if top is not None else "0 or more"
            msg = f"rule {name!r}: a {_LABELS[figure]} threshold must be {span}, not {value}"
            raise PolicyError(msg)
    return low, over, high


@attrs.frozen(kw_only=True, init=False)
class Rule:
    """A privilege or restriction that applies while a figure is in ``[at_least, below)``.

    Where a threshold is *more than* a value ("a share of returns above 90%"), `above`
    takes the place of `at_least`: the rule applies while the figure is in
    ``(above, below)``.
    Rules of one `group` are levels of one thing (delivery, a discount): their ranges must
    not overlap, and they are listed from the lowest up.

    Args:
        name: what the buyer gets or loses, unique in a policy ("free delivery").
        kind: ``"privilege"`` or ``"restriction"``.
        figure: ``"percentage"``, ``"ransom"``, ``"shop_ransom"`` or ``"return_share"``.
        at_least: the lowest value the rule applies at; ``None`` for no lower bound.
        below: the value from which the rule no longer applies; ``None`` for no upper bound.
        group: the thing whose levels the rule is one of; by default the rule stands alone.
        above: the value the figure must be more than, instead of `at_least`.

    Raises:
        PolicyError: an unknown kind or figure, no bound at all, both `at_least` and
            `above`, a lower bound not below `below`, or a percentage or share outside
            0-100 or a negative amount.

    Example:
        >>> rule = Rule(name="free delivery", kind="privilege", figure="percentage", at_least=80)
        >>> rule.applies_to(Decimal("79.99")), rule.applies_to(Decimal(80))
        (False, True)

    .. versionadded:: 0.1.0
    """

    name: str
    kind: Kind
    figure: Figure
    at_least: Decimal | None = None
    below: Decimal | None = None
    group: str | None = None
    above: Decimal | None = None

    def __init__(
        self,
        *,
        name: str,
        kind: Kind,
        figure: Figure,
        at_least: Decimal | str | float | None = None,
        below: Decimal | str | float | None = None,
        group: str | None = None,
        above: Decimal | str | float | None = None,
    ) -> None:
        """Check the rule on its own; `Policy` checks rules against each other."""
        if not _is_name(name):
            msg = f"a rule's name must be a non-empty str, not {name!r}"
            raise PolicyError(msg)
        if kind not in _KINDS:
            msg = f"rule {name!r}: kind must be one of {', '.join(_KINDS)}, not {kind!r}"
            raise PolicyError(msg)
        if figure not in _FIGURES:
            msg = f"rule {name!r}: figure must be one of {', '.join(_FIGURES)}, not {figure!r}"
            raise PolicyError(msg)
        low, over, high = _bounds(name, figure, at_least, above, below)
        if group is not None and not _is_name(group):
            msg = f"rule {name!r}: group must be a non-empty str or None, not {group!r}"
            raise PolicyError(msg)
        self.__attrs_init__(
            name=name, kind=kind, figure=figure, at_least=low, below=high, group=group, above=over
        )

    @property
    def lowest(self) -> Decimal | None:
        """The rule's lower bound, `at_least` or `above`; `None` without one."""
        return self.at_least if self.above is None else self.above

    def applies_to(self, value: Decimal | Fraction) -> bool:
        """Whether the rule applies to a figure of `value`, compared exactly."""
        exact = Fraction(value)
        return (
            (self.at_least is None or exact >= self.at_least)
            and (self.above is None or exact > self.above)
            and (self.below is None or exact < self.below)
        )

    def explain(self, value: Decimal | Fraction | None) -> str:
        """Say why the rule does or does not apply to a figure of `value`.

        The figure is shown with two places; where rounding would hide which side of a
        threshold it is on (66.666...% against 66.67), it is shown with more.
        """
        label = _LABELS[self.figure]
        if value is None:
            return f"no {label}: {_NO_VALUE.get(self.figure, 'no figure')}"
        exact = Fraction(value)
        shown = round(Decimal(exact.numerator) / Decimal(exact.denominator), 2)
        thresholds = [t for t in (self.at_least, self.below) if t is not None]
        if any((Fraction(shown) >= t) != (exact >= t) for t in thresholds) or (
            self.above is not None and (Fraction(shown) > self.above) != (exact > self.above)
        ):
            shown = round(Decimal(exact.numerator) / Decimal(exact.denominator), 6)
        bounds = []
        if self.at_least is not None:
            bounds.append(f"{'>=' if exact >= self.at_least else '<'} {self.at_least}")
        if self.above is not None:
            bounds.append(f"{'>' if exact > self.above else '<='} {self.above}")
        if self.below is not None:
            bounds.append(f"{'<' if exact < self.below else '>='} {self.below}")
        return f"{label} {shown} " + " and ".join(bounds)


def _check_together(rules: tuple[Rule, ...]) -> None:
    names: set[str] = set()
    last: dict[str, Rule] = {}
    for rule in rules:
        if rule.name in names:
            msg = f"two rules are named {rule.name!r}"
            raise PolicyError(msg)
        names.add(rule.name)
        if rule.group is None:
            continue
        before = last.get(rule.group)
        last[rule.group] = rule
        if before is None:
            continue
        if before.figure != rule.figure:
            msg = (
                f"group {rule.group!r}: rule {rule.name!r} looks at {rule.figure}, "
                f"rule {before.name!r} at {before.figure}"
            )
            raise PolicyError(msg)
        # an `above` bound excludes its value, so a level may start above where one ends
        low = Decimal("-Infinity") if rule.lowest is None else rule.lowest
        before_low = Decimal("-Infinity") if before.lowest is None else before.lowest
        if low < before_low:
            msg = (
                f"group {rule.group!r}: rule {rule.name!r} is listed after {before.name!r} but "
                "starts lower; list a group's rules from the lowest up"
            )
            raise PolicyError(msg)
        if before.below is None or low < before.below:
            msg = f"group {rule.group!r}: rules {before.name!r} and {rule.name!r} overlap"
            raise PolicyError(msg)


def _window(value: object, field: str) -> relativedelta | timedelta:
    if isinstance(value, relativedelta | timedelta):
        return value
    if isinstance(value, Mapping):
        try:
            return relativedelta(**{str(k): v for k, v in value.items()})
        except TypeError as error:
            msg = f"{field}: {error}"
            raise PolicyError(msg) from None
    msg = f"{field} must be a table such as {{years = 2}} or {{days = 365}}, not {value!r}"
    raise PolicyError(msg)


@attrs.frozen(kw_only=True)
class Policy:
    """Rules that map a buyer's figures to privileges and restrictions.

    A policy may say where it comes from: its title, the day it took effect, its source and
    how far that source can be trusted, a note, and whether it is an example. The rules
    never read these: a policy applies the same on any `today`.

    Args:
        rules: the rules, each group's from the lowest level up.
        ransom_window: how far back the ransom amount looks (two calendar years).
        shop_ransom_window: how far back the per-shop ransom amount looks: 364 days before
            `today`, so 365 days with `today`.
        weight: what the redemption percentage weighs: ``"count"`` or ``"price"``.
        title: what the policy is, in a line.
        effective_from: the day it took effect, where known.
        source: where it is described.
        confidence: how strong that source is (``"press"``, ``"press + WB statement"``).
        note: what else a reader should know: what the rules leave out, and why.
        example: whether the policy is an example to adapt, not the marketplace's own rule.

    Raises:
        PolicyError: two rules with one name, or a group whose rules overlap, are not listed
            from the lowest up, or look at different figures; a text field that is not a
            non-empty str, `effective_from` that is not a date, or `example` not a bool.

    Example:
        Delivery is paid below a redemption percentage of 40, weighed by price; as TOML:

        >>> policy = Policy.from_toml('''
        ... weight = "price"
        ... [[rule]]
        ... name = "paid delivery"
        ... kind = "restriction"
        ... figure = "percentage"
        ... below = 40
        ... ''')
        >>> policy.weight, policy.figures, policy.rules[0].applies_to(Decimal("39.99"))
        ('price', frozenset({'percentage'}), True)

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       `title`, `effective_from`, `source`, `confidence`, `note` and `example`.
    """

    rules: tuple[Rule, ...] = attrs.field(converter=_rules)
    ransom_window: relativedelta | timedelta = TWO_YEARS
    shop_ransom_window: relativedelta | timedelta = timedelta(days=364)
    weight: Weight = "count"
    title: str | None = None
    effective_from: date | None = None
    source: str | None = None
    confidence: str | None = None
    note: str | None = None
    example: bool = False

    def __attrs_post_init__(self) -> None:
        """Check the windows, the weight, what the policy says of itself, and the rules."""
        _check_about(self)
        for field in ("ransom_window", "shop_ransom_window"):
            try:
                trailing_window(date(2000, 1, 1), getattr(self, field))
            except InvalidPeriodError as error:
                msg = f"{field}: {error}"
                raise PolicyError(msg) from None
        if self.weight not in _WEIGHTS:
            msg = f"weight must be one of {', '.join(_WEIGHTS)}, not {self.weight!r}"
            raise PolicyError(msg)
        _check_together(self.rules)

    @property
    def figures(self) -> frozenset[str]:
        """The figures the rules look at."""
        return frozenset(rule.figure for rule in self.rules)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        """Build a policy from plain data: a ``rule`` list of tables, and optional settings.

        Keys: ``rule`` (a list of tables with `Rule`'s fields), ``ransom_window`` and
        ``shop_ransom_window`` (tables of `relativedelta` arguments, such as
        ``{"days": 365}``), ``weight``, and what the policy says of itself: ``title``,
        ``effective_from`` (a date, or its ISO text ``"2025-05-01"``), ``source``,
        ``confidence``, ``note``, ``example``.

        Raises:
            PolicyError: an unknown key, or any error a rule or the policy raises.
        """
        known = {"rule", "ransom_window", "shop_ransom_window", "weight", *_ABOUT}
        unknown = sorted(set(data) - known)
        if unknown:
            msg = f"unknown policy keys: {', '.join(unknown)}; expected {', '.join(sorted(known))}"
            raise PolicyError(msg)
        rules = data.get("rule", [])
        if not isinstance(rules, Iterable) or isinstance(rules, str | Mapping):
            msg = f"rule must be a list of tables, not {rules!r}"
            raise PolicyError(msg)
        built = []
        for position, rule in enumerate(rules):
            if not isinstance(rule, Mapping):
                msg = f"rule[{position}] must be a table, not {rule!r}"
                raise PolicyError(msg)
            try:
                built.append(Rule(**rule))
            except TypeError as error:
                msg = f"rule[{position}]: {error}"
                raise PolicyError(msg) from None
        settings: dict[str, Any] = {}
        for field in ("ransom_window", "shop_ransom_window"):
            if field in data:
                settings[field] = _window(data[field], field)
        if "weight" in data:
            settings["weight"] = data["weight"]
        return cls(rules=tuple(built), **settings, **_about(data))

    @classmethod
    def from_toml(cls, text: str) -> Policy:
        """Build a policy from TOML text, with the keys of `from_dict`.

        Raises:
            PolicyError: the text is not TOML, or `from_dict` refuses it.
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            msg = f"policy is not valid TOML: {error}"
            raise PolicyError(msg) from None
        return cls.from_dict(data)


_ABOUT: Final = ("title", "effective_from", "source", "confidence", "note", "example")
"""The fields in which a policy says what it is; no rule reads them."""


def _about(data: Mapping[str, Any]) -> dict[str, Any]:
    """What policy data says of the policy; an ISO date's text is read as its day."""
    about = {field: data[field] for field in _ABOUT if field in data}
    day = about.get("effective_from")
    if isinstance(day, str):
        try:
            about["effective_from"] = date.fromisoformat(day)
        except ValueError:
            msg = f"effective_from {day!r} is not a date such as 2025-05-01"
            raise PolicyError(msg) from None
    return about


def _check_about(policy: Policy) -> None:
    for field in ("title", "source", "confidence", "note"):
        value = getattr(policy, field)
        if value is not None and not _is_name(value):
            msg = f"{field} must be a non-empty str or None, not {value!r}"
            raise PolicyError(msg)
    day: object = policy.effective_from
    if day is not None and (not isinstance(day, date) or isinstance(day, datetime)):
        msg = f"effective_from must be a date or None, not {type(day).__name__} {day!r}"
        raise PolicyError(msg)
    example: object = policy.example
    if not isinstance(example, bool):
        msg = f"example must be a bool, not {type(example).__name__} {example!r}"
        raise PolicyError(msg)


@attrs.frozen(kw_only=True)
class Decision:
    """Whether one rule applies to a buyer, and why.

    Attributes:
        rule: the rule.
        value: the buyer's figure the rule looks at, with two places (`None` without one).
        applies: whether the rule applies, decided on the exact figure, not the rounded one.
        reason: the figure beside the rule's thresholds, in words.

    Example:
        A buyer whose one order was refused, under a rule on the redemption percentage:

        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, History, Order
        >>> at = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
        >>> history = History(orders=[Order(order_id="1", seller_id="s", sku="k", price=500,
        ...                                 ordered_at=at, buyer_id="b", cancelled_at=at)])
        >>> policy = Policy(rules=[
        ...     Rule(name="paid delivery", kind="restriction", figure="percentage", below=40)])
        >>> status = buyer_status(history, "b", today=date(2025, 4, 30), policy=policy)
        >>> [(d.rule.name, d.value, d.applies, d.reason) for d in status.decisions]
        [('paid delivery', Decimal('0.00'), True, 'redemption percentage 0.00 < 40')]

    .. versionadded:: 0.1.0
    """

    rule: Rule
    value: Decimal | None
    applies: bool
    reason: str


@attrs.frozen(kw_only=True)
class BuyerStatus:
    """A buyer's figures and, for every rule of a policy, whether it applies and why.

    Example:
        A buyer who kept one order of two:

        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, History, Order, Sale
        >>> at = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
        >>> def order(order_id, **more):
        ...     return Order(order_id=order_id, seller_id="s", sku="k", price=1200, ordered_at=at,
        ...                  buyer_id="b", **more)
        >>> history = History(orders=[order("1"), order("2", cancelled_at=at)],
        ...                   sales=[Sale(order_id="1", sold_at=at)])
        >>> policy = Policy(rules=[
        ...     Rule(name="paid delivery", kind="restriction", figure="percentage", below=60)])
        >>> status = buyer_status(history, "b", today=date(2025, 4, 30), policy=policy)
        >>> status.report.percentage, status.ransom, status.privileges, status.restrictions
        (Decimal('50.00'), Decimal('1200.00'), (), ('paid delivery',))

    .. versionadded:: 0.1.0
    """

    buyer_id: str
    report: BuyerReport
    ransom: Decimal
    shop_ransom: Decimal | None
    decisions: tuple[Decision, ...]

    @property
    def privileges(self) -> tuple[str, ...]:
        """The names of the privileges that apply, in the policy's order."""
        return tuple(
            d.rule.name for d in self.decisions if d.applies and d.rule.kind == "privilege"
        )

    @property
    def restrictions(self) -> tuple[str, ...]:
        """The names of the restrictions that apply, in the policy's order."""
        return tuple(
            d.rule.name for d in self.decisions if d.applies and d.rule.kind == "restriction"
        )


class BuyerStatuses(ResultTable[str, BuyerStatus]):
    """Every buyer's status under a policy: a `dict` of `BuyerStatus` that is a table too.

    ``to_pandas()``, ``to_polars()`` and ``to_arrow()`` give one row per buyer: the columns
    of `BuyerReports` up to ``rate`` (``buyer_id``, ``placed``, ``sold``, ``returned``,
    ``in_transit``, ``rate``, and by price ``placed_kopecks`` and ``kept_kopecks``), then
    ``ransom_kopecks`` and, when a shop was given, ``shop_ransom_kopecks`` (``Int64``), then
    one ``Boolean`` column per rule of the policy, in its order, named by the rule's kind and
    name (``"privilege: free delivery"``: whether it applies), and the orders window
    (``orders_first``, ``orders_last``). `redemption.frames` has no statuses: a policy
    is data the frames do not read.

    Args:
        statuses: the status of each buyer, by buyer id.
        policy: the policy they were decided by.
        shop: whether a shop's ransom amounts were computed (``shop_ransom`` is known).

    Example:
        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, History, Order, Sale
        >>> at = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
        >>> history = History(
        ...     orders=[Order(order_id=str(i), seller_id="s", sku="k", price=900, ordered_at=at,
        ...                   buyer_id=b) for i, b in enumerate("xy")],
        ...     sales=[Sale(order_id="0", sold_at=at)],
        ... )
        >>> policy = Policy(rules=[
        ...     Rule(name="free delivery", kind="privilege", figure="percentage", at_least=80),
        ... ])
        >>> table = buyer_statuses(history, today=date(2025, 4, 30), policy=policy).to_polars()
        >>> table.select("buyer_id", "ransom_kopecks", "privilege: free delivery").rows()
        [('x', 90000, True), ('y', 0, False)]

    .. versionadded:: 0.2.0
    """

    __slots__ = ("policy", "shop")

    noun = "buyer"

    policy: Policy
    """The policy the statuses were decided by."""
    shop: bool
    """Whether the statuses know a shop's ransom amount."""

    def __init__(
        self,
        statuses: Mapping[str, BuyerStatus] | None = None,
        /,
        *,
        policy: Policy,
        shop: bool = False,
    ) -> None:
        """Hold `statuses`, decided by `policy`, with a shop's ransom amounts or not."""
        super().__init__(statuses or {})
        self.policy = policy
        self.shop = shop

    def columns(self, keys: Sequence[str], statuses: Sequence[BuyerStatus]) -> list[Column]:
        """The buyer report's columns, the ransom amounts, a flag per rule, the window."""
        reports = BuyerReports(weight=self.policy.weight).columns(
            keys, [status.report for status in statuses]
        )
        *figures, first, last = reports
        ransoms = [Column("ransom_kopecks", "kopecks", [s.ransom for s in statuses])]
        if self.shop:
            ransoms.append(
                Column("shop_ransom_kopecks", "kopecks", [s.shop_ransom for s in statuses])
            )
        rules = [
            Column(f"{rule.kind}: {rule.name}", "flag", [s.decisions[n].applies for s in statuses])
            for n, rule in enumerate(self.policy.rules)
        ]
        return [*figures, *ransoms, *rules, first, last]


def buyer_status(
    history: History,
    buyer_id: str,
    *,
    today: date,
    policy: Policy,
    seller_id: str | None = None,
    tz: tzinfo = MOSCOW,
) -> BuyerStatus:
    """Return which of the policy's privileges and restrictions apply to a buyer, and why.

    Args:
        history: the orders, sales and returns.
        buyer_id: the buyer.
        today: the day the figures are computed on.
        policy: the rules.
        seller_id: the shop whose per-shop ransom amount ``shop_ransom`` rules look at.
        tz: the zone whose calendar days the windows are made of.

    Raises:
        PolicyError: the policy has ``shop_ransom`` rules and no `seller_id` is given.
        ArgumentTypeError: `today` is not a date.

    Example:
        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, History, Order, Sale
        >>> at = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
        >>> history = History(
        ...     orders=[Order(order_id="1", seller_id="s", sku="k", price=1200, ordered_at=at,
        ...                   buyer_id="b")],
        ...     sales=[Sale(order_id="1", sold_at=at)],
        ... )
        >>> policy = Policy(rules=[
        ...     Rule(name="free delivery", kind="privilege", figure="percentage", at_least=80),
        ...     Rule(name="3% off", kind="privilege", figure="shop_ransom", at_least=1000),
        ... ])
        >>> status = buyer_status(history, "b", today=date(2025, 4, 30), policy=policy,
        ...                       seller_id="s")
        >>> status.privileges
        ('free delivery', '3% off')
        >>> [d.reason for d in status.decisions]
        ['redemption percentage 100.00 >= 80', 'shop ransom 1200.00 >= 1000']

    .. versionadded:: 0.1.0
    """
    _need_shop(policy, seller_id)
    report = buyer_redemption_percentage(
        history, buyer_id, today=today, tz=tz, weight=policy.weight
    )
    ransom = ransom_amount(history, buyer_id, today=today, tz=tz, window=policy.ransom_window)
    shop_ransom = (
        None
        if seller_id is None
        else ransom_amount(
            history,
            buyer_id,
            today=today,
            tz=tz,
            window=policy.shop_ransom_window,
            seller_id=seller_id,
        )
    )
    return _decide(policy, report, ransom, shop_ransom)


def buyer_statuses(
    history: History,
    *,
    today: date,
    policy: Policy,
    seller_id: str | None = None,
    tz: tzinfo = MOSCOW,
) -> BuyerStatuses:
    """Return the status of every buyer with an order placed by `today`, in a few passes.

    Each status is the one `buyer_status` gives; the figures are computed for all buyers
    at once (`buyer_reports`, `ransom_amounts`), so this costs about as much as one buyer.

    Args:
        history: the orders, sales and returns.
        today: the day the figures are computed on.
        policy: the rules.
        seller_id: the shop whose per-shop ransom amount ``shop_ransom`` rules look at.
        tz: the zone whose calendar days the windows are made of.

    Returns:
        The status of each buyer, by buyer id, in buyer id order: a `BuyerStatuses`, a
        `dict` that turns into a table (``to_pandas()``, ``to_polars()``, ``to_arrow()``).

    Raises:
        PolicyError: the policy has ``shop_ransom`` rules and no `seller_id` is given.
        ArgumentTypeError: `today` is not a date.

    Example:
        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, History, Order, Sale
        >>> at = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
        >>> history = History(
        ...     orders=[Order(order_id=str(i), seller_id="s", sku="k", price=900, ordered_at=at,
        ...                   buyer_id=b) for i, b in enumerate("xy")],
        ...     sales=[Sale(order_id="0", sold_at=at)],
        ... )
        >>> policy = Policy(rules=[
        ...     Rule(name="free delivery", kind="privilege", figure="percentage", at_least=80),
        ... ])
        >>> statuses = buyer_statuses(history, today=date(2025, 4, 30), policy=policy)
        >>> {buyer: status.privileges for buyer, status in statuses.items()}
        {'x': ('free delivery',), 'y': ()}

    .. versionadded:: 0.1.0
    """
    _need_shop(policy, seller_id)
    reports = buyer_reports(history, today=today, tz=tz, weight=policy.weight)
    ransoms = ransom_amounts(history, today=today, tz=tz, window=policy.ransom_window)
    shop_ransoms = (
        {}
        if seller_id is None
        else ransom_amounts(
            history, today=today, tz=tz, window=policy.shop_ransom_window, seller_id=seller_id
        )
    )
    window = trailing_window(today)
    nothing = ZERO if policy.weight == "price" else None
    statuses = BuyerStatuses(policy=policy, shop=seller_id is not None)
    for buyer in sorted(ransoms):
        report = reports.get(buyer) or BuyerReport(
            buyer, 0, 0, 0, 0, policy.weight, window, nothing, nothing
        )
        shop_ransom = None if seller_id is None else shop_ransoms.get(buyer, ZERO)
        statuses[buyer] = _decide(policy, report, ransoms[buyer], shop_ransom)
    return statuses


def _need_shop(policy: Policy, seller_id: str | None) -> None:
    if "shop_ransom" in policy.figures and seller_id is None:
        msg = "the policy has shop_ransom rules: give the seller_id of the shop"
        raise PolicyError(msg)


def _decide(
    policy: Policy, report: BuyerReport, ransom: Decimal, shop_ransom: Decimal | None
) -> BuyerStatus:
    """Apply every rule of the policy to a buyer's figures."""
    exact_percentage = None if report.rate is None else report.rate * 100
    returns = Fraction(report.returned, report.sold) if report.sold else None
    figures: dict[str, Decimal | Fraction | None] = {
        "percentage": exact_percentage,
        "ransom": ransom,
        "shop_ransom": shop_ransom,
        "return_share": None if returns is None else returns * 100,
    }
    shown = {
        "percentage": report.percentage,
        "ransom": ransom,
        "shop_ransom": shop_ransom,
        "return_share": None if returns is None else percent(returns),
    }
    decisions = []
    for rule in policy.rules:
        value = figures[rule.figure]
        decisions.append(
            Decision(
                rule=rule,
                value=shown[rule.figure],
                applies=value is not None and rule.applies_to(value),
                reason=rule.explain(value),
            )
        )
    return BuyerStatus(
        buyer_id=report.buyer_id,
        report=report,
        ransom=ransom,
        shop_ransom=shop_ransom,
        decisions=tuple(decisions),
    )


EXAMPLE_POLICIES: Final[Mapping[str, Policy]] = MappingProxyType(
    {
        "wb-2025-05-paid-delivery": Policy(
            rules=(Rule(name="paid delivery", kind="restriction", figure="percentage", below=40),),
            title=(
                "Wildberries: delivery to the pick-up point is paid for buyers whose "
                "redemption percentage is below 40%"
            ),
            effective_from=date(2025, 5, 1),
            source=(
                "WB support, as the press reported it (Vedomosti via finance-rambler.ru; "
                "sostav.ru, 2025-08-22); the WB press office says delivery may be paid for "
                "a low share of redemptions, with distance and delivery method, and names "
                "no threshold"
            ),
            confidence="press + WB statement",
            note=(
                "Since May 2025: the day is not given, the 1st stands for it. The 40% is "
                "what support said; the tariffs are not disclosed and are built into the price."
            ),
            example=True,
        ),
        "wb-early-paid-return": Policy(
            rules=(
                Rule(
                    name="paid return, 100 RUB per item",
                    kind="restriction",
                    figure="percentage",
                    below=10,
                ),
            ),
            title=(
                "Wildberries: a return costs the buyer 100 RUB per item when more than 90% "
                "of what they order comes back"
            ),
            source=(
                "gazetabiznes.ru (undated); restated by WB in May 2022 (tellerreport.com, "
                "2022-05-24; fotkaew.ru; informburodata.com)"
            ),
            confidence="press",
            note=(
                "Undated; expected to touch at most 5% of buyers. The fee is for goods "
                "refused at the pick-up point as well as those returned after purchase, so "
                "'more than 90% returned' is read as a redemption percentage below 10% "
                "(orders kept over orders placed; a cancellation before handover counts too, "
                "as the percentage counts it). The May 2022 restatement names 'a high share "
                "of returns and/or a low ransom amount', and new clients, with a fee that may "
                "vary by region: no threshold is published for the ransom amount or for new "
                "clients, so only the share is expressed."
            ),
            example=True,
        ),
        "wb-2026-loyalty-discount": Policy(
            rules=(
                Rule(
                    name="loyalty discount 5%",
                    kind="privilege",
                    figure="shop_ransom",
                    at_least=5000,
                ),
            ),
            shop_ransom_window=timedelta(days=364),
            title=(
                "Wildberries seller's loyalty discount: 5% for buyers who bought 5,000 RUB "
                "from the shop over 365 days (an example threshold and discount: set your own)"
            ),
            effective_from=date(2026, 1, 1),
            source="rb.ru (2026-01-15); deliver-2.com; vc.ru (retail/2691000)",
            confidence="press",
            note=(
                "A test from January 2026 (the day is not given: the 1st stands for it). The "
                "seller sets the threshold, 1,000 to 100,000 RUB bought from the shop over the "
                "last 365 days, and the discount, 3% to 50%, for at least 30 days: 5,000 RUB "
                "and 5% are placeholders to replace. It looks at one shop: give its seller_id."
            ),
            example=True,
        ),
    }
)
"""Example policies of the buyer-side rules reported for Wildberries, by name.

Each says its date, its source and how strong that is; none is the marketplace's published
rule (it publishes none), and nothing uses them unless asked: pass one to `buyer_statuses`
to see which of your buyers such a rule would touch. `example_policy` returns one by name.

- ``wb-2025-05-paid-delivery``: delivery is paid below a redemption percentage of 40%
  (from May 2025; press + WB statement).
- ``wb-early-paid-return``: a return costs 100 RUB per item above a 90% share of returns
  (undated, restated May 2022; press).
- ``wb-2026-loyalty-discount``: the seller's own loyalty discount by ransom with the shop
  over 365 days (a test from January 2026; press), with a threshold to replace.

.. versionadded:: 0.2.0
"""


def example_policy(name: str) -> Policy:
    """Return the example policy of that name (see `EXAMPLE_POLICIES`).

    Raises:
        InvalidArgumentError: there is no example of that name; the message lists them.

    Example:
        >>> from datetime import date, datetime
        >>> from redemption import MOSCOW, History, Order, Return, Sale
        >>> at = datetime(2025, 6, 2, 12, tzinfo=MOSCOW)
        >>> history = History(
        ...     orders=[Order(order_id=str(i), seller_id="s", sku="k", price=700, ordered_at=at,
        ...                   buyer_id="b" if i < 3 else "c") for i in range(4)],
        ...     sales=[Sale(order_id=str(i), sold_at=at) for i in range(4)],
        ...     returns=[Return(order_id=str(i), returned_at=at) for i in (1, 2)],
        ... )
        >>> policy = example_policy("wb-2025-05-paid-delivery")
        >>> policy.example, policy.effective_from, policy.confidence
        (True, datetime.date(2025, 5, 1), 'press + WB statement')
        >>> statuses = buyer_statuses(history, today=date(2025, 6, 30), policy=policy)
        >>> {buyer: status.restrictions for buyer, status in statuses.items()}
        {'b': ('paid delivery',), 'c': ()}

    .. versionadded:: 0.2.0
    """
    policy = EXAMPLE_POLICIES.get(name)
    if policy is None:
        msg = f"no example policy {name!r}; the examples are {', '.join(EXAMPLE_POLICIES)}"
        raise InvalidArgumentError(msg)
    return policy
