"""``fit`` on arrays with Keras 2 semantics, forwarded to Keras 3 ``Model.fit``.

Kept from Keras 2: ``validation_split`` takes the *last* ``1 - int(n * (1 - v))``
samples before any shuffling and silently ignores values outside ``(0, 1)``;
``shuffle='batch'`` permutes the order of full batch-sized chunks and keeps the
remainder last; ``class_weight`` must name every class present;
``class_weight`` beside ``sample_weight`` is ignored with a warning.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import tensorflow as tf

from .. import _upstream
from .._warnings import warn_at_caller
from ..data.batches import class_weight_to_sample_weight
from ..data.counts import check_count, check_steps
from ..data.dispatch import classify
from ..data.loading import LoadingOptions
from ..data.sequence import FixedLength
from .call import LegacyCall
from .distribute import built_from_sample, placement_of
from .history import legacy_history
from .runner import check_validation_tuple, fit_dataset, fit_stream

__all__ = ["fit_arrays", "check_validation_tuple", "split_last_fraction", "ShuffledArrays"]


def _num_samples(x: Any) -> int:
    leaves = [leaf for leaf in tf.nest.flatten(x) if leaf is not None]
    return int(np.shape(leaves[0])[0])


def _index(obj: Any, key: slice | np.ndarray) -> Any:
    """``obj[key]`` for arrays and for lists/dicts of arrays (multi-input data)."""
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return {k: _index(v, key) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)) and obj and hasattr(obj[0], "shape"):
        return type(obj)(_index(v, key) for v in obj)
    return np.asarray(obj)[key]


def split_last_fraction(x: Any, y: Any, sample_weight: Any, validation_split: float) -> tuple:
    """Keras 2 ``validation_split``: train on ``[:split_at]``, validate on ``[split_at:]``."""
    split_at = int(_num_samples(x) * (1.0 - validation_split))
    train = tuple(_index(a, slice(0, split_at)) for a in (x, y, sample_weight))
    val = tuple(_index(a, slice(split_at, None)) for a in (x, y, sample_weight))
    return train, val if sample_weight is not None else val[:2]


class ShuffledArrays(FixedLength):
    """Arrays served in batches, reshuffled each pass: ``shuffle=True`` a permutation of the
    rows, ``'batch'`` (Keras 2) the order of batch-sized chunks with the partial chunk
    last, ``False`` in order."""

    def __init__(self, x: Any, y: Any, sample_weight: Any, batch_size: int,
                 shuffle: bool | str = "batch") -> None:
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.n = _num_samples(x)
        self._shuffle()

    def _shuffle(self) -> None:
        if self.shuffle != "batch":
            self.index = np.random.permutation(self.n) if self.shuffle else np.arange(self.n)
            return
        full = self.n // self.batch_size
        chunks = np.arange(full * self.batch_size).reshape(full, self.batch_size)
        np.random.shuffle(chunks)
        rest = np.arange(full * self.batch_size, self.n)
        self.index = np.concatenate([chunks.reshape(-1), rest])

    def __len__(self) -> int:
        return math.ceil(self.n / self.batch_size)

    def __getitem__(self, i: int) -> tuple[Any, ...]:
        idx = self.index[i * self.batch_size:(i + 1) * self.batch_size]
        parts = [_index(self.x, idx), _index(self.y, idx)]
        if self.sample_weight is not None:
            parts.append(_index(self.sample_weight, idx))
        return tuple(parts)

    def on_epoch_end(self) -> None:
        self._shuffle()


def _check_class_weight(y: Any, class_weight: Mapping[Any, float]) -> None:
    if isinstance(y, np.ndarray) and y.ndim <= 2:
        class_weight_to_sample_weight(y, class_weight, step=0)


def check_batch_counts(kw: dict[str, Any]) -> None:
    """``batch_size`` / ``validation_batch_size``: ``None`` or an integer >= 1 (NumPy
    integers too); ``steps_per_epoch`` / ``validation_steps``: ``None`` or a positive number
    (a float rounds up, as for generators). Normalized in place to Python ints.

    Raises:
        ValueError: naming the argument, the value and what is accepted.
    """
    for name in ("batch_size", "validation_batch_size"):
        if name in kw:
            kw[name] = check_count(name, kw[name], 1, none_ok=True)
    for name in ("steps_per_epoch", "validation_steps"):
        if kw.get(name) is not None:
            kw[name] = check_steps(kw[name], name, "fit")


def fit_arrays(model: Any, x: Any, y: Any, **kw: Any) -> Any:
    """Keras 2 ``fit(x, y, ...)`` on arrays or a ``tf.data.Dataset``."""
    check_batch_counts(kw)
    if isinstance(x, tf.data.Dataset):
        return fit_dataset(model, x, y, kw)
    if kw["validation_data"] is not None:
        kw["validation_data"] = check_validation_tuple(kw["validation_data"])
    elif kw["validation_split"] and 0.0 < kw["validation_split"] < 1.0:
        (x, y, sw), kw["validation_data"] = split_last_fraction(
            x, y, kw["sample_weight"], kw["validation_split"]
        )
        kw["sample_weight"] = sw
    kw["validation_split"] = 0.0
    if kw["class_weight"] and kw["sample_weight"] is not None:
        warn_at_caller(
            "Found both `sample_weight` and `class_weight`: `class_weight` argument will be "
            "ignored (Keras 2 behaviour; Keras 3 raises). Fold the class weights into "
            "`sample_weight` to use both.",
            UserWarning,
        )
        kw["class_weight"] = None
    if kw["class_weight"]:
        _check_class_weight(np.asarray(y) if not isinstance(y, (list, dict)) else y,
                            kw["class_weight"])
    if kw["shuffle"] == "batch" or kw["steps_per_epoch"] is not None:
        return _fit_in_batches(model, x, y, kw)
    size = kw["batch_size"] or 32

    def first_batch() -> tuple[Any, ...]:
        parts = (x, y) if kw["sample_weight"] is None else (x, y, kw["sample_weight"])
        return tuple(_index(p, slice(0, size)) for p in parts)

    with built_from_sample(model, placement_of(model), first_batch):
        return legacy_history(_upstream.model_fit(model, x, y, **kw))


def _fit_in_batches(model: Any, x: Any, y: Any, kw: dict[str, Any]) -> Any:
    """Arrays as a ``ShuffledArrays`` stream: ``shuffle='batch'``, and
    ``steps_per_epoch`` on arrays, where tf.keras 2.x repeated the arrays and each epoch
    took the next ``steps_per_epoch`` batches (Keras 3 runs out after one pass)."""
    seq = ShuffledArrays(x, y, kw["sample_weight"], kw["batch_size"] or 32, kw["shuffle"])
    val = kw["validation_data"]
    call = LegacyCall("fit", model, classify(seq), classify(val) if val is not None else None,
                      LoadingOptions(), dict(
                          steps_per_epoch=kw["steps_per_epoch"], epochs=kw["epochs"],
                          verbose=kw["verbose"], validation_steps=kw["validation_steps"],
                          validation_freq=kw["validation_freq"],
                          class_weight=kw["class_weight"], shuffle=False,
                          initial_epoch=kw["initial_epoch"]))
    return fit_stream(call, kw["callbacks"])
