"""The Keras objects kfitcompat wraps or delegates to, captured once before anything is patched.

``kfitcompat.install`` replaces names such as ``keras.utils.to_categorical`` and
``keras.preprocessing.image.load_img`` with kfitcompat's legacy versions, which call the
Keras 3 originals. Implementation code must reach those originals through this module, never
through the public names (``keras.utils.to_categorical(...)`` after ``install()`` would call
kfitcompat's wrapper, i.e. itself). This module is imported by every module that delegates,
so it runs before ``install()`` can have patched anything.
"""

from __future__ import annotations

from . import _tensorflow  # noqa: F401  (before Keras: one line saying what to install)

# isort: split

from typing import Any

import keras

__all__ = [
    "PyDataset",
    "array_to_img",
    "img_to_array",
    "load_img",
    "model_evaluate",
    "model_fit",
    "model_predict",
    "save_img",
    "to_categorical",
    "original",
]

PyDataset = keras.utils.PyDataset
to_categorical = keras.utils.to_categorical
load_img = keras.utils.load_img
img_to_array = keras.utils.img_to_array
array_to_img = keras.utils.array_to_img
save_img = keras.utils.save_img
#: ``keras.Model.fit`` / ``evaluate`` / ``predict`` before ``install()`` wraps them: the legacy
#: entry points train and predict through these (Keras 2's ``fit_generator`` did not go
#: through a subclass's ``fit`` either)
model_fit = keras.Model.fit
model_evaluate = keras.Model.evaluate
model_predict = keras.Model.predict

_CAPTURED: dict[tuple[str, str], Any] = {
    ("keras.utils", "PyDataset"): PyDataset,
    ("keras.utils", "Sequence"): keras.utils.Sequence,
    ("keras.utils", "to_categorical"): to_categorical,
    ("keras.utils", "load_img"): load_img,
    ("keras.utils", "img_to_array"): img_to_array,
    ("keras.utils", "array_to_img"): array_to_img,
    ("keras.utils", "save_img"): save_img,
    # Keras 3's lookups install() wraps for Keras 2 names ('maxnorm', 'activity_l2', 'mse')
    ("keras.constraints", "get"): keras.constraints.get,
    ("keras.regularizers", "get"): keras.regularizers.get,
    ("keras.losses", "get"): keras.losses.get,
}


def original(module: str, name: str) -> Any:
    """The Keras 3 object ``module.name`` as it was before ``kfitcompat.install``."""
    try:
        return _CAPTURED[(module, name)]
    except KeyError:
        raise KeyError(f"kfitcompat did not capture {module}.{name}") from None
