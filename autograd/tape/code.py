"""The tape made runnable: Python generated from its statements and compiled, or, for a long tape,
an interpreter running the same rules on the same floats."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from types import CodeType
from typing import Any

from ..ops import partners
from ..rule_code import derivative_code, forward_code
from ..value import Value, data_of
from .statements import KINDS, Guard, Statement, Tape, _local_code, _substituted


class Retrace(Exception):
    """A guard of the tape went the other way: the function must be traced again."""


class NotFinite(ArithmeticError):
    """A replay produced a number that is not finite: the eager engine says where."""


def _forward_code(s: Statement) -> str:
    op = s.op
    names = [f"v{a}" if type(a) is int else repr(a) for a in s.args]
    if op is None:  # no gradient: a detach() copy, or a stop_gradient rule
        return f"r{s.slot}({', '.join(names)})" if s.rule else names[0]
    code = forward_code(op)
    if code:  # a rule the table writes as an expression: written out here (in parentheses)
        return f"({_substituted(code, dict(zip(op.inputs, names)))})"
    if op.name == "dot":  # ops._dot's additions, from the bias, in order: the same on every Python
        terms = [f"{names[k]} * {names[k + 1]}" for k in range(0, len(names) - 1, 2)]
        start = names[-1] if len(names) % 2 else "0.0"
        return " + ".join([start, *terms])
    return f"f_{op.name}({', '.join(names)})"


def _generate(tape: Tape) -> str:
    """``replay(inputs, leaves)``: reads the captured leaves' numbers and gradients, runs the
    forward sweep, the guards and the reverse sweep, then writes the leaves' new gradients; returns
    the output and the numbers of the other Values ``fn`` returned. Raises ``Retrace`` when a guard
    fails and ``NotFinite`` when a forward number is not finite, before any gradient is written.
    The leaves are read and written here, one statement each, rather than through lists built
    around the call: that halves the cost of the 337 leaves of micrograd's MLP. A leaf's gradient
    is added to with ``+`` as ``backward()`` adds to it, so one that is a Value (after
    ``create_graph``) gets the engine's Value: no check is needed."""
    lines = ["def replay(inputs, leaves):"]
    out = lines.append
    if tape.inputs:
        out(f"    {', '.join(f'v{s}' for s in tape.inputs)}, = inputs")
    if tape.leaf_slots:
        out(f"    {', '.join(f'l{s}' for s in tape.leaf_slots)}, = leaves")
        lines += [f"    v{s} = l{s}.{_DATA}" for s in tape.leaf_slots]
        lines += [f"    g{s} = l{s}.grad" for s in tape.leaf_slots]
    lines += _sweeps(tape)
    lines += [f"    l{s}.grad = g{s}" for s in tape.leaf_slots]
    out(f"    return v{tape.output}, {_tuple(f'v{s}' for s in tape.also)}")
    return "\n".join(lines) + "\n"


# The slot a node keeps its number in (``value.data_of`` reads the same): a replay reads it
# directly, as ``.data`` would tell a watcher, which a replay has none of.
_DATA = "_data"


def _sweeps(tape: Tape) -> list[str]:
    """The body of ``replay``: the forward sweep with its guards, then the reverse sweep."""
    lines = _forward_sweep(tape)
    forward = len(lines)
    out = lines.append
    # The reverse sweep, gathered: each node's gradient is written once, when backward() would
    # have finished it, as the sum of its consumers' contributions in the order backward() adds
    # them (0.0 + t1 + t2 + ..., as it adds to a gradient reset to 0.0; a leaf's starts from what
    # it held). The same additions in the same order, with fewer statements than one per edge.
    # A leaf's sum is written whenever _TERMS_PER_STATEMENT contributions wait, not only at the
    # end: the same statements, and the gradients they read are not all kept to the end.
    terms: dict[int, list[str]] = {}
    by_slot = {s.slot: s for s in tape.statements}
    leaves = set(tape.leaf_slots)
    for slot in tape.reverse:
        if slot == tape.output:
            out(f"    g{slot} = 1.0")
        else:
            _sum_into(lines, f"g{slot}", "0.0", terms.pop(slot))
        s = by_slot[slot]
        for position, arg in enumerate(s.args):
            if type(arg) is int and arg in tape.needs_grad:
                local = _local_code(s, position) or _called(s, position)
                waiting = terms.setdefault(arg, [])
                waiting.append(_product(local, f"g{slot}"))
                if arg in leaves and len(waiting) == _TERMS_PER_STATEMENT:
                    _sum_into(lines, f"g{arg}", f"g{arg}", terms.pop(arg))
    for slot in tape.leaf_slots:
        if slot == tape.output:  # fn returned a captured leaf: backward() seeds it, += 1
            _sum_into(lines, f"g{slot}", f"g{slot}", ["1.0"])
        elif slot in terms:
            _sum_into(lines, f"g{slot}", f"g{slot}", terms.pop(slot))
    if len(tape.statements) > NAMED_BY_SLOT_UP_TO:
        lines[forward:] = _reusing_gradient_variables(lines[forward:], {f"g{s}" for s in leaves})
    return lines


# Statements: up to this many, every gradient variable is named after its slot (g7 is d(out)/d(v7)),
# as notebooks 16 and 17 read the code. In a longer tape, each name costs the compiled code about
# 60 bytes, and names were 40% of its size: there, inner gradients share variables (see below).
NAMED_BY_SLOT_UP_TO = 1_000

_GRADIENT_NAME = re.compile(r"\b(g\d+)\b")


def _reusing_gradient_variables(lines: list[str], leaves: set[str]) -> list[str]:
    """The reverse sweep's ``lines`` with each inner node's gradient ``g<slot>`` renamed to a
    variable ``gr<k>`` that it shares with gradients whose last reader came before it (a
    register allocation, over straight-line code): a long chain needs a handful of variables
    instead of one per node. The leaves' gradients keep their names (the replay reads and writes
    them); every statement, and so every float, is unchanged."""
    # each line's expression split around the gradient names it reads: text, name, text, ...
    pieces = [_GRADIENT_NAME.split(line.partition(" = ")[2]) for line in lines]
    last_read = {name: k for k, parts in enumerate(pieces) for name in parts[1::2]}
    variable_of: dict[str, str] = {}
    free: list[str] = []
    renamed, made = [], 0
    for k, (line, parts) in enumerate(zip(lines, pieces)):
        name, read = line.partition(" = ")[0].strip(), parts[1::2]
        parts[1::2] = [variable_of.get(r, r) for r in read]
        if name not in leaves and name not in variable_of:
            if not free:
                free.append(f"gr{made}")
                made += 1
            variable_of[name] = free.pop()
        renamed.append(f"    {variable_of.get(name, name)} = {''.join(parts)}")
        done = [r for r in dict.fromkeys(read) if last_read[r] == k and r in variable_of and r != name]
        free += [variable_of[r] for r in done]  # in the order read: the same tape, the same code
    return renamed


def _replay_of(tape: Tape) -> Callable[..., tuple[float, tuple[float, ...]]]:
    """``replay(inputs, leaves)``: the generated source compiled, or, for a tape of more
    than ``COMPILED_UP_TO`` statements, the interpreter (``_interpret``) running the same
    statements: Python's compiler takes far longer than a call saves on a long function."""
    if len(tape.statements) <= COMPILED_UP_TO:
        return _compile(_generate(tape), tape, "replay")

    def interpreted(numbers: Sequence[float], leaves: Sequence[Value]) -> Any:
        return _interpret(tape, numbers, leaves)

    return interpreted


# Statements: a longer tape is interpreted, not compiled (see _replay_of). Measured: compiling costs
# about 0.1 ms and 25 KB (transient) per statement, once; a compiled replay is about 10x faster than
# the interpreter. 12,000 keeps a 100-sample moons step (8,112 statements: 0.8 s, 230 MB to compile,
# then 2.4 ms a call against 24 ms interpreted) compiled, and every compile under about 1.5 s and 350 MB.
COMPILED_UP_TO = 12_000


def _interpret(tape: Tape, numbers: Sequence[float], leaves: Sequence[Value]) -> Any:
    """What the generated ``replay`` does, statement by statement: each op's forward rule, the
    guards where the generated code checks them, then each edge's derivative rule times the
    gradient, added in ``backward()``'s order (the same floats, operation for operation), and the
    leaves' gradients written last."""
    data, grads = data_of(leaves), [leaf.grad for leaf in leaves]
    columns = tape.statements
    kinds, ops, starts, flat, rules = columns.kinds, columns.ops, columns.starts, columns.flat, columns.rules
    size = len(kinds)
    v = [0.0] * size + columns.kept[::-1]  # a kept number's arg is negative: v[arg] reads it from the end
    g: list[Any] = [0.0] * size  # a leaf's may be a Value: added to as backward() adds
    for slot, x in zip(tape.inputs, numbers):
        v[slot] = x
    for slot, x, grad in zip(tape.leaf_slots, data, grads):
        v[slot], g[slot] = x, grad
    for slot, x in columns.constants.items():
        v[slot] = x
    checks: dict[int, list[Guard]] = {}
    for guard in tape.guards:
        checks.setdefault(max(guard.slot, -1 if guard.other is None else guard.other), []).append(guard)
    computed = KINDS.index("op")  # "op" and "stop" come last in KINDS
    for slot, kind in enumerate(kinds):
        if kind >= computed:
            xs = [v[a] for a in flat[starts[slot] : starts[slot + 1]]]
            op = ops[slot]
            rule = op.forward if op is not None else rules.get(slot)
            o = v[slot] = rule(*xs) if rule is not None else xs[0]  # no rule: a detach() copy
            if o - o != 0.0:
                raise NotFinite
        if checks and slot in checks:
            for guard in checks[slot]:
                if not guard.holds(v):
                    raise Retrace
    flags = tape.needs_grad.flags
    for slot in tape.reverse:
        op = ops[slot]
        assert op is not None
        if slot == tape.output:
            g[slot] = 1.0
        args = flat[starts[slot] : starts[slot + 1]]
        upstream, o, xs = g[slot], v[slot], [v[a] for a in args]
        # every derivative at once where the row has them (as the engine computes them)
        locals_ = partners(xs) if op.name == "dot" else op.partials(o, *xs) if op.partials else None
        for position, arg in enumerate(args):
            if arg >= 0 and flags[arg]:
                local = locals_[position] if locals_ is not None else op.derivatives[position](o, *xs)
                g[arg] += local * upstream
    if tape.output in tape.leaf_slots:  # fn returned a captured leaf: backward() seeds it, += 1
        g[tape.output] += 1.0
    for leaf, slot in zip(leaves, tape.leaf_slots):
        leaf.grad = g[slot]
    return v[tape.output], tuple(v[s] for s in tape.also)


def _forward_sweep(tape: Tape, beside: Callable[[Statement], list[str]] | None = None) -> list[str]:
    """The forward sweep's statements, each op's followed by ``beside(statement)``'s lines (forward
    mode's tangent) and the guards on it, then one check that every number was finite."""
    # One check at the end: the sum of every computed number is finite if each is (x - x is 0.0
    # for a finite x, nan otherwise); the rare sum that overflows only sends the call to the engine.
    lines = ["    bad = 0.0"]
    checks = _guard_checks(tape)
    unchecked: list[str] = []
    for s in tape.statements:
        if s.kind == "constant":
            lines.append(f"    v{s.slot} = {s.value!r}")
        elif s.computed:
            lines.append(f"    v{s.slot} = {_forward_code(s)}")
            unchecked.append(f"v{s.slot}")
            if s.kind == "op" and beside:  # a "stop" has no tangent: no gradient flows through it
                lines += beside(s)
            if len(unchecked) == _CHECKED_TOGETHER:
                lines.append(f"    bad += {' + '.join(unchecked)}")
                unchecked.clear()
        lines += checks.get(s.slot, [])
    if unchecked:
        lines.append(f"    bad += {' + '.join(unchecked)}")
    lines.append("    if bad - bad != 0.0: raise NotFinite")
    return lines


_CHECKED_TOGETHER = 16  # computed numbers added into the finiteness check by one statement


def _tuple(names: Any) -> str:
    names = list(names)
    return f"({', '.join(names)}{',' if names else ''})"


def _sum_into(lines: list[str], target: str, start: str, terms: list[str]) -> None:
    """``target = start + t1 + t2 + ...``, left to right, in statements of at most
    ``_TERMS_PER_STATEMENT`` terms (an expression nested thousands deep would overflow the compiler)."""
    chunk = _TERMS_PER_STATEMENT
    for k in range(0, len(terms), chunk):
        lines.append(f"    {target} = {start if k == 0 else target} + {' + '.join(terms[k : k + chunk])}")


_TERMS_PER_STATEMENT = 100


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


def _compile(
    source: str, tape: Tape, function: str, namespace: dict[str, Any] | None = None
) -> Callable[..., Any]:
    namespace = dict(namespace or _namespace(tape))
    exec(compile(source, f"<tape of {tape.name}>", "exec"), namespace)  # noqa: S102 - our own text
    compiled = namespace[function]
    compiled.__code__ = _lines_only(compiled.__code__)
    return compiled


def _lines_only(code: CodeType) -> CodeType:
    """``code`` keeping each instruction's line but not its columns: the same tracebacks and
    line events (notebook 17 counts statements with them), for about 11 bytes an op instead of 48.

    Python keeps a start and end line and column per instruction (PEP 657), for the carets under
    a failing expression; on a tape's one-operation lines they point at nothing more than the line.
    The table is written in CPython's location format (``Objects/locations.md``: one entry per run
    of up to 8 code units, a header byte and the line's change as a signed varint) and checked
    against the compiler's own lines: a Python that reads the table otherwise keeps ``code``."""
    runs = _line_runs(code)
    table, previous = bytearray(), code.co_firstlineno
    for units, line in runs:
        while units:
            length, units = min(units, 8), units - min(units, 8)
            if line is None:
                table.append(0x80 | _NO_LOCATION << 3 | (length - 1))
                continue
            table.append(0x80 | _LINE_ONLY << 3 | (length - 1))
            change, previous = line - previous, line
            unsigned = change << 1 if change >= 0 else (-change) << 1 | 1
            while unsigned >= 64:
                table.append(64 | unsigned & 63)
                unsigned >>= 6
            table.append(unsigned)
    lean = code.replace(co_linetable=bytes(table))
    return lean if _line_runs(lean) == runs else code


def _line_runs(code: CodeType) -> list[list[Any]]:
    """``[code units, line]`` for each run of instructions on one line, in order."""
    runs: list[list[Any]] = []
    for start, end, line in code.co_lines():
        if runs and runs[-1][1] == line:
            runs[-1][0] += (end - start) // 2
        else:
            runs.append([(end - start) // 2, line])
    return runs


_LINE_ONLY, _NO_LOCATION = 13, 15  # the entry kinds of CPython's location table used above


def _namespace(tape: Tape) -> dict[str, Any]:
    """What the generated code calls: the rows' forward and derivative functions, the rules."""
    namespace: dict[str, Any] = {"Retrace": Retrace, "NotFinite": NotFinite}
    for s in tape.statements:
        if s.rule is not None:
            namespace[f"r{s.slot}"] = s.rule
        if s.op is not None:
            namespace[f"f_{s.op.name}"] = s.op.forward
            for position, arg in enumerate(s.args):  # a kept number (x * 3's 3) has no derivative
                if type(arg) is int and not derivative_code(s.op, position, len(s.args)):
                    namespace[f"d_{s.op.name}_{position}"] = s.op.derivatives[position]
    return namespace


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
