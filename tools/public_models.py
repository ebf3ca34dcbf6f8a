"""Load public trained Keras model files the way a legacy script does, three ways.

A developer tool, not part of CI. For every pin in ``tools/public_models.toml`` (repository,
commit, path of a committed ``.h5``, and an architecture JSON for weights-only files) and every
target it reports whether the file loads and predicts:

* ``keras3``: plain Keras 3, nothing patched;
* ``tf_keras``: tf_keras 2.21 (``TF_USE_LEGACY_KERAS=1``), the legacy oracle;
* ``kfitcompat``: Keras 3 after ``kfitcompat.install()``.

Loading is what the repositories' own scripts do: ``keras.models.load_model(path)`` (compile
included), or ``model_from_json(text)`` then ``model.load_weights(path)``. Each target predicts
on the same generated input (seeded; integer indices below the vocabulary for an
``Embedding``), and kfitcompat's predictions are compared with tf_keras' (``atol`` 1e-5, or
relative for large outputs). Every target runs in a fresh subprocess per file (a foreign
Lambda's bytecode may crash an interpreter); files are extracted from the local mirror into a
temporary folder and nothing is kept::

    python tools/public_models.py [--only NAME] [--json results.json] [--markdown table.md]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOOLS = Path(__file__).resolve().parent
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))

from mirrors import MirrorError, extract, find_mirror  # noqa: E402

TARGETS = ("keras3", "tf_keras", "kfitcompat")
PINS = TOOLS / "public_models.toml"
ATOL = 1e-5

CHILD = r'''
import json, sys, warnings
warnings.simplefilter("ignore")
target, spec = sys.argv[1], json.loads(sys.argv[2])
if target == "tf_keras":
    import tf_keras as keras
elif target == "kfitcompat":
    import kfitcompat
    kfitcompat.install()
    import keras
else:
    import keras
import numpy as np

def where(exc):
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"

def inputs(model):
    rng = np.random.default_rng(0)
    arrays = []
    vocab = None
    for layer in model.layers:
        if type(layer).__name__ == "Embedding":
            vocab = int(layer.input_dim)
            break
    for tensor in model.inputs:
        shape = [2] + [8 if d is None else int(d) for d in list(tensor.shape)[1:]]
        if vocab is not None:
            arrays.append(rng.integers(0, min(vocab, 50), size=shape).astype("int32"))
        else:
            arrays.append(rng.random(shape).astype("float32"))
    return arrays if len(arrays) > 1 else arrays[0]

result = {"load": None, "predict": None}
try:
    if spec.get("architecture"):
        text = open(spec["architecture"]).read()
        try:
            decoded = json.loads(text)
            if isinstance(decoded, str):  # saved with json.dump(model.to_json(), f)
                text = decoded
        except ValueError:
            pass
        model = keras.models.model_from_json(text)
        model.load_weights(spec["path"])
    else:
        model = keras.models.load_model(spec["path"])
    result["load"] = "ok"
except BaseException as exc:
    result["load"] = where(exc)
if result["load"] == "ok":
    try:
        out = model.predict(inputs(model), verbose=0)
        out = out if isinstance(out, list) else [out]
        np.savez(spec["out"], *[np.asarray(o) for o in out])
        result["predict"] = "ok"
    except BaseException as exc:
        result["predict"] = where(exc)
print("RESULT " + json.dumps(result))
'''


@dataclass
class Pin:
    name: str
    repo: str
    commit: str
    path: str
    architecture: str = ""
    saved_by: str = ""
    note: str = ""


def load_pins(path: Path = PINS) -> list[Pin]:
    with path.open("rb") as f:
        return [Pin(**entry) for entry in tomllib.load(f)["models"]]


def child_env(target: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    env.update({"TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "",
                "KERAS_BACKEND": "tensorflow", "PYTHONDONTWRITEBYTECODE": "1"})
    if target == "tf_keras":
        env["TF_USE_LEGACY_KERAS"] = "1"
    return env


def run_target(target: str, spec: dict[str, str], timeout: float) -> dict[str, Any]:
    try:
        out = subprocess.run([sys.executable, "-c", CHILD, target, json.dumps(spec)],
                             capture_output=True, text=True, timeout=timeout,
                             env=child_env(target))
    except subprocess.TimeoutExpired:
        return {"load": f"timeout after {timeout:g} s", "predict": None}
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    tail = (out.stderr or out.stdout).strip().splitlines()[-1:] or ["no output"]
    return {"load": f"process died (exit {out.returncode}): {tail[0][:200]}", "predict": None}


def compare(ours: Path, oracle: Path) -> str:
    import numpy as np

    if not (ours.is_file() and oracle.is_file()):
        return "-"
    a, b = np.load(ours), np.load(oracle)
    if sorted(a.files) != sorted(b.files):
        return "different outputs"
    worst = 0.0
    for key in a.files:
        if a[key].shape != b[key].shape:
            return f"shape {a[key].shape} vs {b[key].shape}"
        scale = max(1.0, float(np.max(np.abs(b[key]))) if b[key].size else 1.0)
        worst = max(worst, float(np.max(np.abs(a[key] - b[key]))) / scale if a[key].size else 0)
    return "equal" if worst <= ATOL else f"differ (max {worst:.2e})"


def run_pin(pin: Pin, work: Path, mirrors: Path | None, timeout: float) -> dict[str, Any]:
    base = work / pin.name
    paths = [pin.path] + ([pin.architecture] if pin.architecture else [])
    extract(find_mirror(pin.repo, mirrors), pin.commit, paths, base)
    row: dict[str, Any] = {"name": pin.name, "repo": pin.repo, "saved_by": pin.saved_by}
    for target in TARGETS:
        spec = {"path": str(base / pin.path), "out": str(base / f"{target}.npz")}
        if pin.architecture:
            spec["architecture"] = str(base / pin.architecture)
        row[target] = run_target(target, spec, timeout)
    row["kfitcompat_vs_tf_keras"] = compare(base / "kfitcompat.npz", base / "tf_keras.npz")
    row["keras3_vs_tf_keras"] = compare(base / "keras3.npz", base / "tf_keras.npz")
    return row


def status(result: dict[str, Any]) -> str:
    if result["load"] != "ok":
        return f"load: {result['load']}"
    return "ok" if result["predict"] == "ok" else f"predict: {result['predict']}"


def print_report(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        print(f"\n{row['name']} ({row['saved_by']})")
        for target in TARGETS:
            print(f"  {target:<11} {status(row[target])[:200]}")
        print(f"  predictions vs tf_keras: kfitcompat {row['kfitcompat_vs_tf_keras']}, "
              f"keras3 {row['keras3_vs_tf_keras']}")
    print("\nloads and predicts:")
    for target in TARGETS:
        count = sum(status(row[target]) == "ok" for row in rows)
        print(f"  {target:<11} {count}/{len(rows)}")
    both = [r for r in rows if status(r["tf_keras"]) == "ok"]
    missed = [r["name"] for r in both if status(r["kfitcompat"]) != "ok"]
    equal = sum(r["kfitcompat_vs_tf_keras"] == "equal" for r in both)
    print(f"  kfitcompat loads {len(both) - len(missed)}/{len(both)} of the files tf_keras "
          f"loads (missing: {missed or 'none'}); predictions equal on {equal}")


def _short(result: dict[str, Any]) -> str:
    """The error of a failed load or predict, cut to its type and first words."""
    text = status(result).split(": ", 1)[-1]
    return "no: " + text[:70].replace("|", "/")


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| file | saved by | Keras 3 | tf_keras 2.21 | kfitcompat | kfitcompat's "
             "predictions vs tf_keras' |", "|---|---|---|---|---|---|"]
    for row in rows:
        cells = ["yes" if status(row[t]) == "ok" else _short(row[t]) for t in TARGETS]
        lines.append(f"| {row['name']} | {row['saved_by']} | " + " | ".join(cells)
                     + f" | {row['kfitcompat_vs_tf_keras']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", help="run only this pin (repeatable)")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--markdown", type=Path, help="write a summary table here")
    parser.add_argument("--mirrors", type=Path, help="mirror root (default "
                        "$KFITCOMPAT_MIRRORS)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per target")
    args = parser.parse_args(argv)
    pins = [p for p in load_pins() if not args.only or p.name in args.only]
    work = Path(tempfile.mkdtemp(prefix="public-models-"))
    rows = []
    try:
        for pin in pins:
            print(f"loading {pin.name} ...", flush=True)
            rows.append(run_pin(pin, work, args.mirrors, args.timeout))
    except MirrorError as exc:
        print(f"public_models: {exc}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_report(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    if args.markdown:
        args.markdown.write_text(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
