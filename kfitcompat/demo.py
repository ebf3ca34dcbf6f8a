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
import os
import time
import warnings

__all__ = ["main"]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="kfitcompat demo", description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=12, help="training epochs (default 12)")
    parser.add_argument("--data", default=None,
                        help="a folder with one sub-folder of images per class (default: draw "
                             "the embedded shapes dataset)")
    parser.add_argument("--out", default="kfitcompat-demo",
                        help="where the dataset and the metric plot go (default ./kfitcompat-demo)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--image-size", type=int, default=32)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    import keras

    import kfitcompat
    from kfitcompat.demo_data import make_shapes

    data = args.data
    if data is None:
        data = os.path.join(args.out, "shapes")
        if not os.path.isdir(data):
            make_shapes(data, n_per_class=300, size=args.image_size)
            print(f"Drew the demo dataset into {data}/ (circle, square, triangle).")
    elif not os.path.isdir(data):
        print(f"kfitcompat demo: --data {data!r} is not a folder.")
        return 2

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
            print("kfitcompat demo: need images in at least two class folders.")
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
        print(f"validation accuracy: {val_acc:.3f} after {len(history.epoch)} epochs "
              f"({elapsed:.1f} s)")
        if view_metrics:
            print(f"metric plot: {os.path.abspath(plot_path)}")
        else:
            print("metric plot: not drawn (pip install matplotlib, or \"kfitcompat[plot]\")")
        return 0 if args.data is not None or val_acc >= 0.9 else 1
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
