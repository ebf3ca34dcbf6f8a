"""Keras 2's ``K.gradients(loss, variables)`` of a symbolic loss, on Keras 3.

Keras 2 scripts take gradients of a loss built from a model's symbolic tensors and evaluate
them with ``K.function``: saliency maps, Grad-CAM (the gradient of a class score with respect
to the last convolution's output), filter visualisation, DeepDream, style transfer. Keras 3
has no graph to differentiate, so ``K.gradients`` of a symbolic loss returns symbolic
tensors computed by a layer that runs the loss under a ``tf.GradientTape`` on the values it
is given; ``K.function`` (a ``keras.Model``) evaluates them like any other output.
Modern: a ``tf.GradientTape`` around ``model(x)``.

The gradient with respect to a layer's output is the derivative through that tensor, the
model's other paths held (tf.gradients's meaning). Where the loss does not depend on a
variable, the gradient is zeros (tf.gradients gave ``None``).
"""

from __future__ import annotations

from typing import Any

from .._keras_private import symbolic_sources

__all__ = ["gradients"]


def _is_symbolic(x: Any) -> bool:
    import keras

    return isinstance(x, keras.KerasTensor)


def _unique(tensors: list[Any]) -> list[Any]:
    found: list[Any] = []
    for tensor in tensors:
        if not any(tensor is seen for seen in found):
            found.append(tensor)
    return found


def _as_list(x: Any) -> list[Any]:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _tf_variable(weight: Any) -> Any:
    import keras

    return weight.value if isinstance(weight, keras.Variable) else weight


def _gradient_layer(loss: Any, wrt: list[Any]) -> Any:
    """A layer from the loss's inputs to the gradients of ``loss`` with respect to ``wrt``
    (symbolic tensors or variables)."""
    import keras
    import tensorflow as tf

    tensors = _unique([x for x in wrt if _is_symbolic(x)])
    weights = _unique([x for x in wrt if not _is_symbolic(x)])
    sources = symbolic_sources([loss, *tensors])
    to_tensors = keras.Model(sources, tensors) if tensors else None
    loss_inputs = _unique(tensors + sources)
    to_loss = keras.Model(loss_inputs, loss)

    class Gradients(keras.layers.Layer):
        def call(self, values: Any, training: Any = None) -> Any:
            values = _as_list(values)
            middle = _as_list(to_tensors(values, training=training)) if to_tensors else []
            with tf.GradientTape() as tape:
                tape.watch(middle)
                feed = middle + [values[sources.index(s)] for s in loss_inputs[len(tensors):]]
                result = to_loss(feed, training=training)
                result = tf.cast(result, "float32") if result.dtype.is_integer else result
            found = tape.gradient(result, middle + [_tf_variable(w) for w in weights],
                                  unconnected_gradients=tf.UnconnectedGradients.ZERO)
            return list(found)

        def compute_output_spec(self, values: Any, training: Any = None) -> Any:
            return [keras.KerasTensor(t.shape, dtype=t.dtype) for t in tensors] + [
                keras.KerasTensor(tuple(w.shape), dtype=w.dtype) for w in weights]

    outputs = Gradients()(sources)
    by_wrt = dict(zip([id(x) for x in tensors + weights], outputs))
    return [by_wrt[id(x)] for x in wrt]


def gradients(loss: Any, variables: Any) -> Any:
    """Keras 2 ``K.gradients(loss, variables)``: the gradients of ``loss`` with respect to
    each of ``variables`` (a list, or one tensor). A symbolic loss (built from
    ``model.output``, ``layer.output``, ``model.input``) gives symbolic gradients to
    evaluate with ``K.function``; a tensor loss inside a ``tf.function`` gives
    ``tf.gradients``. Modern: ``tf.GradientTape``."""
    import tensorflow as tf

    wrt = list(variables) if isinstance(variables, (list, tuple)) else [variables]
    if _is_symbolic(loss):
        return _gradient_layer(loss, wrt)
    if any(_is_symbolic(x) for x in wrt):
        raise ValueError(
            "`K.gradients(loss, variables)`: `variables` holds symbolic tensors (a layer's "
            "output or a model's input) but `loss` is not symbolic; build `loss` from the "
            "same model's tensors.")
    return tf.gradients(loss, wrt)
