"""Keras 2's loss names where Keras 3 no longer reads them: ``'mse'`` in a saved ``.h5``.

Keras 2 (``keras/losses.py``) defined ``mse``, ``mae``, ``mape``, ``msle``, ``kld`` (and the
upper-case spellings) as aliases and ``kullback_leibler_divergence`` as a name. Keras 3's
``compile(loss='mse')`` still takes them, but ``keras.losses.deserialize('mse')`` does not,
and that is what ``load_model('model.h5')`` calls on the training config of a model compiled
with ``loss='mse'``, whether Keras 2, tf_keras or Keras 3 saved it (Keras 3 alone cannot load
its own ``.h5``). After ``kfitcompat.install`` both read these names, and
``from keras.losses import mse`` (or ``keras.metrics``) imports them again; every name Keras 3
accepts is passed through unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .constraints import keras2_names

__all__ = ["KERAS2_LOSS_NAMES", "Reduction", "losses_deserialize", "losses_get",
           "metric_update_state"]

#: Keras 2 name -> Keras 3 function name.
KERAS2_LOSS_NAMES = {
    **{alias: name for short, name in (
        ("mse", "mean_squared_error"), ("mae", "mean_absolute_error"),
        ("mape", "mean_absolute_percentage_error"),
        ("msle", "mean_squared_logarithmic_error"), ("kld", "kl_divergence"))
       for alias in (short, short.upper())},
    "kullback_leibler_divergence": "kl_divergence",
    "cosine_proximity": "cosine_similarity",
    "cosine": "cosine_similarity",  # Keras 2's cosine_proximity: the negative cosine, as this
    "logcosh": "log_cosh",
}


class Reduction:
    """Keras 2.3 ``keras.utils.losses_utils.Reduction`` and tf.keras 2's
    ``keras.losses.Reduction``: names for a loss's ``reduction=``; modern: the strings
    themselves (``reduction="none"``, ``"sum"``, ``"sum_over_batch_size"``), which these
    constants are."""

    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"
    AUTO = "sum_over_batch_size"  # tf.keras 2: the loss's default, sum over batch size

    @classmethod
    def all(cls) -> tuple[str, ...]:
        return (cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key: str) -> None:
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key!r}: expected one of {cls.all()}.")


def losses_deserialize(original: Callable[..., Any]) -> Callable[..., Any]:
    """``keras.losses.deserialize`` that reads Keras 2's names (``'mse'``), silently: it
    reads them from saved files, Keras 3's own ``.h5`` included."""
    return keras2_names(original, KERAS2_LOSS_NAMES)


def losses_get(original: Callable[..., Any]) -> Callable[..., Any]:
    """``keras.losses.get`` that reads ``'kullback_leibler_divergence'`` (Keras 3's ``get``
    already takes ``'mse'`` and the other short names: they pass through untouched)."""
    return keras2_names(original, _GET_ONLY, "loss")


_GET_ONLY = {"kullback_leibler_divergence": "kl_divergence"}


def metric_update_state(original: Callable[..., Any]) -> Callable[..., Any]:
    """``MeanMetricWrapper.update_state`` (the metrics of a loss function: ``LogCoshError``,
    ``Poisson``, ``MeanSquaredError``, ...) that computes integer or boolean predictions in
    the metric's float dtype, as Keras 2.3's (and tf.keras 2's) cast both inputs; Keras 3
    computes in the predictions' dtype, and fails (``LogCoshError``, ``Poisson``) or rounds
    on integers. Float predictions are passed on untouched."""
    import functools

    import keras

    @functools.wraps(original)
    def update_state(self: Any, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        dtype = keras.backend.standardize_dtype(getattr(y_pred, "dtype", None) or "float32")
        if dtype == "bool" or "int" in dtype:
            y_true = keras.ops.cast(y_true, self.dtype)
            y_pred = keras.ops.cast(y_pred, self.dtype)
        return original(self, y_true, y_pred, sample_weight=sample_weight)

    return update_state
