from __future__ import annotations

import io

from redemption._progress import ProgressBar
from redemption.io import read_wildberries_statistics


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        """Say so."""
        return True


class Clock:
    """A clock that moves only when a test moves it."""

    def __init__(self) -> None:
        """Start at an arbitrary time."""
        self.now = 100.0

    def __call__(self) -> float:
        """Tell the time."""
        return self.now


class TestProgressBar:
    def test_nothing_is_drawn_in_the_first_second(self) -> None:
        """
        A quick import prints nothing, even on a terminal.
        """
        stream, clock = Terminal(), Clock()
        with ProgressBar(stream, clock=clock) as bar:
            clock.now += 0.99
            bar("orders.json", 10, 100)
        assert stream.getvalue() == ""

    def test_after_a_second_the_bar_is_drawn_and_cleared_at_the_end(self) -> None:
        """
        A slow import shows how far it is, on one line that is wiped when it ends.
        """
        stream, clock = Terminal(), Clock()
        with ProgressBar(stream, clock=clock) as bar:
            clock.now += 1.5
            bar("orders.json", 250, 1000)
            drawn = stream.getvalue()
        assert "orders.json" in drawn
        assert "25%" in drawn
        assert "250/1,000 rows" in drawn
        assert "#" * 8 + "." * 22 in drawn
        assert stream.getvalue().endswith("\r\x1b[K")

    def test_the_bar_is_drawn_ten_times_a_second_at_most_and_always_at_the_end(self) -> None:
        """
        Calls in quick succession draw once; the last call of a file always draws.
        """
        stream, clock = Terminal(), Clock()
        bar = ProgressBar(stream, clock=clock)
        clock.now += 2
        bar("f", 1, 4)
        bar("f", 2, 4)
        clock.now += 0.05
        bar("f", 3, 4)
        bar("f", 4, 4)
        drawn = stream.getvalue()
        assert "1/4 rows" in drawn
        assert "2/4 rows" not in drawn
        assert "3/4 rows" not in drawn
        assert "4/4 rows" in drawn

    def test_a_stream_that_is_no_terminal_gets_nothing(self) -> None:
        """
        A pipe or a log file never sees the bar.
        """
        stream, clock = io.StringIO(), Clock()
        with ProgressBar(stream, clock=clock) as bar:
            clock.now += 10
            bar("orders.json", 1, 2)
        assert stream.getvalue() == ""


class TestImportersTellProgress:
    def test_progress_is_told_every_few_thousand_rows_and_at_the_end(self) -> None:
        """
        5,000 rows: one call after 4,096 rows, and one when the file is done.
        """
        rows = [
            {
                "srid": f"o{n}",
                "date": "2025-04-01T10:00:00",
                "lastChangeDate": "2025-04-01T10:00:00",
                "nmId": 42,
                "finishedPrice": "990.5",
                "isCancel": False,
                "cancelDate": "0001-01-01T00:00:00",
            }
            for n in range(5000)
        ]
        calls: list[tuple[str, int, int]] = []
        read_wildberries_statistics(orders=rows, progress=lambda *call: calls.append(call))
        assert calls == [("<rows>", 4096, 5000), ("<rows>", 5000, 5000)]
