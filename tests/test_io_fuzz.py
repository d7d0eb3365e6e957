"""Every importer, given any input, accounts for every row or raises only its own errors.

Random JSON documents, the marketplaces' example rows with fields mutated or dropped, order
lines with odd cells, and gzip streams cut short are given to each importer. Whatever it is
given, an importer either succeeds with every row read used, merged, skipped or refused
(`ImportReport.accounted`), or raises a `RedemptionError`: with ``errors="raise"`` any of
them, with ``errors="collect"`` only a `ReportFormatError` about the file as a whole. No
`OverflowError`, `ValueError`, `KeyError`, `RecursionError`, `csv.Error` or `EOFError`
escapes.

The number of examples follows the Hypothesis profile (see ``tests/conftest.py``): a
fraction of the ``dev`` profile's by default, five times more with the ``ci`` profile.
"""

from __future__ import annotations

import copy
import csv
import gzip
import io
import json
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redemption import MOSCOW, DataError, History, Order, RedemptionError, Return, Sale
from redemption.cli import main
from redemption.dates import day_end, day_start, to_utc
from redemption.errors import InvalidPeriodError, ReportFormatError
from redemption.io import (
    ImportReport,
    read_order_lines,
    read_ozon_postings,
    read_reports,
    read_wildberries_claims,
    read_wildberries_goods_returns,
    read_wildberries_realization,
    read_wildberries_statistics,
)
from redemption.io.limits import DEFAULT_LIMITS
from redemption.io.lines import write_order_lines
from redemption.io.report import Errors
from redemption.money import to_money
from tests.strategies import zones

DATA = Path(__file__).parent / "data"
WB = DATA / "wildberries"
OZON = DATA / "ozon"
AS_OF = datetime(2030, 1, 1, tzinfo=UTC)
MODES: tuple[Errors, ...] = ("raise", "collect")

_PROFILE_EXAMPLES = settings().max_examples
"""The examples a property gets in the profile loaded (100 in ``dev``, 500 in ``ci``)."""


def _examples(share: int) -> settings:
    """Settings for a property: ``1/share`` of the profile's examples, at least 10."""
    return settings(
        max_examples=max(_PROFILE_EXAMPLES // share, 10),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- What an importer may do -------------------------------------------------------------


def _holds(read: Callable[[], tuple[History, ImportReport]], errors: Errors) -> None:
    """Run an import: it succeeds with every row accounted for, or raises a typed error.

    With ``errors="raise"`` any `RedemptionError` may be raised; with ``"collect"`` only a
    `ReportFormatError` about the file (an unreadable file, not this report): records that
    contradict each other are put aside and listed, never raised.
    """
    try:
        _, report = read()
    except ReportFormatError:
        return
    except RedemptionError:
        if errors == "raise":
            return
        raise
    assert report.accounted, report


# --- JSON documents, written by hand so that any number can be in them ---------------------


class Raw(str):
    """A JSON token written as it is: a number of any size or form, or an escape."""

    __slots__ = ()


RAW_TOKENS = (
    "NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "-1e400",
    "1e-400",
    "-0",
    "-1",
    "0.001",
    "12.5",
    "1E+2",
    "9" * 5000,
    "-" + "9" * 4400,
    "0." + "1" * 5000,
    "1" + "0" * 30,
    '"\\ud800"',
    '"\\u0000"',
)
"""Numbers Python's ``json`` reads in forms other parsers refuse, or in sizes that overflow."""

EDGE_DATES = (
    "0001-01-01T00:00:00",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+03:00",
    "0001-01-01T00:00:00-05:00",
    "0001-01-01T02:00:00",
    "0001-01-02T00:00:00",
    "9999-12-31T23:59:59",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-05:00",
    "9999-12-31T23:59:59.999999999Z",
    "9999-12-31T23:59:59+14:00",
    "9999-12-31",
    "0001-01-01",
    "2025-02-29T00:00:00",
    "2025-04-01T10:00:00+24:00",
    "2025-04-01T10:00:00.1234567890123Z",
    "２０２５-04-01T10:00:00Z",
    "2025-04-01T10:00:00",
    "2025-04-01T10:00:00Z",
    "2025-04-03T10:00:00+03:00",
)
"""Dates at the edges of what a datetime holds, with and without offsets, and odd ones."""

ODD_TEXTS = (
    "",
    " ",
    "²",
    "١٢٣",
    "1_000",
    " 12 ",
    "NaN",
    "Infinity",
    "-1",
    "-0",
    "1e400",
    "sNaN",
    "9" * 5000,
    "1" + "0" * 4400,
    "0",
    "S1",
    "R1",
    "D1",
    "\x00",
    "a" * 300,
)
"""Text where numbers or ids go: odd digits, huge numbers, not-a-number."""

WORDS = (
    "Продажа",
    "Возврат",
    "Логистика",
    "От клиента при отмене",
    "От клиента при возврате",
    "Штраф МП. Невыполненный заказ",
    "Сторно. Штраф МП. Невыполненный заказ",
    "Возврат своего товара",
    "Возврат брака",
    "delivered",
    "cancelled",
    "awaiting_packaging",
    "ClientReturn",
    "FullReturn",
    "PartialReturn",
    "Cancellation",
    "Unknown",
    "RUB",
    "USD",
    "client",
    "seller",
    "665",
    "58544282-0057-1",
    "16965409-0014-1",
    "11.rf9ef11fce1684117b0nhj96222982382.3.0",
    "v5o_7143225816503318733.0.0",
    "ad3817664d3046c5a8d55054d8be96d6",
)
"""The marketplaces' words and ids that steer an importer down one path or another."""

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=12),
    st.sampled_from(RAW_TOKENS).map(Raw),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=8), children, max_size=4),
    ),
    max_leaves=12,
)
"""Any JSON value, a few levels deep, with numbers of any size and form."""

field_values = st.one_of(
    st.sampled_from(EDGE_DATES),
    st.sampled_from(ODD_TEXTS),
    st.sampled_from(WORDS),
    st.sampled_from(RAW_TOKENS).map(Raw),
    st.integers(-(2**70), 2**70),
    json_values,
)
"""What a field of a row may be replaced with."""


def dump(value: object) -> str:
    """Write `value` as JSON text, `Raw` tokens as they are."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        items = (
            f"{json.dumps(key, ensure_ascii=False)}:{dump(item)}" for key, item in value.items()
        )
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(map(dump, value)) + "]"
    return json.dumps(value, ensure_ascii=False)


def parsed(value: object) -> object:
    """`value` as Python values, as a caller gives parsed rows: huge numbers as they are."""
    if isinstance(value, Raw):
        if value.startswith('"'):
            return json.loads(value)
        number = Decimal(value)
        whole = number.is_finite() and not any(mark in value for mark in ".eE")
        return int(number) if whole else float(value)
    if isinstance(value, dict):
        return {key: parsed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [parsed(item) for item in value]
    return value


def as_source(document: object, *, in_memory: bool) -> Any:
    """A document as an importer takes it: its bytes, or its rows parsed (a list or dict).

    A list of text alone is not given parsed: importers take it for a list of file paths.
    """
    paths = isinstance(document, list) and all(isinstance(item, str) for item in document)
    if in_memory and isinstance(document, list | dict) and not paths:
        return parsed(document)
    return dump(document).encode("utf-8", errors="surrogatepass")


# --- Rows of the marketplaces' examples, mutated ------------------------------------------

KEY_FIELDS = frozenset(
    {
        "srid", "date", "lastChangeDate", "nmId", "finishedPrice", "isCancel", "cancelDate",
        "saleID", "rrd_id", "supplier_oper_name", "sale_dt", "order_dt", "nm_id",
        "retail_price_withdisc_rub", "return_amount", "bonus_type_name", "posting_number",
        "status", "in_process_at", "products", "price", "quantity", "sku", "amount",
        "currency", "currency_code", "pickup_code_verified_at", "delivery_time",
        "additional_data", "cancellation", "cancel_reason", "cancel_reason_id",
        "cancellation_type", "cancellation_initiator", "customer", "customer_id", "id", "type",
        "product", "logistic", "return_date", "return_reason_name", "shkId", "returnType",
        "reason", "user_comment", "delivery_rub", "delivery_amount", "financial_data",
        "item_services", "product_id", "marketplace_service_item_deliv_to_customer",
        "marketplace_service_item_return_flow_trans",
    }
)  # fmt: skip
"""The fields importers read: a mutation picks one of them as often as any other path."""

DATE_FIELDS = frozenset(
    {
        "date", "lastChangeDate", "cancelDate", "sale_dt", "order_dt", "in_process_at",
        "pickup_code_verified_at", "delivery_time", "return_date",
    }
)  # fmt: skip
NUMBER_FIELDS = frozenset(
    {
        "finishedPrice", "retail_price_withdisc_rub", "return_amount", "price", "amount",
        "quantity", "nmId", "nm_id", "sku", "rrd_id", "shkId", "customer_id", "id",
        "delivery_rub", "delivery_amount", "product_id",
        "marketplace_service_item_deliv_to_customer", "marketplace_service_item_return_flow_trans",
    }
)  # fmt: skip
numbers = st.one_of(st.sampled_from(ODD_TEXTS), st.sampled_from(RAW_TOKENS).map(Raw))

Path_ = tuple[str | int, ...]


def _paths(value: object, prefix: Path_ = ()) -> list[Path_]:
    """Every path to a value inside `value`: keys of objects, places in lists."""
    inner: list[tuple[str | int, object]] = []
    if isinstance(value, dict):
        inner = list(value.items())
    elif isinstance(value, list):
        inner = list(enumerate(value))
    found: list[Path_] = []
    for key, item in inner:
        found.append((*prefix, key))
        found.extend(_paths(item, (*prefix, key)))
    return found


_DROP = object()


def _mutate(row: Any, path: Path_, value: object) -> None:
    """Set the value at `path` (or drop it, for `_DROP`), if the path is still there."""
    parent = row
    for key in path[:-1]:
        try:
            parent = parent[key]
        except (KeyError, IndexError, TypeError):
            return
    last = path[-1]
    if isinstance(parent, dict) and isinstance(last, str):
        if value is _DROP:
            parent.pop(last, None)
        else:
            parent[last] = value
    elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        if value is _DROP:
            del parent[last]
        else:
            parent[last] = value


def _values_for(key: str | int) -> st.SearchStrategy[object]:
    """What a field may be replaced with: often values made for its kind, dates or numbers."""
    anything = st.one_of(st.just(_DROP), field_values)
    if key in DATE_FIELDS:
        return st.one_of(st.sampled_from(EDGE_DATES), anything)
    if key in NUMBER_FIELDS:
        return st.one_of(numbers, anything)
    return anything


@st.composite
def mutated_rows(draw: st.DrawFn, bases: list[dict[str, Any]], most: int = 3) -> list[Any]:
    """From 1 to `most` rows, each a base row with a few fields replaced or dropped."""
    rows: list[Any] = []
    for _ in range(draw(st.integers(1, most))):
        row = copy.deepcopy(draw(st.sampled_from(bases)))
        paths = _paths(row)
        # any path, or one of a field importers read: a date, a number, another
        kinds = [
            [path for path in paths if path[-1] in fields]
            for fields in (KEY_FIELDS, DATE_FIELDS, NUMBER_FIELDS)
        ]
        buckets = [paths, *(kind for kind in kinds if kind)]
        for _ in range(draw(st.integers(0, 4))):
            path = draw(st.sampled_from(draw(st.sampled_from(buckets))))
            _mutate(row, path, draw(_values_for(path[-1])))
        rows.append(row)
    if draw(st.booleans()):  # a page repeated: rows merged
        rows.extend(copy.deepcopy(rows[: draw(st.integers(1, len(rows)))]))
    return rows


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


WB_ORDERS: list[dict[str, Any]] = [
    *_load(WB / "statistics-supplier-orders.example.json"),
    {
        "srid": "a1",
        "date": "2025-04-01T10:00:00",
        "lastChangeDate": "2025-04-01T10:00:00",
        "nmId": 42,
        "finishedPrice": 990.5,
        "isCancel": False,
        "cancelDate": "0001-01-01T00:00:00",
    },
]
WB_SALES: list[dict[str, Any]] = [
    *_load(WB / "statistics-supplier-sales.example.json"),
    {
        "srid": "a1",
        "saleID": "S1",
        "date": "2025-04-05T12:00:00",
        "lastChangeDate": "2025-04-05T12:00:00",
    },
]
_REALIZATION = _load(WB / "finances-reportDetailByPeriod.field-examples.json")[0]
WB_REALIZATION: list[dict[str, Any]] = [
    _REALIZATION | {"bonus_type_name": "", "supplier_oper_name": operation, "rrd_id": rrd_id}
    for rrd_id, operation in enumerate(("Продажа", "Возврат", "Логистика"), 1)
] + [
    _REALIZATION,
    _REALIZATION | {"supplier_oper_name": "Логистика", "rrd_id": 5, "delivery_rub": 48.5,
                    "delivery_amount": 1, "bonus_type_name": "К клиенту при продаже"},
    _REALIZATION | {"supplier_oper_name": "Логистика", "rrd_id": 6, "delivery_rub": -12,
                    "return_amount": 1, "bonus_type_name": "От клиента при отмене"},
]  # fmt: skip
GOODS_RETURNS: list[dict[str, Any]] = _load(WB / "analytics-goods-return.example.json")["report"]
CLAIMS: list[dict[str, Any]] = _load(WB / "communications-claims.example.json")["claims"]
_CHARGED = _load(OZON / "fbs_list_response.json")["result"]["postings"][0]
_CHARGED["financial_data"]["products"][0]["item_services"] = {
    "marketplace_service_item_deliv_to_customer": -37.4,
    "marketplace_service_item_direct_flow_trans": -5,
    "marketplace_service_item_return_flow_trans": -10,
}
OZON_POSTINGS: list[dict[str, Any]] = [
    _CHARGED,
    *_load(OZON / "fbs_list_v4_response.json")["postings"],
    *_load(OZON / "fbo_list_v3_response.json")["postings"],
    *_load(OZON / "fbo_list_response.json")["result"],
    *_load(OZON / "fbs_list_response.json")["result"]["postings"],
]
OZON_RETURNS: list[dict[str, Any]] = _load(OZON / "returns_response.json")["returns"]


def _history() -> History:
    """Orders that the goods-return and claims examples name: returned, cancelled, sold."""
    at = datetime(2024, 1, 10, 12, tzinfo=MOSCOW)

    def order(srid: str, **fields: Any) -> Order:
        return Order(order_id=srid, seller_id="s", sku="42", price=990, ordered_at=at, **fields)

    returned = ("ad3817664d3046c5a8d55054d8be96d6", "v5o_7143225816503318733.0.0")
    return History(
        orders=[
            *(order(srid) for srid in returned),
            order("c1", cancelled_at=at + timedelta(days=1)),
            order("s1"),
        ],
        sales=[Sale(order_id=srid, sold_at=at + timedelta(days=2)) for srid in (*returned, "s1")],
        returns=[Return(order_id=srid, returned_at=at + timedelta(days=5)) for srid in returned],
    )


HISTORY = _history()


def _wrapped(rows: list[Any], wrapper: str | None) -> object:
    return rows if wrapper is None else {wrapper: rows}


# --- Random JSON documents to every importer ------------------------------------------------

IMPORTERS: dict[str, Callable[[Any, Errors], tuple[History, ImportReport]]] = {
    "wildberries orders": lambda source, errors: read_wildberries_statistics(
        orders=source, errors=errors
    ),
    "wildberries sales": lambda source, errors: read_wildberries_statistics(
        sales=source, errors=errors
    ),
    "wildberries realization": lambda source, errors: read_wildberries_realization(
        source, errors=errors
    ),
    "ozon postings": lambda source, errors: read_ozon_postings(source, as_of=AS_OF, errors=errors),
    "ozon returns": lambda source, errors: read_ozon_postings(
        [], as_of=AS_OF, returns=source, errors=errors
    ),
    "wildberries goods returns": lambda source, errors: read_wildberries_goods_returns(
        source, HISTORY, errors=errors
    ),
    "wildberries claims": lambda source, errors: read_wildberries_claims(
        source, HISTORY, errors=errors
    ),
    "order lines": lambda source, errors: read_order_lines(source, errors=errors),
}
"""Each importer, given one source (only bytes for order lines, which are CSV text)."""


def _read_folder(data: bytes, errors: Errors) -> tuple[History, ImportReport]:
    """Read a folder holding one file of `data` with `read_reports`."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "page").write_bytes(data)
        return read_reports([folder], as_of=AS_OF, errors=errors)


class TestAnyJsonDocument:
    @pytest.mark.parametrize("importer", IMPORTERS)
    @pytest.mark.parametrize("errors", MODES)
    def test_any_json_value_is_read_or_refused_with_a_typed_error(
        self, importer: str, errors: Errors
    ) -> None:
        """
        Any JSON value, as bytes or parsed, is a typed error or a report of every row.
        """

        @_examples(4)
        @given(
            document=st.one_of(
                json_values,
                st.lists(st.dictionaries(st.text(max_size=8), json_values, max_size=6), max_size=3),
            ),
            in_memory=st.booleans(),
        )
        def check(document: object, *, in_memory: bool) -> None:
            source = as_source(document, in_memory=in_memory and importer != "order lines")
            _holds(lambda: IMPORTERS[importer](source, errors), errors)

        check()

    @_examples(2)
    @given(document=json_values, errors=st.sampled_from(MODES))
    def test_any_json_file_in_a_folder_is_read_or_refused(
        self, document: object, errors: Errors
    ) -> None:
        """
        `read_reports` on a folder: the file is recognised and read, or refused, typed.
        """
        data = as_source(document, in_memory=False)
        _holds(lambda: _read_folder(data, errors), errors)


# --- The marketplaces' rows, mutated ------------------------------------------------------


class TestMutatedRows:
    @_examples(1)
    @given(
        orders=mutated_rows(WB_ORDERS),
        sales=mutated_rows(WB_SALES),
        in_memory=st.booleans(),
        errors=st.sampled_from(MODES),
    )
    def test_wildberries_statistics(
        self, orders: list[Any], sales: list[Any], *, in_memory: bool, errors: Errors
    ) -> None:
        """
        Orders and sales with any field replaced or dropped are read or refused, typed.
        """
        _holds(
            lambda: read_wildberries_statistics(
                orders=as_source(orders, in_memory=in_memory),
                sales=as_source(sales, in_memory=in_memory),
                errors=errors,
            ),
            errors,
        )

    @_examples(1)
    @given(
        rows=mutated_rows(WB_REALIZATION, most=5),
        in_memory=st.booleans(),
        errors=st.sampled_from(MODES),
    )
    def test_wildberries_realization(
        self, rows: list[Any], *, in_memory: bool, errors: Errors
    ) -> None:
        """
        Realization rows with any field replaced or dropped are read or refused, typed.
        """
        source = as_source(rows, in_memory=in_memory)
        _holds(lambda: read_wildberries_realization(source, errors=errors), errors)

    @_examples(1)
    @given(
        postings=mutated_rows(OZON_POSTINGS),
        returns=mutated_rows(OZON_RETURNS),
        wrappers=st.tuples(
            st.sampled_from(["postings", "result", None]), st.sampled_from(["returns", None])
        ),
        in_memory=st.booleans(),
        errors=st.sampled_from(MODES),
    )
    def test_ozon_postings_and_returns(
        self,
        postings: list[Any],
        returns: list[Any],
        wrappers: tuple[str | None, str | None],
        *,
        in_memory: bool,
        errors: Errors,
    ) -> None:
        """
        Ozon postings and returns with any field replaced or dropped: read or refused.
        """
        _holds(
            lambda: read_ozon_postings(
                as_source(_wrapped(postings, wrappers[0]), in_memory=in_memory),
                as_of=AS_OF,
                returns=as_source(_wrapped(returns, wrappers[1]), in_memory=in_memory),
                errors=errors,
            ),
            errors,
        )

    @_examples(2)
    @given(
        rows=mutated_rows(GOODS_RETURNS),
        claims=mutated_rows(CLAIMS),
        in_memory=st.booleans(),
        errors=st.sampled_from(MODES),
    )
    def test_wildberries_goods_returns_and_claims(
        self, rows: list[Any], claims: list[Any], *, in_memory: bool, errors: Errors
    ) -> None:
        """
        Goods returns and claims with any field replaced or dropped: enrich, or refused.
        """
        _holds(
            lambda: read_wildberries_goods_returns(
                as_source(_wrapped(rows, "report"), in_memory=in_memory), HISTORY, errors=errors
            ),
            errors,
        )
        _holds(
            lambda: read_wildberries_claims(
                as_source(_wrapped(claims, "claims"), in_memory=in_memory), HISTORY, errors=errors
            ),
            errors,
        )


# --- Order lines with odd cells -----------------------------------------------------------


def _order_lines_text() -> str:
    stream = io.StringIO()
    write_order_lines(
        History(orders=HISTORY.orders, sales=HISTORY.sales, returns=HISTORY.returns), stream
    )
    return stream.getvalue()


ORDER_LINES = list(csv.reader(io.StringIO(_order_lines_text(), newline="")))

odd_cells = st.one_of(
    st.sampled_from(EDGE_DATES),
    st.sampled_from(ODD_TEXTS),
    st.sampled_from(
        [
            "x" * 200_000,
            "1" * 140_000,
            "a\x00b",
            "\x00",
            '"',
            'a"b',
            '"open',
            "a\nb",
            "a\rb",
            "refused",
            "size_fit",
            "152050",
            "-152050",
            "",
        ]
    ),
    st.text(max_size=10),
)
"""What a cell of an order-lines file may be replaced with."""


@st.composite
def order_lines_files(draw: st.DrawFn) -> bytes:
    """An order-lines file with cells replaced, rows cut or lengthened, and raw quotes."""
    rows = [list(row) for row in ORDER_LINES]
    for _ in range(draw(st.integers(0, 6))):
        row = rows[draw(st.integers(0, len(rows) - 1))]
        action = draw(st.sampled_from(["cell", "cell", "cell", "drop", "add"]))
        if action == "cell" and row:
            row[draw(st.integers(0, len(row) - 1))] = draw(odd_cells)
        elif action == "drop" and row:
            del row[draw(st.integers(0, len(row) - 1))]
        else:
            row.append(draw(odd_cells))
    stream = io.StringIO()
    csv.writer(stream, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(rows)
    text = stream.getvalue()
    if draw(st.booleans()):  # text as written by hand: quotes and cells not escaped
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(['"', '"x"y', "\x00", "\n", ",", "\r"])) + text[at:]
    return text.encode("utf-8")


class TestOrderLines:
    @_examples(1)
    @given(data=order_lines_files(), errors=st.sampled_from(MODES))
    def test_odd_cells_are_read_or_refused(self, data: bytes, errors: Errors) -> None:
        """
        Huge cells, NUL bytes, quotes and wrong columns: each row is accounted for.
        """
        _holds(lambda: read_order_lines(data, errors=errors), errors)

    @pytest.mark.parametrize(
        "cell",
        ["x" * (DEFAULT_LIMITS.max_csv_cell + 1), '"' + "x" * DEFAULT_LIMITS.max_csv_cell],
        ids=["long cell", "quote left open"],
    )
    def test_a_cell_over_the_csv_limit_is_a_refused_row(self, cell: str) -> None:
        """
        A cell longer than ``Limits.max_csv_cell`` refuses its row, not the file.
        """
        rows = [*ORDER_LINES[:2], [*ORDER_LINES[1][:1], cell], *ORDER_LINES[2:]]
        stream = io.StringIO()
        csv.writer(stream, lineterminator="\n").writerows(rows)
        history, report = read_order_lines(stream.getvalue().encode(), errors="collect")
        assert report.accounted
        assert len(report.refused) == 1
        assert "cannot be read as CSV" in report.refused[0].reason
        assert len(history.orders) >= 1
        with pytest.raises(ReportFormatError, match="cannot be read as CSV"):
            read_order_lines(stream.getvalue().encode())


# --- Gzip streams cut short ---------------------------------------------------------------

_GZIPPED = gzip.compress((WB / "statistics-supplier-orders.example.json").read_bytes())


class TestGzipCut:
    @_examples(4)
    @given(cut=st.integers(0, len(_GZIPPED)), errors=st.sampled_from(MODES))
    def test_a_gzip_stream_cut_anywhere_is_read_whole_or_refused(
        self, cut: int, errors: Errors
    ) -> None:
        """
        Cut at any byte, a gzipped report is a `ReportFormatError`, or read whole.
        """
        data = _GZIPPED[:cut]
        _holds(lambda: read_wildberries_statistics(orders=data, errors=errors), errors)

    @_examples(4)
    @given(cut=st.integers(0, len(_GZIPPED)), errors=st.sampled_from(MODES))
    def test_a_gzip_file_cut_anywhere_in_a_folder_is_read_whole_or_refused(
        self, cut: int, errors: Errors
    ) -> None:
        """
        `read_reports` recognises a cut gzip file, or refuses it with a typed error.
        """
        data = _GZIPPED[:cut]
        _holds(lambda: _read_folder(data, errors), errors)


# --- The root causes, one example each ------------------------------------------------------


def _order_row(**fields: Any) -> dict[str, Any]:
    return WB_ORDERS[-1] | fields


class TestTheRootCauses:
    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("date", "0001-01-01T00:00:00"),  # naive, read as Moscow time: before year 1 in UTC
            ("date", "9999-12-31T23:59:59-05:00"),
            ("cancelDate", "9999-12-31T23:59:59-05:00"),
            ("lastChangeDate", "0001-01-01T00:00:00"),
        ],
    )
    def test_a_moment_out_of_range_in_utc_is_a_bad_row(self, field: str, value: str) -> None:
        """
        A moment UTC cannot hold is refused with its field, in either mode.
        """
        row = _order_row(**{field: value}, isCancel=field == "cancelDate")
        _, report = read_wildberries_statistics(orders=[row], errors="collect")
        assert [problem.field for problem in report.refused] == [field]
        assert "out of range" in report.refused[0].reason
        with pytest.raises(ReportFormatError, match="out of range"):
            read_wildberries_statistics(orders=[row])

    @pytest.mark.parametrize(
        "price",
        ["9" * 5000, "²", "١٢٣", Raw("9" * 5000), Raw("NaN"), Raw("-Infinity")],
        ids=["text of 5000 digits", "superscript", "arabic-indic", "5000 digits", "NaN", "-Inf"],
    )
    def test_a_price_of_thousands_of_digits_or_odd_digits_is_a_bad_row(self, price: str) -> None:
        """
        Prices beyond the int conversion limit, or in digits Decimal or int refuse.
        """
        for in_memory in (False, True):
            source = as_source([_order_row(finishedPrice=price)], in_memory=in_memory)
            _, report = read_wildberries_statistics(orders=source, errors="collect")
            assert len(report.refused) == 1
            assert report.accounted
            assert len(str(report.refused[0])) < 400  # a huge value is cut short

    @pytest.mark.parametrize(
        "price",
        ["9" * 5000, "²", "١٢", "1_000", "-" + "1" * 29],
        ids=["5000 digits", "superscript", "arabic-indic", "underscore", "29 digits"],
    )
    def test_order_lines_prices_in_odd_digits_are_bad_rows(self, price: str) -> None:
        """
        Kopecks are ASCII digits, no more than a price may have.
        """
        text = f"order_id,sku,price,ordered_at\no1,k,{price},2025-04-01T10:00:00+03:00\n"
        _, report = read_order_lines(text.encode(), errors="collect")
        assert [problem.field for problem in report.refused] == ["price"]

    def test_a_huge_whole_number_in_parsed_rows_is_a_bad_row(self) -> None:
        """
        A caller's parsed row may hold an int too long to write as text.
        """
        _, report = read_wildberries_statistics(
            orders=[_order_row(nmId=10**5000)], errors="collect"
        )
        assert [problem.field for problem in report.refused] == ["nmId"]

    def test_an_ozon_quantity_too_large_is_a_bad_row(self) -> None:
        """
        Every unit of a posting is an order: a quantity in the billions is refused.
        """
        posting = copy.deepcopy(OZON_POSTINGS[2])
        posting["products"][0]["quantity"] = "9" * 5000
        _, report = read_ozon_postings([posting], as_of=AS_OF, errors="collect")
        assert [problem.field for problem in report.refused] == ["products.quantity"]


class TestRootCausesFoundHere:
    """Crashes the fuzzing found, each pinned by its smallest case."""

    @pytest.mark.parametrize("errors", MODES)
    def test_a_sale_before_an_order_at_the_end_of_time(self, errors: Errors) -> None:
        """
        A conflict is stated in Moscow time: an order at the last second UTC holds.
        """
        row = WB_REALIZATION[0] | {"order_dt": "9999-12-31T23:59:59Z"}
        _holds(lambda: read_wildberries_realization([row], errors=errors), errors)

    @pytest.mark.parametrize("errors", MODES)
    def test_a_huge_whole_number_as_a_cancel_date(self, errors: Errors) -> None:
        """
        A parsed row's cancelDate may be an int too long to write as text.
        """
        row = _order_row(cancelDate=10**5000)
        _holds(lambda: read_wildberries_statistics(orders=[row], errors=errors), errors)

    @pytest.mark.parametrize("errors", MODES)
    def test_a_huge_whole_number_as_a_cancel_reason_id(self, errors: Errors) -> None:
        """
        A parsed posting's cancellation may hold an int too long to write as text.
        """
        posting = copy.deepcopy(OZON_POSTINGS[2]) | {"status": "cancelled"}
        posting["cancellation"] = {"cancel_reason_id": 10**5000}
        _holds(lambda: read_ozon_postings([posting], as_of=AS_OF, errors=errors), errors)


# --- Dates at the edges, and the command line -----------------------------------------------


EDGE_DAYS = (date.min, date(1, 1, 2), date(9999, 12, 30), date.max)


class TestEdgesOfTheCalendar:
    @_examples(2)
    @given(day=st.one_of(st.sampled_from(EDGE_DAYS), st.dates()), tz=zones)
    def test_day_bounds_are_instants_or_an_invalid_period(self, day: date, tz: Any) -> None:
        """
        Any day's start and end are UTC instants, or an `InvalidPeriodError` naming it.
        """
        for bound in (day_start, day_end):
            refused: InvalidPeriodError | None = None
            try:
                instant = bound(day, tz)
            except InvalidPeriodError as error:
                refused = error
            else:
                assert instant.tzinfo is UTC
            if refused is not None:
                assert day.isoformat() in str(refused)
                assert day.year in {1, 9999}

    @_examples(2)
    @given(
        moment=st.one_of(
            st.builds(
                datetime.combine,
                st.sampled_from(EDGE_DAYS),
                st.sampled_from([time(), time(2, 30), time(23, 59, 59, 999_999)]),
                zones,
            ),
            st.datetimes(timezones=zones),
        )
    )
    def test_any_aware_moment_is_utc_or_a_data_error(self, moment: datetime) -> None:
        """
        A record's moment is its UTC instant, or a `DataError` naming order and field.
        """
        refused: DataError | None = None
        try:
            instant = to_utc(moment, order_id="o1", field="sold_at")
        except DataError as error:
            refused = error
        else:
            assert instant.timestamp() == moment.timestamp()  # equal, even in a fold
        if refused is not None:
            assert (refused.order_id, refused.field) == ("o1", "sold_at")
            assert moment.year in {1, 9999}

    @pytest.mark.parametrize(
        "value",
        ["1" * 5000, 10**5000, "²", "١٢", Decimal("1" * 40), "1e30", "NaN"],
        ids=["5000 digits", "10**5000", "superscript", "arabic-indic", "40 digits", "1e30", "NaN"],
    )
    def test_to_money_refuses_huge_or_odd_prices_briefly(self, value: Any) -> None:
        """
        A price too large or in odd digits is an `InvalidPriceError` with a short message.
        """
        with pytest.raises(DataError) as caught:
            to_money(value, order_id="o1")
        assert len(str(caught.value)) < 200

    @pytest.mark.parametrize(
        "arguments",
        [
            ["--today", "9999-12-31"],
            ["--today", "0001-01-01"],
            ["--tz", "Europe"],
            ["--tz", "Europe/"],
            ["--tz", "a\x00b"],
            ["--as-of", "9999-12-31T23:59:59-05:00"],
            ["--period", "9999-12-31"],
        ],
    )
    def test_the_command_line_refuses_days_and_zones_out_of_range(
        self, arguments: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        Days at the calendar's edges and zones that are folders are usage errors.
        """
        options = {"--period": "2025-04-01..2025-04-30", "--today": "2025-05-31"}
        options.update(dict(zip(arguments[::2], arguments[1::2], strict=True)))
        with pytest.raises(SystemExit) as caught:
            main(["rate", "--sample", *(item for pair in options.items() for item in pair)])
        assert caught.value.code == 2
        assert "error: argument" in capsys.readouterr().err
