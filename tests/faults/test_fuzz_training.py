"""Hypothesis over the legacy argument space of fit / fit_generator (issue #7).

Random mixes of valid and invalid values, Keras 1 and Keras 2 spellings: every
call either trains for the documented epochs or raises TypeError/ValueError that
names an argument, never an internal error, and either way leaves no loader
thread or worker process running. Warnings are allowed (legacy spellings,
fallbacks) but not required.
"""

from __future__ import annotations

import functools
import re
import warnings

import keras
import numpy as np
import pytest
from engine_helpers import FaultIterator, FaultSequence, Started
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import kfitcompat

pytestmark = pytest.mark.filterwarnings("ignore")

ARGS = {
    "epochs": [1, 2, 0, -1, "2", 1.5, None],
    "nb_epoch": [1, 2, "2"],
    "steps_per_epoch": [None, 1, 2, 2.5, 0, -1, "3"],
    "samples_per_epoch": [8, 12, 0, "8"],
    "validation_steps": [None, 1, 2, 0, "x"],
    "nb_val_samples": [4, 8],
    "workers": [0, 1, 2, -1, "2", True, 1.5],
    "nb_worker": [1, 2],
    "max_queue_size": [0, 1, 10, -1, "10"],
    "max_q_size": [1, 5],
    "use_multiprocessing": [False, True, "yes"],
    "pickle_safe": [False, True],
    "shuffle": [True, False],
    "initial_epoch": [0, 1, -1, 5],
    "class_weight": [None, {0: 1.0, 1: 2.0}, {0: 1.0}, "balanced"],
    "verbose": [0, 2],
    "validation_freq": [1, 2, 0, [1]],
    "callbacks": [None, []],
    "not_an_argument": [1],
}
KWARGS = st.lists(st.sampled_from(sorted(ARGS)), max_size=5, unique=True).flatmap(
    lambda keys: st.fixed_dictionaries({k: st.sampled_from(ARGS[k]) for k in keys}))
DATA = st.sampled_from(["sequence", "generator"])
VALIDATION = st.sampled_from([None, "sequence", "generator", "arrays"])
NAMED = re.compile("|".join(sorted(set(ARGS) | {"generator", "validation_data", "x"},
                                   key=len, reverse=True)))


@functools.cache
def model() -> keras.Model:
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    m.compile(keras.optimizers.SGD(0.01), "binary_crossentropy")
    return m


def _data(kind: str | None):
    if kind == "sequence":
        return FaultSequence("raise", at_pass=-1, length=3)
    if kind == "generator":
        return FaultIterator(None)
    if kind == "arrays":
        return np.zeros((4, 3), "float32"), np.zeros((4, 1), "float32")
    return None


def _expected_epochs(kwargs: dict) -> list[int]:
    epochs = kwargs.get("nb_epoch", kwargs.get("epochs", 1))
    return list(range(kwargs.get("initial_epoch", 0), epochs))


def _check(call, kwargs: dict) -> None:
    started = Started()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            history = call()
    except (TypeError, ValueError) as exc:
        message = str(exc)
        assert NAMED.search(message), f"error names no argument: {type(exc).__name__}: {message}"
        event(f"{type(exc).__name__} naming an argument")
    else:
        event("trained")
        assert history.epoch == _expected_epochs(kwargs), (kwargs, history.epoch)
    # either way, no loader thread or worker process outlives the call
    assert started.still_running() == [], kwargs


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(kwargs=KWARGS, data=DATA, validation=VALIDATION)
def test_fit_generator_trains_or_names_the_argument(kwargs, data, validation):
    _check(lambda: kfitcompat.fit_generator(model(), _data(data),
                                            validation_data=_data(validation), **kwargs),
           kwargs)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(kwargs=KWARGS, data=DATA, validation=VALIDATION)
def test_fit_with_legacy_data_trains_or_names_the_argument(kwargs, data, validation):
    kwargs.pop("samples_per_epoch", None)  # not an argument of Keras 1 fit
    kwargs.pop("nb_val_samples", None)
    _check(lambda: kfitcompat.fit(model(), _data(data), validation_data=_data(validation),
                                  **kwargs), kwargs)
