"""``keras.preprocessing.image``, Keras 2 edition: ImageDataGenerator and its helpers."""

from .. import _tensorflow  # noqa: F401  (a clear error without TensorFlow)
from .affine_transformations import (
    apply_affine_transform,
    apply_brightness_shift,
    apply_channel_shift,
    flip_axis,
    random_brightness,
    random_channel_shift,
    random_rotation,
    random_shear,
    random_shift,
    random_zoom,
    transform_matrix_offset_center,
)
from .files import DataFrameIterator, DirectoryIterator
from .generator import ImageDataGenerator
from .io import (
    CorruptImageError,
    array_to_img,
    img_to_array,
    list_pictures,
    load_img,
    save_img,
    validate_filename,
)
from .iterators import Iterator, NumpyArrayIterator

__all__ = [
    "CorruptImageError",
    "DataFrameIterator",
    "DirectoryIterator",
    "ImageDataGenerator",
    "Iterator",
    "NumpyArrayIterator",
    "apply_affine_transform",
    "apply_brightness_shift",
    "apply_channel_shift",
    "array_to_img",
    "flip_axis",
    "img_to_array",
    "list_pictures",
    "load_img",
    "random_brightness",
    "random_channel_shift",
    "random_rotation",
    "random_shear",
    "random_shift",
    "random_zoom",
    "save_img",
    "transform_matrix_offset_center",
    "validate_filename",
]
