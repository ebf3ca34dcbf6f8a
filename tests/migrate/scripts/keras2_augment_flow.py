"""Keras 2 style: ImageDataGenerator(...).flow(x, y) into fit_generator, with arguments
that all have a Keras 3 preprocessing layer (for --augment-layers)."""
import numpy as np
from keras.layers import Conv2D, Dense, Flatten
from keras.models import Sequential
from keras.preprocessing.image import ImageDataGenerator
from keras.utils import to_categorical

rng = np.random.RandomState(0)
x_train = rng.randint(0, 256, (64, 16, 16, 3)).astype('float32')
y_train = to_categorical(rng.randint(0, 2, 64), 2)

datagen = ImageDataGenerator(
    rotation_range=15,  # degrees
    width_shift_range=0.1,
    height_shift_range=0.1,
    zoom_range=0.2,
    horizontal_flip=True,
    fill_mode='nearest',
    rescale=1. / 255)

model = Sequential([
    Conv2D(4, 3, activation='relu', input_shape=(16, 16, 3)),
    Flatten(),
    Dense(2, activation='softmax'),
])
model.compile('adam', 'categorical_crossentropy', metrics=['accuracy'])
model.fit_generator(datagen.flow(x_train, y_train, batch_size=16),
                    steps_per_epoch=len(x_train) // 16, epochs=2, verbose=2)
print('done')
