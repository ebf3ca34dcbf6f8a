"""Keras 2 module paths Keras 3 removed: ``keras.utils.np_utils``, ``keras.utils.data_utils``,
``keras.utils.generic_utils``, ``keras.layers.core`` and the other ``keras.layers.*`` files,
``keras.engine``. After ``kfitcompat.install`` each is importable again
(``from keras.utils import np_utils``, ``from keras.layers.core import Dense``); each is a
module of re-exported names (``MODULES``), never a copy of Keras code.
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np

__all__ = ["KERAS1_NP_UTILS", "LAYER_FILES", "LEGACY", "MODULES", "build_module",
           "categorical_probas_to_classes", "normalize", "probas_to_classes"]


def normalize(x: Any, axis: int = -1, order: int = 2) -> np.ndarray:
    """Keras 2 ``np_utils.normalize``: ``x`` divided by its ``order``-norm along ``axis``."""
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)


def categorical_probas_to_classes(p: Any) -> np.ndarray:
    """Keras 1 ``np_utils.categorical_probas_to_classes``; modern: ``np.argmax(p, axis=1)``."""
    return np.argmax(p, axis=1)


def probas_to_classes(y_pred: Any) -> np.ndarray:
    """Keras 1 ``np_utils.probas_to_classes``: the class of each row (several columns: the
    largest; one column or a vector: 1 above 0.5, else 0); modern: ``np.argmax`` or
    ``(y_pred > 0.5).astype(int)``."""
    y_pred = np.asarray(y_pred)
    if y_pred.ndim > 1 and y_pred.shape[1] > 1:
        return categorical_probas_to_classes(y_pred)
    return (y_pred.reshape(len(y_pred), -1)[:, 0] > 0.5).astype(int)


#: A module spec that names Keras 3's own tf.keras 2 copy of a module
#: (``kfitcompat._keras_private.legacy_module``).
LEGACY = "keras-legacy:"

LAYER_FILES = ("core", "convolutional", "pooling", "normalization", "recurrent", "embeddings",
                "advanced_activations", "merge", "wrappers", "noise", "local",
                "convolutional_recurrent")

#: Keras 1's ``np_utils`` functions that Keras 3's ``keras.utils`` lacks (the other names of
#: the module are there)
KERAS1_NP_UTILS = ("probas_to_classes", "categorical_probas_to_classes")

#: module path -> {name: "module:attribute"}; an empty dict means "the whole target module".
MODULES: dict[str, dict[str, str] | str] = {
    "keras.utils.np_utils": {
        "to_categorical": "kfitcompat.utils:to_categorical",
        "normalize": "kfitcompat.keras2.modules:normalize",
        **{name: f"kfitcompat.keras2.modules:{name}" for name in KERAS1_NP_UTILS}},
    "keras.utils.data_utils": {
        "Sequence": "kfitcompat.data.sequence:Sequence",
        "OrderedEnqueuer": "kfitcompat.utils:OrderedEnqueuer",
        "GeneratorEnqueuer": "kfitcompat.utils:GeneratorEnqueuer",
        "SequenceEnqueuer": "kfitcompat.utils:SequenceEnqueuer",
        "get_file": "keras.utils:get_file"},
    "keras.utils.generic_utils": {
        "Progbar": "keras.utils:Progbar",
        "CustomObjectScope": "keras.utils:CustomObjectScope",
        "custom_object_scope": "keras.utils:custom_object_scope",
        "get_custom_objects": "keras.utils:get_custom_objects",
        "serialize_keras_object": "keras.utils:serialize_keras_object",
        "deserialize_keras_object": "keras.utils:deserialize_keras_object"},
    "keras.utils.losses_utils": {"Reduction": "kfitcompat.keras2.losses:Reduction"},
    "keras.engine": {"Input": "keras:Input", "Layer": "keras.layers:Layer",
                     "get_source_inputs": "keras.utils:get_source_inputs",
                     "InputSpec": "keras.layers:InputSpec", "Model": "keras:Model"},
    "keras.engine.topology": {"Input": "keras:Input", "Layer": "keras.layers:Layer",
                              "InputSpec": "keras.layers:InputSpec"},
    **{f"keras.layers.{name}": "keras.layers" for name in LAYER_FILES},
    "keras.engine.base_layer": {"Layer": "keras.layers:Layer",
                                "InputSpec": "keras.layers:InputSpec"},
    "keras.engine.input_layer": {"Input": "keras:Input", "InputLayer": "keras.layers:InputLayer"},
    "keras.engine.network": {"Network": "keras:Model",
                             "get_source_inputs": "keras.utils:get_source_inputs"},
    "keras.engine.training": {"Model": "keras:Model"},
    "keras.engine.sequential": {"Sequential": "keras:Sequential"},
    "keras.engine.saving": {"load_model": "keras.models:load_model",
                            "save_model": "keras.models:save_model",
                            "model_from_json": "keras.models:model_from_json"},
    "keras.backend.tensorflow_backend": "keras.backend",
    "keras.backend.common": "keras.backend",
    "keras.objectives": "keras.losses",
    "keras.callbacks.callbacks": "keras.callbacks",
    "keras.callbacks.tensorboard_v2": {"TensorBoard": "keras.callbacks:TensorBoard"},
    "keras.callbacks.tensorboard_v1": {"TensorBoard": "keras.callbacks:TensorBoard"},
    "keras.utils.vis_utils": {"plot_model": "keras.utils:plot_model",
                              "model_to_dot": "keras.utils:model_to_dot"},
    "keras.applications.mobilenetv2": "keras.applications.mobilenet_v2",
    "keras.preprocessing.text": LEGACY + "preprocessing.text",
    **{f"{root}.wrappers.scikit_learn": {
        name: f"kfitcompat.keras2.scikit_learn:{name}"
        for name in ("BaseWrapper", "KerasClassifier", "KerasRegressor")}
       for root in ("keras", "tensorflow.keras")},
    "keras.utils.conv_utils": {name: f"kfitcompat.keras2.conv_utils:{name}" for name in (
        "conv_input_length", "conv_output_length", "convert_kernel", "deconv_length",
        "normalize_data_format", "normalize_padding", "normalize_tuple")},
    "keras.utils.layer_utils": {"print_summary": "kfitcompat.keras2.attributes:print_summary",
                                "count_params": "kfitcompat.keras2.attributes:count_params",
                                "get_source_inputs": "keras.utils:get_source_inputs"},
    "keras.utils.multi_gpu_utils": {
        "multi_gpu_model": "kfitcompat.keras2.attributes:multi_gpu_model"},
}


def build_module(path: str) -> types.ModuleType:
    """The module object that answers ``path`` after ``install()``."""
    import importlib

    spec = MODULES[path]
    if isinstance(spec, str) and spec.startswith(LEGACY):
        from .._keras_private import legacy_module

        return legacy_module(spec[len(LEGACY):])
    if isinstance(spec, str):
        return importlib.import_module(spec)
    module = types.ModuleType(path, f"Keras 2 `{path}` (kfitcompat re-exports; Keras 3 has "
                                    "these names elsewhere).")
    for name, target in spec.items():
        where, _, attr = target.partition(":")
        setattr(module, name, getattr(importlib.import_module(where), attr))
    module.__all__ = sorted(spec)  # type: ignore[attr-defined]
    if any(other.startswith(path + ".") for other in MODULES):
        module.__path__ = []  # type: ignore[attr-defined]  # a package: keras.engine.training
    return module


def get_file(original: Any) -> Any:
    """``keras.utils.get_file`` whose ``extract=True`` also leaves the archive's contents
    beside it, where Keras 2 put them (``~/.keras/datasets/cats_and_dogs_filtered``);
    Keras 3 extracts into ``<name>_extracted/`` and returns that folder, which it still
    does (Keras 3 code sees no change)."""
    import functools
    import os

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        path = original(*args, **kwargs)
        if isinstance(path, str) and path.endswith("_extracted") and os.path.isdir(path):
            parent = os.path.dirname(path)
            for entry in os.listdir(path):
                beside = os.path.join(parent, entry)
                if not os.path.lexists(beside):
                    os.symlink(os.path.join(path, entry), beside)
        return path

    return wrapper
