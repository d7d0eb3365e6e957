"""Hypothesis profiles: ``dev`` by default, ``ci`` (its blob printed) when CI is set.

Without the frame engines (the ``test`` extra alone) the frames tests skip, saying why.
The Spark tests run first (`pytest_collection_modifyitems`).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "ci",
    max_examples=100,  # dev's: a clean clone's CI (.ci/run) took 19 minutes at 150 on a
    # slow day, against a limit of 20; the Spark tests are most of the rest
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

# Helpers that import the engines and hold no tests or doctests: without the engines,
# --doctest-modules leaves them out; the test modules that use them skip, saying why.
_ENGINES = ("narwhals", "pandas", "polars", "pyarrow", "duckdb")
collect_ignore = (
    []
    if all(importlib.util.find_spec(name) for name in _ENGINES)
    else ["engines.py", "typecheck/api.py", "typecheck/frames_api.py"]
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the Spark tests first, in their order, then the others in theirs.

    They are the longest (up to 90 s each) and share one session. On two processes
    (``-n 2 --dist worksteal``, as `scripts/test` runs them) the first takes them at the
    start of its half, the second steals from the end of the first's queue when its own
    is done, so no Spark test is left to run alone at the end, and the second process
    starts Spark only if it steals one.
    """
    items.sort(key=lambda item: item.get_closest_marker("spark") is None)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session for the whole run (skipped without Java)."""
    from tests.engines import spark_session  # noqa: PLC0415 - only Spark tests start Spark

    yield from spark_session()
