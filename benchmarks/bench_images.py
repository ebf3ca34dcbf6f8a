"""ImageDataGenerator throughput (images/s), measured side by side in one run.

The seed's parameters (rotation 30, zoom 0.2, shear 0.2, shifts 0.1, horizontal flip,
fill 'nearest') on random images at 32x32 and 224x224, batch 32:
  * kfitcompat fast path (``iterator.as_dataset()``: fused TensorFlow warp in tf.data),
  * kfitcompat reference path (NumPy/SciPy per image, Keras 2's numbers),
  * tf_keras ``ImageDataGenerator.flow`` (the legacy implementation),
  * Keras 3's own legacy copy (``keras._tf_keras.keras.preprocessing.image``),
  * a Keras 3 preprocessing-layer stack mapped over batches in tf.data,
  * a reference of the same work (when OpenCV is installed): ``cv2.warpAffine`` with the same
    kind of random matrix per image and a flip, uint8 in, float32 out, 2 threads,
  * the fast path's short passes, against its steady rate: the first pass of 8 batches of a
    new pipeline, timed from its creation (what the first epoch of a ``fit`` call pays), and a
    later pass of 8 batches of the same pipeline, its pass boundary included (what every later
    epoch and validation pass of the call pays).

The images are uint8, as decoded image files and ``load_data()`` arrays are; every path is
given the same array (the legacy ones keep it as float32, as Keras 2 did). One more row runs
the fast path on float32 images.

The paths take turns, ``--rounds`` times (this machine's speed drifts by up to 2x over
seconds); the best rate of each is printed, with its ratio to tf_keras and to the reference.

    python benchmarks/bench_images.py [--batches 16] [--rounds 3]
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


def best_rates(pullers: dict, batches: int, rounds: int) -> dict:
    """Images/s of each path, best of ``rounds`` interleaved rounds. Every round starts a
    fresh pipeline (``pullers`` are factories) and warms it with 2 batches right before the
    timing: a tf.data pipeline left waiting would have read ahead while the others ran."""
    best = dict.fromkeys(pullers, 0.0)
    for _ in range(rounds):
        for name, make in pullers.items():
            pull = make()
            pull(2)
            start = time.perf_counter()
            pull(batches)
            best[name] = max(best[name], batches * BATCH / (time.perf_counter() - start))
    return best


def fresh_rate(make, batches: int, rounds: int) -> float:
    """Images/s of a pipeline timed from its creation to its ``batches``-th batch, best of
    ``rounds``: no warm-up, the start-up included."""
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        make()(batches)
        best = max(best, batches * BATCH / (time.perf_counter() - start))
    return best


def later_pass_rate(make, batches: int, rounds: int) -> float:
    """Images/s of a pipeline's second pass of ``batches`` (the pass boundary included),
    best of ``rounds``."""
    best = 0.0
    for _ in range(rounds):
        pull = make()
        pull(batches)
        start = time.perf_counter()
        pull(batches)
        best = max(best, batches * BATCH / (time.perf_counter() - start))
    return best


def opencv_reference(x: np.ndarray, threads: int = 2):
    """A puller factory doing the same work with OpenCV: per image a random rotation, zoom,
    shear and shift as one affine matrix, ``cv2.warpAffine`` with replicated borders
    ('nearest'), a horizontal flip half of the time; uint8 in, float32 batches out; None
    without OpenCV."""
    try:
        import cv2
    except ImportError:
        return None
    from concurrent.futures import ThreadPoolExecutor

    cv2.setNumThreads(1)
    images = x.astype("uint8")
    n, h, w = images.shape[:3]
    pool = ThreadPoolExecutor(threads)
    rng = np.random.default_rng(1)

    def matrix() -> np.ndarray:
        angle = np.deg2rad(rng.uniform(-30, 30))
        zx, zy = rng.uniform(0.8, 1.2, 2)
        shear = np.deg2rad(rng.uniform(-0.2, 0.2))  # shear_range is in degrees
        tx, ty = rng.uniform(-0.1, 0.1, 2) * (w, h)
        c, s = np.cos(angle), np.sin(angle)
        m = (np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
             @ np.array([[1, -np.sin(shear), 0], [0, np.cos(shear), 0], [0, 0, 1]])
             @ np.diag([zx, zy, 1.0]))
        centre = np.array([[1, 0, w / 2], [0, 1, h / 2], [0, 0, 1]])
        back = np.array([[1, 0, -w / 2 + tx], [0, 1, -h / 2 + ty], [0, 0, 1]])
        return (centre @ m @ back)[:2]

    def warp(job) -> None:
        out, j, image, m, flip = job
        warped = cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_REPLICATE)
        out[j] = warped[:, ::-1] if flip else warped

    def make():
        def pull(k):
            for _ in range(k):
                out = np.empty((BATCH, h, w, 3), "float32")
                jobs = [(out, j, images[i], matrix(), rng.random() < 0.5)
                        for j, i in enumerate(rng.integers(0, n, BATCH))]
                list(pool.map(warp, jobs))
        return pull

    return make


def iterator_puller(it):
    def pull(n):
        for _ in range(n):
            next(it)
    return pull


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import tf_keras

    k3_legacy = keras._tf_keras.keras.preprocessing.image.ImageDataGenerator
    layers = keras.Sequential([
        keras.layers.RandomRotation(30 / 360, fill_mode="nearest"),
        keras.layers.RandomZoom(0.2, fill_mode="nearest"),
        keras.layers.RandomTranslation(0.1, 0.1, fill_mode="nearest"),
        keras.layers.RandomFlip("horizontal"),
    ])
    print(f"{'size':>5s} {'path':48s} {'img/s':>9s} {'vs tf_keras':>12s} "
          f"{'vs reference':>14s}")
    for size in (32, 224):
        n = BATCH * 8
        x = np.random.default_rng(0).integers(0, 256, (n, size, size, 3)).astype("uint8")
        y = np.zeros(n, "float32")
        pulls = {}
        fast_it = ImageDataGenerator(**SEED_PARAMS).flow(x, y, batch_size=BATCH, seed=1)
        for workers in (1, 2):
            pulls[f"kfitcompat fast path (workers={workers})"] = (
                lambda w=workers: iterator_puller(iter(fast_it.as_dataset(workers=w))))
        float_it = ImageDataGenerator(**SEED_PARAMS).flow(x.astype("float32"), y,
                                                          batch_size=BATCH, seed=1)
        pulls["kfitcompat fast path, float32 images (workers=2)"] = (
            lambda: iterator_puller(iter(float_it.as_dataset(workers=2))))
        ref_it = ImageDataGenerator(**SEED_PARAMS).flow(x, y, batch_size=BATCH, seed=1)
        pulls["kfitcompat reference path"] = lambda: iterator_puller(ref_it)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tfk = tf_keras.preprocessing.image.ImageDataGenerator(**SEED_PARAMS).flow(
                x, y, batch_size=BATCH, seed=1)
            k3 = k3_legacy(**SEED_PARAMS).flow(x, y, batch_size=BATCH, seed=1)
        pulls["tf_keras ImageDataGenerator"] = lambda: iterator_puller(tfk)
        pulls["Keras 3 legacy ImageDataGenerator"] = lambda: iterator_puller(k3)
        layer_ds = tf.data.Dataset.from_tensor_slices(x).repeat().batch(BATCH).map(
            lambda b: layers(tf.cast(b, "float32"), training=True),
            num_parallel_calls=tf.data.AUTOTUNE).prefetch(2)
        pulls["Keras 3 preprocessing layers (tf.data)"] = (
            lambda: iterator_puller(iter(layer_ds)))
        reference = opencv_reference(x)
        if reference is not None:
            pulls["reference: OpenCV warpAffine + flip, 2 threads"] = reference
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rates = best_rates(pulls, args.batches, args.rounds)
            fresh = fresh_rate(pulls["kfitcompat fast path (workers=2)"], 8, args.rounds)
            later = later_pass_rate(pulls["kfitcompat fast path (workers=2)"], 8, args.rounds)
        legacy = rates["tf_keras ImageDataGenerator"]
        ref = rates.get("reference: OpenCV warpAffine + flip, 2 threads")
        for name, r in rates.items():
            versus = f" {r / ref:13.2f}x" if ref else ""
            print(f"{size:5d} {name:48s} {r:9.0f} {r / legacy:11.2f}x{versus}", flush=True)
        steady = rates["kfitcompat fast path (workers=2)"]
        for name, r in (("kfitcompat fast path, first pass of 8 batches", fresh),
                        ("kfitcompat fast path, later pass of 8 batches", later)):
            print(f"{size:5d} {name:48s} {r:9.0f} {r / legacy:11.2f}x"
                  + (f" {r / ref:13.2f}x" if ref else "")
                  + f"  ({r / steady:.2f}x the steady rate)", flush=True)


if __name__ == "__main__":
    main()
