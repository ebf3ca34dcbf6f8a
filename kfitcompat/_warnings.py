"""Warnings that point at the user's line, not at kfitcompat's."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
import warnings
from collections.abc import Iterator
from types import FrameType

__all__ = ["LegacyArgumentWarning", "called_from_installed_package", "silenced",
           "warn_at_caller"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_SKIPPED = (_PACKAGE_DIR + os.sep,)


def _keras_dirs() -> tuple[str, ...]:
    """The folders of Keras and TensorFlow (their frames sit between a user's call and a
    patched ``__init__``)."""
    dirs = []
    for name in ("keras", "tensorflow"):
        module = sys.modules.get(name)
        path = getattr(module, "__file__", None)
        if path:
            dirs.append(os.path.dirname(os.path.abspath(path)) + os.sep)
    return tuple(dirs)


class LegacyArgumentWarning(UserWarning):
    """A Keras 1/2 spelling was translated; the message names the modern one.

    A ``UserWarning`` subclass, so ``-W error::UserWarning`` and
    ``warnings.simplefilter("ignore", LegacyArgumentWarning)`` both work.
    """


def _caller_stacklevel(skip: tuple[str, ...]) -> int:
    """Stack level of the first frame outside the kfitcompat package (and ``skip``)."""
    frame: FrameType | None = sys._getframe(2)  # the caller of warn_at_caller's caller
    level = 2
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not filename.startswith(skip):
            return level
        frame = frame.f_back
        level += 1
    return level


def _installed_dirs() -> tuple[str, ...]:
    """The folders installed packages live in (site-packages, the standard library)."""
    import site
    import sysconfig

    dirs = {sysconfig.get_paths()[key] for key in ("purelib", "platlib", "stdlib")}
    dirs.update(getattr(site, "getsitepackages", list)())
    user = getattr(site, "getusersitepackages", lambda: "")()
    if user:
        dirs.add(user)
    return tuple(os.path.abspath(d) + os.sep for d in dirs if d)


def called_from_installed_package() -> bool:
    """Whether the code that made the call kfitcompat is handling (the first frame outside
    kfitcompat) is Keras itself or another installed package rather than a script, a notebook
    or a project's own modules: installed packages are taken to be written for the Keras they
    run on."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not filename.startswith(_SKIPPED):
            return filename.startswith(_keras_dirs() + _installed_dirs())
        frame = frame.f_back
    return False


def warn_at_caller(message: str, category: type[Warning] = LegacyArgumentWarning,
                   through_keras: bool = False) -> None:
    """Warn once per user call site (Python's default filter) with ``category``;
    ``through_keras``: also skip Keras' own frames (a patched Keras ``__init__``)."""
    skip = _SKIPPED + (_keras_dirs() if through_keras else ())
    warnings.warn(message, category, stacklevel=_caller_stacklevel(skip))


_SILENCED_LOCK = threading.Lock()
_SILENCED: dict[str, tuple[tuple, int]] = {}  # message pattern -> (its filter, calls using it)


@contextlib.contextmanager
def silenced(message: str) -> Iterator[None]:
    """Ignore warnings whose text starts with ``message`` while any call inside this
    context runs, in any thread; afterwards ``warnings.filters`` is as the others left it.

    ``warnings.catch_warnings()`` saves and restores the whole filter list, which is
    process-global: two calls in two threads restore each other's copies and leave an
    "ignore" behind. Here the calls share one filter entry, counted, removed by the last.
    """
    with _SILENCED_LOCK:
        entry, users = _SILENCED.get(message, ((), 0))
        if not users:
            entry = ("ignore", re.compile(message, re.I), Warning, None, 0)
            warnings.filters.insert(0, entry)  # type: ignore[attr-defined]
            _filters_changed()
        _SILENCED[message] = (entry, users + 1)
    try:
        yield
    finally:
        with _SILENCED_LOCK:
            entry, users = _SILENCED.pop(message)
            if users > 1:
                _SILENCED[message] = (entry, users - 1)
            else:
                with contextlib.suppress(ValueError):  # the user may have reset the filters
                    warnings.filters.remove(entry)  # type: ignore[attr-defined]
                _filters_changed()


def _filters_changed() -> None:
    """Tell ``warnings`` its filter list changed (what ``filterwarnings`` does itself)."""
    changed = getattr(warnings, "_filters_mutated", None)
    if changed is not None:
        changed()
