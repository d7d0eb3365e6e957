from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

from redemption import Period, redemption_rate
from redemption.sample import SAMPLE_SELLERS, SAMPLE_TODAY, sample_history, sample_report_bytes

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
            f"wildberries-{seller}-{kind}.json.gz"
            for seller in SAMPLE_SELLERS
            for kind in ("orders", "sales")
        )
        for seller in SAMPLE_SELLERS:
            for kind in ("orders", "sales"):
                shipped = sample_report_bytes(seller, kind)
                assert made[f"wildberries-{seller}-{kind}.json.gz"] == shipped

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
