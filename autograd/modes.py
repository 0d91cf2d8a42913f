"""Modes: what building a node records, and who watches, inside a ``with`` block.

One rule decides, the one of Python's ``contextvars``: a mode holds for the code that runs inside
its block, in the same thread and context. A new thread starts in no mode, so a thread inside
``no_grad`` never changes what another thread builds; an asyncio task starts in the modes of the
code that created it (a task created inside ``no_grad`` builds no graph, even if it runs after the
block). Nothing is shared between threads, so a result never depends on what another thread does.

A block must end where it began. A block left in another task or context (an async generator
holding ``no_grad`` across a ``yield``, resumed by another task) restores the modes it found
there and raises ``ModeError`` saying so.

>>> from autograd import Value
>>> with no_grad():
...     y = Value(2.0) * 3
>>> y.is_leaf, now().recording
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import Any, NamedTuple

from .checks import left_elsewhere

NewNode = Callable[[Any], None]  # callback(node)
Reader = Callable[[Any, str, object, object], None]  # callback(node, how, other, result)
OnStep = Callable[..., None]  # (node, parent, position, local, upstream, product, before, after)
NoGradient = Callable[[Any, Any, tuple[Any, ...]], None]  # callback(node, rule, sources)
OnPass = Callable[[Any, bool], None]  # callback(root, create_graph)


class Modes(NamedTuple):
    """The modes in force; ``MODES`` holds None instead of ``Modes()``, so that building a node
    outside every block costs one lookup."""

    recording: bool = True  # no_grad() sets False
    on_new: tuple[NewNode, ...] = ()
    on_read: Reader | None = None
    on_step: tuple[OnStep, ...] = ()
    anomaly: bool = False
    on_no_gradient: NoGradient | None = None  # trace() records stop-gradients (see below)
    on_pass: OnPass | None = None  # trace() refuses a backward pass inside a traced function


MODES: ContextVar[Modes | None] = ContextVar("gradstep_modes", default=None)


class ModeError(RuntimeError):
    """A mode's block was left in another task or context than the one that entered it."""


@contextmanager
def mode(name: str, **changes: Any) -> Iterator[None]:
    """The block of a mode named ``name``: ``changes`` to the modes in force, undone at its end."""
    before = MODES.get()
    token = MODES.set((before or Modes())._replace(**changes))
    try:
        yield
    finally:
        try:
            MODES.reset(token)
        except ValueError:  # contextvars' "created in a different Context"
            MODES.set(before)
            raise ModeError(left_elsewhere(name)) from None


def now() -> Modes:
    """The modes in force here.

    >>> now().recording
    True
    """
    return MODES.get() or Modes()


def no_grad() -> AbstractContextManager[None]:
    """Build no graph inside the block: results are leaves (for updates and inference). Holds
    in this thread and context only (see the module's rule). Also a decorator.

    >>> from autograd import Value
    >>> w = Value(1.0)
    >>> with no_grad():
    ...     w2 = w - 0.1 * 2.0
    >>> w2.is_leaf, w2.data
    (True, 0.8)
    """
    return mode("no_grad", recording=False)


def on_new_node(callback: NewNode) -> AbstractContextManager[None]:
    """Call ``callback(node)`` for every node built inside the block, leaves included (after any
    callback of an enclosing block). ``detect_anomaly`` uses it to note where nodes are built,
    ``trace`` to tell the leaves a function makes from those it captures.

    >>> from autograd import Value
    >>> built = []
    >>> with on_new_node(built.append):
    ...     x = Value(2.0); y = x * 3
    >>> built == [x, y]
    True
    """
    return mode("on_new_node", on_new=(*now().on_new, callback))


def on_read(callback: Reader) -> AbstractContextManager[None]:
    """Call ``callback(node, how, other, result)`` whenever a Value's number is read into Python
    inside the block: a comparison (``how`` is "<", "<=", ">", ">=", ``other`` what it was
    compared with), ``float(v)`` ("float") or ``v.data`` ("data"). ``trace`` records these as
    guards: a traced function that branched on a number must be traced again when it changes.

    >>> from autograd import Value
    >>> seen = []
    >>> with on_read(lambda node, how, other, result: seen.append((how, result))):
    ...     x = Value(2.0); x > 1, float(x)
    (True, 2.0)
    >>> seen
    [('>', True), ('float', 2.0)]
    """
    return mode("on_read", on_read=callback)


def on_backward_step(callback: OnStep) -> AbstractContextManager[None]:
    """Inside the block, every backward pass calls ``callback(node, parent, position, local,
    upstream, product, before, after)`` after each chain-rule ``+=`` (after any callback of an
    enclosing block). ``detect_anomaly`` checks each product with it.

    >>> from autograd import Value
    >>> x = Value(3.0); seen = []
    >>> with on_backward_step(lambda *step: seen.append(step[5])):
    ...     (x * x).backward()
    >>> seen
    [3.0, 3.0]
    """
    return mode("on_backward_step", on_step=(*now().on_step, callback))


def note_no_gradient(node: Any, rule: Any, sources: tuple[Any, ...]) -> None:
    """Tell the ``on_no_gradient`` watcher here, if any, how ``node`` got its number."""
    modes = MODES.get()
    if modes is not None and modes.on_no_gradient is not None:
        modes.on_no_gradient(node, rule, sources)


def watched() -> bool:
    """Whether backward passes here have a watcher (``on_backward_step``)."""
    return bool(getattr(MODES.get(), "on_step", ()))  # not now(): no default Modes built per call


def quiet() -> bool:
    """Whether no mode here changes how nodes are built, read or backpropagated: only then may a
    replayed tape stand in for the eager engine. (Watchers of backward are asked by ``watched``.)"""
    modes = MODES.get()
    return modes is None or (
        modes.recording and not modes.on_new and modes.on_read is None and modes.on_no_gradient is None
    )
