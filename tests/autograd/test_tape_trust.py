"""A traced function is never silently wrong: what the eager engine computes, a replay computes bit
for bit (detach, no_grad, the library's own losses, grad() inside), and what a tape cannot replay
(a backward pass inside the function) is refused when it is traced. Threads lose no gradient."""

from __future__ import annotations

import random
import struct

import pytest

import nn
from autograd import Value, grad, no_grad, trace
from autograd.extend import stop_gradient
from tests.racing import race


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def traced_and_eager(make_fn, points, n_leaves=2):
    """Run ``make_fn(leaves)`` traced and eagerly (fresh leaves of the same numbers) on each point;
    return (traced outputs, eager outputs, traced grads, eager grads, the traced function)."""
    start = [0.75 + 0.5 * k for k in range(n_leaves)]
    mine, theirs = [Value(v) for v in start], [Value(v) for v in start]
    step = trace(make_fn(mine))
    eager_fn = make_fn(theirs)
    outs, eager_outs = [], []
    for point in points:
        outs.append(bits(step(*point)))
        out = eager_fn(*[Value(x) for x in point])
        out.backward()
        eager_outs.append(bits(out.data))
    return outs, eager_outs, [bits(v.grad) for v in mine], [bits(v.grad) for v in theirs], step


POINTS = [(3.0,), (-1.5,), (0.25,), (2.0,)]


def test_detach_inside_is_recomputed_on_every_call_not_frozen():
    def make(leaves):
        w, _ = leaves
        return lambda x: x * x.detach() * w

    outs, eager, grads, eager_grads, step = traced_and_eager(make, POINTS)
    assert outs == eager and grads == eager_grads
    assert step.traces == 1  # one tape, replayed with each new number
    assert "detach(v0)" in str(step.tape)


def test_detach_of_a_captured_leaf_reads_its_new_number():
    def make(leaves):
        w, b = leaves
        return lambda x: x * w.detach() + b * w

    mine = [Value(1.5), Value(2.0)]
    step = trace(make(mine))
    step(1.0)
    mine[0].data = -4.0  # an optimiser step between calls
    theirs = [Value(-4.0), Value(2.0)]
    for v in mine:
        v.grad = 0.0
    assert bits(step(3.0)) == bits(make(theirs)(Value(3.0)).data)
    make(theirs)(Value(3.0)).backward()
    assert [bits(v.grad) for v in mine] == [bits(v.grad) for v in theirs]


def test_no_grad_inside_is_a_value_without_gradient_recomputed_on_every_call():
    def make(leaves):
        w, b = leaves

        def f(x):
            with no_grad():
                scale = (x * w + 1.0).tanh()  # numbers from the input and a parameter, no gradient
            return x * scale * w + b * scale

        return f

    outs, eager, grads, eager_grads, step = traced_and_eager(make, POINTS)
    assert outs == eager and grads == eager_grads
    assert step.traces == 1
    assert "under no_grad" in str(step.tape)


def test_backward_inside_the_function_is_refused_when_traced():
    w = Value(2.0)

    def f(x):
        loss = x * w
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match=r"trace: f runs a backward pass .* replay runs only the tape"):
        trace(f)(3.0)
    assert w.grad == 0.0  # refused before it added anything

    def g(x):
        (d,) = grad(x * x * w, [x])  # floats: a tape cannot recompute them
        return w * d

    with pytest.raises(RuntimeError, match="grad\\(\\) without create_graph"):
        trace(g)(3.0)


def test_grad_inside_the_function_traces_once_and_replays_exactly():
    def make(leaves):
        w, b = leaves
        return lambda x: grad(lambda y: (y * w).tanh() * y + b * y * y)(x) * w

    points = [(0.5,), (-1.25,), (2.0,), (0.125,)]
    outs, eager, grads, eager_grads, step = traced_and_eager(make, points)
    assert outs == eager and grads == eager_grads
    assert step.traces == 1  # create_graph's own checks are not guards


def test_cross_entropy_inside_traces_once_and_is_the_engine_bit_for_bit():
    rng = random.Random(4)
    model, twin = nn.MLP(2, [5, 3], seed=1), nn.MLP(2, [5, 3], seed=1)

    def loss(model):
        return lambda a, b: nn.losses.cross_entropy([model([a, b])], [2])

    step = trace(loss(model))
    for _ in range(40):  # the largest logit changes place: the shift is recomputed, not guarded
        a, b = rng.uniform(-4, 4), rng.uniform(-4, 4)
        out = step(a, b)
        eager = loss(twin)(a, b)
        eager.backward()
        assert bits(out) == bits(eager.data)
    assert step.traces == 1
    assert [bits(p.grad) for p in model.parameters()] == [bits(p.grad) for p in twin.parameters()]
    assert "max(" in str(step.tape) and "stop_gradient, shift" in str(step.tape)


def test_stop_gradient_carries_none_and_takes_only_values():
    a, b = Value(1.0), Value(3.0)
    s = stop_gradient([a, b], max)
    (a * s + b).backward()
    assert (a.grad, b.grad, s.is_leaf) == (3.0, 1.0, True)
    assert stop_gradient(b).data == 3.0
    with pytest.raises(TypeError, match=r"stop_gradient: values\[1\] must be a Value, got float"):
        stop_gradient([a, 2.0], max)
    with pytest.raises(TypeError, match="without a rule it takes one Value, got 2"):
        stop_gradient([a, b])


def test_threads_sharing_a_traced_step_lose_no_gradient():
    w, b = Value(0.5, label="w"), Value(0.25, label="b")
    step = trace(lambda x: x * w + b)  # d/dw = x, d/db = 1: integer sums, exact in floats
    step(1.0)
    w.grad = b.grad = 0.0
    calls, xs = 3000, (1.0, 2.0, 3.0, 4.0)

    def run(x: float) -> None:
        for _ in range(calls):
            step(x)

    race(run, [(x,) for x in xs])
    assert (w.grad, b.grad) == (calls * sum(xs), calls * len(xs))  # every call's gradient kept


def test_a_long_tape_is_interpreted_with_the_same_numbers(monkeypatch):
    import autograd.tape.code as tape

    monkeypatch.setattr(tape, "COMPILED_UP_TO", 7)  # every MLP step below is longer
    X, y = nn.data.moons(6, noise=0.1, seed=3)
    model, twin = nn.MLP(2, [5, 4, 1], seed=2), nn.MLP(2, [5, 4, 1], seed=2)

    def loss(model):
        return lambda *xs: nn.losses.hinge([model([xs[2 * k], xs[2 * k + 1]]) for k in range(6)], [1, -1] * 3)

    flat = [c for row in X for c in row]
    step = trace(loss(model))
    for _ in range(2):  # the second call interprets the tape
        out = step(*flat)
        eager = loss(twin)(*flat)
        eager.backward()
        assert bits(out) == bits(eager.data)
    assert step.tape.replay.__name__ == "interpreted" and len(step.tape.statements) > 7
    assert [bits(p.grad) for p in model.parameters()] == [bits(p.grad) for p in twin.parameters()]


def test_str_of_a_tape_with_many_inputs_names_each_by_a_lookup():
    step = trace(lambda *xs: sum(xs[1:], xs[0]))
    step(*[float(k) for k in range(3000)])
    text = str(step.tape)
    assert "v2999 = x2999" in text and "# input 2999" in text


def test_a_leaf_whose_grad_is_a_value_gets_the_engines_sum():
    # after create_graph a leaf's grad is a Value: the replay adds to it with +, as backward() does
    def setup():
        w = Value(2.0)
        (w * w * w).backward(create_graph=True)  # w.grad = 3w², a Value that depends on w
        return w

    w, twin = setup(), setup()
    step = trace(lambda x: x * w * w)
    assert step(3.0) == 12.0 and isinstance(w.grad, Value)  # (traced on the engine)
    assert step(0.5) == 2.0  # replayed, adding 0.5·2·2 to the Value
    for x in (3.0, 0.5):
        (x * twin * twin).backward()
    assert isinstance(w.grad, Value) and bits(w.grad.data) == bits(twin.grad.data) == bits(12.0 + 12.0 + 2.0)
    # the same graph behind the two Value grads: d(grad)/dw is 6w (the +8 and +2 added constants)
    assert grad(w.grad, [w])[0] == grad(twin.grad, [twin])[0] == 12.0


def test_leaves_whose_grad_is_an_int_get_the_engines_floats():
    # micrograd's loops write `p.grad = 0`: an int is a number, and the replay adds to it as the engine does
    w, b = Value(0.5), Value(-1.5)
    step = trace(lambda x: (w * x + b).tanh())
    step(0.25)
    w.grad = b.grad = 0
    out = step(0.75)
    w2, b2 = Value(0.5), Value(-1.5)
    (w2 * 0.75 + b2).tanh().backward()
    assert out == (w2 * 0.75 + b2).tanh().data
    assert (w.grad, b.grad) == (w2.grad, b2.grad) and type(w.grad) is float and type(b.grad) is float
