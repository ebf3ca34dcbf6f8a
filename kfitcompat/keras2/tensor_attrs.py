"""Keras 2's ``tensor._keras_shape``: the static shape of a tensor, as a tuple.

Keras 2 set ``_keras_shape`` on every tensor a layer returned and on ``Input()`` tensors
(Keras 2.2.4, ``engine/base_layer.py``), and code of its time read it everywhere a shape was
needed: ``x._keras_shape[-1]`` in model-building functions and inside custom layers' ``call``.
tf.keras 2 and Keras 3 dropped it (``AttributeError: 'KerasTensor' object has no attribute
'_keras_shape'``). Modern spelling: ``tuple(x.shape)`` (``kfitcompat migrate`` rewrites it,
rule ``keras-shape``).

After ``install()`` it answers on Keras 3's symbolic tensors and on TensorFlow's tensors (what
a layer's ``call`` receives). A script that assigns ``x._keras_shape = shape`` (Keras 2 read
the value back as the next layer's input shape) keeps what it assigned on that tensor; Keras 3
computes shapes itself and does not read it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["keras_shape"]

_OWN = "_kfitcompat_keras_shape"


def _get(self: Any) -> tuple[int | None, ...] | None:
    if _OWN in getattr(self, "__dict__", {}):
        return self.__dict__[_OWN]  # type: ignore[no-any-return]
    shape = self.shape
    if getattr(shape, "rank", 0) is None:  # a TensorFlow tensor of unknown rank
        return None
    return tuple(shape)


def _set(self: Any, value: Any) -> None:
    self.__dict__[_OWN] = value


keras_shape = property(_get, _set, doc="Keras 2 ``x._keras_shape``; modern: "
                                       "``tuple(x.shape)``.")
