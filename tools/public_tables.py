"""Generated text tables (CSV/TSV) and plain files for the public scripts' data recipes.

A developer tool used by ``tools/public_scripts.py``. A pin's ``[[scripts.tables]]`` entry
describes one delimited text file the script reads (``pd.read_csv``, ``np.loadtxt``, ``open``):
its ``path``, the number of ``rows``, the ``sep`` and whether it has a ``header``, and its
``columns`` in order, each ``[name, kind]`` with kind one of

* ``"index"`` (0, 1, 2, ...), ``"const VALUE"``,
* ``"int LOW HIGH"`` and ``"float LOW HIGH"`` (uniform, both ends included for ints),
* ``"choice A B C"`` (one of the words; ``choice`` labels cycle so every value appears),
* ``"text"`` (a few random lowercase words), ``"letters ALPHABET LENGTH"`` (e.g. a protein
  or DNA sequence), ``"file PATTERN"`` (a file name, ``{i}`` the row index).

A ``[[scripts.files]]`` entry writes one small file verbatim: ``path`` and ``text``.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

__all__ = ["write_table", "write_file", "cell"]

WORDS = ("good", "bad", "movie", "film", "great", "boring", "plot", "actor", "love", "hate",
         "story", "funny", "slow", "fast", "music", "scene", "end", "best", "worst", "fine")


def cell(kind: str, row: int, rng: random.Random) -> str:
    """One value of a column of the given kind, for row ``row``."""
    head, _, rest = kind.partition(" ")
    args = rest.split()
    if head == "index":
        return str(row)
    if head == "const":
        return rest
    if head == "int":
        return str(rng.randint(int(args[0]), int(args[1])))
    if head == "float":
        return f"{rng.uniform(float(args[0]), float(args[1])):.4f}"
    if head == "choice":
        return args[row % len(args)]
    if head == "text":
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))
    if head == "letters":
        return "".join(rng.choice(args[0]) for _ in range(int(args[1])))
    if head == "file":
        return rest.format(i=row)
    raise ValueError(f"public_tables: unknown column kind {kind!r} (expected index, const, "
                     "int, float, choice, text, letters or file)")


def write_table(spec: dict[str, Any], path: Path, rng: random.Random) -> None:
    """Write the table ``spec`` describes at ``path``."""
    sep = spec.get("sep", ",")
    columns = spec["columns"]
    lines = [sep.join(name for name, _ in columns)] if spec.get("header", True) else []
    for row in range(spec["rows"]):
        lines.append(sep.join(cell(kind, row, rng) for _, kind in columns))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def write_file(spec: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(spec["text"])
