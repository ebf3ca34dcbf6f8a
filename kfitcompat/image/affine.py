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

from typing import Any

import numpy as np

__all__ = [
    "GEOMETRIES",
    "transform_matrix",
    "transform_matrices",
    "centered_matrix",
    "centered_matrices",
    "with_flips",
    "check_geometry",
    "check_fill_mode",
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
    """``geometry`` (ImageDataGenerator's ``profile``) must be one of ``GEOMETRIES``."""
    return _check_choice(name, geometry, GEOMETRIES)


def check_fill_mode(fill_mode: str) -> str:
    """``fill_mode`` must be constant, nearest, reflect or wrap."""
    return _check_choice("fill_mode", fill_mode, FILL_MODES)


def transform_matrices(theta: Any, tx: Any, ty: Any, shear: Any, zx: Any, zy: Any
                       ) -> np.ndarray:
    """``R(theta) . T(tx, ty) . Sh(shear) . Z(zx, zy)`` of each image (angles in degrees):
    a ``(B, 3, 3)`` stack from ``B`` values of each parameter. The one statement of the
    legacy product; a neutral factor is the identity, which multiplies exactly."""
    t, s = np.deg2rad(np.asarray(theta, float)), np.deg2rad(np.asarray(shear, float))
    n = len(t)
    eye = np.zeros((n, 3, 3))
    eye[:, 0, 0] = eye[:, 1, 1] = eye[:, 2, 2] = 1
    rot, shift, shear_m, zoom = eye.copy(), eye.copy(), eye.copy(), eye.copy()
    rot[:, 0, 0], rot[:, 0, 1], rot[:, 1, 0], rot[:, 1, 1] = (np.cos(t), -np.sin(t),
                                                              np.sin(t), np.cos(t))
    shift[:, 0, 2], shift[:, 1, 2] = tx, ty
    shear_m[:, 0, 1], shear_m[:, 1, 1] = -np.sin(s), np.cos(s)
    zoom[:, 0, 0], zoom[:, 1, 1] = zx, zy
    return rot @ shift @ shear_m @ zoom


def centered_matrices(matrices: np.ndarray, h: int, w: int,
                      geometry: str = "keras_preprocessing", swap_axes: bool = True
                      ) -> np.ndarray:
    """Move the origin of each ``(..., 3, 3)`` matrix to the image centre, per legacy
    ``geometry``.

    ``swap_axes``: for ``"tf_keras"``, whether the column axis comes after the row
    axis (always true for 3-D images in either data format).
    """
    half = 0.5 if geometry == "keras_preprocessing" else -0.5
    o_r, o_c = h / 2 + half, w / 2 + half
    offset = np.array([[1, 0, o_r], [0, 1, o_c], [0, 0, 1]])
    reset = np.array([[1, 0, -o_r], [0, 1, -o_c], [0, 0, 1]])
    m = offset @ matrices @ reset
    if geometry == "tf_keras" and swap_axes:
        m = m[..., [1, 0, 2]][..., [1, 0, 2], :]
    return m


def with_flips(matrices: np.ndarray, flip_horizontal: Any, flip_vertical: Any, h: int, w: int
               ) -> np.ndarray:
    """The centred ``(B, 3, 3)`` matrices followed by each image's flips (Keras 2 flips after
    the affine warp; folded in, one interpolation does both)."""
    m = matrices.copy()
    flip_h, flip_v = np.asarray(flip_horizontal, bool), np.asarray(flip_vertical, bool)
    m[flip_h] = m[flip_h] @ np.array([[1, 0, 0], [0, -1, w - 1], [0, 0, 1]], dtype=float)
    m[flip_v] = m[flip_v] @ np.array([[-1, 0, h - 1], [0, 1, 0], [0, 0, 1]], dtype=float)
    return m


def transform_matrix(theta: float = 0, tx: float = 0, ty: float = 0, shear: float = 0,
                     zx: float = 1, zy: float = 1) -> np.ndarray | None:
    """One image's ``transform_matrices``; None when all are neutral (no warp at all)."""
    if theta == 0 and tx == 0 and ty == 0 and shear == 0 and zx == 1 and zy == 1:
        return None
    return transform_matrices([theta], [tx], [ty], [shear], [zx], [zy])[0]


def centered_matrix(matrix: np.ndarray, h: int, w: int, geometry: str = "keras_preprocessing",
                    swap_axes: bool = True) -> np.ndarray:
    """One matrix's ``centered_matrices``."""
    return centered_matrices(matrix, h, w, geometry, swap_axes)
