"""TensorFlow is the user's choice of build: import it, or say how to get one.

kfitcompat does not require a TensorFlow distribution (``tensorflow``, ``tensorflow-cpu``,
``tensorflow[and-cuda]``, ``tensorflow-macos`` and the nightlies all provide the same
``tensorflow`` package, and pip cannot tell that one satisfies a requirement on another);
``pip install "kfitcompat[tensorflow]"`` adds the default build for those who have none.
"""

from __future__ import annotations

__all__ = ["MISSING"]

MISSING = ("kfitcompat needs TensorFlow 2.16 or newer (with Keras 3), and none is installed. "
           "Install the build you want (`pip install tensorflow`, `tensorflow-cpu`, "
           "`tensorflow[and-cuda]`), or `pip install \"kfitcompat[tensorflow]\"`.")

try:
    import tensorflow  # noqa: F401
except ModuleNotFoundError as exc:
    if exc.name != "tensorflow":
        raise
    raise ImportError(MISSING) from None
