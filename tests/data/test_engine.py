"""The data engine: exactly-once, order, bounded queue, threads and processes, shutdown."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time

import keras
import numpy as np
import pytest
from engine_helpers import IndexSequence, LoggedSequence, PidSequence

import kfitcompat
from kfitcompat.data.batches import BatchError
from kfitcompat.data.loading import make_source
from kfitcompat.data.spec import BatchCheck, spec_of
from kfitcompat.training.streams import ExhaustionGuard


def _drain(source, n):
    it = iter(source.dataset())
    return [next(it) for _ in range(n)]


def _first_values(batches):
    return [int(b[0].numpy()[0, 0]) % 1000 for b in batches]


@pytest.mark.parametrize("workers", [0, 1, 4, 8])
def test_threads_serve_every_index_once_per_pass_in_order(workers):
    seq = IndexSequence(length=16)
    with make_source(seq, "fit", workers=workers, max_queue_size=4) as source:
        batches = _drain(source, 32)
    assert _first_values(batches) == list(range(16)) * 2
    # Loads finish in any order with several threads, but each pass serves each index once
    # and the next pass starts only after the whole pass was loaded.
    assert sorted(seq.served[:16]) == list(range(16))
    assert sorted(seq.served[16:32]) == list(range(16))
    assert seq.epoch_ends >= 1


@pytest.mark.parametrize("workers", [1, 4])
def test_shuffle_is_a_permutation_per_pass(workers):
    seq = IndexSequence(length=16)
    with make_source(seq, "fit", workers=workers, shuffle=True) as source:
        values = _first_values(_drain(source, 32))
    assert sorted(values[:16]) == list(range(16)) and sorted(values[16:]) == list(range(16))
    assert values[:16] != list(range(16)) or values[16:] != list(range(16))


def test_on_epoch_end_runs_after_the_whole_pass_was_loaded():
    seq = IndexSequence(length=8)
    with make_source(seq, "fit", workers=4, max_queue_size=8) as source:
        values = [int(b[0].numpy()[0, 0]) for b in _drain(source, 16)]
    # The second pass sees the state on_epoch_end set, the first never does.
    assert values[:8] == list(range(8))
    assert values[8:] == [1000 + i for i in range(8)]


@pytest.mark.parametrize("workers, max_queue_size", [(1, 3), (2, 3), (4, 2), (8, 10)])
def test_loading_never_runs_more_than_max_queue_size_ahead(workers, max_queue_size):
    seq = IndexSequence(length=64, delay=0.001)
    seen = []

    class Probe(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            time.sleep(0.01)  # a slow model step: loading gets ahead

        def on_train_batch_end(self, batch, logs=None):
            seen.append(len(seq.served) - (batch + 1))

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    kfitcompat.fit_generator(model, seq, steps_per_epoch=40, workers=workers,
                             max_queue_size=max_queue_size, shuffle=False, verbose=0,
                             callbacks=[Probe()])
    assert max(seen) <= max_queue_size, seen
    assert max(seen) >= 1  # it did read ahead


@pytest.mark.slow
@pytest.mark.parametrize("workers, max_queue_size", [(1, 3), (2, 4)])
def test_worker_processes_never_load_more_than_max_queue_size_ahead(
        tmp_path, workers, max_queue_size):
    # Worker processes get requests ahead of the model (even while Keras sets up);
    # the batches they have loaded, counted in a file, stay within the queue's bound.
    seq = LoggedSequence(str(tmp_path / "loaded.txt"), length=40, delay=0.002)
    seen = []

    class Probe(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            time.sleep(0.02)
            seen.append(len(seq.loaded()) - batch)

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    kfitcompat.fit_generator(model, seq, steps_per_epoch=30, workers=workers,
                             use_multiprocessing=True, max_queue_size=max_queue_size,
                             shuffle=False, verbose=0, callbacks=[Probe()])
    assert max(seen) <= max_queue_size, seen
    assert max(seen) >= 2  # the workers did load ahead
    loaded = seq.loaded()
    assert sorted(loaded[:30]) == list(range(30)) and len(set(loaded)) == len(loaded)
    assert not multiprocessing.active_children()


def test_non_thread_safe_generator_under_eight_workers_yields_every_batch_once():
    served = []

    def gen():  # a plain generator: concurrent next() raises "generator already executing"
        for i in range(200):
            served.append(i)
            yield np.full((2, 3), i, "float32"), np.zeros((2, 1), "float32")

    with make_source(gen(), "fit", workers=8, max_queue_size=5) as source:
        values = sorted(int(b[0].numpy()[0, 0]) for b in source.dataset())
    assert values == list(range(200))
    assert served == list(range(200))


def test_no_thread_left_after_fit_returns_or_raises():
    before = set(threading.enumerate())
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")

    def gen():
        for _ in range(100):
            yield np.ones((2, 3), "float32"), np.ones((2, 1), "float32")

    kfitcompat.fit_generator(model, gen(), steps_per_epoch=5, workers=4, verbose=0)
    with pytest.raises(KeyError):
        kfitcompat.fit_generator(model, IndexSequence(fail_at=3), workers=4, verbose=0)
    assert set(threading.enumerate()) <= before


@pytest.mark.slow
def test_processes_serve_in_order_from_other_processes_and_see_on_epoch_end():
    seq = PidSequence(length=6)
    with make_source(seq, "fit", workers=2, use_multiprocessing=True) as source:
        batches = _drain(source, 12)
    values = [int(b[0].numpy()[0, 0]) for b in batches]
    pids = {int(b[0].numpy()[0, 1]) for b in batches}
    assert values == list(range(6)) + [1000 + i for i in range(6)]
    assert os.getpid() not in pids - {int(batches[0][0].numpy()[0, 1])}
    assert len(pids - {os.getpid()}) >= 1
    assert not multiprocessing.active_children()


@pytest.mark.slow
def test_fit_generator_with_processes_and_an_error_in_a_worker():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    h = kfitcompat.fit_generator(model, IndexSequence(length=8), epochs=2, workers=2,
                                 use_multiprocessing=True, verbose=0)
    assert h.epoch == [0, 1]
    with pytest.raises(KeyError, match="bad index 5"):
        kfitcompat.fit_generator(model, IndexSequence(length=8, fail_at=5), workers=2,
                                 use_multiprocessing=True, shuffle=False, verbose=0)
    assert not multiprocessing.active_children()


def test_unpicklable_sequence_with_processes_falls_back_to_threads_naming_the_attribute():
    seq = IndexSequence(length=4)
    seq.lock = threading.Lock()
    with pytest.warns(UserWarning, match=r"IndexSequence\.lock \(lock\) cannot be pickled.*"
                      r"use_multiprocessing=False"):
        source = make_source(seq, "fit", workers=2, use_multiprocessing=True)
    with source:
        assert len(list(source.dataset().take(4))) == 4  # endless in fit mode
    assert not multiprocessing.active_children()


@pytest.mark.slow
def test_picklable_iterator_with_multiprocessing_runs_in_one_producer_process():
    from engine_helpers import CountingIterator

    with make_source(CountingIterator(30), "fit", workers=4, use_multiprocessing=True) as source:
        batches = list(source.dataset())
    values = [int(b[0].numpy()[0, 0]) for b in batches]
    pids = {int(b[0].numpy()[0, 1]) for b in batches}
    assert values == list(range(30))  # once each, in order: no duplication
    assert len(pids) == 1 and os.getpid() not in pids
    assert not multiprocessing.active_children()


@pytest.mark.slow
def test_error_in_the_producer_process_reaches_the_caller():
    from engine_helpers import CountingIterator

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="bad item 3"):
        kfitcompat.fit_generator(model, CountingIterator(30, fail_at=3), steps_per_epoch=10,
                                 workers=2, use_multiprocessing=True, verbose=0)
    assert not multiprocessing.active_children()


def test_plain_generator_with_multiprocessing_warns_and_uses_threads():
    def gen():
        for i in range(6):
            yield np.full((2, 3), i, "float32"), np.zeros((2, 1), "float32")

    with pytest.warns(UserWarning, match="cannot be sent to another process.*duplicated"):
        source = make_source(gen(), "fit", workers=2, use_multiprocessing=True)
    with source:
        assert sorted(int(b[0].numpy()[0, 0]) for b in source.dataset()) == list(range(6))


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 3])  # 3: more workers than the 2 cores of CI
def test_processes_serve_every_index_once_per_pass_in_order(workers):
    seq = IndexSequence(length=12)
    with make_source(seq, "fit", workers=workers, use_multiprocessing=True,
                     max_queue_size=6) as source:
        values = [int(b[0].numpy()[0, 0]) for b in _drain(source, 24)]
    # Pass 2 carries the offset on_epoch_end set in the parent: state reached the workers.
    assert values == list(range(12)) + [1000 + i for i in range(12)]
    assert not multiprocessing.active_children()


def test_a_short_call_with_processes_loads_in_threads_and_starts_none(monkeypatch):
    """Threads first (the default): a call whose loading takes less than the budget never
    waits for worker processes to start (each imports TensorFlow: seconds)."""
    monkeypatch.delenv("KFITCOMPAT_PROCESSES_AFTER")
    seq = PidSequence(length=8)
    with make_source(seq, "fit", workers=2, use_multiprocessing=True) as source:
        batches = _drain(source, 16)
        assert multiprocessing.active_children() == []
    assert _first_values(batches) == list(range(8)) * 2
    assert {int(b[0].numpy()[0, 1]) for b in batches} == {os.getpid()}


def test_a_call_too_short_to_gain_from_processes_stays_in_threads_past_the_budget(monkeypatch):
    """Past the threads-first budget, the workers start only if the rest of the call would
    outlast their start: 3 epochs of 8 batches (0.5 s) never start one, while the same call
    with the batches it plans unknown (``make_source`` without ``planned``) does."""
    monkeypatch.setenv("KFITCOMPAT_PROCESSES_AFTER", "0.05")
    children: list[int] = []

    class Watch(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            children.append(len(multiprocessing.active_children()))

    seq = PidSequence(length=8, delay=0.02)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    kfitcompat.fit_generator(model, seq, epochs=3, workers=2, use_multiprocessing=True,
                             verbose=0, callbacks=[Watch()])
    assert children == [0] * 24
    with make_source(seq, "fit", workers=2, use_multiprocessing=True) as source:
        _drain(source, 8)
        started = multiprocessing.active_children()
        assert started, "the budget was spent and nothing said the call was short"
    assert multiprocessing.active_children() == []


_OVERLAP_LOCK = threading.Lock()  # module-level: the Sequence itself must stay picklable
_OVERLAP = {"now": 0, "most": 0}


class _OverlapSequence(keras.utils.Sequence):
    """Sleeps in ``__getitem__`` (I/O) and records how many calls overlapped at most."""

    def __init__(self, length: int) -> None:
        super().__init__()
        self.length = length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i):
        with _OVERLAP_LOCK:
            _OVERLAP["now"] += 1
            _OVERLAP["most"] = max(_OVERLAP["most"], _OVERLAP["now"])
        time.sleep(0.03)
        with _OVERLAP_LOCK:
            _OVERLAP["now"] -= 1
        return np.full((2, 3), i, "float32"), np.zeros((2, 1), "float32")


def test_threads_first_loads_in_as_many_threads_as_workers(monkeypatch):
    """Before its processes start a call loads as ``use_multiprocessing=False`` would, with
    ``workers`` threads at once: a short call with processes is never slower than threads."""
    monkeypatch.delenv("KFITCOMPAT_PROCESSES_AFTER")
    _OVERLAP.update(now=0, most=0)
    seq = _OverlapSequence(12)
    with make_source(seq, "fit", workers=3, use_multiprocessing=True) as source:
        assert _first_values(_drain(source, 12)) == list(range(12))
        assert multiprocessing.active_children() == []
    assert _OVERLAP["most"] == 3


@pytest.mark.slow
def test_threads_first_then_processes_keep_the_order_and_the_epoch_state(monkeypatch):
    """After the budget the workers start; once one has the Sequence the batches come from
    them, in order, and the state ``on_epoch_end()`` set in the parent reaches them."""
    monkeypatch.setenv("KFITCOMPAT_PROCESSES_AFTER", "0.05")
    seq = PidSequence(length=8, delay=0.02)
    pids: set[int] = set()
    values: list[int] = []
    with make_source(seq, "fit", workers=2, use_multiprocessing=True) as source:
        it = iter(source.dataset())
        deadline = time.monotonic() + 120
        while len(pids - {os.getpid()}) == 0 and time.monotonic() < deadline:
            for _ in range(8):  # a pass at a time
                batch = next(it)
                values.append(int(batch[0].numpy()[0, 0]))
                pids.add(int(batch[0].numpy()[0, 1]))
        passes = len(values) // 8
        tail = [int(next(it)[0].numpy()[0, 0]) for _ in range(8)]
    assert os.getpid() in pids and len(pids) > 1, "never switched to the worker processes"
    assert values == [1000 * p + i for p in range(passes) for i in range(8)]
    assert tail == [1000 * passes + i for i in range(8)]  # state of on_epoch_end, in order
    assert multiprocessing.active_children() == []


_TOLD_SCRIPT = """
import sys, time
import keras, numpy as np
import kfitcompat

class Seq(keras.utils.Sequence):
    def __init__(self, n, delay):
        super().__init__()
        self.n, self.delay = n, delay
    def __len__(self):
        return self.n
    def __getitem__(self, i):
        time.sleep(self.delay)
        return np.full((2, 3), i, "float32"), np.zeros((2, 1), "float32")

model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.compile("sgd", "mse")
n, delay = int(sys.argv[1]), float(sys.argv[2])
for verbose in sys.argv[3:]:
    print("call verbose=" + verbose, file=sys.stderr, flush=True)
    kfitcompat.fit_generator(model, Seq(n, delay), epochs=1, workers=2,
                             use_multiprocessing=True, verbose=int(verbose))
"""
_TOLD = "kfitcompat: use_multiprocessing=True loaded in threads: "


def _told_per_call(tmp_path, after: str | None, *args: str) -> list[list[str]]:
    """The told lines on stderr, per call of the script (one process)."""
    import subprocess
    import sys

    script = tmp_path / "told.py"
    script.write_text(_TOLD_SCRIPT)
    env = {k: v for k, v in os.environ.items() if k != "KFITCOMPAT_PROCESSES_AFTER"}
    if after is not None:
        env["KFITCOMPAT_PROCESSES_AFTER"] = after
    done = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True,
                          timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    calls = done.stderr.split("call verbose=")[1:]
    return [[line for line in call.splitlines() if line.startswith("kfitcompat:")]
            for call in calls]


@pytest.mark.slow
def test_a_call_with_processes_that_loads_in_threads_says_so_once_per_process(tmp_path):
    """``use_multiprocessing=True`` in a short call loads in threads (documented): the user
    who asked for processes is told, in one line naming why and how to force processes; not
    at ``verbose=0``, and once per process."""
    short = _told_per_call(tmp_path, None, "4", "0", "0", "1", "1")
    assert short[0] == [] and short[2] == [], short  # verbose=0, then already told
    assert len(short[1]) == 1, short
    assert short[1][0].startswith(_TOLD) and "after 5 s of loading" in short[1][0]
    assert short[1][0].endswith("KFITCOMPAT_PROCESSES_AFTER=0 starts worker processes with "
                                "the call.")
    # past a tiny budget, the call is judged too short to gain from processes: it says so
    past = _told_per_call(tmp_path, "0.01", "16", "0.02", "1")
    assert len(past[0]) == 1 and "the rest of this call (about" in past[0][0], past
    # processes from the first batch: nothing to tell
    assert _told_per_call(tmp_path, "0", "4", "0", "1") == [[]]


def test_batch_check_passes_exact_batches_through_and_converts_or_explains_the_rest():
    check = BatchCheck(spec_of((np.zeros((4, 3), "float32"), np.zeros((4, 1), "int64"))))
    x, y = np.ones((2, 3), "float32"), np.ones((2, 1), "int64")
    out = check((x, y), 0)
    assert out[0] is x and out[1] is y  # the common batch: no copy
    out = check((x.astype("float64"), y), 1)  # float64 later: cast to the first batch's dtype
    assert out[0].dtype == np.float32 and np.array_equal(out[0], x)
    with pytest.raises(BatchError, match=r"step 2 has shapes"):
        check((np.ones((2, 4), "float32"), y), 2)
    with pytest.raises(BatchError, match=r"step 3 has structure"):
        check((x,), 3)
    nested = BatchCheck(spec_of(({"a": np.zeros((4, 3), "float32")}, np.zeros((4, 1)))))
    flat = nested(({"a": x}, np.ones((2, 1))), 4)
    assert [a.shape for a in flat] == [(2, 3), (2, 1)]


def test_exhaustion_guard_counts_batch_ends_arriving_in_any_order():
    # Keras 3 dispatches batch-end callbacks of an async-safe callback on a thread pool.
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    guard = ExhaustionGuard(None, steps=4, total_batches=8, val_source=None)
    assert guard.async_safe
    guard.set_model(model)
    model.stop_training = False
    guard.on_epoch_begin(0)
    for batch in (1, 0, 3, 2):
        guard.on_train_batch_end(batch)
    guard.on_epoch_end(0)
    assert not model.stop_training
    guard.on_epoch_begin(1)
    for batch in (1, 0):
        guard.on_train_batch_end(batch)
    with pytest.warns(UserWarning, match="ran out of data"):
        guard.on_epoch_end(1)
    assert model.stop_training
