from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from importlib.resources import files
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from redemption import ArgumentTypeError, InvalidArgumentError, InvalidPeriodError
from redemption.errors import ProgrammeError
from redemption.loyalty import (
    BUILT_IN_INDICATORS,
    PRESETS,
    Direction,
    Evaluation,
    Indicator,
    Level,
    Month,
    Programme,
    loyalty_level,
    parse_measured,
    parse_months,
    preset,
)

BUILT_IN_KEYS = (
    "redemption_rate",
    "cancellation_share",
    "seller_cancellation_share",
    "refusal_share",
    "return_share",
    "orders",
    "units_sold",
    "revenue",
)

TARGETS_2024 = """
# the eight built-in indicators stand in for the eight Wildberries does not name
[indicators.redemption_rate]
[indicators.cancellation_share]
[indicators.seller_cancellation_share]
[indicators.refusal_share]
[indicators.return_share]
[indicators.orders]
[indicators.units_sold]
[indicators.revenue]

[levels.initial.targets]
redemption_rate = 50
cancellation_share = 40
seller_cancellation_share = 10
refusal_share = 40
return_share = 30
orders = 1
units_sold = 1
revenue = 100

[levels.bronze.targets]
redemption_rate = 60
cancellation_share = 30
seller_cancellation_share = 5
refusal_share = 30
return_share = 20
orders = 5
units_sold = 3
revenue = 500

[levels.silver.targets]
redemption_rate = 70
cancellation_share = 20
seller_cancellation_share = 3
refusal_share = 20
return_share = 15
orders = 10
units_sold = 7
revenue = 1000

[levels.gold.targets]
redemption_rate = 80
cancellation_share = 10
seller_cancellation_share = 1
refusal_share = 10
return_share = 10
orders = 20
units_sold = 15
revenue = 2000.50
"""

TARGETS_2025 = """
required = 3

[indicators.redemption_rate]
[indicators.rating]
title = "Seller rating"
direction = "at_least"
unit = "points"
[indicators.answer_hours]
title = "Answer time"
direction = "at_most"
unit = "hours"

[levels.initial.targets]
redemption_rate = 60
rating = 4.5
answer_hours = 48
refusal_share = 30

[levels.bronze.targets]
redemption_rate = 65
rating = 4.55
answer_hours = 36
refusal_share = 25

[levels.silver.targets]
redemption_rate = 70
rating = 4.6
answer_hours = 24
refusal_share = 20

[levels.gold.targets]
redemption_rate = 75
rating = 4.7
answer_hours = 12
refusal_share = 15

[levels.platinum]
required = 4
[levels.platinum.targets]
redemption_rate = 80
rating = 4.8
answer_hours = 6
refusal_share = 10

[months."2026-01".levels.gold.targets]   # thresholds that moved with the market
redemption_rate = 78
[months."2026-01".levels.platinum.targets]
redemption_rate = 85.5
"""


def wb_2024() -> Programme:
    """The 2024 preset with the eight built-in indicators and the targets above."""
    return preset("wb-2024").with_targets_toml(TARGETS_2024)


def wb_2025() -> Programme:
    """The December 2025 preset with four criteria, three of them required below platinum."""
    return preset("wb-2025-12").with_targets_toml(TARGETS_2025)


def refused(call: Any, *args: Any, **kwargs: Any) -> ProgrammeError:
    """The ProgrammeError a call raises."""
    with pytest.raises(ProgrammeError) as caught:
        call(*args, **kwargs)
    return caught.value


def simple(**fields: Any) -> Programme:
    """A two-level programme of the redemption rate and a rating, fields overridden."""
    base: dict[str, Any] = {
        "name": "p",
        "effective": date(2025, 1, 1),
        "evaluation": Evaluation(published_by_day=4),
        "indicators": [
            BUILT_IN_INDICATORS["redemption_rate"],
            Indicator(key="rating", title="Rating", direction="at_least"),
        ],
        "levels": [
            Level(key="low", required=1, targets={"redemption_rate": 50, "rating": 4}),
            Level(key="high", required=2, targets={"redemption_rate": 60, "rating": "4.5"}),
        ],
    }
    return Programme(**(base | fields))


months = st.builds(Month, st.integers(1, 9998), st.integers(1, 12))


class TestMonth:
    def test_a_month_reads_and_writes_yyyy_mm(self) -> None:
        """
        "2025-05" is May 2025, written back the same; its days run from the 1st to the 31st.
        """
        may = Month.parse("2025-05")
        assert may == Month(2025, 5)
        assert str(may) == "2025-05"
        assert repr(may) == "Month(2025, 5)"
        assert (may.first, may.last) == (date(2025, 5, 1), date(2025, 5, 31))
        assert str(may.period) == "2025-05-01..2025-05-31"

    def test_february_ends_on_its_last_day_in_leap_years_too(self) -> None:
        """
        February 2024 has 29 days, February 2025 has 28.
        """
        assert Month(2024, 2).last == date(2024, 2, 29)
        assert Month(2025, 2).last == date(2025, 2, 28)

    def test_months_add_across_years(self) -> None:
        """
        December plus one is January of the next year; the difference counts months.
        """
        assert Month(2025, 12) + 1 == Month(2026, 1)
        assert 1 + Month(2025, 12) == Month(2026, 1)
        assert Month(2025, 1) - 1 == Month(2024, 12)
        assert Month(2026, 1) - Month(2024, 11) == 14

    def test_months_are_ordered(self) -> None:
        """
        Months sort by year, then month.
        """
        assert sorted([Month(2025, 1), Month(2024, 12), Month(2024, 2)]) == [
            Month(2024, 2),
            Month(2024, 12),
            Month(2025, 1),
        ]

    def test_the_month_of_a_day(self) -> None:
        """
        A day is in its month; a datetime is refused, since its day depends on a zone.
        """
        assert Month.of(date(2025, 5, 31)) == Month(2025, 5)
        with pytest.raises(ArgumentTypeError):
            Month.of(datetime(2025, 5, 31, tzinfo=UTC))

    def test_until_stops_at_today_within_the_month(self) -> None:
        """
        Today's month runs to today; an earlier month, to its end; a later one is refused.
        """
        assert str(Month(2025, 6).until(date(2025, 6, 10))) == "2025-06-01..2025-06-10"
        assert str(Month(2025, 5).until(date(2025, 6, 10))) == "2025-05-01..2025-05-31"
        with pytest.raises(InvalidPeriodError):
            Month(2025, 7).until(date(2025, 6, 10))

    @pytest.mark.parametrize("text", ["2025-13", "2025-5", "May 2025", "2025-05-01", ""])
    def test_text_that_is_no_month_is_refused(self, text: str) -> None:
        """
        Only YYYY-MM with a month 1 to 12 is a month.
        """
        with pytest.raises(InvalidPeriodError):
            Month.parse(text)

    def test_a_month_out_of_the_calendar_is_refused(self) -> None:
        """
        Month 0 or 13, year 0 or 10000, and months past the calendar's end are refused.
        """
        for year, month in [(2025, 0), (2025, 13), (0, 1), (10000, 1)]:
            with pytest.raises(InvalidPeriodError):
                Month(year, month)
        with pytest.raises(InvalidPeriodError):
            Month(9999, 12) + 1

    def test_a_month_of_other_types_is_refused(self) -> None:
        """
        A year or month that is not an int is a type error, not a month.
        """
        with pytest.raises(ArgumentTypeError):
            Month("2025", 5)  # type: ignore[arg-type]
        with pytest.raises(ArgumentTypeError):
            Month(2025, True)  # noqa: FBT003 - a bool is what is refused

    def test_a_range_of_months_is_read_inclusive(self) -> None:
        """
        "2025-11..2026-02" is four months; one month alone is one.
        """
        assert [str(m) for m in parse_months("2025-11..2026-02")] == [
            "2025-11",
            "2025-12",
            "2026-01",
            "2026-02",
        ]
        assert parse_months("2025-05") == (Month(2025, 5),)

    def test_a_range_backwards_is_refused(self) -> None:
        """
        A range whose first month is after its last is an error naming both.
        """
        with pytest.raises(InvalidPeriodError, match=r"2026-02 is after 2025-11"):
            parse_months("2026-02..2025-11")

    @given(month=months, n=st.integers(-12 * 50, 12 * 50))
    def test_adding_months_and_taking_them_back(self, month: Month, n: int) -> None:
        """
        Adding n months and subtracting them gives the month back; the difference is n.
        """
        try:
            later = month + n
        except InvalidPeriodError:
            return  # beyond the calendar
        assert later - n == month
        assert later - month == n
        assert (later > month) == (n > 0)
        assert Month.parse(str(later)) == later


class TestPresets:
    def test_the_presets_are_the_two_programmes(self) -> None:
        """
        The names are wb-2024 and wb-2025-12, and each loads.
        """
        assert PRESETS == ("wb-2024", "wb-2025-12")
        assert [preset(name).name for name in PRESETS] == list(PRESETS)

    def test_wb_2024_carries_the_published_structure(self) -> None:
        """
        Four levels, 6 of 8 indicators, effective from the pilot in March 2024, published
        by the 4th, rewarded the next month (Wildberries' posts of June 2024 and the undated
        update).
        """
        wb = preset("wb-2024")
        assert [level.key for level in wb.levels] == ["initial", "bronze", "silver", "gold"]
        assert [level.title_ru for level in wb.levels] == [
            "начальный",
            "бронзовый",
            "серебряный",
            "золотой",
        ]
        assert [level.required for level in wb.levels] == [6, 6, 6, 6]
        assert wb.indicator_count == 8
        assert wb.effective == date(2024, 3, 1)
        assert wb.evaluation == Evaluation(published_by_day=4, rewards_after_months=1)
        assert not any(level.on_request for level in wb.levels)
        assert all(level.rewards for level in wb.levels)
        assert any("50%" in reward for reward in wb.level("silver").rewards)

    def test_wb_2025_12_carries_the_published_structure(self) -> None:
        """
        Five levels, platinum on request, four criteria, effective 1 December 2025,
        published on the 1st; how many criteria a level needs is left to the user.
        """
        wb = preset("wb-2025-12")
        assert [level.key for level in wb.levels] == [
            "initial",
            "bronze",
            "silver",
            "gold",
            "platinum",
        ]
        assert wb.level("platinum").title_ru == "платиновый"
        assert [level.on_request for level in wb.levels] == [False] * 4 + [True]
        assert wb.indicator_count == 4
        assert all(level.required is None for level in wb.levels)
        assert wb.effective == date(2025, 12, 1)
        assert wb.evaluation.published_by_day == 1
        assert wb.evaluation.rewards_after_months == 1

    @pytest.mark.parametrize("name", PRESETS)
    def test_a_preset_ships_no_indicator_and_no_target(self, name: str) -> None:
        """
        No invented numbers: the indicators and targets are the user's to fill.
        """
        programme = preset(name)
        assert programme.indicators == ()
        assert all(not level.targets for level in programme.levels)
        assert programme.monthly == {}
        assert programme.unfilled()

    @pytest.mark.parametrize(
        ("name", "sources"),
        [
            (
                "wb-2024",
                [
                    "«Программа лояльности от Wildberries стала доступна всем продавцам России»",
                    "June 2024",
                    "«Присоединяйтесь к обновленной программе лояльности»",
                    "hf.ru",
                    "6 показателям вместо 8",
                    "до 4 числа месяца",
                ],
            ),
            ("wb-2025-12", ["veroliki.ru", "totalcrm.ru", "к началу нового месяца"]),
        ],
    )
    def test_a_preset_cites_its_sources(self, name: str, sources: list[str]) -> None:
        """
        Each preset's file names where its structure comes from, in comments.
        """
        text = (files("redemption") / "data" / "programmes" / f"{name}.toml").read_text("utf-8")
        comments = "\n".join(line for line in text.splitlines() if "#" in line)
        for source in sources:
            assert source in comments

    @pytest.mark.parametrize("name", PRESETS)
    def test_a_preset_without_targets_refuses_to_rank_saying_which(self, name: str) -> None:
        """
        Ranking a month with a preset as shipped names what is missing.
        """
        programme = preset(name)
        error = refused(loyalty_level, {}, programme, month="2025-12")
        message = str(error)
        assert name in message
        assert f"no indicators named ({programme.indicator_count} declared)" in message
        assert "no targets for levels " + ", ".join(level.key for level in programme.levels) in (
            message
        )
        assert ("required" in message) == (name == "wb-2025-12")
        assert error.programme == name

    def test_an_unknown_preset_is_refused_naming_the_presets(self) -> None:
        """
        A name that is no preset lists the ones there are.
        """
        with pytest.raises(ProgrammeError, match=r"wb-2024, wb-2025-12"):
            preset("wb-2023")


class TestTargets:
    def test_targets_from_toml_fill_the_2024_preset(self) -> None:
        """
        The user's TOML gives eight indicators and every level's targets, as exact decimals.
        """
        wb = wb_2024()
        assert [indicator.key for indicator in wb.indicators] == list(BUILT_IN_KEYS)
        assert wb.level("gold").targets["revenue"] == Decimal("2000.50")
        assert wb.level("gold").required == 6
        assert wb.unfilled() == ()

    def test_user_indicators_and_month_targets_fill_the_2025_preset(self) -> None:
        """
        User indicators are defined once; built-in ones used in targets need no table;
        platinum keeps its own count; January 2026's targets lie over every month's.
        """
        wb = wb_2025()
        assert [i.key for i in wb.indicators] == [
            "redemption_rate",
            "rating",
            "answer_hours",
            "refusal_share",
        ]
        assert wb.indicator("answer_hours").direction is Direction.AT_MOST
        assert wb.indicator("rating").unit == "points"
        assert [level.required for level in wb.levels] == [3, 3, 3, 3, 4]
        assert wb.level("bronze").targets["rating"] == Decimal("4.55")
        january = wb.targets_for(Month(2026, 1))
        assert january["gold"]["redemption_rate"] == Decimal(78)
        assert january["platinum"]["redemption_rate"] == Decimal("85.5")
        assert january["gold"]["rating"] == Decimal("4.7")
        assert wb.targets_for(Month(2025, 12))["gold"]["redemption_rate"] == Decimal(75)
        assert wb.unfilled(Month(2026, 1)) == ()

    def test_floats_from_data_are_read_as_written(self) -> None:
        """
        A float in a dict (from JSON, say) is the decimal written, not its binary value.
        """
        wb = simple().with_targets(
            {
                "levels": {
                    "low": {"targets": {"redemption_rate": 50, "rating": 4.1}},
                    "high": {"targets": {"redemption_rate": 60.3, "rating": "4.3"}},
                },
                "indicators": {"rating": {"direction": "at_least"}, "redemption_rate": {}},
            }
        )
        assert wb.level("low").targets["rating"] == Decimal("4.1")
        assert wb.level("high").targets["redemption_rate"] == Decimal("60.3")

    def test_a_built_in_indicator_may_be_retitled(self) -> None:
        """
        A built-in indicator's title may be the user's; its direction and unit may not.
        """
        wb = simple().with_targets(
            {
                "indicators": {
                    "redemption_rate": {"title": "Процент выкупа", "unit": "%"},
                    "rating": {"direction": "at_least"},
                },
                "levels": {"low": {"targets": {"redemption_rate": 50, "rating": 4}}},
            }
        )
        assert wb.indicator("redemption_rate").title == "Процент выкупа"
        error = refused(
            simple().with_targets,
            {"indicators": {"redemption_rate": {"direction": "at_most"}, "rating": {}}},
        )
        assert error.indicator == "redemption_rate"
        assert "at_least" in str(error)

    def test_a_whole_programme_loads_from_toml(self) -> None:
        """
        A programme of the user's own: name, dates, levels in file order, targets.
        """
        programme = Programme.from_toml(
            """
            name = "mine"
            title = "My shop's programme"
            effective = 2025-03-01
            required = 1
            [evaluation]
            published_by_day = 10
            rewards_after_months = 2
            [levels.first]
            rewards = ["a badge"]
            targets = {redemption_rate = 40}
            [levels.second]
            title = "Second"
            on_request = true
            targets = {redemption_rate = 55.5}
            """
        )
        assert programme.name == "mine"
        assert programme.title == "My shop's programme"
        assert [level.key for level in programme.levels] == ["first", "second"]
        assert programme.level("first").title == "first"
        assert programme.level("second").on_request
        assert programme.indicator_count == 1
        assert programme.evaluation.rewards_month(Month(2025, 3)) == Month(2025, 5)
        assert programme.evaluation.published_on(Month(2025, 3)) == date(2025, 4, 10)

    def test_with_targets_replaces_earlier_targets(self) -> None:
        """
        Targets given again replace the programme's, level by level.
        """
        again = wb_2024().with_targets_toml(
            TARGETS_2024.replace("revenue = 2000.50", "revenue = 3000")
        )
        assert again.level("gold").targets["revenue"] == Decimal(3000)
        assert wb_2024().level("gold").targets["revenue"] == Decimal("2000.50")

    def test_a_programme_is_a_hashable_value(self) -> None:
        """
        Two programmes built from the same data are equal and hash alike.
        """
        assert wb_2025() == wb_2025()
        assert hash(wb_2025()) == hash(wb_2025())
        assert wb_2025() != wb_2024()

    def test_the_repr_names_levels_and_indicators(self) -> None:
        """
        A programme's repr lists its levels and indicators by key, not in full.
        """
        shown = repr(wb_2025())
        assert "levels=('initial', 'bronze', 'silver', 'gold', 'platinum')" in shown
        assert "indicators=('redemption_rate', 'rating', 'answer_hours', 'refusal_share')" in shown
        assert "monthly=('2026-01',)" in shown


class TestValidation:
    def test_targets_that_fall_at_a_higher_level_are_refused(self) -> None:
        """
        A higher level may not ask for a lower redemption rate: the error names the
        programme, the level and the indicator.
        """
        error = refused(
            wb_2024().with_targets_toml,
            TARGETS_2024.replace("redemption_rate = 70", "redemption_rate = 59"),
        )
        assert (error.programme, error.level, error.indicator) == (
            "wb-2024",
            "silver",
            "redemption_rate",
        )
        assert "59 is below level 'bronze''s 60" in str(error)

    def test_an_at_most_target_that_rises_at_a_higher_level_is_refused(self) -> None:
        """
        A higher level may not allow more cancellations than a lower one.
        """
        error = refused(
            wb_2024().with_targets_toml,
            TARGETS_2024.replace("cancellation_share = 10", "cancellation_share = 25"),
        )
        assert (error.level, error.indicator) == ("gold", "cancellation_share")
        assert "above level 'silver''s 20" in str(error)

    def test_equal_targets_at_two_levels_are_allowed(self) -> None:
        """
        A higher level may ask for the same as a lower one: it asks for no less.
        """
        wb = wb_2024().with_targets_toml(
            TARGETS_2024.replace("redemption_rate = 70", "redemption_rate = 60")
        )
        assert wb.level("silver").targets["redemption_rate"] == Decimal(60)

    def test_a_month_whose_targets_fall_is_refused_naming_the_month(self) -> None:
        """
        Targets set for one month are checked in that month, against the other levels.
        """
        text = TARGETS_2025.replace("redemption_rate = 85.5", "redemption_rate = 77")
        error = refused(wb_2025().with_targets_toml, text)
        assert "month 2026-01" in str(error)
        assert (error.level, error.indicator) == ("platinum", "redemption_rate")

    def test_k_larger_than_n_is_refused(self) -> None:
        """
        A level cannot need more indicators met than the programme has.
        """
        error = refused(wb_2024().with_targets_toml, "required = 9\n" + TARGETS_2024)
        assert error.level == "initial"
        assert "required 9 is more than the programme's 8 indicators" in str(error)

    @pytest.mark.parametrize("k", [0, -1])
    def test_k_below_one_is_refused(self, k: int) -> None:
        """
        A level needs at least one indicator met.
        """
        error = refused(wb_2024().with_targets_toml, f"required = {k}\n" + TARGETS_2024)
        assert "required must be" in str(error)
        with pytest.raises(ProgrammeError, match=r"level 'x'"):
            Level(key="x", required=k)

    def test_a_higher_level_needing_fewer_indicators_is_refused(self) -> None:
        """
        A higher level may not ask for fewer indicators met than a lower one.
        """
        text = TARGETS_2025.replace("[levels.platinum]\nrequired = 4", "[levels.platinum]")
        text = text.replace(
            "[levels.gold.targets]", "[levels.gold]\nrequired = 4\n[levels.gold.targets]"
        )
        error = refused(wb_2025().with_targets_toml, text)
        assert error.level == "platinum"
        assert "less than level 'gold''s 4" in str(error)

    def test_an_unknown_indicator_key_is_refused(self) -> None:
        """
        A target for an indicator neither built in nor defined names the key.
        """
        error = refused(
            wb_2025().with_targets_toml, TARGETS_2025.replace("rating = 4.6", "ratin = 4.6")
        )
        assert (error.level, error.indicator) == ("silver", "ratin")
        assert "neither built in nor defined" in str(error)

    def test_a_level_without_all_its_targets_is_refused(self) -> None:
        """
        A level that gives some targets must give all n, and the error names the missing.
        """
        error = refused(wb_2024().with_targets_toml, TARGETS_2024.replace("units_sold = 7\n", ""))
        assert error.level == "silver"
        assert "targets for 7 of the 8 indicators: give units_sold" in str(error)

    def test_indicators_that_do_not_number_the_declared_count_are_refused(self) -> None:
        """
        The 2024 programme declares eight indicators: seven given are refused.
        """
        seven = "\n".join(line for line in TARGETS_2024.splitlines() if "revenue" not in line)
        error = refused(wb_2024().with_targets_toml, seven)
        assert "the programme has 8 indicators, not 7" in str(error)

    @pytest.mark.parametrize(
        ("data", "named"),
        [
            ({"targets": {}}, "unknown keys of the targets: targets"),
            ({"levels": {"gold": {"target": {}}}}, "unknown keys of level 'gold': target"),
            ({"levels": {"diamond": {}}}, "no level 'diamond'"),
            ({"indicators": {"rating": {"direction": "at_least", "scale": 5}}}, "scale"),
            ({"months": {"2026-01": {"gold": {}}}}, "unknown keys of month 2026-01: gold"),
            ({"months": {"January": {}}}, "months are keyed 'YYYY-MM'"),
            ({"indicators": {"rating": {}}}, "give its direction"),
            ({"indicators": {"rating": {"direction": "up"}}}, "'at_least' or 'at_most'"),
        ],
    )
    def test_unknown_or_malformed_keys_are_refused(self, data: dict[str, Any], named: str) -> None:
        """
        Every key of the targets is checked, and the error names it.
        """
        error = refused(wb_2025().with_targets, data)
        assert named in str(error)
        assert error.programme == "wb-2025-12"

    def test_unknown_keys_of_a_whole_programme_are_refused(self) -> None:
        """
        from_dict names the keys it does not know, and those it expects.
        """
        with pytest.raises(ProgrammeError, match=r"unknown keys of the programme: levles"):
            Programme.from_dict({"name": "p", "levles": {}})

    def test_a_percentage_target_outside_0_to_100_is_refused(self) -> None:
        """
        A share or a rate is a percentage.
        """
        error = refused(
            wb_2024().with_targets_toml,
            TARGETS_2024.replace("redemption_rate = 80", "redemption_rate = 101"),
        )
        assert "a percentage: it must be 0 to 100" in str(error)

    def test_a_negative_target_of_a_built_in_indicator_is_refused(self) -> None:
        """
        No order count or revenue is negative.
        """
        error = refused(
            wb_2024().with_targets_toml, TARGETS_2024.replace("orders = 1\n", "orders = -1\n")
        )
        assert (error.level, error.indicator) == ("initial", "orders")

    @pytest.mark.parametrize("target", ["many", "nan", "inf", True, None, [1]])
    def test_a_target_that_is_no_number_is_refused(self, target: object) -> None:
        """
        A target is a finite number, written as a number or as decimal text.
        """
        error = refused(Level, key="gold", targets={"rating": target})
        assert (error.level, error.indicator) == ("gold", "rating")

    def test_targets_set_apart_before_the_programme_took_effect_are_refused(self) -> None:
        """
        November 2025 is judged by another programme than wb-2025-12.
        """
        text = TARGETS_2025 + '\n[months."2025-11".levels.gold.targets]\nrating = 4.8\n'
        with pytest.raises(
            ProgrammeError, match=r"month 2025-11, before the programme took effect"
        ):
            wb_2025().with_targets_toml(text)

    def test_text_that_is_no_toml_is_refused(self) -> None:
        """
        The error says the text is not TOML, for a programme and for targets.
        """
        with pytest.raises(ProgrammeError, match=r"not valid TOML"):
            Programme.from_toml("name = ")
        with pytest.raises(
            ProgrammeError, match=r"targets of programme 'wb-2024' is not valid TOML"
        ):
            preset("wb-2024").with_targets_toml("[levels")

    @pytest.mark.parametrize(
        ("fields", "named"),
        [
            ({"published_by_day": 0}, "published_by_day"),
            ({"published_by_day": 29}, "published_by_day"),
            ({"published_by_day": 4, "rewards_after_months": 0}, "rewards never fall"),
            ({"published_by_day": 4, "window": "week"}, "calendar-month"),
        ],
    )
    def test_an_evaluation_rule_that_is_not_one_is_refused(
        self, fields: dict[str, Any], named: str
    ) -> None:
        """
        A publication day every month has, rewards after the month measured.
        """
        with pytest.raises(ProgrammeError, match=named):
            Evaluation(**fields)

    def test_levels_or_indicators_with_one_key_are_refused(self) -> None:
        """
        Two levels keyed alike are ambiguous.
        """
        with pytest.raises(ProgrammeError, match=r"two levels are keyed 'low'"):
            simple(levels=[Level(key="low"), Level(key="low")])
        rate = BUILT_IN_INDICATORS["redemption_rate"]
        with pytest.raises(ProgrammeError, match=r"two indicators are keyed 'redemption_rate'"):
            simple(indicators=[rate, rate], levels=[Level(key="low")])

    def test_a_programme_without_levels_or_indicators_is_refused(self) -> None:
        """
        A programme needs levels, and indicators or their count.
        """
        with pytest.raises(ProgrammeError, match=r"at least one level"):
            simple(levels=[])
        with pytest.raises(ProgrammeError, match=r"indicator_count"):
            simple(indicators=[], levels=[Level(key="low")])

    def test_a_built_in_target_not_listed_in_the_constructor_is_refused(self) -> None:
        """
        Built by hand, a programme lists every indicator its targets use.
        """
        error = refused(
            simple,
            levels=[Level(key="low", targets={"redemption_rate": 1, "rating": 1, "orders": 1})],
        )
        assert error.indicator == "orders"
        assert "built in, but not among the programme's indicators" in str(error)

    def test_an_effective_date_that_is_no_date_is_refused(self) -> None:
        """
        The programme's effective date is a day.
        """
        with pytest.raises(ProgrammeError, match=r"effective must be a date"):
            Programme.from_dict({"name": "p", "effective": "June 2024"})

    @given(
        rates=st.lists(st.integers(0, 100), min_size=3, max_size=3, unique=True).map(sorted),
        swap=st.integers(0, 1),
    )
    @example(rates=[10, 20, 30], swap=0)
    def test_targets_out_of_order_are_refused_when_built(self, rates: list[int], swap: int) -> None:
        """
        Any two adjacent levels whose redemption-rate targets are swapped make the
        programme refused, naming the higher of the two levels.
        """
        rates[swap], rates[swap + 1] = rates[swap + 1], rates[swap]
        levels = [
            Level(key=f"l{i}", required=1, targets={"redemption_rate": rate})
            for i, rate in enumerate(rates)
        ]
        error = refused(
            Programme,
            name="p",
            effective=date(2025, 1, 1),
            evaluation=Evaluation(published_by_day=4),
            indicators=[BUILT_IN_INDICATORS["redemption_rate"]],
            levels=levels,
        )
        assert error.level == f"l{swap + 1}"
        assert error.indicator == "redemption_rate"


class TestMeasured:
    def test_measured_values_are_read_exactly_by_month(self) -> None:
        """
        Floats are the decimals written; text is read as a decimal; ints stay ints.
        """
        measured = parse_measured(
            """
            [2025-05]
            rating = 4.8
            answer_hours = 3

            ["2025-06"]
            rating = "4.85"
            """
        )
        assert measured == {
            Month(2025, 5): {"rating": Decimal("4.8"), "answer_hours": 3},
            Month(2025, 6): {"rating": Decimal("4.85")},
        }
        assert type(measured[Month(2025, 5)]["answer_hours"]) is int

    @pytest.mark.parametrize(
        ("text", "named"),
        [
            ("[May]\nrating = 4.8\n", "'May' is not a month"),
            ("[2025-05]\nrating = true\n", "rating True is not a number"),
            ("[2025-05]\nrating = 'high'\n", "rating 'high' is not a decimal number"),
            ("[2025-05]\nrating = nan\n", "not a finite number"),
            ("[2025-05\n", "not valid TOML"),
            ("[2025-05]\nrating = [1]\n", "is not a number"),
        ],
    )
    def test_measured_values_that_are_not_numbers_are_refused(self, text: str, named: str) -> None:
        """
        The error names the month and the indicator.
        """
        with pytest.raises(InvalidArgumentError, match=named):
            parse_measured(text)
