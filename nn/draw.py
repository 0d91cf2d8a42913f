"""The network view: neurons and weights (TensorFlow Playground's picture), and a training step on it.

``draw_network(model)`` draws an MLP as inputs and neurons joined by one edge per weight: the
edge's colour is the sign (blue +, red −) and its width the magnitude, of the weights or of
their gradients (``show="grads"``). ``animate_training_step(model, x, y)`` plays one step of
training on that picture, through the same player as ``autograd.animate``: the forward pass
neuron by neuron, the backward pass weight by weight in the order the engine finishes their
gradients, then the update of every weight.

>>> import nn
>>> model = nn.MLP(2, [3, 1], seed=0)
>>> src = draw_network(model).source
>>> "w0_2_1" in src and "n1_0" in src and "in1" in src
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from autograd import Value
from autograd.animate import Frame, Player, forward_formula, parameter_updates
from autograd.draw import escape_label_text, grad_colour, largest_magnitude, new_digraph, require_dot, svg
from autograd.steps import backward_steps, format_number

if TYPE_CHECKING:
    import graphviz

    from .module import MLP

SHOWS = ("weights", "grads")


def _neuron_name(model: MLP, layer: int, j: int) -> str:
    return f"out[{j}]" if layer == len(model.layers) - 1 else f"h[{layer},{j}]"


def _sources(model: MLP, layer: int) -> list[str]:
    """The node ids feeding the neurons of ``layer``: the inputs, or the previous layer."""
    if layer == 0:
        return [f"in{i}" for i in range(model.layers[0].nin)]
    return [f"n{layer - 1}_{i}" for i in range(model.layers[layer - 1].nout)]


def _box(cells: Sequence[str], border: str = "black") -> str:
    rows = "".join(f"<TR><TD>{escape_label_text(cell)}</TD></TR>" for cell in cells)
    table = f'BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" COLOR="{border}"'
    return f"<<TABLE {table}>{rows}</TABLE>>"


def weight_style(value: float, largest: float) -> dict[str, str]:
    """An edge's colour (sign) and width (magnitude against the largest), TensorFlow Playground's way.

    >>> weight_style(-1.0, 2.0)
    {'color': '#cd6975', 'penwidth': '3.00'}
    """
    share = min(abs(value) / largest, 1.0) if largest and math.isfinite(value) else 1.0
    return {"color": grad_colour(value, largest, floor=0.3), "penwidth": f"{0.5 + 5 * share:.2f}"}


def draw_network(
    model: MLP,
    show: str = "weights",
    rankdir: str = "LR",
    format: str = "svg",
    *,
    labels: bool | None = None,
    inputs: Sequence[float] | None = None,
) -> graphviz.Digraph:
    """The MLP as inputs and neurons joined by one edge per weight, coloured by sign, sized by magnitude.

    ``show="weights"`` uses the weights, ``show="grads"`` their gradients (after ``backward``).
    ``labels`` writes the number on each edge (default: when there are at most 60 weights).
    ``inputs`` fills in the input boxes. SVG ids: ``in<i>`` for input i, ``n<l>_<j>`` for neuron
    j of layer l and ``w<l>_<j>_<i>`` for the weight from its input i.

    >>> import nn
    >>> model = nn.MLP(2, [2, 1], seed=0)
    >>> line = next(l for l in draw_network(model).source.splitlines() if "id=w1_0_1" in l)
    >>> "color=" in line and "penwidth=" in line
    True
    """
    _check_model(model, "draw_network")
    if show not in SHOWS:
        raise ValueError(f"show must be 'weights' or 'grads', got {show!r}")
    layers = model.layers
    numbers = [p.data if show == "weights" else p.grad for p in model.parameters()]
    largest = largest_magnitude(numbers)
    weights = sum(len(n.w) for layer in layers for n in layer.neurons)
    labels = weights <= 60 if labels is None else labels
    dot = new_digraph(rankdir, format, nodesep="0.15", ranksep="1.4", splines="line")
    with dot.subgraph(name="cluster_inputs") as sub:
        sub.attr(label="inputs", style="rounded", color="gray70")
        for i in range(layers[0].nin):
            value = "—" if inputs is None else format_number(inputs[i], 4)
            sub.node(f"in{i}", label=_box([f"x{i}", value]), shape="plaintext", margin="0", id=f"in{i}")
    for l_index, layer in enumerate(layers):
        title = "output layer" if l_index == len(layers) - 1 else f"layer {l_index}"
        with dot.subgraph(name=f"cluster_layer{l_index}") as sub:
            heading = escape_label_text(f"{title} ({layer.activation})")
            sub.attr(label=heading, style="rounded", color="gray70")
            for j, neuron in enumerate(layer.neurons):
                bias = "no bias" if neuron.b is None else _number_text("b", neuron.b, show)
                cells = [_neuron_name(model, l_index, j), bias, "out —"]
                element = f"n{l_index}_{j}"
                sub.node(element, label=_box(cells), shape="plaintext", margin="0", id=element)
    for l_index, layer in enumerate(layers):
        sources = _sources(model, l_index)
        for j, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                value = w.data if show == "weights" else w.grad
                attrs = weight_style(value, largest)
                if labels:
                    attrs["label"] = _number_text("", w, show)
                dot.edge(sources[i], f"n{l_index}_{j}", id=f"w{l_index}_{j}_{i}", **attrs)
    return dot


def _number_text(prefix: str, p: Value, show: str, grad: bool = False) -> str:
    """``b 0.1``, or with its gradient ``b 0.1 (grad -0.2)``; for show="grads" the gradient alone."""
    head = f"{prefix} " if prefix else ""
    if show == "grads":
        return f"{head}grad {format_number(p.grad, 3)}"
    text = f"{head}{format_number(p.data, 3)}"
    return f"{text} (grad {format_number(p.grad, 3)})" if grad else text


def animate_training_step(
    model: MLP,
    x: Sequence[float],
    y: float | Sequence[float],
    loss_fn: Callable[[Any, Any], Value] | None = None,
    lr: float | None = 0.1,
    *,
    optimizer: Any = None,
    title: str | None = None,
    speed_ms: int = 700,
) -> Player:
    """One training step of ``model`` on one sample, played on the network view.

    Forward (input, then each neuron), backward (each parameter's gradient, in the order the
    engine completes them, with its chain-rule product), update (``w ← w − lr × grad``, or the
    step of ``optimizer``). The update is really made: this *is* a training step. The model's
    gradients are zeroed first. ``loss_fn(prediction, y)`` defaults to ``nn.losses.mse``.

    Raises ``GraphvizNotFound`` (saying how to install it) when Graphviz's ``dot`` is missing.
    """
    from . import losses

    _check_model(model, "animate_training_step")
    require_dot()  # before the step: a failed call must not have changed the model
    loss_fn = loss_fn or losses.mse
    params = model.parameters()
    for p in params:
        p.grad = 0.0
    x = list(x)
    names: dict[Value, str] = {p: p.label for p in params}
    frames: list[Frame] = [
        Frame(
            "forward",
            "inputs: " + ", ".join(f"x{i} = {format_number(v)}" for i, v in enumerate(x)),
            tuple(f"in{i}" for i in range(len(x))),
            set=tuple((f"in{i}", -1, format_number(v, 4)) for i, v in enumerate(x)),
        )
    ]
    signals: Sequence[Value | float] = x
    source_names = [f"x{i}" for i in range(len(x))]
    for l_index, layer in enumerate(model.layers):
        outs = layer.forward_list(signals)
        for j, out in enumerate(outs):
            name = _neuron_name(model, l_index, j)
            frames.append(_neuron_frame(model, l_index, j, out, signals, source_names, names))
            names[out] = name
        signals, source_names = outs, [_neuron_name(model, l_index, j) for j in range(len(outs))]
    prediction = signals[0] if len(signals) == 1 else list(signals)
    loss = loss_fn(prediction, y)
    if not loss.label:
        loss.label = "loss"  # a node this call made: naming it makes every step line readable
    outputs = [f"n{len(model.layers) - 1}_{j}" for j in range(len(signals))]
    frames.append(Frame("forward", f"loss = {format_number(loss.data)}", tuple(outputs)))

    steps = backward_steps(loss)
    picture = svg(draw_network(model, "weights", inputs=None))  # before the update
    seed = (
        f"backward: seed d(loss)/d(loss) = 1; {len(steps)} chain-rule steps; each parameter when it is done:"
    )
    frames.append(Frame("backward", seed))
    places = _parameter_places(model)
    for p, grad in steps.leaf_grads():
        if p not in places:
            continue
        element, index, prefix = places[p]
        into = steps.into(p)
        products = " + ".join(format_number(s.product) for s in into)
        if len(into) == 1:
            how = str(into[-1]).split(". ", 1)[1]  # the chain-rule line, without its step number
        else:
            how = f"sum of {len(into)} products: {products}"
        text = f"d(loss)/d({p.label}) = {format_number(grad)}   [{how}]"
        target = ("edges" if element.startswith("w") else "nodes", element)
        frames.append(
            Frame(
                "backward",
                text,
                nodes=(element,) if target[0] == "nodes" else (),
                edges=(element,) if target[0] == "edges" else (),
                set=((element, index, _number_text(prefix, p, "weights", grad=True)),),
                numbers=(("grad", grad),),
            )
        )
    for p, old, new, text in parameter_updates(list(places), names, lr=lr, optimizer=optimizer, apply=True):
        element, index, prefix = places[p]
        kind = "edges" if element.startswith("w") else "nodes"
        frames.append(
            Frame(
                "update",
                text,
                nodes=(element,) if kind == "nodes" else (),
                edges=(element,) if kind == "edges" else (),
                set=((element, index, _number_text(prefix, p, "weights")),),
                numbers=(("before", old), ("after", new)),
            )
        )
    return Player(
        picture,
        frames,
        title=title or f"gradstep: one training step (loss {format_number(loss.data, 4)})",
        speed_ms=speed_ms,
        steps=steps,
        start="Press ▶ play, or → to take one step: forward, backward (each weight's gradient), update.",
    )


def _check_model(model: object, who: str) -> None:
    if not hasattr(model, "layers") or not hasattr(model, "parameters"):
        raise TypeError(
            f"{who} needs an nn.MLP (something with .layers of neurons), got {type(model).__name__}"
        )


def _parameter_places(model: MLP) -> dict[Value, tuple[str, int, str]]:
    """Where each parameter is shown: (element id, index of its text, prefix)."""
    places: dict[Value, tuple[str, int, str]] = {}
    for l_index, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                places[w] = (f"w{l_index}_{j}_{i}", 0, "")
            if neuron.b is not None:
                places[neuron.b] = (f"n{l_index}_{j}", -2, "b")
    return places


def _neuron_frame(
    model: MLP,
    l_index: int,
    j: int,
    out: Value,
    signals: Sequence[Value | float],
    source_names: list[str],
    names: dict[Value, str],
) -> Frame:
    neuron = model.layers[l_index].neurons[j]
    name = _neuron_name(model, l_index, j)
    pre = out if neuron.activation == "linear" else out.parents[0]
    if pre.op is not None and pre.op.name == "dot":
        # the inputs of the weighted sum are Values or leaves made from plain numbers
        local = dict(names)
        for k, parent in enumerate(pre.parents[1 : 2 * len(neuron.w) : 2]):
            local.setdefault(parent, source_names[k])
        formula, numbers = forward_formula(pre, local)
    else:
        formula, numbers = "w·x + b", format_number(pre.data)
    if neuron.activation == "linear":
        text = f"{name} = {formula} = {numbers} = {format_number(out.data)}"
    else:
        act = neuron.activation
        text = (
            f"{name} = {act}({formula}) = {act}({numbers}) = {act}({format_number(pre.data)}) "
            f"= {format_number(out.data)}"
        )
    if pre is not out and not pre.label:
        pre.label = f"z{name[name.index('[') :]}"  # nodes this call made: named for the step lines
    if not out.label:
        out.label = name
    element = f"n{l_index}_{j}"
    edges = tuple(f"w{l_index}_{j}_{i}" for i in range(len(neuron.w)))
    return Frame(
        "forward",
        text,
        (element,),
        edges=edges,
        set=((element, -1, f"out {format_number(out.data, 4)}"),),
        numbers=(("out", out.data),),
    )
