"""One line per rule id: what it finds (``kfitcompat check --list-rules``)."""

from __future__ import annotations

__all__ = ["DESCRIPTIONS"]

DESCRIPTIONS = {
    "backend-ops": "Keras 2 backend functions Keras 3's keras.backend dropped (K.sum, "
                   "K.batch_dot, ...) -> keras.ops / a helper",
    "backend-tf": "K.tf (Keras 2's backend held the tensorflow module) -> tf, imported",
    "backend-value": "K.set_value(v, x) / K.get_value(v) -> v.assign(x) / v.numpy()",
    "callback-epsilon": "ReduceLROnPlateau(epsilon=) (ignored by Keras 3) -> min_delta",
    "callback-monitor": "monitor='acc' / 'val_acc' on a callback -> 'accuracy' / "
                        "'val_accuracy', with mode='max'",
    "callback-period": "ModelCheckpoint(period=) (gone) -> save_freq",
    "channels-first": "channels_first / dim_ordering='th' convolutions: Keras 3 runs them "
                      "only on a GPU (reported)",
    "evaluate_generator": "model.evaluate_generator(...) -> model.evaluate(...)",
    "fit": "model.fit(...) with a Keras 1 argument (see nb_epoch)",
    "fit_generator": "model.fit_generator(...) -> model.fit(...)",
    "get-file-extract": "get_file(extract=True / untar=True): Keras 3 returns the extracted "
                        "folder, paths built from the archive's path break",
    "h5-filename": "ModelCheckpoint('m.hdf5') / save_weights('w.h5') -> '.keras' / "
                   "'.weights.h5' (Keras 3 refuses the old names)",
    "image-dim-ordering": "K.image_dim_ordering() / K.set_image_dim_ordering() -> "
                          "image_data_format",
    "image-import": "ImageDataGenerator & co. imported from keras (gone in Keras 3) -> "
                    "kfitcompat.image",
    "import-moved": "imports from modules Keras 3 removed (keras.layers.core, "
                    "keras.utils.np_utils, ...)",
    "keras-shape": "x._keras_shape (Keras 2's tensor attribute) -> tuple(x.shape)",
    "keras1-layer": "Keras 1 layer names and keywords (Convolution2D, border_mode=, "
                    "init=, ...) -> Keras 2/3 spellings",
    "keras2-alias-import": "Keras 2 aliases Keras 3 dropped (keras.losses.mse, "
                           "keras.constraints.maxnorm, ...)",
    "layer-batch-shape": "batch_size= / batch_input_shape= on a layer -> "
                         "keras.Input(batch_shape=...)",
    "load-img-grayscale": "load_img(grayscale=True) -> color_mode='grayscale'",
    "loading-arguments": "workers= / use_multiprocessing= / max_queue_size= on fit & co. -> "
                         "the PyDataset's constructor",
    "model-input-output": "Model(input=, output=) -> Model(inputs=, outputs=)",
    "nb_epoch": "nb_epoch= (Keras 1) -> epochs=",
    "nb_val_samples": "nb_val_samples= (a sample count) -> validation_steps= (a step count)",
    "optimizer-decay": "Optimizer(decay=) (ignored by Keras 3) -> an InverseTimeDecay "
                       "schedule",
    "optimizer-default-rate": "Adadelta() / Adagrad() / Adamax() / Nadam() without a rate: "
                              "Keras 2's default rate written out",
    "optimizer-epsilon": "Optimizer(epsilon=None) (Keras 2.2's documented default, "
                         "K.epsilon()) -> epsilon=1e-7",
    "optimizer-lr": "Optimizer(lr=) -> learning_rate=",
    "optimizer-lr-attribute": "model.optimizer.lr -> model.optimizer.learning_rate",
    "optimizer-name": "keras.optimizers.rmsprop() & other lower-case names -> RMSprop()",
    "predict_classes": "model.predict_classes(x) (gone) -> model.predict(x).argmax(axis=-1)",
    "predict_generator": "model.predict_generator(...) -> model.predict(...)",
    "predict_proba": "model.predict_proba(x) (gone) -> model.predict(x)",
    "add-weight-name": "layer.add_weight('name', shape, ...) (Keras 2's order) -> keywords",
    "save-file-name": "model.save('my_model') (a name Keras 3 refuses): reported",
    "reset-states": "model.reset_states() (gone from Keras 3 models) -> a helper",
    "samples_per_epoch": "samples_per_epoch= (a sample count) -> steps_per_epoch= "
                         "(a step count)",
    "sequential-tensor": "model.input / model.output of a Sequential (Keras 3 raises until "
                         "it is called) -> model.inputs[0] / model.outputs[0]",
    "symbolic-add-loss": "model.add_loss(symbolic tensor) on a functional model -> a helper",
    "add-metric": "layer.add_metric(value, name) (disabled in Keras 3) -> a helper",
    "leaky-relu-alpha": "LeakyReLU(alpha=) -> negative_slope=; a negative slope (Keras 3 "
                        "refuses it) is reported",
    "tensorboard-arguments": "TensorBoard(batch_size=, write_grads=, embeddings_layer_names=, "
                             "embeddings_data=) (Keras 2) -> dropped, or reported when they "
                             "ask for a summary Keras 3 does not write",
    "listed-weights": "self.trainable_weights = [...] in a custom layer (read-only in Keras "
                      "3) -> add_weight(trainable=...)",
    "show_accuracy": "fit/evaluate(show_accuracy=) (Keras 0.x, ignored by Keras 1) -> dropped",
    "class_mode": "compile(class_mode=) (Keras 0.x, ignored by Keras 1) -> dropped",
    "rnn-initial-states": "rnn([x, h0, c0]) -> rnn(x, initial_state=[h0, c0])",
    "unguarded-processes": "use_multiprocessing=True in a script without an "
                           "`if __name__ == '__main__':` guard",
    "val_samples": "val_samples= (a sample count) -> steps= (a step count)",
    "batch-as-list": "a Sequence's __getitem__ returning [x, y] (Keras 3 reads a list as "
                     "one input) -> a tuple (x, y)",
    "checkpoint-path": "a ModelCheckpoint path built at run time with .hdf5 or {val_acc}: "
                       "reported (Keras 3 refuses the name, renames the metric)",
    "history-keys": "history.history['acc'] / ['val_acc'] (Keras 3: 'accuracy') -> the "
                    "keras2_history helper, or reported when known only at run time",
    "keras2-api": "a Keras 1/2 name, argument or attribute the API table refuses or no "
                  "rule rewrites: reported with the table's reason",
    "keras2-defaults": "a Keras 2 default Keras 3 dropped or changed (pooling pool_size, "
                       "Keras 2 rates) written out",
    "keras2-positionals": "Conv2D(f, 3, 3): Keras 2 read the kernel positionally -> "
                          "Conv2D(f, (3, 3))",
    "legacy-model-file": "load_model / load_weights of a Keras 2 .h5 file: a note to run "
                         "kfitcompat convert once",
    "install": "--target kfitcompat: `import kfitcompat; kfitcompat.install()` added",
    "augment-layers": "--augment-layers: ImageDataGenerator -> Keras 3 preprocessing layers",
    "augment-layers-kept": "--augment-layers: an ImageDataGenerator with no layer "
                           "counterpart, kept",
    "manual-check": "a `# kfitcompat:` note migrate left above a statement to check by hand",
}
