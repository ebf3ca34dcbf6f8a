"""One worker of a MultiWorkerMirroredStrategy run (TF_CONFIG set by the caller).

Trains a Sequence through fit_generator (sharded by index across the workers),
evaluates it, then fits a plain generator (not shardable: warned). Writes JSON to
argv[1]: the indices served, the weights, the evaluation, the warnings, and (for
comparison) the weights of single-device training on the global batches.
"""

import json
import os
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

strategy = tf.distribute.MultiWorkerMirroredStrategy()

import keras  # noqa: E402
import recording  # noqa: E402  (beside this script)

import kfitcompat  # noqa: E402

rng = np.random.default_rng(0)
X = rng.normal(size=(80, 4)).astype("float32")
Y = rng.normal(size=(80, 1)).astype("float32")


def Batches(batch):
    return recording.Batches(X, Y, batch)


def build():
    keras.utils.set_random_seed(3)
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="tanh"),
                          keras.layers.Dense(1)])
    m.compile(keras.optimizers.SGD(0.05), "mse")
    return m


with strategy.scope():
    model = build()
seq = Batches(8)
history = kfitcompat.fit_generator(model, seq, epochs=2, shuffle=False, workers=2,
                                   max_queue_size=2, verbose=0)
result = {"served": seq.served, "loss": history.history["loss"],
          "weights": [w.tolist() for w in model.get_weights()],
          "evaluate": kfitcompat.evaluate_generator(model, Batches(8)),
          "predict": kfitcompat.predict_generator(model, Batches(8)).tolist()}


def plain():
    while True:
        yield X[:8], Y[:8]


with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    kfitcompat.fit_generator(model, plain(), steps_per_epoch=2, epochs=1, verbose=0)
result["warnings"] = [str(w.message) for w in caught]

single = build()  # outside the strategy scope: one device, global batches of 16
kfitcompat.fit_generator(single, Batches(16), epochs=2, shuffle=False, verbose=0)
result["single_weights"] = [w.tolist() for w in single.get_weights()]
result["single_predict"] = single.predict(X, verbose=0).tolist()

# Keras 3's own fit on arrays fails under MultiWorkerMirroredStrategy
# (tensorflow/tensorflow#72388); after install() the same call trains.
kfitcompat.install()
with strategy.scope():
    arrays_model = build()
history = arrays_model.fit(X, Y, batch_size=16, epochs=2, shuffle=False, verbose=0)
result["arrays_weights"] = [w.tolist() for w in arrays_model.get_weights()]
with open(sys.argv[1], "w") as f:
    json.dump(result, f)
