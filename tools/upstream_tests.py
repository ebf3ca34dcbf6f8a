"""Run legacy libraries' own test suites against kfitcompat, next to the libraries themselves.

What: four upstream suites, each run twice or more in the same Python (same TensorFlow,
Pillow, NumPy), once against the legacy implementation and once against kfitcompat:

1. ``keras-preprocessing`` 1.1.2 ``tests/image/``: unmodified against the installed
   ``keras_preprocessing``, then with its imports pointed at ``kfitcompat.image``.
2. Keras 2.3.1: the generator/Sequence tests of ``tests/keras/engine/test_training.py``,
   ``tests/test_multiprocessing.py``, the enqueuer/Sequence tests of
   ``tests/keras/utils/data_utils_test.py``, ``tests/integration_tests/preprocessing/image_test.py``
   and ``tests/integration_tests/test_image_data_tasks.py``: against Keras 3 after
   ``kfitcompat.install()``, and against ``tf_keras`` 2.21 (the legacy oracle).
3. Keras 2.3.1 ``tests/keras/legacy/interface_test.py`` (Keras 1 layer signatures through
   Keras 2's legacy interfaces): against Keras 3 after ``kfitcompat.install()`` and tf_keras;
4. Keras 2.3.1 ``tests/test_model_saving.py`` (``save_model`` / ``load_model`` /
   ``load_weights`` of ``.h5`` files): against Keras 3 after ``kfitcompat.install()`` and
   tf_keras;
5. tf-keras v2.21.0 ``tf_keras/preprocessing/image_test.py``: against the installed ``tf_keras``;
   with the image module taken from ``tensorflow.keras.preprocessing.image`` after
   ``kfitcompat.install()``; and with ``kfitcompat.image`` at ``profile="tf_keras"``.

Why: those suites are the legacy behaviour's own specification; a test that passes against the
legacy package and fails against kfitcompat is a compatibility gap.

How: nothing upstream is kept in this project. Each run extracts the test files at a pinned tag
(its commit sha is recorded below and checked) from a local bare git mirror (``tools/mirrors.py``)
into a temporary folder, rewrites only their import statements by the table ``IMPORT_RULES``
(every other line is checked to be byte-identical, line numbers are kept) and runs pytest on them
in a subprocess, one at a time, parsing its junit xml. ``flaky`` (not installed) is replaced by a
no-op decorator, i.e. no reruns. Developer tool, not CI; no network.

    python tools/upstream_tests.py --failures [--json results.json] [--suite keras-2.3.1]
        [--rev HEAD: a committed kfitcompat instead of the work tree] [--run-disabled] [-k EXPR]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mirrors import MirrorError, extract, find_mirror, rev_parse  # noqa: E402

# --------------------------------------------------------------------------------------------
# Data tables
# --------------------------------------------------------------------------------------------

# name -> (repository, tag, the commit the tag named when this table was written)
PINS: dict[str, tuple[str, str, str]] = {
    "keras-preprocessing": ("keras-team/keras-preprocessing", "1.1.2",
                            "4538765fd369def80f81ad977bcf8e40e58c2f82"),
    "keras": ("keras-team/keras", "2.3.1", "f295e8ee39d4ba841ac281a9337d69c7bc5e0eb6"),
    "keras1": ("keras-team/keras", "1.2.2", "4fa7e5d454dd4f3f33f1d756a2a8659f2e789141"),
    "tf-keras": ("keras-team/tf-keras", "v2.21.0", "631ed411d9e55e40b1ecaae7b046bba14752f46e"),
}

INSTALL = "import kfitcompat; kfitcompat.install(); "  # put before the first import of a file
SHIMS = "_kfc_shims"  # generated below into the run's temp folder (see SHIMS_SOURCE)
KERAS2_HELPERS = "_kfc_keras2_helpers"  # functions extracted from Keras 2.3.1 at run time
KERAS1_HELPERS = "_kfc_keras1_helpers"  # the same from Keras 1.2.2
TFK = "_tfk"  # suffix of a helpers module's variant for the tf_keras targets
_NP = f"from {SHIMS} import NOT_PROVIDED as"  # names only excluded / unselected tests use

# Import rewrites, one table per target: (regex, replacement), fullmatch'ed in order against
# each import statement as ``from M import a, b as c`` / ``import M``; the first match wins,
# no match keeps the statement.
_KP_SUBMODULES = ("affine_transformations|dataframe_iterator|directory_iterator|"
                  "image_data_generator|iterator|numpy_array_iterator|utils")
def _test_helpers(module: str) -> tuple[tuple[str, str], ...]:
    """Keras's own test helpers (``keras.utils.test_utils``) come from ``module``."""
    return ((r"from flaky import flaky", f"from {SHIMS} import flaky"),
            (r"from keras\.utils\.test_utils import (.+)", rf"from {module} import \1"),
            (r"from keras\.utils import test_utils", f"import {module} as test_utils"))


_KERAS2_COMMON: tuple[tuple[str, str], ...] = _test_helpers(KERAS2_HELPERS) + (
    (r"from keras\.utils\.generic_utils import (to_list|unpack_singleton)",
     rf"from {KERAS2_HELPERS} import \1"),
    (r"from keras\.backend import load_backend", f"{_NP} load_backend"),
)
# Keras 2 internals some API test files import for a few of their tests (not user API: the
# table refuses them): bound to NOT_PROVIDED so the file's other tests run
_INTERNALS: tuple[tuple[str, str], ...] = (
    (r"from keras\.engine import training_utils", f"{_NP} training_utils"),
    (r"from keras\.engine\.training_utils import (\w+)", rf"{_NP} \1"),
    (r"from keras\.legacy import layers as legacy_layers", f"{_NP} legacy_layers"),
    (r"from keras\.utils\.generic_utils import slice_arrays", f"{_NP} slice_arrays"),
)
_KERAS2_COMMON_TFK = tuple((p, r.replace(KERAS2_HELPERS, KERAS2_HELPERS + TFK))
                           for p, r in _KERAS2_COMMON)
_TO_TF_KERAS: tuple[tuple[str, str], ...] = (  # Keras 2 module paths tf_keras keeps privately
    (r"import keras", "import tf_keras as keras"),
    (r"import keras\.backend as K", "import tf_keras.backend as K"),
    (r"from keras\.engine import Input", "from tf_keras import Input"),
    (r"from keras\.engine\.training import Model", "from tf_keras import Model"),
    (r"from keras\.engine import training_utils",
     "from tf_keras.src.engine import training_utils"),
    (r"from keras\.utils\.generic_utils import (.+)",
     r"from tf_keras.src.utils.generic_utils import \1"),
    (r"from keras\.layers\.core import (.+)", r"from tf_keras.layers import \1"),
    (r"from keras\.layers\.embeddings import (.+)", r"from tf_keras.layers import \1"),
    (r"from keras\.layers import (convolutional|convolutional_recurrent|core|embeddings|local|"
     r"merge|noise|normalization|pooling|recurrent|wrappers)",
     r"from tf_keras import layers as \1"),
    (r"from keras\.utils\.np_utils import (.+)", r"from tf_keras.utils import \1"),
    (r"from keras\.utils import (np_utils|conv_utils|layer_utils|losses_utils)",
     r"from tf_keras.src.utils import \1"),
    (r"from keras\.utils\.data_utils import (.+)",
     r"from tf_keras.src.utils.data_utils import \1"),
    (r"from keras(\.[\w.]+)? import (.+)", r"from tf_keras\1 import \2"),
)
_TFK_INFRA: tuple[tuple[str, str], ...] = (  # tf-keras's pip build moves tf_keras/ to tf_keras/src/
    (r"from tf_keras import (.+)", r"from tf_keras.src import \1"),
    (r"from tf_keras\.([\w.]+) import (.+)", r"from tf_keras.src.\1 import \2"),
)
_TFK_K3_MODEL: tuple[tuple[str, str], ...] = (  # the model that consumes our iterators: Keras 3
    (r"from tf_keras import layers", "from keras import layers"),
    (r"from tf_keras\.engine import sequential", "from keras import models as sequential"),
)

# tests/test_model_saving.py: Keras 2 internals only its excluded or GPU-only tests use, and
# K.tensorflow_backend._get_available_gpus() evaluated at import (a CPU run: no GPU)
_SAVING_KFITCOMPAT: tuple[tuple[str, str], ...] = (
    (r"from keras import backend as K", f"from {SHIMS} import keras_backend as K"),
    (r"from keras\.engine\.saving import preprocess_weights_for_loading",
     f"{_NP} preprocess_weights_for_loading"),
    (r"from keras\.layers import (.+), CuDNNGRU, CuDNNLSTM",
     rf"from keras.layers import \1; {_NP} CuDNNGRU, NOT_PROVIDED as CuDNNLSTM"),
    (r"from keras\.utils\.test_utils import tf_file_io_proxy", f"{_NP} tf_file_io_proxy"),
)
_SAVING_TF_KERAS: tuple[tuple[str, str], ...] = (
    (r"from keras import backend as K", f"from {SHIMS} import tf_keras_backend as K"),
    (r"from keras\.engine\.saving import (.+)",
     r"from tf_keras.src.saving.legacy.hdf5_format import \1"),
    (r"from keras\.layers import (.+), CuDNNGRU, CuDNNLSTM",
     r"from tf_keras.layers import \1; from tf_keras.src.layers import CuDNNGRU, CuDNNLSTM"),
    (r"from keras\.utils\.test_utils import tf_file_io_proxy", f"{_NP} tf_file_io_proxy"),
)

IMPORT_RULES: dict[str, tuple[tuple[str, str], ...]] = {
    "unmodified": (),
    "kp->kfitcompat": (  # kfitcompat.image: one flat module (and the legacy affine_transformations)
        (r"from keras_preprocessing import image", "from kfitcompat import image"),
        (r"from keras_preprocessing\.image import affine_transformations",  # the legacy layout
         "from kfitcompat.image import affine_transformations"),
        (rf"from keras_preprocessing\.image import ({_KP_SUBMODULES})",
         r"from kfitcompat import image as \1"),
        (r"from keras_preprocessing\.image\.\w+ import (.+)", r"from kfitcompat.image import \1"),
    ),
    "keras2->kfitcompat": _KERAS2_COMMON + (  # every other keras.* import: Keras 3 + install()
        (r"from keras\.engine import Input", "from keras import Input"),
        (r"from keras\.engine\.training import Model", "from keras import Model"),
        (r"from keras\.engine import training_utils", f"{_NP} training_utils"),
        (r"from keras\.utils\.generic_utils import slice_arrays", f"{_NP} slice_arrays"),
        (r"from keras\.layers\.core import (.+)", r"from keras.layers import \1"),
        (r"from keras\.utils\.np_utils import (.+)", r"from kfitcompat.utils import \1"),
        (r"from keras\.utils\.data_utils import (\w*Enqueuer|Sequence)",
         r"from kfitcompat.utils import \1"),
        (r"from keras\.utils\.data_utils import (_hash_file|get_file|validate_file)",
         rf"{_NP} \1"),
    ),
    "keras2->tf_keras": _KERAS2_COMMON_TFK + _TO_TF_KERAS,
    # the Keras 2 API suites: only the test helpers are rewritten for kfitcompat (install()
    # answers every other Keras 2 path, or refuses it with its reason)
    "keras2-api->kfitcompat": _test_helpers(KERAS2_HELPERS) + _INTERNALS,
    "keras2-api->tf_keras": _test_helpers(KERAS2_HELPERS + TFK) + _TO_TF_KERAS,
    "keras1->kfitcompat": _test_helpers(KERAS1_HELPERS),
    "keras1->tf_keras": _test_helpers(KERAS1_HELPERS + TFK) + _TO_TF_KERAS,
    "tfk->tf_keras": _TFK_INFRA,
    "tfk->kfitcompat": (  # testing infra and image_utils stay tf_keras
        (r"from tf_keras\.preprocessing import image",
         "from tensorflow.keras.preprocessing import image"),
    ) + _TFK_K3_MODEL + _TFK_INFRA,
    "tfk->kfitcompat-profile": (
        (r"from tf_keras\.preprocessing import image",
         f"from {SHIMS} import kfitcompat_image_tf_keras as image"),
    ) + _TFK_K3_MODEL + _TFK_INFRA,
}
IMPORT_RULES["keras2-saving->kfitcompat"] = (_SAVING_KFITCOMPAT
                                             + IMPORT_RULES["keras2->kfitcompat"])
IMPORT_RULES["keras2-saving->tf_keras"] = _SAVING_TF_KERAS + IMPORT_RULES["keras2->tf_keras"]

_DATA_UTILS = "tests/keras/utils/data_utils_test.py"
_KERAS2_SAVING_MOCKS = ("mocks Keras 2's private keras.engine.saving (tf_file_io for a fake "
                        "GCS bucket, ask_to_proceed_with_overwrite): no target has that module")
_NO_GET_FILE = ("tests get_file (over a file:// URL) and Keras 2's multi-backend config "
                "(keras.backend.load_backend._config_path): not kfitcompat's scope")


@dataclass(frozen=True)
class Target:
    name: str  # as printed
    rules: str  # key of IMPORT_RULES
    install: bool = False  # put INSTALL before the first import of every file
    legacy: bool = False  # the legacy package the other targets are compared with
    fallback: bool = False  # only if tensorflow.keras.preprocessing.image is not kfitcompat's


@dataclass(frozen=True)
class Suite:
    name: str
    pin: str  # key of PINS
    paths: tuple[str, ...]  # extracted (files or folders)
    run: tuple[str, ...]  # given to pytest
    targets: tuple[Target, ...]
    select: dict[str, str] = field(default_factory=dict)  # file -> regex a test name must match
    exclude: dict[str, str] = field(default_factory=dict)  # node id -> why
    expected: int | None = None  # tests collected after selection


API_SUITES: dict[str, tuple[str, ...]] = {
    "layers": ("tests/keras/layers",),
    "engine": ("tests/keras/engine/test_training.py", "tests/keras/engine/test_topology.py",
               "tests/keras/test_sequential_model.py", "tests/keras/legacy/conftest.py",
               "tests/keras/legacy/layers_test.py", "tests/test_loss_masking.py",
               "tests/test_loss_weighting.py", "tests/test_dynamic_trainability.py"),
    "modules": (*(f"tests/keras/{name}_test.py" for name in (
        "losses", "metrics", "activations", "initializers", "regularizers", "constraints")),
        *(f"tests/keras/utils/{name}_test.py" for name in (
            "np_utils", "conv_utils", "layer_utils", "generic_utils")),
        "tests/keras/wrappers/scikit_learn_test.py"),
}

SUITES: tuple[Suite, ...] = (
    Suite("keras-preprocessing-1.1.2", "keras-preprocessing", ("tests/image",), ("tests/image",),
          (Target("keras_preprocessing 1.1.2", "unmodified", legacy=True),
           Target("kfitcompat.image", "kp->kfitcompat")), expected=48),
    Suite("keras-2.3.1", "keras",
          ("tests/conftest.py", "tests/keras/engine/test_training.py",
           "tests/test_multiprocessing.py", _DATA_UTILS,
           "tests/integration_tests/preprocessing/image_test.py",
           "tests/integration_tests/test_image_data_tasks.py"),
          ("tests/keras/engine/test_training.py", "tests/test_multiprocessing.py", _DATA_UTILS,
           "tests/integration_tests/preprocessing/image_test.py",
           "tests/integration_tests/test_image_data_tasks.py"),
          (Target("kfitcompat (Keras 3)", "keras2->kfitcompat", install=True),
           Target("tf_keras 2.21", "keras2->tf_keras", legacy=True)),
          select={"tests/keras/engine/test_training.py": r"generator|sequence"},
          exclude={f"{_DATA_UTILS}::test_data_utils": _NO_GET_FILE}, expected=47),
    Suite("keras-2.3.1-legacy-interfaces", "keras",
          ("tests/keras/legacy/conftest.py", "tests/keras/legacy/interface_test.py"),
          ("tests/keras/legacy/interface_test.py",),
          (Target("kfitcompat (Keras 3)", "keras2->kfitcompat", install=True),
           Target("tf_keras 2.21", "keras2->tf_keras", legacy=True)),
          expected=38),
    Suite("keras-2.3.1-optimizers", "keras", ("tests/keras/optimizers_test.py",),
          ("tests/keras/optimizers_test.py",),
          (Target("kfitcompat (Keras 3)", "keras2->kfitcompat", install=True),
           Target("tf_keras 2.21", "keras2->tf_keras", legacy=True)),
          expected=12),
    Suite("keras-2.3.1-callbacks", "keras", ("tests/keras/callbacks/callbacks_test.py",),
          ("tests/keras/callbacks/callbacks_test.py",),
          (Target("kfitcompat (Keras 3)", "keras2->kfitcompat", install=True),
           Target("tf_keras 2.21", "keras2->tf_keras", legacy=True)),
          expected=26),  # 19 functions, some parametrized
    Suite("keras-2.3.1-model-saving", "keras", ("tests/test_model_saving.py",),
          ("tests/test_model_saving.py",),
          (Target("kfitcompat (Keras 3)", "keras2-saving->kfitcompat", install=True),
           Target("tf_keras 2.21", "keras2-saving->tf_keras", legacy=True)),
          exclude={f"tests/test_model_saving.py::{name}": _KERAS2_SAVING_MOCKS for name in (
              "test_sequential_model_saving", "test_sequential_model_saving_2",
              "test_functional_model_saving",
              "test_save_load_weights_gcs", "test_saving_overwrite_option",
              "test_saving_overwrite_option_gcs")},
          expected=90),  # 30 functions; 69 GPU-only cases skip on a CPU
    Suite("tf-keras-2.21.0", "tf-keras", ("tf_keras/preprocessing/image_test.py",),
          ("tf_keras/preprocessing/image_test.py",),
          (Target("tf_keras 2.21", "tfk->tf_keras", legacy=True),
           Target("tf.keras...image +install()", "tfk->kfitcompat", install=True),
           Target("kfitcompat.image tf_keras", "tfk->kfitcompat-profile", install=True,
                  fallback=True)),
          expected=56),
    # The Keras 2 API as Keras 2's own tests use it (issue: "Keras 2 as an enumerated API"),
    # in three suites so that each pytest run fits its time budget
    *(Suite(f"keras-2.3.1-{part}", "keras", ("tests/conftest.py", *files), files,
            (Target("kfitcompat (Keras 3)", "keras2-api->kfitcompat", install=True),
             Target("tf_keras 2.21", "keras2-api->tf_keras", legacy=True)))
      for part, files in API_SUITES.items()),
    Suite("keras-1.2.2-layers", "keras1", ("tests/keras/layers",), ("tests/keras/layers",),
          (Target("kfitcompat (Keras 3)", "keras1->kfitcompat", install=True),
           Target("tf_keras 2.21", "keras1->tf_keras", legacy=True))),
)

# Functions extracted from pinned files at run time into the helper modules, per module:
# (pin, path, names). Keras 2's test helpers (``layer_test``: the runner's, not user API) and
# Keras 2 internals callbacks_test.py imports (neither target provides them).
HELPERS: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    KERAS2_HELPERS: (
        ("keras", "keras/utils/test_utils.py", ("get_test_data", "layer_test")),
        ("keras", "keras/utils/generic_utils.py", ("to_list", "unpack_singleton", "has_arg")),
    ),
    KERAS1_HELPERS: (
        ("keras1", "keras/utils/test_utils.py", ("get_test_data", "layer_test", "keras_test")),
    ),
}
# What a helpers module's functions find as Keras: Keras 3 after install(), or tf_keras.
_HELPER_HEADER = {
    "": "import kfitcompat\nkfitcompat.install()\nfrom keras import backend as K\n"
        "from keras import Model, Input\nfrom keras.models import Sequential, model_from_json\n",
    TFK: "from tf_keras import backend as K\nfrom tf_keras import Model, Input\n"
         "from tf_keras.models import Sequential, model_from_json\n",
}

SHIMS_SOURCE = '''\
"""Generated by kfitcompat's tools/upstream_tests.py for one run (not upstream code)."""

import functools
import types


def flaky(*args, **kwargs):
    """No-op stand-in for flaky's decorator (not installed): the test runs once."""
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return args[0]
    return lambda func: func


class _NotProvided:
    """Bound to names only excluded or unselected tests use."""

    def __getattr__(self, name):
        raise RuntimeError("not provided by tools/upstream_tests.py (unselected tests only)")

    def __call__(self, *args, **kwargs):
        self.__getattr__("__call__")


NOT_PROVIDED = _NotProvided()


def _tf_keras_profile_image():
    """kfitcompat.image where ImageDataGenerator and apply_affine_transform default to the
    tf.keras 2.9+ geometry (profile="tf_keras") and apply_affine_transform to tf.keras' axes
    (channels-first single images); every other name is kfitcompat.image's."""
    from kfitcompat import image

    module = types.ModuleType("kfitcompat_image_tf_keras", _tf_keras_profile_image.__doc__)
    module.__dict__.update({name: getattr(image, name) for name in image.__all__})

    class ImageDataGenerator(image.ImageDataGenerator):
        def __init__(self, *args, profile="tf_keras", **kwargs):
            super().__init__(*args, profile=profile, **kwargs)

    module.ImageDataGenerator = ImageDataGenerator
    module.apply_affine_transform = functools.partial(
        image.apply_affine_transform, row_axis=1, col_axis=2, channel_axis=0, geometry="tf_keras")
    return module


class _BackendWithoutGpu(types.ModuleType):
    """A backend module whose Keras 2 GPU probe says "no GPU" (this runner is CPU only):
    upstream's skipif(not K.tensorflow_backend._get_available_gpus()) skips as meant."""

    def __init__(self, module):
        super().__init__(module.__name__)
        self._module = module

    def __getattr__(self, name):
        if name == "tensorflow_backend":
            return types.SimpleNamespace(_get_available_gpus=lambda: [])
        return getattr(self._module, name)


def __getattr__(name):
    if name == "kfitcompat_image_tf_keras":
        value = globals()[name] = _tf_keras_profile_image()
        return value
    if name in ("keras_backend", "tf_keras_backend"):
        import importlib

        module = "keras.backend" if name == "keras_backend" else "tf_keras.backend"
        value = globals()[name] = _BackendWithoutGpu(importlib.import_module(module))
        return value
    raise AttributeError(name)
'''

# A pytest plugin (loaded with -p): Suite.select / Suite.exclude, --run-disabled, absl flags
# marked parsed (as tf.test.main() would), and isolation between tests (a leftover SIGALRM
# timer is disarmed after each test).
SELECT_PLUGIN = '''\
"""Generated by kfitcompat's tools/upstream_tests.py: test selection for one run."""

import json
import os
import re
import signal

import pytest

_SPEC = json.loads(os.environ["KFC_UPSTREAM_SELECT"])


@pytest.fixture(autouse=True)
def _kfc_isolate_alarm():
    """A test that fails before disarming its SIGALRM timer must not fail the next one."""
    handler = signal.getsignal(signal.SIGALRM)
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, handler)


def pytest_configure(config):
    """tf.test.TestCase needs absl's flags parsed (tf.test.main() does it; pytest does not)."""
    try:
        from absl import flags
    except ImportError:
        return
    if not flags.FLAGS.is_parsed():
        flags.FLAGS.mark_as_parsed()


def pytest_collection_modifyitems(config, items):
    keep, drop = [], []
    for item in items:
        path = item.nodeid.split("::")[0]
        pattern = _SPEC["select"].get(path)
        name = item.nodeid.split("::")[-1]
        inherited = item.location[0] != path  # e.g. tf.test.TestCase.test_session
        if (item.nodeid in _SPEC["exclude"] or pattern and not re.search(pattern, name, re.I)
                or inherited):
            drop.append(item)
        else:
            keep.append(item)
        if _SPEC["run_disabled"]:
            module = item.getparent(pytest.Module)
            module.own_markers[:] = [m for m in module.own_markers
                                     if not (m.name == "skipif" and m.args == (True,))]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
'''

CHILD_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "", "KERAS_BACKEND": "tensorflow",
             "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg"}
OUTCOMES = ("passed", "failed", "error", "skipped")


class ToolError(RuntimeError):
    """The tool itself cannot do its job (exit status 2)."""


# --------------------------------------------------------------------------------------------
# Sources: pinned extraction and import rewriting
# --------------------------------------------------------------------------------------------

def pinned_commit(pin: str, root: Path | None) -> tuple[Path, str]:
    """The mirror of ``pin`` and its verified commit."""
    repo, tag, sha = PINS[pin]
    git_dir = find_mirror(repo, root)
    found = rev_parse(git_dir, tag)
    if found != sha:
        raise ToolError(f"{repo}: tag {tag} names {found}, expected {sha} (tag moved?)")
    return git_dir, sha


def import_text(node: ast.Import | ast.ImportFrom) -> str:
    """``node`` as one normalised line (what IMPORT_RULES match)."""
    names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in node.names)
    if isinstance(node, ast.Import):
        return f"import {names}"
    return f"from {'.' * node.level}{node.module or ''} import {names}"


def apply_rules(statement: str, rules: tuple[tuple[str, str], ...]) -> str | None:
    for pattern, replacement in rules:
        match = re.fullmatch(pattern, statement)
        if match:
            return match.expand(replacement)
    return None


def _alone_on_lines(lines: list[str], node: ast.stmt) -> bool:
    before = lines[node.lineno - 1][:node.col_offset]
    after = lines[node.end_lineno - 1][node.end_col_offset:].strip()
    return not before.strip() and (not after or after.startswith("#"))


Change = tuple[int, int, str, str]  # first line, last line, old statement, new statement


def rewrite_source(source: str, rules: tuple[tuple[str, str], ...], install: bool
                   ) -> tuple[str, list[Change]]:
    """Rewrite the import statements of ``source``; line numbers are kept."""
    lines = source.splitlines(keepends=True)
    tree = ast.parse(source)
    imports = sorted((n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))),
                     key=lambda n: n.lineno)
    first = next((n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))
                  and getattr(n, "module", None) != "__future__"), None)
    changes = []
    for node in imports:
        old, prelude = import_text(node), install and node is first
        new = apply_rules(old, rules)
        if new is None and not prelude:
            continue
        new = (INSTALL if prelude else "") + (new or old)
        if not _alone_on_lines(lines, node):
            raise ToolError(f"line {node.lineno}: cannot rewrite {old!r} (shares its line)")
        indent = lines[node.lineno - 1][:node.col_offset]
        lines[node.lineno - 1] = f"{indent}{new}\n"
        for i in range(node.lineno, node.end_lineno):
            lines[i] = "\n"  # keep line numbers
        changes.append((node.lineno, node.end_lineno, old, new))
    return "".join(lines), changes


def check_only_imports_changed(old: str, new: str, changes: list[Change]) -> None:
    """Every line outside the rewritten statements is byte-identical; the result parses."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    touched = {i for first, last, _, _ in changes for i in range(first, last + 1)}
    if len(old_lines) != len(new_lines):
        raise ToolError("the rewrite changed the number of lines")
    for i, (a, b) in enumerate(zip(old_lines, new_lines), start=1):
        if a != b and i not in touched:
            raise ToolError(f"the rewrite changed line {i}, which is not an import")
    ast.parse(new)


def extract_helpers(dest: Path, root: Path | None) -> None:
    """Write the HELPERS modules (and their tf_keras variants): the functions, extracted
    from their pinned files."""
    for module, sources in HELPERS.items():
        body = _helper_functions(sources, root)
        for suffix, imports in _HELPER_HEADER.items():
            header = ('"""Extracted at run time from pinned Keras files by '
                      'tools/upstream_tests.py."""\n\nimport inspect\nimport sys\n\n'
                      'import numpy as np\nimport six\nfrom numpy.testing import '
                      'assert_allclose\n' + imports +
                      "# Keras 1.2.2's layer_test calls inspect.getargspec (gone in Python "
                      "3.11)\nif not hasattr(inspect, 'getargspec'):\n"
                      "    inspect.getargspec = inspect.getfullargspec\n\n\n")
            (dest / f"{module}{suffix}.py").write_text(header + body + "\n")


def _helper_functions(sources: tuple[tuple[str, str, tuple[str, ...]], ...],
                      root: Path | None) -> str:
    parts = []
    for pin, path, names in sources:
        git_dir, sha = pinned_commit(pin, root)
        with tempfile.TemporaryDirectory() as tmp:
            (file,) = extract(git_dir, sha, [path], Path(tmp))
            source = file.read_text()
        tree = ast.parse(source)
        funcs = [ast.get_source_segment(source, n) for n in tree.body
                 if isinstance(n, ast.FunctionDef) and n.name in names]
        if len(funcs) != len(names):
            raise ToolError(f"{path}@{sha[:10]}: did not find all of {names}")
        parts.append(f"# {PINS[pin][0]} {path} @ {sha}\n\n" + "\n\n\n".join(funcs))
    return "\n\n\n".join(parts)


def prepare(suite: Suite, target: Target, dest: Path, root: Path | None
            ) -> list[tuple[str, Change]]:
    """Extract ``suite`` below ``dest`` and rewrite it for ``target``; returns the rewrites."""
    git_dir, sha = pinned_commit(suite.pin, root)
    files = extract(git_dir, sha, list(suite.paths), dest)
    rules, rewrites = IMPORT_RULES[target.rules], []
    for file in (f for f in files if f.suffix == ".py"):
        old = file.read_text()
        new, changes = rewrite_source(old, rules, target.install)
        check_only_imports_changed(old, new, changes)
        file.write_text(new)
        rewrites += [(str(file.relative_to(dest)), change) for change in changes]
    (dest / "pytest.ini").write_text("[pytest]\n# generated by tools/upstream_tests.py\n")
    return rewrites


# --------------------------------------------------------------------------------------------
# Running pytest and reading its results
# --------------------------------------------------------------------------------------------

@dataclass
class Run:
    suite: str
    target: str
    legacy: bool
    tests: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> outcome, message
    note: str = ""

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in OUTCOMES}
        for result in self.tests.values():
            out[result["outcome"]] += 1
        return out


def child_env(work: Path, spec: dict[str, Any]) -> dict[str, str]:
    """The pytest environment: quiet TensorFlow on CPU, the shims (and a --rev kfitcompat)."""
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    env.update(CHILD_ENV)
    paths = [work / "_kfc", *[p for p in [work / "_rev"] if p.is_dir()]]
    env["PYTHONPATH"] = os.pathsep.join([*map(str, paths), *filter(None, [env.get("PYTHONPATH")])])
    env["KFC_UPSTREAM_SELECT"] = json.dumps(spec)
    env["TEST_TMPDIR"] = str(work / "absl_tmp")  # tf.test.TestCase.get_temp_dir()
    return env


def run_pytest(cwd: Path, args: list[str], env: dict[str, str], log: Path, timeout: float
               ) -> bool:
    """Run pytest in its own process group; False if it timed out (the group is killed)."""
    cmd = [sys.executable, "-m", "pytest", *args]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            proc.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            return False


def _kill_group(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 30)):
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=wait)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def first_error_line(element: ET.Element) -> str:
    """The exception line; for wrappers ("collection failure", "X: in user code:") the last
    ``E`` line of the traceback, which names the real error."""
    message = (element.get("message") or "").strip()
    first = message.splitlines()[0].strip() if message else ""
    if first and first != "collection failure" and not first.endswith(":"):
        return first
    e_lines = [ln[1:].strip() for ln in (element.text or "").splitlines() if ln.startswith("E ")]
    e_lines = [ln for ln in e_lines if ln]
    return e_lines[-1] if e_lines else first or "(no message)"


def testcase_id(case: ET.Element, files: list[str]) -> str:
    """The pytest node id of a junit testcase (its classname is the dotted node id)."""
    classname, name = case.get("classname", ""), case.get("name", "")
    if not classname:  # a collection error: name is the module's dotted path
        return name.replace(".", "/") + ".py"
    for file in sorted(files, key=len, reverse=True):
        module = file[:-3].replace("/", ".")
        if classname == module or classname.startswith(module + "."):
            return "::".join(filter(None, [file, classname[len(module) + 1:], name]))
    return f"{classname}::{name}"


def parse_junit(path: Path, files: list[str]) -> dict[str, dict[str, str]]:
    tests: dict[str, dict[str, str]] = {}
    for case in ET.parse(path).iter("testcase"):
        outcome, message, details = "passed", "", ""
        for kind in ("skipped", "error", "failure"):  # the last found wins: failure > error
            child = case.find(kind)
            if child is not None:
                outcome = {"failure": "failed"}.get(kind, kind)
                message, details = first_error_line(child), child.text or ""
        tests[testcase_id(case, files)] = {"outcome": outcome, "message": message,
                                           "details": details}
    return tests


_VERBOSE = re.compile(r"^(\S+::\S+) (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b")


def parse_verbose_log(log: Path) -> dict[str, dict[str, str]]:
    """Fallback when pytest was killed: the per-test lines of ``-v``."""
    names = {"XFAIL": "skipped", "XPASS": "passed"}
    tests = {}
    for line in log.read_text(errors="replace").splitlines():
        match = _VERBOSE.match(line)
        if match:
            outcome = names.get(match[2], match[2].lower())
            tests[match[1]] = {"outcome": outcome, "message": "", "details": ""}
    return tests


def run_target(suite: Suite, target: Target, work: Path, args: argparse.Namespace) -> Run:
    dest = work / suite.name / re.sub(r"\W+", "_", target.rules)
    dest.mkdir(parents=True)
    rewrites = prepare(suite, target, dest, args.mirrors)
    if args.show_rewrites:
        for file, (line, _, old, new) in rewrites:
            print(f"  [{target.name}] {file}:{line}: {old}  ->  {new}")
    spec = {"select": suite.select, "exclude": suite.exclude, "run_disabled": args.run_disabled}
    xml, log = dest / "junit.xml", dest / "pytest.log"
    pytest_args = ["-p", "no:cacheprovider", "-p", "_kfc_select", "-c", str(dest / "pytest.ini"),
                   "--rootdir", str(dest), f"--basetemp={dest / 'basetemp'}", "-v",
                   "--tb=short", "-o", "junit_family=xunit1", f"--junitxml={xml}",
                   "--continue-on-collection-errors", *suite.run]
    if args.k:
        pytest_args += ["-k", args.k]
    finished = run_pytest(dest, pytest_args, child_env(work, spec), log, args.timeout)
    run = Run(suite.name, target.name, target.legacy)
    if finished and xml.is_file():
        files = [str(f.relative_to(dest)) for f in dest.rglob("*.py")]
        run.tests = parse_junit(xml, files)
    else:
        run.tests = parse_verbose_log(log)
        tail = " | ".join(log.read_text(errors="replace").splitlines()[-5:])
        run.note = (f"TIMEOUT after {args.timeout:g} s, partial results" if not finished
                    else f"pytest wrote no junit xml: {tail}")
    if suite.expected is not None and len(run.tests) != suite.expected and not run.note \
            and not args.k:
        run.note = f"collected {len(run.tests)}, expected {suite.expected}"
    return run


def probe_tf_keras_image(work: Path) -> str:
    """Which implementation ``tensorflow.keras.preprocessing.image`` gives after install()."""
    code = ("import kfitcompat; kfitcompat.install()\n"
            "from tensorflow.keras.preprocessing import image\n"
            "print(image.ImageDataGenerator.__module__)")
    env = child_env(work, {})
    try:
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, timeout=300, cwd=work)
    except subprocess.TimeoutExpired:
        return "(probe timed out)"
    lines = out.stdout.strip().splitlines()
    return lines[-1] if out.returncode == 0 and lines else f"(probe failed: {out.stderr[-300:]})"


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------

def print_table(runs: list[Run]) -> None:
    head = f"{'suite':<26} {'target':<30} {'passed':>6} {'failed':>6} {'errors':>6} " \
           f"{'skipped':>7} {'total':>5}"
    print(head + "\n" + "-" * len(head))
    for run in runs:
        c = run.counts()
        print(f"{run.suite:<26} {run.target:<30} {c['passed']:>6} {c['failed']:>6} "
              f"{c['error']:>6} {c['skipped']:>7} {len(run.tests):>5}"
              + (f"   ({run.note})" if run.note else ""))


def print_per_file(runs: list[Run]) -> None:
    """Passed / collected per test file, each target beside the others (suites of several
    files)."""
    by_suite: dict[str, list[Run]] = {}
    for run in runs:
        by_suite.setdefault(run.suite, []).append(run)
    for suite, group in by_suite.items():
        files = sorted({test_id.split("::")[0] for run in group for test_id in run.tests})
        if len(files) < 2:
            continue
        print(f"\n{suite}: passed / collected per file")
        print(f"  {'file':<48}" + "".join(f" {run.target[:24]:>24}" for run in group))
        for file in files:
            cells = []
            for run in group:
                tests = [r for t, r in run.tests.items() if t.split("::")[0] == file]
                passed = sum(r["outcome"] == "passed" for r in tests)
                cells.append(f"{passed}/{len(tests)}")
            print(f"  {file:<48}" + "".join(f" {c:>24}" for c in cells))


def print_exclusions(suites: list[Suite], args: argparse.Namespace) -> None:
    print("not run: test methods a TestCase inherits from a library (tf.test.TestCase's "
          "test_session)")
    for suite in suites:
        for node, why in suite.exclude.items():
            print(f"excluded {node}: {why}")
        for file, pattern in suite.select.items():
            print(f"selected in {file}: test names matching /{pattern}/i")
    if not args.run_disabled and any(s.pin == "keras" for s in suites):
        print("note: tests/test_multiprocessing.py is disabled upstream at 2.3.1 (module-level "
              "skipif(True)); --run-disabled runs it anyway")


def print_failures(runs: list[Run]) -> None:
    """Failing tests per run; for the kfitcompat targets, how the legacy package did on each."""
    legacy = {run.suite: run for run in runs if run.legacy}
    for run in runs:
        bad = {k: v for k, v in run.tests.items() if v["outcome"] in ("failed", "error")}
        print(f"\n== {run.suite} / {run.target}: {len(bad)} failing")
        reference = None if run.legacy else legacy.get(run.suite)
        for test_id, result in sorted(bad.items()):
            ref = "" if reference is None else \
                f"  [{reference.target}: {reference.tests.get(test_id, {}).get('outcome')}]"
            print(f"  {result['outcome'].upper():6} {test_id}{ref}\n      {result['message']}")


def write_json(path: Path, runs: list[Run]) -> None:
    pins = {name: {"repo": r, "tag": t, "commit": c} for name, (r, t, c) in PINS.items()}
    data = {"pins": pins, "runs": [{"suite": r.suite, "target": r.target, "note": r.note,
                                    "counts": r.counts(), "tests": r.tests} for r in runs]}
    path.write_text(json.dumps(data, indent=1))


# --------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", action="append", choices=[s.name for s in SUITES],
                        help="run only this suite (repeatable)")
    parser.add_argument("--failures", action="store_true",
                        help="list every failing test with the first line of its error")
    parser.add_argument("--json", type=Path, help="write the per-test results here")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per pytest run")
    parser.add_argument("--mirrors", type=Path, help="mirror root (default: "
                        "$KFITCOMPAT_MIRRORS)")
    parser.add_argument("--run-disabled", action="store_true",
                        help="also run tests upstream disabled with a module-level skipif(True)")
    parser.add_argument("--show-rewrites", action="store_true", help="print each import rewrite")
    parser.add_argument("--rev", metavar="REV", help="test kfitcompat as committed at REV "
                        "(e.g. HEAD) instead of the installed work tree")
    parser.add_argument("-k", metavar="EXPR", help="passed to pytest -k (rerun a few tests)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser.parse_args(argv)


def setup_work(work: Path, root: Path | None) -> None:
    shim_dir = work / "_kfc"
    shim_dir.mkdir()
    (work / "absl_tmp").mkdir()
    (shim_dir / f"{SHIMS}.py").write_text(SHIMS_SOURCE)
    (shim_dir / "_kfc_select.py").write_text(SELECT_PLUGIN)
    extract_helpers(shim_dir, root)


PROJECT = Path(__file__).resolve().parent.parent


def extract_rev(work: Path, rev: str) -> str:
    """kfitcompat/ as committed at ``rev`` into work/_rev (read-only use of the project's git)."""
    git_dir = PROJECT / ".git"
    sha = rev_parse(git_dir, rev)
    (work / "_rev").mkdir()
    extract(git_dir, sha, ["kfitcompat"], work / "_rev")
    return sha


def kfitcompat_state(work: Path, rev_sha: str | None) -> str:
    """Which kfitcompat the children import: a --rev commit, or the installed checkout."""
    code = "import kfitcompat; print(kfitcompat.__file__)"
    spec = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=child_env(work, {}), cwd=work, check=False).stdout.strip()
    if not spec:
        raise ToolError("kfitcompat is not importable by this Python")
    if rev_sha:
        if not spec.startswith(str(work / "_rev")):
            raise ToolError(f"--rev: the tests would import {spec}, not the extracted commit")
        return f"kfitcompat at commit {rev_sha} (extracted with git archive; not the work tree)"
    repo = Path(spec).parent.parent
    git = ["git", "-C", str(repo)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True, check=False).stdout.strip()
    dirty = subprocess.run([*git, "status", "--porcelain", "--", "kfitcompat"],
                           capture_output=True, text=True, check=False).stdout.splitlines()
    where = f" at {head}" + (f" + {len(dirty)} uncommitted changes in kfitcompat/" if dirty
                              else "") if head else ""
    return f"kfitcompat from {repo}{where}"


def run_all(args: argparse.Namespace, work: Path) -> list[Run]:
    setup_work(work, args.mirrors)
    rev_sha = extract_rev(work, args.rev) if args.rev else None
    print(kfitcompat_state(work, rev_sha), flush=True)
    for name, (repo, tag, sha) in PINS.items():
        print(f"pin {name}: {repo} {tag} = {sha}")
    suites = [s for s in SUITES if not args.suite or s.name in args.suite]
    runs = []
    for suite in suites:
        ours = True
        if any(t.fallback for t in suite.targets):
            provider = probe_tf_keras_image(work)
            ours = provider.startswith("kfitcompat")
            print(f"after install(), tensorflow.keras.preprocessing.image.ImageDataGenerator is "
                  f"from: {provider}", flush=True)
        for target in suite.targets:
            if target.fallback and ours:
                print(f"not running {suite.name} / {target.name}: install() already provides "
                      "kfitcompat's module there")
                continue
            print(f"running {suite.name} / {target.name} ...", flush=True)
            runs.append(run_target(suite, target, work, args))
    print()
    print_exclusions(suites, args)
    print()
    print_table(runs)
    print_per_file(runs)
    return runs


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="upstream-tests-"))
    try:
        runs = run_all(args, work)
    except (MirrorError, ToolError) as exc:
        print(f"upstream_tests: {exc}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if args.failures:
        print_failures(runs)
    if args.json:
        write_json(args.json, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
