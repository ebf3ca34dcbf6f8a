"""The legacy ``Iterator`` base and ``NumpyArrayIterator`` (``ImageDataGenerator.flow``).

Each iterator is a [`kfitcompat.Sequence`][kfitcompat.data.Sequence] (so ``workers`` /
``max_queue_size`` apply, and Keras 3 ``fit`` accepts it directly) and also a Keras 2 iterator
(``next()``, ``__next__``, ``reset()``, ``batch_index``, ``total_batches_seen``).

Randomness is owned by the iterator: the order of pass ``p`` comes from
``default_rng([seed, p])`` and the augmentations of batch ``i`` of pass ``p``
from ``default_rng([seed, p, i])``, so a seeded run gives the same batches
whatever the number of workers or their scheduling (Keras 2 reseeded NumPy's
global generator per batch, which threads raced on).
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Iterator as IteratorType
from typing import Any

import numpy as np

from ..data.counts import check_count
from ..data.sequence import FixedLength, Sequence
from .augment import Augmenter
from .io import WHITE_LIST_FORMATS, array_to_img

__all__ = ["Iterator", "NumpyArrayIterator"]


class Iterator(Sequence, FixedLength):
    """Base of the image iterators: ``n`` samples in batches of ``batch_size``."""

    white_list_formats = WHITE_LIST_FORMATS
    #: ``None``: augment with the fused TensorFlow fast path when this iterator feeds
    #: ``fit``/``fit_generator`` and its settings allow; ``False``: always the
    #: reference NumPy/SciPy path (Keras 2's numbers); ``True``: require the fast path.
    fast: bool | None = None

    def __init__(self, n: int, batch_size: int, shuffle: bool, seed: int | None) -> None:
        batch_size = check_count("batch_size", batch_size, 0 if n == 0 else 1)
        self.n = n
        self.batch_size = batch_size
        self.seed = seed
        self.shuffle = shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array: np.ndarray | None = None
        entropy: Any = np.random.SeedSequence().entropy
        self._base_seed = int(seed) if seed is not None else int(entropy) % (2**63)
        self._pass = 0
        self._flow_key = (0, 0)
        self.index_generator = self._flow_index()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("lock", None)
        state.pop("index_generator", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.lock = threading.Lock()
        self.index_generator = self._flow_index()

    def _set_index_array(self) -> None:
        if self.shuffle:
            self.index_array = np.random.default_rng([self._base_seed, self._pass]).permutation(
                self.n)
        else:
            self.index_array = np.arange(self.n)

    def __len__(self) -> int:
        if self.n == 0:
            return 0
        return (self.n + self.batch_size - 1) // self.batch_size

    def __getitem__(self, idx: int) -> Any:
        if idx >= len(self):
            raise ValueError(f"Asked to retrieve element {idx}, but the Sequence has length "
                             f"{len(self)}")
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array()
        assert self.index_array is not None
        index_array = self.index_array[self.batch_size * idx:self.batch_size * (idx + 1)]
        return self._batch(index_array, self._rng(idx))

    def _rng(self, idx: int) -> np.random.Generator:
        return np.random.default_rng([self._base_seed, self._pass, idx])

    def on_epoch_end(self) -> None:
        self._pass += 1
        self._set_index_array()

    def reset(self) -> None:
        self.batch_index = 0

    def _flow_index(self) -> IteratorType[np.ndarray]:
        """Keras 2's endless index stream (an empty array when ``n == 0``); the
        ``(pass, batch)`` key of the latest batch is kept in ``_flow_key``."""
        self.reset()
        while True:
            if self.batch_index == 0:
                self._set_index_array()
            assert self.index_array is not None
            current = (self.batch_index * self.batch_size) % self.n if self.n else 0
            self._flow_key = (self._pass, self.batch_index)
            if self.n > current + self.batch_size:
                self.batch_index += 1
            else:
                self.batch_index = 0
                self._pass += 1
            self.total_batches_seen += 1
            yield self.index_array[current:current + self.batch_size]

    def __iter__(self) -> Iterator:  # type: ignore[override]
        return self

    def __next__(self) -> Any:
        return self.next()

    def next(self) -> Any:
        """Keras 2: the next batch of the endless stream (thread-safe)."""
        with self.lock:
            index_array = next(self.index_generator)
            pass_, idx = self._flow_key
        rng = np.random.default_rng([self._base_seed, pass_, idx, 1])
        return self._batch(index_array, rng)

    def _batch(self, index_array: np.ndarray, rng: np.random.Generator) -> Any:
        raise NotImplementedError

    # -- the fast path (see kfitcompat.image.tf_warp) ----------------------------
    def _raw_images(self, index_array: np.ndarray) -> np.ndarray:
        """The batch's images before augmentation, in the iterator's data format."""
        raise NotImplementedError

    def _targets(self, index_array: np.ndarray) -> tuple[Any, ...]:
        """What follows ``x`` in a batch (labels, sample weights), as arrays."""
        raise NotImplementedError

    def _fast_images(self, index_array: np.ndarray) -> np.ndarray:
        """The batch's images for the fast path: uint8 where the iterator has them as 8-bit
        values (the warp reads a quarter of the bytes, and the values are the ones the
        reference path reads as floats), else float32."""
        return self._raw_images(index_array).astype("float32", copy=False)

    @property
    def augmenter(self) -> Augmenter | None:
        """The generator's augmentation (``None`` without a generator), made at first use."""
        gen = self.image_data_generator
        if gen is None:
            return None
        made = self.__dict__.get("_augmenter")
        if made is None or made.generator is not gen:
            made = self._augmenter = Augmenter(gen)
        return made

    def use_fast_path(self) -> bool:
        """Whether batches fed to training are augmented by the fused TensorFlow path."""
        augmenter = self.augmenter
        ok = (augmenter is not None and augmenter.fast_capable and not self.save_to_dir
              and self._fast_capable())
        if self.fast and not ok:
            raise ValueError(
                "`fast=True`, but this iterator's settings need the reference path: the fast "
                "path supports fill_mode constant/nearest/reflect, interpolation_order 0 or 1, "
                "no preprocessing_function, no save_to_dir and no overridden "
                "get_random_transform / apply_transform / standardize.")
        return ok and self.fast is not False

    def _fast_capable(self) -> bool:
        return True

    def _has_targets(self) -> bool:
        return True

    def raw_batch(self, idx: int) -> tuple[np.ndarray, ...]:
        """Stage 1 of the fast path (NumPy): images, then ``Augmenter.fast_inputs``, then
        the targets. Pure in ``idx``."""
        if self.index_array is None:
            self._set_index_array()
        assert self.index_array is not None
        index_array = self.index_array[self.batch_size * idx:self.batch_size * (idx + 1)]
        images = self._fast_images(index_array)
        augmenter = self.augmenter
        assert augmenter is not None
        return (images, *augmenter.fast_inputs(images, self._rng(idx))) + tuple(
            np.asarray(t) for t in self._targets(index_array))

    def finish_batch(self, images: Any, transforms: Any, shift: Any, bright: Any, mask: Any,
                     *targets: Any) -> Any:
        """Stage 2 of the fast path (TensorFlow, batched): ``Augmenter.apply_tf``; returns
        the batch in Keras 2's structure."""
        import tensorflow as tf

        augmenter = self.augmenter
        assert augmenter is not None
        x = augmenter.apply_tf(images, transforms, shift, bright, mask, self.batch_size)
        # the warp's output has no static image shape; a model built on its first batch
        # needs it (only the batch dimension may be unknown)
        x = tf.ensure_shape(tf.cast(x, self.dtype), images.shape)
        return self._structure(x, targets)

    def _structure(self, x: Any, targets: tuple[Any, ...]) -> Any:
        return (x,) + tuple(targets) if targets else x

    def as_dataset(self, workers: int = 1, max_queue_size: int = 10) -> Any:
        """An endless ``tf.data.Dataset`` of this iterator's batches, augmented by the fast
        path (or the reference path when the settings need it), every sample once per pass."""
        from ..data.loading import make_source

        source = make_source(self, "fit" if self._has_targets() else "predict",
                             workers=workers, max_queue_size=max_queue_size)
        return source.dataset()

    def _save_batch(self, batch_x: np.ndarray, index_array: np.ndarray, rng: Any,
                    hash_range: int) -> None:
        for i, j in enumerate(index_array):
            img = array_to_img(batch_x[i], self.data_format, scale=True)
            fname = (f"{self.save_prefix}_{j}_{rng.integers(hash_range)}."
                     f"{self.save_format}")
            img.save(os.path.join(self.save_to_dir, fname))

    def _augment_batch(self, batch_x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The reference path: ``Augmenter.apply_numpy`` (per image, Keras 2's order)."""
        augmenter = self.augmenter
        return batch_x if augmenter is None else augmenter.apply_numpy(batch_x, rng)


class NumpyArrayIterator(Iterator):
    """Keras 2 ``NumpyArrayIterator``: augmented batches of an in-memory array.

    ``x`` is a rank-4 array, or ``(images, misc)`` / ``(images, [misc, ...])`` whose
    extra arrays are returned beside the images unchanged.
    """

    def __init__(self, x: Any, y: Any, image_data_generator: Any, batch_size: int = 32,
                 shuffle: bool = False, sample_weight: Any = None, seed: int | None = None,
                 data_format: str = "channels_last", save_to_dir: str | None = None,
                 save_prefix: str = "", save_format: str = "png", subset: str | None = None,
                 ignore_class_split: bool = False, dtype: str = "float32") -> None:
        self.dtype = dtype
        if isinstance(x, tuple) or isinstance(x, list):
            if not isinstance(x[1], list):
                x_misc = [np.asarray(x[1])]
            else:
                x_misc = [np.asarray(xx) for xx in x[1]]
            x = x[0]
            for xx in x_misc:
                if len(x) != len(xx):
                    raise ValueError(
                        "All of the arrays in `x` should have the same length. Found a pair "
                        f"with: len(x[0]) = {len(x)}, len(x[?]) = {len(xx)}")
        else:
            x_misc = []
        if y is not None and len(x) != len(y):
            raise ValueError("`x` (images tensor) and `y` (labels) should have the same length. "
                             f"Found: x.shape = {np.asarray(x).shape}, "
                             f"y.shape = {np.asarray(y).shape}")
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError("`x` (images tensor) and `sample_weight` should have the same "
                             f"length. Found: x.shape = {np.asarray(x).shape}, "
                             f"sample_weight.shape = {np.asarray(sample_weight).shape}")
        if subset is not None:
            x, y, sample_weight, x_misc = self._split(
                x, y, sample_weight, x_misc, subset, image_data_generator, ignore_class_split)
        self.x = np.asarray(x, dtype=self.dtype)
        # Keras 2 keeps ``x`` as floats; an 8-bit original is also kept, for the fast path,
        # as long as ``self.x`` is the array made from it
        self._x_uint8 = (x if isinstance(x, np.ndarray) and x.dtype == np.uint8
                         and np.dtype(self.dtype).kind == "f" else None)
        self._x_of_uint8 = self.x
        self.x_misc = x_misc
        if self.x.ndim != 4:
            raise ValueError("Input data in `NumpyArrayIterator` should have rank 4. You passed "
                             f"an array with shape {self.x.shape}")
        channels_axis = 3 if data_format == "channels_last" else 1
        if self.x.shape[channels_axis] not in {1, 3, 4}:
            warnings.warn(
                f'NumpyArrayIterator is set to use the data format convention "{data_format}" '
                f"(channels on axis {channels_axis}), i.e. expected either 1, 3, or 4 channels "
                f"on axis {channels_axis}. However, it was passed an array with shape "
                f"{self.x.shape} ({self.x.shape[channels_axis]} channels).", stacklevel=3)
        self.y = np.asarray(y) if y is not None else None
        self.sample_weight = np.asarray(sample_weight) if sample_weight is not None else None
        self.image_data_generator = image_data_generator
        self.data_format = data_format
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        super().__init__(self.x.shape[0], batch_size, shuffle, seed)

    @staticmethod
    def _split(x: Any, y: Any, sample_weight: Any, x_misc: list[np.ndarray], subset: str,
               generator: Any, ignore_class_split: bool) -> tuple:
        split_idx = int(len(x) * generator._validation_split)
        if subset == "validation":
            part = slice(None, split_idx)
        elif subset == "training":
            part = slice(split_idx, None)
        else:
            raise ValueError(f"Invalid subset name: {subset}; expected \"training\" or "
                             "\"validation\".")
        if (y is not None and not ignore_class_split and not np.array_equal(
                np.unique(np.asarray(y)[:split_idx]), np.unique(np.asarray(y)[split_idx:]))):
            raise ValueError("Training and validation subsets have different number of classes "
                             "after the split. If your numpy arrays are sorted by the label, "
                             "you might want to shuffle them.")
        x_misc = [np.asarray(xx[part]) for xx in x_misc]
        y = np.asarray(y)[part] if y is not None else None
        sample_weight = np.asarray(sample_weight)[part] if sample_weight is not None else None
        return np.asarray(x)[part], y, sample_weight, x_misc

    def _raw_images(self, index_array: np.ndarray) -> np.ndarray:
        return self.x[index_array]

    def _fast_images(self, index_array: np.ndarray) -> np.ndarray:
        if self._x_uint8 is not None and self.x is self._x_of_uint8:
            return self._x_uint8[index_array]
        return super()._fast_images(index_array)

    def _targets(self, index_array: np.ndarray) -> tuple[Any, ...]:
        if self.y is None:
            return ()
        if self.sample_weight is None:
            return (self.y[index_array],)
        return (self.y[index_array], self.sample_weight[index_array])

    def _fast_capable(self) -> bool:
        return not self.x_misc

    def _has_targets(self) -> bool:
        return self.y is not None

    def _batch(self, index_array: np.ndarray, rng: np.random.Generator) -> Any:
        batch_x = self._augment_batch(self.x[index_array].astype(self.dtype), rng)
        if self.save_to_dir:
            self._save_batch(batch_x, index_array, rng, 10**4)
        batch_misc = [xx[index_array] for xx in self.x_misc]
        out_x = batch_x if not batch_misc else [batch_x] + batch_misc
        if self.y is None:
            return out_x
        if self.sample_weight is None:
            return out_x, self.y[index_array]
        return out_x, self.y[index_array], self.sample_weight[index_array]
