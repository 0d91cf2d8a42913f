"""nn's argument checks, each written once: what a number argument may be, and what a model is.

Python's ``bool`` is an ``int`` (``True + 1 == 2``), but a ``True`` passed as a count, a seed or a
target is almost always a slip, so every check here refuses it.

>>> is_int(3), is_int(True), is_real(0.5), is_real("0.5")
(True, False, True, False)
"""

from __future__ import annotations

from typing import Any, TypeGuard


def is_int(x: object) -> TypeGuard[int]:
    """An ``int`` that is not a ``bool``.

    >>> is_int(2), is_int(2.0), is_int(False)
    (True, False, False)
    """
    return isinstance(x, int) and not isinstance(x, bool)


def is_real(x: object) -> TypeGuard[int | float]:
    """An ``int`` or a ``float``, not a ``bool`` (infinities and nan included: check those apart).

    >>> is_real(1), is_real(1.5), is_real(True), is_real(None)
    (True, True, False, False)
    """
    return isinstance(x, int | float) and not isinstance(x, bool)


def check_module(model: Any, who: str) -> None:
    """Refuse, for ``who``, what cannot be trained: a model is callable and has ``parameters()``
    (an ``nn.Module``, or a micrograd-style model).

    >>> check_module(len, "fit()")
    Traceback (most recent call last):
    ...
    TypeError: fit(): model must be an nn.Module (callable, with parameters()), got builtin_function_or_method
    """
    if not callable(model) or not callable(getattr(model, "parameters", None)):
        raise TypeError(
            f"{who}: model must be an nn.Module (callable, with parameters()), got {type(model).__name__}"
        )


def check_mlp(model: Any, who: str) -> None:
    """Refuse, for ``who``, what cannot be drawn as a network: an ``nn.MLP`` (``.layers`` of neurons).

    >>> check_mlp(object(), "draw_network")
    Traceback (most recent call last):
    ...
    TypeError: draw_network needs an nn.MLP (something with .layers of neurons), got object
    """
    layers = getattr(model, "layers", None)
    if not isinstance(layers, list) or not layers or not all(hasattr(layer, "neurons") for layer in layers):
        kind = type(model).__name__
        raise TypeError(f"{who} needs an nn.MLP (something with .layers of neurons), got {kind}")
