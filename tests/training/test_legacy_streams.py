"""Keras 2.2.4 / 2.3.1 stream rules that legacy code relies on (issue: legacy code must run).

* a validation generator or Sequence is one continuous stream across epochs: epoch 2
  validates the batches after epoch 1's, nothing read ahead is lost;
* ``on_epoch_end()`` runs once per epoch, the last one included, for training and
  validation Sequences;
* a Sequence whose ``len()`` changes in ``on_epoch_end()`` gets the new length from the
  next epoch on (Keras 2.3.1, ``steps_per_epoch=None``).
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

import kfitcompat

LOADINGS = {
    "main-thread": dict(workers=0),
    "one-worker": dict(workers=1),
    "threads": dict(workers=3, max_queue_size=4),
    "processes": dict(workers=2, use_multiprocessing=True),
}


def _model() -> keras.Model:
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


def _counting_generator(seen: list[int]):
    i = 0
    while True:
        seen.append(i)
        yield np.full((2, 1), i, "float32"), np.full((2, 1), i, "float32")
        i += 1


class _ValueRecorder(keras.callbacks.Callback):
    """Which batch values each validation run saw (the model predicts 0: loss = mean(v^2))."""

    def __init__(self) -> None:
        super().__init__()
        self.val_losses: list[float] = []

    def on_epoch_end(self, epoch, logs=None):
        self.val_losses.append(logs["val_loss"])


def _val_loss_of(values: list[int]) -> float:
    return float(np.mean(np.square(values)))


@pytest.mark.parametrize("loading", ["main-thread", "one-worker", "threads"])
def test_validation_generator_continues_across_epochs(loading):
    model = _model()
    model.set_weights([np.zeros((1, 1), "float32"), np.zeros(1, "float32")])
    model.compile(keras.optimizers.SGD(learning_rate=0.0), "mse")  # weights stay 0
    seen: list[int] = []
    recorder = _ValueRecorder()
    kfitcompat.fit_generator(
        model, _counting_generator([]), steps_per_epoch=2, epochs=3,
        validation_data=_counting_generator(seen), validation_steps=3, verbose=0,
        callbacks=[recorder], **LOADINGS[loading])
    # Keras 2.2.4: epoch 1 validates batches 0-2, epoch 2 3-5, epoch 3 6-8.
    expected = [_val_loss_of([0, 1, 2]), _val_loss_of([3, 4, 5]), _val_loss_of([6, 7, 8])]
    np.testing.assert_allclose(recorder.val_losses, expected, rtol=1e-5)


class _RecordingSequence(kfitcompat.Sequence):
    def __init__(self, length: int, events: list) -> None:
        self.length, self.events = length, events

    def __len__(self):
        return self.length

    def __getitem__(self, i):
        self.events.append(("get", i))
        return np.full((2, 1), i, "float32"), np.zeros((2, 1), "float32")

    def on_epoch_end(self):
        self.events.append(("end",))


class _EpochMarker(keras.callbacks.Callback):
    def __init__(self, events: list) -> None:
        super().__init__()
        self.events = events

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(("epoch", epoch))


@pytest.mark.parametrize("loading", sorted(LOADINGS))
def test_on_epoch_end_once_per_epoch_the_last_included(loading):
    train: list = []
    val: list = []
    kfitcompat.fit_generator(
        _model(), _RecordingSequence(4, train), epochs=3,
        validation_data=_RecordingSequence(3, val), verbose=0, **LOADINGS[loading])
    # on_epoch_end runs in this process (with worker processes too)
    assert train.count(("end",)) == 3
    assert val.count(("end",)) == 3


def test_on_epoch_end_follows_the_epoch_callbacks_on_the_last_epoch():
    events: list = []
    kfitcompat.fit_generator(_model(), _RecordingSequence(2, events), epochs=2, workers=0,
                             verbose=0, callbacks=[_EpochMarker(events)])
    tail = [e for e in events if e[0] != "get"]
    assert tail[-2:] == [("epoch", 1), ("end",)]


def test_validation_sequence_shorter_steps_continues_across_epochs():
    events: list = []
    model = _model()
    kfitcompat.fit_generator(model, _RecordingSequence(2, []), epochs=3, workers=0,
                             validation_data=_RecordingSequence(4, events), validation_steps=2,
                             verbose=0)
    gets = [e[1] for e in events if e[0] == "get"]
    # one continuous stream: 0 1 | 2 3 | (end of pass) 0 1
    assert gets[:6] == [0, 1, 2, 3, 0, 1]
    assert events.count(("end",)) == 1


def _plus_two(b: int) -> int:  # picklable (worker processes)
    return b + 2


class _GrowingBatches(kfitcompat.Sequence):
    """Keras 2.3.1's IncreaseBatchSizeRandomSequence: the batch grows after every pass."""

    def __init__(self, batch_size: int, n: int, grow=None) -> None:
        self.batch_size, self.n, self.grow = batch_size, n, grow or _plus_two

    def __len__(self):
        return int(np.ceil(self.n / self.batch_size))

    def __getitem__(self, i):
        return (np.zeros((self.batch_size, 1), "float32"),
                np.zeros((self.batch_size, 1), "float32"))

    def on_epoch_end(self):
        self.batch_size = self.grow(self.batch_size)


class _BatchTracker(keras.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []
        self.steps: list[int] = []

    def on_epoch_begin(self, epoch, logs=None):
        self.steps.append(self.params["steps"])

    def on_train_batch_begin(self, batch, logs=None):
        self.batches.append(batch)


@pytest.mark.parametrize("loading", ["main-thread", "one-worker", "threads", "processes"])
def test_sequence_whose_length_changes_gets_the_new_length_next_epoch(loading):
    tracker = _BatchTracker()
    kfitcompat.fit_generator(_model(), _GrowingBatches(3, 20), epochs=5, verbose=0,
                             validation_data=_RecordingSequence(4, []), validation_steps=3,
                             callbacks=[tracker], **{"max_queue_size": 1, **LOADINGS[loading]})
    assert tracker.steps == [7, 4, 3, 3, 2]
    assert tracker.batches == [*range(7), *range(4), *range(3), *range(3), *range(2)]


class _Lifecycle(keras.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []

    def on_train_begin(self, logs=None):
        self.events.append("train_begin")

    def on_train_end(self, logs=None):
        self.events.append("train_end")

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(f"epoch_end {epoch}")


def test_changing_length_is_one_training_for_the_callbacks_and_the_history():
    """Run one Keras 3 fit per epoch and callbacks still see one training: one
    on_train_begin / on_train_end, one History with every epoch."""
    life = _Lifecycle()
    seq = _GrowingBatches(2, 8, grow=lambda b: b * 2)  # 4, 2, 1 batches
    history = kfitcompat.fit_generator(_model(), seq, epochs=3, verbose=0, callbacks=[life],
                                       validation_data=_RecordingSequence(2, []))
    assert life.events == ["train_begin", "epoch_end 0", "epoch_end 1", "epoch_end 2",
                           "train_end"]
    assert history.epoch == [0, 1, 2]
    assert len(history.history["loss"]) == len(history.history["val_loss"]) == 3


def test_changing_length_stops_with_early_stopping_and_keeps_initial_epoch():
    seen: list[int] = []
    stopper = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.append(epoch))
    model = _model()

    class StopAt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 3:
                self.model.stop_training = True

    history = kfitcompat.fit_generator(model, _GrowingBatches(1, 4), epochs=8, initial_epoch=2,
                                       verbose=0, callbacks=[stopper, StopAt()])
    assert seen == [2, 3]
    assert history.epoch == [2, 3]


def test_changing_length_prints_one_progress_bar_per_epoch(capsys):
    kfitcompat.fit_generator(_model(), _GrowingBatches(3, 12), epochs=2, verbose=2)
    out = capsys.readouterr().out
    assert out.count("Epoch 1/2") == 1 and out.count("Epoch 2/2") == 1


def test_changing_length_resumes_from_backup_and_restore_once(tmp_path):
    """BackupAndRestore's restored epoch applies to the first of the one-epoch fits only."""
    model = _model()

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("interrupted")

    backup = keras.callbacks.BackupAndRestore(str(tmp_path))
    with pytest.raises(RuntimeError):
        kfitcompat.fit_generator(model, _GrowingBatches(1, 4), epochs=5, verbose=0,
                                 callbacks=[backup, Interrupt()], workers=0)
    seen: list[int] = []
    record = keras.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: seen.append(e))
    history = kfitcompat.fit_generator(model, _GrowingBatches(1, 4), epochs=5, verbose=0,
                                       callbacks=[backup, record], workers=0)
    assert seen == [2, 3, 4]
    assert history.epoch == [2, 3, 4]


def test_changing_length_with_no_epoch_to_run_still_begins_and_ends():
    """``epochs=0`` (or ``initial_epoch == epochs``): an empty History, and the callbacks see
    one on_train_begin / on_train_end, as with a single Keras 3 fit."""
    for kwargs in (dict(epochs=0), dict(epochs=2, initial_epoch=2)):
        life = _Lifecycle()
        history = kfitcompat.fit_generator(_model(), _GrowingBatches(1, 4), verbose=0,
                                           callbacks=[life], **kwargs)
        assert history.epoch == [] and life.events == ["train_begin", "train_end"]
