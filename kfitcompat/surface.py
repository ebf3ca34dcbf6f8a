"""Legacy import paths: after ``install()``, ``from keras.utils import Sequence`` and
friends find kfitcompat's objects. A table of (module, name, object); reversible."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["legacy_surface", "install_surface", "uninstall_surface"]

_ABSENT = object()


def legacy_surface() -> list[tuple[str, str, Any]]:
    """(module path, attribute name, kfitcompat object) for every legacy name we provide."""
    from . import utils

    return [("keras.utils", name, getattr(utils, name)) for name in utils.LEGACY_UTILS]


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
