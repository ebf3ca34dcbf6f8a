"""The legacy entry points as functions taking the model first.

``fit_generator(model, generator, ...)`` is Keras 2's
``model.fit_generator(generator, ...)``; after
[`kfitcompat.install`][kfitcompat.installer.install] the same functions are methods of
``keras.Model``. Each call lands on Keras 3 ``Model.fit`` / ``evaluate`` / ``predict`` with
the data as a ``tf.data`` pipeline.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from collections.abc import Sequence as SequenceType
from typing import Any

import numpy as np

from .. import _upstream
from ..keras2.callbacks import give_validation_data
from .arrays import fit_arrays
from .call import LegacyCall, legacy_entry
from .legacy_args import (
    EVALUATE_GENERATOR,
    FIT,
    FIT_GENERATOR,
    PREDICT_GENERATOR,
)
from .runner import check_epochs, fit_stream, normalize_validation_freq, run_inference

__all__ = ["evaluate_generator", "fit", "fit_generator", "predict_generator"]

def _fit_generator(call: LegacyCall) -> Any:
    give_validation_data(call["callbacks"], call.validation_data)
    return fit_stream(call, _with_plot(call["callbacks"], call["view_metrics"]))


@legacy_entry(FIT_GENERATOR, data="generator", run=_fit_generator)
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
        max_queue_size: batches loaded ahead of the training step, at most.
        workers: loader threads (or processes) working at once.
        use_multiprocessing: load a ``Sequence`` in worker processes (see
            ``kfitcompat.data.processes``).
        shuffle: shuffle the order of a Sequence's batches each pass.
        view_metrics: R keras' argument: a plot of every metric redrawn after each epoch.
            ``True`` / ``"auto"``: inline under Jupyter (no file), else
            ``kfitcompat-metrics.png``; a path: that PNG (and inline under Jupyter).
        **legacy_kwargs: the Keras 1 spellings ``samples_per_epoch``, ``nb_epoch``,
            ``nb_val_samples``, ``nb_worker``, ``pickle_safe``, ``max_q_size``.

    Returns:
        The ``History``; its ``acc`` and ``accuracy`` keys answer for each other.

    Raises:
        ValueError: missing ``steps_per_epoch``/``validation_steps`` for a
            generator, or a malformed batch (naming the step and the shapes).
        TypeError: an unknown keyword argument.
    """


def _with_plot(callbacks: list[Any] | None, view_metrics: Any) -> list[Any] | None:
    from ..plotting import view_metrics_callback

    plot = view_metrics_callback(view_metrics)
    return callbacks if plot is None else list(callbacks or []) + [plot]


def _evaluate_generator(call: LegacyCall) -> Any:
    logs = run_inference(call, functools.partial(_upstream.model_evaluate, call.model),
                         "evaluate", callbacks=call["callbacks"], verbose=call["verbose"],
                         return_dict=True)
    return _legacy_evaluate_result(call.model, logs)


@legacy_entry(EVALUATE_GENERATOR, data="generator", run=_evaluate_generator)
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
        [`kfitcompat.install`][kfitcompat.installer.install]) and of
        [`kfitcompat.metrics_names`][kfitcompat.training.metrics.metrics_names].
        Averages are weighted by batch size, as in Keras 2.
    """


def _legacy_evaluate_result(model: Any, logs: dict[str, Any]) -> Any:
    names = sorted(logs, key=lambda n: n != "loss")  # Keras 2: loss first
    try:
        model._kfitcompat_metrics_names = names
    except AttributeError:  # pragma: no cover - exotic models with __slots__
        pass
    values = [float(np.asarray(logs[n])) for n in names]
    return values[0] if len(values) == 1 else values


def _predict_generator(call: LegacyCall) -> Any:
    return run_inference(call, functools.partial(_upstream.model_predict, call.model),
                         "predict", callbacks=call["callbacks"], verbose=call["verbose"])


@legacy_entry(PREDICT_GENERATOR, data="generator", run=_predict_generator)
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


def _fit(call: LegacyCall) -> Any:
    check_epochs(call["epochs"], call["initial_epoch"])
    give_validation_data(call["callbacks"], call.validation_data)
    callbacks = _with_plot(call["callbacks"], call["view_metrics"])
    if call.data.is_stream:
        for name in ("y", "sample_weight"):
            if call[name] is not None:
                raise ValueError(
                    f"`{name}` argument is not supported when `x` is a generator or a "
                    f"Sequence: yield `(x, y[, sample_weight])` from it instead."
                )
        if call["validation_split"]:
            raise ValueError(
                "`validation_split` is only supported for Tensors or NumPy arrays; pass "
                "`validation_data` when `x` is a generator or a Sequence."
            )
        return fit_stream(call, callbacks)
    kw = call.others("y", "view_metrics", "validation_freq", "callbacks")
    return fit_arrays(call.model, call.data.value, call["y"], **kw, callbacks=callbacks,
                      validation_data=call.validation_data,
                      validation_freq=normalize_validation_freq(call["validation_freq"]))


@legacy_entry(FIT, data="x", run=_fit)
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
    Sequences this is [`fit_generator`][kfitcompat.training.entry_points.fit_generator].
    ``nb_epoch`` is accepted (Keras 1).
    """

