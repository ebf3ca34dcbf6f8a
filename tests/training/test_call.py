"""One legacy call, bound once (``kfitcompat.training.call``)."""

from __future__ import annotations

import dataclasses
import inspect

import numpy as np
import pytest

from kfitcompat.training import entry_points
from kfitcompat.training.call import bind

SIGNATURE = inspect.signature(entry_points.fit_generator)


def _gen():
    while True:
        yield np.zeros((2, 1)), np.zeros((2, 1))


def test_defaults_come_from_the_signature_and_positionals_bind_in_keras_2_order():
    gen = _gen()
    call = bind("fit_generator", SIGNATURE, ("model", gen, 5, 3), {}, data="generator")
    assert call.model == "model" and call.data.value is gen and call.data.is_stream
    assert call["steps_per_epoch"] == 5 and call["epochs"] == 3
    for name, param in SIGNATURE.parameters.items():
        if name in call.arguments and name not in ("steps_per_epoch", "epochs"):
            assert call[name] == param.default, name
    assert call.validation is None and call.validation_data is None
    assert (call.loading.workers, call.loading.max_queue_size,
            call.loading.use_multiprocessing) == (1, 10, False)


def test_keras_1_spellings_are_renamed_and_loading_options_validated_once():
    with pytest.warns(UserWarning, match="Keras 1 spelling"):
        call = bind("fit_generator", SIGNATURE, ("m", _gen()),
                    dict(nb_epoch=4, nb_worker=3, max_q_size=7, pickle_safe=True,
                         nb_val_samples=2, validation_data=(np.zeros(1), np.zeros(1))),
                    data="generator")
    assert call["epochs"] == 4 and call["validation_steps"] == 2
    assert (call.loading.workers, call.loading.max_queue_size,
            call.loading.use_multiprocessing) == (3, 7, True)
    assert call.validation is not None and not call.validation.is_stream
    with pytest.raises(ValueError, match=r"`workers`.*Received: workers=-2"):
        bind("fit_generator", SIGNATURE, ("m", _gen()), dict(workers=-2), data="generator")


def test_both_spellings_of_one_argument_raise_as_keras_2_did():
    # Keras 2.2.4's legacy_support raised whenever both names were passed, whatever the value
    with pytest.raises(TypeError, match="both the legacy keyword argument `nb_epoch`"):
        bind("fit_generator", SIGNATURE, ("m", _gen()), dict(nb_epoch=3, epochs=1),
             data="generator")
    with pytest.raises(TypeError, match="unexpected keyword argument 'nb_epochs'"):
        bind("fit_generator", SIGNATURE, ("m", _gen()), dict(nb_epochs=3), data="generator")
    with pytest.raises(TypeError):  # more positionals than the signature takes
        bind("fit_generator", SIGNATURE, ("m", _gen(), *range(20)), {}, data="generator")


def test_the_call_is_frozen():
    call = bind("fit_generator", SIGNATURE, ("m", _gen()), {}, data="generator")
    with pytest.raises(dataclasses.FrozenInstanceError):
        call.method = "fit"  # type: ignore[misc]
    with pytest.raises(TypeError):
        call.arguments["epochs"] = 3  # type: ignore[index]
    assert "callbacks" not in call.others("callbacks", "epochs") and "shuffle" in call.others()


def test_given_steps_do_not_read_the_sequences_length():
    """``len(Sequence)`` is read only for ``steps=None`` (a Sequence may compute it)."""
    from kfitcompat.data.dispatch import classify

    class Counted:
        reads = 0

        def __len__(self):
            Counted.reads += 1
            return 7

        def __getitem__(self, i):
            return np.zeros((2, 1)), np.zeros((2, 1))

    data = classify(Counted())
    assert data.steps(2.5, "steps_per_epoch", "fit_generator") == 3 and Counted.reads == 0
    assert data.steps(None, "steps_per_epoch", "fit_generator") == 7 and Counted.reads == 1
