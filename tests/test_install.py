"""install()/uninstall(): legacy methods on keras.Model, nothing patched on import."""

from __future__ import annotations

import subprocess
import sys
import warnings

import keras
import pytest
from conftest import ArraySequenceMixin, build, cyclic_batches

import kfitcompat


@pytest.fixture
def installed():
    with kfitcompat.install():
        yield
    assert not kfitcompat.is_installed()


def test_import_patches_nothing_and_raises_no_deprecation_warning():
    code = (
        "import sys, kfitcompat\n"
        "assert 'tensorflow' not in sys.modules  # import kfitcompat alone is light\n"
        "from kfitcompat import fit_generator, image, utils  # the whole runtime package\n"
        "import keras\n"
        "assert not hasattr(keras.Model, 'fit_generator')\n"
        "assert not hasattr(keras.preprocessing.image, 'ImageDataGenerator')\n"
        "assert not kfitcompat.is_installed()\n"
        "print('clean')\n"
    )
    out = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-c", code],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "clean" in out.stdout


def test_install_adds_and_uninstall_removes_the_methods():
    original_fit = keras.Model.fit
    assert not hasattr(keras.Model, "fit_generator")
    kfitcompat.install()
    kfitcompat.install()  # idempotent
    try:
        assert kfitcompat.is_installed()
        for name in ("fit_generator", "evaluate_generator", "predict_generator"):
            assert callable(getattr(keras.Model, name))
        assert keras.Model.fit is not original_fit
    finally:
        kfitcompat.uninstall()
    kfitcompat.uninstall()  # idempotent
    assert not hasattr(keras.Model, "fit_generator")
    assert keras.Model.fit is original_fit


def test_legacy_script_runs_unchanged_after_install(installed, data):
    x, y = data
    model = build(keras)
    with pytest.warns(kfitcompat.LegacyArgumentWarning, match="`epochs=2`"):
        history = model.fit_generator(cyclic_batches(x, y), steps_per_epoch=3, nb_epoch=2,
                                      validation_data=(x, y), verbose=0)
    assert history.epoch == [0, 1]
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history.history["val_acc"]) == 2
    result = model.evaluate_generator(cyclic_batches(x, y), steps=6)
    assert model.metrics_names == ["loss", "accuracy"]
    assert len(result) == 2
    assert model.predict_generator(cyclic_batches(x, y), steps=2).shape == (32, 1)


def test_fit_accepts_legacy_kwargs_and_iterators_after_install(installed, data):
    x, y = data
    model = build(keras)
    with pytest.warns(kfitcompat.LegacyArgumentWarning):
        h = model.fit(x, y, nb_epoch=2, batch_size=32, verbose=0, workers=4)
    assert h.epoch == [0, 1]
    # A zip of two generators: Keras 3 rejects it ("Unrecognized data type").
    pairs = zip((x[i:i + 16] for i in range(0, 96, 16)), (y[i:i + 16] for i in range(0, 96, 16)))
    h = model.fit(pairs, steps_per_epoch=6, verbose=0, class_weight={0: 1.0, 1: 2.0})
    assert h.epoch == [0]
    assert model.evaluate(cyclic_batches(x, y), steps=2, workers=2, verbose=0)[0] > 0


def test_calls_without_legacy_arguments_reach_keras_unchanged(installed, data):
    x, y = data
    model = build(keras)
    with warnings.catch_warnings():
        warnings.simplefilter("error", kfitcompat.LegacyArgumentWarning)
        h = model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    assert type(h).__name__ == "History"
    assert model.evaluate(x, y, verbose=0)[0] > 0
    assert model.predict(x, verbose=0).shape == (96, 1)


def test_legacy_sequence_without_super_init(installed, data):
    x, y = data

    class Legacy(ArraySequenceMixin, keras.utils.Sequence):  # the Keras 2 import path
        pass

    assert keras.utils.Sequence is kfitcompat.Sequence
    seq = Legacy(x, y)
    model = build(keras)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Keras 3 would warn about super().__init__()
        model.fit_generator(seq, epochs=2, shuffle=False, verbose=0)
        keras.Model.fit.__wrapped__(model, Legacy(x, y), epochs=1, verbose=0)  # as a PyDataset
    assert seq.served[:6] == [0, 1, 2, 3, 4, 5]


def test_install_as_context_manager_restores(data):
    with kfitcompat.install():
        assert hasattr(keras.Model, "fit_generator")
    assert not hasattr(keras.Model, "fit_generator")
    assert keras.utils.Sequence is keras.utils.PyDataset


def test_without_tensorflow_the_first_use_says_how_to_install_it():
    import subprocess
    import sys

    code = ("import sys; sys.modules['tensorflow'] = None\n"
            "import kfitcompat\n"
            "print('imported', kfitcompat.__version__)\n"
            "kfitcompat.fit_generator\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert "imported" in done.stdout  # `import kfitcompat` itself needs no TensorFlow
    assert done.returncode == 1
    assert "ImportError: kfitcompat needs TensorFlow" in done.stderr, done.stderr[-2000:]
    assert 'pip install "kfitcompat[tensorflow]"' in done.stderr
