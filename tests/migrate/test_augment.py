"""``kfitcompat.migrate.augment`` (``--augment-layers``): ImageDataGenerator into Keras 3 preprocessing
layers, or kept, saying why."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("libcst")

from kfitcompat.migrate import migrate_source  # noqa: E402

from .golden import _d  # noqa: E402


def _augment(source: str) -> tuple[str, list]:
    return migrate_source(_d(source), augment_layers=True)


def test_augment_layers_translates_generator_and_flow():
    new, findings = _augment("""
        from keras.preprocessing.image import ImageDataGenerator
        gen = ImageDataGenerator(rotation_range=30, vertical_flip=True, horizontal_flip=True,
                                 width_shift_range=0.2, cval=0.5, fill_mode="constant")
        model.fit_generator(gen.flow(x, y, batch_size=8, shuffle=False), steps_per_epoch=4)
        """)
    assert new == _d("""
        import keras
        import tensorflow as tf
        gen = keras.Sequential([
            keras.layers.RandomFlip("horizontal_and_vertical"),
            keras.layers.RandomRotation(30 / 360, fill_mode="constant", fill_value=0.5),
            keras.layers.RandomTranslation(0.0, 0.2, fill_mode="constant", fill_value=0.5),
        ])
        model.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(8).map(lambda images, labels: (gen(images, training=True), labels)).repeat(), steps_per_epoch=4)
        """)  # noqa: E501
    assert "augment-layers" in [f.rule for f in findings]
    assert migrate_source(new, augment_layers=True)[0] == new  # idempotent


@pytest.mark.parametrize("source, reason", [
    pytest.param("""
        gen = ImageDataGenerator(rotation_range=10, shear_range=0.2, channel_shift_range=5.)
        model.fit_generator(gen.flow(x, y), steps_per_epoch=4)
        """, r"`shear_range`: .*angle.*`channel_shift_range`: no Keras 3 layer", id="no-layer"),
    pytest.param("""
        gen = ImageDataGenerator(rotation_range=10)
        it = gen.flow_from_directory("data/train")
        model.fit_generator(it, steps_per_epoch=4)
        """, r"`gen.flow_from_directory` has no tf.data counterpart", id="directory"),
    pytest.param("""
        gen = ImageDataGenerator(width_shift_range=4)
        model.fit_generator(gen.flow(x, y), steps_per_epoch=2)
        """, r"`width_shift_range`: only a float fraction", id="pixel-shift"),
    pytest.param("""
        gen = ImageDataGenerator(featurewise_center=True)
        gen.fit(x)
        model.fit_generator(gen.flow(x, y), steps_per_epoch=2)
        """, r"Normalization layer", id="featurewise"),
])
def test_augment_layers_keeps_kfitcompat_image_and_says_why(source, reason):
    source = "from keras.preprocessing.image import ImageDataGenerator\n" + _d(source)
    new, findings = migrate_source(source, augment_layers=True)
    assert "from kfitcompat.image import ImageDataGenerator" in new
    assert "keras.Sequential" not in new
    kept = [f for f in findings if f.rule == "augment-layers-kept"]
    assert len(kept) == 1 and re.search(reason, kept[0].message), kept


def test_augment_layers_defaults_fit_without_statistics_and_one_pass_per_epoch():
    """Arguments at their Keras 2 default translate to nothing; ``gen.fit(x)`` with no
    statistic enabled did nothing in Keras 2 and is removed; without ``steps_per_epoch`` the
    dataset is one pass per epoch (Keras 2's ``len(flow)`` steps), not repeated forever;
    Keras 2's default ``fill_mode='nearest'`` is kept (the layers default to 'reflect')."""
    source = "from keras.preprocessing.image import ImageDataGenerator\n" + _d("""
        gen = ImageDataGenerator(featurewise_center=False, zca_whitening=False,
                                 zca_epsilon=1e-06, shear_range=0., rotation_range=0,
                                 preprocessing_function=None, width_shift_range=0.1,
                                 validation_split=0.0, horizontal_flip=True)
        gen.fit(x)
        model.fit_generator(gen.flow(x, y, batch_size=16), epochs=3)
        """)
    new, findings = migrate_source(source, augment_layers=True)
    assert "augment-layers" in [f.rule for f in findings], findings
    assert "ImageDataGenerator" not in new and "gen.fit" not in new
    assert ".repeat()" not in new and ".batch(16)" in new
    assert "RandomTranslation(0.0, 0.1, fill_mode='nearest')" in new
    assert "RandomRotation" not in new and "Rescaling" not in new
    with_steps = source.replace("epochs=3", "steps_per_epoch=5")
    assert ".repeat()" in migrate_source(with_steps, augment_layers=True)[0]
    assert migrate_source(new, augment_layers=True)[0] == new  # idempotent
