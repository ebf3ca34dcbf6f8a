"""Targets keyed by the output layer's name for a model with one output (Keras 2's
functional-API style; kfitcompat/training/targets.py): Keras 3 alone fails inside its loss,
after ``install()`` the call trains exactly as with the arrays themselves."""

from __future__ import annotations

import keras
import numpy as np
import pytest


def _model():
    keras.utils.set_random_seed(3)
    inp = keras.Input((4,), name="feats")
    out = keras.layers.Dense(1, activation="sigmoid", name="out")(inp)
    model = keras.Model(inp, out)
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.random((40, 4)).astype("float32"), (rng.random(40) > 0.5).astype("float32")


def test_keras3_alone_fails_on_a_target_keyed_by_the_output_name():
    x, y = _data()
    with pytest.raises(TypeError):
        _model().fit(x, {"out": y}, epochs=1, verbose=0)


def test_fit_and_evaluate_with_targets_keyed_by_the_output_name(installed):
    x, y = _data()
    weights = np.linspace(0.5, 1.5, 40).astype("float32")
    plain = _model()
    plain_history = plain.fit(x, y, sample_weight=weights, epochs=2, shuffle=False, verbose=0,
                              validation_data=(x, y))
    keyed = _model()
    keyed_history = keyed.fit({"feats": x}, {"out": y}, sample_weight={"out": weights},
                              epochs=2, shuffle=False, verbose=0,
                              validation_data=({"feats": x}, {"out": y}))
    for a, b in zip(plain.get_weights(), keyed.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(plain_history.history["val_loss"],
                               keyed_history.history["val_loss"], rtol=1e-6)
    np.testing.assert_allclose(plain.evaluate(x, y, verbose=0),
                               keyed.evaluate({"feats": x}, {"out": y}, verbose=0), rtol=1e-6)


def test_class_weight_keyed_by_the_output_name(installed):
    x, y = _data()
    plain, keyed = _model(), _model()
    plain.fit(x, y, class_weight={0: 1.0, 1: 3.0}, epochs=1, shuffle=False, verbose=0)
    keyed.fit(x, {"out": y}, class_weight={"out": {0: 1.0, 1: 3.0}}, epochs=1, shuffle=False,
              verbose=0)
    for a, b in zip(plain.get_weights(), keyed.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_a_dict_of_another_name_is_left_to_keras3(installed):
    x, y = _data()
    with pytest.raises(TypeError):
        _model().fit(x, {"not_the_output": y}, epochs=1, verbose=0)


def test_keras3_alone_fails_on_a_python_list_of_labels():
    x, y = _data()
    with pytest.raises(ValueError):
        _model().train_on_batch(x[:4], [0, 1, 1, 0])


def test_a_python_list_of_numbers_is_one_target_array(installed):
    """Keras 2.2.4's ``standardize_input_data``: a list whose items are numbers is one array
    (Keras 2.3.1's ``test_with_list_as_targets``); a list of lists stays Keras 3's error, as
    Keras 2 refused it for a model with one output."""
    x, y = _data()
    labels = [float(v) for v in y]
    plain, listed = _model(), _model()
    plain.fit(x, y, epochs=1, shuffle=False, verbose=0, validation_data=(x, y))
    listed.fit(x, labels, epochs=1, shuffle=False, verbose=0, validation_data=(x, labels))
    for a, b in zip(plain.get_weights(), listed.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(plain.train_on_batch(x[:4], y[:4]),
                               listed.train_on_batch(x[:4], labels[:4]), rtol=1e-6)
    np.testing.assert_allclose(plain.test_on_batch(x, y), listed.test_on_batch(x, labels),
                               rtol=1e-6)
    np.testing.assert_allclose(plain.evaluate(x, y, verbose=0),
                               listed.evaluate(x, labels, verbose=0), rtol=1e-6)
    with pytest.raises(ValueError):
        listed.train_on_batch(x[:2], [[0.0], [1.0]])
