"""The dialects of the CSV files sellers have: how their text, amounts and moments are written.

A spreadsheet saves a table in the dialect of its locale, and the marketplaces' portals
export theirs in their own. The readers of CSV files (`redemption.io.read_order_lines`,
`redemption.io.read_ozon_portal_postings`) take every dialect here, and say in the import
report what they assumed:

- **Encoding**: UTF-8, with or without a byte-order mark, or Windows-1251 (the code page
  of a Russian Windows). The bytes are decoded as UTF-8 strictly first, and only if that
  fails as Windows-1251: any text in Windows-1251 with a Cyrillic letter is almost never
  valid UTF-8, while text in UTF-8 is valid Windows-1251 too (garbled), so this order
  never garbles a UTF-8 file. Text that is neither (a UTF-16 file, bytes Windows-1251
  leaves undefined) is refused, naming the file.
- **Delimiter**: ``,``, ``;`` or a tab, whichever the header row holds most of outside
  quotes (``,`` where it holds none). Only the header row is looked at: its cells are
  names, so a comma in one (``Объемный вес товаров, кг``) is outnumbered by the real
  delimiters, and a price with a decimal comma further down is never counted.
- **Amounts**: whole kopecks (``152050``), or roubles with a decimal comma or point
  (``1520,50``, ``1520.50``, ``1 520,50`` with spaces between groups of three digits). A
  comma is never a thousands separator, so ``1,520.50`` is refused rather than guessed.
  The unit is never guessed from the digits: the reader is told it (`Unit`).
- **Moments**: ISO 8601 (``2023-11-01T05:06:00+03:00``, ``2023-11-01 05:06``,
  ``2023-11-01``) or day first (``01.11.2023 05:06``, ``01.11.2023 05:06:07``,
  ``01.11.2023``), with or without a UTC offset. A moment without one is taken in the
  zone the caller gives (Moscow by default), and the reader says so; a date alone is the
  midnight that starts it.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Final, Literal

from redemption.errors import ReportFormatError, shown
from redemption.io.limits import DEFAULT_LIMITS, Limits, ReportBytes
from redemption.io.report import BadRow, in_utc_range, source_name
from redemption.money import MAX_DIGITS

__all__ = [
    "DELIMITERS",
    "Encoding",
    "Unit",
    "csv_rows",
    "decode",
    "decode_head",
    "delimiter_in_words",
    "header_cells",
    "parse_kopecks",
    "parse_moment",
    "parse_roubles",
    "read_csv_text",
    "sniff_delimiter",
]

Unit = Literal["kopecks", "roubles"]
"""The unit of a money column: whole kopecks, or roubles with their kopecks as a fraction."""

Encoding = Literal["utf-8", "utf-8-sig", "cp1251"]
"""How a file's bytes were decoded: UTF-8 without or with a byte-order mark, Windows-1251."""

DELIMITERS: Final = (",", ";", "\t")
"""The delimiters a CSV file may have, the default first."""

_DELIMITER_WORDS: Final = {",": "comma", ";": "semicolon", "\t": "tab"}
_UTF16_BOMS: Final = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode(raw: bytes, name: str) -> tuple[str, Encoding]:
    r"""Return the text of a file's bytes, and how it was decoded.

    Strict UTF-8 first (a byte-order mark is dropped), then Windows-1251.

    Raises:
        ReportFormatError: UTF-16 text (its byte-order mark says so), or bytes that are
            neither UTF-8 nor Windows-1251 (which leaves byte ``0x98`` undefined).

    Example:
        >>> decode("Статус;Дата".encode("cp1251"), "report.csv")
        ('Статус;Дата', 'cp1251')
        >>> decode(b"\xef\xbb\xbfprice", "lines.csv")
        ('price', 'utf-8-sig')
    """
    if raw.startswith(_UTF16_BOMS) and not raw.startswith(codecs.BOM_UTF8):
        msg = f"{name}: UTF-16 text; save it as UTF-8 or Windows-1251 (CSV UTF-8 in Excel)"
        raise ReportFormatError(msg, source=name)
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as error:
            at = error.start + len(codecs.BOM_UTF8)
            msg = f"{name}: not UTF-8 text, though it starts as UTF-8 ({error.reason} at byte {at})"
            raise ReportFormatError(msg, source=name) from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as first:
        try:
            return raw.decode("cp1251"), "cp1251"
        except UnicodeDecodeError as second:
            msg = (
                f"{name}: neither UTF-8 text ({first.reason} at byte {first.start}) nor "
                f"Windows-1251 ({second.reason} at byte {second.start})"
            )
            raise ReportFormatError(msg, source=name) from None


def decode_head(raw: bytes) -> str:
    """Return the text of the first bytes of a file, to tell what it holds; never fails.

    As `decode`, except that a character cut at the end of `raw` is no reason to leave
    UTF-8, bytes that are neither encoding are replaced rather than refused, and text
    with a UTF-16 byte-order mark is read as UTF-16 (which `decode` refuses), not as
    Windows-1251 letters between zero bytes.

    Example:
        >>> decode_head("Номер".encode()[:-1])
        'Номе'
        >>> decode_head("order_id;Статус".encode("utf-16"))
        'order_id;Статус'
    """
    if raw.startswith(_UTF16_BOMS) and not raw.startswith(codecs.BOM_UTF8):
        # the mark says the byte order; a character cut at the end is left out
        return codecs.getincrementaldecoder("utf-16")(errors="replace").decode(raw, final=False)
    body = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(body, final=False)
    except UnicodeDecodeError:
        pass
    if raw.startswith(codecs.BOM_UTF8):
        return body.decode("utf-8", errors="replace")
    return raw.decode("cp1251", errors="replace")


def read_csv_text(
    source: str | Path | bytes, expected: str, *, limits: Limits = DEFAULT_LIMITS
) -> tuple[str, str, Encoding]:
    """Return the name of a CSV file (or bytes), its text, and how it was decoded.

    It may be gzip-compressed. Only a regular file is read, within `limits`, as
    `redemption.io.report.read_text` reads one; the text is decoded as `decode` says.

    Raises:
        ReportFormatError: an empty file, a broken gzip stream, or text in neither encoding.
        LimitExceededError: a file that holds or unpacks to more than `limits` allow.
    """
    name = source_name(source)
    text, encoding = decode(ReportBytes(source, name, limits).read(), name)
    if not text.strip():
        msg = f"{name}: the file is empty; expected {expected}"
        raise ReportFormatError(msg, source=name)
    return name, text, encoding


def _first_line(text: str) -> str:
    """The header row: the text up to the first line break outside quotes."""
    quoted = False
    for at, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            return text[:at]
    return text


def sniff_delimiter(text: str) -> str:
    r"""Return the delimiter of a CSV text: the one its header row holds most of.

    Only delimiters outside quotes count; with none, or a tie, the earlier of
    `DELIMITERS` wins (``,`` first).

    Example:
        >>> sniff_delimiter("Номер заказа;Объемный вес товаров, кг;Статус\n1;2,5;x\n")
        ';'
        >>> sniff_delimiter('order_id\tnote\n'), sniff_delimiter('"a;b",c\n')
        ('\t', ',')
    """
    line = _first_line(text)
    outside = "".join(part for n, part in enumerate(line.split('"')) if n % 2 == 0)
    counts = [outside.count(delimiter) for delimiter in DELIMITERS]
    return DELIMITERS[counts.index(max(counts))]


def header_cells(text: str) -> tuple[str, list[str]]:
    r"""Return the delimiter of a CSV text and the names in its header row, stripped.

    A header row the `csv` module cannot read gives no names.

    Example:
        >>> header_cells('\ufeff"Номер заказа";Статус ;Количество\n1;2;3')
        (';', ['Номер заказа', 'Статус', 'Количество'])
    """
    text = text.removeprefix("\ufeff")
    delimiter = sniff_delimiter(text)
    try:
        row = next(csv.reader(io.StringIO(_first_line(text), newline=""), delimiter=delimiter))
    except (csv.Error, StopIteration):
        return delimiter, []
    return delimiter, [cell.strip() for cell in row]


def csv_rows(reader: csv.DictReader[str]) -> list[dict[str, str] | BadRow]:
    """Every row after the header; a row the CSV reader cannot read is a `BadRow`.

    A cell longer than the reader's limit (`csv.field_size_limit`: see `csv_cell_limit`)
    is such a row: the reader drops the rest of its line and goes on with the next line,
    so a quote left open swallows the lines up to the limit into that one row, not the
    whole file.
    """
    rows: list[dict[str, str] | BadRow] = []
    while True:
        try:
            rows.append(next(reader))
        except StopIteration:
            return rows
        except csv.Error as error:
            reason = f"the row after line {reader.line_num} cannot be read as CSV: {error}"
            rows.append(BadRow(None, reason=reason))


def delimiter_in_words(delimiter: str) -> str:
    """Say how a file's cells are separated: ``"semicolon-separated"`` and the like."""
    return f"{_DELIMITER_WORDS.get(delimiter, repr(delimiter))}-separated"


_GROUPED = r"[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+"
_AMOUNT = re.compile(rf"(-?)({_GROUPED}|[0-9]+)(?:([.,])([0-9]*))?")
_MOST_PLACES = MAX_DIGITS
"""The most decimal places an amount may be written with (more is no real amount)."""


def _amount_parts(
    text: str, field: str, example: str, places: int = 2
) -> tuple[str, str, str | None]:
    """Split an amount into its sign, its whole digits and its fraction's digits (or None).

    Whole digits that with `places` more make more than `MAX_DIGITS` are too many.
    """
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise BadRow(field=field, reason=f"expected {example}, found {shown(text)}")
    sign, whole, point, fraction = match.groups()
    whole = re.sub(r"[ \u00a0\u202f]", "", whole)
    if point is not None and not fraction:  # "1520," is no amount
        raise BadRow(field=field, reason=f"expected {example}, found {shown(text)}")
    if len(whole.lstrip("0")) + places > MAX_DIGITS or len(fraction or "") > _MOST_PLACES:
        raise BadRow(field=field, reason=f"more digits than an amount may have: {shown(text)}")
    return sign, whole, fraction


def parse_kopecks(text: str, unit: Unit, field: str) -> int:
    """Read an amount written in `unit` as whole kopecks.

    Kopecks are whole (``152050``); roubles may have a decimal comma or point and at most
    two places that are not zero (``1520,50``, ``1520.5``, ``1520``). Digits may be
    grouped by threes with spaces. A fraction in a kopecks column, or of a kopeck in a
    roubles column, makes a bad row naming `field`.

    Example:
        >>> parse_kopecks("1 520,50", "roubles", "price_rub")
        152050
        >>> parse_kopecks("1520,50", "kopecks", "price")
        Traceback (most recent call last):
        ...
        redemption.io.report.BadRow: expected whole kopecks, found a fraction: '1520,50' ...
    """
    example = "whole kopecks (152050 for 1520.50)" if unit == "kopecks" else "roubles (1520,50)"
    sign, whole, fraction = _amount_parts(text, field, example, 0 if unit == "kopecks" else 2)
    if unit == "kopecks":
        if fraction is not None:
            reason = (
                f"expected whole kopecks, found a fraction: {shown(text)} (for roubles, name "
                f"the column {field.removesuffix('_kopecks')}_rub or read with "
                "price_unit='roubles')"
            )
            raise BadRow(field=field, reason=reason)
        return int(sign + whole)
    places = (fraction or "").rstrip("0")
    if len(places) > 2:  # noqa: PLR2004 - a kopeck is the second decimal place
        raise BadRow(field=field, reason=f"finer than a kopeck: {shown(text)}")
    return int(sign + whole + places.ljust(2, "0"))


def parse_roubles(text: str, field: str) -> Decimal:
    """Read an amount of roubles as written: a decimal comma or point, grouped digits.

    Its places are kept as written (``990,5000`` is ``Decimal('990.5000')``): rounding
    to the kopeck is for `redemption.money.to_money` to do, and to count.

    Example:
        >>> parse_roubles("1 520,5", "Ваша цена"), parse_roubles("990.5000", "Ваша цена")
        (Decimal('1520.5'), Decimal('990.5000'))
    """
    sign, whole, fraction = _amount_parts(text, field, "an amount in roubles (1520,50)")
    return Decimal(f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}")


_TIME = r"(?:[T ]+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,9}))?)?)?"
_OFFSET = r"\s*([Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?"
_ISO = re.compile(rf"([0-9]{{4}})-([0-9]{{2}})-([0-9]{{2}}){_TIME}{_OFFSET}")
_DAY_FIRST = re.compile(rf"([0-9]{{1,2}})\.([0-9]{{1,2}})\.([0-9]{{4}}){_TIME}{_OFFSET}")


def _zone(offset: str) -> tzinfo:
    if offset in {"Z", "z"}:
        return UTC
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_moment(text: str, field: str, tz: tzinfo) -> tuple[datetime, bool]:
    """Read a moment written ISO 8601 or day first, with or without its UTC offset.

    Returns the moment (aware), and whether it had no offset and was taken in `tz`. A
    date alone is the midnight that starts it, in its offset or `tz`. Digits past the
    microsecond are dropped.

    Example:
        >>> from redemption.dates import MOSCOW
        >>> moment, naive = parse_moment("01.11.2023 05:06", "ordered_at", MOSCOW)
        >>> moment.isoformat(), naive
        ('2023-11-01T05:06:00+03:00', True)
        >>> parse_moment("2023-11-01T05:06:00Z", "ordered_at", MOSCOW)[0].isoformat()
        '2023-11-01T05:06:00+00:00'
    """
    match = (_ISO.fullmatch(text) or _DAY_FIRST.fullmatch(text)) if text.isascii() else None
    if match is None:
        reason = (
            f"not a date and time: {shown(text)} (expected 2023-11-01T05:06:00+03:00, "
            "01.11.2023 05:06 or 01.11.2023)"
        )
        raise BadRow(field, reason=reason)
    first, second, third, hour, minute, sec, fraction, offset = match.groups()
    year, month, day = (first, second, third) if match.re is _ISO else (third, second, first)
    try:
        zone = tz if offset is None else _zone(offset)
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(sec or 0),
            int((fraction or "")[:6].ljust(6, "0")),
            tzinfo=zone,
        )
    except ValueError as error:
        raise BadRow(field, reason=f"not a date and time: {shown(text)} ({error})") from None
    return in_utc_range(moment, field), offset is None
