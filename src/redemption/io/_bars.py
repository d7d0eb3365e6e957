"""An importer's progress shown by tqdm, in a terminal or a notebook, when the caller asks.

Every importer takes ``progress=``: a function told ``(source, rows done, rows in the
source)``, a tqdm bar (or any bar with tqdm's ``update``, ``reset`` and
``set_description``), or ``"auto"``: a bar of ``tqdm.auto`` for each file, which draws
itself as a widget in a notebook and as text in a terminal, when tqdm is installed, and
nothing when it is not. tqdm is never a dependency: it is imported when an import with
``progress="auto"`` starts.

`progress_function` turns each of these into the one function `RowTally` tells.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from typing import Any, Literal, Protocol, cast, runtime_checkable

from redemption.errors import InvalidArgumentError, shown

__all__ = ["BarProgress", "ProgressBarLike", "ProgressFunction", "progress_function"]

ProgressFunction = Callable[[str, int, int], None]
"""Told ``(source, rows done, rows in the source)`` now and then as an import goes on."""


@runtime_checkable
class ProgressBarLike(Protocol):
    """What an importer uses of a tqdm bar: tqdm's own, or another library's like it.

    .. versionadded:: 0.2.0
    """

    def update(self, n: int, /) -> object:
        """Move the bar `n` rows on."""

    def reset(self, total: int | None = None) -> object:
        """Start again from 0, of `total` rows."""

    def set_description(self, desc: str, /) -> object:
        """Name what is being read."""


class BarProgress:
    """Tell a bar each file's rows: reset to the file's rows, moved on as they are read.

    With ``bar=None`` it makes a bar of ``tqdm.auto`` for each file and closes it when the
    file is read (`finish`); a bar the caller gave is theirs, reset for each file and never
    closed here.

    Example:
        >>> class Bar:  # a stand-in for tqdm that keeps what it is told
        ...     def update(self, n): print("update", n)
        ...     def reset(self, total=None): print("reset", total)
        ...     def set_description(self, desc): print("file", desc)
        >>> progress = BarProgress(Bar())
        >>> progress("orders.json", 4096, 10000)
        reset 10000
        file orders.json
        update 4096
        >>> progress("orders.json", 10000, 10000)
        update 5904
    """

    def __init__(self, bar: ProgressBarLike | None) -> None:
        """Tell `bar`, or bars of ``tqdm.auto`` made for each file when it is `None`."""
        self._given = bar
        self._bar: Any = bar
        self._source: str | None = None
        self._done = 0
        self._total = 0

    def __call__(self, source: str, done: int, total: int) -> None:
        """Move the bar to `done` of `total` rows of `source`."""
        if source != self._source:
            self._start(source, total)
        elif total != self._total:  # an estimate of a file read as it comes, refined
            self._bar.total = total
            self._total = total
        if done > self._done:
            self._bar.update(done - self._done)
            self._done = done

    def _start(self, source: str, total: int) -> None:
        self.finish()
        self._source, self._done, self._total = source, 0, total
        if self._given is None:
            tqdm = importlib.import_module("tqdm.auto").tqdm
            self._bar = tqdm(total=total, desc=source, unit=" rows")
        else:
            self._bar.reset(total=total)
            self._bar.set_description(source)

    def finish(self) -> None:
        """A file is read: close the bar made for it (a bar the caller gave stays open)."""
        if self._given is None and self._bar is not None:
            self._bar.close()
            self._bar = None
        self._source = None


def progress_function(
    progress: ProgressFunction | ProgressBarLike | Literal["auto"] | None,
) -> ProgressFunction | None:
    """Return the function an importer tells its progress, for what the caller passed.

    Raises:
        InvalidArgumentError: `progress` is none of a function, a bar, ``"auto"``, `None`.

    Example:
        >>> progress_function(None) is None, progress_function(print) is print
        (True, True)
    """
    given: object = progress  # checked as any value: callers without a type checker
    if given is None:
        return None
    if isinstance(given, str) and given == "auto":  # a tqdm bar's == fails on a str
        return BarProgress(None) if importlib.util.find_spec("tqdm") is not None else None
    if isinstance(given, ProgressBarLike):
        return BarProgress(given)
    if callable(given) and not isinstance(given, str):
        return cast("ProgressFunction", given)
    msg = f'progress must be a function, a tqdm bar, "auto" or None, not {shown(given)}'
    raise InvalidArgumentError(msg)
