"""channels_first convolutions on a machine without a GPU (kfitcompat/keras2/conv_layout.py):
Keras 2 transposed to channels-last and back; Keras 3 (and tf_keras) raise on the first batch.
The oracle is the same layer, same weights, in channels_last on the transposed input."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import kfitcompat
from kfitcompat.keras2.conv_layout import gpu_visible

pytestmark = pytest.mark.skipif(gpu_visible(), reason="a GPU runs NCHW itself")

LAYERS = {
    "Conv1D": (lambda fmt: keras.layers.Conv1D(4, 3, data_format=fmt), (3, 9)),
    "Conv2D": (lambda fmt: keras.layers.Conv2D(4, (3, 2), strides=2, data_format=fmt),
               (3, 9, 8)),
    "Conv2DTranspose": (lambda fmt: keras.layers.Conv2DTranspose(4, 3, strides=2,
                                                                 data_format=fmt), (3, 5, 6)),
    "Conv3DTranspose": (lambda fmt: keras.layers.Conv3DTranspose(2, 2, data_format=fmt),
                        (3, 4, 4, 4)),
    "ConvLSTM2D": (lambda fmt: keras.layers.ConvLSTM2D(2, 3, padding="same", data_format=fmt),
                   (2, 3, 5, 5)),
}


def _to_last(x, sequence=False):
    """channels-first -> channels-last (after the time axis of a ConvLSTM2D input)."""
    lead = 2 if sequence else 1
    return np.moveaxis(x, lead, -1)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_channels_first_layer_matches_channels_last_with_the_same_weights(installed, name):
    make, shape = LAYERS[name]
    sequence = name == "ConvLSTM2D"
    x = np.random.default_rng(0).normal(size=(2, *shape)).astype("float32")
    first = keras.Sequential([keras.Input(shape), make("channels_first")])
    last = keras.Sequential([keras.Input(_to_last(x, sequence).shape[1:]),
                             make("channels_last")])
    last.set_weights(first.get_weights())
    got = keras.ops.convert_to_numpy(first(x))
    want = np.moveaxis(keras.ops.convert_to_numpy(last(_to_last(x, sequence))), -1, 1)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    # and in a compiled training step (fit's graph, gradients through the transposes)
    first.compile("sgd", "mse")
    history = first.fit(x, np.zeros_like(got), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_keras3_alone_has_no_channels_first_convolution_without_a_gpu():
    """Why the translation exists. Some TensorFlow builds run NCHW on the CPU themselves
    (seen with TensorFlow 2.21.0 on a CPU with AVX-512): there the translation is not needed
    (and the tests above show it gives the same result)."""
    layer = keras.layers.Conv2D(2, 3, data_format="channels_first")
    try:
        layer(np.zeros((1, 3, 6, 6), "float32"))
    except Exception as exc:  # noqa: BLE001 - TensorFlow's UnimplementedError
        assert "NHWC" in str(exc)
    else:
        pytest.skip("this TensorFlow build has an NCHW convolution kernel for the CPU")


def test_keras1_theano_ordered_script_trains(installed):
    previous = keras.config.image_data_format()
    keras.config.set_image_data_format("channels_first")
    try:
        from keras.layers import Activation, Convolution2D, Dense, Flatten, MaxPooling2D

        model = keras.models.Sequential()
        model.add(Convolution2D(4, 3, 3, input_shape=(3, 12, 12)))
        model.add(Activation("relu"))
        model.add(MaxPooling2D(pool_size=(2, 2)))
        model.add(Flatten())
        model.add(Dense(1, activation="sigmoid"))
        model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
        x = np.random.default_rng(1).random((8, 3, 12, 12)).astype("float32")
        history = model.fit(x, np.arange(8) % 2, nb_epoch=2, batch_size=4, verbose=0)
        assert model.layers[0].output_shape == (None, 4, 10, 10)
        assert len(history.history["loss"]) == 2
    finally:
        keras.config.set_image_data_format(previous)


def test_uninstall_gives_keras3_its_own_convolution_back():
    from kfitcompat._keras_private import backend_nn_module

    module = backend_nn_module()
    before = (module.conv, module.conv_transpose)
    kfitcompat.install()
    try:
        assert module.conv is not before[0]
    finally:
        kfitcompat.uninstall()
    assert (module.conv, module.conv_transpose) == before
