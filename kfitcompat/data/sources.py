"""Legacy data sources as ``tf.data`` pipelines: the base and Sequences (generators and
iterators: ``generator_source``).

Separation of concerns:

* ``batches`` owns what one batch may look like.
* A *source* (this module) owns the legacy stream: which batch comes next,
  across epochs (one continuous stream, as in Keras 2), ``on_epoch_end`` of a
  ``Sequence`` after each full pass, and ``workers`` / ``max_queue_size``.
* The entry points own steps, epochs, validation and callbacks.

Every source remembers the first error raised by the user's code, with the step
or index it happened at, so the caller can re-raise the original exception
instead of TensorFlow's wrapper.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import tensorflow as tf

from .batches import apply_class_weight, batch_size_of, standardize_batch
from .contracts import Loader, Mode
from .exiting import CallGate
from .pipeline import OPTIONS, iterations, plain_python
from .spec import BatchCheck, flat_dtypes, spec_of

__all__ = ["Source", "SequenceSource"]


class Source:
    """Base: a legacy batch stream with error capture and clean shutdown."""

    def __init__(self, mode: Mode, class_weight: Mapping[Any, float] | None) -> None:
        self.mode = mode
        self.class_weight = class_weight
        self.error: BaseException | None = None
        self.exhausted = False
        self.spec: Any = None
        self.first_batch_size: int | None = None
        self._first: Any = None
        self._warned_class_weight = [False]
        self._error_lock = threading.Lock()
        self.closers: list[Callable[[], None]] = []
        self._gate = CallGate()  # every call the pipeline makes into Python passes it
        self._budget: int | None = None  # batches the current tf.data iterator may still take

    # -- batch preparation -------------------------------------------------
    def _prepare(self, out: Any, step: int) -> tuple[Any, ...]:
        parts = standardize_batch(out, step, self.mode)
        if self.mode != "predict":
            parts = apply_class_weight(parts, self.class_weight, step, self._warned_class_weight)
        return parts

    def _record(self, exc: BaseException, where: str) -> None:
        with self._error_lock:
            if self.error is None:
                try:
                    exc.add_note(f"kfitcompat: raised {where}.")
                except AttributeError:  # pragma: no cover - Python < 3.11
                    pass
                self.error = exc

    def _set_spec(self, first: tuple[Any, ...]) -> None:
        self._first = first
        self.spec = spec_of(first)
        self._check = BatchCheck(self.spec)
        self.first_batch_size = batch_size_of(first[0])

    def _checked(self, batch: Any, where: str, step: int) -> list[np.ndarray]:
        try:
            return self._check(batch, step)
        except Exception as exc:
            self._record(exc, f"while checking {where} {step}")
            raise

    def _restore(self, *flat: tf.Tensor) -> Any:
        """The flat tensors of a ``numpy_function`` as the batch structure, with shapes."""
        for t, s in zip(flat, tf.nest.flatten(self.spec)):
            t.set_shape(s.shape)
        return tf.nest.pack_sequence_as(self.spec, list(flat))

    def dataset(self, steps_per_iteration: int | Callable[[], int] | None = None
                ) -> tf.data.Dataset:
        """The stream as ``tf.data``; with ``steps_per_iteration``, every iterator over it
        ends after that many batches and the next one continues where it ended (a function:
        asked for the bound as each iterator starts)."""
        raise NotImplementedError

    def _begin_iteration(self, steps: Any) -> np.int64:
        """A new ``tf.data`` iterator starts: it may take ``steps`` batches (-1: no bound)."""
        with self._gate:
            self._budget = int(steps) if steps >= 0 else None
        return np.int64(0)

    def first_batch(self) -> Any:
        """The first batch as it reaches the model (kept to build a distributed model)."""
        return self._first

    def end_epoch(self) -> None:
        """Called after each epoch or validation run (a Sequence may end its pass)."""

    def close(self) -> None:
        """Stop every thread or process this source started."""
        for closer in self.closers:
            closer()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


@plain_python
def _not_empty(order: tf.Tensor) -> tf.Tensor:
    return tf.size(order) > 0


class SequenceSource(Source):
    """An index-based dataset (anything with ``__len__`` and ``__getitem__``).

    The index stream is continuous across epochs and wraps around, as in Keras 2:
    each pass serves every index once (shuffled per pass with Python's
    ``random.shuffle`` when ``shuffle``), and ``on_epoch_end()`` is called after
    every batch of the pass has been loaded. Loading is a ``tf.data`` map with
    ``workers`` parallel calls (two per worker process), ordered, at most
    ``max_queue_size`` batches ahead.
    """

    def __init__(
        self,
        sequence: Any,
        mode: Mode,
        *,
        shuffle: bool = False,
        workers: int = 1,
        max_queue_size: int = 10,
        class_weight: Mapping[Any, float] | None = None,
        loader: Callable[[int], Any] | None = None,
        finish: Callable[..., Any] | None = None,
        shard: tuple[int, int] = (0, 1),
    ) -> None:
        super().__init__(mode, class_weight)
        self.finish = finish
        self.shard = shard
        self.sequence = sequence
        self.length = len(sequence)
        if self.length == 0:
            raise ValueError(f"The Sequence {type(sequence).__name__} has length 0: no batches.")
        if self.length <= shard[0]:
            raise ValueError(
                f"The Sequence {type(sequence).__name__} has {self.length} batches, fewer than "
                f"the {shard[1]} workers it is sharded across: worker {shard[0]} would get none."
            )
        self.shuffle = shuffle
        self.workers = max(int(workers), 0)
        self.max_queue_size = max(int(max_queue_size), 0)
        self._getitem = loader or sequence.__getitem__
        self.passes = 0
        # The index stream outlives any tf.data iterator over it (Keras 3 starts a new one
        # for every validation run): the position in this pass, how many of its batches
        # were loaded, and how many batches the current iterator may still take.
        self._cursor = 0
        self._loaded = 0
        self._pass_lock = threading.RLock()
        # Loads in flight: a loader that hands batches to worker processes says how many
        # requests keep them busy (``concurrency``); threads load in the map's own calls.
        loader_ahead = self._getitem if isinstance(self._getitem, Loader) else None
        self._loader = loader_ahead
        calls = (loader_ahead.concurrency if loader_ahead is not None else self.workers
                 ) if self.workers else 0
        self._parallel = min(calls, self.max_queue_size) if self.max_queue_size else calls
        self._order = self._new_order()
        if loader_ahead is not None and self.workers > 0:  # works ahead on its own
            loader_ahead.start(self._order[:max(self._parallel, 1)])
        first_index = self._order[0]
        self._peeked: tuple[int, tuple[Any, ...]] | None = (
            first_index, self._load_index(first_index)
        )
        self._set_spec(self._peeked[1])

    def _new_order(self) -> list[int]:
        """This pass's indices: this worker's shard (``i % count == index``), maybe shuffled."""
        index, count = self.shard
        order = list(range(index, self.length, count))
        if self.shuffle:
            random.shuffle(order)
        return order

    def _load_index(self, index: int) -> tuple[Any, ...]:
        try:
            if self.finish is not None:  # two-stage loading: raw arrays now, TF ops later
                return tuple(np.asarray(a) for a in self._getitem(index))
            return self._prepare(self._getitem(index), index)
        except Exception as exc:
            self._record(exc, f"while loading batch index {index} (pass {self.passes + 1})")
            raise

    def _next_segment(self) -> np.ndarray:
        """The next indices to load: the rest of this pass, at most the iterator's budget.
        ``flat_map`` asks for segment k+1 only once every batch of segment k was loaded,
        so a pass that is over ends here (``on_epoch_end()``) before any index of the
        next one is loaded, without waiting on anything. One Python call per segment:
        the indices reach ``tf.data`` as one tensor; an empty one ends the iterator."""
        with self._gate, self._pass_lock:
            if self._cursor >= len(self._order):
                self._end_pass()
            stop = len(self._order)
            if self._budget is not None:
                stop = min(stop, self._cursor + self._budget)
                self._budget -= stop - self._cursor
            segment = self._order[self._cursor:stop]
            self._cursor = stop
            return np.asarray(segment, dtype=np.int64)

    def end_epoch(self) -> None:
        """After an epoch (training) or a validation run: end the pass now if every one of
        its batches was loaded, so ``on_epoch_end()`` runs once per pass, the last one
        included, before the next epoch's callbacks (as tf.keras 2.x)."""
        with self._pass_lock:
            if self._cursor >= len(self._order) and self._loaded >= len(self._order):
                self._end_pass()

    def _end_pass(self) -> None:
        self.passes += 1
        on_epoch_end = getattr(self.sequence, "on_epoch_end", None)
        if on_epoch_end is not None:
            try:
                on_epoch_end()
            except Exception as exc:
                self._record(exc, f"by on_epoch_end() after pass {self.passes}")
                raise
        if self._loader is not None:
            self._loader.refresh()
        self.length = len(self.sequence)
        self._order = self._new_order()
        self._cursor = 0
        self._loaded = 0

    def _load_flat(self, index: Any) -> list[Any]:
        index = int(index)
        with self._gate:
            peeked = self._peeked
            if peeked is not None and peeked[0] == index:
                self._peeked = None
                batch = peeked[1]
            else:
                batch = self._load_index(index)
            flat = self._checked(batch, "batch index", index)
            with self._pass_lock:
                self._loaded += 1
            return flat

    def dataset(self, steps_per_iteration: int | Callable[[], int] | None = None
                ) -> tf.data.Dataset:
        """The stream as ``tf.data``; with ``steps_per_iteration``, every iterator over it
        ends after that many batches and the next iterator continues where it ended."""
        dtypes = flat_dtypes(self.spec)
        parallel = self._parallel

        @plain_python
        def load(i: tf.Tensor) -> Any:
            return self._restore(*tf.numpy_function(self._load_flat, [i], dtypes, stateful=True))

        @plain_python
        def segment(_: tf.Tensor) -> tf.Tensor:
            order = tf.numpy_function(self._next_segment, [], tf.int64, stateful=True)
            return tf.ensure_shape(order, [None])

        @plain_python
        def loaded(order: tf.Tensor) -> tf.data.Dataset:
            indices = tf.data.Dataset.from_tensor_slices(order)
            if parallel > 1:
                return indices.map(load, num_parallel_calls=parallel, deterministic=True)
            return indices.map(load)

        ds = iterations(steps_per_iteration, self._begin_iteration).flat_map(
            lambda _: tf.data.Dataset.range(2**62).map(segment).take_while(_not_empty)
        ).flat_map(loaded)
        if self.finish is not None:
            ds = ds.map(plain_python(self._finished), num_parallel_calls=tf.data.AUTOTUNE,
                        deterministic=True)
        ahead = self.max_queue_size - max(parallel, 1)
        if self.workers > 0 and ahead > 0:
            ds = ds.prefetch(ahead)
        options = tf.data.Options()
        if parallel > 1:
            # tf.data's shared pool has one thread per core; a blocking __getitem__
            # (I/O, sleep) needs one thread per worker to really run `workers` at once.
            options.threading.private_threadpool_size = parallel + 1
        return ds.with_options(OPTIONS).with_options(options)

    def first_batch(self) -> Any:
        if self.finish is None:
            return self._first
        return self._finished(*(tf.constant(a) for a in self._first))

    def _finished(self, *parts: tf.Tensor) -> Any:
        assert self.finish is not None
        out = self.finish(*parts)
        if self.mode == "predict":
            return (out[0] if isinstance(out, tuple) else out,)
        if not isinstance(out, tuple) or len(out) not in (2, 3):
            raise ValueError(f"{type(self.sequence).__name__} yields no targets; training and "
                             "evaluation need `(x, y)` batches (set a class_mode or pass y).")
        return out

    def close(self) -> None:
        if self._loader is not None:
            self._loader.close()
        super().close()
