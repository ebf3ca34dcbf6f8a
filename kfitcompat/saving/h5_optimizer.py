"""A legacy file's optimizer state (``optimizer_weights``) in a Keras 3 optimizer.

Keras 2 saved ``[iterations] + all m + all v`` (one group per slot kind, in model-variable
order; RMSprop and Adadelta before 2.3 without ``iterations``); tf.keras 2.0-2.10 the same
with names; tf.keras 2.11+ ``[iteration, m_0, v_0, m_1, v_1, ...]``. Keras 3 keeps one
variable per slot and model variable, named ``<optimizer>/<variable path>_<slot>``
(``kfitcompat.keras2.optimizers.KERAS2_SLOTS`` names the slots of each class). Keras 3's
own loader gives up on all of these ("starting with a freshly initialized optimizer").
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..keras2.optimizers import KERAS2_SLOTS

__all__ = ["rebuild_on_model_variables", "restore_optimizer_state"]


def _without_second(name: str) -> str:
    parts = name.split("/")
    return "/".join(parts[:1] + parts[2:])


def _groups(names: list[str], slots: list[np.ndarray], count: int) -> list[list[np.ndarray]]:
    """The saved slot arrays as one list per slot kind, each in model-variable order."""
    per_variable = len(slots) // count
    interleaved = per_variable > 1 and _without_second(names[0]) == _without_second(names[1])
    if interleaved:
        return [slots[kind::per_variable] for kind in range(per_variable)]
    return [slots[kind * count:(kind + 1) * count] for kind in range(per_variable)]


def restore_optimizer_state(optimizer: Any, class_name: str, variables: list[Any],
                            names: list[str], values: list[np.ndarray]) -> str:
    """Assign a saved Keras 2 / tf.keras optimizer state to ``optimizer`` (built on
    ``variables``, the model's trainable variables); a sentence saying what was restored, or
    why nothing was (the optimizer then starts fresh, as in Keras 3)."""
    kinds = KERAS2_SLOTS.get(class_name.split(">")[-1])
    if kinds is None:
        return f"{class_name}: its saved state has no Keras 3 counterpart; starts fresh"
    scalars = [(n, v) for n, v in zip(names, values) if np.ndim(v) == 0]
    slot_names = [n for n, v in zip(names, values) if np.ndim(v) > 0]
    slots = [np.asarray(v) for v in values if np.ndim(v) > 0]
    count = len(variables)
    if not count or len(slots) % count:
        return (f"{class_name}: {len(slots)} saved slot arrays for {count} model variables; "
                "the optimizer starts fresh")
    groups = _groups(slot_names, slots, count)
    plan = []
    for kind, group in zip(kinds, groups):
        targets = [v for v in optimizer.variables if str(v.path).endswith(f"_{kind}")]
        if not targets:
            continue  # Keras 2.1-2.2 saved Adam's vhat even without amsgrad
        if len(targets) != count or any(tuple(t.shape) != a.shape
                                        for t, a in zip(targets, group)):
            return (f"{class_name}: the saved '{kind}' slots do not match the model's "
                    "variables; the optimizer starts fresh")
        plan.append((kind, targets, group))
    for _, targets, group in plan:
        for target, value in zip(targets, group):
            target.assign(value)
    iterations = next((np.asarray(v) for n, v in scalars
                       if "iter" in n or np.issubdtype(np.asarray(v).dtype, np.integer)), None)
    restored = f"{len(plan)} slot kind(s) x {count} variables"
    if iterations is not None:
        optimizer.iterations.assign(int(iterations))
        restored += f", iterations={int(iterations)}"
    return f"{class_name}: optimizer state restored ({restored})"


def rebuild_on_model_variables(model: Any, f: Any) -> None:
    """A Keras 3 ``.h5`` model file (``model.save('m.h5')``) loaded by Keras 3's own loader:
    it builds the optimizer on ``model._trainable_variables``, the variables the model object
    tracks itself (none for a ``Sequential`` or functional model), so the saved state is not
    restored (Keras warns) and the next ``fit`` fails with "Unknown variable". Keras 2 resumed
    training from such a file. A fresh optimizer of the same configuration is built on the
    model's trainable variables and given the state the file ``f`` (an open HDF5 file) holds,
    when it has the same layout; otherwise it starts fresh, as Keras 3 warned."""
    import keras

    from .h5_files import attribute_list

    optimizer = getattr(model, "optimizer", None)
    if (not isinstance(optimizer, keras.optimizers.Optimizer) or not optimizer.built
            or isinstance(optimizer, keras.optimizers.LossScaleOptimizer)):
        return
    fresh = type(optimizer).from_config(optimizer.get_config())
    fresh.build(model.trainable_variables)
    if "optimizer_weights" in f:
        group = f["optimizer_weights"]
        values = [np.asarray(group[name]) for name in attribute_list(group, "weight_names")]
        if [v.shape for v in values] == [tuple(v.shape) for v in fresh.variables]:
            fresh.set_weights(values)
    model.optimizer = fresh
