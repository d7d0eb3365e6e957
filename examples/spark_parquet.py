"""The figures on PySpark over parquet: the same calls as on a laptop, pointed at Spark.

    python examples/spark_parquet.py [FOLDER]

Writes the bundled sample's order lines as parquet into FOLDER (a temporary one by
default), reads them back as a Spark DataFrame, and computes the redemption rates, the
ransom amounts and the buyer reports there. Needs pyspark, pyarrow and Java.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from pyspark.sql import SparkSession

from redemption import Period, frames
from redemption.io import read_order_lines
from redemption.sample import SAMPLE_TODAY, sample_lines_path


def write_sample(folder: Path) -> Path:
    """Write the sample's order lines (with buyers) as one parquet file in `folder`."""
    history, _ = read_order_lines(sample_lines_path())
    path = folder / "order-lines.parquet"
    pq.write_table(frames.to_lines(history, backend="pyarrow"), path)
    return path


def figures(spark: SparkSession, parquet: Path) -> dict[str, Any]:
    """Compute every figure on Spark: the results are Spark DataFrames, run by Spark."""
    lines = spark.read.parquet(str(parquet))
    march = Period(date(2025, 3, 1), date(2025, 3, 31))
    return {
        "rates": frames.redemption_rates(lines, period=march, today=SAMPLE_TODAY),
        "total": frames.redemption_rates(lines, period=march, today=SAMPLE_TODAY, by=None),
        "ransom": frames.ransom_amounts(lines, today=SAMPLE_TODAY),
        "buyers": frames.buyer_reports(lines, today=SAMPLE_TODAY),
    }


def main(argv: list[str]) -> int:
    """Run the example, printing a few rows of each figure."""
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(argv[0]) if argv else Path(scratch)
        for name, result in figures(spark, write_sample(folder)).items():
            print(f"{name}:")  # noqa: T201 - an example shows its results
            result.orderBy(result.columns[0]).show(5)
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
