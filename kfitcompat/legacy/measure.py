"""Measuring the installed Keras 3 for the API table: each row's status before and after
``kfitcompat.install`` (``kfitcompat.legacy.keras3`` answers one row at a time)."""

from __future__ import annotations

from .api import ApiRow

__all__ = ["live_statuses", "measure"]


def live_statuses(rows: tuple[ApiRow, ...]) -> dict[str, tuple[str, str]]:
    """Row id -> (Keras 3 fact, status) in this process's Keras as it is now."""
    from . import keras3

    keras3.clear_caches()
    out = {}
    for row in rows:
        out[row.id] = (keras3.keras3_fact(row.kind, row.path, row.member),
                       keras3.status_of(row.kind, row.path, row.member, row.newest,
                                        row.alias_of))
    keras3.clear_caches()
    return out


def measure(rows: tuple[ApiRow, ...]) -> tuple[dict[str, tuple[str, str]],
                                                 dict[str, tuple[str, str]]]:
    """Statuses before and after ``kfitcompat.install`` (which must not be in effect)."""
    from ..installer import install, is_installed

    if is_installed():
        raise RuntimeError("measure the API table with kfitcompat not installed")
    before = live_statuses(rows)
    with install():
        after = live_statuses(rows)
    return before, after
