"""Canaries: each private Keras touchpoint kfitcompat relies on (kfitcompat/_keras_private.py)
still exists with the shape it was checked against. A failure names the Keras version."""

from __future__ import annotations

import inspect
import re
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from kfitcompat import _keras_private as private

VERSION = f"Keras {keras.__version__} (kfitcompat checked {', '.join(private.CHECKED_KERAS)})"


def _model() -> keras.Model:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


def test_maybe_symbolic_build_takes_a_data_batch():
    method = getattr(keras.Model, "_maybe_symbolic_build", None)
    assert method is not None, f"{VERSION}: Model._maybe_symbolic_build is gone"
    params = inspect.signature(method).parameters
    assert {"iterator", "data_batch"} <= set(params), f"{VERSION}: signature {params}"


def test_distribute_strategy_attribute():
    with tf.distribute.OneDeviceStrategy("/cpu:0").scope():
        model = _model()
    assert private.distribute_strategy(model) is not None, f"{VERSION}: _distribute_strategy"


def test_multi_worker_mode_check_exists():
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    check = getattr(strategy.extended, "_in_multi_worker_mode", None)
    assert callable(check), "TensorFlow: strategy.extended._in_multi_worker_mode is gone"
    assert not private.in_multi_worker_mode(strategy)


def test_tf_trainer_module_has_reduce_per_replica():
    with warnings.catch_warnings():
        warnings.simplefilter("error", private.KerasPrivateAPIWarning)
        module = private.tf_trainer_module(_model())
    params = inspect.signature(module.reduce_per_replica).parameters
    assert list(params)[:3] == ["values", "strategy", "reduction"], f"{VERSION}: {params}"


def test_eval_epoch_iterator_is_cached_and_dropped():
    import numpy as np

    model = _model()
    x = np.zeros((4, 2), "float32")
    model.fit(x, x[:, :1], validation_data=(x, x[:, :1]), epochs=1, verbose=0)
    model._eval_epoch_iterator = object()
    private.drop_eval_iterator(model)
    assert model._eval_epoch_iterator is None


def test_backup_and_restore_sets_the_initial_epoch_fit_starts_at(tmp_path):
    """``Model._initial_epoch``: BackupAndRestore's restored epoch, which Keras 3 ``fit``
    prefers over its ``initial_epoch`` argument; the epoch-by-epoch fit forgets it."""
    import numpy as np

    x = np.zeros((4, 2), "float32")
    model = _model()
    assert hasattr(model, "_initial_epoch"), f"{VERSION}: Model._initial_epoch is gone"

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("stop")

    backup = keras.callbacks.BackupAndRestore(str(tmp_path))
    with pytest.raises(RuntimeError):
        model.fit(x, x[:, :1], epochs=4, verbose=0, callbacks=[backup, Interrupt()])
    seen: list[int] = []
    record = keras.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: seen.append(e))
    model.fit(x, x[:, :1], epochs=4, verbose=0, callbacks=[backup, record])
    assert seen[0] == 2 and model._initial_epoch == 2, f"{VERSION}: {seen}"  # after epoch 1
    private.forget_restored_epoch(model)
    assert model._initial_epoch is None


def test_keras_ran_out_of_data_text_matches_the_filter():
    import keras.src.trainers.epoch_iterator as epoch_iterator  # noqa: PLC0415 (canary only)

    source = inspect.getsource(epoch_iterator)
    text = re.search(r'"(Your input ran out of data.*?)"\s*\n(\s*"[^"]*"\s*\n)*', source)
    assert text is not None, f"{VERSION}: the exhaustion warning text moved"
    joined = "".join(re.findall(r'"([^"]*)"', text.group(0)))
    assert re.search(private.K3_RAN_OUT, joined), f"{VERSION}: {joined!r}"


def test_a_missing_touchpoint_warns_instead_of_falling_back_silently():
    class NoBuild:
        pass

    with pytest.warns(private.KerasPrivateAPIWarning, match="_maybe_symbolic_build"):
        assert private.symbolic_build(NoBuild()) is None


def test_node_tensors_of_a_layer_called_twice():
    import keras

    dense = keras.layers.Dense(2)
    a, b = keras.Input((3,)), keras.Input((4, 3))
    dense(a)
    dense(b)
    assert private.node_count(dense) == 2, f"{VERSION}: Operation._inbound_nodes moved"
    assert private.node_tensors(dense, 1, "input") is b
    assert tuple(private.node_tensors(dense, 1, "output").shape) == (None, 4, 2)


def test_the_modules_layers_and_compile_read_constraints_and_losses_from():
    import keras

    assert private.constraints_module().get is keras.constraints.get, VERSION
    assert private.losses_module().get is keras.losses.get, VERSION
    layer = keras.layers.Dense(2, kernel_constraint="max_norm")
    assert isinstance(layer.kernel_constraint, keras.constraints.MaxNorm)


def test_keras3_keeps_a_tf_keras_2_copy_of_the_legacy_modules():
    for where in ("backend:rnn", "backend:ctc_decode", "preprocessing.text:Tokenizer",
                  "preprocessing.sequence:TimeseriesGenerator"):
        assert callable(private.legacy_name(where)), f"{VERSION}: {where} moved"


def test_safe_mode_scope_decides_whether_a_lambda_is_built():
    """``SafeModeScope``: the scope Keras 3's legacy .h5 loader builds Lambda layers under."""
    import base64
    import marshal

    code = base64.b64encode(marshal.dumps((lambda x: x + 1).__code__)).decode()
    config = {"name": "f", "function": {"class_name": "__lambda__", "config": {
        "code": code, "defaults": None, "closure": None}}}
    with private.safe_mode_scope(True), pytest.raises(ValueError, match="safe_mode=False"):
        keras.layers.Lambda.from_config(dict(config))
    with private.safe_mode_scope(False):
        layer = keras.layers.Lambda.from_config(dict(config))
    assert float(layer(keras.ops.ones(()))) == 2.0, VERSION


def test_compile_args_from_training_config_reads_tf_keras_nesting():
    """Keras 3's legacy reader of a training config: per-output metrics as tf.keras nested
    them, the optimizer, the loss."""
    config = {"optimizer_config": {"class_name": "SGD", "config": {"learning_rate": 0.5}},
              "loss": "mean_squared_error", "loss_weights": None,
              "metrics": [[{"class_name": "MeanMetricWrapper", "config": {
                  "name": "acc", "dtype": "float32", "fn": "binary_accuracy"}}]]}
    args = private.compile_args_from_training_config(config, {})
    assert set(args) >= {"optimizer", "loss", "metrics", "loss_weights"}, VERSION
    assert float(args["optimizer"].learning_rate) == 0.5, VERSION


def _ops_call_its_convolutions(module) -> bool:
    """``keras.ops.conv`` / ``conv_transpose`` reach ``module``'s functions of those names."""
    called = []
    saved = module.conv, module.conv_transpose
    module.conv = lambda *a, **k: called.append("conv")
    module.conv_transpose = lambda *a, **k: called.append("conv_transpose")
    try:
        x, kernel = np.zeros((1, 4, 4, 1), "float32"), np.zeros((2, 2, 1, 1), "float32")
        keras.ops.conv(x, kernel)
        keras.ops.conv_transpose(x, kernel)
    finally:
        module.conv, module.conv_transpose = saved
    return called == ["conv", "conv_transpose"]


def _callback_list_builds_its_logs_with_it(module) -> bool:
    """``CallbackList.on_epoch_end`` hands its callbacks what ``module.pythonify_logs``
    returns."""
    made, seen = {"made": 1.0}, []

    class Spy(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(logs)

    saved = module.pythonify_logs
    module.pythonify_logs = lambda logs: made
    try:
        keras.callbacks.CallbackList([Spy()]).on_epoch_end(0, {"loss": 1.0})
    finally:
        module.pythonify_logs = saved
    return seen == [made] and seen[0] is made


def test_every_private_owner_of_a_surface_row_has_a_canary():
    """The surface rows whose owner is not public Keras (``surface.PRIVATE_OWNERS``) reach it
    through ``_keras_private``; each resolves to what the rows expect of it."""
    from kfitcompat import surface, surface_install

    expected = {surface.FUNCTIONAL: lambda c: isinstance(c, type) and issubclass(c, keras.Model),
                surface.MONITOR: lambda c: isinstance(c, type)
                and issubclass(c, keras.callbacks.Callback),
                surface.TRAINER: lambda c: isinstance(c, type) and issubclass(keras.Model, c)
                and keras.Model.compile is c.__dict__["compile"],
                surface.KERAS_CONSTRAINTS: lambda m: m.get is keras.constraints.get,
                surface.KERAS_LOSSES: lambda m: m.get is keras.losses.get,
                surface.KERAS_REGULARIZERS: lambda m: m.get is keras.regularizers.get,
                surface.KERAS_BACKEND_NN: _ops_call_its_convolutions,
                surface.CALLBACK_LOGS: _callback_list_builds_its_logs_with_it}
    assert set(expected) == set(surface.PRIVATE_OWNERS)
    for path, check in expected.items():
        found = surface_install.owner(path)
        assert check(found), f"{VERSION}: {path} -> {found!r}"
        assert any(row.module == path for row in surface.SURFACE), path


def test_keras_mask_reads_the_mask_a_masking_layer_attaches():
    """``rnn([masked_x, *states])`` passes this mask on; symbolic and eager tensors alike."""
    import numpy as np

    from kfitcompat._keras_private import keras_mask

    masked = keras.layers.Masking()(keras.Input((4, 3)))
    assert tuple(keras_mask(masked).shape) == (None, 4)
    values = np.ones((2, 4, 3), "float32")
    values[0, -1] = 0.0
    eager = keras_mask(keras.layers.Masking()(values))
    assert np.asarray(eager).tolist() == [[True, True, True, False], [True] * 4]
    assert keras_mask(keras.ops.ones((2, 3))) is None


def test_tensorflow_keras_twin_is_keras3s_tf_keras_copy_of_the_same_module():
    """Canary: ``tensorflow.keras.preprocessing.image`` is served by Keras 3's tf.keras 2 copy,
    which has the names the surface sets there; other paths have no twin."""
    twin = private.tensorflow_keras_twin("tensorflow.keras.preprocessing.image")
    assert twin is not None and hasattr(twin, "ImageDataGenerator")
    assert private.tensorflow_keras_twin("keras.preprocessing.image") is None


def test_symbolic_sources_finds_the_inputs_a_tensor_is_computed_from():
    from kfitcompat._keras_private import symbolic_sources

    a, b, unused = keras.Input((3,)), keras.Input((3,)), keras.Input((3,))
    out = keras.layers.Dense(2)(keras.layers.Add()([a, keras.ops.square(b)]))
    assert [x is s for x, s in zip(symbolic_sources([out]), (a, b))] == [True, True]
    assert len(symbolic_sources([out])) == 2
    assert symbolic_sources([out, unused])[-1] is unused
    assert symbolic_sources([a]) == [a]
