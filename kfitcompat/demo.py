"""``kfitcompat demo``: a Keras 2-era training script, run unchanged on Keras 3.

The data are generated (no download): three interleaved spirals of 2-D points.
The script is written the way Keras 2 users wrote it: a ``keras.utils.Sequence``
that never calls ``super().__init__()``, a plain generator, ``fit_generator``
with ``steps_per_epoch``/``validation_steps``, ``workers``, ``nb_epoch``, and
``history.history['val_acc']``.
"""

from __future__ import annotations

import argparse
import math
import time
import warnings
from collections.abc import Iterator

import numpy as np

__all__ = ["main", "make_spirals"]


def make_spirals(n_per_class: int = 600, classes: int = 3, seed: int = 0
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Points on ``classes`` noisy spiral arms, shuffled; labels one-hot."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for c in range(classes):
        r = np.linspace(0.05, 1.0, n_per_class)
        t = np.linspace(c * 2 * math.pi / classes, c * 2 * math.pi / classes + 3.5, n_per_class)
        t = t + rng.normal(scale=0.12, size=n_per_class)
        xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        ys.append(np.full(n_per_class, c))
    x = np.concatenate(xs).astype("float32")
    y = np.eye(classes, dtype="float32")[np.concatenate(ys)]
    order = rng.permutation(len(x))
    return x[order], y[order]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kfitcompat demo", description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    import keras

    import kfitcompat

    kfitcompat.install()  # the one-line change a legacy script needs

    from keras.utils import Sequence  # Keras 2 import path, now kfitcompat.Sequence

    x, y = make_spirals()
    x_train, y_train, x_val, y_val = x[:1440], y[:1440], x[1440:], y[1440:]
    batch_size = 32

    class ValidationSequence(Sequence):  # Keras 2 style: no super().__init__()
        def __init__(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> None:
            self.x, self.y, self.batch_size = x, y, batch_size

        def __len__(self) -> int:
            return math.ceil(len(self.x) / self.batch_size)

        def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
            s = slice(i * self.batch_size, (i + 1) * self.batch_size)
            return self.x[s], self.y[s]

    def train_generator() -> Iterator[list[np.ndarray]]:  # yields lists, as Keras 2 allowed
        rng = np.random.default_rng(1)
        while True:
            idx = rng.integers(0, len(x_train), batch_size)
            yield [x_train[idx] + rng.normal(scale=0.01, size=(batch_size, 2)).astype("float32"),
                   y_train[idx]]

    model = keras.Sequential([
        keras.Input((2,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(3, activation="softmax"),
    ])
    model.compile(keras.optimizers.Adam(learning_rate=0.01), "categorical_crossentropy",
                  metrics=["accuracy"])

    print(f"kfitcompat {kfitcompat.__version__} on Keras {keras.__version__}: training a "
          f"Keras 2-style script (fit_generator, nb_epoch, workers={args.workers}).")
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", kfitcompat.LegacyArgumentWarning)
        history = model.fit_generator(
            train_generator(),
            steps_per_epoch=len(x_train) // batch_size,
            nb_epoch=args.epochs,  # Keras 1 spelling: translated, with a warning
            validation_data=ValidationSequence(x_val, y_val, batch_size),
            validation_steps=len(x_val) // batch_size,
            workers=args.workers,
            max_queue_size=10,
            verbose=2,
        )
    elapsed = time.perf_counter() - start
    for w in caught:
        print(f"  warning shown to the user: {w.message}")
    val_acc = history.history["val_acc"][-1]  # Keras 2.2.4's key name still works
    loss, acc = model.evaluate_generator(ValidationSequence(x_val, y_val, batch_size))
    print(f"metrics_names: {model.metrics_names}  evaluate_generator: loss={loss:.4f} "
          f"accuracy={acc:.4f}")
    print(f"validation accuracy after {len(history.epoch)} epochs: {val_acc:.3f} "
          f"(time {elapsed:.1f} s)")
    kfitcompat.uninstall()
    return 0 if val_acc >= 0.9 else 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
