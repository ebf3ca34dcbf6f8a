"""What ``check`` and ``migrate`` print: findings, problems, the closing summary, the exit.

``check``: one line per finding (``path:line:col: [rule] message. Fix: ...``), then the
problems; ``--format json`` (one object: findings, errors, notes, summary) and ``--format
github`` (workflow commands: an annotation per finding on the pull request's diff). The
exit status: 0 clean, 1 with findings, 123 when a file could not be read, parsed or written
(as black).

``migrate``: the diff (or the files written), then on standard error what is left for a
person (what ``check`` reports on the result: findings migrate does not rewrite and the
``# kfitcompat:`` notes it wrote), the problems, and a summary that counts rewrites, helper
functions written into modules and what is left: "nothing left" only when that is true.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from .files import FileResult, Located
from .problems import Problem

__all__ = ["EXIT_CLEAN", "EXIT_FINDINGS", "EXIT_FAILED", "check_report", "finding_line",
           "migrate_summary"]

EXIT_CLEAN, EXIT_FINDINGS, EXIT_FAILED = 0, 1, 123
Paint = Callable[[str, str], str]
_CELL = re.compile(r"^(.*):cell (\d+)$")


def _plain(kind: str, text: str) -> str:
    return text


def finding_line(located: Located, paint: Paint = _plain) -> str:
    """``path:line:col: [rule] message. Fix: fix`` (the rule id painted)."""
    where, f = located
    return (f"{where}:{f.line}:{f.col}: [{paint('rule', f.rule)}] {f.message}. "
            f"Fix: {f.fix}")


def _finding_dict(located: Located) -> dict[str, Any]:
    where, f = located
    cell = _CELL.match(where)
    return {"file": cell.group(1) if cell else where,
            "cell": int(cell.group(2)) if cell else None, "line": f.line, "column": f.col,
            "rule": f.rule, "message": f.message, "fix": f.fix, "changed": f.changed}


def _counts(results: Sequence[FileResult]) -> dict[str, int]:
    return {"files": len(results), "parsed": sum(1 for r in results if r.parsed),
            "skipped_no_keras": sum(1 for r in results if not r.parsed and not r.errors),
            "findings": sum(len(r.findings) for r in results),
            "files_with_findings": sum(1 for r in results if r.findings),
            "errors": sum(len(r.errors) for r in results)}


def check_report(results: Sequence[FileResult], skipped: Sequence[Problem], fmt: str,
                 out: TextIO, paint: Paint = _plain) -> int:
    """Print ``check``'s report in ``fmt`` (text, json, github); return the exit status."""
    findings = [x for r in results for x in r.findings]
    errors = [e for r in results for e in r.errors]
    notes = [*skipped, *(n for r in results for n in r.notes)]
    counts = _counts(results)
    if fmt == "json":
        json.dump({"findings": [_finding_dict(x) for x in findings],
                   "errors": [e.as_dict() for e in errors],
                   "notes": [n.as_dict() for n in notes], "summary": counts}, out, indent=2)
        out.write("\n")
    elif fmt == "github":
        for x in findings:
            out.write(_github("warning", x[0], x[1].line, x[1].col, f"kfitcompat {x[1].rule}",
                              f"{x[1].message}. Fix: {x[1].fix}"))
        for kind, problems in (("error", errors), ("notice", notes)):
            for p in problems:
                out.write(_github(kind, p.path if p.cell is None else f"{p.path}:cell {p.cell}",
                                  p.line, p.column, f"kfitcompat {p.kind}",
                                  p.message + (f" ({p.hint})" if p.hint else "")))
    else:
        for x in findings:
            out.write(finding_line(x, paint) + "\n")
        for e in errors:
            out.write(f"{e}\n")
        for n in notes:
            out.write(f"note: {n}\n")
        out.write(_check_summary(counts) + "\n")
    return EXIT_FAILED if errors else EXIT_FINDINGS if findings else EXIT_CLEAN


def _check_summary(c: dict[str, int]) -> str:
    text = (f"{c['findings']} legacy use(s) in {c['files_with_findings']} of {c['files']} "
            f"file(s); {c['errors']} file(s) or cell(s) not parsed")
    if c["skipped_no_keras"]:
        text += f"; {c['skipped_no_keras']} file(s) never mention Keras (not parsed)"
    return text + "."


def _github(kind: str, where: str, line: int | None, column: int | None, title: str,
            message: str) -> str:
    """A GitHub Actions workflow command: an annotation on ``where`` (a notebook's cell
    has no line of the file: the cell is named in the title)."""
    cell = _CELL.match(where)
    if cell:
        where, title = cell.group(1), f"{title} (cell {cell.group(2)}, line {line})"
        line = column = None
    props = [f"file={_escape(where, True)}"]
    if line is not None:
        props.append(f"line={line}")
        if column is not None:
            props.append(f"col={column}")
    props.append(f"title={_escape(title, True)}")
    return f"::{kind} {','.join(props)}::{_escape(message)}\n"


def _escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def migrate_summary(results: Sequence[FileResult], skipped: Sequence[Problem], write: bool,
                    target: str, err: TextIO, paint: Paint = _plain) -> tuple[int, int]:
    """Print what is left, the problems and the summary on ``err``; return ``(left for a
    person, errors)``."""
    kept = {id(x) for r in results for x in r.kept_for_install(target)}
    left = [x for r in results for x in r.left if id(x) not in kept]
    errors = [e for r in results for e in r.errors]
    for x in left:
        err.write(finding_line(x, paint) + "\n")
    for e in errors:
        err.write(f"{e}\n")
    for n in [*skipped, *(n for r in results for n in r.notes)]:
        err.write(f"note: {n}\n")
    done = sum(1 for r in results for _, f in r.findings if f.changed)
    helpers = sorted({h for r in results for h in r.helpers_written})
    changed = sum(1 for r in results if r.changed)
    text = (f"kfitcompat migrate: {'rewrote' if write else 'would rewrite'} {done} legacy "
            f"use(s) in {changed} file(s)")
    if helpers:
        text += (f", with {len(helpers)} helper function(s) written into them "
                 f"({', '.join(helpers)})")
    if left:
        text += (f"; {len(left)} left to do by hand, listed above (lines as in the migrated "
                 "file; `kfitcompat check` reports them until they are done)")
    else:
        text += "; nothing left to do by hand"
    if kept:
        text += f"; {len(kept)} kept as they are: kfitcompat.install() runs them"
    if errors:
        text += f"; {len(errors)} file(s) or cell(s) not processed, listed above"
    err.write(text + ".\n")
    return len(left), len(errors)
