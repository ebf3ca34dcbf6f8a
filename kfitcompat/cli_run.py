"""``kfitcompat check`` / ``kfitcompat migrate`` once the arguments are parsed: settings,
files, the run, the report, the writes.

Every file's trouble (unreadable, undecodable, Python 2, too deep, not written) is one
reported line for that file and exit status 123 at the end; the other files are still
checked and written. Written files keep their encoding, byte-order mark and line endings.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence
from typing import Any

from .migrate.cache import run_cached
from .migrate.config import Config, ConfigError, find_config
from .migrate.files import FileResult, Options, process_bytes
from .migrate.problems import Problem
from .migrate.report import EXIT_CLEAN, EXIT_FAILED, EXIT_FINDINGS, check_report, migrate_summary
from .migrate.runner import deep_call, run_files
from .migrate.walk import find_sources

__all__ = ["run_command"]


def run_command(args: argparse.Namespace, paint: Any) -> int:
    """Run ``check`` or ``migrate`` as ``args`` say; the exit status."""
    try:
        config = find_config(args.paths)
        rules = _rule_selection(args, config)
    except (ConfigError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    flags = [p.strip() for value in args.exclude for p in value.split(",") if p.strip()]
    excludes = [(os.getcwd(), flags)] if flags else [(config.folder, config.exclude)]
    try:
        files, skipped = find_sources([p for p in args.paths if p != "-"], excludes,
                                      args.gitignore)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 2
    rewrite = args.command == "migrate"
    target = getattr(args, "target", None) or config.target or "keras3"
    # a file named on the command line is always parsed; in folders, the prefilter skips
    # a file that never mentions Keras (unless --no-prefilter)
    options = Options(target, rewrite, bool(getattr(args, "augment_layers", False)), rules)
    walked = dataclasses.replace(options, prefilter=args.prefilter)
    named = {os.path.realpath(p) for p in args.paths if os.path.isfile(p)}
    each = [options if os.path.realpath(f) in named else walked for f in files]
    results = (run_cached(files, each, args.jobs) if args.cache
               else run_files(files, each, args.jobs))
    stdin = "-" in args.paths
    if stdin:
        results.append(_stdin(args.stdin_filename, options))
    if args.command == "check":
        return check_report(results, skipped, args.format, sys.stdout, paint)
    return _migrate(results, skipped, args.write, args.check, target,
                    results[-1] if stdin else None, paint)


def _stdin(name: str, options: Options) -> FileResult:
    buffer = getattr(sys.stdin, "buffer", None)
    data = buffer.read() if buffer is not None else sys.stdin.read().encode("utf-8")
    try:
        return deep_call(process_bytes, data, name, options)
    except Exception as exc:  # noqa: BLE001 - reported as the file's problem
        text = data.decode("utf-8", "replace")
        return FileResult(name, old=text, new=text, errors=[Problem(
            name, "internal", f"kfitcompat failed on this file: {type(exc).__name__}: {exc}",
            hint="please report it with the file")])


def _rule_ids(value: Any) -> set[str] | None:
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else value
    return {r.strip() for r in items if r.strip()}


def _rule_selection(args: argparse.Namespace, config: Config) -> Any:
    """The ``--select`` / ``--ignore`` rule ids (else the pyproject's), checked against the
    registry.

    Raises:
        ValueError: an id no rule has, named with where it was given and the known ones.
    """
    from .migrate.base import REGISTRY, WHOLE_MODULE_RULES, RuleSelection
    from .migrate.notes import NOTE_RULE

    known = set(REGISTRY.rules) | set(WHOLE_MODULE_RULES) | {NOTE_RULE}
    chosen = {}
    for option in ("select", "ignore"):
        flag = getattr(args, option)
        ids = _rule_ids(flag if flag is not None else getattr(config, option))
        unknown = sorted((ids or set()) - known)
        if unknown:
            where = f"--{option}" if flag is not None else f"`{option}` of {config.path}"
            raise ValueError(f"kfitcompat: unknown rule id(s) {', '.join(unknown)} in "
                             f"{where}; the rule ids are: {', '.join(sorted(known))}")
        chosen[option] = ids
    return RuleSelection(None if chosen["select"] is None else frozenset(chosen["select"]),
                         frozenset(chosen["ignore"] or ()))


def _migrate(results: list[FileResult], skipped: Sequence[Problem], write: bool, check: bool,
             target: str, stdin: FileResult | None, paint: Any) -> int:
    """Write or diff the results; standard input's goes to standard output: the new source
    with ``--write`` (as black does; the input as it was if it could not be migrated), else
    its diff."""
    for r in results:
        if r is stdin and write:
            _stdout_bytes(_encoded(r) or r.old.encode("utf-8"))
        elif r.changed and write:
            _write(r)
        elif r.changed:
            sys.stdout.write(_paint_diff(r.diff(), paint))
    sys.stdout.flush()
    left, errors = migrate_summary(results, skipped, write, target, sys.stderr, paint)
    if errors:
        return EXIT_FAILED
    would_change = any(r.changed for r in results)
    return EXIT_FINDINGS if check and (would_change or left) else EXIT_CLEAN


def _encoded(result: FileResult) -> bytes | None:
    try:
        return result.new.encode(result.encoding)
    except UnicodeEncodeError as exc:
        result.errors.append(Problem(result.path, "write", "not written: the rewrite has "
                                     f"{exc.object[exc.start:exc.end]!r}, which "
                                     f"{result.encoding} cannot encode",
                                     hint="save the file as UTF-8"))
        return None


def _write(result: FileResult) -> None:
    """``result.new`` into its file, in the file's encoding; a failure is the file's error
    and the file is left as it was."""
    data = _encoded(result)
    if data is not None:
        try:
            with open(result.path, "wb") as f:
                f.write(data)
            return
        except OSError as exc:
            result.errors.append(Problem(result.path, "write", f"not written: "
                                         f"{exc.strerror or exc}",
                                         hint="the file is unchanged; make it writable "
                                              "(chmod u+w, or chattr -i) and run again"))
    result.new = result.old
    result.findings = [(w, dataclasses.replace(f, changed=False)) for w, f in result.findings]
    result.left = []


def _stdout_bytes(data: bytes) -> None:
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:
        sys.stdout.write(data.decode("utf-8", "replace"))


def _paint_diff(diff: str, paint: Any) -> str:
    lines = diff.splitlines(keepends=True)
    out = []
    for line in lines:
        body, end = (line[:-1], "\n") if line.endswith("\n") else (line, "")
        kind = line[:1] if not line.startswith(("+++", "---")) else ""
        out.append(paint(kind, body) + end)
    return "".join(out)
