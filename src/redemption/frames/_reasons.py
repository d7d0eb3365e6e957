"""The category of a marketplace's words for a reason, on frames.

The table is `redemption.reasons.reason_table`, the one the object importers match
against; here the words of each row are put in its matching form and looked up, as one
expression.
"""

from __future__ import annotations

from collections.abc import Mapping

import narwhals.stable.v2 as nw

from redemption.frames._rows import WHITESPACE, stripped
from redemption.outcomes import ReasonCategory

__all__ = ["match_key", "reason_category"]

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


def reason_category(words: nw.Expr, table: Mapping[str, ReasonCategory]) -> nw.Expr:
    """The category's value `table` gives `words`: ``other`` for words it lacks, null for none.

    `table` holds words in their matching form (`redemption.reasons.reason_table`).
    """
    key = match_key(words)
    by_category: dict[str, list[str]] = {}
    for word, category in table.items():
        by_category.setdefault(category.value, []).append(word)
    found = nw.when(key.is_null() | (key == "")).then(nw.lit(None, dtype=_TEXT))
    for name, said in sorted(by_category.items()):
        found = found.when(key.is_in(said)).then(nw.lit(name, dtype=_TEXT))
    return found.otherwise(nw.lit(ReasonCategory.OTHER.value, dtype=_TEXT))
