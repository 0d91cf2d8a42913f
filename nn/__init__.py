"""gradstep's network layer: modules, initialisers, losses, optimisers, data, training, saving.

Built only on ``autograd``'s public API. Plots (``nn.plot``), network drawings (``nn.draw``) and
the PyTorch bridge (``nn.torch_bridge``) load matplotlib, graphviz and torch only when used.

>>> import nn
>>> X, y = nn.data.moons(60, noise=0.1, seed=0)
>>> model = nn.MLP(2, [8, 1], seed=0)
>>> history = nn.fit(model, (X, y), "bce", nn.optim.Adam(model.parameters(), lr=0.05),
...                  epochs=3, batch_size=20, seed=0, progress=False)
>>> history.train_loss[-1] < history.train_loss[0]
True
"""

from __future__ import annotations

import importlib
from typing import Any

from . import data, init, io, losses, optim, train
from .io import load, save
from .module import ACTIVATIONS, MLP, Layer, Module, Neuron
from .optim import SGD, Adam
from .train import History, evaluate, fit

# Loaded on first use, so that `import nn` does not import matplotlib, graphviz or torch.
_LAZY = {
    "plot": ("nn.plot", None),
    "draw": ("nn.draw", None),
    "torch_bridge": ("nn.torch_bridge", None),
    "plot_history": ("nn.plot", "plot_history"),
    "plot_decision_boundary": ("nn.plot", "plot_decision_boundary"),
    "plot_regression": ("nn.plot", "plot_regression"),
    "draw_network": ("nn.draw", "draw_network"),
    "animate_training_step": ("nn.animate", "animate_training_step"),
    "animate": ("nn.animate", None),
    "to_torch": ("nn.torch_bridge", "to_torch"),
    "from_torch": ("nn.torch_bridge", "from_torch"),
}

__all__ = [
    "ACTIVATIONS",
    "SGD",
    "Adam",
    "MLP",
    "History",
    "Layer",
    "Module",
    "Neuron",
    "data",
    "evaluate",
    "fit",
    "init",
    "io",
    "load",
    "losses",
    "optim",
    "save",
    "train",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'nn' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    return module if attribute is None else getattr(module, attribute)


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
