"""What the command line writes: tidy CSV, typed JSON, aligned tables, and its early errors."""

from __future__ import annotations

import argparse
import calendar
import csv
import gzip
import io
import json
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from redemption import Period, Policy, buyer_statuses, redemption_rate, redemption_rates
from redemption.cli import main
from redemption.cli._common import period
from redemption.cli._output import table_lines, text_width, to_json
from redemption.io import read_order_lines
from redemption.sample import SAMPLE_TODAY, sample_history, sample_lines_path

MARCH = "2025-03-01..2025-03-31"
COUNTS = ("orders", "sales", "returns", "in_transit")


def _csv(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[dict[str, str]]:
    assert main([*argv, "--format", "csv"]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def _json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main([*argv, "--format", "json"]) == 0
    document: dict[str, object] = json.loads(capsys.readouterr().out, parse_float=Decimal)
    return document


class TestTidyCsv:
    @pytest.mark.parametrize("by", ["sku", "seller"])
    @pytest.mark.parametrize("chosen", [MARCH, "2025-W14", "2025-04"])
    def test_the_groups_add_up_to_the_total_and_no_row_is_the_total(
        self, by: str, chosen: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        The rate's CSV has one row per group and no total row: each count column sums to
        the --total CSV's, which is redemption_rate's; complete and the windows are columns.
        """
        argv = ["rate", "--sample", "--period", chosen, "--today", str(SAMPLE_TODAY)]
        groups = _csv([*argv, "--by", by], capsys)
        (total,) = _csv([*argv, "--total"], capsys)
        key = {"sku": "sku", "seller": "seller_id"}[by]
        assert "total" not in {row[key] for row in groups}
        assert len({row[key] for row in groups}) == len(groups)
        expected = redemption_rate(sample_history()[0], period(chosen), today=SAMPLE_TODAY)
        for column in COUNTS:
            assert sum(int(row[column]) for row in groups) == int(total[column])
            assert int(total[column]) == getattr(expected, column)
        window = expected.window
        assert {row["complete"] for row in [*groups, total]} == {str(expected.complete).lower()}
        assert (total["orders_first"], total["sales_last"]) == (
            window.orders.first.isoformat(),
            window.sales.last.isoformat(),
        )
        assert int(total["unmatched_sales"]) == expected.unmatched

    def test_pandas_reads_the_csv_and_its_sums_are_the_totals(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        Read back by pandas as a user would: integer counts, float rates, boolean
        completeness, and ``sum()`` of each count column is the seller's total.
        """
        pd = pytest.importorskip("pandas")
        argv = ["rate", "--sample", "--period", "2025-04", "--today", str(SAMPLE_TODAY)]
        assert main([*argv, "--by", "sku", "--format", "csv"]) == 0
        table = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype={"sku": str})
        expected = redemption_rate(sample_history()[0], period("2025-04"), today=SAMPLE_TODAY)
        assert table[list(COUNTS)].sum().to_dict() == {c: getattr(expected, c) for c in COUNTS}
        assert str(table["orders"].dtype) == "int64"
        assert str(table["rate"].dtype) == "float64"
        assert str(table["complete"].dtype) == "bool"

    def test_refusals_and_trend_by_group_add_up_to_the_whole(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        Refusals by SKU sum to refusals without --by (one row, no group column), column by
        column; a trend by seller sums, bucket by bucket, to the trend of every order.
        """
        argv = ["refusals", "--sample", "--period", MARCH]
        groups = _csv([*argv, "--by", "sku"], capsys)
        (whole,) = _csv(argv, capsys)
        assert "sku" not in whole
        counted = [c for c in whole if c == "orders" or c.startswith(("kept", "cancelled"))]
        counted += [c for c in whole if c.startswith(("returned_", "reason_"))]
        assert len(counted) > 10
        for column in counted:
            assert sum(int(row[column]) for row in groups) == int(whole[column]), column
        argv = ["trend", "--sample", "--start", "2025-03-01", "--end", "2025-04-30"]
        by_seller = _csv([*argv, "--by", "seller"], capsys)
        every = _csv(argv, capsys)
        for bucket in every:
            parts = [row for row in by_seller if row["first"] == bucket["first"]]
            assert {row["seller_id"] for row in parts} == {"shop-north", "shop-south"}
            for column in ("orders", "sales", "refused", "returned", "in_transit"):
                assert sum(int(row[column]) for row in parts) == int(bucket[column])

    def test_rate_csv_reads_as_numbers(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Rates are fractions of 1 written as numbers, as frames' ``rate`` column."""
        argv = ["rate", "--sample", "--period", MARCH, "--today", str(SAMPLE_TODAY)]
        rows = _csv(argv, capsys)
        expected = redemption_rates(sample_history()[0], period(MARCH), today=SAMPLE_TODAY)
        for row in rows:
            rate = expected[row["sku"]].rate
            assert rate is not None  # each of March's SKUs has orders counted
            assert float(row["rate"]) == float(rate)  # the float's repr reads back as itself
            assert 0 <= float(row["rate_with_returns"] or 0) <= float(row["rate"] or 0) <= 1


class TestTypedJson:
    def test_rate_json_has_numbers_booleans_and_iso_days(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Counts are integers, rates floats, complete a boolean, days ISO strings."""
        argv = ["rate", "--sample", "--period", MARCH, "--today", "2025-04-30", "--by", "seller"]
        document = _json(argv, capsys)
        expected = redemption_rate(sample_history()[0], period(MARCH), today=SAMPLE_TODAY)
        total = document["total"]
        assert isinstance(total, dict)
        assert total["orders"] == expected.orders
        assert type(total["orders"]) is int
        assert isinstance(total["rate"], Decimal)  # a JSON number (parsed exactly)
        assert float(total["rate"]) == float(Fraction(expected.sales, expected.orders))
        assert document["complete"] is expected.complete is False
        assert document["sales_last"] == expected.window.sales.last.isoformat()
        groups = document["groups"]
        assert isinstance(groups, list)
        assert [group["seller_id"] for group in groups] == ["shop-north", "shop-south"]

    def test_money_is_roubles_to_the_kopeck(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        Each buyer's ransom amount is a JSON number, the very Decimal of roubles that
        buyer_statuses computes (read back with parse_float=Decimal), never a string.
        """
        argv = ["buyers", "--sample", "--today", "2025-04-30"]
        text_out = main([*argv, "--format", "json"])
        assert text_out == 0
        raw = capsys.readouterr().out
        document = json.loads(raw, parse_float=Decimal)
        history, _ = read_order_lines(sample_lines_path())
        expected = buyer_statuses(history, today=SAMPLE_TODAY, policy=Policy(rules=[]))
        buyers = document["buyers"]
        assert len(buyers) == len(expected)
        assert any(status.ransom % 1 for status in expected.values())  # kopecks to keep
        for row in buyers:
            status = expected[row["buyer_id"]]
            assert row["ransom"] == status.ransom
            assert f'"ransom": {status.ransom}' in raw  # two places, as money is written
            assert type(row["placed"]) is int

    @example(Decimal("0.10"))
    @example(Decimal("123456789012345678901234567890.99"))
    @given(st.decimals(allow_nan=False, allow_infinity=False, places=2))
    def test_a_decimal_is_written_as_its_exact_digits(self, amount: Decimal) -> None:
        """
        Money goes through no float: json reads back the same Decimal, digits and all.
        """
        back = json.loads(to_json({"ransom": amount}), parse_float=Decimal)["ransom"]
        assert back == amount
        assert str(back) == format(amount, "f")

    @given(
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.text()
            | st.floats(allow_nan=False, allow_infinity=False),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=5), inner, max_size=3)
            ),
            max_leaves=10,
        )
    )
    def test_plain_documents_read_back_as_the_standard_librarys(self, document: object) -> None:
        """
        For what the standard library writes itself, to_json's text reads back the same.
        """
        assert json.loads(to_json(document)) == json.loads(json.dumps(document))


_CELLS = st.text(
    alphabet=st.characters(exclude_categories=["Cc", "Cs", "Zs", "Zl", "Zp", "Mn", "Me", "Cf"]),
    min_size=1,
    max_size=12,
)


class TestTables:
    @example([["nm-42-a-very-long-article-name", "7"], ["Платье летнее", "120"], ["商品", "3"]])
    @given(st.lists(st.lists(_CELLS, min_size=2, max_size=2), min_size=1, max_size=6))
    def test_columns_line_up_whatever_the_text(self, rows: list[list[str]]) -> None:
        """
        Left-aligned cells start, and right-aligned cells end, at the same terminal column
        on every line, counting wide letters as two; two spaces at least between columns.
        """
        lines = table_lines(["name", "count"], rows, "<>")
        starts, ends = set(), set()
        for line, cells in zip(lines, [["name", "count"], *rows], strict=True):
            first = line.index(cells[0], 2)
            second = line.index(cells[1], first + len(cells[0]))
            assert line[first + len(cells[0]) : second].strip() == ""
            assert text_width(line[:second]) >= text_width(line[:first]) + text_width(cells[0]) + 2
            starts.add(text_width(line[:first]))
            ends.add(text_width(line[:second]) + text_width(cells[1]))
        assert starts == {2}
        assert len(ends) == 1

    def test_a_long_article_name_keeps_the_rate_table_aligned(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        SKUs named at length, in Cyrillic and in Chinese: each column of the table by SKU
        ends at one terminal column on every line.
        """
        names = {"146002011": "Платье летнее с длинным названием", "146002012": "连衣裙"}
        with gzip.open(sample_lines_path(), "rt", encoding="utf-8", newline="") as text:
            lines = list(csv.DictReader(text))
        for line in lines:
            line["sku"] = names.get(line["sku"], line["sku"])
        renamed = tmp_path / "lines.csv"
        with renamed.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(lines[0]))
            writer.writeheader()
            writer.writerows(lines)
        argv = ["rate", str(renamed), "--period", MARCH, "--today", "2025-04-30"]
        assert main(argv) == 0
        table = capsys.readouterr().out.split("\n\n")[1].splitlines()
        assert any(names["146002012"] in line for line in table)
        assert len({text_width(line) for line in table}) == 1  # every column right-aligned


class TestPeriods:
    @pytest.mark.parametrize(
        ("text", "first", "last"),
        [
            ("2025-04", date(2025, 4, 1), date(2025, 4, 30)),
            ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
            ("2025-W14", date(2025, 3, 31), date(2025, 4, 6)),
            ("2020-W53", date(2020, 12, 28), date(2021, 1, 3)),
            ("2025-01..2025-03", date(2025, 1, 1), date(2025, 3, 31)),
            ("2025-W01..2025-01-10", date(2024, 12, 30), date(2025, 1, 10)),
            ("2025-04-01..2025-04-30", date(2025, 4, 1), date(2025, 4, 30)),
            ("2025-04-15", date(2025, 4, 15), date(2025, 4, 15)),
        ],
    )
    def test_a_month_a_week_or_days(self, text: str, first: date, last: date) -> None:
        """A month or an ISO week stands for its days, alone or as an end of a range."""
        assert period(text) == Period(first, last)

    @given(st.dates(min_value=date(1000, 1, 1), max_value=date(9000, 12, 31)))
    def test_a_day_lies_in_its_month_and_its_iso_week(self, day: date) -> None:
        """
        The month of a day holds it, from the 1st to the last of the month; its ISO week
        holds it, Monday to Sunday.
        """
        month = period(f"{day:%Y-%m}")
        assert day in month
        assert month.start.day == 1
        assert month.end.day == calendar.monthrange(day.year, day.month)[1]
        year, number, _ = day.isocalendar()
        week = period(f"{year}-W{number:02d}")
        assert day in week
        assert (week.start.weekday(), week.days) == (0, 7)

    @pytest.mark.parametrize("text", ["2021-W53", "2025-13", "2025-W00", "April"])
    def test_no_such_month_or_week_is_a_usage_error(self, text: str) -> None:
        """2021 has 52 ISO weeks, a year 12 months."""
        with pytest.raises(argparse.ArgumentTypeError):
            period(text)

    def test_a_period_after_today_is_refused_before_any_file_is_read(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        A nonexistent file and a period after --today: the error is the period's, in one
        line, as nothing is read; the same file with a good period names the file.
        """
        missing = tmp_path / "nowhere.json"
        argv = ["rate", str(missing), "--today", "2025-04-30", "--period"]
        assert main([*argv, "2025-05"]) == 1
        err = capsys.readouterr().err
        assert err == (
            "redemption: error: --period 2025-05-01..2025-05-31 ends on 2025-05-31, "
            "after --today 2025-04-30\n"
        )
        assert main([*argv, "2025-04"]) == 1
        assert capsys.readouterr().err == (
            f"redemption: error: {missing}: no such file or folder\n"
        )
        today = date.today()  # noqa: DTZ011 - the clock is what the command reads without --today
        future = f"{today + timedelta(days=40):%Y-%m}"
        assert main(["refusals", str(missing), "--period", future]) == 1
        assert "after today" in capsys.readouterr().err


class TestErrors:
    def test_a_missing_option_file_names_the_option(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--policy, --targets and --reasons files that are not there: one line each."""
        missing = tmp_path / "missing.toml"
        for argv, where in (
            (["buyers", "--sample", "--policy", str(missing)], f"--policy {missing}"),
            (
                ["loyalty", "--sample", "--months", "2025-03", "--targets", str(missing)],
                f"--targets {missing}",
            ),
            (
                ["rate", "--sample", "--period", MARCH, "--reasons", str(missing)],
                f"--reasons {missing}",
            ),
            (["rate", str(missing), "--period", MARCH], f"{missing}"),
        ):
            assert main(argv) == 1
            err = capsys.readouterr().err
            assert err == f"redemption: error: {where}: no such file or folder\n"
        assert main(["buyers", "--sample", "--policy", str(tmp_path)]) == 1  # not a file
        err = capsys.readouterr().err
        assert err.startswith(f"redemption: error: --policy {tmp_path}: ")
        assert err.count("\n") == 1

    def test_a_policy_on_one_shop_needs_the_shop(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        A policy with shop_ransom rules and no --shop: the error names --shop, before any
        report is read; a malformed policy names --policy and its file.
        """
        policy = tmp_path / "shop.toml"
        policy.write_text(
            '[[rule]]\nname = "3% off"\nkind = "privilege"\nfigure = "shop_ransom"\n'
            "at_least = 1000\n",
            encoding="utf-8",
        )
        assert main(["buyers", str(tmp_path / "none.csv"), "--policy", str(policy)]) == 1
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1
        assert err[0].startswith(f"redemption: error: --policy {policy} has shop_ransom rules")
        assert "--shop" in err[0]
        argv = ["buyers", "--sample", "--today", "2025-04-30", "--policy", str(policy)]
        assert main([*argv, "--shop", "shop-north", "--format", "csv"]) == 0
        rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
        assert any(row["privileges"] == "3% off" for row in rows)
        assert all(Decimal(row["shop_ransom"]) <= Decimal(row["ransom"]) for row in rows)
        policy.write_text("[[rule]]\nname = 1\n", encoding="utf-8")
        assert main(argv) == 1
        assert capsys.readouterr().err.startswith(f"redemption: error: --policy {policy}: ")


class TestComplete:
    @pytest.mark.parametrize(
        "argv",
        [
            ["rate", "--sample", "--period", MARCH],
            ["refusals", "--sample", "--period", MARCH],
            ["trend", "--sample", "--start", "2025-03-01", "--end", "2025-03-31"],
        ],
    )
    def test_complete_is_on_stdout_in_every_format(
        self, argv: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        March as of 30 April is not complete (its sales window reaches 30 April, not 30
        days past the period's end): the CSV has the column, the JSON the field; the
        other weeks of the trend are.
        """
        rows = _csv(argv, capsys)
        assert "false" in {row["complete"] for row in rows}
        document = _json(argv, capsys)
        text = json.dumps(document, default=str)
        assert '"complete": false' in text
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert "complete" in out or "still open" in out
