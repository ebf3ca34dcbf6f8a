"""Applying the migration to files: ``.py`` files and the code cells of ``.ipynb`` notebooks."""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from .base import RuleSelection
from .notebooks import migrate_cells
from .transformer import Finding, migrate_source

__all__ = ["FileResult", "iter_source_files", "process_file", "process_text"]

_SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", ".venv", "venv", "env", ".tox",
              "node_modules", "site-packages", ".ipynb_checkpoints"}


@dataclass
class FileResult:
    """What migrating one file found and changed."""

    path: str
    findings: list[tuple[str, Finding]] = field(default_factory=list)  # (location prefix, f)
    errors: list[str] = field(default_factory=list)  # not parsed: counts as a failure
    notes: list[str] = field(default_factory=list)  # left alone on purpose (a %%bash cell)
    old: str = ""
    new: str = ""

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


def iter_source_files(paths: list[str], exclude: Sequence[str] = (),
                      gitignore: bool = True) -> Iterator[str]:
    """The ``.py`` and ``.ipynb`` files at or below ``paths``, sorted per folder.

    In folders, what a ``.gitignore`` ignores is skipped (the folder's own and those above
    it up to the repository's root, with git's rules, via ``pathspec``), as are the
    ``exclude`` patterns (gitignore syntax, relative to the current folder) and virtualenv
    and cache folders. A file named on the command line is always read.

    Raises:
        FileNotFoundError: a path that does not exist.
    """
    import pathspec

    excluded = pathspec.GitIgnoreSpec.from_lines(exclude)
    for path in paths:
        if os.path.isfile(path):
            yield path
        elif os.path.isdir(path):
            ignores = _ignores_above(path) if gitignore else []
            for root, dirs, files in os.walk(path):
                if gitignore and os.path.isfile(os.path.join(root, ".gitignore")):
                    ignores = [*[(b, s) for b, s in ignores if _inside(root, b)],
                               (root, _read_gitignore(os.path.join(root, ".gitignore")))]
                else:
                    ignores = [(b, s) for b, s in ignores if _inside(root, b)]

                def skipped(name: str, is_dir: bool, root: str = root,
                            ignores: list = ignores) -> bool:
                    full = os.path.join(root, name)
                    rel = os.path.relpath(full).replace(os.sep, "/") + ("/" if is_dir else "")
                    if excluded.match_file(rel):
                        return True
                    return any(spec.match_file(os.path.relpath(full, base).replace(os.sep, "/")
                                               + ("/" if is_dir else "")) for base, spec in ignores)

                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not skipped(d, True))
                for name in sorted(files):
                    if name.endswith((".py", ".ipynb")) and not skipped(name, False):
                        yield os.path.join(root, name)
        else:
            raise FileNotFoundError(f"kfitcompat: no such file or folder: {path}")


def _read_gitignore(path: str) -> Any:
    import pathspec

    with open(path, encoding="utf-8", errors="replace") as f:
        return pathspec.GitIgnoreSpec.from_lines(f)


def _inside(path: str, base: str) -> bool:
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(base))
    return rel == "." or not rel.startswith("..")


def _ignores_above(folder: str) -> list[tuple[str, Any]]:
    """The ``.gitignore`` files of the folders above ``folder``, up to the repository root
    (the first folder with a ``.git``); none outside a repository."""
    found = []
    here = os.path.abspath(folder)
    while True:
        parent = os.path.dirname(here)
        if os.path.exists(os.path.join(here, ".git")):
            break
        if parent == here:
            return []  # not in a repository: a .gitignore above means nothing
        here = parent
        if os.path.isfile(os.path.join(here, ".gitignore")):
            found.append((here, _read_gitignore(os.path.join(here, ".gitignore"))))
    return found[::-1]


_PYTHON2 = re.compile(r"^\s*(print\s+[^\s(=]|exec\s+[\"']|except\s+[\w.]+\s*,\s*\w+\s*:)|"
                      r"\bur[\"']|<>|\b0[0-7]+\b|\w+L\b", re.M)


def _parse_error(exc: cst.ParserSyntaxError, where: str, text: str = "") -> str:
    message = f"{where}:{exc.raw_line}:{exc.raw_column + 1}: cannot parse: {exc.message}"
    line = text.splitlines()[exc.raw_line - 1] if 0 < exc.raw_line <= len(
        text.splitlines()) else ""
    if _PYTHON2.search(line):
        message += (" (this looks like Python 2 syntax: convert the file to Python 3 first, "
                    "e.g. with `python -m lib2to3` on Python <= 3.12 or `pyupgrade`)")
    return message


def process_file(path: str, target: str, rewrite: bool, augment_layers: bool = False,
                 rules: RuleSelection | None = None) -> FileResult:
    """Migrate (or with ``rewrite=False`` only check) one file, in memory."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return process_text(text, path, target, rewrite, augment_layers, rules)


def process_text(text: str, path: str, target: str, rewrite: bool,
                 augment_layers: bool = False, rules: RuleSelection | None = None
                 ) -> FileResult:
    """[`process_file`][kfitcompat.migrate.process_file] of a source given as text (``path``
    names it: standard input is ``-``; a name ending in ``.ipynb`` is a notebook)."""
    result = FileResult(path, old=text, new=text)
    if path.endswith(".ipynb"):
        _process_notebook(result, target, rewrite, augment_layers, rules)
        return result
    try:
        result.new, found = migrate_source(text, target, rewrite, augment_layers,
                                           rules=rules)
    except cst.ParserSyntaxError as exc:
        result.errors.append(_parse_error(exc, path, text))
        return result
    result.findings = [(path, f) for f in found]
    return result


def _process_notebook(result: FileResult, target: str, rewrite: bool,
                      augment_layers: bool, rules: RuleSelection | None) -> None:
    """The code cells migrated as one module (``kfitcompat.migrate.notebooks``)."""
    notebook = json.loads(result.old)
    cells = [cell for cell in notebook.get("cells", []) if cell.get("cell_type") == "code"]
    numbers = [n for n, cell in enumerate(notebook.get("cells", []), start=1)
               if cell.get("cell_type") == "code"]
    sources = ["".join(cell.get("source", [])) for cell in cells]
    if not sources:
        return
    new, found, skipped = migrate_cells(
        sources, lambda code: migrate_source(code, target, rewrite, augment_layers, notebook=True,
                                    rules=rules))
    for index, why in skipped:
        where = f"{result.path}:cell {numbers[index]}"
        if isinstance(why, cst.ParserSyntaxError):
            result.errors.append(_parse_error(why, where, sources[index]))
        else:
            result.notes.append(f"{where}: left as it is ({why})")
    result.findings = [(f"{result.path}:cell {numbers[index]}", finding)
                       for index, finding in found]
    changed = False
    for cell, old, source in zip(cells, sources, new):
        if source != old:
            cell["source"] = source.splitlines(keepends=True)
            changed = True
    if changed:
        result.new = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
