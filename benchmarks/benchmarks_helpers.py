"""Module-level Sequences for the benchmarks (spawned worker processes import them)."""

from __future__ import annotations

import time

import keras
import numpy as np

import kfitcompat


class _Base(kfitcompat.Sequence):
    def __init__(self, batches: int = 64) -> None:
        self.batches = batches
        self.x = np.ones((32, 16), "float32")
        self.y = np.ones((32, 1), "float32")

    def __len__(self) -> int:
        return self.batches

    def work(self, i: int) -> None:
        raise NotImplementedError

    def __getitem__(self, i: int):
        self.work(i)
        return self.x, self.y

    def measure_load(self) -> float:
        start = time.perf_counter()
        for i in range(len(self)):
            self[i]
        return time.perf_counter() - start


class IoSeq(_Base):
    """10 ms of sleep per batch: I/O-bound, releases the GIL."""

    def work(self, i: int) -> None:
        time.sleep(0.01)


class CpuSeq(_Base):
    """About 10 ms of pure-Python/numpy work per batch: holds the GIL most of the time."""

    def work(self, i: int) -> None:
        acc = 0.0
        for k in range(150000):
            acc += k * 0.5
        self.x[0, 0] = acc % 1.0


class _AsPyDataset(keras.utils.PyDataset):
    def __init__(self, seq, workers: int, mp: bool) -> None:
        super().__init__(workers=workers, use_multiprocessing=mp, max_queue_size=10)
        self.seq = seq

    def __len__(self) -> int:
        return len(self.seq)

    def __getitem__(self, i: int):
        return self.seq[i]


def as_pydataset(seq, workers: int, mp: bool) -> keras.utils.PyDataset:
    return _AsPyDataset(seq, workers, mp)


def as_tf_keras(seq):
    import tf_keras

    class _AsTfKeras(tf_keras.utils.Sequence):
        def __len__(self) -> int:
            return len(seq)

        def __getitem__(self, i: int):
            return seq[i]

    return _AsTfKeras()
