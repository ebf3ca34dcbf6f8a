"""Shared fixtures: small deterministic data and twin models (Keras 3 / tf_keras)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Under pytest-xdist (the README's test command runs the suite on every core) each worker has a
# temporary directory of its own, inherited by the processes it starts: the checks that no
# kfitcompat folder outlives a call, and the sweep of orphaned folders, see one worker's only.
if os.environ.get("PYTEST_XDIST_WORKER"):
    _own_tmp = tempfile.mkdtemp(prefix=f"kfitcompat-tests-{os.environ['PYTEST_XDIST_WORKER']}-")
    os.environ["TMPDIR"] = _own_tmp
    tempfile.tempdir = None  # read TMPDIR again
    atexit.register(shutil.rmtree, _own_tmp, ignore_errors=True)
# Worker processes from the call's start (the default loads the first seconds in a thread,
# docs/behaviour.md): the process tests need processes from the first batch. Subprocesses
# inherit it. Tests of the threads-first default set it themselves.
os.environ["KFITCOMPAT_PROCESSES_AFTER"] = "0"

import numpy as np
import pytest
from engine_helpers import LOADING, Started

N, FEATURES, BATCH = 96, 8, 16


@pytest.fixture(scope="session")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1234)
    x = rng.normal(size=(N, FEATURES)).astype("float32")
    y = (x[:, :4].sum(axis=1) > 0).astype("float32")[:, None]
    return x, y


def initial_weights(seed: int = 7) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [
        rng.normal(scale=0.5, size=(FEATURES, 6)).astype("float32"),
        np.zeros(6, "float32"),
        rng.normal(scale=0.5, size=(6, 1)).astype("float32"),
        np.zeros(1, "float32"),
    ]


def build(lib, metrics=("accuracy",), lr: float = 0.1):
    """The same small model in ``keras`` (3) or ``tf_keras`` (2), same weights."""
    model = lib.Sequential([
        lib.Input((FEATURES,)),
        lib.layers.Dense(6, activation="tanh"),
        lib.layers.Dense(1, activation="sigmoid"),
    ])
    model.set_weights(initial_weights())
    model.compile(lib.optimizers.SGD(learning_rate=lr), "binary_crossentropy",
                  metrics=list(metrics))
    return model


def cyclic_batches(x, y, batch=BATCH, with_list=False):
    """An infinite plain generator over fixed batches, in order."""
    n = len(x) // batch
    i = 0
    while True:
        s = slice((i % n) * batch, (i % n + 1) * batch)
        i += 1
        yield [x[s], y[s]] if with_list else (x[s], y[s])


class ArraySequenceMixin:
    """Batches of fixed arrays by index; records every index served."""

    def __init__(self, x, y, batch=BATCH, sw=None):
        self.x, self.y, self.batch, self.sw = x, y, batch, sw
        self.served: list[int] = []
        self.epoch_ends = 0

    def __len__(self):
        return int(np.ceil(len(self.x) / self.batch))

    def __getitem__(self, i):
        self.served.append(i)
        s = slice(i * self.batch, (i + 1) * self.batch)
        if self.sw is not None:
            return self.x[s], self.y[s], self.sw[s]
        return self.x[s], self.y[s]

    def on_epoch_end(self):
        self.epoch_ends += 1


# -- the fault matrix (tests/faults/): each case for threads and for processes --


@pytest.fixture(params=sorted(LOADING))
def loading(request) -> dict:
    return LOADING[request.param]


@pytest.fixture
def installed():
    """``kfitcompat.install()`` for one test (its warnings silenced), undone afterwards."""
    import warnings

    import kfitcompat

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kfitcompat.install()
    try:
        yield
    finally:
        kfitcompat.uninstall()


@pytest.fixture
def clean():
    """Check, after the case, that nothing it started is still running. A call joins its
    loader threads and worker processes before it returns or raises, so nothing is waited
    for by the clock (a deadline would pass or fail with the machine's load); a
    multiprocessing queue's feeder thread is waited for by its own end, bounded
    (``engine_helpers.Started``). What was running before the case (another test's
    leftovers) is not the case's."""
    started = Started()
    yield
    assert started.still_running() == []




# -- the fast lane: `pytest -m "not slow"` (development; under 2 minutes on 2 cores) --
# Whole modules that start subprocesses or train for long; every case that runs worker
# processes (its id names "processes").
_SLOW_MODULES = {"test_distributed.py", "test_examples.py", "test_release.py",
                 "test_demo_and_plots.py", "test_fuzz_training.py", "test_fuzz_image.py",
                 "test_shutdown.py"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in _SLOW_MODULES or "processes" in item.nodeid:
            item.add_marker(pytest.mark.slow)
