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

This machine's speed drifts by up to 2x over seconds (a pure-Python loop timed back to back
took 0.55-0.97 s), so within a row the implementations run interleaved, ``--rounds`` times,
and the best of each is printed; the CPU-bound processes rows end with workers=2 vs workers=1
measured the same way (pairs of calls back to back, median of the pairs' ratios).

    python benchmarks/bench_workers.py [--workers 1 2 4 8] [--batches 64] [--rounds 3]
    python benchmarks/bench_workers.py --images [--rounds 3]
    python benchmarks/bench_workers.py --long [--epochs 16]
    python benchmarks/bench_workers.py --iterator [--batches 64] [--rounds 3]

``--long``: the CPU-bound Sequence in one call of ``--epochs`` epochs, so that worker processes
run past their start: seconds per epoch once the workers serve (median of the epochs after the
third), for kfitcompat threads workers=1 and processes workers=1 / 2 (processes from the first
batch, ``KFITCOMPAT_PROCESSES_AFTER=0``, and the default threads-first plan) and Keras 3
``PyDataset(use_multiprocessing=True)`` workers=1 / 2; the whole call's wall time beside it.

``--images``: one epoch of ``flow_from_directory`` over a generated folder of 384 JPEGs
(150x150, rescale + shear + zoom + flip, batch 32, a small CNN) for tf_keras and kfitcompat
with workers=1, workers=4 and workers=2 processes, and Keras 3's own
``image_dataset_from_directory`` + preprocessing layers; each call is one ``epochs=1`` call
(worker processes start inside it, as they do for a user's call).

``--iterator``: a picklable iterator class (defined in ``__main__``, as in a user's script:
it travels by value) whose batches cost ~10 ms of numpy work, in one short call of 2 epochs
of ``--batches`` steps: kfitcompat in a thread and in a producer process
(``use_multiprocessing=True``), tf_keras ``fit_generator`` the same two ways, and Keras 3's
``fit`` on the iterator (which has no workers for iterators). Every call pays its process's
start, as a user's call does.
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


def best_times(runs: dict, rounds: int) -> dict:
    """Best wall time of each run, after one warm-up call each (tracing, spawning), the runs
    interleaved so that the machine's drift hits them alike."""
    for run in runs.values():
        run()
    times: dict = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return times


def _jpeg_folder(root: str, n: int = 384) -> str:
    from PIL import Image

    rng = np.random.default_rng(0)
    for i in range(n):
        folder = os.path.join(root, f"class{i % 2}")
        os.makedirs(folder, exist_ok=True)
        pixels = rng.integers(0, 255, (150, 150, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(os.path.join(folder, f"{i}.jpg"), quality=90)
    return root


def _cnn(lib):
    layers = lib.layers
    model = lib.Sequential([lib.Input((150, 150, 3)), layers.Conv2D(8, 3, strides=2),
                            layers.MaxPooling2D(4), layers.Flatten(), layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


def images(rounds: int) -> None:
    import tempfile

    try:
        import tf_keras
    except ImportError:
        tf_keras = None
    augment = dict(rescale=1 / 255, shear_range=0.2, zoom_range=0.2, horizontal_flip=True)
    plans = {"workers=1": (1, False), "workers=4": (4, False), "2 processes": (2, True)}
    with tempfile.TemporaryDirectory() as root:
        folder = _jpeg_folder(root)
        runs = {}
        for label, (n, mp) in plans.items():
            flow = kfitcompat.image.ImageDataGenerator(**augment).flow_from_directory(
                folder, target_size=(150, 150), class_mode="binary", batch_size=32)
            ours = _cnn(keras)
            runs[f"kfitcompat {label}"] = (lambda m=ours, f=flow, n=n, mp=mp:
                                           kfitcompat.fit_generator(
                                               m, f, epochs=1, workers=n,
                                               use_multiprocessing=mp, verbose=0))
            if tf_keras is not None:
                legacy = tf_keras.preprocessing.image.ImageDataGenerator(
                    **augment).flow_from_directory(folder, target_size=(150, 150),
                                                   class_mode="binary", batch_size=32)

                theirs = _cnn(tf_keras)

                def run(m=theirs, f=legacy, n=n, mp=mp):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        m.fit(f, epochs=1, workers=n, use_multiprocessing=mp, verbose=0)

                runs[f"tf_keras {label}"] = run
        layers = keras.layers
        native = keras.utils.image_dataset_from_directory(
            folder, image_size=(150, 150), batch_size=32, label_mode="binary", verbose=False)
        augmenting = keras.Sequential([layers.Rescaling(1 / 255), layers.RandomShear(0.2),
                                       layers.RandomZoom(0.2), layers.RandomFlip("horizontal")])
        native = native.map(lambda x, y: (augmenting(x, training=True), y),
                            num_parallel_calls=-1).prefetch(-1)
        plain = _cnn(keras)
        runs["Keras 3 image_dataset_from_directory + layers"] = (
            lambda: plain.fit(native, epochs=1, verbose=0))
        times = best_times(runs, rounds)
        threads = min(times["kfitcompat workers=1"])
        print(f"one epoch, 384 JPEGs 150x150, batch 32 (best of {rounds} interleaved rounds)")
        for name, values in times.items():
            print(f"  {name:48s} {min(values):6.2f} s  {min(values) / threads:5.2f}x "
                  "kfitcompat workers=1", flush=True)


class CpuBatches:
    """A picklable iterator of CPU-bound batches (numpy work that holds the GIL)."""

    def __init__(self, ms: float = 10.0) -> None:
        self.ms, self.i = ms, 0

    def __iter__(self):
        return self

    def __next__(self):
        end = time.perf_counter() + self.ms / 1000
        x = np.ones((32, 16), "float32")
        while time.perf_counter() < end:
            x = np.sqrt(x * x)
        self.i += 1
        return x, np.ones((32, 1), "float32")


def iterators(batches: int, rounds: int) -> None:
    """One short call on a picklable iterator: thread vs producer process (see module doc)."""
    try:
        import tf_keras
    except ImportError:
        tf_keras = None
    epochs = 2
    models = {name: tiny(keras) for name in ("threads", "process", "k3")}
    runs = {
        "kfitcompat thread (use_multiprocessing=False)": lambda: kfitcompat.fit_generator(
            models["threads"], CpuBatches(), steps_per_epoch=batches, epochs=epochs,
            verbose=0),
        "kfitcompat producer process (use_multiprocessing=True)": lambda: (
            kfitcompat.fit_generator(models["process"], CpuBatches(), steps_per_epoch=batches,
                                     epochs=epochs, use_multiprocessing=True, verbose=0)),
        "Keras 3 fit(iterator)": lambda: models["k3"].fit(  # it takes generators only
            (batch for batch in CpuBatches()), steps_per_epoch=batches, epochs=epochs,
            shuffle=False, verbose=0),
    }
    if tf_keras is not None:
        for mp in (False, True):
            legacy_model = tiny(tf_keras)

            def legacy(m=legacy_model, mp=mp):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    m.fit_generator(CpuBatches(), steps_per_epoch=batches, epochs=epochs,
                                    use_multiprocessing=mp, verbose=0)

            runs[f"tf_keras fit_generator(use_multiprocessing={mp})"] = legacy
    print(f"picklable cpu-bound iterator, one call of {epochs} epochs x {batches} steps "
          f"(~10 ms per batch); best of {rounds} interleaved rounds")
    times = {name: min(t) for name, t in best_times(runs, rounds).items()}
    for name, best in times.items():
        print(f"  {name:56s} {best:6.2f} s", flush=True)
    thread = times["kfitcompat thread (use_multiprocessing=False)"]
    process = times["kfitcompat producer process (use_multiprocessing=True)"]
    print(f"kfitcompat producer process vs thread: {process / thread:.2f}x the time; vs "
          f"Keras 3 fit: {process / times['Keras 3 fit(iterator)']:.2f}x", flush=True)


class _EpochTimes(keras.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._start)


def long_calls(batches: int, epochs: int) -> None:
    """Steady-state epoch time of the CPU-bound Sequence in processes (see module doc)."""
    seq = CpuSeq(batches)
    load = min(seq.measure_load() for _ in range(3))
    plans = {
        "kfitcompat threads workers=1": ("ours", 1, False, None),
        "kfitcompat processes workers=1": ("ours", 1, True, "0"),
        "kfitcompat processes workers=2": ("ours", 2, True, "0"),
        "kfitcompat processes workers=2, default plan": ("ours", 2, True, ""),
        "Keras 3 PyDataset processes workers=1": ("k3", 1, True, None),
        "Keras 3 PyDataset processes workers=2": ("k3", 2, True, None),
    }
    print(f"cpu-bound Sequence, {batches} batches ({load:.2f} s of loading in one thread), "
          f"one call of {epochs} epochs each; seconds per epoch = median of epochs 4..{epochs}")
    results = {}
    for label, (lib, n, mp, after) in plans.items():
        model, times = tiny(keras), _EpochTimes()
        old = os.environ.get("KFITCOMPAT_PROCESSES_AFTER")
        if after is not None:
            os.environ["KFITCOMPAT_PROCESSES_AFTER"] = after
        start = time.perf_counter()
        try:
            if lib == "ours":
                kfitcompat.fit_generator(model, seq, epochs=epochs, workers=n,
                                         use_multiprocessing=mp, verbose=0, callbacks=[times])
            else:
                model.fit(as_pydataset(seq, n, mp), epochs=epochs, verbose=0, callbacks=[times])
        finally:
            if old is None:
                os.environ.pop("KFITCOMPAT_PROCESSES_AFTER", None)
            else:
                os.environ["KFITCOMPAT_PROCESSES_AFTER"] = old
        total = time.perf_counter() - start
        results[label] = float(np.median(times.times[3:]))
        print(f"  {label:46s} {results[label]:6.3f} s/epoch   call {total:6.1f} s", flush=True)
    one, two = results["kfitcompat processes workers=1"], results["kfitcompat processes workers=2"]
    threads = results["kfitcompat threads workers=1"]
    k3_one, k3_two = (results[f"Keras 3 PyDataset processes workers={n}"] for n in (1, 2))
    print(f"kfitcompat processes workers=2 vs workers=1: {one / two:.2f}x faster per epoch; "
          f"vs threads workers=1: {threads / two:.2f}x; Keras 3 PyDataset workers=2 vs 1: "
          f"{k3_one / k3_two:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--batches", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-tf-keras", action="store_true")
    parser.add_argument("--images", action="store_true")
    parser.add_argument("--long", action="store_true")
    parser.add_argument("--epochs", type=int, default=16)
    parser.add_argument("--iterator", action="store_true")
    args = parser.parse_args()
    if args.iterator:
        iterators(args.batches, args.rounds)
        return
    if args.long:
        long_calls(args.batches, args.epochs)
        return
    if args.images:
        images(args.rounds)
        return
    try:
        import tf_keras
    except ImportError:
        tf_keras = None
    if args.skip_tf_keras:
        tf_keras = None
    x, y = np.ones((32 * args.batches, 16), "float32"), np.ones((32 * args.batches, 1), "float32")
    base = tiny(keras)
    model_time = min(best_times({"arrays": lambda: base.fit(
        x, y, batch_size=32, shuffle=False, verbose=0)}, 5)["arrays"])
    print(f"model time (Keras 3 fit, {args.batches} in-memory batches): {model_time:.2f} s "
          f"(measured again in every row, for its ideal); best of {args.rounds} interleaved "
          "rounds per row")
    print(f"{'load':5s} {'mp':3s} {'N':>2s} {'ideal s':>8s} {'kfitcompat':>11s} "
          f"{'Keras3 PyDataset':>17s} {'tf_keras':>9s}  ours/ideal  ours/K3")
    for kind, cls in (("io", IoSeq), ("cpu", CpuSeq)):
        seq = cls(args.batches)
        load_total = min(seq.measure_load() for _ in range(3))
        for mp in (False, True):
            for n in args.workers:
                load = load_total / n if mp or kind == "io" else load_total
                models = {"ours": tiny(keras), "k3": tiny(keras)}
                runs = {
                    "model": lambda: base.fit(x, y, batch_size=32, shuffle=False, verbose=0),
                    "ours": lambda n=n, mp=mp: kfitcompat.fit_generator(
                        models["ours"], seq, workers=n, use_multiprocessing=mp, verbose=0),
                    "k3": lambda n=n, mp=mp: models["k3"].fit(
                        as_pydataset(seq, n, mp), verbose=0),
                }
                if tf_keras is not None and not mp:
                    legacy_model, legacy_seq = tiny(tf_keras), as_tf_keras(seq)

                    def legacy(n=n, m2=legacy_model, s2=legacy_seq):
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            m2.fit_generator(s2, workers=n, use_multiprocessing=False,
                                             verbose=0)

                    runs["tf_keras"] = legacy
                times = best_times(runs, args.rounds)
                ideal = max(min(times["model"]), load)
                ours, k3 = min(times["ours"]), min(times["k3"])
                tfk = min(times["tf_keras"]) if "tf_keras" in times else float("nan")
                print(f"{kind:5s} {'yes' if mp else 'no':3s} {n:2d} {ideal:8.2f} {ours:11.2f} "
                      f"{k3:17.2f} {tfk:9.2f}  {ours / ideal:9.2f}x {ours / k3:7.2f}x",
                      flush=True)
            if kind == "cpu" and mp and 1 in args.workers and 2 in args.workers:
                pair_models = {n: tiny(keras) for n in (1, 2)}
                pairs = best_times({n: (lambda n=n: kfitcompat.fit_generator(
                    pair_models[n], seq, workers=n, use_multiprocessing=True, verbose=0))
                    for n in (1, 2)}, 2 * args.rounds)
                ratios = [a / b for a, b in zip(pairs[1], pairs[2])]
                print(f"cpu, processes, workers=2 vs workers=1 ({len(ratios)} back-to-back "
                      f"pairs): best {min(pairs[1]):.2f} s vs {min(pairs[2]):.2f} s = "
                      f"{min(pairs[1]) / min(pairs[2]):.2f}x faster; median of the pairs "
                      f"{float(np.median(ratios)):.2f}x", flush=True)


if __name__ == "__main__":
    main()
