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

- a number given where text is expected (``"cancel_reason": 5``), a boolean where an id
  is, or a decimal number where a whole number of units is as text (``"2"`` but not
  ``2.0``: both refuse ``2.0``) is read as its text; an object or array is refused;
- a price or charge must be written as digits with a point (``990.5``), not ``1e3`` or
  ``.5``; a charge's digits past the ninth after the point are dropped before rounding;
- an item that is not an object has no fields: it is refused for its missing number; a
  document of another shape has no items (the object importer refuses the file);
- a return that asks for more units than are left puts aside every later return of its
  posting's SKU too (the object importer gives a later, smaller one the units left):
  the returns are matched by a running sum, which has no memory of refusals;
- only the reasons' words are matched as `redemption.reasons` matches them, with
  Python's whitespace but `str.lower` for `str.casefold`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import narwhals.stable.v2 as nw

from redemption.frames._reasons import reason_category
from redemption.frames._sources import ELEMENT, FILE, PART, ROW, SOURCE, JsonPart
from redemption.frames._wb_statistics import stripped
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
_DECIMAL = r"^[0-9]+(\.[0-9]+)?$"
_AMOUNT = r"^[+-]?[0-9]+(\.[0-9]+)?$"
_MAX_WHOLE_DIGITS = 16
"""Roubles of at most this many digits hold in 64 bits as kopecks."""
_NANO_WHOLE_DIGITS = 9
"""Roubles of at most this many digits hold in 64 bits as billionths of a rouble."""
_NANO_PER_KOPECK = 10_000_000
"""Billionths of a rouble in a kopeck."""
_AT_BITS = 32
_TEXT = nw.String()

Frame = nw.LazyFrame[Any]


def _reason(words: nw.Expr, table: Mapping[str, ReasonCategory]) -> tuple[nw.Expr, nw.Expr]:
    """The category and text of the reason `words` give, each null where they give none."""
    chosen = reason_category(words, table)
    real = nw.when(chosen != ReasonCategory.UNKNOWN.value).then(chosen)
    return real, nw.when(~real.is_null()).then(words)


def _objecty(text: nw.Expr) -> nw.Expr:
    """Whether a field's text is an object's or an array's (JSON text of either)."""
    start = text.str.slice(0, 1)
    return (start == "{") | (start == "[")


def _is_object(text: nw.Expr) -> nw.Expr:
    return (text.str.slice(0, 1) == "{").fill_null(value=False)


def _text_bad(text: nw.Expr) -> nw.Expr:
    """Why a field is not text or a whole number (`text_field`), null where it is."""
    return (
        nw.when(text.is_null() | (stripped(text) == ""))
        .then(nw.lit("missing"))
        .when(_objecty(text))
        .then(nw.concat_str([nw.lit("expected text or a whole number, found "), text]))
    )


def _first(checks: list[tuple[nw.Expr, str | nw.Expr | None, nw.Expr]]) -> tuple[nw.Expr, nw.Expr]:
    """The field and reason of the first check failed, in the order given; else null."""
    fields: Any = nw
    reasons: Any = nw
    for bad, field, reason in checks:
        named = field if isinstance(field, nw.Expr) else nw.lit(field, dtype=_TEXT)
        fields = fields.when(bad.fill_null(value=False)).then(named)
        reasons = reasons.when(bad.fill_null(value=False)).then(reason)
    return fields, reasons


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


def _with_kopecks(frame: Frame, text: nw.Expr, name: str) -> Frame:
    """Add a price's whole kopecks (``name``, half-even) and why it has none (``name_bad``)."""
    raw = f"{name}_raw"
    frame = frame.with_columns(stripped(text).alias(raw))
    t = nw.col(raw)
    shape = t.str.contains(_DECIMAL).fill_null(value=False)
    whole = nw.when(shape).then(t.str.replace_all(r"\..*$", ""))
    fraction = nw.when(shape).then(t.str.replace_all(r"^[0-9]*\.?", ""))
    fits = shape & (whole.str.len_chars() <= _MAX_WHOLE_DIGITS)
    frame = frame.with_columns(
        fits.fill_null(value=False).alias(f"{name}_fits"),
        (
            nw.when(fits).then(whole).cast(nw.Int64) * 100
            + nw.when(fits)
            .then(nw.concat_str([fraction, nw.lit("00")]).str.slice(0, 2))
            .cast(nw.Int64)
        ).alias(f"{name}_kop"),
        nw.concat_str([fraction, nw.lit("0")]).str.slice(2, 1).alias(f"{name}_third"),
        fraction.str.slice(3).str.contains("[1-9]").fill_null(value=False).alias(f"{name}_more"),
    )
    third, kop = nw.col(f"{name}_third"), nw.col(f"{name}_kop")
    up = (third > "5") | ((third == "5") & (nw.col(f"{name}_more") | (kop % 2 == 1)))
    return frame.with_columns(
        (kop + up.fill_null(value=False).cast(nw.Int64)).cast(nw.Int64).alias(name),
        nw.when(text.is_null())
        .then(nw.lit("missing"))
        .when(~nw.col(f"{name}_fits"))
        .then(nw.concat_str([nw.lit("not a price (digits, a point and digits): "), text]))
        .alias(f"{name}_bad"),
    ).drop(raw, f"{name}_fits", f"{name}_kop", f"{name}_third", f"{name}_more")


def _nano(text: nw.Expr) -> tuple[nw.Expr, nw.Expr]:
    """A charge's absolute value in billionths of a rouble, and whether it is none."""
    t = stripped(text)
    shape = t.str.contains(_AMOUNT).fill_null(value=False)
    body = t.str.replace_all(r"^[+-]", "")
    whole = body.str.replace_all(r"\..*$", "")
    fraction = body.str.replace_all(r"^[0-9]*\.?", "")
    fits = shape & (whole.str.len_chars() <= _NANO_WHOLE_DIGITS)
    value = nw.when(fits).then(whole).cast(nw.Int64) * 1_000_000_000 + nw.when(fits).then(
        nw.concat_str([fraction, nw.lit("000000000")]).str.slice(0, 9)
    ).cast(nw.Int64)
    return nw.when(text.is_null()).then(nw.lit(0, dtype=nw.Int64())).otherwise(value), (
        ~text.is_null() & ~fits
    )


def _count_bad(text: nw.Expr) -> tuple[nw.Expr, nw.Expr]:
    """A number of units (`_count`), and why it is none."""
    t = stripped(text)
    digits = t.str.replace_all(r"^\+?0*", "")
    shape = (t.str.contains(r"^\+?[0-9]+$") & (text.str.len_chars() <= 40)).fill_null(  # noqa: PLR2004
        value=False
    )
    small = shape & (digits.str.len_chars() <= 6)  # noqa: PLR2004 - a million fits
    read = nw.when(small & (digits != "")).then(digits).cast(nw.Int64)
    count = nw.when(shape & (digits == "")).then(nw.lit(0, dtype=nw.Int64())).otherwise(read)
    bad = (
        nw.when(shape & (~small | (count > MAX_UNITS)))
        .then(nw.concat_str([text, nw.lit(" units of one product, more than allowed")]))
        .when(~shape | (count <= 0))
        .then(nw.concat_str([nw.lit("expected a whole number of units, found "), text]))
    )
    return count, bad


def _first_by_element(part: Frame) -> Frame:
    """Of each item's elements with a problem, the first one's field and reason."""
    name = _part_name(part)
    place = nw.when(~nw.col("_field").is_null()).then(nw.col(ELEMENT))
    return (
        part.with_columns(place.min().over("_key").alias("_first_bad"))
        .filter(nw.col(ELEMENT) == nw.col("_first_bad"))
        .select(
            "_key",
            nw.col("_field").alias(f"_{name}_field"),
            nw.col("_reason").alias(f"_{name}_reason"),
        )
    )


def _part_name(part: Frame) -> str:
    return str(part.columns[-1]).removeprefix("_name_")


def _of(raw: Frame, part: str) -> Frame:
    """The rows of one part, each with its item's key (file and row) and a name tag."""
    return (
        raw.filter(nw.col(PART) == part)
        .with_columns((nw.col(FILE) * (1 << _AT_BITS) + nw.col(ROW)).cast(nw.Int64).alias("_key"))
        .with_columns(nw.lit(value=True).alias(f"_name_{part}"))
    )


def _products(raw: Frame) -> Frame:
    """Every product element read: its SKU, kopecks and units, or its first problem."""
    frame = _of(raw, "product")
    frame = _with_kopecks(
        frame,
        nw.when(_is_object(nw.col("price"))).then(nw.col("amount")).otherwise(nw.col("price")),
        "_kopecks",
    )
    count, count_bad = _count_bad(nw.col("quantity"))
    element, priced_object = nw.col("element"), _is_object(nw.col("price"))
    currency_code, currency = nw.col("currency_code"), nw.col("currency")
    not_roubles = "the price is in another currency than roubles (RUB): "
    frame = frame.with_columns(count.alias("_units"), count_bad.alias("_units_bad"))
    field, reason = _first(
        [
            (element.is_null(), "products", nw.lit("missing")),
            (~_is_object(element), "products", nw.lit("expected an object")),
            (
                ~currency_code.is_null()
                & (_objecty(currency_code) | (stripped(currency_code) != "RUB")),
                "products.currency_code",
                nw.concat_str([nw.lit(not_roubles), currency_code]),
            ),
            (~_text_bad(nw.col("sku")).is_null(), "products.sku", _text_bad(nw.col("sku"))),
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
        ]
    )
    position = nw.concat_str([nw.lit("product "), nw.col(ELEMENT).cast(_TEXT), nw.lit(": ")])
    return frame.with_columns(
        field.alias("_field"),
        nw.concat_str([position, reason]).alias("_reason"),
        stripped(nw.col("sku")).alias("_sku"),
    ).select("_key", ELEMENT, "_field", "_reason", "_sku", "_kopecks", "_units", "_name_product")


def _deliveries(raw: Frame) -> Frame:
    """Every ``additional_data`` element's delivery time, or why it is no time."""
    frame = _of(raw, "delivery")
    given = (
        _is_object(nw.col("element"))
        & ~nw.col("delivery_time").is_null()
        & (nw.col("delivery_time") != "")
    )
    frame = frame.filter(given.fill_null(value=False))
    frame = _with_moment(frame, nw.col("delivery_time"), "_time")
    return frame.with_columns(
        nw.when(~nw.col("_time_bad").is_null())
        .then(nw.lit("additional_data.delivery_time"))
        .alias("_field"),
        nw.col("_time_bad").alias("_reason"),
    ).select("_key", ELEMENT, "_field", "_reason", "_time", "_name_delivery")


def _charges(raw: Frame, products: Frame) -> Frame:
    """Every ``financial_data`` product with charges: its SKU and charges, or its problem."""
    frame = _of(raw, "charge").filter(
        _is_object(nw.col("element")) & _is_object(nw.col("services"))
    )
    problems: list[tuple[nw.Expr, str | nw.Expr | None, nw.Expr]] = []
    legs: dict[str, list[str]] = {"_to_buyer": [], "_back": []}
    for leg, names in (("_to_buyer", _TO_BUYER), ("_back", _BACK)):
        for name in names:
            value, bad = _nano(nw.col(name))
            frame = frame.with_columns(value.alias(f"_v_{name}"))
            legs[leg].append(f"_v_{name}")
            named = f"financial_data.products.item_services.{name}"
            problems.append((bad, named, nw.concat_str([nw.lit("not an amount: "), nw.col(name)])))
    frame = frame.with_columns(
        *(nw.sum_horizontal(*(nw.col(c) for c in cs)).alias(leg) for leg, cs in legs.items())
    )
    skus = products.select(
        "_key", nw.col("_sku").alias("_product_sku"), nw.lit(value=True).alias("_has")
    ).unique(["_key", "_product_sku"])
    frame = frame.with_columns(stripped(nw.col("product_id")).alias("_product_sku")).join(
        skus, on=["_key", "_product_sku"], how="left"
    )
    problem_free = nw.lit(value=True)
    for bad, _, _ in problems:
        problem_free = problem_free & ~bad.fill_null(value=False)
    charged = (nw.col("_to_buyer") + nw.col("_back")) > 0
    id_bad = _text_bad(nw.col("product_id"))
    problems += [
        (problem_free & charged & ~id_bad.is_null(), "financial_data.products.product_id", id_bad),
        (
            problem_free & charged & nw.col("_has").is_null(),
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
    field, reason = _first(problems)
    position = nw.concat_str([nw.lit("product "), nw.col(ELEMENT).cast(_TEXT), nw.lit(": ")])
    return frame.with_columns(
        field.alias("_field"),
        nw.concat_str([position, reason]).alias("_reason"),
        (problem_free & charged).fill_null(value=False).alias("_charged"),
    ).select(
        "_key",
        ELEMENT,
        "_field",
        "_reason",
        "_product_sku",
        "_to_buyer",
        "_back",
        "_charged",
        "_name_charge",
    )


def _postings(raw: Frame, as_of: datetime) -> tuple[Frame, Frame, Frame]:
    """Every posting row read, its outcome or its problem; and its products and charges."""
    products = _products(raw)
    deliveries = _deliveries(raw)
    charges = _charges(raw, products)
    frame = _of(raw, "posting")
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
    times = (
        deliveries.filter(nw.col("_field").is_null()).group_by("_key").agg(nw.col("_time").max())
    )
    counts = (
        products.with_columns(nw.lit(1, dtype=nw.Int64()).alias("_one"))
        .group_by("_key")
        .agg(nw.col("_one").sum().alias("_products"))
    )
    frame = (
        frame.join(times, on="_key", how="left")
        .join(counts, on="_key", how="left")
        .join(_first_by_element(deliveries), on="_key", how="left")
        .join(_first_by_element(products), on="_key", how="left")
        .join(_first_by_element(charges), on="_key", how="left")
    )
    sold, cancelled = nw.col("_outcome") == "sold", nw.col("_outcome") == "cancelled"
    delivered_at = (
        nw.when(sold & nw.col("_pickup_given"))
        .then(nw.col("_pickup"))
        .when(sold)
        .then(nw.col("_time"))
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
    field, reason = _first(
        [
            (~_text_bad(nw.col("number")).is_null(), "posting_number", _text_bad(nw.col("number"))),
            (~_text_bad(nw.col("status")).is_null(), "status", _text_bad(nw.col("status"))),
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
                has_buyer & ~_text_bad(customer_id).is_null(),
                "customer.customer_id",
                _text_bad(customer_id),
            ),
            (
                cancelled & cancellation & _objecty(words),
                "cancellation.cancel_reason",
                nw.concat_str([nw.lit("expected text, found "), words]),
            ),
            (
                ~_objecty(nw.col("products")).fill_null(value=False)
                | ~nw.col("products").str.starts_with("[").fill_null(value=False)
                | nw.col("_products").is_null(),
                "products",
                nw.lit("expected a list of products"),
            ),
            (
                ~nw.col("_product_field").is_null(),
                nw.col("_product_field"),
                nw.col("_product_reason"),
            ),
            (~nw.col("_charge_field").is_null(), nw.col("_charge_field"), nw.col("_charge_reason")),
        ]
    )
    frame = frame.with_columns(field.alias("_field"), reason.alias("_reason"))
    valid = nw.col("_reason").is_null()
    frame = frame.with_columns(
        nw.when(valid).then(nw.col("_key")).alias("_valid_key")
    ).with_columns(
        (valid & (nw.col("_key") == nw.col("_valid_key").max().over("_number")))
        .fill_null(value=False)
        .alias("_kept")
    )
    kind = (
        nw.when(~cancellation)
        .then(nw.lit("unknown"))
        .when(stripped(nw.col("cancel_reason_id")) == _NOT_COLLECTED_ID)
        .then(nw.lit("not_collected"))
    )
    plain_type = stripped(nw.col("cancellation_type")).str.to_lowercase()
    for said, meant in _CANCEL_KINDS.items():
        kind = kind.when(plain_type == said).then(nw.lit(meant))
    initiator = stripped(nw.col("initiator")).str.to_lowercase()
    for said, meant in _INITIATORS.items():
        kind = kind.when(initiator == said).then(nw.lit(meant))
    frame = frame.with_columns(
        nw.when(cancelled).then(kind.otherwise(nw.lit("unknown"))).alias("_cancel_kind"),
        nw.when(cancelled & cancellation).then(words).alias("_cancel_words"),
        nw.when(has_buyer).then(stripped(customer_id)).alias("_buyer"),
    )
    return frame, products, charges


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


def _returns(raw: Frame, as_of: datetime) -> Frame:
    """Every return row read: what it returns, or why it is skipped or refused."""
    frame = _of(raw, "return")
    frame = _with_moment(frame, nw.col("return_date"), "_at")
    count, count_bad = _count_bad(nw.col("quantity"))
    kind = stripped(nw.col("type"))
    frame = frame.with_columns(count.alias("_q"), count_bad.alias("_q_bad"), kind.alias("_type"))
    product, logistic = nw.col("product"), nw.col("logistic")
    field, reason = _first(
        [
            (~_text_bad(nw.col("type")).is_null(), "type", _text_bad(nw.col("type"))),
            (kind == "Cancellation", None, nw.lit("skip")),
            (~kind.is_in(list(_RETURN_KINDS)), None, nw.lit("skip")),
            (product.is_null(), "product", nw.lit("missing")),
            (~_is_object(product), "product", nw.lit("expected an object")),
            (logistic.is_null(), "logistic", nw.lit("missing")),
            (~_is_object(logistic), "logistic", nw.lit("expected an object")),
            (~nw.col("_at_bad").is_null(), "logistic.return_date", nw.col("_at_bad")),
            (nw.col("_at") > nw.lit(as_of), "logistic.return_date", nw.lit("after as_of")),
            (~_text_bad(nw.col("id")).is_null(), "id", _text_bad(nw.col("id"))),
            (~_text_bad(nw.col("number")).is_null(), "posting_number", _text_bad(nw.col("number"))),
            (~_text_bad(nw.col("sku")).is_null(), "product.sku", _text_bad(nw.col("sku"))),
            (~nw.col("_q_bad").is_null(), "product.quantity", nw.col("_q_bad")),
            (
                _objecty(nw.col("words")),
                "return_reason_name",
                nw.concat_str([nw.lit("expected text, found "), nw.col("words")]),
            ),
        ]
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
    frame = frame.with_columns(field.alias("_field"), reason.alias("_reason")).with_columns(
        nw.when(nw.col("_reason") == "skip").then(skip).alias("_skip"),
        nw.when(nw.col("_reason") != "skip").then(nw.col("_reason")).alias("_reason"),
    )
    valid = nw.col("_reason").is_null() & nw.col("_skip").is_null()
    frame = frame.with_columns(
        stripped(nw.col("id")).alias("_id"),
        stripped(nw.col("number")).alias("_number"),
        stripped(nw.col("sku")).alias("_sku"),
        nw.when(valid).then(nw.col("_key")).alias("_valid_key"),
    )
    return frame.with_columns(
        (valid & (nw.col("_key") == nw.col("_valid_key").max().over("_id")))
        .fill_null(value=False)
        .alias("_kept"),
        # the place of the id among the returns: where it was first read
        nw.col("_valid_key").min().over("_id").alias("_given"),
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
        ``skipped``, ``merged`` or ``unmatched``).
    """
    as_of = as_of.astimezone(UTC)
    frame, products, charges = _postings(postings, as_of)
    kept = frame.filter(nw.col("_kept")).select(
        "_key",
        "_number",
        "_outcome",
        "_ordered",
        "_delivered_at",
        "_cancel_kind",
        "_cancel_words",
        "_buyer",
    )
    units = products.join(kept, on="_key", how="inner")
    units = units.with_columns(
        nw.col("_units").cum_sum().over("_key", "_sku", order_by=ELEMENT).alias("_through"),
        nw.col("_units").sum().over("_key", "_sku").alias("_of_sku"),
    )
    skus = units.select("_number", "_sku", "_of_sku").unique(["_number", "_sku"])
    units = _expanded(units, "_units", digits).with_columns(
        (nw.col("_through") - nw.col("_units") + 1 + nw.col("_k")).alias("_n")
    )
    order_id = nw.concat_str(
        [nw.col("_number"), nw.lit("/"), nw.col("_sku"), nw.lit("/"), nw.col("_n").cast(_TEXT)]
    )
    units = units.with_columns(order_id.alias("_order_id"))
    posting_aside = _aside_rows(
        frame.filter(~nw.col("_kept")),
        nw.when(nw.col("_reason").is_null()).then(nw.lit("merged")).otherwise(nw.lit("refused")),
        nw.when(nw.col("_reason").is_null())
        .then(
            nw.concat_str(
                [nw.lit("a repeat of posting "), nw.col("_number"), nw.lit(": the later is kept")]
            )
        )
        .otherwise(nw.col("_reason")),
    )
    # logistics: each SKU's charges, to the kopeck, across its units in turn
    charged = (
        charges.filter(nw.col("_charged"))
        .group_by("_key", "_product_sku")
        .agg(nw.col("_to_buyer").sum(), nw.col("_back").sum())
    )
    units = units.join(charged.rename({"_product_sku": "_sku"}), on=["_key", "_sku"], how="left")
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
    cancel_reason, cancel_text = _reason(nw.col("_cancel_words"), reasons)
    units = units.with_columns(
        cancel_reason.alias("_cancel_reason"),
        cancel_text.alias("_cancel_text"),
        costs["_to_buyer"].alias("_delivery_cost"),
        costs["_back"].alias("_return_cost"),
    )
    aside_parts = [posting_aside]
    if returns is None:
        units = units.with_columns(
            nw.when(nw.lit(value=False)).then(nw.col("_ordered")).alias("_returned_at"),
            nw.when(nw.lit(value=False)).then(nw.col("_ordered")).alias("_first_return"),
            nw.lit(None, dtype=_TEXT).alias("_return_kind"),
            nw.lit(None, dtype=_TEXT).alias("_return_reason"),
            nw.lit(None, dtype=_TEXT).alias("_return_text"),
            nw.lit(value=False).alias("_refused"),
            nw.lit(None, dtype=_TEXT).alias("_refusal_reason"),
            nw.lit(None, dtype=_TEXT).alias("_refusal_text"),
        )
    else:
        units, returns_aside = _matched(
            units, kept, skus, returns, digits, as_of=as_of, reasons=reasons
        )
        aside_parts.append(returns_aside)
    return _lines(units, seller_id, as_of), nw.concat(aside_parts, how="vertical")


def _matched(
    units: Frame,
    kept: Frame,
    skus: Frame,
    raw: Frame,
    digits: Frame,
    *,
    as_of: datetime,
    reasons: Mapping[str, ReasonCategory],
) -> tuple[Frame, Frame]:
    """Match the returns to the units of their postings; say what each return row is."""
    frame = _returns(raw, as_of)
    posting = kept.select(
        "_number",
        nw.col("_outcome").alias("_p_outcome"),
        nw.coalesce(nw.col("_delivered_at"), nw.col("_ordered")).alias("_p_sold"),
        nw.lit(value=True).alias("_p_has"),
    )
    chosen = (
        frame.filter(nw.col("_kept"))
        .join(posting, on="_number", how="left")
        .join(skus, on=["_number", "_sku"], how="left")
    )
    has = nw.col("_p_has").fill_null(value=False)
    refusal = (nw.col("_p_outcome") == "cancelled") & nw.col("_type").is_in(
        ["FullReturn", "PartialReturn"]
    )
    refusal = refusal.fill_null(value=False)
    field, reason = _first(
        [
            (
                has & nw.col("_of_sku").is_null(),
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
        ]
    )
    chosen = chosen.with_columns(field.alias("_field"), reason.alias("_reason"))
    eligible = nw.col("_reason").is_null()
    chosen = chosen.with_columns(
        nw.when(eligible).then(nw.col("_q")).otherwise(nw.lit(0, dtype=nw.Int64())).alias("_q_ok")
    ).with_columns(
        nw.col("_q_ok")
        .cum_sum()
        .over("_number", "_sku", order_by=["_at", "_given"])
        .alias("_taken")
    )
    over = eligible & has & (nw.col("_taken") > nw.col("_of_sku"))
    chosen = chosen.with_columns(
        nw.when(over).then(nw.lit("product.quantity")).otherwise(nw.col("_field")).alias("_field"),
        nw.when(over)
        .then(nw.lit("more units returned than the posting has left"))
        .otherwise(nw.col("_reason"))
        .alias("_reason"),
    )
    ok = nw.col("_reason").is_null()
    back_reason, back_text = _reason(nw.col("words"), reasons)
    chosen = chosen.with_columns(
        back_reason.alias("_back_reason"),
        back_text.alias("_back_text"),
        nw.when(ok & ~has).then(nw.lit("unmatched")).when(ok).then(nw.lit("used")).alias("_use"),
    )
    given = _expanded(chosen.filter(nw.col("_use") == "used"), "_q", digits).with_columns(
        nw.concat_str(
            [
                nw.col("_number"),
                nw.lit("/"),
                nw.col("_sku"),
                nw.lit("/"),
                (nw.col("_taken") - nw.col("_q") + 1 + nw.col("_k")).cast(_TEXT),
            ]
        ).alias("_order_id")
    )
    first_return = (
        chosen.filter((nw.col("_use") == "used") & (nw.col("_p_outcome") == "sold"))
        .group_by("_number")
        .agg(nw.col("_at").min().alias("_first_return"))
    )
    made = given.select(
        "_order_id",
        nw.col("_at").alias("_returned_at"),
        nw.col("_type").alias("_back_type"),
        "_back_reason",
        "_back_text",
    )
    units = units.join(made, on="_order_id", how="left").join(
        first_return, on="_number", how="left"
    )
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
    rest = frame.filter(~nw.col("_kept")).with_columns(nw.lit(None, dtype=_TEXT).alias("_use"))
    rows = nw.concat(
        [
            rest.select(SOURCE, ROW, "_field", "_reason", "_skip", "_use", "_id"),
            chosen.select(SOURCE, ROW, "_field", "_reason", "_skip", "_use", "_id"),
        ],
        how="vertical",
    )
    use = (
        nw.when(~nw.col("_skip").is_null())
        .then(nw.lit("skipped"))
        .when(~nw.col("_reason").is_null())
        .then(nw.lit("refused"))
        .when(nw.col("_use").is_null())
        .then(nw.lit("merged"))
        .otherwise(nw.col("_use"))
    )
    rows = rows.with_columns(use.alias("_use")).filter(nw.col("_use") != "used")
    why = (
        nw.when(nw.col("_use") == "skipped")
        .then(nw.col("_skip"))
        .when(nw.col("_use") == "merged")
        .then(
            nw.concat_str(
                [nw.lit("a repeat of return "), nw.col("_id"), nw.lit(": the later is kept")]
            )
        )
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
    return units, _aside_rows(rows, nw.col("_use"), why)


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
