"""The ``tf.data`` element signature of a stream of standardised batches.

The signature comes from the first batch (batch dimension left open); every
later batch is checked against it, so a shape mistake is reported in Python
with the step number instead of deep inside TensorFlow.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from .batches import BatchError, describe

__all__ = ["spec_of", "check_against", "flat_dtypes", "BatchCheck"]


def spec_of(batch: Any) -> Any:
    """``tf.TensorSpec`` structure for ``batch`` with the batch dimension ``None``."""
    return tf.nest.map_structure(
        lambda a: tf.TensorSpec((None,) + tuple(a.shape[1:]), tf.as_dtype(a.dtype)), batch
    )


def flat_dtypes(spec: Any) -> list[tf.DType]:
    return [s.dtype for s in tf.nest.flatten(spec)]


def check_against(batch: Any, spec: Any, step: int) -> list[np.ndarray]:
    """Flatten ``batch`` after checking it has the structure, dtypes and shapes of ``spec``."""
    try:
        tf.nest.assert_same_structure(batch, spec)
    except (ValueError, TypeError):
        raise BatchError(
            f"Batch at step {step} has structure {describe(batch)}, but the first batch "
            f"had {_describe_spec(spec)}. Every batch must have the same structure."
        ) from None
    flat = tf.nest.flatten(batch)
    for arr, s in zip(flat, tf.nest.flatten(spec)):
        if arr.dtype != s.dtype.as_numpy_dtype:
            if np.can_cast(arr.dtype, s.dtype.as_numpy_dtype, casting="same_kind"):
                continue
            raise BatchError(
                f"Batch at step {step} has dtype {arr.dtype} where the first batch had "
                f"{s.dtype.name}: {describe(batch)}."
            )
        if tuple(arr.shape[1:]) != tuple(s.shape[1:]):
            raise BatchError(
                f"Batch at step {step} has shapes {describe(batch)}, but the first batch "
                f"had {_describe_spec(spec)} (the batch dimension may vary, the others "
                f"may not). Pad or resize your batches to one shape."
            )
    specs = tf.nest.flatten(spec)
    return [a.astype(s.dtype.as_numpy_dtype, copy=False) for a, s in zip(flat, specs)]


class BatchCheck:
    """``check_against(batch, spec, step)`` with a shortcut for the common batch.

    A flat tuple of arrays whose dtypes and trailing shapes are exactly the
    spec's (what a well-behaved ``Sequence`` returns every step) is accepted in a
    few microseconds; anything else takes the full check, which converts or explains.
    """

    def __init__(self, spec: Any) -> None:
        self.spec = spec
        flat = isinstance(spec, tuple) and all(isinstance(s, tf.TensorSpec) for s in spec)
        self._expected = [(np.dtype(s.dtype.as_numpy_dtype), tuple(s.shape[1:]))
                          for s in spec] if flat else None

    def __call__(self, batch: Any, step: int) -> list[np.ndarray]:
        expected = self._expected
        if expected is not None and type(batch) is tuple and len(batch) == len(expected):
            for arr, (dtype, tail) in zip(batch, expected):
                if type(arr) is not np.ndarray or arr.dtype != dtype or arr.shape[1:] != tail:
                    break
            else:
                return list(batch)
        return check_against(batch, self.spec, step)


def _describe_spec(spec: Any) -> str:
    return describe(tf.nest.map_structure(lambda s: _Shaped(s), spec))


class _Shaped:
    def __init__(self, s: tf.TensorSpec) -> None:
        self.shape = tuple("None" if d is None else d for d in s.shape)
        self.dtype = s.dtype.as_numpy_dtype
