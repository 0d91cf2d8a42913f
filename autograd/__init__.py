"""gradstep's engine: scalar reverse-mode automatic differentiation you can watch.

>>> from autograd import Value
>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
>>> e = (a * b + 10).tanh(); e.backward()
>>> round(a.grad, 6)
-0.004023
"""

from .animate import Player, animate
from .backward import backward, grad, hessian, hvp, local_value_grads, topological_order, zero_grad
from .check import GradcheckError, gradcheck
from .draw import GraphvizNotFound, draw_dot
from .hooks import AnomalyError, RemovableHandle, detect_anomaly
from .ops import OPS, DomainError, Op
from .steps import Step, Steps, backward_steps
from .value import Value, no_grad

__all__ = [
    "OPS",
    "GraphvizNotFound",
    "Player",
    "Step",
    "Steps",
    "animate",
    "backward_steps",
    "draw_dot",
    "AnomalyError",
    "RemovableHandle",
    "detect_anomaly",
    "grad",
    "hessian",
    "hvp",
    "local_value_grads",
    "DomainError",
    "GradcheckError",
    "Op",
    "Value",
    "backward",
    "gradcheck",
    "no_grad",
    "topological_order",
    "zero_grad",
]
__version__ = "0.1.0"
