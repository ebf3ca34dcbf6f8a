"""``[tool.kfitcompat]`` in ``pyproject.toml``: a project's settings for check and migrate.

The nearest ``pyproject.toml`` with a ``[tool.kfitcompat]`` table, in the folder of the
paths given or above it (as ruff looks for ``[tool.ruff]``), gives the defaults; a flag on
the command line wins over the file. Keys::

    [tool.kfitcompat]
    select = ["fit_generator", "nb_epoch"]   # only these rule ids
    ignore = ["unguarded-processes"]         # all rules but these
    exclude = ["experiments/", "*_old.py"]   # gitignore-style, relative to this file's folder
    target = "keras3"                        # migrate's --target: keras3 or kfitcompat
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Config", "ConfigError", "KEYS", "find_config"]

#: key -> what it takes (a usage error names them)
KEYS = {"select": "a list of rule ids", "ignore": "a list of rule ids",
        "exclude": "a list of gitignore-style patterns", "target": '"keras3" or "kfitcompat"'}
_TARGETS = ("keras3", "kfitcompat")


class ConfigError(ValueError):
    """A ``[tool.kfitcompat]`` table kfitcompat cannot use: the file, the key, the value."""


@dataclass(frozen=True)
class Config:
    """The settings of one ``pyproject.toml`` (``path`` None: none found)."""

    path: str | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = field(default_factory=tuple)
    target: str | None = None

    @property
    def folder(self) -> str:
        """The folder ``exclude`` patterns are relative to."""
        return os.path.dirname(self.path) if self.path else os.getcwd()


def find_config(paths: Sequence[str]) -> Config:
    """The settings of the nearest ``pyproject.toml`` with ``[tool.kfitcompat]`` at or above
    the folder holding ``paths`` (the current folder for none, or standard input).

    Raises:
        ConfigError: a file that is not TOML, an unknown key, a value of the wrong kind.
    """
    start = _common_folder(paths)
    here = start
    while True:
        candidate = os.path.join(here, "pyproject.toml")
        if os.path.isfile(candidate):
            table = _table(candidate)
            if table is not None:
                return _config(candidate, table)
        parent = os.path.dirname(here)
        if parent == here:
            return Config()
        here = parent


def _common_folder(paths: Sequence[str]) -> str:
    folders = [os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".")
               for p in paths if p != "-"]
    if not folders:
        return os.getcwd()
    try:
        return os.path.commonpath(folders)
    except ValueError:  # different drives (Windows)
        return folders[0]


def _table(path: str) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"kfitcompat: cannot read {path}: {exc}") from None
    table = data.get("tool", {}).get("kfitcompat")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"kfitcompat: {path}: [tool.kfitcompat] must be a table")
    return table


def _config(path: str, table: dict[str, Any]) -> Config:
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(f"kfitcompat: {path}: unknown key(s) {', '.join(unknown)} in "
                          f"[tool.kfitcompat]; the keys are: "
                          + "; ".join(f"{k} ({v})" for k, v in KEYS.items()))
    values: dict[str, Any] = {}
    for key in ("select", "ignore", "exclude"):
        if key in table:
            values[key] = _strings(path, key, table[key])
    if "target" in table:
        if table["target"] not in _TARGETS:
            raise ConfigError(f"kfitcompat: {path}: invalid value for `target` in "
                              f"[tool.kfitcompat]: {table['target']!r}; expected "
                              f"{KEYS['target']}")
        values["target"] = table["target"]
    return Config(path, **values)


def _strings(path: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v for v in value.split(",")]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"kfitcompat: {path}: invalid value for `{key}` in "
                          f"[tool.kfitcompat]: {value!r}; expected {KEYS[key]}")
    return tuple(v.strip() for v in value if v.strip())
