"""The network player: one training step of an MLP, neuron by neuron, on the network view.

``animate_training_step(model, x, y, lr=0.1)`` takes a real training step on one sample and
returns a page (``autograd.animate.Player``) that plays it on ``nn.draw``'s picture:

1. **forward**: the inputs, then each neuron in index order, layer by layer:
   z = w·x + b with its numbers, then out = activation(z); then the loss;
2. **backward**, layer by layer from the loss back, neurons top to bottom. For each neuron:
   d(loss)/d(out) = Σₖ w[l+1,k,j] · d(loss)/d(z[l+1,k]) (its outgoing edges highlighted; a
   neuron that is off sends back 0 and its term is left out), or, for an output, the loss's
   derivative as a formula: 2(out − y) for squared error, σ(out) − y for log loss on the logit,
   softmax(out)[j] − [j = y] for cross-entropy; then
   d(loss)/d(z) = d(loss)/d(out) × activation′(z) with the activation's rule (a ReLU with z ≤ 0
   is *off*: relu′(z) = 0, so d(loss)/d(z) = 0 and its weights do not move), then each weight's
   gradient d(loss)/d(z) × the input it multiplied, and the bias's, d(loss)/d(z) × 1;
3. **update**: each neuron's weights w ← w − lr × grad (or the optimiser's step), the edges
   redrawn from the new weights;
4. **forward again** with the new weights, ending with the loss before → after.

For a network with two inputs and one output, a small map (in the spirit of TensorFlow Playground)
colours the plane by the network's output, blue above 0 and red below, with the sample as a ring
(and ``points=(X, y)``, the data as dots coloured by class): it is redrawn from the new weights at
the end of each step, so the boundary moves. The page shows it beside the step box (in a window
under 600 px, beside the controls, with the step box under both), in view at every frame however
far the drawing is scrolled.

This is the textbook order (the engine's own order may interleave neurons differently; each
neuron's gradient needs only the layer after it, so every number is the same). Numbers are the
engine's: the gradients the step used are exactly those of ``loss.backward()``.

>>> import nn
>>> model = nn.MLP(2, [2, 1], seed=0)
>>> player = animate_training_step(model, [1.0, -1.0], 0.5, lr=0.1)
>>> for frame in player.frames[6:9]:
...     print(frame.text.splitlines()[0])
d(loss)/d(out[0]) = 2(out − y) = 2 × (-0.05757 − 0.5) = -1.115
d(loss)/d(z[1,0]) = d(loss)/d(out[0]) × 1 (linear: out = z) = -1.115 × 1 = -1.115
out[0]'s weights: d(loss)/d(wi) = d(loss)/d(z) × input i = -1.115 × input i   (wi: w[1,0,i], input i: h[0,i])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from autograd import Value, backward_steps, no_grad, topological_order
from autograd.extend import (
    NO_GRAD,
    Ask,
    Frame,
    Player,
    check_page_options,
    format_number,
    local_rule,
    rule_words,
    sign_colour,
)

from .checks import check_mlp, is_int, is_real
from .draw import (
    CURVE,
    DecisionMap,
    NetworkPicture,
    _check_inputs,
    cell_key,
    neuron_name,
    pre_activation,
    weight_style,
)
from .optim import _check_optimizer

if TYPE_CHECKING:
    from .module import MLP

__all__ = ["animate_training_step"]


def _f(x: float) -> str:
    return format_number(x, 4)


@dataclass
class _Neuron:
    """One neuron during the step: where it is, what it multiplied and what it computed."""

    layer: int
    index: int
    name: str
    activation: str
    weights: list[Value]
    bias: Value | None
    inputs: list[Value]  # what each weight multiplied: the inputs, or the previous layer's outs
    input_names: list[str]
    z: Value
    out: Value

    @property
    def delta(self) -> float:
        """d(loss)/d(z), from the backward pass that ran (float(): after create_graph it is a Value)."""
        return float(self.z.grad)

    @property
    def d_out(self) -> float:
        """d(loss)/d(out)."""
        return float(self.out.grad)

    @property
    def card(self) -> str:
        return f"n{self.layer}_{self.index}"

    def cell(self, row: str, which: str) -> str:
        return f"{self.card}-{row}-{which}"

    def edge(self, i: int) -> str:
        return f"w{self.layer}_{self.index}_{i}"


def animate_training_step(
    model: MLP,
    x: Sequence[float],
    y: float | Sequence[float],
    loss_fn: Callable[[Any, Any], Value] | None = None,
    lr: float | None = 0.1,
    *,
    optimizer: Any = None,
    compact: bool | None = None,
    practice: bool = False,
    steps: int = 1,
    decision_map: bool | Sequence[float] | None = None,
    points: tuple[Sequence[Sequence[float]], Sequence[float]] | None = None,
    title: str | None = None,
    speed_ms: int = 700,
) -> Player:
    """One training step of ``model`` on the sample ``(x, y)``, played on the network view.

    The step is really taken: gradients are zeroed, the loss ``loss_fn([prediction], [y])``
    (a batch of one sample, as ``nn.losses`` take it; default ``nn.losses.mse``) is
    backpropagated, and the weights move by ``−lr × grad`` (or by ``optimizer.step()``: an
    ``nn.optim`` optimiser that updates some of the model's parameters, as ``fit`` requires). The
    module docstring says what each frame shows. ``compact`` is ``draw_network``'s;
    ``practice=True`` asks for each neuron's d(loss)/d(out) and d(loss)/d(z), the pieces before
    the product: the upstream gradient (hidden on the card while asked), the local derivative
    from its rule (tanh′ = 1 − out², never its number), then their product; each is typed (to 3
    significant digits) or revealed, with a hint after a wrong answer. ``steps=k`` plays k steps on
    the same sample (each forward pass with new weights is the next step's forward pass) and draws
    the loss after each step as a small curve. ``decision_map``: the network's output over the plane, redrawn
    after each step: ``None`` shows it for two inputs and one output, over a square around the
    origin that holds the sample; ``(x0 low, x0 high, x1 low, x1 high)`` (a tuple or a list, each
    width a finite float) sets the region (the demo gives its data's); ``False`` leaves it out.
    ``points=(X, y)``: data drawn on the map as dots, blue for the larger of two target values (the
    class the output should put above 0), red for the other, with a key under the map. Needs no
    Graphviz.

    >>> import nn
    >>> player = animate_training_step(nn.MLP(2, [2, 1], seed=0), [1.0, 2.0], 0.0, lr=0.1)
    >>> player.frames[-1].text.startswith("loss ")
    True

    Checked before anything changes: a call that fails leaves the model's weights and gradients
    as they were.
    """
    from . import losses

    check_mlp(model, "animate_training_step")
    check_page_options(title, speed_ms)
    x = _check_inputs(model, x, "animate_training_step")
    if optimizer is None:
        if not is_real(lr) or not math.isfinite(lr):
            raise TypeError(
                f"animate_training_step: lr must be a finite number, got {type(lr).__name__}: {lr!r}"
            )
        rate = float(lr)
    else:  # as fit() refuses it: a torch optimiser, or one built for another model, moves nothing
        _check_optimizer(model, optimizer, "animate_training_step")
        rate = math.nan  # not used: the optimiser has its own
    if not is_int(steps) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"animate_training_step: steps must be an int from 1 to {MAX_STEPS}, got {steps!r}")
    region = _map_region(model, x, decision_map)
    dots, classes = _map_points(points, region)
    loss_fn = loss_fn or losses.mse
    loss_name = getattr(loss_fn, "__name__", "loss").replace("_", " ")
    params = model.parameters()
    saved = [(p.data, p.grad) for p in params]
    try:
        return _play(
            model,
            x,
            y,
            loss_fn,
            loss_name,
            rate,
            optimizer,
            compact,
            practice,
            steps,
            region,
            (dots, classes),
            title,
            speed_ms,
        )
    except BaseException:
        for p, (data, grad) in zip(params, saved):  # a failed call changes nothing
            p.data, p.grad = data, grad
        raise


def _play(
    model: MLP,
    x: list[float],
    y: float | Sequence[float],
    loss_fn: Callable[[Any, Any], Value],
    loss_name: str,
    lr: float,
    optimizer: Any,
    compact: bool | None,
    practice: bool,
    count: int,
    region: tuple[float, float, float, float] | None,
    data: tuple[list[tuple[float, float, bool]], tuple[str, str]],
    title: str | None,
    speed_ms: int,
) -> Player:
    params = model.parameters()
    neurons, inputs, loss, names = _build(model, x, y, loss_fn)
    target = _target_text(y)
    for p in params:  # from here on the step changes the model (undone by the caller on failure)
        p.grad = 0.0
    plane = None
    if region is not None:
        first = map_values(model, region)
        scale = max((abs(v) for row in first for v in row if math.isfinite(v)), default=0.0)
        plane = DecisionMap(region, (x[0], x[1]), _map_fills(first, scale), "before the step", *data)
    picture = NetworkPicture(
        model, compact, loss=loss_name, outputs=len(neurons[-1]), curve=count > 1, decision_map=plane
    )
    picture.fill("weights")  # the picture before backward: no gradients yet
    largest = max((abs(p.data) for p in params), default=0.0)  # edge widths keep this scale
    frames = _forward(picture, neurons, inputs, loss, target, loss_name)
    history, ends = [loss.data], []
    for step in range(count):
        if step:  # the last forward pass, with the new weights, is this step's forward pass
            for p in params:
                p.grad = 0.0
            neurons, inputs, loss, names = _build(model, x, y, loss_fn)
        steps = backward_steps(loss)
        for node in steps.order:
            names.setdefault(node, steps.name(node))
        played = _backward(picture, neurons, steps, names, loss_fn, y)
        played += _update(picture, neurons, lr, optimizer, largest)
        played += _again(picture, neurons, inputs, loss_fn, y, loss)
        if count > 1:
            played = [replace(f, text=f"step {step + 1} of {count} · {f.text}") for f in played]
        frames += played
        history.append(dict(frames[-1].numbers)["after"])
        ends.append(len(frames) - 1)
        if plane is not None:  # the map from the new weights, on the first map's colour scale
            fills = _map_fills(map_values(model, plane.region), scale)
            frames[-1] = replace(
                frames[-1],
                set=frames[-1].set + (("map-when", 0, f"after step {step + 1}"),),
                style=tuple(
                    (f"map-{r}-{c}", "fill", fill)
                    for r, row in enumerate(fills)
                    for c, fill in enumerate(row)
                ),
            )
    if count > 1:  # each step ends by drawing the curve so far; the next starts from the new loss
        top = max(history) or 1.0
        picture.texts.update({"curve-top": f"loss {_f(top)}", "curve-steps": f"step {count}"})
        for step, end in enumerate(ends):
            new_loss = (("loss-v", 0, _f(history[step + 1])),) if step + 1 < count else ()
            frames[end] = replace(
                frames[end],
                set=frames[end].set + new_loss,
                style=frames[end].style
                + (("curve-line", "points", _curve(history[: step + 2], count, top)),),
            )
    widest: dict[str, list[str]] = {}
    for frame in frames:
        for element, index, text in frame.set:
            widest.setdefault(cell_key(element, index), []).append(text)
    svg = picture.layout(widest).svg()
    legend = [
        ("positive", "weight > 0"),
        ("negative", "< 0 (wider: larger)"),
        ("grad", "grad: d(loss)/d(number)"),
        ("current", "in use"),
        ("target", "receives the result"),
        ("", "z = w·x + b, out = activation(z)"),
    ]
    if plane is not None:
        legend.append(("", "map: out > 0 blue, < 0 red, ○ the sample"))
        if plane.data:
            high, low = plane.classes
            legend.append(("", f"dots: the data, blue y = {high}, red y = {low}"))
    if picture.compact:
        legend.append(("", "a weight's number: on its edge when lit or hovered"))
    before, after = history[0], history[-1]
    what = "one training step" if count == 1 else f"{count} training steps"
    return Player(
        svg,
        frames,
        title=title or f"gradstep: {what} of {model._header()} (loss {_f(before)} → {_f(after)})",
        speed_ms=speed_ms,
        steps=steps,
        legend=legend,
        practice=practice,
        start="Press ▶ play, or → to take one step: forward, backward neuron by neuron, update, "
        "forward again.",
    )


MAX_STEPS = 20  # each step adds a backward pass's frames: more is a film, not a lesson
MAP_CELLS = 20  # the decision map has MAP_CELLS × MAP_CELLS squares


def _map_region(
    model: MLP, x: Sequence[float], choice: bool | Sequence[float] | None
) -> tuple[float, float, float, float] | None:
    """The region the decision map covers, or None for no map (see animate_training_step)."""
    if choice is False or (choice is None and not (model.nin == 2 and model.nouts[-1] == 1)):
        return None
    if choice is None or choice is True:
        half = max(1.0, 1.5 * max(abs(v) for v in x))
        region = [-half, half, -half, half]
    else:
        finite = (
            isinstance(choice, tuple | list)
            and len(choice) == 4
            and all(
                is_real(v) and math.isfinite(v) for v in choice
            )
        )
        region = [float(v) for v in choice] if finite else []
        if not region or not (region[0] < region[1] and region[2] < region[3]):
            raise ValueError(
                "animate_training_step: decision_map must be None, True, False or a region (x0 low, "
                f"x0 high, x1 low, x1 high), a tuple or list of 4 finite numbers with low < high, "
                f"got {choice!r}"
            )
        for axis, (low, high) in enumerate((region[:2], region[2:])):
            if not math.isfinite(high - low):  # the squares' centres would be inf, then nan
                raise ValueError(
                    f"animate_training_step: decision_map's x{axis} width {format_number(high)} − "
                    f"({format_number(low)}) overflows a float; give a region narrower than 1.7e308"
                )
    if not (model.nin == 2 and model.nouts[-1] == 1):
        raise ValueError(
            "animate_training_step: a decision map needs a network with 2 inputs and 1 output, "
            f"got {model.nin} inputs and {model.nouts[-1]} outputs"
        )
    return region[0], region[1], region[2], region[3]


def _map_points(
    points: object, region: tuple[float, float, float, float] | None
) -> tuple[list[tuple[float, float, bool]], tuple[str, str]]:
    """``points=(X, y)`` as the map's dots (x0, x1, of the larger class?) and the two classes' targets."""
    if points is None:
        return [], ("", "")
    if region is None:
        raise ValueError("animate_training_step: points are drawn on the decision map, and there is none")
    dots: list[tuple[float, float, Any]] = []
    values: list[float] = []
    try:
        xs: Any = points[0]  # type: ignore[index]
        ys: Any = points[1]  # type: ignore[index]
        if len(points) != 2:  # type: ignore[arg-type]
            raise ValueError
        dots = [(float(p[0]), float(p[1]), t) for p, t in zip(xs, ys, strict=True) if len(p) == 2]
        values = sorted({float(t) for _, _, t in dots})
        complete = len(dots) == len(xs)
    except (TypeError, ValueError):
        complete = False
    if len(values) != 2 or not complete or not all(math.isfinite(v) for d in dots for v in d[:2]):
        raise ValueError(
            "animate_training_step: points must be (X, y): X a list of (x0, x1) pairs of finite numbers "
            "and y their targets, two classes (such as 0 and 1), as many as X"
        )
    low, high = values
    return [(p0, p1, float(t) == high) for p0, p1, t in dots], (_f(high), _f(low))


def map_values(
    model: MLP, region: tuple[float, float, float, float], cells: int = MAP_CELLS
) -> list[list[float]]:
    """The model's output at the centre of each square of a ``cells`` × ``cells`` grid over
    ``region`` (x0 low, x0 high, x1 low, x1 high), row 0 at the top (the largest x1). No graph
    is kept and no gradient changes.

    >>> import nn
    >>> values = map_values(nn.MLP(2, [1], activation="linear", seed=0), (-1.0, 1.0, -1.0, 1.0), cells=2)
    >>> len(values), len(values[0])
    (2, 2)
    """
    x0_low, x0_high, x1_low, x1_high = region
    width, height = (x0_high - x0_low) / cells, (x1_high - x1_low) / cells

    def output(point: list[float]) -> float:
        out = model(point)
        return (out if isinstance(out, Value) else out[0]).data

    with no_grad():
        return [
            [output([x0_low + (c + 0.5) * width, x1_high - (r + 0.5) * height]) for c in range(cells)]
            for r in range(cells)
        ]


def _map_fills(values: list[list[float]], scale: float) -> list[list[str]]:
    """Each output's colour: blue above 0, red below, stronger the larger against ``scale``; grey
    where the output is not a finite number."""
    return [
        [sign_colour(v, scale, floor=0.08) if math.isfinite(v) else "#d0d7de" for v in row] for row in values
    ]


def _curve(losses: list[float], steps: int, top: float) -> str:
    """The ``points`` of the loss curve: the loss before step 1, then after each step so far, in
    the plot's own coordinates (0, 0 top left, the loss ``top`` at the top, step ``steps`` at the
    right), so that every frame draws on the same scale."""
    width, height = CURVE
    return " ".join(f"{width * k / steps:.1f},{height * (1 - v / top):.1f}" for k, v in enumerate(losses))


def _build(
    model: MLP, x: list[float], y: object, loss_fn: Callable[[Any, Any], Value]
) -> tuple[list[list[_Neuron]], list[Value], Value, dict[Value, str]]:
    """The forward pass on ``x`` as a graph: every neuron with its z and out, the inputs, the loss,
    and a name for each node the frames mention."""
    params = model.parameters()
    layers = model.layers
    inputs = [Value(v) for v in x]
    names: dict[Value, str] = {v: f"x{i}" for i, v in enumerate(inputs)}
    names.update((p, p.label) for p in params if p.label)
    neurons: list[list[_Neuron]] = []
    signals, signal_names = inputs, [f"x{i}" for i in range(len(x))]
    for li, layer in enumerate(layers):
        outs = layer.forward_list(signals)
        row = []
        for j, (neuron, out) in enumerate(zip(layer.neurons, outs)):
            z = pre_activation(neuron, out)
            name = neuron_name(li, j, len(layers))
            names[out] = name
            if z is not out:
                names[z] = f"z[{li},{j}]"
            row.append(_Neuron(li, j, name, neuron.activation, list(neuron.w), neuron.b, list(signals),
                               list(signal_names), z, out))  # fmt: skip
        neurons.append(row)
        signals, signal_names = outs, [n.name for n in row]
    outputs = neurons[-1]
    prediction = outputs[0].out if len(outputs) == 1 else [n.out for n in outputs]
    loss = loss_fn([prediction], [y])  # nn.losses take a batch: this one holds one sample
    if not isinstance(loss, Value):
        raise TypeError(f"animate_training_step: loss_fn must return a Value, got {type(loss).__name__}")
    names[loss] = "loss"
    return neurons, inputs, loss, names


def _target_text(y: object) -> str:
    """The target as the loss card shows it: a number, or numbers separated by commas."""
    if isinstance(y, Sequence) and not isinstance(y, str):
        return ", ".join(_target_text(v) for v in y)
    return _f(y) if is_real(y) else str(y)


def _forward(
    picture: NetworkPicture,
    neurons: list[list[_Neuron]],
    inputs: list[Value],
    loss: Value,
    target: str,
    loss_name: str,
) -> list[Frame]:
    cells = tuple((f"in{i}-v", 0, _f(v.data)) for i, v in enumerate(inputs))
    text = "inputs: " + ", ".join(f"x{i} = {_f(v.data)}" for i, v in enumerate(inputs))
    frames = [Frame("forward", text, tuple(f"in{i}" for i in range(len(inputs))), set=cells)]
    for row in neurons:
        for n in row:
            frames.append(_neuron_forward(picture, n, "forward"))
    outputs = neurons[-1]
    shown = ", ".join(f"{n.name} = {_f(n.out.data)}" for n in outputs)
    cells = (("loss-y-v", 0, target), ("loss-v", 0, _f(loss.data)))
    frames.append(
        Frame(
            "forward",
            f"loss = {loss_name}(prediction {shown}; target {target}) = {_f(loss.data)}",
            ("loss",),
            edges=tuple(f"c{k}" for k in range(len(outputs))),
            set=cells,
            numbers=(("loss", loss.data),),
        )
    )
    return frames


def _neuron_forward(picture: NetworkPicture, n: _Neuron, phase: str, z: float | None = None,
                    out: float | None = None) -> Frame:  # fmt: skip
    """z = w·x + b and out = activation(z) of one neuron, from the numbers the weights and inputs
    hold now (``z``/``out`` given: the values of a forward pass with other weights)."""
    z_value = n.z.data if z is None else z
    out_value = n.out.data if out is None else out
    terms = [f"{_f(w.data)}×{_f(v.data)}" for w, v in zip(n.weights, n.inputs)]
    if n.bias is not None:
        terms.append(_f(n.bias.data))
    line1 = f"{n.name}: z = w·x + b = {' + '.join(terms)} = {_f(z_value)}"
    if n.activation == "linear":
        line2 = f"out = z (linear) = {_f(out_value)}"
    else:
        line2 = f"out = {n.activation}(z) = {n.activation}({_f(z_value)}) = {_f(out_value)}"
    edges = tuple(n.edge(i) for i in range(len(n.weights)))
    return Frame(
        phase,
        f"{line1}\n{' ' * (len(n.name) + 2)}{line2}",
        (n.card,),
        edges=edges,
        show=tuple(f"{e}-into" for e in edges) if picture.compact else (),
        set=((n.cell("z", "v"), 0, _f(z_value)), (n.cell("out", "v"), 0, _f(out_value))),
        numbers=(("z", z_value), ("out", out_value)),
    )


def _backward(
    picture: NetworkPicture,
    neurons: list[list[_Neuron]],
    steps: Any,
    names: dict[Value, str],
    loss_fn: Callable[[Any, Any], Value],
    y: Any,
) -> list[Frame]:
    frames = [
        Frame(
            "backward",
            "backward: d(loss)/d(loss) = 1 (the seed). From here, layer by layer back from the loss, "
            "each neuron's gradient d(loss)/d(z), then its weights'.",
            ("loss",),
            set=(("loss-g", 0, "1"),),
            numbers=(("seed", 1.0),),
        )
    ]
    model_nodes = set(topological_order_many([n.out for n in neurons[-1]]))
    for li in range(len(neurons) - 1, -1, -1):
        for n in neurons[li]:
            if li == len(neurons) - 1:
                frames.append(_from_loss(n, loss_fn, y, neurons[-1], steps, names, model_nodes))
            else:
                frames.append(_from_next_layer(picture, n, neurons[li + 1]))
            frames.append(_through_activation(n, names))
            frames.append(_weight_grads(picture, n))
    return frames


def topological_order_many(roots: list[Value]) -> list[Value]:
    """Every node that any of ``roots`` depends on (each once)."""
    seen: dict[Value, None] = {}
    for root in roots:
        for node in topological_order(root):
            seen.setdefault(node, None)
    return list(seen)


def _from_loss(n: _Neuron, loss_fn: Callable[[Any, Any], Value], y: Any, outputs: list[_Neuron],
               steps: Any, names: dict[Value, str], model_nodes: set[Value]) -> Frame:  # fmt: skip
    """An output's d(loss)/d(out): the loss's derivative as a formula (for nn.losses' mse, log
    loss and cross-entropy), else the loss's own chain rule, step by step."""
    grad = n.d_out
    formula = _loss_formula(n, loss_fn, y, outputs)
    if formula is not None:
        rule, numbers = formula
        text = f"d(loss)/d({n.name}) = {rule} = {numbers} = {_f(grad)}"
        question = f"d(loss)/d({n.name}) = {rule} = ?"
        hint = f"put out (on {n.name}'s card) and y (on the loss card) into {rule.split('   ')[0]}"
    else:
        lines = []
        for s in steps:
            if s.node in model_nodes:
                continue  # past the loss: inside the network
            lines.append(
                f"   at {names[s.node]}: d(loss)/d({names[s.parent]}) += {format_number(s.local, 4)} × "
                f"{format_number(s.upstream, 4)} = {format_number(s.product, 4)}   "
                f"[{local_rule(s.node, s.position, names)}]"
            )
        head = f"d(loss)/d({n.name}) = {_f(grad)}: the loss's own chain rule, from the loss back to {n.name}:"
        text = "\n".join([head, *lines])
        question = f"d(loss)/d({n.name}) = ?   (the loss's own chain rule)\n" + "\n".join(lines[:-1])
        hint = "the last step of the loss's chain rule, the local derivative × the upstream gradient"
    return Frame(
        "backward",
        text,
        ("loss",),
        targets=(n.cell("out", "g"),),
        edges=(f"c{n.index}",),
        set=((n.cell("out", "g"), 0, _f(grad)),),
        numbers=(("d_out", grad),),
        question=question,
        answer=grad,
        hint=hint,
    )


def _loss_formula(
    n: _Neuron, loss_fn: Callable[[Any, Any], Value], y: Any, outputs: list[_Neuron]
) -> tuple[str, str] | None:
    """(rule, the rule with this sample's numbers) of d(loss)/d(out) for nn.losses' own losses on
    one sample, or None for another loss function."""
    from . import losses

    out = n.out.data
    k = len(outputs)
    if loss_fn is losses.mse:
        target = y[n.index] if isinstance(y, Sequence) else y
        if k == 1:
            return "2(out − y)", f"2 × ({_f(out)} − {_f(target)})"
        return f"2(out − y) / {k}", f"2 × ({_f(out)} − {_f(target)}) / {k}"
    if loss_fn is losses.binary_cross_entropy and k == 1 and isinstance(y, int | float):
        p = 1.0 / (1.0 + math.exp(-out)) if out >= 0 else math.exp(out) / (1.0 + math.exp(out))
        return "σ(out) − y   (log loss on the logit out)", f"σ({_f(out)}) − {_f(y)} = {_f(p)} − {_f(y)}"
    if loss_fn is losses.cross_entropy and is_int(y):
        top = max(m.out.data for m in outputs)
        p = math.exp(out - top) / sum(math.exp(m.out.data - top) for m in outputs)
        hit = 1 if n.index == y else 0
        return (
            f"softmax(out)[{n.index}] − (1 if {n.index} is the class y else 0)",
            f"{_f(p)} − {hit}",
        )
    return None


def _from_next_layer(picture: NetworkPicture, n: _Neuron, next_layer: list[_Neuron]) -> Frame:
    """A hidden neuron's d(loss)/d(out): what each neuron it feeds sends back along its weight
    (a neuron that is off, d(loss)/d(z) = 0, sends back nothing: its term is left out)."""
    j = n.index
    li = n.layer + 1
    sending = [m for m in next_layer if m.delta != 0.0]
    off = len(next_layer) - len(sending)
    terms = [f"{_f(m.weights[j].data)} × {_f(m.delta)}" for m in sending]
    grad = n.d_out
    fed = f"k over the {_plural(len(next_layer), 'neuron')} it feeds"
    if off:
        fed += f"; {off} of them {'is' if off == 1 else 'are'} off (d(loss)/d(z) = 0) and left out"
    text = (
        f"d(loss)/d(out of {n.name}) = Σₖ w[{li},k,{j}] · d(loss)/d(z[{li},k])   ({fed})\n"
        f"   = {' + '.join(terms) if terms else '0'} = {_f(grad)}"
    )
    edges = tuple(m.edge(j) for m in sending)
    weights = tuple(
        element for m in sending for element, _, _ in picture.weight_cells(m.layer, m.index, j, 0, "")
    )
    return Frame(
        "backward",
        text,
        tuple(m.cell("z", "g") for m in sending) + (weights if not picture.compact else ()),
        targets=(n.cell("out", "g"),),
        edges=edges,
        show=tuple(f"{e}-outof" for e in edges) if picture.compact else (),
        set=((n.cell("out", "g"), 0, _f(grad)),),
        numbers=(("d_out", grad),),
        **_sum_questions(n, sending, li, fed, grad),
    )


def _sum_questions(n: _Neuron, sending: list[_Neuron], li: int, fed: str, grad: float) -> dict[str, Any]:
    """Practice on a hidden neuron's d(loss)/d(out): with one neuron sending back, its upstream
    gradient and the weight (the local derivative) before their product; with several, the sum
    from the numbers on the drawing (never the numbers in the question)."""
    j = n.index
    head = f"d(loss)/d(out of {n.name}) = Σₖ w[{li},k,{j}] · d(loss)/d(z[{li},k])   ({fed})"
    if len(sending) != 1:
        return {
            "question": f"{head}\n   = ?   (each term: the weight on the edge × that neuron's d(loss)/d(z))",
            "answer": grad,
            "hint": "multiply each lit edge's weight by the d(loss)/d(z) of the neuron it leads to, and add",
        }
    m = sending[0]
    upstream = Ask(
        f"{head}\n   upstream: d(loss)/d(z of {m.name}), what {m.name} sends back = ?",
        m.delta,
        hint=f"it is {m.name}'s d(loss)/d(z), from its own step before this one (← shows it, → comes back)",
        hide=((m.cell("z", "g"), 0, "?"),),
    )
    local = Ask(
        f"   local: d(z of {m.name})/d(out of {n.name}), by z = w·x + b: "
        f"the weight w[{li},{m.index},{j}] = ?",
        m.weights[j].data,
        hint=f"z = w·x + b changes by w for each 1 that x grows: the weight on the edge from {n.name} "
        f"to {m.name}",
    )
    return {
        "pieces": (upstream, local),
        "question": f"   product: d(loss)/d(out of {n.name}) = local × upstream = ?",
        "answer": grad,
        "hint": "multiply the two numbers above: local × upstream",
    }


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _through_activation(n: _Neuron, names: dict[Value, str]) -> Frame:
    """d(loss)/d(z) = d(loss)/d(out) × activation′(z), with the activation's own rule."""
    delta, upstream = n.delta, n.d_out
    if n.activation == "linear":
        text = f"d(loss)/d(z[{n.layer},{n.index}]) = d(loss)/d({n.name}) × 1 (linear: out = z)"
        text += f" = {_f(upstream)} × 1 = {_f(delta)}"
        local = 1.0
    else:
        local = n.out.local_grads[0]
        rule = local_rule(n.out, 0, names)
        text = (
            f"d(loss)/d({names[n.z]}) = d(loss)/d(out) × {n.activation}′(z) = {_f(upstream)} × "
            f"{_f(local)} = {_f(delta)}\n   {n.activation}′(z) by {rule}"
        )
        if _off(n):
            text += f"\n   {n.name} is {OFF_TEXT} (z ≤ 0: a small change to them leaves out at 0)"
    cells = [(n.cell("z", "g"), 0, _f(delta))]
    return Frame(
        "backward",
        text,
        (n.cell("out", "g"), n.cell("z", "v")),
        targets=(n.cell("z", "g"),),
        set=tuple(cells),
        style=((n.card, "opacity", OFF_OPACITY),) if _off(n) else (),
        numbers=(("local", local), ("delta", delta)),
        **_activation_questions(n, names, local, upstream, delta),
    )


def _activation_questions(n: _Neuron, names: dict[Value, str], local: float, upstream: float,
                          delta: float) -> dict[str, Any]:  # fmt: skip
    """Practice on d(loss)/d(z): the upstream gradient d(loss)/d(out) (hidden on the card while
    asked), the activation's derivative from its rule (named, never its number), their product."""
    z = f"z[{n.layer},{n.index}]"
    pieces = [
        Ask(
            f"d(loss)/d({z}) = d(loss)/d(out) × {n.activation}′(z)\n"
            f"   upstream: d(loss)/d(out of {n.name}) = ?",
            upstream,
            hint=f"it is what the step before gave {n.name}'s out (← shows that step, → comes back)",
            hide=((n.cell("out", "g"), 0, "?"),),
        )
    ]
    if n.activation != "linear":
        words, how = rule_words(n.out, 0, names)
        pieces.append(Ask(f"   local: {n.activation}′(z) by {words} = ?", local, hint=how))
    return {
        "pieces": tuple(pieces),
        "question": f"   product: d(loss)/d({z}) = local × upstream = ?"
        if n.activation != "linear"
        else f"   product: d(loss)/d({z}) = upstream × 1 (linear: out = z) = ?",
        "answer": delta,
        "hint": "multiply the numbers above",
    }


OFF_TEXT = "off: d(loss)/d(z) = 0, its weights do not move"
OFF_OPACITY = "0.45"  # an off neuron's card fades from its backward step until the next forward pass


def _off(n: _Neuron) -> bool:
    """A ReLU neuron that is off for this sample: z ≤ 0, so relu′(z) = 0 and nothing flows back."""
    return n.activation == "relu" and n.z.data <= 0.0 and n.delta == 0.0


def _weight_grads(picture: NetworkPicture, n: _Neuron) -> Frame:
    """Each weight's gradient: d(loss)/d(z) × the input it multiplied; the bias's: × 1."""
    delta = n.delta
    li, j = n.layer, n.index
    if _off(n):
        head = f"{n.name} is {OFF_TEXT}: each weight's gradient is 0 × its input = 0, the bias's 0 × 1 = 0"
    else:
        head = (
            f"{n.name}'s weights: d(loss)/d(wi) = d(loss)/d(z) × input i = {_f(delta)} × input i"
            f"   (wi: w[{li},{j},i], input i: {'xi' if li == 0 else f'h[{li - 1},i]'})"
        )
    lines = [head]
    cells: list[tuple[str, int, str]] = []
    targets: list[str] = []
    for i, (w, v) in enumerate(zip(n.weights, n.inputs)):
        if not _off(n):  # an off neuron's list would be zeros only
            lines.append(f"   w{i}: × {_f(v.data)} = {_f(float(w.grad))}")
        written = picture.weight_cells(li, j, i, 1, _f(float(w.grad)))
        cells += written
        targets += [element for element, _, _ in written]
    if n.bias is not None:
        if not _off(n):
            lines.append(f"   b: × 1 = {_f(float(n.bias.grad))}")
        cells.append((n.cell("b", "g"), 0, _f(float(n.bias.grad))))
        targets.append(n.cell("b", "g"))
    edges = tuple(n.edge(i) for i in range(len(n.weights)))
    sources = tuple(_source_cell(n, i) for i in range(len(n.weights)))
    return Frame(
        "backward",
        "\n".join(lines),
        (n.cell("z", "g"), *sources),
        targets=tuple(targets),
        edges=edges,
        show=tuple(f"{e}-into" for e in edges) if picture.compact else (),
        set=tuple(cells),
        numbers=tuple((w.label or n.edge(i), float(w.grad)) for i, w in enumerate(n.weights)),
        grid=len(lines) - 1,
    )


def _source_cell(n: _Neuron, i: int) -> str:
    return f"in{i}-v" if n.layer == 0 else f"n{n.layer - 1}_{i}-out-v"


def _update(
    picture: NetworkPicture, neurons: list[list[_Neuron]], lr: float, optimizer: Any, largest: float
) -> list[Frame]:
    """Each neuron's weights moved (by ``−lr × grad``, or by ``optimizer.step()`` when there is
    one), its edges redrawn from them (on the scale of the old weights)."""
    owned = [
        p for row in neurons for n in row for p in (*n.weights, *([n.bias] if n.bias is not None else []))
    ]
    before = {p: p.data for p in owned}
    if optimizer is None:
        for p in owned:
            p.data = p.data - lr * float(p.grad)
        how = f"w ← w − lr × grad, lr = {format_number(lr)}"
    else:
        optimizer.step()
        how = f"{type(optimizer).__name__}.step()"
    frames: list[Frame] = []
    for row in neurons:
        for n in row:
            lines = [f"{n.name}: {how}   (wi: w[{n.layer},{n.index},i])"]
            if optimizer is None and n.weights:
                w = n.weights[0]
                step = f"{_f(before[w])} − {format_number(lr)} × {_f(float(w.grad))}"
                lines[0] += f"\n   e.g. w0 ← {step} = {_f(w.data)}"
            cells: list[tuple[str, int, str]] = []
            styles = []
            for i, w in enumerate(n.weights):
                lines.append("   " + _move(w, before[w], f"w{i}"))
                cells += picture.weight_cells(n.layer, n.index, i, 0, _f(w.data))
                colour, width = weight_style(w.data, largest)
                styles += [
                    (f"{n.edge(i)}-line", "stroke", colour),
                    (f"{n.edge(i)}-line", "stroke-width", f"{width:.2f}"),
                ]
            if n.bias is not None:
                lines.append("   " + _move(n.bias, before[n.bias], "b"))
                cells.append((n.cell("b", "v"), 0, _f(n.bias.data)))
            edges = tuple(n.edge(i) for i in range(len(n.weights)))
            if all(before[p] == p.data for p in (*n.weights, *([n.bias] if n.bias else []))) and _off(n):
                lines = [f"{lines[0]}\n   {n.name} was off: every gradient 0, so no weight moved"]
            frames.append(
                Frame(
                    "update",
                    "\n".join(lines),
                    (n.card,),
                    targets=tuple(e for e, _, _ in cells),
                    edges=edges,
                    show=tuple(f"{e}-into" for e in edges) if picture.compact else (),
                    set=tuple(cells),
                    style=tuple(styles),
                    numbers=tuple((w.label or n.edge(i), w.data) for i, w in enumerate(n.weights)),
                    grid=len(lines) - 1,
                )
            )
    return frames


def _move(p: Value, old: float, name: str) -> str:
    return f"{name}: {_f(old)} → {_f(p.data)}"


def _cleared_grads(picture: NetworkPicture, neurons: list[list[_Neuron]]) -> list[tuple[str, int, str]]:
    """Every gradient cell back to "—" (an edge label's gradient line to empty)."""
    cells: list[tuple[str, int, str]] = [("loss-g", 0, NO_GRAD)]
    for n in (m for row in neurons for m in row):
        cells += [(n.cell(row, "g"), 0, NO_GRAD) for row in ("z", "out")]
        if n.bias is not None:
            cells.append((n.cell("b", "g"), 0, NO_GRAD))
        for i in range(len(n.weights)):
            cells += picture.weight_cells(n.layer, n.index, i, 1, "" if picture.compact else NO_GRAD)
    return cells


def _again(
    picture: NetworkPicture,
    neurons: list[list[_Neuron]],
    inputs: list[Value],
    loss_fn: Callable[[Any, Any], Value],
    y: Any,
    old_loss: Value,
) -> list[Frame]:
    """The forward pass with the new weights, layer by layer, and the loss before → after."""
    signals: list[Value] = [Value(v.data) for v in inputs]
    frames: list[Frame] = []
    for row in neurons:
        layer = picture.model.layers[row[0].layer]
        outs = layer.forward_list(signals)
        lines, cells = [], []
        for n, out in zip(row, outs):
            z = pre_activation(layer.neurons[n.index], out)
            lines.append(f"{n.name}: {_f(out.data)} (was {_f(n.out.data)})")
            cells += [(n.cell("z", "v"), 0, _f(z.data)), (n.cell("out", "v"), 0, _f(out.data))]
        count = len(lines)
        head = (
            f"layer {row[0].layer}, forward with the new weights: each neuron's out = "
            f"{row[0].activation}(w·x + b), and what it was before the step"
        )
        if not frames:
            head = (
                "forward pass again with the new weights (gradients cleared: they belonged to the old ones)\n"
                + head
            )
            cells = _cleared_grads(picture, neurons) + cells
        faded = tuple((n.card, "opacity", None) for n in row)  # an off neuron's card, back
        frames.append(
            Frame(
                "after",
                "\n".join([head, *lines]),
                tuple(n.card for n in row),
                set=tuple(cells),
                style=faded,
                grid=count,
            )  # fmt: skip
        )
        signals = outs
    prediction = signals[0] if len(signals) == 1 else signals
    new_loss = loss_fn([prediction], [y]).data
    change = new_loss - old_loss.data
    frames.append(
        Frame(
            "after",
            f"loss {_f(old_loss.data)} → {_f(new_loss)}   (change {_f(change)}: "
            f"{'lower' if change < 0 else 'higher' if change > 0 else 'the same'} after one step)",
            ("loss",),
            set=(("loss-after-v", 0, _f(new_loss)),),
            numbers=(("before", old_loss.data), ("after", new_loss)),
        )
    )
    return frames
