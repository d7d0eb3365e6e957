"""
The tutorial notebook (docs/tutorial.ipynb): stored without outputs, it runs top to bottom in a
fresh kernel, shows what the library computes, and draws its chart as an image.

Running it needs nbclient and ipykernel (the ``docs`` extra) and what the notebook itself
imports (matplotlib, polars and narwhals); without them the tests are skipped, saying which.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from redemption import Period, redemption_rate
from redemption.sample import SAMPLE_TODAY, sample_history

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutorial.ipynb"

_NEEDED = ("nbclient", "nbformat", "ipykernel", "matplotlib", "polars", "narwhals")
_MISSING = [name for name in _NEEDED if importlib.util.find_spec(name) is None]
needs_a_kernel = pytest.mark.skipif(
    bool(_MISSING),
    reason=f"{', '.join(_MISSING)} not installed: running the tutorial needs the docs extra",
)


def _code_cells(notebook: dict[str, Any]) -> list[dict[str, Any]]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def _text(source: str | list[str]) -> str:
    return source if isinstance(source, str) else "".join(source)


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The tutorial, run in a fresh kernel in an empty folder, with its outputs."""
    # imported by name, typed Any: only where the docs extra is installed, and untyped
    nbformat: Any = importlib.import_module("nbformat")
    nbclient: Any = importlib.import_module("nbclient")
    notebook = nbformat.read(TUTORIAL, as_version=4)
    folder = tmp_path_factory.mktemp("tutorial")
    client = nbclient.NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, if one fails
    return dict(json.loads(nbformat.writes(notebook)))


class TestTutorial:
    def test_it_is_stored_without_outputs(self) -> None:
        """
        The notebook in the repository has no outputs: the site's build runs it afresh.
        """
        notebook = json.loads(TUTORIAL.read_text(encoding="utf-8"))
        assert notebook["nbformat"] == 4
        cells = _code_cells(notebook)
        assert cells
        assert all(cell["outputs"] == [] for cell in cells)
        assert all(cell["execution_count"] is None for cell in cells)

    @needs_a_kernel
    def test_every_cell_runs_without_error(self, executed: dict[str, Any]) -> None:
        """
        Every code cell ran, in order, and none gave an error.
        """
        cells = _code_cells(executed)
        assert [cell["execution_count"] for cell in cells] == list(range(1, len(cells) + 1))
        outputs = [output for cell in cells for output in cell["outputs"]]
        assert not [output for output in outputs if output["output_type"] == "error"]
        assert not [o for o in outputs if o.get("name") == "stderr"]  # no warning either

    @needs_a_kernel
    def test_it_shows_the_rate_the_library_computes(self, executed: dict[str, Any]) -> None:
        """
        The rate the tutorial shows for February 2025 is the one `redemption_rate` gives
        on the sample, as of its last day.
        """
        history, _ = sample_history()
        february = Period(date(2025, 2, 1), date(2025, 2, 28))
        expected = repr(redemption_rate(history, february, today=SAMPLE_TODAY))
        shown = [
            _text(output["data"]["text/plain"])
            for cell in _code_cells(executed)
            for output in cell["outputs"]
            if output["output_type"] == "execute_result"
        ]
        assert expected in shown

    @needs_a_kernel
    def test_its_chart_is_an_image(self, executed: dict[str, Any]) -> None:
        """
        The chart of the rate week by week shows as a PNG image, not as its repr.
        """
        [chart] = [
            output
            for cell in _code_cells(executed)
            if "plot_rate_series(" in _text(cell["source"])
            for output in cell["outputs"]
            if output["output_type"] in {"execute_result", "display_data"}
        ]
        assert "image/png" in chart["data"]
