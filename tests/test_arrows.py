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


def code_lines(path: Path) -> int:
    """Lines holding a token other than a comment, a blank or a docstring (CONTRIBUTING's count)."""
    import io
    import tokenize

    source = path.read_text(encoding="utf-8")
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                if isinstance(first.value.value, str):
                    docstrings.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    skipped = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE}
    skipped |= {tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in skipped:
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstrings)


def test_the_core_reads_in_one_sitting():
    counts = {name: code_lines(ROOT / "autograd" / f"{name}.py") for name in CORE}
    assert sum(counts.values()) <= 600, counts
    assert code_lines(ROOT / "autograd" / "value.py") > 100  # the count counts (not an empty parse)


def test_no_code_is_generated_in_the_engine_core():
    for name in CORE:
        assert "exec(" not in (ROOT / "autograd" / f"{name}.py").read_text(encoding="utf-8"), name
