"""Arrows point down: what each module may import, read from the source (no module is run)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported(path: Path) -> set[str]:
    """The modules ``path`` imports, anywhere in it (a lazy import inside a function counts too),
    with relative imports made absolute."""
    package = path.parent.name
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = f"{package}.{node.module or ''}".rstrip(".") if node.level else node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names if node.level and not node.module)
    return names


NN = sorted((ROOT / "nn").glob("*.py"))
CORE = ["value", "ops", "backward", "hooks", "modes"]


@pytest.mark.parametrize("path", NN, ids=lambda p: p.name)
def test_nn_uses_only_what_autograd_exports(path):
    from_autograd = {name for name in imported(path) if name.split(".")[0] == "autograd"}
    assert from_autograd <= {"autograd", "autograd.extend"}, from_autograd


@pytest.mark.parametrize("name", ["plot", "draw", "animate", "metrics"])
def test_pictures_do_not_import_the_fit_loop(name):
    assert "nn.train" not in imported(ROOT / "nn" / f"{name}.py")


@pytest.mark.parametrize("name", CORE)
def test_the_core_imports_no_view_or_words_and_nothing_outside_the_standard_library(name):
    seen = imported(ROOT / "autograd" / f"{name}.py")
    inside = {n for n in seen if n.startswith("autograd.")}
    views = {"autograd.text", "autograd.explain", "autograd.draw", "autograd.animate", "autograd.steps"}
    assert not inside & views, inside & views
    outside = {n.split(".")[0] for n in seen if not n.startswith("autograd")}
    assert outside <= {"__future__", "collections", "contextlib", "contextvars", "copy", "enum", "gc",
                       "math", "numbers", "operator", "typing", "weakref", "threading"}, outside  # fmt: skip


def test_the_checks_exist_once_in_nn():
    """An int-but-not-a-bool test is written in nn.checks only (is_int / is_real)."""
    for path in NN:
        if path.name != "checks.py":
            source = path.read_text(encoding="utf-8")
            assert "isinstance(" not in source or ", bool) or not isinstance(" not in source, path.name
