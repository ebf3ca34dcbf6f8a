"""Moving ``workers``/``use_multiprocessing``/``max_queue_size`` onto a ``Sequence`` (Keras 3).

In Keras 3 the loading options are arguments of ``keras.utils.PyDataset.__init__``
(``keras.utils.Sequence`` is the same class). When ``fit_generator(seq, workers=4)``
passes an instance of a ``Sequence`` subclass defined in the same file, the
migration moves the options onto its constructor call and lets the class accept
them: ``def __init__(self, ..., **kwargs)`` with ``super().__init__(**kwargs)``.
"""

from __future__ import annotations

import libcst as cst
from libcst.helpers import get_full_name_for_node

from .edits import call_name, code_of, file_arg, saved_file
from .fastvisit import FastDispatch

__all__ = ["ModuleFacts", "SequenceMover", "LOADING_RENAMES"]

LOADING_RENAMES = {"nb_worker": "workers", "pickle_safe": "use_multiprocessing",
                   "max_q_size": "max_queue_size"}
_BASES = ("Sequence", "PyDataset")


class ModuleFacts(cst.CSTVisitor):
    """Sequence subclasses defined in the module, names bound to their instances, and the
    attributes read from each plain name (``image.ImageDataGenerator`` -> image: {...})."""

    def __init__(self, notebook: bool = False) -> None:
        self.notebook = notebook  # a notebook's cells: never re-run by worker processes
        self.sequence_classes: set[str] = set()
        self.instances: dict[str, str] = {}
        self.attributes: dict[str, set[str]] = {}
        self.imported: set[str] = set()  # top-level names bound by `import a.b` / `import a as b`
        self.saved: dict[str, bool] = {}  # string literals the module saves to -> weights only
        # `x.save('m.h5')` / `load_model('m.h5')` string literals: a model file the module
        # writes and reads back is renamed to .keras in both places (rule h5-filename)
        self.model_saved: set[str] = set()
        self.model_loaded: set[str] = set()
        self.main_guard = False  # an `if __name__ == "__main__":` anywhere
        # names bound to what is a plain iterator, never a Sequence: a generator expression
        # or the call of a function (a lowercase name, as PEP 8 spells functions)
        self.iterators: set[str] = set()
        # functions defined in the module -> whether a call of one is a plain iterator (a
        # generator function, or one returning a generator); a call of a function defined
        # elsewhere is judged by its spelling
        self.functions: dict[str, cst.FunctionDef] = {}  # judged on first use (_yields_batches)
        self._judged: dict[int, bool] = {}
        # local name -> the Keras path an import binds it to (``K`` -> ``keras.backend``,
        # ``Dense`` -> ``keras.layers.Dense``); ``tensorflow.keras`` counts as ``keras``
        self.bindings: dict[str, str] = {}
        # names bound to a call of a class, by the class's name (``lstm = LSTM(8)`` -> LSTM);
        # the last binding counts
        self.constructed: dict[str, str] = {}
        # the module imports scikit-learn or Keras 2's scikit-learn wrappers: its
        # `.predict_proba(x)` may be an estimator's, not a Sequential's
        self.scikit_learn = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions[node.name.value] = node

    def _yields_batches(self, node: cst.FunctionDef) -> bool:
        """Whether a call of the function ``node`` is a plain iterator: it yields, or returns
        one (read once per function, when a call of it is judged)."""
        if id(node) not in self._judged:
            self._judged[id(node)] = False  # a function returning its own call: not one
            body = _OwnBody()
            node.body.visit(body)
            self._judged[id(node)] = body.yields or any(
                value is not None and self.is_iterator(value) for value in body.returns)
        return self._judged[id(node)]

    def visit_If(self, node: cst.If) -> None:
        test = code_of(node.test).replace("'", '"')
        if "__name__" in test and '"__main__"' in test:
            self.main_guard = True

    def visit_Call(self, node: cst.Call) -> None:
        target = saved_file(node)
        if target is not None and isinstance(target[0].value, cst.SimpleString):
            self.saved[target[0].value.evaluated_value] = target[1]  # type: ignore[index]
        name = call_name(node)
        if name in ("save", "load_model") and (name == "load_model" or isinstance(
                node.func, cst.Attribute)):
            arg = file_arg(node)
            if arg is not None and isinstance(arg.value, cst.SimpleString):
                path = arg.value.evaluated_value
                (self.model_saved if name == "save" else self.model_loaded).add(path)  # type: ignore[arg-type]
                if path in self.model_saved and path in self.model_loaded:
                    self.saved[path] = False  # type: ignore[index]

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = get_full_name_for_node(alias.name) or ""
            self.scikit_learn |= _is_scikit_learn(full)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.imported.add(alias.asname.name.value)
                self._bind(alias.asname.name.value, full)
            else:
                self.imported.add(full.split(".")[0])
                self._bind(full.split(".")[0], full.split(".")[0])

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return
        module = get_full_name_for_node(node.module) or ""
        self.scikit_learn |= _is_scikit_learn(module)
        for alias in node.names:
            name = get_full_name_for_node(alias.name) or ""
            local = (alias.asname.name.value if alias.asname is not None
                     and isinstance(alias.asname.name, cst.Name) else name)
            self._bind(local, f"{module}.{name}")

    def _bind(self, local: str, full: str) -> None:
        for prefix in ("tensorflow.keras", "tf.keras"):
            if full == prefix or full.startswith(prefix + "."):
                full = "keras" + full[len(prefix):]
        if full == "keras" or full.startswith("keras."):
            self.bindings[local] = full

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name):
            self.attributes.setdefault(node.value.value, set()).add(node.attr.value)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        for base in node.bases:
            name = get_full_name_for_node(base.value) or ""
            if name.split(".")[-1] in _BASES or name.split(".")[-1] in self.sequence_classes:
                self.sequence_classes.add(node.name.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        cls = sequence_class_of(node.value, self.sequence_classes)
        names = [t.target.value for t in node.targets if isinstance(t.target, cst.Name)]
        if cls is not None:
            for name in names:
                self.instances[name] = cls
        made = call_name(node.value) if isinstance(node.value, cst.Call) else None
        for name in names:  # the last binding counts
            if made is not None and made[:1].isupper():
                self.constructed[name] = made
            else:
                self.constructed.pop(name, None)
            if self.is_iterator(node.value):
                self.iterators.add(name)
            else:
                self.iterators.discard(name)

    def is_iterator(self, node: cst.BaseExpression) -> bool:
        """Whether ``node`` is, by its spelling, a plain iterator (a generator expression,
        ``gen_fn(...)``, or a name bound to one): not a Sequence, not an image iterator."""
        if isinstance(node, cst.GeneratorExp):
            return True
        if isinstance(node, cst.Name):
            return node.value in self.iterators and node.value not in self.instances
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Name)):
            return False
        name = node.func.value
        if name in self.functions:
            return self._yields_batches(self.functions[name])
        return (name[:1].islower() and name not in _NOT_ITERATORS
                and name not in self.sequence_classes)


class _OwnBody(FastDispatch, cst.CSTVisitor):
    """The ``yield`` and ``return`` of one function body, not of the functions, lambdas
    and classes nested in it."""

    def __init__(self) -> None:
        self.yields = False
        self.returns: list[cst.BaseExpression | None] = []

    def visit_Yield(self, node: cst.Yield) -> None:
        self.yields = True

    def visit_Return(self, node: cst.Return) -> None:
        self.returns.append(node.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


# builtins whose result is not a generator of batches
_NOT_ITERATORS = frozenset({"list", "tuple", "dict", "set", "range", "len", "sorted", "next",
                            "getattr", "enumerate", "reversed", "super", "type", "vars"})


def sequence_class_of(node: cst.BaseExpression, classes: set[str]) -> str | None:
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and (
            node.func.value in classes):
        return node.func.value
    return None


def add_kwargs(call: cst.Call, kwargs: dict[str, cst.BaseExpression]) -> cst.Call:
    """``call`` with ``kwargs`` appended (those it already has are left as they are)."""
    present = {a.keyword.value for a in call.args if a.keyword is not None}
    new = [cst.Arg(value=v, keyword=cst.Name(k),
                   equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))
           for k, v in kwargs.items() if k not in present]
    if not new:
        return call
    args = list(call.args)
    if args:
        args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(
            " ")))
    return call.with_changes(args=[*args, *new])


class SequenceMover(cst.CSTTransformer):
    """Second pass: constructor calls get the options; the classes accept ``**kwargs``."""

    def __init__(self, moves: dict[str, dict[str, cst.BaseExpression]], classes: set[str]
                 ) -> None:
        super().__init__()
        self.moves = moves
        self.classes = classes

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        for target in updated.targets:
            if (isinstance(target.target, cst.Name) and target.target.value in self.moves
                    and isinstance(updated.value, cst.Call)):
                return updated.with_changes(value=add_kwargs(
                    updated.value, self.moves[target.target.value]))
        return updated

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        if updated.name.value not in self.classes or not isinstance(updated.body,
                                                                    cst.IndentedBlock):
            return updated
        body = [self._init(s) if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"
                else s for s in updated.body.body]
        return updated.with_changes(body=updated.body.with_changes(body=body))

    @staticmethod
    def _init(init: cst.FunctionDef) -> cst.FunctionDef:
        params = init.params
        if params.star_kwarg is None:
            params = params.with_changes(star_kwarg=cst.Param(cst.Name("kwargs")))
        block = init.body
        if not isinstance(block, cst.IndentedBlock):
            return init.with_changes(params=params)
        code = code_of(block)
        statements = list(block.body)
        if "super().__init__(" not in code:
            position = 1 if statements and _is_docstring(statements[0]) else 0
            statements.insert(position, cst.parse_statement("super().__init__(**kwargs)\n"))
        else:
            statements = [_with_kwargs_in_super(s) for s in statements]
        return init.with_changes(params=params, body=block.with_changes(body=statements))


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
            and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _with_kwargs_in_super(stmt: cst.BaseStatement) -> cst.BaseStatement:
    """``super().__init__(a)`` -> ``super().__init__(a, **kwargs)`` (once)."""

    class _Add(cst.CSTTransformer):
        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
            func = updated.func
            if (isinstance(func, cst.Attribute) and func.attr.value == "__init__"
                    and isinstance(func.value, cst.Call)
                    and get_full_name_for_node(func.value.func) == "super"
                    and not any(a.star == "**" for a in updated.args)):
                args = list(updated.args)
                if args:
                    args[-1] = args[-1].with_changes(comma=cst.Comma(
                        whitespace_after=cst.SimpleWhitespace(" ")))
                return updated.with_changes(args=[*args, cst.Arg(cst.Name("kwargs"),
                                                                 star="**")])
            return updated

    return stmt.visit(_Add())  # type: ignore[return-value]


def _is_scikit_learn(module: str) -> bool:
    return module == "sklearn" or module.startswith("sklearn.") or module.endswith(
        "wrappers.scikit_learn")
