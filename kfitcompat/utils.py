"""Legacy ``keras.utils`` names (Keras 2) that Keras 3 dropped or changed.

After [`kfitcompat.install`][kfitcompat.installer.install], ``from keras.utils import X``
finds each name in ``LEGACY_UTILS``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _upstream
from ._warnings import warn_at_caller
from .data.enqueuers import GeneratorEnqueuer, OrderedEnqueuer, SequenceEnqueuer
from .data.sequence import Sequence
from .legacy.accepts import accepts

__all__ = [
    "GeneratorEnqueuer",
    "LEGACY_UTILS",
    "OrderedEnqueuer",
    "Sequence",
    "SequenceEnqueuer",
    "to_categorical",
]


def to_categorical(y: Any, num_classes: int | None = None, dtype: str = "float32", *,
                   nb_classes: int | None = None) -> np.ndarray:
    """Keras 2 ``to_categorical`` (float32, ``dtype=`` accepted); Keras 3 dropped ``dtype``.
    Keras 1's ``nb_classes=`` is ``num_classes``."""
    if nb_classes is not None:
        if num_classes is not None:
            raise TypeError("to_categorical() got both `num_classes` and Keras 1's "
                            "`nb_classes`: pass only `num_classes`.")
        num_classes = nb_classes
        warn_at_caller("`to_categorical(nb_classes=...)` is the Keras 1 spelling of "
                       "`num_classes`: translated. Update the call.")
    return np.asarray(_upstream.to_categorical(y, num_classes), dtype=dtype)


accepts(to_categorical, ("nb_classes",))


LEGACY_UTILS: tuple[str, ...] = (
    "Sequence", "SequenceEnqueuer", "OrderedEnqueuer", "GeneratorEnqueuer", "to_categorical",
)
