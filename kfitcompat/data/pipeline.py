"""The ``tf.data`` pieces every source's pipeline shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import tensorflow as tf

__all__ = ["OPTIONS", "iterations", "plain_python"]

#: Deterministic, and no prefetch or parallel map added behind a source's back: a source
#: decides how far it reads ahead.
OPTIONS = tf.data.Options()
OPTIONS.experimental_optimization.inject_prefetch = False
OPTIONS.experimental_optimization.map_parallelization = False
OPTIONS.deterministic = True


# The dataset functions have no Python control flow on tensors: AutoGraph has nothing to
# convert (skipping it made the first pipeline of a process 190 -> 60 ms to build).
plain_python = tf.autograph.experimental.do_not_convert


def iterations(steps: int | Callable[[], int] | None,
               begin: Callable[[Any], np.int64]) -> tf.data.Dataset:
    """One element per iterator: starting an iterator calls ``begin(steps)`` (-1: no bound),
    which sets how many batches that iterator may take from the persistent stream.
    ``steps`` may be a function, asked when each iterator starts (one dataset for iterators
    of different bounds)."""
    if callable(steps):
        ask = steps

        def begin_now(_: Any) -> np.int64:
            return begin(np.int64(ask()))

        call: Callable[[Any], np.int64] = begin_now
        bound = -1
    else:
        call, bound = begin, -1 if steps is None else int(steps)

    @plain_python
    def start(_: tf.Tensor) -> tf.Tensor:
        return tf.ensure_shape(
            tf.numpy_function(call, [tf.constant(bound, tf.int64)], tf.int64, stateful=True), [])

    return tf.data.Dataset.range(1).map(start)
