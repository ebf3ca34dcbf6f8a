"""Write docs/legacy_arguments.md from kfitcompat.LEGACY_ARGS (the table is the source)."""

from __future__ import annotations

import pathlib

HEADER = """# Legacy arguments

Generated from `kfitcompat.LEGACY_ARGS` by `docs/gen_legacy_arguments.py`; a test keeps
this page equal to the table.

| legacy argument | accepted by | what kfitcompat does | modern spelling | `migrate` writes \
| from | owner | note |
|---|---|---|---|---|---|---|---|
"""

MIGRATE = {
    "rename": "the same value, renamed",
    "divide": "the sample count divided by the data's batch size",
    "move_to_dataset": "moved onto the `PyDataset`",
    "drop": "reported, not rewritten",
    "delete": "removed (it had no effect)",
}

ACTIONS = {
    "rename": "translated, with a `LegacyArgumentWarning`",
    "data": "applied to the tf.data pipeline",
    "callback": "implemented as a callback",
    "ignore": "ignored with a warning, as Keras 1 did",
}


def render() -> str:
    from kfitcompat import LEGACY_ARGS

    rows = [
        f"| `{r.name}` | {', '.join(f'`{m}`' for m in r.methods)} | {ACTIONS[r.action]} "
        f"| `{r.target}` | {MIGRATE[r.migrate]} | {r.origin} | `{r.owner}` | {r.note} |"
        for r in LEGACY_ARGS
    ]
    return HEADER + "\n".join(rows) + "\n"


if __name__ == "__main__":
    path = pathlib.Path(__file__).with_name("legacy_arguments.md")
    path.write_text(render())
    print(f"wrote {path}")
