"""Keras 2 ``keras.callbacks.BaseLogger``; modern: nothing (drop it from ``callbacks``).

Keras 2 added a ``BaseLogger`` to every ``fit`` to turn the batches' values into epoch
averages. Keras 3 logs epoch averages by itself, so one passed by a script has nothing left to
do: the logs it would have written are the ones Keras 3 already gives (Keras 2's own automatic
``BaseLogger`` made a second one a no-op in the same way). Keras 3's batch logs are running
averages, not the batch values Keras 2's ``BaseLogger`` summed, so it does not sum them.
"""

from __future__ import annotations

from collections.abc import Iterable

import keras

__all__ = ["BaseLogger"]


class BaseLogger(keras.callbacks.Callback):
    """Keras 2 ``BaseLogger(stateful_metrics=None)``: accepted, and leaves the logs as Keras 3
    computes them (epoch averages; ``stateful_metrics`` as they stand at the epoch's end)."""

    def __init__(self, stateful_metrics: Iterable[str] | None = None) -> None:
        super().__init__()
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()
