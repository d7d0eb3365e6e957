from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from redemption import (
    MOSCOW,
    History,
    InvalidArgumentError,
    Order,
    Policy,
    PolicyError,
    Return,
    Rule,
    Sale,
    Weight,
    buyer_redemption_percentage,
    buyer_status,
    buyer_statuses,
)
from redemption.policy import EXAMPLE_POLICIES, example_policy
from tests.builders import an_order, msk
from tests.strategies import Scenario, scenarios

EXAMPLE = """
shop_ransom_window = {days = 365}

[[rule]]
name = "paid delivery"
kind = "restriction"
group = "delivery"
figure = "percentage"
below = 40

[[rule]]
name = "free delivery"
kind = "privilege"
group = "delivery"
figure = "percentage"
at_least = 80

[[rule]]
name = "loyalty discount 3%"
kind = "privilege"
figure = "shop_ransom"
at_least = 1000
"""


def history(kept: int, returned: int, price: int = 500) -> History:
    """A buyer's orders from shop `s`, on 1 April 2025: `kept` kept, `returned` returned."""
    at = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
    n = kept + returned
    return History(
        orders=[
            Order(order_id=str(i), seller_id="s", sku="k", price=price, ordered_at=at, buyer_id="b")
            for i in range(n)
        ],
        sales=[Sale(order_id=str(i), sold_at=at) for i in range(n)],
        returns=[Return(order_id=str(i), returned_at=at) for i in range(kept, n)],
    )


def rule(**fields: Any) -> Rule:
    """A rule with defaults for the fields a test does not care about."""
    return Rule(**({"name": "r", "kind": "privilege", "figure": "percentage"} | fields))


class TestBuildingAPolicy:
    def test_a_policy_loads_from_toml(self) -> None:
        """
        The example policy of the docs loads, with its settings and rules in order.
        """
        policy = Policy.from_toml(EXAMPLE)
        assert [r.name for r in policy.rules] == [
            "paid delivery",
            "free delivery",
            "loyalty discount 3%",
        ]
        assert policy.shop_ransom_window == relativedelta(days=365)
        assert policy.rules[0].below == Decimal(40)
        assert policy.figures == {"percentage", "shop_ransom"}

    @pytest.mark.parametrize(
        ("rules", "message"),
        [
            (
                [
                    rule(name="a", group="g", at_least=50),
                    rule(name="b", group="g", at_least=10, below=40),
                ],
                "starts lower",
            ),
            (
                [
                    rule(name="a", group="g", below=60),
                    rule(name="b", group="g", at_least=50),
                ],
                "overlap",
            ),
            (
                [
                    rule(name="a", group="g", at_least=80),
                    rule(name="b", group="g", at_least=90),
                ],
                "overlap",
            ),
            (
                [
                    rule(name="a", group="g", below=40),
                    rule(name="b", group="g", figure="ransom", at_least=40),
                ],
                "looks at ransom",
            ),
            ([rule(name="a", below=40), rule(name="a", at_least=80)], "two rules are named 'a'"),
        ],
    )
    def test_overlapping_or_unordered_levels_are_refused_when_built(
        self, rules: list[Rule], message: str
    ) -> None:
        """
        A group's levels must not overlap and are listed from the lowest up.
        """
        with pytest.raises(PolicyError, match=message):
            Policy(rules=rules)

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"at_least": 50, "below": 50}, "is not below"),
            ({"at_least": 70, "below": 60}, "is not below"),
            ({}, "give at_least, below or both"),
            ({"at_least": 101}, "0 to 100"),
            ({"figure": "ransom", "at_least": -1}, "0 or more"),
            ({"figure": "karma", "at_least": 1}, "figure must be one of"),
            ({"kind": "perk", "at_least": 1}, "kind must be one of"),
            ({"name": "", "at_least": 1}, "non-empty"),
            ({"at_least": "lots"}, "is not a number"),
            ({"at_least": [1]}, "must be a number"),
        ],
    )
    def test_a_malformed_rule_is_refused(self, fields: dict[str, Any], message: str) -> None:
        """
        Each malformed rule raises a PolicyError that says what is wrong.
        """
        with pytest.raises(PolicyError, match=message) as caught:
            rule(**fields)
        assert isinstance(caught.value, ValueError)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("[[rule]]\nname = ", "not valid TOML"),
            ("colour = 'red'", "unknown policy keys: colour"),
            ("rule = 3", "list of tables"),
            ("[[rule]]\nname = 'x'\nflavour = 1", r"rule\[0\]: .*flavour"),
            ("ransom_window = 3", "ransom_window must be a table"),
            ("ransom_window = {aeons = 2}", "ransom_window"),
            ("weight = 'mass'\nrule = []", "weight must be one of"),
        ],
    )
    def test_malformed_policy_data_is_refused_with_a_clear_message(
        self, text: str, message: str
    ) -> None:
        """
        Bad TOML, unknown keys and bad settings are PolicyErrors naming the problem.
        """
        with pytest.raises(PolicyError, match=message):
            Policy.from_toml(text)

    @given(
        cuts=st.lists(st.integers(0, 100), min_size=1, max_size=6, unique=True).map(sorted),
        shuffle=st.randoms(use_true_random=False),
    )
    def test_levels_are_accepted_exactly_when_listed_in_ascending_order(
        self, cuts: list[int], shuffle: Any
    ) -> None:
        """
        Levels cut at ascending thresholds build; any other listing of them is refused.
        """
        bounds = [None, *cuts, None]
        levels = [
            rule(name=f"l{i}", group="g", at_least=bounds[i], below=bounds[i + 1])
            for i in range(len(bounds) - 1)
        ]
        assert Policy(rules=levels).rules == tuple(levels)
        shuffled = levels[:]
        shuffle.shuffle(shuffled)
        if shuffled != levels:
            with pytest.raises(PolicyError):
                Policy(rules=shuffled)


class TestBuyerStatus:
    def test_a_reliable_buyer_gets_free_delivery_and_the_shop_discount(self) -> None:
        """
        100% and 2,500 ₽ with the shop: both privileges, each with its reason.
        """
        status = buyer_status(
            history(kept=5, returned=0),
            "b",
            today=date(2025, 4, 30),
            policy=Policy.from_toml(EXAMPLE),
            seller_id="s",
        )
        assert status.privileges == ("free delivery", "loyalty discount 3%")
        assert status.restrictions == ()
        assert status.shop_ransom == Decimal("2500.00")
        assert [d.reason for d in status.decisions] == [
            "redemption percentage 100.00 >= 40",
            "redemption percentage 100.00 >= 80",
            "shop ransom 2500.00 >= 1000",
        ]

    def test_an_unreliable_buyer_pays_for_delivery(self) -> None:
        """
        One order kept of three is 33.33%: below 40%, delivery is paid.
        """
        status = buyer_status(
            history(kept=1, returned=2),
            "b",
            today=date(2025, 4, 30),
            policy=Policy.from_toml(EXAMPLE),
            seller_id="s",
        )
        assert status.restrictions == ("paid delivery",)
        assert status.privileges == ()
        assert status.decisions[0].reason == "redemption percentage 33.33 < 40"
        assert status.decisions[2].reason == "shop ransom 500.00 < 1000"

    def test_a_buyer_with_no_orders_has_no_percentage_rule(self) -> None:
        """
        Without orders there is no percentage to judge: no percentage rule applies.
        """
        status = buyer_status(
            History(), "b", today=date(2025, 4, 30), policy=Policy.from_toml(EXAMPLE), seller_id="s"
        )
        assert status.privileges == status.restrictions == ()
        assert (
            status.decisions[0].reason
            == "no redemption percentage: nothing placed yet, or only orders still in transit"
        )

    def test_a_shop_rule_needs_the_shop(self) -> None:
        """
        shop_ransom rules without a seller_id are an error, not a silent no.
        """
        with pytest.raises(PolicyError, match="seller_id"):
            buyer_status(History(), "b", today=date(2025, 4, 30), policy=Policy.from_toml(EXAMPLE))

    def test_thresholds_are_compared_with_the_exact_percentage(self) -> None:
        """
        Two of three kept is 66.666...%: below 66.67, though it rounds to 66.67.
        """
        policy = Policy(rules=[rule(name="reliable", at_least="66.67")])
        status = buyer_status(
            history(kept=2, returned=1), "b", today=date(2025, 4, 30), policy=policy
        )
        assert status.report.percentage == Decimal("66.67")
        assert status.privileges == ()
        assert status.decisions[0].value == Decimal("66.67")
        assert status.decisions[0].reason == "redemption percentage 66.666667 < 66.67"

    @pytest.mark.parametrize(
        "window",
        [timedelta(days=-5), {"hours": 5}, {"year": 2}, timedelta(hours=1)],
    )
    def test_a_policy_window_that_is_no_length_of_days_is_refused_when_built(
        self, window: object
    ) -> None:
        """
        A window reaching forwards, in hours, or setting a calendar field is a PolicyError.
        """
        with pytest.raises(PolicyError, match="ransom_window"):
            Policy.from_dict({"rule": [], "ransom_window": window})

    def test_the_policy_windows_and_weight_are_used(self) -> None:
        """
        A 10-day ransom window drops an older sale; the price weight is passed through.
        """
        policy = Policy(
            rules=[rule(name="big", figure="ransom", at_least=1000)],
            ransom_window=timedelta(days=10),
            weight="price",
        )
        status = buyer_status(
            history(kept=3, returned=0), "b", today=date(2025, 4, 30), policy=policy
        )
        assert status.ransom == Decimal("0.00")
        assert status.report == buyer_redemption_percentage(
            history(kept=3, returned=0), "b", today=date(2025, 4, 30), weight="price"
        )
        assert status.privileges == ()


class TestBuyerStatuses:
    @given(scenario=scenarios(), weight=st.sampled_from(["count", "price"]))
    def test_every_buyer_gets_the_status_buyer_status_gives(
        self, scenario: Scenario, weight: Weight
    ) -> None:
        """
        The all-at-once statuses are the one-buyer statuses, buyer by buyer.
        """
        policy = attrs.evolve(Policy.from_toml(EXAMPLE), weight=weight)
        history = scenario.records.history()
        statuses = buyer_statuses(
            history, today=scenario.today, policy=policy, seller_id="s1", tz=scenario.tz
        )
        placed = {
            o.buyer_id
            for o in history.orders
            if o.buyer_id is not None
            and o.ordered_at.astimezone(scenario.tz).date() <= scenario.today
        }
        assert set(statuses) == placed
        for buyer, status in statuses.items():
            assert status == buyer_status(
                history, buyer, today=scenario.today, policy=policy, seller_id="s1", tz=scenario.tz
            )

    def test_a_shop_rule_needs_the_shop(self) -> None:
        """
        As for one buyer: shop_ransom rules without a shop are a PolicyError.
        """
        with pytest.raises(PolicyError, match="seller_id"):
            buyer_statuses(history(1, 0), today=date(2025, 4, 30), policy=Policy.from_toml(EXAMPLE))


class TestStrictBoundsAndReturnShare:
    def test_above_is_a_strict_lower_bound(self) -> None:
        """
        above=90 applies to more than 90 only: not at 90, at 90.000...1.
        """
        strict = rule(figure="return_share", above=90)
        assert not strict.applies_to(Decimal(90))
        assert strict.applies_to(Decimal("90.0000001"))
        assert strict.lowest == Decimal(90)
        assert strict.explain(Decimal(90)) == "return share 90.00 <= 90"
        assert strict.explain(Decimal("90.001")) == "return share 90.001000 > 90"

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"at_least": 80, "above": 90}, "at_least or above, not both"),
            ({"above": 50, "below": 50}, "above 50 is not below 50"),
            ({"figure": "return_share", "above": 101}, "0 to 100"),
            ({"figure": "return_share", "below": -1}, "0 to 100"),
            ({"above": "much"}, "is not a number"),
        ],
    )
    def test_a_malformed_strict_bound_is_refused(
        self, fields: dict[str, Any], message: str
    ) -> None:
        """
        above with at_least, above not below `below`, a share outside 0-100: PolicyError.
        """
        with pytest.raises(PolicyError, match=message):
            rule(**fields)

    def test_levels_may_meet_at_a_value_one_excludes(self) -> None:
        """
        [0, 90) and (90, 100] do not overlap; [.., 90] and [90, ..) after (90, ..) do.
        """
        low = rule(name="low", group="g", figure="return_share", below=90)
        high = rule(name="high", group="g", figure="return_share", above=90)
        assert Policy(rules=[low, high]).rules == (low, high)
        with pytest.raises(PolicyError, match="overlap"):
            Policy(rules=[high, rule(name="top", group="g", figure="return_share", at_least=90)])

    @pytest.mark.parametrize(
        ("kept", "returned", "share", "applies"),
        [
            (1, 9, Decimal("90.00"), False),
            (0, 10, Decimal("100.00"), True),
            (5, 0, Decimal(0), False),
        ],
    )
    def test_the_return_share_is_sales_returned_over_sales(
        self, kept: int, returned: int, share: Decimal, *, applies: bool
    ) -> None:
        """
        9 of 10 returned is 90%, not more than 90; 10 of 10 is 100%.
        """
        policy = Policy(
            rules=[rule(name="paid return", kind="restriction", figure="return_share", above=90)]
        )
        status = buyer_status(
            history(kept=kept, returned=returned), "b", today=date(2025, 4, 30), policy=policy
        )
        assert status.decisions[0].value == share
        assert status.decisions[0].applies is applies
        assert policy.figures == {"return_share"}

    def test_a_buyer_with_nothing_sold_has_no_return_share(self) -> None:
        """
        No sale, no share: the rule does not apply, and says why.
        """
        policy = Policy(rules=[rule(figure="return_share", above=90)])
        cancelled = History(
            orders=[
                an_order(
                    "1", msk("2025-04-01T12:00"), buyer_id="b", cancelled_at=msk("2025-04-02T12:00")
                )
            ]
        )
        status = buyer_status(cancelled, "b", today=date(2025, 4, 30), policy=policy)
        assert status.decisions[0].value is None
        assert status.decisions[0].applies is False
        assert status.decisions[0].reason == "no return share: nothing sold yet"


ABOUT = """
title = "My shop's rule"
effective_from = 2025-05-01
source = "my own notes"
confidence = "seller's choice"
note = "try it for a month"
example = true

[[rule]]
name = "paid return"
kind = "restriction"
figure = "return_share"
above = 90
"""


class TestPolicyMetadata:
    def test_what_a_policy_says_of_itself_loads_from_toml(self) -> None:
        """
        Title, day, source, confidence, note and the example flag load; rules may use above.
        """
        policy = Policy.from_toml(ABOUT)
        assert policy.title == "My shop's rule"
        assert policy.effective_from == date(2025, 5, 1)
        assert (policy.source, policy.confidence, policy.note) == (
            "my own notes",
            "seller's choice",
            "try it for a month",
        )
        assert policy.example is True
        assert policy.rules[0].above == Decimal(90)

    def test_a_policy_without_metadata_says_nothing_of_itself(self) -> None:
        """
        The metadata is optional: None, and not an example.
        """
        policy = Policy.from_toml(EXAMPLE)
        assert (policy.title, policy.effective_from, policy.source) == (None, None, None)
        assert (policy.confidence, policy.note, policy.example) == (None, None, False)

    def test_a_dict_may_give_the_day_as_iso_text(self) -> None:
        """
        from_dict reads "2025-05-01" as the day.
        """
        policy = Policy.from_dict({"rule": [], "effective_from": "2025-05-01"})
        assert policy.effective_from == date(2025, 5, 1)

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"effective_from": "May 2025"}, "effective_from 'May 2025' is not a date"),
            ({"effective_from": datetime(2025, 5, 1, tzinfo=MOSCOW)}, "effective_from must be"),
            ({"effective_from": 2025}, "effective_from must be a date"),
            ({"example": "yes"}, "example must be a bool"),
            ({"title": ""}, "title must be a non-empty str"),
            ({"confidence": 3}, "confidence must be a non-empty str"),
            ({"sauce": "press"}, "unknown policy keys: sauce"),
        ],
    )
    def test_malformed_metadata_is_refused(self, data: dict[str, Any], message: str) -> None:
        """
        A day that is not one, a flag that is not a bool, an empty title: PolicyError.
        """
        with pytest.raises(PolicyError, match=message):
            Policy.from_dict({"rule": [], **data})

    def test_the_rules_do_not_read_the_metadata(self) -> None:
        """
        A policy in effect from a later day still applies as of an earlier one.
        """
        policy = attrs.evolve(Policy.from_toml(EXAMPLE), effective_from=date(2030, 1, 1))
        status = buyer_status(
            history(kept=1, returned=2), "b", today=date(2025, 4, 30), policy=policy, seller_id="s"
        )
        assert status.restrictions == ("paid delivery",)


def bought(
    buyer: str,
    prices: list[int],
    *,
    at: str = "2025-12-01T12:00",
    returned: int = 0,
    cancelled: int = 0,
    seller_id: str = "s",
) -> tuple[list[Order], list[Sale], list[Return]]:
    """
    A buyer's orders at `prices` on `at`: the first `cancelled` cancelled, the rest sold a
    day later, and the last `returned` of those returned a day after that.
    """
    when = msk(at)
    orders = [
        an_order(
            f"{buyer}-{seller_id}-{at}-{i}",
            when,
            seller_id=seller_id,
            price=price,
            buyer_id=buyer,
            cancelled_at=when + timedelta(hours=1) if i < cancelled else None,
        )
        for i, price in enumerate(prices)
    ]
    sold = orders[cancelled:]
    sales = [Sale(order_id=o.order_id, sold_at=when + timedelta(days=1)) for o in sold]
    back = [
        Return(order_id=o.order_id, returned_at=when + timedelta(days=2))
        for o in sold[len(sold) - returned :]
    ]
    return orders, sales, back


def buyers_history(*parts: tuple[list[Order], list[Sale], list[Return]]) -> History:
    """One history of the orders, sales and returns of every part."""
    return History(
        orders=[o for p in parts for o in p[0]],
        sales=[s for p in parts for s in p[1]],
        returns=[r for p in parts for r in p[2]],
    )


TODAY = date(2026, 1, 20)


class TestExamplePolicies:
    def test_each_example_says_its_date_source_and_confidence(self) -> None:
        """
        The three examples, marked as examples, each dated (or not) and sourced.
        """
        assert list(EXAMPLE_POLICIES) == [
            "wb-2025-05-paid-delivery",
            "wb-early-paid-return",
            "wb-2026-loyalty-discount",
        ]
        found = {
            name: (policy.effective_from, policy.confidence)
            for name, policy in EXAMPLE_POLICIES.items()
        }
        assert found == {
            "wb-2025-05-paid-delivery": (date(2025, 5, 1), "press + WB statement"),
            "wb-early-paid-return": (None, "press"),
            "wb-2026-loyalty-discount": (date(2026, 1, 1), "press"),
        }
        for policy in EXAMPLE_POLICIES.values():
            assert policy.example is True
            assert policy.title
            assert policy.source
            assert policy.note
        assert "placeholders to replace" in str(example_policy("wb-2026-loyalty-discount").note)

    def test_the_examples_cannot_be_changed_in_place(self) -> None:
        """
        The mapping is read-only: an example is replaced by building a policy.
        """
        with pytest.raises(TypeError):
            EXAMPLE_POLICIES["mine"] = Policy(rules=[])  # type: ignore[index]

    def test_an_unknown_example_is_refused_naming_the_examples(self) -> None:
        """
        example_policy of a name not there lists the names there are.
        """
        with pytest.raises(InvalidArgumentError, match="wb-early-paid-return"):
            example_policy("wb-free-delivery")

    def test_paid_delivery_touches_buyers_below_40_percent(self) -> None:
        """
        1 of 3 kept (33.33%) pays for delivery; 2 of 5 (40%) and 2 of 3 do not.
        """
        history = buyers_history(
            bought("boris", [100, 100, 100], returned=2),
            bought("vera", [100] * 5, returned=3),
            bought("anna", [100, 100, 100], cancelled=1),
        )
        statuses = buyer_statuses(
            history, today=TODAY, policy=example_policy("wb-2025-05-paid-delivery")
        )
        assert {b: s.restrictions for b, s in statuses.items()} == {
            "anna": (),
            "boris": ("paid delivery",),
            "vera": (),
        }
        assert statuses["vera"].decisions[0].reason == "redemption percentage 40.00 >= 40"

    def test_paid_returns_touch_buyers_returning_more_than_90_percent(self) -> None:
        """
        10 of 10 returned pays for returns; 9 of 10 is not more than 90%; refusals count
        as the fee counts them: 4 refused and 1 returned of 5 is all of them.
        """
        history = buyers_history(
            bought("gleb", [100] * 10, returned=10),
            bought("dasha", [100] * 10, returned=9),
            bought("egor", [100] * 5, returned=1, cancelled=4),
        )
        statuses = buyer_statuses(
            history, today=TODAY, policy=example_policy("wb-early-paid-return")
        )
        assert {b: s.restrictions for b, s in statuses.items()} == {
            "dasha": (),
            "egor": ("paid return, 100 RUB per item",),
            "gleb": ("paid return, 100 RUB per item",),
        }
        assert statuses["dasha"].decisions[0].value == Decimal("10.00")

    def test_the_loyalty_discount_touches_buyers_over_the_threshold_with_the_shop(self) -> None:
        """
        5,000 RUB kept with shop s in the 365 days to today earns 5%; another shop's
        roubles, a returned sale and a sale 365 days before today do not count.
        """
        history = buyers_history(
            bought("anna", [3000, 2000]),
            bought("boris", [3000]),
            bought("boris", [3000], seller_id="t"),
            bought("vera", [3000, 1000, 2000], returned=1),
            bought("gleb", [2000]),
            bought("gleb", [3000], at="2025-01-19T12:00"),  # sold 20 January 2025
            bought("dima", [2000]),
            bought("dima", [3000], at="2025-01-20T12:00"),  # sold 21 January 2025
        )
        policy = example_policy("wb-2026-loyalty-discount")
        statuses = buyer_statuses(history, today=TODAY, policy=policy, seller_id="s")
        assert {b: s.privileges for b, s in statuses.items()} == {
            "anna": ("loyalty discount 5%",),
            "boris": (),
            "dima": ("loyalty discount 5%",),
            "gleb": (),
            "vera": (),
        }
        assert statuses["vera"].shop_ransom == Decimal("4000.00")
        assert statuses["gleb"].shop_ransom == Decimal("2000.00")
        with pytest.raises(PolicyError, match="seller_id"):
            buyer_statuses(history, today=TODAY, policy=policy)
