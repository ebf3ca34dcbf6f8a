"""The legacy-argument table: one row per Keras 1/2 keyword kfitcompat knows.

Runtime translation (:mod:`kfitcompat.training.translate`), the docs and the
tests all read this table. ``action`` is one of:

* ``"rename"``: a Keras 1 spelling; the value moves to ``target`` (after
  ``convert``) with a :class:`~kfitcompat.LegacyArgumentWarning`.
* ``"data"``: a loading option Keras 3 moved off ``fit``; kfitcompat applies it
  to the ``tf.data`` pipeline it builds (``target`` is where Keras 3 keeps it).
* ``"callback"``: implemented as a callback kfitcompat adds (``target`` is the
  native spelling).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LegacyArg", "LEGACY_ARGS", "legacy_args_for"]

FIT = "fit"
FIT_GENERATOR = "fit_generator"
EVALUATE_GENERATOR = "evaluate_generator"
PREDICT_GENERATOR = "predict_generator"
EVALUATE = "evaluate"
PREDICT = "predict"
_GENERATOR_METHODS = (FIT_GENERATOR, EVALUATE_GENERATOR, PREDICT_GENERATOR)
_ALL = (FIT, EVALUATE, PREDICT) + _GENERATOR_METHODS


@dataclass(frozen=True)
class LegacyArg:
    """One legacy keyword argument and what kfitcompat does with it."""

    name: str
    methods: tuple[str, ...]
    action: str
    target: str
    convert: str = "none"
    note: str = ""


LEGACY_ARGS: tuple[LegacyArg, ...] = (
    LegacyArg("nb_epoch", (FIT, FIT_GENERATOR), "rename", "epochs",
              note="Keras 1 name; same value."),
    LegacyArg("samples_per_epoch", (FIT_GENERATOR,), "rename", "steps_per_epoch",
              convert="divide_by_generator_batch_size",
              note="Keras 2.0 rule: divided by `generator.batch_size` when the generator "
                   "has one, otherwise used unchanged as a step count."),
    LegacyArg("nb_val_samples", (FIT_GENERATOR,), "rename", "validation_steps",
              note="Keras 2.0 rule: the same number, used as a step count (not divided)."),
    LegacyArg("val_samples", (EVALUATE_GENERATOR, PREDICT_GENERATOR), "rename", "steps",
              note="Keras 2.0 rule: the same number, used as a step count (not divided)."),
    LegacyArg("nb_worker", _GENERATOR_METHODS, "rename", "workers",
              note="Keras 1 name; same value."),
    LegacyArg("pickle_safe", _GENERATOR_METHODS, "rename", "use_multiprocessing",
              note="Keras 1 name; same value."),
    LegacyArg("max_q_size", _GENERATOR_METHODS, "rename", "max_queue_size",
              note="Keras 1 name; same value."),
    LegacyArg("workers", _ALL, "data", "PyDataset(workers=...)",
              note="Threads (or processes) loading batches in parallel."),
    LegacyArg("use_multiprocessing", _ALL, "data", "PyDataset(use_multiprocessing=...)",
              note="Load in worker processes (spawned, never forked) instead of threads."),
    LegacyArg("max_queue_size", _ALL, "data", "PyDataset(max_queue_size=...)",
              note="At most this many batches are prepared ahead of training."),
    LegacyArg("view_metrics", (FIT, FIT_GENERATOR), "callback",
              "callbacks=[kfitcompat.plotting.MetricsPlot(path)]",
              note="R keras' argument: a metric plot redrawn after each epoch."),
)


def legacy_args_for(method: str, action: str | None = None) -> dict[str, LegacyArg]:
    """Rows of :data:`LEGACY_ARGS` that ``method`` accepts, keyed by legacy name."""
    return {
        row.name: row
        for row in LEGACY_ARGS
        if method in row.methods and (action is None or row.action == action)
    }
