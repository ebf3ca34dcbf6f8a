"""Training through kfitcompat (Keras 3) gives what tf_keras (Keras 2) gave.

Same initial weights, same deterministic batches, SGD: per-epoch loss/val_loss,
final weights, evaluate_generator and predict_generator agree to rtol 1e-4.
"""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest
from conftest import ArraySequenceMixin, build, cyclic_batches

import kfitcompat

tf_keras = pytest.importorskip("tf_keras")
pytestmark = pytest.mark.oracle

RTOL = 1e-4


class K3Seq(ArraySequenceMixin, kfitcompat.Sequence):
    pass


class TFKSeq(ArraySequenceMixin, tf_keras.utils.Sequence):
    pass


def _assert_same_run(h3, h2, m3, m2, keys=("loss", "val_loss")):
    for key in keys:
        if key in h2.history:
            np.testing.assert_allclose(h3.history[key], h2.history[key], rtol=RTOL, atol=1e-6,
                                       err_msg=key)
    assert h3.epoch == h2.epoch
    for w3, w2 in zip(m3.get_weights(), m2.get_weights()):
        np.testing.assert_allclose(w3, w2, rtol=RTOL, atol=1e-6)


def _legacy_fit_generator(model, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit_generator(*args, **kwargs)


@pytest.mark.parametrize("as_list", [False, True], ids=["tuple-batches", "list-batches"])
def test_fit_generator_plain_generator_with_tuple_validation(data, as_list):
    x, y = data
    m3, m2 = build(keras), build(tf_keras)
    val = (x[:32], y[:32])
    h3 = kfitcompat.fit_generator(m3, cyclic_batches(x, y, with_list=as_list),
                                  steps_per_epoch=4, epochs=3, validation_data=val, verbose=0)
    h2 = _legacy_fit_generator(m2, cyclic_batches(x, y), steps_per_epoch=4, epochs=3,
                               validation_data=val, verbose=0)
    _assert_same_run(h3, h2, m3, m2)
    np.testing.assert_allclose(h3.history["acc"], h2.history["accuracy"], rtol=RTOL)


def test_fit_generator_continues_the_stream_across_epochs(data):
    # 6 batches per pass, 4 steps per epoch: epoch 2 starts at batch 4 in both.
    x, y = data
    m3, m2 = build(keras), build(tf_keras)
    h3 = kfitcompat.fit_generator(m3, cyclic_batches(x, y), steps_per_epoch=4, epochs=3,
                                  verbose=0)
    h2 = _legacy_fit_generator(m2, cyclic_batches(x, y), steps_per_epoch=4, epochs=3, verbose=0)
    _assert_same_run(h3, h2, m3, m2)


def test_fit_generator_sequence_with_sequence_validation(data):
    x, y = data
    m3, m2 = build(keras), build(tf_keras)
    h3 = kfitcompat.fit_generator(m3, K3Seq(x, y), epochs=3, shuffle=False,
                                  validation_data=K3Seq(x[:48], y[:48]), verbose=0)
    h2 = _legacy_fit_generator(m2, TFKSeq(x, y), epochs=3, shuffle=False,
                               validation_data=TFKSeq(x[:48], y[:48]), verbose=0)
    _assert_same_run(h3, h2, m3, m2)


def test_fit_generator_class_weight_and_initial_epoch(data):
    x, y = data
    cw = {0: 1.0, 1: 3.0}
    m3, m2 = build(keras), build(tf_keras)
    h3 = kfitcompat.fit_generator(m3, cyclic_batches(x, y), steps_per_epoch=6, epochs=3,
                                  initial_epoch=1, class_weight=cw, verbose=0)
    h2 = _legacy_fit_generator(m2, cyclic_batches(x, y), steps_per_epoch=6, epochs=3,
                               initial_epoch=1, class_weight=cw, verbose=0)
    assert h3.epoch == [1, 2]
    _assert_same_run(h3, h2, m3, m2)


def test_evaluate_and_predict_generator_agree(data):
    x, y = data
    m3, m2 = build(keras), build(tf_keras)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e2 = m2.evaluate_generator(TFKSeq(x, y))
        p2 = m2.predict_generator((x[i * 16:(i + 1) * 16] for i in range(6)), steps=6)
    e3 = kfitcompat.evaluate_generator(m3, K3Seq(x, y))
    p3 = kfitcompat.predict_generator(m3, (x[i * 16:(i + 1) * 16] for i in range(6)), steps=6)
    np.testing.assert_allclose(e3, e2, rtol=RTOL)
    np.testing.assert_allclose(p3, p2, rtol=RTOL, atol=1e-6)
    assert kfitcompat.metrics_names(m3) == ["loss", "accuracy"]


def test_evaluate_generator_without_metrics_returns_a_scalar(data):
    x, y = data
    m3, m2 = build(keras, metrics=()), build(tf_keras, metrics=())
    e3 = kfitcompat.evaluate_generator(m3, cyclic_batches(x, y), steps=6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e2 = m2.evaluate_generator(cyclic_batches(x, y), steps=6)
    assert isinstance(e3, float)
    np.testing.assert_allclose(e3, e2, rtol=RTOL)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(validation_split=0.25),
        dict(class_weight={0: 2.0, 1: 0.5}),
        dict(sample_weight="ramp"),
        dict(initial_epoch=1, validation_split=0.5),
    ],
    ids=["validation_split", "class_weight", "sample_weight", "initial_epoch"],
)
def test_fit_on_arrays_matches_tf_keras(data, kwargs):
    x, y = data
    if kwargs.get("sample_weight") == "ramp":
        kwargs = dict(sample_weight=np.linspace(0.5, 1.5, len(x)).astype("float32"))
    m3, m2 = build(keras), build(tf_keras)
    h3 = kfitcompat.fit(m3, x, y, batch_size=16, epochs=3, shuffle=False, verbose=0, **kwargs)
    h2 = m2.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0, **kwargs)
    _assert_same_run(h3, h2, m3, m2)


def test_samples_per_epoch_divides_by_the_iterator_batch_size(data):
    # Keras 1 spelling on an object with .batch_size: 96 samples / 16 = 6 steps.
    x, y = data
    seq = K3Seq(x, y)
    seq.batch_size = 16
    m3, m2 = build(keras), build(tf_keras)
    with pytest.warns(kfitcompat.LegacyArgumentWarning, match="steps_per_epoch=6"):
        h3 = kfitcompat.fit_generator(m3, seq, samples_per_epoch=96, nb_epoch=2, shuffle=False,
                                      verbose=0)
    h2 = _legacy_fit_generator(m2, TFKSeq(x, y), steps_per_epoch=6, epochs=2, shuffle=False,
                               verbose=0)
    _assert_same_run(h3, h2, m3, m2)
