"""Keras 2 backend functions about the training phase, graph functions and Python helpers,
on Keras 3 (``K.function``, ``K.in_train_phase``, ``K.set_learning_phase``, ``K.print_tensor``,
``K.py_sum``, ...). The arithmetic ones are in ``kfitcompat.keras2.backend``.

Keras 3 has no learning-phase variable and no session: a layer's ``call`` receives
``training=``, and ``predict`` runs in inference mode. So ``K.learning_phase()`` is 0 outside
a call that passes ``training``, ``K.in_train_phase(x, alt)`` picks ``alt`` unless ``training``
says otherwise, and ``K.function(inputs, outputs)`` runs a model built from the two lists.
"""

from __future__ import annotations

import builtins
import functools
import warnings
from typing import Any

from .gradients import gradients

__all__ = ["GRAPH_FUNCTIONS"]


def _ops() -> Any:
    import keras

    return keras.ops


class _Function:
    """What Keras 2's ``K.function(inputs, outputs)`` returned: call it with a list of arrays
    (one per input) to get the list of outputs as NumPy. ``K.learning_phase()`` among the
    inputs takes the phase (0 or 1) as its array."""

    def __init__(self, inputs: Any, outputs: Any, updates: Any = None, name: Any = None,
                 **kwargs: Any) -> None:
        import keras

        if updates:
            raise ValueError("`K.function(..., updates=...)`: Keras 3 has no update ops; "
                             "assign variables inside a layer's `call` or a custom "
                             "`train_step` instead.")
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        self._phase = [i for i, x in enumerate(inputs) if isinstance(x, int)]
        tensors = [x for x in inputs if not isinstance(x, int)]
        self._outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        self._model = keras.Model(tensors, self._outputs)

    def __call__(self, inputs: Any) -> list[Any]:
        values = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        training = builtins.any(bool(values[i]) for i in self._phase if i < len(values))
        arrays = [v for i, v in enumerate(values) if i not in self._phase]
        result = self._model(arrays, training=training)
        outputs = list(result) if isinstance(result, (list, tuple)) else [result]
        return [_ops().convert_to_numpy(x) for x in outputs]


def function(inputs: Any, outputs: Any, updates: Any = None, **kwargs: Any) -> _Function:
    """Keras 2 ``K.function(inputs, outputs)``: a callable from input arrays to output arrays
    (e.g. a layer's activations); modern: ``keras.Model(inputs, outputs)`` and
    ``model.predict`` / ``model(x)``."""
    return _Function(inputs, outputs, updates, **kwargs)


def learning_phase() -> int:
    """Keras 2 ``K.learning_phase()``: 0 outside training (Keras 3 passes ``training=``)."""
    return 0


def _phase_value(training: Any) -> Any:
    return learning_phase() if training is None else training


def in_train_phase(x: Any, alt: Any, training: Any = None) -> Any:
    """Keras 2 ``K.in_train_phase``: ``x`` in training, ``alt`` otherwise (callables are
    called); ``training=None`` means the learning phase (0 outside a training call)."""
    training = _phase_value(training)
    if isinstance(training, (bool, int)):
        chosen = x if training else alt
        return chosen() if callable(chosen) else chosen
    x = x() if callable(x) else x
    alt = alt() if callable(alt) else alt
    return _ops().where(_ops().cast(training, "bool"), x, alt)


def in_test_phase(x: Any, alt: Any, training: Any = None) -> Any:
    """Keras 2 ``K.in_test_phase``: ``x`` at inference, ``alt`` in training."""
    return in_train_phase(alt, x, training=training)


def set_learning_phase(value: int) -> None:
    """Keras 2 ``K.set_learning_phase``: 0 (inference) is what Keras 3 does outside training
    already, so it is accepted; 1 has no Keras 3 counterpart (pass ``training=True`` to the
    call instead) and raises."""
    if value not in (0, 1):
        raise ValueError("Invalid value for argument `value` of `K.set_learning_phase`. "
                         f"Expected 0 or 1. Received: value={value!r}")
    if value == 1:
        raise ValueError("`K.set_learning_phase(1)`: Keras 3 has no global learning phase; "
                         "call the model or layer with `training=True` instead.")


def set_session(session: Any) -> None:
    """Keras 2 ``K.set_session``: Keras 3 runs without a TensorFlow 1 session, so the session
    (usually made for GPU options) is not used; a warning says so. Modern:
    ``tf.config.experimental.set_memory_growth`` / ``tf.config.set_visible_devices``."""
    warnings.warn("`K.set_session(...)`: Keras 3 runs without sessions; the session is not "
                  "used (for GPU memory options use `tf.config.experimental."
                  "set_memory_growth`).", UserWarning, stacklevel=2)


def placeholder(shape: Any = None, ndim: int | None = None, dtype: Any = None,
                sparse: bool = False, name: str | None = None) -> Any:
    """Keras 2 ``K.placeholder(shape=(None, 4))``: a symbolic input of that shape (batch
    axis included); modern: ``keras.Input(batch_shape=shape)``. ``K.function`` takes it."""
    import keras

    if shape is None:
        if ndim is None:
            raise ValueError("`K.placeholder` needs `shape` or `ndim`.")
        shape = (None,) * ndim
    return keras.Input(batch_shape=tuple(shape), dtype=dtype, sparse=sparse, name=name)


def print_tensor(x: Any, message: str = "") -> Any:
    """Keras 2 ``K.print_tensor``: print ``message`` and ``x`` when evaluated; returns ``x``."""
    import tensorflow as tf

    tf.print(message, x)
    return x


def normalize_data_format(value: Any) -> str:
    """Keras 2 ``K.normalize_data_format``: ``None`` -> the configured format; checked."""
    import keras

    if value is None:
        value = keras.config.image_data_format()
    data_format = str(value).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("Invalid value for argument `data_format`. Expected one of "
                         "('channels_first', 'channels_last'). Received: "
                         f"data_format={value!r}")
    return data_format


def get_variable_shape(x: Any) -> tuple[Any, ...]:
    """Keras 2 ``K.get_variable_shape`` (= ``K.int_shape``)."""
    return tuple(x.shape)


def is_tensor(x: Any) -> bool:
    return bool(_ops().is_tensor(x))


def is_variable(x: Any) -> bool:
    import keras

    return isinstance(x, keras.Variable)


@functools.cache
def _shape_layer() -> type:
    import keras
    import tensorflow as tf

    class Shape(keras.layers.Layer):
        """The run-time shape of its input, as an int32 tensor."""

        def call(self, x: Any) -> Any:
            return tf.shape(x)

        def compute_output_spec(self, x: Any) -> Any:
            return keras.KerasTensor((len(x.shape),), dtype="int32")

    return Shape


def shape(x: Any) -> Any:
    """Keras 2 ``K.shape(x)``: the shape of ``x``. Of a symbolic tensor with unknown
    dimensions (a layer's output), a symbolic int32 tensor as Keras 2 gave, so that
    ``K.prod(K.cast(K.shape(x), 'float32'))`` builds; modern: ``keras.ops.shape``."""
    import keras

    if isinstance(x, keras.KerasTensor) and None in tuple(x.shape):
        return _shape_layer()()(x)
    return _ops().shape(x)


def identity(x: Any, name: Any = None) -> Any:
    """Keras 2 ``K.identity``: a tensor equal to ``x``; modern: ``keras.ops.copy``."""
    return _ops().copy(x)


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return _ops().logsumexp(x, axis=axis, keepdims=keepdims)


def size(x: Any, name: Any = None) -> Any:
    return _ops().size(x)


def random_binomial(shape: Any, p: float = 0.0, dtype: Any = None, seed: Any = None) -> Any:
    """Keras 2 ``K.random_binomial``: 1 with probability ``p``, else 0."""
    import keras

    dtype = dtype or keras.config.floatx()
    draw = keras.random.uniform(shape, dtype=dtype, seed=seed)
    return _ops().cast(_ops().less(draw, p), dtype)


def separable_conv1d(x: Any, depthwise_kernel: Any, pointwise_kernel: Any, strides: int = 1,
                     padding: str = "valid", data_format: Any = None,
                     dilation_rate: int = 1) -> Any:
    return _ops().separable_conv(x, depthwise_kernel, pointwise_kernel, strides=strides,
                                 padding=padding, data_format=data_format,
                                 dilation_rate=dilation_rate)


def conv3d_transpose(x: Any, kernel: Any, output_shape: Any, strides: Any = (1, 1, 1),
                     padding: str = "valid", data_format: Any = None) -> Any:
    """Keras 2 ``K.conv3d_transpose`` (``output_shape`` is implied by Keras 3's op)."""
    return _ops().conv_transpose(x, kernel, strides=strides, padding=padding,
                                 data_format=data_format)


def _builtin(name: str) -> Any:
    found = getattr(builtins, name)
    return found


#: name -> function: the Keras 2 backend names of this module.
GRAPH_FUNCTIONS: dict[str, Any] = {
    "function": function, "gradients": gradients, "shape": shape,
    "learning_phase": learning_phase, "in_train_phase": in_train_phase,
    "in_test_phase": in_test_phase,
    "set_learning_phase": set_learning_phase, "set_session": set_session,
    "print_tensor": print_tensor, "normalize_data_format": normalize_data_format,
    "placeholder": placeholder,
    "get_variable_shape": get_variable_shape, "is_tensor": is_tensor,
    "is_variable": is_variable, "identity": identity, "logsumexp": logsumexp, "size": size,
    "random_binomial": random_binomial, "separable_conv1d": separable_conv1d,
    "conv3d_transpose": conv3d_transpose,
    # Keras 2's backend re-exported Python's builtins under these names
    "py_sum": _builtin("sum"), "py_all": _builtin("all"), "py_any": _builtin("any"),
    "py_slice": _builtin("slice"),
}
