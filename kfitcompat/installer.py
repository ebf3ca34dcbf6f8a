"""``install()``: the legacy methods on ``keras.Model``, reversibly.

After ``kfitcompat.install()``:

* ``Model.fit_generator``, ``evaluate_generator`` and ``predict_generator`` exist;
* ``Model.fit`` / ``evaluate`` / ``predict`` accept the legacy keyword arguments
  (``nb_epoch``, ``workers``, ``use_multiprocessing``, ``max_queue_size``) and
  the legacy data kinds (any iterator, Keras 2 Sequences, ``class_weight`` with
  generators); calls that use none of these go to Keras 3 untouched;
* ``model.metrics_names`` lists ``['loss', 'accuracy', ...]`` as Keras 2 did
  (Keras 3: ``['loss', 'compile_metrics']``).

``import kfitcompat`` alone patches nothing.
"""

from __future__ import annotations

from . import _tensorflow  # noqa: F401  (before Keras: one line saying what to install)

# isort: split

import functools
import threading
from collections.abc import Callable
from typing import Any

import keras

from . import _upstream
from .data.contracts import Mode
from .data.dispatch import is_legacy_stream
from .keras2.callbacks import give_validation_data
from .legacy.accepts import accepts
from .legacy_table import FIT, legacy_args_for
from .training import entry_points
from .training.distribute import needs_workarounds
from .training.legacy_args import EVALUATE, PREDICT
from .training.metrics import metrics_names as _legacy_metrics_names

__all__ = ["Installation", "install", "uninstall", "is_installed"]

# The state: empty (not installed) or every original install() replaced. Both functions
# read and change it under one lock: two threads (a notebook and a background thread, two
# libraries) calling install() at once patch once, and uninstall() restores all of it.
_ORIGINALS: dict[str, Any] = {}
_LOCK = threading.RLock()
_LOADING = ("workers", "use_multiprocessing", "max_queue_size")


def _as_method(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return func(self, *args, **kwargs)

    # Keras 1 spellings it translates, and Keras 2's positional rule for them
    return accepts(method, (*legacy_args_for(func.__name__, "rename"),
                            "<generator_methods_args_preprocessor>"))


def _patched_fit(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def fit(self: Any, x: Any = None, *args: Any, **kwargs: Any) -> Any:
        legacy = set(kwargs) - set(_k3_params(original))
        if legacy or is_legacy_stream(x) and not _is_plain_k3(x) or needs_workarounds(self):
            return entry_points.fit(self, x, *args, **kwargs)
        give_validation_data(kwargs.get("callbacks"), kwargs.get("validation_data"))
        return original(self, x, *args, **kwargs)

    return accepts(fit, legacy_args_for(FIT))


def _is_plain_k3(x: Any) -> bool:
    """Data Keras 3 handles itself: a PyDataset that is not a kfitcompat/legacy one."""
    from .data.sequence import is_legacy_sequence

    return isinstance(x, _upstream.PyDataset) and not is_legacy_sequence(x)


def _patched_eval_or_predict(original: Callable[..., Any], mode: Mode) -> Callable[..., Any]:
    @functools.wraps(original)
    def method(self: Any, x: Any = None, *args: Any, **kwargs: Any) -> Any:
        loading = {k: kwargs.pop(k) for k in _LOADING if k in kwargs}
        if not is_legacy_stream(x) or (not loading and _is_plain_k3(x)):
            # arrays (loading options do not apply) or a PyDataset Keras 3 runs itself
            return original(self, x, *args, **kwargs)
        return _run_legacy(self, original, mode, x, args, kwargs, loading)

    return accepts(method, _LOADING)


def _run_legacy(model: Any, original: Callable[..., Any], mode: Mode, x: Any,
                args: tuple, kwargs: dict[str, Any], loading: dict[str, Any]) -> Any:
    if args:
        raise TypeError(f"{mode}() with a generator takes the other arguments by keyword")
    return entry_points.run_inference(
        model, functools.partial(original, model), mode, mode, x, kwargs.pop("steps", None), {},
        {**entry_points.LOADING_DEFAULTS, **loading}, **kwargs)


@functools.cache
def _k3_params_cached(func: Callable[..., Any]) -> frozenset[str]:
    import inspect

    return frozenset(inspect.signature(func).parameters)


def _k3_params(func: Callable[..., Any]) -> frozenset[str]:
    return _k3_params_cached(func)


def _metrics_names_property(original: Any) -> property:
    def getter(self: Any) -> list[str]:
        return _legacy_metrics_names(self, fallback=original.fget(self))

    return property(getter, doc="Keras 2 metric names, e.g. ['loss', 'accuracy'].")


class Installation:
    """What [`install`][kfitcompat.installer.install] returns: a context manager, so that
    ``with kfitcompat.install(): ...`` uninstalls on exit (what that call installed only).

    Attributes:
        changed: whether that call installed the surface (``False`` when it was already
            installed: leaving the ``with`` block then uninstalls nothing).
    """

    def __init__(self, changed: bool) -> None:
        self.changed = changed

    def __enter__(self) -> Installation:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.changed:
            uninstall()


def install() -> Installation:
    """Add the legacy methods to ``keras.Model`` (idempotent and thread-safe: of calls made
    at once, one patches and the others return; undo with
    [`uninstall`][kfitcompat.installer.uninstall]).

    Returns:
        An [`Installation`][kfitcompat.installer.Installation]; as a context manager it
        uninstalls on exit.
    """
    with _LOCK:
        if _ORIGINALS:
            return Installation(changed=False)
        try:
            _patch()
        except BaseException:  # a failed install leaves nothing patched
            _restore()
            raise
        return Installation(changed=True)


def _patch() -> None:
    model = keras.Model
    for name in ("fit", "evaluate", "predict", "metrics_names", "fit_generator",
                 "evaluate_generator", "predict_generator"):
        _ORIGINALS[name] = model.__dict__.get(name, _MISSING)
    model.fit = _patched_fit(model.fit)  # type: ignore[method-assign]
    model.evaluate = _patched_eval_or_predict(model.evaluate, EVALUATE)  # type: ignore
    model.predict = _patched_eval_or_predict(model.predict, PREDICT)  # type: ignore
    model.metrics_names = _metrics_names_property(_find_property(model, "metrics_names"))
    model.fit_generator = _as_method(entry_points.fit_generator)  # type: ignore[attr-defined]
    model.evaluate_generator = _as_method(entry_points.evaluate_generator)  # type: ignore
    model.predict_generator = _as_method(entry_points.predict_generator)  # type: ignore
    from .legacy.refusals import install_refusals
    from .surface import install_surface

    _ORIGINALS["__surface__"] = install_surface()
    _ORIGINALS["__refusals__"] = install_refusals()


def uninstall() -> None:
    """Restore ``keras.Model`` and the legacy import paths as they were before
    [`install`][kfitcompat.installer.install] (idempotent and thread-safe)."""
    with _LOCK:
        _restore()


def _restore() -> None:
    if not _ORIGINALS:
        return
    model = keras.Model
    surface = _ORIGINALS.pop("__surface__", None)
    refusals = _ORIGINALS.pop("__refusals__", None)
    if refusals is not None:
        from .legacy.refusals import uninstall_refusals

        uninstall_refusals(refusals)
    for name, value in _ORIGINALS.items():
        if value is _MISSING:
            if name in model.__dict__:
                delattr(model, name)
        else:
            setattr(model, name, value)
    _ORIGINALS.clear()
    if surface is not None:
        from .surface import uninstall_surface

        uninstall_surface(surface)


def is_installed() -> bool:
    """Whether [`install`][kfitcompat.installer.install] is in effect."""
    with _LOCK:
        return bool(_ORIGINALS)


class _Missing:
    pass


_MISSING = _Missing()


def _find_property(cls: type, name: str) -> Any:
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    raise AttributeError(name)
