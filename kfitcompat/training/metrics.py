"""Keras 2 ``model.metrics_names``: ``['loss', 'accuracy', ...]``.

Keras 3 reports ``['loss', 'compile_metrics']``, so
``zip(model.metrics_names, model.evaluate(...))`` mislabels results.
"""

from __future__ import annotations

from typing import Any

__all__ = ["metrics_names"]


def metrics_names(model: Any, fallback: list[str] | None = None) -> list[str]:
    """The names of the values ``evaluate``/``evaluate_generator`` return, in order."""
    names = getattr(model, "_kfitcompat_metrics_names", None)
    if names:
        return list(names)
    try:
        result = model.get_metrics_result()
    except Exception:
        result = None
    if result:
        return list(result)
    return list(fallback) if fallback is not None else ["loss"]
