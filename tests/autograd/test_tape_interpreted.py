"""A tape longer than ``COMPILED_UP_TO`` statements is interpreted, not compiled: the same tests
of exactness (bit for bit the eager engine: the property test, guards, stop-gradients, the
library's losses, grad() inside, non-finite numbers and domain errors sent to the engine, threads)
run here with every tape interpreted."""

from __future__ import annotations

import pytest

import autograd.tape.code as tape  # where the threshold is read
from autograd import Value, trace

from .test_tape import (  # noqa: F401 - collected again here, with every tape interpreted
    test_a_guard_that_turns_traces_again_and_each_outcome_keeps_its_tape,
    test_an_mlp_step_is_the_eager_step_bit_for_bit_and_reads_the_new_weights,
    test_errors_on_replay_are_the_engines_own,
    test_other_returned_values_come_back_as_numbers,
    test_reading_a_number_into_python_is_a_guard_too,
    test_replayed_tape_equals_the_eager_engine_bit_for_bit,
    test_threads_may_share_a_traced_function,
)
from .test_tape_trust import (  # noqa: F401
    bits,
    test_a_leaf_whose_grad_is_a_value_gets_the_engines_sum,
    test_cross_entropy_inside_traces_once_and_is_the_engine_bit_for_bit,
    test_detach_inside_is_recomputed_on_every_call_not_frozen,
    test_detach_of_a_captured_leaf_reads_its_new_number,
    test_grad_inside_the_function_traces_once_and_replays_exactly,
    test_no_grad_inside_is_a_value_without_gradient_recomputed_on_every_call,
    test_stop_gradient_carries_none_and_takes_only_values,
    test_threads_sharing_a_traced_step_lose_no_gradient,
)


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
