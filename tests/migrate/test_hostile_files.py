"""check / migrate on what a legacy repository really holds: other encodings, byte-order
marks and CRLF, Python 2, symlinks out of the tree, named pipes, read-only files, very deep
expressions, nbformat 3 and broken notebooks. Each is one reported line for that file (or a
correct migration), never a traceback, and the other files are still processed."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("libcst")

from kfitcompat.cli import main  # noqa: E402
from kfitcompat.migrate.base import REGISTRY  # noqa: E402

# every rule family's golden cases (tests/migrate/test_<plugin>.py, where it has a file)
FAMILIES = [importlib.import_module(f"{__package__}.test_{family}")
            for family in sorted(set(REGISTRY.rules.values()))
            if (Path(__file__).parent / f"test_{family}.py").exists()]


@pytest.fixture(autouse=True)
def _own_result_cache(tmp_path_factory, monkeypatch):
    """Each test's runs keep their cache of results in a folder of their own."""
    monkeypatch.setenv("KFITCOMPAT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


LEGACY = "model.fit_generator(g, 3)\n"
MIGRATED = "model.fit(g, steps_per_epoch=3)\n"


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, "-m", "kfitcompat", *args], capture_output=True,
                          text=True, timeout=120, env=env)


def test_a_coding_cookie_is_honoured_and_the_file_written_back_in_its_encoding(tmp_path):
    path = tmp_path / "latin.py"
    head = "# -*- coding: latin-1 -*-\n# données météo\nimport keras\n"
    path.write_bytes((head + LEGACY).encode("latin-1"))
    assert main(["migrate", "--write", str(path)]) == 0
    assert path.read_bytes() == (head + MIGRATED).encode("latin-1")


def test_an_undecodable_file_is_one_line_with_its_offset_and_the_others_are_processed(
        tmp_path, capsys):
    bad = tmp_path / "a_bad.py"
    bad.write_bytes(b"import keras\n# caf\xe9\n" + LEGACY.encode())
    good = tmp_path / "b_good.py"
    good.write_text("import keras\n" + LEGACY)
    assert main(["migrate", "--write", str(tmp_path)]) == 123
    err = capsys.readouterr().err
    assert f"{bad}:2: cannot decode: byte 0xe9 at offset 18 (line 2) is not valid utf-8" in err
    assert "PEP 263" in err and "Traceback" not in err
    assert good.read_text() == "import keras\n" + MIGRATED
    assert bad.read_bytes() == b"import keras\n# caf\xe9\n" + LEGACY.encode()


# a file as an editor on another system saves it: each variant of a golden case's source
VARIANTS = {
    "crlf": lambda s: s.replace("\n", "\r\n").encode(),
    "bom": lambda s: b"\xef\xbb\xbf" + s.encode(),
    "cookie": lambda s: ("# -*- coding: latin-1 -*-\n" + s).encode("latin-1"),
    "bom-cookie-crlf": lambda s: b"\xef\xbb\xbf" + ("# -*- coding: utf-8 -*-\n" + s).replace(
        "\n", "\r\n").encode(),
}
REWRITES = [case for family in FAMILIES for cases in ("CASES", "SEQUENCE_CASES", "HELPER_CASES")
            for case in getattr(family, cases, [])]
MUST_NOT_CHANGE = [case for family in FAMILIES for case in getattr(family, "MUST_NOT_CHANGE", [])]


@pytest.mark.parametrize("before, after", REWRITES)
def test_every_golden_rewrite_keeps_encoding_bom_and_line_endings_and_is_idempotent(
        tmp_path, before, after):
    files = [str(tmp_path / f"{name}.py") for name in VARIANTS]  # named: always parsed
    for name, variant in VARIANTS.items():
        (tmp_path / f"{name}.py").write_bytes(variant(before))
    assert main(["migrate", "--write", *files]) == 0
    written = {name: (tmp_path / f"{name}.py").read_bytes() for name in VARIANTS}
    assert written == {name: variant(after) for name, variant in VARIANTS.items()}
    assert main(["migrate", "--write", *files]) == 0  # a second run changes nothing
    assert {name: (tmp_path / f"{name}.py").read_bytes() for name in VARIANTS} == written


@pytest.mark.parametrize("source", MUST_NOT_CHANGE)
def test_a_file_with_nothing_to_rewrite_is_not_written(tmp_path, source):
    for name, variant in VARIANTS.items():
        (tmp_path / f"{name}.py").write_bytes(variant(source))
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    assert main(["migrate", "--write", *map(str, tmp_path.iterdir())]) == 0
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()} == before


PYTHON2 = {
    "except.py": ("import keras\n" + LEGACY + "try:\n    pass\nexcept ValueError, e:\n"
                  "    raise\n", 5),
    "print.py": ("import keras\n\n\ndef report(history):\n    print 'loss', history\n"
                 + LEGACY, 5),
}


def test_python2_files_are_named_at_cpython_s_line_with_a_hint_and_never_rewritten(
        tmp_path, capsys):
    for name, (source, _) in PYTHON2.items():
        (tmp_path / name).write_text(source)
    assert main(["migrate", "--write", str(tmp_path)]) == 123
    err = capsys.readouterr().err
    for name, (source, line) in PYTHON2.items():
        assert re.search(rf"{re.escape(str(tmp_path / name))}:{line}:\d+: cannot parse: .*"
                         r"\(Python 2 code: convert the file to Python 3 first", err), err
        assert (tmp_path / name).read_text() == source  # not rewritten
    assert main(["migrate", "--check", str(tmp_path)]) == 123  # a CI gate does not pass it


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("2to3") is None, reason="needs 2to3 (Python <= 3.12)")
def test_the_python2_hint_works(tmp_path, capsys):
    """The command the hint names converts the file, which then migrates."""
    path = tmp_path / "old.py"
    path.write_text(PYTHON2["except.py"][0])
    main(["check", str(path)])
    command = re.search(r"`(2to3[^`]*)`", capsys.readouterr().out).group(1)
    subprocess.run(command.replace("FILE", str(path)).split(), check=True, capture_output=True)
    assert main(["migrate", "--write", str(path)]) == 0
    assert MIGRATED in path.read_text() and "except ValueError as e:" in path.read_text()


def test_a_symlink_to_a_file_outside_the_tree_is_reported_and_never_rewritten(tmp_path,
                                                                               capsys):
    tree = tmp_path / "tree"
    tree.mkdir()
    outside = tmp_path / "outside.py"
    outside.write_text(LEGACY)
    (tree / "link.py").symlink_to(outside)
    (tree / "real.py").write_text(LEGACY)
    (tree / "alias.py").symlink_to(tree / "real.py")  # inside the tree: read once, as itself
    assert main(["migrate", "--write", str(tree)]) == 0
    err = capsys.readouterr().err
    assert f"note: {tree / 'link.py'}: skipped: a symbolic link to {outside}, outside" in err
    assert "rewrote 1 legacy use(s) in 1 file(s)" in err
    assert outside.read_text() == LEGACY
    assert (tree / "real.py").read_text() == MIGRATED
    assert main(["migrate", "--write", str(tree / "link.py")]) == 0  # named: read
    assert outside.read_text() == MIGRATED


@pytest.mark.slow
def test_a_named_pipe_is_never_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "train.py").write_text(LEGACY)
    out = _cli("check", str(tmp_path))  # blocked forever if the pipe were opened
    assert out.returncode == 1, out.stderr
    assert f"note: {tmp_path / 'pipe.py'}: skipped: a named pipe" in out.stdout
    assert f"{tmp_path / 'train.py'}:1:1: [fit_generator]" in out.stdout


@pytest.fixture
def unwritable(tmp_path):
    """A real file this process cannot write: immutable for root (chattr +i), read-only
    for anyone else."""
    path = tmp_path / "a_locked.py"
    path.write_text("import keras\n" + LEGACY)
    if os.geteuid() == 0:
        made = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
        if made.returncode != 0:
            pytest.skip(f"cannot make an immutable file here: {made.stderr!r}")
    else:
        path.chmod(stat.S_IRUSR)
    yield path
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_an_unwritable_file_is_one_line_and_the_files_after_it_are_migrated(
        tmp_path, unwritable, capsys):
    after = tmp_path / "b_after.py"
    after.write_text(LEGACY)
    assert main(["migrate", "--write", str(tmp_path)]) == 123
    err = capsys.readouterr().err
    assert f"{unwritable}: not written: " in err and "Traceback" not in err
    assert "rewrote 1 legacy use(s) in 1 file(s)" in err
    assert unwritable.read_text() == "import keras\n" + LEGACY
    assert after.read_text() == MIGRATED


DEEP = {
    "concatenation.py": "s = " + " + ".join(["'a'"] * 400) + "\n",
    "brackets.py": "x = " + "[" * 190 + "]" * 190 + "\n",
}


@pytest.mark.slow
def test_very_deep_valid_expressions_are_checked_and_migrated(tmp_path):
    """In a process of its own (Python's default recursion limit, as a user runs it)."""
    for name, expression in DEEP.items():
        (tmp_path / name).write_text("import keras\n" + expression + LEGACY)
    out = _cli("check", str(tmp_path))
    assert out.returncode == 1, out.stderr[-2000:]
    for name in DEEP:
        assert f"{tmp_path / name}:3:1: [fit_generator]" in out.stdout
    out = _cli("migrate", "--write", str(tmp_path))
    assert out.returncode == 0, out.stderr[-2000:]
    for name, expression in DEEP.items():
        assert (tmp_path / name).read_text() == "import keras\n" + expression + MIGRATED


def _v3_notebook(path, *codes):
    cells = [{"cell_type": "heading", "level": 1, "metadata": {}, "source": ["Training"]}]
    cells += [{"cell_type": "code", "collapsed": False, "input": code.splitlines(True),
               "language": "python", "metadata": {}, "outputs": []} for code in codes]
    path.write_text(json.dumps({"metadata": {"name": ""}, "nbformat": 3, "nbformat_minor": 0,
                                "worksheets": [{"cells": cells, "metadata": {}}]}, indent=1))
    return path


def test_an_nbformat3_notebook_is_checked_and_migrated_in_its_own_form(tmp_path, capsys):
    nb = _v3_notebook(tmp_path / "old.ipynb", "from keras.models import Sequential\n",
                      "model.fit_generator(gen, samples_per_epoch=64, nb_epoch=2)\n")
    assert main(["check", str(nb)]) == 1
    out = capsys.readouterr().out
    assert f"{nb}:cell 3:1:1: [fit_generator]" in out and "[nb_epoch]" in out
    assert main(["migrate", "--write", str(nb)]) == 0
    data = json.loads(nb.read_text())
    assert data["nbformat"] == 3 and "cells" not in data
    cells = data["worksheets"][0]["cells"]
    assert "".join(cells[2]["input"]).endswith(
        "counted samples: divide `steps_per_epoch` by your batch size\n"
        "model.fit(gen, steps_per_epoch=64, epochs=2)\n")
    assert cells[0]["source"] == ["Training"]
    assert main(["check", str(nb)]) == 1  # the note asks for a division by hand
    assert f"{nb}:cell 3:1:1: [manual-check]" in capsys.readouterr().out


def test_a_truncated_or_empty_notebook_is_one_line_and_the_valid_one_is_migrated(
        tmp_path, capsys):
    (tmp_path / "a_empty.ipynb").write_text("")
    (tmp_path / "b_truncated.ipynb").write_text('{"cells": [{"cell_type": "code", "sour')
    good = tmp_path / "c_good.ipynb"
    good.write_text(json.dumps({"cells": [{"cell_type": "code", "source": [LEGACY],
                                           "metadata": {}, "outputs": []}],
                                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    assert main(["migrate", "--write", str(tmp_path)]) == 123
    err = capsys.readouterr().err
    assert f"{tmp_path / 'a_empty.ipynb'}:1:1: not a readable notebook: empty" in err
    assert f"{tmp_path / 'b_truncated.ipynb'}:1:" in err and "Traceback" not in err
    assert json.loads(good.read_text())["cells"][0]["source"] == [MIGRATED]
