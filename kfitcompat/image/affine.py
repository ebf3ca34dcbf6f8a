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
