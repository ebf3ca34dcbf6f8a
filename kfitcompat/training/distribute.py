"""Legacy sources under a ``tf.distribute`` strategy (``MirroredStrategy``,
``MultiWorkerMirroredStrategy``).

Keras 2 had no story here; Keras 3 distributes a ``tf.data.Dataset`` itself, but
a legacy stream is stateful (one generator, one index stream across epochs), so
kfitcompat places it explicitly:

* ``Sequence``\\ s and ImageDataGenerator iterators are sharded by batch index:
  host ``w`` of ``W`` loads the indices ``i % W == w`` of every pass, so each
  sample is seen once per epoch across the cluster and ``steps_per_epoch``
  defaults to ``ceil(len(sequence) / W)``. ``workers`` and ``max_queue_size``
  apply per host.
* Plain generators cannot be sharded: every host draws from its own generator
  (warned once when there is more than one host).
* The batch a host's generator yields is split across the host's replicas
  (``"global"``, the default); ``set_distributed_batch`` ``("per_replica")``
  gives every replica a whole legacy batch instead (``steps_per_epoch`` for a
  ``Sequence`` then counts ``replicas`` batches per step).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Iterator
from typing import Any

import tensorflow as tf

from .. import _keras_private as _private
from .._warnings import warn_at_caller
from ..data.contracts import FastPathIterator
from ..data.dispatch import LegacyData

__all__ = ["DISTRIBUTED_BATCH", "Placement", "placement_of", "set_distributed_batch",
           "distributed_batch"]

DISTRIBUTED_BATCH = ("global", "per_replica")
_MODE = ["global"]


class _Restore:
    """Returned by ``set_distributed_batch``; ``with`` restores the previous mode."""

    def __init__(self, previous: str) -> None:
        self.previous = previous

    def __enter__(self) -> _Restore:
        return self

    def __exit__(self, *exc: Any) -> None:
        _MODE[0] = self.previous


def set_distributed_batch(mode: str) -> _Restore:
    """How a legacy batch meets the replicas of a ``tf.distribute`` strategy.

    ``"global"`` (default): the batch a host's generator or ``Sequence`` yields
    is split across that host's replicas (one legacy batch per host per step).
    ``"per_replica"``: every replica gets a whole legacy batch (the global batch
    is ``replicas x`` the legacy one). Usable as a context manager.

    Raises:
        ValueError: ``mode`` is not one of ``"global"``, ``"per_replica"``.
    """
    if mode not in DISTRIBUTED_BATCH:
        raise ValueError(
            f"Invalid value for argument `mode` of `set_distributed_batch`. Expected one of "
            f"{DISTRIBUTED_BATCH}. Received: mode={mode!r}"
        )
    previous, _MODE[0] = _MODE[0], mode
    return _Restore(previous)


def distributed_batch() -> str:
    """The current mode set by ``set_distributed_batch``."""
    return _MODE[0]


@dataclasses.dataclass(frozen=True)
class Placement:
    """Where this process's legacy batches go: its host index, the host count,
    the replicas on this host, and the batch mode."""

    strategy: Any = None
    host: int = 0
    hosts: int = 1
    local_replicas: int = 1
    batch: str = "global"

    @property
    def distributed(self) -> bool:
        return self.strategy is not None

    @property
    def shard(self) -> tuple[int, int]:
        return self.host, self.hosts

    @property
    def batches_per_step(self) -> int:
        """Legacy batches one training step takes on this host."""
        return self.local_replicas if self.batch == "per_replica" else 1

    def steps(self, legacy_steps: int, sharded: bool) -> int:
        """Steps of the distributed run for ``legacy_steps`` legacy batches per epoch."""
        divisor = self.batches_per_step * (self.hosts if sharded else 1)
        return max(1, math.ceil(legacy_steps / divisor))

    def plan(self, data: LegacyData, legacy_steps: int) -> tuple[int, tuple[int, int]]:
        """``(steps, shard)`` for the classified ``data``: Sequences are sharded by index,
        generators not."""
        if not self.distributed:
            return legacy_steps, (0, 1)
        sharded = data.shardable
        if sharded:
            self.check_sharded_order(data.value)
        else:
            self.warn_unsharded(data.value)
        return self.steps(legacy_steps, sharded), self.shard if sharded else (0, 1)

    def dataset(self, make: Callable[[], tf.data.Dataset]) -> Any:
        """``make()``'s dataset placed on the replicas (``make()`` itself when not distributed)."""
        if not self.distributed:
            return make()
        pieces = self.local_replicas if self.batch == "global" else 1

        def per_host(context: tf.distribute.InputContext) -> tf.data.Dataset:
            ds = make()
            if pieces > 1:
                ds = ds.flat_map(lambda *parts: _split(parts, pieces))
            return ds

        return self.strategy.distribute_datasets_from_function(per_host)

    def warn_unsharded(self, data: Any) -> None:
        if self.hosts > 1:
            warn_at_caller(
                f"A plain generator ({type(data).__name__}) cannot be sharded: each of the "
                f"{self.hosts} workers of the MultiWorkerMirroredStrategy draws its own batches "
                "from its own generator, so one epoch is `steps_per_epoch` batches *per worker* "
                "and the workers see the same samples unless their generators differ. Write a "
                "`keras.utils.Sequence` to have kfitcompat shard the data by batch index.",
                UserWarning,
            )

    def check_sharded_order(self, data: Any) -> None:
        """A shuffling ImageDataGenerator iterator needs a seed for the hosts to agree."""
        if (self.hosts > 1 and isinstance(data, FastPathIterator) and data.shuffle
                and data.seed is None):
            warn_at_caller(
                "This iterator shuffles without a `seed`: each worker of the "
                "MultiWorkerMirroredStrategy would draw its own order and the shards would "
                "overlap. Pass the same `seed=` on every worker.",
                UserWarning,
            )


def _split(parts: tuple[Any, ...], pieces: int) -> tf.data.Dataset:
    """One batch as ``pieces`` consecutive slices (sizes differ by at most one)."""
    n = tf.cast(tf.shape(tf.nest.flatten(parts)[0])[0], tf.int64)

    def piece(r: tf.Tensor) -> tuple[Any, ...]:
        start, end = r * n // pieces, (r + 1) * n // pieces
        return tuple(tf.nest.map_structure(lambda t: t[start:end], parts))

    return tf.data.Dataset.range(pieces).map(piece)


def placement_of(model: Any) -> Placement:
    """The ``Placement`` for ``model`` (not distributed outside a strategy scope)."""
    strategy = _private.distribute_strategy(model)
    if strategy is None:
        return Placement()
    host, hosts = _cluster_position(strategy)
    replicas = max(int(strategy.num_replicas_in_sync) // hosts, 1)
    return Placement(strategy, host, hosts, replicas, _MODE[0])


def _cluster_position(strategy: Any) -> tuple[int, int]:
    """``(index of this host, number of hosts)`` from the strategy's cluster resolver."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None:
        return 0, 1
    spec = resolver.cluster_spec().as_dict()
    chiefs, workers = len(spec.get("chief", [])), len(spec.get("worker", []))
    if chiefs + workers <= 1:
        return 0, 1
    if resolver.task_type == "chief":
        return 0, chiefs + workers
    return chiefs + int(resolver.task_id), chiefs + workers


@contextlib.contextmanager
def built_from_sample(model: Any, placement: Placement,
                      first_batch: Callable[[], Any]) -> Iterator[None]:
    """Keras 3 workarounds for the duration of one call under a strategy.

    1. Keras 3's TensorFlow trainer builds a distributed model by taking one batch
       from a throw-away iterator over the input; for a legacy stream that batch (and
       whatever was read ahead) would be lost, and under MultiWorkerMirroredStrategy
       the reduction of that batch fails. The model builds from ``first_batch()``
       (the batch kfitcompat already holds) instead.
    2. Under MultiWorkerMirroredStrategy, Keras 3 reduces the step's scalar logs with
       ``axis=0`` and fails ("Invalid reduction dimension 0 for input with 0
       dimensions", tensorflow/tensorflow#72388); scalars are reduced without an axis.
    """
    if not placement.distributed or _private.has_symbolic_build_override(model):
        yield
        return
    original = _private.symbolic_build(model)
    if original is None:
        yield
        return
    sample = first_batch()

    def build(iterator: Any = None, data_batch: Any = None) -> Any:
        return original(data_batch=sample if data_batch is None else data_batch)

    _private.set_symbolic_build(model, build)
    try:
        with _scalar_logs_reduced(placement.strategy, model):
            yield
    finally:
        _private.clear_symbolic_build(model)


def needs_workarounds(model: Any) -> bool:
    """A model under MultiWorkerMirroredStrategy, where Keras 3's own ``fit`` fails,
    and not already inside a kfitcompat call."""
    return (_private.in_multi_worker_mode(_private.distribute_strategy(model))
            and not _private.has_symbolic_build_override(model))


@contextlib.contextmanager
def _scalar_logs_reduced(strategy: Any, model: Any) -> Iterator[None]:
    if not _private.in_multi_worker_mode(strategy):
        yield
        return
    tf_trainer: Any = _private.tf_trainer_module(model)
    if tf_trainer is None:
        yield
        return
    original = tf_trainer.reduce_per_replica

    def reduce_per_replica(values: Any, strategy: Any, reduction: str) -> Any:
        if reduction not in ("auto", "mean") or not _private.in_multi_worker_mode(strategy):
            return original(values, strategy, reduction)

        def mean(v: Any) -> Any:
            rank = getattr(getattr(v, "shape", None), "rank", None)
            return strategy.reduce("MEAN", v, axis=0 if rank else None)

        return tf.nest.map_structure(mean, values)

    tf_trainer.reduce_per_replica = reduce_per_replica
    try:
        yield
    finally:
        tf_trainer.reduce_per_replica = original
