"""The category of a marketplace's words for a reason, on frames.

The table is `redemption.reasons.reason_table`, the one the object importers match
against; here the words of each row are put in their matching form, in a column, and looked up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import narwhals.stable.v2 as nw

from redemption.frames._rows import WHITESPACE, stripped
from redemption.outcomes import ReasonCategory

__all__ = ["match_key", "with_reason_category"]

_TEXT = nw.String()


def match_key(words: nw.Expr) -> nw.Expr:
    """`redemption.reasons.match_key` on frames: one space for runs of whitespace, lowercase.

    Yo is read as ie, as there. Letters whose lowercase is not their case fold (``ß``)
    are the one difference: no marketplace's words hold them.
    """
    return (
        stripped(words)
        .str.replace_all(f"[{WHITESPACE}]+", " ")
        .str.to_lowercase()
        .str.replace_all("\u0451", "\u0435", literal=True)
    )


def with_reason_category(
    frame: nw.LazyFrame[Any], words: nw.Expr, table: Mapping[str, ReasonCategory], name: str
) -> nw.LazyFrame[Any]:
    """Add the category's value `table` gives `words` (`name`): ``other`` for words it lacks.

    Null where no words are given. `table` holds words in their matching form
    (`redemption.reasons.reason_table`). The words' matching form is made once, in a column
    of its own, and each category looks at that column: written into every category's test,
    it was computed (DuckDB) or built through the JVM (Spark) once for each.
    """
    key = f"{name}_key"
    frame = frame.with_columns(match_key(words).alias(key))
    said = nw.col(key)
    by_category: dict[str, list[str]] = {}
    for word, category in table.items():
        by_category.setdefault(category.value, []).append(word)
    found = nw.when(said.is_null() | (said == "")).then(nw.lit(None, dtype=_TEXT))
    for value, words_of in sorted(by_category.items()):
        found = found.when(said.is_in(words_of)).then(nw.lit(value, dtype=_TEXT))
    chosen = found.otherwise(nw.lit(ReasonCategory.OTHER.value, dtype=_TEXT))
    return frame.with_columns(chosen.alias(name)).drop(key)
