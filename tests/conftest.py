"""Shared test helpers. In CI (CI=true) a test that needs a missing tool fails instead of skipping."""

from __future__ import annotations

import os
import shutil

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, what: str) -> None:
    """Skip when ``what`` is missing on a developer's machine; fail in CI, where it must be there."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but missing (make test installs it)")
    pytest.skip(f"{what} not available")


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
