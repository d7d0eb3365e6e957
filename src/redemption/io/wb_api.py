"""Download Wildberries statistics reports, page by page, resumably.

The statistics API's ``supplier/orders`` and ``supplier/sales`` return up to 80,000 rows a
call. The next page starts at the ``lastChangeDate`` of the last row received, and an empty
page means everything has been sent. The API allows one call a minute per seller.

Each page is written to disk as it arrives (``orders-00001.json``, ...), so an interrupted
download resumes where it stopped and loses nothing. A page that starts at the last row of
the page before repeats that row; `read_wildberries_statistics` merges such repeats.
The token is sent in the ``Authorization`` header and never printed, logged or written.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import attrs

from redemption.errors import FetchError

__all__ = ["STATISTICS_URL", "FetchResult", "fetch_wildberries_statistics"]

STATISTICS_URL = "https://statistics-api.wildberries.ru"
"""Where the statistics API answers."""

_PATHS = {"orders": "/api/v1/supplier/orders", "sales": "/api/v1/supplier/sales"}
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@attrs.frozen(kw_only=True)
class FetchResult:
    """What a download did.

    Attributes:
        pages: pages written by this call (pages found from an earlier call are not counted).
        rows: rows in those pages.
        files: every page of the report in the folder, in order, earlier ones included.
        retries: calls that failed and were tried again.

    .. versionadded:: 0.1.0
    """

    pages: int
    rows: int
    files: tuple[Path, ...]
    retries: int


def _pages(out: Path, report: str) -> list[Path]:
    return sorted(out.glob(f"{report}-[0-9][0-9][0-9][0-9][0-9].json"))


def _resume_from(pages: list[Path]) -> str | None:
    """Return the lastChangeDate of the last row saved, if any page holds a row."""
    for page in reversed(pages):
        rows = json.loads(page.read_text(encoding="utf-8"))
        if rows:
            return str(rows[-1]["lastChangeDate"])
    return None


def _get(
    url: str,
    token: str,
    *,
    timeout: float,
    max_tries: int,
    backoff: float,
    sleep: Callable[[float], None],
) -> tuple[list[dict[str, Any]], int]:
    """GET a page; retry on 429, 5xx and dropped connections. Return the rows and retries."""
    request = urllib.request.Request(url, headers={"Authorization": token})  # noqa: S310
    for attempt in range(max_tries):
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
                rows = json.loads(answer.read().decode("utf-8-sig") or "[]")
        except urllib.error.HTTPError as error:
            error.close()  # the answer's body is not needed: free its connection
            if error.code not in _RETRY_STATUSES:
                msg = f"{url}: the API answered {error.code} {error.reason}"
                raise FetchError(msg) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
            pass  # a dropped connection or a cut-off answer: try again
        else:
            if not isinstance(rows, list):
                msg = f"{url}: expected a JSON array of rows, found {type(rows).__name__}"
                raise FetchError(msg)
            return rows, attempt
        if attempt + 1 < max_tries:
            sleep(backoff * 2**attempt)
    msg = f"{url}: no good answer after {max_tries} tries"
    raise FetchError(msg)


def fetch_wildberries_statistics(
    report: Literal["orders", "sales"],
    *,
    token: str,
    since: date | datetime,
    out: Path,
    base_url: str = STATISTICS_URL,
    min_interval: float = 60.0,
    max_tries: int = 5,
    backoff: float = 5.0,
    timeout: float = 120.0,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchResult:
    """Download a statistics report into `out`, one JSON file a page, resuming if begun.

    Args:
        report: ``"orders"`` or ``"sales"``.
        token: the seller's API token (sent, never printed or written).
        since: the first ``lastChangeDate`` wanted (Moscow time when naive); ignored when
            `out` already holds pages of this report, which resume from their last row.
        out: the folder for the pages.
        base_url: the API's address (a test server's in tests).
        min_interval: seconds between calls; the API allows one a minute.
        max_tries: calls per page before giving up.
        backoff: seconds before the first retry; each next wait doubles.
        timeout: seconds to wait for an answer.
        sleep: how to wait (tests pass a fake).

    Returns:
        What was downloaded, and every page file of the report.

    Raises:
        FetchError: the API refused the call (a bad token: 401), answered with something
            other than rows, or failed `max_tries` times in a row.

    .. versionadded:: 0.1.0
    """
    out.mkdir(parents=True, exist_ok=True)
    pages = _pages(out, report)
    cursor = _resume_from(pages) or since.isoformat()
    number = int(pages[-1].stem.rsplit("-", 1)[1]) if pages else 0
    written = rows_written = retries = 0
    while True:
        query = urllib.parse.urlencode({"dateFrom": cursor, "flag": 0})
        if written or retries:
            sleep(min_interval)
        rows, failed = _get(
            f"{base_url}{_PATHS[report]}?{query}",
            token,
            timeout=timeout,
            max_tries=max_tries,
            backoff=backoff,
            sleep=sleep,
        )
        retries += failed
        if not rows:
            break
        number += 1
        page = out / f"{report}-{number:05d}.json"
        partial = page.with_suffix(".part")
        partial.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        partial.replace(page)  # a page is on disk whole, or not at all
        written += 1
        rows_written += len(rows)
        last = str(rows[-1]["lastChangeDate"])
        if last == cursor:  # every row repeats the boundary: nothing newer is left
            break
        cursor = last
    return FetchResult(
        pages=written, rows=rows_written, files=tuple(_pages(out, report)), retries=retries
    )
