from __future__ import annotations

import importlib.util
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

import attrs

from redemption import Period, buyer_reports, redemption_rate
from redemption.io import read_order_lines
from redemption.sample import (
    SAMPLE_SELLERS,
    SAMPLE_TODAY,
    sample_history,
    sample_lines_path,
    sample_report_bytes,
)

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "make_sample.py"


class TestSample:
    def test_the_shipped_files_are_the_ones_the_script_makes(self) -> None:
        """
        The sample is reproducible: the generator writes exactly the bytes shipped.
        """
        spec = importlib.util.spec_from_file_location("make_sample", SCRIPT)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        made = module.sample_files()
        assert sorted(made) == sorted(
            [
                "order-lines.csv.gz",
                *(
                    f"wildberries-{seller}-{kind}.json.gz"
                    for seller in SAMPLE_SELLERS
                    for kind in ("orders", "sales")
                ),
            ]
        )
        for seller in SAMPLE_SELLERS:
            for kind in ("orders", "sales"):
                shipped = sample_report_bytes(seller, kind)
                assert made[f"wildberries-{seller}-{kind}.json.gz"] == shipped
        assert made["order-lines.csv.gz"] == sample_lines_path().read_bytes()

    def test_the_order_lines_are_the_reports_orders_each_with_a_buyer(self) -> None:
        """
        The order-lines file holds exactly the reports' orders, sales and returns, and adds
        a buyer to every order; the refusers it was made with stand out.
        """
        reports, _ = sample_history()
        lines, report = read_order_lines(sample_lines_path())
        assert report.accounted
        assert report.refused == ()
        anonymous = sorted((attrs.evolve(o, buyer_id=None) for o in lines.orders), key=str)
        assert anonymous == sorted(reports.orders, key=str)
        assert sorted(lines.sales, key=str) == sorted(reports.sales, key=str)
        assert sorted(lines.returns, key=str) == sorted(reports.returns, key=str)
        assert all(order.buyer_id for order in lines.orders)
        percentages = sorted(
            r.rate
            for r in buyer_reports(lines, today=SAMPLE_TODAY).values()
            if r.rate is not None and r.placed >= 10
        )
        assert percentages[0] < Fraction(1, 2) < percentages[-1]

    def test_every_row_is_accounted_for_and_overlapping_pages_are_merged(self) -> None:
        """
        Thousands of orders over about 18 months, every row a record or a merge.
        """
        history, report = sample_history()
        assert report.accounted
        assert report.refused == ()
        assert report.merged > 0
        assert len(history.orders) >= 3000
        first = min(o.ordered_at for o in history.orders).date()
        assert timedelta(days=500) < SAMPLE_TODAY - first < timedelta(days=600)
        assert {o.seller_id for o in history.orders} == set(SAMPLE_SELLERS)

    def test_it_has_every_outcome_and_orders_in_transit_at_the_end(self) -> None:
        """
        Cancellations, sales, returns, and orders still on their way on the last day.
        """
        history, _ = sample_history()
        assert any(o.cancelled for o in history.orders)
        assert history.returns
        report = redemption_rate(
            history, Period(SAMPLE_TODAY - timedelta(days=13), SAMPLE_TODAY), today=SAMPLE_TODAY
        )
        assert report.in_transit > 0
        assert report.orders > 0
        assert report.returns > 0
