"""A collection of results as a table: for pandas, polars and pyarrow, and for a notebook.

The calculators that give one result per group (`redemption_rates`, `buyer_reports`,
`ransom_amounts`) return a `dict` subclass of this module's `ResultTable`: a plain
dictionary everywhere a dictionary was expected, with ``to_pandas()``, ``to_polars()`` and
``to_arrow()`` that give exactly the columns, in the same order and of the same types, as
the figure of `redemption.frames` does, then the columns the frames cannot know (the
windows and whether the figure is complete).

One vocabulary for both worlds: counts are integers (``Int64``), rates floats
(``Float64``, the float of the exact `Fraction` the record keeps, null where there is
none), money whole kopecks (``Int64``) in a column whose name ends in ``_kopecks``, days
dates. A view for people (`_repr_html_`, and the command line) shows money in roubles under
the name without ``_kopecks``.

The engines are imported inside the methods, only when called: the core keeps its three
dependencies. Each is built directly from Python lists, so `to_polars` needs polars alone
and `to_pandas` pandas alone.

Not part of the public API: the result types are re-exported by `redemption`.
"""

from __future__ import annotations

import html
import importlib
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from itertools import islice
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import attrs

from redemption.errors import MissingExtraError
from redemption.money import to_kopecks

if TYPE_CHECKING:  # the engines are imported when a conversion is called, never before
    import pandas as pd
    import polars as pl
    import pyarrow as pa

__all__ = [
    "HTML_ROWS",
    "Column",
    "Kind",
    "ResultTable",
    "record_html",
    "share",
    "share_text",
]

K = TypeVar("K")
V = TypeVar("V")

Kind = Literal["text", "count", "share", "kopecks", "day", "flag", "key"]
"""What a column holds, which decides its type in every engine: ``text`` (``String``),
``count`` (``Int64``), ``share`` (``Float64``, null allowed), ``kopecks`` (``Decimal``
roubles on the records, ``Int64`` kopecks in the tables), ``day`` (``Date``), ``flag``
(``Boolean``), ``key`` (a caller's group: the engine infers its type)."""

HTML_ROWS = 50
"""How many rows a notebook's table shows; the rest are counted in a last line."""

_ARROW = {
    "text": "string",
    "count": "int64",
    "share": "float64",
    "kopecks": "int64",
    "day": "date32",
    "flag": "bool_",
}
_POLARS = {
    "text": "String",
    "count": "Int64",
    "share": "Float64",
    "kopecks": "Int64",
    "day": "Date",
    "flag": "Boolean",
}
# The types redemption.frames gives on a pandas frame of numpy types: pandas' own text type
# (``str`` in pandas 3, object before), numpy integers and floats (null as NaN). pandas has
# no date type of its own: days are `datetime.date` objects, as pyarrow's ``to_pandas``
# gives them.
_PANDAS: dict[str, Any] = {
    "text": str,
    "count": "int64",
    "share": "float64",
    "kopecks": "int64",
    "day": object,
    "flag": "bool",
    "key": None,
}


@attrs.frozen
class Column:
    """One column of a table: its name, its kind and its values, one per row.

    A ``kopecks`` column is named with its unit (``ransom_kopecks``) and holds the records'
    `Decimal` roubles, which the tables turn into whole kopecks.
    """

    name: str
    kind: Kind
    cells: Sequence[Any]

    def table_values(self) -> list[Any]:
        """The values as a table holds them: kopecks for money, the rest as they are."""
        if self.kind == "kopecks":
            return [None if v is None else to_kopecks(v) for v in self.cells]
        return list(self.cells)


def _engine(name: str, method: str) -> ModuleType:
    """Import an engine when a conversion is asked for, or say how to install it."""
    try:
        return importlib.import_module(name)
    except ImportError as missing:
        msg = (
            f"{method}() needs {name}, which is not installed: pip install {name} "
            "(redemption[frames] installs narwhals alone, no frame library)"
        )
        raise MissingExtraError(msg) from missing


def share(numerator: int, denominator: int) -> float | None:
    """The float of ``numerator / denominator``, rounded once; `None` when it is 0 over 0."""
    return numerator / denominator if denominator else None


def share_text(numerator: int | Fraction | Decimal, denominator: int | Fraction | Decimal) -> str:
    """A rate for people: ``0.8000 (8/10)``, its parts as given; ``None`` with no denominator.

    Example:
        >>> share_text(8, 10), share_text(0, 0)
        ('0.8000 (8/10)', 'None')
    """
    if not denominator:
        return "None"
    value = Fraction(numerator) / Fraction(denominator)
    return f"{float(value):.4f} ({numerator}/{denominator})"


def _cell(kind: Kind, value: object) -> str:
    """A value as a table cell's text, escaped; money in roubles, nothing for a null."""
    if value is None:
        text = ""
    elif kind == "share" and isinstance(value, float):
        text = f"{value:.4f}"
    elif kind == "day" and isinstance(value, date):
        text = value.isoformat()
    elif kind == "flag":
        text = "yes" if value else "no"
    else:
        text = str(value)  # kopecks columns hold the records' roubles: shown as they are
    return html.escape(text)


def _heading(column: Column) -> str:
    """The column's name in a view for people: money in roubles, without ``_kopecks``."""
    return column.name.removesuffix("_kopecks") if column.kind == "kopecks" else column.name


def record_html(title: str, fields: Iterable[tuple[str, object]]) -> str:
    """One record as a small HTML table of its fields and values, every text escaped.

    Example:
        >>> record_html("Report", [("sku", "<b>")])
        '<table><caption>Report</caption><tbody><tr><th>sku</th><td>&lt;b&gt;</td></tr></tbody></table>'
    """
    rows = "".join(
        f"<tr><th>{html.escape(name)}</th><td>{html.escape(str(value))}</td></tr>"
        for name, value in fields
    )
    return f"<table><caption>{html.escape(title)}</caption><tbody>{rows}</tbody></table>"


class ResultTable(dict[K, V]):
    """A dictionary of results, one per group, that turns into a table.

    A subclass says what its columns are (`columns`) and what one row is called (`noun`).
    It is a `dict` in every other way: it compares equal to a plain one with the same
    items, and code that reads a dictionary reads it unchanged.

    .. versionadded:: 0.2.0
    """

    __slots__ = ()

    noun = "row"
    """What one entry is, for the notebook's caption: ``"group"``, ``"buyer"``."""

    def columns(self, keys: Sequence[K], values: Sequence[V]) -> list[Column]:
        """The table's columns, in order, with one value for each key and its value."""
        raise NotImplementedError

    def _columns(self, limit: int | None = None) -> list[Column]:
        """The columns of every entry, or of the first `limit`, in the dictionary's order."""
        # keys and values apart: a tuple for each item would be 200,000 objects for the
        # collector to walk, for 200,000 buyers, which takes longer than the table does
        if limit is None:
            return self.columns(list(self.keys()), list(self.values()))
        return self.columns(list(islice(self.keys(), limit)), list(islice(self.values(), limit)))

    def to_arrow(self) -> pa.Table:
        """Return the results as a `pyarrow.Table`, one row per entry.

        Raises:
            ImportError: pyarrow is not installed.
        """
        arrow = _engine("pyarrow", "to_arrow")
        arrays = {}
        for column in self._columns():
            arrow_type = getattr(arrow, _ARROW[column.kind])() if column.kind != "key" else None
            arrays[column.name] = arrow.array(column.table_values(), type=arrow_type)
        table: pa.Table = arrow.table(arrays)
        return table

    def to_polars(self) -> pl.DataFrame:
        """Return the results as a `polars.DataFrame`, one row per entry.

        Raises:
            ImportError: polars is not installed.
        """
        polars = _engine("polars", "to_polars")
        frame: pl.DataFrame = polars.DataFrame(
            [
                polars.Series(
                    column.name,
                    column.table_values(),
                    dtype=None if column.kind == "key" else getattr(polars, _POLARS[column.kind]),
                )
                for column in self._columns()
            ]
        )
        return frame

    def to_pandas(self) -> pd.DataFrame:
        """Return the results as a `pandas.DataFrame`, one row per entry, numbered from 0.

        Counts and kopecks are numpy ``int64``, rates ``float64`` (NaN where there is none),
        text pandas' string type, days `datetime.date` objects, as `redemption.frames` gives
        on a pandas frame of numpy types.

        Raises:
            ImportError: pandas is not installed.
        """
        pandas = _engine("pandas", "to_pandas")
        frame: pd.DataFrame = pandas.DataFrame(
            {
                column.name: pandas.Series(column.table_values(), dtype=_PANDAS[column.kind])
                for column in self._columns()
            }
        )
        return frame

    def _caption(self) -> str:
        """The table's title in a notebook: what it is, and how many entries it has."""
        plural = "" if len(self) == 1 else "s"
        return f"{type(self).__name__}: {len(self):,} {self.noun}{plural}"

    def _repr_html_(self) -> str:
        """A notebook's view: an HTML table of the first `HTML_ROWS` rows, money in roubles."""
        shown = min(len(self), HTML_ROWS)
        columns = self._columns(shown)
        head = "".join(f"<th>{html.escape(_heading(column))}</th>" for column in columns)
        body = "".join(
            "<tr>"
            + "".join(f"<td>{_cell(column.kind, column.cells[i])}</td>" for column in columns)
            + "</tr>"
            for i in range(shown)
        )
        if len(self) > shown:
            body += f'<tr><td colspan="{len(columns)}">\u2026 {len(self) - shown:,} more</td></tr>'
        caption = html.escape(self._caption())
        return (
            f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )
