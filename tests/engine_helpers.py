"""Module-level Sequences, importable by spawned worker processes."""

from __future__ import annotations

import os
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
