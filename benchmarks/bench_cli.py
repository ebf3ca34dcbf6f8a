"""``kfitcompat check`` / ``migrate --write`` wall time, side by side in one run with ruff.

Two trees, each timed with
  * ``ruff check`` (the reference: a linter's speed on the same files), without its cache
    and with it warm,
  * ``kfitcompat check`` as it is in this checkout (``-j`` default: every core), without
    its cache of results (``--no-cache``: every file read, prefiltered, parsed if it
    mentions Keras), the same with ``-j 1``, and with the cache warm (a second run on
    unchanged files),
  * ``kfitcompat check`` as it was before the text prefilter and the worker processes
    (``--before``, default: the commit before the one that added ``kfitcompat/cli_run.py``),
    run from a ``git worktree`` of that commit,
and the ratios now / before. The trees:
  * this repository (a ``git archive`` of HEAD): a Keras library, so nearly every file
    mentions Keras and is parsed;
  * a generated tree of ``--files`` files (default 2,000) of which 5% are legacy Keras
    training scripts (the scripts of ``tests/migrate/scripts``, varied) and the rest real
    Python that never mentions Keras (modules of Python's standard library).
Then ``kfitcompat migrate --write`` on a fresh copy of the generated tree, now and before.
Wall time and the CPU time of the child processes are printed: this machine is shared, so
the CPU time is the steadier figure. Best of ``--rounds``.

    python benchmarks/bench_cli.py [--files 2000] [--rounds 1] [--before REF] [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "tests" / "migrate" / "scripts"


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def before_commit(ref: str | None) -> str:
    if ref:
        return _git("rev-parse", ref)
    added = _git("log", "--diff-filter=A", "--format=%H", "--",
                 "kfitcompat/migrate/fastvisit.py")
    if not added:
        raise SystemExit("bench_cli: no commit adds kfitcompat/migrate/fastvisit.py; pass "
                         "--before")
    return _git("rev-parse", added.splitlines()[-1] + "^")


def generate_tree(folder: Path, files: int, seed: int = 0) -> int:
    """``files`` files, 5% legacy Keras scripts; returns how many use Keras."""
    rng = random.Random(seed)
    legacy = sorted(SCRIPTS.glob("*.py"))
    stdlib = sorted(p for p in Path(sysconfig.get_paths()["stdlib"]).glob("*.py")
                    if 30 < len(p.read_text(errors="replace").splitlines()) < 600
                    and "keras" not in p.read_text(errors="replace"))
    keras_files = files // 20
    for i in range(files):
        sub = folder / f"pkg{i % 40:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        if i < keras_files:
            source = legacy[i % len(legacy)].read_text().replace("model", f"model_{i}")
        else:
            source = stdlib[rng.randrange(len(stdlib))].read_text(errors="replace")
        (sub / f"m{i:04d}.py").write_text(source)
    return keras_files


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of the child, exit status. The child runs in a neutral
    folder: ``python -m`` puts the current folder first on ``sys.path``, before
    ``PYTHONPATH``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          env=env, cwd=tempfile.gettempdir())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode


def best(command: list[str], rounds: int, env: dict[str, str] | None = None,
         prepare: object = None) -> tuple[float, float]:
    runs = []
    for _ in range(rounds):
        if callable(prepare):
            prepare()
        wall, cpu, _ = timed(command, env)
        runs.append((wall, cpu))
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--before", default=None, help="the commit to compare with")
    parser.add_argument("--jobs", type=int, default=None, help="-j of the new check")
    args = parser.parse_args()
    ruff = shutil.which("ruff")
    base = Path(tempfile.mkdtemp(prefix="kfitcompat-bench-cli-"))
    old = base / "before"
    try:
        commit = before_commit(args.before)
        _git("worktree", "add", "--detach", str(old), commit)
        repo = base / "repo"
        repo.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "HEAD"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(repo)], input=archive, check=True)
        tree = base / "tree"
        keras_files = generate_tree(tree, args.files)
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3",
                   KFITCOMPAT_CACHE_DIR=str(base / "kfitcompat-cache"))
        now_env = dict(env, PYTHONPATH=str(ROOT))
        old_env = dict(env, PYTHONPATH=str(old))
        jobs = ["-j", str(args.jobs)] if args.jobs else []
        kfc = [sys.executable, "-m", "kfitcompat"]
        for label, where in (("before", old_env), ("now", now_env)):
            found = subprocess.run([sys.executable, "-c", "import kfitcompat.cli as c; "
                                    "print(c.__file__)"], env=where, cwd=tempfile.gettempdir(),
                                   capture_output=True, text=True, check=True).stdout.strip()
            print(f"{label}: {found}")
        print(f"before: {commit[:10]} ({_git('log', '-1', '--format=%s', commit)[:60]})")
        print(f"cores: {len(os.sched_getaffinity(0))}; ruff: {ruff or 'not installed'}")
        print(f"{'':44s} {'wall s':>8s} {'cpu s':>8s}")
        for name, folder in (
                (f"this repository ({sum(1 for _ in repo.rglob('*.py'))} .py files)", repo),
                (f"generated tree ({args.files} files, {keras_files} use Keras)", tree)):
            print(name)
            rows = {}
            if ruff:
                rows["ruff check --no-cache"] = best(
                    [ruff, "check", "--no-cache", "--exit-zero", "--quiet", str(folder)],
                    args.rounds)
                warm = [ruff, "check", "--cache-dir", str(base / "ruff-cache"), "--exit-zero",
                        "--quiet", str(folder)]
                timed(warm)
                rows["ruff check (warm cache)"] = best(warm, args.rounds)
            rows["kfitcompat check (before)"] = best([*kfc, "check", str(folder)], args.rounds,
                                                     old_env)
            rows["kfitcompat check (now, --no-cache)"] = best(
                [*kfc, "check", "--no-cache", *jobs, str(folder)], args.rounds, now_env)
            rows["kfitcompat check (now, --no-cache -j 1)"] = best(
                [*kfc, "check", "--no-cache", "-j", "1", str(folder)], args.rounds, now_env)
            timed([*kfc, "check", *jobs, str(folder)], now_env)  # fills the cache
            rows["kfitcompat check (now, warm cache)"] = best(
                [*kfc, "check", *jobs, str(folder)], args.rounds, now_env)
            for label, (wall, cpu) in rows.items():
                print(f"  {label:42s} {wall:8.2f} {cpu:8.2f}")
            was = rows["kfitcompat check (before)"]
            for label in ("now, --no-cache", "now, warm cache"):
                now = rows[f"kfitcompat check ({label})"]
                print(f"  {label + ' / before':42s} {now[0] / was[0]:8.1%} "
                      f"{now[1] / was[1]:8.1%}")
        print("kfitcompat migrate --write on a fresh copy of the generated tree")
        copy = base / "copy"

        def fresh() -> None:
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(tree, copy)

        rows = {"before": best([*kfc, "migrate", "--write", str(copy)], args.rounds, old_env,
                               fresh),
                "now": best([*kfc, "migrate", "--write", "--no-cache", *jobs, str(copy)],
                            args.rounds, now_env, fresh)}
        for label, (wall, cpu) in rows.items():
            print(f"  {label:42s} {wall:8.2f} {cpu:8.2f}")
        print(f"  {'now / before':42s} {rows['now'][0] / rows['before'][0]:8.1%} "
              f"{rows['now'][1] / rows['before'][1]:8.1%}")
    finally:
        if old.exists():
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)],
                           capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
