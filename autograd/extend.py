"""What someone adding an operation (or writing a tool that reads graphs) needs.

- ``Op`` and ``OPS``: the table of operations (``ops.py``), one row per op.
- ``inputs_of``, ``parents_of``, ``locals_of``: what a node recorded, without knowing how it
  stores it; ``local_value_grads``: its local derivatives rebuilt as Values (create_graph).
- ``on_new_node``, ``on_backward_step``, ``on_read``: context managers (``modes.py``: per thread
  and context) that watch nodes being built, chain-rule steps being taken and numbers being read
  into Python (``detect_anomaly`` and ``trace`` are built on them).

CONTRIBUTING.md lists every file that adding an op touches.

>>> from autograd import Value
>>> x = Value(3.0); y = x * 2
>>> OPS["mul"] is y.op, inputs_of(y) == (x, 2.0), locals_of(y)
(True, True, (2.0,))
"""

from .create_graph import local_value_grads
from .modes import on_backward_step, on_new_node, on_read
from .ops import OPS, DomainError, Op
from .value import inputs_of, locals_of, parents_of

__all__ = [
    "OPS",
    "DomainError",
    "Op",
    "inputs_of",
    "local_value_grads",
    "locals_of",
    "on_backward_step",
    "on_new_node",
    "on_read",
    "parents_of",
]
