"""Keras 2 style: a keras.utils.Sequence fed to fit_generator with workers (generated data)."""
import numpy as np
import keras
from keras.models import Sequential
from keras.layers import Dense


class ArraySequence(keras.utils.Sequence):
    """Keras 2 Sequences never called super().__init__()."""

    def __init__(self, x, y, batch_size):
        self.x, self.y, self.batch_size = x, y, batch_size

    def __len__(self):
        return len(self.x) // self.batch_size

    def __getitem__(self, idx):
        s = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
        return self.x[s], self.y[s]


if __name__ == '__main__':
    rng = np.random.RandomState(3)
    x = rng.rand(128, 8).astype('float32')
    y = (x.sum(axis=1) > 4).astype('float32')
    train = ArraySequence(x, y, 16)
    model = Sequential([Dense(8, activation='relu', input_shape=(8,)),
                        Dense(1, activation='sigmoid')])
    model.compile('adam', 'binary_crossentropy', metrics=['accuracy'])
    model.fit_generator(train, epochs=1, workers=2, max_queue_size=4)
    print(model.evaluate_generator(ArraySequence(x, y, 32), workers=2))
