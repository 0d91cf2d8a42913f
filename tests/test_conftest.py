"""The test helpers themselves: a missing optional package skips locally and fails in CI, also when
it is imported at a test module's top level."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run_module_needing_a_missing_package(tmp_path: Path, ci: str) -> subprocess.CompletedProcess[str]:
    test = tmp_path / "test_needs_missing.py"
    test.write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {str(ROOT)!r})
            from tests.conftest import import_or_fail

            missing = import_or_fail("gradstep_no_such_package")

            def test_never_runs():
                pass
            """
        )
    )
    env = {**os.environ, "CI": ci}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", str(test)],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip


def test_a_module_level_import_or_fail_skips_the_module_locally(tmp_path):
    run = _run_module_needing_a_missing_package(tmp_path, ci="")
    assert run.returncode == pytest.ExitCode.NO_TESTS_COLLECTED, run.stdout + run.stderr  # not an error
    assert "1 skipped" in run.stdout and "error" not in run.stdout.lower()


def test_a_module_level_import_or_fail_fails_in_ci(tmp_path):
    run = _run_module_needing_a_missing_package(tmp_path, ci="true")
    assert run.returncode != 0
    assert "gradstep_no_such_package is required in CI but missing" in run.stdout
