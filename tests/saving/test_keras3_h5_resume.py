"""``model.save('m.h5')`` then ``load_model('m.h5')`` and more training: the Keras 2 way to
resume. Keras 3.15's own ``.h5`` loader builds the optimizer on the variables the model object
tracks itself, so the saved state is lost and ``fit`` fails ("Unknown variable"); after
``install()`` training resumes where it stopped (kfitcompat/saving/h5_optimizer.py)."""

from __future__ import annotations

import keras
import numpy as np
import pytest


def _data():
    rng = np.random.default_rng(0)
    return rng.random((32, 5)).astype("float32"), rng.random((32, 1)).astype("float32")


def _sequential(loss="mse"):
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(0.01), loss)
    return model


def _functional():
    keras.utils.set_random_seed(1)
    inp = keras.Input((5,))
    model = keras.Model(inp, keras.layers.Dense(1)(keras.layers.Dense(4)(inp)))
    model.compile(keras.optimizers.RMSprop(0.01, momentum=0.5), "mse")
    return model


def test_keras3_alone_cannot_train_a_model_loaded_from_its_own_h5(tmp_path):
    x, y = _data()
    model = _sequential("binary_crossentropy")  # Keras 3 alone cannot load loss="mse" from .h5
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.h5")
    loaded = keras.models.load_model(tmp_path / "m.h5")
    with pytest.raises(ValueError, match="Unknown variable"):
        loaded.fit(x, y, epochs=1, verbose=0)


@pytest.mark.parametrize("build", [_sequential, _functional])
def test_training_resumes_from_a_keras3_h5_file_with_its_optimizer_state(installed, tmp_path,
                                                                        build):
    x, y = _data()
    model = build()
    model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    model.save(tmp_path / "m.h5")
    loaded = keras.models.load_model(tmp_path / "m.h5")
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations) == 8
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    loaded.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    for resumed, continued in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_allclose(resumed, continued, rtol=1e-5, atol=1e-6)
