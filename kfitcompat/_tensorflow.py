"""TensorFlow is the user's choice of build: importing this module checks one is there.

kfitcompat does not require a TensorFlow distribution (``tensorflow``, ``tensorflow-cpu``,
``tensorflow[and-cuda]``, ``tensorflow-macos`` and the nightlies all provide the same
``tensorflow`` package, and pip cannot tell that one satisfies a requirement on another);
``pip install "kfitcompat[tensorflow]"`` adds the default build for those who have none.

Every module that imports Keras imports this one first (``from . import _tensorflow``), and so
do ``kfitcompat.<name>`` and the ``run`` / ``demo`` commands: without TensorFlow they end in
one line saying what to install. The check looks for the package without importing it, and
comes before Keras, whose import would otherwise fail about 40 frames deep in its backend.
"""

from __future__ import annotations

import importlib.util

__all__ = ["MISSING", "require_tensorflow"]

MISSING = ("kfitcompat needs TensorFlow (tested with 2.21), and none is installed: "
           "pip install \"kfitcompat[tensorflow]\" (or \"kfitcompat[cpu]\" for tensorflow-cpu, "
           "or the TensorFlow build you want, e.g. \"tensorflow[and-cuda]\")")


def require_tensorflow() -> None:
    """Raise ``ImportError`` (one line: what to install) if no ``tensorflow`` package exists.

    Raises:
        ImportError: with ``MISSING`` as its message and ``name="tensorflow"``.
    """
    try:
        found = importlib.util.find_spec("tensorflow") is not None
    except ValueError:  # a module object without __spec__ stands in for it: it is there
        found = True
    if not found:
        raise ImportError(MISSING, name="tensorflow")


require_tensorflow()
