"""Where a node of a parsed module is, without a position pass over the whole module.

LibCST's ``PositionProvider`` generates the code of the whole module to learn where each
node is: a third of a ``check`` run's time on a file with one finding. A finding needs the
position of a few nodes only, so the positions are computed per top-level statement: the
statement alone is generated (as a module of one statement, with the module's indentation
and newline), and its lines are shifted to where Python's own parser (``ast``, in C) says the
statement starts. A source the two parsers see differently gets the whole-module pass.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable
from typing import Any

import libcst as cst
from libcst.metadata import CodePosition, CodeRange, MetadataWrapper, PositionProvider

__all__ = ["Positions"]


def _statement_lines(source: str, count: int) -> list[int] | None:
    """The first line of each top-level statement as LibCST groups them (``a; b`` is one),
    or None where ``ast`` does not see ``count`` of them."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning of an invalid escape, ...
            body = ast.parse(source).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    lines: list[int] = []
    for stmt in body:
        if not lines or stmt.lineno != lines[-1]:
            lines.append(stmt.lineno)
    return lines if len(lines) == count else None


class Positions:
    """``positions[node]``: the ``CodeRange`` of ``node``, an original node of ``module``
    (``parent`` answers the node each node sits in; the module's own statements sit in the
    module)."""

    def __init__(self, module: cst.Module, source: str,
                 parent: Callable[[cst.CSTNode], cst.CSTNode | None]) -> None:
        self._module = module
        self._source = source
        self._parent = parent
        self._index = {id(stmt): i for i, stmt in enumerate(module.body)}
        self._lines: list[int] | None | bool = False  # not read yet
        self._per_statement: dict[int, tuple[Any, int]] = {}
        self._whole: Any = None

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        top = self._statement_of(node)
        if top is None:
            return self._whole_module()[node]  # type: ignore[no-any-return]
        positions, shift = self._of_statement(top)
        if shift is None:
            return self._whole_module()[node]  # type: ignore[no-any-return]
        found: CodeRange = positions[node]
        return CodeRange(CodePosition(found.start.line + shift, found.start.column),
                         CodePosition(found.end.line + shift, found.end.column))

    def _statement_of(self, node: cst.CSTNode) -> cst.CSTNode | None:
        current: cst.CSTNode | None = node
        while current is not None and id(current) not in self._index:
            current = self._parent(current)
        return current

    def _of_statement(self, top: cst.CSTNode) -> tuple[Any, Any]:
        key = id(top)
        if key not in self._per_statement:
            if self._lines is False:
                self._lines = _statement_lines(self._source, len(self._module.body))
            if self._lines is None:
                return None, None
            alone = self._module.with_changes(body=[top], header=(), footer=())
            positions = MetadataWrapper(alone, unsafe_skip_copy=True).resolve(PositionProvider)
            assert isinstance(self._lines, list)
            shift = self._lines[self._index[key]] - positions[top].start.line
            self._per_statement[key] = (positions, shift)
        return self._per_statement[key]

    def _whole_module(self) -> Any:
        if self._whole is None:
            self._whole = MetadataWrapper(self._module, unsafe_skip_copy=True).resolve(
                PositionProvider)
        return self._whole
