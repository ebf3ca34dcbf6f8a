"""The augmentation as a config, one sample per batch and two applies
(``kfitcompat.image.augment``), and Keras 2's per-image hooks on a subclass."""

from __future__ import annotations

import ast
import dataclasses
import pathlib

import numpy as np
import pytest

from kfitcompat.image import ImageDataGenerator
from kfitcompat.image.augment import AugmentConfig, Augmenter
from kfitcompat.image.params import params_at

SETTINGS = dict(rotation_range=30, width_shift_range=0.2, height_shift_range=3, shear_range=10,
                zoom_range=0.3, channel_shift_range=20, horizontal_flip=True,
                vertical_flip=True, brightness_range=(0.5, 1.5))


def _images(n=6, h=9, w=11, c=3, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, (n, h, w, c)).astype("float32")


@pytest.mark.parametrize("profile", ["keras_preprocessing", "tf_keras"])
@pytest.mark.parametrize("fill_mode", ["nearest", "constant", "wrap"])
def test_one_sample_per_batch_gives_what_apply_transform_gives_per_image(profile, fill_mode):
    """The batch's matrices are built once, vectorised; each image equals the public
    per-image ``apply_transform`` of the same parameters, bit for bit."""
    gen = ImageDataGenerator(**SETTINGS, fill_mode=fill_mode, cval=7.0, profile=profile,
                             rescale=1 / 255.0)
    batch = _images()
    out = Augmenter(gen).apply_numpy(batch.copy(), np.random.default_rng(5))
    sampled = Augmenter(gen).sample(batch.shape[1:], np.random.default_rng(5), len(batch))
    for i in range(len(batch)):
        expected = gen.standardize(gen.apply_transform(batch[i].copy(),
                                                       params_at(sampled.params, i)))
        np.testing.assert_array_equal(out[i], expected)


def test_neutral_settings_leave_the_pixels_untouched():
    gen = ImageDataGenerator(horizontal_flip=False)
    batch = _images()
    np.testing.assert_array_equal(
        Augmenter(gen).apply_numpy(batch.copy(), np.random.default_rng(0)), batch)


def test_the_config_is_frozen_and_its_module_imports_no_tensorflow_at_load():
    config = AugmentConfig.of(ImageDataGenerator(**SETTINGS))
    assert config.zoom_range == (0.7, 1.3) and (config.row, config.col, config.channel) == (
        0, 1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.rotation_range = 3  # type: ignore[misc]
    source = pathlib.Path(__import__("kfitcompat.image.augment").image.augment.__file__)
    top = [n for n in ast.parse(source.read_text()).body
           if isinstance(n, (ast.Import, ast.ImportFrom))]
    names = {a.name for n in top for a in n.names} | {
        n.module or "" for n in top if isinstance(n, ast.ImportFrom)}
    assert not any(name.split(".")[0] in ("tensorflow", "keras") for name in names)


class _Fixed:
    """Deterministic Keras 2 hooks, written once for both generators."""

    def get_random_transform(self, img_shape, seed=None):
        return {"theta": 20.0, "tx": 1.0, "ty": -2.0, "shear": 0.0, "zx": 1.1, "zy": 0.9,
                "flip_horizontal": True, "flip_vertical": False,
                "channel_shift_intensity": None, "brightness": None}

    def standardize(self, x):
        return x * 2.0 - 1.0


@pytest.mark.oracle
@pytest.mark.parametrize("fast", [None, False])
def test_a_subclass_hooks_are_called_per_image_as_keras_preprocessing_called_them(fast):
    kp = pytest.importorskip("keras_preprocessing.image")

    class Ours(_Fixed, ImageDataGenerator):
        pass

    class Theirs(_Fixed, kp.ImageDataGenerator):
        pass

    x, y = _images(n=4, seed=3), np.arange(4)
    ours = Ours(data_format="channels_last").flow(x, y, batch_size=4, shuffle=False)
    ours.fast = fast
    theirs = Theirs(data_format="channels_last").flow(x, y, batch_size=4, shuffle=False)
    assert not ours.use_fast_path()  # a Python hook per image: the reference path
    got, want = ours[0], theirs[0]
    np.testing.assert_allclose(got[0], want[0], rtol=0, atol=1e-4)
    np.testing.assert_array_equal(got[1], want[1])
    with pytest.raises(ValueError, match="overridden"):
        ours.fast = True
        ours.use_fast_path()
