from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Sequence
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from redemption import (
    CancelKind,
    History,
    Order,
    Reason,
    ReasonCategory,
    Return,
    ReturnKind,
    Sale,
    buyer_reports,
    ransom_amounts,
    redemption_rate,
)
from redemption.errors import ArgumentTypeError, ReportFormatError
from redemption.io import (
    read_wildberries_claims,
    read_wildberries_goods_returns,
)
from tests.builders import an_order, msk
from tests.strategies import Scenario, scenarios

DATA = Path(__file__).parent / "data" / "wildberries"
GOODS_RETURNS = DATA / "analytics-goods-return.example.json"
CLAIMS = DATA / "communications-claims.example.json"

GOODS_RETURN_SRID = "ad3817664d3046c5a8d55054d8be96d6"
"""The ``srid`` of the goods-return example's row."""
CLAIM_SRID = "v5o_7143225816503318733.0.0"
"""The ``srid`` of the claims example's claim."""
CLAIM_WORDS = "Длина провода не соответствует описанию"
"""The claims example's ``user_comment``."""

BUYERS = "Возврат товара, который приехал по МП, продавцу"
"""A ``returnType`` of a buyer's return that says how the goods came back, not why."""
SELLERS = (
    "Возврат по инициативе продавца",
    "Возврат заблокированного товара",
    "Возврат неопознанного товара",
    "Возврат своего товара",
)
"""The ``returnType`` beginnings of goods moved for the seller, not for a buyer."""

AT = msk("2025-04-01T12:00:00")
COLOUR = Reason(ReasonCategory.APPEARANCE, "Цвет")
TIGHT = Reason(ReasonCategory.SIZE_FIT, "Маломерит")


@cache
def _example(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def example(path: Path) -> Any:
    """A fresh copy of an example payload, free to edit."""
    return copy.deepcopy(_example(path))


def goods_return(srid: object = "o1", **fields: Any) -> dict[str, Any]:
    """The goods-return example's row, of order `srid`, a buyer's, with `fields` replaced."""
    row: dict[str, Any] = example(GOODS_RETURNS)["report"][0]
    return row | {"srid": srid, "returnType": BUYERS} | fields


def claim(srid: object = "o1", **fields: Any) -> dict[str, Any]:
    """The claims example's claim, of order `srid` and with its own id, `fields` replaced."""
    row: dict[str, Any] = example(CLAIMS)["claims"][0]
    return row | {"id": f"claim-{srid}", "srid": srid} | fields


def write(path: Path, document: object) -> Path:
    """Write `document` as JSON at `path`."""
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def a_history(
    *,
    returned: Sequence[str] = (),
    cancelled: Sequence[str] = (),
    sold: Sequence[str] = (),
    open_: Sequence[str] = (),
    return_kind: ReturnKind = ReturnKind.UNKNOWN,
    return_reason: Reason | None = None,
    cancel_kind: CancelKind | None = None,
    cancel_reason: Reason | None = None,
) -> History:
    """Orders returned, cancelled, sold and kept, or open; returns and cancellations alike."""
    orders = [an_order(order_id, AT) for order_id in (*returned, *sold, *open_)]
    orders += [
        attrs.evolve(
            an_order(order_id, AT, cancelled_at=AT + timedelta(days=1)),
            cancel_kind=cancel_kind,
            cancel_reason=cancel_reason,
        )
        for order_id in cancelled
    ]
    return History(
        orders=orders,
        sales=[Sale(order_id=i, sold_at=AT + timedelta(days=2)) for i in (*returned, *sold)],
        returns=[
            Return(
                order_id=i,
                returned_at=AT + timedelta(days=5),
                kind=return_kind,
                reason=return_reason,
            )
            for i in returned
        ],
    )


def records(history: History) -> tuple[tuple[Order, ...], tuple[Sale, ...], tuple[Return, ...]]:
    """Every record of a history."""
    return history.orders, history.sales, history.returns


class TestTheExamples:
    def test_the_goods_return_example_is_goods_moved_for_the_seller(self) -> None:
        """
        The example's returnType is "Возврат заблокированного товара": skipped, nothing changed.
        """
        history = a_history(returned=[GOODS_RETURN_SRID])
        enriched, report = read_wildberries_goods_returns(GOODS_RETURNS, history)
        assert records(enriched) == records(history)
        assert [(p.source, p.row, p.field) for p in report.skipped] == [
            (str(GOODS_RETURNS), 1, None)
        ]
        assert "'Возврат заблокированного товара' is goods moved for the seller" in str(
            report.skipped[0]
        )
        assert (report.rows_read, report.used, report.merged, report.refused) == (1, 0, 0, ())
        assert (report.orders, report.sales, report.returns, report.accounted) == (0, 0, 0, True)

    def test_the_goods_return_example_as_a_buyers_return_gives_its_reason(self) -> None:
        """
        The example's row with a buyer's returnType: the return is RETURN, for "Цвет".
        """
        document = example(GOODS_RETURNS)
        document["report"][0]["returnType"] = BUYERS
        history = a_history(returned=[GOODS_RETURN_SRID], sold=["kept"])
        enriched, report = read_wildberries_goods_returns(document, history)
        (back,) = enriched.returns
        assert (back.order_id, back.kind, back.reason) == (
            GOODS_RETURN_SRID,
            ReturnKind.RETURN,
            COLOUR,
        )
        assert back.returned_at == history.returns[0].returned_at
        assert (enriched.orders, enriched.sales) == (history.orders, history.sales)
        assert (report.rows_read, report.used, report.skipped, report.accounted) == (
            1,
            1,
            (),
            True,
        )
        assert report.unknown_reasons == ()

    def test_the_claims_example_gives_the_buyers_words(self) -> None:
        """
        The example's claim: its order's return is RETURN, for the buyer's words, counted.
        """
        history = a_history(returned=[CLAIM_SRID])
        enriched, report = read_wildberries_claims(CLAIMS, history)
        (back,) = enriched.returns
        assert (back.kind, back.reason) == (
            ReturnKind.RETURN,
            Reason(ReasonCategory.OTHER, CLAIM_WORDS),
        )
        assert (report.rows_read, report.used, report.merged, report.accounted) == (1, 1, 0, True)
        assert report.unknown_reasons == ((CLAIM_WORDS, 1),)
        assert (report.orders, report.sales, report.returns) == (0, 0, 0)

    def test_the_claims_example_gets_the_callers_category(self) -> None:
        """
        reasons= puts the buyer's words under the caller's category, and no longer counts them.
        """
        history = a_history(returned=[CLAIM_SRID])
        enriched, report = read_wildberries_claims(
            CLAIMS, history, reasons={CLAIM_WORDS: "wrong_item"}
        )
        assert enriched.returns[0].reason == Reason(ReasonCategory.WRONG_ITEM, CLAIM_WORDS)
        assert report.unknown_reasons == ()


class TestGoodsReturns:
    @pytest.mark.parametrize(
        ("reason", "return_type", "expected"),
        [
            ("Цвет", BUYERS, COLOUR),
            ("Размер", "Возврат брака", Reason(ReasonCategory.SIZE_FIT, "Размер")),
            ("", "Возврат брака", Reason(ReasonCategory.QUALITY_DEFECT, "Возврат брака")),
            (
                None,
                "Возврат неверного вложения",
                Reason(ReasonCategory.WRONG_ITEM, "Возврат неверного вложения"),
            ),
            ("  ", "возврат  БРАКА", Reason(ReasonCategory.QUALITY_DEFECT, "возврат  БРАКА")),
            ("", BUYERS, None),
            ("", "Возврат товара продавцу по отзыву", None),
            (None, None, None),
        ],
    )
    def test_a_returned_order_takes_the_kind_and_the_reason(
        self, reason: str | None, return_type: str | None, expected: Reason | None
    ) -> None:
        """
        The reason, else the returnType, through the table; a buyer's generic type is none.
        """
        row = goods_return(reason=reason, returnType=return_type)
        enriched, report = read_wildberries_goods_returns([row], a_history(returned=["o1"]))
        assert [(r.kind, r.reason) for r in enriched.returns] == [(ReturnKind.RETURN, expected)]
        assert (report.used, report.unknown_reasons, report.accounted) == (1, (), True)

    def test_a_cancelled_order_of_unknown_kind_is_refused(self) -> None:
        """
        Goods back from a cancelled order came from the buyer's side: UNKNOWN becomes REFUSED.
        """
        history = a_history(cancelled=["o1"])
        enriched, report = read_wildberries_goods_returns([goods_return(reason="Цвет")], history)
        (order,) = enriched.orders
        assert (order.cancel_kind, order.cancel_reason) == (CancelKind.REFUSED, COLOUR)
        assert order.cancelled_at == history.orders[0].cancelled_at
        assert (enriched.sales, enriched.returns) == ((), ())
        assert (report.used, report.accounted) == (1, True)

    @pytest.mark.parametrize("kind", [k for k in CancelKind if k is not CancelKind.UNKNOWN])
    def test_a_known_cancel_kind_is_kept(self, kind: CancelKind) -> None:
        """
        A cancellation whose kind is known keeps it, and takes the reason it lacked.
        """
        history = a_history(cancelled=["o1"], cancel_kind=kind)
        enriched, _ = read_wildberries_goods_returns([goods_return(reason="Цвет")], history)
        assert [(o.cancel_kind, o.cancel_reason) for o in enriched.orders] == [(kind, COLOUR)]

    def test_a_reason_already_there_is_kept(self) -> None:
        """
        A return's or cancellation's reason is never replaced; a known return kind is kept.
        """
        history = a_history(
            returned=["o1"],
            cancelled=["o2"],
            return_kind=ReturnKind.REFUSED_AT_HANDOVER,
            return_reason=TIGHT,
            cancel_reason=TIGHT,
        )
        rows = [goods_return("o1", reason="Цвет"), goods_return("o2", reason="Цвет")]
        enriched, report = read_wildberries_goods_returns(rows, history)
        assert [(r.kind, r.reason) for r in enriched.returns] == [
            (ReturnKind.REFUSED_AT_HANDOVER, TIGHT)
        ]
        cancelled = [o for o in enriched.orders if o.order_id == "o2"]
        assert [(o.cancel_kind, o.cancel_reason) for o in cancelled] == [
            (CancelKind.REFUSED, TIGHT)
        ]
        assert (report.used, report.accounted) == (2, True)

    @pytest.mark.parametrize(
        "return_type",
        [*SELLERS, "Возврат по инициативе продавца (к продавцу)", "возврат своего  товара"],
    )
    def test_goods_moved_for_the_seller_are_skipped(self, return_type: str) -> None:
        """
        A returnType beginning as a seller's removal does, in any case, is skipped with it.
        """
        history = a_history(returned=["o1"], cancelled=["o2"])
        rows = [goods_return("o1", returnType=return_type), goods_return("o2", reason="Цвет")]
        rows[1]["returnType"] = return_type
        enriched, report = read_wildberries_goods_returns(rows, history)
        assert records(enriched) == records(history)
        assert [p.row for p in report.skipped] == [1, 2]
        assert all(f"returnType {return_type!r}" in p.reason for p in report.skipped)
        assert (report.used, report.unknown_reasons, report.accounted) == (0, (), True)

    def test_an_order_not_in_the_history_is_skipped(self) -> None:
        """
        A srid that is no order of the history is skipped; a return without its order stays.
        """
        history = History(
            sales=[Sale(order_id="u1", sold_at=AT)],
            returns=[Return(order_id="u1", returned_at=AT)],
        )
        rows = [goods_return("u1", reason="Цвет"), goods_return("zz")]
        enriched, report = read_wildberries_goods_returns(rows, history)
        assert records(enriched) == records(history)
        assert enriched.unmatched_returns == history.unmatched_returns
        assert [p.reason for p in report.skipped] == [
            "order u1 is not in the history",
            "order zz is not in the history",
        ]
        assert (report.rows_read, report.used, report.refused, report.accounted) == (
            2,
            0,
            (),
            True,
        )

    def test_an_order_sold_and_kept_or_open_is_skipped(self) -> None:
        """
        The report never makes a return or a cancellation: such rows are skipped, saying so.
        """
        history = a_history(sold=["o1"], open_=["o2"])
        rows = [goods_return("o1", reason="Цвет"), goods_return("o2", reason="Цвет")]
        enriched, report = read_wildberries_goods_returns(rows, history)
        assert records(enriched) == records(history)
        assert [p.reason.split(":")[0] for p in report.skipped] == [
            "order o1 was sold and not returned in the history",
            "order o2 is neither sold nor cancelled in the history",
        ]
        assert (report.used, report.accounted) == (0, True)

    def test_a_row_repeated_is_merged_and_the_later_wins(self, tmp_path: Path) -> None:
        """
        The same srid and shkId on two pages is one row: the later page's reason is applied.
        """
        first = write(tmp_path / "1.json", {"report": [goods_return(reason="Цвет")]})
        second = write(tmp_path / "2.json", {"report": [goods_return(reason="Размер")]})
        history = a_history(returned=["o1"])
        enriched, report = read_wildberries_goods_returns([first, second], history)
        assert enriched.returns[0].reason == Reason(ReasonCategory.SIZE_FIT, "Размер")
        assert (report.rows_read, report.used, report.merged, report.accounted) == (2, 1, 1, True)

    def test_two_rows_of_one_order_keep_the_first_reason(self) -> None:
        """
        Two rows of one srid with different shkId both apply; the first reason stays.
        """
        rows = [
            goods_return(reason="Цвет", shkId=1),
            goods_return(reason="Размер", shkId="2"),
            goods_return(reason="Цвет", shkId=None),
        ]
        enriched, report = read_wildberries_goods_returns(rows, a_history(returned=["o1"]))
        assert enriched.returns[0].reason == COLOUR
        assert (report.used, report.merged, report.accounted) == (3, 0, True)

    def test_unknown_words_are_counted_and_a_callers_table_files_them(self) -> None:
        """
        Words no table knows are OTHER, counted most frequent first; reasons= gives a category.
        """
        history = a_history(returned=["o1", "o2", "o3"])
        rows = [
            goods_return("o1", reason="Грязный"),
            goods_return("o2", reason="Фасон  не подошёл"),
            goods_return("o3", reason="Фасон  не подошёл"),
        ]
        enriched, report = read_wildberries_goods_returns(rows, history)
        assert [r.reason for r in enriched.returns] == [
            Reason(ReasonCategory.OTHER, "Грязный"),
            Reason(ReasonCategory.OTHER, "Фасон  не подошёл"),
            Reason(ReasonCategory.OTHER, "Фасон  не подошёл"),
        ]
        assert report.unknown_reasons == (("Фасон  не подошёл", 2), ("Грязный", 1))
        enriched, report = read_wildberries_goods_returns(
            rows, history, reasons={"фасон не подошел": "size_fit"}
        )
        assert enriched.returns[1].reason == Reason(ReasonCategory.SIZE_FIT, "Фасон  не подошёл")
        assert report.unknown_reasons == (("Грязный", 1),)

    def test_a_history_that_is_not_a_history_is_refused(self) -> None:
        """
        The importers enrich a History, and say so when given anything else.
        """
        with pytest.raises(ArgumentTypeError, match="history must be a History, not list"):
            read_wildberries_goods_returns([], [])  # type: ignore[arg-type]
        with pytest.raises(ArgumentTypeError, match="history must be a History"):
            read_wildberries_claims([], None)  # type: ignore[arg-type]


class TestBadRows:
    @pytest.mark.parametrize(
        ("row", "field"),
        [
            (goods_return(srid=None), "srid"),
            (goods_return(srid=" "), "srid"),
            (goods_return(srid=True), "srid"),
            (goods_return(shkId=[1]), "shkId"),
            (goods_return(shkId=False), "shkId"),
            (goods_return(returnType=["Возврат брака"]), "returnType"),
            (goods_return(reason={"text": "Цвет"}), "reason"),
            (goods_return(reason=True), "reason"),
        ],
    )
    def test_a_bad_goods_return_names_the_file_row_and_field(
        self, row: dict[str, Any], field: str, tmp_path: Path
    ) -> None:
        """
        By default the first bad row stops the import; "collect" refuses it and goes on.
        """
        path = write(tmp_path / "goods-return.json", {"report": [goods_return("o1"), row]})
        history = a_history(returned=["o1"])
        with pytest.raises(
            ReportFormatError, match=f"goods-return.json row 2, field '{field}'"
        ) as e:
            read_wildberries_goods_returns(path, history)
        assert (e.value.source, e.value.row, e.value.field) == (str(path), 2, field)
        enriched, report = read_wildberries_goods_returns(path, history, errors="collect")
        assert enriched.returns[0].kind is ReturnKind.RETURN
        assert [(p.row, p.field) for p in report.refused] == [(2, field)]
        assert (report.rows_read, report.used, report.accounted) == (2, 1, True)

    @pytest.mark.parametrize(
        ("row", "field"),
        [
            (claim(srid=None), "srid"),
            (claim(id=None), "id"),
            (claim(id={"uuid": "x"}), "id"),
            (claim(user_comment=5), "user_comment"),
        ],
    )
    def test_a_bad_claim_names_its_row_and_field(self, row: dict[str, Any], field: str) -> None:
        """
        A claim without srid or id, or with a comment that is not text, is a bad row.
        """
        history = a_history(returned=["o1"])
        with pytest.raises(ReportFormatError, match=f"<rows> row 2, field '{field}'"):
            read_wildberries_claims([claim("o1"), row], history)
        enriched, report = read_wildberries_claims([claim("o1"), row], history, errors="collect")
        assert enriched.returns[0].reason == Reason(ReasonCategory.OTHER, CLAIM_WORDS)
        assert [(p.row, p.field) for p in report.refused] == [(2, field)]
        assert (report.used, report.accounted) == (1, True)


class TestFiles:
    def test_a_gzipped_bare_array_with_a_byte_order_mark_is_read(self, tmp_path: Path) -> None:
        """
        A goods-return page may be a bare array of rows, gzipped, after a byte-order mark.
        """
        text = json.dumps([goods_return(reason="Цвет")], ensure_ascii=False)
        path = tmp_path / "goods-return.json.gz"
        path.write_bytes(gzip.compress(b"\xef\xbb\xbf" + text.encode()))
        enriched, report = read_wildberries_goods_returns(path, a_history(returned=["o1"]))
        assert (enriched.returns[0].reason, report.accounted) == (COLOUR, True)

    def test_claims_as_bytes_a_bare_list_or_pages_are_read(self, tmp_path: Path) -> None:
        """
        The claims response as bytes, its claims as a list, and pages by path all read alike.
        """
        history = a_history(returned=[CLAIM_SRID])
        expected = Reason(ReasonCategory.OTHER, CLAIM_WORDS)
        for claims in (
            CLAIMS.read_bytes(),
            example(CLAIMS)["claims"],
            [CLAIMS, write(tmp_path / "2.json", {"claims": [], "total": 31})],
        ):
            enriched, report = read_wildberries_claims(claims, history)
            assert (enriched.returns[0].reason, report.used, report.accounted) == (
                expected,
                1,
                True,
            )

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"", "the file is empty"),
            (b'{"report": ', "not valid JSON"),
            (b'{"claims": [], "total": 0}', "found an object with the keys claims, total"),
            (b'{"report": {"srid": "a"}}', "expected a Wildberries goods-return report"),
            (b"[1]", "row 1: expected an object"),
            (b'[{"saleID": "S1", "srid": "a"}]', "is this a Wildberries goods-return report"),
        ],
    )
    def test_unreadable_goods_return_files_get_a_clear_message(
        self, content: bytes, message: str, tmp_path: Path
    ) -> None:
        """
        Empty, malformed or mis-shaped files are a ReportFormatError naming the file.
        """
        path = tmp_path / "goods-return.json"
        path.write_bytes(content)
        with pytest.raises(ReportFormatError, match=f"goods-return.json.*{message}"):
            read_wildberries_goods_returns(path, History())

    def test_each_report_given_for_the_other_is_recognised(self) -> None:
        """
        The claims given as goods returns, and the other way round, are refused by name.
        """
        with pytest.raises(ReportFormatError, match="found an object with the keys claims"):
            read_wildberries_goods_returns(CLAIMS, History())
        with pytest.raises(ReportFormatError, match="found an object with the keys report"):
            read_wildberries_claims(GOODS_RETURNS, History())
        with pytest.raises(ReportFormatError, match="is this a Wildberries claims list"):
            read_wildberries_claims(example(GOODS_RETURNS)["report"], History())

    def test_progress_is_told_at_the_end_of_each_page(self, tmp_path: Path) -> None:
        """
        The progress function hears each page's name and row count when it is read.
        """
        told: list[tuple[str, int, int]] = []
        pages = [
            write(tmp_path / "1.json", {"report": [goods_return("a"), goods_return("b")]}),
            write(tmp_path / "2.json", {"report": []}),
        ]
        _, report = read_wildberries_goods_returns(
            pages, History(), progress=lambda *seen: told.append(seen)
        )
        assert told == [(str(pages[0]), 2, 2), (str(pages[1]), 0, 0)]
        assert (len(report.skipped), report.accounted) == (2, True)


class TestClaims:
    def test_a_returned_order_takes_the_buyers_words_and_the_kind(self) -> None:
        """
        A claim's user_comment is the return's reason; an UNKNOWN return becomes RETURN.
        """
        page = {"claims": [claim(user_comment="Маломерит")], "total": 1}
        history = a_history(returned=["o1"])
        enriched, report = read_wildberries_claims(page, history, reasons={"маломерит": "size_fit"})
        assert [(r.kind, r.reason) for r in enriched.returns] == [(ReturnKind.RETURN, TIGHT)]
        assert (report.used, report.unknown_reasons, report.accounted) == (1, (), True)

    @pytest.mark.parametrize("comment", ["", "   ", None])
    def test_a_claim_without_words_gives_the_kind_and_no_reason(self, comment: str | None) -> None:
        """
        A claim with an empty comment is still used: its return is RETURN, with no reason.
        """
        rows = [claim(user_comment=comment)]
        enriched, report = read_wildberries_claims(rows, a_history(returned=["o1"]))
        assert [(r.kind, r.reason) for r in enriched.returns] == [(ReturnKind.RETURN, None)]
        assert (report.used, report.accounted) == (1, True)

    def test_a_reason_and_a_known_kind_already_there_are_kept(self) -> None:
        """
        A return with a reason keeps it, and a REFUSED_AT_HANDOVER return its kind.
        """
        history = a_history(
            returned=["o1"], return_kind=ReturnKind.REFUSED_AT_HANDOVER, return_reason=TIGHT
        )
        enriched, report = read_wildberries_claims([claim()], history)
        assert records(enriched) == records(history)
        assert (report.used, report.accounted) == (1, True)

    def test_a_claim_after_the_goods_return_report_keeps_its_reason(self) -> None:
        """
        The first report read wins: the buyer's words do not replace the report's reason.
        """
        history, _ = read_wildberries_goods_returns(
            [goods_return(reason="Цвет")], a_history(returned=["o1"])
        )
        enriched, _ = read_wildberries_claims([claim()], history)
        assert enriched.returns[0].reason == COLOUR

    def test_a_claim_of_an_order_not_returned_is_skipped(self) -> None:
        """
        Only a return is enriched: a cancelled, kept, open or unknown order's claim is skipped.
        """
        history = a_history(cancelled=["o1"], sold=["o2"], open_=["o3"])
        rows = [claim("o1"), claim("o2"), claim("o3"), claim("o4")]
        enriched, report = read_wildberries_claims(rows, history)
        assert records(enriched) == records(history)
        assert [p.reason for p in report.skipped] == [
            "order o1 was cancelled, not sold, in the history: a claim only explains a return",
            "order o2 was sold and not returned in the history: a claim only explains a return",
            "order o3 is neither sold nor cancelled in the history: a claim only explains a return",
            "order o4 is not in the history",
        ]
        assert (report.used, report.unknown_reasons, report.accounted) == (0, (), True)

    def test_a_claim_repeated_is_merged_and_the_later_wins(self, tmp_path: Path) -> None:
        """
        The same claim id on two pages is one claim: the later page's words are applied.
        """
        pages = [
            write(tmp_path / f"{n}.json", {"claims": [claim(user_comment=words)], "total": 1})
            for n, words in enumerate(["Маломерит", "Брак"])
        ]
        enriched, report = read_wildberries_claims(pages, a_history(returned=["o1"]))
        assert enriched.returns[0].reason == Reason(ReasonCategory.QUALITY_DEFECT, "Брак")
        assert (report.rows_read, report.used, report.merged, report.accounted) == (2, 1, 1, True)
        assert report.unknown_reasons == ()


RETURN_TYPES = (BUYERS, "Возврат брака", "Возврат неверного вложения", *SELLERS, None)
WORDS = ("", "Цвет", "Размер", "Грязный", None)


@given(scenario=scenarios(), data=st.data())
def test_enriching_never_changes_a_figure(scenario: Scenario, data: st.DataObject) -> None:
    """
    Goods returns and claims of random orders change kinds and reasons, never any figure.
    """
    history = scenario.records.history()
    ids = [order.order_id for order in history.orders] + ["not-an-order"]
    picked = st.lists(st.sampled_from(ids), max_size=12)
    rows = [
        {
            "srid": srid,
            "shkId": data.draw(st.integers(1, 3)),
            "returnType": data.draw(st.sampled_from(RETURN_TYPES)),
            "reason": data.draw(st.sampled_from(WORDS)),
        }
        for srid in data.draw(picked)
    ]
    claims = [
        {"id": f"c{n}", "srid": srid, "user_comment": data.draw(st.sampled_from(WORDS))}
        for n, srid in enumerate(data.draw(picked))
    ]
    enriched, report = read_wildberries_goods_returns(rows, history)
    enriched, claims_report = read_wildberries_claims(claims, enriched)
    assert report.accounted
    assert claims_report.accounted

    today, period, tz = scenario.today, scenario.period, scenario.tz
    assert redemption_rate(enriched, period, today=today, tz=tz) == redemption_rate(
        history, period, today=today, tz=tz
    )
    assert ransom_amounts(enriched, today=today, tz=tz) == ransom_amounts(
        history, today=today, tz=tz
    )
    assert buyer_reports(enriched, today=today, period=period, tz=tz) == buyer_reports(
        history, today=today, period=period, tz=tz
    )
    assert enriched.unmatched_sales == history.unmatched_sales
    assert enriched.unmatched_returns == history.unmatched_returns
    assert enriched.sales == history.sales
    for before, after in zip(history.orders, enriched.orders, strict=True):
        assert attrs.evolve(after, cancel_kind=None, cancel_reason=None) == attrs.evolve(
            before, cancel_kind=None, cancel_reason=None
        )
        if after.cancel_kind is not before.cancel_kind:
            assert (before.cancel_kind, after.cancel_kind) == (
                CancelKind.UNKNOWN,
                CancelKind.REFUSED,
            )
        assert before.cancel_reason is None or after.cancel_reason is before.cancel_reason
    for before_return, after_return in zip(history.returns, enriched.returns, strict=True):
        assert after_return.returned_at == before_return.returned_at
        assert after_return.order_id == before_return.order_id
        if after_return.kind is not before_return.kind:
            assert (before_return.kind, after_return.kind) == (
                ReturnKind.UNKNOWN,
                ReturnKind.RETURN,
            )
        assert before_return.reason is None or after_return.reason is before_return.reason


class TestTheHorizonIsKept:
    def test_enriching_keeps_how_far_the_data_reaches(self) -> None:
        """
        The history an enricher gives back reaches as far as the one it was given: the
        goods returns and claims add kinds and reasons, not events.
        """
        order = an_order("a1", msk("2025-04-01 12:00"))
        history = History(
            orders=[order],
            sales=[Sale(order_id="a1", sold_at=msk("2025-04-02 12:00"))],
            returns=[Return(order_id="a1", returned_at=msk("2025-04-05 12:00"))],
            horizon=msk("2025-04-20 00:00"),
        )
        rows = [{"srid": "a1", "shkId": 1, "reason": "", "returnType": "Возврат брака"}]
        enriched, report = read_wildberries_goods_returns(rows, history)
        assert report.used == 1
        assert enriched.horizon == history.horizon
        claims = [{"id": "c", "srid": "a1", "claim_type": 1, "user_comment": "брак"}]
        assert read_wildberries_claims(claims, history)[0].horizon == history.horizon
