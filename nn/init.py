"""Weight initialisers: the starting numbers of a layer's weights and biases.

Each initialiser fills a whole layer (``nout`` neurons with ``nin`` inputs each) and returns an
:class:`Init`: ``weights`` (one row per neuron) and ``biases`` (one per neuron). Numbers are drawn
neuron by neuron (its weights, then its bias), so ``uniform`` with the global ``random`` module
reproduces micrograd's (and the lecture's) networks exactly after the same ``random.seed``.

Randomness comes from ``rng`` (a ``random.Random``), else from ``seed``, else from the global
``random`` module (micrograd's behaviour: ``random.seed(1337)`` makes it repeatable).

>>> w = uniform(3, 2, seed=0)
>>> len(w.weights), len(w.weights[0]), w.biases
(2, 3, [0.0, 0.0])
>>> zeros(2, 1).weights
[[0.0, 0.0]]
>>> nw = nguyen_widrow(2, 4, seed=0)
>>> [round(sum(v * v for v in row) ** 0.5, 6) for row in nw.weights]  # every row has norm 0.7 * 4 ** (1/2)
[1.4, 1.4, 1.4, 1.4]
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any, NamedTuple

from .checks import is_int

__all__ = [
    "INITIALIZERS",
    "Init",
    "get",
    "he_normal",
    "he_uniform",
    "kaiming_normal",
    "kaiming_uniform",
    "glorot_normal",
    "glorot_uniform",
    "nguyen_widrow",
    "resolve_rng",
    "uniform",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]

BIAS_CHOICES = ("zeros", "uniform")


class Init(NamedTuple):
    """A layer's starting values: ``weights[j][i]`` (neuron j, input i) and ``biases[j]``."""

    weights: list[list[float]]
    biases: list[float]


def resolve_rng(rng: random.Random | None = None, seed: int | None = None) -> Any:
    """The random source to draw from: ``rng``, else ``random.Random(seed)``, else the global ``random``.

    >>> resolve_rng(seed=1).random() == random.Random(1).random()
    True
    """
    if rng is not None and seed is not None:
        raise ValueError("pass either rng or seed, not both")
    if rng is not None:
        if not isinstance(rng, random.Random):
            raise TypeError(f"rng must be a random.Random, got {type(rng).__name__}")
        return rng
    if seed is not None:
        if not is_int(seed):
            raise TypeError(f"seed must be an int, got {type(seed).__name__}: {seed!r}")
        return random.Random(seed)
    return random  # the module: micrograd draws from it, so random.seed() makes runs repeatable


def _check_sizes(nin: int, nout: int) -> None:
    for name, n in (("nin", nin), ("nout", nout)):
        if not is_int(n):
            raise TypeError(f"{name} must be an int, got {type(n).__name__}: {n!r}")
        if n < 1:
            raise ValueError(f"{name} must be at least 1, got {n}")


def _layer(
    nin: int,
    nout: int,
    draw: Callable[[], float],
    bias: str,
    bias_draw: Callable[[], float] | None = None,
) -> Init:
    """Draw neuron by neuron: its nin weights, then its bias (only when the bias is random)."""
    _check_sizes(nin, nout)
    if bias not in BIAS_CHOICES:
        raise ValueError(f"bias must be one of {', '.join(BIAS_CHOICES)}, got {bias!r}")
    weights: list[list[float]] = []
    biases: list[float] = []
    for _ in range(nout):
        weights.append([draw() for _ in range(nin)])
        biases.append((bias_draw or draw)() if bias == "uniform" else 0.0)
    return Init(weights, biases)


def uniform(
    nin: int,
    nout: int = 1,
    *,
    rng: random.Random | None = None,
    seed: int | None = None,
    low: float = -1.0,
    high: float = 1.0,
    bias: str = "zeros",
) -> Init:
    """Weights from uniform(low, high): micrograd's and the lecture's choice.

    ``bias="uniform"`` draws the bias from the same range (the lecture); ``"zeros"`` (micrograd).

    >>> uniform(2, 1, seed=0, bias="uniform").biases[0] != 0.0
    True
    """
    r = resolve_rng(rng, seed)
    return _layer(nin, nout, lambda: r.uniform(low, high), bias)


def zeros(
    nin: int, nout: int = 1, *, rng: random.Random | None = None, seed: int | None = None, bias: str = "zeros"
) -> Init:
    """All weights 0: every neuron of a layer then computes and learns the same thing (symmetry).

    >>> zeros(3, 2).weights
    [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    r = resolve_rng(rng, seed)
    return _layer(nin, nout, lambda: 0.0, bias, lambda: r.uniform(-1.0, 1.0))


def xavier_uniform(
    nin: int,
    nout: int = 1,
    *,
    rng: random.Random | None = None,
    seed: int | None = None,
    gain: float = 1.0,
    bias: str = "zeros",
) -> Init:
    """Glorot & Bengio (2010): uniform(-a, a) with a = gain * sqrt(6 / (nin + nout)); suits tanh/sigmoid.

    >>> all(abs(v) <= (6 / 5) ** 0.5 for v in xavier_uniform(2, 3, seed=0).weights[0])
    True
    """
    r = resolve_rng(rng, seed)
    a = gain * math.sqrt(6.0 / (nin + nout))
    return _layer(nin, nout, lambda: r.uniform(-a, a), bias, lambda: r.uniform(-1.0, 1.0))


def xavier_normal(
    nin: int,
    nout: int = 1,
    *,
    rng: random.Random | None = None,
    seed: int | None = None,
    gain: float = 1.0,
    bias: str = "zeros",
) -> Init:
    """Glorot normal: N(0, std) with std = gain * sqrt(2 / (nin + nout)).

    >>> len(xavier_normal(4, 2, seed=0).weights[1])
    4
    """
    r = resolve_rng(rng, seed)
    std = gain * math.sqrt(2.0 / (nin + nout))
    return _layer(nin, nout, lambda: r.gauss(0.0, std), bias, lambda: r.uniform(-1.0, 1.0))


def he_uniform(
    nin: int, nout: int = 1, *, rng: random.Random | None = None, seed: int | None = None, bias: str = "zeros"
) -> Init:
    """He et al. (2015): uniform(-a, a) with a = sqrt(6 / nin); keeps ReLU activations' variance.

    >>> all(abs(v) <= 3 ** 0.5 for v in he_uniform(2, 3, seed=0).weights[2])
    True
    """
    r = resolve_rng(rng, seed)
    a = math.sqrt(6.0 / nin)
    return _layer(nin, nout, lambda: r.uniform(-a, a), bias, lambda: r.uniform(-1.0, 1.0))


def he_normal(
    nin: int, nout: int = 1, *, rng: random.Random | None = None, seed: int | None = None, bias: str = "zeros"
) -> Init:
    """He normal: N(0, sqrt(2 / nin)).

    >>> len(he_normal(3, 2, seed=0).weights)
    2
    """
    r = resolve_rng(rng, seed)
    std = math.sqrt(2.0 / nin)
    return _layer(nin, nout, lambda: r.gauss(0.0, std), bias, lambda: r.uniform(-1.0, 1.0))


def nguyen_widrow(
    nin: int,
    nout: int = 1,
    *,
    rng: random.Random | None = None,
    seed: int | None = None,
    bias: str = "uniform",
) -> Init:
    """Nguyen & Widrow (1990): each neuron's weight vector has norm beta = 0.7 * nout ** (1 / nin),
    pointing in a random direction, and its bias is uniform(-beta, beta), so that the neurons'
    active regions spread over the input range (meant for tanh layers with inputs in [-1, 1]).

    >>> round(nguyen_widrow(1, 3, seed=0).weights[0][0] ** 2, 6)  # one input: |w| = 0.7 * 3
    4.41
    """
    _check_sizes(nin, nout)
    r = resolve_rng(rng, seed)
    beta = 0.7 * nout ** (1.0 / nin)
    if bias not in BIAS_CHOICES:
        raise ValueError(f"bias must be one of {', '.join(BIAS_CHOICES)}, got {bias!r}")
    weights: list[list[float]] = []
    biases: list[float] = []
    for _ in range(nout):
        row = [r.uniform(-0.5, 0.5) for _ in range(nin)]
        norm = math.sqrt(sum(v * v for v in row))
        if norm == 0.0:  # a measure-zero draw; any direction will do
            row, norm = [1.0] + [0.0] * (nin - 1), 1.0
        weights.append([beta * v / norm for v in row])
        biases.append(r.uniform(-beta, beta) if bias == "uniform" else 0.0)
    return Init(weights, biases)


# Other names people know them by.
glorot_uniform = xavier_uniform
glorot_normal = xavier_normal
kaiming_uniform = he_uniform
kaiming_normal = he_normal

INITIALIZERS: dict[str, Callable[..., Init]] = {
    "uniform": uniform,
    "zeros": zeros,
    "xavier": xavier_uniform,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "glorot": xavier_uniform,
    "glorot_uniform": xavier_uniform,
    "glorot_normal": xavier_normal,
    "he": he_uniform,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "kaiming": he_uniform,
    "kaiming_uniform": he_uniform,
    "kaiming_normal": he_normal,
    "nguyen_widrow": nguyen_widrow,
}


def get(init: str | Callable[..., Init]) -> Callable[..., Init]:
    """The initialiser named ``init`` (or ``init`` itself if it is callable).

    >>> get("glorot") is xavier_uniform
    True
    """
    if callable(init):
        return init
    if not isinstance(init, str):
        raise TypeError(f"init must be a name or a function, got {type(init).__name__}: {init!r}")
    try:
        return INITIALIZERS[init]
    except KeyError:
        raise ValueError(f"unknown init {init!r}; choose one of: {', '.join(INITIALIZERS)}") from None
