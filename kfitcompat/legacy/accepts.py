"""What a kfitcompat wrapper accepts of Keras 2, declared on the wrapper itself.

Wrappers of Keras 3 callables keep Keras 3's signature (Keras reads a layer's constructor
arguments from it), so the Keras 2 parameters they take cannot be seen by
``inspect.signature``. Each such wrapper declares them with ``accepts``, from the same table
it applies (``KERAS1_KEYWORDS`` for the Keras 1 layer keywords, ...), and the API table
(``kfitcompat.legacy.keras3``) reads the declaration when it checks, after ``install()``,
that every *translated* row answers as in Keras 2.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

__all__ = ["ACCEPTS", "accepted", "accepts"]

ACCEPTS = "__kfitcompat_keras2__"
F = TypeVar("F", bound=Callable[..., Any])


def accepts(func: F, names: Iterable[str]) -> F:
    """Declare that ``func`` takes the Keras 2 parameters (or Keras 1 spellings) ``names`` with
    Keras 2's meaning; returns ``func``."""
    setattr(func, ACCEPTS, frozenset(names) | getattr(func, ACCEPTS, frozenset()))
    return func


def accepted(func: Any) -> frozenset[str]:
    """The Keras 2 names ``func`` declares it accepts (empty for anything else)."""
    found: Any = getattr(func, ACCEPTS, frozenset())
    return found if isinstance(found, frozenset) else frozenset()
