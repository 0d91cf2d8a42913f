"""The players that the README pictures and the documentation site show, built in one place.

``docs/screenshots.py`` photographs them for the README; ``docs/conf.py`` writes them as pages
into the site at build time (``docs/players.md`` embeds them).
"""

from __future__ import annotations

import nn
from autograd import Player, Value, animate, animate_tape


def lecture_neuron() -> tuple[Value, list[Value]]:
    """The micrograd lecture's neuron o = tanh(x1·w1 + x2·w2 + b), and its weights and bias."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    return o, [w1, w2, b]


def network_player() -> Player:
    """One training step of a small tanh network on one sample (the README's network example)."""
    model = nn.MLP(2, [4, 4, 1], activation="tanh", seed=0)
    return nn.animate_training_step(model, [0.5, -1.0], 1.0, lr=0.1)


def tape_player() -> Player:
    """The README's tape example: the lecture neuron as a function of x1 and x2, its weights and
    bias captured, played line by line."""
    w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.8813735870195432, label="b")

    def neuron(x1: Value, x2: Value) -> Value:
        o = (x1 * w1 + x2 * w2 + b).tanh()
        o.label = "o"
        return o

    return animate_tape(neuron, 2.0, 0.0)


def site_players() -> dict[str, Player]:
    """The site's players by file name: the expression player with its update (the README's
    ``animate(o, lr=0.1, params=[w1, w2, b])``), the network player and the tape player."""
    o, params = lecture_neuron()
    return {
        "neuron": animate(o, lr=0.1, params=params),
        "training_step": network_player(),
        "tape": tape_player(),
    }
