"""The tape: a graph recorded once as a flat list of statements (a Wengert list), shown and replayed.

``step = trace(fn)`` runs ``fn`` once on ``Value``\\ s and records every operation it performs as a
numbered statement: the **forward sweep** (``v7 = v5 * v6``) and, read backwards from the output,
the **reverse sweep** (``g5 += v6 * g7``): the code that backpropagation *is*. ``step(*numbers)``
then runs that code on new numbers, with no ``Value`` at all: it returns the output as a float and
adds d(out)/d(leaf) into the ``.grad`` of every leaf ``fn`` captured (a model's parameters), from
their current ``.data``, exactly as ``fn(*numbers).backward()`` would.

How it stays exact. The tape is Python generated from the op table (``ops.py``): each statement
calls the row's forward rule, or writes it inline where it is an operator, and each reverse
statement writes the row's derivative rule, which the table holds as an expression
(``"1.0 - o * o"``). The statements run in the order the eager engine runs them (the forward pass
in the order the nodes were built, the reverse sweep in ``backward()``'s topological order), so
the floats are the same, operation for operation: bit for bit.

What can change between calls, and what cannot. The numbers can; the *shape* of the computation
cannot. A comparison of a Value (``if x > 0:``), ``float(v)`` or ``v.data`` inside ``fn`` is a
**guard**: the tape checks it on every call, and when one would go the other way, ``fn`` is
traced again (each outcome keeps its own tape, up to ``MAX_TAPES``). A traced function is never
wrong, only sometimes traced again. Refused, with a message that says so: a ``fn`` that uses a
Value computed outside it (its number would be stale on replay: compute it inside, or pass its
number), and one whose graph changes with every call (more than ``MAX_TAPES`` tapes). Not
detected, so not to do: keeping a Value made inside ``fn`` to use after it returns (a replay makes
no Values).

Errors are the eager engine's: when a replay meets a domain error or a number that is not finite,
``fn`` runs eagerly on the same numbers, which raises the engine's own error (naming the op, its
inputs and the labels). Under ``no_grad``, ``detect_anomaly``, a hook or a backward watcher the
call runs eagerly too.

>>> from autograd import Value
>>> w = Value(-3.0, label="w")
>>> step = trace(lambda x: (x * w).tanh())
>>> round(step(2.0), 6), round(w.grad, 6)
(-0.999988, 4.9e-05)
>>> print(step.tape)
tape of <lambda>: 1 input, 1 captured leaf (w), 2 operations
forward sweep
  v0 = x         # input 0
  v1 = w         # captured leaf: its .data when the tape runs
  v2 = v0 * v1   # mul
  v3 = tanh(v2)  # tanh
reverse sweep
  g3 = 1                # seed: d(v3)/d(v3)
  g2 += (1 − v3²) · g3  # tanh: 1 − o²
  g1 += v0 · g2         # mul: a (the other factor)
"""

from __future__ import annotations

import inspect
import re
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .backward import backward, topological_order
from .checks import as_finite_float
from .explain import filled
from .hooks import any_hooks
from .modes import on_new_node, on_read, quiet, watched
from .ops import Op
from .rule_code import derivative_code, forward_code, is_operator
from .value import Value, data_of, inputs_of

MAX_TAPES = 32  # guard outcomes kept per number of arguments: more means fn's shape follows its data

# Python's sum() of floats adds one by one up to 3.11 (as `+` does); from 3.12 it compensates, so
# a weighted sum is written out as additions only where that is the same arithmetic.
_SUM_IS_SEQUENTIAL = sys.version_info < (3, 12)


@dataclass(frozen=True)
class Guard:
    """``v<slot> <how> <other>`` was ``result`` when traced (``how`` "float" or "data": the number
    was read, so it must stay ``result``). ``other`` is a slot, or ``literal`` the Python text of
    the number it was compared with."""

    slot: int
    how: str
    other: int | None
    literal: str
    result: Any

    def python(self) -> str:
        """The test that fails when the guard goes the other way."""
        if self.how in ("float", "data"):
            return f"v{self.slot} != {self.result!r}"
        right = f"v{self.other}" if self.other is not None else self.literal
        return f"(v{self.slot} {self.how} {right}) is not {self.result}"

    def __str__(self) -> str:
        if self.how in ("float", "data"):
            return f"v{self.slot} == {self.result!r}   ({self.how} of a Value was read)"
        right = f"v{self.other}" if self.other is not None else self.literal
        return f"(v{self.slot} {self.how} {right}) is {self.result}"


class Retrace(Exception):
    """A guard of the tape went the other way: the function must be traced again."""


class NotFinite(ArithmeticError):
    """A replay produced a number that is not finite: the eager engine says where."""


@dataclass
class Statement:
    """One line of the forward sweep: ``v<slot> = op(inputs)``. ``kind`` is "input", "leaf"
    (captured: read when the tape runs), "constant" (a Value ``fn`` made from a number) or
    "op"; ``args`` are the op's inputs in the row's order, a slot number or a kept number."""

    slot: int
    kind: str
    label: str = ""
    op: Op | None = None
    args: tuple[int | float, ...] = ()
    value: float = 0.0  # the constant's number, or what the slot held when traced


class ReverseLine(NamedTuple):
    """One line of the reverse sweep: ``g<into> += local · g<slot>``, for input ``position`` of
    the statement ``slot``; ``local`` is the rule in slot names (``(1 − v9²)``, ``v0``, ``1``)."""

    slot: int
    position: int
    into: int
    local: str
    code: str
    comment: str


@dataclass(eq=False)  # a tape is itself: compared by identity (field by field would be slow and wrong)
class Tape:
    """A traced graph: its statements, its guards and the Python generated from them.

    ``statements`` are the forward sweep in order; ``reverse`` the op slots in the reverse
    sweep's order (``backward()``'s); ``guards`` are ``(slot, how, other, result)``; ``source``
    is the generated Python (a function ``replay(inputs, leaves, grads)``).
    """

    name: str
    statements: list[Statement]
    inputs: list[int]
    leaves: list[Value]
    leaf_slots: list[int]
    output: int
    reverse: list[int]
    needs_grad: set[int]
    guards: list[Guard]
    also: list[int] = field(default_factory=list)  # slots of the other Values fn returned
    arguments: list[str] = field(default_factory=list)  # fn's parameter names, for the printout
    source: str = ""
    replay: Callable[..., tuple[float, tuple[float, ...], tuple[float, ...]]] = field(
        default=lambda *a: (0.0, (), ()), repr=False
    )
    tangent_source: str = ""
    tangents: Callable[..., tuple[float, float]] | None = field(default=None, repr=False)

    # -- the text a learner reads --------------------------------------------------------------

    def __str__(self) -> str:
        ops = [s for s in self.statements if s.kind == "op"]
        leaves = [s.label or f"v{s.slot}" for s in self.statements if s.kind == "leaf"]
        n_in = len(self.inputs)
        head = (
            f"tape of {self.name}: {n_in} input{'s' * (n_in != 1)}, {len(leaves)} captured "
            f"lea{'ves' if len(leaves) != 1 else 'f'}{' (' + ', '.join(leaves) + ')' if leaves else ''}, "
            f"{len(ops)} operation{'s' * (len(ops) != 1)}"
        )
        forward = [(code, comment) for _, code, comment in self.forward_lines()]
        lines = [head, "forward sweep", *_aligned(forward)]
        if self.guards:
            lines.append("guards (checked on every call)")
            lines += _aligned([(str(g), "") for g in self.guards])
        rows = [(f"g{self.output} = 1", f"seed: d(v{self.output})/d(v{self.output})")]
        rows += [(line.code, line.comment) for line in self.reverse_lines()]
        if len(rows) == 1:  # every number came in as an argument: no gradient is accumulated anywhere
            rows.append(("", "no captured leaf: the reverse sweep has nothing to differentiate"))
        lines += ["reverse sweep", *_aligned(rows)]
        return "\n".join(lines)

    def forward_lines(self) -> list[tuple[int, str, str]]:
        """The forward sweep as printed: ``(slot, "v2 = v0 * v1", "mul, x1*w1")`` per statement."""
        return [(s.slot, f"v{s.slot} = {self._right_side(s)}", self._comment(s)) for s in self.statements]

    def reverse_lines(self) -> list[ReverseLine]:
        """The reverse sweep as printed, after the seed: one line per edge that leads to a
        captured leaf, in ``backward()``'s order (``g8 += (1 − v9²) · g9   # tanh: 1 − o²``)."""
        by_slot = {s.slot: s for s in self.statements}
        lines = []
        for slot in self.reverse:
            s = by_slot[slot]
            assert s.op is not None
            for position, arg in enumerate(s.args):
                if type(arg) is int and arg in self.needs_grad:
                    shown = _rule_in_slots(s, position)
                    factor = f"{shown} · " if shown != "1" else ""
                    rule = s.op.rules[position] + (f" ({s.op.about})" if s.op.about else "")
                    lines.append(
                        ReverseLine(
                            slot, position, arg, shown, f"g{arg} += {factor}g{slot}", f"{s.op.name}: {rule}"
                        )
                    )
        return lines

    def _right_side(self, s: Statement) -> str:
        if s.kind == "input":
            k = self.inputs.index(s.slot)
            return self.arguments[k] if k < len(self.arguments) else f"x{k}"
        if s.kind == "leaf":
            return s.label or f"leaf {self.leaf_slots.index(s.slot)}"
        if s.kind == "constant":
            return repr(s.value)
        assert s.op is not None
        names = [f"v{a}" if type(a) is int else repr(a) for a in s.args]
        if s.op.name == "dot":
            terms = [f"{names[k]} * {names[k + 1]}" for k in range(0, len(names) - 1, 2)]
            return " + ".join(terms + ([names[-1]] if len(names) % 2 else []))
        if is_operator(s.op):  # written as the operator it is
            return _substituted(forward_code(s.op), dict(zip(s.op.inputs, names)))
        return f"{s.op.symbol if s.op.symbol.isidentifier() else s.op.name}({', '.join(names)})"

    def _comment(self, s: Statement) -> str:
        if s.kind == "input":
            return f"input {self.inputs.index(s.slot)}" + (f", {s.label}" if s.label else "")
        if s.kind == "leaf":
            return "captured leaf: its .data when the tape runs"
        if s.kind == "constant":
            return "a number fn made into a Value"
        assert s.op is not None
        return s.op.name + (f", {s.label}" if s.label else "")


def _aligned(rows: list[tuple[str, str]]) -> list[str]:
    width = max((len(code) for code, _ in rows), default=0)
    return [f"  {code:<{width}}  # {comment}" if comment else f"  {code}" for code, comment in rows]


def _rule_in_slots(s: Statement, position: int) -> str:
    """The op table's rule for people (``Op.rules``) with the statement's slots for its names:
    tanh's ``1 − o²`` → ``(1 − v9²)``, pow's ``b·a^(b−1)`` → ``2.0·v2^(2.0−1)``. A weighted sum
    has no names: its rule is the other factor of the product, or 1 for the bias."""
    op = s.op
    assert op is not None
    if not op.inputs:
        code = _local_code(s, position)
        return "1" if code == "1.0" else code
    names = {name: _name(a) for name, a in zip(op.inputs, s.args)}
    names["o"] = f"v{s.slot}"
    text = _substituted(op.rules[position], names)
    single = re.fullmatch(r"−?[\w.]+(\([^()]*\))?", text, flags=re.ASCII)  # v0, −1, sign(v1)
    return text if single else f"({text})"


def _local_code(s: Statement, position: int) -> str:
    """The local derivative d(v<slot>)/d(input ``position``) as a Python expression in slots, from
    the row's rule; "" when the row's rule is a function, not an expression."""
    op = s.op
    assert op is not None
    args = s.args
    code = derivative_code(op, position, len(args))
    if not op.inputs:  # any number of inputs (dot): the rule names them by position, _0, _1, ...
        if code[1:].isdigit():  # one input, by far the most common rule: no pattern needed
            return _name(args[int(code[1:])])
        return re.sub(r"\b_(\d+)\b", lambda m: _name(args[int(m[1])]), code)
    values = {name: _name(a) for name, a in zip(op.inputs, args)}
    values["o"] = f"v{s.slot}"
    return _substituted(code, values)


def _substituted(code: str, values: dict[str, str]) -> str:
    """``code``, an expression in a row's names, with each name in ``values`` replaced."""
    return filled(code, lambda name: values.get(name, name))


def _name(arg: int | float) -> str:
    """An input in the generated Python: its slot's variable, or the kept number itself."""
    return f"v{arg}" if type(arg) is int else repr(arg)


# -- recording -----------------------------------------------------------------------------------


def record(
    fn: Callable[..., Any], numbers: Sequence[float], name: str
) -> tuple[Value, list[Value], Tape, dict[Value, int]]:
    """Run ``fn`` on Values made from ``numbers`` and record it: the output (a graph, as eager),
    the other Values it returned, its tape, and each node's slot in the tape (for a view; the
    tape itself keeps no node but the captured leaves)."""
    made: list[Value] = []
    reads: list[tuple[Value, str, object, object]] = []
    inputs = [Value(x) for x in numbers]
    with on_new_node(made.append), on_read(lambda *read: reads.append(read)):
        returned = fn(*inputs)
    out, also = _returned(returned, name)
    slots: dict[Value, int] = {}
    tape = _tape(name, out, also, inputs, made, reads, slots)
    tape.arguments = _parameter_names(fn)
    return out, also, tape, slots


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
) -> Tape:
    statements: list[Statement] = []

    def add(node: Value, kind: str, **fields: Any) -> int:
        slots[node] = len(statements)
        statements.append(Statement(len(statements), kind, node.label, value=node.data, **fields))
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
    needs: set[int] = {slots[leaf] for leaf in leaves}
    for s in statements:
        if s.kind == "op" and any(type(a) is int and a in needs for a in s.args):
            needs.add(s.slot)
    reverse = [slots[n] for n in topological_order(out) if n.op is not None and slots[n] in needs]
    tape = Tape(name, statements, [slots[x] for x in inputs], leaves, [slots[x] for x in leaves],
                output, reverse, needs, guards, also_slots)  # fmt: skip
    tape.source = _generate(tape)
    tape.replay = _compile(tape.source, tape, "replay")
    return tape


def _literal(number: object) -> str:
    """A number as Python text that means the same number (an int exactly, however large)."""
    return repr(number) if type(number) in (int, float) or number is None else repr(float(number))  # type: ignore[arg-type]


# -- the generated Python ------------------------------------------------------------------------


def _forward_code(s: Statement) -> str:
    op = s.op
    assert op is not None
    names = [f"v{a}" if type(a) is int else repr(a) for a in s.args]
    code = forward_code(op)
    if code:  # a rule the table writes as an expression: written out here (in parentheses)
        return f"({_substituted(code, dict(zip(op.inputs, names)))})"
    if op.name == "dot" and _SUM_IS_SEQUENTIAL:  # sum(..., bias) adds from the bias, in order
        terms = [f"{names[k]} * {names[k + 1]}" for k in range(0, len(names) - 1, 2)]
        start = names[-1] if len(names) % 2 else "0.0"
        return " + ".join([start, *terms])
    return f"f_{op.name}({', '.join(names)})"


def _generate(tape: Tape) -> str:
    """``replay(inputs, leaves, grads)``: the forward sweep, the guards, the reverse sweep; returns
    the output and the captured leaves' new gradients. Raises ``Retrace`` when a guard fails and
    ``NotFinite`` when a forward number is not finite."""
    lines = ["def replay(inputs, leaves, grads):"]
    out = lines.append
    if tape.inputs:
        out(f"    {', '.join(f'v{s}' for s in tape.inputs)}, = inputs")
    if tape.leaf_slots:
        out(f"    {', '.join(f'v{s}' for s in tape.leaf_slots)}, = leaves")
        out(f"    {', '.join(f'g{s}' for s in tape.leaf_slots)}, = grads")
    lines += _forward_sweep(tape)
    # The reverse sweep, gathered: each node's gradient is written once, when backward() would
    # have finished it, as the sum of its consumers' contributions in the order backward() adds
    # them (0.0 + t1 + t2 + ..., as it adds to a gradient reset to 0.0; a leaf's starts from what
    # it held). The same additions in the same order, with fewer statements than one per edge.
    terms: dict[int, list[str]] = {}
    by_slot = {s.slot: s for s in tape.statements}
    for slot in tape.reverse:
        if slot == tape.output:
            out(f"    g{slot} = 1.0")
        else:
            _sum_into(lines, f"g{slot}", "0.0", terms.pop(slot))
        s = by_slot[slot]
        for position, arg in enumerate(s.args):
            if type(arg) is int and arg in tape.needs_grad:
                local = _local_code(s, position) or _called(s, position)
                terms.setdefault(arg, []).append(_product(local, f"g{slot}"))
    for slot in tape.leaf_slots:
        if slot == tape.output:  # fn returned a captured leaf: backward() seeds it, += 1
            _sum_into(lines, f"g{slot}", f"g{slot}", ["1.0"])
        elif slot in terms:
            _sum_into(lines, f"g{slot}", f"g{slot}", terms.pop(slot))
    grads, also = _tuple(f"g{s}" for s in tape.leaf_slots), _tuple(f"v{s}" for s in tape.also)
    out(f"    return v{tape.output}, {grads}, {also}")
    return "\n".join(lines) + "\n"


def _forward_sweep(tape: Tape, beside: Callable[[Statement], list[str]] | None = None) -> list[str]:
    """The forward sweep's statements, each op's followed by ``beside(statement)``'s lines (forward
    mode's tangent) and the guards on it, then one check that every number was finite."""
    lines = ["    bad = 0.0"]  # x - x is 0.0 for a finite x and nan otherwise: one check at the end
    checks = _guard_checks(tape)
    for s in tape.statements:
        if s.kind == "constant":
            lines.append(f"    v{s.slot} = {s.value!r}")
        elif s.kind == "op":
            lines += [f"    v{s.slot} = {_forward_code(s)}", f"    bad += v{s.slot} - v{s.slot}"]
            lines += beside(s) if beside else []
        lines += checks.get(s.slot, [])
    lines.append("    if bad != 0.0: raise NotFinite")
    return lines


def _tuple(names: Any) -> str:
    names = list(names)
    return f"({', '.join(names)}{',' if names else ''})"


def _sum_into(lines: list[str], target: str, start: str, terms: list[str], chunk: int = 100) -> None:
    """``target = start + t1 + t2 + ...``, left to right, in statements of at most ``chunk`` terms
    (an expression nested thousands deep would overflow the compiler)."""
    for k in range(0, len(terms), chunk):
        lines.append(f"    {target} = {start if k == 0 else target} + {' + '.join(terms[k : k + chunk])}")


def _product(local: str, grad: str) -> str:
    """``local * grad``; by 1.0 or -1.0 written as ``grad`` or ``-grad``, which is the same float."""
    if local == "1.0":
        return grad
    return f"-{grad}" if local == "-1.0" else f"({local}) * {grad}"


def _guard_checks(tape: Tape) -> dict[int, list[str]]:
    """The guards as lines of Python, under the statement after which all they compare exists."""
    checks: dict[int, list[str]] = {}
    for guard in tape.guards:
        after = max(guard.slot, guard.other if guard.other is not None else -1)
        checks.setdefault(after, []).append(f"    if {guard.python()}: raise Retrace")
    return checks


def _called(s: Statement, position: int) -> str:
    """A derivative rule that is a function, called with the output and the inputs (``d_<op>_<i>``)."""
    assert s.op is not None
    names = [f"v{a}" if type(a) is int else repr(a) for a in s.args]
    return f"d_{s.op.name}_{position}(v{s.slot}, {', '.join(names)})"


def _compile(source: str, tape: Tape, function: str) -> Callable[..., Any]:
    namespace: dict[str, Any] = {"Retrace": Retrace, "NotFinite": NotFinite}
    for s in tape.statements:
        if s.op is not None:
            namespace[f"f_{s.op.name}"] = s.op.forward
            for position, arg in enumerate(s.args):  # a kept number (x * 3's 3) has no derivative
                if type(arg) is int and not derivative_code(s.op, position, len(s.args)):
                    namespace[f"d_{s.op.name}_{position}"] = s.op.derivatives[position]
    exec(compile(source, f"<tape of {tape.name}>", "exec"), namespace)  # noqa: S102 - our own text
    return namespace[function]


def _generate_tangents(tape: Tape) -> str:
    """``tangents(inputs, directions, leaves)``: the forward sweep, and beside it each node's
    derivative along the inputs' ``directions`` (forward mode); returns the output and its own."""
    lines = ["def tangents(inputs, directions, leaves):"]
    out = lines.append
    if tape.inputs:
        out(f"    {', '.join(f'v{s}' for s in tape.inputs)}, = inputs")
        out(f"    {', '.join(f't{s}' for s in tape.inputs)}, = directions")
    if tape.leaf_slots:
        out(f"    {', '.join(f'v{s}' for s in tape.leaf_slots)}, = leaves")
    moving = set(tape.inputs)  # the slots whose tangent is not 0

    def tangent(s: Statement) -> list[str]:
        terms = [
            _product(_local_code(s, k) or _called(s, k), f"t{a}")
            for k, a in enumerate(s.args)
            if type(a) is int and a in moving
        ]
        if not terms:
            return []
        moving.add(s.slot)
        return [f"    t{s.slot} = {' + '.join(terms)}"]

    lines += _forward_sweep(tape, tangent)
    out(f"    return v{tape.output}, {f't{tape.output}' if tape.output in moving else '0.0'}")
    return "\n".join(lines) + "\n"


# -- the traced function ---------------------------------------------------------------------------


class Traced:
    """``trace(fn)``: call it with numbers, as ``fn`` would be called; see the module docstring.

    ``tape`` is the tape the last call ran (``None`` before the first call), ``tapes`` all of
    them, ``traces`` how many times ``fn`` has been traced.
    """

    def __init__(self, fn: Callable[..., Any]) -> None:
        if not callable(fn):
            raise TypeError(f"trace() needs a function, got {type(fn).__name__}")
        self.fn = fn
        self.name = getattr(fn, "__name__", type(fn).__name__)
        self.tapes: list[Tape] = []
        self.tape: Tape | None = None
        self.traces = 0
        self.also = False  # fn returns other Values beside its output
        # Threads may share a traced function: its list of tapes changes only under this lock
        # (two threads tracing the same guard outcome at once keep two equal tapes: harmless).
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<traced {self.name}: {len(self.tapes)} tape{'s' * (len(self.tapes) != 1)}>"

    def _numbers(self, args: Sequence[object]) -> list[float]:
        return [as_finite_float(x, f"{self.name} (traced): argument {i}") for i, x in enumerate(args)]

    def __call__(self, *args: float, **keywords: float) -> Any:
        """``fn(*args)``'s output as a float (and, if ``fn`` returned other Values beside it, a
        tuple: the output, then a list of their numbers), its gradient added into the leaves."""
        if keywords:
            raise TypeError(
                f"{self.name} (traced) takes its numbers by position (a tape numbers its inputs), "
                f"got {', '.join(f'{k}=' for k in keywords)}"
            )
        numbers = self._numbers(args)
        if not (quiet() and not watched() and not any_hooks()):
            return self._eager(numbers)  # a mode, a hook or a watcher wants the engine itself
        for tape in self._tapes_for(len(numbers)):
            try:
                result, grads, also = tape.replay(
                    numbers, data_of(tape.leaves), [_grad(v) for v in tape.leaves]
                )
            except Retrace:
                continue
            except (ArithmeticError, ValueError, TypeError):
                return self._eager(numbers)  # the engine raises its own error (or agrees)
            for leaf, grad in zip(tape.leaves, grads):
                leaf.grad = grad
            self._use(tape)
            return (result, list(also)) if self.also else result
        out, returned, _ = self._record(numbers)
        backward(out)
        return (out.data, [v.data for v in returned]) if self.also else out.data

    def jvp(self, primals: Sequence[float], tangents: Sequence[float]) -> tuple[float, float]:
        """(output, directional derivative along ``tangents``), by forward mode on the tape."""
        for name, given in (("primals", primals), ("tangents", tangents)):
            if not isinstance(given, Sequence) or isinstance(given, str):
                raise TypeError(f"jvp: {name} must be a list of numbers, got {type(given).__name__}")
        numbers = self._numbers(primals)
        directions = [
            as_finite_float(t, f"{self.name} (traced): tangent {i}") for i, t in enumerate(tangents)
        ]  # noqa: E501
        if len(directions) != len(numbers):
            raise ValueError(f"jvp: {len(numbers)} primals but {len(directions)} tangents")
        for _attempt in range(2):
            for tape in self._tapes_for(len(numbers)):
                if tape.tangents is None:
                    tape.tangent_source = _generate_tangents(tape)
                    tape.tangents = _compile(tape.tangent_source, tape, "tangents")
                try:
                    return tape.tangents(numbers, directions, data_of(tape.leaves))
                except Retrace:
                    continue
                except (ArithmeticError, ValueError):
                    self.fn(*[Value(x) for x in numbers])  # the engine's own error, naming the op
                    raise
            self._record(numbers)
        raise RuntimeError("jvp: the new tape's guards did not hold")  # pragma: no cover - defensive

    def _tapes_for(self, count: int) -> list[Tape]:
        with self._lock:
            return [t for t in self.tapes if len(t.inputs) == count]

    def _use(self, tape: Tape) -> None:
        if self.tapes[0] is not tape:  # most recently used first: the next call tries it first
            with self._lock:
                if tape in self.tapes:
                    self.tapes.remove(tape)
                    self.tapes.insert(0, tape)
        self.tape = tape

    def _record(self, numbers: list[float]) -> tuple[Value, list[Value], Tape]:
        if len(self._tapes_for(len(numbers))) >= MAX_TAPES:
            raise RuntimeError(
                f"trace: {self.name} has been traced {MAX_TAPES} times for {len(numbers)} arguments: its "
                "graph changes with its data (a comparison, float() or .data read decides what it "
                "computes), so a tape cannot be reused; call the function itself instead"
            )
        out, also, tape, _slots = record(self.fn, numbers, self.name)
        with self._lock:
            self.traces += 1
            self.also = bool(tape.also) or self.also
            self.tapes.insert(0, tape)
        self.tape = tape
        return out, also, tape

    def _eager(self, numbers: list[float]) -> Any:
        out, also = _returned(self.fn(*[Value(x) for x in numbers]), self.name)
        backward(out)
        return (out.data, [v.data for v in also]) if also else out.data


def _grad(leaf: Value) -> float:
    grad = leaf.grad
    if type(grad) is not float:  # a gradient made with create_graph=True: let the engine add to it
        raise TypeError("a captured leaf's grad is a Value")
    return grad


def trace(fn: Callable[..., Any]) -> Traced:
    """Record ``fn`` once as a tape and return a function that replays it: ``step(*numbers)``
    returns ``fn``'s output as a float and adds its gradient into every captured leaf's ``.grad``,
    as ``fn(*numbers).backward()`` would, bit for bit. ``fn`` returns a Value, or a tuple of a
    Value and other Values (or lists of them) whose numbers come back too: ``(out, [numbers])``.
    See the module docstring for what a traced function may and may not do.

    >>> from autograd import Value
    >>> w, b = Value(0.5, label="w"), Value(0.1, label="b")
    >>> step = trace(lambda x, y: (w * x + b - y) ** 2)
    >>> [round(v, 12) for v in (step(2.0, 1.0), w.grad, b.grad)]   # (0.5·2 + 0.1 − 1)², 2(0.1)·2, 2(0.1)
    [0.01, 0.4, 0.2]
    >>> [round(v, 12) for v in (step(1.0, 0.0), w.grad, b.grad)]   # replayed: the grads add up
    [0.36, 1.6, 1.4]
    """
    return Traced(fn)


def jvp(
    fn: Callable[..., Value] | Traced, primals: Sequence[float], tangents: Sequence[float]
) -> tuple[float, float]:
    """Forward mode: ``fn``'s output at ``primals`` and its derivative along ``tangents`` (the
    sum of d(out)/d(x_i) · tangents[i]), computed in one forward sweep of the tape, with no
    backward pass. Getting all n derivatives this way takes n sweeps (one per input direction),
    where reverse mode takes one backward pass: the reason backpropagation is reverse mode.
    ``fn`` may be a traced function (``trace(fn)``), whose tapes are then reused from call to
    call; a plain function is traced again on every call, so trace it once for many directions.

    >>> jvp(lambda x, y: x * x * y, [3.0, 2.0], [1.0, 0.0])     # d/dx (x²y) = 2xy = 12
    (18.0, 12.0)
    """
    traced = fn if isinstance(fn, Traced) else Traced(fn)
    return traced.jvp(primals, tangents)
