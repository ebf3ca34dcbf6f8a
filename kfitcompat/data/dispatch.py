"""Which kind of legacy data an argument is: one ordered dispatch chain."""

from __future__ import annotations

import types
from typing import Any

import numpy as np
import tensorflow as tf

__all__ = ["DATASET", "SEQUENCE", "GENERATOR", "ARRAYS", "kind_of", "is_legacy_stream"]

DATASET = "dataset"
SEQUENCE = "sequence"
GENERATOR = "generator"
ARRAYS = "arrays"

_ARRAY_TYPES: tuple[type, ...] = (np.ndarray, list, tuple, dict, tf.Tensor, str, bytes)


def kind_of(x: Any) -> str:
    """Classify ``x``: a ``tf.data.Dataset``, a ``Sequence`` (anything indexable with a
    length that is not an array or container: Keras 2 Sequences, ``PyDataset``,
    ImageDataGenerator iterators), a generator/iterator, or arrays."""
    if isinstance(x, tf.data.Dataset):
        return DATASET
    if isinstance(x, types.GeneratorType):
        return GENERATOR
    if isinstance(x, _ARRAY_TYPES) or hasattr(x, "__array__") or x is None:
        return ARRAYS
    if hasattr(x, "__getitem__") and hasattr(x, "__len__"):
        return SEQUENCE
    if hasattr(x, "__next__") or hasattr(x, "next") and hasattr(x, "__iter__"):
        return GENERATOR
    if hasattr(x, "__iter__") and not hasattr(x, "shape"):
        return GENERATOR
    return ARRAYS


def is_legacy_stream(x: Any) -> bool:
    """A generator, iterator or Sequence: the inputs ``fit_generator`` was made for."""
    return kind_of(x) in (SEQUENCE, GENERATOR)
