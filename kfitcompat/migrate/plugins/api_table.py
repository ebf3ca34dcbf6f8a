"""Rule ``keras2-api``: every use of a Keras 2 name, keyword or attribute that the API table
(``kfitcompat.legacy``) marks *refused*, or *translated* with no rewrite of its own, is a
finding, so ``check`` never calls a file clean that Keras 3 alone will not run as Keras 2 did.

Names are resolved through the module's imports (``from keras import backend as K`` makes
``K.placeholder`` ``keras.backend.placeholder``); the keywords of a call to a resolved name
are looked up as its parameters; ``x.output_shape`` and the other Keras 2-only attributes of
layers and models are reported wherever they are read (the object's class is not known
before run time). Nothing is rewritten: the finding says what to write.
"""

from __future__ import annotations

from typing import Any

import libcst as cst
from libcst.helpers import get_full_name_for_node

from ...keras2.losses import KERAS2_LOSS_NAMES
from ...keras2.modules import MODULES
from ...keras2.optimizers import LOWER_CASE_NAMES as LOWER_CASE_OPTIMIZERS
from ...legacy.api import layer_keywords
from ...legacy.lookup import Verdict, attribute_names, canonical, verdict_of
from ...legacy.verdicts import REFUSED, SAME, TRANSLATED
from ..base import REGISTRY, Context
from ..rules import ADDED_NAMES, IMPORT_MOVES

__all__ = ["RULE", "FIXES", "MOVED", "api_attribute", "api_call", "api_import",
           "api_import_module"]

RULE = "keras2-api"
#: The Keras 3 spelling of translated rows no other rule rewrites (by row id suffix).
FIXES = {
    "output_shape": "`layer.output.shape` (models: `model.output_shape`)",
    "input_shape": "`layer.input.shape`",
    "get_output_at": "keep the tensor the call returned",
    "get_input_at": "keep the tensor passed to the call",
    "get_output_shape_at": "keep the tensor the call returned and read its `.shape`",
    "get_input_shape_at": "keep the tensor passed to the call and read its `.shape`",
    "stateful": "`getattr(layer, 'stateful', False)`",
    "input_names": "`[t.name for t in model.inputs]` (Keras 3 names an input tensor after "
                   "its `keras.Input(name=...)`)",
    "input_length": "`keras.Input(shape=(length,))` before the layer",
    "get_output_shape_for": "`layer.compute_output_shape(input_shape)`",
    "input_shape=": "start the model with `keras.Input(shape=...)`",
    "batch_input_shape=": "start the model with `keras.Input(batch_shape=...)`",
    "batch_size=": "start the model with `keras.Input(batch_shape=(batch_size, ...))`",
    "trainable=": "set `layer.trainable = False` after creating the layer",
    "weights=": "`layer.set_weights(...)` once the layer is built",
    "input_dtype=": "`dtype=`",
    "nb_classes": "`num_classes=`",
    "schedule_decay": "drop it (Keras 3's Nadam computes with Keras 2's default, 0.004)",
    "BaseLogger": "drop it: Keras 3 logs the epoch averages itself",
    "GeneratorEnqueuer": "keep kfitcompat.install() (or from kfitcompat.utils import ...)",
    "OrderedEnqueuer": "keep kfitcompat.install() (or from kfitcompat.utils import ...)",
    "SequenceEnqueuer": "keep kfitcompat.install() (or from kfitcompat.utils import ...)",
    **{alias: f"`keras.losses.{name}`" for alias, name in KERAS2_LOSS_NAMES.items()},
    **{lower: f"`keras.optimizers.{cls}(...)`" for lower, cls in LOWER_CASE_OPTIMIZERS.items()},
    "_get_available_gpus": "`[d.name for d in tf.config.list_logical_devices('GPU')]`",
    "TimeseriesGenerator": "`keras.utils.timeseries_dataset_from_array(...)`",
    "ThresholdedReLU": "`keras.layers.ReLU(threshold=theta)`",
    "model_from_config": "`keras.saving.deserialize_keras_object(config)` (a Keras 2 config: "
                         "keep kfitcompat.install())",
    "probas_to_classes": "`np.argmax(y_pred, axis=-1)` (one column: "
                         "`(y_pred[:, 0] > 0.5).astype(int)`)",
    "categorical_probas_to_classes": "`np.argmax(p, axis=1)`",
    "TimeDistributedDense": "`keras.layers.TimeDistributed(keras.layers.Dense(units, ...))`",
    **{name: "`keras.regularizers.L1L2(l1=..., l2=...)` (Keras 1's default: 0.01)"
       for name in ("WeightRegularizer", "ActivityRegularizer", "l1l2", "activity_l1",
                    "activity_l2", "activity_l1l2")},
    **{name: "Keras 3 has no locally connected layer: keep `kfitcompat.install()`, or import "
             "it from `kfitcompat.keras2.local` (the same class and weights)"
       for name in ("LocallyConnected1D", "LocallyConnected2D", "local_conv1d",
                    "local_conv2d")},
}
#: Keras 2 modules rule ``import-moved`` answers; a translated name of another module (one
#: Keras 3 keeps, e.g. ``keras.utils.GeneratorEnqueuer``) is this rule's to report.
MOVED = frozenset(MODULES) | frozenset(IMPORT_MOVES)
#: a name ``install()`` adds to a Keras 3 module, reached through a Keras 2 module alias
_ADDED = Verdict(TRANSLATED, "kfitcompat.install() adds it", RULE)
_OWNERS = ("keras.layers.Layer", "keras.Model", "keras.Sequential")
#: What every Keras 3 layer's own ``__init__`` takes by name.
_KERAS3_LAYER_KEYWORDS = ("name", "dtype")


def _resolved(ctx: Context, node: cst.BaseExpression) -> str | None:
    full = get_full_name_for_node(node)
    if not full:
        return None
    head, _, rest = full.partition(".")
    base = ctx.facts.bindings.get(head)
    if base is None:
        return None
    return f"{base}.{rest}" if rest else base


def _keras_path(module: str) -> str:
    """An imported module's Keras path (``tensorflow.keras.layers`` is ``keras.layers``)."""
    for prefix in ("tensorflow.keras", "tf.keras"):
        if module == prefix or module.startswith(prefix + "."):
            return "keras" + module[len(prefix):]
    return module


def _report(ctx: Context, node: cst.CSTNode, what: str, found: Verdict, member: str,
            imported: bool = False) -> None:
    """Report a use of a refused row, or of a translated one no other rule answers there
    (``imported``: the use is an import statement, which rule ``import-moved`` rewrites for
    the modules Keras 3 removed; it does not see a use through the module's attribute,
    ``keras.layers.convolutional.Conv2D``)."""
    if ctx.reported_at(node, found.migrate):  # another rule rewrote or reported it
        return
    if found.verdict == REFUSED:
        ctx.report(node, RULE, f"`{what}`: Keras 2 API kfitcompat does not translate: "
                   f"{found.why}", "rewrite for Keras 3 (docs/api_coverage.md)", False)
    elif found.verdict == TRANSLATED and (found.migrate != "import-moved" or not imported
                                          or what.rsplit(".", 1)[0] not in MOVED):
        fix = FIXES.get(member, "see docs/api_coverage.md")
        ctx.report(node, RULE, f"`{what}`: Keras 2 API; kfitcompat.install() gives it Keras "
                   "2's meaning, Keras 3 alone does not", fix, False)


def _verdict(path: str) -> Verdict:
    for kind in ("name", "module"):
        found = verdict_of(f"{kind} {path}")
        if found.verdict != SAME:
            return found
    return found


@REGISTRY.register("ImportFrom", RULE)
def api_import(ctx: Context, original: cst.ImportFrom, updated: cst.ImportFrom) -> Any:
    if original.module is None or isinstance(original.names, cst.ImportStar):
        return updated
    module = _resolved(ctx, original.module) or _keras_path(
        get_full_name_for_node(original.module) or "")
    if not module.startswith("keras"):
        return updated
    found = _verdict(module)
    if found.verdict == REFUSED:
        _report(ctx, original, module, found, module.rsplit(".", 1)[-1], imported=True)
        return updated
    kept = _imported_names(updated)
    for alias in original.names:
        name = get_full_name_for_node(alias.name) or ""
        if kept is not None and name not in kept:
            continue  # another rule rewrote the import and its uses (CuDNNLSTM -> LSTM)
        _report(ctx, original, f"{module}.{name}", _verdict(f"{module}.{name}"), name,
                imported=True)
    return updated


def _imported_names(node: Any) -> set[str] | None:
    """The names an import statement still brings after earlier rules (None: any)."""
    if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
        return None
    return {get_full_name_for_node(alias.name) or "" for alias in node.names}


@REGISTRY.register("Import", RULE)
def api_import_module(ctx: Context, original: cst.Import, updated: cst.Import) -> Any:
    """``import keras.utils.visualize_util``: the module's own row."""
    for alias in original.names:
        module = _keras_path(get_full_name_for_node(alias.name) or "")
        if module.startswith("keras."):
            _report(ctx, original, module, _verdict(module), module.rsplit(".", 1)[-1],
                    imported=True)
    return updated


@REGISTRY.register("Call", RULE)
def api_call(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    path = _resolved(ctx, original.func)
    if path is None:
        return updated
    module, _, name = path.rpartition(".")
    alias = MODULES.get(module)  # K.tensorflow_backend._get_available_gpus()
    if isinstance(alias, str) and name in ADDED_NAMES.get(alias, ()):
        _report(ctx, original, path, _ADDED, name)
    elif not isinstance(original.func, cst.Name):  # a Name was reported at its import
        _report(ctx, original, path, _verdict(path), name)
    path = canonical(path)  # an alias's parameters are its canonical name's rows
    for arg in original.args:
        if arg.keyword is None:
            continue
        keyword = arg.keyword.value
        for kind in ("param", "keras1"):
            found = verdict_of(f"{kind} {path} {keyword}")
            if found.follows:  # the name's own finding covers it
                break
            if found.verdict != SAME and found.status != "position":  # passed by keyword
                _report(ctx, arg, f"{path}({keyword}=...)", found, keyword)
                break
        else:
            _base_keyword(ctx, arg, path, keyword)
    return updated


def _base_keyword(ctx: Context, arg: cst.Arg, path: str, keyword: str) -> None:
    """``SpatialDropout1D(0.2, input_shape=...)``: a keyword Keras 2's ``Layer`` took from
    every layer's ``**kwargs``, passed to a layer whose Keras 3 ``__init__`` takes none (its
    ``kwargs`` row is not the same)."""
    if keyword not in layer_keywords() or keyword in _KERAS3_LAYER_KEYWORDS:
        return
    found = verdict_of(f"param {path} kwargs")
    if found.verdict != SAME:
        _report(ctx, arg, f"{path}({keyword}=...)", found, f"{keyword}=")


@REGISTRY.register("Attribute", RULE)
def api_attribute(ctx: Context, original: cst.Attribute, updated: cst.Attribute) -> Any:
    parent = ctx.parent(original)
    if isinstance(parent, cst.Call) and parent.func is original:
        return updated  # reported as a call
    if isinstance(parent, (cst.ImportFrom, cst.ImportAlias, cst.Import)):
        return updated  # reported as an import
    path = _resolved(ctx, original)
    if path is not None:
        if not isinstance(parent, cst.Attribute):
            _report(ctx, original, path, _verdict(path), path.rsplit(".", 1)[-1])
        return updated
    member = original.attr.value
    row = attribute_names(_OWNERS).get(member)
    if row is not None:
        _report(ctx, original, f".{member}", verdict_of(row), member)
    return updated
