"""The fast path: a batch's augmentation as fused TensorFlow ops inside ``tf.data``.

Per batch, ``augment.Augmenter`` draws the parameters and builds one 3x3 matrix per
image, the same sample the reference path would use, with the flips folded in; one
warp of the whole batch follows (interpolation happens once, as in Keras 2). Bilinear
interpolation (``interpolation_order=1``, the default) is an XLA-compiled gather
(``bilinear``): source coordinates in float64 from float64 matrices, as SciPy computes
them, four neighbours per output pixel fetched with all their channels, the fill mode
applied to the neighbours' indices. Nearest-neighbour (order 0) is one
``ImageProjectiveTransformV3`` call. Channel shift, brightness and standardisation follow
in Keras 2's order as batched ops.

Known differences from the reference (SciPy) path, pinned by tests: bilinear values
within 2e-4 of a grey level; nearest-neighbour may pick the other pixel for points within
float32 rounding of a half-pixel boundary; brightness is rounded once more.
``fill_mode="wrap"`` and ``interpolation_order`` other than 0 or 1 are not supported here
(the iterator uses the reference path for them).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import tensorflow as tf

__all__ = ["to_tf_transforms", "to_affine_rows", "outside_mask", "warp", "bilinear",
           "channel_shift", "brightness", "standardize"]

_FILL = {"constant": "CONSTANT", "nearest": "NEAREST", "reflect": "REFLECT"}
_INTERPOLATION = {0: "NEAREST", 1: "BILINEAR"}


def to_tf_transforms(m: np.ndarray) -> np.ndarray:
    """(B, 3, 3) row/col matrices -> (B, 8) ``ImageProjectiveTransformV3`` vectors (x=col)."""
    a0, a1, a2 = m[:, 1, 1], m[:, 1, 0], m[:, 1, 2]
    b0, b1, b2 = m[:, 0, 1], m[:, 0, 0], m[:, 0, 2]
    zeros = np.zeros_like(a0)
    return np.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1).astype("float32")


def to_affine_rows(m: np.ndarray) -> np.ndarray:
    """(B, 3, 3) row/col matrices -> (B, 6) float64 ``(a0, a1, a2, b0, b1, b2)``: the source
    column is ``a0*x + a1*y + a2`` and the source row ``b0*x + b1*y + b2`` (x=col, y=row)."""
    return np.stack([m[:, 1, 1], m[:, 1, 0], m[:, 1, 2], m[:, 0, 1], m[:, 0, 0], m[:, 0, 2]],
                    axis=1).astype("float64")


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


def _neighbour(index: tf.Tensor, size: int, fill_mode: str) -> tf.Tensor:
    """Where SciPy reads a neighbour outside the image: the edge ('nearest'; 'constant' too,
    whose outside points are masked afterwards) or its half-sample mirror ('reflect')."""
    if fill_mode == "reflect":
        index = tf.math.floormod(index, 2 * size)
        return tf.where(index >= size, 2 * size - 1 - index, index)
    return tf.clip_by_value(index, 0, size - 1)


def _bilinear(images: tf.Tensor, rows: tf.Tensor, cval: tf.Tensor, fill_mode: str
              ) -> tf.Tensor:
    h, w, c = images.shape[1:]  # static: XLA compiles per image shape
    ys, xs = tf.meshgrid(tf.range(h, dtype=tf.float64), tf.range(w, dtype=tf.float64),
                         indexing="ij")
    a0, a1, a2, b0, b1, b2 = (rows[:, k, None, None] for k in range(6))
    # far-away points (an extreme zoom) stay far away without overflowing int32
    limit = float(4 * max(h, w))
    src_x = tf.clip_by_value(a0 * xs + a1 * ys + a2, -limit, limit)
    src_y = tf.clip_by_value(b0 * xs + b1 * ys + b2, -limit, limit)
    x0, y0 = tf.floor(src_x), tf.floor(src_y)
    fx = tf.cast(src_x - x0, tf.float32)[..., None]
    fy = tf.cast(src_y - y0, tf.float32)[..., None]
    x0i, y0i = tf.cast(x0, tf.int32), tf.cast(y0, tf.int32)
    cols = (_neighbour(x0i, w, fill_mode), _neighbour(x0i + 1, w, fill_mode))
    rows_ = (_neighbour(y0i, h, fill_mode) * w, _neighbour(y0i + 1, h, fill_mode) * w)
    flat = tf.reshape(images, [-1, c])
    base = (tf.range(tf.shape(images)[0]) * (h * w))[:, None, None]

    def at(r: tf.Tensor, col: tf.Tensor) -> tf.Tensor:
        return tf.cast(tf.gather(flat, base + r + col), tf.float32)

    top = at(rows_[0], cols[0])
    top = top + (at(rows_[0], cols[1]) - top) * fx
    bottom = at(rows_[1], cols[0])
    bottom = bottom + (at(rows_[1], cols[1]) - bottom) * fx
    out = top + (bottom - top) * fy
    if fill_mode == "constant":  # SciPy: cval wherever the source point is outside
        outside = (src_x < 0) | (src_x > w - 1) | (src_y < 0) | (src_y > h - 1)
        out = tf.where(outside[..., None], cval, out)
    return out


_COMPILED = {mode: tf.function(functools.partial(_bilinear, fill_mode=mode), jit_compile=True,
                               reduce_retracing=False)
             for mode in _FILL}


def bilinear(images: tf.Tensor, rows: tf.Tensor, fill_mode: str, cval: float,
             batch_size: int | None = None) -> tf.Tensor:
    """SciPy's ``affine_transform(order=1)`` of each NHWC image (``rows``: ``to_affine_rows``),
    in float32, compiled by XLA once per image shape. A batch shorter than ``batch_size``
    (an epoch's last) is padded to it, so it reuses the full batches' compiled program."""
    n = tf.shape(images)[0]
    if batch_size is not None:
        def padded() -> tuple[tf.Tensor, tf.Tensor]:
            extra = batch_size - n
            return (tf.pad(images, [[0, extra], [0, 0], [0, 0], [0, 0]]),
                    tf.pad(rows, [[0, extra], [0, 0]]))
        images, rows = tf.cond(n < batch_size, padded, lambda: (images, rows))
        images = tf.ensure_shape(images, [batch_size, *images.shape[1:]])
        rows = tf.ensure_shape(rows, [batch_size, 6])
    out = _COMPILED[fill_mode](images, rows, tf.constant(cval, tf.float32))
    return out[:n]


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
