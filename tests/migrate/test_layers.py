"""Golden before/after cases of the ``layers`` rule family
(``kfitcompat/migrate/plugins/layers.py``), plus must-not-change cases."""

from __future__ import annotations

import pytest

pytest.importorskip("libcst")

from kfitcompat.migrate import migrate_source  # noqa: E402

from .golden import _d, _with_helpers, check_rewrite, check_unchanged  # noqa: E402

CASES = [
    pytest.param(
        _d("""
        from keras.layers import Convolution2D, Conv2D, Dense, Dropout
        model.add(Convolution2D(32, 3, 3, border_mode='same', init='he_normal'))
        model.add(Conv2D(24, 5, 5, subsample=(2, 2), dim_ordering='tf'))
        model.add(Dense(output_dim=10, W_regularizer=reg))
        model.add(Dropout(p=0.5))
        """),
        _d("""
        from keras.layers import Conv2D, Dense, Dropout
        model.add(Conv2D(32, (3, 3), padding='same', kernel_initializer='he_normal'))
        model.add(Conv2D(24, (5, 5), strides=(2, 2), data_format='channels_last'))
        model.add(Dense(units=10, kernel_regularizer=reg))
        model.add(Dropout(rate=0.5))
        """), id="keras1-layers"),
    pytest.param(
        _d("""
        model.add(LSTM(output_dim=32, consume_less='gpu'))
        model.add(ConvLSTM2D(8, nb_row=3, nb_col=3, inner_init='orthogonal'))
        model.add(GaussianNoise(sigma=0.1))
        model.add(Convolution3D(8, 3, 3, 3, border_mode='same'))
        """),
        _d("""
        model.add(LSTM(units=32, implementation=2))
        model.add(ConvLSTM2D(8, (3, 3), recurrent_initializer='orthogonal'))
        model.add(GaussianNoise(stddev=0.1))
        model.add(Conv3D(8, (3, 3, 3), padding='same'))
        """), id="keras1-layers-of-keras2-legacy-interfaces"),
]


HELPER_CASES = [
    pytest.param(
        _d("""
        \"\"\"Stateful.\"\"\"
        from keras.models import Sequential
        from keras.layers import LSTM
        model = Sequential()
        model.add(LSTM(20, input_shape=(4, 1), batch_size=1, stateful=True))
        for epoch in range(3):
            model.reset_states()
        """),
        _with_helpers("\"\"\"Stateful.\"\"\"\nimport keras\nfrom keras.models import Sequential\n"
                      "from keras.layers import LSTM\n", ["keras2_reset_states"], _d("""
        model = Sequential()
        model.add(keras.Input(batch_shape=(1, 4, 1)))
        model.add(LSTM(20, stateful=True))
        for epoch in range(3):
            keras2_reset_states(model)
        """)), id="layer-batch-shape-and-reset-states"),
    pytest.param(
        "m = Sequential([LSTM(4, batch_input_shape=(2, 5, 3), stateful=True), Dense(1)])\n",
        "import keras\n"
        "m = Sequential([keras.Input(batch_shape=(2, 5, 3)), LSTM(4, stateful=True), Dense(1)])\n",
        id="sequential-list-batch-input-shape"),
]


MUST_NOT_CHANGE = [
    pytest.param("model.add(Conv2D(32, 3, 3, padding='same'))\n", id="keras3-conv-strides"),
    pytest.param("model.add(SeparableConv2D(5, 3, 3, padding='same'))\n"
                 "model.add(ConvLSTM2D(5, 3, strides=3))\n"
                 "model.add(LSTM(32, implementation=2, input_shape=(None, 5)))\n"
                 "model.add(MaxPooling2D(3))\nmodel.add(Conv2D(8, (3, 3), 2))\n",
                 id="keras3-conv-and-rnn-keywords"),
    pytest.param("model.add(keras.Input(batch_shape=(1, 4, 1)))\n"
                 "model.add(LSTM(20, stateful=True))\n"
                 "m = Sequential([keras.Input(batch_shape=(2, 3)), Dense(1)])\n",
                 id="keras3-batch-shape"),
]


@pytest.mark.parametrize("before, after", CASES)
def test_rewrite(before, after):
    check_rewrite(before, after)


@pytest.mark.parametrize("before, after", HELPER_CASES)
def test_rewrite_with_helpers_written_into_the_module(before, after):
    test_rewrite(before, after)


@pytest.mark.parametrize("source", MUST_NOT_CHANGE)
def test_must_not_change(source):
    check_unchanged(source)


def test_channels_first_convolutions_are_reported_as_gpu_only_in_keras3():
    """Keras 3 (TensorFlow) has no channels_first convolution on a CPU; Keras 2 transposed.
    The convolution calls and the global setting are reported (a note above each); the
    layout test of a portable script and a pooling layer are not."""
    source = _d("""
        from keras import backend as K
        K.set_image_dim_ordering('th')
        model.add(Convolution2D(32, 3, 3, dim_ordering='th'))
        x = Conv2DTranspose(8, 3, data_format="channels_first")(x)
        model.add(MaxPooling2D(pool_size=(2, 2), data_format="channels_first"))
        if K.image_data_format() == 'channels_first':
            shape = (1, 28, 28)
        """)
    new, findings = migrate_source(source)
    assert [(f.line, f.changed) for f in findings if f.rule == "channels-first"] == [
        (2, False), (3, False), (4, False)]
    note = "# kfitcompat: channels_first: Keras 3 runs these convolutions only on a GPU"
    assert new.count(note) == 3
    assert "K.set_image_data_format('channels_first')" in new
    assert "Conv2D(32, (3, 3), data_format='channels_first')" in new
    again, _ = migrate_source(new)
    assert again == new
    under_install, _ = migrate_source(source, target="kfitcompat")  # install() transposes
    assert note not in under_install


@pytest.mark.parametrize(("before", "after"), [
    ("model.add(LSTM(32, input_dim=5, input_length=10))\n",
     "model.add(LSTM(32, input_shape=(10, 5)))\n"),
    ("model.add(Embedding(1000, 64, input_length=20))\n",
     "model.add(Embedding(1000, 64, input_shape=(20,)))\n"),
    ("LSTM(8, forget_bias_init='one')\n", "LSTM(8, unit_forget_bias=True)\n"),
    ("SeparableConv2D(8, (3, 3), init='he_normal')\n", "SeparableConv2D(8, (3, 3), "
     "depthwise_initializer='he_normal', pointwise_initializer='he_normal')\n"),
    ("model.add(Conv2D(64, 3, 3, activation='elu'))\n",
     "model.add(Conv2D(64, (3, 3), activation='elu'))\n"),
    ("x = Conv3D(8, 3, 3, 3)(x)\n", "x = Conv3D(8, (3, 3, 3))(x)\n"),
    ("model.add(MaxPooling2D())\n", "model.add(MaxPooling2D(pool_size=(2, 2)))\n"),
    ("p = AveragePooling1D(padding='same')\n", "p = AveragePooling1D(padding='same', "
     "pool_size=2)\n"),
], ids=["input-dim-length", "embedding-input-length", "forget-bias-init", "separable-init",
        "conv2d-kernel-positionals", "conv3d-kernel-positionals", "pool-default",
        "pool1d-default"])
def test_keras2_rules_of_their_own_are_written_out(before, after):
    """What install() reads with Keras 2's rule (input_dim/input_length, forget_bias_init,
    kernel positionals, pooling defaults), migrate writes out: parity, twice idempotent."""
    out, findings = migrate_source(before)
    assert out == after and findings and all(f.changed for f in findings)
    assert migrate_source(out)[0] == out


def test_a_keras1_keyword_known_only_at_run_time_is_reported():
    source = "LSTM(8, forget_bias_init=init_name)\n"
    out, findings = migrate_source(source)
    assert out.endswith(source) and "not rewritten" in out
    assert [(f.rule, f.changed) for f in findings] == [("keras1-layer", False)]
    source = "h = LSTM(20, input_shape=(4, 1), batch_size=1, stateful=True)(x)\n"
    out, findings = migrate_source(source)
    assert out.endswith(source) and "keras.Input(batch_shape=" in out
    assert [(f.rule, f.changed) for f in findings] == [("layer-batch-shape", False)]


def test_leaky_relu_alpha_is_renamed_and_a_negative_slope_reported():
    out, findings = migrate_source("a = LeakyReLU(alpha=0.2)\nb = LeakyReLU(negative_slope=0.1)\n")
    assert out == "a = LeakyReLU(negative_slope=0.2)\nb = LeakyReLU(negative_slope=0.1)\n"
    assert [(f.rule, f.changed) for f in findings] == [("leaky-relu-alpha", True)]
    assert migrate_source(out) == (out, [])
    for source in ("b = LeakyReLU(alpha=-1.0)\n", "c = LeakyReLU(-.5)\n"):
        out, findings = migrate_source(source)
        assert out.endswith(source) and "negative slope" in out
        assert [(f.rule, f.changed) for f in findings] == [("leaky-relu-alpha", False)]


def test_keras2_base_layer_keywords_on_spatial_dropout_are_reported():
    source = ("from keras.layers import SpatialDropout1D\n"
              "d = SpatialDropout1D(0.2, input_shape=(10, 4), name='d')\n")
    out, findings = migrate_source(source)
    assert [(f.rule, f.changed) for f in findings] == [("keras2-api", False)]
    assert "input_shape=" in findings[0].message and "keras.Input(shape=" in findings[0].fix
    clean = "from keras.layers import Dropout\nd = Dropout(0.2, input_shape=(10, 4))\n"
    assert migrate_source(clean) == (clean, [])


def test_cudnn_layers_are_renamed_with_their_import():
    source = ("from keras.layers import CuDNNLSTM, CuDNNGRU, LSTM\n"
              "a = Bidirectional(CuDNNLSTM(64, return_sequences=True))\n"
              "b = layers.CuDNNGRU(32)\n")
    out, findings = migrate_source(source)
    assert out == ("from keras.layers import LSTM, GRU\n"
                   "a = Bidirectional(LSTM(64, return_sequences=True))\n"
                   "b = layers.GRU(32)\n")
    assert [(f.rule, f.changed) for f in findings] == [("keras1-layer", True)] * 2
    assert migrate_source(out) == (out, [])


def test_a_custom_layers_listed_weights_are_reported():
    source = ("from keras.layers import Layer\n"
              "class Att(Layer):\n"
              "    def build(self, input_shape):\n"
              "        self.W = self.add_weight((input_shape[-1],), name='W')\n"
              "        self.trainable_weights = [self.W]\n")
    out, findings = migrate_source(source)
    assert [(f.rule, f.changed) for f in findings] == [("listed-weights", False)]
    assert "read-only" in out and out.endswith("self.trainable_weights = [self.W]\n")
