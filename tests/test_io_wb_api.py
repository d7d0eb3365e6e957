from __future__ import annotations

import email.utils
import json
import os
import time
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redemption import FetchError, InvalidArgumentError, cli
from redemption.io import read_wildberries_statistics
from redemption.io.wb_api import (
    FetchResult,
    TokenFileWarning,
    fetch_wildberries_statistics,
    read_token,
)
from tests.fake_wb_api import (
    FakeServer,
    Reply,
    Request,
    Script,
    StatisticsApi,
    closed_port,
    drop,
    garbage,
    json_reply,
    raw,
    redirect,
    reset,
    status,
    trickle,
)

TOKEN = "secret-token-value"  # noqa: S105 - a made-up token for the local test server


def order(srid: str, changed: str) -> dict[str, Any]:
    """A supplier/orders row that changed at `changed`."""
    return {
        "srid": srid,
        "date": "2025-04-01T10:00:00",
        "lastChangeDate": changed,
        "nmId": 1,
        "finishedPrice": 100,
        "isCancel": False,
        "cancelDate": "0001-01-01T00:00:00",
    }


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[Request], Reply]], FakeServer]]:
    """Start fake servers on 127.0.0.1; stop them after the test."""
    servers: list[FakeServer] = []

    def start(answer: Callable[[Request], Reply]) -> FakeServer:
        servers.append(FakeServer(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


Serve = Callable[[Callable[[Request], Reply]], FakeServer]
T1, T2, T3 = "2025-04-01T10:00:00", "2025-04-02T11:00:00", "2025-04-03T12:00:00"


def fetch(url: str, out: Path, **options: Any) -> FetchResult:
    """Fetch orders from a test server without real waits."""
    waits: list[float] = options.pop("waits", [])
    settings: dict[str, Any] = {
        "token": TOKEN,
        "since": date(2025, 4, 1),
        "out": out,
        "base_url": url,
        "sleep": waits.append,
        "jitter": lambda: 0.5,
        "max_tries": 3,
        "timeout": 5.0,
    }
    return fetch_wildberries_statistics("orders", **(settings | options))


def saved_ids(out: Path) -> list[str]:
    """The order ids of every page in `out`, as the reader sees them."""
    history, _ = read_wildberries_statistics(orders=sorted(out.glob("orders-*.json")))
    return sorted(o.order_id for o in history.orders)


class TestFetch:
    def test_pages_follow_last_change_date_through_a_429_and_a_dropped_connection(
        self, serve: Serve, tmp_path: Path
    ) -> None:
        """
        Every page lands on disk, the overlap is merged on reading, nothing is lost.
        """
        api = Script(
            {
                "2025-04-01": [status(429), [order("a", T1), order("b", T2)]],
                T2: [drop, [order("b", T2), order("c", T3)]],
                T3: [[]],
            }
        )
        waits: list[float] = []
        result = fetch(serve(api).url, tmp_path, waits=waits)
        assert (result.pages, result.rows, result.retries) == (2, 4, 2)
        assert [f.name for f in result.files] == ["orders-00001.json", "orders-00002.json"]
        assert [cursor for cursor, _ in api.calls] == ["2025-04-01", "2025-04-01", T2, T2, T3]
        assert {auth for _, auth in api.calls} == {TOKEN}
        assert waits == [60.0, 60.0, 3.75, 60.0]  # a 429 waits the API's minute at least
        rows = [row for f in result.files for row in json.loads(f.read_text())]
        history, report = read_wildberries_statistics(orders=rows)
        assert sorted(o.order_id for o in history.orders) == ["a", "b", "c"]
        assert report.merged == 1
        assert all(TOKEN not in f.read_text() for f in tmp_path.iterdir())

    def test_an_interrupted_download_resumes_from_the_last_row_saved(
        self, serve: Serve, tmp_path: Path
    ) -> None:
        """
        A second call picks up at the last saved lastChangeDate and keeps the old pages.
        """
        failing = Script({"2025-04-01": [[order("a", T1), order("b", T2)]], T2: [status(503)]})
        with pytest.raises(FetchError, match="no good answer after 3 tries; the last: 503"):
            fetch(serve(failing).url, tmp_path)
        assert [f.name for f in tmp_path.iterdir()] == ["orders-00001.json"]
        healthy = Script({T2: [[order("b", T2), order("c", T3)]], T3: [[]]})
        result = fetch(serve(healthy).url, tmp_path)
        assert [cursor for cursor, _ in healthy.calls] == [T2, T3]
        assert [f.name for f in result.files] == ["orders-00001.json", "orders-00002.json"]
        assert result.pages == 1
        assert saved_ids(tmp_path) == ["a", "b", "c"]

    def test_a_finished_download_run_again_adds_no_page(self, serve: Serve, tmp_path: Path) -> None:
        """
        Resuming a complete download asks once, gets the tail again, and writes nothing.
        """
        api = StatisticsApi([order("a", T1), order("b", T2)], page_size=4)
        url = serve(api).url
        assert fetch(url, tmp_path).pages == 1
        again = fetch(url, tmp_path)
        assert (again.pages, len(again.files)) == (0, 1)
        assert api.calls == ["2025-04-01", T2, T2]

    @pytest.mark.parametrize("code", [400, 401, 403, 404])
    def test_a_refusal_fails_at_once_without_showing_the_token(
        self, serve: Serve, tmp_path: Path, code: int
    ) -> None:
        """
        4xx (but 408 and 429) is not retried; the error names the answer, never the token.
        """
        server = serve(Script({"2025-04-01": [status(code, f"No {TOKEN}")]}))
        with pytest.raises(FetchError, match=f"orders.dateFrom=2025-04-01.*{code}") as caught:
            fetch(server.url, tmp_path)
        assert TOKEN not in str(caught.value)
        assert "<token>" in str(caught.value)  # the server's echo of it is masked
        assert len(server.requests) == 1
        assert list(tmp_path.iterdir()) == []


class TestToken:
    @pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
    def test_a_redirect_is_not_followed_so_another_host_never_sees_the_token(
        self, serve: Serve, tmp_path: Path, code: int
    ) -> None:
        """
        The API's redirect to another host ends the download; that host gets no request.
        """
        thief = serve(lambda _: json_reply([order("stolen", T1)]))
        api = serve(lambda request: redirect(f"{thief.url}/steal{request.target}", code))
        with pytest.raises(FetchError, match=f"answered {code} .*not followed") as caught:
            fetch(api.url, tmp_path)
        assert thief.requests == []
        assert len(api.requests) == 1
        assert TOKEN not in str(caught.value)

    def test_the_token_goes_only_into_the_authorization_header_to_the_api(
        self,
        serve: Serve,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """
        Every byte sent to any host, printed, logged, written or raised: the token only
        ever travels in the Authorization header to the API's own host.
        """
        thief = serve(lambda _: json_reply([]))
        api = serve(
            Script(
                {
                    "2025-04-01": [
                        status(503, f"Echo {TOKEN}"),
                        json_reply([order("a", T1)], cut=20),
                        [order("a", T1), order("b", T2)],
                    ],
                    T2: [garbage, [order("b", T2), order("c", T3)]],
                    T3: [redirect(f"{thief.url}/x"), status(401, f"Bad {TOKEN}")],
                }
            )
        )
        raised: list[BaseException] = []
        token_file = tmp_path / "token"
        token_file.write_text(TOKEN + "\n", encoding="utf-8")
        token_file.chmod(0o600)
        real = fetch_wildberries_statistics

        def through_fake(report: Any, **options: Any) -> FetchResult:
            sleeps: dict[str, Any] = {"sleep": lambda _: None, "jitter": lambda: 0.5}
            return real(report, base_url=api.url, **options, **sleeps)

        monkeypatch.setattr(cli._fetch, "fetch_wildberries_statistics", through_fake)
        for _ in range(2):  # the redirect, then the 401: both end the command
            argv = ["fetch", "--token-file", str(token_file), "--since", "2025-04-01"]
            assert cli.main([*argv, "--out", str(tmp_path / "wb"), "--report", "orders"]) == 1
        bodies: list[object] = [[], {}, "x"]
        for body in bodies:
            api.answer = lambda _, body=body: json_reply(body)  # type: ignore[misc]
            try:
                fetch(api.url, tmp_path / "wb", max_tries=1)
            except FetchError as error:
                raised.append(error)
        printed = capsys.readouterr()
        assert printed.err.count("redemption: error:") == 2
        assert "trying again" in printed.err
        requests = api.requests
        assert requests
        for request in requests:
            assert request.raw.count(TOKEN.encode()) == 1
            assert f"\r\nAuthorization: {TOKEN}\r\n".encode() in request.raw
        assert thief.requests == []
        leaks = [printed.out, printed.err, caplog.text]
        leaks += [p.read_text(encoding="utf-8") for p in (tmp_path / "wb").iterdir()]
        leaks += [text for e in raised for text in (str(e), repr(e), repr(e.args))]
        assert not [text for text in leaks if TOKEN in text]
        assert saved_ids(tmp_path / "wb") == ["a", "b", "c"]

    @pytest.mark.parametrize(
        ("content", "problem"),
        [
            (b"", "holds no token"),
            (b" \n\r\n", "holds no token"),
            (b"Zq9secretXy\nsecond\n", "holds 2 lines"),
            (b"Zq9secret\xffXy", "not UTF-8"),
            ("Zq9секретXy".encode(), "outside Latin-1 at position 4"),
            (b"Zq9secret\x01Xy", "control character at position 10"),
            (b"Zq9secret\x7fXy", "control character"),
            ("Zq9secret\x85Xy".encode(), "control character"),
            (b"Zq9secret\rXy", "control character"),
        ],
    )
    def test_a_bad_token_file_is_one_line_that_never_shows_the_token(
        self, tmp_path: Path, content: bytes, problem: str
    ) -> None:
        """
        The error names the file and the fault; no part of the content, no chained error.
        """
        path = tmp_path / "token"
        path.write_bytes(content)
        path.chmod(0o600)
        with pytest.raises(FetchError, match=problem) as caught:
            read_token(path)
        message = str(caught.value)
        assert "\n" not in message
        assert str(path) in message
        assert "Zq9" not in message
        assert "Xy" not in repr(caught.value)
        assert caught.value.__context__ is None
        assert caught.value.__cause__ is None

    def test_a_token_file_may_end_its_line_and_begin_with_a_bom(self, tmp_path: Path) -> None:
        """
        Spaces, CR LF and a byte order mark around the token are not the token.
        """
        path = tmp_path / "token"
        path.write_bytes(b"\xef\xbb\xbf  " + TOKEN.encode() + b" \r\n\r\n")
        path.chmod(0o600)
        assert read_token(path) == TOKEN

    @pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
    @pytest.mark.parametrize(("mode", "warns"), [(0o600, False), (0o640, True), (0o604, True)])
    def test_a_token_file_others_may_read_warns_to_chmod_600(
        self, tmp_path: Path, mode: int, *, warns: bool
    ) -> None:
        """
        Readable by its group or by everyone: a warning that says how to fix it.
        """
        path = tmp_path / "token"
        path.write_text(TOKEN, encoding="utf-8")
        path.chmod(mode)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert read_token(path) == TOKEN
        assert [type(w.message) for w in caught] == ([TokenFileWarning] if warns else [])
        if warns:
            assert "chmod 600" in str(caught[0].message)
            assert TOKEN not in str(caught[0].message)

    @pytest.mark.parametrize("token", ["", "abc\r\nX-Evil: 1", "abc\n", " abc", "abcд", "abc\x00"])
    def test_a_token_passed_directly_is_checked_before_any_call(
        self, serve: Serve, tmp_path: Path, token: str
    ) -> None:
        """
        A token that cannot be a header's value fails before a byte is sent.
        """
        server = serve(lambda _: json_reply([]))
        with pytest.raises(FetchError, match="the token cannot be sent") as caught:
            fetch(server.url, tmp_path, token=token)
        assert token.strip() not in str(caught.value) or not token.strip()
        assert server.requests == []

    @pytest.mark.parametrize(
        "url",
        ["http://statistics-api.wildberries.ru", "ftp://127.0.0.1", "https://u:p@example.com"],
    )
    def test_a_token_is_not_sent_in_clear_or_to_an_odd_address(
        self, tmp_path: Path, url: str
    ) -> None:
        """
        Plain http only to this machine; no user in the address.
        """
        with pytest.raises(InvalidArgumentError, match="base_url") as caught:
            fetch(url, tmp_path)
        assert "p@" not in str(caught.value)


class TestTransport:
    @pytest.mark.parametrize(
        ("fault", "cause"),
        [
            (drop, "closed the connection without answering"),
            (reset, "connection reset"),
            (garbage, "garbled status line"),
            (raw(b"HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n[{"), "cut short after 2 bytes"),
            (
                raw(b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n[{"a"'),
                "cut short",
            ),
            (json_reply(None, body=b'["\xff\xfe"]'), "not UTF-8"),
            (json_reply(None, body=b"<html>busy</html>"), "not JSON"),
            (json_reply(None, body=b""), "empty"),
            (json_reply(None, body=b"[" * 100_000), "not JSON"),
            (status(500, "Internal Server Error"), "500 Internal Server Error"),
            (status(502), "502"),
            (status(503), "503"),
            (status(504), "504"),
            (status(408), "408"),
        ],
    )
    def test_each_fault_is_retried_and_then_named(
        self, serve: Serve, tmp_path: Path, fault: Reply, cause: str
    ) -> None:
        """
        A fault once: retried, told, nothing lost. Always: one line naming the cause.
        """
        told: list[str] = []
        api = StatisticsApi([order("a", T1)], page_size=4, faults={0: fault})
        result = fetch(serve(api).url, tmp_path / "once", on_retry=told.append)
        assert (result.pages, result.retries) == (1, 1)
        assert len(told) == 1
        assert cause in told[0]
        assert "orders?dateFrom=2025-04-01" in told[0]
        always = StatisticsApi([order("a", T1)], page_size=4, faults=dict.fromkeys(range(9), fault))
        with pytest.raises(FetchError) as caught:
            fetch(serve(always).url, tmp_path / "always", max_tries=2)
        message = str(caught.value)
        assert "no good answer after 2 tries; the last: " in message
        assert cause in message
        assert "\n" not in message
        assert list((tmp_path / "always").iterdir()) == []

    def test_a_refused_connection_is_told_at_each_retry(self, tmp_path: Path) -> None:
        """
        Offline, the caller hears of every retry, and the waits grow, jittered and bounded.
        """
        told: list[str] = []
        waits: list[float] = []
        url = f"http://127.0.0.1:{closed_port()}"
        with pytest.raises(FetchError, match="after 5 tries; the last: connection refused"):
            fetch(url, tmp_path, max_tries=5, jitter=lambda: 0.0, waits=waits, on_retry=told.append)
        assert waits == [2.5, 5.0, 10.0, 20.0]  # half of 5, 10, 20, 40 s: jitter drew 0
        assert len(told) == 4
        assert all("connection refused; trying again" in line for line in told)
        waits.clear()
        with pytest.raises(FetchError):
            fetch(url, tmp_path, max_tries=14, jitter=lambda: 0.99, waits=waits)
        assert max(waits) <= 600.0
        assert waits[-1] == pytest.approx(600 * 1.99 / 2)

    @pytest.mark.parametrize(
        "reply",
        [
            trickle(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]", every=0.2),
            trickle(b"HTTP/1.1 200 OK\r\n\r\n" + b" " * 400 + b"[]", every=0.01),
        ],
        ids=["a trickled head", "a trickled body"],
    )
    def test_a_trickle_cannot_hold_a_call_past_its_timeout(
        self, serve: Serve, tmp_path: Path, reply: Reply
    ) -> None:
        """
        `timeout` bounds the whole call, however slowly bytes come.
        """
        start = time.monotonic()
        with pytest.raises(FetchError, match=r"the last: no whole answer within 0\.5 s"):
            fetch(serve(lambda _: reply).url, tmp_path, timeout=0.5, max_tries=2)
        assert time.monotonic() - start < 3

    @pytest.mark.parametrize(
        ("header", "value", "least"),
        [
            ("Retry-After", "120", 120.0),
            ("Retry-After", "100000", 600.0),
            ("X-Ratelimit-Retry", "90", 90.0),
            ("Retry-After", "soon", 60.0),
        ],
    )
    def test_a_429_waits_what_the_api_asks(
        self, serve: Serve, tmp_path: Path, header: str, value: str, least: float
    ) -> None:
        """
        Retry-After (or Wildberries' own header) is obeyed, up to 10 minutes.
        """
        waits: list[float] = []
        api = StatisticsApi([], page_size=4, faults={0: status(429, headers=[(header, value)])})
        fetch(serve(api).url, tmp_path, waits=waits)
        assert waits == [least]

    def test_retry_after_may_be_an_http_date(self, serve: Serve, tmp_path: Path) -> None:
        """
        A date two minutes ahead waits about two minutes; one long past waits the backoff.
        """
        ahead = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
        past = email.utils.format_datetime(datetime(2020, 1, 1, tzinfo=UTC), usegmt=True)
        faults = {
            0: status(503, headers=[("Retry-After", ahead)]),
            1: status(503, headers=[("Retry-After", past)]),
        }
        waits: list[float] = []
        fetch(serve(StatisticsApi([], 4, faults)).url, tmp_path, waits=waits)
        assert 100 < waits[0] <= 120
        assert waits[1] == 7.5

    @pytest.mark.parametrize(
        ("body", "problem"),
        [
            ([1, 2, 3], "row 1 is not an object but int"),
            ({"errors": ["x"]}, "is not a JSON array of rows but dict"),
            ("rows", "is not a JSON array of rows but str"),
            ([order("a", T1), {"srid": "b"}], "row 2 has no lastChangeDate"),
            ([{"lastChangeDate": 5}], "row 1 has no lastChangeDate"),
            ([{"lastChangeDate": "yesterday"}], "not a date and time"),
        ],
    )
    def test_an_answer_that_is_not_rows_fails_at_once(
        self, serve: Serve, tmp_path: Path, body: object, problem: str
    ) -> None:
        """
        Not a KeyError or a TypeError: a FetchError that names the endpoint.
        """
        server = serve(lambda _: json_reply(body))
        with pytest.raises(FetchError, match=problem) as caught:
            fetch(server.url, tmp_path)
        assert f"{server.url}/api/v1/supplier/orders?dateFrom=2025-04-01" in str(caught.value)
        assert len(server.requests) == 1
        assert list(tmp_path.iterdir()) == []


class TestBoundary:
    def test_more_rows_at_one_instant_than_a_page_holds_is_an_error_not_an_end(
        self, serve: Serve, tmp_path: Path
    ) -> None:
        """
        5 rows at each of 4 instants, 4 rows a page: the API cannot page past the first
        instant, so the download says so instead of ending with 4 rows of 20.
        """
        moments = [f"2025-04-0{day}T10:00:00" for day in (1, 2, 3, 4)]
        rows = [order(f"{m}-{i}", m) for m in moments for i in range(5)]
        api = StatisticsApi(rows, page_size=4)
        with pytest.raises(FetchError, match="more rows may have changed at that instant"):
            fetch(serve(api).url, tmp_path, page_size=4)  # the API's limit, as the real 80,000
        assert api.calls == ["2025-04-01", moments[0]]
        assert saved_ids(tmp_path) == sorted(r["srid"] for r in rows[:4])

    def test_a_page_all_at_the_cursor_that_brings_new_rows_is_saved_and_followed(
        self, serve: Serve, tmp_path: Path
    ) -> None:
        """
        Rows at the last instant arrive on the next page (one new), then a row after it
        appears: the download goes on rather than stopping at the page all at the cursor.
        """
        a1, a2, b, c, d, e = (
            order("a1", T1), order("a2", T1), order("b", T2), order("c", T2), order("d", T2),
            order("e", T3),
        )  # fmt: skip
        api = Script({"2025-04-01": [[a1, a2, b, c]], T2: [[b, c, d], [b, c, d, e]], T3: [[e]]})
        result = fetch(serve(api).url, tmp_path, page_size=4)
        assert [cursor for cursor, _ in api.calls] == ["2025-04-01", T2, T2, T3]
        assert result.pages == 3
        assert saved_ids(tmp_path) == ["a1", "a2", "b", "c", "d", "e"]

    def test_rows_at_an_instant_spread_over_pages_are_all_fetched(
        self, serve: Serve, tmp_path: Path
    ) -> None:
        """
        Fewer rows at each instant than a page holds: every row, then a normal end.
        """
        rows = [order("a", T1)] + [order(f"b{i}", T2) for i in range(3)]
        rows += [order(f"c{i}", T3) for i in range(3)]
        api = StatisticsApi(rows, page_size=4)
        fetch(serve(api).url, tmp_path)
        assert saved_ids(tmp_path) == sorted(r["srid"] for r in rows)

    def test_a_tail_that_only_repeats_the_boundary_ends_the_download(
        self, serve: Serve, tmp_path: Path
    ) -> None:
        """
        The newest row comes back alone: nothing newer is left, and it is not saved twice.
        """
        api = Script({"2025-04-01": [[order("a", T1)]], T1: [[order("a", T1)]]})
        result = fetch(serve(api).url, tmp_path)
        assert result.pages == 1
        assert len(api.calls) == 2

    def test_an_answer_that_goes_back_before_the_cursor_is_refused(
        self, serve: Serve, tmp_path: Path
    ) -> None:
        """
        A page whose last row is older than the cursor would page backwards: refused.
        """
        api = Script({"2025-04-01": [[order("a", T2)]], T2: [[order("b", T3), order("z", T1)]]})
        with pytest.raises(FetchError, match="before the cursor"):
            fetch(serve(api).url, tmp_path)
        assert saved_ids(tmp_path) == ["a"]


class TestResume:
    @pytest.mark.parametrize(
        ("name", "content", "problem"),
        [
            ("orders-00001.json", b'[{"srid": "a", "lastCh', "not JSON"),
            ("orders-00001.json", b"\xff\xfe[]", "not JSON"),
            ("orders-00001.json", b"[]", "holds no rows"),
            ("orders-00001.json", b'{"srid": "a"}', "not a JSON array"),
            ("orders-00001.json", b"[1, 2]", "row 1 is not an object"),
            ("orders-00001.json", b'[{"srid": "a"}]', "row 1 has no lastChangeDate"),
            (
                "orders-00001.json",
                json.dumps([order("a", T1) | {"saleID": "S1"}]).encode(),
                "holds sales rows, not orders",
            ),
            ("orders-00002.json", json.dumps([order("a", T1)]).encode(), "is missing"),
        ],
    )
    def test_a_stray_or_damaged_page_is_refused_not_overwritten(
        self, serve: Serve, tmp_path: Path, name: str, content: bytes, problem: str
    ) -> None:
        """
        Resuming checks every page first; a bad one is named, kept, and nothing is asked.
        """
        (tmp_path / name).write_bytes(content)
        server = serve(lambda _: json_reply([order("b", T2)]))
        with pytest.raises(FetchError, match=problem) as caught:
            fetch(server.url, tmp_path)
        assert name in str(caught.value)
        assert "refusing to resume" in str(caught.value)
        assert (tmp_path / name).read_bytes() == content
        assert server.requests == []

    def test_leftover_part_files_are_deleted_and_pages_synced(
        self, serve: Serve, tmp_path: Path
    ) -> None:
        """
        A page cut by a crash is dropped; each new page is synced before it is renamed.
        """
        (tmp_path / "orders-00001.json").write_text(json.dumps([order("a", T1)]))
        (tmp_path / "orders-00002.part").write_text('[{"srid": "b", "la')
        (tmp_path / "orders-00009.part").write_text("[")
        (tmp_path / "sales-00001.json").write_text("[]")  # another report's: not looked at
        synced: list[int] = []
        real = os.fsync
        api = StatisticsApi([order("a", T1), order("b", T2)], page_size=4)

        def fsync(fd: int) -> None:
            synced.append(fd)
            real(fd)

        with mock.patch.object(os, "fsync", fsync):
            result = fetch(serve(api).url, tmp_path)
        assert not list(tmp_path.glob("*.part"))
        assert result.pages == 1
        assert len(synced) == (2 if os.name == "posix" else 1)  # the page, then its folder
        assert saved_ids(tmp_path) == ["a", "b"]


class _Killer:
    """Interrupts a download as Ctrl-C would, at the n-th wait or page write."""

    def __init__(self, after: int | None) -> None:
        self.left = after

    def tick(self) -> None:
        if self.left is not None:
            self.left -= 1
            if self.left <= 0:
                raise KeyboardInterrupt

    def sleep(self, seconds: float) -> None:
        del seconds
        self.tick()

    def fsync(self, fd: int, real: Callable[[int], None] = os.fsync) -> None:
        self.tick()
        real(fd)


_FAULTS = [drop, reset, garbage, status(503), json_reply(None, body=b"[{")]


class TestKillAndResume:
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(data=st.data())
    def test_downloads_killed_anywhere_resume_to_every_row_once(
        self, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
    ) -> None:
        """
        Killed at random waits and page writes, faulted at random calls, resumed again and
        again: in the end the pages hold every row of the server, none lost or doubled.
        """
        page_size = data.draw(st.integers(3, 5), label="page_size")
        counts = data.draw(st.lists(st.integers(1, page_size - 1), min_size=1, max_size=6))
        rows = [
            order(f"r{i}-{j}", f"2025-04-01T10:{i:02d}:00")
            for i, count in enumerate(counts)
            for j in range(count)
        ]
        faults = data.draw(st.dictionaries(st.integers(0, 25), st.sampled_from(_FAULTS)))
        kills = data.draw(st.lists(st.integers(1, 6), max_size=5), label="kills")
        out = tmp_path_factory.mktemp("pages")
        with FakeServer(StatisticsApi(rows, page_size, faults)) as server:
            for run in range(40):
                killer = _Killer(kills[run] if run < len(kills) else None)
                try:
                    with mock.patch.object(os, "fsync", killer.fsync):
                        fetch(server.url, out, sleep=killer.sleep, max_tries=2, page_size=page_size)
                except (KeyboardInterrupt, FetchError):
                    continue
                break
            else:
                pytest.fail("the download never finished")
        assert not list(out.glob("*.part"))
        pages = sorted(out.glob("orders-*.json"))
        assert [p.name for p in pages] == [f"orders-{n:05d}.json" for n in range(1, len(pages) + 1)]
        history, report = read_wildberries_statistics(orders=pages)
        assert sorted(o.order_id for o in history.orders) == sorted(r["srid"] for r in rows)
        assert report.orders == len(rows)


class TestFetchCommand:
    def test_the_command_reads_the_token_from_its_file_and_never_prints_it(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        `redemption fetch` passes the token, the day and the folder on, for both reports.
        """
        calls: list[tuple[str, str, date, Path]] = []

        def fake(report: str, *, token: str, since: date, out: Path, **_: Any) -> FetchResult:
            calls.append((report, token, since, out))
            return FetchResult(pages=1, rows=2, files=(out / f"{report}-00001.json",), retries=0)

        monkeypatch.setattr(cli._fetch, "fetch_wildberries_statistics", fake)
        token_file = tmp_path / "token"
        token_file.write_text(TOKEN + "\n", encoding="utf-8")
        token_file.chmod(0o600)
        status = cli.main(
            ["fetch", "--token-file", str(token_file), "--since", "2025-01-01", "--out", "wb"]
        )
        assert status == 0
        assert calls == [
            ("orders", TOKEN, date(2025, 1, 1), Path("wb")),
            ("sales", TOKEN, date(2025, 1, 1), Path("wb")),
        ]
        out = capsys.readouterr()
        assert "orders: 1 new pages, 2 rows" in out.out
        assert TOKEN not in out.out + out.err
        assert out.err == ""

    @pytest.mark.parametrize(
        "content", [b"\n", b"one\ntwo\n", b"\xff", b"tok\x00en", None], ids=repr
    )
    def test_a_bad_token_file_is_one_line_and_a_failing_status(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None
    ) -> None:
        """
        No usable token, no call: exit status 1 and one line on stderr.
        """
        token_file = tmp_path / "token"
        if content is not None:
            token_file.write_bytes(content)
            token_file.chmod(0o600)
        status = cli.main(
            ["fetch", "--token-file", str(token_file), "--since", "2025-01-01", "--out", "wb"]
        )
        assert status == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert err.startswith("redemption: error: ")

    @pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
    def test_offline_each_retry_and_the_failure_are_lines_on_stderr(
        self,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """
        The command is not silent while it waits: a line per retry, a warning about the
        token file's mode, then one error line and status 1.
        """
        real = fetch_wildberries_statistics
        url = f"http://127.0.0.1:{closed_port()}"

        def offline(report: Any, **options: Any) -> FetchResult:
            return real(report, base_url=url, sleep=lambda _: None, **options)

        monkeypatch.setattr(cli._fetch, "fetch_wildberries_statistics", offline)
        token_file = tmp_path / "token"
        token_file.write_text(TOKEN, encoding="utf-8")
        token_file.chmod(0o644)
        argv = ["fetch", "--token-file", str(token_file), "--since", "2025-01-01"]
        assert cli.main([*argv, "--out", str(tmp_path / "wb")]) == 1
        lines = capsys.readouterr().err.splitlines()
        assert lines[0].startswith("redemption: warning: ")
        assert "chmod 600" in lines[0]
        assert len([line for line in lines if "connection refused; trying again" in line]) == 4
        assert lines[-1].startswith("redemption: error: ")
        assert "after 5 tries; the last: connection refused" in lines[-1]
        assert TOKEN not in "\n".join(lines)

    def test_an_interrupt_says_how_to_resume(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        Ctrl-C: one line saying the pages stay and the command resumes; status 130.
        """

        def interrupted(*_: Any, **__: Any) -> FetchResult:
            raise KeyboardInterrupt

        monkeypatch.setattr(cli._fetch, "fetch_wildberries_statistics", interrupted)
        token_file = tmp_path / "token"
        token_file.write_text(TOKEN, encoding="utf-8")
        token_file.chmod(0o600)
        argv = ["fetch", "--token-file", str(token_file), "--since", "2025-01-01"]
        assert cli.main([*argv, "--out", "wb"]) == 130
        assert "run the same command again to resume" in capsys.readouterr().err
