"""Keras 2 ``keras.utils.conv_utils``: the shape arithmetic custom convolution layers call
(``conv_output_length``, ``normalize_tuple``, ...), which Keras 3 keeps only privately.
After ``kfitcompat.install``, ``from keras.utils import conv_utils`` finds these.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .backend_graph import normalize_data_format

__all__ = ["CONV_UTILS", "PaddingError", "conv_input_length", "conv_output_length",
           "convert_kernel", "deconv_length", "normalize_data_format", "normalize_padding",
           "normalize_tuple"]

_PADDINGS = ("valid", "same", "causal", "full")


class PaddingError(ValueError, AssertionError):
    """An invalid ``padding``: a ``ValueError`` naming it, and the ``AssertionError`` Keras
    2's ``assert padding in {...}`` raised (code written for it may catch that)."""


def normalize_tuple(value: Any, n: int, name: str) -> tuple[int, ...]:
    """An int, or an iterable of ``n`` ints, as a tuple of ``n`` ints (``name`` names the
    argument in errors)."""
    if isinstance(value, int):
        return (value,) * n
    try:
        values = tuple(value)
    except TypeError:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. "
                         f"Received: {value!r}") from None
    if len(values) != n or not all(isinstance(v, (int, np.integer)) for v in values):
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. "
                         f"Received: {value!r}")
    return tuple(int(v) for v in values)


def normalize_padding(value: Any) -> str:
    padding = str(value).lower()
    if padding not in ("valid", "same", "causal"):
        raise ValueError("Invalid value for argument `padding`. Expected one of ('valid', "
                         f"'same', 'causal'). Received: padding={value!r}")
    return padding


def convert_kernel(kernel: Any) -> np.ndarray:
    """The kernel with its spatial axes flipped (Theano <-> TensorFlow convolution)."""
    kernel = np.asarray(kernel)
    if not 3 <= kernel.ndim <= 5:
        raise ValueError(f"Invalid kernel shape: {kernel.shape} (expected 3 to 5 dimensions)")
    spatial = tuple(slice(None, None, -1) for _ in range(kernel.ndim - 2))
    return np.copy(kernel[spatial + (slice(None), slice(None))])


def conv_output_length(input_length: int | None, filter_size: int, padding: str, stride: int,
                       dilation: int = 1) -> int | None:
    """Length of a convolution's output along one axis."""
    if input_length is None:
        return None
    if padding not in _PADDINGS:
        raise PaddingError(f"Invalid value for argument `padding`. Expected one of "
                           f"{_PADDINGS}. Received: padding={padding!r}")
    dilated = (filter_size - 1) * dilation + 1
    length = {"same": input_length, "causal": input_length,
              "valid": input_length - dilated + 1,
              "full": input_length + dilated - 1}[padding]
    return (length + stride - 1) // stride


def conv_input_length(output_length: int | None, filter_size: int, padding: str,
                      stride: int) -> int | None:
    """Length of a convolution's input along one axis, from its output length."""
    if output_length is None:
        return None
    if padding not in ("same", "valid", "full"):
        raise PaddingError("Invalid value for argument `padding`. Expected one of ('same', "
                           f"'valid', 'full'). Received: padding={padding!r}")
    pad = {"same": filter_size // 2, "valid": 0, "full": filter_size - 1}[padding]
    return (output_length - 1) * stride - 2 * pad + filter_size


def deconv_length(dim_size: int | None, stride_size: int, kernel_size: int, padding: str,
                  output_padding: int | None = None, dilation: int = 1) -> int | None:
    """Length of a transposed convolution's output along one axis."""
    if dim_size is None:
        return None
    kernel_size = kernel_size + (kernel_size - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return dim_size * stride_size + max(kernel_size - stride_size, 0)
        if padding == "full":
            return dim_size * stride_size - (stride_size + kernel_size - 2)
        return dim_size * stride_size
    pad = {"same": kernel_size // 2, "valid": 0, "full": kernel_size - 1}[padding]
    return (dim_size - 1) * stride_size + kernel_size - 2 * pad + output_padding


#: name -> "module:attribute", the module ``install()`` answers ``keras.utils.conv_utils`` with
CONV_UTILS = {name: f"kfitcompat.keras2.conv_utils:{name}" for name in __all__
              if name not in ("CONV_UTILS", "PaddingError")}
