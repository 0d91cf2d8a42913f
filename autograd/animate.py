"""A self-contained HTML page that plays a graph's forward pass, backward pass and update.

``animate(root)`` runs the backward pass (as ``root.backward()`` would), draws the graph with
Graphviz and returns a ``Player``: one HTML page with the drawing inlined as SVG, the frames as
JSON and a small script (``player.js``) that steps through them: play/pause, step, back, reset,
speed, and the keys space, ←, →, Home, End. The page makes no network request (a Content-Security-
Policy forbids it, and only the player's own script, by hash, may run). In Jupyter the page shows
itself in a sandboxed ``<iframe srcdoc>``; ``.save(path)`` writes it to a file.

>>> from autograd import Value
>>> frames = [Frame("forward", "x = 2", nodes=("v0",)), Frame("backward", "seed")]
>>> player = Player("<svg></svg>", frames, title="x </script>")
>>> "x &lt;/script&gt;" in player.html and '"text": "seed"' in player.html
True
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .draw import data_text, draw_dot, grad_text, require_dot, svg
from .steps import Steps, backward_steps, format_number
from .value import Value, inputs_of

PHASES = {"forward": "forward pass", "backward": "backward pass", "update": "update"}

Cell = tuple[str, int, str]  # (SVG element id, index of its <text>, negative from the end; new text)


@dataclass(frozen=True)
class Frame:
    """One thing the player shows: a line of text, what to highlight and which texts change.

    ``nodes`` are highlighted as the current node, ``targets`` as the node receiving something,
    ``edges`` as the edge being used; ``set`` changes texts in the drawing, and stays changed in
    later frames (going back replays the frames from the start). ``numbers`` are raw values for
    scripts and tests (non-finite ones are written as the strings "Infinity", "-Infinity", "NaN").
    """

    phase: str
    text: str
    nodes: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    edges: tuple[str, ...] = ()
    set: tuple[Cell, ...] = ()
    numbers: tuple[tuple[str, float], ...] = ()

    def as_json(self) -> dict[str, Any]:
        if self.phase not in PHASES:
            raise ValueError(f"a frame's phase must be one of {', '.join(PHASES)}, got {self.phase!r}")
        return {
            "phase": self.phase,
            "text": self.text,
            "nodes": list(self.nodes),
            "targets": list(self.targets),
            "edges": list(self.edges),
            "set": [list(cell) for cell in self.set],
            "numbers": {name: _finite_or_name(x) for name, x in self.numbers},
        }


def _finite_or_name(x: float) -> float | str:
    """JSON has no NaN or Infinity (JSON.parse rejects them): name them instead."""
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def script_json(data: Any) -> str:
    """``data`` as JSON that is safe inside ``<script>``: ``< > &`` (and U+2028/9) are escaped,
    so no string in it can close the script element.

    >>> script_json({"label": "</script><b>&"})
    '{"label": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    return text.translate(_SCRIPT_SAFE)


_SCRIPT_SAFE = {ord(c): f"\\u{ord(c):04x}" for c in "<>&\u2028\u2029"}


def _asset(name: str) -> str:
    return resources.files("autograd").joinpath(name).read_text(encoding="utf-8")


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src '{script_hash}'; \
style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title}</title>
<style>
{css}</style>
</head>
<body data-frame="-1">
<h1>{title}</h1>
<div id="gs-controls">
<button id="gs-reset" type="button" title="back to the start (Home)">|◀ reset</button>
<button id="gs-back" type="button" title="one step back (←)">◀ back</button>
<button id="gs-play" type="button" title="play / pause (space)">▶ play</button>
<button id="gs-step" type="button" title="one step (→)">step ▶</button>
<button id="gs-end" type="button" title="to the end (End)">end ▶|</button>
<button id="gs-zoom" type="button" title="fit the drawing, or full size (z)">zoom</button>
<label>speed <input id="gs-speed" type="range" min="25" max="3000" step="100" value="{speed}"></label>
<span id="gs-speed-value">{speed} ms</span>
<span id="gs-phase">ready</span>
<span id="gs-counter"></span>
</div>
<div id="gs-panel">
<div id="gs-text"></div>
<ul id="gs-log"></ul>
<div id="gs-help">keys: space play/pause · → step · ← back · Home reset · End end · z zoom. \
Orange: the node being visited and the edge being multiplied; green: the value receiving gradient.</div>
</div>
<div id="gs-graph">
{svg}
</div>
<script type="application/json" id="gs-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""


class Player:
    """A self-contained HTML page that plays ``frames`` over an SVG drawing.

    ``svg`` is trusted markup (made by Graphviz from escaped labels); every other string is
    escaped here. ``html`` is the page; ``_repr_html_`` shows it in Jupyter; ``save`` writes it.
    """

    def __init__(
        self,
        svg: str,
        frames: Sequence[Frame],
        title: str = "gradstep",
        initial: Iterable[Cell] = (),
        start: str = "Press ▶ play, or → to take one step.",
        speed_ms: int = 900,
        steps: Steps | None = None,
    ) -> None:
        self.frames = list(frames)
        self.title = title
        self.steps = steps
        data = {
            "phases": PHASES,
            "start": start,
            "initial": [list(cell) for cell in initial],
            "frames": [frame.as_json() for frame in self.frames],
        }
        script = _asset("player.js")
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
        self.html = _PAGE.format(
            script_hash=f"sha256-{digest}",
            title=html.escape(title),
            css=_asset("player.css"),
            speed=int(speed_ms),
            svg=svg,
            data=script_json(data),
            script=script,
        )
        self._height = _height(svg)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (through a temporary file, so a reader never sees half)."""
        target = Path(path)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
                file.write(self.html)
            os.replace(temporary, target)
        except BaseException:
            os.unlink(temporary)
            raise
        return target

    def _repr_html_(self) -> str:
        # An iframe keeps the page's script and styles away from the notebook's (JupyterLab does
        # not run <script> in plain HTML output), and sandbox keeps the notebook away from it.
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts" '
            f'style="width: 100%; height: {self._height}px; border: 1px solid #d0d7de;" '
            f'title="{html.escape(self.title, quote=True)}"></iframe>'
        )

    def __repr__(self) -> str:
        return f"<Player {self.title!r}: {len(self.frames)} frames>"


def _height(svg: str) -> int:
    """A height for the iframe: the drawing's own height plus the controls, within limits."""
    match = re.search(r'<svg[^>]*\bheight="([\d.]+)pt"', svg)
    drawing = float(match[1]) * 4 / 3 if match else 300.0
    return int(min(max(drawing + 300, 420), 900))


def animate(
    root: Value,
    *,
    lr: float | None = None,
    optimizer: Any = None,
    params: Iterable[Value] | None = None,
    rankdir: str = "LR",
    show_local: bool = True,
    color_by_grad: bool = False,
    cluster: str | Callable[[Value], str | None] | None = None,
    title: str | None = None,
    speed_ms: int = 900,
    max_nodes: int = 300,
) -> Player:
    """Run the backward pass from ``root`` and return a Player of forward, backward and update.

    The backward pass is ``backward_steps(root)``: the gradients afterwards are what
    ``root.backward()`` gives (leaves accumulate, so ``zero_grad`` first if it has run).
    Then, optionally, the update:

    - ``lr``: show the SGD step ``w ← w − lr × grad`` for each leaf of ``params`` (default:
      every leaf of the graph) without changing any data;
    - ``optimizer``: call ``optimizer.step()`` (the real update, so the weights do change) and
      show each leaf's data before → after.

    ``show_local``, ``color_by_grad``, ``cluster`` and ``max_nodes`` are ``draw_dot``'s.
    Raises ``GraphvizNotFound`` (saying how to install it) when Graphviz's ``dot`` is missing.

    >>> from autograd import Value
    >>> w = Value(2.0, label="w"); x = Value(3.0, label="x")
    >>> loss = w * x; loss.label = "loss"
    >>> frames = animation_frames(backward_steps(loss), lr=0.1)
    >>> [f.text for f in frames if f.phase == "update"][:1]
    ['x ← x − lr × grad = 3 − 0.1 × 2 = 2.8']
    """
    if lr is not None and optimizer is not None:
        raise ValueError("animate: give lr (show an SGD step) or optimizer (take its step), not both")
    require_dot()  # before the backward pass: a failed call must not have changed any gradient
    steps = backward_steps(root)
    drawing = draw_dot(
        root,
        rankdir,
        show_local=show_local,
        color_by_grad=color_by_grad,
        cluster=cluster,
        max_nodes=max_nodes,
        show_grad=True,
    )
    picture = svg(drawing)  # before any update: the drawing shows the data the pass used
    frames = animation_frames(steps, lr=lr, optimizer=optimizer, params=params)
    name = steps.name(root)
    return Player(
        picture,
        frames,
        title=title or f"gradstep: forward and backward pass of {name}",
        initial=initial_cells(steps),
        speed_ms=speed_ms,
        steps=steps,
    )


def initial_cells(steps: Steps) -> list[Cell]:
    """Before the forward pass: inputs show their data, computed values and all gradients "—"."""
    cells: list[Cell] = []
    for i, node in enumerate(steps.order):
        cells.append((f"v{i}", -2, "data —" if node.op is not None else data_text(node.data)))
        cells.append((f"v{i}", -1, grad_text(None)))
    return cells


def animation_frames(
    steps: Steps, *, lr: float | None = None, optimizer: Any = None, params: Iterable[Value] | None = None
) -> list[Frame]:
    """The frames of ``animate``: one per node forward, the seed and one per chain-rule step
    backward, one per updated leaf (with ``lr`` or ``optimizer``)."""
    order, names = steps.order, {node: steps.name(node) for node in steps.order}
    frames = [_forward_frame(i, node, names) for i, node in enumerate(order)]
    frames.append(_seed_frame(steps))
    for s in steps:
        frames.append(
            Frame(
                "backward",
                str(s),
                nodes=(f"v{s.node_number}", f"op{s.node_number}"),
                targets=(f"v{s.parent_number}",),
                edges=(f"e{s.node_number}_{s.position}",),
                set=((f"v{s.parent_number}", -1, grad_text(s.after)),),
                numbers=tuple((k, getattr(s, k)) for k in _STEP_NUMBERS),
            )
        )
    if lr is not None or optimizer is not None:
        frames.extend(_update_frames(steps, names, lr, optimizer, params))
    return frames


_STEP_NUMBERS = ("local", "upstream", "product", "before", "after")


def _forward_frame(i: int, node: Value, names: dict[Value, str]) -> Frame:
    data = format_number(node.data)
    show = ((f"v{i}", -2, data_text(node.data)),)
    if node.op is None:
        text = f"{names[node]} = {data}   (an input: nothing to compute)"
        return Frame("forward", text, (f"v{i}",), set=show, numbers=(("data", node.data),))
    formula, numbers = forward_formula(node, names)
    edges = tuple(f"e{i}_{k}" for k in range(len(node.parents))) + (f"o{i}",)
    text = f"{names[node]} = {formula} = {numbers} = {data}"
    return Frame("forward", text, (f"v{i}", f"op{i}"), edges=edges, set=show, numbers=(("data", node.data),))


def forward_formula(node: Value, names: dict[Value, str]) -> tuple[str, str]:
    """How ``node`` was computed, with names and with numbers: ``("a * b", "2 * -3")``.

    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b"); y = (a * b + 10).tanh()
    >>> names = {a: "a", b: "b", y.parents[0]: "n", y.parents[0].parents[0]: "ab"}
    >>> forward_formula(y.parents[0], names), forward_formula(y, names)
    (('ab + 10', '-6 + 10'), ('tanh(n)', 'tanh(4)'))
    """
    op = node.op
    assert op is not None
    inputs = inputs_of(node)  # parents, and the plain number the op kept (x * 3 keeps the 3)
    named = [names.get(x, "?") if isinstance(x, Value) else format_number(x) for x in inputs]
    values = [format_number(float(x)) for x in inputs]
    symbol = op.symbol
    if op.inputs == ("a", "b"):
        return f"{named[0]} {symbol} {named[1]}", f"{values[0]} {symbol} {values[1]}"
    if op.name == "dot":
        return _sum_of_products(named, "·"), _sum_of_products(values, "×")
    return f"{symbol}({named[0]})", f"{symbol}({values[0]})"


def _sum_of_products(items: list[str], times: str) -> str:
    terms = [f"{items[k]}{times}{items[k + 1]}" for k in range(0, len(items) - 1, 2)]
    if len(items) % 2:
        terms.append(items[-1])
    return " + ".join(terms)


def _seed_frame(steps: Steps) -> Frame:
    """The start of backward(): inner gradients reset to 0, leaves keep theirs, the root is seeded."""
    root_number = steps.numbers[steps.root]
    first_before: dict[Value, float] = {}
    for s in steps:
        first_before.setdefault(s.parent, s.before)
    cells = []
    for i, node in enumerate(steps.order):
        if node is steps.root:
            grad = steps.seed if node.op is not None else node.grad
        elif node.op is not None:
            grad = 0.0
        else:
            grad = first_before.get(node, node.grad)
        cells.append((f"v{i}", -1, grad_text(grad)))
    name = steps.name(steps.root)
    text = (
        f"backward: seed d({name})/d({name}) = {format_number(steps.seed)}; every other inner gradient "
        "starts at 0 (leaves keep what they hold: they accumulate)"
    )
    return Frame("backward", text, (f"v{root_number}",), set=tuple(cells), numbers=(("seed", steps.seed),))


def _update_frames(
    steps: Steps, names: dict[Value, str], lr: float | None, optimizer: Any, params: Iterable[Value] | None
) -> list[Frame]:
    chosen = list(params) if params is not None else _optimizer_params(optimizer) or steps.order
    drawn = [p for p in chosen if p in steps.numbers and p.is_leaf]
    frames = []
    for p, old, new, text in parameter_updates(drawn, names, lr=lr, optimizer=optimizer):
        i = steps.numbers[p]
        cells = ((f"v{i}", -2, data_text(new)),)
        frames.append(Frame("update", text, (f"v{i}",), set=cells, numbers=(("before", old), ("after", new))))
    return frames


def parameter_updates(
    params: list[Value],
    names: dict[Value, str],
    *,
    lr: float | None = None,
    optimizer: Any = None,
    apply: bool = False,
) -> list[tuple[Value, float, float, str]]:
    """(parameter, before, after, explanation) for each parameter: the SGD step ``w − lr × grad``
    (made only if ``apply``), or the step ``optimizer.step()`` really takes (it updates the
    parameters it holds; ``params`` says which of them to report).

    >>> w = Value(2.0); w.grad = 0.5
    >>> parameter_updates([w], {w: "w"}, lr=0.1)[0][1:]
    (2.0, 1.95, 'w ← w − lr × grad = 2 − 0.1 × 0.5 = 1.95')
    """
    f = format_number
    if optimizer is None:
        if lr is None:
            raise ValueError("parameter_updates needs lr or optimizer")
        lr = float(lr)
        moves = [(p, p.data, p.data - lr * p.grad) for p in params]
        if apply:
            for p, _old, new in moves:
                p.data = new
        sgd = "{0} ← {0} − lr × grad = {1} − {2} × {3} = {4}"
        return [
            (p, old, new, sgd.format(names[p], f(old), f(lr), f(p.grad), f(new))) for p, old, new in moves
        ]
    before = [p.data for p in params]
    optimizer.step()
    by = f"{type(optimizer).__name__}.step()"
    taken = "{0}: {1} → {2}   (change {3} by {4}; grad {5})"
    return [
        (p, old, p.data, taken.format(names[p], f(old), f(p.data), f(p.data - old), by, f(p.grad)))
        for p, old in zip(params, before)
    ]


def _optimizer_params(optimizer: Any) -> list[Value]:
    """The parameters an optimiser updates, if it says (``.params`` or ``.parameters``)."""
    for attribute in ("params", "parameters"):
        found = getattr(optimizer, attribute, None)
        if callable(found):
            found = found()
        if found is not None:
            return list(found)
    return []
