"""The HTML report opened in a real browser: headless Chromium, driven by Playwright.

The page is opened from its file, as a seller would open it, with the network shut: it must
render without a console error, show every chart, and sort its SKU table on a click. A
screenshot of it is kept in ``build/test-artefacts/`` (or ``$REDEMPTION_ARTEFACTS``).

Skipped, saying why, without Playwright or a Chromium; in CI (``CI`` set) a missing browser
fails instead, so the page is always opened there.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import pytest

pytest.importorskip("jinja2", reason="the HTML report needs the report extra (jinja2)")
pytest.importorskip("matplotlib", reason="the HTML report needs the report extra (matplotlib)")

from redemption import Period, redemption_rate
from redemption.html import html_report
from redemption.io import read_order_lines
from redemption.money import percent
from redemption.sample import SAMPLE_TODAY, sample_lines_path

pytestmark = pytest.mark.browser

PERIOD = Period(date(2025, 4, 1), date(2025, 4, 15))
_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Chromium's flags for a machine with no screen and no network (and, in CI, as root)."""


def _chromium() -> str | None:
    """The Chromium to drive: $REDEMPTION_CHROMIUM, or the first on the PATH."""
    given = os.environ.get("REDEMPTION_CHROMIUM")
    if given:
        return given
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _missing(why: str) -> NoReturn:
    """Skip, saying why; in CI, fail: the page must be opened there."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must open the report in a browser, but {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for this module."""
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only here
    except ImportError:
        _missing("Playwright is not installed (pip install playwright)")
    executable = _chromium()
    if executable is None:
        _missing("no Chromium found (apt-get install chromium, or set REDEMPTION_CHROMIUM)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=_FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's page, written to a file."""
    history, imported = read_order_lines(sample_lines_path())
    path = tmp_path_factory.mktemp("report") / "report.html"
    page = html_report(history, PERIOD, today=SAMPLE_TODAY, imported=imported)
    path.write_text(page, encoding="utf-8")
    return path


@pytest.fixture
def opened(browser: Any, report_file: Path) -> Iterator[tuple[Any, list[str]]]:
    """The page opened from its file, offline, with every error it reports collected."""
    context = browser.new_context(offline=True, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in {"error", "warning"} else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: errors.append(f"request failed: {request.url}"))
    page.goto(report_file.as_uri(), wait_until="load")
    yield page, errors
    context.close()


def test_the_page_renders_without_errors_and_shows_its_charts(
    opened: tuple[Any, list[str]],
) -> None:
    """No console error; every chart decoded; the rate shown is the library's; a screenshot."""
    page, errors = opened
    history, _ = read_order_lines(sample_lines_path())
    rate = redemption_rate(history, PERIOD, today=SAMPLE_TODAY).rate
    assert rate is not None
    assert page.inner_text("#rate-value") == f"{percent(rate)}%"
    sizes = page.eval_on_selector_all(
        "img.chart", "images => images.map(i => [i.complete, i.naturalWidth, i.naturalHeight])"
    )
    assert len(sizes) >= 2
    assert all(complete and width > 0 and height > 0 for complete, width, height in sizes)
    assert page.title() == f"Redemption report: {PERIOD}"
    artefacts = Path(os.environ.get("REDEMPTION_ARTEFACTS", "build/test-artefacts"))
    artefacts.mkdir(parents=True, exist_ok=True)
    shot = artefacts / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert errors == []


def _column(page: Any, index: int) -> list[str]:
    """The cells of one column of the SKU table, top to bottom, as the browser shows them."""
    cells: list[str] = page.eval_on_selector_all(
        "#sku-table tbody tr", f"rows => rows.map(r => r.cells[{index}].innerText)"
    )
    return cells


def test_a_click_on_a_header_sorts_the_sku_table(opened: tuple[Any, list[str]]) -> None:
    """Orders ascending, then descending; SKU by its text; the rows stay whole."""
    page, errors = opened
    before = {
        tuple(row)
        for row in page.eval_on_selector_all(
            "#sku-table tbody tr", "rows => rows.map(r => Array.from(r.cells, c => c.innerText))"
        )
    }
    header = page.locator("#sku-table thead th", has_text="Orders")
    header.click()
    orders = [int(cell) for cell in _column(page, 1)]
    assert orders == sorted(orders)
    assert header.get_attribute("aria-sort") == "ascending"
    header.click()
    orders = [int(cell) for cell in _column(page, 1)]
    assert orders == sorted(orders, reverse=True)
    page.locator("#sku-table thead th", has_text="SKU").click()
    skus = _column(page, 0)
    assert skus == sorted(skus)
    after = {
        tuple(row)
        for row in page.eval_on_selector_all(
            "#sku-table tbody tr", "rows => rows.map(r => Array.from(r.cells, c => c.innerText))"
        )
    }
    assert after == before
    assert errors == []
