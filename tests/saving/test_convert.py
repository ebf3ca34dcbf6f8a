"""``kfitcompat convert OLD.h5 NEW.keras``: the written file loads in plain Keras 3 (a fresh
process without kfitcompat) and predicts what the legacy file predicted in tf_keras 2.21."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import keras
import numpy as np
import pytest
from h5_layouts import keras1_sequential, write_model_file

from kfitcompat.cli import main
from kfitcompat.saving.convert import convert

tk = pytest.importorskip("tf_keras")
L = tk.layers

CHILD = """
import sys, numpy as np, keras
model = keras.saving.load_model(sys.argv[1])
np.save(sys.argv[3], model.predict(np.load(sys.argv[2]), verbose=0))
print("optimizer", type(model.optimizer).__name__, int(model.optimizer.iterations))
assert not [m for m in sys.modules if m.split(".")[0] == "kfitcompat"], "kfitcompat imported"
"""


def _legacy_model(tmp_path):
    """A tf_keras file plain Keras 3 cannot load (time_major) and would mispredict
    (Keras 2's hard_sigmoid), trained a few steps (optimizer state)."""
    model = tk.Sequential([L.Embedding(20, 4, input_length=5),
                           L.Bidirectional(L.LSTM(3, recurrent_activation="hard_sigmoid")),
                           L.Dense(2, activation="softmax")])
    model.compile(tk.optimizers.Adam(learning_rate=0.01), "categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.integers(0, 20, size=(8, 5))
    model.fit(x, np.eye(2)[rng.integers(0, 2, 8)], epochs=2, verbose=0)
    path = tmp_path / "old.h5"
    model.save(path)
    return path, x, model.predict(x, verbose=0)


@pytest.mark.slow
def test_converted_file_loads_in_plain_keras3_and_predicts_the_same(tmp_path, capsys):
    old, x, want = _legacy_model(tmp_path)
    new = tmp_path / "new.keras"
    assert main(["convert", str(old), str(new)]) == 0
    report = capsys.readouterr().out
    assert "recurrent_activation='hard_sigmoid'" in report and "time_major" in report
    np.save(tmp_path / "x.npy", x)
    out = subprocess.run([sys.executable, "-c", CHILD, str(new), str(tmp_path / "x.npy"),
                          str(tmp_path / "y.npy")], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "optimizer Adam 2" in out.stdout  # Adam kept, with its iteration count
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), want, atol=1e-5, rtol=0)


def test_weights_only_file_serves_a_model_rebuilt_in_code(tmp_path):
    """The remedy for a Lambda no loader can run: rebuild the model in code and load the
    weights; convert --weights-only writes them as Keras 3 weights (the Lambda becomes a
    pass-through: it holds no weights)."""
    rng = np.random.default_rng(1)
    kernel, bias = rng.normal(size=(3, 2)).astype("float32"), np.ones(2, "float32")
    config = keras1_sequential([
        {"class_name": "Lambda", "config": {
            "name": "normalize", "function": ["4wEAAAAAAAAAAQ==", None, None],  # Python 3.x
            "function_type": "lambda", "arguments": {}, "batch_input_shape": [None, 3]}},
        {"class_name": "Dense", "config": {"name": "dense_1", "units": 2}}])
    old = tmp_path / "carnd.h5"
    write_model_file(old, config, [("normalize", []), ("dense_1", [
        ("dense_1/kernel:0", kernel), ("dense_1/bias:0", bias)])], keras_version="2.0.4")
    notes = convert(str(old), str(tmp_path / "carnd.weights.h5"), weights_only=True)
    assert any("normalize: Lambda -> a pass-through" in n for n in notes)
    rebuilt = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t / 255 - .5,
                                                                       name="normalize"),
                                keras.layers.Dense(2, name="dense_1")])
    rebuilt.load_weights(tmp_path / "carnd.weights.h5")
    x = rng.random((2, 3)).astype("float32") * 255
    np.testing.assert_allclose(rebuilt.predict(x, verbose=0), (x / 255 - .5) @ kernel + bias,
                               atol=1e-5)


def test_architecture_json_and_weights_file(tmp_path):
    model = tk.Sequential([L.GRU(3, input_shape=(4, 2)), L.Dense(1)])
    weights, arch = tmp_path / "w.h5", tmp_path / "m.json"
    model.save_weights(weights)
    arch.write_text(json.dumps(model.to_json()))  # json.dump(model.to_json(), f), as users did
    convert(str(weights), str(tmp_path / "m.keras"), architecture=str(arch))
    x = np.random.default_rng(2).normal(size=(2, 4, 2)).astype("float32")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               atol=1e-5, rtol=0)


@pytest.mark.parametrize("args, message", [
    (["{d}/old.h5", "{d}/new.h5"], "Invalid value for NEW: .*new.h5.*'.keras'"),
    (["{d}/absent.h5", "{d}/new.keras"], "Invalid value for OLD: .*absent.h5.* not a file"),
    (["{d}/weights.h5", "{d}/new.keras"], "holds weights only: give the model's JSON with "
                                          "--architecture"),
    (["{d}/old.h5", "{d}/new.keras", "--weights-only"], "'.weights.h5'"),
    (["{d}/old.h5", "{d}/new.keras", "--custom-object", "nomodule"],
     "Invalid value for --custom-object: 'nomodule'. Expected MODULE:NAME"),
])
def test_bad_input_is_named(tmp_path, capsys, args, message):
    model = tk.Sequential([L.Dense(1, input_shape=(2,))])
    model.save(tmp_path / "old.h5")
    model.save_weights(tmp_path / "weights.h5")
    assert main(["convert", *[a.format(d=tmp_path) for a in args]]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kfitcompat convert: ") and __import__("re").search(message, err), err
    assert not (tmp_path / "new.keras").exists()


@pytest.mark.slow
def test_install_still_callable_after_a_conversion(tmp_path):
    """convert() installs for its duration; afterwards `kfitcompat.install` is still the
    function (a direct import of the submodule would have shadowed it)."""
    model = tk.Sequential([L.Dense(1, input_shape=(2,))])
    model.save(tmp_path / "old.h5")
    code = ("import sys\nfrom kfitcompat.saving.convert import convert\n"
            "convert(sys.argv[1], sys.argv[2])\nimport kfitcompat\n"
            "with kfitcompat.install():\n    print('installed')\n")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "old.h5"),
                          str(tmp_path / "new.keras")], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0 and "installed" in out.stdout, out.stderr[-2000:]
