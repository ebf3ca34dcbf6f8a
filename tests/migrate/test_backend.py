"""Golden before/after cases of the ``backend`` rule family
(``kfitcompat/migrate/plugins/backend.py``), plus must-not-change cases."""

from __future__ import annotations

import pytest

pytest.importorskip("libcst")

from .golden import _d, _with_helpers, check_rewrite, check_unchanged  # noqa: E402

CASES = [
    pytest.param(
        "K.set_value(self.model.optimizer.lr, new_lr)\n",
        "self.model.optimizer.learning_rate.assign(new_lr)\n", id="K.set_value"),
    pytest.param(
        "lr = K.get_value(model.optimizer.lr)\n",
        "lr = model.optimizer.learning_rate.numpy()\n", id="K.get_value"),
    pytest.param(
        "keras.backend.set_value(var, 0.5)\n",
        "var.assign(0.5)\n", id="keras.backend.set_value"),
    pytest.param(
        _d("""
        if K.image_dim_ordering() == 'th':
            K.set_image_dim_ordering("tf")
        """),
        _d("""
        if K.image_data_format() == 'channels_first':
            K.set_image_data_format("channels_last")
        """), id="image-dim-ordering"),
    pytest.param(
        "data_format = K.image_dim_ordering()\n",
        'data_format = ("th" if K.image_data_format() == "channels_first" else "tf")\n',
        id="bare-image-dim-ordering"),
    pytest.param(
        _d("""
        import keras
        from keras import backend as K
        def contrastive(y_true, y_pred):
            d = K.sqrt(K.maximum(K.sum(K.square(y_pred), axis=1, keepdims=True), K.epsilon()))
            both = K.concatenate([y_true, d])
            return K.mean(K.pow(both, 2)) + K.sum(K.gather(both, [0]))
        r = K.repeat(v, 3)
        shape = K.int_shape(x)
        h = K.conv1d(inputs, kernel)
        n = K.l2_normalize(x, axis=1)
        """),
        _d("""
        import keras
        from keras import backend as K
        def contrastive(y_true, y_pred):
            d = keras.ops.sqrt(keras.ops.maximum(keras.ops.sum(keras.ops.square(y_pred), axis=1, keepdims=True), K.epsilon()))
            both = keras.ops.concatenate([y_true, d], axis=-1)
            return keras.ops.mean(keras.ops.power(both, 2)) + keras.ops.sum(keras.ops.take(both, [0], axis=0))
        r = keras.ops.repeat(keras.ops.expand_dims(v, 1), 3, axis=1)
        shape = tuple(x.shape)
        h = keras.ops.conv(inputs, kernel)
        n = keras.ops.normalize(x, axis=1)
        """), id="backend-ops"),
    pytest.param(
        _d("""
        from keras import backend as K
        pos = K.relu(inputs)
        hinge = K.relu(1 - margin - y_pred)
        capped = K.relu(x, max_value=6.0)
        """),
        _d("""
        import keras
        from keras import backend as K
        pos = keras.ops.relu(inputs)
        hinge = keras.ops.relu(1 - margin - y_pred)
        # kfitcompat: K.relu: no one-to-one keras.ops spelling (Keras 2 semantics differ); rewrite by hand
        capped = K.relu(x, max_value=6.0)
        """), id="backend-relu"),
]


CASES += [
    pytest.param(
        _d("""
        x = Input((8, 8, 3))
        channels = conv(x)._keras_shape[-1]
        def call(self, inputs):
            return inputs[:, :inputs._keras_shape[1] // 2]
        """),
        _d("""
        x = Input((8, 8, 3))
        channels = tuple(conv(x).shape)[-1]
        def call(self, inputs):
            return inputs[:, :tuple(inputs.shape)[1] // 2]
        """), id="keras-shape"),
    pytest.param(
        _d("""
        from keras import backend as K
        y = K.tf.where(x > 0)
        """),
        _d("""
        import tensorflow as tf
        from keras import backend as K
        y = tf.where(x > 0)
        """), id="backend-tf"),
]

HELPER_CASES = [
    pytest.param(
        _d("""
        from keras import backend as K
        import keras
        # the capsule layer
        class Capsule(keras.layers.Layer):
            def call(self, u):
                b = K.batch_dot(self.o, u, [2, 3])
                return K.switch(b > 0, b, -b)
        """),
        _with_helpers("from keras import backend as K\nimport keras\n",
                      ["keras2_batch_dot", "keras2_switch"], _d("""
        # the capsule layer
        class Capsule(keras.layers.Layer):
            def call(self, u):
                b = keras2_batch_dot(self.o, u, [2, 3])
                return keras2_switch(b > 0, b, -b)
        """)), id="backend-ops-helpers"),
]


MUST_NOT_CHANGE = [
    pytest.param("x = scheduler.lr\nstore.set_value(k, v)\n", id="other-lr-and-set_value"),
    pytest.param("if K.image_data_format() == 'channels_first':\n    pass\n",
                 id="keras3-image-data-format"),
    pytest.param("from keras import backend as K\nd = keras.ops.sum(x) + K.epsilon()\n"
                 "f = K.image_data_format()\n", id="keras3-backend-and-ops"),
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


def test_an_assignment_to_keras_shape_is_reported_not_rewritten():
    from kfitcompat.migrate import migrate_source

    source = "y = f(x)\ny._keras_shape = (None, 4)\n"
    new, findings = migrate_source(source)
    assert new == source
    assert [(f.line, f.rule, f.changed) for f in findings] == [(2, "keras-shape", False)]


def test_backend_tf_beside_another_tf_is_reported_not_rewritten():
    from kfitcompat.migrate import migrate_source

    source = "import tensorflow.compat.v1 as tf\nfrom keras import backend as K\ny = K.tf.where(c)\n"
    new, findings = migrate_source(source)
    assert new == source
    assert [(f.line, f.rule, f.changed) for f in findings] == [(3, "backend-tf", False)]
