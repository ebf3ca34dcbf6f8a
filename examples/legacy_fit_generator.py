"""A Keras 2 training script, unchanged but for two lines, on Keras 3.

`fit_generator` with a `Sequence` loaded by 2 worker processes, a plain (not thread-safe)
generator drawn by 4 threads for validation, then `evaluate_generator` and
`predict_generator`. The data is generated: nothing is downloaded.

    python examples/legacy_fit_generator.py [--epochs 5]
"""

import argparse

import numpy as np

import kfitcompat

kfitcompat.install()  # the one added line: Keras 2 methods and arguments on keras.Model

import keras  # noqa: E402  (from here on, Keras 2 code as it was written)
from keras.layers import Dense  # noqa: E402
from keras.models import Sequential  # noqa: E402


class Blobs(keras.utils.Sequence):
    """Two Gaussian blobs in 8 dimensions, 32 samples per batch, index-addressable."""

    def __init__(self, batches, seed):
        rng = np.random.RandomState(seed)
        self.y = rng.randint(0, 2, size=(batches * 32, 1)).astype("float32")
        self.x = (rng.normal(size=(batches * 32, 8)) + 2 * self.y).astype("float32")

    def __len__(self):
        return len(self.x) // 32

    def __getitem__(self, i):
        return self.x[i * 32:(i + 1) * 32], self.y[i * 32:(i + 1) * 32]


def validation_batches(seq):
    """A plain generator, as Keras 2 users wrote them: endless, and not thread-safe."""
    while True:
        for i in range(len(seq)):
            yield seq[i]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    train, val = Blobs(40, seed=0), Blobs(10, seed=1)
    model = Sequential([Dense(16, activation="relu", input_shape=(8,)),
                        Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit_generator(
        train, steps_per_epoch=len(train), epochs=args.epochs,
        validation_data=validation_batches(val), validation_steps=len(val),
        workers=2, use_multiprocessing=True, max_queue_size=10, verbose=2)
    loss, acc = model.evaluate_generator(val, workers=4)
    predictions = model.predict_generator(val, steps=len(val))
    print("history keys:", sorted(history.history))
    print(f"evaluate_generator: loss {loss:.3f}, acc {acc:.3f}")
    print("predict_generator:", predictions.shape)


if __name__ == "__main__":  # worker processes import this module: keep the guard
    main()
