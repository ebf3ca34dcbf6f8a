"""Legacy model file rule: ``load_model('model.h5')``, ``model.load_weights('weights.h5')``."""

from __future__ import annotations

from typing import Any

import libcst as cst

from ..base import REGISTRY, Context, call_name
from ..edits import file_arg

__all__ = ["legacy_model_file", "save_file_name"]

# the files Keras 1/2 and tf.keras saved (Keras 3's own weights are ``.weights.h5``)
_LEGACY = (".h5", ".hdf5")
_LOADERS = ("load_model", "load_weights")


def _literal_file(call: cst.Call) -> str | None:
    """The file name a save or load call names as a string literal (``filepath=`` or the
    first positional); None for any other argument."""
    arg = file_arg(call)
    if arg is None or not isinstance(arg.value, cst.SimpleString):
        return None
    value = arg.value.evaluated_value
    return value.decode() if isinstance(value, bytes) else value


def _literal_path(call: cst.Call) -> str | None:
    path = _literal_file(call)
    return path if path is not None and path.endswith(_LEGACY) and not path.endswith(
        ".weights.h5") else None


@REGISTRY.register("Call", "legacy-model-file")
def legacy_model_file(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """``load_model('model.h5')`` / ``load_weights('w.h5')`` of a file Keras 1/2 or tf.keras
    saved: plain Keras 3 rejects most of them (a Sequential saved as a list, ``lr``,
    ``time_major``, cuDNN weights) and predicts differently from others (Keras 2's
    ``hard_sigmoid``). Reported, not rewritten: ``kfitcompat convert`` writes the file once
    as a Keras 3 file, which the migrated code then loads."""
    name = call_name(updated)
    if name not in _LOADERS:
        return updated
    path = _literal_path(updated)
    if path is None or path in ctx.facts.saved:  # saved here: rule h5-filename renames it
        return updated
    stem = path.rsplit(".", 1)[0]
    if name == "load_model":
        command, new = f"kfitcompat convert {path} {stem}.keras", f"'{stem}.keras'"
    else:
        command = f"kfitcompat convert {path} {stem}.weights.h5 --weights-only"
        new = (f"'{stem}.weights.h5' (a file of weights only: add `--architecture "
               "model.json`, the model's to_json())")
    ctx.report(original, "legacy-model-file",
               f"`{name}('{path}')`: a Keras 1/2 or tf.keras file, which Keras 3 alone "
               "rejects or reads differently", f"`{command}`, then load {new}", False,
               f"a Keras 2 file: run `{command}` once and load {new} "
               "(kfitcompat.install() reads the .h5 as it is)")
    return updated


# a model file name Keras 3 refuses (Keras 2 wrote HDF5 under any name); other suffixes are
# more likely another library's file (np.save('x.npy'), img.save('x.png'))
_ANY_NAME_SUFFIXES = ("", ".hdf", ".hd5", ".model", ".mdl")


@REGISTRY.register("Call", "save-file-name")
def save_file_name(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """``model.save('my_model')``: Keras 2 wrote HDF5 under any name; Keras 3 refuses a name
    without ``.keras`` or ``.h5``. Reported (the receiver's class is not known before run
    time, and the same name may be read elsewhere): name the file ``my_model.keras``."""
    func = updated.func
    if not (isinstance(func, cst.Attribute) and func.attr.value == "save"
            and isinstance(func.value, cst.Name)
            and func.value.value not in ctx.facts.imported):
        return updated
    path = _literal_file(updated)
    if path is None:
        return updated
    base = path.replace("\\", "/").rsplit("/", 1)[-1]
    suffix = "." + base.rsplit(".", 1)[1] if "." in base else ""
    if not base or suffix.lower() not in _ANY_NAME_SUFFIXES:
        return updated
    ctx.report(original, "save-file-name", f"`{func.value.value}.save('{path}')`: Keras 3 "
               "saves a model to a .keras (or .h5) name only", f"'{path}.keras' (and the same "
               "name where the file is loaded)", False,
               f"model.save('{path}'): kfitcompat.install() writes HDF5 there, as Keras 2 did")
    return updated
