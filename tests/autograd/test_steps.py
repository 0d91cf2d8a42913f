"""backward_steps: the recorded pass is the engine's pass, in the engine's order."""

from __future__ import annotations

import math

from hypothesis import given, reject, settings
from hypothesis import strategies as st

from autograd import Value, topological_order
from autograd.steps import Step, backward_steps


def build_graph(leaves: list[float], program: list[tuple[int, int, int, float]]) -> tuple[list[Value], Value]:
    """A random expression graph: each instruction combines two earlier nodes (shared freely)."""
    nodes = [Value(x, label=f"x{i}") for i, x in enumerate(leaves)]
    inputs = list(nodes)
    for op, i, j, c in program:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        if op == 0:
            out = a + b
        elif op == 1:
            out = a * b
        elif op == 2:
            out = a - b * c
        elif op == 3:
            out = (a * c).tanh()
        elif op == 4:
            out = a * a  # the same parent twice
        else:
            out = Value.weighted_sum([a, b], [c, 1.0], a)
        nodes.append(out)
    return inputs, nodes[-1]


graphs = st.tuples(
    st.lists(st.floats(-2, 2, allow_nan=False), min_size=1, max_size=4),
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 50), st.integers(0, 50), st.floats(-1.5, 1.5)),
        min_size=1,
        max_size=12,
    ),
)


@settings(max_examples=150, deadline=None)
@given(graphs)
def test_steps_give_the_engines_gradients_in_a_reverse_topological_order(spec):
    leaves, program = spec
    try:
        inputs, root = build_graph(leaves, program)
    except OverflowError:  # repeated squaring can leave the floats; not what this test is about
        reject()
    order = topological_order(root)
    root.backward()
    expected = {node: node.grad for node in order}
    for node in order:
        node.grad = 0.0

    steps = backward_steps(root)

    for node in order:  # bit-for-bit: the same float operations in the same order
        assert node.grad == expected[node] or (math.isnan(node.grad) and math.isnan(expected[node]))
    # each node is visited only after every node that consumes it (a reverse topological order)
    visited: list[Value] = []
    for step in steps:
        if not visited or visited[-1] is not step.node:
            assert step.node not in visited, "a node's steps must be consecutive"
            visited.append(step.node)
    position = {node: i for i, node in enumerate(visited)}
    for node in visited:
        for parent in node.parents:
            if parent in position:
                assert position[node] < position[parent]
    # every edge appears once, in the node's parent order, and each += adds exactly the product
    assert len(steps) == sum(len(n.parents) for n in order)
    for i, step in enumerate(steps):
        assert step.index == i
        assert step.node.parents[step.position] is step.parent
        assert step.local == step.node.local_grads[step.position]
        assert step.product == step.local * step.upstream
        assert step.after == step.before + step.product
    # a parent's "before" is the previous step's "after" into it: the accumulation is visible
    last: dict[Value, float] = {}
    for step in steps:
        assert step.before == last.get(step.parent, 0.0)
        last[step.parent] = step.after
    for leaf, grad in steps.leaf_grads():
        assert leaf.is_leaf and grad == leaf.grad


def test_fan_out_accumulates_visibly():
    a = Value(3.0, label="a")
    y = a + a
    y.label = "y"
    steps = backward_steps(y)
    assert [(s.parent, s.position, s.before, s.after) for s in steps] == [(a, 0, 0.0, 1.0), (a, 1, 1.0, 2.0)]
    assert str(steps[1]) == "2. at y: d(y)/d(a) += 1 × 1 = 1   (was 1, now 2)"
    assert steps.into(a) == list(steps)


def test_lecture_neuron_text_and_html():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.label = "o"
    steps = backward_steps(o)
    text = str(steps)
    assert text.splitlines()[1] == "1. at o: d(o)/d(n8 (+)) += 0.5 × 1 = 0.5   (was 0, now 0.5)"
    assert "leaf gradients:" in text and "w1 = 1" in text and "x1 = -1.5" in text
    assert round(w1.grad, 6) == 1.0 and round(x1.grad, 6) == -1.5
    assert {v.label for v, _ in steps.leaf_grads()} == {"x1", "x2", "w1", "w2", "b"}


def test_html_table_escapes_labels():
    a = Value(1.0, label="<img src=x onerror=alert(1)>")
    y = a * 2
    page = backward_steps(y)._repr_html_()
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_unlabelled_nodes_get_stable_names_by_forward_position():
    def build():
        x = Value(0.5)
        return (x * 2).tanh()

    first, second = backward_steps(build()), backward_steps(build())
    assert [str(s) for s in first] == [str(s) for s in second]
    assert [s.node_name for s in first] == ["n2 (tanh)", "n1 (*)"]
    assert first.order[0].is_leaf


def test_leaves_accumulate_and_small_numbers_stay_readable():
    x = Value(1e-7, label="x")
    y = x * 3e-7
    backward_steps(y)
    steps = backward_steps(y)  # the second pass adds to the leaf, like backward()
    assert steps[0].before == 3e-7 and steps[0].after == 6e-7
    assert "(was 3e-07, now 6e-07)" in str(steps[0])
    assert isinstance(steps[0], Step) and len(steps[:1]) == 1


def test_a_leaf_root_has_no_steps():
    x = Value(2.0, label="x")
    steps = backward_steps(x)
    assert len(steps) == 0 and x.grad == 1.0 and steps.leaf_grads() == []


def test_rejects_a_non_value():
    import pytest

    with pytest.raises(TypeError, match="needs a Value, got float"):
        backward_steps(1.0)  # type: ignore[arg-type]
