"""Optimisers and learning-rate schedules, following ``torch.optim``'s formulas step for step.

A step first computes every parameter's new value as plain floats, checks them all, and only then
writes them to ``p.data``: a step from a ``nan`` or ``inf`` gradient (``ValueError``) or one that
would overflow a weight or a buffer (``OverflowError``) changes nothing, and its error names the
parameter by label and name (``w[0,3,1] (layers.0.neurons.3.w.1)``) and gives the numbers. So a
diverging run stops at the first bad step, with the last good weights still in the model.

>>> from autograd import Value
>>> w = Value(1.0)
>>> opt = SGD([w], lr=0.1)
>>> (w * w).backward(); opt.step(); w.data         # 1 - 0.1 * 2
0.8
>>> opt.zero_grad(); w.grad
0.0
>>> w.grad = float("nan"); opt.step()
Traceback (most recent call last):
...
ValueError: SGD.step(): the gradient of params[0] is nan; no parameter was changed. ...
>>> decay = linear_decay(1.0, 0.1, 100)           # micrograd's demo: 1.0 - 0.9 * k / 100
>>> decay(0), round(decay(50), 10), round(decay(100), 10)
(1.0, 0.55, 0.1)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from autograd import Value

from .checks import is_int, is_real
from .module import check_number

__all__ = ["SGD", "Adam", "Optimizer", "Scheduler", "linear_decay", "step_decay"]


def _positive(name: str, value: object, allow_zero: bool = True) -> float:
    """``value`` as a float that is finite and >= 0 (> 0 without ``allow_zero``), or a clear error.

    >>> _positive("lr", "0.1")
    Traceback (most recent call last):
    ...
    TypeError: lr must be a number, got str: '0.1'
    """
    number = check_number(value, name)
    if number < 0 or (number == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return number


_DIVERGING = "The run is diverging: lower the learning rate (or clip gradients)."


class Optimizer:
    """Common part: the parameter list, ``lr``, ``zero_grad()``, ``state_dict()`` and the checked
    update that every ``step()`` goes through.

    ``params`` is a list of Values (``model.parameters()``) or a Module, whose parameter names
    then appear in error messages. A parameter listed twice would be updated twice per step, so it
    is refused.
    """

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        who = type(self).__name__
        names: list[str | None] | None = None
        if isinstance(params, Value):
            raise TypeError(f"{who} takes a list of parameters, got one Value: write {who}([w])")
        if isinstance(params, str | bytes | Mapping):
            raise TypeError(
                f"{who} takes a list of Values such as model.parameters(), got {type(params).__name__}"
            )
        named_parameters = getattr(params, "named_parameters", None)  # a Module passed directly
        parameters = getattr(params, "parameters", None)
        if callable(named_parameters):
            named = named_parameters()
            params, names = [p for _, p in named], [n for n, _ in named]
        elif callable(parameters):
            params = parameters()
        try:
            self.params: list[Value] = list(params)
        except TypeError:
            raise TypeError(
                f"{who} takes a list of Values such as model.parameters(), got {type(params).__name__}"
            ) from None
        if not self.params:
            raise ValueError(f"{who} got an empty parameter list")
        self._names: list[str | None] = names or [None] * len(self.params)
        first: dict[int, int] = {}
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"{who}: params[{i}] must be a Value, got {type(p).__name__}")
            j = first.setdefault(id(p), i)
            if j != i:
                raise ValueError(
                    f"{who}: params[{i}] is params[{j}] ({self._describe(j)}) again; list each "
                    "parameter once, or every step would update it twice"
                )
        self.lr = lr
        self.steps = 0

    @property
    def lr(self) -> float:
        """The learning rate; setting it checks the value (a finite number >= 0)."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _positive("lr", value)

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def _describe(self, i: int) -> str:
        """Parameter ``i`` as a learner knows it: its label, and its name in the model if known."""
        label = self.params[i].label
        label = label if isinstance(label, str) and label else f"params[{i}]"
        name = self._names[i]
        return f"{label[:60]} ({name})" if name and name != label else label[:60]

    def _learn_names(self, named: list[tuple[str, Value]]) -> None:
        """Take parameter names from a model (``fit`` does this), for the error messages."""
        by_id = {id(p): name for name, p in named}
        self._names = [n if n is not None else by_id.get(id(p)) for n, p in zip(self._names, self.params)]

    def _number(self, i: int, value: object, what: str) -> float:
        """The slow path of ``_current``: one value that is not a plain float."""
        if isinstance(value, Value):
            if what == "gradient":  # a gradient made with create_graph=True
                return float(value)
            raise TypeError(
                f"{type(self).__name__}.step(): {self._describe(i)} holds a Value as its data (was it "
                "updated with p.data -= lr * p.grad after backward(create_graph=True)? use float(p.grad))"
            )
        if not is_real(value):
            raise TypeError(
                f"{type(self).__name__}.step(): the {what} of {self._describe(i)} must be a number, "
                f"got {type(value).__name__}: {value!r}"[:300]
            )
        try:
            return float(value)
        except OverflowError:
            return math.inf  # refused as non-finite by the caller, with the parameter's name

    def _current(self) -> tuple[list[float], list[float]]:
        """Every parameter's data and gradient as floats, all checked before any update."""
        params = self.params
        data = [p.data for p in params]
        raw = [p.grad for p in params]  # a Value after backward(create_graph=True)
        if not all(type(d) is float for d in data):
            data = [self._number(i, d, "data") for i, d in enumerate(data)]
        grads = [g if type(g) is float else self._number(i, g, "gradient") for i, g in enumerate(raw)]
        who = f"{type(self).__name__}.step()"
        if not all(map(math.isfinite, data)):
            i = next(i for i, d in enumerate(data) if not math.isfinite(d))
            raise ValueError(
                f"{who}: {self._describe(i)} holds {data[i]!r}; no parameter was changed. Set it to a "
                "finite number or load saved weights."
            )
        if not all(map(math.isfinite, grads)):
            i = next(i for i, g in enumerate(grads) if not math.isfinite(g))
            raise ValueError(
                f"{who}: the gradient of {self._describe(i)} is {grads[i]!r}; no parameter was changed. "
                "A nan or inf gradient comes from an overflowing loss or an infinite local derivative: "
                "run backward() inside autograd.detect_anomaly() to find the op. " + _DIVERGING
            )
        return data, grads

    def _commit(
        self, data: list[float], grads: list[float], new: list[float], buffers: dict[str, list[float]]
    ) -> None:
        """Write ``new`` into the parameters and keep ``buffers``, once all of them are finite."""
        who = f"{type(self).__name__}.step()"
        for what, values in [("data", new), *buffers.items()]:
            if all(map(math.isfinite, values)):
                continue
            i = next(i for i, v in enumerate(values) if not math.isfinite(v))
            place = self._describe(i) if what == "data" else f"the {what} of {self._describe(i)}"
            raise OverflowError(
                f"{who}: this step would make {place} {values[i]!r} (data {data[i]!r}, gradient "
                f"{grads[i]!r}, lr {self.lr!r}); no parameter was changed. " + _DIVERGING
            )
        old_buffers, old_steps = {what: getattr(self, f"_{what}") for what in buffers}, self.steps
        try:
            for p, value in zip(self.params, new):
                p.data = value
            for what, values in buffers.items():
                setattr(self, f"_{what}", values)
            self.steps = old_steps + 1
        except BaseException:  # Ctrl-C mid-write: put everything back, so a step is all or nothing
            for p, value in zip(self.params, data):
                p.data = value
            for what, values in old_buffers.items():
                setattr(self, f"_{what}", values)
            self.steps = old_steps
            raise

    def step(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _hyper(self) -> dict[str, Any]:
        """Hyper-parameters by the names the constructor takes them by."""
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

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what ``state_dict`` returned (for the same number of parameters).

        Everything is checked (hyper-parameters as the constructor checks them, buffers as finite
        numbers, one per parameter) before anything changes.

        >>> opt = SGD([Value(1.0)], lr=0.5)
        >>> opt.load_state_dict({**opt.state_dict(), "lr": float("nan")})
        Traceback (most recent call last):
        ...
        ValueError: lr must be finite, got nan
        """
        who = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state, Mapping):
            raise TypeError(f"{who} needs the mapping state_dict() returned, got {type(state).__name__}")
        hyper, buffers = self._hyper(), self._buffers()
        expected = set(hyper) | {"steps"} | set(buffers)
        if set(state) != expected:
            raise KeyError(f"{who}: expected keys {sorted(expected)}, got {sorted(map(str, state))}")
        fresh = type(self)(self.params, **{k: state[k] for k in hyper})  # the constructor's checks
        steps = state["steps"]
        if not is_int(steps) or steps < 0:
            raise ValueError(f"{who}: steps must be an int >= 0, got {steps!r}")
        restored: dict[str, list[float] | None] = {}
        for name in buffers:
            buffer = state[name]
            if buffer is not None:
                if not isinstance(buffer, list | tuple) or len(buffer) != len(self.params):
                    raise ValueError(
                        f"{who}: {name} must be None or a list of {len(self.params)} numbers (one per "
                        f"parameter), got {type(buffer).__name__}"
                        + (f" of {len(buffer)}" if isinstance(buffer, list | tuple) else "")
                    )
                buffer = [check_number(b, f"{who}: {name}[{i}]") for i, b in enumerate(buffer)]
            restored[name] = buffer
        for name in hyper:
            setattr(self, name, getattr(fresh, name))
        for name, buffer in restored.items():
            setattr(self, f"_{name}", buffer)
        self.steps = steps


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
        if not isinstance(nesterov, bool):
            raise TypeError(f"nesterov must be True or False, got {type(nesterov).__name__}: {nesterov!r}")
        self.nesterov = nesterov
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
        """Update every parameter once from its current gradient (or, on a bad step, none)."""
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        data, grads = self._current()
        update = [g + wd * d for g, d in zip(grads, data)] if wd else grads
        buffers = {}
        if mu:
            buf = self._momentum_buffer
            if buf is None:
                buf = list(update)
            else:
                keep = 1.0 - self.dampening
                buf = [mu * b + keep * g for b, g in zip(buf, update)]
            buffers["momentum_buffer"] = buf
            update = [g + mu * b for g, b in zip(update, buf)] if self.nesterov else buf
        self._commit(data, grads, [d - lr * g for d, g in zip(data, update)], buffers)


class Adam(Optimizer):
    """Adam (Kingma & Ba), as ``torch.optim.Adam``; ``weight_decay`` adds ``weight_decay * p`` to
    the gradient (L2, not AdamW). ``eps`` must be > 0: it keeps the update from dividing by zero.

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
        self.eps = _positive("eps", eps, allow_zero=False)
        self.weight_decay = _positive("weight_decay", weight_decay)
        self._exp_avg: list[float] | None = None
        self._exp_avg_sq: list[float] | None = None

    def _hyper(self) -> dict[str, Any]:
        return {"lr": self.lr, "betas": list(self.betas), "eps": self.eps, "weight_decay": self.weight_decay}

    def _buffers(self) -> dict[str, list[float] | None]:
        return {"exp_avg": self._exp_avg, "exp_avg_sq": self._exp_avg_sq}

    def step(self) -> None:
        """Update every parameter once from its current gradient (or, on a bad step, none)."""
        beta1, beta2 = self.betas
        wd = self.weight_decay
        data, grads = self._current()
        update = [g + wd * d for g, d in zip(grads, data)] if wd else grads
        n = len(self.params)
        m = self._exp_avg or [0.0] * n
        v = self._exp_avg_sq or [0.0] * n
        steps = self.steps + 1
        # The same arithmetic, in the same order, as torch.optim.Adam's single-tensor path.
        m = [mi + (1.0 - beta1) * (g - mi) for mi, g in zip(m, update)]
        v = [vi * beta2 + (1.0 - beta2) * g * g for vi, g in zip(v, update)]
        step_size = self.lr / (1.0 - beta1**steps)
        correction2_sqrt = math.sqrt(1.0 - beta2**steps)
        eps = self.eps
        new = [
            d - step_size * (mi / (math.sqrt(vi) / correction2_sqrt + eps)) for d, mi, vi in zip(data, m, v)
        ]
        self._commit(data, grads, new, {"exp_avg": m, "exp_avg_sq": v})


def _named(model: Any) -> list[tuple[str, Value]]:
    if callable(getattr(model, "named_parameters", None)):
        return model.named_parameters()
    return [(str(i), p) for i, p in enumerate(model.parameters())]  # a micrograd-style model


def _check_optimizer(model: Any, optimizer: object, who: str) -> list[Value]:
    """Refuse, for ``who`` (``fit()``, ``animate_training_step``), an optimiser that is not one of
    ``nn.optim``'s (a torch optimiser cannot move a Value) or that updates none of the model's
    parameters; return the parameters.

    One that holds only some of them (fine-tuning the last layer) or more (a parameter of a custom
    loss besides the model's) is fine.

    >>> from nn import MLP
    >>> _check_optimizer(MLP(1, [1]), SGD(MLP(1, [1]).parameters()), "fit()")
    Traceback (most recent call last):
    ...
    ValueError: fit(): the optimiser updates 0 of the model's 2 parameters (was it built for ...
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{who}: optimizer must be an nn.optim optimizer, got {type(optimizer).__name__}")
    named = _named(model)
    if not named:
        raise ValueError(f"{who}: the model has no parameters, so there is nothing to train")
    held = {id(p) for p in optimizer.params}
    updated = sum(id(p) in held for _, p in named)
    if updated == 0:
        kind = type(optimizer).__name__
        raise ValueError(
            f"{who}: the optimiser updates 0 of the model's {len(named)} parameters (was it built for "
            f"another model?); build it with optim.{kind}(model.parameters())"
        )
    optimizer._learn_names(named)
    return [p for _, p in named]


def linear_decay(start: float, end: float, steps: int) -> Callable[[int], float]:
    """Learning rate ``start`` at step 0 falling in a straight line to ``end`` at ``steps``, then flat.

    >>> [round(linear_decay(1.0, 0.0, 4)(k), 2) for k in range(6)]
    [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """
    _positive("start", start)
    _positive("end", end)
    if not is_int(steps) or steps < 1:
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
    if not is_int(every) or every < 1:
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
        if not callable(schedule):
            raise TypeError(f"schedule must be a function of the step number, got {type(schedule).__name__}")
        self.optimizer = optimizer
        self.schedule = schedule
        self.k = 0
        optimizer.lr = _positive("schedule(0)", schedule(0))

    def step(self) -> None:
        """Advance one step (an epoch or a batch, as you call it) and set the new learning rate."""
        self.k += 1
        self.optimizer.lr = _positive(f"schedule({self.k})", self.schedule(self.k))
