"""Callback rules: arguments Keras 3's callbacks no longer take (reported, not rewritten)."""

from __future__ import annotations

from typing import Any

import libcst as cst

from ...keras2.callbacks import ANY, TENSORBOARD_DROPPED
from ..base import REGISTRY, Context, call_name
from ..edits import append_keyword, code_of, drop_args, file_arg, keyword_arg, saved_file
from ..rules import CALLBACK_RULES

__all__ = ["accuracy_monitor", "callback_arguments", "h5_filenames", "tensorboard_arguments"]


@REGISTRY.register("Call", *(f"callback-{arg}" for arg, _ in CALLBACK_RULES.values()))
def callback_arguments(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    name = call_name(updated)
    if name in CALLBACK_RULES and keyword_arg(updated, CALLBACK_RULES[name][0]) is not None:
        arg, note = CALLBACK_RULES[name]
        ctx.report(original, f"callback-{arg}", f"`{name}({arg}=...)`: {note}", note,
                   False, f"{name}: {note}")
    return updated


_MONITORED = ("ModelCheckpoint", "EarlyStopping", "ReduceLROnPlateau")
_ACCURACY_NAMES = {"acc": "accuracy", "val_acc": "val_accuracy"}


@REGISTRY.register("Call", "callback-monitor")
def accuracy_monitor(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """``monitor='val_acc'`` (Keras 2's log name) -> ``monitor='val_accuracy'`` and, unless a
    mode is given, ``mode='max'`` (Keras 2's 'auto' inferred max for accuracy; Keras 3's
    'auto' raises for a name it cannot classify)."""
    if call_name(updated) not in _MONITORED:
        return updated
    monitor = keyword_arg(updated, "monitor")
    if monitor is None or not isinstance(monitor.value, cst.SimpleString):
        return updated
    quote, name = monitor.value.value[0], monitor.value.value.strip("'\"")
    if name not in _ACCURACY_NAMES:
        return updated
    new_name = _ACCURACY_NAMES[name]
    mode = keyword_arg(updated, "mode")
    fix = f"monitor='{new_name}'" + (", mode='max'" if mode is None else "")
    if not ctx.report(original, "callback-monitor", f"`monitor='{name}'`: Keras 3 logs "
                      f"`{new_name}` and cannot infer the mode of `{name}`", fix, True):
        return updated
    updated = updated.with_changes(args=[
        a.with_changes(value=cst.SimpleString(f"{quote}{new_name}{quote}")) if a is monitor else a
        for a in updated.args])
    if mode is None:
        updated = append_keyword(updated, "mode", cst.SimpleString(f"{quote}max{quote}"))
    return updated


def _renamed_h5(literal: cst.SimpleString, weights: bool) -> cst.SimpleString | None:
    """``'w.{epoch:02d}.hdf5'`` -> ``'w.{epoch:02d}.keras'`` (``.weights.h5`` for weights);
    a name Keras 3 refuses for any other reason (``'weights'``, ``'model.ckpt'``: Keras 2
    wrote HDF5 under any name) gets the suffix added."""
    text = literal.value
    quote = text[-1]
    body = text[:-1]
    suffix = ".weights.h5" if weights else ".keras"
    if body.endswith((".weights.h5", ".weights.json", ".keras")) or not body.strip(quote + "'\""):
        return None
    for ext in (".hdf5", ".h5"):
        if body.endswith(ext):
            return cst.SimpleString(body[:-len(ext)] + suffix + quote)
    return cst.SimpleString(body + suffix + quote)


@REGISTRY.register("Call", "h5-filename")
def h5_filenames(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """Keras 3 saves a model only to ``.keras`` and weights only to ``.weights.h5``:
    ``ModelCheckpoint('m.hdf5')``, ``model.save_weights('w.h5')``. A later
    ``load_model('m.hdf5')`` / ``load_weights('w.h5')`` of a file this module saves is
    renamed with it; one of any other ``.h5`` file is left to rule ``legacy-model-file``."""
    target = saved_file(updated) or _saved_and_loaded(ctx, updated)
    if target is None:
        return _loaded_h5(ctx, original, updated)
    arg, weights = target
    if not isinstance(arg.value, cst.SimpleString):
        return updated
    new = _renamed_h5(arg.value, weights)
    if new is None or not ctx.report(
            original, "h5-filename", f"`{call_name(updated)}({arg.value.value})`: Keras 3 "
            f"writes {'weights to .weights.h5' if weights else 'models to .keras'} only",
            new.value, True):
        return updated
    return updated.with_changes(args=[a.with_changes(value=new) if a is arg else a
                                      for a in updated.args])


def _saved_and_loaded(ctx: Context, call: cst.Call) -> tuple[cst.Arg, bool] | None:
    """``model.save('m.h5')`` of a file the module also loads with ``load_model``: Keras 3
    writes .h5 as a legacy format and does not always read its own file back (a loss compiled
    as ``'mse'``); the pair becomes ``.keras``. A ``.save`` alone keeps its name."""
    if not (call_name(call) == "save" and isinstance(call.func, cst.Attribute)):
        return None
    arg = file_arg(call)
    if arg is None or not isinstance(arg.value, cst.SimpleString):
        return None
    path = arg.value.evaluated_value
    return (arg, False) if ctx.facts.saved.get(path) is False and (  # type: ignore[arg-type]
        path in ctx.facts.model_saved) else None


def _loaded_h5(ctx: Context, original: cst.Call, updated: cst.Call) -> cst.Call:
    name = call_name(updated)
    if name not in ("load_model", "load_weights"):
        return updated
    arg = file_arg(updated)
    if arg is None or not isinstance(arg.value, cst.SimpleString):
        return updated
    weights = ctx.facts.saved.get(arg.value.evaluated_value)  # type: ignore[arg-type]
    new = _renamed_h5(arg.value, bool(weights))
    if new is None:
        return updated
    if weights is None:  # a file Keras 2 wrote: rule legacy-model-file (plugins/saving.py)
        return updated
    if not ctx.report(original, "h5-filename", f"`{name}({arg.value.value})`: this module "
                      f"saves that file, now as {new.value}", new.value, True):
        return updated
    return updated.with_changes(args=[a.with_changes(value=new) if a is arg else a
                                      for a in updated.args])


def _inert(name: str, value: cst.BaseExpression) -> bool:
    """Whether ``name=value`` asked Keras 2's TensorBoard for nothing Keras 3's omits."""
    inert = TENSORBOARD_DROPPED[name]
    return inert is ANY or code_of(value) == repr(inert)


@REGISTRY.register("Call", "tensorboard-arguments")
def tensorboard_arguments(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """``TensorBoard(log_dir, batch_size=32, write_grads=False, ...)`` (Keras 2's documented
    signature) -> without the arguments Keras 3's TensorBoard lacks; a value that asks for a
    TensorFlow 1 summary (``write_grads=True``, embeddings layers or data) is reported."""
    if call_name(updated) != "TensorBoard":
        return updated
    given = {a.keyword.value: a.value for a in updated.args if a.keyword is not None
             and a.keyword.value in TENSORBOARD_DROPPED}
    if not given:
        return updated
    asked = [name for name, value in given.items() if not _inert(name, value)]
    if asked:
        ctx.report(original, "tensorboard-arguments", f"`TensorBoard({', '.join(asked)}=...)`: "
                   "Keras 3's TensorBoard writes no gradient histograms and takes no "
                   "embeddings layers or data", "drop the argument", False,
                   f"TensorBoard: Keras 3 does not write what {', '.join(asked)}= asked for")
        return updated
    if ctx.report(original, "tensorboard-arguments", f"`TensorBoard({', '.join(given)}=...)`: "
                  "Keras 3's TensorBoard takes no such argument", "drop it (it asked for "
                  "nothing Keras 3 does not do)", True):
        return drop_args(updated, set(given))
    return updated
