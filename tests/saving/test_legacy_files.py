"""Legacy model files under install(): each failure class of issue #30 with a file that plain
Keras 3 (and kfitcompat before kfitcompat/saving/) could not load, now loaded with predictions
equal to tf_keras 2.21's (atol 1e-5). Files are saved by tf_keras in the test, or written with
h5py in the exact legacy layout where tf_keras cannot produce it (tests/saving/h5_layouts.py).
"""

from __future__ import annotations

import json
import warnings

import h5py
import keras
import numpy as np
import pytest
from h5_layouts import keras1_sequential, layers_of, write_model_file, write_weights_file

import kfitcompat
from kfitcompat.saving import LegacyFileError, LegacyFileWarning

tk = pytest.importorskip("tf_keras")
L = tk.layers
ATOL = 1e-5


@pytest.fixture
def installed():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kfitcompat.LegacyArgumentWarning)
        warnings.simplefilter("ignore", LegacyFileWarning)
        kfitcompat.install()
        try:
            yield
        finally:
            kfitcompat.uninstall()


def _x(shape, seed=0, vocab=None):
    rng = np.random.default_rng(seed)
    if vocab:
        return rng.integers(1, vocab, size=shape).astype("int32")
    return rng.normal(size=shape).astype("float32")


def _trained(model, x, loss="mse"):
    """Weights away from their initial values (a zero bias would hide a layout error)."""
    for w in model.weights:
        w.assign(np.random.default_rng(len(w.name)).normal(scale=0.3, size=w.shape)
                 .astype(w.dtype.name if hasattr(w.dtype, "name") else "float32"))
    if not model.optimizer:
        model.compile("adam", loss)
    return model


def _oracle(path, x, **kwargs):
    return tk.models.load_model(path, **kwargs).predict(x, verbose=0)


def _close(a, b):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=ATOL, rtol=0)


# -- 1. Sequential configs saved as a list of layers (Keras 1 to 2.2.2) ------------------------

def _as_list_config(model):
    """A tf_keras Sequential's config as Keras <= 2.2.2 saved it: a list, the first layer
    holding the batch input shape (no InputLayer)."""
    layers = [dict(c) for c in model.get_config()["layers"]]
    first_input = layers.pop(0)
    layers[0] = {**layers[0], "config": {**layers[0]["config"],
                                         "batch_input_shape": first_input["config"][
                                             "batch_input_shape"]}}
    return {"class_name": "Sequential", "config": layers}


@pytest.fixture
def list_config_file(tmp_path):
    model = tk.Sequential([L.Dense(6, activation="relu", input_shape=(4,)), L.Dropout(0.1),
                           L.Dense(3, activation="softmax")])
    _trained(model, None)
    path = tmp_path / "keras222.h5"
    write_model_file(path, _as_list_config(model), layers_of(model), keras_version="2.2.2")
    return path, model


def test_sequential_list_config_loads_as_tf_keras_loads_it(installed, list_config_file):
    path, _ = list_config_file
    x = _x((5, 4))
    _close(keras.models.load_model(path).predict(x, verbose=0), _oracle(path, x))


def test_sequential_list_json_builds_with_model_from_json(installed, list_config_file):
    path, source = list_config_file
    text = json.dumps({**_as_list_config(source), "keras_version": "2.2.2"})
    model = keras.models.model_from_json(text)
    model.load_weights(str(path))
    x = _x((5, 4))
    _close(model.predict(x, verbose=0), source.predict(x, verbose=0))


# -- 2. Optimizer configs with `lr` (every Keras 2 file with a training config) ----------------

def test_optimizer_lr_and_decay_and_state_of_a_keras2_file(installed, tmp_path):
    """Keras 2.2.4 layout: Adam(lr, decay) saved as [iterations] + all m + all v + all vhat,
    under names that say nothing; loaded as Keras 2's rate with its state."""
    model = tk.Sequential([L.Dense(3, input_shape=(2,)), L.Dense(1)])
    _trained(model, None)
    weights = layers_of(model)
    shapes = [w.shape for _, ws in weights for _, w in ws]
    rng = np.random.default_rng(3)
    m = [rng.normal(size=s).astype("float32") for s in shapes]
    v = [rng.random(size=s).astype("float32") for s in shapes]
    vhat = [np.zeros(1, "float32") for _ in shapes]  # Keras 2.2.4 saved them without amsgrad
    state = [("training/Adam/Variable:0", np.int64(40))] + [
        (f"training/Adam/Variable_{i + 1}:0", a) for i, a in enumerate(m + v + vhat)]
    training = {"optimizer_config": {"class_name": "Adam", "config": {
        "lr": 0.01, "beta_1": 0.9, "beta_2": 0.999, "decay": 0.05, "epsilon": 1e-7,
        "amsgrad": False}}, "loss": "mse", "metrics": ["mae"], "sample_weight_mode": None,
        "loss_weights": None}
    path = tmp_path / "adam.h5"
    write_model_file(path, _as_list_config(model), weights, training_config=training,
                     optimizer=state)
    loaded = keras.models.load_model(path)
    opt = loaded.optimizer
    assert int(opt.iterations) == 40
    assert float(opt.learning_rate) == pytest.approx(0.01 / (1 + 0.05 * 40), rel=1e-5)
    moments = [x for x in opt.variables if x.path.endswith("_momentum")]
    velocities = [x for x in opt.variables if x.path.endswith("_velocity")]
    for got, want in zip(moments + velocities, m + v):
        _close(got, want)


def test_tf_keras_optimizer_state_trains_on_as_in_tf_keras(installed, tmp_path):
    """tf.keras 2.11+ interleaves Adam's m and v; one more step after loading gives tf_keras'
    weights (Keras 3's own loader starts the optimizer afresh)."""
    x, y = _x((16, 3)), _x((16, 1), seed=1)
    model = tk.Sequential([L.Dense(4, activation="tanh", input_shape=(3,)), L.Dense(1)])
    model.compile(tk.optimizers.Adam(learning_rate=0.05), "mse")
    for _ in range(3):
        model.train_on_batch(x, y)
    path = tmp_path / "state.h5"
    model.save(path)
    ours, theirs = keras.models.load_model(path), tk.models.load_model(path)
    assert int(ours.optimizer.iterations) == 3
    ours.train_on_batch(x, y)
    theirs.train_on_batch(x, y)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        _close(a, b)


# -- 3. tf.keras recurrent configs with time_major; groups on depthwise/transposed convs ------

@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN", "conv"])
def test_tf_keras_configs_with_keys_keras3_dropped(installed, tmp_path, kind):
    if kind == "conv":
        model = tk.Sequential([L.Conv2D(3, 3, input_shape=(7, 7, 2)), L.DepthwiseConv2D(3),
                               L.Conv2DTranspose(2, 3), L.GlobalAveragePooling2D()])
        x = _x((2, 7, 7, 2))
    else:
        model = tk.Sequential([getattr(L, kind)(4, return_sequences=True, input_shape=(5, 3)),
                               getattr(L, kind)(2)])
        x = _x((2, 5, 3))
    _trained(model, x)
    path = tmp_path / "tfk.h5"
    model.save(path)
    want = model.predict(x, verbose=0)
    _close(keras.models.load_model(path).predict(x, verbose=0), want)
    rebuilt = keras.models.model_from_json(model.to_json())
    rebuilt.load_weights(str(path))
    _close(rebuilt.predict(x, verbose=0), want)


# -- 4. A first layer whose batch_input_shape kept the batch dimension --------------------------

def test_first_layer_batch_input_shape_of_a_keras23_sequential(installed, tmp_path):
    """Keras 2.3 saved {'name', 'layers'} with the batch shape on the first layer; Keras 3
    read it as input_shape (None, 5, 3) ('expected ndim=3, found ndim=4')."""
    model = tk.Sequential([L.LSTM(3, input_shape=(5, 3), recurrent_activation="sigmoid"),
                           L.Dense(2)])
    _trained(model, None)
    config = _as_list_config(model)
    config["config"] = {"name": "sequential_1", "layers": config["config"]}
    path = tmp_path / "keras231.h5"
    write_model_file(path, config, layers_of(model), keras_version="2.3.1")
    x = _x((4, 5, 3))
    _close(keras.models.load_model(path).predict(x, verbose=0), _oracle(path, x))


# -- 5. Bidirectional around an old inner config; nested models ----------------------------------

@pytest.mark.parametrize("inner", ["GRU", "LSTM", "RNN"])
def test_bidirectional_with_a_legacy_inner_config(installed, tmp_path, inner):
    layer = L.RNN(L.SimpleRNNCell(3)) if inner == "RNN" else getattr(L, inner)(3)
    model = tk.Sequential([L.Embedding(30, 4, input_length=6, mask_zero=True),
                           L.Bidirectional(layer), L.Dense(1, activation="sigmoid")])
    x = _x((3, 6), vocab=30)
    x[0, 4:] = 0  # masked steps
    _trained(model, x)
    path = tmp_path / "bidir.h5"
    model.save(path)
    _close(keras.models.load_model(path).predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.parametrize("nested", ["Sequential", "Functional"])
def test_model_nested_in_a_functional_model(installed, tmp_path, nested):
    if nested == "Sequential":
        inner = tk.Sequential([L.Dense(4, activation="relu", input_shape=(3,)),
                               L.BatchNormalization()], name="inner")
    else:
        i = tk.Input((3,))
        inner = tk.Model(i, L.BatchNormalization()(L.Dense(4, activation="relu")(i)),
                         name="inner")
    i = tk.Input((3,))
    model = tk.Model(i, L.Dense(2)(inner(i)))
    x = _x((5, 3))
    _trained(model, x)
    path = tmp_path / "nested.h5"
    model.save(path)
    _close(keras.models.load_model(path).predict(x, verbose=0), model.predict(x, verbose=0))
    weights = tmp_path / "nested_weights.h5"
    model.save_weights(weights)
    rebuilt = keras.models.model_from_json(model.to_json())
    rebuilt.load_weights(str(weights))
    _close(rebuilt.predict(x, verbose=0), model.predict(x, verbose=0))


# -- 6. cuDNN weights (CuDNNLSTM / CuDNNGRU, a bias of 8 x units) -----------------------------

def _cudnn_weights(kind, units, features, seed=5):
    gates = 4 if kind == "LSTM" else 3
    rng = np.random.default_rng(seed)
    return [rng.normal(scale=0.4, size=s).astype("float32")
            for s in ((features, gates * units), (units, gates * units), (2 * gates * units,))]


def _cudnn_config(kind, units, features):
    return keras1_sequential([
        {"class_name": f"CuDNN{kind}", "config": {
            "name": "rnn", "trainable": True, "units": units, "return_sequences": False,
            "return_state": False, "stateful": False, "go_backwards": False,
            "kernel_initializer": "glorot_uniform", "recurrent_initializer": "orthogonal",
            "bias_initializer": "zeros", "batch_input_shape": [None, 6, features]}},
        {"class_name": "Dense", "config": {"name": "out", "units": 1,
                                           "activation": "linear"}}])


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_cudnn_weights_load_into_lstm_and_gru(installed, tmp_path, kind):
    units, features = 3, 2
    rnn = _cudnn_weights(kind, units, features)
    dense = [np.full((units, 1), 0.5, "float32"), np.array([0.1], "float32")]
    layers = [("rnn", [(f"rnn/w{i}:0", w) for i, w in enumerate(rnn)]),
              ("out", [("out/kernel:0", dense[0]), ("out/bias:0", dense[1])])]
    path = tmp_path / "cudnn.h5"
    write_model_file(path, _cudnn_config(kind, units, features), layers, keras_version="2.2.4")
    # oracle: tf_keras' own LSTM / GRU(reset_after=True) given the cuDNN file's weights
    oracle = tk.Sequential([
        L.LSTM(units, input_shape=(6, features), name="rnn") if kind == "LSTM" else
        L.GRU(units, input_shape=(6, features), reset_after=True, name="rnn"),
        L.Dense(1, name="out")])
    oracle.load_weights(str(path))
    x = _x((4, 6, features))
    want = oracle.predict(x, verbose=0)
    _close(keras.models.load_model(path).predict(x, verbose=0), want)
    built = keras.Sequential([keras.Input((6, features)),
                              getattr(keras.layers, kind)(units, name="rnn"),
                              keras.layers.Dense(1, name="out")])
    built.load_weights(str(path))  # whole file, by order
    _close(built.predict(x, verbose=0), want)
    renamed = keras.Sequential([keras.Input((6, features)),
                                getattr(keras.layers, kind)(units, name="rnn"),
                                keras.layers.Dense(1, name="other")])
    renamed.load_weights(str(path), by_name=True)  # only `rnn` matches
    assert np.allclose(renamed.layers[0].get_weights()[1], built.layers[0].get_weights()[1])


# -- 7. Keras 1 configs and weights; Lambda bytecode; custom objects ---------------------------

def _keras1_model_config(ordering):
    """A Keras 1.2.2 Sequential as saved: Convolution2D(nb_filter, nb_row, nb_col,
    border_mode, dim_ordering), BatchNormalization(mode=0), Dropout(p), Dense(output_dim)."""
    shape, axis = ([None, 2, 6, 5], 1) if ordering == "th" else ([None, 6, 5, 2], -1)
    return keras1_sequential([
        {"class_name": "Convolution2D", "config": {
            "name": "convolution2d_1", "trainable": True, "nb_filter": 4, "nb_row": 3,
            "nb_col": 2, "init": "glorot_uniform", "activation": "relu", "border_mode": "same",
            "subsample": [1, 1], "dim_ordering": ordering, "W_regularizer": None,
            "b_regularizer": None, "activity_regularizer": None, "W_constraint": None,
            "b_constraint": None, "bias": True, "batch_input_shape": shape,
            "input_dtype": "float32"}},
        {"class_name": "BatchNormalization", "config": {
            "name": "batchnormalization_1", "trainable": True, "epsilon": 0.001, "mode": 0,
            "axis": axis, "momentum": 0.99, "gamma_regularizer": None,
            "beta_regularizer": None}},
        {"class_name": "Flatten", "config": {"name": "flatten_1", "trainable": True}},
        {"class_name": "Dropout", "config": {"name": "dropout_1", "trainable": True, "p": 0.5}},
        {"class_name": "Dense", "config": {
            "name": "dense_1", "trainable": True, "output_dim": 3, "init": "glorot_uniform",
            "activation": "softmax", "W_regularizer": None, "b_regularizer": None,
            "activity_regularizer": None, "W_constraint": None, "b_constraint": None,
            "bias": True, "input_dim": None}}])


def _keras1_weights(ordering, seed=2):
    rng = np.random.default_rng(seed)
    kernel = (4, 2, 3, 2) if ordering == "th" else (3, 2, 2, 4)  # th: (filters, in, rows, cols)
    conv = [rng.normal(size=kernel).astype("float32"), rng.normal(size=4).astype("float32")]
    bn = [rng.random(4).astype("float32") + 0.5, rng.normal(size=4).astype("float32"),
          rng.normal(size=4).astype("float32"), rng.random(4).astype("float32") + 0.5]
    dense = [rng.normal(size=(120, 3)).astype("float32"), rng.normal(size=3).astype("float32")]
    return [("convolution2d_1", [("convolution2d_1_W:0", conv[0]),
                                 ("convolution2d_1_b:0", conv[1])]),
            ("batchnormalization_1", [(f"batchnormalization_1_{n}:0", a) for n, a in
                                      zip(("gamma", "beta", "running_mean", "running_std"),
                                          bn)]),
            ("flatten_1", []), ("dropout_1", []),
            ("dense_1", [("dense_1_W:0", dense[0]), ("dense_1_b:0", dense[1])])]


@pytest.mark.parametrize("ordering", ["tf", "th"])
def test_keras1_model_file_loads_with_keras2_meaning(installed, tmp_path, ordering):
    """tf_keras cannot read the Keras 1 config; the oracle is the Keras 2 model it describes,
    built in tf_keras, given the same file's weights by tf_keras' Keras 1 conversions.
    (TensorFlow runs no channels_first convolution on a CPU: 'th' compares the weights.)"""
    path = tmp_path / "keras1.h5"
    write_model_file(path, _keras1_model_config(ordering), _keras1_weights(ordering),
                     keras_version="1.2.2", training_config={"optimizer_config": {
                         "class_name": "SGD", "config": {"lr": 0.01, "momentum": 0.9,
                                                         "decay": 0.0, "nesterov": False}},
                         "loss": "categorical_crossentropy", "metrics": ["accuracy"],
                         "sample_weight_mode": None, "loss_weights": None})
    th = ordering == "th"
    oracle = tk.Sequential([
        L.Conv2D(4, (3, 2), padding="same", activation="relu",
                 data_format="channels_first" if th else "channels_last",
                 input_shape=(2, 6, 5) if th else (6, 5, 2)),
        L.BatchNormalization(axis=1 if th else -1), L.Flatten(), L.Dropout(0.5),
        L.Dense(3, activation="softmax")])
    oracle.load_weights(str(path))
    model = keras.models.load_model(path)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)
    if th:
        for ours, theirs in zip(model.get_weights(), oracle.get_weights()):
            _close(ours, theirs)
    else:
        x = _x((3, 6, 5, 2))
        _close(model.predict(x, verbose=0), oracle.predict(x, verbose=0))


def _keras1_rnn_config(kind):
    common = {"name": "rnn", "trainable": True, "output_dim": 3, "init": "glorot_uniform",
              "inner_init": "orthogonal", "activation": "tanh",
              "inner_activation": "hard_sigmoid", "W_regularizer": None, "U_regularizer": None,
              "b_regularizer": None, "dropout_W": 0.0, "dropout_U": 0.0,
              "return_sequences": False, "go_backwards": False, "stateful": False,
              "unroll": False, "consume_less": "cpu", "input_dim": 2, "input_length": None,
              "batch_input_shape": [None, None, 2]}
    if kind == "LSTM":
        common["forget_bias_init"] = "one"
    return keras1_sequential([{"class_name": kind, "config": common}])


@pytest.mark.parametrize("kind, arrays", [("LSTM", 12), ("GRU", 9)])
def test_keras1_recurrent_weights_per_gate(installed, tmp_path, kind, arrays):
    """Keras 1 saved one W, U, b per gate (LSTM gates i, c, f, o) and computed its gates with
    a hard sigmoid of slope 0.2: both reproduced."""
    rng = np.random.default_rng(7)
    shapes = [(2, 3), (3, 3), (3,)] * (arrays // 3)
    weights = [("rnn", [(f"rnn_{i}:0", rng.normal(scale=0.5, size=s).astype("float32"))
                        for i, s in enumerate(shapes)])]
    path = tmp_path / "rnn1.h5"
    write_weights_file(path, weights, keras_version=None)
    oracle = tk.Sequential([
        getattr(L, kind)(3, recurrent_activation="hard_sigmoid", input_shape=(None, 2),
                         name="rnn", **({"reset_after": False} if kind == "GRU" else {}))])
    oracle.load_weights(str(path))
    x = _x((2, 5, 2))
    config_path = tmp_path / "rnn1_model.h5"
    write_model_file(config_path, _keras1_rnn_config(kind), weights, keras_version="1.2.2")
    _close(keras.models.load_model(config_path).predict(x, verbose=0),
           oracle.predict(x, verbose=0))


def test_keras2_hard_sigmoid_is_kept(installed, tmp_path):
    """Keras 2's hard_sigmoid is 0.2 x + 0.5, Keras 3's x / 6 + 0.5: an LSTM saved with
    Keras 2's default recurrent_activation predicts as it did."""
    model = tk.Sequential([L.LSTM(4, recurrent_activation="hard_sigmoid", input_shape=(6, 3)),
                           L.Dense(2, activation="hard_sigmoid")])
    x = _x((3, 6, 3))
    _trained(model, x)
    path = tmp_path / "hs.h5"
    model.save(path)
    _close(keras.models.load_model(path).predict(x, verbose=0), model.predict(x, verbose=0))


# The bytecode of `lambda x: x / 255.0 - 0.5` as Python 3.7 marshalled it (Keras 2.2.4
# func_dump), as a 2018 file holds it; this interpreter's marshal reads code differently.
PY37_LAMBDA = ("4wEAAAAAAAAAAQAAAAIAAABDAAAAcwwAAAB8AGQBGwBkAhgAUwApA07nAAAAAADgb0DnAAAAAAAA4D+p"
               "ACkB2gF4cgMAAAByAwAAANoIPHN0cmluZz7aCDxsYW1iZGE+AgAAAPMAAAAA")


def _lambda_file(path, code):
    config = keras1_sequential([
        {"class_name": "Lambda", "config": {
            "name": "normalize", "trainable": True, "function": [code, None, None],
            "function_type": "lambda", "output_shape": None, "output_shape_type": "raw",
            "arguments": {}, "batch_input_shape": [None, 3]}},
        {"class_name": "Dense", "config": {"name": "dense_1", "units": 2}}])
    rng = np.random.default_rng(0)
    write_model_file(path, config, [("normalize", []), ("dense_1", [
        ("dense_1/kernel:0", rng.normal(size=(3, 2)).astype("float32")),
        ("dense_1/bias:0", np.zeros(2, "float32"))])], keras_version="2.2.4")


def test_lambda_marshalled_by_another_python_names_the_layer_and_the_remedy(installed,
                                                                         tmp_path):
    path = tmp_path / "lambda37.h5"
    _lambda_file(path, PY37_LAMBDA)
    with pytest.raises(LegacyFileError, match=r"`normalize`.*another Python version.*"
                       r"Rebuild the architecture in code.*load_weights"):
        keras.models.load_model(path, safe_mode=False)


def test_lambda_marshalled_by_this_python_loads_when_trusted(installed, tmp_path):
    import base64
    import marshal

    code = base64.b64encode(marshal.dumps((lambda x: x / 255.0 - 0.5).__code__)).decode()
    path = tmp_path / "lambda_here.h5"
    _lambda_file(path, code)
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(path)  # Keras 3's default: no bytecode from files
    x = _x((2, 3)) * 255
    want = tk.models.load_model(path, compile=False).predict(x, verbose=0)
    _close(keras.models.load_model(path, safe_mode=False).predict(x, verbose=0), want)


class Scale(keras.layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def _tf_keras_scale():
    """The same layer as tf_keras saw it (its config names the class `Scale`)."""

    class Scale(L.Layer):  # noqa: F811 - a tf_keras twin of the class above
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    return Scale


def test_custom_layer_not_passed_is_named_with_the_remedy(installed, tmp_path):
    model = tk.Sequential([L.Dense(2, input_shape=(3,)), _tf_keras_scale()(3.0)])
    path = tmp_path / "custom.h5"
    model.save(path)
    with pytest.raises(LegacyFileError, match=r"`scale` is of class `Scale`.*"
                       r"custom_objects=\{'Scale': Scale\}"):
        keras.models.load_model(path)
    x = _x((2, 3))
    loaded = keras.models.load_model(path, custom_objects={"Scale": Scale})
    _close(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


# -- what must not change ------------------------------------------------------------------------

def test_keras3_files_load_exactly_as_keras3_loads_them(installed, tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile("adam", "mse")
    model.save(tmp_path / "m.keras")
    model.save_weights(tmp_path / "m.weights.h5")
    x = _x((2, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error", LegacyFileWarning)
        loaded = keras.models.load_model(tmp_path / "m.keras")
        loaded.load_weights(tmp_path / "m.weights.h5")
        assert loaded.load_weights.__func__ is not None
    _close(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ValueError, match="File not found|not supported"):
        keras.models.load_model(tmp_path / "absent.keras")


def test_install_restores_keras3s_own_loaders():
    originals = (keras.models.load_model, keras.Model.load_weights,
                 keras.models.model_from_json)
    kfitcompat.install()
    try:
        assert keras.models.load_model is not originals[0]
    finally:
        kfitcompat.uninstall()
    assert (keras.models.load_model, keras.Model.load_weights,
            keras.models.model_from_json) == originals


def test_a_legacy_load_says_what_it_changed_and_points_at_convert(tmp_path,
                                                                   list_config_file):
    path, _ = list_config_file
    with kfitcompat.install(), pytest.warns(LegacyFileWarning,
                                            match=r"kfitcompat convert .*keras222\.h5"):
        keras.models.load_model(path)


def test_weights_file_with_a_layer_count_mismatch_is_named(installed, tmp_path):
    path = tmp_path / "w.h5"
    model = tk.Sequential([L.Dense(2, input_shape=(3,), name="a"), L.Dense(1, name="b")])
    model.save_weights(path)
    other = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="a")])
    with pytest.raises(ValueError, match=r"containing 2 layers into a model with 1 layers "
                       r"\(a\).*by_name=True"):
        other.load_weights(str(path))
    other.load_weights(str(path), True)  # Keras 2's positional by_name
    with h5py.File(path) as f:
        _close(other.layers[0].get_weights()[0], f["a"][f["a"].attrs["weight_names"][0]])


def test_keras21_json_and_weights_of_a_text_classifier(installed, tmp_path):
    """The public chen0040 layout: model.to_json() of a Keras 2.1 Sequential (a list, first
    layer with batch_input_shape), SpatialDropout1D (Keras 3's takes no `trainable`), an LSTM
    with Keras 2's default hard_sigmoid; then load_weights of its weights file."""
    model = tk.Sequential([L.Embedding(40, 8, input_length=7), L.SpatialDropout1D(0.2),
                           L.LSTM(5, recurrent_activation="hard_sigmoid", dropout=0.2),
                           L.Dense(2, activation="softmax")])
    x = _x((4, 7), vocab=40)
    _trained(model, x)
    weights = tmp_path / "weights.h5"
    model.save_weights(weights)
    text = json.dumps({**_as_list_config(model), "keras_version": "2.1.2",
                       "backend": "tensorflow"})
    rebuilt = keras.models.model_from_json(text)
    rebuilt.load_weights(str(weights))
    _close(rebuilt.predict(x, verbose=0), model.predict(x, verbose=0))


def test_load_weights_by_name_skip_mismatch_and_reshape_as_keras2(installed, tmp_path):
    """Keras 2's load_weights(filepath, by_name, skip_mismatch, reshape): a layer of another
    shape is skipped with a warning; reshape=True fits a kernel of the same size."""
    source = tk.Sequential([L.Dense(2, input_shape=(3,), name="rick"), L.Dense(3, name="morty")])
    path = tmp_path / "w.h5"
    source.save_weights(path)
    wider = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="rick"),
                              keras.layers.Dense(4, name="morty")])
    before = wider.layers[1].get_weights()[0]
    with pytest.warns(UserWarning, match=r"Skipping loading weights of layer `morty` due to "
                                         r"mismatch in shape"):
        wider.load_weights(str(path), by_name=True, skip_mismatch=True)
    _close(wider.layers[0].get_weights()[0], source.layers[0].get_weights()[0])
    _close(wider.layers[1].get_weights()[0], before)
    conv = keras.Sequential([keras.Input((1, 1, 3)), keras.layers.Conv2D(2, 1, name="rick"),
                             keras.layers.Conv2D(3, 1, name="morty")])
    with pytest.raises(ValueError, match=r"has shape \(1, 1, 3, 2\), but the saved weight has "
                                         r"shape \(3, 2\)"):
        conv.load_weights(str(path))
    conv.load_weights(str(path), False, False, True)  # Keras 2's positional reshape
    x = _x((2, 3))
    _close(conv.predict(x[:, None, None, :], verbose=0)[:, 0, 0], source.predict(x, verbose=0))


def test_tf_keras_spelling_of_the_loaders(installed, list_config_file):
    """`tf.keras.models.load_model` / `model_from_json` (a tf.keras 2.x script on TF 2.21,
    where tf.keras is Keras 3) read legacy files too."""
    import tensorflow as tf

    path, source = list_config_file
    x = _x((3, 4))
    _close(tf.keras.models.load_model(path).predict(x, verbose=0), _oracle(path, x))
    rebuilt = tf.keras.models.model_from_json(source.to_json())
    rebuilt.load_weights(str(path))
    _close(rebuilt.predict(x, verbose=0), source.predict(x, verbose=0))
