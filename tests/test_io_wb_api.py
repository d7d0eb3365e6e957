from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from redemption import FetchError, cli
from redemption.io import read_wildberries_statistics
from redemption.io.wb_api import FetchResult, fetch_wildberries_statistics

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


class Api:
    """A scripted statistics API: per dateFrom, a list of answers given in turn."""

    def __init__(self, script: dict[str, list[Any]]) -> None:
        """Keep the script and record each call's cursor and Authorization header."""
        self.script = {key: list(answers) for key, answers in script.items()}
        self.calls: list[tuple[str, str | None]] = []


@pytest.fixture
def serve() -> Iterator[Any]:
    """Start a local API server on 127.0.0.1 for a script; stop it after the test."""
    servers: list[ThreadingHTTPServer] = []

    def start(api: Api) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = parse_qs(urlparse(self.path).query)
                cursor = query["dateFrom"][0]
                api.calls.append((cursor, self.headers.get("Authorization")))
                answers = api.script.get(cursor, [[]])
                answer = answers.pop(0) if len(answers) > 1 else answers[0]
                if answer == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                if isinstance(answer, int):
                    self.send_response(answer)
                    self.end_headers()
                    return
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                del args  # keep test output quiet

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


T1, T2, T3 = "2025-04-01T10:00:00", "2025-04-02T11:00:00", "2025-04-03T12:00:00"


def fetch(url: str, out: Path, **options: Any) -> Any:
    """Fetch orders from the test server without real waits."""
    waits: list[float] = options.pop("waits", [])
    return fetch_wildberries_statistics(
        "orders",
        token=TOKEN,
        since=date(2025, 4, 1),
        out=out,
        base_url=url,
        sleep=waits.append,
        max_tries=options.pop("max_tries", 3),
        **options,
    )


class TestFetch:
    def test_pages_follow_last_change_date_through_a_429_and_a_dropped_connection(
        self, serve: Any, tmp_path: Path
    ) -> None:
        """
        Every page lands on disk, the overlap is merged on reading, nothing is lost.
        """
        api = Api(
            {
                "2025-04-01": [429, [order("a", T1), order("b", T2)]],
                T2: ["drop", [order("b", T2), order("c", T3)]],
                T3: [[]],
            }
        )
        waits: list[float] = []
        result = fetch(serve(api), tmp_path, waits=waits)
        assert (result.pages, result.rows, result.retries) == (2, 4, 2)
        assert [f.name for f in result.files] == ["orders-00001.json", "orders-00002.json"]
        assert [cursor for cursor, _ in api.calls] == ["2025-04-01", "2025-04-01", T2, T2, T3]
        assert {auth for _, auth in api.calls} == {TOKEN}
        assert waits.count(60.0) == 2  # one call a minute after the first page
        rows = [row for f in result.files for row in json.loads(f.read_text())]
        history, report = read_wildberries_statistics(orders=rows)
        assert sorted(o.order_id for o in history.orders) == ["a", "b", "c"]
        assert report.merged == 1
        assert all(TOKEN not in f.read_text() for f in tmp_path.iterdir())

    def test_an_interrupted_download_resumes_from_the_last_row_saved(
        self, serve: Any, tmp_path: Path
    ) -> None:
        """
        A second call picks up at the last saved lastChangeDate and keeps the old pages.
        """
        failing = Api({"2025-04-01": [[order("a", T1), order("b", T2)]], T2: [503]})
        with pytest.raises(FetchError, match="no good answer after 3 tries"):
            fetch(serve(failing), tmp_path)
        assert [f.name for f in tmp_path.iterdir()] == ["orders-00001.json"]
        healthy = Api({T2: [[order("b", T2), order("c", T3)]], T3: [[]]})
        result = fetch(serve(healthy), tmp_path)
        assert [cursor for cursor, _ in healthy.calls] == [T2, T3]
        assert [f.name for f in result.files] == ["orders-00001.json", "orders-00002.json"]
        assert result.pages == 1

    def test_a_refused_token_fails_at_once_without_showing_it(
        self, serve: Any, tmp_path: Path
    ) -> None:
        """
        401 is not retried; the error names the answer, never the token.
        """
        api = Api({"2025-04-01": [401]})
        with pytest.raises(FetchError, match="401") as caught:
            fetch(serve(api), tmp_path)
        assert TOKEN not in str(caught.value)
        assert len(api.calls) == 1

    def test_a_page_that_only_repeats_the_boundary_ends_the_download(
        self, serve: Any, tmp_path: Path
    ) -> None:
        """
        When the newest row comes back alone, nothing newer is left: stop.
        """
        api = Api({"2025-04-01": [[order("a", T1)]], T1: [[order("a", T1)]]})
        result = fetch(serve(api), tmp_path)
        assert result.pages == 2
        assert len(api.calls) == 2


class TestFetchCommand:
    def test_the_command_reads_the_token_from_its_file_and_never_prints_it(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        `redemption fetch` passes the token, the day and the folder on, for both reports.
        """
        calls: list[tuple[str, str, date, Path]] = []

        def fake(report: str, *, token: str, since: date, out: Path) -> FetchResult:
            calls.append((report, token, since, out))
            return FetchResult(pages=1, rows=2, files=(out / f"{report}-00001.json",), retries=0)

        monkeypatch.setattr(cli, "fetch_wildberries_statistics", fake)
        token_file = tmp_path / "token"
        token_file.write_text(TOKEN + "\n", encoding="utf-8")
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

    def test_an_empty_token_file_is_one_line_and_a_failing_status(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """
        No token, no call: exit status 1 and one line on stderr.
        """
        token_file = tmp_path / "token"
        token_file.write_text("\n", encoding="utf-8")
        status = cli.main(
            ["fetch", "--token-file", str(token_file), "--since", "2025-01-01", "--out", "wb"]
        )
        assert status == 1
        assert capsys.readouterr().err.count("\n") == 1
