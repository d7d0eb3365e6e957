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
