"""Golden before/after cases of the ``image`` rule family
(``kfitcompat/migrate/plugins/image.py``), plus must-not-change cases."""

from __future__ import annotations

import pytest

pytest.importorskip("libcst")

from .golden import _d, check_rewrite, check_unchanged  # noqa: E402

CASES = [
    pytest.param(
        _d("""
        a = load_img(p, grayscale=True, target_size=(28, 28))
        b = image.load_img(p, grayscale=False)
        c = load_img(p, grayscale=gray)
        """),
        _d("""
        a = load_img(p, color_mode="grayscale", target_size=(28, 28))
        b = image.load_img(p)
        c = load_img(p, color_mode="grayscale" if gray else "rgb")
        """), id="load-img-grayscale"),
    pytest.param(
        _d("""
        import tensorflow as tf
        path_to_zip = tf.keras.utils.get_file('cats_and_dogs.zip', origin=_URL, extract=True)
        PATH = os.path.join(os.path.dirname(path_to_zip), 'cats_and_dogs_filtered')
        """),
        _d("""
        import os
        import tensorflow as tf
        # kfitcompat: Keras 3's get_file(extract=True) returns the folder it extracted into; joined with the file name, os.path.dirname() of it is that folder (the archive itself is not at this path)
        path_to_zip = os.path.join(tf.keras.utils.get_file('cats_and_dogs.zip', origin=_URL, extract=True), 'cats_and_dogs.zip')
        PATH = os.path.join(os.path.dirname(path_to_zip), 'cats_and_dogs_filtered')
        """), id="get-file-extract"),
]


MUST_NOT_CHANGE = [
    pytest.param("img = load_img(p, color_mode='grayscale')\n", id="keras3-load-img"),
    pytest.param("p = get_file('a.csv', origin=u)\nq = get_file('b.zip', origin=u, extract=False)\n",
                 id="get-file-without-extract"),
]


@pytest.mark.parametrize("before, after", CASES)
def test_rewrite(before, after):
    check_rewrite(before, after)


@pytest.mark.parametrize("source", MUST_NOT_CHANGE)
def test_must_not_change(source):
    check_unchanged(source)
