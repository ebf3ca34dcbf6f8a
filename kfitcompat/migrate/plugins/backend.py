"""Backend rules: ``K.set_value`` / ``K.get_value``."""

from __future__ import annotations

import re
from typing import Any

import libcst as cst
from libcst.helpers import get_full_name_for_node

from ..base import REGISTRY, Context
from ..edits import append_keyword, code_of
from ..rules import (
    BACKEND_NAMES,
    BACKEND_VALUE_CALLS,
    DIM_ORDERINGS,
    HELPERS,
    KERAS2_BACKEND_ONLY,
    KERAS3_SPELLINGS,
)

__all__ = ["backend_ops", "backend_tf", "backend_value", "dim_ordering", "dim_ordering_comparison",
           "keras_shape", "set_dim_ordering"]


@REGISTRY.register("Call", "backend-ops")
def backend_ops(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """``K.sum(x, axis=1)`` -> ``keras.ops.sum(x, axis=1)``: a Keras 2 backend function Keras 3
    dropped from ``keras.backend``, written with ``keras.ops`` (``keras.random``), Keras 2's
    defaults made explicit where they differ (``K.concatenate(xs)`` ->
    ``keras.ops.concatenate(xs, axis=-1)``). ``K.batch_dot`` and ``K.switch``, whose Keras 2
    rules have no one-line spelling, call a helper written into the module
    (``kfitcompat.keras2.portable``); other names with no one-to-one spelling are
    reported."""
    func = updated.func
    if not (isinstance(func, cst.Attribute) and func.attr.value in KERAS2_BACKEND_ONLY
            and get_full_name_for_node(func.value) in BACKEND_NAMES):
        return updated
    name = func.attr.value
    if name in BACKEND_VALUE_CALLS or name in ("image_dim_ordering", "set_image_dim_ordering"):
        return updated  # rules of their own
    args = updated.args
    if name == "int_shape" and len(args) == 1 and args[0].keyword is None and not args[0].star:
        value = args[0].value
        text = code_of(value) if isinstance(value, (cst.Name, cst.Attribute, cst.Call,
                                                    cst.Subscript)) else f"({code_of(value)})"
        shape = cst.parse_expression(f"tuple({text}.shape)")
        if ctx.report(original, "backend-ops", "`K.int_shape` is not in Keras 3's keras.backend",
                      code_of(shape), True):
            return shape
        return updated
    axis = [a.value for a in args if a.keyword is not None and a.keyword.value == "axis"] or [
        a.value for a in args[1:2] if a.keyword is None]
    if name == "l2_normalize" and len(args) <= 2 and axis and not any(a.star for a in args):
        # Keras 2's default was every axis; with one given it is keras.ops.normalize's L2
        normalized = cst.parse_expression(
            f"keras.ops.normalize({code_of(args[0].value)}, axis={code_of(axis[0])})")
        if ctx.report(original, "backend-ops", "`K.l2_normalize` is not in Keras 3's "
                      "keras.backend", code_of(normalized), True):
            ctx.require_keras()
            return normalized
        return updated
    if name == "relu" and len(args) == 1 and args[0].keyword is None and not args[0].star:
        # Keras 2's alpha=0, max_value=None, threshold=0: keras.ops.relu's meaning exactly
        relu = updated.with_changes(func=cst.parse_expression("keras.ops.relu"))
        if ctx.report(original, "backend-ops", "`K.relu` is not in Keras 3's keras.backend",
                      code_of(relu)[:80], True):
            ctx.require_keras()
            return relu
        return updated
    helper = f"keras2_{name}"
    if helper in HELPERS:
        new = updated.with_changes(func=cst.Name(helper))
        if ctx.report(original, "backend-ops", f"`K.{name}` is not in Keras 3's keras.backend",
                      f"{code_of(new)[:60]} (a helper written into the module)", True):
            ctx.require_helper(helper)
            return new
        return updated
    if name == "repeat" and len(args) == 2 and not any(a.keyword or a.star for a in args):
        x, n = (code_of(a.value) for a in args)
        repeated = cst.parse_expression(
            f"keras.ops.repeat(keras.ops.expand_dims({x}, 1), {n}, axis=1)")
        if ctx.report(original, "backend-ops", "`K.repeat` is not in Keras 3's keras.backend",
                      code_of(repeated), True):
            ctx.require_keras()
            return repeated
        return updated
    spelling = KERAS3_SPELLINGS.get(name)
    causal = name.startswith("conv") and any(
        isinstance(a.value, cst.SimpleString) and a.value.evaluated_value == "causal"
        for a in args)
    if spelling is None or causal or any(a.star for a in args):
        ctx.report(original, "backend-ops", f"`K.{name}` is not in Keras 3's keras.backend",
                   "rewrite with keras.ops by hand", False,
                   f"K.{name}: no one-to-one keras.ops spelling (Keras 2 semantics differ); "
                   "rewrite by hand")
        return updated
    target, defaults = spelling
    new = updated.with_changes(func=cst.parse_expression(target))
    given = {a.keyword.value for a in updated.args if a.keyword is not None}
    positional = sum(1 for a in updated.args if a.keyword is None)
    for keyword, (position, default) in defaults.items():
        if keyword not in given and positional <= position:
            new = append_keyword(new, keyword, cst.parse_expression(default))
    if not ctx.report(original, "backend-ops", f"`K.{name}` is not in Keras 3's keras.backend",
                      code_of(new)[:80], True):
        return updated
    ctx.require_keras()
    return new


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


def _is_backend_call(node: cst.BaseExpression, name: str) -> bool:
    return (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == name
            and get_full_name_for_node(node.func.value) in BACKEND_NAMES)


@REGISTRY.register("Comparison", "image-dim-ordering")
def dim_ordering_comparison(ctx: Context, original: cst.Comparison,
                            updated: cst.Comparison) -> Any:
    """``K.image_dim_ordering() == 'th'`` -> ``K.image_data_format() == 'channels_first'``."""
    if not (_is_backend_call(updated.left, "image_dim_ordering") and len(updated.comparisons) == 1):
        return updated
    target = updated.comparisons[0]
    literal = code_of(target.comparator)
    ordering = literal.strip("'\"")
    if (not isinstance(target.operator, (cst.Equal, cst.NotEqual))
            or not isinstance(target.comparator, cst.SimpleString)
            or ordering not in DIM_ORDERINGS):
        ctx.report(original, "image-dim-ordering", "`K.image_dim_ordering()` is gone in Keras 3",
                   "compare K.image_data_format() with 'channels_first'/'channels_last'", False,
                   "K.image_dim_ordering() is gone: compare K.image_data_format() with "
                   "'channels_first' / 'channels_last'")
        return updated
    fmt = literal[0] + DIM_ORDERINGS[ordering] + literal[0]
    call = updated.left
    assert isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
    new = updated.with_changes(
        left=call.with_changes(func=call.func.with_changes(attr=cst.Name("image_data_format"))),
        comparisons=[target.with_changes(comparator=cst.SimpleString(fmt))])
    if ctx.report(original, "image-dim-ordering", "`K.image_dim_ordering()` is gone in Keras 3",
                  code_of(new), True):
        return new
    return updated


@REGISTRY.register("Call", "image-dim-ordering")
def dim_ordering(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """A bare ``K.image_dim_ordering()`` (not compared with a literal, which
    ``dim_ordering_comparison`` rewrites) -> ``("th" if K.image_data_format() ==
    "channels_first" else "tf")``: the same value from Keras 3's function."""
    if not _is_backend_call(updated, "image_dim_ordering") or updated.args:
        return updated
    parent = ctx.parent(original)
    if isinstance(parent, cst.Comparison) and parent.left is original:
        return updated  # the comparison's rule decides
    func = updated.func
    assert isinstance(func, cst.Attribute)
    data_format = code_of(func.with_changes(attr=cst.Name("image_data_format")))
    new = cst.parse_expression(
        f'("th" if {data_format}() == "channels_first" else "tf")')
    if ctx.report(original, "image-dim-ordering", "`K.image_dim_ordering()` is gone in Keras 3",
                  code_of(new), True):
        return new
    return updated


@REGISTRY.register("Call", "image-dim-ordering")
def set_dim_ordering(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """``K.set_image_dim_ordering('th')`` -> ``K.set_image_data_format('channels_first')``."""
    if not _is_backend_call(updated, "set_image_dim_ordering"):
        return updated
    args = updated.args
    value = code_of(args[0].value) if len(args) == 1 and not args[0].keyword else ""
    ordering = value.strip("'\"")
    if not isinstance(args[0].value if args else None, cst.SimpleString) or \
            ordering not in DIM_ORDERINGS:
        ctx.report(original, "image-dim-ordering", "`K.set_image_dim_ordering` is gone",
                   "K.set_image_data_format('channels_first' or 'channels_last')", False,
                   "K.set_image_dim_ordering is gone: use K.set_image_data_format(...)")
        return updated
    func = updated.func
    assert isinstance(func, cst.Attribute)
    new = updated.with_changes(
        func=func.with_changes(attr=cst.Name("set_image_data_format")),
        args=[args[0].with_changes(value=cst.SimpleString(value[0] + DIM_ORDERINGS[ordering]
                                                          + value[0]))])
    if ctx.report(original, "image-dim-ordering", "`K.set_image_dim_ordering` is gone",
                  code_of(new), True):
        return new
    return updated


@REGISTRY.register("Attribute", "keras-shape")
def keras_shape(ctx: Context, original: cst.Attribute, updated: cst.Attribute) -> Any:
    """``x._keras_shape`` -> ``tuple(x.shape)``; an assignment to it is reported (Keras 3
    computes shapes itself and never reads it)."""
    if updated.attr.value != "_keras_shape":
        return updated
    parent = ctx.parent(original)
    if isinstance(parent, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.Del)) and (
            getattr(parent, "target", None) is original):
        ctx.report(original, "keras-shape", "`x._keras_shape = ...`: Keras 3 computes "
                   "tensor shapes itself and never reads this attribute",
                   "remove the assignment (Keras 3 infers the shape)", False)
        return updated
    shape = cst.parse_expression(f"tuple({code_of(updated.value)}.shape)")
    if ctx.report(original, "keras-shape", "`x._keras_shape` is gone (Keras 2 set it on every "
                  "layer output)", code_of(shape), True):
        return shape
    return updated


_TF_BINDING = re.compile(r"\s*(?:from\s+\S+\s+)?import\s.*\bas\s+tf\b|\s*tf\s*=")


@REGISTRY.register("Attribute", "backend-tf")
def backend_tf(ctx: Context, original: cst.Attribute, updated: cst.Attribute) -> Any:
    """``K.tf.where(...)`` -> ``tf.where(...)`` with ``import tensorflow as tf``: Keras 2's
    backend module held the tensorflow module as ``tf``. Reported where the module binds
    ``tf`` to something else (``import tensorflow.compat.v1 as tf``)."""
    if not (updated.attr.value == "tf" and get_full_name_for_node(updated.value)
            in BACKEND_NAMES):
        return updated
    if any(_TF_BINDING.match(line) and line.strip() != "import tensorflow as tf"
           for line in ctx.lines):
        ctx.report(original, "backend-tf", "`K.tf`: Keras 3's keras.backend has no tf",
                   "import tensorflow under another name and use it", False)
        return updated
    if not ctx.report(original, "backend-tf", "`K.tf`: Keras 3's keras.backend has no tf",
                      "tf (import tensorflow as tf)", True):
        return updated
    ctx.require_import("import tensorflow as tf")
    return cst.Name("tf")
