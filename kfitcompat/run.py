"""Zero-edit entry points: ``kfitcompat run script.py [args...]`` and ``%load_ext kfitcompat``.

``kfitcompat run script.py a b`` is ``python script.py a b`` with
[`kfitcompat.install`][kfitcompat.installer.install] in effect: the script runs as
``__main__`` (``if __name__ == "__main__":`` holds), with
``sys.argv == ["script.py", "a", "b"]`` and its folder first on ``sys.path``; its exit
status is the command's, and an uncaught exception prints the script's own traceback (no
frames of kfitcompat or runpy) and exits 1, as Python does. ``kfitcompat run -m
package.module`` runs a module as ``python -m`` does. In IPython / Jupyter,
``%load_ext kfitcompat`` installs the surface for the session and ``%unload_ext kfitcompat``
removes it.
"""

from __future__ import annotations

import builtins
import io
import os
import runpy
import sys
import traceback
import types
from types import TracebackType
from typing import Any

__all__ = ["load_ipython_extension", "run_script", "unload_ipython_extension"]


def _script_frames(tb: TracebackType | None, path: str | None) -> TracebackType | None:
    """The traceback from the script's first frame on (what ``python script.py`` shows)."""
    here = tb
    while here is not None:
        filename = here.tb_frame.f_code.co_filename
        if path is not None and os.path.abspath(filename) == path:
            return here
        if path is None and not filename.startswith((os.path.dirname(runpy.__file__),
                                                     os.path.dirname(__file__))):
            return here
        here = here.tb_next
    return tb


def run_script(target: str, args: list[str], *, module: bool = False) -> int:
    """Run ``target`` (a file, or with ``module`` a module name) under ``install()``;
    returns its exit status."""
    from .installer import install, is_installed, uninstall

    path = None if module else os.path.abspath(target)
    if path is not None and not os.path.exists(path):
        print(f"kfitcompat run: can't open file {target!r}: [Errno 2] No such file or "
              "directory", file=sys.stderr)
        return 2
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [target, *args]
    sys.path.insert(0, os.getcwd() if path is None else os.path.dirname(path))
    installed_here = not is_installed()
    if installed_here:
        install()
    try:
        if path is None:
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        elif os.path.isdir(path) or not path.endswith(".py"):
            runpy.run_path(path, run_name="__main__")  # a folder or zip with __main__.py
        else:
            _run_file(path)
    except SystemExit as exc:
        return _exit_status(exc.code)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - printed as Python would, then exit 1
        tb = _script_frames(exc.__traceback__, path)
        traceback.print_exception(type(exc), exc, tb, file=sys.stderr)
        return 1
    finally:
        sys.argv[:], sys.path[:] = saved_argv, saved_path
        if installed_here:
            uninstall()
    return 0


def _run_file(path: str) -> None:
    """Execute ``path`` as ``python path`` does: a fresh ``__main__`` module (absolute
    ``__file__``; ``sys.argv`` untouched), the previous one restored afterwards."""
    with io.open_code(path) as f:
        code = compile(f.read(), path, "exec")
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__builtins__ = builtins  # type: ignore[attr-defined]
    previous = sys.modules.get("__main__")
    sys.modules["__main__"] = main
    try:
        exec(code, main.__dict__)
    finally:
        if previous is not None:
            sys.modules["__main__"] = previous


def _exit_status(code: Any) -> int:
    """``sys.exit(code)`` as the interpreter maps it: None -> 0, an int as is, anything
    else printed to standard error -> 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext kfitcompat``: [`kfitcompat.install`][kfitcompat.installer.install] for
    this session."""
    from .installer import install

    install()


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext kfitcompat``: undo [`kfitcompat.install`][kfitcompat.installer.install]."""
    from .installer import uninstall

    uninstall()
