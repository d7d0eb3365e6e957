"""The Wildberries realization report (``reportDetailByPeriod`` rows) as order lines.

The rules of `redemption.io.read_wildberries_realization`, written again on frames with
narwhals, so that each implementation checks the other. The rows of every file given are
one report, read in order (files in the order given, rows in the order of each file):

- each order line (``srid``) is one order, placed at ``order_dt``, of the SKU ``nm_id``,
  priced at ``retail_price_withdisc_rub`` (kopecks, half-even): the values of its last
  "Продажа" or "Возврат" row used, else of the first row that made the line known;
- "Продажа" is its sale and "Возврат" its return (`ReturnKind.RETURN`), at ``sale_dt``;
  a second of either is a bad row;
- an order never sold is cancelled at the earliest of its refusal legs ("Логистика",
  "От клиента при отмене": `CancelKind.REFUSED`), its penalties for an order not fulfilled
  ("Штраф МП. Невыполненный заказ...", less as many as "Сторно. ..." rows reverse:
  `CancelKind.SELLER`, the reason the earliest penalty's words through the reasons table)
  and its other ways back (a "Логистика" row with ``return_amount`` above 0 that is not
  the way back of a return: `CancelKind.UNKNOWN`); a penalty outweighs a refusal;
- the ``delivery_rub`` of "Логистика" rows sum, each way apart, to the line's
  ``delivery_cost`` and ``return_cost`` (kopecks, the sum rounded half-even); a way
  adding up to less than nothing refuses its last row and leaves the line no costs;
- goods moved for the seller, rows about no order, corrections of logistics, other
  penalties and rows of other operations are skipped; a row whose ``rrd_id`` was read
  and used before is merged;
- the records contradict each other as `History.sift` decides: a sale before its order and
  a return before its sale, or of an order not sold, are put aside.

Everything is an expression on the rows' text: nothing is collected. A row's fate can hang
on the rows read before it (a second sale, the row that makes its line known); the object
importer walks them in turn, and here each such question is a window over the line's rows
in reading order. Where that walk is too tangled to write so, the row is refused with its
reason instead (see `DEVIATIONS`).

Reasons: the penalties' words are matched against `redemption.reasons.reason_table`, the
table the object importer matches against, by `redemption.frames._reasons`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import narwhals.stable.v2 as nw

from redemption.frames._reasons import match_key as key_of
from redemption.frames._reasons import with_reason_category
from redemption.frames._rows import (
    ASIDE_COLUMNS,
    SIGNED_DECIMAL,
    WHOLE_CHARS,
    decimal_digits,
    empty,
    fixed_point,
    reading_place,
    stripped,
    with_first_met,
    with_kopecks,
)
from redemption.frames._sources import ROW, SOURCE
from redemption.frames._times import with_moscow_time
from redemption.order_lines import LINE_COLUMNS
from redemption.outcomes import ReasonCategory
from redemption.reasons import match_key

__all__ = ["DEVIATIONS", "REALIZATION_FIELDS", "realization_lines"]

REALIZATION_FIELDS = (
    "rrd_id",
    "supplier_oper_name",
    "srid",
    "bonus_type_name",
    "nm_id",
    "order_dt",
    "sale_dt",
    "retail_price_withdisc_rub",
    "delivery_amount",
    "return_amount",
    "delivery_rub",
)
"""The fields of a realization row that are read."""

DEVIATIONS = (
    (
        "a sale or return whose order_dt is another instant than the order_dt of the row "
        "that made its line known is refused (field order_dt): the object importer takes it "
        "as the order's new time, and checks the rows after it against that"
    ),
    (
        "a repeated rrd_id is taken to repeat its row word for word, as the API's pages "
        "repeat it: a repeat that says other things (another srid or operation) is put "
        "aside as merged but its values still reach its line, so it may make a line, sale "
        "or return the object importer, which merges a repeat unread, does not make"
    ),
)
"""Where the frames read a report otherwise than the object importer, and why."""

_SALE, _RETURN, _LOGISTICS = "Продажа", "Возврат", "Логистика"
_OPERATIONS = (_SALE, _RETURN, _LOGISTICS)
_NOT_A_BUYERS = (
    "Возврат по инициативе продавца",
    "Возврат своего товара",
    "Возврат неопознанного товара",
    "Возврат заблокированного товара",
)
"""How the words of goods moved for the seller begin (`redemption.io.NOT_A_BUYERS`)."""
_UNFULFILLED = "Штраф МП. Невыполненный заказ"
_REVERSAL = "Сторно."
_REFUSAL_LEG = "От клиента при отмене"
_RETURN_LEG = "От клиента при возврате"
_TO_BUYER_LEG = "К клиенту"  # noqa: RUF001 - Wildberries' own words
_BACK_LEG = "От клиента"
_LOGISTICS_WORD = "логистик"
_MICRO = 1_000_000
"""Amounts of logistics are summed exactly in millionths of a rouble."""
_MICRO_DIGITS = 6
_MAX_WHOLE = 12
"""Roubles of at most this many digits hold in 64 bits as millionths, with room to sum."""
_KOPECK = _MICRO // 100
_TEXT = nw.String()
_INT = nw.Int64()


def _with_instant(frame: nw.LazyFrame[Any], text: nw.Expr, name: str) -> nw.LazyFrame[Any]:
    """Add the instant a report's time names (`name`, UTC), and why it has none.

    The realization report writes its times with their zone (``2025-04-01T09:00:00Z``);
    one without is Moscow time, as the object importer reads it. Read are
    ``YYYY-MM-DDTHH:MM:SS`` followed by nothing, ``Z``, ``+HH:MM`` or ``+HHMM`` (either
    sign); other ISO forms the object importer reads (fractions of a second, a space for
    the ``T``, a date alone) are refused. ``{name}_bad`` says why a time is not read.
    """
    given, suffix = f"_{name}_given", f"_{name}_suffix"
    frame = frame.with_columns(stripped(text).alias(given)).with_columns(
        nw.col(given).str.slice(19).alias(suffix)
    )
    raw, tail = nw.col(given), nw.col(suffix)
    offset = (
        nw.when(tail == "")
        .then(nw.lit(""))
        .when(tail == "Z")
        .then(nw.lit("+0000"))
        .when(tail.str.contains(r"^[+-]([01][0-9]|2[0-3]):?[0-5][0-9]$"))
        .then(tail.str.replace_all(":", "", literal=True))
    )
    zone = f"_{name}_zone"
    frame = frame.with_columns(offset.alias(zone))
    local = nw.when(~nw.col(zone).is_null()).then(raw.str.slice(0, 19))
    frame = with_moscow_time(frame, local, f"{name}_local")
    aware = (nw.col(zone) != "").fill_null(value=False)
    read = nw.col(f"{name}_local_bad").is_null()
    frame = frame.with_columns(
        # only texts that are times reach the parser: polars refuses a column with one not
        nw.when(aware & read)
        .then(nw.concat_str([raw.str.slice(0, 19), nw.col(zone)]))
        .str.to_datetime(format="%Y-%m-%dT%H:%M:%S%z")
        .alias(f"_{name}_aware")
    )
    return frame.with_columns(
        nw.when(aware)
        .then(nw.col(f"_{name}_aware"))
        .otherwise(nw.col(f"{name}_local"))
        .alias(name),
        nw.when(empty(raw))
        .then(nw.lit("missing"))
        .when(nw.col(zone).is_null())
        .then(
            nw.concat_str(
                [
                    nw.lit("not a date and time of the form YYYY-MM-DDTHH:MM:SS, with Z or "),
                    nw.lit("an offset or with neither: "),
                    raw,
                ]
            )
        )
        .otherwise(nw.col(f"{name}_local_bad"))
        .alias(f"{name}_bad"),
    ).drop(given, suffix, zone, f"_{name}_aware", f"{name}_local", f"{name}_local_bad")


def _with_micro(frame: nw.LazyFrame[Any], column: str) -> nw.LazyFrame[Any]:
    """Add an amount of roubles of either sign in millionths (``_micro``), and why it has none.

    Read are digits with an optional sign and point (``-10``, ``48.16``), at most
    `_MAX_WHOLE` digits of roubles and `_MICRO_DIGITS` significant places: an amount given
    more finely (or larger) is refused, where the object importer sums it exactly.
    """
    text = nw.col(column)
    frame = frame.with_columns(
        text.str.contains(SIGNED_DECIMAL).fill_null(value=False).alias("_rub_shape")
    )
    whole, fraction = decimal_digits(nw.when(nw.col("_rub_shape")).then(text), signed=True)
    frame = frame.with_columns(whole.alias("_rub_whole"), fraction.alias("_rub_fraction"))
    whole, fraction = nw.col("_rub_whole"), nw.col("_rub_fraction")
    significant = whole.str.replace_all("^0+", "")
    beyond = fraction.str.slice(_MICRO_DIGITS).str.contains("[1-9]").fill_null(value=False)
    fits = nw.col("_rub_shape") & (significant.str.len_chars() <= _MAX_WHOLE) & ~beyond
    frame = frame.with_columns(fits.alias("_rub_fits"))
    ok = nw.col("_rub_fits")
    amount = fixed_point(nw.when(ok).then(whole), fraction, _MICRO_DIGITS)
    return frame.with_columns(
        nw.when(text.str.starts_with("-"))
        .then(-amount)
        .otherwise(amount)
        .cast(_INT)
        .alias("_micro"),
        nw.when(~nw.col("_rub_shape"))
        .then(nw.concat_str([nw.lit("not an amount (digits, a point and digits): "), text]))
        .when(~ok)
        .then(
            nw.concat_str(
                [
                    nw.lit("more than 12 digits of roubles or 6 places of kopecks, "),
                    nw.lit("not read on frames: "),
                    text,
                ]
            )
        )
        .alias("_rub_bad"),
    ).drop("_rub_shape", "_rub_whole", "_rub_fraction", "_rub_fits")


def _count_checks(raw: nw.Expr) -> tuple[nw.Expr, nw.Expr]:
    """Whether a whole number's text is bad, and whether it is above 0; none is 0.

    Digits with a sign, and a point only if zeros alone follow it, at most `WHOLE_CHARS`
    of them, as `redemption.io.report.whole_number` reads them: DuckDB writes the JSON
    number ``1.0`` or ``1e0`` as ``1.0``, polars as ``1``.
    """
    none = empty(raw)
    text = stripped(raw)
    short = text.str.len_chars() <= WHOLE_CHARS
    whole = text.str.contains(r"^[+-]?[0-9]+(\.0+)?$") & short
    bad = ~none & ~whole.fill_null(value=False)
    above = ~none & (text.str.contains(r"^\+?0*[1-9][0-9]*(\.0+)?$") & short).fill_null(value=False)
    return bad, above


def _starts(words: nw.Expr, *prefixes: str) -> nw.Expr:
    """Whether words in their matching form begin with one of `prefixes` (matched alike)."""
    keys = [match_key(p) for p in prefixes]
    found = words.str.starts_with(keys[0])
    for key in keys[1:]:
        found = found | words.str.starts_with(key)
    return found.fill_null(value=False)


def _read(raw: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Every row's values, each row's place in reading order (``_at``), and its checks."""
    # the price is stripped by `with_kopecks`, where it does not read as given
    padded = ("rrd_id", "supplier_oper_name", "nm_id")
    frame = raw.with_columns(
        reading_place().alias("_at"),
        stripped(nw.col("srid")).alias("_key"),
        stripped(nw.col("bonus_type_name")).fill_null("").alias("_bonus"),
        stripped(nw.col("delivery_rub")).alias("_rub"),
        *(stripped(nw.col(f)).alias(f) for f in padded),
    ).with_columns(key_of(nw.col("_bonus")).alias("_words"))
    frame = _with_instant(frame, nw.col("order_dt"), "_placed")
    frame = _with_instant(frame, nw.col("sale_dt"), "_when")
    frame = with_kopecks(frame, nw.col("retail_price_withdisc_rub"), "_kopecks")
    frame = _with_micro(frame, "_rub")
    words, op = nw.col("_words"), nw.col("supplier_oper_name")
    delivery_bad, delivery_above = _count_checks(nw.col("delivery_amount"))
    return_bad, return_above = _count_checks(nw.col("return_amount"))
    penalty = _starts(words, _UNFULFILLED)
    reversal = _starts(words, f"{_REVERSAL} {_UNFULFILLED}")
    return frame.with_columns(
        op.is_in(_OPERATIONS).fill_null(value=False).alias("_operation"),
        op.is_in([_SALE, _RETURN]).fill_null(value=False).alias("_sale_or_return"),
        (op == _LOGISTICS).fill_null(value=False).alias("_logistics"),
        (~op.is_in(_OPERATIONS) & penalty).fill_null(value=False).alias("_penalty"),
        (~op.is_in(_OPERATIONS) & ~penalty & reversal).fill_null(value=False).alias("_reversal"),
        _starts(words, *_NOT_A_BUYERS).alias("_for_seller"),
        _starts(words, _TO_BUYER_LEG).alias("_to_buyer_words"),
        _starts(words, _BACK_LEG).alias("_back_words"),
        _starts(words, _REFUSAL_LEG).alias("_refusal_words"),
        _starts(words, _RETURN_LEG).alias("_return_words"),
        delivery_bad.alias("_delivery_bad"),
        delivery_above.alias("_delivery_above"),
        return_bad.alias("_return_bad"),
        return_above.alias("_return_above"),
    )


def _judged(frame: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Say what the object importer does with each row: ``used``, ``skipped`` or ``refused``.

    First what a row says alone, in the order the object importer checks it; then what
    the rows read before it decide: whether its line is known (the first row whose order
    values are good makes it known, whatever becomes of that row after), whether its order
    was sold or returned already, and whether a way back or penalty falls before the order.
    A row whose ``rrd_id`` an earlier row used or skipped is ``merged``.
    """
    op, bonus = nw.col("supplier_oper_name"), nw.col("_bonus")
    logistics, sale_or_return = nw.col("_logistics"), nw.col("_sale_or_return")
    has_amount = logistics & ~nw.col("_rub").is_null()
    by_words = nw.col("_to_buyer_words") | nw.col("_back_words")
    leg = (
        nw.when(~has_amount)
        .then(nw.lit(None, dtype=_INT))
        .when(nw.col("_to_buyer_words"))
        .then(nw.lit(0))
        .when(nw.col("_back_words"))
        .then(nw.lit(1))
        .when(nw.col("_delivery_above"))
        .then(nw.lit(0))
        .when(nw.col("_return_above"))
        .then(nw.lit(1))
    )
    frame = frame.with_columns(leg.cast(_INT).alias("_leg"))
    other = ~nw.col("_operation") & ~nw.col("_penalty") & ~nw.col("_reversal")
    quoted = nw.concat_str([op, nw.lit(" '"), bonus, nw.lit("'")])
    frame = with_first_met(
        frame,
        [
            (empty(nw.col("rrd_id")), "refused", "rrd_id", nw.lit("missing")),
            (empty(op), "refused", "supplier_oper_name", nw.lit("missing")),
            (
                empty(nw.col("srid")),
                "skipped",
                None,
                nw.concat_str([op, nw.lit(": not about an order")]),
            ),
            (
                ~sale_or_return & nw.col("_for_seller"),
                "skipped",
                None,
                nw.concat_str(
                    [quoted, nw.lit(": goods moved for the seller, not a buyer's order")]
                ),
            ),
            (
                other
                & key_of(op).str.contains(_LOGISTICS_WORD, literal=True).fill_null(value=False),
                "skipped",
                None,
                nw.concat_str(
                    [
                        op,
                        nw.lit(": a correction of logistics, not read: an order's logistics "),
                        nw.lit("are the charges of its 'Логистика' rows"),
                    ]
                ),
            ),
            (
                other,
                "skipped",
                None,
                nw.concat_str(
                    [
                        op,
                        nw.lit(": not a sale, a return, a delivery or a penalty for an order "),
                        nw.lit("not sent"),
                    ]
                ),
            ),
            (
                has_amount & ~nw.col("_rub_bad").is_null(),
                "refused",
                "delivery_rub",
                nw.col("_rub_bad"),
            ),
            (
                has_amount & ~by_words & nw.col("_delivery_bad"),
                "refused",
                "delivery_amount",
                nw.lit("expected a whole number"),
            ),
            (
                has_amount & ~by_words & ~nw.col("_delivery_above") & nw.col("_return_bad"),
                "refused",
                "return_amount",
                nw.lit("expected a whole number"),
            ),
            (
                has_amount & nw.col("_leg").is_null() & (nw.col("_micro") != 0),
                "skipped",
                None,
                nw.concat_str(
                    [
                        quoted,
                        nw.lit(": a charge of "),
                        nw.col("_rub"),
                        nw.lit(" (delivery_rub) that says neither way: its words are neither "),
                        nw.lit("'К клиенту...' nor 'От клиента...', and neither "),  # noqa: RUF001
                        nw.lit("delivery_amount nor return_amount is above 0"),
                    ]
                ),
            ),
            (empty(nw.col("_key")), "refused", "srid", nw.lit("missing")),
        ],
        ("_verdict", "_field", "_reason"),
    )
    # the values of the order a row gives, where its line is made or it is a sale or return
    frame = with_first_met(
        frame,
        [
            (
                ~nw.col("_kopecks_bad").is_null(),
                "retail_price_withdisc_rub",
                nw.col("_kopecks_bad"),
            ),
            (empty(nw.col("nm_id")), "nm_id", nw.lit("missing")),
            (~nw.col("_placed_bad").is_null(), "order_dt", nw.col("_placed_bad")),
        ],
        ("_line_field", "_line_reason"),
    )
    pre_ok = nw.col("_verdict").is_null()
    frame = frame.with_columns((pre_ok & nw.col("_line_field").is_null()).alias("_line_ok"))
    key, at = "_key", nw.col("_at")
    frame = frame.with_columns(
        nw.when(nw.col("_line_ok")).then(at).min().over(key).alias("_made_at")
    ).with_columns(
        (nw.col("_made_at") < at).fill_null(value=False).alias("_known"),
        nw.when(at == nw.col("_made_at"))
        .then(nw.col("_placed"))
        .max()
        .over(key)
        .alias("_ordered_at"),
    )
    known, line_ok, ordered_at = nw.col("_known"), nw.col("_line_ok"), nw.col("_ordered_at")
    reach = pre_ok & (known | line_ok)  # the row reaches its line
    when_ok = nw.col("_when_bad").is_null()
    same_time = (nw.col("_placed") == ordered_at).fill_null(value=False)
    candidate = reach & when_ok & line_ok & same_time
    sale, back = op == _SALE, op == _RETURN
    frame = frame.with_columns(
        nw.when(candidate & sale).then(at).min().over(key).alias("_sale_at"),
        nw.when(candidate & back).then(at).min().over(key).alias("_return_at"),
    )
    kind = (
        nw.when(nw.col("_penalty"))
        .then(nw.lit("P"))
        .when(logistics & nw.col("_refusal_words"))
        .then(nw.lit("F"))
        .when(logistics & ~nw.col("_return_words") & nw.col("_return_above"))
        .then(nw.lit("B"))
    )
    frame = frame.with_columns(kind.alias("_kind"))
    srid = nw.col("_key")
    frame = with_first_met(
        frame,
        [
            (pre_ok & ~known & ~line_ok, "refused", "", nw.col("_line_reason")),
            (reach & ~when_ok, "refused", "sale_dt", nw.col("_when_bad")),
            (
                reach & sale & (nw.col("_sale_at") < at).fill_null(value=False),
                "refused",
                "supplier_oper_name",
                nw.concat_str([nw.lit("a second sale of order "), srid]),
            ),
            (
                reach & back & (nw.col("_return_at") < at).fill_null(value=False),
                "refused",
                "supplier_oper_name",
                nw.concat_str([nw.lit("a second return of order "), srid]),
            ),
            (reach & sale_or_return & ~line_ok, "refused", "", nw.col("_line_reason")),
            (
                reach & sale_or_return & ~same_time,
                "refused",
                "order_dt",
                nw.concat_str(
                    [
                        nw.lit("order "),
                        srid,
                        nw.lit(": placed at another time than its line's first row says, "),
                        nw.lit("not read on frames: "),
                        nw.col("order_dt"),
                    ]
                ),
            ),
            (
                reach
                & logistics
                & ~nw.col("_refusal_words")
                & ~nw.col("_return_words")
                & nw.col("_return_bad"),
                "refused",
                "return_amount",
                nw.lit("expected a whole number"),
            ),
            (
                reach
                & ~nw.col("_kind").is_null()
                & (nw.col("_when") < ordered_at).fill_null(value=False),
                "refused",
                "sale_dt",
                nw.concat_str(
                    [
                        nw.col("sale_dt"),
                        nw.lit(" is before the order was placed, "),
                        nw.col("order_dt"),
                    ]
                ),
            ),
        ],
        ("_second", "_second_field", "_second_reason"),
    )
    second_field = nw.col("_second_field")
    frame = frame.with_columns(
        nw.when(pre_ok).then(nw.col("_second")).otherwise(nw.col("_verdict")).alias("_verdict"),
        nw.when(~pre_ok)
        .then(nw.col("_field"))
        .when(second_field == "")
        .then(nw.col("_line_field"))
        .otherwise(second_field)
        .alias("_field"),
        nw.when(pre_ok)
        .then(nw.col("_second_reason"))
        .otherwise(nw.col("_reason"))
        .alias("_reason"),
    )
    frame = frame.drop("_second", "_second_field", "_second_reason").with_columns(
        nw.col("_verdict").fill_null("used")
    )
    taken = nw.col("_verdict").is_in(["used", "skipped"])
    frame = frame.with_columns(nw.when(taken).then(at).min().over("rrd_id").alias("_first_taken"))
    merged = ~empty(nw.col("rrd_id")) & (nw.col("_first_taken") < at).fill_null(value=False)
    return frame.with_columns(
        nw.when(merged).then(nw.lit("merged")).otherwise(nw.col("_verdict")).alias("_use")
    )


def _earliest(a: nw.Expr, b: nw.Expr) -> nw.Expr:
    """The earlier of two instants, either of which may be null."""
    return nw.when(a.is_null()).then(b).when(b.is_null() | (a <= b)).then(a).otherwise(b)


def _settled(frame: nw.LazyFrame[Any], table: Mapping[str, ReasonCategory]) -> nw.LazyFrame[Any]:
    """Give every row its line's outcome: the order, sale, return, cancellation and costs.

    As the object importer makes each line's records and `History.sift` then settles them:
    the order's values are those of its line's row ``_order_at``; a sale before the order
    is put aside, and a return with no sale kept, or before it.
    """
    key, at, when = "_key", nw.col("_at"), nw.col("_when")
    used = nw.col("_use") == "used"
    kind = nw.col("_kind")
    penalty = used & (kind == "P")
    charge = used & nw.col("_logistics") & ~nw.col("_rub").is_null() & ~nw.col("_leg").is_null()
    to_buyer = charge & (nw.col("_leg") == 0)
    back_leg = charge & (nw.col("_leg") == 1)
    sale_at, return_at = nw.col("_sale_at"), nw.col("_return_at")
    frame = frame.with_columns(
        nw.when(sale_at.is_null())
        .then(return_at)
        .when(return_at.is_null() | (sale_at > return_at))
        .then(sale_at)
        .otherwise(return_at)
        .alias("_latest_at")
    ).with_columns(
        nw.when(nw.col("_latest_at").is_null())
        .then(nw.col("_made_at"))
        .otherwise(nw.col("_latest_at"))
        .alias("_order_at"),
        nw.when(at == sale_at).then(when).max().over(key).alias("_sold"),
        nw.when(at == return_at).then(when).max().over(key).alias("_returned"),
        penalty.cast(_INT).sum().over(key).alias("_penalties"),
        (used & nw.col("_reversal")).cast(_INT).sum().over(key).alias("_reversals"),
        nw.when(penalty).then(when).min().over(key).alias("_penalty_at"),
        nw.when(used & (kind == "F")).then(when).min().over(key).alias("_refused_at"),
        nw.when(used & (kind == "B")).then(when).min().over(key).alias("_back_at"),
        nw.when(to_buyer)
        .then(nw.col("_micro"))
        .otherwise(nw.lit(0))
        .sum()
        .over(key)
        .alias("_to_sum"),
        nw.when(back_leg)
        .then(nw.col("_micro"))
        .otherwise(nw.lit(0))
        .sum()
        .over(key)
        .alias("_back_sum"),
        charge.cast(_INT).sum().over(key).alias("_charges"),
        nw.when(to_buyer).then(at).max().over(key).alias("_to_last"),
        nw.when(back_leg).then(at).max().over(key).alias("_back_last"),
    )
    penalty_at = nw.col("_penalty_at")
    frame = frame.with_columns(
        nw.when(penalty & (when == penalty_at))
        .then(nw.col("_bonus"))
        .min()
        .over(key)
        .alias("_penalty_words"),
        nw.col("_to_sum").cast(_INT),
        nw.col("_back_sum").cast(_INT),
    )
    seller = (nw.col("_penalties") > nw.col("_reversals")).fill_null(value=False)
    unsold = nw.col("_sale_at").is_null()
    cancelled = _earliest(
        _earliest(nw.col("_refused_at"), nw.col("_back_at")),
        nw.when(seller).then(penalty_at),
    )
    frame = with_reason_category(frame, nw.col("_penalty_words"), table, "_penalty_category")
    category = nw.col("_penalty_category")
    sold, returned, ordered_at = nw.col("_sold"), nw.col("_returned"), nw.col("_ordered_at")
    sale_kept = ~sold.is_null() & (sold >= ordered_at).fill_null(value=False)
    frame = frame.with_columns(
        nw.when(unsold).then(cancelled).alias("_cancelled_at"),
        nw.when(unsold & seller)
        .then(nw.lit("seller"))
        .when(unsold & ~nw.col("_refused_at").is_null())
        .then(nw.lit("refused"))
        .when(unsold & ~cancelled.is_null())
        .then(nw.lit("unknown"))
        .alias("_cancel_kind"),
        nw.when(unsold & seller).then(category).alias("_category"),
        sale_kept.alias("_sale_kept"),
    )
    kept = nw.col("_sale_kept")
    return_kept = ~returned.is_null() & kept & (returned >= sold).fill_null(value=False)
    negative_to = nw.col("_to_sum") < 0
    negative_back = ~negative_to & (nw.col("_back_sum") < 0)
    return frame.with_columns(
        return_kept.alias("_return_kept"),
        (nw.col("_charges") > 0).alias("_charged"),
        nw.when(negative_to)
        .then(nw.col("_to_last"))
        .when(negative_back)
        .then(nw.col("_back_last"))
        .alias("_leg_refused_at"),
        nw.when(negative_to)
        .then(nw.lit("to the buyer"))
        .when(negative_back)
        .then(nw.lit("back"))
        .alias("_leg_refused"),
        nw.when(at == sale_at)
        .then(nw.when(~kept).then(nw.lit("sold-before-ordered")))
        .when(at == return_at)
        .then(
            nw.when(~kept)
            .then(nw.lit("returned-unsold"))
            .when(~return_kept)
            .then(nw.lit("returned-before-sold"))
        )
        .alias("_rule"),
    )


def _kopecks_of(micro: nw.Expr) -> nw.Expr:
    """Millionths of a rouble, at least 0, as whole kopecks rounded half-even."""
    whole, rest = micro // _KOPECK, micro % _KOPECK
    half = _KOPECK // 2
    up = (rest > half) | ((rest == half) & (whole % 2 == 1))
    return (whole + up.cast(_INT)).cast(_INT)


def _lines(frame: nw.LazyFrame[Any], seller_id: str) -> nw.LazyFrame[Any]:
    """One order line per ``srid``, from its order's row, in the contract's columns."""
    lines = frame.filter((nw.col("_at") == nw.col("_order_at")).fill_null(value=False))
    nothing = nw.when(nw.lit(value=False)).then(nw.col("_when"))  # a null time, typed
    sold_at = nw.when(nw.col("_sale_kept")).then(nw.col("_sold")).otherwise(nothing)
    returned_at = nw.when(nw.col("_return_kept")).then(nw.col("_returned")).otherwise(nothing)
    category = nw.col("_category")
    reasoned = ~category.is_null() & (category != "unknown")
    costs = nw.col("_charged") & nw.col("_leg_refused").is_null()
    columns = {
        "order_id": nw.col("_key"),
        "seller_id": nw.lit(seller_id, dtype=_TEXT),
        "sku": nw.col("nm_id"),
        "buyer_id": nw.lit(None, dtype=_TEXT),
        "price": nw.col("_kopecks").cast(_INT),
        "ordered_at": nw.col("_ordered_at"),
        "cancelled_at": nw.col("_cancelled_at"),
        "sold_at": sold_at,
        "returned_at": returned_at,
        "cancel_kind": nw.col("_cancel_kind").cast(_TEXT),
        "cancel_reason": nw.when(reasoned).then(category).cast(_TEXT),
        "cancel_reason_text": nw.when(reasoned).then(nw.col("_penalty_words")).cast(_TEXT),
        "return_kind": nw.when(nw.col("_return_kept")).then(nw.lit("return", dtype=_TEXT)),
        "return_reason": nw.lit(None, dtype=_TEXT),
        "return_reason_text": nw.lit(None, dtype=_TEXT),
        "delivery_cost": nw.when(costs).then(_kopecks_of(nw.col("_to_sum"))).cast(_INT),
        "return_cost": nw.when(costs).then(_kopecks_of(nw.col("_back_sum"))).cast(_INT),
    }
    return lines.select(*(columns[name].alias(name) for name in LINE_COLUMNS))


def _aside(frame: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """The rows put aside: refused, skipped, merged, or used but contradicted (``conflict``)."""
    at, srid = nw.col("_at"), nw.col("_key")
    leg_refused = (at == nw.col("_leg_refused_at")).fill_null(value=False)
    conflict = ~nw.col("_rule").is_null() & (nw.col("_use") == "used")
    aside = frame.filter(
        nw.col("_use").is_in(["refused", "skipped", "merged"]) | conflict | leg_refused
    )
    what = (
        nw.when(nw.col("supplier_oper_name") == _SALE)
        .then(nw.lit("sale"))
        .otherwise(nw.lit("return"))
    )
    reason = (
        nw.when(nw.col("_use") == "merged")
        .then(nw.concat_str([nw.lit("a repeat of rrd_id "), nw.col("rrd_id"), nw.lit(": merged")]))
        .when(leg_refused)
        .then(
            nw.concat_str(
                [
                    nw.lit("order "),
                    srid,
                    nw.lit(": the logistics "),
                    nw.col("_leg_refused"),
                    nw.lit(" add up to less than nothing (corrections beyond the charges): "),
                    nw.lit("no logistics are kept for the order"),
                ]
            )
        )
        .when(conflict)
        .then(
            nw.concat_str(
                [
                    nw.lit("order "),
                    srid,
                    nw.lit(": this "),
                    what,
                    nw.lit(" is put aside ("),
                    nw.col("_rule"),
                    nw.lit(")"),
                ]
            )
        )
        .otherwise(nw.col("_reason"))
    )
    return aside.select(
        nw.col(SOURCE).alias("source"),
        nw.col(ROW).cast(_INT).alias("row"),
        nw.when(leg_refused)
        .then(nw.lit("delivery_rub", dtype=_TEXT))
        .when(conflict | (nw.col("_use") == "merged"))
        .then(nw.lit(None, dtype=_TEXT))
        .otherwise(nw.col("_field"))
        .cast(_TEXT)
        .alias("field"),
        reason.cast(_TEXT).alias("reason"),
        nw.when(leg_refused)
        .then(nw.lit("refused"))
        .when(conflict)
        .then(nw.lit("conflict"))
        .otherwise(nw.col("_use"))
        .cast(_TEXT)
        .alias("kind"),
    ).select(*ASIDE_COLUMNS)


def realization_lines(
    rows: nw.LazyFrame[Any], *, seller_id: str, reasons: Mapping[str, ReasonCategory]
) -> tuple[nw.LazyFrame[Any], nw.LazyFrame[Any]]:
    """Return the order lines of a realization report's rows, and the rows put aside.

    Args:
        rows: the report's rows, every field text (see `_sources`), all files as one.
        seller_id: the seller the report belongs to.
        reasons: the words of the penalties' reasons, from `redemption.reasons.reason_table`.

    Returns:
        The lines (the columns of `redemption.order_lines`), and the rows put aside:
        ``source``, ``row``, ``field`` (null where the row as a whole is at fault),
        ``reason`` and ``kind`` (``refused``, ``skipped``, ``merged``, or ``conflict`` for a
        sale or return put aside by `History.sift`'s rules, its rule in the reason).
    """
    frame = _settled(_judged(_read(rows)), reasons)
    return _lines(frame, seller_id), _aside(frame)
