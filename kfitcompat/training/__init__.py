"""The legacy training API: entry points, argument translation, History."""

from .. import _tensorflow  # noqa: F401  (a clear error without TensorFlow)
from .distribute import set_distributed_batch
from .entry_points import evaluate_generator, fit, fit_generator, predict_generator
from .history import AliasDict, legacy_history
from .legacy_args import LEGACY_ARGS, LegacyArg
from .metrics import metrics_names

__all__ = [
    "AliasDict",
    "LEGACY_ARGS",
    "LegacyArg",
    "evaluate_generator",
    "fit",
    "fit_generator",
    "legacy_history",
    "metrics_names",
    "predict_generator",
    "set_distributed_batch",
]
