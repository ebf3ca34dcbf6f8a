"""Data file rules: ``load_img(grayscale=True)``, ``get_file(extract=True)``."""

from __future__ import annotations

from typing import Any

import libcst as cst

from ..base import REGISTRY, Context, call_name
from ..edits import code_of, drop_args, keyword_arg, rename_keyword

__all__ = ["get_file_extract", "load_img_grayscale"]


@REGISTRY.register("Call", "load-img-grayscale")
def load_img_grayscale(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """``load_img(p, grayscale=True)`` (Keras 2, tf.keras <= 2.8) -> ``load_img(p,
    color_mode="grayscale")``; Keras 3's ``load_img`` has no ``grayscale``. ``False`` is
    dropped; another expression becomes ``"grayscale" if expr else "rgb"``."""
    if call_name(updated) != "load_img":
        return updated
    arg = keyword_arg(updated, "grayscale")
    if arg is None:
        return updated
    message = "`load_img(grayscale=...)`: Keras 3's load_img has no `grayscale`"
    if keyword_arg(updated, "color_mode") is not None:
        ctx.report(original, "load-img-grayscale", message, "drop `grayscale=`", False,
                   "load_img: Keras 3 has no `grayscale=`; `color_mode=` decides")
        return updated
    value = code_of(arg.value)
    if value == "False":
        new = drop_args(updated, {"grayscale"})
        fix = "drop `grayscale=False`"
    else:
        mode = '"grayscale"' if value == "True" else f'"grayscale" if {value} else "rgb"'
        new = rename_keyword(updated, "grayscale", "color_mode", cst.parse_expression(mode))
        fix = f"color_mode={mode}"
    if ctx.report(original, "load-img-grayscale", message, fix, True):
        return new
    return updated


@REGISTRY.register("Call", "get-file-extract")
def get_file_extract(ctx: Context, original: cst.Call, updated: cst.Call) -> Any:
    """``get_file(fname, origin, extract=True)`` (or ``untar=True``) ->
    ``os.path.join(get_file(...), fname)``. Keras 2 returned the archive's path with the
    contents extracted beside it (``untar``: the extracted folder ``fname``); Keras 3 returns
    the folder it extracts into, ``<name>_extracted`` (``untar``: ``fname`` with the archive's
    folder inside). Joined with ``fname``, the scripts' ``os.path.dirname(path)`` (and the
    ``untar`` folder) name the same contents again."""
    if call_name(updated) != "get_file":
        return updated
    flag = next((a for a in (keyword_arg(updated, "extract"), keyword_arg(updated, "untar"))
                 if a is not None and code_of(a.value) == "True"), None)
    if flag is None or _joined(ctx, original):
        return updated
    message = ("`get_file(..., extract=True)`: Keras 3 returns the folder it extracted into, "
               "not the archive's path")
    fname = keyword_arg(updated, "fname") or next(
        (a for a in updated.args if a.keyword is None), None)
    if fname is None:
        ctx.report(original, "get-file-extract", message, "build paths from the returned "
                   "folder", False, "Keras 3's get_file(extract=True) returns the folder it "
                   "extracted into: build the paths below from it")
        return updated
    new = cst.Call(func=cst.parse_expression("os.path.join"),
                   args=[cst.Arg(updated, comma=cst.Comma(
                       whitespace_after=cst.SimpleWhitespace(" "))),
                         cst.Arg(fname.value)])
    if ctx.report(original, "get-file-extract", message, "os.path.join(get_file(...), "
                  f"{code_of(fname.value)})", True,
                  "Keras 3's get_file(extract=True) returns the folder it extracted into; "
                  "joined with the file name, os.path.dirname() of it is that folder (the "
                  "archive itself is not at this path)"):
        ctx.require_import("import os")
        return new
    return updated


def _joined(ctx: Context, original: cst.Call) -> bool:
    """Already the first argument of ``os.path.join`` (a migrated call)."""
    arg = ctx.parent(original)
    call = ctx.parent(arg) if isinstance(arg, cst.Arg) else None
    return (isinstance(call, cst.Call) and code_of(call.func) == "os.path.join"
            and bool(call.args) and call.args[0] is arg)
