"""Threads that race: each call in its own thread, switching threads as often as Python can."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any


def race(target: Callable[..., Any], arguments: Iterable[tuple[Any, ...]]) -> None:
    """Run ``target(*a)`` for each ``a`` in a thread of its own, all at once, and wait for them
    (two minutes at most: a thread still alive then fails the caller's test)."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=target, args=a) for a in arguments]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        sys.setswitchinterval(old)
    assert not any(t.is_alive() for t in threads), "a racing thread did not finish in 2 minutes"
