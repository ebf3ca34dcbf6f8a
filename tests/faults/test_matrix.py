"""The fault matrix (issue #7): each case for threads and for processes.

After every case: the original error (or the legacy warning) reaches the caller,
no loader thread or worker process is left, and the model trains again.
Ctrl-C and SIGKILLed workers are in ``test_shutdown.py`` beside this file.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from engine_helpers import (
    FAULTS,
    LOADING,
    Broken,
    FaultIterator,
    FaultSequence,
    Started,
    python_threads,
)

import kfitcompat
from kfitcompat import BatchError

# What the error says about the batch (besides naming the step): expected vs actual.
SAYS = {
    "raise": r"the disk is on fire",
    "none": r"should be a tuple `\(x, y, sample_weight\)` or `\(x, y\)`\. Found at step {k}: None",
    "one-tuple": r"should be a tuple .* Found at step {k}: \(array\(shape=\(4, 3\)",
    "four-tuple": r"should be a tuple .* Found at step {k}: \(array.*array.*array.*array",
    "ragged": r"step {k} has .* different numbers of samples \[4, 3\].*shape=\(3, 1\)",
    "rank": r"step {k} has shapes \(array\(shape=\(4, 3, 1\).*but the first batch had",
    "dtype": r"step {k} has dtype <U1 where the first batch had float32",
}


@pytest.fixture
def model() -> keras.Model:
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    m.compile(keras.optimizers.SGD(0.01), "mse")
    return m


def trains_again(model: keras.Model, loading: dict) -> None:
    history = kfitcompat.fit_generator(model, FaultSequence("raise", at_pass=-1), epochs=1,
                                       verbose=0, **loading)
    assert np.isfinite(history.history["loss"][0])


def _raised_in(info, function: str) -> bool:
    """The traceback reaches ``function`` (from a worker process: its traceback is
    attached to the exception as a note)."""
    return (any(entry.name == function for entry in info.traceback)
            or f"in {function}" in _notes(info.value))


def _notes(exc: BaseException) -> str:
    return " ".join(getattr(exc, "__notes__", []))


# A batch's shape and type are checked in the trainer, wherever the batch was made: every
# fault in threads; in processes, the user's own exception (it crosses the process boundary)
# and one shape fault.
WHERE_FAULT = [("threads", f) for f in FAULTS] + [("processes", "raise"),
                                                  ("processes", "dtype")]


@pytest.mark.parametrize("where, fault", WHERE_FAULT)
def test_sequence_fault_at_index_k_of_epoch_e(model, where, clean, fault):
    # batch index 3 of the second pass (epoch 2) is wrong
    loading = LOADING[where]
    expected = Broken if fault == "raise" else BatchError
    with pytest.raises(expected, match=SAYS[fault].format(k=3)) as info:
        kfitcompat.fit_generator(model, FaultSequence(fault, at_index=3, at_pass=1), epochs=3,
                                 shuffle=False, verbose=0, **loading)
    assert "batch index 3" in _notes(info.value)
    if fault == "raise":  # the user's own exception, with its traceback
        assert "(pass 2)" in _notes(info.value)
        assert _raised_in(info, "faulty_batch")
    trains_again(model, loading)


@pytest.mark.parametrize("where, fault", WHERE_FAULT)
def test_generator_fault_at_step_k_of_epoch_e(model, where, clean, fault):
    # step 9 = epoch 2, step 3 (6 steps per epoch); processes: a producer process
    loading = LOADING[where]
    expected = Broken if fault == "raise" else BatchError
    with pytest.raises(expected, match=SAYS[fault].format(k=9)) as info:
        kfitcompat.fit_generator(model, FaultIterator(fault, at_step=9), steps_per_epoch=6,
                                 epochs=3, verbose=0, **loading)
    assert "step 9" in _notes(info.value)
    if fault == "raise":
        assert _raised_in(info, "faulty_batch")
    trains_again(model, loading)


def test_finite_generator_shorter_than_steps_per_epoch(model, loading, clean):
    with pytest.warns(UserWarning, match=r"ran out of data; interrupting training.*"
                                         r"\(in this case, 12 batches\)"):
        history = kfitcompat.fit_generator(model, FaultIterator(None, n=7), steps_per_epoch=3,
                                           epochs=4, verbose=0, **loading)
    assert history.epoch == [0, 1, 2]  # the third epoch ran its one remaining batch
    assert len(history.history["loss"]) == 3
    trains_again(model, loading)


def test_validation_generator_shorter_than_validation_steps(model, loading, clean):
    with pytest.warns(UserWarning, match=r"validation generator ran out of data"):
        history = kfitcompat.fit_generator(
            model, FaultSequence("raise", at_pass=-1), epochs=3, verbose=0,
            validation_data=FaultIterator(None, n=3), validation_steps=2, **loading)
    assert history.epoch == [0, 1, 2]  # training goes on; validation used what it had
    assert len(history.history["val_loss"]) >= 1
    assert all(np.isfinite(history.history["val_loss"]))
    trains_again(model, loading)


@pytest.mark.parametrize("data", ["sequence", "iterator"])
def test_an_invalid_validation_freq_leaves_no_loader_behind(model, loading, clean, data):
    # checked before any loader starts (it was checked once a Sequence's first batch had
    # loaded in worker processes, or an iterator's producer process ran, and then nothing
    # stopped them: they ran until the model was garbage-collected)
    stream = FaultSequence("raise", at_pass=-1) if data == "sequence" else FaultIterator(None)
    started = Started()
    with pytest.raises(ValueError, match=r"`validation_freq`.* Received: validation_freq=0"):
        kfitcompat.fit_generator(model, stream, steps_per_epoch=2, validation_freq=0,
                                 verbose=0, **loading)
    assert started.still_running() == []  # as the call ends, not once it is collected
    trains_again(model, loading)


def test_unpicklable_generator_with_use_multiprocessing(model, clean):
    def gen():  # a generator object cannot be sent to another process
        while True:
            yield np.zeros((4, 3), "float32"), np.zeros((4, 1), "float32")

    with pytest.warns(UserWarning, match=r"cannot be sent to another process.*Sequence"):
        history = kfitcompat.fit_generator(model, gen(), steps_per_epoch=3, epochs=2,
                                           verbose=0, **LOADING["processes"])
    assert len(history.epoch) == 2


def test_sequence_defined_in_a_function_loads_in_processes_by_value(model, clean):
    class Local(FaultSequence):  # not importable by name: cloudpickle sends it by value
        pass

    history = kfitcompat.fit_generator(model, Local("raise", at_pass=-1), epochs=2, verbose=0,
                                       **LOADING["processes"])
    assert history.epoch == [0, 1]
    trains_again(model, LOADING["processes"])


# -- callbacks -------------------------------------------------------------------


class Explodes(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            raise Broken(f"callback failed at epoch {epoch}")


class StopsAt(keras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            self.model.stop_training = True


def test_a_callback_that_raises(model, loading, clean):
    with pytest.raises(Broken, match="callback failed at epoch 1"):
        kfitcompat.fit_generator(model, FaultSequence("raise", at_pass=-1), epochs=4,
                                 callbacks=[Explodes()], verbose=0, **loading)
    trains_again(model, loading)


def test_stop_training_from_a_callback(model, loading, clean):
    history = kfitcompat.fit_generator(model, FaultSequence("raise", at_pass=-1), epochs=10,
                                       callbacks=[StopsAt(2)], verbose=0, **loading)
    assert history.epoch == [0, 1, 2]
    trains_again(model, loading)


class Snapshots(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.weights: list[list[np.ndarray]] = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append([w.copy() for w in self.model.get_weights()])


class RisingValidation(FaultSequence):
    """Validation batches whose targets move further away every pass (val_loss rises
    after the first epochs whatever the model learns)."""

    def __getitem__(self, i):
        x, y = super().__getitem__(i)
        return x, y + 10.0 * self.passes


def test_early_stopping_restores_the_best_weights(model, loading, clean):
    snapshots = Snapshots()
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2,
                                         restore_best_weights=True)
    history = kfitcompat.fit_generator(
        model, FaultSequence("raise", at_pass=-1), epochs=20, verbose=0,
        validation_data=RisingValidation("raise", at_pass=-1),
        callbacks=[snapshots, stop], **loading)
    best = int(np.argmin(history.history["val_loss"]))
    assert len(history.epoch) == best + 3  # stopped after `patience` worse epochs
    for now, then in zip(model.get_weights(), snapshots.weights[best]):
        np.testing.assert_array_equal(now, then)
    trains_again(model, loading)


# -- leaks -------------------------------------------------------------------------


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Probe(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.threads: list[int] = []
        self.rss: list[float] = []

    def on_epoch_end(self, epoch, logs=None):
        self.threads.append(len(python_threads()))
        self.rss.append(_rss_mb())


@pytest.mark.slow  # a hundred epochs
def test_a_hundred_epochs_keep_threads_and_memory_flat(model, loading, clean):
    probe = Probe()
    kfitcompat.fit_generator(model, FaultSequence("raise", at_pass=-1, length=4), epochs=100,
                             callbacks=[probe], verbose=0, **loading)
    assert max(probe.threads[10:]) <= probe.threads[10]  # no thread per epoch
    growth = probe.rss[-1] - probe.rss[10]
    assert growth < 25, f"RSS grew {growth:.1f} MB over 90 epochs: {probe.rss[::10]}"
