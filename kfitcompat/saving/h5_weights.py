"""Legacy weight layouts in Keras 3's: Keras 1, cuDNN, Theano kernels, Keras 2's hard sigmoid.

A layer's saved weights are what its Keras computed with. ``convert_weights`` turns them
into the arrays Keras 3's layer of the same class needs for the same outputs (Keras 2.2.4's
``preprocess_weights_for_loading`` rules, and tf_keras'):

* Keras 1 (a file without ``keras_version``, or ``1.x``): ``LSTM``'s 12 arrays (gates
  i, c, f, o) and ``GRU``'s 9 become 3; ``channels_first`` (``dim_ordering='th'``) kernels of
  ``Conv2D`` / ``Conv3D`` / ``Conv2DTranspose`` / ``ConvLSTM2D`` are transposed; Keras 1.1's
  4-D ``Conv1D`` kernel becomes 3-D;
* a kernel saved by the Theano backend is flipped (Theano convolved, TensorFlow correlates);
* ``CuDNNLSTM`` / ``CuDNNGRU`` weights (a bias of 8 x units / 6 x units) become ``LSTM`` /
  ``GRU(reset_after=True)`` weights;
* Keras 1/2's ``hard_sigmoid`` is ``clip(0.2 x + 0.5, 0, 1)``, Keras 3's is
  ``clip(x / 6 + 0.5, 0, 1)``: the pre-activations of a layer (or an RNN's gates) that use it
  are scaled by 0.2 / (1/6) = 1.2, so Keras 3's function gives Keras 2's outputs.

Layers are read by class name and attributes (``data_format``, ``reset_after``, ...):
nothing here imports Keras.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["HARD_SIGMOID_SLOPES", "convert_weights", "legacy_weights"]

#: (Keras 1/2 and tf.keras, Keras 3) slopes of ``hard_sigmoid``.
HARD_SIGMOID_SLOPES = (0.2, 1.0 / 6.0)

_CONV = ("Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "ConvLSTM2D")
# recurrent classes -> (gates, indices of the gates computed with recurrent_activation)
_GATES = {"LSTM": (4, (0, 1, 3)), "ConvLSTM2D": (4, (0, 1, 3)), "GRU": (3, (0, 1))}
_KERNEL_LAYERS = ("Dense", "Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "Conv1DTranspose",
                  "Conv3DTranspose", "SeparableConv1D", "SeparableConv2D", "DepthwiseConv2D")


def legacy_weights(layer: Any) -> list[Any]:
    """A layer's variables in the order legacy files list them (trainable first)."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def convert_weights(layer: Any, weights: list[np.ndarray], major: int,
                    backend: str | None = None) -> tuple[list[np.ndarray], list[str]]:
    """``weights`` of ``layer`` as saved by Keras ``major`` (1, 2, 3) on ``backend``, in the
    layout of Keras 3's ``layer``; also one line per conversion."""
    notes: list[str] = []
    weights = _convert(layer, [np.asarray(w) for w in weights], major, backend, notes)
    return weights, notes


def _convert(layer: Any, weights: list[np.ndarray], major: int, backend: str | None,
             notes: list[str]) -> list[np.ndarray]:
    cls = type(layer).__name__
    if cls == "Bidirectional":
        half = len(weights) // 2
        return (_convert(layer.forward_layer, weights[:half], major, backend, notes)
                + _convert(layer.backward_layer, weights[half:], major, backend, notes))
    if cls == "TimeDistributed":
        return _convert(layer.layer, weights, major, backend, notes)
    if hasattr(layer, "layers") and cls != "StackedRNNCells":
        return _nested_model(layer, weights, major, backend, notes)
    name = getattr(layer, "name", cls)
    if major == 1:
        weights = _keras1(layer, cls, weights, name, notes)
    if cls in _CONV and weights:
        weights = _conv_kernel(layer, cls, weights, backend, name, notes)
    weights = _cudnn(layer, cls, weights, name, notes)
    if major < 3:
        weights = _hard_sigmoid(layer, cls, weights, name, notes)
    return weights


def _nested_model(model: Any, weights: list[np.ndarray], major: int, backend: str | None,
                  notes: list[str]) -> list[np.ndarray]:
    """A nested model's weights were saved as all trainable, then all non-trainable ones."""
    count = len(model.trainable_weights)
    trainable, frozen = weights[:count], weights[count:]
    new_trainable: list[np.ndarray] = []
    new_frozen: list[np.ndarray] = []
    for sub in model.layers:
        n_t, n_f = len(sub.trainable_weights), len(sub.non_trainable_weights)
        if not n_t + n_f:
            continue
        done = _convert(sub, trainable[:n_t] + frozen[:n_f], major, backend, notes)
        new_trainable += done[:n_t]
        new_frozen += done[n_t:]
        trainable, frozen = trainable[n_t:], frozen[n_f:]
    return new_trainable + trainable + new_frozen + frozen


def _concat_gates(weights: list[np.ndarray], order: tuple[int, ...], per_gate: int
                  ) -> list[np.ndarray]:
    """Keras 1's per-gate arrays (W, U, b for each gate) -> Keras 2's fused kernels."""
    return [np.concatenate([weights[per_gate * g + k] for g in order], axis=-1)
            for k in range(per_gate)]


def _keras1(layer: Any, cls: str, weights: list[np.ndarray], name: str, notes: list[str]
            ) -> list[np.ndarray]:
    channels_first = getattr(layer, "data_format", None) == "channels_first"
    if cls == "Conv1D" and weights and weights[0].ndim == 4:
        kernel = weights[0]
        size, filters = layer.kernel_size[0], layer.filters
        if kernel.shape[:2] != (size, 1) or kernel.shape[3] != filters:
            kernel = np.transpose(kernel, (2, 3, 1, 0))  # Keras 1.1: (filters, in, size, 1)
        weights[0] = kernel[:, 0, :, :]
        notes.append(f"{name}: Keras 1 Conv1D kernel -> (size, in, filters)")
    elif cls in ("Conv2D", "Conv3D") and channels_first and weights:
        axes = (2, 3, 1, 0) if cls == "Conv2D" else (2, 3, 4, 1, 0)
        weights[0] = np.transpose(weights[0], axes)
        notes.append(f"{name}: Keras 1 channels_first kernel -> Keras 2's layout")
    elif cls == "Conv2DTranspose" and weights:
        weights[0] = np.transpose(weights[0], (2, 3, 0, 1) if channels_first else (0, 1, 3, 2))
        notes.append(f"{name}: Keras 1 Deconvolution2D kernel -> Conv2DTranspose's layout")
    elif cls == "GRU" and len(weights) == 9:
        weights = _concat_gates(weights, (0, 1, 2), 3)
        notes.append(f"{name}: Keras 1 GRU's 9 arrays -> kernel, recurrent_kernel, bias")
    elif cls in ("LSTM", "ConvLSTM2D") and len(weights) == 12:
        weights = _concat_gates(weights, (0, 2, 1, 3), 3)  # saved i, c, f, o; now i, f, c, o
        if cls == "ConvLSTM2D" and channels_first:
            weights[:2] = [np.transpose(w, (2, 3, 1, 0)) for w in weights[:2]]
        notes.append(f"{name}: Keras 1 {cls}'s 12 arrays (gates i, c, f, o) -> kernel, "
                     "recurrent_kernel, bias (gates i, f, c, o)")
    return weights


def _flip(kernel: np.ndarray) -> np.ndarray:
    """Reverse a kernel's spatial axes (its last two are input and output channels)."""
    return np.copy(kernel[(slice(None, None, -1),) * (kernel.ndim - 2)])


def _conv_kernel(layer: Any, cls: str, weights: list[np.ndarray], backend: str | None,
                 name: str, notes: list[str]) -> list[np.ndarray]:
    if backend == "theano":
        count = 2 if cls == "ConvLSTM2D" else 1
        weights[:count] = [_flip(w) for w in weights[:count]]
        notes.append(f"{name}: Theano kernel flipped (Theano convolves, TensorFlow "
                     "correlates)")
    expected = tuple(layer.weights[0].shape)
    if weights[0].shape != expected and weights[0].ndim == 4 and \
            tuple(np.transpose(weights[0], (3, 2, 0, 1)).shape) == expected:
        count = 2 if cls == "ConvLSTM2D" else 1
        weights[:count] = [np.transpose(w, (3, 2, 0, 1)) for w in weights[:count]]
        notes.append(f"{name}: kernel transposed from Keras 2.0's channels_first layout")
    return weights


def _per_gate(kernel: np.ndarray, gates: int, function: Any) -> np.ndarray:
    return np.hstack([function(k) for k in np.hsplit(kernel, gates)])


def _cudnn(layer: Any, cls: str, weights: list[np.ndarray], name: str, notes: list[str]
           ) -> list[np.ndarray]:
    """cuDNN's layout: each gate's input kernel stored in Fortran order, its recurrent kernel
    transposed, and two biases (input and recurrent) per gate."""
    if cls not in ("LSTM", "GRU") or len(weights) != 3 or weights[1].ndim != 2:
        return weights
    units, gates = weights[1].shape[0], _GATES[cls][0]
    bias = weights[2]
    if bias.shape != (2 * gates * units,):
        return weights
    if cls == "GRU" and not getattr(getattr(layer, "cell", layer), "reset_after", True):
        raise ValueError(f"Layer `{name}`: CuDNNGRU weights need GRU(reset_after=True); the "
                         "model has reset_after=False.")
    kernel = _per_gate(weights[0], gates, lambda k: k.T.reshape(k.shape, order="F"))
    recurrent = _per_gate(weights[1], gates, lambda k: k.T)
    if cls == "LSTM":
        bias = np.sum(np.split(bias, 2), axis=0)  # LSTM adds the two biases of each gate
    else:
        bias = bias.reshape((2, -1))  # GRU(reset_after=True) keeps both
    notes.append(f"{name}: Cu{cls.replace('GRU', 'DNNGRU').replace('LSTM', 'DNNLSTM')} "
                 f"weights -> {cls}'s layout")
    return [kernel, recurrent, bias]


def _hard_sigmoid(layer: Any, cls: str, weights: list[np.ndarray], name: str,
                  notes: list[str]) -> list[np.ndarray]:
    keras2, keras3 = HARD_SIGMOID_SLOPES
    scale = keras2 / keras3
    cell = getattr(layer, "cell", layer)
    if cls in _GATES and _name_of(getattr(cell, "recurrent_activation", None)) == \
            "hard_sigmoid":
        gates, scaled = _GATES[cls]
        weights = [_scale_gates(w, gates, scaled, scale) for w in weights]
        notes.append(f"{name}: recurrent_activation='hard_sigmoid' (Keras 2: 0.2 x + 0.5, "
                     f"Keras 3: x / 6 + 0.5): gate pre-activations scaled by {scale:g}")
    elif cls in _KERNEL_LAYERS and _name_of(getattr(layer, "activation", None)) == \
            "hard_sigmoid" and weights:
        last = [weights[-1]] if getattr(layer, "use_bias", False) else []
        kernels = weights[:len(weights) - len(last)]
        kernels[-1] = kernels[-1] * scale  # the last kernel feeds the activation
        weights = kernels + [b * scale for b in last]
        notes.append(f"{name}: activation='hard_sigmoid' (Keras 2: 0.2 x + 0.5, Keras 3: "
                     f"x / 6 + 0.5): kernel and bias scaled by {scale:g}")
    elif any(_name_of(getattr(cell, attr, None)) == "hard_sigmoid"
             for attr in ("activation", "recurrent_activation")):
        notes.append(f"{name}: uses 'hard_sigmoid', which Keras 3 computes as x / 6 + 0.5 "
                     "(Keras 2: 0.2 x + 0.5); its outputs differ from Keras 2's")
    return weights


def _scale_gates(array: np.ndarray, gates: int, scaled: tuple[int, ...], scale: float
                 ) -> np.ndarray:
    """Multiply the columns (last axis) of the given gates by ``scale``."""
    out = np.array(array, copy=True)
    size = out.shape[-1] // gates
    for gate in scaled:
        out[..., gate * size:(gate + 1) * size] *= scale
    return out


def _name_of(function: Any) -> str | None:
    if function is None:
        return None
    if isinstance(function, str):
        return function
    return getattr(function, "__name__", None)
