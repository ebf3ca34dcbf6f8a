"""The migration rules, as data: legacy name -> what Keras 3 needs.

``kfitcompat check`` reports every match; ``kfitcompat migrate`` applies the
rewrites (``--target keras3``) or only adds ``kfitcompat.install()``
(``--target kfitcompat``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..keras2.backend import KERAS3_SPELLINGS
from ..keras2.layers import (
    CUDNN_CLASSES,
    DROPPED,
    IMPLEMENTATIONS,
    KERAS1_CLASSES,
    KERAS1_KEYWORDS,
    KERAS2_DEFAULTS,
    KERAS2_KERNEL_POSITIONALS,
    KERNEL_KEYWORDS,
    LEGACY_LAYER_CLASSES,
    SPECIAL,
)
from ..keras2.modules import KERAS1_NP_UTILS, LAYER_FILES
from ..keras2.optimizers import KERAS2_DEFAULT_LR, KERAS3_DEFAULT_LR
from ..keras2.optimizers import LOWER_CASE_NAMES as LOWER_CASE_OPTIMIZERS
from ..keras2.portable import HELPERS
from ..legacy_table import (
    EVALUATE,
    EVALUATE_GENERATOR,
    FIT,
    FIT_GENERATOR,
    LEGACY_ARGS,
    PREDICT_GENERATOR,
)
from ..surface import ADD, SURFACE

__all__ = [
    "DELETED_KEYWORDS", "MethodRule", "METHOD_RULES", "OPTIMIZERS", "LOADING_ARGS",
    "IMAGE_NAMES_TO_KFITCOMPAT", "PORTABLE_MODULES",
    "IMPORT_MOVES", "IMPORT_STAYS", "CALLBACK_RULES", "BACKEND_VALUE_CALLS", "BACKEND_NAMES",
    "CUDNN_CLASSES", "CUDNN_RENAMES", "DROPPED", "IMPLEMENTATIONS", "KERAS2_DEFAULT_LR",
    "KERAS3_DEFAULT_LR", "KERAS1_CLASSES",
    "KERAS1_KEYWORDS", "KERNEL_KEYWORDS", "SPECIAL", "DIM_ORDERINGS", "LOWER_CASE_OPTIMIZERS",
    "KERAS3_SPELLINGS", "ADDED_NAMES", "KERAS2_BACKEND_ONLY", "HELPERS", "KERAS2_DEFAULTS",
    "KERAS2_KERNEL_POSITIONALS",
]

LOADING_ARGS = tuple(r.name for r in LEGACY_ARGS if r.migrate == "move_to_dataset")


def _renames(method: str) -> dict[str, str]:
    return {r.name: r.target for r in LEGACY_ARGS
            if method in r.methods and r.migrate == "rename"}


def _deletes(method: str) -> tuple[str, ...]:
    return tuple(r.name for r in LEGACY_ARGS if method in r.methods and r.migrate == "delete")


def _sample_counts(method: str) -> dict[str, tuple[str, str]]:
    return {r.name: (r.target, r.data_arg) for r in LEGACY_ARGS
            if method in r.methods and r.migrate == "divide"}


@dataclass(frozen=True)
class MethodRule:
    """A legacy method called on any receiver (``*.fit_generator``)."""

    new_name: str | None
    renames: dict[str, str] = field(default_factory=dict)
    sample_counts: dict[str, tuple[str, str]] = field(default_factory=dict)
    deletes: tuple[str, ...] = ()  # keywords with no effect since Keras 1: they go
    status: str = "removed in Keras 3"
    note: str = ""


METHOD_RULES: dict[str, MethodRule] = {
    # Keras 1 sample counts -> step counts, divided by the batch size of the data argument
    "fit_generator": MethodRule(
        "fit", renames=_renames(FIT_GENERATOR), sample_counts=_sample_counts(FIT_GENERATOR),
        deletes=_deletes(FIT_GENERATOR), note="Keras 3 `fit` takes generators and Sequences"),
    "evaluate_generator": MethodRule(
        "evaluate", sample_counts=_sample_counts(EVALUATE_GENERATOR),
        deletes=_deletes(EVALUATE_GENERATOR),
        note="Keras 3 `evaluate` takes generators and Sequences"),
    "predict_generator": MethodRule(
        "predict", sample_counts=_sample_counts(PREDICT_GENERATOR),
        note="Keras 3 `predict` takes generators and Sequences"),
    "fit": MethodRule(None, renames=_renames(FIT), deletes=_deletes(FIT),
                      status="changed in Keras 3", note="`nb_epoch` is `epochs`"),
    "predict_proba": MethodRule("predict", note="`predict` returns the probabilities"),
    "predict_classes": MethodRule(
        None, note="use `model.predict(x).argmax(axis=-1)` (softmax) or "
                   "`(model.predict(x) > 0.5).astype('int32')` (sigmoid)"),
}

#: Methods Keras 3 keeps whose Keras 0.x keywords Keras 1 already ignored: they go.
DELETED_KEYWORDS: dict[str, tuple[str, ...]] = {
    "evaluate": _deletes(EVALUATE), "compile": ("class_mode",)}

OPTIMIZERS = ("SGD", "RMSprop", "Adagrad", "Adadelta", "Adam", "Adamax", "Nadam", "AdamW",
              "Ftrl")

CALLBACK_RULES = {
    "ModelCheckpoint": ("period", "`period=N` is gone: pass `save_freq` in batches "
                                  "(N * steps_per_epoch) or 'epoch'"),
    "ReduceLROnPlateau": ("epsilon", "`epsilon` is `min_delta` (Keras 3 ignores `epsilon` "
                                     "silently)"),
}

# Names Keras 3's keras.preprocessing.image no longer has; kfitcompat.image has them (the
# surface table's "add" rows for that module).
IMAGE_NAMES_TO_KFITCOMPAT = tuple(r.name for r in SURFACE
                                  if r.module == "keras.preprocessing.image" and r.kind == ADD)

# module -> (new module, note): `from <module> import X` moves wholesale, unless X is one of
# IMPORT_STAYS (names the new module lacks: reported).
IMPORT_MOVES = {
    "keras.utils.np_utils": ("keras.utils", "`keras.utils.np_utils` is gone"),
    "keras.utils.data_utils": ("keras.utils", "`keras.utils.data_utils` is gone"),
    **{f"keras.layers.{name}": ("keras.layers", f"`keras.layers.{name}` is gone")
       for name in LAYER_FILES},
}

# Keras 3 module -> the Keras 2 names kfitcompat adds to it (Keras 3 lacks them)
ADDED_NAMES: dict[str, frozenset[str]] = {}
for _row in SURFACE:
    if _row.kind == ADD:
        ADDED_NAMES[_row.module] = ADDED_NAMES.get(_row.module, frozenset()) | {_row.name}

IMPORT_STAYS = {"keras.utils.np_utils": KERAS1_NP_UTILS,
                # the enqueuers: kfitcompat adds them to keras.utils, Keras 3 has none
                "keras.utils.data_utils": tuple(sorted(ADDED_NAMES["keras.utils"]))}

# kfitcompat modules a migrated script may import: they run on plain Keras 3, without
# install() (Keras 2's scikit-learn wrappers: Keras 3's keras.wrappers.SKLearnClassifier has
# another contract, a model function of (X, y) and Keras 3's fit arguments). As
# kfitcompat.image for ImageDataGenerator.
PORTABLE_MODULES = ("kfitcompat.keras2.scikit_learn",)

# Keras 2's cuDNN-only layer names -> the Keras 3 layer (whose defaults are cuDNN's).
CUDNN_RENAMES = {name: LEGACY_LAYER_CLASSES[name][0] for name in CUDNN_CLASSES}

# Keras 1 dim orderings -> Keras 2/3 data formats (`K.image_dim_ordering() == 'th'`).
DIM_ORDERINGS = {"th": "channels_first", "tf": "channels_last"}

# `K.set_value(v, x)` / `K.get_value(v)`: Keras 3's backend has neither; variables do it.
BACKEND_NAMES = ("K", "backend", "keras.backend", "tf.keras.backend")
# the Keras 2 backend names kfitcompat adds to keras.backend
KERAS2_BACKEND_ONLY = ADDED_NAMES["keras.backend"]
BACKEND_VALUE_CALLS = {
    "set_value": "`{0}.assign({1})`",
    "get_value": "`{0}.numpy()`",
}
