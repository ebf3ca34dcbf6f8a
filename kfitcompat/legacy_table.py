"""The legacy-argument table: one row per Keras 1/2 keyword kfitcompat knows, as data.

Runtime translation (``kfitcompat.training.translate``), ``kfitcompat check`` /
``migrate`` (``kfitcompat.migrate.rules``), the docs (``docs/legacy_arguments.md``) and the
tests all read this one table. It imports neither TensorFlow nor Keras.

``action`` (what ``install()`` and the entry points do at run time):

* ``"rename"``: a Keras 1 spelling; the value moves to ``target`` (after ``convert``) with a
  ``LegacyArgumentWarning``.
* ``"data"``: a loading option Keras 3 moved off ``fit``; kfitcompat applies it to the
  ``tf.data`` pipeline it builds (``target`` is where Keras 3 keeps it).
* ``"callback"``: implemented as a callback kfitcompat adds (``target`` is the native spelling).
* ``"ignore"``: a Keras 0.x argument Keras 1 still accepted and ignored, with a warning: the
  same (``target`` says what the author meant).

``migrate`` (what ``kfitcompat migrate --target keras3`` writes): ``"rename"`` (the same
value under ``target``), ``"divide"`` (a Keras 1 *sample* count becomes ``target =
count // <the data argument's batch size>``), ``"move_to_dataset"`` (onto the ``PyDataset``
that the data argument is), ``"drop"`` (no native spelling; the call is reported),
``"delete"`` (the keyword had no effect: it goes).

The ``nb_val_samples`` / ``val_samples`` rule, decided once: at run time they keep Keras 2.0's
meaning (the same number, used as a step count: what a script that ran on Keras 2 got), with
a warning that says what a Keras 1 author meant; ``migrate`` writes what the script meant in
Keras 1 (samples divided by the batch size). Both are in the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "EVALUATE",
    "EVALUATE_GENERATOR",
    "FIT",
    "FIT_GENERATOR",
    "GENERATOR_METHODS",
    "KERAS224_LOG_NAMES",
    "LEGACY_ARGS",
    "LOADING_DEFAULTS",
    "LegacyArg",
    "POSITIONAL",
    "PREDICT",
    "PREDICT_GENERATOR",
    "legacy_args_for",
]

FIT = "fit"
FIT_GENERATOR = "fit_generator"
EVALUATE_GENERATOR = "evaluate_generator"
PREDICT_GENERATOR = "predict_generator"
EVALUATE = "evaluate"
PREDICT = "predict"
#: Keras 2's generator methods of ``Model`` (Keras 3 has none of them).
GENERATOR_METHODS = (FIT_GENERATOR, EVALUATE_GENERATOR, PREDICT_GENERATOR)
_ALL = (FIT, EVALUATE, PREDICT) + GENERATOR_METHODS

#: The legacy methods' parameters in positional order (Keras 2.3.1 / tf.keras 2.x, which
#: added ``validation_freq`` and the inference ``callbacks`` to Keras 2.2.4's order): the order
#: of ``kfitcompat.training.entry_points`` and the one ``migrate`` names positionals by.
POSITIONAL: dict[str, tuple[str, ...]] = {
    FIT_GENERATOR: ("generator", "steps_per_epoch", "epochs", "verbose", "callbacks",
                    "validation_data", "validation_steps", "validation_freq", "class_weight",
                    "max_queue_size", "workers", "use_multiprocessing", "shuffle",
                    "initial_epoch"),
    EVALUATE_GENERATOR: ("generator", "steps", "callbacks", "max_queue_size", "workers",
                         "use_multiprocessing", "verbose"),
    PREDICT_GENERATOR: ("generator", "steps", "callbacks", "max_queue_size", "workers",
                        "use_multiprocessing", "verbose"),
}

#: Keras 2's defaults for the loading options, in one place.
LOADING_DEFAULTS: dict[str, Any] = {"workers": 1, "use_multiprocessing": False,
                                       "max_queue_size": 10}


@dataclass(frozen=True)
class LegacyArg:
    """One legacy keyword argument: what the runtime and the migration tool do with it."""

    name: str
    methods: tuple[str, ...]
    action: str
    target: str
    convert: str = "none"
    note: str = ""
    origin: str = "Keras 1.2.2"
    owner: str = "kfitcompat.training.translate"
    migrate: str = "rename"
    data_arg: str = ""  # for migrate="divide": the argument whose batch size divides
    default: object = None


LEGACY_ARGS: tuple[LegacyArg, ...] = (
    LegacyArg("nb_epoch", (FIT, FIT_GENERATOR), "rename", "epochs",
              note="Keras 1 name; same value."),
    LegacyArg("samples_per_epoch", (FIT_GENERATOR,), "rename", "steps_per_epoch",
              convert="divide_by_generator_batch_size",
              note="Keras 2.0 rule: divided by `generator.batch_size` when the generator "
                   "has one, otherwise used unchanged as a step count.",
              migrate="divide", data_arg="generator"),
    LegacyArg("nb_val_samples", (FIT_GENERATOR,), "rename", "validation_steps",
              note="Keras 2.0 rule: the same number, used as a step count (not divided). "
                   "If it was a Keras 1 sample count, pass "
                   "`validation_steps=nb_val_samples // batch_size` instead.",
              migrate="divide", data_arg="validation_data"),
    LegacyArg("val_samples", (EVALUATE_GENERATOR, PREDICT_GENERATOR), "rename", "steps",
              note="Keras 2.0 rule: the same number, used as a step count (not divided). "
                   "If it was a Keras 1 sample count, pass `steps=val_samples // batch_size` "
                   "instead.",
              migrate="divide", data_arg="generator"),
    LegacyArg("nb_worker", GENERATOR_METHODS, "rename", "workers",
              note="Keras 1 name; same value.", migrate="move_to_dataset"),
    LegacyArg("pickle_safe", GENERATOR_METHODS, "rename", "use_multiprocessing",
              note="Keras 1 name; same value.", migrate="move_to_dataset"),
    LegacyArg("max_q_size", GENERATOR_METHODS, "rename", "max_queue_size",
              note="Keras 1 name; same value.", migrate="move_to_dataset"),
    LegacyArg("workers", _ALL, "data", "PyDataset(workers=...)",
              note="Threads (or processes) loading batches in parallel.", origin="Keras 2.0.6",
              owner="kfitcompat.data.loading", migrate="move_to_dataset",
              default=LOADING_DEFAULTS["workers"]),
    LegacyArg("use_multiprocessing", _ALL, "data", "PyDataset(use_multiprocessing=...)",
              note="Load in worker processes (spawned, never forked) instead of threads.",
              origin="Keras 2.0.6", owner="kfitcompat.data.loading", migrate="move_to_dataset",
              default=LOADING_DEFAULTS["use_multiprocessing"]),
    LegacyArg("max_queue_size", _ALL, "data", "PyDataset(max_queue_size=...)",
              note="At most this many batches are prepared ahead of training.",
              origin="Keras 2.0.6", owner="kfitcompat.data.loading", migrate="move_to_dataset",
              default=LOADING_DEFAULTS["max_queue_size"]),
    LegacyArg("show_accuracy", (FIT, EVALUATE, FIT_GENERATOR, EVALUATE_GENERATOR), "ignore",
              "metrics=['accuracy'] (compile)",
              note="Keras 1 dropped it with a warning: pass `metrics=['accuracy']` to "
                   "`compile`.", origin="Keras 0.3", migrate="delete"),
    LegacyArg("view_metrics", (FIT, FIT_GENERATOR), "callback",
              "callbacks=[kfitcompat.plotting.MetricsPlot(path)]",
              note="R keras' argument: a metric plot redrawn after each epoch.",
              origin="R keras", owner="kfitcompat.plotting", migrate="drop"),
)


def legacy_args_for(method: str, action: str | None = None) -> dict[str, LegacyArg]:
    """Rows of ``LEGACY_ARGS`` that ``method`` accepts, keyed by legacy name."""
    return {
        row.name: row
        for row in LEGACY_ARGS
        if method in row.methods and (action is None or row.action == action)
    }

#: The name Keras 2.2.4 logged a metric string under in ``History`` and callback logs (the
#: metric function's name; ``acc`` for ``'accuracy'``) -> the name Keras 3 logs for the same
#: string (``training.history`` answers each for the other; ``migrate`` rewrites a lookup).
KERAS224_LOG_NAMES: dict[str, str] = {
    "acc": "accuracy", "mean_squared_error": "mse", "mean_absolute_error": "mae",
    "mean_absolute_percentage_error": "mape", "mean_squared_logarithmic_error": "msle",
    "kullback_leibler_divergence": "kld",
    "lr": "learning_rate",  # ReduceLROnPlateau (and 2.3's LearningRateScheduler) logged `lr`
}
