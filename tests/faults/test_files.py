"""Image files that go wrong (issue #7): corrupt, truncated, empty, not images,
symlink loops, missing folders and files; for threads and processes."""

from __future__ import annotations

import os

import keras
import numpy as np
import pandas as pd
import pytest
from PIL import Image

import kfitcompat
from kfitcompat.image import CorruptImageError, ImageDataGenerator

BAD = {"zero-bytes": b"", "not-an-image": b"not a png at all", "truncated": None}


def _write_bad(path, kind: str) -> None:
    if kind == "truncated":
        noise = (np.random.default_rng(0).random((64, 64, 3)) * 255).astype("uint8")
        Image.fromarray(noise).save(path)
        path.write_bytes(path.read_bytes()[:200])
    else:
        path.write_bytes(BAD[kind])


def _folder(tmp_path, bad: str | None = None, n: int = 6):
    """Two class folders of small PNGs; ``bad`` adds a broken ``a/bad.png``."""
    rng = np.random.default_rng(1)
    for cls in ("a", "b"):
        (tmp_path / cls).mkdir()
        for i in range(n):
            img = (rng.random((8, 8, 3)) * 255).astype("uint8")
            Image.fromarray(img).save(tmp_path / cls / f"{i}.png")
    if bad:
        _write_bad(tmp_path / "a" / "bad.png", bad)
    return tmp_path


def _model():
    m = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(),
                          keras.layers.Dense(2, activation="softmax")])
    m.compile("sgd", "categorical_crossentropy")
    return m


@pytest.mark.parametrize("bad", sorted(BAD))
def test_a_bad_file_names_the_file(tmp_path, loading, clean, bad):
    it = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        str(_folder(tmp_path, bad)), target_size=(8, 8), batch_size=4, shuffle=False)
    with pytest.raises(CorruptImageError, match=r"a/bad\.png"):
        kfitcompat.fit_generator(_model(), it, epochs=1, verbose=0, **loading)


@pytest.mark.parametrize("bad", sorted(BAD))
def test_skip_mode_leaves_bad_files_out_and_says_so(tmp_path, loading, clean, bad):
    with pytest.warns(UserWarning, match=r"skipped 1 unreadable image file.*a/bad\.png"):
        it = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
            str(_folder(tmp_path, bad)), target_size=(8, 8), batch_size=4, bad_files="skip")
    assert it.skipped_files == [os.path.join("a", "bad.png")]
    assert it.samples == 12 and sorted(np.bincount(it.classes)) == [6, 6]
    history = kfitcompat.fit_generator(_model(), it, epochs=2, verbose=0, **loading)
    assert len(history.epoch) == 2


def test_skip_mode_for_a_dataframe(tmp_path, clean):
    _folder(tmp_path, "truncated")
    df = pd.DataFrame({"filename": ["a/0.png", "a/bad.png", "b/0.png", "b/1.png"],
                       "class": ["a", "a", "b", "b"]})
    with pytest.warns(UserWarning, match=r"flow_from_dataframe skipped 1 .*bad\.png"):
        it = ImageDataGenerator().flow_from_dataframe(df, str(tmp_path), target_size=(8, 8),
                                                      batch_size=2, bad_files="skip")
    assert it.filenames == ["a/0.png", "b/0.png", "b/1.png"]
    assert it.skipped_files == ["a/bad.png"]
    assert list(it.classes) == [0, 1, 1]


def test_bad_files_takes_raise_or_skip():
    with pytest.raises(ValueError, match=r"`bad_files`.*'raise', 'skip'.*'ignore'"):
        ImageDataGenerator().flow_from_directory(".", bad_files="ignore")


def test_a_dataframe_with_missing_files(tmp_path, loading, clean):
    _folder(tmp_path)
    df = pd.DataFrame({"filename": ["a/0.png", "a/gone.png", "b/0.png", "b/1.png"],
                       "class": ["a", "a", "b", "b"]})
    with pytest.warns(UserWarning, match=r"Found 1 invalid image filename"):
        it = ImageDataGenerator().flow_from_dataframe(df, str(tmp_path), target_size=(8, 8),
                                                      batch_size=2)
    assert it.samples == 3
    unchecked = ImageDataGenerator().flow_from_dataframe(
        df, str(tmp_path), target_size=(8, 8), batch_size=2, shuffle=False,
        validate_filenames=False)
    with pytest.raises(FileNotFoundError, match=r"a/gone\.png"):
        kfitcompat.fit_generator(_model(), unchecked, epochs=1, verbose=0, **loading)


def test_empty_and_missing_directories_say_so(tmp_path):
    (tmp_path / "a").mkdir()
    with pytest.warns(UserWarning, match="found no image"):
        it = ImageDataGenerator().flow_from_directory(str(tmp_path))
    assert it.samples == 0
    with pytest.raises(FileNotFoundError, match="does not exist"):
        ImageDataGenerator().flow_from_directory(str(tmp_path / "nope"))


def test_symlink_loop_with_follow_links_terminates(tmp_path):
    cls = tmp_path / "c"
    cls.mkdir()
    Image.fromarray(np.zeros((4, 4, 3), "uint8")).save(cls / "x.png")
    os.symlink(str(cls), str(cls / "loop"))
    it = ImageDataGenerator().flow_from_directory(str(tmp_path), follow_links=True,
                                                  target_size=(4, 4))
    assert it.filenames == [os.path.join("c", "x.png")]
