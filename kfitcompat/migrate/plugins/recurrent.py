"""Keras 2 recurrent-layer calls: ``LSTM(8)([x, h0, c0])`` -> ``LSTM(8)(x, initial_state=[h0,
c0])``.

Keras 2's ``RNN.__call__`` read a list as the sequence followed by its initial states; Keras 3's
recurrent layers take one input and refuse a list (``install()`` answers it at run time,
``kfitcompat.keras2.recurrent.rnn_call``). The layer is known when the call is made on the
constructor itself or on a name bound to one in the module. Keras 3 passes no mask to a call
with ``initial_state=`` (Keras 2 masked the sequence by its own mask), so the rewrite leaves a
note where the sequence may be masked. With ``--target kfitcompat`` the call stays as it is:
``install()`` keeps its mask.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from ..base import REGISTRY, Context, call_name
from ..edits import code_of

__all__ = ["RECURRENT_LAYERS", "initial_states_in_list"]

#: the Keras 2 layers whose ``__call__`` read ``[inputs, *initial_states]``
RECURRENT_LAYERS = frozenset({"RNN", "SimpleRNN", "GRU", "LSTM", "ConvLSTM2D"})


def _layer_of(ctx: Context, func: cst.BaseExpression) -> str | None:
    if isinstance(func, cst.Call):
        return call_name(func)
    if isinstance(func, cst.Name):
        return ctx.facts.constructed.get(func.value)
    return None


@REGISTRY.register("Call", "rnn-initial-states")
def initial_states_in_list(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    args = updated.args
    if not (args and args[0].keyword is None and not args[0].star
            and isinstance(args[0].value, cst.List) and len(args[0].value.elements) > 1
            and _layer_of(ctx, updated.func) in RECURRENT_LAYERS
            and not any(a.keyword is not None and a.keyword.value == "initial_state"
                        for a in args)):
        return updated
    elements = args[0].value.elements  # type: ignore[attr-defined]
    if any(isinstance(e, cst.StarredElement) for e in elements):
        return updated  # how many states is known only at run time
    sequence, *states = [e.value for e in elements]
    state_list = cst.List([cst.Element(s) for s in states])
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    new = updated.with_changes(args=[  # the other arguments keep their own layout
        cst.Arg(sequence, comma=comma),
        cst.Arg(state_list, keyword=cst.Name("initial_state"),
                equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
                comma=args[0].comma if len(args) > 1 else cst.MaybeSentinel.DEFAULT),
        *args[1:]])
    if not ctx.report(original, "rnn-initial-states", "`rnn([inputs, *initial_states])`: "
                      "Keras 3's recurrent layers take one input", code_of(new), True,
                      f"Keras 3 passes no mask with initial_state=: if {code_of(sequence)} "
                      "is masked, add mask=<masking layer>.compute_mask(<its input>) as "
                      "Keras 2 masked it"):
        return updated
    return new
