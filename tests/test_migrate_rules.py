"""Golden before/after tests for every migration rule, plus must-not-change cases."""

from __future__ import annotations

import re
import textwrap

import numpy as np
import pytest

pytest.importorskip("libcst")

from kfitcompat.migrate import KERAS3, KFITCOMPAT, migrate_source  # noqa: E402


def _d(s: str) -> str:
    return textwrap.dedent(s).lstrip("\n")


CASES = [
    pytest.param(
        "model.fit_generator(gen, steps_per_epoch=100, epochs=5)\n",
        "model.fit(gen, steps_per_epoch=100, epochs=5)\n", id="fit_generator"),
    pytest.param(
        "loss = model.evaluate_generator(val_gen, steps=10)\n",
        "loss = model.evaluate(val_gen, steps=10)\n", id="evaluate_generator"),
    pytest.param(
        "p = model.predict_generator(test_gen, steps=10, verbose=1)\n",
        "p = model.predict(test_gen, steps=10, verbose=1)\n", id="predict_generator"),
    pytest.param(
        "model.fit(x, y, nb_epoch=10, batch_size=32)\n",
        "model.fit(x, y, epochs=10, batch_size=32)\n", id="fit-nb_epoch"),
    pytest.param(
        "self.model.fit_generator(g, 10, nb_epoch=3)\n",
        "self.model.fit(g, steps_per_epoch=10, epochs=3)\n", id="any-receiver"),
    pytest.param(
        _d("""
        train = datagen.flow(x, y, batch_size=64)
        model.fit_generator(train, samples_per_epoch=len(x), nb_epoch=10)
        """),
        _d("""
        train = datagen.flow(x, y, batch_size=64)
        model.fit(train, steps_per_epoch=len(x) // 64, epochs=10)
        """), id="samples_per_epoch-known-batch-size"),
    pytest.param(
        "model.fit_generator(datagen.flow(x, y, 16), samples_per_epoch=800)\n",
        "model.fit(datagen.flow(x, y, 16), steps_per_epoch=800 // 16)\n",
        id="samples_per_epoch-positional-flow-batch-size"),
    pytest.param(
        "model.fit_generator(gen(), samples_per_epoch=800)\n",
        _d("""
        # kfitcompat: `samples_per_epoch` counted samples: divide `steps_per_epoch` by your batch size
        model.fit(gen(), steps_per_epoch=800)
        """), id="samples_per_epoch-unknown-batch-size"),
    pytest.param(
        _d("""
        val = gen.flow_from_directory("v", batch_size=20)
        model.fit_generator(t, 10, validation_data=val, nb_val_samples=800)
        """),
        _d("""
        val = gen.flow_from_directory("v", batch_size=20)
        model.fit(t, steps_per_epoch=10, validation_data=val, validation_steps=800 // 20)
        """), id="nb_val_samples"),
    pytest.param(
        "model.evaluate_generator(it, val_samples=320)\n",
        _d("""
        # kfitcompat: `val_samples` counted samples: divide `steps` by your batch size
        model.evaluate(it, steps=320)
        """), id="val_samples"),
    pytest.param(
        "model.fit_generator(seq, epochs=2, workers=4, use_multiprocessing=True)\n",
        _d("""
        # kfitcompat: removed workers=4, use_multiprocessing=True: Keras 3 takes workers/use_multiprocessing/max_queue_size on a keras.utils.PyDataset (its super().__init__(...)), not on fit/evaluate/predict
        model.fit(seq, epochs=2)
        """), id="loading-arguments"),
    pytest.param(
        "model.fit_generator(g, 5, nb_worker=2, pickle_safe=True, max_q_size=4)\n",
        _d("""
        # kfitcompat: removed nb_worker=2, pickle_safe=True, max_q_size=4: Keras 3 takes workers/use_multiprocessing/max_queue_size on a keras.utils.PyDataset (its super().__init__(...)), not on fit/evaluate/predict
        model.fit(g, steps_per_epoch=5)
        """), id="keras1-loading-spellings"),
    pytest.param(
        "opt = keras.optimizers.Adam(lr=1e-3, beta_1=0.9)\n",
        "opt = keras.optimizers.Adam(learning_rate=1e-3, beta_1=0.9)\n", id="optimizer-lr"),
    pytest.param(
        "model.compile(optimizer=SGD(lr=0.01, momentum=0.9), loss='mse')\n",
        "model.compile(optimizer=SGD(learning_rate=0.01, momentum=0.9), loss='mse')\n",
        id="optimizer-lr-bare-name"),
    pytest.param(
        "opt = RMSprop(learning_rate=lr, decay=d)\n",
        _d("""
        import keras
        opt = RMSprop(learning_rate=keras.optimizers.schedules.InverseTimeDecay(lr, decay_steps=1, decay_rate=d))
        """), id="optimizer-decay-schedule-import"),  # noqa: E501
    pytest.param(
        "opt = Ftrl(decay=1e-6)\n",
        _d("""
        # kfitcompat: `decay=` is ignored by Keras 3: use keras.optimizers.schedules.InverseTimeDecay(lr, 1, decay)
        opt = Ftrl(decay=1e-6)
        """), id="optimizer-decay-manual"),
    pytest.param(
        "labels = model.predict_classes(x_test)\n",
        _d("""
        # kfitcompat: predict_classes: for a sigmoid output use (model.predict(x) > 0.5).astype('int32')
        labels = model.predict(x_test).argmax(axis=-1)
        """), id="predict_classes"),
    pytest.param(
        "opt = keras.optimizers.SGD(lr=0.01, decay=1e-6)\n",
        "import keras\nopt = keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.InverseTimeDecay("
        "0.01, decay_steps=1, decay_rate=1e-6))\n", id="optimizer-lr-and-decay-in-one-pass"),
    pytest.param(
        "p = model.predict_proba(x_test, batch_size=32)\n",
        "p = model.predict(x_test, batch_size=32)\n", id="predict_proba"),
    pytest.param(
        "cb = ModelCheckpoint('w.{epoch:02d}.hdf5', period=5)\n",
        _d("""
        # kfitcompat: ModelCheckpoint: `period=N` is gone: pass `save_freq` in batches (N * steps_per_epoch) or 'epoch'
        cb = ModelCheckpoint('w.{epoch:02d}.keras', period=5)
        """), id="checkpoint-period-manual"),
    pytest.param(
        "from keras.preprocessing.image import ImageDataGenerator\n",
        "from kfitcompat.image import ImageDataGenerator\n", id="image-import"),
    pytest.param(
        "from keras.preprocessing.image import ImageDataGenerator, img_to_array, random_rotation\n",
        _d("""
        from kfitcompat.image import ImageDataGenerator, random_rotation
        from keras.preprocessing.image import img_to_array
        """), id="image-import-split"),
    pytest.param(
        "from keras.utils.np_utils import to_categorical\n",
        "from keras.utils import to_categorical\n", id="np_utils"),
    pytest.param(
        _d("""
        from keras.utils import np_utils
        y = np_utils.to_categorical(labels, 10)
        """),
        _d("""
        from keras import utils as np_utils
        y = np_utils.to_categorical(labels, 10)
        """), id="np_utils-module-attribute"),
    pytest.param(
        "print(float(model.optimizer.lr))\n",
        "print(float(model.optimizer.learning_rate))\n", id="optimizer-lr-attribute"),
    pytest.param(
        "K.set_value(self.model.optimizer.lr, new_lr)\n",
        "self.model.optimizer.learning_rate.assign(new_lr)\n", id="K.set_value"),
    pytest.param(
        "lr = K.get_value(model.optimizer.lr)\n",
        "lr = model.optimizer.learning_rate.numpy()\n", id="K.get_value"),
    pytest.param(
        "keras.backend.set_value(var, 0.5)\n",
        "var.assign(0.5)\n", id="keras.backend.set_value"),
    pytest.param(
        _d("""
        model.fit_generator(
            train_gen,  # the training batches
            steps_per_epoch=100,
            nb_epoch=3,
        )
        """),
        _d("""
        model.fit(
            train_gen,  # the training batches
            steps_per_epoch=100,
            epochs=3,
        )
        """), id="keeps-formatting-and-comments"),
]

SEQUENCE_CASES = [
    pytest.param(
        _d("""
        class Seq(keras.utils.Sequence):
            \"\"\"Batches.\"\"\"

            def __init__(self, x, batch_size=32):
                self.x = x

        train = Seq(x, batch_size=16)
        model.fit_generator(train, epochs=3, workers=4, use_multiprocessing=True)
        """),
        _d("""
        class Seq(keras.utils.Sequence):
            \"\"\"Batches.\"\"\"

            def __init__(self, x, batch_size=32, **kwargs):
                super().__init__(**kwargs)
                self.x = x

        train = Seq(x, batch_size=16, workers=4, use_multiprocessing=True)
        model.fit(train, epochs=3)
        """), id="sequence-instance-gets-the-loading-options"),
    pytest.param(
        _d("""
        class Seq(Sequence):
            def __init__(self, x):
                super().__init__()
                self.x = x

        model.evaluate_generator(Seq(x), nb_worker=2, max_q_size=4)
        """),
        _d("""
        class Seq(Sequence):
            def __init__(self, x, **kwargs):
                super().__init__(**kwargs)
                self.x = x

        model.evaluate(Seq(x, workers=2, max_queue_size=4))
        """), id="inline-sequence-and-existing-super-call"),
    pytest.param(
        _d("""
        from keras.layers import Convolution2D, Conv2D, Dense, Dropout
        model.add(Convolution2D(32, 3, 3, border_mode='same', init='he_normal'))
        model.add(Conv2D(24, 5, 5, subsample=(2, 2), dim_ordering='th'))
        model.add(Dense(output_dim=10, W_regularizer=reg))
        model.add(Dropout(p=0.5))
        """),
        _d("""
        from keras.layers import Conv2D, Dense, Dropout
        model.add(Conv2D(32, (3, 3), padding='same', kernel_initializer='he_normal'))
        model.add(Conv2D(24, (5, 5), strides=(2, 2), data_format='channels_first'))
        model.add(Dense(units=10, kernel_regularizer=reg))
        model.add(Dropout(rate=0.5))
        """), id="keras1-layers"),
    pytest.param(
        "opt = keras.optimizers.rmsprop(lr=0.0001, decay=1e-6)\n",
        "import keras\nopt = keras.optimizers.RMSprop(learning_rate=keras.optimizers.schedules."
        "InverseTimeDecay(0.0001, decay_steps=1, decay_rate=1e-6))\n", id="optimizer-decay"),
    pytest.param(
        _d("""
        cb = ModelCheckpoint(path, monitor='val_acc', save_best_only=True)
        es = EarlyStopping(monitor="acc", mode="max")
        """),
        _d("""
        cb = ModelCheckpoint(path, monitor='val_accuracy', save_best_only=True, mode='max')
        es = EarlyStopping(monitor="accuracy", mode="max")
        """), id="callback-monitor"),
    pytest.param(
        _d("""
        cb = ModelCheckpoint('unet_membrane.hdf5', monitor='loss', save_best_only=True)
        wb = ModelCheckpoint(filepath='w.{epoch:02d}.h5', save_weights_only=True)
        model.save_weights('first_try.h5')
        """),
        _d("""
        cb = ModelCheckpoint('unet_membrane.keras', monitor='loss', save_best_only=True)
        wb = ModelCheckpoint(filepath='w.{epoch:02d}.weights.h5', save_weights_only=True)
        model.save_weights('first_try.weights.h5')
        """), id="h5-filenames"),
    pytest.param(
        _d("""
        cb = ModelCheckpoint('best-model.h5', save_best_only=True)
        model.save_weights("w.h5")
        best = load_model('best-model.h5')
        model.load_weights("w.h5")
        other = keras.models.load_model('keras2-model.h5')
        """),
        _d("""
        cb = ModelCheckpoint('best-model.keras', save_best_only=True)
        model.save_weights("w.weights.h5")
        best = load_model('best-model.keras')
        model.load_weights("w.weights.h5")
        # kfitcompat: a Keras 2 file: run `kfitcompat convert keras2-model.h5 keras2-model.keras` once and load 'keras2-model.keras' (kfitcompat.install() reads the .h5 as it is)
        other = keras.models.load_model('keras2-model.h5')
        """), id="h5-loads-follow-the-saves"),
    pytest.param(
        _d("""
        model = load_model('carnd.h5', custom_objects={'f': f})
        model.load_weights(filepath="imagenet.hdf5", by_name=True)
        """),
        _d("""
        # kfitcompat: a Keras 2 file: run `kfitcompat convert carnd.h5 carnd.keras` once and load 'carnd.keras' (kfitcompat.install() reads the .h5 as it is)
        model = load_model('carnd.h5', custom_objects={'f': f})
        # kfitcompat: a Keras 2 file: run `kfitcompat convert imagenet.hdf5 imagenet.weights.h5 --weights-only` once and load 'imagenet.weights.h5' (a file of weights only: add `--architecture model.json`, the model's to_json()) (kfitcompat.install() reads the .h5 as it is)
        model.load_weights(filepath="imagenet.hdf5", by_name=True)
        """), id="legacy-model-file"),
    pytest.param(
        "model = Model(input=inputs, output=conv10)\n",
        "model = Model(inputs=inputs, outputs=conv10)\n", id="model-input-output"),
    pytest.param(
        "model.fit_generator(generator=gen, steps_per_epoch=3)\n",
        "model.fit(x=gen, steps_per_epoch=3)\n", id="generator-keyword"),
    pytest.param(
        _d("""
        from keras.preprocessing import image
        gen = image.ImageDataGenerator(rescale=1. / 255)
        """),
        _d("""
        from kfitcompat import image
        gen = image.ImageDataGenerator(rescale=1. / 255)
        """), id="image-module-attribute"),
    pytest.param(
        "from keras.layers.core import Dense, Flatten\n",
        "from keras.layers import Dense, Flatten\n", id="keras-layers-core"),
    pytest.param(
        _d("""
        if K.image_dim_ordering() == 'th':
            K.set_image_dim_ordering("tf")
        """),
        _d("""
        if K.image_data_format() == 'channels_first':
            K.set_image_data_format("channels_last")
        """), id="image-dim-ordering"),
    pytest.param(
        "data_format = K.image_dim_ordering()\n",
        'data_format = ("th" if K.image_data_format() == "channels_first" else "tf")\n',
        id="bare-image-dim-ordering"),
    pytest.param(
        _d("""
        a = load_img(p, grayscale=True, target_size=(28, 28))
        b = image.load_img(p, grayscale=False)
        c = load_img(p, grayscale=gray)
        """),
        _d("""
        a = load_img(p, color_mode="grayscale", target_size=(28, 28))
        b = image.load_img(p)
        c = load_img(p, color_mode="grayscale" if gray else "rgb")
        """), id="load-img-grayscale"),
    pytest.param(
        _d("""
        import tensorflow as tf
        path_to_zip = tf.keras.utils.get_file('cats_and_dogs.zip', origin=_URL, extract=True)
        PATH = os.path.join(os.path.dirname(path_to_zip), 'cats_and_dogs_filtered')
        """),
        _d("""
        import os
        import tensorflow as tf
        # kfitcompat: Keras 3's get_file(extract=True) returns the folder it extracted into; joined with the file name, os.path.dirname() of it is that folder (the archive itself is not at this path)
        path_to_zip = os.path.join(tf.keras.utils.get_file('cats_and_dogs.zip', origin=_URL, extract=True), 'cats_and_dogs.zip')
        PATH = os.path.join(os.path.dirname(path_to_zip), 'cats_and_dogs_filtered')
        """), id="get-file-extract"),
    pytest.param(
        _d("""
        model.fit_generator(gen, 100, 5, 1, [cb], val, 10)
        results = model.predict_generator(testGene, 30, verbose=1)
        score = model.evaluate_generator(g, 5)
        """),
        _d("""
        model.fit(gen, steps_per_epoch=100, epochs=5, verbose=1, callbacks=[cb], validation_data=val, validation_steps=10)
        results = model.predict(testGene, steps=30, verbose=1)
        score = model.evaluate(g, steps=5)
        """), id="generator-positionals-named"),
    pytest.param(
        _d("""
        testGene = testGenerator("data/membrane/test")
        results = model.predict_generator(testGene, 30, verbose=1)
        p = model.predict_generator(generator=(x[i:i + 2] for i in range(0, 8, 2)), steps=4)
        seq = Rows(x)
        q = model.predict_generator(seq, 3)
        r = model.predict_generator(datagen.flow(x, batch_size=2), 3)
        """),
        _d("""
        testGene = testGenerator("data/membrane/test")
        results = model.predict((b if isinstance(b, tuple) else (b,) for b in testGene), steps=30, verbose=1)
        p = model.predict(x=(b if isinstance(b, tuple) else (b,) for b in (x[i:i + 2] for i in range(0, 8, 2))), steps=4)
        seq = Rows(x)
        q = model.predict(seq, steps=3)
        r = model.predict(datagen.flow(x, batch_size=2), steps=3)
        """), id="predict-generator-bare-batches"),
    pytest.param(
        _d("""
        def test_flow():
            def unused():
                yield 1
            return datagen.flow(x, batch_size=2)
        def make_rows():
            return Rows(x)
        def batches():
            yield x[:2]
        def all_batches():
            return batches()
        a = model.predict_generator(test_flow(), 3)
        b = model.predict_generator(make_rows(), 3)
        c = model.predict_generator(all_batches(), 3)
        """),
        _d("""
        def test_flow():
            def unused():
                yield 1
            return datagen.flow(x, batch_size=2)
        def make_rows():
            return Rows(x)
        def batches():
            yield x[:2]
        def all_batches():
            return batches()
        a = model.predict(test_flow(), steps=3)
        b = model.predict(make_rows(), steps=3)
        c = model.predict((b if isinstance(b, tuple) else (b,) for b in all_batches()), steps=3)
        """), id="predict-generator-of-a-function-defined-here"),
    pytest.param(
        _d("""
        model.add(LSTM(output_dim=32, consume_less='gpu'))
        model.add(ConvLSTM2D(8, nb_row=3, nb_col=3, inner_init='orthogonal'))
        model.add(GaussianNoise(sigma=0.1))
        model.add(Convolution3D(8, 3, 3, 3, border_mode='same'))
        """),
        _d("""
        model.add(LSTM(units=32, implementation=2))
        model.add(ConvLSTM2D(8, (3, 3), recurrent_initializer='orthogonal'))
        model.add(GaussianNoise(stddev=0.1))
        model.add(Conv3D(8, (3, 3, 3), padding='same'))
        """), id="keras1-layers-of-keras2-legacy-interfaces"),
    pytest.param(
        _d("""
        import keras
        from keras import backend as K
        def contrastive(y_true, y_pred):
            d = K.sqrt(K.maximum(K.sum(K.square(y_pred), axis=1, keepdims=True), K.epsilon()))
            both = K.concatenate([y_true, d])
            return K.mean(K.pow(both, 2)) + K.sum(K.gather(both, [0]))
        r = K.repeat(v, 3)
        shape = K.int_shape(x)
        h = K.conv1d(inputs, kernel)
        n = K.l2_normalize(x, axis=1)
        """),
        _d("""
        import keras
        from keras import backend as K
        def contrastive(y_true, y_pred):
            d = keras.ops.sqrt(keras.ops.maximum(keras.ops.sum(keras.ops.square(y_pred), axis=1, keepdims=True), K.epsilon()))
            both = keras.ops.concatenate([y_true, d], axis=-1)
            return keras.ops.mean(keras.ops.power(both, 2)) + keras.ops.sum(keras.ops.take(both, [0], axis=0))
        r = keras.ops.repeat(keras.ops.expand_dims(v, 1), 3, axis=1)
        shape = tuple(x.shape)
        h = keras.ops.conv(inputs, kernel)
        n = keras.ops.normalize(x, axis=1)
        """), id="backend-ops"),
    pytest.param(
        _d("""
        from keras.losses import mse, binary_crossentropy
        from keras.metrics import mae as m
        from keras.constraints import maxnorm
        """),
        _d("""
        from keras.losses import mean_squared_error as mse, binary_crossentropy
        from keras.metrics import mean_absolute_error as m
        from keras.constraints import MaxNorm as maxnorm
        """), id="keras2-alias-import"),
]

CASES += [
    pytest.param(
        "opt = keras.optimizers.Adadelta()\nmodel.compile(Adagrad(epsilon=1e-6), 'mse')\n",
        "opt = keras.optimizers.Adadelta(learning_rate=1.0)\n"
        "model.compile(Adagrad(epsilon=1e-6, learning_rate=0.01), 'mse')\n",
        id="optimizer-default-rate"),
]

MUST_NOT_CHANGE = [
    pytest.param("m = load_model('m.keras')\nm.load_weights('w.weights.h5')\n"
                 "n = load_model(path)\n", id="keras3-model-files"),
    pytest.param("model.fit(x, y, epochs=3, batch_size=32)\n", id="modern-fit"),
    pytest.param("opt = keras.optimizers.Adam(learning_rate=1e-3)\n", id="modern-optimizer"),
    pytest.param("df.fit_transform(x)\nresult = obj.fit(a, b)\n", id="other-fit-methods"),
    pytest.param("from keras.preprocessing.image import load_img, img_to_array\n",
                 id="helpers-keras3-still-has"),
    pytest.param("lr = 0.01\nsched = schedule(lr=lr)\n", id="lr-outside-optimizers"),
    pytest.param("s = 'model.fit_generator(gen, nb_epoch=3)'\n", id="inside-a-string"),
    pytest.param("x = scheduler.lr\nstore.set_value(k, v)\n", id="other-lr-and-set_value"),
    pytest.param("from keras.utils import to_categorical\n", id="keras3-utils-import"),
    pytest.param("cb = EarlyStopping(monitor='val_accuracy', mode='max')\n",
                 id="keras3-monitor"),
    pytest.param("from keras.preprocessing import image\nx = image.load_img(p)\n",
                 id="keras3-image-module"),
    pytest.param("model = keras.Model(inputs=a, outputs=b)\n", id="keras3-model"),
    pytest.param("model.save_weights('w.weights.h5')\ncb = ModelCheckpoint('m.keras')\n",
                 id="keras3-filenames"),
    pytest.param("model.add(Conv2D(32, 3, 3, padding='same'))\n", id="keras3-conv-strides"),
    pytest.param("if K.image_data_format() == 'channels_first':\n    pass\n",
                 id="keras3-image-data-format"),
    pytest.param("img = load_img(p, color_mode='grayscale')\n", id="keras3-load-img"),
    pytest.param("p = get_file('a.csv', origin=u)\nq = get_file('b.zip', origin=u, extract=False)\n",
                 id="get-file-without-extract"),
    pytest.param("g = batches(x)\np = model.predict(g, steps=2)\n", id="keras3-predict-generator"),
    pytest.param("model.add(SeparableConv2D(5, 3, 3, padding='same'))\n"
                 "model.add(ConvLSTM2D(5, 3, strides=3))\n"
                 "model.add(LSTM(32, implementation=2, input_shape=(None, 5)))\n"
                 "model.add(MaxPooling2D(3))\nmodel.add(Conv2D(8, (3, 3), 2))\n",
                 id="keras3-conv-and-rnn-keywords"),
    pytest.param("from keras import backend as K\nd = keras.ops.sum(x) + K.epsilon()\n"
                 "f = K.image_data_format()\n", id="keras3-backend-and-ops"),
    pytest.param("from keras.losses import mean_squared_error as mse\n"
                 "from keras.constraints import MaxNorm, max_norm\n", id="keras3-loss-names"),
    pytest.param("model.add(keras.Input(batch_shape=(1, 4, 1)))\n"
                 "model.add(LSTM(20, stateful=True))\n"
                 "m = Sequential([keras.Input(batch_shape=(2, 3)), Dense(1)])\n",
                 id="keras3-batch-shape"),
    pytest.param("a = Adadelta(learning_rate=0.001)\nb = Adamax(0.1)\nc = Adam()\nd = SGD()\n"
                 "e = torch.optim.Adagrad(params)\n", id="keras3-optimizer-rates"),
    pytest.param("class L(keras.layers.Layer):\n    def call(self, x):\n"
                 "        self.add_loss(keras.ops.sum(x))\n        self.inner.add_loss(1.0)\n"
                 "        return x\n", id="keras3-layer-add-loss"),
    pytest.param("layer.reset_state()\nmetric.reset_state()\nstore.reset_states(True)\n"
                 "w = keras.ops.where(c, a, b)\n", id="keras3-reset-state-and-where"),
]


def test_predict_generator_of_bare_batches_runs_on_plain_keras3_once_migrated():
    """Keras 2 took a generator yielding ``x`` alone; Keras 3's predict wants ``(x,)``."""
    source = _d("""
        import numpy as np
        import keras
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        def batches(x):
            while True:
                for i in range(0, len(x), 2):
                    yield x[i:i + 2]
        gen = batches(np.ones((6, 3), "float32"))
        out = model.predict_generator(gen, 3)
        """)
    new, _ = migrate_source(source)
    namespace: dict = {}
    exec(compile(new, "migrated.py", "exec"), namespace)  # Keras 3 alone: no kfitcompat
    assert namespace["out"].shape == (6, 2)
    unwrapped = new.replace("(b if isinstance(b, tuple) else (b,) for b in gen)", "gen")
    with pytest.raises(ValueError, match="must return a tuple"):
        exec(compile(unwrapped, "unwrapped.py", "exec"), {})


@pytest.mark.parametrize("before, after", CASES)
def test_rewrite(before, after):
    new, findings = migrate_source(before)
    assert new == after
    assert findings
    again, _ = migrate_source(new)
    assert again == new, "a second run must change nothing"


@pytest.mark.parametrize("before, after", SEQUENCE_CASES)
def test_loading_options_move_onto_a_sequence_of_the_same_file(before, after):
    test_rewrite(before, after)


@pytest.mark.parametrize("source", MUST_NOT_CHANGE)
def test_must_not_change(source):
    new, findings = migrate_source(source)
    assert new == source
    assert findings == []


def test_an_ignore_comment_counts_only_as_a_comment_not_inside_a_string():
    source = textwrap.dedent("""\
        note = "model.fit_generator(g, 3)  # kfitcompat: ignore"
        model.fit_generator(g, 3, log="  # kfitcompat: ignore")
        model.fit_generator(g, 3)  # kfitcompat: ignore
        model.fit_generator(g, 4,
                            nb_epoch=2)  # kfitcompat: ignore[nb_epoch]
        """)
    out, findings = migrate_source(source)
    assert out.splitlines() == [
        'note = "model.fit_generator(g, 3)  # kfitcompat: ignore"',
        'model.fit(g, steps_per_epoch=3, log="  # kfitcompat: ignore")',
        "model.fit_generator(g, 3)  # kfitcompat: ignore",
        "model.fit(g, steps_per_epoch=4,",
        "                    nb_epoch=2)  # kfitcompat: ignore[nb_epoch]",
    ]
    assert [(f.line, f.rule) for f in findings] == [(2, "fit_generator"), (4, "fit_generator")]


@pytest.mark.parametrize(("before", "after"), [
    ("model.add(LSTM(32, input_dim=5, input_length=10))\n",
     "model.add(LSTM(32, input_shape=(10, 5)))\n"),
    ("model.add(Embedding(1000, 64, input_length=20))\n",
     "model.add(Embedding(1000, 64, input_shape=(20,)))\n"),
    ("LSTM(8, forget_bias_init='one')\n", "LSTM(8, unit_forget_bias=True)\n"),
    ("SeparableConv2D(8, (3, 3), init='he_normal')\n", "SeparableConv2D(8, (3, 3), "
     "depthwise_initializer='he_normal', pointwise_initializer='he_normal')\n"),
    ("model.add(Conv2D(64, 3, 3, activation='elu'))\n",
     "model.add(Conv2D(64, (3, 3), activation='elu'))\n"),
    ("x = Conv3D(8, 3, 3, 3)(x)\n", "x = Conv3D(8, (3, 3, 3))(x)\n"),
    ("model.add(MaxPooling2D())\n", "model.add(MaxPooling2D(pool_size=(2, 2)))\n"),
    ("p = AveragePooling1D(padding='same')\n", "p = AveragePooling1D(padding='same', "
     "pool_size=2)\n"),
], ids=["input-dim-length", "embedding-input-length", "forget-bias-init", "separable-init",
        "conv2d-kernel-positionals", "conv3d-kernel-positionals", "pool-default",
        "pool1d-default"])
def test_keras2_rules_of_their_own_are_written_out(before, after):
    """What install() reads with Keras 2's rule (input_dim/input_length, forget_bias_init,
    kernel positionals, pooling defaults), migrate writes out: parity, twice idempotent."""
    out, findings = migrate_source(before)
    assert out == after and findings and all(f.changed for f in findings)
    assert migrate_source(out)[0] == out


def test_a_keras1_keyword_known_only_at_run_time_is_reported():
    source = "LSTM(8, forget_bias_init=init_name)\n"
    out, findings = migrate_source(source)
    assert out.endswith(source) and "not rewritten" in out
    assert [(f.rule, f.changed) for f in findings] == [("keras1-layer", False)]
    source = "h = LSTM(20, input_shape=(4, 1), batch_size=1, stateful=True)(x)\n"
    out, findings = migrate_source(source)
    assert out.endswith(source) and "keras.Input(batch_shape=" in out
    assert [(f.rule, f.changed) for f in findings] == [("layer-batch-shape", False)]


def test_check_only_reports_with_line_and_column():
    source = "x = 1\nmodel.fit_generator(g, nb_epoch=2)\n"
    new, findings = migrate_source(source, rewrite=False)
    assert new == source
    assert [(f.line, f.col, f.rule, f.changed) for f in findings] == [
        (2, 1, "fit_generator", False), (2, 1, "nb_epoch", False)]


@pytest.mark.parametrize("target", [KERAS3, KFITCOMPAT])
def test_unguarded_use_multiprocessing_is_noted_and_a_guarded_one_is_not(target):
    call = "model.fit_generator(seq, workers=2, {}=True)\n"
    for keyword in ("use_multiprocessing", "pickle_safe"):
        _, findings = migrate_source(call.format(keyword), target, rewrite=False)
        noted = [f for f in findings if f.rule == "unguarded-processes"]
        assert len(noted) == 1 and not noted[0].changed and keyword in noted[0].message
    guarded = "if __name__ == '__main__':\n    " + call.format("use_multiprocessing")
    _, findings = migrate_source(guarded, target, rewrite=False)
    assert "unguarded-processes" not in [f.rule for f in findings]


def test_target_kfitcompat_is_the_minimal_edit():
    source = _d("""
        \"\"\"A legacy script.\"\"\"
        import numpy as np
        from keras.preprocessing.image import ImageDataGenerator
        from keras.optimizers import SGD

        model.compile(SGD(lr=0.1), "mse")
        model.fit_generator(ImageDataGenerator().flow(x, y), samples_per_epoch=64, nb_epoch=2)
        """)
    new, _ = migrate_source(source, KFITCOMPAT)
    assert new == _d("""
        \"\"\"A legacy script.\"\"\"
        import numpy as np
        import kfitcompat
        kfitcompat.install()
        from keras.preprocessing.image import ImageDataGenerator
        from keras.optimizers import SGD

        model.compile(SGD(learning_rate=0.1), "mse")
        model.fit_generator(ImageDataGenerator().flow(x, y), samples_per_epoch=64, nb_epoch=2)
        """)
    assert migrate_source(new, KFITCOMPAT)[0] == new
    assert migrate_source("x = 1\n", KFITCOMPAT)[0] == "x = 1\n"  # nothing legacy: no install


def test_keras3_is_the_default_target():
    assert KERAS3 == "keras3"
    assert migrate_source("m.fit_generator(g, 1)\n")[0] == "m.fit(g, steps_per_epoch=1)\n"


def _augment(source: str) -> tuple[str, list]:
    return migrate_source(_d(source), augment_layers=True)


def test_augment_layers_translates_generator_and_flow():
    new, findings = _augment("""
        from keras.preprocessing.image import ImageDataGenerator
        gen = ImageDataGenerator(rotation_range=30, vertical_flip=True, horizontal_flip=True,
                                 width_shift_range=0.2, cval=0.5, fill_mode="constant")
        model.fit_generator(gen.flow(x, y, batch_size=8, shuffle=False), steps_per_epoch=4)
        """)
    assert new == _d("""
        import keras
        import tensorflow as tf
        gen = keras.Sequential([
            keras.layers.RandomFlip("horizontal_and_vertical"),
            keras.layers.RandomRotation(30 / 360, fill_mode="constant", fill_value=0.5),
            keras.layers.RandomTranslation(0.0, 0.2, fill_mode="constant", fill_value=0.5),
        ])
        model.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(8).map(lambda images, labels: (gen(images, training=True), labels)).repeat(), steps_per_epoch=4)
        """)  # noqa: E501
    assert "augment-layers" in [f.rule for f in findings]
    assert migrate_source(new, augment_layers=True)[0] == new  # idempotent


@pytest.mark.parametrize("source, reason", [
    pytest.param("""
        gen = ImageDataGenerator(rotation_range=10, shear_range=0.2, channel_shift_range=5.)
        model.fit_generator(gen.flow(x, y), steps_per_epoch=4)
        """, r"`shear_range`: .*angle.*`channel_shift_range`: no Keras 3 layer", id="no-layer"),
    pytest.param("""
        gen = ImageDataGenerator(rotation_range=10)
        it = gen.flow_from_directory("data/train")
        model.fit_generator(it, steps_per_epoch=4)
        """, r"`gen.flow_from_directory` has no tf.data counterpart", id="directory"),
    pytest.param("""
        gen = ImageDataGenerator(width_shift_range=4)
        model.fit_generator(gen.flow(x, y), steps_per_epoch=2)
        """, r"`width_shift_range`: only a float fraction", id="pixel-shift"),
    pytest.param("""
        gen = ImageDataGenerator(featurewise_center=True)
        gen.fit(x)
        model.fit_generator(gen.flow(x, y), steps_per_epoch=2)
        """, r"Normalization layer", id="featurewise"),
])
def test_augment_layers_keeps_kfitcompat_image_and_says_why(source, reason):
    source = "from keras.preprocessing.image import ImageDataGenerator\n" + _d(source)
    new, findings = migrate_source(source, augment_layers=True)
    assert "from kfitcompat.image import ImageDataGenerator" in new
    assert "keras.Sequential" not in new
    kept = [f for f in findings if f.rule == "augment-layers-kept"]
    assert len(kept) == 1 and re.search(reason, kept[0].message), kept


def test_augment_layers_defaults_fit_without_statistics_and_one_pass_per_epoch():
    """Arguments at their Keras 2 default translate to nothing; ``gen.fit(x)`` with no
    statistic enabled did nothing in Keras 2 and is removed; without ``steps_per_epoch`` the
    dataset is one pass per epoch (Keras 2's ``len(flow)`` steps), not repeated forever;
    Keras 2's default ``fill_mode='nearest'`` is kept (the layers default to 'reflect')."""
    source = "from keras.preprocessing.image import ImageDataGenerator\n" + _d("""
        gen = ImageDataGenerator(featurewise_center=False, zca_whitening=False,
                                 zca_epsilon=1e-06, shear_range=0., rotation_range=0,
                                 preprocessing_function=None, width_shift_range=0.1,
                                 validation_split=0.0, horizontal_flip=True)
        gen.fit(x)
        model.fit_generator(gen.flow(x, y, batch_size=16), epochs=3)
        """)
    new, findings = migrate_source(source, augment_layers=True)
    assert "augment-layers" in [f.rule for f in findings], findings
    assert "ImageDataGenerator" not in new and "gen.fit" not in new
    assert ".repeat()" not in new and ".batch(16)" in new
    assert "RandomTranslation(0.0, 0.1, fill_mode='nearest')" in new
    assert "RandomRotation" not in new and "Rescaling" not in new
    with_steps = source.replace("epochs=3", "steps_per_epoch=5")
    assert ".repeat()" in migrate_source(with_steps, augment_layers=True)[0]
    assert migrate_source(new, augment_layers=True)[0] == new  # idempotent


def test_every_reported_rule_is_registered_by_one_family():
    """The rule registry (one module per family, as pyupgrade's plugins): every rule id a
    migration of the legacy corpus reports is registered, by exactly one family."""
    from pathlib import Path

    from kfitcompat.migrate.base import REGISTRY

    families = set(REGISTRY.rules.values())
    assert families == {"api_table", "backend", "callbacks", "history", "image", "imports",
                        "layers", "methods", "optimizers", "saving"}
    outside = {"install", "augment-layers", "augment-layers-kept"}  # whole-module steps
    reported = set()
    for script in sorted((Path(__file__).parent / "migrate_scripts").glob("*.py")):
        for target in (KERAS3, KFITCOMPAT):
            _, findings = migrate_source(script.read_text(), target)
            reported |= {f.rule for f in findings}
    assert reported, "the corpus reports nothing"
    assert reported - outside <= set(REGISTRY.rules), reported - set(REGISTRY.rules)


def test_migrated_decay_is_keras2_schedule():
    """``decay=d`` becomes a schedule whose rate at step k is ``lr / (1 + d * k)``, the
    learning rate Keras 2's optimizers used (not ignored, as Keras 3 would)."""
    import keras

    new, _ = migrate_source("opt = keras.optimizers.SGD(lr=0.1, decay=0.01)\n")
    namespace: dict = {"keras": keras}
    exec(new, namespace)
    schedule = namespace["opt"]._learning_rate  # the schedule object (public: its value)
    for k in (0, 1, 10, 500):
        assert float(schedule(k)) == pytest.approx(0.1 / (1 + 0.01 * k), rel=1e-6)


def _with_helpers(head: str, names: list[str], rest: str) -> str:
    from kfitcompat.keras2.portable import helper_source

    helpers = "".join(f"\n\n{helper_source(name)}" for name in names)
    return f"{head}{helpers}\n\n{rest}"


HELPER_CASES = [
    pytest.param(
        _d("""
        from keras import backend as K
        import keras
        # the capsule layer
        class Capsule(keras.layers.Layer):
            def call(self, u):
                b = K.batch_dot(self.o, u, [2, 3])
                return K.switch(b > 0, b, -b)
        """),
        _with_helpers("from keras import backend as K\nimport keras\n",
                      ["keras2_batch_dot", "keras2_switch"], _d("""
        # the capsule layer
        class Capsule(keras.layers.Layer):
            def call(self, u):
                b = keras2_batch_dot(self.o, u, [2, 3])
                return keras2_switch(b > 0, b, -b)
        """)), id="backend-ops-helpers"),
    pytest.param(
        _d("""
        \"\"\"Stateful.\"\"\"
        from keras.models import Sequential
        from keras.layers import LSTM
        model = Sequential()
        model.add(LSTM(20, input_shape=(4, 1), batch_size=1, stateful=True))
        for epoch in range(3):
            model.reset_states()
        """),
        _with_helpers("\"\"\"Stateful.\"\"\"\nimport keras\nfrom keras.models import Sequential\n"
                      "from keras.layers import LSTM\n", ["keras2_reset_states"], _d("""
        model = Sequential()
        model.add(keras.Input(batch_shape=(1, 4, 1)))
        model.add(LSTM(20, stateful=True))
        for epoch in range(3):
            keras2_reset_states(model)
        """)), id="layer-batch-shape-and-reset-states"),
    pytest.param(
        "import keras\nvae = keras.Model(inputs, outputs)\nvae.add_loss(vae_loss)\n",
        _with_helpers("import keras\n", ["keras2_add_loss"],
                      "vae = keras.Model(inputs, outputs)\nkeras2_add_loss(vae, vae_loss)\n"),
        id="symbolic-add-loss"),
    pytest.param(
        "m = Sequential([LSTM(4, batch_input_shape=(2, 5, 3), stateful=True), Dense(1)])\n",
        "import keras\n"
        "m = Sequential([keras.Input(batch_shape=(2, 5, 3)), LSTM(4, stateful=True), Dense(1)])\n",
        id="sequential-list-batch-input-shape"),
]


@pytest.mark.parametrize("before, after", HELPER_CASES)
def test_rewrite_with_helpers_written_into_the_module(before, after):
    test_rewrite(before, after)


def test_migrated_helpers_run_keras2_semantics_on_plain_keras3():
    """What migrate writes for ``K.batch_dot`` (Keras 2.2.4's capsule shapes), ``K.switch``,
    ``K.repeat``, a Sequential's ``batch_size=`` and ``model.reset_states()`` runs on
    Keras 3 alone with Keras 2's results."""
    source = _d("""
        import numpy as np
        from keras import backend as K
        from keras.models import Sequential
        from keras.layers import LSTM, Dense
        rng = np.random.default_rng(4)
        c = rng.normal(size=(2, 10, 30)).astype("float32")
        u_hat = rng.normal(size=(2, 10, 30, 16)).astype("float32")
        capsules = K.batch_dot(c, u_hat, [2, 2])
        chosen = K.switch(np.array([True, False]), np.ones((2, 3)), np.zeros((2, 3)))
        repeated = K.repeat(np.ones((2, 3), "float32"), 4)
        model = Sequential()
        model.add(LSTM(4, input_shape=(5, 1), batch_size=2, stateful=True))
        model.add(Dense(1))
        x = rng.normal(size=(2, 5, 1)).astype("float32")
        first = model.predict(x, batch_size=2, verbose=0)
        carried = model.predict(x, batch_size=2, verbose=0)
        model.reset_states()
        reset = model.predict(x, batch_size=2, verbose=0)
        """)
    new, findings = migrate_source(source)
    assert "= K.batch_dot(" not in new and "batch_size=2, stateful" not in new
    assert {f.rule for f in findings} >= {"backend-ops", "layer-batch-shape", "reset-states"}
    ns: dict = {}
    exec(compile(new, "migrated.py", "exec"), ns)  # Keras 3 alone: no kfitcompat
    np.testing.assert_allclose(ns["capsules"], np.einsum("bnk,bnkd->bnd", ns["c"], ns["u_hat"]),
                               rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(ns["chosen"], [[1, 1, 1], [0, 0, 0]])
    assert tuple(ns["repeated"].shape) == (2, 4, 3)
    assert ns["model"].inputs[0].shape == (2, 5, 1)
    assert not np.allclose(ns["first"], ns["carried"])  # the state carried over
    np.testing.assert_allclose(ns["reset"], ns["first"], rtol=1e-6)  # back to zero state


def test_migrated_vae_add_loss_trains_on_plain_keras3():
    """The Keras 2 VAE's ``vae.add_loss(K.mean(...))`` then ``compile(optimizer)`` with no
    loss: migrated, it trains on Keras 3 alone, with that tensor as the loss."""
    source = _d("""
        import numpy as np
        from keras import backend as K
        from keras.layers import Dense, Input
        from keras.models import Model
        from keras.optimizers import SGD
        x = np.random.default_rng(5).normal(size=(64, 6)).astype("float32")
        inputs = Input((6,))
        outputs = Dense(6)(inputs)
        model = Model(inputs, outputs)
        model.add_loss(K.mean(K.sum(K.square(outputs - inputs), axis=-1)))
        model.compile(optimizer=SGD(lr=0.01))
        expected = float(np.mean(np.sum((model.predict(x, verbose=0) - x) ** 2, axis=-1)))
        evaluated = model.evaluate(x, batch_size=64, verbose=0)
        history = model.fit(x, epochs=5, batch_size=16, verbose=0)
        """)
    new, findings = migrate_source(source)
    assert "symbolic-add-loss" in {f.rule for f in findings}
    ns: dict = {}
    exec(compile(new, "migrated.py", "exec"), ns)  # Keras 3 alone: no kfitcompat
    assert ns["evaluated"] == pytest.approx(ns["expected"], rel=1e-4)
    losses = ns["history"].history["loss"]
    assert losses[-1] < losses[0]


@pytest.mark.parametrize(("before", "after"), [
    ("class Gen(keras.utils.Sequence):\n    def __getitem__(self, i):\n"
     "        return [self.x[i], self.y[i]]\n",
     "class Gen(keras.utils.Sequence):\n    def __getitem__(self, i):\n"
     "        return (self.x[i], self.y[i])\n"),
    ("print(history.history['val_acc'])\n",
     "print(keras2_history(history)['val_acc'])\n"),
], ids=["sequence-list-batch", "history-val-acc"])
def test_runtime_meaning_rules_rewrite(before, after):
    out, findings = migrate_source(before)
    assert out.endswith(after) and all(f.changed for f in findings)
    assert migrate_source(out)[0] == out


@pytest.mark.parametrize("source", [
    "class Gen:\n    def __getitem__(self, i):\n        return [1, 2]\n",
    "class Gen(keras.utils.Sequence):\n    def other(self):\n        return [1, 2]\n",
    "print(history.history['accuracy'], d['loss'])\n",
], ids=["not-a-sequence", "not-getitem", "keras3-history-keys"])
def test_runtime_meaning_rules_leave_other_code(source):
    assert migrate_source(source) == (source, [])


def test_a_history_key_or_checkpoint_path_known_only_at_run_time_is_reported():
    source = ("logs = history.history\nprint(logs['acc'])\n"
              "cb = ModelCheckpoint(os.path.join(d, 'w-{val_acc:.2f}.hdf5'))\n")
    out, findings = migrate_source(source)
    assert out.endswith(source)
    assert {(f.rule, f.changed) for f in findings} == {("history-keys", False),
                                                      ("checkpoint-path", False)}


def test_no_fast_visitor_defines_a_per_attribute_hook():
    """FastDispatch answers LibCST's per-attribute hooks with nothing: a visitor using it
    must not rely on one (``visit_Call_func``, ``leave_Arg_value``)."""
    import importlib
    import pkgutil

    import kfitcompat.migrate as package
    from kfitcompat.migrate.fastvisit import FastDispatch

    for info in pkgutil.walk_packages(package.__path__, "kfitcompat.migrate."):
        importlib.import_module(info.name)

    def subclasses(cls: type) -> list[type]:
        return [cls, *(s for sub in cls.__subclasses__() for s in subclasses(sub))]

    ours = {k for cls in subclasses(FastDispatch) for k in cls.__mro__
            if k.__module__.startswith("kfitcompat.")}
    hooks = {f"{k.__name__}.{name}" for k in ours for name in vars(k)
             if re.fullmatch(r"(visit|leave)_[A-Z]\w*?_[a-z]\w*", name)}
    assert len(subclasses(FastDispatch)) >= 3 and hooks == set()


def test_every_registered_rule_has_a_description():
    """`check --list-rules` prints one line per rule: none without its description."""
    from kfitcompat.migrate.base import REGISTRY
    from kfitcompat.migrate.descriptions import DESCRIPTIONS

    assert set(REGISTRY.rules) <= set(DESCRIPTIONS)
