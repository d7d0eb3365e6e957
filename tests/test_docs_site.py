"""The documentation site: built once from docs/, offline, and no Sphinx warning allowed.

The build is the one of ``python -m sphinx -W --keep-going -b html docs docs/_build/html``:
every warning is collected and the test fails listing them all. The API reference must name
every public name; the tutorial notebook is run by the build, its outputs are the site's.
Skipped, saying so, without the ``docs`` extra.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import json
import re
import types
import warnings
from pathlib import Path
from typing import Any

import attrs
import pytest

pytest.importorskip("sphinx", reason="sphinx not installed: the site needs the docs extra")
pytest.importorskip("myst_nb", reason="myst-nb not installed: the site needs the docs extra")
pytest.importorskip("furo", reason="furo not installed: the site needs the docs extra")
pytest.importorskip("sphinx_design", reason="sphinx-design not installed: the docs extra")
pytest.importorskip("narwhals", reason="narwhals not installed: the frames reference needs it")

from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace, patch_docutils
from sphinx.util.inventory import InventoryFile

from tests.test_docstrings import PUBLIC_MODULES

DOCS = Path(__file__).resolve().parents[1] / "docs"
SRC = DOCS.parent / "src"


@attrs.frozen
class Site:
    """A build of the site: where it went, what Sphinx warned, and Python's warnings."""

    html: Path
    status: int
    sphinx_warnings: str
    python_warnings: tuple[warnings.WarningMessage, ...]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """Build the site once, from scratch, into a temporary folder."""
    out = tmp_path_factory.mktemp("site")
    warned = io.StringIO()
    with (
        warnings.catch_warnings(record=True) as caught,
        patch_docutils(DOCS),
        docutils_namespace(),  # Sphinx's roles and directives are gone after the build
    ):
        warnings.simplefilter("always")  # recorded, not raised: libraries' own are not ours
        app = Sphinx(
            srcdir=DOCS,
            confdir=DOCS,
            outdir=out / "html",
            doctreedir=out / "doctrees",
            buildername="html",
            status=io.StringIO(),
            warning=warned,
            freshenv=True,
        )
        app.build(force_all=True)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", warned.getvalue())  # no terminal colours
    return Site(out / "html", app.statuscode, plain, tuple(caught))


def _inventory(site: Site) -> dict[str, str]:
    """Each Python object of the site's ``objects.inv``, by full name, with its kind."""
    inventory = InventoryFile.loads((site.html / "objects.inv").read_bytes(), uri="")
    return {
        name: kind
        for kind, entries in inventory.data.items()
        if kind.startswith("py:")
        for name in entries
    }


def test_the_site_builds_without_a_warning(site: Site) -> None:
    """
    Sphinx finishes, and says nothing: no broken link, no missing page, no bad docstring.
    """
    assert site.sphinx_warnings == ""
    assert site.status == 0
    assert (site.html / "index.html").is_file()


def test_our_code_gives_no_python_warning_while_the_site_builds(site: Site) -> None:
    """
    Importing and documenting `redemption` warns nothing (the libraries' own warnings aside).
    """
    ours = [str(w.message) for w in site.python_warnings if Path(w.filename).is_relative_to(SRC)]
    assert ours == []


def test_every_page_of_docs_is_built(site: Site) -> None:
    """
    Each Markdown page and notebook in docs/ becomes a page of the site.
    """
    sources = [
        path.relative_to(DOCS).with_suffix("")
        for path in [*DOCS.rglob("*.md"), *DOCS.rglob("*.ipynb")]
        if not {"_build", "jupyter_execute", ".ipynb_checkpoints"} & set(path.parts)
    ]
    assert len(sources) > 10
    missing = [str(page) for page in sources if not (site.html / f"{page}.html").is_file()]
    assert missing == []


def test_each_public_module_has_its_page() -> None:
    """
    The pages of docs/api/ are the public modules, one each, and the index.
    """
    pages = {path.stem for path in (DOCS / "api").glob("*.md")}
    assert pages == {"index", *PUBLIC_MODULES}


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_name_is_in_the_api_reference(site: Site, module_name: str) -> None:
    """
    Every name of a public module's ``__all__`` (classes, functions, constants and type
    aliases alike) is an object of the site's inventory, under the module's own name.
    """
    module = importlib.import_module(module_name)
    objects = _inventory(site)
    assert objects.get(module_name) == "py:module"
    missing = [name for name in module.__all__ if f"{module_name}.{name}" not in objects]
    assert missing == []


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("redemption.History", "py:class"),
        ("redemption.redemption_rate", "py:function"),
        ("redemption.RedemptionError", "py:exception"),
        ("redemption.MOSCOW", "py:data"),
        ("redemption.io.read_reports", "py:function"),
        ("redemption.io.DEFAULT_LIMITS", "py:data"),
        ("redemption.frames.redemption_rates", "py:function"),
        ("redemption.analysis.Freq", "py:data"),
        ("redemption.loyalty.Value", "py:data"),
    ],
)
def test_names_are_documented_as_what_they_are(site: Site, name: str, kind: str) -> None:
    """
    A class is a class, a function a function, and a constant or a type alias is data.
    """
    assert _inventory(site).get(name) == kind


def test_a_reexported_constant_has_the_doc_comment_of_its_definition(site: Site) -> None:
    """
    `redemption.loyalty.UNREACHABLE` is assigned in a private module: its entry shows the
    docstring written there, not that of `str`.
    """
    page = (site.html / "api" / "redemption.loyalty.html").read_text(encoding="utf-8")
    entry = page.split('id="redemption.loyalty.UNREACHABLE"', 1)[1].split("</dd>", 1)[0]
    assert "reach the target" in entry
    assert str.__doc__ is not None
    assert str.__doc__.split("\n", 1)[0] not in entry


def test_the_tutorial_is_run_by_the_build(site: Site) -> None:
    """
    The notebook is kept without outputs; the site shows the outputs of running it.
    """
    notebook = json.loads((DOCS / "tutorial.ipynb").read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code
    assert all(not cell.get("outputs") for cell in code)
    page = (site.html / "tutorial.html").read_text(encoding="utf-8")
    assert "cell_output" in page


def _conf() -> types.ModuleType:
    """docs/conf.py as a module, for its build hooks."""
    spec = importlib.util.spec_from_file_location("docs_conf", DOCS / "conf.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("shown", "warnings_expected"), [("2", 0), ("3", 1)])
def test_a_page_whose_example_prints_otherwise_fails_the_build(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shown: str, warnings_expected: int
) -> None:
    """
    The build runs each page's examples: a number the code does not give is a warning,
    which -W makes an error, naming the page.
    """
    conf = _conf()
    page = tmp_path / "page.md"
    page.write_text("", encoding="utf-8")
    app = types.SimpleNamespace(env=types.SimpleNamespace(doc2path=lambda _: page))
    warnings_given: list[tuple[Any, ...]] = []
    monkeypatch.setattr(conf._LOGGER, "warning", lambda *a, **k: warnings_given.append((a, k)))
    conf._run_examples(app, "page", [f"Text.\n\n```pycon\n>>> 1 + 1\n{shown}\n\n```\n"])
    assert len(warnings_given) == warnings_expected
    if warnings_expected:
        ((args, kwargs),) = warnings_given
        assert kwargs == {"location": "page"}
        assert args[1:3] == (1, 1)
        assert "Expected:\n    3\nGot:\n    2" in args[3]
