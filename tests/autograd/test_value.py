"""Value's contract: micrograd's published numbers, operators, identity, accumulation, no_grad."""

from __future__ import annotations

import sys

import pytest

from autograd import Value, backward, no_grad, topological_order, zero_grad


def lecture_leaves() -> tuple[Value, Value, Value, Value, Value]:
    """The lecture neuron's inputs, weights and bias: x1, x2, w1, w2, b."""
    return (Value(2.0, label="x1"), Value(0.0, label="x2"), Value(-3.0, label="w1"),
            Value(1.0, label="w2"), Value(6.8813735870195432, label="b"))  # fmt: skip


def lecture_graph(x1, x2, w1, w2, b, tanh_through_exp: bool = False):
    """The lecture neuron's graph on those leaves, labelled as in the lecture: o, n, and the sums."""
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    if tanh_through_exp:
        e = (2 * n).exp()
        o = (e - 1) / (e + 1)
    else:
        o = n.tanh()
    o.label = "o"
    return o, n, x1w1x2w2, x1w1, x2w2


def _lecture_neuron(tanh_through_exp: bool = False):
    leaves = lecture_leaves()
    return (*lecture_graph(*leaves, tanh_through_exp=tanh_through_exp), leaves)


@pytest.mark.parametrize("through_exp", [False, True])
def test_lecture_neuron_numbers(through_exp):
    o, *_, (x1, x2, w1, w2, b) = _lecture_neuron(through_exp)
    o.backward()
    assert f"{o.data:.4f}" == "0.7071"
    assert x1.grad == pytest.approx(-1.5, abs=1e-9)
    assert w1.grad == pytest.approx(1.0, abs=1e-9)
    assert x2.grad == pytest.approx(0.5, abs=1e-9)
    assert w2.grad == 0.0


def test_lecture_manual_backward_calls():
    # The lecture first backpropagates by calling each node's _backward() by hand.
    o, n, x1w1x2w2, x1w1, x2w2, (x1, x2, w1, w2, b) = _lecture_neuron()
    o.grad = 1.0
    for node in (o, n, b, x1w1x2w2, x2w2, x1w1):
        node._backward()
    assert x1.grad == pytest.approx(-1.5, abs=1e-9)
    assert w1.grad == pytest.approx(1.0, abs=1e-9)


def test_lecture_style_trace_walks_prev_and_op():
    # A hand-written draw_dot in the lecture's style uses only _prev, _op, data, grad, label.
    o, *_ = _lecture_neuron()
    nodes, edges, stack = set(), set(), [o]
    while stack:
        v = stack.pop()
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                stack.append(child)
    ops = sorted(v._op for v in nodes if v._op)
    assert ops == ["*", "*", "+", "+", "tanh"]
    assert len(nodes) == 10 and len(edges) == 9
    assert "label" + o.label + o._op == "labelotanh"  # _op is a str, usable in string building


def test_pow_symbol_shows_exponent_like_micrograd():
    assert (Value(3.0) ** 2)._op == "**2"
    assert (Value(3.0) ** 0.5)._op == "**0.5"
    assert (Value(3.0) ** Value(2.0))._op == "**"


def test_numbers_on_either_side():
    v = Value(2.0)
    cases = {
        "2 ** v": (2**v, 4.0),
        "v ** 3": (v**3, 8.0),
        "1 - v": (1 - v, -1.0),
        "v - 1": (v - 1, 1.0),
        "1 / v": (1 / v, 0.5),
        "v / 4": (v / 4, 0.5),
        "3 * v": (3 * v, 6.0),
        "v * 3": (v * 3, 6.0),
        "5 + v": (5 + v, 7.0),
        "-v": (-v, -2.0),
        "abs(-v)": (abs(-v), 2.0),
        "v ** v": (v**v, 4.0),
    }
    for name, (node, expected) in cases.items():
        assert isinstance(node, Value), name
        assert node.data == expected, name


def test_constants_are_not_nodes():
    x = Value(2.0)
    y = x * 3
    assert y.parents == (x,)
    assert y.local_grads == (3.0,)


def test_parents_keep_order_and_duplicates():
    a = Value(1.0)
    b = Value(2.0)
    assert (b - a).parents == (b, a)
    s = a + a
    assert s.parents == (a, a)
    assert s._prev == {a}
    s.backward()
    assert a.grad == 2.0


def test_in_place_operators_build_new_nodes():
    a = Value(1.0)
    c = a
    c += 1
    assert c is not a and a.data == 1.0 and c.data == 2.0
    c *= 3
    assert c.data == 6.0 and c.parents[0].data == 2.0


def test_identity_equality_and_hashing():
    a, b = Value(1.0), Value(1.0)
    assert a != b
    assert a == a
    assert len({a, b}) == 2
    assert len({a: 1, b: 2}) == 2


def test_comparisons_and_float_use_data_and_build_nothing():
    v = Value(2.5)
    assert v < 3 and v <= 2.5 and v > 2 and v >= Value(2.5)
    assert not (v < Value(1.0))
    assert isinstance(v < 3, bool)
    assert float(v) == 2.5
    assert sorted([Value(3.0), Value(1.0), Value(2.0)])[0].data == 1.0
    assert f"{v:.2f}" == "2.50"
    with pytest.raises(TypeError, match="str"):
        _ = v < "3"


def test_repr():
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
    assert repr(Value(2.0, label="a")) == "Value(data=2.0, grad=0.0, label='a')"


def test_backward_twice_adds_exactly_one_more_gradient():
    x = Value(1.0)
    y = (x * 2) * 3
    y.backward()
    assert x.grad == 6.0
    y.backward()
    assert x.grad == 12.0  # micrograd gives 18: its inner gradients keep accumulating
    inner = y.parents[0]
    assert inner.grad == 3.0  # inner nodes show this pass's gradient


def test_backward_of_a_leaf_accumulates_the_seed():
    x = Value(1.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_backward_with_a_custom_seed():
    x = Value(3.0)
    y = x * x
    backward(y, gradient=0.5)
    assert x.grad == 3.0


def test_zero_grad_over_a_graph_and_a_list():
    x = Value(1.0)
    w = Value(2.0)
    y = x * w
    y.backward()
    zero_grad(y)
    assert x.grad == w.grad == y.grad == 0.0
    y.backward()
    zero_grad([x])
    assert x.grad == 0.0 and w.grad == 1.0


def _diamond():
    a = Value(1.0, label="a")
    b = Value(2.0, label="b")
    c = a * b
    c.label = "c"
    d = c + a
    d.label = "d"
    e = d * c
    e.label = "e"
    return e


def test_topological_order_is_deterministic_and_valid():
    e = _diamond()
    order = topological_order(e)
    assert order[0] is e
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent in node.parents:
            assert position[id(node)] < position[id(parent)]
    assert len(order) == 5
    # worked by hand from the docstring's rule (parents explored last to first, finishing order
    # reversed), and the same for the same graph built again from other objects
    assert [n.label for n in order] == ["e", "d", "c", "a", "b"]
    assert [n.label for n in topological_order(_diamond())] == ["e", "d", "c", "a", "b"]


def test_no_grad_builds_no_graph():
    w = Value(1.0)
    with no_grad():
        w2 = w - 0.1 * 2.0
        y = (w * 3).tanh()
    assert w2.is_leaf and y.is_leaf and y.op is None
    assert (w * 3).parents == (w,)  # recording is back on after the block


def test_no_grad_restores_recording_after_an_error():
    with pytest.raises(ZeroDivisionError), no_grad():
        _ = Value(1.0) / 0
    assert not (Value(1.0) * 2).is_leaf


def test_detach_cuts_history():
    x = Value(2.0, label="x")
    y = (x * 3).detach()
    assert y.is_leaf and y.data == 6.0
    z = y * x
    z.backward()
    assert x.grad == 6.0 and y.grad == 2.0


def test_weighted_sum_matches_op_by_op_and_has_all_parents():
    ws = [Value(0.5), Value(-1.5), Value(2.0)]
    xs = [Value(1.0), Value(0.25), Value(-3.0)]
    bias = Value(0.1)
    fused = Value.weighted_sum(ws, xs, bias).tanh()
    fused.backward()
    fused_grads = [v.grad for v in (*ws, *xs, bias)]
    zero_grad([*ws, *xs, bias])
    by_ops = sum((w * x for w, x in zip(ws, xs)), bias).tanh()
    by_ops.backward()
    assert fused.data == pytest.approx(by_ops.data, rel=1e-15)
    assert fused_grads == pytest.approx([v.grad for v in (*ws, *xs, bias)], rel=1e-12)
    assert len(fused.parents[0].parents) == 7


def test_weighted_sum_rejects_mismatched_lengths_and_bad_types():
    with pytest.raises(ValueError, match="2 weights but 1 inputs"):
        Value.weighted_sum([Value(1.0), Value(2.0)], [1.0])
    with pytest.raises(TypeError, match="str"):
        Value.weighted_sum([Value(1.0)], ["x"])


def test_recursion_limit_untouched_by_the_engine():
    before = sys.getrecursionlimit()
    x = Value(1.0)
    for _ in range(5000):
        x = x + 1
    x.backward()
    assert sys.getrecursionlimit() == before


def test_a_weighted_sum_under_no_grad_keeps_nothing_of_its_inputs():
    import tracemalloc

    from autograd import no_grad

    weights, inputs = [Value(0.5) for _ in range(200)], [Value(1.5) for _ in range(200)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        with no_grad():
            sums = [Value.weighted_sum(weights, inputs) for _ in range(100)]
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert all(s.is_leaf and s.parents == () for s in sums)
    assert held < 100 * 400  # a leaf and its float each, not a 400-slot edge tuple (3 kB) each
