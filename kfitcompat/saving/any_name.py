"""Keras 2's ``model.save('my_model')``: an HDF5 file under any name.

Keras 2.0-2.3 wrote HDF5 whatever the file was called (``model.save('model.hdf')``,
``model.save('weights/best')``); Keras 3 writes ``.keras`` and ``.h5`` / ``.hdf5`` names only
and refuses every other name (``ValueError: Invalid filepath extension``). After
``kfitcompat.install``, ``model.save`` of another name writes the same HDF5 file Keras 3
writes for ``.h5`` (it is written under a ``.h5`` name beside the target, then renamed), and
``load_model`` reads an HDF5 file whatever its name. tf.keras 2 wrote a SavedModel folder
for such a name; Keras 3 has no format that ``load_model`` reads back from a folder, so the
Keras 2 rule is the one kept (save, then ``load_model``, round-trips). Modern: name the file
``my_model.keras``.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from .._warnings import warn_at_caller

__all__ = ["HDF5_SIGNATURE", "KERAS3_SUFFIXES", "h5_alias", "is_hdf5_file", "model_save",
           "other_name"]

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
#: Names Keras 3's ``save`` / ``load_model`` take as they are.
KERAS3_SUFFIXES = (".keras", ".h5", ".hdf5")


def other_name(filepath: Any) -> str | None:
    """``filepath`` as a string when it is a file name Keras 3 refuses, else None."""
    if not isinstance(filepath, (str, os.PathLike)):
        return None
    path = os.fspath(filepath)
    return None if str(path).endswith(KERAS3_SUFFIXES) else str(path)


def is_hdf5_file(path: str) -> bool:
    """Whether ``path`` is a file that starts with the HDF5 signature."""
    try:
        with open(path, "rb") as f:
            return f.read(len(HDF5_SIGNATURE)) == HDF5_SIGNATURE
    except OSError:
        return False


@contextlib.contextmanager
def h5_alias(path: str) -> Iterator[str]:
    """A ``.h5`` name (a symbolic link in a temporary folder, removed afterwards) for the
    HDF5 file ``path``, for Keras 3 functions that go by the name."""
    with tempfile.TemporaryDirectory(prefix="kfitcompat-h5-") as folder:
        alias = os.path.join(folder, "model.h5")
        os.symlink(os.path.abspath(path), alias)
        yield alias


def model_save(original: Callable[..., Any]) -> Callable[..., Any]:
    """``Model.save`` that writes HDF5 under a name Keras 3 refuses, as Keras 2 did."""

    @functools.wraps(original)
    def save(self: Any, filepath: Any, overwrite: bool = True, *args: Any, **kwargs: Any
             ) -> Any:
        path = other_name(filepath)
        save_format = kwargs.get("save_format")
        if path is None or args or str(save_format or "h5").lower() not in ("h5", "hdf5"):
            return original(self, filepath, overwrite, *args, **kwargs)
        kwargs.pop("save_format", None)
        if os.path.isdir(path):
            raise IsADirectoryError(f"`model.save({path!r})`: a folder of that name exists; "
                                    "Keras 2 (and kfitcompat) write one HDF5 file there. Pass "
                                    "a file name (e.g. 'my_model.keras').")
        if os.path.exists(path) and not overwrite:
            raise FileExistsError(f"`model.save({path!r}, overwrite=False)`: the file exists.")
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)  # tf.keras made 'saved_model/' for such a name
        handle, tmp = tempfile.mkstemp(prefix=".kfitcompat-", suffix=".h5", dir=folder)
        os.close(handle)
        try:
            original(self, tmp, True, **kwargs)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        warn_at_caller(f"`model.save({path!r})`: Keras 2 wrote HDF5 under any file name and "
                       "kfitcompat does so (Keras 3 alone refuses a name without .keras or "
                       ".h5); `load_model` reads it back after install(). Modern: "
                       f"'{path}.keras'.")
        return None

    return save
