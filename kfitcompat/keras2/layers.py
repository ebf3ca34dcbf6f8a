"""Keras 1 layer signatures on Keras 3, by Keras 2's own conversion rules.

Keras 2.0-2.3 ran Keras 1 layer calls with a warning (``keras/legacy/interfaces.py``):
``nb_filter -> filters``, ``(nb_row, nb_col) -> kernel_size``, ``border_mode -> padding``,
``subsample -> strides``, ``init -> kernel_initializer``, ``W_regularizer ->
kernel_regularizer``, ``dim_ordering -> data_format``, ``output_dim -> units``, ``p -> rate``.
After :func:`kfitcompat.install` the same conversions apply where a call is unambiguously
Keras 1: a Keras 1 class name (``Convolution2D``, ``Convolution1D``, ``Deconvolution2D``,
``AtrousConvolution2D``, ...), or any Keras 1-only keyword. So ``Convolution2D(32, 3, 3)``
and ``Conv2D(24, 5, 5, subsample=(2, 2))`` get a 3x3 / 5x5 kernel as in Keras 2, while a
plain ``Conv2D(32, 3, 3)`` keeps its Keras 3 meaning (``strides=3``). The layers built are
Keras 3's own classes (they save and load as such). Also Keras 1's ``merge(...)``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .._warnings import warn_at_caller

__all__ = ["KERAS1_CLASSES", "KERAS1_KEYWORDS", "keras1_init", "keras1_class", "merge"]

_COMMON = {"init": "kernel_initializer", "W_regularizer": "kernel_regularizer",
           "b_regularizer": "bias_regularizer", "W_constraint": "kernel_constraint",
           "b_constraint": "bias_constraint", "bias": "use_bias", "dim_ordering": "data_format"}
_CONV = {**_COMMON, "nb_filter": "filters", "border_mode": "padding", "subsample": "strides",
         "atrous_rate": "dilation_rate"}
_POOL = {"border_mode": "padding", "dim_ordering": "data_format", "pool_length": "pool_size",
         "stride": "strides"}
_RNN = {**_COMMON, "output_dim": "units", "inner_init": "recurrent_initializer",
        "U_regularizer": "recurrent_regularizer", "U_constraint": "recurrent_constraint",
        "dropout_W": "dropout", "dropout_U": "recurrent_dropout",
        "inner_activation": "recurrent_activation"}

#: Keras 3 layer class -> {Keras 1 keyword: Keras 2/3 keyword}.
KERAS1_KEYWORDS: dict[str, dict[str, str]] = {
    "Dense": {**_COMMON, "output_dim": "units"},
    "Conv1D": {**_CONV, "filter_length": "kernel_size", "subsample_length": "strides"},
    "Conv2D": _CONV, "Conv3D": _CONV, "SeparableConv2D": _CONV, "Conv2DTranspose": _CONV,
    "MaxPooling1D": _POOL, "MaxPooling2D": _POOL, "MaxPooling3D": _POOL,
    "AveragePooling1D": _POOL, "AveragePooling2D": _POOL, "AveragePooling3D": _POOL,
    "GlobalAveragePooling2D": {"dim_ordering": "data_format"},
    "GlobalMaxPooling2D": {"dim_ordering": "data_format"},
    "ZeroPadding2D": {"dim_ordering": "data_format"},
    "UpSampling2D": {"dim_ordering": "data_format"},
    "Cropping2D": {"dim_ordering": "data_format"},
    "Flatten": {},
    "Dropout": {"p": "rate"},
    "Embedding": {"init": "embeddings_initializer", "W_regularizer": "embeddings_regularizer",
                  "W_constraint": "embeddings_constraint"},
    "BatchNormalization": {"beta_init": "beta_initializer", "gamma_init": "gamma_initializer"},
    "LSTM": _RNN, "GRU": _RNN, "SimpleRNN": _RNN,
}
#: Keras 1 class names Keras 3 lacks -> the Keras 3 class they build.
KERAS1_CLASSES = {"Convolution1D": "Conv1D", "Convolution2D": "Conv2D",
                  "Convolution3D": "Conv3D", "Deconvolution2D": "Conv2DTranspose",
                  "AtrousConvolution2D": "Conv2D", "SeparableConvolution2D": "SeparableConv2D"}
_KERNEL_DIMS = {"Conv2D": 2, "Conv3D": 3, "SeparableConv2D": 2, "Conv2DTranspose": 2}
_DROPPED: dict[str, dict[str, Any]] = {"BatchNormalization": {"mode": 0},
                                       "Conv2DTranspose": {"output_shape": None}}
_DATA_FORMATS = {"th": "channels_first", "tf": "channels_last", "default": None}


def _convert(layer: str, args: tuple[Any, ...], kwargs: dict[str, Any], forced: bool
             ) -> tuple[tuple[Any, ...], dict[str, Any], list[str]]:
    table = KERAS1_KEYWORDS.get(layer, {})
    keras1 = [k for k in kwargs if k in table or k in _DROPPED.get(layer, {})
              or k in ("nb_row", "nb_col", "nb_depth")]
    if not keras1 and not forced:
        return args, kwargs, []
    kwargs = dict(kwargs)
    done = []
    dims = _KERNEL_DIMS.get(layer)
    if dims:  # positional (nb_filter, nb_row, nb_col[, nb_depth]) -> filters, kernel_size
        named = [kwargs.pop(k) for k in ("nb_row", "nb_col", "nb_depth")[:dims] if k in kwargs]
        positional = list(args)
        if layer == "Conv2DTranspose" and len(positional) > 1 + dims:
            positional.pop(1 + dims)  # Deconvolution2D's output_shape: Keras 3 infers it
        sizes = positional[1:1 + dims] + named
        if len(sizes) == dims and all(isinstance(s, int) for s in sizes):
            args = (positional[0], tuple(sizes), *positional[1 + dims:])
            done.append("(nb_row, nb_col) -> kernel_size")
    for old in list(kwargs):
        if old in _DROPPED.get(layer, {}):
            value = kwargs.pop(old)
            if value not in (_DROPPED[layer][old], None) and layer == "BatchNormalization":
                raise ValueError(f"`BatchNormalization(mode={value!r})`: Keras 2 removed modes "
                                 "other than 0 (feature-wise normalization); use mode=0.")
            done.append(f"{old} dropped")
        elif old in table:
            value = kwargs.pop(old)
            if old == "dim_ordering":
                value = _DATA_FORMATS.get(value, value)
            if old == "bias":
                value = bool(value)
            kwargs[table[old]] = value
            done.append(f"{old} -> {table[old]}")
    return args, kwargs, done


def keras1_init(original: Callable[..., None], layer: str) -> Callable[..., None]:
    """``__init__`` of Keras 3's ``layer`` that also takes its Keras 1 keywords."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        args, kwargs, done = _convert(layer, args, kwargs, forced=False)
        if done:
            warn_at_caller(f"Keras 1 arguments of `{layer}` translated ({', '.join(done)}): "
                           f"update the call to the Keras 2 names.", through_keras=True)
        original(self, *args, **kwargs)

    # Keras reads the layer's constructor arguments from the signature
    __init__.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    return __init__


class _Keras1Name(type):
    """Metaclass of the Keras 1 class names: calling one builds the Keras 3 layer (its call
    read with Keras 1's rules); ``isinstance`` / ``issubclass`` answer for that layer class,
    as they did while the name was Keras 3's alias of it."""

    _target: str

    def _layer(cls) -> type:
        import keras

        return getattr(keras.layers, cls._target)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        args, kwargs, done = _convert(cls._target, args, kwargs, forced=True)
        warn_at_caller(f"`{cls.__name__}` is the Keras 1 name of `keras.layers.{cls._target}`"
                       + (f" ({', '.join(done)})" if done else "") + ": update the call.")
        return cls._layer()(*args, **kwargs)

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, cls._layer())

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, cls._layer())


def keras1_class(name: str) -> type:
    """Keras 1's ``name`` (e.g. ``Convolution2D``): a class whose calls build the Keras 3
    layer, always reading the call with Keras 1's rules."""
    target = KERAS1_CLASSES[name]
    return _Keras1Name(name, (), {"_target": target, "__module__": "keras.layers",
                                  "__doc__": f"Keras 1 ``{name}``; modern: "
                                             f"``keras.layers.{target}``."})


_MERGE_MODES = {"sum": "add", "mul": "multiply", "concat": "concatenate", "ave": "average",
                "max": "maximum", "dot": "dot"}


def merge(inputs: list[Any], mode: str = "sum", concat_axis: int = -1,
          dot_axes: int = -1, name: str | None = None, **kwargs: Any) -> Any:
    """Keras 1 ``merge([a, b], mode=...)``; modern: ``keras.layers.add/concatenate/...``."""
    import keras

    if mode not in _MERGE_MODES:
        raise ValueError(f"Invalid value for argument `mode` of `merge`. Expected one of "
                         f"{tuple(_MERGE_MODES)}. Received: mode={mode!r}")
    target = _MERGE_MODES[mode]
    warn_at_caller(f"`merge(mode={mode!r})` is Keras 1: use `keras.layers.{target}(...)`.")
    options: dict[str, Any] = {"name": name}
    if mode == "concat":
        options["axis"] = concat_axis
    if mode == "dot":
        options["axes"] = dot_axes
    return getattr(keras.layers, target)(inputs, **options)
