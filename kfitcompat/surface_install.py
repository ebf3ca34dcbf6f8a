"""Setting the rows of ``kfitcompat.surface.SURFACE`` on Keras, and taking them back.

``install_surface`` resolves each row's ``"module:attribute"`` target, captures what the
owner held (the original a ``wrap`` row's factory receives) and sets the row's object;
``uninstall_surface`` restores what was captured and removes what was added. A row whose
owner is one of Keras 3's private objects is found through ``kfitcompat._keras_private``.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

from .surface import ADD, ALIAS, MODULE, PRIVATE_OWNERS, REPLACE, SURFACE, WRAP, SurfaceRow

__all__ = ["SurfaceWarning", "install_surface", "legacy_surface", "owner", "owners",
           "uninstall_surface"]

_ABSENT = object()


class SurfaceWarning(RuntimeWarning):
    """Keras itself now has a name kfitcompat adds: the row should become ``replace``."""



def _resolve(target: str) -> Any:
    module, _, name = target.partition(":")
    if module == "kfitcompat.keras2.modules" and "." in name:
        from .keras2.modules import build_module

        return build_module(name)
    return getattr(importlib.import_module(module), name)


def owner(path: str) -> Any:
    """The module or Keras class a row's attribute lives on."""
    if path in PRIVATE_OWNERS:
        from . import _keras_private

        return getattr(_keras_private, PRIVATE_OWNERS[path])()
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for part in parts[i:]:
            found = getattr(found, part)
        return found
    raise ImportError(path)


def owners(path: str) -> list[Any]:
    """``owner(path)``, and for a ``tensorflow.keras.*`` module also the module of Keras 3's
    tf.keras 2 copy that may serve the same import (``_keras_private.tensorflow_keras_twin``)
    when it is another object: a row sets its name on both."""
    found = [owner(path)]
    from ._keras_private import tensorflow_keras_twin

    twin = tensorflow_keras_twin(path)
    if twin is not None and twin is not found[0]:
        found.append(twin)
    return found


def _value(row: SurfaceRow, previous: Any, where: Any) -> Any:
    if row.kind == WRAP:
        original = previous if previous is not _ABSENT else getattr(where, row.name)
        factory = _resolve(row.target)
        return factory(original, row.arg) if row.arg else factory(original)
    if row.arg:
        return _resolve(row.target)(row.arg)
    return _resolve(row.target)


def legacy_surface() -> list[tuple[str, str, Any]]:
    """(module path, attribute name, object) of every ``add``/``replace``/``alias`` row."""
    return [(row.module, row.name, _value(row, _ABSENT, None)) for row in SURFACE
            if row.kind in (ADD, REPLACE, ALIAS) and not row.arg]


def install_surface() -> list[tuple[Any, str, Any]]:
    """Set every row but the aliases; returns what ``uninstall_surface`` restores.
    A row that fails puts back the rows set before it: nothing is left half-installed."""
    saved: list[tuple[Any, str, Any]] = []
    try:
        _install_rows(saved)
    except BaseException:
        uninstall_surface(saved)
        raise
    return saved


def _install_rows(saved: list[tuple[Any, str, Any]]) -> None:
    import sys

    for row in SURFACE:
        if row.kind == ALIAS:
            continue
        where, *twins = owners(row.module)
        previous = where.__dict__.get(row.name, _ABSENT)
        path = f"{row.module}.{row.name}"
        present = path in sys.modules if row.kind == MODULE else hasattr(where, row.name)
        if row.kind == ADD and present or row.kind == MODULE and present:
            warnings.warn(f"{row.module}.{row.name} exists in this Keras; kfitcompat replaces "
                          "it with its legacy version (its surface table says it should be "
                          "absent)", SurfaceWarning, stacklevel=5)
        value = _value(row, previous, where)
        if row.kind == MODULE:  # Keras 1's merge() keeps the attribute keras.layers.merge
            saved.append((sys.modules, path, sys.modules.get(path, _ABSENT)))
            sys.modules[path] = value
            if hasattr(where, row.name):
                continue
        for each in (where, *twins):
            saved.append((each, row.name, each.__dict__.get(row.name, _ABSENT)))
            setattr(each, row.name, value)


def uninstall_surface(saved: list[tuple[Any, str, Any]]) -> None:
    """Put back what ``install_surface`` replaced, and remove what it added."""
    for where, name, previous in reversed(saved):
        if isinstance(where, dict):  # sys.modules
            if previous is _ABSENT:
                where.pop(name, None)
            else:
                where[name] = previous
        elif previous is _ABSENT:
            delattr(where, name)
        else:
            setattr(where, name, previous)
