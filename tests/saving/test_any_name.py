"""Keras 2's ``model.save('my_model')`` (HDF5 under any name) after install(), and what
check reports for it."""

from __future__ import annotations

import os

import keras
import numpy as np
import pytest


def _model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile("sgd", "mse")
    return model


@pytest.mark.parametrize("name", ["my_model", "model.hdf", "saved_model/my_model"])
def test_save_under_any_name_then_load_model_round_trips(installed, tmp_path, name):
    model = _model()
    path = str(tmp_path / name)
    with pytest.warns(UserWarning, match="Keras 2 wrote HDF5 under any file name"):
        model.save(path)
    assert os.path.isfile(path)
    assert sorted(os.listdir(os.path.dirname(path))) == [os.path.basename(path)]  # no temp
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89HDF\r\n\x1a\n"
    x = np.ones((2, 3), "float32")
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.optimizer is not None


def test_names_keras3_takes_and_failed_saves_are_left_alone(installed, tmp_path):
    model = _model()
    model.save(str(tmp_path / "m.keras"))
    assert keras.saving.load_model(str(tmp_path / "m.keras")).count_params() == 8
    (tmp_path / "taken").mkdir()
    with pytest.raises(IsADirectoryError, match="a folder of that name exists"):
        model.save(str(tmp_path / "taken"))
    with pytest.raises(ValueError, match="save_format"):
        model.save(str(tmp_path / "tf_model"), save_format="tf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.keras", "taken"]


def test_keras3_alone_still_refuses_the_name(tmp_path):
    with pytest.raises(ValueError, match="Invalid filepath extension"):
        _model().save(str(tmp_path / "my_model"))


def test_check_reports_a_model_saved_under_another_name():
    pytest.importorskip("libcst")
    from kfitcompat.migrate import migrate_source

    source = ("import numpy as np\nmodel.save('my_model')\nmodel.save('m.keras')\n"
              "np.save('features', x)\nimg.save('out.png')\n")
    new, findings = migrate_source(source)
    assert [line for line in new.splitlines() if not line.startswith("# kfitcompat:")] == \
        source.splitlines()
    assert [(f.line, f.rule) for f in findings] == [(2, "save-file-name")]
    assert "'my_model.keras'" in findings[0].fix
