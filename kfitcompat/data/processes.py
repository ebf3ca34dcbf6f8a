"""Loading ``Sequence`` batches in worker processes (``use_multiprocessing=True``).

Workers are never forked from the training process: forking a process that
holds TensorFlow's threads is what made Keras 2 multiprocessing hang. On POSIX
they come from a *forkserver* started for the call, which imports the
Sequence's module once (it has run no TensorFlow op and holds no TensorFlow
thread), so N workers cost one import of your module instead of N, and later
calls none. Elsewhere they are *spawned*. Workers ignore
SIGINT, so Ctrl-C reaches the training process, which then shuts the pool down.
The Sequence is pickled once per pass into a file the workers read, so the
state ``on_epoch_end()`` sets in the parent reaches them (Keras 2 re-sent the
Sequence to a new pool for the same reason).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import shutil
import signal
import tempfile
import traceback
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

__all__ = ["ProcessIterator", "ProcessLoader", "WorkerDiedError", "default_start_method"]

_CACHE: dict[str, Any] = {}


class WorkerDiedError(RuntimeError):
    """A loading process ended without returning its batch."""


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _worker_getitem(path: str, index: int, method: str = "__getitem__") -> Any:
    sequence = _CACHE.get(path)
    if sequence is None:
        _CACHE.clear()
        with open(path, "rb") as f:
            sequence = pickle.load(f)
        _CACHE[path] = sequence
    return getattr(sequence, method)(index)


def default_start_method() -> str:
    """``forkserver`` where the platform has it, else ``spawn``; never ``fork``."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


_PRELOADED: set[str] = set()  # modules the forkserver kfitcompat started has imported


def _prepare_forkserver(module: str) -> None:
    """Have the forkserver import ``module`` before forking workers from it.

    The forkserver is started on first use and, like Python's resource tracker,
    lives until the interpreter exits: later calls fork their workers at once
    instead of importing TensorFlow again. A running server is never restarted
    (stopping one that has imported TensorFlow can block in its interpreter
    teardown): a Sequence from a module it has not preloaded is imported by each
    worker when it unpickles the Sequence (slower start, same result). Private
    ``multiprocessing`` API, guarded.
    """
    try:
        from multiprocessing import forkserver

        server = forkserver._forkserver
        if getattr(server, "_forkserver_pid", None) is not None:
            return
        _PRELOADED.update({__name__, module})
        server.set_forkserver_preload(sorted(_PRELOADED))
    except (ImportError, AttributeError):  # pragma: no cover - other Pythons
        pass


class ProcessLoader:
    """Callable ``index -> batch`` backed by ``workers`` processes (see module doc)."""

    def __init__(self, sequence: Any, workers: int, start_method: str | None = None,
                 method: str = "__getitem__") -> None:
        self._sequence = sequence
        self._method = method
        self._dir = tempfile.mkdtemp(prefix="kfitcompat-seq-")
        self._version = 0
        self._path = ""
        self.refresh()
        method = start_method or default_start_method()
        if method == "forkserver":
            _prepare_forkserver(type(sequence).__module__)
        # Requests in flight: each worker has one batch queued behind the one it loads,
        # so it never waits for the parent's round trip (~5 ms on a busy 2-core machine).
        self.concurrency = 2 * workers
        self._early: dict[int, Any] = {}
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context(method),
            initializer=_init_worker,
        )

    def refresh(self) -> None:
        """Send the parent's current Sequence state to the workers (after ``on_epoch_end``)."""
        try:
            payload = pickle.dumps(self._sequence, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            raise TypeError(
                f"`use_multiprocessing=True` needs a picklable Sequence, and "
                f"{type(self._sequence).__name__} could not be pickled ({exc}). Define the "
                f"class at the top level of a module, keep open files, locks and models out "
                f"of its attributes, or use threads (`use_multiprocessing=False`)."
            ) from exc
        self._version += 1
        path = os.path.join(self._dir, f"sequence-{self._version}.pkl")
        with open(path, "wb") as f:
            f.write(payload)
        self._path = path

    def submit(self, index: int) -> Any:
        """A ``Future`` of batch ``index`` (read from the current Sequence state)."""
        return self._pool.submit(_worker_getitem, self._path, index, self._method)

    def start(self, indices: list[int]) -> None:
        """Request the first batches now: the workers load them while Keras sets up."""
        for index in indices:
            self._early.setdefault(index, self.submit(index))

    def __call__(self, index: int) -> Any:
        future = self._early.pop(index, None)
        try:
            return (future or self.submit(index)).result()
        except BrokenProcessPool as exc:
            raise WorkerDiedError(
                f"A worker process died while loading batch index {index} (killed, out of "
                f"memory, or crashed in native code). If your script does not guard its "
                f"training code with `if __name__ == '__main__':`, add the guard: worker "
                f"processes are spawned and re-import your main module."
            ) from exc
        except Exception as exc:
            remote = getattr(exc.__cause__, "tb", None)  # concurrent.futures' _RemoteTraceback
            if isinstance(remote, str):
                exc.add_note(f"Traceback in the worker process:\n{remote.strip()}")
            raise

    def close(self) -> None:
        self._early.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self._dir, ignore_errors=True)


def _produce(iterator: Any, out: Any, stop: Any) -> None:
    """Child side of :class:`ProcessIterator`: iterate and send every item."""
    _init_worker()

    def send(kind: str, value: Any) -> None:
        while not stop.is_set():
            try:
                out.put((kind, value), timeout=0.1)
                return
            except queue.Full:
                continue

    try:
        for item in iterator:
            if stop.is_set():
                return
            send("item", item)
    except BaseException as exc:  # sent to the parent, re-raised there
        try:
            exc.add_note(f"Traceback in the producer process:\n{traceback.format_exc().strip()}")
            pickle.dumps(exc)
            send("error", exc)
        except Exception:
            send("error", RuntimeError(f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
        return
    send("end", None)


class ProcessIterator:
    """Runs a picklable iterator in one producer process; iterate to receive its items.

    At most ``max_queue_size`` items wait in the queue. An exception in the
    producer is re-raised here; a producer that dies raises
    :class:`WorkerDiedError`. :meth:`close` stops and joins it.
    """

    def __init__(self, iterator: Any, max_queue_size: int, start_method: str | None = None
                 ) -> None:
        method = start_method or default_start_method()
        if method == "forkserver":
            _prepare_forkserver(type(iterator).__module__)
        ctx: Any = multiprocessing.get_context(method)
        self._queue = ctx.Queue(maxsize=max(max_queue_size, 1))
        self._stop = ctx.Event()
        self._process = ctx.Process(target=_produce, args=(iterator, self._queue, self._stop),
                                    name="kfitcompat-producer", daemon=True)
        self._process.start()
        self._done = False

    def __iter__(self) -> ProcessIterator:
        return self

    def __next__(self) -> Any:
        while not self._done:
            try:
                kind, value = self._queue.get(timeout=0.2)
            except queue.Empty:
                if not self._process.is_alive() and self._queue.empty():
                    self._done = True
                    raise WorkerDiedError(
                        f"The producer process running your generator died (exit code "
                        f"{self._process.exitcode}) before it finished."
                    ) from None
                continue
            if kind == "item":
                return value
            self._done = True
            if kind == "error":
                raise value
        raise StopIteration

    def close(self) -> None:
        self._stop.set()
        while self._process.is_alive():
            try:
                while True:
                    self._queue.get_nowait()
            except queue.Empty:
                pass
            self._process.join(timeout=0.1)
        self._queue.close()
        self._queue.join_thread()
