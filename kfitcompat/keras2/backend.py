"""Keras 2 ``keras.backend`` functions that legacy custom layers, losses, metrics and scripts
call (``from keras import backend as K``), on Keras 3's ``keras.ops``.

Keras 3's ``keras.backend`` keeps only ``epsilon``, ``floatx``, ``image_data_format`` and a few
others; after ``kfitcompat.install`` the Keras 2 names below answer there too, with Keras
2's argument names (``axis``, ``keepdims``) and semantics where they differ from ``keras.ops``
(``batch_dot``'s ``axes``, ``get_value``/``set_value``, ``image_dim_ordering``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .backend_graph import GRAPH_FUNCTIONS
from .portable import keras2_batch_dot, keras2_switch

__all__ = ["BACKEND_FUNCTIONS", "BACKEND_NAMES", "FROM_KERAS3_LEGACY", "KERAS3_SPELLINGS",
           "available_gpus"]


def _ops() -> Any:
    import keras

    return keras.ops


def _reduction(name: str) -> Any:
    def op(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
        return getattr(_ops(), name)(x, axis=axis, keepdims=keepdims)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"Keras 2 ``K.{name}(x, axis=None, keepdims=False)``; modern: "
                  f"``keras.ops.{name}``.")
    return op


_REDUCTIONS = ("sum", "mean", "max", "min", "prod", "std", "var", "any", "all")


def argmax(x: Any, axis: int = -1) -> Any:
    return _ops().argmax(x, axis=axis)


def argmin(x: Any, axis: int = -1) -> Any:
    return _ops().argmin(x, axis=axis)


def clip(x: Any, min_value: Any, max_value: Any) -> Any:
    return _ops().clip(x, min_value, max_value)


def batch_dot(x: Any, y: Any, axes: Any = None) -> Any:
    """Keras 2.2.4 ``K.batch_dot`` (TensorFlow backend): a batched ``matmul``. The operand of
    lower rank gets trailing axes of size 1; ``x``'s last two axes are swapped unless
    ``axes[0]`` is its last, ``y``'s if ``axes[1]`` is its last; the padding axes are then
    squeezed out. So every leading axis is a batch axis, as the Keras 2.0-2.2 capsule layers
    expect (``batch_dot(c, u_hat, [2, 2])`` on ``(b, n, i)`` and ``(b, n, i, d)`` is
    ``(b, n, d)``; Keras 2.3 and tf.keras contract per sample instead, ``(b, n, n, d)``).
    2-D inputs: the sum of the products over ``axes`` (default: the last of both), with a
    trailing axis of size 1. Default ``axes``: the last of ``x``, the second-to-last of
    ``y``."""
    return keras2_batch_dot(x, y, axes)


def int_shape(x: Any) -> tuple[Any, ...]:
    return tuple(x.shape)


def ndim(x: Any) -> int:
    return len(x.shape)


def dtype(x: Any) -> str:
    import keras

    return keras.backend.standardize_dtype(x.dtype)


def get_value(x: Any) -> Any:
    """Keras 2 ``K.get_value``: the value of a variable (or tensor) as NumPy."""
    value = x.numpy() if hasattr(x, "numpy") else x
    return np.asarray(value)


def batch_get_value(ops: list[Any]) -> list[Any]:
    return [get_value(x) for x in ops]


def set_value(x: Any, value: Any) -> None:
    """Keras 2 ``K.set_value``: assign ``value`` to the variable ``x``."""
    if not hasattr(x, "assign"):
        raise TypeError(f"`K.set_value` needs a variable (e.g. `optimizer.learning_rate`); "
                        f"received {type(x).__name__}. A learning-rate schedule cannot be "
                        "set: pass a float learning rate to the optimizer instead.")
    x.assign(np.asarray(value, dtype=getattr(x.dtype, "name", x.dtype)))


def batch_set_value(tuples: list[tuple[Any, Any]]) -> None:
    for x, value in tuples:
        set_value(x, value)


def variable(value: Any, dtype: str | None = None, name: str | None = None,
             constraint: Any = None) -> Any:
    import keras

    return keras.Variable(np.asarray(value), dtype=dtype or keras.config.floatx(), name=name,
                          constraint=constraint)


def constant(value: Any, dtype: str | None = None, shape: Any = None, name: str | None = None
             ) -> Any:
    """Keras 2 ``K.constant(value, dtype=None, shape=None)`` (``tf.constant``'s rule): with
    ``shape``, a scalar fills it and a value of as many elements is reshaped to it; modern:
    ``keras.ops.convert_to_tensor`` (then ``keras.ops.full`` or ``keras.ops.reshape``)."""
    import keras

    array = np.asarray(value)
    if shape is not None:
        shape = tuple(shape)
        if array.size == 1:
            array = np.full(shape, array.reshape(()))
        elif array.size == int(np.prod(shape)):
            array = array.reshape(shape)
        else:
            raise ValueError(f"`K.constant`: a value of {array.size} elements cannot take "
                             f"shape={shape} ({int(np.prod(shape))} elements); pass a "
                             "scalar, or as many values as the shape holds.")
    return keras.ops.convert_to_tensor(array, dtype=dtype or keras.config.floatx())


def image_dim_ordering() -> str:
    """Keras 1 ``K.image_dim_ordering()``: ``'tf'`` (channels last) or ``'th'`` (first);
    modern: ``keras.config.image_data_format()``."""
    import keras

    return "th" if keras.config.image_data_format() == "channels_first" else "tf"


def set_image_dim_ordering(dim_ordering: str) -> None:
    """Keras 1 ``K.set_image_dim_ordering('tf' | 'th')``; modern:
    ``keras.config.set_image_data_format('channels_last' | 'channels_first')``."""
    import keras

    formats = {"tf": "channels_last", "th": "channels_first"}
    if dim_ordering not in formats:
        raise ValueError("Invalid value for argument `dim_ordering`. Expected one of "
                         f"('tf', 'th'). Received: dim_ordering={dim_ordering!r}")
    keras.config.set_image_data_format(formats[dim_ordering])


def _unary(name: str) -> Any:
    def op(x: Any) -> Any:
        return getattr(_ops(), name)(x)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Keras 2 ``K.{name}(x)``; modern: ``keras.ops.{name}``."
    return op


def _binary(name: str, target: str | None = None) -> Any:
    def op(x: Any, y: Any) -> Any:
        return getattr(_ops(), target or name)(x, y)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Keras 2 ``K.{name}(x, y)``; modern: ``keras.ops.{target or name}``."
    return op


_UNARY = ("square", "sqrt", "abs", "exp", "log", "round", "sign", "sigmoid", "tanh",
          "softplus", "softsign", "cos", "sin", "transpose")
_BINARY = {"maximum": None, "minimum": None, "dot": "dot", "equal": None,
           "not_equal": None, "greater": None, "greater_equal": None, "less": None,
           "less_equal": None}


def _delegating() -> dict[str, Any]:
    ops: dict[str, Any] = {name: _unary(name) for name in _UNARY}
    ops.update({name: _binary(name, target) for name, target in _BINARY.items()})
    return ops


def cast(x: Any, dtype: Any) -> Any:
    return _ops().cast(x, dtype)


def reshape(x: Any, shape: Any) -> Any:
    return _ops().reshape(x, shape)


def stack(x: Any, axis: int = 0) -> Any:
    import keras

    # Keras 3's stack of Keras variables fails (TensorFlow reads their dtype as a string)
    return _ops().stack([t.value if isinstance(t, keras.Variable) else t for t in x],
                        axis=axis)


def update(x: Any, new_x: Any) -> Any:
    """Keras 2 ``K.update(x, new_x)``: assign ``new_x`` to the variable; returns it. Modern:
    ``x.assign(new_x)`` (in a layer's ``call``)."""
    x.assign(new_x)
    return x


def update_add(x: Any, increment: Any) -> Any:
    """Keras 2 ``K.update_add(x, increment)``; modern: ``x.assign_add(increment)``."""
    x.assign_add(increment)
    return x


def update_sub(x: Any, decrement: Any) -> Any:
    """Keras 2 ``K.update_sub(x, decrement)``; modern: ``x.assign_sub(decrement)``."""
    x.assign_sub(decrement)
    return x


def _slice(x: Any, start: Any, size: Any) -> Any:
    """Keras 2 ``K.slice(x, start, size)`` (``tf.slice``: a size of -1 takes the rest of the
    axis); modern: ``keras.ops.slice(x, start, size)``."""
    return _ops().slice(x, start, size)


def squeeze(x: Any, axis: Any) -> Any:
    return _ops().squeeze(x, axis=axis)


def softmax(x: Any, axis: int = -1) -> Any:
    return _ops().softmax(x, axis=axis)


def one_hot(indices: Any, num_classes: int) -> Any:
    return _ops().one_hot(indices, num_classes)


def tile(x: Any, n: Any) -> Any:
    return _ops().tile(x, n)


def pow(x: Any, a: Any) -> Any:  # noqa: A001 - Keras 2's name
    """Keras 2 ``K.pow(x, a)``; modern: ``keras.ops.power``."""
    return _ops().power(x, a)


def stop_gradient(variables: Any) -> Any:
    """Keras 2 ``K.stop_gradient`` (a tensor or a list of them)."""
    if isinstance(variables, (list, tuple)):
        return [_ops().stop_gradient(v) for v in variables]
    return _ops().stop_gradient(variables)


def relu(x: Any, alpha: float = 0.0, max_value: Any = None, threshold: float = 0.0) -> Any:
    """Keras 2 ``K.relu``: ``x`` above ``threshold``, ``alpha * (x - threshold)`` below it,
    capped at ``max_value``; modern: ``keras.activations.relu(x, negative_slope=alpha,
    max_value=max_value, threshold=threshold)``."""
    import keras

    return keras.activations.relu(x, negative_slope=alpha, max_value=max_value,
                                  threshold=threshold)


def _variable_of(value: Any, dtype: Any, name: Any) -> Any:
    import keras

    return keras.Variable(value, dtype=dtype or keras.config.floatx(), name=name)


def zeros(shape: Any, dtype: Any = None, name: Any = None) -> Any:
    """Keras 2 ``K.zeros``: an all-zeros variable."""
    return _variable_of(np.zeros(shape), dtype, name)


def ones(shape: Any, dtype: Any = None, name: Any = None) -> Any:
    """Keras 2 ``K.ones``: an all-ones variable."""
    return _variable_of(np.ones(shape), dtype, name)


def eye(size: Any, dtype: Any = None, name: Any = None) -> Any:
    """Keras 2 ``K.eye``: an identity-matrix variable (``size`` an int or ``(n, m)``)."""
    rows, cols = (size, size) if isinstance(size, int) else tuple(size)
    return _variable_of(np.eye(rows, cols), dtype, name)


def zeros_like(x: Any, dtype: Any = None, name: Any = None) -> Any:
    return _ops().zeros_like(x, dtype=dtype)


def ones_like(x: Any, dtype: Any = None, name: Any = None) -> Any:
    return _ops().ones_like(x, dtype=dtype)


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: str = "int32") -> Any:
    return _ops().arange(start, stop, step, dtype=dtype)


# Keras 2 names whose defaults or meaning differ from keras.ops of the same name


def concatenate(tensors: Any, axis: int = -1) -> Any:
    """Keras 2 ``K.concatenate`` (default: the last axis; ``keras.ops``: the first)."""
    return _ops().concatenate(tensors, axis=axis)


def expand_dims(x: Any, axis: int = -1) -> Any:
    """Keras 2 ``K.expand_dims`` (default: a new last axis; ``keras.ops`` needs one)."""
    return _ops().expand_dims(x, axis)


def cumsum(x: Any, axis: int = 0) -> Any:
    """Keras 2 ``K.cumsum`` (default: axis 0; ``keras.ops``: the flattened tensor)."""
    return _ops().cumsum(x, axis=axis)


def cumprod(x: Any, axis: int = 0) -> Any:
    """Keras 2 ``K.cumprod`` (default: axis 0; ``keras.ops``: the flattened tensor)."""
    return _ops().cumprod(x, axis=axis)


def repeat(x: Any, n: int) -> Any:
    """Keras 2 ``K.repeat``: a 2-D ``(samples, dim)`` tensor repeated into ``(samples, n,
    dim)`` (``keras.ops.repeat`` is NumPy's, element by element); modern:
    ``keras.ops.repeat(keras.ops.expand_dims(x, 1), n, axis=1)``."""
    ops = _ops()
    return ops.repeat(ops.expand_dims(x, 1), n, axis=1)


def gather(reference: Any, indices: Any) -> Any:
    """Keras 2 ``K.gather``: rows of ``reference``; modern: ``keras.ops.take(x, i, axis=0)``."""
    return _ops().take(reference, indices, axis=0)


def switch(condition: Any, then_expression: Any, else_expression: Any) -> Any:
    """Keras 2 ``K.switch``: ``then`` where ``condition`` holds, else ``else`` (callables are
    called); a condition of lower rank gets trailing axes, as in Keras 2. Modern:
    ``keras.ops.where`` (``keras.ops.switch`` picks a branch by index)."""
    return keras2_switch(condition, then_expression, else_expression)


def reverse(x: Any, axes: Any) -> Any:
    """Keras 2 ``K.reverse``; modern: ``keras.ops.flip``."""
    return _ops().flip(x, axis=axes)


def flatten(x: Any) -> Any:
    return _ops().reshape(x, (-1,))


def batch_flatten(x: Any) -> Any:
    return _ops().reshape(x, (_ops().shape(x)[0], -1))


def l2_normalize(x: Any, axis: Any = None) -> Any:
    """Keras 2 ``K.l2_normalize`` (default: over every axis, as ``tf.nn.l2_normalize``)."""
    ops = _ops()
    squares = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return x * ops.rsqrt(ops.maximum(squares, 1e-12))


def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Any:
    import keras

    return keras.ops.binary_crossentropy(target, output, from_logits=from_logits)


def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                             axis: int = -1) -> Any:
    import keras

    return keras.ops.categorical_crossentropy(target, output, from_logits=from_logits,
                                              axis=axis)


def count_params(x: Any) -> int:
    return int(np.prod(x.shape))


def _conv(rank: int) -> Any:
    name = f"conv{rank}d"

    unit: Any = 1 if rank == 1 else (1,) * rank  # Keras 2's defaults

    def op(x: Any, kernel: Any, strides: Any = unit, padding: str = "valid",
           data_format: str | None = None, dilation_rate: Any = unit) -> Any:
        ops = _ops()
        if padding == "causal":  # Keras 2 conv1d: left-pad the steps, then "valid"
            if rank != 1:
                raise ValueError(f"`K.{name}(padding='causal')`: only `conv1d` takes it.")
            rate: Any = dilation_rate[0] if isinstance(dilation_rate, (tuple, list)) else (
                dilation_rate)
            left = int(rate) * (int(kernel.shape[0]) - 1)
            first = data_format == "channels_first"
            x = ops.pad(x, [[0, 0], [0, 0], [left, 0]] if first else [[0, 0], [left, 0], [0, 0]])
            padding = "valid"
        return ops.conv(x, kernel, strides=strides, padding=padding, data_format=data_format,
                        dilation_rate=dilation_rate)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"Keras 2 ``K.{name}(x, kernel, strides, padding, data_format, "
                  "dilation_rate)``; modern: ``keras.ops.conv`` (``'causal'`` padding for 1-D).")
    return op


def permute_dimensions(x: Any, pattern: Any) -> Any:
    """Keras 2 ``K.permute_dimensions``; modern: ``keras.ops.transpose(x, axes=pattern)``."""
    return _ops().transpose(x, axes=tuple(pattern))


def random_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                  seed: Any = None) -> Any:
    """Keras 2 ``K.random_normal``; modern: ``keras.random.normal``."""
    import keras

    return keras.random.normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=seed)


def random_uniform(shape: Any, minval: float = 0.0, maxval: float = 1.0, dtype: Any = None,
                   seed: Any = None) -> Any:
    """Keras 2 ``K.random_uniform``; modern: ``keras.random.uniform``."""
    import keras

    return keras.random.uniform(shape, minval=minval, maxval=maxval, dtype=dtype, seed=seed)


def available_gpus() -> list[str]:
    """Keras 2 ``K.tensorflow_backend._get_available_gpus()`` (the GPU check of many
    notebooks): the names of the GPUs TensorFlow sees, ``[]`` on a CPU-only machine. Keras 2
    gave the full device names (``/job:localhost/replica:0/task:0/device:GPU:0``); these are
    TensorFlow 2's logical names (``/device:GPU:0``). Modern:
    ``tf.config.list_logical_devices('GPU')``."""
    import tensorflow as tf

    return [device.name for device in tf.config.list_logical_devices("GPU")]


_SIGNED = ("cast", "reshape", "stack", "squeeze", "softmax", "one_hot", "tile", "pow",
           "stop_gradient", "relu", "zeros", "ones", "eye", "zeros_like", "ones_like", "arange")
_DEFINED = ("argmax",
            "argmin", "clip", "batch_dot", "int_shape", "ndim", "dtype", "get_value",
            "batch_get_value", "set_value", "batch_set_value", "variable", "constant",
            "image_dim_ordering", "set_image_dim_ordering", "flatten", "batch_flatten",
            "l2_normalize", "binary_crossentropy", "categorical_crossentropy", "count_params",
            "permute_dimensions", "random_normal", "random_uniform",
            "concatenate", "expand_dims", "cumsum", "cumprod", "repeat", "gather", "reverse",
            "switch", "update", "update_add", "update_sub", *_SIGNED)

#: name -> function, every Keras 2 backend name kfitcompat adds to ``keras.backend``.
BACKEND_FUNCTIONS: dict[str, Any] = {
    **_delegating(),
    **{name: _reduction(name) for name in _REDUCTIONS},
    **{name: globals()[name] for name in _DEFINED},
    **{f"conv{rank}d": _conv(rank) for rank in (1, 2, 3)},
    "slice": _slice,
    **GRAPH_FUNCTIONS,
}
globals().update({n: f for n, f in BACKEND_FUNCTIONS.items() if n not in globals()})

#: The names, for the surface table (which imports no TensorFlow).
BACKEND_NAMES: tuple[str, ...] = tuple(sorted(BACKEND_FUNCTIONS))


#: Keras 2 backend name -> how ``kfitcompat migrate`` writes the call on Keras 3:
#: ``("keras.ops.name", {keyword: (position, default Keras 2 used)})``; the default is added
#: when the call gives the argument neither by keyword nor at its Keras 2 ``position``.
#: Names missing here have no one-to-one spelling and are reported.
KERAS3_SPELLINGS: dict[str, tuple[str, dict[str, tuple[int, str]]]] = {
    **{name: (f"keras.ops.{name}", {}) for name in (
        *_UNARY, *_REDUCTIONS, "shape", "maximum", "minimum", "dot", "equal", "not_equal",
        "greater", "greater_equal", "less", "less_equal", "cast", "reshape", "stack", "squeeze",
        "softmax", "one_hot", "tile", "zeros_like", "ones_like", "stop_gradient", "arange")},
    "pow": ("keras.ops.power", {}),
    "slice": ("keras.ops.slice", {}),
    "permute_dimensions": ("keras.ops.transpose", {}),
    "concatenate": ("keras.ops.concatenate", {"axis": (1, "-1")}),
    "expand_dims": ("keras.ops.expand_dims", {"axis": (1, "-1")}),
    "cumsum": ("keras.ops.cumsum", {"axis": (1, "0")}),
    "cumprod": ("keras.ops.cumprod", {"axis": (1, "0")}),
    "gather": ("keras.ops.take", {"axis": (2, "0")}),  # Keras 2 had no axis: never positional
    **{f"conv{rank}d": ("keras.ops.conv", {}) for rank in (1, 2, 3)},  # not padding='causal'
    "random_normal": ("keras.random.normal", {}),
    "random_uniform": ("keras.random.uniform", {}),
}

#: Keras 2 backend names that Keras 3 keeps only in its own tf.keras 2 copy
#: (``kfitcompat._keras_private.legacy_name``, TensorFlow ops): after ``install()``
#: ``keras.backend``
#: answers them from there. They work on tensors (inside a layer's ``call``, a ``Lambda``, a
#: loss), not on the symbolic inputs of the functional API, as in tf.keras 2.
FROM_KERAS3_LEGACY: tuple[str, ...] = (
    "batch_normalization", "bias_add", "cast_to_floatx", "conv2d_transpose", "ctc_batch_cost",
    "ctc_decode", "ctc_label_dense_to_sparse", "depthwise_conv2d", "dropout", "elu", "eval",
    "foldl", "foldr", "hard_sigmoid", "in_top_k", "is_sparse", "map_fn",
    "moving_average_update", "name_scope", "pool2d", "pool3d", "random_normal_variable",
    "random_uniform_variable", "repeat_elements", "resize_images", "resize_volumes", "rnn",
    "separable_conv2d", "sparse_categorical_crossentropy", "spatial_2d_padding",
    "spatial_3d_padding", "temporal_padding", "to_dense", "truncated_normal",
)
