"""Legacy HDF5 files written with h5py in the exact layouts tf_keras 2.21 cannot produce.

Keras 1.2.2 ``keras/models.py`` ``save_model`` and ``engine/topology.py``
``save_weights_to_hdf5_group``; Keras 2.2.4 ``keras/engine/saving.py``: root attributes
``keras_version`` (Keras 2 only also ``backend``), ``model_config`` and ``training_config``
as JSON; group ``model_weights`` (the root of a weights-only file) with attribute
``layer_names`` and, from Keras 2, ``keras_version`` and ``backend``; one group per layer
whose ``weight_names`` attribute lists its datasets; group ``optimizer_weights``. Keras 1
named weights ``<layer>_W:0``, Keras 2 ``<layer>/kernel:0``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import h5py
import numpy as np

Layers = Sequence[tuple[str, Sequence[tuple[str, np.ndarray]]]]  # (layer, [(weight, value)])


def _write_layers(group: h5py.Group, layers: Layers) -> None:
    group.attrs["layer_names"] = [name.encode("utf8") for name, _ in layers]
    for name, weights in layers:
        layer_group = group.create_group(name)
        layer_group.attrs["weight_names"] = [w.encode("utf8") for w, _ in weights]
        for weight_name, value in weights:
            layer_group.create_dataset(weight_name, data=np.asarray(value))


def write_model_file(path: Any, model_config: dict[str, Any], layers: Layers,
                     keras_version: str = "2.2.4", backend: str | None = "tensorflow",
                     training_config: dict[str, Any] | None = None,
                     optimizer: Sequence[tuple[str, np.ndarray]] = ()) -> None:
    """A whole-model file (``model.save``) as Keras ``keras_version`` wrote it; Keras 1 kept
    no version or backend on ``model_weights``."""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = keras_version.encode("utf8")
        if backend is not None and not keras_version.startswith("1"):
            f.attrs["backend"] = backend.encode("utf8")
        f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
        if training_config is not None:
            f.attrs["training_config"] = json.dumps(training_config).encode("utf8")
        weights = f.create_group("model_weights")
        if not keras_version.startswith("1"):
            weights.attrs["keras_version"] = keras_version.encode("utf8")
            if backend is not None:
                weights.attrs["backend"] = backend.encode("utf8")
        _write_layers(weights, layers)
        if optimizer:
            group = f.create_group("optimizer_weights")
            group.attrs["weight_names"] = [n.encode("utf8") for n, _ in optimizer]
            for name, value in optimizer:
                group.create_dataset(name, data=np.asarray(value))


def write_weights_file(path: Any, layers: Layers, keras_version: str | None = "2.2.4",
                       backend: str | None = "tensorflow") -> None:
    """A weights-only file (``model.save_weights``); ``keras_version=None``: Keras 1's."""
    with h5py.File(path, "w") as f:
        if keras_version is not None:
            f.attrs["keras_version"] = keras_version.encode("utf8")
            if backend is not None:
                f.attrs["backend"] = backend.encode("utf8")
        _write_layers(f, layers)


def layers_of(model: Any, suffix: str = ":0") -> list[tuple[str, list[tuple[str, Any]]]]:
    """A tf_keras model's layers with their weights in legacy order (trainable first), named
    as Keras 2 named them."""
    found = []
    for layer in model.layers:
        weights = list(layer.trainable_weights) + list(layer.non_trainable_weights)
        found.append((layer.name, [(f"{layer.name}/w{i}{suffix}", w.numpy())
                                   for i, w in enumerate(weights)]))
    return found


def keras1_sequential(layers: list[dict[str, Any]]) -> dict[str, Any]:
    """A Sequential config as Keras 1 to 2.2.2 saved it: a list of layer configs."""
    return {"class_name": "Sequential", "config": layers}
