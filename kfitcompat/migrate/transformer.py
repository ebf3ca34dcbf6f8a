"""The LibCST transformer: finds legacy Keras calls and (optionally) rewrites them.

Pure string in, string out: ``migrate_source`` returns the new source and the
findings; formatting and comments are kept. What cannot be changed safely is
left as it is, with a ``# kfitcompat:`` comment above the statement.

One traversal does the work: positions, parents and the comments of the source are
computed only when a rule asks for them (most modules have no finding at all), and a module
nothing was rewritten in is returned as it was read, with no code generation.
"""

from __future__ import annotations

import re
import tokenize
from collections.abc import Sequence
from typing import Any

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import CodeRange, MetadataWrapper

from . import plugins  # noqa: F401  (registers every rule family)
from .base import KERAS3, KFITCOMPAT, REGISTRY, SHIMMED_RULES, BatchSizes, Finding, RuleSelection
from .edits import insert_helpers, insert_statements
from .fastvisit import FastDispatch
from .positions import Positions
from .sequences import ModuleFacts, SequenceMover

__all__ = ["Finding", "migrate_source", "KERAS3", "KFITCOMPAT"]

_COMMENT = "# kfitcompat: "
# `# kfitcompat: ignore` (every rule) or `# kfitcompat: ignore[nb_epoch, fit_generator]` on a
# line of the statement: its findings are neither reported nor rewritten.
_SUPPRESS = re.compile(r"#\s*kfitcompat:\s*ignore\b(?:\[([^\]]*)\])?")


def _comments_by_row(lines: Sequence[str]) -> dict[int, str]:
    """The comment of each source row (1-based) that has one, by the tokenizer: text that
    only looks like a comment inside a string literal is not one."""
    found: dict[int, str] = {}
    readline = iter(line + "\n" for line in lines).__next__
    try:
        for token in tokenize.generate_tokens(readline):
            if token.type == tokenize.COMMENT:
                found[token.start[0]] = token.string
    except (tokenize.TokenError, SyntaxError, StopIteration):
        pass  # what was read so far stands; the parser has accepted the source
    return found


class LegacyKerasTransformer(FastDispatch, cst.CSTTransformer):
    """Runs the registered rule handlers (``kfitcompat.migrate.base.REGISTRY``) over a
    module and keeps the bookkeeping: findings, and the ``# kfitcompat:`` notes a rule
    asks for above its statement. It is the ``Context``."""

    def __init__(self, target: str, batch_sizes: dict[str, str], rewrite: bool,
                 lines: Sequence[str] = (), facts: ModuleFacts | None = None,
                 rules: RuleSelection | None = None,
                 wrapper: MetadataWrapper | None = None, source: str | None = None) -> None:
        super().__init__()
        self._source = "\n".join(lines) if source is None else source
        self.rules = rules or RuleSelection()
        self.lines = lines
        self._wrapper = wrapper  # the module visited: positions and parents, on demand
        self._positions: Any = None
        self._parent_of: dict[cst.CSTNode, cst.CSTNode | None] = {}  # filled by on_visit
        self._open: list[cst.CSTNode] = []  # the nodes entered and not left
        self._comments: dict[int, str] | None = None
        self.rewrote = False  # a handler returned a new node, or a note was added
        self.facts = facts or ModuleFacts()
        self.moves: dict[str, dict[str, cst.BaseExpression]] = {}
        self.classes_to_patch: set[str] = set()
        self.target = target
        self.enabled = rewrite
        self.batch_sizes = batch_sizes
        self.findings: list[Finding] = []
        self.imports: list[str] = []
        self.helpers: list[str] = []
        self._pending: list[list[str]] = []

    @property
    def comments(self) -> dict[int, str]:
        """The comment of each source row, tokenized on first use: only a source that
        mentions ``kfitcompat:`` can hold the comments the transformer reads."""
        if self._comments is None:
            self._comments = (_comments_by_row(self.lines)
                              if any("kfitcompat:" in line for line in self.lines) else {})
        return self._comments

    def _position(self, node: cst.CSTNode) -> CodeRange:
        if self._positions is None:
            assert self._wrapper is not None, "migrate_source sets the module's wrapper"
            self._positions = Positions(self._wrapper.module, self._source, self.parent)
        return self._positions[node]  # type: ignore[no-any-return]

    def require_import(self, line: str) -> None:
        if line not in self.imports:
            self.imports.append(line)

    def require_keras(self) -> None:
        if "keras" not in self.facts.imported:
            self.require_import("import keras")

    def require_helper(self, name: str) -> None:
        if name not in self.helpers:
            self.helpers.append(name)

    # -- the Context of the rule handlers -------------------------------------
    def applies(self, rule: str) -> bool:
        """Rewrite this rule? With ``--target kfitcompat`` what the shim handles at run
        time stays as it is; everything else is still rewritten."""
        return self.enabled and self.rules.selected(rule) and (
            self.target == KERAS3 or rule not in SHIMMED_RULES)

    def on_visit(self, node: cst.CSTNode) -> bool:
        # each node's parent, recorded on the way down: a rule asks for the parents of the node
        # it leaves, all entered already (LibCST's ParentNodeProvider costs a second traversal)
        self._parent_of[node] = self._open[-1] if self._open else None
        self._open.append(node)
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode, *updated: Any) -> Any:
        self._open.pop()
        return super().on_leave(original_node, *updated)

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The node ``node`` (an original) sits in; ``None`` for the module."""
        return self._parent_of.get(node)

    def report(self, node: cst.CSTNode, rule: str, message: str, fix: str,
               changed: bool, comment: str | None = None) -> bool:
        """Record a finding; returns whether the rule's rewrite applies (never for a rule
        deselected or suppressed on the statement's lines)."""
        if not self.rules.selected(rule) or self._suppressed(node, rule):
            return False
        pos = self._position(node).start
        applied = self.applies(rule)
        self.findings.append(Finding(pos.line, pos.column + 1, rule, message, fix,
                                     changed and applied))
        if comment and applied and self._pending:
            self._pending[-1].append(comment)
        return applied

    def reported_at(self, node: cst.CSTNode, rule: str = "") -> bool:
        if not self.findings:
            return False
        pos = self._position(node).start
        return any(f.line == pos.line and (f.col == pos.column + 1 or f.rule == rule)
                   for f in self.findings)

    def _suppressed(self, node: cst.CSTNode, rule: str) -> bool:
        if not self.comments:
            return False
        where = self._position(node)
        for row in range(where.start.line, where.end.line + 1):
            found = _SUPPRESS.search(self.comments.get(row, ""))
            if found and (found.group(1) is None or rule in {
                    r.strip() for r in found.group(1).split(",")}):
                return True
        return False

    def _run(self, node_type: str, kind: type, original: Any, updated: Any) -> Any:
        """The handlers of ``node_type`` in turn, while the node is still of that ``kind``."""
        for handler in REGISTRY.handlers.get(node_type, ()):
            if not isinstance(updated, kind):
                break
            result = handler(self, original, updated)
            self.rewrote = self.rewrote or result is not updated
            updated = result
        return updated

    # -- node types ------------------------------------------------------------
    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._pending.append([])

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine,
                                  updated: cst.SimpleStatementLine) -> Any:
        comments = self._pending.pop()
        new_lines = []
        if comments:
            existing = {line.comment.value for line in updated.leading_lines if line.comment}
            existing |= self._comments_above(original)
            new_lines = [cst.EmptyLine(comment=cst.Comment(_COMMENT + c)) for c in comments
                         if _COMMENT + c not in existing]
        if new_lines:
            self.rewrote = True
            updated = updated.with_changes(leading_lines=[*updated.leading_lines, *new_lines])
        return self._run("SimpleStatementLine", cst.SimpleStatementLine, original, updated)

    def _comments_above(self, node: cst.CSTNode) -> set[str]:
        """The ``# kfitcompat:`` lines right above ``node`` in the source (a comment on
        the first line of a file belongs to the module header, not the statement)."""
        found = set()
        row = self._position(node).start.line - 2
        while (row >= 0 and row + 1 in self.comments
               and self.lines[row].strip().startswith(_COMMENT.strip())):
            found.add(self.lines[row].strip())
            row -= 1
        return found

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        return self._run("Call", cst.Call, original, updated)  # type: ignore[no-any-return]

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute
                        ) -> cst.BaseExpression:
        return self._run("Attribute", cst.Attribute, original,  # type: ignore[no-any-return]
                         updated)

    def leave_Comparison(self, original: cst.Comparison, updated: cst.Comparison
                         ) -> cst.BaseExpression:
        return self._run("Comparison", cst.Comparison, original,  # type: ignore[no-any-return]
                         updated)

    def leave_Subscript(self, original: cst.Subscript, updated: cst.Subscript
                        ) -> cst.BaseExpression:
        return self._run("Subscript", cst.Subscript, original,  # type: ignore[no-any-return]
                         updated)

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        return self._run("Assign", cst.Assign, original, updated)  # type: ignore[no-any-return]

    def leave_Return(self, original: cst.Return, updated: cst.Return) -> cst.Return:
        return self._run("Return", cst.Return, original, updated)  # type: ignore[no-any-return]

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom
                         ) -> cst.ImportFrom:
        return self._run("ImportFrom", cst.ImportFrom, original,  # type: ignore[no-any-return]
                         updated)

    def leave_Import(self, original: cst.Import, updated: cst.Import) -> cst.Import:
        return self._run("Import", cst.Import, original, updated)  # type: ignore[no-any-return]


class _Facts(FastDispatch, ModuleFacts):
    """``ModuleFacts`` and ``BatchSizes`` in one traversal."""

    def __init__(self, notebook: bool = False) -> None:
        super().__init__(notebook)
        self.sizes = BatchSizes()

    def visit_Assign(self, node: cst.Assign) -> None:
        self.sizes.visit_Assign(node)
        super().visit_Assign(node)


def _add_install(module: cst.Module) -> tuple[cst.Module, bool]:
    """Insert ``import kfitcompat; kfitcompat.install()`` before the first keras import (at
    the top, after the docstring, when the module imports no Keras)."""
    if "kfitcompat.install()" in module.code:
        return module, False
    position = next((i for i, stmt in enumerate(module.body)
                     if isinstance(stmt, cst.SimpleStatementLine)
                     and any(_imports_keras(s) for s in stmt.body)), 0)
    return insert_statements(module, "import kfitcompat\nkfitcompat.install()\n", position), True


def _imports_keras(stmt: cst.BaseSmallStatement) -> bool:
    if isinstance(stmt, cst.ImportFrom) and stmt.module is not None:
        name = get_full_name_for_node(stmt.module) or ""
        return name.split(".")[0] in ("keras", "tensorflow")
    if isinstance(stmt, cst.Import):
        return any((get_full_name_for_node(a.name) or "").split(".")[0] in ("keras", "tensorflow")
                   for a in stmt.names)
    return False


def migrate_source(source: str, target: str = KERAS3, rewrite: bool = True,
                   augment_layers: bool = False, notebook: bool = False,
                   rules: RuleSelection | None = None) -> tuple[str, list[Finding]]:
    """Return ``(new_source, findings)``; with ``rewrite=False`` only report.

    ``augment_layers`` (``--target keras3`` only): translate ImageDataGenerator into
    Keras 3 preprocessing layers where every argument has a counterpart
    (``kfitcompat.migrate.augment``). ``notebook``: the source is a notebook's code
    cells (``kfitcompat.migrate.notebooks``). ``rules``: which rule ids run (``--select``
    / ``--ignore``).

    Raises:
        libcst.ParserSyntaxError: the source does not parse.
    """
    module = cst.parse_module(source)
    facts = _Facts(notebook)
    module.visit(facts)
    sizes = facts.sizes
    rules = rules or RuleSelection()
    # the module was parsed here and is not changed in place: no defensive copy
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    transformer = LegacyKerasTransformer(target, sizes.sizes, rewrite, source.splitlines(),
                                         facts, rules, wrapper, source)
    new_module = module.visit(transformer)
    if transformer.classes_to_patch:
        new_module = new_module.visit(SequenceMover(transformer.moves,
                                                    transformer.classes_to_patch))
    findings = transformer.findings
    if not (transformer.rewrote or transformer.classes_to_patch or transformer.imports
            or transformer.helpers or augment_layers
            or (rewrite and target == KFITCOMPAT and findings)):
        return source, findings  # nothing rewritten: the source as it was read, no codegen
    if transformer.imports:
        from .augment import ensure_imports

        new_module = ensure_imports(new_module, transformer.imports)
    if transformer.helpers:
        new_module = insert_helpers(new_module, transformer.helpers)
    if rewrite and target == KFITCOMPAT and findings and rules.selected("install"):
        new_module, added = _add_install(new_module)
        if added:
            findings = findings + [Finding(1, 1, "install", "legacy calls kept",
                                           "import kfitcompat; kfitcompat.install()", True)]
    if augment_layers and target == KERAS3 and rules.selected("augment-layers"):
        new_module, more = _augment_layers(new_module, rewrite)
        findings = findings + more
    return new_module.code, findings


def _augment_layers(module: cst.Module, rewrite: bool) -> tuple[cst.Module, list[Finding]]:
    from .augment import AugmentLayersTransformer, ensure_imports, plan_augment_layers

    plans = plan_augment_layers(module)
    findings = []
    for plan in plans:
        if plan.translatable:
            findings.append(Finding(
                plan.line, plan.column, "augment-layers",
                f"`{plan.name} = ImageDataGenerator(...)`: every argument has a Keras 3 layer",
                "keras.Sequential of preprocessing layers; flow() -> tf.data", rewrite))
        else:
            findings.append(Finding(
                plan.line, plan.column, "augment-layers-kept",
                f"`{plan.name}` stays a kfitcompat.image.ImageDataGenerator: "
                + "; ".join(plan.reasons), "translate these by hand, or keep kfitcompat.image",
                False))
    if rewrite and any(p.translatable for p in plans):
        module = module.visit(AugmentLayersTransformer(plans))
        module = ensure_imports(module, ["import keras", "import tensorflow as tf"])
    return module, findings
