"""The worker side of ``use_multiprocessing=True``: what a loading process runs.

Kept apart from ``kfitcompat.data`` (which imports TensorFlow) so that a producer
process running a plain iterator starts without importing TensorFlow: it imports this
module, ``cloudpickle`` and what the user's iterator needs. The training side is
``kfitcompat.data.processes``.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
import time
import traceback
from typing import Any

import cloudpickle

__all__ = ["PARENT_POLL", "RemoteError", "init_worker", "portable", "produce",
           "warm_up", "worker_getitem", "worker_load"]

_CACHE: dict[str, Any] = {}
PARENT_POLL = 0.5  # seconds between a worker's checks that the training process lives


class RemoteError(RuntimeError):
    """An exception from a worker whose own class could not be rebuilt in this process."""


def exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    os._exit(1)  # the training process is gone: nobody will read what we load


def init_worker(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=exit_with_parent, args=(parent,), daemon=True,
                     name="kfitcompat-parent-watch").start()


def rebuild(cls: Any, args: tuple, state: dict, name: str, message: str,
             worker_traceback: str) -> BaseException:
    """The worker's exception as an instance of its own class, set up without ``__init__``."""
    try:
        exc = cls.__new__(cls)
        exc.args = args
        exc.__dict__.update(state)
    except Exception:
        exc = RemoteError(f"{name}: {message}")
    exc.add_note(f"Traceback in the worker process:\n{worker_traceback.strip()}")
    return exc


class _Portable(Exception):
    """Carries an exception ``pickle`` cannot round-trip (see ``_portable``)."""

    def __init__(self, exc: BaseException, worker_traceback: str) -> None:
        super().__init__(str(exc))
        self.exc, self.worker_traceback = exc, worker_traceback

    def __reduce__(self) -> tuple:
        exc = self.exc
        cls: Any = type(exc)
        args, state = exc.args, dict(getattr(exc, "__dict__", {}))
        try:
            cloudpickle.dumps((cls, args, state))
        except Exception:
            cls, args, state = None, (str(exc),), {}
        return (rebuild, (cls, args, state, f"{type(exc).__module__}.{type(exc).__qualname__}",
                           str(exc), self.worker_traceback))


def portable(exc: BaseException, worker_traceback: str) -> BaseException:
    """``exc`` if the parent can unpickle it as is, else a carrier that rebuilds it there."""
    try:
        pickle.loads(cloudpickle.dumps(exc))
        return exc
    except Exception:
        return _Portable(exc, worker_traceback)


def worker_getitem(path: str, index: int, method: str = "__getitem__") -> Any:
    sequence = worker_load(path)
    try:
        return getattr(sequence, method)(index)
    except Exception as exc:
        carrier = portable(exc, traceback.format_exc())
        if carrier is exc:
            raise
        raise carrier from None


def worker_load(path: str) -> Any:
    """The Sequence of pass file ``path``, unpickled once per worker and pass."""
    if path not in _CACHE:
        _CACHE.clear()
        with open(path, "rb") as f:
            _CACHE[path] = pickle.load(f)
    return _CACHE[path]


def warm_up(path: str) -> None:
    """A worker's first task: unpickle the Sequence (importing what it needs); the loader
    switches to processes once one worker has. Not a reader of ``path``: if a newer pass
    has replaced the file meanwhile, the next request loads that one."""
    try:
        worker_load(path)
    except FileNotFoundError:
        pass


def produce(payload: bytes, out: Any, stop: Any, parent: int) -> None:
    """Child side of ``ProcessIterator``: send every item (``("item", x)``) until told to
    stop, the iterator ends (``("end", None)``) or raises (``("error", ...)``); then send the
    iterator itself as it is now (``("state", ...)``), so the next call on it goes on from
    here. Blocking puts: the parent reads until the state (and this process exits with the
    parent if that one dies)."""
    init_worker(parent)
    iterable: Any = None
    try:
        iterable = pickle.loads(payload)
        iterator = iter(iterable)
        while not stop.is_set():
            try:
                item = next(iterator)
            except StopIteration:
                out.put(("end", None))
                break
            out.put(("item", item))
    except BaseException as exc:  # sent to the parent, re-raised there
        carrier = portable(exc, traceback.format_exc())
        if carrier is exc:
            exc.add_note(f"Traceback in the producer process:\n{traceback.format_exc().strip()}")
        out.put(("error", cloudpickle.dumps(carrier)))
    out.put(("state", _state_of(iterable)))


def _state_of(iterable: Any) -> tuple[bytes | None, str]:
    """``(cloudpickle bytes, "")`` of the iterator, or ``(None, why it cannot be sent)``."""
    if iterable is None:
        return None, "it could not be unpickled in the producer process"
    try:
        return cloudpickle.dumps(iterable, protocol=pickle.HIGHEST_PROTOCOL), ""
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}"
