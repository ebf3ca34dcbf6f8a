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
