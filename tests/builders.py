"""Small builders for example tests: Moscow timestamps, orders with plain defaults, report pages."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from redemption import MOSCOW, Order


def msk(text: str) -> datetime:
    """Read an ISO timestamp as Moscow time."""
    return datetime.fromisoformat(text).replace(tzinfo=MOSCOW)


def an_order(
    order_id: str,
    ordered_at: datetime,
    *,
    seller_id: str = "s",
    sku: str = "k",
    price: Decimal | int | str = 1,
    buyer_id: str | None = None,
    cancelled_at: datetime | None = None,
) -> Order:
    """Build an order of seller "s" and SKU "k" for 1 rouble, unless told otherwise."""
    return Order(
        order_id=order_id,
        seller_id=seller_id,
        sku=sku,
        price=price,
        ordered_at=ordered_at,
        buyer_id=buyer_id,
        cancelled_at=cancelled_at,
    )


def write_json_pages(
    folder: Path, kind: str, pages: list[list[dict[str, Any]]], gz: list[bool]
) -> list[str]:
    """Write each page as a JSON array, ``{kind}-NNN.json``; return the files in order.

    `gz` has a flag for each page at least: a page whose flag is set is gzipped, and its
    name ends ``.json.gz``.
    """
    assert len(gz) >= len(pages), (len(gz), len(pages))
    paths = []
    for number, (rows, packed) in enumerate(zip(pages, gz, strict=False)):
        path = folder / f"{kind}-{number:03d}.json{'.gz' if packed else ''}"
        data = json.dumps(rows, ensure_ascii=False).encode()
        path.write_bytes(gzip.compress(data) if packed else data)
        paths.append(str(path))
    return paths
