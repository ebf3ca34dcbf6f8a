"""One check for every whole-number argument: ``batch_size``, ``workers``, ``epochs``, ...

Keras 2 scripts compute counts from NumPy shapes (``len(x) // 32`` of an array is a
``np.int64``), so NumPy integers are accepted as tf.keras accepted them; ``bool`` is not a
count even though it is an ``int`` subclass.
"""

from __future__ import annotations

from typing import Any, Literal, overload

import numpy as np

__all__ = ["check_count", "is_count"]


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
