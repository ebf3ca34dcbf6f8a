"""ImageDataGenerator's augmentation: a frozen config, parameters sampled once per batch, and
two applies of the same sample (NumPy/SciPy, Keras 2's numbers; TensorFlow, the fast path).

``AugmentConfig`` holds the geometric settings, read once from the generator and checked by
its constructor; it imports no TensorFlow. ``Augmenter.sample`` draws a batch's parameters
(Keras 2's distributions, ``params.draw_batch_params``) and builds each image's matrix once
(``affine.transform_matrices``, the one statement of the legacy product); ``apply_numpy`` and
``fast_inputs`` / ``apply_tf`` use that one sample. The iterators keep indexing and labels.

A generator that overrides one of Keras 2's hooks (``get_random_transform``,
``apply_transform``, ``standardize``) gets them called per image, as keras-preprocessing's
iterators called them, on the reference path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .affine import centered_matrices, transform_matrices
from .affine import with_flips as _with_flips
from .affine_transformations import (
    apply_affine_transform,
    apply_brightness_shift,
    apply_channel_shift,
    flip_axis,
    warp_with_matrix,
)
from .params import draw_batch_params, params_at

__all__ = ["HOOKS", "AugmentConfig", "Augmenter", "Sampled", "apply_one", "overridden_hooks"]

#: ImageDataGenerator methods keras-preprocessing 1.1.2's iterators called per image.
HOOKS = ("get_random_transform", "apply_transform", "standardize")
_FAST_FILL = ("constant", "nearest", "reflect")
_FAST_ORDER = (0, 1)


@dataclass(frozen=True)
class AugmentConfig:
    """The geometric and photometric settings of an ImageDataGenerator (Keras 2 meaning).

    Axes are those of one image (no batch axis): ``row``, ``col``, ``channel``.
    """

    rotation_range: float
    width_shift_range: Any
    height_shift_range: Any
    shear_range: float
    zoom_range: tuple[float, float]
    channel_shift_range: float
    brightness_range: tuple[float, float] | None
    horizontal_flip: bool
    vertical_flip: bool
    fill_mode: str
    cval: float
    interpolation_order: int
    geometry: str
    row: int
    col: int
    channel: int
    data_format: str

    @classmethod
    def of(cls, gen: Any) -> AugmentConfig:
        """The settings of ``gen`` (an ImageDataGenerator, or any object with its attributes)."""
        b = gen.brightness_range
        return cls(gen.rotation_range, gen.width_shift_range, gen.height_shift_range,
                   gen.shear_range, (float(gen.zoom_range[0]), float(gen.zoom_range[1])),
                   gen.channel_shift_range, None if b is None else (b[0], b[1]),
                   bool(gen.horizontal_flip), bool(gen.vertical_flip), gen.fill_mode,
                   gen.cval, gen.interpolation_order, getattr(gen, "profile",
                                                              "keras_preprocessing"),
                   gen.row_axis - 1, gen.col_axis - 1, gen.channel_axis - 1,
                   getattr(gen, "data_format", "channels_last"))

    # what params.draw_batch_params reads: the generator's names and batch axes
    @property
    def row_axis(self) -> int:
        return self.row + 1

    @property
    def col_axis(self) -> int:
        return self.col + 1

    @property
    def fast_capable(self) -> bool:
        """Settings the fused TensorFlow warp reproduces (``tf_warp``)."""
        return self.fill_mode in _FAST_FILL and self.interpolation_order in _FAST_ORDER

    @property
    def needs_mask(self) -> bool:
        """SciPy's constant fill gives ``cval`` wherever the source point lies outside the
        image (no blending at the edge; no rounding into it at order 0): the fast path's
        nearest-neighbour warp masks those pixels (its bilinear warp finds them itself)."""
        return self.fill_mode == "constant" and self.interpolation_order == 0


def overridden_hooks(gen: Any) -> tuple[str, ...]:
    """The ``HOOKS`` that ``gen``'s class defines itself (a subclass of kfitcompat's
    ImageDataGenerator, or another object altogether)."""
    return tuple(name for name in HOOKS
                 if getattr(getattr(type(gen), name, None), "__module__", None)
                 != "kfitcompat.image.generator")


@dataclass(frozen=True)
class Sampled:
    """One batch's parameters (``draw_batch_params``' arrays) and each image's centred
    output->input matrix (flips not folded in); ``neutral``: images with no warp at all."""

    params: dict[str, Any]
    matrices: np.ndarray
    neutral: np.ndarray
    height: int
    width: int

    def with_flips(self) -> np.ndarray:
        """The matrices with each image's flips folded in (one warp does both)."""
        p = self.params
        return _with_flips(self.matrices, p["flip_horizontal"], p["flip_vertical"],
                           self.height, self.width)


def apply_one(config: AugmentConfig, x: np.ndarray, params: dict[str, Any],
              matrix: np.ndarray | None = None) -> np.ndarray:
    """Keras 2 ``apply_transform`` of one image (rank 3): affine warp, channel shift, flips,
    brightness. ``matrix``: the image's centred matrix if already built (``None`` builds it
    from ``params``; no warp when they are neutral)."""
    p = params
    if matrix is None:
        x = apply_affine_transform(
            x, p.get("theta", 0), p.get("tx", 0), p.get("ty", 0), p.get("shear", 0),
            p.get("zx", 1), p.get("zy", 1), row_axis=config.row, col_axis=config.col,
            channel_axis=config.channel, fill_mode=config.fill_mode, cval=config.cval,
            order=config.interpolation_order, geometry=config.geometry)
    else:
        x = warp_with_matrix(x, matrix, config.channel, config.fill_mode, config.cval,
                             config.interpolation_order)
    if p.get("channel_shift_intensity") is not None:
        x = apply_channel_shift(x, p["channel_shift_intensity"], config.channel)
    if p.get("flip_horizontal", False):
        x = flip_axis(x, config.col)
    if p.get("flip_vertical", False):
        x = flip_axis(x, config.row)
    if p.get("brightness") is not None:
        x = apply_brightness_shift(x, p["brightness"],
                                   scale=config.geometry == "keras_preprocessing",
                                   data_format=config.data_format)
    return x


class Augmenter:
    """An iterator's augmentation: ``generator``'s settings as an ``AugmentConfig``, read
    when the augmenter is made; its statistics (``mean``, ``std``, ZCA) are read at each
    batch, so ``generator.fit`` after ``flow`` still applies, as in Keras 2."""

    def __init__(self, generator: Any) -> None:
        self.generator = generator
        self.config = AugmentConfig.of(generator)
        self.custom = overridden_hooks(generator)

    @property
    def fast_capable(self) -> bool:
        """The fused TensorFlow path computes what the reference path would (within the
        documented tolerances): supported fill and order, no per-image Python hook."""
        return (self.config.fast_capable and not self.custom
                and getattr(self.generator, "preprocessing_function", None) is None)

    def sample(self, image_shape: tuple[int, ...], rng: np.random.Generator, n: int
               ) -> Sampled:
        """``n`` images' parameters and matrices, drawn once from ``rng``."""
        c = self.config
        p = draw_batch_params(c, image_shape, rng, n)
        h, w = image_shape[c.row], image_shape[c.col]
        m = transform_matrices(p["theta"], p["tx"], p["ty"], p["shear"], p["zx"], p["zy"])
        neutral = ((p["theta"] == 0) & (p["tx"] == 0) & (p["ty"] == 0) & (p["shear"] == 0)
                   & (p["zx"] == 1) & (p["zy"] == 1))
        return Sampled(p, centered_matrices(m, h, w, c.geometry, swap_axes=c.col > c.row),
                       np.asarray(neutral, bool), h, w)

    def apply_numpy(self, batch_x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The reference path, in place: per image, Keras 2's transform then
        ``standardize`` (a subclass's hooks called as keras-preprocessing called them)."""
        gen = self.generator
        if not len(batch_x):
            return batch_x
        sampled = self.sample(batch_x.shape[1:], rng, len(batch_x))
        for i in range(len(batch_x)):
            x = batch_x[i]
            if "get_random_transform" in self.custom or "apply_transform" in self.custom:
                params = (gen.get_random_transform(x.shape)
                          if "get_random_transform" in self.custom
                          else params_at(sampled.params, i))
                x = gen.apply_transform(x, params)
            else:
                x = apply_one(self.config, x, params_at(sampled.params, i),
                              None if sampled.neutral[i] else sampled.matrices[i])
            batch_x[i] = gen.standardize(x)
        return batch_x

    def fast_inputs(self, images: np.ndarray, rng: np.random.Generator
                    ) -> tuple[np.ndarray, ...]:
        """Stage 1 of the fast path (NumPy): the batch's warp (``tf_warp.to_affine_rows``
        for the bilinear warp, ``ImageProjectiveTransformV3`` vectors for the nearest one),
        channel shifts and brightness factors (NaN when absent) and the nearest warp's
        constant-fill mask."""
        from .tf_warp import outside_mask, to_affine_rows, to_tf_transforms

        n = len(images)
        sampled = self.sample(images.shape[1:], rng, n)
        matrices = sampled.with_flips()
        mask = (outside_mask(matrices, sampled.height, sampled.width)
                if self.config.needs_mask else np.zeros((n, 1, 1, 1), "uint8"))
        nan = np.full(n, np.nan, "float32")
        p = sampled.params
        shift = (nan if p["channel_shift_intensity"] is None
                 else p["channel_shift_intensity"].astype("float32"))
        bright = nan if p["brightness"] is None else p["brightness"].astype("float32")
        transforms = (to_affine_rows(matrices) if self.config.interpolation_order == 1
                      else to_tf_transforms(matrices))
        return transforms, shift, bright, mask

    def apply_tf(self, images: Any, transforms: Any, shift: Any, bright: Any, mask: Any,
                 batch_size: int | None = None) -> Any:
        """Stage 2 of the fast path (TensorFlow, batched): warp, channel shift, brightness,
        standardise, in Keras 2's order. ``batch_size``: the iterator's, so a short last
        batch reuses the compiled warp of the full ones."""
        import tensorflow as tf

        from . import tf_warp

        c, gen = self.config, self.generator
        channels_first = c.data_format == "channels_first"
        x = tf.transpose(images, [0, 2, 3, 1]) if channels_first else images
        if c.interpolation_order == 1:  # reads uint8 or float32, gives float32
            x = tf_warp.bilinear(x, transforms, c.fill_mode, c.cval, batch_size)
        else:
            x = tf_warp.warp(tf.cast(x, tf.float32), transforms, c.fill_mode, c.cval, 0,
                             mask if c.needs_mask else None)
        x = tf_warp.channel_shift(x, shift) if c.channel_shift_range else x
        if c.brightness_range is not None:
            x = tf_warp.brightness(x, bright, scale=c.geometry == "keras_preprocessing")
        x = tf_warp.standardize(x, gen)
        return tf.transpose(x, [0, 3, 1, 2]) if channels_first else x
