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

__all__ = ["DROPPED", "IMPLEMENTATIONS", "KERAS1_CLASSES", "KERAS1_KEYWORDS", "KERNEL_KEYWORDS",
           "MERGE_MODES", "SPECIAL", "convert_keras1_config", "keras1_init", "keras1_class",
           "layer_init", "merge", "sequential_add"]

_COMMON = {"init": "kernel_initializer", "W_regularizer": "kernel_regularizer",
           "b_regularizer": "bias_regularizer", "W_constraint": "kernel_constraint",
           "b_constraint": "bias_constraint", "bias": "use_bias", "dim_ordering": "data_format"}
_CONV = {**_COMMON, "nb_filter": "filters", "border_mode": "padding", "subsample": "strides",
         "atrous_rate": "dilation_rate"}
_POOL = {"border_mode": "padding", "dim_ordering": "data_format", "pool_length": "pool_size",
         "stride": "strides"}
_RECURRENT = {"inner_init": "recurrent_initializer", "U_regularizer": "recurrent_regularizer",
              "U_constraint": "recurrent_constraint", "dropout_W": "dropout",
              "dropout_U": "recurrent_dropout", "inner_activation": "recurrent_activation"}
_RNN = {**_COMMON, **_RECURRENT, "output_dim": "units", "consume_less": "implementation"}
_FORMAT = {"dim_ordering": "data_format"}

#: Keras 3 layer class -> {Keras 1 keyword: Keras 2/3 keyword} (Keras 2.3.1's
#: ``keras/legacy/interfaces.py`` conversions, layer by layer).
KERAS1_KEYWORDS: dict[str, dict[str, str]] = {
    "Dense": {**_COMMON, "output_dim": "units"},
    "Conv1D": {**_CONV, "filter_length": "kernel_size", "subsample_length": "strides"},
    "Conv2D": _CONV, "Conv3D": _CONV, "Conv2DTranspose": _CONV,
    # Keras 2 gave SeparableConv2D's init to both kernels (below), not to a kernel_initializer
    "SeparableConv2D": {k: v for k, v in _CONV.items()
                        if k not in ("init", "W_regularizer", "W_constraint")},
    "ConvLSTM2D": {**_CONV, **_RECURRENT},
    "MaxPooling1D": _POOL, "MaxPooling2D": _POOL, "MaxPooling3D": _POOL,
    "AveragePooling1D": _POOL, "AveragePooling2D": _POOL, "AveragePooling3D": _POOL,
    **{f"Global{kind}Pooling{n}D": _FORMAT for kind in ("Average", "Max") for n in (2, 3)},
    "ZeroPadding2D": _FORMAT, "ZeroPadding3D": _FORMAT,
    "UpSampling1D": {"length": "size"}, "UpSampling2D": _FORMAT, "UpSampling3D": _FORMAT,
    "Cropping2D": _FORMAT, "Cropping3D": _FORMAT,
    "Flatten": {},
    "Dropout": {"p": "rate"}, "GaussianDropout": {"p": "rate"},
    "SpatialDropout1D": {"p": "rate"},
    "SpatialDropout2D": {"p": "rate", **_FORMAT}, "SpatialDropout3D": {"p": "rate", **_FORMAT},
    "GaussianNoise": {"sigma": "stddev"},
    "PReLU": {"init": "alpha_initializer"},
    "Embedding": {"init": "embeddings_initializer", "W_regularizer": "embeddings_regularizer",
                  "W_constraint": "embeddings_constraint"},
    "BatchNormalization": {"beta_init": "beta_initializer", "gamma_init": "gamma_initializer"},
    "LSTM": _RNN, "GRU": _RNN, "SimpleRNN": _RNN,
}
#: Keras 1 class names Keras 3 lacks -> the Keras 3 class they build.
KERAS1_CLASSES = {"Convolution1D": "Conv1D", "Convolution2D": "Conv2D",
                  "Convolution3D": "Conv3D", "Deconvolution2D": "Conv2DTranspose",
                  "AtrousConvolution1D": "Conv1D", "AtrousConvolution2D": "Conv2D",
                  "SeparableConvolution2D": "SeparableConv2D"}
# Keras 1's kernel sizes: positionals after nb_filter, or these keywords
_ROW_COL = ("nb_row", "nb_col")
KERNEL_KEYWORDS = {"Conv2D": _ROW_COL, "SeparableConv2D": _ROW_COL,
                   "Conv2DTranspose": _ROW_COL, "ConvLSTM2D": _ROW_COL,
                   "Conv3D": ("kernel_dim1", "kernel_dim2", "kernel_dim3")}
DROPPED: dict[str, dict[str, Any]] = {"BatchNormalization": {"mode": 0},
                                      "Conv2DTranspose": {"output_shape": None},
                                      "Embedding": {"dropout": None}}
# Keras 1 keywords with a rule of their own (:func:`_special`), per layer
_SHAPED = ("input_dim", "input_length")  # -> input_shape=(input_length, input_dim)
SPECIAL: dict[str, tuple[str, ...]] = {
    "Conv1D": _SHAPED, "LSTM": (*_SHAPED, "forget_bias_init"),
    "GRU": _SHAPED, "SimpleRNN": _SHAPED, "ConvLSTM2D": ("forget_bias_init",),
    "SeparableConv2D": ("init",),
}
_DATA_FORMATS = {"th": "channels_first", "tf": "channels_last", "default": None}
IMPLEMENTATIONS = {"cpu": 0, "mem": 1, "gpu": 2}  # LSTM/GRU consume_less -> implementation
_PADS = ("top_pad", "bottom_pad", "left_pad", "right_pad")


def _is_keras1(layer: str, name: str, value: Any) -> bool:
    """Whether keyword ``name=value`` of ``layer`` is a Keras 1 spelling (Keras 3 rejects
    it or reads it differently)."""
    if name in KERAS1_KEYWORDS.get(layer, {}) or name in DROPPED.get(layer, {}):
        return True
    if name in KERNEL_KEYWORDS.get(layer, ()):
        return True
    if name == "padding":  # ZeroPadding2D(padding={'top_pad': 1, ...})
        return layer == "ZeroPadding2D" and isinstance(value, dict) and set(value) <= set(_PADS)
    return name in SPECIAL.get(layer, ())


def _special(layer: str, kwargs: dict[str, Any], done: list[str]) -> None:
    """The Keras 1 keywords Keras 2 converted with a rule rather than a rename."""
    if "input_dim" in SPECIAL.get(layer, ()) and (
            "input_dim" in kwargs or "input_length" in kwargs):
        if "input_dim" in kwargs:
            kwargs["input_shape"] = (kwargs.pop("input_length", None), kwargs.pop("input_dim"))
            done.append("input_dim, input_length -> input_shape")
        else:
            kwargs.pop("input_length")
            done.append("input_length dropped (the input's own length is used)")
    if "forget_bias_init" in kwargs:
        value = kwargs.pop("forget_bias_init")
        if value == "one":
            kwargs["unit_forget_bias"] = True
            done.append("forget_bias_init='one' -> unit_forget_bias=True")
        else:
            done.append(f"forget_bias_init={value!r} ignored, as Keras 2 did (only 'one' had "
                        "a counterpart: unit_forget_bias=True)")
    if layer == "SeparableConv2D" and "init" in kwargs:
        kwargs["depthwise_initializer"] = kwargs["pointwise_initializer"] = kwargs.pop("init")
        done.append("init -> depthwise_initializer and pointwise_initializer")
    padding = kwargs.get("padding")
    if layer == "ZeroPadding2D" and isinstance(padding, dict):
        top, bottom, left, right = (padding.get(k, 0) for k in _PADS)
        kwargs["padding"] = ((top, bottom), (left, right))
        done.append("padding={'top_pad': ...} -> ((top, bottom), (left, right))")


def _convert(layer: str, args: tuple[Any, ...], kwargs: dict[str, Any], forced: bool
             ) -> tuple[tuple[Any, ...], dict[str, Any], list[str]]:
    table = KERAS1_KEYWORDS.get(layer, {})
    keras1 = [k for k, v in kwargs.items() if _is_keras1(layer, k, v)]
    dict_padding = len(args) == 1 and _is_keras1(layer, "padding", args[0])  # ZeroPadding2D({})
    if not keras1 and not dict_padding and not forced:
        return args, kwargs, []
    kwargs = dict(kwargs)
    done: list[str] = []
    if dict_padding:
        kwargs["padding"], args = args[0], ()
    _special(layer, kwargs, done)
    keywords = KERNEL_KEYWORDS.get(layer)
    if keywords:  # positional (nb_filter, nb_row, nb_col[, nb_depth]) -> filters, kernel_size
        dims = len(keywords)
        named = [kwargs.pop(k) for k in keywords if k in kwargs]
        positional = list(args)
        if layer == "Conv2DTranspose" and len(positional) > 1 + dims:
            positional.pop(1 + dims)  # Deconvolution2D's output_shape: Keras 3 infers it
        sizes = positional[1:1 + dims] + named
        if len(sizes) == dims and all(isinstance(s, int) for s in sizes):
            if positional:
                args = (positional[0], tuple(sizes), *positional[1 + dims:])
            else:  # all by keyword, as in a saved Keras 1 config
                kwargs["kernel_size"] = tuple(sizes)
            done.append(f"({', '.join(keywords)}) -> kernel_size")
    for old in list(kwargs):
        if old in DROPPED.get(layer, {}):
            value = kwargs.pop(old)
            if value not in (DROPPED[layer][old], None) and layer == "BatchNormalization":
                raise ValueError(f"`BatchNormalization(mode={value!r})`: Keras 2 removed modes "
                                 "other than 0 (feature-wise normalization); use mode=0.")
            done.append(f"{old} dropped" + (
                " (Keras 2: put a SpatialDropout1D layer after the Embedding for the same "
                "effect)" if layer == "Embedding" else ""))
        elif old in table:
            value = kwargs.pop(old)
            new = table[old]
            if new in kwargs:
                raise TypeError(f"`{layer}` received both the Keras 1 argument `{old}` and "
                                f"the Keras 2 argument `{new}`: pass only `{new}`.")
            if old == "dim_ordering":
                value = _DATA_FORMATS.get(value, value)
            if old == "consume_less":
                value = IMPLEMENTATIONS.get(value, value)
            if old == "bias":
                value = bool(value)
            kwargs[new] = value
            done.append(f"{old} -> {new}")
    return args, kwargs, done


def convert_keras1_config(layer: str, config: dict[str, Any], forced: bool
                          ) -> tuple[dict[str, Any], list[str]]:
    """A saved Keras 1 layer config (all keywords) of Keras 3's ``layer`` with Keras 2's
    arguments, by the same conversions as a call; also what was converted."""
    _, kwargs, done = _convert(layer, (), config, forced)
    return kwargs, done


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


#: Keras 1 ``merge`` / ``Merge`` modes -> the Keras 2 function (its layer class capitalised).
MERGE_MODES = {"sum": "add", "mul": "multiply", "concat": "concatenate", "ave": "average",
                "max": "maximum", "dot": "dot"}


def merge(inputs: list[Any], mode: str = "sum", concat_axis: int = -1,
          dot_axes: int = -1, name: str | None = None, **kwargs: Any) -> Any:
    """Keras 1 ``merge([a, b], mode=...)``; modern: ``keras.layers.add/concatenate/...``."""
    import keras

    if mode not in MERGE_MODES:
        raise ValueError(f"Invalid value for argument `mode` of `merge`. Expected one of "
                         f"{tuple(MERGE_MODES)}. Received: mode={mode!r}")
    target = MERGE_MODES[mode]
    warn_at_caller(f"`merge(mode={mode!r})` is Keras 1: use `keras.layers.{target}(...)`.")
    options: dict[str, Any] = {"name": name}
    if mode == "concat":
        options["axis"] = concat_axis
    if mode == "dot":
        options["axes"] = dot_axes
    return getattr(keras.layers, target)(inputs, **options)


def layer_init(original: Callable[..., None]) -> Callable[..., None]:
    """``Layer.__init__`` taking Keras 2's ``batch_input_shape=`` and ``batch_size=`` (with
    ``input_shape`` / ``input_dim``): a stateful RNN's fixed batch. The first layer of a
    ``Sequential`` then gets ``keras.Input(batch_shape=...)`` (:func:`sequential_add`)."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        batch_shape = kwargs.pop("batch_input_shape", None)
        batch_size = kwargs.pop("batch_size", None)
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

    __init__.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    return __init__


def sequential_add(original: Callable[..., None]) -> Callable[..., None]:
    """``Sequential.add`` that starts the model with ``keras.Input(batch_shape=...)`` when the
    first layer was given Keras 2's ``batch_input_shape`` (see :func:`layer_init`)."""

    def add(self: Any, layer: Any, rebuild: bool = True) -> None:
        shape = getattr(layer, "_kfitcompat_batch_shape", None)
        if shape is not None and not self._layers:
            from keras.layers import InputLayer

            original(self, InputLayer(batch_shape=shape), rebuild=False)
        original(self, layer, rebuild=rebuild)

    add.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    return add
