"""MirroredStrategy over 2 logical CPUs vs one device, for each legacy data kind.

Run by tests/training/test_distributed.py in a fresh process (logical devices must be set
before TensorFlow starts). Prints one JSON object: per case, the largest weight
difference to single-device training and the batch indices served.
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import recording  # noqa: E402  (beside this script)

import kfitcompat  # noqa: E402
from kfitcompat.image import ImageDataGenerator  # noqa: E402

rng = np.random.default_rng(0)
X = rng.normal(size=(96, 6)).astype("float32")
Y = (X[:, :3].sum(axis=1) > 0).astype("float32")[:, None]
IMAGES = rng.uniform(0, 255, size=(48, 8, 8, 1)).astype("float32")
LABELS = (IMAGES.mean(axis=(1, 2, 3)) > 127).astype("float32")[:, None]


def Batches(batch):
    return recording.Batches(X, Y, batch)


def generator(batch):
    i = 0
    while True:
        s = slice((i % (len(X) // batch)) * batch, (i % (len(X) // batch) + 1) * batch)
        i += 1
        yield X[s], Y[s]


def model(strategy, image=False):
    with strategy.scope():
        keras.utils.set_random_seed(3)
        layers = ([keras.Input((8, 8, 1)), keras.layers.Flatten()] if image
                  else [keras.Input((6,))])
        m = keras.Sequential(layers + [keras.layers.Dense(4, activation="tanh"),
                                       keras.layers.Dense(1, activation="sigmoid")])
        m.compile(keras.optimizers.SGD(0.2), "binary_crossentropy", metrics=["accuracy"])
    return m


def diff(a, b):
    return float(max(np.abs(u - v).max() for u, v in zip(a.get_weights(), b.get_weights())))


mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
single = tf.distribute.get_strategy()
out = {"replicas": mirrored.num_replicas_in_sync}

runs = {}
for name, strategy in (("mirrored", mirrored), ("single", single)):
    seq, val = Batches(16), Batches(16)
    m = model(strategy)
    h = kfitcompat.fit_generator(m, seq, epochs=2, shuffle=False, workers=2,
                                 validation_data=val, verbose=0)
    runs[name] = (m, seq, h, val)
    out[f"sequence_served_{name}"] = seq.served
    out[f"sequence_val_served_{name}"] = val.served
    out[f"sequence_loss_{name}"] = h.history["loss"] + h.history["val_loss"]
out["sequence"] = diff(runs["mirrored"][0], runs["single"][0])
for kind in ("evaluate", "predict"):
    results = []
    for name in ("mirrored", "single"):
        m = runs[name][0]
        if kind == "evaluate":
            results.append(np.asarray(kfitcompat.evaluate_generator(m, Batches(16), workers=2)))
        else:
            results.append(kfitcompat.predict_generator(m, Batches(16)))
    out[kind] = float(np.abs(results[0] - results[1]).max())
    out[f"{kind}_shape"] = list(results[0].shape)

ms = []
for strategy in (mirrored, single):
    m = model(strategy)
    kfitcompat.fit_generator(m, generator(16), steps_per_epoch=6, epochs=2, verbose=0)
    ms.append(m)
out["generator"] = diff(*ms)

ms = []
for strategy in (mirrored, single):
    m = model(strategy)
    kfitcompat.fit(m, X, Y, batch_size=16, nb_epoch=2, shuffle=False, verbose=0)
    ms.append(m)
out["arrays"] = diff(*ms)

ms = []
for strategy in (mirrored, single):
    m = model(strategy, image=True)
    flow = ImageDataGenerator(rotation_range=20, horizontal_flip=True, rescale=1 / 255.0).flow(
        IMAGES, LABELS, batch_size=8, shuffle=True, seed=5)
    kfitcompat.fit_generator(m, flow, epochs=2, verbose=0)
    ms.append(m)
out["image"] = diff(*ms)

# per_replica: each replica gets a whole batch of 8; one step = two consecutive
# batches, i.e. single-device training on batches of 16.
with kfitcompat.set_distributed_batch("per_replica"):
    m, seq = model(mirrored), Batches(8)
    kfitcompat.fit_generator(m, seq, epochs=2, shuffle=False, verbose=0, workers=0)
m16 = model(single)
kfitcompat.fit_generator(m16, Batches(16), epochs=2, shuffle=False, verbose=0)
out["per_replica"] = diff(m, m16)
out["per_replica_served"] = seq.served
out["mode_after"] = kfitcompat.training.distribute.distributed_batch()
json.dump(out, sys.stdout)
