"""Warnings that point at the user's line, not at kfitcompat's."""

from __future__ import annotations

import os
import sys
import warnings
from types import FrameType

__all__ = ["LegacyArgumentWarning", "warn_at_caller"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class LegacyArgumentWarning(UserWarning):
    """A Keras 1/2 spelling was translated; the message names the modern one.

    A ``UserWarning`` subclass, so ``-W error::UserWarning`` and
    ``warnings.simplefilter("ignore", LegacyArgumentWarning)`` both work.
    """


def _caller_stacklevel() -> int:
    """Stack level of the first frame outside the kfitcompat package."""
    frame: FrameType | None = sys._getframe(2)  # the caller of warn_at_caller's caller
    level = 2
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not filename.startswith(_PACKAGE_DIR + os.sep):
            return level
        frame = frame.f_back
        level += 1
    return level


def warn_at_caller(message: str, category: type[Warning] = LegacyArgumentWarning) -> None:
    """Warn once per user call site (Python's default filter) with ``category``."""
    warnings.warn(message, category, stacklevel=_caller_stacklevel())
