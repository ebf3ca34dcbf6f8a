"""Keras 1 layer rules: ``Convolution2D(32, 3, 3, border_mode='same')`` ->
``Conv2D(32, (3, 3), padding='same')``, ``Dense(output_dim=)``, ``Dropout(p=)``, ...

The same tables as the runtime conversion (``kfitcompat.keras2.layers``), and the same
rule for when a call is Keras 1: a Keras 1 class name, or a Keras 1-only keyword. A file
given to migrate is Keras 2 code, so ``Conv2D(32, 3, 3)`` gets Keras 2's reading (a 3x3
kernel), as a script's call does under ``install()``; ``MaxPooling2D()`` gets Keras 2's
``pool_size``.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from ..base import REGISTRY, Context, call_name
from ..edits import append_keyword, code_of, drop_args, keyword_arg, rename_keyword
from ..rules import (
    CUDNN_RENAMES,
    DROPPED,
    IMPLEMENTATIONS,
    KERAS1_CLASSES,
    KERAS1_KEYWORDS,
    KERAS2_DEFAULTS,
    KERAS2_KERNEL_POSITIONALS,
    KERNEL_KEYWORDS,
    SPECIAL,
)

__all__ = ["channels_first", "keras1_layer", "keras1_layer_import", "layer_batch_shape",
           "leaky_relu_alpha", "listed_weights", "sequential_batch_shape",
           "sequential_list_batch_shape"]

_DATA_FORMATS = {"'th'": "'channels_first'", '"th"': '"channels_first"',
                 "'tf'": "'channels_last'", '"tf"': '"channels_last"'}


def _kw(arg: cst.Arg) -> str:
    return arg.keyword.value if arg.keyword is not None else ""


def _keyword(arg: cst.Arg, name: str, value: cst.BaseExpression | None = None) -> cst.Arg:
    return arg.with_changes(keyword=cst.Name(name), value=value or arg.value)


@REGISTRY.register("Call", "keras1-layer", "keras2-positionals", "keras2-defaults")
def keras1_layer(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    name = call_name(updated)
    if name is None:
        return updated
    if name in CUDNN_RENAMES:
        return _cudnn_layer(ctx, original, updated, name)
    forced = name in KERAS1_CLASSES
    layer = KERAS1_CLASSES.get(name, name)
    if layer not in KERAS1_KEYWORDS:
        return updated
    table = KERAS1_KEYWORDS[layer]
    keywords = [a.keyword.value for a in updated.args if a.keyword is not None]
    kernel_keywords = KERNEL_KEYWORDS.get(layer, ())
    special = [k for k in keywords if k in SPECIAL.get(layer, ())]
    keras1 = [k for k in keywords if k in table or k in kernel_keywords
              or k in DROPPED.get(layer, {}) or k in special]
    if special:  # Keras 2 converted these by a rule: the same rule, written out
        converted = _special_keywords(layer, updated)
        if converted is None:
            ctx.report(original, "keras1-layer", f"`{name}({', '.join(special)}=...)` is "
                       "Keras 1", "rewrite by hand (see the kfitcompat.keras2.layers rules)",
                       False, f"{name}: Keras 1 {', '.join(special)}= not rewritten (a value "
                       "known only at run time)")
            return updated
        updated = converted
    if not forced and not keras1:
        if layer in KERAS2_DEFAULTS or layer in KERAS2_KERNEL_POSITIONALS:
            return _keras2_reading(ctx, original, updated, name, layer)
        return updated
    if any(a.star for a in updated.args):
        ctx.report(original, "keras1-layer", f"`{name}(...)` takes Keras 1 arguments",
                   "convert *args / **kwargs by hand", False,
                   f"{name}: Keras 1 arguments passed through *args/**kwargs: convert by hand")
        return updated
    dims = len(kernel_keywords)  # the call is Keras 1: so is its positional kernel
    positional = [a for a in updated.args if a.keyword is None]
    named = [a for a in updated.args if a.keyword is not None]
    new_args: list[cst.Arg] = list(positional)
    if dims and dims > 1:
        kernel = [a.value for a in positional[1:1 + dims]]
        kernel += [a.value for a in named if _kw(a) in kernel_keywords]
        named = [a for a in named if _kw(a) not in kernel_keywords]
        rest = positional[1 + dims:]
        if layer == "Conv2DTranspose" and rest:
            rest = rest[1:]  # Deconvolution2D's output_shape: Keras 3 infers it
        if len(kernel) == dims:
            size = cst.parse_expression("(" + ", ".join(code_of(k) for k in kernel) + ")")
            first = [positional[0]] if positional else []
            new_args = [*first, cst.Arg(size), *rest]
    for arg in named:
        old = _kw(arg)
        if old in DROPPED.get(layer, {}):
            keep = DROPPED[layer][old]
            if keep is not None and code_of(arg.value) != repr(keep):
                ctx.report(original, "keras1-layer", f"`{name}({old}={code_of(arg.value)})`: "
                           "Keras 2 removed this mode", "use the default", False,
                           f"{name}: {old}= other than {keep} has no Keras 2/3 counterpart")
                return updated
            continue
        if old in table:
            value = arg.value
            if old == "dim_ordering" and code_of(value) in _DATA_FORMATS:
                value = cst.parse_expression(_DATA_FORMATS[code_of(value)])
            if old == "consume_less" and isinstance(value, cst.SimpleString) and (
                    value.evaluated_value in IMPLEMENTATIONS):
                value = cst.Integer(str(IMPLEMENTATIONS[value.evaluated_value]))
            new_args.append(_keyword(arg, table[old], value))
        else:
            new_args.append(arg)
    if new_args:
        new_args[-1] = new_args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    new = updated.with_changes(args=new_args)
    if layer != name:
        new = _called_as(new, layer)
    if not ctx.report(original, "keras1-layer", f"`{name}(...)` is a Keras 1 signature "
                      "(on Keras 3 it fails, or means something else)",
                      code_of(new).split("\n")[0][:80], True):
        return updated
    return new


def _called_as(call: cst.Call, name: str) -> cst.Call:
    """``call`` of the class ``name`` instead (``layers.X(...)`` keeps its ``layers.``)."""
    func = call.func
    return call.with_changes(func=func.with_changes(attr=cst.Name(name))
                             if isinstance(func, cst.Attribute) else cst.Name(name))


def _cudnn_layer(ctx: Context, original: cst.Call, updated: cst.Call, name: str) -> cst.Call:
    """``CuDNNLSTM(64, return_sequences=True)`` -> ``LSTM(64, return_sequences=True)``: Keras
    3's defaults are cuDNN's (tanh, sigmoid gates, GRU ``reset_after=True``)."""
    target = CUDNN_RENAMES[name]
    new = _called_as(updated, target)
    if ctx.report(original, "keras1-layer", f"`{name}` is Keras 2's cuDNN-only layer",
                  f"{target}(...) (the same computation; it uses cuDNN by itself on a GPU)",
                  True):
        return new
    return updated


def _special_keywords(layer: str, call: cst.Call) -> cst.Call | None:
    """Keras 2's rules for ``input_dim``/``input_length`` (-> ``input_shape``),
    ``forget_bias_init`` and SeparableConv2D's ``init``; None if a value needed for the
    rule is not a literal."""
    given = {_kw(a): a for a in call.args if a.keyword is not None}
    kept = [a for a in call.args if _kw(a) not in SPECIAL.get(layer, ())]
    if kept:
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    out = call.with_changes(args=kept)
    if layer == "Embedding" and "input_length" in given:
        length = code_of(given["input_length"].value)
        if length != "None" and "input_shape" not in given:
            out = append_keyword(out, "input_shape", cst.parse_expression(f"({length},)"))
    elif "input_dim" in given:
        length = code_of(given["input_length"].value) if "input_length" in given else "None"
        dim = code_of(given["input_dim"].value)
        out = append_keyword(out, "input_shape", cst.parse_expression(f"({length}, {dim})"))
    if "forget_bias_init" in given:
        value = given["forget_bias_init"].value
        if not isinstance(value, cst.SimpleString):
            return None
        if value.evaluated_value == "one":
            out = append_keyword(out, "unit_forget_bias", cst.Name("True"))
    if layer == "SeparableConv2D" and "init" in given:
        for keyword in ("depthwise_initializer", "pointwise_initializer"):
            out = append_keyword(out, keyword, given["init"].value)
    return out


def _keras2_reading(ctx: Context, original: cst.Call, updated: cst.Call, name: str,
                    layer: str) -> cst.Call:
    """A Keras 2 call Keras 3 reads otherwise: ``Conv2D(64, 3, 3)`` (the kernel, not
    strides) -> ``Conv2D(64, (3, 3))``; ``MaxPooling2D()`` -> ``MaxPooling2D(pool_size=(2,
    2))`` (Keras 3 requires the size)."""
    positional = [a for a in updated.args if a.keyword is None]
    keywords = {_kw(a) for a in updated.args if a.keyword is not None}
    dims = KERAS2_KERNEL_POSITIONALS.get(layer)
    if (dims and len(positional) == 1 + dims and not any(a.star for a in updated.args)
            and all(isinstance(a.value, cst.Integer) for a in positional[1:])
            and not (dims == 2 and keywords & {"padding", "strides", "data_format"})):
        kernel = "(" + ", ".join(code_of(a.value) for a in positional[1:]) + ")"
        if ctx.report(original, "keras2-positionals", f"`{name}({code_of(positional[0].value)}"
                      f", {kernel[1:-1]})`: Keras 2 read a {kernel} kernel; Keras 3 reads the "
                      "positional after the kernel size as strides",
                      f"{name}(..., {kernel})", True):
            kept = [a for a in updated.args if a not in positional[1:]]
            return updated.with_changes(args=[kept[0], cst.Arg(cst.parse_expression(kernel)),
                                              *kept[1:]])
        return updated
    for arg, (position, default) in KERAS2_DEFAULTS.get(layer, {}).items():
        if arg not in keywords and len(positional) <= position and not any(
                a.star for a in updated.args):
            if ctx.report(original, "keras2-defaults", f"`{name}()` without `{arg}`: Keras 2's "
                          f"default was {default!r}, Keras 3 requires it",
                          f"{arg}={default!r}", True):
                return append_keyword(updated, arg, cst.parse_expression(repr(default)))
    return updated


@REGISTRY.register("ImportFrom", "keras1-layer")
def keras1_layer_import(ctx: Context, original: cst.ImportFrom, updated: cst.ImportFrom
                        ) -> Any:
    """``from keras.layers import Convolution2D`` -> ``Conv2D``, as the calls are renamed."""
    from libcst.helpers import get_full_name_for_node

    module = get_full_name_for_node(updated.module) if updated.module else ""
    if (not module or not module.startswith("keras.layers")
            or isinstance(updated.names, cst.ImportStar) or not ctx.applies("keras1-layer")):
        return updated
    names: list[cst.ImportAlias] = []
    seen: set[str] = set()
    for alias in updated.names:
        name = alias.name.value if isinstance(alias.name, cst.Name) else None
        renamed = KERAS1_CLASSES.get(name or "") or CUDNN_RENAMES.get(name or "")
        if renamed and alias.asname is None:
            alias = alias.with_changes(name=cst.Name(renamed))
            name = renamed
        if name in seen and alias.asname is None:
            continue
        seen.add(name or "")
        names.append(alias)
    if len(names) == len(updated.names) and all(
            a.name.value == b.name.value for a, b in zip(names, updated.names)
            if isinstance(a.name, cst.Name) and isinstance(b.name, cst.Name)):
        return updated
    names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return updated.with_changes(names=names)


_BATCH_KEYWORDS = frozenset({"batch_size", "batch_input_shape"})


def _batch_shape(call: cst.Call) -> str | None:
    """The ``keras.Input(batch_shape=...)`` a layer call's Keras 2 batch keywords name, as
    source (Keras 2: ``(batch_size, *input_shape)``), or ``None`` if the call has none or
    its shape is not given there."""
    given = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    if any(a.star for a in call.args) or not _BATCH_KEYWORDS & set(given):
        return None
    if "batch_input_shape" in given:
        return None if "batch_size" in given else code_of(given["batch_input_shape"])
    batch, shape = code_of(given["batch_size"]), given.get("input_shape")
    if isinstance(shape, cst.Tuple):
        return "(" + ", ".join([batch, *(code_of(e.value) for e in shape.elements)]) + ")"
    return None if shape is None else f"({batch}, *{code_of(shape)})"


def _without_batch(call: cst.Call) -> cst.Call:
    return drop_args(call, {*_BATCH_KEYWORDS, "input_shape"})


def _added_layer(stmt: cst.SimpleStatementLine) -> tuple[cst.Expr, cst.Call, cst.Call] | None:
    """``(expression, model.add(...) call, layer call)`` of a ``model.add(Layer(...))``
    statement whose layer names a batch shape."""
    expr = stmt.body[0] if len(stmt.body) == 1 else None
    add = expr.value if isinstance(expr, cst.Expr) else None
    if not (isinstance(expr, cst.Expr) and isinstance(add, cst.Call)
            and isinstance(add.func, cst.Attribute) and add.func.attr.value == "add"
            and len(add.args) == 1 and add.args[0].keyword is None):
        return None
    layer = add.args[0].value
    if not isinstance(layer, cst.Call) or _batch_shape(layer) is None:
        return None
    return expr, add, layer


def _first_of_sequential(call: cst.Call) -> cst.Call | None:
    """The first layer of ``Sequential([Layer(...), ...])`` if it names a batch shape."""
    if call_name(call) != "Sequential" or not call.args or call.args[0].keyword is not None:
        return None
    layers = call.args[0].value
    if not isinstance(layers, cst.List) or not layers.elements:
        return None
    first = layers.elements[0].value
    return first if isinstance(first, cst.Call) and _batch_shape(first) is not None else None


def _rewritten_elsewhere(ctx: Context, layer: cst.Call) -> bool:
    """Whether ``layer`` (an original) is the one a ``model.add`` statement or a
    ``Sequential([...])`` list starts with: those rules rewrite it."""
    arg = ctx.parent(layer)
    holder = ctx.parent(arg) if arg is not None else None
    if isinstance(holder, cst.Call):  # model.add(layer)
        expr = ctx.parent(holder)
        stmt = ctx.parent(expr) if expr is not None else None
        return isinstance(stmt, cst.SimpleStatementLine) and _added_layer(stmt) is not None
    if isinstance(holder, cst.List):  # Sequential([layer, ...])
        outer_arg = ctx.parent(holder)
        outer = ctx.parent(outer_arg) if outer_arg is not None else None
        return isinstance(outer, cst.Call) and _first_of_sequential(outer) is layer
    return False


_BATCH_MESSAGE = "Keras 3 layers take no batch shape"


@REGISTRY.register("Call", "layer-batch-shape")
def layer_batch_shape(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """``LSTM(20, input_shape=(4, 1), batch_size=1, stateful=True)`` or
    ``batch_input_shape=`` anywhere but a Sequential's first layer (which
    ``sequential_batch_shape`` rewrites): reported."""
    name = call_name(updated)
    if name is None or KERAS1_CLASSES.get(name, name) not in KERAS1_KEYWORDS:
        return updated
    given = [a.keyword.value for a in updated.args if a.keyword is not None
             and a.keyword.value in _BATCH_KEYWORDS]
    if given and not _rewritten_elsewhere(ctx, original):
        ctx.report(original, "layer-batch-shape", f"`{name}({given[0]}=...)`: {_BATCH_MESSAGE}",
                   "start the model with keras.Input(batch_shape=...)",
                   False, f"{name}: {given[0]}= is Keras 2; start the model with "
                   "keras.Input(batch_shape=(batch, *input_shape)) instead")
    return updated


@REGISTRY.register("SimpleStatementLine", "layer-batch-shape")
def sequential_batch_shape(ctx: Context, original: cst.SimpleStatementLine,
                           updated: cst.SimpleStatementLine) -> Any:
    """``model.add(LSTM(20, input_shape=(4, 1), batch_size=1, stateful=True))`` ->
    ``model.add(keras.Input(batch_shape=(1, 4, 1)))`` then ``model.add(LSTM(20,
    stateful=True))``: the Keras 3 spelling of a Sequential's batch shape
    (``batch_input_shape=`` alike)."""
    found = _added_layer(updated)
    if found is None:
        return updated
    expr, add, layer = found
    assert isinstance(add.func, cst.Attribute)
    shape = _batch_shape(layer)
    first = cst.parse_statement(f"{code_of(add.func.value)}.add(keras.Input(batch_shape={shape}))")
    if not ctx.report(original, "layer-batch-shape", f"`{call_name(layer)}(...)` names a batch "
                      f"shape: {_BATCH_MESSAGE}", code_of(first).strip(), True):
        return updated
    ctx.require_keras()
    rest = updated.with_changes(body=[expr.with_changes(value=add.with_changes(
        args=[add.args[0].with_changes(value=_without_batch(layer))]))], leading_lines=[])
    return cst.FlattenSentinel([first.with_changes(leading_lines=updated.leading_lines), rest])


@REGISTRY.register("Call", "layer-batch-shape")
def sequential_list_batch_shape(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """``Sequential([LSTM(20, batch_input_shape=(1, 4, 1)), ...])`` ->
    ``Sequential([keras.Input(batch_shape=(1, 4, 1)), LSTM(20), ...])``."""
    layer = _first_of_sequential(updated)
    if layer is None:
        return updated
    shape = _batch_shape(layer)
    layers = updated.args[0].value
    assert isinstance(layers, cst.List)
    entry = cst.parse_expression(f"keras.Input(batch_shape={shape})")
    if not ctx.report(original, "layer-batch-shape", f"`{call_name(layer)}(...)` names a batch "
                      f"shape: {_BATCH_MESSAGE}", f"keras.Input(batch_shape={shape})", True):
        return updated
    ctx.require_keras()
    head = layers.elements[0]
    elements = [head.with_changes(value=entry, comma=cst.Comma(
        whitespace_after=cst.SimpleWhitespace(" "))),
        head.with_changes(value=_without_batch(layer)), *layers.elements[1:]]
    return updated.with_changes(args=[updated.args[0].with_changes(
        value=layers.with_changes(elements=elements)), *updated.args[1:]])


def _negative_number(node: cst.BaseExpression) -> bool:
    """Whether ``node`` is a negative number literal (``-1.0``, ``-.3``)."""
    return (isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus)
            and isinstance(node.expression, (cst.Integer, cst.Float))
            and float(node.expression.value) != 0)


@REGISTRY.register("Call", "leaky-relu-alpha")
def leaky_relu_alpha(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """``LeakyReLU(alpha=0.2)`` -> ``LeakyReLU(negative_slope=0.2)``; a negative slope
    (Keras 2 took any, Keras 3 refuses one) is reported."""
    if call_name(updated) != "LeakyReLU":
        return updated
    alpha = keyword_arg(updated, "alpha")
    slope = alpha if alpha is not None else keyword_arg(updated, "negative_slope") or next(
        (a for a in updated.args if a.keyword is None), None)
    if slope is not None and _negative_number(slope.value):
        given = (f"{slope.keyword.value}=" if slope.keyword else "") + code_of(slope.value)
        ctx.report(original, "leaky-relu-alpha", f"`LeakyReLU({given})`: "
                   "Keras 3 refuses a negative slope (Keras 2 took any)",
                   "keras.layers.Lambda(lambda x: keras.ops.where(x > 0, x, alpha * x))", False,
                   "LeakyReLU: Keras 3 refuses a negative slope; use a Lambda layer computing "
                   "where(x > 0, x, alpha * x)")
        return updated
    if alpha is not None and ctx.report(original, "leaky-relu-alpha", "`LeakyReLU(alpha=...)`: "
                                        "Keras 3 spells it negative_slope",
                                        "alpha= -> negative_slope=", True):
        return rename_keyword(updated, "alpha", "negative_slope")
    return updated


_LISTED = ("trainable_weights", "non_trainable_weights")


@REGISTRY.register("Assign", "listed-weights")
def listed_weights(ctx: Context, original: cst.Assign, updated: cst.Assign) -> Any:
    """``self.trainable_weights = [self.W]`` in a custom layer's ``build`` (Keras 1/2):
    Keras 3's property is read-only. Reported: the weights' ``add_weight(trainable=...)``
    says it, and the line goes."""
    for target in original.targets:
        node = target.target
        if isinstance(node, cst.Attribute) and node.attr.value in _LISTED:
            ctx.report(original, "listed-weights", f"`{code_of(node)} = ...`: Keras 3's "
                       f"`{node.attr.value}` cannot be assigned",
                       "create each weight with add_weight(trainable=True/False) and drop the "
                       "line", False, f"{node.attr.value} is read-only in Keras 3: give "
                       "add_weight(trainable=...) and drop this line")
            break
    return updated


_CHANNELS_FIRST = ("channels_first", "th")
_SET_FORMAT = ("set_image_data_format", "set_image_dim_ordering")


@REGISTRY.register("Call", "channels-first")
def channels_first(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """A convolution in ``data_format='channels_first'`` (``dim_ordering='th'``, or the
    global ``set_image_data_format('channels_first')``): reported, as Keras 3 runs it only on
    a GPU (TensorFlow has no NCHW convolution on a CPU; Keras 2 transposed, and
    ``kfitcompat.install()`` does, ``kfitcompat.keras2.conv_layout``)."""
    name = call_name(original) or ""
    values = [a.value for a in original.args if a.keyword is not None
              and a.keyword.value in ("data_format", "dim_ordering")] if (
        "Conv" in name or "Deconv" in name) else []
    if name in _SET_FORMAT and original.args and original.args[0].keyword is None:
        values.append(original.args[0].value)
    if not any(isinstance(v, cst.SimpleString) and v.evaluated_value in _CHANNELS_FIRST
               for v in values):
        return updated
    ctx.report(original, "channels-first", "Keras 3 runs `channels_first` convolutions only "
               "on a GPU (TensorFlow has no NCHW convolution on a CPU; Keras 2 transposed)",
               "channels_last data (np.moveaxis(x, 1, -1)), or kfitcompat.install()", False,
               "channels_first: Keras 3 runs these convolutions only on a GPU; use "
               "channels_last data to run on a CPU")
    return updated
