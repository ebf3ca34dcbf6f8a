"""What every migrate rule family shares: the finding, the context a rule reports to, and
the registry of rule ids and handlers (pyupgrade's ``_plugins`` design: one module per
rule family, each registering its handlers here).

A handler takes ``(ctx, original, updated)`` and returns the node to keep: ``updated``
itself when the rule does not apply. ``kfitcompat.migrate.transformer`` calls the
registered handlers of a node type in registration order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import libcst as cst

from .edits import call_name, code_of, keyword_arg
from .sequences import ModuleFacts

__all__ = ["Context", "Finding", "KERAS3", "KFITCOMPAT", "REGISTRY", "Registry",
           "RuleSelection", "SHIMMED_RULES", "WHOLE_MODULE_RULES", "batch_size_of_call",
           "call_name"]

KERAS3 = "keras3"
KFITCOMPAT = "kfitcompat"
# What kfitcompat.install() makes work unchanged (left alone with --target kfitcompat).
SHIMMED_RULES = frozenset({"fit_generator", "evaluate_generator", "predict_generator",
                           "nb_epoch", "samples_per_epoch", "nb_val_samples", "val_samples",
                           "loading-arguments", "image-import", "keras1-layer",
                           "get-file-extract", "legacy-model-file", "rnn-initial-states",
                           "channels-first"})


# Steps of a whole module, not of a node: rule ids too (``--select``, ``--ignore``).
WHOLE_MODULE_RULES = ("install", "augment-layers", "augment-layers-kept")


@dataclass(frozen=True)
class RuleSelection:
    """``--select`` / ``--ignore``: the rule ids that run (``select=None``: all of them)."""

    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()

    def selected(self, rule: str) -> bool:
        return (self.select is None or rule in self.select) and rule not in self.ignore


@dataclass(frozen=True)
class Finding:
    """One legacy use: where, what happens on Keras 3, the fix, and whether it was rewritten."""

    line: int
    col: int
    rule: str
    message: str
    fix: str
    changed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Context(Protocol):
    """What a rule handler may use: report a finding (and learn whether to rewrite), the
    facts gathered about the module before the rewrite, and the Sequence moves it asks for."""

    facts: ModuleFacts
    lines: Sequence[str]  # the module's source lines
    batch_sizes: dict[str, str]
    moves: dict[str, dict[str, cst.BaseExpression]]
    classes_to_patch: set[str]

    def report(self, node: cst.CSTNode, rule: str, message: str, fix: str, changed: bool,
               comment: str | None = None) -> bool:
        """Record a finding; returns whether the rule's rewrite applies."""

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The node an original node sits in (``None`` for the module)."""

    def reported_at(self, node: cst.CSTNode, rule: str = "") -> bool:
        """Whether a rule has already reported a finding where ``node`` starts (``rule``:
        or that rule anywhere on the line ``node`` starts on)."""

    def applies(self, rule: str) -> bool:
        """Whether this rule rewrites under the current target."""

    def require_import(self, line: str) -> None:
        """The rewritten module needs ``line`` (e.g. ``import keras``); added once, after the
        docstring and ``__future__`` imports, if the module lacks it."""

    def require_keras(self) -> None:
        """The rewritten module uses the name ``keras``: ``import keras`` is added if the
        module does not import it already."""

    def require_helper(self, name: str) -> None:
        """The rewritten module calls helper ``name`` of ``kfitcompat.keras2.portable``
        (Keras 2 semantics in plain Keras 3); its source is added once, after the imports."""


Handler = Callable[[Context, Any, Any], Any]


@dataclass
class Registry:
    """Rule ids (each with its family) and the handlers per CST node type."""

    rules: dict[str, str] = field(default_factory=dict)  # rule id -> family module
    handlers: dict[str, list[Handler]] = field(default_factory=dict)  # node type -> handlers

    def register(self, node: str, *rule_ids: str) -> Callable[[Handler], Handler]:
        """Decorator: ``handler`` rewrites nodes of type ``node`` ("Call", "Attribute",
        "ImportFrom", "SimpleStatementLine", "Assign", ...) and reports ``rule_ids``."""

        def add(handler: Handler) -> Handler:
            family = handler.__module__.rsplit(".", 1)[-1]
            for rule in rule_ids:
                owner = self.rules.setdefault(rule, family)
                if owner != family:
                    raise ValueError(f"migrate rule {rule!r} is registered by {owner} and "
                                     f"{family}")
            self.handlers.setdefault(node, []).append(handler)
            return handler

        return add


REGISTRY = Registry()


def batch_size_of_call(node: cst.BaseExpression) -> str | None:
    """The batch size a call sets: ``batch_size=B``, ``.flow(x, y, B)``, or Keras 2's 32 of
    ``flow_from_directory`` / ``flow_from_dataframe``."""
    if not isinstance(node, cst.Call):
        return None
    arg = keyword_arg(node, "batch_size")
    if arg is not None:
        return code_of(arg.value)
    method = node.func.attr.value if isinstance(node.func, cst.Attribute) else None
    positional = [a for a in node.args if a.keyword is None]
    if method == "flow" and len(positional) >= 3:
        return code_of(positional[2].value)
    if method in ("flow_from_directory", "flow_from_dataframe"):
        return "32"  # Keras 2's default batch_size for these
    return None


class BatchSizes(cst.CSTVisitor):
    """``name = <...>(..., batch_size=B)`` and ``.flow(x, y, B)``: the batch size of a name."""

    def __init__(self) -> None:
        self.sizes: dict[str, str] = {}

    def visit_Assign(self, node: cst.Assign) -> None:
        size = batch_size_of_call(node.value)
        if size is not None:
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    self.sizes[target.target.value] = size
