"""``keras_preprocessing.image.affine_transformations``: the legacy transforms of one image.

Laid out as the legacy module was: the ``random_*`` helpers call this module's own
``apply_*`` functions, and SciPy and Pillow's ``ImageEnhance`` are module attributes
(``None`` when missing, then the function that needs one raises ``ImportError``), so code
that patches them here, as keras-preprocessing's tests do, sees the effect.
The matrix maths is ``kfitcompat.image.affine``'s.

Legacy edges: the ``random_*`` helpers draw from NumPy's *global* generator, as Keras 2
did. Their defaults assume channels-first single images (``row_axis=1, col_axis=2,
channel_axis=0``), also as in Keras 2. ``geometry="tf_keras"`` (keyword only, a kfitcompat
addition) gives tf.keras 2.9+'s pixel centre and axis order.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import numpy as np
from PIL import Image

from .affine import centered_matrix, check_fill_mode, check_geometry, transform_matrix


def _optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:  # pragma: no cover - both are dependencies; optional as in Keras 2
        return None


scipy = _optional("scipy")
if scipy is not None:
    importlib.import_module("scipy.ndimage")
ImageEnhance = _optional("PIL.ImageEnhance")

__all__ = [
    "apply_affine_transform",
    "warp_with_matrix",
    "apply_brightness_shift",
    "apply_channel_shift",
    "flip_axis",
    "transform_matrix_offset_center",
    "random_rotation",
    "random_shift",
    "random_shear",
    "random_zoom",
    "random_channel_shift",
    "random_brightness",
]

def apply_affine_transform(
    x: np.ndarray, theta: float = 0, tx: float = 0, ty: float = 0, shear: float = 0,
    zx: float = 1, zy: float = 1, row_axis: int = 0, col_axis: int = 1, channel_axis: int = 2,
    fill_mode: str = "nearest", cval: float = 0.0, order: int = 1,
    geometry: str = "keras_preprocessing",
) -> np.ndarray:
    """Legacy ``apply_affine_transform``: rotate, shift, shear and zoom one image at once."""
    if scipy is None:
        raise ImportError("apply_affine_transform needs SciPy: pip install scipy")
    m = transform_matrix(theta, tx, ty, shear, zx, zy)
    if m is None:
        return x
    h, w = x.shape[row_axis], x.shape[col_axis]
    m = centered_matrix(m, h, w, check_geometry(geometry), swap_axes=col_axis > row_axis)
    return warp_with_matrix(x, m, channel_axis, check_fill_mode(fill_mode), cval, order)


def warp_with_matrix(x: np.ndarray, matrix: np.ndarray, channel_axis: int, fill_mode: str,
                     cval: float, order: int) -> np.ndarray:
    """One image warped by its centred output->input ``matrix``, channel by channel, with
    ``scipy.ndimage.affine_transform`` (keras-preprocessing's warp)."""
    if scipy is None:
        raise ImportError("ImageDataGenerator's reference path needs SciPy: pip install scipy")
    channels = np.moveaxis(x, channel_axis, 0)
    out = np.stack([
        scipy.ndimage.affine_transform(c, matrix[:2, :2], matrix[:2, 2], order=order,
                                       mode=fill_mode, cval=cval)
        for c in channels
    ])
    return np.moveaxis(out, 0, channel_axis)


def apply_channel_shift(x: np.ndarray, intensity: float, channel_axis: int = 0) -> np.ndarray:
    """Add ``intensity`` to every channel, clipped to the image's own [min, max]."""
    return np.clip(x + intensity, np.min(x), np.max(x)).astype(x.dtype, copy=False)


def apply_brightness_shift(x: np.ndarray, brightness: float, scale: bool = True,
                           data_format: str | None = None) -> np.ndarray:
    """Pillow ``ImageEnhance.Brightness`` on ``x`` through 8-bit values, any channel count.

    ``scale=True`` (keras-preprocessing 1.1.2): the image is min-max stretched to
    0..255 first (in float32) and the output stays in 0..255. ``scale=False``
    (tf.keras 2.9+): values are used as they are, unless outside [0, 255]: then
    stretched and mapped back to the input's range afterwards. The enhancement is
    the same for every pixel value whatever its channel, so each value goes through
    one 8-bit grayscale image: images with 2 or more than 4 channels work too (Keras 2
    raised ``Unsupported channel number``), and ``data_format`` does not matter (kept
    for callers that pass it).
    """
    if ImageEnhance is None:
        raise ImportError("apply_brightness_shift needs Pillow's ImageEnhance: pip install Pillow")
    x = np.asarray(x, dtype="float32")
    x_min, x_max = np.min(x), np.max(x)
    outside = bool(x_min < 0 or x_max > 255)
    values = x
    if scale or outside:  # array_to_img(scale=True): shift to 0, divide by the max, * 255
        values = x - x_min
        top = np.max(values)
        if top != 0:
            values = values / top
        values = values * 255
    u8 = values.astype("uint8")
    plane = Image.fromarray(u8.reshape(x.shape[0], -1), "L")
    out = np.asarray(ImageEnhance.Brightness(plane).enhance(brightness), dtype="float32")
    out = out.reshape(x.shape)
    axis = 0 if data_format == "channels_first" else -1
    if x.ndim == 3 and x.shape[axis] == 4:  # RGBA: Pillow keeps the alpha channel
        alpha = np.take(u8, [3], axis=axis).astype("float32")
        out = np.concatenate([np.take(out, [0, 1, 2], axis=axis), alpha], axis=axis)
    if not scale and outside:
        out = out / 255 * (x_max - x_min) + x_min
    return out


def flip_axis(x: np.ndarray, axis: int) -> np.ndarray:
    """Reverse ``x`` along ``axis`` (legacy helper)."""
    return np.flip(np.asarray(x), axis)


def transform_matrix_offset_center(matrix: np.ndarray, x: float, y: float) -> np.ndarray:
    """Keras 2 ``transform_matrix_offset_center``: ``matrix`` about the centre
    ``(x / 2 + 0.5, y / 2 + 0.5)`` (keras-preprocessing 1.1.2's convention; ``x`` and ``y``
    are the sizes of the first and second axes the matrix acts on)."""
    o_x, o_y = float(x) / 2 + 0.5, float(y) / 2 + 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return offset @ np.asarray(matrix) @ reset


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
    ``apply_brightness_shift``; tf.keras 2.9+ added it)."""
    if len(brightness_range) != 2:
        raise ValueError("`brightness_range should be tuple or list of two floats. "
                         f"Received: {brightness_range}")
    value = np.random.uniform(brightness_range[0], brightness_range[1])
    if scale:  # keras-preprocessing 1.1.2's call, which had no ``scale``
        return apply_brightness_shift(x, value)
    return apply_brightness_shift(x, value, scale)
