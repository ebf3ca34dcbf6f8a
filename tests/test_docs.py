"""What a reader meets: the project's words (no work-log numbering, no path of one machine), a
tested-versions table that matches the extras and the suite's own environment, and an API
reference whose cross-references render as links."""

from __future__ import annotations

import configparser
import importlib.metadata
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
READ = [ROOT / "README.md", ROOT / "CHANGELOG.md", ROOT / "docs", ROOT / "kfitcompat",
        ROOT / "tools"]
TEXT = {".py", ".md", ".toml", ".json", ".yml", ".yaml", ".cfg", ".txt", ".css"}

# "session 9", "Sessions 3-5": the numbering of a work log, which no reader can look up
SESSION = re.compile(r"\bsessions?\s*#?\s*\d", re.IGNORECASE)
# A folder of one particular machine: a home, a mount, a work tree (not /tmp/x, nor /Users/...)
MACHINE_PATH = re.compile(r"(?<![\w.~$-])(?:/(?:work|home|root|Users|mnt|opt|srv|scratch)/\.?\w"
                          r"|[A-Za-z]:\\\\?Users\\)")
# Others' code states its own paths: the pinned notebook reads this folder, the runner binds it
ALLOWED_PATHS = {("tools/public_scripts.toml", path) for path in (
    "/Users/fchollet/Downloads/kaggle_original_data",
    "/home/sdjksdafji/Documents/others/Data558/training_data",
    "/home/sdjksdafji/Documents/others/Data558/testing_data",
    "/mnt/D/Learning/MTSS/Sem",  # "Sem 4/...": the check reads a path up to a space
    "/Users/ilyarudyak/data/cats_and_dogs_small/train",
    "/Users/ilyarudyak/data/cats_and_dogs_small/validation",
    "/Users/ilyarudyak/data/cats_and_dogs_small/test")}


def _project_files() -> list[pathlib.Path]:
    files = []
    for base in READ:
        paths = [base] if base.is_file() else sorted(base.rglob("*"))
        files += [p for p in paths if p.is_file() and p.suffix in TEXT
                  and "site" not in p.relative_to(ROOT).parts[:2]]
    return files


def test_the_project_speaks_of_versions_and_dates_not_of_a_work_log_nor_of_one_machine():
    found = []
    for path in _project_files():
        name = str(path.relative_to(ROOT))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in SESSION.finditer(line):
                found.append(f"{name}:{number}: {match.group(0)!r}")
            for match in MACHINE_PATH.finditer(line):
                path_there = re.match(r"[^\s\"'`)]+", line[match.start():]).group(0)
                if (name, path_there) not in ALLOWED_PATHS:
                    found.append(f"{name}:{number}: {path_there!r}")
    assert found == []


def test_the_check_itself_finds_a_session_number_and_a_machine_path():
    assert SESSION.search("figures of Session 9's run") and SESSION.search("sessions 3-5")
    assert not SESSION.search("%load_ext kfitcompat: install() for this session")
    for path in ("/work/.mirror", "/home/me/x", "/root/.cache/pip", "C:\\Users\\me"):
        assert MACHINE_PATH.search(f"under {path} by default"), path
    assert not MACHINE_PATH.search("python tools/x.py --markdown /tmp/out.md (/Users/...)")


def _tested_versions() -> dict[str, str]:
    text = (ROOT / "docs" / "install.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (Python|TensorFlow|Keras) \| ([\d.]+) \|", text, re.MULTILINE)
    return dict(rows)


def _installed(*names: str) -> str:
    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    pytest.skip(f"none of {names} is installed")


def test_the_tested_versions_table_is_this_suites_environment_and_the_extras_allow_it():
    from packaging.requirements import Requirement

    tested = _tested_versions()
    assert set(tested) == {"Python", "TensorFlow", "Keras"}, tested
    assert tested["Python"] == "{}.{}".format(*sys.version_info[:2])
    assert tested["TensorFlow"] == _installed("tensorflow", "tensorflow-cpu")
    assert tested["Keras"] == _installed("keras")
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    extras = cfg["options.extras_require"]
    major, minor = tested["TensorFlow"].split(".")[:2]
    for extra, distribution in (("tensorflow", "tensorflow"), ("cpu", "tensorflow-cpu"),
                                ("all", "tensorflow"), ("test", "tensorflow")):
        requirements = [Requirement(line) for line in extras[extra].split("\n") if line.strip()]
        tf = [r for r in requirements if r.name.startswith("tensorflow")]
        assert [r.name for r in tf] == [distribution], (extra, tf)
        spec = tf[0].specifier
        assert tested["TensorFlow"] in spec, (extra, spec)  # the tested version is allowed
        assert f"{major}.{int(minor) + 1}.0" not in spec, (extra, spec)  # an untested one not
        assert f"{major}.{int(minor) - 1}.0" not in spec, (extra, spec)
    base = [Requirement(line) for line in cfg["options"]["install_requires"].split("\n")
            if line.strip()]
    assert not any(r.name.startswith("tensorflow") for r in base)  # TensorFlow: the user's
    assert tested["Keras"] in next(r.specifier for r in base if r.name == "keras")


ROLES = re.compile(r":(?:func|class|meth|mod|data|attr|exc|obj):")


@pytest.mark.slow
def test_the_docs_build_strictly_and_the_api_reference_has_links_not_roles(tmp_path):
    """``mkdocs build --strict`` fails on a cross-reference to nothing; a Sphinx role
    (``:func:`x```) would render as literal text, which no build notices: this does."""
    pytest.importorskip("mkdocstrings")
    site = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                           str(site)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    literal = [f"{p.relative_to(site)}: {m.group(0)}" for p in pages
               for m in ROLES.finditer(p.read_text(encoding="utf-8"))]
    assert literal == []
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    assert 'href="#kfitcompat.installer.install"' in api  # a docstring's cross-reference
    text = re.sub(r"<[^>]+>", " ", api)
    private = sorted(set(re.findall(r"(?<![\w.])_[A-Za-z]\w*", text)))
    assert private == []  # no private name in a signature, a base class or a value shown


def test_the_docstrings_use_mkdocstrings_cross_references_not_sphinx_roles():
    roles = [f"{p.relative_to(ROOT)}:{n}" for p in sorted((ROOT / "kfitcompat").rglob("*.py"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if ROLES.search(line)]
    assert roles == []
