"""Pure NumPy/SciPy image transforms: parameters -> one matrix -> one warp.

The reference implementation of ImageDataGenerator's geometry. Two legacy
geometries differ pixel for pixel (``../docs/image.md``):

* ``"keras_preprocessing"`` (default): keras-preprocessing 1.1.2 / Keras 2.2.4,
  centre ``h/2 + 0.5``; ``tx`` (drawn from ``height_shift_range``) moves rows.
* ``"tf_keras"``: tf.keras 2.9-2.15, ``tf_keras`` and Keras 3's legacy copy:
  true centre ``h/2 - 0.5`` and the row/column swap, so ``tx`` moves columns.

The matrix maps *output* pixel coordinates to *input* coordinates (row, col),
as ``scipy.ndimage.affine_transform`` expects.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "GEOMETRIES",
    "transform_matrix",
    "centered_matrix",
    "apply_affine_transform",
    "apply_channel_shift",
    "apply_brightness_shift",
    "flip_axis",
    "check_geometry",
    "check_fill_mode",
    "transform_matrix_offset_center",
]

GEOMETRIES = ("keras_preprocessing", "tf_keras")
FILL_MODES = ("constant", "nearest", "reflect", "wrap")


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(
            f"Invalid value for argument `{name}`. Expected one of {choices}. "
            f"Received: {name}={value!r}"
        )
    return value


def check_geometry(geometry: str, name: str = "geometry") -> str:
    """``geometry`` (ImageDataGenerator's ``profile``) must be one of :data:`GEOMETRIES`."""
    return _check_choice(name, geometry, GEOMETRIES)


def check_fill_mode(fill_mode: str) -> str:
    """``fill_mode`` must be constant, nearest, reflect or wrap."""
    return _check_choice("fill_mode", fill_mode, FILL_MODES)


def transform_matrix(theta: float = 0, tx: float = 0, ty: float = 0, shear: float = 0,
                     zx: float = 1, zy: float = 1) -> np.ndarray | None:
    """``R(theta) . T(tx, ty) . Sh(shear) . Z(zx, zy)`` (degrees); None when all are neutral."""
    m: np.ndarray | None = None

    def compose(a: np.ndarray | None, b: np.ndarray) -> np.ndarray:
        return b if a is None else a @ b

    if theta != 0:
        t = np.deg2rad(theta)
        m = compose(m, np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0],
                                 [0, 0, 1]]))
    if tx != 0 or ty != 0:
        m = compose(m, np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]], dtype=float))
    if shear != 0:
        s = np.deg2rad(shear)
        m = compose(m, np.array([[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]]))
    if zx != 1 or zy != 1:
        m = compose(m, np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]], dtype=float))
    return m


def centered_matrix(matrix: np.ndarray, h: int, w: int, geometry: str = "keras_preprocessing",
                    swap_axes: bool = True) -> np.ndarray:
    """Move the origin of ``matrix`` to the image centre, per legacy ``geometry``.

    ``swap_axes``: for ``"tf_keras"``, whether the column axis comes after the row
    axis (always true for 3-D images in either data format).
    """
    half = 0.5 if geometry == "keras_preprocessing" else -0.5
    o_r, o_c = h / 2 + half, w / 2 + half
    offset = np.array([[1, 0, o_r], [0, 1, o_c], [0, 0, 1]])
    reset = np.array([[1, 0, -o_r], [0, 1, -o_c], [0, 0, 1]])
    m = offset @ matrix @ reset
    if geometry == "tf_keras" and swap_axes:
        m = m[:, [1, 0, 2]][[1, 0, 2]]
    return m


def apply_affine_transform(
    x: np.ndarray, theta: float = 0, tx: float = 0, ty: float = 0, shear: float = 0,
    zx: float = 1, zy: float = 1, row_axis: int = 0, col_axis: int = 1, channel_axis: int = 2,
    fill_mode: str = "nearest", cval: float = 0.0, order: int = 1,
    geometry: str = "keras_preprocessing",
) -> np.ndarray:
    """Legacy ``apply_affine_transform``: rotate, shift, shear and zoom one image at once."""
    from scipy import ndimage

    m = transform_matrix(theta, tx, ty, shear, zx, zy)
    if m is None:
        return x
    h, w = x.shape[row_axis], x.shape[col_axis]
    m = centered_matrix(m, h, w, check_geometry(geometry), swap_axes=col_axis > row_axis)
    channels = np.moveaxis(x, channel_axis, 0)
    out = np.stack([
        ndimage.affine_transform(c, m[:2, :2], m[:2, 2], order=order,
                                 mode=check_fill_mode(fill_mode), cval=cval)
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
    from PIL import Image, ImageEnhance

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
