"""Collection for the whole checkout: the doctests that need a frame engine skip without one.

With the ``test`` extra alone there is no narwhals, polars or pyarrow: the doctests of
`redemption.frames` (importing it raises ImportError) and of docs/frames.md cannot run.
Each such file is then collected as one skipped item that says what is missing, instead of
failing to import. The frames test modules skip themselves (``pytest.importorskip``).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

_HERE = Path(__file__).parent
_NEED_ENGINES = (_HERE / "src" / "redemption" / "frames", _HERE / "docs" / "frames.md")
_MISSING = [n for n in ("narwhals", "polars", "pyarrow") if importlib.util.find_spec(n) is None]


class _SkippedDoctests(pytest.Item):
    """Stands for the doctests of a file whose engines are missing; marked skip."""

    def runtest(self) -> None:  # pragma: no cover - never run: the item is marked skip
        raise NotImplementedError

    def reportinfo(self) -> tuple[Path, int, str]:
        """Report the skip at the file, not at this conftest."""
        return self.path, 0, f"[doctest] {self.path.name}"


class _DoctestsNeedingEngines(pytest.File):
    """A file whose doctests need engines that are not installed."""

    def collect(self) -> Iterator[pytest.Item]:
        """One item, skipped with the reason."""
        item = _SkippedDoctests.from_parent(self, name="doctests")
        missing = ", ".join(_MISSING)
        item.add_marker(
            pytest.mark.skip(reason=f"{missing} not installed: these doctests need the dev extra")
        )
        yield item


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(
    file_path: Path, parent: pytest.Collector
) -> Generator[None, list[pytest.Collector], list[pytest.Collector]]:
    """Collect a frames doctest file as one skipped item when its engines are missing."""
    collectors = yield
    if _MISSING and collectors and any(file_path.is_relative_to(p) for p in _NEED_ENGINES):
        if ">>>" not in file_path.read_text(encoding="utf-8"):
            return []  # no doctests to skip: importing it would fail for nothing
        return [_DoctestsNeedingEngines.from_parent(parent, path=file_path)]
    return collectors
