"""The legacy import surface after install(): it never calls itself, keeps Keras 3's classes
intact, and each name behaves as the legacy one (oracles: keras-preprocessing 1.1.2, tf_keras)."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

import kfitcompat
from kfitcompat.surface import ADD, ALIAS, REPLACE, SURFACE
from kfitcompat.surface_install import SurfaceWarning, legacy_surface

kp_image = pytest.importorskip("keras_preprocessing.image")
tfk = pytest.importorskip("tf_keras")


@pytest.fixture
def installed():
    with warnings.catch_warnings():
        warnings.simplefilter("error", SurfaceWarning)  # canary: no 'add' row exists in Keras
        kfitcompat.install()
    try:
        yield
    finally:
        kfitcompat.uninstall()


def test_to_categorical_after_install_does_not_call_itself(installed):
    from keras.utils import to_categorical

    out = keras.utils.to_categorical([0, 2, 1], 3)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, tfk.utils.to_categorical([0, 2, 1], 3))
    assert to_categorical(np.array([1, 0]), dtype="int64").dtype == np.int64


def test_plain_pydataset_is_still_a_keras_utils_sequence(installed):
    assert isinstance(keras.utils.PyDataset(), keras.utils.Sequence)
    assert issubclass(keras.utils.PyDataset, keras.utils.Sequence)

    class Legacy(keras.utils.Sequence):  # a Keras 2 subclass, written after install()
        def __len__(self):
            return 1

        def __getitem__(self, i):
            return np.zeros((1, 1)), np.zeros((1, 1))

    assert isinstance(Legacy(), keras.utils.PyDataset)


def test_keras_classes_keep_their_identity():
    before = (keras.utils.PyDataset, keras.Model, keras.utils.to_categorical,
              keras.preprocessing.image.load_img)
    with kfitcompat.install():
        assert keras.utils.PyDataset is before[0] and keras.Model is before[1]
        assert keras.utils.to_categorical is not before[2]
    after = (keras.utils.PyDataset, keras.Model, keras.utils.to_categorical,
             keras.preprocessing.image.load_img)
    assert after == before


def test_every_row_is_installed_and_removed():
    import importlib
    import sys

    from kfitcompat.surface import MODULE, WRAP
    from kfitcompat.surface_install import owner

    def present(r):
        if r.kind == MODULE:
            return f"{r.module}.{r.name}" in sys.modules
        return hasattr(owner(r.module), r.name)

    absent = {(r.module, r.name) for r in SURFACE if r.kind in (ADD, MODULE) and not present(r)}
    assert absent == {(r.module, r.name) for r in SURFACE if r.kind in (ADD, MODULE)}
    wrapped = {(r.module, r.name): getattr(owner(r.module), r.name) for r in SURFACE
               if r.kind == WRAP}
    with kfitcompat.install():
        for module, name, obj in legacy_surface():
            assert getattr(owner(module), name) is obj, (module, name)
        for (module, name), original in wrapped.items():
            assert getattr(owner(module), name) is not original, (module, name)
        for r in SURFACE:
            if r.kind == MODULE:  # importable; keras.layers.merge stays Keras 1's merge()
                assert importlib.import_module(f"{r.module}.{r.name}") is sys.modules[
                    f"{r.module}.{r.name}"]
    for r in SURFACE:
        if r.kind in (ADD, MODULE):
            assert not present(r), (r.module, r.name)
    for (module, name), original in wrapped.items():
        assert getattr(owner(module), name) is original, (module, name)


def test_alias_rows_are_keras_own_objects():
    for row in SURFACE:
        if row.kind == ALIAS:
            module, _, attr = row.target.partition(":")
            import importlib

            assert (getattr(importlib.import_module(row.module), row.name)
                    is getattr(importlib.import_module(module), attr)), row


def test_replace_rows_replace_something_keras_has():
    import importlib

    for row in SURFACE:
        if row.kind == REPLACE:
            assert hasattr(importlib.import_module(row.module), row.name), row


# -- each callable of the surface, called with legal arguments, against the legacy result --
RNG = np.random.default_rng(3)
IMG = RNG.uniform(0, 255, (12, 10, 3)).astype("float32")


def _seeded(fn, *args, **kwargs):
    np.random.seed(11)
    return fn(*args, **kwargs)


KP_CALLS = {
    "apply_affine_transform": lambda m: m.apply_affine_transform(IMG, theta=20, tx=2, zx=1.1),
    "apply_brightness_shift": lambda m: m.apply_brightness_shift(IMG, 1.7),
    "apply_channel_shift": lambda m: m.apply_channel_shift(IMG, 30.0, 2),
    "flip_axis": lambda m: m.flip_axis(IMG, 1),
    "random_rotation": lambda m: _seeded(m.random_rotation, IMG, 30, 0, 1, 2),
    "random_shift": lambda m: _seeded(m.random_shift, IMG, 0.2, 0.1, 0, 1, 2),
    "random_shear": lambda m: _seeded(m.random_shear, IMG, 20, 0, 1, 2),
    "random_zoom": lambda m: _seeded(m.random_zoom, IMG, (0.8, 1.2), 0, 1, 2),
    "random_channel_shift": lambda m: _seeded(m.random_channel_shift, IMG, 20.0, 2),
    "random_brightness": lambda m: _seeded(m.random_brightness, IMG, (0.5, 1.5)),
    "transform_matrix_offset_center":
        lambda m: m.transform_matrix_offset_center(np.diag([1.1, 0.9, 1.0]), 12, 10),
    "img_to_array": lambda m: m.img_to_array(m.array_to_img(IMG)),
}


@pytest.mark.parametrize("name", sorted(KP_CALLS))
def test_keras_preprocessing_image_names_match_keras_preprocessing(installed, name):
    ours = KP_CALLS[name](keras.preprocessing.image)
    np.testing.assert_allclose(ours, KP_CALLS[name](kp_image), atol=1e-3)


TF_CALLS = {
    "apply_affine_transform": lambda m: m.apply_affine_transform(
        IMG, theta=20, tx=2, ty=-1, zx=1.1, row_axis=0, col_axis=1, channel_axis=2),
    "apply_brightness_shift": lambda m: m.apply_brightness_shift(IMG, 1.7, scale=False),
    "random_rotation": lambda m: _seeded(m.random_rotation, IMG, 30, 0, 1, 2),
    "random_shift": lambda m: _seeded(m.random_shift, IMG, 0.2, 0.1, 0, 1, 2),
    "random_zoom": lambda m: _seeded(m.random_zoom, IMG, (0.8, 1.2), 0, 1, 2),
    "random_brightness": lambda m: _seeded(m.random_brightness, IMG, (0.5, 1.5), False),
}


@pytest.mark.parametrize("name", sorted(TF_CALLS))
def test_tensorflow_keras_image_names_match_tf_keras(installed, name):
    import tensorflow.keras.preprocessing.image as tf_image  # noqa: PLC0415

    assert getattr(tf_image, name).__module__.startswith("kfitcompat")
    ours = TF_CALLS[name](tf_image)
    np.testing.assert_allclose(ours, TF_CALLS[name](tfk.preprocessing.image), atol=1e-3)


def test_tensorflow_keras_image_generator_is_ours_with_the_tf_keras_profile(installed):
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    gen = ImageDataGenerator(width_shift_range=0.2, fill_mode="constant")
    assert gen.profile == "tf_keras"
    x = RNG.uniform(0, 1, (2, 9, 11, 3)).astype("float32")
    params = {"ty": 2.0}
    ref = tfk.preprocessing.image.ImageDataGenerator(width_shift_range=0.2, fill_mode="constant")
    np.testing.assert_allclose(gen.apply_transform(x[0], params),
                               ref.apply_transform(x[0], params), atol=1e-5)


def test_uninstall_gives_tensorflow_keras_its_own_image_module_back():
    import tensorflow.keras.preprocessing.image as tf_image

    before = tf_image.ImageDataGenerator
    with kfitcompat.install():
        assert tf_image.ImageDataGenerator is not before
    assert tf_image.ImageDataGenerator is before


# -- names and edge cases keras-preprocessing 1.1.2 had --
def test_validate_filename_as_keras_preprocessing(tmp_path):
    from kfitcompat.image import validate_filename

    (tmp_path / "a.PNG").write_bytes(b"x")
    for name in ("a.PNG", "missing.png", "a.txt"):
        path = str(tmp_path / name)
        assert validate_filename(path, ("png", "jpg")) == kp_image.utils.validate_filename(
            path, ("png", "jpg"))
    assert validate_filename(str(tmp_path / "a.PNG"), ("png",))


def test_brightness_works_on_images_with_more_than_four_channels():
    gen = kfitcompat.image.ImageDataGenerator(brightness_range=(0.5, 1.5),
                                              data_format="channels_first")
    x = RNG.uniform(0, 1, (4, 10, 6, 6)).astype("float32")  # 10 channels
    gen.fit(x, augment=True)
    out = gen.random_transform(x[0])
    assert out.shape == x[0].shape and np.isfinite(out).all()
    # channels behave as they would one by one through Pillow
    single = kfitcompat.image.apply_brightness_shift(x[0], 1.3)
    assert single.shape == x[0].shape and single.max() <= 255


def test_affine_transformations_module_has_the_legacy_layout(monkeypatch):
    """keras_preprocessing.image.affine_transformations: the random_* helpers go through the
    module's own apply_* and its optional SciPy / ImageEnhance, so patches there take effect
    (keras-preprocessing's own tests and users' test doubles rely on it)."""
    from kfitcompat.image import affine_transformations as at

    x = RNG.uniform(0, 255, (3, 8, 8)).astype("float32")
    monkeypatch.setattr(at, "apply_brightness_shift", lambda img, value: (img, value))
    assert at.random_brightness(x, (3, 3)) == (x, 3.0)
    monkeypatch.undo()
    monkeypatch.setattr(at, "scipy", None)
    with pytest.raises(ImportError, match="SciPy"):
        at.apply_affine_transform(x, theta=10)
    monkeypatch.undo()
    monkeypatch.setattr(at, "ImageEnhance", None)
    with pytest.raises(ImportError, match="ImageEnhance"):
        at.apply_brightness_shift(x, 1.2)
    monkeypatch.undo()
    # the flat module's names are the same objects
    assert kfitcompat.image.random_zoom is at.random_zoom
    np.testing.assert_allclose(at.apply_affine_transform(x, theta=10, row_axis=1, col_axis=2,
                                                         channel_axis=0),
                               kp_image.apply_affine_transform(x, theta=10, row_axis=1,
                                                               col_axis=2, channel_axis=0),
                               atol=1e-4)


def test_empty_iterator_yields_an_empty_index_array():
    for batch_size in (0, 32):
        it = kfitcompat.image.Iterator(0, batch_size, False, 0)
        assert next(it.index_generator).size == 0
        assert len(it) == 0


def test_model_without_input_shape_trains_on_an_image_iterator():
    x = RNG.uniform(0, 1, (16, 8, 8, 3)).astype("float32")
    y = np.eye(2, dtype="float32")[np.arange(16) % 2]
    model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(2)])
    model.compile("sgd", "mse")
    it = kfitcompat.image.ImageDataGenerator(rotation_range=10).flow(x, y, batch_size=4)
    history = kfitcompat.fit_generator(model, it, epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1
    assert it.as_dataset().element_spec[0].shape.as_list() == [None, 8, 8, 3]


class _Slow(kfitcompat.Sequence):
    def __init__(self, slow_index: int) -> None:
        self.slow_index = slow_index

    def __len__(self):
        return 3

    def __getitem__(self, i):
        if i == self.slow_index:
            time.sleep(1.0)
        return np.full((1, 1), i)

    def on_epoch_end(self):
        pass


def test_ordered_enqueuer_warns_when_a_batch_never_arrives_and_loads_it():
    enqueuer = kfitcompat.utils.OrderedEnqueuer(_Slow(slow_index=1))
    enqueuer.timeout = 0.2
    enqueuer.start(workers=2, max_queue_size=3)
    try:
        stream = enqueuer.get()
        with pytest.warns(UserWarning, match="input 1 could not be retrieved.*worker has died"):
            values = [int(next(stream)[0, 0]) for _ in range(3)]
        assert values == [0, 1, 2]
    finally:
        enqueuer.stop()


def test_ordered_enqueuer_join_end_of_epoch():
    enqueuer = kfitcompat.utils.OrderedEnqueuer(_Slow(slow_index=-1))
    enqueuer.start(workers=1, max_queue_size=2)
    try:
        stream = enqueuer.get()
        for _ in range(4):  # one pass and the first batch of the next
            next(stream)
        started = time.monotonic()
        enqueuer.join_end_of_epoch()
        assert time.monotonic() - started < 5
        assert not enqueuer.end_of_epoch_signal.is_set()
    finally:
        enqueuer.stop()


# -- native Keras 3 code means the same after install() --
def _native_runs() -> list[np.ndarray]:
    keras.utils.set_random_seed(5)
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)

    class Data(keras.utils.PyDataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 16:(i + 1) * 16], y[i * 16:(i + 1) * 16]

    weights = []
    for data in ((x, y), tf.data.Dataset.from_tensor_slices((x, y)).batch(16), Data()):
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.set_weights([np.ones((4, 1), "float32") * 0.1, np.zeros(1, "float32")])
        model.compile(keras.optimizers.SGD(0.05), "mse")
        if isinstance(data, tuple):
            model.fit(*data, batch_size=16, epochs=2, shuffle=False, verbose=0)
        else:
            model.fit(data, epochs=2, verbose=0)
        weights.append(model.get_weights()[0])
    return weights


def test_native_keras3_fit_gives_the_same_weights_after_install():
    without = _native_runs()
    with kfitcompat.install():
        with_install = _native_runs()
    for a, b in zip(without, with_install):
        np.testing.assert_array_equal(a, b)


def _public_dict(cls: type) -> dict[str, object]:
    return {name: value for name, value in vars(cls).items() if not name.startswith("__")
            or name in ("__init__", "__new__")}


def test_install_changes_keras_model_only_through_rows_of_the_surface_table():
    """One install mechanism: every attribute install() sets on keras.Model (the legacy
    fit / evaluate / predict / metrics_names and the *_generator methods included) is a row of
    SURFACE, so the generated surface page lists it and uninstall() restores it."""
    kfitcompat.uninstall()
    before = _public_dict(keras.Model)
    with kfitcompat.install():
        after = _public_dict(keras.Model)
        changed = {name for name in after if after[name] is not before.get(name)}
        assert hasattr(keras.Model, "fit_generator")
    rows = {row.name for row in SURFACE if row.module == "keras.Model"}
    assert {"fit", "evaluate", "predict", "metrics_names", "fit_generator",
            "evaluate_generator", "predict_generator"} <= changed
    assert changed <= rows
    assert _public_dict(keras.Model) == before
    page = (Path(__file__).parents[1] / "docs" / "surface.md").read_text(encoding="utf-8")
    for name in ("fit_generator", "metrics_names"):
        assert f"`{name}`" in page, name


def test_tensorflow_keras_image_names_whichever_module_object_tensorflow_answers():
    """TensorFlow's lazy loader answers ``import tensorflow.keras.preprocessing.image`` with
    ``keras._tf_keras.keras.preprocessing.image`` once ``tensorflow.keras`` was used (a model
    fit before ``install()``), else with a module of its own: install() sets the names on both
    and uninstall() takes them back from both."""
    import importlib

    objects = {id(m): m for m in (
        importlib.import_module("tensorflow.keras.preprocessing.image"),
        importlib.import_module("keras._tf_keras.keras.preprocessing.image"))}
    with kfitcompat.install():
        for module in objects.values():
            assert module.ImageDataGenerator.__module__.startswith("kfitcompat")
            assert module.apply_affine_transform.__module__.startswith("kfitcompat")
    for module in objects.values():
        assert not module.ImageDataGenerator.__module__.startswith("kfitcompat")
