"""Helpers for tests of careless use: Ctrl-C at an exact line, and values put where they do not
belong (which a stricter engine may already refuse at the assignment)."""

from __future__ import annotations

import contextlib
import linecache
import os
import select
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def ctrl_c_at(function: Callable, line_text: str, nth: int) -> Iterator[list[int]]:
    """Raise ``KeyboardInterrupt`` the ``nth`` time a line of ``function`` containing ``line_text``
    is about to run. A line tracer, so it is deterministic (no signals, no timing); yields the list
    of line numbers hit, for the test to check that the interrupt came where it meant."""
    code = function.__code__
    hits: list[int] = []

    def tracer(frame, event, arg):
        if frame.f_code is not code:
            return None
        if event == "line" and len(hits) < nth:
            if line_text in linecache.getline(code.co_filename, frame.f_lineno):
                hits.append(frame.f_lineno)
                if len(hits) == nth:
                    raise KeyboardInterrupt
        return tracer

    previous = sys.gettrace()  # coverage or a debugger: put it back afterwards
    sys.settrace(tracer)
    try:
        yield hits
    finally:
        sys.settrace(previous)


def put(node: object, attribute: str, value: object) -> bool:
    """Set ``node.data`` or ``node.grad`` to a bad ``value``, as careless code would; False when the
    engine refuses the assignment itself (then the boundary under test is never reached with it)."""
    try:
        setattr(node, attribute, value)
    except (TypeError, ValueError, OverflowError):
        return False
    stored = getattr(node, attribute)
    converted = stored is not value and type(stored) is float  # numpy.float32(0.5) became 0.5
    return not converted


def child_env() -> dict[str, str]:
    """The environment for a child Python that imports this checkout's packages."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}


def killed_mid_write(code: str, path: str) -> int:
    """Run ``code`` in a child Python with ``path`` as its argument, SIGKILL it once it prints
    "mid-write" (it then waits in ``signal.pause()``), and return its pid. No clock: the child
    says when it is where the test wants it, and a hang fails after a deadline."""
    child = subprocess.Popen(
        [sys.executable, "-c", code, path], stdout=subprocess.PIPE, text=True, env=child_env()
    )
    try:
        ready, _, _ = select.select([child.stdout], [], [], 60)
        assert ready and child.stdout.readline() == "mid-write\n"
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=60) == -signal.SIGKILL
    finally:
        child.kill()
        child.wait(timeout=60)
        child.stdout.close()
    return child.pid
