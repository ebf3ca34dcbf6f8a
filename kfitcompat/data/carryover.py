"""What a call read ahead from a generator and did not use, kept for the next call on it.

Loading works ahead of training: a call's producer threads (``workers > 1``), its
``tf.data`` read-ahead (``workers=1``) or its producer process (``use_multiprocessing=True``)
hold batches drawn from the generator that the model has not taken when the call ends.
Keras 2.2.4 dropped them with its enqueuer, so a script with its own epoch loop
(``for e in range(4): model.fit_generator(gen, steps_per_epoch=3, workers=2)``) saw batches
0, 1, 2, 10, 11, 12, 20, ... kfitcompat's rule is *nothing read ahead is dropped*: the next
call on the same generator object starts with them, then draws on (0, 1, 2, 3, 4, 5, ...).

The batches are kept per generator object, weakly where the object allows it (generators,
instances of iterator classes): they go when the generator is garbage. Built-in iterators
that take no weak reference (``zip``, ``map``, ``iter(list)``) are kept strongly, at most
``STRONG_LIMIT`` of them, the oldest forgotten first.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Carry", "Raised", "STRONG_LIMIT", "is_iterator", "keep", "take"]

STRONG_LIMIT = 8


@dataclass
class Raised:
    """An exception the generator raised while a call read ahead, not yet seen by the caller
    (the next call raises it where it comes in the stream)."""

    exc: BaseException


@dataclass
class Carry:
    """The rest of a generator's stream after a call: the batches drawn and not used (raw,
    as the generator yielded them, or ``Raised``), in order, and the iterator to go on
    drawing from when it is not the object itself (``continuation``: the state a producer
    process sent back)."""

    items: list[Any] = field(default_factory=list)
    continuation: Any = None


_LOCK = threading.Lock()
_WEAK: dict[int, tuple[weakref.ref[Any], Carry]] = {}
_STRONG: OrderedDict[int, tuple[Any, Carry]] = OrderedDict()


def is_iterator(obj: Any) -> bool:
    """``iter(obj) is obj``: drawing from it advances it (a re-iterable object starts again
    at every call, so nothing is carried for it)."""
    try:
        return iter(obj) is obj
    except TypeError:
        return False


def _forget(key: int, ref: weakref.ref[Any]) -> None:
    with _LOCK:
        entry = _WEAK.get(key)
        if entry is not None and entry[0] is ref:
            del _WEAK[key]


def take(generator: Any) -> Carry | None:
    """The carry kept for ``generator`` (removed from the store), or ``None``."""
    key = id(generator)
    with _LOCK:
        weak = _WEAK.get(key)
        if weak is not None and weak[0]() is generator:
            del _WEAK[key]
            return weak[1]
        strong = _STRONG.get(key)
        if strong is not None and strong[0] is generator:
            del _STRONG[key]
            return strong[1]
    return None


def keep(generator: Any, carry: Carry) -> None:
    """Keep ``carry`` for the next call on ``generator`` (after what is kept already, if two
    calls used it at once)."""
    if not carry.items and carry.continuation is None:
        return
    earlier = take(generator)
    if earlier is not None:
        carry = Carry(earlier.items + carry.items,
                      carry.continuation if carry.continuation is not None
                      else earlier.continuation)
    key = id(generator)

    def forget(ref: weakref.ref[Any]) -> None:
        _forget(key, ref)

    try:
        ref = weakref.ref(generator, forget)
    except TypeError:  # zip, map, list iterators: no weak reference
        with _LOCK:
            _STRONG[key] = (generator, carry)
            while len(_STRONG) > STRONG_LIMIT:
                _STRONG.popitem(last=False)
        return
    with _LOCK:
        _WEAK[key] = (ref, carry)
