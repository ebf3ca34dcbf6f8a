"""workers / use_multiprocessing: wall time of one epoch, measured side by side in one run.

A Sequence of 64 batches that costs ~10 ms each, either sleeping (I/O-bound) or doing numpy
work (CPU-bound), on a tiny model. For N workers, compares
  * kfitcompat.fit_generator(seq, workers=N[, use_multiprocessing=True]),
  * Keras 3 fit(PyDataset(workers=N, use_multiprocessing=...)),
  * tf_keras fit_generator(seq, workers=N, use_multiprocessing=...).
Prints seconds per epoch and the ratio to the ideal max(model time, load time / N), where
model time is Keras 3 fit on the same batches already in memory (the fit call's own cost) and
load time / N is only reachable by threads when loading releases the GIL (sleep, I/O) and by
processes otherwise.

    python benchmarks/bench_workers.py [--workers 1 2 4 8] [--batches 64]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from benchmarks_helpers import CpuSeq, IoSeq, as_pydataset, as_tf_keras  # noqa: E402

import kfitcompat  # noqa: E402


def tiny(lib):
    m = lib.Sequential([lib.Input((16,)), lib.layers.Dense(1)])
    m.compile("sgd", "mse")
    return m


def epoch_time(run) -> float:
    run()  # warm-up (tracing, spawning)
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--batches", type=int, default=64)
    parser.add_argument("--skip-tf-keras", action="store_true")
    args = parser.parse_args()
    try:
        import tf_keras
    except ImportError:
        tf_keras = None
    if args.skip_tf_keras:
        tf_keras = None
    print(f"{'load':5s} {'mp':3s} {'N':>2s} {'ideal s':>8s} {'kfitcompat':>11s} "
          f"{'Keras3 PyDataset':>17s} {'tf_keras':>9s}  ours/ideal  ours/K3")
    m = tiny(keras)
    x, y = np.ones((32 * args.batches, 16), "float32"), np.ones((32 * args.batches, 1), "float32")
    model_time = epoch_time(lambda: m.fit(x, y, batch_size=32, shuffle=False, verbose=0))
    print(f"model time (Keras 3 fit, {args.batches} in-memory batches): {model_time:.2f} s")
    for kind, cls in (("io", IoSeq), ("cpu", CpuSeq)):
        seq = cls(args.batches)
        load_total = seq.measure_load()
        for mp in (False, True):
            for n in args.workers:
                load = load_total / n if mp or kind == "io" else load_total
                ideal = max(model_time, load)
                m = tiny(keras)
                ours = epoch_time(lambda: kfitcompat.fit_generator(
                    m, seq, workers=n, use_multiprocessing=mp, verbose=0))
                m = tiny(keras)
                k3 = epoch_time(lambda: m.fit(as_pydataset(seq, n, mp), verbose=0))
                tfk = float("nan")
                if tf_keras is not None and not mp:
                    m2 = tiny(tf_keras)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        tfk = epoch_time(lambda: m2.fit_generator(
                            as_tf_keras(seq), workers=n, use_multiprocessing=mp, verbose=0))
                print(f"{kind:5s} {'yes' if mp else 'no':3s} {n:2d} {ideal:8.2f} {ours:11.2f} "
                      f"{k3:17.2f} {tfk:9.2f}  {ours / ideal:9.2f}x {ours / k3:7.2f}x",
                      flush=True)


if __name__ == "__main__":
    main()
