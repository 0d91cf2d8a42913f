"""Shared test helpers. In CI (CI=true) a test that needs a missing tool fails instead of skipping."""

from __future__ import annotations

import os
import shutil

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, what: str) -> None:
    """Skip when ``what`` is missing on a developer's machine; fail in CI, where it must be there.

    Works inside a test and at a test module's top level (then the whole module is skipped)."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but missing (make test installs it)")
    pytest.skip(f"{what} not available", allow_module_level=True)


@pytest.fixture
def dot_program() -> str:
    """Path of Graphviz's `dot`."""
    path = shutil.which("dot")
    require(path is not None, "Graphviz `dot`")
    return path  # type: ignore[return-value]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of the Debian chromium binary, for Playwright's executable_path."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    require(path is not None, "chromium")
    return path  # type: ignore[return-value]


def import_or_fail(name: str):
    """Import an optional test dependency; skip locally, fail in CI."""
    try:
        return __import__(name)
    except ImportError:
        require(False, f"python package {name}")


# Debian's chromium, headless, as root, on a machine with no network: no sandbox, no GPU, and no
# background connections (each would be refused and logged).
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser(chromium_path):
    """One headless Chromium (through Playwright, with Debian's binary) for the whole session."""
    playwright = import_or_fail("playwright.sync_api")
    with playwright.sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
        yield launched
        launched.close()
