"""Backend rules: ``K.set_value`` / ``K.get_value``."""

from __future__ import annotations

from typing import Any

import libcst as cst
from libcst.helpers import get_full_name_for_node

from ..base import REGISTRY, Context
from ..edits import code_of
from ..rules import BACKEND_NAMES, BACKEND_VALUE_CALLS

__all__ = ["backend_value"]


@REGISTRY.register("Call", "backend-value")
def backend_value(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """``K.set_value(v, x)`` -> ``v.assign(x)``; ``K.get_value(v)`` -> ``v.numpy()``."""
    func = updated.func
    if not (isinstance(func, cst.Attribute) and func.attr.value in BACKEND_VALUE_CALLS
            and get_full_name_for_node(func.value) in BACKEND_NAMES):
        return updated
    name = func.attr.value
    args = updated.args
    wanted = 2 if name == "set_value" else 1
    if len(args) != wanted or any(a.keyword or a.star for a in args):
        ctx.report(original, "backend-value", f"`K.{name}` is gone in Keras 3",
                   "use the variable's assign()/numpy()", False,
                   f"K.{name} is gone in Keras 3: use the variable's assign()/numpy()")
        return updated
    target = args[0].value
    fix = BACKEND_VALUE_CALLS[name].format(*(code_of(a.value) for a in args))
    if not ctx.report(original, "backend-value", f"`K.{name}` is gone in Keras 3", fix, True):
        return updated
    receiver = target if isinstance(target, (cst.Name, cst.Attribute, cst.Call,
                                             cst.Subscript)) else cst.parse_expression(
        f"({code_of(target)})")
    if name == "set_value":
        return cst.Call(func=cst.Attribute(value=receiver, attr=cst.Name("assign")),
                        args=[args[1].with_changes(comma=cst.MaybeSentinel.DEFAULT)])
    return cst.Call(func=cst.Attribute(value=receiver, attr=cst.Name("numpy")))
