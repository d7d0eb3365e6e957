"""Download Wildberries statistics reports, page by page, resumably.

The statistics API's ``supplier/orders`` and ``supplier/sales`` return, oldest first, the
rows whose ``lastChangeDate`` is at or after ``dateFrom``: up to 80,000 rows a call. The
next page starts at the ``lastChangeDate`` of the last row received, so each page repeats
the rows of the instant it starts at; a page that is empty, or that brings no row not saved
already, means everything has been sent. The API allows one call a minute per seller.

Each page is written to disk as it arrives (``orders-00001.json``, ...): to a ``.part``
file, flushed to the disk, then renamed, so a page is on disk whole or not at all. An
interrupted download resumes from the pages saved, after checking them, and loses nothing;
`read_wildberries_statistics` merges the rows repeated across pages.

Faults of the network or the server (a refused, reset or silent connection, an answer cut
short or garbled, 429 and 5xx) are retried after growing, jittered waits that obey
``Retry-After``; a call that keeps failing, or an answer that is not rows, ends in a one-line
`FetchError` that names the endpoint and the cause.

The token (`read_token` reads it from a file) goes in the ``Authorization`` header to the
API's own host only: redirects are not followed. It is never printed, logged, written to a
file or put in an error.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import json
import math
import os
import random
import socket
import ssl
import threading
import time
import urllib.parse
import warnings
from collections.abc import Callable
from datetime import UTC, date, datetime
from email.message import Message
from pathlib import Path
from typing import Any, Literal

import attrs

from redemption.dates import MOSCOW
from redemption.errors import FetchError, InvalidArgumentError, RedemptionWarning

__all__ = [
    "STATISTICS_URL",
    "FetchResult",
    "TokenFileWarning",
    "fetch_wildberries_statistics",
    "read_token",
]

STATISTICS_URL = "https://statistics-api.wildberries.ru"
"""Where the statistics API answers."""

_PATHS = {"orders": "/api/v1/supplier/orders", "sales": "/api/v1/supplier/sales"}
_KEYS = {"orders": "srid", "sales": "saleID"}
"""The field that names a row of each report; a row without it is named by its content."""
_PAGE_SIZE = 80_000
"""The most rows the API sends in one answer, as its documentation says."""
_MAX_WAIT = 600.0
"""The longest wait before a retry, in seconds, whatever ``Retry-After`` asks."""
_MAX_BODY = 1 << 30
"""The largest answer read, in bytes: 80,000 rows take about 80 MB."""
_MAX_TOKEN_FILE = 1 << 16
_CHUNK = 1 << 16
_LOCAL_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
"""Hosts a token may be sent to over plain ``http://``: test servers on this machine."""
_RETRY_STATUSES = frozenset({408, 429})
"""Statuses tried again, besides every 5xx."""


@attrs.frozen(kw_only=True)
class FetchResult:
    """What a download did.

    Attributes:
        pages: pages written by this call (pages found from an earlier call are not counted).
        rows: rows in those pages.
        files: every page of the report in the folder, in order, earlier ones included.
        retries: calls that failed and were tried again.

    Example:
        Run again, a download resumes after the pages saved and writes only the new ones. It
        needs the network and a seller's token, so it is not run here:

        >>> from datetime import date
        >>> from pathlib import Path
        >>> from redemption.io.wb_api import fetch_wildberries_statistics, read_token
        >>> result = fetch_wildberries_statistics(  # doctest: +SKIP
        ...     "sales", token=read_token(Path("wb-token.txt")), since=date(2025, 4, 1),
        ...     out=Path("wb"))
        >>> result.pages, result.rows, result.retries  # doctest: +SKIP
        (1, 1250, 0)
        >>> [page.name for page in result.files]  # doctest: +SKIP
        ['sales-00001.json', 'sales-00002.json']

    .. versionadded:: 0.1.0
    """

    pages: int
    rows: int
    files: tuple[Path, ...]
    retries: int


class TokenFileWarning(RedemptionWarning):
    """A token file that others than its owner may read: ``chmod 600`` it.

    .. versionadded:: 0.2.0
    """


def _token_problem(token: str) -> str | None:
    """Say what makes `token` unfit to send as a header's value, without quoting it."""
    if not token:
        return "is empty"
    if token != token.strip(" \t"):
        return "begins or ends with a space"
    for position, char in enumerate(token, 1):
        code = ord(char)
        if code > 0xFF:  # noqa: PLR2004 - HTTP header values are Latin-1
            return f"has a character outside Latin-1 at position {position}"
        if code < 0x20 or 0x7F <= code < 0xA0:  # noqa: PLR2004 - C0, DEL and C1 controls
            return f"has a control character at position {position}"
    return None


def read_token(path: Path) -> str:
    """Read the seller's statistics API token from a file that holds it alone.

    The file holds one line (spaces and the line's end around it are dropped). The token is
    never shown: an error names the file and the fault, never the token or a part of it.

    Args:
        path: the token file.

    Returns:
        The token.

    Raises:
        FetchError: the file is empty, holds more than one line, is not UTF-8, or holds
            what cannot be sent as an HTTP header's value (a control character, a letter
            outside Latin-1). A bad token is a download that cannot start, as a token the
            API refuses (401) is; and `FetchError` is an `OSError`, as a file that cannot be
            read is.
        OSError: the file cannot be read.

    Warns:
        TokenFileWarning: on POSIX, the file may be read by its group or by others.

    .. versionadded:: 0.2.0
    """
    with path.open("rb") as file:
        mode = os.fstat(file.fileno()).st_mode
        data = file.read(_MAX_TOKEN_FILE + 1)
    if os.name == "posix" and mode & 0o077:
        message = f"{path}: others than its owner may read this token; run chmod 600 {path}"
        warnings.warn(TokenFileWarning(message), stacklevel=2)
    problem: str | None = None
    if len(data) > _MAX_TOKEN_FILE:
        problem = "is too large to be a token file"
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = ""
            problem = "is not UTF-8 text"
        lines = [line.strip(" \t\r") for line in text.split("\n")]
        lines = [line for line in lines if line]
        if problem is None and not lines:
            problem = "holds no token"
        elif problem is None and len(lines) > 1:
            problem = f"holds {len(lines)} lines; a token file holds the token alone"
        elif problem is None and (fault := _token_problem(lines[0])):
            problem = f"holds a token that cannot be sent: it {fault}"
    if problem is not None:  # raised here, outside any handler, so no error hangs on to data
        msg = f"{path}: the token file {problem}"
        raise FetchError(msg)
    return lines[0]


def _moment(text: str) -> datetime:
    """Read a ``lastChangeDate`` (Moscow time when it names no zone)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=MOSCOW)


def _row_problem(row: object) -> str | None:
    """Say why `row` is not a statistics row with a ``lastChangeDate``."""
    if not isinstance(row, dict):
        return f"is not an object but {type(row).__name__}"
    changed = row.get("lastChangeDate")
    if not isinstance(changed, str):
        return "has no lastChangeDate"
    try:
        _moment(changed)
    except ValueError:
        return "has a lastChangeDate that is not a date and time"
    return None


def _rows_problem(rows: object) -> str | None:
    """Say why `rows` is not a JSON array of statistics rows."""
    if not isinstance(rows, list):
        return f"is not a JSON array of rows but {type(rows).__name__}"
    for number, row in enumerate(rows, 1):
        if problem := _row_problem(row):
            return f"row {number} {problem}"
    return None


def _identity(row: dict[str, Any], key: str) -> tuple[str, str]:
    """Name a row: its ``lastChangeDate`` and its `key` (its whole content without one)."""
    value = row.get(key)
    name = (
        str(value)
        if isinstance(value, str | int) and not isinstance(value, bool)
        else json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
    )
    return str(row["lastChangeDate"]), name


@attrs.define
class _Boundary:
    """Where the next page starts: the cursor, its instant, and the rows saved at it."""

    cursor: str
    """The ``lastChangeDate`` sent as ``dateFrom``."""
    moment: datetime
    seen: set[tuple[str, str]] = attrs.field(factory=set)
    """The `_identity` of every row saved whose ``lastChangeDate`` is at `moment`."""

    def fresh(self, rows: list[dict[str, Any]], key: str) -> bool:
        """Whether `rows` hold a row not saved yet: one after the cursor, or new at it."""
        return any(
            _moment(row["lastChangeDate"]) != self.moment or _identity(row, key) not in self.seen
            for row in rows
        )

    def advance(self, rows: list[dict[str, Any]], key: str) -> None:
        """Move to the last row of a page just saved, remembering the rows at its instant."""
        cursor = str(rows[-1]["lastChangeDate"])
        moment = _moment(cursor)
        if moment != self.moment:
            self.seen = set()
        self.cursor, self.moment = cursor, moment
        self.seen.update(_identity(r, key) for r in rows if _moment(r["lastChangeDate"]) == moment)


class _Fault(Exception):  # noqa: N818 - not an error: a call that may succeed if tried again
    """A call failed in a way that trying again may mend."""

    def __init__(self, cause: str, *, status: int | None = None, wait: float | None = None) -> None:
        """Keep the cause in words, the HTTP status and the wait the server asked for."""
        super().__init__(cause)
        self.cause, self.status, self.wait = cause, status, wait


def _cut(sock: socket.socket | None) -> None:
    """Shut a socket down from another thread, so that a blocked read returns at once."""
    if sock is not None:
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's, even for TLS


_CAUSES: tuple[tuple[type[BaseException], str], ...] = (
    (http.client.RemoteDisconnected, "the server closed the connection without answering"),
    (ConnectionRefusedError, "connection refused"),
    (ConnectionResetError, "connection reset"),
    (ConnectionAbortedError, "connection dropped"),
    (BrokenPipeError, "connection dropped"),
    (socket.gaierror, "the host name cannot be resolved (offline?)"),
    (http.client.BadStatusLine, "a garbled status line"),
)


def _cause(error: BaseException) -> str:
    """Say in words why a call failed."""
    for kind, words in _CAUSES:
        if isinstance(error, kind):
            return words
    if isinstance(error, http.client.IncompleteRead):
        words = f"the answer was cut short after {len(error.partial)} bytes"
    elif isinstance(error, http.client.HTTPException):
        words = f"a garbled answer ({type(error).__name__})"
    elif isinstance(error, ssl.SSLError):
        words = f"a TLS failure ({error.reason or type(error).__name__})"
    elif isinstance(error, OSError) and error.strerror:
        words = error.strerror.lower()
    else:
        words = type(error).__name__
    return words


def _asked_wait(headers: Message) -> float | None:
    """The seconds ``Retry-After`` (or Wildberries' ``X-Ratelimit-Retry``) asks to wait."""
    for name in ("Retry-After", "X-Ratelimit-Retry"):
        value = (headers.get(name) or "").strip()
        if not value:
            continue
        with contextlib.suppress(ValueError):
            seconds = float(value)
            if math.isfinite(seconds):
                return max(seconds, 0.0)
        with contextlib.suppress(ValueError, TypeError, IndexError):
            when = email.utils.parsedate_to_datetime(value)
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return max((when - datetime.now(UTC)).total_seconds(), 0.0)
    return None


def _printable(text: str) -> str:
    """A server's words made safe to print on one line: printable ASCII, 80 at most."""
    return "".join(c if " " <= c <= "~" else "?" for c in text)[:80]


class _Caller:
    """Calls the API: one host, one token, redirects refused, every fault in words.

    Its `repr` does not show the token.
    """

    def __init__(self, base_url: str, token: str, *, timeout: float) -> None:
        """Check the address and the token; keep them."""
        parts = urllib.parse.urlsplit(base_url)
        try:
            port = parts.port
        except ValueError:
            port = -1
        if (
            parts.scheme not in {"http", "https"}
            or not parts.hostname
            or port == -1
            or parts.username is not None
            or parts.query
            or parts.fragment
        ):
            msg = "base_url must be an https:// address without user, query or fragment"
            raise InvalidArgumentError(msg)
        if parts.scheme == "http" and parts.hostname not in _LOCAL_HOSTS:
            msg = f"base_url: the token is sent over https:// only, not to {parts.hostname}"
            raise InvalidArgumentError(msg)
        if problem := _token_problem(token):
            msg = f"the token cannot be sent: it {problem}"
            raise FetchError(msg)
        self.tls = parts.scheme == "https"
        self.host, self.port = parts.hostname, port
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self._token = token

    def __repr__(self) -> str:
        """Name the host, never the token."""
        return f"<API caller for {self.origin}>"

    def say(self, text: str) -> str:
        """Make a message safe: whatever a server sends back, the token is not shown."""
        return text.replace(self._token, "<token>")

    def rows(self, target: str) -> list[dict[str, Any]]:
        """GET `target` once and return its rows.

        Raises:
            _Fault: a failure that trying again may mend.
            FetchError: an answer that trying again will not mend.
        """
        url = self.origin + self.prefix + target
        status, reason, body = self._exchange(self.prefix + target)
        if status == 204:  # noqa: PLR2004 - No Content: no rows
            return []
        text: str | None = None
        with contextlib.suppress(UnicodeDecodeError):
            text = body.decode("utf-8-sig")
        if text is None:
            msg = "the answer is not UTF-8 text"
            raise _Fault(msg)
        try:
            rows = json.loads(text)
        except (ValueError, RecursionError):
            msg = "the answer is empty" if not text.strip() else "the answer is not JSON"
            raise _Fault(msg) from None
        if problem := _rows_problem(rows):
            msg = self.say(f"{url}: the answer ({status} {reason}) {problem}")
            raise FetchError(msg)
        return list(rows)

    def _connection(self) -> http.client.HTTPConnection:
        if self.tls:
            context = ssl.create_default_context()
            return http.client.HTTPSConnection(
                self.host, self.port, timeout=self.timeout, context=context
            )
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def _exchange(self, target: str) -> tuple[int, str, bytes]:
        """Send one GET and read its answer within `timeout` seconds in all.

        A watchdog shuts the socket at the deadline, so neither a silent server nor one
        trickling a byte at a time holds the call longer.
        """
        url = self.origin + target
        deadline = time.monotonic() + self.timeout
        connection = self._connection()
        watchdog: threading.Timer | None = None
        answer: http.client.HTTPResponse | None = None
        try:
            connection.connect()
            sock = connection.sock
            watchdog = threading.Timer(max(deadline - time.monotonic(), 0.0), _cut, (sock,))
            watchdog.daemon = True
            watchdog.start()
            connection.putrequest("GET", target, skip_accept_encoding=True)
            connection.putheader("Authorization", self._token)
            connection.putheader("Accept", "application/json")
            connection.putheader("User-Agent", "redemption")
            connection.endheaders()
            answer = connection.getresponse()
            status, reason = answer.status, self.say(_printable(answer.reason or ""))
            self._check_status(url, status, reason, answer.msg)
            body = self._body(url, answer, sock, deadline)
        except FetchError:  # an OSError too, but final: not a fault to try again
            raise
        except ssl.SSLCertVerificationError:
            msg = f"{url}: the server's certificate is not trusted; the token was not sent"
            raise FetchError(msg) from None
        except (OSError, http.client.HTTPException) as error:
            late = time.monotonic() >= deadline or isinstance(error, TimeoutError)
            cause = f"no whole answer within {self.timeout:g} s" if late else _cause(error)
            raise _Fault(self.say(cause)) from None
        finally:
            if watchdog is not None:
                watchdog.cancel()
            if answer is not None:
                answer.close()  # it holds the socket when the server closes after it
            connection.close()
        return status, reason, body

    def _check_status(self, url: str, status: int, reason: str, headers: Message) -> None:
        if 200 <= status < 300:  # noqa: PLR2004
            return
        if status in _RETRY_STATUSES or 500 <= status < 600:  # noqa: PLR2004
            raise _Fault(f"{status} {reason}".strip(), status=status, wait=_asked_wait(headers))
        if 300 <= status < 400:  # noqa: PLR2004
            msg = (
                f"{url}: the API answered {status} {reason}, a redirect; redirects are not "
                f"followed, so that the token goes to {self.host} only"
            )
        else:
            hint = (
                " (the token is wrong, expired, or lacks the statistics scope)"
                if status in {401, 403}
                else ""
            )
            msg = f"{url}: the API answered {status} {reason}{hint}"
        raise FetchError(msg)

    @staticmethod
    def _body(
        url: str, answer: http.client.HTTPResponse, sock: socket.socket, deadline: float
    ) -> bytes:
        """Read the answer's body in chunks, checking the deadline between them."""
        chunks: list[bytes] = []
        size = 0
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            sock.settimeout(left)
            chunk = answer.read1(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > _MAX_BODY:
                msg = f"{url}: the answer is larger than {_MAX_BODY >> 20} MiB"
                raise FetchError(msg)
            chunks.append(chunk)
        if time.monotonic() >= deadline:  # the watchdog shut the socket: the body is cut
            raise TimeoutError
        if answer.length:  # the server closed before sending all it announced
            raise http.client.IncompleteRead(b"".join(chunks), answer.length)
        return b"".join(chunks)


@attrs.frozen(kw_only=True)
class _Retries:
    """How often and how long to try a call again."""

    max_tries: int
    backoff: float
    min_interval: float
    sleep: Callable[[float], None]
    jitter: Callable[[], float]
    on_retry: Callable[[str], None] | None

    def wait(self, tried: int, fault: _Fault) -> float:
        """Seconds to wait after the `tried`-th failed try.

        Half of ``backoff * 2 ** (tried - 1)`` (at most `_MAX_WAIT`) plus a random share
        of the other half; after a 429, at least `min_interval`; and at least what the
        server asked for (at most `_MAX_WAIT`).
        """
        grown = min(self.backoff * 2.0 ** min(tried - 1, 30), _MAX_WAIT)
        wait = grown * (1.0 + min(max(self.jitter(), 0.0), 1.0)) / 2.0
        if fault.status == 429:  # noqa: PLR2004 - too many requests: the API's own pace
            wait = max(wait, self.min_interval)
        if fault.wait is not None:
            wait = max(wait, min(fault.wait, _MAX_WAIT))
        return wait

    def get(self, caller: _Caller, target: str) -> tuple[list[dict[str, Any]], int]:
        """GET a page, trying again after faults. Return the rows and the failed tries."""
        url = caller.origin + caller.prefix + target
        tried = 0
        while True:
            try:
                return caller.rows(target), tried
            except _Fault as fault:
                tried += 1
                cause = fault.cause
                if tried >= self.max_tries:
                    msg = f"{url}: no good answer after {tried} tries; the last: {cause}"
                    raise FetchError(msg) from None
                wait = self.wait(tried, fault)
            if self.on_retry is not None:
                self.on_retry(
                    f"{url}: {cause}; trying again in {wait:.0f} s "
                    f"(try {tried + 1} of {self.max_tries})"
                )
            self.sleep(wait)


def _pages(out: Path, report: str) -> list[Path]:
    return sorted(out.glob(f"{report}-[0-9][0-9][0-9][0-9][0-9].json"))


def _page_problem(rows: object, report: str) -> str | None:
    """Say why `rows` are not a page of `report` as `fetch_wildberries_statistics` writes."""
    if problem := _rows_problem(rows):
        return problem
    assert isinstance(rows, list)  # noqa: S101 - _rows_problem checked it
    if not rows:
        return "holds no rows (a page is written only when it brings rows)"
    sales = any("saleID" in row for row in rows)
    if sales != (report == "sales"):
        return f"holds {'sales' if sales else 'orders'} rows, not {report}"
    return None


def _saved(out: Path, report: str) -> tuple[list[Path], _Boundary | None]:
    """Check the pages already in `out`; return them and where the next page starts.

    Raises:
        FetchError: a page is missing from the sequence, or a page is not one this library
            wrote (not JSON, not rows with ``lastChangeDate``, the other report's rows).
    """
    pages = _pages(out, report)
    last: list[dict[str, Any]] = []
    for number, page in enumerate(pages, 1):
        expected = out / f"{report}-{number:05d}.json"
        if page != expected:
            msg = (
                f"{expected} is missing but {page} is there: the pages of {out} are not one "
                "download; move them away to start again (refusing to resume)"
            )
            raise FetchError(msg)
        problem: str | None = None
        try:
            rows = json.loads(page.read_bytes().decode("utf-8"))
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError too
            problem = "is not JSON in UTF-8 (damaged?)"
        else:
            problem = _page_problem(rows, report)
        if problem is not None:
            msg = (
                f"{page}: {problem}, so it is not a page this library wrote; "
                "move it away and run again (refusing to resume)"
            )
            raise FetchError(msg)
        last = rows
    if not pages:
        return pages, None
    boundary = _Boundary(cursor="", moment=datetime.min.replace(tzinfo=UTC))
    boundary.advance(last, _KEYS[report])
    moment = boundary.moment
    for page in pages[:-1]:  # rows at the last instant may lie on earlier pages too
        rows = json.loads(page.read_bytes().decode("utf-8"))
        boundary.seen.update(
            _identity(r, _KEYS[report]) for r in rows if _moment(r["lastChangeDate"]) == moment
        )
    return pages, boundary


def _write_page(page: Path, rows: list[dict[str, Any]]) -> None:
    """Write a page whole or not at all: to ``.part``, synced to the disk, renamed."""
    partial = page.with_suffix(".part")
    try:
        with partial.open("wb") as file:
            file.write(json.dumps(rows, ensure_ascii=False).encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())
        partial.replace(page)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if os.name == "posix":  # make the rename itself durable; Windows cannot open a folder
        folder = os.open(page.parent, os.O_RDONLY)
        try:
            with contextlib.suppress(OSError):  # some file systems refuse to sync a folder
                os.fsync(folder)
        finally:
            os.close(folder)


def _since_text(since: date | datetime) -> str:
    """``dateFrom`` for `since`: Moscow time, as the API reads it."""
    if isinstance(since, datetime) and since.tzinfo is not None:
        since = since.astimezone(MOSCOW).replace(tzinfo=None)
    return since.isoformat()


def _check_options(report: str, numbers: dict[str, float]) -> None:
    if report not in _PATHS:
        msg = f"report must be 'orders' or 'sales', not {report!r}"
        raise InvalidArgumentError(msg)
    for name, value in numbers.items():
        least = 1 if name in {"max_tries", "page_size"} else 0
        if not (math.isfinite(value) and value >= least) or (name == "timeout" and not value):
            msg = f"{name} must be a number of at least {least}, not {value!r}"
            raise InvalidArgumentError(msg)


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
    page_size: int = _PAGE_SIZE,
    sleep: Callable[[float], None] = time.sleep,
    jitter: Callable[[], float] = random.random,
    on_retry: Callable[[str], None] | None = None,
) -> FetchResult:
    """Download a statistics report into `out`, one JSON file a page, resuming if begun.

    Each call asks for the rows changed at or after the cursor (``dateFrom``, with
    ``flag=0``): first `since`, then the ``lastChangeDate`` of the last row saved. A page is
    saved only if it brings a row not saved yet: one changed after the cursor, or one at
    the cursor's instant whose ``srid`` (orders) or ``saleID`` (sales; the whole row where
    there is none) is new. The boundary rule:

    * a page that brings nothing new with fewer rows than a full answer is the tail repeat
      (the rows of the last instant, sent again): the download is complete;
    * a page that brings nothing new and is full (`page_size` rows, or as many as an
      earlier answer of this call that proved cut at the API's limit) means more rows
      changed at that one instant than one answer holds. The API pages by
      ``lastChangeDate`` only, so it cannot send the rest: `FetchError`, never a
      download that seems complete with rows missing.

    Before resuming, the pages already in `out` are checked; leftover ``.part`` files
    (pages cut by a crash) are deleted. Faults are tried again `max_tries` times in all,
    after waits that start at `backoff` seconds and double (at most 10 minutes), each
    between half and all of that, as `jitter` draws; at least `min_interval` after a 429,
    and at least what ``Retry-After`` asks (at most 10 minutes).

    Args:
        report: ``"orders"`` or ``"sales"``.
        token: the seller's API token (see `read_token`): sent to `base_url`'s host only,
            never printed, written or put in an error.
        since: the first ``lastChangeDate`` wanted (Moscow time when naive); ignored when
            `out` already holds pages of this report, which resume from their last row.
        out: the folder for the pages.
        base_url: the API's address (a test server's in tests); ``http://`` only on this
            machine.
        min_interval: seconds between calls; the API allows one a minute.
        max_tries: calls per page before giving up.
        backoff: seconds before the first retry; each next wait doubles.
        timeout: seconds a call may take in all, from connecting to the last byte.
        page_size: the most rows the API sends in one answer.
        sleep: how to wait (tests pass a fake).
        jitter: a random number in [0, 1) for each retry's wait (tests pass a constant).
        on_retry: told, in one line without the token, each failure about to be retried.

    Returns:
        What was downloaded, and every page file of the report.

    Raises:
        FetchError: the token cannot be sent; the API refused the call (a bad token: 401) or
            redirected it; an answer was not rows with ``lastChangeDate``; `max_tries` calls
            failed in a row (the message names the last cause); more rows changed at one
            instant than one answer holds; or a page in `out` is not one this library wrote.
        InvalidArgumentError: an unknown report, a bad `base_url` or a bad number.

    Example:
        Download the orders changed since 1 April 2025 into ``wb/``, then read them. It needs
        the network and a seller's token, so it is not run here:

        >>> from datetime import date
        >>> from pathlib import Path
        >>> from redemption.io import read_reports
        >>> from redemption.io.wb_api import read_token
        >>> token = read_token(Path("wb-token.txt"))  # doctest: +SKIP
        >>> result = fetch_wildberries_statistics(  # doctest: +SKIP
        ...     "orders", token=token, since=date(2025, 4, 1), out=Path("wb"))
        >>> result.pages, result.rows  # doctest: +SKIP
        (2, 80417)
        >>> history, report = read_reports([Path("wb")])  # doctest: +SKIP

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Redirects are refused; `timeout` bounds a whole call; every fault is retried with
       jittered waits; rows at the boundary instant are never lost silently; pages are
       checked before resuming and synced to the disk. Added `page_size`, `jitter` and
       `on_retry`.
    """
    _check_options(
        report,
        {
            "min_interval": min_interval,
            "max_tries": max_tries,
            "backoff": backoff,
            "timeout": timeout,
            "page_size": page_size,
        },
    )
    caller = _Caller(base_url, token, timeout=timeout)
    retrying = _Retries(
        max_tries=max_tries,
        backoff=backoff,
        min_interval=min_interval,
        sleep=sleep,
        jitter=jitter,
        on_retry=on_retry,
    )
    key = _KEYS[report]
    out.mkdir(parents=True, exist_ok=True)
    for leftover in out.glob(f"{report}-*.part"):
        leftover.unlink(missing_ok=True)
    pages, boundary = _saved(out, report)
    if boundary is None:
        cursor = _since_text(since)
        boundary = _Boundary(cursor=cursor, moment=_moment(cursor))
    number = len(pages)
    written = rows_written = retries = calls = 0
    cut = 0  # the most rows of a page of this call that was followed by new rows
    last = 0  # rows of the page saved last by this call
    while True:
        target = (
            _PATHS[report] + "?" + urllib.parse.urlencode({"dateFrom": boundary.cursor, "flag": 0})
        )
        if calls:
            sleep(min_interval)
        rows, failed = retrying.get(caller, target)
        calls += 1
        retries += failed
        if not boundary.fresh(rows, key):
            if rows and len(rows) >= (min(cut, page_size) or page_size):
                msg = (
                    f"{caller.origin}{caller.prefix}{target}: all {len(rows)} rows of a full "
                    f"answer changed at {boundary.cursor} and are saved already; more rows "
                    "may have changed at that instant than one answer holds, and the API "
                    "cannot page past them: stopped, rows after them may be missing"
                )
                raise FetchError(caller.say(msg))
            break
        if _moment(rows[-1]["lastChangeDate"]) < boundary.moment:
            msg = (
                f"{caller.origin}{caller.prefix}{target}: the last row changed before the "
                "cursor: the API broke its paging rule"
            )
            raise FetchError(caller.say(msg))
        cut = max(cut, last)  # the page before brought new rows after it: it was cut
        number += 1
        _write_page(out / f"{report}-{number:05d}.json", rows)
        written += 1
        rows_written += len(rows)
        last = len(rows)
        boundary.advance(rows, key)
    return FetchResult(
        pages=written, rows=rows_written, files=tuple(_pages(out, report)), retries=retries
    )
