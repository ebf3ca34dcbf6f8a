"""A Keras 2 script that reads Keras 2's log names back (History 'acc' / 'val_acc'), with a
Keras 2 kernel positional, a pooling default and Keras 1 recurrent keywords."""
import numpy as np
from keras.layers import LSTM, Conv2D, Dense, Flatten, MaxPooling2D
from keras.models import Sequential

x = np.random.rand(32, 12, 12, 1).astype("float32")
y = (np.random.rand(32, 1) > 0.5).astype("float32")
model = Sequential()
model.add(Conv2D(4, 3, 3, activation='relu', input_shape=(12, 12, 1)))
model.add(MaxPooling2D())
model.add(Flatten())
model.add(Dense(1, activation='sigmoid'))
model.compile(loss='binary_crossentropy', optimizer='sgd', metrics=['accuracy'])
history = model.fit(x, y, epochs=2, batch_size=8, validation_split=0.25, verbose=0)
assert model.layers[0].get_config()["kernel_size"] == (3, 3)
print("acc", history.history['acc'][-1], "val_acc", history.history['val_acc'][-1])

rnn = Sequential()
rnn.add(LSTM(4, input_dim=3, input_length=5, forget_bias_init='one'))
rnn.add(Dense(1))
rnn.compile(loss='mse', optimizer='sgd')
rnn.fit(np.random.rand(8, 5, 3), np.random.rand(8, 1), epochs=1, verbose=0)
