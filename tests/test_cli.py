from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from redemption import Period, Policy, buyer_statuses, redemption_rate
from redemption.cli import main
from redemption.io import read_order_lines
from redemption.sample import (
    SAMPLE_TODAY,
    sample_history,
    sample_lines_path,
    sample_report_paths,
)

TIERS = """
[[rule]]
name = "free delivery"
kind = "privilege"
figure = "percentage"
at_least = 80

[[rule]]
name = "paid returns"
kind = "restriction"
figure = "percentage"
below = 40
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the command line in a fresh process."""
    return subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "-m", "redemption", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


class TestBuyers:
    def test_buyers_on_the_sample_are_the_library_figures(self, tmp_path: Path) -> None:
        """
        `redemption buyers --sample --policy` in a fresh process prints, for every buyer,
        what buyer_statuses computes.
        """
        policy_file = tmp_path / "tiers.toml"
        policy_file.write_text(TIERS, encoding="utf-8")
        done = run(
            "buyers", "--sample", "--today", "2025-04-30", "--policy", str(policy_file),
            "--format", "csv",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        rows = list(csv.DictReader(io.StringIO(done.stdout)))
        history, _ = read_order_lines(sample_lines_path())
        expected = buyer_statuses(history, today=date(2025, 4, 30), policy=Policy.from_toml(TIERS))
        assert [row["buyer_id"] for row in rows] == list(expected)
        for row in rows:
            status = expected[row["buyer_id"]]
            assert int(row["placed"]) == status.report.placed
            assert int(row["sold"]) == status.report.sold
            assert int(row["returned"]) == status.report.returned
            rate = status.report.rate
            assert row["rate"] == ("" if rate is None else repr(float(rate)))
            assert Decimal(row["ransom"]) == status.ransom  # roubles, to the kopeck
            assert row["privileges"] == "; ".join(status.privileges)
            assert row["restrictions"] == "; ".join(status.restrictions)
        assert any(row["privileges"] for row in rows)
        assert any(row["restrictions"] for row in rows)

    def test_one_buyer_as_json(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        --buyer shows that buyer alone, --weight price weighs by roubles.
        """
        status = main(
            ["buyers", "--sample", "--today", "2025-04-30", "--buyer", "buyer-007",
             "--weight", "price", "--format", "json"]
        )  # fmt: skip
        assert status == 0
        document = json.loads(capsys.readouterr().out)
        assert document["weight"] == "price"
        assert [row["buyer_id"] for row in document["buyers"]] == ["buyer-007"]

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--buyer", "nobody"], "buyer 'nobody' placed no order by 2025-04-30"),
            (["--weight", "price", "--policy", "POLICY"], "contradicts the policy's weight"),
        ],
    )
    def test_mistakes_are_one_line_and_a_failing_status(
        self,
        args: list[str],
        message: str,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """
        An unknown buyer, or a weight the policy contradicts: exit status 1, one line.
        """
        policy_file = tmp_path / "tiers.toml"
        policy_file.write_text(TIERS, encoding="utf-8")
        args = [str(policy_file) if arg == "POLICY" else arg for arg in args]
        assert main(["buyers", "--sample", "--today", "2025-04-30", *args]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert [line for line in err if "error" in line] == [err[-1]]  # one error line
        assert err[-1].startswith("redemption: error: ")
        assert message in err[-1]

    def test_seller_reports_name_no_buyers_and_that_is_said(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        Wildberries statistics reports carry no buyers: an empty table, and a line saying why.
        """
        reports = map(str, sample_report_paths("shop-north"))
        assert main(["buyers", *reports, "--today", "2025-04-30"]) == 0
        captured = capsys.readouterr()
        assert "name none" in captured.err
        assert ": 0" in captured.out.splitlines()[0]


class TestRate:
    def test_rate_on_the_sample_is_the_library_figure(self) -> None:
        """
        `redemption rate --sample` prints the rate of the sample history, and the day used.
        """
        done = run("rate", "--sample", "--period", "2025-03-01..2025-03-31", "--today",
                   str(SAMPLE_TODAY), "--format", "json")  # fmt: skip
        assert done.returncode == 0, done.stderr
        document = json.loads(done.stdout)
        history, _ = sample_history()
        expected = redemption_rate(
            history, Period(date(2025, 3, 1), date(2025, 3, 31)), today=SAMPLE_TODAY
        )
        assert document["today"] == "2025-04-30"
        assert document["complete"] is expected.complete
        assert document["total"]["orders"] == expected.orders
        assert document["total"]["sales"] == expected.sales

    def test_files_and_the_sample_together_are_refused(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        Which to read would be a guess: said in one line.
        """
        reports = map(str, sample_report_paths("shop-north"))
        assert main(["rate", *reports, "--sample", "--period", "2025-03-01..2025-03-31"]) == 1
        assert capsys.readouterr().err.strip() == (
            "redemption: error: give report files or --sample, not both"
        )

    def test_the_sample_keeps_its_sellers(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        --sample --by seller shows the sample's two shops, not one default seller.
        """
        args = ["rate", "--sample", "--period", "2025-03-01..2025-03-31", "--today", "2025-04-30"]
        assert main([*args, "--by", "seller", "--format", "csv"]) == 0
        rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
        assert [row["seller_id"] for row in rows] == ["shop-north", "shop-south"]

    def test_no_files_is_one_line_and_a_failing_status(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        Nothing to read: said in one line.
        """
        assert main(["rate", "--period", "2025-03-01..2025-03-31"]) == 1
        assert capsys.readouterr().err.strip() == (
            "redemption: error: no report files given (name some, or use --sample)"
        )

    @pytest.mark.parametrize("command", ["demo", "rate", "buyers", "fetch"])
    def test_every_command_shows_an_example_in_its_help(
        self, command: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        --help of every command ends with a runnable example.
        """
        with pytest.raises(SystemExit) as exited:
            main([command, "--help"])
        assert exited.value.code == 0
        assert f"example: redemption {command}" in capsys.readouterr().out


class TestReasons:
    def test_unknown_reasons_are_named_and_a_table_of_words_gives_them_a_category(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        Words no table knows are shown after the import; --reasons FILE.toml places them.
        """
        posting = {
            "posting_number": "P-1",
            "status": "cancelled",
            "in_process_at": "2025-04-01T10:00:00Z",
            "cancellation": {"cancellation_type": "client", "cancel_reason": "Долго ждать"},
            "products": [{"sku": 7, "price": "100.00", "quantity": 2, "currency_code": "RUB"}],
        }
        lists = tmp_path / "postings.json"
        lists.write_text(json.dumps({"postings": [posting]}), encoding="utf-8")
        args = ["rate", str(lists), "--as-of", "2025-04-10T00:00:00+00:00"]
        args += ["--period", "2025-04-01..2025-04-10", "--today", "2025-04-10"]
        assert main(args) == 0
        err = capsys.readouterr().err
        assert "1 reasons no table knows, read as 'other': 'Долго ждать' (1)" in err
        words = tmp_path / "words.toml"
        words.write_text('[words]\n"долго ждать" = "delivery"\n', encoding="utf-8")
        assert main([*args, "--reasons", str(words)]) == 0
        assert "no table knows" not in capsys.readouterr().err
        words.write_text('[words]\n"долго ждать" = "slow"\n', encoding="utf-8")
        assert main([*args, "--reasons", str(words)]) == 1
        assert "'долго ждать' has the category 'slow'" in capsys.readouterr().err


WB_EXAMPLES = Path(__file__).parent / "data" / "wildberries"


class TestMessyData:
    def test_the_documented_pair_reads_in_collect_mode_naming_what_was_put_aside(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        Wildberries' own orders and sales examples (a cancelled order also sold) read:
        exit 0, the cancellation put aside, named with the file's Moscow times.
        """
        orders = WB_EXAMPLES / "statistics-supplier-orders.example.json"
        sales = WB_EXAMPLES / "statistics-supplier-sales.example.json"
        command = ["rate", str(orders), str(sales), "--period", "2022-03-01..2022-03-05"]
        status = main(command)
        out, err = capsys.readouterr()
        assert status == 0
        assert "1 conflicts" in err
        assert f"conflict: {orders} row 1: order 11.rf9ef11fce1684117b0nhj96222982382.3.0" in err
        assert "but cancelled 2022-03-09T00:00:00+03:00" in err
        assert "orders 1, sales 1" in out
        status = main([*command, "--errors", "raise"])
        _, err = capsys.readouterr()
        assert status == 1
        assert err.count("\n") == 1
        assert err.startswith(f"redemption: error: {orders} row 1: order 11.rf9ef")

    def test_what_an_import_assumed_is_said(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        Order lines saved by a spreadsheet (semicolons, times without an offset) read, and
        the summary says what was assumed: the delimiter and Moscow time.
        """
        lines = tmp_path / "lines.csv"
        lines.write_text(
            "order_id;seller_id;sku;price;ordered_at;sold_at\n"
            "1;s;k;1000;01.04.2025 10:00;03.04.2025 12:00\n",
            encoding="utf-8",
        )
        status = main(["rate", str(lines), "--period", "2025-04", "--today", "2025-06-01"])
        _, err = capsys.readouterr()
        assert status == 0, err
        assert "assumed: " in err
        assert "semicolon" in err
        assert "Europe/Moscow time" in err

    def test_today_defaults_to_the_last_day_the_data_reaches(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        Without --today the figures are as of the data's last day: April's rate on the
        sample is not complete; a later --today is refused unless forced.
        """
        assert main(["rate", "--sample", "--period", "2025-04-01..2025-04-30"]) == 0
        out, _ = capsys.readouterr()
        assert f"today {SAMPLE_TODAY}" in out
        assert "complete        no" in out
        later = ["rate", "--sample", "--period", "2025-04-01..2025-04-30", "--today", "2025-06-01"]
        assert main(later) == 1
        _, err = capsys.readouterr()
        assert "--today 2025-06-01 is after 2025-04-30, the last day the data reaches" in err
        assert main([*later, "--force"]) == 0
        out, err = capsys.readouterr()
        assert "the data reaches only 2025-04-30" in err
        assert "complete        no" in out  # 30 days have passed, but not in the data


class TestWeeklyReports:
    def test_two_weekly_workbooks_give_the_return_of_the_first_weeks_sale(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        `redemption rate week1.xlsx week2.xlsx`: the sale in the first week's report and its
        return in the second's are one order, sold and returned, with no conflict.
        """
        pytest.importorskip("openpyxl")
        from tests.test_io_portal_wildberries import (  # noqa: PLC0415 - needs openpyxl
            api_row,
            report_workbook,
        )

        week_1, week_2 = tmp_path / "week1.xlsx", tmp_path / "week2.xlsx"
        week_1.write_bytes(report_workbook([api_row(1, "Продажа", retail_price_withdisc_rub="10")]))
        week_2.write_bytes(
            report_workbook(
                [api_row(1, "Возврат", retail_price_withdisc_rub="10", sale_dt="2025-04-09")]
            )
        )
        argv = ["rate", str(week_1), str(week_2), "--period", "2025-04", "--today", "2025-06-01"]
        assert main([*argv, "--format", "csv"]) == 0
        out, err = capsys.readouterr()
        (row,) = csv.DictReader(io.StringIO(out))
        assert (row["orders"], row["sales"], row["returns"]) == ("1", "1", "1")
        assert "conflict" not in err
        assert main([*argv, "--errors", "raise"]) == 0


LINE = "order_id,sku,price,ordered_at\no1,a,100,2025-04-30 23:30\n"


class TestZoneAndNotes:
    def test_tz_is_the_zone_of_times_written_without_one(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        An order at 23:30 on 30 April with no offset, and --tz Asia/Vladivostok: it is
        30 April in Vladivostok, so April counts it; the JSON says what was assumed.
        """
        lines = tmp_path / "lines.csv"
        lines.write_text(LINE, encoding="utf-8")
        argv = ["rate", str(lines), "--period", "2025-04", "--today", "2025-06-01"]
        assert main([*argv, "--tz", "Asia/Vladivostok", "--format", "json"]) == 0
        out, err = capsys.readouterr()
        document = json.loads(out)
        assert document["total"]["orders"] + document["total"]["in_transit"] == 1
        note = f"{lines}: 1 moments without a UTC offset taken in Asia/Vladivostok time"
        assert document["notes"] == [note]
        assert f"assumed: {note}" in err
        assert main([*argv, "--format", "csv"]) == 0  # in Moscow time: April still
        out, err = capsys.readouterr()
        assert "Europe/Moscow time" in err
        assert "Europe/Moscow" not in out  # the CSV holds the figures alone

    def test_the_price_unit_option_reads_roubles(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        --price-unit roubles reads a plain price column in roubles; in kopecks (the
        default) a fraction is refused.
        """
        lines = tmp_path / "lines.csv"
        lines.write_text(
            "order_id,sku,buyer_id,price,ordered_at,sold_at\n"
            "o1,a,b1,100.50,2025-04-01T10:00:00+03:00,2025-04-03T10:00:00+03:00\n",
            encoding="utf-8",
        )
        argv = ["buyers", str(lines), "--today", "2025-04-30", "--format", "json"]
        assert main([*argv, "--price-unit", "roubles"]) == 0
        (buyer,) = json.loads(capsys.readouterr().out)["buyers"]
        assert Decimal(str(buyer["ransom"])) == Decimal("100.50")
        assert main([*argv, "--errors", "raise"]) == 1
        assert "whole kopecks" in capsys.readouterr().err

    @pytest.mark.parametrize(
        "command",
        [
            ["rate", "--period", "2025-04"],
            ["refusals", "--period", "2025-04"],
            ["trend", "--start", "2025-04-01", "--end", "2025-04-30"],
            ["buyers"],
            ["ozon-trust", "--registered-on", "2025-01-01"],
            ["loyalty", "--months", "2025-04", "--targets", "TARGETS"],
        ],
    )
    def test_every_command_that_reads_reports_gives_the_notes_in_json(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
    ) -> None:
        """
        Each JSON document says what the import assumed, as stderr does.
        """
        from tests.test_cli_programmes import TARGETS  # noqa: PLC0415 - one command needs it

        lines = tmp_path / "lines.csv"
        lines.write_text(LINE, encoding="utf-8")
        targets = tmp_path / "targets.toml"
        targets.write_text(TARGETS, encoding="utf-8")
        command = [str(targets) if arg == "TARGETS" else arg for arg in command]
        argv = [*command, str(lines), "--today", "2025-06-01", "--format", "json"]
        assert main(argv) == 0, capsys.readouterr().err
        document = json.loads(capsys.readouterr().out)
        assert document["notes"] == [
            f"{lines}: 1 moments without a UTC offset taken in Europe/Moscow time"
        ]
