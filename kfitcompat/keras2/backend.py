"""Keras 2 ``keras.backend`` functions that legacy custom layers, losses, metrics and scripts
call (``from keras import backend as K``), on Keras 3's ``keras.ops``.

Keras 3's ``keras.backend`` keeps only ``epsilon``, ``floatx``, ``image_data_format`` and a few
others; after :func:`kfitcompat.install` the Keras 2 names below answer there too, with Keras
2's argument names (``axis``, ``keepdims``) and semantics where they differ from ``keras.ops``
(``batch_dot``'s ``axes``, ``get_value``/``set_value``, ``image_dim_ordering``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["BACKEND_FUNCTIONS", "BACKEND_NAMES"]


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
    """Keras 2 ``batch_dot``: contracts ``axes`` (default: the last axis of ``x`` and the
    second-to-last of ``y``, or the last of both for 2-D inputs), batch axis kept; 2-D
    results get a trailing axis of size 1, as in Keras 2.2.4."""
    ops = _ops()
    x_ndim, y_ndim = len(x.shape), len(y.shape)
    if axes is None:
        axes = [x_ndim - 1, y_ndim - 2] if y_ndim > 2 else [x_ndim - 1, y_ndim - 1]
    if isinstance(axes, int):
        axes = (axes, axes)
    a0, a1 = (a % n if a < 0 else a for a, n in zip(axes, (x_ndim, y_ndim)))
    x_free = [i for i in range(1, x_ndim) if i != a0]
    y_free = [i for i in range(1, y_ndim) if i != a1]
    xt = ops.transpose(x, [0, *x_free, a0])
    yt = ops.transpose(y, [0, a1, *y_free])
    batch = ops.shape(xt)[0]
    x2 = ops.reshape(xt, (-1, int(np.prod(xt.shape[1:-1]) or 1), xt.shape[-1]))
    y2 = ops.reshape(yt, (-1, yt.shape[1], int(np.prod(yt.shape[2:]) or 1)))
    out = ops.matmul(x2, y2)
    shape = [batch, *[xt.shape[i] for i in range(1, len(xt.shape) - 1)],
             *[yt.shape[i] for i in range(2, len(yt.shape))]]
    out = ops.reshape(out, shape)
    if len(out.shape) == 1:
        out = ops.expand_dims(out, 1)
    return out


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


def batch_get_value(xs: list[Any]) -> list[Any]:
    return [get_value(x) for x in xs]


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


def variable(value: Any, dtype: str | None = None, name: str | None = None) -> Any:
    import keras

    return keras.Variable(np.asarray(value), dtype=dtype or keras.config.floatx(), name=name)


def constant(value: Any, dtype: str | None = None, shape: Any = None, name: str | None = None
             ) -> Any:
    import keras

    out = keras.ops.convert_to_tensor(np.asarray(value), dtype=dtype or keras.config.floatx())
    return keras.ops.broadcast_to(out, shape) if shape is not None else out


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


_UNARY = ("square", "sqrt", "abs", "exp", "log", "round", "sign", "sigmoid", "tanh", "relu",
          "softplus", "softsign", "cos", "sin", "zeros_like", "ones_like", "stop_gradient")
_BINARY = {"maximum": None, "minimum": None, "pow": "power", "dot": "dot", "equal": None,
           "not_equal": None, "greater": None, "greater_equal": None, "less": None,
           "less_equal": None}


def _delegating() -> dict[str, Any]:
    ops: dict[str, Any] = {name: _unary(name) for name in _UNARY}
    ops.update({name: _binary(name, target) for name, target in _BINARY.items()})
    return ops


def _with_ops(name: str, **defaults: Any) -> Any:
    def op(*args: Any, **kwargs: Any) -> Any:
        return getattr(_ops(), name)(*args, **{**defaults, **kwargs})

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Keras 2 ``K.{name}``; modern: ``keras.ops.{name}``."
    return op


_PASSTHROUGH = ("cast", "reshape", "concatenate", "stack", "expand_dims", "squeeze",
                "transpose", "softmax", "shape", "cumsum", "one_hot", "tile", "repeat",
                "gather", "ones", "zeros", "eye", "arange", "flip", "sort", "where")


def flatten(x: Any) -> Any:
    return _ops().reshape(x, (-1,))


def batch_flatten(x: Any) -> Any:
    return _ops().reshape(x, (_ops().shape(x)[0], -1))


def l2_normalize(x: Any, axis: int = -1) -> Any:
    return _ops().normalize(x, axis=axis, order=2)


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


def learning_phase() -> int:
    """Keras 2 ``K.learning_phase()``: 0 outside training (Keras 3 passes ``training=``)."""
    return 0


_DEFINED = ("argmax",
            "argmin", "clip", "batch_dot", "int_shape", "ndim", "dtype", "get_value",
            "batch_get_value", "set_value", "batch_set_value", "variable", "constant",
            "image_dim_ordering", "set_image_dim_ordering", "flatten", "batch_flatten",
            "l2_normalize", "binary_crossentropy", "categorical_crossentropy", "count_params",
            "learning_phase")

#: name -> function, every Keras 2 backend name kfitcompat adds to ``keras.backend``.
BACKEND_FUNCTIONS: dict[str, Any] = {
    **_delegating(),
    **{name: _reduction(name) for name in _REDUCTIONS},
    **{name: _with_ops(name) for name in _PASSTHROUGH},
    **{name: globals()[name] for name in _DEFINED},
}
globals().update({n: f for n, f in BACKEND_FUNCTIONS.items() if n not in globals()})

#: The names, for the surface table (which imports no TensorFlow).
BACKEND_NAMES: tuple[str, ...] = tuple(sorted(BACKEND_FUNCTIONS))
