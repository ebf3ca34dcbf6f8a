"""A plain generator or any iterator (``zip``, a class with ``__next__``, ...) as ``tf.data``.

The stream is one continuous stream across the epochs of a call (Keras 2), and across calls
on the same iterator object: batches drawn ahead and not taken by the model when a call ends
are handed to the next call on it (``carryover``), so a script's own epoch loop sees
every batch once, in order, whatever ``workers`` and ``use_multiprocessing`` are.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol

import numpy as np
import tensorflow as tf

from . import carryover
from .carryover import Carry, Raised
from .contracts import Mode
from .exiting import InterpreterExiting
from .pipeline import OPTIONS, iterations, plain_python
from .producers import ThreadProducer
from .sources import Source
from .spec import flat_dtypes

__all__ = ["GeneratorSource", "Upstream"]

_Drawn = tuple[int, tuple[Any, ...]]  # (draw step, standardised batch)


class Upstream(Protocol):
    """An iterator that runs elsewhere (a producer process): closing it returns the items it
    read ahead, the iterator's state (or ``None``) and why the state could not come back."""

    def __next__(self) -> Any: ...

    def close(self) -> tuple[list[Any], Any, str]: ...


class GeneratorSource(Source):
    """A plain generator or any iterator.

    ``workers <= 1``: batches are drawn by ``tf.data`` (``workers=0``: no read-ahead; ``1``:
    up to ``max_queue_size`` ahead, within the batches the call asks for). ``workers > 1``:
    that many threads draw from the one generator under a lock (a generator that is not
    thread-safe is safe) into a queue of ``max_queue_size`` batches; the model gets them in
    the generator's order.

    ``owner``: the user's iterator object, when drawing advances it; what is drawn and not
    taken when the source closes is kept for the next call on it (``carried``: what the last
    call kept; ``upstream``: the producer process drawing from it).
    """

    def __init__(
        self,
        generator: Any,
        mode: Mode,
        *,
        workers: int = 1,
        max_queue_size: int = 10,
        class_weight: Mapping[Any, float] | None = None,
        owner: Any = None,
        carried: Iterable[Any] = (),
        upstream: Upstream | None = None,
    ) -> None:
        super().__init__(mode, class_weight)
        self.workers = workers
        self.max_queue_size = max_queue_size
        self._owner = owner
        self._upstream = upstream
        # the iterator to go on from next time, when it is not the owner itself
        self._continuation = generator if generator is not owner and upstream is None else None
        self._carried: deque[Any] = deque(carried)
        self._unused: dict[int, Any] = {}  # draw step -> raw batch, drawn and not yet taken
        self._failed: dict[int, BaseException] = {}  # draw step -> its error
        self._steps = itertools.count()
        self._producer: ThreadProducer | None = None
        self._pushback: deque[_Drawn] = deque()
        self._gen_lock = threading.Lock()  # held while the generator runs
        self._book_lock = threading.Lock()  # _unused and _failed (never waits on the generator)
        self._closed = False
        self._handed_back = False
        # workers=1 reads ahead in a tf.data prefetch: the model takes a batch after it
        self._taken_after_prefetch = workers == 1 and max_queue_size > 0
        self._stream: Iterator[_Drawn] | None = None
        self._served = 0
        try:
            self._iterator: Iterator[Any] = iter(generator)
            first = self._draw()
            if first is None:
                raise ValueError(
                    "The generator passed to kfitcompat yielded no batch at all. Check that "
                    "it is not already exhausted (a generator can be used only once)."
                )
        except BaseException as exc:
            self._seen(exc)
            self.close()
            raise
        self._pushback.append(first)
        self._set_spec(first[1])

    # -- drawing -----------------------------------------------------------
    def _draw(self) -> _Drawn | None:
        """Next standardised batch with its draw step, or None at exhaustion or once closed
        (thread-safe). A batch is *unused* from its draw until the model takes it."""
        with self._gen_lock:
            if self.exhausted or self._closed:
                return None
            try:
                out = self._carried.popleft() if self._carried else next(self._iterator)
                if isinstance(out, Raised):
                    raise out.exc
            except StopIteration:
                self.exhausted = True
                return None
            except BaseException as exc:
                step = next(self._steps)
                with self._book_lock:
                    self._unused[step], self._failed[step] = Raised(exc), exc
                self._record(exc, f"by the generator at step {step}")
                raise
            step = next(self._steps)
            with self._book_lock:
                self._unused[step] = out
        try:
            return step, self._prepare(out, step)
        except Exception as exc:
            with self._book_lock:
                self._failed[step] = exc
            self._record(exc, f"while reading the batch of step {step}")
            raise

    def _iterate(self) -> Iterator[_Drawn]:
        while self._pushback:
            yield self._pushback.popleft()
        if self.workers > 1:
            if self._producer is None:
                self._producer = ThreadProducer(self._draw, self.workers, self.max_queue_size)
            yield from _in_order(self._producer, 1)  # after the first batch's draw step, 0
        else:
            while (drawn := self._draw()) is not None:
                yield drawn

    def _taken(self, step: Any) -> np.bool_:
        """The model took the batch of draw step ``step``."""
        with self._book_lock:
            self._unused.pop(int(step), None)
        return np.bool_(True)

    def _seen(self, exc: BaseException) -> None:
        """``exc`` reached the call: the batch or draw that raised it is not handed on."""
        with self._book_lock:
            for step in [s for s, e in self._failed.items() if e is exc]:
                self._unused.pop(step, None)
                del self._failed[step]

    @property
    def served_batches(self) -> int:
        """Batches handed to ``tf.data`` so far."""
        return self._served

    # -- tf.data -----------------------------------------------------------
    def _done_flat(self) -> list[Any]:
        return [np.bool_(True), np.int64(-1)] + [
            np.zeros((0,) + tuple(s.shape[1:]), s.dtype.as_numpy_dtype)
            for s in tf.nest.flatten(self.spec)]

    def _next_flat(self) -> list[Any]:
        """``[done, step, *flat batch]``: the next batch, or ``done=True`` and empty arrays
        (the generator ended, or the current iterator had its ``steps_per_iteration``)."""
        if self._stream is None:
            self._stream = self._iterate()
        try:
            with self._gate:
                if self._budget is not None:
                    if self._budget <= 0:
                        return self._done_flat()
                    self._budget -= 1
                step, batch = next(self._stream)
        except (StopIteration, InterpreterExiting):
            return self._done_flat()
        except BaseException as exc:
            self._seen(exc)
            raise
        if not self._taken_after_prefetch:
            self._taken(step)
        served = self._served
        self._served += 1
        return [np.bool_(False), np.int64(step)] + self._checked(batch, "the batch of step",
                                                                 served)

    def dataset(self, steps_per_iteration: int | Callable[[], int] | None = None
                ) -> tf.data.Dataset:
        """The stream as ``tf.data``; with ``steps_per_iteration``, every iterator over it
        ends after that many batches and the next iterator continues where it ended (what
        it read ahead is not lost)."""
        dtypes = [tf.bool, tf.int64] + flat_dtypes(self.spec)

        @plain_python
        def draw(_: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, Any]:
            done, step, *flat = tf.numpy_function(self._next_flat, [], dtypes, stateful=True)
            return tf.ensure_shape(done, []), tf.ensure_shape(step, []), self._restore(*flat)

        @plain_python
        def taken(_: tf.Tensor, step: tf.Tensor, batch: Any) -> Any:
            mark = tf.numpy_function(self._taken, [step], tf.bool, stateful=True)
            with tf.control_dependencies([mark]):
                return tf.nest.map_structure(tf.identity, batch)

        # One numpy_function per batch (``from_generator`` costs ~0.4 ms more per
        # element); the flag ends the stream where the generator ends.
        ds = iterations(steps_per_iteration, self._begin_iteration).flat_map(
            lambda _: tf.data.Dataset.range(2**62).map(draw).take_while(_not_done))
        if self._taken_after_prefetch:
            ds = ds.prefetch(self.max_queue_size).map(taken)
        else:
            ds = ds.map(_batch_only)
        return ds.with_options(OPTIONS)

    # -- the end of the call -------------------------------------------------
    def close(self) -> None:
        """Stop the threads (and the producer process); keep what was drawn and not taken
        for the next call on the same iterator."""
        with self._gen_lock:
            self._closed = True
        try:
            if self._producer is not None:
                self._producer.close()
        finally:
            try:
                self._hand_back()
            finally:
                self._release()
                super().close()

    def _release(self) -> None:
        """Drop every reference to the user's iterator and batches: ``tf.data`` may keep
        the source's functions (and so the source) after the call, and the batches kept for
        the next call must go when the iterator does."""
        with self._gen_lock:
            self._iterator = iter(())
            self._pushback.clear()
            self._owner = self._continuation = self._upstream = None
        self._stream = None
        self._producer = None
        self._first = None

    def _hand_back(self) -> None:
        if self._handed_back:
            return
        self._handed_back = True
        with self._gen_lock, self._book_lock:  # no draw runs: the source is closed
            items = [self._unused[step] for step in sorted(self._unused)]
            items += self._carried
            self._unused.clear()
            self._carried.clear()
        continuation, why = self._continuation, ""
        if self._upstream is not None:
            more, continuation, why = self._upstream.close()
            items += more
        if self._owner is None:
            return
        if self._upstream is not None and continuation is None:
            import warnings

            warnings.warn(
                f"kfitcompat could not bring the position of your {type(self._owner).__name__} "
                f"back from its producer process ({why}): the next call on the same object "
                "starts from its copy in this process, which has not advanced. Pass a new "
                "iterator to each call, or load in threads (`use_multiprocessing=False`).",
                UserWarning, stacklevel=2)
        carryover.keep(self._owner, Carry(items, continuation))


def _in_order(drawn: Iterable[_Drawn], first: int) -> Iterator[_Drawn]:
    """The producer threads' batches in draw order (a batch whose preparation took longer
    than the next one's waits for it); at the end, whatever is left, in order."""
    waiting: dict[int, tuple[Any, ...]] = {}
    expected = first
    for step, batch in drawn:
        waiting[step] = batch
        while expected in waiting:
            yield expected, waiting.pop(expected)
            expected += 1
    for step in sorted(waiting):
        yield step, waiting[step]


@plain_python
def _not_done(done: tf.Tensor, _: tf.Tensor, __: Any) -> tf.Tensor:
    return tf.logical_not(done)


@plain_python
def _batch_only(_: tf.Tensor, __: tf.Tensor, batch: Any) -> Any:
    return batch
