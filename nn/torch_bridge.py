"""The path to PyTorch: ``to_torch(model)`` builds the same network as a ``torch.nn.Sequential``
(float64, the same weights), ``from_torch(seq)`` brings one back. ``torch`` is imported only here,
only when called (install it with ``pip install 'gradstep[torch]'``).

>>> from nn import MLP
>>> model = MLP(2, [3, 1], activation="tanh", seed=0)
>>> seq = to_torch(model)
>>> seq
Sequential(
  (0): Linear(in_features=2, out_features=3, bias=True)
  (1): Tanh()
  (2): Linear(in_features=3, out_features=1, bias=True)
)
>>> from_torch(seq).state_dict() == model.state_dict()
True
"""

from __future__ import annotations

from typing import Any

from .module import LEAKY_SLOPE, MLP

__all__ = ["from_torch", "to_torch"]


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError("the PyTorch bridge needs torch: pip install 'gradstep[torch]'") from None
    return torch


def _activation_module(torch: Any, name: str) -> Any:
    modules = {
        "relu": torch.nn.ReLU,
        "tanh": torch.nn.Tanh,
        "sigmoid": torch.nn.Sigmoid,
        "leaky_relu": lambda: torch.nn.LeakyReLU(LEAKY_SLOPE),
    }
    return modules[name]() if name in modules else None  # "linear": nothing


def to_torch(model: MLP) -> Any:
    """A ``torch.nn.Sequential`` of ``Linear`` (float64) and activation modules with ``model``'s weights."""
    if not isinstance(model, MLP):
        raise TypeError(f"to_torch converts an nn.MLP, got {type(model).__name__}")
    torch = _torch()
    parts = []
    for layer in model.layers:
        linear = torch.nn.Linear(layer.nin, layer.nout, bias=model.bias, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(
                torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64)
            )
            if model.bias:
                biases = [n.b.data for n in layer.neurons if n.b is not None]
                linear.bias.copy_(torch.tensor(biases, dtype=torch.float64))
        parts.append(linear)
        activation = _activation_module(torch, layer.activation)
        if activation is not None:
            parts.append(activation)
    return torch.nn.Sequential(*parts)


def _activation_name(torch: Any, module: Any, where: str) -> str:
    if isinstance(module, torch.nn.LeakyReLU):
        if module.negative_slope != LEAKY_SLOPE:
            raise ValueError(
                f"{where}: LeakyReLU slope {module.negative_slope} (gradstep uses {LEAKY_SLOPE})"
            )
        return "leaky_relu"
    for cls, name in ((torch.nn.ReLU, "relu"), (torch.nn.Tanh, "tanh"), (torch.nn.Sigmoid, "sigmoid"),
                      (torch.nn.Identity, "linear")):  # fmt: skip
        if isinstance(module, cls):
            return name
    raise TypeError(f"{where}: {type(module).__name__} has no gradstep equivalent (Linear, ReLU, Tanh, "
                    "Sigmoid, LeakyReLU, Identity)")  # fmt: skip


def from_torch(seq: Any, *, fused: bool = True) -> MLP:
    """An ``nn.MLP`` from a ``Sequential`` of ``Linear`` layers, each optionally followed by one
    activation (ReLU, Tanh, Sigmoid, LeakyReLU(0.01), Identity)."""
    torch = _torch()
    if not isinstance(seq, torch.nn.Sequential):
        raise TypeError(f"from_torch needs a torch.nn.Sequential, got {type(seq).__name__}")
    modules = list(seq)
    linears: list[Any] = []
    activations: list[str] = []
    for i, module in enumerate(modules):
        if isinstance(module, torch.nn.Linear):
            if linears and linears[-1].out_features != module.in_features:
                raise ValueError(f"seq[{i}]: Linear takes {module.in_features} inputs but the layer before "
                                 f"gives {linears[-1].out_features}")  # fmt: skip
            linears.append(module)
            activations.append("linear")
        elif not linears or activations[-1] != "linear" or isinstance(modules[i - 1], torch.nn.Identity):
            raise ValueError(f"seq[{i}]: {type(module).__name__} must directly follow a Linear layer")
        else:
            activations[-1] = _activation_name(torch, module, f"seq[{i}]")
    if not linears:
        raise ValueError("from_torch: the Sequential has no Linear layer")
    has_bias = [linear.bias is not None for linear in linears]
    if len(set(has_bias)) != 1:
        raise ValueError("from_torch: either every Linear layer has a bias or none does")
    model = MLP(linears[0].in_features, [linear.out_features for linear in linears],
                activation=activations[:-1], output_activation=activations[-1], bias=has_bias[0],
                seed=0, fused=fused)  # fmt: skip
    state = {}
    for l_index, linear in enumerate(linears):
        weight = linear.weight.detach().to(torch.float64).tolist()
        bias = linear.bias.detach().to(torch.float64).tolist() if has_bias[0] else None
        for j, row in enumerate(weight):
            for i, w in enumerate(row):
                state[f"layers.{l_index}.neurons.{j}.w.{i}"] = w
            if bias is not None:
                state[f"layers.{l_index}.neurons.{j}.b"] = bias[j]
    model.load_state_dict(state)
    return model
