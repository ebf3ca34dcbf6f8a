"""Read a tagged Keras 1/2 source tree with ``ast``: every public module, name, signature and
attribute, without installing that Keras.

Used by ``tools/gen_keras2_api.py``. A *public module* is a ``.py`` file under ``keras/``
(not the Theano or CNTK backends, not a file whose name starts with ``_``). Its *public
names* are the names it defines at top level (classes, functions, assignments) that do not
start with ``_``; an ``__init__.py`` and the re-export modules in :data:`REEXPORT_MODULES`
also count the names they import from other Keras modules (``from .core import *``,
``from .engine.training import Model``). The TensorFlow backend is what ``keras.backend``
answers (Keras 2's default). ``keras.preprocessing`` names that Keras 2 took from
``keras_preprocessing`` are read from that package's tree when one is given.

Each object gets one *canonical* path: the shortest public path that names it (``keras.Model``,
not ``keras.engine.training.Model``); the others are *aliases*. A class's facts are its
``__init__`` parameters (inherited from a Keras base when it has none), and the public methods
(with parameters), properties and instance attributes (``self.x = ...``) its own body defines;
what it inherits is a row of the base class.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Param", "ObjectFacts", "Tree", "read_tree", "REEXPORT_MODULES"]

#: Non-``__init__`` modules whose imported names are part of their public surface.
REEXPORT_MODULES = {
    "keras.models", "keras.objectives", "keras.engine.topology", "keras.preprocessing.image",
    "keras.preprocessing.text", "keras.preprocessing.sequence", "keras.layers.merge",
    "keras.backend.load_backend",
}
#: Imports that are never public names, whatever module holds them (implementation helpers).
PRIVATE_SOURCES = ("keras.utils.generic_utils", "keras.legacy.interfaces")
_SKIP_FILES = ("theano_backend", "cntk_backend", "numpy_backend")
#: Keras 2 modules that hold its machinery, not API a script imports from.
INTERNAL_MODULES = {"keras.engine.training_utils",
                    "keras.engine.training_arrays", "keras.engine.training_generator",
                    "keras.utils.test_utils", "keras.backend.load_backend"}
#: Modules a Keras backend imported and scripts reached through it (``K.tf.where(...)``:
#: ``keras.backend`` star-imported its TensorFlow backend, ``import tensorflow as tf``
#: included): rows of kind name whose value is that module.
EXTERNAL_NAMES = {"keras.backend.tensorflow_backend": {"tf": "tensorflow"}}
REQUIRED = "<required>"  # default of a parameter without one
NOT_LITERAL = "<expr>"


@dataclass
class Param:
    name: str
    kind: str  # "pos" (positional or keyword), "kwonly", "*", "**"
    default: str = REQUIRED  # source text of the default, or REQUIRED

    def as_list(self) -> list[str]:
        return [self.name, self.kind, self.default]


@dataclass
class ObjectFacts:
    """What one public object is in one Keras version."""

    kind: str  # "class", "function", "value", "module"
    module: str  # where it is defined
    params: list[Param] | None = None  # function / class __init__
    bases: list[str] = field(default_factory=list)  # canonical paths of Keras bases
    methods: dict[str, list[Param]] = field(default_factory=dict)
    properties: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)  # self.x = ... in the class body
    value: str = ""  # "value": the source text (a constant) or the aliased name
    #: Keras 1 spellings Keras 2 still accepted (``keras/legacy/interfaces.py``), for
    #: ``__init__`` and for methods: {method: {"rename": {old: new}, "values": {...},
    #: "positional": [...], "rule": preprocessor name}}
    legacy: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "module": self.module}
        if self.params is not None:
            out["params"] = [p.as_list() for p in self.params]
        for key in ("bases", "properties", "attributes"):
            if getattr(self, key):
                out[key] = sorted(getattr(self, key)) if key != "bases" else self.bases
        if self.methods:
            out["methods"] = {m: [p.as_list() for p in ps]
                              for m, ps in sorted(self.methods.items())}
        if self.value:
            out["value"] = self.value
        if self.legacy:
            out["legacy"] = self.legacy
        return out


@dataclass
class _Module:
    name: str
    tree: ast.Module
    is_package: bool
    defined: dict[str, ast.AST] = field(default_factory=dict)
    imported: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (module, attr)
    stars: list[str] = field(default_factory=list)


@dataclass
class Tree:
    """A Keras version's public API: modules, canonical objects and aliases."""

    version: str
    modules: list[str]
    objects: dict[str, ObjectFacts]
    aliases: dict[str, str]  # public path -> canonical path


def _module_name(path: Path, root: Path, package: str) -> tuple[str, bool]:
    rel = path.relative_to(root / package).with_suffix("")
    parts = list(rel.parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join([package, *parts]) if parts else package, is_package


def _resolve(module: _Module, level: int, target: str | None) -> str:
    base = module.name.split(".")
    if not module.is_package:
        base = base[:-1]
    if level:
        base = base[:len(base) - (level - 1)] if level > 1 else base
        return ".".join(base + ([target] if target else []))
    return target or ""


def _params(args: ast.arguments, skip_self: bool) -> list[Param]:
    positional = list(args.posonlyargs) + list(args.args)
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    out = [Param(a.arg, "pos", REQUIRED if d is None else ast.unparse(d))
           for a, d in zip(positional, defaults)]
    if skip_self and out:
        out = out[1:]
    if args.vararg:
        out.append(Param(args.vararg.arg, "*"))
    for a, d in zip(args.kwonlyargs, args.kw_defaults):
        out.append(Param(a.arg, "kwonly", REQUIRED if d is None else ast.unparse(d)))
    if args.kwarg:
        out.append(Param(args.kwarg.arg, "**"))
    return out


def _allowed_kwargs(init: ast.FunctionDef) -> list[Param]:
    """Keras 2's ``Layer.__init__(**kwargs)`` checked its keywords against a set literal
    (``allowed_kwargs = {'input_shape', 'weights', ...}``): each is a keyword parameter."""
    for node in ast.walk(init):
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Set)
                and any(isinstance(t, ast.Name) and t.id == "allowed_kwargs"
                        for t in node.targets)):
            names = sorted(e.value for e in node.value.elts
                           if isinstance(e, ast.Constant) and isinstance(e.value, str))
            return [Param(name, "kwonly", "None") for name in names]
    return []


def _read_kwargs(init: ast.FunctionDef) -> list[Param]:
    """Keywords an ``__init__`` reads out of its ``**kwargs`` (Keras 2's ``Dense`` took
    ``input_dim`` so: ``if 'input_dim' in kwargs: ... kwargs.pop('input_dim')``): each is a
    keyword parameter of that class, as its users called it."""
    if init.args.kwarg is None:
        return []
    bag = init.args.kwarg.arg
    found: set[str] = set()

    def is_bag(node: ast.AST) -> bool:
        return isinstance(node, ast.Name) and node.id == bag

    for node in ast.walk(init):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("pop", "get") and is_bag(node.func.value)
                and node.args and isinstance(node.args[0], ast.Constant)):
            found.add(node.args[0].value)
        elif (isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant)
              and len(node.ops) == 1 and isinstance(node.ops[0], ast.In)
              and is_bag(node.comparators[0])):
            found.add(node.left.value)
        elif (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load)
              and is_bag(node.value) and isinstance(node.slice, ast.Constant)):
            found.add(node.slice.value)
    return [Param(name, "kwonly", "None") for name in sorted(found) if isinstance(name, str)]


def _decorators(node: ast.FunctionDef) -> set[str]:
    names = set()
    for d in node.decorator_list:
        target = d.func if isinstance(d, ast.Call) else d
        names.add(ast.unparse(target).split(".")[-1])
    return names


def _walk_toplevel(body: list[ast.stmt]) -> list[ast.stmt]:
    """Top-level statements, including those inside ``if``/``try`` (both branches)."""
    out: list[ast.stmt] = []
    for node in body:
        if isinstance(node, ast.If):
            out += _walk_toplevel(node.body) + _walk_toplevel(node.orelse)
        elif isinstance(node, ast.Try):  # the fallbacks of a failed optional import
            out += _walk_toplevel(node.body)  # (`except ImportError: h5py = None`) are not API
        else:
            out.append(node)
    return out


def _parse(path: Path, root: Path, package: str) -> _Module:
    name, is_package = _module_name(path, root, package)
    tree = ast.parse(path.read_bytes(), filename=str(path))
    module = _Module(name, tree, is_package)
    for node in _walk_toplevel(tree.body):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            module.defined[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    module.defined[target.id] = node
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node.level, node.module)
            for alias in node.names:
                if alias.name == "*":
                    module.stars.append(source)
                else:
                    module.imported[alias.asname or alias.name] = (source, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:  # `import numpy as np`: never a public name
                module.imported[alias.asname or alias.name.split(".")[0]] = ("<module>", "")
    return module


def _literal(node: ast.AST | None) -> Any:
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError:
        return None


def _interfaces(module: _Module | None) -> dict[str, dict[str, Any]]:
    """``legacy_X_support = generate_legacy_interface(...)`` of ``keras/legacy/interfaces.py``:
    decorator name -> its renames, value conversions, positional names and rule."""
    out: dict[str, dict[str, Any]] = {}
    if module is None:
        return out
    for name, node in module.defined.items():
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
            continue
        call = node.value
        func = ast.unparse(call.func)
        if not func.startswith("generate_legacy"):
            continue
        keywords = {k.arg: k.value for k in call.keywords}
        spec: dict[str, Any] = {}
        renames = _literal(keywords.get("conversions"))
        if renames:
            spec["rename"] = dict(renames)
        values = _literal(keywords.get("value_conversions"))
        if values:
            spec["values"] = {k: {str(a): b for a, b in v.items()} for k, v in values.items()}
        positional = _literal(keywords.get("allowed_positional_args"))
        if positional is not None:
            spec["positional"] = list(positional)
        if "preprocessor" in keywords:
            spec["rule"] = ast.unparse(keywords["preprocessor"])
        out[name] = spec
    return out


class _Reader:
    def __init__(self, modules: dict[str, _Module], packages: tuple[str, ...]) -> None:
        self.modules = modules
        self.packages = packages
        self._public: dict[str, dict[str, tuple[str, str]]] = {}
        self.interfaces = _interfaces(modules.get("keras.legacy.interfaces"))

    def internal(self, module: str) -> bool:
        return any(module == p or module.startswith(p + ".") for p in self.packages)

    def public(self, name: str) -> dict[str, tuple[str, str]]:
        """Public names of module ``name`` -> (defining module, name there)."""
        if name in self._public:
            return self._public[name]
        self._public[name] = {}  # import cycles: a module being read counts as empty
        module = self.modules.get(name)
        if module is None:
            return {}
        out: dict[str, tuple[str, str]] = {}
        reexports = module.is_package or name in REEXPORT_MODULES
        for star in module.stars:
            if self.internal(star):
                out.update(self.public(star) if star in self.modules else {})
        if reexports:
            for local, (source, attr) in module.imported.items():
                if local.startswith("_") or source == "<module>" or not self.internal(source):
                    continue
                if any(source == p or source.startswith(p + ".") for p in PRIVATE_SOURCES):
                    continue
                if f"{source}.{attr}" in self.modules:
                    continue  # a submodule, listed as a module of its own
                found = self.locate(source, attr)
                if found:
                    out[local] = found
        for local in module.defined:
            if not local.startswith("_"):
                out[local] = self._follow_assignment(module, local)
        for local, external in EXTERNAL_NAMES.get(name, {}).items():
            out[local] = (external, "<module>")
        self._public[name] = out
        return out

    def _follow_assignment(self, module: _Module, local: str) -> tuple[str, str]:
        """``Convolution2D = Conv2D``: the alias is the object it names."""
        node = module.defined[local]
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Name, ast.Attribute)):
            text = ast.unparse(node.value)
            if isinstance(node.value, ast.Name) and text in module.defined and text != local:
                return self._follow_assignment(module, text)
            if isinstance(node.value, ast.Name) and text in module.imported:
                source, attr = module.imported[text]
                if source != "<module>" and self.internal(source):
                    found = self.locate(source, attr)
                    if found:
                        return found
            if isinstance(node.value, ast.Attribute):  # image.random_rotation (a module alias)
                base = ast.unparse(node.value.value)
                if base in module.imported:
                    source, attr = module.imported[base]
                    target = f"{source}.{attr}" if source != "<module>" else ""
                    if target in self.modules:
                        found = self.locate(target, node.value.attr)
                        if found:
                            return found
        return module.name, local

    def locate(self, module: str, name: str, depth: int = 0) -> tuple[str, str] | None:
        found = self.public(module).get(name)
        if found:
            return found
        mod = self.modules.get(module)
        if mod is None:
            return None
        if name in mod.defined:
            return module, name
        source, attr = mod.imported.get(name, ("<module>", ""))
        if source != "<module>" and self.internal(source) and depth < 10:
            return self.locate(source, attr, depth + 1)  # imported there from elsewhere
        return None

    def node(self, module: str, name: str) -> ast.AST | None:
        found = self.modules.get(module)
        return found.defined.get(name) if found else None


def _class_facts(reader: _Reader, module: str, node: ast.ClassDef,
                 canonical: dict[tuple[str, str], str]) -> ObjectFacts:
    facts = ObjectFacts("class", module, bases=[])
    mod = reader.modules[module]
    base_nodes: list[tuple[str, ast.ClassDef]] = []
    for base in node.bases:
        text = ast.unparse(base)
        where: tuple[str, str] | None = None
        if text in mod.defined:
            where = reader._follow_assignment(mod, text)
        elif text in mod.imported and mod.imported[text][0] != "<module>":
            where = reader.locate(*mod.imported[text])
        elif "." in text:
            head, _, attr = text.rpartition(".")
            if head in mod.imported:
                source, sub = mod.imported[head]
                where = reader.locate(f"{source}.{sub}" if source != "<module>" else "", attr)
        if where:
            facts.bases.append(canonical.get(where, f"{where[0]}.{where[1]}"))
            base_node = reader.node(*where)
            if isinstance(base_node, ast.ClassDef):
                base_nodes.append((where[0], base_node))
    for item in node.body:
        if not isinstance(item, ast.FunctionDef):
            continue
        decorators = _decorators(item)
        for decorator in decorators:
            if decorator in reader.interfaces:
                facts.legacy[item.name] = reader.interfaces[decorator]
        if item.name == "__init__":
            params = _params(item.args, skip_self=True) + _allowed_kwargs(item)
            named = {p.name for p in params}
            facts.params = params + [p for p in _read_kwargs(item) if p.name not in named]
        if item.name.startswith("_"):
            pass
        elif "property" in decorators or "setter" in decorators:
            if item.name not in facts.properties:
                facts.properties.append(item.name)
        else:
            skip = "staticmethod" not in decorators
            facts.methods[item.name] = _params(item.args, skip_self=skip)
        for sub in ast.walk(item):
            targets = sub.targets if isinstance(sub, ast.Assign) else (
                [sub.target] if isinstance(sub, (ast.AugAssign, ast.AnnAssign)) else [])
            for target in targets:
                if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                        and target.value.id == "self" and not target.attr.startswith("_")):
                    attr = target.attr
                    if attr not in facts.attributes:
                        facts.attributes.append(attr)
    for base_module, base_node in base_nodes:
        if base_module.split(".")[0] != "keras":  # keras_preprocessing's classes are no rows
            inherited = _class_facts(reader, base_module, base_node, canonical)  # of their own
            for name, params in inherited.methods.items():
                facts.methods.setdefault(name, params)
            facts.properties += [p for p in inherited.properties if p not in facts.properties]
            facts.attributes += [a for a in inherited.attributes if a not in facts.attributes]
    facts.attributes = [a for a in facts.attributes
                        if a not in facts.properties and a not in facts.methods]
    if facts.params is None:  # inherited __init__
        for base_module, base_node in base_nodes:
            inherited = _class_facts(reader, base_module, base_node, canonical)
            if inherited.params is not None:
                facts.params = inherited.params
                break
    return facts


def _object_facts(reader: _Reader, module: str, name: str,
                  canonical: dict[tuple[str, str], str]) -> ObjectFacts:
    node = reader.node(module, name)
    if isinstance(node, ast.ClassDef):
        return _class_facts(reader, module, node, canonical)
    if isinstance(node, ast.FunctionDef):
        facts = ObjectFacts("function", module, params=_params(node.args, skip_self=False))
        for decorator in _decorators(node):
            if decorator in reader.interfaces:
                facts.legacy["__call__"] = reader.interfaces[decorator]
        return facts
    text = ast.unparse(node.value) if isinstance(node, ast.Assign) else ""
    return ObjectFacts("value", module, value=text[:80])


def _path_rank(path: str) -> tuple[int, int, str]:
    internal = sum(part in ("engine", "legacy", "topology") for part in path.split("."))
    return internal, len(path.split(".")), path


def read_tree(version: str, keras_root: Path, extra: dict[str, Path] | None = None) -> Tree:
    """The public API of the Keras source tree at ``keras_root`` (the folder holding
    ``keras/``); ``extra`` maps other packages (``keras_preprocessing``) to their roots."""
    roots = {"keras": keras_root, **(extra or {})}
    modules: dict[str, _Module] = {}
    for package, root in roots.items():
        for path in sorted((root / package).rglob("*.py")):
            if any(part.startswith("_") and part != "__init__.py"
                   for part in path.relative_to(root / package).parts) \
                    or path.stem in _SKIP_FILES:
                continue
            if "tests" in path.parts:
                continue
            module = _parse(path, root, package)
            modules[module.name] = module
    reader = _Reader(modules, tuple(roots))
    public_modules = sorted(m for m in modules
                            if m.split(".")[0] == "keras" and m not in INTERNAL_MODULES)
    paths: dict[tuple[str, str], list[str]] = {}
    for name in public_modules:
        for local, where in reader.public(name).items():
            paths.setdefault(where, []).append(f"{name}.{local}")
    canonical = {where: min(found, key=_path_rank) for where, found in paths.items()}
    objects: dict[str, ObjectFacts] = {}
    aliases: dict[str, str] = {}
    for where, found in sorted(paths.items()):
        main = canonical[where]
        if where[0] in modules and where[1] in modules[where[0]].defined:
            objects[main] = _object_facts(reader, where[0], where[1], canonical)
        else:
            objects[main] = ObjectFacts("value", where[0])
        for path in found:
            if path != main:
                aliases[path] = main
    return Tree(version, public_modules, objects, dict(sorted(aliases.items())))


def _param_fact(params: list[Param], param: Param) -> str:
    if param.kind == "pos":
        index = [p for p in params if p.kind == "pos"].index(param)
        return f"{index}={param.default}"
    if param.kind == "kwonly":
        return f"kw={param.default}"
    return param.kind


def _global_canonical(trees: list[Tree]) -> dict[str, str]:
    """One canonical path per object across versions: the paths that name an object in any
    version are one group (joined where versions share a path); its shortest public path wins."""
    parent: dict[str, str] = {}

    def find(path: str) -> str:
        while parent.setdefault(path, path) != path:
            parent[path] = parent[parent[path]]
            path = parent[path]
        return path

    for tree in trees:
        for alias, target in tree.aliases.items():
            parent[find(alias)] = find(target)
        for path in tree.objects:
            find(path)
    groups: dict[str, list[str]] = {}
    for path in parent:
        groups.setdefault(find(path), []).append(path)
    out = {}
    for members in groups.values():
        best = min(members, key=_path_rank)
        out.update({m: best for m in members})
    return out


def flatten(trees: list[Tree]) -> list[dict[str, Any]]:
    """Rows of the Keras 2 API across versions: ``{"kind", "path", "member", "keras2": {version:
    fact}}``, one per module, public name, parameter, class attribute and Keras 1 spelling."""
    rows: dict[tuple[str, str, str], dict[str, str]] = {}
    canonical = _global_canonical(trees)

    def add(kind: str, path: str, member: str, version: str, fact: str) -> None:
        rows.setdefault((kind, path, member), {})[version] = fact

    for tree in trees:
        v = tree.version
        for module in tree.modules:
            add("module", module, "", v, "module")
        for path, target in tree.aliases.items():
            if path != canonical[target]:
                add("name", path, "", v, f"alias of {canonical[target]}")
        for own, obj in tree.objects.items():
            path = canonical[own]
            if own != path:
                add("name", own, "", v, f"alias of {path}")
            add("name", path, "", v, obj.kind)
            callables: list[tuple[str, list[Param]]] = []
            if obj.params is not None:
                callables.append((path, obj.params))
            for method, params in obj.methods.items():
                add("attr", path, method, v, "method")
                callables.append((f"{path}.{method}", params))
            for prop in obj.properties:
                add("attr", path, prop, v, "property")
            for attr in obj.attributes:
                add("attr", path, attr, v, "attribute")
            for where, params in callables:
                for param in params:
                    add("param", where, param.name, v, _param_fact(params, param))
            for method, spec in obj.legacy.items():
                where = path if method in ("__init__", "__call__") else f"{path}.{method}"
                for old, new in spec.get("rename", {}).items():
                    values = spec.get("values", {}).get(old)
                    add("keras1", where, old, v, f"-> {new}" + (f" {values}" if values else ""))
                if "rule" in spec:
                    add("keras1", where, f"<{spec['rule']}>", v, "positional rule")
    return [{"kind": k, "path": p, "member": m, "keras2": facts}
            for (k, p, m), facts in sorted(rows.items())]
