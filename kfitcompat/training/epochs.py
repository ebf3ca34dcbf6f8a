"""Epochs of different lengths: a ``Sequence`` whose ``len()`` changes in ``on_epoch_end()``.

Keras 2.3.1's ``fit_generator`` (``recompute_steps_per_epoch``): with a ``Sequence`` and
``steps_per_epoch=None``, ``len(sequence)`` is read again after every epoch, the next epoch
runs that many batches and the callbacks get ``set_params`` with the new ``steps``.
Keras 3's ``fit`` takes one ``steps_per_epoch`` for every epoch, so kfitcompat runs one
Keras 3 ``fit`` per epoch behind one ``EpochRelay``, a ``keras.callbacks.CallbackList``
that lives across the calls: the user's callbacks see one ``on_train_begin`` and one
``on_train_end``, one ``History`` and one progress bar, as in a single ``fit``. Each call's
``tf.data`` iterator is bounded at its epoch's batches, so nothing is read ahead into a pass
whose length is not known yet (Keras 2.3.1 joined its enqueuer at each epoch end for the
same reason).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras

from .. import _keras_private as _private
from .. import _upstream

__all__ = ["EpochRelay", "fit_epoch_by_epoch"]


class EpochRelay(keras.callbacks.CallbackList):
    """One ``CallbackList`` for several Keras 3 ``fit`` calls (one per epoch)."""

    def __init__(self, callbacks: list[Any], *, model: Any, verbose: Any, epochs: int,
                 steps: int) -> None:
        super().__init__(callbacks, add_history=True, add_progbar=verbose != 0,
                         model=model, verbose=verbose, epochs=epochs, steps=steps)
        self.history = _history_of(self.callbacks)
        self._model = model
        self.stopped_by_user = False
        self._began = False
        self._end_logs: dict[str, Any] | None = None
        self.last_epoch: int | None = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        if not self._began:  # the first call's; the others continue the same training
            self._began = True
            super().on_train_begin(logs)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self._end_logs = logs  # delivered once, by finish()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        super().on_epoch_end(epoch, logs)
        self.last_epoch = epoch
        # after every callback: did one of them stop training? Then end this fit call
        # (Keras checks ``stop_training`` right after ``on_epoch_end``) either way.
        self.stopped_by_user = bool(self._model.stop_training)
        self._model.stop_training = True

    def set_steps(self, steps: int) -> None:
        """Keras 2.3.1: the callbacks get ``set_params`` with the epoch's new ``steps``."""
        self.set_params({**self.params, "steps": steps})

    def finish(self) -> None:
        if not self._began:  # no epoch to run (epochs <= initial_epoch): as one Keras fit,
            self.on_train_begin()  # the callbacks still see a begin and an end
        super().on_train_end(self._end_logs)


def fit_epoch_by_epoch(model: Any, relay: EpochRelay, *, steps_of_epoch: Callable[[], int],
                       on_steps: Callable[[int], None], dataset: Any,
                       initial_epoch: int, epochs: int, **fit_kwargs: Any) -> Any:
    """Run ``epochs - initial_epoch`` epochs, each one Keras 3 ``fit`` of
    ``steps_of_epoch()`` steps over ``dataset`` (one pipeline whose iterators each ask for
    their epoch's bound); returns the relay's ``History``."""
    epoch = initial_epoch
    first = True
    while epoch < epochs:
        steps = steps_of_epoch()
        if not first:
            relay.set_steps(steps)
        on_steps(steps)
        # ``epochs`` as given: the relay ends the call after one epoch, and a first epoch
        # restored by BackupAndRestore (which Keras prefers to ``initial_epoch``) still runs
        _upstream.model_fit(model, dataset, steps_per_epoch=steps, epochs=epochs,
                            initial_epoch=epoch, callbacks=relay, **fit_kwargs)
        if first:  # the restored epoch applies to the first call only
            _private.forget_restored_epoch(model)
            first = False
        if relay.stopped_by_user or relay.last_epoch is None:
            break
        epoch = relay.last_epoch + 1
    model.stop_training = relay.stopped_by_user
    relay.finish()
    return relay.history


def _history_of(callbacks: list[Any]) -> Any:
    return next(cb for cb in callbacks if isinstance(cb, keras.callbacks.History))
