"""Keras 2's ``add_metric(value, name)`` after install(): the value's mean per epoch logged as
``name``, as Keras 2.3 and tf.keras 2 did (tf_keras 2.21 is the oracle), where Keras 3's
``add_metric`` always raises; and a compiled ``.keras`` model still loads compiled."""

from __future__ import annotations

import numpy as np
import pytest

X = np.ones((10, 1), "float32")
Y = np.ones((10, 2), "float32")


def _layer_metric_model(keras):
    K = keras.backend

    class SumLayer(keras.layers.Layer):
        def call(self, inputs):
            self.add_metric(K.sum(inputs), name="activity")
            return inputs + 1

    inputs = keras.Input((1,))
    outputs = keras.layers.Dense(2, kernel_initializer="ones")(SumLayer()(inputs))
    return keras.Model(inputs, outputs)


def _functional_metric_model(keras):
    inputs = keras.Input((1,))
    y = keras.layers.Dense(2, kernel_initializer="ones", trainable=False)(inputs)
    model = keras.Model(inputs, y)
    model.add_metric(keras.backend.sum(y), name="total", aggregation="mean")
    return model


@pytest.mark.parametrize("build", [_layer_metric_model, _functional_metric_model],
                         ids=["in-a-layer-call", "on-a-functional-model"])
def test_logs_equal_tf_keras(installed, build):
    import keras

    tk = pytest.importorskip("tf_keras")
    logs = {}
    for name, lib in (("kfitcompat", keras), ("tf_keras", tk)):
        model = build(lib)
        model.compile("sgd", "mse")
        history = model.fit(X, Y, epochs=2, batch_size=5, verbose=0, validation_data=(X, Y))
        evaluated = model.evaluate(X, Y, batch_size=5, verbose=0, return_dict=True)
        logs[name] = ({k: round(v[-1], 4) for k, v in history.history.items()},
                      {k: round(float(v), 4) for k, v in evaluated.items()})
    assert logs["kfitcompat"] == logs["tf_keras"]
    history, evaluated = logs["kfitcompat"]
    assert {"activity", "total"} & set(history)  # the metric is in the logs at all


def test_a_metric_of_the_layer_itself_is_not_counted_twice(installed):
    """Keras 2's ``self.add_metric(self.mean(x), name='metric_1')``: the metric named so
    updated itself; the call only says it is there."""
    import keras

    class TestModel(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(2, kernel_initializer="ones")
            self.mean = keras.metrics.Mean(name="metric_1")

        def call(self, x):
            self.add_metric(keras.ops.sum(x), name="metric_2")
            self.add_metric(self.mean(x), name="metric_1")
            self.add_metric(self.mean(x))  # no name: the layer's own metric
            return self.dense(x)

    model = TestModel()
    model.compile(loss="mse", optimizer="sgd")
    history = model.fit(X, Y, epochs=2, batch_size=5, verbose=0)
    assert [m.name for m in model.metrics][-2:] == ["metric_1", "metric_2"]
    assert history.history["metric_1"][-1] == pytest.approx(1.0)
    assert history.history["metric_2"][-1] == pytest.approx(5.0)


def test_bad_calls_name_the_argument(installed):
    import keras

    layer = keras.layers.Dense(1)
    with pytest.raises(ValueError, match="aggregation='sum'"):
        layer.add_metric(keras.ops.ones(()), name="x", aggregation="sum")
    with pytest.raises(ValueError, match="needs name="):
        layer.add_metric(keras.ops.ones(()))
    with pytest.raises(TypeError, match="reduction"):
        layer.add_metric(keras.ops.ones(()), name="x", reduction="sum")


def test_without_install_keras3_add_metric_still_raises():
    import keras

    with pytest.raises(NotImplementedError):
        keras.layers.Dense(1).add_metric(keras.ops.ones(()), name="x")


def test_a_compiled_keras_file_loads_compiled(installed, tmp_path):
    """install() wraps ``compile`` on the class that defines it, so Keras 3's loader (which
    skips compiling a model whose class overrides ``compile``) still compiles what it loads."""
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("adam", "mse", metrics=["mae"])
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.optimizer, keras.optimizers.Adam)
    result = loaded.evaluate(np.ones((4, 3)), np.ones((4, 1)), verbose=0, return_dict=True)
    assert set(result) == {"loss", "mae"}
