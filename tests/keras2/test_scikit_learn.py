"""Keras 2's ``keras.wrappers.scikit_learn`` after ``install()``, driven by scikit-learn itself
(``clone``, ``cross_val_score``, ``GridSearchCV``, ``Pipeline``), as the Keras 2 tutorials
use it. Keras 2.3.1's own ``tests/keras/wrappers/scikit_learn_test.py`` runs in the upstream
suite runner."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import kfitcompat

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402


@pytest.fixture
def wrappers(installed):
    return importlib.import_module("keras.wrappers.scikit_learn")


def _data(n=60):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype("float32")
    labels = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5).astype(int)
    return x, labels


def _classifier(units=8, optimizer="adam"):
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(units, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    return model


def test_a_classifier_takes_labels_one_hot_rows_and_keras1_epochs(wrappers):
    x, labels = _data()
    names = np.array(["cat", "dog", "eel"])[labels]
    est = wrappers.KerasClassifier(build_fn=_classifier, units=4, nb_epoch=3, batch_size=20,
                                   verbose=0)
    history = est.fit(x, names)  # 1-D labels of a categorical_crossentropy model: one-hot
    assert len(history.history["loss"]) == 3  # Keras 1's nb_epoch: three epochs
    assert list(est.classes_) == ["cat", "dog", "eel"] and est.n_classes_ == 3
    assert est.model.layers[0].units == 4  # the build_fn's parameter went to build_fn
    proba = est.predict_proba(x)
    np.testing.assert_allclose(proba, est.model.predict(x, verbose=0), rtol=1e-6)
    assert list(est.predict(x[:6])) == list(est.classes_[proba[:6].argmax(-1)])
    onehot = np.eye(3)[labels]
    accuracy = est.model.evaluate(x, onehot, verbose=0, return_dict=True)["accuracy"]
    assert est.score(x, names) == pytest.approx(accuracy)


@pytest.mark.slow  # a grid search: tens of fits
def test_scikit_learn_clones_cross_validates_and_grid_searches_it(wrappers):
    import keras

    x, labels = _data()
    stop = [keras.callbacks.EarlyStopping(monitor="loss", patience=1)]
    est = wrappers.KerasClassifier(build_fn=_classifier, epochs=2, batch_size=20, verbose=0,
                                   callbacks=stop)
    copied = clone(est).get_params()["callbacks"]  # Keras 2's deep copies: a RuntimeError
    assert isinstance(copied[0], keras.callbacks.EarlyStopping) and copied is not stop
    scores = cross_val_score(est, x, np.eye(3)[labels], cv=KFold(n_splits=3))
    assert scores.shape == (3,) and np.all((0 <= scores) & (scores <= 1))
    grid = GridSearchCV(wrappers.KerasClassifier(build_fn=_classifier, verbose=0),
                        param_grid={"units": [2, 4], "epochs": [1, 2]}, cv=2).fit(x, labels)
    assert grid.best_params_["units"] in (2, 4) and grid.best_params_["epochs"] in (1, 2)
    assert grid.best_estimator_.model.layers[0].units == grid.best_params_["units"]


def test_a_regressor_in_a_pipeline_scores_minus_its_loss(wrappers):
    import keras

    x, _ = _data()
    y = 2 * x[:, 0] + 1

    def regression():
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(loss="mean_squared_error", optimizer="sgd")
        return model

    pipe = Pipeline([("scale", StandardScaler()),
                     ("mlp", wrappers.KerasRegressor(build_fn=regression, epochs=2,
                                                     batch_size=10, verbose=0))])
    scores = cross_val_score(pipe, x, y, cv=KFold(n_splits=2))
    assert np.all(np.isfinite(scores)) and np.all(scores <= 0)
    pipe.fit(x, y)
    mlp = pipe.named_steps["mlp"]
    scaled = pipe.named_steps["scale"].transform(x)
    assert mlp.predict(scaled).shape == (60,)
    loss = mlp.model.evaluate(scaled, y, verbose=0)
    assert pipe.score(x, y) == pytest.approx(-loss, rel=1e-5)


def test_an_unknown_parameter_is_named(wrappers):
    with pytest.raises(ValueError, match="epoch is not a legal parameter"):
        wrappers.KerasClassifier(build_fn=_classifier, epoch=3)
    est = wrappers.KerasClassifier(build_fn=_classifier)
    with pytest.raises(ValueError, match="unit is not a legal parameter"):
        est.set_params(unit=3)
    with pytest.raises(ValueError, match=r"Invalid shape for y: \(2, 2, 2\)"):
        est.fit(np.zeros((2, 4)), np.zeros((2, 2, 2)))


def test_the_module_is_gone_after_uninstall():
    kfitcompat.install()
    kfitcompat.uninstall()
    with pytest.raises(ImportError, match="kfitcompat does not translate|No module"):
        importlib.import_module("keras.wrappers.scikit_learn")


def test_predicting_no_samples_gives_an_empty_array_of_the_output_shape(wrappers):
    import keras

    x, labels = _data()
    est = wrappers.KerasClassifier(build_fn=_classifier, epochs=1, verbose=0)
    est.fit(x, labels)  # returns the History, as Keras 2's did

    def regression():
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(loss="mse", optimizer="sgd")
        return model

    reg = wrappers.KerasRegressor(build_fn=regression, epochs=1, verbose=0)
    reg.fit(x, x[:, 0])
    assert reg.predict(x[:0]).shape == (0,)  # Keras 3's predict fails on no samples
    assert est.predict_proba(x[:0]).shape == (0, 3)


def test_a_migrated_script_runs_the_wrappers_on_plain_keras3():
    """`migrate` rewrites `from keras.wrappers.scikit_learn import ...` to kfitcompat's module
    (Keras 3's SKLearnClassifier has another contract): it must run without install()."""
    pytest.importorskip("libcst")
    from kfitcompat.migrate import migrate_source

    source = (
        "import numpy as np\n"
        "from keras.models import Sequential\n"
        "from keras.layers import Dense\n"
        "from keras.wrappers.scikit_learn import KerasClassifier\n"
        "from sklearn.model_selection import cross_val_score\n"
        "def create():\n"
        "    model = Sequential()\n"
        "    model.add(Dense(8, input_dim=4, activation='relu'))\n"
        "    model.add(Dense(3, activation='softmax'))\n"
        "    model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['acc'])\n"
        "    return model\n"
        "est = KerasClassifier(build_fn=create, nb_epoch=1, batch_size=16, verbose=0)\n"
        "scores = cross_val_score(est, X, Y, cv=2)\n")
    migrated, findings = migrate_source(source)
    assert "from kfitcompat.keras2.scikit_learn import KerasClassifier" in migrated
    assert not kfitcompat.is_installed()
    x, labels = _data()
    scope = {"X": x, "Y": labels}
    exec(compile(migrated, "migrated.py", "exec"), scope)
    assert len(scope["scores"]) == 2 and all(0 <= s <= 1 for s in scope["scores"])
