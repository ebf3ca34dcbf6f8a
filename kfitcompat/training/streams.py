"""Running Keras 3 ``fit``/``evaluate``/``predict`` over legacy sources.

Owns what happens around the call: the exhaustion policy (tf.keras 2.x: warn
and stop training, keep the History), re-raising the user's original exception
instead of TensorFlow's wrapper, and closing every source.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

import keras

from .._keras_private import K3_RAN_OUT
from .._warnings import silenced, warn_at_caller
from ..data.sources import Source

__all__ = ["run_with_sources", "ExhaustionGuard"]



class ExhaustionGuard(keras.callbacks.Callback):
    """Stops training, as tf.keras 2.x did, once a finite training stream runs dry.

    An epoch that ran fewer than ``steps_per_epoch`` batches means the input
    ended: training stops after that epoch (its logs are kept), with tf.keras'
    warning. An epoch that got no batch at all is removed from the History.

    It is ``async_safe``: Keras 3 then keeps dispatching batch-end callbacks on
    its thread pool instead of waiting for every step's logs (a batch hook of
    ours must not cost a sync per step that native ``fit`` does not pay).
    """

    async_safe = True

    def __init__(self, source: Source | None, steps: int, total_batches: int,
                 val_source: Source | None) -> None:
        super().__init__()
        self.source = source
        self.steps = steps
        self.total_batches = total_batches
        self.val_source = val_source
        self.empty_epoch: int | None = None
        self._batches = 0
        self._count_lock = threading.Lock()
        self._val_warned = False

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._batches = 0

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        with self._count_lock:  # may run on Keras' pool threads, in any order
            self._batches = max(self._batches, batch + 1)

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        if self.val_source is not None:
            self.val_source.end_epoch()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.source is not None:
            self.source.end_epoch()
        if self.val_source is not None and self.val_source.exhausted and not self._val_warned:
            self._val_warned = True
            warn_at_caller(
                "Your validation generator ran out of data; validation used the batches it "
                "had. Make sure it can generate at least `validation_steps * epochs` batches, "
                "or pass a `keras.utils.Sequence`.",
                UserWarning,
            )
        if self._batches < self.steps and self._ran_out():
            if self._batches == 0:
                self.empty_epoch = epoch
            self.model.stop_training = True
            warn_at_caller(
                "Your input ran out of data; interrupting training. Make sure that your "
                "dataset or generator can generate at least `steps_per_epoch * epochs` "
                f"batches (in this case, {self.total_batches} batches). You may need to use "
                "the repeat() function when building your dataset.",
                UserWarning,
            )

    def _ran_out(self) -> bool:
        """The epoch was short because the input ended, not because a callback stopped
        training mid-epoch (``model.stop_training``) while the input had more batches."""
        stopped = bool(getattr(self.model, "stop_training", False))
        return not stopped or self.source is None or self.source.exhausted

    def clean_history(self, history: Any) -> Any:
        """Drop the record of an epoch that got no batch (tf.keras never started it)."""
        if history is not None and self.empty_epoch is not None and history.epoch:
            if history.epoch[-1] == self.empty_epoch:
                history.epoch.pop()
                for values in history.history.values():
                    if len(values) > len(history.epoch):
                        values.pop()
        return history


@contextlib.contextmanager
def _ctrl_c_stays_keyboard_interrupt() -> Iterator[list[bool]]:
    """Record Ctrl-C during the call. A ``KeyboardInterrupt`` raised while TensorFlow's C++
    code calls back into Python can come out as ``SystemError: ... bad argument to internal
    function``; with the record, the caller re-raises it as ``KeyboardInterrupt``. Only the
    default handler is replaced (a handler of the user's own is left alone)."""
    received: list[bool] = []
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield received
        return

    def handler(signum: int, frame: Any) -> None:
        received.append(True)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _close_every(sources: list[Source]) -> None:
    """Close each source; the next ones close too when one's close raises or is interrupted
    (a second Ctrl-C during the first one's cleanup)."""
    if not sources:
        return
    try:
        sources[0].close()
    finally:
        sources[0].error = None
        _close_every(sources[1:])


@contextlib.contextmanager
def run_with_sources(*sources: Source | None) -> Iterator[None]:
    """Close ``sources`` afterwards; re-raise the user's original error if one failed.

    The original is raised outside the ``except`` block, so it does not carry
    TensorFlow's wrapper (and its frames, which hold the pipeline's iterators) as
    ``__context__``; the sources forget it once raised. Otherwise a failed call keeps
    a ``tf.data`` iterator alive until the interpreter exits, whose teardown then
    waits on its threads.
    """
    live = [s for s in sources if s is not None]
    original: BaseException | None = None
    try:
        # Keras 3's own "ran out of data" text: kfitcompat reports exhaustion with the legacy one
        with _ctrl_c_stays_keyboard_interrupt() as interrupted, silenced(K3_RAN_OUT):
            try:
                yield
            except Exception as exc:
                if interrupted:
                    raise KeyboardInterrupt from exc
                raise
    except BaseException as exc:
        if not isinstance(exc, KeyboardInterrupt):  # Ctrl-C wins over the loaders' errors
            original = next((s.error for s in live
                             if s.error is not None and s.error is not exc), None)
        if original is None:
            raise
    finally:
        _close_every(live)
    if original is not None:
        raise original.with_traceback(original.__traceback__)
