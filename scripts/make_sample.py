"""Make the bundled sample: Wildberries statistics reports of two sellers, 18 months.

    python scripts/make_sample.py            # writes src/redemption/data/*.gz

Deterministic: the same code writes the same bytes, and a test checks that the files
shipped are the ones this script writes. The reports have the statistics API's shape
(`supplier/orders`, `supplier/sales`): naive Moscow times, one row per order line (`srid`),
sales `S...` and returns `R...`, cancellations and refusals (`isCancel`), orders still in
transit on the last day, and a few rows delivered twice, as overlapping pages are.

Beside them, the same orders as one order-lines CSV file, where each order also names its
buyer (seller reports do not): the buyers' figures need them. A few buyers refuse far more
often than the rest.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import sys
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

from redemption.order_lines import COST_COLUMNS, LINE_COLUMNS

FIRST_DAY = date(2023, 11, 1)
LAST_DAY = date(2025, 4, 30)  # the sample's today: nothing in it happens later
SEED = 20250430
DATA = Path(__file__).resolve().parents[1] / "src" / "redemption" / "data"

# seller: {nmId: (supplierArticle, subject, base price in roubles, chance of being bought)}
CATALOGUE: dict[str, dict[int, tuple[str, str, int, float]]] = {
    "shop-north": {
        146002011: ("NT-SCARF-01", "Шарфы", 1290, 0.83),
        146002012: ("NT-COAT-07", "Пальто", 8990, 0.46),
        146002013: ("NT-GLOVE-02", "Перчатки", 690, 0.78),
        146002014: ("NT-BOOTS-11", "Ботинки", 5490, 0.52),
    },
    "shop-south": {
        209114501: ("ST-KETTLE-3", "Чайники электрические", 2490, 0.74),
        209114502: ("ST-BLENDER-1", "Блендеры", 4190, 0.61),
        209114503: ("ST-MUG-12", "Кружки", 450, 0.88),
    },
}
ORDERS_PER_SELLER = 1800
BUYERS = 400
REFUSERS = 20  # buyers who refuse or return about half of what they order
NOT_CANCELLED = "0001-01-01T00:00:00"
CENT = Decimal("0.01")


def _stamp(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def _money(value: Decimal) -> float:
    # Two places; a float's shortest repr is exactly these digits in the JSON written.
    return float(value.quantize(CENT, rounding=ROUND_HALF_EVEN))


def _order_rows(
    rng: random.Random, seller: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One seller's order rows and sale rows."""
    days = (LAST_DAY - FIRST_DAY).days + 1
    end = datetime.combine(LAST_DAY + timedelta(days=1), time())
    catalogue = CATALOGUE[seller]
    skus = sorted(catalogue)
    orders: list[dict[str, Any]] = []
    sales: list[dict[str, Any]] = []
    for n in range(ORDERS_PER_SELLER):
        nm_id = rng.choice(skus)
        article, subject, base, chance = catalogue[nm_id]
        day = FIRST_DAY + timedelta(days=int(days * rng.random() ** 0.8))  # growing sales
        ordered = datetime.combine(day, time()) + timedelta(seconds=rng.randrange(86_400))
        total = Decimal(base)
        discount, spp = rng.choice([0, 10, 15, 25, 30]), rng.randrange(0, 30)
        with_discount = total * (100 - discount) / 100
        finished = with_discount * (100 - spp) / 100
        srid = f"{rng.getrandbits(48):012x}.{n}.0.{seller[:5]}"
        outcome_at = ordered + timedelta(hours=rng.randrange(6, 20 * 24))
        row: dict[str, Any] = {
            "date": _stamp(ordered),
            "lastChangeDate": _stamp(ordered),
            "warehouseName": rng.choice(["Коледино", "Подольск", "Казань", "Электросталь"]),
            "supplierArticle": article,
            "nmId": nm_id,
            "subject": subject,
            "totalPrice": int(total),
            "discountPercent": discount,
            "spp": spp,
            "finishedPrice": _money(finished),
            "priceWithDisc": _money(with_discount),
            "isCancel": False,
            "cancelDate": NOT_CANCELLED,
            "gNumber": f"{rng.getrandbits(60):018d}",
            "srid": srid,
        }
        known = outcome_at < end
        if rng.random() >= chance:  # cancelled by the buyer, or refused at the pick-up point
            if known:
                row |= {"isCancel": True, "cancelDate": _stamp(outcome_at)}
                row["lastChangeDate"] = _stamp(outcome_at)
        elif known:
            sale = _sale_row(rng, row, "S", outcome_at, finished)
            sales.append(sale)
            returned_at = outcome_at + timedelta(hours=rng.randrange(24, 8 * 24))
            if rng.random() < 0.09 and returned_at < end:  # noqa: PLR2004 - returned share
                sales.append(_sale_row(rng, row, "R", returned_at, finished))
        orders.append(row)
    return orders, sales


def _sale_row(
    rng: random.Random, order: dict[str, Any], kind: str, at: datetime, finished: Decimal
) -> dict[str, Any]:
    return {
        "date": _stamp(at),
        "lastChangeDate": _stamp(at),
        "supplierArticle": order["supplierArticle"],
        "nmId": order["nmId"],
        "totalPrice": order["totalPrice"],
        "discountPercent": order["discountPercent"],
        "spp": order["spp"],
        "forPay": _money(finished * Decimal("0.78")),
        "finishedPrice": _money(finished),
        "priceWithDisc": order["priceWithDisc"],
        "saleID": f"{kind}{rng.randrange(10**9, 10**10)}",
        "gNumber": order["gNumber"],
        "srid": order["srid"],
    }


def _paged(rng: random.Random, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sort rows by lastChangeDate, as the API pages them, repeating a few at page ends."""
    rows = sorted(rows, key=lambda row: (row["lastChangeDate"], row["srid"]))
    paged: list[dict[str, Any]] = []
    for start in range(0, len(rows), 500):
        page = rows[start : start + 500]
        if paged and rng.random() < 0.8:  # noqa: PLR2004 - most pages overlap the last
            paged.append(paged[-1])
        paged.extend(page)
    return paged


def _aware(stamp: str) -> str:
    """A naive Moscow time of the reports, with Moscow's offset written out."""
    return f"{stamp}+03:00"


def _line_rows(
    rng: random.Random, seller: str, orders: list[dict[str, Any]], sales: list[dict[str, Any]]
) -> list[list[str]]:
    """One order-lines row per order, each given a buyer."""
    events = {(row["srid"], row["saleID"][0]): row["date"] for row in sales}
    rows = []
    for order in orders:
        srid = order["srid"]
        sold, returned = events.get((srid, "S")), events.get((srid, "R"))
        refused = order["isCancel"] or returned is not None
        # a refused or returned order is five times as likely to be a refuser's
        refuser = rng.random() < (5 * REFUSERS if refused else REFUSERS) / BUYERS
        number = rng.randrange(REFUSERS) if refuser else rng.randrange(REFUSERS, BUYERS)
        price = Decimal(str(order["finishedPrice"])) * 100
        rows.append(
            [
                srid,
                seller,
                str(order["nmId"]),
                f"buyer-{number:03d}",
                str(int(price)),
                _aware(order["date"]),
                _aware(order["cancelDate"]) if order["isCancel"] else "",
                _aware(sold) if sold else "",
                _aware(returned) if returned else "",
                # the statistics reports say an order was cancelled, not who cancelled it;
                # a return there is a return after the purchase
                "unknown" if order["isCancel"] else "",
                "",
                "",
                "return" if returned else "",
                "",
                "",
            ]
        )
    return rows


def _lines_file(rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    # the statistics reports carry no logistics: the optional cost columns are left out
    writer.writerow([column for column in LINE_COLUMNS if column not in COST_COLUMNS])
    by_time: list[list[str]] = sorted(rows, key=lambda row: (row[5], row[0]))
    writer.writerows(by_time)
    return gzip.compress(text.getvalue().encode("utf-8"), mtime=0)


def sample_files() -> dict[str, bytes]:
    """Return every sample file's name and bytes, made from the seed."""
    rng = random.Random(SEED)  # noqa: S311 - sample data, not a secret
    buyers = random.Random(SEED + 1)  # noqa: S311 - its own stream: the reports stay as they were
    files: dict[str, bytes] = {}
    lines: list[list[str]] = []
    for seller in sorted(CATALOGUE):
        orders, sales = _order_rows(rng, seller)
        lines.extend(_line_rows(buyers, seller, orders, sales))
        for kind, rows in (("orders", orders), ("sales", sales)):
            text = json.dumps(_paged(rng, rows), ensure_ascii=False, indent=1) + "\n"
            files[f"wildberries-{seller}-{kind}.json.gz"] = gzip.compress(
                text.encode("utf-8"), mtime=0
            )
    files["order-lines.csv.gz"] = _lines_file(lines)
    return files


def main() -> int:
    """Write the sample files into the package."""
    DATA.mkdir(parents=True, exist_ok=True)
    for name, content in sample_files().items():
        (DATA / name).write_bytes(content)
        print(f"{DATA / name}: {len(content):,} bytes")  # noqa: T201 - a script reports
    return 0


if __name__ == "__main__":
    sys.exit(main())
