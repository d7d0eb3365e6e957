"""Every public class and function shows how it is used: its docstring has an example.

The examples run as doctests (``--doctest-modules``); these tests check that none is missing,
one test per public name, so that a failure names the class or function without one.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from collections.abc import Iterator
from typing import Any

import pytest

PUBLIC_MODULES = (
    "redemption",
    "redemption.io",
    "redemption.frames",
    "redemption.analysis",
    "redemption.loyalty",
    "redemption.ozon",
    "redemption.plot",
    "redemption.html",
    "redemption.sample",
)
"""The modules whose ``__all__`` is the public API."""

NEEDS = {"redemption.frames": ("narwhals", "frames")}
"""The modules that cannot be imported without an extra: the package it installs, the extra.

`redemption.plot` and `redemption.html` import matplotlib and Jinja2 only to draw and write,
so their names are checked without them.
"""


def _public_names() -> Iterator[Any]:
    """Each class and function of each public module's ``__all__``, as a test parameter."""
    for module_name in PUBLIC_MODULES:
        needed = NEEDS.get(module_name)
        if needed is not None and importlib.util.find_spec(needed[0]) is None:
            package, extra = needed
            reason = f"{package} is not installed: {module_name} needs the {extra} extra"
            yield pytest.param(module_name, "", id=module_name, marks=pytest.mark.skip(reason))
            continue
        module = importlib.import_module(module_name)
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isclass(value) or inspect.isroutine(value):
                yield pytest.param(module_name, name, id=f"{module_name}.{name}")


PUBLIC_NAMES = list(_public_names())


@pytest.mark.parametrize(("module_name", "name"), PUBLIC_NAMES)
def test_public_class_or_function_has_a_doctest_example(module_name: str, name: str) -> None:
    """
    Its docstring holds a ``>>>`` example.
    """
    value = getattr(importlib.import_module(module_name), name)
    doc = inspect.getdoc(value) or ""
    assert ">>>" in doc, (
        f"{module_name}.{name} (defined in {value.__module__}) has no >>> example in its "
        "docstring: add a short one that shows what a user does with it"
    )


def test_the_names_checked_are_the_classes_and_functions_not_constants_or_aliases() -> None:
    """
    The selection finds the public classes and functions of every module it can import, and
    leaves out constants and type aliases, which have no docstring of their own.
    """
    checked = {param.id for param in PUBLIC_NAMES}
    assert {
        "redemption.History",
        "redemption.redemption_rate",
        "redemption.CancelKind",
        "redemption.RedemptionError",
        "redemption.io.read_reports",
        "redemption.io.ImportReport",
        "redemption.sample.sample_history",
    } <= checked
    constants_and_aliases = {
        "redemption.MOSCOW",
        "redemption.EXAMPLE_POLICIES",
        "redemption.Weight",
        "redemption.Figure",
        "redemption.io.FORMATS",
        "redemption.io.Progress",
    }
    assert not constants_and_aliases & checked
    importable = {
        m for m in PUBLIC_MODULES if m not in NEEDS or importlib.util.find_spec(NEEDS[m][0])
    }
    assert {name.rpartition(".")[0] for name in checked} >= importable
