"""ImageDataGenerator throughput (images/s), measured side by side in one run.

The seed's parameters (rotation 30, zoom 0.2, shear 0.2, shifts 0.1, horizontal flip,
fill 'nearest') on random images at 32x32 and 224x224, batch 32:
  * kfitcompat fast path (``iterator.as_dataset()``: fused TensorFlow warp in tf.data),
  * kfitcompat reference path (NumPy/SciPy per image, Keras 2's numbers),
  * tf_keras ``ImageDataGenerator.flow`` (the legacy implementation),
  * Keras 3's own legacy copy (``keras._tf_keras.keras.preprocessing.image``),
  * a Keras 3 preprocessing-layer stack mapped over batches in tf.data.

    python benchmarks/bench_images.py [--batches 16]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from kfitcompat.image import ImageDataGenerator  # noqa: E402

SEED_PARAMS = dict(rotation_range=30, zoom_range=0.20, fill_mode="nearest", shear_range=0.20,
                   horizontal_flip=True, width_shift_range=0.1, height_shift_range=0.1)
BATCH = 32


def rate(pull, batches: int) -> float:
    pull(2)  # warm-up
    start = time.perf_counter()
    pull(batches)
    return batches * BATCH / (time.perf_counter() - start)


def iterator_puller(it):
    def pull(n):
        for _ in range(n):
            next(it)
    return pull


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=16)
    args = parser.parse_args()
    import tf_keras

    k3_legacy = keras._tf_keras.keras.preprocessing.image.ImageDataGenerator
    layers = keras.Sequential([
        keras.layers.RandomRotation(30 / 360, fill_mode="nearest"),
        keras.layers.RandomZoom(0.2, fill_mode="nearest"),
        keras.layers.RandomTranslation(0.1, 0.1, fill_mode="nearest"),
        keras.layers.RandomFlip("horizontal"),
    ])
    print(f"{'size':>5s} {'path':44s} {'img/s':>9s} {'vs tf_keras':>12s}")
    for size in (32, 224):
        n = BATCH * 8
        x = (np.random.default_rng(0).random((n, size, size, 3)) * 255).astype("float32")
        y = np.zeros(n, "float32")
        rows = []
        fast_it = ImageDataGenerator(**SEED_PARAMS).flow(x, y, batch_size=BATCH, seed=1)
        for workers in (1, 2):
            ds = iter(fast_it.as_dataset(workers=workers))
            rows.append((f"kfitcompat fast path (workers={workers})",
                         rate(iterator_puller(ds), args.batches)))
        ref_it = ImageDataGenerator(**SEED_PARAMS).flow(x, y, batch_size=BATCH, seed=1)
        rows.append(("kfitcompat reference path", rate(iterator_puller(ref_it), args.batches)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tfk = tf_keras.preprocessing.image.ImageDataGenerator(**SEED_PARAMS).flow(
                x, y, batch_size=BATCH, seed=1)
            rows.append(("tf_keras ImageDataGenerator", rate(iterator_puller(tfk),
                                                             args.batches)))
            k3 = k3_legacy(**SEED_PARAMS).flow(x, y, batch_size=BATCH, seed=1)
            rows.append(("Keras 3 legacy ImageDataGenerator", rate(iterator_puller(k3),
                                                                   args.batches)))
        layer_ds = iter(tf.data.Dataset.from_tensor_slices(x).repeat().batch(BATCH).map(
            lambda b: layers(b, training=True), num_parallel_calls=tf.data.AUTOTUNE).prefetch(2))
        rows.append(("Keras 3 preprocessing layers (tf.data)",
                     rate(iterator_puller(layer_ds), args.batches)))
        legacy = rows[3][1]
        for name, r in rows:
            print(f"{size:5d} {name:44s} {r:9.0f} {r / legacy:11.2f}x", flush=True)


if __name__ == "__main__":
    main()
