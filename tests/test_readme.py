"""The README's code runs, and what it says a print shows (after `# →`) is what it shows."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_examples():
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_block_runs_and_prints_what_it_claims(index, tmp_path, monkeypatch, dot_program):
    monkeypatch.chdir(tmp_path)  # examples write files (e.svg, neuron.html)
    source = BLOCKS[index]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(source, f"README block {index}", "exec"), {})
    claims = [line.split("# →", 1)[1].strip() for line in source.splitlines() if "# →" in line]
    lines = printed.getvalue().splitlines()
    for claim in claims:
        assert any(line.strip() == claim for line in lines), f"README says {claim!r}; printed {lines}"


def test_the_ten_lines_run_one_backward_pass_so_the_steps_agree_with_the_printed_gradients(
    tmp_path, monkeypatch, dot_program
):
    monkeypatch.chdir(tmp_path)
    block = next(b for b in BLOCKS if "backward_steps(e)" in b)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(block, "README's ten lines", "exec"), {})
    lines = printed.getvalue().splitlines()
    a_grad, b_grad = map(float, lines[0].split())
    final = next(line for line in lines if line.startswith("leaf gradients"))
    shown = dict(re.findall(r"(\w+) = (-?[\d.e-]+)", final))
    assert float(shown["a"]) == pytest.approx(a_grad, rel=1e-4)  # not twice the gradient above
    assert float(shown["b"]) == pytest.approx(b_grad, rel=1e-4)
    assert any(line.startswith("e = ") for line in lines)  # e.tree() printed the graph


def test_speed_figures_come_from_the_kept_benchmark_run():
    """The README copies no speed figure by hand: its Speed section points to the report that
    `make bench` writes (benchmarks/RESULTS.md), which is a full run with every engine."""
    text = README.read_text(encoding="utf-8")
    speed = text[text.index("## Speed\n") : text.index("\n## ", text.index("## Speed\n") + 1)]
    assert "[benchmarks/RESULTS.md](benchmarks/RESULTS.md)" in speed
    assert "|---" not in speed and not re.search(r"\d(\.\d+)? ?(ms|µs|ns)\b|\d+(\.\d+)?×", speed), speed
    results = (README.parent / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    assert "Written by `make bench`" in results and "gradstep benchmark (full)" in results
    assert all(engine in results for engine in ("micrograd", "torch", "plain floats", "traced"))
