"""The second fault matrix (rows of the issue "The second fault matrix"), as far as built:
NumPy integers as counts, tf.data in the generator methods, decompression bombs, finite
generators shorter than `steps` in evaluate/predict."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

import kfitcompat


def _model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


def _batches(n=None):
    i = 0
    while n is None or i < n:
        yield np.full((2, 3), i, "float32"), np.zeros((2, 1), "float32")
        i += 1


class _Seq(kfitcompat.Sequence):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return np.full((2, 3), i, "float32"), np.zeros((2, 1), "float32")


class _Counter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.train = self.test = self.predict = 0

    def on_train_batch_end(self, batch, logs=None):
        self.train += 1

    def on_test_batch_end(self, batch, logs=None):
        self.test += 1

    def on_predict_batch_end(self, batch, logs=None):
        self.predict += 1


def test_numpy_integers_are_accepted_as_counts():
    n = np.int64
    counter = _Counter()
    kfitcompat.fit_generator(_model(), _batches(), steps_per_epoch=n(3), epochs=n(2),
                             validation_data=_batches(), validation_steps=n(2),
                             workers=n(2), max_queue_size=n(4), verbose=0, callbacks=[counter])
    assert counter.train == 6
    assert len(kfitcompat.predict_generator(_model(), _batches(), steps=np.int32(2))) == 4
    it = kfitcompat.image.ImageDataGenerator().flow(np.zeros((10, 4, 4, 1)), batch_size=n(4))
    assert len(it) == 3


@pytest.mark.parametrize("name", ["steps_per_epoch", "workers", "max_queue_size"])
def test_non_integral_counts_still_name_the_argument(name):
    args = dict(steps_per_epoch=2, workers=1, max_queue_size=4)
    args[name] = "3"
    with pytest.raises(ValueError, match=f"`{name}`"):
        kfitcompat.fit_generator(_model(), _batches(), verbose=0, **args)


def test_tf_data_datasets_work_in_the_generator_methods():
    ds = tf.data.Dataset.from_generator(
        lambda: _batches(6), output_signature=(tf.TensorSpec((None, 3)),
                                               tf.TensorSpec((None, 1)))).repeat()
    model = _model()
    counter = _Counter()
    history = kfitcompat.fit_generator(model, ds, steps_per_epoch=3, epochs=2, verbose=0,
                                       validation_data=ds, validation_steps=2,
                                       callbacks=[counter])
    assert counter.train == 6 and len(history.history["val_loss"]) == 2
    assert np.isfinite(kfitcompat.evaluate_generator(model, ds, steps=2))
    assert kfitcompat.predict_generator(model, ds, steps=2).shape == (4, 1)


@pytest.mark.parametrize("method", ["evaluate_generator", "predict_generator"])
def test_finite_generator_shorter_than_steps_warns_in_inference(method):
    with pytest.warns(UserWarning, match=r"asked for `steps=5` and the generator gave 3"):
        getattr(kfitcompat, method)(_model(), _batches(3), steps=5)


def test_inference_over_enough_batches_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        kfitcompat.evaluate_generator(_model(), _Seq(), steps=4)


def test_decompression_bomb_names_the_file_and_can_be_skipped(tmp_path, monkeypatch):
    from PIL import Image

    for cls in ("a", "b"):
        (tmp_path / cls).mkdir()
        Image.new("RGB", (64, 64)).save(tmp_path / cls / "big.png")
        Image.new("RGB", (4, 4)).save(tmp_path / cls / "small.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 500)  # 64 * 64 > 2 * 500: a "bomb"
    gen = kfitcompat.image.ImageDataGenerator()
    it = gen.flow_from_directory(str(tmp_path), target_size=(4, 4), batch_size=4,
                                 shuffle=False)
    with pytest.raises(kfitcompat.image.CorruptImageError, match="big.png"):
        it[0]
    with pytest.warns(UserWarning, match="skipped 2 unreadable"):
        ok = gen.flow_from_directory(str(tmp_path), target_size=(4, 4), bad_files="skip")
    assert ok.samples == 2


@pytest.mark.parametrize("workers", [0, 1])
def test_a_draw_nobody_needs_does_not_block_the_return(workers):
    import time

    def blocks_after_four():
        yield from _batches(4)
        time.sleep(30)  # the fifth draw: no step of the call needs it
        yield from _batches(1)

    started = time.monotonic()
    kfitcompat.fit_generator(_model(), blocks_after_four(), steps_per_epoch=2, epochs=2,
                             workers=workers, verbose=0)
    assert time.monotonic() - started < 15


def test_array_fit_counts_are_checked_like_the_stream_counts():
    """Found by the call-surface property test: ``fit(x, y, batch_size=1.0)`` and
    ``steps_per_epoch=1.0`` on arrays ended in TensorFlow's own TypeError."""
    x, y = np.zeros((12, 3), "float32"), np.zeros((12, 1), "float32")
    for name, value in (("batch_size", 1.0), ("batch_size", True), ("validation_batch_size", 0),
                        ("steps_per_epoch", "2"), ("validation_steps", -1)):
        with pytest.raises(ValueError, match=f"argument `{name}`.*{name}={value!r}"):
            kfitcompat.fit(_model(), x, y, verbose=0, validation_data=(x, y), **{name: value})
    counter = _Counter()
    kfitcompat.fit(_model(), x, y, batch_size=np.int64(4), steps_per_epoch=np.float64(2.0),
                   epochs=np.int32(2), verbose=0, callbacks=[counter])
    assert counter.train == 4  # tf_keras: 4 (the arrays repeat); Keras 3 alone: 3, ran out


@pytest.mark.parametrize("method", ["fit", "fit_generator"])
@pytest.mark.parametrize("rows, epochs, steps", [(12, 3, 2), (16, 3, 2), (12, 5, 1)])
def test_a_dataset_that_runs_dry_in_steps_stops_training_as_tf_keras(method, rows, epochs,
                                                                     steps):
    """With ``steps_per_epoch``, one iterator serves the call; tf.keras stopped training when
    it ran dry, where Keras 3 starts the dataset again (a dataset of known length even when
    a pass ends exactly at an epoch's end)."""
    tfk = pytest.importorskip("tf_keras")
    x, y = np.zeros((rows, 3), "float32"), np.zeros((rows, 1), "float32")

    def dataset():
        return tf.data.Dataset.from_tensor_slices((x, y)).batch(4)

    class Count(tfk.callbacks.Callback):
        batches = 0

        def on_train_batch_end(self, batch, logs=None):
            Count.batches += 1

    oracle = tfk.Sequential([tfk.Input((3,)), tfk.layers.Dense(1)])
    oracle.compile("sgd", "mse")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = oracle.fit(dataset(), steps_per_epoch=steps, epochs=epochs, verbose=0,
                              callbacks=[Count()]).epoch
        counter = _Counter()
        history = getattr(kfitcompat, method)(_model(), dataset(), steps_per_epoch=steps,
                                              epochs=epochs, verbose=0, callbacks=[counter])
    assert (counter.train, history.epoch) == (Count.batches, expected)


def test_calls_that_raise_in_two_threads_each_get_their_error_and_restore_the_state():
    import signal
    import threading

    def failing(at):
        for i, batch in enumerate(_batches()):
            if i == at:
                raise KeyError(f"bad batch {at}")
            yield batch

    before = (list(warnings.filters), signal.getsignal(signal.SIGINT), keras.Model.fit)
    alive = {t.ident for t in threading.enumerate()}
    barrier, errors = threading.Barrier(2), {}

    def train(at):
        model = _model()
        barrier.wait()
        try:
            kfitcompat.fit_generator(model, failing(at), steps_per_epoch=10, verbose=0,
                                     workers=2)
        except KeyError as exc:
            errors[at] = exc

    threads = [threading.Thread(target=train, args=(at,)) for at in (2, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert {at: str(e) for at, e in errors.items()} == {2: "'bad batch 2'", 5: "'bad batch 5'"}
    assert (list(warnings.filters), signal.getsignal(signal.SIGINT), keras.Model.fit) == before
    for _ in range(50):  # loader threads end with their call
        if {t.ident for t in threading.enumerate() if t.is_alive()} <= alive:
            break
        threading.Event().wait(0.1)
    assert {t.name for t in threading.enumerate() if t.ident not in alive} == set()


def test_two_calls_in_two_threads_leave_the_warning_filters_as_they_were():
    import threading

    before = list(warnings.filters)
    barrier, errors = threading.Barrier(2), []

    def train():
        try:
            model = _model()
            barrier.wait()
            for _ in range(3):
                kfitcompat.fit_generator(model, _batches(), steps_per_epoch=3, epochs=1,
                                         verbose=0)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=train) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert warnings.filters == before
    with warnings.catch_warnings(record=True) as caught:  # Keras 3's own warning still shows
        warnings.simplefilter("always")
        _model().fit(tf.data.Dataset.from_tensors((np.zeros((2, 3)), np.zeros((2, 1)))),
                     steps_per_epoch=3, epochs=1, verbose=0)
    assert any("ran out of data" in str(w.message) for w in caught), [str(w.message)
                                                                      for w in caught]


def test_steps_per_execution_does_not_round_up_the_inference_steps():
    x = np.arange(12, dtype="float32").reshape(6, 2, 1)
    x = np.broadcast_to(x, (6, 2, 3)).copy()

    def gen():
        for i in range(6):
            yield x[i], np.full((2, 1), i, "float32")

    expected = _model()
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse", steps_per_execution=3)
    model.set_weights(expected.get_weights())
    exact = expected.evaluate(np.concatenate(x[:4]), np.repeat(np.arange(4.0), 2)[:, None],
                              batch_size=2, verbose=0)
    assert kfitcompat.evaluate_generator(model, gen(), steps=4) == pytest.approx(exact)
    assert kfitcompat.predict_generator(model, gen(), steps=4).shape == (8, 1)
    assert kfitcompat.predict_generator(model, gen(), steps=3).shape == (6, 1)


@pytest.mark.parametrize("data", ["sequence", "generator"])
def test_steps_per_execution_trains_exactly_steps_per_epoch(data):
    def make():
        return _Seq() if data == "sequence" else _batches()

    weights, histories = [], []
    for per_execution in (1, 3):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(keras.optimizers.SGD(0.01), "mse", steps_per_execution=per_execution)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no "ran out of data"
            history = kfitcompat.fit_generator(model, make(), steps_per_epoch=4, epochs=3,
                                               shuffle=False, verbose=0)
        histories.append(history.history["loss"])
        weights.append(model.get_weights()[0])
    assert len(histories[1]) == 3
    np.testing.assert_allclose(histories[1], histories[0], rtol=1e-5)
    np.testing.assert_allclose(weights[1], weights[0], rtol=1e-5)
