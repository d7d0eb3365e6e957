"""A bundled sample to try the library on, with no data of your own.

Wildberries statistics reports (``supplier/orders`` and ``supplier/sales``) of two sellers
over 18 months up to `SAMPLE_TODAY`, in the API's own shape, made by
``scripts/make_sample.py`` from a fixed seed. They hold cancellations and refusals, sales
and returns, orders still in transit on the last day, and rows delivered twice by
overlapping pages.
"""

from __future__ import annotations

from datetime import date
from importlib.resources import files

from redemption.errors import InvalidArgumentError
from redemption.history import History
from redemption.io import ImportReport, read_wildberries_statistics
from redemption.model import Order, Return, Sale

__all__ = ["SAMPLE_SELLERS", "SAMPLE_TODAY", "sample_history", "sample_report_bytes"]

SAMPLE_TODAY = date(2025, 4, 30)
"""The last day the sample knows of: nothing in it happens later."""

SAMPLE_SELLERS = ("shop-north", "shop-south")
"""The sellers of the sample, one pair of reports each."""


def sample_report_bytes(seller: str, kind: str) -> bytes:
    """Return one sample report, gzipped JSON: `kind` is ``"orders"`` or ``"sales"``.

    Example:
        >>> import gzip
        >>> gzip.decompress(sample_report_bytes("shop-north", "orders"))[:1]
        b'['

    .. versionadded:: 0.1.0
    """
    if seller not in SAMPLE_SELLERS or kind not in ("orders", "sales"):
        msg = f"no sample report {kind!r} of seller {seller!r}; sellers: {SAMPLE_SELLERS}"
        raise InvalidArgumentError(msg)
    resource = files("redemption") / "data" / f"wildberries-{seller}-{kind}.json.gz"
    return resource.read_bytes()


def sample_history() -> tuple[History, ImportReport]:
    """Read the sample's reports of both sellers into one history.

    Returns:
        The history, and the import report of every row of every file.

    Example:
        >>> history, report = sample_history()
        >>> len(history.orders), report.accounted
        (3600, True)

    .. versionadded:: 0.1.0
    """
    orders: list[Order] = []
    sales: list[Sale] = []
    returns: list[Return] = []
    reports: list[ImportReport] = []
    for seller in SAMPLE_SELLERS:
        history, report = read_wildberries_statistics(
            orders=sample_report_bytes(seller, "orders"),
            sales=sample_report_bytes(seller, "sales"),
            seller_id=seller,
        )
        orders.extend(history.orders)
        sales.extend(history.sales)
        returns.extend(history.returns)
        reports.append(report)
    history = History(orders=orders, sales=sales, returns=returns)
    return history, ImportReport.combine(reports)
