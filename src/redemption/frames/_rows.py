"""What every columnar reader does with a report's rows, as text, in one place.

The readers (`_wb_statistics`, `_wb_realization`, `_ozon`) get every field as text from
`redemption.frames._sources` and check it as the object importers check the values they
read: text stripped as `str.strip` strips it, a price read to the kopeck half-even, a row's
first failing check, and each row's place in reading order. The rows a reader puts aside
have the columns `ASIDE_COLUMNS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals.stable.v2 as nw

from redemption.frames._sources import FILE, ROW

__all__ = [
    "ASIDE_COLUMNS",
    "AT_BITS",
    "DECIMAL",
    "MAX_WHOLE_DIGITS",
    "SIGNED_DECIMAL",
    "WHITESPACE",
    "WHOLE_CHARS",
    "decimal_digits",
    "empty",
    "fixed_point",
    "reading_place",
    "stripped",
    "with_first_met",
    "with_kopecks",
    "with_text_read",
]

ASIDE_COLUMNS = ("source", "row", "field", "reason", "kind")
"""The columns of the rows put aside."""
AT_BITS = 32
"""A row's place among every file: its file's place above these bits, its row below."""
DECIMAL = r"^[0-9]+(\.[0-9]+)?\z"
"""A price's text: digits, and a point followed by digits."""
SIGNED_DECIMAL = r"^[+-]?[0-9]+(\.[0-9]+)?\z"
"""An amount's text: a sign or none, digits, and a point followed by digits."""
MAX_WHOLE_DIGITS = 16
"""Roubles of at most this many digits hold in 64 bits as kopecks."""
WHOLE_CHARS = 40
"""The longest text read as a whole number, stripped (`redemption.io.report.WHOLE_CHARS`)."""
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""The characters Python's `str.strip` takes off, as the object importers strip text: the
engines' own stripping differs (ASCII only on DuckDB, Rust's set on polars)."""
_TEXT = nw.String()
_MET = "_first_met"
"""The column `with_first_met` numbers the first check met in, dropped once it is read."""


def reading_place(file: nw.Expr | None = None) -> nw.Expr:
    """Each row's place in reading order: its file's place, then its row's in the file.

    `file` is the file's place where a reader numbers its files otherwise than `FILE`.
    """
    return ((nw.col(FILE) if file is None else file) * (1 << AT_BITS) + nw.col(ROW)).cast(nw.Int64)


def stripped(text: nw.Expr) -> nw.Expr:
    """`text` without the whitespace at its ends, as `str.strip` takes it off.

    Text is seldom padded, so only text that may be is stripped: stripping 29 characters
    from every value costs DuckDB several times what comparing its ends does. Every
    whitespace character is below ``!`` or from U+0085 on, and text compares by its
    first character first.
    """
    last = text.str.slice(-1)
    padded = (text < "!") | (text >= "\x85") | (last < "!") | (last >= "\x85")
    return (
        nw.when(padded.fill_null(value=False))
        .then(text.str.strip_chars(WHITESPACE))
        .otherwise(text)
    )


def with_text_read(
    frame: nw.LazyFrame[Any], text: nw.Expr, name: str, pattern: str
) -> nw.LazyFrame[Any]:
    r"""Add a field's text (`name`), stripped, and whether it matches `pattern` (``name_ok``).

    Text is stripped only where it does not match as given: `pattern` is anchored at both
    ends (``^...\z``: Spark's ``$`` lets a final line break by) and takes no whitespace at
    either, so it matches no padded text, what matches needs no stripping, and the rest
    (few rows) is stripped and matched again. The text is as `stripped` gives it either
    way; each row is matched once, or twice where it is padded.
    """
    ok = f"{name}_ok"
    frame = frame.with_columns(text.alias(name))
    given = nw.col(name)
    frame = frame.with_columns(given.str.contains(pattern).fill_null(value=False).alias(ok))
    retry = stripped(given)
    return frame.with_columns(
        nw.when(nw.col(ok)).then(given).otherwise(retry).alias(name),
        nw.when(nw.col(ok))
        .then(nw.lit(value=True))
        .otherwise(retry.str.contains(pattern).fill_null(value=False))
        .alias(ok),
    )


def empty(text: nw.Expr) -> nw.Expr:
    """Whether a field's text is missing: null or empty."""
    return (text.is_null() | (text == "")).fill_null(value=True)


def with_first_met(
    frame: nw.LazyFrame[Any], checks: Sequence[tuple[Any, ...]], names: Sequence[str]
) -> nw.LazyFrame[Any]:
    """Add, for each value a check names (`names`), that of the first check a row meets.

    Each check is whether the row meets it (null is not) and its values, each text, an
    expression, or ``None``; every check names ``len(names)`` values, and a row that meets
    none has them null. The first check met is numbered once, in a column of its own, and
    each value chosen by that number: a check is written once, however many values it
    names. Writing one twice costs twice: on DuckDB it is computed twice, and on Spark each
    expression written is a round trip to the JVM for each of its nodes.
    """
    met: Any = nw
    for number, (check, *_) in enumerate(checks):
        met = met.when(check.fill_null(value=False)).then(nw.lit(number, dtype=nw.Int64()))
    frame = frame.with_columns(met.alias(_MET))
    chains: list[Any] = [nw] * len(names)
    for number, (_, *values) in enumerate(checks):
        for i, value in enumerate(values):
            named = value if isinstance(value, nw.Expr) else nw.lit(value, dtype=_TEXT)
            chains[i] = chains[i].when(nw.col(_MET) == number).then(named)
    chosen = (chain.alias(name) for chain, name in zip(chains, names, strict=True))
    return frame.with_columns(*chosen).drop(_MET)


def with_kopecks(frame: nw.LazyFrame[Any], text: nw.Expr, name: str) -> nw.LazyFrame[Any]:
    """Add a price's whole kopecks (``name``, half-even) and why it has none (``name_bad``).

    `text` is the price's text: stripped, digits, and a point followed by digits
    (`DECIMAL`), at most `MAX_WHOLE_DIGITS` of them before the point. The kopecks are null
    where it is missing or is no such price.
    """
    raw, shape = f"{name}_raw", f"{name}_raw_ok"
    # each step's columns made before the next reads them: an expression used twice in one
    # step is computed twice on DuckDB
    frame = with_text_read(frame, text, raw, DECIMAL)
    whole, fraction = decimal_digits(nw.when(nw.col(shape)).then(nw.col(raw)))
    frame = frame.with_columns(whole.alias(f"{name}_whole"), fraction.alias(f"{name}_fraction"))
    whole, fraction = nw.col(f"{name}_whole"), nw.col(f"{name}_fraction")
    frame = frame.with_columns(
        (nw.col(shape) & (whole.str.len_chars() <= MAX_WHOLE_DIGITS)).alias(f"{name}_fits")
    )
    fits = nw.col(f"{name}_fits")
    frame = frame.with_columns(
        fixed_point(nw.when(fits).then(whole), fraction, 2).alias(f"{name}_kop"),
        nw.concat_str([fraction, nw.lit("0")]).str.slice(2, 1).alias(f"{name}_third"),
        fraction.str.slice(3).str.contains("[1-9]").fill_null(value=False).alias(f"{name}_more"),
    )
    t, third, kop = nw.col(raw), nw.col(f"{name}_third"), nw.col(f"{name}_kop")
    # the digit that decides rounding, then the digits after it, then the kopeck's parity
    up = (third > "5") | ((third == "5") & (nw.col(f"{name}_more") | (kop % 2 == 1)))
    return frame.with_columns(
        (kop + up.fill_null(value=False).cast(nw.Int64)).cast(nw.Int64).alias(name),
        nw.when(empty(t))
        .then(nw.lit("missing"))
        .when(~nw.col(shape))
        .then(nw.concat_str([nw.lit("not a price (digits, a point and digits): "), t]))
        .when(~nw.col(f"{name}_fits"))
        .then(nw.concat_str([nw.lit("too large a price to hold in kopecks: "), t]))
        .alias(f"{name}_bad"),
    ).drop(
        raw,
        shape,
        *(f"{name}_{k}" for k in ("whole", "fraction", "fits", "kop", "third", "more")),
    )


def decimal_digits(text: nw.Expr, *, signed: bool = False) -> tuple[nw.Expr, nw.Expr]:
    """The digits of a decimal's text before its point, and after it (empty where none).

    `text` is digits and a point followed by digits (`DECIMAL`), or, `signed`, with a
    sign before them (`SIGNED_DECIMAL`), which is left out. One split at the points gives
    both: a split costs DuckDB a third of a pattern's replacement. Spark splits at a
    pattern, where a point is any character: the points are commas first.
    """
    marked = nw.concat_str([text, nw.lit(",")])
    for sign in ("-", "+") if signed else ():
        marked = marked.str.replace_all(sign, "", literal=True)
    parts = marked.str.replace_all(".", ",", literal=True).str.split(",")
    return parts.list.get(0), parts.list.get(1)


def fixed_point(whole: nw.Expr, fraction: nw.Expr, places: int) -> nw.Expr:
    """The number of ``10 ** -places`` units a decimal's digits make, its fraction cut.

    `whole` and `fraction` are the digits before and after the point (`decimal_digits`):
    ``12`` and ``5`` make 1250 hundredths. The fraction's digits after the first `places`
    are left out: the caller rounds or refuses by them. Null where `whole` is; a caller
    gives a null `whole` where it has more digits than 64 bits hold.
    """
    unit: int = 10**places
    digits = nw.concat_str([fraction, nw.lit("0" * places)]).str.slice(0, places)
    return whole.cast(nw.Int64) * unit + digits.cast(nw.Int64)
