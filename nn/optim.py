"""Optimisers and learning-rate schedules. Each update is plain float arithmetic assigned to
``p.data`` under ``no_grad``, following ``torch.optim``'s formulas step for step.

>>> from autograd import Value
>>> w = Value(1.0)
>>> opt = SGD([w], lr=0.1)
>>> (w * w).backward(); opt.step(); w.data         # 1 - 0.1 * 2
0.8
>>> opt.zero_grad(); w.grad
0.0
>>> decay = linear_decay(1.0, 0.1, 100)           # micrograd's demo: 1.0 - 0.9 * k / 100
>>> decay(0), round(decay(50), 10), round(decay(100), 10)
(1.0, 0.55, 0.1)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from autograd import Value, no_grad

__all__ = ["SGD", "Adam", "Optimizer", "Scheduler", "linear_decay", "step_decay"]


def _positive(name: str, value: object, allow_zero: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TypeError(f"{name} must be a finite number, got {type(value).__name__}: {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return float(value)


class Optimizer:
    """Common part: the parameter list, ``lr``, ``zero_grad()`` and ``state_dict()``."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        if hasattr(params, "parameters") and callable(params.parameters):
            params = params.parameters()  # a Module passed directly: its parameters
        self.params: list[Value] = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"{type(self).__name__}: params[{i}] must be a Value, got {type(p).__name__}")
        self.lr = _positive("lr", lr)
        self.steps = 0

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def _grads(self) -> list[float]:
        # float(): a gradient made with create_graph=True is a Value
        return [float(p.grad) for p in self.params]

    def step(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _hyper(self) -> dict[str, Any]:
        return {"lr": self.lr}

    def _buffers(self) -> dict[str, list[float] | None]:
        return {}

    def state_dict(self) -> dict[str, Any]:
        """Hyper-parameters, step count and per-parameter buffers, as plain JSON-friendly data.

        >>> from autograd import Value
        >>> SGD([Value(1.0)], lr=0.5, momentum=0.9).state_dict()["momentum_buffer"]
        """
        return {
            **self._hyper(),
            "steps": self.steps,
            **{k: (None if v is None else list(v)) for k, v in self._buffers().items()},
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` returned (for the same number of parameters)."""
        expected = set(self._hyper()) | {"steps"} | set(self._buffers())
        if set(state) != expected:
            raise KeyError(
                f"{type(self).__name__}.load_state_dict: expected keys {sorted(expected)}, "
                f"got {sorted(state)}"
            )
        for name, buffer in state.items():
            if name in self._buffers() and buffer is not None and len(buffer) != len(self.params):
                raise ValueError(f"{name} has {len(buffer)} entries for {len(self.params)} parameters")
        for name, value in state.items():
            setattr(
                self,
                name if name in self._hyper() or name == "steps" else f"_{name}",
                None if value is None else (list(value) if isinstance(value, list) else value),
            )


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD``: with ``g = grad + weight_decay * p``,
    momentum keeps ``buf = momentum * buf + (1 - dampening) * g`` (``buf = g`` on the first step),
    and the step is ``p -= lr * buf`` (Nesterov: ``p -= lr * (g + momentum * buf)``).

    >>> from autograd import Value
    >>> w = Value(1.0); opt = SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad(); (w * w).backward(); opt.step()
    >>> round(w.data, 6)                              # 0.8, then 0.8 - 0.1 * (0.9 * 2 + 1.6)
    0.46
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.01,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        dampening: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _positive("momentum", momentum)
        self.weight_decay = _positive("weight_decay", weight_decay)
        self.dampening = _positive("dampening", dampening)
        self.nesterov = bool(nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("nesterov=True needs momentum > 0 and dampening = 0 (as in PyTorch)")
        self._momentum_buffer: list[float] | None = None

    def _hyper(self) -> dict[str, Any]:
        return {
            "lr": self.lr,
            "momentum": self.momentum,
            "weight_decay": self.weight_decay,
            "nesterov": self.nesterov,
            "dampening": self.dampening,
        }

    def _buffers(self) -> dict[str, list[float] | None]:
        return {"momentum_buffer": self._momentum_buffer}

    def step(self) -> None:
        """Update every parameter once from its current gradient."""
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        grads = self._grads()
        if wd:
            grads = [g + wd * p.data for g, p in zip(grads, self.params)]
        if mu:
            buf = self._momentum_buffer
            if buf is None:
                buf = list(grads)
            else:
                keep = 1.0 - self.dampening
                buf = [mu * b + keep * g for b, g in zip(buf, grads)]
            self._momentum_buffer = buf
            grads = [g + mu * b for g, b in zip(grads, buf)] if self.nesterov else buf
        with no_grad():
            for p, g in zip(self.params, grads):
                p.data -= lr * g
        self.steps += 1


class Adam(Optimizer):
    """Adam (Kingma & Ba), as ``torch.optim.Adam``; ``weight_decay`` adds ``weight_decay * p`` to
    the gradient (L2, not AdamW).

    >>> from autograd import Value
    >>> w = Value(1.0); opt = Adam([w], lr=0.1)
    >>> (w * w).backward(); opt.step(); round(w.data, 6)   # the first step moves by about lr
    0.9
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        for i, b in enumerate(betas):
            if not 0.0 <= _positive(f"betas[{i}]", b) < 1.0:
                raise ValueError(f"betas[{i}] must be in [0, 1), got {b!r}")
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = _positive("eps", eps)
        self.weight_decay = _positive("weight_decay", weight_decay)
        self._exp_avg: list[float] | None = None
        self._exp_avg_sq: list[float] | None = None

    def _hyper(self) -> dict[str, Any]:
        return {"lr": self.lr, "betas": list(self.betas), "eps": self.eps, "weight_decay": self.weight_decay}

    def _buffers(self) -> dict[str, list[float] | None]:
        return {"exp_avg": self._exp_avg, "exp_avg_sq": self._exp_avg_sq}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.betas = (float(self.betas[0]), float(self.betas[1]))

    def step(self) -> None:
        """Update every parameter once from its current gradient."""
        beta1, beta2 = self.betas
        wd = self.weight_decay
        grads = self._grads()
        if wd:
            grads = [g + wd * p.data for g, p in zip(grads, self.params)]
        n = len(self.params)
        m = self._exp_avg or [0.0] * n
        v = self._exp_avg_sq or [0.0] * n
        self.steps += 1
        # The same arithmetic, in the same order, as torch.optim.Adam's single-tensor path.
        m = [mi + (1.0 - beta1) * (g - mi) for mi, g in zip(m, grads)]
        v = [vi * beta2 + (1.0 - beta2) * g * g for vi, g in zip(v, grads)]
        self._exp_avg, self._exp_avg_sq = m, v
        step_size = self.lr / (1.0 - beta1**self.steps)
        correction2_sqrt = math.sqrt(1.0 - beta2**self.steps)
        eps = self.eps
        with no_grad():
            for p, mi, vi in zip(self.params, m, v):
                p.data -= step_size * (mi / (math.sqrt(vi) / correction2_sqrt + eps))


def linear_decay(start: float, end: float, steps: int) -> Callable[[int], float]:
    """Learning rate ``start`` at step 0 falling in a straight line to ``end`` at ``steps``, then flat.

    >>> [round(linear_decay(1.0, 0.0, 4)(k), 2) for k in range(6)]
    [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """
    _positive("start", start)
    _positive("end", end)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")

    def lr_at(k: int) -> float:
        return start - (start - end) * min(k, steps) / steps

    return lr_at


def step_decay(start: float, every: int, gamma: float = 0.1) -> Callable[[int], float]:
    """Learning rate ``start``, multiplied by ``gamma`` every ``every`` steps (PyTorch's StepLR).

    >>> [step_decay(1.0, 2, 0.5)(k) for k in range(5)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """
    _positive("start", start)
    _positive("gamma", gamma)
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise ValueError(f"every must be a positive int, got {every!r}")

    def lr_at(k: int) -> float:
        return start * gamma ** (k // every)

    return lr_at


class Scheduler:
    """Sets ``optimizer.lr = schedule(k)``: at creation (k = 0) and on each ``step()`` (k + 1).

    >>> from autograd import Value
    >>> opt = SGD([Value(0.0)], lr=1.0)
    >>> sched = Scheduler(opt, step_decay(1.0, 1, 0.5)); sched.step(); opt.lr
    0.5
    """

    def __init__(self, optimizer: Optimizer, schedule: Callable[[int], float]) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"Scheduler needs an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.schedule = schedule
        self.k = 0
        optimizer.lr = _positive("schedule(0)", schedule(0))

    def step(self) -> None:
        """Advance one step (an epoch or a batch, as you call it) and set the new learning rate."""
        self.k += 1
        self.optimizer.lr = _positive(f"schedule({self.k})", self.schedule(self.k))
