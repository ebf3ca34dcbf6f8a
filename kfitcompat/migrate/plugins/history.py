"""History and log-name rules: Keras 2's metric names read back from a training call.

Keras 2.2.4 logged ``acc`` / ``val_acc`` for ``metrics=['accuracy']`` and
``mean_absolute_error`` for ``metrics=['mae']``; Keras 3 logs the name the script passed.
``history.history['acc']`` becomes ``keras2_history(history)['acc']`` (a helper written into
the module: the logs with both spellings, whatever the metric was named); any other such
lookup is reported; a ``ModelCheckpoint`` path built at run time is reported (Keras 3 needs
``.keras`` / ``.weights.h5`` and its own log names in ``{...}`` fields)."""

from __future__ import annotations

from typing import Any

import libcst as cst

from ...legacy_table import KERAS224_LOG_NAMES
from ..base import REGISTRY, Context, call_name
from ..edits import file_arg

__all__ = ["batch_as_list", "checkpoint_path", "history_keys"]

HELPER = "keras2_history"


def _keras2_log_key(node: cst.BaseExpression) -> str | None:
    """A string naming a Keras 2.2.4 log name (``'acc'``, ``'val_mean_absolute_error'``,
    ``'out_acc'``): ``legacy_table.KERAS224_LOG_NAMES``."""
    if not isinstance(node, cst.SimpleString):
        return None
    key = node.evaluated_value
    if not isinstance(key, str):
        return None
    return key if any(key == old or key.endswith("_" + old)
                      for old in KERAS224_LOG_NAMES) else None


@REGISTRY.register("Subscript", "history-keys")
def history_keys(ctx: Context, original: cst.Subscript, updated: cst.Subscript) -> Any:
    if len(updated.slice) != 1 or not isinstance(updated.slice[0].slice, cst.Index):
        return updated
    key = _keras2_log_key(updated.slice[0].slice.value)
    if key is None:
        return updated
    value = updated.value
    if isinstance(value, cst.Attribute) and value.attr.value == "history":
        if ctx.report(original, "history-keys", f"`.history['{key}']`: Keras 3 logs the "
                      "metric under the name compile() was given ('accuracy' -> "
                      "'accuracy', 'mae' -> 'mae')", f"{HELPER}(...)['{key}']", True):
            ctx.require_helper(HELPER)
            call = cst.Call(cst.Name(HELPER), [cst.Arg(value.value)])
            return updated.with_changes(value=call)
        return updated
    ctx.report(original, "history-keys", f"`['{key}']`: Keras 2's log name; Keras 3 logs "
               "'accuracy' / 'val_accuracy' for metrics=['accuracy'], 'mae' for ['mae']",
               "read the key compile()'s metric produces", False)
    return updated


@REGISTRY.register("Call", "checkpoint-path")
def checkpoint_path(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    if call_name(updated) != "ModelCheckpoint":
        return updated
    arg = file_arg(updated)
    if arg is None or isinstance(arg.value, cst.SimpleString):
        return updated
    ctx.report(original, "checkpoint-path", "`ModelCheckpoint(<a path built at run time>)`: "
               "Keras 3 needs a name ending in .keras (.weights.h5 with "
               "save_weights_only=True) and formats {fields} with its own log names "
               "('val_accuracy', not 'val_acc')", "check the path the program builds", False)
    return updated


def _enclosing(ctx: Context, node: cst.CSTNode) -> tuple[str | None, str | None]:
    """(function name, class name) around ``node``."""
    function = cls = None
    parent = ctx.parent(node)
    while parent is not None:
        if isinstance(parent, cst.FunctionDef) and function is None:
            function = parent.name.value
        if isinstance(parent, cst.ClassDef):
            cls = parent.name.value
            break
        parent = ctx.parent(parent)
    return function, cls


@REGISTRY.register("Return", "batch-as-list")
def batch_as_list(ctx: Context, original: cst.Return, updated: cst.Return) -> Any:
    """A Keras 2 ``Sequence.__getitem__`` returning ``[x, y]``: Keras 2 read a list of two or
    three as ``(x, y[, sample_weight])``; Keras 3 reads a list as the inputs. -> a tuple."""
    value = updated.value
    if not isinstance(value, cst.List) or len(value.elements) not in (2, 3):
        return updated
    if any(isinstance(e, cst.StarredElement) for e in value.elements):
        return updated
    function, cls = _enclosing(ctx, original)
    if function != "__getitem__" or cls not in ctx.facts.sequence_classes:
        return updated
    if not ctx.report(original, "batch-as-list", f"`{cls}.__getitem__` returns a list: Keras 2 "
                      "read it as (x, y), Keras 3 as the model's inputs", "return (x, y)", True):
        return updated
    elements = [e.with_changes(comma=cst.MaybeSentinel.DEFAULT) for e in value.elements]
    return updated.with_changes(value=cst.Tuple(
        [e.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
         for e in elements[:-1]] + elements[-1:]))
