"""Ozon's postings report as the seller portal exports it: a CSV file of FBO or FBS postings.

The seller portal (Заказы → Отправления, «Экспорт CSV») gives each product of each posting a
row, cells separated by ``;``, in UTF-8 with a byte-order mark or in Windows-1251, moments
day first in Moscow time without an offset (``01.11.2023 05:06``), amounts in roubles with a
decimal comma or point. Its header is Russian; the columns read are:

============================================  ============================================
``Номер отправления``                         the posting (``posting_number``), required
``Принят в обработку``                        when it was placed (``in_process_at``), required
``Статус``                                    its status, in words (below), required
``OZON id`` or ``SKU``                        the product's SKU (``products[].sku``), required
``Ваша цена`` or ``Итоговая стоимость товара``  one unit's price (``products[].price``), required
``Количество``                                how many units (``products[].quantity``), required
``Дата доставки``                             when it was delivered, where the file has it
``Код валюты товара`` or ``...отправления``   the price's currency, where the file has it
============================================  ============================================

The others («Номер заказа», «Дата отгрузки», «Фактическая дата передачи в доставку», «Сумма
отправления», «Наименование товара», «Артикул», «Оплачено покупателем», «Кластер
отправления», ...) are not read. Names are matched whatever their case and spaces; the
older names (``SKU``, ``Итоговая стоимость товара``) and the newer (``OZON id``, ``Ваша
цена``) are both read, as exports of different years have them.

The rows of one posting become one posting of the API's shape and are read by the rules of
`redemption.io.read_ozon_postings`, with no second copy of them: each unit is an `Order`
``posting/sku/n``; ``Доставлен`` is sold (at «Дата доставки» where it is given, else as the
API reader dates it), ``Отменён`` cancelled at `as_of`, every other status known still in
transit. The statuses known are the portal's words for the API's (``Доставлен`` delivered,
``Отменён`` cancelled, ``Доставляется`` delivering, ``Ожидает сборки`` awaiting_packaging,
``Ожидает отгрузки`` awaiting_deliver, ...; see `STATUSES`) and the API's own codes. A status
that is none of them is a bad row naming its row and column, never a row dropped. A
delivery date without a time is that day, no earlier than the posting was placed.

A bad row refuses its whole posting: its other rows are refused too, saying why, so that no
posting is read without some of its units. A posting repeated in a later file (overlapping
exports) is merged: the later file's rows win.

Sources of the header and the statuses (public code that reads or writes these exports,
found through the search index of public repositories, which names files by an id, not by
repository): the column lists of Ozon order-report importers (index files 25464883501,
60928704222, 47665912567, 68627966535, 61221729389, 19212549898) and an adapter that writes
the API's postings "as in the file downloaded from the seller portal" with its status words
and ``DD.MM.YYYY HH:mm`` times (index file 4874533165); Ozon's help page on the orders report,
https://docs.ozon.ru/global/am/analytics/fulfillment-reports/report-orders («Экспорт CSV»).
The API's posting fields are those `redemption.io.ozon` reads (``tests/data/ozon``).

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, time, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import attrs

from redemption.dates import MOSCOW
from redemption.errors import ReportFormatError
from redemption.history import History
from redemption.io.dialects import (
    csv_rows,
    delimiter_in_words,
    parse_moment,
    parse_roubles,
    read_csv_text,
    sniff_delimiter,
)
from redemption.io.limits import DEFAULT_LIMITS, Limits, csv_cell_limit
from redemption.io.ozon import posting_of, postings_history
from redemption.io.report import (
    BadRow,
    Errors,
    ImportReport,
    Progress,
    RowTally,
    Source,
    each_source,
)
from redemption.reasons import ReasonWords

__all__ = ["PORTAL_COLUMNS", "STATUSES", "read_ozon_portal_postings"]

POSTING: Final = "Номер отправления"
ORDERED: Final = "Принят в обработку"
STATUS: Final = "Статус"
SKUS: Final = ("OZON id", "SKU")
PRICES: Final = ("Ваша цена", "Итоговая стоимость товара")
QUANTITY: Final = "Количество"
DELIVERED: Final = "Дата доставки"
CURRENCIES: Final = ("Код валюты товара", "Код валюты отправления")

PORTAL_COLUMNS: Final = (POSTING, ORDERED, STATUS)
"""The columns every postings report of the portal has, FBO or FBS: what tells it apart."""

STATUSES: Final = {
    "доставлен": "delivered",
    "отменен": "cancelled",
    "доставляется": "delivering",
    "ожидает сборки": "awaiting_packaging",
    "ожидает отгрузки": "awaiting_deliver",
    "ожидает регистрации": "awaiting_registration",
    "ожидает подтверждения": "awaiting_approve",
    "идет приемка": "acceptance_in_progress",
    "арбитраж": "arbitration",
    "клиентский арбитраж": "client_arbitration",
    "не принят на сортировочном центре": "not_accepted",
}
"""The portal's words for a posting's status -> the API's (as `_key` writes them: in lower
case, with ``ё`` read as the plain letter)."""

_API_STATUSES: Final = frozenset(
    {
        *STATUSES.values(),
        "awaiting_verification",
        "cancelled_from_split_pending",
        "driver_pickup",
        "sent_by_seller",
    }
)
"""The API's own status codes, read as they are where a file holds them."""


def _key(name: str) -> str:
    """A column's name or a status, as matched: lower case, ``ё`` plain, single spaces."""
    return " ".join(name.split()).casefold().replace("\u0451", "\u0435")


@attrs.frozen
class _Columns:
    """Where each field read is in one file's header: the name as the file writes it."""

    posting: str
    ordered: str
    status: str
    sku: str
    price: str
    quantity: str
    delivered: str | None
    currency: str | None

    @classmethod
    def of(cls, name: str, header: Sequence[str]) -> _Columns:
        """Find the columns in a header, or refuse it naming the ones missing."""
        written = {_key(column): column for column in reversed(header)}  # the first wins

        def find(*names: str) -> str | None:
            return next((written[_key(n)] for n in names if _key(n) in written), None)

        found = {
            what: find(*names)
            for what, names in (
                ("posting", (POSTING,)),
                ("ordered", (ORDERED,)),
                ("status", (STATUS,)),
                ("sku", SKUS),
                ("price", PRICES),
                ("quantity", (QUANTITY,)),
            )
        }
        missing = [
            " or ".join(f"«{n}»" for n in names)
            for names in ((POSTING,), (ORDERED,), (STATUS,), SKUS, PRICES, (QUANTITY,))
            if find(*names) is None
        ]
        if missing:
            shown = ", ".join(f"«{column}»" for column in header[:12])
            more = ", ..." if len(header) > 12 else ""  # noqa: PLR2004 - a line's worth
            msg = (
                f"{name}: not an Ozon postings report: no column {', '.join(missing)} "
                f"(the header is {shown}{more})"
            )
            raise ReportFormatError(msg, source=name, row=1)
        return cls(
            **{what: str(column) for what, column in found.items()},
            delivered=find(DELIVERED),
            currency=find(*CURRENCIES),
        )

    def api_field(self, field: str | None) -> str | None:
        """The column of a field of the API's posting, to name in a bad row."""
        return {
            "posting_number": self.posting,
            "status": self.status,
            "in_process_at": self.ordered,
            "additional_data.delivery_time": self.delivered,
            "products.sku": self.sku,
            "products.price": self.price,
            "products.quantity": self.quantity,
            "products.currency_code": self.currency,
        }.get(field or "")


@attrs.frozen
class _Line:
    """One row read: one product of one posting."""

    posting: str
    status: str  # the API's code
    ordered_at: datetime
    delivered_at: datetime | None
    sku: str
    price: Decimal
    quantity: str
    currency: str | None


class _Cells:
    """Reads the cells of one file's rows, counting the moments taken in `tz`."""

    def __init__(self, columns: _Columns, tz: tzinfo) -> None:
        """Read the columns `columns` found; moments without an offset in `tz`."""
        self.columns = columns
        self.tz = tz
        self.naive = 0

    def text(self, row: dict[str, str], column: str | None) -> str:
        return (row.get(column) or "").strip() if column is not None else ""

    def required(self, row: dict[str, str], column: str) -> str:
        text = self.text(row, column)
        if not text:
            raise BadRow(field=column, reason="missing")
        return text

    def moment(self, row: dict[str, str], column: str | None) -> datetime | None:
        text = self.text(row, column)
        if not text or column is None:
            return None
        moment, naive = parse_moment(text, column, self.tz)
        self.naive += naive
        return moment

    def line(self, row: dict[str, str]) -> _Line:
        """Read one row, or refuse it as a `BadRow` naming its column."""
        columns = self.columns
        posting = self.required(row, columns.posting)
        words = self.required(row, columns.status)
        status = STATUSES.get(_key(words)) or (words if words in _API_STATUSES else None)
        if status is None:
            reason = (
                f"unknown status «{words}»: a posting is «Доставлен», «Отменён» or one of "
                f"the statuses of one in transit ({', '.join(sorted(STATUSES))})"
            )
            raise BadRow(field=columns.status, reason=reason)
        ordered_at = self.moment(row, columns.ordered)
        if ordered_at is None:
            raise BadRow(field=columns.ordered, reason="missing")
        delivered_at = self.moment(row, columns.delivered)
        if delivered_at is not None and ":" not in self.text(row, columns.delivered):
            # a day without a time: that day, but no earlier than the posting was placed
            day_start = datetime.combine(delivered_at.date(), time(), tzinfo=delivered_at.tzinfo)
            delivered_at = max(day_start, ordered_at)
        return _Line(
            posting=posting,
            status=status,
            ordered_at=ordered_at,
            delivered_at=delivered_at,
            sku=self.required(row, columns.sku),
            price=parse_roubles(self.required(row, columns.price), columns.price),
            quantity=self.required(row, columns.quantity),
            currency=self.text(row, columns.currency) or None,
        )


def _api_posting(lines: Sequence[_Line]) -> dict[str, Any]:
    """The posting of a posting list that the rows of one posting say, for `posting_of`."""
    first = lines[0]
    return {
        "posting_number": first.posting,
        "status": first.status,
        "in_process_at": first.ordered_at.astimezone(UTC).isoformat(),
        "additional_data": (
            []
            if first.delivered_at is None
            else [{"delivery_time": first.delivered_at.astimezone(UTC).isoformat()}]
        ),
        "products": [
            {
                "sku": line.sku,
                "price": str(line.price),
                "quantity": line.quantity,
                "currency_code": line.currency,
            }
            for line in lines
        ],
    }


def _disagrees(line: _Line, first: _Line, columns: _Columns) -> BadRow | None:
    """Whether a posting's later row says otherwise than its first of the posting itself."""
    for column, mine, theirs in (
        (columns.status, line.status, first.status),
        (columns.ordered, line.ordered_at, first.ordered_at),
        (columns.delivered, line.delivered_at, first.delivered_at),
    ):
        if mine != theirs:
            reason = f"posting {line.posting} says otherwise in an earlier row of this file"
            return BadRow(field=column, reason=reason)
    return None


@attrs.define
class _Group:
    """The rows of one posting in one file."""

    name: str
    columns: _Columns
    lines: list[_Line] = attrs.Factory(list)
    numbers: list[int] = attrs.Factory(list)
    broken: list[int] = attrs.Factory(list)  # the bad rows of the posting, each refused


_PRODUCT = re.compile(r"product ([0-9]+): ")


class _Reader:
    """Reads the files of one report in turn, keeping each posting's latest rows."""

    def __init__(self, tally: RowTally, tz: tzinfo, limits: Limits) -> None:
        """Count rows in `tally`; take moments without an offset in `tz`."""
        self.tally = tally
        self.tz = tz
        self.limits = limits
        self.kept: dict[str, _Group] = {}
        self.notes: list[str] = []

    def refuse_rest(self, group: _Group, key: str, bad: int) -> None:
        """Refuse the rows of a posting not refused already, naming its bad row `bad`."""
        reason = f"posting {key} has a bad row, {group.name} row {bad}: it is read whole or not"
        for number in group.numbers:
            if number != bad and number not in group.broken:
                self.tally.problem(group.name, number, None, reason)

    def read_file(self, source: str | Path | bytes) -> None:
        """Read one file's rows, and keep its postings over those of earlier files."""
        name, text, encoding = read_csv_text(source, "an Ozon postings report", limits=self.limits)
        delimiter = sniff_delimiter(text)
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        with csv_cell_limit(name, self.limits):
            try:
                header = [column.strip() for column in reader.fieldnames or []]
            except csv.Error as error:
                msg = f"{name}: the header row cannot be read as CSV ({error})"
                raise ReportFormatError(msg, source=name, row=1) from None
            reader.fieldnames = header
            columns = _Columns.of(name, header)
            rows = csv_rows(reader)
        cells = _Cells(columns, self.tz)
        groups: dict[str, _Group] = {}
        for number, row in self.tally.each(name, rows, first=2):  # row 1 is the header
            key = "" if isinstance(row, BadRow) else cells.text(row, columns.posting)
            group = groups.setdefault(key, _Group(name, columns)) if key else None
            line = self.tally.attempt(name, number, self.checked(cells, group), row)
            if group is None:
                continue
            group.numbers.append(number)
            if line is None:
                group.broken.append(number)
            else:
                group.lines.append(line)
        for key, group in groups.items():
            if group.broken:
                self.refuse_rest(group, key, group.broken[0])
                continue
            earlier = self.kept.get(key)
            if earlier is not None:
                self.tally.merged += len(earlier.numbers)
            self.kept[key] = group
        self.notes.extend(_notes(name, encoding, delimiter, cells))

    @staticmethod
    def checked(cells: _Cells, group: _Group | None) -> Callable[[dict[str, str] | BadRow], _Line]:
        """The reader of a row: read it, and check it against its posting's first row."""

        def read(row: dict[str, str] | BadRow) -> _Line:
            if isinstance(row, BadRow):
                raise row
            line = cells.line(row)
            if group is not None and group.lines:
                disagrees = _disagrees(line, group.lines[0], cells.columns)
                if disagrees is not None:
                    raise disagrees
            return line

        return read

    def postings(self, as_of: datetime, seller_id: str) -> list[tuple[Any, str, int]]:
        """Each posting kept, read by the API reader's rules, with its file and first row."""
        read: list[tuple[Any, str, int]] = []
        for key, group in self.kept.items():
            try:
                made = posting_of(
                    _api_posting(group.lines), as_of=as_of, seller_id=seller_id, limits=self.limits
                )
            except BadRow as bad:
                number, reason = group.numbers[0], bad.reason
                product = _PRODUCT.match(reason)
                if product is not None:  # the posting's n-th product is its n-th row
                    number = group.numbers[int(product.group(1)) - 1]
                    reason = reason[product.end() :]
                column = group.columns.api_field(bad.field)
                self.tally.problem(group.name, number, column, reason)
                self.refuse_rest(group, key, number)
                continue
            self.tally.used += len(group.numbers)
            read.append((made, group.name, group.numbers[0]))
        return read


def _notes(name: str, encoding: str, delimiter: str, cells: _Cells) -> list[str]:
    """What reading a file assumed, in words."""
    notes = []
    if encoding == "cp1251":
        notes.append(f"{name}: Windows-1251 text, not UTF-8")
    if delimiter != ";":
        notes.append(f"{name}: {delimiter_in_words(delimiter)}")
    if cells.naive:
        notes.append(f"{name}: {cells.naive} moments without a UTC offset taken in {cells.tz} time")
    return notes


def read_ozon_portal_postings(
    postings: str | Path | bytes | Sequence[str | Path],
    *,
    as_of: datetime,
    returns: Source | Mapping[str, Any] | Sequence[str | Path] | None = None,
    seller_id: str = "seller",
    reasons: ReasonWords | None = None,
    errors: Errors = "raise",
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
    tz: tzinfo = MOSCOW,
) -> tuple[History, ImportReport]:
    r"""Read Ozon's postings reports from the seller portal (CSV, FBO or FBS) into a `History`.

    Each row is one product of one posting; the rows of a posting are read together as
    `redemption.io.read_ozon_postings` reads a posting of the API, as the module says.

    Args:
        postings: a report's path or bytes (gzipped or not), or the paths of several, read
            in turn. Encoding and delimiter are found as `redemption.io.dialects` says.
        as_of: when the reports were downloaded: aware. Each posting's status is its
            status then; an outcome the report does not date is dated then.
        returns: the ``/v1/returns/list`` responses of the API, as
            `redemption.io.read_ozon_postings` takes them.
        seller_id: the seller the reports belong to (they do not say).
        reasons: the caller's words for reasons, laid over the shipped Ozon table.
        errors: ``"raise"`` stops at the first bad row with a `ReportFormatError` naming
            the file, row (counting the header as row 1) and column; ``"collect"`` goes on
            and lists every bad row in ``report.refused``.
        progress: told ``(source, rows done, rows in the source)`` as rows are read.
        limits: the bounds on what a file may hold (`redemption.io.Limits`).
        tz: the zone of moments written without a UTC offset: the portal writes Moscow
            time, the default.

    Returns:
        The history, and the import report: every row is counted, one row per product of
        a posting; ``report.notes`` says what was assumed (the zone of the moments, an
        encoding other than UTF-8, a delimiter other than ``;``).

    Raises:
        ArgumentTypeError: `as_of` is not a datetime.
        InvalidArgumentError: `as_of` has no time zone.
        ReportFormatError: an empty or unreadable file, a header without the columns read,
            or (with ``errors="raise"``) a bad row.
        DataError: the records contradict each other.

    Example:
        >>> from datetime import UTC, datetime
        >>> text = (
        ...     "Номер заказа;Номер отправления;Принят в обработку;Статус;Дата доставки;"
        ...     "OZON id;Артикул;Ваша цена;Количество\n"
        ...     "0132-0101;0132-0101-1;01.04.2025 10:00;Доставлен;03.04.2025 15:30;"
        ...     "42;dress-m;990,50;2\n"
        ...     "0133-0202;0133-0202-1;02.04.2025 11:00;Отменён;;7;cap;100;1\n"
        ... )
        >>> as_of = datetime(2025, 4, 10, tzinfo=UTC)
        >>> history, report = read_ozon_portal_postings(text.encode("cp1251"), as_of=as_of)
        >>> for order in history.orders:
        ...     print(order.order_id, order.price, order.cancelled_at is not None)
        0132-0101-1/42/1 990.50 False
        0132-0101-1/42/2 990.50 False
        0133-0202-1/7/1 100.00 True
        >>> history.sales[0].sold_at.isoformat()
        '2025-04-03T12:30:00+00:00'
        >>> report.rows_read, report.used, report.accounted
        (2, 2, True)
        >>> for note in report.notes:
        ...     print(note)
        <bytes>: Windows-1251 text, not UTF-8
        <bytes>: 3 moments without a UTC offset taken in Europe/Moscow time

    .. versionadded:: 0.2.0
    """
    tally = RowTally(errors, progress)
    reader = _Reader(tally, tz, limits)
    for source in each_source(postings):
        reader.read_file(source)
    read = reader.postings(as_of, seller_id)
    history, report = postings_history(
        read,
        tally,
        as_of=as_of,
        returns=returns,
        reasons=reasons,
        errors=errors,
        progress=progress,
        limits=limits,
    )
    return history, attrs.evolve(report, notes=tuple(dict.fromkeys(reader.notes)))
