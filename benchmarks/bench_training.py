"""Per-step cost of legacy training through kfitcompat, measured side by side in one run.

Compares, on the same tiny model and data (so the input path dominates):
  * Keras 3 ``Model.fit`` on in-memory arrays (the native baseline),
  * ``kfitcompat.fit_generator`` over a ``Sequence`` (workers=1) and a plain generator,
  * ``tf_keras`` ``Model.fit_generator`` over the same Sequence (the legacy implementation).
This machine's speed drifts by up to 2x over seconds, so every path is timed in pairs with the
baseline: in each of ``--rounds`` rounds, one call of ``--steps`` steps of the path and one of
the baseline back to back (the order alternating between rounds). Prints, per path, the best
ms/step and the median of the pairs' ratios (the figure to read). Not a test: run it by hand.

    python benchmarks/bench_training.py [--steps 1000] [--rounds 7]
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


def measure(paths, baseline, steps, rounds):
    """``{name: (best ms/step, median ratio to the baseline over back-to-back pairs)}``."""
    for fn in (baseline, *paths.values()):
        fn(max(steps // 5, 1))  # warm-up: tracing and the first epoch
    out = {}
    for name, fn in paths.items():
        times, ratios = [], []
        for r in range(rounds):
            pair = {}
            for which, run in ((("base", baseline), ("path", fn)) if r % 2 == 0
                               else (("path", fn), ("base", baseline))):
                start = time.perf_counter()
                run(steps)
                pair[which] = time.perf_counter() - start
            times.append(pair["path"])
            ratios.append(pair["path"] / pair["base"])
        out[name] = (min(times) / steps * 1000.0, float(np.median(ratios)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(BATCH * args.steps, FEATURES)).astype("float32")
    y = rng.normal(size=(BATCH * args.steps, 1)).astype("float32")

    def gen():
        i, n = 0, len(x) // BATCH
        while True:
            yield x[(i % n) * BATCH:(i % n + 1) * BATCH], y[(i % n) * BATCH:(i % n + 1) * BATCH]
            i += 1

    models = {}

    def model(name, lib=keras):
        if name not in models:
            models[name] = model_for(lib)
        return models[name]

    seq = make_sequence(kfitcompat.Sequence, x, y)

    def baseline(s):
        model("arrays").fit(x[:s * BATCH], y[:s * BATCH], batch_size=BATCH, shuffle=False,
                            verbose=0)

    paths = {
        "Keras 3 fit(arrays), again": baseline,
        "Keras 3 fit(PyDataset)": lambda s: model("pyds").fit(_Capped(seq, s), verbose=0),
        "kfitcompat fit_generator(Sequence)": lambda s: kfitcompat.fit_generator(
            model("seq"), seq, steps_per_epoch=s, verbose=0),
        "kfitcompat fit_generator(generator)": lambda s: kfitcompat.fit_generator(
            model("gen"), gen(), steps_per_epoch=s, verbose=0),
    }
    try:
        import tf_keras
    except ImportError:
        tf_keras = None
    if tf_keras is not None:
        seq2 = make_sequence(tf_keras.utils.Sequence, x, y)

        def legacy(s):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model("tf_keras", tf_keras).fit_generator(seq2, steps_per_epoch=s, verbose=0)

        paths["tf_keras fit_generator(Sequence)"] = legacy
    rows = measure(paths, baseline, args.steps, args.rounds)
    print(f"{args.rounds} pairs of calls of {args.steps} steps with Keras 3 fit(arrays)")
    print(f"{'path':38s} {'best ms/step':>12s} {'median ratio to Keras 3 arrays':>31s}")
    for name, (ms, ratio) in rows.items():
        print(f"{name:38s} {ms:12.3f} {ratio:30.2f}x")


if __name__ == "__main__":
    main()
