"""``History`` keys and callback logs as legacy scripts read them: ``acc`` and ``accuracy``
both work.

Keras 2.2.4 logged ``metrics=['accuracy']`` as ``acc``/``val_acc``; tf.keras 2.x
and Keras 3 log the string as passed. ``AliasDict`` answers either
spelling without adding keys, so code that iterates the dict is unchanged. After
``install()``, ``fit`` returns a ``History`` whose ``history`` is one, and the callbacks of a
training call get their ``logs`` as one (``logs['acc']``, ``logs.get('val_acc')`` in a custom
callback, as in Keras 2.2.4): Keras 3's ``CallbackList`` builds each callback's ``logs`` with
a function of its own, which ``install()`` wraps (``_keras_private.callback_logs_module``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

__all__ = ["AliasDict", "aliased_logs", "legacy_history", "ALIASES"]

ALIASES: dict[str, str] = {"acc": "accuracy", "accuracy": "acc"}


def _alias(key: Any) -> Any:
    if not isinstance(key, str):
        return None
    prefix = "val_" if key.startswith("val_") else ""
    name = key[len(prefix):]
    other = ALIASES.get(name)
    return prefix + other if other else None


class AliasDict(dict):
    """A dict whose ``acc``/``accuracy`` (and ``val_`` twins) keys answer for each other."""

    def __missing__(self, key: Any) -> Any:
        other = _alias(key)
        if other is not None and dict.__contains__(self, other):
            return dict.__getitem__(self, other)
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        if dict.__contains__(self, key):
            return True
        other = _alias(key)
        return other is not None and dict.__contains__(self, other)

    def get(self, key: Any, default: Any = None) -> Any:
        return self[key] if key in self else default


def legacy_history(history: Any) -> Any:
    """Give ``history.history`` the ``acc``/``accuracy`` aliases; returns ``history``."""
    if history is not None and not isinstance(getattr(history, "history", None), AliasDict):
        history.history = AliasDict(getattr(history, "history", None) or {})
    return history



def aliased_logs(original: Callable[..., Any]) -> Callable[..., Any]:
    """The function Keras 3's ``CallbackList`` turns each ``logs`` dict into Python numbers
    with (``original``), giving an ``AliasDict``: every callback of a training call, a
    script's own included, then reads ``logs['acc']`` as in Keras 2.2.4."""

    @functools.wraps(original)
    def pythonify(logs: Any) -> Any:
        return AliasDict(original(logs))

    return pythonify
