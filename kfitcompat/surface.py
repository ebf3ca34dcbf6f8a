"""The legacy import paths ``install()`` answers, as one table of data.

After ``install()``, ``from keras.preprocessing.image import ImageDataGenerator``,
``from keras.utils import to_categorical`` and ``from tensorflow.keras.preprocessing.image
import ImageDataGenerator`` find kfitcompat's objects. Each row of :data:`SURFACE` names the
module, the attribute, what kfitcompat puts there and its *kind*:

* ``add``: Keras 3 lacks the name. If a future Keras brings it back, ``install()`` warns
  (:class:`SurfaceWarning`) and still installs ours, and a test fails.
* ``replace``: Keras 3 has the name; ours wraps or subclasses the captured original
  (:mod:`kfitcompat._upstream`), and Keras 3's own class keeps its identity and
  ``isinstance`` relations.
* ``alias``: Keras 3's own object already behaves as the legacy one; nothing is set, and a
  test checks the identity.

The table imports neither TensorFlow nor Keras; targets are ``"module:attribute"`` strings
resolved at install time. Everything set is restored by ``uninstall()``.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any, NamedTuple

__all__ = [
    "ADD",
    "ALIAS",
    "LEGACY_IMAGE_NAMES",
    "REPLACE",
    "SURFACE",
    "SurfaceRow",
    "SurfaceWarning",
    "install_surface",
    "legacy_surface",
    "uninstall_surface",
]

ADD, REPLACE, ALIAS = "add", "replace", "alias"

_ABSENT = object()


class SurfaceWarning(RuntimeWarning):
    """Keras itself now has a name kfitcompat adds: the row should become ``replace``."""


class SurfaceRow(NamedTuple):
    module: str     # the legacy import path, e.g. "keras.preprocessing.image"
    name: str       # the attribute
    kind: str       # ADD, REPLACE or ALIAS
    target: str     # "kfitcompat module:attribute" (ALIAS: the Keras object it must be)
    note: str = ""


# keras-preprocessing 1.1.2's public image names (Keras 2.2.4 / 2.3.1 keras.preprocessing.image,
# tf.keras <= 2.8). Keras 3's keras.preprocessing.image keeps load_img, img_to_array,
# array_to_img and save_img.
LEGACY_IMAGE_NAMES: tuple[str, ...] = (
    "ImageDataGenerator", "Iterator", "NumpyArrayIterator", "DirectoryIterator",
    "DataFrameIterator", "apply_affine_transform", "apply_brightness_shift",
    "apply_channel_shift", "flip_axis", "random_rotation", "random_shift", "random_shear",
    "random_zoom", "random_channel_shift", "random_brightness", "transform_matrix_offset_center",
    "array_to_img", "img_to_array", "load_img", "save_img", "list_pictures",
    "validate_filename",
)
_KERAS3_IMAGE = {"array_to_img", "img_to_array", "save_img"}

# tf.keras 2.9+ (and tf_keras): Keras 3 answers tensorflow.keras.preprocessing.image with its own
# legacy NumPy copy; after install() it is ours with profile="tf_keras".
_TF_KERAS_IMAGE_NAMES: tuple[str, ...] = (
    "ImageDataGenerator", "Iterator", "NumpyArrayIterator", "DirectoryIterator",
    "DataFrameIterator", "apply_affine_transform", "apply_brightness_shift",
    "apply_channel_shift", "random_rotation", "random_shift", "random_shear", "random_zoom",
    "random_channel_shift", "random_brightness", "load_img",
)
_TF_KERAS_ABSENT = {"DataFrameIterator"}  # tf.keras 2.9+ had it; Keras 3's copy has not


def _image_rows() -> list[SurfaceRow]:
    rows = []
    for name in LEGACY_IMAGE_NAMES:
        if name in _KERAS3_IMAGE:
            rows.append(SurfaceRow("keras.preprocessing.image", name, ALIAS,
                                   f"keras.utils:{name}", "Keras 3's own function"))
        elif name == "load_img":
            rows.append(SurfaceRow("keras.preprocessing.image", name, REPLACE,
                                   "kfitcompat.image:load_img",
                                   "adds grayscale=; names the file it cannot read"))
        else:
            rows.append(SurfaceRow("keras.preprocessing.image", name, ADD,
                                   f"kfitcompat.image:{name}"))
    for name in _TF_KERAS_IMAGE_NAMES:
        kind = ADD if name in _TF_KERAS_ABSENT else REPLACE
        rows.append(SurfaceRow("tensorflow.keras.preprocessing.image", name, kind,
                               f"kfitcompat.image.tf_keras_profile:{name}",
                               "tf.keras 2.9+ semantics (profile='tf_keras')"))
    return rows


SURFACE: tuple[SurfaceRow, ...] = (
    SurfaceRow("keras.utils", "Sequence", REPLACE, "kfitcompat.data.sequence:Sequence",
               "a PyDataset subclass; isinstance(PyDataset(), keras.utils.Sequence) holds"),
    SurfaceRow("keras.utils", "SequenceEnqueuer", ADD, "kfitcompat.utils:SequenceEnqueuer"),
    SurfaceRow("keras.utils", "OrderedEnqueuer", ADD, "kfitcompat.utils:OrderedEnqueuer"),
    SurfaceRow("keras.utils", "GeneratorEnqueuer", ADD, "kfitcompat.utils:GeneratorEnqueuer"),
    SurfaceRow("keras.utils", "to_categorical", REPLACE, "kfitcompat.utils:to_categorical",
               "Keras 2's dtype= argument and float32 output"),
    *_image_rows(),
)


def _resolve(target: str) -> Any:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def legacy_surface() -> list[tuple[str, str, Any]]:
    """(module path, attribute name, object) for every legacy name after ``install()``."""
    return [(row.module, row.name, _resolve(row.target)) for row in SURFACE]


def install_surface() -> list[tuple[Any, str, Any]]:
    """Set the ``add`` and ``replace`` rows; returns what :func:`uninstall_surface` restores."""
    saved = []
    for row in SURFACE:
        if row.kind == ALIAS:
            continue
        module = importlib.import_module(row.module)
        previous = module.__dict__.get(row.name, _ABSENT)
        if row.kind == ADD and previous is not _ABSENT:
            warnings.warn(f"{row.module}.{row.name} exists in this Keras; kfitcompat replaces "
                          "it with its legacy version (its surface table says it should be "
                          "absent)", SurfaceWarning, stacklevel=3)
        saved.append((module, row.name, previous))
        setattr(module, row.name, _resolve(row.target))
    return saved


def uninstall_surface(saved: list[tuple[Any, str, Any]]) -> None:
    """Put back what :func:`install_surface` replaced, and remove what it added."""
    for module, name, previous in reversed(saved):
        if previous is _ABSENT:
            module.__dict__.pop(name, None)
        else:
            setattr(module, name, previous)
