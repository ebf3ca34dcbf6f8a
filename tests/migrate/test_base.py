"""``kfitcompat.migrate.base``: the registry of rule ids, one family each."""

from __future__ import annotations

import pytest

pytest.importorskip("libcst")

from kfitcompat.migrate import KERAS3, KFITCOMPAT, migrate_source  # noqa: E402


def test_every_reported_rule_is_registered_by_one_family():
    """The rule registry (one module per family, as pyupgrade's plugins): every rule id a
    migration of the legacy corpus reports is registered, by exactly one family."""
    from pathlib import Path

    from kfitcompat.migrate.base import REGISTRY

    families = set(REGISTRY.rules.values())
    assert families == {"api_table", "backend", "callbacks", "history", "image", "imports",
                        "layers", "methods", "optimizers", "recurrent", "saving"}
    outside = {"install", "augment-layers", "augment-layers-kept"}  # whole-module steps
    reported = set()
    for script in sorted((Path(__file__).parent / "scripts").glob("*.py")):
        for target in (KERAS3, KFITCOMPAT):
            _, findings = migrate_source(script.read_text(), target)
            reported |= {f.rule for f in findings}
    assert reported, "the corpus reports nothing"
    assert reported - outside <= set(REGISTRY.rules), reported - set(REGISTRY.rules)
