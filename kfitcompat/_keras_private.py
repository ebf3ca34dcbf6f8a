"""Every private Keras 3 name kfitcompat touches, in one place, each with the Keras versions
it was checked against.

kfitcompat works through public Keras API except for the workarounds below. Each touchpoint
has a canary test (``tests/test_keras_private.py``) that fails, naming the Keras version,
when the private API changes; at run time a workaround that cannot be applied warns
(``KerasPrivateAPIWarning``) instead of falling back silently.

Touchpoints (all checked against Keras 3.15.1 and TensorFlow 2.21):

* ``Model._maybe_symbolic_build(iterator=None, data_batch=None)``: under a strategy, the model
  is built from the batch kfitcompat holds, not from a throw-away iterator (which would lose
  legacy batches).
* ``Model._distribute_strategy``: the strategy a model was built under.
* ``strategy.extended._in_multi_worker_mode()`` (TensorFlow): MultiWorkerMirroredStrategy.
* ``reduce_per_replica`` of the module that defines the TF trainer's ``make_train_function``:
  scalar logs reduced without an axis under MultiWorkerMirroredStrategy (tensorflow#72388).
* ``keras.Model``'s subclass named ``Functional``: its ``__init__`` takes Keras 1's
  ``input``/``output`` after ``install()``.
* ``EarlyStopping``'s base class (Keras 3's ``MonitorCallback``) and its
  ``_set_monitor_op()``: Keras 2's ``mode='auto'`` rule after ``install()``.
* ``Model._eval_epoch_iterator``: dropped when ``fit`` raises (Keras 3 drops it on success).
* ``Model._initial_epoch``: the epoch ``BackupAndRestore`` restored; forgotten after the
  first of the one-epoch ``fit`` calls that run a ``Sequence`` of changing length.
* ``KerasTensor._keras_history`` (operation, node index, tensor index) and the operation's
  ``_inbound_nodes[i].input_tensors``: the ``keras.Input`` tensors a symbolic tensor is
  computed from (Keras 2's ``K.gradients`` of a symbolic loss).
* ``keras.src.saving.serialization_lib.SafeModeScope``: a legacy ``.h5`` file's ``Lambda``
  layers are built under the ``safe_mode`` the caller gave ``load_model`` (as Keras 3's own
  ``.h5`` loader does).
* ``keras.src.legacy.saving.saving_utils.compile_args_from_training_config``: the
  ``compile()`` arguments of a legacy file's training config (losses and metrics in every
  nesting tf.keras saved).
* the text of Keras 3's "Your input ran out of data" warning: filtered during kfitcompat's
  calls, which report exhaustion with tf.keras' text.
* ``Operation._inbound_nodes`` and ``Operation._get_node_attribute_at_index`` (what Keras
  3's own ``layer.input`` / ``layer.output`` read): Keras 2's ``output_shape``,
  ``get_output_at(i)`` and their kin, for any node of a layer called several times.
* the modules whose ``get`` / ``deserialize`` Keras 3's layers and ``compile`` call
  (``keras.src.constraints``, ``keras.src.losses``: the public ``keras.constraints.get`` is the
  same function under a second binding), wrapped by ``install()`` for Keras 2's names.
* a tensor's ``_keras_mask``: the mask ``rnn([masked_x, *states])`` passes on, as Keras 2
  masked such a call.
* ``keras._tf_keras.keras``: Keras 3's own copy of the tf.keras 2 API (its legacy backend,
  ``preprocessing.text``, ``preprocessing.sequence``), which ``install()`` answers Keras 2
  names from where Keras 3's public API lacks them (``legacy_name``).
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

__all__ = [
    "CHECKED_KERAS",
    "backend_nn_module",
    "callback_logs_module",
    "K3_RAN_OUT",
    "KerasPrivateAPIWarning",
    "clear_symbolic_build",
    "compile_args_from_training_config",
    "compile_owner_class",
    "distribute_strategy",
    "drop_eval_iterator",
    "forget_restored_epoch",
    "functional_class",
    "monitor_callback_class",
    "safe_mode_scope",
    "has_symbolic_build_override",
    "in_multi_worker_mode",
    "keras_mask",
    "set_symbolic_build",
    "symbolic_build",
    "tf_trainer_module",
    "constraints_module",
    "regularizers_module",
    "losses_module",
    "legacy_name",
    "node_count",
    "node_tensors",
    "symbolic_sources",
    "legacy_module",
    "tensorflow_keras_twin",
    "warn_unavailable",
]

#: The Keras versions the touchpoints below were checked against.
CHECKED_KERAS = ("3.15.1",)

#: Keras 3's own exhaustion warning (keras/src/trainers/epoch_iterator.py).
K3_RAN_OUT = r"Your input ran out of data.*batches\. You may need"

_SYMBOLIC_BUILD = "_maybe_symbolic_build"
_EVAL_ITERATOR = "_eval_epoch_iterator"
_RESTORED_EPOCH = "_initial_epoch"


class KerasPrivateAPIWarning(RuntimeWarning):
    """A Keras workaround kfitcompat needs could not be applied in this Keras version."""


def warn_unavailable(touchpoint: str, consequence: str) -> None:
    import keras

    warnings.warn(
        f"kfitcompat could not apply its workaround through `{touchpoint}` in Keras "
        f"{keras.__version__} (checked: {', '.join(CHECKED_KERAS)}): {consequence}",
        KerasPrivateAPIWarning, stacklevel=3)


def distribute_strategy(model: Any) -> Any:
    """The ``tf.distribute`` strategy ``model`` was built under, or None."""
    return getattr(model, "_distribute_strategy", None)


def in_multi_worker_mode(strategy: Any) -> bool:
    extended = getattr(strategy, "extended", None)
    check = getattr(extended, "_in_multi_worker_mode", None)
    return bool(check is not None and check())


def symbolic_build(model: Any) -> Callable[..., Any] | None:
    """``model._maybe_symbolic_build`` (None, with a warning, if Keras no longer has it)."""
    original = getattr(model, _SYMBOLIC_BUILD, None)
    if original is None:
        warn_unavailable(f"Model.{_SYMBOLIC_BUILD}", "under a tf.distribute strategy the "
                         "model is built from a batch Keras takes from the stream itself, "
                         "which a legacy generator then no longer yields")
    return original


def set_symbolic_build(model: Any, build: Callable[..., Any]) -> None:
    object.__setattr__(model, _SYMBOLIC_BUILD, build)


def clear_symbolic_build(model: Any) -> None:
    object.__delattr__(model, _SYMBOLIC_BUILD)


def has_symbolic_build_override(model: Any) -> bool:
    """Whether a kfitcompat call on ``model`` is in progress (its override is set)."""
    return _SYMBOLIC_BUILD in getattr(model, "__dict__", {})


def tf_trainer_module(model: Any) -> ModuleType | None:
    """The module that defines the TF trainer's step functions and ``reduce_per_replica``,
    found from the model's class (no hard-coded private import path)."""
    make = getattr(type(model), "make_train_function", None)
    module = sys.modules.get(getattr(make, "__module__", ""))
    if module is None or not hasattr(module, "reduce_per_replica"):
        warn_unavailable("reduce_per_replica", "under MultiWorkerMirroredStrategy Keras 3 may "
                         "fail with 'Invalid reduction dimension 0' (tensorflow#72388)")
        return None
    return module


def drop_eval_iterator(model: Any) -> None:
    """Forget Keras 3's cached validation iterator (it holds a ``tf.data`` iterator over a
    source kfitcompat has closed)."""
    if getattr(model, _EVAL_ITERATOR, None) is not None:
        setattr(model, _EVAL_ITERATOR, None)


def forget_restored_epoch(model: Any) -> None:
    """Forget the epoch ``BackupAndRestore`` restored (Keras 3 ``fit`` starts there whatever
    ``initial_epoch`` it is given)."""
    if not hasattr(model, _RESTORED_EPOCH):
        warn_unavailable(f"Model.{_RESTORED_EPOCH}", "with BackupAndRestore, a Sequence whose "
                         "length changes may repeat the restored epochs")
        return
    setattr(model, _RESTORED_EPOCH, None)


def functional_class() -> type:
    """Keras 3's functional model class (what ``keras.Model(inputs, outputs)`` returns),
    found among ``keras.Model``'s subclasses rather than imported from ``keras.src``."""
    import keras

    for cls in keras.Model.__subclasses__():
        if cls.__name__ == "Functional":
            return cls
    raise RuntimeError(f"Keras {keras.__version__}: no functional model class under "
                       f"keras.Model (checked: {', '.join(CHECKED_KERAS)})")


def monitor_callback_class() -> type:
    """The base class of Keras 3's monitoring callbacks (``MonitorCallback``, not public),
    found from ``keras.callbacks.EarlyStopping``; it defines ``_set_monitor_op()``."""
    import keras

    for cls in keras.callbacks.EarlyStopping.__mro__[1:]:
        if "_set_monitor_op" in cls.__dict__:
            return cls
    raise RuntimeError(f"Keras {keras.__version__}: no _set_monitor_op on EarlyStopping's "
                       f"bases (checked: {', '.join(CHECKED_KERAS)})")


def compile_owner_class() -> type:
    """The class that defines Keras 3's ``Model.compile`` (``Trainer``, not public), found in
    ``keras.Model``'s bases. ``compile_from_config`` skips compiling a loaded model whose class
    has a ``compile`` other than that class's, so a wrapper belongs there, not on
    ``keras.Model``."""
    import keras

    for cls in keras.Model.__mro__:
        if "compile" in cls.__dict__ and "compile_from_config" in cls.__dict__:
            return cls
    raise RuntimeError(f"Keras {keras.__version__}: no class defines compile and "
                       f"compile_from_config among keras.Model's bases (checked: "
                       f"{', '.join(CHECKED_KERAS)})")


_LEGACY_ROOT = "keras._tf_keras.keras"


def legacy_module(path: str) -> ModuleType:
    """Keras 3's tf.keras 2 copy of module ``path`` (``"backend"``, ``"preprocessing.text"``)."""
    import importlib

    try:
        return importlib.import_module(f"{_LEGACY_ROOT}.{path}")
    except ImportError as exc:
        import keras

        raise ImportError(f"Keras {keras.__version__} has no {_LEGACY_ROOT}.{path} (checked: "
                          f"{', '.join(CHECKED_KERAS)}); kfitcompat answers Keras 2's "
                          f"keras.{path} names from it") from exc


def tensorflow_keras_twin(path: str) -> ModuleType | None:
    """The module of Keras 3's tf.keras 2 copy that serves ``tensorflow.keras.<rest>``
    (``path``), or ``None``: TensorFlow's lazy loader answers ``import tensorflow.keras.x``
    with it once ``tensorflow.keras`` was used, and with a module object of its own before."""
    import importlib

    prefix = "tensorflow.keras."
    if not path.startswith(prefix):
        return None
    try:
        return importlib.import_module(f"{_LEGACY_ROOT}.{path[len(prefix):]}")
    except ImportError:
        return None


def legacy_name(where: str) -> Any:
    """The object ``"module:name"`` of Keras 3's tf.keras 2 copy (``"backend:rnn"``)."""
    module, _, name = where.partition(":")
    return getattr(legacy_module(module), name)


def keras_mask(tensor: Any) -> Any:
    """The mask Keras 3 attached to ``tensor`` (a masking layer's output), or None: the
    ``_keras_mask`` attribute its own ``get_keras_mask`` reads."""
    return getattr(tensor, "_keras_mask", None)


def node_count(layer: Any) -> int:
    """How many times ``layer`` was called on symbolic inputs (its inbound nodes)."""
    return len(getattr(layer, "_inbound_nodes", ()))


def node_tensors(layer: Any, index: int, which: str) -> Any:
    """The input or output (``which``) tensors of ``layer``'s node ``index``, as Keras 3's
    ``layer.input`` / ``layer.output`` give them for node 0."""
    return layer._get_node_attribute_at_index(index, f"{which}_tensors", which)


def symbolic_sources(tensors: list[Any]) -> list[Any]:
    """The ``keras.Input`` tensors the symbolic ``tensors`` are computed from, in the order
    they are met (a tensor whose node has no input tensors is an input)."""
    seen: set[int] = set()
    sources: list[Any] = []
    stack = list(reversed(tensors))
    while stack:
        tensor = stack.pop()
        if id(tensor) in seen:
            continue
        seen.add(id(tensor))
        history = getattr(tensor, "_keras_history", None)
        if history is None:
            continue
        operation, node_index, _ = history
        parents = operation._inbound_nodes[node_index].input_tensors
        if parents:
            stack.extend(reversed(parents))
        else:
            sources.append(tensor)
    return sources


def _module_of_get(module: str) -> ModuleType:
    """The module that defines Keras 3's ``<module>.get`` (as captured before
    ``install()`` wraps it): the one whose ``get`` Keras 3's own code calls."""
    from ._upstream import original

    return sys.modules[original(module, "get").__module__]


def backend_nn_module() -> ModuleType:
    """The active backend's ``nn`` module, whose ``conv`` / ``conv_transpose`` Keras 3's
    ``keras.ops`` (and so its convolution layers) call."""
    from keras.src import backend

    return backend.nn  # type: ignore[no-any-return]


def callback_logs_module() -> ModuleType:
    """The module whose ``pythonify_logs`` Keras 3's ``CallbackList`` calls to build the
    ``logs`` dict it hands each callback."""
    from keras.src.callbacks import callback_list

    return callback_list.python_utils  # type: ignore[no-any-return]


def constraints_module() -> ModuleType:
    """The module whose ``get`` Keras 3's layers call for a constraint."""
    return _module_of_get("keras.constraints")


def regularizers_module() -> ModuleType:
    """The module whose ``get`` Keras 3's layers call for a regularizer."""
    return _module_of_get("keras.regularizers")


def losses_module() -> ModuleType:
    """The module whose ``get`` / ``deserialize`` Keras 3's ``compile`` calls for a loss."""
    return _module_of_get("keras.losses")


def safe_mode_scope(safe_mode: bool) -> Any:
    """A context in which Keras builds ``Lambda`` layers only if ``safe_mode`` is False
    (Keras 3's ``SafeModeScope``, which its own legacy ``.h5`` loader enters)."""
    from keras.src.saving import serialization_lib

    return serialization_lib.SafeModeScope(safe_mode)


def compile_args_from_training_config(training_config: dict[str, Any],
                                      custom_objects: dict[str, Any] | None) -> dict[str, Any]:
    """``compile()`` keyword arguments from a legacy file's ``training_config`` (optimizer,
    losses and metrics as Keras 2 / tf.keras nested them), by Keras 3's legacy loader."""
    from keras.src.legacy.saving import saving_utils

    return saving_utils.compile_args_from_training_config(training_config, custom_objects)
