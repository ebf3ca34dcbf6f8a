"""One check for every whole-number argument: ``batch_size``, ``workers``, ``epochs``, ...

Keras 2 scripts compute counts from NumPy shapes (``len(x) // 32`` of an array is a
``np.int64``), so NumPy integers are accepted as tf.keras accepted them; ``bool`` is not a
count even though it is an ``int`` subclass.
"""

from __future__ import annotations

import math
from typing import Any, Literal, overload

import numpy as np

__all__ = ["check_count", "check_steps", "is_count"]


def is_count(value: Any) -> bool:
    """Whether ``value`` is a Python or NumPy integer (not a bool)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


@overload
def check_count(name: str, value: Any, minimum: int | None = None, *,
                none_ok: Literal[False] = False) -> int: ...


@overload
def check_count(name: str, value: Any, minimum: int | None = None, *,
                none_ok: bool) -> int | None: ...


def check_count(name: str, value: Any, minimum: int | None = None, *,
                none_ok: bool = False) -> int | None:
    """``value`` as a Python ``int`` (``None`` passes through when ``none_ok``).

    Raises:
        ValueError: naming the argument, the value and what is accepted, e.g.
            ``Invalid value for argument `workers`. Expected an integer >= 0.
            Received: workers=-1``.
    """
    if value is None and none_ok:
        return None
    if not is_count(value) or (minimum is not None and value < minimum):
        expected = "an integer" if minimum is None else f"an integer >= {minimum}"
        if none_ok:
            expected += " or None"
        raise ValueError(f"Invalid value for argument `{name}`. Expected {expected}. "
                         f"Received: {name}={value!r}")
    return int(value)


def check_steps(value: Any, name: str, method: str, length: int | None = None) -> int:
    """Legacy step rules for ``steps_per_epoch``, ``validation_steps`` and ``steps``: a
    float means ``ceil``; ``None`` means ``length`` (a Sequence's ``len``; ``None`` when the
    data has no length rule).

    Raises:
        ValueError: ``None`` without a length (Keras 2 text), or a value that is not > 0.
    """
    if value is None:
        if length is not None:
            return length
        raise ValueError(
            f"`{name}=None` is only valid for a generator based on the "
            f"`keras.utils.Sequence` class. Please specify `{name}` or use the "
            f"`keras.utils.Sequence` class. (in `{method}`)"
        )
    if (isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number))
            or not value > 0):  # NumPy scalars too (``len(x) // batch_size`` on NumPy shapes)
        raise ValueError(
            f"Invalid value for argument `{name}`. Expected a positive number of "
            f"batches. Received: {name}={value!r}"
        )
    return int(math.ceil(value))
