"""Small Keras 2 names on Keras 3 classes and in ``keras.utils``:
``Metric.reset_states()`` / ``weights``, ``Callback.validation_data``,
``keras.utils.print_summary``, ``keras.utils.multi_gpu_model``, ``layer_utils.count_params``.
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["count_params", "metric_reset_states", "metric_stateful", "metric_weights",
           "model_from_yaml", "multi_gpu_model", "print_summary", "to_yaml", "validation_data"]


def metric_reset_states(self: Any) -> None:
    """Keras 2.3 ``metric.reset_states()``; modern: ``metric.reset_state()``."""
    self.reset_state()


def _metric_weights(self: Any) -> list[Any]:
    """Keras 2.3 ``metric.weights`` (a metric was a layer); modern: ``metric.variables``."""
    return list(self.variables)


metric_weights = property(_metric_weights)

#: Keras 2.3 ``metric.stateful``: every ``keras.metrics.Metric`` kept state across batches.
metric_stateful = True

#: Keras 2 ``callback.validation_data``: None until a training call with array validation
#: data sets it (``kfitcompat.keras2.callbacks.give_validation_data``).
validation_data = None


def print_summary(model: Any, line_length: int | None = None, positions: Any = None,
                  print_fn: Any = None) -> None:
    """Keras 2 ``keras.utils.print_summary(model)``; modern: ``model.summary()``."""
    model.summary(line_length=line_length, positions=positions, print_fn=print_fn)


def count_params(weights: Any) -> int:
    """Keras 2 ``layer_utils.count_params(weights)``: the number of scalars in ``weights``."""
    import numpy as np

    return int(sum(np.prod(w.shape) for w in weights))


def multi_gpu_model(model: Any, gpus: Any = None, cpu_merge: bool = True,
                    cpu_relocation: bool = False) -> Any:
    """Keras 2 ``multi_gpu_model(model, gpus)``: a model that split each batch across GPUs.
    Keras 3 does that with ``tf.distribute.MirroredStrategy`` around model building; here the
    model itself is returned (one device, the same results), with a warning."""
    warnings.warn("`multi_gpu_model` is Keras 2: the model is used as it is, on one device. "
                  "For several GPUs build and compile it under "
                  "`tf.distribute.MirroredStrategy().scope()`.", UserWarning, stacklevel=2)
    return model


_YAML = ("YAML model configs were removed from tf.keras 2.6 and Keras 3 for the risk of "
         "arbitrary code execution: use model.to_json() / keras.models.model_from_json()")


def model_from_yaml(yaml_string: Any, custom_objects: Any = None) -> Any:
    """Keras 2 ``model_from_yaml``: importable, and raising as tf.keras 2.6+ did when called;
    modern: ``keras.models.model_from_json``."""
    raise RuntimeError(f"`model_from_yaml()`: {_YAML}.")


def to_yaml(self: Any, **kwargs: Any) -> Any:
    """Keras 2 ``model.to_yaml()``: raises as tf.keras 2.6+ did; modern: ``model.to_json()``."""
    raise RuntimeError(f"`model.to_yaml()`: {_YAML}.")


# Refused rows that stay importable (as tf.keras kept them): the API table counts them refused
model_from_yaml.__kfitcompat_refusal__ = _YAML  # type: ignore[attr-defined]
to_yaml.__kfitcompat_refusal__ = _YAML  # type: ignore[attr-defined]
