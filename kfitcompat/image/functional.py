"""Keras 2's functional augmentation helpers (``keras.preprocessing.image.random_*``).

Legacy edge: they draw from NumPy's *global* generator, as Keras 2 did. Their
defaults assume channels-first single images (``row_axis=1, col_axis=2,
channel_axis=0``), also as in Keras 2. ``geometry="tf_keras"`` (keyword only, a kfitcompat
addition) gives tf.keras 2.9+'s pixel centre and axis order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .affine import apply_affine_transform, apply_brightness_shift, apply_channel_shift

__all__ = [
    "random_rotation",
    "random_shift",
    "random_shear",
    "random_zoom",
    "random_channel_shift",
    "random_brightness",
]


def _affine(x: np.ndarray, row_axis: int, col_axis: int, channel_axis: int, fill_mode: str,
            cval: float, interpolation_order: int, geometry: str, **params: Any) -> np.ndarray:
    return apply_affine_transform(x, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order, geometry=geometry, **params)


def random_rotation(x: np.ndarray, rg: float, row_axis: int = 1, col_axis: int = 2,
                    channel_axis: int = 0, fill_mode: str = "nearest", cval: float = 0.0,
                    interpolation_order: int = 1, *, geometry: str = "keras_preprocessing"
                    ) -> np.ndarray:
    """Rotate by an angle drawn from ``U(-rg, rg)`` degrees."""
    theta = np.random.uniform(-rg, rg)
    return _affine(x, row_axis, col_axis, channel_axis, fill_mode, cval, interpolation_order,
                   geometry, theta=theta)


def random_shift(x: np.ndarray, wrg: float, hrg: float, row_axis: int = 1, col_axis: int = 2,
                 channel_axis: int = 0, fill_mode: str = "nearest", cval: float = 0.0,
                 interpolation_order: int = 1, *, geometry: str = "keras_preprocessing"
                 ) -> np.ndarray:
    """Shift by fractions ``U(-hrg, hrg)`` of the height and ``U(-wrg, wrg)`` of the width."""
    h, w = x.shape[row_axis], x.shape[col_axis]
    tx = np.random.uniform(-hrg, hrg) * h
    ty = np.random.uniform(-wrg, wrg) * w
    return _affine(x, row_axis, col_axis, channel_axis, fill_mode, cval, interpolation_order,
                   geometry, tx=tx, ty=ty)


def random_shear(x: np.ndarray, intensity: float, row_axis: int = 1, col_axis: int = 2,
                 channel_axis: int = 0, fill_mode: str = "nearest", cval: float = 0.0,
                 interpolation_order: int = 1, *, geometry: str = "keras_preprocessing"
                 ) -> np.ndarray:
    """Shear by an angle drawn from ``U(-intensity, intensity)`` degrees."""
    shear = np.random.uniform(-intensity, intensity)
    return _affine(x, row_axis, col_axis, channel_axis, fill_mode, cval, interpolation_order,
                   geometry, shear=shear)


def random_zoom(x: np.ndarray, zoom_range: Any, row_axis: int = 1, col_axis: int = 2,
                channel_axis: int = 0, fill_mode: str = "nearest", cval: float = 0.0,
                interpolation_order: int = 1, *, geometry: str = "keras_preprocessing"
                ) -> np.ndarray:
    """Zoom each axis by a factor drawn independently from ``zoom_range`` (> 1 zooms out)."""
    if len(zoom_range) != 2:
        raise ValueError("`zoom_range` should be a tuple or list of two floats. "
                         f"Received: {zoom_range}")
    if zoom_range[0] == 1 and zoom_range[1] == 1:
        zx, zy = 1.0, 1.0
    else:
        zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)
    return _affine(x, row_axis, col_axis, channel_axis, fill_mode, cval, interpolation_order,
                   geometry, zx=zx, zy=zy)


def random_channel_shift(x: np.ndarray, intensity_range: float, channel_axis: int = 0
                         ) -> np.ndarray:
    """Add one intensity from ``U(-r, r)`` to every channel, clipped to the image range."""
    intensity = np.random.uniform(-intensity_range, intensity_range)
    return apply_channel_shift(x, intensity, channel_axis)


def random_brightness(x: np.ndarray, brightness_range: Any, scale: bool = True) -> np.ndarray:
    """Pillow brightness with a factor from ``U(*brightness_range)`` (``scale``: see
    :func:`~kfitcompat.image.affine.apply_brightness_shift`; tf.keras 2.9+ added it)."""
    if len(brightness_range) != 2:
        raise ValueError("`brightness_range should be tuple or list of two floats. "
                         f"Received: {brightness_range}")
    return apply_brightness_shift(x, np.random.uniform(brightness_range[0],
                                                       brightness_range[1]), scale=scale)
