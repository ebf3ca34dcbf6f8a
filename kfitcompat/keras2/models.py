"""Keras 1's ``Model(input=..., output=...)`` on Keras 3 (modern: ``inputs=``, ``outputs=``).

After :func:`kfitcompat.install`, ``keras.Model`` (and Keras 3's functional model class)
read ``input`` / ``output`` as ``inputs`` / ``outputs`` when the Keras 2 names are absent,
with a warning. Calls that use ``inputs`` / ``outputs`` are unchanged.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .._warnings import warn_at_caller

__all__ = ["model_new", "functional_init"]


def _renamed(kwargs: dict[str, Any]) -> dict[str, Any]:
    if ("input" not in kwargs and "output" not in kwargs) or "inputs" in kwargs:
        return kwargs
    kwargs = dict(kwargs)
    if "input" in kwargs:
        kwargs["inputs"] = kwargs.pop("input")
    if "output" in kwargs:
        kwargs["outputs"] = kwargs.pop("output")
    return kwargs


def model_new(original: Any) -> Any:
    """``Model.__new__`` that dispatches ``Model(input=, output=)`` to the functional API."""
    new = original.__func__ if isinstance(original, staticmethod) else original

    def __new__(cls: type, *args: Any, **kwargs: Any) -> Any:
        return new(cls, *args, **_renamed(kwargs))

    return staticmethod(__new__)


def functional_init(original: Callable[..., None]) -> Callable[..., None]:
    """The functional model's ``__init__``, taking Keras 1's ``input`` / ``output``."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        renamed = _renamed(kwargs)
        if renamed is not kwargs:
            warn_at_caller("`Model(input=..., output=...)` is the Keras 1 spelling: use "
                           "`Model(inputs=..., outputs=...)`.", through_keras=True)
        original(self, *args, **renamed)

    # Keras reads the layer's constructor arguments from the signature
    __init__.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    return __init__
