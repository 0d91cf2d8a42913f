"""A tape longer than ``COMPILED_UP_TO`` statements is interpreted, not compiled: the same tests
of exactness (bit for bit the eager engine: the property test, guards, stop-gradients, the
library's losses, grad() inside, non-finite numbers and domain errors sent to the engine, threads)
run here with every tape interpreted."""

from __future__ import annotations

import pytest

import autograd.tape.code as tape  # where the threshold is read
from autograd import Value, trace

from .tape_exactness import *  # noqa: F403 - collected again here, with every tape interpreted
from .test_tape_trust import bits


@pytest.fixture(autouse=True)
def interpreted(monkeypatch):
    monkeypatch.setattr(tape, "COMPILED_UP_TO", 0)


def test_the_tape_is_interpreted_and_a_leaf_returned_is_seeded():
    w = Value(1.5)
    step = trace(lambda x: w)  # backward() of a leaf adds 1 to its own grad
    step(2.0)
    step(3.0)
    assert step.tape is not None and step.tape.replay.__name__ == "interpreted"
    assert w.grad == 2.0


def test_a_wide_sum_and_a_kept_number_are_the_engine_bit_for_bit():
    ws, twins = [Value(0.1 * k - 0.7) for k in range(9)], [Value(0.1 * k - 0.7) for k in range(9)]

    def make(leaves):
        def f(x):
            return (Value.weighted_sum(leaves[:4], [x, 3.0, *leaves[4:6]], leaves[6]) ** 2.0 / 3.0).sqrt()

        return f

    step = trace(make(ws))
    for x in (0.3, 2.5, -1.25):
        out = step(x)
        eager = make(twins)(Value(x))
        eager.backward()
        assert bits(out) == bits(eager.data)
    assert step.tape is not None and step.tape.replay.__name__ == "interpreted"
    assert [bits(v.grad) for v in ws] == [bits(v.grad) for v in twins]


def test_a_long_kept_tape_costs_under_200_bytes_per_op(monkeypatch):
    import gc
    import tracemalloc

    monkeypatch.setattr(tape, "COMPILED_UP_TO", 5_000)  # the real threshold: 6,000 ops are interpreted
    w = Value(0.5)

    def chain(x):
        for _ in range(3_000):
            x = (x * w).tanh()
        return x

    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = trace(chain)
        kept(0.3)
        kept(0.4)  # replayed: the graph of the first call is gone, the tape stays
        gc.collect()
        per_op = (tracemalloc.get_traced_memory()[0] - before) / 6_000
    finally:
        tracemalloc.stop()
    assert kept.tape is not None and kept.tape.replay.__name__ == "interpreted"
    assert per_op < 200, f"{per_op:.0f} bytes per op"
