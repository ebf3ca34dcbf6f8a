"""The demo (the README's main command) and the metric plots."""

from __future__ import annotations

import os
import sys

import keras
import numpy as np
import pytest
from conftest import build
from PIL import Image

import kfitcompat
from kfitcompat.demo import main as demo_main
from kfitcompat.plotting import plot_history


@pytest.mark.slow
def test_demo_trains_the_embedded_dataset_past_90_percent(tmp_path, capsys):
    status = demo_main(["--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0, out[-2000:]
    assert "Found 720 images belonging to 3 classes." in out
    assert "Found 180 images belonging to 3 classes." in out
    accuracy = float(out.split("validation accuracy: ")[1].split()[0])
    assert accuracy >= 0.9
    assert os.path.getsize(tmp_path / "metrics.png") > 1000
    assert not kfitcompat.is_installed()


def test_demo_on_the_users_own_folder(tmp_path, capsys):
    rng = np.random.default_rng(0)
    for name in ("cats", "dogs"):
        (tmp_path / "mine" / name).mkdir(parents=True)
        for i in range(10):
            Image.fromarray((rng.random((20, 20, 3)) * 255).astype("uint8")).save(
                tmp_path / "mine" / name / f"{i}.jpg")
    status = demo_main(["--data", str(tmp_path / "mine"), "--epochs", "1",
                        "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert status == 0
    assert "Found 16 images belonging to 2 classes." in out
    assert demo_main(["--data", str(tmp_path / "nope")]) == 2
    captured = capsys.readouterr()
    assert "--data" in captured.err and "is not a folder" in captured.err and not captured.out


@pytest.mark.parametrize("bad", ["0", "-3", "two"])
def test_demo_rejects_a_bad_epoch_count_with_a_message(bad, capsys):
    with pytest.raises(SystemExit) as exit_info:
        demo_main(["--epochs", bad])
    assert exit_info.value.code == 2
    assert f"argument --epochs: expected a whole number of at least 1, got '{bad}'" in (
        capsys.readouterr().err)


def test_tensorflows_cpu_start_up_lines_become_one_line_and_the_rest_passes(capfd):
    """The C++ side writes to file descriptor 2 directly: held back, replaced by one line."""
    from kfitcompat.demo import _tensorflow_start_explained

    with _tensorflow_start_explained():
        os.write(2, b"I0000 cudart_stub.cc:31] Could not find cuda drivers on your machine, "
                    b"GPU will not be used.\n")
        os.write(2, b"E0000 cuda_executor.cc] failed call to cuInit: INTERNAL: CUDA error\n")
        os.write(2, b"something the user must see\n")
    err = capfd.readouterr().err
    assert "cuda drivers" not in err and "cuInit" not in err
    assert "something the user must see" in err
    assert "TensorFlow found no GPU and trains on the CPU" in err and "2 lines" in err


def test_plot_history_draws_every_metric_and_its_val_twin(tmp_path, data):
    x, y = data
    history = kfitcompat.fit(build(keras), x, y, epochs=2, validation_split=0.25, verbose=0)
    path = plot_history(history, str(tmp_path / "h.png"))
    img = Image.open(path)
    assert img.size[0] > 300 and img.size[1] > 300


def test_view_metrics_redraws_after_each_epoch(tmp_path, data):
    x, y = data
    path = tmp_path / "live.png"
    seen = []

    class Watch(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(path.exists())

    kfitcompat.fit(build(keras), x, y, epochs=2, verbose=0, view_metrics=str(path),
                   callbacks=[Watch()])
    assert path.exists() and seen[1]
    with pytest.raises(ValueError, match="Invalid value for argument `view_metrics`"):
        kfitcompat.fit(build(keras), x, y, view_metrics=3)


def test_missing_matplotlib_says_how_to_install(monkeypatch, data):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install \"kfitcompat\[plot\]\""):
        plot_history({"loss": [1.0]}, "x.png")


def test_the_docs_augmentation_picture_script_runs(tmp_path):
    import runpy

    docs = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs")
    render = runpy.run_path(os.path.join(docs, "gen_augmentation_pictures.py"))["render"]
    path = render(str(tmp_path / "aug.png"), samples=2, size=24)
    assert Image.open(path).size[0] > 100
