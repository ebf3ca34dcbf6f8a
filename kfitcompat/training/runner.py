"""Running Keras 3 ``fit`` / ``evaluate`` / ``predict`` over one legacy stream.

The one place where a legacy data argument, its steps and its loading options meet Keras 3:
``fit_stream`` (``fit_generator``, ``fit`` with a generator or a Sequence, and Keras 2's
``shuffle='batch'`` on arrays) and ``run_inference`` (``evaluate_generator``,
``predict_generator`` and the patched ``evaluate`` / ``predict``). ``entry_points`` (the
legacy signatures) and ``arrays`` (array data) both call it; it imports neither.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import keras
import tensorflow as tf

from .. import _keras_private as _private
from .. import _upstream
from .._keras_private import K3_RAN_OUT
from .._warnings import silenced, warn_at_caller
from ..data.contracts import Mode
from ..data.counts import check_count, is_count
from ..data.dispatch import DATASET, SEQUENCE, LegacyData, classify, is_legacy_stream
from ..data.loading import LoadingOptions, make_source
from ..data.sequence import FixedLength
from ..legacy_table import LOADING_DEFAULTS
from .distribute import built_from_sample, placement_of
from .epochs import EpochRelay, fit_epoch_by_epoch
from .history import legacy_history
from .streams import ExhaustionGuard, resolve_steps, run_with_sources
from .translate import translate_legacy_kwargs

__all__ = ["check_epochs", "check_validation_tuple", "fit_dataset", "fit_stream", "run_inference",
           "translate", "normalize_validation_freq"]


def _is_default(value: Any, default: Any) -> bool:
    return value is default or (type(value) is type(default) and value == default)


def _explicit(values: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """The values the caller changed from the signature's defaults."""
    return {k: v for k, v in values.items() if not _is_default(v, defaults[k])}


def translate(method: str, values: dict[str, Any], defaults: dict[str, Any],
               legacy: dict[str, Any], data: Any) -> dict[str, Any]:
    """``values`` with the caller's Keras 1 spellings (``legacy``) translated in."""
    if not legacy:
        return values
    changed = translate_legacy_kwargs(method, _explicit(values, defaults), legacy, data)
    return {**values, **changed}


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
    if value is None:
        return None
    return resolve_steps(value, name, None, "fit")


def _dataset_validation(validation_data: Any, method: str) -> Any:
    if validation_data is None or isinstance(validation_data, tf.data.Dataset):
        return validation_data
    if is_legacy_stream(validation_data):
        raise TypeError(f"`{method}` with a `tf.data.Dataset` takes `validation_data` as a "
                        "dataset or `(x, y)` arrays; pass the validation generator as a "
                        "`tf.data.Dataset` too, or train on a generator or Sequence.")
    return check_validation_tuple(validation_data)


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


def fit_stream(
    model: Any,
    generator: Any,
    *,
    steps_per_epoch: Any,
    epochs: int,
    verbose: Any,
    callbacks: list[Any] | None,
    validation_data: Any,
    validation_steps: Any,
    validation_freq: Any,
    class_weight: Mapping[Any, float] | None,
    loading: LoadingOptions,
    shuffle: Any,
    initial_epoch: int,
    method: str,
) -> Any:
    """``fit`` over a legacy stream: the data argument is classified here, once, and the
    classified value (``LegacyData``) goes down to the step
    rules, the placement and the sources, with one ``LoadingOptions``."""
    check_epochs(epochs, initial_epoch)
    validation_freq = normalize_validation_freq(validation_freq)  # before any loader starts
    data = classify(generator)  # already classified when it comes from `fit`
    generator = data.value
    if data.kind == DATASET:  # tf.keras 2.x: fit_generator(dataset) is fit(dataset)
        return fit_dataset(model, generator, None, dict(
            steps_per_epoch=_dataset_steps(steps_per_epoch, "steps_per_epoch"),
            epochs=epochs, verbose=verbose, callbacks=callbacks,
            validation_data=_dataset_validation(validation_data, method),
            validation_steps=_dataset_steps(validation_steps, "validation_steps"),
            validation_freq=validation_freq,
            class_weight=class_weight, initial_epoch=initial_epoch, shuffle=False))
    if not data.is_stream:
        raise TypeError(
            f"`{method}` expects a generator, an iterator or a `keras.utils.Sequence` as "
            f"`generator`; received {type(generator).__name__}. For arrays use `fit(x, y)`."
        )
    placement = placement_of(model)
    steps, shard = placement.plan(
        data, resolve_steps(steps_per_epoch, "steps_per_epoch", data, method))
    val_data = classify(validation_data) if validation_data is not None else None
    val_stream = val_data is not None and val_data.is_stream
    val_shard = (0, 1)
    if val_data is not None and val_stream:
        validation_steps, val_shard = placement.plan(val_data, resolve_steps(
            validation_steps, "validation_steps", val_data, method))
    elif validation_data is not None:
        validation_data = check_validation_tuple(validation_data)
    rounds, bps = max(epochs - initial_epoch, 0), placement.batches_per_step
    source = make_source(data, "fit", shuffle=bool(shuffle), class_weight=class_weight,
                         shard=shard, options=loading, planned=steps * rounds * bps,
                         verbose=verbose)
    try:
        val_source = (make_source(val_data, "evaluate", shard=val_shard, options=loading,
                                  planned=validation_steps * rounds * bps, verbose=verbose)
                      if val_stream else None)
    except BaseException:
        source.close()
        raise
    guard = ExhaustionGuard(source, steps, steps * rounds, val_source)
    try:
        val_kwargs: dict[str, Any] = dict(
            validation_data=(placement.dataset(functools.partial(
                val_source.dataset, steps_per_iteration=validation_steps * bps))
                if val_source is not None else validation_data),
            validation_steps=validation_steps if val_stream else None,
            validation_batch_size=None if val_stream else source.first_batch_size,
            validation_freq=validation_freq,
        )
    except BaseException:  # the loaders started: stop them (run_with_sources is not entered)
        for started in (source, val_source):
            if started is not None:
                started.close()
        raise

    def train_dataset(batches: int | Callable[[], int]) -> Any:
        # bounded at the batches the call needs: nothing is read (and no pass of a
        # Sequence opened) beyond the last epoch
        bound = ((lambda: batches() * bps) if callable(batches)  # type: ignore[operator]
                 else batches * bps)
        return placement.dataset(functools.partial(source.dataset, steps_per_iteration=bound))

    try:
        with (run_with_sources(source, val_source),
              built_from_sample(model, placement, source.first_batch)):
            if _length_may_change(data, steps_per_epoch, placement, callbacks):
                history = _fit_changing_length(model, source, guard, train_dataset, callbacks,
                                               verbose, initial_epoch, epochs, val_kwargs)
            else:
                # Keras 3 rounds steps_per_epoch up to whole executions (4 under 3 ran 6
                # batches an epoch): under an uneven steps_per_execution each epoch's iterator
                # is bounded at `steps` batches and Keras runs it to its end, the last
                # execution short, as tf_keras ran them
                uneven = bool(steps % _per_execution(model))
                history = _upstream.model_fit(
                    model, train_dataset(steps if uneven else guard.total_batches),
                    steps_per_epoch=None if uneven else steps, epochs=epochs,
                    verbose=verbose, callbacks=list(callbacks or []) + [guard],
                    initial_epoch=initial_epoch, shuffle=False, **val_kwargs)
    finally:
        # Keras 3 drops its validation iterator only when fit returns normally; over a
        # closed legacy source it would keep a tf.data iterator alive with the model.
        _private.drop_eval_iterator(model)
    return legacy_history(guard.clean_history(history))


def _length_may_change(data: LegacyData, steps_per_epoch: Any, placement: Any,
                       callbacks: Any) -> bool:
    """Keras 2.3.1 re-read ``len(Sequence)`` after each epoch when ``steps_per_epoch=None``
    (not under a tf.distribute strategy, whose shards fix the steps; nor when the caller
    passes a ``CallbackList`` of their own; nor for Sequences of a fixed length)."""
    return (steps_per_epoch is None and data.kind == SEQUENCE
            and not isinstance(data.value, FixedLength) and not placement.distributed
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


def run_inference(model: Any, run: Any, method: str, mode: Mode, generator: Any, steps: Any,
                  legacy: dict[str, Any], loading: dict[str, Any], **kwargs: Any) -> Any:
    """Translate the Keras 1 spellings, resolve ``steps``, build the source (sharded
    under a multi-worker strategy) and call ``run(dataset, steps=..., **kwargs)``."""
    data = classify(generator)  # once: the installed evaluate / predict pass what they classified
    generator = data.value
    values = translate(method, dict(steps=steps, **loading),
                        dict(steps=None, **LOADING_DEFAULTS), legacy, generator)
    if data.kind == DATASET:  # tf.keras 2.x forwarded it to evaluate / predict
        return run(generator, steps=_dataset_steps(values["steps"], "steps"), **kwargs)
    placement = placement_of(model)
    n_steps, shard = placement.plan(
        data, resolve_steps(values.pop("steps"), "steps", data, method))
    # Keras 3 rounds `steps` up to whole executions of `steps_per_execution` (steps=4 under 3
    # ran 6 batches); over the dataset bounded at `steps` batches it runs until that ends,
    # the last execution short: exactly `steps` batches, as tf_keras
    per_execution = _per_execution(model)
    source = make_source(data, mode, shard=shard, options=LoadingOptions(**values),
                         planned=n_steps * placement.batches_per_step,
                         verbose=kwargs.get("verbose", "auto"))
    with run_with_sources(source), built_from_sample(model, placement, source.first_batch):
        result = run(placement.dataset(functools.partial(
            source.dataset, steps_per_iteration=n_steps * placement.batches_per_step)),
                     steps=None if n_steps % per_execution else n_steps, **kwargs)
    served = getattr(source, "served_batches", None)
    if source.exhausted and served is not None and served < n_steps * placement.batches_per_step:
        warn_at_caller(  # Keras 3's own warning is filtered during the call (it says less)
            f"Your input ran out of data: `{method}` asked for `steps={n_steps}` and the "
            f"generator gave {served} batches; the result covers those batches only. Make "
            "sure it can generate at least `steps` batches.", UserWarning)
    return result
