"""Keras 2 layer attributes Keras 3 removed: ``layer.output_shape``, ``layer.input_shape``,
``get_output_shape_at(i)``, ``get_input_shape_at(i)``, ``get_output_at(i)``,
``get_input_at(i)``, ``stateful``.

Keras 2 answered them from the layer's inbound nodes (one per call on symbolic inputs);
modern Keras 3 spells them ``layer.output.shape``, ``layer.input.shape``. After
``kfitcompat.install`` they answer on every ``keras.layers.Layer`` with Keras 2's values and
errors. A Keras 3 layer that assigns ``self.output_shape`` itself keeps what it assigned.
"""

from __future__ import annotations

from typing import Any

from .._keras_private import node_count, node_tensors

__all__ = ["KERAS2_ADD_WEIGHT_ORDER", "LAYER_ATTRIBUTES", "add_loss", "add_metric", "add_weight",
           "get_input_at", "get_input_shape_at", "get_output_at",
           "get_output_shape_at", "get_output_shape_for", "input_shape", "output_shape",
           "input_layer_input", "sequential_tensor", "stateful", "weights_property"]


def _shapes(tensors: Any) -> Any:
    if isinstance(tensors, (list, tuple)):
        return [tuple(t.shape) for t in tensors]
    return tuple(tensors.shape)


def get_output_at(self: Any, node_index: int) -> Any:
    """Keras 2 ``layer.get_output_at(node_index)``: the output tensor(s) of that call."""
    return node_tensors(self, node_index, "output")


def get_input_at(self: Any, node_index: int) -> Any:
    """Keras 2 ``layer.get_input_at(node_index)``: the input tensor(s) of that call."""
    return node_tensors(self, node_index, "input")


def get_output_shape_at(self: Any, node_index: int) -> Any:
    """Keras 2 ``layer.get_output_shape_at(node_index)``; modern:
    ``layer.get_output_at(i).shape`` is gone too: keep the tensor from the call."""
    return _shapes(node_tensors(self, node_index, "output"))


def get_input_shape_at(self: Any, node_index: int) -> Any:
    """Keras 2 ``layer.get_input_shape_at(node_index)``."""
    return _shapes(node_tensors(self, node_index, "input"))


def _unique_shape(layer: Any, which: str) -> Any:
    count = node_count(layer)
    if not count:
        raise AttributeError(f"The layer {layer.name!r} has never been called and thus has "
                             f"no defined {which} shape.")
    shapes = [_shapes(node_tensors(layer, i, which)) for i in range(count)]
    if all(shape == shapes[0] for shape in shapes):
        return shapes[0]
    raise AttributeError(f'The layer {layer.name!r} has multiple inbound nodes, with different '
                         f'{which} shapes. Hence the notion of "{which} shape" is ill-defined '
                         f"for the layer. Use `get_{which}_shape_at(node_index)` instead.")


def _shape_property(which: str) -> property:
    own = f"_kfitcompat_own_{which}_shape"

    def get(self: Any) -> Any:
        if own in self.__dict__:
            return self.__dict__[own]
        return _unique_shape(self, which)

    def put(self: Any, value: Any) -> None:  # a Keras 3 layer's own attribute of that name
        object.__setattr__(self, own, value)

    return property(get, put, doc=f"Keras 2 ``layer.{which}_shape``: the {which} shape of "
                                  f"its calls (modern: ``layer.{which}.shape``).")


output_shape = _shape_property("output")
input_shape = _shape_property("input")


def get_output_shape_for(self: Any, input_shape: Any) -> Any:
    """Keras 1 ``layer.get_output_shape_for(input_shape)``; modern (Keras 2 and 3):
    ``layer.compute_output_shape(input_shape)``. A Keras 1 layer that defines its own keeps
    it."""
    return self.compute_output_shape(input_shape)


def _stateful_get(self: Any) -> bool:
    own = self.__dict__.get("_kfitcompat_stateful")
    if own is not None:
        return bool(own)
    layers = self.__dict__.get("_layers") or ()
    return any(getattr(layer, "stateful", False) for layer in layers)


def _stateful_set(self: Any, value: Any) -> None:  # an RNN's own `self.stateful = ...`
    object.__setattr__(self, "_kfitcompat_stateful", value)


stateful = property(_stateful_get, _stateful_set, doc="Keras 2 ``layer.stateful``: False unless "
                    "the layer (or, for a model, one of its layers) keeps state across batches.")


def add_loss(original: Any) -> Any:
    """``Layer.add_loss`` taking Keras 2's ``add_loss(losses, inputs=None)``: ``inputs`` only
    marked a loss as depending on the call's inputs, which every Keras 3 loss added in
    ``call`` does; it is accepted and not needed."""
    from ..legacy.accepts import accepts

    def method(self: Any, loss: Any = None, inputs: Any = None, **kwargs: Any) -> Any:
        if "losses" in kwargs:
            loss = kwargs.pop("losses")
        return original(self, loss, **kwargs)

    method.__name__ = "add_loss"
    method.__doc__ = original.__doc__
    return accepts(method, ("losses", "inputs"))


#: Keras 2.1.2 to 2.3's positional order of ``Layer.add_weight`` (Keras 3's starts with shape)
KERAS2_ADD_WEIGHT_ORDER = ("name", "shape", "dtype", "initializer", "regularizer", "trainable",
                           "constraint")


def add_weight(original: Any) -> Any:
    """``Layer.add_weight`` taking Keras 2's ``add_weight('kernel', (3, 4), ...)``: a string
    first is the name, and the positionals follow Keras 2's order (``KERAS2_ADD_WEIGHT_ORDER``);
    modern: ``add_weight(shape=..., name='kernel', ...)``. Keras 3 refuses a string there, so
    every call Keras 3 accepts keeps its meaning."""
    import functools

    from ..legacy.accepts import accepts

    @functools.wraps(original)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not args or not isinstance(args[0], str):
            return original(self, *args, **kwargs)
        if len(args) > len(KERAS2_ADD_WEIGHT_ORDER):
            raise TypeError(f"add_weight() takes at most {len(KERAS2_ADD_WEIGHT_ORDER)} "
                            f"positional arguments in Keras 2's order "
                            f"{KERAS2_ADD_WEIGHT_ORDER}; {len(args)} were given")
        for key, value in zip(KERAS2_ADD_WEIGHT_ORDER, args):
            if key in kwargs:
                raise TypeError(f"add_weight() got multiple values for argument {key!r}")
            kwargs[key] = value
        return original(self, **kwargs)

    return accepts(method, KERAS2_ADD_WEIGHT_ORDER)


def add_metric(original: Any) -> Any:
    """``Layer.add_metric(value, name=None)`` (Keras 2.3, tf.keras 2: ``aggregation='mean'``),
    which Keras 3 disabled (it always raises), by ``keras2_add_metric``, the helper migrate
    writes: the value's mean per epoch logged as ``name``. Modern: a ``keras.metrics.Mean``
    made in ``__init__`` and ``metric.update_state(value)`` in ``call``."""
    from ..legacy.accepts import accepts
    from .portable import keras2_add_metric

    def method(self: Any, value: Any, name: str | None = None, aggregation: str | None = None,
               **kwargs: Any) -> Any:
        if kwargs:
            raise TypeError(f"add_metric() got unexpected keyword argument(s) {sorted(kwargs)}; "
                            "it takes value, name and aggregation")
        return keras2_add_metric(self, value, name=name, aggregation=aggregation)

    method.__name__ = "add_metric"
    method.__doc__ = add_metric.__doc__
    return accepts(method, ("value", "name", "aggregation"))


#: attribute -> what ``install()`` adds to ``keras.layers.Layer``
LAYER_ATTRIBUTES: dict[str, Any] = {
    "output_shape": output_shape, "input_shape": input_shape,
    "get_output_at": get_output_at, "get_input_at": get_input_at,
    "get_output_shape_at": get_output_shape_at, "get_input_shape_at": get_input_shape_at,
    "stateful": stateful, "get_output_shape_for": get_output_shape_for,
}


def weights_property(original: property, trainable: str) -> property:
    """``layer.trainable_weights = [self.W]`` (or ``non_trainable_weights``) in a Keras 1/2
    custom layer's ``build``: Keras 2 made exactly those the layer's trainable (non-trainable)
    weights. After it, each listed variable is trainable (not), and the layer's other
    weights are not (are) trainable, which Keras 3's read-only property answers from; a listed
    variable the layer does not track yet is tracked. Modern: ``add_weight(trainable=...)``."""
    keep = trainable == "trainable"

    def _set(self: Any, weights: Any) -> None:
        listed = list(weights)
        own = list(self.weights)  # Keras 2's list held the layer's weights, none of sublayers'
        for i, variable in enumerate(listed):
            if not any(variable is v for v in own):
                setattr(self, f"_kfitcompat_{trainable}_{i}", variable)  # Keras 3 tracks it
            variable.trainable = keep
        for variable in own:
            if variable.trainable == keep and not any(variable is v for v in listed):
                variable.trainable = not keep

    return property(original.fget, _set, original.fdel, original.__doc__)


def input_layer_input(original: property) -> property:
    """``model.layers[0].input`` of a functional model (its ``InputLayer``): the model's input
    tensor, as Keras 2 answered (``K.function([model.layers[0].input], [...])``); Keras 3
    answers ``[]``. Modern: ``model.inputs[0]``."""

    def _get(self: Any) -> Any:
        found = original.fget(self)  # type: ignore[misc]
        return self.output if isinstance(found, list) and not found else found

    return property(_get, original.fset, original.fdel, original.__doc__)


def sequential_tensor(original: property, which: str) -> property:
    """``model.input`` / ``model.output`` of a ``Sequential`` that knows its input shape but
    was never called on a tensor: its input or output tensor, as Keras 2 answered
    (``keras.Model(model.input, model.layers[-2].output)``, ``K.function([model.input],
    ...)``); Keras 3 raises "has never been called". Modern: ``model.inputs[0]`` /
    ``model.outputs[0]``. A model that was called keeps Keras 3's answer."""
    tensors = f"{which}s"

    def _get(self: Any) -> Any:
        try:
            return original.fget(self)  # type: ignore[misc]
        except (AttributeError, ValueError):
            try:
                found = getattr(self, tensors)
            except (AttributeError, ValueError):
                found = None
            if not found:
                raise
            return found[0] if len(found) == 1 else list(found)

    return property(_get, original.fset, original.fdel, original.__doc__)
