"""Per-step cost of legacy training through kfitcompat, measured side by side in one run.

Compares, on the same tiny model and data (so the input path dominates):
  * Keras 3 ``Model.fit`` on in-memory arrays (the native baseline),
  * ``kfitcompat.fit_generator`` over a ``Sequence`` (workers=1) and a plain generator,
  * ``tf_keras`` ``Model.fit_generator`` over the same Sequence (the legacy implementation).
Every path runs a short call (``steps // 5``) and a long one (``steps``) in each of
``--rounds`` rounds, the paths interleaved so that drift on a shared machine hits them
alike. Prints, per path, the per-step cost (the slope between the short and the long
call, best of the rounds for each: what a step costs once the call is set up), the cost of one
call's setup (intercept) and the whole long call per step (best round), each with its
ratio to the Keras 3 baseline. Not a test: run it by hand.

    python benchmarks/bench_training.py [--steps 1000] [--rounds 5]
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


def measure(paths, steps, rounds):
    """``{name: (per-step ms, setup ms, whole-call ms/step)}``, the paths interleaved.

    Best of the rounds: on a shared machine noise only ever adds time."""
    short = max(steps // 5, 1)
    for fn in paths.values():
        fn(short)  # warm-up: tracing and the first epoch
    times = {name: ([], []) for name in paths}
    for _ in range(rounds):
        for name, fn in paths.items():
            for n, into in ((short, times[name][0]), (steps, times[name][1])):
                start = time.perf_counter()
                fn(n)
                into.append(time.perf_counter() - start)
    out = {}
    for name, (shorts, longs) in times.items():
        slope = (min(longs) - min(shorts)) / (steps - short)
        setup = min(shorts) - slope * short
        out[name] = (slope * 1000.0, setup * 1000.0, min(longs) / steps * 1000.0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
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
    paths = {
        "Keras 3 fit(arrays)": lambda s: model("arrays").fit(
            x[:s * BATCH], y[:s * BATCH], batch_size=BATCH, shuffle=False, verbose=0),
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
    rows = measure(paths, args.steps, args.rounds)
    base = rows["Keras 3 fit(arrays)"]
    print(f"{args.rounds} rounds, calls of {max(args.steps // 5, 1)} and {args.steps} steps")
    print(f"{'path':38s} {'ms/step':>8s} {'ratio':>6s} {'setup ms':>9s} {'ratio':>6s} "
          f"{'call ms/step':>13s} {'ratio':>6s}")
    for name, (step, setup, whole) in rows.items():
        print(f"{name:38s} {step:8.3f} {step / base[0]:5.2f}x {setup:9.1f} "
              f"{setup / base[1]:5.2f}x {whole:13.3f} {whole / base[2]:5.2f}x")


if __name__ == "__main__":
    main()
