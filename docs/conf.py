"""Sphinx configuration of the documentation site of `redemption`.

Build it, offline and with every warning an error, from the checkout::

    .venv/bin/python -m sphinx -W --keep-going -b html docs docs/_build/html

The pages are the Markdown in this folder (MyST), and their examples run as each is read
(`_run_examples`): a number the code does not give fails the build. The tutorial notebook is
executed on each build (myst-nb), and the API reference (``api/``) is generated from the
docstrings (autodoc, Google style through napoleon). Nothing is fetched from the network: no
intersphinx.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import io
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.errors import PycodeError
from sphinx.ext.napoleon import _process_docstring
from sphinx.pycode import ModuleAnalyzer
from sphinx.util import logging
from sphinx.util.typing import restify

if TYPE_CHECKING:
    from sphinx.application import Sphinx

_DOCS = Path(__file__).resolve().parent
_LOGGER = logging.getLogger(__name__)
_SRC = _DOCS.parent / "src"
if str(_SRC) not in sys.path:  # the checkout's own source, installed or not
    sys.path.insert(0, str(_SRC))

import redemption  # noqa: E402 - after the source is on the path

#: The modules of the API reference: one page each, ``api/<module>.md``, whose names are
#: checked against the public modules by tests/test_docs_site.py.
PUBLIC_MODULES = tuple(sorted(page.stem for page in (_DOCS / "api").glob("redemption*.md")))


def _type_aliases() -> dict[str, str]:
    """Each public type alias by its name: signatures name it instead of spelling it out.

    An alias whose name the package also gives to something else (``Figure``, matplotlib's
    in the charts) is left out: autodoc maps names, not objects.
    """
    aliases: dict[str, object] = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, types.GenericAlias | types.UnionType) or (
                type(value).__module__ == "typing" and not isinstance(value, type)
            ):
                aliases[name] = value
    ambiguous = _named_otherwise(aliases)
    return {
        name: f"{module_name}.{name}"
        for module_name in PUBLIC_MODULES
        for name in importlib.import_module(module_name).__all__
        if name in aliases and name not in ambiguous
    }


def _named_otherwise(aliases: dict[str, object]) -> set[str]:
    """The names of `aliases` that the package's source also binds to something else."""
    ambiguous: set[str] = set()
    for path in sorted(_SRC.rglob("*.py")):
        module_name = ".".join(path.relative_to(_SRC).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and not (node.module or "").startswith(
                "redemption"
            ):  # another library's name: matplotlib's Figure
                ambiguous.update(alias.asname or alias.name for alias in node.names)
            targets: list[ast.expr] = []
            if isinstance(node, ast.AnnAssign):
                targets.append(node.target)
            elif isinstance(node, ast.Assign):
                targets.extend(node.targets)
            for target in targets:
                if isinstance(target, ast.Name) and target.id in aliases:
                    module = importlib.import_module(module_name.removesuffix(".__init__"))
                    if getattr(module, target.id, None) != aliases[target.id]:
                        ambiguous.add(target.id)  # another alias of the same name
    return ambiguous


# -- Project ------------------------------------------------------------------------------

project = "redemption"
author = "The redemption developers"
copyright = "The redemption developers"  # noqa: A001 - the name Sphinx reads
release = redemption.__version__
version = ".".join(release.split(".")[:2])

# -- General ------------------------------------------------------------------------------

extensions = [
    "myst_nb",  # Markdown pages (it brings myst-parser) and executed notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx_design",
]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "jupyter_execute", ".jupyter_cache", "**/.ipynb_checkpoints"]
templates_path: list[str] = []
language = "en"
today_fmt = "%Y-%m-%d"
nitpicky = False
default_role = "py:obj"
# A page's link to a file of the checkout that is not a page (../examples/...) is a download.

# -- MyST ---------------------------------------------------------------------------------

myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
# Links to a heading of a page (``analysis.md#what-refusals-cost-refusal_costs``), as on GitHub.
myst_heading_anchors = 3

# -- myst-nb: the tutorial runs on every build; an error in a cell fails it ------------------

nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 120
nb_execution_show_tb = True
nb_merge_streams = True

# -- autodoc ------------------------------------------------------------------------------

autodoc_default_options = {
    "members": True,
    "member-order": "bysource",
    "show-inheritance": True,
}
# Types beside each documented argument; the signature stays short and readable.
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented_params"
autodoc_typehints_format = "short"
autodoc_class_signature = "mixed"
autosummary_generate = False
autodoc_type_aliases = _type_aliases()
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
napoleon_use_ivar = True
python_use_unqualified_type_names = True

# -- HTML ---------------------------------------------------------------------------------

html_theme = "furo"
html_title = f"redemption {release}"
html_static_path: list[str] = []
html_last_updated_fmt: str | None = None  # no build date on the pages: the same build twice
html_copy_source = False
html_show_sourcelink = False


# -- Constants and type aliases re-exported by a public module ------------------------------


def _attribute_doc(module_name: str, name: str) -> list[str] | None:
    """The doc-comment (``#:``) or docstring of `name` assigned in `module_name`, if any."""
    try:
        docs = ModuleAnalyzer.for_module(module_name).find_attr_docs()
    except PycodeError:
        return None
    found = docs.get(("", name))
    return list(found) if found else None


def _reexported_doc(
    app: Sphinx, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """Give a re-exported constant or type alias the doc-comment of where it is assigned.

    Without it autodoc shows the docstring of the value's type (``str``, ``tuple``...).
    """
    del app, options
    if what != "data":
        return
    module_name, _, attribute = name.rpartition(".")
    if _attribute_doc(module_name, attribute) is not None:
        return  # assigned and documented in the module that exports it
    for defining in sorted(sys.modules):
        if not defining.startswith("redemption.") or defining == module_name:
            continue
        if getattr(sys.modules[defining], attribute, None) is not obj:
            continue
        doc = _attribute_doc(defining, attribute)
        if doc is not None:
            lines[:] = doc
            break
    else:
        lines[:] = []
    if isinstance(obj, types.UnionType):  # shown with :no-value: on its page, as an alias
        lines.extend(["", f"alias of {restify(obj, mode='smart')}"])


# -- Napoleon, except on the docstrings of attributes and properties -----------------------

# Napoleon reads the first line of an attribute's or a property's docstring as
# ``type: description``. Ours are sentences, often with a colon ("The units refused, returned or
# cancelled together: what refusals cost."): they are parsed as Google-style sections like
# any other docstring, without that reading.
_ATTRIBUTE_KINDS = frozenset({"attribute", "data", "property"})


def _google_docstring(
    app: Sphinx, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """Napoleon's own processing, with attributes and properties taken as any object."""
    kind = "object" if what in _ATTRIBUTE_KINDS else what
    _process_docstring(app, kind, name, obj, options, lines)  # type: ignore[arg-type]


def _drop_object_base(app: Sphinx, doctree: nodes.document) -> None:
    """Leave out "Bases: object": only a class with a base of its own says what it is."""
    del app
    for paragraph in list(doctree.findall(nodes.paragraph)):
        if paragraph.astext() == "Bases: object" and paragraph.parent is not None:
            paragraph.parent.remove(paragraph)


_EXAMPLE_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
"""The doctest options of the pages' examples: those pytest runs them with (pyproject.toml)."""


def _run_examples(app: Sphinx, docname: str, source: list[str]) -> None:
    """Run a Markdown page's examples as it is read: every number it shows is the code's.

    Each ``>>>`` example of the page runs in order, in one namespace, and what it prints
    must be what the page shows, else the build warns (an error with ``-W``), naming the
    page, the line and both outputs. The notebook is executed by myst-nb, and the API
    reference's examples by pytest's doctests of the modules.
    """
    path = Path(app.env.doc2path(docname))
    if path.suffix != ".md":
        return
    test = doctest.DocTestParser().get_doctest(source[0], {}, docname, str(path), 0)
    if not test.examples:
        return
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=_EXAMPLE_FLAGS)
    runner.run(test, out=report.write, clear_globs=True)
    if runner.failures:
        _LOGGER.warning(
            "%d of its %d examples do not print what the page shows:\n%s",
            runner.failures,
            runner.tries,
            report.getvalue(),
            location=docname,
        )


def setup(app: Sphinx) -> None:
    """Hook the build: Google docstrings, re-exports documented, each page's examples run.

    `_google_docstring` takes the place of napoleon's handler.
    """
    for listener in list(app.events.listeners["autodoc-process-docstring"]):
        if listener.handler is _process_docstring:
            app.disconnect(listener.id)
    app.connect("autodoc-process-docstring", _google_docstring)
    app.connect("autodoc-process-docstring", _reexported_doc, priority=400)  # before napoleon
    app.connect("doctree-read", _drop_object_base)
    app.connect("source-read", _run_examples)
