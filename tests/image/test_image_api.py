"""ImageDataGenerator as legacy scripts use it: training, import paths, errors, helpers."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from PIL import Image

import kfitcompat
from kfitcompat.image import ImageDataGenerator

kp = pytest.importorskip("keras_preprocessing.image")


def _cifar_like(n=64, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.normal(size=(n, 16, 16, 3)).astype("float32") * 0.1
    x[y == 1, 4:12, 4:12, :] += 1.0  # class 1 has a bright square
    return x, keras.utils.to_categorical(y, 2)


def _small_cnn():
    model = keras.Sequential([
        keras.Input((16, 16, 3)), keras.layers.Conv2D(4, 3, activation="relu"),
        keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2, activation="softmax"),
    ])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    return model


def test_the_seed_example_runs_unchanged_with_the_legacy_import():
    x, y = _cifar_like()
    with kfitcompat.install():
        from keras.preprocessing.image import ImageDataGenerator as LegacyIDG

        assert LegacyIDG is ImageDataGenerator
        datagen = LegacyIDG(rotation_range=30, zoom_range=0.20, fill_mode="nearest",
                            shear_range=0.20, horizontal_flip=True, width_shift_range=0.1,
                            height_shift_range=0.1)
        model = _small_cnn()
        history = model.fit_generator(datagen.flow(x, y, batch_size=16), validation_data=(x, y),
                                      steps_per_epoch=len(x) // 16, epochs=2, verbose=0)
    assert history.epoch == [0, 1]
    assert len(history.history["val_acc"]) == 2
    assert not hasattr(keras.Model, "fit_generator")


def test_every_legacy_image_name_is_importable_after_install():
    from kfitcompat.surface import LEGACY_IMAGE_NAMES

    with kfitcompat.install():
        import keras.preprocessing.image as legacy_module

        for name in LEGACY_IMAGE_NAMES:
            assert getattr(legacy_module, name) is getattr(kfitcompat.image, name), name
        from keras.utils import GeneratorEnqueuer, OrderedEnqueuer, Sequence  # noqa: F401
    assert not hasattr(keras.preprocessing.image, "ImageDataGenerator")
    assert not hasattr(keras.utils, "OrderedEnqueuer")


@pytest.mark.parametrize("name, args", [
    ("random_rotation", (30,)), ("random_shift", (0.2, 0.1)), ("random_shear", (20,)),
    ("random_zoom", ((0.7, 1.2),)), ("random_channel_shift", (10.0,)),
])
def test_functional_helpers_match_keras_preprocessing_with_the_global_seed(name, args):
    # keras-preprocessing 1.1.2 ignored row_axis/col_axis in these helpers (it centred the
    # transform on axes 0 and 1); kfitcompat uses the given axes, as tf.keras 2.9+ fixed.
    # With the image's rows and columns on axes 0 and 1 both agree.
    x = (np.random.default_rng(1).random((9, 8, 3)) * 255).astype("float32")
    axes = dict(channel_axis=2) if name == "random_channel_shift" else dict(
        row_axis=0, col_axis=1, channel_axis=2)
    np.random.seed(11)
    ours = getattr(kfitcompat.image, name)(x, *args, **axes)
    np.random.seed(11)
    legacy = getattr(kp, name)(x, *args, **axes)
    np.testing.assert_allclose(ours, legacy, atol=1e-4)


def test_flow_yields_every_sample_once_per_pass_and_is_reproducible_with_a_seed():
    x = np.arange(10, dtype="float32").reshape(10, 1, 1, 1) * np.ones((1, 3, 3, 1), "float32")
    gen = ImageDataGenerator(rotation_range=20)
    a = gen.flow(x, np.arange(10), batch_size=4, seed=3)
    b = gen.flow(x, np.arange(10), batch_size=4, seed=3)
    labels = np.concatenate([a[i][1] for i in range(len(a))])
    assert sorted(labels.tolist()) == list(range(10))
    for i in range(len(a)):
        np.testing.assert_array_equal(a[i][0], b[i][0])
    # next() keeps the Keras 2 endless-iterator API
    batch_x, batch_y = next(b)
    assert batch_x.shape[1:] == (3, 3, 1) and len(batch_y) == 4


def test_augmentation_does_not_depend_on_the_number_of_workers():
    x, y = _cifar_like(32)
    gen = ImageDataGenerator(rotation_range=30, zoom_range=0.2, horizontal_flip=True)
    from kfitcompat.data.loading import make_source

    runs = []
    for workers in (1, 4):
        with make_source(gen.flow(x, y, batch_size=8, seed=7), "fit", workers=workers) as s:
            it = iter(s.dataset())
            runs.append([next(it)[0].numpy() for _ in range(8)])
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kwargs, match", [
    (dict(zoom_range=(0.5, 0.7, 0.9)), "`zoom_range` should be a float or a tuple"),
    (dict(brightness_range=0.5), "`brightness_range should be tuple or list of two floats"),
    (dict(fill_mode="mirror"), r"Invalid value for argument `fill_mode`"),
    (dict(validation_split=1.5), "`validation_split` must be strictly between 0 and 1"),
    (dict(data_format="channels_middle"), "`data_format` should be"),
    (dict(width_shift_range="wide"), r"Invalid value for argument `width_shift_range`"),
    (dict(profile="keras1"), r"Invalid value for argument `profile`"),
])
def test_invalid_constructor_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ImageDataGenerator(**kwargs)


def test_flow_input_errors():
    gen = ImageDataGenerator()
    with pytest.raises(ValueError, match="should have rank 4"):
        gen.flow(np.zeros((4, 5, 5)))
    with pytest.raises(ValueError, match="should have the same length"):
        gen.flow(np.zeros((4, 5, 5, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="Training and validation subsets have different"):
        ImageDataGenerator(validation_split=0.5).flow(np.zeros((4, 2, 2, 1)),
                                                      np.array([0, 0, 1, 1]), subset="training")


def test_load_img_keeps_the_keras2_grayscale_argument(tmp_path):
    path = tmp_path / "a.png"
    Image.fromarray(np.zeros((5, 4, 3), "uint8")).save(path)
    with pytest.warns(DeprecationWarning, match="grayscale is deprecated"):
        img = kfitcompat.image.load_img(str(path), grayscale=True)
    assert img.mode == "L"
    assert kfitcompat.image.load_img(str(path), "rgba").mode == "RGBA"  # Keras 3 positional


def test_ordered_enqueuer_and_generator_enqueuer():
    from kfitcompat.utils import GeneratorEnqueuer, OrderedEnqueuer

    class Seq(kfitcompat.Sequence):
        def __init__(self):
            self.ends = 0

        def __len__(self):
            return 5

        def __getitem__(self, i):
            return i

        def on_epoch_end(self):
            self.ends += 1

    seq = Seq()
    enq = OrderedEnqueuer(seq)
    enq.start(workers=3, max_queue_size=2)
    out = enq.get()
    assert [next(out) for _ in range(10)] == list(range(5)) * 2
    enq.stop()
    assert seq.ends >= 1

    def gen():
        yield from range(50)

    genq = GeneratorEnqueuer(gen())
    genq.start(workers=4, max_queue_size=3)
    assert sorted(genq.get()) == list(range(50))
    genq.stop()


def test_public_names_are_declared_and_documented():
    import kfitcompat.image as image
    import kfitcompat.utils as utils

    for module in (kfitcompat, image, utils):
        for name in module.__all__:
            if name.startswith("__") or name.isupper():
                continue
            obj = getattr(module, name)
            assert obj.__doc__, f"{module.__name__}.{name} has no docstring"
