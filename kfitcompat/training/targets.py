"""Keras 2's targets keyed by output name for a model with one output.

Keras 2 took ``y``, ``sample_weight`` and ``class_weight`` as a dict keyed by the output
layer's name for any model (``model.fit({'feats': x}, {'out': y})``, the functional-API
tutorials' style); Keras 3 takes such a dict only for a model with several outputs, and for one
output fails inside its loss ("Expected float32, but got out of type 'str'"). After
``install()``, ``fit`` / ``evaluate`` give the value under the output's name to Keras 3.
Modern: pass the array itself (``model.fit(x, y)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["single_output_call"]

_TARGETS = ("y", "sample_weight", "class_weight")


def _output_name(model: Any) -> str | None:
    """The name of the model's only output, or None (several outputs, or not built)."""
    try:
        names = list(model.output_names)
    except (AttributeError, ValueError):
        return None
    return names[0] if len(names) == 1 else None


def _unwrap(value: Any, name: str) -> Any:
    if isinstance(value, Mapping) and len(value) == 1 and name in value:
        return value[name]
    return value


def single_output_call(model: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
                       ) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """``args`` (after ``x``) and ``kwargs`` of ``fit`` / ``evaluate`` with every target keyed
    by the model's only output name replaced by its value (``validation_data`` too)."""
    if not any(isinstance(v, Mapping) for v in (*args[:1], *kwargs.values())) and not (
            isinstance(kwargs.get("validation_data"), tuple)):
        return args, kwargs
    name = _output_name(model)
    if name is None:
        return args, kwargs
    if args:
        args = (_unwrap(args[0], name), *args[1:])
    kwargs = {k: _unwrap(v, name) if k in _TARGETS else v for k, v in kwargs.items()}
    validation = kwargs.get("validation_data")
    if isinstance(validation, tuple) and len(validation) >= 2:
        kwargs["validation_data"] = (validation[0], *(_unwrap(v, name)
                                                     for v in validation[1:]))
    return args, kwargs
