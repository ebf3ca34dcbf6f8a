"""Callback rules: arguments Keras 3's callbacks no longer take (reported, not rewritten)."""

from __future__ import annotations

from typing import Any

import libcst as cst

from ..base import REGISTRY, Context, call_name
from ..edits import keyword_arg
from ..rules import CALLBACK_RULES

__all__ = ["accuracy_monitor", "callback_arguments"]


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
    args = [a.with_changes(value=cst.SimpleString(f"{quote}{new_name}{quote}"))
            if a is monitor else a for a in updated.args]
    if mode is None:
        args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(
            " ")))
        args.append(cst.Arg(keyword=cst.Name("mode"), value=cst.SimpleString(f"{quote}max"
                                                                             f"{quote}"),
                            equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                                  whitespace_after=cst.SimpleWhitespace(""))))
    return updated.with_changes(args=args)
