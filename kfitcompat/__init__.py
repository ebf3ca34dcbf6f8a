"""kfitcompat: legacy Keras 1/2 training code on TensorFlow 2.21 + Keras 3.

``import kfitcompat`` patches nothing and imports nothing heavy (TensorFlow is
loaded on first use of a name below); ``kfitcompat.install()`` adds
``fit_generator`` & co. to ``keras.Model``. The same entry points are functions
taking the model first: ``kfitcompat.fit_generator(model, gen, ...)``.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

from ._version import __version__
from ._warnings import LegacyArgumentWarning

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
    "install": ".install", "is_installed": ".install", "uninstall": ".install",
    "plot_history": ".plotting",
    "load_ipython_extension": ".run", "unload_ipython_extension": ".run",
    "LEGACY_ARGS": ".legacy_table", "evaluate_generator": ".training", "fit": ".training",
    "fit_generator": ".training", "metrics_names": ".training", "predict_generator": ".training",
    "set_distributed_batch": ".training",
}
_SUBMODULES = ("image", "utils", "migrate", "data", "training")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'kfitcompat' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


# Functions named like the submodule that defines them: ``kfitcompat.install``.
_SAME_NAME = frozenset(name for name, module in _LAZY.items() if module == f".{name}")


class _Package(types.ModuleType):
    """The package keeps ``kfitcompat.install`` the function. Importing a submodule sets
    it as an attribute of its package, so ``from kfitcompat.install import ...`` (or
    ``kfitcompat.is_installed()``, ``kfitcompat run``) made ``kfitcompat.install`` the module
    and ``kfitcompat.install()`` a ``TypeError``; the submodule stays in ``sys.modules``."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SAME_NAME and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
