"""Keras 1/2 and tf.keras 2.x model configs in Keras 3's vocabulary (JSON in, JSON out).

A legacy ``.h5`` file (or a ``model.to_json()`` string) describes its model in the words of
the Keras that wrote it. ``upgrade_model_config`` rewrites that description with Keras 2's
meaning into one Keras 3's ``from_config`` builds, and says what it changed:

* a ``Sequential`` saved as a list of layers (Keras 1 to 2.2.2) becomes
  ``{"name", "layers"}``; a first layer's ``batch_input_shape`` becomes an ``InputLayer``
  (Keras 3 would keep the batch dimension in ``input_shape``);
* Keras 1 layers (``Convolution2D(nb_filter, nb_row, nb_col, border_mode=...)``, ``Dense(
  output_dim, init=...)``, ``Merge``) through the same tables as a Keras 1 call after
  ``install()`` (``kfitcompat.keras2.layers``);
* tf.keras 2.x keys Keras 3 dropped (``time_major``, ``groups``, ...) where their value is the
  only one Keras 3 implements; ``CuDNNLSTM`` / ``CuDNNGRU`` as ``LSTM`` / ``GRU`` with cuDNN's
  activations; a GRU config older than ``reset_after`` keeps Keras 2's ``reset_after=False``;
* layers wrapped by ``Bidirectional`` / ``TimeDistributed`` / ``RNN``, and models nested in
  a functional model (Keras 2 counted a nested model's own input as its first node).

Nothing here imports Keras: the module can be tested (and read) as plain data rules.
"""

from __future__ import annotations

import base64
import binascii
import copy
import dis
import marshal
import sys
from typing import Any

from ..keras2.layers import (
    KERAS1_CLASSES,
    KERAS1_KEYWORDS,
    LEGACY_LAYER_CLASSES,
    convert_keras1_config,
)
from ..keras2.merge import MERGE_MODES

__all__ = [
    "ANY", "KERAS2_DEFAULTS", "LEGACY_LAYER_CLASSES", "MODEL_CLASSES", "TF_KERAS_KEYS",
    "LegacyFileError", "foreign_lambda", "keras_major", "upgrade_layer_config",
    "upgrade_model_config",
]

ANY = object()  # a TF_KERAS_KEYS value: any saved value, the key changes nothing once loaded

_RNN = ("LSTM", "GRU", "SimpleRNN", "RNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")
_GROUPED = ("DepthwiseConv2D", "DepthwiseConv1D", "Conv1DTranspose", "Conv2DTranspose",
            "Conv3DTranspose")
_SEPARABLE = ("SeparableConv1D", "SeparableConv2D")

#: Keras 2 / tf.keras 2.x config keys Keras 3's classes no longer take -> the one value Keras 3
#: computes with (ANY: the key never changed a loaded model's outputs, e.g. build-time shapes;
#: Keras 3's SpatialDropout layers take no ``trainable``, and have no weights to train).
TF_KERAS_KEYS: dict[str, dict[str, Any]] = {
    **{cls: {"time_major": False} for cls in _RNN},
    **{cls: {"groups": 1} for cls in _GROUPED},
    **{cls: {"groups": 1, "kernel_initializer": ANY, "kernel_regularizer": ANY,
             "kernel_constraint": ANY} for cls in _SEPARABLE},
    "Embedding": {"input_length": ANY},
    **{f"SpatialDropout{n}D": {"noise_shape": None, "trainable": ANY} for n in (1, 2, 3)},
    "MultiHeadAttention": {"query_shape": ANY, "key_shape": ANY, "value_shape": ANY},
}

#: Keras 2 defaults that Keras 3 changed, for configs saved before the key existed.
KERAS2_DEFAULTS: dict[str, dict[str, Any]] = {"GRU": {"reset_after": False}}

#: Class names of models (their config holds layers).
MODEL_CLASSES = ("Sequential", "Model", "Functional")

# Keras 1's serialized regularizers and constraints ({"name": ..., params}) -> Keras 2's
_KERAS1_OBJECTS = {"WeightRegularizer": ("L1L2", {"l1": "l1", "l2": "l2"}),
                   "ActivityRegularizer": ("L1L2", {"l1": "l1", "l2": "l2"}),
                   "MaxNorm": ("MaxNorm", {"m": "max_value", "axis": "axis"}),
                   "NonNeg": ("NonNeg", {}),
                   "UnitNorm": ("UnitNorm", {"axis": "axis"})}
_INITIALIZER_KEYS = ("kernel_initializer", "recurrent_initializer", "bias_initializer",
                     "embeddings_initializer", "depthwise_initializer",
                     "pointwise_initializer", "alpha_initializer", "beta_initializer",
                     "gamma_initializer")
# Keras 1 configs store the shape of a first layer's input as these keys (Embedding's
# input_dim is its vocabulary, not a shape)
_SHAPE_KEYS = ("input_dim", "input_length")
_NESTED_LAYER_KEYS = ("layer", "backward_layer", "cell")
_NEW_FORMAT_KEYS = ("module", "registered_name", "build_config", "compile_config")
_INT_AXIS = ("BatchNormalization",)


class LegacyFileError(ValueError):
    """A legacy model file holds something no Keras 3 loader can build; the message names the
    layer and the remedy."""


def keras_major(version: Any) -> int:
    """1, 2 or 3 from a saved ``keras_version`` (a file without one is Keras 1's)."""
    text = version.decode("utf8") if isinstance(version, bytes) else str(version or "1")
    head = text.strip().split(".")[0]
    return int(head) if head.isdigit() else 2


def upgrade_model_config(config: Any, keras_version: Any = "2", lambda_placeholders: bool = False
                         ) -> tuple[dict[str, Any], list[str]]:
    """``{"class_name", "config"}`` of a saved model, in a form Keras 3's ``from_config``
    builds with Keras 2's meaning; also one line per change. The input is not modified.
    ``lambda_placeholders``: every ``Lambda`` becomes a pass-through ``Identity`` layer (for
    converting weights only: a Lambda holds none)."""
    notes: list[str] = []
    if not isinstance(config, dict) or "class_name" not in config:
        raise LegacyFileError("The model config is not a Keras model description "
                              "(expected a dict with 'class_name' and 'config').")
    upgraded = upgrade_layer_config(copy.deepcopy(config), notes, keras_major(keras_version),
                                    lambda_placeholders)
    return upgraded, notes


def upgrade_layer_config(layer: dict[str, Any], notes: list[str], major: int = 2,
                         placeholders: bool = False) -> dict[str, Any]:
    """One layer's (or nested model's) ``{"class_name", "config", ...}``, upgraded in place."""
    for key in _NEW_FORMAT_KEYS:  # tf.keras 2.13+ to_json(): read as the legacy config it is
        layer.pop(key, None)
    cls = str(layer.get("class_name"))
    config: Any = layer.get("config")
    if cls == "Sequential":
        layer["config"] = _sequential(config, notes, major, placeholders)
        return layer
    if cls in ("Model", "Functional"):
        layer["config"] = _functional(config, notes, major, placeholders)
        return layer
    if not isinstance(config, dict):
        return layer
    name = str(config.get("name", cls))
    if cls == "Merge":
        return _merge(layer, notes)
    if cls == "Lambda" and placeholders:
        notes.append(f"{name}: Lambda -> a pass-through placeholder (its function holds no "
                     "weights; the rebuilt model supplies it)")
        kept = {k: config[k] for k in ("batch_input_shape", "dtype") if k in config}
        layer["class_name"], layer["config"] = "Identity", {"name": name, **kept}
        return layer
    if cls == "Lambda":
        _check_lambda(config, name)
    if cls in LEGACY_LAYER_CLASSES:
        new_cls, settings, renames = LEGACY_LAYER_CLASSES[cls]
        for old, new in renames.items():
            if old in config:
                config[new] = config.pop(old)
        config.update(settings)
        notes.append(f"{name}: {cls} -> {new_cls}" + (
            f" ({', '.join(f'{k}={v!r}' for k, v in settings.items())})" if settings else ""))
        cls = layer["class_name"] = new_cls
    cls = _keras1_layer(layer, cls, config, name, notes)
    config = layer["config"]
    if cls == "InputLayer" and "batch_input_shape" in config:
        config["batch_shape"] = config.pop("batch_input_shape")
    axis = config.get("axis")
    if isinstance(axis, list) and len(axis) == 1 and cls in _INT_AXIS:
        config["axis"] = axis[0]  # tf.keras saved BatchNormalization's axis as a list
    _tf_keras_keys(cls, config, name, notes)
    for key, value in KERAS2_DEFAULTS.get(cls, {}).items():
        if key not in config:
            config[key] = value
            notes.append(f"{name}: {key}={value!r} (Keras 2's default; Keras 3's differs)")
    _keras1_objects(config, name, notes)
    for key in _NESTED_LAYER_KEYS:
        inner = config.get(key)
        if isinstance(inner, dict) and "class_name" in inner:
            config[key] = _as_keras3_object(upgrade_layer_config(inner, notes, major,
                                                                 placeholders))
    if isinstance(config.get("cells"), list):  # StackedRNNCells
        config["cells"] = [_as_keras3_object(upgrade_layer_config(c, notes, major,
                                                                  placeholders))
                           for c in config["cells"]]
    return layer


def _as_keras3_object(layer: dict[str, Any]) -> dict[str, Any]:
    """A layer config nested in a wrapper (``Bidirectional(LSTM)``), which Keras 3 reads with
    its new deserializer: that one needs the module of a built-in class."""
    if "module" not in layer and layer.get("class_name") not in MODEL_CLASSES:
        layer = {"module": "keras.layers", "registered_name": None, **layer}
    return layer


def _keras1_layer(layer: dict[str, Any], cls: str, config: dict[str, Any], name: str,
                  notes: list[str]) -> str:
    """Keras 1 class names and keywords, by the tables a Keras 1 call goes through."""
    keras1_class = cls in KERAS1_CLASSES
    target = KERAS1_CLASSES.get(cls, cls)
    if "input_dtype" in config:
        config["dtype"] = config.pop("input_dtype")
    if target != "Embedding":
        for key in _SHAPE_KEYS:
            config.pop(key, None)  # the batch shape is kept by the model (first layer only)
    for key in _INITIALIZER_KEYS + ("init", "inner_init"):
        if config.get(key) == "<lambda>":
            del config[key]
            notes.append(f"{name}: {key} was a Python lambda (saved as '<lambda>', not "
                         "restorable): the layer's default is used; the file's weights "
                         "replace it")
    if target in KERAS1_KEYWORDS or keras1_class:
        try:
            config, done = convert_keras1_config(target, config, forced=keras1_class)
        except (TypeError, ValueError) as exc:
            raise LegacyFileError(f"Layer `{name}` ({cls}): {exc}") from None
        layer["config"] = config
        if keras1_class or done:
            notes.append(f"{name}: Keras 1 {cls}" + (f" -> {target}" if keras1_class else "")
                         + (f" ({', '.join(done)})" if done else ""))
    layer["class_name"] = target
    return target


def _tf_keras_keys(cls: str, config: dict[str, Any], name: str, notes: list[str]) -> None:
    for key, keras3 in TF_KERAS_KEYS.get(cls, {}).items():
        if key not in config:
            continue
        value = config.pop(key)
        if keras3 is not ANY and value != keras3 and value is not None:
            raise LegacyFileError(
                f"Layer `{name}` ({cls}) was saved with {key}={value!r}; Keras 3 implements "
                f"only {key}={keras3!r}. Rebuild this layer in code (for time_major=True: "
                "transpose the input with keras.layers.Permute) and load the weights with "
                "model.load_weights(file, by_name=True).")
        if keras3 is not ANY and value is not None:
            notes.append(f"{name}: {key}={value!r} dropped (Keras 3's only behaviour)")


def _keras1_objects(config: dict[str, Any], name: str, notes: list[str]) -> None:
    """Keras 1's ``{"name": "WeightRegularizer", "l2": ...}`` -> ``{"class_name": "L1L2"}``."""
    for key, value in list(config.items()):
        if isinstance(value, dict) and "class_name" not in value and \
                value.get("name") in _KERAS1_OBJECTS:
            cls, params = _KERAS1_OBJECTS[value["name"]]
            config[key] = {"class_name": cls,
                           "config": {new: value[old] for old, new in params.items()
                                      if old in value}}
            notes.append(f"{name}: {key} Keras 1 {value['name']} -> {cls}")


def _merge(layer: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """Keras 1's ``Merge(mode=...)`` layer in a functional model -> Keras 2's merge layer."""
    config = layer["config"]
    name, mode = config.get("name", "merge"), config.get("mode", "sum")
    if config.get("layers"):
        raise LegacyFileError(
            f"Layer `{name}` is a Keras 1 Merge of whole Sequential models (a multi-branch "
            "Sequential): Keras 2 and 3 cannot express it. Rebuild the model with the "
            "functional API and load the weights with model.load_weights(file, by_name=True).")
    modes = [m for m in MERGE_MODES if m != "cos"]  # cos added an axis no layer of Keras 2 has
    if not isinstance(mode, str) or mode not in modes:
        raise LegacyFileError(
            f"Layer `{name}` is a Keras 1 Merge with mode={mode!r}; Keras 2 layers exist for "
            f"{', '.join(repr(m) for m in modes)}. Rebuild it in code (a Lambda over "
            "the inputs) and load the weights with model.load_weights(file, by_name=True).")
    cls = MERGE_MODES[mode]
    new: dict[str, Any] = {"name": name, "trainable": config.get("trainable", True)}
    if mode == "concat":
        new["axis"] = config.get("concat_axis", -1)
    if mode == "dot":
        new["axes"] = config.get("dot_axes", -1)
    notes.append(f"{name}: Keras 1 Merge(mode={mode!r}) -> {cls}")
    layer["class_name"], layer["config"] = cls, new
    return layer


def _sequential(config: Any, notes: list[str], major: int, placeholders: bool
                ) -> dict[str, Any]:
    if isinstance(config, list):  # Keras 1 to 2.2.2
        config = {"name": "sequential", "layers": config}
        notes.append("Sequential saved as a list of layers (Keras <= 2.2.2) -> "
                     "{'name', 'layers'}")
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise LegacyFileError("A Sequential config without a list of layers.")
    layers = config["layers"]
    if layers and layers[0].get("class_name") == "Merge":
        _merge(layers[0], notes)  # raises: a Merge of Sequential models
    layers = [upgrade_layer_config(layer, notes, major, placeholders) for layer in layers]
    first = _first_layer_input(layers[0]) if layers else None
    if first is not None:
        shape = first["config"]["batch_shape"]
        notes.append(f"{layers[0]['config'].get('name')}: batch_input_shape={shape} -> an "
                     "InputLayer (Keras 3 would keep the batch dimension in the layer's "
                     "input_shape)")
        layers.insert(0, first)
    _drop_batch_shapes(layers)
    config["layers"] = layers
    return config


def _drop_batch_shapes(layers: list[dict[str, Any]]) -> None:
    """A layer after the input kept the ``batch_input_shape`` it was built with: Keras 3 would
    read it as the layer's own input (a warning, or a shape with the batch dimension)."""
    for layer in layers:
        if layer.get("class_name") != "InputLayer" and isinstance(layer.get("config"), dict):
            layer["config"].pop("batch_input_shape", None)


def _first_layer_input(layer: dict[str, Any]) -> dict[str, Any] | None:
    """The ``InputLayer`` a Sequential's first layer implied (Keras 1/2 kept the input on the
    layer: ``batch_input_shape``, or Keras 1's ``input_dim`` / ``input_length``)."""
    config = layer.get("config")
    if layer.get("class_name") in ("InputLayer", *MODEL_CLASSES) or not isinstance(config,
                                                                                    dict):
        return None
    shape = config.pop("batch_input_shape", None)
    dtype = config.get("dtype") or "float32"
    if shape is None:
        return None
    name = f"{config.get('name', 'layer')}_input"
    return {"class_name": "InputLayer",
            "config": {"batch_shape": list(shape), "dtype": dtype, "name": name}}


def _functional(config: dict[str, Any], notes: list[str], major: int, placeholders: bool
                ) -> dict[str, Any]:
    layers = config.get("layers", [])
    nested: dict[str, str] = {}
    for layer in layers:
        cls = layer.get("class_name")
        if cls in MODEL_CLASSES and _had_own_node(layer):
            nested[layer.get("name") or layer["config"].get("name")] = cls
        upgrade_layer_config(layer, notes, major, placeholders)
    _drop_batch_shapes(layers)
    if nested:
        for layer in layers:
            layer["inbound_nodes"] = [_shift_nodes(node, nested, outputs=False)
                                      for node in layer.get("inbound_nodes", [])]
        config["output_layers"] = _shift_nodes(config.get("output_layers", []), nested,
                                               outputs=True)
        notes.append(f"nested models {sorted(nested)}: node indices as Keras 3 counts them "
                     "(Keras 2 counted the nested model's own input as its first node)")
    return config


def _had_own_node(layer: dict[str, Any]) -> bool:
    """Whether Keras 2 built this nested model on its own input (a node before its calls)."""
    config = layer.get("config")
    if layer.get("class_name") != "Sequential":
        return True
    layers = config if isinstance(config, list) else (config or {}).get("layers", [])
    first = layers[0] if layers else {}
    first_config = first.get("config", {}) if isinstance(first, dict) else {}
    return first.get("class_name") == "InputLayer" or "batch_input_shape" in first_config


def _shift_nodes(data: Any, nested: dict[str, str], outputs: bool) -> Any:
    """``[name, node_index, tensor_index(, kwargs)]`` references to a nested model, one
    node earlier (Keras 3 itself shifts a functional model's outputs, not its calls)."""
    if isinstance(data, list) and len(data) in (3, 4) and isinstance(data[0], str) \
            and isinstance(data[1], int):
        cls = nested.get(data[0])
        if cls is not None and data[1] > 0 and not (outputs and cls != "Sequential"):
            return [data[0], data[1] - 1, *data[2:]]
        return data
    if isinstance(data, list):
        return [_shift_nodes(item, nested, outputs) for item in data]
    return data


# -- Lambda layers: Python bytecode marshalled by the Python that saved the file --

_STRING_TYPES = (ord("s"), ord("s") | 0x80)
_CODE_TYPES = (ord("c"), ord("c") | 0x80)


def _int_fields_before_code() -> int:
    """How many 32-bit fields this Python's marshal writes before a code object's bytes."""
    data = marshal.dumps((lambda: None).__code__)
    for count in range(2, 12):
        if data[1 + 4 * count] in _STRING_TYPES:
            return count
    return -1


_FIELDS = _int_fields_before_code()
_PREAMBLE = {dis.opmap[n] for n in ("COPY_FREE_VARS", "MAKE_CELL") if n in dis.opmap}


def _code_bytes(code: Any) -> bytes | None:
    if isinstance(code, bytes):
        return code
    if not isinstance(code, str):
        return None
    try:
        return base64.b64decode(code.encode("ascii"), validate=False)
    except (UnicodeEncodeError, binascii.Error):
        return code.encode("raw_unicode_escape")


def foreign_lambda(code: Any) -> bool:
    """Whether the marshalled bytecode of a saved ``Lambda`` was written by another Python
    version than this one (without unmarshalling it: that is unsafe on foreign data).

    Each Python version lays out code objects and opcodes its own way, and Keras stored no
    version; this checks the layout (the number of header fields) and, from Python 3.11, the
    first instruction (``RESUME``)."""
    data = _code_bytes(code)
    if not data or data[0] not in _CODE_TYPES or _FIELDS < 0:
        return True
    at = 1 + 4 * _FIELDS
    if len(data) < at + 7 or data[at] not in _STRING_TYPES:
        return True
    resume = dis.opmap.get("RESUME")
    if resume is None:
        return False
    ops = data[at + 5:at + 5 + 2 * 8:2]
    for op in ops:
        if op == resume:
            return False
        if op not in _PREAMBLE:
            return True
    return True


def _check_lambda(config: dict[str, Any], name: str) -> None:
    """Refuse bytecode another Python wrote, in the function or the output shape function."""
    saved = [(config.get("function"), config.get("function_type", "lambda")),
             (config.get("output_shape"), config.get("output_shape_type", "raw"))]
    for function, kind in saved:
        if kind == "lambda" and isinstance(function, list) and function and \
                foreign_lambda(function[0]):
            version = ".".join(map(str, sys.version_info[:2]))
            raise LegacyFileError(
                f"Layer `{name}` is a Lambda whose Python bytecode was saved by another "
                f"Python version than this one ({version}); no loader can run it. Rebuild "
                "the architecture in code (the Lambda's function written out), then load the "
                "weights: model.load_weights(file) (add by_name=True if layers differ).")
