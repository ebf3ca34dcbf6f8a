"""Standardising what a legacy generator or ``Sequence`` returns for one step.

Keras 2 accepted any object of length 2 or 3 (tuple or list) as ``(x, y)`` /
``(x, y, sample_weight)``; Keras 3 accepts only tuples. Here every batch becomes
a tuple of NumPy arrays (nested lists become tuples, dicts stay dicts) and is
checked, with errors that name the step and the shapes.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from .contracts import Mode

__all__ = [
    "BatchError",
    "standardize_batch",
    "batch_size_of",
    "class_weight_to_sample_weight",
    "describe",
]

FIT = "fit"
EVALUATE = "evaluate"
PREDICT = "predict"


class BatchError(ValueError):
    """A batch from the user's generator or Sequence is not usable."""


def describe(obj: Any) -> str:
    """Short description of a batch structure: types and shapes."""
    if isinstance(obj, np.ndarray) or hasattr(obj, "shape") and hasattr(obj, "dtype"):
        return f"array(shape={tuple(obj.shape)}, dtype={np.dtype(obj.dtype).name})"
    if isinstance(obj, Mapping):
        return "{" + ", ".join(f"{k!r}: {describe(v)}" for k, v in obj.items()) + "}"
    if isinstance(obj, (list, tuple)):
        inner = ", ".join(describe(v) for v in obj)
        return f"({inner},)" if isinstance(obj, tuple) and len(obj) == 1 else (
            f"({inner})" if isinstance(obj, tuple) else f"[{inner}]")
    return type(obj).__name__ if obj is not None else "None"


def _to_arrays(obj: Any) -> Any:
    """Nested lists/tuples -> tuples, dicts kept, leaves -> ndarrays (floats as float32)."""
    if isinstance(obj, Mapping):
        return {k: _to_arrays(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)) and _is_structure(obj):
        return tuple(_to_arrays(v) for v in obj)
    arr = np.asarray(obj)
    if arr.dtype == np.float64:
        arr = arr.astype(np.float32)
    elif arr.dtype == object:
        raise BatchError(f"cannot turn {describe(obj)} into a numeric array")
    return arr


def _is_structure(obj: Any) -> bool:
    """A list of arrays (multi-input) is a structure; a list of numbers is data."""
    return any(hasattr(v, "shape") or isinstance(v, (Mapping, list, tuple)) and _is_structure(v)
               for v in obj)


def _leaves(obj: Any) -> list[np.ndarray]:
    if isinstance(obj, Mapping):
        return [leaf for v in obj.values() for leaf in _leaves(v)]
    if isinstance(obj, tuple):
        return [leaf for v in obj for leaf in _leaves(v)]
    return [obj]


def batch_size_of(structure: Any) -> int:
    """Number of samples in a standardised ``x`` (the first leaf's first dimension)."""
    leaves = _leaves(structure)
    if not leaves or leaves[0].ndim == 0:
        return 1
    return int(leaves[0].shape[0])


def _check_sizes(parts: tuple[Any, ...], step: int) -> None:
    sizes = []
    for part in parts:
        for leaf in _leaves(part):
            if leaf.ndim == 0:
                raise BatchError(
                    f"Batch at step {step} has a scalar where an array with a batch "
                    f"dimension was expected: {describe(parts)}."
                )
            sizes.append(int(leaf.shape[0]))
    if not sizes or sizes[0] == 0:
        raise BatchError(
            f"Received an empty batch at step {step}. Batches should contain at least "
            f"one item. Got: {describe(parts)}."
        )
    if len(set(sizes)) > 1:
        raise BatchError(
            f"Batch at step {step} has inputs, targets or sample weights with different "
            f"numbers of samples {sizes}: {describe(parts)}. Every array in a batch must "
            f"have the same first dimension."
        )


def standardize_batch(out: Any, step: int, mode: Mode) -> tuple[Any, ...]:
    """Turn one legacy batch into ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``.

    Args:
        out: what the generator or ``Sequence.__getitem__`` returned.
        step: the step number, for error messages.
        mode: ``"fit"``/``"evaluate"`` (needs 2 or 3 items) or ``"predict"`` (a
            tuple of 2 or 3 gives its ``x``; anything else is ``x``).

    Raises:
        BatchError: with the step, the expected and the received structure.
    """
    if mode == PREDICT:
        if isinstance(out, tuple):
            if len(out) not in (1, 2, 3):
                raise BatchError(
                    f"Output of generator at step {step} should be `x` or a tuple "
                    f"`(x,)`, `(x, y)` or `(x, y, sample_weight)`. Found: {describe(out)}."
                )
            out = out[0]
        parts: tuple[Any, ...] = (_to_arrays(out),)
    else:
        if isinstance(out, np.ndarray) or isinstance(out, Mapping) or not isinstance(
            out, (tuple, list)
        ) or len(out) not in (2, 3):
            raise BatchError(
                f"Output of generator should be a tuple `(x, y, sample_weight)` or "
                f"`(x, y)`. Found at step {step}: {describe(out)}."
            )
        parts = tuple(_to_arrays(v) for v in out if v is not None)
        if out[1] is None:
            raise BatchError(f"Batch at step {step} has `y=None`; training needs targets.")
    _check_sizes(parts, step)
    return parts


def class_weight_to_sample_weight(
    y: Any, class_weight: Mapping[Any, float], step: int
) -> np.ndarray:
    """Keras 2 rule: class ids from ``argmax(axis=1)`` (or the values for one column).

    Raises:
        BatchError: for 3D+ targets, multi-output targets, or a class absent from
            ``class_weight`` (Keras 2 refused to guess; Keras 3 silently uses 1.0).
    """
    if not isinstance(y, np.ndarray):
        raise BatchError(
            "`class_weight` with a generator is supported for single-output models only "
            f"(step {step} yielded targets {describe(y)}); pass per-sample weights as the "
            "third element of each batch instead."
        )
    if y.ndim > 2:
        raise BatchError(
            f"`class_weight` not supported for 3+ dimensional targets (step {step}: "
            f"{describe(y)})."
        )
    if y.ndim == 2 and y.shape[1] > 1:
        classes = np.argmax(y, axis=1)
    else:
        classes = np.reshape(y, (-1,))
    classes = classes.astype(np.int64) if classes.dtype.kind == "f" else classes
    missing = set(np.unique(classes).tolist()) - set(class_weight)
    if missing:
        raise BatchError(
            f"`class_weight` must contain all classes in the data. The classes "
            f"{sorted(missing)} exist in the data (step {step}) but not in `class_weight`."
        )
    return np.asarray([class_weight[c] for c in classes.tolist()], dtype=np.float32)


def apply_class_weight(
    parts: tuple[Any, ...], class_weight: Mapping[Any, float] | None, step: int, warned: list[bool]
) -> tuple[Any, ...]:
    """Add class-derived sample weights to ``(x, y)`` (ignored beside sample weights)."""
    if not class_weight:
        return parts
    if len(parts) == 3:
        if not warned[0]:
            warned[0] = True
            warnings.warn(
                "Found both `sample_weight` (third element of a batch) and `class_weight`: "
                "`class_weight` argument will be ignored, as in Keras 2.",
                UserWarning,
                stacklevel=2,
            )
        return parts
    x, y = parts
    return (x, y, class_weight_to_sample_weight(y, class_weight, step))
