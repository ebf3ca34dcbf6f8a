"""The third fault matrix (issue #33), rows 1-4: ``install()`` racing itself, a generator
reused across calls, ``follow_links`` over a symlink loop, temporary folders after Ctrl-C
and failed worker starts. Real threads, symlinks, signals, processes and files."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
import weakref
from typing import Any

import keras
import numpy as np
import pytest
from engine_helpers import Broken, CountingIterator, IndexSequence, ctrl_c_raises
from PIL import Image

import kfitcompat
from kfitcompat.image import ImageDataGenerator
from kfitcompat.installer import install, is_installed, uninstall
from kfitcompat.surface_install import SurfaceWarning

# -- row 1: install() racing itself -------------------------------------------------------

_INSTALL_ROUNDS, _INSTALL_THREADS = 30, 6
_GONE = object()


def _patched_state() -> dict[tuple[Any, str], Any]:
    """Every attribute and ``sys.modules`` entry install() may set, as it is now."""
    from kfitcompat.surface import ALIAS, MODULE, SURFACE
    from kfitcompat.surface_install import owner

    state: dict[tuple[Any, str], Any] = {}
    for name in ("fit", "evaluate", "predict", "metrics_names", "fit_generator",
                 "evaluate_generator", "predict_generator"):
        state[(keras.Model, name)] = keras.Model.__dict__.get(name, _GONE)
    for row in SURFACE:
        if row.kind == ALIAS:
            continue
        if row.kind == MODULE:  # a Keras 2 module path; its parent may be one too
            path = f"{row.module}.{row.name}"
            state[("sys.modules", path)] = sys.modules.get(path, _GONE)
            continue
        where = owner(row.module)
        state[(where, row.name)] = where.__dict__.get(row.name, _GONE)
    return state


def _race_install(threads: int) -> list[BaseException]:
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def racer() -> None:
        try:
            barrier.wait()
            install()
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    workers = [threading.Thread(target=racer) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors


def _wraps_once(method: Any, original: Any) -> bool:
    return getattr(method, "__wrapped__", None) is original


@pytest.mark.slow  # a thread switch every few bytecodes: a minute of install() rounds
def test_install_racing_itself_in_threads_installs_once_and_uninstalls_exactly():
    assert not is_installed()
    before = _patched_state()
    original_fit, original_evaluate = keras.Model.fit, keras.Model.evaluate
    failures: list[str] = []
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch every few bytecodes: races show up
    try:
        caught = _race_rounds(before, original_fit, original_evaluate, failures)
    finally:
        sys.setswitchinterval(interval)
    failures += [f"SurfaceWarning: {w.message}" for w in caught
                 if issubclass(w.category, SurfaceWarning)]
    assert not failures, failures[:6]


def _race_rounds(before: dict, original_fit: Any, original_evaluate: Any,
                 failures: list[str]) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for attempt in range(_INSTALL_ROUNDS):
            errors = _race_install(_INSTALL_THREADS)
            try:
                if errors:
                    failures.append(f"round {attempt}: {errors[0]!r}")
                if not (_wraps_once(keras.Model.fit, original_fit)
                        and _wraps_once(keras.Model.evaluate, original_evaluate)):
                    failures.append(f"round {attempt}: fit/evaluate not wrapped exactly once")
                if not is_installed():
                    failures.append(f"round {attempt}: not installed after install()")
            finally:
                uninstall()
            after = _patched_state()
            changed = sorted(f"{getattr(k[0], '__name__', k[0])}.{k[1]}" for k in before
                             if after[k] is not before[k])
            if changed:
                failures.append(f"round {attempt}: still patched after uninstall(): {changed}")
                for (where, name), value in before.items():  # the next round starts clean
                    if where == "sys.modules":
                        sys.modules.pop(name, None) if value is _GONE else sys.modules.update(
                            {name: value})
                    elif value is _GONE:
                        if name in where.__dict__:
                            delattr(where, name)
                    else:
                        setattr(where, name, value)
            if keras.utils.Sequence is not keras.utils.PyDataset:
                failures.append(f"round {attempt}: keras.utils.Sequence is not PyDataset")
    return caught


# A fresh interpreter: threads that reach `kfitcompat.install` first at once, then the
# other names of the submodule `kfitcompat.installer`.
_FIRST_ACCESS = """
import sys, threading
import kfitcompat
sys.setswitchinterval(1e-6)
barrier, errors = threading.Barrier(6), []
def racer():
    barrier.wait()
    try:
        kfitcompat.install()
    except BaseException as exc:
        errors.append(repr(exc))
threads = [threading.Thread(target=racer) for _ in range(6)]
for t in threads: t.start()
for t in threads: t.join()
assert not errors, errors
kfitcompat.uninstall()
from kfitcompat.installer import is_installed
assert not kfitcompat.is_installed() and not is_installed()
kfitcompat.install()
assert kfitcompat.is_installed()
print("installed from", kfitcompat.install.__module__)
"""


@pytest.mark.slow
def test_install_stays_callable_however_the_package_was_reached():
    out = subprocess.run([sys.executable, "-c", _FIRST_ACCESS], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr.strip().splitlines()[-3:]
    assert "installed from kfitcompat.installer" in out.stdout


@pytest.mark.slow
def test_a_script_under_kfitcompat_run_may_call_install_itself(tmp_path):
    script = tmp_path / "train.py"
    script.write_text("import kfitcompat\nkfitcompat.install()\nimport keras\n"
                      "print('fit_generator' in dir(keras.Model))\n")
    out = subprocess.run([sys.executable, "-m", "kfitcompat", "run", str(script)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr.strip().splitlines()[-3:]
    assert out.stdout.strip().endswith("True")


# -- row 2: a generator reused across calls ------------------------------------------------


def _numbered(start: int = 0, stop: int | None = None, fail_at: int | None = None):
    """Batch i: 2 rows filled with i (x and y)."""
    i = start
    while stop is None or i < stop:
        if i == fail_at:
            raise Broken(f"batch {i} is broken")
        yield np.full((2, 3), i, "float32"), np.full((2, 3), i, "float32")
        i += 1


class _Record(keras.layers.Layer):
    """Identity that notes the first value of every batch the model runs on (eagerly)."""

    def __init__(self, seen: list[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._note = seen.append  # a bound method: Keras does not copy it as it would a list

    def call(self, x: Any) -> Any:
        if hasattr(x, "numpy"):
            self._note(int(x.numpy()[0, 0]))
        return x


def _recording_model(seen: list[int]) -> keras.Model:
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(3)(_Record(seen)(inputs)))
    model.compile("sgd", "mse", run_eagerly=True)
    return model


def _epoch_loop(method: str, data: Any, calls: int, **loading: Any) -> list[int]:
    """What a script's own loop of ``calls`` calls of 3 steps on ``data`` runs the model on."""
    seen: list[int] = []
    model = _recording_model(seen)
    for _ in range(calls):
        if method == "predict_generator":
            out = kfitcompat.predict_generator(model, data, steps=3, verbose=0, **loading)
            assert out.shape == (6, 3)
        elif method == "evaluate_generator":
            kfitcompat.evaluate_generator(model, data, steps=3, verbose=0, **loading)
        else:
            run = kfitcompat.fit_generator if method == "fit_generator" else kfitcompat.fit
            run(model, data, steps_per_epoch=3, epochs=1, verbose=0, **loading)
    return seen


METHODS = ["fit_generator", "fit", "evaluate_generator", "predict_generator"]


@pytest.mark.parametrize("workers", [0, 1, 2, 4])
@pytest.mark.parametrize("method", METHODS)
def test_a_generator_reused_across_calls_loses_no_batch(clean, method, workers):
    seen = _epoch_loop(method, _numbered(), 4, workers=workers, max_queue_size=5)
    assert seen == list(range(12))


@pytest.mark.parametrize("workers", [1, 2])
def test_a_zip_of_generators_reused_across_calls_loses_no_batch(clean, workers):
    # a built-in iterator without weak references (kept strongly until the next call)
    pairs = zip((x for x, _ in _numbered()), (y for _, y in _numbered()))
    assert _epoch_loop("fit_generator", pairs, 3, workers=workers) == list(range(9))


@pytest.mark.parametrize("workers", [1, 2])
def test_a_validation_generator_reused_across_calls_loses_no_batch(clean, workers):
    seen: list[int] = []
    model = _recording_model(seen)
    train, val = _numbered(), _numbered(start=1000)
    for _ in range(3):
        kfitcompat.fit_generator(model, train, steps_per_epoch=2, epochs=1, verbose=0,
                                 validation_data=val, validation_steps=2, workers=workers)
    assert [i for i in seen if i < 1000] == list(range(6))
    assert [i - 1000 for i in seen if i >= 1000] == list(range(6))


class _StopAfter(keras.callbacks.Callback):
    def __init__(self, batches: int) -> None:
        super().__init__()
        self.batches = batches

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        if batch + 1 == self.batches:
            self.model.stop_training = True


@pytest.mark.parametrize("workers", [1, 2])
def test_what_a_stopped_call_read_ahead_goes_to_the_next_call(clean, workers):
    seen: list[int] = []
    model = _recording_model(seen)
    gen = _numbered()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kfitcompat.fit_generator(model, gen, steps_per_epoch=6, epochs=3, verbose=0,
                                 workers=workers, max_queue_size=5,
                                 callbacks=[_StopAfter(2)])
    assert not [w for w in caught if "ran out of data" in str(w.message)]  # it did not
    kfitcompat.fit_generator(model, gen, steps_per_epoch=3, epochs=1, verbose=0,
                             workers=workers)
    assert seen == list(range(5))


def test_an_error_raised_while_reading_ahead_reaches_the_call_that_gets_there(clean):
    model = _recording_model([])
    gen = _numbered(fail_at=5)
    kfitcompat.predict_generator(model, gen, steps=3, workers=2, max_queue_size=5)
    with pytest.raises(Broken, match="batch 5 is broken"):
        kfitcompat.predict_generator(model, gen, steps=3, workers=2)


def test_batches_kept_for_a_generator_go_with_it(clean):
    drawn: list[weakref.ref] = []

    def tracked():
        for x, y in _numbered():
            drawn.append(weakref.ref(x))
            yield x, y

    gen = tracked()
    kfitcompat.predict_generator(_recording_model([]), gen, steps=2, workers=2,
                                 max_queue_size=5)
    assert len(drawn) > 2  # read ahead, and kept for the next call on `gen`
    del gen
    gc.collect()
    assert [ref for ref in drawn if ref() is not None] == []


@pytest.mark.slow
def test_an_iterator_reused_across_calls_in_a_producer_process_loses_no_batch(clean):
    seen: list[int] = []
    model = _recording_model(seen)
    it = CountingIterator(10**6)
    for _ in range(3):
        kfitcompat.fit_generator(model, it, steps_per_epoch=3, workers=2, max_queue_size=5,
                                 use_multiprocessing=True, verbose=0)
    kfitcompat.predict_generator(model, it, steps=3, workers=2)  # then in threads
    assert seen == list(range(12))


# -- row 3: follow_links over a symlink loop -----------------------------------------------


def _png(path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.zeros((4, 4, 3), "uint8")).save(path)


def test_a_symlink_loop_is_walked_once_under_its_real_name(tmp_path):
    root = tmp_path / "train"
    _png(root / "cat" / "a.png")
    _png(root / "cat" / "sub" / "f.png")
    _png(root / "dog" / "d.png")
    os.symlink(root / "cat", root / "cat" / "loop")  # sorts before `sub`
    os.symlink(root / "cat" / "sub", root / "cat" / "sub" / "again")
    outside = tmp_path / "elsewhere"
    _png(outside / "o.png")
    os.symlink(outside, root / "dog" / "extra")  # a real folder reached only by links:
    os.symlink(outside, root / "dog" / "more")  # listed once, under the first link
    it = ImageDataGenerator().flow_from_directory(str(root), follow_links=True,
                                                  target_size=(4, 4), shuffle=False)
    assert it.filenames == [os.path.join("cat", "a.png"), os.path.join("cat", "sub", "f.png"),
                            os.path.join("dog", "d.png"), os.path.join("dog", "extra", "o.png")]
    assert it.classes.tolist() == [0, 0, 1, 1]
    without = ImageDataGenerator().flow_from_directory(str(root), target_size=(4, 4),
                                                       shuffle=False)
    assert without.filenames == it.filenames[:3]


# -- row 4: temporary folders after Ctrl-C twice and failed worker starts -------------------

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DOUBLE_CTRL_C = """
import sys
sys.path.insert(0, {tests!r})
import keras, kfitcompat
from engine_helpers import IndexSequence

class Validating(keras.callbacks.Callback):
    def on_test_batch_begin(self, batch, logs=None):
        if batch == 1:
            print("validating", flush=True)

model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.compile("sgd", "mse")
kfitcompat.fit_generator(model, IndexSequence(length=4), epochs=3, workers=2,
                         use_multiprocessing=True, verbose=0, callbacks=[Validating()],
                         validation_data=IndexSequence(length=200, delay=0.05))
"""


def _seq_folders(directory) -> list[str]:
    return sorted(name for name in os.listdir(directory) if name.startswith("kfitcompat-seq-"))


@pytest.mark.slow
@pytest.mark.parametrize("gap", [0.05, 0.1, 0.2])
def test_ctrl_c_twice_during_validation_leaves_no_temp_folder(tmp_path, gap):
    env = dict(os.environ, TMPDIR=str(tmp_path), KFITCOMPAT_PROCESSES_AFTER="0")
    proc = subprocess.Popen([sys.executable, "-c", DOUBLE_CTRL_C.format(tests=TESTS)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True, preexec_fn=ctrl_c_raises)
    try:
        if proc.stdout.readline().strip() != "validating":
            proc.kill()
            pytest.fail(proc.communicate()[1][-3000:])
        proc.send_signal(signal.SIGINT)
        time.sleep(gap)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert "KeyboardInterrupt" in err
    assert _seq_folders(tmp_path) == []


FAILED_START = """
import os, resource, sys, tempfile, multiprocessing
sys.path.insert(0, {tests!r})
import keras, kfitcompat
from engine_helpers import IndexSequence

model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.compile("sgd", "mse")
kfitcompat.fit_generator(model, IndexSequence(length=4), epochs=1, verbose=0)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
for extra in (2, 4, 6, 8, 10, 12):
    resource.setrlimit(resource.RLIMIT_NOFILE,
                       (len(os.listdir("/proc/self/fd")) + extra, hard))
    try:
        kfitcompat.fit_generator(model, IndexSequence(length=4), epochs=2, workers=2,
                                 use_multiprocessing=True, verbose=0)
        outcome = "ran"
    except OSError as exc:
        outcome = "ulimit" if "ulimit -n" in " ".join(getattr(exc, "__notes__", [])) else repr(exc)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    left = [n for n in os.listdir(tempfile.gettempdir()) if n.startswith("kfitcompat-seq-")]
    print(extra, outcome, left, len(multiprocessing.active_children()), flush=True)
"""


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")
def test_a_worker_start_that_runs_out_of_file_descriptors_leaves_no_temp_folder(tmp_path):
    env = dict(os.environ, TMPDIR=str(tmp_path), KFITCOMPAT_PROCESSES_AFTER="0")
    out = subprocess.run([sys.executable, "-c", FAILED_START.format(tests=TESTS)],
                         capture_output=True, text=True, timeout=600, env=env)
    assert out.returncode == 0, out.stderr.strip().splitlines()[-3:]
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 6, out.stdout
    assert any(" ulimit " in line for line in lines), lines  # the limit was hit and named
    for line in lines:
        extra, outcome, rest = line.split(" ", 2)
        assert outcome in ("ran", "ulimit"), line
        assert rest == "[] 0", line  # no folder, no process left after the call
    assert _seq_folders(tmp_path) == []


KILLED_TRAINER = """
import sys
sys.path.insert(0, {tests!r})
import keras, kfitcompat
from engine_helpers import IndexSequence

class Started(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if batch == 2:
            print("training", flush=True)

model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.compile("sgd", "mse")
kfitcompat.fit_generator(model, IndexSequence(length=40, delay=0.05), epochs=100, workers=2,
                         use_multiprocessing=True, verbose=0, callbacks=[Started()])
"""


@pytest.mark.slow
def test_the_folder_of_a_killed_trainer_is_swept_at_the_next_start(tmp_path, monkeypatch):
    env = dict(os.environ, TMPDIR=str(tmp_path), KFITCOMPAT_PROCESSES_AFTER="0")
    proc = subprocess.Popen([sys.executable, "-c", KILLED_TRAINER.format(tests=TESTS)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env, start_new_session=True)
    try:
        assert proc.stdout.readline().strip() == "training"
        os.killpg(proc.pid, signal.SIGKILL)  # no cleanup can run
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert len(_seq_folders(tmp_path)) == 1  # what a killed process leaves
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    kfitcompat.fit_generator(model, IndexSequence(length=4), epochs=1, workers=2,
                             use_multiprocessing=True, verbose=0)
    assert _seq_folders(tmp_path) == []
