"""The legacy import paths ``install()`` answers, as one table of data.

After ``install()``, ``from keras.preprocessing.image import ImageDataGenerator``,
``from keras.utils import to_categorical`` and ``from tensorflow.keras.preprocessing.image
import ImageDataGenerator`` find kfitcompat's objects. Each row of ``SURFACE`` names the
module, the attribute, what kfitcompat puts there and its *kind*:

* ``add``: Keras 3 lacks the name. If a future Keras brings it back, ``install()`` warns
  (``kfitcompat.surface_install.SurfaceWarning``) and still installs ours, and a test fails.
* ``replace``: Keras 3 has the name; ours wraps or subclasses the captured original
  (``kfitcompat._upstream``), and Keras 3's own class keeps its identity and
  ``isinstance`` relations.
* ``alias``: Keras 3's own object already behaves as the legacy one; nothing is set, and a
  test checks the identity.
* ``wrap``: an attribute of a Keras class (``keras.optimizers.Optimizer.__init__``,
  ``keras.layers.Conv2D.__init__``) becomes ``factory(original[, arg])``: the original is
  captured at install time, before anything is patched, and called for every call that uses
  no legacy spelling. The class itself (identity, ``isinstance``) is untouched.
* ``module``: a Keras 2 module path Keras 3 removed (``keras.utils.np_utils``), answered by
  a module of re-exported names (``kfitcompat.keras2.modules``).

The table imports neither TensorFlow nor Keras; targets are ``"module:attribute"`` strings
resolved at install time by ``kfitcompat.surface_install``, which sets the rows and restores
everything at ``uninstall()``.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "ADD",
    "ALIAS",
    "MODULE",
    "PRIVATE_OWNERS",
    "LEGACY_IMAGE_NAMES",
    "REPLACE",
    "SURFACE",
    "SurfaceRow",
    "WRAP",
]

ADD, REPLACE, ALIAS, WRAP, MODULE = "add", "replace", "alias", "wrap", "module"

class SurfaceRow(NamedTuple):
    module: str     # the legacy import path ("keras.preprocessing.image") or a Keras class
    name: str       # the attribute
    kind: str       # ADD, REPLACE, ALIAS, WRAP or MODULE
    target: str     # "module:attribute" of the object (WRAP: of the factory)
    note: str = ""
    arg: str = ""   # WRAP: a second argument for the factory


# keras-preprocessing 1.1.2's public image names (Keras 2.2.4 / 2.3.1 keras.preprocessing.image,
# tf.keras <= 2.8). Keras 3's keras.preprocessing.image keeps load_img, img_to_array,
# array_to_img and save_img.
LEGACY_IMAGE_NAMES: tuple[str, ...] = (
    "ImageDataGenerator", "Iterator", "NumpyArrayIterator", "DirectoryIterator",
    "DataFrameIterator", "apply_affine_transform", "apply_brightness_shift",
    "apply_channel_shift", "flip_axis", "random_rotation", "random_shift", "random_shear",
    "random_zoom", "random_channel_shift", "random_brightness", "transform_matrix_offset_center",
    "array_to_img", "img_to_array", "load_img", "save_img", "list_pictures",
    "validate_filename",
)
_KERAS3_IMAGE = {"array_to_img", "img_to_array", "save_img"}

# tf.keras 2.9+ (and tf_keras): Keras 3 answers tensorflow.keras.preprocessing.image with its own
# legacy NumPy copy; after install() it is ours with profile="tf_keras".
_TF_KERAS_IMAGE_NAMES: tuple[str, ...] = (
    "ImageDataGenerator", "Iterator", "NumpyArrayIterator", "DirectoryIterator",
    "DataFrameIterator", "apply_affine_transform", "apply_brightness_shift",
    "apply_channel_shift", "random_rotation", "random_shift", "random_shear", "random_zoom",
    "random_channel_shift", "random_brightness", "load_img",
)
_TF_KERAS_ABSENT = {"DataFrameIterator"}  # tf.keras 2.9+ had it; Keras 3's copy has not


def _image_rows() -> list[SurfaceRow]:
    rows = []
    for name in LEGACY_IMAGE_NAMES:
        if name in _KERAS3_IMAGE:
            rows.append(SurfaceRow("keras.preprocessing.image", name, ALIAS,
                                   f"keras.utils:{name}", "Keras 3's own function"))
        elif name == "load_img":
            rows.append(SurfaceRow("keras.preprocessing.image", name, REPLACE,
                                   "kfitcompat.image:load_img",
                                   "adds grayscale=; names the file it cannot read"))
        else:
            rows.append(SurfaceRow("keras.preprocessing.image", name, ADD,
                                   f"kfitcompat.image:{name}"))
    for name in _TF_KERAS_IMAGE_NAMES:
        kind = ADD if name in _TF_KERAS_ABSENT else REPLACE
        rows.append(SurfaceRow("tensorflow.keras.preprocessing.image", name, kind,
                               f"kfitcompat.image.tf_keras_profile:{name}",
                               "tf.keras 2.9+ semantics (profile='tf_keras')"))
    return rows


def _keras2_rows() -> list[SurfaceRow]:
    """The Keras 2 surface around ``fit`` (``kfitcompat.keras2``)."""
    from .keras2.backend import BACKEND_NAMES, FROM_KERAS3_LEGACY
    from .keras2.constraints import LOWER_CASE_NAMES as CONSTRAINT_NAMES
    from .keras2.layer_attrs import LAYER_ATTRIBUTES
    from .keras2.layers import (
        CUDNN_CLASSES,
        KERAS1_CLASSES,
        KERAS1_KEYWORDS,
        KFITCOMPAT_LAYERS,
        LEGACY_LAYER_CLASSES,
    )
    from .keras2.losses import KERAS2_LOSS_NAMES as LOSS_NAMES
    from .keras2.modules import MODULES
    from .keras2.optimizers import EPSILON_CLASSES, LOWER_CASE_NAMES
    from .keras2.regularizers import KERAS1_REGULARIZERS
    from .keras2.variable_ops import REFLECTED as VARIABLE_OPERATORS

    rows = [SurfaceRow("keras.optimizers", lower, ADD, f"keras.optimizers:{cls}",
                       "Keras 2's lower-case alias") for lower, cls in LOWER_CASE_NAMES.items()]
    rows += [
        SurfaceRow("keras.optimizers.Optimizer", "__init__", WRAP,
                   "kfitcompat.keras2.optimizers:optimizer_init", "lr= and decay= (Keras 2)"),
        *(SurfaceRow(f"keras.optimizers.{cls}", "__init__", WRAP,
                     "kfitcompat.keras2.optimizers:epsilon_init", "epsilon=None (K.epsilon())")
          for cls in EPSILON_CLASSES),
        SurfaceRow("keras.optimizers.Optimizer", "lr", ADD,
                   "kfitcompat.keras2.optimizers:lr_property", "optimizer.lr"),
        SurfaceRow("keras.Model", "__new__", WRAP, "kfitcompat.keras2.models:model_new",
                   "Model(input=, output=)"),
        SurfaceRow(FUNCTIONAL, "__init__", WRAP, "kfitcompat.keras2.models:functional_init",
                   "Model(input=, output=)"),
        SurfaceRow("keras.layers", "merge", ADD, "kfitcompat.keras2.merge:merge"),
        SurfaceRow("keras.layers", "Merge", ADD, "kfitcompat.keras2.merge:Merge"),
        *(SurfaceRow("keras.layers", name, ADD, f"kfitcompat.keras2.local:{name}",
                     "Keras 2's unshared convolution (Keras 2 weights layout)")
          for name in ("LocallyConnected1D", "LocallyConnected2D")),
        *(SurfaceRow("keras.backend", name, ADD, f"kfitcompat.keras2.local:{name}",
                     "the LocallyConnected layers' backend op")
          for name in ("local_conv1d", "local_conv2d")),
        SurfaceRow("keras.layers", "TimeDistributedDense", ADD,
                   "kfitcompat.keras2.removed_layers:TimeDistributedDense",
                   "TimeDistributed(Dense(...)) (Keras 1)"),
        SurfaceRow("keras.layers", "ThresholdedReLU", ADD,
                   "kfitcompat.keras2.removed_layers:ThresholdedReLU", "ReLU(threshold=)"),
        SurfaceRow("keras.layers.Layer", "__init__", WRAP,
                   "kfitcompat.keras2.base_layer:layer_init",
                   "batch_input_shape=, batch_size= (stateful RNNs)"),
        SurfaceRow("keras.Sequential", "add", WRAP,
                   "kfitcompat.keras2.base_layer:sequential_add",
                   "a first layer's batch_input_shape"),
        SurfaceRow("keras.layers.LeakyReLU", "__init__", WRAP,
                   "kfitcompat.keras2.layers:leaky_relu_init", "a negative alpha"),
        SurfaceRow(TRAINER, "compile", WRAP, "kfitcompat.keras2.models:compile_method",
                   "compile(opt, loss, metrics), sample_weight_mode, one loss per output"),
        SurfaceRow(FUNCTIONAL, "add_loss", WRAP, "kfitcompat.keras2.models:functional_add_loss",
                   "model.add_loss(symbolic tensor)"),
        *(SurfaceRow("keras.Model", name, ADD, f"kfitcompat.keras2.models:{name}",
                     "model.make_*_function()")
          for name in ("_make_train_function", "_make_test_function",
                       "_make_predict_function")),
        SurfaceRow("keras.models", "clone_model", WRAP, "kfitcompat.keras2.models:clone_model",
                   "a model with Lambda layers clones"),
        SurfaceRow("keras.Model", "input_names", ADD, "kfitcompat.keras2.models:input_names",
                   "the input layers' names"),
        SurfaceRow("keras.Sequential", "output_names", ADD,
                   "kfitcompat.keras2.models:output_names", "the last layer's name"),
        SurfaceRow("keras.Model", "reset_states", ADD, "kfitcompat.keras2.models:reset_states",
                   "stateful RNNs"),
        SurfaceRow("keras.Sequential", "predict_classes", ADD,
                   "kfitcompat.keras2.models:predict_classes", "Keras 2 thresholds"),
        SurfaceRow("keras.Sequential", "predict_proba", ADD,
                   "kfitcompat.keras2.models:predict_proba", "predict, probability check"),
        SurfaceRow("keras.Model", "save_weights", WRAP, "kfitcompat.keras2.weights:save_weights",
                   "save_weights('w.h5') in Keras 2's HDF5 layout"),
        SurfaceRow("keras.utils", "get_file", WRAP, "kfitcompat.keras2.modules:get_file",
                   "extract=True also extracts where Keras 2 did"),
        SurfaceRow("keras.callbacks.ModelCheckpoint", "__init__", WRAP,
                   "kfitcompat.keras2.callbacks:checkpoint_init", "period=, .hdf5 names"),
        SurfaceRow(MONITOR, "_set_monitor_op", WRAP, "kfitcompat.keras2.callbacks:set_monitor_op",
                   "Keras 2's mode='auto'"),
        SurfaceRow("keras.callbacks.Callback", "model", WRAP,
                   "kfitcompat.keras2.callbacks:model_property", "callback.model = m"),
        SurfaceRow("keras.callbacks.ReduceLROnPlateau", "__init__", WRAP,
                   "kfitcompat.keras2.callbacks:reduce_lr_init", "epsilon= (min_delta)"),
        SurfaceRow("keras.callbacks.TensorBoard", "__init__", WRAP,
                   "kfitcompat.keras2.callbacks:tensorboard_init",
                   "batch_size=, write_grads=, embeddings_layer_names=, embeddings_data="),
        *(SurfaceRow(f"keras.callbacks.{cls}", "on_epoch_end", WRAP,
                     "kfitcompat.keras2.callbacks:monitored_epoch_end", "acc/val_acc names")
          for cls in ("EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau")),
    ]
    rows += [SurfaceRow("keras.layers.Layer", name, ADD,
                        f"kfitcompat.keras2.layer_attrs:{name}", "Keras 2 layer attribute")
             for name in LAYER_ATTRIBUTES]
    rows += [
        SurfaceRow("keras.layers.Layer", "add_loss", WRAP,
                   "kfitcompat.keras2.layer_attrs:add_loss", "add_loss(losses, inputs=None)"),
        SurfaceRow("keras.layers.RNN", "reset_states", WRAP,
                   "kfitcompat.keras2.recurrent:rnn_reset_states", "reset_states(values)"),
        SurfaceRow("keras.layers.RNN", "__call__", WRAP, "kfitcompat.keras2.recurrent:rnn_call",
                   "layer([inputs, *initial_states])"),
        SurfaceRow("keras.layers.RNN", "__init__", WRAP, "kfitcompat.keras2.recurrent:rnn_init",
                   "a plain-object cell; state_size set in the cell's build"),
        SurfaceRow("keras.layers.RNN", "build", WRAP, "kfitcompat.keras2.recurrent:rnn_build",
                   "state_size set in the cell's build"),
        SurfaceRow("keras.layers.RNN", "get_initial_state", WRAP,
                   "kfitcompat.keras2.recurrent:rnn_get_initial_state",
                   "get_initial_state(inputs)"),
        *(SurfaceRow("keras.layers.Layer", f"{kind}_weights", WRAP,
                     "kfitcompat.keras2.layer_attrs:weights_property",
                     f"layer.{kind}_weights = [...] in a custom layer", arg=kind)
          for kind in ("trainable", "non_trainable")),
        *(SurfaceRow("keras.Sequential", which, WRAP,
                     "kfitcompat.keras2.layer_attrs:sequential_tensor",
                     f"a Sequential's {which} before it is called", arg=which)
          for which in ("input", "output")),
        SurfaceRow("keras.layers.InputLayer", "input", WRAP,
                   "kfitcompat.keras2.layer_attrs:input_layer_input",
                   "an input layer's input is the model's input"),
        SurfaceRow("keras.layers.Layer", "add_metric", WRAP,
                   "kfitcompat.keras2.layer_attrs:add_metric", "add_metric(value, name)"),
        SurfaceRow("keras.layers.Layer", "add_weight", WRAP,
                   "kfitcompat.keras2.layer_attrs:add_weight", "add_weight('name', shape, ...)"),
        SurfaceRow("keras.metrics.MeanMetricWrapper", "update_state", WRAP,
                   "kfitcompat.keras2.losses:metric_update_state",
                   "integer predictions computed in the metric's float dtype"),
        SurfaceRow("keras.metrics.Metric", "reset_states", ADD,
                   "kfitcompat.keras2.attributes:metric_reset_states", "reset_state()"),
        SurfaceRow("keras.models", "model_from_config", ADD,
                   "kfitcompat.saving.loading:model_from_config", "a Keras 2 config dict"),
        SurfaceRow("keras.models", "model_from_yaml", ADD,
                   "kfitcompat.keras2.attributes:model_from_yaml", "raises, as tf.keras 2.6+"),
        SurfaceRow("keras.Model", "to_yaml", ADD, "kfitcompat.keras2.attributes:to_yaml",
                   "raises, as tf.keras 2.6+"),
        SurfaceRow("keras.metrics.Metric", "stateful", ADD,
                   "kfitcompat.keras2.attributes:metric_stateful", "True"),
        SurfaceRow("keras.metrics.Metric", "weights", ADD,
                   "kfitcompat.keras2.attributes:metric_weights", "metric.variables"),
        *(SurfaceRow("keras.initializers", alias, ADD, f"keras.initializers:{cls}",
                     "Keras 2's lower-case alias")
          for alias, cls in (("zero", "Zeros"), ("one", "Ones"), ("uniform", "RandomUniform"),
                             ("normal", "RandomNormal"))),
        SurfaceRow("keras.callbacks.Callback", "validation_data", ADD,
                   "kfitcompat.keras2.attributes:validation_data", "None until fit sets it"),
        *(SurfaceRow("keras.utils", name, ADD, f"kfitcompat.keras2.attributes:{name}")
          for name in ("print_summary", "multi_gpu_model")),
        SurfaceRow("keras.callbacks", "BaseLogger", ADD,
                   "kfitcompat.keras2.base_logger:BaseLogger",
                   "accepted; Keras 3 logs the epoch averages itself"),
    ]
    rows += [SurfaceRow("keras.constraints", lower, ADD, f"keras.constraints:{cls}",
                        "Keras 2's lower-case alias") for lower, cls in CONSTRAINT_NAMES.items()]
    # layers read their constraint through Keras 3's private module, scripts through the
    # public keras.constraints.get (the same function object, two bindings)
    rows += [SurfaceRow(where, "get", WRAP, "kfitcompat.keras2.constraints:constraints_get",
                        "'maxnorm', 'nonneg', 'unitnorm' strings")
             for where in ("keras.constraints", KERAS_CONSTRAINTS)]
    rows += [SurfaceRow("keras.regularizers", name, ADD,
                        f"kfitcompat.keras2.regularizers:{name}", "Keras 1 regularizer name")
             for name in KERAS1_REGULARIZERS]
    rows += [SurfaceRow(where, "get", WRAP, "kfitcompat.keras2.regularizers:regularizers_get",
                        "'activity_l1', 'activity_l2' strings")
             for where in ("keras.regularizers", KERAS_REGULARIZERS)]
    rows += [SurfaceRow(where, alias, ADD, f"keras.losses:{name}", "Keras 2 loss alias")
             for where in ("keras.losses", "keras.metrics")
             for alias, name in LOSS_NAMES.items()]
    rows += [SurfaceRow(where, name, WRAP, f"kfitcompat.keras2.losses:losses_{name}",
                        "Keras 2 loss names ('mse' in a saved .h5)")
             for where in ("keras.losses", KERAS_LOSSES) for name in ("deserialize", "get")]
    rows.append(SurfaceRow("keras.losses", "Reduction", ADD, "kfitcompat.keras2.losses:Reduction",
                           "tf.keras 2's reduction names (the strings Keras 3 takes)"))
    rows += [SurfaceRow("keras.backend", name, ADD, f"kfitcompat.keras2.backend:{name}",
                        "Keras 2 backend function") for name in BACKEND_NAMES]
    # Keras 2's backend module held `import tensorflow as tf`: K.tf.where(...), K.tf.image...
    rows.append(SurfaceRow("keras.backend", "tf", ADD, "importlib:import_module",
                           "the tensorflow module (K.tf)", arg="tensorflow"))
    # private, but the GPU check of many notebooks: K.tensorflow_backend._get_available_gpus()
    rows.append(SurfaceRow("keras.backend", "_get_available_gpus", ADD,
                           "kfitcompat.keras2.backend:available_gpus", "the GPUs' names"))
    rows += [SurfaceRow("keras.backend", name, ADD, "kfitcompat._keras_private:legacy_name",
                        "Keras 3's own tf.keras 2 backend function", arg=f"backend:{name}")
             for name in FROM_KERAS3_LEGACY]
    rows += [SurfaceRow("keras.preprocessing.sequence", name, ADD,
                        "kfitcompat._keras_private:legacy_name",
                        "Keras 3's own tf.keras 2 copy", arg=f"preprocessing.sequence:{name}")
             for name in ("TimeseriesGenerator", "make_sampling_table", "skipgrams")]
    # Keras 3 keeps some Keras 1 names as plain aliases of its classes (with Keras 3's
    # argument meaning): those rows replace, the others add.
    keras3_aliases = {"Convolution1D", "Convolution2D", "Convolution3D",
                      "SeparableConvolution2D"}
    rows += [SurfaceRow("keras.layers", name, REPLACE if name in keras3_aliases else ADD,
                        "kfitcompat.keras2.layers:keras1_class", f"Keras 1 name of {target}",
                        arg=name)
             for name, target in KERAS1_CLASSES.items()]
    rows += [SurfaceRow("keras.layers", name, ADD, "kfitcompat.keras2.layers:keras1_class",
                        f"Keras 2's cuDNN layer: {LEGACY_LAYER_CLASSES[name][0]}", arg=name)
             for name in CUDNN_CLASSES]
    rows += [SurfaceRow(f"{KFITCOMPAT_LAYERS.get(layer, 'keras.layers')}.{layer}", "__init__",
                        WRAP, "kfitcompat.keras2.layers:keras1_init", "Keras 1 keywords",
                        arg=layer)
             for layer in KERAS1_KEYWORDS]
    rows += [SurfaceRow(where, "_keras_shape", ADD, "kfitcompat.keras2.tensor_attrs:keras_shape",
                        "Keras 2's x._keras_shape: tuple(x.shape)")
             for where in ("keras.KerasTensor", "tensorflow.Tensor")]
    rows += [SurfaceRow("keras.Variable", name, WRAP,
                        "kfitcompat.keras2.variable_ops:symbolic_operator",
                        "K.variable(0.) + layer.output builds a symbolic tensor", arg=name)
             for name in VARIABLE_OPERATORS]
    rows += [SurfaceRow(KERAS_BACKEND_NN, name, WRAP,
                        "kfitcompat.keras2.conv_layout:channels_first_on_cpu",
                        "channels_first convolutions without a GPU (Keras 2 transposed)")
             for name in ("conv", "conv_transpose")]
    rows += [SurfaceRow(path.rpartition(".")[0], path.rpartition(".")[2], MODULE,
                        f"kfitcompat.keras2.modules:{path}") for path in MODULES]
    return rows


def _model_rows() -> list[SurfaceRow]:
    """The legacy training methods of ``keras.Model`` (``kfitcompat.training.model_methods``)."""
    from .legacy_table import GENERATOR_METHODS

    where = "kfitcompat.training.model_methods"
    rows = [
        SurfaceRow("keras.Model", "fit", WRAP, f"{where}:legacy_fit",
                   "nb_epoch=, workers=, use_multiprocessing=, generators and Keras 2 Sequences"),
        *(SurfaceRow("keras.Model", method, WRAP, f"{where}:legacy_inference",
                     "workers=, use_multiprocessing=, generators and Keras 2 Sequences",
                     arg=method) for method in ("evaluate", "predict")),
        *(SurfaceRow("keras.Model", method, WRAP, f"{where}:legacy_on_batch",
                     "targets keyed by the output name, lists of numbers")
          for method in ("train_on_batch", "test_on_batch")),
        SurfaceRow("keras.Model", "metrics_names", WRAP, f"{where}:legacy_metrics_names",
                   "['loss', 'accuracy', ...] as Keras 2 listed them"),
    ]
    # the logs every callback of a training call gets: logs['acc'] as in Keras 2.2.4
    rows.append(SurfaceRow(CALLBACK_LOGS, "pythonify_logs", WRAP,
                           "kfitcompat.training.history:aliased_logs",
                           "a callback's logs['acc'] / logs['accuracy'] both answer"))
    rows += [SurfaceRow("keras.Model", name, ADD, f"{where}:generator_method",
                        "Keras 2's method: fit / evaluate / predict with the generator", arg=name)
             for name in GENERATOR_METHODS]
    return rows


def _saving_rows() -> list[SurfaceRow]:
    """Legacy model files (``kfitcompat.saving``): Keras 1/2 and tf.keras ``.h5`` and JSON;
    every other file reaches Keras 3's function unchanged."""
    where = ("keras.models", "keras.saving", "tensorflow.keras.models")
    rows = [SurfaceRow(module, "load_model", WRAP, "kfitcompat.saving.loading:load_model",
                       "Keras 1/2, tf.keras .h5 model files") for module in where]
    rows += [SurfaceRow(module, "model_from_json", WRAP,
                        "kfitcompat.saving.loading:model_from_json",
                        "Keras 1/2, tf.keras model.to_json()")
             for module in ("keras.models", "tensorflow.keras.models")]
    rows.append(SurfaceRow("keras.Model", "save", WRAP, "kfitcompat.saving.any_name:model_save",
                           "model.save('name'): HDF5 under any file name (Keras 2)"))
    rows.append(SurfaceRow("keras.Model", "load_weights", WRAP,
                           "kfitcompat.saving.loading:load_weights",
                           "Keras 2 .h5 weights: by_name=, Keras 1/cuDNN layouts"))
    return rows


#: Owner paths of Keras classes and modules that are not public (found through
#: ``kfitcompat._keras_private``).
FUNCTIONAL = "<keras functional model class>"
MONITOR = "<keras monitor callback class>"
TRAINER = "<keras class defining Model.compile>"
KERAS_CONSTRAINTS = "<keras constraints module layers read>"
KERAS_LOSSES = "<keras losses module compile reads>"
KERAS_REGULARIZERS = "<keras regularizers module layers read>"
KERAS_BACKEND_NN = "<keras backend nn module keras.ops calls>"
CALLBACK_LOGS = "<keras module whose pythonify_logs the callback list calls>"
PRIVATE_OWNERS = {FUNCTIONAL: "functional_class", MONITOR: "monitor_callback_class",
                   TRAINER: "compile_owner_class",
                   KERAS_CONSTRAINTS: "constraints_module", KERAS_LOSSES: "losses_module",
                   KERAS_REGULARIZERS: "regularizers_module",
                   KERAS_BACKEND_NN: "backend_nn_module",
                   CALLBACK_LOGS: "callback_logs_module"}

SURFACE: tuple[SurfaceRow, ...] = (
    SurfaceRow("keras.utils", "Sequence", REPLACE, "kfitcompat.data.sequence:Sequence",
               "a PyDataset subclass; isinstance(PyDataset(), keras.utils.Sequence) holds"),
    SurfaceRow("keras.utils", "SequenceEnqueuer", ADD, "kfitcompat.utils:SequenceEnqueuer"),
    SurfaceRow("keras.utils", "OrderedEnqueuer", ADD, "kfitcompat.utils:OrderedEnqueuer"),
    SurfaceRow("keras.utils", "GeneratorEnqueuer", ADD, "kfitcompat.utils:GeneratorEnqueuer"),
    SurfaceRow("keras.utils", "to_categorical", REPLACE, "kfitcompat.utils:to_categorical",
               "Keras 2's dtype= argument and float32 output"),
    *_model_rows(),
    *_image_rows(),
    *_keras2_rows(),
    *_saving_rows(),
)
