"""What ``data/`` needs from the layers that plug into it, as ``typing.Protocol``s.

``data/`` imports neither ``image/`` nor ``training/``: a worker-process loader
(``ProcessLoader``) and an image iterator's fused fast path
(``Iterator``) implement these, and the engine checks for
the protocol, not for a class or an attribute name.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol, runtime_checkable

__all__ = ["FastPathIterator", "Loader", "Mode"]

#: What a source feeds: Keras 3 ``fit`` (x, y[, w]), ``evaluate`` (x, y[, w]), ``predict`` (x).
Mode = Literal["fit", "evaluate", "predict"]


@runtime_checkable
class Loader(Protocol):
    """Loads batch ``index`` (``loader(index)``) and works ahead on its own: worker
    processes that a ``SequenceSource`` keeps busy."""

    #: loads in flight that keep the workers busy
    concurrency: int

    def __call__(self, index: int) -> Any: ...

    def start(self, indices: list[int]) -> None:
        """Begin loading these indices (the first of a pass) before they are asked for."""

    def refresh(self) -> None:
        """The Sequence changed (``on_epoch_end()`` ran): send it to the workers again."""

    def close(self) -> None:
        """Stop every worker; no process is left behind."""


@runtime_checkable
class FastPathIterator(Protocol):
    """A Sequence whose batches load in two stages: ``raw_batch(index)`` (NumPy: decoded
    images and drawn parameters) and ``finish_batch(*parts)`` (TensorFlow ops in the
    ``tf.data`` pipeline). ``use_fast_path()`` says whether its settings allow it;
    ``shuffle`` and ``seed`` say whether its order is drawn, and from which seed."""

    shuffle: bool
    seed: int | None

    def use_fast_path(self) -> bool: ...

    def raw_batch(self, idx: int) -> tuple[Any, ...]: ...

    def finish_batch(self, *parts: Any) -> Any: ...
