"""Golden before/after cases of the ``imports`` rule family
(``kfitcompat/migrate/plugins/imports.py``), plus must-not-change cases."""

from __future__ import annotations

import pytest

pytest.importorskip("libcst")

from .golden import _d, check_rewrite, check_unchanged  # noqa: E402

CASES = [
    pytest.param(
        "from keras.wrappers.scikit_learn import KerasClassifier, KerasRegressor\n",
        "from kfitcompat.keras2.scikit_learn import KerasClassifier, KerasRegressor\n",
        id="scikit-learn-wrappers-to-kfitcompat"),
    pytest.param(
        "from keras.preprocessing.image import ImageDataGenerator\n",
        "from kfitcompat.image import ImageDataGenerator\n", id="image-import"),
    pytest.param(
        "from keras.preprocessing.image import ImageDataGenerator, img_to_array, random_rotation\n",
        _d("""
        from kfitcompat.image import ImageDataGenerator, random_rotation
        from keras.preprocessing.image import img_to_array
        """), id="image-import-split"),
    pytest.param(
        "from keras.utils.np_utils import to_categorical\n",
        "from keras.utils import to_categorical\n", id="np_utils"),
    pytest.param(
        _d("""
        from keras.utils import np_utils
        y = np_utils.to_categorical(labels, 10)
        """),
        _d("""
        from keras import utils as np_utils
        y = np_utils.to_categorical(labels, 10)
        """), id="np_utils-module-attribute"),
    pytest.param(
        _d("""
        from keras.utils import np_utils, generic_utils, to_categorical
        y = np_utils.to_categorical(labels, 10)
        bar = generic_utils.Progbar(10)
        """),
        _d("""
        from keras import utils as np_utils
        from keras import utils as generic_utils
        from keras.utils import to_categorical
        y = np_utils.to_categorical(labels, 10)
        bar = generic_utils.Progbar(10)
        """), id="keras-utils-modules-beside-names"),
    pytest.param(
        _d("""
        from keras.preprocessing import image
        gen = image.ImageDataGenerator(rescale=1. / 255)
        """),
        _d("""
        from kfitcompat import image
        gen = image.ImageDataGenerator(rescale=1. / 255)
        """), id="image-module-attribute"),
    pytest.param(
        "from keras.layers.core import Dense, Flatten\n",
        "from keras.layers import Dense, Flatten\n", id="keras-layers-core"),
    pytest.param(
        _d("""
        from keras.losses import mse, binary_crossentropy
        from keras.metrics import mae as m
        from keras.constraints import maxnorm
        """),
        _d("""
        from keras.losses import mean_squared_error as mse, binary_crossentropy
        from keras.metrics import mean_absolute_error as m
        from keras.constraints import MaxNorm as maxnorm
        """), id="keras2-alias-import"),
]


MUST_NOT_CHANGE = [
    pytest.param("from keras.preprocessing.image import load_img, img_to_array\n",
                 id="helpers-keras3-still-has"),
    pytest.param("from keras.utils import to_categorical\n", id="keras3-utils-import"),
    pytest.param("from keras.preprocessing import image\nx = image.load_img(p)\n",
                 id="keras3-image-module"),
    pytest.param("from keras.losses import mean_squared_error as mse\n"
                 "from keras.constraints import MaxNorm, max_norm\n", id="keras3-loss-names"),
]


@pytest.mark.parametrize("before, after", CASES)
def test_rewrite(before, after):
    check_rewrite(before, after)


@pytest.mark.parametrize("source", MUST_NOT_CHANGE)
def test_must_not_change(source):
    check_unchanged(source)


def test_keras_utils_modules_migrated_run_on_plain_keras3():
    """`from keras.utils import np_utils, generic_utils`: Keras 3 has neither module; the
    migrated imports give the same functions from keras.utils (no kfitcompat involved)."""
    import numpy as np

    from kfitcompat.migrate import migrate_source

    source = ("from keras.utils import np_utils, generic_utils\n"
              "y = np_utils.to_categorical([0, 2], 3)\nbar = generic_utils.Progbar(2)\n")
    new, _ = migrate_source(source)
    ns: dict = {}
    exec(compile(new, "migrated.py", "exec"), ns)
    np.testing.assert_array_equal(ns["y"], [[1, 0, 0], [0, 0, 1]])
    assert type(ns["bar"]).__name__ == "Progbar"


def _keras2_modules():
    from kfitcompat.keras2.modules import MODULES

    return sorted(MODULES)


@pytest.mark.parametrize("module", _keras2_modules())
def test_every_keras2_module_install_answers_has_a_migrate_outcome(module):
    """Parity: `install()` answers `from <module> import ...` for every Keras 2 module of
    kfitcompat.keras2.modules; migrate rewrites the import or reports it, never silence."""
    from kfitcompat.keras2.modules import LEGACY, MODULES
    from kfitcompat.migrate import migrate_source
    from kfitcompat.migrate.rules import IMPORT_MOVES, PORTABLE_MODULES

    spec = MODULES[module]
    name = next(iter(spec)) if isinstance(spec, dict) else "something"
    out, findings = migrate_source(f"from {module} import {name}\n")
    assert [f.rule for f in findings] == ["import-moved"], module
    target = spec[name] if isinstance(spec, dict) else spec
    keras3 = target.startswith("keras") and not target.startswith(LEGACY)
    portable = target.partition(":")[0] in PORTABLE_MODULES  # runs without install()
    assert findings[0].changed == (keras3 or portable or module in IMPORT_MOVES)


def test_a_moved_import_brings_only_names_keras3s_module_has():
    """`from keras.utils.np_utils import probas_to_classes` was rewritten to `from
    keras.utils import probas_to_classes`, which Keras 3 refuses: every name install()
    answers in a wholesale-moved module is either in Keras 3's module or left and reported."""
    import importlib

    from kfitcompat.keras2.modules import MODULES
    from kfitcompat.migrate import migrate_source
    from kfitcompat.migrate.rules import IMPORT_MOVES

    checked = 0
    for module, (new, _) in IMPORT_MOVES.items():
        spec = MODULES.get(module)
        if not isinstance(spec, dict):
            continue
        target = importlib.import_module(new)
        for name in spec:
            source = f"from {module} import {name}\n"
            out, findings = migrate_source(source)
            moved = [f for f in findings if f.rule == "import-moved"]
            assert len(moved) == 1, (module, name, findings)
            if out != source:
                assert hasattr(target, name), (module, name, out)
                checked += 1
            else:
                assert not hasattr(target, name) and not moved[0].changed, (module, name)
    assert checked >= 4


@pytest.mark.parametrize("name", ["_get_available_gpus", "set_session"])
def test_a_module_alias_import_of_a_name_only_install_adds_is_left_and_reported(name):
    """`from keras.backend.tensorflow_backend import set_session` was rewritten to `from
    keras.backend import set_session`, which Keras 3 refuses (kfitcompat adds the name)."""
    import keras

    from kfitcompat.migrate import migrate_source

    source = f"from keras.backend.tensorflow_backend import {name}\n"
    out, findings = migrate_source(source)
    assert out == source and not hasattr(keras.backend, name)
    assert [(f.rule, f.changed) for f in findings] == [("import-moved", False)]
    assert "keep kfitcompat.install()" in findings[0].fix


def test_keras2_module_imports_migrate_to_where_keras3_keeps_the_names():
    import keras

    from kfitcompat.migrate import migrate_source

    source = ("from keras.engine.topology import Layer, InputSpec\n"
              "from keras.engine.network import Network\n"
              "from keras.objectives import categorical_crossentropy as cce\n"
              "from keras.utils.generic_utils import Progbar\n")
    out, findings = migrate_source(source)
    assert out == ("from keras.layers import Layer, InputSpec\n"
                   "from keras import Model as Network\n"
                   "from keras.losses import categorical_crossentropy as cce\n"
                   "from keras.utils import Progbar\n")
    assert all(f.changed for f in findings) and migrate_source(out) == (out, [])
    ns: dict = {}
    exec(compile(out, "migrated.py", "exec"), ns)  # plain Keras 3, no kfitcompat
    assert ns["Network"] is keras.Model and ns["Layer"] is keras.layers.Layer
    mixed = "from keras.engine import Input, Layer\n"
    out, findings = migrate_source(mixed)
    assert out.endswith(mixed) and [(f.rule, f.changed) for f in findings] == [
        ("import-moved", False)]
    assert "from keras import Input" in findings[0].fix
    assert "from keras.layers import Layer" in findings[0].fix


def test_predict_proba_beside_scikit_learn_is_reported_not_rewritten():
    from kfitcompat.migrate import migrate_source

    source = ("from sklearn.linear_model import LogisticRegression\n"
              "p = clf.predict_proba(x)\n")
    out, findings = migrate_source(source)
    assert out.endswith(source) and [(f.rule, f.changed) for f in findings] == [
        ("predict_proba", False)]
