"""Keras 2 ``model.save_weights('w.h5')`` on Keras 3 (modern: ``'w.weights.h5'``).

Keras 3 refuses a weights file name that does not end in ``.weights.h5``; Keras 2 wrote any
name in its HDF5 weights layout: root attributes ``layer_names``, ``backend``,
``keras_version``; one group per layer with a ``weight_names`` attribute and one dataset per
weight, in ``layer.weights`` order. After ``kfitcompat.install``, a name ending in
``.h5`` or ``.hdf5`` (but not ``.weights.h5``) is written in that layout, which Keras 3's
own ``load_weights`` and tf_keras read; loading such files is Keras 3's own code.
Any name Keras 3 refuses (``'weights'``, ``'model_weights.hdf5'``, ``'cp-{epoch}'`` of a
``ModelCheckpoint``) is written so, as Keras 2.2.4 did; tf.keras 2 wrote a TensorFlow
checkpoint under a name without ``.h5``, which Keras 3 cannot read, so Keras 2.2.4's rule is
followed.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["KERAS3_WEIGHTS_SUFFIXES", "save_weights", "write_keras2_weights"]


#: The weights file names Keras 3 writes itself; Keras 2 wrote HDF5 under any other name.
KERAS3_WEIGHTS_SUFFIXES = (".weights.h5", ".weights.json")


def _is_keras2_name(filepath: Any) -> bool:
    path = os.fspath(filepath) if isinstance(filepath, (str, os.PathLike)) else ""
    return bool(path) and not path.endswith(KERAS3_WEIGHTS_SUFFIXES)


def write_keras2_weights(model: Any, filepath: str) -> None:
    """Write ``model``'s weights to ``filepath`` in Keras 2's HDF5 weights layout."""
    import h5py
    import keras

    with h5py.File(filepath, "w") as f:
        layers = list(model.layers)
        f.attrs["layer_names"] = [layer.name.encode("utf8") for layer in layers]
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = str(keras.__version__).encode("utf8")
        for layer in layers:
            group = f.create_group(layer.name)
            names = [f"{layer.name}/{w.name}:{i}".encode()
                     for i, w in enumerate(layer.weights)]
            group.attrs["weight_names"] = names
            for name, weight in zip(names, layer.weights):
                group.create_dataset(name.decode("utf8"), data=np.asarray(weight))


def save_weights(original: Callable[..., Any]) -> Callable[..., Any]:
    """``Model.save_weights`` that also takes Keras 2's names (any but Keras 3's own)."""

    def method(self: Any, filepath: Any, overwrite: bool = True, *args: Any,
               **kwargs: Any) -> Any:
        if not _is_keras2_name(filepath):
            return original(self, filepath, overwrite, *args, **kwargs)
        path = os.fspath(filepath)
        if os.path.exists(path) and not overwrite:
            raise FileExistsError(f"{path} exists and overwrite=False")
        return write_keras2_weights(self, path)

    method.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    method.__name__ = "save_weights"
    return method
