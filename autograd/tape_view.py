"""The tape in the player: the forward sweep and the reverse sweep run line by line, with numbers.

``animate_tape(fn, *numbers)`` records ``fn`` as ``trace`` does (``autograd.tape``) and returns a
``Player`` whose drawing is the tape itself, as ``print(step.tape)`` shows it: the forward sweep
on the left, each statement with the value it computes and, once the reverse sweep reaches it,
its gradient; the reverse sweep on the right, one line per edge. Playing it runs the program that
backpropagation is: each forward line writes its value, then each reverse line reads the values
the forward sweep kept and adds one chain-rule product into one gradient.

The numbers come from the engine (``backward_steps`` on the recorded graph), so they are the
replay's too, bit for bit (a tape replays the same float operations). Nothing the caller owns
changes: the captured leaves' ``.grad`` are put back as they were.

>>> from autograd import Value
>>> w = Value(-3.0, label="w")
>>> player = animate_tape(lambda x: (x * w).tanh(), 0.5)
>>> print(player.frames[-1].text)
g1 += v0 · g2  =  0.5 × 0.1807 = 0.09035   → g1 = 0.09035
the local derivative d(v2)/d(v1) [d(v2)/d(w)] = 0.5 (mul: a (the other factor)) times g2, d(out)/d(v2)
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from typing import Any

from .animate import Frame, Player, check_page_options
from .checks import as_finite_float
from .steps import backward_steps
from .tape import Tape, Traced, record
from .text import format_number, shorten
from .value import Value

MAX_LINES = 400  # forward plus reverse lines: beyond that, read print(step.tape) instead

_FONT = 13  # px, monospace
_CHAR = 0.62 * _FONT  # the widest advance of the usual monospace fonts, with a little room
_ROW = 22
_PAD = 8  # on each side of a cell's text
_TITLE = 26  # the heading above each sweep

LEGEND = [
    ("current", "the line running"),
    ("target", "the line whose value or gradient it writes"),
    ("", "bold brown: the kept values and the gradient the line reads"),
]


def animate_tape(
    fn: Callable[..., Value] | Traced, *numbers: float, title: str | None = None, speed_ms: int = 900
) -> Player:
    """Play ``fn``'s tape on ``numbers``: the forward sweep, then the reverse sweep, line by line.

    ``fn`` is what ``trace`` takes (or a traced function); ``numbers`` its arguments. Each forward
    frame shows a statement with its numbers (``v9 = tanh(v8) = tanh(0.8814) = 0.7071``), each
    reverse frame one chain-rule line with its numbers and the op table's rule (``g8 += (1 − v9²)
    · g9 = (1 − 0.7071²) × 1 = 0.5``). Up to ``MAX_LINES`` lines; a longer tape is refused before
    its backward pass runs (read ``print(trace(fn).tape)`` instead).

    >>> from autograd import Value
    >>> b = Value(1.0, label="b")
    >>> [f.phase for f in animate_tape(lambda x: x * x + b, 3.0).frames]
    ['forward', 'forward', 'forward', 'backward', 'backward']

    (The numbers, x * x, + b; the seed, and the one edge into b: a tape's gradients are those
    of the captured leaves, so none flows into the input x.)
    """
    function = fn.fn if isinstance(fn, Traced) else fn
    if not callable(function):
        raise TypeError(f"animate_tape() needs a function, got {type(fn).__name__}")
    check_page_options(title, speed_ms)
    name = getattr(function, "__name__", type(function).__name__)
    floats = [as_finite_float(x, f"animate_tape: argument {i}") for i, x in enumerate(numbers)]
    # counted before any code is generated or compiled
    out, _also, tape, slots = record(function, floats, name, compiled=False)
    reverse = tape.reverse_lines()
    if len(tape.statements) + len(reverse) > MAX_LINES:
        raise ValueError(
            f"animate_tape: the tape of {name} has {len(tape.statements)} statements and {len(reverse)} "
            f"reverse lines, more than MAX_LINES = {MAX_LINES} can show line by line; print(trace(fn)"
            ".tape) lists it, or play a smaller function"
        )
    held = [leaf.grad for leaf in tape.leaves]
    try:
        for leaf in tape.leaves:
            leaf.grad = 0.0  # this pass's gradients, not what the leaves had gathered before
        steps = backward_steps(out)
    finally:
        for leaf, grad in zip(tape.leaves, held):
            leaf.grad = grad
    by_edge = {(slots[s.node], s.position): s for s in steps}
    values = {slot: node.data for node, slot in slots.items()}
    frames = _forward_frames(tape, values) + _reverse_frames(tape, reverse, by_edge, values)
    svg = _listing(tape, reverse, frames)
    return Player(
        svg,
        frames,
        title=title or f"the tape of {name}: forward sweep, then reverse sweep",
        speed_ms=speed_ms,
        legend=LEGEND,
        start="Press ▶ play, or → to run the tape one line at a time.",
    )


def _number(x: float) -> str:
    return format_number(x, 4)


def _forward_row(slot: int) -> str:
    return f"gs-f{slot}"


def _reverse_row(k: int) -> str:
    return f"gs-r{k}"  # gs-r0 is the seed, line k of the reverse sweep is gs-r{k + 1}


def _forward_frames(tape: Tape, values: dict[int, float]) -> list[Frame]:
    """The inputs, captured leaves and constants in one frame; then one frame per operation."""
    f = _number
    given = [s for s in tape.statements if not s.computed]
    lines = {slot: code for slot, code, _ in tape.forward_lines()}
    frames = []
    if given:
        frames.append(
            Frame(
                "forward",
                "the numbers the tape starts from: "
                + ", ".join(f"{lines[s.slot]} = {f(values[s.slot])}" for s in given),
                nodes=tuple(_forward_row(s.slot) for s in given),
                set=tuple((_forward_row(s.slot), 2, f(values[s.slot])) for s in given),
                numbers=tuple((f"v{s.slot}", values[s.slot]) for s in given),
            )
        )
    for s in tape.statements:
        if not s.computed:
            continue
        with_numbers = lines[s.slot].split(" = ", 1)[1]
        for arg in sorted({a for a in s.args if type(a) is int}, key=lambda a: -a):  # v12 before v1
            with_numbers = with_numbers.replace(f"v{arg}", f(values[arg]))
        what = tape.comment(s)
        text = f"{lines[s.slot]} = {with_numbers} = {f(values[s.slot])}   # {what}"
        frames.append(
            Frame(
                "forward",
                text,
                nodes=(_forward_row(s.slot),),
                edges=tuple(_forward_row(a) for a in dict.fromkeys(s.args) if type(a) is int),
                set=((_forward_row(s.slot), 2, f(values[s.slot])),),
                numbers=((f"v{s.slot}", values[s.slot]),),
            )
        )
    return frames


def learner_names(tape: Tape) -> dict[int, str]:
    """The name a learner knows each slot by, where it has one: an input's argument name (x0),
    a captured leaf's or an op's label (w0, b, z, out), as the other players name them.

    >>> from autograd import Value
    >>> w = Value(2.0, label="w0")
    >>> print(animate_tape(lambda x0: (x0 * w).tanh(), 0.5).frames[-1].text.splitlines()[1])
    the local derivative d(v2)/d(v1) [d(v2)/d(w0)] = 0.5 (mul: a (the other factor)) times g2, d(out)/d(v2)
    """
    names = {}
    for s in tape.statements:
        if s.kind == "input":
            k = tape.inputs.index(s.slot)
            names[s.slot] = tape.arguments[k] if k < len(tape.arguments) else f"x{k}"
        elif s.label and s.kind != "constant":
            names[s.slot] = s.label
    return names


def _reverse_frames(
    tape: Tape, reverse: Sequence[Any], by_edge: dict[tuple[int, int], Any], values: dict[int, float]
) -> list[Frame]:
    f = _number
    out = tape.output
    known = {out: "out", **learner_names(tape)}

    def name(slot: int) -> str:
        return known.get(slot, f"v{slot}")

    def d(top: int, bottom: int) -> str:
        """d(vA)/d(vB), with the learner's names beside it when the slots have them."""
        slots = f"d(v{top})/d(v{bottom})"
        return slots + (f" [d({name(top)})/d({name(bottom)})]" if top in known or bottom in known else "")

    frames = [
        Frame(
            "backward",
            f"g{out} = 1: the seed, {d(out, out)}. From here on gK is d(v{out})/d(vK), the "
            "gradient of the output with respect to vK"
            + (
                ". The tape computes the gradients of the captured leaves, so no line leads to an input"
                if tape.inputs
                else ""
            ),
            nodes=(_reverse_row(0),),
            targets=(_forward_row(out),),
            set=((_forward_row(out), 3, "1"), (_reverse_row(0), 2, "1")),
            numbers=((f"g{out}", 1.0),),
        )
    ]
    for k, line in enumerate(reverse, start=1):
        step = by_edge[(line.slot, line.position)]
        # the kept values the rule reads (ASCII: in "v9²" the name ends before the ²), and the node's g
        read = {int(v) for v in re.findall(r"\bv(\d+)\b", line.local, re.ASCII)} | {line.slot}
        local = f(step.local)
        shown = re.sub(r"\bv(\d+)\b", lambda m: f(values[int(m[1])]), line.local, flags=re.ASCII)
        factor = shown if shown not in ("1", local) else local  # a bare number needs no restating
        arithmetic = f"{factor} × {f(step.upstream)} = {f(step.product)}"
        text = (
            f"{line.code}  =  {arithmetic}   → g{line.into} = {f(step.after)}\n"
            f"the local derivative {d(line.slot, line.into)} = {local} ({line.comment}) "
            f"times g{line.slot}, d({name(out)})/d({name(line.slot)})"
        )
        frames.append(
            Frame(
                "backward",
                text,
                nodes=(_reverse_row(k),),
                targets=(_forward_row(line.into),),
                edges=tuple(_forward_row(slot) for slot in sorted(read)),
                set=((_reverse_row(k), 2, f(step.product)), (_forward_row(line.into), 3, f(step.after))),
                numbers=(("local", step.local), ("upstream", step.upstream), ("product", step.product)),
            )
        )
    return frames


# -- the drawing: two listings, cells sized for the widest text any frame writes ----------------


def _listing(tape: Tape, reverse: Sequence[Any], frames: Sequence[Frame]) -> str:
    """The two sweeps as two SVG tables side by side, the reverse one below when the window is
    too narrow for both (the page's CSS wraps them)."""
    kinds = {s.slot: s.kind for s in tape.statements}
    forward = [
        (
            _forward_row(slot),
            [code, "captured leaf" if kinds[slot] == "leaf" else comment, "", ""],
        )
        for slot, code, comment in tape.forward_lines()
    ]
    seed = f"g{tape.output} = 1"
    backward = [(_reverse_row(0), [seed, "seed", ""])] + [
        (_reverse_row(k), [line.code, line.comment, ""])
        for k, line in enumerate(reverse, start=1)
    ]
    written: dict[tuple[str, int], list[str]] = {}
    for frame in frames:
        for element, index, text in frame.set:
            written.setdefault((element, index), []).append(text)

    def widths(rows: list[tuple[str, list[str]]], heads: list[str]) -> list[float]:
        longest = [len(h) for h in heads]
        for element, texts in rows:
            for i in range(len(heads)):
                candidates = [_shown(texts[i], i), *written.get((element, i), [])]
                longest[i] = max(longest[i], *(len(t) for t in candidates))
        return [n * _CHAR + 2 * _PAD for n in longest]

    tables = [
        _table(forward, ["forward sweep", "", "value", "gradient"], widths),
        _table(backward, ["reverse sweep", "", "adds"], widths),
    ]
    return '<div class="gs-sweeps">' + "\n".join(tables) + "</div>"


def _shown(text: str, column: int) -> str:
    """A cell's text as drawn: a line's code cut at 64 characters, its comment at 40 (the cell
    carries up to ``_TIP`` characters of it as a tooltip)."""
    return shorten(text, _LONGEST[column]) if column < len(_LONGEST) else text


_LONGEST = (64, 40)  # characters: the code and comment columns
_TIP = 300  # characters: the longest tooltip


def _table(
    rows: list[tuple[str, list[str]]],
    heads: list[str],
    widths_of: Callable[[list[tuple[str, list[str]]], list[str]], list[float]],
) -> str:
    """One sweep as an SVG table: a row per line (``<g id>`` with a background rect, for the
    player's highlight), a cell per column (``gs-cell``: its rect and its text)."""
    widths = widths_of(rows, heads)
    width, height = sum(widths), _TITLE + _ROW * len(rows) + 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="DejaVu Sans Mono, ui-monospace, Menlo, '
        f'Consolas, monospace" font-size="{_FONT}">'
    ]
    x = 0.0
    for head, w in zip(heads, widths):
        if head:
            parts.append(
                f'<text x="{x + _PAD:.1f}" y="{_TITLE - 8}" font-weight="bold" fill="#57606a">'
                f"{html.escape(head)}</text>"
            )
        x += w
    for r, (element, texts) in enumerate(rows):
        y = _TITLE + r * _ROW
        parts.append(f'<g id="{element}" class="gs-row">')
        parts.append(
            f'<rect x="0" y="{y}" width="{width:.1f}" height="{_ROW}" fill="#fff" stroke="#d0d7de"/>'
        )
        x = 0.0
        for i, (text, w) in enumerate(zip(texts, widths)):
            colour = "#57606a" if i == 1 else "#1f2328"
            anchor = ' text-anchor="end"' if i >= 2 else ""
            tx = x + w - _PAD if i >= 2 else x + _PAD
            shown = _shown(text, i)
            # the line on hover, up to what a tooltip can show (a 100,000-character label stays out)
            tip = f"<title>{html.escape(shorten(text, _TIP))}</title>" if shown != text else ""
            parts.append(
                f'<g class="gs-cell">{tip}'
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{_ROW}" fill="none"/>'
                f'<text x="{tx:.1f}" y="{y + _ROW - 7}"{anchor} fill="{colour}">'
                f"{html.escape(shown)}</text></g>"
            )
            x += w
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)
