"""Keras 2 image augmentation: `from keras.preprocessing.image import ImageDataGenerator`
and the functional helpers, on Keras 3 after `kfitcompat.install()`.

Draws a small folder of shape images (no download), trains from `flow_from_directory` with
augmentation, and applies `random_rotation` / `flip_axis` to one image.

    python examples/legacy_image_augmentation.py [--epochs 10] [--out DIR]
"""

import argparse
import os
import tempfile

import numpy as np

import kfitcompat
from kfitcompat.demo_data import make_shapes

kfitcompat.install()

from keras.layers import Conv2D, Dense, Flatten, MaxPooling2D  # noqa: E402
from keras.models import Sequential  # noqa: E402
from keras.preprocessing.image import (  # noqa: E402
    ImageDataGenerator,
    flip_axis,
    img_to_array,
    load_img,
    random_rotation,
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--out", default=None, help="where to draw the images (default: temp)")
    args = parser.parse_args()
    root = make_shapes(args.out or os.path.join(tempfile.mkdtemp(), "shapes"), n_per_class=60)
    datagen = ImageDataGenerator(rescale=1 / 255, rotation_range=30, zoom_range=0.2,
                                 horizontal_flip=True, validation_split=0.2)
    train = datagen.flow_from_directory(root, target_size=(32, 32), batch_size=16,
                                        subset="training", seed=1)
    val = datagen.flow_from_directory(root, target_size=(32, 32), batch_size=16,
                                      subset="validation", shuffle=False)
    print("classes:", train.class_indices)
    model = Sequential([Conv2D(16, 3, activation="relu", input_shape=(32, 32, 3)),
                        MaxPooling2D(), Flatten(), Dense(3, activation="softmax")])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    model.fit_generator(train, epochs=args.epochs, validation_data=val, workers=2, verbose=2)

    first = os.path.join(root, "circle", sorted(os.listdir(os.path.join(root, "circle")))[0])
    image = img_to_array(load_img(first))
    rotated = random_rotation(image, 45, row_axis=0, col_axis=1, channel_axis=2)
    mirrored = flip_axis(image, 1)
    print("random_rotation:", rotated.shape, "| flip_axis equal to numpy's:",
          bool(np.array_equal(mirrored, image[:, ::-1])))


if __name__ == "__main__":
    main()
