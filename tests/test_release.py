"""Release quality: the wheel and sdist build, pass `twine check`, and the wheel works installed."""

from __future__ import annotations

import glob
import importlib.metadata
import json
import os
import subprocess
import sys
import venv

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

HOME = "https://github.com/kfitcompat/kfitcompat/"


def test_readme_links_are_absolute_and_point_at_files_of_this_checkout():
    """The README is the package index page, where a relative ``docs/...`` link is broken."""
    import re

    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        links = re.findall(r"\]\(([^)]+)\)", f.read())
    assert links
    for link in links:
        assert link.startswith(("https://", "http://", "#")), link
        if link.startswith(HOME):
            path = link[len(HOME):].split("/", 2)[2]  # blob/main/<path> or tree/main/<path>
            assert os.path.exists(os.path.join(ROOT, path)), link


def test_the_metadata_names_its_home_and_the_python_it_is_tested_on():
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(ROOT, "setup.cfg"))
    urls = cfg["metadata"]["project_urls"]
    assert all(name in urls for name in ("Documentation", "Source", "Issues")), urls
    classifiers = cfg["metadata"]["classifiers"]
    tested = f"Programming Language :: Python :: {sys.version_info[0]}.{sys.version_info[1]}"
    assert tested in classifiers  # the Python this suite runs on is claimed


def in_checkout(path: str) -> bool:
    root = os.path.realpath(ROOT)
    return os.path.commonpath([os.path.realpath(path), root]) == root


def running_site_dirs() -> list[str]:
    """The folders the running interpreter finds its installed distributions in, in
    ``sys.path`` order: a venv's or conda env's site-packages, the system Python's, the base
    interpreter's when a venv includes it, the user site; never a folder of this checkout."""
    found = {os.path.realpath(str(d.locate_file(""))) for d in importlib.metadata.distributions()}
    dirs: list[str] = []
    for entry in sys.path:
        real = os.path.realpath(entry or os.curdir)
        if real in found and real not in dirs and not in_checkout(real):
            dirs.append(real)
    return dirs


def venv_environ() -> dict[str, str]:
    """The environment for a check venv's commands: no ``PYTHONPATH`` / ``PYTHONHOME``
    (a developer's ``PYTHONPATH=.`` would put this checkout before the venv's install)."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


def check_venv(env_dir: os.PathLike, with_pip: bool = True) -> str:
    """A fresh venv that sees the distributions the running interpreter has installed
    (a ``.pth`` file lists their folders: TensorFlow is large), wherever they are, and not
    this checkout. Returns its ``python``."""
    venv.EnvBuilder(with_pip=with_pip).create(env_dir)
    python = os.path.join(env_dir, "bin", "python")
    asked = "import sysconfig; print(sysconfig.get_path('purelib'))"
    purelib = subprocess.run([python, "-c", asked], check=True, capture_output=True, text=True,
                             timeout=120, env=venv_environ()).stdout.strip()
    with open(os.path.join(purelib, "kfitcompat-check-running-environment.pth"), "w") as f:
        f.write("".join(d + "\n" for d in running_site_dirs()))
    return python


# name -> [version, folder] of the distribution an interpreter finds first, for each name
_FIRST_FOUND = """
import importlib.metadata, json, os
first = {}
for d in importlib.metadata.distributions():
    first.setdefault(d.metadata["Name"], [d.version, os.path.realpath(str(d.locate_file("")))])
print(json.dumps(first))
"""


@pytest.mark.slow
def test_a_check_venv_sees_the_distributions_the_running_interpreter_has(tmp_path):
    """In a venv, a conda env or the system Python (the README's test command runs in any):
    each distribution the tests run with is the one a check venv finds first, same version,
    same folder. (A venv with ``--system-site-packages`` sees the *base* interpreter's.)"""
    python = check_venv(tmp_path / "venv", with_pip=False)
    seen = subprocess.run([python, "-c", _FIRST_FOUND], check=True, capture_output=True,
                          text=True, timeout=120, cwd=str(tmp_path), env=venv_environ())
    theirs = json.loads(seen.stdout)
    ours = json.loads(subprocess.run([sys.executable, "-c", _FIRST_FOUND], check=True,
                                     capture_output=True, text=True, timeout=120,
                                     cwd=str(tmp_path)).stdout)
    ours = {name: found for name, found in ours.items()
            if not in_checkout(found[1])}  # this checkout's own metadata
    assert ours and {"keras", "pytest"} <= set(ours), ours
    assert {name: theirs.get(name) for name in ours} == ours


pytest.importorskip("build")


@pytest.mark.slow
def test_wheel_and_sdist_build_and_the_wheel_runs_the_demo(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "--sdist",
                    "--outdir", str(dist), ROOT], check=True, capture_output=True, timeout=300)
    wheels = glob.glob(str(dist / "*.whl"))
    sdists = glob.glob(str(dist / "*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1
    twine = subprocess.run([sys.executable, "-m", "twine", "check", *wheels, *sdists],
                           capture_output=True, text=True, timeout=120)
    assert twine.returncode == 0, twine.stdout + twine.stderr
    # TensorFlow is the user's choice of build: no unconditional requirement on a distribution
    import zipfile

    with zipfile.ZipFile(wheels[0]) as wheel:
        metadata = next(wheel.read(n).decode() for n in wheel.namelist()
                        if n.endswith(".dist-info/METADATA"))
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    tensorflow = [r for r in requires if r.split()[1].startswith("tensorflow")]
    assert tensorflow and all("extra ==" in r for r in tensorflow), requires
    # A fresh venv that sees the already-installed dependencies (TensorFlow is large), but
    # gets kfitcompat only from the wheel.
    env_dir = tmp_path / "venv"
    python = check_venv(env_dir)
    isolated = venv_environ()
    subprocess.run([python, "-m", "pip", "install", "--no-deps", "--no-index", wheels[0]],
                   check=True, capture_output=True, timeout=300, env=isolated)
    # where TensorFlow is already there, pip resolves the wheel adding nothing (offline)
    report = subprocess.run([python, "-m", "pip", "install", "--dry-run", "--no-index",
                             "--quiet", "--report", "-", wheels[0]],
                            capture_output=True, text=True, timeout=300, env=isolated)
    assert report.returncode == 0, report.stderr[-3000:]
    added = [i["metadata"]["name"] for i in json.loads(report.stdout)["install"]]
    assert set(added) <= {"kfitcompat"}, added  # (none when this checkout is installed too)
    where = subprocess.run([python, "-c", "import kfitcompat, os; print(kfitcompat.__file__)"],
                           capture_output=True, text=True, timeout=120, cwd=str(tmp_path),
                           env=isolated)
    assert str(env_dir) in where.stdout, where.stdout + where.stderr
    demo = subprocess.run([str(env_dir / "bin" / "kfitcompat"), "demo", "--epochs", "1",
                           "--out", str(tmp_path / "demo")], capture_output=True, text=True,
                          timeout=600, cwd=str(tmp_path),
                          env=dict(isolated, TF_CPP_MIN_LOG_LEVEL="3"))
    assert "Found 720 images belonging to 3 classes." in demo.stdout, demo.stderr[-3000:]
    assert "validation accuracy:" in demo.stdout
    # The sdist carries what its tests need, and they run from the unpacked folder against the
    # package built from it (a fast subset: the whole suite runs in CI already).
    import tarfile

    with tarfile.open(sdists[0]) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
        for needed in ("tests/conftest.py", "tests/engine_helpers.py",
                       "tests/faults/test_call_surface.py", "tests/migrate/scripts",
                       "examples/legacy_fit_generator.py", "docs/gen_legacy_arguments.py",
                       "mkdocs.yml", "LICENSE"):
            assert needed in names, needed
        # (extraction filters came with Python 3.11.4; Debian 12's Python is 3.11.2)
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        sdist.extractall(tmp_path / "unpacked", **safe)
    unpacked = next((tmp_path / "unpacked").iterdir())
    # the same venv, its wheel install replaced by the sdist's
    subprocess.run([python, "-m", "pip", "install", "--no-deps", "--no-index",
                    "--no-build-isolation", "--force-reinstall", sdists[0]], check=True,
                   capture_output=True, timeout=300, env=isolated)
    tests = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            "tests/test_architecture.py", "tests/training/test_translate.py"],
                           cwd=unpacked, capture_output=True, text=True, timeout=600,
                           env=isolated)
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-3000:]
    assert " passed" in tests.stdout


def _release_check(tmp_path, check: str) -> str:
    """``tools/release_check.py --only CHECK``: fresh virtual environments whose dependencies
    come from pip's configured package index (skipped when it cannot be reached)."""
    probe = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--dest",
                            str(tmp_path / "probe"), "loky"], capture_output=True, timeout=300)
    if probe.returncode:
        pytest.skip("the package index cannot be reached (the release check installs from it)")
    done = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "release_check.py"),
                           "--only", check, "--keep", str(tmp_path / "work")],
                          capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0 and "release check: passed" in done.stdout, (
        done.stdout[-5000:] + done.stderr[-3000:])
    return done.stdout


@pytest.mark.slow
def test_without_tensorflow_the_installed_wheel_says_in_one_line_what_to_install(tmp_path):
    out = _release_check(tmp_path, "without-tensorflow")
    assert "TensorFlow distributions installed: []" in out
    for entry_point in ("kfitcompat.install()", "kfitcompat run", "kfitcompat demo"):
        assert f"--- {entry_point}: exit " in out, entry_point


@pytest.mark.slow
def test_beside_tensorflow_cpu_the_documented_line_leaves_one_tensorflow(tmp_path):
    out = _release_check(tmp_path, "beside-tensorflow-cpu")
    assert "TensorFlow distributions installed: ['tensorflow-cpu']" in out
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "release_check", os.path.join(ROOT, "tools", "release_check.py"))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    # the extras the check installs beside tensorflow-cpu are the README's example
    assert f"e.g. `{tool.BESIDE_AN_INSTALLED_TENSORFLOW}`" in readme
