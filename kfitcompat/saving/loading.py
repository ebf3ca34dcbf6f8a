"""Legacy model files after ``install()``: ``load_model('model.h5')``,
``model.load_weights('weights.h5')``, ``model_from_json(open('model.json').read())``.

A file Keras 1, Keras 2 or tf.keras 2.x saved loads with the meaning it had there: the config
through ``.h5_configs`` (the same Keras 1 layer tables a call goes through), the weights
through ``.h5_weights``, the optimizer from the training config (``lr`` / ``decay`` by
the optimizer table ``install()`` uses) and, where the file holds it, its state
(``.h5_optimizer``). Everything else (``.keras`` files, ``.weights.h5``, a Keras 3
``.h5``, Keras 3 JSON) goes to Keras 3's own function unchanged.
"""

from __future__ import annotations

import inspect
import json
import os
from collections.abc import Callable
from typing import Any

from .._warnings import warn_at_caller
from .any_name import h5_alias, is_hdf5_file, other_name
from .h5_configs import MODEL_CLASSES, LegacyFileError, upgrade_model_config
from .h5_files import (
    file_json,
    is_hdf5_model,
    is_legacy_weights_path,
    legacy_model_version,
    load_weights_into,
    open_h5,
)
from .h5_optimizer import rebuild_on_model_variables, restore_optimizer_state

__all__ = ["LegacyFileWarning", "build_legacy_model", "compile_legacy_model", "installed",
           "load_legacy_model", "load_model", "load_weights", "model_from_config",
           "model_from_json"]


def installed() -> Any:
    """``kfitcompat.install()`` for the duration of a load (the optimizer, loss and Keras 1
    layer tables are its rows); a no-op if already installed."""
    from ..installer import install

    return install()


class LegacyFileWarning(UserWarning):
    """A Keras 1/2 or tf.keras file was read with Keras 2's meaning; the message says how to
    write it once for Keras 3 (``kfitcompat convert``)."""


def _resolvable(class_name: str, custom_objects: dict[str, Any]) -> bool:
    import keras

    return (class_name in custom_objects or class_name in MODEL_CLASSES
            or hasattr(keras.layers, class_name)
            or keras.saving.get_registered_object(class_name, custom_objects) is not None)


def _check_classes(config: dict[str, Any], custom_objects: dict[str, Any]) -> None:
    """Name the first layer whose class nobody provided (Keras says only the class)."""
    layer_config = config.get("config")
    if config.get("class_name") in MODEL_CLASSES and isinstance(layer_config, dict):
        for layer in layer_config.get("layers", []):
            _check_classes(layer, custom_objects)
        return
    cls = str(config.get("class_name"))
    if not _resolvable(cls, custom_objects):
        name = layer_config.get("name", "?") if isinstance(layer_config, dict) else "?"
        raise LegacyFileError(
            f"Layer `{name}` is of class `{cls}`, which is not a Keras layer: the file was "
            f"saved from a custom class. Pass it when loading: custom_objects={{'{cls}': "
            f"{cls}}} (the class, imported from the code that defined it).")
    if isinstance(layer_config, dict):
        for key in ("layer", "backward_layer"):
            if isinstance(layer_config.get(key), dict):
                _check_classes(layer_config[key], custom_objects)


def build_legacy_model(config: dict[str, Any], keras_version: Any = "2",
                       custom_objects: dict[str, Any] | None = None, safe_mode: bool = True,
                       lambda_placeholders: bool = False) -> tuple[Any, list[str]]:
    """The Keras 3 model a legacy model config describes (``model.to_json()`` of Keras 1/2
    or tf.keras, or a file's ``model_config``), built with Keras 2's meaning; no weights.

    Args:
        config: ``{"class_name", "config"}`` as the legacy Keras saved it.
        keras_version: the ``keras_version`` saved with it (``"1.2.2"``, ``"2.2.4"``, ...).
        custom_objects: classes and functions the config names that Keras does not define.
        safe_mode: as Keras 3's; ``False`` builds ``Lambda`` layers from their bytecode.
        lambda_placeholders: every ``Lambda`` becomes a pass-through ``Identity`` (to
            convert weights only).

    Returns:
        ``(model, changes)``.

    Raises:
        LegacyFileError: a layer no loader can build (named, with the remedy).
    """
    import keras

    from .. import _keras_private
    from ..keras2 import local

    # Keras 2 layers Keras 3 removed and kfitcompat defines; the caller's classes win
    custom_objects = {**{name: getattr(local, name) for name in local.LOCAL_LAYERS},
                      **(custom_objects or {})}
    upgraded, notes = upgrade_model_config(config, keras_version, lambda_placeholders)
    _check_classes(upgraded, custom_objects)
    cls = upgraded["class_name"]
    if cls not in MODEL_CLASSES:
        raise LegacyFileError(f"The file describes a `{cls}`, not a Keras model: pass its "
                              f"class as custom_objects={{'{cls}': {cls}}}."
                              if not _resolvable(cls, custom_objects) else
                              f"The file describes a single `{cls}` layer, not a model.")
    target = keras.Sequential if cls == "Sequential" else keras.Model
    with keras.saving.custom_object_scope(custom_objects), \
            _keras_private.safe_mode_scope(safe_mode):
        model = target.from_config(upgraded["config"], custom_objects=custom_objects)
    return model, notes


def compile_legacy_model(model: Any, training_config: dict[str, Any], f: Any,
                         custom_objects: dict[str, Any] | None) -> list[str]:
    """Compile ``model`` as the file's training config says (Keras 2's optimizer rate and
    decay) and restore the optimizer's state if the file ``f`` holds it."""
    import copy

    import keras

    from .. import _keras_private
    from ..keras2.optimizers import REMOVED_OPTIMIZER_KEYS
    from .h5_files import attribute_list

    notes: list[str] = []
    training_config = copy.deepcopy(training_config)
    optimizer = training_config.get("optimizer_config", {})
    class_name = str(optimizer.get("class_name"))  # Keras lower-cases it while deserializing
    builtin = class_name.partition(">")[2]
    if class_name.startswith("Custom>") and hasattr(keras.optimizers, builtin):
        # tf.keras 2.11+ named its own optimizers "Custom>Adam"; Keras 3 turns that name into
        # a default Adam(), losing the saved learning rate and every other setting
        optimizer["class_name"] = class_name = builtin
    options = optimizer.get("config", {})
    for key, keras3 in REMOVED_OPTIMIZER_KEYS.items():
        if key in options:
            value = options.pop(key)
            if keras3 is not None and value != keras3:
                notes.append(f"optimizer: {key}={value!r} dropped (Keras 3 computes with "
                             f"{keras3!r})")
    if "lr" in options or options.get("decay"):
        notes.append(f"optimizer {class_name}: Keras 2's lr/decay -> "
                     "learning_rate (decay as InverseTimeDecay)")
    model.compile(**_keras_private.compile_args_from_training_config(training_config,
                                                                     custom_objects))
    if "optimizer_weights" in f:
        group = f["optimizer_weights"]
        names = attribute_list(group, "weight_names")
        values = [group[n][()] for n in names]
        model.optimizer.build(model.trainable_variables)
        notes.append(restore_optimizer_state(model.optimizer, class_name,
                                             list(model.trainable_variables), names, values))
    return notes


def load_legacy_model(filepath: Any, custom_objects: dict[str, Any] | None = None,
                      compile: bool = True, safe_mode: bool = True  # noqa: A002
                      ) -> tuple[Any, list[str]]:
    """A Keras 1/2 or tf.keras ``.h5`` model file as a Keras 3 model, with Keras 2's meaning.

    What ``keras.models.load_model('model.h5')`` runs after ``install()``. Modern:
    ``keras.saving.load_model('model.keras')`` of the file ``kfitcompat convert`` writes.

    Args:
        filepath: the file: a path, an open ``h5py.File`` or a binary stream.
        custom_objects: classes and functions the file names that Keras does not define.
        compile: compile the model from the file's training config (optimizer with Keras 2's
            ``lr`` / ``decay``, its saved state).
        safe_mode: as Keras 3's; ``False`` builds ``Lambda`` layers from their bytecode.

    Returns:
        ``(model, changes)``: the Keras 3 model and one line per change made to read it.

    Raises:
        LegacyFileError: a layer no loader can build (named, with the remedy).
    """
    with installed(), open_h5(filepath) as f:
        config = file_json(f, "model_config")
        if config is None:
            raise LegacyFileError(f"{filepath}: no model in this file (a weights file: build "
                                  "the model in code, then model.load_weights(file)).")
        version = f.attrs.get("keras_version", "1")
        model, notes = build_legacy_model(config, version, custom_objects, safe_mode)
        notes += load_weights_into(model, f)
        training_config = file_json(f, "training_config")
        if compile and training_config is not None:
            notes += compile_legacy_model(model, training_config, f, custom_objects)
    return model, notes


def _warn_loaded(what: str, notes: list[str], remedy: str) -> None:
    """One warning per legacy load that changed something: how many changes, the first
    ones, and how to write the file once for Keras 3 (``remedy``)."""
    if notes:
        shown = "; ".join(notes[:3]) + ("; ..." if len(notes) > 3 else "")
        warn_at_caller(f"{what} was saved by Keras 1/2 or tf.keras and was read with Keras 2's "
                       f"meaning ({len(notes)} change(s): {shown}). {remedy}",
                       LegacyFileWarning)


def _name(filepath: Any) -> str:
    return os.fspath(filepath) if isinstance(filepath, (str, os.PathLike)) else "OLD.h5"


def load_model(original: Callable[..., Any]) -> Callable[..., Any]:
    """``keras.models.load_model`` that reads Keras 1/2 and tf.keras ``.h5`` model files with
    their own meaning; every other file goes to Keras 3's function unchanged."""

    def load_model(filepath: Any, custom_objects: dict[str, Any] | None = None,
                   compile: bool = True, safe_mode: bool = True) -> Any:  # noqa: A002
        if legacy_model_version(filepath) is None:
            path = other_name(filepath)
            if path is not None and is_hdf5_file(path):  # Keras 2's model.save('name')
                with h5_alias(path) as alias:
                    model = original(alias, custom_objects=custom_objects, compile=compile,
                                     safe_mode=safe_mode)
            else:
                model = original(filepath, custom_objects=custom_objects, compile=compile,
                                 safe_mode=safe_mode)
            if compile and is_hdf5_model(filepath):
                with open_h5(filepath) as f:
                    rebuild_on_model_variables(model, f)
            return model
        model, notes = load_legacy_model(filepath, custom_objects, compile, safe_mode)
        name = _name(filepath)
        _warn_loaded(name, notes, f"`kfitcompat convert {name} NEW.keras` writes it once as "
                     "a file Keras 3 loads alone.")
        return model

    load_model.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    load_model.__doc__ = original.__doc__
    return load_model


def load_weights(original: Callable[..., Any]) -> Callable[..., Any]:
    """``Model.load_weights`` that reads a Keras 1/2 or tf.keras weights (or model) ``.h5``
    file with Keras 2's signature ``load_weights(filepath, by_name=False,
    skip_mismatch=False, reshape=False)`` and conversions; ``.keras`` and ``.weights.h5``
    files go to Keras 3's method unchanged."""

    def load_weights(self: Any, filepath: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_legacy_weights_path(filepath):
            return original(self, filepath, *args, **kwargs)
        options = dict(zip(("by_name", "skip_mismatch", "reshape"), args))
        unknown = set(kwargs) - {"by_name", "skip_mismatch", "reshape"}
        if unknown or set(options) & set(kwargs):
            raise TypeError(f"load_weights() of a Keras 2 .h5 file takes (filepath, by_name, "
                            f"skip_mismatch, reshape); received {sorted(unknown or kwargs)}")
        options.update(kwargs)
        if options.get("skip_mismatch") and not options.get("by_name"):
            raise ValueError("load_weights(skip_mismatch=True) needs by_name=True for a "
                             "Keras 2 .h5 file (as in Keras 2).")
        with installed(), open_h5(filepath) as f:
            notes = load_weights_into(self, f, by_name=bool(options.get("by_name")),
                                      skip_mismatch=bool(options.get("skip_mismatch")),
                                      reshape=bool(options.get("reshape")))
        _warn_loaded(_name(filepath), notes, "`model.save_weights('NEW.weights.h5')` after "
                     "this load writes the weights once for Keras 3's load_weights.")
        return None

    load_weights.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    load_weights.__name__ = "load_weights"
    return load_weights


def _legacy_json(config: Any) -> bool:
    return isinstance(config, dict) and "class_name" in config and "module" not in config


def model_from_json(original: Callable[..., Any]) -> Callable[..., Any]:
    """``keras.models.model_from_json`` that builds a Keras 1/2 or tf.keras
    ``model.to_json()`` string with Keras 2's meaning; Keras 3 JSON goes to Keras 3."""

    def model_from_json(json_string: str, custom_objects: dict[str, Any] | None = None
                        ) -> Any:
        try:
            config = json.loads(json_string)
        except (TypeError, ValueError):
            return original(json_string, custom_objects=custom_objects)
        if not _legacy_json(config):
            return original(json_string, custom_objects=custom_objects)
        with installed():
            model, notes = build_legacy_model(config, config.get("keras_version", "2"),
                                              custom_objects, safe_mode=True)
        _warn_loaded("This model.to_json()", notes, "`kfitcompat convert WEIGHTS.h5 "
                     "NEW.keras --architecture MODEL.json` writes the model once for Keras 3.")
        return model

    model_from_json.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    model_from_json.__doc__ = original.__doc__
    return model_from_json


def model_from_config(config: dict[str, Any], custom_objects: dict[str, Any] | None = None
                      ) -> Any:
    """Keras 2 ``keras.models.model_from_config(model.get_config())`` (a Keras 1/2 or tf.keras
    config dict, as ``model_from_json`` reads it); modern: ``keras.models.model_from_json`` /
    ``keras.saving.deserialize_keras_object``."""
    import keras

    if not isinstance(config, dict):
        raise TypeError("Invalid value for argument `config` of `model_from_config`. Expected "
                        f"a dict (a model's get_config()). Received: {type(config).__name__}")
    return keras.models.model_from_json(json.dumps(config), custom_objects=custom_objects)
