"""The Keras 2 API table (kfitcompat/legacy/): generated from the Keras 2 sources and the
installed Keras 3, one verdict per row, and honoured by install() and migrate."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kfitcompat.legacy import api, table
from kfitcompat.legacy.verdicts import REFUSED, RULES, SAME, TRANSLATED
from kfitcompat.migrate.base import REGISTRY, WHOLE_MODULE_RULES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built():
    """The table measured in this process (Keras 3 before and after install())."""
    return table.build()


@pytest.mark.slow
def test_every_row_has_one_verdict_and_every_rule_is_used(built):
    missing = [e.row.id for e in built if not e.verdict]
    assert not missing, missing[:20]
    assert not table.build.unused_rules
    assert {e.verdict for e in built} == {SAME, TRANSLATED, REFUSED}
    assert len(built) == len(api.keras2_rows()) > 7000


@pytest.mark.slow
def test_the_committed_table_is_what_keras3_and_the_rules_give(built):
    """Fails when the installed Keras 3, install() or the verdict rules changed the table
    without `python -m kfitcompat.legacy.table --write`."""
    assert api.TABLE.read_text() == table.render_json(built)
    assert table.DOC.read_text() == table.render_markdown(built)


def _resolve(path: str):
    """The object at a dotted path, as ``install()`` resolves a row's owner."""
    from kfitcompat.surface_install import owner

    return owner(path)


@pytest.mark.slow
def test_translated_names_resolve_after_install_and_refused_names_say_why(built):
    """Independent of how the table measured: every translated Keras 2 name or module path
    resolves through Python's own import machinery after install(), and every refused one
    raises an error that carries the row's reason."""
    import kfitcompat

    names = [e for e in built if e.row.kind in ("name", "module")]
    translated = [e for e in names if e.verdict == TRANSLATED]
    refused = [e for e in names if e.verdict == REFUSED and not e.row.keras1_only]
    assert len(translated) > 200 and len(refused) > 50
    with kfitcompat.install():
        for entry in translated:
            assert _resolve(entry.row.path) is not None, entry.row.id
        for entry in refused:
            module, _, name = entry.row.path.rpartition(".")
            try:
                if entry.row.kind == "module":
                    importlib.import_module(entry.row.path)
                    found = None
                else:  # as `from module import name` does
                    found = getattr(importlib.import_module(module), name)
            except (AttributeError, ImportError) as error:
                assert "kfitcompat does not translate" in str(error), entry.row.id
            else:  # a stand-in that raises when called, as tf.keras kept model_from_yaml
                assert getattr(found, "__kfitcompat_refusal__", None), entry.row.id
    for entry in translated[:50]:  # and uninstall() takes them away again
        if entry.status == "missing":
            with pytest.raises((AttributeError, ImportError)):
                _resolve(entry.row.path)


@pytest.mark.slow
def test_every_translated_row_has_a_migrate_outcome(built):
    """Parity by construction: what install() translates, migrate rewrites or reports."""
    registered = set(REGISTRY.rules) | set(WHOLE_MODULE_RULES)
    for entry in built:
        if entry.verdict == TRANSLATED:
            assert entry.migrate in registered, (entry.row.id, entry.migrate)
    assert all(rule.migrate in registered for rule in RULES if rule.verdict == TRANSLATED)


def test_the_keras2_facts_are_what_the_tagged_sources_say():
    """Regenerates keras2_api.json from the Keras 1.2.2 / 2.2.4 / 2.3.1 tags (read with ast)
    where local mirrors of keras-team/keras and keras-preprocessing exist."""
    if not os.environ.get("KFITCOMPAT_MIRRORS"):
        pytest.skip("KFITCOMPAT_MIRRORS is unset (a folder of bare git mirrors, tools/mirrors.py)")
    mirrors = Path(os.environ["KFITCOMPAT_MIRRORS"])
    if not (mirrors / "keras-team+keras").exists():
        pytest.skip(f"no mirror of keras-team/keras in KFITCOMPAT_MIRRORS={mirrors}")
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_keras2_api.py"),
                           "--check", "--mirrors", str(mirrors)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_rows_name_every_kind_and_version():
    rows = api.keras2_rows()
    assert {r.kind for r in rows} == set(api.KINDS)
    assert {v for r in rows for v in r.versions} == set(api.VERSIONS)
    ids = [r.id for r in rows]
    assert len(ids) == len(set(ids))
    # the defects this table was made for are rows of it
    for row_id in ("attr keras.layers.Layer output_shape", "param keras.layers.AveragePooling2D "
                   "pool_size", "name keras.layers.Merge", "keras1 keras.layers.Conv2D "
                   "<conv2d_args_preprocessor>"):
        assert row_id in ids


def test_the_table_package_imports_without_tensorflow_or_keras():
    code = ("import sys\n"
            "from kfitcompat.legacy import api, verdicts, lookup, accepts\n"
            "api.keras2_rows(); lookup.verdict_of('name keras.layers.Merge')\n"
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, "
            "sorted(m for m in sys.modules if m.startswith(('keras', 'tensorflow')))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
