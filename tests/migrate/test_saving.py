"""Golden before/after cases of the ``saving`` rule family
(``kfitcompat/migrate/plugins/saving.py``), plus must-not-change cases."""

from __future__ import annotations

import pytest

pytest.importorskip("libcst")

from .golden import _d, check_rewrite, check_unchanged  # noqa: E402

CASES = [
    pytest.param(
        _d("""
        model = load_model('carnd.h5', custom_objects={'f': f})
        model.load_weights(filepath="imagenet.hdf5", by_name=True)
        """),
        _d("""
        # kfitcompat: a Keras 2 file: run `kfitcompat convert carnd.h5 carnd.keras` once and load 'carnd.keras' (kfitcompat.install() reads the .h5 as it is)
        model = load_model('carnd.h5', custom_objects={'f': f})
        # kfitcompat: a Keras 2 file: run `kfitcompat convert imagenet.hdf5 imagenet.weights.h5 --weights-only` once and load 'imagenet.weights.h5' (a file of weights only: add `--architecture model.json`, the model's to_json()) (kfitcompat.install() reads the .h5 as it is)
        model.load_weights(filepath="imagenet.hdf5", by_name=True)
        """), id="legacy-model-file"),
]


MUST_NOT_CHANGE = [
    pytest.param("m = load_model('m.keras')\nm.load_weights('w.weights.h5')\n"
                 "n = load_model(path)\n", id="keras3-model-files"),
]


@pytest.mark.parametrize("before, after", CASES)
def test_rewrite(before, after):
    check_rewrite(before, after)


@pytest.mark.parametrize("source", MUST_NOT_CHANGE)
def test_must_not_change(source):
    check_unchanged(source)
