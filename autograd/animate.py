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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .backward import topological_order
from .draw import Plan, plan_drawing, render_plan, require_dot, svg
from .explain import rule_text
from .files import write_atomically
from .player_fit import iframe_height
from .steps import Step, Steps, backward_steps
from .text import data_text, format_number, forward_formula, grad_text, local_rule
from .value import Value, inputs_of

PHASES = {
    "forward": "forward pass",
    "backward": "backward pass",
    "update": "update",
    "after": "forward pass, new weights",
}

Cell = tuple[str, int, str]  # (SVG element id, index of its <text>, negative from the end; new text)
Style = tuple[str, str, str | None]  # (SVG element id, attribute, new value; None removes it)

LEGEND_KINDS = ("current", "target", "positive", "negative", "grad", "")


@dataclass(frozen=True)
class Ask:
    """A question practice mode asks before a frame's own: a piece of its product, such as the
    upstream gradient or the local derivative. ``hint`` is said after a wrong answer (after the
    commonest slips, which the page names itself); ``hide`` are cells shown while it is asked
    (``"grad ?"`` over the number asked for), put back once it is answered or revealed.

    >>> Ask("upstream d(L)/d(o) = ?", 1.0).as_json()["done"]
    'upstream d(L)/d(o) = 1'
    """

    question: str
    answer: float
    hint: str = ""
    hide: tuple[Cell, ...] = ()

    def as_json(self) -> dict[str, Any]:
        shown = format_number(self.answer, 4)
        done = self.question[:-1] + shown if self.question.endswith("?") else f"{self.question} {shown}"
        return {
            "ask": self.question,
            "done": done,
            "answer": self.answer,
            "hint": self.hint,
            "hide": [list(cell) for cell in self.hide],
        }


@dataclass(frozen=True)
class Frame:
    """One thing the player shows: a line of text, what to highlight and what changes.

    ``nodes`` are highlighted as the current node, ``targets`` as the node receiving something,
    ``edges`` as the edge being used, ``show`` are made visible for this frame only (labels that
    are hidden on a dense drawing). ``set`` changes texts in the drawing and ``style`` changes
    attributes (an edge's colour after an update); both stay changed in later frames (going back
    replays the frames from the start). ``numbers`` are raw values for scripts and tests
    (non-finite ones are written as the strings "Infinity", "-Infinity", "NaN"). In practice mode
    a frame with an ``answer`` shows ``question`` instead of ``text`` and holds back its ``set``
    and ``style`` until the learner types the answer (to 3 significant digits) or reveals it;
    ``pieces`` (``Ask``) are asked first, one by one, each answer staying on screen as the next
    is asked (the upstream gradient and the local derivative before their product), and
    ``hint`` is said after a wrong answer to the frame's own question.
    ``grid=k``: the text's last k lines are a list (a neuron's weights, say) that the page sets
    side by side in equal columns, as many as the window's width holds, so a long list stays short.

    >>> frame = Frame("backward", "d(L)/d(x) = 2 × 3 = 6", question="d(L)/d(x) = 2 × 3 = ?", answer=6.0,
    ...               pieces=(Ask("upstream d(L)/d(y) = ?", 2.0), Ask("local d(y)/d(x) = ?", 3.0)))
    >>> [q["ask"] for q in frame.as_json()["questions"]]
    ['upstream d(L)/d(y) = ?', 'local d(y)/d(x) = ?', 'd(L)/d(x) = 2 × 3 = ?']
    """

    phase: str
    text: str
    nodes: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    edges: tuple[str, ...] = ()
    set: tuple[Cell, ...] = ()
    numbers: tuple[tuple[str, float], ...] = ()
    show: tuple[str, ...] = ()
    style: tuple[Style, ...] = ()
    question: str | None = None
    answer: float | None = None
    grid: int = 0
    pieces: tuple[Ask, ...] = ()
    hint: str = ""

    def as_json(self) -> dict[str, Any]:
        if self.phase not in PHASES:
            raise ValueError(f"a frame's phase must be one of {', '.join(PHASES)}, got {self.phase!r}")
        questions = []
        if self.answer is not None and math.isfinite(self.answer) and self.question is not None:
            final = Ask(self.question, self.answer, self.hint)
            questions = [a.as_json() for a in (*self.pieces, final) if math.isfinite(a.answer)]
        return {
            "phase": self.phase,
            "text": self.text,
            "nodes": list(self.nodes),
            "targets": list(self.targets),
            "edges": list(self.edges),
            "show": list(self.show),
            "set": [list(cell) for cell in self.set],
            "style": [list(style) for style in self.style],
            "numbers": {name: _finite_or_name(x) for name, x in self.numbers},
            "questions": questions,
            "grid": max(0, min(self.grid, self.text.count("\n"))),
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
{css}#gs-text {{ height: {text_lines:.1f}em; }}
</style>
</head>
<body data-frame="-1">
<div id="gs-top">
<h1>{title}</h1>
<div id="gs-controls">
<button id="gs-reset" type="button" title="back to the start (Home)">|◀ reset</button>
<button id="gs-back" type="button" title="one step back (←)">◀ back</button>
<button id="gs-play" type="button" title="play / pause (space)">▶ play</button>
<button id="gs-step" type="button" title="one step (→)">step ▶</button>
<button id="gs-end" type="button" title="to the end (End)">end ▶|</button>
<button id="gs-zoom" type="button" title="fit the drawing to the window, or full size (z)">zoom</button>
<label>speed <input id="gs-speed" type="range" min="25" max="3000" step="100" value="{speed}"></label>
<span id="gs-speed-value">{speed} ms</span>
<span id="gs-phase">ready</span>
<span id="gs-counter"></span>
<span id="gs-score"></span>
</div>
<div id="gs-now">
<div id="gs-text" aria-live="polite"></div>
<form id="gs-quiz" autocomplete="off">
<label for="gs-answer">your answer</label>
<input id="gs-answer" type="text" inputmode="decimal" spellcheck="false">
<button id="gs-check" type="submit">check</button>
<button id="gs-reveal" type="button">reveal</button>
<span id="gs-verdict"></span>
</form>
<ul id="gs-log" aria-label="earlier steps"></ul>
</div>
<div id="gs-pin"></div>
</div>
<div id="gs-legend">{legend}<span class="gs-keys">\
keys: space play/pause · → step · ← back · Home · End · z zoom</span></div>
<div id="gs-graph">
{svg}
</div>
<script type="application/json" id="gs-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""


def check_page_options(title: str | None, speed_ms: int) -> None:
    """Refuse a title that is not a string (None: the view's default) or a speed that is not a
    whole number of milliseconds per frame: each view calls it before doing any work.

    >>> check_page_options("x", 900)
    >>> check_page_options("x", "fast")
    Traceback (most recent call last):
    ...
    ValueError: speed_ms must be a whole number of milliseconds per frame, 1 to 60000, got 'fast'
    """
    if title is not None and not isinstance(title, str):
        raise TypeError(f"a player's title must be a string, got {type(title).__name__}: {title!r}")
    if isinstance(speed_ms, bool) or not isinstance(speed_ms, int) or not 0 < speed_ms <= 60_000:
        raise ValueError(
            f"speed_ms must be a whole number of milliseconds per frame, 1 to 60000, got {speed_ms!r}"
        )


class Player:
    """A self-contained HTML page that plays ``frames`` over an SVG drawing.

    ``svg`` is trusted markup (made by Graphviz, or by ``nn.draw``, from escaped labels); every
    other string is escaped here. ``legend`` is a list of ``(kind, text)``: kind ``"current"``,
    ``"target"``, ``"positive"``, ``"negative"`` or ``"grad"`` draws that colour's swatch before
    the text, ``""`` none. ``practice=True`` asks the learner for each frame's ``answer``.
    ``html`` is the page; ``_repr_html_`` shows it in Jupyter; ``save`` writes it.

    >>> page = Player("<svg></svg>", [Frame("forward", "x = 1")], legend=[("current", "a <b>")]).html
    >>> "a &lt;b&gt;" in page and 'class="gs-swatch gs-current-swatch"' in page
    True
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
        legend: Iterable[tuple[str, str]] = (),
        practice: bool = False,
    ) -> None:
        check_page_options(title, speed_ms)
        self.frames = list(frames)
        self.title = title
        self.steps = steps
        self.practice = bool(practice)
        legend = list(legend)
        frames_json = [frame.as_json() for frame in self.frames]
        data = {
            "phases": PHASES,
            "start": start,
            "practice": self.practice,
            "initial": [list(cell) for cell in initial],
            "frames": frames_json,
        }
        script = _asset("player.js")
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
        self.html = _PAGE.format(
            script_hash=f"sha256-{digest}",
            title=html.escape(title),
            css=_asset("player.css"),
            speed=int(speed_ms),
            legend=_legend_html(legend),
            text_lines=_text_height(self.frames),
            svg=svg,
            data=script_json(data),
            script=script,
        )
        self._height = iframe_height(svg, frames_json, legend, start, self.practice)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (through a temporary file, so a reader never sees half;
        the temporary files of saves that were killed are deleted: ``autograd.files``)."""
        return write_atomically(path, self.html)

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


def _text_height(frames: Sequence[Frame]) -> float:
    """The height of the current-step box, in em: the longest frame's lines and one more for
    wrapping, between 3 and 8 lines (fixed, so that the drawing never moves between frames)."""
    lines = max((f.text.count("\n") + 1 for f in frames), default=1)
    return 1.4 * min(max(lines + 1, 3), 8)


def _legend_html(legend: Iterable[tuple[str, str]]) -> str:
    parts = []
    for kind, text in legend:
        if kind not in LEGEND_KINDS:
            raise ValueError(f"a legend entry's kind must be one of {LEGEND_KINDS}, got {kind!r}")
        swatch = f'<span class="gs-swatch gs-{kind}-swatch"></span>' if kind else ""
        parts.append(f"<span>{swatch}{html.escape(text)}</span>")
    return "".join(parts)


def animate(
    root: Value,
    *,
    lr: float | None = None,
    update: Callable[[], Any] | None = None,
    params: Iterable[Value] | None = None,
    rankdir: str = "LR",
    show_local: bool = True,
    color_by_grad: bool = False,
    cluster: Callable[[Value], str | None] | None = None,
    collapse: bool | Iterable[str] = False,
    only_path_to: Value | None = None,
    practice: bool = False,
    title: str | None = None,
    speed_ms: int = 900,
    max_nodes: int = 300,
) -> Player:
    """Run the backward pass from ``root`` and return a Player of forward, backward and update.

    The forward pass plays the inputs (every leaf) in one frame, then each op, level by level.
    The backward pass is ``backward_steps(root)``, one frame per chain-rule product, each with
    the rule that gives its local derivative (``tanh: 1 − o² = 1 − 0.7071² = 0.5``); the
    gradients afterwards are what ``root.backward()`` gives (leaves accumulate, so
    ``zero_grad`` first if it has run). Then, optionally, the update and a forward pass with the
    new values, which closes the loop (``o: 0.7071 → 0.6``):

    - ``lr``: show the SGD step ``w ← w − lr × grad`` for each leaf of ``params`` (default:
      every leaf of the graph) without changing any data;
    - ``update``: a function that changes the leaves' data, such as an optimiser's ``step``;
      it is called (so the data do change) and each leaf of ``params`` is shown before → after.

    ``practice=True`` asks, at each chain-rule step, for the upstream gradient (hidden on its node
    while asked), then the local derivative from its rule (named, never its number), then their
    product, each typed to 3 significant digits or revealed, with a hint after a wrong answer; it
    draws no local derivative on the edges (it would be the answer) and the page keeps the score.
    ``show_local``, ``color_by_grad``, ``cluster``, ``collapse``, ``only_path_to`` and ``max_nodes`` are
    ``draw_dot``'s. Every check (the size, Graphviz's ``dot``, the arguments) comes before the
    backward pass, and a call that fails later (``update`` raises, or an optimiser refuses its
    step) puts back the data and gradient of every node of the graph and of ``params``: a call
    that fails has changed nothing (an optimiser's own state, such as Adam's moments, is its own).

    >>> from autograd import Value
    >>> w = Value(2.0, label="w"); x = Value(3.0, label="x")
    >>> loss = w * x; loss.label = "loss"
    >>> frames = animation_frames(backward_steps(loss), lr=0.1)
    >>> [f.text for f in frames if f.phase == "update"][:1]
    ['x ← x − lr × grad = 3 − 0.1 × 2 = 2.8']
    """
    if not isinstance(root, Value):
        raise TypeError(f"animate() needs a Value, got {type(root).__name__}")
    check_page_options(title, speed_ms)
    if lr is not None and update is not None:
        raise ValueError("animate: give lr (show an SGD step) or update (call it: a real step), not both")
    if lr is not None:
        lr = _learning_rate(lr)
    if update is not None and not callable(update):
        raise TypeError(
            f"animate: update must be a function (such as optimizer.step), got {type(update).__name__}"
        )
    chosen = None if params is None else _leaves(params)
    show_local = show_local and not practice  # an edge's number would be the answer asked for
    # Every check before the backward pass: a failed call must not have changed any gradient.
    require_dot()
    order = topological_order(root)[::-1]
    plan = plan_drawing(
        order,
        cluster=cluster,
        only_path_to=only_path_to,
        collapse=collapse,
        max_nodes=max_nodes,
    )
    touched = [*order, *(chosen or ())]
    saved = [(node.data, node.grad) for node in touched]
    try:
        steps = backward_steps(root)
        frames = animation_frames(steps, lr=lr, update=update, params=chosen, plan=plan)
        widest = _widest_texts(plan, frames, initial_cells(steps, plan))
        picture = svg(
            render_plan(
                plan,
                rankdir,
                show_local=show_local,
                color_by_grad=color_by_grad,
                show_grad=True,
                widest=widest,
            )
        )
    except BaseException:  # an update that raised, half done, or a drawing that failed
        for node, (data, grad) in zip(touched, saved):
            node.data, node.grad = data, grad
        raise
    name = steps.name(root)
    legend = [
        ("current", "orange: the node being computed, or passing its gradient back, and the edge used"),
        ("target", "green: the value receiving gradient"),
    ]
    if show_local:
        legend.append(("", "number on an edge: the local derivative d(node)/d(input)"))
    if color_by_grad:
        legend += [("positive", "blue: gradient > 0"), ("negative", "red: gradient < 0")]
    return Player(
        picture,
        frames,
        title=title or f"gradstep: forward and backward pass of {name}",
        initial=initial_cells(steps, plan),
        speed_ms=speed_ms,
        steps=steps,
        legend=legend,
        practice=practice,
    )


def _learning_rate(lr: object) -> float:
    if isinstance(lr, bool) or not isinstance(lr, int | float) or not math.isfinite(lr):
        raise TypeError(f"animate: lr must be a finite number, got {type(lr).__name__}: {lr!r}")
    return float(lr)


def _leaves(params: Iterable[Value]) -> list[Value]:
    chosen = list(params)
    for i, p in enumerate(chosen):
        if not isinstance(p, Value):
            raise TypeError(f"animate: params[{i}] must be a Value, got {type(p).__name__}")
    return chosen


def _elements(steps: Steps, plan: Plan | None) -> dict[Value, str]:
    """The drawn box of each node that has one (all of them without a plan)."""
    if plan is None:
        return {node: f"v{i}" for i, node in enumerate(steps.order)}
    found = {node: plan.element(node) for node in steps.order}
    return {node: element for node, element in found.items() if element is not None}


def initial_cells(steps: Steps, plan: Plan | None = None) -> list[Cell]:
    """Before the forward pass: inputs show their data, computed values and all gradients "—"."""
    cells: list[Cell] = []
    for node, element in _elements(steps, plan).items():
        cells.append((element, -2, "data —" if node.op is not None else data_text(node.data)))
        cells.append((element, -1, grad_text(None)))
    return cells


def _widest_texts(plan: Plan, frames: list[Frame], initial: list[Cell]) -> dict[Value, tuple[str, str]]:
    """For each drawn node, the longest data and grad texts any frame writes into its box."""
    by_element: dict[tuple[str, int], str] = {}
    for element, index, text in [*initial, *(cell for f in frames for cell in f.set)]:
        key = (element, index)
        if len(text) > len(by_element.get(key, "")):
            by_element[key] = text
    widest = {}
    for node in plan.shown:
        box = plan.element(node)
        if box is not None and (box, -2) in by_element:
            widest[node] = (by_element[(box, -2)], by_element.get((box, -1), grad_text(None)))
    return widest


def animation_frames(
    steps: Steps,
    *,
    lr: float | None = None,
    update: Callable[[], Any] | None = None,
    params: Iterable[Value] | None = None,
    plan: Plan | None = None,
) -> list[Frame]:
    """The frames of ``animate``: the inputs, then one per op forward; the seed and one per
    chain-rule step backward; with ``lr`` or ``update``, one per updated leaf and the forward
    pass again with the new values. With a ``plan`` (a partial or collapsed drawing), only what
    it draws is played."""
    elements = _elements(steps, plan)
    names = {node: steps.name(node) for node in steps.order}
    frames = _forward_frames(steps, names, elements)
    frames.append(_seed_frame(steps, elements))
    edges = _drawn_edges(plan)
    for s in steps:
        target = elements.get(s.parent)
        if target is None:
            continue  # the value receiving gradient is not drawn (a collapsed group's inside)
        node = elements.get(s.node)
        edge = f"e{s.node_number}_{s.position}"
        rule = local_rule(s.node, s.position, names)
        frames.append(
            Frame(
                "backward",
                f"{s}\n   local d({s.node_name})/d({s.parent_name}) for {rule}",
                nodes=(node, f"op{s.node_number}") if node is not None else (),
                targets=(target,),
                edges=(edge,) if edges is None or edge in edges else (),
                set=((target, -1, grad_text(s.after)),),
                numbers=tuple((k, getattr(s, k)) for k in _STEP_NUMBERS),
                **_step_questions(s, names, node),
            )
        )
    if lr is not None or update is not None:
        chosen = list(params) if params is not None else [n for n in steps.order if n.is_leaf]
        drawn = [p for p in chosen if p in elements and p.is_leaf]
        moves = parameter_updates(drawn, names, lr=lr, update=update)
        for p, old, new, text in moves:
            cells = ((elements[p], -2, data_text(new)),)
            frames.append(
                Frame("update", text, (elements[p],), set=cells, numbers=(("before", old), ("after", new)))
            )
        frames.extend(_after_frames(steps, names, elements, {p: new for p, _, new, _ in moves}))
    return frames


_STEP_NUMBERS = ("local", "upstream", "product", "before", "after")


def _step_questions(s: Step, names: dict[Value, str], node: str | None) -> dict[str, Any]:
    """Practice on one chain-rule step: the upstream gradient (hidden on its node while asked),
    the local derivative from its rule (named, never its number), then their product."""
    root, at, parent = s.root_name, s.node_name, s.parent_name
    words, how = rule_words(s.node, s.position, names)
    came = (
        f"{at} is the output itself: its gradient is the seed, d({root})/d({root})"
        if at == root
        else f"it is {at}'s own gradient: what the steps into {at} added up (← goes back to them)"
    )
    upstream = Ask(
        f"{s.index + 1}. at {at}: d({root})/d({parent}) += local × upstream\n"
        f"   upstream: d({root})/d({at}), the gradient {at} passes back = ?",
        s.upstream,
        hint=came,
        hide=((node, -1, grad_text(None).replace("—", "?")),) if node is not None else (),
    )
    local = Ask(f"   local: d({at})/d({parent}) by {words} = ?", s.local, hint=how)
    return {
        "pieces": (upstream, local),
        "question": f"   product: d({root})/d({parent}) += local × upstream = ?",
        "answer": s.product,
        "hint": "multiply the two numbers above: local × upstream",
    }


def rule_words(node: Value, position: int, names: dict[Value, str]) -> tuple[str, str]:
    """The rule behind the local derivative d(node)/d(parent ``position``) said without its
    number, for a question, and a hint that says how to use it: the rule in names where it has
    any (``tanh: 1 − o²``), else only the op (``+`` has the number 1 for its rule).

    >>> x = Value(0.5, label="x"); y = x.tanh(); z = x * 3
    >>> rule_words(y, 0, {x: "x", y: "y"})[0], rule_words(z, 0, {x: "x", z: "z"})[0]
    ('the rule of tanh: 1 − y²', 'the rule of * (the other factor)')
    """
    op = node.op
    if op is None:
        raise ValueError(f"rule_words: {node!r} is a leaf; it has no local derivatives")
    about = f" ({op.about})" if op.about else ""
    text = rule_text(node, position, number=lambda x: format_number(x, 4), names=names)
    symbolic = text.removesuffix(about).split(" = ")[0]
    formula = f"{names.get(node, 'o')} = {forward_formula(node, names)[0]}"
    if _is_number(symbolic):  # the rule is a number (+'s 1, the 3 of x * 3): saying it would answer
        return (
            f"the rule of {op.symbol}{about}",
            f"in {formula}, by how much does it change when {names.get(node.parents[position], 'it')} "
            "grows by 1 (the rest held still)?",
        )
    return (
        f"the rule of {op.symbol}: {symbolic}{about}",
        f"put the numbers the drawing shows into {symbolic} ({formula})",
    )


def _is_number(text: str) -> bool:
    try:
        float(text.replace("−", "-"))
    except ValueError:
        return False
    return True


def _drawn_edges(plan: Plan | None) -> set[str] | None:
    if plan is None:
        return None
    return {
        f"e{plan.numbers[node]}_{k}"
        for node in plan.shown
        if node in plan.context and node not in plan.stand_in
        for k, parent in enumerate(node.parents)
        if parent in plan._shown
    }


def _levels(order: list[Value]) -> dict[Value, int]:
    """Each node's level: 0 for a leaf, else one more than its deepest input (forward order in)."""
    level: dict[Value, int] = {}
    for node in order:
        level[node] = 1 + max((level[p] for p in node.parents), default=-1)
    return level


def reading_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after its inputs, first inputs first: the order in
    which the expression reads (``x1*w1`` before ``x2*w2``), for showing a forward pass.

    >>> a, b, c = Value(1.0, label="a"), Value(2.0, label="b"), Value(3.0, label="c")
    >>> [n.label or n._op for n in reading_order(a * b + c)]
    ['a', 'b', '*', 'c', '+']
    """
    return topological_order(root, inputs_first=True)


def _forward_frames(steps: Steps, names: dict[Value, str], elements: dict[Value, str]) -> list[Frame]:
    """All the inputs in one frame, then each op, level by level (an op after all its inputs)."""
    order = reading_order(steps.root)
    level = _levels(order)
    leaves = [n for n in order if n.op is None and n in elements]
    frames = []
    if leaves:
        text = "inputs: " + ", ".join(f"{names[n]} = {format_number(n.data)}" for n in leaves)
        cells = tuple((elements[n], -2, data_text(n.data)) for n in leaves)
        frames.append(Frame("forward", text, tuple(elements[n] for n in leaves), set=cells))
    position = {node: i for i, node in enumerate(order)}
    ops = sorted(
        (n for n in order if n.op is not None and n in elements), key=lambda n: (level[n], position[n])
    )
    for node in ops:
        i, element = steps.numbers[node], elements[node]
        formula, numbers = forward_formula(node, names)
        text = f"{names[node]} = {formula} = {numbers} = {format_number(node.data)}"
        edges = tuple(f"e{i}_{k}" for k in range(len(node.parents))) + (f"o{i}",)
        frames.append(
            Frame(
                "forward",
                text,
                (element, f"op{i}"),
                edges=edges,
                set=((element, -2, data_text(node.data)),),
                numbers=(("data", node.data),),
            )
        )
    return frames


def _seed_frame(steps: Steps, elements: dict[Value, str]) -> Frame:
    """The start of backward(): inner gradients reset to 0, leaves keep theirs, the root is seeded."""
    first_before: dict[Value, float] = {}
    for s in steps:
        first_before.setdefault(s.parent, s.before)
    cells = []
    for node, element in elements.items():
        if node is steps.root:
            grad = steps.seed if node.op is not None else node.grad
        elif node.op is not None:
            grad = 0.0
        else:
            grad = first_before.get(node, node.grad)
        cells.append((element, -1, grad_text(float(grad))))
    name = steps.name(steps.root)
    text = (
        f"backward: seed d({name})/d({name}) = {format_number(steps.seed)}; every other inner gradient "
        "starts at 0 (leaves keep what they hold: they accumulate)"
    )
    root = elements.get(steps.root)
    return Frame("backward", text, (root,) if root else (), set=tuple(cells), numbers=(("seed", steps.seed),))


def _after_frames(
    steps: Steps, names: dict[Value, str], elements: dict[Value, str], new: dict[Value, float]
) -> list[Frame]:
    """The forward pass again, with the updated leaves: level by level, then the output before → after.

    Gradients are cleared as it starts: they belonged to the old values."""
    try:
        values = recompute(steps.order, new)
    except (ArithmeticError, ValueError) as error:
        return [Frame("after", f"the forward pass with the new values fails: {error}")]
    level = _levels(steps.order)
    by_level: dict[int, list[Value]] = {}
    for node in steps.order:
        if node.op is not None and node in elements:
            by_level.setdefault(level[node], []).append(node)
    frames = []
    cleared = tuple((element, -1, grad_text(None)) for element in elements.values())
    for k, (_level, nodes) in enumerate(sorted(by_level.items())):
        lines = [
            f"{names[n]} = {forward_formula(n, names)[0]} = {format_number(values[n])}"
            f"   (was {format_number(n.data)})"
            for n in nodes
        ]
        if k == 0:
            lines.insert(
                0, "forward pass again with the new values (gradients cleared: they belonged to the old ones)"
            )
        cells = tuple((elements[n], -2, data_text(values[n])) for n in nodes)
        frames.append(
            Frame(
                "after",
                "\n".join(lines),
                tuple(elements[n] for n in nodes),
                set=(cleared if k == 0 else ()) + cells,
            )
        )
    root = steps.root
    name = names[root]
    change = values[root] - root.data
    frames.append(
        Frame(
            "after",
            f"{name}: {format_number(root.data)} → {format_number(values[root])}"
            f"   (change {format_number(change)})",
            (elements[root],) if root in elements else (),
            numbers=(("before", root.data), ("after", values[root])),
        )
    )
    return frames


def recompute(order: list[Value], new: dict[Value, float]) -> dict[Value, float]:
    """Every node's data again, in forward ``order``, with some leaves' data replaced by ``new``.

    >>> from autograd import Value
    >>> x = Value(2.0); y = (x * 3 + 1).tanh()
    >>> round(recompute(topological_order(y)[::-1], {x: 0.0})[y], 6)
    0.761594
    """
    values: dict[Value, float] = {}
    for node in order:
        op = node.op
        if op is None:
            values[node] = new.get(node, node.data)
            continue
        # the op's inputs: its parents' new values, and the plain number it kept (x * 3 keeps the 3)
        values[node] = op.forward(*[values[x] if isinstance(x, Value) else x for x in inputs_of(node)])
    return values


def parameter_updates(
    params: list[Value],
    names: dict[Value, str],
    *,
    lr: float | None = None,
    update: Callable[[], Any] | None = None,
) -> list[tuple[Value, float, float, str]]:
    """(parameter, before, after, explanation) for each parameter: the SGD step ``w − lr × grad``
    (shown, not made), or the step that calling ``update()`` really takes (it changes whatever it
    changes; ``params`` says which of them to report).

    >>> w = Value(2.0); w.grad = 0.5
    >>> parameter_updates([w], {w: "w"}, lr=0.1)[0][1:]
    (2.0, 1.95, 'w ← w − lr × grad = 2 − 0.1 × 0.5 = 1.95')
    """
    f = format_number
    if update is None:
        if lr is None:
            raise ValueError("parameter_updates needs lr or update")
        moves = [(p, p.data, p.data - lr * float(p.grad)) for p in params]
        sgd = "{0} ← {0} − lr × grad = {1} − {2} × {3} = {4}"
        return [
            (p, old, new, sgd.format(names[p], f(old), f(lr), f(float(p.grad)), f(new)))
            for p, old, new in moves
        ]
    before = [p.data for p in params]
    update()
    by = f"{getattr(update, '__qualname__', 'update')}()"
    taken = "{0}: {1} → {2}   (change {3} by {4}; grad {5})"
    return [
        (p, old, p.data, taken.format(names[p], f(old), f(p.data), f(p.data - old), by, f(float(p.grad))))
        for p, old in zip(params, before)
    ]
