"""Keras 2 ``LocallyConnected1D`` / ``LocallyConnected2D`` and ``K.local_conv1d`` /
``K.local_conv2d``, which Keras 3 removed (tf_keras 2.x still has them).

A locally connected layer is a convolution whose weights are not shared: every output
position has its own kernel. Keras 2's weights are kept as Keras 2 laid them out, so a Keras 2
``.h5`` file loads into these layers: ``kernel`` of shape ``(positions, patch, filters)``
(a patch flattened as (rows, cols, channels) for ``channels_last``, (channels, rows, cols) for
``channels_first``) and ``bias`` of shape ``(length, filters)`` (1-D) or
``(rows, cols, filters)`` (2-D, either data format). Only ``padding='valid'`` existed, and
tf.keras' ``implementation=1`` (the same weights); its ``implementation=2`` / ``3`` store
other kernels and are refused. Modern Keras 3 has no counterpart: the layers are written
here on ``keras.ops`` (one matrix product per output position, batched). ``install()``
imports this module (it imports Keras) and adds the classes to ``keras.layers``, which is the
module a ``.keras`` file names for them: such a file loads after ``install()``.
"""

from __future__ import annotations

from typing import Any

import keras

from .._upstream import original
from .constraints import constraints_get
from .conv_utils import conv_output_length, normalize_tuple
from .regularizers import regularizers_get

__all__ = ["LOCAL_LAYERS", "LocallyConnected1D", "LocallyConnected2D", "local_conv1d",
           "local_conv2d"]


def _positions(output_shape: tuple[int, ...], kernel_size: tuple[int, ...],
               strides: tuple[int, ...]) -> list[tuple[slice, ...]]:
    """One tuple of slices per output position, row-major (Keras 2's order)."""
    import itertools

    return [tuple(slice(i * s, i * s + k) for i, k, s in zip(index, kernel_size, strides))
            for index in itertools.product(*(range(n) for n in output_shape))]


def _local_product(patches: list[Any], kernel: Any) -> Any:
    """``(positions, batch, filters)`` from one ``(batch, patch)`` tensor per position."""
    ops = keras.ops
    return ops.einsum("pbf,pfo->pbo", ops.stack(patches, axis=0), kernel)


def local_conv1d(inputs: Any, kernel: Any, kernel_size: Any, strides: Any,
                 data_format: str | None = None) -> Any:
    """Keras 2 ``K.local_conv1d``: ``(batch, steps, dim)`` inputs, ``kernel`` of shape
    ``(output_length, kernel_size * dim, filters)``; returns ``(batch, output_length,
    filters)``. Keras 2 read the inputs as channels-last whatever ``data_format`` said."""
    ops = keras.ops
    (size,) = normalize_tuple(kernel_size, 1, "kernel_size")
    (stride,) = normalize_tuple(strides, 1, "strides")
    length = int(kernel.shape[0])
    patches = [ops.reshape(inputs[:, i * stride:i * stride + size, :], (-1, int(kernel.shape[1])))
               for i in range(length)]
    return ops.transpose(_local_product(patches, kernel), (1, 0, 2))


def local_conv2d(inputs: Any, kernel: Any, kernel_size: Any, strides: Any,
                 output_shape: Any, data_format: str | None = None) -> Any:
    """Keras 2 ``K.local_conv2d``: ``kernel`` of shape ``(rows * cols, patch, filters)``,
    ``output_shape`` ``(rows, cols)``; returns ``(batch, rows, cols, filters)``
    (``channels_last``) or ``(batch, filters, rows, cols)``."""
    ops = keras.ops
    data_format = data_format or keras.config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("Invalid value for argument `data_format`. Expected 'channels_last' "
                         f"or 'channels_first'. Received: data_format={data_format!r}")
    rows, cols = (int(n) for n in output_shape)
    features = int(kernel.shape[1])
    patches = []
    for row, col in _positions((rows, cols), normalize_tuple(kernel_size, 2, "kernel_size"),
                               normalize_tuple(strides, 2, "strides")):
        window = inputs[:, :, row, col] if data_format == "channels_first" \
            else inputs[:, row, col, :]
        patches.append(ops.reshape(window, (-1, features)))
    out = ops.reshape(_local_product(patches, kernel), (rows, cols, -1, int(kernel.shape[2])))
    return ops.transpose(out, (2, 3, 0, 1) if data_format == "channels_first" else (2, 0, 1, 3))


def _check(name: str, padding: str, implementation: int) -> str:
    if str(padding).lower() != "valid":
        raise ValueError(f"Invalid value for argument `padding` of {name}: only 'valid' is "
                         f"supported (as in Keras 2). Received: padding={padding!r}")
    if implementation != 1:
        raise ValueError(f"{name}(implementation={implementation!r}): kfitcompat provides "
                         "tf.keras' implementation=1 (Keras 2's weights layout) only; "
                         "implementation 2 and 3 store other kernels.")
    return "valid"


# Keras 3's lookups as install() answers them (Keras 2 strings too), built on the originals
_constraint = constraints_get(original("keras.constraints", "get"))
_regularizer = regularizers_get(original("keras.regularizers", "get"))


class _Local(keras.layers.Layer):
    """What both layers share: Keras 2's arguments, weights and config."""

    rank = 0

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str | None = None,
                 activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, implementation: int = 1, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        name = type(self).__name__
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.padding = _check(name, padding, implementation)
        self.implementation = implementation
        self.data_format = data_format or keras.config.image_data_format()
        self.activation = keras.activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = _regularizer(kernel_regularizer)
        self.bias_regularizer = _regularizer(bias_regularizer)
        self.kernel_constraint = _constraint(kernel_constraint)
        self.bias_constraint = _constraint(bias_constraint)

    def _spatial_and_channels(self, input_shape: Any) -> tuple[tuple[Any, ...], Any]:
        if self.rank == 1 or self.data_format == "channels_last":
            return tuple(input_shape[1:-1]), input_shape[-1]
        return tuple(input_shape[2:]), input_shape[1]

    def _output_spatial(self, spatial: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(conv_output_length(n, k, "valid", s)
                     for n, k, s in zip(spatial, self.kernel_size, self.strides))

    def build(self, input_shape: Any) -> None:
        spatial, channels = self._spatial_and_channels(input_shape)
        if channels is None or any(n is None for n in spatial):
            raise ValueError(f"{type(self).__name__} needs fully defined spatial and channel "
                             f"dimensions; received input shape {tuple(input_shape)}.")
        self.output_spatial = self._output_spatial(spatial)
        positions = 1
        for n in self.output_spatial:
            positions *= int(n)
        patch = int(channels)
        for k in self.kernel_size:
            patch *= k
        self.kernel = self.add_weight(
            shape=(positions, patch, self.filters), initializer=self.kernel_initializer,
            name="kernel", regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(*self.output_spatial, self.filters), initializer=self.bias_initializer,
                name="bias", regularizer=self.bias_regularizer,
                constraint=self.bias_constraint)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        spatial, _ = self._spatial_and_channels(input_shape)
        out = self._output_spatial(spatial)
        if self.rank == 2 and self.data_format == "channels_first":
            return (input_shape[0], self.filters, *out)
        return (input_shape[0], *out, self.filters)

    def _bias(self) -> Any:
        ops = keras.ops
        if self.rank == 2 and self.data_format == "channels_first":
            # Keras 2's bias_add reshaped (not transposed) the (rows, cols, filters) bias
            rows, cols = self.output_spatial
            return ops.reshape(self.bias, (1, self.filters, rows, cols))
        return ops.expand_dims(self.bias, 0)

    def call(self, inputs: Any) -> Any:
        if self.rank == 1:
            output = local_conv1d(inputs, self.kernel, self.kernel_size, self.strides)
        else:
            output = local_conv2d(inputs, self.kernel, self.kernel_size, self.strides,
                                  self.output_spatial, self.data_format)
        if self.use_bias:
            output = output + self._bias()
        return self.activation(output) if self.activation is not None else output

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config.update({
            "filters": self.filters, "kernel_size": self.kernel_size, "strides": self.strides,
            "padding": self.padding, "data_format": self.data_format,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias, "implementation": self.implementation,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": keras.regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": keras.constraints.serialize(self.kernel_constraint),
            "bias_constraint": keras.constraints.serialize(self.bias_constraint),
        })
        return config


class LocallyConnected1D(_Local):
    """Keras 2 ``LocallyConnected1D(filters, kernel_size, strides=1)``: an unshared 1-D
    convolution; modern: none in Keras 3."""

    __module__ = "keras.layers"  # a .keras file finds it there after install()
    rank = 1


class LocallyConnected2D(_Local):
    """Keras 2 ``LocallyConnected2D(filters, kernel_size, strides=(1, 1), data_format=None)``:
    an unshared 2-D convolution; modern: none in Keras 3."""

    __module__ = "keras.layers"
    rank = 2


LOCAL_LAYERS = ("LocallyConnected1D", "LocallyConnected2D")
