"""Draw a computation graph with Graphviz: a box per value (name | data | grad), a node per op.

The ``graphviz`` package is imported only when you draw, so ``import autograd`` stays free of it.
Every label is an HTML-like label built here from escaped text, so any string (``{a|b}``,
``<b>``, ``\\N``, quotes, newlines, a NUL byte, ``</script>``) is shown as the text it is. Nodes
are numbered by their position in the forward order, so the same graph gives the same DOT text,
byte for byte, on every run.
Every drawing and player is laid out by ONE function, ``render(dot)``: Graphviz's ``dot`` program
where it is installed, the page's WebAssembly Graphviz in a browser (gradstep's live page, under
pyodide), where a drawing left as a cell's last expression shows itself too.

>>> from autograd import Value
>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
>>> e = a * b; e.label = "e"
>>> dot = draw_dot(e)
>>> "<TD>e</TD><TD>data -6</TD><TD>grad —</TD>" in dot.source      # before backward: grad —
True
>>> print(*[line.strip() for line in dot.source.splitlines() if "->" in line], sep=chr(10))
v2_op -> v2 [id=o2]
v1 -> v2_op [id=e2_0]
v0 -> v2_op [id=e2_1]
"""

from __future__ import annotations

import functools
import math
import os
import shutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .backward import topological_order
from .text import CONTROL_PICTURES, data_text, format_number, grad_text, node_name, shorten
from .value import Value, inputs_of

if TYPE_CHECKING:
    import graphviz

INSTALL_GRAPHVIZ = (
    "Graphviz's `dot` program was not found on PATH; it is needed to render drawings (the Python "
    "package `graphviz` only calls it). Install it with your system's package manager: "
    "Debian/Ubuntu `sudo apt-get install graphviz`, Fedora `sudo dnf install graphviz`, "
    "macOS `brew install graphviz`, Windows `choco install graphviz` (or winget install graphviz); "
    "then restart the shell or the Jupyter kernel. Without it, `.source` still gives the DOT text."
)

BROWSER_NO_RENDERER = (
    "This Python runs inside a web browser (pyodide), where there is no `dot` program: drawings "
    "are laid out by the page's WebAssembly Graphviz (viz.js), and this page has not loaded one. "
    "Run the code on gradstep's live page, or in a Python with Graphviz installed; `.source` "
    "still gives the DOT text."
)
BROWSER_SVG_ONLY = (
    "In a web browser (pyodide) the drawing is laid out by a WebAssembly Graphviz that writes SVG "
    "only, with the plain `dot` layout: ask for format='svg' (a drawing left as a cell's last "
    "expression shows itself)."
)

POSITIVE = (33, 102, 172)  # blue: a positive number (a gradient: increasing this value increases the output)
NEGATIVE = (178, 24, 43)  # red: a negative number
FONT = "Helvetica,Arial,sans-serif"
_RANKDIRS = ("LR", "RL", "TB", "BT")


class GraphvizNotFound(RuntimeError):
    """Graphviz's ``dot`` program is missing, so a drawing cannot be rendered (``.source`` works)."""


def escape_label_text(text: str) -> str:
    """``text`` made safe inside a Graphviz HTML-like label: it can only ever show as itself.

    ``& < > "`` become entities, backslashes are doubled (else ``\\N`` would expand to the node
    name), control characters become visible symbols (a NUL byte would break the file; a newline
    shows as ↵) and lone surrogates, which cannot be written as UTF-8, become U+FFFD.

    >>> escape_label_text('<b>"x"</b> & \\\\N\\n\\x00')
    '&lt;b&gt;&quot;x&quot;&lt;/b&gt; &amp; \\\\\\\\N↵␀'
    """
    return text.translate(_LABEL_TABLE)


def _label_table() -> dict[int, str]:
    table = dict(CONTROL_PICTURES)  # ↵ ␛ ␀ …, as every text view shows them
    table.update({ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;"})
    table[ord("\\")] = "\\\\"
    return table


_LABEL_TABLE = _label_table()


def value_texts(node: Value, name: str, grads_known: bool) -> tuple[str, str, str]:
    """The three cells of a value's box: name, ``data …``, ``grad …`` (``grad —`` before backward).

    >>> value_texts(Value(3e-7), "x", True), value_texts(Value(2.0), "w", False)
    (('x', 'data 3e-07', 'grad 0'), ('w', 'data 2', 'grad —'))
    """
    return name, data_text(node.data), grad_text(float(node.grad) if grads_known else None)


def backward_has_run(nodes: list[Value]) -> bool:
    """Whether the gradients mean anything: after backward() at least the root's is non-zero
    (it is seeded with 1.0), while a fresh or zero_grad()-ed graph has only zeros."""
    return any(float(node.grad) != 0.0 for node in nodes)  # float(): create_graph gives Values


def sign_colour(x: float, largest: float, lightest: float = 0.0, floor: float = 0.0) -> str:
    """Blue for a positive, red for a negative number (a gradient, a weight); closer to white the
    smaller ``|x|`` is against ``largest``. ``lightest`` (0..1) is how white the largest one still
    is, ``floor`` (0..1) how strong the smallest one still is (so that a thin edge stays visible).

    >>> sign_colour(1.0, 1.0), sign_colour(-0.5, 1.0), sign_colour(0.0, 1.0)
    ('#2166ac', '#d88c95', '#ffffff')
    """
    hue = POSITIVE if x >= 0 else NEGATIVE
    share = (floor + (1.0 - floor) * _share(x, largest)) * (1.0 - lightest)
    return "#" + "".join(f"{round(255 + (c - 255) * share):02x}" for c in hue)


def _share(x: float, largest: float) -> float:
    """|x| / largest in [0, 1], 0 when there is nothing to compare with or x is not finite."""
    if not math.isfinite(x):
        return 1.0
    return min(abs(x) / largest, 1.0) if largest else 0.0


def largest_magnitude(numbers: list[float]) -> float:
    """The largest finite |x|, 0.0 if there is none."""
    return max((abs(x) for x in numbers if math.isfinite(x)), default=0.0)


def in_browser() -> bool:
    """Whether this Python runs in a web browser (pyodide, compiled to WebAssembly)."""
    return sys.platform == "emscripten"


def _browser_layout() -> Callable[[str], str]:
    """The page's DOT -> SVG function (gradstep's live page defines ``gradstepRenderDot``)."""
    import js  # type: ignore[import-not-found]  # pyodide's bridge to the page's JavaScript

    layout = getattr(js, "gradstepRenderDot", None)
    if layout is None:
        raise GraphvizNotFound(BROWSER_NO_RENDERER)
    return layout


def render(dot_source: str) -> str:
    """DOT text laid out as an SVG document: the ONE way every drawing and player is rendered.
    Natively by Graphviz's ``dot`` program; in a browser by the page's WebAssembly Graphviz.

    >>> svg_text = render('digraph { a -> b }')
    >>> svg_text.startswith("<?xml") and "<svg" in svg_text and "</svg>" in svg_text
    True
    """
    if in_browser():
        try:
            return str(_browser_layout()(dot_source))
        except GraphvizNotFound:
            raise
        except Exception as error:  # a JavaScript error (pyodide's JsException): Graphviz's words
            raise ValueError(f"Graphviz (WebAssembly) could not lay out the drawing: {error}") from None
    graphviz = _graphviz()
    try:
        return graphviz.pipe_string("dot", "svg", dot_source, encoding="utf-8")
    except graphviz.ExecutableNotFound as error:
        raise GraphvizNotFound(INSTALL_GRAPHVIZ) from error


def require_dot() -> None:
    """Raise ``GraphvizNotFound`` now if drawings cannot be rendered (no ``dot``; in a browser, no
    WebAssembly Graphviz): for callers that would otherwise change something (run a backward
    pass, take an optimiser step) before finding out."""
    _drawing_class()  # the Python package first: its error names the pip extra
    if in_browser():
        _browser_layout()
    elif shutil.which("dot") is None:
        raise GraphvizNotFound(INSTALL_GRAPHVIZ)


def _graphviz() -> Any:
    try:
        import graphviz
    except ImportError:
        raise ImportError(
            "drawing needs the Python package `graphviz`: pip install 'gradstep[viz]' "
            "(or pip install graphviz), plus Graphviz's `dot` program"
        ) from None
    return graphviz


@functools.cache
def _drawing_class() -> type:
    """graphviz.Digraph whose rendering turns "dot not found" into ``GraphvizNotFound`` and, in a
    browser, goes through ``render`` (the WebAssembly Graphviz) for SVG."""
    _graphviz()  # its error names the pip extra
    import graphviz

    def clear_error(method: Callable) -> Callable:
        @functools.wraps(method)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except graphviz.ExecutableNotFound as error:
                raise GraphvizNotFound(INSTALL_GRAPHVIZ) from error

        return wrapper

    def browser_svg(method: Callable) -> Callable:
        """In a browser, ``pipe``/``render`` of SVG go through ``render``; anything else says why not."""

        @functools.wraps(method)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            if not in_browser():
                return method(self, *args, **kwargs)
            return getattr(self, f"_browser_{method.__name__}")(*args, **kwargs)

        return wrapper

    class Drawing(graphviz.Digraph):
        """A ``graphviz.Digraph`` that says how to install Graphviz when ``dot`` is missing, and
        that renders SVG in a browser too (so it displays itself there, as in Jupyter)."""

        def __repr__(self) -> str:
            # what a learner sees typing draw_dot(e) in a terminal, where nothing can display
            return (
                "<gradstep drawing: it shows itself in Jupyter and on the live page; in a terminal, "
                ".view() opens it, .render('graph', format='svg') writes graph.svg>"
            )

        pipe = browser_svg(clear_error(graphviz.Digraph.pipe))
        render = browser_svg(clear_error(graphviz.Digraph.render))
        view = browser_svg(clear_error(graphviz.Digraph.view))
        unflatten = browser_svg(clear_error(graphviz.Digraph.unflatten))

        def _browser_pipe(
            self,
            format: str | None = None,
            *options: Any,
            encoding: str | None = None,
            engine: str | None = None,
            **more: Any,
        ) -> str | bytes:
            self._svg_only(format, engine, options, more)
            text = render(self.source)
            return text if encoding else text.encode("utf-8")

        def _browser_render(
            self,
            filename: Any = None,
            directory: Any = None,
            view: bool = False,
            cleanup: bool = False,
            format: str | None = None,
            *options: Any,
            outfile: Any = None,
            engine: str | None = None,
            **more: Any,
        ) -> str:
            self._svg_only(format, engine, options, {"view": view, **more})
            source_path = self.save(filename, directory=directory)  # the DOT text, as dot's render keeps it
            out = os.fspath(outfile) if outfile is not None else f"{source_path}.svg"
            with open(out, "w", encoding="utf-8") as file:
                file.write(render(self.source))
            if cleanup:
                os.remove(source_path)
            return out

        def _browser_view(self, *args: Any, **kwargs: Any) -> None:
            raise GraphvizNotFound(
                "view() opens a file in a desktop viewer, which a web browser's Python cannot do: "
                "leave the drawing as a cell's last expression to see it"
            )

        def _browser_unflatten(self, *args: Any, **kwargs: Any) -> None:
            raise GraphvizNotFound(
                "unflatten() runs Graphviz's `unflatten` program, which a web browser's Python "
                "does not have: lay the graph out as it is, or use rankdir='TB'"
            )

        def _svg_only(self, format: str | None, engine: str | None, options: tuple, more: dict) -> None:
            extra = [name for name, value in more.items() if value not in (None, False)]
            if (format or self.format) != "svg" or engine not in (None, "dot") or any(options) or extra:
                raise GraphvizNotFound(BROWSER_SVG_ONLY)

    return Drawing


def new_digraph(rankdir: str = "LR", format: str = "svg", **graph_attr: str) -> graphviz.Digraph:
    """An empty drawing with gradstep's defaults (also used by ``nn.draw``)."""
    if rankdir not in _RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(_RANKDIRS)}, got {rankdir!r}")
    return _drawing_class()(
        name="gradstep",
        format=format,
        graph_attr={"rankdir": rankdir, "fontname": FONT, **graph_attr},
        node_attr={"fontname": FONT, "fontsize": "11"},
        edge_attr={"fontname": FONT, "fontsize": "9"},
    )


def svg(drawing: graphviz.Digraph) -> str:
    """The drawing rendered (``render``) as an ``<svg>`` element (no XML prolog), for inlining."""
    text = render(drawing.source)
    return text[text.index("<svg") :]


@dataclass
class Plan:
    """What a drawing of a graph will show, decided before anything is drawn or computed.

    ``order`` is every node in forward order (a node's position is its number: ``v3``), ``shown``
    the nodes drawn (in that order), ``context`` those drawn with their op, ``groups`` each
    grouped node's group and ``stand_in`` the box (``g<k>``) that draws a node of a collapsed group.
    """

    order: list[Value]
    numbers: dict[Value, int]
    shown: list[Value]
    context: set[Value]
    groups: dict[Value, str]
    collapsed: dict[str, int]
    stand_in: dict[Value, str]

    def element(self, node: Value) -> str | None:
        """The SVG id of the box that shows ``node``'s value: ``v<i>``, or ``g<k>`` for the output
        of a collapsed group; None when the drawing does not show it."""
        box = self.stand_in.get(node)
        if box is None:
            return f"v{self.numbers[node]}" if node in self.numbers and node in self._shown else None
        return box if self.outputs.get(box) is node else None

    def __post_init__(self) -> None:
        self._shown = set(self.shown)
        members: dict[str, list[Value]] = {}
        for node in self.shown:
            if node in self.stand_in:
                members.setdefault(self.stand_in[node], []).append(node)
        self.outputs = {
            box: _group_output(nodes, self.shown, self.stand_in) for box, nodes in members.items()
        }


def plan_drawing(
    order: list[Value],
    *,
    cluster: Callable[[Value], str | None] | None = None,
    only_path_to: Value | None = None,
    collapse: bool | Iterable[str] = False,
    max_nodes: int = 500,
) -> Plan:
    """Decide what a drawing of the nodes ``order`` (forward order) shows, and refuse one with
    more than ``max_nodes`` value boxes, before anything is drawn or any gradient computed.

    >>> from autograd import Value
    >>> x = Value(1.0); y = x * 2 + 1
    >>> plan_drawing(topological_order(y)[::-1], max_nodes=2)
    Traceback (most recent call last):
    ...
    ValueError: the graph has 3 values, more than max_nodes=2: draw part of it with ...
    """
    numbers = {node: i for i, node in enumerate(order)}
    shown, context = _selection(order, numbers, only_path_to)
    groups = _groups(shown, cluster)
    collapsed = _collapsed(groups, collapse)
    # a node inside a collapsed group is drawn as its group's box, g<k>
    stand_in = {node: f"g{collapsed[groups[node]]}" for node in shown if groups.get(node) in collapsed}
    drawn = len(shown) - len(stand_in) + len(collapsed)
    if drawn > max_nodes:
        raise ValueError(
            f"the graph has {drawn} values, more than max_nodes={max_nodes}: draw part of it "
            "with only_path_to=<a parameter>, group it with cluster=<a function> and collapse=True "
            "(nn.draw.by_neuron(model) groups a network by neuron), draw the network with "
            "nn.draw_network(model), or pass a larger max_nodes"
        )
    return Plan(order, numbers, shown, context, groups, collapsed, stand_in)


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    format: str = "svg",
    *,
    show_local: bool = False,
    color_by_grad: bool = False,
    cluster: Callable[[Value], str | None] | None = None,
    only_path_to: Value | None = None,
    collapse: bool | Iterable[str] = False,
    max_nodes: int = 500,
    show_grad: bool | None = None,
    constants: bool = True,
) -> graphviz.Digraph:
    """A Graphviz drawing of everything ``root`` depends on (micrograd's look, escaped labels).

    - ``show_local``: write the local derivative d(node)/d(parent) on each edge into an op.
    - ``color_by_grad``: fill boxes blue (grad > 0) or red (grad < 0), stronger for larger
      ``|grad|``; colour and thicken edges by the gradient flowing through them.
    - ``cluster``: a function from a node to the name of its group (None: no group); the
      groups are drawn as boxes around their nodes. ``nn.draw.by_neuron(model)`` and
      ``nn.draw.by_layer(model)`` group a network's graph.
    - ``collapse``: with ``cluster``, draw every group (True) or the named groups as one box
      showing the value that leaves the group (a neuron's output), so a whole MLP fits.
    - ``only_path_to``: draw only the nodes on paths from this node (e.g. one weight) to
      ``root``, plus the other inputs of their ops (dashed) so that each product is readable.
    - ``max_nodes``: more value boxes than this raises ``ValueError`` (a picture of thousands
      of nodes is unreadable; it says what to do instead).
    - ``show_grad``: show gradients (True) or "—" (False); by default they are shown once
      backward has run (some gradient is non-zero).
    - ``constants``: draw each plain number an operator took (the 2 and the 1 of ``x*2 + 1``)
      as a grey box of its own, as micrograd's lecture does (True, the default); it is not a
      graph node, so it has no gradient. False leaves them out. An exponent is never drawn:
      the op shows it (``**2``).

    Nodes have stable SVG ids: ``v<i>`` for the value numbered i in forward order, ``op<i>``
    for its op, ``o<i>`` for the op→value edge and ``e<i>_<k>`` for the edge from its k-th parent;
    ``c<i>_<j>`` for a constant, the op's j-th input, and ``ce<i>_<j>`` for its edge.

    >>> from autograd import Value
    >>> x = Value(0.5, label="x"); y = (x * x).tanh(); y.backward()
    >>> src = draw_dot(y, show_local=True).source
    >>> "grad 1" in src and 'label=0.5' in src and "e1_1" in src
    True
    >>> "<TD>constant</TD><TD>data 2</TD>" in draw_dot((x * 2 + 1).relu()).source
    True
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot() needs a Value, got {type(root).__name__}")
    plan = plan_drawing(
        topological_order(root)[::-1],
        cluster=cluster,
        only_path_to=only_path_to,
        collapse=collapse,
        max_nodes=max_nodes,
    )
    return render_plan(
        plan,
        rankdir,
        format,
        show_local=show_local,
        color_by_grad=color_by_grad,
        show_grad=show_grad,
        constants=constants,
    )


def render_plan(
    plan: Plan,
    rankdir: str = "LR",
    format: str = "svg",
    *,
    show_local: bool = False,
    color_by_grad: bool = False,
    show_grad: bool | None = None,
    widest: dict[Value, tuple[str, str]] | None = None,
    constants: bool = False,
) -> graphviz.Digraph:
    """The Graphviz drawing of a ``Plan`` (``draw_dot``'s second half). ``widest`` gives, for
    some nodes, the widest data and grad texts a player will write into their boxes: the boxes
    are sized for them, and show them until the player writes its own. ``constants``: as
    ``draw_dot``'s (off here: the players do not draw them)."""
    order, numbers, shown, context = plan.order, plan.numbers, plan.shown, plan.context
    groups, collapsed, stand_in = plan.groups, plan.collapsed, plan.stand_in
    grads_known = backward_has_run(order) if show_grad is None else show_grad
    colour = color_by_grad and grads_known
    grads = {n: float(n.grad) for n in shown}  # float(): after create_graph a gradient is a Value
    largest = largest_magnitude(list(grads.values()))
    flows = {n: [local * grads[n] for local in n.local_grads] for n in context}
    largest_flow = largest_magnitude([f for fs in flows.values() for f in fs])
    widest = widest or {}

    def box(node: Value, name: str, dashed: bool = False) -> str:
        fill = sign_colour(grads[node], largest, lightest=0.55) if colour else "white"
        texts = value_texts(node, name, grads_known)
        if node in widest:
            texts = (texts[0], *widest[node])
        return _box(texts, fill, dashed)

    dot = new_digraph(rankdir, format)
    if colour:
        dot.attr(label="blue: gradient > 0, red: gradient < 0; stronger = larger |gradient|", fontsize="10")
    subgraphs: dict[str, list] = {
        group: [] for group in dict.fromkeys(groups.values()) if group not in collapsed
    }
    for node in shown:
        if node in stand_in:
            continue
        i = numbers[node]
        dashed = node not in context
        entries: list[tuple[str, Any, dict[str, str]]] = [
            ("node", f"v{i}", dict(label=box(node, node_name(node, i), dashed), **_PLAIN, id=f"v{i}"))
        ]
        if node.op is not None and not dashed:
            symbol = f"<{escape_label_text(node._op)}>"
            entries.append(("node", f"v{i}_op", dict(label=symbol, shape="ellipse", id=f"op{i}")))
            entries.append(("edge", (f"v{i}_op", f"v{i}"), dict(id=f"o{i}")))
            for j, number in drawn_constants(node) if constants else ():
                name = f"c{i}_{j}"
                entries.append(("node", name, dict(label=_constant_box(number), **_PLAIN, id=name)))
                entries.append(("edge", (name, f"v{i}_op"), dict(id=f"ce{i}_{j}", color="gray50")))
        _add(subgraphs[groups[node]] if node in groups else dot, entries)
    for k, (group, entries) in enumerate(subgraphs.items()):
        with dot.subgraph(name=f"cluster_{k}") as sub:
            sub.attr(label=f"<{escape_label_text(shorten(group))}>", style="rounded", color="gray60")
            _add(sub, entries)
    for group, k in collapsed.items():
        output = plan.outputs[f"g{k}"]
        name = f"{group} ▸ {node_name(output, numbers[output])}"
        dot.node(f"g{k}", label=box(output, name), **_PLAIN, id=f"g{k}")

    into_groups: dict[tuple[str, str], None] = {}  # (source, group): one edge each, in order
    for node in shown:
        if node.op is None or node not in context:
            continue
        if node in stand_in:
            for parent in node.parents:
                if parent in shown and stand_in.get(parent) != stand_in[node]:
                    into_groups[(stand_in.get(parent, f"v{numbers[parent]}"), stand_in[node])] = None
            continue
        i = numbers[node]
        for k, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
            if parent not in shown:
                continue
            attrs = {"id": f"e{i}_{k}"}
            if show_local:
                attrs["label"] = format_number(local, 4)
            if colour:
                flow = flows[node][k]
                attrs["color"] = sign_colour(flow, largest_flow, floor=0.3)
                attrs["penwidth"] = f"{1 + 3 * _share(flow, largest_flow):.2f}"
            dot.edge(stand_in.get(parent, f"v{numbers[parent]}"), f"v{i}_op", **attrs)
    for m, (source, group_id) in enumerate(into_groups):
        dot.edge(source, group_id, id=f"{group_id}_in{m}", style="dashed")
    return dot


_PLAIN = {"shape": "plaintext", "margin": "0"}
_OPERATORS = frozenset("+-*/")


def drawn_constants(node: Value) -> list[tuple[int, float]]:
    """The plain numbers an operator took, with their place among its inputs: micrograd turns
    each into a Value and so draws it; gradstep keeps it inside the node. An exponent is left
    out (the op's symbol shows it: ``**2``), as are an activation's settings (a leaky slope).

    >>> from autograd import Value
    >>> x = Value(3.0)
    >>> drawn_constants(x * 2), drawn_constants(1 - x), drawn_constants(x ** 2), drawn_constants(2 ** x)
    ([(1, 2.0)], [(0, 1.0)], [], [(0, 2.0)])
    """
    if node.op is None or (node.op.symbol not in _OPERATORS and node._op != "**"):
        return []
    return [(j, x) for j, x in enumerate(inputs_of(node)) if not isinstance(x, Value)]


def _constant_box(number: float) -> str:
    """A constant's box: grey, and no gradient cell (it is not a node, so nothing asks for one)."""
    return _box(("constant", data_text(number)), "#f2f2f2", dashed=False, grey=True)


def _collapsed(groups: dict[Value, str], collapse: bool | Iterable[str]) -> dict[str, int]:
    """The groups to draw as one box each, numbered in order of appearance."""
    if collapse is False:
        return {}
    names = list(dict.fromkeys(groups.values()))
    if collapse is True:
        if not names:
            raise ValueError("collapse=True needs groups: pass cluster=<a function from a node to its group>")
        return {name: k for k, name in enumerate(names)}
    wanted = set(collapse)
    unknown = sorted(wanted - set(names))
    if unknown:
        raise ValueError(f"collapse: no group named {', '.join(map(repr, unknown))}; the groups are {names}")
    return {name: k for k, name in enumerate(n for n in names if n in wanted)}


def _group_output(members: list[Value], shown: list[Value], stand_in: dict[Value, str]) -> Value:
    """The member whose value leaves the group (the last one, in forward order), e.g. a neuron's
    activation: that is the value the collapsed box shows."""
    group = stand_in[members[0]]
    leaving = {
        p for node in shown if stand_in.get(node) != group for p in node.parents if stand_in.get(p) == group
    }
    return next((m for m in reversed(members) if m in leaving), members[-1])


def _add(target: Any, entries: list) -> None:
    """Draw (kind, name, attrs) entries into a graph, or keep them in a list for a subgraph."""
    if isinstance(target, list):
        target.extend(entries)
        return
    for kind, name, attrs in entries:
        if kind == "node":
            target.node(name, **attrs)
        else:
            target.edge(*name, **attrs)


def _box(texts: tuple[str, ...], fill: str, dashed: bool, grey: bool = False) -> str:
    """An HTML-like label: one row of cells holding escaped text (one SVG <text> per cell)."""
    cells = "".join(f"<TD>{escape_label_text(shorten(t))}</TD>" for t in texts)
    style = ' STYLE="dashed" COLOR="gray50"' if dashed else ' COLOR="gray50"' if grey else ""
    return (
        f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="{fill}"{style}>'
        f"<TR>{cells}</TR></TABLE>>"
    )


def _selection(
    order: list[Value], numbers: dict[Value, int], only_path_to: Value | None
) -> tuple[list[Value], set[Value]]:
    """The nodes to draw (in forward order) and, among them, those drawn with their op."""
    if only_path_to is None:
        return order, set(order)
    if only_path_to not in numbers:
        raise ValueError(f"only_path_to: {only_path_to!r} is not part of this graph")
    on_path = {only_path_to}
    for node in order:
        if any(p in on_path for p in node.parents):
            on_path.add(node)
    # the other inputs of each op on the path, so that every product can be read
    around = {p for node in on_path if node is not only_path_to for p in node.parents}
    return [n for n in order if n in on_path or n in around], on_path


def _groups(nodes: list[Value], cluster: Callable[[Value], str | None] | None) -> dict[Value, str]:
    if cluster is None:
        return {}
    if not callable(cluster):
        raise TypeError(
            f"cluster must be a function from a node to its group's name (or None), got {cluster!r}; "
            "for a network use nn.draw.by_neuron(model) or nn.draw.by_layer(model)"
        )
    named = {node: cluster(node) for node in nodes}
    return {node: str(name) for node, name in named.items() if name is not None}
