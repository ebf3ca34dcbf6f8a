"""``kfitcompat.Sequence``: the Keras 2 ``keras.utils.Sequence``, usable as a Keras 3 ``PyDataset``.

Keras 3 made ``keras.utils.Sequence`` an alias of ``PyDataset``, which warns
when a subclass skips ``super().__init__()`` (Keras 2 Sequences never called
it). This class gives the loading attributes class-level defaults, so legacy
subclasses work unchanged wherever a ``PyDataset`` does.

After ``install()`` it answers ``keras.utils.Sequence``; since Keras 3 code checks
``isinstance(x, keras.utils.Sequence)`` meaning "any ``PyDataset``", every ``PyDataset``
(instance or subclass) counts as an instance (or subclass) of this base class too.
``is_legacy_sequence`` tells the two apart.
"""

from __future__ import annotations

from typing import Any

from .._upstream import PyDataset
from ..legacy_table import LOADING_DEFAULTS

__all__ = ["FixedLength", "Sequence", "is_legacy_sequence"]


class _SequenceMeta(type(PyDataset)):  # type: ignore[misc]
    """``isinstance(PyDataset(), Sequence)`` holds, as ``keras.utils.Sequence`` is PyDataset
    in Keras 3; subclasses of ``Sequence`` check as usual."""

    def __instancecheck__(cls, obj: Any) -> bool:
        if cls is Sequence:
            return isinstance(obj, PyDataset)
        return super().__instancecheck__(obj)

    def __subclasscheck__(cls, sub: type) -> bool:
        if cls is Sequence:
            return issubclass(sub, PyDataset)
        return super().__subclasscheck__(sub)


class FixedLength:
    """Marks a Sequence whose ``len()`` cannot change between epochs (kfitcompat's image
    iterators: ``ceil(n / batch_size)``). ``fit_generator`` then runs all its epochs in one
    Keras 3 ``fit`` instead of one ``fit`` per epoch (see ``kfitcompat.training.epochs``)."""


def is_legacy_sequence(x: Any) -> bool:
    """Whether ``x`` is an instance of kfitcompat's ``Sequence`` (or a subclass), not
    merely a Keras 3 ``PyDataset``."""
    return Sequence in type(x).__mro__


class Sequence(PyDataset, metaclass=_SequenceMeta):
    """Base class for index-based datasets (Keras 2 ``keras.utils.Sequence``).

    Implement ``__getitem__(index)`` (one batch) and ``__len__()`` (batches per
    pass); optionally ``on_epoch_end()``. Calling ``super().__init__()`` is
    optional; ``workers``, ``use_multiprocessing`` and ``max_queue_size`` given
    there are used when this Sequence is passed to Keras 3 ``fit`` directly.
    """

    _workers = LOADING_DEFAULTS["workers"]
    _use_multiprocessing = LOADING_DEFAULTS["use_multiprocessing"]
    _max_queue_size = LOADING_DEFAULTS["max_queue_size"]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index)")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__()")

    @property
    def num_batches(self) -> int:
        return len(self)

    def on_epoch_end(self) -> None:
        """Called after every full pass over the Sequence."""

    def __iter__(self) -> Any:
        """Keras 2: iterate over every batch once, in order."""
        for i in range(len(self)):
            yield self[i]
