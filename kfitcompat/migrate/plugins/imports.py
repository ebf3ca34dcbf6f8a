"""Import rules: moved modules, ``keras.utils.np_utils``, the legacy image names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import libcst as cst
from libcst.helpers import get_full_name_for_node

from ...keras2.modules import LEGACY, MODULES
from ..base import REGISTRY, Context
from ..rules import (
    ADDED_NAMES,
    IMAGE_NAMES_TO_KFITCOMPAT,
    IMPORT_MOVES,
    IMPORT_STAYS,
    PORTABLE_MODULES,
)

__all__ = ["FOLDED_UTILS", "import_from", "split_folded_utils", "split_image_import"]


@REGISTRY.register("ImportFrom", "import-moved", "image-import")
def import_from(ctx: Context, original: cst.ImportFrom, updated: cst.ImportFrom) -> Any:
    module = get_full_name_for_node(updated.module) if updated.module else None
    if module in IMPORT_MOVES:
        new, note = IMPORT_MOVES[module]
        names = () if isinstance(updated.names, cst.ImportStar) else updated.names
        stays = [a.name.value for a in names if isinstance(a.name, cst.Name)
                 and a.name.value in IMPORT_STAYS.get(module, ())]
        if stays:
            spec = MODULES.get(module)
            homes = spec if isinstance(spec, dict) else {}
            where = "; ".join(
                f"{name}: keep kfitcompat.install() (or from "
                f"{homes[name].replace(':', ' import ')})" if name in homes else name
                for name in stays)
            ctx.report(original, "import-moved", note, f"`{new}` has no such name: {where}",
                       False)
            return updated
        if ctx.report(original, "import-moved", note, f"from {new} import ...", True):
            return updated.with_changes(module=cst.parse_expression(new))
    if (module in MODULES and module not in IMPORT_MOVES
            and not isinstance(updated.names, cst.ImportStar)):
        return _module_names(ctx, original, updated, module)
    if module == "keras.preprocessing" and not isinstance(updated.names, cst.ImportStar):
        return _image_module(ctx, original, updated)
    if module == "keras.preprocessing.image" and not isinstance(updated.names, cst.ImportStar):
        moved = [a.name.value for a in updated.names
                 if isinstance(a.name, cst.Name) and a.name.value in IMAGE_NAMES_TO_KFITCOMPAT]
        if moved:
            ctx.report(original, "image-import", f"`{', '.join(moved)}`: cannot be "
                       "imported from keras.preprocessing.image in Keras 3",
                       "from kfitcompat.image import ...", True)
    return updated


def _module_names(ctx: Context, original: cst.ImportFrom, updated: cst.ImportFrom,
                  module: str) -> Any:
    """``from keras.engine.topology import Layer, InputSpec`` -> ``from keras.layers import
    Layer, InputSpec``: a Keras 2 module ``install()`` answers (``kfitcompat.keras2.modules``),
    rewritten to where Keras 3 keeps the names when they all live in one Keras 3 module, else
    reported with where each one is."""
    spec = MODULES[module]
    assert not isinstance(updated.names, cst.ImportStar)
    if isinstance(spec, str):
        keras3 = spec.startswith("keras") and not spec.startswith(LEGACY)
        added = sorted(a.name.value for a in updated.names if isinstance(a.name, cst.Name)
                       and a.name.value in ADDED_NAMES.get(spec, ()))
        if keras3 and added:  # names kfitcompat adds: Keras 3's module lacks them
            ctx.report(original, "import-moved", f"`{module}` is gone",
                       f"keep kfitcompat.install(): `{spec}` has no {', '.join(added)} in "
                       "Keras 3", False)
            return updated
        if ctx.report(original, "import-moved", f"`{module}` is gone",
                      f"from {spec} import ..." if keras3 else "keep kfitcompat.install() "
                      "(Keras 3 keeps only a private copy of the module)",
                      keras3) and keras3:
            return updated.with_changes(module=_dotted(spec))
        return updated
    found: list[tuple[cst.ImportAlias, str, str]] = []  # (alias, Keras 3 module, its name)
    for alias in updated.names:
        name = alias.name.value if isinstance(alias.name, cst.Name) else ""
        target = spec.get(name, "")
        where, _, attr = target.partition(":")
        found.append((alias, where, attr))
    homes = {where for _, where, _ in found}
    if len(homes) == 1 and all(w.startswith("keras") or w in PORTABLE_MODULES
                               for w in homes):
        home = homes.pop()
        if not ctx.report(original, "import-moved", f"`{module}` is gone",
                          f"from {home} import ...", True):
            return updated
        names = [alias.with_changes(name=cst.Name(attr), asname=alias.asname or (
            cst.AsName(name=cst.Name(alias.name.value)) if isinstance(alias.name, cst.Name)
            and alias.name.value != attr else None)) for alias, _, attr in found]
        return updated.with_changes(module=_dotted(home), names=names)
    places = "; ".join(
        f"{alias.name.value if isinstance(alias.name, cst.Name) else '?'}: "
        + (f"from {where} import {attr}" if where.startswith("keras") else
           f"keep kfitcompat.install() (or from {where} import {attr})" if where else
           "not translated")
        for alias, where, attr in found)
    ctx.report(original, "import-moved", f"`{module}` is gone", places, False,
               f"`{module}` is gone: {places}")
    return updated


def _image_module(ctx: Context, original: cst.ImportFrom, updated: cst.ImportFrom) -> Any:
    """``from keras.preprocessing import image`` used as ``image.ImageDataGenerator`` (a
    name Keras 3's module lacks) -> ``from kfitcompat import image`` (which has them all)."""
    names = updated.names
    assert not isinstance(names, cst.ImportStar)
    image = next((a for a in names if isinstance(a.name, cst.Name) and a.name.value == "image"),
                 None)
    if image is None:
        return updated
    bound = image.asname.name.value if image.asname and isinstance(image.asname.name, cst.Name) \
        else "image"
    missing = sorted(ctx.facts.attributes.get(bound, set()) & set(IMAGE_NAMES_TO_KFITCOMPAT))
    if not missing:
        return updated
    alone = len(names) == 1
    if ctx.report(original, "image-import", f"`{bound}.{', '.join(missing)}`: Keras 3's "
                  "keras.preprocessing.image has no such name", "from kfitcompat import image",
                  alone, None if alone else "import `image` with `from kfitcompat import image`"
                  ) and alone:
        return updated.with_changes(module=cst.Name("kfitcompat"))
    return updated


#: Keras 2 modules of ``keras.utils`` whose public functions Keras 3 keeps in ``keras.utils``
#: itself (``np_utils.to_categorical``, ``generic_utils.Progbar``, ``data_utils.get_file``,
#: ``vis_utils.plot_model``).
FOLDED_UTILS: tuple[str, ...] = ("np_utils", "generic_utils", "data_utils", "vis_utils")


@REGISTRY.register("SimpleStatementLine", "import-moved")
def split_folded_utils(ctx: Context, original: cst.SimpleStatementLine,
                       updated: cst.SimpleStatementLine) -> Any:
    """``from keras.utils import np_utils, generic_utils, to_categorical`` -> ``from keras
    import utils as np_utils``, ``from keras import utils as generic_utils``, and the other
    names kept where they were (Keras 3 has no ``keras.utils.np_utils`` module)."""
    node, module = _lone_import_from(updated)
    if node is None or module not in ("keras.utils", "tensorflow.keras.utils"):
        return updated
    folded = _named(node, FOLDED_UTILS)
    if not folded:
        return updated
    listed = ", ".join(f"`keras.utils.{a.name.value}`" for a in folded)  # type: ignore[union-attr]
    bound: list[str] = [
        a.asname.name.value if a.asname and isinstance(a.asname.name, cst.Name)
        else str(a.name.value) for a in folded]  # type: ignore[union-attr]
    if not ctx.report(original, "import-moved", f"{listed}: gone; the functions are in "
                      "`keras.utils`", f"from keras import utils as {bound[0]}", True):
        return updated
    package = module.rpartition(".")[0]
    statements = [updated.with_changes(
        body=[cst.ImportFrom(module=_dotted(package), names=[cst.ImportAlias(
            name=cst.Name("utils"), asname=cst.AsName(name=cst.Name(name)))])],
        leading_lines=updated.leading_lines if n == 0 else [])
        for n, name in enumerate(bound)]
    kept = [a for a in node.names if a not in folded]  # type: ignore[union-attr]
    if kept:
        statements.append(updated.with_changes(
            body=[node.with_changes(names=_without_trailing_comma(kept))], leading_lines=[]))
    return statements[0] if len(statements) == 1 else cst.FlattenSentinel(statements)


def _dotted(name: str) -> cst.Attribute | cst.Name:
    expr = cst.parse_expression(name)
    assert isinstance(expr, (cst.Attribute, cst.Name))
    return expr


def _lone_import_from(statement: cst.SimpleStatementLine
                      ) -> tuple[cst.ImportFrom | None, str | None]:
    """The statement's ``from M import a, b`` (no star) and ``M``, when it is the whole
    statement; ``(None, None)`` otherwise."""
    if not (len(statement.body) == 1 and isinstance(statement.body[0], cst.ImportFrom)):
        return None, None
    node = statement.body[0]
    if isinstance(node.names, cst.ImportStar):
        return None, None
    return node, get_full_name_for_node(node.module) if node.module else None


def _named(node: cst.ImportFrom, names: Any) -> list[cst.ImportAlias]:
    """The aliases of ``node`` that import one of ``names``."""
    assert not isinstance(node.names, cst.ImportStar)
    return [a for a in node.names if isinstance(a.name, cst.Name) and a.name.value in names]


def _without_trailing_comma(aliases: Sequence[cst.ImportAlias]) -> list[cst.ImportAlias]:
    out = list(aliases)
    out[-1] = out[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return out


@REGISTRY.register("SimpleStatementLine", "image-import")
def split_image_import(ctx: Context, original: cst.SimpleStatementLine,
                       updated: cst.SimpleStatementLine) -> Any:
    """``from keras.preprocessing.image import ImageDataGenerator, img_to_array`` -> the
    legacy names from ``kfitcompat.image``, the rest kept where they were."""
    if not ctx.applies("image-import"):
        return updated
    node, module = _lone_import_from(updated)
    if node is None or module != "keras.preprocessing.image":
        return updated
    moved = _named(node, IMAGE_NAMES_TO_KFITCOMPAT)
    if not moved:
        return updated
    kept = [a for a in node.names if a not in moved]  # type: ignore[union-attr]
    clean = _without_trailing_comma
    new_import = updated.with_changes(body=[node.with_changes(
        module=cst.parse_expression("kfitcompat.image"), names=clean(moved),
        lpar=None if len(moved) == 1 else node.lpar,
        rpar=None if len(moved) == 1 else node.rpar)])
    if not kept:
        return new_import
    old_import = updated.with_changes(body=[node.with_changes(names=clean(kept))],
                                      leading_lines=[])
    return cst.FlattenSentinel([new_import, old_import])


def _keras2_aliases() -> dict[str, dict[str, str]]:
    from ...keras2.constraints import LOWER_CASE_NAMES as CONSTRAINTS
    from ...keras2.losses import KERAS2_LOSS_NAMES as LOSSES

    return {"keras.losses": LOSSES, "keras.metrics": LOSSES, "keras.constraints": CONSTRAINTS}


_KERAS2_ALIASES = _keras2_aliases()


@REGISTRY.register("ImportFrom", "keras2-alias-import")
def keras2_alias_import(ctx: Context, original: cst.ImportFrom, updated: cst.ImportFrom
                        ) -> Any:
    """``from keras.losses import mse`` -> ``from keras.losses import mean_squared_error as
    mse`` (Keras 2's aliases ``mse``/``mae``/... and ``maxnorm``/``nonneg``/``unitnorm``,
    which Keras 3 dropped); the rest of the module keeps its names."""
    from libcst.helpers import get_full_name_for_node

    module = get_full_name_for_node(updated.module) if updated.module else ""
    table = _KERAS2_ALIASES.get((module or "").replace("tensorflow.keras", "keras"))
    if not table or isinstance(updated.names, cst.ImportStar):
        return updated
    names = []
    changed = []
    for alias in updated.names:
        name = alias.name.value if isinstance(alias.name, cst.Name) else ""
        if name in table:
            bound = alias.asname.name if alias.asname else cst.Name(name)
            alias = alias.with_changes(name=cst.Name(table[name]),
                                       asname=cst.AsName(name=bound))
            changed.append(f"{name} -> {table[name]}")
        names.append(alias)
    if not changed or not ctx.report(original, "keras2-alias-import",
                                     f"`from {module} import ...`: Keras 3 dropped "
                                     f"{', '.join(changed)}", "import the Keras 3 name as "
                                     "the old one", True):
        return updated
    return updated.with_changes(names=names)
