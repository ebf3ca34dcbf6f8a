"""ImageDataGenerator against the legacy implementations.

Default profile vs keras-preprocessing 1.1.2; ``profile="tf_keras"`` vs tf_keras.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
from PIL import Image

from kfitcompat.image import ImageDataGenerator, apply_affine_transform

kp = pytest.importorskip("keras_preprocessing.image")
tk = pytest.importorskip("tf_keras.preprocessing.image")
pytestmark = pytest.mark.oracle

PARAMS = [
    pytest.param(dict(theta=20), id="rotation"),
    pytest.param(dict(tx=2, ty=-3), id="shift"),
    pytest.param(dict(shear=15), id="shear"),
    pytest.param(dict(zx=0.8, zy=1.3), id="zoom"),
    pytest.param(dict(theta=10, tx=1.5, ty=2, shear=5, zx=0.9, zy=1.1), id="all"),
]
FILL_MODES = ["nearest", "constant", "reflect", "wrap"]


@pytest.fixture(scope="module")
def image():
    return (np.random.default_rng(0).random((9, 11, 3)) * 255).astype("float32")


@pytest.mark.parametrize("fill_mode", FILL_MODES)
@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_apply_transform_matches_both_legacy_geometries(image, params, fill_mode, data_format):
    x = image if data_format == "channels_last" else np.moveaxis(image, -1, 0)
    common = dict(fill_mode=fill_mode, cval=7.0, data_format=data_format)
    ours = ImageDataGenerator(**common).apply_transform(x, params)
    legacy = kp.ImageDataGenerator(**common).apply_transform(x, params)
    np.testing.assert_allclose(ours, legacy, atol=1e-4)
    ours_tf = ImageDataGenerator(profile="tf_keras", **common).apply_transform(x, params)
    legacy_tf = tk.ImageDataGenerator(**common).apply_transform(x, params)
    np.testing.assert_allclose(ours_tf, legacy_tf, atol=1e-4)


def test_the_two_geometries_really_differ(image):
    """Why the switch exists: the same tx moves rows in one and columns in the other."""
    a = apply_affine_transform(image, tx=2)
    b = apply_affine_transform(image, tx=2, geometry="tf_keras")
    assert not np.allclose(a, b)
    # keras-preprocessing: output row r reads input row r + 2 (rows move up).
    np.testing.assert_allclose(a[:-2], image[2:], atol=1e-4)
    # tf_keras: the same tx moves columns.
    np.testing.assert_allclose(b[:, :-2], image[:, 2:], atol=1e-4)


SEED_CONFIGS = [
    pytest.param(dict(rotation_range=30, width_shift_range=0.1, height_shift_range=0.1,
                      shear_range=10, zoom_range=0.2, horizontal_flip=True), id="seed-example"),
    pytest.param(dict(width_shift_range=3, height_shift_range=[-2, 1, 4], vertical_flip=True,
                      channel_shift_range=20.0, brightness_range=(0.5, 1.5)), id="int-and-list"),
    pytest.param(dict(zoom_range=(0.5, 0.9), width_shift_range=5.0), id="float-pixels"),
]


@pytest.mark.parametrize("config", SEED_CONFIGS)
def test_get_random_transform_with_seed_equals_keras_preprocessing(image, config):
    ours = ImageDataGenerator(**config)
    legacy = kp.ImageDataGenerator(**config)
    for seed in range(5):
        p_ours = ours.get_random_transform(image.shape, seed=seed)
        p_legacy = legacy.get_random_transform(image.shape, seed=seed)
        assert p_ours.keys() == p_legacy.keys()
        for key in p_ours:
            assert p_ours[key] == pytest.approx(p_legacy[key]), key
        np.testing.assert_allclose(ours.random_transform(image.copy(), seed=seed),
                                   legacy.random_transform(image.copy(), seed=seed), atol=1e-3)


def test_parameters_come_from_the_same_ranges(image):
    """Statistics over many draws from the iterator's own generator vs the legacy draws."""
    config = dict(rotation_range=30, width_shift_range=0.2, height_shift_range=2,
                  shear_range=10, zoom_range=0.3, horizontal_flip=True, channel_shift_range=5)
    ours, legacy = ImageDataGenerator(**config), kp.ImageDataGenerator(**config)
    from kfitcompat.image.params import draw_batch_params, params_at

    batch = draw_batch_params(ours, image.shape, np.random.default_rng(1), 4000)
    a = [params_at(batch, i) for i in range(4000)]
    np.random.seed(2)
    b = [legacy.get_random_transform(image.shape) for _ in range(4000)]
    for key in ("theta", "tx", "ty", "shear", "zx", "zy", "flip_horizontal",
                "channel_shift_intensity"):
        va = np.array([p[key] for p in a], float)
        vb = np.array([p[key] for p in b], float)
        assert va.min() >= vb.min() - 0.05 * abs(vb.min()) - 1e-9, key
        assert va.max() <= vb.max() + 0.05 * abs(vb.max()) + 1e-9, key
        assert abs(va.mean() - vb.mean()) < 0.1 * (vb.std() + 1e-9), key
        assert abs(va.std() - vb.std()) < 0.1 * vb.std() + 1e-9, key
    assert set(p["tx"] for p in a) == {-1, 0, 1}  # int range 2: choice(2) * sign


@pytest.mark.parametrize("profile, oracle", [("keras_preprocessing", kp), ("tf_keras", tk)])
@pytest.mark.parametrize("config", [
    dict(featurewise_center=True, featurewise_std_normalization=True),
    dict(zca_whitening=True, rescale=1 / 255.0),
    dict(samplewise_center=True, samplewise_std_normalization=True, rescale=0.5),
], ids=["featurewise", "zca", "samplewise"])
def test_standardize_after_fit_matches(profile, oracle, config):
    x = (np.random.default_rng(3).random((20, 5, 4, 3)) * 255).astype("float32")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = ImageDataGenerator(profile=profile, **config)
        legacy = oracle.ImageDataGenerator(**config)
    ours.fit(x)
    legacy.fit(x)
    for attr in ("mean", "std"):
        if getattr(legacy, attr) is not None:
            np.testing.assert_allclose(getattr(ours, attr), getattr(legacy, attr), rtol=1e-5)
    np.testing.assert_allclose(ours.standardize(x[:4].copy()), legacy.standardize(x[:4].copy()),
                               rtol=1e-3, atol=1e-3)


def _write_images(root, counts, size=(12, 10)):
    rng = np.random.default_rng(4)
    for name, n in counts.items():
        os.makedirs(os.path.join(root, name, "sub"), exist_ok=True)
        for i in range(n):
            arr = (rng.random(size + (3,)) * 255).astype("uint8")
            folder = os.path.join(root, name, "sub" if i % 3 == 0 else "")
            ext = "png" if i % 2 else "JPG"
            Image.fromarray(arr).save(os.path.join(folder, f"img{i:02d}.{ext}"))
        open(os.path.join(root, name, "notes.txt"), "w").write("not an image")


@pytest.fixture(scope="module")
def image_dir(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("images"))
    _write_images(root, {"cat": 7, "dog": 5, "zebra": 0})
    return root


def _batches(it, n):
    return [it[i] for i in range(n)]


@pytest.mark.parametrize("class_mode", ["categorical", "binary", "sparse", "input", None])
@pytest.mark.parametrize("subset", [None, "training", "validation"])
def test_flow_from_directory_matches_keras_preprocessing(image_dir, class_mode, subset, capsys):
    kwargs = dict(target_size=(8, 6), batch_size=4, shuffle=False, class_mode=class_mode,
                  subset=subset)
    ours = ImageDataGenerator(rescale=1 / 255.0, validation_split=0.4).flow_from_directory(
        image_dir, **kwargs)
    ours_line = capsys.readouterr().out
    legacy = kp.ImageDataGenerator(rescale=1 / 255.0, validation_split=0.4).flow_from_directory(
        image_dir, **kwargs)
    assert ours_line == capsys.readouterr().out
    assert ours.class_indices == legacy.class_indices
    assert ours.filenames == legacy.filenames
    np.testing.assert_array_equal(ours.classes, legacy.classes)
    assert len(ours) == len(legacy) and ours.samples == legacy.samples
    for a, b in zip(_batches(ours, len(ours)), _batches(legacy, len(legacy))):
        for pa, pb in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,)):
            assert pa.dtype == pb.dtype
            np.testing.assert_allclose(pa, pb, atol=1e-6)


@pytest.mark.parametrize("class_mode", ["categorical", "binary", "sparse", "raw", "input",
                                        "multi_output", None])
def test_flow_from_dataframe_matches_keras_preprocessing(image_dir, class_mode, capsys):
    pd = pytest.importorskip("pandas")
    rows = [(os.path.join(c, f), c, float(i), i % 3) for c in ("cat", "dog")
            for i, f in enumerate(sorted(os.listdir(os.path.join(image_dir, c))))]
    rows.append(("cat/missing.png", "cat", 1.0, 0))
    df = pd.DataFrame(rows, columns=["filename", "class", "score", "level"])
    y_col = {"raw": "score", "multi_output": ["score", "level"]}.get(class_mode, "class")
    kwargs = dict(directory=image_dir, y_col=y_col, target_size=(6, 6), batch_size=3,
                  shuffle=False, class_mode=class_mode, weight_col="score")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = ImageDataGenerator().flow_from_dataframe(df, **kwargs)
        ours_line = capsys.readouterr().out
        legacy = kp.ImageDataGenerator().flow_from_dataframe(df, **kwargs)
    assert ours_line == capsys.readouterr().out
    assert ours.filenames == legacy.filenames
    if class_mode in ("categorical", "binary", "sparse"):
        assert ours.class_indices == legacy.class_indices
        assert list(ours.classes) == list(legacy.classes)
    for a, b in zip(_batches(ours, len(ours)), _batches(legacy, len(legacy))):
        a = a if isinstance(a, tuple) else (a,)
        b = b if isinstance(b, tuple) else (b,)
        assert len(a) == len(b)
        for pa, pb in zip(a, b):
            for qa, qb in zip(pa if isinstance(pa, list) else [pa],
                              pb if isinstance(pb, list) else [pb]):
                np.testing.assert_allclose(qa, qb, atol=1e-6)


def test_flow_matches_keras_preprocessing_without_augmentation():
    x = np.random.default_rng(5).random((10, 4, 4, 3)).astype("float32")
    y = np.arange(10) % 2
    sw = np.linspace(0.1, 1.0, 10)
    for subset in (None, "training", "validation"):
        weights = sw if subset is None else None  # see the test below
        ours = ImageDataGenerator(rescale=2.0, validation_split=0.4).flow(
            x, y, batch_size=3, shuffle=False, sample_weight=weights, subset=subset)
        legacy = kp.ImageDataGenerator(rescale=2.0, validation_split=0.4).flow(
            x, y, batch_size=3, shuffle=False, sample_weight=weights, subset=subset)
        assert len(ours) == len(legacy)
        for a, b in zip(_batches(ours, len(ours)), _batches(legacy, len(legacy))):
            for pa, pb in zip(a, b):
                np.testing.assert_allclose(pa, pb, rtol=1e-6)


def test_flow_subset_keeps_sample_weights_with_their_samples():
    """Deliberate difference: Keras 2 did not split `sample_weight` with `subset`, so the
    training subset got the weights of other samples. kfitcompat splits them together."""
    x = np.arange(10, dtype="float32").reshape(10, 1, 1, 1) * np.ones((1, 2, 2, 1), "float32")
    y = np.arange(10) % 2
    sw = np.arange(10, dtype="float32")
    it = ImageDataGenerator(validation_split=0.4).flow(x, y, batch_size=6, shuffle=False,
                                                       sample_weight=sw, subset="training")
    bx, _, bw = it[0]
    np.testing.assert_array_equal(bx[:, 0, 0, 0], bw)
    legacy = kp.ImageDataGenerator(validation_split=0.4).flow(
        x, y, batch_size=6, shuffle=False, sample_weight=sw, subset="training")
    lx, _, lw = legacy[0]
    assert not np.array_equal(lx[:, 0, 0, 0], lw)  # the legacy misalignment
