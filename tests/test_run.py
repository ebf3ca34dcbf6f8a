"""Zero-edit entry points: ``kfitcompat run script.py`` and ``%load_ext kfitcompat``
(a legacy script or notebook, unmodified, under ``install()``)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import pytest

import kfitcompat
from kfitcompat.run import run_script

LEGACY = textwrap.dedent("""\
    import sys
    import numpy as np
    from keras.models import Sequential
    from keras.layers import Dense
    from keras.optimizers import SGD
    from keras.utils import np_utils

    print("name", __name__, "argv", sys.argv)
    model = Sequential([Dense(2, input_shape=(3,), activation="softmax")])
    model.compile(SGD(lr=0.1), "categorical_crossentropy", metrics=["accuracy"])

    def batches():
        while True:
            yield np.ones((4, 3)), np_utils.to_categorical(np.arange(4) % 2, 2)

    history = model.fit_generator(batches(), steps_per_epoch=2, nb_epoch=2, verbose=0)
    print("epochs", history.epoch, "acc" in history.history)
    if sys.argv[1:] == ["fail"]:
        raise ValueError("boom from the script")
    sys.exit(int(sys.argv[1]) if sys.argv[1:] else 0)
    """)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kfitcompat", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_run_script_in_process_restores_argv_path_and_the_surface(tmp_path, capsys):
    script = tmp_path / "legacy.py"
    script.write_text(LEGACY)
    argv, path = sys.argv[:], sys.path[:]
    assert not kfitcompat.is_installed()
    assert run_script(str(script), ["7"]) == 7
    out = capsys.readouterr().out
    assert f"name __main__ argv ['{script}', '7']" in out
    assert "epochs [0, 1] True" in out
    assert sys.argv == argv and sys.path == path
    assert not kfitcompat.is_installed() and not hasattr(keras.Model, "fit_generator")


def test_run_script_prints_the_scripts_traceback_and_exits_1(tmp_path, capsys):
    script = tmp_path / "legacy.py"
    script.write_text(LEGACY)
    assert run_script(str(script), ["fail"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n  File \"" + str(script))
    assert "ValueError: boom from the script" in err
    assert "runpy" not in err and "kfitcompat/run.py" not in err


def test_run_a_missing_script_is_python_s_error(tmp_path, capsys):
    assert run_script(str(tmp_path / "nope.py"), []) == 2
    assert "can't open file" in capsys.readouterr().err


@pytest.mark.slow
def test_kfitcompat_run_command_runs_an_unmodified_script(tmp_path):
    (tmp_path / "legacy.py").write_text(LEGACY)
    (tmp_path / "helper_mod.py").write_text("import sys\nprint('module argv', sys.argv[1:])\n"
                                            "from keras.utils import np_utils\n")
    done = _cli("run", "legacy.py", "3", cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    assert "name __main__ argv ['legacy.py', '3']" in done.stdout
    failed = _cli("run", "legacy.py", "fail", cwd=tmp_path)
    assert failed.returncode == 1 and failed.stderr.rstrip().endswith(
        "ValueError: boom from the script")
    plain = subprocess.run([sys.executable, "legacy.py"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=300)
    assert plain.returncode == 1  # without kfitcompat the same script fails on Keras 3
    module = _cli("run", "-m", "helper_mod", "x", cwd=tmp_path)
    assert module.returncode == 0, module.stderr
    assert "module argv ['x']" in module.stdout


@pytest.mark.slow
def test_load_ext_in_a_real_kernel_runs_a_legacy_notebook(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    body = LEGACY.split("if sys.argv")[0]
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("%load_ext kfitcompat"),
        nbformat.v4.new_code_cell(body),
        # view_metrics=True in a notebook: one plot inline, updated each epoch, no file written
        nbformat.v4.new_code_cell(
            "import keras, numpy as np\n"
            "m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])\n"
            "m.compile('sgd', 'mse')\n"
            "m.fit(np.ones((8, 3)), np.ones((8, 1)), epochs=3, verbose=0, view_metrics=True)\n"),
        nbformat.v4.new_code_cell("%unload_ext kfitcompat\nimport keras\n"
                                  "print('after unload', hasattr(keras.Model, 'fit_generator'))"),
    ])
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "epochs [0, 1] True" in text
    assert "after unload False" in text
    plots = [o for o in nb.cells[2].outputs if "image/png" in o.get("data", {})]
    assert len(plots) == 1, nb.cells[2].outputs
    assert not (tmp_path / "kfitcompat-metrics.png").exists()
