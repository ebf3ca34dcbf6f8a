"""Keras 2 recurrent-layer calls Keras 3 refuses: ``rnn.reset_states(values)``, initial
states passed in the input list, ``LSTM(8)([x, h0, c0])``, and Keras 2's custom-cell protocol.

Keras 2's ``RNN.reset_states(states=None)`` set a stateful layer's states to the given arrays
(zeros without them); Keras 3's ``reset_states()`` takes no argument (modern: assign each of
``layer.states``). Keras 2's ``RNN.__call__`` read a list ``[inputs, *initial_states]`` as the
sequence and its initial states; Keras 3 takes ``layer(inputs, initial_state=[...])`` and
refuses a list (its RNN layers have one input). Keras 2's ``RNN(cell)`` also took a cell
that sets its ``state_size`` in ``build`` (Keras 3 reads it in ``RNN.__init__``), a cell that
is a plain object with ``call(inputs, states)`` and ``state_size`` (Keras 3 calls the cell and
reads its ``compute_dtype``), and ``rnn.get_initial_state(inputs)`` (Keras 3 takes the batch
size). After ``kfitcompat.install`` each answers with Keras 2's meaning; every call Keras 3
accepts keeps its own.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from ..legacy.accepts import accepts

__all__ = ["Keras2Cell", "rnn_build", "rnn_call", "rnn_get_initial_state", "rnn_init",
           "rnn_reset_states"]


def rnn_reset_states(original: Callable[..., Any]) -> Callable[..., Any]:
    """``RNN.reset_states(states=None)``: with values, Keras 2's assignment (one array, or a
    list with one array per state, each of the state's shape)."""

    @functools.wraps(original)
    def reset_states(self: Any, states: Any = None) -> Any:
        if states is None:
            return original(self)
        if not self.stateful:
            raise AttributeError(f"`{self.name}.reset_states(states)`: the layer must be "
                                 "stateful (stateful=True).")
        if self.states is None:
            raise ValueError(f"`{self.name}.reset_states(states)`: the layer has no state "
                             "variables yet; build it (or call it once) with a fixed batch "
                             "size first.")
        variables = list(self.states)
        values = list(states) if isinstance(states, (list, tuple)) else [states]
        if len(values) != len(variables):
            raise ValueError(f"Layer {self.name} expects {len(variables)} state(s), but "
                             f"`reset_states` received {len(values)} value(s).")
        for index, (variable, value) in enumerate(zip(variables, values)):
            array = np.asarray(value)
            expected = tuple(variable.shape)
            if array.shape != expected:
                raise ValueError(f"State {index} of layer {self.name}: expected shape="
                                 f"{expected}, found shape={array.shape}.")
            variable.assign(array.astype(variable.dtype))
        return None

    return accepts(reset_states, ("states",))


def rnn_call(original: Callable[..., Any]) -> Callable[..., Any]:
    """``RNN.__call__`` taking Keras 2's ``layer([inputs, *initial_states])``, and masking
    the sequence by its own mask when initial states are given (``layer(x, initial_state=s)``
    after ``Masking`` or ``Embedding(mask_zero=True)``, the seq2seq decoder): Keras 3 fills
    ``mask`` in only for a call with one tensor argument, and so ran every masked step."""
    from .._keras_private import keras_mask

    @functools.wraps(original)
    def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:
        if (args and isinstance(args[0], (list, tuple)) and len(args[0]) > 1
                and kwargs.get("initial_state") is None and "constants" not in kwargs):
            inputs, *states = args[0]
            kwargs["initial_state"] = list(states)
            args = (inputs, *args[1:])
        if (args and kwargs.get("initial_state") is not None and kwargs.get("mask") is None
                and len(args) < 2 and not isinstance(args[0], (list, tuple))):
            kwargs["mask"] = keras_mask(args[0])
        return original(self, *args, **kwargs)

    return __call__


#: Set on an RNN whose cell's ``state_size`` was None at construction (Keras 2: set in build)
_STATE_SIZE_AT_BUILD = "_keras2_state_size_at_build"


def _keras2_cell(cell: Any) -> Any:
    """A plain-object cell Keras 3 cannot run (it has ``call`` but cannot be called itself) in
    a ``Keras2Cell`` layer; a layer, a callable cell or a list's other items as they are."""
    if isinstance(cell, (list, tuple)):
        return [_keras2_cell(c) for c in cell]
    if (isinstance(cell, keras.layers.Layer) or callable(cell)
            or not callable(getattr(cell, "call", None))):
        return cell
    return Keras2Cell(cell)


def rnn_init(original: Callable[..., Any]) -> Callable[..., Any]:
    """``RNN.__init__`` taking Keras 2's cells: a plain object with ``call`` and
    ``state_size`` (wrapped in a ``Keras2Cell``), and a cell whose ``state_size`` is None until
    its ``build`` sets it (``rnn_build`` reads it there)."""

    def __init__(self: Any, cell: Any = None, *args: Any, **kwargs: Any) -> Any:
        cell = _keras2_cell(cell)
        deferred = (not isinstance(cell, (list, tuple)) and "state_size" in dir(cell)
                    and getattr(cell, "state_size", 0) is None)
        if not deferred:
            return original(self, cell, *args, **kwargs)
        cell.state_size = 0  # a stand-in through Keras 3's check, put back at once
        try:
            original(self, cell, *args, **kwargs)
        finally:
            cell.state_size = None
        self.__dict__[_STATE_SIZE_AT_BUILD] = True
        return None

    # Keras reads __init__'s signature two ways for its auto-config (getfullargspec, which
    # does not follow __wrapped__, and inspect.signature, which does): __signature__ answers
    # both alike
    __init__.__doc__ = original.__doc__
    __init__.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]
    return __init__


def rnn_build(original: Callable[..., Any]) -> Callable[..., Any]:
    """``RNN.build`` reading the ``state_size`` the cell's own ``build`` set (Keras 2)."""

    @functools.wraps(original)
    def build(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.__dict__.get(_STATE_SIZE_AT_BUILD):
            return original(self, *args, **kwargs)
        stateful, self.stateful = self.stateful, False  # the states need the size first
        try:
            original(self, *args, **kwargs)
        finally:
            self.stateful = stateful
        size = getattr(self.cell, "state_size", None)
        if not isinstance(size, (int, list, tuple)):
            raise ValueError(f"RNN cell {self.cell.__class__.__name__}: state_size is "
                             f"{size!r} after build; set it to an int or a list of ints in "
                             "the cell's __init__ or build")
        self.single_state = isinstance(size, int)
        self.state_size = [size] if isinstance(size, int) else list(size)
        del self.__dict__[_STATE_SIZE_AT_BUILD]
        if stateful:
            original(self, *args, **kwargs)
        return None

    return build


def rnn_get_initial_state(original: Callable[..., Any]) -> Callable[..., Any]:
    """``RNN.get_initial_state(inputs)`` (Keras 2: zeros of shape ``(batch, size)`` for each
    state, from the input tensor, symbolic or not); Keras 3's ``get_initial_state(batch_size)``
    as it is."""

    @functools.wraps(original)
    def get_initial_state(self: Any, batch_size: Any = None, **kwargs: Any) -> Any:
        if "inputs" in kwargs and batch_size is None:
            batch_size = kwargs.pop("inputs")
        if len(getattr(batch_size, "shape", ())) < 2:
            return original(self, batch_size, **kwargs)
        inputs = batch_size  # Keras 2: the inputs themselves
        if isinstance(inputs.shape[0], int):  # a known batch: the cell's own initial state
            return original(self, inputs.shape[0], **kwargs)
        # a symbolic batch: zeros of (batch, size) made from the inputs, as Keras 2 did
        first = keras.ops.sum(keras.ops.zeros_like(inputs),
                              axis=tuple(range(1, len(inputs.shape))))
        column = keras.ops.expand_dims(first, -1)

        def zeros(size: Any) -> Any:
            if isinstance(size, (list, tuple)):
                return [zeros(s) for s in size]
            return keras.ops.tile(column, (1, size))

        return [zeros(size) for size in self.state_size]

    return accepts(get_initial_state, ("inputs",))


class Keras2Cell(keras.layers.Layer):
    """A Keras 2 cell that is a plain object (``call(inputs, states)``, ``state_size``,
    optional ``output_size``) as a Keras 3 layer; its Keras variables are tracked."""

    def __init__(self, cell: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.legacy_cell = cell
        self.cell_variables = [v for v in vars(cell).values() if isinstance(v, keras.Variable)]
        self.built = True

    @property
    def state_size(self) -> Any:
        return self.legacy_cell.state_size

    @property
    def output_size(self) -> Any:
        return getattr(self.legacy_cell, "output_size", None)

    def call(self, inputs: Any, states: Any) -> Any:
        return self.legacy_cell.call(inputs, states)
