"""Keras 2's targets for a model with one output: keyed by the output's name, or a Python list
of numbers.

Keras 2 took ``y``, ``sample_weight`` and ``class_weight`` as a dict keyed by the output
layer's name for any model (``model.fit({'feats': x}, {'out': y})``, the functional-API
tutorials' style); Keras 3 takes such a dict only for a model with several outputs, and for one
output fails inside its loss ("Expected float32, but got out of type 'str'"). Keras 2.2.4 also
read a Python list of numbers as one array (``standardize_input_data``: ``y = [0, 1, 1]``,
labels appended in a loop); Keras 3 reads a list as one entry per output ("y_true and y_pred
have different structures", "Unrecognized data type"). After ``install()``, ``fit``,
``evaluate``, ``train_on_batch`` and ``test_on_batch`` give Keras 3 the value under the
output's name, and the list as an array. Modern: pass the array itself
(``model.fit(x, np.asarray(y))``).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["single_output_call"]

_TARGETS = ("y", "sample_weight", "class_weight")


def _output_name(model: Any) -> str | None:
    """The name of the model's only output, or None (several outputs, or not built)."""
    try:
        names = list(model.output_names)
    except (AttributeError, ValueError):
        return None
    return names[0] if len(names) == 1 else None


def _is_number_list(value: Any) -> bool:
    """A list of Python (or NumPy scalar) numbers: Keras 2.2.4 made it one array."""
    return (isinstance(value, list) and bool(value)
            and isinstance(value[0], (numbers.Number, np.bool_)))


def _target(value: Any, name: str | None) -> Any:
    if name is not None and isinstance(value, Mapping) and len(value) == 1 and name in value:
        value = value[name]
    return np.asarray(value) if _is_number_list(value) else value


def single_output_call(model: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
                       ) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """``args`` (after ``x``) and ``kwargs`` of ``fit`` / ``evaluate`` / ``*_on_batch`` of a
    model with one output: every target keyed by its name is its value (``validation_data``
    too), and a ``y`` given as a list of numbers is an array."""
    if not any(isinstance(v, (Mapping, list)) for v in (*args[:1], *kwargs.values())) and not (
            isinstance(kwargs.get("validation_data"), tuple)):
        return args, kwargs
    try:
        outputs = len(model.outputs)
    except (AttributeError, TypeError, ValueError):
        return args, kwargs
    if outputs != 1:
        return args, kwargs
    name = _output_name(model)
    if args:
        args = (_target(args[0], name), *args[1:])
    kwargs = {k: _target(v, name) if k in _TARGETS else v for k, v in kwargs.items()}
    validation = kwargs.get("validation_data")
    if isinstance(validation, tuple) and len(validation) >= 2:
        kwargs["validation_data"] = (validation[0], *(_target(v, name)
                                                     for v in validation[1:]))
    return args, kwargs
