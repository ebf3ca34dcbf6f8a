"""``ImageDataGenerator``: Keras 2's augmentation configuration, sampling and standardisation.

Legacy name: ``keras.preprocessing.image.ImageDataGenerator`` (Keras 3 has no
public equivalent; the closest modern spelling is a stack of preprocessing
layers, see ``docs/image.md``). Parameters mean what they meant in
keras-preprocessing 1.1.2; ``profile="tf_keras"`` reproduces tf.keras 2.9+
instead (geometry, brightness scaling, ZCA formula).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from .affine import check_fill_mode, check_geometry
from .augment import AugmentConfig, apply_one
from .params import check_shift_range, draw_params

__all__ = ["ImageDataGenerator"]


def _check_zoom(zoom_range: Any) -> list[float]:
    if isinstance(zoom_range, (float, int)) and not isinstance(zoom_range, bool):
        return [1 - zoom_range, 1 + zoom_range]
    if (isinstance(zoom_range, (list, tuple)) and len(zoom_range) == 2
            and all(isinstance(v, (float, int)) for v in zoom_range)):
        return [zoom_range[0], zoom_range[1]]
    raise ValueError(
        "`zoom_range` should be a float or a tuple or list of two floats. "
        f"Received: zoom_range={zoom_range!r}"
    )


class ImageDataGenerator:
    """Generate batches of image data with real-time data augmentation (Keras 2 API).

    Every constructor argument has its Keras 2 meaning (``rotation_range`` in
    degrees, ``shear_range`` in degrees, shift ranges as fractions, pixels or a
    list, ``zoom_range`` drawn per axis from ``[1-z, 1+z]``, ...). ``data_format``
    and ``dtype`` default to ``keras.config.image_data_format()`` and
    ``keras.config.floatx()`` as in Keras 2.2.4.

    Args:
        profile: ``"keras_preprocessing"`` (default; keras-preprocessing 1.1.2,
            Keras 2.2.4, the documented shift directions) or ``"tf_keras"``
            (tf.keras 2.9-2.15 and ``tf_keras``: swapped shift axes, half-pixel
            centre, unscaled brightness, the SVD form of ZCA).
    """

    def __init__(
        self,
        featurewise_center: bool = False,
        samplewise_center: bool = False,
        featurewise_std_normalization: bool = False,
        samplewise_std_normalization: bool = False,
        zca_whitening: bool = False,
        zca_epsilon: float = 1e-6,
        rotation_range: float = 0,
        width_shift_range: Any = 0.0,
        height_shift_range: Any = 0.0,
        brightness_range: Any = None,
        shear_range: float = 0.0,
        zoom_range: Any = 0.0,
        channel_shift_range: float = 0.0,
        fill_mode: str = "nearest",
        cval: float = 0.0,
        horizontal_flip: bool = False,
        vertical_flip: bool = False,
        rescale: float | None = None,
        preprocessing_function: Callable[[np.ndarray], np.ndarray] | None = None,
        data_format: str | None = None,
        validation_split: float = 0.0,
        interpolation_order: int = 1,
        dtype: str | None = None,
        profile: str = "keras_preprocessing",
    ) -> None:
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = zca_whitening
        self.zca_epsilon = zca_epsilon
        self.rotation_range = rotation_range
        self.width_shift_range = check_shift_range("width_shift_range", width_shift_range)
        self.height_shift_range = check_shift_range("height_shift_range", height_shift_range)
        self.shear_range = shear_range
        self.zoom_range = _check_zoom(zoom_range)
        self.channel_shift_range = channel_shift_range
        self.fill_mode = check_fill_mode(fill_mode)
        self.cval = cval
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.dtype = dtype or keras.config.floatx()
        self.interpolation_order = interpolation_order
        self.profile = check_geometry(profile, "profile")
        data_format = data_format or keras.config.image_data_format()
        if data_format not in {"channels_last", "channels_first"}:
            raise ValueError(
                '`data_format` should be `"channels_last"` (channel after row and column) or '
                f'`"channels_first"` (channel before row and column). Received: {data_format}'
            )
        self.data_format = data_format
        if data_format == "channels_first":
            self.channel_axis, self.row_axis, self.col_axis = 1, 2, 3
        else:
            self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        if validation_split and not 0 < validation_split < 1:
            raise ValueError(
                "`validation_split` must be strictly between 0 and 1. "
                f"Received: {validation_split}"
            )
        self._validation_split = validation_split
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None
        self.principal_components: np.ndarray | None = None
        self._resolve_normalisation_overrides()
        if brightness_range is not None and (
            not isinstance(brightness_range, (tuple, list)) or len(brightness_range) != 2
        ):
            raise ValueError(
                "`brightness_range should be tuple or list of two floats. "
                f"Received: {brightness_range!r}"
            )
        self.brightness_range = brightness_range

    def _resolve_normalisation_overrides(self) -> None:
        """Keras 2: ZCA forces featurewise centring and drops std normalisation, etc."""
        if self.zca_whitening:
            if not self.featurewise_center:
                self.featurewise_center = True
                warnings.warn("This ImageDataGenerator specifies `zca_whitening`, which "
                              "overrides setting of `featurewise_center`.", stacklevel=3)
            if self.featurewise_std_normalization:
                self.featurewise_std_normalization = False
                warnings.warn("This ImageDataGenerator specifies `zca_whitening` which "
                              "overrides setting of`featurewise_std_normalization`.",
                              stacklevel=3)
        if self.featurewise_std_normalization and not self.featurewise_center:
            self.featurewise_center = True
            warnings.warn("This ImageDataGenerator specifies `featurewise_std_normalization`, "
                          "which overrides setting of `featurewise_center`.", stacklevel=3)
        if self.samplewise_std_normalization and not self.samplewise_center:
            self.samplewise_center = True
            warnings.warn("This ImageDataGenerator specifies `samplewise_std_normalization`, "
                          "which overrides setting of `samplewise_center`.", stacklevel=3)

    # -- the three pure steps ---------------------------------------------
    def get_random_transform(self, img_shape: tuple[int, ...], seed: int | None = None,
                             ) -> dict[str, Any]:
        """Sample one image's transform parameters.

        Legacy edge: ``seed`` reseeds NumPy's *global* generator, as Keras 2 did, and
        the draw uses it. The iterators draw whole batches from their own generator
        instead (``kfitcompat.image.params.draw_batch_params``).
        """
        if seed is not None:
            np.random.seed(seed)
        return draw_params(self, tuple(img_shape), np.random)

    def apply_transform(self, x: np.ndarray, transform_parameters: dict[str, Any]
                        ) -> np.ndarray:
        """Apply parameters to one image (rank 3): affine, channel shift, flips, brightness."""
        return apply_one(AugmentConfig.of(self), x, transform_parameters)

    def random_transform(self, x: np.ndarray, seed: int | None = None) -> np.ndarray:
        """``apply_transform(x, get_random_transform(x.shape, seed))``."""
        return self.apply_transform(x, self.get_random_transform(x.shape, seed))

    def standardize(self, x: np.ndarray) -> np.ndarray:
        """Keras 2 order: preprocessing_function, rescale, samplewise, featurewise, ZCA.

        Works in place on float arrays, as Keras 2 did.
        """
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= np.std(x, keepdims=True) + 1e-6
        if self.featurewise_center:
            if self.mean is not None:
                x -= self.mean
            else:
                self._warn_not_fit("featurewise_center")
        if self.featurewise_std_normalization:
            if self.std is not None:
                x /= self.std + 1e-6
            else:
                self._warn_not_fit("featurewise_std_normalization")
        if self.zca_whitening:
            if self.principal_components is not None:
                flat = np.reshape(x, (-1, int(np.prod(x.shape[-3:]))))
                x = np.reshape(flat @ self.principal_components, x.shape)
            else:
                self._warn_not_fit("zca_whitening")
        return x

    @staticmethod
    def _warn_not_fit(name: str) -> None:
        warnings.warn(f"This ImageDataGenerator specifies `{name}`, but it hasn't been fit on "
                      "any training data. Fit it first by calling `.fit(numpy_data)`.",
                      stacklevel=3)

    def fit(self, x: Any, augment: bool = False, rounds: int = 1, seed: int | None = None
            ) -> None:
        """Compute featurewise mean/std and the ZCA matrix from sample images (rank 4).

        ``rescale`` is applied first; ``preprocessing_function`` is not (Keras 2).
        """
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(f"Input to `.fit()` should have rank 4. Got array with shape: "
                             f"{x.shape}")
        if x.shape[self.channel_axis] not in {1, 3, 4}:
            warnings.warn(
                f'Expected input to be images (as Numpy array) following the data format '
                f'convention "{self.data_format}" (channels on axis {self.channel_axis}), i.e. '
                f'expected either 1, 3 or 4 channels on axis {self.channel_axis}. However, it '
                f'was passed an array with shape {x.shape} ({x.shape[self.channel_axis]} '
                f'channels).', stacklevel=2)
        if seed is not None:
            np.random.seed(seed)
        x = np.copy(x)
        if self.rescale:
            x *= self.rescale
        if augment:
            ax = np.zeros((rounds * x.shape[0],) + x.shape[1:], dtype=self.dtype)
            for r in range(rounds):
                for i in range(x.shape[0]):
                    ax[i + r * x.shape[0]] = self.random_transform(x[i])
            x = ax
        broadcast = [1, 1, 1]
        broadcast[self.channel_axis - 1] = x.shape[self.channel_axis]
        axes = (0, self.row_axis, self.col_axis)
        if self.featurewise_center:
            self.mean = np.reshape(np.mean(x, axis=axes), broadcast)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.reshape(np.std(x, axis=axes), broadcast)
            x /= self.std + 1e-6
        if self.zca_whitening:
            self.principal_components = self._zca_matrix(np.reshape(x, (x.shape[0], -1)))

    def _zca_matrix(self, flat_x: np.ndarray) -> np.ndarray:
        n = flat_x.shape[0]
        if self.profile == "keras_preprocessing":
            from scipy import linalg

            u, s, _ = linalg.svd(flat_x.T @ flat_x / n)
            return (u * (1.0 / np.sqrt(s[np.newaxis] + self.zca_epsilon))) @ u.T
        u, s, _ = np.linalg.svd(flat_x.T, full_matrices=False)
        s_inv = np.sqrt(n) / (s + self.zca_epsilon)
        return (u * s_inv) @ u.T

    # -- iterators ---------------------------------------------------------
    def flow(self, x: Any, y: Any = None, batch_size: int = 32, shuffle: bool = True,
             sample_weight: Any = None, seed: int | None = None, save_to_dir: str | None = None,
             save_prefix: str = "", save_format: str = "png", subset: str | None = None,
             ignore_class_split: bool = False) -> Any:
        """Batches of augmented arrays: a
        [`NumpyArrayIterator`][kfitcompat.image.iterators.NumpyArrayIterator]."""
        from .iterators import NumpyArrayIterator

        return NumpyArrayIterator(
            x, y, self, batch_size=batch_size, shuffle=shuffle, sample_weight=sample_weight,
            seed=seed, data_format=self.data_format, save_to_dir=save_to_dir,
            save_prefix=save_prefix, save_format=save_format, subset=subset,
            ignore_class_split=ignore_class_split, dtype=self.dtype,
        )

    def flow_from_directory(self, directory: str, target_size: tuple[int, int] = (256, 256),
                            color_mode: str = "rgb", classes: list[str] | None = None,
                            class_mode: str | None = "categorical", batch_size: int = 32,
                            shuffle: bool = True, seed: int | None = None,
                            save_to_dir: str | None = None, save_prefix: str = "",
                            save_format: str = "png", follow_links: bool = False,
                            subset: str | None = None, interpolation: str = "nearest",
                            keep_aspect_ratio: bool = False, bad_files: str = "raise") -> Any:
        """Batches from a class-per-folder directory: a
        [`DirectoryIterator`][kfitcompat.image.files.DirectoryIterator].

        ``bad_files="skip"`` (not in Keras 2) decodes every file once here and leaves
        out those Pillow cannot read, with one warning naming them (listed in
        ``iterator.skipped_files``); the default raises when such a file is loaded.
        """
        from .files import DirectoryIterator

        return DirectoryIterator(
            directory, self, target_size=target_size, color_mode=color_mode, classes=classes,
            class_mode=class_mode, batch_size=batch_size, shuffle=shuffle, seed=seed,
            data_format=self.data_format, save_to_dir=save_to_dir, save_prefix=save_prefix,
            save_format=save_format, follow_links=follow_links, subset=subset,
            interpolation=interpolation, keep_aspect_ratio=keep_aspect_ratio, dtype=self.dtype,
            bad_files=bad_files,
        )

    def flow_from_dataframe(self, dataframe: Any, directory: str | None = None,
                            x_col: str = "filename", y_col: Any = "class",
                            weight_col: str | None = None,
                            target_size: tuple[int, int] = (256, 256), color_mode: str = "rgb",
                            classes: list[str] | None = None,
                            class_mode: str | None = "categorical", batch_size: int = 32,
                            shuffle: bool = True, seed: int | None = None,
                            save_to_dir: str | None = None, save_prefix: str = "",
                            save_format: str = "png", subset: str | None = None,
                            interpolation: str = "nearest", validate_filenames: bool = True,
                            bad_files: str = "raise", **kwargs: Any) -> Any:
        """Batches from a pandas DataFrame of file names: a
        [`DataFrameIterator`][kfitcompat.image.files.DataFrameIterator].

        ``bad_files="skip"``: as for
        [`flow_from_directory`][kfitcompat.image.generator.ImageDataGenerator.flow_from_directory].
        """
        from .files import DataFrameIterator

        for old in ("has_ext", "sort", "drop_duplicates"):
            if old in kwargs:
                warnings.warn(f"{old} is deprecated and will be ignored.", DeprecationWarning,
                              stacklevel=2)
                kwargs.pop(old)
        if kwargs:
            raise TypeError(f"flow_from_dataframe() got unexpected keyword arguments "
                            f"{sorted(kwargs)}")
        if class_mode == "other":
            warnings.warn('`class_mode` "other" is deprecated, please use `class_mode` "raw".',
                          DeprecationWarning, stacklevel=2)
            class_mode = "raw"
        return DataFrameIterator(
            dataframe, directory, self, x_col=x_col, y_col=y_col, weight_col=weight_col,
            target_size=target_size, color_mode=color_mode, classes=classes,
            class_mode=class_mode, batch_size=batch_size, shuffle=shuffle, seed=seed,
            data_format=self.data_format, save_to_dir=save_to_dir, save_prefix=save_prefix,
            save_format=save_format, subset=subset, interpolation=interpolation,
            validate_filenames=validate_filenames, dtype=self.dtype, bad_files=bad_files,
        )

