"""Positions per top-level statement (kfitcompat/migrate/positions.py) equal LibCST's
whole-module ``PositionProvider`` for every node: a finding's line and column must not
depend on the shortcut."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from kfitcompat.migrate.positions import Positions

ROOT = Path(__file__).resolve().parents[2]

TRICKY = {
    "decorators-and-comments": (
        "#!/usr/bin/env python\n# a header comment\n\nimport keras\n\n\n"
        "@decorator\n@other(1,\n       2)\ndef f(x):\n    return x  # tail\n\n"
        "class A(object):\n    @property\n    def p(self):\n        return 1\n"),
    "semicolons": "a = 1; b = keras.layers.Dense(2); c = 3\nif a: b = 2; c = 4\nd = 5\n",
    "tabs-and-crlf": "def f():\r\n\tif x:\r\n\t\treturn K.sum(x)\r\n\treturn 0\r\n",
    "two-space-indent": "class A:\n  def f(self):\n    return keras.ops.sum(\n      x)\n",
    "continuations": ("x = 1 + \\\n    2\ny = (K.mean(a,\n           axis=1))\n"
                      "\"\"\"doc\nstring\"\"\"\n"),
    "form-feed": "a = 1\n\x0c\ndef f():\n    return K.abs(a)\n",
    "no-trailing-newline": "import keras\nm = keras.Model(i, o)",
    "async-and-match": (
        "async def f():\n    async with a as b:\n        await keras.ops.sum(b)\n"
        "match x:\n    case [1, 2]:\n        y = K.sum(x)\n    case _:\n        pass\n"),
}


def _sources():
    for name, text in TRICKY.items():
        yield pytest.param(text, id=name)
    folders = (ROOT / "tests" / "migrate" / "scripts", ROOT / "kfitcompat" / "migrate")
    for path in sorted(p for folder in folders for p in folder.rglob("*.py"))[:60]:
        yield pytest.param(path.read_text(encoding="utf-8"), id=path.name)


class _Parents(cst.CSTVisitor):
    def __init__(self):
        self.parent_of = {}
        self.open = []

    def on_visit(self, node):
        self.parent_of[node] = self.open[-1] if self.open else None
        self.open.append(node)
        return True

    def on_leave(self, original_node):
        self.open.pop()


@pytest.mark.parametrize("source", _sources())
def test_every_node_has_the_whole_module_position(source):
    module = cst.parse_module(source)
    parents = _Parents()
    module.visit(parents)
    want = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    got = Positions(module, source, parents.parent_of.get)
    nodes = [n for n in parents.parent_of if n is not module and n in want]
    assert nodes
    wrong = [(type(n).__name__, want[n], got[n]) for n in nodes if got[n] != want[n]]
    assert not wrong, wrong[:3]
