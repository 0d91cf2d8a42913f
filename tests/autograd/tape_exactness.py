# ruff: noqa: F401 - imported to be collected again (see below)
"""The tests of a tape's exactness (bit for bit the eager engine: random programs, guards,
stop-gradients, the library's losses, grad() inside, the engine's errors, threads, Value grads),
gathered so that the files that change how a tape runs collect them again with their fixture:
``from .tape_exactness import *`` (test_tape_interpreted, test_tape_long)."""

from .test_tape import (
    test_a_guard_that_turns_traces_again_and_each_outcome_keeps_its_tape,
    test_an_mlp_step_is_the_eager_step_bit_for_bit_and_reads_the_new_weights,
    test_errors_on_replay_are_the_engines_own,
    test_other_returned_values_come_back_as_numbers,
    test_reading_a_number_into_python_is_a_guard_too,
    test_replayed_tape_equals_the_eager_engine_bit_for_bit,
    test_threads_may_share_a_traced_function,
)
from .test_tape_trust import (
    test_a_leaf_whose_grad_is_a_value_gets_the_engines_sum,
    test_cross_entropy_inside_traces_once_and_is_the_engine_bit_for_bit,
    test_detach_inside_is_recomputed_on_every_call_not_frozen,
    test_detach_of_a_captured_leaf_reads_its_new_number,
    test_grad_inside_the_function_traces_once_and_replays_exactly,
    test_no_grad_inside_is_a_value_without_gradient_recomputed_on_every_call,
    test_stop_gradient_carries_none_and_takes_only_values,
    test_threads_sharing_a_traced_step_lose_no_gradient,
)

__all__ = [name for name in dict(globals()) if name.startswith("test_")]
