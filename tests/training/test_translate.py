"""The Keras 1 -> Keras 2 keyword table (pure functions)."""

from __future__ import annotations

import inspect

import keras
import pytest

import kfitcompat
from kfitcompat.training.legacy_args import LEGACY_ARGS
from kfitcompat.training.translate import translate_legacy_kwargs


class _WithBatchSize:
    batch_size = 32


@pytest.mark.parametrize(
    "method, legacy, generator, expected",
    [
        pytest.param("fit_generator", {"nb_epoch": 5}, None, {"epochs": 5}, id="nb_epoch"),
        pytest.param("fit_generator", {"samples_per_epoch": 640}, _WithBatchSize(),
                     {"steps_per_epoch": 20}, id="samples_per_epoch-divided"),
        pytest.param("fit_generator", {"samples_per_epoch": 640}, iter([]),
                     {"steps_per_epoch": 640}, id="samples_per_epoch-no-batch_size"),
        pytest.param("fit_generator", {"nb_val_samples": 64}, _WithBatchSize(),
                     {"validation_steps": 64}, id="nb_val_samples-not-divided"),
        pytest.param("evaluate_generator", {"val_samples": 10}, None, {"steps": 10},
                     id="val_samples"),
        pytest.param("predict_generator", {"nb_worker": 4, "pickle_safe": True, "max_q_size": 3},
                     None, {"workers": 4, "use_multiprocessing": True, "max_queue_size": 3},
                     id="loading-spellings"),
        pytest.param("fit", {"nb_epoch": 3}, None, {"epochs": 3}, id="fit-nb_epoch"),
    ],
)
def test_keras1_spellings(method, legacy, generator, expected):
    with pytest.warns(kfitcompat.LegacyArgumentWarning) as record:
        out = translate_legacy_kwargs(method, {}, legacy, generator)
    assert out == expected
    assert len(record) == len(legacy)
    for warning, (target, value) in zip(record, expected.items()):
        assert f"`{target}={value!r}`" in str(warning.message)


def test_warning_points_at_the_callers_line():
    with pytest.warns(kfitcompat.LegacyArgumentWarning) as record:
        translate_legacy_kwargs("fit", {}, {"nb_epoch": 2})
    assert record[0].filename == __file__


@pytest.mark.parametrize("method, name", [("fit", "samples_per_epoch"),
                                          ("evaluate_generator", "nb_epoch")])
def test_spelling_not_accepted_by_that_method(method, name):
    with pytest.raises(TypeError, match=f"{method}\\(\\) got an unexpected keyword argument"):
        translate_legacy_kwargs(method, {}, {name: 1})


def test_every_rename_target_exists_in_the_entry_point_signature():
    for row in LEGACY_ARGS:
        if row.action != "rename":
            continue
        for method in row.methods:
            params = inspect.signature(getattr(kfitcompat, method)).parameters
            assert row.target in params, (row.name, method)


def test_keras3_still_lacks_what_we_route_to_the_data_pipeline():
    """If Keras 3 takes `workers` on fit again, the table must be revisited."""
    params = inspect.signature(keras.Model.fit).parameters
    for row in LEGACY_ARGS:
        if row.action in ("data", "callback"):
            assert row.name not in params
        if row.action == "data":
            assert row.name not in params
            assert row.name in inspect.signature(keras.utils.PyDataset.__init__).parameters


def test_modern_fit_arguments_all_reach_keras3():
    ours = set(inspect.signature(kfitcompat.fit).parameters) - {"model", "legacy_kwargs"}
    k3 = set(inspect.signature(keras.Model.fit).parameters) - {"self"}
    assert k3 <= ours
    assert ours - k3 == {"workers", "use_multiprocessing", "max_queue_size", "view_metrics"}


def test_docs_table_is_generated_from_legacy_args():
    import pathlib
    import runpy

    docs = pathlib.Path(__file__).resolve().parents[2] / "docs"
    render = runpy.run_path(str(docs / "gen_legacy_arguments.py"))["render"]
    assert (docs / "legacy_arguments.md").read_text() == render()
    render = runpy.run_path(str(docs / "gen_surface.py"))["render"]
    assert (docs / "surface.md").read_text() == render()
