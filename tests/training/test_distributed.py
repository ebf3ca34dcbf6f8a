"""Legacy fit/fit_generator under tf.distribute (issue #8).

MirroredStrategy over 2 logical CPUs and MultiWorkerMirroredStrategy over 2
processes on 127.0.0.1 each run in fresh processes: logical devices and
TF_CONFIG must be in place before TensorFlow starts.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPTS = Path(__file__).parent / "distributed_scripts"
TIMEOUT = 300


def _run(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *args], env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def mirrored() -> dict:
    proc = _run([str(SCRIPTS / "mirrored.py")], {"CUDA_VISIBLE_DEVICES": ""})
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        proc.kill()
    assert proc.returncode == 0, err[-3000:]
    return json.loads(out)


def test_mirrored_uses_two_replicas(mirrored):
    assert mirrored["replicas"] == 2


@pytest.mark.parametrize("case", ["sequence", "generator", "arrays", "image"])
def test_mirrored_training_equals_single_device(mirrored, case):
    # The batch a legacy generator yields is the global batch, split across the
    # 2 replicas: same gradients as one device, so the same weights.
    assert mirrored[case] < 1e-5


def test_mirrored_history_equals_single_device(mirrored):
    np.testing.assert_allclose(mirrored["sequence_loss_mirrored"],
                               mirrored["sequence_loss_single"], rtol=1e-5)


def test_mirrored_sequence_serves_every_index_once_per_epoch(mirrored):
    served = mirrored["sequence_served_mirrored"]
    assert sorted(served[:6]) == list(range(6))
    assert sorted(served[6:12]) == list(range(6))


def test_mirrored_evaluate_and_predict_generator_equal_single_device(mirrored):
    assert mirrored["evaluate_shape"] == [2]  # [loss, accuracy]
    assert mirrored["evaluate"] < 1e-6
    assert mirrored["predict_shape"] == [96, 1]  # every sample once, in order
    assert mirrored["predict"] < 1e-5


def test_per_replica_batches_equal_single_device_on_double_batches(mirrored):
    assert mirrored["per_replica"] < 1e-5
    assert sorted(mirrored["per_replica_served"][:12]) == list(range(12))
    assert mirrored["mode_after"] == "global"  # the context manager restored it


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def multi_worker(tmp_path_factory) -> list[dict]:
    tmp = tmp_path_factory.mktemp("mwms")
    cluster = {"worker": [f"127.0.0.1:{_free_port()}" for _ in range(2)]}
    procs = [
        _run([str(SCRIPTS / "multi_worker.py"), str(tmp / f"worker{i}.json")],
             {"TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker",
                                                                   "index": i}}),
              "CUDA_VISIBLE_DEVICES": ""})
        for i in range(2)
    ]
    errors = []
    try:
        for proc in procs:
            _, err = proc.communicate(timeout=TIMEOUT)
            errors.append(err)
    finally:
        for proc in procs:  # bounded: never leave a worker behind
            proc.kill()
            proc.wait()
    for proc, err in zip(procs, errors):
        assert proc.returncode == 0, err[-3000:]
    return [json.loads((tmp / f"worker{i}.json").read_text()) for i in range(2)]


def test_multi_worker_weights_equal_on_both_workers(multi_worker):
    w0, w1 = ([np.asarray(w) for w in r["weights"]] for r in multi_worker)
    for a, b in zip(w0, w1):
        np.testing.assert_array_equal(a, b)


def test_multi_worker_shards_cover_every_index_once_per_epoch(multi_worker):
    steps = 5  # 10 batches over 2 workers
    for epoch in range(2):
        seen = [i for r in multi_worker for i in r["served"][epoch * steps:(epoch + 1) * steps]]
        assert sorted(seen) == list(range(10))
    assert set(multi_worker[0]["served"]).isdisjoint(multi_worker[1]["served"])


def test_multi_worker_equals_single_device_on_global_batches(multi_worker):
    # Step s: worker 0 trains on batch 2s, worker 1 on 2s+1 -> one device on batches of 16.
    for a, b in zip(multi_worker[0]["weights"], multi_worker[0]["single_weights"]):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_multi_worker_predict_generator_returns_every_sample_in_order(multi_worker):
    for result in multi_worker:
        # predict_generator ran after the Sequence training: compare with the
        # single-device model trained on the same global batches
        np.testing.assert_allclose(result["predict"], multi_worker[0]["single_predict"],
                                   atol=1e-5)


def test_multi_worker_arrays_fit_after_install_trains_like_the_sequence(multi_worker):
    # arrays in global batches of 16 = the Sequence of 8 sharded over 2 workers
    for a, b in zip(multi_worker[0]["arrays_weights"], multi_worker[0]["weights"]):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_multi_worker_evaluate_generator_agrees(multi_worker):
    assert multi_worker[0]["evaluate"] == pytest.approx(multi_worker[1]["evaluate"])


def test_multi_worker_plain_generator_is_warned_not_sharded(multi_worker):
    for result in multi_worker:
        assert any("cannot be sharded" in w for w in result["warnings"]), result["warnings"]


def test_set_distributed_batch_rejects_unknown_mode_and_restores():
    import kfitcompat
    from kfitcompat.training.distribute import distributed_batch

    with pytest.raises(ValueError, match="`mode`.*per_replica.*'whole'"):
        kfitcompat.set_distributed_batch("whole")
    with kfitcompat.set_distributed_batch("per_replica"):
        assert distributed_batch() == "per_replica"
    assert distributed_batch() == "global"


def test_models_outside_a_strategy_are_not_placed():
    import keras

    from kfitcompat.training.distribute import placement_of

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    placement = placement_of(model)
    assert not placement.distributed
    assert placement.plan(object(), 7) == (7, (0, 1))


def test_an_unseeded_shuffling_image_iterator_on_several_hosts_warns_and_a_seeded_one_not():
    """Every host of a MultiWorkerMirroredStrategy draws the order itself: without one seed
    they would disagree and the shards overlap."""
    import warnings

    from kfitcompat.image import ImageDataGenerator
    from kfitcompat.training.distribute import Placement

    x, y = np.zeros((8, 4, 4, 3), "float32"), np.zeros((8, 1), "float32")
    flow = ImageDataGenerator().flow
    with pytest.warns(UserWarning, match="shuffles without a `seed`"):
        Placement(hosts=2).check_sharded_order(flow(x, y, shuffle=True, seed=None))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Placement(hosts=2).check_sharded_order(flow(x, y, shuffle=True, seed=3))
        Placement(hosts=2).check_sharded_order(flow(x, y, shuffle=False))
        Placement(hosts=1).check_sharded_order(flow(x, y, shuffle=True))
        Placement(hosts=2).check_sharded_order((x, y))
