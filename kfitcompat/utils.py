"""Legacy ``keras.utils`` names (Keras 2) that Keras 3 dropped or changed.

After [`kfitcompat.install`][kfitcompat.installer.install], ``from keras.utils import X``
finds each name in ``LEGACY_UTILS``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _upstream
from .data.enqueuers import GeneratorEnqueuer, OrderedEnqueuer, SequenceEnqueuer
from .data.sequence import Sequence

__all__ = [
    "GeneratorEnqueuer",
    "LEGACY_UTILS",
    "OrderedEnqueuer",
    "Sequence",
    "SequenceEnqueuer",
    "to_categorical",
]


def to_categorical(y: Any, num_classes: int | None = None, dtype: str = "float32") -> np.ndarray:
    """Keras 2 ``to_categorical`` (float32, ``dtype=`` accepted); Keras 3 dropped ``dtype``."""
    return np.asarray(_upstream.to_categorical(y, num_classes), dtype=dtype)


LEGACY_UTILS: tuple[str, ...] = (
    "Sequence", "SequenceEnqueuer", "OrderedEnqueuer", "GeneratorEnqueuer", "to_categorical",
)
