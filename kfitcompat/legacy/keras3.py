"""What the installed Keras 3 has at each Keras 2 API row: introspected live, never stored by hand.

For a row of ``kfitcompat.legacy.api`` this module answers one *status*:

* ``same``: Keras 3 has the module, the name, the attribute or the parameter, at the same
  position with an equal default;
* ``missing``: Keras 3 lacks it (for a parameter: neither in the signature nor taken by a
  ``**kwargs`` that Keras 3's ``Layer.__init__`` accepts);
* ``moved``: a name Keras 3 lacks at this path but has at the row's canonical path (a Keras 2
  module path Keras 3 removed, ``keras.layers.core.Dense``);
* ``default``: the parameter's default differs (or Keras 3 requires what Keras 2 defaulted);
* ``position``: the parameter sits at another positional index (or is keyword-only);
* ``absent-callable``: a parameter or attribute of a callable Keras 3 lacks altogether (the
  name's own row says so).

This module imports Keras only inside its functions, and only Keras 3 as installed (before
``kfitcompat.install()``: callers run it in a process where nothing is patched, or call
``status_of`` on captured objects).
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import re
import sys
import textwrap
from collections.abc import Iterable
from typing import Any

from .accepts import accepted

__all__ = ["KERAS2", "STATUSES", "keras3_fact", "resolve", "status_of"]

#: The Keras 3 fact of a parameter a kfitcompat wrapper declares it takes as Keras 2 did.
KERAS2 = "as in Keras 2"

STATUSES = ("same", "missing", "moved", "default", "position", "absent-callable")
_MISSING = object()
#: Keyword arguments Keras 3's ``Layer.__init__`` pops from its ``**kwargs`` itself (its own
#: keyword parameters are read from its signature).
_LAYER_KWARGS = ("input_dim", "input_shape")
#: Keyword arguments Keras 3's ``Model(**kwargs)`` takes to build a functional model.
_MODEL_KWARGS = ("inputs", "outputs")


@functools.cache
def _module(path: str) -> Any:
    try:
        return importlib.import_module(path)
    except Exception:  # noqa: BLE001 - any failure to import means "not in Keras 3"
        return None


@functools.cache
def resolve(path: str) -> Any:
    """The Keras 3 object at dotted ``path`` (a module, a name, ``Class.method``), or
    ``_MISSING``."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        found = _module(".".join(parts[:i]))
        if found is None:
            continue
        for part in parts[i:]:
            try:
                found = inspect.getattr_static(found, part) if inspect.isclass(found) \
                    else getattr(found, part)
            except AttributeError:
                return _MISSING
            if isinstance(found, (staticmethod, classmethod)):
                found = found.__func__
        return found
    return _MISSING


@functools.cache
def _signature(obj: Any) -> inspect.Signature | None:
    target = obj
    if isinstance(obj, property):
        return None
    if inspect.isclass(obj):
        target = obj.__init__
    try:
        return inspect.signature(target)
    except (TypeError, ValueError):
        return None


def _instance_attributes(cls: type) -> set[str]:
    """``self.x = ...`` in the methods of ``cls`` and its bases (read from source: Keras's
    classes, and kfitcompat's where install() answers with them)."""
    names: set[str] = set()
    for klass in cls.__mro__:
        if klass.__module__.split(".")[0] in ("keras", "kfitcompat"):
            names |= _class_assignments(klass)
    return names


@functools.cache
def _class_assignments(klass: type) -> frozenset[str]:
    try:
        source = textwrap.dedent(inspect.getsource(klass))
    except (OSError, TypeError):
        return frozenset()
    found = set()
    for node in ast.walk(ast.parse(source)):
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
        for target in targets:
            if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                    and target.value.id == "self"):
                found.add(target.attr)
    return frozenset(found)


def _has_attribute(cls: Any, name: str) -> bool:
    if not inspect.isclass(cls):
        return hasattr(cls, name)
    for klass in _built_classes(cls):
        try:
            inspect.getattr_static(klass, name)
            return True
        except AttributeError:
            if name in _instance_attributes(klass):
                return True
    return False


def _built_classes(cls: type) -> list[type]:
    """``cls`` and, for ``keras.Model``, the class ``keras.Model(inputs, outputs)`` builds
    (Keras 2's ``Model`` was that graph network itself)."""
    import keras

    if cls is not keras.Model:
        return [cls]
    from .._keras_private import functional_class

    return [cls, functional_class()]


def _default_text(value: Any) -> str:
    if value is inspect.Parameter.empty:
        return "<required>"
    return repr(value)


def _same_default(keras2: str, value: Any) -> bool:
    if keras2 == "<required>":
        return value is inspect.Parameter.empty
    if value is inspect.Parameter.empty:
        return False
    try:
        legacy = ast.literal_eval(keras2)
    except (ValueError, SyntaxError):
        return True  # an expression (K.floatx(), a module constant): not compared
    legacy, value = _normal(legacy), _normal(value)
    try:
        return bool(legacy == value) and type(legacy) is type(value) or (
            isinstance(legacy, (int, float)) and not isinstance(legacy, bool)
            and isinstance(value, (int, float)) and not isinstance(value, bool)
            and legacy == value)
    except Exception:  # noqa: BLE001 - arrays and other exotic defaults
        return False


def _normal(value: Any) -> Any:
    """Defaults that mean the same: lists as tuples, ``(1, 1)`` as 1, initializer names
    without case (``'zeros'`` / ``'Zeros'``)."""
    if isinstance(value, list):
        value = tuple(value)
    if isinstance(value, tuple) and value and all(v == value[0] for v in value) and \
            isinstance(value[0], int) and not isinstance(value[0], bool):
        return value[0]
    if isinstance(value, str) and value.lower() in ("zeros", "ones"):
        return value.lower()
    return value


def keras3_fact(kind: str, path: str, member: str) -> str:
    """What Keras 3 has for one row, as text in the Keras 2 facts' form (``"0=None"``,
    ``"kw=True"``, ``"method"``, ``"class"``) or ``""`` when it has nothing."""
    if kind == "module":
        return "module" if _module(path) is not None else ""
    if kind == "name":
        found = resolve(path)
        if found is _MISSING or getattr(found, "__kfitcompat_refusal__", None):
            return ""  # (a kfitcompat stand-in that only raises, as tf.keras kept some)
        return "class" if inspect.isclass(found) else "function" if callable(found) else \
            "module" if inspect.ismodule(found) else "value"
    owner = resolve(path)
    if owner is _MISSING:
        return ""
    if kind == "attr":
        if not _has_attribute(owner, member) or getattr(
                inspect.getattr_static(owner, member, None), "__kfitcompat_refusal__", None):
            return ""
        found = inspect.getattr_static(owner, member, None) if inspect.isclass(owner) else None
        return "property" if isinstance(found, property) else \
            "method" if callable(found) else "attribute"
    if _declared(owner, member):
        return KERAS2
    signature = _signature(owner)
    if signature is None:
        return ""
    params = list(signature.parameters.values())
    if params and (inspect.isclass(owner) and params[0].name in ("self", "cls")
                   or _is_method(path)):
        params = params[1:]
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    for param in params:
        if param.name != member:
            continue
        if param.kind == param.VAR_POSITIONAL:
            return "*"
        if param.kind == param.VAR_KEYWORD:
            return "**"
        default = _default_text(param.default)
        if param.kind == param.KEYWORD_ONLY:
            return f"kw={default}"
        return f"{positional.index(param)}={default}"
    if (kind == "param" and inspect.isclass(owner)
            and any(p.kind == p.VAR_KEYWORD for p in params)
            and member in _layer_kwargs(owner)):
        return "kw=None"  # Layer.__init__(**kwargs) takes it
    return ""


def _is_method(path: str) -> bool:
    """Whether ``path`` names a function looked up on a class (its first parameter is the
    instance, whatever its name), not a static method."""
    parent_path, _, name = path.rpartition(".")
    parent = resolve(parent_path) if parent_path else _MISSING
    if not inspect.isclass(parent):
        return False
    try:
        found = inspect.getattr_static(parent, name)
    except AttributeError:
        return False
    return inspect.isfunction(found) or isinstance(found, classmethod)


def _declared(owner: Any, member: str) -> bool:
    """Whether a kfitcompat wrapper declares it takes ``member`` as Keras 2 did
    (``kfitcompat.legacy.accepts``): on the callable, or on the ``__init__`` of the class
    or of a Keras base it forwards ``**kwargs`` to."""
    if member in accepted(owner):
        return True
    if not inspect.isclass(owner):
        return False
    return any(member in accepted(getattr(klass.__dict__.get(method), "__func__",
                                          klass.__dict__.get(method)))
               for klass in owner.__mro__ for method in ("__init__", "__new__"))


def _layer_kwargs(owner: type) -> tuple[str, ...]:
    """What Keras 3's ``Layer.__init__`` takes from a subclass's ``**kwargs``."""
    import keras

    if not issubclass(owner, keras.layers.Layer):
        return ()
    signature = _signature(keras.layers.Layer)
    own = tuple(signature.parameters) if signature is not None else ()
    model = _MODEL_KWARGS if issubclass(owner, keras.Model) else ()
    return _LAYER_KWARGS + own + model


def status_of(kind: str, path: str, member: str, keras2: str, canonical: str = "") -> str:
    """The ``STATUSES`` entry for a row whose Keras 2 fact (newest version) is
    ``keras2`` and whose Keras 3 fact is computed live."""
    fact = keras3_fact(kind, path, member)
    if fact == KERAS2:
        return "same"
    if kind in ("module", "name", "attr", "keras1"):
        if fact:
            return "same"
        if kind == "name" and canonical and keras3_fact("name", canonical, ""):
            return "moved"
        if kind in ("attr", "keras1") and resolve(path) is _MISSING:
            return "absent-callable"
        return "missing"
    if not fact:
        return "absent-callable" if resolve(path) is _MISSING else "missing"
    if keras2 in ("*", "**") or fact in ("*", "**"):
        return "same" if keras2 == fact else "missing"
    where2, _, default2 = keras2.partition("=")
    where3, _, default3 = fact.partition("=")
    if where2 != where3 and where2 != "kw":
        return "position"
    if not _same_default(default2, _default_value(path, member)) and default2 != "<required>":
        return "default"  # (a default where Keras 2 required the argument changes no call)
    return "same"


def _default_value(path: str, member: str) -> Any:
    signature = _signature(resolve(path))
    if signature is None or member not in signature.parameters:
        return None  # taken by **kwargs: Keras 3's own default (None)
    return signature.parameters[member].default


def newest(facts: dict[str, str], versions: Iterable[str]) -> str:
    """The fact of the newest version that has one."""
    for version in reversed(list(versions)):
        if version in facts:
            return facts[version]
    return ""


_ALIAS = re.compile(r"alias of (\S+)")


def alias_target(fact: str) -> str:
    match = _ALIAS.fullmatch(fact)
    return match.group(1) if match else ""


def loaded() -> bool:
    """Whether Keras is imported in this process."""
    return "keras" in sys.modules


def clear_caches() -> None:
    """Forget what was resolved (after ``install()`` or ``uninstall()`` changed Keras)."""
    for cached in (_module, resolve, _signature, _class_assignments):
        cached.cache_clear()
