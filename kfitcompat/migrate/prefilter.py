"""The text prefilter: a file that never mentions Keras is not parsed.

Most files of a real repository have nothing to do with Keras, and parsing a file with
LibCST costs a hundred times more than searching its text. A file is parsed when its text
(code, strings or comments) has one of these words: ``keras``, ``tensorflow``, ``tf_keras``,
``kfitcompat``, or a legacy name that can reach a module without an import naming Keras: a
legacy model method (``fit_generator``, ``predict_classes``, ...), a legacy argument of one
(``nb_epoch``, ``samples_per_epoch``, ``workers``, ...), ``reset_states``, ``add_loss``,
``lr`` (``model.optimizer.lr``) and Keras 2's metric names ``acc`` / ``val_acc``
(``history.history['acc']``). A layer, optimizer, callback or backend function is imported
from a module whose name says ``keras`` or ``tensorflow``.
"""

from __future__ import annotations

import re

from ..legacy_table import LEGACY_ARGS
from .rules import METHOD_RULES

__all__ = ["WORDS", "mentions_keras"]

WORDS: tuple[str, ...] = tuple(sorted({
    "keras", "tensorflow", "tf_keras", "kfitcompat",
    *(name for name in METHOD_RULES if name != "fit"),  # fit: only with a legacy argument
    *(row.name for row in LEGACY_ARGS),
    "reset_states", "add_loss", "lr", "acc", "val_acc",
}))
_WORD = re.compile(r"\b(?:" + "|".join(map(re.escape, WORDS)) + r")\b")


def mentions_keras(text: str) -> bool:
    """Whether ``text`` has a word of ``WORDS``: only such a file is parsed."""
    return _WORD.search(text) is not None
