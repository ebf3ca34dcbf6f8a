"""Golden before/after cases of the ``callbacks`` rule family
(``kfitcompat/migrate/plugins/callbacks.py``), plus must-not-change cases."""

from __future__ import annotations

import pytest

pytest.importorskip("libcst")

from .golden import _d, check_rewrite, check_unchanged  # noqa: E402

CASES = [
    pytest.param(
        "cb = ModelCheckpoint('w.{epoch:02d}.hdf5', period=5)\n",
        _d("""
        # kfitcompat: ModelCheckpoint: `period=N` is gone: pass `save_freq` in batches (N * steps_per_epoch) or 'epoch'
        cb = ModelCheckpoint('w.{epoch:02d}.keras', period=5)
        """), id="checkpoint-period-manual"),
    pytest.param(
        _d("""
        cb = ModelCheckpoint(path, monitor='val_acc', save_best_only=True)
        es = EarlyStopping(monitor="acc", mode="max")
        """),
        _d("""
        cb = ModelCheckpoint(path, monitor='val_accuracy', save_best_only=True, mode='max')
        es = EarlyStopping(monitor="accuracy", mode="max")
        """), id="callback-monitor"),
    pytest.param(
        _d("""
        cb = ModelCheckpoint('unet_membrane.hdf5', monitor='loss', save_best_only=True)
        wb = ModelCheckpoint(filepath='w.{epoch:02d}.h5', save_weights_only=True)
        model.save_weights('first_try.h5')
        """),
        _d("""
        cb = ModelCheckpoint('unet_membrane.keras', monitor='loss', save_best_only=True)
        wb = ModelCheckpoint(filepath='w.{epoch:02d}.weights.h5', save_weights_only=True)
        model.save_weights('first_try.weights.h5')
        """), id="h5-filenames"),
    pytest.param(
        _d("""
        cb = ModelCheckpoint('best-model.h5', save_best_only=True)
        model.save_weights("w.h5")
        best = load_model('best-model.h5')
        model.load_weights("w.h5")
        other = keras.models.load_model('keras2-model.h5')
        """),
        _d("""
        cb = ModelCheckpoint('best-model.keras', save_best_only=True)
        model.save_weights("w.weights.h5")
        best = load_model('best-model.keras')
        model.load_weights("w.weights.h5")
        # kfitcompat: a Keras 2 file: run `kfitcompat convert keras2-model.h5 keras2-model.keras` once and load 'keras2-model.keras' (kfitcompat.install() reads the .h5 as it is)
        other = keras.models.load_model('keras2-model.h5')
        """), id="h5-loads-follow-the-saves"),
    pytest.param(  # a model file the module writes and reads back: .keras in both places
        _d("""
        model.save('my_model.h5')
        del model
        model = load_model('my_model.h5')
        """),
        _d("""
        model.save('my_model.keras')
        del model
        model = load_model('my_model.keras')
        """), id="model-saved-and-loaded-back"),
    pytest.param(  # Keras 2 wrote HDF5 under any name; Keras 3 wants its suffixes
        _d("""
        model.save_weights('weights')
        model.load_weights('weights')
        cb = ModelCheckpoint('cp-{epoch:04d}.ckpt', save_weights_only=True)
        best = ModelCheckpoint('best_model', save_best_only=True)
        """),
        _d("""
        model.save_weights('weights.weights.h5')
        model.load_weights('weights.weights.h5')
        cb = ModelCheckpoint('cp-{epoch:04d}.ckpt.weights.h5', save_weights_only=True)
        best = ModelCheckpoint('best_model.keras', save_best_only=True)
        """), id="names-without-a-keras3-suffix"),
]


MUST_NOT_CHANGE = [
    pytest.param("cb = EarlyStopping(monitor='val_accuracy', mode='max')\n",
                 id="keras3-monitor"),
    pytest.param("model.save_weights('w.weights.h5')\ncb = ModelCheckpoint('m.keras')\n",
                 id="keras3-filenames"),
    pytest.param("model.save('model.h5')\n", id="a-model-saved-only-keeps-its-name"),
]


@pytest.mark.parametrize("before, after", CASES)
def test_rewrite(before, after):
    check_rewrite(before, after)


@pytest.mark.parametrize("source", MUST_NOT_CHANGE)
def test_must_not_change(source):
    check_unchanged(source)


def test_tensorboard_arguments_keras3_lacks_are_dropped_or_reported():
    from kfitcompat.migrate import migrate_source

    source = ("tb = TensorBoard(log_dir='./logs', histogram_freq=0, batch_size=32, "
              "write_graph=True, write_grads=False, embeddings_layer_names=None)\n")
    out, findings = migrate_source(source)
    assert out == "tb = TensorBoard(log_dir='./logs', histogram_freq=0, write_graph=True)\n"
    assert [(f.rule, f.changed) for f in findings] == [("tensorboard-arguments", True)]
    asked = "tb = TensorBoard(log_dir='./logs', write_grads=True)\n"
    out, findings = migrate_source(asked)
    assert out.endswith(asked) and [(f.rule, f.changed) for f in findings] == [
        ("tensorboard-arguments", False)]
