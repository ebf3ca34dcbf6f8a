"""Keras 1/2 layers Keras 3 removed that are Keras 3 layers with other arguments:
``ThresholdedReLU(theta)`` is ``ReLU(threshold=theta)``, Keras 1's
``TimeDistributedDense(output_dim, ...)`` is ``TimeDistributed(Dense(units, ...))``. The layer
built is Keras 3's own (it saves and loads as such); ``isinstance(layer, ThresholdedReLU)``
holds for it.
"""

from __future__ import annotations

from typing import Any

from .._warnings import warn_at_caller

__all__ = ["ThresholdedReLU", "TimeDistributedDense"]


class _ThresholdedReLUType(type):
    def __call__(cls, theta: float = 1.0, **kwargs: Any) -> Any:
        import keras

        warn_at_caller(f"`ThresholdedReLU(theta={theta})` is Keras 2: use "
                       f"`keras.layers.ReLU(threshold={theta})` (the same values).")
        return keras.layers.ReLU(threshold=float(theta), **kwargs)

    def __instancecheck__(cls, obj: Any) -> bool:
        import keras

        return isinstance(obj, keras.layers.ReLU) and float(obj.threshold) != 0.0


class ThresholdedReLU(metaclass=_ThresholdedReLUType):
    """Keras 2 ``ThresholdedReLU(theta=1.0)``: ``x`` where ``x > theta``, else 0; modern:
    ``keras.layers.ReLU(threshold=theta)``."""

    __module__ = "keras.layers"


# arguments of Keras 1's TimeDistributedDense that belong to the wrapper, not the Dense
_WRAPPER_ARGS = ("name", "trainable", "input_shape", "batch_input_shape", "batch_size",
                 "input_dim", "input_length", "dtype")


class _TimeDistributedDenseType(type):
    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        import keras

        from .layers import convert_keras1_config

        if args:
            kwargs.setdefault("output_dim", args[0])
            if len(args) > 1:
                raise TypeError("TimeDistributedDense takes output_dim positionally, every "
                                "other argument by keyword (as Keras 1's calls did)")
        outer = {k: kwargs.pop(k) for k in _WRAPPER_ARGS if k in kwargs}
        dense, _ = convert_keras1_config("Dense", kwargs, forced=True)
        input_dim, length = outer.pop("input_dim", None), outer.pop("input_length", None)
        if input_dim is not None and "input_shape" not in outer:
            outer["input_shape"] = (length, input_dim)
        warn_at_caller("`TimeDistributedDense` is Keras 1: use "
                       "`keras.layers.TimeDistributed(keras.layers.Dense(units, ...))` (Keras 2 "
                       "and 3 apply a Dense to every timestep of a 3-D input themselves).")
        return keras.layers.TimeDistributed(keras.layers.Dense(**dense), **outer)

    @property
    def __kfitcompat_keras2__(cls) -> frozenset[str]:  # noqa: N802 - the accepts() protocol
        """Keras 1's arguments: Dense's Keras 1 keywords and the wrapper's."""
        from .layers import KERAS1_KEYWORDS

        return frozenset(KERAS1_KEYWORDS["Dense"]) | frozenset(_WRAPPER_ARGS) | frozenset(
            ("activation", "weights", "activity_regularizer"))

    def __instancecheck__(cls, obj: Any) -> bool:
        import keras

        return (isinstance(obj, keras.layers.TimeDistributed)
                and isinstance(obj.layer, keras.layers.Dense))


class TimeDistributedDense(metaclass=_TimeDistributedDenseType):
    """Keras 1 ``TimeDistributedDense(output_dim, init, activation, W_regularizer, ...,
    input_dim, input_length)``; modern: ``keras.layers.TimeDistributed(Dense(units))``."""

    __module__ = "keras.layers"
