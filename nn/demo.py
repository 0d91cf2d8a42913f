"""The main job: ``python -m nn.demo`` (what ``make demo`` runs).

Trains a small MLP on a toy dataset (two moons by default) with a progress bar, prints the final
training and validation accuracy, and writes to the output folder:

- ``loss.png``: loss and accuracy per epoch, training and validation;
- ``decision_boundary.png``: what the trained network predicts over the plane;
- ``neuron.svg``: the computation graph of one trained neuron on one input, after backward;
- ``neuron.html``: the same neuron played in the browser with a target y (the sample's label) and
  loss (out − y)²: forward pass, backward pass, its weights' update and the loss after it, named
  as on the network player's card (x0, w0, b, z, out);
- ``neuron_tape.html``: that neuron's tape (``autograd.animate_tape``), the program backpropagation
  runs: its forward sweep, then its reverse sweep, line by line with the numbers;
- ``training_step.html``: a training step that matters: the network as it was after its first
  epoch, on the validation point it then got most wrong, played neuron by neuron (the network
  player, with the decision map and the data on it for a one-output network; the saved model is
  not changed);
- ``model.json``: the trained weights (``nn.io.load`` reads them back).

Run ``python -m nn.demo --help`` for the options.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from autograd import GraphvizNotFound, Value, animate, animate_tape, no_grad, topological_order

from . import data, io, losses, optim
from .animate import animate_training_step
from .module import ACTIVATIONS, MLP, Module, Neuron
from .train import evaluate, fit


@dataclass(frozen=True)
class Dataset:
    """A toy dataset's loss (which also says how many outputs the network needs) and default noise."""

    loss: str
    noise: float


DATASETS = {
    "moons": Dataset("bce", 0.1),
    "circles": Dataset("bce", 0.05),
    "xor": Dataset("bce", 0.0),
    "spiral": Dataset("cross_entropy", 0.2),
}
SPIRAL_CLASSES = 3


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0.0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive finite number, got {text}")
    return value


def _noise(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0.0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def _layers(text: str) -> list[int]:
    parts = [p.strip() for p in text.split(",")]
    if not text.strip() or any(not p for p in parts):
        raise argparse.ArgumentTypeError(f"expected hidden layer sizes like 16,16, got {text!r}")
    try:
        return [_positive_int(p) for p in parts]
    except argparse.ArgumentTypeError as error:
        raise argparse.ArgumentTypeError(f"in {text!r}: {error}") from None


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m nn.demo``."""
    p = argparse.ArgumentParser(
        prog="python -m nn.demo",
        description="Train a small neural network with gradstep and draw what it learned.",
        epilog="Writes loss.png, decision_boundary.png, neuron.svg, neuron.html, neuron_tape.html, "
        "training_step.html and model.json into --out.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--dataset", choices=sorted(DATASETS), default="moons", help="toy dataset to learn")
    p.add_argument(
        "--samples", type=_positive_int, default=300, help="number of points (20%% for validation)"
    )
    p.add_argument("--noise", type=_noise, default=None, help="dataset noise (default: per dataset)")
    p.add_argument("--layers", type=_layers, default=[16, 16], help="hidden layer sizes, comma-separated")
    p.add_argument("--activation", choices=[a for a in ACTIVATIONS if a != "linear"], default="relu",
                   help="activation of the hidden layers")  # fmt: skip
    p.add_argument("--epochs", type=_positive_int, default=60, help="passes over the training set")
    p.add_argument("--batch-size", type=_positive_int, default=32, help="samples per gradient step")
    p.add_argument("--lr", type=_positive_float, default=0.02, help="Adam's learning rate")
    p.add_argument("--seed", type=int, default=0, help="seed for data, weights and shuffling")
    p.add_argument("--out", default="out", help="folder for the pictures and the weights")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def first_neuron(model: MLP, x: Sequence[float]) -> Value:
    """The first hidden neuron of ``model`` on input ``x``, built op by op (one node per multiply
    and add, as micrograd builds it), named as on the network player's card: inputs x0, x1, …,
    weights w0, w1, …, the bias b, the products w0·x0, …, the weighted sum z and its output out."""
    neuron = named_neuron(model, fused=False)
    out = name_output(neuron([Value(v, label=f"x{i}") for i, v in enumerate(x)]))
    for node in _inner(out.parents[0] if out.parents else out):
        joiner = "·" if node.op is not None and node.op.symbol == "*" else "+"
        node.label = joiner.join(p.label for p in node.parents)
    return out


def named_neuron(model: MLP, fused: bool) -> Neuron:
    """A copy of the first hidden neuron of ``model`` with its weights named w0, w1, … and its
    bias b, as the network player's card names them (the model's own keep their w[0,0,i])."""
    trained = model.layers[0].neurons[0]
    neuron = Neuron(len(trained.w), activation=trained.activation, bias=trained.b is not None,
                    fused=fused, seed=0)  # fmt: skip
    neuron.load_state_dict(trained.state_dict())
    for i, w in enumerate(neuron.w):
        w.label = f"w{i}"
    if neuron.b is not None:
        neuron.b.label = "b"
    return neuron


def name_output(out: Value) -> Value:
    """Name a neuron's output out and its weighted sum z (the activation's input)."""
    out.label = "out"
    z = out.parents[0] if out.parents else out
    z.label = "z" if z is not out else z.label
    return out


def _inner(z: Value) -> list[Value]:
    """The unnamed nodes inside a neuron's weighted sum ``z``, inputs before the nodes that use
    them: the products w0·x0, …, and the partial sums."""
    return [n for n in topological_order(z)[::-1] if n.op is not None and not n.label and n is not z]


def neuron_loss(model: MLP, x: Sequence[float], y: float) -> Value:
    """The first hidden neuron on ``x`` with a target: loss = (out − y)², as if this one neuron had
    to output the sample's label ``y`` (a lesson, not what training does to a hidden neuron)."""
    out = first_neuron(model, x)
    error = out - y
    error.label = "out−y"
    loss = error**2
    loss.label = "loss"
    return loss


def draw_neuron(model: MLP, x: Sequence[float], path: str) -> str:
    """Draw the first hidden neuron of ``model`` on input ``x``, op by op, after backward.

    Returns the path written: ``path`` (SVG), or a ``.dot`` text file next to it when Graphviz's
    ``dot`` program is missing.
    """
    out = first_neuron(model, x)
    out.backward()

    from autograd import draw_dot

    drawing = draw_dot(out, rankdir="LR", format="svg", show_local=True)
    try:
        svg = drawing.pipe(format="svg")
    except RuntimeError as error:  # Graphviz's dot program is missing: keep the DOT text
        dot_path = os.path.splitext(path)[0] + ".dot"
        with open(dot_path, "w", encoding="utf-8") as f:
            f.write(drawing.source)
        print(f"note: {error}\nwrote the DOT text to {dot_path} instead", file=sys.stderr)
        return dot_path
    with open(path, "wb") as f:
        f.write(svg)
    return path


def play_neuron(model: MLP, x: Sequence[float], y: float, path: str) -> str | None:
    """The expression player of the first hidden neuron on ``x`` with the target ``y``
    (``neuron_loss``): forward pass, backward pass, the SGD step of its weights and bias (lr 0.1,
    shown, the model unchanged) and the loss after it. Returns ``path``, or None (with a note)
    when Graphviz's ``dot`` is missing."""
    loss = neuron_loss(model, x, y)
    params = [p for p in topological_order(loss) if p.is_leaf and p.label and p.label[0] in "wb"]
    try:
        # top to bottom: the unfused neuron and its loss are 12 boxes, too wide for a window across
        title = f"gradstep: neuron h[0,0] of the trained network, made to output y = {y:g}"
        player = animate(loss, lr=0.1, params=params, rankdir="TB", title=title)
    except GraphvizNotFound as error:
        print(f"note: {error}\nskipped {path}", file=sys.stderr)
        return None
    player.save(path)
    return path


def play_neuron_tape(model: MLP, x: Sequence[float], path: str) -> str:
    """The tape of the first hidden neuron (its output as a function of the inputs ``x``, its
    parameters captured), played line by line, named as in neuron.html: the tape's slots v0, v1, …
    with the learner's names beside them (inputs x0, x1, captured leaves w0, w1, b; z, out)."""
    copy = named_neuron(model, fused=True)  # one dot node for w·x + b, as the model computes it

    def neuron(*inputs: Value) -> Value:
        return name_output(copy(list(inputs)))

    player = animate_tape(neuron, *x, title="gradstep: the tape of one neuron of the trained network")
    player.save(path)
    return path


def data_region(X: Sequence[Sequence[float]], margin: float = 0.1) -> tuple[float, float, float, float]:
    """The points' bounding box, ``margin`` of its size wider on each side: the decision map's region.

    >>> data_region([[0.0, 1.0], [2.0, 3.0]])
    (-0.2, 2.2, 0.8, 3.2)
    """
    x0s, x1s = [p[0] for p in X], [p[1] for p in X]
    pad0, pad1 = margin * ((max(x0s) - min(x0s)) or 1.0), margin * ((max(x1s) - min(x1s)) or 1.0)
    return min(x0s) - pad0, max(x0s) + pad0, min(x1s) - pad1, max(x1s) + pad1


def hardest_sample(model: MLP, X: Sequence[Sequence[float]], y: Sequence, loss: str) -> int:
    """The index of the sample with the largest loss: where a training step has the most to do
    (for a classifier that is still learning, a point it gets wrong)."""
    loss_fn, _ = losses.get(loss)
    with no_grad():
        losses_ = [loss_fn([model(x)], [t]).data for x, t in zip(X, y)]
    return max(range(len(losses_)), key=losses_.__getitem__)


def play_training_step(
    model: MLP,
    x: Sequence[float],
    y: float | Sequence[float],
    loss: str,
    path: str,
    region: tuple[float, float, float, float] | None = None,
    points: tuple[Sequence[Sequence[float]], Sequence] | None = None,
    title: str | None = None,
) -> str:
    """The network player of one SGD step (lr 0.1) on a copy of ``model`` (``model`` itself is
    not changed), with the decision map over ``region`` and ``points`` on it when the network has
    one output."""
    loss_fn, _ = losses.get(loss)
    one = model.nouts[-1] == 1
    shown = points if one and region is not None else None
    chosen = region if one else None
    player = animate_training_step(
        copy.deepcopy(model), x, y, loss_fn=loss_fn, lr=0.1, decision_map=chosen, points=shown, title=title
    )
    player.save(path)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; returns the exit status."""
    args = parser().parse_args(argv)
    if args.samples < 10:
        parser().error(
            f"argument --samples: at least 10 are needed to leave a validation set, got {args.samples}"
        )
    started = time.perf_counter()
    spec = DATASETS[args.dataset]
    noise = spec.noise if args.noise is None else args.noise
    options = {"k": SPIRAL_CLASSES} if args.dataset == "spiral" else {}
    X, y = data.make(args.dataset, args.samples, seed=args.seed, noise=noise, **options)
    X_train, y_train, X_val, y_val = data.train_val_split(X, y, 0.2, seed=args.seed)

    outputs = SPIRAL_CLASSES if spec.loss == "cross_entropy" else 1
    # He initialisation suits ReLU-like layers, Glorot the saturating ones.
    init = "he_uniform" if args.activation in ("relu", "leaky_relu") else "xavier_uniform"
    model = MLP(2, [*args.layers, outputs], activation=args.activation, init=init, seed=args.seed)
    print(
        f"{args.dataset}: {len(X_train)} training and {len(X_val)} validation points; model {model._header()}"
    )
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    early: list[MLP] = []  # the network after its first epoch: still learning, so a step shows

    def keep_first(epoch: int, logs: dict[str, Any], trained: Module) -> None:
        if epoch == 0 and isinstance(trained, MLP):
            early.append(copy.deepcopy(trained))

    history = fit(
        model,
        (X_train, y_train),
        spec.loss,
        optimizer,
        epochs=args.epochs,
        batch_size=args.batch_size,
        val_data=(X_val, y_val),
        seed=args.seed,
        progress=not args.no_progress,
        callbacks=[keep_first],
    )
    train_loss, train_acc = evaluate(model, (X_train, y_train), spec.loss)
    val_loss, val_acc = evaluate(model, (X_val, y_val), spec.loss)
    trained_for = time.perf_counter() - started
    print(f"train accuracy {train_acc:.1%} (loss {train_loss:.4f}), "
          f"validation accuracy {val_acc:.1%} (loss {val_loss:.4f}) after {history.epochs} epochs, "
          f"{trained_for:.1f} s")  # fmt: skip

    from .plot import plot_decision_boundary, plot_history

    os.makedirs(args.out, exist_ok=True)
    curves = os.path.join(args.out, "loss.png")
    plot_history(history, curves)
    boundary = os.path.join(args.out, "decision_boundary.png")
    plot_decision_boundary(model, X, y, boundary, title=f"{args.dataset}: validation accuracy {val_acc:.1%}")
    written = [curves, boundary]
    written.append(draw_neuron(model, X_train[0], os.path.join(args.out, "neuron.svg")))
    weights = os.path.join(args.out, "model.json")
    io.save(model, weights)
    written.append(weights)
    neuron_page = play_neuron(model, X_train[0], float(y_train[0]), os.path.join(args.out, "neuron.html"))
    tape_page = play_neuron_tape(model, X_train[0], os.path.join(args.out, "neuron_tape.html"))
    hardest = hardest_sample(early[0], X_val, y_val, spec.loss)
    step_page = play_training_step(
        early[0], X_val[hardest], y_val[hardest], spec.loss, os.path.join(args.out, "training_step.html"),
        region=data_region(X), points=(X_train, y_train),
        title="gradstep: one training step after epoch 1, on a point the network gets wrong",
    )  # fmt: skip
    written += [p for p in (neuron_page, tape_page, step_page) if p]
    print("wrote " + ", ".join(written) + f" in {time.perf_counter() - started:.1f} s total")
    print(f"open {step_page} in a browser: a training step after the first epoch, on the validation point "
          "the network then got most wrong, neuron by neuron (forward, backward, update)")  # fmt: skip
    if neuron_page:
        print(f"open {neuron_page} in a browser: one neuron's forward and backward pass and update, op by op")
    print(f"open {tape_page} in a browser: that neuron's tape, the program backpropagation runs, "
          "line by line")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
