"""Migrated legacy scripts really run on Keras 3; the CLI's exit codes, formats and errors."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("libcst")

from kfitcompat.cli import main  # noqa: E402
from kfitcompat.migrate import migrate_source  # noqa: E402


@pytest.fixture(autouse=True)
def _own_result_cache(tmp_path_factory, monkeypatch):
    """Each test's runs keep their cache of results in a folder of their own."""
    monkeypatch.setenv("KFITCOMPAT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts")
NAMES = ["cifar10_cnn_style.py", "keras1_little_data.py", "keras1_mnist.py",
         "keras2_sequence_workers.py", "keras2_lr_schedule.py", "keras2_history_keys.py"]


def _run(path: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, path], capture_output=True, text=True, timeout=300,
                          env=env, cwd=os.path.dirname(path))


@pytest.mark.slow  # subprocesses
def test_the_legacy_scripts_fail_on_plain_keras3():
    """Why the tool exists: unmigrated, the first one fails at its import."""
    out = _run(os.path.join(SCRIPTS, "cifar10_cnn_style.py"))
    assert out.returncode != 0
    assert "ImageDataGenerator" in out.stderr or "np_utils" in out.stderr


@pytest.mark.slow
def test_the_history_keys_script_fails_on_plain_keras3_at_its_keras2_reading():
    """Unmigrated, Keras 3 reads Conv2D(4, 3, 3) as strides=3 (and the 'acc' key is missing)."""
    out = _run(os.path.join(SCRIPTS, "keras2_history_keys.py"))
    assert out.returncode != 0
    assert "kernel_size" in out.stderr or "KeyError: 'acc'" in out.stderr


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_migrated_script_runs_on_keras3(tmp_path, name):
    with open(os.path.join(SCRIPTS, name)) as f:
        source = f.read()
    migrated, findings = migrate_source(source)
    assert findings and migrated != source
    imports_kfitcompat = [line for line in migrated.splitlines() if "kfitcompat" in line
                          and line.lstrip().startswith(("import ", "from "))]
    assert all(line.startswith("from kfitcompat.image import") for line in imports_kfitcompat)
    path = tmp_path / name
    path.write_text(migrated)
    out = _run(str(path))
    assert out.returncode == 0, out.stderr[-3000:]
    assert migrate_source(migrated)[0] == migrated


@pytest.mark.slow
def test_target_kfitcompat_script_runs_unchanged_otherwise(tmp_path):
    shutil.copy(os.path.join(SCRIPTS, "keras1_little_data.py"), tmp_path / "s.py")
    assert main(["migrate", "--target", "kfitcompat", "--write", str(tmp_path / "s.py")]) == 0
    text = (tmp_path / "s.py").read_text()
    assert "kfitcompat.install()" in text and "fit_generator(" in text
    out = _run(str(tmp_path / "s.py"))
    assert out.returncode == 0, out.stderr[-3000:]


def test_check_exit_codes_and_json(tmp_path, capsys):
    clean = tmp_path / "clean.py"
    clean.write_text("model.fit(x, y, epochs=2)\n")
    legacy = tmp_path / "legacy.py"
    legacy.write_text("x = 1\nmodel.fit_generator(g, nb_epoch=2)\n")
    assert main(["check", str(clean)]) == 0
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"{legacy}:2:1: [fit_generator]" in out
    assert main(["check", "--format", "json", str(legacy)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert {f["rule"] for f in report["findings"]} == {"fit_generator", "nb_epoch"}
    assert main(["check", str(tmp_path / "missing.py")]) == 2
    assert main(["check"]) == 2
    assert main(["frobnicate"]) == 2


def test_a_file_that_does_not_parse_is_reported_and_the_others_processed(tmp_path, capsys):
    """As black: the file that does not parse is named with its line, the others are
    written, and the exit status is 123 (`check` too: a CI gate must not pass it)."""
    (tmp_path / "a_broken.py").write_text("import keras\ndef f(:\n    pass\n")
    good = tmp_path / "b_good.py"
    good.write_text("model.fit_generator(g, 3)\n")
    assert main(["migrate", "--write", str(tmp_path)]) == 123
    err = capsys.readouterr().err
    assert re.search(r"a_broken\.py:2:\d+: cannot parse", err)
    assert good.read_text() == "model.fit(g, steps_per_epoch=3)\n"
    assert main(["check", str(tmp_path)]) == 123  # the broken file still counts


def test_migrate_diff_by_default_and_notebook_cells(tmp_path, capsys):
    script = tmp_path / "s.py"
    script.write_text("model.fit_generator(g, 3)\n")
    assert main(["migrate", str(script)]) == 0
    captured = capsys.readouterr()
    assert "-model.fit_generator(g, 3)" in captured.out
    assert "+model.fit(g, steps_per_epoch=3)" in captured.out
    assert script.read_text() == "model.fit_generator(g, 3)\n"  # --diff writes nothing
    nb = tmp_path / "n.ipynb"
    nb.write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "source": ["# title"]},
        {"cell_type": "code", "source": ["!pip install keras"]},
        {"cell_type": "code", "source": ["h = model.fit(x, y, nb_epoch=5)\n"]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    assert main(["check", str(nb)]) == 1
    assert f"{nb}:cell 3:1:" in capsys.readouterr().out
    assert main(["migrate", "--write", str(nb)]) == 0
    cells = json.loads(nb.read_text())["cells"]
    assert cells[2]["source"] == ["h = model.fit(x, y, epochs=5)\n"]
    assert cells[1]["source"] == ["!pip install keras"]


@pytest.mark.parametrize("archive, fname, flag, folder", [
    ("zip", "cats_and_dogs.zip", "extract", "os.path.join(os.path.dirname(path), 'filtered')"),
    ("gztar", "flower_photos", "untar", "path"),
])
def test_migrated_get_file_extract_finds_the_contents_on_keras3(tmp_path, archive, fname, flag,
                                                                 folder):
    """Keras 2's idioms around get_file(extract=True) / (untar=True), migrated, name the
    extracted folder on plain Keras 3 (a real archive, fetched from a file:// origin)."""
    top = "filtered" if flag == "extract" else "flower_photos"
    (tmp_path / "src" / top / "cats").mkdir(parents=True)
    (tmp_path / "src" / top / "cats" / "cat.0.jpg").write_bytes(b"jpeg")
    made = shutil.make_archive(str(tmp_path / "archive"), archive, tmp_path / "src")
    source = (f"import os\nimport keras\npath = keras.utils.get_file({fname!r}, "
              f"origin={Path(made).as_uri()!r}, {flag}=True, cache_dir={str(tmp_path)!r})\n"
              f"folder = {folder}\n")
    new, findings = migrate_source(source)
    assert "get-file-extract" in [f.rule for f in findings]
    namespace: dict = {}
    exec(compile(new, "migrated.py", "exec"), namespace)
    assert os.listdir(os.path.join(namespace["folder"], "cats")) == ["cat.0.jpg"]


def _notebook(path, *sources):
    path.write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "source": s[3:]} if s.startswith("md:") else
        {"cell_type": "code", "source": s.splitlines(keepends=True)} for s in sources],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_notebook_cells_migrate_as_one_module_with_ipython_lines_kept(tmp_path, capsys):
    nb = _notebook(
        tmp_path / "n.ipynb",
        "%matplotlib inline\nfrom keras.utils import Sequence\nfiles = !ls\n",
        "class Rows(Sequence):\n    def __init__(self, n):\n        self.n = n\n",
        "md:# training",
        "%%bash\nmodel.fit_generator(g, 3)",
        "rows = Rows(3)\n%time h = model.fit_generator(rows, 3, workers=4, "
        "use_multiprocessing=True)")
    assert main(["check", str(nb)]) == 1
    out = capsys.readouterr().out
    # findings carry the cell number and the line in that cell; no main-guard advice
    assert f"{nb}:cell 5:2:" in out and "unguarded-processes" not in out
    assert f"note: {nb}:cell 4: left as it is (a cell magic" in out
    assert "0 file(s) or cell(s) not parsed" in out
    assert main(["migrate", "--write", str(nb)]) == 0
    cells = ["".join(c["source"]) for c in json.loads(nb.read_text())["cells"]]
    assert cells[0] == "%matplotlib inline\nfrom keras.utils import Sequence\nfiles = !ls\n"
    # the loading options moved onto the Sequence defined in another cell
    assert "def __init__(self, n, **kwargs):\n        super().__init__(**kwargs)" in cells[1]
    assert cells[4] == ("rows = Rows(3, workers=4, use_multiprocessing=True)\n"
                        "%time h = model.fit(rows, steps_per_epoch=3)")
    assert cells[3] == "%%bash\nmodel.fit_generator(g, 3)"
    assert cells[2] == "# training"
    assert main(["migrate", "--check", str(nb)]) == 0  # idempotent


def test_a_writefile_cell_is_migrated_as_a_module_of_its_own(tmp_path, capsys):
    """``%%writefile train.py`` writes a script the notebook runs later (``!python
    train.py``): its body is Python of its own, migrated alone; other files stay as written."""
    nb = _notebook(
        tmp_path / "w.ipynb",
        "from keras.utils import Sequence\nclass Rows(Sequence):\n    pass\n",
        "%%writefile train.py\nfrom keras.optimizers import SGD\nopt = SGD(lr=0.1)\n"
        "model.fit_generator(g, 3, nb_epoch=2)\n",
        "%%writefile -a notes.txt\nmodel.fit_generator(g, 3)\n",
        "%%writefile broken.py\ndef f(:\n",
        "!python train.py\nmodel.fit_generator(Rows(), 3, workers=2)\n")
    assert main(["check", str(nb)]) == 123  # cell 4 does not parse
    out = capsys.readouterr().out
    assert f"{nb}:cell 2:3:" in out  # SGD(lr=) on the cell's line 3 (the magic is line 1)
    assert f"{nb}:cell 2:4:" in out and f"{nb}:cell 3:2:" not in out
    assert f"note: {nb}:cell 3: left as it is (a cell magic" in out
    assert f"{nb}:cell 4:2:" in out  # the broken written module is reported, not hidden
    assert main(["migrate", "--write", str(nb)]) == 123  # the broken cell: on stderr
    cells = ["".join(c["source"]) for c in json.loads(nb.read_text())["cells"]]
    assert cells[1] == ("%%writefile train.py\nfrom keras.optimizers import SGD\n"
                        "opt = SGD(learning_rate=0.1)\nmodel.fit(g, steps_per_epoch=3, "
                        "epochs=2)\n")
    assert cells[2] == "%%writefile -a notes.txt\nmodel.fit_generator(g, 3)\n"
    assert cells[3] == "%%writefile broken.py\ndef f(:\n"
    # the notebook's own cells still migrate as one module around the written one: the
    # loading options reach the Sequence class of cell 1
    assert cells[4] == "!python train.py\nmodel.fit(Rows(workers=2), steps_per_epoch=3)\n"
    assert main(["migrate", "--check", str(nb)]) == 123  # idempotent; cell 4 still broken
    assert "would rewrite 0 legacy use(s) in 0 file(s)" in capsys.readouterr().err


def test_notebook_with_a_cell_that_does_not_parse_migrates_the_others(tmp_path, capsys):
    nb = _notebook(tmp_path / "n.ipynb", "print 'python 2'\n",
                   "h = model.fit(x, y, nb_epoch=5)\n")
    assert main(["migrate", "--write", str(nb)]) == 123
    err = capsys.readouterr().err
    assert f"{nb}:cell 1:1:1:" in err and "Python 2" in err
    cells = ["".join(c["source"]) for c in json.loads(nb.read_text())["cells"]]
    assert cells == ["print 'python 2'\n", "h = model.fit(x, y, epochs=5)\n"]


@pytest.mark.slow
def test_augment_layers_script_runs_on_keras3_without_kfitcompat(tmp_path):
    with open(os.path.join(SCRIPTS, "keras2_augment_flow.py")) as f:
        source = f.read()
    migrated, findings = migrate_source(source, augment_layers=True)
    assert "augment-layers" in [f.rule for f in findings]
    code = [line for line in migrated.splitlines()[2:] if not line.lstrip().startswith("#")]
    assert not [line for line in code if "kfitcompat" in line or "ImageDataGenerator" in line]
    path = tmp_path / "augment.py"
    path.write_text(migrated)
    out = _run(str(path))
    assert out.returncode == 0, out.stderr[-3000:]
    assert "done" in out.stdout
    assert migrate_source(migrated, augment_layers=True)[0] == migrated


def test_cli_conventions_version_check_patchable_diff_and_python2_hint(tmp_path, capsys):
    import subprocess
    from importlib.metadata import version

    from kfitcompat import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == (
        f"kfitcompat {__version__} (Keras {version('keras')}, "
        f"TensorFlow {version('tensorflow')})")
    assert main([]) == 2
    script = tmp_path / "s.py"
    script.write_text("model.fit_generator(g, nb_epoch=2)")  # no trailing newline
    clean = tmp_path / "clean.py"
    clean.write_text("x = 1\n")
    capsys.readouterr()
    assert main(["migrate", "--check", str(clean)]) == 0
    assert main(["migrate", "--check", str(script)]) == 1  # black --check: would change
    diff = capsys.readouterr().out
    assert "\\ No newline at end of file" in diff
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    applied = subprocess.run(["git", "apply", "-p1", "--directory", "", "-"], input=diff.replace(
        f"a/{script}", "a/s.py").replace(f"b/{script}", "b/s.py"), text=True,
        capture_output=True, cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    assert script.read_text() == "model.fit(g, epochs=2)"
    old = tmp_path / "py2.py"
    old.write_text('import keras\nprint "epoch", i\n')
    assert main(["check", str(old)]) == 123
    assert f"{old}:2:1: cannot parse" in capsys.readouterr().out


def test_cli_file_selection_gitignore_exclude_and_stdin(tmp_path, capsys, monkeypatch):
    """As ruff and black: folders a .gitignore names (the repository's, above the folder
    too) and --exclude patterns are skipped, a file named on the command line is read, and
    `-` is standard input (`migrate - --write` prints the new source)."""
    import io

    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("vendor/\n")
    for name in ("vendor/v.py", "src/a.py", "src/gen/b.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("model.fit_generator(g, 3)\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "src", "vendor/v.py", "--exclude", "gen/"]) == 1
    out = capsys.readouterr().out
    assert "src/a.py:1:1" in out and "vendor/v.py:1:1" in out and "b.py" not in out
    assert main(["check", "."]) == 1
    out = capsys.readouterr().out
    assert "vendor" not in out and "2 of 2 file(s)" in out
    assert main(["check", ".", "--no-respect-gitignore"]) == 1
    assert "3 of 3 file(s)" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("model.fit_generator(g, 3)\n"))
    assert main(["migrate", "-", "--write"]) == 0
    assert capsys.readouterr().out == "model.fit(g, steps_per_epoch=3)\n"
    monkeypatch.setattr("sys.stdin", io.StringIO("h = model.fit(x, nb_epoch=2)\n"))
    assert main(["check", "-", "--stdin-filename", "train.py"]) == 1
    assert "train.py:1:5: [nb_epoch]" in capsys.readouterr().out


def test_cli_rule_selection_and_inline_suppression(tmp_path, capsys):
    script = tmp_path / "s.py"
    kept = ("model.fit_generator(g, 3)  # kfitcompat: ignore\n"
            "model.fit(x, y, nb_epoch=3)  # kfitcompat: ignore[fit_generator]\n")
    script.write_text("model.fit_generator(g, 3, nb_epoch=2)\n" + kept)
    assert main(["migrate", "--write", "--ignore", "nb_epoch", str(script)]) == 0
    assert script.read_text() == "model.fit(g, steps_per_epoch=3, nb_epoch=2)\n" + kept
    capsys.readouterr()
    assert main(["check", "--select", "nb_epoch", str(script)]) == 1
    rows = [line for line in capsys.readouterr().out.splitlines() if "[" in line]
    assert [r.split(":")[1] for r in rows] == ["1", "3"] and all("[nb_epoch]" in r for r in rows)
    assert main(["check", "--select", "nb_epochs", str(script)]) == 2
    assert "unknown rule id(s) nb_epochs in --select" in capsys.readouterr().err
    assert main(["check", "--list-rules", str(script)]) == 0
    assert "load-img-grayscale\timage" in capsys.readouterr().out


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run the CLI with its standard output on a pseudo-terminal; what it printed there."""
    import pty

    leader, follower = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "kfitcompat", *args], stdout=follower,
                              stderr=subprocess.DEVNULL, env={**os.environ, **env},
                              timeout=120)
        os.close(follower)
        follower = -1
        out = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other side is closed
                break
            if not chunk:
                break
            out += chunk
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    assert done.returncode == 1
    return out.decode()


@pytest.mark.slow
def test_cli_colours_a_terminal_only_and_respects_no_color(tmp_path, capsys):
    script = tmp_path / "s.py"
    script.write_text("model.fit_generator(g, nb_epoch=2)\n")
    assert main(["migrate", "--check", str(script)]) == 1  # captured: not a terminal
    assert "\033[" not in capsys.readouterr().out
    assert main(["migrate", "--check", "--color", "always", str(script)]) == 1
    coloured = capsys.readouterr().out
    assert "\033[31m-model.fit_generator(g, nb_epoch=2)\033[0m" in coloured
    assert "\033[32m+model.fit(g, epochs=2)\033[0m" in coloured
    assert main(["check", "--color", "always", str(script)]) == 1
    assert "[\033[1;33mnb_epoch\033[0m]" in capsys.readouterr().out
    terminal = _on_a_terminal(["migrate", "--check", str(script)], {"NO_COLOR": ""})
    assert "\033[32m+model.fit(g, epochs=2)" in terminal
    plain = _on_a_terminal(["migrate", "--check", str(script)], {"NO_COLOR": "1"})
    assert "+model.fit(g, epochs=2)" in plain and "\033[" not in plain
    never = _on_a_terminal(["check", "--color", "never", str(script)], {"NO_COLOR": ""})
    assert "[nb_epoch]" in never and "\033[" not in never


def test_migrate_check_exits_123_on_a_file_it_cannot_parse(tmp_path, capsys):
    """A CI gate must not pass code it never read (black --check exits 123)."""
    (tmp_path / "broken.py").write_text("import keras\ndef f(:\n")
    (tmp_path / "clean.py").write_text("import keras\nmodel.fit(x, y, epochs=2)\n")
    assert main(["migrate", "--check", str(tmp_path)]) == 123
    assert main(["check", str(tmp_path)]) == 123
    assert f"{tmp_path / 'broken.py'}:2:" in capsys.readouterr().out


def test_check_format_github_annotates_findings_and_problems(tmp_path, capsys):
    (tmp_path / "a.py").write_text("x = 1\nmodel.fit_generator(g, 3)\n")
    (tmp_path / "b.py").write_text("import keras\nprint 'x'\n")
    assert main(["check", "--format", "github", str(tmp_path)]) == 123
    lines = capsys.readouterr().out.splitlines()
    assert (f"::warning file={tmp_path / 'a.py'},line=2,col=1,title=kfitcompat fit_generator::"
            "`fit_generator` is removed in Keras 3. Fix: fit_generator -> fit") in lines[0]
    assert lines[1].startswith(f"::error file={tmp_path / 'b.py'},line=2,col=1,"
                               "title=kfitcompat python2::cannot parse")
    assert len(lines) == 2


def test_check_format_json_gives_structured_findings_and_errors(tmp_path, capsys):
    (tmp_path / "a.py").write_text("x = 1\nmodel.fit_generator(g, 3)\n")
    (tmp_path / "b.py").write_bytes(b"import keras\n# caf\xe9\n")
    assert main(["check", "--format", "json", str(tmp_path)]) == 123
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] == [{
        "file": str(tmp_path / "a.py"), "cell": None, "line": 2, "column": 1,
        "rule": "fit_generator", "message": "`fit_generator` is removed in Keras 3",
        "fix": "fit_generator -> fit (Keras 3 `fit` takes generators and Sequences)",
        "changed": False}]
    [error] = report["errors"]
    assert error["file"] == str(tmp_path / "b.py") and error["kind"] == "decode"
    assert error["line"] == 2 and "offset 18" in error["message"] and "PEP 263" in error["hint"]
    assert report["summary"]["files"] == 2 and report["summary"]["errors"] == 1


def test_settings_come_from_the_nearest_pyproject_and_flags_win(tmp_path, capsys,
                                                                monkeypatch):
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname = 'p'\n[tool.kfitcompat]\nselect = ['nb_epoch']\n"
        "exclude = ['generated/']\ntarget = 'kfitcompat'\n")
    for name in ("src/train.py", "src/generated/old.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("model.fit_generator(g, 3, nb_epoch=2)\n")
    monkeypatch.chdir(tmp_path / "src")  # the file's folder is below the pyproject's
    assert main(["check", "."]) == 1
    out = capsys.readouterr().out
    assert "[nb_epoch]" in out and "[fit_generator]" not in out and "generated" not in out
    assert main(["check", "--select", "fit_generator", "--exclude", "nothing/", "."]) == 1
    out = capsys.readouterr().out
    assert "[fit_generator]" in out and "[nb_epoch]" not in out and "generated" in out
    assert main(["migrate", "--write", "--select", "nb_epoch,install", "train.py"]) == 0
    assert (tmp_path / "src/train.py").read_text() == (  # target = 'kfitcompat': install()
        "import kfitcompat\nkfitcompat.install()\nmodel.fit_generator(g, 3, nb_epoch=2)\n")
    (tmp_path / "pyproject.toml").write_text("[tool.kfitcompat]\nselct = ['nb_epoch']\n")
    assert main(["check", "."]) == 2
    assert "unknown key(s) selct in [tool.kfitcompat]" in capsys.readouterr().err


def test_list_rules_needs_no_path_and_describes_every_rule(capsys):
    from kfitcompat.migrate.base import REGISTRY

    assert main(["check", "--list-rules"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert all(len(row) == 3 and row[2] for row in rows), rows
    assert {row[0] for row in rows} >= set(REGISTRY.rules) | {"manual-check"}
    assert ["fit_generator", "methods", "model.fit_generator(...) -> model.fit(...)"] in rows
    assert main(["check"]) == 2  # without --list-rules a path is still needed


@pytest.mark.slow
def test_no_traceback_when_the_reader_closes_the_pipe(tmp_path):
    """`kfitcompat check . | head -2`: the reader leaves after two lines."""
    (tmp_path / "many.py").write_text("model.fit_generator(g, 3, nb_epoch=2)\n" * 3000)
    proc = subprocess.Popen([sys.executable, "-m", "kfitcompat", "check", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert proc.stdout is not None and proc.stderr is not None
    head = [proc.stdout.readline() for _ in range(2)]
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert [line.split(b": ")[0] for line in head] == [f"{tmp_path}/many.py:1:1".encode()] * 2
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_the_summary_says_nothing_is_left_only_when_that_is_true(tmp_path, capsys):
    """What migrate cannot finish (a finding it reports, a `# kfitcompat:` note it writes)
    is listed and counted, and check keeps reporting it until a person has done it."""
    done = tmp_path / "done.py"
    done.write_text("model.fit_generator(g, 3, nb_epoch=2)\n")
    assert main(["migrate", "--write", str(done)]) == 0
    assert ("rewrote 2 legacy use(s) in 1 file(s); nothing left to do by hand."
            in capsys.readouterr().err)
    assert main(["check", str(done)]) == 0
    todo = tmp_path / "todo.py"
    todo.write_text("import keras\nmodel.fit_generator(gen(), samples_per_epoch=800)\n"
                    "K.set_image_dim_ordering(ordering)\n")
    assert main(["migrate", "--write", str(todo)]) == 0
    err = capsys.readouterr().err
    assert f"{todo}:2:1: [manual-check] a note migrate left to check by hand: " \
           "`samples_per_epoch` counted samples" in err
    assert f"{todo}:5:1: [image-dim-ordering]" in err
    assert "rewrote 2 legacy use(s) in 1 file(s); 2 left to do by hand" in err
    assert main(["check", str(todo)]) == 1  # never "clean" while the notes are there
    out = capsys.readouterr().out
    assert "[manual-check]" in out and "[image-dim-ordering]" in out
    assert main(["migrate", "--check", str(todo)]) == 1  # nothing to rewrite, work left


def test_the_prefilter_skips_files_that_never_mention_keras_in_folders(tmp_path, capsys):
    (tmp_path / "unrelated.py").write_text("print 'a Python 2 file with no Keras'\n")
    (tmp_path / "train.py").write_text("h = model.fit_generator(g, 3)\n")  # no import: read
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "1 legacy use(s) in 1 of 2 file(s); 0 file(s) or cell(s) not parsed; 1 file(s) " \
           "never mention Keras (not parsed)." in out
    assert main(["check", "--no-prefilter", str(tmp_path)]) == 123
    assert main(["check", str(tmp_path / "unrelated.py")]) == 123  # named: always parsed


@pytest.mark.slow
def test_worker_processes_give_the_same_report_in_the_same_order(tmp_path):
    for i in range(40):
        body = "import keras\n" if i % 3 else "x = 1\n"
        (tmp_path / f"m{i:02d}.py").write_text(body + f"model.fit_generator(g, {i})\n" * (i % 4))
    (tmp_path / "m99.py").write_text("import keras\ns = " + " + ".join(["'a'"] * 400)
                                     + "\n" + "model.fit_generator(g, 1)\n")
    one = subprocess.run([sys.executable, "-m", "kfitcompat", "check", "-j", "1",
                          str(tmp_path)], capture_output=True, text=True, timeout=300)
    two = subprocess.run([sys.executable, "-m", "kfitcompat", "check", "-j", "2",
                          str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout and "m99.py:3:1: [fit_generator]" in two.stdout
    assert "61 legacy use(s) in 31 of 41 file(s)" in two.stdout


@pytest.mark.slow
def test_standard_input_keeps_its_encoding_and_line_endings():
    """`migrate - --write` prints the new source as bytes in the input's own form (as
    black): a CRLF input with a latin-1 cookie comes back CRLF and latin-1."""
    source = "# -*- coding: latin-1 -*-\r\n# été\r\nmodel.fit_generator(g, 3)\r\n"
    out = subprocess.run([sys.executable, "-m", "kfitcompat", "migrate", "-", "--write"],
                         input=source.encode("latin-1"), capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr.decode()[-2000:]
    assert out.stdout == source.replace("fit_generator(g, 3)", "fit(g, steps_per_epoch=3)"
                                        ).encode("latin-1")


def test_a_file_unchanged_since_the_last_run_is_not_checked_again(tmp_path, capsys,
                                                                  monkeypatch):
    """As ruff's cache: a file whose bytes (and the options, and kfitcompat) are those of
    the last run gets that run's result; new bytes are checked again; --no-cache reads
    nothing."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("KFITCOMPAT_CACHE_DIR", str(cache))
    src = tmp_path / "src"
    src.mkdir()
    script = src / "train.py"
    script.write_text("import keras\nmodel.fit_generator(g, 3)\n")
    assert main(["check", str(src)]) == 1
    capsys.readouterr()
    [stored] = cache.glob("results-*.json")
    entries = json.loads(stored.read_text())
    entries[str(script)][1]["findings"][0][1]["message"] = "as remembered"
    stored.write_text(json.dumps(entries))
    assert main(["check", str(src)]) == 1  # the stored result is the report
    assert "[fit_generator] as remembered." in capsys.readouterr().out
    assert main(["check", "--no-cache", str(src)]) == 1
    assert "as remembered" not in capsys.readouterr().out
    assert main(["check", "--select", "fit_generator", str(src)]) == 1  # other options
    assert "as remembered" not in capsys.readouterr().out
    script.write_text("import keras\nmodel.fit_generator(g, 4)\n")  # other bytes
    assert main(["check", str(src)]) == 1
    assert "as remembered" not in capsys.readouterr().out
