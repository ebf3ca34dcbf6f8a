"""Optimizer rules: Keras 2's ``lr=`` and ``decay=``, ``optimizer.lr``."""

from __future__ import annotations

from typing import Any

import libcst as cst

from ..base import REGISTRY, Context, call_name
from ..edits import keyword_arg, rename_keyword
from ..rules import OPTIMIZERS

__all__ = ["optimizer_arguments", "optimizer_lr_attribute"]


@REGISTRY.register("Call", "optimizer-lr", "optimizer-decay")
def optimizer_arguments(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """``SGD(lr=...)`` -> ``SGD(learning_rate=...)``; ``decay=`` reported (Keras 3 ignores it)."""
    name = call_name(updated)
    if name not in OPTIMIZERS:
        return updated
    if keyword_arg(updated, "lr") is not None:
        if ctx.report(original, "optimizer-lr", f"`{name}(lr=...)`: Keras 3 raises "
                      "ValueError (\"Argument(s) not recognized\")", "lr= -> learning_rate=",
                      True):
            updated = rename_keyword(updated, "lr", "learning_rate")
    if keyword_arg(updated, "decay") is not None:
        ctx.report(original, "optimizer-decay", f"`{name}(decay=...)` is ignored by "
                   "Keras 3 (a warning only)", "use a learning-rate schedule, e.g. "
                   "keras.optimizers.schedules.InverseTimeDecay(lr, 1, decay)", False,
                   "`decay=` is ignored by Keras 3: use "
                   "keras.optimizers.schedules.InverseTimeDecay(lr, 1, decay)")
    return updated


@REGISTRY.register("Attribute", "optimizer-lr-attribute")
def optimizer_lr_attribute(ctx: Context, original: cst.Attribute, updated: cst.Attribute
                           ) -> Any:
    """``model.optimizer.lr`` -> ``model.optimizer.learning_rate``."""
    if (updated.attr.value == "lr" and isinstance(updated.value, cst.Attribute)
            and updated.value.attr.value == "optimizer"):
        if ctx.report(original, "optimizer-lr-attribute",
                      "`optimizer.lr`: Keras 3 optimizers have no `lr` attribute",
                      ".lr -> .learning_rate", True):
            return updated.with_changes(attr=cst.Name("learning_rate"))
    return updated
