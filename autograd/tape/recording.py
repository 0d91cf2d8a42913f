"""Recording: ``fn`` run once on Values, every node it builds becoming a statement of a ``Tape``."""

from __future__ import annotations

import inspect
from array import array
from collections.abc import Callable, Sequence
from typing import Any

from ..backward import topological_order
from ..functional import inside_grad
from ..modes import mode, on_new_node, on_read
from ..ops import Op
from ..value import Value, inputs_of
from .code import _replay_of
from .statements import KINDS, Guard, SlotSet, Statements, Tape


def record(
    fn: Callable[..., Any], numbers: Sequence[float], name: str, compiled: bool = True
) -> tuple[Value, list[Value], Tape, dict[Value, int]]:
    """Run ``fn`` on Values made from ``numbers`` and record it: the output (a graph, as eager),
    the other Values it returned, its tape (its replay generated and compiled unless
    ``compiled=False``: a view that only reads it), and each node's slot in the tape (for a
    view; the tape itself keeps no node but the captured leaves)."""
    made: list[Value] = []
    reads: list[tuple[Value, str, object, object]] = []
    stopped: dict[Value, tuple[Any, tuple[Any, ...]]] = {}
    inputs = [Value(x) for x in numbers]

    def no_gradient(node: Value, rule: Any, sources: tuple[Any, ...]) -> None:
        stopped[node] = (rule, sources)

    # the tape watches nodes being built, numbers being read (guards), values computed without a
    # gradient (recomputed on every replay: modes.note_no_gradient) and backward passes (refused)
    watching = mode("trace", on_no_gradient=no_gradient, on_pass=_refusing_backward(name))
    with on_new_node(made.append), on_read(lambda *read: reads.append(read)), watching:
        returned = fn(*inputs)
    out, also = _returned(returned, name)
    slots: dict[Value, int] = {}
    tape = _tape(name, out, also, inputs, made, reads, slots, stopped, compiled)
    tape.arguments = _parameter_names(fn)
    return out, also, tape, slots


def _refusing_backward(name: str) -> Callable[[Value, bool], None]:
    """What a backward pass inside ``fn`` meets while it is traced: an error, unless it is
    ``grad()``'s own pass with ``create_graph=True`` (its gradients are Values the tape records,
    and it leaves every ``.grad`` as it was)."""

    def refuse(root: Value, create_graph: bool) -> None:
        if create_graph and inside_grad():
            return
        raise RuntimeError(
            f"trace: {name} runs a backward pass (backward(), or grad() without create_graph) while "
            "it is traced; a replay runs only the tape, so that pass would be skipped and the "
            "gradients it gave frozen. Return the loss instead (the traced function backpropagates "
            "it), or take gradients inside with grad(f) or grad(out, xs, create_graph=True)"
        )

    return refuse


def _parameter_names(fn: Callable[..., Any]) -> list[str]:
    """The names of ``fn``'s positional parameters (none for ``*args``), to name its inputs."""
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # a builtin or a callable without a signature
        return []
    return [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _returned(returned: object, name: str) -> tuple[Value, list[Value]]:
    """``fn``'s output, and the Values it returned beside it (``(loss, [outputs...])``)."""
    out, *rest = returned if isinstance(returned, tuple) else (returned,)
    if not isinstance(out, Value):
        raise TypeError(
            f"trace: {name} must return a Value (or a tuple that starts with one), got {type(out).__name__}"
        )
    also = [v for item in rest for v in (item if isinstance(item, list | tuple) else [item])]
    for v in also:
        if not isinstance(v, Value):
            raise TypeError(f"trace: {name} returned {type(v).__name__} beside its output; only Values")
    return out, also


def _tape(
    name: str,
    out: Value,
    also: list[Value],
    inputs: list[Value],
    made: list[Value],
    reads: list,
    slots: dict[Value, int],
    stopped: dict[Value, tuple[Any, tuple[Any, ...]]],
    compiled: bool = True,
) -> Tape:
    statements = Statements()

    def add(node: Value, kind: str, **fields: Any) -> int:
        slots[node] = statements.append(kind, node.label, node.data, **fields)
        return slots[node]

    for x in inputs:
        add(x, "input")
    made_here = set(made)
    leaves: list[Value] = []

    def slot_of(node: Value) -> int:
        if node not in slots:  # not made inside fn: a leaf it captured, or an error
            if node.op is not None:
                raise TypeError(
                    f"trace: {name} uses {node!r}, computed outside it: on replay its number would be "
                    "stale. Compute it inside the function, or pass its number (.data) as an argument"
                )
            leaves.append(node)
            add(node, "leaf")
        return slots[node]

    for node in made:
        if node in stopped:
            rule, sources = stopped[node]
            op = rule if isinstance(rule, Op) else None
            args = tuple(slot_of(x) if type(x) is Value else x for x in sources)
            add(node, "stop", op=op, rule=None if op else rule, args=args)
            continue
        if node.op is None:
            if node not in slots:
                add(node, "constant")
            continue
        args = tuple(slot_of(x) if type(x) is Value else x for x in inputs_of(node))
        add(node, "op", op=node.op, args=args)
    output = slot_of(out) if out not in made_here else slots[out]
    also_slots = [slot_of(v) for v in also]
    guards = [
        Guard(
            slot_of(node), how, slot_of(other) if isinstance(other, Value) else None, _literal(other), result
        )
        for node, how, other, result in reads
    ]
    # the reverse sweep: backward()'s order, and only the edges that lead to a captured leaf
    needs = SlotSet(len(statements))
    for leaf in leaves:
        needs.add(slots[leaf])
    op_kind, flat, starts, flags = KINDS.index("op"), statements.flat, statements.starts, needs.flags
    for slot, kind in enumerate(statements.kinds):
        if kind == op_kind and any(a >= 0 and flags[a] for a in flat[starts[slot] : starts[slot + 1]]):
            flags[slot] = 1
    reverse = array("i", [slots[n] for n in topological_order(out) if n.op is not None and slots[n] in needs])
    tape = Tape(name, statements, [slots[x] for x in inputs], leaves, [slots[x] for x in leaves],
                output, reverse, needs, guards, also_slots)  # fmt: skip
    if compiled:
        tape.replay = _replay_of(tape)
    return tape


def _literal(number: object) -> str:
    """A number as Python text that means the same number (an int exactly, however large)."""
    return repr(number) if type(number) in (int, float) or number is None else repr(float(number))  # type: ignore[arg-type]
