"""Sampling transform parameters (random, no image data): Keras 2's exact draw order.

``draw_params(config, img_shape, rng)`` makes the same calls in the same order as
keras-preprocessing 1.1.2's ``get_random_transform``, so with ``rng=np.random``
after ``np.random.seed(s)`` it returns the same numbers; the iterators pass
their own ``np.random.Generator`` instead.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np

__all__ = ["draw_params", "draw_batch_params", "params_at", "check_shift_range"]

def check_shift_range(name: str, value: Any) -> Any:
    """A shift range is a float (fraction or pixels), an int (pixels) or a 1-D list."""
    if isinstance(value, (list, tuple, np.ndarray)):
        arr = np.asarray(value)
        if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.number):
            raise ValueError(
                f"Invalid value for argument `{name}`. Expected a float, an int or a 1-D "
                f"list of numbers. Received: {name}={value!r}"
            )
        return value
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(
            f"Invalid value for argument `{name}`. Expected a float, an int or a 1-D list "
            f"of numbers. Received: {name}={value!r}"
        )
    return value


def _shift(rng: Any, shift_range: Any, size: int) -> float:
    if not _truthy(shift_range):
        return 0
    if isinstance(shift_range, Integral) and not isinstance(shift_range, bool) or isinstance(
        shift_range, (list, tuple, np.ndarray)
    ):
        # Keras 2 quirk: an int N draws an integer in 0..N-1, then a random sign.
        t = rng.choice(shift_range)
        t = t * rng.choice([-1, 1])
    else:
        t = rng.uniform(-shift_range, shift_range)
    if np.max(shift_range) < 1:  # a fraction of the image size; >= 1 means pixels
        t = t * size
    return t


def _truthy(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return value.size > 0
    return bool(value)


def draw_params(config: Any, img_shape: tuple[int, ...], rng: Any) -> dict[str, Any]:
    """One image's parameters ``{theta, tx, ty, shear, zx, zy, flip_horizontal,
    flip_vertical, channel_shift_intensity, brightness}``.

    ``config`` has the ImageDataGenerator attributes; ``img_shape`` is one image's
    shape (no batch axis); ``rng`` has ``uniform``, ``choice`` and ``random``.
    """
    row_axis, col_axis = config.row_axis - 1, config.col_axis - 1
    theta = rng.uniform(-config.rotation_range, config.rotation_range) if (
        config.rotation_range) else 0
    # Keras 2 quirk kept on purpose: tx comes from height_shift_range (rows)...
    tx = _shift(rng, config.height_shift_range, img_shape[row_axis])
    # ... and ty from width_shift_range (columns).
    ty = _shift(rng, config.width_shift_range, img_shape[col_axis])
    shear = rng.uniform(-config.shear_range, config.shear_range) if config.shear_range else 0
    lo, hi = config.zoom_range
    if lo == 1 and hi == 1:
        zx, zy = 1, 1
    else:
        zx, zy = rng.uniform(lo, hi, 2)  # independent per axis (Keras 2)
    # Both flips are always drawn, even when disabled (Keras 2 RNG order).
    flip_horizontal = (rng.random() < 0.5) * config.horizontal_flip
    flip_vertical = (rng.random() < 0.5) * config.vertical_flip
    channel_shift_intensity = None
    if config.channel_shift_range != 0:
        channel_shift_intensity = rng.uniform(-config.channel_shift_range,
                                              config.channel_shift_range)
    brightness = None
    if config.brightness_range is not None:
        brightness = rng.uniform(config.brightness_range[0], config.brightness_range[1])
    return {
        "theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx, "zy": zy,
        "flip_horizontal": flip_horizontal, "flip_vertical": flip_vertical,
        "channel_shift_intensity": channel_shift_intensity, "brightness": brightness,
    }


def _shift_batch(rng: Any, shift_range: Any, size: int, n: int) -> np.ndarray:
    if not _truthy(shift_range):
        return np.zeros(n)
    if isinstance(shift_range, Integral) and not isinstance(shift_range, bool) or isinstance(
        shift_range, (list, tuple, np.ndarray)
    ):
        t = rng.choice(shift_range, n) * rng.choice([-1, 1], n)
    else:
        t = rng.uniform(-shift_range, shift_range, n)
    if np.max(shift_range) < 1:
        t = t * size
    return np.asarray(t, dtype=float)


def draw_batch_params(config: Any, img_shape: tuple[int, ...], rng: np.random.Generator,
                      n: int) -> dict[str, Any]:
    """Parameters of ``n`` images at once, as arrays (same distributions as
    ``draw_params``; the iterators' reference and fast paths both use this)."""
    row_axis, col_axis = config.row_axis - 1, config.col_axis - 1
    zeros = np.zeros(n)
    r = config.rotation_range
    lo, hi = config.zoom_range
    zoom = np.ones((n, 2)) if lo == 1 and hi == 1 else rng.uniform(lo, hi, (n, 2))
    c = config.channel_shift_range
    b = config.brightness_range
    return {
        "theta": rng.uniform(-r, r, n) if r else zeros,
        "tx": _shift_batch(rng, config.height_shift_range, img_shape[row_axis], n),
        "ty": _shift_batch(rng, config.width_shift_range, img_shape[col_axis], n),
        "shear": rng.uniform(-config.shear_range, config.shear_range, n)
        if config.shear_range else zeros,
        "zx": zoom[:, 0], "zy": zoom[:, 1],
        "flip_horizontal": (rng.random(n) < 0.5) & bool(config.horizontal_flip),
        "flip_vertical": (rng.random(n) < 0.5) & bool(config.vertical_flip),
        "channel_shift_intensity": rng.uniform(-c, c, n) if c != 0 else None,
        "brightness": rng.uniform(b[0], b[1], n) if b is not None else None,
    }


def params_at(batch: dict[str, Any], i: int) -> dict[str, Any]:
    """Image ``i``'s parameters from ``draw_batch_params``, as a legacy dict."""
    return {k: (None if v is None else v[i].item()) for k, v in batch.items()}
