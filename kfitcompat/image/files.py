"""Iterators over image files: ``flow_from_directory`` and ``flow_from_dataframe``.

File discovery is Keras 2's: white-listed extensions (case-insensitive),
sub-folders walked recursively in sorted order, ``follow_links``, the
``validation_split``/``subset`` split taken per class folder (directories) or
over contiguous rows (data frames), and the same "Found N images ..." line.
"""

from __future__ import annotations

import heapq
import os
import warnings
from typing import Any

import numpy as np

from .io import load_img
from .iterators import Iterator

__all__ = ["DirectoryIterator", "DataFrameIterator", "list_valid_files", "BAD_FILES"]

BAD_FILES = ("raise", "skip")
#: Pillow modes whose pixels are 8-bit: the fast path reads them as uint8
_8BIT_MODES = ("L", "RGB", "RGBA")


def _check_bad_files(bad_files: str) -> None:
    if bad_files not in BAD_FILES:
        raise ValueError(f"Invalid value for argument `bad_files`. Expected one of {BAD_FILES}. "
                         f"Received: bad_files={bad_files!r}")


def _unreadable(path: str) -> str | None:
    """Why Pillow cannot decode the image at ``path`` (None when it can)."""
    from PIL import Image

    try:
        with Image.open(path) as img:
            img.load()
    except Exception as exc:  # truncated, empty, not an image, unreadable
        return f"{type(exc).__name__}: {exc}"
    return None


def readable_files(paths: list[str], caller: str) -> list[bool]:
    """Decode every file once (``bad_files="skip"``); warn once naming the files dropped."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(8, max(len(paths), 1))) as pool:
        reasons = list(pool.map(_unreadable, paths))
    bad = [(p, r) for p, r in zip(paths, reasons) if r is not None]
    if bad:
        shown = "; ".join(f"{p} ({r})" for p, r in bad[:5])
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        warnings.warn(f"{caller} skipped {len(bad)} unreadable image file(s) "
                      f"(bad_files='skip'): {shown}{more}.", UserWarning, stacklevel=4)
    return [r is None for r in reasons]


def _channels(color_mode: str) -> int:
    if color_mode not in {"rgb", "rgba", "grayscale"}:
        raise ValueError(f"Invalid color mode: {color_mode}; expected \"rgb\", \"rgba\", or "
                         "\"grayscale\".")
    return {"rgb": 3, "rgba": 4, "grayscale": 1}[color_mode]


def _split_of(generator: Any, subset: str | None) -> tuple[float, float] | None:
    if subset is None:
        return None
    v = generator._validation_split if generator is not None else 0.0
    if subset == "validation":
        return (0.0, v)
    if subset == "training":
        return (v, 1.0)
    raise ValueError(f"Invalid subset name: {subset};expected \"training\" or \"validation\"")


def list_valid_files(directory: str, white_list: tuple[str, ...], follow_links: bool
                     ) -> list[str]:
    """Relative paths of the image files below ``directory``, in Keras 2's order (folders
    sorted by path). With ``follow_links``, each real folder is walked once: under its own
    path when it is inside ``directory``, else under the first link to it (sorted), so a
    symlink loop adds nothing (Keras 2 listed a file again under ``loop/loop/...``)."""
    found = []
    for root, files in sorted(_walk_each_folder_once(directory, follow_links)):
        for fname in sorted(files):
            if fname.lower().endswith(".tiff"):
                warnings.warn('Using ".tiff" files with multiple bands will cause distortion. '
                              'Please verify your output.', stacklevel=4)
            if fname.lower().endswith(white_list):
                found.append(os.path.relpath(os.path.join(root, fname), directory))
    return found


def _walk_each_folder_once(top: str, follow_links: bool) -> list[tuple[str, list[str]]]:
    """``(folder, file names)`` of every folder below ``top``. First the folders reached
    without a symlink, then (``follow_links``) the linked ones in sorted order, each real
    folder (``st_dev``, ``st_ino``) once."""
    seen: set[tuple[int, int]] = set()
    out: list[tuple[str, list[str]]] = []
    links = [top]  # a heap: the walk of `top` ends before the first link is taken
    while links:
        start = heapq.heappop(links)
        for root, dirs, files in os.walk(start):  # does not descend into links itself
            try:
                st = os.stat(root)
            except OSError:
                dirs[:] = []
                continue
            if (st.st_dev, st.st_ino) in seen:
                dirs[:] = []  # walked already, under its real name
                continue
            seen.add((st.st_dev, st.st_ino))
            out.append((root, files))
            if follow_links:
                for name in dirs:
                    if os.path.islink(os.path.join(root, name)):
                        heapq.heappush(links, os.path.join(root, name))
    return out


class _FileIterator(Iterator):
    """Shared by the directory and data-frame iterators: load, augment, label."""

    allowed_class_modes: set[Any] = set()

    def _set_processing_attrs(self, image_data_generator: Any, target_size: tuple[int, int],
                              color_mode: str, data_format: str, save_to_dir: str | None,
                              save_prefix: str, save_format: str, subset: str | None,
                              interpolation: str, keep_aspect_ratio: bool) -> None:
        self.image_data_generator = image_data_generator
        self.target_size: tuple[int, int] = (int(target_size[0]), int(target_size[1]))
        channels = _channels(color_mode)
        self.color_mode = color_mode
        self.data_format = data_format
        self.image_shape = (self.target_size + (channels,) if data_format == "channels_last"
                            else (channels,) + self.target_size)
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        self.interpolation = interpolation
        self.keep_aspect_ratio = keep_aspect_ratio
        self.split = _split_of(image_data_generator, subset)
        self.subset = subset

    def _check_class_mode(self, class_mode: Any) -> None:
        if class_mode not in self.allowed_class_modes:
            raise ValueError(f"Invalid class_mode: {class_mode}; expected one of: "
                             f"{self.allowed_class_modes}")
        self.class_mode = class_mode

    @property
    def filepaths(self) -> list[str]:
        return self._filepaths

    def load(self, j: int, keep_8bit: bool = False) -> np.ndarray:
        """Image ``j`` as an array (not augmented), in the iterator's dtype; ``keep_8bit``:
        uint8 when the decoded image is 8-bit ('L', 'RGB', 'RGBA')."""
        from .io import img_to_array

        img = load_img(self._filepaths[j], color_mode=self.color_mode,
                       target_size=self.target_size, interpolation=self.interpolation,
                       keep_aspect_ratio=self.keep_aspect_ratio)
        dtype = ("uint8" if keep_8bit and getattr(img, "mode", None) in _8BIT_MODES
                 else self.dtype)
        x = img_to_array(img, data_format=self.data_format, dtype=dtype)
        if hasattr(img, "close"):
            img.close()
        return x

    def _raw_images(self, index_array: np.ndarray) -> np.ndarray:
        batch_x = np.zeros((len(index_array),) + self.image_shape, dtype="float32")
        for i, j in enumerate(index_array):
            batch_x[i] = self.load(j)
        return batch_x

    def _fast_images(self, index_array: np.ndarray) -> np.ndarray:
        arrays = [self.load(j, keep_8bit=np.dtype(self.dtype).kind == "f")
                  for j in index_array]
        dtype = "uint8" if all(a.dtype == np.uint8 for a in arrays) else "float32"
        batch_x = np.zeros((len(index_array),) + self.image_shape, dtype=dtype)
        for i, a in enumerate(arrays):
            batch_x[i] = a
        return batch_x

    def _targets(self, index_array: np.ndarray) -> tuple[Any, ...]:
        out = self._with_labels(np.zeros((len(index_array), 0)), index_array)
        if not isinstance(out, tuple):
            return ()
        return tuple(out[1:]) if self.class_mode != "input" else tuple(out[2:])

    def _fast_capable(self) -> bool:
        return self.class_mode != "multi_output"

    def _has_targets(self) -> bool:
        return self.class_mode is not None

    def _structure(self, x: Any, targets: tuple[Any, ...]) -> Any:
        if self.class_mode == "input":
            return (x, x) + tuple(targets)
        return (x,) + tuple(targets) if targets else x

    def _batch(self, index_array: np.ndarray, rng: np.random.Generator) -> Any:
        batch_x = self._augment_batch(self._raw_images(index_array).astype(self.dtype), rng)
        if self.save_to_dir:
            self._save_batch(batch_x, index_array, rng, 10**7)
        return self._with_labels(batch_x, index_array)

    def _with_labels(self, batch_x: np.ndarray, index_array: np.ndarray) -> Any:
        mode = self.class_mode
        if mode == "input":
            batch_y: Any = batch_x.copy()
        elif mode in {"binary", "sparse"}:
            batch_y = np.asarray([self.classes[j] for j in index_array], dtype=self.dtype)
        elif mode == "categorical":
            batch_y = np.zeros((len(batch_x), len(self.class_indices)), dtype=self.dtype)
            for i, j in enumerate(index_array):
                batch_y[i, self.classes[j]] = 1.0
        elif mode == "multi_output":
            batch_y = [output[index_array] for output in self.labels]
        elif mode == "raw":
            batch_y = self.labels[index_array]
        else:
            return batch_x
        if self.sample_weight is None:
            return batch_x, batch_y
        return batch_x, batch_y, self.sample_weight[index_array]


class DirectoryIterator(_FileIterator):
    """Keras 2 ``DirectoryIterator``: one sub-folder per class below ``directory``; an
    [`Iterator`][kfitcompat.image.iterators.Iterator]."""

    allowed_class_modes = {"categorical", "binary", "sparse", "input", None}

    def __init__(self, directory: str, image_data_generator: Any,
                 target_size: tuple[int, int] = (256, 256), color_mode: str = "rgb",
                 classes: list[str] | None = None, class_mode: str | None = "categorical",
                 batch_size: int = 32, shuffle: bool = True, seed: int | None = None,
                 data_format: str = "channels_last", save_to_dir: str | None = None,
                 save_prefix: str = "", save_format: str = "png", follow_links: bool = False,
                 subset: str | None = None, interpolation: str = "nearest",
                 keep_aspect_ratio: bool = False, dtype: str = "float32",
                 bad_files: str = "raise") -> None:
        self._set_processing_attrs(image_data_generator, target_size, color_mode, data_format,
                                   save_to_dir, save_prefix, save_format, subset, interpolation,
                                   keep_aspect_ratio)
        self._check_class_mode(class_mode)
        _check_bad_files(bad_files)
        self.directory = directory
        self.dtype = dtype
        if not os.path.isdir(directory):
            raise FileNotFoundError(f"flow_from_directory: the directory {directory!r} does "
                                    "not exist (or is not a folder).")
        if not classes:
            classes = sorted(d for d in os.listdir(directory)
                             if os.path.isdir(os.path.join(directory, d)))
        self.num_classes = len(classes)
        self.class_indices = dict(zip(classes, range(len(classes))))
        self.filenames: list[str] = []
        self.skipped_files: list[str] = []
        labels: list[int] = []
        listed = {name: list_valid_files(os.path.join(directory, name), self.white_list_formats,
                                         follow_links) for name in classes}
        if bad_files == "skip":
            every = [os.path.join(directory, name, f) for name in classes for f in listed[name]]
            ok = iter(readable_files(every, "flow_from_directory"))
            for name in classes:
                keep = [(f, next(ok)) for f in listed[name]]
                self.skipped_files += [os.path.join(name, f) for f, good in keep if not good]
                listed[name] = [f for f, good in keep if good]
        for name in classes:
            files = listed[name]
            if self.split:
                start, stop = int(self.split[0] * len(files)), int(self.split[1] * len(files))
                files = files[start:stop]
            self.filenames += [os.path.join(name, f) for f in files]
            labels += [self.class_indices[name]] * len(files)
        self.samples = len(self.filenames)
        self.classes = np.asarray(labels, dtype="int32")
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        if self.samples == 0:
            warnings.warn(f"flow_from_directory found no image in {directory!r}: expected one "
                          f"sub-folder per class holding files ending in "
                          f"{', '.join(self.white_list_formats)}.", stacklevel=3)
        self._filepaths = [os.path.join(directory, f) for f in self.filenames]
        super().__init__(self.samples, batch_size, shuffle, seed)

    @property
    def labels(self) -> np.ndarray:
        return self.classes

    @property  # type: ignore[override]
    def sample_weight(self) -> None:
        return None


class DataFrameIterator(_FileIterator):
    """Keras 2 ``DataFrameIterator``: file names (and labels) from a pandas DataFrame; an
    [`Iterator`][kfitcompat.image.iterators.Iterator]."""

    allowed_class_modes = {"binary", "categorical", "input", "multi_output", "raw", "sparse",
                           None}

    def __init__(self, dataframe: Any, directory: str | None = None,
                 image_data_generator: Any = None, x_col: str = "filename",
                 y_col: Any = "class", weight_col: str | None = None,
                 target_size: tuple[int, int] = (256, 256), color_mode: str = "rgb",
                 classes: list[str] | None = None, class_mode: str | None = "categorical",
                 batch_size: int = 32, shuffle: bool = True, seed: int | None = None,
                 data_format: str = "channels_last", save_to_dir: str | None = None,
                 save_prefix: str = "", save_format: str = "png", subset: str | None = None,
                 interpolation: str = "nearest", keep_aspect_ratio: bool = False,
                 dtype: str = "float32", validate_filenames: bool = True,
                 bad_files: str = "raise") -> None:
        self._set_processing_attrs(image_data_generator, target_size, color_mode, data_format,
                                   save_to_dir, save_prefix, save_format, subset, interpolation,
                                   keep_aspect_ratio)
        _check_bad_files(bad_files)
        df = dataframe.copy()
        self.directory = directory or ""
        self.dtype = dtype
        self._check_class_mode(class_mode)
        self._check_params(df, x_col, y_col, weight_col, classes)
        if validate_filenames:
            df = self._filter_valid_filepaths(df, x_col)
        self.skipped_files = []
        if bad_files == "skip":
            names = df[x_col].tolist()
            ok = readable_files([os.path.join(self.directory, f) for f in names],
                                "flow_from_dataframe")
            self.skipped_files = [f for f, good in zip(names, ok) if not good]
            df = df[np.asarray(ok, dtype=bool)]
        labelled = class_mode not in ["input", "multi_output", "raw", None]
        if labelled:
            keep_order = bool(classes) and image_data_generator.profile == "tf_keras"
            df, classes = self._filter_classes(df, y_col, classes, keep_order)
            self.class_indices = dict(zip(classes, range(len(classes))))
        if self.split:
            n = len(df)
            df = df.iloc[int(self.split[0] * n):int(self.split[1] * n), :]
        if labelled:
            self.classes = [self._class_ids(label) for label in df[y_col]]
        self.filenames = df[x_col].tolist()
        self._sample_weight = df[weight_col].values if weight_col else None
        if class_mode == "multi_output":
            self._label_values: Any = [np.array(df[col].tolist()) for col in y_col]
        if class_mode == "raw":
            self._label_values = df[y_col].values
        self.samples = len(self.filenames)
        validated = "validated" if validate_filenames else "non-validated"
        if labelled:
            print(f"Found {self.samples} {validated} image filenames belonging to "
                  f"{len(self.class_indices)} classes.")
        else:
            print(f"Found {self.samples} {validated} image filenames.")
        self._filepaths = [os.path.join(self.directory, f) for f in self.filenames]
        super().__init__(self.samples, batch_size, shuffle, seed)

    def _class_ids(self, label: Any) -> Any:
        if isinstance(label, (list, tuple)):
            return [self.class_indices[v] for v in label]
        return self.class_indices[label]

    def _check_params(self, df: Any, x_col: str, y_col: Any, weight_col: str | None,
                      classes: Any) -> None:
        mode = self.class_mode
        if mode == "multi_output" and not isinstance(y_col, list):
            raise TypeError(f'If class_mode="{mode}", y_col must be a list. Received '
                            f"{type(y_col).__name__}.")
        if not all(df[x_col].apply(lambda v: isinstance(v, str))):
            raise TypeError(f"All values in column x_col={x_col} must be strings.")
        if mode in {"binary", "sparse"} and not all(df[y_col].apply(
                lambda v: isinstance(v, str))):
            raise TypeError(f'If class_mode="{mode}", y_col="{y_col}" column values must be '
                            "strings.")
        if mode == "binary":
            if classes:
                if len(set(classes)) != 2:
                    raise ValueError('If class_mode="binary" there must be 2 classes. '
                                     f"{len(set(classes))} class/es were given.")
            elif df[y_col].nunique() != 2:
                raise ValueError('If class_mode="binary" there must be 2 classes. Found '
                                 f"{df[y_col].nunique()} classes.")
        if mode == "categorical" and not all(df[y_col].apply(
                lambda v: isinstance(v, (str, list, tuple)))):
            raise TypeError(f'If class_mode="{mode}", y_col="{y_col}" column values must be '
                            "type string, list or tuple.")
        if classes and mode in {"input", "multi_output", "raw", None}:
            warnings.warn(f'`classes` will be ignored given the class_mode="{mode}"',
                          stacklevel=4)
        if weight_col and not issubclass(df[weight_col].dtype.type, np.number):
            raise TypeError(f"Column weight_col={weight_col} must be numeric.")

    @staticmethod
    def _filter_classes(df: Any, y_col: str, classes: Any, keep_order: bool = False
                        ) -> tuple[Any, list[Any]]:
        """Rows whose labels are in ``classes`` (all labels when none are given), and the
        class list: sorted (keras-preprocessing 1.1.2), or for tf.keras 2.9+ (``keep_order``)
        the given classes in their order, duplicates dropped."""
        df = df.copy()

        def keep(labels: Any, allowed: set[Any]) -> Any:
            if isinstance(labels, (list, tuple)):
                return [c for c in labels if c in allowed] or None
            if isinstance(labels, str):
                return labels if labels in allowed else None
            raise TypeError(f"Expect string, list or tuple but found {type(labels)} in {y_col} "
                            "column ")

        if classes:
            allowed = set(classes)  # keras-preprocessing 1.1.2 sorts given classes too
            df[y_col] = df[y_col].apply(lambda v: keep(v, allowed))
        else:
            allowed = set()
            for v in df[y_col]:
                allowed.update(v) if isinstance(v, (list, tuple)) else allowed.add(v)
        ordered = list(dict.fromkeys(classes)) if keep_order else sorted(allowed)
        return df.dropna(subset=[y_col]), ordered

    def _filter_valid_filepaths(self, df: Any, x_col: str) -> Any:
        paths = df[x_col].map(lambda f: os.path.join(self.directory, f))
        mask = paths.apply(lambda p: os.path.isfile(p)
                           and p.lower().endswith(self.white_list_formats))
        n_invalid = int((~mask).sum())
        if n_invalid:
            warnings.warn(f'Found {n_invalid} invalid image filename(s) in x_col="{x_col}". '
                          "These filename(s) will be ignored.", stacklevel=4)
        return df[mask]

    @property
    def labels(self) -> Any:
        if self.class_mode in {"multi_output", "raw"}:
            return self._label_values
        return self.classes

    @property  # type: ignore[override]
    def sample_weight(self) -> Any:
        return self._sample_weight
