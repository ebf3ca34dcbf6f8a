"""Keras 2 optimizers on Keras 3: ``SGD(lr=0.01, decay=1e-6)``, ``optimizer.lr``, ``rmsprop``.

After ``kfitcompat.install``:

* ``lr=`` (Keras 2; modern: ``learning_rate=``) is accepted by every Keras 3 optimizer;
* ``decay=d`` keeps Keras 2's meaning, ``lr_t = lr / (1 + d * iterations)`` (modern:
  ``learning_rate=keras.optimizers.schedules.InverseTimeDecay(lr, 1, d)``); Keras 3 ignores
  ``decay`` with a warning, so training differed silently;
* ``optimizer.lr`` reads and assigns ``optimizer.learning_rate``;
* ``epsilon=None`` (Keras 2.2's documented signatures, ``Adam(..., epsilon=None)``) means
  ``K.epsilon()``, 1e-7 (Keras 3 refuses None);
* the Keras 2 lower-case names ``keras.optimizers.sgd``, ``rmsprop``, ``adam``, ... exist.

Valid Keras 3 code never passes ``lr`` or ``decay`` (one is an error, the other ignored), so
its meaning is unchanged.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .._warnings import warn_at_caller
from ..legacy.accepts import accepts

__all__ = ["EPSILON_CLASSES", "KERAS2_DEFAULT_LR", "KERAS2_SLOTS", "KERAS3_DEFAULT_LR",
           "LOWER_CASE_NAMES", "REMOVED_OPTIMIZER_KEYS", "epsilon_init", "optimizer_init",
           "lr_property"]

#: Keras 2.2.4 ``keras.optimizers``: lower-case aliases of the classes.
LOWER_CASE_NAMES = {"sgd": "SGD", "rmsprop": "RMSprop", "adagrad": "Adagrad",
                    "adadelta": "Adadelta", "adam": "Adam", "adamax": "Adamax", "nadam": "Nadam"}


#: Keras 2.2.4's default learning rates: a call with ``decay=`` (Keras 2 only) and no rate
#: meant these (Keras 3's defaults are 0.001 but for SGD's 0.01). An optimizer built with
#: neither ``lr`` nor ``decay`` keeps Keras 3's default: ``Adadelta()`` is valid Keras 3.
KERAS2_DEFAULT_LR = {"SGD": 0.01, "RMSprop": 0.001, "Adagrad": 0.01, "Adadelta": 1.0,
                     "Adam": 0.001, "Adamax": 0.002, "Nadam": 0.002}

#: Keras 3's default learning rates of the same classes (a canary test reads Keras's own
#: signatures): where the two tables differ, ``Adadelta()`` trains differently on Keras 3,
#: which ``kfitcompat migrate`` makes explicit (``Adadelta(learning_rate=1.0)``).
KERAS3_DEFAULT_LR = {"SGD": 0.01, "RMSprop": 0.001, "Adagrad": 0.001, "Adadelta": 0.001,
                     "Adam": 0.001, "Adamax": 0.001, "Nadam": 0.001}


#: The state a Keras 2 / tf.keras optimizer saved per model variable, in the order it saved
#: them, as the names of Keras 3's slots (the suffix of their variable path). Keras 2 saved
#: one group per slot kind (all ``m``, then all ``v``); tf.keras 2.11+ interleaves them.
KERAS2_SLOTS = {"SGD": ("momentum",), "RMSprop": ("velocity", "momentum", "average_gradient"),
                "Adagrad": ("accumulator",),
                "Adadelta": ("accumulated_grad", "accumulated_delta_var"),
                "Adam": ("momentum", "velocity", "velocity_hat"), "Adamax": ("momentum", "norm"),
                "Nadam": ("momentum", "velocity")}

#: Optimizer config keys of Keras 2 / tf.keras that Keras 3 rejects -> the value Keras 3
#: computes with (None: any value; the key only tuned compilation or bookkeeping).
REMOVED_OPTIMIZER_KEYS = {"jit_compile": None, "is_legacy_optimizer": None,
                          "schedule_decay": 0.004}  # Keras 2 Nadam; Keras 3 fixes 0.004


def _defaults(optimizer: Any) -> tuple[Any, float] | None:
    """(Keras 3's default ``learning_rate``, Keras 2's) of the Keras class of ``optimizer``."""
    for cls in type(optimizer).__mro__:
        if cls.__name__ in KERAS2_DEFAULT_LR and cls.__module__.startswith("keras."):
            keras3 = inspect.signature(cls).parameters.get("learning_rate")
            return (None if keras3 is None else keras3.default), KERAS2_DEFAULT_LR[cls.__name__]
    return None


def _keras2_learning_rate(optimizer: Any, args: list[Any], kwargs: dict[str, Any]) -> None:
    """Turn ``lr`` / ``decay`` in ``kwargs`` into Keras 3's ``learning_rate`` (the first
    positional argument when given so), in place."""
    import keras

    given_rate = "lr" in kwargs
    if "lr" in kwargs:
        kwargs["learning_rate"] = kwargs.pop("lr")
        warn_at_caller("`lr` is the Keras 2 spelling of `learning_rate`: translated. Update "
                       "the call to `learning_rate=`.", through_keras=True)
    decay = kwargs.pop("decay", None)
    if decay:
        # Keras 3's classes pass their own default rate on to this base __init__: a call
        # with `decay=` (Keras 2 only) and no rate meant Keras 2's default
        rate = args.pop(0) if args else kwargs.get("learning_rate", 0.001)
        defaults = _defaults(optimizer)
        if not given_rate and defaults is not None and rate == defaults[0]:
            rate = defaults[1]
        kwargs["learning_rate"] = keras.optimizers.schedules.InverseTimeDecay(
            rate, decay_steps=1, decay_rate=float(decay))
        warn_at_caller(
            f"`decay={decay}` (Keras 2: lr / (1 + decay * iterations)) became "
            f"`learning_rate=keras.optimizers.schedules.InverseTimeDecay({rate}, "
            f"decay_steps=1, decay_rate={decay})`; Keras 3 alone ignores `decay`.",
            through_keras=True)


def optimizer_init(original: Callable[..., None]) -> Callable[..., None]:
    """``Optimizer.__init__`` that accepts Keras 2's ``lr`` and ``decay``."""

    def __init__(self: Any, *given: Any, **kwargs: Any) -> None:
        args = list(given)
        if "lr" in kwargs or "decay" in kwargs:
            _keras2_learning_rate(self, args, kwargs)
        for key in [k for k in REMOVED_OPTIMIZER_KEYS if k in kwargs]:
            _removed_key(type(self).__name__, key, kwargs.pop(key))
        original(self, *args, **kwargs)

    # Keras reads the layer's constructor arguments from the signature
    __init__.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    return accepts(__init__, ("lr", "decay", *REMOVED_OPTIMIZER_KEYS))


#: Keras 2 optimizers whose ``epsilon=None`` meant ``K.epsilon()`` (each class's own
#: ``__init__`` takes ``epsilon``; the base class never sees it).
EPSILON_CLASSES = ("RMSprop", "Adagrad", "Adadelta", "Adam", "Adamax", "Nadam")


def epsilon_init(original: Callable[..., None]) -> Callable[..., None]:
    """``Adam.__init__`` (and the others of ``EPSILON_CLASSES``) taking Keras 2.2's
    ``epsilon=None`` (its documented signatures: ``Adam(lr=0.001, beta_1=0.9, beta_2=0.999,
    epsilon=None, decay=0.0, amsgrad=False)``) as ``K.epsilon()``, 1e-7; Keras 3 stores None
    and fails at the first step ("None values not supported")."""
    import keras

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if "epsilon" in kwargs and kwargs["epsilon"] is None:
            kwargs["epsilon"] = keras.config.epsilon()
        original(self, *args, **kwargs)

    __init__.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    __init__.__wrapped__ = original  # type: ignore[attr-defined]
    return __init__


def _removed_key(optimizer: str, key: str, value: Any) -> None:
    """``Nadam(schedule_decay=0.004)``: a Keras 2 / tf.keras argument Keras 3 computes with a
    fixed value (``REMOVED_OPTIMIZER_KEYS``) is dropped when it asks for that value (or for
    anything, when the value does not matter); another value is a ``ValueError``."""
    fixed = REMOVED_OPTIMIZER_KEYS[key]
    if fixed is not None and value != fixed:
        raise ValueError(f"`{optimizer}({key}={value!r})`: Keras 3 computes with {key}={fixed!r} "
                         f"and takes no `{key}`; only {fixed!r} (Keras 2's default) keeps "
                         "Keras 2's meaning.")


def _get_lr(self: Any) -> Any:
    return self.learning_rate  # the variable itself, so K.set_value(opt.lr, x) assigns it


def _set_lr(self: Any, value: Any) -> None:
    self.learning_rate = value


lr_property = property(_get_lr, _set_lr, doc="Keras 2 ``optimizer.lr``: the learning rate "
                       "variable (modern: ``optimizer.learning_rate``).")
