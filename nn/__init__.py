"""gradstep's network layer: modules, initialisers, losses, optimisers, data, training, saving.

Built only on ``autograd``'s public API. Plotting, drawing and the PyTorch bridge import their
third-party libraries lazily.

>>> import nn
>>> model = nn.MLP(2, [8, 1], seed=0)
>>> X, y = nn.data.moons(40, noise=0.1, seed=0)
>>> loss = nn.losses.binary_cross_entropy([model(x) for x in X], y)
>>> loss.data > 0
True
"""

from . import data, init, losses, optim
from .module import ACTIVATIONS, MLP, Layer, Module, Neuron

__all__ = ["ACTIVATIONS", "MLP", "Layer", "Module", "Neuron", "data", "init", "losses", "optim"]
