"""Keras 2's ``channels_first`` convolutions on a machine without a GPU.

A Keras 1 script written for Theano's layout (``dim_ordering='th'``, ``"image_data_format":
"channels_first"`` in ``keras.json``) ran on Keras 2's TensorFlow backend everywhere: where
TensorFlow had no NCHW kernel (no GPU), Keras 2 transposed the input to channels-last, ran the
convolution, and transposed the result back (Keras 2.2.4, ``tensorflow_backend.py``,
``_preprocess_conv2d_input`` / ``_postprocess_conv2d_output``). Keras 3 passes NCHW to
TensorFlow as it is, and ``Conv1D``, ``Conv2D``, ``Conv2DTranspose``, ``Conv3DTranspose`` and
``ConvLSTM2D`` fail on the first batch with ``UnimplementedError: The Conv2D op currently only
supports the NHWC tensor format on the CPU`` (tf_keras 2.21 fails the same way; kfitcompat
follows Keras 2.2.4, which ran). Keras 3's pooling, depthwise, separable and 3-D convolutions
already handle the layout themselves.

After ``install()``, the backend's ``conv`` and ``conv_transpose`` (what ``keras.ops.conv``
and the layers call) do what Keras 2 did when no GPU is visible; with a GPU, Keras 3's own call
runs unchanged. Modern equivalent: ``channels_last`` data (``data_format='channels_last'``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["channels_first_on_cpu", "gpu_visible"]


@functools.cache
def gpu_visible() -> bool:
    """Whether TensorFlow sees a GPU (Keras 2's test before it transposed)."""
    import tensorflow as tf

    return bool(tf.config.list_logical_devices("GPU"))


def _permutations(rank: int) -> tuple[list[int], list[int]]:
    """(channels-first -> channels-last, and back) for a tensor of ``rank`` dimensions."""
    return [0, *range(2, rank), 1], [0, rank - 1, *range(1, rank - 1)]


def channels_first_on_cpu(original: Callable[..., Any]) -> Callable[..., Any]:
    """The backend's ``conv`` / ``conv_transpose``, run on channels-last copies of a
    ``channels_first`` input when no GPU is visible (Keras 2's rule)."""
    signature = inspect.signature(original)

    @functools.wraps(original)
    def convolve(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        data_format = bound.arguments.get("data_format")
        if data_format is None:
            import keras

            data_format = keras.config.image_data_format()
        if data_format != "channels_first" or gpu_visible():
            return original(*args, **kwargs)
        import tensorflow as tf

        inputs = tf.convert_to_tensor(bound.arguments["inputs"])
        to_last, to_first = _permutations(len(inputs.shape))
        bound.arguments["inputs"] = tf.transpose(inputs, to_last)
        bound.arguments["data_format"] = "channels_last"
        return tf.transpose(original(*bound.args, **bound.kwargs), to_first)

    return convolve
