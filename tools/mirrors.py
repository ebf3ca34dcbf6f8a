"""Local read-only mirrors of public repositories, and files extracted from them at a pinned commit.

The developer tools in ``tools/`` run other people's code (upstream test suites, public scripts)
against kfitcompat. They never keep that code in this project: each run extracts the files it
needs from a local bare git mirror, ``DIR/OWNER+NAME/repo`` below the folder given by
``--mirrors DIR`` or ``$KFITCOMPAT_MIRRORS``, into a temporary folder. A mirror is a bare clone::

    git clone --mirror https://github.com/keras-team/keras DIR/keras-team+keras/repo
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from pathlib import Path

__all__ = ["ENVIRONMENT", "MirrorError", "default_root", "find_mirror", "extract", "rev_parse"]


class MirrorError(RuntimeError):
    """A mirror, a commit or a path inside it is missing."""


ENVIRONMENT = "KFITCOMPAT_MIRRORS"


def default_root() -> Path:
    """The mirror folder named by ``$KFITCOMPAT_MIRRORS``.

    Raises:
        MirrorError: the variable is unset or empty (the message says what to set).
    """
    value = os.environ.get(ENVIRONMENT, "")
    if not value:
        raise MirrorError(
            f"no mirror folder given: pass --mirrors DIR or set {ENVIRONMENT}=DIR, a folder "
            "holding bare git mirrors as DIR/OWNER+NAME/repo (git clone --mirror "
            "https://github.com/OWNER/NAME DIR/OWNER+NAME/repo)")
    return Path(value)


def find_mirror(repo: str, root: Path | None = None) -> Path:
    """The git directory of ``owner/name`` under ``root`` (default: ``default_root()``)."""
    root = root or default_root()
    base = root / repo.replace("/", "+")
    for candidate in (base / "repo", base / "repo" / ".git", base, base / ".git"):
        if (candidate / "HEAD").is_file():
            return candidate
    raise MirrorError(f"no local mirror of {repo} under {root} (git clone --mirror "
                      f"https://github.com/{repo} {base / 'repo'})")


def rev_parse(git_dir: Path, rev: str) -> str:
    """The commit sha ``rev`` (a tag, branch or sha) names in ``git_dir``."""
    try:
        out = subprocess.run(["git", f"--git-dir={git_dir}", "rev-parse", "--verify", "--quiet",
                              f"{rev}^{{commit}}"], check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        raise MirrorError(f"{git_dir}: no commit named {rev!r}") from exc
    return out.stdout.strip()


def extract(git_dir: Path, commit: str, paths: list[str], dest: Path) -> list[Path]:
    """Write ``paths`` (files or folders) as they are at ``commit`` below ``dest``."""
    try:
        data = subprocess.run(["git", f"--git-dir={git_dir}", "archive", "--format=tar",
                               commit, "--", *paths], check=True, capture_output=True).stdout
    except subprocess.CalledProcessError as exc:
        raise MirrorError(f"{git_dir}: cannot extract {paths} at {commit}: "
                          f"{exc.stderr.decode(errors='replace').strip()}") from exc
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
        names = [m.name for m in tar.getmembers() if m.isfile()]
    return [dest / n for n in names]
