"""Running Keras 3 ``fit`` / ``evaluate`` / ``predict`` over one legacy stream.

The one place where a legacy data argument, its steps and its loading options meet Keras 3:
``fit_stream`` (``fit_generator``, ``fit`` with a generator or a Sequence, and Keras 2's
``shuffle='batch'`` on arrays) and ``run_inference`` (``evaluate_generator``,
``predict_generator`` and the patched ``evaluate`` / ``predict``). ``entry_points`` (the
legacy signatures) and ``arrays`` (array data) both call it; it imports neither.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any

import keras
import tensorflow as tf

from .. import _keras_private as _private
from .. import _upstream
from .._keras_private import K3_RAN_OUT
from .._warnings import silenced, warn_at_caller
from ..data.contracts import Mode
from ..data.counts import check_count, check_steps, is_count
from ..data.dispatch import LegacyData
from ..data.loading import make_source
from .call import LegacyCall
from .distribute import built_from_sample, placement_of
from .epochs import EpochRelay, fit_epoch_by_epoch
from .history import legacy_history
from .streams import ExhaustionGuard, run_with_sources

__all__ = ["check_epochs", "check_validation_tuple", "fit_dataset", "fit_stream", "run_inference",
           "normalize_validation_freq"]


def check_validation_tuple(validation_data: Any) -> tuple[Any, ...]:
    """Keras 2 check: ``validation_data`` is ``(x, y)`` or ``(x, y, sample_weight)``."""
    if isinstance(validation_data, tf.data.Dataset):
        return validation_data  # type: ignore[return-value]
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        n = len(validation_data) if hasattr(validation_data, "__len__") else "no"
        raise ValueError(
            "When passing validation_data, it must contain 2 (x_val, y_val) or 3 (x_val, "
            f"y_val, val_sample_weights) items, however it contains {n} items"
        )
    return tuple(validation_data)


def check_epochs(epochs: Any, initial_epoch: Any) -> None:
    """``epochs`` and ``initial_epoch`` are integers (``initial_epoch >= 0``)."""
    check_count("epochs", epochs)
    check_count("initial_epoch", initial_epoch, 0)


def normalize_validation_freq(value: Any) -> Any:
    if is_count(value):
        value = int(value)
        if value < 1:
            raise ValueError(
                f"Invalid value for argument `validation_freq`. Expected an integer >= 1 or "
                f"a collection of epoch numbers. Received: validation_freq={value!r}"
            )
        return value
    try:
        return sorted(int(v) for v in value)
    except (TypeError, ValueError):  # not iterable, or an item that is not a number
        raise ValueError(
            "Invalid value for argument `validation_freq`. Expected an integer >= 1 or a "
            f"collection of epoch numbers. Received: validation_freq={value!r}"
        ) from None


def _dataset_steps(value: Any, name: str) -> int | None:
    """Steps for a ``tf.data.Dataset``: ``None`` runs it to its end (tf.keras 2.x)."""
    return None if value is None else check_steps(value, name, "fit")


def _dataset_validation(validation: LegacyData | None, method: str) -> Any:
    if validation is None or validation.is_dataset:
        return validation.value if validation is not None else None
    if validation.is_stream:
        raise TypeError(f"`{method}` with a `tf.data.Dataset` takes `validation_data` as a "
                        "dataset or `(x, y)` arrays; pass the validation generator as a "
                        "`tf.data.Dataset` too, or train on a generator or Sequence.")
    return check_validation_tuple(validation.value)


def fit_dataset(model: Any, x: Any, y: Any, kw: dict[str, Any]) -> Any:
    """A ``tf.data.Dataset``: Keras 3's ``fit``. With ``steps_per_epoch``, one iterator serves
    the whole call; when it runs dry, tf.keras 2.x stopped training after that epoch, where
    Keras 3 starts the dataset again in the next epoch: the guard keeps tf.keras' rule."""
    if kw["steps_per_epoch"] is None:
        return legacy_history(_upstream.model_fit(model, x, y, **kw))
    # an unknown cardinality keeps Keras 3 from starting a dataset of known length again
    # when a pass ends exactly at an epoch's end
    x = x.filter(lambda *_: True)
    guard = ExhaustionGuard(None, kw["steps_per_epoch"],
                            kw["steps_per_epoch"] * (kw["epochs"] - kw["initial_epoch"]), None)
    kw["callbacks"] = [*(kw["callbacks"] or []), guard]
    with silenced(K3_RAN_OUT):
        return legacy_history(_upstream.model_fit(model, x, y, **kw))


def fit_stream(call: LegacyCall, callbacks: list[Any] | None) -> Any:
    """``fit`` over the legacy stream ``call.data`` (a tf.data.Dataset is Keras 3's ``fit``,
    as in tf.keras 2.x); ``callbacks``: the call's, with any that kfitcompat adds."""
    check_epochs(call["epochs"], call["initial_epoch"])
    validation_freq = normalize_validation_freq(call["validation_freq"])  # before any loader
    if call.data.is_dataset:
        return _fit_dataset_call(call, callbacks, validation_freq)
    if not call.data.is_stream:
        raise TypeError(
            f"`{call.method}` expects a generator, an iterator or a `keras.utils.Sequence` "
            f"as `generator`; received {type(call.data.value).__name__}. For arrays use "
            "`fit(x, y)`.")
    model, placement = call.model, placement_of(call.model)
    steps, shard = placement.plan(
        call.data, call.data.steps(call["steps_per_epoch"], "steps_per_epoch", call.method))
    val = call.validation if call.validation is not None and call.validation.is_stream else None
    val_steps, val_shard = (placement.plan(val, val.steps(
        call["validation_steps"], "validation_steps", call.method)) if val else (0, (0, 1)))
    arrays = (check_validation_tuple(call.validation_data)  # before any loader starts
              if call.validation is not None and val is None else None)
    rounds, bps = max(call["epochs"] - call["initial_epoch"], 0), placement.batches_per_step
    source = make_source(call.data, "fit", shuffle=bool(call["shuffle"]),
                         class_weight=call["class_weight"], shard=shard, options=call.loading,
                         planned=steps * rounds * bps, verbose=call["verbose"])
    with contextlib.ExitStack() as started:  # closed here only if what follows raises
        started.callback(source.close)
        val_source = (make_source(val, "evaluate", shard=val_shard, options=call.loading,
                                  planned=val_steps * rounds * bps, verbose=call["verbose"])
                      if val is not None else None)
        if val_source is not None:
            started.callback(val_source.close)
        val_kwargs = _validation_kwargs(placement, val_source, val_steps, arrays, source,
                                        validation_freq)
        started.pop_all()
    guard = ExhaustionGuard(source, steps, steps * rounds, val_source)
    try:
        with (run_with_sources(source, val_source),
              built_from_sample(model, placement, source.first_batch)):
            history = _fit_sources(call, callbacks, placement, source, guard, val_kwargs)
    finally:
        # Keras 3 drops its validation iterator only when fit returns normally; over a
        # closed legacy source it would keep a tf.data iterator alive with the model.
        _private.drop_eval_iterator(model)
    return legacy_history(guard.clean_history(history))


def _fit_dataset_call(call: LegacyCall, callbacks: list[Any] | None,
                      validation_freq: Any) -> Any:
    """tf.keras 2.x: ``fit_generator(dataset)`` is ``fit(dataset)``."""
    return fit_dataset(call.model, call.data.value, None, dict(
        steps_per_epoch=_dataset_steps(call["steps_per_epoch"], "steps_per_epoch"),
        epochs=call["epochs"], verbose=call["verbose"], callbacks=callbacks,
        validation_data=_dataset_validation(call.validation, call.method),
        validation_steps=_dataset_steps(call["validation_steps"], "validation_steps"),
        validation_freq=validation_freq, class_weight=call["class_weight"],
        initial_epoch=call["initial_epoch"], shuffle=False))


def _validation_kwargs(placement: Any, val_source: Any, val_steps: int, arrays: Any,
                       source: Any, validation_freq: Any) -> dict[str, Any]:
    """Keras 3 ``fit``'s validation arguments: the validation stream as a dataset bounded at
    ``validation_steps`` batches, or the checked ``arrays`` (batched as the training data)."""
    if val_source is not None:
        bound = val_steps * placement.batches_per_step
        return dict(validation_data=placement.dataset(functools.partial(
                        val_source.dataset, steps_per_iteration=bound)),
                    validation_steps=val_steps, validation_batch_size=None,
                    validation_freq=validation_freq)
    return dict(validation_data=arrays,
                validation_steps=None, validation_batch_size=source.first_batch_size,
                validation_freq=validation_freq)


def _fit_sources(call: LegacyCall, callbacks: list[Any] | None, placement: Any, source: Any,
                 guard: ExhaustionGuard, val_kwargs: dict[str, Any]) -> Any:
    """Keras 3 ``fit`` over the open sources (one ``fit`` per epoch when a Sequence's length
    may change between epochs)."""
    model, steps, bps = call.model, guard.steps, placement.batches_per_step

    def train_dataset(batches: int | Callable[[], int]) -> Any:
        # bounded at the batches the call needs: nothing is read (and no pass of a
        # Sequence opened) beyond the last epoch
        bound = ((lambda: batches() * bps) if callable(batches)  # type: ignore[operator]
                 else batches * bps)
        return placement.dataset(functools.partial(source.dataset, steps_per_iteration=bound))

    if _length_may_change(call, placement, callbacks):
        return _fit_changing_length(model, source, guard, train_dataset, callbacks,
                                    call["verbose"], call["initial_epoch"], call["epochs"],
                                    val_kwargs)
    # Keras 3 rounds steps_per_epoch up to whole executions (4 under 3 ran 6 batches an
    # epoch): under an uneven steps_per_execution each epoch's iterator is bounded at `steps`
    # batches and Keras runs it to its end, the last execution short, as tf_keras ran them
    uneven = bool(steps % _per_execution(model))
    return _upstream.model_fit(
        model, train_dataset(steps if uneven else guard.total_batches),
        steps_per_epoch=None if uneven else steps, epochs=call["epochs"],
        verbose=call["verbose"], callbacks=list(callbacks or []) + [guard],
        initial_epoch=call["initial_epoch"], shuffle=False, **val_kwargs)


def _length_may_change(call: LegacyCall, placement: Any, callbacks: Any) -> bool:
    """Keras 2.3.1 re-read ``len(Sequence)`` after each epoch when ``steps_per_epoch=None``
    (not under a tf.distribute strategy, whose shards fix the steps; nor when the caller
    passes a ``CallbackList`` of their own; nor for Sequences of a fixed length)."""
    return (call["steps_per_epoch"] is None and call.data.length_varies
            and not placement.distributed
            and not isinstance(callbacks, keras.callbacks.CallbackList))


def _fit_changing_length(model: Any, source: Any, guard: ExhaustionGuard, train_dataset: Any,
                         callbacks: Any, verbose: Any, initial_epoch: int, epochs: int,
                         val_kwargs: dict[str, Any]) -> Any:
    """One Keras 3 ``fit`` per epoch, each of the Sequence's current length."""
    relay = EpochRelay(list(callbacks or []) + [guard], model=model, verbose=verbose,
                       epochs=epochs, steps=guard.steps)

    def on_steps(steps: int) -> None:
        guard.steps = steps

    # one pipeline for every epoch, each iterator bounded at its own epoch's batches
    dataset = train_dataset(lambda: guard.steps)
    return fit_epoch_by_epoch(model, relay, steps_of_epoch=lambda: source.length,
                              on_steps=on_steps, dataset=dataset,
                              initial_epoch=initial_epoch, epochs=epochs, verbose=verbose,
                              shuffle=False, **val_kwargs)


def _per_execution(model: Any) -> int:
    """``compile(steps_per_execution=)`` (Keras 3 keeps it on the model)."""
    return int(getattr(model, "steps_per_execution", 1) or 1)


def run_inference(call: LegacyCall, run: Any, mode: Mode, **kwargs: Any) -> Any:
    """Resolve ``steps``, build the source for ``call.data`` (sharded under a multi-worker
    strategy) and call ``run(dataset, steps=..., **kwargs)``."""
    if call.data.is_dataset:  # tf.keras 2.x forwarded it to evaluate / predict
        return run(call.data.value, steps=_dataset_steps(call["steps"], "steps"), **kwargs)
    placement = placement_of(call.model)
    n_steps, shard = placement.plan(call.data,
                                    call.data.steps(call["steps"], "steps", call.method))
    batches = n_steps * placement.batches_per_step
    # Keras 3 rounds `steps` up to whole executions of `steps_per_execution` (steps=4 under 3
    # ran 6 batches); over the dataset bounded at `steps` batches it runs until that ends,
    # the last execution short: exactly `steps` batches, as tf_keras
    per_execution = _per_execution(call.model)
    source = make_source(call.data, mode, shard=shard, options=call.loading, planned=batches,
                         verbose=kwargs.get("verbose", "auto"))
    with run_with_sources(source), built_from_sample(call.model, placement, source.first_batch):
        result = run(placement.dataset(functools.partial(
            source.dataset, steps_per_iteration=batches)),
                     steps=None if n_steps % per_execution else n_steps, **kwargs)
    served = getattr(source, "served_batches", None)
    if source.exhausted and served is not None and served < batches:
        warn_at_caller(  # Keras 3's own warning is filtered during the call (it says less)
            f"Your input ran out of data: `{call.method}` asked for `steps={n_steps}` and "
            f"the generator gave {served} batches; the result covers those batches only. "
            "Make sure it can generate at least `steps` batches.", UserWarning)
    return result
