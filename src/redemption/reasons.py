"""The marketplaces' words for why an order was cancelled or returned, and their categories.

Each marketplace has a table that ships with the library, as data
(``redemption/data/reasons/<marketplace>.toml``): `reason_words` reads it, and
`reason_table` lays a caller's words over it, for the importers of records
(`redemption.io`) and of frames (`redemption.frames`) alike. Every importer
of a report that gives reasons in words takes ``reasons=``, the caller's own words, laid
over that table (and so does `read_reports`). A word is matched whole,
ignoring case, runs of spaces and the difference between the letters yo and ie; the `Reason` keeps
the marketplace's text as it was given. A word no table knows is `ReasonCategory.OTHER`, its
text kept, and the import report counts it (`ImportReport.unknown_reasons`), so the caller
sees what to add. Words filed under ``unknown`` say how, not why: they give no reason.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

from redemption.errors import ArgumentTypeError, DataError, InvalidArgumentError
from redemption.order_lines import member
from redemption.outcomes import Reason, ReasonCategory

__all__ = [
    "Marketplace",
    "ReasonWords",
    "Reasons",
    "match_key",
    "reason_table",
    "reason_words",
    "reason_words_from_toml",
]

Marketplace = Literal["wildberries", "ozon"]
"""The marketplaces whose words ship with the library."""

ReasonWords = Mapping[str, ReasonCategory | str]
"""A caller's table: a marketplace's words, each with its category (or the category's value,
such as ``"size_fit"``)."""


def match_key(text: str) -> str:
    """The form a word is matched in: case, runs of spaces, yo and ie make no difference."""
    return " ".join(text.split()).casefold().replace("\u0451", "\u0435")


def _category(value: object, word: str, where: str) -> ReasonCategory:
    if isinstance(value, ReasonCategory):
        return value
    try:
        return member(ReasonCategory, value if isinstance(value, str) else repr(value), "it")
    except DataError as error:
        msg = f"{where}: the word {word!r} has the category {value!r}; {error}"
        raise InvalidArgumentError(msg) from None


def _given(words: object) -> Mapping[object, object]:
    """A caller's table, checked to be one."""
    if words is None:
        return {}
    if not isinstance(words, Mapping):
        msg = (
            f"reasons must map words to categories, not {type(words).__name__} {words!r}; "
            "read a file of them with reason_words_from_toml"
        )
        raise ArgumentTypeError(msg)
    return words


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _words(text: str, name: str) -> dict[str, ReasonCategory]:
    """The ``[words]`` table of a TOML document, each word with its category."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        msg = f"{name}: not valid TOML ({error})"
        raise InvalidArgumentError(msg) from None
    words = document.get("words")
    if not isinstance(words, dict):
        msg = f'{name}: expected a [words] table of "the marketplace\'s words" = "category"'
        raise InvalidArgumentError(msg)
    return {word: _category(value, word, name) for word, value in words.items()}


@cache
def _shipped(marketplace: Marketplace) -> dict[str, ReasonCategory]:
    name = f"{marketplace}.toml"
    return _words((files("redemption") / "data" / "reasons" / name).read_text("utf-8"), name)


def reason_words_from_toml(path: str | Path) -> dict[str, ReasonCategory]:
    r"""Read a caller's table of words from a TOML file, for ``reasons=``.

    The file has the shape of the tables that ship with the library: a ``[words]`` table
    of the marketplace's words, each with a `ReasonCategory` value::

        [words]
        "Маломерит" = "size_fit"

    Raises:
        InvalidArgumentError: the file is not TOML, has no ``[words]`` table, or gives a
            category that is no `ReasonCategory` value (naming the word).
        OSError: the file cannot be read.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "words.toml"
        >>> _ = path.write_text('[words]\n"Мал" = "size_fit"\n', encoding="utf-8")
        >>> reason_words_from_toml(path)
        {'Мал': <ReasonCategory.SIZE_FIT: 'size_fit'>}

    .. versionadded:: 0.1.0
    """
    path = Path(path)
    return _words(path.read_text(encoding="utf-8"), str(path))


def reason_words(marketplace: Marketplace) -> dict[str, ReasonCategory]:
    """Return the table of a marketplace's words that ships with the library.

    Example:
        >>> reason_words("wildberries")["Цвет"]
        <ReasonCategory.APPEARANCE: 'appearance'>
        >>> reason_words("ozon")["Покупатель отказался при вручении: товар не подошел"]
        <ReasonCategory.SIZE_FIT: 'size_fit'>

    .. versionadded:: 0.1.0
    """
    if marketplace not in ("wildberries", "ozon"):
        msg = f"marketplace must be 'wildberries' or 'ozon', not {marketplace!r}"
        raise InvalidArgumentError(msg)
    return dict(_shipped(marketplace))


def reason_table(
    marketplace: Marketplace, words: ReasonWords | None = None
) -> dict[str, ReasonCategory]:
    """The words a reading of `marketplace`'s reports knows, each in its `match_key` form.

    The table that ships with the library, with the caller's `words` laid over it: the
    one table every reader of reasons matches against, on records (`Reasons`) and on
    frames (`redemption.frames`).

    Raises:
        ArgumentTypeError: `words` is not a mapping.
        InvalidArgumentError: a category of `words` is no `ReasonCategory` value, or a
            word is not text.

    Example:
        >>> reason_table("wildberries", {"Мал в ПЛЕЧАХ": "size_fit"})["мал в плечах"]
        <ReasonCategory.SIZE_FIT: 'size_fit'>
    """
    table = {match_key(word): category for word, category in _shipped(marketplace).items()}
    for word, category in _given(words).items():
        if not isinstance(word, str) or not _is_text(word):
            msg = f"reasons: a word must be non-empty text, not {word!r}"
            raise InvalidArgumentError(msg)
        table[match_key(word)] = _category(category, word, "reasons")
    return table


class Reasons:
    """One import's reader of reasons: the tables in use, and the words they did not know.

    It gives one `Reason` per distinct text, shared by every order with those words.
    """

    def __init__(self, marketplace: Marketplace, words: ReasonWords | None = None) -> None:
        """Lay the caller's `words` over the marketplace's table.

        Raises:
            ArgumentTypeError: `words` is not a mapping.
            InvalidArgumentError: a category of `words` is no `ReasonCategory` value, or a
                word is not text.
        """
        table = reason_table(marketplace, words)
        self._table = table
        self._made: dict[str, tuple[Reason, bool]] = {}
        self.unknown: Counter[str] = Counter()

    def reason(self, text: object) -> Reason | None:
        """Return the reason a marketplace's words give; `None` where there are none.

        Words no table knows are `ReasonCategory.OTHER`, and are counted. Words a table
        files under ``unknown`` say nothing of why: they give no reason.
        """
        if not isinstance(text, str) or not _is_text(text):
            return None
        made = self._made.get(text)
        if made is None:
            category = self._table.get(match_key(text))
            made = self._made[text] = (
                Reason(ReasonCategory.OTHER if category is None else category, text),
                category is not None,
            )
        reason, known = made
        if not known:
            self.unknown[text] += 1
        return None if reason.category is ReasonCategory.UNKNOWN else reason
