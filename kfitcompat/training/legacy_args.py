"""The legacy-argument table, re-exported for the training package.

The table itself lives in ``kfitcompat.legacy_table`` (no TensorFlow import), which the
runtime, ``kfitcompat check`` / ``migrate`` and the docs all read.
"""

from __future__ import annotations

from ..legacy_table import (
    EVALUATE,
    EVALUATE_GENERATOR,
    FIT,
    FIT_GENERATOR,
    LEGACY_ARGS,
    PREDICT,
    PREDICT_GENERATOR,
    LegacyArg,
    legacy_args_for,
)

__all__ = [
    "EVALUATE",
    "EVALUATE_GENERATOR",
    "FIT",
    "FIT_GENERATOR",
    "LEGACY_ARGS",
    "LegacyArg",
    "PREDICT",
    "PREDICT_GENERATOR",
    "legacy_args_for",
]
