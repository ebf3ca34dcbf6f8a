"""Refused Keras 2 names fail with the reason, not with a bare ``AttributeError``.

After ``kfitcompat.install``, a Keras 2 name the API table marks *refused*
(``keras.layers.CuDNNLSTM``, ``from keras.wrappers.scikit_learn import
KerasClassifier``, ``K.placeholder``) raises an error that names it, says why kfitcompat does
not translate it and what to write in Keras 3. Two hooks, both removed by ``uninstall()``:

* a module-level ``__getattr__`` (PEP 562) on the Keras modules that had refused names: it runs
  only for names the module lacks, so ``hasattr`` and feature detection see what Keras 3 has
  (``AttributeError``); a ``from module import name`` gets an ``ImportError`` with the reason;
* a finder at the end of ``sys.meta_path`` for refused Keras 2 module paths
  (``ModuleNotFoundError`` with the reason), asked only after every other finder failed.

Nothing is read at install time: the table is read the first time a refused name is asked for.
"""

from __future__ import annotations

import dis
import importlib.abc
import sys
import types
from typing import Any

from .lookup import verdict_of
from .verdicts import REFUSED

__all__ = ["REFUSAL_MODULES", "RefusedKeras2API", "install_refusals", "refusal",
           "uninstall_refusals"]

#: Keras modules (Keras 3's, and the Keras 2 paths ``install()`` brings back) that had names
#: the table refuses; a test keeps this equal to the table.
REFUSAL_MODULES: tuple[str, ...] = (
    "keras",  # `from keras import initializations` (a refused module of a Keras 3 package)
    "keras.applications", "keras.applications.imagenet_utils", "keras.applications.inception_v3",
    "keras.applications.resnet50", "keras.applications.vgg16", "keras.applications.vgg19",
    "keras.applications.xception", "keras.backend", "keras.backend.common",
    "keras.backend.tensorflow_backend", "keras.callbacks", "keras.callbacks.callbacks",
    "keras.engine", "keras.engine.base_layer", "keras.engine.saving", "keras.engine.topology",
    "keras.engine.training", "keras.initializers", "keras.layers",
    "keras.layers.advanced_activations", "keras.layers.convolutional",
    "keras.layers.convolutional_recurrent", "keras.layers.core", "keras.layers.local",
    "keras.layers.recurrent", "keras.legacy", "keras.losses", "keras.metrics", "keras.models",
    "keras.objectives", "keras.optimizers", "keras.preprocessing.image",
    "keras.preprocessing.text", "keras.regularizers", "keras.utils", "keras.utils.data_utils",
    "keras.utils.generic_utils", "keras.utils.layer_utils", "keras.utils.losses_utils",
    "keras.utils.np_utils", "keras.utils.vis_utils",
)


class RefusedKeras2API(AttributeError):
    """A Keras 2 name kfitcompat does not translate; the message says why and what to use."""


def refusal(path: str) -> str | None:
    """Why kfitcompat refuses the Keras 2 name or module ``path`` (None if it does not)."""
    for kind in ("name", "module"):
        found = verdict_of(f"{kind} {path}")
        if found.verdict == REFUSED:
            return found.why
    return None


def _message(path: str, why: str) -> str:
    return (f"`{path}` is Keras 2 API that kfitcompat does not translate to Keras 3: {why}. "
            "(`kfitcompat check` lists every such use in a file.)")


def _from_import() -> bool:
    """Whether the code asking is a ``from module import name`` statement."""
    frame = sys._getframe(2)
    return dis.opname[frame.f_code.co_code[frame.f_lasti]] == "IMPORT_FROM"


def _module_getattr(module: types.ModuleType, own: Any, paths: list[str]) -> Any:
    """``paths``: every Keras 2 path of this module object (``keras.backend`` is also
    ``keras.backend.tensorflow_backend`` after install())."""

    def __getattr__(name: str) -> Any:
        if own is not None:
            try:
                return own(name)
            except AttributeError:
                pass
        why = None
        path = f"{module.__name__}.{name}"
        for prefix in paths if not name.startswith("__") else ():
            why = refusal(f"{prefix}.{name}")
            if why is not None:
                path = f"{prefix}.{name}"
                break
        if why is None:
            raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")
        if _from_import():
            raise ImportError(_message(path, why), name=module.__name__)
        raise RefusedKeras2API(_message(path, why), name=name, obj=module)

    return __getattr__


class _RefusedModuleFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if not fullname.startswith("keras."):
            return None
        found = verdict_of(f"module {fullname}")
        if found.verdict == REFUSED:
            raise ModuleNotFoundError(_message(fullname, found.why), name=fullname)
        return None


_FINDER = _RefusedModuleFinder()


def install_refusals() -> list[tuple[types.ModuleType, Any]]:
    """Set the hooks; returns what ``uninstall_refusals`` restores."""
    saved: list[tuple[types.ModuleType, Any]] = []
    paths: dict[int, list[str]] = {}  # one module under several Keras 2 paths
    modules = []
    for path in REFUSAL_MODULES:
        module = sys.modules.get(path) or importlib.import_module(path)
        if id(module) not in paths:
            modules.append(module)
        paths.setdefault(id(module), [module.__name__]).append(path)
    for module in modules:
        own = module.__dict__.get("__getattr__")
        saved.append((module, own))
        hook = _module_getattr(module, own, paths[id(module)])
        module.__getattr__ = hook  # type: ignore[method-assign]
    if _FINDER not in sys.meta_path:
        sys.meta_path.append(_FINDER)
    return saved


def uninstall_refusals(saved: list[tuple[types.ModuleType, Any]]) -> None:
    for module, own in reversed(saved):
        if own is None:
            module.__dict__.pop("__getattr__", None)
        else:
            module.__getattr__ = own  # type: ignore[method-assign]
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
