"""Write docs/surface.md from kfitcompat.surface.SURFACE (the table is the source)."""

from __future__ import annotations

import pathlib

HEADER = """# The install() surface

Generated from `kfitcompat.surface.SURFACE` by `docs/gen_surface.py`; a test keeps this page
equal to the table. Each row is one name `kfitcompat.install()` sets and `uninstall()`
restores. Kinds: **add** (Keras 3 lacks the name), **replace** (Keras 3 has it; ours wraps or
subclasses the original), **alias** (Keras 3's own object already behaves as the legacy one:
nothing is set), **wrap** (an attribute of a Keras class or module becomes a wrapper of the
original, captured at install time; calls that use no legacy spelling reach the original
unchanged), **module** (a Keras 2 module path Keras 3 removed).

Besides these rows, `install()` gives `keras.Model` the legacy `fit` / `evaluate` /
`predict` arguments, `fit_generator`, `evaluate_generator`, `predict_generator` and
`metrics_names` ([Legacy arguments](legacy_arguments.md)).

| where | name | kind | what answers | note |
|---|---|---|---|---|
"""


def render() -> str:
    from kfitcompat.surface import SURFACE

    def cell(text: str) -> str:
        return text.replace("|", "\\\\|")

    rows = [
        f"| `{cell(r.module)}` | `{r.name}` | {r.kind} | `{r.target}`"
        + (f" (`{r.arg}`)" if r.arg else "") + f" | {cell(r.note)} |"
        for r in SURFACE
    ]
    return HEADER + "\n".join(rows) + "\n"


if __name__ == "__main__":
    path = pathlib.Path(__file__).with_name("surface.md")
    path.write_text(render())
    print(f"wrote {path}")
