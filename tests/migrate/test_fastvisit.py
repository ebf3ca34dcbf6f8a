"""``kfitcompat.migrate.fastvisit``: the visitors' dispatch."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("libcst")



def test_no_fast_visitor_defines_a_per_attribute_hook():
    """FastDispatch answers LibCST's per-attribute hooks with nothing: a visitor using it
    must not rely on one (``visit_Call_func``, ``leave_Arg_value``)."""
    import importlib
    import pkgutil

    import kfitcompat.migrate as package
    from kfitcompat.migrate.fastvisit import FastDispatch

    for info in pkgutil.walk_packages(package.__path__, "kfitcompat.migrate."):
        importlib.import_module(info.name)

    def subclasses(cls: type) -> list[type]:
        return [cls, *(s for sub in cls.__subclasses__() for s in subclasses(sub))]

    ours = {k for cls in subclasses(FastDispatch) for k in cls.__mro__
            if k.__module__.startswith("kfitcompat.")}
    hooks = {f"{k.__name__}.{name}" for k in ours for name in vars(k)
             if re.fullmatch(r"(visit|leave)_[A-Z]\w*?_[a-z]\w*", name)}
    assert len(subclasses(FastDispatch)) >= 3 and hooks == set()
