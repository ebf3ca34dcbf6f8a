"""Draw docs/img/augmentations.png: each ImageDataGenerator augmentation on one sample image.

    python docs/gen_augmentation_pictures.py
"""

from __future__ import annotations

import os

import numpy as np
from PIL import Image

from kfitcompat.demo_data import draw_shape
from kfitcompat.image import ImageDataGenerator

SETTINGS = [
    ("original", {}),
    ("rotation_range=40", {"rotation_range": 40}),
    ("width_shift_range=0.25", {"width_shift_range": 0.25}),
    ("height_shift_range=0.25", {"height_shift_range": 0.25}),
    ("shear_range=30", {"shear_range": 30}),
    ("zoom_range=0.4", {"zoom_range": 0.4}),
    ("horizontal_flip", {"horizontal_flip": True}),
    ("vertical_flip", {"vertical_flip": True}),
    ("channel_shift_range=80", {"channel_shift_range": 80.0}),
    ("brightness_range=(0.3, 1.7)", {"brightness_range": (0.3, 1.7)}),
    ("fill_mode='constant'", {"rotation_range": 40, "fill_mode": "constant"}),
    ("fill_mode='reflect'", {"rotation_range": 40, "fill_mode": "reflect"}),
]


def render(path: str, samples: int = 4, size: int = 64) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    image = np.asarray(draw_shape("triangle", size, np.random.default_rng(3)), "float32")
    fig, axes = plt.subplots(len(SETTINGS), samples, figsize=(samples * 1.6, len(SETTINGS) * 1.7))
    for row, (title, kwargs) in enumerate(SETTINGS):
        gen = ImageDataGenerator(**kwargs)
        for col in range(samples):
            out = gen.random_transform(image.copy(), seed=row * 10 + col) if kwargs else image
            axes[row, col].imshow(np.clip(out, 0, 255).astype("uint8"))
            axes[row, col].axis("off")
        axes[row, 0].set_title(title, fontsize=8, loc="left")
    fig.tight_layout()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


if __name__ == "__main__":
    out = render(os.path.join(os.path.dirname(os.path.abspath(__file__)), "img",
                              "augmentations.png"))
    Image.open(out).verify()
    print(f"wrote {out}")
