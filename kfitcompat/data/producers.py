"""Thread producers: several threads drawing batches into one bounded queue."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["ThreadProducer"]

_END = object()


class ThreadProducer:
    """``workers`` threads call ``draw()`` (which returns None at the end) into a
    queue of at most ``max_queue_size`` items; iterate to consume.

    The first exception raised by ``draw`` ends the stream and is re-raised to
    the consumer. ``close`` stops and joins every thread.
    """

    def __init__(self, draw: Callable[[], Any], workers: int, max_queue_size: int) -> None:
        self._draw = draw
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max(max_queue_size, 1))
        self._stop = threading.Event()
        self._finished = 0
        self._ended = False  # _END was consumed: later iterations end at once
        self._count_lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, name=f"kfitcompat-loader-{i}", daemon=True)
            for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    item = self._draw()
                except BaseException as exc:  # handed to the consumer
                    self._put(_Failure(exc))
                    return
                if item is None:
                    return
                if not self._put(item):
                    return
        finally:
            with self._count_lock:
                self._finished += 1
                last = self._finished == len(self._threads)
            if last:
                self._put(_END)

    def __iter__(self) -> Iterator[Any]:
        while not self._ended:
            try:
                item = self._queue.get(timeout=0.1)
            except queue.Empty:
                if self._stop.is_set():
                    return
                continue
            if item is _END:
                self._ended = True
                return
            if isinstance(item, _Failure):
                self.close()
                raise item.exc
            yield item

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            while thread.is_alive():
                try:
                    while True:
                        self._queue.get_nowait()
                except queue.Empty:
                    pass
                thread.join(timeout=0.05)


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
