"""Keras 1 spellings (`nb_epoch`, `samples_per_epoch`, `nb_val_samples`, `nb_worker`,
`pickle_safe`, `max_q_size`) translated on Keras 3, each with a warning naming the modern one.
Note `samples_per_epoch` on a plain generator: Keras 2.0 used the number as a step count (a
generator has no `batch_size` to divide by), and so does kfitcompat, saying so.

    python examples/keras1_spellings.py
"""

import warnings

import numpy as np

import kfitcompat

kfitcompat.install()

from keras.layers import Dense  # noqa: E402
from keras.models import Sequential  # noqa: E402


def batches(x, y, size):
    while True:
        for i in range(0, len(x), size):
            yield x[i:i + size], y[i:i + size]


def main():
    rng = np.random.RandomState(0)
    x = rng.rand(256, 4).astype("float32")
    y = (x.sum(axis=1, keepdims=True) > 2).astype("float32")
    model = Sequential([Dense(8, activation="relu", input_dim=4), Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(x, y, nb_epoch=2, batch_size=32, verbose=0)
        history = model.fit_generator(
            batches(x, y, 32), samples_per_epoch=256, nb_epoch=3,
            validation_data=batches(x, y, 64), nb_val_samples=128,
            nb_worker=2, pickle_safe=False, max_q_size=5, verbose=0)
    for w in caught:
        if isinstance(w.message, kfitcompat.LegacyArgumentWarning):
            print("warning:", w.message)
    print("epochs run:", history.epoch, "| keys:", sorted(history.history))


if __name__ == "__main__":
    main()
