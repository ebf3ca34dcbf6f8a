"""The runnable examples in `examples/` run as a user would run them, and print what they say."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_example(name: str, *args: str) -> str:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run([sys.executable, os.path.join(ROOT, "examples", name), *args],
                          capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.slow
def test_legacy_fit_generator_example_trains_evaluates_and_predicts():
    out = run_example("legacy_fit_generator.py", "--epochs", "1")
    assert "history keys: ['accuracy', 'loss', 'val_accuracy', 'val_loss']" in out
    assert "evaluate_generator: loss" in out
    assert "predict_generator: (320, 1)" in out


def test_keras1_spellings_example_warns_for_every_spelling():
    out = run_example("keras1_spellings.py")
    for old, new in [("nb_epoch", "epochs"), ("samples_per_epoch", "steps_per_epoch"),
                     ("nb_val_samples", "validation_steps"), ("nb_worker", "workers"),
                     ("pickle_safe", "use_multiprocessing"), ("max_q_size", "max_queue_size")]:
        assert f"({old}=" in out and f"translated to `{new}=" in out, (old, out)
    assert "epochs run: [0, 1, 2]" in out


@pytest.mark.slow
def test_image_augmentation_example_imports_the_legacy_names_and_trains(tmp_path):
    out = run_example("legacy_image_augmentation.py", "--epochs", "1",
                      "--out", str(tmp_path / "shapes"))
    assert "classes: {'circle': 0, 'square': 1, 'triangle': 2}" in out
    assert "random_rotation: (32, 32, 3) | flip_axis equal to numpy's: True" in out
    assert len(os.listdir(tmp_path / "shapes" / "circle")) == 60


def test_migrate_example_reports_and_rewrites():
    out = run_example("migrate_a_script.py")
    assert "[fit_generator] `fit_generator` is removed in Keras 3" in out
    assert "+model.fit(datagen.flow(x, y, batch_size=32), steps_per_epoch=100, epochs=10)" in out
    assert "+score = model.evaluate(" in out
