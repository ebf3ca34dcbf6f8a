"""Which files a run reads: ``.py`` and ``.ipynb`` files at or below the paths given.

In folders: what a ``.gitignore`` ignores is skipped (the folder's own, those below it and
those above it up to the repository's root, with git's rules, via ``pathspec``), as are the
exclude patterns (gitignore syntax, each relative to the folder it was given for) and
virtualenv and cache folders. A symbolic link met in a folder is never followed: one to a
file or folder inside the paths given is skipped (its target is read as itself), one that
points outside them or nowhere is reported and skipped. Named pipes, devices and sockets are
never opened (reading a pipe would block the run). A file named on the command line is
always read, link or not; a file reached twice is read once.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from typing import Any

from .problems import Problem

__all__ = ["Excludes", "find_sources", "iter_source_files"]

_SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", ".venv", "venv", "env", ".tox",
              "node_modules", "site-packages", ".ipynb_checkpoints"}
_SUFFIXES = (".py", ".ipynb")

# (folder the patterns are relative to, gitignore-style patterns)
Excludes = Sequence[tuple[str, Sequence[str]]]


def iter_source_files(paths: list[str], exclude: Sequence[str] = (),
                      gitignore: bool = True) -> Iterator[str]:
    """The ``.py`` and ``.ipynb`` files at or below ``paths``, sorted per folder
    (``find_sources`` without the skipped entries; ``exclude`` is relative to the
    current folder).

    Raises:
        FileNotFoundError: a path that does not exist.
    """
    yield from find_sources(paths, [(os.getcwd(), exclude)], gitignore)[0]


def find_sources(paths: Sequence[str], exclude: Excludes = (), gitignore: bool = True
                 ) -> tuple[list[str], list[Problem]]:
    """The files to read, and a note for each symlink or special file skipped.

    Raises:
        FileNotFoundError: a path that does not exist.
    """
    import pathspec

    specs = [(os.path.abspath(base), pathspec.GitIgnoreSpec.from_lines(patterns))
             for base, patterns in exclude if patterns]
    roots = [os.path.realpath(p) for p in paths]
    files: list[str] = []
    skipped: list[Problem] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        real = os.path.realpath(path)
        if real not in seen:
            seen.add(real)
            files.append(path)

    for path in paths:
        if not os.path.lexists(path):
            raise FileNotFoundError(f"kfitcompat: no such file or folder: {path}")
        if os.path.isdir(path):
            for entry in _walk(path, specs, gitignore):
                problem = _unsafe(entry, roots)
                if problem is None:
                    if not os.path.islink(entry):
                        add(entry)
                elif problem.kind:
                    skipped.append(problem)
        elif os.path.isfile(path):
            add(path)  # named on the command line: read, link or not
        elif not os.path.exists(path):
            skipped.append(Problem(path, "symlink", f"skipped: a symbolic link to "
                                   f"{os.path.realpath(path)}, which does not exist"))
        else:
            skipped.append(Problem(path, "special", f"skipped: {_what(os.stat(path).st_mode)}, "
                                   "not a regular file (never opened)"))
    return files, skipped


def _unsafe(path: str, roots: Sequence[str]) -> Problem | None:
    """Why ``path`` (met in a folder) is not read: a note, or ``Problem(kind="")`` for a
    link inside the tree (skipped without a word); None to read it."""
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        return Problem(path, "read", f"cannot read: {exc.strerror or exc}")
    if stat.S_ISLNK(mode):
        target = os.path.realpath(path)
        if not os.path.exists(target):
            return Problem(path, "symlink", f"skipped: a symbolic link to {target}, which "
                           "does not exist")
        if not any(_inside(target, root) for root in roots):
            return Problem(path, "symlink", f"skipped: a symbolic link to {target}, outside "
                           "the folders given (name the target to read it)")
        return Problem(path, "", "")  # its target is read as itself
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return Problem(path, "special", f"skipped: {_what(mode)}, not a regular file (never opened)")


def _what(mode: int) -> str:
    return ("a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device")


def _walk(folder: str, excluded: Sequence[tuple[str, Any]], gitignore: bool) -> Iterator[str]:
    """Every ``.py`` / ``.ipynb`` entry below ``folder`` that no ignore rule skips, and the
    symbolic links to folders (which are not descended into), in sorted order."""
    ignores = _ignores_above(folder) if gitignore else []
    for root, dirs, names in os.walk(folder):
        ignores = [(b, s) for b, s in ignores if _inside(root, b)]
        if gitignore and os.path.isfile(os.path.join(root, ".gitignore")):
            ignores.append((root, _read_gitignore(os.path.join(root, ".gitignore"))))

        def skipped(name: str, is_dir: bool, root: str = root,
                    ignores: list[tuple[str, Any]] = ignores) -> bool:
            full = os.path.join(root, name)
            slash = "/" if is_dir else ""
            return any(spec.match_file(os.path.relpath(full, base).replace(os.sep, "/") + slash)
                       for base, spec in [*excluded, *ignores])

        kept = sorted(d for d in dirs if d not in _SKIP_DIRS and not skipped(d, True))
        dirs[:] = [d for d in kept if not os.path.islink(os.path.join(root, d))]
        links = [os.path.join(root, d) for d in kept if d not in dirs]
        for name in sorted(names):
            if name.endswith(_SUFFIXES) and not skipped(name, False):
                yield os.path.join(root, name)
        yield from links


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
