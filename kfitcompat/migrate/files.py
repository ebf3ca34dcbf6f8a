"""Migrating one file: ``.py`` files and the code cells of ``.ipynb`` notebooks.

Each step that can fail on what a legacy repository holds ends in a ``Problem`` for
that file, never an exception: bytes that are not text in the file's encoding, Python 2 or
other code CPython 3 cannot compile (checked with CPython's own parser first, so the line
is CPython's), an expression nested too deeply, a notebook that is not JSON. A rewrite is
kept only if CPython compiles it. What is left after the run (what ``check`` would report
on the result, ``# kfitcompat:`` notes included) is ``FileResult.left``.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field

import libcst as cst

from .base import KERAS3, KFITCOMPAT, SHIMMED_RULES, RuleSelection
from .ipynb import NotebookError, read_notebook
from .notebooks import mask_ipython, migrate_cells
from .notes import note_findings
from .prefilter import mentions_keras
from .problems import Problem
from .sources import SourceError, compile_problem, decode_source
from .transformer import Finding, migrate_source

__all__ = ["FileResult", "Located", "Options", "process_bytes", "process_file", "process_path",
           "process_text"]

Located = tuple[str, Finding]  # (location prefix: the path, or "path:cell 3"; the finding)


@dataclass(frozen=True)
class Options:
    """How every file of a run is processed."""

    target: str = KERAS3
    rewrite: bool = False
    augment_layers: bool = False
    rules: RuleSelection | None = None
    prefilter: bool = False  # skip a file that never mentions Keras (mentions_keras)


@dataclass
class FileResult:
    """What migrating one file found and changed."""

    path: str
    findings: list[Located] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)  # a failure: the run exits 123
    notes: list[Problem] = field(default_factory=list)  # left alone on purpose (a %%bash cell)
    old: str = ""
    new: str = ""
    encoding: str = "utf-8"  # how the file was read: new is written back the same way
    parsed: bool = True  # False: not read, or never mentions Keras (the prefilter)
    left: list[Located] = field(default_factory=list)  # what check reports on the result

    @property
    def changed(self) -> bool:
        return self.old != self.new

    def diff(self) -> str:
        """A unified diff ``git apply`` and ``patch`` accept (a last line without its newline
        gets the ``\\ No newline at end of file`` marker)."""
        lines = []
        for line in difflib.unified_diff(
                self.old.splitlines(keepends=True), self.new.splitlines(keepends=True),
                fromfile=f"a/{self.path}", tofile=f"b/{self.path}"):
            lines.append(line)
            if not line.endswith("\n"):
                lines.append("\n\\ No newline at end of file\n")
        return "".join(lines)

    @property
    def helpers_written(self) -> list[str]:
        """The helper functions (``kfitcompat.keras2.portable``) the rewrite adds."""
        from ..keras2.portable import HELPERS

        return [n for n in HELPERS if f"def {n}(" in self.new and f"def {n}(" not in self.old]

    def kept_for_install(self, target: str) -> list[Located]:
        """What is left because ``kfitcompat.install()`` runs it (``--target kfitcompat``)."""
        return [x for x in self.left if target == KFITCOMPAT and x[1].rule in SHIMMED_RULES]


def process_file(path: str, target: str = KERAS3, rewrite: bool = False,
                 augment_layers: bool = False, rules: RuleSelection | None = None
                 ) -> FileResult:
    """Migrate (or with ``rewrite=False`` only check) one file, in memory."""
    return process_path(path, Options(target, rewrite, augment_layers, rules))


def process_path(path: str, options: Options) -> FileResult:
    """``process_file`` with the run's ``Options``; a file that cannot be read is
    a ``read`` problem."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        return FileResult(path, errors=[Problem(path, "read", f"cannot read: "
                                                f"{exc.strerror or exc}")], parsed=False)
    return process_bytes(data, path, options)


def process_bytes(data: bytes, path: str, options: Options) -> FileResult:
    """A file's bytes, decoded as Python decodes a source (PEP 263), then migrated."""
    try:
        source = decode_source(data)
    except SourceError as exc:
        return FileResult(path, errors=[Problem(path, "decode", f"cannot decode: {exc.message}",
                                                exc.line, hint=exc.hint)], parsed=False)
    result = FileResult(path, old=source.text, new=source.text, encoding=source.encoding)
    if options.prefilter and not mentions_keras(source.text) and _readable(path, source.text):
        result.parsed = False
        return result
    _process(result, options)
    return result


def _readable(path: str, text: str) -> bool:
    """Whether the prefilter may skip the file unread: a ``.ipynb`` file that is not a
    notebook (empty, truncated) is reported whatever it mentions."""
    if not path.endswith(".ipynb"):
        return True
    try:
        read_notebook(text)
    except NotebookError:
        return False
    return True


def process_text(text: str, path: str, target: str = KERAS3, rewrite: bool = False,
                 augment_layers: bool = False, rules: RuleSelection | None = None
                 ) -> FileResult:
    """``process_file`` of a source given as text (``path`` names it: standard input is
    ``-``; a name ending in ``.ipynb`` is a notebook)."""
    result = FileResult(path, old=text, new=text)
    _process(result, Options(target, rewrite, augment_layers, rules))
    return result


def _process(result: FileResult, options: Options) -> None:
    try:
        if result.path.endswith(".ipynb"):
            _process_notebook(result, options)
        else:
            _process_module(result, options)
    except RecursionError:
        result.new, result.findings = result.old, []
        result.errors.append(Problem(result.path, "too-deep", "cannot parse: an expression "
                                     "is nested deeper than LibCST follows",
                                     hint="split the expression into smaller ones"))
    if not options.rewrite:
        result.left = list(result.findings)
    elif result.changed:  # what a check of the result reports
        again = FileResult(result.path, old=result.new, new=result.new)
        _process(again, Options(options.target, False, options.augment_layers, options.rules))
        result.left = again.findings
    else:
        result.left = [x for x in result.findings if not x[1].changed]


def _process_module(result: FileResult, options: Options) -> None:
    path, text = result.path, result.old
    problem = compile_problem(text, path)
    if problem is not None:
        result.errors.append(problem)
        return
    try:
        new, found = migrate_source(text, options.target, options.rewrite,
                                    options.augment_layers, rules=options.rules)
    except cst.ParserSyntaxError as exc:
        result.errors.append(_libcst_problem(exc, path))
        return
    if new != text:
        problem = compile_problem(new, path)
        if problem is not None:
            result.errors.append(Problem(path, "internal", "not rewritten: the rewrite would "
                                         f"not compile ({problem.message} at line "
                                         f"{problem.line})", hint="please report this file"))
            return
    result.new = new
    found += note_findings(new if options.rewrite else text, found, options.rules)
    result.findings = [(path, f) for f in found]


def _libcst_problem(exc: cst.ParserSyntaxError, where: str, cell: int | None = None
                    ) -> Problem:
    """A file CPython compiles but LibCST does not parse (its own grammar's limits)."""
    return Problem(where, "syntax", "cannot parse with LibCST, although CPython compiles "
                   f"it: {exc.message}", exc.raw_line, exc.raw_column + 1, cell)


def _cell_compile_problem(code: str, path: str, number: int) -> Problem | None:
    """Why CPython cannot parse a cell (its IPython lines hidden; a ``%%writefile x.py``
    cell's body counted from the cell's line 2), or None (also for a ``%%bash`` cell)."""
    masked = mask_ipython(code)
    if masked.own_module:
        problem = compile_problem(code.partition("\n")[2], path, number, full=False)
        return (dataclasses.replace(problem, line=problem.line + 1)
                if problem is not None and problem.line is not None else problem)
    return compile_problem(masked.code, path, number, full=False) if masked.python else None


def _process_notebook(result: FileResult, options: Options) -> None:
    """The code cells migrated as one module (``kfitcompat.migrate.notebooks``)."""
    path = result.path
    try:
        notebook = read_notebook(result.old)
    except NotebookError as exc:
        result.errors.append(Problem(path, "notebook", exc.message, exc.line, exc.column))
        return
    cells = notebook.code_cells
    sources = [cell.code for cell in cells]
    if not sources:
        return
    broken = {i: p for i, cell in enumerate(cells)
              if (p := _cell_compile_problem(cell.code, path, cell.number)) is not None}
    new, found, skipped = migrate_cells(
        ["" if i in broken else s for i, s in enumerate(sources)],
        lambda code: migrate_source(code, options.target, options.rewrite,
                                    options.augment_layers, notebook=True, rules=options.rules))
    new = [sources[i] if i in broken else code for i, code in enumerate(new)]
    for index, why in sorted([*broken.items(), *skipped], key=lambda item: item[0]):
        number = cells[index].number
        if isinstance(why, Problem):
            result.errors.append(why)
        elif isinstance(why, cst.ParserSyntaxError):
            result.errors.append(_libcst_problem(why, path, number))
        else:
            result.notes.append(Problem(path, "cell", f"left as it is ({why})", cell=number))
    by_cell: dict[int, list[Finding]] = {}
    for index, finding in found:
        by_cell.setdefault(index, []).append(finding)
    for index, source in enumerate(new if options.rewrite else sources):
        by_cell.setdefault(index, []).extend(note_findings(source, by_cell.get(index, []),
                                                           options.rules))
    result.findings = [(f"{path}:cell {cells[index].number}", finding)
                       for index in sorted(by_cell) for finding in by_cell[index]]
    changed = False
    for cell, old, source in zip(cells, sources, new):
        if source != old:
            cell.replace(source)
            changed = True
    if changed:
        result.new = notebook.dump()
