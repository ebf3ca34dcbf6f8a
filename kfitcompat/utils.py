"""Legacy ``keras.utils`` names (Keras 2) that kfitcompat provides."""

from __future__ import annotations

from .data.sequence import Sequence

__all__ = ["Sequence", "LEGACY_UTILS"]

LEGACY_UTILS: tuple[str, ...] = ("Sequence",)
