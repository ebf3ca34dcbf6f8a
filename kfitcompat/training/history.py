"""``History`` keys and callback logs as legacy scripts read them: ``acc`` and ``accuracy``
both work, and so do ``mean_absolute_error`` and ``mae``.

Keras 2.2.4 logged ``metrics=['accuracy']`` as ``acc``/``val_acc`` and ``metrics=['mae']`` as
``mean_absolute_error`` (the function's name); tf.keras 2.x and Keras 3 log the string as
passed. ``AliasDict`` answers either spelling without adding keys, so code that iterates the
dict is unchanged. After
``install()``, ``fit`` returns a ``History`` whose ``history`` is one, and the callbacks of a
training call get their ``logs`` as one (``logs['acc']``, ``logs.get('val_acc')`` in a custom
callback, as in Keras 2.2.4): Keras 3's ``CallbackList`` builds each callback's ``logs`` with
a function of its own, which ``install()`` wraps (``_keras_private.callback_logs_module``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ..legacy_table import KERAS224_LOG_NAMES

__all__ = ["AliasDict", "aliased_logs", "alias_of", "legacy_history", "ALIASES"]

#: Each name answers for the other, with a ``val_`` or ``<output>_`` prefix too.
ALIASES: dict[str, str] = {**KERAS224_LOG_NAMES,
                           **{new: old for old, new in KERAS224_LOG_NAMES.items()}}


def alias_of(key: Any) -> str | None:
    """The other spelling of a log name (``val_mean_absolute_error`` -> ``val_mae``,
    ``dense_2_accuracy`` -> ``dense_2_acc``), or None."""
    if not isinstance(key, str):
        return None
    for name, other in ALIASES.items():
        if key == name or key.endswith("_" + name):
            return key[: len(key) - len(name)] + other
    return None


class AliasDict(dict):
    """A dict whose Keras 2.2.4 and Keras 3 log names (``ALIASES``: ``acc`` / ``accuracy``,
    ``mean_absolute_error`` / ``mae``, ..., and their ``val_`` twins) answer for each
    other."""

    def __missing__(self, key: Any) -> Any:
        other = alias_of(key)
        if other is not None and dict.__contains__(self, other):
            return dict.__getitem__(self, other)
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        if dict.__contains__(self, key):
            return True
        other = alias_of(key)
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
