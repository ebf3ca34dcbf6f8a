"""Short epochs against long ones: ``fit_generator`` over ``ImageDataGenerator.flow()``.

What a small dataset pays every epoch: one call of ``--epochs`` epochs over ``--images``
images, each epoch timed by a callback, next to one long epoch over ten times as many
images (the steady rate). Printed: each epoch's time and rate, and the short epochs' rates
(the first excepted: it traces the model) as a ratio of the long epoch's.

The model is small (a pooling and a dense layer) so the augmentation and the loading are
what is timed, as in a real script whose model is fast next to its 224x224 augmentation.

    python benchmarks/bench_epochs.py [--size 224] [--images 256] [--epochs 5]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import kfitcompat  # noqa: E402
from kfitcompat.image import ImageDataGenerator  # noqa: E402

SEED_PARAMS = dict(rotation_range=30, zoom_range=0.20, fill_mode="nearest", shear_range=0.20,
                   horizontal_flip=True, width_shift_range=0.1, height_shift_range=0.1)
BATCH = 32


class EpochTimes(keras.callbacks.Callback):
    """Wall time of each epoch, from its begin to its end."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []
        self._start = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._start)


def model(size: int) -> keras.Model:
    m = keras.Sequential([keras.Input((size, size, 3)), keras.layers.AveragePooling2D(8),
                          keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2)])
    m.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return m


def run(size: int, images: int, epochs: int) -> tuple[list[float], float]:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (images, size, size, 3)).astype("float32")
    y = rng.integers(0, 2, images)
    gen = ImageDataGenerator(**SEED_PARAMS)
    m = model(size)
    short = EpochTimes()
    kfitcompat.fit_generator(m, gen.flow(x, y, batch_size=BATCH, seed=1), epochs=epochs,
                             verbose=0, callbacks=[short])
    long = EpochTimes()
    steps = 10 * (images // BATCH)
    kfitcompat.fit_generator(m, gen.flow(x, y, batch_size=BATCH, seed=2),
                             steps_per_epoch=steps, epochs=1, verbose=0, callbacks=[long])
    return short.times, steps * BATCH / long.times[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    times, steady = run(args.size, args.images, args.epochs)
    print(f"{args.size}x{args.size}, {args.images} images an epoch, batch {BATCH}")
    print(f"{'epoch':>5} {'seconds':>8} {'img/s':>8} {'vs long epoch':>14}")
    for i, t in enumerate(times, 1):
        rate = args.images / t
        print(f"{i:5d} {t:8.2f} {rate:8.0f} {rate / steady:13.2f}x")
    later = [args.images / t for t in times[1:]]
    print(f"long epoch ({10 * args.images} images): {steady:.0f} img/s")
    if later:
        print(f"epochs 2-{len(times)}: rates within {100 * (max(later) / min(later) - 1):.0f}% "
              f"of each other; slowest {min(later) / steady:.2f}x the long epoch")


if __name__ == "__main__":
    main()
