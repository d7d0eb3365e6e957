"""Raw Wildberries pages to the redemption rate of each SKU, on PySpark.

    python examples/spark_wildberries_pages.py [FOLDER]

FOLDER holds ``supplier/orders`` and ``supplier/sales`` pages as ``redemption fetch``
saves them (``orders-00001.json``, ``sales-00001.json``...), gzipped or not. Without one,
the bundled sample's reports of one seller are cut into gzipped pages of 1,000 rows in a
temporary folder, each page starting with the last rows of the one before, as the API's
pages overlap. Spark reads the pages (FOLDER may be a URL: ``s3://bucket/wb``),
`redemption.frames.read_wildberries_statistics` makes the order lines there, and
`redemption.frames.redemption_rates` computes the rate of each SKU there: nothing is
collected but the rows printed. Needs pyspark and Java.
"""

from __future__ import annotations

import gzip
import json
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

from redemption import Period, frames
from redemption.sample import SAMPLE_TODAY, sample_report_bytes

PAGE, OVERLAP = 1000, 25
"""Rows a page holds, and the rows of the page before it that it starts with."""
MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))


def write_sample_pages(folder: Path, seller: str = "shop-north") -> Path:
    """Cut the sample's reports of `seller` into overlapping gzipped pages in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for kind in ("orders", "sales"):
        rows = json.loads(gzip.decompress(sample_report_bytes(seller, kind)))
        for number, first in enumerate(range(0, len(rows), PAGE), 1):
            page = rows[max(0, first - OVERLAP) : first + PAGE]
            data = json.dumps(page, ensure_ascii=False).encode()
            (folder / f"{kind}-{number:05d}.json.gz").write_bytes(gzip.compress(data))
    return folder


def rates(spark: SparkSession, folder: Path | str, seller_id: str = "seller") -> tuple[Any, Any]:
    """The rate of each SKU in March, and the rows put aside: Spark DataFrames, unrun.

    `folder` is a local path or a URL Spark reads (``s3://bucket/wb``, ``file:///...``).
    """
    lines, aside = frames.read_wildberries_statistics(
        f"{folder}/orders-*.json*",
        f"{folder}/sales-*.json*",
        backend="pyspark",
        session=spark,
        seller_id=seller_id,
    )
    return frames.redemption_rates(lines, period=MARCH, today=SAMPLE_TODAY), aside


def show(spark: SparkSession, folder: Path | str) -> None:
    """Print the rate of each SKU, and how many rows were put aside, of each kind."""
    by_sku, aside = rates(spark, folder)
    by_sku.orderBy("sku").select("sku", "orders", "sales", "returns", "rate").show()
    aside.groupBy("kind").count().orderBy("kind").show()


def main(argv: list[str]) -> int:
    """Run the example on FOLDER, or on the sample's pages."""
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        # a third less time to build the reading (docs/frames.md, "Building a reading on Spark")
        .config("spark.python.sql.dataFrameDebugging.enabled", "false")
        .getOrCreate()
    )
    with tempfile.TemporaryDirectory() as scratch:
        show(spark, argv[0] if argv else write_sample_pages(Path(scratch)))
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
