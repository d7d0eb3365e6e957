from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import pytest

import redemption
from redemption.cli import main

EXPECTED_PUBLIC_NAMES = {
    "MOSCOW",
    "ArgumentTypeError",
    "Buyer",
    "BuyerReport",
    "BuyerStatus",
    "CancelKind",
    "CancelledOrderSoldError",
    "ColumnError",
    "DataError",
    "DayWindow",
    "Decision",
    "DuplicateRecordError",
    "EventOrderError",
    "Figure",
    "History",
    "InvalidArgumentError",
    "InvalidPeriodError",
    "InvalidPriceError",
    "Kind",
    "NaiveTimestampError",
    "Order",
    "OrderLines",
    "Period",
    "Policy",
    "PolicyError",
    "RateReport",
    "Reason",
    "ReasonCategory",
    "RecordTypeError",
    "RedemptionError",
    "RedemptionWindow",
    "ReportFormatError",
    "Return",
    "ReturnKind",
    "ReturnWithoutSaleError",
    "Rule",
    "Sale",
    "Seller",
    "Weight",
    "buyer_redemption_percentage",
    "buyer_reports",
    "buyer_status",
    "buyer_statuses",
    "ransom_amount",
    "ransom_amounts",
    "redemption_rate",
    "redemption_rates",
    "redemption_window",
    "trailing_window",
}


def _isort_key(name: str) -> tuple[int, str]:
    """Constants first, then classes, then functions, each alphabetical."""
    kind = 0 if name.isupper() else 1 if name[0].isupper() else 2
    return kind, name


class TestPublicApi:
    def test_the_public_names_are_the_documented_ones(self) -> None:
        """
        Adding or removing a public name is a deliberate, changelogged act.
        """
        assert set(redemption.__all__) == EXPECTED_PUBLIC_NAMES
        assert redemption.__all__ == sorted(redemption.__all__, key=_isort_key)
        for name in redemption.__all__:
            assert getattr(redemption, name) is not None

    def test_every_error_is_a_redemption_error_and_a_builtin(self) -> None:
        """
        Each error can be caught as RedemptionError or as its builtin.
        """
        errors = [getattr(redemption, n) for n in redemption.__all__ if n.endswith("Error")]
        for error in errors:
            assert issubclass(error, redemption.RedemptionError)
            assert error is redemption.RedemptionError or issubclass(error, (ValueError, TypeError))

    def test_the_version_is_the_installed_one(self) -> None:
        """
        __version__ comes from the installed package's metadata.
        """
        assert redemption.__version__ == version("redemption")


class TestCommandLine:
    def test_the_demo_shows_both_worked_examples(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        The demo prints the seed's windows and a rate for each example.
        """
        assert main(["demo"]) == 0
        out = capsys.readouterr().out
        assert "orders window   2025-01-01..2025-01-30  (30 days)" in out
        assert "sales window    2025-01-01..2025-03-01" in out
        assert "orders window   2025-04-01..2025-04-30  (30 days)" in out
        assert "sales window    2025-04-01..2025-04-30" in out
        assert out.count("redemption rate ") == 2
        assert "Buyers on 2025-04-30: 400 in the sample's order lines" in out
        assert "100.00%" in out.split("Buyers on")[1]

    def test_python_dash_m_runs_the_command_line(self) -> None:
        """
        `python -m redemption demo` runs in a fresh process and exits 0.
        """
        done = subprocess.run(
            [sys.executable, "-m", "redemption", "demo"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert "the seed's first worked example" in done.stdout
        assert "the bundled sample" in done.stdout

    def test_an_unknown_command_exits_non_zero(self) -> None:
        """
        argparse rejects an unknown command with exit status 2.
        """
        with pytest.raises(SystemExit) as caught:
            main(["nonsense"])
        assert caught.value.code == 2
