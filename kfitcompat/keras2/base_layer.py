"""Keras 2's base-layer arguments on Keras 3's ``Layer``: ``batch_input_shape=``,
``batch_size=``, ``weights=``, ``input_dtype=``, and the ``Sequential`` they start.

``layer_init`` wraps Keras 3's ``Layer.__init__``; ``sequential_add`` starts a ``Sequential``
with ``keras.Input(batch_shape=...)`` when its first layer names a batch shape. A Keras 3 layer
whose ``__init__`` takes no ``**kwargs`` (``SpatialDropout1D``) gets Keras 2's base-layer
keywords handed to ``layer_init`` through ``forwarded_to_layer_init``.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Any

from .._warnings import warn_at_caller
from ..legacy.accepts import accepts

__all__ = ["closed_keywords", "forwarded_to_layer_init", "layer_init", "sequential_add"]

#: Base-layer keywords a closed ``__init__`` (no ``**kwargs``) passed on, by instance id,
#: from ``keras1_init`` to ``layer_init`` for the length of one constructor call.
_FORWARDED: dict[int, dict[str, Any]] = {}


def closed_keywords(original: Callable[..., None]) -> tuple[str, ...]:
    """Keras 2's base-layer keywords (``input_shape``, ``trainable``, ...) that a Keras 3
    ``__init__`` without ``**kwargs`` (``SpatialDropout1D``) refuses; empty for the others."""
    from ..legacy.api import layer_keywords

    params = inspect.signature(original).parameters
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return ()
    return tuple(k for k in layer_keywords() if k not in params)


@contextlib.contextmanager
def forwarded_to_layer_init(layer: Any, keywords: dict[str, Any]) -> Iterator[None]:
    """While ``layer`` is constructed, ``layer_init`` adds ``keywords`` to the arguments of
    Keras 3's ``Layer.__init__`` (a subclass ``__init__`` without ``**kwargs`` drops them)."""
    if not keywords:
        yield
        return
    _FORWARDED[id(layer)] = keywords
    try:
        yield
    finally:
        _FORWARDED.pop(id(layer), None)


def layer_init(original: Callable[..., None]) -> Callable[..., None]:
    """``Layer.__init__`` taking Keras 2's ``batch_input_shape=`` and ``batch_size=`` (with
    ``input_shape`` / ``input_dim``): a stateful RNN's fixed batch. The first layer of a
    ``Sequential`` then gets ``keras.Input(batch_shape=...)`` (``sequential_add``)."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.update(_FORWARDED.pop(id(self), {}))
        batch_shape = kwargs.pop("batch_input_shape", None)
        batch_size = kwargs.pop("batch_size", None)
        weights = kwargs.pop("weights", None) if _takes_no_weights(self) else None
        if "input_dtype" in kwargs:  # Keras 1's name, still accepted by Keras 2
            dtype = kwargs.pop("input_dtype")
            if kwargs.get("dtype") is None:
                kwargs["dtype"] = dtype
        if batch_shape is None and batch_size is not None:
            shape = kwargs.get("input_shape")
            if shape is None and kwargs.get("input_dim") is not None:
                shape = (kwargs["input_dim"],)
            if shape is None:
                raise ValueError(f"`{type(self).__name__}(batch_size={batch_size!r})` needs "
                                 "`input_shape` (Keras 2 built batch_input_shape from both).")
            batch_shape = (batch_size, *tuple(shape))
        if batch_shape is not None:
            batch_shape = tuple(batch_shape)
            kwargs.pop("input_dim", None)
            kwargs["input_shape"] = batch_shape[1:]
            warn_at_caller(f"`batch_input_shape={batch_shape}` (or `batch_size=`) is Keras 2's "
                           "layer argument: use `keras.Input(batch_shape="
                           f"{batch_shape})` as the model's input.", through_keras=True)
        original(self, *args, **kwargs)
        if batch_shape is not None:
            self._input_shape_arg = None  # Sequential.add: the batch shape instead
            self._kfitcompat_batch_shape = batch_shape
        if weights is not None:
            _set_weights_when_built(self, weights)

    __init__.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    return accepts(__init__, ("batch_input_shape", "batch_size", "weights", "input_dtype"))


def _takes_no_weights(layer: Any) -> bool:
    """Keras 2's ``Layer(weights=[...])`` (initial weights) is for Keras 3 layers whose own
    signature lacks it (Keras 3's ``Embedding(weights=)`` keeps its own)."""
    return "weights" not in inspect.signature(type(layer).__init__).parameters


def _set_weights_when_built(layer: Any, weights: list[Any]) -> None:
    """Keras 2 set a layer's initial ``weights`` once it was built: the layer's (Keras-wrapped)
    ``build`` is wrapped once more to ``set_weights`` after it, then put back."""
    build = layer.build

    @functools.wraps(build)  # Keras reads build's signature to call it
    def build_then_set_weights(*args: Any, **kwargs: Any) -> Any:
        result = build(*args, **kwargs)
        object.__setattr__(layer, "build", build)
        layer.set_weights(list(weights))
        return result

    object.__setattr__(layer, "build", build_then_set_weights)


def sequential_add(original: Callable[..., None]) -> Callable[..., None]:
    """``Sequential.add`` that starts the model with ``keras.Input(batch_shape=...)`` when the
    first layer was given Keras 2's ``batch_input_shape`` (see ``layer_init``)."""

    def add(self: Any, layer: Any, rebuild: bool = True) -> None:
        shape = getattr(layer, "_kfitcompat_batch_shape", None)
        if shape is not None and not self._layers:
            from keras.layers import InputLayer

            original(self, InputLayer(batch_shape=shape), rebuild=False)
        original(self, layer, rebuild=rebuild)

    add.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    return add
