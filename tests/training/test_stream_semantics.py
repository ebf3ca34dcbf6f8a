"""tf.keras' steps_per_epoch rules (tf_keras DataHandlerTest), shuffle='batch', validation_freq."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from conftest import build

import kfitcompat
from kfitcompat.training.arrays import ShuffledArrays


def _batches_per_epoch(data, steps, epochs, kind):
    """Which batches fit_generator trains on, per epoch (via a Sequence that records, workers=0)."""
    served: list[int] = []

    class Seq(kfitcompat.Sequence):
        def __len__(self):
            return len(data)

        def __getitem__(self, i):
            served.append(data[i])
            return np.full((1, 1), data[i], "float32"), np.zeros((1, 1), "float32")

    def gen():
        for v in data:
            served.append(v)
            yield np.full((1, 1), v, "float32"), np.zeros((1, 1), "float32")

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")

    source = Seq() if kind == "sequence" else gen()
    kfitcompat.fit_generator(model, source, steps_per_epoch=steps, epochs=epochs, workers=0,
                             shuffle=False, verbose=0)
    return served


def test_finite_input_larger_than_steps_continues_across_epochs():
    # DataHandlerTest.test_finite_dataset_with_steps_per_epoch: [[0, 1], [2, 3]]
    assert _batches_per_epoch([0, 1, 2, 3], 2, 2, "generator")[:4] == [0, 1, 2, 3]
    assert _batches_per_epoch([0, 1, 2, 3], 2, 2, "sequence")[:4] == [0, 1, 2, 3]


def test_input_whose_size_equals_steps_restarts_each_epoch():
    # test_finite_dataset_with_steps_per_epoch_exact_size: [[0..3], [0..3]]
    assert _batches_per_epoch([0, 1, 2, 3], 4, 2, "sequence")[:8] == [0, 1, 2, 3] * 2


def test_sequence_shorter_than_steps_wraps_around():
    # Keras 2: the OrderedEnqueuer stream is endless; Keras 3 would end the epoch early.
    assert _batches_per_epoch([0, 1, 2], 5, 1, "sequence")[:5] == [0, 1, 2, 0, 1]


def test_batch_shuffle_permutes_full_chunks_and_keeps_the_remainder_last():
    x = np.arange(10, dtype="float32")[:, None]
    seq = ShuffledArrays(x, x, None, batch_size=3)
    orders = set()
    for _ in range(20):
        chunks = [seq[i][0][:, 0].tolist() for i in range(len(seq))]
        assert chunks[-1] == [9.0]
        assert sorted(tuple(c) for c in chunks[:-1]) == [(0, 1, 2), (3, 4, 5), (6, 7, 8)]
        orders.add(tuple(tuple(c) for c in chunks))
        seq.on_epoch_end()
    assert len(orders) > 1


def test_fit_with_shuffle_batch_trains_on_every_sample(data):
    x, y = data
    model = build(keras)
    h = kfitcompat.fit(model, x, y, batch_size=16, epochs=2, shuffle="batch", verbose=0)
    assert h.epoch == [0, 1]


@pytest.mark.parametrize("freq, expected", [(2, 1), ([1, 3], 2), ((3,), 1)],
                         ids=["int", "list", "tuple"])
def test_validation_freq_int_list_or_any_container(data, freq, expected):
    x, y = data
    model = build(keras)
    h = kfitcompat.fit(model, x, y, epochs=3, validation_data=(x, y), validation_freq=freq,
                       verbose=0)
    assert len(h.history["val_loss"]) == expected
