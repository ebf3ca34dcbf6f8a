"""Keras 2's lower-case constraint names: ``maxnorm``, ``nonneg``, ``unitnorm``.

Keras 2 (``keras/constraints.py``) kept them as aliases of ``MaxNorm``, ``NonNeg`` and
``UnitNorm``: ``from keras.constraints import maxnorm; Dense(64, kernel_constraint=maxnorm(3))``
and the string ``kernel_constraint='maxnorm'`` both worked. Keras 3 spells them ``max_norm``,
``non_neg``, ``unit_norm`` and rejects the old strings. After :func:`kfitcompat.install` the
old names and strings work again; every name Keras 3 accepts is passed through unchanged.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .._warnings import warn_at_caller

__all__ = ["LOWER_CASE_NAMES", "constraints_get"]

#: Keras 2 name -> Keras 3 name (the class of ``keras.constraints``).
LOWER_CASE_NAMES = {"maxnorm": "MaxNorm", "nonneg": "NonNeg", "unitnorm": "UnitNorm"}
_STRINGS = {"maxnorm": "max_norm", "nonneg": "non_neg", "unitnorm": "unit_norm"}


def constraints_get(original: Callable[..., Any]) -> Callable[..., Any]:
    """``keras.constraints.get`` that also reads Keras 2's strings (``'maxnorm'``)."""

    @functools.wraps(original)
    def get(identifier: Any) -> Any:
        if isinstance(identifier, str) and identifier in _STRINGS:
            modern = _STRINGS[identifier]
            warn_at_caller(f"The constraint {identifier!r} is Keras 2's name: use "
                           f"{modern!r} (keras.constraints.{LOWER_CASE_NAMES[identifier]}).",
                           through_keras=True)
            identifier = modern
        return original(identifier)

    return get
