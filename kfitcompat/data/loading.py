"""Build the source for a legacy data argument, with its loading options resolved."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(
                f"Invalid value for argument `{name}`. Expected an integer >= 0. "
                f"Received: {name}={value!r}"
            )
    if not isinstance(use_multiprocessing, bool):
        raise ValueError(
            "Invalid value for argument `use_multiprocessing`. Expected True or False. "
            f"Received: use_multiprocessing={use_multiprocessing!r}"
        )


def make_source(
    data: Any,
    mode: str,
    *,
    shuffle: bool = False,
    workers: int = 1,
    max_queue_size: int = 10,
    use_multiprocessing: bool = False,
    class_weight: Mapping[Any, float] | None = None,
) -> Source:
    """A :class:`~kfitcompat.data.sources.Source` for a generator, iterator or Sequence."""
    check_loading_args(workers, max_queue_size, use_multiprocessing)
    kind = kind_of(data)
    if kind == SEQUENCE:
        loader = None
        if use_multiprocessing and workers > 0:
            from .processes import ProcessLoader

            loader = ProcessLoader(data, workers)
        source: Source = SequenceSource(
            data, mode, shuffle=shuffle, workers=workers, max_queue_size=max_queue_size,
            class_weight=class_weight, loader=loader,
        )
        return source
    if kind == GENERATOR:
        if use_multiprocessing and workers > 0:
            warn_at_caller(
                "`use_multiprocessing=True` with a plain generator: kfitcompat draws from "
                "it in threads (a generator cannot be sent to another process; Keras 2 "
                "forked and duplicated your data instead). To load in processes, write a "
                "`keras.utils.Sequence`.",
                UserWarning,
            )
        return GeneratorSource(
            data, mode, workers=workers, max_queue_size=max_queue_size, class_weight=class_weight
        )
    raise TypeError(
        f"Expected a generator, an iterator or a `keras.utils.Sequence`; received "
        f"{type(data).__name__}. Pass arrays to `fit`/`evaluate`/`predict` instead."
    )
