"""Keras 2's LocallyConnected1D / 2D after install(): tf_keras 2.21's outputs for the same
weights, Keras 2 ``.h5`` files, and Keras 3 files of models that use them."""

from __future__ import annotations

import keras
import numpy as np
import pytest

tk = pytest.importorskip("tf_keras")


CASES = [
    pytest.param("LocallyConnected1D", (7, 3), dict(filters=4, kernel_size=3, strides=2),
                 id="1d"),
    pytest.param("LocallyConnected2D", (6, 5, 3),
                 dict(filters=2, kernel_size=(3, 2), strides=(1, 2), activation="relu"),
                 id="2d-channels-last"),
    pytest.param("LocallyConnected2D", (3, 6, 5),
                 dict(filters=2, kernel_size=(2, 3), strides=(2, 1),
                      data_format="channels_first"), id="2d-channels-first"),
]


@pytest.mark.parametrize("name, shape, kwargs", CASES)
def test_outputs_equal_tf_keras_for_the_same_weights(installed, name, shape, kwargs):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, *shape)).astype("float32")
    ours = getattr(keras.layers, name)(**kwargs)
    theirs = getattr(tk.layers, name)(**kwargs)
    theirs.build((None, *shape))
    ours.build((None, *shape))
    weights = [rng.standard_normal(w.shape).astype("float32") for w in theirs.get_weights()]
    assert [tuple(w.shape) for w in ours.weights] == [w.shape for w in weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    expected = theirs(x).numpy()
    np.testing.assert_allclose(ours(x), expected, rtol=1e-5, atol=1e-5)
    assert ours.compute_output_shape((None, *shape)) == tuple(
        theirs.compute_output_shape((None, *shape)))


def test_a_tf_keras_h5_file_loads_and_predicts_as_tf_keras(installed, tmp_path):
    path = str(tmp_path / "local.h5")
    model = tk.Sequential([tk.layers.LocallyConnected2D(3, 3, input_shape=(8, 8, 2)),
                           tk.layers.Reshape((36, 3)),
                           tk.layers.LocallyConnected1D(2, 4, strides=2),
                           tk.layers.Flatten(), tk.layers.Dense(1)])
    model.compile("adam", "mse")
    model.save(path)
    x = np.random.default_rng(1).random((3, 8, 8, 2)).astype("float32")
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-5)
    again = str(tmp_path / "local.keras")
    loaded.save(again)
    np.testing.assert_allclose(keras.models.load_model(again).predict(x, verbose=0),
                               model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)


def test_a_script_trains_with_the_legacy_import_path(installed):
    from keras.layers.local import LocallyConnected2D

    model = keras.Sequential([keras.Input((5, 5, 1)), LocallyConnected2D(2, (2, 2)),
                              keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(np.ones((8, 5, 5, 1)), np.zeros((8, 1)), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.layers[0].output_shape == (None, 4, 4, 2)


@pytest.mark.parametrize("kwargs, match", [
    (dict(padding="same"), r"`padding`.*only 'valid'.*padding='same'"),
    (dict(implementation=2), r"implementation=2.*implementation=1"),
])
def test_what_keras2_did_not_have_is_refused_by_name(installed, kwargs, match):
    with pytest.raises(ValueError, match=match):
        keras.layers.LocallyConnected2D(2, 3, **kwargs)


def test_not_there_without_install():
    assert not hasattr(keras.layers, "LocallyConnected2D")
