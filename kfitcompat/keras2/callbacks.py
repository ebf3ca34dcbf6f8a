"""Keras 2 callback idioms on Keras 3: ``monitor='val_acc'``, ``mode='auto'`` on accuracy,
``{val_acc}`` in ``ModelCheckpoint`` file names, ``period=``, and ``.hdf5`` file names.

After ``kfitcompat.install``:

* the callbacks that monitor a metric (``EarlyStopping``, ``ModelCheckpoint``,
  ``ReduceLROnPlateau``) see each metric under both names, ``acc``/``val_acc`` or
  ``val_mean_absolute_error`` (Keras 2.2.4) and ``accuracy``/``val_accuracy`` or ``val_mae``
  (Keras 3), whichever the model logs; a file name template may name either;
* ``mode='auto'`` follows Keras 2: maximise a monitored name that contains ``acc`` (or
  starts with ``fmeasure``), minimise one Keras 3 cannot place (Keras 3 raises);
* ``callback.validation_data`` holds ``[x_val, y_val, sample_weights]`` when ``fit`` or
  ``fit_generator`` gets ``validation_data=(x_val, y_val)`` arrays (Keras 2 set it; tf.keras
  2.0 removed it), unless the callback has a ``validation_data`` of its own;
* ``callback.model = m`` sets the model (Keras 2's attribute; modern: ``set_model(m)``);
* ``ReduceLROnPlateau(epsilon=...)`` is ``min_delta`` (Keras 2.1.6 renamed it, with a warning);
* ``TensorBoard(batch_size=32, write_grads=False, embeddings_layer_names=None,
  embeddings_data=None)``, the signature Keras 2's docs spelled out, is accepted: ``batch_size``
  only chunked Keras 2's histogram computation; the others asked for TensorFlow 1 summaries
  Keras 3 does not write, so a value that asks for one is dropped with a warning;
* ``ModelCheckpoint(period=N)`` saves every N epochs (modern: ``save_freq``), and a file name
  ending in ``.hdf5`` (or ``.h5`` with ``save_weights_only=True``) is written in HDF5 as
  Keras 2 did (Keras 3 accepts only ``.keras`` / ``.h5`` / ``.weights.h5``).

Nothing changes for callbacks that use Keras 3's names and suffixes.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from typing import Any

from .._warnings import warn_at_caller
from ..legacy.accepts import accepts

__all__ = ["ANY", "TENSORBOARD_DROPPED", "with_log_aliases", "monitored_epoch_end",
           "set_monitor_op", "checkpoint_init", "model_property", "reduce_lr_init",
           "give_validation_data", "tensorboard_init"]

#: Keras 2 ``TensorBoard`` arguments Keras 3's lacks -> the value that asks Keras 2 for nothing
#: Keras 3 would not do (``ANY``: every value; ``batch_size`` only chunked the histograms).
ANY = object()
TENSORBOARD_DROPPED: dict[str, Any] = {"batch_size": ANY, "write_grads": False,
                                       "embeddings_layer_names": None, "embeddings_data": None}


def with_log_aliases(logs: dict[str, Any] | None) -> dict[str, Any] | None:
    """A copy of ``logs`` where each metric answers to its Keras 2.2.4 and Keras 3 names
    (``acc`` / ``accuracy``, ``mean_absolute_error`` / ``mae``: ``training.history.ALIASES``),
    both present as keys, so that a ``{val_acc}`` file name field formats too."""
    if not logs:
        return logs
    from ..training.history import AliasDict, alias_of  # training imports this module

    out = AliasDict(logs)
    for key, value in logs.items():
        other = alias_of(key)
        if other is not None:
            out.setdefault(other, value)
    return out


def monitored_epoch_end(original: Callable[..., Any]) -> Callable[..., Any]:
    """``on_epoch_end`` that gives the callback the accuracy aliases (and honours
    ``ModelCheckpoint(period=N)``)."""

    def on_epoch_end(self: Any, epoch: int, logs: dict[str, Any] | None = None) -> Any:
        period = getattr(self, "_kfitcompat_period", 1)
        if period > 1:
            self._kfitcompat_epochs_since_save = getattr(
                self, "_kfitcompat_epochs_since_save", 0) + 1
            if self._kfitcompat_epochs_since_save < period:
                return None
            self._kfitcompat_epochs_since_save = 0
        aliased = with_log_aliases(logs)
        given = set(aliased) if aliased is not None else set()
        result = original(self, epoch, aliased)
        if aliased is not logs and logs is not None and aliased is not None:
            # what the callback logged (ReduceLROnPlateau's learning_rate) reaches History
            for key in set(aliased) - given:
                logs[key] = aliased[key]
        _rename_written(self, epoch, logs)
        return result

    on_epoch_end.__wrapped__ = original  # type: ignore[attr-defined]
    return on_epoch_end


def set_monitor_op(original: Callable[..., Any]) -> Callable[..., Any]:
    """``_set_monitor_op`` with Keras 2's ``mode='auto'`` rule."""

    def _set_monitor_op(self: Any) -> Any:
        if self.mode == "auto":
            monitor = str(self.monitor)
            if "acc" in monitor or monitor.startswith("fmeasure"):
                return _with_mode(self, original, "max")
            try:
                return original(self)
            except ValueError:  # Keras 3 cannot tell; Keras 2 minimised
                return _with_mode(self, original, "min")
        return original(self)

    return _set_monitor_op


def _with_mode(callback: Any, original: Callable[..., Any], mode: str) -> Any:
    callback.mode = mode
    try:
        return original(callback)
    finally:
        callback.mode = "auto"


_KERAS3_SUFFIXES = (".keras", ".h5")


def checkpoint_init(original: Callable[..., None]) -> Callable[..., None]:
    """``ModelCheckpoint.__init__`` taking Keras 2's ``period`` and any file name."""

    def __init__(self: Any, filepath: Any, *args: Any, period: int | None = None,
                 **kwargs: Any) -> None:
        path = os.fspath(filepath)
        weights_only = kwargs.get("save_weights_only", len(args) > 3 and args[3])
        needed = ".weights.h5" if weights_only else None
        fits = path.endswith(needed) if needed else path.endswith(_KERAS3_SUFFIXES)
        suffix = ""
        if not fits:
            suffix = needed or ".h5"
            warn_at_caller(f"`ModelCheckpoint({path!r})`: Keras 3 needs a name ending in "
                           f"{suffix!r}; kfitcompat writes HDF5 under your name, as Keras 2 "
                           "did.", through_keras=True)
        original(self, path + suffix, *args, **kwargs)
        self._kfitcompat_suffix = suffix
        if period is not None:
            warn_at_caller("`ModelCheckpoint(period=N)` is Keras 2: kfitcompat saves every N "
                           "epochs (modern: `save_freq`).", through_keras=True)
            self._kfitcompat_period = int(period)

    __init__.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    return accepts(__init__, ("period",))


def _rename_written(callback: Any, epoch: int, logs: dict[str, Any] | None) -> None:
    """Move a checkpoint written under ``name + suffix`` to the name the script gave."""
    suffix = getattr(callback, "_kfitcompat_suffix", "")
    if not suffix:
        return
    try:
        written = callback.filepath.format(epoch=epoch + 1, **(with_log_aliases(logs)
                                                                or {}))
    except (KeyError, IndexError, ValueError):
        return
    if os.path.exists(written):
        os.replace(written, written[: -len(suffix)])


def model_property(original: property) -> property:
    """``Callback.model`` that can also be assigned, as Keras 2's plain attribute could
    (``early_stopping.model = model``; modern: ``set_model(model)``)."""

    def _set(self: Any, model: Any) -> None:
        self.set_model(model)

    return property(original.fget, _set, original.fdel, original.__doc__)


def reduce_lr_init(original: Callable[..., None]) -> Callable[..., None]:
    """``ReduceLROnPlateau.__init__`` reading Keras 2's ``epsilon`` as ``min_delta``."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if "epsilon" in kwargs:
            if "min_delta" in kwargs:
                raise TypeError("`ReduceLROnPlateau` received both `epsilon` (Keras 2's old "
                                "name) and `min_delta`: pass only `min_delta`.")
            kwargs["min_delta"] = kwargs.pop("epsilon")
            warn_at_caller("`ReduceLROnPlateau(epsilon=...)`: the `epsilon` argument is "
                           "deprecated (Keras 2.1.6 renamed it): it was translated to "
                           f"`min_delta={kwargs['min_delta']!r}`. Update the call.",
                           through_keras=True)
        original(self, *args, **kwargs)

    __init__.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    return accepts(__init__, ("epsilon",))


def tensorboard_init(original: Callable[..., None]) -> Callable[..., None]:
    """``TensorBoard.__init__`` taking Keras 2's ``batch_size``, ``write_grads``,
    ``embeddings_layer_names`` and ``embeddings_data`` (``TENSORBOARD_DROPPED``)."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        asked = []
        for name, inert in TENSORBOARD_DROPPED.items():
            if name in kwargs:
                value = kwargs.pop(name)
                if inert is not ANY and value is not inert and value != inert:
                    asked.append(f"{name}={value!r}")
        if asked:
            warn_at_caller(f"`TensorBoard({', '.join(asked)})`: Keras 3's TensorBoard writes no "
                           "gradient histograms and takes no embeddings layers or data "
                           "(TensorFlow 1 summaries); the argument was dropped.",
                           through_keras=True)
        original(self, *args, **kwargs)

    __init__.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    return accepts(__init__, tuple(TENSORBOARD_DROPPED))


def _flat(part: Any) -> list[Any]:
    if isinstance(part, dict):
        return list(part.values())
    return list(part) if isinstance(part, (list, tuple)) else [part]


def give_validation_data(callbacks: Any, validation_data: Any) -> None:
    """Keras 2's ``callback.validation_data``: the validation inputs, targets and sample
    weights (ones when none are given) as one flat list, set on each callback of
    ``callbacks`` whose ``validation_data`` is None (Keras 2's class default). Arrays only
    (Keras 2 set it for arrays; a generator's batches are not known before they are
    drawn)."""
    import numpy as np

    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        return
    x, y = validation_data[0], validation_data[1]
    flat = _flat(x) + _flat(y)
    if not flat or not all(isinstance(a, np.ndarray) for a in flat):
        return
    weights = (_flat(validation_data[2]) if len(validation_data) == 3
               and validation_data[2] is not None else
               [np.ones((len(flat[0]),), "float32") for _ in _flat(y)])
    for callback in callbacks or ():
        if getattr(callback, "validation_data", None) is None:
            callback.validation_data = flat + weights
