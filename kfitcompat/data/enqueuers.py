"""Keras 2 ``keras.utils.OrderedEnqueuer`` and ``GeneratorEnqueuer``, for code that drives them.

Training through kfitcompat does not need them (it builds ``tf.data``
pipelines); they exist because legacy scripts and libraries call
``enqueuer.start(workers, max_queue_size)``, ``enqueuer.get()``, ``stop()``.
They yield what the Sequence or generator returned, unchanged.
"""

from __future__ import annotations

import random
import threading
import warnings
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from ..legacy_table import LOADING_DEFAULTS
from .producers import ThreadProducer

__all__ = ["SequenceEnqueuer", "OrderedEnqueuer", "GeneratorEnqueuer"]


class SequenceEnqueuer:
    """Base: ``start``, ``is_running``, ``stop``, ``get``."""

    def __init__(self, sequence: Any, use_multiprocessing: bool = False) -> None:
        self.sequence = sequence
        self.use_multiprocessing = use_multiprocessing
        self.workers = 0
        self.max_queue_size: int = LOADING_DEFAULTS["max_queue_size"]
        self._running = False

    def is_running(self) -> bool:
        return self._running

    def start(self, workers: int = 1, max_queue_size: int = 10) -> None:
        self.workers, self.max_queue_size = max(workers, 1), max(max_queue_size, 1)
        self._running = True

    def stop(self, timeout: float | None = None) -> None:
        self._running = False

    def get(self) -> Iterator[Any]:
        raise NotImplementedError


class OrderedEnqueuer(SequenceEnqueuer):
    """Every index exactly once per pass, in order (shuffled per pass if ``shuffle``),
    loaded by ``workers`` threads or processes, at most ``max_queue_size`` ahead;
    ``on_epoch_end()`` after each pass. An endless stream."""

    #: seconds ``get()`` waits for one batch before it warns that a worker may have died
    #: and loads that batch itself (Keras 2.3.1: 30 s)
    timeout: float = 30.0

    def __init__(self, sequence: Any, use_multiprocessing: bool = False,
                 shuffle: bool = False) -> None:
        super().__init__(sequence, use_multiprocessing)
        self.shuffle = shuffle
        self._pool: Any = None
        self.end_of_epoch_signal = threading.Event()

    def join_end_of_epoch(self) -> None:
        """Keras 2.3.1: wait (at most 30 s) until ``get()`` has finished a pass and called
        ``on_epoch_end()``, e.g. before reading a ``len()`` that ``on_epoch_end`` changes."""
        self.end_of_epoch_signal.wait(timeout=30)
        self.end_of_epoch_signal.clear()

    def _result(self, index: int, future: Future) -> Any:
        try:
            return future.result(timeout=self.timeout)
        except FutureTimeout:
            warnings.warn(f"The input {index} could not be retrieved. It could be because a "
                          "worker has died.", UserWarning, stacklevel=3)
            return self.sequence[index]

    def start(self, workers: int = 1, max_queue_size: int = 10) -> None:
        super().start(workers, max_queue_size)
        if self.use_multiprocessing:
            from .processes import ProcessLoader

            self._pool = ProcessLoader(self.sequence, self.workers)
        else:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="kfitcompat-enq")

    def _submit(self, index: int) -> Future:
        if self.use_multiprocessing:
            return self._pool.submit(index)
        return self._pool.submit(self.sequence.__getitem__, index)

    def get(self) -> Iterator[Any]:
        pending: deque[tuple[int, Future]] = deque()
        while self._running:
            order = list(range(len(self.sequence)))
            if self.shuffle:
                random.shuffle(order)
            for index in order:
                while len(pending) >= self.max_queue_size:
                    yield self._result(*pending.popleft())
                    if not self._running:
                        return
                pending.append((index, self._submit(index)))
            while pending:
                batch = self._result(*pending.popleft())
                if not pending:  # the pass's last batch is taken: end the pass before it is
                    self.sequence.on_epoch_end()  # handed out, as Keras 2.3.1's thread did
                    self.end_of_epoch_signal.set()
                yield batch
                if not self._running:
                    return
            if self.use_multiprocessing:
                self._pool.refresh()

    def stop(self, timeout: float | None = None) -> None:
        super().stop(timeout)
        if self._pool is not None:
            if self.use_multiprocessing:
                self._pool.close()
            else:
                self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class GeneratorEnqueuer(SequenceEnqueuer):
    """``workers`` threads draw from one generator under a lock (so it need not be
    thread-safe) into a queue of ``max_queue_size``; ``get()`` ends when it does.

    ``use_multiprocessing=True`` is served by threads too: a generator cannot be
    sent to a spawned process, and Keras 2's forked copies duplicated data.
    """

    def __init__(self, generator: Any, use_multiprocessing: bool = False,
                 random_seed: int | None = None) -> None:
        super().__init__(generator, use_multiprocessing)
        self.random_seed = random_seed
        self._lock = threading.Lock()
        self._producer: ThreadProducer | None = None
        self._iterator = iter(generator)

    def _draw(self) -> Any:
        with self._lock:
            try:
                return (next(self._iterator),)
            except StopIteration:
                return None

    def start(self, workers: int = 1, max_queue_size: int = 10) -> None:
        super().start(workers, max_queue_size)
        self._producer = ThreadProducer(self._draw, self.workers, self.max_queue_size)

    def get(self) -> Iterator[Any]:
        if self._producer is None:
            raise RuntimeError("Call `start()` before `get()`.")
        for (item,) in self._producer:
            yield item

    def stop(self, timeout: float | None = None) -> None:
        super().stop(timeout)
        if self._producer is not None:
            self._producer.close()
            self._producer = None
