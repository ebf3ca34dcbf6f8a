"""Optimizer rules: Keras 2's ``lr=`` and ``decay=``, ``optimizer.lr``."""

from __future__ import annotations

from typing import Any

import libcst as cst
from libcst.helpers import get_full_name_for_node

from ..base import REGISTRY, Context, call_name
from ..edits import append_keyword, code_of, drop_args, keyword_arg, rename_keyword
from ..rules import KERAS2_DEFAULT_LR, KERAS3_DEFAULT_LR, OPTIMIZERS
from ..rules import LOWER_CASE_OPTIMIZERS as LOWER_CASE_NAMES

__all__ = ["optimizer_arguments", "optimizer_lr_attribute"]


@REGISTRY.register("Call", "optimizer-lr", "optimizer-decay", "optimizer-name",
                   "optimizer-default-rate", "optimizer-epsilon")
def optimizer_arguments(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """``SGD(lr=...)`` -> ``SGD(learning_rate=...)``; ``rmsprop(...)`` -> ``RMSprop(...)``;
    ``decay=d`` -> ``learning_rate=InverseTimeDecay(lr, 1, d)`` (Keras 2's
    ``lr / (1 + d * iterations)``; Keras 3 ignores ``decay``); ``Adadelta()`` ->
    ``Adadelta(learning_rate=1.0)`` where Keras 2's default rate is not Keras 3's."""
    name = call_name(updated)
    if name in LOWER_CASE_NAMES and isinstance(updated.func, cst.Attribute) and \
            get_full_name_for_node(updated.func.value) in ("keras.optimizers", "optimizers"):
        new = LOWER_CASE_NAMES[name]
        if ctx.report(original, "optimizer-name", f"`optimizers.{name}` is gone in Keras 3",
                      f"optimizers.{new}", True):
            updated = updated.with_changes(func=updated.func.with_changes(attr=cst.Name(new)))
            name = new
    if name not in OPTIMIZERS:
        return updated
    epsilon = keyword_arg(updated, "epsilon")
    if epsilon is not None and code_of(epsilon.value) == "None" and ctx.report(
            original, "optimizer-epsilon", f"`{name}(epsilon=None)`: Keras 3 raises "
            "ValueError (\"None values not supported\"); Keras 2 meant K.epsilon()",
            "epsilon=1e-7", True):
        updated = rename_keyword(updated, "epsilon", "epsilon", cst.parse_expression("1e-7"))
    if keyword_arg(updated, "lr") is not None:
        if ctx.report(original, "optimizer-lr", f"`{name}(lr=...)`: Keras 3 raises "
                      "ValueError (\"Argument(s) not recognized\")", "lr= -> learning_rate=",
                      True):
            updated = rename_keyword(updated, "lr", "learning_rate")
    decay = keyword_arg(updated, "decay")
    if decay is not None:
        rate = keyword_arg(updated, "learning_rate")
        default = KERAS2_DEFAULT_LR.get(name)  # the schedule needs one when the call gives none
        lr = code_of(rate.value) if rate is not None else (
            None if default is None else repr(default))
        if code_of(decay.value) in ("0", "0.", "0.0"):  # Keras 2.2's documented default
            if ctx.report(original, "optimizer-decay", f"`{name}(decay=0.0)`: Keras 3 warns "
                          "that it ignores `decay`; 0.0 asked for no decay", "drop it", True):
                updated = drop_args(updated, {"decay"})
            return _keras2_default_rate(ctx, original, updated, name)
        if lr is None:
            ctx.report(original, "optimizer-decay", f"`{name}(decay=...)` is ignored by "
                       "Keras 3 (a warning only)", "use a learning-rate schedule, e.g. "
                       "keras.optimizers.schedules.InverseTimeDecay(lr, 1, decay)", False,
                       "`decay=` is ignored by Keras 3: use "
                       "keras.optimizers.schedules.InverseTimeDecay(lr, 1, decay)")
            return updated
        schedule = cst.parse_expression(
            f"keras.optimizers.schedules.InverseTimeDecay({lr}, decay_steps=1, "
            f"decay_rate={code_of(decay.value)})")
        if ctx.report(original, "optimizer-decay", f"`{name}(decay=...)` is ignored by "
                      "Keras 3 (a warning only)", code_of(schedule), True):
            updated = drop_args(updated, {"decay"})
            ctx.require_keras()
            if rate is not None:
                updated = rename_keyword(updated, "learning_rate", "learning_rate", schedule)
            else:
                updated = append_keyword(updated, "learning_rate", schedule)
    return _keras2_default_rate(ctx, original, updated, name)


def _keras2_default_rate(ctx: Context, original: cst.Call, updated: cst.Call, name: str
                         ) -> cst.Call:
    """``Adadelta()`` (no rate) trained at 1.0 in Keras 2 and at 0.001 in Keras 3: write
    Keras 2's rate out (also ``Adagrad``, ``Adamax``, ``Nadam``)."""
    keras2, keras3 = KERAS2_DEFAULT_LR.get(name), KERAS3_DEFAULT_LR.get(name)
    if (keras2 is None or keras2 == keras3 or any(a.keyword is None for a in updated.args)
            or keyword_arg(updated, "learning_rate") is not None
            or keyword_arg(updated, "lr") is not None):
        return updated
    if ctx.report(original, "optimizer-default-rate", f"`{name}()` without a rate: Keras 2's "
                  f"default was {keras2!r}, Keras 3's is {keras3!r}",
                  f"learning_rate={keras2!r}", True):
        return append_keyword(updated, "learning_rate", cst.parse_expression(repr(keras2)))
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
