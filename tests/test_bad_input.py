"""Bad input ends with a clear error that names the argument, the step and the shapes."""

from __future__ import annotations

import re
import threading

import keras
import pytest
from conftest import build, cyclic_batches

import kfitcompat


@pytest.fixture
def model():
    return build(keras)


def test_plain_generator_without_steps_per_epoch(model, data):
    with pytest.raises(ValueError, match=r"`steps_per_epoch=None` is only valid for a generator "
                                         r"based on the `keras.utils.Sequence` class"):
        kfitcompat.fit_generator(model, cyclic_batches(*data))


def test_generator_validation_without_validation_steps(model, data):
    with pytest.raises(ValueError, match=r"`validation_steps=None` is only valid"):
        kfitcompat.fit_generator(model, cyclic_batches(*data), steps_per_epoch=2,
                                 validation_data=cyclic_batches(*data))


def test_evaluate_and_predict_generator_need_steps_for_a_generator(model, data):
    with pytest.raises(ValueError, match=r"`steps=None` is only valid"):
        kfitcompat.evaluate_generator(model, cyclic_batches(*data))
    with pytest.raises(ValueError, match=r"`steps=None` is only valid"):
        kfitcompat.predict_generator(model, cyclic_batches(*data))


@pytest.mark.parametrize(
    "batch, match",
    [
        ("x-only", r"should be a tuple `\(x, y, sample_weight\)` or `\(x, y\)`. Found at step 0: "
                   r"array\(shape=\(16, 8\)"),
        ("one-tuple", r"Found at step 0: \(array"),
        ("four-tuple", r"Found at step 0"),
        ("none", r"Found at step 0: None"),
    ],
)
def test_generator_yielding_a_non_tuple(model, data, batch, match):
    x, y = data
    out = {"x-only": x[:16], "one-tuple": (x[:16],), "four-tuple": (x[:16], y[:16], y[:16], y[:16]),
           "none": None}[batch]

    def gen():
        while True:
            yield out

    with pytest.raises(ValueError, match=match):
        kfitcompat.fit_generator(model, gen(), steps_per_epoch=2, verbose=0)


def test_ragged_batch_names_the_step_and_the_shapes(model, data):
    x, y = data

    def gen():
        yield x[:16], y[:16]
        yield x[:16], y[:15]

    with pytest.raises(ValueError, match=r"step 1 .*different numbers of samples \[16, 15\].*"
                                         r"shape=\(15, 1\)"):
        kfitcompat.fit_generator(model, gen(), steps_per_epoch=2, verbose=0)


def test_shape_change_after_the_first_batch_names_the_step(model, data):
    x, y = data

    def gen():
        yield x[:16], y[:16]
        yield x[:16, :4], y[:16]

    with pytest.raises(ValueError, match=r"step 1 has shapes .*\(16, 4\)"):
        kfitcompat.fit_generator(model, gen(), steps_per_epoch=2, verbose=0)


def test_unknown_keyword_argument(model, data):
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'nb_epochs'"):
        kfitcompat.fit_generator(model, cyclic_batches(*data), steps_per_epoch=2, nb_epochs=3)
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'wrokers'"):
        kfitcompat.fit(model, *data, wrokers=3)


def test_old_and_new_spelling_together(model, data):
    with pytest.raises(TypeError, match=r"both the legacy keyword argument `nb_epoch` and the "
                                        r"Keras 2 keyword argument `epochs`"):
        kfitcompat.fit_generator(model, cyclic_batches(*data), steps_per_epoch=2, epochs=3,
                                 nb_epoch=2)


@pytest.mark.parametrize("name, value", [("workers", -1), ("max_queue_size", "10"),
                                         ("use_multiprocessing", "yes")])
def test_invalid_loading_arguments(model, data, name, value):
    with pytest.raises(ValueError, match=rf"Invalid value for argument `{name}`"):
        kfitcompat.fit_generator(model, cyclic_batches(*data), steps_per_epoch=2,
                                 **{name: value})


@pytest.mark.parametrize("freq", [0, -1, "x", ["1", "two"], None], ids=repr)
def test_invalid_validation_freq_names_the_argument(model, data, freq):
    with pytest.raises(ValueError, match=r"Invalid value for argument `validation_freq`.*"
                                         rf"Received: validation_freq={re.escape(repr(freq))}"):
        kfitcompat.fit_generator(model, cyclic_batches(*data), steps_per_epoch=2,
                                 validation_freq=freq, verbose=0)


def test_validation_data_of_wrong_length(model, data):
    x, y = data
    with pytest.raises(ValueError, match="must contain 2 .* or 3 .* however it contains 1 items"):
        kfitcompat.fit(model, x, y, validation_data=(x,), verbose=0)


def test_class_weight_missing_a_class(model, data):
    with pytest.raises(ValueError, match=r"classes \[1\] exist in the data"):
        kfitcompat.fit_generator(model, cyclic_batches(*data), steps_per_epoch=2,
                                 class_weight={0: 1.0}, verbose=0)


def test_exception_in_the_generator_reaches_the_caller_unchanged(model, data):
    x, y = data

    class Boom(Exception):
        pass

    def gen():
        yield x[:16], y[:16]
        yield x[:16], y[:16]
        raise Boom("disk on fire")

    before = set(threading.enumerate())
    with pytest.raises(Boom, match="disk on fire") as info:
        kfitcompat.fit_generator(model, gen(), steps_per_epoch=3, workers=2, verbose=0)
    assert "step 2" in " ".join(getattr(info.value, "__notes__", [])), info.value.__notes__
    left = [(t.name, t.daemon) for t in threading.enumerate() if t not in before]
    assert not left, left
    # The model is still usable.
    kfitcompat.fit_generator(model, cyclic_batches(x, y), steps_per_epoch=2, verbose=0)


def test_exception_in_getitem_names_the_index(model, data):
    x, y = data

    class Broken(kfitcompat.Sequence):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            if i == 4:
                raise IndexError(f"no batch {i}")
            return x[i * 16:(i + 1) * 16], y[i * 16:(i + 1) * 16]

    with pytest.raises(IndexError, match="no batch 4") as info:
        kfitcompat.fit_generator(model, Broken(), shuffle=False, workers=3, verbose=0)
    assert "batch index 4" in " ".join(info.value.__notes__)


def test_finite_generator_shorter_than_requested_stops_with_the_legacy_warning(model, data):
    x, y = data

    def five():
        for i in range(5):
            yield x[i * 16:(i + 1) * 16], y[i * 16:(i + 1) * 16]

    with pytest.warns(UserWarning, match=r"ran out of data; interrupting training.*"
                                         r"\(in this case, 10 batches\)"):
        history = kfitcompat.fit_generator(model, five(), steps_per_epoch=2, epochs=5, verbose=0)
    assert history.epoch == [0, 1, 2]  # epoch 2 ran its one remaining batch
    assert len(history.history["loss"]) == 3


def test_generator_exhausted_exactly_at_an_epoch_boundary(model, data):
    x, y = data

    def four():
        for i in range(4):
            yield x[i * 16:(i + 1) * 16], y[i * 16:(i + 1) * 16]

    with pytest.warns(UserWarning, match="ran out of data"):
        history = kfitcompat.fit_generator(model, four(), steps_per_epoch=2, epochs=5,
                                           workers=0, verbose=0)
    assert history.epoch == [0, 1]
    assert len(history.history["loss"]) == 2


def test_fit_with_a_generator_rejects_y_and_validation_split(model, data):
    x, y = data
    with pytest.raises(ValueError, match="`y` argument is not supported"):
        kfitcompat.fit(model, cyclic_batches(x, y), y, steps_per_epoch=2)
    with pytest.raises(ValueError, match="`validation_split` is only supported"):
        kfitcompat.fit(model, cyclic_batches(x, y), steps_per_epoch=2, validation_split=0.2)
