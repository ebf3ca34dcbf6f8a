"""Keras 1 layer signatures on Keras 3, by Keras 2's own conversion rules.

Keras 2.0-2.3 ran Keras 1 layer calls with a warning (``keras/legacy/interfaces.py``):
``nb_filter -> filters``, ``(nb_row, nb_col) -> kernel_size``, ``border_mode -> padding``,
``subsample -> strides``, ``init -> kernel_initializer``, ``W_regularizer ->
kernel_regularizer``, ``dim_ordering -> data_format``, ``output_dim -> units``, ``p -> rate``.
After ``kfitcompat.install`` the same conversions apply where a call is unambiguously
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

from .._warnings import called_from_installed_package, warn_at_caller
from ..legacy.accepts import accepts
from .base_layer import closed_keywords, forwarded_to_layer_init

__all__ = ["CUDNN_CLASSES", "DROPPED", "IMPLEMENTATIONS", "KERAS1_CLASSES", "KERAS1_KEYWORDS",
           "KERAS2_DEFAULTS", "LEGACY_LAYER_CLASSES",
           "KERAS2_KERNEL_POSITIONALS", "KERNEL_KEYWORDS", "KFITCOMPAT_LAYERS", "PREPROCESSORS",
           "SPECIAL",
           "convert_keras1_config", "keras1_init", "keras1_class", "keras1_names",
           "leaky_relu_init"]

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
    # Keras 2 gave its locally connected layers the Conv1D / Conv2D interfaces (keras2/local.py)
    "LocallyConnected1D": {**_CONV, "filter_length": "kernel_size",
                           "subsample_length": "strides"},
    "LocallyConnected2D": _CONV,
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
#: Keras 2 layers Keras 3 removed -> the kfitcompat module that defines them (their Keras 1
#: keywords are wrapped on that class).
KFITCOMPAT_LAYERS = {"LocallyConnected1D": "kfitcompat.keras2.local",
                     "LocallyConnected2D": "kfitcompat.keras2.local"}
#: Keras 1 class names Keras 3 lacks -> the Keras 3 class they build.
KERAS1_CLASSES = {"Convolution1D": "Conv1D", "Convolution2D": "Conv2D",
                  "Convolution3D": "Conv3D", "Deconvolution2D": "Conv2DTranspose",
                  "AtrousConvolution1D": "Conv1D", "AtrousConvolution2D": "Conv2D",
                  "SeparableConvolution2D": "SeparableConv2D"}
#: Keras 2 / tf.keras layer classes Keras 3 lacks -> (Keras 3 class, settings of theirs that
#: the Keras 3 class must be given, {old key: new key}): for saved configs, and for the calls
#: of ``CUDNN_CLASSES``.
LEGACY_LAYER_CLASSES: dict[str, tuple[str, dict[str, Any], dict[str, str]]] = {
    "CuDNNLSTM": ("LSTM", {"activation": "tanh", "recurrent_activation": "sigmoid"}, {}),
    "CuDNNGRU": ("GRU", {"activation": "tanh", "recurrent_activation": "sigmoid",
                         "reset_after": True}, {}),
    "ThresholdedReLU": ("ReLU", {}, {"theta": "threshold"}),
}
#: Keras 2's cuDNN-only layers (GPU only in Keras 2): the name builds the Keras 3 layer that
#: computes the same, which uses cuDNN by itself on a GPU and runs on any device.
CUDNN_CLASSES = ("CuDNNLSTM", "CuDNNGRU")
# Keras 1's kernel sizes: positionals after nb_filter, or these keywords
_ROW_COL = ("nb_row", "nb_col")
KERNEL_KEYWORDS = {"Conv2D": _ROW_COL, "SeparableConv2D": _ROW_COL, "LocallyConnected2D": _ROW_COL,
                   "Conv2DTranspose": _ROW_COL, "ConvLSTM2D": _ROW_COL,
                   "Conv3D": ("kernel_dim1", "kernel_dim2", "kernel_dim3")}
#: Keras 1 arguments Keras 3 has no counterpart for, dropped (with a warning); the value is
#: the only one Keras 2 itself still accepted, or None for any.
DROPPED: dict[str, dict[str, Any]] = {
    "BatchNormalization": {"mode": 0}, "Conv2DTranspose": {"output_shape": None},
    "Embedding": {"dropout": None},
    "SimpleRNN": {"implementation": None},  # Keras 3's LSTM/GRU still take it, SimpleRNN not
}
# Keras 1 keywords with a rule of their own (``_special``), per layer
_SHAPED = ("input_dim", "input_length")  # -> input_shape=(input_length, input_dim)
SPECIAL: dict[str, tuple[str, ...]] = {
    "Conv1D": _SHAPED, "LocallyConnected1D": _SHAPED, "LSTM": (*_SHAPED, "forget_bias_init"),
    "GRU": _SHAPED, "SimpleRNN": _SHAPED, "ConvLSTM2D": ("forget_bias_init",),
    "SeparableConv2D": ("init",), "Embedding": ("input_length",),
}
#: Keras 2 defaults Keras 3 dropped (Keras 3 requires the argument): applied when a call
#: gives neither the keyword nor its positional.
KERAS2_DEFAULTS: dict[str, dict[str, tuple[int, Any]]] = {
    **{f"{kind}Pooling{n}D": {"pool_size": (0, 2 if n == 1 else (2,) * n)}
       for kind in ("Max", "Average") for n in (1, 2, 3)},
}
#: Keras 2 (``conv2d_args_preprocessor``, ``conv3d_args_preprocessor``) read
#: ``Conv2D(filters, 3, 3)`` as a 3x3 kernel; Keras 3 reads the third positional as
#: ``strides``. layer -> how many int positionals after ``filters`` make the kernel.
KERAS2_KERNEL_POSITIONALS = {"Conv2D": 2, "SeparableConv2D": 2, "Conv2DTranspose": 2,
                             "ConvLSTM2D": 2, "Conv3D": 3, "LocallyConnected2D": 2}
_KERNEL_CONFLICTS = ("padding", "strides", "data_format")
#: Keras 2's positional/keyword rules (``keras/legacy/interfaces.py`` preprocessors) this
#: module carries out for each layer: kernel positionals and ``nb_row``/``nb_col``
#: (conv), ``input_dim``/``input_length`` (recurrent, Conv1D), ``forget_bias_init``, dropped
#: ``mode``/``dropout``, dict ``ZeroPadding2D`` padding.
PREPROCESSORS = {"Conv2D": "conv2d_args_preprocessor",
                 "SeparableConv2D": "separable_conv2d_args_preprocessor",
                 "ConvLSTM2D": "convlstm2d_args_preprocessor",
                 "Conv2DTranspose": "deconv2d_args_preprocessor",
                 "Conv3D": "conv3d_args_preprocessor", "Conv1D": "conv1d_args_preprocessor",
                 "LocallyConnected1D": "conv1d_args_preprocessor",
                 "LocallyConnected2D": "conv2d_args_preprocessor",
                 **{rnn: "recurrent_args_preprocessor" for rnn in ("LSTM", "GRU", "SimpleRNN")},
                 "BatchNormalization": "batchnorm_args_preprocessor",
                 "Embedding": "embedding_kwargs_preprocessor",
                 "ZeroPadding2D": "zeropadding2d_args_preprocessor"}
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
    if layer == "Embedding" and "input_length" in kwargs:
        length = kwargs.pop("input_length")
        if length is not None and "input_shape" not in kwargs:
            kwargs["input_shape"] = tuple(length) if isinstance(length, (list, tuple)) else (
                length,)
            done.append("input_length -> input_shape")
        else:
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


def _keras2_defaults(layer: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for name, (position, default) in KERAS2_DEFAULTS.get(layer, {}).items():
        if name not in kwargs and len(args) <= position:
            kwargs[name] = default


def _keras2_kernel(layer: str, args: tuple[Any, ...], kwargs: dict[str, Any]
                   ) -> tuple[Any, ...]:
    """``Conv2D(64, 3, 3)`` -> ``Conv2D(64, (3, 3))`` where Keras 2's reading applies: a
    script or notebook's call (not an installed package's), all int positionals, and none of
    the keywords Keras 2 refused beside them."""
    dims = KERAS2_KERNEL_POSITIONALS.get(layer)
    if dims is None or len(args) != 1 + dims:
        return args
    sizes = args[1:]
    if not all(isinstance(s, int) and not isinstance(s, bool) for s in sizes):
        return args
    if any(k in kwargs for k in _KERNEL_CONFLICTS) and dims == 2:
        return args  # Conv2D(f, k, s, padding=...) is Keras 3 code (Keras 2 refused it)
    if called_from_installed_package():
        return args
    warn_at_caller(f"`{layer}({args[0]}, {', '.join(map(str, sizes))})` read as Keras 2 did: "
                   f"`kernel_size={tuple(sizes)}` (Keras 3 alone reads the positional after "
                   "the kernel size as `strides`). kfitcompat gives a script's calls Keras 2's "
                   "reading and an installed package's Keras 3's; say which you mean with "
                   "keywords.", through_keras=True)
    return (args[0], tuple(sizes))


def keras1_init(original: Callable[..., None], layer: str) -> Callable[..., None]:
    """``__init__`` of Keras 3's ``layer`` that also takes its Keras 1 keywords, Keras 2's
    defaults (``KERAS2_DEFAULTS``) and Keras 2's kernel positionals
    (``KERAS2_KERNEL_POSITIONALS``); where Keras 3's ``__init__`` takes no ``**kwargs``,
    also the keywords Keras 2's ``Layer`` took from every layer (``input_shape=``, ...)."""
    closed = closed_keywords(original)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        args, kwargs, done = _convert(layer, args, kwargs, forced=False)
        if done:
            warn_at_caller(f"Keras 1/2 arguments of `{layer}` that Keras 3 lacks were translated "
                           f"({', '.join(done)}): update the call.", through_keras=True)
        else:
            args = _keras2_kernel(layer, args, kwargs)
        _keras2_defaults(layer, args, kwargs)
        with forwarded_to_layer_init(self, {k: kwargs.pop(k) for k in closed if k in kwargs}):
            original(self, *args, **kwargs)

    # Keras reads the layer's constructor arguments from the signature
    __init__.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    return accepts(__init__, keras1_names(layer) + (("kwargs",) if closed else ()))


def leaky_relu_init(original: Callable[..., None]) -> Callable[..., None]:
    """``LeakyReLU(alpha=-1.0)``: Keras 2 took any slope (``max(x, alpha * x)`` for
    ``alpha <= 1``); Keras 3's ``LeakyReLU(negative_slope=)`` refuses a negative one. The
    layer is built with slope 0 and then given the negative slope, which Keras 3's
    ``leaky_relu`` computes as Keras 2 did."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        where = next((k for k in ("negative_slope", "alpha") if k in kwargs), None)
        slope = kwargs[where] if where else args[0] if args else None
        if not (isinstance(slope, (int, float)) and not isinstance(slope, bool) and slope < 0):
            original(self, *args, **kwargs)
            return
        if where:
            kwargs[where] = 0.0
        else:
            args = (0.0, *args[1:])
        original(self, *args, **kwargs)
        self.negative_slope = float(slope)

    __init__.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    return accepts(__init__, ("alpha",))


def keras1_names(layer: str) -> tuple[str, ...]:
    """Every Keras 1 keyword, Keras 2 default and positional rule ``keras1_init`` takes
    for Keras 3's ``layer``."""
    rule = (f"<{PREPROCESSORS[layer]}>",) if layer in PREPROCESSORS else ()
    return (*KERAS1_KEYWORDS.get(layer, {}), *DROPPED.get(layer, {}),
            *KERNEL_KEYWORDS.get(layer, ()), *SPECIAL.get(layer, ()),
            *KERAS2_DEFAULTS.get(layer, {}), *rule)


class _Keras1Name(type):
    """Metaclass of the Keras 1 class names: calling one builds the Keras 3 layer (its call
    read with Keras 1's rules); ``isinstance`` / ``issubclass`` answer for that layer class,
    as they did while the name was Keras 3's alias of it."""

    _target: str

    def _layer(cls) -> type:
        import keras

        return getattr(keras.layers, cls._target)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls.__name__ in CUDNN_CLASSES:  # Keras 2 arguments, cuDNN's settings
            for key, value in LEGACY_LAYER_CLASSES[cls.__name__][1].items():
                kwargs.setdefault(key, value)
            warn_at_caller(f"`{cls.__name__}` is Keras 2's cuDNN-only layer: "
                           f"`keras.layers.{cls._target}` computes the same, and uses cuDNN "
                           "by itself on a GPU: update the call.")
            return cls._layer()(*args, **kwargs)
        args, kwargs, done = _convert(cls._target, args, kwargs, forced=True)
        warn_at_caller(f"`{cls.__name__}` is the Keras 1 name of `keras.layers.{cls._target}`"
                       + (f" ({', '.join(done)})" if done else "") + ": update the call.")
        return cls._layer()(*args, **kwargs)

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, cls._layer())

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, cls._layer())

    @property
    def __kfitcompat_keras2__(cls) -> frozenset[str]:  # noqa: N802 - the accepts() protocol
        """A Keras 1 class name takes Keras 1's positionals and keywords (and Keras 2's)."""
        import inspect

        keras2 = inspect.signature(cls._layer()).parameters
        return frozenset(keras1_names(cls._target)) | frozenset(keras2) | frozenset(
            ("nb_filter", "nb_row", "nb_col"))


def keras1_class(name: str) -> type:
    """Keras 1's ``name`` (e.g. ``Convolution2D``): a class whose calls build the Keras 3
    layer, always reading the call with Keras 1's rules; or Keras 2's ``CuDNNLSTM`` /
    ``CuDNNGRU``, building ``LSTM`` / ``GRU`` with cuDNN's settings."""
    if name in CUDNN_CLASSES:
        target, what = LEGACY_LAYER_CLASSES[name][0], "Keras 2"
    else:
        target, what = KERAS1_CLASSES[name], "Keras 1"
    return _Keras1Name(name, (), {"_target": target, "__module__": "keras.layers",
                                  "__doc__": f"{what} ``{name}``; modern: "
                                             f"``keras.layers.{target}``."})
