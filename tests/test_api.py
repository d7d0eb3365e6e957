from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from importlib.metadata import version

import pytest

import redemption
from redemption.cli import main

EXPECTED_PUBLIC_NAMES = {
    "EXAMPLE_POLICIES",
    "MOSCOW",
    "ArgumentTypeError",
    "BeyondHorizonWarning",
    "Buyer",
    "BuyerReport",
    "BuyerReports",
    "BuyerStatus",
    "BuyerStatuses",
    "CancelKind",
    "CancelledOrderSoldError",
    "ColumnError",
    "Conflict",
    "ConflictRule",
    "DataError",
    "DayWindow",
    "Decision",
    "DuplicateRecordError",
    "EventOrderError",
    "FetchError",
    "Figure",
    "History",
    "InvalidArgumentError",
    "InvalidPeriodError",
    "InvalidPriceError",
    "Kind",
    "LimitExceededError",
    "Logistics",
    "MissingExtraError",
    "NaiveTimestampError",
    "Order",
    "OrderLines",
    "Period",
    "Policy",
    "PolicyError",
    "ProgrammeError",
    "RansomAmounts",
    "RateReport",
    "Rates",
    "Reason",
    "ReasonCategory",
    "RecordTypeError",
    "RedemptionError",
    "RedemptionWarning",
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
    "example_policy",
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
            assert error is redemption.RedemptionError or issubclass(
                error, (ValueError, TypeError, OSError, ImportError)
            )

    def test_the_version_is_the_installed_one(self) -> None:
        """
        __version__ comes from the installed package's metadata.
        """
        assert redemption.__version__ == version("redemption")


EXPECTED_IO_NAMES = {
    "DEFAULT_LIMITS",
    "FORMATS",
    "LINE_COLUMNS",
    "FetchResult",
    "Format",
    "ImportReport",
    "Limits",
    "Progress",
    "ReadOptions",
    "ReasonWords",
    "ReportKind",
    "RowProblem",
    "fetch_wildberries_statistics",
    "read_order_lines",
    "read_ozon_portal_postings",
    "read_ozon_postings",
    "read_reports",
    "read_wildberries_claims",
    "read_wildberries_goods_returns",
    "read_wildberries_portal_realization",
    "read_wildberries_realization",
    "read_wildberries_statistics",
    "reason_words",
    "reason_words_from_toml",
    "report_kind",
    "write_order_lines",
}

EXPECTED_LOYALTY_NAMES = {
    "BUILT_IN_INDICATORS",
    "PRESETS",
    "UNREACHABLE",
    "Direction",
    "Evaluation",
    "Gap",
    "Indicator",
    "IndicatorCheck",
    "IndicatorFunction",
    "Level",
    "LevelResult",
    "Measured",
    "MeasuredByMonth",
    "Month",
    "MonthIndicators",
    "MonthStanding",
    "Programme",
    "Value",
    "loyalty_level",
    "loyalty_timeline",
    "month_indicators",
    "parse_measured",
    "parse_months",
    "preset",
    "programme_for",
}

EXPECTED_OZON_NAMES = {
    "ChatAction",
    "ChatPermission",
    "ChatRules",
    "Eligibility",
    "PostingStatus",
    "RouteCheck",
    "Scheme",
    "Subscription",
    "TrustRoute",
    "chat_permission",
    "trusted_seller",
}

EXPECTED_ANALYSIS_NAMES = {
    "Breakdown",
    "CohortMaturity",
    "Correction",
    "DropTest",
    "Freq",
    "Interval",
    "LagSummary",
    "LogisticsCost",
    "MaturityPoint",
    "OrderLags",
    "Outcome",
    "OutcomeCounts",
    "OutcomeKey",
    "RateChange",
    "RateProjection",
    "RefusalCosts",
    "SeriesPoint",
    "cohort_maturity",
    "order_lags",
    "outcome_counts",
    "projected_rate",
    "rate_changes",
    "rate_series",
    "refusal_breakdown",
    "refusal_cost_series",
    "refusal_costs",
    "wilson_interval",
}

EXPECTED_FRAMES_NAMES = {
    "buyer_reports",
    "ransom_amounts",
    "rate_series",
    "read_ozon_postings",
    "read_wildberries_realization",
    "read_wildberries_statistics",
    "redemption_rates",
    "refusal_breakdown",
    "refusal_costs",
    "to_history",
    "to_lines",
}


class TestSubpackageApi:
    def test_the_io_names_are_the_documented_ones(self) -> None:
        """
        redemption.io's public names are pinned like the package's, each with one name.
        """
        import redemption.io  # noqa: PLC0415

        assert set(redemption.io.__all__) == EXPECTED_IO_NAMES
        assert redemption.io.__all__ == sorted(redemption.io.__all__, key=_isort_key)
        for name in redemption.io.__all__:  # a function or class is exported by its own name
            value = getattr(redemption.io, name)
            if inspect.isfunction(value) or inspect.isclass(value):
                assert value.__name__ == name

    @pytest.mark.parametrize(
        ("module", "expected"),
        [
            ("redemption.loyalty", EXPECTED_LOYALTY_NAMES),
            ("redemption.ozon", EXPECTED_OZON_NAMES),
            ("redemption.analysis", EXPECTED_ANALYSIS_NAMES),
        ],
    )
    def test_the_programmes_names_are_the_documented_ones(
        self, module: str, expected: set[str]
    ) -> None:
        """
        The seller programmes' public names are pinned too, each a function or class by
        its own name.
        """
        package = importlib.import_module(module)
        assert set(package.__all__) == expected
        assert package.__all__ == sorted(package.__all__, key=_isort_key)
        for name in package.__all__:
            value = getattr(package, name)
            if inspect.isfunction(value) or inspect.isclass(value):
                assert value.__name__ == name

    def test_the_frames_names_are_the_documented_ones(self) -> None:
        """
        redemption.frames' public names are pinned too.
        """
        pytest.importorskip(
            "narwhals", reason="narwhals is not installed: needs redemption[frames]"
        )
        from redemption import frames  # noqa: PLC0415 - only with the extra

        assert set(frames.__all__) == EXPECTED_FRAMES_NAMES
        for name in frames.__all__:
            assert getattr(frames, name).__name__ == name


class TestCommandLine:
    def test_the_demo_shows_both_worked_examples(self, capsys: pytest.CaptureFixture[str]) -> None:
        """
        The demo prints the worked examples' windows and a rate for each example.
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
        assert "Wildberries' first worked example" in done.stdout
        assert "the bundled sample" in done.stdout

    def test_an_unknown_command_exits_non_zero(self) -> None:
        """
        argparse rejects an unknown command with exit status 2.
        """
        with pytest.raises(SystemExit) as caught:
            main(["nonsense"])
        assert caught.value.code == 2
