"""Worker processes where Keras 2's worked: ``__main__`` code by value, no main re-run,
nothing outliving the trainer, temporary files bounded, user exceptions intact."""

from __future__ import annotations

import glob
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

import keras
import numpy as np
import pytest

import kfitcompat

pytestmark = pytest.mark.slow

# An unguarded legacy script: a Sequence in __main__, use_multiprocessing=True, no main guard.
UNGUARDED = textwrap.dedent("""
    import os, sys
    import numpy as np, keras, kfitcompat
    with open({runs!r}, "a") as f:  # one line per execution of the top level
        f.write(f"{{os.getpid()}}\\n")

    class DataSequence(kfitcompat.Sequence):
        def __len__(self):
            return 6
        def __getitem__(self, i):
            with open({seen!r}, "a") as f:
                f.write(f"{{i}}\\n")
            return np.full((4, 3), i, "float32"), np.zeros((4, 1), "float32")

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    kfitcompat.fit_generator(model, DataSequence(), epochs=2, workers=2,
                             use_multiprocessing=True, shuffle=False, verbose=0)
    print("trained", flush=True)
""")


@pytest.mark.parametrize("how", ["file", "-c", "stdin"])
def test_unguarded_main_module_trains_in_processes_without_rerunning(tmp_path, how):
    runs, seen = tmp_path / "runs.txt", tmp_path / "seen.txt"
    code = UNGUARDED.format(runs=str(runs), seen=str(seen))
    script = tmp_path / "train.py"
    script.write_text(code)
    command, stdin = {"file": ([sys.executable, str(script)], None),
                      "-c": ([sys.executable, "-c", code], None),
                      "stdin": ([sys.executable, "-"], code)}[how]
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "trained" in done.stdout
    assert len(runs.read_text().split()) == 1  # the workers did not run the script again
    indices = sorted(int(i) for i in seen.read_text().split())
    assert indices == sorted(list(range(6)) * 2)  # every index once per epoch


# A picklable iterator class in __main__ that notes, from the process it runs in, whether
# that process imported TensorFlow.
ITERATOR_SCRIPT = textwrap.dedent("""
    import os, sys
    import numpy as np, keras, kfitcompat

    class Batches:
        def __init__(self):
            self.i = 0
        def __iter__(self):
            return self
        def __next__(self):
            self.i += 1
            with open({seen!r}, "a") as f:
                f.write(f"{{os.getpid()}} {{'tensorflow' in sys.modules}}\\n")
            return np.full((4, 3), self.i, "float32"), np.zeros((4, 1), "float32")

    if __name__ == "__main__":
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile("sgd", "mse")
        kfitcompat.fit_generator(model, Batches(), steps_per_epoch=3, epochs=2,
                                 use_multiprocessing=True, verbose=0)
        print("trained", os.getpid(), flush=True)
""")


def test_an_iterator_in_a_producer_process_does_not_wait_for_tensorflow(tmp_path):
    """The producer of a plain iterator imports what the iterator needs, not TensorFlow (about
    5 s of a 2-core machine's time): a short call in a process is about as fast as in a
    thread (it took 5.7 s against 1.0 s when the producer imported kfitcompat.data)."""
    seen = tmp_path / "seen.txt"
    script = tmp_path / "train.py"
    script.write_text(ITERATOR_SCRIPT.format(seen=str(seen)))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    trainer = done.stdout.split()[-1]
    draws = [line.split() for line in seen.read_text().splitlines()]
    assert len(draws) >= 6  # every step drawn (a few more may be queued ahead)
    assert {pid for pid, _ in draws} != {trainer} and trainer not in {pid for pid, _ in draws}
    assert {imported for _, imported in draws} == {"False"}


class BadSample(Exception):
    def __init__(self, i, why):
        super().__init__(f"sample {i} is {why}")
        self.i = i


class BadSampleSequence(kfitcompat.Sequence):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        if i == 3:
            raise BadSample(i, "corrupt")
        return np.zeros((4, 3), "float32"), np.zeros((4, 1), "float32")


class BadSampleIterator:
    def __init__(self):
        self.i = 0

    def __iter__(self):
        return self

    def __next__(self):
        self.i += 1
        if self.i == 3:
            raise BadSample(self.i, "corrupt")
        return np.zeros((4, 3), "float32"), np.zeros((4, 1), "float32")


@pytest.mark.parametrize("data", [BadSampleSequence, BadSampleIterator])
@pytest.mark.parametrize("mp", [False, True], ids=["threads", "processes"])
def test_exception_needing_init_arguments_reaches_the_caller_with_its_message(data, mp):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    with pytest.raises(BadSample, match="sample 3 is corrupt") as info:
        kfitcompat.fit_generator(model, data(), steps_per_epoch=6, epochs=1, workers=2,
                                 use_multiprocessing=mp, shuffle=False, verbose=0)
    assert info.value.i == 3  # the instance's state travels too
    assert not multiprocessing.active_children()


class FourMegabytes(kfitcompat.Sequence):
    def __init__(self):
        self.payload = np.zeros(4 * 2**20 // 8)

    def __len__(self):
        return 2

    def __getitem__(self, i):
        return np.zeros((4, 3), "float32"), np.zeros((4, 1), "float32")


def test_pass_files_are_bounded_and_removed(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    peak = []

    class Count(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            peak.append(len(glob.glob(str(tmp_path / "kfitcompat-seq-*" / "*.pkl"))))

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    kfitcompat.fit_generator(model, FourMegabytes(), epochs=8, workers=2,
                             use_multiprocessing=True, verbose=0, callbacks=[Count()])
    assert len(peak) == 8 and max(peak) <= 2, peak
    # (TensorFlow's autograph may leave its own generated sources there until exit)
    assert not [name for name in os.listdir(tmp_path) if name.startswith("kfitcompat")]


KILLED = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {tests!r})
    import keras, kfitcompat
    from engine_helpers import IndexSequence, CountingIterator

    class Report(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                import multiprocessing
                print(" ".join(str(p.pid) for p in multiprocessing.active_children()),
                      flush=True)

    if __name__ == "__main__":
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile("sgd", "mse")
        data = {data}
        kfitcompat.fit_generator(model, data, steps_per_epoch=40, epochs=100, workers=2,
                                 use_multiprocessing=True, verbose=0, callbacks=[Report()])
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie waiting for init is gone for our purpose
        return f.read().split(")")[-1].split()[0] != "Z"


def _session(sid: int) -> list[int]:
    """Live processes of session ``sid`` (the trainer's descendants: workers, producers,
    resource trackers)."""
    members = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as f:
                fields = f.read().split(")")[-1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            members.append(int(stat.split("/")[2]))
    return members


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
@pytest.mark.parametrize("data", ["IndexSequence(length=40, delay=0.05)",
                                  "CountingIterator(10**6)"], ids=["Sequence", "iterator"])
def test_killing_the_trainer_leaves_no_kfitcompat_process(sig, data):
    tests = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.Popen([sys.executable, "-c", KILLED.format(tests=tests, data=data)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    try:
        children = [int(p) for p in proc.stdout.readline().split()]
        assert children, "no worker process was running"
        proc.send_signal(sig)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 5
        while _session(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert all(not _alive(p) for p in children)
        assert _session(proc.pid) == []
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


NOTEBOOK_SEQUENCE = """
import os, multiprocessing, numpy as np, keras, kfitcompat

class DataSequence(kfitcompat.Sequence):  # defined in a cell: lives in __main__, no file
    def __init__(self, length, delay=0.0):
        self.length, self.delay = length, delay
    def __len__(self):
        return self.length
    def __getitem__(self, i):
        import time
        time.sleep(self.delay)
        return np.full((4, 3), i, "float32"), np.zeros((4, 1), "float32")

class Seen(keras.callbacks.Callback):
    def __init__(self, marker):
        super().__init__()
        self.marker = marker
    def on_train_batch_begin(self, batch, logs=None):
        if batch == 2:
            open(self.marker, "w").close()

model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.compile("sgd", "mse")
"""

NOTEBOOK_COUNT = """
import tempfile, glob
log = tempfile.mkdtemp()
class Logged(DataSequence):
    def __getitem__(self, i):
        open(os.path.join(log, f"{i}-{os.getpid()}-{np.random.rand()}"), "w").close()
        return super().__getitem__(i)
kfitcompat.fit_generator(model, Logged(6), epochs=3, workers=2, use_multiprocessing=True,
                         verbose=0)
names = [os.path.basename(p).split("-") for p in glob.glob(os.path.join(log, "*"))]
print("indices", sorted(int(n[0]) for n in names), "in workers", os.getpid() not in
      {int(n[1]) for n in names})
"""


def test_notebook_sequence_in_worker_processes_trains_interrupts_and_reruns(tmp_path):
    """The notebook's stop button, through the real KernelManager: ``interrupt_kernel()``
    sends SIGINT to the kernel's whole process group, so the worker processes get it too,
    once while they serve batches and once while they are still starting."""
    import asyncio
    import threading

    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    serving, starting = tmp_path / "serving", tmp_path / "starting"
    cells = [
        NOTEBOOK_SEQUENCE,
        NOTEBOOK_COUNT,
        f"kfitcompat.fit_generator(model, DataSequence(200, delay=0.05), epochs=50, workers=2,"
        f" use_multiprocessing=True, verbose=0, callbacks=[Seen({str(serving)!r})])",
        "import time; time.sleep(1); print('children', multiprocessing.active_children())",
        NOTEBOOK_COUNT,
        # KFITCOMPAT_PROCESSES_AFTER=0 (conftest): no batch before a worker is up
        f"open({str(starting)!r}, 'w').close()\n"
        f"kfitcompat.fit_generator(model, DataSequence(200), epochs=50, workers=2,"
        f" use_multiprocessing=True, verbose=0)",
        "time.sleep(1); print('children', multiprocessing.active_children())",
        NOTEBOOK_COUNT,
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(tmp_path)}})

    def interrupt_when(marker, wait: float) -> None:
        def run() -> None:
            while not marker.exists():
                time.sleep(0.05)
            time.sleep(wait)
            asyncio.run(client.km.interrupt_kernel())

        threading.Thread(target=run, daemon=True).start()

    with client.setup_kernel():
        for i in (0, 1):
            client.execute_cell(nb.cells[i], i)
        for cell, marker, wait in ((2, serving, 0.5), (5, starting, 1.0)):
            interrupt_when(marker, wait)
            started = time.monotonic()
            client.execute_cell(nb.cells[cell], cell)
            assert time.monotonic() - started < 120  # the 50 epochs were not run
            for i in (cell + 1, cell + 2):
                client.execute_cell(nb.cells[i], i)
    outputs = ["".join(o.get("text", "") + o.get("ename", "") for o in c.outputs)
               for c in nb.cells]
    every_index_three_times = f"indices {sorted(list(range(6)) * 3)} in workers True"
    assert every_index_three_times in outputs[1], outputs[1]
    for cell in (2, 5):
        assert "KeyboardInterrupt" in outputs[cell], outputs[cell]
        assert "WorkerDied" not in outputs[cell], outputs[cell]
        assert "children []" in outputs[cell + 1], outputs[cell + 1]
        assert every_index_three_times in outputs[cell + 2], outputs[cell + 2]  # a rerun works
