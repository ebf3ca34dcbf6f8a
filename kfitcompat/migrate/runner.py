"""Processing many files: worker processes, one file's failure isolated from the others.

``-j N`` worker processes (default: the number of cores the process may use) share the
files; the results come back in the order the files were found, so the report is the same
for every ``N``. Each file runs in a thread with a large stack and a raised recursion limit:
LibCST follows a 400-term string concatenation or 190 nested brackets (valid Python) by
recursion, and Python's default limit of 1000 frames is not enough. Whatever a file raises
becomes an ``internal`` problem of that file; the run goes on. A small run (fewer files
than it takes to pay for starting processes) stays in this process.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from .files import FileResult, Options, process_path
from .problems import Problem

__all__ = ["default_jobs", "run_files"]

_STACK = 512 * 1024 * 1024  # bytes of address space for a file's thread (pages used: few)
_RECURSION = 30_000  # frames; what _STACK holds with a wide margin
_PER_PROCESS = 8  # files below which a worker process costs more than it saves
T = TypeVar("T")


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def run_files(paths: Sequence[str], options: Options | Sequence[Options],
              jobs: int | None = None) -> list[FileResult]:
    """``kfitcompat.migrate.files.process_path`` of each path, in the order given
    (``options``: for every path, or one per path)."""
    each = [options] * len(paths) if isinstance(options, Options) else list(options)
    jobs = max(1, jobs or default_jobs())
    jobs = min(jobs, len(paths) // _PER_PROCESS)
    if jobs <= 1:
        return [process_isolated(path, o) for path, o in zip(paths, each)]
    import multiprocessing

    # fork is cheap (LibCST is already imported) and safe while this process runs no other
    # thread; a process with threads (TensorFlow's, a caller's) gets a fresh interpreter
    method = "fork" if threading.active_count() == 1 and sys.platform == "linux" else "spawn"
    context = multiprocessing.get_context(method)
    chunk = max(1, min(32, len(paths) // (jobs * 8)))
    try:
        with ProcessPoolExecutor(jobs, mp_context=context) as pool:
            return list(pool.map(process_isolated, paths, each, chunksize=chunk))
    except BrokenProcessPool:  # a worker died (killed, out of memory): finish here
        return [process_isolated(path, o) for path, o in zip(paths, each)]


def process_isolated(path: str, options: Options) -> FileResult:
    """``process_path`` of one file, in a thread deep enough for LibCST's recursion;
    an exception becomes a problem of that file."""
    try:
        return deep_call(process_path, path, options)
    except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the run
        return FileResult(path, parsed=False, errors=[Problem(
            path, "internal", f"kfitcompat failed on this file: {type(exc).__name__}: {exc}",
            hint="please report it with the file")])


def deep_call(function: Callable[..., T], *args: object) -> T:
    """``function(*args)`` in a thread with a ``_STACK`` stack and the recursion limit
    raised to ``_RECURSION`` meanwhile (restored after); its exception re-raised here."""
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(function(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            errors.append(exc)

    old_stack = threading.stack_size()
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, _RECURSION))
    try:
        threading.stack_size(_STACK)
        thread = threading.Thread(target=run, name="kfitcompat-file", daemon=True)
        thread.start()
    except (RuntimeError, ValueError, MemoryError):  # no room for such a stack: as it is
        sys.setrecursionlimit(old_limit)
        return function(*args)
    finally:
        threading.stack_size(old_stack)
    try:
        thread.join()
    finally:
        sys.setrecursionlimit(old_limit)
    if errors:
        raise errors[0]
    return results[0]
