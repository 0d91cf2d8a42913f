"""Hundreds of random expression graphs: every leaf gradient against PyTorch and finite differences."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from autograd import Value, no_grad

from ..conftest import import_or_fail
from .random_graphs import build, programs, replay

torch = import_or_fail("torch")

SETTINGS = settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(programs)
def test_random_graphs_match_pytorch(program):
    leaves, output, accepted = build(program)
    output.backward()
    tensors = [torch.tensor(v.data, dtype=torch.float64, requires_grad=True) for v in leaves]
    expected = replay(accepted, tensors)
    assert output.data == pytest.approx(expected.item(), rel=1e-12, abs=1e-12)
    grads = torch.autograd.grad(expected, tensors, allow_unused=True)
    for leaf, g in zip(leaves, grads):
        want = 0.0 if g is None else g.item()
        assert leaf.grad == pytest.approx(want, rel=1e-7, abs=1e-9)


@SETTINGS
@given(programs)
def test_random_graphs_match_central_differences(program):
    leaves, output, accepted = build(program)
    output.backward()
    start = [v.data for v in leaves]
    for k, leaf in enumerate(leaves):
        h = 1e-6 * max(1.0, abs(start[k]))

        def at(shift: float, k: int = k) -> float:
            with no_grad():
                moved = [Value(d + shift if i == k else d) for i, d in enumerate(start)]
                return replay(accepted, moved).data

        numeric = (at(h) - at(-h)) / (2 * h)
        assert leaf.grad == pytest.approx(numeric, rel=1e-4, abs=1e-5)


def test_the_fuzzer_draws_every_row_of_the_op_table():
    # the instruction lists come from the table: a new row is fuzzed without being listed by hand
    from autograd.extend import OPS as TABLE

    from .random_graphs import OPS, _apply

    rows = set()
    for op in OPS:
        x, y = Value(0.7), Value(1.3)
        rows.add(_apply(op, x, y, 1.5).op.name)
    assert rows == set(TABLE)
