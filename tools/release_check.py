"""Release check: the built wheel in fresh virtual environments, as a new user installs it.

What: builds the wheel of this checkout, then, each in a fresh virtual environment (no system
site packages, the dependencies from pip's configured index):

* ``without-tensorflow``: installs the wheel alone (TensorFlow is the user's choice: none
  comes with it) and checks that ``import kfitcompat`` works and that
  ``kfitcompat.install()``, ``kfitcompat run script.py`` and ``kfitcompat demo`` each end in
  one line saying what to install (``install()``: a short ``ImportError`` with no frame of
  Keras; the commands: the line alone, exit status 2);
* ``beside-tensorflow-cpu``: installs ``tensorflow-cpu`` (the user's choice of build) and then
  the wheel with the line the README documents beside an installed TensorFlow (the base
  install plus ``[migrate,plot]``), and checks that exactly one TensorFlow distribution is
  installed (``tensorflow-cpu``), that ``pip check`` finds nothing broken, and that
  ``kfitcompat demo --epochs 1`` runs (its full output is printed); it also prints what
  ``[tensorflow]`` would have installed there instead (a dry run: a second TensorFlow).

Why: ``tests/test_release.py`` checks the wheel's metadata and a dry-run resolution offline and
runs this tool in its slow lane; it needs the package index and, for the second check, a
270 MB TensorFlow download.

    python tools/release_check.py [--only without-tensorflow] [--tensorflow tensorflow-cpu==2.21.0]
                                  [--keep DIR]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import venv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKS = ("without-tensorflow", "beside-tensorflow-cpu")
# The README's line beside an installed TensorFlow: no [tensorflow], no [cpu], no [all]
BESIDE_AN_INSTALLED_TENSORFLOW = "[migrate,plot]"
NEEDS = "kfitcompat needs TensorFlow"


def _run(argv: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    print("$", " ".join(argv), flush=True)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("PYTHONPATH", None)  # the venv's own kfitcompat, not a checkout's
    return subprocess.run(argv, text=True, capture_output=True, env=env, **kwargs)


def _fresh_venv(path: str) -> str:
    venv.EnvBuilder(with_pip=True, clear=True).create(path)
    return os.path.join(path, "bin", "python")


def _pip_install(python: str, *requirements: str) -> bool:
    done = _run([python, "-m", "pip", "install", "-q", *requirements])
    if done.returncode:
        print(done.stdout[-3000:], done.stderr[-3000:])
    return done.returncode == 0


# The distributions that install the `tensorflow` package (tensorflow, tensorflow-cpu, ...):
# two of them write into the same folder, one over the other
_WHO_SHIPS_TENSORFLOW = """
import importlib.metadata as m, json, re
print(json.dumps(sorted({re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower()
                         for d in m.distributions()
                         if any(str(f) == "tensorflow/__init__.py" for f in d.files or ())})))
"""


def _tensorflows(python: str) -> list[str]:
    listed = _run([python, "-c", _WHO_SHIPS_TENSORFLOW])
    return json.loads(listed.stdout)


def _one_line(stderr: str) -> list[str]:
    return [line for line in stderr.strip().splitlines() if line.strip()]


def check_without_tensorflow(wheel: str, work: str) -> bool:
    """The wheel alone: no TensorFlow, and each entry point says so in one line."""
    python = _fresh_venv(os.path.join(work, "venv-without-tensorflow"))
    if not _pip_install(python, wheel):
        return False
    ok = True
    found = _tensorflows(python)
    print("TensorFlow distributions installed:", found)
    ok &= found == []
    imported = _run([python, "-c", "import kfitcompat; print(kfitcompat.__version__)"], cwd=work)
    print(f"import kfitcompat: exit {imported.returncode}, {imported.stdout.strip()}")
    ok &= imported.returncode == 0
    installed = _run([python, "-c", "import kfitcompat\nkfitcompat.install()"], cwd=work)
    lines = _one_line(installed.stderr)
    print(f"--- kfitcompat.install(): exit {installed.returncode}, stderr:")
    print("\n".join(lines))
    ok &= (installed.returncode == 1 and bool(lines)
           and lines[-1].startswith(f"ImportError: {NEEDS}")
           and 'pip install "kfitcompat[tensorflow]"' in lines[-1]
           and len(lines) <= 6 and not any("keras" in line for line in lines[:-1]))
    script = os.path.join(work, "legacy_script.py")
    with open(script, "w") as f:
        f.write("print('the script ran')\n")
    bin_dir = os.path.dirname(python)
    for command in (["run", script], ["demo", "--epochs", "1"]):
        done = _run([os.path.join(bin_dir, "kfitcompat"), *command], cwd=work)
        lines = _one_line(done.stderr)
        print(f"--- kfitcompat {command[0]}: exit {done.returncode}, stdout "
              f"{done.stdout.strip()!r}, stderr:")
        print("\n".join(lines))
        ok &= (done.returncode == 2 and len(lines) == 1 and lines[0].startswith(NEEDS)
               and not done.stdout.strip())
    print("without TensorFlow:", "passed" if ok else "FAILED", flush=True)
    return ok


def check_beside_tensorflow_cpu(wheel: str, work: str, tensorflow: str) -> bool:
    """``tensorflow-cpu`` first, then the documented line: one TensorFlow, and it trains."""
    python = _fresh_venv(os.path.join(work, "venv-beside-tensorflow-cpu"))
    if not (_pip_install(python, tensorflow)
            and _pip_install(python, wheel + BESIDE_AN_INSTALLED_TENSORFLOW)):
        return False
    found = _tensorflows(python)
    print("TensorFlow distributions installed:", found)
    # what the README warns against: [tensorflow] here would add a second distribution
    would = _run([python, "-m", "pip", "install", "--dry-run", "-q", "--report", "-",
                  wheel + "[tensorflow]"])
    if would.returncode == 0:
        added = [i["metadata"]["name"] for i in json.loads(would.stdout)["install"]]
        print("`[tensorflow]` instead would install:", added)
    check = _run([python, "-m", "pip", "check"])
    print(check.stdout.strip() or check.stderr.strip())
    demo = _run([os.path.join(os.path.dirname(python), "kfitcompat"), "demo", "--epochs", "1",
                 "--out", os.path.join(work, "demo")], cwd=work)
    print("--- kfitcompat demo --epochs 1: stdout ---")
    print(demo.stdout, end="")
    print("--- stderr ---")
    print(demo.stderr, end="")
    print(f"--- exit status {demo.returncode} ---")
    ok = (found == ["tensorflow-cpu"] and check.returncode == 0
          and "Found 720" in demo.stdout and demo.returncode == 0)
    print("beside tensorflow-cpu:", "passed" if ok else "FAILED", flush=True)
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=CHECKS, action="append",
                        help="run only this check (repeatable; default: both)")
    parser.add_argument("--tensorflow", default="tensorflow-cpu==2.21.0",
                        help="the TensorFlow build installed first "
                             "(default tensorflow-cpu==2.21.0)")
    parser.add_argument("--keep", default=None, help="build the venvs here and keep them")
    args = parser.parse_args(argv)
    work = args.keep or tempfile.mkdtemp(prefix="kfitcompat-release-")
    dist = os.path.join(work, "dist")
    built = _run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", dist,
                  ROOT])
    if built.returncode:
        print(built.stdout[-3000:], built.stderr[-3000:])
        return 1
    wheel = glob.glob(os.path.join(dist, "*.whl"))[0]
    results = []
    if not args.only or "without-tensorflow" in args.only:
        results.append(check_without_tensorflow(wheel, work))
    if not args.only or "beside-tensorflow-cpu" in args.only:
        results.append(check_beside_tensorflow_cpu(wheel, work, args.tensorflow))
    ok = all(results)
    print("release check:", "passed" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
