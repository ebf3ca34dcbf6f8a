"""The ``.ipynb`` file around a notebook's code cells: nbformat 4 and nbformat 3.

nbformat 4 keeps its cells in ``cells`` and a cell's code in ``source``; nbformat 3 (IPython
1 and 2, 2013-2015) in ``worksheets[i].cells`` and ``input``. Both are read, and written back
in the form they were read (only the code of the cells migrate changed is replaced; the
file's line endings kept). A file that is not a notebook (empty, truncated, not JSON) is a
``NotebookError`` naming the line and column where reading stopped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CodeCell", "Notebook", "NotebookError", "read_notebook"]


class NotebookError(ValueError):
    """Not a notebook: where and why reading stopped."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None
                 ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class CodeCell:
    """A code cell: its number among all the notebook's cells (1-based), its code."""

    number: int
    cell: dict[str, Any]
    key: str  # "source" (nbformat 4) or "input" (nbformat 3)

    @property
    def code(self) -> str:
        value = self.cell.get(self.key, "")
        return value if isinstance(value, str) else "".join(value)

    def replace(self, code: str) -> None:
        """The cell's code becomes ``code`` (a string stays a string, a list of lines a
        list of lines, as nbformat allows both)."""
        self.cell[self.key] = (code if isinstance(self.cell.get(self.key), str)
                               else code.splitlines(keepends=True))


@dataclass
class Notebook:
    """A notebook read from its JSON text; ``dump`` writes it back."""

    data: dict[str, Any]
    version: int
    code_cells: list[CodeCell] = field(default_factory=list)
    crlf: bool = False

    def dump(self) -> str:
        text = json.dumps(self.data, indent=1, ensure_ascii=False) + "\n"
        return text.replace("\n", "\r\n") if self.crlf else text


def read_notebook(text: str) -> Notebook:
    """The notebook of ``text`` and its code cells, nbformat 4 or 3.

    Raises:
        NotebookError: not JSON, or JSON that is not a notebook.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        what = "empty" if not text.strip() else "not JSON (truncated?)"
        raise NotebookError(f"not a readable notebook: {what}: {exc.msg}", exc.lineno,
                            exc.colno) from None
    except RecursionError:
        raise NotebookError("not a readable notebook: nested too deeply") from None
    if not isinstance(data, dict):
        raise NotebookError("not a notebook: the JSON is not an object")
    version = data.get("nbformat", 4)
    if version == 3 or "worksheets" in data:
        worksheets = data.get("worksheets", [])
        cells: Any = [c for w in worksheets if isinstance(w, dict) for c in w.get("cells", [])]
        key, version = "input", 3
    else:
        cells, key = data.get("cells"), "source"
    if not isinstance(cells, list):
        raise NotebookError("not a notebook: no list of cells (nbformat 4 `cells` or "
                            "nbformat 3 `worksheets[].cells`)")
    notebook = Notebook(data, int(version) if isinstance(version, int) else 4,
                        crlf="\r\n" in text)
    for number, cell in enumerate(cells, start=1):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            notebook.code_cells.append(CodeCell(number, cell, key))
    return notebook
