"""``kfitcompat migrate --augment-layers``: ImageDataGenerator -> Keras 3 preprocessing layers.

A generator ``name = ImageDataGenerator(...)`` is translated when every argument
that is not at its default (``NEUTRAL``) has a layer counterpart (``LAYER_ARGS``)
and every use of ``name`` is ``name.flow(x, y, ...)`` passed straight to
``fit``/``fit_generator`` (or a ``name.fit(x)`` statement, removed: with no statistic
enabled Keras 2's ``fit`` computed nothing). It becomes a ``keras.Sequential`` of
preprocessing layers, and each ``flow`` a ``tf.data`` pipeline that shuffles, batches and
augments with ``training=True``; it repeats when the fit call gives ``steps_per_epoch``
(the legacy iterator loops forever), else one pass per epoch (Keras 2's ``len(flow)``).
Anything else is left to ``kfitcompat.image`` and reported with the reason.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import ParentNodeProvider, PositionProvider

from .edits import code_of, insert_statements, keyword_arg

__all__ = ["LAYER_ARGS", "NO_COUNTERPART", "AugmentPlan", "plan_augment_layers",
           "AugmentLayersTransformer"]

# ImageDataGenerator argument -> Keras 3 layer it becomes (see `_layers`).
LAYER_ARGS = {
    "rotation_range": "RandomRotation(degrees / 360)",
    "width_shift_range": "RandomTranslation(width_factor=fraction)",
    "height_shift_range": "RandomTranslation(height_factor=fraction)",
    "zoom_range": "RandomZoom((-z, z), (-z, z))",
    "horizontal_flip": 'RandomFlip("horizontal")',
    "vertical_flip": 'RandomFlip("vertical")',
    "fill_mode": "fill_mode= of the geometric layers",
    "cval": "fill_value= of the geometric layers",
    "rescale": "Rescaling(scale), last (Keras 2 rescaled after the transform)",
}
# Arguments with no layer of the same meaning (reported, generator left to kfitcompat.image).
NO_COUNTERPART = {
    "featurewise_center": "needs statistics from `fit(x)`: use a Normalization layer + adapt()",
    "samplewise_center": "no layer; write `x - ops.mean(x, axis=(1, 2, 3), keepdims=True)`",
    "featurewise_std_normalization": "use a Normalization layer + adapt()",
    "samplewise_std_normalization": "no layer of the same meaning",
    "zca_whitening": "no Keras 3 layer",
    "zca_epsilon": "no Keras 3 layer",
    "shear_range": "RandomShear's factor is not Keras 2's angle in degrees",
    "channel_shift_range": "no Keras 3 layer",
    "brightness_range": "RandomBrightness adds, Keras 2 multiplied",
    "preprocessing_function": "a Python function per image: keep it in a tf.data map",
    "data_format": "set the layers' data_format yourself",
    "validation_split": "split the arrays before building the dataset",
    "interpolation_order": "no layer option of the same meaning",
    "dtype": "no layer option of the same meaning",
}
# Arguments at their Keras 2 default (or neutral) value do nothing: dropped, never a reason.
NEUTRAL: dict[str, Any] = {
    "featurewise_center": False, "samplewise_center": False,
    "featurewise_std_normalization": False, "samplewise_std_normalization": False,
    "zca_whitening": False, "shear_range": 0, "channel_shift_range": 0,
    "brightness_range": None, "preprocessing_function": None, "data_format": None,
    "validation_split": 0, "rotation_range": 0, "zoom_range": 0, "width_shift_range": 0,
    "height_shift_range": 0, "rescale": None, "horizontal_flip": False, "vertical_flip": False,
    "interpolation_order": 1, "dtype": None,
}
_FIT_NAMES = ("fit", "fit_generator")


@dataclass
class AugmentPlan:
    """One ``ImageDataGenerator`` assignment: translatable or why not."""

    name: str
    args: dict[str, cst.BaseExpression]
    line: int
    column: int
    reasons: list[str] = field(default_factory=list)
    #: ``name.fit(x)`` statements: no statistic is enabled, so Keras 2's fit did nothing
    fit_statements: int = 0

    @property
    def translatable(self) -> bool:
        return not self.reasons


def _literal(node: cst.BaseExpression) -> Any:
    """The Python value of a simple literal (numbers, True/False/None, strings), else a marker."""
    try:
        return ast.literal_eval(code_of(node))
    except (ValueError, SyntaxError):
        return _NOT_LITERAL


_NOT_LITERAL = object()


class _Finder(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (ParentNodeProvider, PositionProvider)

    def __init__(self) -> None:
        self.plans: dict[str, AugmentPlan] = {}
        self.names: list[cst.Name] = []

    def visit_Assign(self, node: cst.Assign) -> None:
        value = node.value
        if (len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name)
                and isinstance(value, cst.Call)
                and (get_full_name_for_node(value.func) or "").split(".")[-1]
                == "ImageDataGenerator"):
            name = node.targets[0].target.value
            pos = self.get_metadata(PositionProvider, node).start
            plan = AugmentPlan(name, {}, pos.line, pos.column + 1)
            for arg in value.args:
                if arg.keyword is None:
                    plan.reasons.append("positional arguments")
                    continue
                key = arg.keyword.value
                if key in NEUTRAL and _literal(arg.value) == NEUTRAL[key] and (
                        _literal(arg.value) is not _NOT_LITERAL):
                    continue  # the default: nothing to translate
                plan.args[key] = arg.value
                if key in NO_COUNTERPART:
                    plan.reasons.append(f"`{key}`: {NO_COUNTERPART[key]}")
                elif key not in LAYER_ARGS:
                    plan.reasons.append(f"`{key}`: unknown argument")
            if "zca_epsilon" in plan.args and "zca_whitening" not in plan.args:
                del plan.args["zca_epsilon"]  # only read with zca_whitening
                plan.reasons.remove("`zca_epsilon`: no Keras 3 layer")
            for key in ("width_shift_range", "height_shift_range"):
                v = _literal(plan.args[key]) if key in plan.args else 0.0
                if v is _NOT_LITERAL or not isinstance(v, float) or not 0 <= v < 1:
                    plan.reasons.append(f"`{key}`: only a float fraction below 1 is translated")
            if name in self.plans:
                plan.reasons.append(f"`{name}` is assigned twice")
            self.plans[name] = plan

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node)


def _check_uses(finder: _Finder, wrapper: Any) -> None:
    parents = wrapper.resolve(ParentNodeProvider)
    for node in finder.names:
        plan = finder.plans.get(node.value)
        if plan is None:
            continue
        parent = parents[node]
        if isinstance(parent, cst.AssignTarget):
            continue
        if _is_fit_statement(node, parents):
            plan.fit_statements += 1
            continue
        reason = _flow_use_problem(node, parents)
        if reason:
            plan.reasons.append(reason)


def _is_fit_statement(node: cst.Name, parents: Any) -> bool:
    """``name.fit(x)`` alone on its line (its result unused)."""
    attr = parents[node]
    if not (isinstance(attr, cst.Attribute) and attr.value is node and attr.attr.value == "fit"):
        return False
    call = parents[attr]
    return isinstance(call, cst.Call) and isinstance(parents.get(call), cst.Expr)


def _flow_use_problem(node: cst.Name, parents: Any) -> str | None:
    attr = parents[node]
    if not isinstance(attr, cst.Attribute) or attr.value is not node:
        return f"`{node.value}` is used other than as `{node.value}.flow(...)`"
    if attr.attr.value != "flow":
        return f"`{node.value}.{attr.attr.value}` has no tf.data counterpart here"
    call = parents[attr]
    arg = parents.get(call)
    fit = parents.get(arg) if isinstance(arg, cst.Arg) else None
    if not (isinstance(call, cst.Call) and isinstance(fit, cst.Call)
            and isinstance(fit.func, cst.Attribute) and fit.func.attr.value in _FIT_NAMES
            and fit.args and fit.args[0] is arg):
        return f"`{node.value}.flow(...)` is not passed straight to fit/fit_generator"
    if len([a for a in call.args if a.keyword is None]) != 2:
        return f"`{node.value}.flow` is not called as flow(x, y, ...)"
    return None


def plan_augment_layers(module: cst.Module) -> list[AugmentPlan]:
    """Every ``ImageDataGenerator`` assignment of ``module``, with why it cannot be translated."""
    from libcst.metadata import MetadataWrapper

    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    finder = _Finder()
    wrapper.visit(finder)
    _check_uses(finder, wrapper)
    return list(finder.plans.values())


def _layers(args: dict[str, cst.BaseExpression]) -> list[str]:
    # Keras 2's default fill_mode is "nearest" (the layers' is "reflect")
    fill = f", fill_mode={code_of(args['fill_mode']) if 'fill_mode' in args else repr('nearest')}"
    if "cval" in args:
        fill += f", fill_value={code_of(args['cval'])}"
    out = []
    flips = [d for d, k in (("horizontal", "horizontal_flip"), ("vertical", "vertical_flip"))
             if k in args and _literal(args[k]) is True]
    if flips:
        out.append(f'keras.layers.RandomFlip("{"_and_".join(flips)}")')
    if "rotation_range" in args:
        out.append(f"keras.layers.RandomRotation({code_of(args['rotation_range'])} / 360{fill})")
    if "width_shift_range" in args or "height_shift_range" in args:
        h = code_of(args["height_shift_range"]) if "height_shift_range" in args else "0.0"
        w = code_of(args["width_shift_range"]) if "width_shift_range" in args else "0.0"
        out.append(f"keras.layers.RandomTranslation({h}, {w}{fill})")
    if "zoom_range" in args:
        z = code_of(args["zoom_range"])
        out.append(f"keras.layers.RandomZoom((-{z}, {z}), (-{z}, {z}){fill})")
    if "rescale" in args:
        out.append(f"keras.layers.Rescaling({code_of(args['rescale'])})")
    return out


class AugmentLayersTransformer(cst.CSTTransformer):
    """Rewrites the translatable plans (see module doc)."""

    def __init__(self, plans: Sequence[AugmentPlan]) -> None:
        super().__init__()
        self.plans = {p.name: p for p in plans if p.translatable}
        self.all_translated = bool(plans) and all(p.translatable for p in plans)
        self._fit_steps: list[bool] = []  # per enclosing fit call: has steps_per_epoch

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in _FIT_NAMES:
            self._fit_steps.append(keyword_arg(node, "steps_per_epoch") is not None)

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine,
                                  updated: cst.SimpleStatementLine) -> Any:
        """``datagen.fit(x)`` of a generator with no statistic: Keras 2 computed nothing."""
        body = updated.body
        if len(body) == 1 and isinstance(body[0], cst.Expr):
            call = body[0].value
            if (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
                    and call.func.attr.value == "fit" and isinstance(call.func.value, cst.Name)
                    and call.func.value.value in self.plans):
                return cst.RemovalSentinel.REMOVE
        return updated

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        target = updated.targets[0].target if len(updated.targets) == 1 else None
        if not isinstance(target, cst.Name) or target.value not in self.plans:
            return updated
        if not isinstance(updated.value, cst.Call):
            return updated
        layers = _layers(self.plans[target.value].args) or ["keras.layers.Identity()"]
        body = "".join(f"    {layer},\n" for layer in layers)
        stack = cst.parse_expression(f"keras.Sequential([\n{body}])")
        return updated.with_changes(value=stack)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        func = updated.func
        if isinstance(func, cst.Attribute) and func.attr.value in _FIT_NAMES and self._fit_steps:
            self._fit_steps.pop()
            return updated
        if not (isinstance(func, cst.Attribute) and func.attr.value == "flow"
                and isinstance(func.value, cst.Name) and func.value.value in self.plans):
            return updated
        name = func.value.value
        x, y = (code_of(a.value) for a in updated.args if a.keyword is None)
        kw = {a.keyword.value: code_of(a.value) for a in updated.args if a.keyword is not None}
        batch = kw.get("batch_size", "32")
        shuffle = "" if kw.get("shuffle", "True") == "False" else f".shuffle(len({x}))"
        # with steps_per_epoch the legacy iterator looped forever: repeat; without, one pass
        # per epoch (Keras 2 ran len(flow) steps, as Keras 3 does over a finite dataset)
        repeat = ".repeat()" if self._fit_steps and self._fit_steps[-1] else ""
        return cst.parse_expression(
            f"tf.data.Dataset.from_tensor_slices(({x}, {y})){shuffle}.batch({batch})"
            f".map(lambda images, labels: ({name}(images, training=True), labels)){repeat}")

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> Any:
        """Drop ``ImageDataGenerator`` from the import once no generator is left."""
        if not self.all_translated or isinstance(updated.names, cst.ImportStar):
            return updated
        kept = [a for a in updated.names
                if not (isinstance(a.name, cst.Name) and a.name.value == "ImageDataGenerator")]
        if len(kept) == len(updated.names):
            return updated
        if not kept:
            return cst.RemovalSentinel.REMOVE
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(names=kept)


def ensure_imports(module: cst.Module, needed: Sequence[str]) -> cst.Module:
    """Add the ``needed`` import lines the module lacks, before its first import."""
    missing = [line for line in needed if line not in module.code.splitlines()]
    if not missing:
        return module
    position = next((i for i, stmt in enumerate(module.body)
                     if isinstance(stmt, cst.SimpleStatementLine)
                     and isinstance(stmt.body[0], (cst.Import, cst.ImportFrom))), 0)
    return insert_statements(module, "".join(f"{line}\n" for line in missing), position)
