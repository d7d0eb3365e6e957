"""A progress bar for the command line's imports, drawn on a terminal only.

It stays hidden for the first second, so quick imports print nothing, and it never draws
on a stream that is not a terminal (a file, a pipe, a CI log).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Self, TextIO

__all__ = ["ProgressBar"]

_WIDTH = 30
_REDRAW = 0.1  # seconds between two drawings, at the most ten a second


class ProgressBar:
    """Show an importer's ``(source, rows done, rows in the source)`` as a bar on `stream`.

    Example:
        >>> import io
        >>> stream = io.StringIO()  # not a terminal: nothing is drawn
        >>> with ProgressBar(stream) as bar:
        ...     bar("orders.json", 500, 1000)
        >>> stream.getvalue()
        ''
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        delay: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Get ready to draw on `stream` once `delay` seconds have passed, if it is a terminal."""
        self._stream = stream
        self._clock = clock
        self._show_after = clock() + delay
        self._enabled = stream.isatty()
        self._drawn = False
        self._drawn_at = float("-inf")

    def __call__(self, source: str, done: int, total: int) -> None:
        """Draw the bar for `done` of `total` rows of `source`, if it is time to."""
        now = self._clock()
        if not self._enabled or now < self._show_after:
            return
        if now - self._drawn_at < _REDRAW and done < total:
            return
        self._drawn_at = now
        share = done / total if total else 1.0
        filled = round(share * _WIDTH)
        bar = "#" * filled + "." * (_WIDTH - filled)
        self._stream.write(f"\r\x1b[K{source} [{bar}] {share:4.0%} {done:,}/{total:,} rows")
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        """Clear the bar's line, if one was drawn."""
        if self._drawn:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._drawn = False

    def __enter__(self) -> Self:
        """Return the bar, to be closed when the block ends."""
        return self

    def __exit__(self, *_: object) -> None:
        """Clear the bar's line."""
        self.close()
