"""Pictures of training: loss and accuracy curves, a 2-D classifier's decision boundary, a 1-D
regression curve. matplotlib is imported inside each function, and figures are made without
``pyplot`` (no global state, no display needed: safe on a server). Each function returns the
``Figure`` (Jupyter shows it) and, given ``path``, also saves it there.

>>> from nn.metrics import History
>>> fig = plot_history(History(train_loss=[1.0, 0.5], train_acc=[0.5, 0.9]))
>>> [ax.get_title() for ax in fig.axes]
['loss', 'accuracy']
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from autograd import no_grad

from .checks import is_int
from .metrics import History, predict_class
from .module import Module

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_decision_boundary", "plot_history", "plot_regression"]

_CLASS_COLOURS = ["#2166ac", "#b2182b", "#1b7837", "#e08214", "#762a83", "#35978f", "#8c510a", "#c51b7d"]


def _figure(width: float, height: float, ncols: int = 1) -> tuple[Figure, list[Any]]:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plots need matplotlib: pip install 'gradstep[viz]'") from None
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    return fig, axes


def _save(fig: Figure, path: str | os.PathLike[str] | None) -> Figure:
    if path is not None:
        folder = os.path.dirname(os.fspath(path))
        if folder:
            os.makedirs(folder, exist_ok=True)
        fig.savefig(path, dpi=110)
    return fig


def plot_history(history: History, path: str | os.PathLike[str] | None = None) -> Figure:
    """Loss per epoch (and accuracy, when there is one), training and validation."""
    if not isinstance(history, History):
        raise TypeError(f"plot_history needs the History that fit() returns, got {type(history).__name__}")
    has_acc = any(a is not None for a in history.train_acc + history.val_acc)
    fig, axes = _figure(9.0 if has_acc else 5.0, 3.4, 2 if has_acc else 1)
    epochs = list(range(1, history.epochs + 1))
    ax = axes[0]
    ax.plot(epochs, history.train_loss, label="train", color=_CLASS_COLOURS[0])
    if history.val_loss:
        ax.plot(
            epochs[: len(history.val_loss)], history.val_loss, label="validation", color=_CLASS_COLOURS[1]
        )
    if history.train_loss and min(history.train_loss) > 0:
        ax.set_yscale("log")
    ax.set(title="loss", xlabel="epoch")
    ax.legend()
    if has_acc:
        ax = axes[1]
        train = [100 * a for a in history.train_acc if a is not None]
        ax.plot(epochs[: len(train)], train, label="train", color=_CLASS_COLOURS[0])
        if history.val_acc and history.val_acc[0] is not None:
            val = [100 * a for a in history.val_acc if a is not None]
            ax.plot(epochs[: len(val)], val, label="validation", color=_CLASS_COLOURS[1])
        ax.set(title="accuracy", xlabel="epoch", ylabel="%", ylim=(0, 101))
        ax.legend(loc="lower right")
    return _save(fig, path)


def _kind(model: Module, kind: str | None) -> str:
    if kind is not None:
        return kind
    activations = getattr(model, "activations", None)
    if activations and activations[-1] == "sigmoid":
        return "probability"
    return "logit"


def plot_decision_boundary(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    path: str | os.PathLike[str] | None = None,
    *,
    resolution: int = 80,
    kind: str | None = None,
    title: str = "decision boundary",
) -> Figure:
    """The class the model predicts at every point of a grid over the data, with the data on top.

    ``kind``: how to read the output: ``"logit"`` (one score, class 1 above 0; the default),
    ``"margin"`` (hinge; labels -1/+1), ``"probability"`` (sigmoid output, class 1 above 0.5;
    chosen automatically when the last activation is sigmoid) or ``"classes"`` (argmax).
    """
    if not X or len(X[0]) != 2:
        raise ValueError("plot_decision_boundary needs 2-D inputs (rows of two numbers)")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
    if not is_int(resolution) or resolution < 2:
        raise ValueError(f"resolution must be an int >= 2, got {resolution!r}")
    kind = _kind(model, kind)
    xs = [row[0] for row in X]
    ys = [row[1] for row in X]
    pad_x = 0.1 * (max(xs) - min(xs) or 1.0)
    pad_y = 0.1 * (max(ys) - min(ys) or 1.0)
    x0, x1 = min(xs) - pad_x, max(xs) + pad_x
    y0, y1 = min(ys) - pad_y, max(ys) + pad_y
    gx = [x0 + (x1 - x0) * i / (resolution - 1) for i in range(resolution)]
    gy = [y0 + (y1 - y0) * j / (resolution - 1) for j in range(resolution)]
    with no_grad():
        grid = [[_grid_class(model([a, b]), kind) for a in gx] for b in gy]

    from matplotlib.colors import ListedColormap

    labels = sorted(set(y) | {c for row in grid for c in row})
    index = {c: i for i, c in enumerate(labels)}
    colours = [_CLASS_COLOURS[i % len(_CLASS_COLOURS)] for i in range(len(labels))]
    cmap = ListedColormap(colours)
    fig, (ax,) = _figure(5.0, 4.4)
    # One filled contour per class, of "is this class" at level 0.5: smooth boundaries from a
    # coarse grid, and no band of a third class where two others meet (as contouring indices gives).
    for i, colour in enumerate(colours):
        mask = [[1.0 if index[c] == i else 0.0 for c in row] for row in grid]
        if any(v for row in mask for v in row):
            ax.contourf(gx, gy, mask, levels=[0.5, 1.5], colors=[colour], alpha=0.25)
    ax.scatter(xs, ys, c=[index[c] for c in y], cmap=cmap, vmin=-0.5, vmax=len(labels) - 0.5,
               s=18, edgecolors="black", linewidths=0.4)  # fmt: skip
    ax.set(title=title, xlim=(x0, x1), ylim=(y0, y1), xlabel="x[0]", ylabel="x[1]")
    return _save(fig, path)


def _grid_class(output: Any, kind: str) -> int:
    if kind == "probability":
        return 1 if output.data > 0.5 else 0
    return predict_class(output, kind)  # type: ignore[return-value]


def plot_regression(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[float],
    path: str | os.PathLike[str] | None = None,
    *,
    points: int = 200,
    title: str = "prediction",
) -> Figure:
    """A 1-input regression model's prediction as a curve over the data's range, with the data."""
    if not X or len(X[0]) != 1:
        raise ValueError("plot_regression needs 1-D inputs (rows of one number)")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} targets")
    xs = [row[0] for row in X]
    lo, hi = min(xs), max(xs)
    grid = [lo + (hi - lo) * i / (points - 1) for i in range(points)]
    with no_grad():
        curve = [model([x]).data for x in grid]
    fig, (ax,) = _figure(5.0, 3.6)
    ax.scatter(xs, list(y), s=12, color=_CLASS_COLOURS[0], alpha=0.6, label="data")
    ax.plot(grid, curve, color=_CLASS_COLOURS[1], linewidth=2, label="model")
    ax.set(title=title, xlabel="x", ylabel="y")
    ax.legend()
    return _save(fig, path)
