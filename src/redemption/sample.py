"""A bundled sample to try the library on, with no data of your own.

Wildberries statistics reports (``supplier/orders`` and ``supplier/sales``) of two sellers
over 18 months up to `SAMPLE_TODAY`, in the API's own shape, made by
``scripts/make_sample.py`` from a fixed seed. They hold cancellations and refusals, sales
and returns, orders still in transit on the last day, and rows delivered twice by
overlapping pages.
"""

from __future__ import annotations

from datetime import date, datetime
from importlib.resources import files
from pathlib import Path

from redemption.errors import InvalidArgumentError
from redemption.history import History
from redemption.io import ImportReport, read_wildberries_statistics
from redemption.model import Order, Return, Sale

__all__ = [
    "SAMPLE_SELLERS",
    "SAMPLE_TODAY",
    "sample_history",
    "sample_lines_path",
    "sample_report_bytes",
    "sample_report_paths",
]

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
    return _data(f"wildberries-{seller}-{kind}.json.gz").read_bytes()


def _data(name: str) -> Path:
    return Path(str(files("redemption") / "data" / name))


def sample_report_paths(seller: str | None = None) -> list[Path]:
    """Return the paths of the sample's reports: one seller's, or every seller's.

    Example:
        >>> [path.name for path in sample_report_paths("shop-north")]
        ['wildberries-shop-north-orders.json.gz', 'wildberries-shop-north-sales.json.gz']

    .. versionadded:: 0.1.0
    """
    sellers = SAMPLE_SELLERS if seller is None else (seller,)
    if not set(sellers) <= set(SAMPLE_SELLERS):
        msg = f"no sample reports of seller {seller!r}; sellers: {SAMPLE_SELLERS}"
        raise InvalidArgumentError(msg)
    return [
        _data(f"wildberries-{s}-{kind}.json.gz") for s in sellers for kind in ("orders", "sales")
    ]


def sample_lines_path() -> Path:
    """Return the path of the sample's order lines: the same orders, each naming its buyer.

    Seller reports name no buyers; this order-lines CSV file (see
    `redemption.io.read_order_lines`) gives each of the sample's orders one of 400 buyers,
    a few of whom refuse far more than the rest, so the buyers' figures have data to show.

    Example:
        >>> from redemption.io import read_order_lines
        >>> history, _ = read_order_lines(sample_lines_path())
        >>> len(history.orders), len({order.buyer_id for order in history.orders})
        (3600, 400)

    .. versionadded:: 0.1.0
    """
    return _data("order-lines.csv.gz")


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
    reaches: list[datetime] = []
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
        if history.horizon is not None:
            reaches.append(history.horizon)
    history = History(
        orders=orders, sales=sales, returns=returns, horizon=min(reaches, default=None)
    )
    return history, ImportReport.combine(reports)
