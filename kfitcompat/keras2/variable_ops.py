"""Keras 2's arithmetic between a backend variable and a symbolic tensor.

Keras 2 scripts start a loss from a variable and add layer outputs to it (``loss =
K.variable(0.)``, then ``loss += coeff * K.sum(K.square(layer.output))``: Keras 2.2.4's
``deep_dream.py`` and the books that follow it). In Keras 3 a ``keras.Variable``'s operators
compute at once on its value and fail on a ``keras.KerasTensor`` ("A KerasTensor cannot be
used as input to a TensorFlow function"). After ``install()`` such an operation is symbolic,
as the same operation with the operands swapped already is (``KerasTensor.__radd__``):
its result is a ``KerasTensor`` that ``K.function`` / ``keras.Model`` evaluate, reading the
variable's value at that time. Any other operand takes Keras 3's own path.
Modern: start from ``0.``, or compute the loss in a ``tf.GradientTape``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["REFLECTED", "symbolic_operator"]

#: The operators of ``keras.Variable`` made symbolic, each with its reflection.
REFLECTED: dict[str, str] = {
    "__add__": "__radd__", "__radd__": "__add__",
    "__sub__": "__rsub__", "__rsub__": "__sub__",
    "__mul__": "__rmul__", "__rmul__": "__mul__",
    "__truediv__": "__rtruediv__", "__rtruediv__": "__truediv__",
    "__pow__": "__rpow__", "__rpow__": "__pow__",
}


def symbolic_operator(original: Callable[..., Any], name: str) -> Callable[..., Any]:
    """``keras.Variable.<name>``: a ``keras.KerasTensor`` operand makes the result
    symbolic (the tensor's reflected operator); anything else calls ``original``."""
    import keras

    reflected = REFLECTED[name]

    def operator(self: Any, other: Any) -> Any:
        if isinstance(other, keras.KerasTensor):
            return getattr(other, reflected)(self)
        return original(self, other)

    operator.__name__ = operator.__qualname__ = name
    operator.__doc__ = original.__doc__
    return operator
