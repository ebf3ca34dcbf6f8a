"""Keras 1 blog style ("building powerful image classification models using very little data")."""
import os
import tempfile

import numpy as np
from keras.layers import Activation, Conv2D, Dense, Flatten, MaxPooling2D
from keras.models import Sequential
from keras.optimizers import SGD
from keras.preprocessing.image import ImageDataGenerator
from PIL import Image

# the blog expects data/train/{cats,dogs} and data/validation/{cats,dogs}: draw small ones
root = tempfile.mkdtemp()
rng = np.random.RandomState(1)
for split, count in (('train', 24), ('validation', 8)):
    for label in ('cats', 'dogs'):
        folder = os.path.join(root, split, label)
        os.makedirs(folder)
        for i in range(count):
            pixels = (rng.rand(20, 20, 3) * 255).astype('uint8')
            Image.fromarray(pixels).save(os.path.join(folder, '%d.jpg' % i))

img_width, img_height = 16, 16
nb_train_samples = 48
nb_validation_samples = 16
nb_epoch = 1

model = Sequential()
model.add(Conv2D(4, (3, 3), input_shape=(img_width, img_height, 3)))
model.add(Activation('relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Flatten())
model.add(Dense(1))
model.add(Activation('sigmoid'))

model.compile(loss='binary_crossentropy',
              optimizer=SGD(lr=1e-4, momentum=0.9),
              metrics=['accuracy'])

train_datagen = ImageDataGenerator(rescale=1. / 255, shear_range=0.2, zoom_range=0.2,
                                   horizontal_flip=True)
test_datagen = ImageDataGenerator(rescale=1. / 255)

train_generator = train_datagen.flow_from_directory(
    os.path.join(root, 'train'),
    target_size=(img_width, img_height),
    batch_size=8,
    class_mode='binary')

validation_generator = test_datagen.flow_from_directory(
    os.path.join(root, 'validation'),
    target_size=(img_width, img_height),
    batch_size=8,
    class_mode='binary')

model.fit_generator(
    train_generator,
    samples_per_epoch=nb_train_samples,
    nb_epoch=nb_epoch,
    validation_data=validation_generator,
    nb_val_samples=nb_validation_samples)
print('done')
