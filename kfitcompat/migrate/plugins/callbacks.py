"""Callback rules: arguments Keras 3's callbacks no longer take (reported, not rewritten)."""

from __future__ import annotations

from typing import Any

import libcst as cst

from ..base import REGISTRY, Context, call_name
from ..edits import keyword_arg
from ..rules import CALLBACK_RULES

__all__ = ["callback_arguments"]


@REGISTRY.register("Call", *(f"callback-{arg}" for arg, _ in CALLBACK_RULES.values()))
def callback_arguments(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    name = call_name(updated)
    if name in CALLBACK_RULES and keyword_arg(updated, CALLBACK_RULES[name][0]) is not None:
        arg, note = CALLBACK_RULES[name]
        ctx.report(original, f"callback-{arg}", f"`{name}({arg}=...)`: {note}", note,
                   False, f"{name}: {note}")
    return updated
