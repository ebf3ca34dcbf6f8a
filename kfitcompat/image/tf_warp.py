"""The fast path: a batch's augmentation as fused TensorFlow ops inside ``tf.data``.

Per batch, ``augment.Augmenter`` draws the parameters and builds one 3x3 matrix per
image, the same sample the reference path would use, with the flips folded in; one
``ImageProjectiveTransformV3`` call then warps the whole batch (interpolation happens
once, as in Keras 2). Channel shift, brightness and standardisation follow in Keras 2's
order as batched ops.

Known differences from the reference (SciPy) path, pinned by tests: bilinear
interpolation may differ at the outermost pixels with ``fill_mode="constant"``,
and brightness is rounded once more; ``fill_mode="wrap"`` and
``interpolation_order`` other than 0 or 1 are not supported here (the iterator
uses the reference path for them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

__all__ = ["to_tf_transforms", "outside_mask", "warp", "channel_shift", "brightness",
           "standardize"]

_FILL = {"constant": "CONSTANT", "nearest": "NEAREST", "reflect": "REFLECT"}
_INTERPOLATION = {0: "NEAREST", 1: "BILINEAR"}


def to_tf_transforms(m: np.ndarray) -> np.ndarray:
    """(B, 3, 3) row/col matrices -> (B, 8) ``ImageProjectiveTransformV3`` vectors (x=col)."""
    a0, a1, a2 = m[:, 1, 1], m[:, 1, 0], m[:, 1, 2]
    b0, b1, b2 = m[:, 0, 1], m[:, 0, 0], m[:, 0, 2]
    zeros = np.zeros_like(a0)
    return np.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1).astype("float32")


def outside_mask(matrices: np.ndarray, h: int, w: int) -> np.ndarray:
    """(B, H, W, 1) uint8: output pixels whose source point lies outside the image.

    SciPy's ``mode="constant"`` gives those ``cval`` without blending at the edge;
    computed here in float64 with SciPy's arithmetic so boundary pixels agree.
    """
    rows, cols = np.meshgrid(np.arange(h, dtype=float), np.arange(w, dtype=float),
                             indexing="ij")
    m = matrices[:, :, :, None, None]
    src_r = m[:, 0, 0] * rows + m[:, 0, 1] * cols + m[:, 0, 2]
    src_c = m[:, 1, 0] * rows + m[:, 1, 1] * cols + m[:, 1, 2]
    out = (src_r < 0) | (src_r > h - 1) | (src_c < 0) | (src_c > w - 1)
    return out[..., None].astype("uint8")


def warp(images: tf.Tensor, transforms: tf.Tensor, fill_mode: str, cval: float,
         order: int, outside: tf.Tensor | None = None) -> tf.Tensor:
    """Warp a NHWC float batch with one projective transform per image."""
    shape = tf.shape(images)[1:3]
    out = tf.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=transforms, output_shape=shape,
        fill_value=tf.constant(cval, tf.float32), interpolation=_INTERPOLATION[order],
        fill_mode=_FILL[fill_mode])
    if outside is not None:
        out = tf.where(tf.cast(outside, tf.bool), tf.constant(cval, out.dtype), out)
    return out


def channel_shift(images: tf.Tensor, intensity: tf.Tensor) -> tf.Tensor:
    """Keras 2: add one value to every channel, clip to each image's own [min, max]."""
    lo = tf.reduce_min(images, axis=[1, 2, 3], keepdims=True)
    hi = tf.reduce_max(images, axis=[1, 2, 3], keepdims=True)
    shifted = tf.clip_by_value(images + intensity[:, None, None, None], lo, hi)
    return tf.where(tf.math.is_nan(intensity)[:, None, None, None], images, shifted)


def brightness(images: tf.Tensor, factor: tf.Tensor, scale: bool) -> tf.Tensor:
    """Pillow ``ImageEnhance.Brightness`` as Keras 2 applied it (via an 8-bit image)."""
    lo = tf.reduce_min(images, axis=[1, 2, 3], keepdims=True)
    hi = tf.reduce_max(images, axis=[1, 2, 3], keepdims=True)
    outside = tf.logical_or(lo < 0, hi > 255)
    span = hi - lo  # array_to_img(scale=True): x - min, / max, * 255 (in float32)
    stretched = images - lo
    stretched = tf.where(span > 0, stretched / tf.where(span > 0, span, 1.0), stretched) * 255.0
    x = stretched if scale else tf.where(outside, stretched, images)
    x = tf.floor(x)
    out = tf.clip_by_value(tf.floor(x * factor[:, None, None, None]), 0.0, 255.0)
    if not scale:
        out = tf.where(outside, out / 255.0 * (hi - lo) + lo, out)
    return tf.where(tf.math.is_nan(factor)[:, None, None, None], images, out)


def standardize(x: tf.Tensor, gen: Any) -> tf.Tensor:
    """Keras 2 ``standardize`` on a NHWC batch, statistics per image (as the iterators did)."""
    if gen.rescale:
        x = x * gen.rescale
    if gen.samplewise_center:
        x = x - tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    if gen.samplewise_std_normalization:
        x = x / (tf.math.reduce_std(x, axis=[1, 2, 3], keepdims=True) + 1e-6)
    channels_first = gen.data_format == "channels_first"
    if gen.featurewise_center and gen.mean is not None:
        x = x - _nhwc(gen.mean, channels_first)
    if gen.featurewise_std_normalization and gen.std is not None:
        x = x / (_nhwc(gen.std, channels_first) + 1e-6)
    if gen.zca_whitening and gen.principal_components is not None:
        shape = tf.shape(x)
        flat = tf.reshape(_to_layout(x, channels_first), [shape[0], -1])
        white = tf.matmul(flat, tf.constant(gen.principal_components, tf.float32))
        x = _from_layout(tf.reshape(white, tf.shape(_to_layout(x, channels_first))),
                         channels_first)
    return x


def _nhwc(stat: np.ndarray, channels_first: bool) -> tf.Tensor:
    s = np.asarray(stat, "float32")
    return tf.constant(np.moveaxis(s, 0, -1) if channels_first else s)


def _to_layout(x: tf.Tensor, channels_first: bool) -> tf.Tensor:
    return tf.transpose(x, [0, 3, 1, 2]) if channels_first else x


def _from_layout(x: tf.Tensor, channels_first: bool) -> tf.Tensor:
    return tf.transpose(x, [0, 2, 3, 1]) if channels_first else x
