"""Build the source for a legacy data argument, with its loading options resolved."""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from typing import Any

import numpy as np

from .._warnings import warn_at_caller
from .dispatch import GENERATOR, SEQUENCE, kind_of
from .sources import GeneratorSource, SequenceSource, Source

__all__ = ["make_source", "check_loading_args"]


def check_loading_args(workers: Any, max_queue_size: Any, use_multiprocessing: Any) -> None:
    """Validate ``workers``, ``max_queue_size`` and ``use_multiprocessing``.

    Raises:
        ValueError: naming the argument, the value and what is accepted.
    """
    for name, value in (("workers", workers), ("max_queue_size", max_queue_size)):
        if (isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer))
                or value < 0):  # NumPy integers too: scripts compute them from array shapes
            raise ValueError(
                f"Invalid value for argument `{name}`. Expected an integer >= 0. "
                f"Received: {name}={value!r}"
            )
    if not isinstance(use_multiprocessing, (bool, np.bool_)):
        raise ValueError(
            "Invalid value for argument `use_multiprocessing`. Expected True or False. "
            f"Received: use_multiprocessing={use_multiprocessing!r}"
        )


def _in_a_process(generator: Any, max_queue_size: int) -> tuple[Any, Any]:
    """Run a picklable iterator in a producer process; plain generators stay in threads."""
    try:
        pickle.dumps(generator)
    except Exception as exc:
        warn_at_caller(
            f"`use_multiprocessing=True`, but the generator cannot be sent to another process "
            f"({type(exc).__name__}: {exc}): kfitcompat draws from it in threads instead. "
            "Keras 2 forked the process and gave every worker a copy of the generator, which "
            "duplicated your data. To load in processes, write a `keras.utils.Sequence` (or a "
            "picklable iterator class defined at the top level of a module).",
            UserWarning,
        )
        return generator, None
    from .processes import ProcessIterator

    producer = ProcessIterator(generator, max_queue_size)
    return producer, producer


def _fast_path(data: Any) -> bool:
    """An ImageDataGenerator iterator whose augmentation can run as TensorFlow ops."""
    use = getattr(data, "use_fast_path", None)
    return bool(use is not None and use())


def make_source(
    data: Any,
    mode: str,
    *,
    shuffle: bool = False,
    workers: int = 1,
    max_queue_size: int = 10,
    use_multiprocessing: bool = False,
    class_weight: Mapping[Any, float] | None = None,
    shard: tuple[int, int] = (0, 1),
) -> Source:
    """A :class:`~kfitcompat.data.sources.Source` for a generator, iterator or Sequence.

    ``shard=(index, count)`` keeps the batch indices ``i % count == index`` of a
    Sequence (one worker of a multi-worker run); generators are not sharded.
    """
    check_loading_args(workers, max_queue_size, use_multiprocessing)
    workers, max_queue_size = int(workers), int(max_queue_size)
    use_multiprocessing = bool(use_multiprocessing)
    kind = kind_of(data)
    if kind == SEQUENCE:
        fast = not class_weight and _fast_path(data)
        loader = None
        if use_multiprocessing and workers > 0:
            from .processes import ProcessLoader

            loader = ProcessLoader(data, workers, method="raw_batch" if fast else "__getitem__")
        elif fast:
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
    if kind == GENERATOR:
        producer = None
        if use_multiprocessing and workers > 0:
            data, producer = _in_a_process(data, max_queue_size)
        try:
            source = GeneratorSource(
                data, mode, workers=1 if producer is not None else workers,
                max_queue_size=max_queue_size, class_weight=class_weight,
            )
        except BaseException:
            if producer is not None:
                producer.close()
            raise
        if producer is not None:
            source.closers.append(producer.close)
        return source
    raise TypeError(
        f"Expected a generator, an iterator or a `keras.utils.Sequence`; received "
        f"{type(data).__name__}. Pass arrays to `fit`/`evaluate`/`predict` instead."
    )
