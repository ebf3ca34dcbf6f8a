"""Build the source for a legacy data argument, with its loading options resolved."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._warnings import warn_at_caller
from ..legacy_table import LOADING_DEFAULTS
from . import carryover
from .contracts import FastPathIterator, Mode
from .counts import check_count
from .dispatch import GENERATOR, SEQUENCE, LegacyData, classify
from .generator_source import GeneratorSource
from .sources import SequenceSource, Source

__all__ = ["LoadingOptions", "make_source"]


@dataclass(frozen=True)
class LoadingOptions:
    """``workers``, ``max_queue_size`` and ``use_multiprocessing``, validated once (at the
    entry point) and passed down explicitly; the defaults are Keras 2's
    (``kfitcompat.legacy_table.LOADING_DEFAULTS``).

    Raises:
        ValueError: naming the argument, the value and what is accepted.
    """

    workers: int = LOADING_DEFAULTS["workers"]
    max_queue_size: int = LOADING_DEFAULTS["max_queue_size"]
    use_multiprocessing: bool = LOADING_DEFAULTS["use_multiprocessing"]

    def __post_init__(self) -> None:
        for name in ("workers", "max_queue_size"):
            object.__setattr__(self, name, check_count(name, getattr(self, name), 0))
        if not isinstance(self.use_multiprocessing, (bool, np.bool_)):
            raise ValueError(
                "Invalid value for argument `use_multiprocessing`. Expected True or False. "
                f"Received: use_multiprocessing={self.use_multiprocessing!r}"
            )
        object.__setattr__(self, "use_multiprocessing", bool(self.use_multiprocessing))

    @property
    def in_processes(self) -> bool:
        return self.use_multiprocessing and self.workers > 0


def _in_threads_instead(what: str, advice: object) -> None:
    warn_at_caller(
        f"`use_multiprocessing=True`, but {what}: kfitcompat loads in threads instead. "
        f"{advice}", UserWarning)


def _generator_source(data: Any, mode: Mode, options: LoadingOptions,
                      class_weight: Mapping[Any, float] | None) -> Source:
    """A ``GeneratorSource``: it starts with what the last call on the same iterator
    read ahead and did not use (``carryover``), and goes on from where that call left
    the iterator (in a producer process: the state it sent back)."""
    owner = data if carryover.is_iterator(data) else None
    carry = carryover.take(owner) if owner is not None else None
    stream = carry.continuation if carry is not None and carry.continuation is not None else data
    producer = None
    if options.in_processes:
        stream, producer = _in_a_process(stream, options.max_queue_size)
    return GeneratorSource(
        stream, mode, workers=1 if producer is not None else options.workers,
        max_queue_size=options.max_queue_size, class_weight=class_weight, owner=owner,
        carried=carry.items if carry is not None else (), upstream=producer)


def _in_a_process(generator: Any, max_queue_size: int) -> tuple[Any, Any]:
    """Run a picklable iterator in a producer process; plain generators stay in threads."""
    from .processes import ProcessIterator, UnpicklableError

    if inspect.isgenerator(generator):
        _in_threads_instead(
            "a generator function's generator cannot be sent to another process",
            "Keras 2 forked the process and gave every worker a copy of the generator, which "
            "duplicated your data. To load in processes, write a `keras.utils.Sequence` (or "
            "an iterator class).")
        return generator, None
    try:
        producer = ProcessIterator(generator, max_queue_size)
    except UnpicklableError as exc:
        _in_threads_instead("the generator cannot be sent to another process", exc)
        return generator, None
    return producer, producer


def _process_loader(data: Any, workers: int, method: str, planned: int | None,
                    tell: bool) -> Any:
    """A ``ProcessLoader``, or ``None`` (threads, with a
    warning) for a Sequence that cannot be serialized even by value."""
    from .processes import ProcessLoader, UnpicklableError

    try:
        return ProcessLoader(data, workers, method=method, planned=planned, tell=tell)
    except UnpicklableError as exc:
        _in_threads_instead("the Sequence cannot be sent to worker processes", exc)
        return None


def _fast_path(data: Any) -> bool:
    """An ImageDataGenerator iterator whose augmentation can run as TensorFlow ops."""
    return isinstance(data, FastPathIterator) and data.use_fast_path()


def make_source(
    data: Any,
    mode: Mode,
    *,
    shuffle: bool = False,
    options: LoadingOptions | None = None,
    class_weight: Mapping[Any, float] | None = None,
    shard: tuple[int, int] = (0, 1),
    planned: int | None = None,
    verbose: Any = 0,
    **loading: Any,
) -> Source:
    """A ``Source`` for a generator, iterator or Sequence
    (raw or already ``classify``'d).

    Loading options come as one ``LoadingOptions`` (``options=``) or, for direct
    callers, as the three keyword arguments. ``shard=(index, count)`` keeps the batch
    indices ``i % count == index`` of a Sequence (one worker of a multi-worker run);
    generators are not sharded. ``planned``: the batches the call will read from it, if
    known (worker processes start only when the call is long enough to gain from them).
    ``verbose``: the call's; unless 0, a call with ``use_multiprocessing=True`` that loads in
    threads all along says so in one line (once per process).
    """
    if options is None:
        options = LoadingOptions(**loading)
    elif loading:
        raise TypeError(f"make_source takes `options` or {sorted(loading)}, not both")
    legacy: LegacyData = classify(data)
    data = legacy.value
    workers, max_queue_size = options.workers, options.max_queue_size
    if legacy.kind == SEQUENCE:
        fast = not class_weight and _fast_path(data)
        loader = None
        # An ImageDataGenerator iterator on the fused fast path decodes in threads even with
        # use_multiprocessing=True: Pillow releases the GIL while it decodes and resizes, the
        # augmentation runs as TensorFlow ops, and processes would only add their start and
        # ship decoded batches between processes (docs/performance.md, bench_workers --images).
        if options.in_processes and not fast:
            loader = _process_loader(data, workers, "__getitem__", planned, verbose != 0)
        if loader is None and fast:
            loader = data.raw_batch
        try:
            source: Source = SequenceSource(
                data, mode, shuffle=shuffle, workers=workers, max_queue_size=max_queue_size,
                class_weight=class_weight, loader=loader,
                finish=data.finish_batch if fast else None, shard=shard,
            )
        except BaseException:  # e.g. Ctrl-C while the first batch loads: stop the workers
            close = getattr(loader, "close", None)
            if close is not None:
                close()
            raise
        return source
    if legacy.kind == GENERATOR:
        return _generator_source(data, mode, options, class_weight)
    raise TypeError(
        f"Expected a generator, an iterator or a `keras.utils.Sequence`; received "
        f"{type(data).__name__}. Pass arrays to `fit`/`evaluate`/`predict` instead."
    )
