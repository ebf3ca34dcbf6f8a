"""Loading ``Sequence`` batches in worker processes (``use_multiprocessing=True``).

Keras 2 forked the training process; forking a process that holds TensorFlow's
threads is what made its multiprocessing hang. Workers here come from
`loky <https://github.com/joblib/loky>`_ (joblib's process executor): fresh
interpreters started by fork+exec on every platform, which do **not** re-run
the main module (so scripts without ``if __name__ == "__main__":`` work) and
receive what they run through ``cloudpickle`` (so a ``Sequence`` class defined
in a notebook cell, ``python -c`` or an unguarded script travels by value).
loky also reports a worker that dies (``WorkerDiedError`` here, naming the
batch).

Workers ignore SIGINT, so Ctrl-C reaches the training process, which then shuts
the pool down; they exit by themselves within a second if the training process
dies (SIGKILL, default SIGTERM). The Sequence is pickled once per pass into a
file the workers read, so the state ``on_epoch_end()`` sets in the parent
reaches them (Keras 2 re-sent the Sequence to a new pool for the same reason);
a pass's file is deleted once no request reads it. An exception raised in a
worker reaches the caller with its own type and message even when its class
cannot be rebuilt by ``pickle`` (an ``__init__`` with other arguments).
"""

from __future__ import annotations

import os
import pickle
import queue
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import cloudpickle
from loky import ProcessPoolExecutor
from loky.backend.context import get_context
from loky.process_executor import BrokenProcessPool

from .._workers import RemoteError, init_worker, produce, warm_up, worker_getitem
from . import tempdirs
from .carryover import Raised

__all__ = ["ProcessIterator", "ProcessLoader", "RemoteError", "UnpicklableError",
           "WorkerDiedError"]

def dumps_by_value(obj: Any, what: str) -> bytes:
    """``cloudpickle`` bytes of ``obj`` (classes of ``__main__`` by value), or
    ``UnpicklableError`` naming the attribute that cannot be sent."""
    try:
        return cloudpickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        culprit = type(obj).__name__
        for name, value in sorted(getattr(obj, "__dict__", {}).items()):
            try:
                cloudpickle.dumps(value)
            except Exception:
                culprit = f"{type(obj).__name__}.{name} ({type(value).__name__})"
                break
        raise UnpicklableError(
            f"{what} cannot be sent to worker processes: {culprit} cannot be pickled "
            f"({type(exc).__name__}: {exc}). Open files, locks, sockets and models cannot "
            f"cross a process boundary: create them inside `__getitem__` (or `__iter__`), "
            f"or load in threads (`use_multiprocessing=False`)."
        ) from exc


#: Seconds of loading a call does in threads before it starts its worker processes
#: (``KFITCOMPAT_PROCESSES_AFTER``; ``0``: they start with the call and load every batch,
#: the first ones included). A worker is a fresh interpreter that imports TensorFlow to
#: unpickle a ``keras.utils.Sequence`` (about 6 s on a 2-core machine): a call whose loading
#: takes less than that would only wait for them.
PROCESSES_AFTER_DEFAULT = 5.0

#: Seconds the rest of a call must still take in threads for its worker processes to be
#: started: their start costs about 2 x 4 CPU-seconds (two interpreters importing TensorFlow)
#: taken from the training process on a 2-core machine, and a CPU-bound load at best halves
#: (``bench_workers.py --long``: a 16-epoch call of 8 s took 10.5 s once it started them).
WORTH_STARTING = 15.0


_TOLD = threading.Lock()  # held for good once a call has said it loaded in threads


def _tell_in_threads(why: str) -> None:
    """One line on stderr, once per process: a call with ``use_multiprocessing=True`` loaded
    in threads, why, and how to load in worker processes instead."""
    if _TOLD.acquire(blocking=False):
        print(f"kfitcompat: use_multiprocessing=True loaded in threads: {why}. "
              "KFITCOMPAT_PROCESSES_AFTER=0 starts worker processes with the call.",
              file=sys.stderr, flush=True)


def processes_after() -> float:
    """The threads-first budget in seconds (see ``PROCESSES_AFTER_DEFAULT``).

    Raises:
        ValueError: ``KFITCOMPAT_PROCESSES_AFTER`` is not a number >= 0.
    """
    value = os.environ.get("KFITCOMPAT_PROCESSES_AFTER", "")
    if not value:
        return PROCESSES_AFTER_DEFAULT
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:
        raise ValueError("Invalid value for environment variable `KFITCOMPAT_PROCESSES_AFTER`."
                         f" Expected a number of seconds >= 0. Received: {value!r}")
    return seconds


class WorkerDiedError(RuntimeError):
    """A loading process ended without returning its batch."""


class UnpicklableError(TypeError):
    """The object to load in processes cannot be serialized, even by value."""


class ProcessLoader:
    """Callable ``index -> batch`` backed by ``workers`` processes (see module doc).

    Threads first: the batches are loaded in ``workers`` threads of this process (as with
    ``use_multiprocessing=False``) until that loading has taken ``after`` seconds in all
    (``processes_after``); then the worker processes start, and once one of them has the
    Sequence, the next requests go to them (the threads keep serving while they start). A
    short call never waits for a worker to start and is never slower than threads; a long one
    runs in processes after its first seconds. ``planned``, the batches the call will ask for
    (when known), keeps a call in threads if the rest of it, at the pace of its threads so far,
    would take less than ``WORTH_STARTING`` seconds: the workers' start would cost more
    than they could save. Batches keep their order either way. ``after=0``: processes from the
    first batch (Keras 2's behaviour), ``planned`` ignored. ``tell``: a call that stays in
    threads says so in one line on stderr, the first time in the process (``verbose=0``: not).
    """

    def __init__(self, sequence: Any, workers: int, method: str = "__getitem__",
                 after: float | None = None, planned: int | None = None,
                 tell: bool = False) -> None:
        self._sequence = sequence
        self._method = method
        self._workers = workers
        self.closed = False
        self._tell = tell
        self._in_threads = 0  # requests served by the threads
        self._dir = tempdirs.make_dir(self)
        self._version = 0
        self._path = ""
        self._readers: dict[str, list[Future]] = {}  # pass file -> requests reading it
        self._pool: ProcessPoolExecutor | None = None
        self._ready: Future | None = None  # a worker has unpickled the Sequence
        self._lock = threading.RLock()  # submit runs on tf.data's parallel map threads
        # threads start on the first submit: nothing runs yet
        self._thread = ThreadPoolExecutor(workers, thread_name_prefix="kfitcompat-first")
        self._early: dict[int, Future] = {}
        try:
            self.refresh(force=True)  # an UnpicklableError now, not after the thread phase
            self._set_up(workers, after, planned)
        except BaseException:  # nothing left behind: no process, thread or folder
            self.close()
            raise

    def _set_up(self, workers: int, after: float | None, planned: int | None) -> None:
        # Requests in flight: each worker has one batch queued behind the one it loads,
        # so it never waits for the parent's round trip (~5 ms on a busy 2-core machine).
        self.concurrency = 2 * workers
        self._after = processes_after() if after is None else after
        self._thread_seconds = 0.0
        self._planned = planned
        self._in_threads = 0  # requests served by the threads
        self._first_request = 0.0  # when the first of them was made (perf_counter)
        if self._after <= 0:
            self._start_processes()

    @property
    def in_processes(self) -> bool:
        """Whether requests now go to the worker processes."""
        return self._ready is not None and self._ready.done() and not (
            self._ready.cancelled() or self._ready.exception() is not None)

    def _start_processes(self) -> None:
        if self._pool is not None:
            return
        self._write_pass()
        try:
            self._pool = ProcessPoolExecutor(max_workers=self._workers, initializer=init_worker,
                                             initargs=(os.getpid(),))
            self._ready = self._pool.submit(warm_up, self._path)
        except OSError as exc:
            exc.add_note(
                f"kfitcompat: the {self._workers} worker process(es) of use_multiprocessing=True "
                "could not start (too many open files: raise `ulimit -n`; a full or read-only "
                "/dev/shm or temporary directory). Load in threads with "
                "`use_multiprocessing=False`.")
            raise

    def refresh(self, force: bool = False) -> None:
        """Send the parent's current Sequence state to the workers (after ``on_epoch_end``);
        before they start, the threads read the parent's Sequence itself."""
        with self._lock:
            if self._pool is None and not force:
                return
            self._write_pass()

    def _write_pass(self) -> None:
        payload = dumps_by_value(self._sequence, "The Sequence")
        self._version += 1
        path = os.path.join(self._dir, f"sequence-{self._version}.pkl")
        with open(path, "wb") as f:
            f.write(payload)
        self._path = path
        self._readers[path] = []
        for old, readers in list(self._readers.items()):
            if old != path and all(r.done() for r in readers):
                os.remove(old)
                del self._readers[old]

    def _in_thread(self, index: int) -> Any:
        start = time.perf_counter()
        try:
            return getattr(self._sequence, self._method)(index)
        finally:
            with self._lock:
                self._thread_seconds += time.perf_counter() - start

    def submit(self, index: int) -> Future:
        """A ``Future`` of batch ``index`` (read from the current Sequence state)."""
        with self._lock:
            if self._ready is not None and self._ready.done():
                self._ready.result()  # raises if the workers could not start: says why
            if self._pool is not None and (self._after <= 0 or self.in_processes):
                future = self._pool.submit(worker_getitem, self._path, index, self._method)
                self._readers[self._path].append(future)
                return future
            if (self._pool is None and self._thread_seconds >= self._after
                    and self._worth_starting()):
                self._start_processes()
            if not self._in_threads:
                self._first_request = time.perf_counter()
            self._in_threads += 1
            return self._thread.submit(self._in_thread, index)

    def _worth_starting(self) -> bool:
        """Whether the rest of the call, at its threads' pace so far, outlasts
        ``WORTH_STARTING`` (always, when the planned batches are not known)."""
        if self._planned is None or not self._in_threads:
            return True
        pace = (time.perf_counter() - self._first_request) / self._in_threads
        rest = (self._planned - self._in_threads) * pace
        if rest > WORTH_STARTING:
            return True
        if self._tell:
            _tell_in_threads(f"the rest of this call (about {rest:.1f} s at its threads' pace) "
                             f"is shorter than the {WORTH_STARTING:g} s worker processes need "
                             "to pay for their start")
        return False

    def start(self, indices: list[int]) -> None:
        """Request the first batches now: they load while Keras sets up."""
        for index in indices:
            self._early.setdefault(index, self.submit(index))

    def __call__(self, index: int) -> Any:
        future = self._early.pop(index, None)
        try:
            return (future or self.submit(index)).result()
        except BrokenProcessPool as exc:
            raise WorkerDiedError(
                f"A worker process died while loading batch index {index} (killed, out of "
                f"memory, or crashed in native code): {exc}"
            ) from exc
        except Exception as exc:
            remote = getattr(exc.__cause__, "tb", None)  # the worker's formatted traceback
            if isinstance(remote, str) and not any("worker process" in n for n in
                                                   getattr(exc, "__notes__", ())):
                exc.add_note(f"Traceback in the worker process:\n{remote.strip()}")
            raise

    def close(self) -> None:
        """Stop the threads and worker processes and remove the pass files' folder, which
        goes even when the shutdown is interrupted (a second Ctrl-C)."""
        self.closed = True
        try:
            self._early.clear()
            self._thread.shutdown(wait=True, cancel_futures=True)
            if self._pool is not None:
                feeder = _call_queue_feeder(self._pool)
                self._pool.shutdown(wait=True, kill_workers=True)
                if feeder is not None:
                    feeder.join(FEEDER_JOIN_SECONDS)
            elif self._tell and self._in_threads:
                _tell_in_threads(
                    f"the call was short (worker processes start after {self._after:g} s of "
                    f"loading, and only if the rest of the call would take more than "
                    f"{WORTH_STARTING:g} s: each imports TensorFlow, seconds a short call "
                    "would only wait)")
        finally:
            tempdirs.remove_dir(self._dir, files=list(self._readers))


# How long close waits for the call queue's feeder thread to flush and end; it has at most
# a few small requests and the workers' stop sentinels to write.
FEEDER_JOIN_SECONDS = 10.0


def _call_queue_feeder(pool: ProcessPoolExecutor) -> threading.Thread | None:
    """The thread feeding the pool's call queue (loky's ``_call_queue._thread``), if started.

    ``shutdown(wait=True)`` closes that queue and calls its ``join_thread()``, which waits for
    nothing in the process that created the queue (the rule of ``multiprocessing.Queue``,
    which loky's queue keeps): the feeder ends a few milliseconds later, after the call has
    returned. ``close`` joins it, so no thread of the call outlives the call."""
    thread = getattr(getattr(pool, "_call_queue", None), "_thread", None)
    return thread if isinstance(thread, threading.Thread) else None


class ProcessIterator:
    """Runs a picklable iterator in one producer process; iterate to receive its items.

    The iterator travels by ``cloudpickle`` (by value when defined in ``__main__``).
    At most ``max_queue_size`` items wait in the queue. An exception in the
    producer is re-raised here; a producer that dies raises
    ``WorkerDiedError``. ``close`` stops and joins it, and returns what the
    producer read ahead and the iterator's state, for the next call on the same iterator.
    """

    def __init__(self, iterator: Any, max_queue_size: int) -> None:
        payload = dumps_by_value(iterator, "The generator")
        ctx: Any = get_context("loky")
        self._queue = ctx.Queue(maxsize=max(max_queue_size, 1))
        self._stop = ctx.Event()
        self._process = ctx.Process(target=produce,
                                    args=(payload, self._queue, self._stop, os.getpid()),
                                    name="kfitcompat-producer", daemon=True)
        self._process.start()
        self._done = False
        self._closed = False

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
                raise pickle.loads(value)
        raise StopIteration

    def close(self) -> tuple[list[Any], Any, str]:
        """Stop and join the producer. Returns ``(items, iterator, why)``: the items it sent
        that were not taken (an exception it raised as ``carryover.Raised``), in order;
        the iterator as the producer left it, or ``None`` and why it could not come back."""
        if self._closed:
            return [], None, "closed already"
        self._closed = True
        self._stop.set()
        items: list[Any] = []
        state: tuple[bytes | None, str] | None = None
        while state is None:
            try:
                kind, value = self._queue.get(timeout=0.1)
            except queue.Empty:
                if not self._process.is_alive() and self._queue.empty():
                    break
                continue
            if kind == "item":
                items.append(value)
            elif kind == "error":
                items.append(Raised(pickle.loads(value)))
            elif kind == "state":
                state = value
        while self._process.is_alive():
            try:
                while True:
                    self._queue.get_nowait()
            except queue.Empty:
                pass
            self._process.join(timeout=0.1)
        self._queue.close()
        self._queue.join_thread()
        return (items, *_restored(state))


def _restored(state: tuple[bytes | None, str] | None) -> tuple[Any, str]:
    if state is None:
        return None, "the producer process died"
    payload, why = state
    if payload is not None:
        try:
            return pickle.loads(payload), ""
        except Exception as exc:
            why = f"{type(exc).__name__}: {exc}"
    return None, why
