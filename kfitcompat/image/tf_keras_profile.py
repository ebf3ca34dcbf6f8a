"""``tensorflow.keras.preprocessing.image`` as tf.keras 2.9+ (and ``tf_keras``) had it.

After ``kfitcompat.install``, ``from tensorflow.keras.preprocessing.image import
ImageDataGenerator`` (the import of every tf.keras 2.x tutorial) finds these names instead
of Keras 3's NumPy copy: kfitcompat's image API with ``profile="tf_keras"`` (tf.keras'
pixel centre and axis order, unscaled brightness, the SVD form of ZCA) and tf.keras'
defaults for the functional helpers (channels-first single images, ``scale=True``).
The iterators and file helpers are the same objects as in ``kfitcompat.image``: they
take their geometry from the generator they are given.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from . import affine_transformations as _legacy
from .affine_transformations import apply_affine_transform as _apply_affine_transform
from .affine_transformations import (
    apply_brightness_shift,
    apply_channel_shift,
    random_brightness,
    random_channel_shift,
)
from .files import DataFrameIterator, DirectoryIterator
from .generator import ImageDataGenerator as _ImageDataGenerator
from .io import array_to_img, img_to_array, load_img, save_img
from .iterators import Iterator, NumpyArrayIterator

__all__ = [
    "DataFrameIterator",
    "DirectoryIterator",
    "ImageDataGenerator",
    "Iterator",
    "NumpyArrayIterator",
    "apply_affine_transform",
    "apply_brightness_shift",
    "apply_channel_shift",
    "array_to_img",
    "img_to_array",
    "load_img",
    "random_brightness",
    "random_channel_shift",
    "random_rotation",
    "random_shear",
    "random_shift",
    "random_zoom",
    "save_img",
]

PROFILE = "tf_keras"


class ImageDataGenerator(_ImageDataGenerator):
    """tf.keras 2.9+ ``ImageDataGenerator``: ``kfitcompat.image.ImageDataGenerator``
    with ``profile="tf_keras"`` by default (the legacy name in ``tensorflow.keras``)."""

    def __init__(self, *args: Any, profile: str = PROFILE, **kwargs: Any) -> None:
        super().__init__(*args, profile=profile, **kwargs)  # type: ignore[misc]


_parent = inspect.signature(_ImageDataGenerator.__init__)
ImageDataGenerator.__init__.__signature__ = _parent.replace(  # type: ignore[attr-defined]
    parameters=[p.replace(default=PROFILE) if p.name == "profile" else p
                for p in _parent.parameters.values()])


def apply_affine_transform(x: np.ndarray, theta: float = 0, tx: float = 0, ty: float = 0,
                           shear: float = 0, zx: float = 1, zy: float = 1, row_axis: int = 1,
                           col_axis: int = 2, channel_axis: int = 0, fill_mode: str = "nearest",
                           cval: float = 0.0, order: int = 1) -> np.ndarray:
    """tf.keras 2.9+ ``apply_affine_transform`` (channels-first defaults, tf.keras geometry)."""
    return _apply_affine_transform(x, theta, tx, ty, shear, zx, zy, row_axis, col_axis,
                                   channel_axis, fill_mode, cval, order, geometry=PROFILE)


def _tf_geometry(func: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    @functools.wraps(func)
    def helper(*args: Any, **kwargs: Any) -> np.ndarray:
        return func(*args, geometry=PROFILE, **kwargs)

    signature = inspect.signature(func)
    helper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[p for p in signature.parameters.values() if p.name != "geometry"])
    return helper


random_rotation = _tf_geometry(_legacy.random_rotation)
random_shift = _tf_geometry(_legacy.random_shift)
random_shear = _tf_geometry(_legacy.random_shear)
random_zoom = _tf_geometry(_legacy.random_zoom)
