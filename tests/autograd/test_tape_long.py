"""A long tape's compiled code: what it does differently from a short one (inner gradients share
variables, a leaf's sum is written as its terms come in, each instruction keeps only its line) is
exact, and a kept tape costs under 200 bytes an op. The exactness tests of test_tape and
test_tape_trust run again here with every tape treated as long, and a leaf's sum written every 2
terms, so that small random programs go through all of it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import autograd.tape.code as code
from autograd import Value, trace

from .tape_exactness import *  # noqa: F403 - collected again here, with every tape treated as long
from .test_tape_trust import bits


@pytest.fixture(autouse=True)
def long(monkeypatch):
    monkeypatch.setattr(code, "NAMED_BY_SLOT_UP_TO", 0)
    monkeypatch.setattr(code, "_TERMS_PER_STATEMENT", 2)


def chain(w: Value, steps: int):
    def f(x):
        for _ in range(steps):
            x = (x * w).tanh()
        return x

    return f


def test_a_long_chain_shares_a_few_variables_and_is_the_engine_bit_for_bit(monkeypatch):
    monkeypatch.setattr(code, "_TERMS_PER_STATEMENT", 100)  # the real one: w's 600 terms, 6 sums
    w, twin = Value(0.5), Value(0.5)
    step = trace(chain(w, 600))
    for x in (0.3, -1.7):
        out = step(x)
        eager = chain(twin, 600)(Value(x))
        eager.backward()
        assert bits(out) == bits(eager.data) and bits(w.grad) == bits(twin.grad)
    source = step.tape.source
    assert "g1 = g1 + " in source and "g1202" not in source  # the leaf keeps its name, inner ones do not
    variables = set(code._GRADIENT_NAME.findall(source)) | {n for n in source.split() if n.startswith("gr")}
    assert len(variables) < 120, f"{len(variables)} gradient variables for 1,200 nodes"
    assert source.count("g1 = g1 + ") == 6  # written as every 100 terms come in


def test_a_short_tape_names_every_gradient_after_its_slot(monkeypatch):
    monkeypatch.undo()  # the real thresholds
    w = Value(0.5)
    step = trace(chain(w, 3))
    step(0.3)
    assert not re.search(r"\bgr\d", step.tape.source)
    assert "g6 = 0.0 + (1.0 - v7 * v7) * g7" in step.tape.source


def test_the_compiled_code_keeps_each_instructions_line_not_its_columns():
    w = Value(0.5)
    step = trace(chain(w, 20))
    step(0.3)
    lean = step.tape.replay.__code__
    function = [c for c in compile(step.tape.source, "<tape>", "exec").co_consts if hasattr(c, "co_code")][0]
    assert [line for line, *_ in lean.co_positions()] == [line for line, *_ in function.co_positions()]
    assert {(start, end) for _, _, start, end in lean.co_positions()} == {(None, None)}
    assert len(lean.co_linetable) < len(function.co_linetable) / 3


def test_a_python_that_reads_the_table_otherwise_keeps_the_compilers_code(monkeypatch):
    monkeypatch.setattr(code, "_LINE_ONLY", code._NO_LOCATION)  # a table whose lines come out None
    w = Value(0.5)
    step = trace(chain(w, 5))
    step(0.3)
    positions = list(step.tape.replay.__code__.co_positions())
    assert all(line is not None for line, *_ in positions[1:])
    assert any(column is not None for _, _, column, _ in positions)


ROOT = Path(__file__).resolve().parents[2]
KEPT = textwrap.dedent(
    """
    import gc, hashlib, sys, tracemalloc
    from autograd import Value, trace
    ops = int(sys.argv[1])
    w = Value(0.5)
    def chain(x):
        for _ in range(ops // 2):
            x = (x * w).tanh()
        return x
    tracemalloc.start()
    kept = trace(chain)
    kept(0.3)
    kept(0.4)
    gc.collect()
    held = tracemalloc.get_traced_memory()[0]
    how, digest = kept.tape.replay.__name__, hashlib.sha256(kept.tape.source.encode()).hexdigest()
    del kept
    gc.collect()
    print(how, (held - tracemalloc.get_traced_memory()[0]) / ops, digest)
    """
)


@pytest.mark.parametrize("ops", [2_000, 10_000])
def test_a_kept_compiled_tape_costs_under_200_bytes_an_op_in_a_fresh_process(monkeypatch, ops):
    """What dropping the tape frees, in a fresh process: no earlier tape has made the variable
    names it uses. (Measured as the memory a trace adds, it would also count the growth of
    Python's table of interned names, which the process keeps.) Twice, under two hash seeds,
    which must give the same code."""
    monkeypatch.undo()
    runs = []
    for seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, "-c", KEPT, str(ops)], capture_output=True, text=True,
                                check=True, env=environment, cwd=ROOT)  # fmt: skip
        runs.append(result.stdout.split())
    assert [how for how, _, _ in runs] == ["replay", "replay"]  # compiled, not interpreted
    assert all(float(per_op) < 200 for _, per_op, _ in runs), runs
    assert runs[0][2] == runs[1][2], "the generated code depends on the hash seed"
