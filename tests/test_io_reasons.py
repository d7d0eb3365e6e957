from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redemption import InvalidArgumentError, Reason, ReasonCategory
from redemption.io import reason_words, reason_words_from_toml
from redemption.reasons import Reasons, match_key

words = st.text(st.characters(categories=("L", "Zs")), min_size=1, max_size=12).filter(
    lambda word: bool(word.strip())
)


class TestTables:
    @pytest.mark.parametrize("marketplace", ["wildberries", "ozon"])
    def test_every_shipped_word_has_a_category_and_no_two_words_collide(
        self, marketplace: str
    ) -> None:
        """
        The shipped tables read, and no two of their words match as the same words.
        """
        table = reason_words(marketplace)  # type: ignore[arg-type]
        assert table
        assert all(isinstance(category, ReasonCategory) for category in table.values())
        assert len({match_key(word) for word in table}) == len(table)

    def test_an_unknown_marketplace_is_refused(self) -> None:
        """
        Only the marketplaces whose words ship can be asked for.
        """
        with pytest.raises(InvalidArgumentError, match="'wildberries' or 'ozon'"):
            reason_words("avito")  # type: ignore[arg-type]

    def test_words_match_whatever_their_case_spaces_or_yo(self) -> None:
        """
        Case, runs of spaces and yo against ie make no difference; the text is kept as given.
        """
        reasons = Reasons("ozon")
        given = "  ПОКУПАТЕЛЬ отказался при вручении:   товар не подошёл "
        assert reasons.reason(given) == Reason(ReasonCategory.SIZE_FIT, given)
        assert not reasons.unknown

    def test_words_filed_as_unknown_give_no_reason(self) -> None:
        """
        A word filed under "unknown" says how, not why: no reason, and not counted.
        """
        reasons = Reasons("wildberries", {"как-то так": "unknown"})
        assert reasons.reason("Как-то так") is None
        assert reasons.reason("") is None
        assert not reasons.unknown

    def test_a_table_from_toml_is_read_and_its_faults_named(self, tmp_path: Path) -> None:
        """
        A [words] table reads; bad TOML, no table, or an unknown category is named.
        """
        path = tmp_path / "words.toml"
        path.write_text('[words]\n"Мал" = "size_fit"\n', encoding="utf-8")
        assert reason_words_from_toml(path) == {"Мал": ReasonCategory.SIZE_FIT}
        for text, message in [
            ("[words\n", "not valid TOML"),
            ('"Мал" = "size_fit"\n', "expected a \\[words\\] table"),
            ('[words]\n"Мал" = "tiny"\n', "'Мал' has the category 'tiny'"),
        ]:
            path.write_text(text, encoding="utf-8")
            with pytest.raises(InvalidArgumentError, match=message):
                reason_words_from_toml(path)


@given(
    table=st.dictionaries(words, st.sampled_from(ReasonCategory), max_size=5),
    said=st.lists(words, max_size=10),
)
def test_a_callers_words_are_counted_under_their_category(
    table: dict[str, ReasonCategory], said: list[str]
) -> None:
    """
    A word in the caller's table gets the caller's category and is never counted unknown;
    every other word no table knows is OTHER and counted once per time it is read.
    """
    reasons = Reasons("ozon", table)
    shipped = {match_key(word) for word in reason_words("ozon")}
    theirs = {match_key(word): category for word, category in table.items()}
    for word in said:
        reason = reasons.reason(word)
        category = theirs.get(match_key(word))
        if category is ReasonCategory.UNKNOWN:
            assert reason is None
        elif category is not None:
            assert reason == Reason(category, word)
        elif match_key(word) not in shipped:
            assert reason == Reason(ReasonCategory.OTHER, word)
    unknown = [w for w in said if match_key(w) not in theirs and match_key(w) not in shipped]
    assert sum(reasons.unknown.values()) == len(unknown)
    assert set(reasons.unknown) == set(unknown)
