"""Config upgrades (kfitcompat/saving/h5_configs.py) as data rules: JSON in, JSON out, no
Keras. The Keras 1 rules are the tables a Keras 1 call goes through after install()."""

from __future__ import annotations

import base64
import marshal
import shutil
import subprocess

import pytest

from kfitcompat.keras2.layers import KERAS1_CLASSES, KERAS1_KEYWORDS
from kfitcompat.keras2.merge import MERGE_MODES
from kfitcompat.saving.h5_configs import (
    KERAS2_DEFAULTS,
    TF_KERAS_KEYS,
    LegacyFileError,
    foreign_lambda,
    keras_major,
    upgrade_model_config,
)


def _sequential(*layers):
    return {"class_name": "Sequential", "config": list(layers)}


def _upgraded_layers(config, version="2.2.4"):
    upgraded, notes = upgrade_model_config(config, version)
    return upgraded["config"]["layers"], notes


@pytest.mark.parametrize("layer", sorted(KERAS1_KEYWORDS))
def test_every_keras1_keyword_of_the_table_is_renamed_in_a_saved_config(layer):
    """One table: a saved Keras 1 config is converted by the same renames as a call."""
    renames: dict[str, str] = {}
    for old, new in KERAS1_KEYWORDS[layer].items():  # one Keras 1 spelling per target
        if old not in ("dim_ordering", "consume_less", "bias") and new not in renames.values():
            renames[old] = new
    config = {"name": "x", **{old: f"value-of-{old}" for old in renames}}
    (layer_config,), _ = _upgraded_layers(_sequential({"class_name": layer,
                                                       "config": config}))
    for old, new in renames.items():
        assert old not in layer_config["config"]
        assert layer_config["config"][new] == f"value-of-{old}"


@pytest.mark.parametrize("keras1, keras3", sorted(KERAS1_CLASSES.items()))
def test_keras1_class_names_become_keras3_classes(keras1, keras3):
    (layer,), notes = _upgraded_layers(_sequential({"class_name": keras1,
                                                    "config": {"name": "c"}}))
    assert layer["class_name"] == keras3
    assert any(keras1 in n for n in notes)


def test_keras1_convolution_config_keywords_only():
    (inp, conv), _ = _upgraded_layers(_sequential({"class_name": "Convolution2D", "config": {
        "name": "c", "nb_filter": 8, "nb_row": 3, "nb_col": 5, "border_mode": "same",
        "subsample": [2, 2], "dim_ordering": "th", "bias": 1, "init": "he_normal",
        "batch_input_shape": [None, 3, 32, 32], "input_dtype": "float32"}}), "1.2.2")
    assert inp == {"class_name": "InputLayer", "config": {
        "batch_shape": [None, 3, 32, 32], "dtype": "float32", "name": "c_input"}}
    assert conv["config"] == {"name": "c", "filters": 8, "kernel_size": (3, 5),
                              "padding": "same", "strides": [2, 2],
                              "data_format": "channels_first", "use_bias": True,
                              "kernel_initializer": "he_normal", "dtype": "float32"}


@pytest.mark.parametrize("mode", sorted(m for m in MERGE_MODES if m != "cos"))
def test_keras1_merge_layer_of_a_functional_model(mode):
    config = {"class_name": "Model", "config": {
        "name": "m", "input_layers": [["a", 0, 0]], "output_layers": [["merge_1", 0, 0]],
        "layers": [{"class_name": "Merge", "name": "merge_1", "inbound_nodes": [],
                    "config": {"name": "merge_1", "mode": mode, "concat_axis": 1,
                               "dot_axes": 1, "mode_type": "raw"}}]}}
    upgraded, _ = upgrade_model_config(config, "1.1.0")
    layer = upgraded["config"]["layers"][0]
    assert layer["class_name"] == MERGE_MODES[mode]
    assert layer["config"].get("axis", 1) == 1 and layer["config"].get("axes", 1) == 1


def test_keras1_merge_of_sequential_models_names_the_remedy():
    config = _sequential({"class_name": "Merge", "config": {
        "name": "merge_1", "mode": "concat", "layers": [_sequential(), _sequential()]}})
    with pytest.raises(LegacyFileError, match="merge_1.*functional API.*by_name=True"):
        upgrade_model_config(config, "1.2.2")


@pytest.mark.parametrize("layer, key, value", [
    (layer, key, value) for layer, keys in sorted(TF_KERAS_KEYS.items())
    for key, value in keys.items() if isinstance(value, (bool, int))])  # time_major, groups
def test_tf_keras_keys_are_dropped_at_keras3s_value_and_refused_otherwise(layer, key, value):
    good = _sequential({"class_name": layer, "config": {"name": "l", key: value}})
    (upgraded,), _ = _upgraded_layers(good, "2.15.0")
    assert key not in upgraded["config"]
    other = (not value) if isinstance(value, bool) else value + 1
    bad = _sequential({"class_name": layer, "config": {"name": "l", key: other}})
    with pytest.raises(LegacyFileError, match=rf"`l` \({layer}\).*{key}="):
        upgrade_model_config(bad, "2.15.0")


def test_a_gru_saved_before_reset_after_keeps_keras2s_default():
    (gru,), notes = _upgraded_layers(_sequential({"class_name": "GRU",
                                                  "config": {"name": "g", "units": 2}}))
    assert gru["config"]["reset_after"] is KERAS2_DEFAULTS["GRU"]["reset_after"] is False
    (kept,), _ = _upgraded_layers(_sequential({"class_name": "GRU", "config": {
        "name": "g", "units": 2, "reset_after": True}}))
    assert kept["config"]["reset_after"] is True


def test_cudnn_layers_become_keras3_layers_with_cudnns_activations():
    (lstm, gru), notes = _upgraded_layers(_sequential(
        {"class_name": "CuDNNLSTM", "config": {"name": "a", "units": 2}},
        {"class_name": "CuDNNGRU", "config": {"name": "b", "units": 2}}))
    assert (lstm["class_name"], lstm["config"]["recurrent_activation"]) == ("LSTM", "sigmoid")
    assert (gru["class_name"], gru["config"]["reset_after"]) == ("GRU", True)


def test_bidirectional_inner_config_gets_the_module_keras3s_deserializer_needs():
    (bi,), _ = _upgraded_layers(_sequential({"class_name": "Bidirectional", "config": {
        "name": "bi", "layer": {"class_name": "GRU", "config": {
            "name": "g", "units": 3, "time_major": False}}}}), "2.4.0")
    inner = bi["config"]["layer"]
    assert inner["module"] == "keras.layers" and "time_major" not in inner["config"]


def test_nested_sequential_node_indices_follow_keras3s_count():
    inner = _sequential({"class_name": "Dense", "config": {
        "name": "d", "units": 2, "batch_input_shape": [None, 3]}})
    config = {"class_name": "Model", "config": {
        "name": "outer", "input_layers": [["in", 0, 0]], "output_layers": [["inner", 1, 0]],
        "layers": [
            {"class_name": "InputLayer", "name": "in", "inbound_nodes": [],
             "config": {"name": "in", "batch_input_shape": [None, 3]}},
            {**inner, "name": "inner", "inbound_nodes": [[["in", 0, 0, {}]]]}]}}
    upgraded, notes = upgrade_model_config(config, "2.2.4")
    assert upgraded["config"]["output_layers"] == [["inner", 0, 0]]
    assert any("nested models ['inner']" in n for n in notes)


def test_the_input_is_not_modified():
    config = _sequential({"class_name": "Dense", "config": {"name": "d", "output_dim": 2}})
    before = repr(config)
    upgrade_model_config(config, "1.2.2")
    assert repr(config) == before


@pytest.mark.parametrize("version, major", [(b"2.0.4", 2), ("1.2.2", 1), (None, 1),
                                            ("2.15.0", 2), ("3.1.0", 3), ("", 1)])
def test_keras_major(version, major):
    assert keras_major(version) == major


def test_lambda_bytecode_of_this_python_is_not_foreign():
    code = (lambda x, y=2: x * y).__code__
    assert not foreign_lambda(base64.b64encode(marshal.dumps(code)).decode())
    assert not foreign_lambda(marshal.dumps(code).decode("raw_unicode_escape"))


def _python(version: str) -> str | None:
    """An interpreter of that version that runs (pyenv's shims exist without one)."""
    import glob
    import os

    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    for candidate in [shutil.which(f"python{version}"),
                      *sorted(glob.glob(f"{root}/versions/{version}.*/bin/python"))]:
        if candidate and subprocess.run([candidate, "-c", "pass"], capture_output=True,
                                        timeout=60).returncode == 0:
            return candidate
    return None


@pytest.mark.parametrize("version", ["2.7", "3.6", "3.7", "3.8", "3.9", "3.10", "3.13"])
def test_lambda_bytecode_of_other_pythons_is_foreign(version):
    python = _python(version)
    if python is None:
        pytest.skip(f"no Python {version} here")
    out = subprocess.run([python, "-c", "import marshal, base64; print(base64.b64encode("
                          "marshal.dumps((lambda x: x / 255.0 - 0.5).__code__)).decode())"],
                         capture_output=True, text=True, timeout=60, check=True)
    assert foreign_lambda(out.stdout.strip())


def test_lambda_from_another_python_is_refused_before_any_bytecode_runs():
    config = _sequential({"class_name": "Lambda", "config": {
        "name": "norm", "function": ["not marshal data at all", None, None],
        "function_type": "lambda"}})
    with pytest.raises(LegacyFileError, match="`norm`.*another Python version"):
        upgrade_model_config(config)


def test_keras1_regularizers_and_constraints():
    (dense,), _ = _upgraded_layers(_sequential({"class_name": "Dense", "config": {
        "name": "d", "output_dim": 2, "W_regularizer": {"name": "WeightRegularizer",
                                                        "l1": 0.0, "l2": 0.01},
        "W_constraint": {"name": "MaxNorm", "m": 2, "axis": 0}}}), "1.2.2")
    assert dense["config"]["kernel_regularizer"] == {"class_name": "L1L2",
                                                     "config": {"l1": 0.0, "l2": 0.01}}
    assert dense["config"]["kernel_constraint"] == {"class_name": "MaxNorm",
                                                    "config": {"max_value": 2, "axis": 0}}


def test_a_foreign_output_shape_lambda_is_refused_too():
    config = _sequential({"class_name": "Lambda", "config": {
        "name": "crop", "function": "crop_fn", "function_type": "raw",
        "output_shape": ["4wEAAAAAAAAAAQ==", None, None], "output_shape_type": "lambda"}})
    with pytest.raises(LegacyFileError, match="`crop`.*another Python version"):
        upgrade_model_config(config)
