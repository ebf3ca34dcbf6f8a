"""``install()``: the legacy surface on Keras 3, reversibly.

``kfitcompat.install()`` sets every row of ``kfitcompat.surface.SURFACE`` (the legacy methods
of ``keras.Model`` from ``kfitcompat.training.model_methods``, the Keras 2 names, import paths
and arguments) and the refusals of ``kfitcompat.legacy.refusals``; ``uninstall()`` puts back
what it replaced and removes what it added. ``import kfitcompat`` alone patches nothing.
"""

from __future__ import annotations

from . import _tensorflow  # noqa: F401  (before Keras: one line saying what to install)

# isort: split

import threading
from typing import Any

__all__ = ["Installation", "install", "uninstall", "is_installed"]

# The state: empty (not installed), or what install_surface() and install_refusals() return
# to undo them ("surface", "refusals"). install() and uninstall() read and change it under one
# lock: two threads (a notebook and a background thread, two libraries) calling install() at
# once patch once, and uninstall() restores all of it.
_UNDO: dict[str, Any] = {}
_LOCK = threading.RLock()


class Installation:
    """What [`install`][kfitcompat.installer.install] returns: a context manager, so that
    ``with kfitcompat.install(): ...`` uninstalls on exit (what that call installed only).

    Attributes:
        changed: whether that call installed the surface (``False`` when it was already
            installed: leaving the ``with`` block then uninstalls nothing).
    """

    def __init__(self, changed: bool) -> None:
        self.changed = changed

    def __enter__(self) -> Installation:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.changed:
            uninstall()


def install() -> Installation:
    """Add the legacy methods to ``keras.Model`` (idempotent and thread-safe: of calls made
    at once, one patches and the others return; undo with
    [`uninstall`][kfitcompat.installer.uninstall]).

    Returns:
        An [`Installation`][kfitcompat.installer.Installation]; as a context manager it
        uninstalls on exit.
    """
    with _LOCK:
        if _UNDO:
            return Installation(changed=False)
        try:
            _patch()
        except BaseException:  # a failed install leaves nothing patched
            _restore()
            raise
        return Installation(changed=True)


def _patch() -> None:
    from . import _upstream  # noqa: F401  (captures Keras' originals before any row patches)
    from .legacy.refusals import install_refusals
    from .surface_install import install_surface

    _UNDO["surface"] = install_surface()
    _UNDO["refusals"] = install_refusals()


def uninstall() -> None:
    """Restore ``keras.Model`` and the legacy import paths as they were before
    [`install`][kfitcompat.installer.install] (idempotent and thread-safe)."""
    with _LOCK:
        _restore()


def _restore() -> None:
    surface = _UNDO.pop("surface", None)
    refusals = _UNDO.pop("refusals", None)
    if refusals is not None:
        from .legacy.refusals import uninstall_refusals

        uninstall_refusals(refusals)
    if surface is not None:
        from .surface_install import uninstall_surface

        uninstall_surface(surface)


def is_installed() -> bool:
    """Whether [`install`][kfitcompat.installer.install] is in effect."""
    with _LOCK:
        return bool(_UNDO)
