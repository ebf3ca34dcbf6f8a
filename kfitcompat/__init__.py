"""kfitcompat: legacy Keras 1/2 training code on TensorFlow 2.21 + Keras 3.

``import kfitcompat`` patches nothing and imports nothing heavy (TensorFlow is
loaded on first use of a name below, and without it that use raises one ``ImportError``
line saying what to install); ``kfitcompat.install()`` adds
``fit_generator`` & co. to ``keras.Model``. The same entry points are functions
taking the model first: ``kfitcompat.fit_generator(model, gen, ...)``.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._version import __version__
from ._warnings import LegacyArgumentWarning

__all__ = [
    "BatchError",
    "Installation",
    "LEGACY_ARGS",
    "LegacyArgumentWarning",
    "Sequence",
    "WorkerDiedError",
    "__version__",
    "evaluate_generator",
    "fit",
    "fit_generator",
    "image",
    "install",
    "is_installed",
    "load_ipython_extension",
    "metrics_names",
    "plot_history",
    "predict_generator",
    "set_distributed_batch",
    "uninstall",
    "unload_ipython_extension",
    "utils",
]

# name -> module that defines it; imported on first access (PEP 562).
_LAZY = {
    "BatchError": ".data", "Sequence": ".data", "WorkerDiedError": ".data",
    "Installation": ".installer", "install": ".installer", "is_installed": ".installer",
    "uninstall": ".installer",
    "plot_history": ".plotting",
    "load_ipython_extension": ".run", "unload_ipython_extension": ".run",
    "LEGACY_ARGS": ".legacy_table", "evaluate_generator": ".training", "fit": ".training",
    "fit_generator": ".training", "metrics_names": ".training", "predict_generator": ".training",
    "set_distributed_batch": ".training",
}
_SUBMODULES = ("image", "utils", "migrate", "data", "training")
# what works without TensorFlow; the rest first checks it is installed (one line if not)
_WITHOUT_TENSORFLOW = frozenset({"LEGACY_ARGS", "load_ipython_extension",
                                 "unload_ipython_extension", "migrate"})


def __getattr__(name: str) -> Any:
    if name in _LAZY or name in _SUBMODULES:
        if name not in _WITHOUT_TENSORFLOW:
            try:
                from . import _tensorflow  # noqa: F401
            except ImportError as exc:  # raised here: a two-frame traceback, then what to do
                raise ImportError(str(exc), name=exc.name) from None
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'kfitcompat' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
