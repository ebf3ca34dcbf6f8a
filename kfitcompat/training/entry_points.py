"""The legacy entry points as functions taking the model first.

``fit_generator(model, generator, ...)`` is Keras 2's
``model.fit_generator(generator, ...)``; after :func:`kfitcompat.install` the
same functions are methods of ``keras.Model``. Each call lands on Keras 3
``Model.fit`` / ``evaluate`` / ``predict`` with the data as a ``tf.data``
pipeline.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from collections.abc import Sequence as SequenceType
from typing import Any

import numpy as np

from ..data.dispatch import is_legacy_stream
from ..data.loading import check_loading_args, make_source
from ..legacy_table import LOADING_DEFAULTS
from .arrays import check_validation_tuple, fit_arrays
from .distribute import built_from_sample, placement_of
from .history import legacy_history
from .legacy_args import (
    EVALUATE_GENERATOR,
    FIT,
    FIT_GENERATOR,
    PREDICT_GENERATOR,
)
from .streams import ExhaustionGuard, resolve_steps, run_with_sources
from .translate import translate_legacy_kwargs

__all__ = ["fit", "fit_generator", "evaluate_generator", "predict_generator"]



def _is_default(value: Any, default: Any) -> bool:
    return value is default or (type(value) is type(default) and value == default)


def _explicit(values: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """The values the caller changed from the signature's defaults."""
    return {k: v for k, v in values.items() if not _is_default(v, defaults[k])}


def _translate(method: str, values: dict[str, Any], defaults: dict[str, Any],
               legacy: dict[str, Any], data: Any) -> dict[str, Any]:
    if not legacy:
        return values
    changed = translate_legacy_kwargs(method, _explicit(values, defaults), legacy, data)
    return {**values, **changed}


def _check_epochs(epochs: Any, initial_epoch: Any) -> None:
    """``epochs`` and ``initial_epoch`` are integers (``initial_epoch >= 0``)."""
    for name, value, low in (("epochs", epochs, None), ("initial_epoch", initial_epoch, 0)):
        if (isinstance(value, bool) or not isinstance(value, (int, np.integer))
                or (low is not None and value < low)):
            expected = "an integer" if low is None else f"an integer >= {low}"
            raise ValueError(f"Invalid value for argument `{name}`. Expected {expected}. "
                             f"Received: {name}={value!r}")


def _validation_freq(value: Any) -> Any:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = int(value)
        if value < 1:
            raise ValueError(
                f"Invalid value for argument `validation_freq`. Expected an integer >= 1 or "
                f"a collection of epoch numbers. Received: validation_freq={value!r}"
            )
        return value
    try:
        return sorted(int(v) for v in value)
    except TypeError:
        raise ValueError(
            "Invalid value for argument `validation_freq`. Expected an integer >= 1 or a "
            f"collection of epoch numbers. Received: validation_freq={value!r}"
        ) from None


def fit_generator(
    model: Any,
    generator: Any,
    steps_per_epoch: int | float | None = None,
    epochs: int = 1,
    verbose: int | str = 1,
    callbacks: list[Any] | None = None,
    validation_data: Any = None,
    validation_steps: int | float | None = None,
    validation_freq: int | SequenceType[int] = 1,
    class_weight: Mapping[Any, float] | None = None,
    max_queue_size: int = 10,
    workers: int = 1,
    use_multiprocessing: bool = False,
    shuffle: bool = True,
    initial_epoch: int = 0,
    view_metrics: bool | str = False,
    **legacy_kwargs: Any,
) -> Any:
    """Keras 2 ``Model.fit_generator``; modern spelling: ``Model.fit(generator, ...)``.

    Args:
        model: a compiled ``keras.Model``.
        generator: a generator or any iterator yielding ``(x, y)`` or
            ``(x, y, sample_weight)`` (tuples or lists), or a ``Sequence``.
        steps_per_epoch: batches per epoch; ``None`` means ``len(generator)`` for
            a Sequence (required for a plain generator). A float means ``ceil``.
        validation_data: ``(x, y[, sample_weight])`` arrays, a generator or a Sequence.
        validation_steps: batches per validation; required for a plain generator.
        class_weight: per-class weights applied to each batch (Keras 2 rules).
        max_queue_size, workers, use_multiprocessing: how batches are loaded
            (see :mod:`kfitcompat.data.sources`).
        shuffle: shuffle the order of a Sequence's batches each pass.
        view_metrics: R keras' argument: ``True`` or a PNG path redraws a plot of every
            metric after each epoch; ``"auto"`` also shows it inline under Jupyter.
        **legacy_kwargs: the Keras 1 spellings ``samples_per_epoch``, ``nb_epoch``,
            ``nb_val_samples``, ``nb_worker``, ``pickle_safe``, ``max_q_size``.

    Returns:
        The ``History``; its ``acc`` and ``accuracy`` keys answer for each other.

    Raises:
        ValueError: missing ``steps_per_epoch``/``validation_steps`` for a
            generator, or a malformed batch (naming the step and the shapes).
        TypeError: an unknown keyword argument.
    """
    values = _translate(
        FIT_GENERATOR,
        dict(steps_per_epoch=steps_per_epoch, epochs=epochs, validation_steps=validation_steps,
             max_queue_size=max_queue_size, workers=workers,
             use_multiprocessing=use_multiprocessing),
        dict(steps_per_epoch=None, epochs=1, validation_steps=None, **LOADING_DEFAULTS),
        legacy_kwargs, generator,
    )
    return _fit_stream(
        model, generator, callbacks=_with_plot(callbacks, view_metrics), verbose=verbose,
        validation_data=validation_data,
        validation_freq=validation_freq, class_weight=class_weight, shuffle=shuffle,
        initial_epoch=initial_epoch, method=FIT_GENERATOR, **values,
    )


def _with_plot(callbacks: list[Any] | None, view_metrics: Any) -> list[Any] | None:
    from ..plotting import view_metrics_callback

    plot = view_metrics_callback(view_metrics)
    return callbacks if plot is None else list(callbacks or []) + [plot]


def _fit_stream(
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
    max_queue_size: int,
    workers: int,
    use_multiprocessing: bool,
    shuffle: Any,
    initial_epoch: int,
    method: str,
) -> Any:
    _check_epochs(epochs, initial_epoch)
    if not is_legacy_stream(generator):
        raise TypeError(
            f"`{method}` expects a generator, an iterator or a `keras.utils.Sequence` as "
            f"`generator`; received {type(generator).__name__}. For arrays use `fit(x, y)`."
        )
    check_loading_args(workers, max_queue_size, use_multiprocessing)
    placement = placement_of(model)
    steps, shard = placement.plan(
        generator, resolve_steps(steps_per_epoch, "steps_per_epoch", generator, method))
    loading: dict[str, Any] = dict(workers=workers, max_queue_size=max_queue_size,
                                   use_multiprocessing=use_multiprocessing)
    val_stream = validation_data is not None and is_legacy_stream(validation_data)
    val_shard = (0, 1)
    if val_stream:
        validation_steps, val_shard = placement.plan(validation_data, resolve_steps(
            validation_steps, "validation_steps", validation_data, method))
    elif validation_data is not None:
        validation_data = check_validation_tuple(validation_data)
    source = make_source(generator, "fit", shuffle=bool(shuffle), class_weight=class_weight,
                         shard=shard, **loading)
    try:
        val_source = (make_source(validation_data, "evaluate", shard=val_shard, **loading)
                      if val_stream else None)
    except BaseException:
        source.close()
        raise
    guard = ExhaustionGuard(source, steps, steps * max(epochs - initial_epoch, 0), val_source)
    try:
        with (run_with_sources(source, val_source),
              built_from_sample(model, placement, source.first_batch)):
            history = model.fit(
                # bounded at the batches the call needs: nothing is read (and no pass of a
                # Sequence opened) beyond the last epoch
                placement.dataset(functools.partial(
                    source.dataset,
                    steps_per_iteration=guard.total_batches * placement.batches_per_step)),
                steps_per_epoch=steps,
                epochs=epochs,
                verbose=verbose,
                callbacks=list(callbacks or []) + [guard],
                validation_data=(placement.dataset(functools.partial(
                    val_source.dataset,
                    steps_per_iteration=validation_steps * placement.batches_per_step))
                    if val_source is not None else validation_data),
                validation_steps=validation_steps if val_stream else None,
                validation_batch_size=None if val_stream else source.first_batch_size,
                validation_freq=_validation_freq(validation_freq),
                initial_epoch=initial_epoch,
                shuffle=False,
            )
    finally:
        # Keras 3 drops its validation iterator only when fit returns normally; over a
        # closed legacy source it would keep a tf.data iterator alive with the model.
        if getattr(model, "_eval_epoch_iterator", None) is not None:
            model._eval_epoch_iterator = None
    return legacy_history(guard.clean_history(history))


def run_inference(model: Any, run: Any, method: str, mode: str, generator: Any, steps: Any,
                  legacy: dict[str, Any], loading: dict[str, Any], **kwargs: Any) -> Any:
    """Translate the Keras 1 spellings, resolve ``steps``, build the source (sharded
    under a multi-worker strategy) and call ``run(dataset, steps=..., **kwargs)``."""
    values = _translate(method, dict(steps=steps, **loading),
                        dict(steps=None, **LOADING_DEFAULTS), legacy, generator)
    placement = placement_of(model)
    n_steps, shard = placement.plan(
        generator, resolve_steps(values.pop("steps"), "steps", generator, method))
    source = make_source(generator, mode, shard=shard, **values)
    with run_with_sources(source), built_from_sample(model, placement, source.first_batch):
        return run(placement.dataset(functools.partial(
            source.dataset, steps_per_iteration=n_steps * placement.batches_per_step)),
                   steps=n_steps, **kwargs)


def evaluate_generator(
    model: Any,
    generator: Any,
    steps: int | float | None = None,
    callbacks: list[Any] | None = None,
    max_queue_size: int = 10,
    workers: int = 1,
    use_multiprocessing: bool = False,
    verbose: int = 0,
    **legacy_kwargs: Any,
) -> Any:
    """Keras 2 ``Model.evaluate_generator``; modern spelling: ``Model.evaluate(generator)``.

    Returns:
        The loss as a scalar when the model has no metrics, else the list
        ``[loss, *metrics]`` in the order of ``model.metrics_names`` (after
        :func:`kfitcompat.install`) and of :func:`kfitcompat.metrics_names`.
        Averages are weighted by batch size, as in Keras 2.
    """
    logs = run_inference(
        model, model.evaluate, EVALUATE_GENERATOR, "evaluate", generator, steps, legacy_kwargs,
        dict(max_queue_size=max_queue_size, workers=workers,
             use_multiprocessing=use_multiprocessing),
        callbacks=callbacks, verbose=verbose, return_dict=True,
    )
    return _legacy_evaluate_result(model, logs)


def _legacy_evaluate_result(model: Any, logs: dict[str, Any]) -> Any:
    names = sorted(logs, key=lambda n: n != "loss")  # Keras 2: loss first
    try:
        model._kfitcompat_metrics_names = names
    except AttributeError:  # pragma: no cover - exotic models with __slots__
        pass
    values = [float(np.asarray(logs[n])) for n in names]
    return values[0] if len(values) == 1 else values


def predict_generator(
    model: Any,
    generator: Any,
    steps: int | float | None = None,
    callbacks: list[Any] | None = None,
    max_queue_size: int = 10,
    workers: int = 1,
    use_multiprocessing: bool = False,
    verbose: int = 0,
    **legacy_kwargs: Any,
) -> Any:
    """Keras 2 ``Model.predict_generator``; modern spelling: ``Model.predict(generator)``.

    Each batch may be ``x`` (an array, a list of arrays for several inputs, a
    dict) or a tuple ``(x, y[, sample_weight])`` whose ``x`` is used.

    Returns:
        The predictions stacked over all steps (a list for several outputs).
    """
    return run_inference(
        model, model.predict, PREDICT_GENERATOR, "predict", generator, steps, legacy_kwargs,
        dict(max_queue_size=max_queue_size, workers=workers,
             use_multiprocessing=use_multiprocessing),
        callbacks=callbacks, verbose=verbose,
    )


def fit(
    model: Any,
    x: Any = None,
    y: Any = None,
    batch_size: int | None = None,
    epochs: int = 1,
    verbose: int | str = 1,
    callbacks: list[Any] | None = None,
    validation_split: float = 0.0,
    validation_data: Any = None,
    shuffle: bool | str = True,
    class_weight: Mapping[Any, float] | None = None,
    sample_weight: Any = None,
    initial_epoch: int = 0,
    steps_per_epoch: int | float | None = None,
    validation_steps: int | float | None = None,
    validation_batch_size: int | None = None,
    validation_freq: int | SequenceType[int] = 1,
    max_queue_size: int = 10,
    workers: int = 1,
    use_multiprocessing: bool = False,
    view_metrics: bool | str = False,
    **legacy_kwargs: Any,
) -> Any:
    """Keras 2 ``Model.fit``; modern spelling: ``Model.fit`` without the loading arguments.

    ``x`` may be arrays (or lists/dicts of arrays), a ``tf.data.Dataset``, a
    generator, any iterator, or a ``Sequence``. For arrays: ``validation_split``
    takes the last fraction before shuffling (values outside ``(0, 1)`` are
    ignored, as in Keras 2); ``shuffle='batch'`` shuffles the order of
    batch-sized chunks and keeps the remainder last. For generators and
    Sequences this is :func:`fit_generator`. ``nb_epoch`` is accepted (Keras 1).
    """
    values = _translate(FIT, dict(epochs=epochs), dict(epochs=1), legacy_kwargs, x)
    epochs = values["epochs"]
    _check_epochs(epochs, initial_epoch)
    callbacks = _with_plot(callbacks, view_metrics)
    check_loading_args(workers, max_queue_size, use_multiprocessing)
    if is_legacy_stream(x):
        for name, value in (("y", y), ("sample_weight", sample_weight)):
            if value is not None:
                raise ValueError(
                    f"`{name}` argument is not supported when `x` is a generator or a "
                    f"Sequence: yield `(x, y[, sample_weight])` from it instead."
                )
        if validation_split:
            raise ValueError(
                "`validation_split` is only supported for Tensors or NumPy arrays; pass "
                "`validation_data` when `x` is a generator or a Sequence."
            )
        return _fit_stream(
            model, x, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose,
            callbacks=callbacks, validation_data=validation_data,
            validation_steps=validation_steps, validation_freq=validation_freq,
            class_weight=class_weight, max_queue_size=max_queue_size, workers=workers,
            use_multiprocessing=use_multiprocessing, shuffle=shuffle, initial_epoch=initial_epoch,
            method=FIT,
        )
    return fit_arrays(
        model, x, y, batch_size=batch_size, epochs=epochs, verbose=verbose, callbacks=callbacks,
        validation_split=validation_split, validation_data=validation_data, shuffle=shuffle,
        class_weight=class_weight, sample_weight=sample_weight, initial_epoch=initial_epoch,
        steps_per_epoch=steps_per_epoch, validation_steps=validation_steps,
        validation_batch_size=validation_batch_size,
        validation_freq=_validation_freq(validation_freq),
    )
