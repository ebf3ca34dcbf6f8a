"""``kfitcompat.migrate.descriptions``: one line per rule id."""

from __future__ import annotations

import pytest

pytest.importorskip("libcst")



def test_every_registered_rule_has_a_description():
    """`check --list-rules` prints one line per rule: none without its description."""
    from kfitcompat.migrate.base import REGISTRY
    from kfitcompat.migrate.descriptions import DESCRIPTIONS

    assert set(REGISTRY.rules) <= set(DESCRIPTIONS)
