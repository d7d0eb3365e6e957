"""The analysis commands: `redemption refusals` and `redemption trend`."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from redemption import Period
from redemption.analysis import Outcome, rate_series, refusal_breakdown
from redemption.cli import main
from redemption.outcomes import CancelKind
from redemption.sample import SAMPLE_TODAY, sample_history

MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))


class TestRefusals:
    def test_the_json_is_the_librarys_breakdown(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        Every count the command prints for the period is refusal_breakdown's, as of the
        last day the sample reaches.
        """
        assert main(["refusals", "--sample", "--period", str(MARCH), "--format", "json"]) == 0
        document = json.loads(capsys.readouterr().out)
        (expected,) = refusal_breakdown(sample_history()[0], MARCH, today=SAMPLE_TODAY).values()
        (group,) = document["groups"]
        assert document["today"] == SAMPLE_TODAY.isoformat()
        assert (group["orders"], group["sales"], group["not_kept"]) == (
            expected.orders,
            expected.sales,
            expected.not_kept,
        )
        assert (
            group["cancelled_unknown"] == expected.outcomes[Outcome.CANCELLED, CancelKind.UNKNOWN]
        )
        assert group["kept"] == expected.outcomes[Outcome.KEPT, None]
        assert document["complete"] is expected.complete

    def test_by_sku_is_one_row_a_sku_adding_up_to_the_whole(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        The CSV by SKU has a row per SKU with orders, and their counts add up to the
        period's.
        """
        argv = ["refusals", "--sample", "--period", str(MARCH), "--by", "sku", "--format", "csv"]
        assert main(argv) == 0
        rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
        (whole,) = refusal_breakdown(sample_history()[0], MARCH, today=SAMPLE_TODAY).values()
        assert sum(int(row["orders"]) for row in rows) == whole.orders
        assert sum(int(row["kept"]) for row in rows) == whole.outcomes[Outcome.KEPT, None]
        assert len({row["sku"] for row in rows}) == len(rows)

    def test_the_table_lists_outcomes_and_reasons(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        The table shows the rate with its interval, each outcome that happened with its
        share, and the reasons of the orders not kept.
        """
        assert main(["refusals", "--sample", "--period", str(MARCH)]) == 0
        out = capsys.readouterr().out
        (b,) = refusal_breakdown(sample_history()[0], MARCH, today=SAMPLE_TODAY).values()
        assert f"orders {b.orders} counted" in out
        assert "95% interval" in out
        assert f"reasons of the {b.not_kept} orders not kept" in out
        assert "cancelled_unknown" in out


class TestTrend:
    def test_the_buckets_are_the_librarys_series(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        One CSV row per week of order days, with rate_series's counts; weeks whose window
        has not closed are marked open.
        """
        argv = ["trend", "--sample", "--start", "2025-03-01", "--end", "2025-04-30"]
        assert main([*argv, "--freq", "week", "--format", "csv"]) == 0
        rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
        (points,) = rate_series(
            sample_history()[0],
            start=date(2025, 3, 1),
            end=date(2025, 4, 30),
            freq="week",
            today=SAMPLE_TODAY,
        ).values()
        assert [(r["first"], int(r["orders"]), int(r["sales"])) for r in rows] == [
            (p.first.isoformat(), p.orders, p.sales) for p in points
        ]
        assert [r["complete"] == "true" for r in rows] == [p.complete for p in points]
        assert rows[0]["first"] == "2025-03-01"  # the first week, clipped to --start

    def test_start_after_end_is_refused_in_one_line(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A range that ends before it starts is an error, status 1, no traceback."""
        assert main(["trend", "--sample", "--start", "2025-04-01", "--end", "2025-03-01"]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert err[-1] == "redemption: error: --start 2025-04-01 is after --end 2025-03-01"


class TestEdges:
    def test_no_group_still_writes_the_header(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        A period with no order writes the CSV's header alone, for refusals by SKU and for a
        trend by SKU, instead of failing.
        """
        argv = ["refusals", "--sample", "--period", "2020-01-01..2020-01-31", "--by", "sku"]
        assert main([*argv, "--format", "csv"]) == 0
        out = capsys.readouterr().out.splitlines()
        assert len(out) == 1
        assert out[0].startswith("sku,orders,in_transit,sales,returns,rate,rate_with_returns,")
        argv = ["trend", "--sample", "--start", "2020-01-01", "--end", "2020-01-31", "--by", "sku"]
        assert main([*argv, "--format", "csv"]) == 0
        header = (
            "sku,first,last,clipped,complete,orders,in_transit,sales,refused,returned,rate,"
            "refusal_share,return_share,rate_low,rate_high,small,"
            "orders_first,orders_last,sales_first,sales_last"
        )
        assert capsys.readouterr().out.splitlines() == [header]

    def test_by_reason_lists_the_reasons_alone(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The reasons of the orders not redeemed, without the outcome table."""
        assert main(["refusals", "--sample", "--period", str(MARCH), "--by", "reason"]) == 0
        out = capsys.readouterr().out
        assert "reasons of the" in out
        assert "outcome" not in out

    def test_the_shares_of_a_group_add_up_to_the_whole(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        In the table by SKU, kept, returned, late, refused and cancelled are parts of the
        orders: each row's shares add up to 100% (to rounding).
        """
        assert main(["refusals", "--sample", "--period", str(MARCH), "--by", "sku"]) == 0
        rows = [line.split() for line in capsys.readouterr().out.splitlines()[4:]]
        assert rows
        for row in rows:
            total = sum(float(value) for value in row[4:9])
            assert abs(total - 100) < 0.03, row

    def test_a_trend_past_today_is_refused_and_json_is_a_list_of_buckets(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An --end after --today is refused in one line; the JSON holds each bucket."""
        argv = ["trend", "--sample", "--start", "2025-04-01", "--end", "2025-05-10"]
        assert main(argv) == 1
        assert "--end 2025-05-10 is after 2025-04-30" in capsys.readouterr().err
        argv = ["trend", "--sample", "--start", "2025-04-01", "--end", "2025-04-30"]
        assert main([*argv, "--freq", "month", "--format", "json"]) == 0
        (bucket,) = json.loads(capsys.readouterr().out)["buckets"]
        assert (bucket["first"], bucket["last"], bucket["complete"]) == (
            "2025-04-01",
            "2025-04-30",
            False,
        )
