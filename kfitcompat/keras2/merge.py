"""Keras 1's ``Merge`` layer and ``merge()`` function on Keras 3's merging layers.

Keras 1.2.2 (``keras/engine/topology.py``) merged with one class, ``Merge(layers=None,
mode='sum', concat_axis=-1, dot_axes=-1, output_shape=None, output_mask=None,
arguments=None, name=None)``, in three ways, all translated after ``kfitcompat.install``:

* ``Merge([model_a, model_b], mode='concat')`` as the first layer of a ``Sequential``: a
  functional model taking both models' inputs (Keras 3's ``Sequential`` runs it, so
  ``merged.fit([x_a, x_b], y)`` works as in Keras 1);
* ``Merge(mode='sum')([a, b])``: the Keras 3 layer of that mode (``Add``, ``Multiply``,
  ``Concatenate(axis)``, ``Average``, ``Maximum``, ``Dot(axes)``);
* ``merge([a, b], mode='concat', concat_axis=1)`` on tensors: that layer applied to them.

``mode`` may also be a function of the list of tensors (a ``Lambda`` layer with
``output_shape`` and ``arguments``) or ``'cos'`` (cosine proximity, ``Dot(normalize=True)``
with Keras 1's extra axis; only on tensors or models, not as a bare layer).
Modern: ``keras.layers.concatenate([a, b], axis=1)`` and its kin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._warnings import warn_at_caller

__all__ = ["MERGE_MODES", "Merge", "merge"]

#: Keras 1 mode -> the Keras 3 layer class
MERGE_MODES = {"sum": "Add", "mul": "Multiply", "concat": "Concatenate", "ave": "Average",
               "max": "Maximum", "dot": "Dot", "cos": "Dot"}


def _layer(mode: str | Callable[..., Any], concat_axis: int, dot_axes: Any, output_shape: Any,
           output_mask: Any, arguments: Any, name: str | None) -> Any:
    import keras

    if callable(mode):
        return keras.layers.Lambda(mode, output_shape=output_shape, mask=output_mask,
                                   arguments=arguments, name=name)
    if mode not in MERGE_MODES:
        raise ValueError(f"Invalid value for argument `mode` of `Merge`. Expected one of "
                         f"{tuple(MERGE_MODES)} or a function. Received: mode={mode!r}")
    options: dict[str, Any] = {"name": name}
    if mode == "concat":
        options["axis"] = concat_axis
    if mode in ("dot", "cos"):
        options["axes"] = dot_axes
        options["normalize"] = mode == "cos"
    return getattr(keras.layers, MERGE_MODES[mode])(**options)


def _apply(layer: Any, mode: Any, tensors: list[Any]) -> Any:
    out = layer(tensors)
    if mode == "cos":  # Keras 1 appended an axis to the cosine: (batch, 1, ...)
        import keras

        out = keras.ops.expand_dims(out, 1)
    return out


def _is_model(x: Any) -> bool:
    import keras

    return isinstance(x, keras.Model)


def _merged_models(models: list[Any], layer: Any, mode: Any) -> Any:
    """One functional model over ``models``' inputs whose output merges their outputs."""
    import keras

    inputs = [t for m in models for t in m.inputs]
    outputs = [m.outputs[0] for m in models]
    return keras.Model(inputs, _apply(layer, mode, outputs))


def merge(inputs: list[Any], mode: str | Callable[..., Any] = "sum", concat_axis: int = -1,
          dot_axes: Any = -1, output_shape: Any = None, output_mask: Any = None,
          arguments: Any = None, name: str | None = None) -> Any:
    """Keras 1 ``merge([a, b], mode=...)``; modern: ``keras.layers.add/concatenate/...``."""
    layer = _layer(mode, concat_axis, dot_axes, output_shape, output_mask, arguments, name)
    target = "Lambda" if callable(mode) else MERGE_MODES.get(str(mode), "")
    warn_at_caller(f"`merge(mode={getattr(mode, '__name__', mode)!r})` is Keras 1: use "
                   f"`keras.layers.{target}()([...])`.")
    if all(_is_model(x) for x in inputs):
        return _merged_models(list(inputs), layer, mode)
    return _apply(layer, mode, list(inputs))


class _Keras1Merge(type):
    """Calling ``Merge(...)`` builds Keras 3 objects; ``isinstance(x, Merge)`` holds for
    Keras 3's merging layers."""

    def __call__(cls, layers: Any = None, mode: str | Callable[..., Any] = "sum",
                 concat_axis: int = -1, dot_axes: Any = -1, output_shape: Any = None,
                 output_mask: Any = None, arguments: Any = None, node_indices: Any = None,
                 tensor_indices: Any = None, name: str | None = None) -> Any:
        if mode == "cos" and not layers:
            raise ValueError("`Merge(mode='cos')` as a layer has no Keras 3 counterpart: use "
                             "`merge([a, b], mode='cos')` on tensors or "
                             "`keras.layers.Dot(axes, normalize=True)`.")
        layer = _layer(mode, concat_axis, dot_axes, output_shape, output_mask, arguments, name)
        warn_at_caller(f"`Merge(mode={getattr(mode, '__name__', mode)!r})` is Keras 1: use "
                       f"`keras.layers.{type(layer).__name__}`.")
        if not layers:
            return layer
        if all(_is_model(x) for x in layers):
            return _merged_models(list(layers), layer, mode)
        return _apply(layer, mode, list(layers))

    def __instancecheck__(cls, obj: Any) -> bool:
        import keras

        kinds = tuple({getattr(keras.layers, n) for n in MERGE_MODES.values()})
        return isinstance(obj, kinds)


class Merge(metaclass=_Keras1Merge):
    """Keras 1 ``Merge(layers, mode=...)``; modern: ``keras.layers.Concatenate`` and kin, or
    the functional API for merged models."""

    __module__ = "keras.layers"
