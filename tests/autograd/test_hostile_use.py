"""Careless and hostile use of the engine's public boundaries (issue 12): every case ends in the
documented result or in an error that names the problem, never in a wrong number."""

from __future__ import annotations

import copy
import math
import pickle
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from typing import Any

import pytest

import nn
from autograd import (
    AnomalyError,
    Value,
    animate,
    animate_tape,
    backward,
    detect_anomaly,
    grad,
    hessian,
    hvp,
    jvp,
    no_grad,
    rule_text,
    topological_order,
    trace,
    zero_grad,
)
from tests.conftest import import_or_fail

# ---- 1. numbers too large for a float ----------------------------------------------------------


def test_an_int_too_large_for_a_float_names_value_and_says_so():
    with pytest.raises(OverflowError, match=r"Value\(\): an int of 401 digits is too large for a float"):
        Value(10**400)
    with pytest.raises(OverflowError, match="Value.*too large for a float"):
        Value(Fraction(10**400))
    with pytest.raises(OverflowError, match="too large for a float"):
        Value(10**5000)  # more digits than Python will print


@pytest.mark.parametrize(
    ("expression", "op"),
    [
        (lambda v: v * 10**400, "mul"),
        (lambda v: 10**400 * v, "mul"),
        (lambda v: v + 10**400, "add"),
        (lambda v: 10**400 - v, "sub"),
        (lambda v: v / 10**400, "div"),
        (lambda v: v**10**400, "pow"),
        (lambda v: (10**400) ** v, "pow"),
        (lambda v: v.leaky_relu(10**400), "leaky_relu"),
    ],
)
def test_an_int_too_large_for_a_float_in_an_op_names_the_op(expression, op):
    with pytest.raises(OverflowError, match=rf"^{op}: an int of \d+ digits is too large for a float"):
        expression(Value(2.0))


def test_comparisons_with_huge_ints_are_exact_not_errors():
    v = Value(1e300)
    assert v < 10**400 and not v > 10**400 and v > -(10**400)


# ---- 6. modes are per thread -------------------------------------------------------------------


@contextmanager
def another_thread_inside(mode: Callable[[], Any], then: Callable[[], None]) -> Iterator[None]:
    """While the body runs, another thread sits inside ``mode()``; when the body is done, that
    thread runs ``then()``, still inside the mode, and ends (every wait has a deadline)."""
    entered, release = threading.Event(), threading.Event()

    def sits() -> None:
        with mode():
            entered.set()
            release.wait(timeout=60)
            then()

    other = threading.Thread(target=sits)
    other.start()
    try:
        assert entered.wait(timeout=60)
        yield
    finally:
        release.set()
        other.join(timeout=60)


def test_no_grad_in_another_thread_leaves_this_thread_recording():
    inside: list[bool] = []
    with another_thread_inside(no_grad, lambda: inside.append((Value(1.0) * 2).is_leaf)):
        wrong = 0
        for _ in range(2000):
            x = Value(3.0)
            y = x * 2.0
            y.backward()
            wrong += x.grad != 2.0
        assert wrong == 0
    assert inside == [True]  # the other thread's own block still built no graph
    assert not (Value(1.0) * 2).is_leaf


def test_no_grad_here_does_not_stop_another_thread_recording():
    results: list[float] = []

    def trains() -> None:
        for _ in range(500):
            x = Value(3.0)
            (x * x).backward()
            results.append(x.grad)

    with no_grad():
        worker = threading.Thread(target=trains)
        worker.start()
        worker.join(timeout=60)
        assert (Value(1.0) * 2).is_leaf
    assert results == [6.0] * 500


# ---- modes in tasks and contexts: one rule, contextvars' ----------------------------------------


def _run_async(main: Callable[[], Any]) -> Any:
    """``asyncio.run(main())`` in a thread of its own (an earlier test may have left this thread
    with a running event loop, as Playwright's sync API does)."""
    import asyncio

    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = asyncio.run(main())
        except BaseException as error:  # handed to the test's thread
            outcome["error"] = error

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=60)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def _task_made_inside_no_grad() -> float:
    import asyncio

    async def spawned() -> float:
        x = Value(3.0)
        y = x * x
        if not y.is_leaf:
            y.backward()
        return float(x.grad)

    async def main() -> float:
        with no_grad():
            task = asyncio.create_task(spawned())
        return await task

    return _run_async(main)


def test_a_task_made_inside_no_grad_builds_no_graph_whatever_other_threads_do():
    # the task starts in the modes of the code that created it (contextvars), even once it runs
    # after the block; what another thread is doing never changes that (it used to: 6.0 or 0.0)
    alone = _task_made_inside_no_grad()
    with another_thread_inside(no_grad, lambda: None):
        beside_a_mode = _task_made_inside_no_grad()
    assert alone == beside_a_mode == 0.0


def test_a_mode_left_in_another_context_restores_and_says_so():
    import asyncio

    from autograd.modes import ModeError, now

    async def holds_no_grad():
        with no_grad():
            yield 1
            yield 2

    async def step(generator) -> int:
        return await generator.__anext__()

    async def main() -> None:
        generator = holds_no_grad()
        await asyncio.create_task(step(generator))  # enters no_grad inside one task's context
        with pytest.raises(ModeError, match=r"no_grad\(\) block was left in another task or context"):
            await asyncio.create_task(generator.aclose())  # ... and leaves it in another's
        assert now().recording  # this context records, as it did
        x = Value(3.0)
        (x * x).backward()
        assert x.grad == 6.0

    _run_async(main)
    assert now().recording and not (Value(1.0) * 2).is_leaf


def test_a_mode_left_in_another_context_never_shows_contextvars_own_error():
    import contextvars

    from autograd.modes import ModeError

    block = no_grad()
    contextvars.copy_context().run(block.__enter__)
    with pytest.raises(ModeError) as caught:
        block.__exit__(None, None, None)
    assert "created in a different Context" not in str(caught.value)
    assert not (Value(1.0) * 2).is_leaf


def test_detect_anomaly_watches_only_its_own_thread():
    caught: list[BaseException] = []

    def backward_through_sqrt_at_0() -> None:
        try:
            Value(0.0).sqrt().backward()
        except AnomalyError as error:
            caught.append(error)

    with another_thread_inside(detect_anomaly, backward_through_sqrt_at_0):
        x = Value(0.0)
        x.sqrt().backward()  # not inside detect_anomaly here: inf flows, as in PyTorch
        assert x.grad == math.inf
    assert len(caught) == 1 and "sqrt" in str(caught[0])


# ---- 7. hooks live and die with their node -----------------------------------------------------

_HOOKED_TRAINING = textwrap.dedent(
    """
    import gc, tracemalloc
    gc.disable()  # reference counting alone must free the dropped graphs
    import nn
    model = nn.MLP(2, [16, 16, 1], seed=0)
    X = [[0.1 * i, -0.05 * i] for i in range(20)]
    handles, seen = [], []
    tracemalloc.start()
    for step in range(60):
        outputs = [model(x) for x in X]
        loss = sum((o - 1.0) ** 2 for o in outputs)
        handles.append(loss.register_hook(seen.append))           # the output
        handles.append(outputs[3].register_hook(lambda g: g))      # an inner node
        model.zero_grad()
        loss.backward()
        if step == 9:
            after_ten = tracemalloc.get_traced_memory()[0]
    grown = tracemalloc.get_traced_memory()[0] - after_ten
    assert len(seen) == 60, len(seen)
    print(grown)
    """
)


def _bytes_grown(script: str) -> int:
    """Run ``script`` in a fresh interpreter (with a deadline); it prints how much memory grew."""
    command = [sys.executable, "-c", script]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    return int(run.stdout.split()[-1])


def test_hooked_graphs_are_freed_when_dropped():
    grown = _bytes_grown(_HOOKED_TRAINING)
    # 50 more steps of ~1,300-node graphs would hold megabytes if hooks pinned them; the
    # handles, the seen gradients and the list growth are a few KiB
    assert grown < 100_000, f"memory grew by {grown} bytes over 50 hooked steps"


def test_a_hook_handle_does_not_keep_its_node_alive_and_removal_after_death_is_harmless():
    import weakref

    from autograd.hooks import any_hooks

    x = Value(1.0)
    y = x * 2
    handle = y.register_hook(lambda g: None)
    assert any_hooks()
    record = weakref.ref(y._stamp)
    del y
    assert record() is None  # the node and its hook record are gone
    handle.remove()
    assert not any_hooks()


def test_a_hook_keeps_the_label_and_relabelling_keeps_the_hook():
    x = Value(1.0, label="x")
    calls = []
    x.register_hook(calls.append)
    assert x.label == "x"
    x.label = "renamed"
    (x * 3).backward()
    assert calls == [3.0] and x.label == "renamed" and repr(x) == "Value(data=1.0, grad=3.0, label='renamed')"


# ---- 8. the backward seed is checked like any input --------------------------------------------


@pytest.mark.parametrize(
    ("seed", "error", "message"),
    [
        ("2", TypeError, "str"),
        (True, TypeError, "bool"),
        (None, TypeError, "NoneType"),
        ([1.0], TypeError, "list"),
        (Value(1.0), TypeError, "got a Value"),
        (math.nan, ValueError, "finite.*nan"),
        (math.inf, ValueError, "finite.*inf"),
        pytest.param(10**400, OverflowError, "too large", id="10**400"),
    ],
)
def test_backward_seed_is_validated(seed, error, message):
    x = Value(2.0)
    y = x * x
    with pytest.raises(error, match=rf"backward\(gradient=\.\.\.\).*{message}"):
        y.backward(gradient=seed)
    assert x.grad == 0.0  # refused before anything changed


def test_backward_seed_accepts_real_numbers():
    x = Value(2.0)
    (x * x).backward(gradient=Fraction(1, 2))
    backward(x * x, gradient=2)
    assert x.grad == 2.0 + 8.0


# ---- 9. labels are strings, always -------------------------------------------------------------


@pytest.mark.parametrize("bad", [123, None, b"x", ["x"]])
def test_setting_a_label_refuses_non_strings(bad):
    v = Value(1.0, label="ok")
    with pytest.raises(TypeError, match="label must be a str"):
        v.label = bad
    assert v.label == "ok"


# ---- 10. data is a finite float, always --------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        ("1.0", TypeError, "str"),
        (True, TypeError, "bool"),
        (None, TypeError, "NoneType"),
        (Value(1.0), TypeError, "got a Value"),
        (math.nan, ValueError, "finite"),
        (-math.inf, ValueError, "finite"),
        pytest.param(10**400, OverflowError, "too large", id="10**400"),
    ],
)
def test_setting_data_refuses_what_is_not_a_finite_real_number_and_names_the_node(bad, error, message):
    w = Value(1.0, label="w[0,1,2]")
    with pytest.raises(error, match=rf"\.data of Value 'w\[0,1,2\]'.*{message}"):
        w.data = bad
    assert w.data == 1.0


def test_setting_data_converts_real_numbers_to_float():
    numpy = import_or_fail("numpy")
    v = Value(1.0)
    numbers = ((3, 3.0), (Fraction(1, 4), 0.25), (numpy.float32(0.5), 0.5), (numpy.int64(7), 7.0))
    for number, expected in numbers:
        v.data = number
        assert type(v.data) is float and v.data == expected
    for bad in (numpy.array([1.0]), numpy.array(1.0), numpy.bool_(True)):
        with pytest.raises(TypeError, match="ndarray|bool"):
            v.data = bad


def test_an_update_with_a_create_graph_gradient_is_refused_naming_the_parameter():
    w = Value(0.5, label="w")
    (w * w).backward(create_graph=True)
    assert isinstance(w.grad, Value)
    with pytest.raises(TypeError, match="Value 'w'.*got a Value.*create_graph"):
        w.data -= 0.1 * w.grad
    w.data -= 0.1 * w.grad.data  # the number itself is fine
    assert w.data == pytest.approx(0.4)


# ---- 11. copies of graphs ------------------------------------------------------------------------


def _fused_graph():
    ws = [Value(0.5, label="w0"), Value(-1.5, label="w1")]
    b = Value(0.1, label="b")
    x = Value(2.0, label="x")
    out = (Value.weighted_sum(ws, [x, 3.0], b).tanh() * 2 - 1) ** 2
    return out, [*ws, b, x]


def test_deepcopy_of_a_fused_neuron_graph_backpropagates_like_the_original():
    out, leaves = _fused_graph()
    twin = copy.deepcopy(out)
    twin.backward()
    out.backward()
    twin_leaves = [n for n in topological_order(twin) if n.is_leaf and n.label]
    assert sorted((n.label, n.grad) for n in twin_leaves) == sorted((n.label, n.grad) for n in leaves)
    assert not set(map(id, topological_order(twin))) & set(map(id, topological_order(out)))
    assert twin.op is out.op  # rows are shared, not copied


def test_deepcopy_keeps_identity_between_nodes_copied_together():
    out, leaves = _fused_graph()
    twin_out, twin_leaves = copy.deepcopy((out, leaves))
    twin_out.backward()
    assert [p.grad for p in twin_leaves] == pytest.approx([p.grad for p in _backward_leaves(out, leaves)])


def _backward_leaves(out, leaves):
    out.backward()
    return leaves


def test_deepcopy_of_a_chain_deeper_than_the_recursion_limit():
    x = Value(1.0)
    y = x
    for _ in range(5000):
        y = y * 1.001 + 0.0
    twin = copy.deepcopy(y)
    twin.backward()
    assert twin.data == y.data and twin.parents[0].parents[0] is not y.parents[0].parents[0]


def test_copy_of_a_node_shares_its_parents():
    x = Value(2.0)
    y = x * 3
    twin = copy.copy(y)
    assert twin is not y and twin.parents == (x,) and twin.data == 6.0 and twin._op == "*"


def test_pickling_a_graph_is_refused_clearly_and_leaves_and_models_pickle():
    out, leaves = _fused_graph()
    with pytest.raises(TypeError, match="cannot pickle.*pickle the leaves"):
        pickle.dumps(out)
    back = pickle.loads(pickle.dumps(leaves))
    assert [(v.label, v.data) for v in back] == [(v.label, v.data) for v in leaves]
    model = nn.MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    for twin in (pickle.loads(pickle.dumps(model)), copy.deepcopy(model)):
        assert twin.state_dict() == model.state_dict()
        assert [p.grad for p in twin.parameters()] == [p.grad for p in model.parameters()]
        assert twin([0.5, -1.0]).data == model([0.5, -1.0]).data


# ---- 14 (part). long input lists in messages are shortened --------------------------------------


def test_an_overflow_in_a_wide_neuron_lists_a_few_inputs_not_all():
    ws = [Value(1e300, label=f"w{i}") for i in range(1000)]
    with pytest.raises(OverflowError) as caught:
        Value.weighted_sum(ws, [1e300] * 1000)
    message = str(caught.value)
    assert message.startswith("dot: the result inf is not a finite number")
    assert "and 1996 more" in message and "and 996 more" in message and len(message) < 600


# ---- 15. data changed after the forward pass -----------------------------------------------------


def _refusal(call: Callable[[], object]) -> str:
    with pytest.raises(ValueError) as caught:
        call()
    return str(caught.value)


def test_data_changed_after_the_forward_pass_is_refused_alike_by_both_kinds_of_backward():
    x = Value(2.0, label="x")
    y = x * x
    x.data = 5.0
    first = _refusal(y.backward)
    assert first == _refusal(lambda: grad(y, [x]))
    assert first == _refusal(lambda: grad(y, [x], create_graph=True))
    assert first == _refusal(lambda: y.backward(create_graph=True))
    assert "mul node" in first and "input 0 (Value 'x')" in first
    assert "recorded as 2.0, the data now give 5.0" in first and "redo" in first
    assert x.grad == 0.0 and y.grad == 0.0  # refused before any gradient changed
    x.data = 2.0  # back to the recorded data: the record holds again
    y.backward()
    (again,) = grad(y, [x], create_graph=True)
    assert x.grad == 4.0 and again.data == 4.0


def test_a_changed_inner_node_is_refused_and_a_node_made_after_the_change_is_not():
    x = Value(0.5)
    t = x.tanh()
    t.data = 0.9  # its recorded derivative 1 - o² came from the old o
    message = _refusal(t.backward)
    assert message == _refusal(lambda: t.backward(create_graph=True)) and "tanh node" in message
    later = x.tanh()  # made from the data there are now
    later.backward()
    assert x.grad == 1.0 - later.data**2


def test_a_labelled_and_hooked_inner_node_is_checked_like_any_other():
    x = Value(2.0)
    y = x * x
    y.label = "y"  # a label, hooks, a note of where it was built: kept beside the node's stamp
    y.register_hook(lambda g: None)
    y.backward()
    x.data = 3.0
    assert "mul node Value(data=4.0, grad=1.0, label='y')" in _refusal(y.backward)


def test_data_changes_that_no_recorded_derivative_used_are_fine_on_both_paths():
    x = Value(2.0)
    y = x * 3 + 1  # d/dx is 3 whatever x holds
    x.data = 5.0
    assert grad(y, [x]) == [3.0]
    (again,) = grad(y, [x], create_graph=True)
    assert again.data == 3.0


def test_setting_the_same_number_is_not_a_change():
    from autograd.value import writes

    x = Value(2.0)
    y = x * x
    before = writes()
    x.data = 2.0
    x.data = 2  # the same number as an int
    assert writes() == before
    y.backward()
    assert x.grad == 4.0
    x.data = -0.0
    x.data = 0.0  # a zero of the other sign is another number (1/x differs)
    assert writes() == before + 2


def test_a_training_loop_with_updates_between_forward_passes_is_never_refused():
    model = nn.MLP(2, [4, 1], seed=0)
    for optimizer in (nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
                      nn.optim.Adam(model.parameters(), lr=0.01)):  # fmt: skip
        for _ in range(3):
            loss = nn.losses.mse([model([0.5, -1.0]), model([1.0, 2.0])], [1.0, 0.0])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    data = ([[0.5, -1.0], [1.0, 2.0]], [1.0, 0.0])
    history = nn.fit(model, data, "mse", nn.optim.SGD(model.parameters(), lr=0.1), epochs=3, progress=False)
    assert history.epochs == 3


def test_an_update_after_backward_refuses_a_second_backward_of_the_old_graph():
    w = Value(0.5, label="w")
    loss = (w * w) * 3.0
    loss.backward()
    optimizer = nn.optim.SGD([w], lr=0.1)
    optimizer.step()  # w's data changed: d(w*w)/dw was recorded from the old w
    assert "mul node" in _refusal(loss.backward) and "input 0 (Value 'w')" in _refusal(loss.backward)
    assert w.grad == 3.0  # the first pass's gradient, untouched by the refusals


# ---- more hostile inputs at the boundaries -------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: Value(2.0).leaky_relu("0.1"), TypeError, "slope must be a number, got str"),
        (lambda: Value(2.0).leaky_relu(True), TypeError, "slope must be a number, got bool"),
        (lambda: Value(2.0).leaky_relu(Value(0.1)), TypeError, "slope must be a number, got Value"),
        (lambda: Value.weighted_sum(3, [1.0]), TypeError, "weights must be a list"),
        (lambda: Value.weighted_sum([Value(1.0)], [10**400]), OverflowError, "too large"),
        (lambda: Value.weighted_sum([Value(1.0)], [1.0], bias="b"), TypeError, "bias must be a Value or"),
        (lambda: topological_order(3.0), TypeError, "needs a Value, got float"),
        (lambda: zero_grad([Value(1.0), 2.0]), TypeError, "takes Values, got float"),
        (lambda: grad(3.0), TypeError, "needs a Value or a function, got float"),
        (lambda: grad(lambda x: x, [Value(1.0)]), TypeError, "grad\\(f\\) takes no inputs"),
        (lambda: grad(lambda x: x * x, argnum=2)(1.0), IndexError, "argnum=2"),
        (lambda: hessian(lambda x: x * x, ["1"]), TypeError, "hessian: xs\\[0\\].*str"),
        (lambda: hessian(lambda x: 3.0, [1.0]), TypeError, "must return a Value"),
        (lambda: hvp(lambda x: x * x, [1.0], [math.nan]), ValueError, "hvp: v\\[0\\].*finite"),
        (lambda: rule_text(Value(1.0), 0), ValueError, "is a leaf"),
        (lambda: rule_text(Value(1.0) * 2, 1), IndexError, "parents 0..0, got 1"),
        (lambda: Value(1.0).register_hook("print"), TypeError, "needs a callable"),
    ],
)
def test_wrong_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_nan_and_inf_constants_end_in_an_error_not_a_nan_node():
    v = Value(0.0)
    for make in (lambda: v * math.nan, lambda: v + math.inf, lambda: v * math.inf):
        with pytest.raises(OverflowError, match="not a finite number"):
            make()
    with pytest.raises(OverflowError, match="not a finite number"):
        v.leaky_relu(math.nan)


def test_an_overflowing_derivative_is_minus_inf_not_a_refused_power():
    x = Value(1e-200)
    y = x**-1.5  # the power is finite (1e300); its derivative (-1.5e500) is not: -inf, as PyTorch
    assert y.data == pytest.approx(1e300)
    y.backward()
    assert x.grad == -math.inf


def _train_a_little(seed: int) -> float:
    model = nn.MLP(2, [4, 1], seed=seed)
    total = 0.0
    for _ in range(50):
        loss = (model([0.5, -0.25]) - 1.0) ** 2
        model.zero_grad()
        loss.backward()
        total += sum(p.grad for p in model.parameters())
    return total


def test_building_and_backpropagating_separate_graphs_in_threads():
    errors: list[BaseException] = []
    results: dict[int, float] = {}

    def work(k: int) -> None:
        try:
            results[k] = _train_a_little(k)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert results == {k: _train_a_little(k) for k in range(4)}  # as if each ran alone


def test_a_hook_returning_something_else_than_a_gradient_is_named():
    x = Value(1.0, label="x")

    def shout(g):
        return "loud"

    x.register_hook(shout)
    with pytest.raises(TypeError, match="hook 'shout' on Value.*'x'.*returned str"):
        (x * 2).backward()


@pytest.mark.parametrize(
    ("options", "message"),
    [({"eps": 0.0}, "eps must be > 0"), ({"atol": -1.0}, "atol, rtol >= 0"), ({"rtol": "big"}, "rtol.*str"),
     ({"eps": math.nan}, "eps.*finite")],
)  # fmt: skip
def test_gradcheck_options_are_checked(options, message):
    from autograd import gradcheck

    with pytest.raises((TypeError, ValueError), match=message):
        gradcheck(lambda x: x * x, [1.0], **options)


def test_rule_text_position_must_be_an_int():
    with pytest.raises(TypeError, match="position must be an int"):
        rule_text(Value(1.0) * 2, True)


def test_no_grad_is_also_a_decorator_and_per_asyncio_task():
    import asyncio

    @no_grad()
    def update(w: Value) -> Value:
        return w - 0.1

    assert update(Value(1.0)).is_leaf

    async def inside_no_grad(entered: asyncio.Event, release: asyncio.Event) -> bool:
        with no_grad():
            entered.set()
            await release.wait()
            return (Value(1.0) * 2).is_leaf

    async def main() -> tuple[bool, bool]:
        entered, release = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(inside_no_grad(entered, release))
        await entered.wait()
        recorded_here = not (Value(1.0) * 2).is_leaf  # another task sits in no_grad meanwhile
        release.set()
        return recorded_here, await task

    # its own thread and loop: Playwright's sync API may keep a loop running in this one
    results: list[tuple[bool, bool]] = []
    runner = threading.Thread(target=lambda: results.append(asyncio.run(main())))
    runner.start()
    runner.join(timeout=60)
    assert results == [(True, True)]


_ANOMALY_TRAINING = textwrap.dedent(
    """
    import gc, tracemalloc
    gc.disable()
    import nn
    from autograd import detect_anomaly
    model = nn.MLP(2, [16, 16, 1], seed=0)
    X = [[0.1 * i, -0.05 * i] for i in range(20)]
    tracemalloc.start()
    with detect_anomaly():  # a whole training run inside it, as one debugs a nan
        for step in range(40):
            loss = sum((model(x) - 1.0) ** 2 for x in X)
            model.zero_grad()
            loss.backward()
            if step == 9:
                after_ten = tracemalloc.get_traced_memory()[0]
        grown = tracemalloc.get_traced_memory()[0] - after_ten
    print(grown)
    """
)


def test_a_long_run_inside_detect_anomaly_frees_each_graph():
    grown = _bytes_grown(_ANOMALY_TRAINING)
    assert grown < 100_000, f"memory grew by {grown} bytes over 30 steps inside detect_anomaly"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: hessian(3, [1.0]), "f must be a function of Values, got int"),
        (lambda: hessian(lambda x: x, 1.0), "xs must be a list of numbers, got float"),
        (lambda: hvp(lambda x: x, [1.0], 2.0), "v must be a list"),
        (lambda: zero_grad(3), "takes a Value or Values, got int"),
    ],
)
def test_wrong_kinds_of_argument_are_named(call, message):
    from autograd import gradcheck

    with pytest.raises(TypeError, match=message):
        call()
    with pytest.raises(TypeError, match="f must be a function of Values, got int"):
        gradcheck(3, [1.0])
    with pytest.raises(TypeError, match="inputs must be a list of numbers or Values, got float"):
        gradcheck(lambda x: x, 1.0)


def test_long_labels_are_cut_in_messages():
    with pytest.raises(ValueError) as caught:
        Value(-1.0, label="x" * 100_000).log()
    assert len(str(caught.value)) < 300 and "xxx…" in str(caught.value)


def test_a_derivative_too_large_for_create_graph_says_where():
    x = Value(1e-320)
    assert grad(x.log(), [x]) == [math.inf]  # first order: inf, as in PyTorch
    with pytest.raises(OverflowError, match=r"backward\(create_graph=True\) through log: div"):
        grad(x.log(), [x], create_graph=True)


# -- the views' page options and the tape's calls -------------------------------------------------


@pytest.mark.parametrize(
    "options, error, words",
    [
        ({"speed_ms": "fast"}, ValueError, "speed_ms must be a whole number of milliseconds"),
        ({"speed_ms": -5}, ValueError, "1 to 60000, got -5"),
        ({"speed_ms": True}, ValueError, "got True"),
        ({"title": 3}, TypeError, "title must be a string, got int"),
    ],
)
def test_every_view_refuses_bad_page_options_before_any_work(options, error, words):
    w = Value(2.0, label="w")
    x = Value(3.0, label="x")
    loss = w * x
    with pytest.raises(error, match=words):
        animate(loss, **options)
    assert w.grad == 0.0  # refused before the backward pass
    with pytest.raises(error, match=words):
        animate_tape(lambda t: t * w, 1.0, **options)
    model = nn.MLP(2, [2, 1], seed=0)
    with pytest.raises(error, match=words):
        nn.animate_training_step(model, [0.5, -1.0], 1.0, **options)
    assert all(p.grad == 0.0 for p in model.parameters())


def test_a_traced_function_names_what_it_takes():
    w = Value(1.0, label="w")
    step = trace(lambda x: x * w)
    with pytest.raises(TypeError, match=r"takes its numbers by position .* got x="):
        step(x=1.0)
    with pytest.raises(TypeError, match="jvp: primals must be a list of numbers, got float"):
        jvp(lambda x: x * w, 1.0, [1.0])
    with pytest.raises(TypeError, match="jvp: tangents must be a list of numbers, got str"):
        jvp(lambda x: x * w, [1.0], "1")
