"""Which kind of legacy data an argument is: one ordered dispatch chain."""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import tensorflow as tf

from .counts import check_steps
from .sequence import FixedLength

__all__ = ["DATASET", "SEQUENCE", "GENERATOR", "ARRAYS", "Kind", "LegacyData", "classify",
           "kind_of", "is_legacy_stream"]

Kind = Literal["dataset", "sequence", "generator", "arrays"]
DATASET: Kind = "dataset"
SEQUENCE: Kind = "sequence"
GENERATOR: Kind = "generator"
ARRAYS: Kind = "arrays"

_ARRAY_TYPES: tuple[type, ...] = (np.ndarray, list, tuple, dict, tf.Tensor, str, bytes)


def kind_of(x: Any) -> Kind:
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


@dataclass(frozen=True)
class LegacyData:
    """A data argument classified once, at the entry point: what it is, and what the layers
    below ask of it (steps rules, sharding, the source to build)."""

    value: Any
    kind: Kind

    @property
    def is_stream(self) -> bool:
        """A generator, iterator or Sequence (``fit_generator``'s inputs)."""
        return self.kind in (SEQUENCE, GENERATOR)

    @property
    def is_dataset(self) -> bool:
        """A ``tf.data.Dataset`` (tf.keras 2.x ran the generator methods on it as ``fit``)."""
        return self.kind == DATASET

    @property
    def length_varies(self) -> bool:
        """A Sequence whose ``len`` may change between epochs (Keras 2.3.1 re-read it)."""
        return self.kind == SEQUENCE and not isinstance(self.value, FixedLength)

    @property
    def shardable(self) -> bool:
        """Index-based: a multi-worker run can give each worker its own batch indices."""
        return self.kind == SEQUENCE

    def length(self) -> int | None:
        """Batches per pass of a Sequence (read now: Keras 2.3.1 lets it change between
        epochs); ``None`` for the other kinds."""
        return len(self.value) if self.kind == SEQUENCE else None

    def steps(self, value: Any, name: str, method: str) -> int:
        """``value`` of the steps argument ``name`` by the legacy rules: a float rounds up,
        ``None`` means a Sequence's length (``ValueError`` for the other kinds); ``len`` is
        read only then."""
        return check_steps(value, name, method, self.length() if value is None else None)


def classify(x: Any) -> LegacyData:
    """``x`` as a ``LegacyData`` (a ``LegacyData`` is returned as it is)."""
    if isinstance(x, LegacyData):
        return x
    return LegacyData(x, kind_of(x))
