"""Keras 2 style: np_utils, a learning-rate callback through K.get_value/K.set_value."""
import numpy as np
from keras import backend as K
from keras.callbacks import Callback
from keras.layers import Dense
from keras.models import Sequential
from keras.optimizers import SGD
from keras.utils import np_utils


class HalveLearningRate(Callback):
    def on_epoch_end(self, epoch, logs=None):
        lr = K.get_value(self.model.optimizer.lr)
        K.set_value(self.model.optimizer.lr, lr * 0.5)


rng = np.random.RandomState(0)
x = rng.rand(128, 8).astype('float32')
y = np_utils.to_categorical(rng.randint(0, 3, 128), 3)

model = Sequential([Dense(3, activation='softmax', input_shape=(8,))])
model.compile(SGD(lr=0.1), 'categorical_crossentropy')
model.fit(x, y, batch_size=32, nb_epoch=2, callbacks=[HalveLearningRate()], verbose=0)
final = float(K.get_value(model.optimizer.lr))
assert abs(final - 0.025) < 1e-6, final
print('learning rate after 2 epochs:', final)
