"""The seller programmes' commands: `redemption loyalty` and `redemption ozon-trust`."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from redemption import Seller, redemption_rate
from redemption.cli import main
from redemption.io import read_order_lines
from redemption.loyalty import Month, loyalty_timeline, parse_measured, preset
from redemption.ozon import trusted_seller
from redemption.sample import SAMPLE_TODAY, sample_history, sample_lines_path

_KEYS = {
    # indicator: targets of initial, bronze, silver, gold
    "redemption_rate": ("30", "40", "50", "60"),
    "cancellation_share": ("60", "50", "40", "30"),
    "seller_cancellation_share": ("10", "8", "5", "2"),
    "refusal_share": ("50", "40", "30", "20"),
    "return_share": ("20", "15", "10", "5"),
    "orders": ("10", "50", "100", "200"),
    "rating": ("4", "4.3", "4.6", "4.8"),
    "answer_hours": ("48", "24", "12", "6"),
}
TARGETS = (
    "required = 6\n"
    '[indicators.rating]\ndirection = "at_least"\nunit = "points"\n'
    '[indicators.answer_hours]\ndirection = "at_most"\nunit = "hours"\n'
) + "".join(
    f"[levels.{level}.targets]\n" + "".join(f"{key} = {v[i]}\n" for key, v in _KEYS.items())
    for i, level in enumerate(("initial", "bronze", "silver", "gold"))
)
MEASURED = """
["2025-02"]
rating = 4.5
answer_hours = 30
["2025-03"]
rating = 4.7
answer_hours = 20
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """The targets and measured values above, in files."""
    targets, measured = tmp_path / "targets.toml", tmp_path / "measured.toml"
    targets.write_text(TARGETS, encoding="utf-8")
    measured.write_text(MEASURED, encoding="utf-8")
    return targets, measured


class TestLoyalty:
    def test_the_timeline_is_the_librarys_with_the_months_rate(
        self, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        The JSON timeline on the sample: each month's redemption rate is redemption_rate
        for the month as of the data's last day, each month's rewards apply the next month,
        and only a month whose window has closed and is published is final.
        """
        targets, measured = files
        argv = ["loyalty", "--sample", "--months", "2025-02..2025-03", "--targets", str(targets)]
        assert main([*argv, "--measured", str(measured), "--format", "json"]) == 0
        document = json.loads(capsys.readouterr().out, parse_float=Decimal)
        history, _ = sample_history()
        assert document["today"] == SAMPLE_TODAY.isoformat()
        for row, (month, rewards, final) in zip(
            document["months"],
            (("2025-02", "2025-03", True), ("2025-03", "2025-04", False)),
            strict=True,
        ):
            days = Month.parse(month).period
            assert (days.start.day, days.end.month) == (1, days.start.month)
            rate = redemption_rate(history, days, today=SAMPLE_TODAY).rate
            assert rate is not None  # a fraction of 1 in the JSON, as every rate
            assert row["indicators"]["redemption_rate"] == Decimal(repr(float(rate)))
            assert (row["month"], row["rewards_month"], row["final"]) == (month, rewards, final)
            assert row["programme"] == "wb-2024"
            rating = {"2025-02": Decimal("4.5"), "2025-03": Decimal("4.7")}[month]
            assert row["indicators"]["rating"] == rating  # the number written, exactly

    def test_the_table_says_what_the_next_level_lacks(
        self, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        The table lists the months, then what the last one lacks for the next level, each
        indicator with its value, target and distance, as loyalty_level says.
        """
        targets, measured = files
        argv = ["loyalty", "--sample", "--months", "2025-03", "--targets", str(targets)]
        assert main([*argv, "--measured", str(measured)]) == 0
        out = capsys.readouterr().out
        programme = preset("wb-2024").with_targets_toml(TARGETS)
        (standing,) = loyalty_timeline(
            sample_history()[0],
            programme,
            months="2025-03..2025-03",
            today=SAMPLE_TODAY,
            measured=parse_measured(MEASURED),
        )
        result = standing.result
        assert result.next_level is not None
        row = rf"^  2025-03  wb-2024 +{re.escape(result.status)} +2025-04 +forecast$"
        assert re.search(row, out, re.MULTILINE)
        assert f"To reach {result.next_level.key} in 2025-03: {result.still_needed} more" in out
        for gap in result.missing:
            assert f"    {gap.key:<28}" in out
            assert f"target {gap.target}" in out

    def test_the_csv_is_one_row_a_month(
        self, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        The CSV has one row per month, its level and each indicator in a column.
        """
        targets, _ = files
        argv = ["loyalty", "--sample", "--months", "2025-01..2025-03", "--targets", str(targets)]
        assert main([*argv, "--format", "csv"]) == 0
        rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
        assert [row["month"] for row in rows] == ["2025-01", "2025-02", "2025-03"]
        assert all(row["programme"] == "wb-2024" and row["orders"].isdigit() for row in rows)

    def test_a_targets_file_must_say_which_programme_where_months_span_both(
        self, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        Months on both sides of 1 December 2025 are judged by two programmes: a targets
        file that does not name its programme is refused in one line; a programme left
        without targets refuses to rank, saying which.
        """
        targets, _ = files
        argv = ["loyalty", "--sample", "--months", "2025-11..2025-12", "--today", "2025-12-20"]
        assert main([*argv, "--force", "--targets", str(targets)]) == 1
        err = capsys.readouterr().err
        assert "judged by wb-2024, wb-2025-12" in err
        assert f"--targets PROGRAMME={targets}" in err
        assert main([*argv, "--force", "--targets", f"wb-2024={targets}"]) == 1
        err = capsys.readouterr().err.splitlines()[-1]
        assert err.startswith("redemption: error: ")
        assert "wb-2025-12" in err

    def test_one_programme_chosen_judges_every_month(
        self, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        The issue's own example: with --programme wb-2025-12 the months of 2025 before
        December are judged by it, as asked, and a bare --targets file fills it.
        """
        four = files[0].with_name("four.toml")
        four.write_text(
            'required = 3\n[indicators.rating]\ndirection = "at_least"\n'
            + "".join(
                f"[levels.{level}.targets]\nredemption_rate = {50 + 5 * i}\n"
                f"cancellation_share = {40 - 5 * i}\nrefusal_share = {30 - 5 * i}\n"
                f"rating = {4 + i / 10}\n"
                for i, level in enumerate(("initial", "bronze", "silver", "gold", "platinum"))
            ),
            encoding="utf-8",
        )
        argv = ["loyalty", "--sample", "--months", "2025-02..2025-03", "--programme"]
        assert main([*argv, "wb-2025-12", "--targets", str(four), "--format", "csv"]) == 0, (
            capsys.readouterr().err
        )
        rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
        assert [(row["month"], row["programme"]) for row in rows] == [
            ("2025-02", "wb-2025-12"),
            ("2025-03", "wb-2025-12"),
        ]

    def test_a_month_after_today_is_refused(
        self, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A month that has not begun by --today is refused in one line."""
        targets, _ = files
        argv = ["loyalty", "--sample", "--months", "2025-04..2025-05", "--targets", str(targets)]
        assert main(argv) == 1
        assert "2025-05" in capsys.readouterr().err


class TestOzonTrust:
    def test_the_eligibility_is_the_librarys(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        On the sample's order lines, the unique buyers and the routes are those
        trusted_seller finds for the same seller and day.
        """
        lines, _ = read_order_lines(sample_lines_path())
        seller_id = lines.orders[0].seller_id
        argv = [
            "ozon-trust", "--sample", "--seller-id", seller_id, "--registered-on", "2025-01-01",
            "--e-signed", "no", "--ozon-bank", "no", "--today", "2025-04-30", "--format", "json",
        ]  # fmt: skip
        assert main(argv) == 0
        document = json.loads(capsys.readouterr().out)
        assert (document["today"], document["days_on_platform"]) == ("2025-04-30", 120)
        expected = trusted_seller(
            Seller(
                seller_id=seller_id,
                registered_on=date(2025, 1, 1),
                contract_e_signed=False,
                ozon_bank_payouts=False,
            ),
            history=lines,
            today=SAMPLE_TODAY,
        )
        assert document["unique_buyers"] == expected.unique_buyers > 0
        assert document["trusted"] == expected.trusted
        assert document["routes"] == [route.value for route in expected.routes]

    def test_what_is_not_given_is_unknown_and_reports_are_needed(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        A field not given is unknown, and a way that needs it is undecided rather than
        failed; without reports the unique buyers cannot be counted, so the command
        refuses in one line, as the figures' commands do.
        """
        argv = ["ozon-trust", "--sample", "--seller-id", "shop-north", "--format", "csv"]
        assert main(argv) == 0
        rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
        holds = {row["route"]: row["holds"] for row in rows}
        assert set(holds.values()) == {""}  # unknown: neither true nor false
        assert main(["ozon-trust", "--e-signed", "yes"]) == 1
        assert "no report files given" in capsys.readouterr().err

    def test_a_seller_the_reports_do_not_name_is_refused(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        Counting another seller's buyers would say 0 without a word: the command names the
        sellers the reports hold instead.
        """
        assert main(["ozon-trust", "--sample", "--registered-on", "2025-01-01"]) == 1
        err = capsys.readouterr().err
        assert "seller 'seller' has no order in these reports" in err
        assert "shop-north, shop-south" in err

    def test_a_flag_other_than_yes_or_no_is_a_usage_error(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A flag is yes or no; anything else is argparse's usage error, status 2."""
        with pytest.raises(SystemExit) as exit_:
            main(["ozon-trust", "--e-signed", "maybe"])
        assert exit_.value.code == 2
        assert "expected yes or no" in capsys.readouterr().err
