"""The Keras 2 API table: every row of ``kfitcompat.legacy.api`` with what Keras 3 has there
(``kfitcompat.legacy.keras3``, live), a *status*, and exactly one *verdict*
(``kfitcompat.legacy.verdicts``): ``same``, ``translated`` or ``refused``.

Rows whose status is ``same`` are ``same``. A row that belongs to another row follows it: a
parameter or attribute of a callable Keras 3 lacks follows the callable; an alias name
(``keras.layers.core.Dense``) follows its canonical name, or, where the canonical name is the
same in Keras 3, its module. Every other row is decided by the first matching rule of
``kfitcompat.legacy.verdicts.RULES``; a row no rule matches has no verdict, which
``build`` reports and a test forbids.

``python -m kfitcompat.legacy.table --write`` writes ``api_table.json`` beside this module
(one line per row: id, Keras 3 fact, status, verdict, rule) and ``docs/api_coverage.md``;
``--check`` exits 1 when the installed Keras 3 or the rules give another table than the
committed one; ``--coverage`` prints the counts.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .api import TABLE, VERSIONS, ApiRow, keras2_rows
from .verdicts import REFUSED, RULES, SAME, TRANSLATED, Rule, match

__all__ = ["TableRow", "build", "coverage", "render_json", "TABLE"]

DOC = Path(__file__).resolve().parents[2] / "docs" / "api_coverage.md"


@dataclass(frozen=True)
class TableRow:
    row: ApiRow
    keras3: str  # Keras 3's fact at this row ("" = nothing)
    status: str  # in Keras 3 as installed
    installed: str  # the status after kfitcompat.install()
    verdict: str  # "" = no rule decides it (an error)
    rule: str  # the rule's key, or "follows <row id>"
    why: str
    migrate: str = ""  # translated: the migrate rule that rewrites or reports it


def _owner_id(row: ApiRow, ids: dict[str, ApiRow]) -> str | None:
    """The row a parameter or attribute row belongs to (its callable)."""
    path = row.path
    if f"name {path}" in ids:
        return f"name {path}"
    owner, _, method = path.rpartition(".")
    if f"attr {owner} {method}" in ids:
        return f"attr {owner} {method}"
    return None


def _parent_id(row: ApiRow, status: str, ids: dict[str, ApiRow]) -> str | None:
    """The row a row follows when no rule decides it: an alias its canonical name (or, where
    that is the same in Keras 3, its module); a member of a callable Keras 3 lacks the
    callable."""
    if row.kind == "name" and row.alias_of and f"name {row.alias_of}" in ids:
        return f"name {row.alias_of}"
    if status == "absent-callable":
        return _owner_id(row, ids)
    return None


def build(statuses: dict[str, tuple[str, str]] | None = None,
          installed: dict[str, tuple[str, str]] | None = None) -> list[TableRow]:
    """The table. ``statuses`` and ``installed`` (row id -> (Keras 3 fact, status)) default to
    this process's Keras 3 before and after ``kfitcompat.install``
    (``measure``)."""
    rows = keras2_rows()
    ids = {row.id: row for row in rows}
    if statuses is None or installed is None:
        from .measure import measure

        statuses, installed = measure(rows)
    done: dict[str, TableRow] = {}
    used: Counter[str] = Counter()

    def decide(row: ApiRow) -> TableRow:
        if row.id in done:
            return done[row.id]
        fact, status = statuses[row.id]
        after = installed[row.id][1]
        base = (row, fact, status, after)
        if status == SAME:
            result = TableRow(*base, SAME, "", "")
        elif after == SAME:  # install() gives the row Keras 2's meaning: earned, not claimed
            rule = match(row, status, (TRANSLATED,))
            if rule is not None:
                used[rule.key] += 1
            result = TableRow(*base, TRANSLATED, rule.key if rule else "", rule.why if rule
                              else "install()", rule.migrate if rule else "")
        elif (parent := _parent_id(row, status, ids)) is not None \
                and decide(ids[parent]).verdict == REFUSED:
            result = TableRow(*base, REFUSED, f"follows {parent}", decide(ids[parent]).why)
        elif (rule := match(row, after if status == "absent-callable" else status)) is not None:
            used[rule.key] += 1
            result = TableRow(*base, rule.verdict, rule.key, rule.why)
        elif parent is not None and row.kind == "name" and decide(ids[parent]).verdict == SAME:
            module = row.path.rpartition(".")[0]
            owner = decide(ids[f"module {module}"]) if f"module {module}" in ids else None
            result = TableRow(*base, owner.verdict if owner else "", f"follows module {module}",
                              owner.why if owner else "no rule")
        else:
            result = TableRow(*base, "", "", "no rule")
        done[row.id] = result
        return result

    table = [decide(row) for row in rows]
    build.unused_rules = [r.key for r in RULES if not used[r.key]]  # type: ignore[attr-defined]
    return table


def coverage(table: list[TableRow]) -> dict[str, Counter[str]]:
    """Per Keras version: how many rows are same / translated / refused (/ none)."""
    out: dict[str, Counter[str]] = {v: Counter() for v in VERSIONS}
    for entry in table:
        for version in entry.row.versions:
            out[version][entry.verdict or "none"] += 1
    return out


def by_module(table: list[TableRow], version: str) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for entry in table:
        if version not in entry.row.versions:
            continue
        path = entry.row.path if entry.row.kind == "module" else entry.row.path.rpartition(".")[0]
        module = ".".join(path.split(".")[:2]) if path.startswith("keras.") else path
        out.setdefault(module, Counter())[entry.verdict or "none"] += 1
    return out


def render_json(table: list[TableRow]) -> str:
    """The committed table: a header (the verdict rules' reasons, by rule key), then one
    line per row that is not the same in Keras 3 before and after ``install()`` (a row of
    ``keras2_api.json`` missing here is the same in both)."""
    header = {"reasons": {rule.key: rule.why for rule in RULES}, "rows": len(table)}
    kept = [e for e in table if not (e.status == SAME and e.installed == SAME)]
    lines = [json.dumps(header, sort_keys=True)]
    lines += [json.dumps({"id": e.row.id, "keras3": e.keras3, "status": e.status,
                          "installed": e.installed, "verdict": e.verdict, "rule": e.rule},
                         separators=(",", ":")) for e in kept]
    return "\n".join(lines) + "\n"


def render_markdown(table: list[TableRow]) -> str:
    counts = coverage(table)
    out = ["# Keras 2 API coverage", "",
           "Generated by `python -m kfitcompat.legacy.table --write` from the Keras 1.2.2, 2.2.4 "
           "and 2.3.1 sources (`tools/gen_keras2_api.py`) and the installed Keras 3; do not edit.",
           "", "Every public module, name, parameter, attribute and Keras 1 spelling of those "
           "versions is one row. A row is *same* when Keras 3 has it unchanged, *translated* "
           "when `kfitcompat.install()` gives it Keras 2's meaning and `kfitcompat migrate` "
           "rewrites or reports it, *refused* when kfitcompat does not translate it (the reason "
           "is below; `kfitcompat check` reports every use).", "",
           "| Keras | rows | same | translated | refused |", "|---|---|---|---|---|"]
    for version in VERSIONS:
        c = counts[version]
        out.append(f"| {version} | {sum(c.values())} | {c[SAME]} | {c[TRANSLATED]} | "
                   f"{c[REFUSED]} |")
    out += ["", "## Per module (Keras 2.3.1)", "",
            "| module | same | translated | refused |", "|---|---|---|---|"]
    for module, c in sorted(by_module(table, "2.3.1").items()):
        out.append(f"| `{module}` | {c[SAME]} | {c[TRANSLATED]} | {c[REFUSED]} |")
    out += ["", "## Refused, by reason", ""]
    reasons: dict[str, list[str]] = {}
    for entry in table:
        if entry.verdict == REFUSED and not entry.rule.startswith("follows"):
            reasons.setdefault(entry.why, []).append(entry.row.id)
    for why, ids in sorted(reasons.items(), key=lambda kv: -len(kv[1])):
        shown = ", ".join(f"`{i.split(' ', 1)[1]}`" for i in ids[:12])
        more = f" and {len(ids) - 12} more" if len(ids) > 12 else ""
        out.append(f"* **{why}** ({len(ids)}): {shown}{more}")
    out += ["", "## Translated, by mechanism", ""]
    mechanisms: Counter[str] = Counter(e.why for e in table if e.verdict == TRANSLATED
                                       and not e.rule.startswith("follows"))
    for why, n in mechanisms.most_common():
        out.append(f"* {why} ({n})")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kfitcompat.legacy.table")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--coverage", action="store_true")
    parser.add_argument("--unmatched", action="store_true")
    args = parser.parse_args(argv)
    table = build()
    missing = [e for e in table if not e.verdict]
    if args.unmatched:
        for e in missing:
            print(e.status, e.row.id, e.row.newest, ",".join(e.row.versions))
        print("unused rules:", build.unused_rules)  # type: ignore[attr-defined]
    if args.coverage or not (args.write or args.check or args.unmatched):
        for version, c in coverage(table).items():
            print(f"Keras {version}: {sum(c.values())} rows: " + ", ".join(
                f"{k} {c[k]}" for k in (SAME, TRANSLATED, REFUSED, "none")))
    if args.write:
        TABLE.write_text(render_json(table))
        DOC.write_text(render_markdown(table))
        print(f"wrote {TABLE} and {DOC}")
    if args.check:
        same = TABLE.read_text() == render_json(table) and DOC.read_text() == \
            render_markdown(table)
        print("api table:", "up to date" if same else "differs (run --write)")
        return 0 if same and not missing else 1
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())


_ = Rule  # re-exported type for readers of this module
