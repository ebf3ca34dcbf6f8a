"""What a run says about a file it could not read, parse or write, or left alone on purpose.

A ``Problem`` is one line of the report (``path:line:col: message (hint)``) and one
object of ``check --format json``. An error (a file not read, not parsed or not written)
makes the run exit 123, as black does; a note (a symlink out of the tree, a named pipe, a
``%%bash`` cell) is reported and changes nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["KINDS", "Problem"]

#: kind -> what it means (``check --format json`` gives the kind of each error and note).
KINDS = {
    "read": "the file could not be read (permission, I/O error)",
    "decode": "the bytes are not text in the file's encoding (PEP 263 cookie, or UTF-8)",
    "python2": "Python 2 code: CPython 3 cannot compile it",
    "syntax": "CPython cannot compile the file (or LibCST cannot parse it)",
    "too-deep": "an expression nested deeper than the parsers can follow",
    "notebook": "a .ipynb file that is not a readable notebook (truncated, empty, not JSON)",
    "write": "the rewrite could not be written (read-only or immutable file, full disk)",
    "internal": "kfitcompat failed on this file: a bug, please report it",
    "symlink": "a symbolic link to a file outside the folders given, or a broken one: skipped",
    "special": "not a regular file (a named pipe, a device, a socket): never opened",
    "cell": "a notebook cell left as it is (a cell magic whose body is not Python)",
}


@dataclass(frozen=True)
class Problem:
    """One file (or notebook cell) the run could not handle, or left alone on purpose."""

    path: str
    kind: str
    message: str
    line: int | None = None
    column: int | None = None
    cell: int | None = None
    hint: str = ""

    @property
    def location(self) -> str:
        """``path``, ``path:cell 3``, ``path:12:5`` or ``path:cell 3:2:1``."""
        where = self.path if self.cell is None else f"{self.path}:cell {self.cell}"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" + (f" ({self.hint})" if self.hint else "")

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.path, **{k: v for k, v in asdict(self).items() if k != "path"}}
