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


@pytest.mark.slow  # a subprocess
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


# Without TensorFlow every entry point ends in one line saying what to install, and Keras
# (which imports its backend when imported: a ~40-frame traceback) is not imported first.
# `sys.modules['tensorflow'] = None` makes the package absent for the child; the release test
# (test_release.py) checks the same in a fresh virtual environment that really has none.
_NO_TF = "import sys\nsys.modules['tensorflow'] = None\nimport kfitcompat\nprint('imported')\n"
_WITHOUT_TENSORFLOW = {
    "install()": "kfitcompat.install()",
    "fit_generator": "kfitcompat.fit_generator",
    "plot_history": "kfitcompat.plot_history",
    "kfitcompat.utils": "kfitcompat.utils",
    "%load_ext": "kfitcompat.load_ipython_extension(None)",
    "import kfitcompat.image": "import kfitcompat.image",
    "import kfitcompat.installer": "import kfitcompat.installer",
    "cli run": "from kfitcompat.cli import main\nraise SystemExit(main(['run', 'x.py']))",
    "cli run -m": "from kfitcompat.cli import main\nraise SystemExit(main(['run', '-m', 'x']))",
    "cli demo": "from kfitcompat.cli import main\nraise SystemExit(main(['demo']))",
}


@pytest.mark.parametrize("call", sorted(_WITHOUT_TENSORFLOW))
def test_without_tensorflow_every_entry_point_says_in_one_line_what_to_install(call):
    from kfitcompat._tensorflow import MISSING

    code = (_NO_TF + "try:\n    " + _WITHOUT_TENSORFLOW[call].replace("\n", "\n    ")
            + "\nfinally:\n    print('keras imported:', 'keras' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert "imported" in done.stdout  # `import kfitcompat` itself needs no TensorFlow
    assert "keras imported: False" in done.stdout, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    if call.startswith("cli"):  # the command prints the line alone and exits 2
        assert (done.returncode, lines) == (2, [MISSING])
    else:  # Python raises ImportError, the message on one line, no frame of Keras
        assert done.returncode == 1
        assert lines[-1] == f"ImportError: {MISSING}", done.stderr[-3000:]
        assert not any("keras" in line for line in lines[:-1]), done.stderr
    assert 'pip install "kfitcompat[tensorflow]"' in MISSING and "\n" not in MISSING


def test_without_tensorflow_what_needs_none_still_works():
    code = (_NO_TF + "print(len(kfitcompat.LEGACY_ARGS) > 0, kfitcompat.migrate.process_text)\n"
            "from kfitcompat.cli import main\n"
            "assert main(['version']) == 0\n"
            "main(['demo', '--help'])  # argparse prints the help and exits 0\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "True <function process_text" in done.stdout
    assert "usage: kfitcompat demo" in done.stdout and kfitcompat.__version__ in done.stdout
