"""Image files: the legacy ``keras.preprocessing.image`` helpers, on Pillow.

``img_to_array``, ``array_to_img`` and ``save_img`` are Keras 3's own
(``keras.utils``); ``load_img`` adds back the Keras 2 ``grayscale=`` argument
and names the file when Pillow cannot read it. ``list_pictures`` is Keras 2's.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

from .. import _upstream

__all__ = [
    "CorruptImageError",
    "load_img",
    "img_to_array",
    "array_to_img",
    "save_img",
    "list_pictures",
    "WHITE_LIST_FORMATS",
    "validate_filename",
]

WHITE_LIST_FORMATS = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")

img_to_array = _upstream.img_to_array
"""Keras 3's ``keras.utils.img_to_array`` itself, re-exported."""
array_to_img = _upstream.array_to_img
"""Keras 3's ``keras.utils.array_to_img`` itself, re-exported."""
save_img = _upstream.save_img
"""Keras 3's ``keras.utils.save_img`` itself, re-exported."""


class CorruptImageError(OSError):
    """An image file could not be decoded; the message names the file."""


def load_img(path: Any, grayscale: bool | str = False, color_mode: str = "rgb",
             target_size: tuple[int, int] | None = None, interpolation: str = "nearest",
             keep_aspect_ratio: bool = False) -> Any:
    """Keras 2 ``load_img``; modern spelling: ``keras.utils.load_img`` (no ``grayscale``).

    Raises:
        CorruptImageError: the file is not an image Pillow can decode (truncated,
            empty, another format); the message names the file.
        ValueError: an invalid ``color_mode`` or ``interpolation``.
    """
    if isinstance(grayscale, str):  # Keras 3 positional call: load_img(path, "rgba")
        color_mode = grayscale
    elif grayscale:
        warnings.warn('grayscale is deprecated. Please use color_mode = "grayscale"',
                      DeprecationWarning, stacklevel=2)
        color_mode = "grayscale"
    if color_mode not in ("grayscale", "rgb", "rgba"):
        raise ValueError(
            "Invalid value for argument `color_mode`. Expected one of "
            f"('grayscale', 'rgb', 'rgba'). Received: color_mode={color_mode!r}"
        )
    from PIL import Image

    try:
        img = _upstream.load_img(path, color_mode=color_mode, target_size=target_size,
                                   interpolation=interpolation,
                                   keep_aspect_ratio=keep_aspect_ratio)
        img.load()
    except (FileNotFoundError, IsADirectoryError):
        raise
    except ValueError as exc:
        if "interpolation" in str(exc):
            raise
        raise CorruptImageError(f"Cannot read image file {os.fspath(path)!r}: {exc}") from exc
    except (OSError, SyntaxError, Image.DecompressionBombError) as exc:
        # DecompressionBombError: more pixels than Pillow's limit (Image.MAX_IMAGE_PIXELS)
        raise CorruptImageError(f"Cannot read image file {os.fspath(path)!r}: {exc}") from exc
    return img


def validate_filename(filename: str, white_list_formats: tuple[str, ...]) -> bool:
    """Keras 2 ``validate_filename``: ``filename`` (lower-cased) ends in one of
    ``white_list_formats`` (as given, e.g. ``("png", "jpg")``) and is an existing file."""
    return (os.fspath(filename).lower().endswith(tuple(white_list_formats))
            and os.path.isfile(filename))


def list_pictures(directory: str, ext: str | tuple[str, ...] = WHITE_LIST_FORMATS) -> list[str]:
    """Keras 2 ``list_pictures``: paths below ``directory`` (recursive) ending in ``ext``."""
    exts = tuple(f".{e}" for e in ((ext,) if isinstance(ext, str) else ext))
    return [
        os.path.join(root, f)
        for root, _, files in os.walk(directory)
        for f in files
        if f.lower().endswith(exts)
    ]
