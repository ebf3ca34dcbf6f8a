"""The legacy methods of ``keras.Model``, as factories of ``SURFACE`` rows.

``install()`` sets them like every other row of ``kfitcompat.surface.SURFACE``:

* ``fit`` / ``evaluate`` / ``predict`` (``wrap``): the legacy keyword arguments (``nb_epoch``,
  ``workers``, ``use_multiprocessing``, ``max_queue_size``) and the legacy data kinds (any
  iterator, Keras 2 Sequences, ``class_weight`` with generators) go through
  ``kfitcompat.training``; a call that uses none of them reaches the captured Keras 3 method
  untouched;
* ``metrics_names`` (``wrap``): Keras 2's ``['loss', 'accuracy', ...]`` (Keras 3:
  ``['loss', 'compile_metrics']``);
* ``fit_generator``, ``evaluate_generator``, ``predict_generator`` (``add``): Keras 2's
  methods; modern spelling ``fit`` / ``evaluate`` / ``predict`` with the generator.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, cast

from .. import _upstream
from ..data.contracts import Mode
from ..data.dispatch import classify
from ..keras2.callbacks import give_validation_data
from ..legacy.accepts import accepts
from ..legacy_table import FIT, GENERATOR_METHODS, LOADING_DEFAULTS, legacy_args_for
from . import entry_points
from .call import bind
from .distribute import needs_workarounds
from .history import legacy_history
from .metrics import metrics_names as _legacy_metrics_names
from .runner import run_inference
from .targets import single_output_call
from .translate import drop_ignored

__all__ = ["generator_method", "legacy_fit", "legacy_inference",
           "legacy_metrics_names", "legacy_on_batch"]

_LOADING = tuple(LOADING_DEFAULTS)  # workers, use_multiprocessing, max_queue_size
_LOADING_NAMES = frozenset(_LOADING)
_MODES: tuple[Mode, ...] = ("evaluate", "predict")


def generator_method(name: str) -> Callable[..., Any]:
    """``Model.fit_generator`` & co.: the function of ``kfitcompat.training`` as a method."""
    if name not in GENERATOR_METHODS:
        raise ValueError(f"generator_method: name={name!r}; accepted: {GENERATOR_METHODS}")
    func = getattr(entry_points, name)

    @functools.wraps(func)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return func(self, *args, **kwargs)

    # Keras 1 spellings it translates, and Keras 2's positional rule for them
    return accepts(method, (*legacy_args_for(name, "rename"), *legacy_args_for(name, "ignore"),
                            "<generator_methods_args_preprocessor>"))


def legacy_fit(original: Callable[..., Any]) -> Callable[..., Any]:
    """``Model.fit`` taking Keras 2's arguments and data kinds; Keras 3's ``fit`` otherwise."""
    names = _parameters(original)

    @functools.wraps(original)
    def fit(self: Any, x: Any = None, *args: Any, **kwargs: Any) -> Any:
        args, kwargs = single_output_call(self, args, kwargs)
        legacy = set(kwargs) - names
        data = classify(x)  # once for the whole call: entry_points.fit takes it as it is
        if legacy or data.is_stream and not _is_plain_k3(x) or needs_workarounds(self):
            return entry_points.fit(self, data, *args, **kwargs)
        give_validation_data(kwargs.get("callbacks"), kwargs.get("validation_data"))
        return legacy_history(original(self, x, *args, **kwargs))

    return accepts(fit, legacy_args_for(FIT))


def legacy_inference(original: Callable[..., Any], method: str) -> Callable[..., Any]:
    """``Model.evaluate`` / ``predict`` (``method``) over a legacy stream with the loading
    arguments; Keras 3's method for arrays and for a PyDataset it runs itself."""
    if method not in _MODES:
        raise ValueError(f"legacy_inference: method={method!r}; accepted: {_MODES}")
    mode = cast(Mode, method)

    signature = _with_loading(inspect.signature(original))

    @functools.wraps(original)
    def call(self: Any, x: Any = None, *args: Any, **kwargs: Any) -> Any:
        kwargs = drop_ignored(mode, kwargs)
        if mode == "evaluate":
            args, kwargs = single_output_call(self, args, kwargs)
        data = classify(x)  # once for the whole call: bind takes it as it is
        if not data.is_stream or (_is_plain_k3(x) and not _LOADING_NAMES & set(kwargs)):
            plain = {k: v for k, v in kwargs.items() if k not in _LOADING_NAMES}
            return original(self, x, *args, **plain)
        legacy = bind(mode, signature, (self, data, *args), kwargs, data="x", legacy=False)
        return run_inference(legacy, functools.partial(original, self), mode,
                             **legacy.others("steps"))

    return accepts(call, (*_LOADING, *legacy_args_for(mode, "ignore")))


def legacy_on_batch(original: Callable[..., Any]) -> Callable[..., Any]:
    """``Model.train_on_batch`` / ``test_on_batch`` taking Keras 2's targets of a model with
    one output (keyed by its name, or a list of numbers: ``training/targets.py``)."""

    @functools.wraps(original)
    def on_batch(self: Any, x: Any = None, *args: Any, **kwargs: Any) -> Any:
        args, kwargs = single_output_call(self, args, kwargs)
        return original(self, x, *args, **kwargs)

    return on_batch


def legacy_metrics_names(original: property) -> property:
    """``Model.metrics_names`` as Keras 2 listed it (``original``: Keras 3's property)."""
    def getter(self: Any) -> list[str]:
        return _legacy_metrics_names(self, fallback=original.fget(self))  # type: ignore[misc]

    return property(getter, doc="Keras 2 metric names, e.g. ['loss', 'accuracy'].")


def _is_plain_k3(x: Any) -> bool:
    """Data Keras 3 handles itself: a PyDataset that is not a kfitcompat/legacy one."""
    from ..data.sequence import is_legacy_sequence

    return isinstance(x, _upstream.PyDataset) and not is_legacy_sequence(x)


def _with_loading(signature: inspect.Signature) -> inspect.Signature:
    """Keras 3's ``evaluate`` / ``predict`` signature with Keras 2's loading arguments
    (keyword-only, with their Keras 2 defaults) before its ``**kwargs``."""
    params = list(signature.parameters.values())
    at = next((i for i, p in enumerate(params) if p.kind is p.VAR_KEYWORD), len(params))
    loading = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
               for name, default in LOADING_DEFAULTS.items()]
    return signature.replace(parameters=[*params[:at], *loading, *params[at:]])


@functools.cache
def _parameters(func: Callable[..., Any]) -> frozenset[str]:
    return frozenset(inspect.signature(func).parameters)
