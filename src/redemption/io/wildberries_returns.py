"""Wildberries reports that say why orders came back: goods returns and buyers' claims.

The goods-return report (``GET /api/v1/analytics/goods-return``, rows in
``{"report": [...]}``) and the buyers' return claims (``GET /api/v1/claims``, rows in
``{"claims": [...], "total": n}``). Neither makes an order, a sale or a return: each
*enriches* a `History` already read (from the statistics or realization reports) with the
kinds and reasons those reports lack, and returns a new one. Every figure is the same on
both: kinds and reasons say why, never whether.

Each row names its order by ``srid`` (the history's ``order_id`` is the Wildberries
``srid``). A row whose ``srid`` is no order of the history is skipped ("order ... is not
in the history"), never an error; the history's sales and returns without their order pass
through unchanged.

Goods returns:

- a ``returnType`` of goods moved for the seller, not for a buyer ("Возврат по инициативе
  продавца", "Возврат заблокированного товара", "Возврат неопознанного товара", "Возврат
  своего товара", and any type that begins so) is skipped with its reason;
- the reason is the row's ``reason`` read through the reasons table; where it is empty,
  the ``returnType`` read through the same table ("Возврат брака" is
  `ReasonCategory.QUALITY_DEFECT`, "Возврат неверного вложения"
  `ReasonCategory.WRONG_ITEM`). Words the table files under ``unknown`` (the shipped table
  so files the buyer's return types that say how the goods came back, not why: "Возврат
  товара, который приехал по МП, продавцу", "Возврат товара продавцу по отзыву") give no
  reason; where neither field gives one, the row gives none;
- an order that was returned: its `Return` becomes `ReturnKind.RETURN` where its kind is
  `ReturnKind.UNKNOWN`, and takes the reason where it has none;
- an order that was cancelled (so never sold): the goods came back from the buyer's side,
  so a `CancelKind.UNKNOWN` cancellation becomes `CancelKind.REFUSED` (a known kind is
  kept), and takes the reason where it has none;
- an order sold and not returned, or neither sold nor cancelled, is skipped with a reason
  that says so: the report never makes a return or a cancellation.

Claims: the buyer's own words, ``user_comment``, read through the reasons table, are the
reason of the order's `Return` where it has none, and a `ReturnKind.UNKNOWN` return becomes
`ReturnKind.RETURN`. A claim of an order that was not returned (cancelled, sold and kept,
or neither) is skipped with its reason, whatever the claim's ``status``.

A reason already there is never replaced, so the first report read wins; a row applied to a
record that already has its kind and reason is used all the same. Only the words of rows
applied are read through the table, so ``report.unknown_reasons`` counts the rows that gave
a record words no table knew. A row repeated (a goods return with the same ``srid`` and
``shkId``, a claim with the same ``id``, on the same page or a later one) is merged: the
later one wins. A row without ``srid`` (or, for a claim,
``id``), or with a field of the wrong type, is a bad row.

The goods-return report's ``srid`` is documented as "Уникальный ID заказа на возврат" (the
return order's id): a return whose ``srid`` is not the buyer's order's is skipped as not in
the history, and counted so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs

from redemption.errors import ArgumentTypeError
from redemption.history import History
from redemption.io.limits import DEFAULT_LIMITS, Limits
from redemption.io.report import (
    Errors,
    ImportReport,
    Progress,
    RowTally,
    Source,
    import_report,
    read_wrapped_rows,
    text_field,
    words_field,
)
from redemption.io.wildberries import not_a_buyers
from redemption.model import Order, Return
from redemption.outcomes import CancelKind, Reason, ReturnKind
from redemption.reasons import Reasons, ReasonWords

__all__ = [
    "claim_rows",
    "goods_return_rows",
    "read_wildberries_claims",
    "read_wildberries_goods_returns",
]

_Document = Source | Mapping[str, Any] | Sequence[str | Path]
"""A report: one page (a JSON file's path, its bytes, the parsed response or its rows), or
the paths of several pages."""

_State = Literal["missing", "returned", "cancelled", "sold", "open"]


@attrs.frozen
class _Kind:
    """One report: where its rows are, the fields that tell it apart, what it enriches.

    `make` gives a row's key and what it says, or the reason to skip it; `enriches` the
    states of the orders its rows are applied to; `skip` says why a row of an order in
    another state is skipped.
    """

    what: str
    wrapper: str
    required: tuple[str, ...]
    make: Callable[[dict[str, Any]], tuple[str, _Row] | str]
    enriches: frozenset[_State]
    skip: Callable[[str, _State], str]

    def rows_of(self, document: object) -> object:
        """The rows of a response (the document itself if it is an array)."""
        return document.get(self.wrapper) if isinstance(document, dict) else document

    @property
    def expected(self) -> str:
        """What a document of this report looks like, in words."""
        return f'{self.what}: {{"{self.wrapper}": [...]}} or an array of its rows'


def _rows(
    source: Source | Mapping[str, Any], kind: _Kind, limits: Limits
) -> tuple[str, list[dict[str, Any]]]:
    """Return the name of a source and its rows, refusing a document of another report."""
    return read_wrapped_rows(
        source,
        rows_of=kind.rows_of,
        required=kind.required,
        what=kind.what,
        expected=kind.expected,
        limits=limits,
    )


def _optional_id(row: dict[str, Any], field: str) -> str:
    """Return an id's text, ``""`` where it is missing, or refuse it."""
    value = row.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    return text_field(value, field)


def _why(words: Reasons, *texts: str | None) -> Reason | None:
    """The reason the first of `texts` gives; words filed under ``unknown`` give none."""
    for text in texts:
        reason = words.reason(text)
        if reason is not None:
            return reason
    return None


@attrs.frozen
class _Row:
    """What one row says: its order, and the words that may say why."""

    srid: str
    texts: tuple[str | None, ...]


def _goods_return(row: dict[str, Any]) -> tuple[str, _Row] | str:
    """Return a goods-return row's key and what it says, or the reason to skip it."""
    srid = text_field(row.get("srid"), "srid")
    shk_id = _optional_id(row, "shkId")
    return_type = words_field(row.get("returnType"), "returnType")
    reason = words_field(row.get("reason"), "reason")
    if return_type is not None and not_a_buyers(return_type):
        return f"returnType {return_type!r} is goods moved for the seller, not a buyer's return"
    return f"{srid}\x00{shk_id}", _Row(srid, (reason, return_type))


def _claim(row: dict[str, Any]) -> tuple[str, _Row]:
    """Return a claim's id and what it says."""
    claim_id = text_field(row.get("id"), "id")
    srid = text_field(row.get("srid"), "srid")
    return claim_id, _Row(srid, (words_field(row.get("user_comment"), "user_comment"),))


class _Enricher:
    """The records of a history, kinds and reasons given to them one row at a time."""

    def __init__(self, history: History) -> None:
        lines = history.lines
        self.history = history
        self.orders: dict[str, Order] = {order.order_id: order for order in lines.orders}
        self.sold = {
            order.order_id
            for order, sold_at in zip(lines.orders, lines.sold_at, strict=True)
            if sold_at is not None
        }
        self.returns: dict[str, Return] = {
            back.order_id: back for back in history.returns if back.order_id in self.orders
        }

    def state(self, srid: str) -> _State:
        """What the history says became of the order `srid`."""
        order = self.orders.get(srid)
        if order is None:
            return "missing"
        if srid in self.returns:
            return "returned"
        if order.cancelled_at is not None:
            return "cancelled"
        return "sold" if srid in self.sold else "open"

    def returned(self, srid: str, reason: Reason | None) -> None:
        """The order's return came back from the buyer: its kind, and why where unsaid."""
        back = self.returns[srid]
        kind = ReturnKind.RETURN if back.kind is ReturnKind.UNKNOWN else back.kind
        if kind is not back.kind or (back.reason is None and reason is not None):
            self.returns[srid] = attrs.evolve(back, kind=kind, reason=back.reason or reason)

    def refused(self, srid: str, reason: Reason | None) -> None:
        """The cancelled order came back from the buyer: refused, and why where unsaid."""
        order = self.orders[srid]
        kind = CancelKind.REFUSED if order.cancel_kind is CancelKind.UNKNOWN else order.cancel_kind
        if kind is not order.cancel_kind or (order.cancel_reason is None and reason is not None):
            self.orders[srid] = attrs.evolve(
                order, cancel_kind=kind, cancel_reason=order.cancel_reason or reason
            )

    def result(self) -> History:
        """The history with its records enriched; every other record as it was."""
        return History(
            orders=self.orders.values(),
            sales=self.history.sales,
            returns=[self.returns.get(back.order_id, back) for back in self.history.returns],
            logistics=self.history.logistics.values(),
            horizon=self.history.horizon,
        )


def _history(history: object) -> History:
    if not isinstance(history, History):
        msg = f"history must be a History, not {type(history).__name__} {history!r}"
        raise ArgumentTypeError(msg)
    return history


def _enrich(
    report: _Document,
    history: History,
    kind: _Kind,
    *,
    reasons: ReasonWords | None,
    errors: Errors,
    progress: Progress | None,
    limits: Limits,
) -> tuple[History, ImportReport]:
    """Apply every row kept of a report, in turn, to the records of `history`."""
    enricher = _Enricher(_history(history))
    words = Reasons("wildberries", reasons)
    tally = RowTally(errors, progress)

    def rows_of(source: Source | Mapping[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        return _rows(source, kind, limits)

    for row, name, number in tally.latest(report, rows_of, kind.make):
        state = enricher.state(row.srid)
        if state not in kind.enriches:
            tally.skip(name, number, kind.skip(row.srid, state))
            continue
        # only the words of a row applied are read: the unknown ones are counted
        reason = _why(words, *row.texts)
        if state == "returned":
            enricher.returned(row.srid, reason)
        else:
            enricher.refused(row.srid, reason)
        tally.used += 1
    # the import makes no order, sale or return: the report counts none
    return enricher.result(), import_report(History(), (tally,), words)


def _not_enriched(srid: str, state: _State, why: str) -> str:
    said = {
        "missing": "is not in the history",
        "cancelled": "was cancelled, not sold, in the history",
        "sold": "was sold and not returned in the history",
    }.get(state, "is neither sold nor cancelled in the history")
    return f"order {srid} {said}" if state == "missing" else f"order {srid} {said}: {why}"


def _skip_goods_return(srid: str, state: _State) -> str:
    never = "a return" if state == "sold" else "a return or a cancellation"
    return _not_enriched(srid, state, f"the goods-return report never makes {never}")


def _skip_claim(srid: str, state: _State) -> str:
    return _not_enriched(srid, state, "a claim only explains a return")


_GOODS_RETURNS = _Kind(
    what="a Wildberries goods-return report",
    wrapper="report",
    required=("srid", "returnType"),
    make=_goods_return,
    enriches=frozenset({"returned", "cancelled"}),
    skip=_skip_goods_return,
)
_CLAIMS = _Kind(
    what="a Wildberries claims list",
    wrapper="claims",
    required=("id", "srid"),
    make=_claim,
    enriches=frozenset({"returned"}),
    skip=_skip_claim,
)


def read_wildberries_goods_returns(
    report: _Document,
    history: History,
    *,
    reasons: ReasonWords | None = None,
    errors: Errors = "raise",
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[History, ImportReport]:
    """Give a history's returns and refusals the kinds and reasons of the goods-return report.

    Reads ``GET /api/v1/analytics/goods-return`` (``{"report": [...]}``), and enriches the
    orders of `history` its rows name by ``srid``, as the module says: a returned order's
    `Return` becomes `ReturnKind.RETURN` (where its kind is unknown), a cancelled order of
    unknown kind `CancelKind.REFUSED`, and either takes the row's reason where it has none.
    No order, sale or return is made or dropped.

    Args:
        report: the report: a JSON file's path or bytes (gzipped or not, with a byte-order
            mark or not) holding the response ``{"report": [...]}`` or an array of its
            rows, or that response or array parsed; or the paths of several pages, read
            in turn. A row repeated (the same ``srid`` and ``shkId``) is merged: the
            later one wins.
        history: the orders, sales and returns to enrich.
        reasons: the caller's words for reasons, laid over the shipped Wildberries table
            (see `redemption.io.reason_words`).
        errors: ``"raise"`` stops at the first bad row with a `ReportFormatError` naming
            the file, row (from 1) and field; ``"collect"`` goes on and lists every bad row
            in ``report.refused``.
        progress: told ``(source, rows done, rows in the source)`` as rows are read.
        limits: the bounds on what a file may hold (`redemption.io.Limits`).

    Returns:
        A new history, the same records with some kinds and reasons given, and the import
        report: a row is used (it was applied to its order's return or cancellation),
        merged, skipped with its reason (goods moved for the seller, an order not in the
        history, or one sold and kept or still open), or refused. Its ``orders``,
        ``sales`` and ``returns`` are 0: the import makes none.

    Raises:
        ArgumentTypeError: `history` is not a `History`.
        InvalidArgumentError: a category of `reasons` is no `ReasonCategory` value.
        ReportFormatError: an empty file, malformed JSON, a document that is not this
            report, or (with ``errors="raise"``) a bad row: no ``srid``, or a field of the
            wrong type.

    Example:
        >>> from datetime import datetime
        >>> from redemption import MOSCOW, History, Order, Return, Sale
        >>> at = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
        >>> order = Order(order_id="a1", seller_id="s", sku="42", price=990, ordered_at=at)
        >>> history = History(orders=[order], sales=[Sale(order_id="a1", sold_at=at)],
        ...                   returns=[Return(order_id="a1", returned_at=at)])
        >>> rows = [{"srid": "a1", "shkId": 7, "reason": "",
        ...          "returnType": "Возврат брака"}]
        >>> enriched, report = read_wildberries_goods_returns(rows, history)
        >>> back = enriched.returns[0]
        >>> back.kind.value, back.reason.category.value, back.reason.text
        ('return', 'quality_defect', 'Возврат брака')
        >>> report.used, report.accounted
        (1, True)

    .. versionadded:: 0.1.0
    """
    return _enrich(
        report,
        history,
        _GOODS_RETURNS,
        reasons=reasons,
        errors=errors,
        progress=progress,
        limits=limits,
    )


def read_wildberries_claims(
    claims: _Document,
    history: History,
    *,
    reasons: ReasonWords | None = None,
    errors: Errors = "raise",
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[History, ImportReport]:
    """Give a history's returns the buyers' own words from their return claims.

    Reads ``GET /api/v1/claims`` (``{"claims": [...], "total": n}``), and enriches the
    returned orders its claims name by ``srid``, as the module says: the order's `Return`
    becomes `ReturnKind.RETURN` (where its kind is unknown) and takes the claim's
    ``user_comment``, read through the reasons table, as its reason where it has none (the
    buyer's free text: words no table knows are `ReasonCategory.OTHER`, counted in
    ``report.unknown_reasons``). No order, sale or return is made or dropped.

    Args:
        claims: the claims: a JSON file's path or bytes (gzipped or not) holding the
            response ``{"claims": [...], "total": n}`` or an array of claims, or that
            response or array parsed; or the paths of several pages (``offset``), read
            in turn. A claim repeated (the same ``id``) is merged: the later one wins.
        history: the orders, sales and returns to enrich.
        reasons: the caller's words for reasons, laid over the shipped Wildberries table.
        errors: ``"raise"`` or ``"collect"``, as for `read_wildberries_goods_returns`.
        progress: told ``(source, rows done, rows in the source)`` as rows are read.
        limits: the bounds on what a file may hold (`redemption.io.Limits`).

    Returns:
        A new history, the same records with some kinds and reasons given, and the import
        report: a claim is used (applied to its order's return), merged, skipped with its
        reason (an order not in the history, or not returned), or refused. Its
        ``orders``, ``sales`` and ``returns`` are 0: the import makes none.

    Raises:
        ArgumentTypeError: `history` is not a `History`.
        InvalidArgumentError: a category of `reasons` is no `ReasonCategory` value.
        ReportFormatError: an empty file, malformed JSON, a document that is not this
            list, or (with ``errors="raise"``) a bad row: no ``id`` or ``srid``, or a field
            of the wrong type.

    Example:
        >>> from datetime import datetime
        >>> from redemption import MOSCOW, History, Order, Return, Sale
        >>> at = datetime(2025, 4, 1, 12, tzinfo=MOSCOW)
        >>> order = Order(order_id="a1", seller_id="s", sku="42", price=990, ordered_at=at)
        >>> history = History(orders=[order], sales=[Sale(order_id="a1", sold_at=at)],
        ...                   returns=[Return(order_id="a1", returned_at=at)])
        >>> page = {"claims": [{"id": "c-1", "srid": "a1", "user_comment": "Маломерит"}],
        ...         "total": 1}
        >>> enriched, report = read_wildberries_claims(
        ...     page, history, reasons={"Маломерит": "size_fit"})
        >>> enriched.returns[0].reason
        Reason(category=<ReasonCategory.SIZE_FIT: 'size_fit'>, text='Маломерит')
        >>> report.used, report.unknown_reasons, report.accounted
        (1, (), True)

    .. versionadded:: 0.1.0
    """
    return _enrich(
        claims, history, _CLAIMS, reasons=reasons, errors=errors, progress=progress, limits=limits
    )


def goods_return_rows(document: object) -> object:
    """The rows of a goods-return report's response (the document itself if an array)."""
    return _GOODS_RETURNS.rows_of(document)


def claim_rows(document: object) -> object:
    """The claims of a claims list's response (the document itself if an array)."""
    return _CLAIMS.rows_of(document)
