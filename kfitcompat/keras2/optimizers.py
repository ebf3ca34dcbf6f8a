"""Keras 2 optimizers on Keras 3: ``SGD(lr=0.01, decay=1e-6)``, ``optimizer.lr``, ``rmsprop``.

After :func:`kfitcompat.install`:

* ``lr=`` (Keras 2; modern: ``learning_rate=``) is accepted by every Keras 3 optimizer;
* ``decay=d`` keeps Keras 2's meaning, ``lr_t = lr / (1 + d * iterations)`` (modern:
  ``learning_rate=keras.optimizers.schedules.InverseTimeDecay(lr, 1, d)``); Keras 3 ignores
  ``decay`` with a warning, so training differed silently;
* ``optimizer.lr`` reads and assigns ``optimizer.learning_rate``;
* the Keras 2 lower-case names ``keras.optimizers.sgd``, ``rmsprop``, ``adam``, ... exist.

Valid Keras 3 code never passes ``lr`` or ``decay`` (one is an error, the other ignored), so
its meaning is unchanged.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .._warnings import warn_at_caller

__all__ = ["LOWER_CASE_NAMES", "optimizer_init", "lr_property"]

#: Keras 2.2.4 ``keras.optimizers``: lower-case aliases of the classes.
LOWER_CASE_NAMES = {"sgd": "SGD", "rmsprop": "RMSprop", "adagrad": "Adagrad",
                    "adadelta": "Adadelta", "adam": "Adam", "adamax": "Adamax", "nadam": "Nadam"}


def _keras2_learning_rate(kwargs: dict[str, Any]) -> None:
    """Turn ``lr`` / ``decay`` in ``kwargs`` into Keras 3's ``learning_rate``, in place."""
    import keras

    if "lr" in kwargs:
        kwargs["learning_rate"] = kwargs.pop("lr")
        warn_at_caller("`lr` is the Keras 2 spelling of `learning_rate`: translated. Update "
                       "the call to `learning_rate=`.", through_keras=True)
    decay = kwargs.pop("decay", None)
    if decay:
        rate = kwargs.get("learning_rate", 0.001)
        kwargs["learning_rate"] = keras.optimizers.schedules.InverseTimeDecay(
            rate, decay_steps=1, decay_rate=float(decay))
        warn_at_caller(
            f"`decay={decay}` (Keras 2: lr / (1 + decay * iterations)) became "
            f"`learning_rate=keras.optimizers.schedules.InverseTimeDecay({rate}, "
            f"decay_steps=1, decay_rate={decay})`; Keras 3 alone ignores `decay`.",
            through_keras=True)


def optimizer_init(original: Callable[..., None]) -> Callable[..., None]:
    """``Optimizer.__init__`` that accepts Keras 2's ``lr`` and ``decay``."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if "lr" in kwargs or "decay" in kwargs:
            _keras2_learning_rate(kwargs)
        original(self, *args, **kwargs)

    # Keras reads the layer's constructor arguments from the signature
    __init__.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    return __init__


def _get_lr(self: Any) -> Any:
    return self.learning_rate  # the variable itself, so K.set_value(opt.lr, x) assigns it


def _set_lr(self: Any, value: Any) -> None:
    self.learning_rate = value


lr_property = property(_get_lr, _set_lr, doc="Keras 2 ``optimizer.lr``: the learning rate "
                       "variable (modern: ``optimizer.learning_rate``).")
