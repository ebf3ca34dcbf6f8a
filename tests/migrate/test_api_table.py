"""Golden cases of the ``api_table`` rule family (rule ``keras2-api``,
``kfitcompat/migrate/plugins/api_table.py``): it reports every use of a Keras 2 row that no
other rule rewrites, and changes no text; plus must-not-change cases."""

from __future__ import annotations

import pytest

pytest.importorskip("libcst")

from kfitcompat.migrate import migrate_source  # noqa: E402

from .golden import _d, check_unchanged  # noqa: E402

#: (source, [(line, the finding's message starts with)]): reported, the text kept
REPORTS = [
    pytest.param(_d("""
        import keras.utils.visualize_util
        import keras.legacy.interfaces as interfaces
        import tensorflow.keras.layers
        """), [(1, "`keras.utils.visualize_util`: Keras 2 API kfitcompat does not translate"),
               (2, "`keras.legacy.interfaces`: Keras 2 API kfitcompat does not translate")],
        id="import-of-a-module"),
    pytest.param(_d("""
        import keras
        shape = model.layers[0].output_shape
        """), [(2, "`.output_shape`: Keras 2 API; kfitcompat.install() gives it Keras 2's")],
        id="translated-attribute"),
    pytest.param(_d("""
        import keras
        names = model.input_names
        outputs = model.output_names
        """), [(2, "`.input_names`: Keras 2 API; kfitcompat.install() gives it Keras 2's")],
        id="input-names-not-output-names-which-keras3-functional-models-have"),
    pytest.param(_d("""
        import keras
        layer = keras.layers.Highway(8)
        """), [(2, "`keras.layers.Highway`: Keras 2 API kfitcompat does not "
                   "translate: Keras 2's legacy layers")], id="refused-name"),
    pytest.param(_d("""
        from keras.layers import TimeDistributedDense
        from tensorflow.keras.layers import MaxoutDense
        """), [(1, "`keras.layers.TimeDistributedDense`: Keras 2 API; kfitcompat.install() "
                   "gives it"),
               (2, "`keras.layers.MaxoutDense`: Keras 2 API kfitcompat does not translate")],
        id="from-import-without-import-keras"),
    pytest.param(_d("""
        import keras
        layer = keras.layers.LocallyConnected2D(8, (3, 3))
        """), [(2, "`keras.layers.LocallyConnected2D`: Keras 2 API; kfitcompat.install() "
                   "gives it")], id="translated-name-keras3-lacks"),
    # translated names of modules Keras 3 keeps: the import-moved rule does not see them
    pytest.param(_d("""
        from keras.callbacks import BaseLogger
        from keras.utils import GeneratorEnqueuer
        import keras
        loss = keras.losses.KLD(a, b)
        from keras.models import model_from_config
        """), [(1, "`keras.callbacks.BaseLogger`: Keras 2 API; kfitcompat.install() gives it"),
               (2, "`keras.utils.GeneratorEnqueuer`: Keras 2 API; kfitcompat.install() gives"),
               (4, "`keras.losses.KLD`: Keras 2 API; kfitcompat.install() gives it"),
               (5, "`keras.models.model_from_config`: Keras 2 API; kfitcompat.install() gives")],
        id="translated-names-of-kept-modules"),
    pytest.param(_d("""
        from keras import backend as K
        print(K.tensorflow_backend._get_available_gpus())
        """), [(2, "`keras.backend.tensorflow_backend._get_available_gpus`: Keras 2 API; "
                   "kfitcompat.install() gives it")], id="notebook-gpu-check"),
]

MUST_NOT_CHANGE = [
    # Keras 2's Dense read input_dim out of **kwargs (so did Keras 3's Layer): not Keras 1
    # only, as the table said when it read signatures alone
    pytest.param("import keras\nx = keras.layers.Dense(3, input_dim=4)\n", id="dense-input-dim"),
    # Keras 2's Model(inputs=, outputs=) went through **kwargs too; Keras 3 builds a
    # functional model from them
    pytest.param("import keras\nm = keras.Model(inputs=a, outputs=b)\n", id="model-inputs"),
    pytest.param("import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])\n"
                 "m.compile('sgd', 'mse')\n", id="keras3-code"),
]


@pytest.mark.parametrize("source, expected", REPORTS)
def test_reports_and_keeps_the_text(source, expected):
    new, findings = migrate_source(source)
    assert new == source
    got = [(f.line, f.message) for f in findings if f.rule == "keras2-api"]
    assert len(got) == len(expected)
    for (line, message), (want_line, start) in zip(got, expected):
        assert line == want_line and message.startswith(start), (line, message)


@pytest.mark.parametrize("source", MUST_NOT_CHANGE)
def test_must_not_change(source):
    check_unchanged(source)


def test_every_translated_name_is_rewritten_or_reported_where_it_is_used():
    """Never silence: each name row install() translates, imported from its Keras 2 module
    or reached through the module's attribute, gets a finding on that line (a rewrite, or a
    report naming what to do)."""
    from kfitcompat.legacy.api import keras2_rows
    from kfitcompat.legacy.lookup import verdict_of
    from kfitcompat.legacy.verdicts import TRANSLATED

    silent, count = [], 0
    for row in keras2_rows():
        if row.kind != "name" or row.keras1_only or verdict_of(row.id).verdict != TRANSLATED:
            continue
        count += 1
        module, _, name = row.path.rpartition(".")
        for source in (f"from {module} import {name}\n", f"import {module}\n{row.path}(1)\n"):
            _, findings = migrate_source(source, rewrite=False)
            if not any(f.line == source.count("\n") for f in findings):
                silent.append(source)
    assert count > 500
    assert not silent, silent[:5]


def test_a_backend_name_has_the_backend_rows_reason():
    from kfitcompat.legacy.lookup import verdict_of

    found = verdict_of("name keras.backend.gradients")
    assert "backend function" in found.why and found.migrate == "backend-ops"
    _, findings = migrate_source("from keras.backend import gradients\n", rewrite=False)
    assert [f.rule for f in findings] == ["keras2-api"]
