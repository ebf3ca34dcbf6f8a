"""The migration tool on a Keras 2 script: report the legacy calls, then rewrite them to
native Keras 3 (the same as `kfitcompat check FILE` and `kfitcompat migrate FILE`).

    python examples/migrate_a_script.py
"""

import difflib

from kfitcompat.migrate import migrate_source

LEGACY = '''\
from keras.preprocessing.image import ImageDataGenerator
from keras.utils import np_utils

y = np_utils.to_categorical(labels, 10)
datagen = ImageDataGenerator(rotation_range=15, horizontal_flip=True)
model.fit_generator(datagen.flow(x, y, batch_size=32), steps_per_epoch=100, nb_epoch=10,
                    workers=4, use_multiprocessing=True)
score = model.evaluate_generator(datagen.flow(x_test, y_test), steps=20)
'''


def main():
    _, findings = migrate_source(LEGACY, rewrite=False)
    print("kfitcompat check:")
    for f in findings:
        print(f"  line {f.line}: [{f.rule}] {f.message}")
    migrated, _ = migrate_source(LEGACY)
    print("\nkfitcompat migrate (--target keras3):")
    print("".join(difflib.unified_diff(LEGACY.splitlines(True), migrated.splitlines(True),
                                       "before.py", "after.py")))


if __name__ == "__main__":
    main()
