"""Keras 1's ``Model(input=..., output=...)`` on Keras 3 (modern: ``inputs=``, ``outputs=``).

After ``kfitcompat.install``, ``keras.Model`` (and Keras 3's functional model class)
read ``input`` / ``output`` as ``inputs`` / ``outputs`` when the Keras 2 names are absent,
with a warning. Calls that use ``inputs`` / ``outputs`` are unchanged.
"""

from __future__ import annotations

import functools
import inspect
import weakref
from collections.abc import Callable
from typing import Any

from .. import _upstream
from .._warnings import warn_at_caller
from ..legacy.accepts import accepts
from .portable import keras2_add_loss, keras2_reset_states

__all__ = ["MAKE_FUNCTIONS", "clone_model", "compile_method", "functional_add_loss",
           "functional_init", "input_names", "model_new", "output_names", "predict_classes",
           "predict_proba", "reset_states"]


def _renamed(kwargs: dict[str, Any]) -> dict[str, Any]:
    if ("input" not in kwargs and "output" not in kwargs) or "inputs" in kwargs:
        return kwargs
    kwargs = dict(kwargs)
    if "input" in kwargs:
        kwargs["inputs"] = kwargs.pop("input")
    if "output" in kwargs:
        kwargs["outputs"] = kwargs.pop("output")
    return kwargs


def model_new(original: Any) -> Any:
    """``Model.__new__`` that dispatches ``Model(input=, output=)`` to the functional API."""
    new = original.__func__ if isinstance(original, staticmethod) else original

    def __new__(cls: type, *args: Any, **kwargs: Any) -> Any:
        return new(cls, *args, **_renamed(kwargs))

    return staticmethod(accepts(__new__, ("input", "output")))


def functional_init(original: Callable[..., None]) -> Callable[..., None]:
    """The functional model's ``__init__``, taking Keras 1's ``input`` / ``output``."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        renamed = _renamed(kwargs)
        if renamed is not kwargs:
            warn_at_caller("`Model(input=..., output=...)` is the Keras 1 spelling: use "
                           "`Model(inputs=..., outputs=...)`.", through_keras=True)
        original(self, *args, **renamed)

    # Keras reads the layer's constructor arguments from the signature
    __init__.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    return accepts(__init__, ("input", "output"))


def _is_metric_list(value: Any) -> bool:
    return isinstance(value, (list, tuple, dict)) and not all(
        isinstance(v, (int, float)) for v in (value.values() if isinstance(value, dict)
                                              else value))


# optimizer instance -> the model it was first compiled into (weak both ways)
_OPTIMIZER_OWNERS: weakref.WeakKeyDictionary[Any, weakref.ref] = weakref.WeakKeyDictionary()


def _own_optimizer(model: Any, optimizer: Any) -> Any:
    """``optimizer``, or a copy of it (same configuration) if another live model was compiled
    with this instance: a Keras 3 optimizer updates only the variables it was built with,
    where a Keras 2 optimizer served every model it was compiled into (one ``Adam`` for a
    GAN's discriminator and combined model)."""
    import keras

    if not isinstance(optimizer, keras.optimizers.Optimizer):
        return optimizer
    owner = _OPTIMIZER_OWNERS.get(optimizer)
    first = owner() if owner is not None else None
    uses: Any = getattr(first, "optimizer", None)
    if first is None or first is model or uses is not optimizer or _trains_within(model, first):
        _OPTIMIZER_OWNERS[optimizer] = weakref.ref(model)
        return optimizer
    cls: Any = type(optimizer)
    copy = cls.from_config(optimizer.get_config())
    _OPTIMIZER_OWNERS[copy] = weakref.ref(model)
    warn_at_caller(
        f"This {type(optimizer).__name__} instance was compiled into model `{first.name}` "
        f"too: a Keras 3 optimizer updates only the variables it was built with, so "
        f"`{model.name}` gets its own copy (same settings, its own iteration count and "
        "slots), as Keras 2 kept slots per variable. Create one optimizer per model.")
    return copy


def _trains_within(model: Any, first: Any) -> bool:
    """Whether ``model`` trains only variables ``first`` trains too (a sub-model sharing its
    layers): Keras 3 serves those with one optimizer, so it stays shared."""
    mine = {id(v) for v in getattr(model, "trainable_variables", ())}
    return bool(mine) and mine <= {id(v) for v in getattr(first, "trainable_variables", ())}


def _metrics_per_output(model: Any, metrics: Any) -> Any:
    """Keras 2 applied a flat ``metrics`` list to every output of a multi-output model; Keras 3
    reads a flat list as one entry per output and rejects one of another length. A list of
    another length than the outputs (which Keras 3 rejects) gets Keras 2's meaning; a list of
    exactly one entry per output keeps Keras 3's."""
    outputs = getattr(model, "outputs", None) or []
    if (not isinstance(metrics, (list, tuple)) or len(outputs) < 2
            or len(metrics) == len(outputs)
            or any(isinstance(m, (list, tuple, dict)) for m in metrics)):
        return metrics
    warn_at_caller(f"`compile(metrics={list(metrics)!r})` on a model with {len(outputs)} "
                   "outputs: each output gets these metrics, as in Keras 2 (Keras 3 reads a "
                   "list as one metric per output).")
    return [[_fresh_metric(m) for m in metrics] for _ in outputs]


def _fresh_metric(metric: Any) -> Any:
    """A metric object of its own for each output (a Keras 3 metric holds state)."""
    import keras

    if isinstance(metric, keras.metrics.Metric):
        return type(metric).from_config(metric.get_config())
    return metric


def compile_method(original: Callable[..., Any]) -> Callable[..., Any]:
    """``Model.compile`` that takes Keras 2's calls: ``compile(opt, loss, metrics)``
    positionally, ``sample_weight_mode``, one loss for several outputs with a list of
    ``loss_weights`` (Keras 2 applied the loss to every output), and one optimizer instance
    compiled into several models (``_own_optimizer``)."""

    def compile(self: Any, *given: Any, **kwargs: Any) -> Any:  # noqa: A001
        args = list(given)
        if args:
            args[0] = _own_optimizer(self, args[0])
        elif "optimizer" in kwargs:
            kwargs["optimizer"] = _own_optimizer(self, kwargs["optimizer"])
        if len(args) >= 3 and _is_metric_list(args[2]) and "metrics" not in kwargs:
            kwargs["metrics"] = args.pop(2)  # Keras 2's third positional is `metrics`
            warn_at_caller("`compile(optimizer, loss, metrics)`: Keras 3's third positional "
                           "argument is `loss_weights`; pass `metrics=` by keyword.")
        if "class_mode" in kwargs:  # Keras 0.x; Keras 1 ignored it with a warning
            kwargs.pop("class_mode")
            warn_at_caller("`compile(class_mode=...)` was ignored by Keras 1 already and is "
                           "ignored here: remove it.")
        mode = kwargs.pop("sample_weight_mode", None)
        if mode not in (None, "temporal"):
            raise ValueError("Invalid value for argument `sample_weight_mode`. Expected None "
                             f"or 'temporal'. Received: sample_weight_mode={mode!r}")
        if mode == "temporal":
            warn_at_caller("`sample_weight_mode='temporal'` is not needed in Keras 3: 2-D "
                           "sample weights are used per timestep as they are.")
        if "metrics" in kwargs:
            kwargs["metrics"] = _metrics_per_output(self, kwargs["metrics"])
        loss = args[1] if len(args) > 1 else kwargs.get("loss")
        weights = kwargs.get("loss_weights")
        if (loss is not None and not isinstance(loss, (list, tuple, dict))
                and isinstance(weights, (list, tuple, dict)) and len(weights) > 1):
            spread = ({name: loss for name in weights} if isinstance(weights, dict)
                      else [loss] * len(weights))
            if len(args) > 1:
                args[1] = spread
            else:
                kwargs["loss"] = spread
        return original(self, *args, **kwargs)

    compile.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    return accepts(compile, ("sample_weight_mode", "class_mode"))


def predict_proba(self: Any, x: Any, batch_size: int = 32, verbose: int = 0) -> Any:
    """Keras 2 ``Sequential.predict_proba`` (removed in TF 2.6): ``predict``, with a warning
    when the outputs are not probabilities. Modern: ``model.predict(x)``."""
    import numpy as np

    preds = _upstream.model_predict(self, x, batch_size=batch_size, verbose=verbose)
    if np.min(preds) < 0.0 or np.max(preds) > 1.0:
        warn_at_caller("Network returning invalid probability values. The last layer might "
                       "not normalize predictions into probabilities (like softmax or "
                       "sigmoid would).", UserWarning)
    return preds


def predict_classes(self: Any, x: Any, batch_size: int = 32, verbose: int = 0) -> Any:
    """Keras 2 ``Sequential.predict_classes`` (removed in TF 2.6): the arg-max class of a
    multi-unit output, ``output > 0.5`` as int32 for one unit. Modern:
    ``np.argmax(model.predict(x), axis=-1)`` or ``(model.predict(x) > 0.5).astype("int32")``."""
    proba = _upstream.model_predict(self, x, batch_size=batch_size, verbose=verbose)
    if proba.shape[-1] > 1:
        return proba.argmax(axis=-1)
    return (proba > 0.5).astype("int32")


_OWN_INPUT_NAMES = "_kfitcompat_input_names"


def _input_names(self: Any) -> list[str]:
    import keras

    if _OWN_INPUT_NAMES in self.__dict__:  # a subclass that sets its own
        return self.__dict__[_OWN_INPUT_NAMES]  # type: ignore[no-any-return]
    if isinstance(self, keras.Sequential):  # Keras 2 named its input layer so
        return [f"{self.layers[0].name}_input"] if self.layers else []
    by_tensor = {id(layer.output): layer.name for layer in self.layers
                 if isinstance(layer, keras.layers.InputLayer)}
    return [by_tensor.get(id(tensor), tensor.name) for tensor in self.inputs]


def _set_input_names(self: Any, value: Any) -> None:
    self.__dict__[_OWN_INPUT_NAMES] = value


input_names = property(_input_names, _set_input_names, doc=(
    "Keras 2 ``model.input_names``: the names of the model's input layers; modern: "
    "``[t.name for t in model.inputs]``."))


def _output_names(self: Any) -> list[str]:
    return [self.layers[-1].name] if self.layers else []


output_names = property(_output_names, doc=(
    "Keras 2 ``Sequential.output_names``: the name of the last layer; modern: "
    "``model.layers[-1].name``."))


def clone_model(original: Callable[..., Any]) -> Callable[..., Any]:
    """``keras.models.clone_model`` that clones a model holding ``Lambda(lambda x: ...)``, as
    Keras 2's did: Keras 3 clones through its serialization, whose safe mode refuses a Python
    lambda. The function is the caller's own, in memory (safe mode guards files); other
    calls are unchanged."""
    from .._keras_private import safe_mode_scope

    @functools.wraps(original)
    def clone(*args: Any, **kwargs: Any) -> Any:
        with safe_mode_scope(False):
            return original(*args, **kwargs)

    return clone


def _make_function(kind: str) -> Any:
    def method(self: Any) -> Any:
        return getattr(self, f"make_{kind}_function")()

    method.__name__ = method.__qualname__ = f"_make_{kind}_function"
    method.__doc__ = (f"Keras 2's private ``model._make_{kind}_function()``, which web-serving "
                      f"scripts call once before threads predict; modern: "
                      f"``model.make_{kind}_function()`` (or nothing: Keras 3 builds it on the "
                      "first call).")
    return method


#: Keras 2's ``model._make_{train,test,predict}_function()``.
MAKE_FUNCTIONS = {f"_make_{kind}_function": _make_function(kind)
                  for kind in ("train", "test", "predict")}
globals().update(MAKE_FUNCTIONS)


def reset_states(self: Any) -> None:
    """Keras 2 ``Model.reset_states()``: reset the state of every stateful layer (nested
    models included). Modern: ``layer.reset_state()`` on each stateful RNN layer."""
    keras2_reset_states(self)


def functional_add_loss(original: Callable[..., Any]) -> Callable[..., Any]:
    """A functional model's ``add_loss(tensor)`` with Keras 2's meaning: a loss computed from
    the model's inputs, added to every step's loss (the Keras 2 VAE:
    ``vae.add_loss(K.mean(reconstruction + kl))``, then ``compile(optimizer)`` with no
    ``loss``), by ``keras2_add_loss``, which migrate writes
    into migrated code. Keras 3 raises ``NotImplementedError`` for a symbolic tensor, so no
    valid Keras 3 code changes. Modern: a layer whose ``call`` calls ``self.add_loss``, or a
    ``compute_loss`` override."""

    def add_loss(self: Any, loss: Any) -> Any:
        import keras

        tensors = list(loss) if isinstance(loss, (list, tuple)) else [loss]
        if not tensors or not all(isinstance(t, keras.KerasTensor) for t in tensors):
            return original(self, loss)
        keras2_add_loss(self, loss)
        warn_at_caller("`model.add_loss(tensor)` on a functional model is Keras 2: kfitcompat "
                       "adds the tensor's value to every step's loss. Keras 3 has no symbolic "
                       "losses: call `self.add_loss` in a layer's `call`, or override "
                       "`compute_loss`.")
        return None

    return add_loss

