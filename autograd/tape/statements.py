"""What a tape is made of: its statements (kept as flat columns), guards, the reverse sweep's
lines, and the ``Tape`` with the text a learner reads."""

from __future__ import annotations

import ast
import functools
import operator
import re
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..explain import filled
from ..ops import Op
from ..rule_code import derivative_code, forward_code, is_operator
from ..value import Value

_COMPARED = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


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

    def holds(self, v: Sequence[float]) -> bool:
        """Whether the guard still holds with the slots' numbers ``v`` (the interpreter's test)."""
        if self.how in ("float", "data"):
            return bool(v[self.slot] == self.result)
        right = v[self.other] if self.other is not None else ast.literal_eval(self.literal)
        return bool(_COMPARED[self.how](v[self.slot], right) is self.result)

    def __str__(self) -> str:
        if self.how in ("float", "data"):
            return f"v{self.slot} == {self.result!r}   ({self.how} of a Value was read)"
        right = f"v{self.other}" if self.other is not None else self.literal
        return f"(v{self.slot} {self.how} {right}) is {self.result}"


@dataclass(slots=True)  # one per operation, kept as long as the tape: no __dict__ each
class Statement:
    """One line of the forward sweep: ``v<slot> = op(inputs)``. ``kind`` is "input", "leaf"
    (captured: read when the tape runs), "constant" (a Value ``fn`` made from a number), "op",
    or "stop": computed on every call but carrying no gradient (built under ``no_grad`` by
    ``op``, a ``detach()`` copy of its one arg, or ``rule`` of the args: ``stop_gradient``);
    ``args`` are the op's inputs in the row's order, a slot number or a kept number."""

    slot: int
    kind: str
    label: str = ""
    op: Op | None = None
    args: tuple[int | float, ...] = ()
    value: float = 0.0  # the constant's number
    rule: Callable[..., float] | None = None  # a stop_gradient's function of the args' numbers

    @property
    def computed(self) -> bool:
        """Whether the tape computes this slot from others (an op, or one with no gradient)."""
        return self.kind in ("op", "stop")


KINDS = ("input", "leaf", "constant", "op", "stop")


class Statements(Sequence[Statement]):
    """The forward sweep, kept as a few flat columns rather than one object per statement (a
    long tape costs tens of bytes per op, not hundreds); ``statements[k]`` is a ``Statement``
    made when asked for. ``flat`` holds every statement's args one after another, ``starts[k]``
    where statement k's begin; a kept number (``x * 3``'s 3) is ``kept[-1 - arg]``."""

    def __init__(self) -> None:
        self.kinds = bytearray()  # KINDS.index(kind), one byte per statement
        self.ops: list[Op | None] = []
        self.starts = array("i", [0])  # 4 bytes a slot: no tape reaches 2**31 statements
        self.flat = array("i")
        self.kept: list[float] = []
        self.labels: dict[int, str] = {}  # only the statements that have a label
        self.constants: dict[int, float] = {}
        self.rules: dict[int, Callable[..., float]] = {}

    def append(
        self,
        kind: str,
        label: str,
        value: float,
        op: Op | None = None,
        args: tuple[int | float, ...] = (),
        rule: Callable[..., float] | None = None,
    ) -> int:
        """Add a statement; returns its slot."""
        slot = len(self.kinds)
        self.kinds.append(KINDS.index(kind))
        self.ops.append(op)
        for arg in args:
            if type(arg) is not int:
                self.kept.append(arg)
                arg = -len(self.kept)
            self.flat.append(arg)
        self.starts.append(len(self.flat))
        if label:
            self.labels[slot] = label
        if kind == "constant":
            self.constants[slot] = value
        if rule is not None:
            self.rules[slot] = rule
        return slot

    def args(self, slot: int) -> tuple[int | float, ...]:
        """Statement ``slot``'s inputs: a slot number, or a kept number."""
        flat, kept = self.flat, self.kept
        return tuple(a if a >= 0 else kept[-1 - a] for a in flat[self.starts[slot] : self.starts[slot + 1]])

    def __len__(self) -> int:
        return len(self.kinds)

    def __getitem__(self, slot: int) -> Statement:  # type: ignore[override]
        if not 0 <= slot < len(self.kinds):
            raise IndexError(f"statement {slot} of {len(self.kinds)}")
        return Statement(slot, KINDS[self.kinds[slot]], self.labels.get(slot, ""), self.ops[slot],
                         self.args(slot), self.constants.get(slot, 0.0), self.rules.get(slot))  # fmt: skip


class SlotSet:
    """A set of slots as one byte each (a Python set of ints costs about 50 bytes an entry)."""

    __slots__ = ("flags",)

    def __init__(self, size: int) -> None:
        self.flags = bytearray(size)

    def add(self, slot: int) -> None:
        self.flags[slot] = 1

    def __contains__(self, slot: object) -> bool:
        return type(slot) is int and 0 <= slot < len(self.flags) and self.flags[slot] == 1


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

    ``statements`` are the forward sweep in order (flat columns, see ``Statements``); ``reverse``
    the op slots in the reverse
    sweep's order (``backward()``'s); ``guards`` are ``(slot, how, other, result)``; ``source``
    is the generated Python (a function ``replay(inputs, leaves)``), written again when
    asked for (the tape keeps only its compiled code; a long one is interpreted, see ``_replay_of``).
    """

    name: str
    statements: Statements
    inputs: list[int]
    leaves: list[Value]
    leaf_slots: list[int]
    output: int
    reverse: Sequence[int]
    needs_grad: SlotSet
    guards: list[Guard]
    also: list[int] = field(default_factory=list)  # slots of the other Values fn returned
    arguments: list[str] = field(default_factory=list)  # fn's parameter names, for the printout
    replay: Callable[..., tuple[float, tuple[float, ...]]] = field(default=lambda *a: (0.0, ()), repr=False)
    tangents: Callable[..., tuple[float, float]] | None = field(default=None, repr=False)

    @property
    def source(self) -> str:
        """The generated Python of the replay, as one function (what ``replay`` runs)."""
        from .code import _generate  # code generation reads the tape: imported when asked for

        return _generate(self)

    @property
    def tangent_source(self) -> str:
        """The generated Python of forward mode (``jvp``)."""
        from .code import _generate_tangents

        return _generate_tangents(self)

    @functools.cached_property
    def _position(self) -> dict[int, int]:
        """Each input's and captured leaf's slot → its position among the inputs or the leaves."""
        return {
            **{slot: k for k, slot in enumerate(self.leaf_slots)},
            **{slot: k for k, slot in enumerate(self.inputs)},
        }

    # -- the text a learner reads --------------------------------------------------------------

    def __str__(self) -> str:
        ops = [s for s in self.statements if s.computed]
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
        return [(s.slot, f"v{s.slot} = {self._right_side(s)}", self.comment(s)) for s in self.statements]

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
            k = self._position[s.slot]
            return self.arguments[k] if k < len(self.arguments) else f"x{k}"
        if s.kind == "leaf":
            return s.label or f"leaf {self._position[s.slot]}"
        if s.kind == "constant":
            return repr(s.value)
        names = [f"v{a}" if type(a) is int else repr(a) for a in s.args]
        if s.op is None:  # no gradient: a detach() copy, or a stop_gradient rule
            return f"{getattr(s.rule, '__name__', 'rule') if s.rule else 'detach'}({', '.join(names)})"
        if s.op.name == "dot":
            terms = [f"{names[k]} * {names[k + 1]}" for k in range(0, len(names) - 1, 2)]
            return " + ".join(terms + ([names[-1]] if len(names) % 2 else []))
        if is_operator(s.op):  # written as the operator it is
            return _substituted(forward_code(s.op), dict(zip(s.op.inputs, names)))
        return f"{s.op.symbol if s.op.symbol.isidentifier() else s.op.name}({', '.join(names)})"

    def comment(self, s: Statement) -> str:
        """The comment printed beside statement ``s`` (``mul, x1*w1``, ``captured leaf: ...``)."""
        if s.kind == "input":
            return f"input {self._position[s.slot]}" + (f", {s.label}" if s.label else "")
        if s.kind == "leaf":
            return "captured leaf: its .data when the tape runs"
        if s.kind == "constant":
            return "a number fn made into a Value"
        label = f", {s.label}" if s.label else ""
        if s.kind == "stop":
            how = f"{s.op.name} under no_grad" if s.op else "detach" if s.rule is None else "stop_gradient"
            return f"{how}{label}: no gradient, recomputed on every call"
        assert s.op is not None
        return s.op.name + label


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
