"""Metric plots: ``plot_history(history, path)`` and the ``view_metrics`` callback.

``view_metrics`` is R keras' argument of ``fit`` (``view_metrics = "auto"``): kfitcompat
accepts it on ``fit``/``fit_generator``. matplotlib is an optional extra
(``pip install "kfitcompat[plot]"``).
"""

from __future__ import annotations

from . import _tensorflow  # noqa: F401  (before Keras: one line saying what to install)

# isort: split

import os
from typing import Any

import keras

__all__ = ["plot_history", "MetricsPlot", "DEFAULT_PLOT_PATH", "view_metrics_callback"]

DEFAULT_PLOT_PATH = "kfitcompat-metrics.png"


def _pyplot() -> Any:
    try:
        import matplotlib

        if not _in_notebook():
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "Plotting metrics needs matplotlib: pip install \"kfitcompat[plot]\" (or pip install "
            "matplotlib)."
        ) from exc
    return plt


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython  # type: ignore[import-not-found]
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _series(history: Any) -> dict[str, list[float]]:
    logs = getattr(history, "history", history)
    return {k: list(v) for k, v in dict(logs).items()}


def _draw(series: dict[str, list[float]], target: Any) -> None:
    """Draw every metric beside its ``val_`` twin into ``target`` (a path or a binary file)."""
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    names = [k for k in series if not k.startswith("val_")]
    names += [k[4:] for k in series if k.startswith("val_") and k[4:] not in series]
    fig, axes = plt.subplots(len(names), 1, figsize=(6, 2.6 * max(len(names), 1)),
                             squeeze=False)
    for ax, name in zip(axes[:, 0], names):
        for key, label in ((name, "training"), (f"val_{name}", "validation")):
            if key in series:
                ax.plot(range(1, len(series[key]) + 1), series[key], marker="o", label=label)
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend(loc="best")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    axes[-1, 0].set_xlabel("epoch")
    fig.tight_layout()
    fig.savefig(target, dpi=90, format="png")
    plt.close(fig)


def plot_history(history: Any, path: str = DEFAULT_PLOT_PATH) -> str:
    """Plot every metric of a ``History`` (or its ``.history`` dict) beside its ``val_`` twin.

    Returns:
        The path of the PNG written.
    """
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    _draw(_series(history), path)
    return path


class MetricsPlot(keras.callbacks.Callback):
    """Redraws the metric plot after every epoch (R keras ``view_metrics``).

    Args:
        path: the PNG to write, or ``None`` to write none (the plot is then only shown inline).
        inline: also show it inline, replacing the previous epoch's, under Jupyter.
    """

    def __init__(self, path: str | None = DEFAULT_PLOT_PATH, inline: bool = False) -> None:
        super().__init__()
        self.path = path
        self.inline = inline
        self.logs: dict[str, list[float]] = {}
        self._display: Any = None
        _pyplot()  # fail before training if matplotlib is missing

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.logs = {}
        self._display = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        for key, value in (logs or {}).items():
            self.logs.setdefault(key, []).append(float(value))
        if self.path is not None:
            plot_history(self.logs, self.path)
        if self.inline and _in_notebook():
            import io

            from IPython.display import Image, display  # type: ignore[import-not-found]

            png = io.BytesIO()
            _draw(self.logs, png)
            image = Image(data=png.getvalue(), format="png")
            if self._display is None:  # one output, updated in place (not the cell cleared)
                self._display = display(image, display_id=True)
            else:
                self._display.update(image)


def view_metrics_callback(view_metrics: Any) -> MetricsPlot | None:
    """The callback for a ``view_metrics`` value.

    ``False``/``None``: no plot. ``True`` or ``"auto"``: under Jupyter the plot is shown
    inline below the cell and no file is written; elsewhere it is written to
    ``kfitcompat-metrics.png`` in the working folder. A path: the PNG is written there (and
    also shown inline under Jupyter).

    Raises:
        ValueError: for any other value.
    """
    if view_metrics is None or view_metrics is False:
        return None
    if view_metrics is True or view_metrics == "auto":
        if _in_notebook():
            return MetricsPlot(None, inline=True)
        return MetricsPlot(DEFAULT_PLOT_PATH)
    if isinstance(view_metrics, (str, os.PathLike)):
        return MetricsPlot(os.fspath(view_metrics), inline=True)
    raise ValueError(
        "Invalid value for argument `view_metrics`. Expected False, True, \"auto\" or the path "
        f"of a PNG file. Received: view_metrics={view_metrics!r}"
    )
