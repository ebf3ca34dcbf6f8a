"""``kfitcompat convert OLD.h5 NEW.keras``: a legacy model file, written once for Keras 3.

Reads a Keras 1/2 or tf.keras 2.x ``.h5`` with Keras 2's meaning (``.loading``) and writes
a native Keras 3 file that plain Keras 3 loads (no kfitcompat needed), printing what it
changed:

* ``kfitcompat convert model.h5 model.keras``: the whole model (architecture, weights,
  compile settings and optimizer state);
* ``kfitcompat convert weights.h5 model.keras --architecture model.json``: a weights file and
  the ``model.to_json()`` it belongs to;
* ``kfitcompat convert model.h5 model.weights.h5 --weights-only``: only the weights, in Keras
  3's format, for a model rebuilt in code (``model.load_weights('model.weights.h5')``). A
  ``Lambda`` whose bytecode cannot be run here becomes a pass-through placeholder: its
  function holds no weights.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Any

__all__ = ["convert", "main"]


def _custom_objects(specs: list[str]) -> dict[str, Any]:
    """``module:Name`` -> {``Name``: the object}."""
    found = {}
    for spec in specs:
        module, _, name = spec.partition(":")
        if not module or not name:
            raise ValueError(f"Invalid value for --custom-object: {spec!r}. Expected "
                             "MODULE:NAME, e.g. mylayers:Attention.")
        found[name.rpartition(".")[2]] = getattr(importlib.import_module(module), name)
    return found


def convert(old: str, new: str, weights_only: bool = False, architecture: str | None = None,
            custom_objects: dict[str, Any] | None = None, safe_mode: bool = True
            ) -> list[str]:
    """Write the legacy model file ``old`` as the Keras 3 file ``new``.

    Args:
        old: a Keras 1/2 or tf.keras ``.h5`` (a weights file with ``architecture``).
        new: the file to write: ``.keras``, or ``.weights.h5`` with ``weights_only``.
        weights_only: write only the weights (Keras 3's format), for a model rebuilt in code.
        architecture: the model's ``to_json()`` file, for a weights-only ``old``.
        custom_objects: classes and functions the file names that Keras does not define.
        safe_mode: as Keras 3's; ``False`` builds ``Lambda`` layers from their bytecode.

    Returns:
        One line per change made to read ``old``.

    Raises:
        ValueError: a file name Keras 3 does not write, or a file with nothing to convert.
        kfitcompat.saving.LegacyFileError: a layer no loader can build (named).
    """
    import json

    from .h5_configs import keras_major
    from .h5_files import file_json, load_weights_into, open_h5, weights_group
    from .loading import build_legacy_model, compile_legacy_model, installed

    suffix = ".weights.h5" if weights_only else ".keras"
    if not new.endswith(suffix):
        raise ValueError(f"Invalid value for NEW: {new!r}. Expected a name ending in "
                         f"{suffix!r} ({'--weights-only' if weights_only else 'a whole model'}"
                         ").")
    if not os.path.isfile(old):
        raise ValueError(f"Invalid value for OLD: {old!r} is not a file.")
    with installed(), open_h5(old) as f:
        if architecture is not None:
            with open(architecture, encoding="utf-8") as text:
                config = json.loads(text.read())
            if isinstance(config, str):  # saved with json.dump(model.to_json(), f)
                config = json.loads(config)
            version = config.get("keras_version", "2")
        else:
            config = file_json(f, "model_config")
            version = f.attrs.get("keras_version", "1")
        if config is None:
            raise ValueError(f"{old} holds weights only: give the model's JSON with "
                             "--architecture model.json (its model.to_json()).")
        if keras_major(version) >= 3 and keras_major(
                weights_group(f).attrs.get("keras_version", "1")) >= 3:
            raise ValueError(f"{old} was saved by Keras 3: keras.saving.load_model reads it "
                             "as it is.")
        model, notes = build_legacy_model(config, version, custom_objects, safe_mode,
                                          lambda_placeholders=weights_only)
        try:
            notes += load_weights_into(model, f)
        except ValueError as exc:
            if not any("pass-through placeholder" in note for note in notes):
                raise
            raise ValueError(
                f"{exc} A Lambda this conversion replaced by a pass-through changed the shape "
                "of its input. Rebuild the model in code, then (after kfitcompat.install()) "
                f"model.load_weights('{old}') and model.save_weights('{new}').") from None
        training_config = file_json(f, "training_config")
        if not weights_only and training_config is not None and architecture is None:
            notes += compile_legacy_model(model, training_config, f, custom_objects)
        if weights_only:
            model.save_weights(new)
        else:
            model.save(new)
    return notes


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kfitcompat convert",
        description="Write a Keras 1/2 or tf.keras .h5 file as a native Keras 3 file, which "
                    "plain Keras 3 loads with keras.saving.load_model (or load_weights).")
    parser.add_argument("old", metavar="OLD.h5", help="the legacy model (or weights) file")
    parser.add_argument("new", metavar="NEW.keras",
                        help="the Keras 3 file to write (.keras; .weights.h5 with "
                             "--weights-only)")
    parser.add_argument("--weights-only", action="store_true",
                        help="write only the weights (NEW.weights.h5), for a model rebuilt in "
                             "code")
    parser.add_argument("--architecture", metavar="MODEL.json",
                        help="the model.to_json() of a weights-only OLD.h5")
    parser.add_argument("--custom-object", action="append", default=[], metavar="MODULE:NAME",
                        help="a custom layer, loss or function the file names (repeatable)")
    parser.add_argument("--no-safe-mode", dest="safe_mode", action="store_false",
                        help="run the Python bytecode of Lambda layers (only for files you "
                             "trust; as keras.saving.load_model(safe_mode=False))")
    return parser


def main(argv: list[str]) -> int:
    """``kfitcompat convert``; returns the exit status (1: not converted, 2: usage)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from .h5_configs import LegacyFileError

    try:
        notes = convert(args.old, args.new, args.weights_only, args.architecture,
                        _custom_objects(args.custom_object), args.safe_mode)
    except (LegacyFileError, ValueError, TypeError, OSError, ImportError) as exc:
        print(f"kfitcompat convert: {args.old} not converted: {exc}", file=sys.stderr)
        return 1
    for note in notes:
        print(f"  {note}")
    print(f"kfitcompat convert: wrote {args.new} ({len(notes)} change(s) from {args.old}); "
          "plain Keras 3 loads it with "
          + ("model.load_weights" if args.weights_only else "keras.saving.load_model") + ".")
    return 0
