from __future__ import annotations

import io
import sys
import types
from typing import Any

import pytest

from redemption import InvalidArgumentError
from redemption.io import read_wildberries_statistics
from redemption.io._bars import BarProgress, progress_function


def _rows(n: int) -> list[dict[str, Any]]:
    """`n` orders of a Wildberries statistics report."""
    return [
        {
            "srid": f"o{i}",
            "date": "2025-04-01T10:00:00",
            "lastChangeDate": "2025-04-01T10:00:00",
            "nmId": 42,
            "finishedPrice": "990.5",
            "isCancel": False,
            "cancelDate": "0001-01-01T00:00:00",
        }
        for i in range(n)
    ]


class Bar:
    """A stand-in for a tqdm bar: it keeps where it is and what it was told."""

    instances: list[Bar] = []  # noqa: RUF012 - the bars made by the fake tqdm.auto

    def __init__(self, total: int | None = None, desc: str | None = None, **_: object) -> None:
        """Start at 0 of `total` rows."""
        self.total = total
        self.desc = desc
        self.n = 0
        self.resets = 0
        self.closed = False
        Bar.instances.append(self)

    def update(self, n: int) -> None:
        """Move on."""
        self.n += n

    def reset(self, total: int | None = None) -> None:
        """Start again."""
        self.n, self.total = 0, total
        self.resets += 1

    def set_description(self, desc: str) -> None:
        """Name the file."""
        self.desc = desc

    def close(self) -> None:
        """Be done."""
        self.closed = True


@pytest.fixture
def fake_tqdm(monkeypatch: pytest.MonkeyPatch) -> list[Bar]:
    """A module ``tqdm.auto`` whose ``tqdm`` is `Bar`; the bars it made."""
    Bar.instances = []
    package = types.ModuleType("tqdm")
    package.__path__ = []
    auto = types.ModuleType("tqdm.auto")
    auto.tqdm = Bar  # type: ignore[attr-defined]
    package.auto = auto  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tqdm", package)
    monkeypatch.setitem(sys.modules, "tqdm.auto", auto)
    monkeypatch.setattr("importlib.util.find_spec", lambda _: object())
    return Bar.instances


class TestTqdmBars:
    def test_a_bar_the_caller_gives_is_reset_to_the_file_and_filled(self) -> None:
        """
        A tqdm-like bar: reset to the file's rows, named after it, full at the end, and
        left open for the caller.
        """
        bar = Bar()
        read_wildberries_statistics(orders=_rows(5000), progress=bar)
        assert (bar.desc, bar.n, bar.total) == ("<rows>", 5000, 5000)
        assert bar.resets == 1
        assert not bar.closed

    def test_a_real_tqdm_bar_is_filled_and_written(self) -> None:
        """
        With tqdm itself (the ``progress`` extra): the bar counts every row, and what it
        writes names the source.
        """
        tqdm = pytest.importorskip("tqdm", reason="tqdm is not installed: the progress extra")
        out = io.StringIO()
        with tqdm.tqdm(file=out, mininterval=0) as bar:
            read_wildberries_statistics(orders=_rows(5000), progress=bar)
            assert (bar.n, bar.total) == (5000, 5000)
        assert "<rows>" in out.getvalue()
        assert "5000/5000" in out.getvalue()

    def test_auto_makes_a_bar_per_file_and_closes_it(self, fake_tqdm: list[Bar]) -> None:
        """
        ``progress="auto"`` with tqdm installed: one bar of tqdm.auto per file read
        (orders, then sales), each full and closed.
        """
        read_wildberries_statistics(orders=_rows(5000), sales=[], progress="auto")
        assert [(bar.desc, bar.n, bar.total, bar.closed) for bar in fake_tqdm] == [
            ("<rows>", 5000, 5000, True),
            ("<rows>", 0, 0, True),
        ]

    def test_auto_without_tqdm_shows_nothing_and_imports_anyway(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """
        tqdm is optional: without it, "auto" is no progress at all, and the import works.
        """
        monkeypatch.setattr("importlib.util.find_spec", lambda _: None)
        assert progress_function("auto") is None
        history, report = read_wildberries_statistics(orders=_rows(10), progress="auto")
        assert report.orders == 10
        assert len(history.orders) == 10

    def test_an_estimate_that_grows_moves_the_bars_total(self) -> None:
        """
        A file read as it comes tells estimates: the bar's total follows them, never
        going back on rows done.
        """
        bar = Bar()
        progress = BarProgress(bar)
        progress("orders.json", 4096, 8000)
        progress("orders.json", 8192, 12000)
        progress("orders.json", 9000, 9000)
        assert (bar.n, bar.total, bar.resets) == (9000, 9000, 1)
        progress("sales.json", 10, 10)
        assert (bar.desc, bar.n, bar.total, bar.resets) == ("sales.json", 10, 10, 2)

    def test_a_function_is_told_as_before(self) -> None:
        """
        A plain function is still what the importer tells, unchanged.
        """
        calls: list[tuple[str, int, int]] = []

        def tell(source: str, done: int, total: int) -> None:
            calls.append((source, done, total))

        assert progress_function(tell) is tell
        read_wildberries_statistics(orders=_rows(5000), progress=tell)
        assert calls == [("<rows>", 4096, 5000), ("<rows>", 5000, 5000)]

    @pytest.mark.parametrize("wrong", ["tqdm", 3])
    def test_anything_else_is_refused_by_name(self, wrong: object) -> None:
        """
        A string other than "auto", or a value that is neither function nor bar.
        """
        with pytest.raises(InvalidArgumentError, match="progress must be"):
            progress_function(wrong)  # type: ignore[arg-type]
