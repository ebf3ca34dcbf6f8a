"""Reading legacy HDF5 model and weight files, and putting their weights into a model.

The layout Keras 1.0 to tf.keras 2.15 wrote (and Keras 3 still writes for ``.h5``): root
attributes ``keras_version``, ``backend``, ``model_config`` and ``training_config`` (JSON);
group ``model_weights`` (a weights-only file: the root) with attribute ``layer_names`` and one
group per layer whose ``weight_names`` attribute lists its datasets (trainable weights first);
group ``optimizer_weights``. Long name lists are split over ``layer_names0``,
``layer_names1``, ...
"""

from __future__ import annotations

import contextlib
import json
import os
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from .any_name import is_hdf5_file, other_name
from .h5_configs import LegacyFileError, keras_major
from .h5_weights import convert_weights, legacy_weights

__all__ = ["LEGACY_SUFFIXES", "attribute_list", "file_json", "is_hdf5_model",
           "is_legacy_weights_path", "legacy_model_version", "load_weights_into", "open_h5",
           "saved_layers"]

#: File names Keras 2 saved models and weights under (``.weights.h5`` is Keras 3's format).
LEGACY_SUFFIXES = (".h5", ".hdf5", ".hd5", ".keras.h5")


def _path(filepath: Any) -> str | None:
    return os.fspath(filepath) if isinstance(filepath, (str, os.PathLike)) else None


def is_legacy_weights_path(filepath: Any) -> bool:
    """A Keras 2 weights file name (``w.h5``; an HDF5 file under any name but Keras 3's
    ``.weights.h5``), an open ``h5py`` file or a binary stream."""
    path = _path(filepath)
    if path is None:
        return _is_h5_object(filepath) or hasattr(filepath, "read")
    if path.endswith(".weights.h5"):
        return False
    return path.endswith(LEGACY_SUFFIXES) or (os.path.isfile(path) and is_hdf5_file(path))


def _is_h5_object(obj: Any) -> bool:
    try:
        import h5py
    except ImportError:  # pragma: no cover - h5py comes with Keras
        return False
    return isinstance(obj, h5py.Group)


@contextlib.contextmanager
def open_h5(filepath: Any) -> Iterator[Any]:
    """The ``h5py`` file at ``filepath`` (a path, an open file or a binary stream), read-only;
    closed afterwards unless the caller opened it."""
    import h5py

    if _is_h5_object(filepath):
        yield filepath
        return
    with h5py.File(filepath, "r") as f:
        yield f


def legacy_model_version(filepath: Any) -> str | None:
    """The ``keras_version`` of a model file Keras 3's own loader does not read with Keras 2's
    meaning (Keras 1, 2, tf.keras); None for anything else (a ``.keras`` file, a Keras 3
    ``.h5``, a weights-only file, a path that does not exist)."""
    path = _path(filepath)
    if path is not None and not (os.path.isfile(path) and (
            path.endswith(LEGACY_SUFFIXES) or (other_name(path) and is_hdf5_file(path)))):
        return None
    if path is None and not (_is_h5_object(filepath) or hasattr(filepath, "read")):
        return None
    try:
        with open_h5(filepath) as f:
            if "model_config" not in f.attrs:
                return None
            version = _text(f.attrs.get("keras_version", "1"))
    except OSError:
        return None
    finally:
        if hasattr(filepath, "seek"):
            filepath.seek(0)
    return version if keras_major(version) < 3 else None


def is_hdf5_model(filepath: Any) -> bool:
    """Whether ``filepath`` (a path under any name, or an open ``h5py`` file) holds an HDF5
    model: a ``model_config`` attribute."""
    path = _path(filepath)
    if path is None and not _is_h5_object(filepath):
        return False
    if path is not None and not (os.path.isfile(path) and is_hdf5_file(path)):
        return False
    try:
        with open_h5(filepath) as f:
            return "model_config" in f.attrs
    except OSError:
        return False


def _text(value: Any) -> str:
    return value.decode("utf8") if isinstance(value, bytes) else str(value)


def file_json(group: Any, name: str) -> Any:
    """A JSON root attribute (``model_config``, ``training_config``) or None."""
    value = group.attrs.get(name)
    return None if value is None else json.loads(_text(value))


def attribute_list(group: Any, name: str) -> list[str]:
    """``layer_names`` / ``weight_names``, also when split into ``name0``, ``name1``, ..."""
    if name in group.attrs:
        return [_text(n) for n in group.attrs[name]]
    found: list[str] = []
    chunk = 0
    while f"{name}{chunk}" in group.attrs:
        found += [_text(n) for n in group.attrs[f"{name}{chunk}"]]
        chunk += 1
    return found


def weights_group(f: Any) -> Any:
    """The group that holds the layers' weights (``model_weights`` in a model file)."""
    if "layer_names" not in f.attrs and "layer_names0" not in f.attrs and "model_weights" in f:
        return f["model_weights"]
    return f


def saved_layers(group: Any) -> list[tuple[str, list[np.ndarray]]]:
    """(layer name, weight arrays in saved order) for every layer the file lists."""
    layers = []
    for name in attribute_list(group, "layer_names"):
        layer_group = group[name]
        arrays = [np.asarray(layer_group[w]) for w in attribute_list(layer_group, "weight_names")]
        layers.append((name, arrays))
    return layers


def _origin(group: Any) -> tuple[int, str | None]:
    version = _text(group.attrs.get("keras_version", "1"))
    backend = group.attrs.get("backend")
    return keras_major(version), None if backend is None else _text(backend)


def load_weights_into(model: Any, f: Any, by_name: bool = False, skip_mismatch: bool = False,
                      reshape: bool = False) -> list[str]:
    """Put the weights of the legacy file ``f`` into ``model`` with Keras 2's rules (by layer
    order, or by layer name; ``reshape``: a kernel of the same size takes the layer's shape),
    converting legacy layouts; one line per conversion. Errors use Keras 2's wording."""
    group = weights_group(f)
    major, backend = _origin(group)
    saved = saved_layers(group)
    notes: list[str] = []
    if by_name:
        index: dict[str, list[Any]] = {}
        for layer in model.layers:
            index.setdefault(layer.name, []).append(layer)
        pairs = [(k, layer, name, arrays) for k, (name, arrays) in enumerate(saved)
                 for layer in index.get(name, [])]
    else:
        layers = [layer for layer in model.layers if legacy_weights(layer)]
        saved = [(name, arrays) for name, arrays in saved if arrays]
        if len(layers) != len(saved):
            raise ValueError(
                f"You are trying to load a weight file containing {len(saved)} layers into "
                f"a model with {len(layers)} layers ({', '.join(x.name for x in layers)}). "
                "Load by layer name with model.load_weights(file, by_name=True), or build "
                "the model the file was saved from.")
        pairs = [(k, layer, name, arrays)
                 for k, (layer, (name, arrays)) in enumerate(zip(layers, saved))]
    for k, layer, name, arrays in pairs:
        _assign(k, layer, name, arrays, (major, backend), skip_mismatch, reshape, notes)
    _top_level(group, notes)
    return notes


def _mismatch(k: int, layer: Any, saved_name: str, variables: list[Any],
              values: list[np.ndarray], reshape: bool
              ) -> tuple[str | None, str, list[np.ndarray]]:
    """(what does not fit, in Keras 2's words, or None; its kind; the values, reshaped if
    asked)."""
    where = f"Layer #{k} (named `{layer.name}`" + (
        f"; `{saved_name}` in the file" if saved_name != layer.name else "") + ")"
    if len(values) != len(variables):
        return (f"{where} expects {len(variables)} weight(s), but the saved weights have "
                f"{len(values)} element(s) (shapes {[v.shape for v in values]})",
                "number of weights", values)
    fitted = []
    for variable, value in zip(variables, values):
        shape = tuple(variable.shape)
        if shape != value.shape and reshape and value.size == int(np.prod(shape)):
            value = value.reshape(shape)
        if shape != value.shape:
            return (f"{where}: weight `{variable.path}` has shape {shape}, but the saved "
                    f"weight has shape {value.shape}", "shape", values)
        fitted.append(value)
    return None, "", fitted


def _assign(k: int, layer: Any, saved_name: str, arrays: list[np.ndarray],
            origin: tuple[int, str | None], skip_mismatch: bool, reshape: bool,
            notes: list[str]) -> None:
    variables = legacy_weights(layer)
    try:
        values, done = convert_weights(layer, list(arrays), *origin)
    except ValueError as exc:
        raise LegacyFileError(str(exc)) from None
    problem, kind, values = _mismatch(k, layer, saved_name, variables, values, reshape)
    if problem is not None:
        if skip_mismatch:
            warnings.warn(f"Skipping loading weights of layer `{layer.name}` due to mismatch "
                          f"in {kind}: {problem}.", UserWarning, stacklevel=5)
            return
        raise ValueError(problem + ".")
    for variable, value in zip(variables, values):
        variable.assign(value)
    notes += done


def _top_level(group: Any, notes: list[str]) -> None:
    if "top_level_model_weights" in group and \
            attribute_list(group["top_level_model_weights"], "weight_names"):
        notes.append("top_level_model_weights (weights created on the model itself, not on "
                     "a layer) were not loaded")
