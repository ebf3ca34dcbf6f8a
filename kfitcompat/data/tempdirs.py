"""Temporary folders of worker-process loading that do not outlive their process.

``use_multiprocessing=True`` on a Sequence pickles it into a ``kfitcompat-seq-<pid>-*``
folder of the temporary directory (``TMPDIR``). Removing it must not depend on a clean
shutdown (a second Ctrl-C inside the first one's cleanup, a worker start that fails, a
killed process), so three things remove it:

* the loader, when the call ends (on every exit path, in a ``finally``);
* an ``atexit`` hook, for the folders of this process still there when it exits;
* the next start of a loader, in any process of the same user, for the folders whose
  process (the ``<pid>`` in the name) is gone, and for this process's folders whose loader
  is closed or gone (a cleanup that was interrupted in a notebook kernel that lives on).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import tempfile
import threading
import weakref
from collections.abc import Iterable
from typing import Any

__all__ = ["PREFIX", "make_dir", "remove_dir", "sweep"]

PREFIX = "kfitcompat-seq-"
_NAME = re.compile(rf"^{re.escape(PREFIX)}(\d+)-")
_LIVE: dict[str, weakref.ref[Any]] = {}  # this process's folders -> their (open) owner
_LOCK = threading.Lock()


def make_dir(owner: Any) -> str:
    """A new folder for ``owner`` (any object that may be weakly referenced, with a
    ``closed`` attribute); older orphaned folders are removed first."""
    sweep()
    path = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
    with _LOCK:
        _LIVE[path] = weakref.ref(owner)
    return path


def remove_dir(path: str, files: Iterable[str] = ()) -> bool:
    """Remove ``path``; ``files``: the paths of the files it holds, if known (removed by name
    first: that takes no file descriptor, so it works when the process ran out of them, as
    after a worker start that failed on ``ulimit -n``). Nothing is raised; a folder that could
    not be removed is tried again at exit."""
    for name in files:
        with contextlib.suppress(OSError):
            os.remove(name)
    with contextlib.suppress(OSError):
        os.rmdir(path)
    if os.path.lexists(path):
        shutil.rmtree(path, ignore_errors=True)
    if os.path.lexists(path):
        return False
    with _LOCK:
        _LIVE.pop(path, None)
    return True


def _pid_alive(pid: int) -> bool:
    if os.name != "posix":  # os.kill(pid, 0) would end the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _orphaned(path: str, pid: int) -> bool:
    if pid != os.getpid():
        return not _pid_alive(pid)
    with _LOCK:
        ref = _LIVE.get(path)
    owner = ref() if ref is not None else None
    return owner is None or bool(getattr(owner, "closed", False))


def sweep(directory: str | None = None) -> list[str]:
    """Remove the ``kfitcompat-seq-<pid>-*`` folders of ``directory`` (the temporary
    directory) that belong to this user and to no live loader; returns their paths."""
    directory = directory or tempfile.gettempdir()
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    removed = []
    for name in names:
        match = _NAME.match(name)
        if match is None:
            continue
        path = os.path.join(directory, name)
        try:
            if os.lstat(path).st_uid != getattr(os, "getuid", lambda: 0)():
                continue
        except OSError:
            continue
        if _orphaned(path, int(match.group(1))) and remove_dir(path):
            removed.append(path)
    return removed


def _remove_all() -> None:
    with _LOCK:
        paths = list(_LIVE)
    for path in paths:
        remove_dir(path)


atexit.register(_remove_all)
