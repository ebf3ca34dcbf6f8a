"""Module-level Sequences, importable by spawned worker processes."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time

import numpy as np

import kfitcompat


class IndexSequence(kfitcompat.Sequence):
    """Batch i is 4 rows filled with i (x) and the parity of i (y)."""

    def __init__(self, length: int = 16, delay: float = 0.0, fail_at: int | None = None):
        self.length, self.delay, self.fail_at = length, delay, fail_at
        self.served: list[int] = []
        self.epoch_ends = 0
        self.offset = 0.0

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: int):
        if self.delay:
            time.sleep(self.delay)
        if i == self.fail_at:
            raise KeyError(f"bad index {i}")
        self.served.append(i)
        x = np.full((4, 3), i + self.offset, "float32")
        y = np.full((4, 1), i % 2, "float32")
        return x, y

    def on_epoch_end(self) -> None:
        self.epoch_ends += 1
        self.offset += 1000.0  # reaches worker processes only if state is re-sent


class PidSequence(IndexSequence):
    def __getitem__(self, i: int):
        x, y = super().__getitem__(i)
        x[:, 1] = os.getpid()
        return x, y


class LoggedSequence(IndexSequence):
    """Appends every index it loads to ``log`` (one line each), from any process."""

    def __init__(self, log: str, length: int = 16, delay: float = 0.0):
        super().__init__(length=length, delay=delay)
        self.log = log

    def __getitem__(self, i: int):
        batch = super().__getitem__(i)
        with open(self.log, "a") as f:
            f.write(f"{i}\n")
        return batch

    def loaded(self) -> list[int]:
        with open(self.log) as f:
            return [int(line) for line in f]


class CountingIterator:
    """A picklable iterator class (not a generator function): runs in a producer process."""

    def __init__(self, n: int, fail_at: int | None = None):
        self.n, self.i, self.fail_at = n, 0, fail_at

    def __iter__(self):
        return self

    def __next__(self):
        if self.i >= self.n:
            raise StopIteration
        if self.i == self.fail_at:
            raise ValueError(f"bad item {self.i}")
        x = np.full((2, 3), self.i, "float32")
        x[:, 1] = os.getpid()
        self.i += 1
        return x, np.zeros((2, 1), "float32")


class SuicidalSequence(IndexSequence):
    """Kills the worker process that loads index ``kill_at`` (never the parent)."""

    def __init__(self, length: int = 16, kill_at: int = 5):
        super().__init__(length)
        self.parent, self.kill_at = os.getpid(), kill_at

    def __getitem__(self, i: int):
        if i == self.kill_at and os.getpid() != self.parent:
            import signal

            os.kill(os.getpid(), signal.SIGKILL)
        return super().__getitem__(i)


FAULTS = ("raise", "none", "one-tuple", "four-tuple", "ragged", "rank", "dtype")


class Broken(LookupError):
    """What a user's data code raises in the fault tests."""


def faulty_batch(fault: str, x: np.ndarray, y: np.ndarray):
    """A batch that is wrong in the way ``fault`` names (or raises :class:`Broken`)."""
    if fault == "raise":
        raise Broken("the disk is on fire")
    return {
        "none": None,
        "one-tuple": (x,),
        "four-tuple": (x, y, y[:, 0], y[:, 0]),
        "ragged": (x, y[:3]),
        "rank": (x[:, :, None], y),
        "dtype": (np.full(x.shape, "a"), y),
    }[fault]


class FaultSequence(kfitcompat.Sequence):
    """Batches of 4 rows x 3 features; batch ``at_index`` of pass ``at_pass`` is faulty."""

    def __init__(self, fault: str, at_index: int = 3, at_pass: int = 0, length: int = 6):
        self.fault, self.at_index, self.at_pass, self.length = fault, at_index, at_pass, length
        self.passes = 0

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: int):
        x, y = np.full((4, 3), i, "float32"), np.full((4, 1), i % 2, "float32")
        if i == self.at_index and self.passes == self.at_pass:
            return faulty_batch(self.fault, x, y)
        return x, y

    def on_epoch_end(self) -> None:
        self.passes += 1


class FaultIterator:
    """A picklable iterator (runs in a producer process with use_multiprocessing=True):
    ``n`` batches like :class:`FaultSequence`'s, the one of step ``at_step`` faulty."""

    def __init__(self, fault: str | None, at_step: int = 3, n: int = 10**9):
        self.fault, self.at_step, self.n, self.i = fault, at_step, n, 0

    def __iter__(self):
        return self

    def __next__(self):
        if self.i >= self.n:
            raise StopIteration
        i, self.i = self.i, self.i + 1
        x, y = np.full((4, 3), i, "float32"), np.full((4, 1), i % 2, "float32")
        if self.fault is not None and i == self.at_step:
            return faulty_batch(self.fault, x, y)
        return x, y


LOADING = {
    "threads": dict(workers=2, use_multiprocessing=False),
    "processes": dict(workers=2, use_multiprocessing=True),
}


def python_threads() -> list[threading.Thread]:
    """Threads started from Python (TensorFlow's own pool threads show up as dummies
    once they have called into Python; they belong to TensorFlow, not to the call)."""
    return [t for t in threading.enumerate() if not isinstance(t, threading._DummyThread)]


FEEDER = "QueueFeederThread"  # multiprocessing.Queue's writer thread
FEEDER_GRACE = 30.0  # seconds


class Started:
    """The Python threads and child processes running now, to tell later whether anything
    started since is still running (what ran before, e.g. left by another test, is not
    counted)."""

    def __init__(self) -> None:
        self._threads = set(python_threads())
        self._children = set(multiprocessing.active_children())

    def still_running(self) -> list[threading.Thread | multiprocessing.process.BaseProcess]:
        threads = [t for t in python_threads() if t not in self._threads]
        for t in threads:
            if t.name == FEEDER:
                # a multiprocessing queue's feeder ends once its queue is closed and its
                # buffer written out; under load it may still be writing as the call returns.
                # Waited for by its own end (bounded), not by the clock: one still alive
                # after that is a queue nobody closed, and is reported.
                t.join(FEEDER_GRACE)
        return ([t for t in threads if t.is_alive()]
                + [p for p in multiprocessing.active_children() if p not in self._children])


def ctrl_c_raises() -> None:
    """``preexec_fn`` of a child a test sends Ctrl-C (SIGINT): Python's own handler
    (``KeyboardInterrupt``) even when the test run ignores SIGINT, as a background job of a
    non-interactive shell does (its children inherit ``SIG_IGN``, and Python keeps it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
