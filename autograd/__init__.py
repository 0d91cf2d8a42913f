"""gradstep's engine: scalar reverse-mode automatic differentiation you can watch.

>>> from autograd import Value
>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
>>> e = (a * b + 10).tanh(); e.backward()
>>> round(a.grad, 6)
-0.004023

Extension internals (the op table, reading a node's edges) are in ``autograd.extend``.
"""

from .animate import Player, animate
from .anomaly import AnomalyError, detect_anomaly
from .backward import backward, topological_order
from .draw import GraphvizNotFound, draw_dot
from .explain import rule_text
from .functional import grad, hessian, hvp, jvp, zero_grad
from .gradcheck import GradcheckError, gradcheck
from .hooks import RemovableHandle
from .modes import no_grad
from .ops import DomainError
from .steps import Step, Steps, backward_steps
from .tape import trace
from .tape_view import animate_tape
from .text import tree as _tree
from .value import Value

Value.tree = _tree  # v.tree(): a view, so it lives in text.py; the engine imports no view

__all__ = [
    # using the engine
    "Value",
    "backward",
    "no_grad",
    "zero_grad",
    "grad",
    "hessian",
    "hvp",
    "trace",
    "jvp",
    "DomainError",
    # seeing it
    "draw_dot",
    "GraphvizNotFound",
    "backward_steps",
    "Step",
    "Steps",
    "animate",
    "animate_tape",
    "Player",
    "rule_text",
    "topological_order",
    # debugging
    "gradcheck",
    "GradcheckError",
    "detect_anomaly",
    "AnomalyError",
    "RemovableHandle",
]
__version__ = "0.1.0"
