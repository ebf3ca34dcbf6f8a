"""Model-method rules: ``fit_generator`` & co., Keras 1 keywords and sample counts,
``predict_classes``, and the loading options moved onto a Sequence of the file."""

from __future__ import annotations

from typing import Any

import libcst as cst

from ...keras2.layer_attrs import KERAS2_ADD_WEIGHT_ORDER
from ...legacy_table import POSITIONAL
from ..base import REGISTRY, Context, batch_size_of_call
from ..edits import code_of, drop_args, keyword_arg, rename_keyword
from ..rules import DELETED_KEYWORDS, LOADING_ARGS, METHOD_RULES
from ..sequences import LOADING_RENAMES, add_kwargs, sequence_class_of

__all__ = ["add_weight_name", "deleted_keywords", "model_input_output", "model_method",
           "reset_states", "sequential_tensor", "symbolic_add_loss", "unguarded_processes"]

_KERAS3_METHODS = ("fit", "evaluate", "predict")
_FIT_POSITIONS = {"generator": 0, "validation_data": 5}
_RULE_IDS = sorted({*METHOD_RULES, "loading-arguments",
                    *(k for rule in METHOD_RULES.values() for k in rule.renames),
                    *(k for rule in METHOD_RULES.values() for k in rule.sample_counts),
                    *(k for rule in METHOD_RULES.values() for k in rule.deletes)})


def _delete_keywords(ctx: Context, original: cst.Call, updated: cst.Call, name: str,
                     names: tuple[str, ...]) -> cst.Call:
    """The keywords ``names`` of Keras 0.x that Keras 1 already ignored (``show_accuracy=``,
    ``class_mode=``): they go."""
    for old in names:
        if keyword_arg(updated, old) is not None and ctx.report(
                original, old, f"`{name}({old}=...)`: ignored since Keras 1, a TypeError in "
                "Keras 3", f"drop {old}= (Keras 1 ignored it)", True):
            updated = drop_args(updated, {old})
    return updated


@REGISTRY.register("Call", *sorted({k for names in DELETED_KEYWORDS.values() for k in names}))
def deleted_keywords(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """``model.compile(..., class_mode='binary')``, ``model.evaluate(..., show_accuracy=True)``:
    Keras 0.x keywords Keras 1 ignored with a warning."""
    func = updated.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in DELETED_KEYWORDS:
        return updated
    name = func.attr.value
    return _delete_keywords(ctx, original, updated, name, DELETED_KEYWORDS[name])


@REGISTRY.register("Call", *_RULE_IDS)
def model_method(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    func = updated.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in METHOD_RULES:
        return updated
    name = func.attr.value
    rule = METHOD_RULES[name]
    legacy_kwargs = [a.keyword.value for a in updated.args if a.keyword is not None]
    touched = [k for k in legacy_kwargs if k in rule.renames or k in rule.sample_counts
               or k in LOADING_ARGS or k in rule.deletes]
    if name == "fit" and not touched:
        return updated
    if name == "predict_classes":
        if not ctx.report(original, "predict_classes",
                          "`predict_classes` was removed (TF 2.6)", rule.note, True,
                          "predict_classes: for a sigmoid output use "
                          "(model.predict(x) > 0.5).astype('int32')"):
            return updated
        predict = updated.with_changes(func=func.with_changes(attr=cst.Name("predict")))
        return cst.parse_expression(f"{code_of(predict)}.argmax(axis=-1)")
    if name == "predict_proba" and ctx.facts.scikit_learn:
        ctx.report(original, name, f"`{name}` is {rule.status} on a Keras model (this module "
                   "also uses scikit-learn, whose estimators keep it)",
                   f"{name} -> {rule.new_name} on a Keras model ({rule.note})", False)
        return updated
    if rule.new_name is not None:
        named = (_keywords_for_positionals(updated, POSITIONAL[name]) if name in POSITIONAL
                 else updated)
        if named is None:
            ctx.report(original, name, f"`{name}` has more positional arguments than its "
                       "Keras 2 signature", "name them", False)
            return updated
        if ctx.report(original, name, f"`{name}` is {rule.status}",
                      f"{name} -> {rule.new_name} ({rule.note})", True):
            updated = named.with_changes(func=func.with_changes(attr=cst.Name(
                rule.new_name)))
            legacy_kwargs = [a.keyword.value for a in updated.args if a.keyword is not None]
            if name.endswith("_generator") and keyword_arg(updated, "generator") is not None:
                updated = rename_keyword(updated, "generator", "x")  # Keras 3 calls it x
            if name == "predict_generator":
                updated = _batches_as_tuples(ctx, updated)
    for old, new in rule.renames.items():
        if old in legacy_kwargs:
            if ctx.report(original, old, f"`{old}=` (Keras 1) is a TypeError in Keras 3",
                          f"{old}= -> {new}=", True):
                updated = rename_keyword(updated, old, new)
    updated = _delete_keywords(ctx, original, updated, name, rule.deletes)
    for old, (new, data_arg) in rule.sample_counts.items():
        if old in legacy_kwargs:
            updated = _sample_count(ctx, original, updated, old, new, data_arg)
    loading = [k for k in legacy_kwargs if k in LOADING_ARGS]
    if loading:
        updated = _loading(ctx, original, updated, name, loading)
    return updated


def _batches_as_tuples(ctx: Context, call: cst.Call) -> cst.Call:
    """``predict(gen)`` of a plain iterator: Keras 3 takes a generator's batches only as
    tuples (``(x,)``), Keras 2 took a bare ``x`` too; the data is wrapped so both run.
    Sequences, image iterators and what the module does not show to be an iterator are
    left as they are."""
    args = list(call.args)
    index = next((i for i, a in enumerate(args)
                  if (a.keyword is None and not a.star) or (
                      a.keyword is not None and a.keyword.value == "x")), None)
    if index is None or not ctx.facts.is_iterator(args[index].value):
        return call
    data = code_of(args[index].value)
    wrapped = cst.parse_expression(
        f"(b if isinstance(b, tuple) else (b,) for b in {data})")
    args[index] = args[index].with_changes(value=wrapped)
    return call.with_changes(args=args)


def _keywords_for_positionals(call: cst.Call, names: tuple[str, ...]) -> cst.Call | None:
    """``g.fit_generator(gen, 100, 5)`` -> ``(gen, steps_per_epoch=100, epochs=5)``: Keras 3's
    ``fit(x, y, batch_size, epochs, ...)`` would read them as ``y`` and ``batch_size``. The
    data argument stays first; ``None`` when there are more positionals than ``names``."""
    positional = [a for a in call.args if a.keyword is None and not a.star]
    if len(positional) > len(names):
        return None
    if len(positional) <= 1:
        return call
    equal = cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))
    renamed = {id(a): a.with_changes(keyword=cst.Name(n), equal=equal)
               for a, n in zip(positional[1:], names[1:])}
    return call.with_changes(args=[renamed.get(id(a), a) for a in call.args])


def _loading(ctx: Context, original: cst.Call, updated: cst.Call, name: str,
             loading: list[str]) -> cst.Call:
    """Move the loading options onto a Sequence of this file, or drop them with a note."""
    values = {LOADING_RENAMES.get(k, k): keyword_arg(updated, k).value  # type: ignore[union-attr]
              for k in loading}
    shown = ", ".join(f"{k}={code_of(keyword_arg(updated, k).value)}"  # type: ignore[union-attr]
                      for k in loading)
    data = keyword_arg(updated, "generator") or keyword_arg(updated, "x") or next(
        (a for a in updated.args if a.keyword is None), None)
    classes = ctx.facts.sequence_classes
    cls = None
    if data is not None and isinstance(data.value, cst.Name):
        cls = ctx.facts.instances.get(data.value.value)
    elif data is not None:
        cls = sequence_class_of(data.value, classes)
    if cls is not None:
        applies = ctx.report(original, "loading-arguments", f"`{shown}` on `{name}`: "
                             "Keras 3 raises TypeError",
                             f"moved to {cls}(...) (a keras.utils.PyDataset)", True)
        if not applies:
            return updated
        ctx.classes_to_patch.add(cls)
        if isinstance(data.value, cst.Name):  # type: ignore[union-attr]
            ctx.moves[data.value.value] = values  # type: ignore[union-attr]
        else:
            moved = add_kwargs(data.value, values)  # type: ignore[union-attr,arg-type]
            updated = updated.with_changes(args=[
                a.with_changes(value=moved) if a is data else a for a in updated.args])
        return drop_args(updated, set(loading))
    note = (f"removed {shown}: Keras 3 takes workers/use_multiprocessing/"
            "max_queue_size on a keras.utils.PyDataset (its super().__init__(...)), "
            "not on fit/evaluate/predict")
    if ctx.report(original, "loading-arguments", f"`{shown}` on `{name}`: Keras 3 "
                  "raises TypeError", "move them to the PyDataset", True, note):
        updated = drop_args(updated, set(loading))
    return updated


def _sample_count(ctx: Context, original: cst.Call, updated: cst.Call, old: str, new: str,
                  data_arg: str) -> cst.Call:
    value = keyword_arg(updated, old)
    assert value is not None
    size = _batch_size_for(ctx, original, data_arg)
    if size is None:
        applies = ctx.report(
            original, old, f"`{old}=` counted samples (Keras 1); Keras 3 counts batches "
            f"in `{new}=`", f"{new}={code_of(value.value)} // batch_size", True,
            f"`{old}` counted samples: divide `{new}` by your batch size")
        return rename_keyword(updated, old, new) if applies else updated
    expr = cst.parse_expression(f"{code_of(value.value)} // {size}")
    applies = ctx.report(original, old, f"`{old}=` counted samples (Keras 1); Keras 3 "
                         f"counts batches in `{new}=`", f"{new}={code_of(expr)}", True)
    return rename_keyword(updated, old, new, expr) if applies else updated


def _batch_size_for(ctx: Context, call: cst.Call, data_arg: str) -> str | None:
    arg = keyword_arg(call, data_arg)
    if arg is None:
        positional = [a for a in call.args if a.keyword is None]
        index = _FIT_POSITIONS.get(data_arg, 0)
        arg = positional[index] if len(positional) > index else None
    if arg is None:
        return None
    if isinstance(arg.value, cst.Name):
        return ctx.batch_sizes.get(arg.value.value)
    return batch_size_of_call(arg.value)


@REGISTRY.register("Call", "model-input-output")
def model_input_output(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """Keras 1 ``Model(input=..., output=...)`` -> ``Model(inputs=..., outputs=...)``."""
    func = updated.func
    name = func.attr.value if isinstance(func, cst.Attribute) else (
        func.value if isinstance(func, cst.Name) else None)
    if name != "Model":
        return updated
    old = [k for k in ("input", "output") if keyword_arg(updated, k) is not None
           and keyword_arg(updated, k + "s") is None]
    if not old or not ctx.report(original, "model-input-output", "`Model(input=, output=)` "
                                 "is Keras 1: Keras 3 raises ValueError",
                                 "inputs= and outputs=", True):
        return updated
    for k in old:
        updated = rename_keyword(updated, k, k + "s")
    return updated


@REGISTRY.register("Call", "unguarded-processes")
def unguarded_processes(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """``use_multiprocessing=True`` (``pickle_safe=True``) in a script with no main guard:
    Keras 2 forked on Linux and never needed one; noted, not rewritten."""
    func = updated.func
    if ctx.facts.main_guard or ctx.facts.notebook or not isinstance(func, cst.Attribute) or (
            func.attr.value not in METHOD_RULES and func.attr.value not in _KERAS3_METHODS):
        return updated
    for name in ("use_multiprocessing", "pickle_safe"):
        arg = keyword_arg(updated, name)
        if arg is not None and code_of(arg.value) == "True":
            ctx.report(original, "unguarded-processes", f"`{name}=True` in a module without "
                       "`if __name__ == '__main__':`", "add the main guard", False,
                       "worker processes: kfitcompat sends __main__ code by value (no re-run), "
                       "but processes that spawn (Keras 3 PyDataset on macOS/Windows) re-run "
                       "an unguarded script; guard the training code")
            break
    return updated


@REGISTRY.register("Call", "reset-states")
def reset_states(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """``model.reset_states()`` -> ``keras2_reset_states(model)``: Keras 3 models have no
    ``reset_states`` (nor metrics; RNN layers spell it ``reset_state``); the helper, written
    into the module, resets every stateful layer as Keras 2 did."""
    func = updated.func
    if not (isinstance(func, cst.Attribute) and func.attr.value == "reset_states"):
        return updated
    if updated.args:  # Keras 2's rnn.reset_states(values): no one-line Keras 3 spelling
        first = updated.args[0].value
        if isinstance(first, cst.Name) and first.value in ("True", "False", "None"):
            return updated  # never state values: another library's reset_states(flag)
        ctx.report(original, "reset-states", "`reset_states(values)`: Keras 3's RNN layers "
                   "reset to zeros only", "assign each state: `for state, value in "
                   "zip(layer.states, values): state.assign(value)`", False)
        return updated
    new = cst.Call(func=cst.Name("keras2_reset_states"), args=[cst.Arg(func.value)])
    if not ctx.report(original, "reset-states", "`reset_states()` is gone from Keras 3 models",
                      f"{code_of(new)} (a helper written into the module)", True):
        return updated
    ctx.require_helper("keras2_reset_states")
    return new


@REGISTRY.register("Call", "symbolic-add-loss")
def symbolic_add_loss(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """``vae.add_loss(vae_loss)`` (not ``self.add_loss`` in a layer, valid Keras 3) ->
    ``keras2_add_loss(vae, vae_loss)``: Keras 3 has no symbolic losses; the helper, written
    into the module, adds the tensor's value to every step's loss as Keras 2 did (any other
    value still goes to the model's ``add_loss``)."""
    func = updated.func
    if not (isinstance(func, cst.Attribute) and func.attr.value == "add_loss"
            and len(updated.args) == 1 and updated.args[0].keyword is None
            and not updated.args[0].star):
        return updated
    receiver = func.value
    if (isinstance(receiver, cst.Name) and receiver.value == "self") or (
            isinstance(receiver, cst.Attribute) and isinstance(receiver.value, cst.Name)
            and receiver.value.value == "self"):
        return updated  # a layer's or model's own call(): Keras 3 takes it
    return _to_helper(ctx, original, updated, "keras2_add_loss", "symbolic-add-loss",
                      "`model.add_loss(tensor)`: Keras 3 has no symbolic losses "
                      "(NotImplementedError)")


@REGISTRY.register("Call", "add-metric")
def add_metric(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """``self.add_metric(ops.sum(x), name='activity')`` (Keras 2.3, tf.keras 2) ->
    ``keras2_add_metric(self, ops.sum(x), name='activity')``: Keras 3's ``add_metric`` always
    raises; the helper, written into the module, logs the value's mean per epoch as Keras 2
    did (a functional model's symbolic tensor too)."""
    func = updated.func
    if not (isinstance(func, cst.Attribute) and func.attr.value == "add_metric"
            and updated.args and not any(a.star for a in updated.args)):
        return updated
    return _to_helper(ctx, original, updated, "keras2_add_metric", "add-metric",
                      "`add_metric()` raises in Keras 3 (disabled)")


def _to_helper(ctx: Context, original: cst.Call, updated: cst.Call, helper: str, rule: str,
               message: str) -> Any:
    """``receiver.method(*args)`` -> ``helper(receiver, *args)``, the helper written into the
    module, reported under ``rule``; the call as it is when the rule does not apply."""
    receiver = updated.func.value  # type: ignore[attr-defined]
    args = [*updated.args[:-1], updated.args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
    new = cst.Call(func=cst.Name(helper), args=[
        cst.Arg(receiver, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), *args])
    if not ctx.report(original, rule, message,
                      f"{code_of(new)} (a helper written into the module)", True):
        return updated
    ctx.require_helper(helper)
    return new


@REGISTRY.register("Call", "add-weight-name")
def add_weight_name(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """``self.add_weight('kernel', (3, 4), ...)`` (Keras 2.1-2.3's order: name first) ->
    ``self.add_weight(name='kernel', shape=(3, 4), ...)``: Keras 3 starts with ``shape`` and
    refuses a string there."""
    func = updated.func
    args = updated.args
    if not (isinstance(func, cst.Attribute) and func.attr.value == "add_weight" and args
            and args[0].keyword is None and not args[0].star
            and isinstance(args[0].value, (cst.SimpleString, cst.ConcatenatedString,
                                           cst.FormattedString))):
        return updated
    positional = [a for a in args if a.keyword is None and not a.star]
    if len(positional) > len(KERAS2_ADD_WEIGHT_ORDER) or any(a.star for a in args):
        return updated
    keywords = [a.with_changes(keyword=cst.Name(name), equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""),
                    whitespace_after=cst.SimpleWhitespace("")))
                for name, a in zip(KERAS2_ADD_WEIGHT_ORDER, positional)]
    new = updated.with_changes(args=[*keywords, *args[len(positional):]])
    if not ctx.report(original, "add-weight-name", "`add_weight('name', shape, ...)`: Keras "
                      "2's order; Keras 3 takes the shape first and refuses a string there",
                      "add_weight(name=..., shape=..., ...)", True):
        return updated
    return new


@REGISTRY.register("Attribute", "sequential-tensor")
def sequential_tensor(ctx: Context, original: cst.Attribute, updated: cst.Attribute) -> Any:
    """``model.input`` / ``model.output`` of a ``model = Sequential(...)`` of the module ->
    ``model.inputs[0]`` / ``model.outputs[0]``: Keras 2 gave the tensors of a Sequential that
    knows its input shape, Keras 3 raises until the model is called."""
    which = updated.attr.value
    if (which not in ("input", "output") or not isinstance(updated.value, cst.Name)
            or ctx.facts.constructed.get(updated.value.value) != "Sequential"):
        return updated
    if not ctx.report(original, "sequential-tensor", f"`.{which}` of a Sequential: Keras 3 "
                      "raises until the model is called", f".{which} -> .{which}s[0]", True):
        return updated
    return cst.Subscript(
        value=updated.with_changes(attr=cst.Name(f"{which}s")),
        slice=[cst.SubscriptElement(cst.Index(cst.Integer("0")))])
