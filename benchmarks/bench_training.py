"""Per-step cost of legacy training through kfitcompat, measured side by side in one run.

Compares, on the same tiny model and data (so the input path dominates):
  * Keras 3 ``Model.fit`` on in-memory arrays (the native baseline),
  * ``kfitcompat.fit_generator`` over a ``Sequence`` (workers=1) and a plain generator,
  * ``tf_keras`` ``Model.fit_generator`` over the same Sequence (the legacy implementation).
Prints ms/step and the ratio to the Keras 3 baseline. Not a test: run it by hand.

    python benchmarks/bench_training.py [--steps 400] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import kfitcompat  # noqa: E402

BATCH, FEATURES = 32, 16


def model_for(lib):
    m = lib.Sequential([lib.Input((FEATURES,)), lib.layers.Dense(32, activation="relu"),
                        lib.layers.Dense(1)])
    m.compile(lib.optimizers.SGD(learning_rate=0.01), "mse")
    return m


def make_sequence(base, x, y):
    class ArraySeq(base):
        def __len__(self):
            return len(x) // BATCH

        def __getitem__(self, i):
            return x[i * BATCH:(i + 1) * BATCH], y[i * BATCH:(i + 1) * BATCH]

    return ArraySeq()


class _Capped(keras.utils.PyDataset):
    """The first ``n`` batches of a Sequence, as a native Keras 3 PyDataset."""

    def __init__(self, seq, n):
        super().__init__()
        self.seq, self.n = seq, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return self.seq[i]


def timed(fn, steps, repeats):
    fn(steps // 4)  # warm-up: tracing and the first epoch
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn(steps)
        best = min(best, time.perf_counter() - start)
    return best / steps * 1000.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(BATCH * args.steps, FEATURES)).astype("float32")
    y = rng.normal(size=(BATCH * args.steps, 1)).astype("float32")

    def gen():
        i, n = 0, len(x) // BATCH
        while True:
            yield x[(i % n) * BATCH:(i % n + 1) * BATCH], y[(i % n) * BATCH:(i % n + 1) * BATCH]
            i += 1

    k3 = model_for(keras)
    rows = [("Keras 3 fit(arrays)",
             timed(lambda s: k3.fit(x[:s * BATCH], y[:s * BATCH], batch_size=BATCH,
                                    shuffle=False, verbose=0), args.steps, args.repeats))]
    m = model_for(keras)
    pyds = make_sequence(kfitcompat.Sequence, x, y)
    rows.append(("Keras 3 fit(PyDataset)",
                 timed(lambda s: m.fit(_Capped(pyds, s), verbose=0), args.steps, args.repeats)))
    m = model_for(keras)
    seq = make_sequence(kfitcompat.Sequence, x, y)
    rows.append(("kfitcompat fit_generator(Sequence)",
                 timed(lambda s: kfitcompat.fit_generator(m, seq, steps_per_epoch=s, verbose=0),
                       args.steps, args.repeats)))
    m = model_for(keras)
    rows.append(("kfitcompat fit_generator(generator)",
                 timed(lambda s: kfitcompat.fit_generator(m, gen(), steps_per_epoch=s, verbose=0),
                       args.steps, args.repeats)))
    try:
        import tf_keras
    except ImportError:
        tf_keras = None
    if tf_keras is not None:
        m2 = model_for(tf_keras)
        seq2 = make_sequence(tf_keras.utils.Sequence, x, y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows.append(("tf_keras fit_generator(Sequence)",
                         timed(lambda s: m2.fit_generator(seq2, steps_per_epoch=s, verbose=0),
                               args.steps, args.repeats)))
    base = rows[0][1]
    print(f"{'path':40s} {'ms/step':>8s} {'vs Keras 3 arrays':>18s}")
    for name, ms in rows:
        print(f"{name:40s} {ms:8.3f} {ms / base:17.2f}x")


if __name__ == "__main__":
    main()
