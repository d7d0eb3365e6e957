from __future__ import annotations

import pickle
import re
import sys
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import pytest

# With the `test` extra alone there is no narwhals and no engine: skip, saying so.
for _name in ("narwhals", "pandas", "polars", "pyarrow"):
    pytest.importorskip(
        _name, reason=f"{_name} is not installed: the results tests need the dev extra"
    )

import pandas as pd  # noqa: E402 - after the skips
import polars as pl  # noqa: E402
import polars.testing  # noqa: E402
import pyarrow as pa  # noqa: E402
from dateutil.relativedelta import relativedelta  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from redemption import (  # noqa: E402
    BuyerReport,
    BuyerReports,
    BuyerStatuses,
    DayWindow,
    History,
    MissingExtraError,
    Period,
    Policy,
    RansomAmounts,
    RateReport,
    Rates,
    Return,
    Rule,
    Sale,
    buyer_redemption_percentage,
    buyer_reports,
    buyer_statuses,
    frames,
    ransom_amounts,
    redemption_rate,
    redemption_rates,
    redemption_window,
)
from redemption.calculators import outcome_counts  # noqa: E402
from redemption.calculators._tables import HTML_ROWS  # noqa: E402
from redemption.money import to_kopecks  # noqa: E402
from tests.builders import an_order, msk  # noqa: E402
from tests.strategies import Scenario, matched_scenarios  # noqa: E402

Engine = Literal["polars", "pandas", "pyarrow"]
ENGINES: tuple[Engine, ...] = ("polars", "pandas", "pyarrow")
APRIL = Period(date(2025, 4, 1), date(2025, 4, 30))
RATE_WINDOW_COLUMNS = ["orders_first", "orders_last", "sales_first", "sales_last", "complete"]
BUYER_WINDOW_COLUMNS = ["orders_first", "orders_last"]

PROPERTY = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _history() -> History:
    """Every outcome, buyers and no buyer, two sellers, two SKUs, in April 2025."""
    return History(
        orders=[
            an_order("o1", msk("2025-04-02T10:00"), sku="a", buyer_id="b1", seller_id="s1"),
            an_order("o2", msk("2025-04-03T10:00"), sku="a", buyer_id="b1", seller_id="s2"),
            an_order(
                "o3",
                msk("2025-04-04T10:00"),
                sku="b",
                buyer_id="b2",
                price="500.50",
                cancelled_at=msk("2025-04-06T10:00"),
            ),
            an_order("o4", msk("2025-04-05T10:00"), sku="b", price=700, buyer_id="b3"),
        ],
        sales=[
            Sale(order_id="o1", sold_at=msk("2025-04-05T10:00")),
            Sale(order_id="o2", sold_at=msk("2025-04-06T10:00")),
        ],
        returns=[Return(order_id="o2", returned_at=msk("2025-04-09T10:00"))],
    )


def _table(result: Rates[Any] | BuyerReports | RansomAmounts, engine: Engine) -> Any:
    """The result as a frame of `engine`."""
    if engine == "polars":
        return result.to_polars()
    if engine == "pandas":
        return result.to_pandas()
    return result.to_arrow()


def _assert_the_frames_figure(got: Any, want: Any, key: str, engine: Engine) -> None:
    """`got` begins with exactly `want`'s columns, and on them it is `want`, row for row.

    Each engine's own comparison, types included; rows are compared in key order, as the
    frames do not define one.
    """
    if engine == "polars":
        assert got.columns[: len(want.columns)] == want.columns
        polars.testing.assert_frame_equal(
            got.select(want.columns), want, check_row_order=False, check_exact=True
        )
    elif engine == "pandas":
        assert list(got.columns[: len(want.columns)]) == list(want.columns)
        pd.testing.assert_frame_equal(
            got[list(want.columns)].sort_values(key).reset_index(drop=True),
            want.sort_values(key).reset_index(drop=True),
            check_exact=True,
        )
    else:
        assert got.column_names[: want.num_columns] == want.column_names
        mine = got.select(want.column_names).sort_by(key)
        assert mine.schema == want.schema
        assert mine.equals(want.sort_by(key))


class TestTheTablesAreTheFramesFigures:
    """
    On random histories, each result's table has the columns and types of the figure of
    redemption.frames on the same lines, and the same values, on every eager engine.
    """

    @pytest.mark.parametrize("engine", ENGINES)
    def test_redemption_rates(self, engine: Engine) -> None:
        """
        Per SKU and per seller: the frames' columns first, equal to theirs.
        """

        @PROPERTY
        @given(scenario=matched_scenarios(), by=st.sampled_from(["sku", "seller"]))
        def check(scenario: Scenario, by: Literal["sku", "seller"]) -> None:
            history = scenario.records.history()
            rates = redemption_rates(
                history, scenario.period, today=scenario.today, by=by, tz=scenario.tz
            )
            want = frames.redemption_rates(
                frames.to_lines(history, backend=engine),
                period=scenario.period,
                today=scenario.today,
                by=by,
                tz=scenario.tz,
            )
            key = {"sku": "sku", "seller": "seller_id"}[by]
            _assert_the_frames_figure(_table(rates, engine), want, key, engine)

        check()

    @pytest.mark.parametrize("engine", ENGINES)
    def test_buyer_reports(self, engine: Engine) -> None:
        """
        Over two years or over the period: the frames' columns first, equal to theirs.
        """

        @PROPERTY
        @given(scenario=matched_scenarios(), whole=st.booleans())
        def check(scenario: Scenario, whole: bool) -> None:  # noqa: FBT001 - a drawn flag
            history = scenario.records.history()
            period = None if whole else scenario.period
            reports = buyer_reports(history, today=scenario.today, period=period, tz=scenario.tz)
            want = frames.buyer_reports(
                frames.to_lines(history, backend=engine),
                today=scenario.today,
                period=period,
                tz=scenario.tz,
            )
            _assert_the_frames_figure(_table(reports, engine), want, "buyer_id", engine)

        check()

    @pytest.mark.parametrize("engine", ENGINES)
    def test_ransom_amounts(self, engine: Engine) -> None:
        """
        Over two years or 30 days, for one seller or all: exactly the frames' columns.
        """

        @PROPERTY
        @given(
            scenario=matched_scenarios(),
            window=st.sampled_from([relativedelta(years=2), timedelta(days=30)]),
            seller=st.sampled_from([None, "s1"]),
        )
        def check(
            scenario: Scenario, window: relativedelta | timedelta, seller: str | None
        ) -> None:
            history = scenario.records.history()
            amounts = ransom_amounts(
                history, today=scenario.today, tz=scenario.tz, window=window, seller_id=seller
            )
            want = frames.ransom_amounts(
                frames.to_lines(history, backend=engine),
                today=scenario.today,
                tz=scenario.tz,
                window=window,
                seller_id=seller,
            )
            got = _table(amounts, engine)
            _assert_the_frames_figure(got, want, "buyer_id", engine)
            assert len(got.columns) == len(want.columns)

        check()

    @pytest.mark.parametrize("engine", ENGINES)
    def test_nothing_in_the_period_is_an_empty_table_of_the_same_types(
        self, engine: Engine
    ) -> None:
        """
        No order in the window: no row, and still every column with its type.
        """
        history = _history()
        march = Period(date(2025, 3, 1), date(2025, 3, 2))
        rates = redemption_rates(history, march, today=date(2025, 3, 2))
        assert rates == {}
        want = frames.redemption_rates(
            frames.to_lines(history, backend=engine), period=march, today=date(2025, 3, 2)
        )
        got = _table(rates, engine)
        _assert_the_frames_figure(got, want, "sku", engine)
        names = got.column_names if engine == "pyarrow" else list(got.columns)
        assert names[len(names) - len(RATE_WINDOW_COLUMNS) :] == RATE_WINDOW_COLUMNS


STATUS_POLICY = Policy(
    rules=[
        Rule(name="free delivery", kind="privilege", figure="percentage", at_least=80),
        Rule(name="prepayment", kind="restriction", figure="ransom", below=1000),
        Rule(name="shop discount", kind="privilege", figure="shop_ransom", at_least=500),
    ]
)


class TestBuyerStatusesTable:
    @pytest.mark.parametrize("engine", ENGINES)
    def test_each_buyer_its_figures_ransoms_and_a_flag_per_rule(self, engine: Engine) -> None:
        """
        On random histories: a row per buyer; the report's columns as `BuyerReports`
        gives them, the ransom amounts in kopecks as frames gives them, and each rule's
        flag as its decision says.
        """

        @PROPERTY
        @given(scenario=matched_scenarios())
        def check(scenario: Scenario) -> None:
            history, today, tz = scenario.records.history(), scenario.today, scenario.tz
            statuses = buyer_statuses(
                history, today=today, tz=tz, policy=STATUS_POLICY, seller_id="s1"
            )
            table = pl.from_arrow(statuses.to_arrow()) if engine == "pyarrow" else (
                pl.from_pandas(statuses.to_pandas()) if engine == "pandas"
                else statuses.to_polars()
            )  # fmt: skip
            assert isinstance(table, pl.DataFrame)
            flags = ["privilege: free delivery", "restriction: prepayment",
                     "privilege: shop discount"]  # fmt: skip
            assert table.columns == [
                "buyer_id", "placed", "sold", "returned", "in_transit", "rate",
                "ransom_kopecks", "shop_ransom_kopecks", *flags, *BUYER_WINDOW_COLUMNS,
            ]  # fmt: skip
            assert table["buyer_id"].to_list() == list(statuses)
            for row, status in zip(table.iter_rows(named=True), statuses.values(), strict=True):
                assert row["placed"] == status.report.placed
                assert row["ransom_kopecks"] == to_kopecks(status.ransom)
                assert status.shop_ransom is not None
                assert row["shop_ransom_kopecks"] == to_kopecks(status.shop_ransom)
                assert [row[flag] for flag in flags] == [d.applies for d in status.decisions]
            ransoms = frames.ransom_amounts(
                frames.to_lines(history, backend="polars"), today=today, tz=tz
            )
            assert dict(ransoms.select("buyer_id", "ransom_kopecks").iter_rows()) == dict(
                table.select("buyer_id", "ransom_kopecks").iter_rows()
            )

        check()

    def test_without_a_shop_there_is_no_shop_column_and_the_types_hold_when_empty(self) -> None:
        """
        No shop given: no ``shop_ransom_kopecks``; no buyer: an empty table, its types kept.
        """
        policy = Policy(rules=[STATUS_POLICY.rules[0]])
        statuses = buyer_statuses(_history(), today=date(2025, 6, 1), policy=policy)
        assert isinstance(statuses, BuyerStatuses)
        assert "shop_ransom_kopecks" not in statuses.to_polars().columns
        empty = buyer_statuses(History(), today=date(2025, 6, 1), policy=policy)
        schema = empty.to_polars().schema
        assert schema["placed"] == pl.Int64()
        assert schema["ransom_kopecks"] == pl.Int64()
        assert schema["privilege: free delivery"] == pl.Boolean()
        assert "free delivery" in statuses._repr_html_()


class TestTheTablesCarryTheWindows:
    def test_each_rate_row_has_its_windows_and_completeness(self) -> None:
        """
        The windows of seed 003 (15-30 April extended to 1 April, sales to 30 May) and
        completeness, before and after the sales window closes.
        """
        history = _history()
        period = Period(date(2025, 4, 15), date(2025, 4, 30))
        early = redemption_rates(history, period, today=date(2025, 5, 10)).to_polars()
        late = redemption_rates(history, period, today=date(2025, 6, 30)).to_polars()
        assert early.select(RATE_WINDOW_COLUMNS).unique().rows() == [
            (date(2025, 4, 1), date(2025, 4, 30), date(2025, 4, 1), date(2025, 5, 10), False)
        ]
        assert late.select(RATE_WINDOW_COLUMNS).unique().rows() == [
            (date(2025, 4, 1), date(2025, 4, 30), date(2025, 4, 1), date(2025, 5, 30), True)
        ]
        assert late.schema["orders_first"] == pl.Date
        assert late.schema["complete"] == pl.Boolean

    def test_data_that_ends_early_is_not_complete_in_the_table_either(self) -> None:
        """
        A history whose data stops before the sales window ends: `complete` is false, as
        the record says, though 30 days have passed.
        """
        history = History(orders=_history().orders, horizon=msk("2025-05-30T12:00"))
        rates = redemption_rates(history, APRIL, today=date(2025, 5, 30))
        assert all(report.window.complete for report in rates.values())
        assert rates.to_pandas()["complete"].tolist() == [False, False]

    def test_each_buyer_row_has_its_orders_window(self) -> None:
        """
        Two calendar years by default, the period when given; dates in pandas too.
        """
        history = _history()
        default = buyer_reports(history, today=date(2025, 4, 30)).to_pandas()
        assert set(default["orders_first"]) == {date(2023, 4, 30)}
        assert set(default["orders_last"]) == {date(2025, 4, 30)}
        period = buyer_reports(history, today=date(2025, 4, 30), period=APRIL).to_arrow()
        assert period.column("orders_first").type == pa.date32()
        assert set(period.column("orders_first").to_pylist()) == {date(2025, 4, 1)}


class TestWhatTheTablesHold:
    def test_rates_are_the_floats_of_the_exact_fractions(self) -> None:
        """
        Counts as they are, rates the float of the Fraction the record keeps.
        """
        rates = redemption_rates(_history(), APRIL, today=date(2025, 4, 30))
        rows = {row["sku"]: row for row in rates.to_arrow().to_pylist()}
        for sku, report in rates.items():
            assert report.rate is not None
            assert report.rate_with_returns is not None
            assert rows[sku]["orders"] == report.orders
            assert rows[sku]["rate"] == float(report.rate)
            assert rows[sku]["rate_with_returns"] == float(report.rate_with_returns)

    def test_ransom_is_whole_kopecks_in_a_column_that_says_so(self) -> None:
        """
        500.50 roubles on the record are 50050 in ``ransom_kopecks``.
        """
        history = History(
            orders=_history().orders,
            sales=[Sale(order_id="o4", sold_at=msk("2025-04-06T10:00"))],
        )
        amounts = ransom_amounts(history, today=date(2025, 4, 30))
        assert amounts["b3"] == Decimal("700.00")
        table = amounts.to_polars()
        assert table.columns == ["buyer_id", "ransom_kopecks"]
        assert dict(table.rows()) == {
            buyer: to_kopecks(amount) for buyer, amount in amounts.items()
        }
        assert dict(table.rows())["b3"] == 70000

    def test_buyers_weighed_by_price_add_their_kopecks(self) -> None:
        """
        Weighed by price, the rate is by roubles and the values are kopeck columns.
        """
        history = History(
            orders=_history().orders,
            sales=[
                Sale(order_id="o1", sold_at=msk("2025-04-05T10:00")),
                Sale(order_id="o4", sold_at=msk("2025-04-06T10:00")),
            ],
        )
        reports = buyer_reports(history, today=date(2025, 4, 30), weight="price")
        table = reports.to_polars()
        assert table.columns == [
            "buyer_id",
            "placed",
            "sold",
            "returned",
            "in_transit",
            "rate",
            "placed_kopecks",
            "kept_kopecks",
            "orders_first",
            "orders_last",
        ]
        rows = {row["buyer_id"]: row for row in table.to_dicts()}
        for buyer, report in reports.items():
            assert report.placed_value is not None
            assert report.kept_value is not None
            assert rows[buyer]["placed_kopecks"] == to_kopecks(report.placed_value)
            assert rows[buyer]["kept_kopecks"] == to_kopecks(report.kept_value)
            assert rows[buyer]["rate"] == (None if report.rate is None else float(report.rate))
        # b2's one order, 500.50, was cancelled: nothing kept of it
        assert rows["b2"]["placed_kopecks"] == 50050
        assert rows["b2"]["rate"] == 0.0

    def test_a_grouping_of_the_callers_is_a_group_column(self) -> None:
        """
        Grouped by a function, the key column is ``group``, typed from its values.
        """
        rates = redemption_rates(
            _history(), APRIL, today=date(2025, 4, 30), by=lambda order: order.seller_id
        )
        table = rates.to_polars()
        assert table.columns[0] == "group"
        assert sorted(table["group"].to_list()) == ["s", "s1", "s2"]
        pairs = redemption_rates(
            _history(), APRIL, today=date(2025, 4, 30), by=lambda o: (o.seller_id, o.sku)
        )
        assert len(pairs.to_arrow()) == 3

    def test_the_results_are_still_dictionaries(self) -> None:
        """
        Code that reads a dict reads them unchanged, and they equal plain dicts.
        """
        history = _history()
        rates = redemption_rates(history, APRIL, today=date(2025, 4, 30))
        reports = buyer_reports(history, today=date(2025, 4, 30))
        amounts = ransom_amounts(history, today=date(2025, 4, 30))
        for result, kind in ((rates, Rates), (reports, BuyerReports), (amounts, RansomAmounts)):
            assert isinstance(result, dict)
            assert isinstance(result, kind)
            assert result == dict(result.items())
        assert sorted(rates) == ["a", "b"]
        assert rates.key == "sku"
        again = pickle.loads(pickle.dumps(rates))  # noqa: S301 - our own bytes
        assert type(again) is Rates
        assert again.key == "sku"
        assert again == rates
        assert redemption_rates(history, APRIL, today=date(2025, 4, 30), by="seller").key == (
            "seller_id"
        )


def _report(orders: int, sales: int, returns: int, **more: Any) -> RateReport:
    """A report over April 2025, computed on 30 June (complete unless told otherwise)."""
    window = redemption_window(APRIL, today=date(2025, 6, 30))
    return RateReport(
        orders=orders,
        sales=sales,
        returns=returns,
        in_transit=more.pop("in_transit", 0),
        unmatched=more.pop("unmatched", 0),
        window=window,
        **more,
    )


def _buyer(buyer_id: str, placed: int, sold: int, returned: int) -> BuyerReport:
    return BuyerReport(
        buyer_id,
        placed,
        sold,
        returned,
        0,
        "count",
        DayWindow(date(2023, 4, 30), date(2025, 4, 30)),
    )


class TestReprs:
    def test_a_rate_report_shows_its_rate_counts_windows_and_completeness(self) -> None:
        """
        The rate with the counts it is made of, unreduced, and the two windows.
        """
        shown = repr(_report(10, 8, 1, in_transit=2))
        assert shown.startswith("RateReport(rate=0.8000 (8/10), rate_with_returns=0.7000, ")
        assert "orders=10, sales=8, returns=1, in_transit=2" in shown
        assert "orders 2025-04-01..2025-04-30" in shown
        assert "sales 2025-04-01..2025-05-30" in shown
        assert shown.endswith(", complete)")
        assert "unmatched" not in shown
        assert len(shown) < 200

    def test_no_order_counted_is_no_rate_and_unmatched_events_are_shown(self) -> None:
        """
        0 orders: rate None, not 0; unmatched sales and returns appear when there are any.
        """
        shown = repr(_report(0, 0, 0, unmatched=3, unmatched_returns=1))
        assert "rate=None, rate_with_returns=None" in shown
        assert "unmatched=3, unmatched_returns=1" in shown

    def test_a_figure_that_can_still_move_says_so(self) -> None:
        """
        Before the sales window closes, and when the data stops short of its end.
        """
        early = RateReport(
            orders=1,
            sales=1,
            returns=0,
            in_transit=0,
            unmatched=0,
            window=redemption_window(APRIL, today=date(2025, 5, 10)),
        )
        assert repr(early).endswith(", not complete)")
        short = _report(1, 1, 0, covered=False)
        assert repr(short).endswith(", not complete: the data ends before the sales window)")

    def test_a_buyer_report_shows_the_buyer_and_the_rate(self) -> None:
        """
        The kept orders over the placed ones; by price, roubles over roubles.
        """
        shown = repr(_buyer("b-7", 4, 4, 2))
        assert shown.startswith("BuyerReport(buyer_id='b-7', rate=0.5000 (2/4), placed=4, ")
        assert "orders 2023-04-30..2025-04-30" in shown
        by_price = _buyer("b-7", 2, 1, 0)._replace(
            weight="price", placed_value=Decimal("1000.00"), kept_value=Decimal("250.00")
        )
        assert "rate=0.2500 (250.00/1000.00) by price" in repr(by_price)
        assert "rate=None" in repr(_buyer("b-7", 0, 0, 0))

    def test_the_calculators_results_show_their_rate(self) -> None:
        """
        What a notebook prints for one figure holds the figure.
        """
        history = _history()
        total = redemption_rate(history, APRIL, today=date(2025, 4, 30))
        assert total.rate == Fraction(2, 3)
        assert "rate=0.6667 (2/3)" in repr(total)
        buyer = buyer_redemption_percentage(history, "b1", today=date(2025, 4, 30))
        assert "rate=0.5000 (1/2)" in repr(buyer)


class TestHtml:
    def test_outcome_counts_show_their_rate_and_outcomes(self) -> None:
        """
        The breakdown of a rate: its rate first in the repr and the table, then the
        outcomes some order had.
        """
        [counts] = outcome_counts(_history(), APRIL, today=date(2025, 4, 30)).values()
        assert repr(counts).startswith("OutcomeCounts(rate=0.6667 (2/3), orders=3, ")
        page = counts._repr_html_()
        assert "<th>rate</th><td>0.6667 (2/3)</td>" in page
        assert "<th>kept</th><td>1</td>" in page
        assert "<th>cancelled/unknown</th><td>1</td>" in page

    def test_a_report_is_a_table_with_its_rate(self) -> None:
        """
        One row per field, the rate among them.
        """
        page = _report(10, 8, 1)._repr_html_()
        assert page.startswith("<table>")
        assert "<th>rate</th><td>0.8000 (8/10)</td>" in page
        assert "<th>orders window</th><td>2025-04-01..2025-04-30</td>" in page
        page = _buyer("b-7", 4, 4, 2)._repr_html_()
        assert "<th>rate</th><td>0.5000 (2/4)</td>" in page
        assert "<th>percentage</th><td>50.00</td>" in page

    def test_text_from_the_data_is_escaped(self) -> None:
        """
        An article or buyer id with markup in it is shown as text, never as markup.
        """
        rates = Rates({"<script>alert(1)</script>": _report(1, 1, 0)}, key="sku")
        page = rates._repr_html_()
        assert "<script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        buyers = BuyerReports({"<b>": _buyer("<b>", 1, 1, 0)})
        assert "<b>" not in buyers._repr_html_()
        assert "<b>" not in _buyer("<b>", 1, 1, 0)._repr_html_()
        assert "<b>" not in RansomAmounts({"<b>": Decimal(1)})._repr_html_()

    def test_a_long_collection_shows_its_first_rows_and_counts_the_rest(self) -> None:
        """
        60 groups: 50 rows, then one line that says 10 more.
        """
        rates = Rates({f"nm-{i:02}": _report(i, 0, 0) for i in range(60)}, key="sku")
        page = rates._repr_html_()
        body = page.split("<tbody>", 1)[1]
        assert body.count("<tr>") == HTML_ROWS + 1
        assert "\u2026 10 more" in page
        assert "nm-49" in page
        assert "nm-50" not in page
        assert "<caption>Rates by sku: 60 groups</caption>" in page
        assert "<th>sku</th><th>orders</th>" in page

    def test_a_short_collection_shows_every_row_and_no_more_line(self) -> None:
        """
        Three rows: all shown, no "more" line; a rate without orders is an empty cell.
        """
        rates = Rates({name: _report(n, n, 0) for n, name in enumerate("abc")}, key="sku")
        page = rates._repr_html_()
        assert page.split("<tbody>", 1)[1].count("<tr>") == 3
        assert "more" not in page
        assert "<td>a</td><td>0</td><td>0</td><td>0</td><td>0</td><td></td><td></td>" in page

    def test_money_is_shown_in_roubles_under_its_plain_name(self) -> None:
        """
        The table holds kopecks; the notebook shows roubles, as the command line does.
        """
        page = RansomAmounts({"b-7": Decimal("1520.50")})._repr_html_()
        assert "<th>buyer_id</th><th>ransom</th>" in page
        assert "<td>1520.50</td>" in page
        assert "152050" not in page
        assert re.search(r"<caption>RansomAmounts: 1 buyer</caption>", page)


class TestWithoutTheEngine:
    @pytest.mark.parametrize(
        ("method", "engine"),
        [("to_polars", "polars"), ("to_pandas", "pandas"), ("to_arrow", "pyarrow")],
    )
    def test_the_error_names_what_to_install(
        self, method: str, engine: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """
        A MissingExtraError (an ImportError) that says which library the method needs
        and how to install it.
        """
        monkeypatch.setitem(sys.modules, engine, None)
        amounts = RansomAmounts({"b": Decimal(1)})
        with pytest.raises(
            MissingExtraError, match=rf"{method}\(\) needs {engine}.*pip install {engine}"
        ):
            getattr(amounts, method)()

    def test_the_results_need_no_engine_until_converted(self) -> None:
        """
        Computing and printing a figure imports no frame library.
        """
        code = (
            "import sys; from datetime import date; from redemption import *; "
            "from redemption.sample import sample_history; "
            "h = sample_history()[0]; "
            "r = redemption_rates(h, Period(date(2025, 3, 1), date(2025, 3, 31)), "
            "today=date(2025, 4, 30)); repr(r); r._repr_html_(); "
            "print(sorted({'polars', 'pandas', 'pyarrow', 'narwhals'} & set(sys.modules)))"
        )
        import subprocess  # noqa: PLC0415 - only this test runs a process

        done = subprocess.run(  # noqa: S603 - this interpreter, our own code
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert done.stdout.strip() == "[]"
