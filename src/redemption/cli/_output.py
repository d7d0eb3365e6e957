"""How the commands write their figures: JSON, CSV and tables, the same vocabulary in each.

A command builds rows: dicts from a column's name to a cell. The names are those of
`redemption.frames` (``orders``, ``sales``, ``returns``, ``in_transit``, ``rate``...), with
money in roubles under the stem of the frames' kopeck columns (``ransom``, not
``ransom_kopecks``). A cell keeps its type until it is written:

=============  ==========================  ===============================================
cell           JSON                        CSV
=============  ==========================  ===============================================
`int`          an integer                  its digits
`bool`         ``true`` / ``false``        ``true`` / ``false``
`Fraction`     a number (nearest float)    the same number
`Decimal`      a number, its exact digits  its exact digits (money: roubles, two places)
`date`         an ISO string               the ISO date
`None`         ``null``                    empty
=============  ==========================  ===============================================

Rates and shares are fractions of 1, as in frames; tables show them as percentages.
"""

from __future__ import annotations

import csv
import json
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TypeAlias

__all__ = ["Cell", "Row", "table_lines", "text_width", "to_json", "write_csv", "write_json"]

Cell: TypeAlias = int | bool | float | Fraction | Decimal | str | date | None
"""One value of a row, typed until it is written (see the module)."""

Row: TypeAlias = Mapping[str, Cell]
"""One row: a value per column name."""

_INDENT = "  "


def _scalar(value: object) -> str:  # noqa: PLR0911 - a return per type JSON writes
    """One value as JSON: exact decimals as their digits, fractions as floats."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            msg = f"{value} is not a number JSON can hold"
            raise ValueError(msg)
        return format(value, "f")  # the digits written: 1520.50, never 1520.5000000001
    if isinstance(value, Fraction | float):
        return json.dumps(float(value), allow_nan=False)
    if isinstance(value, date):  # a datetime too
        return json.dumps(value.isoformat())
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    msg = f"no JSON form for {type(value).__name__}"
    raise TypeError(msg)


def to_json(value: object, level: int = 0) -> str:
    """A document as JSON, indented by two spaces; `Decimal` money keeps its exact digits.

    The standard library's encoder writes a `Decimal` only through `float` or as a string;
    this one writes its digits as a JSON number, so ``json.loads(text,
    parse_float=Decimal)`` gives back the very amount.

    Example:
        >>> print(to_json({"ransom": Decimal("1520.50"), "rate": Fraction(1, 4), "n": [1]}))
        {
          "ransom": 1520.50,
          "rate": 0.25,
          "n": [
            1
          ]
        }
    """
    inner = _INDENT * (level + 1)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = [
            f"{inner}{json.dumps(str(key), ensure_ascii=False)}: {to_json(item, level + 1)}"
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + _INDENT * level + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = [f"{inner}{to_json(item, level + 1)}" for item in value]
        return "[\n" + ",\n".join(items) + "\n" + _INDENT * level + "]"
    return _scalar(value)


def write_json(document: Mapping[str, object]) -> None:
    """Print a document as JSON (`to_json`)."""
    print(to_json(document))


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | int | Decimal | Fraction | float):
        return _scalar(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def write_csv(rows: Iterable[Row], columns: Sequence[str]) -> None:
    """Print a header of `columns`, then a line per row (a column a row lacks is empty)."""
    writer = csv.writer(sys.stdout)
    writer.writerow(columns)
    writer.writerows([_csv_cell(row.get(column)) for column in columns] for row in rows)


def _char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in {"Mn", "Me", "Cf"}:
        return 0
    return 2 if unicodedata.east_asian_width(char) in {"W", "F"} else 1


def text_width(text: str) -> int:
    """The columns `text` takes on a terminal: wide East Asian letters take two, marks none.

    Example:
        >>> text_width("nm-42"), text_width("商品"), text_width("Маломерит")
        (5, 4, 9)
    """
    return sum(_char_width(char) for char in text)


def _padded(text: str, width: int, align: str) -> str:
    fill = " " * (width - text_width(text))
    return fill + text if align == ">" else text + fill


def _one_line(text: str) -> str:
    """Text with its control characters (a line break in a product's name) as spaces."""
    return "".join(" " if unicodedata.category(char) == "Cc" else char for char in text)


def table_lines(
    header: Sequence[str], rows: Iterable[Sequence[str]], align: str, indent: str = _INDENT
) -> list[str]:
    r"""Lines of a table whose columns are as wide as their widest cell, header included.

    Widths are counted in terminal columns (`text_width`), so a long product name or a
    Cyrillic or Chinese one keeps the columns after it in line.

    Args:
        header: the column titles.
        rows: the cells, as text, one sequence per row.
        align: ``<`` (left) or ``>`` (right) for each column.
        indent: what each line starts with.

    Example:
        >>> print("\n".join(table_lines(["sku", "orders"], [["a-long-name", "7"]], "<>")))
          sku          orders
          a-long-name       7
    """
    body = [[_one_line(cell) for cell in row] for row in (header, *rows)]
    widths = [max(text_width(row[i]) for row in body) for i in range(len(header))]
    return [
        (
            indent
            + "  ".join(
                _padded(cell, width, side)
                for cell, width, side in zip(row, widths, align, strict=True)
            )
        ).rstrip()
        for row in body
    ]
