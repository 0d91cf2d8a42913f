"""The tape: a graph recorded once as a flat list of statements (a Wengert list), shown and replayed.

``step = trace(fn)`` runs ``fn`` once on ``Value``\\ s and records every operation it performs as a
numbered statement: the **forward sweep** (``v7 = v5 * v6``) and, read backwards from the output,
the **reverse sweep** (``g5 += v6 * g7``): the code that backpropagation *is*. ``step(*numbers)``
then runs that code on new numbers: it reads the current ``.data`` and ``.grad`` of every leaf
``fn`` captured (a model's parameters), computes on floats with no ``Value`` at all, returns the
output as a float and adds d(out)/d(leaf) into the leaves' ``.grad``, exactly as
``fn(*numbers).backward()`` would.

How it stays exact. The tape is Python generated from the op table (``ops.py``): each statement
calls the row's forward rule, or writes it inline where it is an operator, and each reverse
statement writes the row's derivative rule, which the table holds as an expression
(``"1.0 - o * o"``). The statements run in the order the eager engine runs them (the forward pass
in the order the nodes were built, the reverse sweep in ``backward()``'s topological order), so
the floats are the same, operation for operation: bit for bit. A tape of more than
``COMPILED_UP_TO`` statements is not compiled (Python's compiler would take longer than the calls
save) but interpreted: a loop calls each statement's forward rule and each edge's derivative rule,
the same functions on the same floats in the same order. In the code of a tape of more than
``code.NAMED_BY_SLOT_UP_TO`` statements, inner gradients share variables (``gr0``, ``gr1``, ...)
once their last reader has run, where a shorter tape names each after its slot (``g7``): a kept
tape then costs about 170 bytes an op, not 280 (the same statements, so the same floats).

The rule (as JAX states it for ``jit``): **a traced function is a pure function of its arguments
and of the** ``.data`` **of the Values it captured.** Those numbers may change between calls; the
*shape* of the computation may not. What ``fn`` does with them is replayed exactly:

- A comparison of a Value (``if x > 0:``), ``float(v)`` or ``v.data`` inside ``fn`` is a
  **guard**: the tape checks it on every call, and when one would go the other way, ``fn`` is
  traced again (each outcome keeps its own tape, up to ``MAX_TAPES``).
- ``detach()``, a ``no_grad`` block and ``extend.stop_gradient`` inside ``fn`` make values that
  carry no gradient; the tape recomputes them on every call (JAX's ``stop_gradient``). The library's own
  reads (log-softmax's shift, ``grad()``'s checks) are of this kind, not guards.
- ``grad(f)`` and ``grad(out, xs, create_graph=True)`` inside ``fn`` are recorded like any op.

Refused when ``fn`` is traced, with a message that says why: a backward pass inside ``fn``
(``backward()``, ``grad()`` without ``create_graph``: a replay would skip it), a Value computed
outside ``fn`` (its number would be stale: compute it inside, or pass its number), and a graph
that changes with every call (more than ``MAX_TAPES`` tapes).

Seen only while tracing, so not to rely on (a tape cannot see them, and nothing warns): a Python
number read from outside ``fn`` (a closure's ``scale``: pass it as an argument), side effects
(printing, appending to a list, keeping a Value made inside ``fn``: a replay makes no Values),
and a captured Value *replaced* by another object (``neuron.w[0] = Value(1.0)``: the tape keeps
reading the old one; trace again). ``nn.fit`` traces again when a model's parameters change.

The package, one job per file: ``statements`` (what a tape is made of, and its text),
``recording`` (``fn`` run once, its nodes made statements), ``code`` (the generated Python, and
the interpreter for a long tape) and ``traced`` (``trace``: replaying, guards, the leaves'
gradients). ``jvp``, forward mode on a tape, is in ``autograd.functional``.

Threads may share a traced function: each call reads the leaves' gradients, replays and writes
them back as one atomic step, so no call's gradient is lost.

Errors are the eager engine's: when a replay meets a domain error or a number that is not finite,
``fn`` runs eagerly on the same numbers, which raises the engine's own error (naming the op, its
inputs and the labels). Under ``no_grad``, ``detect_anomaly``, a hook or a backward watcher the
call runs eagerly too.

>>> from autograd import Value
>>> w = Value(-3.0, label="w")
>>> step = trace(lambda x: (x * w).tanh())
>>> round(step(2.0), 6), round(w.grad, 6)
(-0.999988, 4.9e-05)
>>> print(step.tape)
tape of <lambda>: 1 input, 1 captured leaf (w), 2 operations
forward sweep
  v0 = x         # input 0
  v1 = w         # captured leaf: its .data when the tape runs
  v2 = v0 * v1   # mul
  v3 = tanh(v2)  # tanh
reverse sweep
  g3 = 1                # seed: d(v3)/d(v3)
  g2 += (1 − v3²) · g3  # tanh: 1 − o²
  g1 += v0 · g2         # mul: a (the other factor)
"""

from ..functional import jvp as jvp  # forward mode on a tape: where it lived before
from .code import COMPILED_UP_TO, NotFinite, Retrace
from .recording import record
from .statements import KINDS, Guard, ReverseLine, SlotSet, Statement, Statements, Tape
from .traced import MAX_TAPES, WRITING, Traced, trace

__all__ = [
    "COMPILED_UP_TO", "KINDS", "MAX_TAPES", "WRITING", "Guard", "NotFinite", "Retrace", "ReverseLine",
    "SlotSet", "Statement", "Statements", "Tape", "Traced", "jvp", "record", "trace",
]  # fmt: skip
