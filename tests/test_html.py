"""The HTML report: its figures are the library's, its text is escaped, it stands alone."""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("jinja2", reason="the HTML report needs the report extra (jinja2)")
pytest.importorskip("matplotlib", reason="the HTML report needs the report extra (matplotlib)")

from redemption import (
    MOSCOW,
    CancelKind,
    History,
    Order,
    Period,
    Policy,
    Reason,
    ReasonCategory,
    Return,
    ReturnKind,
    Sale,
    buyer_reports,
    buyer_statuses,
    redemption_rate,
    redemption_rates,
)
from redemption.analysis import refusal_breakdown, refusal_costs
from redemption.cli import main
from redemption.errors import (
    ArgumentTypeError,
    BeyondHorizonWarning,
    InvalidArgumentError,
    MissingExtraError,
)
from redemption.html import html_report
from redemption.io import read_order_lines
from redemption.model import Logistics
from redemption.money import percent
from redemption.sample import SAMPLE_TODAY, sample_lines_path
from tests.test_loyalty_programme import TARGETS_2024, wb_2024

APRIL = Period(date(2025, 4, 1), date(2025, 4, 15))


class Page(HTMLParser):
    """The text of each element with an id, the rows of each table, every linked address."""

    def __init__(self, text: str) -> None:
        """Read a page."""
        super().__init__()
        self.by_id: dict[str, str] = defaultdict(str)
        self.rows: dict[str, list[list[str]]] = defaultdict(list)
        self.addresses: list[str] = []
        self._open: list[str] = []  # the ids of the elements we are in
        self._table: list[str] = []
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open an element: note its id, its table row or cell, its address."""
        attributes = dict(attrs)
        self.addresses += [v for k, v in attrs if k in {"src", "href"} and v is not None]
        if tag in {"meta", "img", "br", "link", "input"}:
            return
        self._open.append(attributes.get("id") or "")
        if tag == "table":
            self._table.append(attributes.get("id") or "")
        elif tag == "tr" and self._table:
            self.rows[self._table[-1]].append([])
        elif tag in {"td", "th"} and self._table:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        """Close an element, and the cell or table it ends."""
        if tag in {"td", "th"} and self._cell is not None and self._table:
            self.rows[self._table[-1]][-1].append("".join(self._cell).strip())
            self._cell = None
        if tag == "table" and self._table:
            self._table.pop()
        if self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        """Add text to every element with an id it is in, and to its cell."""
        for element in self._open:
            if element:
                self.by_id[element] += data
        if self._cell is not None:
            self._cell.append(data)

    def text(self, element: str) -> str:
        """The text of the element with this id, its whitespace collapsed."""
        return " ".join(self.by_id[element].split())

    def body(self, table: str) -> list[list[str]]:
        """The rows of a table after its header."""
        return self.rows[table][1:]


@pytest.fixture(scope="module")
def sample() -> History:
    """The sample's order lines, each naming its buyer."""
    history, _ = read_order_lines(sample_lines_path())
    return history


@pytest.fixture(scope="module")
def page(sample: History) -> Page:
    """The page of the first half of April 2025 on the sample, on 30 April."""
    return Page(html_report(sample, APRIL, today=SAMPLE_TODAY))


def test_the_headline_is_the_rate_of_the_period(sample: History, page: Page) -> None:
    """The big number is `redemption_rate` of the period, and says it is not complete."""
    report = redemption_rate(sample, APRIL, today=SAMPLE_TODAY)
    assert report.rate is not None
    assert page.text("rate-value") == f"{percent(report.rate)}%"
    assert report.complete is False
    assert page.text("completeness").startswith("Not complete")
    assert str(report.window.closes) in page.text("completeness")


def test_each_sku_row_has_the_counts_of_its_rate(sample: History, page: Page) -> None:
    """Each SKU's row has the counts of `redemption_rates` by SKU, an independent tally."""
    rates = redemption_rates(sample, APRIL, today=SAMPLE_TODAY, by="sku")
    rows = {row[0]: row for row in page.body("sku-table")}
    assert set(rows) == set(rates)
    for sku, report in rates.items():
        orders, in_transit, sales, rate = rows[sku][1:5]
        assert (int(orders), int(in_transit), int(sales)) == (
            report.orders,
            report.in_transit,
            report.sales,
        )
        assert report.rate is not None
        assert rate == f"{percent(report.rate)}%"


def test_the_buyers_at_each_edge_are_the_lowest_and_highest(sample: History, page: Page) -> None:
    """Ten buyers at each edge, from the bottom and top of `buyer_reports` by rate."""
    reports = buyer_reports(sample, today=SAMPLE_TODAY)
    judged = {b: r.rate for b, r in reports.items() if r.placed >= 5 and r.rate is not None}
    lowest = [row[0] for row in page.body("buyers-lowest")]
    highest = [row[0] for row in page.body("buyers-highest")]
    assert len(lowest) == len(highest) == 10
    assert not set(lowest) & set(highest)
    ordered = sorted(judged.values())
    assert max(judged[b] for b in lowest) <= ordered[9]
    assert min(judged[b] for b in highest) >= ordered[-10]
    for row in page.body("buyers-lowest"):
        report = reports[row[0]]
        assert (int(row[1]), int(row[2])) == (report.placed, report.sold)


def test_fewer_buyers_and_a_higher_bar(sample: History) -> None:
    """`buyers` and `min_orders` decide how many are shown and who may be."""
    page = Page(html_report(sample, APRIL, today=SAMPLE_TODAY, buyers=3, min_orders=20))
    reports = buyer_reports(sample, today=SAMPLE_TODAY)
    shown = page.body("buyers-lowest") + page.body("buyers-highest")
    assert 0 < len(shown) <= 6
    assert all(reports[row[0]].placed >= 20 for row in shown)


def at(day: int, hour: int = 12) -> datetime:
    """A moment of April 2025, Moscow time."""
    return datetime(2025, 4, day, hour, tzinfo=MOSCOW)


def small_history(sku: str, reason_text: str) -> History:
    """Four orders of one SKU: two bought, two refused for a reason in the given words."""
    orders = [
        Order(order_id=f"o{i}", seller_id="s", sku=sku, price=100, ordered_at=at(1 + i))
        for i in range(2)
    ]
    orders += [
        Order(
            order_id=f"r{i}",
            seller_id="s",
            sku=sku,
            price=100,
            ordered_at=at(1 + i),
            cancelled_at=at(5 + i),
            cancel_kind=CancelKind.REFUSED,
            cancel_reason=Reason(ReasonCategory.SIZE_FIT, reason_text),
        )
        for i in range(2)
    ]
    sales = [Sale(order_id=f"o{i}", sold_at=at(6 + i)) for i in range(2)]
    return History(orders=orders, sales=sales)


def test_text_from_the_reports_is_escaped() -> None:
    """A SKU or title holding markup shows as text and never runs."""
    sku = '<script>alert("sku")</script>'
    text = html_report(
        small_history(sku, "x"), APRIL, today=date(2025, 6, 1), title="<b>bold</b> & co"
    )
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(&#34;sku&#34;)&lt;/script&gt;" in text
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in text
    page = Page(text)
    assert [row[0] for row in page.body("sku-table")] == [sku]


def test_a_complete_period_says_so_and_counts_its_reasons() -> None:
    """A period looked at after its window closed is complete; its refusals by reason."""
    history = small_history("k", "Не подошел размер")
    page = Page(html_report(history, APRIL, today=date(2025, 6, 1)))
    assert page.text("rate-value") == "50.00%"
    assert page.text("completeness").startswith("Complete")
    assert page.body("reason-table") == [["size fit", "2", "100.00%", "\u2013", "0"]]
    assert page.body("sku-table")[0][6] == "2"  # refused
    assert page.text("buyers").endswith("These reports name no buyers (a seller's reports do not).")


def test_logistics_are_summed_by_reason_and_drawn_by_sku() -> None:
    """With logistics known, the reasons carry their cost, and a third chart shows it by SKU."""
    bare = small_history("k", "Не подошел размер")
    logistics = [
        Logistics(order_id=o.order_id, to_buyer=50, back=45 if o.cancelled else 0)
        for o in bare.orders
        if o.order_id != "r1"  # the cost of one refusal is not known
    ]
    history = History(orders=bare.orders, sales=bare.sales, logistics=logistics)
    text = html_report(history, APRIL, today=date(2025, 6, 1))
    costs = refusal_costs(history, APRIL, today=date(2025, 6, 1), by="reason")
    paid = costs[ReasonCategory.SIZE_FIT].not_kept.paid
    assert paid == Decimal("95.00")
    page = Page(text)
    assert page.body("reason-table") == [["size fit", "2", "100.00%", "95.00 ₽", "1"]]
    assert page.body("sku-table")[0][10] == "95.00 ₽ (1 of 2)"
    assert 'id="costs-chart"' in text
    assert "1 of the 2 orders not redeemed has no logistics" in " ".join(text.split())


def every_ending() -> History:
    """Seven orders of SKU "k", each ending another way, with logistics for one of them."""
    orders = [
        Order(order_id=f"o{i}", seller_id="s", sku="k", price=100, ordered_at=at(1 + i))
        for i in range(3)
    ]
    orders += [
        Order(
            order_id=f"c-{kind.value}",
            seller_id="s",
            sku="k",
            price=100,
            ordered_at=at(2),
            cancelled_at=at(6),
            cancel_kind=kind,
        )
        for kind in (CancelKind.REFUSED, CancelKind.NOT_COLLECTED, CancelKind.BUYER)
    ]
    returns = [
        Return(order_id="o1", returned_at=at(12), kind=ReturnKind.RETURN),
        Return(order_id="o2", returned_at=at(12), kind=ReturnKind.REFUSED_AT_HANDOVER),
    ]
    sales = [Sale(order_id=f"o{i}", sold_at=at(8)) for i in range(3)]
    return History(
        orders=orders,
        sales=sales,
        returns=returns,
        logistics=[Logistics(order_id="c-refused", to_buyer=50, back=45)],
    )


def test_the_ways_an_order_is_not_redeemed_add_up_and_their_cost_says_what_it_covers() -> None:
    """Refused, returned after purchase and cancelled before handover add up to those not kept.

    A refusal is in one column only, though it is a cancellation (or a return) too; the
    logistics of one unit in five are shown as a sum of one of five.
    """
    history = every_ending()
    (row,) = Page(html_report(history, APRIL, today=date(2025, 6, 1))).body("sku-table")
    refused, after_purchase, before_handover = (int(cell) for cell in row[6:9])
    not_kept = refusal_breakdown(history, APRIL, today=date(2025, 6, 1))[None].not_kept
    assert (refused, after_purchase, before_handover) == (3, 1, 1)
    assert refused + after_purchase + before_handover == not_kept == 5
    assert row[10].replace("\u202f", "") == "95.00 ₽ (1 of 5)"


def test_a_sku_with_dollar_signs_is_drawn_as_written() -> None:
    """Matplotlib would read "$...$" as mathematics, and fail on it: the charts do not."""
    bare = small_history("A$\\frac$B", "x")
    logistics = [Logistics(order_id=o.order_id, to_buyer=50, back=45) for o in bare.orders]
    history = History(orders=bare.orders, sales=bare.sales, logistics=logistics)
    page = Page(html_report(history, APRIL, today=date(2025, 6, 1)))
    assert [row[0] for row in page.body("sku-table")] == ["A$\\frac$B"]
    assert len(page.addresses) == 3  # the trend, the reasons, the costs by SKU


def test_completeness_says_what_is_missing() -> None:
    """A closed window with data that ends early, or data whose reach is unknown."""
    bare = small_history("k", "x")
    early = History(orders=bare.orders, sales=bare.sales, horizon=at(20))
    with pytest.warns(BeyondHorizonWarning) as warned:
        page = Page(html_report(early, APRIL, today=date(2025, 6, 1)))
    assert len(warned) == 1  # once for the page, not once per figure on it
    assert page.text("completeness") == (
        "Not complete: the sales window closed on 2025-05-15, but the data ends on 2025-04-20: "
        "sales made after it are missing. Download the reports again."
    )
    page = Page(html_report(bare, APRIL, today=date(2025, 6, 1)))
    assert page.text("completeness").startswith("Complete: the sales window closed on 2025-05-15.")
    assert "is not known" in page.text("completeness")


def test_few_buyers_are_split_between_the_edges_at_the_middle(sample: History) -> None:
    """With fewer than twice the buyers asked for, no one at one edge beats one at the other."""
    reports = buyer_reports(sample, today=SAMPLE_TODAY)
    qualified = [r for r in reports.values() if r.placed >= 20 and r.rate is not None]
    page = Page(html_report(sample, APRIL, today=SAMPLE_TODAY, min_orders=20))
    lowest, highest = page.body("buyers-lowest"), page.body("buyers-highest")
    assert 0 < len(qualified) < 20
    assert len(lowest) + len(highest) == len(qualified)
    assert 0 <= len(lowest) - len(highest) <= 1
    rates = {buyer: r.rate for buyer, r in reports.items() if r.rate is not None}
    assert max(rates[r[0]] for r in lowest) <= min(rates[r[0]] for r in highest)
    none = Page(html_report(sample, APRIL, today=SAMPLE_TODAY, buyers=0))
    assert none.text("buyers").endswith("No buyers shown: none were asked for.")


def test_a_price_weighted_policy_and_a_shop_are_labelled(sample: History) -> None:
    """By price, the percentage says so; with a shop, its ransom amount has a column."""
    policy = Policy(rules=[], weight="price", title="by price")
    shop = sample.orders[0].seller_id
    page = Page(html_report(sample, APRIL, today=SAMPLE_TODAY, policy=policy, seller_id=shop))
    header = page.rows["buyers-lowest"][0]
    assert "Percentage (by price)" in header
    assert f"Ransom with {shop}" in header
    statuses = buyer_statuses(sample, today=SAMPLE_TODAY, policy=policy, seller_id=shop)
    for row in page.body("buyers-lowest"):
        status = statuses[row[0]]
        assert status.report.rate is not None
        assert row[4] == f"{percent(status.report.rate)}%"
        assert row[6].replace("\u202f", "") == f"{status.shop_ransom:,.2f} ₽".replace(",", "")


def test_the_page_stands_alone_and_is_the_same_each_time(sample: History) -> None:
    """Every address on the page is an embedded image; the page is deterministic."""
    first = html_report(sample, APRIL, today=SAMPLE_TODAY)
    assert first == html_report(sample, APRIL, today=SAMPLE_TODAY)
    page = Page(first)
    assert page.addresses, "the charts are there"
    assert all(address.startswith("data:image/svg+xml;base64,") for address in page.addresses)
    assert not re.search(r"<(link|iframe|object|embed)\b", first)


def test_the_loyalty_standing_shows_when_a_programme_is_given(sample: History) -> None:
    """With a programme, each month of the period begun by today has its standing."""
    without = Page(html_report(sample, APRIL, today=SAMPLE_TODAY))
    assert "loyalty-table" not in without.rows
    period = Period(date(2025, 3, 1), date(2025, 4, 30))
    page = Page(html_report(sample, period, today=SAMPLE_TODAY, programme=wb_2024()))
    months = [row[0] for row in page.body("loyalty-table")]
    assert months == ["2025-03", "2025-04"]
    assert {row[1] for row in page.body("loyalty-table")} == {"wb-2024"}


def test_the_import_is_accounted_for_on_the_page() -> None:
    """The counts of the import report are on the page, and add up."""
    history, imported = read_order_lines(sample_lines_path())
    page = Page(html_report(history, APRIL, today=SAMPLE_TODAY, imported=imported))
    (header, counts) = page.rows["import-table"]
    shown = dict(zip(header, map(int, counts), strict=True))
    assert shown["rows read"] == imported.rows_read
    assert (
        shown["rows read"]
        == shown["orders"] + shown["merged"] + shown["skipped"] + shown["refused"]
    )


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"period": (date(2025, 4, 1), date(2025, 4, 2))}, ArgumentTypeError),
        ({"today": datetime(2025, 4, 30, tzinfo=MOSCOW)}, ArgumentTypeError),
        ({"buyers": -1}, InvalidArgumentError),
        ({"min_orders": 1.5}, InvalidArgumentError),
    ],
)
def test_bad_arguments_are_refused(changes: dict[str, Any], error: type[Exception]) -> None:
    """A period that is not a Period, an instant for a day, a bad count: typed errors."""
    arguments: dict[str, Any] = {"period": APRIL, "today": date(2025, 6, 1)} | changes
    with pytest.raises(error):
        html_report(small_history("k", "x"), **arguments)


def test_without_the_extra_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Jinja2 the error names the extra to install."""
    monkeypatch.setitem(sys.modules, "jinja2", None)
    with pytest.raises(MissingExtraError, match=r"redemption\[report\]"):
        html_report(small_history("k", "x"), APRIL, today=date(2025, 6, 1))


def test_the_command_writes_the_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`redemption report --sample` writes the page, with the rate of the period."""
    out = tmp_path / "report.html"
    argv = ["report", "--sample", "--period", "2025-04-01..2025-04-15", "--today", "2025-04-30"]
    assert main([*argv, "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().err
    history, _ = read_order_lines(sample_lines_path())
    rate = redemption_rate(history, APRIL, today=SAMPLE_TODAY).rate
    assert rate is not None
    assert Page(out.read_text(encoding="utf-8")).text("rate-value") == f"{percent(rate)}%"


@pytest.mark.parametrize(
    ("out", "words"),
    [
        ("report.txt", "name a .html file"),
        ("missing/report.html", "no folder"),
        ("folder.html", "a folder"),
    ],
)
def test_the_command_refuses_a_bad_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], out: str, words: str
) -> None:
    """A page not named .html, in no folder, or a folder, is refused in one line."""
    (tmp_path / "folder.html").mkdir()
    argv = ["report", "--sample", "--period", "2025-04", "--today", "2025-04-30"]
    assert main([*argv, "--out", str(tmp_path / out)]) == 1
    err = capsys.readouterr().err
    assert words in err
    assert len(err.strip().splitlines()) == 1


def test_the_command_asks_for_the_shop_of_a_shop_ransom_policy_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A policy whose rules read the ransom with one shop needs --shop, before any reading."""
    policy = tmp_path / "tiers.toml"
    policy.write_text(
        '[[rule]]\nname = "discount"\nkind = "privilege"\nfigure = "shop_ransom"\n'
        "at_least = 1000\n",
        encoding="utf-8",
    )
    argv = ["report", "--sample", "--period", "2025-04", "--today", "2025-04-30"]
    argv += ["--policy", str(policy), "--out", str(tmp_path / "r.html")]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("redemption: error: --policy")
    assert "--shop" in err
    assert "read " not in err  # refused before the reports were read
    assert main([*argv, "--shop", "shop-north"]) == 0


def test_the_command_shows_the_loyalty_standing_with_targets(tmp_path: Path) -> None:
    """--programme with --targets adds the loyalty standing of the period's months."""
    targets = tmp_path / "targets.toml"
    targets.write_text(TARGETS_2024, encoding="utf-8")
    out = tmp_path / "report.html"
    argv = ["report", "--sample", "--period", "2025-04", "--today", "2025-04-30"]
    argv += ["--programme", "wb-2024", "--targets", str(targets), "--out", str(out)]
    assert main(argv) == 0
    page = Page(out.read_text(encoding="utf-8"))
    assert [row[0] for row in page.body("loyalty-table")] == ["2025-04"]


def test_a_week_of_days_and_a_year_of_months() -> None:
    """The buckets of the rate over time follow the period's length."""
    history = small_history("k", "x")
    day = html_report(history, APRIL, today=date(2025, 6, 1))
    year = html_report(history, Period(date(2024, 6, 1), date(2025, 4, 30)), today=date(2025, 6, 1))
    assert "Each day's own orders" in day
    assert "Each month's own orders" in year
