"""Legacy import paths: after ``install()``, ``from keras.preprocessing.image import X`` and
``from keras.utils import Y`` find kfitcompat's objects. A table of (module, name, object);
reversible."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["LEGACY_IMAGE_NAMES", "legacy_surface", "install_surface", "uninstall_surface"]

_ABSENT = object()

# The public names of Keras 2.2.4's keras.preprocessing.image (keras-preprocessing 1.1.2).
LEGACY_IMAGE_NAMES: tuple[str, ...] = (
    "ImageDataGenerator", "Iterator", "NumpyArrayIterator", "DirectoryIterator",
    "DataFrameIterator", "apply_affine_transform", "apply_brightness_shift",
    "apply_channel_shift", "flip_axis", "random_rotation", "random_shift", "random_shear",
    "random_zoom", "random_channel_shift", "random_brightness", "array_to_img", "img_to_array",
    "load_img", "save_img", "list_pictures",
)


def legacy_surface() -> list[tuple[str, str, Any]]:
    """(module path, attribute name, kfitcompat object) for every legacy name provided."""
    from . import image, utils

    rows = [("keras.utils", name, getattr(utils, name)) for name in utils.LEGACY_UTILS]
    rows += [("keras.preprocessing.image", name, getattr(image, name))
             for name in LEGACY_IMAGE_NAMES]
    return rows


def install_surface() -> list[tuple[Any, str, Any]]:
    """Set the legacy names; returns what to restore."""
    saved = []
    for module_path, name, obj in legacy_surface():
        module = importlib.import_module(module_path)
        saved.append((module, name, module.__dict__.get(name, _ABSENT)))
        setattr(module, name, obj)
    return saved


def uninstall_surface(saved: list[tuple[Any, str, Any]]) -> None:
    for module, name, previous in reversed(saved):
        if previous is _ABSENT:
            module.__dict__.pop(name, None)
        else:
            setattr(module, name, previous)
