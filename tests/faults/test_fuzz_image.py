"""Hypothesis over ImageDataGenerator parameters: finite output, same shape and dtype, and the
identity parameters return the input unchanged (issue #7, the image half of the fuzzing)."""

from __future__ import annotations

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kfitcompat.image import ImageDataGenerator  # noqa: E402

shift = st.one_of(st.floats(0, 0.9), st.integers(0, 5), st.lists(st.integers(-3, 3), min_size=1,
                                                                    max_size=3))
params = st.fixed_dictionaries({
    "rotation_range": st.floats(0, 180),
    "width_shift_range": shift,
    "height_shift_range": shift,
    "shear_range": st.floats(0, 60),
    "zoom_range": st.one_of(st.floats(0, 0.9), st.tuples(st.floats(0.2, 1.0),
                                                          st.floats(1.0, 2.5))),
    "channel_shift_range": st.floats(0, 100),
    "fill_mode": st.sampled_from(["constant", "nearest", "reflect", "wrap"]),
    "cval": st.floats(-10, 10),
    "horizontal_flip": st.booleans(),
    "vertical_flip": st.booleans(),
    "brightness_range": st.one_of(st.none(), st.tuples(st.floats(0.1, 1.0),
                                                       st.floats(1.0, 2.0))),
    "data_format": st.sampled_from(["channels_last", "channels_first"]),
    "profile": st.sampled_from(["keras_preprocessing", "tf_keras"]),
})


@settings(max_examples=60, deadline=None)
@given(config=params, seed=st.integers(0, 2**31 - 1), channels=st.sampled_from([1, 3]))
def test_random_transform_output_is_finite_with_the_input_shape(config, seed, channels):
    gen = ImageDataGenerator(**config)
    shape = (9, 7, channels) if config["data_format"] == "channels_last" else (channels, 9, 7)
    x = np.random.default_rng(seed).random(shape).astype("float32") * 255
    out = gen.random_transform(x.copy(), seed=seed)
    assert out.shape == x.shape
    assert np.isfinite(out).all()


@settings(max_examples=25, deadline=None)
@given(config=params, seed=st.integers(0, 1000))
def test_fast_path_batches_are_finite_with_the_input_shape_and_dtype(config, seed):
    gen = ImageDataGenerator(**config)
    cf = config["data_format"] == "channels_first"
    x = np.random.default_rng(seed).random((4, 3, 6, 5) if cf else (4, 6, 5, 3)).astype(
        "float32") * 255
    it = gen.flow(x, np.arange(4), batch_size=4, seed=seed)
    ref = it[0][0]
    assert ref.shape == x.shape and ref.dtype == np.float32 and np.isfinite(ref).all()
    if it.use_fast_path():
        fast = it.finish_batch(*it.raw_batch(0))[0].numpy()
        assert fast.shape == x.shape and fast.dtype == np.float32 and np.isfinite(fast).all()


@settings(max_examples=30, deadline=None)
@given(data_format=st.sampled_from(["channels_last", "channels_first"]),
       profile=st.sampled_from(["keras_preprocessing", "tf_keras"]),
       fill_mode=st.sampled_from(["constant", "nearest", "reflect", "wrap"]),
       seed=st.integers(0, 1000))
def test_identity_parameters_return_the_input_unchanged(data_format, profile, fill_mode, seed):
    gen = ImageDataGenerator(data_format=data_format, profile=profile, fill_mode=fill_mode)
    x = np.random.default_rng(seed).random((5, 6, 3)).astype("float32")
    np.testing.assert_array_equal(gen.random_transform(x.copy(), seed=seed), x)
    it = gen.flow(x[None], batch_size=1, shuffle=False)
    np.testing.assert_array_equal(it[0][0], x)
    if it.use_fast_path():
        np.testing.assert_allclose(it.finish_batch(*it.raw_batch(0)).numpy()[0], x, atol=1e-6)
