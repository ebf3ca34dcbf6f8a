"""The committed API table, read back: the verdict of a Keras 2 row by its id.

``kfitcompat check`` / ``migrate`` and the refusal hooks of ``install()`` ask it; nothing here
imports Keras. A row missing from ``api_table.json`` is the same in Keras 3.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

from .api import TABLE
from .verdicts import RULES, SAME

__all__ = ["Verdict", "verdict_of", "attribute_names", "canonical"]


@dataclass(frozen=True)
class Verdict:
    verdict: str
    why: str
    migrate: str  # translated: the migrate rule that rewrites or reports it ("" = none)
    status: str = ""  # in Keras 3 as installed ("position": only its positional place moved)
    follows: bool = False  # decided by the row it belongs to (a parameter of a refused name)


_SAME = Verdict(SAME, "", "")


@functools.cache
def _table() -> tuple[dict[str, tuple[str, str, str]], dict[str, str]]:
    """row id -> (verdict, rule key, Keras 3 status); rule key -> reason."""
    if not TABLE.exists():
        return {}, {}
    lines = TABLE.read_text().splitlines()
    reasons: dict[str, str] = json.loads(lines[0])["reasons"]
    rows = {}
    for line in lines[1:]:
        entry = json.loads(line)
        rows[entry["id"]] = (entry["verdict"], entry["rule"], entry["status"])
    return rows, reasons


@functools.cache
def _migrate_rules() -> dict[str, str]:
    return {rule.key: rule.migrate for rule in RULES}


def verdict_of(row_id: str) -> Verdict:
    """The verdict of ``row_id`` (``"name keras.layers.Merge"``, ``"param keras.layers.Conv2D
    border_mode"``); rows that follow another row get that row's reason."""
    rows, reasons = _table()
    if row_id not in rows:
        return _SAME
    verdict, rule, status = rows[row_id]
    follows = rule.startswith("follows ")
    seen = 0
    while rule.startswith("follows ") and seen < 10:
        rule = rows.get(rule[len("follows "):], ("", "", ""))[1]
        seen += 1
    if rule.startswith("follows module "):
        rule = rows.get(rule[len("follows "):], ("", "", ""))[1]
    return Verdict(verdict, reasons.get(rule, ""), _migrate_rules().get(rule, ""), status,
                   follows)


@functools.cache
def _aliases() -> dict[str, str]:
    from .api import keras2_rows

    return {row.path: row.alias_of for row in keras2_rows() if row.kind == "name"
            and row.alias_of}


def canonical(path: str) -> str:
    """The Keras 2 path a name is an alias of (``keras.utils.np_utils.to_categorical`` ->
    ``keras.utils.to_categorical``), or ``path`` itself."""
    return _aliases().get(path, path)


@functools.cache
def attribute_names(owners: tuple[str, ...]) -> dict[str, str]:
    """Attribute name -> row id, for the Keras 2 attributes of the Keras classes ``owners``
    that Keras 3 lacks (``output_shape`` of ``keras.layers.Layer``, ...) and that no Keras 3
    class has under that name (``history`` or ``stateful`` are others' attributes too), so
    that reading ``x.<name>`` is Keras 2 whatever ``x`` is. Keras 1-only rows are left out."""
    from .api import keras2_rows

    rows, _ = _table()
    same = {row.member for row in keras2_rows()
            if row.kind == "attr" and rows.get(row.id, (SAME, "", ""))[0] == SAME}
    out: dict[str, str] = {}
    for row in keras2_rows():
        if (row.kind == "attr" and row.path in owners and not row.keras1_only
                and row.member not in same and rows.get(row.id, (SAME, "", ""))[0] != SAME):
            out.setdefault(row.member, row.id)
    return out
