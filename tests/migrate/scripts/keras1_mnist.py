"""Keras 1 MNIST MLP style (mnist_mlp.py), on generated digits-shaped data."""
import numpy as np
from keras.layers import Activation, Dense, Dropout
from keras.models import Sequential
from keras.optimizers import RMSprop
from keras.utils.np_utils import to_categorical

batch_size = 32
nb_classes = 10
nb_epoch = 1

rng = np.random.RandomState(2)
X_train = rng.rand(256, 784).astype('float32')
X_test = rng.rand(64, 784).astype('float32')
Y_train = to_categorical(rng.randint(0, nb_classes, 256), nb_classes)
Y_test = to_categorical(rng.randint(0, nb_classes, 64), nb_classes)

model = Sequential()
model.add(Dense(64, input_shape=(784,)))
model.add(Activation('relu'))
model.add(Dropout(0.2))
model.add(Dense(nb_classes))
model.add(Activation('softmax'))

model.compile(loss='categorical_crossentropy', optimizer=RMSprop(lr=0.001),
              metrics=['accuracy'])

history = model.fit(X_train, Y_train,
                    batch_size=batch_size, nb_epoch=nb_epoch,
                    verbose=1, validation_data=(X_test, Y_test))
score = model.evaluate(X_test, Y_test, verbose=0)
classes = model.predict_classes(X_test)
print('Test score:', score[0], 'classes', classes[:5])
