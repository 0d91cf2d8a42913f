"""Draw a computation graph with Graphviz: a box per value (name | data | grad), a node per op.

The ``graphviz`` package is imported only when you draw, so ``import autograd`` stays free of it.
Every label is an HTML-like label built here from escaped text, so any string (``{a|b}``,
``<b>``, ``\\N``, quotes, newlines, a NUL byte, ``</script>``) is shown as the text it is. Nodes
are numbered by their position in the forward order, so the same graph gives the same DOT text,
byte for byte, on every run.

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
import re
import shutil
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .steps import format_number, forward_order, node_name
from .value import Value

if TYPE_CHECKING:
    import graphviz

INSTALL_GRAPHVIZ = (
    "Graphviz's `dot` program was not found on PATH; it is needed to render drawings (the Python "
    "package `graphviz` only calls it). Install it with your system's package manager: "
    "Debian/Ubuntu `sudo apt-get install graphviz`, Fedora `sudo dnf install graphviz`, "
    "macOS `brew install graphviz`, Windows `choco install graphviz` (or winget install graphviz); "
    "then restart the shell or the Jupyter kernel. Without it, `.source` still gives the DOT text."
)

POSITIVE = (33, 102, 172)  # blue: a positive gradient (increasing this value increases the output)
NEGATIVE = (178, 24, 43)  # red: a negative gradient
NO_GRAD = "—"
FONT = "Helvetica,Arial,sans-serif"
_RANKDIRS = ("LR", "RL", "TB", "BT")
# w[l,j,i] and b[l,j]: the parameter labels nn uses (layer l, neuron j, input i)
_PARAMETER = re.compile(r"^([wb])\[(\d+),(\d+)(?:,\d+)?\]$")
# ops that end a neuron: after one of them a node needs a parameter of its own to join a neuron
_ACTIVATIONS = frozenset({"tanh", "relu", "sigmoid", "leaky_relu", "softplus"})


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
    table: dict[int, str] = {c: chr(0x2400 + c) for c in range(32)}  # control pictures ␀ ␁ ...
    table[0x0A] = "↵"
    table[0x7F] = "␡"
    table.update({c: "\ufffd" for c in range(0xD800, 0xE000)})
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


def data_text(data: float) -> str:
    """``data 0.25``: the middle cell of a value's box."""
    return f"data {format_number(data, 4)}"


def grad_text(grad: float | None) -> str:
    """``grad 0.25``, or ``grad —`` for a gradient that backward has not computed (None)."""
    return f"grad {NO_GRAD if grad is None else format_number(grad, 4)}"


def backward_has_run(nodes: list[Value]) -> bool:
    """Whether the gradients mean anything: after backward() at least the root's is non-zero
    (it is seeded with 1.0), while a fresh or zero_grad()-ed graph has only zeros."""
    return any(float(node.grad) != 0.0 for node in nodes)  # float(): create_graph gives Values


def grad_colour(grad: float, largest: float, lightest: float = 0.0, floor: float = 0.0) -> str:
    """Blue for a positive, red for a negative gradient; closer to white the smaller ``|grad|``
    is against ``largest``. ``lightest`` (0..1) is how white the largest one still is, ``floor``
    (0..1) how strong the smallest one still is (so that a thin edge stays visible).

    >>> grad_colour(1.0, 1.0), grad_colour(-0.5, 1.0), grad_colour(0.0, 1.0)
    ('#2166ac', '#d88c95', '#ffffff')
    """
    hue = POSITIVE if grad >= 0 else NEGATIVE
    share = (floor + (1.0 - floor) * _share(grad, largest)) * (1.0 - lightest)
    return "#" + "".join(f"{round(255 + (c - 255) * share):02x}" for c in hue)


def _share(x: float, largest: float) -> float:
    """|x| / largest in [0, 1], 0 when there is nothing to compare with or x is not finite."""
    if not math.isfinite(x):
        return 1.0
    return min(abs(x) / largest, 1.0) if largest else 0.0


def largest_magnitude(numbers: list[float]) -> float:
    """The largest finite |x|, 0.0 if there is none."""
    return max((abs(x) for x in numbers if math.isfinite(x)), default=0.0)


def require_dot() -> None:
    """Raise ``GraphvizNotFound`` now if ``dot`` is missing: for callers that would otherwise
    change something (run a backward pass, take an optimiser step) before finding out."""
    _drawing_class()  # the Python package first: its error names the pip extra
    if shutil.which("dot") is None:
        raise GraphvizNotFound(INSTALL_GRAPHVIZ)


@functools.cache
def _drawing_class() -> type:
    """graphviz.Digraph whose rendering turns "dot not found" into ``GraphvizNotFound``."""
    try:
        import graphviz
    except ImportError:
        raise ImportError(
            "drawing needs the Python package `graphviz`: pip install 'gradstep[viz]' "
            "(or pip install graphviz), plus Graphviz's `dot` program"
        ) from None

    def clear_error(method: Callable) -> Callable:
        @functools.wraps(method)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except graphviz.ExecutableNotFound as error:
                raise GraphvizNotFound(INSTALL_GRAPHVIZ) from error

        return wrapper

    class Drawing(graphviz.Digraph):
        """A ``graphviz.Digraph`` that says how to install Graphviz when ``dot`` is missing."""

        pipe = clear_error(graphviz.Digraph.pipe)
        render = clear_error(graphviz.Digraph.render)
        view = clear_error(graphviz.Digraph.view)
        unflatten = clear_error(graphviz.Digraph.unflatten)

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
    """The drawing rendered by ``dot`` as an ``<svg>`` element (no XML prolog), for inlining."""
    text = drawing.pipe(format="svg", encoding="utf-8")
    return text[text.index("<svg") :]


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    format: str = "svg",
    *,
    show_local: bool = False,
    color_by_grad: bool = False,
    cluster: str | Callable[[Value], str | None] | None = None,
    only_path_to: Value | None = None,
    collapse: bool | Iterable[str] = False,
    max_nodes: int = 500,
    show_grad: bool | None = None,
) -> graphviz.Digraph:
    """A Graphviz drawing of everything ``root`` depends on (micrograd's look, escaped labels).

    - ``show_local``: write the local derivative d(node)/d(parent) on each edge into an op.
    - ``color_by_grad``: fill boxes blue (grad > 0) or red (grad < 0), stronger for larger
      ``|grad|``; colour and thicken edges by the gradient flowing through them.
    - ``cluster``: ``"neuron"`` or ``"layer"`` groups nodes by the labels of nn's parameters
      (``w[l,j,i]``, ``b[l,j]``); or a function from a node to a group name (None: no group).
    - ``collapse``: with ``cluster``, draw every group (True) or the named groups as one box
      showing the value that leaves the group (a neuron's output), so a whole MLP fits.
    - ``only_path_to``: draw only the nodes on paths from this node (e.g. one weight) to
      ``root``, plus the other inputs of their ops (dashed) so that each product is readable.
    - ``max_nodes``: more value nodes than this raises ``ValueError`` (a picture of thousands
      of nodes is unreadable; it says what to do instead).
    - ``show_grad``: show gradients (True) or "—" (False); by default they are shown once
      backward has run (some gradient is non-zero).

    Nodes have stable SVG ids: ``v<i>`` for the value numbered i in forward order, ``op<i>``
    for its op, ``o<i>`` for the op→value edge and ``e<i>_<k>`` for the edge from its k-th parent.

    >>> from autograd import Value
    >>> x = Value(0.5, label="x"); y = (x * x).tanh(); y.backward()
    >>> src = draw_dot(y, show_local=True).source
    >>> "grad 1" in src and 'label=0.5' in src and "e1_1" in src
    True
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot() needs a Value, got {type(root).__name__}")
    order = forward_order(root)
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
            "with only_path_to=<a parameter>, group it with cluster='neuron', collapse=True, draw "
            "the network with nn.draw_network(model), or pass a larger max_nodes"
        )
    grads_known = backward_has_run(order) if show_grad is None else show_grad
    colour = color_by_grad and grads_known
    grads = {n: float(n.grad) for n in shown}  # float(): after create_graph a gradient is a Value
    largest = largest_magnitude(list(grads.values()))
    flows = {n: [local * grads[n] for local in n.local_grads] for n in context}
    largest_flow = largest_magnitude([f for fs in flows.values() for f in fs])

    def box(node: Value, name: str, dashed: bool = False) -> str:
        fill = grad_colour(grads[node], largest, lightest=0.55) if colour else "white"
        return _box(value_texts(node, name, grads_known), fill, dashed)

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
        entries = [("node", f"v{i}", dict(label=box(node, node_name(node, i), dashed), **_PLAIN, id=f"v{i}"))]
        if node.op is not None and not dashed:
            symbol = f"<{escape_label_text(node._op)}>"
            entries.append(("node", f"v{i}_op", dict(label=symbol, shape="ellipse", id=f"op{i}")))
            entries.append(("edge", (f"v{i}_op", f"v{i}"), dict(id=f"o{i}")))
        _add(subgraphs[groups[node]] if node in groups else dot, entries)
    for k, (group, entries) in enumerate(subgraphs.items()):
        with dot.subgraph(name=f"cluster_{k}") as sub:
            sub.attr(label=f"<{escape_label_text(group)}>", style="rounded", color="gray60")
            _add(sub, entries)
    for group, k in collapsed.items():
        output = _group_output([n for n in shown if stand_in.get(n) == f"g{k}"], shown, stand_in)
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
                attrs["color"] = grad_colour(flow, largest_flow, floor=0.3)
                attrs["penwidth"] = f"{1 + 3 * _share(flow, largest_flow):.2f}"
            dot.edge(stand_in.get(parent, f"v{numbers[parent]}"), f"v{i}_op", **attrs)
    for m, (source, group_id) in enumerate(into_groups):
        dot.edge(source, group_id, id=f"{group_id}_in{m}", style="dashed")
    return dot


_PLAIN = {"shape": "plaintext", "margin": "0"}


def _collapsed(groups: dict[Value, str], collapse: bool | Iterable[str]) -> dict[str, int]:
    """The groups to draw as one box each, numbered in order of appearance."""
    if collapse is False:
        return {}
    names = list(dict.fromkeys(groups.values()))
    if collapse is True:
        if not names:
            raise ValueError("collapse=True needs groups: pass cluster='neuron', 'layer' or a function")
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


def _box(texts: tuple[str, ...], fill: str, dashed: bool) -> str:
    """An HTML-like label: one row of cells holding escaped text (one SVG <text> per cell)."""
    cells = "".join(f"<TD>{escape_label_text(t)}</TD>" for t in texts)
    style = ' STYLE="dashed" COLOR="gray50"' if dashed else ""
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


def _groups(nodes: list[Value], cluster: str | Callable[[Value], str | None] | None) -> dict[Value, str]:
    if cluster is None:
        return {}
    if callable(cluster):
        named = {node: cluster(node) for node in nodes}
        return {node: str(name) for node, name in named.items() if name is not None}
    if cluster not in ("neuron", "layer"):
        raise ValueError(f"cluster must be 'neuron', 'layer', a function or None, got {cluster!r}")
    keys = _neuron_keys(nodes)
    if cluster == "layer":
        return {node: f"layer {key[0]}" for node, key in keys.items()}
    return {node: f"layer {key[0]} · neuron {key[1]}" for node, key in keys.items()}


def _neuron_keys(nodes: list[Value]) -> dict[Value, tuple[int, int]]:
    """(layer, neuron) for each node that belongs to one neuron, from nn's parameter labels.

    A parameter ``w[l,j,i]``/``b[l,j]`` belongs to neuron (l, j). An op joins a neuron when a
    parameter of it is a direct input (``w*x``, a weighted sum), when it adds up parts of it
    (``+`` of open parts: micrograd's op-by-op sum), or when it is the activation of it, which
    closes the neuron. Nothing else joins: not the next layer's products (their own weight
    decides) and not the loss (``out - y`` is not a sum of a neuron's parts).
    """
    keys: dict[Value, tuple[int, int]] = {}
    state: dict[Value, str] = {}  # "param", "open" (a part of the weighted sum), "closed"
    for node in nodes:
        if node.op is None:
            match = _PARAMETER.match(node.label)
            if match:
                keys[node] = (int(match[2]), int(match[3]))
                state[node] = "param"
            continue
        activation = node.op.name in _ACTIVATIONS
        joins = ("param", "open") if activation or node.op.name == "add" else ("param",)
        candidates = {keys[p] for p in node.parents if state.get(p) in joins}
        if len(candidates) != 1:
            continue
        keys[node] = candidates.pop()
        state[node] = "closed" if activation else "open"
    return keys
