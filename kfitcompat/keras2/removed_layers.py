"""Keras 2 layers Keras 3 removed that are one Keras 3 layer with other arguments:
``ThresholdedReLU(theta)`` is ``ReLU(threshold=theta)``. The layer built is Keras 3's own
(it saves and loads as such); ``isinstance(layer, ThresholdedReLU)`` holds for it.
"""

from __future__ import annotations

from typing import Any

from .._warnings import warn_at_caller

__all__ = ["ThresholdedReLU"]


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
