"""Keras 2's lower-case constraint names: ``maxnorm``, ``nonneg``, ``unitnorm``.

Keras 2 (``keras/constraints.py``) kept them as aliases of ``MaxNorm``, ``NonNeg`` and
``UnitNorm``: ``from keras.constraints import maxnorm; Dense(64, kernel_constraint=maxnorm(3))``
and the string ``kernel_constraint='maxnorm'`` both worked. Keras 3 spells them ``max_norm``,
``non_neg``, ``unit_norm`` and rejects the old strings. After ``kfitcompat.install`` the
old names and strings work again; every name Keras 3 accepts is passed through unchanged.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .._warnings import warn_at_caller

__all__ = ["LOWER_CASE_NAMES", "constraints_get", "keras2_names"]

#: Keras 2 name -> Keras 3 name (the class of ``keras.constraints``).
LOWER_CASE_NAMES = {"maxnorm": "MaxNorm", "nonneg": "NonNeg", "unitnorm": "UnitNorm"}
_STRINGS = {"maxnorm": "max_norm", "nonneg": "non_neg", "unitnorm": "unit_norm"}


def keras2_names(original: Callable[..., Any], names: dict[str, str],
                 what: str | None = None) -> Callable[..., Any]:
    """``original`` (a ``get`` / ``deserialize`` of a Keras module) reading the Keras 2 names
    of ``names`` as their Keras 3 ones, with a warning naming the modern spelling when
    ``what`` names the kind (none where the name comes from a saved file, not the user's
    code); every other identifier is passed through unchanged."""

    @functools.wraps(original)
    def lookup(identifier: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(identifier, str) and identifier in names:
            modern = names[identifier]
            if what is not None:
                warn_at_caller(f"The {what} {identifier!r} is Keras 2's name: use "
                               f"{modern!r}.", through_keras=True)
            identifier = modern
        return original(identifier, *args, **kwargs)

    return lookup


def constraints_get(original: Callable[..., Any]) -> Callable[..., Any]:
    """``keras.constraints.get`` that also reads Keras 2's strings (``'maxnorm'``)."""
    return keras2_names(original, _STRINGS, "constraint")
