"""Letting the interpreter exit while a kfitcompat ``tf.data`` iterator is still alive.

An iterator a script still holds when it ends (``it = iter(iterator.as_dataset())`` at module
level) is destroyed during interpreter finalization. Its destructor waits for the pipeline's
threads, and a thread inside, or about to enter, one of our ``numpy_function`` calls needs the
GIL, which no thread but the main one can take once finalization has started: the process
hung. At exit, before finalization, every live source's gate closes: its Python calls fail at
once (or end the stream), the pipeline's threads fill their buffers and park, and the
destructors later run without calling Python.
"""

from __future__ import annotations

import atexit
import threading
import time
import weakref
from typing import Any

__all__ = ["CallGate", "InterpreterExiting", "close_all_gates"]

_LIVE: weakref.WeakSet[CallGate] = weakref.WeakSet()


class InterpreterExiting(RuntimeError):
    """Raised into a pipeline whose source was stopped because the interpreter is exiting."""


class CallGate:
    """Counts a source's Python calls from its pipeline; closed at interpreter exit."""

    def __init__(self) -> None:
        self.closed = False
        self._busy = 0
        self._lock = threading.Lock()
        self._last = time.monotonic()
        _LIVE.add(self)

    def __enter__(self) -> None:
        if self.closed:
            raise InterpreterExiting("kfitcompat: the interpreter is exiting; loading stopped.")
        with self._lock:
            self._busy += 1

    def __exit__(self, *exc: Any) -> None:
        with self._lock:
            self._busy -= 1
            self._last = time.monotonic()

    def quiet_for(self, now: float) -> float:
        """Seconds since the last call ended (0 while one runs)."""
        with self._lock:
            return 0.0 if self._busy else now - self._last


def close_all_gates(quiet: float = 0.1, limit: float = 5.0) -> None:
    """Close every live gate, then wait (at most ``limit`` s) until no call ran for ``quiet`` s."""
    gates = list(_LIVE)
    for gate in gates:
        gate.closed = True
    deadline = time.monotonic() + limit
    while gates and time.monotonic() < deadline:
        now = time.monotonic()
        if all(gate.quiet_for(now) >= quiet for gate in gates):
            return
        time.sleep(0.02)


atexit.register(close_all_gates)  # runs before finalization, after non-daemon threads ended
