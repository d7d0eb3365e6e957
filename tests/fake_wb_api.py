"""A fake Wildberries statistics API on 127.0.0.1, for tests of the download client.

`FakeServer` answers every connection with what a function of the request returns: a
`Reply` that writes raw bytes to the socket, so a test can send what no real HTTP server
would (a garbled status line, a body cut short, a trickle, a reset). It records the raw bytes
of every request it receives. `StatisticsApi` is the API's paging rule over a list of rows,
with faults injected at chosen calls; `Script` answers each ``dateFrom`` from a list.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

__all__ = [
    "FakeServer",
    "Reply",
    "Request",
    "Script",
    "StatisticsApi",
    "closed_port",
    "drop",
    "garbage",
    "json_reply",
    "raw",
    "redirect",
    "reset",
    "status",
    "trickle",
]

_MOSCOW = ZoneInfo("Europe/Moscow")

Reply = Callable[[socket.socket], None]
"""Writes an answer (or none) to the client's socket; the server closes it afterwards."""


@dataclass(frozen=True)
class Request:
    """A request as received: its raw bytes, and its line and headers read from them."""

    raw: bytes
    method: str
    target: str
    headers: dict[str, str]

    @property
    def query(self) -> dict[str, str]:
        """The query's parameters, each its first value."""
        return {k: v[0] for k, v in parse_qs(urlsplit(self.target).query).items()}

    @property
    def date_from(self) -> str:
        """The ``dateFrom`` asked for."""
        return self.query["dateFrom"]


def raw(data: bytes) -> Reply:
    """Send `data` as it is."""
    return lambda sock: sock.sendall(data)


def status(code: int, reason: str = "Status", headers: Sequence[tuple[str, str]] = ()) -> Reply:
    """Answer `code` with no body."""
    lines = [f"HTTP/1.1 {code} {reason}", "Content-Length: 0", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers]
    return raw(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))


def redirect(location: str, code: int = 302) -> Reply:
    """Send the client elsewhere."""
    return status(code, "Redirect", [("Location", location)])


def json_reply(value: object, *, body: bytes | None = None, cut: int | None = None) -> Reply:
    """Answer 200 with `value` as JSON (or with `body`), all of it or its first `cut` bytes.

    The ``Content-Length`` always announces the whole body.
    """
    data = json.dumps(value).encode() if body is None else body
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
    ).encode()
    return raw(head + (data if cut is None else data[:cut]))


def trickle(data: bytes, *, every: float) -> Reply:
    """Send `data` a byte at a time, one each `every` seconds, until the client leaves."""

    def send(sock: socket.socket) -> None:
        for byte in data:
            sock.sendall(bytes([byte]))
            time.sleep(every)

    return send


def drop(sock: socket.socket) -> None:
    """Close the connection without a word."""
    del sock


def reset(sock: socket.socket) -> None:
    """Reset the connection (a TCP RST, not a clean close)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def garbage(sock: socket.socket) -> None:
    """Answer with a status line that is not HTTP."""
    sock.sendall(b"\x00\xffNOT HTTP AT ALL\r\n\r\n")


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: connections to it are refused."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port: int = sock.getsockname()[1]
    return port


class FakeServer:
    """A server on 127.0.0.1 that records every request and answers with `answer`'s reply."""

    def __init__(self, answer: Callable[[Request], Reply]) -> None:
        """Start listening on a free port."""
        self.answer = answer
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The server's address, ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def raw_bytes(self) -> bytes:
        """Every byte received, all requests together."""
        with self._lock:
            return b"".join(r.raw for r in self.requests)

    def close(self) -> None:
        """Stop listening."""
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def __enter__(self) -> Self:
        """Serve within a ``with`` block."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop at the end of the block."""
        self.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            data = b""
            try:
                while b"\r\n\r\n" not in data and len(data) < 1 << 16:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                return
            request = _parse(data)
            with self._lock:
                self.requests.append(request)
            try:
                self.answer(request)(conn)
            except OSError:
                return  # the client left: a trickle it stopped waiting for


def _parse(data: bytes) -> Request:
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    line, *fields = head.split("\r\n")
    method, target = ([*line.split(" "), "", ""])[:2]
    headers = {}
    for text in fields:
        name, _, value = text.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Request(raw=data, method=method, target=target, headers=headers)


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=_MOSCOW)


@dataclass
class StatisticsApi:
    """The statistics API's rule over `rows`: those changed at or after ``dateFrom``, oldest
    first (in their order within an instant), at most `page_size` of them.

    `faults` maps a call's number (0 for the first) to the reply given instead.
    """

    rows: list[dict[str, Any]]
    page_size: int
    faults: dict[int, Reply] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def __call__(self, request: Request) -> Reply:
        """Answer one call."""
        number = len(self.calls)
        self.calls.append(request.date_from)
        if number in self.faults:
            return self.faults[number]
        start = _moment(request.date_from)
        ordered = sorted(self.rows, key=lambda row: _moment(row["lastChangeDate"]))
        page = [row for row in ordered if _moment(row["lastChangeDate"]) >= start]
        return json_reply(page[: self.page_size])


class Script:
    """Answers each ``dateFrom`` from a list, in turn; the last answer repeats.

    An answer is a `Reply`, or rows sent as JSON. A ``dateFrom`` not in the script gets
    ``[]``.
    """

    def __init__(self, script: dict[str, list[Reply | list[Any]]]) -> None:
        """Keep the script; record each call's ``dateFrom`` and ``Authorization``."""
        self.script = {key: list(answers) for key, answers in script.items()}
        self.calls: list[tuple[str, str | None]] = []

    def __call__(self, request: Request) -> Reply:
        """Answer one call."""
        self.calls.append((request.date_from, request.headers.get("authorization")))
        answers = self.script.get(request.date_from, [[]])
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return json_reply(answer) if isinstance(answer, list) else answer
