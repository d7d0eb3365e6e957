"""Ozon posting lists (FBO and FBS) and the returns list as order lines, on frames.

The rules of `redemption.io.read_ozon_postings`, written again with narwhals on the rows
`redemption.frames._sources.json_item_rows` reads (every field as text), so that each
implementation checks the other:

- each unit of each product of a posting is an order line ``posting_number/sku/n`` (a SKU
  given twice is numbered on), at ``products[].price`` (a decimal, or an amount in
  roubles), placed at ``in_process_at``, of the buyer ``customer.customer_id`` (0 or
  empty is none);
- status ``delivered`` is sold, at ``pickup_code_verified_at``, else at the latest
  ``additional_data[].delivery_time``, else at `as_of` or the posting's first return if
  earlier; ``cancelled...`` is cancelled at `as_of`, its kind from ``cancellation`` and
  its reason through the Ozon reasons table; any other status is in transit;
- a posting repeated (one ``posting_number``) and a return repeated (one ``id``) are
  merged: the last one read wins;
- a return of type ``ClientReturn``, ``FullReturn`` or ``PartialReturn`` returns
  ``product.quantity`` units of its posting's SKU, the units not yet returned in turn,
  returns taken by ``logistic.return_date`` (of equal dates, the id read first first); a
  refusal of a cancelled posting marks its units refused; ``Cancellation`` and other
  types are skipped; a return of a posting not read is unmatched;
- ``financial_data.products[].item_services`` charges are divided across the units of
  their ``product_id`` to the kopeck, the first units taking the odd kopecks.

Where the object importer reads typed JSON and this reads text, they part (the tests keep
to what both read alike):

- a number given where text is expected (``"cancel_reason": 5``), or a boolean where an
  id is, is read as its text; an object or array is refused; a number of units is read
  as `redemption.io.report.whole_number` reads it (``2``, ``2.0``, ``"2"``, ``"2.00"``),
  but for text with an exponent (``"2e0"``), which the object importer reads;
- a price or charge must be written as digits with a point (``990.5``), not ``1e3`` or
  ``.5``; a charge's digits past the ninth after the point are dropped before rounding;
- an item that is not an object has no fields: it is refused for its missing number; a
  document of another shape (an API's error page) is put aside as a whole, at row 0,
  where the object importer refuses the file and reads none;
- a return that asks for more units than are left, though no more than its SKU has,
  still counts in the running sum the returns are matched by: a later return of that
  posting's SKU is then put aside where the object importer gives it the units left
  (it takes three returns of one SKU; one asking for more than the SKU has is left out
  of the sum, as the object importer leaves it out);
- only the reasons' words are matched as `redemption.reasons` matches them, with
  Python's whitespace but `str.lower` for `str.casefold`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import narwhals.stable.v2 as nw

from redemption.frames._reasons import with_reason_category
from redemption.frames._rows import (
    SIGNED_DECIMAL,
    WHOLE_CHARS,
    decimal_digits,
    fixed_point,
    reading_place,
    stripped,
    with_first_met,
    with_kopecks,
)
from redemption.frames._sources import ELEMENT, FILE, PART, ROW, SOURCE, UNREAD, JsonPart
from redemption.order_lines import LINE_COLUMNS
from redemption.outcomes import ReasonCategory

__all__ = [
    "MAX_UNITS",
    "POSTING_PARTS",
    "POSTING_WRAPPERS",
    "RETURN_PARTS",
    "RETURN_WRAPPERS",
    "ozon_lines",
]

MAX_UNITS = 10_000
"""Units of one product in one row: more is a bad row (`redemption.io.Limits`' default)."""
UNIT_DIGITS = 4
"""Units are counted out in this many decimal digits: up to ``10 ** UNIT_DIGITS``."""

_TO_BUYER = (
    "marketplace_service_item_direct_flow_trans",
    "marketplace_service_item_deliv_to_customer",
)
_BACK = (
    "marketplace_service_item_return_flow_trans",
    "marketplace_service_item_return_after_deliv_to_customer",
    "marketplace_service_item_return_not_deliv_to_customer",
)

POSTING_WRAPPERS = ("result.postings", "result", "postings")
"""Where a posting list holds its postings: FBS v3, FBO v2, the new lists."""
RETURN_WRAPPERS = ("returns",)
"""Where the returns list holds its returns."""

POSTING_PARTS: tuple[JsonPart, ...] = (
    (
        "posting",
        None,
        (
            ("number", "posting_number"),
            ("status", "status"),
            ("in_process_at", "in_process_at"),
            ("pickup", "pickup_code_verified_at"),
            ("customer", "customer"),
            ("customer_id", "customer.customer_id"),
            ("cancellation", "cancellation"),
            ("cancel_words", "cancellation.cancel_reason"),
            ("cancel_reason_id", "cancellation.cancel_reason_id"),
            ("cancellation_type", "cancellation.cancellation_type"),
            ("initiator", "cancellation.cancellation_initiator"),
            ("products", "products"),
        ),
    ),
    (
        "product",
        "products",
        (
            ("element", ""),
            ("currency_code", "currency_code"),
            ("sku", "sku"),
            ("price", "price"),
            ("amount", "price.amount"),
            ("currency", "price.currency"),
            ("quantity", "quantity"),
        ),
    ),
    ("delivery", "additional_data", (("element", ""), ("delivery_time", "delivery_time"))),
    (
        "charge",
        "financial_data.products",
        (
            ("element", ""),
            ("services", "item_services"),
            ("product_id", "product_id"),
            *((name, f"item_services.{name}") for name in (*_TO_BUYER, *_BACK)),
        ),
    ),
)
"""What is read of each posting: the posting, its products, its delivery times, its
charges."""

RETURN_PARTS: tuple[JsonPart, ...] = (
    (
        "return",
        None,
        (
            ("id", "id"),
            ("type", "type"),
            ("number", "posting_number"),
            ("product", "product"),
            ("sku", "product.sku"),
            ("quantity", "product.quantity"),
            ("logistic", "logistic"),
            ("return_date", "logistic.return_date"),
            ("words", "return_reason_name"),
        ),
    ),
)
"""What is read of each return."""

_CANCEL_KINDS = {
    "client": "buyer",
    "customer": "buyer",
    "seller": "seller",
    "ozon": "marketplace",
    "system": "marketplace",
    "delivery": "marketplace",
}
_INITIATORS = {
    "клиент": "buyer",
    "покупатель": "buyer",
    "продавец": "seller",
    "ozon": "marketplace",
    "система": "marketplace",
    "служба доставки": "marketplace",
}
_RETURN_KINDS = {
    "ClientReturn": "return",
    "FullReturn": "refused_at_handover",
    "PartialReturn": "refused_at_handover",
}
_NOT_COLLECTED_ID = "665"
_RFC3339 = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
_NANO_PLACES = 9
"""A charge is read to the billionth of a rouble: nine places."""
_NANO_WHOLE_DIGITS = 9
"""Roubles of at most this many digits hold in 64 bits as billionths of a rouble."""
_NANO_PER_KOPECK = 10_000_000
"""Billionths of a rouble in a kopeck."""
_TEXT = nw.String()

Frame = nw.LazyFrame[Any]


def _with_reason(
    frame: Frame, words: str, table: Mapping[str, ReasonCategory], names: tuple[str, str]
) -> Frame:
    """Add the category and text of the reason the column `words` gives (`names`).

    Each is null where the words give no reason, or one whose category is unknown.
    """
    category, text = names
    frame = with_reason_category(frame, nw.col(words), table, category)
    chosen = nw.col(category)
    real = nw.when(chosen != ReasonCategory.UNKNOWN.value).then(chosen)
    return frame.with_columns(real.alias(category)).with_columns(
        nw.when(~nw.col(category).is_null()).then(nw.col(words)).alias(text)
    )


def _objecty(text: nw.Expr) -> nw.Expr:
    """Whether a field's text is an object's or an array's (JSON text of either)."""
    start = text.str.slice(0, 1)
    return (start == "{") | (start == "[")


def _is_object(text: nw.Expr) -> nw.Expr:
    return (text.str.slice(0, 1) == "{").fill_null(value=False)


def _with_text_bad(frame: Frame, *names: str) -> Frame:
    """Add why each column of `names` is not text or a whole number (`text_field`).

    ``_{name}_text_bad``, null where it is; a column, so that a check and its reason read
    it rather than each writing it again.
    """
    return frame.with_columns(
        *(
            nw.when(nw.col(n).is_null() | (stripped(nw.col(n)) == ""))
            .then(nw.lit("missing"))
            .when(_objecty(nw.col(n)))
            .then(nw.concat_str([nw.lit("expected text or a whole number, found "), nw.col(n)]))
            .alias(f"_{n}_text_bad")
            for n in names
        )
    )


def _text_bad(name: str) -> nw.Expr:
    """The column `_with_text_bad` adds for `name`."""
    return nw.col(f"_{name}_text_bad")


def _with_moment(frame: Frame, text: nw.Expr, name: str) -> Frame:
    """Add the instant an RFC 3339 time names (``name``), and why it has none (``name_bad``).

    The time is stripped; digits past the microsecond are dropped, as the object importer
    drops them.
    """
    raw = f"{name}_raw"
    frame = frame.with_columns(stripped(text).alias(raw))
    t = nw.col(raw)
    shape = t.str.contains(_RFC3339).fill_null(value=False)
    frame = frame.with_columns(shape.alias(f"{name}_shape"))
    ok_shape = nw.col(f"{name}_shape")

    def part(at: int, size: int) -> nw.Expr:
        return nw.when(ok_shape).then(t.str.slice(at, size)).cast(nw.Int64)

    zulu = t.str.ends_with("Z") | t.str.ends_with("z")
    zone = nw.when(zulu).then(nw.lit("Z")).otherwise(t.str.slice(-6))  # Z or +HH:MM
    fraction = t.str.replace_all(r"^[^.]*\.?", "").str.replace_all(r"[^0-9].*$", "")
    frame = frame.with_columns(
        part(0, 4).alias(f"{name}_y"),
        part(5, 2).alias(f"{name}_mo"),
        part(8, 2).alias(f"{name}_d"),
        part(11, 2).alias(f"{name}_h"),
        part(14, 2).alias(f"{name}_mi"),
        part(17, 2).alias(f"{name}_s"),
        nw.when(ok_shape)
        .then(nw.when(zone.str.to_uppercase() == "Z").then(nw.lit("+00:00")).otherwise(zone))
        .alias(f"{name}_zone"),
        nw.when(ok_shape)
        .then(nw.concat_str([fraction, nw.lit("000000")]).str.slice(0, 6))
        .cast(nw.Int64)
        .alias(f"{name}_us"),
    )
    y, mo, d, h, mi, s = (nw.col(f"{name}_{k}") for k in ("y", "mo", "d", "h", "mi", "s"))
    z = nw.col(f"{name}_zone")
    zh, zm = z.str.slice(1, 2).cast(nw.Int64), z.str.slice(4, 2).cast(nw.Int64)
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    days = (
        nw.when(mo == 2)  # noqa: PLR2004 - February
        .then(nw.when(leap).then(nw.lit(29)).otherwise(nw.lit(28)))
        .when(mo.is_in([4, 6, 9, 11]))
        .then(nw.lit(30))
        .otherwise(nw.lit(31))
    )
    valid = (
        ok_shape
        & (y >= 2)  # noqa: PLR2004 - year 1 (and 9999) may not hold in UTC: not read here
        & (y <= 9998)  # noqa: PLR2004
        & (mo >= 1)
        & (mo <= 12)  # noqa: PLR2004
        & (d >= 1)
        & (d <= days)
        & (h <= 23)  # noqa: PLR2004
        & (mi <= 59)  # noqa: PLR2004
        & (s <= 59)  # noqa: PLR2004
        & (zh <= 23)  # noqa: PLR2004
        & (zm <= 59)  # noqa: PLR2004
    ).fill_null(value=False)
    frame = frame.with_columns(valid.alias(f"{name}_ok"))
    ok = nw.col(f"{name}_ok")
    plain = nw.concat_str(
        [
            t.str.slice(0, 10),
            nw.lit("T"),
            t.str.slice(11, 8),
            z.str.slice(0, 3),
            z.str.slice(4, 2),
        ]
    )
    at = nw.when(ok).then(plain).str.to_datetime(format="%Y-%m-%dT%H:%M:%S%z")
    frame = frame.with_columns(
        (at + nw.lit(timedelta(microseconds=1)) * nw.col(f"{name}_us")).alias(name),
        nw.when(t.is_null() | (t == ""))
        .then(nw.lit("missing"))
        .when(~ok_shape)
        .then(nw.concat_str([nw.lit("not a date and time with its UTC offset: "), t]))
        .when(~ok)
        .then(nw.concat_str([nw.lit("not a date and time: "), t]))
        .alias(f"{name}_bad"),
    )
    helpers = ("raw", "shape", "y", "mo", "d", "h", "mi", "s", "zone", "us", "ok")
    return frame.drop(*(f"{name}_{k}" for k in helpers))


def _with_nano(frame: Frame, names: tuple[str, ...]) -> Frame:
    """Add each charge's absolute value in billionths of a rouble, and whether it is none.

    For each column of `names`: ``{name}_nano`` (0 where none is given) and
    ``{name}_nano_bad``. Each step's values are columns before the next reads them: a
    value written into several expressions is computed (DuckDB) or built through the JVM
    (Spark) once for each.
    """
    t = {n: f"_{n}_t" for n in names}
    frame = frame.with_columns(*(stripped(nw.col(n)).alias(t[n]) for n in names))
    frame = frame.with_columns(
        *(
            nw.col(t[n]).str.contains(SIGNED_DECIMAL).fill_null(value=False).alias(f"{t[n]}_shape")
            for n in names
        )
    )
    digits = {
        n: decimal_digits(nw.when(nw.col(f"{t[n]}_shape")).then(nw.col(t[n])), signed=True)
        for n in names
    }
    frame = frame.with_columns(
        *(digits[n][0].alias(f"{t[n]}_whole") for n in names),
        *(digits[n][1].alias(f"{t[n]}_fraction") for n in names),
    )
    frame = frame.with_columns(
        *(
            (
                nw.col(f"{t[n]}_shape")
                & (nw.col(f"{t[n]}_whole").str.len_chars() <= _NANO_WHOLE_DIGITS)
            ).alias(f"{t[n]}_fits")
            for n in names
        )
    )

    def value(n: str) -> nw.Expr:
        fits, whole, fraction = (nw.col(f"{t[n]}_{k}") for k in ("fits", "whole", "fraction"))
        nano = fixed_point(nw.when(fits).then(whole), fraction, _NANO_PLACES)
        return nw.when(nw.col(n).is_null()).then(nw.lit(0, dtype=nw.Int64())).otherwise(nano)

    frame = frame.with_columns(
        *(value(n).alias(f"{n}_nano") for n in names),
        *((~nw.col(n).is_null() & ~nw.col(f"{t[n]}_fits")).alias(f"{n}_nano_bad") for n in names),
    )
    parts = ("", "_shape", "_whole", "_fraction", "_fits")
    return frame.drop(*(f"{t[n]}{part}" for n in names for part in parts))


def _with_count(frame: Frame, text: str, name: str) -> Frame:
    """Add the number of units the column `text` gives (`name`), and why it is none.

    Digits, and a point only if zeros alone follow it, at most `WHOLE_CHARS` of them, as
    `redemption.io.report.whole_number` reads them (DuckDB writes the JSON number ``2.0``
    or ``2e0`` as ``2.0``, polars as ``2``). ``{name}_bad`` says why there is none. Each
    step's values are columns before the next reads them (see `_with_nano`).
    """
    given = nw.col(text)
    t, digits, shape, small = (f"{name}_{k}" for k in ("t", "digits", "shape", "small"))
    frame = frame.with_columns(stripped(given).alias(t))
    frame = frame.with_columns(
        nw.col(t).str.replace_all(r"^\+?0*", "").str.replace_all(r"\.0+$", "").alias(digits),
        (nw.col(t).str.contains(r"^\+?[0-9]+(\.0+)?$") & (nw.col(t).str.len_chars() <= WHOLE_CHARS))
        .fill_null(value=False)
        .alias(shape),
    )
    frame = frame.with_columns(
        (nw.col(shape) & (nw.col(digits).str.len_chars() <= 6)).alias(small)  # noqa: PLR2004 - a million fits
    )
    read = nw.when(nw.col(small) & (nw.col(digits) != "")).then(nw.col(digits)).cast(nw.Int64)
    frame = frame.with_columns(
        nw.when(nw.col(shape) & (nw.col(digits) == ""))
        .then(nw.lit(0, dtype=nw.Int64()))
        .otherwise(read)
        .alias(name)
    )
    count = nw.col(name)
    bad = (
        nw.when(nw.col(shape) & (~nw.col(small) | (count > MAX_UNITS)))
        .then(nw.concat_str([given, nw.lit(" units of one product, more than allowed")]))
        .when(~nw.col(shape) | (count <= 0))
        .then(nw.concat_str([nw.lit("expected a whole number of units, found "), given]))
    )
    return frame.with_columns(bad.alias(f"{name}_bad")).drop(t, digits, shape, small)


def _with_keys(raw: Frame) -> Frame:
    """Each row with its item's key and a flag per part (``_<part>``).

    The key (``_key``) is the item's file, the returns' numbered after the postings', and
    its row in the file.
    """
    flags = {part: (nw.col(PART) == part).fill_null(value=False) for part in _PARTS}
    file = nw.col(FILE) + flags["return"].cast(nw.Int64) * _RETURN_FILES
    return raw.with_columns(
        reading_place(file).alias("_key"),
        *(flag.alias(f"_{part}") for part, flag in flags.items()),
    )


def _with_products(frame: Frame) -> Frame:
    """Each product element's SKU, kopecks and units, and its first problem (``_product_row_*``)."""
    price = nw.when(_is_object(nw.col("price"))).then(nw.col("amount")).otherwise(nw.col("price"))
    frame = with_kopecks(frame, price, "_kopecks")  # which strips it where it must
    frame = _with_text_bad(_with_count(frame, "quantity", "_units"), "sku")
    element, priced_object = nw.col("element"), _is_object(nw.col("price"))
    currency_code, currency = nw.col("currency_code"), nw.col("currency")
    not_roubles = "the price is in another currency than roubles (RUB): "
    frame = with_first_met(
        frame,
        [
            (element.is_null(), "products", nw.lit("missing")),
            (~_is_object(element), "products", nw.lit("expected an object")),
            (
                ~currency_code.is_null()
                & (_objecty(currency_code) | (stripped(currency_code) != "RUB")),
                "products.currency_code",
                nw.concat_str([nw.lit(not_roubles), currency_code]),
            ),
            (~_text_bad("sku").is_null(), "products.sku", _text_bad("sku")),
            (
                priced_object
                & ~currency.is_null()
                & (_objecty(currency) | (stripped(currency) != "RUB")),
                "products.price.currency",
                nw.concat_str([nw.lit(not_roubles), currency]),
            ),
            (
                ~nw.col("_kopecks_bad").is_null(),
                nw.when(priced_object)
                .then(nw.lit("products.price.amount"))
                .otherwise(nw.lit("products.price")),
                nw.col("_kopecks_bad"),
            ),
            (~nw.col("_units_bad").is_null(), "products.quantity", nw.col("_units_bad")),
        ],
        _MET,
    )
    field, reason = (nw.col(name) for name in _MET)
    position = nw.concat_str([nw.lit("product "), nw.col(ELEMENT).cast(_TEXT), nw.lit(": ")])
    product = nw.col("_product")
    return frame.with_columns(
        nw.when(product).then(field).alias("_product_row_field"),
        nw.when(product).then(nw.concat_str([position, reason])).alias("_product_row_reason"),
        stripped(nw.col("sku")).alias("_sku"),
    ).drop(*_MET)


def _with_deliveries(frame: Frame) -> Frame:
    """Each ``additional_data`` element's delivery time (``_time``), or why it is no time."""
    given = (
        nw.col("_delivery")
        & _is_object(nw.col("element"))
        & ~nw.col("delivery_time").is_null()
        & (nw.col("delivery_time") != "")
    )
    frame = frame.with_columns(given.fill_null(value=False).alias("_delivery_ok"))
    ok = nw.col("_delivery_ok")
    frame = _with_moment(frame, nw.when(ok).then(nw.col("delivery_time")), "_time")
    bad = ok & ~nw.col("_time_bad").is_null()
    return frame.with_columns(
        nw.when(bad).then(nw.lit("additional_data.delivery_time")).alias("_delivery_row_field"),
        nw.when(bad).then(nw.col("_time_bad")).alias("_delivery_row_reason"),
    )


def _with_charges(frame: Frame) -> Frame:
    """Each ``financial_data`` product's SKU and charges (``_charged``), or its problem."""
    frame = frame.with_columns(
        (nw.col("_charge") & _is_object(nw.col("element")) & _is_object(nw.col("services")))
        .fill_null(value=False)
        .alias("_charge_ok")
    )
    ok = nw.col("_charge_ok")
    frame = _with_nano(frame, (*_TO_BUYER, *_BACK))
    problems: list[tuple[nw.Expr, str | nw.Expr | None, nw.Expr]] = []
    legs: dict[str, list[nw.Expr]] = {"_to_buyer": [], "_back": []}
    for leg, names in (("_to_buyer", _TO_BUYER), ("_back", _BACK)):
        for name in names:
            legs[leg].append(nw.col(f"{name}_nano"))
            named = f"financial_data.products.item_services.{name}"
            not_amount = nw.concat_str([nw.lit("not an amount: "), nw.col(name)])
            problems.append((nw.col(f"{name}_nano_bad"), named, not_amount))
    frame = (
        _with_text_bad(frame, "product_id")
        .with_columns(
            *(nw.sum_horizontal(*values).alias(leg) for leg, values in legs.items()),
            stripped(nw.col("product_id")).alias("_product_sku"),
        )
        .with_columns(
            # the SKU a product or a charge is of: a charge's product_id meets its products' SKUs
            nw.when(nw.col("_product"))
            .then(nw.col("_sku"))
            .when(ok)
            .then(nw.col("_product_sku"))
            .alias("_match_sku")
        )
    )
    has = nw.col("_product").cast(nw.Int64).max().over("_key", "_match_sku") == 1
    problem_free = nw.lit(value=True)
    for bad, _, _ in problems:
        problem_free = problem_free & ~bad.fill_null(value=False)
    charged = (nw.col("_to_buyer") + nw.col("_back")) > 0
    id_bad = _text_bad("product_id")
    problems += [
        (problem_free & charged & ~id_bad.is_null(), "financial_data.products.product_id", id_bad),
        (
            problem_free
            & charged
            & ~(~nw.col("_match_sku").is_null() & has).fill_null(value=False),
            "financial_data.products.product_id",
            nw.concat_str(
                [
                    nw.lit("product_id "),
                    nw.col("_product_sku"),
                    nw.lit(" is none of the posting's SKUs"),
                ]
            ),
        ),
    ]
    frame = with_first_met(frame, problems, _MET)
    field, reason = (nw.col(name) for name in _MET)
    position = nw.concat_str([nw.lit("product "), nw.col(ELEMENT).cast(_TEXT), nw.lit(": ")])
    return frame.with_columns(
        nw.when(ok).then(field).alias("_charge_row_field"),
        nw.when(ok).then(nw.concat_str([position, reason])).alias("_charge_row_reason"),
        (ok & problem_free & charged).fill_null(value=False).alias("_charged"),
    ).drop(*_MET, *(f"{n}_nano{bad}" for n in (*_TO_BUYER, *_BACK) for bad in ("", "_bad")))


_MET = ("_met_field", "_met_reason")
"""The field and reason of a row's first problem, while they are read."""
_ELEMENT_PARTS = ("product", "delivery", "charge")
"""The parts whose elements' first problem is their posting's."""
_PARTS = ("posting", *_ELEMENT_PARTS, "return")
_RETURN_FILES = 1 << 24
"""The returns' files are numbered from here, after the postings'."""
_ELEMENT_ONLY = (
    "element",
    "currency_code",
    "price",
    "amount",
    "currency",
    "delivery_time",
    "services",
    "product_id",
    *_TO_BUYER,
    *_BACK,
    "_kopecks_bad",
    "_time",
    "_time_bad",
    "_delivery_ok",
    "_charge_ok",
    "_product_sku",
    *(f"_{part}_row_{what}" for part in _ELEMENT_PARTS for what in ("field", "reason")),
    *(f"_first_{part}" for part in _ELEMENT_PARTS),
)
"""What is left of the elements once each posting has what it needs of them."""
_POSTING_ONLY = (
    "status",
    "in_process_at",
    "pickup",
    "customer",
    "customer_id",
    "cancellation",
    "cancel_reason_id",
    "cancellation_type",
    "initiator",
    "_plain_type",
    "_initiator",
    "products",
    "_ordered_bad",
    "_pickup",
    "_pickup_bad",
    "_pickup_given",
    "_latest",
    "_n_products",
    "_valid_key",
    *(f"_{part}_{what}" for part in _ELEMENT_PARTS for what in ("field", "reason")),
    "_posting_field",
)
"""What is left of the posting rows once their facts are on their units."""


def _postings(frame: Frame, as_of: datetime) -> Frame:
    """Every posting and product row read: a posting's outcome or problem, a product's units.

    Each product's units are ``_unit`` where its posting is kept, with its SKU, kopecks
    and charges; the delivery and charge rows are read and left out (return rows, if
    any, are kept as they are).

    Each posting's facts about its elements (the latest delivery time, the first bad
    element of each part) are windows over the posting (``_key``), and its own facts reach
    its products the same way, so the rows are read once and never joined back.
    """
    frame = _with_charges(_with_deliveries(_with_products(frame)))
    firsts = [
        nw.when(~nw.col(f"_{part}_row_field").is_null())
        .then(nw.col(ELEMENT))
        .min()
        .over("_key")
        .alias(f"_first_{part}")
        for part in _ELEMENT_PARTS
    ]
    latest = nw.when(nw.col("_delivery_ok") & nw.col("_delivery_row_field").is_null()).then(
        nw.col("_time")
    )
    frame = frame.with_columns(
        *firsts,
        latest.max().over("_key").alias("_latest"),
        nw.col("_product").cast(nw.Int64).sum().over("_key").alias("_n_products"),
    ).with_columns(
        *(
            nw.when(nw.col(ELEMENT) == nw.col(f"_first_{part}"))
            .then(nw.col(f"_{part}_row_{what}"))
            .max()
            .over("_key")
            .alias(f"_{part}_{what}")
            for part in _ELEMENT_PARTS
            for what in ("field", "reason")
        )
    )
    frame = frame.drop(*_ELEMENT_ONLY, strict=False)
    frame = _with_moment(frame, nw.col("in_process_at"), "_ordered")
    pickup = nw.col("pickup")
    pickup_given = (~pickup.is_null() & (pickup != "")).fill_null(value=False)
    frame = _with_moment(frame, nw.when(pickup_given).then(pickup), "_pickup")
    status = stripped(nw.col("status"))
    frame = frame.with_columns(
        stripped(nw.col("number")).alias("_number"),
        nw.when(status == "delivered")
        .then(nw.lit("sold"))
        .when(status.str.starts_with("cancelled"))
        .then(nw.lit("cancelled"))
        .otherwise(nw.lit("open"))
        .alias("_outcome"),
        pickup_given.alias("_pickup_given"),
    )
    sold, cancelled = nw.col("_outcome") == "sold", nw.col("_outcome") == "cancelled"
    delivered_at = (
        nw.when(sold & nw.col("_pickup_given"))
        .then(nw.col("_pickup"))
        .when(sold)
        .then(nw.col("_latest"))
    )
    delivered_field = (
        nw.when(nw.col("_pickup_given"))
        .then(nw.lit("pickup_code_verified_at"))
        .otherwise(nw.lit("additional_data.delivery_time"))
    )
    frame = frame.with_columns(delivered_at.alias("_delivered_at"))
    delivered, ordered = nw.col("_delivered_at"), nw.col("_ordered")
    customer_id = nw.col("customer_id")
    has_buyer = (
        _is_object(nw.col("customer")) & ~customer_id.is_null() & ~customer_id.is_in(["", "0"])
    ).fill_null(value=False)
    cancellation = _is_object(nw.col("cancellation"))
    words = nw.col("cancel_words")
    frame = with_first_met(
        _with_text_bad(frame, "number", "status", "customer_id"),
        [
            (~_text_bad("number").is_null(), "posting_number", _text_bad("number")),
            (~_text_bad("status").is_null(), "status", _text_bad("status")),
            (~nw.col("_ordered_bad").is_null(), "in_process_at", nw.col("_ordered_bad")),
            (ordered > nw.lit(as_of), "in_process_at", nw.lit("after as_of")),
            (
                sold & nw.col("_pickup_given") & ~nw.col("_pickup_bad").is_null(),
                "pickup_code_verified_at",
                nw.col("_pickup_bad"),
            ),
            (
                sold & ~nw.col("_pickup_given") & ~nw.col("_delivery_field").is_null(),
                "additional_data.delivery_time",
                nw.col("_delivery_reason"),
            ),
            (
                delivered > nw.lit(as_of),
                delivered_field,
                nw.lit("after as_of, when the list was read"),
            ),
            (delivered < ordered, delivered_field, nw.lit("before in_process_at")),
            (
                has_buyer & ~_text_bad("customer_id").is_null(),
                "customer.customer_id",
                _text_bad("customer_id"),
            ),
            (
                cancelled & cancellation & _objecty(words),
                "cancellation.cancel_reason",
                nw.concat_str([nw.lit("expected text, found "), words]),
            ),
            (
                ~_objecty(nw.col("products")).fill_null(value=False)
                | ~nw.col("products").str.starts_with("[").fill_null(value=False)
                | (nw.col("_n_products") == 0),
                "products",
                nw.lit("expected a list of products"),
            ),
            (
                ~nw.col("_product_field").is_null(),
                nw.col("_product_field"),
                nw.col("_product_reason"),
            ),
            (~nw.col("_charge_field").is_null(), nw.col("_charge_field"), nw.col("_charge_reason")),
        ],
        _MET,
    )
    field, reason = (nw.col(name) for name in _MET)
    posting = nw.col("_posting")
    frame = frame.with_columns(
        nw.when(posting).then(field).alias("_field"),
        nw.when(posting).then(reason).alias("_reason"),
    ).drop(*_MET)
    valid = posting & nw.col("_reason").is_null()
    # the words each kind is looked up by, as columns: each comparison reads them
    frame = frame.with_columns(
        stripped(nw.col("cancellation_type")).str.to_lowercase().alias("_plain_type"),
        stripped(nw.col("initiator")).str.to_lowercase().alias("_initiator"),
    )
    kind = (
        nw.when(~cancellation)
        .then(nw.lit("unknown"))
        .when(stripped(nw.col("cancel_reason_id")) == _NOT_COLLECTED_ID)
        .then(nw.lit("not_collected"))
    )
    for said, meant in _CANCEL_KINDS.items():
        kind = kind.when(nw.col("_plain_type") == said).then(nw.lit(meant))
    for said, meant in _INITIATORS.items():
        kind = kind.when(nw.col("_initiator") == said).then(nw.lit(meant))
    frame = frame.with_columns(
        nw.when(valid).then(nw.col("_key")).alias("_valid_key"),
        nw.when(cancelled).then(kind.otherwise(nw.lit("unknown"))).alias("_cancel_kind"),
        nw.when(cancelled & cancellation).then(words).alias("_cancel_words"),
        nw.when(has_buyer).then(stripped(customer_id)).alias("_buyer"),
    ).with_columns(
        (valid & (nw.col("_key") == nw.col("_valid_key").max().over("_number")))
        .fill_null(value=False)
        .alias("_kept")
    )
    # the posting's facts, on each of its rows; its products are units if it is kept
    facts = (
        "_number",
        "_outcome",
        "_ordered",
        "_delivered_at",
        "_cancel_kind",
        "_cancel_words",
        "_buyer",
    )
    product = nw.col("_product")
    kept = nw.when(posting).then(nw.col("_kept").cast(nw.Int64)).max().over("_key") == 1
    frame = frame.with_columns(
        *(
            nw.when(product)
            .then(nw.when(posting).then(nw.col(c)).max().over("_key"))
            .otherwise(nw.col(c))
            .alias(c)
            for c in facts
        ),
        (product & kept).fill_null(value=False).alias("_unit"),
    )
    units = nw.when(nw.col("_unit")).then(nw.col("_units")).otherwise(nw.lit(0, dtype=nw.Int64()))
    charged = nw.col("_charged")
    zero = nw.lit(0, dtype=nw.Int64())
    frame = frame.with_columns(
        units.cum_sum().over("_key", "_sku", order_by=ELEMENT).cast(nw.Int64).alias("_through"),
        units.sum().over("_key", "_sku").cast(nw.Int64).alias("_of_sku"),
        *(
            nw.when(charged)
            .then(nw.col(leg))
            .otherwise(zero)
            .sum()
            .over("_key", "_match_sku")
            .alias(f"{leg}_sum")
            for leg in ("_to_buyer", "_back")
        ),
        charged.cast(nw.Int64).sum().over("_key", "_match_sku").alias("_n_charged"),
    )
    any_charge = nw.col("_n_charged") > 0
    frame = frame.drop(*_POSTING_ONLY, strict=False)
    return frame.filter(posting | nw.col("_unit") | nw.col("_return")).with_columns(
        *(
            nw.when(any_charge).then(nw.col(f"{leg}_sum")).cast(nw.Int64).alias(leg)
            for leg in ("_to_buyer", "_back")
        )
    )


def _expanded(frame: Frame, count: str, digits: Frame) -> Frame:
    """Each row `count` times, numbered ``_k`` from 0: counted out digit by digit.

    Each step joins the ten digits and keeps the numbers still below the count, so a row
    of `q` units costs about ten times `q` rows, never ``10 ** UNIT_DIGITS``.
    """
    frame = frame.with_columns(nw.lit(0, dtype=nw.Int64()).alias("_k"))
    for power in reversed(range(UNIT_DIGITS)):
        step = 10**power
        frame = (
            frame.join(digits, how="cross")
            .with_columns((nw.col("_k") + nw.col("n") * step).alias("_k"))
            .filter(nw.col("_k") < nw.col(count))
            .drop("n")
        )
    return frame


def _returns(frame: Frame, as_of: datetime) -> Frame:
    """Every return row read: what it returns, or why it is skipped or refused.

    Its units (``_units``), number and SKU are read as a product's are.
    """
    frame = _with_moment(frame, nw.col("return_date"), "_at")
    kind = stripped(nw.col("type"))
    frame = frame.with_columns(kind.alias("_type"))
    product, logistic = nw.col("product"), nw.col("logistic")
    frame = with_first_met(
        _with_text_bad(frame, "type", "id", "number", "sku"),
        [
            (~_text_bad("type").is_null(), "type", _text_bad("type")),
            (kind == "Cancellation", None, nw.lit("skip")),
            (~kind.is_in(list(_RETURN_KINDS)), None, nw.lit("skip")),
            (product.is_null(), "product", nw.lit("missing")),
            (~_is_object(product), "product", nw.lit("expected an object")),
            (logistic.is_null(), "logistic", nw.lit("missing")),
            (~_is_object(logistic), "logistic", nw.lit("expected an object")),
            (~nw.col("_at_bad").is_null(), "logistic.return_date", nw.col("_at_bad")),
            (nw.col("_at") > nw.lit(as_of), "logistic.return_date", nw.lit("after as_of")),
            (~_text_bad("id").is_null(), "id", _text_bad("id")),
            (~_text_bad("number").is_null(), "posting_number", _text_bad("number")),
            (~_text_bad("sku").is_null(), "product.sku", _text_bad("sku")),
            (~nw.col("_units_bad").is_null(), "product.quantity", nw.col("_units_bad")),
            (
                _objecty(nw.col("words")),
                "return_reason_name",
                nw.concat_str([nw.lit("expected text, found "), nw.col("words")]),
            ),
        ],
        ("_return_field", "_return_reason"),
    )
    skip = (
        nw.when(kind == "Cancellation")
        .then(
            nw.lit("a cancellation before delivery, not a return: the posting says it is cancelled")
        )
        .otherwise(
            nw.concat_str(
                [nw.lit("return type "), kind, nw.lit(" is not a return of a delivered unit")]
            )
        )
    )
    back = nw.col("_return")
    frame = frame.with_columns(
        nw.when(back).then(nw.col("_return_field")).otherwise(nw.col("_field")).alias("_field"),
        nw.when(back & (nw.col("_return_reason") == "skip")).then(skip).alias("_skip"),
        nw.when(back)
        .then(nw.when(nw.col("_return_reason") != "skip").then(nw.col("_return_reason")))
        .otherwise(nw.col("_reason"))
        .alias("_reason"),
    )
    valid = back & nw.col("_reason").is_null() & nw.col("_skip").is_null()
    frame = frame.with_columns(
        stripped(nw.col("id")).alias("_id"),
        nw.when(valid).then(nw.col("_key")).alias("_valid_return"),
    )
    kept = (valid & (nw.col("_key") == nw.col("_valid_return").max().over("_id"))).fill_null(
        value=False
    )
    return frame.with_columns(
        nw.when(back).then(kept).otherwise(nw.col("_kept")).alias("_kept"),
        # the place of the id among the returns: where it was first read
        nw.col("_valid_return").min().over("_id").alias("_given"),
    ).drop(
        "id",
        "type",
        "product",
        "logistic",
        "return_date",
        "_at_bad",
        "_return_field",
        "_return_reason",
        "_valid_return",
    )


def _aside_rows(frame: Frame, use: nw.Expr, reason: nw.Expr) -> Frame:
    return frame.select(
        nw.col(SOURCE).alias("source"),
        nw.col(ROW).cast(nw.Int64).alias("row"),
        nw.col("_field").cast(_TEXT).alias("field"),
        reason.cast(_TEXT).alias("reason"),
        use.cast(_TEXT).alias("kind"),
    )


def ozon_lines(
    postings: Frame,
    returns: Frame | None,
    digits: Frame,
    *,
    as_of: datetime,
    seller_id: str,
    reasons: Mapping[str, ReasonCategory],
) -> tuple[Frame, Frame]:
    """Return the order lines of Ozon postings (and returns), and the rows put aside.

    Args:
        postings: the posting lists' rows (`json_item_rows` with `POSTING_PARTS`).
        returns: the returns list's rows (`RETURN_PARTS`), or ``None``.
        digits: a frame of one Int64 column ``n``, 0 to 9, on the same engine.
        as_of: when the lists were downloaded, aware.
        seller_id: the seller the lists belong to.
        reasons: the reasons table (`redemption.reasons.reason_table`).

    Returns:
        The lines (the columns of `redemption.order_lines`), and the rows put aside:
        ``source``, ``row``, ``field``, ``reason`` and ``kind`` (``refused``,
        ``skipped``, ``merged`` or ``unmatched``); a file whose document holds no list
        of items is refused as a whole, at row 0.

    The posting rows, their units and the return rows are one frame: what one row needs
    of another (a posting's facts, the units a return may take, the return a unit is
    taken by) is a window over the posting, its number, its SKU or its unit, so every
    row is read once and each frame returned is one chain of steps, never a plan that
    joins a frame to one derived from it.
    """
    as_of = as_of.astimezone(UTC)
    if returns is None:
        rows = _postings(_with_keys(postings), as_of).with_columns(
            *(nw.lit(None, dtype=_TEXT).alias(c) for c in ("_use", "_skip", "_id")),
            nw.when(nw.lit(value=False)).then(nw.col("_ordered")).alias("_first_return"),
        )
    else:
        rows = _with_keys(_together(postings, returns))
        rows = _matched(_returns(_postings(rows, as_of), as_of))
    lines = _units(rows, digits, seller_id, as_of, reasons, returns=returns is not None)
    unread = [_unread(postings, "an Ozon posting list", POSTING_WRAPPERS)]
    if returns is not None:
        unread.append(_unread(returns, "an Ozon returns list", RETURN_WRAPPERS))
    return lines, nw.concat([_aside(rows), *unread], how="vertical")


def _unread(rows: Frame, what: str, wrappers: tuple[str, ...]) -> Frame:
    """The files whose document holds no list of items, each put aside as a whole (row 0).

    An API's error page among the pages, or a list of the other kind, is said, where the
    object importer refuses the file.
    """
    places = ", ".join(wrappers)
    reason = f"not {what}: neither an array nor an object with an array at {places}"
    return rows.filter((nw.col(PART) == UNREAD).fill_null(value=False)).select(
        nw.col(SOURCE).alias("source"),
        nw.col(ROW).cast(nw.Int64).alias("row"),
        nw.lit(None, dtype=_TEXT).alias("field"),
        nw.lit(reason, dtype=_TEXT).alias("reason"),
        nw.lit("refused", dtype=_TEXT).alias("kind"),
    )


def _together(postings: Frame, returns: Frame) -> Frame:
    """The posting lists' rows and the returns' rows in one frame (their text columns)."""
    names = list(dict.fromkeys([*postings.columns, *returns.columns]))

    def widened(frame: Frame) -> Frame:
        have = set(frame.columns)
        return frame.select(
            *(nw.col(n) if n in have else nw.lit(None, dtype=_TEXT).alias(n) for n in names)
        )

    return nw.concat([widened(postings), widened(returns)], how="vertical")


def _matched(rows: Frame) -> Frame:
    """Match the returns to the units of their postings; say what each return row is.

    A return kept (the last of its id) learns its posting (the one kept of its number)
    and the units of its SKU by windows over the number and the SKU; the units it takes
    are the running sum of the units the returns before it took.
    """
    posting = nw.col("_posting") & nw.col("_kept")
    rows = rows.with_columns(
        nw.when(posting).then(nw.col("_outcome")).max().over("_number").alias("_p_outcome"),
        nw.when(posting)
        .then(nw.coalesce(nw.col("_delivered_at"), nw.col("_ordered")))
        .max()
        .over("_number")
        .alias("_p_sold"),
        (posting.cast(nw.Int64).max().over("_number") == 1).fill_null(value=False).alias("_p_has"),
        nw.when(nw.col("_unit"))
        .then(nw.col("_of_sku"))
        .max()
        .over("_number", "_sku")
        .alias("_sku_units"),
    )
    chosen = nw.col("_return") & nw.col("_kept")
    has = nw.col("_p_has")
    refusal = (nw.col("_p_outcome") == "cancelled") & nw.col("_type").is_in(
        ["FullReturn", "PartialReturn"]
    )
    refusal = refusal.fill_null(value=False)
    rows = with_first_met(
        rows,
        [
            (
                has & nw.col("_sku_units").is_null(),
                "product.sku",
                nw.concat_str([nw.lit("posting has no product with sku "), nw.col("_sku")]),
            ),
            (
                has & (nw.col("_p_outcome") != "sold") & ~refusal,
                "posting_number",
                nw.concat_str([nw.lit("posting "), nw.col("_number"), nw.lit(" is not delivered")]),
            ),
            (
                has & (nw.col("_at") < nw.col("_p_sold")) & ~refusal,
                "logistic.return_date",
                nw.lit("before the posting was delivered or placed"),
            ),
        ],
        _MET,
    )
    field, reason = (nw.col(name) for name in _MET)
    rows = rows.with_columns(
        nw.when(chosen).then(field).otherwise(nw.col("_field")).alias("_field"),
        nw.when(chosen).then(reason).otherwise(nw.col("_reason")).alias("_reason"),
    ).drop(*_MET)
    eligible = chosen & nw.col("_reason").is_null()
    # a return asking for more units than its SKU has is refused whatever came before:
    # it takes none, so the returns after it are matched as if it were not there
    beyond = eligible & has & (nw.col("_units") > nw.col("_sku_units")).fill_null(value=False)
    taken = (
        nw.when(eligible & ~beyond)
        .then(nw.col("_units"))
        .otherwise(nw.lit(0, dtype=nw.Int64()))
        .cum_sum()
        .over("_number", "_sku", order_by=["_at", "_given"])
    )
    rows = rows.with_columns(
        nw.when(nw.col("_return"))
        .then(taken)
        .otherwise(nw.col("_through"))
        .cast(nw.Int64)
        .alias("_through")
    )
    over = eligible & has & (beyond | (nw.col("_through") > nw.col("_sku_units")))
    rows = rows.with_columns(
        nw.when(over).then(nw.lit("product.quantity")).otherwise(nw.col("_field")).alias("_field"),
        nw.when(over)
        .then(nw.lit("more units returned than the posting has left"))
        .otherwise(nw.col("_reason"))
        .alias("_reason"),
    )
    ok = chosen & nw.col("_reason").is_null()
    rows = rows.with_columns(
        nw.when(ok & ~has).then(nw.lit("unmatched")).when(ok).then(nw.lit("used")).alias("_use"),
    )
    used = nw.col("_return") & (nw.col("_use") == "used")
    first = nw.when(used & (nw.col("_p_outcome") == "sold")).then(nw.col("_at"))
    return rows.with_columns(first.min().over("_number").alias("_first_return"))


def _units(
    rows: Frame,
    digits: Frame,
    seller_id: str,
    as_of: datetime,
    reasons: Mapping[str, ReasonCategory],
    *,
    returns: bool,
) -> Frame:
    """The lines: each unit, with the return that took it and its share of the charges."""
    used = (nw.col("_return") & (nw.col("_use") == "used")).fill_null(value=False)
    units = rows.filter(nw.col("_unit") | used)
    units = _expanded(units, "_units", digits).with_columns(
        (nw.col("_through") - nw.col("_units") + 1 + nw.col("_k")).alias("_n")
    )
    if returns:
        # the return that took each unit: on the unit's row, by a window over the unit
        units = _with_reason(units, "words", reasons, ("_words_reason", "_words_text"))
        made = {
            "_returned_at": nw.col("_at"),
            "_back_type": nw.col("_type"),
            "_back_reason": nw.col("_words_reason"),
            "_back_text": nw.col("_words_text"),
        }
        units = units.with_columns(
            *(
                nw.when(nw.col("_return"))
                .then(value)
                .max()
                .over("_number", "_sku", "_n")
                .alias(name)
                for name, value in made.items()
            )
        )
    units = units.filter(nw.col("_unit"))
    order_id = nw.concat_str(
        [nw.col("_number"), nw.lit("/"), nw.col("_sku"), nw.lit("/"), nw.col("_n").cast(_TEXT)]
    )
    units = units.with_columns(order_id.alias("_order_id"))
    # logistics: each SKU's charges, to the kopeck, across its units in turn
    costs = {}
    for leg in ("_to_buyer", "_back"):
        nano = nw.col(leg).cast(nw.Int64)
        q, rest = nano // _NANO_PER_KOPECK, nano % _NANO_PER_KOPECK
        half = _NANO_PER_KOPECK // 2
        up = (rest > half) | ((rest == half) & (q % 2 == 1))
        units = units.with_columns((q + up.cast(nw.Int64)).alias(f"{leg}_kop"))
        kopecks = nw.col(f"{leg}_kop")
        share = kopecks // nw.col("_of_sku") + (nw.col("_n") <= kopecks % nw.col("_of_sku")).cast(
            nw.Int64
        )
        costs[leg] = share.cast(nw.Int64)
    units = _with_reason(units, "_cancel_words", reasons, ("_cancel_reason", "_cancel_text"))
    units = units.with_columns(
        costs["_to_buyer"].alias("_delivery_cost"),
        costs["_back"].alias("_return_cost"),
    )
    if not returns:
        units = units.with_columns(
            nw.when(nw.lit(value=False)).then(nw.col("_ordered")).alias("_returned_at"),
            nw.lit(None, dtype=_TEXT).alias("_return_kind"),
            nw.lit(None, dtype=_TEXT).alias("_return_reason"),
            nw.lit(None, dtype=_TEXT).alias("_return_text"),
            nw.lit(value=False).alias("_refused"),
            nw.lit(None, dtype=_TEXT).alias("_refusal_reason"),
            nw.lit(None, dtype=_TEXT).alias("_refusal_text"),
        )
        return _lines(units, seller_id, as_of)
    sold, refused = nw.col("_outcome") == "sold", nw.col("_outcome") == "cancelled"
    back_kind = nw.col("_back_type")
    for said, meant in _RETURN_KINDS.items():
        back_kind = nw.when(nw.col("_back_type") == said).then(nw.lit(meant)).otherwise(back_kind)
    marked = refused & ~nw.col("_back_type").is_null()
    units = units.with_columns(
        nw.when(sold).then(nw.col("_returned_at")).alias("_returned_at"),
        nw.when(sold & ~nw.col("_back_type").is_null()).then(back_kind).alias("_return_kind"),
        nw.when(sold).then(nw.col("_back_reason")).alias("_return_reason"),
        nw.when(sold).then(nw.col("_back_text")).alias("_return_text"),
        marked.fill_null(value=False).alias("_refused"),
        nw.when(marked).then(nw.col("_back_reason")).alias("_refusal_reason"),
        nw.when(marked).then(nw.col("_back_text")).alias("_refusal_text"),
    )
    return _lines(units, seller_id, as_of)


def _aside(rows: Frame) -> Frame:
    """The posting and return rows put aside: refused, skipped, merged or unmatched."""
    use = (
        nw.when(~nw.col("_skip").is_null())
        .then(nw.lit("skipped"))
        .when(~nw.col("_reason").is_null())
        .then(nw.lit("refused"))
        .when(nw.col("_use").is_null())
        .then(nw.lit("merged"))
        .otherwise(nw.col("_use"))
    )
    kept = nw.col("_posting") & nw.col("_kept")
    rows = rows.filter((nw.col("_posting") | nw.col("_return")) & ~kept).with_columns(
        use.alias("_use")
    )
    rows = rows.filter(nw.col("_use") != "used")
    repeat = (
        nw.when(nw.col("_return"))
        .then(nw.concat_str([nw.lit("return "), nw.col("_id")]))
        .otherwise(nw.concat_str([nw.lit("posting "), nw.col("_number")]))
    )
    why = (
        nw.when(nw.col("_use") == "skipped")
        .then(nw.col("_skip"))
        .when(nw.col("_use") == "merged")
        .then(nw.concat_str([nw.lit("a repeat of "), repeat, nw.lit(": the later is kept")]))
        .when(nw.col("_use") == "unmatched")
        .then(
            nw.concat_str(
                [
                    nw.lit("return "),
                    nw.col("_id"),
                    nw.lit(": its posting is not in the lists given"),
                ]
            )
        )
        .otherwise(nw.col("_reason"))
    )
    return _aside_rows(rows, nw.col("_use"), why)


def _lines(units: Frame, seller_id: str, as_of: datetime) -> Frame:
    """The order lines of the units, in the contract's columns and types."""
    sold = nw.col("_outcome") == "sold"
    cancelled = nw.col("_outcome") == "cancelled"
    undated = nw.min_horizontal(nw.lit(as_of), nw.col("_first_return"))
    sold_at = nw.when(sold).then(
        nw.when(~nw.col("_delivered_at").is_null())
        .then(nw.col("_delivered_at"))
        .when(nw.col("_first_return").is_null())
        .then(nw.lit(as_of))
        .otherwise(undated)
    )
    refused = nw.col("_refused")
    kind = nw.col("_cancel_kind")
    cancel_kind = (
        nw.when(refused & kind.is_in(["buyer", "unknown"])).then(nw.lit("refused")).otherwise(kind)
    )
    has_reason = ~nw.col("_cancel_reason").is_null()
    columns = {
        "order_id": nw.col("_order_id"),
        "seller_id": nw.lit(seller_id, dtype=_TEXT),
        "sku": nw.col("_sku"),
        "buyer_id": nw.col("_buyer"),
        "price": nw.col("_kopecks").cast(nw.Int64),
        "ordered_at": nw.col("_ordered"),
        "cancelled_at": nw.when(cancelled).then(nw.lit(as_of)),
        "sold_at": sold_at,
        "returned_at": nw.col("_returned_at"),
        "cancel_kind": nw.when(cancelled).then(cancel_kind),
        "cancel_reason": nw.when(has_reason)
        .then(nw.col("_cancel_reason"))
        .when(refused)
        .then(nw.col("_refusal_reason")),
        "cancel_reason_text": nw.when(has_reason)
        .then(nw.col("_cancel_text"))
        .when(refused)
        .then(nw.col("_refusal_text")),
        "return_kind": nw.col("_return_kind"),
        "return_reason": nw.col("_return_reason"),
        "return_reason_text": nw.col("_return_text"),
        "delivery_cost": nw.col("_delivery_cost").cast(nw.Int64),
        "return_cost": nw.col("_return_cost").cast(nw.Int64),
    }
    return units.select(
        *(
            columns[name].cast(_TEXT).alias(name)
            if name in _TEXT_COLUMNS
            else columns[name].alias(name)
            for name in LINE_COLUMNS
        )
    )


_TEXT_COLUMNS = frozenset(
    {
        "order_id",
        "seller_id",
        "sku",
        "buyer_id",
        "cancel_kind",
        "cancel_reason",
        "cancel_reason_text",
        "return_kind",
        "return_reason",
        "return_reason_text",
    }
)
