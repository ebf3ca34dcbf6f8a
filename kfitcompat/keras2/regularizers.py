"""Keras 1's regularizer names: ``WeightRegularizer``, ``ActivityRegularizer``, ``l1l2``,
``activity_l1``, ``activity_l2``, ``activity_l1l2`` (and the strings ``'activity_l1'`` /
``'activity_l2'``).

Keras 1.2.2 (``keras/regularizers.py``) penalised ``l1 * sum(|x|) + l2 * sum(x ** 2)`` with
all of them, on weights or on a layer's output; Keras 2 and 3 spell every one
``keras.regularizers.L1L2(l1, l2)`` (or ``l1`` / ``l2``). After ``kfitcompat.install`` the
Keras 1 names build that Keras 3 regularizer, with Keras 1's defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._warnings import warn_at_caller
from .constraints import keras2_names

__all__ = ["KERAS1_REGULARIZERS", "regularizers_get"]


def _l1l2(name: str, l1: float, l2: float) -> Any:
    import keras

    warn_at_caller(f"`{name}` is Keras 1's regularizer name: use "
                   f"`keras.regularizers.L1L2(l1={l1}, l2={l2})`.")
    return keras.regularizers.L1L2(l1=float(l1), l2=float(l2))


def WeightRegularizer(l1: float = 0.0, l2: float = 0.0) -> Any:  # noqa: N802 - Keras 1 name
    """Keras 1 ``WeightRegularizer(l1=0., l2=0.)``; modern: ``L1L2(l1, l2)``."""
    return _l1l2("WeightRegularizer", l1, l2)


def ActivityRegularizer(l1: float = 0.0, l2: float = 0.0) -> Any:  # noqa: N802
    """Keras 1 ``ActivityRegularizer(l1=0., l2=0.)``; modern: ``L1L2(l1, l2)``."""
    return _l1l2("ActivityRegularizer", l1, l2)


def l1l2(l1: float = 0.01, l2: float = 0.01) -> Any:
    """Keras 1 ``l1l2(l1=0.01, l2=0.01)``; modern: ``L1L2(l1=0.01, l2=0.01)``."""
    return _l1l2("l1l2", l1, l2)


def activity_l1(l: float = 0.01) -> Any:  # noqa: E741 - Keras 1's argument name
    """Keras 1 ``activity_l1(l=0.01)``; modern: ``L1L2(l1=l)``."""
    return _l1l2("activity_l1", l, 0.0)


def activity_l2(l: float = 0.01) -> Any:  # noqa: E741
    """Keras 1 ``activity_l2(l=0.01)``; modern: ``L1L2(l2=l)``."""
    return _l1l2("activity_l2", 0.0, l)


def activity_l1l2(l1: float = 0.01, l2: float = 0.01) -> Any:
    """Keras 1 ``activity_l1l2(l1=0.01, l2=0.01)``; modern: ``L1L2(l1, l2)``."""
    return _l1l2("activity_l1l2", l1, l2)


#: Keras 1 name -> the function above that builds its Keras 3 regularizer
KERAS1_REGULARIZERS: dict[str, Callable[..., Any]] = {
    f.__name__: f for f in (WeightRegularizer, ActivityRegularizer, l1l2, activity_l1,
                            activity_l2, activity_l1l2)}
# strings Keras 1's get() read: the Keras 3 string of the same regularizer (same default)
_STRINGS = {"activity_l1": "l1", "activity_l2": "l2"}


def regularizers_get(original: Callable[..., Any]) -> Callable[..., Any]:
    """``keras.regularizers.get`` that also reads Keras 1's ``'activity_l1'`` /
    ``'activity_l2'``."""
    return keras2_names(original, _STRINGS, "regularizer")
