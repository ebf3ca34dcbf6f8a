"""Keras 2's ``K.gradients`` of a symbolic loss, evaluated with ``K.function``
(kfitcompat/keras2/gradients.py), the symbolic ``K.shape`` and ``K.variable(0.) + tensor``
(keras2/variable_ops.py): the saliency, Grad-CAM, DeepDream and style-transfer scripts of
Keras 2's examples and books. tf_keras 2.21 raises here ("tf.gradients is not supported when
eager execution is enabled"), so the oracle is the same computation under a
``tf.GradientTape``."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf


def _convnet():
    inp = keras.Input((None, None, 3))
    a = keras.layers.Conv2D(4, 3, activation="relu", name="first")(inp)
    b = keras.layers.Conv2D(4, 3, activation="relu", name="last")(a)
    out = keras.layers.Dense(2, activation="softmax")(keras.layers.GlobalAveragePooling2D()(b))
    return keras.Model(inp, out)


def _image(size=12, seed=0):
    return np.random.default_rng(seed).random((1, size, size, 3)).astype("float32")


def test_saliency_gradient_of_an_output_with_respect_to_the_input(installed):
    K = keras.backend
    model = _convnet()
    score = model.output[:, 1]
    grads = K.gradients(score, model.input)[0]
    normalized = grads / (K.sqrt(K.mean(K.square(grads))) + 1e-5)
    got_score, got, got_normalized = K.function([model.input], [score, grads, normalized])(
        [_image()])
    x = tf.constant(_image())
    with tf.GradientTape() as tape:
        tape.watch(x)
        want_score = model(x)[:, 1]
    want = tape.gradient(want_score, x).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(got_score, want_score.numpy(), rtol=1e-6)
    np.testing.assert_allclose(got_normalized, want / (np.sqrt(np.mean(want ** 2)) + 1e-5),
                               rtol=1e-4)


def test_grad_cam_gradient_with_respect_to_a_layer_output(installed):
    K = keras.backend
    model = _convnet()
    last = model.get_layer("last")
    grads = K.gradients(model.output[:, 0], last.output)[0]
    pooled = K.mean(grads, axis=(0, 1, 2))
    pooled_value, conv_value = K.function([model.input], [pooled, last.output[0]])([_image()])
    head = keras.Model(last.output, model.output)
    conv = tf.constant(keras.Model(model.input, last.output)(_image()))
    with tf.GradientTape() as tape:
        tape.watch(conv)
        score = head(conv)[:, 0]
    want = tf.reduce_mean(tape.gradient(score, conv), axis=(0, 1, 2)).numpy()
    np.testing.assert_allclose(pooled_value, want, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(conv_value, conv.numpy()[0], rtol=1e-6)


def test_deep_dream_loss_starts_from_a_variable_and_uses_the_symbolic_shape(installed):
    K = keras.backend
    model = _convnet()
    loss = K.variable(0.)
    for name, coeff in (("first", 0.2), ("last", 3.)):
        activation = model.get_layer(name).output
        scaling = K.prod(K.cast(K.shape(activation), "float32"))
        loss = loss + coeff * K.sum(K.square(activation[:, 2:-2, 2:-2, :])) / scaling
    grads = K.gradients(loss, model.input)[0]
    fetch = K.function([model.input], [loss, grads])
    image = _image(16)
    got_loss, got = fetch([image])

    probe = keras.Model(model.input, [model.get_layer(n).output for n in ("first", "last")])
    x = tf.constant(image)
    with tf.GradientTape() as tape:
        tape.watch(x)
        want_loss = 0.
        for activation, coeff in zip(probe(x), (0.2, 3.)):
            scaling = tf.cast(tf.reduce_prod(tf.shape(activation)), "float32")
            want_loss += coeff * tf.reduce_sum(tf.square(activation[:, 2:-2, 2:-2, :])) / scaling
    np.testing.assert_allclose(got_loss, want_loss.numpy(), rtol=1e-5)
    np.testing.assert_allclose(got, tape.gradient(want_loss, x).numpy(), rtol=1e-4, atol=1e-9)
    # the loop of the scripts: the image climbs the loss
    for _ in range(3):
        image = image + 0.5 * fetch([image])[1] / (np.abs(fetch([image])[1]).mean() + 1e-7)
    assert fetch([image])[0] > got_loss


def test_style_transfer_placeholder_among_constants(installed):
    """DLwP's neural style transfer: constants and a K.placeholder concatenated into a model's
    input_tensor, a loss summed from layer outputs, gradients with respect to the
    placeholder."""
    K = keras.backend
    rng = np.random.default_rng(1)
    target = K.constant(rng.random((1, 8, 8, 3)).astype("float32"))
    combination = K.placeholder((1, 8, 8, 3))
    conv = keras.layers.Conv2D(3, 3, padding="same")
    features = conv(K.concatenate([target, combination], axis=0))
    loss = K.variable(0.)
    loss = loss + K.sum(K.square(features[1] - features[0]))
    grads = K.gradients(loss, combination)[0]
    value = rng.random((1, 8, 8, 3)).astype("float32")
    got_loss, got = K.function([combination], [loss, grads])([value])
    x = tf.constant(value)
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = conv(tf.concat([K.get_value(target), x], axis=0))
        want = tf.reduce_sum(tf.square(out[1] - out[0]))
    np.testing.assert_allclose(got_loss, want.numpy(), rtol=1e-5)
    np.testing.assert_allclose(got, tape.gradient(want, x).numpy(), rtol=1e-4, atol=1e-7)


def test_gradients_with_respect_to_weights_and_an_unconnected_input(installed):
    K = keras.backend
    a, b = keras.Input((3,)), keras.Input((2,))
    dense = keras.layers.Dense(2)
    out = dense(a)
    grads = K.gradients(K.sum(out), dense.trainable_weights + [b])
    x = np.ones((4, 3), "float32")
    kernel, bias, unconnected = K.function([a, b], grads)([x, np.ones((4, 2), "float32")])
    np.testing.assert_allclose(kernel, np.full((3, 2), 4.0))
    np.testing.assert_allclose(bias, np.full((2,), 4.0))
    np.testing.assert_array_equal(unconnected, np.zeros((4, 2)))  # tf.gradients gave None


def test_gradient_with_respect_to_a_layer_output_a_skip_connection_passes_by(installed):
    """As tf.gradients: the derivative through the tensor, the skip path held."""
    K = keras.backend
    inp = keras.Input((3,))
    middle = keras.layers.Dense(3)(inp)
    grads = K.gradients(K.sum(middle * inp + inp), middle)[0]
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(K.function([inp], [grads])([x])[0], x)


def test_tensor_gradients_and_variable_arithmetic_keep_their_keras3_meaning(installed):
    K = keras.backend
    v = K.variable(2.0)
    assert float(v + 1.0) == 3.0 and float(1.0 - v) == -1.0 and float(v ** 2) == 4.0
    assert not isinstance(v * np.float32(3.0), keras.KerasTensor)
    assert K.shape(tf.zeros((2, 3))) == (2, 3)  # keras.ops.shape of a concrete tensor
    assert K.shape(keras.Input((3,), batch_size=2)) == (2, 3)  # known dimensions stay a tuple ...
    assert isinstance(K.shape(keras.Input((None, 3))), keras.KerasTensor)  # unknown: a tensor

    @tf.function
    def in_graph(x):
        return K.gradients(tf.reduce_sum(x * x), [x])[0]

    np.testing.assert_allclose(in_graph(tf.constant([1.0, 2.0])).numpy(), [2.0, 4.0])


def test_uninstall_gives_keras3s_variable_operators_back(installed):
    K = keras.backend
    kt = keras.Input((3,))
    assert isinstance(K.variable(0.) + kt, keras.KerasTensor)
    import kfitcompat

    kfitcompat.uninstall()
    try:
        assert "__add__" not in vars(type(keras.Variable(0.)))
        with pytest.raises(ValueError, match="KerasTensor cannot be used"):
            keras.Variable(0.) + kt
    finally:
        kfitcompat.install()
