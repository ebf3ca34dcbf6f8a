"""The Keras 1/2 API as rows of data, read from ``keras2_api.json`` (no TensorFlow, no Keras).

``tools/gen_keras2_api.py`` writes that file from the tagged Keras 1.2.2, 2.2.4 and 2.3.1
sources. One row per public module, public name (with its aliases: ``keras.layers.core.Dense``
is an alias of ``keras.layers.Dense``), parameter (of a function, a class's ``__init__`` or a
method: ``keras.Model.fit`` / ``epochs``), class attribute (method, property or ``self.x``) and
Keras 1 spelling Keras 2 still accepted (``keras.layers.Conv2D`` / ``border_mode``).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["KINDS", "TABLE", "VERSIONS", "ApiRow", "keras2_rows", "layer_keywords",
           "parameters", "source_pins"]

DATA = Path(__file__).with_name("keras2_api.json")
#: The generated table (``kfitcompat.legacy.table``): verdicts of the rows above.
TABLE = Path(__file__).with_name("api_table.json")
#: module, public name, parameter, attribute, Keras 1 spelling accepted by Keras 2
KINDS = ("module", "name", "param", "attr", "keras1")


@dataclass(frozen=True)
class ApiRow:
    """One Keras 1/2 API fact: what it was in each Keras version that had it."""

    kind: str
    path: str
    member: str
    keras2: tuple[tuple[str, str], ...]  # (version, fact) for the versions that had it

    @property
    def id(self) -> str:
        return f"{self.kind} {self.path}" + (f" {self.member}" if self.member else "")

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(v for v, _ in self.keras2)

    @property
    def newest(self) -> str:
        """The fact in the newest Keras version that had the row."""
        return self.keras2[-1][1]

    @property
    def alias_of(self) -> str:
        """For an alias name row, the canonical path it names."""
        fact = self.newest
        return fact[len("alias of "):] if fact.startswith("alias of ") else ""

    @property
    def keras1_only(self) -> bool:
        return self.versions == ("1.2.2",)

    @property
    def dotted(self) -> str:
        """``path.member`` (a parameter's or attribute's full name)."""
        return f"{self.path}.{self.member}" if self.member else self.path


@functools.cache
def _load() -> tuple[dict, tuple[ApiRow, ...]]:
    lines = DATA.read_text().splitlines()
    header = json.loads(lines[0])
    order = {v: i for i, v in enumerate(header["versions"])}
    rows = []
    for line in lines[1:]:
        data = json.loads(line)
        facts = tuple(sorted(data["keras2"].items(), key=lambda kv: order[kv[0]]))
        rows.append(ApiRow(data["kind"], data["path"], data["member"], facts))
    return header, tuple(rows)


def keras2_rows() -> tuple[ApiRow, ...]:
    """Every row of the Keras 1/2 API, sorted by kind, path and member."""
    return _load()[1]


@functools.cache
def layer_keywords() -> tuple[str, ...]:
    """The keywords Keras 2's ``Layer.__init__`` took from every layer's ``**kwargs``
    (``input_shape``, ``batch_input_shape``, ``trainable``, ``weights``, ...)."""
    return tuple(row.member for row in keras2_rows() if row.kind == "param"
                 and row.path == "keras.layers.Layer" and row.member != "kwargs")


@functools.cache
def parameters(path: str) -> tuple[str, ...]:
    """The named parameters of the Keras 1/2 callable ``path`` (``keras.Model.fit``), in any
    version that had it (``**kwargs`` left out)."""
    return tuple(row.member for row in keras2_rows() if row.kind == "param"
                 and row.path == path and row.member != "kwargs")


def source_pins() -> dict[str, dict[str, str]]:
    """The tagged sources the rows were read from (version -> repo, tag, commit)."""
    return _load()[0]["sources"]


VERSIONS: tuple[str, ...] = ("1.2.2", "2.2.4", "2.3.1")
