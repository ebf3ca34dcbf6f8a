"""Keras 2 recurrent-layer calls Keras 3 refuses: ``rnn.reset_states(values)`` and initial
states passed in the input list, ``LSTM(8)([x, h0, c0])``.

Keras 2's ``RNN.reset_states(states=None)`` set a stateful layer's states to the given arrays
(zeros without them); Keras 3's ``reset_states()`` takes no argument (modern: assign each of
``layer.states``). Keras 2's ``RNN.__call__`` read a list ``[inputs, *initial_states]`` as the
sequence and its initial states; Keras 3 takes ``layer(inputs, initial_state=[...])`` and
refuses a list (its RNN layers have one input). After ``kfitcompat.install`` both answer with
Keras 2's meaning; every call Keras 3 accepts keeps its own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from ..legacy.accepts import accepts

__all__ = ["rnn_call", "rnn_reset_states"]


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
    """``RNN.__call__`` taking Keras 2's ``layer([inputs, *initial_states])``."""

    @functools.wraps(original)
    def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:
        if (args and isinstance(args[0], (list, tuple)) and len(args[0]) > 1
                and kwargs.get("initial_state") is None and "constants" not in kwargs):
            inputs, *states = args[0]
            kwargs["initial_state"] = list(states)
            return original(self, inputs, *args[1:], **kwargs)
        return original(self, *args, **kwargs)

    return __call__
