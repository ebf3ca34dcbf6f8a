"""The package's shape: no import circle, small modules, one legacy table importable without
TensorFlow, one list of legacy image names."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "kfitcompat"


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: pathlib.Path) -> set[str]:
    """kfitcompat modules ``path`` imports, at module level or inside functions."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [module] + [f"{module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            continue
        found.update(t for t in targets if t.startswith("kfitcompat"))
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        graph[name] = {t for t in _imports(path) if t in modules and t != name}
    return graph


def test_no_import_circle_between_modules():
    graph = _graph()
    packages = {n for n in graph if (PACKAGE.parent / n.replace(".", "/") / "__init__.py").exists()}

    def edges(node: str) -> set[str]:
        # a package's __init__ re-exports its children: those edges are not a design circle
        return {t for t in graph[node] if not (node in packages and t.startswith(node + "."))
                and t not in packages}

    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in edges(node):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                pytest.fail("import circle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_no_module_over_500_lines():
    long = {str(p.relative_to(PACKAGE.parent)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 500}
    assert long == {}


def test_the_legacy_tables_import_without_tensorflow_or_keras():
    code = ("import sys\n"
            "from kfitcompat.legacy_table import LEGACY_ARGS\n"
            "from kfitcompat.surface import SURFACE\n"
            "from kfitcompat.migrate import rules\n"
            "from kfitcompat import LEGACY_ARGS as again\n"
            "assert again is LEGACY_ARGS\n"
            "heavy = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')]\n"
            "assert not heavy, heavy[:5]\n"
            "print('light')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "light" in out.stdout


def test_one_list_of_legacy_image_names():
    from kfitcompat.migrate.rules import IMAGE_NAMES_TO_KFITCOMPAT
    from kfitcompat.surface import ADD, LEGACY_IMAGE_NAMES, SURFACE

    added = {r.name for r in SURFACE if r.module == "keras.preprocessing.image" and r.kind == ADD}
    assert set(IMAGE_NAMES_TO_KFITCOMPAT) == added
    assert added <= set(LEGACY_IMAGE_NAMES)


def test_every_legacy_argument_names_its_owner_and_default_once():
    import importlib

    from kfitcompat.legacy_table import LEGACY_ARGS, LOADING_DEFAULTS

    for row in LEGACY_ARGS:
        importlib.import_module(row.owner)  # the owning module exists
        if row.action == "data":
            assert row.default == LOADING_DEFAULTS[row.name]
    # the loading defaults are written once: signatures spell them (legacy signatures are kept
    # exactly), no call site or dict restates them
    import re

    for name, value in LOADING_DEFAULTS.items():
        restated = re.compile(rf'(\b_?{name}\s*=\s*|"{name}":\s*){value}\s*[,)}}\n]')
        holders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                   if restated.search(p.read_text())]
        assert holders == ["legacy_table.py"], (name, holders)


def test_fit_generator_classifies_each_data_argument_once(monkeypatch):
    """Bind once, classify once: one fit_generator call with a training and a validation
    Sequence binds its arguments into one LegacyCall and asks the dispatch chain twice,
    whatever the layers below need to know."""
    import keras
    import numpy as np

    import kfitcompat
    from kfitcompat.data import dispatch
    from kfitcompat.training.call import LegacyCall

    calls: list[str] = []
    bound: list[str] = []
    original = dispatch.kind_of
    post_init = LegacyCall.__post_init__

    def counting(x):
        calls.append(type(x).__name__)
        return original(x)

    def binding(self):
        bound.append(self.method)
        post_init(self)

    monkeypatch.setattr(dispatch, "kind_of", counting)
    monkeypatch.setattr(LegacyCall, "__post_init__", binding)

    class Batches(kfitcompat.Sequence):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.zeros((2, 1), "float32"), np.zeros((2, 1), "float32")

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    kfitcompat.fit_generator(model, Batches(), epochs=1, verbose=0, validation_data=Batches(),
                             nb_worker=2)  # a Keras 1 spelling: renamed in the same binding
    assert calls == ["Batches", "Batches"] and bound == ["fit_generator"]
    calls.clear(), bound.clear()
    kfitcompat.fit(model, Batches(), nb_epoch=1, verbose=0, validation_data=Batches())
    assert calls == ["Batches", "Batches"] and bound == ["fit"]
    with kfitcompat.install():  # the installed methods too: one classification per argument
        for method in (model.fit_generator, model.fit):
            calls.clear(), bound.clear()
            method(Batches(), epochs=1, verbose=0, validation_data=Batches(), workers=2)
            # (Keras 3's own fit then evaluates the validation tf.data.Dataset kfitcompat built
            # through the installed evaluate, which asks about that dataset once)
            assert [c for c in calls if "Dataset" not in c] == ["Batches", "Batches"], method
            assert bound == [method.__name__], method
        for method in (model.evaluate, model.predict):
            calls.clear(), bound.clear()
            method(Batches(), verbose=0, workers=2)
            assert calls == ["Batches"] and bound == [method.__name__], method


def test_loading_options_are_one_frozen_validated_value():
    import dataclasses

    import numpy as np

    from kfitcompat.data.loading import LoadingOptions
    from kfitcompat.legacy_table import LOADING_DEFAULTS

    assert dataclasses.asdict(LoadingOptions()) == LOADING_DEFAULTS
    opts = LoadingOptions(np.int64(3), np.int32(5), np.bool_(True))
    assert (opts.workers, opts.max_queue_size, opts.use_multiprocessing) == (3, 5, True)
    assert type(opts.workers) is int and opts.in_processes
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.workers = 1  # type: ignore[misc]
    with pytest.raises(ValueError, match=r"`workers`.*Received: workers=-1"):
        LoadingOptions(workers=-1)
    with pytest.raises(ValueError, match="use_multiprocessing='yes'"):
        LoadingOptions(use_multiprocessing="yes")  # type: ignore[arg-type]


def test_image_iterators_and_worker_loaders_meet_the_data_protocols():
    import numpy as np

    import kfitcompat
    from kfitcompat.data.contracts import FastPathIterator, Loader
    from kfitcompat.data.processes import ProcessLoader

    it = kfitcompat.image.ImageDataGenerator(rotation_range=5).flow(
        np.zeros((4, 8, 8, 3), "float32"), np.zeros(4), batch_size=2)
    assert isinstance(it, FastPathIterator) and it.use_fast_path()
    assert not isinstance(object(), FastPathIterator)
    for name in ("concurrency", "start", "refresh", "close", "__call__"):
        assert hasattr(ProcessLoader, name) or name == "concurrency"
    assert not isinstance(it.raw_batch, Loader)


def test_migrate_names_positionals_in_the_order_the_runtime_takes_them():
    """``migrate`` turns ``fit_generator(gen, 100, 5)`` into keywords by
    :data:`kfitcompat.legacy_table.POSITIONAL`; the entry points take positionals in that
    order too (so a script means the same after install() and after migrate)."""
    import inspect

    from kfitcompat.legacy_table import POSITIONAL
    from kfitcompat.training import entry_points

    for method, names in POSITIONAL.items():
        params = list(inspect.signature(getattr(entry_points, method)).parameters)[1:]
        assert tuple(params[:len(names)]) == names, method


def test_private_keras_paths_are_named_in_one_module_only():
    """Every private Keras path (``keras.src``, ``keras._tf_keras``) kfitcompat reaches is
    named in ``_keras_private.py`` (its canary tests: tests/test_keras_private.py)."""
    package = pathlib.Path(__file__).resolve().parents[1] / "kfitcompat"
    found = []
    for path in sorted(package.rglob("*.py")):
        if path.name == "_keras_private.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "keras.src" in line or "keras._tf_keras" in line:
                found.append(f"{path.relative_to(package)}:{number}: {line.strip()}")
    assert not found, found


def test_the_legacy_entry_points_never_call_the_names_install_patches(monkeypatch):
    """kfitcompat's own code reaches Keras 3's fit / evaluate / predict through the originals
    captured before install() (``_upstream``), never through the patched ``keras.Model``
    names, which a later patch (another library's, a debugger's) could change."""
    import keras
    import numpy as np

    import kfitcompat

    class Batches(kfitcompat.Sequence):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.zeros((2, 1), "float32"), np.zeros((2, 1), "float32")

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    reached: list[str] = []
    with kfitcompat.install():
        for name in ("fit", "evaluate", "predict"):
            patched = getattr(keras.Model, name)

            def spy(self, *args, _name=name, _patched=patched, **kwargs):
                reached.append(_name)
                return _patched(self, *args, **kwargs)

            monkeypatch.setattr(keras.Model, name, spy)
        model.fit_generator(Batches(), epochs=1, verbose=0)
        model.evaluate_generator(Batches())
        model.predict_generator(Batches())
        monkeypatch.undo()
    assert reached == []


def test_no_data_kind_is_switched_on_above_the_data_package():
    """A data argument's kind is asked of ``LegacyData`` (``is_stream``, ``is_dataset``,
    ``length_varies``, ``shardable``, ``steps()``); only ``data/`` names the kinds."""
    import re

    kinds = re.compile(r"\b(kind_of|DATASET|SEQUENCE|ARRAYS)\b|import[^\n]*\bGENERATOR\b"
                       r"|\bdata\.kind\b|\.kind\s*==\s*\"(dataset|sequence|generator|arrays)\"")
    above = [p for p in PACKAGE.rglob("*.py")
             if p.relative_to(PACKAGE).parts[0] not in ("data", "migrate", "legacy")]
    offenders = [str(p.relative_to(PACKAGE)) for p in above if kinds.search(p.read_text())]
    assert offenders == []
