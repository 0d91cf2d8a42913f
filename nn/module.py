"""Modules: ``Neuron``, ``Layer`` and ``MLP``, built on ``autograd.Value`` and nothing else.

The defaults are micrograd's: ``MLP(nin, nouts)`` has ReLU hidden layers, a linear last layer,
bias 0 and weights from uniform(-1, 1), drawn from the global ``random`` module in micrograd's
order (so ``random.seed(1337)`` gives micrograd's demo network). ``preset="lecture"`` is the
network of Karpathy's lecture: tanh everywhere and a random bias.

Every parameter is named (``layers.0.neurons.3.w.1``) and labelled (``w[0,3,1]``), so graphs and
step-throughs show which weight is which.

>>> model = MLP(2, [4, 1], seed=0)
>>> y = model([1.0, -2.0]); y.backward()
>>> model.num_parameters(), model.layers[0].neurons[3].w[1].label
(17, 'w[0,3,1]')
>>> model.named_parameters()[1][0]
'layers.0.neurons.0.w.1'
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from autograd import Value

from . import init as _init
from .checks import is_int, is_real

__all__ = ["ACTIVATIONS", "MLP", "Layer", "Module", "Neuron"]

LEAKY_SLOPE = 0.01  # PyTorch's default negative slope

ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "leaky_relu": lambda v: v.leaky_relu(LEAKY_SLOPE),
    "linear": lambda v: v,
}

PRESETS: dict[str, dict[str, Any]] = {
    # micrograd's repository: ReLU hidden, linear last layer, bias 0, weights uniform(-1, 1)
    "micrograd": {"activation": "relu", "output_activation": "linear", "init": "uniform", "bias_init": None},
    # Karpathy's lecture: tanh everywhere, bias uniform(-1, 1) drawn right after each neuron's weights
    "lecture": {"activation": "tanh", "output_activation": "tanh", "init": "uniform", "bias_init": "uniform"},
}


class Module:
    """Base class: collects parameters from attributes that are Values, Modules or lists of them.

    A subclass that only overrides ``parameters()`` (micrograd style) still gets ``zero_grad``,
    ``named_parameters`` (named by position) and ``state_dict``.

    >>> class Affine(Module):
    ...     def __init__(self):
    ...         self.a = Value(2.0); self.b = Value(1.0)
    ...     def __call__(self, x):
    ...         return self.a * x + self.b
    >>> m = Affine(); m(3.0).backward(); [p.grad for p in m.parameters()]
    [3.0, 1.0]
    >>> m.zero_grad(); m.state_dict()
    {'a': 2.0, 'b': 1.0}
    """

    def __call__(self, x: Any) -> Any:
        """The module's output for input ``x`` (each subclass defines it)."""
        raise NotImplementedError(f"{type(self).__name__} does not define __call__")

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(name, Value)`` for every parameter, in a fixed order (attribute order, then index)."""
        if type(self).parameters is not Module.parameters:  # micrograd-style subclass
            return [(str(i), p) for i, p in enumerate(self.parameters())]
        named: list[tuple[str, Value]] = []
        for attr, item in vars(self).items():
            _collect(attr, item, named)
        return named

    def parameters(self) -> list[Value]:
        """Every parameter Value (what an optimiser updates)."""
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        """How many scalar parameters the module has."""
        return len(self.parameters())

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0.0 (call it before each ``backward()``)."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self) -> dict[str, float]:
        """``{name: value}`` for every parameter: a plain, JSON-friendly snapshot of the weights."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Copy weights from ``state`` (as made by ``state_dict``) after checking all of it.

        Nothing is changed unless the names match exactly and every value is a finite number.

        >>> a, b = MLP(1, [1], seed=0), MLP(1, [1], seed=1)
        >>> b.load_state_dict(a.state_dict()); b.state_dict() == a.state_dict()
        True
        >>> b.load_state_dict({"layers.0.neurons.0.w.0": 1.0})
        Traceback (most recent call last):
        ...
        KeyError: "load_state_dict: missing parameter(s): 'layers.0.neurons.0.b'; the model has 2 ..."
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict needs a mapping of name -> number, got {type(state).__name__}")
        named = self.named_parameters()
        names = [n for n, _ in named]
        known = set(names)  # built once: a set per key made loading quadratic
        missing = [n for n in names if n not in state]
        unexpected = [n for n in state if n not in known]
        if missing or unexpected:
            parts = []
            if missing:
                parts.append("missing parameter(s): " + ", ".join(repr(n) for n in missing[:5]))
            if unexpected:
                parts.append("unexpected parameter(s): " + ", ".join(repr(n)[:80] for n in unexpected[:5]))
            more = len(missing) + len(unexpected) - min(len(missing), 5) - min(len(unexpected), 5)
            sizes = ""
            if len(state) != len(names):  # the usual cause: weights of another architecture
                sizes = f"; the model has {len(names)} parameters, the state {len(state)}"
            raise KeyError(
                "load_state_dict: " + "; ".join(parts) + (f" (and {more} more)" if more > 0 else "") + sizes
            )
        values = [check_number(state[n], f"state[{n!r}]") for n in names]
        old = [p.data for _, p in named]
        try:
            for (_, p), v in zip(named, values):
                p.data = v
        except BaseException:  # Ctrl-C mid-way: all the old weights, never a mix
            for (_, p), v in zip(named, old):
                p.data = v
            raise

    def _repr_lines(self) -> list[str]:
        return [self._header()]

    def _header(self) -> str:
        return f"{type(self).__name__}()"

    def __repr__(self) -> str:
        return "\n".join(self._repr_lines())


def check_number(value: object, field: str) -> float:
    """``value`` as a finite float, or a ``TypeError``/``ValueError`` naming ``field``.

    >>> check_number(2, "w")
    2.0
    >>> check_number(True, "w")
    Traceback (most recent call last):
    ...
    TypeError: w must be a number, got bool: True
    """
    if not is_real(value):
        raise TypeError(f"{field} must be a number, got {type(value).__name__}: {value!r}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{field} is too large for a float: {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{field} must be finite, got {number!r}")
    return number


def _collect(name: str, item: object, out: list[tuple[str, Value]]) -> None:
    if isinstance(item, Value):
        out.append((name, item))
    elif isinstance(item, Module):
        out.extend((f"{name}.{sub}", p) for sub, p in item.named_parameters())
    elif isinstance(item, list | tuple):
        for i, sub in enumerate(item):
            _collect(f"{name}.{i}", sub, out)


def _activation_name(nonlin: bool, activation: object, argument: str = "activation") -> str:
    """``activation`` checked (``argument`` is what the error calls it), or micrograd's choice by
    ``nonlin`` when it is None."""
    if activation is None:
        return "relu" if nonlin else "linear"
    if not isinstance(activation, str):
        raise TypeError(
            f"{argument} must be the name of an activation ({', '.join(ACTIVATIONS)}), "
            f"got {type(activation).__name__}: {activation!r}"
        )
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"{argument}: unknown activation {activation!r}; choose one of: {', '.join(ACTIVATIONS)}"
        )
    return activation


def _index_label(kind: str, index: tuple[int, ...]) -> str:
    return f"{kind}[{','.join(map(str, index))}]" if index else kind


def _inputs(x: object, nin: int, who: str) -> Sequence[Value | float]:
    if isinstance(x, Value | int | float) and not isinstance(x, bool) and nin == 1:
        return [x]
    if not isinstance(x, list | tuple):
        if isinstance(x, str | bytes | dict) or not hasattr(x, "__iter__"):
            raise TypeError(f"{who} takes a list of {nin} numbers or Values, got {type(x).__name__}")
        x = list(x)  # a numpy row or any other iterable, as micrograd's zip() accepts
    if len(x) != nin:
        raise ValueError(f"{who} expects {nin} inputs, got {len(x)}")
    return x


class Neuron(Module):
    """One neuron: ``activation(w · x + b)``.

    ``Neuron(nin)`` is micrograd's ReLU neuron; ``nonlin=False`` makes it linear; ``activation``
    picks relu, tanh, sigmoid, leaky_relu or linear. A neuron on its own is built multiply by
    multiply and add by add (``fused=False``), as micrograd builds it, so that ``draw_dot`` draws
    the lecture's picture; ``fused=True`` computes ``w · x + b`` as one ``Σw·x`` node, which is
    what ``Layer`` and ``MLP`` do by default (fast; pass them ``fused=False`` for the lecture's
    picture of a whole network).

    >>> n = Neuron(2, activation="tanh", seed=0)
    >>> out = n([1.0, 2.0]); out._op, [p.label for p in n.parameters()]
    ('tanh', ['w[0]', 'w[1]', 'b'])
    >>> sorted(v._op for v in (out, *out.parents, *out.parents[0].parents))
    ['*', '+', '+', 'tanh']
    >>> Neuron(2, seed=0, fused=True)([1.0, 2.0]).parents[0]._op
    'Σw·x'
    """

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        *,
        activation: str | None = None,
        bias: bool = True,
        init: str | Callable[..., _init.Init] = "uniform",
        rng: random.Random | None = None,
        fused: bool = False,
        seed: int | None = None,
        bias_init: str | None = None,
    ) -> None:
        start = _initial_values(init, nin, 1, rng, seed, bias_init)
        self._setup(
            start.weights[0],
            start.biases[0] if bias else None,
            _activation_name(nonlin, activation),
            fused,
            (),
        )

    def _setup(
        self, weights: list[float], bias: float | None, activation: str, fused: bool, index: tuple[int, ...]
    ) -> None:
        self.w = [Value(v, label=_index_label("w", (*index, i))) for i, v in enumerate(weights)]
        self.b = None if bias is None else Value(bias, label=_index_label("b", index))
        self.activation = activation
        self.fused = bool(fused)

    @classmethod
    def _from_values(
        cls, weights: list[float], bias: float | None, activation: str, fused: bool, index: tuple[int, ...]
    ) -> Neuron:
        neuron = cls.__new__(cls)
        neuron._setup(weights, bias, activation, fused, index)
        return neuron

    @property
    def nin(self) -> int:
        """Number of inputs."""
        return len(self.w)

    @property
    def nonlin(self) -> bool:
        """micrograd's flag: True unless the activation is linear."""
        return self.activation != "linear"

    def __call__(self, x: Sequence[Value | float]) -> Value:
        return self._forward(_inputs(x, len(self.w), "Neuron"))

    def _forward(self, x: Sequence[Value | float]) -> Value:
        """The neuron on inputs already checked (the layer checks them once for all its neurons)."""
        if self.fused:
            act = Value.weighted_sum(self.w, x, self.b)
        else:  # micrograd's way: one node per multiply and per add
            total = sum((wi * xi for wi, xi in zip(self.w, x)), self.b if self.b is not None else 0.0)
            act = total if isinstance(total, Value) else Value(total)  # no inputs and no bias: 0
        activation = self.activation
        if activation == "linear":
            return act
        return ACTIVATIONS[activation](act)

    def _header(self) -> str:
        bias = "" if self.b is not None else ", bias=False"
        return f"Neuron({len(self.w)}, {self.activation}{bias})"


def _initial_values(
    init: str | Callable[..., _init.Init],
    nin: int,
    nout: int,
    rng: random.Random | None,
    seed: int | None,
    bias_init: str | None,
) -> _init.Init:
    """Random initial weights (and biases) for ``nout`` neurons of ``nin`` inputs each."""
    source = _init.resolve_rng(rng, seed)
    kwargs: dict[str, Any] = {} if bias_init is None else {"bias": bias_init}
    if isinstance(source, random.Random):  # else the global module, which initialisers fall back to
        kwargs["rng"] = source
    return _init.get(init)(nin, nout, **kwargs)


class Layer(Module):
    """``nout`` neurons that all see the same inputs. Keyword arguments go to every neuron.

    Calling it returns a list of Values, or a bare Value when ``nout == 1`` (micrograd's behaviour).

    >>> layer = Layer(3, 2, seed=0)
    >>> len(layer([1.0, 2.0, 3.0])), layer.neurons[1].w[2].label
    (2, 'w[1,2]')
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        nonlin: bool = True,
        *,
        activation: str | None = None,
        bias: bool = True,
        init: str | Callable[..., _init.Init] = "uniform",
        rng: random.Random | None = None,
        fused: bool = True,
        seed: int | None = None,
        bias_init: str | None = None,
    ) -> None:
        start = _initial_values(init, nin, nout, rng, seed, bias_init)
        self._setup(start, bias, _activation_name(nonlin, activation), fused, ())

    def _setup(
        self, start: _init.Init, bias: bool, activation: str, fused: bool, index: tuple[int, ...]
    ) -> None:
        self.neurons = [
            Neuron._from_values(w, b if bias else None, activation, fused, (*index, j))
            for j, (w, b) in enumerate(zip(start.weights, start.biases))
        ]

    @property
    def nin(self) -> int:
        """Number of inputs."""
        return self.neurons[0].nin

    @property
    def nout(self) -> int:
        """Number of neurons (outputs)."""
        return len(self.neurons)

    @property
    def activation(self) -> str:
        """The neurons' activation."""
        return self.neurons[0].activation

    def forward_list(self, x: Sequence[Value | float]) -> list[Value]:
        """The outputs as a list, even for one neuron (what MLP chains)."""
        x = _inputs(x, self.nin, "Layer")
        return [n._forward(x) for n in self.neurons]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        out = self.forward_list(x)
        return out[0] if len(out) == 1 else out

    def _header(self) -> str:
        bias = "" if self.neurons[0].b is not None else ", bias=False"
        return f"Layer({self.nin} -> {self.nout}, {self.activation}{bias})"


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])`` has two hidden layers of 16 and one output.

    Hidden layers use ``activation`` (a name, or one name per hidden layer), the last layer
    ``output_activation``. Both are checked even where no layer uses them: ``MLP(2, [1],
    activation="relux")`` is refused, with an error that names ``activation``. ``preset="lecture"``
    gives the lecture's tanh network with random biases. Randomness: ``seed`` or ``rng``, else the
    global ``random`` module (like micrograd).

    >>> model = MLP(2, [16, 1, 1], seed=0)      # a one-neuron layer in the middle is fine
    >>> isinstance(model([0.5, -0.5]), Value)
    True
    >>> print(MLP(3, [4, 4, 1], preset="lecture", seed=0))
    MLP(3 -> 4 -> 4 -> 1, 41 parameters)
      layers.0: Layer(3 -> 4, tanh)
      layers.1: Layer(4 -> 4, tanh)
      layers.2: Layer(4 -> 1, tanh)
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        *,
        activation: str | Sequence[str] | None = None,
        output_activation: str | None = None,
        bias: bool = True,
        init: str | Callable[..., _init.Init] | None = None,
        seed: int | None = None,
        rng: random.Random | None = None,
        preset: str | None = None,
        fused: bool = True,
        bias_init: str | None = None,
    ) -> None:
        if preset is None:
            preset = "micrograd"
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; choose one of: {', '.join(PRESETS)}")
        defaults = PRESETS[preset]
        activation = defaults["activation"] if activation is None else activation
        output_activation = defaults["output_activation"] if output_activation is None else output_activation
        init = defaults["init"] if init is None else init
        bias_init = defaults["bias_init"] if bias_init is None else bias_init

        if isinstance(nouts, int) or not isinstance(nouts, Sequence) or not nouts:
            raise TypeError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
        sizes = [nin, *nouts]
        for i, n in enumerate(sizes):
            if not is_int(n) or n < 1:
                what = "nin" if i == 0 else f"nouts[{i - 1}]"
                raise ValueError(f"{what} must be a positive int, got {n!r}")
        hidden = len(nouts) - 1
        if isinstance(activation, str):  # checked even when no hidden layer uses it
            activations = [_activation_name(True, activation)] * hidden
        elif isinstance(activation, Sequence):
            if len(activation) != hidden:
                raise ValueError(
                    f"activation lists one name per hidden layer: {hidden} needed, got {len(activation)}"
                )
            activations = [_activation_name(True, a, f"activation[{i}]") for i, a in enumerate(activation)]
        else:
            raise TypeError(
                "activation must be a name (such as 'tanh') or a list of one name per hidden layer, "
                f"got {type(activation).__name__}: {activation!r}"
            )
        activations.append(_activation_name(True, output_activation, "output_activation"))

        source = _init.resolve_rng(rng, seed)
        shared = source if isinstance(source, random.Random) else None  # one stream for all layers
        self.layers: list[Layer] = []
        for l_index in range(len(nouts)):
            start = _initial_values(init, sizes[l_index], sizes[l_index + 1], shared, None, bias_init)
            layer = Layer.__new__(Layer)
            layer._setup(start, bias, activations[l_index], fused, (l_index,))
            self.layers.append(layer)

    @property
    def nin(self) -> int:
        """Number of inputs."""
        return self.layers[0].nin

    @property
    def nouts(self) -> list[int]:
        """Sizes of the layers."""
        return [layer.nout for layer in self.layers]

    @property
    def activations(self) -> list[str]:
        """Activation of each layer, the output layer last."""
        return [layer.activation for layer in self.layers]

    @property
    def bias(self) -> bool:
        """Whether the neurons have biases."""
        return self.layers[0].neurons[0].b is not None

    def config(self) -> dict[str, Any]:
        """The architecture as plain data (what ``nn.io`` saves next to the weights).

        >>> MLP(2, [3, 1], seed=0).config()
        {'nin': 2, 'nouts': [3, 1], 'activations': ['relu', 'linear'], 'bias': True}
        """
        return {"nin": self.nin, "nouts": self.nouts, "activations": self.activations, "bias": self.bias}

    @classmethod
    def from_config(cls, config: Mapping[str, Any], fused: bool = True) -> MLP:
        """A new MLP with the architecture ``config`` (weights drawn with seed 0; load them next)."""
        activations = list(config["activations"])
        return cls(
            config["nin"],
            list(config["nouts"]),
            activation=activations[:-1],
            output_activation=activations[-1],
            bias=config["bias"],
            seed=0,
            fused=fused,
        )

    def forward_list(self, x: Sequence[Value | float]) -> list[Value]:
        """The outputs of the last layer as a list, even when there is one."""
        # plain-number inputs become leaves once here, not once per neuron of the first layer,
        # named x0, x1, … as every view names a network's inputs
        out: Sequence[Value | float] = [
            v if isinstance(v, Value) else Value(v, label=f"x{i}")
            for i, v in enumerate(_inputs(x, self.nin, "MLP"))
        ]
        for layer in self.layers:
            out = layer.forward_list(out)
        return out  # type: ignore[return-value]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        out = self.forward_list(x)
        return out[0] if len(out) == 1 else out

    def _header(self) -> str:
        arrow = " -> ".join(str(n) for n in [self.nin, *self.nouts])
        return f"MLP({arrow}, {self.num_parameters()} parameters)"

    def _repr_lines(self) -> list[str]:
        return [self._header()] + [f"  layers.{i}: {layer._header()}" for i, layer in enumerate(self.layers)]
