"""Keras 2 behaviour the API table marks translated, as a script sees it after install():
the defects found on unseen public code, each with Keras 2's value."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import keras
import numpy as np
import pytest

import kfitcompat

ROOT = Path(__file__).resolve().parents[2]


def test_layer_output_and_input_shape_as_keras2(installed):
    inputs = keras.Input((8, 4))
    dense = keras.layers.Dense(3)
    dense(inputs)
    assert dense.output_shape == (None, 8, 3) and dense.input_shape == (None, 8, 4)
    assert dense.get_output_shape_at(0) == (None, 8, 3)
    assert dense.get_output_at(0).shape == (None, 8, 3)
    shared = keras.layers.Dense(2)
    shared(keras.Input((4,)))
    shared(keras.Input((5, 4)))
    with pytest.raises(AttributeError, match="multiple inbound nodes.*get_output_shape_at"):
        _ = shared.output_shape
    assert shared.get_output_shape_at(1) == (None, 5, 2)
    with pytest.raises(AttributeError, match="never been called"):
        _ = keras.layers.Dense(2).output_shape
    base = keras.Sequential([keras.Input((6,)), keras.layers.Dense(4), keras.layers.Dense(1)])
    assert [layer.output_shape for layer in base.layers] == [(None, 4), (None, 1)]


def test_a_keras3_layer_that_sets_its_own_output_shape_keeps_it(installed):
    class Own(keras.layers.Layer):
        def __init__(self) -> None:
            super().__init__()
            self.output_shape = (None, 7)

    assert Own().output_shape == (None, 7)


def test_pooling_without_pool_size_is_keras2s_default(installed):
    assert keras.layers.AveragePooling2D().pool_size == (2, 2)
    assert keras.layers.MaxPooling2D().pool_size == (2, 2)
    assert keras.layers.MaxPooling1D().pool_size == (2,)
    assert keras.layers.AveragePooling3D().pool_size == (2, 2, 2)
    assert keras.layers.MaxPooling2D(3).pool_size == (3, 3)


def test_keras1_merge_layer_function_and_sequential_of_models(installed):
    a, b = keras.Input((4,)), keras.Input((4,))
    assert tuple(keras.layers.Merge(mode="dot", dot_axes=1)([a, b]).shape) == (None, 1)
    assert tuple(keras.layers.merge([a, b], mode="concat", concat_axis=1).shape) == (None, 8)
    assert tuple(keras.layers.merge([a, b], mode="cos", dot_axes=1).shape) == (None, 1, 1)
    left = keras.Sequential()
    left.add(keras.layers.Dense(4, input_dim=3))
    right = keras.Sequential()
    right.add(keras.layers.Dense(4, input_dim=5))
    merged = keras.Sequential()
    merged.add(keras.layers.Merge([left, right], mode="concat"))
    merged.add(keras.layers.Dense(1))
    merged.compile("sgd", "mse")
    x = [np.ones((8, 3), "float32"), np.ones((8, 5), "float32")]
    merged.fit(x, np.ones((8, 1)), nb_epoch=1, verbose=0)
    assert merged.predict(x, verbose=0).shape == (8, 1)
    with pytest.raises(ValueError, match="mode.*Expected one of"):
        keras.layers.Merge(mode="nope")


def test_one_metrics_list_applies_to_every_output(installed):
    inputs = keras.Input((4,))
    model = keras.Model(inputs, [keras.layers.Dense(2, name="a")(inputs),
                                 keras.layers.Dense(3, name="b")(inputs)])
    model.compile("sgd", "mse", metrics=["accuracy"])
    history = model.fit(np.ones((4, 4)), [np.ones((4, 2)), np.ones((4, 3))], verbose=0)
    assert {"a_accuracy", "b_accuracy"} <= set(history.history)
    model.compile("sgd", "mse", metrics=["accuracy", "mae"])  # one per output: Keras 3's
    history = model.fit(np.ones((4, 4)), [np.ones((4, 2)), np.ones((4, 3))], verbose=0)
    assert {"a_accuracy", "b_mae"} <= set(history.history)
    assert "a_mae" not in history.history


def test_conv2d_positional_kernel_is_keras2s_in_a_script(installed):
    with pytest.warns(kfitcompat.LegacyArgumentWarning, match="installed package"):
        conv = keras.layers.Conv2D(64, 3, 3, activation="elu")
    assert conv.kernel_size == (3, 3) and conv.strides == (1, 1)
    assert keras.layers.Conv3D(4, 3, 3, 3).kernel_size == (3, 3, 3)
    # Keras 2 refused a strides/padding keyword beside three positionals: Keras 3 code
    assert keras.layers.Conv2D(8, 3, 2, padding="same").strides == (2, 2)
    model = keras.Sequential([keras.Input((12, 12, 1)), keras.layers.Conv2D(4, 3, 3),
                              keras.layers.Conv2D(4, 3, 3), keras.layers.Flatten()])
    assert model.output_shape == (None, 8 * 8 * 4)


@pytest.mark.slow
def test_conv2d_positional_strides_stay_keras3s_in_an_installed_package(tmp_path):
    """A Keras 3 library (installed, here in the user site-packages) that writes
    Conv2D(32, 3, 2) means strides=2, and keeps it after install()."""
    user_base = tmp_path / "userbase"
    probe = subprocess.run([sys.executable, "-c", "import site; print(site.USER_SITE)"],
                           env={**os.environ, "PYTHONUSERBASE": str(user_base)},
                           capture_output=True, text=True, check=True)
    site_dir = Path(probe.stdout.strip())
    site_dir.mkdir(parents=True)
    (site_dir / "k3_library.py").write_text(
        "import keras\n\ndef build():\n    return keras.layers.Conv2D(32, 3, 2)\n")
    script = textwrap.dedent("""
        import site, sys
        import keras, kfitcompat
        kfitcompat.install()
        # a venv disables the user site; the folder is still one of installed packages
        if site.getusersitepackages() not in sys.path:
            sys.path.append(site.getusersitepackages())
        import k3_library
        library = k3_library.build()
        mine = keras.layers.Conv2D(32, 3, 2)
        print(library.kernel_size, library.strides, mine.kernel_size, mine.strides)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONUSERBASE": str(user_base),
                                            "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[-2] == "(3, 3) (2, 2) (3, 2) (1, 1)"


def test_embedding_input_length_and_rnn_implementation(installed):
    model = keras.Sequential()
    model.add(keras.layers.Embedding(100, 8, input_length=10))
    model.add(keras.layers.LSTM(4, implementation=2))
    assert model.layers[0].output_shape == (None, 10, 8)
    assert model.output_shape == (None, 4)


def test_backend_functions_take_keras2_keywords(installed):
    from keras import backend as K

    assert np.allclose(K.relu(np.array([-1.0, 2.0, 9.0]), max_value=6), [0.0, 2.0, 6.0])
    assert np.allclose(K.relu(np.array([-1.0, 2.0]), alpha=0.5), [-0.5, 2.0])
    assert tuple(K.reshape(np.ones((2, 3)), shape=(3, 2)).shape) == (3, 2)
    assert K.py_sum([1, 2]) == 3
    assert np.allclose(K.get_value(K.zeros((2, 2))), 0) and K.eye(3).shape == (3, 3)
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(3)(inputs)
    outputs = keras.layers.Dropout(0.99)(hidden)
    model = keras.Model(inputs, outputs)
    features = K.function([model.input, K.learning_phase()], [hidden, model.output])
    h, o = features([np.ones((2, 4), "float32"), 0])
    assert h.shape == (2, 3) and np.allclose(h, o)  # phase 0: no dropout
    assert K.in_train_phase(1, 2) == 2 and K.in_train_phase(1, 2, training=True) == 1
    x = K.placeholder(ndim=2)  # Keras 2's way to test a function of tensors
    relu = K.function([x], [keras.activations.relu(x)])
    assert np.allclose(relu([np.array([[-1.0, 2.0]], "float32")])[0], [[0.0, 2.0]])
    with pytest.raises(ValueError, match="training=True"):
        K.set_learning_phase(1)


def test_layer_add_loss_with_inputs_and_metric_reset_states(installed):
    class Penalty(keras.layers.Layer):
        def call(self, x):
            self.add_loss(keras.ops.sum(x), inputs=x)
            return x

    layer = Penalty()
    layer(np.ones((2, 2), "float32"))
    assert float(layer.losses[0]) == 4.0
    mean = keras.metrics.Mean()
    mean.update_state([1.0, 3.0])
    mean.reset_states()
    assert float(mean.result()) == 0.0


def test_keras2_utility_modules(installed):
    from keras.utils import conv_utils, print_summary  # noqa: F401
    from keras.utils.layer_utils import count_params

    assert conv_utils.conv_output_length(10, 3, "valid", 1) == 8
    assert conv_utils.conv_output_length(10, 3, "same", 2) == 5
    assert conv_utils.normalize_tuple(2, 2, "strides") == (2, 2)
    with pytest.raises(ValueError, match="`strides` argument must be a tuple of 2"):
        conv_utils.normalize_tuple((1, 2, 3), 2, "strides")
    assert count_params([np.zeros((2, 3)), np.zeros(4)]) == 10
    from keras.preprocessing.text import Tokenizer

    tokenizer = Tokenizer(num_words=10)
    tokenizer.fit_on_texts(["a b b", "c"])
    assert tokenizer.texts_to_sequences(["b a"]) == [[1, 2]]
    from keras.engine.training import Model

    assert Model is keras.Model


def test_refused_names_say_why_and_feature_detection_still_works(installed):
    with pytest.raises(ImportError, match="Highway.*existed only for Keras 1 files"):
        from keras.layers import Highway  # noqa: F401
    with pytest.raises(AttributeError, match="keras.backend.get_session.*graph-mode"):
        keras.backend.get_session()
    with pytest.raises(ImportError, match="no cuDNN-only layers"):
        importlib.import_module("keras.layers.cudnn_recurrent")
    assert not hasattr(keras.layers, "Highway")
    assert not hasattr(keras.layers, "NoSuchLayer")
    # a refused module named from a package Keras 3 has (the package's own name lookup)
    with pytest.raises(ImportError, match="keras.initializations.*Keras 1 only"):
        from keras import initializations  # noqa: F401
    with pytest.raises(ImportError, match="keras.legacy.interfaces.*update_step"):
        from keras.legacy import interfaces  # noqa: F401
    with pytest.raises(ImportError, match="cannot import name 'no_such_name'"):
        from keras import no_such_name  # noqa: F401
    assert not hasattr(keras, "initializations")


@pytest.mark.parametrize("build", [
    lambda: keras.layers.AveragePooling2D(pool_size=3, strides=1),
    lambda: keras.layers.Conv2D(8, (3, 3), 2),  # a tuple kernel: Keras 3's reading
    lambda: keras.layers.Conv2D(8, 3, strides=2, padding="same"),
    lambda: keras.layers.Embedding(10, 4),
    lambda: keras.layers.LSTM(4, implementation=1),
    lambda: keras.layers.SeparableConv2D(4, 3, padding="same"),
    lambda: keras.layers.Dense(3, input_shape=(4,)),
], ids=["pool", "conv-tuple-kernel", "conv-keywords", "embedding", "lstm", "separable",
        "dense"])
def test_valid_keras3_layer_calls_keep_their_config(build):
    """Translated rows that change a Keras 3 signature (defaults, positionals, keywords):
    a valid Keras 3 call builds the same layer with and without install()."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before = build().get_config()
        with kfitcompat.install():
            after = build().get_config()
    before.pop("name"), after.pop("name")
    assert after == before


def test_models_with_keras2_layers_save_and_load_as_keras3_files(installed, tmp_path):
    """What install() adds to Keras classes must not get in the way of Keras 3's own saving
    (it walks every attribute of a model): a round trip through a .keras file."""
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(
        3, weights=[np.ones((4, 3), "float32"), np.zeros(3, "float32")]),
        keras.layers.Dense(2)])
    model.compile("sgd", "mse", metrics=["accuracy"])
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    x = np.ones((2, 4), "float32")
    assert np.allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert np.allclose(model.layers[0].get_weights()[0], 1.0)  # Keras 2's weights=


def test_thresholded_relu_and_simple_rnn_implementation(installed):
    layer = keras.layers.ThresholdedReLU(theta=0.5)
    assert np.allclose(layer(np.array([0.2, 0.5, 0.7], "float32")), [0.0, 0.0, 0.7])
    assert isinstance(layer, keras.layers.ThresholdedReLU)
    assert not isinstance(keras.layers.ReLU(), keras.layers.ThresholdedReLU)
    assert keras.layers.SimpleRNN(3, implementation=1).units == 3


def test_model_config_round_trips_and_yaml_raises_as_tf_keras(installed):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    rebuilt = keras.models.model_from_config({"class_name": "Sequential",
                                              "config": model.get_config()})
    assert [type(layer) for layer in rebuilt.layers] == [keras.layers.Dense]
    from keras.models import model_from_yaml  # importable, as in tf.keras 2.6+

    with pytest.raises(RuntimeError, match="arbitrary code execution.*model_from_json"):
        model_from_yaml("a: 1")
    with pytest.raises(RuntimeError, match="to_json"):
        model.to_yaml()
    from keras.losses import cosine, logcosh

    assert float(cosine(np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]]))[0]) == -1.0
    assert abs(float(logcosh(np.array([[0.0]]), np.array([[0.0]]))[0])) < 1e-6


def test_metric_weights_and_the_cosine_proximity_loss(installed):
    """Keras 2.3's metric.weights (a metric was a layer; Keras 2.3.1's metrics_test reads it)
    and keras.losses / keras.metrics.cosine_proximity, Keras 2's name of Keras 3's
    cosine_similarity (the negative cosine in both)."""
    metric = keras.metrics.Mean()
    metric.update_state([1.0, 3.0])
    assert [float(w.numpy()) for w in metric.weights] == [4.0, 2.0]
    y_true, y_pred = np.array([[1.0, 0.0]]), np.array([[1.0, 1.0]])
    for module in (keras.losses, keras.metrics):
        np.testing.assert_allclose(module.cosine_proximity(y_true, y_pred), [-np.sqrt(0.5)],
                                   rtol=1e-6)


def test_backend_constant_reshapes_or_fills_as_tf_constant(installed):
    """Keras 2's ``K.constant(values, shape=)`` reshapes a flat list (Keras 2.3.1's loss tests
    build every input that way) and fills the shape with a scalar."""
    from keras import backend as K

    np.testing.assert_array_equal(K.constant([1, 9, 2, -5, -2, 6], shape=(2, 3)),
                                  [[1, 9, 2], [-5, -2, 6]])
    np.testing.assert_array_equal(K.constant(2.5, shape=(2, 2)), np.full((2, 2), 2.5))
    with pytest.raises(ValueError, match=r"6 elements cannot take shape=\(4,\)"):
        K.constant([1, 2, 3, 4, 5, 6], shape=(4,))


def test_loss_reduction_names_are_the_strings_keras3_takes(installed):
    """Keras 2.3's ``keras.utils.losses_utils.Reduction`` and tf.keras 2's
    ``keras.losses.Reduction`` (custom training loops: ``reduction=Reduction.NONE``)."""
    from keras.utils.losses_utils import Reduction

    assert Reduction is keras.losses.Reduction
    y_true, y_pred = np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([[1.0, 1.0], [1.0, 3.0]])
    per_sample = keras.losses.MeanSquaredError(reduction=Reduction.NONE)(y_true, y_pred)
    np.testing.assert_allclose(per_sample, [0.5, 2.0])
    total = keras.losses.MeanSquaredError(reduction=Reduction.SUM)
    assert total.reduction == Reduction.SUM and float(total(y_true, y_pred)) == 2.5
    with pytest.raises(ValueError, match="Invalid Reduction Key 'mean'"):
        Reduction.validate("mean")


def test_add_weight_with_the_name_first_as_keras2(installed):
    """Keras 2.1-2.3's ``add_weight(name, shape, dtype, initializer, ...)``; a Keras 3 call
    (shape first, or keywords) keeps Keras 3's order."""

    class Scale(keras.layers.Layer):
        def build(self, input_shape):
            self.gain = self.add_weight("gain", (input_shape[-1],), None, "ones")
            self.bias = self.add_weight((input_shape[-1],), "zeros", name="bias")

        def call(self, x):
            return x * self.gain + self.bias

    layer = Scale()
    out = layer(np.full((2, 3), 2.0, "float32"))
    np.testing.assert_allclose(out, np.full((2, 3), 2.0))
    assert [w.name for w in layer.weights] == ["gain", "bias"]
    assert tuple(layer.gain.shape) == (3,)
    with pytest.raises(TypeError, match="multiple values for argument 'shape'"):
        keras.layers.Dense(2).add_weight("w", (2,), shape=(3,))


@pytest.mark.parametrize("layer_class", ["SimpleRNN", "GRU", "LSTM"])
def test_rnn_reset_states_with_values_and_initial_states_in_the_input_list(installed,
                                                                           layer_class):
    """Keras 2's ``rnn.reset_states(values)`` and ``rnn([x, *initial_states])``."""
    cls = getattr(keras.layers, layer_class)
    count = 2 if layer_class == "LSTM" else 1
    layer = cls(3, stateful=True)
    layer.build((2, 5, 4))
    values = [np.full((2, 3), 1.5)] * count
    layer.reset_states(values if count > 1 else values[0])
    np.testing.assert_allclose(layer.states[0], np.full((2, 3), 1.5))
    layer.reset_states()
    np.testing.assert_allclose(layer.states[0], np.zeros((2, 3)))
    with pytest.raises(ValueError, match=f"expects {count} state"):
        layer.reset_states([np.ones((2, 3))] * (count + 1))
    with pytest.raises(ValueError, match=r"expected shape=\(2, 3\), found shape=\(2, 4\)"):
        layer.reset_states([np.ones((2, 4))] * count if count > 1 else np.ones((2, 4)))

    sequence = keras.Input((5, 4))
    states = [keras.Input((3,)) for _ in range(count)]
    model = keras.Model([sequence, *states], cls(3)([sequence, *states]))
    x = np.random.default_rng(0).random((2, 5, 4)).astype("float32")
    zero, one = ([np.zeros((2, 3), "float32")] * count, [np.ones((2, 3), "float32")] * count)
    assert not np.allclose(model.predict([x, *zero], verbose=0),
                           model.predict([x, *one], verbose=0))
    explicit = cls(3)
    np.testing.assert_allclose(explicit(x, initial_state=one),
                               explicit([x, *one]), rtol=1e-6)


@pytest.mark.parametrize("layer_class", ["GRU", "LSTM"])
def test_a_seq2seq_decoder_is_masked_when_it_gets_initial_states(installed, layer_class):
    """``Embedding(mask_zero=True)`` then ``LSTM(...)(x, initial_state=states)``: Keras 2 and
    tf_keras mask the padded steps; Keras 3 alone drops the mask when the call has more than one
    tensor argument. Oracle: tf_keras 2.21 with the same weights."""
    import tf_keras

    count = 2 if layer_class == "LSTM" else 1

    def decoder(k):
        tokens = k.Input((6,), dtype="int32")
        states = [k.Input((3,)) for _ in range(count)]
        embedded = k.layers.Embedding(10, 4, mask_zero=True)(tokens)
        out = getattr(k.layers, layer_class)(3, return_sequences=True)(
            embedded, initial_state=states)
        return k.Model([tokens, *states], out)

    ours, theirs = decoder(keras), decoder(tf_keras)
    theirs.set_weights(ours.get_weights())
    tokens = np.array([[3, 4, 5, 0, 0, 0], [1, 2, 3, 4, 5, 6]])
    states = [np.random.default_rng(i).random((2, 3)).astype("float32") for i in range(count)]
    got = ours.predict([tokens, *states], verbose=0)
    np.testing.assert_allclose(got, theirs.predict([tokens, *states], verbose=0), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(got[0, 3:], np.repeat(got[0, 2:3], 3, axis=0))  # held


def test_keras1_get_output_shape_for_and_locally_connected_keywords(installed):
    """Keras 1's ``get_output_shape_for`` (Keras 2's ``compute_output_shape``) and the Keras 1
    / Keras 2 interfaces Keras 2 gave LocallyConnected1D / 2D (those of Conv1D / Conv2D)."""
    assert keras.layers.Dense(3).get_output_shape_for((None, 5)) == (None, 3)
    local = keras.layers.LocallyConnected2D(nb_filter=4, nb_row=3, nb_col=2, subsample=(2, 1),
                                            border_mode="valid")
    assert (local.filters, local.kernel_size, local.strides) == (4, (3, 2), (2, 1))
    assert keras.layers.LocallyConnected2D(4, 3, 3).kernel_size == (3, 3)
    local1 = keras.layers.LocallyConnected1D(nb_filter=2, filter_length=3, input_dim=5,
                                             input_length=7)
    assert local1.get_output_shape_for((None, 7, 5)) == (None, 5, 2)


def test_keras1_regularizer_names_build_l1l2_with_keras1_defaults(installed):
    from keras import regularizers

    layer = keras.layers.Dense(2, kernel_regularizer=regularizers.WeightRegularizer(l2=0.5),
                               activity_regularizer=regularizers.activity_l2())
    assert layer.kernel_regularizer.get_config() == {"l1": 0.0, "l2": 0.5}
    assert layer.activity_regularizer.get_config() == {"l1": 0.0, "l2": 0.01}
    assert regularizers.l1l2().get_config() == {"l1": 0.01, "l2": 0.01}
    by_name = keras.layers.Dense(2, activity_regularizer="activity_l1")
    assert float(by_name.activity_regularizer.l1) == pytest.approx(0.01)
    layer(np.ones((1, 3), "float32"))
    assert len(layer.losses) == 2


def test_keras1_time_distributed_dense_is_a_time_distributed_dense(installed):
    from keras.layers import TimeDistributedDense

    model = keras.Sequential()
    model.add(TimeDistributedDense(4, init="zeros", activation="relu", input_dim=3,
                                   input_length=5))
    assert isinstance(model.layers[0], TimeDistributedDense)
    assert isinstance(model.layers[0], keras.layers.TimeDistributed)
    assert model.output_shape == (None, 5, 4)
    assert model.layers[0].layer.kernel_initializer.__class__.__name__ == "Zeros"
    x = np.random.default_rng(0).random((2, 5, 3)).astype("float32")
    assert np.allclose(model.predict(x, verbose=0), 0.0)
    assert not isinstance(keras.layers.Dense(2), TimeDistributedDense)


def test_keras2_custom_cells_state_size_in_build_plain_objects_and_initial_state(installed):
    """Keras 2's RNN cell protocol: ``state_size`` set in the cell's ``build`` (Keras 3 reads
    it in ``RNN.__init__``), a plain object with ``call`` and ``state_size`` (trained: its
    kernel is a weight of the model), and ``rnn.get_initial_state(inputs)``."""

    class CountingCell(keras.layers.Layer):
        def __init__(self):
            self.state_size = None
            super().__init__()

        def build(self, input_shape):
            self.state_size = input_shape[-1]

        def call(self, inputs, states):
            return inputs, [s + 1 for s in states]

    x = keras.Input((4, 3))
    s0 = keras.Input((3,))
    y, s_final = keras.layers.RNN(CountingCell(), return_state=True)(x, initial_state=s0)
    model = keras.Model([x, s0], [y, s_final])
    start = np.random.default_rng(0).random((5, 3)).astype("float32")
    out, state = model.predict([np.ones((5, 4, 3), "float32"), start], verbose=0)
    np.testing.assert_allclose(state, start + 4, rtol=1e-6)  # one increment per step

    class MinimalCell:  # not a layer: Keras 2's RNN called cell.call
        def __init__(self, units, input_dim):
            self.state_size = units
            self.kernel = keras.backend.variable(np.ones((input_dim, units)))

        def call(self, inputs, states):
            output = keras.backend.dot(inputs, self.kernel) + states[0]
            return output, [output]

    x = keras.Input((None, 5))
    for cells, weights in ((MinimalCell(8, 5), 1), ([MinimalCell(8, 5), MinimalCell(4, 8)], 2)):
        model = keras.Model(x, keras.layers.RNN(cells)(x))
        model.compile("sgd", "mse")
        assert len(model.trainable_weights) == weights
        before = model.trainable_weights[0].numpy().copy()
        model.train_on_batch(np.ones((6, 3, 5)), np.zeros((6, model.output_shape[-1])))
        assert not np.allclose(model.trainable_weights[0].numpy(), before)

    lstm = keras.layers.LSTM(4)
    initial = lstm.get_initial_state(np.ones((2, 3, 5), "float32"))  # Keras 2: the inputs
    assert [tuple(t.shape) for t in initial] == [(2, 4), (2, 4)]
    assert [tuple(t.shape) for t in lstm.get_initial_state(2)] == [(2, 4), (2, 4)]  # Keras 3
    symbolic = keras.layers.RNN(CountingCell())
    symbolic(keras.Input((None, 6)))
    assert [tuple(t.shape) for t in symbolic.get_initial_state(keras.Input((None, 6)))] == [
        (None, 6)]
    symbolic_lstm = lstm.get_initial_state(keras.Input((None, 5)))  # the batch unknown
    assert [tuple(t.shape) for t in symbolic_lstm] == [(None, 4), (None, 4)]


def test_initial_states_in_the_input_list_keep_the_sequence_mask(installed):
    """Keras 2's ``rnn([masked_x, h0])`` skipped the masked steps; Keras 3 passes ``mask`` only
    to a call with one tensor argument, so the list form gives it the sequence's mask."""
    x = keras.Input((4, 3))
    h0 = keras.Input((3,))
    rnn = keras.layers.SimpleRNN(3, kernel_initializer="identity",
                                 recurrent_initializer="zeros", activation="linear",
                                 use_bias=False, return_sequences=False)
    model = keras.Model([x, h0], rnn([keras.layers.Masking()(x), h0]))
    values = np.arange(1, 25, dtype="float32").reshape((2, 4, 3))
    values[0, -1] = 0.0  # the last step of the first sample is masked
    out = model.predict([values, np.zeros((2, 3), "float32")], verbose=0)
    np.testing.assert_allclose(out[0], values[0, -2])  # the output of the last unmasked step
    np.testing.assert_allclose(out[1], values[1, -1])
