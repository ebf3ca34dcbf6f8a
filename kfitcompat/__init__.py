"""kfitcompat: legacy Keras 1/2 training code on TensorFlow 2.21 + Keras 3.

``import kfitcompat`` patches nothing; ``kfitcompat.install()`` adds
``fit_generator`` & co. to ``keras.Model``. The same entry points are functions
taking the model first: ``kfitcompat.fit_generator(model, gen, ...)``.
"""

from ._version import __version__
from ._warnings import LegacyArgumentWarning
from .data import BatchError, Sequence, WorkerDiedError
from .install import install, is_installed, uninstall
from .plotting import plot_history
from .training import (
    LEGACY_ARGS,
    evaluate_generator,
    fit,
    fit_generator,
    metrics_names,
    predict_generator,
)

__all__ = [
    "BatchError",
    "LEGACY_ARGS",
    "LegacyArgumentWarning",
    "Sequence",
    "WorkerDiedError",
    "__version__",
    "evaluate_generator",
    "fit",
    "fit_generator",
    "install",
    "is_installed",
    "metrics_names",
    "plot_history",
    "predict_generator",
    "uninstall",
]
