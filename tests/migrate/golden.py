"""What the rule families' golden tests share: the dedent helper, the helpers migrate writes
into a module, and the two checks every case runs (a rewrite, twice idempotent; a source
that must not change)."""

from __future__ import annotations

import textwrap

from kfitcompat.migrate import migrate_source


def _d(s: str) -> str:
    return textwrap.dedent(s).lstrip("\n")


def _with_helpers(head: str, names: list[str], rest: str) -> str:
    from kfitcompat.keras2.portable import helper_source

    helpers = "".join(f"\n\n{helper_source(name)}" for name in names)
    return f"{head}{helpers}\n\n{rest}"


def check_rewrite(before: str, after: str) -> None:
    new, findings = migrate_source(before)
    assert new == after
    assert findings
    again, _ = migrate_source(new)
    assert again == new, "a second run must change nothing"


def check_unchanged(source: str) -> None:
    new, findings = migrate_source(source)
    assert new == source
    assert findings == []
