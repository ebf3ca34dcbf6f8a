"""Keras 2 functions written in plain Keras 3, for the shim and for migrated code alike.

Some Keras 2 idioms have no one-line Keras 3 spelling: ``K.batch_dot``'s axes rule,
``K.switch``'s rank rule, ``model.reset_states()``, a functional model's
``add_loss(symbolic tensor)``. ``kfitcompat migrate --target keras3``
writes the source of the function here into the migrated module and calls it
(``K.batch_dot(a, b, [2, 2])`` -> ``keras2_batch_dot(a, b, [2, 2])``); the shim installed by
``kfitcompat.install`` calls the same function, so the two cannot drift. Each function is
standalone: it imports what it needs in its body and calls nothing of kfitcompat, so that its
source runs where kfitcompat is not installed.
"""

from __future__ import annotations

import inspect

__all__ = ["HELPERS", "helper_source", "keras2_add_loss", "keras2_add_metric", "keras2_batch_dot",
           "keras2_history", "keras2_reset_states", "keras2_switch"]


def keras2_batch_dot(x, y, axes=None):  # type: ignore[no-untyped-def]
    """Keras 2's ``K.batch_dot(x, y, axes)`` in Keras 3 (Keras 2.2.4's rule; written by
    ``kfitcompat migrate``).

    A batched ``matmul``: the operand of lower rank gets trailing axes of size 1, ``x``'s
    last two axes are swapped unless ``axes[0]`` is its last, ``y``'s if ``axes[1]`` is its
    last, and the padding axes are squeezed out again. 2-D inputs: the sum of the products
    over ``axes`` with a trailing axis of size 1. Default ``axes``: the last axis of ``x``,
    the second-to-last of ``y``.
    """
    from keras import ops

    x_ndim, y_ndim = len(x.shape), len(y.shape)
    if isinstance(axes, int):
        axes = (axes, axes)
    if x_ndim == 2 and y_ndim == 2:
        a0, a1 = (1, 1) if axes is None else (a % 2 for a in axes)
        if a0 != a1:
            x = ops.transpose(x)
        return ops.expand_dims(ops.sum(ops.multiply(x, y), axis=a1), 1)
    if axes is None:
        axes = (x_ndim - 1, y_ndim - 2)
    a0, a1 = (a % n if a < 0 else a for a, n in zip(axes, (x_ndim, y_ndim)))
    diff = abs(x_ndim - y_ndim)
    if x_ndim < y_ndim:
        x = ops.reshape(x, (*ops.shape(x), *[1] * diff))
    elif y_ndim < x_ndim:
        y = ops.reshape(y, (*ops.shape(y), *[1] * diff))
    rank = max(x_ndim, y_ndim)
    swap = [*range(rank - 2), rank - 1, rank - 2]
    if a0 != rank - 1:
        x = ops.transpose(x, swap)
    if a1 == rank - 1:
        y = ops.transpose(y, swap)
    out = ops.matmul(x, y)
    if diff:
        first = x_ndim + y_ndim - 3 if x_ndim > y_ndim else x_ndim - 1
        out = ops.squeeze(out, axis=tuple(range(first, first + diff)))
    if len(out.shape) == 1:
        out = ops.expand_dims(out, 1)
    return out


def keras2_switch(condition, then_expression, else_expression):  # type: ignore[no-untyped-def]
    """Keras 2's ``K.switch`` in Keras 3 (written by ``kfitcompat migrate``): ``then_expression``
    where ``condition`` holds, else ``else_expression`` (callables are called); a condition of
    lower rank gets trailing axes, as in Keras 2 (``keras.ops.where`` broadcasts from the
    last axis)."""
    from keras import ops

    then = then_expression() if callable(then_expression) else then_expression
    other = else_expression() if callable(else_expression) else else_expression
    condition = ops.convert_to_tensor(condition)
    while len(condition.shape) < len(getattr(then, "shape", ())):
        condition = ops.expand_dims(condition, -1)
    return ops.where(condition, then, other)


def keras2_reset_states(model):  # type: ignore[no-untyped-def]
    """Keras 2's ``model.reset_states()`` in Keras 3 (written by ``kfitcompat migrate``): every
    stateful layer's ``reset_state()``, nested models included (a layer or a metric: its own
    ``reset_state()``)."""
    if not hasattr(model, "layers"):
        return (model.reset_state if hasattr(model, "reset_state") else model.reset_states)()
    stack = list(model.layers)
    while stack:
        layer = stack.pop(0)
        if getattr(layer, "stateful", False) and hasattr(layer, "reset_state"):
            layer.reset_state()
        stack.extend(getattr(layer, "layers", ()))
    return None


def keras2_add_loss(model, loss):  # type: ignore[no-untyped-def]
    """Keras 2's ``model.add_loss(tensor)`` of a functional model in Keras 3 (written by
    ``kfitcompat migrate``): the tensor (or list of tensors), computed from the model's
    inputs, is added to every step's loss, and is the whole loss of a model compiled with
    none (the Keras 2 VAE). Keras 3 has no symbolic losses; any other value goes to the
    model's own ``add_loss``."""
    import keras

    tensors = list(loss) if isinstance(loss, (list, tuple)) else [loss]
    own_add_loss = model.add_loss
    if not tensors or not all(isinstance(t, keras.KerasTensor) for t in tensors):
        return own_add_loss(loss)
    try:
        losses = [keras.Model(model.inputs, t) for t in tensors]
    except ValueError as exc:
        raise ValueError("`model.add_loss(tensor)`: the tensor must be computed from the "
                         f"model's inputs alone ({exc})") from exc
    compute_loss = model.compute_loss

    def with_added_losses(x=None, y=None, y_pred=None, sample_weight=None, training=True):
        try:
            total = compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                 training=training)
        except ValueError as exc:  # compiled without a loss: the added ones are the loss
            if "No loss to compute" not in str(exc):
                raise
            total = keras.ops.zeros(())
        for loss_model in losses:
            total = total + keras.ops.sum(loss_model(x, training=training))
        return total

    model.compute_loss = with_added_losses
    return None


def keras2_history(history):  # type: ignore[no-untyped-def]
    """Keras 2's ``history.history`` in Keras 3 (written by ``kfitcompat migrate``): the dict
    of logs where Keras 2.2.4's names answer too. Keras 2.2.4 logged ``acc`` / ``val_acc`` for
    ``metrics=['accuracy']`` and ``mean_absolute_error`` for ``metrics=['mae']``; Keras 3 logs
    the name the script passed (``accuracy``, ``mae``): each spelling is added beside the
    other."""
    pairs = (("acc", "accuracy"), ("mean_squared_error", "mse"),
             ("mean_absolute_error", "mae"), ("mean_absolute_percentage_error", "mape"),
             ("mean_squared_logarithmic_error", "msle"), ("kullback_leibler_divergence", "kld"),
             ("lr", "learning_rate"))
    logs = dict(getattr(history, "history", history))
    for name in list(logs):
        for old, new in pairs + tuple((b, a) for a, b in pairs):
            if name == old or name.endswith("_" + old):
                logs.setdefault(name[:len(name) - len(old)] + new, logs[name])
                break
    return logs


def keras2_add_metric(layer, value, name=None, aggregation=None):  # type: ignore[no-untyped-def]
    """Keras 2's ``layer.add_metric(value, name=None)`` (tf.keras 2: ``aggregation='mean'``) in
    Keras 3, whose ``add_metric`` always raises (written by ``kfitcompat migrate``).

    In a layer's or model's ``call``: the mean of ``value`` over the batches of an epoch is
    logged as ``name`` (a ``keras.metrics.Mean`` the layer tracks, made at the first call and
    updated at every one). A ``name`` the layer's own metric already has, or no ``name`` on a
    layer with metrics of its own, is Keras 2's ``add_metric(self.mean(x))``: that metric
    updated itself, nothing more is done. On a functional model, a symbolic tensor computed from
    its inputs: the mean of its value at every train and test step, as Keras 2 did.
    """
    import keras

    if aggregation not in (None, "mean"):
        raise ValueError(f"add_metric(aggregation={aggregation!r}): only 'mean' (or None) is "
                         "accepted, as in tf.keras 2")
    own = layer.__dict__.setdefault("_keras2_added_metrics", {})
    metric = own.get(name)
    if metric is None:
        theirs = [m for m in layer._metrics if all(m is not o for o in own.values())]
        if any(m.name == name for m in theirs) or (name is None and theirs):
            return None  # the value of the layer's own metric, which updated itself
        if name is None:
            raise ValueError("add_metric(value) needs name=: the value is not the result of "
                             "one of this layer's metrics, e.g. "
                             "`self.add_metric(ops.sum(x), name='activity')`")
        compute = None
        symbolic = isinstance(value, keras.KerasTensor)
        if symbolic and any(c.__name__ == "Functional" for c in type(layer).__mro__):
            try:
                compute = keras.Model(layer.inputs, value)
            except ValueError as exc:
                raise ValueError("`model.add_metric(tensor)`: the tensor must be computed from "
                                 f"the model's inputs alone ({exc})") from exc
        metric = keras.metrics.Mean(name=name)
        own[name] = metric
        layer._metrics.append(metric)
        if compute is not None:
            compute_loss = layer.compute_loss

            def with_metric(x=None, y=None, y_pred=None, sample_weight=None, training=True):
                metric.update_state(compute(x, training=training))
                return compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                    training=training)

            layer.compute_loss = with_metric
            return None
    if not isinstance(value, keras.KerasTensor):
        metric.update_state(value)
    return None


#: The helpers migrate may write, by name.
HELPERS = {f.__name__: f for f in (keras2_batch_dot, keras2_switch, keras2_reset_states,
                                   keras2_add_loss, keras2_add_metric, keras2_history)}


def helper_source(name: str) -> str:
    """The source of helper ``name`` as migrate writes it (without the type-checker comment)."""
    source = inspect.getsource(HELPERS[name])
    return source.replace("  # type: ignore[no-untyped-def]", "")

