"""Golden before/after cases of the ``history`` rule family
(``kfitcompat/migrate/plugins/history.py``), plus must-not-change cases and what is only
reported."""

from __future__ import annotations

import pytest

pytest.importorskip("libcst")

from kfitcompat.migrate import migrate_source  # noqa: E402


@pytest.mark.parametrize(("before", "after"), [
    ("class Gen(keras.utils.Sequence):\n    def __getitem__(self, i):\n"
     "        return [self.x[i], self.y[i]]\n",
     "class Gen(keras.utils.Sequence):\n    def __getitem__(self, i):\n"
     "        return (self.x[i], self.y[i])\n"),
    ("print(history.history['val_acc'])\n",
     "print(keras2_history(history)['val_acc'])\n"),
    ("mae_history = history.history['val_mean_absolute_error']\n",
     "mae_history = keras2_history(history)['val_mean_absolute_error']\n"),
], ids=["sequence-list-batch", "history-val-acc", "history-val-mean-absolute-error"])
def test_runtime_meaning_rules_rewrite(before, after):
    out, findings = migrate_source(before)
    assert out.endswith(after) and all(f.changed for f in findings)
    assert migrate_source(out)[0] == out


@pytest.mark.parametrize("source", [
    "class Gen:\n    def __getitem__(self, i):\n        return [1, 2]\n",
    "class Gen(keras.utils.Sequence):\n    def other(self):\n        return [1, 2]\n",
    "print(history.history['accuracy'], d['loss'])\n",
], ids=["not-a-sequence", "not-getitem", "keras3-history-keys"])
def test_runtime_meaning_rules_leave_other_code(source):
    assert migrate_source(source) == (source, [])


def test_a_history_key_or_checkpoint_path_known_only_at_run_time_is_reported():
    source = ("logs = history.history\nprint(logs['acc'])\n"
              "cb = ModelCheckpoint(os.path.join(d, 'w-{val_acc:.2f}.hdf5'))\n")
    out, findings = migrate_source(source)
    assert out.endswith(source)
    assert {(f.rule, f.changed) for f in findings} == {("history-keys", False),
                                                      ("checkpoint-path", False)}


def test_the_helper_knows_every_keras224_log_name_the_runtime_knows():
    """``keras2_history`` is written into migrated modules, so it carries its own pairs: the
    same as ``legacy_table.KERAS224_LOG_NAMES``, which ``install()`` reads."""
    from kfitcompat.keras2.portable import keras2_history
    from kfitcompat.legacy_table import KERAS224_LOG_NAMES

    logs = {f"val_{new}": [1.0] for new in KERAS224_LOG_NAMES.values()}
    logs.update({f"out_{old}": [2.0] for old in KERAS224_LOG_NAMES})
    out = keras2_history(logs)
    for old, new in KERAS224_LOG_NAMES.items():
        assert out[f"val_{old}"] == [1.0] and out[f"out_{new}"] == [2.0]
