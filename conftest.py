"""Collection for the whole checkout: doctests that need an extra skip without it.

With the ``test`` extra alone there is no narwhals, polars or pyarrow: the doctests of
`redemption.frames` (importing it raises ImportError) and of docs/frames.md cannot run; nor,
without matplotlib, those of `redemption.plot`. Each such file is then collected as one
skipped item that says what is missing, instead of failing. The test modules skip
themselves (``pytest.importorskip``).
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from _pytest.doctest import DoctestItem

_HERE = Path(__file__).parent


def _missing(*names: str) -> list[str]:
    return [name for name in names if importlib.util.find_spec(name) is None]


_NEEDS: tuple[tuple[tuple[Path, ...], list[str]], ...] = (
    (
        (_HERE / "src" / "redemption" / "frames",),
        _missing("narwhals", "polars", "pyarrow"),
    ),
    (
        (_HERE / "docs" / "frames.md",),
        _missing("narwhals", "polars", "pyarrow", "pandas", "duckdb"),
    ),
    ((_HERE / "src" / "redemption" / "plot.py",), _missing("matplotlib")),
    ((_HERE / "src" / "redemption" / "io" / "portal_wildberries.py",), _missing("openpyxl")),
    (
        (_HERE / "src" / "redemption" / "html", _HERE / "docs" / "report.md"),
        _missing("jinja2", "matplotlib"),
    ),
)
"""The files whose doctests need an extra, and what of it is not installed."""


class _SkippedDoctests(pytest.Item):
    """Stands for the doctests of a file whose engines are missing; marked skip."""

    def runtest(self) -> None:  # pragma: no cover - never run: the item is marked skip
        raise NotImplementedError

    def reportinfo(self) -> tuple[Path, int, str]:
        """Report the skip at the file, not at this conftest."""
        return self.path, 0, f"[doctest] {self.path.name}"


class _DoctestsNeedingExtras(pytest.File):
    """A file whose doctests need packages that are not installed."""

    missing: list[str]

    def collect(self) -> Iterator[pytest.Item]:
        """One item, skipped with the reason."""
        item = _SkippedDoctests.from_parent(self, name="doctests")
        missing = ", ".join(self.missing)
        item.add_marker(
            pytest.mark.skip(reason=f"{missing} not installed: these doctests need the dev extra")
        )
        yield item


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(
    file_path: Path, parent: pytest.Collector
) -> Generator[None, list[pytest.Collector], list[pytest.Collector]]:
    """Collect a doctest file as one skipped item when what it needs is missing."""
    collectors = yield
    for paths, missing in _NEEDS:
        if missing and collectors and any(file_path.is_relative_to(p) for p in paths):
            if ">>>" not in file_path.read_text(encoding="utf-8"):
                return []  # no doctests to skip: importing it would fail for nothing
            skipped = _DoctestsNeedingExtras.from_parent(parent, path=file_path)
            skipped.missing = missing
            return [skipped]
    return collectors


_EXTRAS = ("narwhals", "polars", "pandas", "pyarrow", "duckdb", "matplotlib", "jinja2", "openpyxl")
"""The packages of the extras that a core docstring's example may use."""
_USES = re.compile(
    r"\bimport (\w+)|\bfrom (\w+)[\w.]* import|\.to_(polars|pandas|arrow)\(|redemption\.(frames)\b"
)
_NEEDED_BY = {"arrow": "pyarrow", "frames": "narwhals"}
"""What a method or module an example calls needs: ``to_arrow()`` pyarrow, frames narwhals."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip, saying why, each doctest whose example uses an extra that is not installed.

    The files of the extras' own modules are skipped whole (`_NEEDS`); this is for the
    examples in core modules that show a table as a frame (``to_polars()``) or an error
    that only frames raise.
    """
    for item in items:
        if not isinstance(item, DoctestItem) or item.dtest is None:
            continue
        source = "".join(example.source for example in item.dtest.examples)
        used = {
            _NEEDED_BY.get(name, name)
            for match in _USES.finditer(source)
            for name in match.groups()
            if name
        }
        missing = sorted(name for name in used & set(_EXTRAS) if not importlib.util.find_spec(name))
        if missing:
            item.add_marker(
                pytest.mark.skip(
                    reason=f"{', '.join(missing)} not installed: this example needs an extra"
                )
            )
