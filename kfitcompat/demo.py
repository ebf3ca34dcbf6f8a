"""``kfitcompat demo``: a Keras 2-era image training script, run unchanged on Keras 3.

With no download, it draws an embedded dataset (shapes on noisy backgrounds, one folder
per class) and trains a small CNN the way Keras 2 scripts did:
``ImageDataGenerator(...).flow_from_directory(..., subset=...)`` with
``validation_split``, ``model.fit_generator(..., steps_per_epoch=..., validation_steps=...,
workers=2)``, the Keras progress bar, ``history.history['val_acc']``. ``--data DIR``
trains on your own class-per-folder images instead.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator

__all__ = ["main"]

# What TensorFlow's C++ side writes to stderr when it starts on a machine without a GPU (before
# its logging is set up, so TF_CPP_MIN_LOG_LEVEL does not reach it); none of it is an error.
_START_NOISE = re.compile(
    r"All log messages before absl::InitializeLog|oneDNN custom operations are on|"
    r"Could not find cuda drivers|failed call to cuInit|Unable to register cu(DNN|FFT|BLAS)|"
    r"computation placer already registered|TF-TRT Warning|This TensorFlow binary is optimized|"
    r"rebuild TensorFlow with the appropriate compiler flags|cuda_(diagnostics|executor)\.cc|"
    r"kernel driver does not appear to be running|no NVIDIA GPU device|"
    r"Attempting to register factory for plugin"
)


DEFAULT_EPOCHS = 12


def _epochs(n: int) -> str:
    return f"{n} epoch" if n == 1 else f"{n} epochs"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


@contextlib.contextmanager
def _tensorflow_start_explained() -> Iterator[None]:
    """Hold back TensorFlow's CPU-only start-up lines and print one line instead.

    File descriptor 2 goes to a temporary file while TensorFlow loads and looks for a GPU;
    afterwards the lines that are known start-up noise are replaced by one explanation and any
    other line is written to stderr as it was.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            lines = held.read().decode("utf-8", "replace").splitlines()
    noise = [line for line in lines if _START_NOISE.search(line)]
    for line in lines:
        if line not in noise:
            print(line, file=sys.stderr)
    if noise:
        print("TensorFlow found no GPU and trains on the CPU (its start-up log is held back: "
              f"{len(noise)} lines).", file=sys.stderr)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="kfitcompat demo",
                                     description=__doc__.split("\n")[0].replace("``", ""))
    parser.add_argument("--epochs", type=_positive_int, default=DEFAULT_EPOCHS,
                        help=f"training epochs, at least 1 (default {DEFAULT_EPOCHS})")
    parser.add_argument("--data", default=None,
                        help="a folder with one sub-folder of images per class (default: draw "
                             "the embedded shapes dataset)")
    parser.add_argument("--out", default="kfitcompat-demo",
                        help="where the dataset and the metric plot go (default ./kfitcompat-demo)")
    parser.add_argument("--workers", type=_positive_int, default=2,
                        help="loader threads, as fit_generator(workers=N) (default 2)")
    parser.add_argument("--image-size", type=_positive_int, default=32,
                        help="side of the square images, in pixels (default 32)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.data is not None and not os.path.isdir(args.data):
        print(f"kfitcompat demo: --data {args.data!r} is not a folder.", file=sys.stderr)
        return 2
    with _tensorflow_start_explained():
        import tensorflow as tf

        tf.config.list_physical_devices("GPU")
    import keras

    import kfitcompat
    from kfitcompat.demo_data import make_shapes

    data = args.data
    if data is None:
        data = os.path.join(args.out, "shapes")
        if not os.path.isdir(data):
            make_shapes(data, n_per_class=300, size=args.image_size)
            print(f"Drew the demo dataset into {data}/ (circle, square, triangle).")

    kfitcompat.install()  # the one-line change a legacy script needs
    try:
        from keras.preprocessing.image import ImageDataGenerator  # Keras 2 import path

        size = (args.image_size, args.image_size)
        datagen = ImageDataGenerator(rescale=1.0 / 255, rotation_range=15, zoom_range=0.1,
                                     width_shift_range=0.1, height_shift_range=0.1,
                                     horizontal_flip=True, validation_split=0.2)
        train = datagen.flow_from_directory(data, target_size=size, batch_size=32,
                                            subset="training", seed=1)
        val = datagen.flow_from_directory(data, target_size=size, batch_size=32,
                                          subset="validation", shuffle=False)
        if train.samples == 0 or val.samples == 0:
            print("kfitcompat demo: need images in at least two class folders.",
                  file=sys.stderr)
            return 2
        model = keras.Sequential([
            keras.Input(size + (3,)),
            keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
            keras.layers.GlobalMaxPooling2D(),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(train.num_classes, activation="softmax"),
        ])
        model.compile(keras.optimizers.Adam(learning_rate=0.002), "categorical_crossentropy",
                      metrics=["accuracy"])
        plot_path = os.path.join(args.out, "metrics.png")
        view_metrics = _plot_target(plot_path)
        print(f"kfitcompat {kfitcompat.__version__} on Keras {keras.__version__}: "
              f"model.fit_generator(..., workers={args.workers}) as in Keras 2.")
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            history = model.fit_generator(
                train, steps_per_epoch=len(train), epochs=args.epochs,
                validation_data=val, validation_steps=len(val),
                workers=args.workers, verbose=2,
                view_metrics=view_metrics,
            )
        elapsed = time.perf_counter() - start
        val_acc = history.history["val_acc"][-1]  # Keras 2.2.4's key name still works
        print(f"validation accuracy: {val_acc:.3f} after {_epochs(len(history.epoch))} "
              f"({elapsed:.1f} s)")
        if view_metrics:
            print(f"metric plot: {os.path.abspath(plot_path)}")
        else:
            print("metric plot: not drawn (pip install matplotlib, or \"kfitcompat[plot]\")")
        if args.data is None and val_acc < 0.9:
            if args.epochs < DEFAULT_EPOCHS:
                print(f"({args.epochs} of the default {DEFAULT_EPOCHS} epochs: those reach "
                      "0.9 on this dataset.)")
            else:
                print(f"kfitcompat demo: validation accuracy {val_acc:.3f} is under 0.9 after "
                      f"{_epochs(len(history.epoch))}: the demo did not learn.",
                      file=sys.stderr)
                return 1
        return 0
    finally:
        kfitcompat.uninstall()


def _plot_target(path: str) -> str | bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return path


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
