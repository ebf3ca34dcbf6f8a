"""The Keras 2 idioms around fit, under install() (kfitcompat/keras2/): each as a legacy script
writes it, checked against Keras 2's meaning (tf_keras where it still has the idiom)."""

from __future__ import annotations

import importlib
import inspect
import os
import warnings
import zipfile

import keras
import numpy as np
import pytest

import kfitcompat

tfk = pytest.importorskip("tf_keras")


@pytest.fixture
def installed():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kfitcompat.LegacyArgumentWarning)
        kfitcompat.install()
        try:
            yield
        finally:
            kfitcompat.uninstall()


def _data(n=32):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")[:, None]
    return x, y


def test_optimizer_lr_and_decay_follow_keras2(installed):
    opt = keras.optimizers.SGD(lr=0.5, decay=0.1)
    schedule = opt._learning_rate  # the InverseTimeDecay kfitcompat built
    for k in (0, 1, 5, 20):
        assert float(schedule(k)) == pytest.approx(0.5 / (1 + 0.1 * k), rel=1e-6)
    plain = keras.optimizers.Adam(lr=1e-3)
    assert float(plain.learning_rate) == pytest.approx(1e-3)


@pytest.mark.parametrize("call, rate", [
    ("SGD(decay=1e-2, momentum=0.9)", 0.01), ("Adadelta(decay=1e-2)", 1.0),
    ("Adagrad(decay=1e-2)", 0.01), ("Adamax(decay=1e-2)", 0.002),
    ("Adam(0.005, decay=1e-2)", 0.005), ("RMSprop(decay=1e-2)", 0.001),
])
def test_decay_without_a_rate_decays_keras2s_default_rate(installed, call, rate):
    """``decay=`` is Keras 2 only, so the call is Keras 2: the rate it decays is Keras 2's
    default for the class (Adadelta 1.0) or the positional one; step 10 checks the schedule."""
    opt = eval("keras.optimizers." + call)
    assert float(opt._learning_rate(10)) == pytest.approx(rate / (1 + 1e-2 * 10), rel=1e-6)
    assert float(keras.optimizers.Adadelta().learning_rate) == pytest.approx(0.001)


def test_the_default_rate_tables_are_keras2s_and_keras3s():
    """Keras 3's column of the table migrate's ``optimizer-default-rate`` compares with Keras
    2.2.4's (``keras/optimizers.py``; tf.keras 2.x already had Keras 3's) is Keras's own."""
    from kfitcompat.keras2.optimizers import KERAS2_DEFAULT_LR, KERAS3_DEFAULT_LR

    assert set(KERAS3_DEFAULT_LR) == set(KERAS2_DEFAULT_LR)
    for name, rate in KERAS3_DEFAULT_LR.items():
        default = inspect.signature(getattr(keras.optimizers, name)).parameters["learning_rate"]
        assert default.default == pytest.approx(rate), name


def test_one_optimizer_compiled_into_two_models_trains_both(installed):
    """A GAN's idiom: one Adam for the discriminator and the combined model. Keras 2 kept
    slots per variable; a Keras 3 optimizer knows only its first model's variables."""
    x, y = _data()
    opt = keras.optimizers.Adam(lr=0.01)
    first, second = (keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
                     for _ in range(2))
    first.compile(opt, "mse")
    first.fit(x, y, verbose=0)
    with pytest.warns(kfitcompat.LegacyArgumentWarning, match="gets its own copy"):
        second.compile(optimizer=opt, loss="mse")
    before = second.get_weights()[0].copy()
    second.fit(x, y, verbose=0)
    assert not np.allclose(second.get_weights()[0], before)
    assert second.optimizer is not opt and first.optimizer is opt
    assert float(second.optimizer.learning_rate) == pytest.approx(0.01)
    first.compile(opt, "mse")  # the same model again keeps its optimizer
    assert first.optimizer is opt
    inputs = keras.Input((4,))
    trunk = keras.layers.Dense(3)
    whole = keras.Model(inputs, keras.layers.Dense(1)(trunk(inputs)))
    part = keras.Model(inputs, trunk(inputs))  # trains a subset of whole's variables
    shared = keras.optimizers.Adam()
    whole.compile(shared, "mse")
    part.compile(shared, "mse")  # valid Keras 3: one optimizer serves both
    assert part.optimizer is shared
    first.compile("sgd", "mse")  # once the first model has moved on, the next one may take it
    third = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    third.compile(opt, "mse")
    assert third.optimizer is opt


def test_a_model_saved_as_h5_with_a_keras2_loss_name_loads(installed, tmp_path):
    x, y = _data()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="sgd", metrics=["mae"])
    model.fit(x, y, verbose=0)
    model.save(str(tmp_path / "m.h5"))
    loaded = keras.models.load_model(str(tmp_path / "m.h5"))
    assert all(np.array_equal(a, b) for a, b in zip(loaded.get_weights(), model.get_weights()))
    assert keras.losses.deserialize("MAE") is keras.losses.mean_absolute_error
    import warnings

    with warnings.catch_warnings():  # valid Keras 3 spellings: nothing to say about them
        warnings.simplefilter("error", kfitcompat.LegacyArgumentWarning)
        assert keras.losses.get("mse") is keras.losses.mean_squared_error
        model.compile(loss="mse", optimizer="sgd")
    with pytest.warns(kfitcompat.LegacyArgumentWarning, match="'kl_divergence'"):
        assert keras.losses.get("kullback_leibler_divergence") is keras.losses.kl_divergence


def test_optimizer_lr_attribute_and_backend_values(installed):
    from keras import backend as K

    opt = keras.optimizers.RMSprop(lr=0.01)
    assert float(K.get_value(opt.lr)) == pytest.approx(0.01)
    K.set_value(opt.lr, 0.002)
    assert float(opt.learning_rate) == pytest.approx(0.002)
    opt.lr = 0.003
    assert float(K.get_value(opt.learning_rate)) == pytest.approx(0.003)


def test_lower_case_optimizer_names(installed):
    assert keras.optimizers.rmsprop is keras.optimizers.RMSprop
    opt = keras.optimizers.rmsprop(lr=1e-4, decay=1e-6)
    assert isinstance(opt, keras.optimizers.RMSprop)


def test_valid_keras3_optimizers_are_unchanged(installed):
    opt = keras.optimizers.SGD(learning_rate=0.1)
    assert float(opt.learning_rate) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="not recognized"):
        keras.optimizers.SGD(learning_rte=0.1)


@pytest.mark.parametrize("module, names", [
    ("keras.utils.np_utils", ["to_categorical", "normalize"]),
    ("keras.utils.data_utils", ["Sequence", "OrderedEnqueuer", "GeneratorEnqueuer", "get_file"]),
    ("keras.utils.generic_utils", ["Progbar", "CustomObjectScope"]),
    ("keras.layers.core", ["Dense", "Dropout", "Flatten", "Activation"]),
    ("keras.layers.convolutional", ["Conv2D", "Convolution2D", "MaxPooling2D"]),
    ("keras.layers.merge", ["concatenate", "add"]),
    ("keras.engine", ["Input", "Layer"]),
])
def test_keras2_module_paths_import(installed, module, names):
    mod = importlib.import_module(module)
    for name in names:
        assert getattr(mod, name) is not None
    if module == "keras.utils.np_utils":
        from keras.utils import np_utils

        np.testing.assert_array_equal(np_utils.to_categorical([1, 0], 2),
                                      tfk.utils.to_categorical([1, 0], 2))


def test_module_paths_are_gone_after_uninstall():
    with kfitcompat.install():
        importlib.import_module("keras.utils.np_utils")
    with pytest.raises(ImportError):
        importlib.import_module("keras.utils.np_utils")
    assert not hasattr(keras.backend, "image_dim_ordering")
    assert keras.layers.Convolution2D is keras.layers.Conv2D  # Keras 3's own alias again


def test_image_dim_ordering(installed):
    from keras import backend as K

    assert K.image_dim_ordering() == "tf"
    K.set_image_dim_ordering("th")
    try:
        assert keras.config.image_data_format() == "channels_first"
    finally:
        K.set_image_dim_ordering("tf")


def test_keras1_th_script_under_a_channels_first_config(installed, tmp_path):
    """The Keras 1 blog script's setting (keras.json "th"): `Convolution2D(n, 3, 3)` on
    `input_shape=(3, w, h)`, `flow_from_directory` with no `data_format` (the configured one),
    Keras 1 fit_generator counts, then `save_weights('first_try.h5')` and back."""
    from keras.layers import Activation, Convolution2D, Dense, Flatten, MaxPooling2D
    from keras.models import Sequential
    from keras.preprocessing.image import ImageDataGenerator
    from PIL import Image

    rng = np.random.default_rng(0)
    for label in ("cats", "dogs"):
        (tmp_path / label).mkdir()
        for i in range(6):
            Image.fromarray(rng.integers(0, 255, (20, 24, 3), dtype=np.uint8)).save(
                tmp_path / label / f"{i}.jpg")
    keras.config.set_image_data_format("channels_first")
    try:
        model = Sequential()
        model.add(Convolution2D(4, 3, 3, input_shape=(3, 16, 16)))
        model.add(Activation("relu"))
        model.add(MaxPooling2D(pool_size=(2, 2)))
        model.add(Convolution2D(4, 3, 3))
        model.add(MaxPooling2D(pool_size=(2, 2)))
        model.add(Flatten())
        model.add(Dense(1))
        model.compile(loss="mse", optimizer="rmsprop", metrics=["accuracy"])
        flow = ImageDataGenerator(rescale=1. / 255, horizontal_flip=True).flow_from_directory(
            str(tmp_path), target_size=(16, 16), batch_size=4, class_mode="binary")
        x, _ = next(flow)
        assert x.shape == (4, 3, 16, 16)
        assert [w.shape for w in model.get_weights()[::2]][:2] == [(3, 3, 3, 4), (3, 3, 4, 4)]
        history = model.fit_generator(flow, samples_per_epoch=12, nb_epoch=2,
                                      validation_data=flow, nb_val_samples=2, verbose=0)
        assert len(history.history["val_acc"]) == 2
        model.save_weights(str(tmp_path / "first_try.h5"))
        weights = model.get_weights()
        model.set_weights([np.zeros_like(w) for w in weights])
        model.load_weights(str(tmp_path / "first_try.h5"))
        assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), weights))
    finally:
        keras.config.set_image_data_format("channels_last")


def test_backend_functions_match_tf_keras(installed):
    from keras import backend as K

    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 4, 5)).astype("float32")
    y = rng.normal(size=(3, 5, 2)).astype("float32")
    np.testing.assert_allclose(K.batch_dot(x, y, axes=(2, 1)),
                               tfk.backend.batch_dot(x, y, axes=(2, 1)), rtol=1e-5)
    np.testing.assert_allclose(K.sum(K.square(x), axis=-1, keepdims=True),
                               tfk.backend.sum(tfk.backend.square(x), axis=-1, keepdims=True),
                               rtol=1e-5)
    np.testing.assert_allclose(K.clip(x, -0.5, 0.5), tfk.backend.clip(x, -0.5, 0.5))
    assert K.int_shape(keras.Input((4, 5))) == (None, 4, 5)
    assert K.epsilon() == tfk.backend.epsilon()


def test_backend_updates_stack_and_slice_of_variables_as_tf_keras(installed):
    """``K.update`` / ``update_add`` / ``update_sub`` on a ``K.variable`` (a custom layer's
    state) and ``K.stack`` of variables: the values tf_keras gives; ``K.slice`` (gone from
    tf_keras): Keras 2.2.4's ``tf.slice``."""
    from keras import backend as K

    ours, theirs = K.variable(np.ones((3, 2))), tfk.backend.variable(np.ones((3, 2)))
    for name, value in (("update", np.full((3, 2), 5.)), ("update_add", np.ones((3, 2))),
                        ("update_sub", np.full((3, 2), 2.))):
        getattr(K, name)(ours, value)
        getattr(tfk.backend, name)(theirs, value)
        np.testing.assert_allclose(K.get_value(ours), tfk.backend.get_value(theirs))
    np.testing.assert_allclose(K.eval(K.stack([ours, ours], axis=1)),
                               tfk.backend.eval(tfk.backend.stack([theirs, theirs], axis=1)))
    import tensorflow as tf

    x = np.arange(24, dtype="float32").reshape(2, 3, 4)  # Keras 2.2.4's K.slice is tf.slice
    np.testing.assert_allclose(K.slice(x, (0, 1, 1), (-1, 2, 2)),
                               tf.slice(x, (0, 1, 1), (-1, 2, 2)))


@pytest.mark.parametrize("call", [
    "concatenate([a, b])", "expand_dims(a)", "cumsum(a)", "cumprod(a)", "repeat(a, 3)",
    "gather(a, [2, 0])", "reverse(a, 1)", "switch(a > 0, a, 0 * a)", "stack([a, a])",
    "one_hot(tf.constant([1, 0, 3]), 4)", "l2_normalize(a, axis=1)", "sum(a, axis=1)",
    "mean(a, axis=-1, keepdims=True)", "softmax(a)", "square(a)", "maximum(a, 0.)",
])
def test_backend_functions_with_keras2_defaults_match_tf_keras(installed, call):
    """Where Keras 2 and ``keras.ops`` differ by default (``concatenate``'s axis, ``cumsum``'s)
    or by meaning (``repeat``, ``switch``), or ``keras.ops`` lacks the name (``gather``)."""
    import tensorflow as tf
    from keras import backend as K

    rng = np.random.default_rng(6)
    a = tf.constant(rng.normal(size=(3, 4)).astype("float32"))
    b = tf.constant(rng.normal(size=(3, 2)).astype("float32"))
    scope = {"a": a, "b": b, "tf": tf}
    np.testing.assert_allclose(np.asarray(eval("K." + call, {**scope, "K": K})),
                               np.asarray(eval("T." + call, {**scope, "T": tfk.backend})),
                               rtol=1e-5, atol=1e-6)


def test_batch_dot_of_unequal_ranks_follows_keras_2_2_4(installed):
    """The capsule layers of Keras 2.0-2.2 (the 2.2.4 example, CapsNet-Keras): every leading
    axis is a batch axis, as 2.2.4's TensorFlow backend computed with a batched matmul."""
    from keras import backend as K

    rng = np.random.default_rng(4)
    c = rng.normal(size=(2, 10, 30)).astype("float32")
    u_hat = rng.normal(size=(2, 10, 30, 16)).astype("float32")
    o = rng.normal(size=(2, 10, 16)).astype("float32")
    np.testing.assert_allclose(K.batch_dot(c, u_hat, [2, 2]),
                               np.einsum("bnk,bnkd->bnd", c, u_hat), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(K.batch_dot(o, u_hat, [2, 3]),
                               np.einsum("bnd,bnkd->bnk", o, u_hat), rtol=1e-4, atol=1e-4)
    assert K.batch_dot(keras.Input((10, 30)), keras.Input((10, 30, 16)), [2, 2]).shape == (
        None, 10, 16)


@pytest.mark.parametrize("kwargs", [dict(), dict(padding="same", strides=2),
                                    dict(padding="causal", dilation_rate=2)])
def test_backend_conv1d_and_permute_match_tf_keras(installed, kwargs):
    """What a legacy custom layer (the Keras 2 capsule example) calls."""
    import tensorflow as tf
    from keras import backend as K

    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 9, 3)).astype("float32")
    kernel = rng.normal(size=(3, 3, 4)).astype("float32")
    np.testing.assert_allclose(
        K.conv1d(x, kernel, **kwargs),
        tfk.backend.conv1d(tf.constant(x), tf.constant(kernel), **kwargs), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(K.permute_dimensions(x, (0, 2, 1)),
                                  tfk.backend.permute_dimensions(x, (0, 2, 1)))
    sample = K.random_normal((1000,), mean=2.0, stddev=0.5, seed=3)
    assert abs(float(keras.ops.mean(sample)) - 2.0) < 0.1


def test_keras2_loss_aliases_and_stateful_batch_shape(installed):
    """``from keras.losses import mse`` (the VAE example) and a stateful LSTM given Keras 2's
    ``batch_size=`` with ``input_shape`` (the stateful LSTM example)."""
    from keras.losses import MSE, binary_crossentropy, mse  # noqa: F401
    from keras.metrics import mae

    assert mse is keras.losses.mean_squared_error and mae is keras.losses.mean_absolute_error
    model = keras.Sequential()
    model.add(keras.layers.LSTM(4, input_shape=(5, 1), batch_size=2, stateful=True))
    model.add(keras.layers.Dense(1))
    model.compile(loss="mse", optimizer="adam")
    assert model.inputs[0].shape == (2, 5, 1)
    x = np.random.default_rng(0).normal(size=(4, 5, 1)).astype("float32")
    model.fit(x, np.zeros((4, 1)), batch_size=2, shuffle=False, verbose=0)
    first = model.predict(x[:2], batch_size=2, verbose=0)
    again = model.predict(x[:2], batch_size=2, verbose=0)
    assert not np.allclose(first, again)  # the state carried over between calls
    model.reset_states()  # Keras 2's Model.reset_states: back to the zero state
    from_zero = model.predict(x[:2], batch_size=2, verbose=0)
    model.reset_states()
    np.testing.assert_allclose(model.predict(x[:2], batch_size=2, verbose=0), from_zero,
                               rtol=1e-6)
    assert not np.allclose(from_zero, again)
    other = keras.Sequential([keras.layers.Dense(3, batch_input_shape=(8, 4))])
    assert other.inputs[0].shape == (8, 4)
    with pytest.raises(ValueError, match="needs `input_shape`"):
        keras.layers.Dense(3, batch_size=8)


def _cnn(conv, dense, dropout, **pool):
    inputs = keras.Input((8, 8, 3))
    h = conv(inputs)
    h = keras.layers.MaxPooling2D(**pool)(h)
    h = keras.layers.Flatten()(h)
    h = dropout(h)
    return keras.Model(inputs, dense(h))


def test_keras1_cnn_trains_like_its_keras2_spelling(installed):
    keras1 = _cnn(keras.layers.Convolution2D(4, 3, 3, border_mode="same", init="he_normal"),
                  keras.layers.Dense(output_dim=2), keras.layers.Dropout(p=0.0),
                  pool_size=(2, 2), border_mode="valid")
    keras2 = _cnn(keras.layers.Conv2D(4, (3, 3), padding="same",
                                      kernel_initializer="he_normal"),
                  keras.layers.Dense(2), keras.layers.Dropout(0.0), pool_size=(2, 2))
    assert [w.shape for w in keras1.get_weights()] == [w.shape for w in keras2.get_weights()]
    assert keras1.layers[1].kernel.shape == (3, 3, 3, 4)
    initial = keras2.get_weights()
    keras1.set_weights(initial)
    x = np.random.default_rng(2).normal(size=(16, 8, 8, 3)).astype("float32")
    y = np.eye(2, dtype="float32")[np.arange(16) % 2]
    # the Keras 2 spelling on tf_keras (Keras 2's own training loop) is the oracle
    inputs = tfk.Input((8, 8, 3))
    h = tfk.layers.Conv2D(4, (3, 3), padding="same")(inputs)
    h = tfk.layers.Flatten()(tfk.layers.MaxPooling2D(pool_size=(2, 2))(h))
    oracle = tfk.Model(inputs, tfk.layers.Dense(2)(tfk.layers.Dropout(0.0)(h)))
    oracle.set_weights(keras2.get_weights())
    oracle.compile(tfk.optimizers.SGD(learning_rate=0.1), "mse")
    for model in (keras1, keras2, oracle):
        if model is not oracle:
            model.compile(keras.optimizers.SGD(learning_rate=0.1), "mse")
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    trained = keras2.get_weights()
    assert not np.allclose(trained[0], initial[0])  # training moved the kernel
    for model in (keras1, oracle):
        for a, b in zip(model.get_weights(), trained):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("keras1, keras3", [
    ("PReLU(init='zeros')", "PReLU(alpha_initializer='zeros')"),
    ("GaussianNoise(sigma=0.5)", "GaussianNoise(stddev=0.5)"),
    ("GaussianDropout(p=0.3)", "GaussianDropout(rate=0.3)"),
    ("SpatialDropout1D(p=0.2)", "SpatialDropout1D(rate=0.2)"),
    ("SpatialDropout2D(p=0.2, dim_ordering='th')",
     "SpatialDropout2D(rate=0.2, data_format='channels_first')"),
    ("UpSampling1D(length=3)", "UpSampling1D(size=3)"),
    ("UpSampling3D(dim_ordering='th')", "UpSampling3D(data_format='channels_first')"),
    ("GlobalMaxPooling3D(dim_ordering='tf')", "GlobalMaxPooling3D(data_format='channels_last')"),
    ("ZeroPadding3D(dim_ordering='th')", "ZeroPadding3D(data_format='channels_first')"),
    ("Cropping3D(dim_ordering='tf')", "Cropping3D(data_format='channels_last')"),
    ("ZeroPadding2D(padding={'top_pad': 1, 'left_pad': 3, 'right_pad': 4})",
     "ZeroPadding2D(padding=((1, 0), (3, 4)))"),
    ("ZeroPadding2D({'bottom_pad': 2})", "ZeroPadding2D(((0, 2), (0, 0)))"),
    ("Conv1D(5, 3, input_dim=4, input_length=7)", "Conv1D(5, 3, input_shape=(7, 4))"),
    ("LSTM(output_dim=3, input_dim=5, consume_less='mem', forget_bias_init='one')",
     "LSTM(3, input_shape=(None, 5), implementation=1, unit_forget_bias=True)"),
    ("GRU(3, inner_activation='sigmoid', dropout_U=0.1)",
     "GRU(3, recurrent_activation='sigmoid', recurrent_dropout=0.1)"),
    ("Convolution3D(5, 3, 3, 4, dim_ordering='th')",
     "Conv3D(5, (3, 3, 4), data_format='channels_first')"),
    ("Conv3D(5, 3, kernel_dim2=3, kernel_dim3=4)", "Conv3D(5, (3, 3, 4))"),
    ("SeparableConv2D(5, 3, nb_col=3, init='he_normal')",
     "SeparableConv2D(5, (3, 3), depthwise_initializer='he_normal', "
     "pointwise_initializer='he_normal')"),
    ("ConvLSTM2D(5, nb_row=3, nb_col=3, inner_init='orthogonal')",
     "ConvLSTM2D(5, (3, 3), recurrent_initializer='orthogonal')"),
    ("AtrousConvolution1D(5, 3, atrous_rate=2)", "Conv1D(5, 3, dilation_rate=2)"),
    ("Embedding(10, 4, dropout=0.2)", "Embedding(10, 4)"),
    ("Dense(3, W_constraint='maxnorm', b_constraint='nonneg')",
     "Dense(3, kernel_constraint='max_norm', bias_constraint='non_neg')"),
])
def test_keras1_layer_spelling_builds_its_keras2_layer(installed, keras1, keras3):
    """Keras 2.3.1's legacy-interface conversions, one per layer, compared by config (the
    layer names fixed so the configs can be equal)."""
    def build(code):  # the spelling as a script writes it, with a fixed layer name
        return eval(code[:-1] + ", name='same')", {}, dict(vars(keras.layers)))

    old, new = build(keras1), build(keras3)
    assert type(old) is type(new)
    assert old.get_config() == new.get_config()


def test_keras1_layer_rules_keep_valid_keras3_calls(installed):
    # a strides/padding keyword beside the positionals: Keras 2 refused that call, so it is
    # Keras 3 code and keeps Keras 3's reading (the third positional is strides)
    assert keras.layers.SeparableConv2D(5, 3, 3, padding="same").get_config()["strides"] == (
        3, 3)
    assert keras.layers.ConvLSTM2D(5, 3, 3, padding="same").get_config()["strides"] == (3, 3)
    assert keras.layers.ZeroPadding2D(((1, 0), (3, 4))).get_config()["padding"] == (
        (1, 0), (3, 4))
    assert keras.constraints.get("max_norm").__class__ is keras.constraints.MaxNorm
    with pytest.raises(TypeError, match="both the Keras 1 argument `p` and .* `rate`"):
        keras.layers.Dropout(p=0.2, rate=0.3)


def test_keras1_keyword_on_a_keras3_name_and_plain_keras3_meaning(installed):
    layer = keras.layers.Conv2D(24, 5, 5, subsample=(2, 2))
    assert layer.kernel_size == (5, 5) and layer.strides == (2, 2)
    with pytest.warns(kfitcompat.LegacyArgumentWarning, match=r"kernel_size=\(3, 3\)"):
        plain = keras.layers.Conv2D(32, 3, 3)  # a script's call: Keras 2's reading
    assert plain.kernel_size == (3, 3) and plain.strides == (1, 1)
    assert isinstance(keras.layers.Convolution2D(8, 3, 3), keras.layers.Conv2D)
    assert isinstance(layer, keras.layers.Convolution2D)


def test_model_with_input_and_output_keywords(installed):
    inputs = keras.Input((4,))
    outputs = keras.layers.Dense(1)(inputs)
    model = keras.Model(input=inputs, output=outputs)
    assert model.inputs[0] is inputs and model.outputs[0] is outputs
    a, b = keras.Input((2,)), keras.Input((3,))
    merged = keras.layers.merge([a, b], mode="concat", concat_axis=-1)
    assert tuple(merged.shape) == (None, 5)


def _classifier(metric="accuracy"):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.SGD(learning_rate=0.1), "binary_crossentropy",
                  metrics=[metric])
    return model


@pytest.mark.parametrize("metric", ["accuracy", "acc"])
def test_callbacks_monitor_val_acc_as_keras2(installed, tmp_path, metric):
    x, y = _data()
    template = str(tmp_path / "w.{epoch:02d}-{val_acc:.2f}.hdf5")
    checkpoint = keras.callbacks.ModelCheckpoint(template, monitor="val_acc",
                                                 save_best_only=True)
    stop = keras.callbacks.EarlyStopping(monitor="val_acc", patience=5)
    plateau = keras.callbacks.ReduceLROnPlateau(monitor="val_acc", patience=5)
    _classifier(metric).fit(x, y, validation_data=(x, y), epochs=3, verbose=0,
                            callbacks=[checkpoint, stop, plateau])
    for callback in (checkpoint, stop, plateau):  # Keras 2: an accuracy is maximised
        assert callback.monitor_op is keras.ops.greater, callback
    assert checkpoint.best is not None  # val_acc was found in the logs
    files = sorted(os.listdir(tmp_path))
    assert files and all(f.endswith(".hdf5") for f in files), files
    assert isinstance(keras.models.load_model(tmp_path / files[-1]), keras.Model)


def test_callback_model_attribute_and_reduce_lr_epsilon(installed):
    """Keras 2 tests and scripts assign ``callback.model`` and pass ``epsilon`` to
    ReduceLROnPlateau (Keras 2.1.6 renamed it ``min_delta``)."""
    x, y = _data()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=10.0)
    stop.model = model
    assert stop.model is model
    stop.on_train_begin()
    stop.on_epoch_end(0, {"loss": 1.0})
    stop.on_epoch_end(1, {"loss": 0.5})  # not better by min_delta: stops, on this model
    assert model.stop_training
    with pytest.warns(kfitcompat.LegacyArgumentWarning, match="`epsilon` argument is deprec"):
        reduce = keras.callbacks.ReduceLROnPlateau(epsilon=1e-13)
    assert reduce.min_delta == 1e-13 and not hasattr(reduce, "epsilon")
    with pytest.raises(TypeError, match="both `epsilon`"):
        keras.callbacks.ReduceLROnPlateau(epsilon=1e-3, min_delta=1e-3)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[reduce])


def test_functional_add_loss_of_a_symbolic_tensor_is_the_training_loss(installed):
    """The Keras 2 VAE: ``vae.add_loss(K.mean(...))`` of tensors of the model, then
    ``compile(optimizer)`` with no loss; evaluate reports that loss, fit lowers it."""
    from keras import backend as K

    x = np.random.default_rng(5).normal(size=(64, 6)).astype("float32")
    inputs = keras.Input((6,))
    outputs = keras.layers.Dense(6)(inputs)
    model = keras.Model(inputs, outputs)
    with pytest.warns(kfitcompat.LegacyArgumentWarning, match="add_loss"):
        model.add_loss(K.mean(K.sum(K.square(outputs - inputs), axis=-1)))
    model.compile(optimizer=keras.optimizers.SGD(0.01))
    expected = float(np.mean(np.sum((model.predict(x, verbose=0) - x) ** 2, axis=-1)))
    assert model.evaluate(x, batch_size=64, verbose=0) == pytest.approx(expected, rel=1e-4)
    history = model.fit(x, epochs=5, batch_size=16, validation_data=(x, None), verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert "val_loss" in history.history
    with pytest.raises(NotImplementedError):  # a non-symbolic value: Keras 3's own answer
        model.add_loss(1.0)


def test_callbacks_see_keras2_validation_data(installed):
    """Keras 2 gave every callback ``validation_data = [x_val, y_val, sample_weights]``
    (a custom callback's ROC AUC read ``self.validation_data[0]``); a callback's own
    attribute of that name is left alone."""
    x, y = _data(32)
    xv, yv = x[:8].copy(), y[:8].copy()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    seen = []

    class Auc(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(self.validation_data[0] is xv)

    class Own(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.validation_data = "mine"

    plain, legacy, own = Auc(), Auc(), Own()
    model.fit(x, y, epochs=1, verbose=0, validation_data=(xv, yv), callbacks=[plain, own])
    model.fit_generator(((x[i:i + 8], y[i:i + 8]) for i in range(0, 32, 8)), 4,
                        validation_data=(xv, yv), callbacks=[legacy], verbose=0)
    assert seen == [True, True]
    assert len(plain.validation_data) == len(legacy.validation_data) == 3
    assert plain.validation_data[1] is yv and legacy.validation_data[1] is yv
    assert plain.validation_data[2].shape == (8,) and float(plain.validation_data[2].sum()) == 8
    assert own.validation_data == "mine"


def test_checkpoint_period_saves_every_n_epochs(installed, tmp_path):
    x, y = _data()
    checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / "m.{epoch:02d}.h5"), period=2)
    _classifier().fit(x, y, epochs=5, verbose=0, callbacks=[checkpoint])
    assert sorted(os.listdir(tmp_path)) == ["m.02.h5", "m.04.h5"]


def test_save_weights_h5_round_trip_and_tf_keras_interchange(installed, tmp_path):
    x, _ = _data()
    model = _classifier()
    model.predict(x[:1], verbose=0)
    path = str(tmp_path / "first_try.h5")
    model.save_weights(path)
    again = _classifier()
    again.load_weights(path)
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    legacy = tfk.Sequential([tfk.Input((4,)), tfk.layers.Dense(1, activation="sigmoid")])
    legacy.load_weights(path)  # tf_keras reads kfitcompat's file
    np.testing.assert_allclose(legacy.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)
    legacy.set_weights([w * 2 for w in legacy.get_weights()])
    legacy.save_weights(str(tmp_path / "legacy.h5"))
    again.load_weights(str(tmp_path / "legacy.h5"))  # and kfitcompat reads tf_keras'
    np.testing.assert_allclose(again.get_weights()[0], legacy.get_weights()[0])


def test_get_file_extract_also_leaves_the_keras2_folder(installed, tmp_path):
    archive = tmp_path / "src" / "cats_and_dogs_filtered.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("cats_and_dogs_filtered/train/cats/a.txt", "x")
    path = keras.utils.get_file("cats_and_dogs_filtered.zip", origin=archive.as_uri(),
                                extract=True, cache_dir=str(tmp_path / "cache"))
    assert path.endswith("_extracted")  # Keras 3's own result
    keras2_dir = os.path.join(os.path.dirname(path), "cats_and_dogs_filtered")
    assert os.path.isfile(os.path.join(keras2_dir, "train", "cats", "a.txt"))


def test_compile_takes_keras2_calls(installed):
    inputs = keras.Input((4,))
    model = keras.Model(inputs, [keras.layers.Dense(2)(inputs), keras.layers.Dense(3)(inputs)])
    model.compile("rmsprop", "mse", loss_weights=[1.0, 0.5], sample_weight_mode=None)
    x = np.zeros((8, 4), "float32")
    logs = model.fit(x, [np.ones((8, 2)), np.ones((8, 3))], epochs=1, verbose=0).history
    assert len(logs["loss"]) == 1
    single = _classifier()
    single.compile("sgd", "binary_crossentropy", ["accuracy"])  # Keras 2: metrics third
    xs, ys = _data()
    assert "accuracy" in single.fit(xs, ys, epochs=1, verbose=0).history
    with pytest.raises(ValueError, match="sample_weight_mode"):
        single.compile("sgd", "mse", sample_weight_mode="element")


def test_tf_keras_profile_keeps_the_given_class_order(tmp_path):
    pd = pytest.importorskip("pandas")
    from PIL import Image

    for name in ("a.png", "b.png"):
        Image.new("RGB", (4, 4)).save(tmp_path / name)
    df = pd.DataFrame({"filename": ["a.png", "b.png"], "class": ["A", "B"]})
    for profile, expected in (("tf_keras", {"B": 0, "A": 1}),
                              ("keras_preprocessing", {"A": 0, "B": 1})):
        gen = kfitcompat.image.ImageDataGenerator(profile=profile)
        it = gen.flow_from_dataframe(df, str(tmp_path), classes=["B", "A", "B"],
                                     target_size=(4, 4))
        assert it.class_indices == expected, profile


def test_ordered_enqueuer_ends_the_pass_when_its_last_batch_is_taken():
    class Shrinking(kfitcompat.Sequence):
        def __init__(self):
            self.n = 6

        def __len__(self):
            return self.n

        def __getitem__(self, i):
            return np.full((1, 1), i)

        def on_epoch_end(self):
            self.n = 3

    seq = Shrinking()
    enqueuer = kfitcompat.utils.OrderedEnqueuer(seq)
    enqueuer.start(workers=2, max_queue_size=4)
    try:
        stream = enqueuer.get()
        assert [int(next(stream)[0, 0]) for _ in range(6)] == list(range(6))
        enqueuer.join_end_of_epoch()  # returns at once: the pass already ended
        assert len(seq) == 3
        assert [int(next(stream)[0, 0]) for _ in range(3)] == [0, 1, 2]
    finally:
        enqueuer.stop()


def test_predict_classes_and_predict_proba_as_keras2_sequential(installed):
    """Keras 2.2.4 Sequential: classes are the arg-max of a softmax output and ``> 0.5`` of a
    one-unit output (int32); predict_proba is predict, warning on non-probabilities."""
    x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
    soft = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="softmax")])
    np.testing.assert_array_equal(soft.predict_classes(x),
                                  soft.predict(x, verbose=0).argmax(axis=-1))
    one = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid",
                                                                  bias_initializer="ones")])
    classes = one.predict_classes(x)
    assert classes.dtype == np.int32 and classes.shape == (16, 1)
    np.testing.assert_array_equal(classes, (one.predict(x, verbose=0) > 0.5).astype("int32"))
    np.testing.assert_allclose(soft.predict_proba(x), soft.predict(x, verbose=0))
    linear = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.warns(UserWarning, match="invalid probability values"):
        linear.predict_proba(x * 100)


@pytest.mark.parametrize("call", ["LeakyReLU(alpha=-1.0)", "LeakyReLU(-0.5)",
                                  "LeakyReLU(alpha=0.2)", "LeakyReLU()"])
def test_leaky_relu_of_any_slope_computes_as_tf_keras(installed, call):
    """Keras 2 took any slope (``LeakyReLU(alpha=-1.0)`` is ``abs``); Keras 3 refuses a
    negative one. The layer, and a layer rebuilt from its config, compute as tf_keras's."""
    x = np.linspace(-3, 3, 13, dtype="float32")[None]
    ours = eval(call, {"LeakyReLU": keras.layers.LeakyReLU})
    theirs = eval(call, {"LeakyReLU": tfk.layers.LeakyReLU})
    np.testing.assert_allclose(ours(x), theirs(x), rtol=1e-6)
    again = keras.layers.LeakyReLU.from_config(ours.get_config())
    np.testing.assert_allclose(again(x), theirs(x), rtol=1e-6)


def test_a_negative_leaky_relu_slope_is_keras3s_error_without_install():
    with pytest.raises(ValueError, match="negative_slope"):
        keras.layers.LeakyReLU(alpha=-1.0)


@pytest.mark.parametrize("layer, shape", [("SpatialDropout1D", (5, 4)),
                                          ("SpatialDropout2D", (6, 6, 3)),
                                          ("SpatialDropout3D", (4, 4, 4, 2))])
def test_spatial_dropout_takes_keras2s_base_layer_keywords(installed, layer, shape):
    """Keras 2's every layer took input_shape=, batch_input_shape=, trainable=, ...; Keras 3's
    SpatialDropout layers take only rate, seed, name and dtype."""
    first = getattr(keras.layers, layer)(0.5, input_shape=shape, trainable=False, name="sd")
    model = keras.Sequential([first, keras.layers.Flatten(), keras.layers.Dense(1)])
    assert model.inputs[0].shape == (None, *shape)
    assert not first.trainable and first.name == "sd"
    # a Keras 2 config (as layer_test and saved files carry it) deserializes
    config = {**first.get_config(), "batch_input_shape": (2, *shape)}
    stateful = getattr(keras.layers, layer).from_config(config)
    seq = keras.Sequential()
    seq.add(stateful)
    assert seq.inputs[0].shape == (2, *shape)
    x = np.ones((2, *shape), "float32")
    np.testing.assert_array_equal(model.layers[0](x), x)  # inference: identity
    with pytest.raises(TypeError, match="unexpected keyword argument 'dtype_policy'"):
        getattr(keras.layers, layer)(0.5, dtype_policy="float32")  # Keras 3's own error


def test_cudnn_layers_build_the_keras3_layer_with_cudnns_settings(installed):
    """Keras 2's CuDNNLSTM / CuDNNGRU ran on a GPU only; after install() they build Keras 3's
    LSTM / GRU with cuDNN's settings (which use cuDNN by themselves on a GPU) on any device."""
    lstm = keras.layers.CuDNNLSTM(6, return_sequences=True)
    gru = keras.layers.CuDNNGRU(5, kernel_initializer="ones")
    assert type(lstm) is keras.layers.LSTM and type(gru) is keras.layers.GRU
    assert isinstance(lstm, keras.layers.CuDNNLSTM)
    assert lstm.get_config()["activation"] == "tanh"
    assert lstm.get_config()["recurrent_activation"] == "sigmoid"
    assert gru.get_config()["reset_after"] is True
    model = keras.Sequential([keras.Input((7, 3)), keras.layers.Bidirectional(lstm), gru,
                              keras.layers.Dense(1)])
    model.compile("adam", "mse")
    x = np.random.default_rng(0).normal(size=(8, 7, 3)).astype("float32")
    model.fit(x, x[:, 0, :1], epochs=1, verbose=0)
    # the same computation as tf_keras's LSTM given the same weights (cuDNN's is the plain LSTM)
    theirs = tfk.layers.LSTM(6, return_sequences=True)
    theirs.build((None, 7, 3))
    theirs.set_weights(model.layers[0].forward_layer.get_weights())
    ours = model.layers[0].forward_layer
    np.testing.assert_allclose(ours(x), theirs(x), rtol=1e-5, atol=1e-6)


def test_tensorboard_takes_keras2s_documented_signature(installed, tmp_path):
    """Keras 2's docs spelled TensorBoard(log_dir, histogram_freq=0, batch_size=32,
    write_graph=True, write_grads=False, write_images=False, embeddings_freq=0,
    embeddings_layer_names=None, embeddings_metadata=None, embeddings_data=None); Keras 3's
    refuses four of them. Accepted; a value asking for a TensorFlow 1 summary is named."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        board = keras.callbacks.TensorBoard(
            log_dir=str(tmp_path), histogram_freq=1, batch_size=32, write_graph=True,
            write_grads=False, write_images=False, embeddings_freq=0,
            embeddings_layer_names=None, embeddings_metadata=None, embeddings_data=None)
    assert not [w for w in caught if "TensorBoard" in str(w.message)]
    assert (board.log_dir, board.histogram_freq, board.write_graph) == (str(tmp_path), 1, True)
    with pytest.warns(UserWarning, match=r"write_grads=True.*dropped"):
        keras.callbacks.TensorBoard(log_dir=str(tmp_path), write_grads=True)
    with pytest.raises(TypeError, match="write_histograms"):
        keras.callbacks.TensorBoard(log_dir=str(tmp_path), write_histograms=True)


def test_keras2_tensorboard_callback_writes_its_logs(installed, tmp_path):
    """TensorFlow 2.21 no longer requires TensorBoard; the extras that install TensorFlow add
    it, so a Keras 2 script's TensorBoard callback runs (TBNotInstalledError without it)."""
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    board = keras.callbacks.TensorBoard(log_dir=str(tmp_path), histogram_freq=1, batch_size=32,
                                        write_graph=True, write_grads=False)
    x = np.ones((8, 3), "float32")
    model.fit(x, np.ones((8, 1)), nb_epoch=1, verbose=0, validation_data=(x, np.ones((8, 1))),
              callbacks=[board])
    events = sorted(p.parent.name for p in tmp_path.rglob("events.out.tfevents.*"))
    assert events == ["train", "validation"]


def test_nadam_schedule_decay_and_keras1_nb_classes(installed):
    nadam = keras.optimizers.Nadam(lr=0.002, schedule_decay=0.004)  # Keras 2's defaults
    assert nadam.learning_rate.numpy() == pytest.approx(0.002)
    with pytest.raises(ValueError, match=r"schedule_decay=0\.01.*0\.004"):
        keras.optimizers.Nadam(schedule_decay=0.01)
    from keras.utils import np_utils

    with pytest.warns(kfitcompat.LegacyArgumentWarning, match="nb_classes"):
        onehot = np_utils.to_categorical([0, 2], nb_classes=4)
    np.testing.assert_array_equal(onehot, tfk.utils.to_categorical([0, 2], num_classes=4))
    with pytest.raises(TypeError, match="nb_class"):
        np_utils.to_categorical([0, 2], nb_class=4)


class _Keras2Attention(keras.layers.Layer):
    """The attention layer of many Keras 2 notebooks: it lists its trainable weights."""

    def build(self, input_shape):
        self.W = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="W")
        self.unused = self.add_weight(shape=(1,), initializer="zeros", name="unused")
        self.trainable_weights = [self.W]  # Keras 2: exactly these train
        super().build(input_shape)

    def call(self, x):
        e = keras.ops.exp(keras.ops.tanh(keras.ops.matmul(x, keras.ops.expand_dims(self.W, -1))))
        a = e / (keras.ops.sum(e, axis=1, keepdims=True) + 1e-7)
        return keras.ops.sum(x * a, axis=1) + self.unused

    def compute_output_shape(self, input_shape):
        return input_shape[0], input_shape[-1]


def test_a_custom_layer_may_list_its_trainable_weights(installed):
    """Keras 2's Layer let ``build`` assign ``self.trainable_weights``; Keras 3's property is
    read-only. After install() the listed weights are the ones that train (as in Keras 2)."""
    layer = _Keras2Attention()
    model = keras.Sequential([keras.Input((6, 4)), layer, keras.layers.Dense(1)])
    assert [v.name for v in layer.trainable_weights] == ["W"]
    assert [v.name for v in layer.non_trainable_weights] == ["unused"]
    model.compile("adam", "mse")
    x = np.random.default_rng(0).normal(size=(16, 6, 4)).astype("float32")
    before = [np.array(v) for v in (layer.W, layer.unused)]
    model.fit(x, x[:, 0, :1], epochs=2, verbose=0)
    assert not np.allclose(before[0], layer.W) and np.allclose(before[1], layer.unused)


def test_trainable_weights_stay_read_only_without_install():
    with pytest.raises(AttributeError):
        keras.Sequential([keras.Input((6, 4)), _Keras2Attention()])


def test_keras0_keywords_keras1_ignored_are_ignored(installed):
    """``compile(class_mode=)`` and ``fit/evaluate(show_accuracy=)``: Keras 1 accepted and
    ignored them with a warning; so does install(). They change nothing."""
    x, y = _data()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    with pytest.warns(kfitcompat.LegacyArgumentWarning, match="class_mode"):
        model.compile("sgd", "binary_crossentropy", class_mode="binary")
    with pytest.warns(kfitcompat.LegacyArgumentWarning, match="show_accuracy"):
        history = model.fit(x, y, nb_epoch=2, show_accuracy=True, verbose=0)
    assert list(history.history) == ["loss"] and len(history.history["loss"]) == 2
    with pytest.warns(kfitcompat.LegacyArgumentWarning, match="show_accuracy"):
        loss = model.evaluate(x, y, show_accuracy=True, verbose=0)
    assert loss == pytest.approx(model.evaluate(x, y, verbose=0))


def test_a_functional_models_input_layer_input_is_the_models_input(installed):
    """``K.function([model.layers[0].input], [model.layers[1].output])``, the Keras 2 way to
    read a layer's activations: Keras 3's InputLayer answers ``[]`` for its input."""
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(3, name="hidden")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(hidden))
    assert model.layers[0].input is inputs
    x, _ = _data(5)
    fn = keras.backend.function([model.layers[0].input], [model.get_layer("hidden").output])
    theirs = keras.Model(inputs, hidden).predict(x, verbose=0)
    np.testing.assert_allclose(fn([x])[0], theirs, rtol=1e-6)


def test_base_logger_is_accepted_and_leaves_keras3s_epoch_averages(installed):
    """``callbacks=[BaseLogger()]``: Keras 2 added one to every fit, so a second changed
    nothing; the history is the one Keras 3 logs without it."""
    from keras.callbacks import BaseLogger
    from keras.utils.np_utils import probas_to_classes  # noqa: F401  (Keras 1 module path)

    x, y = _data()
    histories = []
    for callbacks in ([], [BaseLogger(stateful_metrics=["acc"])]):
        keras.utils.set_random_seed(3)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile("sgd", "mse", metrics=["mae"])
        histories.append(model.fit(x, y, epochs=2, batch_size=4, verbose=0,
                                   callbacks=callbacks).history)
    assert histories[0] == histories[1] and len(histories[0]["mae"]) == 2
    assert BaseLogger(stateful_metrics=["acc"]).stateful_metrics == {"acc"}


def test_keras1_probas_to_classes(installed):
    """Keras 1 ``np_utils.probas_to_classes``: the largest column of each row, or 1 above 0.5
    for one column or a vector."""
    from keras.utils import np_utils

    probas = np.array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]])
    np.testing.assert_array_equal(np_utils.probas_to_classes(probas), [1, 0])
    np.testing.assert_array_equal(np_utils.categorical_probas_to_classes(probas), [1, 0])
    np.testing.assert_array_equal(np_utils.probas_to_classes(np.array([[0.7], [0.2]])), [1, 0])
    np.testing.assert_array_equal(np_utils.probas_to_classes(np.array([0.5, 0.51])), [0, 1])


def test_metrics_of_integer_predictions_compute_in_float_as_keras2(installed):
    """Keras 2.3's ``LogCoshError()(y_true, y_pred)`` on integer arrays cast both to float;
    Keras 3 computes in int64 and fails (found by Keras 2.3.1's ``metrics_test.py``). Float
    inputs are untouched."""
    y_pred = np.asarray([1, 9, 2, -5, -2, 6]).reshape((2, 3))
    y_true = np.asarray([4, 8, 12, 8, 1, 3]).reshape((2, 3))
    error = y_pred - y_true
    expected = np.mean(error + np.log1p(np.exp(-2.0 * error)) - np.log(2.0))
    assert float(keras.metrics.LogCoshError()(y_true, y_pred)) == pytest.approx(expected,
                                                                               rel=1e-5)
    weights = np.asarray([[1.2], [3.4]])
    poisson = keras.metrics.Poisson()
    poisson.update_state(y_true, np.abs(y_pred), sample_weight=weights)
    per_row = np.mean(np.abs(y_pred) - y_true * np.log(np.abs(y_pred) + 1e-7), axis=1)
    assert float(poisson.result()) == pytest.approx(
        float(np.sum(per_row * weights[:, 0]) / np.sum(weights)), rel=1e-5)
    floats = keras.metrics.MeanSquaredError()
    assert float(floats(y_true.astype("float32"), y_pred.astype("float32"))) == 49.5


def test_a_sequentials_input_and_output_before_any_call(installed):
    """``Model(inputs=model.input, outputs=model.layers[-2].output)`` and
    ``K.function([model.input], [model.output])`` on a Sequential that knows its input shape:
    Keras 2 gave the tensors; Keras 3 raises "has never been called". The feature extractor
    computes what tf_keras's does with the same weights."""
    tf_keras = pytest.importorskip("tf_keras")
    x, _ = _data(6)
    model = keras.Sequential([keras.layers.Dense(5, activation="relu", input_shape=(4,)),
                              keras.layers.Dense(1)])
    assert model.input is model.inputs[0] and model.output is model.outputs[0]
    features = keras.Model(inputs=model.input, outputs=model.layers[-2].output)
    fn = keras.backend.function([model.input], [model.output])
    theirs = tf_keras.Sequential([tf_keras.layers.Dense(5, activation="relu", input_shape=(4,)),
                                  tf_keras.layers.Dense(1)])
    theirs.set_weights(model.get_weights())
    their_features = tf_keras.Model(theirs.input, theirs.layers[-2].output)
    np.testing.assert_allclose(features.predict(x, verbose=0),
                               their_features.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(fn([x])[0], theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    unknown = keras.Sequential([keras.layers.Dense(1)])  # no input shape: nothing to give
    with pytest.raises((AttributeError, ValueError)):
        unknown.output  # noqa: B018


def test_the_notebooks_gpu_check(installed):
    """``K.tensorflow_backend._get_available_gpus()``: the GPUs TensorFlow sees."""
    import tensorflow as tf
    from keras import backend as K

    gpus = K.tensorflow_backend._get_available_gpus()
    assert gpus == [d.name for d in tf.config.list_logical_devices("GPU")]
    assert all("GPU" in name for name in gpus)


def test_keras_shape_of_tensors_as_keras2_set_it(installed):
    """Keras 2 set ``_keras_shape`` on Input tensors and every layer output, and custom layers
    read it in ``call``; tf_keras has no such attribute (Keras 2.2.4 is the rule)."""
    import tensorflow as tf

    seen = []

    class Half(keras.layers.Layer):
        def call(self, inputs):
            seen.append(inputs._keras_shape)
            return inputs[:, :, :, : inputs._keras_shape[-1] // 2]

    x = keras.layers.Input((8, 8, 3))
    y = keras.layers.Conv2D(4, 3)(x)
    assert x._keras_shape == (None, 8, 8, 3)
    assert y._keras_shape == (None, 6, 6, 4)
    z = Half()(y)
    assert z._keras_shape == (None, 6, 6, 2)
    model = keras.Model(x, z)
    model.compile("sgd", "mse")
    model.fit(np.zeros((4, 8, 8, 3)), np.zeros((4, 6, 6, 2)), batch_size=2, verbose=0)
    assert seen and all(shape[1:] == (6, 6, 4) for shape in seen)
    eager = tf.zeros((2, 3))
    assert eager._keras_shape == (2, 3)
    eager._keras_shape = (None, 3)  # Keras 2 code set it by hand after a backend op
    assert eager._keras_shape == (None, 3)
    assert tf.zeros((2, 3))._keras_shape == (2, 3)
    with pytest.raises(AttributeError):
        tfk.layers.Input((3,))._keras_shape  # noqa: B018


def test_keras_shape_is_gone_after_uninstall():
    import tensorflow as tf

    kfitcompat.install()
    kfitcompat.uninstall()
    assert not hasattr(keras.layers.Input((3,)), "_keras_shape")
    assert not hasattr(tf.Tensor, "_keras_shape")


def test_backend_tf_is_the_tensorflow_module(installed):
    """Keras 2's backend module held ``import tensorflow as tf``: ``K.tf.where(...)``."""
    import tensorflow as tf
    from keras import backend as K

    assert K.tf is tf
    assert K.tensorflow_backend.tf is tf
    assert K.eval(K.tf.reduce_sum(K.variable(np.ones(3)))) == 3


def test_input_names_and_sequential_output_names_as_keras2_named_them(installed):
    import tf_keras

    def build(k):
        a = k.Input((3,), name="a")
        b = k.Input((2,))
        out = k.layers.Dense(1, name="o")(k.layers.Concatenate()([a, b]))
        return k.Model([a, b], out)

    ours, theirs = build(keras), build(tf_keras)
    assert ours.input_names[0] == theirs.input_names[0] == "a"
    assert ours.input_names[1] == ours.layers[1].name  # the unnamed Input's layer
    assert ours.output_names == theirs.output_names == ["o"]
    sequential = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, name="last")])
    tf_sequential = tf_keras.Sequential([tf_keras.layers.Dense(1, name="last",
                                                               input_shape=(3,))])
    assert sequential.output_names == tf_sequential.output_names == ["last"]
    assert sequential.input_names == tf_sequential.input_names == ["last_input"]

    class Named(keras.Model):  # a subclass that sets its own keeps it
        def __init__(self):
            super().__init__()
            self.input_names = ["mine"]

    assert Named().input_names == ["mine"]


def test_clone_model_of_a_model_with_a_python_lambda(installed):
    import tf_keras

    def build(k):
        inp = k.Input((3,))
        return k.Model(inp, k.layers.Lambda(lambda t, scale: t * scale,
                                            arguments={"scale": 2.0})(inp))

    x = np.arange(6, dtype="float32").reshape(2, 3)
    ours = keras.models.clone_model(build(keras))
    theirs = tf_keras.models.clone_model(build(tf_keras))
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0))
    # a file keeps Keras 3's safe mode: the scope ends with the call
    from keras.src.saving import serialization_lib

    assert serialization_lib.in_safe_mode() in (None, True)


@pytest.mark.parametrize("name", ["weights", "model_weights.best", "cp-0003"])
def test_save_weights_under_any_name_writes_keras2_hdf5(installed, tmp_path, name):
    """Keras 2.2.4 wrote HDF5 under any name (tf.keras 2 a TensorFlow checkpoint, which Keras 3
    cannot read); Keras 3 alone refuses a name without `.weights.h5`."""
    import h5py

    def model():
        return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])

    saved, restored = model(), model()
    saved.save_weights(str(tmp_path / name))
    assert h5py.is_hdf5(tmp_path / name)
    restored.load_weights(str(tmp_path / name))
    for a, b in zip(saved.get_weights(), restored.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_make_predict_function_of_web_serving_scripts(installed):
    """`model._make_predict_function()` (Keras 2, private; called before threads serve
    requests): builds Keras 3's predict function."""
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile("sgd", "mse")
    model._make_predict_function()
    assert model.predict_function is not None
    model._make_train_function()
    model._make_test_function()
    assert model.train_function is not None and model.test_function is not None


@pytest.mark.parametrize("name", ["RMSprop", "Adagrad", "Adadelta", "Adam", "Adamax", "Nadam"])
def test_keras2_documented_epsilon_none_is_k_epsilon(installed, name):
    """Keras 2.2.4's docs: `Adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0.0,
    amsgrad=False)`; Keras 3 stores None and fails at the first step."""
    x = np.random.default_rng(0).random((16, 3)).astype("float32")
    weights = []
    for epsilon in (None, 1e-7):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(getattr(keras.optimizers, name)(lr=0.01, epsilon=epsilon), "mse")
        model.fit(x, x[:, :1], epochs=2, shuffle=False, verbose=0)
        weights.append(model.get_weights())
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)


def test_callbacks_that_log_keep_their_keys_and_lr_answers(installed):
    """ReduceLROnPlateau logs `learning_rate` (Keras 2: `lr`): History keeps it and answers
    both names, as Keras 2 scripts plot `history.history['lr']`."""
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.ones((8, 3), "float32")
    history = model.fit(x, np.ones((8, 1)), epochs=2, verbose=0, validation_split=0.25,
                        callbacks=[keras.callbacks.ReduceLROnPlateau(patience=0)])
    assert "learning_rate" in dict(history.history)
    assert history.history["lr"] == history.history["learning_rate"]
