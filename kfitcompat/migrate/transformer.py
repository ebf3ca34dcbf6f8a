"""The LibCST transformer: finds legacy Keras calls and (optionally) rewrites them.

Pure string in, string out: :func:`migrate_source` returns the new source and the
findings; formatting and comments are kept. What cannot be changed safely is
left as it is, with a ``# kfitcompat:`` comment above the statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import MetadataWrapper, PositionProvider

from .edits import code_of, drop_args, insert_statements, keyword_arg, rename_keyword
from .rules import (
    BACKEND_NAMES,
    BACKEND_VALUE_CALLS,
    CALLBACK_RULES,
    IMAGE_NAMES_TO_KFITCOMPAT,
    IMPORT_MOVES,
    LOADING_ARGS,
    METHOD_RULES,
    OPTIMIZERS,
)
from .sequences import LOADING_RENAMES, ModuleFacts, SequenceMover, add_kwargs, sequence_class_of

__all__ = ["Finding", "migrate_source", "KERAS3", "KFITCOMPAT"]

KERAS3 = "keras3"
KFITCOMPAT = "kfitcompat"
# What kfitcompat.install() makes work unchanged (left alone with --target kfitcompat).
SHIMMED_RULES = frozenset({"fit_generator", "evaluate_generator", "predict_generator",
                           "nb_epoch", "samples_per_epoch", "nb_val_samples", "val_samples",
                           "loading-arguments", "image-import"})
_COMMENT = "# kfitcompat: "
_FIT_POSITIONS = {"generator": 0, "validation_data": 5}


@dataclass(frozen=True)
class Finding:
    """One legacy use: where, what happens on Keras 3, the fix, and whether it was rewritten."""

    line: int
    col: int
    rule: str
    message: str
    fix: str
    changed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _BatchSizes(cst.CSTVisitor):
    """``name = <...>(..., batch_size=B)`` and ``.flow(x, y, B)``: the batch size of a name."""

    def __init__(self) -> None:
        self.sizes: dict[str, str] = {}

    def visit_Assign(self, node: cst.Assign) -> None:
        size = batch_size_of_call(node.value)
        if size is not None:
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    self.sizes[target.target.value] = size


def batch_size_of_call(node: cst.BaseExpression) -> str | None:
    if not isinstance(node, cst.Call):
        return None
    arg = keyword_arg(node, "batch_size")
    if arg is not None:
        return code_of(arg.value)
    method = node.func.attr.value if isinstance(node.func, cst.Attribute) else None
    positional = [a for a in node.args if a.keyword is None]
    if method == "flow" and len(positional) >= 3:
        return code_of(positional[2].value)
    if method in ("flow_from_directory", "flow_from_dataframe"):
        return "32"  # Keras 2's default batch_size for these
    return None


class LegacyKerasTransformer(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, target: str, batch_sizes: dict[str, str], rewrite: bool,
                 lines: Sequence[str] = (), facts: ModuleFacts | None = None) -> None:
        super().__init__()
        self.lines = lines
        self.facts = facts or ModuleFacts()
        self.moves: dict[str, dict[str, cst.BaseExpression]] = {}
        self.classes_to_patch: set[str] = set()
        self.target = target
        self.enabled = rewrite
        self.batch_sizes = batch_sizes
        self.findings: list[Finding] = []
        self._pending: list[list[str]] = []

    # -- bookkeeping -----------------------------------------------------------
    def _applies(self, rule: str) -> bool:
        """Rewrite this rule? With ``--target kfitcompat`` what the shim handles at run
        time stays as it is; everything else is still rewritten."""
        return self.enabled and (self.target == KERAS3 or rule not in SHIMMED_RULES)

    def _report(self, node: cst.CSTNode, rule: str, message: str, fix: str,
                changed: bool, comment: str | None = None) -> bool:
        """Record a finding; returns whether the rule's rewrite applies."""
        pos = self.get_metadata(PositionProvider, node).start
        applied = self._applies(rule)
        self.findings.append(Finding(pos.line, pos.column + 1, rule, message, fix,
                                     changed and applied))
        if comment and applied and self._pending:
            self._pending[-1].append(comment)
        return applied

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._pending.append([])

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine,
                                  updated: cst.SimpleStatementLine) -> Any:
        comments = self._pending.pop()
        existing = {line.comment.value for line in updated.leading_lines if line.comment}
        existing |= self._comments_above(original)
        new_lines = [cst.EmptyLine(comment=cst.Comment(_COMMENT + c)) for c in comments
                     if _COMMENT + c not in existing]
        if new_lines:
            updated = updated.with_changes(leading_lines=[*updated.leading_lines, *new_lines])
        if self._applies("image-import") and len(updated.body) == 1 and isinstance(
                updated.body[0], cst.ImportFrom):
            return self._split_image_import(original, updated)
        return updated

    def _comments_above(self, node: cst.CSTNode) -> set[str]:
        """The ``# kfitcompat:`` lines right above ``node`` in the source (a comment on
        the first line of a file belongs to the module header, not the statement)."""
        found = set()
        row = self.get_metadata(PositionProvider, node).start.line - 2
        while row >= 0 and self.lines[row].strip().startswith(_COMMENT.strip()):
            found.add(self.lines[row].strip())
            row -= 1
        return found

    # -- calls -----------------------------------------------------------------
    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        func = updated.func
        name = func.attr.value if isinstance(func, cst.Attribute) else (
            func.value if isinstance(func, cst.Name) else None)
        if name is None:
            return updated
        if isinstance(func, cst.Attribute) and name in METHOD_RULES:
            return self._method(original, updated, name)
        if name in OPTIMIZERS and keyword_arg(updated, "lr") is not None:
            if self._report(original, "optimizer-lr", f"`{name}(lr=...)`: Keras 3 raises "
                            "ValueError (\"Argument(s) not recognized\")",
                            "lr= -> learning_rate=", True):
                updated = rename_keyword(updated, "lr", "learning_rate")
        if name in OPTIMIZERS and keyword_arg(updated, "decay") is not None:
            self._report(original, "optimizer-decay", f"`{name}(decay=...)` is ignored by "
                         "Keras 3 (a warning only)", "use a learning-rate schedule, e.g. "
                         "keras.optimizers.schedules.InverseTimeDecay(lr, 1, decay)", False,
                         "`decay=` is ignored by Keras 3: use "
                         "keras.optimizers.schedules.InverseTimeDecay(lr, 1, decay)")
            return updated
        if (isinstance(func, cst.Attribute) and name in BACKEND_VALUE_CALLS
                and get_full_name_for_node(func.value) in BACKEND_NAMES):
            return self._backend_value(original, updated, name)
        if name in CALLBACK_RULES and keyword_arg(updated, CALLBACK_RULES[name][0]) is not None:
            arg, note = CALLBACK_RULES[name]
            self._report(original, f"callback-{arg}", f"`{name}({arg}=...)`: {note}", note,
                         False, f"{name}: {note}")
        return updated

    def _backend_value(self, original: cst.Call, updated: cst.Call, name: str
                       ) -> cst.BaseExpression:
        """``K.set_value(v, x)`` -> ``v.assign(x)``; ``K.get_value(v)`` -> ``v.numpy()``."""
        args = updated.args
        wanted = 2 if name == "set_value" else 1
        if len(args) != wanted or any(a.keyword or a.star for a in args):
            self._report(original, "backend-value", f"`K.{name}` is gone in Keras 3",
                         "use the variable's assign()/numpy()", False,
                         f"K.{name} is gone in Keras 3: use the variable's assign()/numpy()")
            return updated
        target = args[0].value
        fix = BACKEND_VALUE_CALLS[name].format(*(code_of(a.value) for a in args))
        if not self._report(original, "backend-value", f"`K.{name}` is gone in Keras 3", fix,
                            True):
            return updated
        receiver = target if isinstance(target, (cst.Name, cst.Attribute, cst.Call,
                                                 cst.Subscript)) else cst.parse_expression(
            f"({code_of(target)})")
        if name == "set_value":
            return cst.Call(func=cst.Attribute(value=receiver, attr=cst.Name("assign")),
                            args=[args[1].with_changes(comma=cst.MaybeSentinel.DEFAULT)])
        return cst.Call(func=cst.Attribute(value=receiver, attr=cst.Name("numpy")))

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute
                        ) -> cst.BaseExpression:
        """``model.optimizer.lr`` -> ``model.optimizer.learning_rate``."""
        if (updated.attr.value == "lr" and isinstance(updated.value, cst.Attribute)
                and updated.value.attr.value == "optimizer"):
            if self._report(original, "optimizer-lr-attribute",
                            "`optimizer.lr`: Keras 3 optimizers have no `lr` attribute",
                            ".lr -> .learning_rate", True):
                return updated.with_changes(attr=cst.Name("learning_rate"))
        return updated

    def _method(self, original: cst.Call, updated: cst.Call, name: str) -> cst.BaseExpression:
        rule = METHOD_RULES[name]
        func = updated.func
        assert isinstance(func, cst.Attribute)
        legacy_kwargs = [a.keyword.value for a in updated.args if a.keyword is not None]
        touched = [k for k in legacy_kwargs
                   if k in rule.renames or k in rule.sample_counts or k in LOADING_ARGS]
        if name == "fit" and not touched:
            return updated
        if name == "predict_classes":
            if not self._report(original, "predict_classes",
                                "`predict_classes` was removed (TF 2.6)", rule.note, True,
                                "predict_classes: for a sigmoid output use "
                                "(model.predict(x) > 0.5).astype('int32')"):
                return updated
            predict = updated.with_changes(func=func.with_changes(attr=cst.Name("predict")))
            return cst.parse_expression(f"{code_of(predict)}.argmax(axis=-1)")
        if rule.new_name is not None:
            if self._report(original, name, f"`{name}` is {rule.status}",
                            f"{name} -> {rule.new_name} ({rule.note})", True):
                updated = updated.with_changes(func=func.with_changes(attr=cst.Name(
                    rule.new_name)))
        for old, new in rule.renames.items():
            if old in legacy_kwargs:
                if self._report(original, old, f"`{old}=` (Keras 1) is a TypeError in Keras 3",
                                f"{old}= -> {new}=", True):
                    updated = rename_keyword(updated, old, new)
        for old, (new, data_arg) in rule.sample_counts.items():
            if old in legacy_kwargs:
                updated = self._sample_count(original, updated, old, new, data_arg)
        loading = [k for k in legacy_kwargs if k in LOADING_ARGS]
        if loading:
            updated = self._loading(original, updated, name, loading)
        return updated

    def _loading(self, original: cst.Call, updated: cst.Call, name: str, loading: list[str]
                 ) -> cst.Call:
        """Move the loading options onto a Sequence of this file, or drop them with a note."""
        values = {LOADING_RENAMES.get(k, k): keyword_arg(updated, k).value  # type: ignore[union-attr]
                  for k in loading}
        shown = ", ".join(f"{k}={code_of(keyword_arg(updated, k).value)}"  # type: ignore[union-attr]
                          for k in loading)
        data = keyword_arg(updated, "generator") or keyword_arg(updated, "x") or next(
            (a for a in updated.args if a.keyword is None), None)
        classes = self.facts.sequence_classes
        cls = None
        if data is not None and isinstance(data.value, cst.Name):
            cls = self.facts.instances.get(data.value.value)
        elif data is not None:
            cls = sequence_class_of(data.value, classes)
        if cls is not None:
            applies = self._report(original, "loading-arguments", f"`{shown}` on `{name}`: "
                                   "Keras 3 raises TypeError",
                                   f"moved to {cls}(...) (a keras.utils.PyDataset)", True)
            if not applies:
                return updated
            self.classes_to_patch.add(cls)
            if isinstance(data.value, cst.Name):  # type: ignore[union-attr]
                self.moves[data.value.value] = values  # type: ignore[union-attr]
            else:
                moved = add_kwargs(data.value, values)  # type: ignore[union-attr,arg-type]
                updated = updated.with_changes(args=[
                    a.with_changes(value=moved) if a is data else a for a in updated.args])
            return drop_args(updated, set(loading))
        note = (f"removed {shown}: Keras 3 takes workers/use_multiprocessing/"
                "max_queue_size on a keras.utils.PyDataset (its super().__init__(...)), "
                "not on fit/evaluate/predict")
        if self._report(original, "loading-arguments", f"`{shown}` on `{name}`: Keras 3 "
                        "raises TypeError", "move them to the PyDataset", True, note):
            updated = drop_args(updated, set(loading))
        return updated

    def _sample_count(self, original: cst.Call, updated: cst.Call, old: str, new: str,
                      data_arg: str) -> cst.Call:
        value = keyword_arg(updated, old)
        assert value is not None
        size = self._batch_size_for(original, data_arg)
        if size is None:
            applies = self._report(
                original, old, f"`{old}=` counted samples (Keras 1); Keras 3 counts batches "
                f"in `{new}=`", f"{new}={code_of(value.value)} // batch_size", True,
                f"`{old}` counted samples: divide `{new}` by your batch size")
            return rename_keyword(updated, old, new) if applies else updated
        expr = cst.parse_expression(f"{code_of(value.value)} // {size}")
        applies = self._report(original, old, f"`{old}=` counted samples (Keras 1); Keras 3 "
                               f"counts batches in `{new}=`", f"{new}={code_of(expr)}", True)
        return rename_keyword(updated, old, new, expr) if applies else updated

    def _batch_size_for(self, call: cst.Call, data_arg: str) -> str | None:
        arg = keyword_arg(call, data_arg)
        if arg is None:
            positional = [a for a in call.args if a.keyword is None]
            index = _FIT_POSITIONS.get(data_arg, 0)
            arg = positional[index] if len(positional) > index else None
        if arg is None:
            return None
        if isinstance(arg.value, cst.Name):
            return self.batch_sizes.get(arg.value.value)
        return batch_size_of_call(arg.value)

    # -- imports ---------------------------------------------------------------
    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom
                         ) -> cst.ImportFrom:
        module = get_full_name_for_node(updated.module) if updated.module else None
        if module in IMPORT_MOVES:
            new, note = IMPORT_MOVES[module]
            if self._report(original, "import-moved", note, f"from {new} import ...", True):
                return updated.with_changes(module=cst.parse_expression(new))
        if (module == "keras.utils" and not isinstance(updated.names, cst.ImportStar)
                and any(isinstance(a.name, cst.Name) and a.name.value == "np_utils"
                        for a in updated.names)):
            return self._np_utils(original, updated)
        if module == "keras.preprocessing.image" and not isinstance(updated.names,
                                                                    cst.ImportStar):
            moved = [a.name.value for a in updated.names
                     if isinstance(a.name, cst.Name) and a.name.value in IMAGE_NAMES_TO_KFITCOMPAT]
            if moved:
                self._report(original, "image-import", f"`{', '.join(moved)}`: cannot be "
                             "imported from keras.preprocessing.image in Keras 3",
                             "from kfitcompat.image import ...", True)
        return updated

    def _np_utils(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        """``from keras.utils import np_utils`` -> ``from keras import utils as np_utils``
        (``np_utils.to_categorical`` & co. are ``keras.utils`` functions in Keras 3)."""
        names = updated.names
        assert not isinstance(names, cst.ImportStar)
        alone = len(names) == 1 and names[0].asname is None
        note = "`keras.utils.np_utils` is gone; its functions are in `keras.utils`"
        if not self._report(original, "import-moved", note,
                            "from keras import utils as np_utils", alone,
                            None if alone else "import np_utils with "
                            "`from keras import utils as np_utils`") or not alone:
            return updated
        return updated.with_changes(
            module=cst.Name("keras"),
            names=[cst.ImportAlias(name=cst.Name("utils"),
                                   asname=cst.AsName(name=cst.Name("np_utils")))])

    def _split_image_import(self, original: cst.SimpleStatementLine,
                            updated: cst.SimpleStatementLine) -> Any:
        node = updated.body[0]
        assert isinstance(node, cst.ImportFrom)
        module = get_full_name_for_node(node.module) if node.module else None
        if module != "keras.preprocessing.image" or isinstance(node.names, cst.ImportStar):
            return updated
        moved = [a for a in node.names
                 if isinstance(a.name, cst.Name) and a.name.value in IMAGE_NAMES_TO_KFITCOMPAT]
        if not moved:
            return updated
        kept = [a for a in node.names if a not in moved]

        def clean(aliases: Sequence[cst.ImportAlias]) -> list[cst.ImportAlias]:
            out = list(aliases)
            out[-1] = out[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            return out

        new_import = updated.with_changes(body=[node.with_changes(
            module=cst.parse_expression("kfitcompat.image"), names=clean(moved),
            lpar=None if len(moved) == 1 else node.lpar,
            rpar=None if len(moved) == 1 else node.rpar)])
        if not kept:
            return new_import
        old_import = updated.with_changes(body=[node.with_changes(names=clean(kept))],
                                          leading_lines=[])
        return cst.FlattenSentinel([new_import, old_import])


def _add_install(module: cst.Module) -> tuple[cst.Module, bool]:
    """Insert ``import kfitcompat; kfitcompat.install()`` before the first keras import."""
    if "kfitcompat.install()" in module.code:
        return module, False
    position = next((i for i, stmt in enumerate(module.body)
                     if isinstance(stmt, cst.SimpleStatementLine)
                     and any(_imports_keras(s) for s in stmt.body)), len(module.body))
    return insert_statements(module, "import kfitcompat\nkfitcompat.install()\n", position), True


def _imports_keras(stmt: cst.BaseSmallStatement) -> bool:
    if isinstance(stmt, cst.ImportFrom) and stmt.module is not None:
        name = get_full_name_for_node(stmt.module) or ""
        return name.split(".")[0] in ("keras", "tensorflow")
    if isinstance(stmt, cst.Import):
        return any((get_full_name_for_node(a.name) or "").split(".")[0] in ("keras", "tensorflow")
                   for a in stmt.names)
    return False


def migrate_source(source: str, target: str = KERAS3, rewrite: bool = True,
                   augment_layers: bool = False) -> tuple[str, list[Finding]]:
    """Return ``(new_source, findings)``; with ``rewrite=False`` only report.

    ``augment_layers`` (``--target keras3`` only): translate ImageDataGenerator into
    Keras 3 preprocessing layers where every argument has a counterpart
    (:mod:`kfitcompat.migrate.augment`).

    Raises:
        libcst.ParserSyntaxError: the source does not parse.
    """
    module = cst.parse_module(source)
    sizes, facts = _BatchSizes(), ModuleFacts()
    module.visit(sizes)
    module.visit(facts)
    transformer = LegacyKerasTransformer(target, sizes.sizes, rewrite, source.splitlines(),
                                         facts)
    new_module = MetadataWrapper(module).visit(transformer)
    if transformer.classes_to_patch:
        new_module = new_module.visit(SequenceMover(transformer.moves,
                                                    transformer.classes_to_patch))
    findings = transformer.findings
    if rewrite and target == KFITCOMPAT and findings:
        new_module, added = _add_install(new_module)
        if added:
            findings = findings + [Finding(1, 1, "install", "legacy calls kept",
                                           "import kfitcompat; kfitcompat.install()", True)]
    if augment_layers and target == KERAS3:
        new_module, more = _augment_layers(new_module, rewrite)
        findings = findings + more
    return new_module.code, findings


def _augment_layers(module: cst.Module, rewrite: bool) -> tuple[cst.Module, list[Finding]]:
    from .augment import AugmentLayersTransformer, ensure_imports, plan_augment_layers

    plans = plan_augment_layers(module)
    findings = []
    for plan in plans:
        if plan.translatable:
            findings.append(Finding(
                plan.line, plan.column, "augment-layers",
                f"`{plan.name} = ImageDataGenerator(...)`: every argument has a Keras 3 layer",
                "keras.Sequential of preprocessing layers; flow() -> tf.data", rewrite))
        else:
            findings.append(Finding(
                plan.line, plan.column, "augment-layers-kept",
                f"`{plan.name}` stays a kfitcompat.image.ImageDataGenerator: "
                + "; ".join(plan.reasons), "translate these by hand, or keep kfitcompat.image",
                False))
    if rewrite and any(p.translatable for p in plans):
        module = module.visit(AugmentLayersTransformer(plans))
        module = ensure_imports(module, ["import keras", "import tensorflow as tf"])
    return module, findings
