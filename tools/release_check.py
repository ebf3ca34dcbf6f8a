"""Release check: the wheel beside a TensorFlow build the user chose adds no second TensorFlow.

What: builds the wheel of this checkout, creates a fresh virtual environment (no system site
packages), installs ``tensorflow-cpu`` (the user's choice of build) and then the wheel with
its default dependencies, and checks that

1. ``pip list`` has ``tensorflow-cpu`` and no ``tensorflow`` distribution,
2. ``pip check`` finds nothing broken,
3. ``kfitcompat demo --epochs 1`` runs in that environment (its full output is printed).

Why: the suite's ``tests/test_release.py`` checks the wheel's metadata and a dry-run resolution
offline; a real install of a 270 MB TensorFlow build takes minutes, so it is this developer
tool, run before a release (and its output pasted in the closing note), not a test.

    python tools/release_check.py [--tensorflow tensorflow-cpu==2.21.0] [--keep DIR]

Needs the package registry (pip's configured index) for the dependencies.
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


def _run(argv: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    print("$", " ".join(argv), flush=True)
    return subprocess.run(argv, text=True, capture_output=True, **kwargs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tensorflow", default="tensorflow-cpu==2.21.0",
                        help="the TensorFlow build installed first "
                             "(default tensorflow-cpu==2.21.0)")
    parser.add_argument("--keep", default=None, help="build the venv here and keep it")
    args = parser.parse_args(argv)
    work = args.keep or tempfile.mkdtemp(prefix="kfitcompat-release-")
    dist = os.path.join(work, "dist")
    built = _run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", dist,
                  ROOT])
    if built.returncode:
        print(built.stdout[-3000:], built.stderr[-3000:])
        return 1
    wheel = glob.glob(os.path.join(dist, "*.whl"))[0]
    env = os.path.join(work, "venv")
    venv.EnvBuilder(with_pip=True, clear=True).create(env)
    python = os.path.join(env, "bin", "python")
    for step in ([python, "-m", "pip", "install", "-q", args.tensorflow],
                 [python, "-m", "pip", "install", "-q", wheel]):
        done = _run(step)
        if done.returncode:
            print(done.stdout[-3000:], done.stderr[-3000:])
            return 1
    listed = _run([python, "-m", "pip", "list", "--format", "json"])
    names = sorted(p["name"].lower() for p in json.loads(listed.stdout))
    tensorflows = [n for n in names if n.startswith("tensorflow")]
    print("TensorFlow distributions installed:", tensorflows)
    check = _run([python, "-m", "pip", "check"])
    print(check.stdout.strip() or check.stderr.strip())
    demo = _run([os.path.join(env, "bin", "kfitcompat"), "demo", "--epochs", "1", "--out",
                 os.path.join(work, "demo")], cwd=work)
    print("--- kfitcompat demo --epochs 1: stdout ---")
    print(demo.stdout, end="")
    print("--- stderr ---")
    print(demo.stderr, end="")
    print(f"--- exit status {demo.returncode} ---")
    ok = "tensorflow" not in tensorflows and check.returncode == 0 and "Found 720" in demo.stdout
    print("release check:", "passed" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
