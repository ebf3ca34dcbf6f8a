"""Small LibCST editing helpers shared by the migration passes."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

__all__ = ["call_name", "keyword_arg", "code_of", "saved_file", "file_arg", "drop_args",
           "rename_keyword", "append_keyword", "insert_helpers", "insert_statements"]


def call_name(call: cst.Call) -> str | None:
    """``f`` of ``f(...)`` or ``x.f(...)``."""
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else None


def keyword_arg(call: cst.Call, name: str) -> cst.Arg | None:
    """The ``name=`` argument of ``call``, if it has one."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def saved_file(call: cst.Call) -> tuple[cst.Arg, bool] | None:
    """The file argument of a call that saves (``ModelCheckpoint(path)``, ``x.save_weights(path)``)
    and whether it holds weights only; ``None`` for other calls."""
    func = call.func
    name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
    if name == "ModelCheckpoint":
        flag = keyword_arg(call, "save_weights_only")
        weights = flag is not None and code_of(flag.value) == "True"
    elif name == "save_weights" and isinstance(func, cst.Attribute):
        weights = True
    else:
        return None
    arg = file_arg(call)
    return None if arg is None else (arg, weights)


def file_arg(call: cst.Call) -> cst.Arg | None:
    """``filepath=`` or the first positional argument (save, load and checkpoint calls)."""
    return keyword_arg(call, "filepath") or next((a for a in call.args if a.keyword is None),
                                                 None)


def code_of(node: cst.CSTNode) -> str:
    """The source text of ``node``."""
    return cst.Module(body=[]).code_for_node(node)


def drop_args(call: cst.Call, names: set[str]) -> cst.Call:
    """``call`` without its keyword arguments in ``names``."""
    kept = [a for a in call.args if a.keyword is None or a.keyword.value not in names]
    if kept and len(kept) != len(call.args):
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return call.with_changes(args=kept)


def rename_keyword(call: cst.Call, old: str, new: str,
                   value: cst.BaseExpression | None = None) -> cst.Call:
    """``call`` with ``old=`` spelled ``new=`` (and its value replaced by ``value``)."""
    args = []
    for a in call.args:
        if a.keyword is not None and a.keyword.value == old:
            a = a.with_changes(keyword=cst.Name(new), value=value or a.value)
        args.append(a)
    return call.with_changes(args=args)


def append_keyword(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """``call`` with ``name=value`` added last (``f(a)`` -> ``f(a, name=value)``)."""
    args = list(call.args)
    if args:
        args[-1] = args[-1].with_changes(comma=cst.Comma(
            whitespace_after=cst.SimpleWhitespace(" ")))
    args.append(cst.Arg(keyword=cst.Name(name), value=value,
                        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                              whitespace_after=cst.SimpleWhitespace(""))))
    return call.with_changes(args=args)


def insert_statements(module: cst.Module, code: str, position: int) -> cst.Module:
    """``code``'s statements inserted at ``position``; comments and blank lines that were
    above the statement there stay above the inserted ones."""
    lines = list(cst.parse_module(code).body)
    body = list(module.body)
    position = max(position, _after_header(body))
    if position < len(body):
        lines[0] = lines[0].with_changes(leading_lines=body[position].leading_lines)
        body[position] = body[position].with_changes(leading_lines=[])
    body[position:position] = lines
    return module.with_changes(body=body)


def insert_helpers(module: cst.Module, names: Sequence[str]) -> cst.Module:
    """The helpers ``names`` of ``kfitcompat.keras2.portable`` the module does not define
    yet, inserted after its first run of imports (with the blank lines PEP 8 asks for)."""
    from ..keras2.portable import helper_source

    defined = {stmt.name.value for stmt in module.body if isinstance(stmt, cst.FunctionDef)}
    missing = [name for name in names if name not in defined]
    if not missing:
        return module
    body = list(module.body)
    position = _after_header(body)
    while position < len(body) and _is_import(body[position]):
        position += 1
    blank = [cst.EmptyLine(), cst.EmptyLine()]
    # in the module's own line endings: a docstring's inner newlines are text, not nodes
    helpers = [cst.parse_statement(helper_source(name).replace("\n", module.default_newline))
               .with_changes(leading_lines=blank) for name in missing]
    if position < len(body):
        below = body[position]
        comments = [line for line in below.leading_lines if line.comment is not None]
        body[position] = below.with_changes(leading_lines=[*blank, *comments])
    body[position:position] = helpers
    return module.with_changes(body=body)


def _is_import(stmt: cst.BaseStatement) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)


def _after_header(body: Sequence[cst.BaseStatement]) -> int:
    """The first index after the module docstring and the ``from __future__`` imports
    (nothing may come before those)."""
    index = 0
    for i, stmt in enumerate(body):
        small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and stmt.body else None
        docstring = (i == 0 and isinstance(small, cst.Expr)
                     and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)))
        future = (isinstance(small, cst.ImportFrom) and isinstance(small.module, cst.Name)
                  and small.module.value == "__future__")
        if not (docstring or future):
            break
        index = i + 1
    return index
