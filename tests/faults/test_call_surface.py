"""Hypothesis over the whole call surface (issue #18): counts drawn as Python ints, NumPy
integer and float scalars, bools, integral and fractional floats, strings and ``None``; data
as arrays, generators, Sequences, ``tf.data`` and ImageDataGenerator iterators; each of
``fit_generator``, ``evaluate_generator``, ``predict_generator`` and ``fit``.

Every call either runs exactly the batches asked (counted by a callback at the model) or
raises ``TypeError`` / ``ValueError`` naming the argument; a value every Keras 2 user relied
on (an ``int`` or NumPy integer in range) always runs. No internal error, and no global state
changed after any call (warnings filters, the patched Keras names, signal handlers, threads).
"""

from __future__ import annotations

import faulthandler
import functools
import math
import multiprocessing
import os
import re
import signal
import threading
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import kfitcompat
from kfitcompat.image import ImageDataGenerator

pytestmark = pytest.mark.filterwarnings("ignore")

SHAPE, ROWS, BATCH, LENGTH = (2, 2, 3), 12, 4, 3  # LENGTH batches for Sequence and tf.data

VALUES = st.one_of(
    st.integers(-1, 3),
    st.integers(-1, 3).map(np.int64), st.integers(0, 3).map(np.int32),
    st.integers(1, 3).map(np.uint8),
    st.sampled_from([1.0, 2.0, 2.5, 0.0]), st.sampled_from([2.0, 1.5]).map(np.float64),
    st.booleans(), st.sampled_from(["2", ""]), st.none(),
)
CALLS = {
    "fit_generator": ("steps_per_epoch", "epochs", "workers", "max_queue_size",
                      "use_multiprocessing"),
    "evaluate_generator": ("steps", "workers", "max_queue_size", "use_multiprocessing"),
    "predict_generator": ("steps", "workers", "max_queue_size", "use_multiprocessing"),
    "fit": ("steps_per_epoch", "epochs", "batch_size"),
}
HANG_SECONDS = 180  # a call that takes longer is a hang: every thread's stack, then exit
DATA = ("arrays", "generator", "sequence", "tf.data", "flow")


def _int_like(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _steps(v) -> int | None:
    """The batches a count asks for: ints as they are, positive floats rounded up (Keras
    2's ``while steps_done < steps`` loop); ``None`` if the value is not a count."""
    if _int_like(v) and v >= 1:
        return int(v)
    if isinstance(v, (float, np.floating)) and v > 0:
        return math.ceil(v)
    return None


@functools.cache
def _model() -> keras.Model:
    m = keras.Sequential([keras.Input(SHAPE), keras.layers.Flatten(), keras.layers.Dense(1)])
    m.compile(keras.optimizers.SGD(0.01), "mse")
    return m


class _Rows(kfitcompat.Sequence):
    def __len__(self) -> int:
        return LENGTH

    def __getitem__(self, i: int):
        return np.full((BATCH, *SHAPE), i, "float32"), np.zeros((BATCH, 1), "float32")


class _PidRows(_Rows):
    """Leaves a file named by its process id in ``$KFITCOMPAT_TEST_PIDS`` for each batch."""

    def __getitem__(self, i: int):
        folder = os.environ.get("KFITCOMPAT_TEST_PIDS")
        if folder:
            open(os.path.join(folder, str(os.getpid())), "w").close()
        return super().__getitem__(i)


def _generator():
    while True:
        yield np.ones((BATCH, *SHAPE), "float32"), np.zeros((BATCH, 1), "float32")


def _data(kind: str, flow_batch):
    """(data, its length in batches or None, the kwargs that carry it)."""
    x = np.ones((ROWS, *SHAPE), "float32")
    y = np.zeros((ROWS, 1), "float32")
    if kind == "arrays":
        return (x, y), None
    if kind == "generator":
        return _generator(), None
    if kind == "sequence":
        return _PidRows(), LENGTH
    if kind == "tf.data":
        return tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH), LENGTH
    iterator = ImageDataGenerator().flow(x, y, batch_size=flow_batch, shuffle=False)
    return iterator, len(iterator)


class _Count(keras.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.batches = {"train": 0, "test": 0, "predict": 0}

    def on_train_batch_end(self, batch, logs=None):
        self.batches["train"] += 1

    def on_test_batch_end(self, batch, logs=None):
        self.batches["test"] += 1

    def on_predict_batch_end(self, batch, logs=None):
        self.batches["predict"] += 1


def _expected(method: str, kind: str, length: int | None, kwargs: dict) -> tuple | None:
    """``(phase, batches)`` the call must run; ``None`` if it must raise. Values that
    are neither (a bool, a float count) may do either, as long as a run is exact."""
    if kind == "arrays" and method != "fit":
        return None  # the legacy generator methods take no arrays
    if method == "fit" and kind == "arrays":
        batch = kwargs.get("batch_size", None)
        if batch is not None and not (_int_like(batch) and batch >= 1):
            return None
        length = math.ceil(ROWS / (32 if batch is None else int(batch)))
    # batch_size with a generator, a Sequence or a dataset: ignored (tf.keras, Keras 3)
    count = "steps_per_epoch" if method in ("fit_generator", "fit") else "steps"
    steps = _steps(kwargs[count]) if count in kwargs else None
    if count in kwargs and kwargs[count] is not None and steps is None:
        return None
    if steps is None:
        if length is None:
            return None
        steps = length
    epochs = kwargs.get("epochs", 1)
    if not _int_like(epochs):
        return None
    phase = {"fit_generator": "train", "fit": "train", "evaluate_generator": "test",
             "predict_generator": "predict"}[method]
    total = steps * (max(int(epochs), 0) if phase == "train" else 1)
    if kind == "tf.data" and kwargs.get(count) is not None:
        # steps given: one iterator over the finite dataset for the whole call (tf.keras,
        # Keras 3), so it runs out, with a warning; arrays and Sequences start a next pass
        total = min(total, length)
    return phase, total


def _must_run(kwargs: dict) -> bool:
    """A value Keras 2 users relied on: every count an int or NumPy integer in range, and
    ``use_multiprocessing`` a bool."""
    return all(isinstance(v, bool) if k == "use_multiprocessing" else
               _int_like(v) and v >= (0 if k in ("workers", "max_queue_size", "epochs") else 1)
               for k, v in kwargs.items() if k != "batch_size" or v is not None)


def _state():
    return (list(warnings.filters), keras.Model.fit, keras.Model.evaluate, keras.Model.predict,
            keras.utils.Sequence, signal.getsignal(signal.SIGINT),
            signal.getsignal(signal.SIGTERM))


def _threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.is_alive()}


@pytest.mark.slow  # 250 generated calls: tens of seconds
@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(method=st.sampled_from(sorted(CALLS)), kind=st.sampled_from(DATA),
       flow_batch=st.integers(2, 4), data=st.data())
def test_every_call_runs_the_batches_asked_or_names_the_argument(method, kind, flow_batch,
                                                                 data):
    names = data.draw(st.lists(st.sampled_from(CALLS[method]), max_size=3, unique=True))
    kwargs = {name: data.draw(VALUES, label=name) for name in names}
    # use_multiprocessing=True here runs threads first (the default: these calls are far
    # shorter than the budget, so no process starts); the test below starts processes.
    suite = os.environ.pop("KFITCOMPAT_PROCESSES_AFTER", None)
    try:
        _check_one_call(method, kind, flow_batch, kwargs, names)
    finally:
        if suite is not None:
            os.environ["KFITCOMPAT_PROCESSES_AFTER"] = suite


def _check_one_call(method, kind, flow_batch, kwargs, names):
    source, length = _data(kind, flow_batch)
    expected = _expected(method, kind, length, kwargs)
    counter = _Count()
    before, threads = _state(), _threads()
    call = getattr(kfitcompat, method)
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)
    try:
        if method == "fit" and kind == "arrays":
            result = call(_model(), *source, verbose=0, callbacks=[counter], **kwargs)
        elif method == "fit":
            result = call(_model(), source, verbose=0, callbacks=[counter], **kwargs)
        else:
            result = call(_model(), source, callbacks=[counter], verbose=0, **kwargs)
    except (TypeError, ValueError) as exc:
        message = str(exc)
        named = [n for n in ("generator", "x", "batch_size", *names)
                 if re.search(rf"\b{n}\b", message)]
        assert named, f"error names no argument: {type(exc).__name__}: {message}"
        assert expected is None or not _must_run(kwargs), (
            f"{method}({kind}, {kwargs}) raised on valid values: {message}")
        event(f"raised {type(exc).__name__}")
    else:
        assert expected is not None or not _must_run(kwargs) or kind == "arrays", (
            f"{method}({kind}, {kwargs}) ran where it must raise")
        if expected is not None:
            phase, total = expected
            assert counter.batches[phase] == total, (method, kind, kwargs, counter.batches)
            if method == "predict_generator":
                assert len(result) == counter.batches["predict"] * (
                    flow_batch if kind == "flow" else BATCH) or kind == "flow"
        event("ran the batches asked")
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert _state() == before, "a call changed global state"
    assert _threads() <= threads | {"MainThread"}, _threads() - threads
    assert multiprocessing.active_children() == [], "a worker process outlived its call"


COUNTS = st.one_of(st.integers(1, 3), st.integers(1, 3).map(np.int64),
                   st.integers(1, 3).map(np.int32), VALUES)


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(method=st.sampled_from(["fit_generator", "evaluate_generator", "predict_generator"]),
       data=st.data())
def test_calls_in_worker_processes_run_the_batches_asked_or_name_the_argument(
        method, data, tmp_path_factory):
    """The same property with ``use_multiprocessing=True`` on a Sequence and the workers
    started with the call (``KFITCOMPAT_PROCESSES_AFTER=0``, as in the whole suite): each
    example that runs starts and stops real worker processes, so there are few, drawn mostly
    from valid values."""
    assert os.environ.get("KFITCOMPAT_PROCESSES_AFTER") == "0"
    count = "steps_per_epoch" if method == "fit_generator" else "steps"
    kwargs = {count: data.draw(COUNTS, label=count),
              "workers": data.draw(st.one_of(st.integers(1, 3), COUNTS), label="workers"),
              "max_queue_size": data.draw(COUNTS, label="max_queue_size"),
              "use_multiprocessing": True}
    pids = tmp_path_factory.mktemp("pids")
    os.environ["KFITCOMPAT_TEST_PIDS"] = str(pids)
    try:
        _check_one_call(method, "sequence", 2, kwargs, list(kwargs))
    finally:
        del os.environ["KFITCOMPAT_TEST_PIDS"]
    loaded_in = {int(p.name) for p in pids.iterdir()}
    workers = kwargs["workers"]
    if loaded_in and _int_like(workers) and workers >= 1:  # it ran, in worker processes
        assert os.getpid() not in loaded_in, loaded_in
        event("loaded in worker processes")
