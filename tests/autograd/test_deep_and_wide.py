"""A million nodes deep or wide backpropagates under the default recursion limit.

These tests take a few seconds each; they check correctness, not speed.
"""

from __future__ import annotations

import sys

import pytest

from autograd import Value


def test_chain_a_million_deep():
    limit = sys.getrecursionlimit()
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y * 1.000001 + 0.0  # two nodes a step: 2e6 deep
    y.backward()
    # d/dx of x * c**n is c**n, independent of the engine's arithmetic
    assert x.grad == pytest.approx(1.000001**1_000_000, rel=1e-9)
    assert sys.getrecursionlimit() == limit


def test_sum_a_million_wide():
    xs = [Value(float(i % 7) - 3.0) for i in range(1_000_000)]
    total = Value.weighted_sum(xs, [0.5] * len(xs))
    total.backward()
    assert total.data == pytest.approx(0.5 * sum(x.data for x in xs))
    assert all(x.grad == 0.5 for x in xs)


def test_python_sum_of_a_million_terms():
    # sum() builds a chain of additions: a million deep as well as a million wide
    xs = [Value(1.0) for _ in range(1_000_000)]
    total = sum(x * 2.0 for x in xs)
    total.backward()
    assert total.data == 2_000_000.0
    assert xs[0].grad == 2.0 and xs[-1].grad == 2.0


def test_ordering_a_deep_graph_keeps_nothing_per_node_for_the_collector():
    """The sort's stack holds the nodes themselves: no container per node, so no collection runs
    while it does (a collection would rescan the whole graph)."""
    import gc

    from autograd import topological_order

    x = Value(1.0)
    for _ in range(50_000):
        x = Value.weighted_sum([x, 0.5], [0.5, x]) * 1.0001
    started = []
    gc.collect()
    gc.callbacks.append(collect := lambda phase, info: started.append(phase) if phase == "start" else None)
    try:
        order = topological_order(x)
        topological_order(x, inputs_first=True)
    finally:
        gc.callbacks.remove(collect)
    assert len(order) > 100_000 and gc.isenabled() and not started
