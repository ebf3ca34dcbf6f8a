"""Migrating a notebook as one module: its code cells joined, IPython lines masked.

A notebook runs its cells in one namespace, so a ``Sequence`` defined in one cell and
passed to ``fit_generator(..., workers=4)`` in another is one migration (the loading
options move onto its constructor, ``kfitcompat.migrate.sequences``). The code cells
are joined with a marker line between them, migrated together and split back at the
markers. IPython lines (``%matplotlib inline``, ``!pip install``, ``x = !ls``) are masked
as comments while the code is parsed and put back afterwards; ``%time stmt`` keeps
``stmt`` visible to the rules. A ``%%writefile name.py`` cell writes a module of its own
(run later by ``!python name.py`` or imported): its body is migrated as a file of its own,
not joined to the notebook's namespace. Any other cell magic whose body is not Python
(``%%bash``, ``%%writefile data.csv``, ...) leaves its cell as it is.

If the joined module does not parse, or a rewrite would lose a marker, each cell is
migrated on its own instead (the behaviour of a file per cell).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import libcst as cst

from .transformer import Finding

__all__ = ["Masked", "mask_ipython", "unmask_ipython", "migrate_cells"]

_CELL = "# __kfitcompat_cell_{}__"
_CELL_LINE = re.compile(r"^# __kfitcompat_cell_(\d+)__$", re.M)
_MAGIC = "__kfitcompat_ipython_{}__"
_MAGIC_ANY = re.compile(r"__kfitcompat_ipython_(\d+)__")
# Cell magics whose body is Python code.
_PYTHON_CELL_MAGICS = ("time", "timeit", "prun", "capture", "debug")
# Line magics that run the Python statement after them.
_PREFIX_MAGICS = re.compile(r"^(\s*)(%(?:time|timeit|prun|debug)(?:\s+-\S+)*\s+)(\S.*)$")
_IPYTHON_LINE = re.compile(r"^\s*(%|!(?!=)|[\w.]+\s*=\s*[%!])")

Migrate = Callable[[str], tuple[str, list[Finding]]]
Skipped = list[tuple[int, "str | cst.ParserSyntaxError"]]  # cell index, why (or the error)


@dataclasses.dataclass
class Masked:
    """A cell's source with its IPython lines hidden: ``lines[i]`` is put back where the
    marker ``i`` stands (``prefix`` entries put a ``%time``-style prefix back)."""

    code: str
    lines: dict[int, str]
    prefixes: dict[int, str]
    python: bool = True  # False: a cell magic whose body is not the notebook's Python
    own_module: bool = False  # ``%%writefile x.py``: the body is a Python file of its own


def mask_ipython(source: str, first: int = 0) -> Masked:
    """Hide the IPython lines of ``source`` behind comments numbered from ``first``."""
    lines = source.splitlines(keepends=True)
    masked = Masked("", {}, {})
    if lines and lines[0].startswith("%%"):
        words = lines[0][2:].split()
        magic = words[0] if words else ""
        if magic == "writefile" and words[-1].endswith(".py"):
            return Masked(source, {}, {}, python=False, own_module=True)
        if magic not in _PYTHON_CELL_MAGICS:
            return Masked(source, {}, {}, python=False)
    number = first
    out = []
    for line in lines:
        body, newline = (line[:-1], "\n") if line.endswith("\n") else (line, "")
        prefix = _PREFIX_MAGICS.match(body)
        if prefix and not body.lstrip().startswith("%%"):
            masked.prefixes[number] = prefix.group(2)
            out.append(f"{prefix.group(1)}{prefix.group(3)}  # {_MAGIC.format(number)}{newline}")
            number += 1
        elif _IPYTHON_LINE.match(body):
            indent = body[:len(body) - len(body.lstrip())]
            masked.lines[number] = body
            out.append(f"{indent}# {_MAGIC.format(number)}{newline}")
            number += 1
        else:
            out.append(line)
    masked.code = "".join(out)
    return masked


def unmask_ipython(code: str, masked: Masked) -> str | None:
    """``code`` with the IPython lines put back; ``None`` if a marker was lost."""
    seen = set()
    out = []
    for line in code.splitlines(keepends=True):
        found = _MAGIC_ANY.search(line)
        if found is None:
            out.append(line)
            continue
        number = int(found.group(1))
        seen.add(number)
        newline = "\n" if line.endswith("\n") else ""
        if number in masked.lines:
            out.append(masked.lines[number] + newline)
        else:
            body = line[:found.start()].rstrip()
            if body.endswith("#"):
                body = body[:-1].rstrip()
            indent = body[:len(body) - len(body.lstrip())]
            out.append(f"{indent}{masked.prefixes[number]}{body.lstrip()}{newline}")
    if seen != set(masked.lines) | set(masked.prefixes):
        return None
    return "".join(out)


def migrate_cells(sources: list[str], migrate: Migrate
                  ) -> tuple[list[str], list[tuple[int, Finding]], Skipped]:
    """Migrate code cells together. Returns the new sources, the findings as ``(cell index,
    finding with the line in that cell)`` and the cells left as they are, as ``(index,
    why)`` (``why`` is the parse error of a cell that does not parse)."""
    masks: list[Masked] = []
    skipped: Skipped = []
    parts, starts = [], []
    line = 1
    number = 0
    for index, source in enumerate(sources):
        masked = mask_ipython(source, number)
        number += len(masked.lines) + len(masked.prefixes)
        masks.append(masked)
        if not masked.python and not masked.own_module:
            skipped.append((index, "a cell magic whose body is not Python"))
        code = masked.code if masked.python else ""
        if code and not code.endswith("\n"):
            code += "\n"
        parts.append(_CELL.format(index) + "\n" + code)
        starts.append(line + 1)
        line += 1 + code.count("\n")
    try:
        new, found = migrate("".join(parts))
    except cst.ParserSyntaxError:
        new, found = "", []
    pieces = _split(new, len(sources))
    if pieces is None:
        return _one_by_one(sources, masks, skipped, migrate)
    results: list[str] = []
    findings: list[tuple[int, Finding]] = []
    for source, masked, piece in zip(sources, masks, pieces):
        if not masked.python:  # (a written module is migrated below, once no fall-back)
            results.append(source)
            continue
        restored = unmask_ipython(piece, masked)
        if restored is None:
            return _one_by_one(sources, masks, skipped, migrate)
        if not source.endswith("\n") and restored.endswith("\n"):
            restored = restored[:-1]
        results.append(restored)
    for finding in found:
        cell = max([i for i, start in enumerate(starts) if start <= finding.line] or [0])
        findings.append((cell, dataclasses.replace(
            finding, line=max(1, finding.line - starts[cell] + 1))))
    skipped = list(skipped)
    for index, masked in enumerate(masks):
        if masked.own_module:
            results[index] = _written_module(index, sources[index], migrate, findings, skipped)
    findings.sort(key=lambda item: item[0])
    return results, findings, sorted(skipped, key=lambda item: item[0])


def _written_module(index: int, source: str, migrate: Migrate,
                    findings: list[tuple[int, Finding]], skipped: Skipped) -> str:
    """A ``%%writefile x.py`` cell: its body migrated as a file of its own (its findings'
    lines counted in the cell, the magic being line 1)."""
    magic, _, body = source.partition("\n")
    try:
        new, found = migrate(body)
    except cst.ParserSyntaxError as exc:
        skipped.append((index, exc))
        return source
    findings += [(index, dataclasses.replace(f, line=f.line + 1)) for f in found]
    return f"{magic}\n{new}"


def _split(code: str, count: int) -> list[str] | None:
    marks = list(_CELL_LINE.finditer(code))
    if not marks or [int(m.group(1)) for m in marks] != list(range(count)):
        return None
    if code[:marks[0].start()].strip():
        return None
    ends = [m.start() for m in marks[1:]] + [len(code)]
    return [code[m.end() + 1:end] for m, end in zip(marks, ends)]


def _one_by_one(sources: list[str], masks: list[Masked], skipped: Skipped, migrate: Migrate
                ) -> tuple[list[str], list[tuple[int, Finding]], Skipped]:
    results: list[str] = []
    findings: list[tuple[int, Finding]] = []
    skipped = list(skipped)
    for index, (source, masked) in enumerate(zip(sources, masks)):
        if masked.own_module:
            results.append(_written_module(index, source, migrate, findings, skipped))
            continue
        if not masked.python:
            results.append(source)
            continue
        try:
            new, found = migrate(masked.code)
        except cst.ParserSyntaxError as exc:
            skipped.append((index, exc))
            results.append(source)
            continue
        restored = unmask_ipython(new, masked)
        if restored is None:
            skipped.append((index, "the rewrite would lose an IPython line"))
            results.append(source)
            continue
        results.append(restored)
        findings += [(index, f) for f in found]
    return results, findings, sorted(skipped, key=lambda item: item[0])
