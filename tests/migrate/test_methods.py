"""Golden before/after cases of the ``methods`` rule family
(``kfitcompat/migrate/plugins/methods.py``), plus must-not-change cases."""

from __future__ import annotations

import pytest

pytest.importorskip("libcst")

from kfitcompat.migrate import KERAS3, KFITCOMPAT, migrate_source  # noqa: E402

from .golden import _d, _with_helpers, check_rewrite, check_unchanged  # noqa: E402

CASES = [
    pytest.param(
        _d("""
        model = Sequential([Dense(8, input_shape=(4,)), Dense(1)])
        features = Model(inputs=model.input, outputs=model.layers[-2].output)
        probe = keras.Model(model.input, model.output)
        """),
        _d("""
        model = Sequential([Dense(8, input_shape=(4,)), Dense(1)])
        features = Model(inputs=model.inputs[0], outputs=model.layers[-2].output)
        probe = keras.Model(model.inputs[0], model.outputs[0])
        """), id="sequential-input-output"),
    pytest.param(
        "model.fit_generator(gen, steps_per_epoch=100, epochs=5)\n",
        "model.fit(gen, steps_per_epoch=100, epochs=5)\n", id="fit_generator"),
    pytest.param(
        "loss = model.evaluate_generator(val_gen, steps=10)\n",
        "loss = model.evaluate(val_gen, steps=10)\n", id="evaluate_generator"),
    pytest.param(
        "p = model.predict_generator(test_gen, steps=10, verbose=1)\n",
        "p = model.predict(test_gen, steps=10, verbose=1)\n", id="predict_generator"),
    pytest.param(
        "model.fit(x, y, nb_epoch=10, batch_size=32)\n",
        "model.fit(x, y, epochs=10, batch_size=32)\n", id="fit-nb_epoch"),
    pytest.param(
        "self.model.fit_generator(g, 10, nb_epoch=3)\n",
        "self.model.fit(g, steps_per_epoch=10, epochs=3)\n", id="any-receiver"),
    pytest.param(
        _d("""
        train = datagen.flow(x, y, batch_size=64)
        model.fit_generator(train, samples_per_epoch=len(x), nb_epoch=10)
        """),
        _d("""
        train = datagen.flow(x, y, batch_size=64)
        model.fit(train, steps_per_epoch=len(x) // 64, epochs=10)
        """), id="samples_per_epoch-known-batch-size"),
    pytest.param(
        "model.fit_generator(datagen.flow(x, y, 16), samples_per_epoch=800)\n",
        "model.fit(datagen.flow(x, y, 16), steps_per_epoch=800 // 16)\n",
        id="samples_per_epoch-positional-flow-batch-size"),
    pytest.param(
        "model.fit_generator(gen(), samples_per_epoch=800)\n",
        _d("""
        # kfitcompat: `samples_per_epoch` counted samples: divide `steps_per_epoch` by your batch size
        model.fit(gen(), steps_per_epoch=800)
        """), id="samples_per_epoch-unknown-batch-size"),
    pytest.param(
        _d("""
        val = gen.flow_from_directory("v", batch_size=20)
        model.fit_generator(t, 10, validation_data=val, nb_val_samples=800)
        """),
        _d("""
        val = gen.flow_from_directory("v", batch_size=20)
        model.fit(t, steps_per_epoch=10, validation_data=val, validation_steps=800 // 20)
        """), id="nb_val_samples"),
    pytest.param(
        "model.evaluate_generator(it, val_samples=320)\n",
        _d("""
        # kfitcompat: `val_samples` counted samples: divide `steps` by your batch size
        model.evaluate(it, steps=320)
        """), id="val_samples"),
    pytest.param(
        "model.fit_generator(seq, epochs=2, workers=4, use_multiprocessing=True)\n",
        _d("""
        # kfitcompat: removed workers=4, use_multiprocessing=True: Keras 3 takes workers/use_multiprocessing/max_queue_size on a keras.utils.PyDataset (its super().__init__(...)), not on fit/evaluate/predict
        model.fit(seq, epochs=2)
        """), id="loading-arguments"),
    pytest.param(
        "model.fit_generator(g, 5, nb_worker=2, pickle_safe=True, max_q_size=4)\n",
        _d("""
        # kfitcompat: removed nb_worker=2, pickle_safe=True, max_q_size=4: Keras 3 takes workers/use_multiprocessing/max_queue_size on a keras.utils.PyDataset (its super().__init__(...)), not on fit/evaluate/predict
        model.fit(g, steps_per_epoch=5)
        """), id="keras1-loading-spellings"),
    pytest.param(
        "labels = model.predict_classes(x_test)\n",
        _d("""
        # kfitcompat: predict_classes: for a sigmoid output use (model.predict(x) > 0.5).astype('int32')
        labels = model.predict(x_test).argmax(axis=-1)
        """), id="predict_classes"),
    pytest.param(
        "p = model.predict_proba(x_test, batch_size=32)\n",
        "p = model.predict(x_test, batch_size=32)\n", id="predict_proba"),
    pytest.param(
        _d("""
        model.fit_generator(
            train_gen,  # the training batches
            steps_per_epoch=100,
            nb_epoch=3,
        )
        """),
        _d("""
        model.fit(
            train_gen,  # the training batches
            steps_per_epoch=100,
            epochs=3,
        )
        """), id="keeps-formatting-and-comments"),
    pytest.param(
        "model = Model(input=inputs, output=conv10)\n",
        "model = Model(inputs=inputs, outputs=conv10)\n", id="model-input-output"),
    pytest.param(
        "model.fit_generator(generator=gen, steps_per_epoch=3)\n",
        "model.fit(x=gen, steps_per_epoch=3)\n", id="generator-keyword"),
    pytest.param(
        _d("""
        model.fit_generator(gen, 100, 5, 1, [cb], val, 10)
        results = model.predict_generator(testGene, 30, verbose=1)
        score = model.evaluate_generator(g, 5)
        """),
        _d("""
        model.fit(gen, steps_per_epoch=100, epochs=5, verbose=1, callbacks=[cb], validation_data=val, validation_steps=10)
        results = model.predict(testGene, steps=30, verbose=1)
        score = model.evaluate(g, steps=5)
        """), id="generator-positionals-named"),
    pytest.param(
        _d("""
        testGene = testGenerator("data/membrane/test")
        results = model.predict_generator(testGene, 30, verbose=1)
        p = model.predict_generator(generator=(x[i:i + 2] for i in range(0, 8, 2)), steps=4)
        seq = Rows(x)
        q = model.predict_generator(seq, 3)
        r = model.predict_generator(datagen.flow(x, batch_size=2), 3)
        """),
        _d("""
        testGene = testGenerator("data/membrane/test")
        results = model.predict((b if isinstance(b, tuple) else (b,) for b in testGene), steps=30, verbose=1)
        p = model.predict(x=(b if isinstance(b, tuple) else (b,) for b in (x[i:i + 2] for i in range(0, 8, 2))), steps=4)
        seq = Rows(x)
        q = model.predict(seq, steps=3)
        r = model.predict(datagen.flow(x, batch_size=2), steps=3)
        """), id="predict-generator-bare-batches"),
    pytest.param(
        _d("""
        def test_flow():
            def unused():
                yield 1
            return datagen.flow(x, batch_size=2)
        def make_rows():
            return Rows(x)
        def batches():
            yield x[:2]
        def all_batches():
            return batches()
        a = model.predict_generator(test_flow(), 3)
        b = model.predict_generator(make_rows(), 3)
        c = model.predict_generator(all_batches(), 3)
        """),
        _d("""
        def test_flow():
            def unused():
                yield 1
            return datagen.flow(x, batch_size=2)
        def make_rows():
            return Rows(x)
        def batches():
            yield x[:2]
        def all_batches():
            return batches()
        a = model.predict(test_flow(), steps=3)
        b = model.predict(make_rows(), steps=3)
        c = model.predict((b if isinstance(b, tuple) else (b,) for b in all_batches()), steps=3)
        """), id="predict-generator-of-a-function-defined-here"),
    pytest.param(
        "self.w = self.add_weight('w', (n, 2), None, 'zeros', trainable=False)\n",
        "self.w = self.add_weight(name='w', shape=(n, 2), dtype=None, initializer='zeros', "
        "trainable=False)\n", id="add-weight-name-first"),
]


SEQUENCE_CASES = [
    pytest.param(
        _d("""
        class Seq(keras.utils.Sequence):
            \"\"\"Batches.\"\"\"

            def __init__(self, x, batch_size=32):
                self.x = x

        train = Seq(x, batch_size=16)
        model.fit_generator(train, epochs=3, workers=4, use_multiprocessing=True)
        """),
        _d("""
        class Seq(keras.utils.Sequence):
            \"\"\"Batches.\"\"\"

            def __init__(self, x, batch_size=32, **kwargs):
                super().__init__(**kwargs)
                self.x = x

        train = Seq(x, batch_size=16, workers=4, use_multiprocessing=True)
        model.fit(train, epochs=3)
        """), id="sequence-instance-gets-the-loading-options"),
    pytest.param(
        _d("""
        class Seq(Sequence):
            def __init__(self, x):
                super().__init__()
                self.x = x

        model.evaluate_generator(Seq(x), nb_worker=2, max_q_size=4)
        """),
        _d("""
        class Seq(Sequence):
            def __init__(self, x, **kwargs):
                super().__init__(**kwargs)
                self.x = x

        model.evaluate(Seq(x, workers=2, max_queue_size=4))
        """), id="inline-sequence-and-existing-super-call"),
]


HELPER_CASES = [
    pytest.param(
        "import keras\nvae = keras.Model(inputs, outputs)\nvae.add_loss(vae_loss)\n",
        _with_helpers("import keras\n", ["keras2_add_loss"],
                      "vae = keras.Model(inputs, outputs)\nkeras2_add_loss(vae, vae_loss)\n"),
        id="symbolic-add-loss"),
    pytest.param(
        "import keras\nclass L(keras.layers.Layer):\n    def call(self, x):\n"
        "        self.add_metric(keras.ops.sum(x), 'activity')\n        return x\n",
        _with_helpers("import keras\n", ["keras2_add_metric"],
                      "class L(keras.layers.Layer):\n    def call(self, x):\n"
                      "        keras2_add_metric(self, keras.ops.sum(x), 'activity')\n"
                      "        return x\n"),
        id="add-metric"),
]


MUST_NOT_CHANGE = [
    pytest.param("model.fit(x, y, epochs=3, batch_size=32)\n", id="modern-fit"),
    # a functional model's input and output exist in Keras 3; so do those of an unknown object
    pytest.param("model = Model(a, b)\nf = Model([model.input], [model.output])\n"
                 "g = net.output\n", id="functional-input-output"),
    pytest.param("model = Sequential()\nmodel = Model(a, b)\nx = model.output\n",
                 id="rebound-sequential"),
    pytest.param("df.fit_transform(x)\nresult = obj.fit(a, b)\n", id="other-fit-methods"),
    pytest.param("s = 'model.fit_generator(gen, nb_epoch=3)'\n", id="inside-a-string"),
    pytest.param("model = keras.Model(inputs=a, outputs=b)\n", id="keras3-model"),
    pytest.param("g = batches(x)\np = model.predict(g, steps=2)\n", id="keras3-predict-generator"),
    pytest.param("class L(keras.layers.Layer):\n    def call(self, x):\n"
                 "        self.add_loss(keras.ops.sum(x))\n        self.inner.add_loss(1.0)\n"
                 "        return x\n", id="keras3-layer-add-loss"),
    pytest.param("layer.reset_state()\nmetric.reset_state()\nstore.reset_states(True)\n"
                 "w = keras.ops.where(c, a, b)\n", id="keras3-reset-state-and-where"),
    pytest.param("self.w = self.add_weight((n, 2), 'zeros', name='w')\n"
                 "self.b = self.add_weight(shape=(2,), name='b')\n", id="keras3-add-weight"),
]


@pytest.mark.parametrize("before, after", CASES)
def test_rewrite(before, after):
    check_rewrite(before, after)


@pytest.mark.parametrize("before, after", SEQUENCE_CASES)
def test_loading_options_move_onto_a_sequence_of_the_same_file(before, after):
    test_rewrite(before, after)


@pytest.mark.parametrize("before, after", HELPER_CASES)
def test_rewrite_with_helpers_written_into_the_module(before, after):
    test_rewrite(before, after)


def test_rnn_reset_states_with_values_is_reported_not_rewritten():
    source = "layer.reset_states([h, c])\nmodel.reset_states()\n"
    new, findings = migrate_source(source)
    assert "\nlayer.reset_states([h, c])\nkeras2_reset_states(model)\n" in new
    assert [(f.rule, f.changed) for f in findings] == [("reset-states", False),
                                                       ("reset-states", True)]
    assert "state.assign(value)" in findings[0].fix


@pytest.mark.parametrize("source", MUST_NOT_CHANGE)
def test_must_not_change(source):
    check_unchanged(source)


def test_predict_generator_of_bare_batches_runs_on_plain_keras3_once_migrated():
    """Keras 2 took a generator yielding ``x`` alone; Keras 3's predict wants ``(x,)``."""
    source = _d("""
        import numpy as np
        import keras
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        def batches(x):
            while True:
                for i in range(0, len(x), 2):
                    yield x[i:i + 2]
        gen = batches(np.ones((6, 3), "float32"))
        out = model.predict_generator(gen, 3)
        """)
    new, _ = migrate_source(source)
    namespace: dict = {}
    exec(compile(new, "migrated.py", "exec"), namespace)  # Keras 3 alone: no kfitcompat
    assert namespace["out"].shape == (6, 2)
    unwrapped = new.replace("(b if isinstance(b, tuple) else (b,) for b in gen)", "gen")
    with pytest.raises(ValueError, match="must return a tuple"):
        exec(compile(unwrapped, "unwrapped.py", "exec"), {})


@pytest.mark.parametrize("target", [KERAS3, KFITCOMPAT])
def test_unguarded_use_multiprocessing_is_noted_and_a_guarded_one_is_not(target):
    call = "model.fit_generator(seq, workers=2, {}=True)\n"
    for keyword in ("use_multiprocessing", "pickle_safe"):
        _, findings = migrate_source(call.format(keyword), target, rewrite=False)
        noted = [f for f in findings if f.rule == "unguarded-processes"]
        assert len(noted) == 1 and not noted[0].changed and keyword in noted[0].message
    guarded = "if __name__ == '__main__':\n    " + call.format("use_multiprocessing")
    _, findings = migrate_source(guarded, target, rewrite=False)
    assert "unguarded-processes" not in [f.rule for f in findings]


def test_migrated_vae_add_loss_trains_on_plain_keras3():
    """The Keras 2 VAE's ``vae.add_loss(K.mean(...))`` then ``compile(optimizer)`` with no
    loss: migrated, it trains on Keras 3 alone, with that tensor as the loss."""
    source = _d("""
        import numpy as np
        from keras import backend as K
        from keras.layers import Dense, Input
        from keras.models import Model
        from keras.optimizers import SGD
        x = np.random.default_rng(5).normal(size=(64, 6)).astype("float32")
        inputs = Input((6,))
        outputs = Dense(6)(inputs)
        model = Model(inputs, outputs)
        model.add_loss(K.mean(K.sum(K.square(outputs - inputs), axis=-1)))
        model.compile(optimizer=SGD(lr=0.01))
        expected = float(np.mean(np.sum((model.predict(x, verbose=0) - x) ** 2, axis=-1)))
        evaluated = model.evaluate(x, batch_size=64, verbose=0)
        history = model.fit(x, epochs=5, batch_size=16, verbose=0)
        """)
    new, findings = migrate_source(source)
    assert "symbolic-add-loss" in {f.rule for f in findings}
    ns: dict = {}
    exec(compile(new, "migrated.py", "exec"), ns)  # Keras 3 alone: no kfitcompat
    assert ns["evaluated"] == pytest.approx(ns["expected"], rel=1e-4)
    losses = ns["history"].history["loss"]
    assert losses[-1] < losses[0]


def test_migrated_add_metric_logs_on_plain_keras3():
    """tf.keras 2's ``self.add_metric(..., name=, aggregation='mean')`` in a layer and
    ``model.add_metric(symbolic)`` on a functional model: migrated, both are logged on Keras 3
    alone (whose ``add_metric`` raises), with Keras 2's values."""
    source = _d("""
        import numpy as np
        from tensorflow import keras
        from tensorflow.keras import backend as K

        class Activity(keras.layers.Layer):
            def call(self, inputs):
                self.add_metric(K.sum(inputs), name="activity", aggregation="mean")
                return inputs

        inputs = keras.Input((1,))
        y = keras.layers.Dense(2, kernel_initializer="ones", trainable=False)(Activity()(inputs))
        model = keras.Model(inputs, y)
        model.add_metric(K.sum(y), name="total")
        model.compile("sgd", "mse")
        history = model.fit(np.ones((10, 1)), np.ones((10, 2)), epochs=2, batch_size=5,
                            verbose=0)
        """)
    new, findings = migrate_source(source)
    assert [f.rule for f in findings].count("add-metric") == 2
    ns: dict = {}
    exec(compile(new, "migrated.py", "exec"), ns)  # Keras 3 alone: no kfitcompat
    logs = ns["history"].history
    assert logs["activity"][-1] == pytest.approx(5.0)  # sum of a batch of 5 ones
    assert logs["total"][-1] == pytest.approx(10.0)  # 5 rows x 2 units



def test_keras0_keywords_keras1_ignored_are_dropped():
    from kfitcompat.migrate import migrate_source

    source = ("model.compile(loss='mse', optimizer='adam', class_mode='binary')\n"
              "model.fit(X, y, nb_epoch=5, show_accuracy=True)\n"
              "score = model.evaluate(X, y, show_accuracy=True, verbose=0)\n")
    out, findings = migrate_source(source)
    assert out == ("model.compile(loss='mse', optimizer='adam')\n"
                   "model.fit(X, y, epochs=5)\n"
                   "score = model.evaluate(X, y, verbose=0)\n")
    assert sorted(f.rule for f in findings) == ["class_mode", "nb_epoch", "show_accuracy",
                                                "show_accuracy"]
    assert migrate_source(out) == (out, [])
