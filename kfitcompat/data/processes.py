"""Loading ``Sequence`` batches in worker processes (``use_multiprocessing=True``).

Processes are *spawned*, never forked: forking a process that holds
TensorFlow's threads is what made Keras 2 multiprocessing hang. Workers ignore
SIGINT, so Ctrl-C reaches the training process, which then shuts the pool down.
The Sequence is pickled once per pass into a file the workers read, so the
state ``on_epoch_end()`` sets in the parent reaches them (Keras 2 re-sent the
Sequence to a new pool for the same reason).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

__all__ = ["ProcessLoader", "WorkerDiedError"]

_CACHE: dict[str, Any] = {}


class WorkerDiedError(RuntimeError):
    """A loading process ended without returning its batch."""


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _worker_getitem(path: str, index: int) -> Any:
    sequence = _CACHE.get(path)
    if sequence is None:
        _CACHE.clear()
        with open(path, "rb") as f:
            sequence = pickle.load(f)
        _CACHE[path] = sequence
    return sequence[index]


class ProcessLoader:
    """Callable ``index -> batch`` backed by ``workers`` spawned processes."""

    def __init__(self, sequence: Any, workers: int, start_method: str = "spawn") -> None:
        self._sequence = sequence
        self._dir = tempfile.mkdtemp(prefix="kfitcompat-seq-")
        self._version = 0
        self._path = ""
        self.refresh()
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context(start_method),
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

    def __call__(self, index: int) -> Any:
        try:
            return self._pool.submit(_worker_getitem, self._path, index).result()
        except BrokenProcessPool as exc:
            raise WorkerDiedError(
                f"A worker process died while loading batch index {index} (killed, out of "
                f"memory, or crashed in native code). If your script does not guard its "
                f"training code with `if __name__ == '__main__':`, add the guard: worker "
                f"processes are spawned and re-import your main module."
            ) from exc

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self._dir, ignore_errors=True)
