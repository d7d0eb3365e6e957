"""Buyer tiers: a declarative policy of privileges and restrictions, and a buyer's status.

A marketplace grants privileges (free delivery, a loyalty discount) above some levels of a
buyer's figures and restricts buyers below others. It does not publish its thresholds, so
a policy is data: rules built in code, from a `dict`, or from TOML.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from datetime import date, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Literal, cast, get_args

import attrs
from dateutil.relativedelta import relativedelta

from redemption.calculators.buyer import (
    BuyerReport,
    Weight,
    buyer_redemption_percentage,
    buyer_reports,
)
from redemption.calculators.ransom import ransom_amount, ransom_amounts
from redemption.dates import MOSCOW
from redemption.errors import InvalidPeriodError, PolicyError
from redemption.history import History
from redemption.money import ZERO, written_decimal
from redemption.windows import TWO_YEARS, trailing_window

__all__ = [
    "BuyerStatus",
    "Decision",
    "Figure",
    "Kind",
    "Policy",
    "Rule",
    "buyer_status",
    "buyer_statuses",
]

Figure = Literal["percentage", "ransom", "shop_ransom"]
"""What a rule looks at: the buyer's redemption percentage (0-100), their ransom amount
in roubles, or their ransom amount with one shop (roubles, over the policy's shop window)."""

Kind = Literal["privilege", "restriction"]
"""Whether a rule grants something to the buyer or takes something away."""

_FIGURES: tuple[str, ...] = get_args(Figure)
_KINDS: tuple[str, ...] = get_args(Kind)
_WEIGHTS: tuple[str, ...] = get_args(Weight)
_HUNDRED = Decimal(100)
_LABELS = {"percentage": "redemption percentage", "ransom": "ransom", "shop_ransom": "shop ransom"}


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


@attrs.frozen(kw_only=True, init=False)
class Rule:
    """A privilege or restriction that applies while a figure is in ``[at_least, below)``.

    Rules of one `group` are levels of one thing (delivery, a discount): their ranges must
    not overlap, and they are listed from the lowest up.

    Args:
        name: what the buyer gets or loses, unique in a policy ("free delivery").
        kind: ``"privilege"`` or ``"restriction"``.
        figure: ``"percentage"``, ``"ransom"`` or ``"shop_ransom"``.
        at_least: the lowest value the rule applies at; ``None`` for no lower bound.
        below: the value from which the rule no longer applies; ``None`` for no upper bound.
        group: the thing whose levels the rule is one of; by default the rule stands alone.

    Raises:
        PolicyError: an unknown kind or figure, no bound at all, ``at_least >= below``, or a
            percentage outside 0-100 or a negative amount.

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

    def __init__(
        self,
        *,
        name: str,
        kind: Kind,
        figure: Figure,
        at_least: Decimal | str | float | None = None,
        below: Decimal | str | float | None = None,
        group: str | None = None,
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
        low, high = _threshold(at_least, name, "at_least"), _threshold(below, name, "below")
        if low is None and high is None:
            msg = f"rule {name!r}: give at_least, below or both"
            raise PolicyError(msg)
        if low is not None and high is not None and low >= high:
            msg = f"rule {name!r}: at_least {low} is not below {high}"
            raise PolicyError(msg)
        top = _HUNDRED if figure == "percentage" else None
        for value in (low, high):
            if value is not None and (value < 0 or (top is not None and value > top)):
                span = "0 to 100" if top is not None else "0 or more"
                msg = f"rule {name!r}: a {_LABELS[figure]} threshold must be {span}, not {value}"
                raise PolicyError(msg)
        if group is not None and not _is_name(group):
            msg = f"rule {name!r}: group must be a non-empty str or None, not {group!r}"
            raise PolicyError(msg)
        self.__attrs_init__(
            name=name, kind=kind, figure=figure, at_least=low, below=high, group=group
        )

    def applies_to(self, value: Decimal | Fraction) -> bool:
        """Whether the rule applies to a figure of `value`, compared exactly."""
        exact = Fraction(value)
        return (self.at_least is None or exact >= self.at_least) and (
            self.below is None or exact < self.below
        )

    def explain(self, value: Decimal | Fraction | None) -> str:
        """Say why the rule does or does not apply to a figure of `value`.

        The figure is shown with two places; where rounding would hide which side of a
        threshold it is on (66.666...% against 66.67), it is shown with more.
        """
        label = _LABELS[self.figure]
        if value is None:
            return f"no {label}: nothing placed yet, or only orders still in transit"
        exact = Fraction(value)
        shown = round(Decimal(exact.numerator) / Decimal(exact.denominator), 2)
        thresholds = [t for t in (self.at_least, self.below) if t is not None]
        if any((Fraction(shown) >= t) != (exact >= t) for t in thresholds):
            shown = round(Decimal(exact.numerator) / Decimal(exact.denominator), 6)
        bounds = []
        if self.at_least is not None:
            bounds.append(f"{'>=' if exact >= self.at_least else '<'} {self.at_least}")
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
        low = Decimal("-Infinity") if rule.at_least is None else rule.at_least
        before_low = Decimal("-Infinity") if before.at_least is None else before.at_least
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

    Args:
        rules: the rules, each group's from the lowest level up.
        ransom_window: how far back the ransom amount looks (two calendar years).
        shop_ransom_window: how far back the per-shop ransom amount looks: 364 days before
            `today`, so 365 days with `today`.
        weight: what the redemption percentage weighs: ``"count"`` or ``"price"``.

    Raises:
        PolicyError: two rules with one name, or a group whose rules overlap, are not listed
            from the lowest up, or look at different figures.

    .. versionadded:: 0.1.0
    """

    rules: tuple[Rule, ...] = attrs.field(converter=_rules)
    ransom_window: relativedelta | timedelta = TWO_YEARS
    shop_ransom_window: relativedelta | timedelta = timedelta(days=364)
    weight: Weight = "count"

    def __attrs_post_init__(self) -> None:
        """Check the windows, the weight, and the rules against each other."""
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
        ``{"days": 365}``), ``weight``.

        Raises:
            PolicyError: an unknown key, or any error a rule or the policy raises.
        """
        known = {"rule", "ransom_window", "shop_ransom_window", "weight"}
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
        return cls(rules=tuple(built), **settings)

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


@attrs.frozen(kw_only=True)
class Decision:
    """Whether one rule applies to a buyer, and why.

    Attributes:
        rule: the rule.
        value: the buyer's figure the rule looks at, with two places (`None` without one).
        applies: whether the rule applies, decided on the exact figure, not the rounded one.
        reason: the figure beside the rule's thresholds, in words.

    .. versionadded:: 0.1.0
    """

    rule: Rule
    value: Decimal | None
    applies: bool
    reason: str


@attrs.frozen(kw_only=True)
class BuyerStatus:
    """A buyer's figures and, for every rule of a policy, whether it applies and why.

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
) -> dict[str, BuyerStatus]:
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
        The status of each buyer, by buyer id, in buyer id order.

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
    statuses = {}
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
    figures: dict[str, Decimal | Fraction | None] = {
        "percentage": exact_percentage,
        "ransom": ransom,
        "shop_ransom": shop_ransom,
    }
    shown = {"percentage": report.percentage, "ransom": ransom, "shop_ransom": shop_ransom}
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
