"""The demo's embedded default dataset: small PNG images of shapes, drawn with Pillow.

No download: ``make_shapes(root)`` writes ``root/<class>/<n>.png`` for the classes
circle, square and triangle, each on a noisy background with a random position,
size, colour and rotation.
"""

from __future__ import annotations

import math
import os

import numpy as np
from PIL import Image, ImageDraw

__all__ = ["CLASSES", "draw_shape", "make_shapes"]

CLASSES = ("circle", "square", "triangle")


def _polygon(kind: str, cx: float, cy: float, r: float, angle: float) -> list[tuple[float, float]]:
    corners = 4 if kind == "square" else 3
    return [(cx + r * math.cos(angle + 2 * math.pi * k / corners),
             cy + r * math.sin(angle + 2 * math.pi * k / corners)) for k in range(corners)]


def draw_shape(kind: str, size: int, rng: np.random.Generator) -> Image.Image:
    """One image of ``kind`` (circle, square or triangle) on a noisy background."""
    background = rng.integers(0, 90, 3)
    noise = rng.normal(0, 18, (size, size, 3))
    pixels = np.clip(background + noise, 0, 255).astype("uint8")
    img = Image.fromarray(pixels)
    draw = ImageDraw.Draw(img)
    r = rng.uniform(0.18, 0.34) * size
    cx, cy = rng.uniform(r + 1, size - r - 1, 2)
    colour = tuple(int(c) for c in rng.integers(130, 256, 3))
    if kind == "circle":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
    else:
        draw.polygon(_polygon(kind, cx, cy, r * (1.15 if kind == "triangle" else 1.0),
                              rng.uniform(0, 2 * math.pi)), fill=colour)
    return img


def make_shapes(root: str, n_per_class: int = 150, size: int = 32, seed: int = 0) -> str:
    """Write the dataset below ``root`` (class-per-folder PNGs); returns ``root``."""
    rng = np.random.default_rng(seed)
    for kind in CLASSES:
        folder = os.path.join(root, kind)
        os.makedirs(folder, exist_ok=True)
        for i in range(n_per_class):
            draw_shape(kind, size, rng).save(os.path.join(folder, f"{kind}_{i:04d}.png"))
    return root
