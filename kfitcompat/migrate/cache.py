"""What a file's check found, remembered for the next run (as ruff's and black's caches).

A result is reused only for the same bytes (a BLAKE2 digest of the file), the same path,
the same options (check or migrate, target, rules, prefilter) and the same kfitcompat, LibCST
and Python: the fingerprint of the run takes in the version and the size and modification
time of every module of the installed kfitcompat, so an edited or upgraded kfitcompat never
reads an old result. Only results that change nothing are kept (a file migrate rewrites is
migrated again), and no result of a file that could not be read.

The cache is one JSON file per fingerprint in ``$KFITCOMPAT_CACHE_DIR``, else
``$XDG_CACHE_HOME/kfitcompat``, else ``~/.cache/kfitcompat``; ``--no-cache`` neither reads
nor writes it. A cache that cannot be read or written is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .base import Finding
from .files import FileResult, Located, Options
from .problems import Problem
from .runner import run_files

__all__ = ["ResultCache", "cache_folder", "digest", "run_cached"]

_PACKAGE = Path(__file__).resolve().parents[1]


def cache_folder() -> Path:
    """Where the cache lives (the environment decides, see the module docstring)."""
    if os.environ.get("KFITCOMPAT_CACHE_DIR"):
        return Path(os.environ["KFITCOMPAT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kfitcompat"


def digest(data: bytes) -> str:
    """The key of a file's bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _fingerprint(options: Options) -> str:
    """The run's identity: kfitcompat's modules as installed, LibCST, Python, options."""
    from importlib import metadata

    from .._version import __version__

    try:
        libcst = metadata.version("libcst")
    except metadata.PackageNotFoundError:
        libcst = "?"
    modules = sorted((str(p.relative_to(_PACKAGE)), p.stat().st_size, p.stat().st_mtime_ns)
                     for p in _PACKAGE.rglob("*.py"))
    rules = options.rules
    selected = None if rules is None or rules.select is None else sorted(rules.select)
    ignored = [] if rules is None else sorted(rules.ignore)
    key = json.dumps([__version__, libcst, sys.version, modules, options.target,
                      options.rewrite, options.augment_layers, options.prefilter, selected,
                      ignored])
    return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


class ResultCache:
    """The results of one fingerprint: ``path -> (digest, result)``."""

    def __init__(self, options: Options, folder: Path | None = None) -> None:
        self.path = (folder or cache_folder()) / f"results-{_fingerprint(options)}.json"
        self.entries: dict[str, list[Any]] = {}
        self.dirty = False
        try:
            with open(self.path, encoding="utf-8") as f:
                entries = json.load(f)
            if isinstance(entries, dict):
                self.entries = entries
        except (OSError, ValueError):
            pass  # no cache yet, or one that cannot be read: start afresh

    def get(self, path: str, data_digest: str) -> FileResult | None:
        entry = self.entries.get(os.path.abspath(path))
        if not entry or entry[0] != data_digest:
            return None
        try:
            return _result(path, entry[1])
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, path: str, data_digest: str, result: FileResult) -> None:
        if result.changed or any(e.kind in ("read", "internal", "write")
                                 for e in result.errors):
            return
        self.entries[os.path.abspath(path)] = [data_digest, _entry(result)]
        self.dirty = True

    def save(self) -> None:
        """Write the cache atomically (a temporary file renamed over it)."""
        if not self.dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".results-")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self.entries, f)
            os.replace(temporary, self.path)
        except OSError:
            pass  # a read-only home: the next run checks again


def run_cached(paths: Sequence[str], options: Sequence[Options], jobs: int | None = None,
               folder: Path | None = None) -> list[FileResult]:
    """``kfitcompat.migrate.runner.run_files``, reusing the cached result of a file
    whose bytes and options are those of an earlier run; the new results are cached."""
    caches = {o: ResultCache(o, folder) for o in set(options)}
    results: list[FileResult | None] = [None] * len(paths)
    digests: dict[int, str] = {}
    for i, (path, o) in enumerate(zip(paths, options)):
        try:
            with open(path, "rb") as f:
                digests[i] = digest(f.read())
        except OSError:
            continue  # reported by the run itself
        results[i] = caches[o].get(path, digests[i])
    todo = [i for i, r in enumerate(results) if r is None]
    for i, result in zip(todo, run_files([paths[i] for i in todo], [options[i] for i in todo],
                                         jobs)):
        results[i] = result
        if i in digests:
            caches[options[i]].put(paths[i], digests[i], result)
    for cache in caches.values():
        cache.save()
    return [r for r in results if r is not None]


def _located(items: list[Located]) -> list[list[Any]]:
    return [[where, asdict(f)] for where, f in items]


def _entry(result: FileResult) -> dict[str, Any]:
    return {"findings": _located(result.findings), "left": _located(result.left),
            "errors": [asdict(e) for e in result.errors],
            "notes": [asdict(n) for n in result.notes], "parsed": result.parsed,
            "encoding": result.encoding}


def _result(path: str, entry: dict[str, Any]) -> FileResult:
    def located(items: list[list[Any]]) -> list[Located]:
        return [(where.replace(where.split(":cell ")[0], path, 1), Finding(**f))
                for where, f in items]

    return FileResult(path, findings=located(entry["findings"]), left=located(entry["left"]),
                      errors=[Problem(**{**e, "path": path}) for e in entry["errors"]],
                      notes=[Problem(**{**n, "path": path}) for n in entry["notes"]],
                      parsed=entry["parsed"], encoding=entry["encoding"])
