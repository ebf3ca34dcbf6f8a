"""History keys read by legacy scripts."""

from __future__ import annotations

import keras
from conftest import build

import kfitcompat
from kfitcompat.training.history import AliasDict


def test_alias_dict_answers_both_spellings_without_duplicating_keys():
    d = AliasDict({"loss": [1.0], "accuracy": [0.5], "val_accuracy": [0.4]})
    assert d["acc"] == [0.5] and d["val_acc"] == [0.4]
    assert "acc" in d and "val_acc" in d and "val_loss" not in d
    assert list(d) == ["loss", "accuracy", "val_accuracy"]
    assert d.get("acc") == [0.5] and d.get("lr") is None


def test_history_compiled_with_acc_answers_accuracy(data):
    x, y = data
    model = build(keras, metrics=("acc",))
    h = kfitcompat.fit(model, x, y, epochs=2, validation_split=0.25, verbose=0)
    assert list(h.history) == ["acc", "loss", "val_acc", "val_loss"]
    assert h.history["accuracy"] == h.history["acc"]
    assert h.history["val_accuracy"] == h.history["val_acc"]


def test_a_plain_fit_and_its_callbacks_answer_keras2_names_after_install(data, installed):
    """Keras 2.2.4 logged metrics=['accuracy'] as acc / val_acc: a script that reads
    ``history.history['val_acc']`` after a plain ``fit`` (no legacy argument), or
    ``logs['acc']`` / ``logs.get('acc')`` in its own callback, gets the values; the keys
    Keras 3 logs are unchanged."""
    x, y = data
    model = build(keras, metrics=("accuracy",))
    seen: list = []

    class Legacy(keras.callbacks.Callback):
        def on_batch_end(self, batch, logs={}):  # noqa: B006 (Keras 2 callbacks wrote this)
            seen.append(("batch", logs.get("acc")))

        def on_epoch_end(self, epoch, logs={}):  # noqa: B006
            seen.append(("epoch", logs["acc"], logs.get("val_acc"), "val_acc" in logs))

    history = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0,
                        callbacks=[Legacy()])
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.history["val_acc"] == history.history["val_accuracy"]
    epochs = [s for s in seen if s[0] == "epoch"]
    assert [s[1] for s in epochs] == history.history["accuracy"]
    assert [s[2] for s in epochs] == history.history["val_accuracy"]
    assert all(s[3] for s in epochs)
    assert all(s[1] is not None for s in seen if s[0] == "batch")


def test_keras224_names_of_other_metrics_answer_in_history_and_callbacks(data, installed):
    """Keras 2.2.4 logged ``metrics=['mae']`` as ``mean_absolute_error`` (DLwP's Boston
    housing reads ``history.history['val_mean_absolute_error']``); callbacks that monitor it
    find it, and a checkpoint file name may format it."""
    x, y = data
    model = build(keras, metrics=("mae", "mse"))
    stop = keras.callbacks.EarlyStopping(monitor="val_mean_absolute_error", patience=5)
    history = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0, callbacks=[stop])
    assert history.history["val_mean_absolute_error"] == history.history["val_mae"]
    assert history.history["mean_squared_error"] == history.history["mse"]
    assert "val_mean_absolute_error" not in list(history.history)
    assert stop.best == min(history.history["val_mae"])  # it monitored the metric
