"""Fixtures for the browser tests: one JupyterLab server, one Chromium, per test session.

The notebooks under test are every ``*.ipynb`` in ``notebooks/`` at collection time (so
notebooks added later are picked up with no change here), or in the directory named by
``UNROLLED_BROWSER_NOTEBOOKS`` (used to show that a deliberately broken copy fails).
They are copied into a temporary directory twice, ``lab/`` for JupyterLab and ``nb7/`` for
the Notebook 7 interface, because both front ends autosave over what they open.

No Chromium: a skip with the install command, except with ``CI=true``, where a missing
browser is a failure (a CI run that skipped these would prove nothing).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import jupyter_harness as harness

ARTIFACTS = harness.ROOT / "artifacts" / "browser"
VIEWPORT = {"width": 1400, "height": 900}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _missing(reason: str) -> None:
    if in_ci():
        pytest.fail(
            f"{reason}\nCI=true: a missing browser is a failure here, not a skip.", pytrace=False
        )
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = harness.find_chromium()
    if path is None:
        _missing(harness.INSTALL_HINT)
    return path  # type: ignore[return-value]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """``artifacts/browser/`` (git-ignored), emptied at the start of each session."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def served(chromium_path: str) -> Iterator[tuple[harness.JupyterServer, Path]]:
    """A running JupyterLab on private copies of the notebooks; yields (server, root)."""
    base = Path(tempfile.mkdtemp(prefix="unrolled-browser-"))
    root, state = base / "serve", base / "state"
    source = harness.notebooks_dir()
    harness.copy_notebooks(source, root / "lab")
    harness.copy_notebooks(source, root / "nb7")
    state.mkdir()
    server = harness.JupyterServer(root, state_dir=state)
    try:
        server.start()
        yield server, root
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("The Python package `playwright` is missing (it is pinned in requirements.lock).")
    with sync_playwright() as p:
        chromium = harness.launch_chromium(p, chromium_path)
        context = chromium.new_context(viewport=VIEWPORT)
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()
            chromium.close()


@pytest.fixture
def page(browser: Any, served: tuple[harness.JupyterServer, Path]) -> Iterator[Any]:
    """A new tab; closed afterwards, and every kernel shut down (kernels would pile up)."""
    tab = browser.new_page()
    try:
        yield tab
    finally:
        tab.close()
        served[0].shutdown_kernels()
