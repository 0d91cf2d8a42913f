"""What someone adding an operation (or writing a tool that reads graphs) needs.

- ``Op`` and ``OPS``: the table of operations (``ops.py``), one row per op.
- ``inputs_of``, ``parents_of``, ``locals_of``: what a node recorded, without knowing how it
  stores it; ``local_value_grads``: its local derivatives rebuilt as Values (create_graph).
- ``on_new_node``, ``on_backward_step``, ``on_read``: context managers (``modes.py``: per thread
  and context) that watch nodes being built, chain-rule steps being taken and numbers being read
  into Python (``detect_anomaly`` and ``trace`` are built on them).
- ``stop_gradient``: a number a function computes from Values for its own sake (log-softmax's
  shift), as a Value without gradient that a traced function recomputes instead of guarding on.
- For views built on the engine's (``nn``'s network player and drawing): the player's pieces
  (``Player``, ``Frame``, ``Ask``, ``check_page_options``, ``rule_words``), the words and numbers
  every view shows (``format_number``, ``local_rule``, ``shorten``, ``NO_GRAD``, ``sign_colour``)
  and files written whole (``write_atomically``, ``create_temp``, ``remove_stale_temps``,
  ``STALE_SECONDS``). ``nn`` imports only ``autograd`` and this module.

CONTRIBUTING.md lists every file that adding an op touches.

>>> from autograd import Value
>>> x = Value(3.0); y = x * 2
>>> OPS["mul"] is y.op, inputs_of(y) == (x, 2.0), locals_of(y)
(True, True, (2.0,))
"""

from .animate import Ask, Frame, Player, check_page_options, rule_words
from .create_graph import local_value_grads
from .draw import sign_colour
from .files import STALE_SECONDS, create_temp, remove_stale_temps, write_atomically
from .functional import stop_gradient
from .modes import on_backward_step, on_new_node, on_read
from .ops import OPS, DomainError, Op
from .text import NO_GRAD, format_number, local_rule, shorten
from .value import inputs_of, locals_of, parents_of

__all__ = [
    "NO_GRAD",
    "STALE_SECONDS",
    "Ask",
    "Frame",
    "Player",
    "check_page_options",
    "create_temp",
    "format_number",
    "local_rule",
    "remove_stale_temps",
    "rule_words",
    "shorten",
    "sign_colour",
    "write_atomically",
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
    "stop_gradient",
]
